"""Timing code the way the course measures speed: the best of several runs.

See: lessons/01_image_classification.ipynb (k-NN search time).
"""

from __future__ import annotations

import contextlib
import time
from collections.abc import Callable, Iterator

from threadpoolctl import threadpool_limits

from course_lib._util import is_int

__all__ = ["best_time", "one_thread"]


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


@contextlib.contextmanager
def one_thread() -> Iterator[None]:
    """Run NumPy's and scikit-learn's native thread pools (BLAS, OpenMP) on one thread.

    A small matrix product split over many threads costs more in start-up and
    hand-over than in arithmetic, and on a busy or many-core machine that overhead
    can make a small problem *slower* than a large one. On one thread the time
    follows the work, which is what a lesson comparing problem sizes wants to show.
    Keras does not use these pools, so models are unaffected.

    Example:
        >>> with one_thread():
        ...     seconds = best_time(lambda: sorted(range(10_000)))
    """
    with threadpool_limits(limits=1):
        yield
