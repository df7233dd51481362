"""Parameter and multiply-add counts by formula, per layer and per model.

One table, :func:`_cost_rules`, says for each family of layers how many weights it
has and how many multiply-adds one call costs; ``count_params``, ``parameter_table``,
``count_layer_macs`` and ``count_macs`` all read it. A new layer type is one new row.

Multiply-adds (MACs) count one multiplication plus one addition as one operation, as
the MobileNet and ResNet papers do. Bias additions, batch normalisation, activations,
pooling and merges are not counted.

See: lessons/04_receptive_fields.ipynb, lessons/06a_alexnet.ipynb,
lessons/07_vgg.ipynb
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, NamedTuple

from course_lib.arithmetic._graph import walk

__all__ = [
    "MacCount",
    "MacRow",
    "ParameterRow",
    "count_layer_macs",
    "count_macs",
    "count_params",
    "parameter_table",
]


# ---------------------------------------------------------------------------
# The table: layer family -> parameter formula, multiply-add formula.
# ---------------------------------------------------------------------------


class _Call(NamedTuple):
    """The sizes a multiply-add formula reads, from one call's input and output."""

    spatial_in: tuple
    c_in: int
    spatial_out: tuple
    c_out: int

    @property
    def positions_in(self) -> int:
        return math.prod(self.spatial_in)

    @property
    def positions_out(self) -> int:
        return math.prod(self.spatial_out)


@dataclass(frozen=True)
class _CostRule:
    """How one family of layers is counted.

    Attributes:
        family: Name in error messages ("Conv", "Dense", ...).
        types: The ``keras.layers`` classes of the family.
        params: ``(layer, input_shape) -> (learned, statistics)``: weights the
            optimiser updates (when the layer is trainable) and weights it never
            updates (batch norm's moving mean and variance).
        macs: ``(layer, call) -> multiply-adds``, or ``None`` for none counted.
    """

    family: str
    types: tuple
    params: Callable[[Any, tuple], tuple[int, int]]
    macs: Callable[[Any, _Call], int] | None = None


def _bias(layer: Any, n: int) -> int:
    return n if layer.use_bias else 0


def _taps(layer: Any) -> int:
    """Kernel positions, ``K_h K_w`` (``K`` in 1-D, ``K_d K_h K_w`` in 3-D)."""
    return math.prod(layer.kernel_size)


# Parameter formulas: (layer, input_shape) -> (learned, statistics).


