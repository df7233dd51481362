"""Run-time settings every lesson shares: mode, seeds, devices, the environment doctor.

The course runs in two modes, chosen with the ``COURSE_MODE`` environment variable:

- ``full`` (the default): the real recipe, meant for a GPU runtime.
- ``smoke``: the same code path on a small slice of the data and a short schedule, so
  that every lesson executes in well under two minutes on two CPU cores (CI uses it).

See: lessons/00_setup.ipynb
"""

from __future__ import annotations

import dataclasses
import importlib.metadata
import os
import platform
import re
import sys
from pathlib import Path

MODES = ("smoke", "full")
DEFAULT_MODE = "full"
DEFAULT_SEED = 42
MIN_PYTHON = (3, 11)

# Packages the doctor compares against requirements.txt, in display order.
KEY_PACKAGES = (
    "tensorflow",
    "jax",
    "keras",
    "numpy",
    "matplotlib",
    "scikit-learn",
    "scikit-image",
    "jupyterlab",
    "nbval",
)


class ModeError(ValueError):
    """Raised when ``COURSE_MODE`` holds a value the course does not know."""


def mode() -> str:
    """Returns the course mode, ``"smoke"`` or ``"full"``, from ``COURSE_MODE``.

    Raises:
        ModeError: if ``COURSE_MODE`` is set to anything else.

    Example:
        >>> mode() in ("smoke", "full")
        True
    """
    value = os.environ.get("COURSE_MODE", DEFAULT_MODE).strip().lower() or DEFAULT_MODE
    if value not in MODES:
        raise ModeError(
            f"COURSE_MODE must be one of {', '.join(MODES)}. "
            f"Received: COURSE_MODE={os.environ.get('COURSE_MODE')!r}. "
            "Fix: unset it (full mode) or run `export COURSE_MODE=smoke`."
        )
    return value


def is_smoke() -> bool:
    """True in smoke mode (small data, short schedules)."""
    return mode() == "smoke"


def pick(*, smoke, full):
    """Returns ``smoke`` or ``full`` according to the current mode.

    Lessons use it for the few numbers that differ between modes (epochs, subset
    sizes), so the code path is the same in both.

    Example:
        >>> epochs = pick(smoke=1, full=30)
    """
    return smoke if is_smoke() else full


def set_seed(seed: int = DEFAULT_SEED) -> int:
    """Seeds Python, NumPy and the Keras backend (``keras.utils.set_random_seed``).

    Returns the seed so a lesson can print what it used.
    """
    import keras

    if not isinstance(seed, int) or seed < 0:
        raise ValueError(
            f"The seed must be a non-negative int. Received: seed={seed!r}"
        )
    keras.utils.set_random_seed(seed)
    return seed


@dataclasses.dataclass(frozen=True)
class Device:
    """One compute device as the course reports it."""

    kind: str  # "CPU", "GPU" or "TPU"
    name: str
    compute_capability: tuple[int, int] | None = None


def devices() -> list[Device]:
    """Lists the CPU, GPU and TPU devices the Keras backend computes on, with names."""
    from course_lib import _backend

    return [
        Device(kind, name or _cpu_name(), capability)
        for kind, name, capability in _backend.list_devices()
    ]


def _cpu_name() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return f"{line.split(':', 1)[1].strip()} ({os.cpu_count()} cores)"
    except OSError:
        pass
    return f"{platform.processor() or platform.machine()} ({os.cpu_count()} cores)"


def device_summary() -> str:
    """One line naming the accelerator in use, e.g. ``"GPU: NVIDIA T4 (cc 7.5)"``."""
    devs = devices()
    accel = [d for d in devs if d.kind in ("TPU", "GPU")]
    if not accel:
        cpu = next((d for d in devs if d.kind == "CPU"), None)
        return f"CPU only: {cpu.name if cpu else platform.machine()}"
    parts = []
    for d in accel:
        cc = (
            f" (cc {d.compute_capability[0]}.{d.compute_capability[1]})"
            if d.compute_capability
            else ""
        )
        parts.append(f"{d.kind}: {d.name}{cc}")
    return "; ".join(parts)


def strategy():
    """The data-parallel strategy that fits the hardware, on either backend.

    TensorFlow: ``TPUStrategy`` on a TPU, ``MirroredStrategy`` on several GPUs (or
    several logical CPUs), else ``OneDeviceStrategy``. JAX:
    ``keras.distribution.DataParallel`` over every device. Both are used the same
    way: build and compile the model inside ``with strategy().scope():``, and scale
    the global batch by :func:`replicas`.

    Example:
        >>> with strategy().scope():
        ...     model = build("resnet20")
    """
    from course_lib import _backend

    return _backend.distribution()


def replicas(strategy_) -> int:
    """How many model copies a :func:`strategy` trains in step."""
    from course_lib import _backend

    return _backend.replicas(strategy_)


def backend() -> str:
    """The Keras backend in use, ``"tensorflow"`` or ``"jax"``."""
    from course_lib import _backend

    return _backend.name()


def mixed_precision_helps() -> bool:
    """True where float16 compute is fast: NVIDIA GPUs of compute capability >= 7.0."""
    return any(
        d.kind == "GPU"
        and d.compute_capability
        and tuple(d.compute_capability) >= (7, 0)
        for d in devices()
    )


def use_mixed_precision(enable: bool | None = None) -> str:
    """Sets the Keras dtype policy and returns its name.

    Args:
        enable: ``True`` forces ``mixed_float16``, ``False`` forces ``float32``, and
            ``None`` (default) turns mixed precision on only where it helps
            (:func:`mixed_precision_helps`).
    """
    import keras

    on = mixed_precision_helps() if enable is None else bool(enable)
    policy = "mixed_float16" if on else "float32"
    keras.mixed_precision.set_global_policy(policy)
    return policy


