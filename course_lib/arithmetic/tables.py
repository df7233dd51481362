"""Rows of the arithmetic tables as dicts, markdown or plain text (no pandas).

See: lessons/04_receptive_fields.ipynb
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from course_lib._util import check_choice, is_int

__all__ = ["as_dicts", "format_table"]


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
    if is_int(value):
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
    check_choice("style", style, ("markdown", "text"))
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
    lines = ["  ".join(c.ljust(w) for c, w in zip(columns, widths, strict=True))]
    lines.append("  ".join("-" * w for w in widths))
    for r in cells:
        lines.append("  ".join(v.ljust(w) for v, w in zip(r, widths, strict=True)))
    return "\n".join(line.rstrip() for line in lines)
