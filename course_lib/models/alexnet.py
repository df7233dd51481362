"""AlexNet (Krizhevsky, Sutskever and Hinton, 2012) and ZFNet (Zeiler and Fergus, 2014).

AlexNet: "ImageNet Classification with Deep Convolutional Neural Networks", NIPS 2012,
https://papers.nips.cc/paper/4824-imagenet-classification-with-deep-convolutional-neural-networks
ZFNet: "Visualizing and Understanding Convolutional Networks", ECCV 2014,
https://arxiv.org/abs/1311.2901

AlexNet scaled LeNet's recipe up to ImageNet: five convolutions (96-256-384-384-256
filters, an 11x11 stride-4 first layer) and three fully connected layers
(4096-4096-1000), with ReLU instead of tanh, local response normalisation (LRN) after
conv1 and conv2, overlapping 3x3 stride-2 max pooling, dropout in fc1 and fc2, and the
network split over two GPUs. With ``two_stream=True`` conv2, conv4 and conv5 see only
the half of the previous layer's maps on their own GPU: grouped convolutions with two
groups (``Conv2D(groups=2)``), while conv3 and the dense layers see both halves. The
split is a memory workaround of 2012 that also removes parameters: 62,378,344 for one
stream, 60,965,224 for two (the paper's "60 million"). Two simplifications: LRN's
channel window runs over all maps (in the paper each GPU normalised its own half), and
conv1 is one layer of 96 filters (the paper's two 48-filter halves see the same input,
so that is the same computation).

The paper gives 224x224 inputs, but an 11x11 stride-4 convolution needs 227x227 (or
padding) to produce its stated 55x55 maps; this builder defaults to 227.

``variant="cifar10"`` is a small AlexNet for 32x32 images that keeps every ingredient
(five convs with LRN and overlapping pooling, three dense layers with dropout) and
shrinks what ImageNet-sized inputs need: a 5x5 stride-1 first convolution with 64
filters (an 11x11 stride-4 one would leave almost nothing of a 32x32 image),
64-192-384-256-256 filters and 1024-1024-10 dense layers: about 5.9 million
parameters and 0.18 billion multiply-adds per image (the ImageNet AlexNet: 1.1
billion, or 0.72 billion with two streams), small enough for one GPU to train it on
CIFAR-10 in minutes. The lesson's results file records the measured time and
accuracy.

ZFNet is AlexNet retuned after looking at its features with a deconvnet: conv1 is 7x7
with stride 2 instead of 11x11 with stride 4 (fewer aliasing artefacts, fewer dead
filters), conv2 gets stride 2 to compensate, and it runs on one GPU (dense
connections throughout). Its feature-map sizes follow the paper's figure 3 (224 ->
110 -> 55 -> 26 -> 13 -> 6): conv1 pads by one pixel and the first two poolings round
up (Caffe's ceil mode, which ``padding="same"`` reproduces here).

Layer names: ``block{i}_conv1`` is the paper's conv{i}, followed by ``block{i}_lrn``
and ``block{i}_pool`` where the paper has them; then ``head_flatten``, ``fc1``,
``fc1_dropout``, ``fc2``, ``fc2_dropout``, ``predictions``.

See: lessons/06a_alexnet.ipynb, lessons/06b_zfnet.ipynb.
"""

from typing import NamedTuple

import keras
from keras import layers

from course_lib._util import check_choice
from course_lib.layers import LocalResponseNormalization
from course_lib.models import _validation
from course_lib.models._common import classifier_head, conv_unit, model_input
from course_lib.models._registry import register_model

__all__ = ["alexnet", "zfnet"]


class ConvLayer(NamedTuple):
    """One convolutional layer of the table below, with what follows it."""

    kernel: int
    stride: int
    padding: object  # "valid", "same" or an int (symmetric zero padding)
    lrn: bool = False  # local response normalisation after the ReLU
    pool: object = None  # padding of the 3x3 stride-2 max pooling after it, or None
    grouped: bool = False  # split into two groups when two_stream=True


class Architecture(NamedTuple):
    """A member of the family: defaults and the layer table."""

    input_shape: tuple
    num_classes: int
    filters: tuple
    fc_units: int
    conv_layers: tuple


