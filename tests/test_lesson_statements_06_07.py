"""Statements of lessons 06a, 06b and 07 that a reading of the papers corrected.

The lessons check what they compute (``checks.expect``); these tests hold what is
prose or published data: a sentence that must not come back, a table row that must
keep its source, a figure that must be read from a results file rather than typed.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import nbformat
import pytest

from course_lib import arithmetic
from course_lib.exercises import lesson06a, lesson07

ROOT = Path(__file__).resolve().parent.parent
LESSONS = ROOT / "lessons"
NAMES = ("06a_alexnet", "06b_zfnet", "07_vgg")


def _cells(name: str, kind: str) -> list[str]:
    nb = nbformat.read(LESSONS / f"{name}.ipynb", as_version=4)
    return [cell.source for cell in nb.cells if cell.cell_type == kind]


def prose(name: str) -> str:
    """The lesson's markdown, one line per paragraph (sentences are not wrapped)."""
    return "\n".join(_cells(name, "markdown"))


def code(name: str) -> str:
    return "\n".join(_cells(name, "code"))


def sentences(text: str) -> list[str]:
    return [s for s in re.split(r"(?<=[.!?])\s+|\n+", text) if s.strip()]


def literal(name: str, variable: str):
    """The literal value a code cell of lesson ``name`` assigns to ``variable``."""
    for source in _cells(name, "code"):
        if f"{variable} =" not in source:
            continue
        lines = source.splitlines()
        lines = [line for line in lines if not line.lstrip().startswith(("%", "!"))]
        for node in ast.walk(ast.parse("\n".join(lines))):
            if (
                isinstance(node, ast.Assign)
                and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
                and node.targets[0].id == variable
            ):
                return ast.literal_eval(node.value)
    raise AssertionError(f"{name}: no cell assigns {variable}")


def test_lesson_06_is_split_in_two_lessons_of_ordinary_length():
    assert not (LESSONS / "06_alexnet_zfnet.ipynb").exists()
    longest_other = max(
        len(nbformat.read(path, as_version=4).cells)
        for path in LESSONS.glob("[0-9][0-9]_*.ipynb")
        if not path.name.startswith(("06", "07"))
    )
    for name in ("06a_alexnet", "06b_zfnet"):
        cells = nbformat.read(LESSONS / f"{name}.ipynb", as_version=4).cells
        assert len(cells) < longest_other + 10, (name, len(cells))


@pytest.mark.parametrize("name", NAMES)
def test_the_colab_badge_opens_the_lesson_itself(name):
    header = _cells(name, "markdown")[0]
    badges = re.findall(
        r"colab\.research\.google\.com/github/\S+?/(\w+)\.ipynb", header
    )
    assert badges == [name]


@pytest.mark.parametrize("name", NAMES)
def test_no_sentence_reads_as_a_reply_to_a_reviewer(name):
    """Issue item 18: a textbook states the fact and cites it."""
    text = prose(name).lower()
    for phrase in ("correction to", "another correction", "common summar", "seeds"):
        assert phrase not in text, f"{name}: {phrase!r}"


@pytest.mark.parametrize("name", NAMES)
def test_no_unmeasured_time_estimate(name):
    """Issue item 4: times come from results files, with the hardware named."""
    text = prose(name).lower()
    for phrase in ("half an hour", "take days", "colab gpu"):
        assert phrase not in text, f"{name}: {phrase!r}"


@pytest.mark.parametrize(
    ("name", "result"),
    [("06a_alexnet", "alexnet_cifar10"), ("07_vgg", "vgg_cifar10")],
)
def test_full_recipe_times_are_read_from_the_cpu_and_gpu_results_files(name, result):
    source = code(name)
    assert f'results.load("{result}")' in source
    assert f'results.load("{result}_h100_jax")' in source
    # The CPU estimate is computed from the measured throughput.
    assert 'cpu_run["images_per_second"] / 3600' in source
    assert "NVIDIA H100" in prose(name)


