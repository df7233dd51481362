"""DenseNet (Huang, Liu, van der Maaten and Weinberger, 2016): concatenate, don't add.

"Densely Connected Convolutional Networks", CVPR 2017,
https://arxiv.org/abs/1608.06993

Inside a dense block every layer receives the feature maps of *all* the layers before
it, concatenated on the channel axis, and adds ``k`` new maps of its own (the growth
rate): after ``l`` layers a block that started with ``c`` channels holds
``c + l * k``. Features are reused instead of recomputed, so each layer can be narrow
(``k = 12`` or 32 where a ResNet layer has 64 to 512 filters). The pieces:

- ``conv_block``: one layer of a dense block in the bottleneck form (DenseNet-B):
  BN-ReLU-1x1 conv with ``4k`` filters, BN-ReLU-3x3 conv with ``k`` filters, then its
  ``k`` maps concatenated to its input. Batch norm and ReLU come *before* each
  convolution ("pre-activation").
- ``dense_block``: ``conv_block`` repeated.
- ``transition_block``: between dense blocks, BN-ReLU-1x1 conv that keeps a fraction
  ``compression`` (the paper's theta, 0.5 in DenseNet-C) of the channels, then a 2x2
  average pooling with stride 2 that halves the size.

ImageNet networks (the paper's Table 1, ``DENSENET_BLOCKS``; 224x224x3, 1000
classes, ``k = 32``, compression 0.5): ResNet's stem (a 7x7/2 convolution with 64
filters and a 3x3/2 max pooling), four dense blocks with transitions between them,
then BN-ReLU, global average pooling and the classifier. With the defaults they have
exactly keras.applications' parameters and layers (named by this package's scheme):

    densenet121   6, 12, 24, 16 layers per block    8,062,504
    densenet169   6, 12, 32, 32                    14,307,880
    densenet201   6, 12, 48, 32                    20,242,984

(Each ``conv_block`` has two convolutions: 2 x 58 + 1 stem + 3 transitions + 1 dense
= 121 layers with weights.)

CIFAR network, ``densenet_bc_cifar`` (the paper's section 3, "Implementation
Details"): a 3x3 convolution with ``2k`` filters, three dense blocks of
``(depth - 4) / 6`` bottleneck layers on 32x32, 16x16 and 8x8 maps with two
transitions between them, then BN-ReLU, global average pooling and the classifier.
DenseNet-BC with ``depth=100, growth_rate=12`` has 769,162 trainable parameters
(the paper's Table 2: 0.8M). Its convolutions start from He et al.'s initialisation.

Every convolution has no bias (batch norm follows or precedes it), and batch norm
uses keras.applications' epsilon, 1.001e-5.

Layer names (the scheme of ``course_lib.models``, with stages and blocks, as in
``course_lib.models.resnet``): the ImageNet stem is ``stem_pad``, ``stem_conv``,
``stem_bn``, ``stem_relu``, ``stem_pool_pad``, ``stem_pool`` (CIFAR: ``stem_conv``);
dense block ``s`` is stage ``s`` and its ``b``-th layer is ``stage{s}_block{b}``,
with ``_bn1``, ``_relu1``, ``_conv1`` (1x1), ``_bn2``, ``_relu2``, ``_conv2`` (3x3)
and ``_concat``; the transition after it is ``transition{s}_bn``, ``_relu``,
``_conv``, ``_pool``; the head is ``head_bn``, ``head_relu``, ``head_pool`` and
``predictions``. Stages are numbered as keras.applications does on ImageNet
(``stage2`` to ``stage5``, its ``conv2`` to ``conv5``; the stem is conv1), from 1 on
CIFAR.

See: lessons/10_densenet.ipynb.
"""

import numbers

import keras
from keras import layers

from course_lib._util import is_int
from course_lib.models import _validation
from course_lib.models._common import classifier_head, model_input
from course_lib.models._registry import register_model
from course_lib.models.resnet_blocks import BN_EPSILON, resnet_stem

__all__ = [
    "DENSENET_BLOCKS",
    "conv_block",
    "dense_block",
    "densenet121",
    "densenet169",
    "densenet201",
    "densenet_bc_cifar",
    "transition_block",
]

