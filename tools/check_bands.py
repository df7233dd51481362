"""Checks full-mode results files against the bands in course_lib.training.bands.

    python tools/check_bands.py --tag h100_jax            # every band
    python tools/check_bands.py --tag h100_jax lenet5     # some results only

Prints one line per band and exits 1 if any result is missing, partial or below its
band. ``make test-full`` runs it after ``benchmarks/full_runs.py --tag TAG``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from course_lib.training import bands  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("results", nargs="*", help="result names (default: all bands)")
    parser.add_argument("--tag", required=True, help="the tag full_runs.py wrote")
    args = parser.parse_args(argv)
    known = {band.result for band in bands.BANDS}
    unknown = sorted(set(args.results) - known)
    if unknown:
        parser.error(f"no band for {unknown}; bands exist for {sorted(known)}")
    outcomes = bands.check(args.tag, only=args.results or None)
    for outcome in outcomes:
        mark = "ok  " if outcome.passed else "FAIL"
        where = f"{outcome.name} {outcome.band.field}"
        print(f"{mark} {outcome.band.lesson:<12} {where}: {outcome.message}")
    failed = sum(not outcome.passed for outcome in outcomes)
    print(f"{len(outcomes) - failed} of {len(outcomes)} headline results in band")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
