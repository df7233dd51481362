"""ResNet's pieces: the residual blocks, the stems and the generic builder.

The public builders (``resnet18`` ... ``resnet_cifar``, ``plain_cifar``) live in
:mod:`course_lib.models.resnet`, which re-exports the blocks; this module holds what
they share: the configuration tables, ``basic_block`` and ``bottleneck_block`` with
their shortcut options A/B/C, the ImageNet and CIFAR stems and the one builder all
depths go through. The docstring of :mod:`course_lib.models.resnet` describes the
options and the layer names.

See: lessons/09_resnet.ipynb.
"""

from typing import NamedTuple

import keras
from keras import layers

from course_lib._util import check_choice, is_int
from course_lib.layers import ChannelPadding
from course_lib.models import _validation
from course_lib.models._common import classifier_head, conv_unit, model_input

__all__ = [
    "BN_EPSILON",
    "RESNET_DEPTHS",
    "basic_block",
    "bottleneck_block",
    "resnet_stem",
]

# keras.applications' batch-norm epsilon for ResNet and DenseNet (Caffe's value).
BN_EPSILON = 1.001e-5
SHORTCUTS = ("A", "B", "C", None)
STRIDE_AT = ("1x1", "3x3")


class Architecture(NamedTuple):
    """An ImageNet ResNet: its block and the number of blocks in each stage."""

    block: str  # "basic" or "bottleneck"
    blocks: tuple


# The paper's Table 1.
RESNET_DEPTHS = {
    18: Architecture("basic", (2, 2, 2, 2)),
    34: Architecture("basic", (3, 4, 6, 3)),
    50: Architecture("bottleneck", (3, 4, 6, 3)),
    101: Architecture("bottleneck", (3, 4, 23, 3)),
    152: Architecture("bottleneck", (3, 8, 36, 3)),
}
IMAGENET_FILTERS = (64, 128, 256, 512)  # stages 2-5; bottlenecks expand them x4
IMAGENET_STRIDES = (1, 2, 2, 2)
BOTTLENECK_EXPANSION = 4
CIFAR_STRIDES = (1, 2, 2)  # stages 1-3 of width, 2 x width, 4 x width filters

DEFAULT_INPUT_SHAPE = (224, 224, 3)
CIFAR_INPUT_SHAPE = (32, 32, 3)

# The layers that change the size, as (kernel, stride, padding): the stem's 7x7/2
# convolution and 3x3/2 pooling (both zero-padded), then the first block of each
# later stage (a strided 3x3 "same" convolution, a strided 1x1, option A's
# subsampling): none leaves less than one pixel, so the minimum is 1x1.
_STEM_LAYERS = [(7, 2, 3), (3, 2, 1)]
_STRIDED_BLOCK_LAYERS = [(3, 2, "same"), (1, 2, "valid")]
MIN_INPUT_SIZE = _validation.min_input_size(
    _STEM_LAYERS + _STRIDED_BLOCK_LAYERS * (len(IMAGENET_STRIDES) - 1)
)
CIFAR_MIN_INPUT_SIZE = _validation.min_input_size(
    _STRIDED_BLOCK_LAYERS * (len(CIFAR_STRIDES) - 1)
)


def _shortcut(x, channels, *, strides, option, conv_bias, kernel_initializer, name):
    """The shortcut of a block with ``channels`` outputs; ``None``: no shortcut."""
    if option is None:
        return None
    in_channels = x.shape[-1]
    changes_shape = strides != 1 or in_channels != channels
    if option == "C" or (option == "B" and changes_shape):
        return conv_unit(
            x,
            channels,
            1,
            strides=strides,
            padding="valid",
            activation=None,
            batch_norm=True,
            use_bias=conv_bias,
            bn_epsilon=BN_EPSILON,
            kernel_initializer=kernel_initializer,
            name=f"{name}_shortcut_conv",
        )
    if option == "A" and changes_shape:
        if channels < in_channels:
            raise ValueError(
                "Option A's shortcut pads the input with zero channels, so it cannot "
                f"reduce {in_channels} channels to {channels}; use shortcut='B' (a "
                "1x1 projection). Received: shortcut='A'"
            )
        if strides != 1:
            # A 1x1 window with stride 2 keeps every other pixel (x[:, ::2, ::2]).
            pool = layers.MaxPooling2D(1, strides=strides, name=f"{name}_shortcut_pool")
            x = pool(x)
        if channels > in_channels:
            x = ChannelPadding(
                (0, channels - in_channels), name=f"{name}_shortcut_pad"
            )(x)
    return x