# The paper's Table 1: layers in each of the four dense blocks.
DENSENET_BLOCKS = {
    121: (6, 12, 24, 16),
    169: (6, 12, 32, 32),
    201: (6, 12, 48, 32),
}
BOTTLENECK_WIDTH = 4  # the 1x1 convolution of a conv_block has 4k filters

DEFAULT_INPUT_SHAPE = (224, 224, 3)
CIFAR_INPUT_SHAPE = (32, 32, 3)
# The stem's 7x7/2 convolution and 3x3/2 pooling (zero-padded), then a 2x2 average
# pooling with stride 2 in each of the three transitions.
MIN_INPUT_SIZE = _validation.min_input_size([(7, 2, 3), (3, 2, 1)] + [(2, 2, 0)] * 3)
CIFAR_MIN_INPUT_SIZE = _validation.min_input_size([(2, 2, 0)] * 2)


def _bn_relu_conv(x, filters, kernel, *, kernel_initializer, names):
    """Pre-activation: batch norm, ReLU, then a convolution without bias."""
    bn, relu, conv = names
    x = layers.BatchNormalization(epsilon=BN_EPSILON, name=bn)(x)
    x = layers.Activation("relu", name=relu)(x)
    return layers.Conv2D(
        filters,
        kernel,
        padding="same",
        use_bias=False,
        kernel_initializer=kernel_initializer,
        name=conv,
    )(x)


def conv_block(x, growth_rate, *, kernel_initializer="glorot_uniform", name):
    """One layer of a dense block: BN-ReLU-1x1 conv (4k)-BN-ReLU-3x3 conv (k), concat.

    The 1x1 convolution (the bottleneck, 4k filters) bounds the cost of the 3x3 one
    however many channels the block has gathered; the ``k`` new maps are
    concatenated to the input, so the output has ``k`` more channels than ``x``.

    Args:
        x: The input tensor, ``(batch, height, width, channels)``: every earlier
            layer's maps in the block.
        growth_rate: ``k``, the number of new maps.
        kernel_initializer: The convolutions' kernel initializer.
        name: Prefix of the layer names, e.g. ``"stage2_block1"``.

    Returns:
        ``concatenate([x, new_maps])``: ``channels + growth_rate`` channels, the
        same size.

    Raises:
        ValueError: If ``growth_rate`` is not an integer > 0.

    Example:
        >>> x = keras.Input((56, 56, 64))
        >>> conv_block(x, 32, name="stage2_block1").shape
        (None, 56, 56, 96)

    See: lessons/10_densenet.ipynb.
    """
    growth_rate = _validation.check_positive_ints("growth_rate", growth_rate)
    new = _bn_relu_conv(
        x,
        BOTTLENECK_WIDTH * growth_rate,
        1,
        kernel_initializer=kernel_initializer,
        names=(f"{name}_bn1", f"{name}_relu1", f"{name}_conv1"),
    )
    new = _bn_relu_conv(
        new,
        growth_rate,
        3,
        kernel_initializer=kernel_initializer,
        names=(f"{name}_bn2", f"{name}_relu2", f"{name}_conv2"),
    )
    return layers.Concatenate(name=f"{name}_concat")([x, new])


def dense_block(
    x, num_layers, growth_rate, *, kernel_initializer="glorot_uniform", name
):
    """A dense block: ``num_layers`` conv_blocks, each seeing all the maps before it.

    Args:
        x: The input tensor, ``(batch, height, width, channels)``.
        num_layers: Number of ``conv_block`` layers.
        growth_rate: ``k``, the maps each layer adds.
        kernel_initializer: The convolutions' kernel initializer.
        name: Prefix of the layer names, e.g. ``"stage2"``; layer ``b`` is
            ``{name}_block{b}``.

    Returns:
        The block's output: ``channels + num_layers * growth_rate`` channels, the
        same size.

    Raises:
        ValueError: If ``num_layers`` or ``growth_rate`` is not an integer > 0.

    Example:
        >>> x = keras.Input((56, 56, 64))
        >>> dense_block(x, 6, 32, name="stage2").shape  # 64 + 6 * 32
        (None, 56, 56, 256)

    See: lessons/10_densenet.ipynb.
    """
    num_layers = _validation.check_positive_ints("num_layers", num_layers)
    for index in range(1, num_layers + 1):
        x = conv_block(
            x,
            growth_rate,
            kernel_initializer=kernel_initializer,
            name=f"{name}_block{index}",
        )
    return x


