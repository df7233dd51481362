"""Receptive fields: the textbook recurrence, and per-layer tables of Keras models.

For each layer: the receptive field (input pixels that can affect one output unit),
the jump (distance in input pixels between neighbouring output units) and the start
(centre of the first output unit's field), following Araujo, Norris & Sim,
"Computing Receptive Fields of Convolutional Neural Networks", Distill 2019, and Dang
Ha The Hien's "A guide to receptive field arithmetic for Convolutional Neural
Networks" (2017).

Pixel coordinates are indices: the centre of the first input pixel is 0. Dang Ha The
Hien's article measures from the pixel edge instead, so its starts are 0.5 larger.
``course_lib.arithmetic.measured`` checks these formulas against gradients.

See: lessons/04_receptive_fields.ipynb
"""

from __future__ import annotations

import dataclasses
import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from course_lib._util import closest_names
from course_lib.arithmetic._args import check_positive, padding_mode
from course_lib.arithmetic._graph import Step, input_shapes, walk
from course_lib.arithmetic.sizes import (
    conv_output_size,
    effective_kernel_size,
    resolve_padding,
)

__all__ = [
    "ReceptiveFieldRow",
    "RecurrenceRow",
    "receptive_field",
    "receptive_field_of",
    "receptive_field_recurrence",
]


# ---------------------------------------------------------------------------
# One axis, one layer: the recurrence both tables use.
# ---------------------------------------------------------------------------


def _known_padding(
    size: int | None, kernel: int, stride: int, dilation: int, padding: Any
) -> tuple[int, int] | None:
    """``(before, after)`` padding, or ``None`` when it depends on an unknown size."""
    if size is not None:
        return resolve_padding(size, kernel, stride, dilation, padding)
    if padding_mode(padding) == "same":
        # TensorFlow's "same" pads K' - 1 in total whatever the size, but only for
        # unit stride; with a larger stride the total depends on the size.
        if stride != 1:
            return None
        total = effective_kernel_size(kernel, dilation) - 1
        return total // 2, total - total // 2
    return resolve_padding(1, kernel, stride, dilation, padding)


def _next(
    rf: int, jump: int, start: float | None, k_eff: int, stride: int, before
) -> tuple[int, int, float | None]:
    """``(r, j, start)`` after one layer; an unknown start or padding stays unknown."""
    if start is not None and before is not None:
        start = start + ((k_eff - 1) / 2 - before) * jump
    else:
        start = None
    return rf + (k_eff - 1) * jump, jump * stride, start


# ---------------------------------------------------------------------------
# The recurrence on a list of layers.
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
        input_size = check_positive("input_size", input_size)
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
        stride = check_positive("stride", stride)
        pads = _known_padding(size, kernel, stride, dilation, padding)
        if size is not None:
            size = conv_output_size(size, kernel, stride, padding, dilation)
        before = None if pads is None else pads[0]
        rf, jump, start = _next(rf, jump, start, k_eff, stride, before)
        rows.append(
            RecurrenceRow(kernel, stride, pads, dilation, rf, jump, start, size)
        )
    return rows


# ---------------------------------------------------------------------------
# Per-layer tables of Keras models.
# ---------------------------------------------------------------------------


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
            for r, s in zip(self.receptive_field, self.start, strict=True)
        )


@dataclass(frozen=True)
class _Field:
    rf: tuple[int, int]
    jump: tuple[int, int]
    start: tuple[float | None, float | None]
    is_global: bool = False


@functools.cache
def _layer_groups() -> dict[str, tuple]:
    """The layer types the table knows, by how they change the field."""
    import keras

    L = keras.layers
    return {
        "conv": (L.Conv2D, L.DepthwiseConv2D, L.SeparableConv2D),
        "pool": (L.MaxPooling2D, L.AveragePooling2D),
        "global": (L.GlobalAveragePooling2D, L.GlobalMaxPooling2D),
        "shift": (L.ZeroPadding2D, L.Cropping2D),
        "unsupported": (L.Conv2DTranspose, L.UpSampling2D),
    }


def _windowed_field(
    field: _Field, in_size: tuple, kernel, stride, dilation, padding: str
) -> _Field:
    """The field after a convolution or pooling window, axis by axis."""
    rf, jump, start = [], [], []
    for a in range(2):
        k_eff = effective_kernel_size(kernel[a], dilation[a])
        pads = _known_padding(in_size[a], kernel[a], stride[a], dilation[a], padding)
        before = None if pads is None else pads[0]
        r, j, s = _next(
            field.rf[a], field.jump[a], field.start[a], k_eff, stride[a], before
        )
        rf.append(r)
        jump.append(j)
        start.append(s)
    return _Field(tuple(rf), tuple(jump), tuple(start))


