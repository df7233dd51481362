"""Tests for course_lib.plotting: each figure's axes, titles, labels; bad input."""

import keras
import matplotlib
import matplotlib.pyplot as plt
import numpy as np
import pytest
from matplotlib.figure import Figure

from course_lib import plotting

matplotlib.use("Agg")


@pytest.fixture(autouse=True)
def no_pyplot_figures():
    """Figures are made without pyplot: none may be left registered with it."""
    plt.close("all")
    yield
    leaked = plt.get_fignums()
    plt.close("all")
    assert not leaked, "plotting registered figures with pyplot"


def digits(n=10, size=8, channels=None, seed=0):
    shape = (n, size, size) if channels is None else (n, size, size, channels)
    return np.random.default_rng(seed).integers(0, 256, shape, dtype=np.uint8)


def titles(fig):
    return [ax.get_title() for ax in fig.axes]


# --------------------------------------------------------------------------------------
# image_grid and top_mistakes
# --------------------------------------------------------------------------------------
def test_image_grid_one_axes_per_image_titled_with_class_names():
    names = [f"class{i}" for i in range(10)]
    fig = plotting.image_grid(digits(10), np.arange(10), class_names=names, ncols=4)
    assert isinstance(fig, Figure)
    assert len(fig.axes) == 10
    assert titles(fig) == names
    assert fig.get_size_inches()[0] <= plotting.WIDTH


def test_image_grid_predictions_are_green_when_right_and_red_when_wrong():
    labels = np.array([0, 1, 2, 3])
    preds = np.array([0, 1, 5, 3])
    fig = plotting.image_grid(digits(4, channels=3), labels, predictions=preds)
    assert titles(fig) == ["0 / 0", "1 / 1", "5 / 2", "3 / 3"]
    colors = [matplotlib.colors.to_hex(ax.title.get_color()) for ax in fig.axes]
    green = matplotlib.colors.to_hex(plotting.RIGHT)
    red = matplotlib.colors.to_hex(plotting.WRONG)
    assert colors == [green, green, red, green]
    assert "3 of 4 right" in fig._suptitle.get_text()


def test_image_grid_float_images_and_normalize():
    floats = np.random.default_rng(0).normal(size=(3, 8, 8, 1))
    fig = plotting.image_grid(floats, normalize=True, title="standardised")
    assert len(fig.axes) == 3
    assert fig._suptitle.get_text() == "standardised"
    with pytest.raises(ValueError, match="normalize=True"):
        plotting.image_grid(floats)


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"labels": [0, 1]}, "labels"),
        ({"labels": np.zeros(5), "predictions": [0, 1]}, "predictions"),
        ({"predictions": np.zeros(5)}, "need `labels`"),
        ({"labels": [0, 1, 2, 3, 9], "class_names": ["a", "b"]}, "has no name"),
        ({"ncols": 0}, "ncols"),
    ],
)
def test_image_grid_rejects_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        plotting.image_grid(digits(5), **kwargs)


def test_image_grid_rejects_bad_shapes_and_too_many_images():
    with pytest.raises(ValueError, match="shape"):
        plotting.image_grid(np.zeros((4, 8)))
    with pytest.raises(ValueError, match="at most"):
        plotting.image_grid(digits(plotting.MAX_GRID_IMAGES + 1))


def test_top_mistakes_shows_the_most_confident_wrong_predictions_first():
    y_true = np.array([0, 1, 2, 0, 1])
    probs = np.array(
        [
            [0.9, 0.1, 0.0],  # right
            [0.7, 0.3, 0.0],  # wrong, 0.7
            [0.0, 0.1, 0.9],  # right
            [0.05, 0.95, 0.0],  # wrong, 0.95
            [0.0, 0.4, 0.6],  # wrong, 0.6
        ]
    )
    names = ["a", "b", "c"]
    fig = plotting.top_mistakes(digits(5), y_true, probs, class_names=names, n=2)
    assert titles(fig) == ["b (0.95) / a", "a (0.70) / b"]
    assert "3 wrong of 5" in fig._suptitle.get_text()


def test_top_mistakes_without_mistakes_and_bad_input():
    probs = np.eye(3)
    fig = plotting.top_mistakes(digits(3), [0, 1, 2], probs)
    assert len(fig.axes) == 1
    assert "No mistakes" in fig.axes[0].texts[0].get_text()
    with pytest.raises(ValueError, match="probs"):
        plotting.top_mistakes(digits(3), [0, 1, 2], np.eye(2))
    with pytest.raises(ValueError, match="y_true"):
        plotting.top_mistakes(digits(3), [0, 1], probs)


