"""GoogLeNet (Szegedy et al., 2014): inception modules and 1x1 bottlenecks.

"Going deeper with convolutions", CVPR 2015, https://arxiv.org/abs/1409.4842

An inception module runs four branches side by side on the same input and stacks
their outputs along the channels: a 1x1 convolution, a 1x1 "reduce" convolution
followed by a 3x3 one, a 1x1 reduce followed by a 5x5, and a 3x3 max pooling
(stride 1) followed by a 1x1 "pool projection". Without the 1x1 reductions (the
paper's "naive" module, figure 2a) the 3x3 and 5x5 convolutions would read every
input channel, and the pooling branch would pass all of them on, so the channels
and the cost would grow module after module. The 1x1 convolutions shrink the
channels first, so the large kernels cost a fraction of what they would.
``inception_module(..., filters_3x3_reduce=None, filters_5x5_reduce=None,
filters_pool_proj=None)`` builds the naive module, for comparison.

GoogLeNet stacks nine modules (3a, 3b, 4a-4e, 5a, 5b) on a conventional stem, with
3x3 stride-2 max poolings between stages, and ends with global average pooling,
dropout 0.4 and one dense layer instead of VGG's three. It is 22 layers deep
counting layers with weights, and won ILSVRC 2014 (6.67 % top-5 error, VGG
second). The paper counts "12 times fewer parameters" than AlexNet; the counts
below give 8.9 times fewer than ``alexnet()`` (8.7 with two streams). The
paper's Table 1 is ``GOOGLENET_TABLE`` below (the columns "#1x1", "#3x3
reduce", "#3x3", "#5x5 reduce", "#5x5", "pool proj").

    stem      7x7/2 conv 64, 3x3/2 max pool, LRN, 1x1 conv 64, 3x3 conv 192, LRN,
              3x3/2 max pool                                     224 -> 28x28x192
    stage 3   inception 3a, 3b, 3x3/2 max pool                   28 -> 14x14x480
    stage 4   inception 4a, 4b, 4c, 4d, 4e, 3x3/2 max pool        14 -> 7x7x832
    stage 5   inception 5a, 5b                                   7x7x1024
    head      global average pooling, dropout 0.4, dense 1000

``googlenet()`` builds the paper's topology: without auxiliary heads it has
6,998,552 parameters (convolutions with biases, no batch norm) and 1,582,671,872
multiply-adds at 224x224 (``course_lib.arithmetic.count_macs``: convolutions and
dense layers; the paper's budget was "1.5 billion multiply-adds"). The
torchvision implementation (``torchvision.models.googlenet``) differs in three
ways, each a knob here: batch norm after every convolution and no convolution
biases, no LRN, and a 3x3 kernel in the "5x5" branch;
``googlenet(batch_norm=True, lrn=False, large_kernel=3)`` has its 6,624,904
trainable parameters and 1,498,376,192 multiply-adds. (torchvision also pools
with a 2x2 window before stage 5 and uses dropout 0.2: neither changes the
counts.) Poolings use ``padding="same"``, which at 224x224 gives the sizes of the
paper's table and of Caffe's and torchvision's ``ceil_mode`` (for an even size
both round up); the first convolution pads by 3 pixels, as they do.

Auxiliary classifiers. To push gradient into the lower layers, the paper adds
two small classifiers on top of inception 4a and 4d during training: 5x5 average
pooling with stride 3 (4x4 maps at 224), a 1x1 convolution with 128 filters, a
dense layer of 1024 units, dropout 0.7 and a softmax classifier. Their losses
are added to the main one with weight 0.3, and they are discarded at inference.
With ``aux_heads=True`` the model has three outputs, ``predictions``,
``aux1_predictions`` and ``aux2_predictions``, in that order:

    model = googlenet(aux_heads=True)
    model.compile(
        optimizer="sgd",
        loss=["sparse_categorical_crossentropy"] * 3,  # one loss per output
        loss_weights=aux_loss_weights(model),  # [1.0, 0.3, 0.3]
        metrics={"predictions": ["accuracy"]},
    )
    model.fit(images, (labels, labels, labels), ...)  # one target per output
    inference_model = without_aux_heads(model)  # shares the trained weights

The auxiliary heads add 6,379,728 parameters (13,378,280 in all; torchvision's
``googlenet(aux_logits=True)``: 13,004,888).

``googlenet_cifar()`` is the usual "GoogLeNet for CIFAR-10": the stem is one 3x3
convolution with 192 filters at 32x32 (no 7x7/2 convolution, no early
pooling, no LRN), then the same nine modules, stages 3, 4 and 5 at 32x32, 16x16
and 8x8, batch norm after every convolution. At full width it has 5,886,218
parameters (5,871,914 trainable) and costs 1.45 billion multiply-adds per 32x32
image, almost as much as the ImageNet network at 224x224, since its modules see
larger maps. ``width`` multiplies every layer's channels (rounded); with
``width=0.25`` it has 376,154 parameters and 0.09 billion multiply-adds, small
enough for the course's smoke runs on a CPU.

Layer names, after the Caffe model that came with the paper:
``stem_pad1``, ``stem_conv1``, ``stem_pool1``, ``stem_lrn1``, ``stem_conv2_reduce``,
``stem_conv2``, ``stem_lrn2``, ``stem_pool2``; for each module (``inception3a``
...) ``inception3a_1x1``, ``inception3a_3x3_reduce``, ``inception3a_3x3``,
``inception3a_5x5_reduce``, ``inception3a_5x5``, ``inception3a_pool``,
``inception3a_pool_proj`` and ``inception3a_concat`` (the module's output); the
poolings between stages ``stage3_pool`` and ``stage4_pool``; the head
``head_pool``, ``head_dropout``, ``predictions``; the auxiliary heads
``aux1_pool``, ``aux1_conv``, ``aux1_flatten``, ``aux1_fc``, ``aux1_dropout``,
``aux1_predictions`` (and ``aux2_*``). With batch norm each convolution ``<conv>``
is followed by ``<conv>_bn`` and ``<conv>_relu``. The "5x5" names stay with
``large_kernel=3``, as torchvision's ``branch3`` does.

See: lessons/08_googlenet.ipynb.
"""

