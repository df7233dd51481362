"""ResNet (He, Zhang, Ren and Sun, 2015): residual learning, y = relu(F(x) + x).

"Deep Residual Learning for Image Recognition", CVPR 2016,
https://arxiv.org/abs/1512.03385

Stacking more plain layers made networks train *worse* (the degradation problem: a
56-layer plain net has a higher training error than a 20-layer one). ResNet lets each
block learn a residual ``F(x)`` that is added to its input through a shortcut, so a
block that should do nothing only has to drive ``F`` to zero, and gradients reach the
early layers through the identity paths. Two blocks:

- ``basic_block``: two 3x3 convolutions (ResNet-18/34 and the CIFAR nets);
- ``bottleneck_block``: 1x1 (reduce) -> 3x3 -> 1x1 (expand x4) (ResNet-50/101/152),
  cheaper than two 3x3 convolutions at four times the width.

When a block changes the shape (stride 2, more channels) the shortcut cannot be an
identity; the paper's options (section 3.3, Table 3):

    "A"   identity, subsampled (every other pixel) and zero-padded to the new
          channels: no parameters (``MaxPooling2D(1, strides=2)`` and
          ``course_lib.layers.ChannelPadding``)
    "B"   a 1x1 convolution with batch norm (a projection) where the shape changes,
          identity elsewhere: keras.applications' and torchvision's choice
    "C"   a projection in every block
    None  no shortcut at all: a plain block (the degradation experiment)

ImageNet networks, the paper's Table 1 (224x224x3, 1000 classes), written as data in
``RESNET_DEPTHS``: a 7x7/2 convolution and a 3x3/2 max pooling (the stem, the
paper's conv1), four stages of blocks with 64, 128, 256 and 512 filters (the paper's
conv2_x to conv5_x; stages 3-5 halve the size in their first block), global average
pooling and a 1000-way dense layer.

    resnet18    basic       2, 2, 2, 2     11,689,512 trainable (torchvision)
    resnet34    basic       3, 4, 6, 3     21,797,672 trainable (torchvision)
    resnet50    bottleneck  3, 4, 6, 3     25,636,712 (keras.applications.ResNet50)
    resnet101   bottleneck  3, 4, 23, 3    44,707,176 (keras.applications.ResNet101)
    resnet152   bottleneck  3, 8, 36, 3    60,419,944 (keras.applications.ResNet152)

Two conventions, which change the counts:

- ``conv_bias``: keras.applications' ResNets give every convolution a bias (redundant
  before batch norm), torchvision's do not. The default follows the reference for
  each depth: ``True`` for resnet50/101/152, whose counts then equal
  keras.applications' exactly (``count_params()``, batch-norm statistics included),
  and ``False`` for resnet18/34, which keras.applications lacks, whose *trainable*
  counts then equal torchvision's (PyTorch does not count batch-norm statistics).
  ``conv_bias=False`` gives torchvision's resnet50/101/152: 25,557,032 /
  44,549,160 / 60,192,808 trainable parameters.
- ``stride_at``: the bottleneck's stride sits on its first 1x1 convolution in the
  paper, Caffe and keras.applications (ResNet "v1", 3.86 billion multiply-adds at
  224x224 for ResNet-50); torchvision moved it to the 3x3 ("v1.5", 4.09 billion,
  the same parameters). Batch norm uses keras.applications' epsilon, 1.001e-5
  (torchvision: 1e-5).

CIFAR-10 networks (section 4.2): a 3x3 convolution with 16 filters, three stages of
``n`` basic blocks with 16, 32 and 64 filters on 32x32, 16x16 and 8x8 maps (stride 2
in the first block of stages 2 and 3), global average pooling and a 10-way dense
layer: ``6n + 2`` layers with weights. ``resnet_cifar(depth=20)`` to ``depth=110``
(any 6n + 2) with option A shortcuts by default, as in the paper: 269,722 trainable
parameters for depth 20, 853,018 for depth 56 (the paper's 0.27M and 0.85M);
``plain_cifar(depth)`` is the same network without shortcuts. Their convolutions have
no bias and start from He et al.'s initialisation (``he_normal``), as in the paper.

Layer names (the scheme of ``course_lib.models``, with stages and blocks): the stem
is ``stem_pad``, ``stem_conv``, ``stem_bn``, ``stem_relu``, ``stem_pool_pad``,
``stem_pool`` (CIFAR: ``stem_conv``, ``stem_bn``, ``stem_relu``); block ``b`` of
stage ``s`` is ``stage{s}_block{b}`` followed by

    _conv<i>, _bn<i>, _relu<i>      its i-th convolution (the last one has no relu)
    _shortcut_conv, _shortcut_bn    a projection shortcut (options B and C)
    _shortcut_pool, _shortcut_pad   option A's subsampling and zero channels
    _add                            F(x) + x
    _out                            the block's output, after the last relu

Stages are numbered as in the papers: stage2 to stage5 on ImageNet (the paper's
conv2_x to conv5_x; keras.applications' ``conv2`` to ``conv5``, so its
``conv5_block3_out`` is ``stage5_block3_out`` here), stage1 to stage3 on CIFAR. The
head is ``head_pool`` (global average pooling) and ``predictions``.

See: lessons/09_resnet.ipynb.
"""

