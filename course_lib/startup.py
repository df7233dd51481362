"""A quiet start: Keras and its backend loaded without their C++ start-up log.

TensorFlow's C++ runtime writes lines such as "oneDNN custom operations are on",
"Could not find cuda drivers on your machine" and "failed call to cuInit: ... CUDA
error" straight to the process's standard error while it loads, before Python or the
``TF_CPP_MIN_LOG_LEVEL`` variable can filter them (they come from static initialisers).
Jupyter shows them in red under the first cell, where a learner reads them as a broken
set-up. On a machine without a GPU they only say that the CPU will be used.

The first code cell of every lesson calls :func:`quiet_start` before anything imports
Keras. It loads Keras and lists the backend's devices with the standard error
redirected to a temporary file, then drops the lines known to be informational and
prints any other line, under a header that says where it comes from: a real problem is
never hidden. If loading fails, everything captured is printed before the error.

This module imports nothing heavy at module level, so importing it is instant and does
not itself start TensorFlow.
"""

from __future__ import annotations

import contextlib
import os
import sys
import tempfile

from course_lib._util import is_int

__all__ = ["INFORMATIONAL", "quiet_start", "request_cpu_devices", "unexpected_lines"]

# Start-up lines that carry no action for a learner: the CPU instruction set, oneDNN,
# the absence of a CUDA driver or GPU (the CPU is used), duplicate plugin registrations.
INFORMATIONAL = (
    "All log messages before absl::InitializeLog() is called",
    "oneDNN custom operations are on",
    "Could not find cuda drivers on your machine",
    "This TensorFlow binary is optimized to use available CPU instructions",
    "To enable the following instructions",
    "rebuild TensorFlow with the appropriate compiler flags",
    "failed call to cuInit",
    "Unable to register cuDNN factory",
    "Unable to register cuFFT factory",
    "Unable to register cuBLAS factory",
    "computation placer already registered",
    "TF-TRT Warning: Could not find TensorRT",
)

_HEADER = (
    "Messages from the backend's start-up (C++ log, not from the lesson; "
    "search the text if a cell later fails):"
)


def unexpected_lines(text: str) -> list[str]:
    """The non-empty lines of ``text`` that are not known start-up information."""
    return [
        line
        for line in text.splitlines()
        if line.strip() and not any(known in line for known in INFORMATIONAL)
    ]


@contextlib.contextmanager
def _standard_error_captured(captured: list[str]):
    """Sends file descriptor 2 to a temporary file; appends its text on exit."""
    sys.stderr.flush()
    saved = os.dup(2)
    with tempfile.TemporaryFile() as sink:
        os.dup2(sink.fileno(), 2)
        try:
            yield
        finally:
            os.dup2(saved, 2)
            os.close(saved)
            sink.seek(0)
            captured.append(sink.read().decode("utf-8", errors="replace"))


HOST_DEVICE_FLAG = "--xla_force_host_platform_device_count"


def request_cpu_devices(count: int) -> None:
    """Asks JAX (through ``XLA_FLAGS``) for ``count`` CPU devices, before it starts.

    XLA reads ``--xla_force_host_platform_device_count`` once, when JAX is imported,
    so this must run before anything imports Keras on the JAX backend. Any earlier
    value of the flag is replaced; other flags in ``XLA_FLAGS`` are kept.
    """
    flags = [
        flag
        for flag in os.environ.get("XLA_FLAGS", "").split()
        if not flag.startswith(HOST_DEVICE_FLAG)
    ]
    os.environ["XLA_FLAGS"] = " ".join([*flags, f"{HOST_DEVICE_FLAG}={count}"])


def quiet_start(cpu_devices: int | None = None) -> None:
    """Loads Keras and its backend with the C++ start-up log filtered.

    Sets ``TF_CPP_MIN_LOG_LEVEL=2`` unless it is already set (TensorFlow's later C++
    information and warnings), then imports Keras and lists the devices with the
    standard error captured. Lines listed in :data:`INFORMATIONAL` are dropped; any
    other line is printed to the standard error under a one-line header. Calling it
    again, or after Keras was imported, does no harm (what was printed stays printed).

    Args:
        cpu_devices: when given, the host CPU appears as that many devices, so that
            data parallelism can be shown on one machine (lesson 13): TensorFlow gets
            logical CPU devices, JAX ``XLA_FLAGS=--xla_force_host_platform_device_
            count``. Both must be set before the backend starts: call this in the
            first cell.

    Raises:
        ValueError: ``cpu_devices`` is not a positive integer.
        RuntimeError: the backend started earlier with another number of devices
            (restart the kernel).
        Whatever importing Keras raises, after printing all that was captured.

    Example:
        >>> quiet_start(cpu_devices=4)  # first cell of lesson 13
    """
    if cpu_devices is not None:
        if not (is_int(cpu_devices) and cpu_devices >= 1):
            raise ValueError(
                "cpu_devices must be an integer >= 1 (how many devices the CPU is "
                f"split into), or None. Received: cpu_devices={cpu_devices!r}"
            )
        if "jax" not in sys.modules:
            request_cpu_devices(cpu_devices)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    captured: list[str] = []
    try:
        with _standard_error_captured(captured):
            from course_lib import _backend

            if cpu_devices is not None:
                _backend.split_cpu(cpu_devices)
            _backend.list_devices()  # initialises the devices (the cuInit message)
    except BaseException:
        sys.stderr.write("".join(captured))
        raise
    shown = unexpected_lines("".join(captured))
    if shown:
        print(_HEADER, *shown, sep="\n", file=sys.stderr)
