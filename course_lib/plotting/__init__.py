"""Figures for the lessons: images, training curves, filters, feature maps, confusion
matrices, mistakes and comparison bars.

Every function returns a ``matplotlib.figure.Figure`` about 10 inches wide (a notebook's
width), with titles and labelled axes. The figures are made without pyplot, so they
work headless (no display, any backend) and are never shown twice: a figure appears
when it is the value of a notebook cell, or with ``display(fig)``; save one with
``fig.savefig("name.png")``. Nothing here calls ``plt.show()``.

Bad input raises ``ValueError`` that says what was expected and what was received.

See: lessons/01_image_classification.ipynb (first use), lessons/05_lenet5.ipynb.
"""

from course_lib.plotting._figure import (
    MAX_GRID_IMAGES,
    RIGHT,
    WIDTH,
    WRONG,
    NotebookFigure,
)
from course_lib.plotting.curves import compare_curves, training_curves
from course_lib.plotting.images import feature_maps, filters, image_grid, top_mistakes
from course_lib.plotting.tables import bar_table, confusion_matrix

__all__ = [
    "WIDTH",
    "NotebookFigure",
    "bar_table",
    "compare_curves",
    "confusion_matrix",
    "feature_maps",
    "filters",
    "image_grid",
    "top_mistakes",
    "training_curves",
]
