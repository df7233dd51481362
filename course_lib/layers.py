"""Layers that Keras lacks, written with Keras layers and ``keras.ops`` only.

Every layer here is channels-last, runs on any Keras 3 backend, is registered for
serialisation under the ``course_lib`` package (so ``keras.models.load_model`` finds it
once ``course_lib.layers`` is imported) and validates its arguments with a ValueError
that states the rule and the received value.

- ``LocalResponseNormalization``: AlexNet's cross-channel normalisation (2012), also
  used by ZFNet and VGG's configuration A-LRN. See: lessons/06a_alexnet.ipynb.
- ``ChannelPadding``: zero channels appended to a tensor, the parameter-free shortcut
  of ResNet's option A (He et al., 2015). See: lessons/09_resnet.ipynb.
- ``ChannelShuffle``: ShuffleNet's channel shuffle (Zhang et al., 2017), which lets
  the next group convolution see every group. See: lessons/11_lightweight_nets.ipynb.
- ``ChannelSplit``: the channels cut into equal parts, ShuffleNet v2's channel split
  (Ma et al., 2018). See: lessons/11_lightweight_nets.ipynb.

Later lessons add their own layers here (``ChannelShuffle`` for ShuffleNet, lesson 11),
one class per layer, each with the same conventions.
"""

import numbers

import keras
from keras import ops

from course_lib._util import is_int

__all__ = [
    "ChannelPadding",
    "ChannelShuffle",
    "ChannelSplit",
    "LocalResponseNormalization",
]


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

    See: lessons/06a_alexnet.ipynb.
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


@keras.saving.register_keras_serializable(package="course_lib")
class ChannelPadding(keras.layers.Layer):
    """Pads the channel axis with zeros: ResNet's parameter-free "option A" shortcut.

    When a residual stage doubles the channels, He et al. (2015, section 3.3 and
    4.2) keep the shortcut an identity by padding the extra channels with zeros
    (option A) instead of projecting with a 1x1 convolution (option B). This layer
    does the padding; subsampling the spatial axes is a separate layer
    (``MaxPooling2D(1, strides=2)`` takes every other pixel).

    ``ZeroPadding2D`` pads height and width; this is the same for the last axis:

        y = concatenate([zeros(before), x, zeros(after)], axis=-1)

    Args:
        padding: An int ``p`` (``p`` zero channels before and ``p`` after, as
            ``ZeroPadding2D(p)`` pads both sides) or a pair ``(before, after)`` of
            ints >= 0.
        **kwargs: Standard layer arguments (``name``, ``dtype``, ...).

    Input shape:
        Any tensor of rank >= 2 with channels last.

    Output shape:
        The input's, with ``before + after`` more channels.

    Example:
        >>> pad = ChannelPadding((0, 16), name="stage2_block1_shortcut_pad")
        >>> pad(keras.ops.ones((1, 8, 8, 16))).shape
        (1, 8, 8, 32)

    See: lessons/09_resnet.ipynb.
    """

    def __init__(self, padding=1, **kwargs):
        super().__init__(**kwargs)
        if is_int(padding) and padding >= 0:
            padding = (padding, padding)
        if not (
            isinstance(padding, (tuple, list))
            and len(padding) == 2
            and all(is_int(p) and p >= 0 for p in padding)
        ):
            raise ValueError(
                "`padding` must be an integer >= 0 (zero channels on each side) or a "
                f"pair (before, after) of them. Received: padding={padding!r}"
            )
        self.padding = (int(padding[0]), int(padding[1]))
        self.supports_masking = True

    def call(self, inputs):
        pad = [[0, 0]] * (len(inputs.shape) - 1) + [list(self.padding)]
        return ops.pad(inputs, pad)

    def compute_output_shape(self, input_shape):
        channels = input_shape[-1]
        if channels is not None:
            channels += sum(self.padding)
        return (*input_shape[:-1], channels)

    def get_config(self):
        config = super().get_config()
        config.update({"padding": self.padding})
        return config


def _check_count(argument, value, what):
    """Raises ValueError unless ``value`` is an integer >= 1; returns it as an int."""
    if not is_int(value) or value < 1:
        raise ValueError(
            f"`{argument}` must be an integer >= 1 ({what}). "
            f"Received: {argument}={value!r}"
        )
    return int(value)


def _check_channels_split(layer, input_shape, parts, argument):
    """Raises ValueError unless the static channel count splits into ``parts``."""
    channels = input_shape[-1] if len(input_shape) >= 2 else None
    if channels is None:
        raise ValueError(
            f"{type(layer).__name__} needs inputs of rank >= 2 with a known number "
            f"of channels (the last axis). Received: input_shape={tuple(input_shape)}"
        )
    if channels % parts:
        raise ValueError(
            f"{type(layer).__name__} cuts the channels (the last axis) into {parts} "
            f"equal parts, so `{argument}` must divide the {channels} channels: pick "
            f"a divisor of {channels}, or give the layer before a multiple of "
            f"{parts} channels. Received: {argument}={parts} for input_shape="
            f"{tuple(input_shape)}"
        )


