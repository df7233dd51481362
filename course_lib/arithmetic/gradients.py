"""Gradients of the loss with respect to a network's intermediate feature maps.

:func:`layer_gradient_norms` measures how large the gradient of the training loss is
at several places along a network, on one batch: the quantity behind "vanishing" and
"exploding" gradients. Lesson 09 compares a plain 56-layer net with a ResNet-56.

The gradient at a layer's output is found by back-propagating in pieces: the model is
cut at the named layers into consecutive sub-models, run forward once, and the
gradient is carried backwards through one piece at a time as a vector-Jacobian
product (``d/dt sum(piece(t) * g)``), with
:func:`course_lib.arithmetic.input_gradient`. That function is the only one that
touches the backend, so this runs on TensorFlow and JAX alike. Each named layer must
be a cut of the network: everything after it depends on the input only through it
(a ResNet block's ``_out`` layer is; a layer inside a block is not, since the
shortcut goes around it).

See: lessons/09_resnet.ipynb
"""

from __future__ import annotations

from typing import Any, NamedTuple

import numpy as np

__all__ = ["GradientNorm", "layer_gradient_norms"]


class GradientNorm(NamedTuple):
    """The gradient of the loss at one layer's output, on one batch."""

    name: str
    shape: tuple  # the feature map's shape without the batch axis
    norm: float  # L2 norm of the whole gradient tensor (the batch included)


def _pieces(model, layer_names):
    """Sub-models input -> first layer -> second ... -> model output."""
    import keras

    missing = [
        n for n in layer_names if n not in {layer.name for layer in model.layers}
    ]
    if missing:
        raise ValueError(
            f"`layer_names` must name layers of model {model.name!r}; not found: "
            f"{missing}. Received: layer_names={list(layer_names)!r}"
        )
    pieces = []
    previous = model.inputs[0]
    for name in [*layer_names, None]:
        output = model.outputs[0] if name is None else model.get_layer(name).output
        where = "the model's output" if name is None else repr(name)
        try:
            pieces.append(keras.Model(previous, output))
        except ValueError as error:
            raise ValueError(
                "Each named layer must be a cut of the network: the layers after it "
                f"may depend on the input only through it, in order. {where} does "
                "not follow the previous one that way (a layer inside a residual "
                "block is bypassed by the shortcut; name the blocks' outputs). "
                f"Received: layer_names={list(layer_names)!r}"
            ) from error
        previous = output
    return pieces


def layer_gradient_norms(
    model: Any,
    layer_names,
    images: np.ndarray,
    labels: np.ndarray,
    *,
    training: bool = True,
    from_logits: bool = False,
) -> list[GradientNorm]:
    """Norms of the loss gradient at the outputs of ``layer_names``, on one batch.

    The loss is the mean sparse categorical cross-entropy of ``model`` on
    ``(images, labels)``. With ``training=True`` (the default) batch normalisation
    normalises with the batch's statistics, as in the first training step; its
    moving averages are left unchanged (the computation runs in a
    ``keras.StatelessScope``), so measuring does not alter the model.

    Args:
        model: A functional Keras classifier with one input and one output.
        layer_names: Names of layers in forward order, each a cut of the network
            (see the module docstring), e.g. the ``_out`` layers of a ResNet.
        images: A batch of preprocessed inputs, ``(N, height, width, channels)``.
        labels: Their integer labels, ``(N,)``.
        training: Run the layers in training mode (batch statistics).
        from_logits: Whether the model outputs logits rather than probabilities.

    Returns:
        One :class:`GradientNorm` per name, in the order given.

    Raises:
        ValueError: For an unknown layer name, names that do not cut the network in
            order, or images and labels of different lengths.

    Example:
        >>> names = [l.name for l in model.layers if l.name.endswith("_out")]
        >>> norms = layer_gradient_norms(model, names, x_batch, y_batch)

    See: lessons/09_resnet.ipynb.
    """
    import keras

    from course_lib.arithmetic.measured import input_gradient

    layer_names = list(layer_names)
    if not layer_names:
        raise ValueError("`layer_names` must name at least one layer. Received: []")
    images = np.asarray(images, dtype="float32")
    labels = np.asarray(labels).reshape(-1)
    if images.ndim < 2 or len(images) != len(labels):
        raise ValueError(
            "`images` and `labels` must hold the same number of examples. Received: "
            f"images of shape {images.shape}, labels of shape {labels.shape}"
        )
    pieces = _pieces(model, layer_names)

    def loss(probabilities):
        values = keras.losses.sparse_categorical_crossentropy(
            labels, probabilities, from_logits=from_logits
        )
        return keras.ops.mean(values)

    with keras.StatelessScope():
        # Forward, keeping the input of every piece.
        activations = [images]
        for piece in pieces[:-1]:
            out = piece(activations[-1], training=training)
            activations.append(keras.ops.convert_to_numpy(out))
        # Backward, one piece at a time: g_k = d loss / d activations[k].
        head = pieces[-1]
        grad = input_gradient(
            lambda t: loss(head(t, training=training)), activations[-1]
        )
        grads = [grad]
        for k in range(len(pieces) - 2, 0, -1):
            piece, upstream = pieces[k], grads[-1]

            def vjp(t, piece=piece, upstream=upstream):
                return keras.ops.sum(piece(t, training=training) * upstream)

            grads.append(input_gradient(vjp, activations[k]))
    grads.reverse()
    return [
        GradientNorm(name, tuple(g.shape[1:]), float(np.linalg.norm(g)))
        for name, g in zip(layer_names, grads, strict=True)
    ]
