"""Statements in lessons 01-05 that were wrong or loose, checked over the notebooks'
text: the wrong phrase is gone, the corrected fact is there with its source, and where
the fact can be computed here (from the lesson's own tables, the library or a results
file), the test computes it. The lessons' ``checks.expect`` cells, run by nbval, check
the figures they compute on each run."""

from __future__ import annotations

import re
from pathlib import Path

import keras
import nbformat
import numpy as np
import pytest

from course_lib import arithmetic, results
from course_lib.models import build
from course_lib.models import lenet as lenet_module

ROOT = Path(__file__).resolve().parent.parent
LESSONS = {p.name[:2]: p for p in sorted((ROOT / "lessons").glob("0[1-5]_*.ipynb"))}


def _cells(number: str, kind: str) -> list[str]:
    nb = nbformat.read(LESSONS[number], as_version=4)
    return [c.source for c in nb.cells if c.cell_type == kind]


def prose(number: str) -> str:
    return "\n\n".join(_cells(number, "markdown"))


def code(number: str) -> str:
    return "\n\n".join(_cells(number, "code"))


def code_cell(number: str, marker: str) -> str:
    """The one code cell of a lesson that contains ``marker``."""
    found = [s for s in _cells(number, "code") if marker in s]
    assert len(found) == 1, f"lesson {number}: {len(found)} code cells hold {marker!r}"
    return found[0]


def paragraph(text: str, marker: str) -> str:
    found = [p for p in text.split("\n\n") if marker in p]
    assert len(found) == 1, f"{len(found)} paragraphs hold {marker!r}"
    return found[0]


def test_the_lessons_are_there():
    assert sorted(LESSONS) == ["01", "02", "03", "04", "05"]


# --- Lesson 01: the ILSVRC history ----------------------------------------------


def test_the_quoted_winners_list_is_late_for_the_entries_the_lesson_names():
    text = prose("01")
    assert "each of the last three is a year late" not in text
    # Recompute which entries of the quoted list are late from the lesson's own table
    # (course_lib.history, which the lesson imports).
    table = {}
    exec(code_cell("01", "ILSVRC_WINNERS,"), table)  # noqa: S102 - our lesson
    won_in = {name: w[0] for w in table["ILSVRC_WINNERS"] for name in w[1:3]}
    quoted = re.search(r'"((?:\w+ \(\d{4}\),? ?)+)"', paragraph(text, "Who won when"))
    pairs = re.findall(r"(\w+) \((\d{4})\)", quoted.group(1))
    late = {n for n, year in pairs if n in won_in and int(year) == won_in[n] + 1}
    said = re.search(r"puts (\w+) and (\w+) a year late", text)
    assert said and set(said.groups()) == late == {"GoogLeNet", "ResNet"}
    second = dict(pairs)["VGG"]
    assert "VGG" not in won_in and table["RUNNERS_UP"][int(second)][0] == "VGG"
    assert "came second" in paragraph(text, "Who won when")


# --- Lesson 02: parameters, pooling, rotation and scale, Q3 ------------------------


def test_the_250_filter_conv_layer_is_counted_not_guessed():
    text = prose("02")
    assert "a few thousand parameters" not in text
    sentence = paragraph(text, "250 filters of 5x5")
    assert "(section 4)" not in sentence  # no section builds that layer
    cell = code_cell("02", "conv_small = arithmetic.count_params(")
    assert "checks.expect(" in cell and "(5 * 5 * channels + 1) * units" in cell
    # What the sentence states: 5 x 5 x 3 weights and a bias per filter, whatever
    # the image size.
    counts = {
        size: arithmetic.count_params(
            keras.layers.Conv2D(250, 5), input_shape=(None, *size, 3)
        )
        for size in ((1280, 854), (128, 85))
    }
    assert set(counts.values()) == {(5 * 5 * 3 + 1) * 250}


def test_pooling_is_shown_to_have_no_parameters_and_to_cut_later_costs():
    cell = code_cell("02", 'p["params"]["pool1"] == p["params"]["pool2"] == 0')
    assert "count_macs" in code_cell("02", "without_pools = keras.Sequential(")
    assert 'u["macs"]["conv3"] == 16 * p["macs"]["conv3"]' in cell


