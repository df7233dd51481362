"""The layer graph of a Keras model, read in one place.

Keras has no public API that lists a model's layer *calls* with the tensors that
connect them (``model.layers`` loses shared layers, branches and nested models). This
module reads them from Keras's private attributes (``Sequential._functional``,
``Functional._nodes_by_depth`` and the ``Node`` objects in it), so when a Keras
upgrade renames them, this is the only file to fix. Everything else in
``course_lib.arithmetic`` sees plain :class:`Step` records.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

__all__ = ["Step", "input_shapes", "walk"]


@dataclass(frozen=True)
class Step:
    """One layer call of a model, in the order the model computes them.

    Attributes:
        name: Layer name, ``outer/inner`` for layers of nested models.
        layer: The layer object (the same object for every call of a shared layer).
        in_keys: Ids of the tensors the call reads (empty for the input layer).
        out_keys: Ids of the tensors it writes; later steps read them as ``in_keys``.
        in_shapes: Shapes of its inputs, batch axis included.
        out_shapes: Shapes of its outputs, batch axis included.
    """

    name: str
    layer: Any
    in_keys: list
    out_keys: list
    in_shapes: list
    out_shapes: list


def _graph_of(model: Any) -> Any:
    """The functional graph behind a Sequential or functional model."""
    import keras

    if isinstance(model, keras.Sequential):
        graph = getattr(model, "_functional", None)
        if graph is None:
            raise ValueError(
                "A Sequential model must know its input shape: start it with "
                "keras.Input(shape=...) or call model.build(input_shape). "
                f"Received: unbuilt model {model.name!r}"
            )
        return graph
    if not hasattr(model, "_nodes_by_depth"):
        raise ValueError(
            "The model must be a Sequential or functional keras.Model (a subclassed "
            f"model has no graph to read). Received: {type(model).__name__}"
        )
    return model


def input_shapes(model: Any) -> list[tuple]:
    """Shapes of the model's inputs, batch axis included.

    Raises:
        ValueError: For an unbuilt Sequential model or a subclassed model.
    """
    return [tuple(t.shape) for t in _graph_of(model).inputs]


def walk(model: Any) -> Iterator[Step]:
    """Yields the model's layer calls in topological order, nested models expanded.

    The input layer comes first. A nested model's own input layer is skipped: its
    first layer reads the outer tensor directly.

    Raises:
        ValueError: For an unbuilt Sequential model or a subclassed model.

    Example:
        >>> [step.name for step in walk(model)]  # a model with a nested "block"
        ['input_layer', 'stem', 'block/conv', 'block/pool', 'head']
    """
    yield from _walk(model, prefix="", keymap={}, nested=False)


def _walk(model: Any, prefix: str, keymap: dict, nested: bool) -> Iterator[Step]:
    # Tensors are identified by ``id``; ``keymap`` maps the input and output tensors
    # of a nested model to the outer tensors they stand for.
    import keras

    graph = _graph_of(model)
    # Keras keeps the graph by depth (inputs deepest), as Function.call walks it.
    by_depth = graph._nodes_by_depth
    for depth in sorted(by_depth, reverse=True):
        for node in by_depth[depth]:
            op = node.operation
            ins, outs = list(node.input_tensors), list(node.outputs)
            in_keys = [keymap.get(id(t), id(t)) for t in ins]
            if isinstance(op, keras.Model):
                inner = _graph_of(op)
                for t, key in zip(inner.inputs, in_keys, strict=True):
                    keymap[id(t)] = key
                yield from _walk(op, f"{prefix}{op.name}/", keymap, nested=True)
                for t, inner_t in zip(outs, inner.outputs, strict=True):
                    keymap[id(t)] = keymap.get(id(inner_t), id(inner_t))
                continue
            if nested and node.is_input:
                continue
            yield Step(
                name=prefix + op.name,
                layer=op,
                in_keys=in_keys,
                out_keys=[id(t) for t in outs],
                in_shapes=[tuple(t.shape) for t in ins],
                out_shapes=[tuple(t.shape) for t in outs],
            )
