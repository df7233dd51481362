"""Layers that Keras lacks, written with Keras layers and ``keras.ops`` only.

Every layer here is channels-last, runs on any Keras 3 backend, is registered for
serialisation under the ``course_lib`` package (so ``keras.models.load_model`` finds it
once ``course_lib.layers`` is imported) and validates its arguments with a ValueError
that states the rule and the received value.

- ``LocalResponseNormalization``: AlexNet's cross-channel normalisation (2012), also
  used by ZFNet and VGG's configuration A-LRN. See: lessons/06_alexnet_zfnet.ipynb.

Later lessons add their own layers here (``ChannelShuffle`` for ShuffleNet, lesson 11),
one class per layer, each with the same conventions.
"""

import numbers

import keras
from keras import ops

from course_lib._util import is_int

__all__ = ["LocalResponseNormalization"]


def _check_number(argument, value, *, minimum, strict=False, why=""):
    """Raises ValueError unless ``value`` is a real number above ``minimum``."""
    is_real = isinstance(value, numbers.Real) and not isinstance(value, bool)
    # Written so that NaN fails too.
    if not (is_real and (value > minimum if strict else value >= minimum)):
        bound = f"> {minimum}" if strict else f">= {minimum}"
        raise ValueError(
            f"`{argument}` must be a number {bound}{why}. "
            f"Received: {argument}={value!r}"
        )


