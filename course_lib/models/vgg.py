"""VGG (Simonyan and Zisserman, 2014): depth from stacks of 3x3 convolutions.

"Very Deep Convolutional Networks for Large-Scale Image Recognition", ICLR 2015,
https://arxiv.org/abs/1409.1556

VGG keeps one design rule: 3x3 convolutions with stride 1 and padding 1, grouped in
five blocks that each end in a 2x2 max pooling with stride 2, the channels doubling
from 64 to 512 block after block; then three dense layers (4096-4096-1000) with
dropout after the first two. Two stacked 3x3 convolutions see a 5x5 window, three see
7x7, with fewer weights and more non-linearities than one large kernel. The paper's
Table 1 has six configurations, written below as data: an int is a 3x3 convolution
with that many filters (the paper's "conv3-64"), ``(1, 256)`` a 1x1 convolution
("conv1-256", configuration C only), ``"LRN"`` AlexNet's local response normalisation
(A-LRN only) and ``"M"`` a max pooling.

    A      VGG-11   vgg11()                        8 conv + 3 FC
    A-LRN  VGG-11   vgg11(lrn=True)                A with LRN after the first conv
    B      VGG-13   vgg13()                        10 conv + 3 FC
    C      VGG-16   vgg16(config="C")              B + three 1x1 convs
    D      VGG-16   vgg16()                        13 conv + 3 FC
    E      VGG-19   vgg19()                        16 conv + 3 FC

With their defaults, ``vgg16()`` and ``vgg19()`` have exactly the parameters of
``keras.applications.VGG16`` and ``VGG19`` (138,357,544 and 143,667,240), and the same
layer names (``block1_conv1`` ... ``block5_pool``, ``fc1``, ``fc2``, ``predictions``),
plus ``head_flatten`` and the dropout layers ``fc1_dropout`` and ``fc2_dropout`` (no
parameters) that the paper trained with.

``batch_norm=True`` adds batch normalisation after every convolution (the later
``vgg*_bn`` models; the paper predates batch norm): layers ``block{b}_conv{i}``,
``block{b}_bn{i}``, ``block{b}_relu{i}``. The convolutions keep their biases, as in
torchvision's ``vgg*_bn``, whose parameter counts these match.

``vgg_block`` builds one block (its convolutions, then the pooling) and every builder
stacks five of them, one per entry of ``config_blocks(config)``.

For CIFAR-10 keep the convolutions and shrink the classifier: at 32x32 the last block
outputs 1x1x512 maps, so ``fc_units=512`` fits better than 4096, e.g.
``vgg16(input_shape=(32, 32, 3), num_classes=10, fc_units=512, batch_norm=True)``
(about 15 million parameters instead of 34 million with 4096 units).

See: lessons/07_vgg.ipynb.
"""

import keras
from keras import layers

from course_lib._util import check_choice, is_int
from course_lib.layers import LocalResponseNormalization
from course_lib.models import _validation
from course_lib.models._common import classifier_head, conv_unit, model_input
from course_lib.models._registry import register_model

__all__ = [
    "VGG_CONFIGS",
    "config_blocks",
    "vgg11",
    "vgg13",
    "vgg16",
    "vgg19",
    "vgg_block",
]

# The paper's Table 1, one entry per layer.
_BLOCK4_5 = (512, 512, "M", 512, 512, "M")
VGG_CONFIGS = {
    "A": (64, "M", 128, "M", 256, 256, "M") + _BLOCK4_5,
    "A-LRN": (64, "LRN", "M", 128, "M", 256, 256, "M") + _BLOCK4_5,
    "B": (64, 64, "M", 128, 128, "M", 256, 256, "M") + _BLOCK4_5,
    "C": (64, 64, "M", 128, 128, "M", 256, 256, (1, 256), "M")
    + (512, 512, (1, 512), "M", 512, 512, (1, 512), "M"),
    "D": (64, 64, "M", 128, 128, "M", 256, 256, 256, "M")
    + (512, 512, 512, "M", 512, 512, 512, "M"),
    "E": (64, 64, "M", 128, 128, "M", 256, 256, 256, 256, "M")
    + (512, 512, 512, 512, "M", 512, 512, 512, 512, "M"),
}

