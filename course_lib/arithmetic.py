"""Convolution arithmetic: output sizes, padding, receptive fields and costs.

Everything a learner computes by hand in the arithmetic lessons, as functions that
are tested against what Keras and TensorFlow actually do:

- **Output sizes** of convolution, pooling and transposed convolution, with the
  padding TensorFlow uses for ``"same"`` (the extra pixel goes after: bottom/right),
  and the relations of Dumoulin & Visin, "A guide to convolution arithmetic for deep
  learning" (2016, arXiv:1603.07285).
- **Receptive fields** of every layer of a Keras model (size, jump, start), following
  Araujo, Norris & Sim, "Computing Receptive Fields of Convolutional Neural Networks",
  Distill 2019, and Dang Ha The Hien's "A guide to receptive field arithmetic for
  Convolutional Neural Networks" (2017).
- **Parameter and multiply-add counts** by formula, per layer and per model.
- A readable **NumPy reference** of convolution and pooling that matches Keras.

Conventions used throughout:

- Images are channels-last (NHWC) and kernels HWIO, as in Keras.
- One-dimensional helpers (``conv_output_size`` and friends) take ``padding`` as an
  int (both sides), a ``(before, after)`` pair, ``"valid"``, ``"same"`` (TensorFlow's
  rule) or ``"full"`` (Dumoulin & Visin's full padding, ``D(K-1)`` on each side).
- Two-dimensional helpers take an int (all four sides), a string, a pair
  ``(pad_h, pad_w)`` (symmetric, as ``keras.layers.ZeroPadding2D``) or a pair of pairs
  ``((top, bottom), (left, right))``.
- Pixel coordinates are indices: the centre of the first input pixel is 0. Dang Ha The
  Hien's article measures from the pixel edge instead, so its starts are 0.5 larger.
- Multiply-adds (MACs) count one multiplication plus one addition as one operation,
  as the MobileNet and ResNet papers do. Bias additions, batch normalisation,
  activations, pooling and merges are not counted.

See: lessons/03_convolution_arithmetic.ipynb and lessons/04_receptive_fields.ipynb
"""

from __future__ import annotations

import dataclasses
import difflib
import math
from dataclasses import dataclass
from typing import Any, NamedTuple, Sequence

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

__all__ = [
    # Output sizes and padding.
    "effective_kernel_size",
    "same_padding",
    "full_padding",
    "conv_output_size",
    "pool_output_size",
    "transposed_conv_output_size",
    "DirectConvEquivalent",
    "transposed_conv_equivalent",
    # Receptive fields.
    "RecurrenceRow",
    "receptive_field_recurrence",
    "ReceptiveFieldRow",
    "receptive_field",
    "receptive_field_of",
    # Parameters and multiply-adds.
    "count_params",
    "ParameterRow",
    "parameter_table",
    "count_layer_macs",
    "MacRow",
    "MacCount",
    "count_macs",
    # Tables.
    "as_dicts",
    "format_table",
    # NumPy reference.
    "conv2d_loops",
    "conv2d",
    "conv_transpose2d",
    "max_pool",
    "avg_pool",
]

_PADDING_RULE = (
    "`padding` must be a non-negative int, a (before, after) pair of non-negative "
    "ints, 'valid', 'same' or 'full' (case-insensitive)"
)


# ---------------------------------------------------------------------------
# Validation helpers.
# ---------------------------------------------------------------------------


def _is_int(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, bool)


def _check_positive(name: str, value: Any) -> int:
    if not _is_int(value) or value < 1:
        raise ValueError(
            f"`{name}` must be a positive integer (>= 1). Received: {name}={value!r}"
        )
    return int(value)


def _check_non_negative(name: str, value: Any) -> int:
    if not _is_int(value) or value < 0:
        raise ValueError(
            f"`{name}` must be a non-negative integer (>= 0). "
            f"Received: {name}={value!r}"
        )
    return int(value)


def _pad_pair(padding: Any) -> tuple[int, int] | str:
    """Validates a 1-D padding argument; returns a lower-case string or a pair."""
    if isinstance(padding, str):
        mode = padding.lower()
        if mode not in ("valid", "same", "full"):
            raise ValueError(f"{_PADDING_RULE}. Received: padding={padding!r}")
        return mode
    if _is_int(padding) and padding >= 0:
        return int(padding), int(padding)
    if (
        isinstance(padding, (tuple, list))
        and len(padding) == 2
        and all(_is_int(p) and p >= 0 for p in padding)
    ):
        return int(padding[0]), int(padding[1])
    raise ValueError(f"{_PADDING_RULE}. Received: padding={padding!r}")


def _resolve_padding(
    size: int, kernel: int, stride: int, dilation: int, padding: Any
) -> tuple[int, int]:
    """Returns the (before, after) zeros a 1-D convolution adds to its input."""
    mode = _pad_pair(padding)
    if mode == "valid":
        return 0, 0
    if mode == "same":
        return same_padding(size, kernel, stride, dilation)
    if mode == "full":
        return full_padding(kernel, dilation), full_padding(kernel, dilation)
    return mode


def _pair(name: str, value: Any) -> tuple[int, int]:
    """An int or a pair of ints as a pair of positive ints (kernel, stride...)."""
    if _is_int(value):
        value = (value, value)
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise ValueError(
            f"`{name}` must be a positive int or a pair of positive ints. "
            f"Received: {name}={value!r}"
        )
    return _check_positive(name, value[0]), _check_positive(name, value[1])


def _padding_2d(padding: Any) -> tuple[Any, Any]:
    """Splits a 2-D padding argument into one 1-D padding per axis."""
    if isinstance(padding, str) or _is_int(padding):
        return padding, padding
    if isinstance(padding, (tuple, list)) and len(padding) == 2:
        return padding[0], padding[1]
    raise ValueError(
        "`padding` must be an int, 'valid', 'same', 'full', a pair (pad_h, pad_w) "
        "or a pair of pairs ((top, bottom), (left, right)). "
        f"Received: padding={padding!r}"
    )


# ---------------------------------------------------------------------------
# Output sizes and padding (Dumoulin & Visin 2016).
# ---------------------------------------------------------------------------


def effective_kernel_size(kernel: int, dilation: int = 1) -> int:
    """Size of a dilated kernel: ``K + (K - 1)(D - 1)`` (Dumoulin & Visin, eq. 14).

    A dilation of ``D`` inserts ``D - 1`` holes between the kernel taps.

    Args:
        kernel: Kernel size ``K``.
        dilation: Dilation rate ``D`` (1 is an ordinary convolution).

    Returns:
        The number of input pixels the kernel spans.

    Example:
        >>> effective_kernel_size(3, dilation=2)
        5

    See: lessons/03_convolution_arithmetic.ipynb
    """
    kernel = _check_positive("kernel", kernel)
    dilation = _check_positive("dilation", dilation)
    return kernel + (kernel - 1) * (dilation - 1)


