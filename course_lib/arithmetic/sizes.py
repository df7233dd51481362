"""Output sizes and padding of convolution, pooling and transposed convolution.

The relations of Dumoulin & Visin, "A guide to convolution arithmetic for deep
learning" (2016, arXiv:1603.07285), with the padding TensorFlow uses for ``"same"``
(the extra pixel goes after: bottom/right).

One-dimensional: each function takes one axis. ``padding`` is an int (both sides), a
``(before, after)`` pair, ``"valid"``, ``"same"`` (TensorFlow's rule) or ``"full"``
(``D(K-1)`` on each side).

See: lessons/03_convolution_arithmetic.ipynb
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from course_lib.arithmetic._args import (
    check_non_negative,
    check_positive,
    padding_mode,
)

__all__ = [
    "DirectConvEquivalent",
    "conv_output_size",
    "effective_kernel_size",
    "full_padding",
    "pool_output_size",
    "same_padding",
    "transposed_conv_equivalent",
    "transposed_conv_output_size",
]


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
    kernel = check_positive("kernel", kernel)
    dilation = check_positive("dilation", dilation)
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
    size = check_positive("size", size)
    stride = check_positive("stride", stride)
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
    size = check_positive("size", size)
    stride = check_positive("stride", stride)
    k_eff = effective_kernel_size(kernel, dilation)
    before, after = resolve_padding(size, kernel, stride, dilation, padding)
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
    pool = check_positive("pool", pool)
    stride = pool if stride is None else stride
    return conv_output_size(size, pool, stride, padding)


def resolve_padding(
    size: int, kernel: int, stride: int, dilation: int, padding: Any
) -> tuple[int, int]:
    """The ``(before, after)`` zeros a 1-D convolution adds to an input of ``size``.

    ``padding`` is anything ``conv_output_size`` accepts. The other arithmetic
    modules share this resolution, so ``"same"`` means TensorFlow's rule everywhere.

    Example:
        >>> resolve_padding(224, 3, 2, 1, "same")
        (0, 1)
    """
    mode = padding_mode(padding)
    if mode == "valid":
        return 0, 0
    if mode == "same":
        return same_padding(size, kernel, stride, dilation)
    if mode == "full":
        return full_padding(kernel, dilation), full_padding(kernel, dilation)
    return mode


def _check_output_padding(output_padding: Any, stride: int) -> int | None:
    if output_padding is None:
        return None
    output_padding = check_non_negative("output_padding", output_padding)
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
    size = check_positive("size", size)
    stride = check_positive("stride", stride)
    k_eff = effective_kernel_size(kernel, dilation)
    output_padding = _check_output_padding(output_padding, stride)
    mode = padding_mode(padding)
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
    mode = padding_mode(padding)
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