def test_rotation_and_scale_are_measured_on_the_trained_models():
    measured = code_cell("02", "rotation_acc, scale_acc = {}, {}")
    assert "for name, m in models.items()" in measured  # section 3's trained models
    assert "rotate(x_test" in measured and "rescale(x_test" in measured
    claims = code_cell("02", "def kept(")
    assert claims.count("checks.expect(") >= 3
    assert "shift_acc[pooled_net]" in claims  # compared with the shift experiment


def test_q3_defines_its_quantity_and_its_check_is_computed():
    question = paragraph(prose("02"), "**Q3.**")
    assert "padding" in question and "not input values" in question
    hidden = code_cell("02", "ex.q3.self_test(correct=")
    assert 'kernel_initializer="ones"' in hidden
    assert not re.search(r"4_?553_?472|4_?915_?200", code("02"))


# --- Lesson 03: TensorFlow's "same" padding with stride 2 ----------------------------


def test_the_stride_2_shift_is_stated_for_even_sizes_only():
    text = prose("03")
    assert "for stride 2 the windows are shifted by a pixel" not in text
    stated = paragraph(text, "Other frameworks pad symmetrically")
    assert "even" in stated and "odd" in stated
    for w in range(5, 13):
        before = arithmetic.same_padding(w, 3, stride=2)[0]
        assert before == (0 if w % 2 == 0 else 1)  # symmetric padding puts 1 before
    assert "offset[w] == {1} for w in even" in code_cell("03", "symmetric_rows =")


# --- Lesson 04: what LeNet-5's last convolution sees ---------------------------------


def test_lenet_c3_field_is_computed_and_not_said_to_see_the_digit():
    text = prose("04")
    assert "sees most of its digit" not in text
    cell = code_cell("04", 'for name in ("block2_conv1", "block2_pool"):')
    assert "arithmetic.receptive_field_of(lenet, name)" in cell
    assert "data.load_mnist()" in cell  # the digits' size is measured, not assumed
    lenet = build("lenet5")
    c3 = arithmetic.receptive_field_of(lenet, "block2_conv1").receptive_field
    s4 = arithmetic.receptive_field_of(lenet, "block2_pool").receptive_field
    # MNIST's digits fit a 20x20 box (LeCun et al. 1998): no C3 or S4 unit sees one.
    assert c3 == (14, 14) and s4 == (16, 16) and max(c3 + s4) < 20
    assert "parts* of a digit" in text


# --- Lesson 05: LeNet-5 -----------------------------------------------------------


def test_lenet5_is_not_called_the_first_convolutional_network():
    text = prose("05")
    title = text.splitlines()[0]
    # Only "was not the first convolutional network" may remain.
    assert not re.search(r"(?<!not )the first convolutional network", text, re.I)
    assert "the classic convolutional network" in title
    history = paragraph(text, "LeNet-5 was not the first convolutional network")
    assert "(1980)" in history and "LeCun et al. (1989)" in history
    assert "https://doi.org/10.1007/BF00344251" in text  # Fukushima 1980
    assert "https://doi.org/10.1162/neco.1989.1.4.541" in text  # LeCun et al. 1989
    # The builder's docstring, which the lesson points to, says the same.
    doc = lenet_module.__doc__
    assert not re.search(r"(?<!Not )the first convolutional network", doc, re.I)
    assert "Neocognitron" in doc and "1.7159" in doc and "trainable coefficient" in doc


def test_the_padding_rationale_is_the_papers():
    text = prose("05")
    assert "fall in the middle of C1's windows" not in text
    stated = paragraph(text, "LeNet-5's input is 32x32")
    assert "section II.B" in stated and "*centre* of the receptive field" in stated
    assert "20x20" in stated
    cell = code_cell("05", "def centre_area(")
    assert "high - low + 1 == 20" in cell


def test_what_the_builder_leaves_out_is_listed():
    text = prose("05")
    assert "Two details of the 1998 network" not in text
    listed = text[text.index("### What the builder leaves out") :]
    listed = listed[: listed.index("\n### ")]
    for fact in (
        "trainable coefficient",
        "trainable bias",
        "1.7159",
        "S = 2/3",
        "Table I",
        "radial basis functions",
    ):
        assert fact in listed, fact
    cell = code_cell("05", "A, S = 1.7159, 2 / 3")
    assert "checks.expect(" in cell
    a = np.array([-1.0, 1.0])
    assert np.allclose(1.7159 * np.tanh(2 / 3 * a), a, atol=1e-4)