def _merge(residual, shortcut, *, name):
    """relu(F(x) + x), or relu(F(x)) for a plain block."""
    if shortcut is not None:
        residual = layers.Add(name=f"{name}_add")([shortcut, residual])
    return layers.Activation("relu", name=f"{name}_out")(residual)


def _check_block(filters, strides, shortcut):
    filters = _validation.check_positive_ints("filters", filters)
    strides = _validation.check_positive_ints("strides", strides)
    check_choice("shortcut", shortcut, SHORTCUTS)
    return filters, strides


def basic_block(
    x,
    filters,
    *,
    strides=1,
    shortcut="B",
    conv_bias=False,
    kernel_initializer="glorot_uniform",
    name,
):
    """ResNet's basic block: relu(F(x) + shortcut(x)), F = two 3x3 conv-BN layers.

    ``F`` is 3x3 conv (with ``strides``) -> batch norm -> ReLU -> 3x3 conv -> batch
    norm; the sum is activated by a last ReLU. Used by ResNet-18/34 and the CIFAR
    ResNets.

    Args:
        x: The input tensor, ``(batch, height, width, channels)``.
        filters: Filters of both convolutions (the block's output channels).
        strides: Stride of the first convolution (2 halves the size).
        shortcut: ``"A"``, ``"B"``, ``"C"`` or ``None`` (no shortcut: a plain
            block); see the module docstring.
        conv_bias: Whether the convolutions have biases.
        kernel_initializer: The convolutions' kernel initializer.
        name: Prefix of the layer names, e.g. ``"stage2_block1"``.

    Returns:
        The block's output, ``(batch, height / strides, width / strides, filters)``.

    Raises:
        ValueError: For a bad ``filters``, ``strides`` or ``shortcut``, or option A
            asked to reduce the channels.

    Example:
        >>> x = keras.Input((32, 32, 16))
        >>> basic_block(x, 32, strides=2, shortcut="A", name="stage2_block1").shape
        (None, 16, 16, 32)

    See: lessons/09_resnet.ipynb.
    """
    filters, strides = _check_block(filters, strides, shortcut)
    conv = {
        "batch_norm": True,
        "use_bias": conv_bias,
        "bn_epsilon": BN_EPSILON,
        "kernel_initializer": kernel_initializer,
    }
    skip = _shortcut(
        x,
        filters,
        strides=strides,
        option=shortcut,
        conv_bias=conv_bias,
        kernel_initializer=kernel_initializer,
        name=name,
    )
    y = conv_unit(x, filters, 3, strides=strides, name=f"{name}_conv1", **conv)
    y = conv_unit(y, filters, 3, activation=None, name=f"{name}_conv2", **conv)
    return _merge(y, skip, name=name)