def same_padding(
    size: int, kernel: int, stride: int = 1, dilation: int = 1
) -> tuple[int, int]:
    """The (before, after) zeros TensorFlow adds for ``padding="same"``.

    The output has ``ceil(W / S)`` units. The total padding is
    ``max((ceil(W / S) - 1) * S + D(K - 1) + 1 - W, 0)``; when it is odd the extra
    pixel goes *after* (bottom/right), unlike frameworks that pad symmetrically.

    Args:
        size: Input size ``W`` along one axis.
        kernel: Kernel size ``K``.
        stride: Stride ``S``.
        dilation: Dilation rate ``D``.

    Returns:
        ``(before, after)``.

    Example:
        >>> same_padding(224, 3, stride=2)
        (0, 1)

    See: lessons/03_convolution_arithmetic.ipynb
    """
    size = _check_positive("size", size)
    stride = _check_positive("stride", stride)
    k_eff = effective_kernel_size(kernel, dilation)
    out = -(-size // stride)
    total = max((out - 1) * stride + k_eff - size, 0)
    return total // 2, total - total // 2


def full_padding(kernel: int, dilation: int = 1) -> int:
    """Zeros per side for Dumoulin & Visin's *full* padding: ``D(K - 1)``.

    With full padding every partial overlap of kernel and input is computed, so a
    unit-stride convolution grows the input by ``K - 1`` (relation 4).

    Args:
        kernel: Kernel size ``K``.
        dilation: Dilation rate ``D``.

    Returns:
        The padding added on each side.

    Example:
        >>> full_padding(3)
        2

    See: lessons/03_convolution_arithmetic.ipynb
    """
    return effective_kernel_size(kernel, dilation) - 1


def conv_output_size(
    size: int, kernel: int, stride: int = 1, padding: Any = 0, dilation: int = 1
) -> int:
    """Output size of a convolution along one axis.

    ``floor((W + P_total - D(K - 1) - 1) / S) + 1`` (Dumoulin & Visin, relation 15),
    which covers their relations 1-6 as special cases: no padding
    (``W - K + 1``), zero padding (``W - K + 2P + 1``), half or ``"same"`` padding
    (``W`` for odd ``K`` and unit stride; ``ceil(W / S)`` in general), full padding
    (``W + K - 1``) and non-unit strides.

    Args:
        size: Input size ``W``.
        kernel: Kernel size ``K``.
        stride: Stride ``S``.
        padding: An int (both sides), a ``(before, after)`` pair, ``"valid"``,
            ``"same"`` or ``"full"`` (case-insensitive).
        dilation: Dilation rate ``D``.

    Returns:
        The number of output units.

    Raises:
        ValueError: On non-positive sizes, negative padding, an unknown padding
            string, or a (dilated) kernel larger than the padded input.

    Example:
        >>> conv_output_size(5, 3, stride=2, padding=1)
        3

    See: lessons/03_convolution_arithmetic.ipynb
    """
    size = _check_positive("size", size)
    stride = _check_positive("stride", stride)
    k_eff = effective_kernel_size(kernel, dilation)
    before, after = _resolve_padding(size, kernel, stride, dilation, padding)
    padded = size + before + after
    if k_eff > padded:
        raise ValueError(
            "The (dilated) kernel must fit in the padded input: "
            "D*(K-1)+1 <= W + padding. "
            f"Received: size={size}, kernel={kernel}, dilation={dilation}, "
            f"padding={padding!r} (effective kernel {k_eff} > padded input {padded})"
        )
    return (padded - k_eff) // stride + 1


def pool_output_size(
    size: int, pool: int, stride: int | None = None, padding: Any = "valid"
) -> int:
    """Output size of max or average pooling along one axis.

    Pooling follows the convolution formula (Dumoulin & Visin, relation 7). As in
    Keras, the stride defaults to the pool size (non-overlapping windows).

    Args:
        size: Input size ``W``.
        pool: Pool (window) size.
        stride: Stride; ``None`` means ``pool``.
        padding: ``"valid"``, ``"same"``, or any padding ``conv_output_size``
            accepts.

    Returns:
        The number of output units.

    Example:
        >>> pool_output_size(7, 2)
        3

    See: lessons/03_convolution_arithmetic.ipynb
    """
    pool = _check_positive("pool", pool)
    stride = pool if stride is None else stride
    return conv_output_size(size, pool, stride, padding)


def _check_output_padding(output_padding: Any, stride: int) -> int | None:
    if output_padding is None:
        return None
    output_padding = _check_non_negative("output_padding", output_padding)
    if output_padding >= stride:
        raise ValueError(
            "`output_padding` must be strictly less than `stride` (as in Keras). "
            f"Received: output_padding={output_padding}, stride={stride}"
        )
    return output_padding


def transposed_conv_output_size(
    size: int,
    kernel: int,
    stride: int = 1,
    padding: Any = "valid",
    output_padding: int | None = None,
    dilation: int = 1,
) -> int:
    """Output size of a transposed convolution, as ``keras.layers.Conv2DTranspose``.

    With ``K' = D(K - 1) + 1``:

    - ``"valid"``: ``(W - 1) S + K' + a`` where ``a`` defaults to
      ``max(K', S) - K'`` (Keras's default, so that no input unit is lost).
    - ``"same"``: ``W * S`` when ``output_padding`` is ``None``, otherwise
      ``(W - 1) S + (K' mod 2) + a`` (Keras's rule).
    - an int or ``(before, after)`` pair: Dumoulin & Visin's relation 13,
      ``(W - 1) S + K' - P_total + a`` with ``a`` defaulting to 0.

    ``a`` (``output_padding``) resolves the ambiguity of strided convolutions: several
    input sizes give the same output size, and ``a`` picks which one to return to.

    Args:
        size: Input size ``W`` of the transposed convolution.
        kernel: Kernel size ``K``.
        stride: Stride ``S`` (the upsampling factor).
        padding: ``"valid"``, ``"same"``, an int or a ``(before, after)`` pair: the
            padding of the *direct* convolution this layer transposes.
        output_padding: Extra rows added after (``0 <= a < S``), or ``None``.
        dilation: Dilation rate ``D``.

    Returns:
        The number of output units.

    Example:
        >>> transposed_conv_output_size(3, 3, stride=2, padding="same")
        6

    See: lessons/03_convolution_arithmetic.ipynb
    """
    size = _check_positive("size", size)
    stride = _check_positive("stride", stride)
    k_eff = effective_kernel_size(kernel, dilation)
    output_padding = _check_output_padding(output_padding, stride)
    mode = _pad_pair(padding)
    if mode == "full":
        raise ValueError(
            "`padding` of a transposed convolution must be 'valid', 'same', an int "
            f"or a (before, after) pair. Received: padding={padding!r}"
        )
    if mode == "valid":
        extra = max(k_eff, stride) - k_eff if output_padding is None else output_padding
        out = (size - 1) * stride + k_eff + extra
    elif mode == "same":
        if output_padding is None:
            out = size * stride
        else:
            out = (size - 1) * stride + k_eff % 2 + output_padding
    else:
        out = (size - 1) * stride + k_eff - sum(mode) + (output_padding or 0)
    if out < 1:
        raise ValueError(
            "A transposed convolution must produce at least one output unit "
            "(padding may not remove more than (W-1)*S + D*(K-1)+1 + a units). "
            f"Received: size={size}, kernel={kernel}, stride={stride}, "
            f"padding={padding!r}, output_padding={output_padding}, "
            f"dilation={dilation}"
        )
    return out


@dataclass(frozen=True)
class DirectConvEquivalent:
    """A transposed convolution written as a direct convolution (stride 1).

    Insert ``zeros_between`` zeros between input units (``stretched_size`` units),
    add ``padding`` zeros before and after (a negative number crops), then run a
    stride-1 convolution with the spatially flipped kernel and the same dilation.

    Attributes:
        stretched_size: ``(W - 1) S + 1``, the input after inserting zeros.
        zeros_between: ``S - 1`` zeros inserted between neighbouring input units.
        padding: ``(before, after)`` zeros added to the stretched input.
        kernel: Kernel size ``K`` (flipped).
        dilation: Dilation rate ``D``.
        stride: Always 1.
        output_size: Output size, equal to ``transposed_conv_output_size``.
    """

    stretched_size: int
    zeros_between: int
    padding: tuple[int, int]
    kernel: int
    dilation: int
    stride: int
    output_size: int


def transposed_conv_equivalent(
    size: int,
    kernel: int,
    stride: int = 1,
    padding: Any = "valid",
    output_padding: int | None = None,
    dilation: int = 1,
) -> DirectConvEquivalent:
    """The direct convolution that computes a transposed convolution.

    Dumoulin & Visin's relations 8-13: a convolution with kernel ``K``, stride ``S``
    and padding ``P`` has a transpose equivalent to a stride-1 convolution with the
    same (flipped) kernel over the input stretched by ``S - 1`` zeros between units,
    padded with ``K' - 1 - P`` zeros (``K' = D(K - 1) + 1``), plus ``a`` extra zeros
    after. For ``"same"`` the padding ``P`` is TensorFlow's asymmetric padding of the
    direct convolution from the output size back to ``size``.

    Args:
        size: Input size ``W`` of the transposed convolution.
        kernel: Kernel size ``K``.
        stride: Stride ``S``.
        padding: ``"valid"``, ``"same"``, an int or a ``(before, after)`` pair.
        output_padding: Extra rows after (``0 <= a < S``) or ``None``.
        dilation: Dilation rate ``D``.

    Returns:
        A ``DirectConvEquivalent``.

    Example:
        >>> transposed_conv_equivalent(2, 3, stride=2).padding
        (2, 2)

    See: lessons/03_convolution_arithmetic.ipynb
    """
    out = transposed_conv_output_size(
        size, kernel, stride, padding, output_padding, dilation
    )
    k_eff = effective_kernel_size(kernel, dilation)
    mode = _pad_pair(padding)
    if mode == "valid":
        before = 0
    elif mode == "same":
        before = same_padding(out, kernel, stride, dilation)[0]
    else:
        before = mode[0]
    stretched = (size - 1) * stride + 1
    pad_before = k_eff - 1 - before
    pad_after = out + k_eff - 1 - stretched - pad_before
    return DirectConvEquivalent(
        stretched_size=stretched,
        zeros_between=stride - 1,
        padding=(pad_before, pad_after),
        kernel=kernel,
        dilation=dilation,
        stride=1,
        output_size=out,
    )


# ---------------------------------------------------------------------------
# Receptive fields.
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RecurrenceRow:
    """One layer of ``receptive_field_recurrence`` (one spatial axis).

    Attributes:
        kernel: Kernel size ``k``.
        stride: Stride ``s``.
        padding: Resolved ``(before, after)`` padding, or ``None`` when it depends
            on an unknown input size (``"same"`` with ``s > 1``).
        dilation: Dilation ``d``.
        receptive_field: ``r_out = r_in + (k - 1) d j_in``.
        jump: ``j_out = j_in s``, the distance in input pixels between neighbouring
            output units (the effective stride).
        start: Centre of the first output unit's field in input pixel coordinates
            (first input pixel centred at 0), or ``None`` when unknown.
        output_size: Output size, or ``None`` without ``input_size``.
    """

    kernel: int
    stride: int
    padding: tuple[int, int] | None
    dilation: int
    receptive_field: int
    jump: int
    start: float | None
    output_size: int | None


def receptive_field_recurrence(
    layers: Sequence[Sequence[Any]], input_size: int | None = None
) -> list[RecurrenceRow]:
    """Receptive field of a chain of layers by the textbook recurrence (one axis).

    Starting from ``r = 1, j = 1, start = 0`` at the input, each layer with kernel
    ``k``, stride ``s``, dilation ``d`` and padding ``p`` (before) gives::

        r_out = r_in + (k - 1) * d * j_in
        j_out = j_in * s
        start_out = start_in + ((d (k - 1)) / 2 - p) * j_in

    Pooling layers are layers with ``k`` = pool size. Padding changes only where
    the field sits (``start``), never its size.

    Args:
        layers: A sequence of ``(kernel, stride, padding, dilation)`` tuples;
            trailing entries may be left out (defaults: stride 1, padding 0,
            dilation 1). ``padding`` is anything ``conv_output_size`` accepts.
        input_size: Input size along the axis; needed for output sizes and for the
            position of ``"same"`` padding with stride > 1.

    Returns:
        One ``RecurrenceRow`` per layer.

    Example:
        >>> [r.receptive_field for r in receptive_field_recurrence([(3,), (3,), (3,)])]
        [3, 5, 7]

    See: lessons/04_receptive_fields.ipynb
    """
    if input_size is not None:
        input_size = _check_positive("input_size", input_size)
    rf, jump, start, size = 1, 1, 0.0, input_size
    rows = []
    for spec in layers:
        if not isinstance(spec, (tuple, list)) or not 1 <= len(spec) <= 4:
            raise ValueError(
                "Each layer must be a (kernel, stride, padding, dilation) tuple with "
                f"1 to 4 entries. Received: {spec!r}"
            )
        kernel, stride, padding, dilation = (*spec, *(1, 0, 1)[len(spec) - 1 :])
        k_eff = effective_kernel_size(kernel, dilation)
        stride = _check_positive("stride", stride)
        mode = _pad_pair(padding)
        if size is not None:
            pads = _resolve_padding(size, kernel, stride, dilation, padding)
            size = conv_output_size(size, kernel, stride, padding, dilation)
        elif mode == "same":
            # With unit stride the total is K' - 1 whatever the size.
            pads = (k_eff - 1) // 2, k_eff - 1 - (k_eff - 1) // 2
            pads = pads if stride == 1 else None
        else:
            pads = _resolve_padding(1, kernel, stride, dilation, padding)
        if start is not None and pads is not None:
            start = start + ((k_eff - 1) / 2 - pads[0]) * jump
        else:
            start = None
        rf = rf + (k_eff - 1) * jump
        jump = jump * stride
        rows.append(
            RecurrenceRow(kernel, stride, pads, dilation, rf, jump, start, size)
        )
    return rows


@dataclass(frozen=True)
class ReceptiveFieldRow:
    """The receptive field of one layer's output, per axis as ``(rows, cols)``.

    Attributes:
        name: Layer name (``outer/inner`` for layers of nested models).
        layer_type: Layer class name.
        output_size: ``(H, W)`` of the output, or ``None`` if it is not an image.
        kernel: ``(K_h, K_w)`` for convolution and pooling layers, else ``None``.
        stride: ``(S_h, S_w)`` for convolution and pooling layers, else ``None``.
        dilation: ``(D_h, D_w)`` for convolutions, else ``None``.
        receptive_field: Field size in input pixels. It may exceed the image: the
            part outside is padding. For global rows it is the input size.
        jump: Distance in input pixels between neighbouring output units (the
            product of strides, or "effective stride"); ``None`` for global rows.
        start: Centre of the first output unit's field in input pixel coordinates
            (first pixel centred at 0); ``None`` for global rows or when unknown.
        is_global: ``True`` when every output unit sees the whole input (after
            global pooling, ``Flatten``, ``Dense`` on vectors, ...).
    """

    name: str
    layer_type: str
    output_size: tuple[int | None, int | None] | None
    kernel: tuple[int, int] | None
    stride: tuple[int, int] | None
    dilation: tuple[int, int] | None
    receptive_field: tuple[int | None, int | None]
    jump: tuple[int, int] | None
    start: tuple[float | None, float | None] | None
    is_global: bool

    @property
    def effective_padding(self) -> tuple[float | None, float | None] | None:
        """Araujo et al.'s effective padding: ``(r - 1) / 2 - start`` per axis."""
        if self.start is None or self.is_global:
            return None
        return tuple(
            None if s is None else (r - 1) / 2 - s
            for r, s in zip(self.receptive_field, self.start)
        )


@dataclass(frozen=True)
class _Field:
    rf: tuple[int, int]
    jump: tuple[int, int]
    start: tuple[float | None, float | None]
    is_global: bool = False


@dataclass(frozen=True)
class _Step:
    name: str
    layer: Any
    in_keys: list
    out_keys: list
    in_shapes: list
    out_shapes: list


def _graph_of(model: Any) -> Any:
    """The functional graph behind a Sequential or functional model."""
    import keras

    if isinstance(model, keras.Sequential):
        graph = getattr(model, "_functional", None)
        if graph is None:
            raise ValueError(
                "A Sequential model must know its input shape: start it with "
                "keras.Input(shape=...) or call model.build(input_shape). "
                f"Received: unbuilt model {model.name!r}"
            )
        return graph
    if not hasattr(model, "_nodes_by_depth"):
        raise ValueError(
            "The model must be a Sequential or functional keras.Model (a subclassed "
            f"model has no graph to read). Received: {type(model).__name__}"
        )
    return model


def _walk(model: Any, prefix: str = "", keymap: dict | None = None, nested=False):
    """Yields the model's layer calls in topological order, nested models expanded.

    Tensors are identified by ``id``; ``keymap`` maps the input and output tensors
    of a nested model to the outer tensors they stand for.
    """
    import keras

    keymap = {} if keymap is None else keymap
    graph = _graph_of(model)
    # Keras keeps the graph by depth (inputs deepest), as Function.call walks it.
    by_depth = graph._nodes_by_depth
    for depth in sorted(by_depth, reverse=True):
        for node in by_depth[depth]:
            op = node.operation
            ins, outs = list(node.input_tensors), list(node.outputs)
            in_keys = [keymap.get(id(t), id(t)) for t in ins]
            if isinstance(op, keras.Model):
                inner = _graph_of(op)
                for t, key in zip(inner.inputs, in_keys):
                    keymap[id(t)] = key
                yield from _walk(op, f"{prefix}{op.name}/", keymap, nested=True)
                for t, inner_t in zip(outs, inner.outputs):
                    keymap[id(t)] = keymap.get(id(inner_t), id(inner_t))
                continue
            if nested and node.is_input:
                continue
            yield _Step(
                name=prefix + op.name,
                layer=op,
                in_keys=in_keys,
                out_keys=[id(t) for t in outs],
                in_shapes=[tuple(t.shape) for t in ins],
                out_shapes=[tuple(t.shape) for t in outs],
            )


def _layer_classes():
    import keras

    L = keras.layers
    return {
        "conv": (L.Conv2D, L.DepthwiseConv2D, L.SeparableConv2D),
        "pool": (L.MaxPooling2D, L.AveragePooling2D),
        "global": (L.GlobalAveragePooling2D, L.GlobalMaxPooling2D),
        "unsupported": (L.Conv2DTranspose, L.UpSampling2D),
    }


def _rf_step(step: _Step, fields: dict, image_size: tuple) -> tuple[Any, _Field]:
    """Receptive field of one layer call from the fields of its inputs."""
    import keras

    classes = _layer_classes()
    layer = step.layer
    ltype = type(layer).__name__
    out_shape = step.out_shapes[0]
    out_size = tuple(out_shape[1:3]) if len(out_shape) == 4 else None

    def row(field: _Field, kernel=None, stride=None, dilation=None):
        return ReceptiveFieldRow(
            name=step.name,
            layer_type=ltype,
            output_size=out_size,
            kernel=kernel,
            stride=stride,
            dilation=dilation,
            receptive_field=image_size if field.is_global else field.rf,
            jump=None if field.is_global else field.jump,
            start=None if field.is_global else field.start,
            is_global=field.is_global,
        )

    if not step.in_keys:
        field = _Field((1, 1), (1, 1), (0.0, 0.0))
        return row(field), field
    if getattr(layer, "data_format", "channels_last") == "channels_first":
        raise ValueError(
            "Receptive fields are computed for channels-last images only. "
            f"Received: layer {step.name!r} with data_format='channels_first'"
        )
    ins = [fields[k] for k in step.in_keys]
    if (
        any(f.is_global for f in ins)
        or isinstance(layer, classes["global"])
        or out_size is None
        or any(len(s) != 4 for s in step.in_shapes)
    ):
        field = _Field(image_size, (1, 1), (None, None), is_global=True)
        return row(field), field

    in_size = step.in_shapes[0][1:3]
    if isinstance(layer, classes["conv"] + classes["pool"]):
        if isinstance(layer, classes["conv"]):
            kernel, dilation = tuple(layer.kernel_size), tuple(layer.dilation_rate)
        else:
            kernel, dilation = tuple(layer.pool_size), (1, 1)
        stride, padding = tuple(layer.strides), layer.padding.lower()
        (field,) = ins
        rf, jump, start = [], [], []
        for a in range(2):
            k, s, d, j = kernel[a], stride[a], dilation[a], field.jump[a]
            k_eff = effective_kernel_size(k, d)
            if padding == "valid":
                before = 0
            elif in_size[a] is not None:
                before = same_padding(in_size[a], k, s, d)[0]
            else:
                # Unknown size: TF's "same" offset is known only for unit stride.
                before = (k_eff - 1) // 2 if s == 1 else None
            s0 = field.start[a]
            if s0 is None or before is None:
                start.append(None)
            else:
                start.append(s0 + ((k_eff - 1) / 2 - before) * j)
            rf.append(field.rf[a] + (k_eff - 1) * j)
            jump.append(j * s)
        field = _Field(tuple(rf), tuple(jump), tuple(start))
        is_conv = isinstance(layer, classes["conv"])
        return row(field, kernel, stride, dilation if is_conv else None), field

    if isinstance(layer, (keras.layers.ZeroPadding2D, keras.layers.Cropping2D)):
        (field,) = ins
        if isinstance(layer, keras.layers.ZeroPadding2D):
            shift = [-layer.padding[a][0] for a in range(2)]
        else:
            shift = [layer.cropping[a][0] for a in range(2)]
        start = tuple(
            None if s is None else s + d * j
            for s, d, j in zip(field.start, shift, field.jump)
        )
        field = dataclasses.replace(field, start=start)
        return row(field), field

    if isinstance(layer, classes["unsupported"]) or any(
        s[1:3] != out_shape[1:3] for s in step.in_shapes
    ):
        raise ValueError(
            "receptive_field supports Conv2D, DepthwiseConv2D, SeparableConv2D, "
            "pooling, ZeroPadding2D, Cropping2D, global pooling and layers that keep "
            "the spatial size (upsampling and transposed convolutions are not "
            f"supported). Received: layer {step.name!r} of type {ltype}"
        )
    # Layers that keep the spatial size are treated as pointwise in space (BN,
    # activations, dropout, 1x1 Dense, merges). A merge takes, per axis, the input
    # with the largest field: its output depends on everything any input saw.
    best = [max(range(len(ins)), key=lambda i: ins[i].rf[a]) for a in range(2)]
    field = _Field(
        tuple(ins[best[a]].rf[a] for a in range(2)),
        tuple(ins[best[a]].jump[a] for a in range(2)),
        tuple(ins[best[a]].start[a] for a in range(2)),
    )
    return row(field), field


def receptive_field(model: Any) -> list[ReceptiveFieldRow]:
    """Per-layer receptive field table of a Sequential or functional model.

    Walks the layer graph from the (single, channels-last image) input, tracking
    for the rows and columns axes separately:

    - the receptive field ``r`` (input pixels that can affect one output unit),
    - the jump ``j`` (distance in input pixels between neighbouring output units),
    - the start (centre of the first output unit's field; first pixel is 0).

    Convolutions (``Conv2D``, ``DepthwiseConv2D``, ``SeparableConv2D``, with
    strides and dilation) and pooling apply ``r += (K' - 1) j``, ``j *= S`` and
    ``start += ((K' - 1) / 2 - P_before) j`` with ``K' = D(K - 1) + 1``;
    ``"same"`` uses TensorFlow's asymmetric padding (extra pixel after), which is
    why the start can sit half a pixel off. ``ZeroPadding2D`` and ``Cropping2D``
    shift the start. Layers that keep the spatial size (batch norm, activations,
    dropout, ...) pass the field through.

    Merges (``Add``, ``Concatenate``, ``Multiply``, ``Average``, ...) take, per
    axis, the input with the **largest** field: the output depends on every pixel
    any branch saw. (In the networks Keras ships, branches are aligned, so the
    jumps and centres agree.) After global pooling, ``Flatten`` or ``Dense`` on
    vectors, the field is the whole input (``is_global``). Nested models are
    expanded (rows named ``outer/inner``).

    Args:
        model: A built ``keras.Sequential`` or functional ``keras.Model`` with one
            image input.

    Returns:
        One ``ReceptiveFieldRow`` per layer call, in topological order, starting
        with the input layer.

    Raises:
        ValueError: For models with several inputs, non-image inputs,
            channels-first layers, or layers that upsample.

    Example:
        >>> rows = receptive_field(keras.applications.VGG16(weights=None))

    See: lessons/04_receptive_fields.ipynb
    """
    graph = _graph_of(model)
    if len(graph.inputs) != 1 or len(graph.inputs[0].shape) != 4:
        raise ValueError(
            "receptive_field needs a model with exactly one image input of shape "
            "(batch, height, width, channels). "
            f"Received: inputs {[tuple(t.shape) for t in graph.inputs]}"
        )
    image_size = tuple(graph.inputs[0].shape[1:3])
    fields: dict = {}
    rows = []
    for step in _walk(model):
        row, field = _rf_step(step, fields, image_size)
        for key in step.out_keys:
            fields[key] = field
        rows.append(row)
    return rows


def _find_row(rows: list, layer_name: str, function: str):
    for r in rows:
        if r.name == layer_name:
            return r
    names = [r.name for r in rows]
    close = difflib.get_close_matches(layer_name, names, n=5)
    hint = f" Closest layer names: {close}." if close else ""
    raise ValueError(
        f"{function} needs the name of a layer of the model.{hint} "
        f"Received: layer_name={layer_name!r}"
    )


def receptive_field_of(model: Any, layer_name: str) -> ReceptiveFieldRow:
    """Receptive field of one layer of a model (its size, jump and start).

    Args:
        model: A built Sequential or functional model.
        layer_name: Name of the layer (``outer/inner`` inside nested models).

    Returns:
        The layer's ``ReceptiveFieldRow``; read ``.receptive_field`` and ``.jump``.

    Raises:
        ValueError: If no layer has that name (the message lists close names).

    Example:
        >>> receptive_field_of(vgg16, "block5_pool").receptive_field  # VGG16 model
        (212, 212)

    See: lessons/04_receptive_fields.ipynb
    """
    return _find_row(receptive_field(model), layer_name, "receptive_field_of")


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


def _param_split(layer: Any, input_shape: tuple) -> tuple[int, int] | None:
    """(trainable, non-trainable) parameters by formula, or None if unknown."""
    import keras

    L = keras.layers
    channels = input_shape[-1]
    conv = (L.Conv1D, L.Conv2D, L.Conv3D)
    depthwise = (L.DepthwiseConv1D, L.DepthwiseConv2D)
    separable = (L.SeparableConv1D, L.SeparableConv2D)
    transpose = (L.Conv1DTranspose, L.Conv2DTranspose, L.Conv3DTranspose)
    if isinstance(layer, conv):
        # Each filter sees C_in / groups channels.
        k = math.prod(layer.kernel_size)
        n = k * (channels // layer.groups) * layer.filters
        n += layer.filters if layer.use_bias else 0
    elif isinstance(layer, depthwise):
        k, m = math.prod(layer.kernel_size), layer.depth_multiplier
        n = k * channels * m + (channels * m if layer.use_bias else 0)
    elif isinstance(layer, separable):
        k, m = math.prod(layer.kernel_size), layer.depth_multiplier
        n = k * channels * m + channels * m * layer.filters
        n += layer.filters if layer.use_bias else 0
    elif isinstance(layer, transpose):
        k = math.prod(layer.kernel_size)
        n = k * channels * layer.filters + (layer.filters if layer.use_bias else 0)
    elif isinstance(layer, L.Dense):
        n = channels * layer.units + (layer.units if layer.use_bias else 0)
    elif isinstance(layer, L.BatchNormalization):
        # gamma and beta learn; the moving mean and variance are statistics.
        c = input_shape[layer.axis]
        trainable = c * (int(layer.scale) + int(layer.center))
        return (trainable, 2 * c) if layer.trainable else (0, trainable + 2 * c)
    elif isinstance(layer, L.LayerNormalization):
        axes = [layer.axis] if isinstance(layer.axis, int) else layer.axis
        c = math.prod(input_shape[a] for a in axes)
        rms = getattr(layer, "rms_scaling", False)
        n = c * (int(layer.scale or rms) + int(layer.center and not rms))
    elif getattr(layer, "built", True) and not getattr(layer, "weights", None):
        n = 0
    else:
        return None
    return (n, 0) if getattr(layer, "trainable", True) else (0, n)


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
        raise ValueError(
            "count_params has formulas for Conv, DepthwiseConv, SeparableConv, "
            "ConvTranspose, Dense, BatchNormalization, LayerNormalization and "
            "built layers without weights. Received: layer "
            f"{layer.name!r} of type {type(layer).__name__} (built={layer.built})"
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
    for step in _walk(model):
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
    import keras

    L = keras.layers
    spatial_in, c_in = input_shape[1:-1], input_shape[-1]
    spatial_out, c_out = output_shape[1:-1], output_shape[-1]
    conv = (L.Conv1D, L.Conv2D, L.Conv3D)
    depthwise = (L.DepthwiseConv1D, L.DepthwiseConv2D)
    separable = (L.SeparableConv1D, L.SeparableConv2D)
    transpose = (L.Conv1DTranspose, L.Conv2DTranspose, L.Conv3DTranspose)
    weighted = conv + depthwise + separable + transpose + (L.Dense,)
    if not isinstance(layer, weighted):
        return 0
    dims = (*spatial_in, c_in, *spatial_out, c_out)
    if any(d is None for d in dims):
        raise ValueError(
            "count_macs needs fixed spatial sizes and channels (build the model with "
            f"a full input_shape). Received: layer {layer.name!r} with input shape "
            f"{tuple(input_shape)} and output shape {tuple(output_shape)}"
        )
    positions = math.prod(spatial_out)
    if isinstance(layer, L.Dense):
        return math.prod(spatial_in) * c_in * layer.units
    k = math.prod(layer.kernel_size)
    if isinstance(layer, conv):
        return positions * k * (c_in // layer.groups) * c_out
    if isinstance(layer, depthwise):
        return positions * k * c_in * layer.depth_multiplier
    if isinstance(layer, separable):
        mid = c_in * layer.depth_multiplier
        return positions * (k * mid + mid * c_out)
    return math.prod(spatial_in) * k * c_in * c_out


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
    for step in _walk(model):
        in_shape = step.in_shapes[0] if step.in_shapes else step.out_shapes[0]
        macs = count_layer_macs(step.layer, in_shape, step.out_shapes[0])
        rows.append(
            MacRow(step.name, type(step.layer).__name__, step.out_shapes[0], macs)
        )
    return MacCount(rows, sum(r.macs for r in rows))


# ---------------------------------------------------------------------------
# Tables (plain text or markdown, no pandas).
# ---------------------------------------------------------------------------


def as_dicts(rows: Sequence[Any]) -> list[dict]:
    """Rows (dataclasses) as a list of dicts, e.g. for ``csv.DictWriter``.

    Example:
        >>> as_dicts(receptive_field_recurrence([(3,)]))[0]["receptive_field"]
        3
    """
    return [dataclasses.asdict(r) for r in rows]


def _cell(value: Any) -> str:
    if value is None:
        return "-"
    if isinstance(value, bool):
        return str(value)
    if _is_int(value):
        return f"{value:,}"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, tuple):
        inner = (f"{v:g}" if isinstance(v, float) else str(v) for v in value)
        return "(" + ", ".join(inner) + ")"
    return str(value)


def format_table(
    rows: Sequence[Any], columns: Sequence[str] | None = None, style: str = "markdown"
) -> str:
    """Renders rows (dataclasses) as a markdown or plain-text table.

    Args:
        rows: Rows from ``receptive_field``, ``parameter_table``, ``count_macs``...
        columns: Field names to show, in order; all fields by default.
        style: ``"markdown"`` (for ``IPython.display.Markdown``) or ``"text"``.

    Returns:
        The table as a string.

    Example:
        >>> table = format_table(receptive_field_recurrence([(3,), (3,)]))

    See: lessons/04_receptive_fields.ipynb
    """
    if style not in ("markdown", "text"):
        raise ValueError(
            f"`style` must be 'markdown' or 'text'. Received: style={style!r}"
        )
    dicts = as_dicts(rows)
    if columns is None:
        columns = list(dicts[0]) if dicts else []
    cells = [[_cell(d[c]) for c in columns] for d in dicts]
    widths = [max([len(c)] + [len(r[i]) for r in cells]) for i, c in enumerate(columns)]
    if style == "markdown":
        lines = ["| " + " | ".join(columns) + " |"]
        lines.append("|" + "|".join("---" for _ in columns) + "|")
        lines += ["| " + " | ".join(r) + " |" for r in cells]
        return "\n".join(lines)
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths))]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(v.ljust(w) for v, w in zip(r, widths)) for r in cells]
    return "\n".join(line.rstrip() for line in lines)


