"""MobileNet v1 (Howard et al., 2017) and v2 (Sandler et al., 2018).

v1: "MobileNets: Efficient Convolutional Neural Networks for Mobile Vision
Applications", https://arxiv.org/abs/1704.04861
v2: "MobileNetV2: Inverted Residuals and Linear Bottlenecks", CVPR 2018,
https://arxiv.org/abs/1801.04381

MobileNet v1 replaces each standard convolution with a depthwise separable one: a
3x3 depthwise convolution filters every channel on its own, then a 1x1 (pointwise)
convolution mixes the channels. For ``M`` input channels, ``N`` output channels and
a ``K x K`` kernel this costs ``K^2 M + M N`` multiply-adds per position instead of
``K^2 M N``, a ratio of ``1/N + 1/K^2`` (8 to 9 times fewer for 3x3 kernels). The
network is a 3x3 stride-2 stem convolution and 13 such blocks (the paper's Table 1,
``MOBILENET_V1_BLOCKS`` below), every convolution followed by batch norm and ReLU6,
then global average pooling and the classifier. Two knobs shrink it: the width
multiplier ``alpha`` scales every layer's channels, the resolution multiplier is
simply a smaller input.

MobileNet v2's block, the inverted residual with a linear bottleneck, turns the
shape of a ResNet bottleneck inside out: a 1x1 convolution expands a narrow input
``t`` times (ReLU6), a 3x3 depthwise convolution filters it (ReLU6), and a 1x1
convolution projects it back to a narrow output with no activation (a ReLU there
would destroy information in so few channels); when input and output have the same
shape, a residual connection adds the narrow tensors. ``MOBILENET_V2_STAGES`` is the
paper's Table 2: rows of (expansion ``t``, channels ``c``, repeats ``n``, stride
``s``).

``mobilenet_v1()`` and ``mobilenet_v2()`` with their defaults are
``keras.applications.MobileNet`` and ``MobileNetV2(weights=None)``: the same layers
with the same names and weight shapes (4,253,864 and 3,538,984 parameters, of which
21,888 and 34,112 are batch-norm moving statistics; 568,740,352 and 300,774,272
multiply-adds at 224x224 by ``course_lib.arithmetic.count_macs``). The tests copy
the weights of one into the other by layer name and compare outputs. Layer names
are therefore keras.applications', not the ``block<b>_conv<i>`` scheme:

    v1  conv1, conv1_bn, conv1_relu              the stem
        conv_pad_<i>                             zero padding before a stride-2 block
        conv_dw_<i>, conv_dw_<i>_bn, _relu       block i's depthwise convolution
        conv_pw_<i>, conv_pw_<i>_bn, _relu       block i's pointwise convolution
    v2  Conv1, bn_Conv1, Conv1_relu              the stem
        expanded_conv_<op>                       block 0 (no expansion)
        block_<i>_expand, _expand_BN, _expand_relu
        block_<i>_pad, block_<i>_depthwise, _depthwise_BN, _depthwise_relu
        block_<i>_project, _project_BN           the linear bottleneck
        block_<i>_add                            the residual connection
        Conv_1, Conv_1_bn, out_relu              the last 1x1 convolution
    both head_pool, head_dropout (v1), predictions

One difference from keras.applications: v1's classifier there is a 1x1 convolution
on the pooled 1x1 map (``conv_preds``) reshaped to a vector; here it is the
``Dense`` layer ``predictions`` on the pooled vector, the same computation with the
same weights (the kernel reshaped from 1x1x1024x1000 to 1024x1000).

``variant="cifar10"`` keeps every block and removes stride-2 steps at the start, so
that 32x32 images are not reduced to 1x1 (as kuangliu/pytorch-cifar does): v1's
stem convolution has stride 1, leaving four stride-2 steps (32 -> 2 instead of
224 -> 7); v2's stem and first stride-2 stage (24 channels) have stride 1, leaving
three (32 -> 4).

See: lessons/11_lightweight_nets.ipynb.
"""

import math
import numbers
from typing import NamedTuple

import keras
from keras import layers

from course_lib._util import check_choice
from course_lib.models import _validation
from course_lib.models._common import classifier_head, model_input
from course_lib.models._registry import register_model

__all__ = [
    "MOBILENET_V1_BLOCKS",
    "MOBILENET_V2_STAGES",
    "depthwise_separable_block",
    "inverted_residual_block",
    "mobilenet_v1",
    "mobilenet_v2",
]

