"""SqueezeNet (Iandola et al., 2016): AlexNet-level accuracy with 50x fewer parameters.

"SqueezeNet: AlexNet-level accuracy with 50x fewer parameters and <0.5MB model
size", https://arxiv.org/abs/1602.07360

SqueezeNet saves parameters with three rules: replace most 3x3 filters with 1x1
filters (9 times fewer weights each), feed the remaining 3x3 filters few channels,
and downsample late so that the convolutions see large maps. The fire module does
the first two: a 1x1 "squeeze" convolution cuts the channels to ``s`` (fewer than
the module outputs), then an "expand" layer of ``e1`` 1x1 and ``e3`` 3x3 filters
runs on the squeezed maps and concatenates its outputs; every convolution is
followed by ReLU. There are no fully connected layers: the classifier is a 1x1
convolution with one filter per class (conv10, ReLU) whose maps are averaged by
global pooling, then softmax.

``SQUEEZENET_CONFIGS`` holds the two published versions as data, as torchvision
builds them: the paper's 1.0 (a 7x7 stride-2 conv1 with 96 filters, max pooling
after conv1, fire4 and fire8) and 1.1 from the authors' repository (a 3x3 conv1
with 64 filters, pooling after conv1, fire3 and fire5: the same parameters, 2.4
times less computation). A fire module is ``(s, e1, e3)``, ``"M"`` a 3x3 stride-2
max pooling. With their defaults the builders have torchvision's parameters,
1,248,424 and 1,235,496 (no batch norm here, so Keras and PyTorch count alike),
and 818,924,576 and 349,151,936 multiply-adds at 224x224 by
``course_lib.arithmetic.count_macs``.

Pooling rounds up, as in Caffe and torchvision (``ceil_mode=True``): a 3x3 stride-2
pooling of an even-sized map keeps a last, partial window. Keras has no such mode,
so each pooling is preceded by one row and one column of zeros (``pool<n>_pad``)
and pools "valid": the output sizes are torchvision's (224 -> 109 -> 54 -> 27 -> 13
for version 1.0), and so are the values, since the pooled maps come out of a ReLU
and are never negative (with ``bypass="complex"``, whose 1x1 bypass convolutions
are linear, a zero in the padding can win over negative border values).

``bypass`` adds the paper's residual connections (its section 6): ``"simple"``
adds each fire module's input to its output where the channels match (fire3, 5, 7
and 9); ``"complex"`` also adds a 1x1 convolution of the input (with bias, no
activation) around the other modules (fire2, 4, 6 and 8).

``variant="cifar10"`` replaces conv1 by a 3x3 stride-1 convolution (96 or 64
filters), so a 32x32 image keeps its size until the first pooling: three stride-2
steps (the poolings, 32 -> 16 -> 8 -> 4) instead of four, and conv10 classifies
4x4 maps.

Layer names follow the paper and its Caffe model:

    conv1, conv1_relu                       the first convolution
    pool<n>_pad, pool<n>                    pooling after layer n (conv1 = 1, fire n)
    fire<n>_squeeze, fire<n>_squeeze_relu   fire module n (2 to 9)
    fire<n>_expand1x1, fire<n>_expand1x1_relu
    fire<n>_expand3x3, fire<n>_expand3x3_relu
    fire<n>_concat
    fire<n>_bypass_conv, fire<n>_add        the bypass, when there is one
    head_dropout, head_conv, head_relu      dropout 0.5, conv10 and its ReLU
    head_pool, predictions                  global average pooling, softmax

See: lessons/11_lightweight_nets.ipynb.
"""

from typing import NamedTuple

import keras
from keras import layers

from course_lib._util import check_choice
from course_lib.models import _validation
from course_lib.models._common import model_input
from course_lib.models._registry import register_model

__all__ = ["SQUEEZENET_CONFIGS", "fire_module", "squeezenet"]


class Config(NamedTuple):
    """One version: conv1's filters, kernel and stride, then the layers after it."""

    stem_filters: int
    stem_kernel: int
    stem_stride: int
    layers: tuple


