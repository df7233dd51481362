"""course_lib.compare: the cost file against the builders, the CIFAR-10 results map,
published figures, the Pareto front, and the backbone + head pieces."""

from __future__ import annotations

import copy
from pathlib import Path

import keras
import numpy as np
import pytest

from course_lib import compare, results
from course_lib.models import available, build

ROOT = Path(__file__).resolve().parent.parent

# Building every model takes ~1 minute on TensorFlow and several on JAX (symbolic
# tracing): TensorFlow checks every row up to CIFAR-10 size but the slowest, JAX a few
# small ones. tools/model_costs.py rebuilds them all.
_SMALL = ["lenet5", "keras_io_convnet", "relu_tanh_convnet"]
_ON_TF = keras.backend.backend() == "tensorflow"
_SLOW = {"densenet_bc_cifar", "googlenet_cifar"}


def _checked_keys():
    if not _ON_TF:
        return _SMALL
    return [
        row["key"]
        for row in compare.cost_table()
        if max(row["input_shape"][:2]) <= 32 and row["key"] not in _SLOW
    ]


# --- the cost table ---------------------------------------------------------------


def test_cost_models_cover_every_registered_builder_once():
    keys = [spec.key for spec in compare.COST_MODELS]
    assert len(keys) == len(set(keys))
    defaults = [s.builder for s in compare.COST_MODELS if not s.kwargs]
    assert defaults == [info.name for info in available()]


def test_the_cost_file_has_one_row_per_model_and_says_how_it_was_made():
    record = results.load(compare.COST_FILE)
    assert record["command"] == "python tools/model_costs.py"
    assert record["keras_version"] and record["date"]
    assert [row["key"] for row in record["rows"]] == [
        spec.key for spec in compare.COST_MODELS
    ]


def test_the_cost_file_agrees_with_a_fresh_computation():
    keys = _checked_keys()
    fresh = compare.compute_cost_rows(keys)
    assert compare.stale_rows(compare.cost_table(), fresh) == []
    assert len(fresh) == len(keys) >= 3


def test_stale_rows_catches_a_changed_or_missing_row():
    table = compare.cost_table()
    fresh = compare.compute_cost_rows(["lenet5"])
    stale = copy.deepcopy(table)
    next(r for r in stale if r["key"] == "lenet5")["macs"] += 1
    assert compare.stale_rows(stale, fresh) == [
        f"lenet5: macs is {fresh[0]['macs'] + 1} in the file, "
        f"{fresh[0]['macs']} built now"
    ]
    missing = [r for r in table if r["key"] != "lenet5"]
    assert compare.stale_rows(missing, fresh) == ["lenet5: not in the table"]


def test_cost_row_counts_and_sizes():
    model = build("lenet5")
    row = compare.cost_row(model, key="x", configuration="y")
    assert row["params_total"] == row["params_trainable"] == 61_706
    assert row["macs"] == 416_520
    assert row["mb_32bit"] == round(4 * 61_706 / 1e6, 3)
    assert row["mb_16bit"] == round(2 * 61_706 / 1e6, 3)
    assert row["input_shape"] == [32, 32, 1]
    with pytest.raises(ValueError, match="keras.Model"):
        compare.cost_row("lenet5")


def test_batch_norm_statistics_count_in_total_not_trainable():
    row = compare.cost_row(build("resnet_cifar", depth=8))
    assert row["params_total"] > row["params_trainable"]


def test_unknown_cost_row_names_the_closest():
    with pytest.raises(ValueError, match="resnet_cifar56"):
        compare.build_cost_model("resnet_cifar65")


# --- results and published figures -----------------------------------------------


def test_cifar10_results_map_every_run_to_a_cost_row_and_a_command():
    keys = {spec.key for spec in compare.COST_MODELS}
    script = (ROOT / "benchmarks" / "full_runs.py").read_text()
    table = compare.cifar10_results()
    assert set(table) == set(compare.CIFAR10_RUNS)
    for run, entry in table.items():
        assert entry["cost_key"] in keys
        assert (
            entry["command"] == f"python benchmarks/full_runs.py {run} --tag h100_jax"
        )
        assert run.removesuffix("_cifar10") in script
        for summary in entry["runs"]:
            assert summary["file"] in results.available()
            assert summary["hardware"] and summary["backend"]
            assert 0 < summary["accuracy_full_test_set"] <= 1


def test_a_full_recipe_run_has_its_0_999_accuracy():
    for entry in compare.cifar10_results().values():
        for summary in entry["runs"]:
            if summary["label"] == "full recipe":
                assert 0 < summary["accuracy_0_999"] <= 1


def test_published_imagenet_figures_name_a_builder_and_a_source():
    names = {info.name for info in available()}
    for key, (top1, top5, source) in compare.PUBLISHED_IMAGENET.items():
        assert key in names
        assert top1 is not None or top5 is not None
        assert all(v is None or 50 < v < 100 for v in (top1, top5))
        assert source


# --- Pareto front -----------------------------------------------------------------


