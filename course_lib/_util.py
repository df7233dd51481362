"""Small helpers every module shares: argument checks, name hints, atomic writes.

Error messages follow keras.applications' shape: state the rule, then end with
``Received: <argument>=<value>``.
"""

from __future__ import annotations

import difflib
import json
import numbers
import os
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

__all__ = [
    "atomic_write_json",
    "atomic_write_text",
    "check_bool",
    "check_choice",
    "choice_error",
    "closest_names",
    "check_positive_int",
    "did_you_mean",
    "is_int",
]


def is_int(value: Any) -> bool:
    """True for Python and NumPy integers, False for bools (``True`` is not a size)."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def check_positive_int(argument: str, value: Any) -> int:
    """``value`` as an int, or ``ValueError`` unless it is an integer >= 1."""
    if not (is_int(value) and value >= 1):
        raise ValueError(
            f"{argument} must be an integer >= 1. Received: {argument}={value!r}"
        )
    return int(value)


def choice_error(argument: str, value: Any, choices: Iterable[Any]) -> ValueError:
    """The error for a value outside ``choices``, with the closest one when it helps.

    Example:
        >>> str(choice_error("optimizer", "sdg", ("sgd", "adam")))
        "`optimizer` must be one of 'sgd', 'adam' (did you mean 'sgd'?). Received: ..."
    """
    choices = tuple(choices)
    options = ", ".join(repr(c) for c in choices)
    hint = did_you_mean(value, [c for c in choices if isinstance(c, str)])
    return ValueError(
        f"`{argument}` must be one of {options}{hint}. Received: {argument}={value!r}"
    )


def check_choice(argument: str, value: Any, choices: Iterable[Any]) -> None:
    """Raises :func:`choice_error` unless ``value`` is one of ``choices``."""
    choices = tuple(choices)
    if value not in choices:
        raise choice_error(argument, value, choices)


def check_bool(argument: str, value: Any) -> bool:
    """Checks a flag is a real bool (``"False"`` is a non-empty, hence true, string)."""
    if not isinstance(value, bool):
        raise ValueError(
            f"`{argument}` must be True or False (a bool, not a "
            f"{type(value).__name__}). Received: {argument}={value!r}"
        )
    return value


def closest_names(name: Any, names: Iterable[str], n: int = 3) -> list[str]:
    """The known names closest to ``name`` (difflib's ratio, best first)."""
    return difflib.get_close_matches(str(name), list(names), n=n, cutoff=0.6)


def did_you_mean(name: Any, names: Iterable[str]) -> str:
    """``" (did you mean 'x'?)"`` for the closest known names, or ``""``."""
    close = closest_names(name, names)
    if not close:
        return ""
    return f" (did you mean {' or '.join(repr(c) for c in close)}?)"


def atomic_write_text(path: str | os.PathLike, text: str) -> Path:
    """Writes ``text`` to ``path`` through a temporary file and a rename.

    A reader never sees half a file, and an interrupted write leaves the old file.
    """
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".part")
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(text)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return path


def atomic_write_json(path: str | os.PathLike, value: Any) -> Path:
    """Writes ``value`` as indented JSON (with a final newline), atomically."""
    return atomic_write_text(path, json.dumps(value, indent=2) + "\n")