def _check_compression(compression):
    if not (
        isinstance(compression, numbers.Real)
        and not isinstance(compression, bool)
        and 0 < compression <= 1
    ):
        raise ValueError(
            "`compression` must be a number in (0, 1]: the fraction of channels a "
            "transition keeps (0.5 in DenseNet-BC, 1 keeps them all). "
            f"Received: compression={compression!r}"
        )
    return float(compression)


def transition_block(x, compression=0.5, *, kernel_initializer="glorot_uniform", name):
    """Between dense blocks: BN-ReLU-1x1 conv keeping a fraction, 2x2 average pool.

    Args:
        x: The input tensor, ``(batch, height, width, channels)``.
        compression: The fraction of channels kept, in (0, 1]; the convolution has
            ``int(channels * compression)`` filters (the paper's floor(theta m)).
        kernel_initializer: The convolution's kernel initializer.
        name: Prefix of the layer names, e.g. ``"transition2"``.

    Returns:
        The output: half the height and width, ``int(channels * compression)``
        channels.

    Raises:
        ValueError: If ``compression`` is not in (0, 1], or keeps no channel.

    Example:
        >>> x = keras.Input((56, 56, 256))
        >>> transition_block(x, 0.5, name="transition2").shape
        (None, 28, 28, 128)

    See: lessons/10_densenet.ipynb.
    """
    compression = _check_compression(compression)
    channels = int(x.shape[-1] * compression)
    if channels < 1:
        raise ValueError(
            f"`compression` keeps int({x.shape[-1]} * {compression}) = 0 channels; "
            f"raise it. Received: compression={compression!r}"
        )
    x = _bn_relu_conv(
        x,
        channels,
        1,
        kernel_initializer=kernel_initializer,
        names=(f"{name}_bn", f"{name}_relu", f"{name}_conv"),
    )
    return layers.AveragePooling2D(2, strides=2, name=f"{name}_pool")(x)


def _densenet(
    *,
    model,
    variant,
    blocks,
    growth_rate,
    compression,
    input_shape,
    num_classes,
    include_top,
    pooling,
    classifier_activation,
    name,
):
    """Builds a DenseNet: a stem, dense blocks with transitions between, the head.

    ``variant`` is ``"imagenet"`` (ResNet's stem with 64 filters, stages numbered
    from 2, Keras's default initialiser) or ``"cifar"`` (a 3x3 convolution with
    ``2 * growth_rate`` filters, stages numbered from 1, He initialisation).
    """
    input_shape, num_classes = _validation.check_common(
        input_shape=input_shape,
        num_classes=num_classes,
        include_top=include_top,
        pooling=pooling,
        name=name,
    )
    growth_rate = _validation.check_positive_ints("growth_rate", growth_rate)
    compression = _check_compression(compression)
    imagenet = variant == "imagenet"
    _validation.check_input_size(
        input_shape,
        MIN_INPUT_SIZE if imagenet else CIFAR_MIN_INPUT_SIZE,
        model=model,
    )

    inputs = model_input(input_shape)
    if imagenet:
        initializer, first_stage = "glorot_uniform", 2
        x = resnet_stem(inputs, conv_bias=False, kernel_initializer=initializer)
    else:
        initializer, first_stage = "he_normal", 1
        x = layers.Conv2D(
            2 * growth_rate,
            3,
            padding="same",
            use_bias=False,
            kernel_initializer=initializer,
            name="stem_conv",
        )(inputs)
    last_stage = first_stage + len(blocks) - 1
    for stage, num_layers in enumerate(blocks, start=first_stage):
        x = dense_block(
            x,
            num_layers,
            growth_rate,
            kernel_initializer=initializer,
            name=f"stage{stage}",
        )
        if stage != last_stage:
            x = transition_block(
                x,
                compression,
                kernel_initializer=initializer,
                name=f"transition{stage}",
            )
    x = layers.BatchNormalization(epsilon=BN_EPSILON, name="head_bn")(x)
    x = layers.Activation("relu", name="head_relu")(x)
    outputs = classifier_head(
        x,
        include_top=include_top,
        pooling=pooling,
        num_classes=num_classes,
        classifier_activation=classifier_activation,
        global_pool="avg",
    )
    return keras.Model(inputs, outputs, name=name or model)