def test_pareto_front_keeps_the_undominated_points_sorted_by_cost():
    assert compare.pareto_front([1, 2, 3], [0.5, 0.4, 0.9]) == [0, 2]
    assert compare.pareto_front([3, 1, 2], [0.9, 0.5, 0.7]) == [1, 2, 0]
    assert compare.pareto_front([5], [0.1]) == [0]


def test_pareto_front_ties():
    # Same cost, lower accuracy: dominated. Identical points: both kept.
    assert compare.pareto_front([1, 1], [0.5, 0.6]) == [1]
    assert compare.pareto_front([1, 1], [0.5, 0.5]) == [0, 1]
    assert compare.pareto_front([1, 2], [0.5, 0.5]) == [0]


@pytest.mark.parametrize(
    ("costs", "accuracies", "match"),
    [
        ([1, 2], [0.5], "same length"),
        ([], [], "non-empty"),
        ([1, float("nan")], [0.5, 0.6], "finite"),
        ([1, None], [0.5, 0.6], "finite"),
        (["a", "b"], [0.5, 0.6], "sequences of numbers"),
        ([[1, 2]], [[0.5, 0.6]], "flat"),
    ],
)
def test_pareto_front_refuses_bad_input(costs, accuracies, match):
    with pytest.raises(ValueError, match=match):
        compare.pareto_front(costs, accuracies)


# --- backbone + head ----------------------------------------------------------------


def test_class_subset_relabels_in_the_order_given():
    images = np.arange(10)[:, None] * np.ones((1, 2))
    labels = np.array([0, 1, 2, 3, 4, 0, 1, 2, 3, 4]).reshape(-1, 1)
    x, y = compare.class_subset(images, labels, [3, 1])
    assert x[:, 0].tolist() == [1, 3, 6, 8]
    assert y.tolist() == [1, 0, 1, 0]
    x, y = compare.class_subset(images, labels, [3, 1], per_class=1)
    assert x[:, 0].tolist() == [1, 3] and y.tolist() == [1, 0]


@pytest.mark.parametrize(
    ("classes", "kwargs", "match"),
    [
        ([], {}, "non-empty"),
        ([1, 1], {}, "repeat"),
        ([7], {}, "No image has label"),
        ([1.5], {}, "ints"),
        ([1], {"per_class": 0}, "per_class"),
    ],
)
def test_class_subset_refuses_bad_input(classes, kwargs, match):
    with pytest.raises(ValueError, match=match):
        compare.class_subset(np.zeros((3, 2)), np.array([0, 1, 2]), classes, **kwargs)
    with pytest.raises(ValueError, match="same length"):
        compare.class_subset(np.zeros((2, 2)), np.array([0, 1, 2]), [0])


def test_transfer_weights_copies_the_body_into_an_include_top_false_build():
    trained = build("resnet_cifar", depth=8, num_classes=5)
    backbone = build("resnet_cifar", depth=8, include_top=False, pooling="avg")
    copied = compare.transfer_weights(trained, backbone)
    assert copied == len([layer for layer in backbone.layers if layer.weights])
    for layer in backbone.layers:
        for mine, theirs in zip(
            layer.get_weights(),
            trained.get_layer(layer.name).get_weights(),
            strict=True,
        ):
            np.testing.assert_array_equal(mine, theirs)


def test_transfer_weights_refuses_other_architectures():
    with pytest.raises(ValueError, match="weight shapes differ"):
        compare.transfer_weights(
            build("resnet_cifar", depth=8, width=8),
            build("resnet_cifar", depth=8, include_top=False),
        )
    with pytest.raises(ValueError, match="no counterpart"):
        compare.transfer_weights(
            build("resnet_cifar", depth=8), build("resnet_cifar", depth=14)
        )
    with pytest.raises(ValueError, match="keras.Model"):
        compare.transfer_weights("a", build("lenet5"))


def test_attach_head_freezes_or_fine_tunes():
    backbone = build("resnet_cifar", depth=8, include_top=False)  # maps, no pooling
    frozen = compare.attach_head(backbone, 5, freeze=True)
    assert frozen.output.shape[-1] == 5
    assert frozen.get_layer("new_pool") is not None
    assert sum(int(np.prod(w.shape)) for w in frozen.trainable_weights) == 65 * 5
    tuned = compare.attach_head(
        build("resnet_cifar", depth=8, include_top=False, pooling="avg"),
        3,
        freeze=False,
    )
    assert len(tuned.trainable_weights) > 2


@pytest.mark.parametrize(
    ("args", "kwargs", "match"),
    [
        (("x", 5), {"freeze": True}, "keras.Model"),
        ((None, 1), {"freeze": True}, "num_classes"),
        ((None, 5), {"freeze": "yes"}, "freeze"),
    ],
)
def test_attach_head_refuses_bad_input(args, kwargs, match):
    if args[0] is None:
        args = (build("lenet5", include_top=False), args[1])
    with pytest.raises(ValueError, match=match):
        compare.attach_head(*args, **kwargs)