DEFAULT_INPUT_SHAPE = (224, 224, 3)
# Only the five 2x2 stride-2 poolings change the size (3x3 convs keep it).
MIN_INPUT_SIZE = _validation.min_input_size([(2, 2, "valid")] * 5)


def config_blocks(config):
    """Splits a configuration of ``VGG_CONFIGS`` into its blocks, poolings left out.

    Args:
        config: A key of ``VGG_CONFIGS``: ``"A"``, ``"A-LRN"``, ``"B"``, ``"C"``,
            ``"D"`` or ``"E"``.

    Returns:
        A tuple of five tuples, the entries of each block in order (what
        ``vgg_block`` takes).

    Raises:
        ValueError: For an unknown configuration.

    Example:
        >>> config_blocks("D")[:2]
        ((64, 64), (128, 128))
    """
    check_choice("config", config, VGG_CONFIGS)
    blocks, current = [], []
    for entry in VGG_CONFIGS[config]:
        if entry == "M":  # a pooling closes the block
            blocks.append(tuple(current))
            current = []
        else:
            current.append(entry)
    return tuple(blocks)


def _check_block_entry(entry, entries):
    is_conv = is_int(entry) and entry > 0
    is_sized_conv = (
        isinstance(entry, tuple)
        and len(entry) == 2
        and all(is_int(v) and v > 0 for v in entry)
    )
    if not (is_conv or is_sized_conv or entry == "LRN"):
        raise ValueError(
            "Each entry of a VGG block must be a number of filters (a 3x3 "
            "convolution), a (kernel, filters) pair such as (1, 256), or 'LRN'; "
            f"{entry!r} is none of these. Received: entries={entries!r}"
        )


def vgg_block(x, entries, *, block, batch_norm=False):
    """One VGG block: convolutions with ReLU that keep the size, then 2x2 max pooling.

    Every convolution has stride 1 and "same" padding (the paper's padding of one
    pixel for a 3x3 kernel), so only the closing ``MaxPooling2D(2, strides=2)``
    changes the size: the block halves the height and width, and its last
    convolution sets the channels. Layers are named ``block{block}_conv1``,
    ``block{block}_conv2``, ..., ``block{block}_lrn`` and ``block{block}_pool``.

    Args:
        x: The input tensor, ``(batch, height, width, channels)``: a ``keras.Input``
            (to build a model) or an array (to run the block once).
        entries: The block's layers as in ``VGG_CONFIGS``: an int is a 3x3
            convolution with that many filters, ``(1, 256)`` a 1x1 convolution with
            256, ``"LRN"`` local response normalisation (configuration A-LRN).
        block: The block's number, counted from 1, for the layer names.
        batch_norm: Batch normalisation between each convolution and its ReLU
            (``block{block}_bn{i}``, ``block{block}_relu{i}``).

    Returns:
        The block's output: the pooled maps.

    Raises:
        ValueError: If an entry is none of the above.

    Example:
        >>> x = keras.Input((224, 224, 3))
        >>> vgg_block(x, (64, 64), block=1).shape  # two conv3-64, then maxpool
        (None, 112, 112, 64)

    See: lessons/07_vgg.ipynb.
    """
    for entry in entries:
        _check_block_entry(entry, entries)
    conv = 1
    for entry in entries:
        if entry == "LRN":
            x = LocalResponseNormalization(name=f"block{block}_lrn")(x)
            continue
        kernel, filters = entry if isinstance(entry, tuple) else (3, entry)
        x = conv_unit(
            x, filters, kernel, batch_norm=batch_norm, name=f"block{block}_conv{conv}"
        )
        conv += 1
    return layers.MaxPooling2D(2, strides=2, name=f"block{block}_pool")(x)