# ---------------------------------------------------------------------------
# NumPy reference implementations.
# ---------------------------------------------------------------------------


def _pads_2d(
    hw: tuple[int, int], kernel, stride, dilation, padding
) -> tuple[tuple[int, int], tuple[int, int]]:
    ph, pw = _padding_2d(padding)
    return tuple(
        _resolve_padding(hw[a], kernel[a], stride[a], dilation[a], (ph, pw)[a])
        for a in range(2)
    )


def _check_fits(hw, pads, kernel, dilation, padding):
    for a in range(2):
        k_eff = effective_kernel_size(kernel[a], dilation[a])
        if k_eff > hw[a] + sum(pads[a]):
            raise ValueError(
                "The (dilated) kernel must fit in the padded input: "
                "D*(K-1)+1 <= W + padding. "
                f"Received: input {tuple(hw)}, kernel={tuple(kernel)}, "
                f"dilation={tuple(dilation)}, padding={padding!r}"
            )


def conv2d_loops(
    x: np.ndarray, kernel: np.ndarray, stride: Any = 1, padding: Any = 0, dilation=1
) -> np.ndarray:
    """Single-channel 2-D convolution with explicit loops, for teaching.

    Like Keras (and every deep-learning framework), this computes a
    *cross-correlation*: the kernel is not flipped. Each output cell is the sum of
    the element-wise product of the kernel with the input patch under it::

        out[i, j] = sum(x_padded[i*S + D*u, j*S + D*v] * kernel[u, v])

    Args:
        x: Image of shape ``(H, W)``.
        kernel: Kernel of shape ``(K_h, K_w)``.
        stride: Int or ``(S_h, S_w)``.
        padding: Int, ``"valid"``, ``"same"``, ``"full"``, ``(pad_h, pad_w)`` or
            ``((top, bottom), (left, right))``.
        dilation: Int or ``(D_h, D_w)``.

    Returns:
        The output feature map, shape ``(H_out, W_out)``.

    Example:
        >>> conv2d_loops(np.ones((5, 5)), np.ones((3, 3)), stride=2, padding=1).shape
        (3, 3)

    See: lessons/03_convolution_arithmetic.ipynb
    """
    x, kernel = np.asarray(x, dtype=float), np.asarray(kernel, dtype=float)
    if x.ndim != 2 or kernel.ndim != 2:
        raise ValueError(
            "conv2d_loops takes a 2-D image and a 2-D kernel (one channel). "
            f"Received: x.shape={x.shape}, kernel.shape={kernel.shape}"
        )
    s, d = _pair("stride", stride), _pair("dilation", dilation)
    pads = _pads_2d(x.shape, kernel.shape, s, d, padding)
    _check_fits(x.shape, pads, kernel.shape, d, padding)
    xp = np.pad(x, pads)
    k_h = effective_kernel_size(kernel.shape[0], d[0])
    k_w = effective_kernel_size(kernel.shape[1], d[1])
    out_h = (xp.shape[0] - k_h) // s[0] + 1
    out_w = (xp.shape[1] - k_w) // s[1] + 1
    out = np.zeros((out_h, out_w))
    for i in range(out_h):
        for j in range(out_w):
            top, left = i * s[0], j * s[1]
            patch = xp[top : top + k_h : d[0], left : left + k_w : d[1]]
            out[i, j] = np.sum(patch * kernel)
    return out


