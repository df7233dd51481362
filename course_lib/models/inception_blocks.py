"""GoogLeNet's pieces: the inception module, the auxiliary head, the stems, the
configuration tables (the paper's Table 1) and the generic builder.

The public builders ``googlenet`` and ``googlenet_cifar`` and the helpers for the
auxiliary losses live in :mod:`course_lib.models.inception`, which re-exports the
pieces lessons use; its docstring describes the options and the layer names.

See: lessons/08_googlenet.ipynb.
"""

import numbers
from typing import NamedTuple

import keras
from keras import layers

from course_lib._util import check_choice, is_int
from course_lib.layers import LocalResponseNormalization
from course_lib.models import _validation
from course_lib.models._common import classifier_head, model_input

__all__ = [
    "AUX_LOSS_WEIGHT",
    "GOOGLENET_TABLE",
    "STAGES",
    "STEMS",
    "InceptionWidths",
    "auxiliary_head",
    "inception_module",
]


class InceptionWidths(NamedTuple):
    """One row of the paper's Table 1: the filters of each branch of a module."""

    filters_1x1: int
    filters_3x3_reduce: int
    filters_3x3: int
    filters_5x5_reduce: int
    filters_5x5: int
    filters_pool_proj: int

    @property
    def out_channels(self):
        """Channels of the module's output: the four branches concatenated."""
        return (
            self.filters_1x1
            + self.filters_3x3
            + self.filters_5x5
            + self.filters_pool_proj
        )


# The paper's Table 1, one row per inception module.
GOOGLENET_TABLE = {
    "3a": InceptionWidths(64, 96, 128, 16, 32, 32),
    "3b": InceptionWidths(128, 128, 192, 32, 96, 64),
    "4a": InceptionWidths(192, 96, 208, 16, 48, 64),
    "4b": InceptionWidths(160, 112, 224, 24, 64, 64),
    "4c": InceptionWidths(128, 128, 256, 24, 64, 64),
    "4d": InceptionWidths(112, 144, 288, 32, 64, 64),
    "4e": InceptionWidths(256, 160, 320, 32, 128, 128),
    "5a": InceptionWidths(256, 160, 320, 32, 128, 128),
    "5b": InceptionWidths(384, 192, 384, 48, 128, 128),
}

# Modules per stage; a 3x3 stride-2 max pooling follows every stage but the last.
STAGES = (("3a", "3b"), ("4a", "4b", "4c", "4d", "4e"), ("5a", "5b"))
# The modules whose outputs feed the auxiliary classifiers.
AUX_AFTER = ("4a", "4d")
AUX_LOSS_WEIGHT = 0.3  # the paper's weight of each auxiliary loss
AUX_DROPOUT = 0.7
AUX_CONV_FILTERS = 128
AUX_FC_UNITS = 1024


class StemLayer(NamedTuple):
    """One layer of a stem: a convolution, a 3x3/2 max pooling or an LRN."""

    kind: str  # "conv", "pool" or "lrn"
    name: str
    filters: int = 0
    kernel: int = 1
    stride: int = 1
    padding: object = "same"  # "same" or an int (symmetric zero padding)


STEMS = {
    # The paper's Table 1, up to inception 3a.
    "imagenet": (
        StemLayer("conv", "stem_conv1", filters=64, kernel=7, stride=2, padding=3),
        StemLayer("pool", "stem_pool1"),
        StemLayer("lrn", "stem_lrn1"),
        StemLayer("conv", "stem_conv2_reduce", filters=64, kernel=1),
        StemLayer("conv", "stem_conv2", filters=192, kernel=3),
        StemLayer("lrn", "stem_lrn2"),
        StemLayer("pool", "stem_pool2"),
    ),
    # GoogLeNet for CIFAR-10: one 3x3 convolution keeps the 32x32 maps.
    "cifar": (StemLayer("conv", "stem_conv1", filters=192, kernel=3),),
}

_POOL = (3, 2, "same")  # every stride-2 max pooling: 3x3, stride 2, "same"
_AUX_POOL = (5, 3, "valid")  # the auxiliary heads' average pooling


def _stem_spatial_layers(stem):
    return [
        (layer.kernel, layer.stride, layer.padding) if layer.kind == "conv" else _POOL
        for layer in stem
        if layer.kind != "lrn"
    ]