def _vgg(
    config,
    *,
    model,
    input_shape,
    num_classes,
    include_top,
    pooling,
    classifier_activation,
    batch_norm,
    dropout,
    fc_units,
    name,
):
    """Builds VGG from a key of ``VGG_CONFIGS``; the public builders pick the key."""
    input_shape, num_classes = _validation.check_common(
        input_shape=input_shape,
        num_classes=num_classes,
        include_top=include_top,
        pooling=pooling,
        name=name,
    )
    _validation.check_dropout(dropout)
    fc_units = _validation.check_positive_ints("fc_units", fc_units)
    _validation.check_input_size(input_shape, MIN_INPUT_SIZE, model=model)

    inputs = model_input(input_shape)
    x = inputs
    for block, entries in enumerate(config_blocks(config), start=1):
        x = vgg_block(x, entries, block=block, batch_norm=batch_norm)
    outputs = classifier_head(
        x,
        include_top=include_top,
        pooling=pooling,
        num_classes=num_classes,
        classifier_activation=classifier_activation,
        fc_units=(fc_units, fc_units),
        dropout=dropout,
    )
    default_name = model + ("_bn" if batch_norm else "")
    return keras.Model(inputs, outputs, name=name or default_name)


# What available() lists for every VGG builder.
_REGISTRATION = {"input_shape": DEFAULT_INPUT_SHAPE, "min_input_size": MIN_INPUT_SIZE}


@register_model(**_REGISTRATION)
def vgg11(
    *,
    input_shape=DEFAULT_INPUT_SHAPE,
    num_classes=1000,
    include_top=True,
    pooling=None,
    classifier_activation="softmax",
    lrn=False,
    batch_norm=False,
    dropout=0.5,
    fc_units=4096,
    name=None,
):
    """VGG-11 (Simonyan and Zisserman, 2014): configuration A, or A-LRN with ``lrn``.

    Args:
        input_shape: ``(height, width, channels)``, at least 32x32.
        num_classes: Number of classes (keras.applications' ``classes``), >= 2.
        include_top: Whether to build the dense layers and the classifier.
        pooling: With ``include_top=False``: ``None`` (the last maps), ``"avg"`` or
            ``"max"`` (global pooling to a vector).
        classifier_activation: Activation of ``predictions``; ``None`` gives logits.
        lrn: Add AlexNet's local response normalisation after the first convolution
            (configuration A-LRN, which the paper found did not help).
        batch_norm: Batch normalisation after every convolution.
        dropout: Dropout rate after fc1 and fc2 (0 removes them).
        fc_units: Units of fc1 and fc2; 512 suits CIFAR-10.
        name: Model name; defaults to ``"vgg11"`` (``"vgg11_lrn"`` with ``lrn``),
            plus ``"_bn"`` with batch norm.

    Returns:
        A ``keras.Model``.

    Example:
        >>> model = vgg11(lrn=True)  # configuration A-LRN

    See: lessons/07_vgg.ipynb.
    """
    return _vgg(
        "A-LRN" if lrn else "A",
        model="vgg11_lrn" if lrn else "vgg11",
        input_shape=input_shape,
        num_classes=num_classes,
        include_top=include_top,
        pooling=pooling,
        classifier_activation=classifier_activation,
        batch_norm=batch_norm,
        dropout=dropout,
        fc_units=fc_units,
        name=name,
    )


@register_model(**_REGISTRATION)
def vgg13(
    *,
    input_shape=DEFAULT_INPUT_SHAPE,
    num_classes=1000,
    include_top=True,
    pooling=None,
    classifier_activation="softmax",
    batch_norm=False,
    dropout=0.5,
    fc_units=4096,
    name=None,
):
    """VGG-13 (Simonyan and Zisserman, 2014): configuration B, two convs per block.

    Args:
        input_shape: ``(height, width, channels)``, at least 32x32.
        num_classes: Number of classes (keras.applications' ``classes``), >= 2.
        include_top: Whether to build the dense layers and the classifier.
        pooling: With ``include_top=False``: ``None`` (the last maps), ``"avg"`` or
            ``"max"`` (global pooling to a vector).
        classifier_activation: Activation of ``predictions``; ``None`` gives logits.
        batch_norm: Batch normalisation after every convolution.
        dropout: Dropout rate after fc1 and fc2 (0 removes them).
        fc_units: Units of fc1 and fc2; 512 suits CIFAR-10.
        name: Model name; defaults to ``"vgg13"``, or ``"vgg13_bn"`` with batch
            norm.

    Returns:
        A ``keras.Model``.

    Example:
        >>> model = vgg13(input_shape=(32, 32, 3), num_classes=10, fc_units=512)

    See: lessons/07_vgg.ipynb.
    """
    return _vgg(
        "B",
        model="vgg13",
        input_shape=input_shape,
        num_classes=num_classes,
        include_top=include_top,
        pooling=pooling,
        classifier_activation=classifier_activation,
        batch_norm=batch_norm,
        dropout=dropout,
        fc_units=fc_units,
        name=name,
    )