def in_colab() -> bool:
    """True inside Google Colab."""
    return "google.colab" in sys.modules or "COLAB_RELEASE_TAG" in os.environ


def _requirements_path() -> Path | None:
    path = Path(__file__).resolve().parent.parent / "requirements.txt"
    return path if path.exists() else None


def pinned_versions(path: Path | None = None) -> dict[str, str]:
    """Reads ``name==version`` pins from requirements.txt (names normalised)."""
    path = path or _requirements_path()
    pins: dict[str, str] = {}
    if path is None:
        return pins
    for line in Path(path).read_text().splitlines():
        line = line.split("#", 1)[0].strip()
        match = re.match(r"^([A-Za-z0-9_.\-]+)(?:\[[^\]]*\])?\s*==\s*([^\s;]+)", line)
        if match:
            pins[_normalise(match.group(1))] = match.group(2)
    return pins


def _normalise(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def installed_version(name: str) -> str | None:
    """The installed version of a distribution, or None. ``tensorflow`` also finds
    ``tensorflow-cpu``."""
    candidates = [name] + (
        ["tensorflow-cpu", "tf-nightly"] if name == "tensorflow" else []
    )
    for candidate in candidates:
        try:
            return importlib.metadata.version(candidate)
        except importlib.metadata.PackageNotFoundError:
            continue
    return None


@dataclasses.dataclass
class Report:
    """What :func:`doctor` found; ``str(report)`` is the printable report."""

    python: str
    packages: dict[str, tuple[str | None, str | None]]  # name -> (installed, pinned)
    backend: str
    devices: list[Device]
    mode: str
    colab: bool
    data_dir: str | None
    advice: list[str]

    @property
    def ok(self) -> bool:
        return not self.advice

    def __str__(self) -> str:
        def row(label: str, value: str) -> str:
            return f"{label:<14}{value}"

        lines = [row("python", self.python)]
        for name, (have, pinned) in self.packages.items():
            mark = "" if pinned is None or have == pinned else f"   (tested: {pinned})"
            lines.append(row(name, f"{have or 'not installed'}{mark}"))
        lines.append(row("backend", self.backend))
        lines.extend(row("device", f"{d.kind}: {d.name}") for d in self.devices)
        lines.append(row("mode", self.mode))
        lines.append(row("colab", "yes" if self.colab else "no"))
        lines.append(
            row("data dir", self.data_dir or "(not set: using the download cache)")
        )
        if self.advice:
            lines.append("advice:")
            lines.extend(f"  - {a}" for a in self.advice)
        else:
            lines.append(row("advice", "none, all good"))
        return "\n".join(lines)


def _backend_version() -> str:
    from course_lib import _backend

    return _backend.version()


def doctor(print_report: bool = True) -> Report:
    """Checks the environment and gives specific advice when something is off.

    Reports Python, Keras, the backends (TensorFlow, JAX) and the key packages
    against the versions pinned in requirements.txt, the Keras backend in use and
    its version, the devices, the course mode,
    whether this is Colab, and the data folder.
    """
    import keras

    pins = pinned_versions()
    packages = {}
    advice = []
    for name in KEY_PACKAGES:
        have = installed_version(name)
        pinned = pins.get(_normalise(name)) or pins.get(_normalise(name) + "-cpu")
        packages[name] = (have, pinned)
        if have is None and name in ("keras", "numpy", "matplotlib"):
            advice.append(
                f"{name} is not installed: run `pip install -e .` in the course folder."
            )
    backend_name = keras.backend.backend()
    backend_package = {"tensorflow": "tensorflow", "jax": "jax"}.get(backend_name)
    if backend_package and packages[backend_package][0] is None:
        advice.append(
            f"Keras is set to the {backend_name} backend but {backend_package} is not "
            f"installed: `pip install {backend_package}`, or set KERAS_BACKEND to the "
            "backend you have (tensorflow or jax) before importing keras."
        )
    keras_version = packages["keras"][0]
    if keras_version and int(keras_version.split(".")[0]) < 3:
        advice.append("Keras 3 is required: run `pip install -U 'keras>=3.5'`.")
    if sys.version_info < MIN_PYTHON:
        advice.append(
            f"Python {'.'.join(map(str, MIN_PYTHON))} or newer is required (the "
            "pinned NumPy, scikit-learn and matplotlib have no older builds)."
        )
    try:
        current_mode = mode()
    except ModeError as err:
        current_mode = "invalid"
        advice.append(str(err))
    devs = devices()
    has_accel = any(d.kind in ("GPU", "TPU") for d in devs)
    colab = in_colab()
    if colab and not has_accel and current_mode == "full":
        advice.append(
            "No GPU in this Colab session: Runtime > Change runtime type > "
            "Hardware accelerator: GPU (T4), then run the notebook again."
        )
    elif not has_accel and current_mode == "full":
        advice.append(
            "Full mode on a CPU is slow (hours for the CIFAR-10 lessons): use a GPU "
            "runtime, or `export COURSE_MODE=smoke` to run every lesson in minutes."
        )
    data_dir = os.environ.get("COURSE_DATA_DIR")
    if data_dir and not Path(data_dir).is_dir():
        advice.append(
            f"COURSE_DATA_DIR={data_dir!r} is not a folder: fix the path or unset it."
        )
    report = Report(
        python=platform.python_version(),
        packages=packages,
        backend=f"{backend_name} {_backend_version()}",
        devices=devs,
        mode=current_mode,
        colab=colab,
        data_dir=data_dir,
        advice=advice,
    )
    if print_report:
        print(report)
    return report