# MobileNet v1, the paper's Table 1: (pointwise filters, stride) of each depthwise
# separable block, after a 3x3 stride-2 stem convolution with 32 filters.
MOBILENET_V1_BLOCKS = (
    (64, 1),
    (128, 2),
    (128, 1),
    (256, 2),
    (256, 1),
    (512, 2),
    (512, 1),
    (512, 1),
    (512, 1),
    (512, 1),
    (512, 1),
    (1024, 2),
    (1024, 1),
)

# MobileNet v2, the paper's Table 2: (expansion t, channels c, repeats n, stride s)
# of each stage of inverted residual blocks; the stride applies to its first block.
# A 3x3 stride-2 stem with 32 filters comes before, a 1x1 conv with 1280 after.
MOBILENET_V2_STAGES = (
    (1, 16, 1, 1),
    (6, 24, 2, 2),
    (6, 32, 3, 2),
    (6, 64, 4, 2),
    (6, 96, 3, 1),
    (6, 160, 3, 2),
    (6, 320, 1, 1),
)

# keras.applications' batch-norm settings (they matter once weights are copied).
_V2_BN = {"epsilon": 1e-3, "momentum": 0.999}


class Architecture(NamedTuple):
    """A member of the family: defaults, stem stride and the block table."""

    input_shape: tuple
    num_classes: int
    stem_stride: int
    blocks: tuple


ARCHITECTURES = {
    "mobilenet_v1": Architecture((224, 224, 3), 1000, 2, MOBILENET_V1_BLOCKS),
    "mobilenet_v1_cifar10": Architecture((32, 32, 3), 10, 1, MOBILENET_V1_BLOCKS),
    "mobilenet_v2": Architecture((224, 224, 3), 1000, 2, MOBILENET_V2_STAGES),
    "mobilenet_v2_cifar10": Architecture(
        (32, 32, 3),
        10,
        1,
        (MOBILENET_V2_STAGES[0], (6, 24, 2, 1), *MOBILENET_V2_STAGES[2:]),
    ),
}
VARIANTS = ("imagenet", "cifar10")


