"""course_lib.history: the published ILSVRC table and its chart."""

import pytest
from matplotlib.figure import Figure

from course_lib import history


def test_winners_are_in_order_with_sources():
    years = [w.year for w in history.ILSVRC_WINNERS]
    assert years == list(range(2010, 2018))
    assert all(w.source for w in history.ILSVRC_WINNERS)
    won = {w.year: w.network for w in history.ILSVRC_WINNERS}
    assert (won[2012], won[2013], won[2014], won[2015]) == (
        "AlexNet",
        "ZFNet",
        "GoogLeNet",
        "ResNet",
    )
    assert history.RUNNERS_UP[2014][0] == "VGG"


def test_the_first_result_below_the_human_estimate_was_outside_the_competition():
    first_winner = min(
        w.year for w in history.ILSVRC_WINNERS if w.top5_error < history.HUMAN_TOP5
    )
    first = min(history.OUTSIDE_COMPETITION)
    assert first_winner == 2015 and first[2] < history.HUMAN_TOP5
    assert first[0].year == 2015 and first[0].month == 2


def test_plot_draws_winners_runners_up_and_annotations():
    ax = Figure().subplots()
    assert history.plot_ilsvrc_history(ax, annotations={2012: "62 M"}) is ax
    texts = [t.get_text() for t in ax.texts]
    assert "AlexNet" in texts and "62 M" in texts
    assert len(ax.lines) >= 2 + len(history.OUTSIDE_COMPETITION)


def test_plot_refuses_an_annotation_for_a_year_without_a_winner():
    with pytest.raises(ValueError, match="2009"):
        history.plot_ilsvrc_history(Figure().subplots(), annotations={2009: "x"})