import numbers

import keras

from course_lib.models._registry import register_model
from course_lib.models.inception_blocks import (
    AUX_LOSS_WEIGHT,
    GOOGLENET_TABLE,
    STAGES,
    STEMS,
    InceptionWidths,
    _googlenet,
    _min_input_size,
    auxiliary_head,
    inception_module,
)

__all__ = [
    "AUX_LOSS_WEIGHT",
    "GOOGLENET_TABLE",
    "STAGES",
    "InceptionWidths",
    "aux_loss_weights",
    "auxiliary_head",
    "googlenet",
    "googlenet_cifar",
    "inception_module",
    "without_aux_heads",
]


def aux_loss_weights(model, weight=AUX_LOSS_WEIGHT):
    """Loss weights for ``model.compile``: 1 for the main output, 0.3 for each aux.

    Args:
        model: A model from ``googlenet`` or ``googlenet_cifar``, with or without
            auxiliary heads.
        weight: Weight of each auxiliary loss (the paper's 0.3).

    Returns:
        A list with one weight per model output, in the outputs' order:
        ``[1.0, 0.3, 0.3]`` with auxiliary heads, ``[1.0]`` without.

    Raises:
        ValueError: If ``weight`` is not a number >= 0.

    Example:
        >>> model = googlenet_cifar(aux_heads=True, width=0.25)
        >>> aux_loss_weights(model)
        [1.0, 0.3, 0.3]

    See: lessons/08_googlenet.ipynb.
    """
    if not (
        isinstance(weight, numbers.Real)
        and not isinstance(weight, bool)
        and weight >= 0
    ):
        raise ValueError(f"`weight` must be a number >= 0. Received: weight={weight!r}")
    return [
        float(weight) if name.startswith("aux") else 1.0 for name in model.output_names
    ]


def without_aux_heads(model):
    """The main classifier of a model with auxiliary heads, sharing its weights.

    The paper discards the auxiliary classifiers at inference; the returned model
    has one output, ``predictions``, and the same layers (training one trains the
    other). A model without auxiliary heads is returned as it is.

    Args:
        model: A model from ``googlenet`` or ``googlenet_cifar``.

    Returns:
        A ``keras.Model`` with the single output ``predictions``.

    Raises:
        ValueError: If the model has no ``predictions`` output (``include_top``
            was False).

    Example:
        >>> model = googlenet_cifar(aux_heads=True, width=0.25)
        >>> without_aux_heads(model).output_shape
        (None, 10)

    See: lessons/08_googlenet.ipynb.
    """
    if "predictions" not in model.output_names:
        raise ValueError(
            "The model has no `predictions` output: build it with include_top=True. "
            f"Received: a model with outputs {model.output_names}"
        )
    if len(model.outputs) == 1:
        return model
    main = model.outputs[model.output_names.index("predictions")]
    return keras.Model(model.inputs, main, name=f"{model.name}_main")


_IMAGENET_STEM = STEMS["imagenet"]
_CIFAR_STEM = STEMS["cifar"]


