"""One call to train and evaluate a model with a recipe: :func:`train`.

:func:`train` takes the recipe for the current mode, loads its dataset (or takes
``data=``; smoke mode subsets it either way), checks the labels against the model,
builds the input pipelines (:func:`course_lib.data.pipeline`: ``tf.data`` on
TensorFlow, NumPy batches on other backends), compiles (cross-entropy, accuracy and
top-5 accuracy), fits, evaluates on the test set and returns the Keras ``History`` with
a :class:`~course_lib.training.results.Result`.

See: lessons/05_lenet5.ipynb.
"""

from __future__ import annotations

import datetime
import math
import os
import time
from collections.abc import Sequence

import keras
import numpy as np

from course_lib import _backend, runtime
from course_lib import data as course_data
from course_lib._util import check_choice
from course_lib.training.callbacks import CompactProgress, EpochTimer
from course_lib.training.evaluation import TOP_K, outputs_probabilities
from course_lib.training.inputs import (
    check_callbacks,
    check_input_shape,
    check_labels,
    check_model,
    load_data,
)
from course_lib.training.recipes import Recipe, get_recipe
from course_lib.training.results import Result
from course_lib.training.resume import RunRecord, merge_history
from course_lib.training.schedules import make_optimizer

__all__ = ["fit_classifier", "train"]

VALIDATIONS = ("auto", "test", "split", None)
VERBOSITIES = ("compact", "keras", "silent")


def _compile(model, recipe, steps_per_epoch, num_classes, compile_kwargs) -> bool:
    """Compiles with the recipe's optimiser and loss; True when labels go one-hot."""
    from_logits = not outputs_probabilities(model)
    # SparseCategoricalCrossentropy has no label_smoothing in Keras 3: smoothing
    # needs one-hot labels and CategoricalCrossentropy.
    one_hot = recipe.label_smoothing > 0
    if one_hot:
        loss = keras.losses.CategoricalCrossentropy(
            from_logits=from_logits, label_smoothing=recipe.label_smoothing
        )
        top_k = keras.metrics.TopKCategoricalAccuracy(k=TOP_K, name="top5_accuracy")
    else:
        loss = keras.losses.SparseCategoricalCrossentropy(from_logits=from_logits)
        top_k = keras.metrics.SparseTopKCategoricalAccuracy(
            k=TOP_K, name="top5_accuracy"
        )
    metrics = ["accuracy"] + ([top_k] if num_classes > TOP_K else [])
    kwargs = {
        "optimizer": make_optimizer(recipe, steps_per_epoch),
        "loss": loss,
        "metrics": metrics,
    }
    kwargs.update(compile_kwargs or {})
    model.compile(**kwargs)
    return one_hot


def _fit(model, train_ds, val_ds, recipe, callbacks, verbose, record):
    """``model.fit`` with a clear error when a backup to resume from is unreadable."""
    try:
        return model.fit(
            train_ds,
            epochs=recipe.epochs,
            validation_data=val_ds,
            callbacks=callbacks,
            verbose="auto" if verbose == "keras" else 0,
            shuffle=False,  # The training pipeline shuffles every epoch.
        )
    except (OSError, ValueError, KeyError) as err:
        if record is None or record.previous is None or record.logs:
            raise
        raise RuntimeError(
            f"Could not resume from the backup in {record.path.parent}: {err}. It is "
            "probably truncated (the run was killed while saving). Delete that "
            "folder to start the run again from epoch 1."
        ) from err