# (squeeze, expand 1x1, expand 3x3) per fire module, "M" for a 3x3 stride-2 pooling.
SQUEEZENET_CONFIGS = {
    "1.0": Config(
        96,
        7,
        2,
        ("M", (16, 64, 64), (16, 64, 64), (32, 128, 128), "M")
        + ((32, 128, 128), (48, 192, 192), (48, 192, 192), (64, 256, 256), "M")
        + ((64, 256, 256),),
    ),
    "1.1": Config(
        64,
        3,
        2,
        ("M", (16, 64, 64), (16, 64, 64), "M", (32, 128, 128), (32, 128, 128), "M")
        + ((48, 192, 192), (48, 192, 192), (64, 256, 256), (64, 256, 256)),
    ),
}
VARIANTS = {"imagenet": ((224, 224, 3), 1000), "cifar10": ((32, 32, 3), 10)}
BYPASSES = (None, "simple", "complex")

# A 3x3 stride-2 pooling in ceil mode: one row and column of padding, then "valid".
_CEIL_POOL = (3, 2, (0, 1))


def _stem(config, variant):
    """conv1 as (filters, kernel, stride, padding) for the variant."""
    if variant == "cifar10":
        return config.stem_filters, 3, 1, "same"
    return config.stem_filters, config.stem_kernel, config.stem_stride, "valid"


def _min_input_size(config, variant):
    _, kernel, stride, padding = _stem(config, variant)
    spatial = [(kernel, stride, padding)]
    spatial += [_CEIL_POOL for entry in config.layers if entry == "M"]
    return _validation.min_input_size(spatial)


def fire_module(x, squeeze, expand_1x1, expand_3x3, *, name):
    """The fire module: a 1x1 squeeze conv, then 1x1 and 3x3 expand convs, concatenated.

    The squeeze layer cuts the input to ``squeeze`` channels (ReLU); the expand layer
    runs ``expand_1x1`` 1x1 filters and ``expand_3x3`` 3x3 filters ("same" padding)
    on the squeezed maps (ReLU each) and concatenates them: ``expand_1x1 +
    expand_3x3`` output channels at the input's height and width. With ``C`` input
    channels it has ``(C + 1) s + (s + 1) e1 + (9 s + 1) e3`` parameters, where
    ``C e3 9`` would be one 3x3 convolution's alone.

    Args:
        x: Input tensor, ``(batch, height, width, channels)``.
        squeeze: Filters of the squeeze layer (the paper's ``s_1x1``).
        expand_1x1: 1x1 filters of the expand layer (``e_1x1``).
        expand_3x3: 3x3 filters of the expand layer (``e_3x3``).
        name: Prefix of the layer names, e.g. ``"fire2"``.

    Returns:
        The module's output, ``expand_1x1 + expand_3x3`` channels.

    Example:
        >>> x = keras.Input((54, 54, 96))
        >>> fire_module(x, 16, 64, 64, name="fire2").shape
        (None, 54, 54, 128)

    See: lessons/11_lightweight_nets.ipynb.
    """
    squeezed = _relu_conv(x, squeeze, 1, name=f"{name}_squeeze")
    left = _relu_conv(squeezed, expand_1x1, 1, name=f"{name}_expand1x1")
    right = _relu_conv(
        squeezed, expand_3x3, 3, padding="same", name=f"{name}_expand3x3"
    )
    return layers.Concatenate(name=f"{name}_concat")([left, right])


def _relu_conv(x, filters, kernel, *, name, **kwargs):
    """A convolution with bias, then a ``ReLU`` layer named ``<name>_relu``."""
    x = layers.Conv2D(filters, kernel, name=name, **kwargs)(x)
    return layers.ReLU(name=f"{name}_relu")(x)


def _ceil_mode_pool(x, *, name):
    """3x3 stride-2 max pooling that rounds up (Caffe's and torchvision's ceil mode)."""
    x = layers.ZeroPadding2D(((0, 1), (0, 1)), name=f"{name}_pad")(x)
    return layers.MaxPooling2D(3, strides=2, name=name)(x)


def _bypass(x, inputs, *, bypass, name):
    """Adds the module's input (simple) or its 1x1 projection (complex), if any."""
    if bypass is None:
        return x
    if inputs.shape[-1] == x.shape[-1]:
        return layers.Add(name=f"{name}_add")([inputs, x])
    if bypass == "complex":
        shortcut = layers.Conv2D(x.shape[-1], 1, name=f"{name}_bypass_conv")(inputs)
        return layers.Add(name=f"{name}_add")([shortcut, x])
    return x