@keras.saving.register_keras_serializable(package="course_lib")
class ChannelShuffle(keras.layers.Layer):
    """Channel shuffle (Zhang et al., 2017): interleaves the channels of g groups.

    A group convolution with ``g`` groups computes each output group from one input
    group only, so a stack of them keeps the groups apart. ShuffleNet's remedy: view
    the ``C = g * n`` channels as a ``(g, n)`` grid, transpose it to ``(n, g)`` and
    flatten it back, so that every group of the next group convolution receives
    channels from every group of this one (from ``n`` of them when ``n < g``).
    Output channel ``b * g + a`` is input channel ``a * n + b`` (channel ``b`` of
    group ``a``). With 6 channels and 2 groups, ``[0 1 2 | 3 4 5]`` becomes
    ``[0 3 1 4 2 5]``; with 3 groups, ``[0 1 | 2 3 | 4 5]`` becomes
    ``[0 2 4 1 3 5]``.

    It is a fixed permutation of the channels: no weights, no arithmetic, the same at
    every position. The layer does the paper's reshape, transpose and reshape with
    ``keras.ops``, so it runs on every Keras 3 backend (torchvision's
    ``channel_shuffle`` does the same on channels-first tensors).

    Args:
        groups: Number of groups, an integer >= 1 that divides the channels (1 leaves
            the input unchanged).
        **kwargs: Standard layer arguments (``name``, ``dtype``, ...).

    Input shape:
        Any tensor of rank >= 2 with channels last and a known number of channels,
        usually ``(batch, height, width, channels)``.

    Output shape:
        Same as the input.

    Raises:
        ValueError: If ``groups`` is not an integer >= 1, or (when the layer is
            built) does not divide the number of channels.

    Example:
        >>> x = keras.ops.reshape(keras.ops.arange(6.0), (1, 1, 1, 6))
        >>> ChannelShuffle(groups=2)(x)[0, 0, 0]  # channels 0 3 1 4 2 5

    See: lessons/11_lightweight_nets.ipynb.
    """

    def __init__(self, groups, **kwargs):
        super().__init__(**kwargs)
        self.groups = _check_count("groups", groups, "the number of channel groups")
        self.supports_masking = True

    def build(self, input_shape):
        _check_channels_split(self, input_shape, self.groups, "groups")

    def call(self, inputs):
        shape = ops.shape(inputs)
        per_group = inputs.shape[-1] // self.groups  # static: checked in build()
        grid = ops.reshape(inputs, (*shape[:-1], self.groups, per_group))
        return ops.reshape(ops.swapaxes(grid, -1, -2), shape)

    def compute_output_shape(self, input_shape):
        return input_shape

    def get_config(self):
        config = super().get_config()
        config.update({"groups": self.groups})
        return config


@keras.saving.register_keras_serializable(package="course_lib")
class ChannelSplit(keras.layers.Layer):
    """Cuts the channels into ``num_splits`` equal, consecutive parts.

    ShuffleNet v2's basic unit (Ma et al., 2018) starts with a channel split: one half
    of the channels passes through untouched, the other goes through the
    convolutions, and a concatenation followed by a ``ChannelShuffle`` mixes them
    again. ``keras.ops.split`` does the cut, but it is an operation, not a layer that
    a model can name; this layer wraps it.

    Args:
        num_splits: Number of parts, an integer >= 1 that divides the channels.
        **kwargs: Standard layer arguments (``name``, ``dtype``, ...).

    Input shape:
        Any tensor of rank >= 2 with channels last and a known number of channels.

    Output shape:
        A list of ``num_splits`` tensors with ``channels / num_splits`` channels each,
        the first holding the first channels.

    Raises:
        ValueError: If ``num_splits`` is not an integer >= 1, or (when the layer is
            built) does not divide the number of channels.

    Example:
        >>> left, right = ChannelSplit(2)(keras.ops.ones((1, 4, 4, 6)))
        >>> left.shape, right.shape
        ((1, 4, 4, 3), (1, 4, 4, 3))

    See: lessons/11_lightweight_nets.ipynb.
    """

    def __init__(self, num_splits=2, **kwargs):
        super().__init__(**kwargs)
        self.num_splits = _check_count("num_splits", num_splits, "the number of parts")

    def build(self, input_shape):
        _check_channels_split(self, input_shape, self.num_splits, "num_splits")

    def call(self, inputs):
        return ops.split(inputs, self.num_splits, axis=-1)

    def compute_output_shape(self, input_shape):
        channels = input_shape[-1] // self.num_splits
        return [(*input_shape[:-1], channels) for _ in range(self.num_splits)]

    def get_config(self):
        config = super().get_config()
        config.update({"num_splits": self.num_splits})
        return config