def test_06a_does_not_call_alexnet_the_first_network_trained_on_gpus():
    """Issue item 17: Chellapilla et al. (2006) and Cireşan et al. (2011) came first."""
    text = prose("06a_alexnet")
    said = sentences(text)
    for sentence, following in zip(said, [*said[1:], ""], strict=True):
        if re.search(r"\bfirst\b.*\bGPUs?\b", sentence) and "AlexNet" in sentence:
            # The claim may be quoted only to be denied, in it or right after it.
            assert re.search(r"\bnot\b", sentence + " " + following), sentence
    assert "Chellapilla" in text and "2006" in text
    assert "Cireşan" in text and "2011" in text


def test_06a_counts_three_fully_connected_layers():
    """Issue item 17: the seeds' "2 FC layers"; the classifier is the third."""
    text = prose("06a_alexnet")
    assert not re.search(r"\b(2|two) (FC|fully[ -]connected) layers\b", text)
    assert "three fully connected" in text
    assert "(len(convs), len(denses)) == (5, 3)" in code("06a_alexnet")


def test_06a_states_both_ways_to_reach_55x55_maps():
    """Issue item 8: 224 with two pixels of padding gives 55 too."""
    text = prose("06a_alexnet")
    assert "only from 227" not in text
    assert "224 with two pixels of padding" in text
    assert arithmetic.conv_output_size(224, 11, 4, 2) == 55
    assert arithmetic.conv_output_size(227, 11, 4) == 55


def test_06a_counts_the_crops_exactly_and_names_the_papers_2048():
    """Issue item 1: 33 start positions per axis, 2,178 versions; 2048 approximates."""
    text = prose("06a_alexnet")
    assert "2,048 versions" not in text and "2048 versions" not in text
    assert "approximation" in text
    exact = arithmetic.conv_output_size(256, 224) ** 2 * 2
    assert lesson06a.q4.check(exact).passed
    assert not lesson06a.q4.check(2048).passed


def test_06a_gives_the_papers_three_learning_rate_drops():
    """Issue item 5: the paper divided by 10 three times; the recipe twice."""
    text = prose("06a_alexnet")
    assert "divided by 10 twice" not in text
    assert "divided its learning rate by 10 three times" in text


def test_06a_does_not_call_augmentation_a_small_gain():
    """Issue item 9: substantial overfitting without it; colour noise over 1 %."""
    text = prose("06a_alexnet")
    assert "small but real gains" not in text
    assert "overfit substantially" in text
    assert "over 1 %" in text
    ablations = literal("06a_alexnet", "ablations")
    assert ablations["colour"][1] > ablations["overlapping"][1]


def test_06a_tells_the_papers_dropout_scaling_from_keras():
    """Issue item 16: 0.5 at test time (paper) against 1 / (1 - p) in training."""
    text = prose("06a_alexnet")
    assert "multiplied its output by 1 - *p* = 0.5" in text
    assert '"inverted" dropout' in text
    assert lesson06a.q5.check(2.0).passed and not lesson06a.q5.check(0.5).passed


def test_07_weight_decay_is_a_steady_state_equivalence():
    """Issue item 16: l2 / (1 - m) holds once the momentum has built up."""
    text = prose("07_vgg")
    assert "steady-state equivalence" in text
    assert "for the same effect" not in text
    assert "steady state" in lesson07.q5.solution()
    assert "apply_gradients" in code("07_vgg")  # the computation that shows it


def test_07_attributes_alexnets_seven_net_row_to_alexnets_table_2():
    """Issue item 3: VGG's Table 7 lists Krizhevsky et al.'s five nets."""
    table7 = literal("07_vgg", "vgg_table7")
    table2 = literal("07_vgg", "alexnet_table2")
    assert all(row[1:] != (36.7, 15.4, 15.3) for row in table7)
    alexnet = [row for row in table7 if row[0].startswith("AlexNet")]
    assert [row[1:] for row in alexnet] == [(38.1, 16.4, 16.4)]
    assert "5 nets" in alexnet[0][0]
    assert [row[1:] for row in table2] == [(36.7, 15.4, 15.3)]
    cell = next(s for s in _cells("07_vgg", "code") if "alexnet_table2 =" in s)
    comment = cell.split("alexnet_table2 =")[0].rsplit("\n\n", 1)[-1]
    assert "Krizhevsky et al. (2012), Table 2" in comment


def test_07_cross_references_the_split_lesson():
    text = prose("07_vgg")
    assert "(lesson 06)" not in text and "06 (AlexNet and ZFNet)" not in text
    assert "06a" in text and "06b" in text