def _imagenet_densenet(depth, **kwargs):
    return _densenet(
        model=f"densenet{depth}",
        variant="imagenet",
        blocks=DENSENET_BLOCKS[depth],
        **kwargs,
    )


_REGISTRATION = {"input_shape": DEFAULT_INPUT_SHAPE, "min_input_size": MIN_INPUT_SIZE}


@register_model(**_REGISTRATION)
def densenet121(
    *,
    input_shape=DEFAULT_INPUT_SHAPE,
    num_classes=1000,
    include_top=True,
    pooling=None,
    classifier_activation="softmax",
    growth_rate=32,
    compression=0.5,
    name=None,
):
    """DenseNet-121 (Huang et al., 2016): dense blocks of 6, 12, 24 and 16 layers.

    With the defaults it has exactly keras.applications.DenseNet121's parameters
    (8,062,504; 7,978,856 trainable, torchvision's ``densenet121``).

    Args:
        input_shape: ``(height, width, channels)``, at least 29x29.
        num_classes: Number of classes (keras.applications' ``classes``), >= 2.
        include_top: Whether to build the global pooling and the classifier.
        pooling: With ``include_top=False``: ``None`` (the last maps), ``"avg"`` or
            ``"max"`` (global pooling to a vector).
        classifier_activation: Activation of ``predictions``; ``None`` gives logits.
        growth_rate: ``k``, the maps each layer adds (32).
        compression: The fraction of channels each transition keeps (0.5).
        name: Model name; defaults to ``"densenet121"``.

    Returns:
        A ``keras.Model``.

    Example:
        >>> model = densenet121(include_top=False, pooling="avg")

    See: lessons/10_densenet.ipynb.
    """
    return _imagenet_densenet(
        121,
        growth_rate=growth_rate,
        compression=compression,
        input_shape=input_shape,
        num_classes=num_classes,
        include_top=include_top,
        pooling=pooling,
        classifier_activation=classifier_activation,
        name=name,
    )


@register_model(**_REGISTRATION)
def densenet169(
    *,
    input_shape=DEFAULT_INPUT_SHAPE,
    num_classes=1000,
    include_top=True,
    pooling=None,
    classifier_activation="softmax",
    growth_rate=32,
    compression=0.5,
    name=None,
):
    """DenseNet-169 (Huang et al., 2016): dense blocks of 6, 12, 32 and 32 layers.

    With the defaults it has exactly keras.applications.DenseNet169's parameters
    (14,307,880).

    Args:
        input_shape: ``(height, width, channels)``, at least 29x29.
        num_classes: Number of classes (keras.applications' ``classes``), >= 2.
        include_top: Whether to build the global pooling and the classifier.
        pooling: With ``include_top=False``: ``None`` (the last maps), ``"avg"`` or
            ``"max"`` (global pooling to a vector).
        classifier_activation: Activation of ``predictions``; ``None`` gives logits.
        growth_rate: ``k``, the maps each layer adds (32).
        compression: The fraction of channels each transition keeps (0.5).
        name: Model name; defaults to ``"densenet169"``.

    Returns:
        A ``keras.Model``.

    Example:
        >>> model = densenet169(num_classes=100)

    See: lessons/10_densenet.ipynb.
    """
    return _imagenet_densenet(
        169,
        growth_rate=growth_rate,
        compression=compression,
        input_shape=input_shape,
        num_classes=num_classes,
        include_top=include_top,
        pooling=pooling,
        classifier_activation=classifier_activation,
        name=name,
    )