def _min_input_size(stem, aux_heads=False):
    spatial = _stem_spatial_layers(stem) + [_POOL]  # stage 3's pooling, to 4a
    if aux_heads:
        spatial.append(_AUX_POOL)
    else:
        spatial.append(_POOL)  # stage 4's pooling, to stage 5
    return _validation.min_input_size(spatial)


def _scaled(channels, width):
    """Channels times the width multiplier, rounded, at least 1."""
    return max(1, round(channels * width))


def _conv(x, filters, kernel_size, *, name, strides=1, padding="same", batch_norm):
    """Conv2D + ReLU, or Conv2D (no bias) + BatchNormalization + ReLU.

    Without batch norm the ReLU is fused into the convolution, as in the paper's
    Caffe model; with it, the convolution has no bias (the batch norm's offset
    replaces it) as in torchvision's GoogLeNet, and the layers ``{name}_bn`` and
    ``{name}_relu`` follow.
    """
    x = layers.Conv2D(
        filters,
        kernel_size,
        strides=strides,
        padding=padding,
        use_bias=not batch_norm,
        activation=None if batch_norm else "relu",
        name=name,
    )(x)
    if batch_norm:
        x = layers.BatchNormalization(epsilon=1e-3, name=f"{name}_bn")(x)
        x = layers.Activation("relu", name=f"{name}_relu")(x)
    return x


def _check_filters(argument, value, optional=False):
    if optional and value is None:
        return None
    if not (is_int(value) and value > 0):
        rule = (
            "an integer > 0, or None to leave the 1x1 out"
            if optional
            else ("an integer > 0")
        )
        raise ValueError(f"`{argument}` must be {rule}. Received: {argument}={value!r}")
    return int(value)


def inception_module(
    x,
    filters_1x1,
    filters_3x3_reduce,
    filters_3x3,
    filters_5x5_reduce,
    filters_5x5,
    filters_pool_proj,
    *,
    name,
    batch_norm=False,
    large_kernel=5,
):
    """One inception module: four parallel branches, concatenated along channels.

    The branches, all with stride 1 and "same" padding, so that their maps have
    the input's height and width and can be concatenated:

        1x1 conv                                   -> filters_1x1 channels
        1x1 conv (reduce) -> 3x3 conv              -> filters_3x3
        1x1 conv (reduce) -> 5x5 conv              -> filters_5x5
        3x3 max pool (stride 1) -> 1x1 conv (proj) -> filters_pool_proj

    so the output has ``filters_1x1 + filters_3x3 + filters_5x5 +
    filters_pool_proj`` channels. Every convolution is followed by a ReLU. A
    reduce or projection set to ``None`` is left out: the 3x3 or 5x5 convolution
    then reads the input directly, and the pooled input (all its channels) goes
    straight to the concatenation; all three ``None`` give the paper's "naive"
    module (figure 2a).

    Layers are named ``{name}_1x1``, ``{name}_3x3_reduce``, ``{name}_3x3``,
    ``{name}_5x5_reduce``, ``{name}_5x5``, ``{name}_pool``, ``{name}_pool_proj``
    and ``{name}_concat``.

    Args:
        x: The input tensor, ``(batch, height, width, channels)``: a ``keras.Input``
            (to build a model) or an array (to run the module once).
        filters_1x1: Filters of the 1x1 branch ("#1x1" in the paper's Table 1).
        filters_3x3_reduce: Filters of the 1x1 convolution before the 3x3 one
            ("#3x3 reduce"), or ``None`` for none.
        filters_3x3: Filters of the 3x3 convolution ("#3x3").
        filters_5x5_reduce: Filters of the 1x1 convolution before the 5x5 one
            ("#5x5 reduce"), or ``None`` for none.
        filters_5x5: Filters of the 5x5 convolution ("#5x5").
        filters_pool_proj: Filters of the 1x1 convolution after the max pooling
            ("pool proj"), or ``None`` to concatenate the pooled input as it is.
        name: The module's name, e.g. ``"inception3a"``; it prefixes every layer.
        batch_norm: Batch normalisation between each convolution and its ReLU
            (``{conv}_bn``, ``{conv}_relu``; the convolutions lose their biases).
        large_kernel: Kernel size of the "5x5" branch: 5 as in the paper, or 3 as
            in torchvision's implementation (the layer names keep "5x5").

    Returns:
        The concatenated maps.

    Raises:
        ValueError: If a number of filters is not a positive integer (or ``None``
            where allowed), ``name`` is not a non-empty string, or
            ``large_kernel`` is not 3 or 5.

    Example:
        >>> x = keras.Input((28, 28, 192))
        >>> inception_module(x, 64, 96, 128, 16, 32, 32, name="inception3a").shape
        (None, 28, 28, 256)

    See: lessons/08_googlenet.ipynb.
    """
    filters_1x1 = _check_filters("filters_1x1", filters_1x1)
    filters_3x3_reduce = _check_filters(
        "filters_3x3_reduce", filters_3x3_reduce, optional=True
    )
    filters_3x3 = _check_filters("filters_3x3", filters_3x3)
    filters_5x5_reduce = _check_filters(
        "filters_5x5_reduce", filters_5x5_reduce, optional=True
    )
    filters_5x5 = _check_filters("filters_5x5", filters_5x5)
    filters_pool_proj = _check_filters(
        "filters_pool_proj", filters_pool_proj, optional=True
    )
    if not (isinstance(name, str) and name):
        raise ValueError(
            "`name` must be a non-empty string such as 'inception3a' (it prefixes "
            f"every layer of the module). Received: name={name!r}"
        )
    check_choice("large_kernel", large_kernel, (5, 3))

    def conv(inputs, filters, kernel, suffix):
        return _conv(
            inputs, filters, kernel, name=f"{name}_{suffix}", batch_norm=batch_norm
        )

    branch_1x1 = conv(x, filters_1x1, 1, "1x1")
    branch_3x3 = x
    if filters_3x3_reduce is not None:
        branch_3x3 = conv(x, filters_3x3_reduce, 1, "3x3_reduce")
    branch_3x3 = conv(branch_3x3, filters_3x3, 3, "3x3")
    branch_5x5 = x
    if filters_5x5_reduce is not None:
        branch_5x5 = conv(x, filters_5x5_reduce, 1, "5x5_reduce")
    branch_5x5 = conv(branch_5x5, filters_5x5, large_kernel, "5x5")
    branch_pool = layers.MaxPooling2D(
        3, strides=1, padding="same", name=f"{name}_pool"
    )(x)
    if filters_pool_proj is not None:
        branch_pool = conv(branch_pool, filters_pool_proj, 1, "pool_proj")
    return layers.Concatenate(axis=-1, name=f"{name}_concat")(
        [branch_1x1, branch_3x3, branch_5x5, branch_pool]
    )