ARCHITECTURES = {
    "alexnet": Architecture(
        input_shape=(227, 227, 3),
        num_classes=1000,
        filters=(96, 256, 384, 384, 256),
        fc_units=4096,
        conv_layers=(
            ConvLayer(11, 4, "valid", lrn=True, pool="valid"),
            ConvLayer(5, 1, "same", lrn=True, pool="valid", grouped=True),
            ConvLayer(3, 1, "same"),
            ConvLayer(3, 1, "same", grouped=True),
            ConvLayer(3, 1, "same", pool="valid", grouped=True),
        ),
    ),
    "alexnet_cifar10": Architecture(
        input_shape=(32, 32, 3),
        num_classes=10,
        filters=(64, 192, 384, 256, 256),
        fc_units=1024,
        conv_layers=(
            ConvLayer(5, 1, "same", lrn=True, pool="valid"),
            ConvLayer(5, 1, "same", lrn=True, pool="valid", grouped=True),
            ConvLayer(3, 1, "same"),
            ConvLayer(3, 1, "same", grouped=True),
            ConvLayer(3, 1, "same", pool="valid", grouped=True),
        ),
    ),
    "zfnet": Architecture(
        input_shape=(224, 224, 3),
        num_classes=1000,
        filters=(96, 256, 384, 384, 256),
        fc_units=4096,
        conv_layers=(
            ConvLayer(7, 2, 1, lrn=True, pool="same"),
            ConvLayer(5, 2, "valid", lrn=True, pool="same", grouped=True),
            ConvLayer(3, 1, "same"),
            ConvLayer(3, 1, "same", grouped=True),
            ConvLayer(3, 1, "same", pool="valid", grouped=True),
        ),
    ),
}

ALEXNET_VARIANTS = {"imagenet": "alexnet", "cifar10": "alexnet_cifar10"}


def _min_input_size(architecture):
    spatial_layers = []
    for layer in architecture.conv_layers:
        spatial_layers.append((layer.kernel, layer.stride, layer.padding))
        if layer.pool:
            spatial_layers.append((3, 2, layer.pool))
    return _validation.min_input_size(spatial_layers)


def _alexnet_family(
    architecture,
    *,
    model,
    input_shape,
    num_classes,
    include_top,
    pooling,
    classifier_activation,
    two_stream,
    lrn,
    dropout,
    filters,
    fc_units,
    name,
):
    """Builds a member of the AlexNet family from its row of ``ARCHITECTURES``."""
    # Unset arguments take the architecture's defaults (they differ by variant).
    input_shape = architecture.input_shape if input_shape is None else input_shape
    num_classes = architecture.num_classes if num_classes is None else num_classes
    filters = architecture.filters if filters is None else filters
    fc_units = architecture.fc_units if fc_units is None else fc_units
    input_shape, num_classes = _validation.check_common(
        input_shape=input_shape,
        num_classes=num_classes,
        include_top=include_top,
        pooling=pooling,
        name=name,
    )
    filters = _validation.check_positive_ints("filters", filters, length=5)
    fc_units = _validation.check_positive_ints("fc_units", fc_units)
    _validation.check_dropout(dropout)
    hint = "For 32x32 images use variant='cifar10'." if model == "alexnet" else ""
    _validation.check_input_size(
        input_shape, _min_input_size(architecture), model=model, hint=hint
    )
    in_channels = (input_shape[-1],) + filters[:-1]
    if two_stream:
        for block, layer in enumerate(architecture.conv_layers, start=1):
            if layer.grouped:
                _validation.check_groups(
                    2,
                    in_channels=in_channels[block - 1],
                    out_channels=filters[block - 1],
                    layer=f"block{block}_conv1",
                    argument="filters",
                    value=filters,
                )

    inputs = model_input(input_shape)
    x = inputs
    for block, (layer, layer_filters) in enumerate(
        zip(architecture.conv_layers, filters, strict=True), start=1
    ):
        x = conv_unit(
            x,
            layer_filters,
            layer.kernel,
            strides=layer.stride,
            padding=layer.padding,
            groups=2 if two_stream and layer.grouped else 1,
            name=f"block{block}_conv1",
        )
        if lrn and layer.lrn:
            x = LocalResponseNormalization(name=f"block{block}_lrn")(x)
        if layer.pool:
            x = layers.MaxPooling2D(
                3, strides=2, padding=layer.pool, name=f"block{block}_pool"
            )(x)
    outputs = classifier_head(
        x,
        include_top=include_top,
        pooling=pooling,
        num_classes=num_classes,
        classifier_activation=classifier_activation,
        fc_units=(fc_units, fc_units),
        dropout=dropout,
    )
    default_name = model + ("_two_stream" if two_stream else "")
    return keras.Model(inputs, outputs, name=name or default_name)


_ALEXNET = ARCHITECTURES["alexnet"]
_ZFNET = ARCHITECTURES["zfnet"]


