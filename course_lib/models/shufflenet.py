"""ShuffleNet v1 (Zhang et al., 2017) and v2 (Ma et al., 2018).

v1: "ShuffleNet: An Extremely Efficient Convolutional Neural Network for Mobile
Devices", CVPR 2018, https://arxiv.org/abs/1707.01083
v2: "ShuffleNet V2: Practical Guidelines for Efficient CNN Architecture Design",
ECCV 2018, https://arxiv.org/abs/1807.11164

In a MobileNet-style network almost all the multiply-adds are in the 1x1
convolutions. ShuffleNet v1 makes them group convolutions (``g`` groups: ``g``
times cheaper), and since stacked group convolutions would keep the groups apart,
it shuffles the channels between them (``course_lib.layers.ChannelShuffle``): every
group of the next convolution then sees every group of the previous one. Its unit
is a ResNet bottleneck built that way: 1x1 group conv (BN, ReLU), channel shuffle,
3x3 depthwise conv (BN, no ReLU), 1x1 group conv (BN), added to the input, ReLU. A
stride-2 unit concatenates a 3x3 average pooling of its input instead of adding it,
which doubles the channels at little cost. The first unit's first 1x1 conv is not
grouped (its input has only 24 channels) and needs no shuffle. The bottleneck has a
quarter of the unit's output channels. ``SHUFFLENET_V1_WIDTHS`` is the paper's
Table 1: the output channels of stages 2, 3 and 4 for each number of groups, chosen
so that every network costs about 140 M multiply-adds.

ShuffleNet v2 follows four guidelines measured on real hardware (equal channel
widths, few groups, little fragmentation, few element-wise operations): its unit
splits the channels in two (``course_lib.layers.ChannelSplit``), passes one half
through, runs the other through 1x1 conv, 3x3 depthwise conv and 1x1 conv (no
groups), concatenates the halves and shuffles them with two groups. A stride-2 unit
feeds the whole input to both branches, the first a 3x3 depthwise (stride 2) and
1x1 conv. A 1x1 convolution (``conv5``) follows the last stage.
``SHUFFLENET_V2_WIDTHS`` is the paper's Table 5, as torchvision builds it.

Both have a 3x3 stride-2 stem convolution with 24 filters (BN, ReLU; v1's
``scale`` scales it too, as megvii's 0.5x and 2x models do), a 3x3
stride-2 max pooling, three stages of 4, 8 and 4 units whose first unit has
stride 2, global average pooling and a fully connected classifier. Every
convolution is followed by batch norm and has no bias. The defaults give the
reference parameter counts as PyTorch counts them (learned weights, without batch
norm's moving statistics, which ``count_params()`` adds): 1,865,728 for v1 with 3
groups (2,434,768 with 8), 2,278,604 for v2 1x (1,366,792 for 0.5x, torchvision's
``shufflenet_v2_x0_5``); and 137,460,672 (138,365,952), 144,907,992 and 40,476,448
multiply-adds at 224x224 by ``course_lib.arithmetic.count_macs``. Padding follows
Keras's ``"same"``, so the feature-map sizes are torchvision's; v1's shortcut
average pooling leaves the padding out of the mean (PyTorch's counts the zeros).

``variant="cifar10"`` gives 32x32 images a stem that keeps their size: the stem
convolution has stride 1 and there is no max pooling, so only the three stages
downsample (32 -> 16 -> 8 -> 4) instead of five stride-2 steps (224 -> 7).

Layer names:

    stem_conv, stem_bn, stem_relu, stem_pool    the stem (no stem_pool for cifar10)
    stage<s>_block<b>_<op>                      unit b of stage s (2 to 4; b from 1)
        v1: conv1, bn1, relu1, shuffle,         1x1 group conv, channel shuffle,
            conv2, bn2, conv3, bn3,             3x3 depthwise, 1x1 group conv,
            shortcut_pool, concat | add, out    the shortcut and the final ReLU
        v2: split | branch1_conv1, _bn1,        channel split, or the stride-2
            branch1_conv2, _bn2, _relu2,        unit's left branch (3x3 dw, 1x1);
            branch2_conv1 ... branch2_relu3,    1x1, 3x3 dw, 1x1 on the other half;
            concat, shuffle
    conv5, bn5, relu5                           v2's last 1x1 convolution
    head_pool, predictions

See: lessons/11_lightweight_nets.ipynb.
"""

