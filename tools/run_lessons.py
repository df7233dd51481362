"""Execute every lesson headless (nbclient) and report the time each one took.

Usage:
    COURSE_MODE=smoke python tools/run_lessons.py --out build/lessons [--only 05 07]

Executed copies (with outputs) go to --out; the lessons in lessons/ stay output-free.
A summary table is printed and written to OUT/timings.json; with --record, a run of
every lesson is also saved as course_lib/results/lesson_timings_<mode>.json (on
TensorFlow; lesson_timings_<mode>_<backend>.json on other backends), read by lesson 00
and the README. With --record --tag TAG (what ``make test-full`` does on a GPU), the run
is saved as course_lib/results/lesson_runs_<mode>_<TAG>.json whatever it ran (a subset
with --only, failures included): the record of which lessons ran in full mode, where.
Exits non-zero when a lesson fails, naming the lesson and the cell.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--out", default="build/lessons", help="folder for executed copies"
    )
    parser.add_argument("--timeout", type=int, default=300, help="seconds per cell")
    parser.add_argument(
        "--only", nargs="*", default=None, help="lesson numbers, e.g. 00 05"
    )
    parser.add_argument(
        "--record", action="store_true", help="save the timings as a course result"
    )
    parser.add_argument(
        "--tag",
        default=None,
        help="with --record: save as lesson_runs_<mode>_<tag> (e.g. h100_jax), "
        "subsets and failures included",
    )
    args = parser.parse_args(argv)
    if args.tag is not None and not args.tag.replace("_", "").isalnum():
        parser.error(
            f"--tag takes letters, digits and '_' (it names a results file). "
            f"Received: {args.tag!r}"
        )

    import nbformat
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    from course_lib import results, runtime

    mode = runtime.mode()  # fails clearly on a bad COURSE_MODE before any work
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    lessons = sorted((ROOT / "lessons").glob("[0-9][0-9]*_*.ipynb"))
    if args.only:
        only = set(args.only)  # "06" selects 06a and 06b; "06a" only 06a
        lessons = [p for p in lessons if {p.name[:2], p.name.split("_")[0]} & only]
    if not lessons:
        print("No lessons matched.", file=sys.stderr)
        return 2

    timings, failed = [], []
    for path in lessons:
        nb = nbformat.read(path, as_version=4)
        client = NotebookClient(
            nb,
            timeout=args.timeout,
            kernel_name="python3",
            resources={"metadata": {"path": str(path.parent)}},
        )
        start = time.perf_counter()
        status = "ok"
        try:
            client.execute()
        except CellExecutionError as err:
            status = "FAILED"
            failed.append(
                (path.name, str(err).splitlines()[-1] if str(err) else repr(err))
            )
        seconds = time.perf_counter() - start
        nbformat.write(nb, out / path.name)
        timings.append(
            {"lesson": path.name, "seconds": round(seconds, 1), "status": status}
        )
        print(f"{path.name:<40} {seconds:7.1f} s  {status}", flush=True)

    backend = runtime.backend()
    summary = {
        "mode": mode,
        "backend": backend,
        "python": platform.python_version(),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores",
        "hardware": runtime.device_summary(),
        "lessons": timings,
        "total_seconds": round(sum(t["seconds"] for t in timings), 1),
    }
    if backend == "jax":  # a warm persistent cache saves most of JAX's compile time
        summary["jax_compilation_cache"] = bool(
            os.environ.get("JAX_COMPILATION_CACHE_DIR")
        )
    summary["date"] = time.strftime("%Y-%m-%d")
    summary["command"] = (
        f"COURSE_MODE={mode} KERAS_BACKEND={backend} "
        "python tools/run_lessons.py --record"
        + (f" --tag {args.tag}" if args.tag else "")
        + (f" --only {' '.join(args.only)}" if args.only else "")
    )
    (out / "timings.json").write_text(json.dumps(summary, indent=2) + "\n")
    if args.record and args.tag:
        summary["failed"] = [{"lesson": n, "error": r} for n, r in failed]
        print("wrote", results.save(f"lesson_runs_{mode}_{args.tag}", summary))
    elif args.record and not failed and not args.only:
        # TensorFlow's timings keep the name lessons and the README have always read.
        name = f"lesson_timings_{mode}" + (
            "" if backend == "tensorflow" else f"_{backend}"
        )
        print("wrote", results.save(name, summary))
    print(f"total {summary['total_seconds']} s in {mode} mode on {summary['hardware']}")
    for name, reason in failed:
        print(f"FAILED {name}: {reason}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
