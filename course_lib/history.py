"""The ImageNet challenge's history as published: winners, runners-up, the human
estimate, and the chart lessons 01 and 12 draw from them.

Every figure here is *published*, with its source in the same row; nothing is
measured by the course. Lesson 01 reads the history; lesson 12 puts each winner's
architecture cost (parameters, multiply-adds, computed from the course's builders)
next to it.

    >>> from course_lib import history
    >>> [w.network for w in history.ILSVRC_WINNERS if w.year >= 2012][:2]
    ['AlexNet', 'ZFNet']

See: lessons/01_image_classification.ipynb, lessons/12_comparing_architectures.ipynb.
"""

from __future__ import annotations

import datetime
from typing import Any, NamedTuple

__all__ = [
    "HUMAN_TOP5",
    "HUMAN_TOP5_SOURCE",
    "ILSVRC_WINNERS",
    "OUTSIDE_COMPETITION",
    "RUNNERS_UP",
    "Winner",
    "plot_ilsvrc_history",
]


class Winner(NamedTuple):
    """One ILSVRC classification winner (published)."""

    year: int
    team: str
    network: str
    top5_error: float  # %, on the test set
    source: str


# Published: ILSVRC classification winners, top-5 error (%) on the test set.
ILSVRC_WINNERS = [
    Winner(
        2010,
        "NEC-UIUC",
        "SIFT/LBP features + linear SVM",
        28.2,
        "Russakovsky et al. 2015",
    ),
    Winner(
        2011, "XRCE", "Fisher vectors + linear SVM", 25.8, "Russakovsky et al. 2015"
    ),
    Winner(2012, "SuperVision", "AlexNet", 15.3, "Krizhevsky et al. 2012"),
    Winner(
        2013, "Clarifai", "ZFNet", 11.7, "Zeiler & Fergus 2014; ILSVRC 2013 results"
    ),
    Winner(2014, "GoogLeNet", "GoogLeNet", 6.7, "Szegedy et al. 2015"),
    Winner(2015, "MSRA", "ResNet", 3.57, "He et al. 2016"),
    Winner(
        2016,
        "Trimps-Soushen",
        "ensemble of Inception and ResNet models",
        2.99,
        "ILSVRC 2016 results",
    ),
    Winner(2017, "WMW", "SENet", 2.25, "Hu et al. 2018"),
]
"""(year, team, network, top-5 error %, source) of each ILSVRC classification winner."""

# Published: (team, network, top-5 error %) of the runners-up the lessons discuss.
RUNNERS_UP = {
    2012: ("ISI", "Fisher vectors", 26.2),  # Krizhevsky et al. 2012 (abstract)
    2014: ("VGG", "VGG", 7.3),  # Simonyan & Zisserman 2015
}

HUMAN_TOP5 = 5.1
HUMAN_TOP5_SOURCE = (
    "Russakovsky et al. 2015: one trained annotator on a sample of the test images"
)

# Published on arXiv between ILSVRC 2014 and ILSVRC 2015: (date, network, top-5 %).
OUTSIDE_COMPETITION = [
    (datetime.date(2015, 2, 6), "PReLU-net (He et al.)", 4.94),
    (datetime.date(2015, 2, 11), "BN-Inception ensemble (Ioffe & Szegedy)", 4.82),
]


def plot_ilsvrc_history(ax: Any, *, annotations: dict[int, str] | None = None) -> Any:
    """Draws the winners' top-5 errors by year, the runners-up, the two results
    published outside the competition and the human estimate on ``ax``.

    Args:
        ax: A Matplotlib ``Axes`` (e.g. from ``Figure().subplots()``).
        annotations: Optional text per year, written under that year's winner
            (lesson 12 adds each architecture's parameters and multiply-adds).

    Returns:
        ``ax``.

    Raises:
        ValueError: If ``annotations`` names a year without a winner.

    Example:
        >>> fig = Figure(figsize=(10, 4.5), layout="constrained")
        >>> plot_ilsvrc_history(fig.subplots())
    """
    years = [w.year for w in ILSVRC_WINNERS]
    annotations = dict(annotations or {})
    unknown = sorted(set(annotations) - set(years))
    if unknown:
        raise ValueError(
            f"annotations are keyed by a winner's year ({years[0]}-{years[-1]}). "
            f"Received: years {unknown}"
        )
    ax.plot(years, [w.top5_error for w in ILSVRC_WINNERS], "o-", label="ILSVRC winner")
    for w in ILSVRC_WINNERS:
        ax.annotate(
            w.network.split(" ")[0],
            (w.year, w.top5_error),
            textcoords="offset points",
            xytext=(0, 8),
            ha="center",
            fontsize=8,
        )
        if w.year in annotations:
            ax.annotate(
                annotations[w.year],
                (w.year, w.top5_error),
                textcoords="offset points",
                xytext=(0, -12),
                ha="center",
                va="top",
                fontsize=7,
                color="tab:red",
            )
    ax.plot(
        list(RUNNERS_UP),
        [r[2] for r in RUNNERS_UP.values()],
        "s",
        mfc="none",
        label="runner-up (ISI 2012, VGG 2014)",
    )
    for date, network, error in OUTSIDE_COMPETITION:
        when = date.year + (date.timetuple().tm_yday - 1) / 365
        ax.plot(when, error, "*", ms=11, label=f"{network}, {date:%b %Y}")
    ax.axhline(
        HUMAN_TOP5, ls="--", color="gray", label=f"human estimate ({HUMAN_TOP5} %)"
    )
    ax.set(
        xlabel="year",
        ylabel="top-5 error (%)",
        title="ILSVRC classification: top-5 test error (published)",
    )
    ax.legend(fontsize=8)
    return ax