@register_model(**_REGISTRATION)
def vgg16(
    *,
    input_shape=DEFAULT_INPUT_SHAPE,
    num_classes=1000,
    include_top=True,
    pooling=None,
    classifier_activation="softmax",
    config="D",
    batch_norm=False,
    dropout=0.5,
    fc_units=4096,
    name=None,
):
    """VGG-16 (Simonyan and Zisserman, 2014): configuration D, or C with 1x1 convs.

    Args:
        input_shape: ``(height, width, channels)``, at least 32x32.
        num_classes: Number of classes (keras.applications' ``classes``), >= 2.
        include_top: Whether to build the dense layers and the classifier.
        pooling: With ``include_top=False``: ``None`` (the last maps), ``"avg"`` or
            ``"max"`` (global pooling to a vector).
        classifier_activation: Activation of ``predictions``; ``None`` gives logits.
        config: ``"D"`` (the usual VGG-16, as keras.applications.VGG16) or ``"C"``
            (the last conv of blocks 3, 4 and 5 is 1x1 instead of 3x3).
        batch_norm: Batch normalisation after every convolution.
        dropout: Dropout rate after fc1 and fc2 (0 removes them).
        fc_units: Units of fc1 and fc2; 512 suits CIFAR-10.
        name: Model name; defaults to ``"vgg16"`` (``"vgg16_c"`` for
            configuration C), plus ``"_bn"`` with batch norm.

    Returns:
        A ``keras.Model``.

    Example:
        >>> model = vgg16(input_shape=(32, 32, 3), num_classes=10, fc_units=512,
        ...               batch_norm=True)

    See: lessons/07_vgg.ipynb.
    """
    check_choice("config", config, ("C", "D"))
    return _vgg(
        config,
        model="vgg16" if config == "D" else "vgg16_c",
        input_shape=input_shape,
        num_classes=num_classes,
        include_top=include_top,
        pooling=pooling,
        classifier_activation=classifier_activation,
        batch_norm=batch_norm,
        dropout=dropout,
        fc_units=fc_units,
        name=name,
    )


@register_model(**_REGISTRATION)
def vgg19(
    *,
    input_shape=DEFAULT_INPUT_SHAPE,
    num_classes=1000,
    include_top=True,
    pooling=None,
    classifier_activation="softmax",
    batch_norm=False,
    dropout=0.5,
    fc_units=4096,
    name=None,
):
    """VGG-19 (Simonyan and Zisserman, 2014): configuration E, four convs in blocks 3-5.

    Args:
        input_shape: ``(height, width, channels)``, at least 32x32.
        num_classes: Number of classes (keras.applications' ``classes``), >= 2.
        include_top: Whether to build the dense layers and the classifier.
        pooling: With ``include_top=False``: ``None`` (the last maps), ``"avg"`` or
            ``"max"`` (global pooling to a vector).
        classifier_activation: Activation of ``predictions``; ``None`` gives logits.
        batch_norm: Batch normalisation after every convolution.
        dropout: Dropout rate after fc1 and fc2 (0 removes them).
        fc_units: Units of fc1 and fc2; 512 suits CIFAR-10.
        name: Model name; defaults to ``"vgg19"``, or ``"vgg19_bn"`` with batch
            norm.

    Returns:
        A ``keras.Model``.

    Example:
        >>> model = vgg19(include_top=False, pooling="avg")

    See: lessons/07_vgg.ipynb.
    """
    return _vgg(
        "E",
        model="vgg19",
        input_shape=input_shape,
        num_classes=num_classes,
        include_top=include_top,
        pooling=pooling,
        classifier_activation=classifier_activation,
        batch_norm=batch_norm,
        dropout=dropout,
        fc_units=fc_units,
        name=name,
    )