def _make_divisible(value, divisor=8):
    """Rounds a channel count to the nearest multiple of ``divisor``, at most 10% down.

    MobileNet v2's rule for scaled widths (keras.applications and the TF reference).
    """
    rounded = max(divisor, int(value + divisor / 2) // divisor * divisor)
    if rounded < 0.9 * value:
        rounded += divisor
    return rounded


def _centred_pad(size):
    """keras.applications' padding before a 3x3 stride-2 "valid" conv (``correct_pad``).

    One pixel on each side for an odd size, only after for an even one: the output
    has ``ceil(size / 2)`` pixels either way, as with ``"same"`` padding.
    """
    return (size % 2, 1)


def depthwise_separable_block(x, filters, *, strides=1, depth_multiplier=1, block_id):
    """MobileNet v1's block: 3x3 depthwise conv, then 1x1 pointwise conv, each BN-ReLU6.

    The depthwise convolution filters each input channel with its own 3x3 kernel
    (``depth_multiplier`` kernels per channel); the pointwise convolution combines the
    channels into ``filters`` outputs. Neither has a bias (batch norm follows each).
    A stride-2 block pads one row and one column after the input
    (``conv_pad_<block_id>``) and convolves with ``"valid"`` padding, as
    keras.applications does.

    Args:
        x: Input tensor, ``(batch, height, width, channels)``.
        filters: Output channels of the pointwise convolution.
        strides: 1 or 2, the depthwise convolution's stride.
        depth_multiplier: Depthwise kernels per input channel.
        block_id: The block's number (1 to 13 in MobileNet), for the layer names
            ``conv_dw_<block_id>``, ``conv_pw_<block_id>``, ...

    Returns:
        The block's output, ``filters`` channels.

    Example:
        >>> x = keras.Input((112, 112, 32))
        >>> depthwise_separable_block(x, 64, block_id=1).shape
        (None, 112, 112, 64)

    See: lessons/11_lightweight_nets.ipynb.
    """
    if strides == 1:
        conv_padding = "same"
    else:
        x = layers.ZeroPadding2D(((0, 1), (0, 1)), name=f"conv_pad_{block_id}")(x)
        conv_padding = "valid"
    x = layers.DepthwiseConv2D(
        3,
        strides=strides,
        padding=conv_padding,
        depth_multiplier=depth_multiplier,
        use_bias=False,
        name=f"conv_dw_{block_id}",
    )(x)
    x = layers.BatchNormalization(name=f"conv_dw_{block_id}_bn")(x)
    x = layers.ReLU(6.0, name=f"conv_dw_{block_id}_relu")(x)
    x = layers.Conv2D(filters, 1, use_bias=False, name=f"conv_pw_{block_id}")(x)
    x = layers.BatchNormalization(name=f"conv_pw_{block_id}_bn")(x)
    return layers.ReLU(6.0, name=f"conv_pw_{block_id}_relu")(x)


def inverted_residual_block(x, filters, *, expansion, strides=1, block_id):
    """MobileNet v2's block: expand 1x1, depthwise 3x3, project 1x1 (linear), add.

    The input's ``C`` channels are expanded to ``expansion * C`` by a 1x1 convolution
    (BN, ReLU6; left out when ``expansion == 1``), filtered by a 3x3 depthwise
    convolution with the block's stride (BN, ReLU6) and projected to ``filters``
    channels by a 1x1 convolution with batch norm and no activation: the linear
    bottleneck. When the block keeps the shape (stride 1, ``filters == C``) the input
    is added to the output. A stride-2 block pads the input first (``..._pad``: one
    pixel after, and one before for an odd size) and convolves with ``"valid"``
    padding, as keras.applications does.

    Args:
        x: Input tensor, ``(batch, height, width, C)``, with a known height and width
            when ``strides=2``.
        filters: Output channels (the projection's).
        expansion: Expansion factor ``t``, an integer >= 1.
        strides: 1 or 2, the depthwise convolution's stride.
        block_id: The block's number (0 to 16 in MobileNetV2), for the layer names
            ``block_<block_id>_expand``, ...; block 0 is named ``expanded_conv_...``
            as in keras.applications.

    Returns:
        The block's output, ``filters`` channels.

    Example:
        >>> x = keras.Input((56, 56, 24))
        >>> inverted_residual_block(x, 24, expansion=6, block_id=2).shape
        (None, 56, 56, 24)

    See: lessons/11_lightweight_nets.ipynb.
    """
    in_channels = x.shape[-1]
    prefix = f"block_{block_id}_" if block_id else "expanded_conv_"
    inputs = x
    if expansion != 1:
        x = layers.Conv2D(
            expansion * in_channels, 1, use_bias=False, name=f"{prefix}expand"
        )(x)
        x = layers.BatchNormalization(**_V2_BN, name=f"{prefix}expand_BN")(x)
        x = layers.ReLU(6.0, name=f"{prefix}expand_relu")(x)
    conv_padding = "same"
    if strides != 1:
        pad = (_centred_pad(x.shape[1]), _centred_pad(x.shape[2]))
        x = layers.ZeroPadding2D(pad, name=f"{prefix}pad")(x)
        conv_padding = "valid"
    x = layers.DepthwiseConv2D(
        3,
        strides=strides,
        padding=conv_padding,
        use_bias=False,
        name=f"{prefix}depthwise",
    )(x)
    x = layers.BatchNormalization(**_V2_BN, name=f"{prefix}depthwise_BN")(x)
    x = layers.ReLU(6.0, name=f"{prefix}depthwise_relu")(x)
    x = layers.Conv2D(filters, 1, use_bias=False, name=f"{prefix}project")(x)
    x = layers.BatchNormalization(**_V2_BN, name=f"{prefix}project_BN")(x)
    if strides == 1 and in_channels == filters:
        x = layers.Add(name=f"{prefix}add")([inputs, x])
    return x


def _min_input_size(architecture, version):
    if version == 1:
        # The stem is "same"; a stride-2 block pads (0, 1) and convolves "valid".
        spatial = [(3, architecture.stem_stride, "same")]
        spatial += [
            (3, s, "same" if s == 1 else (0, 1)) for _, s in architecture.blocks
        ]
        return _validation.min_input_size(spatial)
    # v2's padding gives ceil(size / stride) pixels everywhere, like "same".
    spatial = [(3, architecture.stem_stride, "same")]
    spatial += [(3, s, "same") for *_, s in architecture.blocks]
    return _validation.min_input_size(spatial)


def _check_alpha(alpha, narrowest=None):
    """Checks ``alpha``: finite, > 0, and leaving the narrowest layer a channel."""
    is_real = isinstance(alpha, numbers.Real) and not isinstance(alpha, bool)
    ok = is_real and math.isfinite(alpha) and alpha > 0
    rule = "a finite number > 0"
    if narrowest is not None:
        ok = ok and alpha * narrowest >= 1
        rule = (
            f"a number >= 1/{narrowest}, so that the narrowest layer ({narrowest} "
            "channels at alpha=1) keeps at least one channel"
        )
    if not ok:
        raise ValueError(
            f"`alpha` (the width multiplier) must be {rule}. Received: alpha={alpha!r}"
        )


def _resolve(variant, input_shape, num_classes, prefix):
    """The variant's architecture and its defaults for unset arguments."""
    check_choice("variant", variant, VARIANTS)
    model = prefix if variant == "imagenet" else f"{prefix}_{variant}"
    architecture = ARCHITECTURES[model]
    input_shape = architecture.input_shape if input_shape is None else input_shape
    num_classes = architecture.num_classes if num_classes is None else num_classes
    return model, architecture, input_shape, num_classes


_V1 = ARCHITECTURES["mobilenet_v1"]
_V2 = ARCHITECTURES["mobilenet_v2"]
_CIFAR_HINT = "For 32x32 images use variant='cifar10'."


@register_model(input_shape=_V1.input_shape, min_input_size=_min_input_size(_V1, 1))
def mobilenet_v1(
    *,
    input_shape=None,
    num_classes=None,
    include_top=True,
    pooling=None,
    classifier_activation="softmax",
    variant="imagenet",
    alpha=1.0,
    depth_multiplier=1,
    dropout=1e-3,
    name=None,
):
    """MobileNet v1 (Howard et al., 2017): a stem conv, 13 depthwise separable blocks.

    With its defaults, ``keras.applications.MobileNet(weights=None)``: 4,253,864
    parameters and 568,740,352 multiply-adds at 224x224. Arguments left at ``None``
    take the variant's value.

    Args:
        input_shape: ``(height, width, channels)``; defaults to 224x224x3
            (imagenet) or 32x32x3 (cifar10); at least 31x31 (imagenet) or 16x16
            (cifar10).
        num_classes: Number of classes (keras.applications' ``classes``), >= 2;
            defaults to 1000 (imagenet) or 10 (cifar10).
        include_top: Whether to build the pooling, dropout and classifier.
        pooling: With ``include_top=False``: ``None`` (the last maps), ``"avg"`` or
            ``"max"`` (global pooling to a vector).
        classifier_activation: Activation of ``predictions``; ``None`` gives logits.
        variant: ``"imagenet"`` (the paper's network) or ``"cifar10"`` (a stride-1
            stem, for 32x32 images; see the module docstring).
        alpha: Width multiplier: every layer has ``int(alpha * filters)`` channels
            (the paper uses 1, 0.75, 0.5 and 0.25); at least 1/32.
        depth_multiplier: Depthwise kernels per channel (keras.applications'
            argument; the paper's resolution multiplier is the input size).
        dropout: Dropout rate before the classifier (keras.applications' 1e-3).
        name: Model name; defaults to ``"mobilenet_v1"`` or
            ``"mobilenet_v1_cifar10"``.

    Returns:
        A ``keras.Model``.

    Example:
        >>> model = mobilenet_v1(alpha=0.5, input_shape=(160, 160, 3))

    See: lessons/11_lightweight_nets.ipynb.
    """
    model, architecture, input_shape, num_classes = _resolve(
        variant, input_shape, num_classes, "mobilenet_v1"
    )
    input_shape, num_classes = _validation.check_common(
        input_shape=input_shape,
        num_classes=num_classes,
        include_top=include_top,
        pooling=pooling,
        name=name,
    )
    _check_alpha(alpha, 32)
    depth_multiplier = _validation.check_positive_ints(
        "depth_multiplier", depth_multiplier
    )
    _validation.check_dropout(dropout)
    _validation.check_input_size(
        input_shape,
        _min_input_size(architecture, 1),
        model=model,
        hint=_CIFAR_HINT if variant == "imagenet" else "",
    )

    inputs = model_input(input_shape)
    x = layers.Conv2D(
        int(32 * alpha),
        3,
        strides=architecture.stem_stride,
        padding="same",
        use_bias=False,
        name="conv1",
    )(inputs)
    x = layers.BatchNormalization(name="conv1_bn")(x)
    x = layers.ReLU(6.0, name="conv1_relu")(x)
    for block_id, (filters, strides) in enumerate(architecture.blocks, start=1):
        x = depthwise_separable_block(
            x,
            int(filters * alpha),
            strides=strides,
            depth_multiplier=depth_multiplier,
            block_id=block_id,
        )
    outputs = classifier_head(
        x,
        include_top=include_top,
        pooling=pooling,
        num_classes=num_classes,
        classifier_activation=classifier_activation,
        global_pool="avg",
        flatten_dropout=dropout,
    )
    return keras.Model(inputs, outputs, name=name or model)


@register_model(input_shape=_V2.input_shape, min_input_size=_min_input_size(_V2, 2))
def mobilenet_v2(
    *,
    input_shape=None,
    num_classes=None,
    include_top=True,
    pooling=None,
    classifier_activation="softmax",
    variant="imagenet",
    alpha=1.0,
    name=None,
):
    """MobileNet v2 (Sandler et al., 2018): 17 inverted residuals, linear bottlenecks.

    With its defaults, ``keras.applications.MobileNetV2(weights=None)``: 3,538,984
    parameters and 300,774,272 multiply-adds at 224x224. Arguments left at ``None``
    take the variant's value.

    Args:
        input_shape: ``(height, width, channels)``; defaults to 224x224x3
            (imagenet) or 32x32x3 (cifar10). Any size works: every stride-2 layer
            gives ``ceil(size / 2)`` pixels.
        num_classes: Number of classes (keras.applications' ``classes``), >= 2;
            defaults to 1000 (imagenet) or 10 (cifar10).
        include_top: Whether to build the pooling and the classifier.
        pooling: With ``include_top=False``: ``None`` (the last maps), ``"avg"`` or
            ``"max"`` (global pooling to a vector).
        classifier_activation: Activation of ``predictions``; ``None`` gives logits.
        variant: ``"imagenet"`` (the paper's network) or ``"cifar10"`` (stride 1 in
            the stem and the 24-channel stage, for 32x32 images; see the module
            docstring).
        alpha: Width multiplier: each block's output channels are ``alpha * c``
            rounded to a multiple of 8; the last conv keeps 1280 channels unless
            ``alpha > 1`` (the paper uses 0.35 to 1.4). A number > 0.
        name: Model name; defaults to ``"mobilenet_v2"`` or
            ``"mobilenet_v2_cifar10"``.

    Returns:
        A ``keras.Model``.

    Example:
        >>> model = mobilenet_v2(variant="cifar10", alpha=0.5)

    See: lessons/11_lightweight_nets.ipynb.
    """
    model, architecture, input_shape, num_classes = _resolve(
        variant, input_shape, num_classes, "mobilenet_v2"
    )
    input_shape, num_classes = _validation.check_common(
        input_shape=input_shape,
        num_classes=num_classes,
        include_top=include_top,
        pooling=pooling,
        name=name,
    )
    _check_alpha(alpha)  # widths are rounded to multiples of 8, at least 8

    inputs = model_input(input_shape)
    x = layers.Conv2D(
        _make_divisible(32 * alpha),
        3,
        strides=architecture.stem_stride,
        padding="same",
        use_bias=False,
        name="Conv1",
    )(inputs)
    x = layers.BatchNormalization(**_V2_BN, name="bn_Conv1")(x)
    x = layers.ReLU(6.0, name="Conv1_relu")(x)
    block_id = 0
    for expansion, channels, repeats, stride in architecture.blocks:
        for repeat in range(repeats):
            x = inverted_residual_block(
                x,
                _make_divisible(int(channels * alpha)),
                expansion=expansion,
                strides=stride if repeat == 0 else 1,
                block_id=block_id,
            )
            block_id += 1
    last_filters = _make_divisible(1280 * alpha) if alpha > 1 else 1280
    x = layers.Conv2D(last_filters, 1, use_bias=False, name="Conv_1")(x)
    x = layers.BatchNormalization(**_V2_BN, name="Conv_1_bn")(x)
    x = layers.ReLU(6.0, name="out_relu")(x)
    outputs = classifier_head(
        x,
        include_top=include_top,
        pooling=pooling,
        num_classes=num_classes,
        classifier_activation=classifier_activation,
        global_pool="avg",
    )
    return keras.Model(inputs, outputs, name=name or model)
