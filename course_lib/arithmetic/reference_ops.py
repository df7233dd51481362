"""Readable NumPy references of convolution, pooling and local response normalisation.

Each matches its Keras (or course) layer on channels-last batches (NHWC, kernels
HWIO), with TensorFlow's ``"same"`` padding, and the tests check it does.
Two-dimensional ``padding`` is an int (all four sides), a string (``"valid"``,
``"same"``, ``"full"``), a pair ``(pad_h, pad_w)`` (symmetric, as
``keras.layers.ZeroPadding2D``) or a pair of pairs ``((top, bottom), (left, right))``.

See: lessons/03_convolution_arithmetic.ipynb; lessons/06a_alexnet.ipynb (LRN).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

from course_lib._util import is_int
from course_lib.arithmetic._args import (
    check_non_negative,
    check_positive,
    padding_per_axis,
    pair,
)
from course_lib.arithmetic.sizes import (
    effective_kernel_size,
    resolve_padding,
    transposed_conv_equivalent,
)

__all__ = [
    "avg_pool",
    "conv2d",
    "conv2d_loops",
    "conv_transpose2d",
    "local_response_normalization",
    "max_pool",
]


def _pads_2d(
    hw: tuple[int, int], kernel, stride, dilation, padding
) -> tuple[tuple[int, int], tuple[int, int]]:
    """``((top, bottom), (left, right))`` zeros for a 2-D padding argument."""
    per_axis = padding_per_axis(padding)
    return tuple(
        resolve_padding(hw[a], kernel[a], stride[a], dilation[a], per_axis[a])
        for a in range(2)
    )


def _check_fits(hw, pads, kernel, dilation, padding) -> None:
    """Raises unless the (dilated) kernel fits in the padded input on both axes."""
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
    s, d = pair("stride", stride), pair("dilation", dilation)
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
    groups = check_positive("groups", groups)
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
    s, d = pair("stride", stride), pair("dilation", dilation)
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
    s, d = pair("stride", stride), pair("dilation", dilation)
    if output_padding is None or is_int(output_padding):
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
    """Pads with ``fill`` and hands the windows to ``reduce``; shared by both pools."""
    x = np.asarray(x, dtype=float)
    if x.ndim != 4:
        raise ValueError(
            f"Pooling takes x of shape (N, H, W, C). Received: x.shape={x.shape}"
        )
    p = pair("pool", pool)
    s = p if stride is None else pair("stride", stride)
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


def local_response_normalization(
    x: np.ndarray, *, depth_radius: int, bias: float, alpha: float, beta: float
) -> np.ndarray:
    """Local response normalisation across channels, the formula written out in NumPy.

    Krizhevsky, Sutskever and Hinton (2012), section 3.3: the activity ``a_i`` of
    channel ``i`` at one position is divided by a power of the summed squares of the
    ``n`` adjacent channels at the same position (fewer at the ends of the channel
    axis)::

        b_i = a_i / (k + alpha * sum_j a_j^2)^beta,
        j from max(0, i - n/2) to min(N - 1, i + n/2)

    The arguments follow ``tf.nn.local_response_normalization`` (and the course's
    ``LocalResponseNormalization`` layer): ``depth_radius`` is ``n // 2``, ``bias``
    is ``k``, and ``alpha`` multiplies the plain sum as in the paper. The paper's
    constants are ``depth_radius=2, bias=2.0, alpha=1e-4, beta=0.75``. Caffe and
    PyTorch divide ``alpha`` by ``n``: pass ``alpha / n`` to reproduce them.

    Args:
        x: Activations with channels last, any rank >= 1, e.g. ``(N, H, W, C)``.
        depth_radius: Half-width of the channel window, an integer >= 0.
        bias: The additive constant ``k``.
        alpha: The scale of the sum of squares.
        beta: The exponent.

    Returns:
        The normalised activations, same shape as ``x`` (float64).

    Example:
        >>> a = np.array([1.0, 0.0, 3.0])
        >>> local_response_normalization(a, depth_radius=1, bias=1.0, alpha=1.0,
        ...                              beta=1.0)  # 1 / (1 + 1), 0, 3 / (1 + 9)
        array([0.5, 0. , 0.3])

    See: lessons/06a_alexnet.ipynb
    """
    x = np.asarray(x, dtype=float)
    if x.ndim < 1:
        raise ValueError(
            "local_response_normalization takes activations with a channel axis "
            f"(the last one). Received: x.shape={x.shape}"
        )
    radius = check_non_negative("depth_radius", depth_radius)
    channels = x.shape[-1]
    out = np.empty_like(x)
    for i in range(channels):
        low, high = max(0, i - radius), min(channels - 1, i + radius)
        sqr_sum = np.sum(x[..., low : high + 1] ** 2, axis=-1)
        out[..., i] = x[..., i] / (bias + alpha * sqr_sum) ** beta
    return out
