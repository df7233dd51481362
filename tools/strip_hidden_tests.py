"""Write learner copies of the lessons without the cells tagged ``hidden-test``.

Hidden test cells prove that each exercise check rejects typical wrong answers; CI runs
them, learners need not see them.

Usage:
    python tools/strip_hidden_tests.py --out build/learner [lessons/05_lenet5.ipynb ...]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat

ROOT = Path(__file__).resolve().parent.parent
TAG = "hidden-test"


def strip(notebook: nbformat.NotebookNode) -> int:
    """Removes the hidden test cells in place and returns how many there were."""
    kept = [
        c for c in notebook.cells if TAG not in c.get("metadata", {}).get("tags", [])
    ]
    removed = len(notebook.cells) - len(kept)
    notebook.cells = kept
    return removed


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("lessons", nargs="*", type=Path, help="default: every lesson")
    parser.add_argument("--out", type=Path, required=True, help="folder for the copies")
    args = parser.parse_args(argv)
    paths = args.lessons or sorted((ROOT / "lessons").glob("[0-9][0-9]*_*.ipynb"))
    args.out.mkdir(parents=True, exist_ok=True)
    for path in paths:
        notebook = nbformat.read(path, as_version=4)
        removed = strip(notebook)
        nbformat.write(notebook, args.out / path.name)
        print(f"{path.name}: {removed} hidden test cell(s) removed")
    return 0


if __name__ == "__main__":
    sys.exit(main())
