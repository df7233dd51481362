"""train() with bad input, with an instructor's own dataset, and across a resume.

Each bad input gets one clear ValueError naming the problem and the fix, raised before
Keras or the backend would fail inside fit(). Runs on TensorFlow and JAX.
"""

import json
from pathlib import Path

import keras
import numpy as np
import pytest
from sklearn.datasets import load_digits
from test_training import (
    Interrupt,
    synthetic_data,
    tiny_model,
    tiny_recipe,
)

from course_lib import training
from course_lib.training import Recipe


def train_quietly(model, recipe, data, **kwargs):
    return training.train(model, recipe, data=data, verbose="silent", **kwargs)


# --------------------------------------------------------------------------------------
# Labels, images, model, callbacks
# --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "bad_labels, message",
    [
        (lambda y: y / 9.0, "must be integer class indices"),
        (lambda y: y.astype("float32"), "whole numbers: pass labels.astype"),
        (lambda y: y.astype(np.int64) - 1, "must lie in 0..9"),
        (lambda y: np.eye(10)[y], "look one-hot"),
        (lambda y: y.astype(str), "Map names to indices"),
        (lambda y: y[:, None].repeat(2, 1), "shape \\(N,\\)"),
    ],
    ids=["scaled", "float", "negative", "one-hot", "strings", "2-d"],
)
def test_bad_labels_are_refused_with_the_fix(bad_labels, message):
    (x, y), test = synthetic_data(n_train=64, n_test=16)
    with pytest.raises(ValueError, match=message):
        train_quietly(tiny_model(), tiny_recipe(), ((x, bad_labels(y)), test))


def test_float_images_and_empty_sets_are_refused():
    (x, y), (xt, yt) = synthetic_data(n_train=64, n_test=16)
    with pytest.raises(ValueError, match="takes uint8 images"):
        train_quietly(tiny_model(), tiny_recipe(), ((x / 255.0, y), (xt, yt)))
    with pytest.raises(ValueError, match="test set is empty"):
        train_quietly(tiny_model(), tiny_recipe(), ((x, y), (xt[:0], yt[:0])))


def test_a_backbone_without_head_and_a_non_callback_are_refused():
    data = synthetic_data(n_train=64, n_test=16)
    inputs = keras.Input((8, 8, 1))
    features = keras.layers.Conv2D(4, 3)(inputs)
    backbone = keras.Model(inputs, keras.layers.GlobalAveragePooling2D()(features))
    with pytest.raises(ValueError, match="include_top=False needs a head"):
        train_quietly(backbone, tiny_recipe(), data)
    with pytest.raises(ValueError, match="keras.callbacks.Callback instance"):
        train_quietly(tiny_model(), tiny_recipe(), data, callbacks=[print])
    with pytest.raises(ValueError, match="keras.callbacks.Callback instance"):
        train_quietly(tiny_model(), tiny_recipe(), data, callbacks=[Interrupt])


@pytest.mark.parametrize(
    "changes, message",
    [
        ({"learning_rate": "0.01"}, "must be a number"),
        ({"augment": "False"}, "`augment` must be True or False"),
        ({"dataset": ""}, "non-empty name"),
        ({"normalization": "imagenet"}, "`normalization` must be"),
        ({"normalization": ((0.5,), (0.0,))}, "`normalization` must be"),
        ({"epochs": np.int64(3)}, None),
    ],
)
def test_recipe_fields_are_checked(changes, message):
    if message is None:
        assert tiny_recipe(**changes).epochs == 3
        assert type(tiny_recipe(**changes).epochs) is int
    else:
        with pytest.raises(ValueError, match=message):
            tiny_recipe(**changes)


# --------------------------------------------------------------------------------------
# An instructor's own dataset (scikit-learn's 8x8 digits)
# --------------------------------------------------------------------------------------
def digits_split():
    digits = load_digits()
    images = (digits.images * 255 / 16).round().astype(np.uint8)
    labels = digits.target
    return (images[:1500], labels[:1500]), (images[1500:], labels[1500:])


def test_a_dataset_the_course_cannot_load_needs_data(full_mode):
    recipe = tiny_recipe(dataset="sklearn_digits")
    with pytest.raises(ValueError, match="cannot load .*data=\\(\\(x_train"):
        training.train(tiny_model(), recipe, verbose="silent")


def test_train_on_sklearn_digits_with_own_normalisation(full_mode):
    data = digits_split()
    mean = float(data[0][0].mean()) / 255
    std = float(data[0][0].std()) / 255
    recipe = tiny_recipe(
        dataset="sklearn_digits", epochs=3, normalization=((mean,), (std,))
    )
    names = [f"digit {d}" for d in range(10)]
    _, result = train_quietly(tiny_model(), recipe, data, class_names=names, seed=0)
    assert result.dataset == "sklearn_digits"
    assert result.class_names == names
    assert result.train_images == 1500 and result.test_images == 297
    assert result.test_accuracy > 0.8  # 10 classes: chance is 0.1
    assert result.config["normalization"] == [[mean], [std]]
    again = training.Result.from_dict(json.loads(json.dumps(result.to_dict())))
    assert again.class_names == names


