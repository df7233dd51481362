"""Tests for course_lib.training: recipes, schedules, train(), timing, results, resume.

Everything trains tiny models on tiny synthetic uint8 images passed with ``data=``, so
the file runs in well under a minute on two CPU cores. One test uses the real MNIST
smoke subset when ``COURSE_DATA_DIR`` points at the data (it is skipped otherwise).
"""

import json
import math
import os
from pathlib import Path

import keras
import numpy as np
import pytest

from course_lib import training
from course_lib.training import Recipe

NUM_CLASSES = 10


def synthetic_data(n_train=240, n_test=80, size=8, classes=NUM_CLASSES, seed=0):
    """Easy uint8 images: each class is a brighter horizontal band at its own row."""
    rng = np.random.default_rng(seed)

    def make(n):
        y = np.arange(n) % classes
        x = rng.integers(0, 60, (n, size, size)).astype(np.int64)
        rows = (y * size) // classes
        x[np.arange(n), rows, :] += 180
        return x.clip(0, 255).astype(np.uint8), y.astype(np.uint8)

    return make(n_train), make(n_test)


def tiny_model(size=8, classes=NUM_CLASSES, activation="softmax", name="tiny"):
    inputs = keras.Input((size, size, 1), name="input")
    conv = keras.layers.Conv2D(4, 3, padding="same", activation="relu", name="conv1")
    x = conv(inputs)
    x = keras.layers.Flatten(name="flatten")(x)
    outputs = keras.layers.Dense(classes, activation=activation, name="predictions")(x)
    return keras.Model(inputs, outputs, name=name)


def tiny_recipe(**changes):
    base = Recipe(
        name="tiny",
        dataset="mnist",
        epochs=1,
        batch_size=32,
        optimizer="adam",
        learning_rate=3e-3,
        smoke_epochs=1,
        source="test",
    )
    return base.replace(**changes)


# --------------------------------------------------------------------------------------
# Recipes
# --------------------------------------------------------------------------------------
def test_registry_holds_the_course_recipes_with_sources():
    for name in (
        "lenet5_mnist",
        "keras_io_mnist",
        "alexnet_cifar10",
        "zfnet_cifar10",
        "vgg_cifar10",
        "relu_vs_tanh_cifar10",
        "resnet_cifar10",
        "densenet_bc_cifar10",
        "googlenet_cifar10",
    ):
        recipe = training.get_recipe(name)
        assert recipe.name == name
        assert len(recipe.source) > 40, f"{name} must cite its source"
    with pytest.raises(TypeError):
        training.RECIPES["new"] = training.get_recipe("lenet5_mnist")


def test_keras_io_mnist_is_the_keras_io_example():
    recipe = training.get_recipe("keras_io_mnist")
    assert (recipe.optimizer, recipe.learning_rate) == ("adam", 1e-3)
    assert (recipe.batch_size, recipe.epochs) == (128, 15)
    assert recipe.validation_split == 0.1
    assert recipe.normalization == "unit" and recipe.pad_to is None
    assert recipe.schedule == "constant" and not recipe.augment
    assert "keras.io/examples/vision/mnist_convnet" in recipe.source


def test_sgd_recipes_use_momentum_and_converted_weight_decay():
    for name in ("alexnet_cifar10", "zfnet_cifar10", "vgg_cifar10"):
        recipe = training.get_recipe(name)
        assert (recipe.optimizer, recipe.momentum) == ("sgd", 0.9)
        assert recipe.weight_decay == pytest.approx(5e-3)
        assert recipe.augment and recipe.normalization == "cifar10"
    assert training.decoupled_weight_decay(5e-4, momentum=0.9) == pytest.approx(5e-3)
    assert training.decoupled_weight_decay(1e-4, momentum=0.0) == pytest.approx(1e-4)


