"""Everything that differs between Keras backends, in one place.

The rest of ``course_lib`` uses Keras layers, ``keras.ops`` and NumPy only; where it
needs something Keras does not abstract (listing devices, a distribution strategy,
gradients with respect to the input, the ``tf.data`` fast path), it calls a function
here. So a Keras upgrade or a new backend touches this module alone.

Supported: TensorFlow (``KERAS_BACKEND=tensorflow``, the default) and JAX
(``KERAS_BACKEND=jax``). PyTorch works where noted.
"""

from __future__ import annotations

import importlib
import importlib.metadata

import keras
import numpy as np

__all__ = [
    "cpu_distribution",
    "distribution",
    "input_gradient",
    "list_devices",
    "name",
    "replica_batch_shapes",
    "replicas",
    "split_cpu",
    "tf_data_pipeline",
    "version",
]

_PACKAGES = {"tensorflow": "tensorflow", "jax": "jax", "torch": "torch"}


def name() -> str:
    """The Keras backend in use: ``"tensorflow"``, ``"jax"``, ``"torch"``..."""
    return keras.backend.backend()


def version() -> str:
    """The version of the backend's own package (e.g. TensorFlow 2.21.0, JAX 0.10.2)."""
    package = _PACKAGES.get(name())
    if package is None:
        return keras.__version__
    for candidate in (package, f"{package}-cpu", f"{package}lib"):
        try:
            return importlib.metadata.version(candidate)
        except importlib.metadata.PackageNotFoundError:
            continue
    return getattr(importlib.import_module(package), "__version__", "unknown")


def _unsupported(what: str) -> RuntimeError:
    return RuntimeError(
        f"{what} is implemented for the TensorFlow and JAX backends; Keras is running "
        f"on {name()!r}. Fix: set KERAS_BACKEND=tensorflow or KERAS_BACKEND=jax before "
        "importing keras (restart the kernel after changing it)."
    )


# --------------------------------------------------------------------------------------
# Devices and distribution
# --------------------------------------------------------------------------------------
def list_devices() -> list[tuple[str, str | None, tuple[int, int] | None]]:
    """The devices the backend computes on, as ``(kind, name, compute_capability)``.

    ``kind`` is ``"CPU"``, ``"GPU"`` or ``"TPU"``; ``name`` is ``None`` for CPUs (the
    caller knows the processor's name better); ``compute_capability`` is set for
    NVIDIA GPUs only.
    """
    backend = name()
    if backend == "tensorflow":
        import tensorflow as tf

        found = []
        for dev in tf.config.list_logical_devices("TPU"):
            found.append(("TPU", dev.name, None))
        for dev in tf.config.list_physical_devices("GPU"):
            details = tf.config.experimental.get_device_details(dev)
            capability = details.get("compute_capability")
            found.append(
                ("GPU", details.get("device_name", dev.name), _capability(capability))
            )
        for _ in tf.config.list_physical_devices("CPU"):
            found.append(("CPU", None, None))
        return found
    if backend == "jax":
        import jax

        found = []
        for dev in jax.devices():
            kind = dev.platform.upper()
            if kind in ("GPU", "CUDA", "ROCM"):
                capability = getattr(dev, "compute_capability", None)
                found.append(("GPU", dev.device_kind, _capability(capability)))
            elif kind == "TPU":
                found.append(("TPU", dev.device_kind, None))
            else:
                found.append(("CPU", None, None))
        if not any(kind == "CPU" for kind, _, _ in found):
            found.append(("CPU", None, None))  # the host, which feeds the accelerator
        return found
    if backend == "torch":
        import torch

        found = []
        for index in range(torch.cuda.device_count()):
            capability = torch.cuda.get_device_capability(index)
            found.append(("GPU", torch.cuda.get_device_name(index), capability))
        return found + [("CPU", None, None)]
    return [("CPU", None, None)]


def _capability(value) -> tuple[int, int] | None:
    """``(7, 5)`` from ``(7, 5)``, ``"7.5"`` or ``None``."""
    if value is None:
        return None
    if isinstance(value, str):
        major, _, minor = value.partition(".")
        return int(major), int(minor or 0)
    return int(value[0]), int(value[1])