def test_a_callable_normalisation_is_applied(full_mode):
    data = digits_split()
    seen = []

    def to_unit(images):
        seen.append(float(np.max(images)))
        return images / 255.0

    recipe = tiny_recipe(dataset="sklearn_digits", normalization=to_unit)
    _, result = train_quietly(tiny_model(), recipe, data)
    assert seen and max(seen) > 1.0  # it received 0..255 images
    assert "to_unit" in result.config["normalization"]


def test_smoke_mode_subsets_given_data_like_the_course_datasets(smoke_mode):
    (x, y), (xt, yt) = synthetic_data(n_train=3000, n_test=900)
    _, result = train_quietly(tiny_model(), tiny_recipe(), ((x, y), (xt, yt)))
    assert result.train_images == 2000 and result.test_images == 500
    (small, _), _ = training.smoke_subset(((x, y), (xt, yt)))
    assert np.bincount(_labels(small, x, y)).tolist() == [200] * 10  # stratified


def _labels(subset, x, y):
    """Labels of the images in ``subset`` (rows of ``x``)."""
    index = {row.tobytes(): label for row, label in zip(x, y, strict=True)}
    return np.array([index[row.tobytes()] for row in subset])


def test_full_mode_keeps_given_data_whole(full_mode):
    data = synthetic_data(n_train=3000, n_test=900)
    assert training.smoke_subset(data) is data


# --------------------------------------------------------------------------------------
# Resume
# --------------------------------------------------------------------------------------
def interrupted_run(data, backup, *, epochs, at_epoch):
    """A run of tiny_model that crashes at ``at_epoch``, leaving its backup."""
    recipe = tiny_recipe(epochs=epochs)
    with pytest.raises(RuntimeError, match="Interrupted"):
        train_quietly(
            tiny_model(),
            recipe,
            data,
            checkpoint_dir=backup,
            callbacks=[Interrupt(at_epoch)],
        )
    return recipe


@pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")
def test_epochs_to_counts_epochs_before_a_resume(tmp_path, full_mode):
    data, backup = synthetic_data(), tmp_path / "backup"
    recipe = interrupted_run(data, backup, epochs=3, at_epoch=2)
    history, result = train_quietly(tiny_model(), recipe, data, checkpoint_dir=backup)
    losses = history.history["loss"]
    assert len(losses) == 3
    # The loss of epoch 3 (resumed) is reached at epoch 3, not at "epoch 1".
    assert training.epochs_to(history, "loss", losses[2], mode="min") in (1, 2, 3)
    assert training.epochs_to(result, "loss", min(losses), mode="min") == (
        int(np.argmin(losses)) + 1
    )


def test_a_backup_of_another_model_is_refused(tmp_path, full_mode):
    data, backup = synthetic_data(), tmp_path / "backup"
    interrupted_run(data, backup, epochs=2, at_epoch=1)
    other = tiny_model(name="other_model")
    with pytest.raises(ValueError, match="holds the backup of another run"):
        train_quietly(other, tiny_recipe(epochs=2), data, checkpoint_dir=backup)
    assert backup.exists()  # nothing deleted


def test_a_truncated_backup_says_how_to_discard_it(tmp_path, full_mode):
    data, backup = synthetic_data(), tmp_path / "backup"
    interrupted_run(data, backup, epochs=2, at_epoch=1)
    weights = [p for p in backup.rglob("*") if p.is_file() and p.suffix == ".h5"]
    assert weights, list(backup.rglob("*"))
    for path in weights:
        path.write_bytes(path.read_bytes()[:100])
    with pytest.raises(RuntimeError, match="Delete that folder"):
        train_quietly(tiny_model(), tiny_recipe(epochs=2), data, checkpoint_dir=backup)


def test_recipe_with_a_tuple_normalisation_is_frozen_and_hashable():
    recipe = Recipe(
        name="mine",
        dataset="mine",
        epochs=1,
        batch_size=8,
        normalization=[[0.5, 0.5, 0.5], [0.25, 0.25, 0.25]],
    )
    assert recipe.normalization == ((0.5, 0.5, 0.5), (0.25, 0.25, 0.25))
    hash(recipe)


def test_the_readme_example_of_an_own_dataset_runs(smoke_mode, capsys):
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    section = readme.split("## Your own dataset", 1)[1]
    code = section.split("```python", 1)[1].split("```", 1)[0]
    namespace = {}
    exec(compile(code, "README.md", "exec"), namespace)  # noqa: S102
    result = namespace["result"]
    assert result.dataset == "sklearn_digits" and result.recipe == "lenet5_digits"
    assert result.train_images == 1500 and result.test_images == 297
    assert "sklearn_digits" in capsys.readouterr().out