def test_resnet_recipe_is_the_papers_64k_iterations():
    recipe = training.get_recipe("resnet_cifar10")
    iterations = recipe.epochs * (50_000 // recipe.batch_size)  # full batches only
    assert abs(iterations - 64_000) < 50_000 // recipe.batch_size  # within one epoch
    drops = [round(m * iterations, -3) for m in recipe.milestones]
    assert drops == [32_000, 48_000]
    assert (recipe.learning_rate, recipe.momentum, recipe.gamma) == (0.1, 0.9, 0.1)
    assert recipe.weight_decay == pytest.approx(1e-4 / (1 - 0.9))
    assert recipe.augment and recipe.schedule == "step"


def test_densenet_recipe_is_the_papers():
    recipe = training.get_recipe("densenet_bc_cifar10")
    assert (recipe.epochs, recipe.batch_size, recipe.learning_rate) == (300, 64, 0.1)
    assert recipe.nesterov and recipe.milestones == (0.5, 0.75)
    assert recipe.weight_decay == pytest.approx(1e-3)


def test_unknown_recipe_lists_known_names():
    with pytest.raises(ValueError) as info:
        training.get_recipe("lenet_mnist")
    message = str(info.value)
    assert "Unknown recipe 'lenet_mnist'" in message
    assert "did you mean 'lenet5_mnist'" in message
    for name in training.RECIPES:
        assert name in message


def test_overrides_and_replace():
    recipe = training.get_recipe("lenet5_mnist", epochs=3, batch_size=64)
    assert (recipe.epochs, recipe.batch_size) == (3, 64)
    assert training.get_recipe("lenet5_mnist").epochs != 3  # the registry is unchanged
    assert recipe.replace(learning_rate=0.1).learning_rate == 0.1
    with pytest.raises(ValueError, match="no field 'epoch'.*did you mean 'epochs'"):
        training.get_recipe("lenet5_mnist", epoch=3)


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"dataset": ""}, "dataset"),
        ({"optimizer": "rmsprop"}, "optimizer"),
        ({"schedule": "linear"}, "schedule"),
        ({"epochs": 0}, "epochs"),
        ({"momentum": 1.0}, "momentum"),
        ({"milestones": (0.8, 0.5)}, "milestones"),
        ({"warmup_epochs": 5}, "warmup_epochs"),
        ({"weight_decay": 1e-4}, "adamw"),
        ({"normalization": "imagenet"}, "normalization"),
    ],
)
def test_recipe_validation(changes, message):
    with pytest.raises(ValueError, match=message):
        tiny_recipe(**changes)


def test_for_mode_full_and_smoke(monkeypatch):
    recipe = training.get_recipe(
        "vgg_cifar10", epochs=60, warmup_epochs=6, smoke_epochs=2, smoke_batch_size=32
    )
    monkeypatch.setenv("COURSE_MODE", "full")
    assert recipe.for_mode() == recipe
    monkeypatch.setenv("COURSE_MODE", "smoke")
    smoke = recipe.for_mode()
    assert (smoke.epochs, smoke.batch_size) == (2, 32)
    assert smoke.warmup_epochs == pytest.approx(0.2)  # the same fraction of the run
    assert smoke.replace(epochs=60, batch_size=128, warmup_epochs=6) == recipe
    assert smoke.for_mode() == smoke  # idempotent
    assert training.get_recipe("lenet5_mnist").for_mode().epochs == 1


# --------------------------------------------------------------------------------------
# Schedules and optimisers
# --------------------------------------------------------------------------------------
def lr(schedule, step):
    return float(schedule(step))


def test_constant_and_warmup():
    schedule = training.RecipeSchedule(0.1, total_steps=100, warmup_steps=10)
    assert lr(schedule, 0) == pytest.approx(0.01)
    assert lr(schedule, 4) == pytest.approx(0.05)
    assert lr(schedule, 9) == pytest.approx(0.1)
    assert lr(schedule, 50) == pytest.approx(0.1)


def test_cosine_with_warmup():
    schedule = training.RecipeSchedule(
        0.1, total_steps=110, kind="cosine", warmup_steps=10
    )
    assert lr(schedule, 0) == pytest.approx(0.01)
    assert lr(schedule, 10) == pytest.approx(0.1)
    assert lr(schedule, 60) == pytest.approx(0.05)  # halfway through the decay
    assert lr(schedule, 110) == pytest.approx(0.0, abs=1e-7)
    values = [lr(schedule, s) for s in range(10, 111)]
    assert all(a >= b for a, b in zip(values, values[1:], strict=False))


def test_step_schedule_milestones_are_fractions_of_the_run():
    schedule = training.RecipeSchedule(
        0.1, total_steps=200, kind="step", milestones=(0.5, 0.75), gamma=0.1
    )
    assert lr(schedule, 99) == pytest.approx(0.1)
    assert lr(schedule, 100) == pytest.approx(0.01)
    assert lr(schedule, 149) == pytest.approx(0.01)
    assert lr(schedule, 150) == pytest.approx(0.001)