def distribution():
    """The data-parallel strategy that fits the hardware, used as ``with x.scope():``.

    TensorFlow: ``TPUStrategy`` on a TPU, ``MirroredStrategy`` on several GPUs (or
    several logical CPUs), else ``OneDeviceStrategy``. JAX:
    ``keras.distribution.DataParallel`` over every device (one device is fine).
    Both have a ``scope()``: build and compile the model inside it.
    """
    backend = name()
    if backend == "tensorflow":
        import tensorflow as tf

        try:
            resolver = tf.distribute.cluster_resolver.TPUClusterResolver()
            tf.config.experimental_connect_to_cluster(resolver)
            tf.tpu.experimental.initialize_tpu_system(resolver)
            return tf.distribute.TPUStrategy(resolver)
        except (ValueError, RuntimeError, tf.errors.NotFoundError):
            pass
        gpus = tf.config.list_logical_devices("GPU")
        if len(gpus) > 1:
            return tf.distribute.MirroredStrategy()
        cpus = tf.config.list_logical_devices("CPU")
        if not gpus and len(cpus) > 1:
            return tf.distribute.MirroredStrategy([d.name for d in cpus])
        return tf.distribute.OneDeviceStrategy("/gpu:0" if gpus else "/cpu:0")
    if backend == "jax":
        return keras.distribution.DataParallel(
            devices=keras.distribution.list_devices()
        )
    raise _unsupported("A distribution strategy")


def replicas(strategy) -> int:
    """How many model copies ``strategy`` trains in step (the global batch divides)."""
    if hasattr(strategy, "num_replicas_in_sync"):
        return int(strategy.num_replicas_in_sync)
    mesh = getattr(strategy, "device_mesh", None)
    return int(np.prod(mesh.shape)) if mesh is not None else 1


def split_cpu(count: int) -> None:
    """Makes the backend see the host CPU as ``count`` devices (lesson 13).

    TensorFlow: ``count`` logical CPU devices (``tf.config.set_logical_device_
    configuration``), which must happen before TensorFlow initialises its devices.
    JAX: the device count comes from ``XLA_FLAGS=--xla_force_host_platform_device_
    count=N``, read when JAX starts (:func:`course_lib.startup.quiet_start` sets it
    before importing Keras); here it is only checked.

    Raises:
        RuntimeError: the devices were initialised already with another count; the
            message says to restart the kernel.
    """
    backend = name()
    restart = (
        "Fix: restart the kernel and call startup.quiet_start(cpu_devices="
        f"{count}) in the first cell, before anything imports Keras."
    )
    if backend == "tensorflow":
        import tensorflow as tf

        cpu = tf.config.list_physical_devices("CPU")[0]
        try:
            tf.config.set_logical_device_configuration(
                cpu, [tf.config.LogicalDeviceConfiguration() for _ in range(count)]
            )
        except RuntimeError as err:  # devices already initialised
            have = len(tf.config.list_logical_devices("CPU"))
            if have != count:
                raise RuntimeError(
                    f"TensorFlow initialised {have} CPU device(s) already; {count} "
                    f"were asked for. {restart}"
                ) from err
        return
    if backend == "jax":
        import jax

        have = len(jax.devices("cpu"))
        if have != count:
            raise RuntimeError(
                f"JAX started with {have} CPU device(s); {count} were asked for "
                "(XLA_FLAGS=--xla_force_host_platform_device_count must be set before "
                f"jax is imported). {restart}"
            )
        return
    raise _unsupported("Splitting the CPU into devices")


def cpu_distribution():
    """Data parallelism over the host's CPU devices (see :func:`split_cpu`).

    Like :func:`distribution`, but on the CPU devices even where an accelerator exists,
    so that a lesson can show several replicas on any machine.
    """
    backend = name()
    if backend == "tensorflow":
        import tensorflow as tf

        cpus = [d.name for d in tf.config.list_logical_devices("CPU")]
        if len(cpus) == 1:
            return tf.distribute.OneDeviceStrategy(cpus[0])
        return tf.distribute.MirroredStrategy(cpus)
    if backend == "jax":
        return keras.distribution.DataParallel(
            devices=keras.distribution.list_devices("cpu")
        )
    raise _unsupported("A distribution strategy")