@register_model(
    input_shape=(224, 224, 3), min_input_size=_min_input_size(_IMAGENET_STEM)
)
def googlenet(
    *,
    input_shape=(224, 224, 3),
    num_classes=1000,
    include_top=True,
    pooling=None,
    classifier_activation="softmax",
    aux_heads=False,
    batch_norm=False,
    lrn=True,
    large_kernel=5,
    dropout=0.4,
    name=None,
):
    """GoogLeNet (Szegedy et al., 2014): nine inception modules, 22 layers deep.

    The paper's topology (its Table 1); ``batch_norm=True, lrn=False,
    large_kernel=3`` gives torchvision's variant. See the module docstring for
    the layers, their names and the parameter and multiply-add counts.

    Args:
        input_shape: ``(height, width, channels)``; 224x224x3 in the paper. Any
            size works (the poolings round up), but the 7x7 stride-2 stem and four
            stride-2 poolings leave 1x1 maps from 32x32 images: use
            ``googlenet_cifar`` for those. With ``aux_heads``, at least 65x65.
        num_classes: Number of classes (keras.applications' ``classes``), >= 2.
        include_top: Whether to build the global average pooling, dropout and
            classifier.
        pooling: With ``include_top=False``: ``None`` (the last maps), ``"avg"`` or
            ``"max"`` (global pooling to a vector).
        classifier_activation: Activation of ``predictions`` (and of the
            auxiliary classifiers); ``None`` gives logits.
        aux_heads: Add the paper's auxiliary classifiers after inception 4a and
            4d; the model then has three outputs ``[predictions,
            aux1_predictions, aux2_predictions]``. Compile with one loss per
            output and ``loss_weights=aux_loss_weights(model)``, fit with one
            target per output (module docstring); ``without_aux_heads(model)``
            is the model for inference.
        batch_norm: Batch normalisation after every convolution, which then has
            no bias (torchvision's ``BasicConv2d``).
        lrn: Local response normalisation after the stem's first and third
            convolutions, with the Caffe model's constants (torchvision has none).
        large_kernel: Kernel of the "5x5" branches: 5 (the paper) or 3
            (torchvision's implementation).
        dropout: Dropout rate before the classifier (0.4 in the paper; 0
            removes it).
        name: Model name; defaults to ``"googlenet"``.

    Returns:
        A ``keras.Model``; with ``aux_heads`` it has three outputs.

    Example:
        >>> model = googlenet(aux_heads=True)
        >>> model.output_names
        ['predictions', 'aux1_predictions', 'aux2_predictions']
        >>> torchvision_like = googlenet(batch_norm=True, lrn=False, large_kernel=3)

    See: lessons/08_googlenet.ipynb.
    """
    return _googlenet(
        _IMAGENET_STEM,
        model="googlenet",
        input_shape=input_shape,
        num_classes=num_classes,
        include_top=include_top,
        pooling=pooling,
        classifier_activation=classifier_activation,
        aux_heads=aux_heads,
        batch_norm=batch_norm,
        lrn=lrn,
        large_kernel=large_kernel,
        width=1.0,
        dropout=dropout,
        name=name,
    )


@register_model(input_shape=(32, 32, 3), min_input_size=_min_input_size(_CIFAR_STEM))
def googlenet_cifar(
    *,
    input_shape=(32, 32, 3),
    num_classes=10,
    include_top=True,
    pooling=None,
    classifier_activation="softmax",
    aux_heads=False,
    batch_norm=True,
    large_kernel=5,
    width=1.0,
    dropout=0.4,
    name=None,
):
    """GoogLeNet for CIFAR-10: a 3x3 stem, then the paper's nine inception modules.

    The stem is one 3x3 convolution with 192 filters that keeps the 32x32 maps;
    stages 3, 4 and 5 then run at 32x32, 16x16 and 8x8 (see the module
    docstring for the counts).

    Args:
        input_shape: ``(height, width, channels)``; 32x32x3 for CIFAR-10 (any
            size works; with ``aux_heads``, at least 9x9).
        num_classes: Number of classes (keras.applications' ``classes``), >= 2.
        include_top: Whether to build the global average pooling, dropout and
            classifier.
        pooling: With ``include_top=False``: ``None`` (the last maps), ``"avg"`` or
            ``"max"`` (global pooling to a vector).
        classifier_activation: Activation of ``predictions`` (and of the
            auxiliary classifiers); ``None`` gives logits.
        aux_heads: Add the auxiliary classifiers after inception 4a and 4d (5x5/3
            average pooling of the 16x16 maps to 4x4); three outputs, as in
            ``googlenet``.
        batch_norm: Batch normalisation after every convolution (no biases).
        large_kernel: Kernel of the "5x5" branches: 5 (the paper) or 3.
        width: Multiplier of every layer's channels (rounded, at least 1),
            auxiliary heads included; 1.0 is the paper's widths, 0.25 a network
            that trains on a CPU in seconds.
        dropout: Dropout rate before the classifier (0 removes it).
        name: Model name; defaults to ``"googlenet_cifar"``.

    Returns:
        A ``keras.Model``; with ``aux_heads`` it has three outputs.

    Example:
        >>> model = googlenet_cifar(width=0.25)  # the course's smoke-run size

    See: lessons/08_googlenet.ipynb.
    """
    return _googlenet(
        _CIFAR_STEM,
        model="googlenet_cifar",
        input_shape=input_shape,
        num_classes=num_classes,
        include_top=include_top,
        pooling=pooling,
        classifier_activation=classifier_activation,
        aux_heads=aux_heads,
        batch_norm=batch_norm,
        lrn=False,
        large_kernel=large_kernel,
        width=width,
        dropout=dropout,
        name=name,
    )
