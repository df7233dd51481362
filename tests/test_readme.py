"""The README's generated tables agree with the results files they are read from."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_readme_tables_are_generated_from_the_results_files():
    check = subprocess.run(
        [sys.executable, str(ROOT / "tools" / "update_readme.py"), "--check"],
        capture_output=True,
        text=True,
    )
    assert check.returncode == 0, check.stdout + check.stderr


def test_readme_quotes_no_measured_figure_outside_generated_sections():
    text = (ROOT / "README.md").read_text()
    outside = []
    keep = True
    for line in text.splitlines():
        if line.startswith("<!-- generated:"):
            keep = False
        elif line.startswith("<!-- end:"):
            keep = True
        elif keep:
            outside.append(line)
    prose = "\n".join(outside)
    for figure in ("99.10 %", "99.18 %", "41.19 %", "42.85 %", "93.60 %", "88.70 %"):
        assert figure not in prose, f"{figure} is typed into the README by hand"
