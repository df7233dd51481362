"""Computes the cost table of every course model and writes it to
``course_lib/results/model_costs.json``.

    python tools/model_costs.py            # every row of compare.COST_MODELS

Each row: parameters (trainable and total, BatchNorm statistics included in the
total), multiply-adds (``arithmetic.count_macs``), size in MB at 32-bit and 16-bit
floats, the input shape and the builder call. Counting does not depend on the
backend; building every model is slow on JAX (symbolic tracing), so lesson 12 reads
this file and rebuilds a few models to check that it is not stale
(``compare.stale_rows``). Rerun it after changing a builder.
"""

from __future__ import annotations

import argparse
import datetime
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from course_lib import compare, measure, results  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.parse_args(argv)
    start = time.perf_counter()
    rows = []
    for spec in compare.COST_MODELS:
        row = compare.compute_cost_rows([spec.key])[0]
        rows.append(row)
        print(
            f"{row['key']:<22} {row['params_total']:>13,} params "
            f"{row['macs']:>16,} MACs",
            flush=True,
        )
    record = {
        "name": compare.COST_FILE,
        "description": (
            "Parameters, multiply-adds and size of every registered builder at its "
            "default arguments and of the CIFAR-10 variants the course trains "
            "(course_lib.compare.COST_MODELS). MB = 10**6 bytes; sizes count every "
            "parameter, BatchNorm statistics included."
        ),
        "command": "python tools/model_costs.py",
        **measure.hardware(),  # hardware, backend and versions: counts do not vary
        "date": datetime.date.today().isoformat(),
        "seconds": round(time.perf_counter() - start, 1),
        "rows": rows,
    }
    path = results.save(compare.COST_FILE, record)
    print(f"{len(rows)} rows written to {path} in {record['seconds']} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