def train(
    model: keras.Model,
    recipe: Recipe | str,
    *,
    data=None,
    validation: str | None = "auto",
    callbacks: Sequence[keras.callbacks.Callback] = (),
    verbose: str = "compact",
    checkpoint_dir: str | os.PathLike | None = None,
    compile_kwargs: dict | None = None,
    seed: int | None = None,
    class_names: Sequence[str] | None = None,
) -> tuple[keras.callbacks.History, Result]:
    """Trains ``model`` with ``recipe``, evaluates it on the test set, reports.

    Steps: take the recipe for the current mode (:meth:`Recipe.for_mode`); load its
    dataset, or take ``data`` (smoke mode subsets it, :func:`smoke_subset`); check
    images, labels and model; build the input pipelines
    (:func:`course_lib.data.pipeline`); compile with the recipe's optimiser and
    schedule (counting the true steps per epoch), cross-entropy (with label
    smoothing when set), accuracy and top-5 accuracy (more than 5 classes); fit;
    evaluate on the test set.

    Args:
        model: A built Keras classifier (softmax or logits output).
        recipe: A :class:`Recipe` or a registered recipe's name.
        data: ``((x_train, y_train), (x_test, y_test))``: uint8 images and integer
            labels, instead of the recipe's dataset. Required when the recipe
            names a dataset the course does not load.
        validation: ``"test"``: validate on the test set each epoch (curves only;
            never choose hyperparameters on it); ``"split"``: hold out the last
            ``recipe.validation_split`` (0.1 if unset) of the training images, as
            ``fit(validation_split=...)`` does; ``None``: no validation;
            ``"auto"``: ``"split"`` when the recipe has a ``validation_split``,
            else ``"test"``.
        callbacks: More Keras callbacks (instances).
        verbose: ``"compact"`` (one line per epoch, :class:`CompactProgress`),
            ``"keras"`` (Keras's progress bar) or ``"silent"``.
        checkpoint_dir: Folder for ``keras.callbacks.BackupAndRestore``: an
            interrupted run resumes from its last completed epoch when ``train`` is
            called again with the same model, recipe and folder, and the returned
            history and result cover the whole run. A folder holding another run's
            backup is refused. The backup is deleted when the run completes.
        compile_kwargs: Extra or overriding ``model.compile`` arguments (e.g.
            ``{"jit_compile": False}``).
        seed: Seeds Keras, NumPy and Python (:func:`course_lib.runtime.set_seed`)
            and the shuffling and augmentation.
        class_names: Names of the classes, by label, kept in the result (default:
            the course dataset's names).

    Returns:
        ``(history, result)``: the Keras ``History`` (with ``time`` and
        ``epoch_time`` from :class:`EpochTimer`) and a :class:`Result`.

    Raises:
        ValueError: for a bad argument, images or labels that do not fit the model,
            or a dataset the course cannot load given without ``data``.

    Example:
        >>> history, result = train(model, "lenet5_mnist")

    See: lessons/05_lenet5.ipynb.
    """
    if isinstance(recipe, str):
        recipe = get_recipe(recipe)
    if not isinstance(recipe, Recipe):
        raise ValueError(
            "`recipe` must be a Recipe or a registered recipe's name. "
            f"Received: recipe={recipe!r}"
        )
    recipe = recipe.for_mode()
    check_choice("validation", validation, VALIDATIONS)
    check_choice("verbose", verbose, VERBOSITIES)
    if validation == "auto":
        validation = "split" if recipe.validation_split else "test"
    num_classes = check_model(model)
    callbacks = check_callbacks(callbacks)
    if seed is not None:
        runtime.set_seed(seed)

    (x_train, y_train), (x_test, y_test) = load_data(recipe, data)
    check_input_shape(model, x_train, recipe)
    y_train = check_labels(y_train, "training", num_classes)
    y_test = check_labels(y_test, "test", num_classes)
    if class_names is None:
        class_names = (
            course_data.CLASS_NAMES.get(recipe.dataset) if data is None else None
        )
    if class_names is not None and len(class_names) != num_classes:
        raise ValueError(
            f"`class_names` needs one name per class ({num_classes}). "
            f"Received: {len(class_names)} names"
        )

    x_val = y_val = None
    if validation == "split":
        fraction = recipe.validation_split or 0.1
        split_at = int(math.floor(len(x_train) * (1.0 - fraction)))
        x_train, x_val = x_train[:split_at], x_train[split_at:]
        y_train, y_val = y_train[:split_at], y_train[split_at:]
    elif validation == "test":
        x_val, y_val = x_test, y_test

    # Training drops the last, smaller batch (when there is a full one): one step
    # shape, so JAX/XLA compile the step once; the reshuffle varies what is left out.
    steps_per_epoch = max(1, len(x_train) // recipe.batch_size)
    one_hot = _compile(model, recipe, steps_per_epoch, num_classes, compile_kwargs)

    def make(x, y, training):
        return course_data.pipeline(
            x,
            y,
            batch_size=recipe.batch_size,
            training=training,
            drop_remainder=training,
            augment=recipe.augment and training,
            normalization=recipe.normalization,
            pad_to=recipe.pad_to,
            seed=seed,
            num_classes=num_classes if one_hot else None,
        )

    train_ds = make(x_train, y_train, True)
    val_ds = make(x_val, y_val, False) if x_val is not None else None
    test_ds = make(x_test, y_test, False)

    timer = EpochTimer()
    all_callbacks = [timer]
    record = None
    if checkpoint_dir is not None:
        identity = f"{model.name}, {model.count_params():,} parameters, {recipe.name}"
        record = RunRecord(checkpoint_dir, identity)
        all_callbacks += [
            keras.callbacks.BackupAndRestore(backup_dir=os.fspath(checkpoint_dir)),
            record,
        ]
    all_callbacks.extend(callbacks)
    if verbose == "compact":
        all_callbacks.append(CompactProgress())
        print(
            f"Training {model.name} ({model.count_params():,} parameters) with "
            f"{recipe.name} in {runtime.mode()} mode on {_backend.name()}: "
            f"{len(x_train):,} images, {recipe.epochs} epoch(s) of {steps_per_epoch} "
            f"steps, {recipe.optimizer} lr {recipe.learning_rate:g} "
            f"({recipe.schedule})",
            flush=True,
        )

    start = time.perf_counter()
    history = _fit(model, train_ds, val_ds, recipe, all_callbacks, verbose, record)
    fit_seconds = time.perf_counter() - start
    scores = model.evaluate(test_ds, return_dict=True, verbose=0)

    logs = {k: [float(v) for v in vs] for k, vs in history.history.items()}
    if record is not None and record.previous is not None and history.epoch:
        logs = merge_history(record.previous, logs, first_epoch=history.epoch[0])
        history.history = logs
        history.epoch = list(range(len(next(iter(logs.values()), []))))
    if record is not None:
        record.discard()
    epoch_seconds = timer.train_seconds[1:] or timer.train_seconds
    images = min(len(x_train), steps_per_epoch * recipe.batch_size)
    images *= len(epoch_seconds)
    images_per_second = images / sum(epoch_seconds) if sum(epoch_seconds) > 0 else 0.0
    result = Result(
        model_name=model.name,
        recipe=recipe.name,
        dataset=recipe.dataset,
        mode=runtime.mode(),
        epochs_run=(history.epoch[-1] + 1) if history.epoch else 0,
        # compile_kwargs may replace the metrics: a missing one is NaN (top-5: None).
        test_accuracy=float(scores.get("accuracy", math.nan)),
        test_top5=(
            float(scores["top5_accuracy"]) if "top5_accuracy" in scores else None
        ),
        test_loss=float(scores.get("loss", math.nan)),
        # After a resume, the time of the whole run (EpochTimer's cumulative clock).
        train_seconds=max(fit_seconds, logs.get("time", [0.0])[-1] if logs else 0.0),
        images_per_second=images_per_second,
        params=int(model.count_params()),
        hardware=runtime.device_summary(),
        backend=_backend.name(),
        backend_version=_backend.version(),
        keras_version=keras.__version__,
        timestamp=datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        train_images=len(x_train),
        test_images=len(x_test),
        batch_size=recipe.batch_size,
        class_names=list(class_names) if class_names is not None else None,
        history=logs,
        config=recipe.to_dict(),
    )
    if verbose == "compact":
        print(result, flush=True)
    return history, result


def fit_classifier(
    model,
    x: np.ndarray,
    y: np.ndarray,
    *,
    epochs: int,
    validation_data: tuple | None = None,
    batch_size: int = 64,
    learning_rate: float = 1e-3,
    verbose: int = 0,
):
    """Compiles and fits a small classifier that outputs logits; returns the History.

    The one training set-up of the early lessons' experiments: Adam, sparse
    categorical cross-entropy on logits, accuracy, arrays already preprocessed.
    (The architecture lessons use :func:`train` and its recipes instead.)

    Example:
        >>> history = fit_classifier(model, x_train, y_train, epochs=5,
        ...                          validation_data=(x_test, y_test))

    See: lessons/01_image_classification.ipynb, lessons/02_mlp_to_cnn.ipynb.
    """
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate),
        loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True),
        metrics=["accuracy"],
    )
    return model.fit(
        x,
        y,
        epochs=epochs,
        batch_size=batch_size,
        validation_data=validation_data,
        verbose=verbose,
    )
