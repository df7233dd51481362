"""Depth of a network: the longest chain of counted layers from the input to an output.

Papers count depth as the layers "with parameters" on the longest path: VGG-16 is 13
convolutions and 3 dense layers; GoogLeNet is "22 layers deep when counting only
layers with parameters (or 27 layers if we also count pooling)" (Szegedy et al.
2015, section 5). In a network with parallel branches (an inception module) or
shortcuts (a residual block) the layers of a model outnumber its depth, so the depth
is a longest path through the layer graph, not a count of ``model.layers``.

    >>> from course_lib.arithmetic.depth import longest_path
    >>> len(longest_path(keras.applications.VGG16(weights=None)))
    16

See: lessons/08_googlenet.ipynb
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from course_lib.arithmetic._graph import walk

__all__ = ["has_weights_to_count", "is_pooling", "longest_path"]


def has_weights_to_count(layer: Any) -> bool:
    """True for the layers papers count in a depth: convolutions and dense layers.

    Batch normalisation has weights too, but is counted as part of its convolution,
    as papers do.
    """
    import keras

    counted = (
        keras.layers.Conv1D,
        keras.layers.Conv2D,
        keras.layers.Conv3D,
        keras.layers.DepthwiseConv2D,
        keras.layers.SeparableConv2D,
        keras.layers.Conv2DTranspose,
        keras.layers.Dense,
    )
    return isinstance(layer, counted)


def is_pooling(layer: Any) -> bool:
    """True for max and average pooling layers, global ones included."""
    import keras

    pooling = (
        keras.layers.MaxPooling2D,
        keras.layers.AveragePooling2D,
        keras.layers.GlobalAveragePooling2D,
        keras.layers.GlobalMaxPooling2D,
        keras.layers.MaxPooling1D,
        keras.layers.AveragePooling1D,
    )
    return isinstance(layer, pooling)


def longest_path(
    model: Any,
    counted: Callable[[Any], bool] = has_weights_to_count,
    *,
    output: str | None = None,
) -> list[str]:
    """The counted layers on the longest path from the input to an output.

    Each layer call is given the largest number of counted layers on any path that
    reaches it; the path of the output is returned, its counted layers in order.
    Where two branches tie, the first in the model's order is kept.

    Args:
        model: A built Sequential or functional model.
        counted: Which layers count: a function of the layer. The default counts
            convolutions and dense layers; ``lambda layer:
            has_weights_to_count(layer) or is_pooling(layer)`` adds poolings.
        output: The name of the output layer to reach (for a model with several
            outputs, such as GoogLeNet with auxiliary classifiers); by default the
            first output.

    Returns:
        The names of the counted layers along the path; its length is the depth.

    Raises:
        TypeError: If ``counted`` is not callable.
        ValueError: If ``output`` is not the name of one of the model's outputs, or
            the model has no graph (unbuilt Sequential or subclassed model).

    Example:
        >>> len(longest_path(googlenet()))  # the paper's 22 layers
        22

    See: lessons/08_googlenet.ipynb
    """
    if not callable(counted):
        raise TypeError(
            "`counted` must be a function of a layer that returns True for the "
            f"layers to count. Received: counted={counted!r}"
        )
    output_names = list(getattr(model, "output_names", None) or [])
    if output is not None and output not in output_names:
        raise ValueError(
            f"`output` must be one of the model's outputs {output_names}, or None "
            f"for the first. Received: output={output!r}"
        )
    best: dict = {}  # tensor id -> (depth, path) of the longest path reaching it
    by_name: dict = {}  # layer name -> (depth, path) of its output
    for step in walk(model):
        arrived = [best[k] for k in step.in_keys if k in best] or [(0, [])]
        depth, path = max(arrived, key=lambda entry: entry[0])
        if counted(step.layer):
            depth, path = depth + 1, [*path, step.name]
        for key in step.out_keys:
            best[key] = (depth, path)
        by_name[step.name] = (depth, path)
    target = output if output is not None else (output_names or [step.name])[0]
    return list(by_name[target][1])