@register_model(
    input_shape=_ALEXNET.input_shape, min_input_size=_min_input_size(_ALEXNET)
)
def alexnet(
    *,
    input_shape=None,
    num_classes=None,
    include_top=True,
    pooling=None,
    classifier_activation="softmax",
    variant="imagenet",
    two_stream=False,
    lrn=True,
    dropout=0.5,
    filters=None,
    fc_units=None,
    name=None,
):
    """AlexNet (Krizhevsky et al., 2012): 5 convs, LRN, overlapping pooling, 3 FC.

    Arguments left at ``None`` take the variant's value.

    Args:
        input_shape: ``(height, width, channels)``; defaults to the variant's
            (227x227x3 or 32x32x3); at least 67x67 (imagenet) or 15x15 (cifar10).
        num_classes: Number of classes (keras.applications' ``classes``), >= 2;
            defaults to 1000 (imagenet) or 10 (cifar10).
        include_top: Whether to build the dense layers and the classifier.
        pooling: With ``include_top=False``: ``None`` (the last maps), ``"avg"`` or
            ``"max"`` (global pooling to a vector).
        classifier_activation: Activation of ``predictions``; ``None`` gives logits.
        variant: ``"imagenet"`` (the paper's network, 227x227x3 input, 1000 classes)
            or ``"cifar10"`` (a small AlexNet for 32x32x3 images and 10 classes; see
            the module docstring).
        two_stream: Split conv2, conv4 and conv5 into two groups, as the paper's two
            GPUs did.
        lrn: Local response normalisation after conv1 and conv2, with the paper's
            constants (``course_lib.layers``).
        dropout: Dropout rate after fc1 and fc2 (0 removes them).
        filters: The five convolutions' filters; defaults to (96, 256, 384, 384,
            256), or (64, 192, 384, 256, 256) for cifar10.
        fc_units: Units of fc1 and fc2; defaults to 4096, or 1024 for cifar10.
        name: Model name; defaults to ``"alexnet"`` or ``"alexnet_cifar10"``, with
            ``"_two_stream"`` appended for two streams.

    Returns:
        A ``keras.Model``.

    Example:
        >>> model = alexnet(variant="cifar10", two_stream=True)

    See: lessons/06a_alexnet.ipynb.
    """
    check_choice("variant", variant, ALEXNET_VARIANTS)
    model = ALEXNET_VARIANTS[variant]
    return _alexnet_family(
        ARCHITECTURES[model],
        model=model,
        input_shape=input_shape,
        num_classes=num_classes,
        include_top=include_top,
        pooling=pooling,
        classifier_activation=classifier_activation,
        two_stream=two_stream,
        lrn=lrn,
        dropout=dropout,
        filters=filters,
        fc_units=fc_units,
        name=name,
    )


@register_model(input_shape=_ZFNET.input_shape, min_input_size=_min_input_size(_ZFNET))
def zfnet(
    *,
    input_shape=_ZFNET.input_shape,
    num_classes=_ZFNET.num_classes,
    include_top=True,
    pooling=None,
    classifier_activation="softmax",
    two_stream=False,
    lrn=True,
    dropout=0.5,
    filters=_ZFNET.filters,
    fc_units=_ZFNET.fc_units,
    name=None,
):
    """ZFNet (Zeiler and Fergus, 2014): AlexNet with a 7x7/2 conv1, conv2 stride 2.

    A single-stream network for 224x224x3 inputs whose maps follow the paper's
    figure 3: 110x110x96, 55x55x96 (pooled), 26x26x256, 13x13x256 (pooled),
    13x13x384, 13x13x384, 13x13x256, 6x6x256 (pooled), then 4096-4096-1000.

    Args:
        input_shape: ``(height, width, channels)``, at least 53x53.
        num_classes: Number of classes (keras.applications' ``classes``), >= 2.
        include_top: Whether to build the dense layers and the classifier.
        pooling: With ``include_top=False``: ``None`` (the last maps), ``"avg"`` or
            ``"max"`` (global pooling to a vector).
        classifier_activation: Activation of ``predictions``; ``None`` gives logits.
        two_stream: Split conv2, conv4 and conv5 into two groups as in AlexNet, for
            comparison (ZFNet ran on one GPU).
        lrn: The paper's contrast normalisation of conv1 and conv2, done with
            AlexNet's local response normalisation.
        dropout: Dropout rate after fc1 and fc2 (0 removes them).
        filters: The five convolutions' filters.
        fc_units: Units of fc1 and fc2.
        name: Model name; defaults to ``"zfnet"`` (``"zfnet_two_stream"``).

    Returns:
        A ``keras.Model``.

    Example:
        >>> model = zfnet(num_classes=200)

    See: lessons/06b_zfnet.ipynb.
    """
    return _alexnet_family(
        _ZFNET,
        model="zfnet",
        input_shape=input_shape,
        num_classes=num_classes,
        include_top=include_top,
        pooling=pooling,
        classifier_activation=classifier_activation,
        two_stream=two_stream,
        lrn=lrn,
        dropout=dropout,
        filters=filters,
        fc_units=fc_units,
        name=name,
    )