def auxiliary_head(
    x,
    num_classes,
    *,
    name,
    batch_norm=False,
    conv_filters=AUX_CONV_FILTERS,
    fc_units=AUX_FC_UNITS,
    dropout=AUX_DROPOUT,
    classifier_activation="softmax",
):
    """An auxiliary classifier of GoogLeNet, as in section 5 of the paper.

    5x5 average pooling with stride 3 ("valid": 14x14 maps become 4x4), a 1x1
    convolution with ``conv_filters`` filters and ReLU, flattening, a dense
    layer of ``fc_units`` with ReLU, dropout, and the classifier. Layers are
    named ``{name}_pool``, ``{name}_conv``, ``{name}_flatten``, ``{name}_fc``,
    ``{name}_dropout`` and ``{name}_predictions``.

    Args:
        x: The maps it reads (the output of inception 4a or 4d), at least 5x5.
        num_classes: Units of the classifier.
        name: Prefix of its layers, e.g. ``"aux1"``.
        batch_norm: Batch normalisation after the 1x1 convolution.
        conv_filters: Filters of the 1x1 convolution (128 in the paper).
        fc_units: Units of the hidden dense layer (1024 in the paper).
        dropout: Dropout rate after it (0.7 in the paper; 0 removes it).
        classifier_activation: Activation of the classifier; ``None`` for logits.

    Returns:
        The head's output, ``(batch, num_classes)``.

    Example:
        >>> x = keras.Input((14, 14, 512))
        >>> auxiliary_head(x, 1000, name="aux1").shape
        (None, 1000)

    See: lessons/08_googlenet.ipynb.
    """
    x = layers.AveragePooling2D(
        _AUX_POOL[0], strides=_AUX_POOL[1], padding=_AUX_POOL[2], name=f"{name}_pool"
    )(x)
    x = _conv(x, conv_filters, 1, name=f"{name}_conv", batch_norm=batch_norm)
    x = layers.Flatten(name=f"{name}_flatten")(x)
    x = layers.Dense(fc_units, activation="relu", name=f"{name}_fc")(x)
    if dropout:
        x = layers.Dropout(dropout, name=f"{name}_dropout")(x)
    return layers.Dense(
        num_classes, activation=classifier_activation, name=f"{name}_predictions"
    )(x)