def _conv_params(layer: Any, shape: tuple) -> tuple[int, int]:
    # Each filter sees C_in / groups channels.
    weights = _taps(layer) * (shape[-1] // layer.groups) * layer.filters
    return weights + _bias(layer, layer.filters), 0


def _depthwise_params(layer: Any, shape: tuple) -> tuple[int, int]:
    channels = shape[-1] * layer.depth_multiplier
    return _taps(layer) * channels + _bias(layer, channels), 0


def _separable_params(layer: Any, shape: tuple) -> tuple[int, int]:
    # Depthwise K C_in M, then pointwise C_in M C_out.
    mid = shape[-1] * layer.depth_multiplier
    weights = _taps(layer) * mid + mid * layer.filters
    return weights + _bias(layer, layer.filters), 0


def _transpose_params(layer: Any, shape: tuple) -> tuple[int, int]:
    weights = _taps(layer) * shape[-1] * layer.filters
    return weights + _bias(layer, layer.filters), 0


def _dense_params(layer: Any, shape: tuple) -> tuple[int, int]:
    return shape[-1] * layer.units + _bias(layer, layer.units), 0


def _batch_norm_params(layer: Any, shape: tuple) -> tuple[int, int]:
    # gamma and beta learn; the moving mean and variance are statistics.
    c = shape[layer.axis]
    return c * (int(layer.scale) + int(layer.center)), 2 * c


def _layer_norm_params(layer: Any, shape: tuple) -> tuple[int, int]:
    axes = [layer.axis] if isinstance(layer.axis, int) else layer.axis
    c = math.prod(shape[a] for a in axes)
    rms = getattr(layer, "rms_scaling", False)  # RMS scaling learns gamma only
    return c * (int(layer.scale or rms) + int(layer.center and not rms)), 0


# Multiply-add formulas: (layer, call) -> multiply-adds for one example.


def _conv_macs(layer: Any, c: _Call) -> int:
    # Dilation changes which pixels are read, not how many.
    return c.positions_out * _taps(layer) * (c.c_in // layer.groups) * c.c_out


def _depthwise_macs(layer: Any, c: _Call) -> int:
    return c.positions_out * _taps(layer) * c.c_in * layer.depth_multiplier


def _separable_macs(layer: Any, c: _Call) -> int:
    mid = c.c_in * layer.depth_multiplier
    return c.positions_out * (_taps(layer) * mid + mid * c.c_out)


def _transpose_macs(layer: Any, c: _Call) -> int:
    # Each input unit multiplies the whole kernel; the zeros of the equivalent
    # direct convolution are not counted.
    return c.positions_in * _taps(layer) * c.c_in * c.c_out


def _dense_macs(layer: Any, c: _Call) -> int:
    # Dense acts on the last axis, once per position of the others.
    return c.positions_in * c.c_in * layer.units


@functools.cache
def _cost_rules() -> tuple[_CostRule, ...]:
    """The table. Built on first use: importing course_lib.arithmetic needs no Keras."""
    import keras

    L = keras.layers
    return (
        _CostRule("Conv", (L.Conv1D, L.Conv2D, L.Conv3D), _conv_params, _conv_macs),
        _CostRule(
            "DepthwiseConv",
            (L.DepthwiseConv1D, L.DepthwiseConv2D),
            _depthwise_params,
            _depthwise_macs,
        ),
        _CostRule(
            "SeparableConv",
            (L.SeparableConv1D, L.SeparableConv2D),
            _separable_params,
            _separable_macs,
        ),
        _CostRule(
            "ConvTranspose",
            (L.Conv1DTranspose, L.Conv2DTranspose, L.Conv3DTranspose),
            _transpose_params,
            _transpose_macs,
        ),
        _CostRule("Dense", (L.Dense,), _dense_params, _dense_macs),
        _CostRule("BatchNormalization", (L.BatchNormalization,), _batch_norm_params),
        _CostRule("LayerNormalization", (L.LayerNormalization,), _layer_norm_params),
    )


def _rule_for(layer: Any) -> _CostRule | None:
    for rule in _cost_rules():
        if isinstance(layer, rule.types):
            return rule
    return None


def _param_split(layer: Any, input_shape: tuple) -> tuple[int, int] | None:
    """``(trainable, non_trainable)`` parameters by formula, or ``None`` if unknown."""
    rule = _rule_for(layer)
    if rule is not None:
        learned, statistics = rule.params(layer, input_shape)
    elif getattr(layer, "built", True) and not getattr(layer, "weights", None):
        learned, statistics = 0, 0
    else:
        return None
    if getattr(layer, "trainable", True):
        return learned, statistics
    return 0, learned + statistics


# ---------------------------------------------------------------------------
# Parameters.
# ---------------------------------------------------------------------------


def _layer_input_shape(layer: Any, input_shape: Any) -> tuple:
    if input_shape is not None:
        return tuple(input_shape)
    try:
        return tuple(layer.input.shape)
    except (AttributeError, ValueError):
        pass
    raise ValueError(
        "count_params needs the layer's input shape: pass input_shape=(None, H, W, C) "
        "or use a layer that was called once in a model. "
        f"Received: layer {layer.name!r} with input_shape=None"
    )


def count_params(layer: Any, input_shape: Sequence[int | None] | None = None) -> int:
    """Number of weights of a layer, by formula (compare ``layer.count_params()``).

    - ``Conv2D``: ``K_h K_w (C_in / groups) C_out`` (+ ``C_out`` bias).
    - ``DepthwiseConv2D``: ``K_h K_w C_in M`` (+ ``C_in M`` bias), ``M`` the depth
      multiplier.
    - ``SeparableConv2D``: depthwise ``K_h K_w C_in M`` + pointwise
      ``C_in M C_out`` (+ ``C_out`` bias).
    - ``Conv2DTranspose``: ``K_h K_w C_in C_out`` (+ ``C_out`` bias).
    - ``Dense``: ``C_in units`` (+ ``units`` bias).
    - ``BatchNormalization``: 4 per channel (gamma and beta trainable, moving mean
      and variance not).
    - ``LayerNormalization``: gamma and beta over the normalised axes.
    - Built layers without weights: 0. 1-D and 3-D convolutions use the same
      formulas.

    Args:
        layer: A Keras layer.
        input_shape: Its input shape including the batch axis; read from
            ``layer.input`` when left out.

    Returns:
        The number of parameters.

    Raises:
        ValueError: When the input shape is unknown or the layer type has weights
            but no formula here.

    Example:
        >>> count_params(keras.layers.Conv2D(64, 3), input_shape=(None, 32, 32, 3))
        1792

    See: lessons/04_receptive_fields.ipynb (stacked 3x3 vs large kernels)
    """
    shape = _layer_input_shape(layer, input_shape)
    split = _param_split(layer, shape)
    if split is None:
        families = ", ".join(rule.family for rule in _cost_rules())
        raise ValueError(
            f"count_params has formulas for {families} and built layers without "
            f"weights. Received: layer {layer.name!r} of type "
            f"{type(layer).__name__} (built={layer.built})"
        )
    return sum(split)


@dataclass(frozen=True)
class ParameterRow:
    """Parameters of one layer.

    Attributes:
        name: Layer name.
        layer_type: Layer class name.
        output_shape: Output shape including the batch axis.
        params: ``trainable + non_trainable``.
        trainable: Parameters updated by the optimiser.
        non_trainable: Other weights (e.g. batch-norm moving statistics).
        by_formula: ``False`` when the layer type has no formula here and
            ``layer.count_params()`` was used instead.
    """

    name: str
    layer_type: str
    output_shape: tuple
    params: int
    trainable: int
    non_trainable: int
    by_formula: bool = True


def parameter_table(model: Any) -> list[ParameterRow]:
    """Per-layer parameter counts of a model, computed by ``count_params``.

    A layer shared by several calls is listed once. Layer types without a formula
    fall back to ``layer.count_params()`` (all trainable) and are flagged with
    ``by_formula=False``.

    Args:
        model: A built Sequential or functional model.

    Returns:
        One ``ParameterRow`` per layer; ``sum(r.params for r in rows)`` equals
        ``model.count_params()``.

    Example:
        >>> rows = parameter_table(keras.applications.VGG16(weights=None))

    See: lessons/04_receptive_fields.ipynb
    """
    rows, seen = [], set()
    for step in walk(model):
        layer = step.layer
        if id(layer) in seen:
            continue
        seen.add(id(layer))
        in_shape = step.in_shapes[0] if step.in_shapes else step.out_shapes[0]
        split = _param_split(layer, in_shape)
        by_formula = split is not None
        if split is None:
            split = (layer.count_params(), 0)
        rows.append(
            ParameterRow(
                name=step.name,
                layer_type=type(layer).__name__,
                output_shape=step.out_shapes[0],
                params=sum(split),
                trainable=split[0],
                non_trainable=split[1],
                by_formula=by_formula,
            )
        )
    return rows


# ---------------------------------------------------------------------------
# Multiply-adds.
# ---------------------------------------------------------------------------


def count_layer_macs(
    layer: Any, input_shape: Sequence[int | None], output_shape: Sequence[int | None]
) -> int:
    """Multiply-adds of one layer call, bias and normalisation not counted.

    - ``Conv``: ``H_out W_out K_h K_w (C_in / groups) C_out`` (dilation changes
      which pixels are read, not how many).
    - ``DepthwiseConv``: ``H_out W_out K_h K_w C_in M``.
    - ``SeparableConv``: depthwise plus pointwise ``H_out W_out C_in M C_out``.
    - ``ConvTranspose``: ``H_in W_in K_h K_w C_in C_out`` (each input unit
      multiplies the whole kernel; the zeros of the equivalent direct convolution
      are not counted).
    - ``Dense``: ``C_in units`` per position.
    - Everything else (pooling, activations, batch norm, merges): 0.

    Args:
        layer: A Keras layer.
        input_shape: Input shape including the batch axis.
        output_shape: Output shape including the batch axis.

    Returns:
        Multiply-adds for one example.

    Example:
        >>> count_layer_macs(keras.layers.Conv2D(8, 3), (1, 5, 5, 1), (1, 3, 3, 8))
        648
    """
    rule = _rule_for(layer)
    if rule is None or rule.macs is None:
        return 0
    call = _Call(
        tuple(input_shape[1:-1]),
        input_shape[-1],
        tuple(output_shape[1:-1]),
        output_shape[-1],
    )
    if any(
        d is None for d in (*call.spatial_in, *call.spatial_out, call.c_in, call.c_out)
    ):
        raise ValueError(
            "count_macs needs fixed spatial sizes and channels (build the model with "
            f"a full input_shape). Received: layer {layer.name!r} with input shape "
            f"{tuple(input_shape)} and output shape {tuple(output_shape)}"
        )
    return rule.macs(layer, call)


@dataclass(frozen=True)
class MacRow:
    """Multiply-adds of one layer call.

    Attributes:
        name: Layer name.
        layer_type: Layer class name.
        output_shape: Output shape including the batch axis.
        macs: Multiply-adds for one example.
    """

    name: str
    layer_type: str
    output_shape: tuple
    macs: int


class MacCount(NamedTuple):
    """What ``count_macs`` returns: ``rows, total = count_macs(model)``."""

    rows: list[MacRow]
    total: int


def count_macs(model: Any) -> MacCount:
    """Multiply-adds (MACs) per layer and in total for one input example.

    Counts follow ``count_layer_macs``. Convention: one multiply-add = one
    multiplication and one addition, as in the MobileNet paper's "mult-adds"
    (Howard et al. 2017: 569 M for MobileNet 1.0-224) and the ResNet paper's
    "FLOPs" (He et al. 2016: 3.8 G for ResNet-50, 15.3 G for VGG-16), which are
    multiply-adds too. Bias additions, batch normalisation, activations, pooling and
    merges are not counted (they are a small fraction). Tools that report FLOPs as
    2 x MACs give about twice these numbers.

    Args:
        model: A built Sequential or functional model with a fixed input size.

    Returns:
        ``MacCount(rows, total)``.

    Example:
        >>> rows, total = count_macs(keras.applications.MobileNet(weights=None))
    """
    rows = []
    for step in walk(model):
        in_shape = step.in_shapes[0] if step.in_shapes else step.out_shapes[0]
        macs = count_layer_macs(step.layer, in_shape, step.out_shapes[0])
        rows.append(
            MacRow(step.name, type(step.layer).__name__, step.out_shapes[0], macs)
        )
    return MacCount(rows, sum(r.macs for r in rows))
