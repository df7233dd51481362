"""Argument checks shared by every builder, with keras.applications' message shape.

Each check raises ``ValueError`` before Keras would, with a message that states the
rule and ends with ``Received: <argument>=<value>``, e.g.

    Input size must be at least 32x32 for vgg16 (...). Received: input_shape=(16, 16, 3)

Builders call these helpers (and ``course_lib._util``'s ``check_choice``); none
repeats a check of its own. The registry checks argument names and flags (``True`` /
``False`` arguments) before a builder runs; see ``_registry.register_model``.
"""

import numbers

from course_lib._util import is_int
from course_lib.arithmetic import conv_output_size

__all__ = [
    "check_common",
    "check_dropout",
    "check_groups",
    "check_input_size",
    "check_positive_ints",
    "min_input_size",
]

_POOLING_CHOICES = (None, "avg", "max")


def check_common(*, input_shape, num_classes, include_top, pooling, name):
    """Checks the arguments every builder shares; returns them as Python ints.

    Args:
        input_shape: ``(height, width, channels)``, positive integers (Python or
            NumPy), channels last.
        num_classes: Number of classes, an integer >= 2 (Python or NumPy); checked
            only when ``include_top`` (keras.applications ignores ``classes``
            without a top).
        include_top: Whether the classifier head is built.
        pooling: ``None``, ``"avg"`` or ``"max"``.
        name: ``None`` or a non-empty string.

    Returns:
        ``(input_shape, num_classes)``: a tuple of Python ints, and ``num_classes``
        as a Python int when it is an integer (NumPy integers would otherwise end
        up in the model's config, which JSON cannot save).

    Example:
        >>> check_common(input_shape=(32, 32, 3), num_classes=np.int64(10),
        ...              include_top=True, pooling=None, name=None)
        ((32, 32, 3), 10)

    Raises:
        ValueError: If an argument breaks its rule.
    """
    if (
        not isinstance(input_shape, (tuple, list))
        or len(input_shape) != 3
        or not all(is_int(dim) and dim > 0 for dim in input_shape)
    ):
        raise ValueError(
            "`input_shape` must be a tuple of three positive integers "
            "(height, width, channels), channels last. "
            f"Received: input_shape={input_shape!r}"
        )
    if include_top and not (is_int(num_classes) and num_classes >= 2):
        raise ValueError(
            "`num_classes` (keras.applications' `classes`) must be an integer >= 2 "
            f"when `include_top=True`. Received: num_classes={num_classes!r}"
        )
    if pooling not in _POOLING_CHOICES:
        raise ValueError(
            "`pooling` must be None, 'avg' or 'max' (it applies when "
            f"`include_top=False`). Received: pooling={pooling!r}"
        )
    if name is not None and not (isinstance(name, str) and name):
        raise ValueError(
            f"`name` must be None or a non-empty string. Received: name={name!r}"
        )
    if is_int(num_classes):
        num_classes = int(num_classes)
    return tuple(int(dim) for dim in input_shape), num_classes


def check_positive_ints(argument, value, length=None):
    """Checks an integer > 0, or a tuple of ``length`` of them; returns it normalised.

    Example:
        >>> check_positive_ints("filters", [96, 256], length=2)
        (96, 256)
    """
    if length is None:
        if not (is_int(value) and value > 0):
            raise ValueError(
                f"`{argument}` must be an integer > 0. Received: {argument}={value!r}"
            )
        return int(value)
    if (
        not isinstance(value, (tuple, list))
        or len(value) != length
        or not all(is_int(v) and v > 0 for v in value)
    ):
        raise ValueError(
            f"`{argument}` must be a tuple of {length} integers > 0. "
            f"Received: {argument}={value!r}"
        )
    return tuple(int(v) for v in value)


def check_dropout(dropout):
    """Checks a dropout rate: a number in [0, 1)."""
    if not (
        isinstance(dropout, numbers.Real)
        and not isinstance(dropout, bool)
        and 0 <= dropout < 1
    ):
        raise ValueError(
            f"`dropout` must be a number in [0, 1). Received: dropout={dropout!r}"
        )


def check_groups(groups, *, in_channels, out_channels, layer, argument, value):
    """Checks that a grouped convolution's groups divide its input and output channels.

    Args:
        groups: Number of groups.
        in_channels: Channels entering the layer.
        out_channels: Filters of the layer.
        layer: The layer's name, for the message.
        argument: The builder argument that set the channels (or the groups).
        value: That argument's value, for the message.

    Raises:
        ValueError: If ``groups`` does not divide both channel counts.

    Example:
        >>> check_groups(2, in_channels=96, out_channels=256, layer="block2_conv1",
        ...              argument="filters", value=(96, 256, 384, 384, 256))
    """
    if in_channels % groups or out_channels % groups:
        raise ValueError(
            f"A convolution split into {groups} groups needs {groups} to divide its "
            f"input and output channels; {layer} has {in_channels} in and "
            f"{out_channels} out. Received: {argument}={value!r}"
        )


def min_input_size(spatial_layers, limit=4096):
    """Smallest input height (and width) that leaves every layer at least one pixel.

    Args:
        spatial_layers: The layers that change the spatial size, in order, as
            ``(kernel, stride, padding)`` with padding ``"valid"``, ``"same"`` or an
            int (symmetric zero padding).
        limit: Largest size tried.

    Returns:
        The minimum size, an int.

    Example:
        >>> min_input_size([(2, 2, "valid")] * 5)  # VGG's five 2x2 poolings
        32
    """
    for size in range(1, limit + 1):
        current = size
        try:
            for kernel, stride, padding in spatial_layers:
                current = conv_output_size(current, kernel, stride, padding)
        except ValueError:  # a kernel larger than its (padded) input
            continue
        return size
    raise ValueError(f"No input size up to {limit} fits these layers: {spatial_layers}")


def check_input_size(input_shape, min_size, *, model, hint=""):
    """Checks that height and width reach the model's minimum input size.

    Args:
        input_shape: The checked ``(height, width, channels)`` tuple.
        min_size: From ``min_input_size(...)`` for the model's layers.
        model: The model's name, for the message.
        hint: An optional sentence to add (e.g. a variant that fits small inputs).

    Raises:
        ValueError: If height or width is smaller than ``min_size``.
    """
    if input_shape[0] < min_size or input_shape[1] < min_size:
        hint = f" {hint}" if hint else ""
        raise ValueError(
            f"Input size must be at least {min_size}x{min_size} for {model}: its "
            f"convolutions and poolings shrink smaller inputs to nothing.{hint} "
            f"Received: input_shape={input_shape}"
        )