def bottleneck_block(
    x,
    filters,
    *,
    strides=1,
    shortcut="B",
    stride_at="1x1",
    conv_bias=True,
    expansion=BOTTLENECK_EXPANSION,
    kernel_initializer="glorot_uniform",
    name,
):
    """ResNet's bottleneck: relu(F(x) + shortcut(x)), F = 1x1 -> 3x3 -> 1x1 (x4).

    ``F`` is a 1x1 convolution that reduces the channels to ``filters``, a 3x3
    convolution at that width, and a 1x1 convolution that expands them to
    ``expansion * filters``, each followed by batch norm, all but the last by a ReLU.
    The 3x3 works on a quarter of the channels, so the block costs about as much as
    a basic block at a quarter of the width.

    Args:
        x: The input tensor, ``(batch, height, width, channels)``.
        filters: Filters of the first two convolutions; the block outputs
            ``expansion * filters`` channels.
        strides: The block's stride (2 halves the size).
        shortcut: ``"A"``, ``"B"``, ``"C"`` or ``None`` (no shortcut); see the
            module docstring.
        stride_at: ``"1x1"`` (the stride on the first 1x1 convolution: the paper,
            keras.applications) or ``"3x3"`` (on the 3x3: torchvision's "v1.5").
        conv_bias: Whether the convolutions have biases.
        expansion: Output channels per ``filters`` (4 in the paper).
        kernel_initializer: The convolutions' kernel initializer.
        name: Prefix of the layer names, e.g. ``"stage3_block1"``.

    Returns:
        The block's output, ``(batch, height / strides, width / strides,
        expansion * filters)``.

    Raises:
        ValueError: For a bad ``filters``, ``strides``, ``shortcut``, ``stride_at``
            or ``expansion``.

    Example:
        >>> x = keras.Input((56, 56, 256))
        >>> bottleneck_block(x, 128, strides=2, name="stage3_block1").shape
        (None, 28, 28, 512)

    See: lessons/09_resnet.ipynb.
    """
    filters, strides = _check_block(filters, strides, shortcut)
    check_choice("stride_at", stride_at, STRIDE_AT)
    expansion = _validation.check_positive_ints("expansion", expansion)
    conv = {
        "batch_norm": True,
        "use_bias": conv_bias,
        "bn_epsilon": BN_EPSILON,
        "kernel_initializer": kernel_initializer,
    }
    stride_1x1, stride_3x3 = (strides, 1) if stride_at == "1x1" else (1, strides)
    skip = _shortcut(
        x,
        expansion * filters,
        strides=strides,
        option=shortcut,
        conv_bias=conv_bias,
        kernel_initializer=kernel_initializer,
        name=name,
    )
    y = conv_unit(
        x, filters, 1, strides=stride_1x1, padding="valid", name=f"{name}_conv1", **conv
    )
    y = conv_unit(y, filters, 3, strides=stride_3x3, name=f"{name}_conv2", **conv)
    y = conv_unit(
        y,
        expansion * filters,
        1,
        padding="valid",
        activation=None,
        name=f"{name}_conv3",
        **conv,
    )
    return _merge(y, skip, name=name)


def resnet_stem(x, *, conv_bias=True, kernel_initializer="glorot_uniform"):
    """The ImageNet stem (the paper's conv1): 7x7/2 conv, BN, ReLU, 3x3/2 max pooling.

    Both windows are zero-padded explicitly, as in keras.applications (3 pixels
    before the convolution, 1 before the pooling, which follows a ReLU, so zeros
    never win the maximum): 224x224 -> 112x112 -> 56x56. DenseNet's ImageNet models
    start the same way.

    Args:
        x: The input images, ``(batch, height, width, channels)``.
        conv_bias: Whether the convolution has a bias.
        kernel_initializer: Its kernel initializer.

    Returns:
        The stem's output, 64 channels at a quarter of the input size.

    Example:
        >>> resnet_stem(keras.Input((224, 224, 3))).shape
        (None, 56, 56, 64)
    """
    x = conv_unit(
        x,
        64,
        7,
        strides=2,
        padding=3,
        batch_norm=True,
        use_bias=conv_bias,
        bn_epsilon=BN_EPSILON,
        kernel_initializer=kernel_initializer,
        name="stem_conv",
    )
    x = layers.ZeroPadding2D(1, name="stem_pool_pad")(x)
    return layers.MaxPooling2D(3, strides=2, name="stem_pool")(x)