import math
import numbers

import keras
from keras import layers

from course_lib._util import check_choice, is_int
from course_lib.layers import ChannelShuffle, ChannelSplit
from course_lib.models import _validation
from course_lib.models._common import classifier_head, conv_unit, model_input
from course_lib.models._registry import register_model

__all__ = [
    "SHUFFLENET_V1_WIDTHS",
    "SHUFFLENET_V2_WIDTHS",
    "shufflenet_v1",
    "shufflenet_v1_unit",
    "shufflenet_v2",
    "shufflenet_v2_unit",
]

# ShuffleNet v1, the paper's Table 1 (1x): output channels of stages 2, 3 and 4 for
# each number of groups g.
SHUFFLENET_V1_WIDTHS = {
    1: (144, 288, 576),
    2: (200, 400, 800),
    3: (240, 480, 960),
    4: (272, 544, 1088),
    8: (384, 768, 1536),
}

# ShuffleNet v2, the paper's Table 5: output channels of stages 2, 3, 4 and conv5
# for each scale.
SHUFFLENET_V2_WIDTHS = {
    0.5: (48, 96, 192, 1024),
    1.0: (116, 232, 464, 1024),
    1.5: (176, 352, 704, 1024),
    2.0: (244, 488, 976, 2048),
}

STAGE_REPEATS = (4, 8, 4)  # units in stages 2, 3 and 4, both versions
STEM_FILTERS = 24

# Per variant: default input shape and classes, the stem's stride and whether a max
# pooling follows it.
VARIANTS = {
    "imagenet": ((224, 224, 3), 1000, 2, True),
    "cifar10": ((32, 32, 3), 10, 1, False),
}


def _depthwise_bn(x, *, strides, name):
    """A 3x3 depthwise convolution without bias, then batch norm (no activation)."""
    x = layers.DepthwiseConv2D(
        3, strides=strides, padding="same", use_bias=False, name=name
    )(x)
    return layers.BatchNormalization(name=name.replace("conv", "bn"))(x)


def _conv_bn(x, filters, *, groups=1, activation="relu", name):
    """A 1x1 convolution without bias, batch norm, then the activation (if any)."""
    return conv_unit(
        x,
        filters,
        1,
        groups=groups,
        batch_norm=True,
        use_bias=False,
        activation=activation,
        name=name,
    )