def _windows(xp: np.ndarray, kernel, stride, dilation) -> np.ndarray:
    """Strided, dilated windows of a padded NHWC batch: (N, H', W', C, K_h, K_w)."""
    k_h = effective_kernel_size(kernel[0], dilation[0])
    k_w = effective_kernel_size(kernel[1], dilation[1])
    win = sliding_window_view(xp, (k_h, k_w), axis=(1, 2))
    return win[:, :: stride[0], :: stride[1], :, :: dilation[0], :: dilation[1]]


def conv2d(
    x: np.ndarray,
    kernels: np.ndarray,
    bias: np.ndarray | None = None,
    stride: Any = 1,
    padding: Any = "valid",
    dilation: Any = 1,
    groups: int = 1,
) -> np.ndarray:
    """Batched multi-channel 2-D convolution in NumPy, laid out like Keras.

    Computes the cross-correlation ``keras.layers.Conv2D`` computes (no kernel
    flip), vectorised with ``sliding_window_view`` and ``einsum``. ``"same"`` uses
    TensorFlow's padding (extra pixel bottom/right).

    Args:
        x: Batch of shape ``(N, H, W, C_in)``.
        kernels: Kernel of shape ``(K_h, K_w, C_in / groups, C_out)`` (HWIO), as
            ``layer.kernel`` of a Keras ``Conv2D``.
        bias: Optional bias of shape ``(C_out,)``.
        stride: Int or ``(S_h, S_w)``.
        padding: Int, ``"valid"``, ``"same"``, ``"full"``, ``(pad_h, pad_w)`` or
            ``((top, bottom), (left, right))``.
        dilation: Int or ``(D_h, D_w)``.
        groups: Channel groups; each sees ``C_in / groups`` input channels.

    Returns:
        Output of shape ``(N, H_out, W_out, C_out)`` (float64).

    Example:
        >>> conv2d(np.ones((1, 5, 5, 1)), np.ones((3, 3, 1, 2)), padding="same").shape
        (1, 5, 5, 2)

    See: lessons/03_convolution_arithmetic.ipynb
    """
    x, kernels = np.asarray(x, dtype=float), np.asarray(kernels, dtype=float)
    groups = _check_positive("groups", groups)
    if x.ndim != 4 or kernels.ndim != 4:
        raise ValueError(
            "conv2d takes x of shape (N, H, W, C_in) and kernels of shape "
            f"(K_h, K_w, C_in / groups, C_out). Received: x.shape={x.shape}, "
            f"kernels.shape={kernels.shape}"
        )
    c_in, c_out = x.shape[-1], kernels.shape[-1]
    if kernels.shape[2] * groups != c_in or c_out % groups:
        raise ValueError(
            "The kernel must have C_in / groups input channels and C_out divisible by "
            f"groups. Received: x.shape={x.shape}, kernels.shape={kernels.shape}, "
            f"groups={groups}"
        )
    s, d = _pair("stride", stride), _pair("dilation", dilation)
    pads = _pads_2d(x.shape[1:3], kernels.shape[:2], s, d, padding)
    _check_fits(x.shape[1:3], pads, kernels.shape[:2], d, padding)
    xp = np.pad(x, ((0, 0), *pads, (0, 0)))
    win = _windows(xp, kernels.shape[:2], s, d)  # (N, H', W', C_in, K_h, K_w)
    n, h, w = win.shape[:3]
    win = win.reshape(n, h, w, groups, c_in // groups, *kernels.shape[:2])
    k = kernels.reshape(*kernels.shape[:3], groups, c_out // groups)
    out = np.einsum("nhwgcij,ijcgo->nhwgo", win, k).reshape(n, h, w, c_out)
    if bias is not None:
        out = out + np.asarray(bias, dtype=float)
    return out


def conv_transpose2d(
    x: np.ndarray,
    kernels: np.ndarray,
    bias: np.ndarray | None = None,
    stride: Any = 1,
    padding: str = "valid",
    output_padding: Any = None,
    dilation: Any = 1,
) -> np.ndarray:
    """Transposed convolution as its equivalent direct convolution, in NumPy.

    Follows ``transposed_conv_equivalent`` on each axis: insert ``S - 1`` zeros
    between input units, pad (or crop), and run a stride-1 ``conv2d`` with the
    spatially flipped kernel. Matches ``keras.layers.Conv2DTranspose``.

    Args:
        x: Batch of shape ``(N, H, W, C_in)``.
        kernels: Kernel of shape ``(K_h, K_w, C_out, C_in)``, as ``layer.kernel``
            of a Keras ``Conv2DTranspose`` (note the swapped channel axes).
        bias: Optional bias of shape ``(C_out,)``.
        stride: Int or ``(S_h, S_w)``.
        padding: ``"valid"``, ``"same"``, an int or ``(before, after)`` for both
            axes.
        output_padding: ``None``, an int or ``(a_h, a_w)``.
        dilation: Int or ``(D_h, D_w)``.

    Returns:
        Output of shape ``(N, H_out, W_out, C_out)`` (float64).

    Example:
        >>> conv_transpose2d(np.ones((1,2,2,1)), np.ones((3,3,1,1)), stride=2).shape
        (1, 5, 5, 1)

    See: lessons/03_convolution_arithmetic.ipynb
    """
    x, kernels = np.asarray(x, dtype=float), np.asarray(kernels, dtype=float)
    if x.ndim != 4 or kernels.ndim != 4 or kernels.shape[3] != x.shape[3]:
        raise ValueError(
            "conv_transpose2d takes x of shape (N, H, W, C_in) and kernels of shape "
            f"(K_h, K_w, C_out, C_in). Received: x.shape={x.shape}, "
            f"kernels.shape={kernels.shape}"
        )
    s, d = _pair("stride", stride), _pair("dilation", dilation)
    if output_padding is None or _is_int(output_padding):
        output_padding = (output_padding, output_padding)
    eq = [
        transposed_conv_equivalent(
            x.shape[1 + a], kernels.shape[a], s[a], padding, output_padding[a], d[a]
        )
        for a in range(2)
    ]
    n, c_in = x.shape[0], x.shape[3]
    stretched = np.zeros((n, eq[0].stretched_size, eq[1].stretched_size, c_in))
    stretched[:, :: s[0], :: s[1], :] = x
    # Negative padding crops.
    crops = [tuple(max(-p, 0) for p in e.padding) for e in eq]
    pads = [tuple(max(p, 0) for p in e.padding) for e in eq]
    stretched = np.pad(stretched, ((0, 0), *pads, (0, 0)))
    stretched = stretched[
        :,
        crops[0][0] : stretched.shape[1] - crops[0][1],
        crops[1][0] : stretched.shape[2] - crops[1][1],
    ]
    flipped = kernels[::-1, ::-1].transpose(0, 1, 3, 2)  # to HWIO
    return conv2d(stretched, flipped, bias, stride=1, padding=0, dilation=d)


def _pool(x, pool, stride, padding, fill, reduce):
    x = np.asarray(x, dtype=float)
    if x.ndim != 4:
        raise ValueError(
            f"Pooling takes x of shape (N, H, W, C). Received: x.shape={x.shape}"
        )
    p = _pair("pool", pool)
    s = p if stride is None else _pair("stride", stride)
    pads = _pads_2d(x.shape[1:3], p, s, (1, 1), padding)
    _check_fits(x.shape[1:3], pads, p, (1, 1), padding)
    xp = np.pad(x, ((0, 0), *pads, (0, 0)), constant_values=fill)
    return reduce(_windows(xp, p, s, (1, 1)), pads, p, s, x.shape)


def max_pool(
    x: np.ndarray, pool: Any, stride: Any = None, padding: Any = "valid"
) -> np.ndarray:
    """Max pooling in NumPy, like ``keras.layers.MaxPooling2D`` (NHWC).

    Padding never wins the max (it is filled with ``-inf``).

    Args:
        x: Batch of shape ``(N, H, W, C)``.
        pool: Int or ``(P_h, P_w)``.
        stride: Int, pair, or ``None`` for ``pool``.
        padding: ``"valid"``, ``"same"`` or explicit padding as in ``conv2d``.

    Returns:
        Pooled batch ``(N, H_out, W_out, C)``.

    Example:
        >>> max_pool(np.arange(16.0).reshape(1, 4, 4, 1), 2)[0, :, :, 0]
        array([[ 5.,  7.],
               [13., 15.]])

    See: lessons/03_convolution_arithmetic.ipynb
    """
    return _pool(x, pool, stride, padding, -np.inf, lambda w, *_: w.max(axis=(-2, -1)))


def avg_pool(
    x: np.ndarray, pool: Any, stride: Any = None, padding: Any = "valid"
) -> np.ndarray:
    """Average pooling in NumPy, like ``keras.layers.AveragePooling2D`` (NHWC).

    With padding, each window is divided by the number of *real* pixels in it
    (padding is not counted), as Keras/TensorFlow do for ``"same"``.

    Args:
        x: Batch of shape ``(N, H, W, C)``.
        pool: Int or ``(P_h, P_w)``.
        stride: Int, pair, or ``None`` for ``pool``.
        padding: ``"valid"``, ``"same"`` or explicit padding as in ``conv2d``.

    Returns:
        Pooled batch ``(N, H_out, W_out, C)``.

    Example:
        >>> avg_pool(np.ones((1, 3, 3, 1)), 2, padding="same")[0, :, :, 0]
        array([[1., 1.],
               [1., 1.]])

    See: lessons/03_convolution_arithmetic.ipynb
    """

    def mean(win, pads, p, s, shape):
        ones = np.pad(np.ones((1, *shape[1:3], 1)), ((0, 0), *pads, (0, 0)))
        counts = _windows(ones, p, s, (1, 1)).sum(axis=(-2, -1))
        return win.sum(axis=(-2, -1)) / counts

    return _pool(x, pool, stride, padding, 0.0, mean)