def test_the_papers_error_is_compared_with_the_recorded_runs():
    text = prose("05")
    assert "less the architecture than the recipe and the hardware" not in text
    stated = paragraph(text, "The paper reports LeNet-5's test error")
    assert "0.95 %" in stated and "0.8 %" in stated and "section III)" in stated
    cell = code_cell("05", "PAPER_ERROR = {")
    assert '"no distortions": 0.95' in cell and "0.8" in cell
    loads = code_cell("05", "recorded = {")
    assert 'results.load("lenet5")' in loads
    assert 'results.load("lenet5_h100_jax")' in loads
    # The conclusion the prose draws, on the files themselves.
    for name in ("lenet5", "lenet5_h100_jax"):
        for run in results.load(name)["variants"].values():
            p = 1 - run["test_accuracy"]
            se = np.sqrt(p * (1 - p) / run["test_images"])
            assert abs(100 * p - 0.95) < 2 * 100 * se, name
    assert "to within sampling noise" in text


# --- All of lessons 01-05 ----------------------------------------------------------

SEED_ERRORS = {
    "AlexNet first on GPUs": re.compile(r"first to (use|train on) (a )?GPUs?", re.I),
    "AlexNet with two FC layers": re.compile(
        r"AlexNet[^.]*\b(2|two) (FC|fully[- ]connected) layers", re.I
    ),
    "pooling reduces parameters": re.compile(
        r"pooling[^.]*\b(reduces|cuts|saves) (the )?(number of )?parameters", re.I
    ),
    "pooling handles rotation or scale": re.compile(
        r"pooling[^.]*\b(handles|gives|provides)[^.]*\b(rotation|scale)", re.I
    ),
}
REVIEWER_REPLIES = re.compile(
    r"correction|common summary|contrary to|course's sources|one source", re.I
)
UNMEASURED_TIMES = re.compile(
    r"a few minutes|half an hour|\bhours?\b|\bdays?\b on|about an hour", re.I
)
SMOKE_LIMITS = {"under a minute": 60, "under two minutes": 120}


@pytest.mark.parametrize("number", sorted(LESSONS))
def test_no_seed_errors_or_replies_to_a_reviewer(number):
    text = prose(number)
    for name, pattern in SEED_ERRORS.items():
        assert not pattern.search(text), f"lesson {number}: {name}"
    found = REVIEWER_REPLIES.search(text)
    assert not found, f"lesson {number}: {found.group(0)!r} reads as a reply"


@pytest.mark.parametrize("number", sorted(LESSONS))
def test_time_statements_are_measured(number):
    header = prose(number).split("\n\n**Objectives**")[0]
    time_line = next(s for s in header.splitlines() if s.startswith("**Time:**"))
    assert not UNMEASURED_TIMES.search(time_line), time_line
    claim = re.search(r"(under a minute|under two minutes) in smoke mode", time_line)
    assert claim, time_line
    for name in ("lesson_timings_smoke", "lesson_timings_smoke_jax"):
        timings = {e["lesson"]: e["seconds"] for e in results.load(name)["lessons"]}
        seconds = timings[LESSONS[number].name]
        assert seconds < SMOKE_LIMITS[claim.group(1)], (name, seconds)


def test_the_patterns_catch_what_they_must():
    caught = {
        "AlexNet first on GPUs": "AlexNet was the first to use GPUs.",
        "AlexNet with two FC layers": "AlexNet has 5 conv and 2 FC layers.",
        "pooling reduces parameters": "Max pooling reduces the number of parameters.",
        "pooling handles rotation or scale": "Pooling handles rotation and scale.",
    }
    for name, sentence in caught.items():
        assert SEED_ERRORS[name].search(sentence), name
    assert REVIEWER_REPLIES.search("A correction to a common summary")
    assert UNMEASURED_TIMES.search("about half an hour on a Colab GPU")
    assert not SEED_ERRORS["pooling reduces parameters"].search(
        "By itself it therefore removes no parameters."
    )