@register_model(
    input_shape=VARIANTS["imagenet"][0],
    min_input_size=_min_input_size(SQUEEZENET_CONFIGS["1.0"], "imagenet"),
)
def squeezenet(
    *,
    input_shape=None,
    num_classes=None,
    include_top=True,
    pooling=None,
    classifier_activation="softmax",
    version="1.0",
    variant="imagenet",
    bypass=None,
    dropout=0.5,
    name=None,
):
    """SqueezeNet (Iandola et al., 2016): conv1, eight fire modules, conv10, pooling.

    With its defaults, torchvision's ``squeezenet1_0`` (1,248,424 parameters;
    ``version="1.1"``: ``squeezenet1_1``, 1,235,496). Arguments left at ``None``
    take the variant's value.

    Args:
        input_shape: ``(height, width, channels)``; defaults to 224x224x3
            (imagenet) or 32x32x3 (cifar10). At least 21x21 (1.0), 17x17 (1.1) or
            8x8 (cifar10).
        num_classes: Number of classes (keras.applications' ``classes``), >= 2;
            defaults to 1000 (imagenet) or 10 (cifar10). conv10 has one filter per
            class.
        include_top: Whether to build the dropout, conv10, the pooling and the
            softmax.
        pooling: With ``include_top=False``: ``None`` (fire9's maps), ``"avg"`` or
            ``"max"`` (global pooling to a vector).
        classifier_activation: Activation of ``predictions``, applied to the pooled
            conv10 maps; ``None`` gives logits (non-negative: conv10 ends in ReLU).
        version: ``"1.0"`` (the paper's) or ``"1.1"`` (2.4 times less computation,
            as accurate).
        variant: ``"imagenet"`` or ``"cifar10"`` (a 3x3 stride-1 conv1 for 32x32
            images; see the module docstring).
        bypass: ``None``, ``"simple"`` (identity shortcuts around fire3, 5, 7, 9)
            or ``"complex"`` (also 1x1 conv shortcuts around fire2, 4, 6, 8).
        dropout: Dropout rate before conv10 (the paper's 0.5 after fire9).
        name: Model name; defaults to ``"squeezenet1_0"`` or ``"squeezenet1_1"``,
            plus ``"_cifar10"`` and ``"_simple_bypass"`` or ``"_complex_bypass"``.

    Returns:
        A ``keras.Model``.

    Example:
        >>> model = squeezenet(version="1.1", variant="cifar10", bypass="simple")

    See: lessons/11_lightweight_nets.ipynb.
    """
    check_choice("version", version, SQUEEZENET_CONFIGS)
    check_choice("variant", variant, VARIANTS)
    check_choice("bypass", bypass, BYPASSES)
    config = SQUEEZENET_CONFIGS[version]
    default_shape, default_classes = VARIANTS[variant]
    input_shape, num_classes = _validation.check_common(
        input_shape=default_shape if input_shape is None else input_shape,
        num_classes=default_classes if num_classes is None else num_classes,
        include_top=include_top,
        pooling=pooling,
        name=name,
    )
    _validation.check_dropout(dropout)
    model = "squeezenet" + version.replace(".", "_")
    if variant != "imagenet":
        model += f"_{variant}"
    _validation.check_input_size(
        input_shape,
        _min_input_size(config, variant),
        model=model,
        hint="For 32x32 images use variant='cifar10'." if variant == "imagenet" else "",
    )

    inputs = model_input(input_shape)
    filters, kernel, stride, padding = _stem(config, variant)
    x = _relu_conv(
        inputs, filters, kernel, strides=stride, padding=padding, name="conv1"
    )
    index = 1  # the paper's layer number: conv1, then fire2 ... fire9
    for entry in config.layers:
        if entry == "M":
            x = _ceil_mode_pool(x, name=f"pool{index}")
            continue
        index += 1
        module = f"fire{index}"
        x = _bypass(fire_module(x, *entry, name=module), x, bypass=bypass, name=module)
    if include_top:
        if dropout:
            x = layers.Dropout(dropout, name="head_dropout")(x)
        # conv10: one 1x1 filter per class, initialised small as in torchvision.
        x = layers.Conv2D(
            num_classes,
            1,
            kernel_initializer=keras.initializers.RandomNormal(stddev=0.01),
            name="head_conv",
        )(x)
        x = layers.ReLU(name="head_relu")(x)
        x = layers.GlobalAveragePooling2D(name="head_pool")(x)
        x = layers.Activation(classifier_activation, name="predictions")(x)
    elif pooling == "avg":
        x = layers.GlobalAveragePooling2D(name="head_pool")(x)
    elif pooling == "max":
        x = layers.GlobalMaxPooling2D(name="head_pool")(x)
    if bypass:
        model += f"_{bypass}_bypass"
    return keras.Model(inputs, x, name=name or model)
