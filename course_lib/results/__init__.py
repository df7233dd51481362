"""Measured results that lessons and the README quote: JSON files written by the scripts
in ``benchmarks/`` and ``tools/``, shipped inside the package so that a lesson opened in
Colab finds them too.

Every file records what produced it (``command``), the hardware and the date. Lessons
read them with :func:`load`; nothing in a lesson's prose is typed in by hand.
"""

from __future__ import annotations

import json
from pathlib import Path

FOLDER = Path(__file__).resolve().parent


def path(name: str) -> Path:
    """The path of result ``name`` (without ``.json``)."""
    return FOLDER / f"{name}.json"


def available() -> list[str]:
    """Names of the results present."""
    return sorted(p.stem for p in FOLDER.glob("*.json"))


def load(name: str) -> dict:
    """Reads result ``name``; a missing one is a clear error naming what to run."""
    file = path(name)
    if not file.is_file():
        raise FileNotFoundError(
            f"No measured result {name!r} in {FOLDER}. Available: "
            f"{', '.join(available()) or 'none'}. "
            "Run the benchmark or tool that produces it (see README, 'Results')."
        )
    return json.loads(file.read_text())


def save(name: str, record: dict) -> Path:
    """Writes result ``name`` atomically (a temporary file renamed into place)."""
    file = path(name)
    tmp = file.with_suffix(".json.part")
    tmp.write_text(json.dumps(record, indent=2) + "\n")
    tmp.replace(file)
    return file