def test_onecycle_rises_then_anneals():
    schedule = training.RecipeSchedule(0.1, total_steps=100, kind="onecycle")
    assert lr(schedule, 0) == pytest.approx(0.1 / 25)
    assert lr(schedule, 30) == pytest.approx(0.1)
    assert lr(schedule, 100) == pytest.approx(0.1 / 25 / 1e4, rel=1e-3)
    assert lr(schedule, 15) < lr(schedule, 30) > lr(schedule, 60)


def test_schedule_uses_the_recipe_and_steps_per_epoch():
    recipe = tiny_recipe(epochs=4, schedule="cosine", warmup_epochs=1)
    schedule = training.learning_rate_schedule(recipe, steps_per_epoch=25)
    assert (schedule.total_steps, schedule.warmup_steps) == (100, 25)
    config = schedule.get_config()
    assert training.RecipeSchedule(**config).get_config() == config
    restored = keras.optimizers.schedules.deserialize(
        keras.optimizers.schedules.serialize(schedule)
    )
    assert lr(restored, 60) == pytest.approx(lr(schedule, 60))


def test_make_optimizer():
    sgd = training.make_optimizer(
        tiny_recipe(optimizer="sgd", momentum=0.9, weight_decay=5e-3), 10
    )
    assert isinstance(sgd, keras.optimizers.SGD)
    assert (sgd.momentum, sgd.weight_decay) == (0.9, 5e-3)
    recipe = tiny_recipe(optimizer="adamw", weight_decay=0.05)
    adamw = training.make_optimizer(recipe, 10)
    assert isinstance(adamw, keras.optimizers.AdamW) and adamw.weight_decay == 0.05
    adam = training.make_optimizer(tiny_recipe(), 10)
    assert type(adam) is keras.optimizers.Adam and adam.weight_decay is None


# --------------------------------------------------------------------------------------
# train()
# --------------------------------------------------------------------------------------
def test_train_end_to_end_returns_a_sane_result(capsys):
    data = synthetic_data()
    model = tiny_model()
    history, result = training.train(model, tiny_recipe(), data=data, seed=0)
    assert isinstance(result, training.Result)
    assert not model.loss.from_logits  # the model ends in a softmax
    assert result.epochs_run == 1 and history.epoch == [0]
    assert 0.0 <= result.test_accuracy <= 1.0
    assert 0.0 <= result.test_top5 <= 1.0
    assert result.test_top5 >= result.test_accuracy
    assert math.isfinite(result.test_loss)
    assert result.images_per_second > 0 and result.train_seconds > 0
    assert result.params == model.count_params()
    names = (result.model_name, result.recipe, result.dataset)
    assert names == ("tiny", "tiny", "mnist")
    assert result.mode in ("smoke", "full")
    assert result.hardware and result.keras_version == keras.__version__
    assert result.train_images == 240 and result.batch_size == 32
    for key in ("loss", "accuracy", "top5_accuracy", "val_accuracy", "time"):
        assert key in history.history and key in result.history
    # The schedule counts the true number of steps per epoch: training drops the
    # last, smaller batch, so 240 // 32 = 7 steps of 32 images.
    assert int(model.optimizer.iterations) == 7
    config = model.optimizer.get_config()["learning_rate"]["config"]
    assert config["total_steps"] == 7
    out = capsys.readouterr().out
    assert "epoch 1/1" in out and "val_acc" in out and "test accuracy" in out


def test_train_learns_the_synthetic_task(full_mode):
    history, result = training.train(
        tiny_model(),
        tiny_recipe(epochs=4),
        data=synthetic_data(),
        seed=0,
        verbose="silent",
    )
    assert history.epoch == [0, 1, 2, 3]
    assert result.test_accuracy > 0.5  # chance is 0.1


def test_train_label_smoothing_logits_and_split_validation(capsys):
    recipe = tiny_recipe(
        label_smoothing=0.1,
        optimizer="sgd",
        momentum=0.9,
        learning_rate=0.05,
        schedule="step",
        validation_split=0.25,
    )
    model = tiny_model(activation=None)
    history, result = training.train(
        model, recipe, data=synthetic_data(), verbose="silent"
    )
    assert isinstance(model.loss, keras.losses.CategoricalCrossentropy)
    assert model.loss.from_logits and model.loss.label_smoothing == 0.1
    assert result.train_images == 180  # the last quarter is held out, as fit() does
    assert "val_loss" in history.history
    assert 0.0 <= result.test_accuracy <= 1.0
    assert capsys.readouterr().out == ""


def test_train_few_classes_has_no_top5_and_no_validation():
    data = synthetic_data(classes=3)
    history, result = training.train(
        tiny_model(classes=3),
        tiny_recipe(),
        data=data,
        validation=None,
        verbose="silent",
    )
    assert result.test_top5 is None
    assert "top5_accuracy" not in history.history
    assert not any(k.startswith("val_") for k in history.history)


