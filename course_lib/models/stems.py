"""Lesson 06b's first-layer (stem) experiment: AlexNet's 11x11/4 vs ZFNet's 7x7/2.

Zeiler and Fergus (2014) found AlexNet's first layer, 11x11 filters with stride 4,
full of aliasing artefacts and dead filters, and replaced it with 7x7 filters with
stride 2. The experiment trains the same small network with each stem on CIFAR-10
images enlarged to 64x64, then measures the trained filters:

- ``stem_net``: the stem under test (``stem_conv``), then just enough network to
  train it;
- ``upsample``: CIFAR-10's 32x32 images resized (bilinear) to 64x64, so that an
  11x11/4 stem has room to work;
- ``high_frequency_share``: per filter, the share of its spectral energy above the
  Nyquist frequency of its stride, the part that aliases.

``benchmarks/full_runs.py zfnet_stems`` runs it and records the results that the
lesson reads. Keras and NumPy only: it runs on every Keras 3 backend.

See: lessons/06b_zfnet.ipynb.
"""

import keras
import numpy as np
from keras import layers

from course_lib._util import check_choice, is_int
from course_lib.models import _validation
from course_lib.models._common import model_input

__all__ = ["high_frequency_share", "stem_net", "upsample"]


def stem_net(
    kernel,
    stride,
    padding="valid",
    *,
    filters=48,
    input_shape=(64, 64, 3),
    num_classes=10,
    name=None,
):
    """A stem (first convolution) under test, then just enough network to train it.

    Layers: ``stem_conv`` (``filters`` ReLU filters of ``kernel`` x ``kernel``,
    stride ``stride``), ``stem_pool`` (3x3, stride 2), ``block1_conv1`` (64 filters,
    3x3, "same", ReLU), ``head_pool`` (global average), ``predictions`` (softmax).
    The experiment uses AlexNet's stem ``stem_net(11, 4, "valid")`` (45,834
    parameters) and ZFNet's ``stem_net(7, 2, "same")`` (35,466).

    Args:
        kernel: Kernel size of ``stem_conv``, an integer > 0.
        stride: Its stride, an integer > 0.
        padding: Its padding, ``"valid"`` or ``"same"``.
        filters: Its number of filters.
        input_shape: ``(height, width, channels)``; defaults to the experiment's
            64x64x3.
        num_classes: Number of classes, >= 2.
        name: Model name; defaults to ``"stem_net"``.

    Returns:
        A ``keras.Model``.

    Raises:
        ValueError: For an invalid argument, or an input too small for the stem
            and the pooling.

    Example:
        >>> model = stem_net(7, 2, "same", name="stem_zfnet")
        >>> model.get_layer("stem_conv").kernel_size
        (7, 7)

    See: lessons/06b_zfnet.ipynb.
    """
    input_shape, num_classes = _validation.check_common(
        input_shape=input_shape,
        num_classes=num_classes,
        include_top=True,
        pooling=None,
        name=name,
    )
    kernel = _validation.check_positive_ints("kernel", kernel)
    stride = _validation.check_positive_ints("stride", stride)
    check_choice("padding", padding, ("valid", "same"))
    filters = _validation.check_positive_ints("filters", filters)
    min_size = _validation.min_input_size([(kernel, stride, padding), (3, 2, "valid")])
    _validation.check_input_size(input_shape, min_size, model="stem_net")

    inputs = model_input(input_shape)
    x = layers.Conv2D(
        filters,
        kernel,
        strides=stride,
        padding=padding,
        activation="relu",
        name="stem_conv",
    )(inputs)
    x = layers.MaxPooling2D(3, strides=2, name="stem_pool")(x)
    x = layers.Conv2D(64, 3, padding="same", activation="relu", name="block1_conv1")(x)
    x = layers.GlobalAveragePooling2D(name="head_pool")(x)
    outputs = layers.Dense(num_classes, activation="softmax", name="predictions")(x)
    return keras.Model(inputs, outputs, name=name or "stem_net")


