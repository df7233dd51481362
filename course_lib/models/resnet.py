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

from course_lib.models._registry import register_model
from course_lib.models.resnet_blocks import (
    BN_EPSILON,
    CIFAR_INPUT_SHAPE,
    CIFAR_MIN_INPUT_SIZE,
    DEFAULT_INPUT_SHAPE,
    MIN_INPUT_SIZE,
    RESNET_DEPTHS,
    _cifar_resnet,
    _imagenet_resnet,
    basic_block,
    bottleneck_block,
    resnet_stem,
)

__all__ = [
    "BN_EPSILON",
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