def _shifted_field(field: _Field, layer: Any) -> _Field:
    """Zero padding moves the first unit's centre back, cropping moves it on."""
    if hasattr(layer, "cropping"):
        shift = [layer.cropping[a][0] for a in range(2)]
    else:
        shift = [-layer.padding[a][0] for a in range(2)]
    start = tuple(
        None if s is None else s + d * j
        for s, d, j in zip(field.start, shift, field.jump, strict=True)
    )
    return dataclasses.replace(field, start=start)


def _widest_field(fields: list[_Field]) -> _Field:
    """A merge's field: per axis, the input field that is largest.

    The output depends on everything any input saw. (In the networks Keras ships,
    branches are aligned, so the jumps and centres agree.)
    """
    best = [max(range(len(fields)), key=lambda i: fields[i].rf[a]) for a in range(2)]
    return _Field(
        tuple(fields[best[a]].rf[a] for a in range(2)),
        tuple(fields[best[a]].jump[a] for a in range(2)),
        tuple(fields[best[a]].start[a] for a in range(2)),
    )


def _rf_step(
    step: Step, fields: dict, image_size: tuple
) -> tuple[ReceptiveFieldRow, _Field]:
    """Receptive field of one layer call from the fields of its inputs."""
    groups = _layer_groups()
    layer = step.layer
    out_shape = step.out_shapes[0]
    out_size = tuple(out_shape[1:3]) if len(out_shape) == 4 else None
    kernel = stride = dilation = None
    ins = [fields[k] for k in step.in_keys]
    if not ins:
        field = _Field((1, 1), (1, 1), (0.0, 0.0))
    elif getattr(layer, "data_format", "channels_last") == "channels_first":
        raise ValueError(
            "Receptive fields are computed for channels-last images only. "
            f"Received: layer {step.name!r} with data_format='channels_first'"
        )
    elif (
        any(f.is_global for f in ins)
        or isinstance(layer, groups["global"])
        or out_size is None
        or any(len(s) != 4 for s in step.in_shapes)
    ):
        field = _Field(image_size, (1, 1), (None, None), is_global=True)
    elif isinstance(layer, groups["conv"] + groups["pool"]):
        stride = tuple(layer.strides)
        if isinstance(layer, groups["conv"]):
            kernel, dilation = tuple(layer.kernel_size), tuple(layer.dilation_rate)
        else:
            kernel = tuple(layer.pool_size)
        field = _windowed_field(
            ins[0],
            step.in_shapes[0][1:3],
            kernel,
            stride,
            dilation or (1, 1),
            layer.padding.lower(),
        )
    elif isinstance(layer, groups["shift"]):
        field = _shifted_field(ins[0], layer)
    elif isinstance(layer, groups["unsupported"]) or any(
        s[1:3] != out_shape[1:3] for s in step.in_shapes
    ):
        raise ValueError(
            "receptive_field supports Conv2D, DepthwiseConv2D, SeparableConv2D, "
            "pooling, ZeroPadding2D, Cropping2D, global pooling and layers that keep "
            "the spatial size (upsampling and transposed convolutions are not "
            f"supported). Received: layer {step.name!r} of type "
            f"{type(layer).__name__}"
        )
    else:
        # Layers that keep the spatial size are pointwise in space (batch norm,
        # activations, dropout, 1x1 Dense) or merges.
        field = _widest_field(ins)
    row = ReceptiveFieldRow(
        name=step.name,
        layer_type=type(layer).__name__,
        output_size=out_size,
        kernel=kernel,
        stride=stride,
        dilation=dilation,
        receptive_field=image_size if field.is_global else field.rf,
        jump=None if field.is_global else field.jump,
        start=None if field.is_global else field.start,
        is_global=field.is_global,
    )
    return row, field


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
    shapes = input_shapes(model)
    if len(shapes) != 1 or len(shapes[0]) != 4:
        raise ValueError(
            "receptive_field needs a model with exactly one image input of shape "
            f"(batch, height, width, channels). Received: inputs {shapes}"
        )
    image_size = tuple(shapes[0][1:3])
    fields: dict = {}
    rows = []
    for step in walk(model):
        row, field = _rf_step(step, fields, image_size)
        for key in step.out_keys:
            fields[key] = field
        rows.append(row)
    return rows


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
    rows = receptive_field(model)
    for row in rows:
        if row.name == layer_name:
            return row
    close = closest_names(layer_name, [r.name for r in rows], n=5)
    hint = f" Closest layer names: {close}." if close else ""
    raise ValueError(
        f"receptive_field_of needs the name of a layer of the model.{hint} "
        f"Received: layer_name={layer_name!r}"
    )