def test_train_rejects_data_that_do_not_fit_the_model():
    data = synthetic_data()
    with pytest.raises(ValueError, match="pad_to=12"):
        training.train(tiny_model(size=12), tiny_recipe(), data=data)
    with pytest.raises(ValueError, match="pad_to=None"):
        training.train(tiny_model(), tiny_recipe(pad_to=12), data=data)
    with pytest.raises(ValueError, match="must lie in 0..4 .* go from 0 to 9"):
        training.train(tiny_model(classes=5), tiny_recipe(), data=data)
    with pytest.raises(ValueError, match="validation"):
        training.train(tiny_model(), tiny_recipe(), data=data, validation="val")
    with pytest.raises(ValueError, match="as many labels"):
        (x, y), test = data
        training.train(tiny_model(), tiny_recipe(), data=((x, y[:10]), test))


class Interrupt(keras.callbacks.Callback):
    """Simulates a crash at the start of an epoch (as BackupAndRestore's docs do)."""

    def __init__(self, at_epoch):
        super().__init__()
        self.at_epoch = at_epoch

    def on_epoch_begin(self, epoch, logs=None):
        if epoch == self.at_epoch:
            raise RuntimeError("Interrupted!")


# Keras's own weight loading trips NumPy 2's copy-keyword deprecation; not ours.
@pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")
def test_checkpoint_dir_resumes_an_interrupted_run(tmp_path, full_mode):
    data = synthetic_data()
    recipe = tiny_recipe(epochs=2, schedule="cosine")
    backup = tmp_path / "backup"
    with pytest.raises(RuntimeError, match="Interrupted"):
        training.train(
            tiny_model(),
            recipe,
            data=data,
            checkpoint_dir=backup,
            callbacks=[Interrupt(at_epoch=1)],
            verbose="silent",
        )
    assert (backup / "training_metadata.json").exists()
    assert json.loads((backup / "training_metadata.json").read_text())["epoch"] == 1
    # A new model (as after a restarted kernel) continues from epoch 2.
    model = tiny_model()
    history, result = training.train(
        model, recipe, data=data, checkpoint_dir=backup, verbose="silent"
    )
    # The history and result cover the whole run, not just the resumed part.
    assert history.epoch == [0, 1]
    assert len(history.history["loss"]) == 2 == len(result.history["time"])
    assert result.history["time"][1] > result.history["time"][0]
    assert result.train_seconds >= result.history["time"][1]
    assert result.epochs_run == 2
    assert int(model.optimizer.iterations) == 14  # the schedule resumes too
    assert not backup.exists()  # removed once the run completed


# --------------------------------------------------------------------------------------
# Callbacks
# --------------------------------------------------------------------------------------
def test_epoch_timer_and_compact_progress(capsys):
    (x, y), _ = synthetic_data(n_train=64)
    model = tiny_model()
    model.compile(
        optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"]
    )
    timer = training.EpochTimer()
    history = model.fit(
        x[..., None] / 255.0,
        y,
        epochs=3,
        batch_size=32,
        validation_split=0.25,
        callbacks=[timer, training.CompactProgress()],
        verbose=0,
    )
    times = history.history["time"]
    assert len(times) == 3 and times[0] > 0
    assert all(a < b for a, b in zip(times, times[1:], strict=False))
    assert all(t > 0 for t in history.history["epoch_time"])
    assert len(timer.train_seconds) == 3
    epoch_times = history.history["epoch_time"]
    assert all(
        0 < t <= e for t, e in zip(timer.train_seconds, epoch_times, strict=False)
    )
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("epoch 1/3") and "val_acc" in lines[0]
    assert lines[-1].endswith(" s")


# --------------------------------------------------------------------------------------
# epochs_to / time_to and Result
# --------------------------------------------------------------------------------------
HISTORY = {
    "accuracy": [0.4, 0.7, 0.76, 0.9],
    "loss": [1.5, 0.9, 0.6, 0.3],
    "time": [2.0, 4.5, 6.0, 8.5],
}