def _googlenet(
    stem,
    *,
    model,
    input_shape,
    num_classes,
    include_top,
    pooling,
    classifier_activation,
    aux_heads,
    batch_norm,
    lrn,
    large_kernel,
    width,
    dropout,
    name,
):
    """Builds GoogLeNet from a stem of ``STEMS``; the public builders pick it."""
    input_shape, num_classes = _validation.check_common(
        input_shape=input_shape,
        num_classes=num_classes,
        include_top=include_top,
        pooling=pooling,
        name=name,
    )
    _validation.check_dropout(dropout)
    check_choice("large_kernel", large_kernel, (5, 3))
    if not (
        isinstance(width, numbers.Real)
        and not isinstance(width, bool)
        and 0 < width <= 4
    ):
        raise ValueError(
            "`width` must be a number in (0, 4]: it multiplies every layer's "
            f"channels (0.25 for a quick CPU run). Received: width={width!r}"
        )
    if aux_heads and not include_top:
        raise ValueError(
            "`aux_heads=True` needs `include_top=True`: the auxiliary classifiers "
            "train alongside the main one. Received: include_top=False"
        )
    hint = (
        "The auxiliary heads' 5x5 pooling needs 5x5 maps after inception 4a; "
        "set aux_heads=False for smaller inputs."
    )
    _validation.check_input_size(
        input_shape, _min_input_size(stem, aux_heads), model=model, hint=hint
    )

    inputs = model_input(input_shape)
    x = inputs
    for layer in stem:
        if layer.kind == "conv":
            if isinstance(layer.padding, int):
                pad_name = layer.name.replace("conv", "pad")
                x = layers.ZeroPadding2D(layer.padding, name=pad_name)(x)
            x = _conv(
                x,
                _scaled(layer.filters, width),
                layer.kernel,
                strides=layer.stride,
                padding="valid" if isinstance(layer.padding, int) else layer.padding,
                batch_norm=batch_norm,
                name=layer.name,
            )
        elif layer.kind == "pool":
            x = layers.MaxPooling2D(
                _POOL[0], strides=_POOL[1], padding=_POOL[2], name=layer.name
            )(x)
        elif lrn:
            # The Caffe model's LRN: 5 channels, alpha 1e-4 (divided by 5), beta 0.75.
            x = LocalResponseNormalization.from_caffe(
                size=5, alpha=1e-4, beta=0.75, k=1.0, name=layer.name
            )(x)

    aux_outputs = []
    for stage, modules in enumerate(STAGES, start=3):
        for module in modules:
            widths = [_scaled(f, width) for f in GOOGLENET_TABLE[module]]
            x = inception_module(
                x,
                *widths,
                name=f"inception{module}",
                batch_norm=batch_norm,
                large_kernel=large_kernel,
            )
            if aux_heads and module in AUX_AFTER:
                aux_outputs.append(
                    auxiliary_head(
                        x,
                        num_classes,
                        name=f"aux{len(aux_outputs) + 1}",
                        batch_norm=batch_norm,
                        conv_filters=_scaled(AUX_CONV_FILTERS, width),
                        fc_units=_scaled(AUX_FC_UNITS, width),
                        classifier_activation=classifier_activation,
                    )
                )
        if stage < 2 + len(STAGES):
            x = layers.MaxPooling2D(
                _POOL[0], strides=_POOL[1], padding=_POOL[2], name=f"stage{stage}_pool"
            )(x)

    if include_top:
        x = layers.GlobalAveragePooling2D(name="head_pool")(x)
        if dropout:
            x = layers.Dropout(dropout, name="head_dropout")(x)
        x = layers.Dense(
            num_classes, activation=classifier_activation, name="predictions"
        )(x)
    else:
        x = classifier_head(
            x,
            include_top=False,
            pooling=pooling,
            num_classes=num_classes,
            classifier_activation=classifier_activation,
        )
    outputs = [x, *aux_outputs] if aux_outputs else x
    return keras.Model(inputs, outputs, name=name or model)