def replica_batch_shapes(strategy, x: np.ndarray) -> list[tuple[str, tuple]]:
    """How ``strategy`` splits the global batch ``x``: ``(device, shape)`` per replica.

    TensorFlow: the batch as ``strategy.experimental_distribute_dataset`` hands it to
    the replicas (what ``model.fit`` does). JAX: the shards of ``x`` placed with the
    distribution's data layout (what ``model.fit`` does under ``DataParallel``).
    """
    x = np.asarray(x)
    backend = name()
    if backend == "tensorflow":
        import tensorflow as tf

        ds = tf.data.Dataset.from_tensor_slices(x).batch(len(x))
        batch = next(iter(strategy.experimental_distribute_dataset(ds)))
        parts = getattr(batch, "values", (batch,))
        return [(part.device, tuple(part.shape)) for part in parts]
    if backend == "jax":
        import jax

        layout = strategy.get_data_layout(x.shape)
        placed = jax.device_put(x, layout.backend_layout)
        return [
            (str(shard.device), tuple(shard.data.shape))
            for shard in placed.addressable_shards
        ]
    raise _unsupported("Splitting a batch over replicas")


# --------------------------------------------------------------------------------------
# Gradients with respect to the input
# --------------------------------------------------------------------------------------
def input_gradient(fn, x: np.ndarray) -> np.ndarray:
    """The gradient of the scalar ``fn(x)`` with respect to ``x``, as a NumPy array.

    ``fn`` takes a backend tensor and returns a scalar built with Keras layers and
    ``keras.ops`` (e.g. one output unit of a model, summed over channels).
    """
    x = np.asarray(x, dtype="float32")
    backend = name()
    if backend == "tensorflow":
        import tensorflow as tf

        tensor = tf.convert_to_tensor(x)
        with tf.GradientTape() as tape:
            tape.watch(tensor)
            value = fn(tensor)
        return tape.gradient(value, tensor).numpy()
    if backend == "jax":
        import jax

        return np.asarray(jax.grad(fn)(jax.numpy.asarray(x)))
    if backend == "torch":
        import torch

        tensor = torch.tensor(x, requires_grad=True)
        fn(tensor).backward()
        return tensor.grad.detach().cpu().numpy()
    raise _unsupported("Gradients with respect to the input")


# --------------------------------------------------------------------------------------
# The tf.data fast path of course_lib.data.pipeline
# --------------------------------------------------------------------------------------
def tf_data_pipeline(
    x: np.ndarray,
    y: np.ndarray,
    *,
    batch_size: int,
    training: bool,
    augment: bool,
    scale: np.ndarray,
    mean: np.ndarray,
    std: np.ndarray,
    num_classes: int | None,
    seed: int | None,
    transform=None,
    drop_remainder: bool = False,
):
    """A ``tf.data.Dataset`` doing what :class:`course_lib.data.ArrayBatches` does.

    ``x`` is uint8 (N, H, W, C), already padded; images become
    ``(x * scale - mean) / std`` in float32, then ``transform(images)`` when given (a
    NumPy function that keeps the shape, run through ``tf.numpy_function``); labels
    int32, or one-hot float32 when ``num_classes`` is given. Training shuffles every
    epoch and, with ``augment``, pads 4 pixels and crops and flips each image
    independently.
    """
    import tensorflow as tf

    height, width, channels = x.shape[1:]
    ds = tf.data.Dataset.from_tensor_slices((x, y.astype(np.int32)))
    if training:
        ds = ds.shuffle(len(x), seed=seed, reshuffle_each_iteration=True)
        if augment:

            def random_crop_flip(image, label):
                image = tf.pad(image, [[4, 4], [4, 4], [0, 0]])
                image = tf.image.random_crop(
                    image, (height, width, channels), seed=seed
                )
                image = tf.image.random_flip_left_right(image, seed=seed)
                return image, label

            ds = ds.map(random_crop_flip, num_parallel_calls=tf.data.AUTOTUNE)
    ds = ds.batch(batch_size, drop_remainder=drop_remainder)

    def normalize(images, labels):
        images = (tf.cast(images, tf.float32) * scale - mean) / std
        if transform is not None:
            shape = images.shape
            images = tf.numpy_function(
                lambda a: np.asarray(transform(a), np.float32), [images], tf.float32
            )
            images.set_shape(shape)
        if num_classes is not None:
            labels = tf.one_hot(labels, num_classes)
        return images, labels

    ds = ds.map(normalize, num_parallel_calls=tf.data.AUTOTUNE)
    return ds.prefetch(tf.data.AUTOTUNE)