def _cifar_stem(x, filters, *, kernel_initializer):
    return conv_unit(
        x,
        filters,
        3,
        batch_norm=True,
        use_bias=False,
        bn_epsilon=BN_EPSILON,
        kernel_initializer=kernel_initializer,
        name="stem_conv",
    )


def _resnet(
    *,
    model,
    variant,
    block,
    filters,
    blocks,
    strides,
    shortcut,
    conv_bias,
    stride_at,
    input_shape,
    num_classes,
    include_top,
    pooling,
    classifier_activation,
    name,
):
    """Builds a ResNet (or its plain twin) from its stages.

    ``variant`` is ``"imagenet"`` (``resnet_stem``, stages numbered from 2, Keras's
    default initialiser) or ``"cifar"`` (a 3x3 stem, stages numbered from 1, He
    initialisation); ``filters``, ``blocks`` and ``strides`` give one entry per
    stage.
    """
    input_shape, num_classes = _validation.check_common(
        input_shape=input_shape,
        num_classes=num_classes,
        include_top=include_top,
        pooling=pooling,
        name=name,
    )
    check_choice("shortcut", shortcut, SHORTCUTS)
    check_choice("stride_at", stride_at, STRIDE_AT)
    imagenet = variant == "imagenet"
    _validation.check_input_size(
        input_shape,
        MIN_INPUT_SIZE if imagenet else CIFAR_MIN_INPUT_SIZE,
        model=model,
    )

    inputs = model_input(input_shape)
    if imagenet:
        initializer, first_stage = "glorot_uniform", 2
        x = resnet_stem(inputs, conv_bias=conv_bias, kernel_initializer=initializer)
    else:
        initializer, first_stage = "he_normal", 1
        x = _cifar_stem(inputs, filters[0], kernel_initializer=initializer)
    for stage, (stage_filters, stage_blocks, stage_strides) in enumerate(
        zip(filters, blocks, strides, strict=True), start=first_stage
    ):
        for index in range(1, stage_blocks + 1):
            options = {
                "strides": stage_strides if index == 1 else 1,
                "shortcut": shortcut,
                "conv_bias": conv_bias,
                "kernel_initializer": initializer,
                "name": f"stage{stage}_block{index}",
            }
            if block == "basic":
                x = basic_block(x, stage_filters, **options)
            else:
                x = bottleneck_block(x, stage_filters, stride_at=stride_at, **options)
    outputs = classifier_head(
        x,
        include_top=include_top,
        pooling=pooling,
        num_classes=num_classes,
        classifier_activation=classifier_activation,
        global_pool="avg",
    )
    return keras.Model(inputs, outputs, name=name or model)


def _imagenet_resnet(depth, **kwargs):
    architecture = RESNET_DEPTHS[depth]
    return _resnet(
        model=f"resnet{depth}",
        variant="imagenet",
        block=architecture.block,
        filters=IMAGENET_FILTERS,
        blocks=architecture.blocks,
        strides=IMAGENET_STRIDES,
        **kwargs,
    )


def _check_cifar_depth(depth):
    if not (is_int(depth) and depth >= 8 and (depth - 2) % 6 == 0):
        raise ValueError(
            "`depth` must be 6n + 2 for an integer n >= 1 (8, 14, 20, 32, 44, 56, "
            "110, ...): a 3x3 stem convolution, three stages of n two-convolution "
            "blocks, and the dense layer. Received: "
            f"depth={depth!r}"
        )
    return (int(depth) - 2) // 6


def _cifar_resnet(*, depth, width, shortcut, model, **kwargs):
    n = _check_cifar_depth(depth)
    width = _validation.check_positive_ints("width", width)
    return _resnet(
        model=model,
        variant="cifar",
        block="basic",
        filters=(width, 2 * width, 4 * width),
        blocks=(n, n, n),
        strides=CIFAR_STRIDES,
        shortcut=shortcut,
        conv_bias=False,
        stride_at="1x1",  # unused: basic blocks
        **kwargs,
    )