# --------------------------------------------------------------------------------------
# Curves
# --------------------------------------------------------------------------------------
LOGS = {
    "loss": [1.0, 0.6, 0.4],
    "val_loss": [1.1, 0.7, 0.5],
    "accuracy": [0.6, 0.8, 0.9],
    "val_accuracy": [0.55, 0.75, 0.85],
    "time": [1.0, 2.1, 3.0],
}


def test_training_curves_from_a_dict_and_a_keras_history():
    fig = plotting.training_curves(LOGS, title="run")
    assert len(fig.axes) == 2
    for ax, metric in zip(fig.axes, ("loss", "accuracy"), strict=False):
        assert ax.get_xlabel() == "epoch"
        assert ax.get_ylabel() == metric
        assert ax.get_title()
        assert [line.get_label() for line in ax.lines] == ["train", "validation"]
        assert list(ax.lines[0].get_xdata()) == [1, 2, 3]
    history = keras.callbacks.History()
    history.history = {"loss": [0.5, 0.4]}
    history.epoch = [3, 4]  # a resumed run: epochs 4 and 5
    fig = plotting.training_curves(history, metrics=("loss",))
    assert len(fig.axes) == 1
    assert list(fig.axes[0].lines[0].get_xdata()) == [4, 5]
    assert len(fig.axes[0].lines) == 1


def test_training_curves_unknown_metric_lists_available_ones():
    with pytest.raises(ValueError, match="no 'top5_accuracy'.*accuracy, loss"):
        plotting.training_curves(LOGS, metrics=("top5_accuracy",))
    with pytest.raises(ValueError, match="History"):
        plotting.training_curves([1, 2, 3])


def test_compare_curves_against_epochs_and_time():
    other = {k: [v * 1.1 for v in vs] for k, vs in LOGS.items()}
    runs = {"relu": LOGS, "tanh": other}
    fig = plotting.compare_curves(runs, "accuracy", reference=0.75)
    (ax,) = fig.axes
    assert ax.get_xlabel() == "epoch" and ax.get_ylabel() == "accuracy"
    assert [line.get_label() for line in ax.lines][:2] == ["relu", "tanh"]
    assert len(ax.lines) == 3  # two runs and the reference line
    fig = plotting.compare_curves(runs, "loss", x="time", title="by time")
    ax = fig.axes[0]
    assert "time" in ax.get_xlabel()
    assert ax.get_title() == "by time"
    assert list(ax.lines[1].get_xdata()) == other["time"]


def test_compare_curves_bad_input():
    with pytest.raises(ValueError, match="EpochTimer"):
        plotting.compare_curves({"a": {"loss": [1.0]}}, x="time")
    with pytest.raises(ValueError, match="run 'a' has no 'accuracy'"):
        plotting.compare_curves({"a": {"loss": [1.0]}}, "accuracy")
    with pytest.raises(ValueError, match="non-empty dict"):
        plotting.compare_curves({})
    with pytest.raises(ValueError, match="'epoch' or 'time'"):
        plotting.compare_curves({"a": LOGS}, x="step")


# --------------------------------------------------------------------------------------
# Filters and feature maps
# --------------------------------------------------------------------------------------
def small_model():
    inputs = keras.Input((12, 12, 3), name="input")
    x = keras.layers.Conv2D(5, 3, activation="relu", name="block1_conv1")(inputs)
    x = keras.layers.MaxPooling2D(2, name="block1_pool")(x)
    x = keras.layers.Conv2D(4, 3, name="block2_conv1")(x)
    x = keras.layers.Flatten(name="head_flatten")(x)
    outputs = keras.layers.Dense(3, activation="softmax", name="predictions")(x)
    return keras.Model(inputs, outputs, name="small")


def test_filters_rgb_grey_and_multichannel():
    model = small_model()
    fig = plotting.filters(model)  # the first conv: 5 RGB filters
    assert len(fig.axes) == 5
    assert fig.axes[0].get_images()[0].get_array().shape == (3, 3, 3)
    assert "block1_conv1" in fig._suptitle.get_text()
    fig = plotting.filters(model.get_layer("block2_conv1"), max_filters=7, title="C")
    assert len(fig.axes) == 7  # 4 filters x 5 channels, capped at 7
    assert fig._suptitle.get_text() == "C"
    kernel = np.random.default_rng(0).normal(size=(5, 5, 1, 6))
    fig = plotting.filters(kernel)
    assert len(fig.axes) == 6
    assert fig.axes[0].get_images()[0].get_array().shape == (5, 5)
    fig = plotting.filters([kernel, np.zeros(6)], max_filters=4)
    assert len(fig.axes) == 4