from typing import NamedTuple

import keras
from keras import layers

from course_lib._util import check_choice, is_int
from course_lib.layers import ChannelPadding
from course_lib.models import _validation
from course_lib.models._common import classifier_head, conv_unit, model_input
from course_lib.models._registry import register_model

__all__ = [
    "RESNET_DEPTHS",
    "basic_block",
    "bottleneck_block",
    "plain_cifar",
    "resnet101",
    "resnet152",
    "resnet18",
    "resnet34",
    "resnet50",
    "resnet_cifar",
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


# What available() lists for the ImageNet builders.
_REGISTRATION = {"input_shape": DEFAULT_INPUT_SHAPE, "min_input_size": MIN_INPUT_SIZE}
_CIFAR_REGISTRATION = {
    "input_shape": CIFAR_INPUT_SHAPE,
    "min_input_size": CIFAR_MIN_INPUT_SIZE,
}


@register_model(**_REGISTRATION)
def resnet18(
    *,
    input_shape=DEFAULT_INPUT_SHAPE,
    num_classes=1000,
    include_top=True,
    pooling=None,
    classifier_activation="softmax",
    shortcut="B",
    conv_bias=False,
    name=None,
):
    """ResNet-18 (He et al., 2015): basic blocks, 2-2-2-2 per stage.

    With the defaults its trainable parameters equal torchvision's ``resnet18``
    (11,689,512); keras.applications has no ResNet-18.

    Args:
        input_shape: ``(height, width, channels)``.
        num_classes: Number of classes (keras.applications' ``classes``), >= 2.
        include_top: Whether to build the global pooling and the classifier.
        pooling: With ``include_top=False``: ``None`` (the last maps), ``"avg"`` or
            ``"max"`` (global pooling to a vector).
        classifier_activation: Activation of ``predictions``; ``None`` gives logits.
        shortcut: ``"B"`` (projections where the shape changes), ``"A"`` (zero
            padding, no parameters), ``"C"`` (projections everywhere) or ``None``
            (a plain network).
        conv_bias: Biases in the convolutions (torchvision has none).
        name: Model name; defaults to ``"resnet18"``.

    Returns:
        A ``keras.Model``.

    Example:
        >>> model = resnet18(input_shape=(64, 64, 3), num_classes=200)

    See: lessons/09_resnet.ipynb.
    """
    return _imagenet_resnet(
        18,
        input_shape=input_shape,
        num_classes=num_classes,
        include_top=include_top,
        pooling=pooling,
        classifier_activation=classifier_activation,
        shortcut=shortcut,
        conv_bias=conv_bias,
        stride_at="1x1",  # unused: basic blocks
        name=name,
    )


@register_model(**_REGISTRATION)
def resnet34(
    *,
    input_shape=DEFAULT_INPUT_SHAPE,
    num_classes=1000,
    include_top=True,
    pooling=None,
    classifier_activation="softmax",
    shortcut="B",
    conv_bias=False,
    name=None,
):
    """ResNet-34 (He et al., 2015): basic blocks, 3-4-6-3 per stage.

    With the defaults its trainable parameters equal torchvision's ``resnet34``
    (21,797,672); keras.applications has no ResNet-34. The paper compares its
    shortcut options A, B and C on this network (Table 3).

    Args:
        input_shape: ``(height, width, channels)``.
        num_classes: Number of classes (keras.applications' ``classes``), >= 2.
        include_top: Whether to build the global pooling and the classifier.
        pooling: With ``include_top=False``: ``None`` (the last maps), ``"avg"`` or
            ``"max"`` (global pooling to a vector).
        classifier_activation: Activation of ``predictions``; ``None`` gives logits.
        shortcut: ``"B"`` (projections where the shape changes), ``"A"`` (zero
            padding, no parameters), ``"C"`` (projections everywhere) or ``None``
            (a plain network, the paper's plain-34).
        conv_bias: Biases in the convolutions (torchvision has none).
        name: Model name; defaults to ``"resnet34"``.

    Returns:
        A ``keras.Model``.

    Example:
        >>> model = resnet34(shortcut="A")

    See: lessons/09_resnet.ipynb.
    """
    return _imagenet_resnet(
        34,
        input_shape=input_shape,
        num_classes=num_classes,
        include_top=include_top,
        pooling=pooling,
        classifier_activation=classifier_activation,
        shortcut=shortcut,
        conv_bias=conv_bias,
        stride_at="1x1",  # unused: basic blocks
        name=name,
    )


@register_model(**_REGISTRATION)
def resnet50(
    *,
    input_shape=DEFAULT_INPUT_SHAPE,
    num_classes=1000,
    include_top=True,
    pooling=None,
    classifier_activation="softmax",
    shortcut="B",
    stride_at="1x1",
    conv_bias=True,
    name=None,
):
    """ResNet-50 (He et al., 2015): bottleneck blocks, 3-4-6-3 per stage.

    With the defaults it has exactly keras.applications.ResNet50's parameters
    (25,636,712) and layers, named by this package's scheme.

    Args:
        input_shape: ``(height, width, channels)``.
        num_classes: Number of classes (keras.applications' ``classes``), >= 2.
        include_top: Whether to build the global pooling and the classifier.
        pooling: With ``include_top=False``: ``None`` (the last maps), ``"avg"`` or
            ``"max"`` (global pooling to a vector).
        classifier_activation: Activation of ``predictions``; ``None`` gives logits.
        shortcut: ``"B"`` (projections where the shape changes), ``"A"`` (zero
            padding, no parameters), ``"C"`` (projections everywhere) or ``None``
            (a plain network).
        stride_at: Where a bottleneck's stride sits: ``"1x1"`` (the paper,
            keras.applications) or ``"3x3"`` (torchvision's "v1.5").
        conv_bias: Biases in the convolutions (keras.applications has them,
            torchvision not: ``conv_bias=False`` gives its 25,557,032 trainable
            parameters).
        name: Model name; defaults to ``"resnet50"``.

    Returns:
        A ``keras.Model``.

    Example:
        >>> model = resnet50(conv_bias=False, stride_at="3x3")  # torchvision's

    See: lessons/09_resnet.ipynb.
    """
    return _imagenet_resnet(
        50,
        input_shape=input_shape,
        num_classes=num_classes,
        include_top=include_top,
        pooling=pooling,
        classifier_activation=classifier_activation,
        shortcut=shortcut,
        conv_bias=conv_bias,
        stride_at=stride_at,
        name=name,
    )


@register_model(**_REGISTRATION)
def resnet101(
    *,
    input_shape=DEFAULT_INPUT_SHAPE,
    num_classes=1000,
    include_top=True,
    pooling=None,
    classifier_activation="softmax",
    shortcut="B",
    stride_at="1x1",
    conv_bias=True,
    name=None,
):
    """ResNet-101 (He et al., 2015): bottleneck blocks, 3-4-23-3 per stage.

    With the defaults it has exactly keras.applications.ResNet101's parameters
    (44,707,176).

    Args:
        input_shape: ``(height, width, channels)``.
        num_classes: Number of classes (keras.applications' ``classes``), >= 2.
        include_top: Whether to build the global pooling and the classifier.
        pooling: With ``include_top=False``: ``None`` (the last maps), ``"avg"`` or
            ``"max"`` (global pooling to a vector).
        classifier_activation: Activation of ``predictions``; ``None`` gives logits.
        shortcut: ``"B"`` (projections where the shape changes), ``"A"`` (zero
            padding, no parameters), ``"C"`` (projections everywhere) or ``None``
            (a plain network).
        stride_at: Where a bottleneck's stride sits: ``"1x1"`` (the paper,
            keras.applications) or ``"3x3"`` (torchvision's "v1.5").
        conv_bias: Biases in the convolutions (keras.applications has them,
            torchvision not: ``conv_bias=False`` gives its 44,549,160 trainable
            parameters).
        name: Model name; defaults to ``"resnet101"``.

    Returns:
        A ``keras.Model``.

    Example:
        >>> model = resnet101(include_top=False, pooling="avg")

    See: lessons/09_resnet.ipynb.
    """
    return _imagenet_resnet(
        101,
        input_shape=input_shape,
        num_classes=num_classes,
        include_top=include_top,
        pooling=pooling,
        classifier_activation=classifier_activation,
        shortcut=shortcut,
        conv_bias=conv_bias,
        stride_at=stride_at,
        name=name,
    )


@register_model(**_REGISTRATION)
def resnet152(
    *,
    input_shape=DEFAULT_INPUT_SHAPE,
    num_classes=1000,
    include_top=True,
    pooling=None,
    classifier_activation="softmax",
    shortcut="B",
    stride_at="1x1",
    conv_bias=True,
    name=None,
):
    """ResNet-152 (He et al., 2015): bottleneck blocks, 3-8-36-3 per stage.

    With the defaults it has exactly keras.applications.ResNet152's parameters
    (60,419,944). An ensemble including it won ILSVRC 2015.

    Args:
        input_shape: ``(height, width, channels)``.
        num_classes: Number of classes (keras.applications' ``classes``), >= 2.
        include_top: Whether to build the global pooling and the classifier.
        pooling: With ``include_top=False``: ``None`` (the last maps), ``"avg"`` or
            ``"max"`` (global pooling to a vector).
        classifier_activation: Activation of ``predictions``; ``None`` gives logits.
        shortcut: ``"B"`` (projections where the shape changes), ``"A"`` (zero
            padding, no parameters), ``"C"`` (projections everywhere) or ``None``
            (a plain network).
        stride_at: Where a bottleneck's stride sits: ``"1x1"`` (the paper,
            keras.applications) or ``"3x3"`` (torchvision's "v1.5").
        conv_bias: Biases in the convolutions (keras.applications has them,
            torchvision not: ``conv_bias=False`` gives its 60,192,808 trainable
            parameters).
        name: Model name; defaults to ``"resnet152"``.

    Returns:
        A ``keras.Model``.

    Example:
        >>> model = resnet152(conv_bias=False)

    See: lessons/09_resnet.ipynb.
    """
    return _imagenet_resnet(
        152,
        input_shape=input_shape,
        num_classes=num_classes,
        include_top=include_top,
        pooling=pooling,
        classifier_activation=classifier_activation,
        shortcut=shortcut,
        conv_bias=conv_bias,
        stride_at=stride_at,
        name=name,
    )


@register_model(**_CIFAR_REGISTRATION)
def resnet_cifar(
    *,
    input_shape=CIFAR_INPUT_SHAPE,
    num_classes=10,
    include_top=True,
    pooling=None,
    classifier_activation="softmax",
    depth=20,
    shortcut="A",
    width=16,
    name=None,
):
    """CIFAR-10 ResNet (He et al., 2015, section 4.2): 6n + 2 layers, three stages.

    A 3x3 convolution with ``width`` filters, three stages of ``n = (depth - 2) / 6``
    basic blocks with ``width``, ``2 * width`` and ``4 * width`` filters (stride 2
    at the start of stages 2 and 3), global average pooling and the classifier.
    Trainable parameters with option A: 269,722 (depth 20), 464,154 (32), 658,586
    (44), 853,018 (56), 1,727,962 (110); the paper's Table 6 lists 0.27M to 1.7M.

    Args:
        input_shape: ``(height, width, channels)``; 32x32x3 for CIFAR-10.
        num_classes: Number of classes (keras.applications' ``classes``), >= 2.
        include_top: Whether to build the global pooling and the classifier.
        pooling: With ``include_top=False``: ``None`` (the last maps), ``"avg"`` or
            ``"max"`` (global pooling to a vector).
        classifier_activation: Activation of ``predictions``; ``None`` gives logits.
        depth: Layers with weights, ``6n + 2``: 20, 32, 44, 56, 110, ...
        shortcut: ``"A"`` (the paper's choice on CIFAR: identity, zero-padded where
            the channels double), ``"B"`` (1x1 projections there), ``"C"``
            (projections everywhere) or ``None`` (no shortcuts: ``plain_cifar``).
        width: Filters of the first stage (16 in the paper).
        name: Model name; defaults to ``"resnet{depth}_cifar"``, with ``"_b"`` or
            ``"_c"`` for those shortcuts.

    Returns:
        A ``keras.Model``.

    Raises:
        ValueError: If ``depth`` is not 6n + 2 with n >= 1, or another argument
            breaks its rule.

    Example:
        >>> model = resnet_cifar(depth=56)
        >>> model.get_layer("stage2_block1_shortcut_pad").output.shape
        (None, 16, 16, 32)

    See: lessons/09_resnet.ipynb.
    """
    suffix = "" if shortcut in ("A", None) else f"_{str(shortcut).lower()}"
    stem = "resnet" if shortcut is not None else "plain"
    return _cifar_resnet(
        depth=depth,
        width=width,
        shortcut=shortcut,
        model=f"{stem}{depth}_cifar{suffix}",
        input_shape=input_shape,
        num_classes=num_classes,
        include_top=include_top,
        pooling=pooling,
        classifier_activation=classifier_activation,
        name=name,
    )


@register_model(**_CIFAR_REGISTRATION)
def plain_cifar(
    *,
    input_shape=CIFAR_INPUT_SHAPE,
    num_classes=10,
    include_top=True,
    pooling=None,
    classifier_activation="softmax",
    depth=20,
    width=16,
    name=None,
):
    """CIFAR-10 plain net (He et al., 2015): ``resnet_cifar`` without shortcuts.

    The same layers as ``resnet_cifar(depth=depth)`` with option A and the same
    parameters (269,722 trainable for depth 20), but no ``_add`` layers: each block
    computes relu(F(x)) instead of relu(F(x) + x). The paper's degradation
    experiment: plain-56 trains to a higher error than plain-20, while ResNet-56
    beats ResNet-20.

    Args:
        input_shape: ``(height, width, channels)``; 32x32x3 for CIFAR-10.
        num_classes: Number of classes (keras.applications' ``classes``), >= 2.
        include_top: Whether to build the global pooling and the classifier.
        pooling: With ``include_top=False``: ``None`` (the last maps), ``"avg"`` or
            ``"max"`` (global pooling to a vector).
        classifier_activation: Activation of ``predictions``; ``None`` gives logits.
        depth: Layers with weights, ``6n + 2``: 20, 32, 44, 56, 110, ...
        width: Filters of the first stage (16 in the paper).
        name: Model name; defaults to ``"plain{depth}_cifar"``.

    Returns:
        A ``keras.Model``.

    Raises:
        ValueError: If ``depth`` is not 6n + 2 with n >= 1, or another argument
            breaks its rule.

    Example:
        >>> plain, residual = plain_cifar(depth=56), resnet_cifar(depth=56)

    See: lessons/09_resnet.ipynb.
    """
    return _cifar_resnet(
        depth=depth,
        width=width,
        shortcut=None,
        model=f"plain{depth}_cifar",
        input_shape=input_shape,
        num_classes=num_classes,
        include_top=include_top,
        pooling=pooling,
        classifier_activation=classifier_activation,
        name=name,
    )