@register_model(**_REGISTRATION)
def densenet201(
    *,
    input_shape=DEFAULT_INPUT_SHAPE,
    num_classes=1000,
    include_top=True,
    pooling=None,
    classifier_activation="softmax",
    growth_rate=32,
    compression=0.5,
    name=None,
):
    """DenseNet-201 (Huang et al., 2016): dense blocks of 6, 12, 48 and 32 layers.

    With the defaults it has exactly keras.applications.DenseNet201's parameters
    (20,242,984).

    Args:
        input_shape: ``(height, width, channels)``, at least 29x29.
        num_classes: Number of classes (keras.applications' ``classes``), >= 2.
        include_top: Whether to build the global pooling and the classifier.
        pooling: With ``include_top=False``: ``None`` (the last maps), ``"avg"`` or
            ``"max"`` (global pooling to a vector).
        classifier_activation: Activation of ``predictions``; ``None`` gives logits.
        growth_rate: ``k``, the maps each layer adds (32).
        compression: The fraction of channels each transition keeps (0.5).
        name: Model name; defaults to ``"densenet201"``.

    Returns:
        A ``keras.Model``.

    Example:
        >>> model = densenet201(input_shape=(128, 128, 3), num_classes=10)

    See: lessons/10_densenet.ipynb.
    """
    return _imagenet_densenet(
        201,
        growth_rate=growth_rate,
        compression=compression,
        input_shape=input_shape,
        num_classes=num_classes,
        include_top=include_top,
        pooling=pooling,
        classifier_activation=classifier_activation,
        name=name,
    )


def _check_bc_depth(depth):
    if not (is_int(depth) and depth >= 10 and (depth - 4) % 6 == 0):
        raise ValueError(
            "`depth` must be 6n + 4 for an integer n >= 1 (10, 40, 100, 190, ...): "
            "a stem convolution, three dense blocks of n two-convolution layers, two "
            f"transitions and the dense layer. Received: depth={depth!r}"
        )
    return (int(depth) - 4) // 6


@register_model(input_shape=CIFAR_INPUT_SHAPE, min_input_size=CIFAR_MIN_INPUT_SIZE)
def densenet_bc_cifar(
    *,
    input_shape=CIFAR_INPUT_SHAPE,
    num_classes=10,
    include_top=True,
    pooling=None,
    classifier_activation="softmax",
    depth=100,
    growth_rate=12,
    compression=0.5,
    name=None,
):
    """CIFAR-10 DenseNet-BC (Huang et al., 2016): 3 dense blocks of (depth - 4) / 6.

    A 3x3 convolution with ``2 * growth_rate`` filters, three dense blocks of
    bottleneck layers (``conv_block``) on 32x32, 16x16 and 8x8 maps, a transition
    with compression after the first two, then BN-ReLU, global average pooling and
    the classifier. ``depth=100, growth_rate=12``: 769,162 trainable parameters
    (the paper's Table 2: 0.8M, 4.51 % error on CIFAR-10 with augmentation).

    Args:
        input_shape: ``(height, width, channels)``, at least 4x4; 32x32x3 for
            CIFAR-10.
        num_classes: Number of classes (keras.applications' ``classes``), >= 2.
        include_top: Whether to build the global pooling and the classifier.
        pooling: With ``include_top=False``: ``None`` (the last maps), ``"avg"`` or
            ``"max"`` (global pooling to a vector).
        classifier_activation: Activation of ``predictions``; ``None`` gives logits.
        depth: Layers with weights, ``6n + 4``: 40, 100, 190, ... (n layers per
            dense block).
        growth_rate: ``k``, the maps each layer adds (12 in the paper's
            DenseNet-BC-100).
        compression: The fraction of channels each transition keeps (0.5; 1.0
            gives DenseNet-B).
        name: Model name; defaults to ``"densenet_bc{depth}_cifar"``.

    Returns:
        A ``keras.Model``.

    Raises:
        ValueError: If ``depth`` is not 6n + 4 with n >= 1, or another argument
            breaks its rule.

    Example:
        >>> model = densenet_bc_cifar(depth=40, growth_rate=12)  # a small one

    See: lessons/10_densenet.ipynb.
    """
    n = _check_bc_depth(depth)
    return _densenet(
        model=f"densenet_bc{depth}_cifar",
        variant="cifar",
        blocks=(n, n, n),
        growth_rate=growth_rate,
        compression=compression,
        input_shape=input_shape,
        num_classes=num_classes,
        include_top=include_top,
        pooling=pooling,
        classifier_activation=classifier_activation,
        name=name,
    )