def test_filters_rejects_layers_without_a_conv_kernel():
    with pytest.raises(ValueError, match="predictions"):
        plotting.filters(small_model().get_layer("predictions"))
    with pytest.raises(ValueError, match="height, width, in_channels, filters"):
        plotting.filters(np.zeros((3, 3, 4)))


def test_feature_maps_of_a_named_layer():
    model = small_model()
    image = np.random.default_rng(0).random((12, 12, 3)).astype("float32")
    fig = plotting.feature_maps(model, "block1_conv1", image, max_maps=4, ncols=2)
    assert len(fig.axes) == 4
    assert fig.axes[0].get_images()[0].get_array().shape == (10, 10)
    assert "block1_conv1: 4 of 5 maps, 10x10" in fig._suptitle.get_text()
    fig = plotting.feature_maps(model, "block1_pool", image[None], title="pooled")
    assert len(fig.axes) == 5
    assert fig._suptitle.get_text() == "pooled"


def test_feature_maps_unknown_layer_lists_the_available_names():
    model = small_model()
    image = np.zeros((12, 12, 3), "float32")
    with pytest.raises(ValueError, match="no layer 'conv9'.*block1_conv1, block1_pool"):
        plotting.feature_maps(model, "conv9", image)
    with pytest.raises(ValueError, match="not feature maps.*block2_conv1"):
        plotting.feature_maps(model, "head_flatten", image)
    with pytest.raises(ValueError, match=r"shape \(12, 12, 3\)"):
        plotting.feature_maps(model, "block1_conv1", np.zeros((8, 8, 3)))


# --------------------------------------------------------------------------------------
# Confusion matrix and bars
# --------------------------------------------------------------------------------------
def test_confusion_matrix_counts_and_normalised():
    y_true = [0, 0, 1, 1, 2, 2]
    y_pred = [0, 1, 1, 1, 2, 0]
    fig = plotting.confusion_matrix(y_true, y_pred, class_names=["a", "b", "c"])
    assert len(fig.axes) == 2  # the matrix and its colour bar
    ax = fig.axes[0]
    assert ax.get_xlabel() == "predicted label" and ax.get_ylabel() == "true label"
    assert "accuracy 66.67 %" in ax.get_title()
    assert [t.get_text() for t in ax.get_xticklabels()] == ["a", "b", "c"]
    values = [t.get_text() for t in ax.texts]
    assert values == ["1", "1", "0", "0", "2", "0", "1", "0", "1"]
    fig = plotting.confusion_matrix(y_true, y_pred, normalize="true", title="rows")
    assert fig.axes[0].get_title() == "rows"
    assert [t.get_text() for t in fig.axes[0].texts][:3] == ["0.50", "0.50", "0.00"]


def test_confusion_matrix_bad_input():
    with pytest.raises(ValueError, match="same length"):
        plotting.confusion_matrix([0, 1], [0])
    with pytest.raises(ValueError, match="normalize"):
        plotting.confusion_matrix([0, 1], [0, 1], normalize="rows")
    with pytest.raises(ValueError, match="0..1"):
        plotting.confusion_matrix([0, 2], [0, 1], class_names=["a", "b"])


def test_bar_table_annotates_values():
    fig = plotting.bar_table(
        ["LeNet-5", "VGG-16"], [61706, 138357544], ylabel="parameters", log=True
    )
    (ax,) = fig.axes
    assert ax.get_ylabel() == "parameters"
    assert ax.get_title() == "parameters"
    assert ax.get_yscale() == "log"
    assert len(ax.patches) == 2
    assert [t.get_text() for t in ax.texts] == ["61.7K", "138M"]
    fig = plotting.bar_table(["a"], [0.0123], ylabel="s", annotate=False, title="t")
    assert len(fig.axes[0].texts) == 0 and fig.axes[0].get_title() == "t"


def test_bar_table_bad_input():
    with pytest.raises(ValueError, match="same length"):
        plotting.bar_table(["a", "b"], [1], ylabel="x")
    with pytest.raises(ValueError, match="positive"):
        plotting.bar_table(["a", "b"], [1, 0], ylabel="x", log=True)
    with pytest.raises(ValueError, match="finite"):
        plotting.bar_table(["a"], [float("nan")], ylabel="x")


def test_figures_render_as_png_in_notebooks_without_pyplot():
    import numpy as np

    from course_lib import plotting

    fig = plotting.image_grid(np.zeros((4, 8, 8), np.uint8))
    assert fig._repr_png_().startswith(b"\x89PNG")