def shufflenet_v1_unit(x, filters, *, groups, strides=1, group_first=True, name):
    """ShuffleNet v1's unit: 1x1 group conv, shuffle, 3x3 depthwise, 1x1 group conv.

    The bottleneck has ``filters // 4`` channels. With ``strides=1`` the input (which
    must have ``filters`` channels) is added to the branch and a ReLU follows; with
    ``strides=2`` the branch outputs ``filters - C`` channels and is concatenated
    with a 3x3 stride-2 average pooling of the input's ``C`` channels, then ReLU.

    Args:
        x: Input tensor, ``(batch, height, width, C)``.
        filters: Output channels; ``filters // 4`` and the branch's output channels
            must be multiples of ``groups``.
        groups: Groups of the 1x1 convolutions (the paper's ``g``).
        strides: 1 or 2, the depthwise convolution's stride.
        group_first: Whether the first 1x1 convolution is grouped (and followed by
            the shuffle); the network's first unit sets it to False.
        name: Prefix of the layer names, e.g. ``"stage2_block1"``.

    Returns:
        The unit's output, ``filters`` channels.

    Example:
        >>> x = keras.Input((28, 28, 240))
        >>> shufflenet_v1_unit(x, 240, groups=3, name="stage2_block2").shape
        (None, 28, 28, 240)

    See: lessons/11_lightweight_nets.ipynb.
    """
    inputs = x
    branch = filters - x.shape[-1] if strides == 2 else filters
    first_groups = groups if group_first else 1
    x = _conv_bn(x, filters // 4, groups=first_groups, name=f"{name}_conv1")
    if first_groups > 1:
        x = ChannelShuffle(groups, name=f"{name}_shuffle")(x)
    x = _depthwise_bn(x, strides=strides, name=f"{name}_conv2")
    x = _conv_bn(x, branch, groups=groups, activation=None, name=f"{name}_conv3")
    if strides == 2:
        shortcut = layers.AveragePooling2D(
            3, strides=2, padding="same", name=f"{name}_shortcut_pool"
        )(inputs)
        x = layers.Concatenate(name=f"{name}_concat")([shortcut, x])
    else:
        x = layers.Add(name=f"{name}_add")([inputs, x])
    return layers.ReLU(name=f"{name}_out")(x)


def shufflenet_v2_unit(x, filters, *, strides=1, name):
    """ShuffleNet v2's unit: split (or copy), convolve one half, concatenate, shuffle.

    With ``strides=1`` the input (``filters`` channels) is split in two; the first
    half passes unchanged and the second goes through a 1x1 conv (BN, ReLU), a 3x3
    depthwise conv (BN) and a 1x1 conv (BN, ReLU). With ``strides=2`` both branches
    read the whole input: the first is a 3x3 stride-2 depthwise conv (BN) and a 1x1
    conv (BN, ReLU), the second the same three layers as above with a stride-2
    depthwise conv. Each branch outputs ``filters // 2`` channels; the two are
    concatenated and shuffled with two groups.

    Args:
        x: Input tensor, ``(batch, height, width, C)``.
        filters: Output channels, even.
        strides: 1 or 2.
        name: Prefix of the layer names, e.g. ``"stage2_block1"``.

    Returns:
        The unit's output, ``filters`` channels.

    Example:
        >>> x = keras.Input((28, 28, 116))
        >>> shufflenet_v2_unit(x, 116, name="stage2_block2").shape
        (None, 28, 28, 116)

    See: lessons/11_lightweight_nets.ipynb.
    """
    half = filters // 2
    if strides == 1:
        left, right = ChannelSplit(2, name=f"{name}_split")(x)
    else:
        left = _depthwise_bn(x, strides=strides, name=f"{name}_branch1_conv1")
        left = _conv_bn(left, half, name=f"{name}_branch1_conv2")
        right = x
    right = _conv_bn(right, half, name=f"{name}_branch2_conv1")
    right = _depthwise_bn(right, strides=strides, name=f"{name}_branch2_conv2")
    right = _conv_bn(right, half, name=f"{name}_branch2_conv3")
    x = layers.Concatenate(name=f"{name}_concat")([left, right])
    return ChannelShuffle(2, name=f"{name}_shuffle")(x)


def _check_scale(scale, choices=None):
    """``scale`` must be a finite number > 0, one of ``choices`` when given."""
    is_real = isinstance(scale, numbers.Real) and not isinstance(scale, bool)
    if not (is_real and math.isfinite(scale) and scale > 0):
        raise ValueError(
            "`scale` (the width multiplier) must be a finite number > 0. "
            f"Received: scale={scale!r}"
        )
    if choices is not None:
        check_choice("scale", scale, choices)


def _round_to_multiple(value, multiple):
    """``value`` rounded to the nearest multiple of ``multiple`` (at least one)."""
    return max(multiple, int(value / multiple + 0.5) * multiple)


def _v1_widths(groups, scale):
    """The stem's and the stages' channels for ``groups`` groups at ``scale``.

    Stage widths round to multiples of ``4 * groups`` (the bottleneck, a quarter of
    them, splits into the groups), the stem to a multiple of ``groups`` (the first
    unit's branch outputs ``width - stem`` channels in groups). Table 1's widths
    and the stem's 24 already are, so ``scale=1`` keeps them.
    """
    stages = tuple(
        _round_to_multiple(w * scale, 4 * groups) for w in SHUFFLENET_V1_WIDTHS[groups]
    )
    return _round_to_multiple(STEM_FILTERS * scale, groups), stages


def _shufflenet(
    *,
    model,
    variant,
    input_shape,
    num_classes,
    include_top,
    pooling,
    classifier_activation,
    stem_filters,
    widths,
    make_unit,
    last_filters,
    name,
):
    """Builds either version: stem, three stages of ``make_unit``, conv5, head."""
    check_choice("variant", variant, VARIANTS)
    default_shape, default_classes, stem_stride, stem_pool = VARIANTS[variant]
    input_shape, num_classes = _validation.check_common(
        input_shape=default_shape if input_shape is None else input_shape,
        num_classes=default_classes if num_classes is None else num_classes,
        include_top=include_top,
        pooling=pooling,
        name=name,
    )
    inputs = model_input(input_shape)
    x = conv_unit(
        inputs,
        stem_filters,
        3,
        strides=stem_stride,
        batch_norm=True,
        use_bias=False,
        name="stem_conv",
    )
    if stem_pool:
        x = layers.MaxPooling2D(3, strides=2, padding="same", name="stem_pool")(x)
    for stage, (filters, repeats) in enumerate(
        zip(widths, STAGE_REPEATS, strict=True), start=2
    ):
        for block in range(1, repeats + 1):
            x = make_unit(
                x,
                filters,
                strides=2 if block == 1 else 1,
                first=stage == 2 and block == 1,
                name=f"stage{stage}_block{block}",
            )
    if last_filters:
        x = _conv_bn(x, last_filters, name="conv5")
    outputs = classifier_head(
        x,
        include_top=include_top,
        pooling=pooling,
        num_classes=num_classes,
        classifier_activation=classifier_activation,
        global_pool="avg",
    )
    if variant != "imagenet":
        model += f"_{variant}"
    return keras.Model(inputs, outputs, name=name or model)


def _scale_suffix(scale):
    return "" if scale == 1 else f"_{scale:g}x".replace(".", "_")


# Every layer keeps the size or halves it rounding up ("same"): any size fits.
_MIN_INPUT_SIZE = _validation.min_input_size([(3, 2, "same")] * 5)
_REGISTRATION = {
    "input_shape": VARIANTS["imagenet"][0],
    "min_input_size": _MIN_INPUT_SIZE,
}


@register_model(**_REGISTRATION)
def shufflenet_v1(
    *,
    input_shape=None,
    num_classes=None,
    include_top=True,
    pooling=None,
    classifier_activation="softmax",
    variant="imagenet",
    groups=3,
    scale=1.0,
    name=None,
):
    """ShuffleNet v1 (Zhang et al., 2017): pointwise group convs and channel shuffle.

    With its defaults (3 groups, 1x), 1,865,728 learned parameters and 137,460,672
    multiply-adds at 224x224. Arguments left at ``None`` take the variant's value.

    Args:
        input_shape: ``(height, width, channels)``; defaults to 224x224x3
            (imagenet) or 32x32x3 (cifar10).
        num_classes: Number of classes (keras.applications' ``classes``), >= 2;
            defaults to 1000 (imagenet) or 10 (cifar10).
        include_top: Whether to build the pooling and the classifier.
        pooling: With ``include_top=False``: ``None`` (the last maps), ``"avg"`` or
            ``"max"`` (global pooling to a vector).
        classifier_activation: Activation of ``predictions``; ``None`` gives logits.
        variant: ``"imagenet"`` or ``"cifar10"`` (a stride-1 stem without max
            pooling, for 32x32 images; see the module docstring).
        groups: Groups of the 1x1 convolutions: 1, 2, 3, 4 or 8, the columns of the
            paper's Table 1, each with its own stage widths.
        scale: Width multiplier (the paper's "ShuffleNet s x": 0.25, 0.5, 1, ...):
            every width times ``scale``, rounded so that the groups divide it. A
            number > 0.
        name: Model name; defaults to ``"shufflenet_v1_g<groups>"``, with the scale
            (e.g. ``"_0_5x"``) and ``"_cifar10"`` appended when they apply.

    Returns:
        A ``keras.Model``.

    Example:
        >>> model = shufflenet_v1(groups=8, scale=0.5, variant="cifar10")

    See: lessons/11_lightweight_nets.ipynb.
    """
    if not is_int(groups) or groups not in SHUFFLENET_V1_WIDTHS:
        choices = ", ".join(str(g) for g in SHUFFLENET_V1_WIDTHS)
        raise ValueError(
            f"`groups` must be one of {choices}: the paper's Table 1 gives stage "
            f"widths for these numbers of groups only. Received: groups={groups!r}"
        )
    _check_scale(scale)
    groups = int(groups)
    stem_filters, widths = _v1_widths(groups, scale)

    def make_unit(x, filters, *, strides, first, name):
        return shufflenet_v1_unit(
            x, filters, groups=groups, strides=strides, group_first=not first, name=name
        )

    return _shufflenet(
        model=f"shufflenet_v1_g{groups}{_scale_suffix(scale)}",
        variant=variant,
        input_shape=input_shape,
        num_classes=num_classes,
        include_top=include_top,
        pooling=pooling,
        classifier_activation=classifier_activation,
        stem_filters=stem_filters,
        widths=widths,
        make_unit=make_unit,
        last_filters=None,
        name=name,
    )


@register_model(**_REGISTRATION)
def shufflenet_v2(
    *,
    input_shape=None,
    num_classes=None,
    include_top=True,
    pooling=None,
    classifier_activation="softmax",
    variant="imagenet",
    scale=1.0,
    name=None,
):
    """ShuffleNet v2 (Ma et al., 2018): channel split, plain 1x1 convs, channel shuffle.

    With its defaults (1x), torchvision's ``shufflenet_v2_x1_0``: 2,278,604 learned
    parameters and 144,907,992 multiply-adds at 224x224. Arguments left at ``None``
    take the variant's value.

    Args:
        input_shape: ``(height, width, channels)``; defaults to 224x224x3
            (imagenet) or 32x32x3 (cifar10).
        num_classes: Number of classes (keras.applications' ``classes``), >= 2;
            defaults to 1000 (imagenet) or 10 (cifar10).
        include_top: Whether to build the pooling and the classifier.
        pooling: With ``include_top=False``: ``None`` (conv5's maps), ``"avg"`` or
            ``"max"`` (global pooling to a vector).
        classifier_activation: Activation of ``predictions``; ``None`` gives logits.
        variant: ``"imagenet"`` or ``"cifar10"`` (a stride-1 stem without max
            pooling, for 32x32 images; see the module docstring).
        scale: 0.5, 1.0, 1.5 or 2.0, the widths of the paper's Table 5.
        name: Model name; defaults to ``"shufflenet_v2"``, with the scale (e.g.
            ``"_0_5x"``) and ``"_cifar10"`` appended when they apply.

    Returns:
        A ``keras.Model``.

    Example:
        >>> model = shufflenet_v2(scale=0.5, variant="cifar10")

    See: lessons/11_lightweight_nets.ipynb.
    """
    _check_scale(scale, SHUFFLENET_V2_WIDTHS)
    *widths, last_filters = SHUFFLENET_V2_WIDTHS[scale]

    def make_unit(x, filters, *, strides, first, name):
        return shufflenet_v2_unit(x, filters, strides=strides, name=name)

    return _shufflenet(
        model=f"shufflenet_v2{_scale_suffix(scale)}",
        variant=variant,
        input_shape=input_shape,
        num_classes=num_classes,
        include_top=include_top,
        pooling=pooling,
        classifier_activation=classifier_activation,
        stem_filters=STEM_FILTERS,
        widths=tuple(widths),
        make_unit=make_unit,
        last_filters=last_filters,
        name=name,
    )
