"""Argument checks shared by the arithmetic modules.

Sizes, kernels, strides and paddings are checked here once, so every public function
rejects a bad value with the same message: the rule, then ``Received: name=value``.
"""

from __future__ import annotations

from typing import Any

from course_lib._util import is_int

PADDING_RULE = (
    "`padding` must be a non-negative int, a (before, after) pair of non-negative "
    "ints, 'valid', 'same' or 'full' (case-insensitive)"
)


def check_positive(name: str, value: Any) -> int:
    """``value`` as an int, or ``ValueError`` unless it is an integer >= 1."""
    if not is_int(value) or value < 1:
        raise ValueError(
            f"`{name}` must be a positive integer (>= 1). Received: {name}={value!r}"
        )
    return int(value)


def check_non_negative(name: str, value: Any) -> int:
    """``value`` as an int, or ``ValueError`` unless it is an integer >= 0."""
    if not is_int(value) or value < 0:
        raise ValueError(
            f"`{name}` must be a non-negative integer (>= 0). "
            f"Received: {name}={value!r}"
        )
    return int(value)


def pair(name: str, value: Any) -> tuple[int, int]:
    """An int or a pair of ints as a pair of positive ints (kernel, stride, ...)."""
    if is_int(value):
        value = (value, value)
    if not isinstance(value, (tuple, list)) or len(value) != 2:
        raise ValueError(
            f"`{name}` must be a positive int or a pair of positive ints. "
            f"Received: {name}={value!r}"
        )
    return check_positive(name, value[0]), check_positive(name, value[1])


def padding_mode(padding: Any) -> tuple[int, int] | str:
    """Checks a 1-D padding argument.

    Returns:
        ``"valid"``, ``"same"`` or ``"full"`` (lower case), or a ``(before, after)``
        pair of ints for an int or a pair.
    """
    if isinstance(padding, str):
        mode = padding.lower()
        if mode not in ("valid", "same", "full"):
            raise ValueError(f"{PADDING_RULE}. Received: padding={padding!r}")
        return mode
    if is_int(padding) and padding >= 0:
        return int(padding), int(padding)
    if (
        isinstance(padding, (tuple, list))
        and len(padding) == 2
        and all(is_int(p) and p >= 0 for p in padding)
    ):
        return int(padding[0]), int(padding[1])
    raise ValueError(f"{PADDING_RULE}. Received: padding={padding!r}")


def padding_per_axis(padding: Any) -> tuple[Any, Any]:
    """Splits a 2-D padding argument into one 1-D padding per axis (rows, columns)."""
    if isinstance(padding, str) or is_int(padding):
        return padding, padding
    if isinstance(padding, (tuple, list)) and len(padding) == 2:
        return padding[0], padding[1]
    raise ValueError(
        "`padding` must be an int, 'valid', 'same', 'full', a pair (pad_h, pad_w) "
        "or a pair of pairs ((top, bottom), (left, right)). "
        f"Received: padding={padding!r}"
    )