def upsample(images, size=64, chunk=2000):
    """Images resized (bilinear) to ``size`` x ``size``, as uint8.

    Uses ``keras.ops.image.resize`` (half-pixel centres, as ``tf.image.resize``),
    ``chunk`` images at a time so that the float32 copy stays small, then rounds
    back to 0..255.

    Args:
        images: uint8 (or float 0..255) images, ``(n, height, width, channels)``.
        size: Height and width of the result, an integer > 0.
        chunk: Images resized at a time, an integer > 0.

    Returns:
        A uint8 array ``(n, size, size, channels)``.

    Raises:
        ValueError: If ``images`` is not a batch of channels-last images, or
            ``size`` or ``chunk`` is not a positive integer.

    Example:
        >>> upsample(np.zeros((3, 32, 32, 3), np.uint8)).shape
        (3, 64, 64, 3)

    See: lessons/06b_zfnet.ipynb.
    """
    images = np.asarray(images)
    if images.ndim != 4:
        raise ValueError(
            "`images` must be a batch of images, (n, height, width, channels). "
            f"Received: images with shape {images.shape}"
        )
    size = _validation.check_positive_ints("size", size)
    chunk = _validation.check_positive_ints("chunk", chunk)
    parts = [np.zeros((0, size, size, images.shape[-1]), np.uint8)]
    for start in range(0, len(images), chunk):
        batch = images[start : start + chunk].astype("float32")
        resized = keras.ops.image.resize(
            batch, (size, size), interpolation="bilinear", data_format="channels_last"
        )
        resized = keras.ops.convert_to_numpy(resized)
        parts.append(np.clip(np.round(resized), 0, 255).astype(np.uint8))
    return np.concatenate(parts)


def high_frequency_share(kernel, stride, pad_to=32):
    """Per filter: the share of its spectral energy that its stride aliases.

    Each filter's mean is removed (a constant carries no pattern), its 2-D spectrum
    is taken on a ``pad_to`` x ``pad_to`` grid and summed over input channels; the
    share is the energy at frequencies above the Nyquist frequency of the stride,
    ``1 / (2 * stride)`` cycles per pixel along either axis, over the total. A
    convolution with stride ``s`` samples its output every ``s`` pixels, so those
    frequencies fold back as false, slower patterns.

    Args:
        kernel: Conv weights, ``(height, width, in_channels, filters)`` (what
            ``Conv2D.get_weights()[0]`` returns).
        stride: The convolution's stride, an integer > 0 (1 aliases nothing).
        pad_to: Size of the frequency grid, at least the kernel's size.

    Returns:
        A float64 array, one share in [0, 1] per filter.

    Raises:
        ValueError: For a kernel that is not 4-D, or an invalid stride or grid.

    Example:
        >>> stem = stem_net(11, 4).get_layer("stem_conv")
        >>> high_frequency_share(stem.get_weights()[0], 4).shape
        (48,)

    See: lessons/06b_zfnet.ipynb.
    """
    k = np.asarray(kernel, np.float64)
    if k.ndim != 4:
        raise ValueError(
            "`kernel` must be conv weights, (height, width, in_channels, filters). "
            f"Received: kernel with shape {k.shape}"
        )
    stride = _validation.check_positive_ints("stride", stride)
    if not (is_int(pad_to) and pad_to >= max(k.shape[:2])):
        raise ValueError(
            f"`pad_to` must be an integer >= the kernel's size {k.shape[:2]}. "
            f"Received: pad_to={pad_to!r}"
        )
    k = k - k.mean(axis=(0, 1), keepdims=True)
    spectrum = np.abs(np.fft.fft2(k, s=(pad_to, pad_to), axes=(0, 1))) ** 2
    spectrum = spectrum.sum(axis=2)  # over input channels -> (pad_to, pad_to, filters)
    freqs = np.abs(np.fft.fftfreq(pad_to))
    nyquist = 1 / (2 * stride)
    high = (freqs[:, None] > nyquist) | (freqs[None, :] > nyquist)
    return spectrum[high].sum(axis=0) / spectrum.sum(axis=(0, 1))