@keras.saving.register_keras_serializable(package="course_lib")
class LocalResponseNormalization(keras.layers.Layer):
    """Local response normalisation across adjacent channels (Krizhevsky et al., 2012).

    Each activation is divided by a power of the summed squares of the activations at
    the same position in the ``2 * depth_radius + 1`` neighbouring channels (fewer at
    the edges of the channel axis):

        sqr_sum[..., c] = sum(x[..., c - depth_radius : c + depth_radius + 1] ** 2)
        y[..., c] = x[..., c] / (bias + alpha * sqr_sum[..., c]) ** beta

    The arguments and the formula are those of ``tf.nn.local_response_normalization``
    (this layer equals it to float32 precision; the tests check it), but the layer uses
    ``keras.ops`` only, so it runs on every Keras 3 backend.

    Mapping to the paper and to other libraries. The AlexNet paper (section 3.3)
    writes ``b = a / (k + alpha * sum_j a_j**2) ** beta`` over ``n`` adjacent maps,
    with ``k=2, n=5, alpha=1e-4, beta=0.75``. Its ``alpha`` multiplies the plain sum,
    as here, so the paper's constants map directly:

        bias = k = 2.0,  depth_radius = (n - 1) // 2 = 2,  alpha = 1e-4,  beta = 0.75

    These are the defaults. Caffe, PyTorch (``torch.nn.LocalResponseNorm``) and MXNet
    (and the cuda-convnet code AlexNet was trained with) divide ``alpha`` by the window
    size ``n`` instead: their ``LRN(size=n, alpha=a, ...)`` is this layer with
    ``alpha = a / n``. Use ``LocalResponseNormalization.from_caffe(...)`` to
    build a layer from those libraries' constants without doing that division by hand.

    Args:
        depth_radius: Half-width of the channel window, an integer >= 0. The window
            holds ``2 * depth_radius + 1`` channels (the paper's ``n``).
        bias: The additive constant (the paper's ``k``), a number > 0, so that the
            denominator never reaches zero.
        alpha: Scale of the sum of squares (the paper's ``alpha``), a number >= 0.
        beta: Exponent (the paper's ``beta``), a number >= 0.
        **kwargs: Standard layer arguments (``name``, ``dtype``, ...).

    Input shape:
        Any tensor of rank >= 2 with channels last; usually ``(batch, height, width,
        channels)``.

    Output shape:
        Same as the input.

    Example:
        >>> lrn = LocalResponseNormalization(name="block1_lrn")
        >>> lrn(keras.ops.ones((1, 4, 4, 8))).shape
        (1, 4, 4, 8)

    See: lessons/06_alexnet_zfnet.ipynb.
    """

    def __init__(self, depth_radius=2, bias=2.0, alpha=1e-4, beta=0.75, **kwargs):
        super().__init__(**kwargs)
        if not is_int(depth_radius) or depth_radius < 0:
            raise ValueError(
                "`depth_radius` must be an integer >= 0 (the window holds "
                "2 * depth_radius + 1 channels). "
                f"Received: depth_radius={depth_radius!r}"
            )
        _check_number(
            "bias", bias, minimum=0, strict=True, why=" (it keeps the denominator > 0)"
        )
        _check_number("alpha", alpha, minimum=0)
        _check_number("beta", beta, minimum=0)
        self.depth_radius = int(depth_radius)
        self.bias = float(bias)
        self.alpha = float(alpha)
        self.beta = float(beta)
        self.supports_masking = True

    @classmethod
    def from_caffe(cls, size=5, alpha=1e-4, beta=0.75, k=1.0, **kwargs):
        """Builds the layer from Caffe's constants (alpha divided by the window size).

        Caffe's ``LRN`` layer, ``torch.nn.LocalResponseNorm`` and MXNet's ``LRN`` share
        this convention (it comes from cuda-convnet, the code AlexNet was trained with).

        Those libraries compute ``a / (k + alpha / size * sum_j a_j**2) ** beta``; this
        returns the equivalent layer, with ``depth_radius = (size - 1) // 2`` and
        ``alpha = alpha / size``.

        Args:
            size: Number of channels in the window, an odd integer >= 1 (an even size
                gives an asymmetric window in those libraries, which this layer does
                not model).
            alpha: Their ``alpha``, before the division by ``size``.
            beta: Their ``beta``.
            k: Their ``k`` (this layer's ``bias``).
            **kwargs: Standard layer arguments (``name``, ...).

        Returns:
            A ``LocalResponseNormalization`` layer.

        Example:
            >>> lrn = LocalResponseNormalization.from_caffe(size=5, alpha=1e-4)
            >>> lrn.alpha  # 1e-4 / 5
            2e-05
        """
        if not is_int(size) or size < 1 or size % 2 == 0:
            raise ValueError(
                "`size` must be an odd integer >= 1 (a symmetric channel window). "
                f"Received: size={size!r}"
            )
        # Checked before the division, so that the message shows the value given.
        _check_number("alpha", alpha, minimum=0)
        return cls(
            depth_radius=(size - 1) // 2,
            bias=k,
            alpha=alpha / size,
            beta=beta,
            **kwargs,
        )

    def call(self, inputs):
        # Sum the squares in float32 at least: in float16, squares of activations
        # above 256 overflow, which mixed-precision training would otherwise hit.
        low_precision = self.compute_dtype in ("float16", "bfloat16")
        x = ops.cast(inputs, "float32" if low_precision else self.compute_dtype)
        squares = ops.square(x)
        r = self.depth_radius
        if r > 0:
            # Zero-pad the channel axis, then add the 2r+1 shifted copies: a window
            # sum in O(channels * window) that clips at the edges like TensorFlow's.
            channels = ops.shape(squares)[-1]
            pad = [[0, 0]] * (len(squares.shape) - 1) + [[r, r]]
            padded = ops.pad(squares, pad)
            sqr_sum = padded[..., 0:channels]
            for offset in range(1, 2 * r + 1):
                sqr_sum = sqr_sum + padded[..., offset : offset + channels]
        else:
            sqr_sum = squares
        outputs = x / ops.power(self.bias + self.alpha * sqr_sum, self.beta)
        return ops.cast(outputs, self.compute_dtype)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update(
            {
                "depth_radius": self.depth_radius,
                "bias": self.bias,
                "alpha": self.alpha,
                "beta": self.beta,
            }
        )
        return config