def test_epochs_to_and_time_to():
    assert training.epochs_to(HISTORY, "accuracy", 0.75) == 3
    assert training.time_to(HISTORY, "accuracy", 0.75) == 6.0
    assert training.epochs_to(HISTORY, "loss", 0.9, mode="min") == 2
    assert training.time_to(HISTORY, "loss", 0.9, mode="min") == 4.5
    assert training.epochs_to(HISTORY, "accuracy", 0.95) is None
    assert training.time_to(HISTORY, "accuracy", 0.95) is None
    assert training.epochs_to(HISTORY, "accuracy", 0.4) == 1
    history = keras.callbacks.History()
    history.history = HISTORY
    assert training.epochs_to(history, "accuracy", 0.75) == 3


def test_epochs_to_and_time_to_errors():
    with pytest.raises(ValueError, match="no 'val_accuracy'.*accuracy, loss, time"):
        training.epochs_to(HISTORY, "val_accuracy", 0.5)
    with pytest.raises(ValueError, match="EpochTimer"):
        training.time_to({"accuracy": [0.5]}, "accuracy", 0.5)
    with pytest.raises(ValueError, match="mode"):
        training.epochs_to(HISTORY, "accuracy", 0.5, mode="up")


def make_result(**changes):
    values = dict(
        model_name="lenet5",
        recipe="lenet5_mnist",
        dataset="mnist",
        mode="smoke",
        epochs_run=1,
        test_accuracy=0.95,
        test_top5=0.999,
        test_loss=0.17,
        train_seconds=3.5,
        images_per_second=1234.5,
        params=61706,
        hardware="CPU only: test",
        keras_version=keras.__version__,
        backend="tensorflow",
        backend_version="2.x",
        timestamp="2025-01-01T00:00:00+00:00",
        train_images=2000,
        batch_size=128,
        history=dict(HISTORY),
        config=training.get_recipe("lenet5_mnist").to_dict(),
    )
    values.update(changes)
    return training.Result(**values)


def test_result_json_round_trip(tmp_path):
    result = make_result()
    path = result.to_json(tmp_path / "results" / "lenet5.json")
    assert path.exists() and not list(path.parent.glob("*.part"))
    again = training.Result.from_json(path)
    assert again == result
    assert json.loads(path.read_text())["test_accuracy"] == 0.95
    assert training.epochs_to(again, "accuracy", 0.75) == 3
    assert "95.00 %" in str(result) and "top-5 99.90 %" in str(result)
    assert "top-5" not in str(make_result(test_top5=None))


def test_result_from_json_rejects_other_files(tmp_path):
    path = tmp_path / "other.json"
    path.write_text(json.dumps({"model_name": "x"}))
    with pytest.raises(ValueError, match="not a training result.*test_accuracy"):
        training.Result.from_json(path)


# --------------------------------------------------------------------------------------
# Predictions
# --------------------------------------------------------------------------------------
def test_predict_classes_and_evaluate_top_k():
    (x, y), _ = synthetic_data(n_train=40)
    for activation in ("softmax", None):
        model = tiny_model(activation=activation)
        preds, probs = training.predict_classes(model, x, batch_size=16)
        assert preds.shape == (40,) and probs.shape == (40, NUM_CLASSES)
        assert np.allclose(probs.sum(axis=1), 1.0, atol=1e-5)
        assert np.array_equal(preds, probs.argmax(axis=1))
        floats, _ = training.predict_classes(model, x / 255.0)
        assert np.array_equal(floats, preds)
    from course_lib.data import pipeline

    dataset = pipeline(x, y, batch_size=16)
    model = tiny_model()
    assert training.evaluate_top_k(model, dataset, k=NUM_CLASSES) == pytest.approx(1.0)
    top1 = training.evaluate_top_k(model, dataset, k=1)
    preds, _ = training.predict_classes(model, x)
    assert top1 == pytest.approx(np.mean(preds == y))


# --------------------------------------------------------------------------------------
# Real data (skipped without COURSE_DATA_DIR)
# --------------------------------------------------------------------------------------
def real_data_dir():
    folder = os.environ.get("COURSE_DATA_DIR")
    if not folder or not (Path(folder) / "mnist").is_dir():
        pytest.skip(
            "Set COURSE_DATA_DIR to a folder holding mnist/ (e.g. ../shared/data) "
            "to run the real-data test."
        )
    return folder


def test_train_loads_the_recipes_dataset_in_smoke_mode(smoke_mode):
    real_data_dir()
    model = tiny_model(size=32, name="tiny32")
    recipe = training.get_recipe("lenet5_mnist")  # pads to 32, normalises as MNIST
    history, result = training.train(model, recipe, seed=0, verbose="silent")
    assert result.mode == "smoke" and result.epochs_run == 1
    assert result.train_images == 2000  # the smoke subset
    assert result.test_accuracy > 0.3  # one short epoch on real digits
