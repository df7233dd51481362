"""Download, verify and pack the course datasets.

    python data_scripts/download.py mnist cifar10 --dir DIR    (download + verify)
    python data_scripts/download.py --verify mnist cifar10 --dir DIR
    python data_scripts/download.py --pack course-data.tar.gz --dir DIR
    python data_scripts/download.py --unpack course-data.tar.gz --dir DIR

DIR then serves the course offline: ``export COURSE_DATA_DIR=DIR``. Every download is
checked against its published SHA-256 and renamed into place only when complete; the
pack carries a SHA256SUMS manifest that --unpack checks before anything in DIR changes
(a failed --unpack leaves DIR as it was). Exit status 0 on success; otherwise non-zero
with a one-line reason on stderr.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

# Run from a checkout without installing course_lib: its folder sits beside this one.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from course_lib import data  # noqa: E402


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Download, verify and pack MNIST and CIFAR-10 for the course.",
        epilog="Then: export COURSE_DATA_DIR=DIR",
    )
    parser.add_argument(
        "datasets", nargs="*", metavar="DATASET", help="mnist, cifar10 (default: both)"
    )
    parser.add_argument("--dir", required=True, type=Path, help="the data folder")
    action = parser.add_mutually_exclusive_group()
    action.add_argument(
        "--verify", action="store_true", help="verify DIR, download nothing"
    )
    action.add_argument(
        "--pack", type=Path, metavar="ARCHIVE", help="pack DIR into one .tar.gz"
    )
    action.add_argument(
        "--unpack",
        type=Path,
        metavar="ARCHIVE",
        help="verify a pack, then extract it into DIR (DIR is unchanged on failure)",
    )
    args = parser.parse_args(argv)
    unknown = [d for d in args.datasets if d not in data.DATASETS]
    if unknown:
        choices = ", ".join(data.DATASETS)
        parser.error(f"unknown dataset(s) {unknown}; choose from {choices}")
    args.datasets = args.datasets or list(data.DATASETS)
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        if args.pack:
            path = data.pack(args.dir, args.pack)
            size = path.stat().st_size / 2**20
            print(f"packed {args.dir} into {path} ({size:.1f} MiB)")
        elif args.unpack:
            names = data.unpack(args.unpack, args.dir)
            print(f"unpacked and verified {len(names)} files into {args.dir}")
        else:
            for name in args.datasets:
                if not args.verify:
                    data.fetch(name, args.dir)
                for line in data.verify(name, args.dir):
                    print(f"{name}: {line}")
            print(f"ok: export COURSE_DATA_DIR={args.dir.resolve()}")
    except (data.DataError, OSError, ValueError) as err:
        # ValueError: a bad setting, e.g. COURSE_DATA_MIRROR_ONLY=maybe.
        reason = " ".join(str(err).split())
        print(f"error: {reason}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("error: interrupted; no partial file was kept", file=sys.stderr)
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
