"""Timing code the way the course measures speed: the best of several runs.

See: lessons/01_image_classification.ipynb (k-NN search time).
"""

from __future__ import annotations

import time
from collections.abc import Callable

from course_lib._util import is_int

__all__ = ["best_time"]


def best_time(fn: Callable[[], object], *, repeat: int = 3) -> float:
    """Seconds one call of ``fn`` takes: the best of ``repeat`` runs.

    The minimum, not the mean, is the figure least disturbed by other programs on a
    shared machine (the advice of Python's ``timeit``).

    Example:
        >>> seconds = best_time(lambda: sorted(range(10_000)), repeat=5)
    """
    if not (is_int(repeat) and repeat >= 1):
        raise ValueError(f"repeat must be an integer >= 1. Received: repeat={repeat!r}")
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return min(times)
