"""course_lib.timing: the best of several runs."""

import time

import pytest
from threadpoolctl import threadpool_info

from course_lib import timing


def test_best_time_runs_the_function_repeat_times_and_returns_the_minimum():
    calls = []
    durations = iter([0.03, 0.0, 0.02])  # the second call is the fastest

    def work():
        calls.append(1)
        time.sleep(next(durations))

    seconds = timing.best_time(work, repeat=3)
    assert len(calls) == 3
    assert 0 <= seconds < 0.02


@pytest.mark.parametrize("repeat", [0, -1, 2.0, True])
def test_best_time_rejects_a_bad_repeat(repeat):
    with pytest.raises(ValueError, match=f"Received: repeat={repeat!r}"):
        timing.best_time(lambda: None, repeat=repeat)


def test_one_thread_limits_every_native_pool_and_restores_it():
    import numpy as np  # loads the BLAS pool, so there is one to limit
    import sklearn.neighbors  # noqa: F401  loads scikit-learn's OpenMP pool

    np.ones((2, 2)) @ np.ones((2, 2))
    before = {p["filepath"]: p["num_threads"] for p in threadpool_info()}
    assert before, "threadpoolctl found no native thread pool to limit"
    with timing.one_thread():
        assert {p["num_threads"] for p in threadpool_info()} == {1}
    assert {p["filepath"]: p["num_threads"] for p in threadpool_info()} == before
