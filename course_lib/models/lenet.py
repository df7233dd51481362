"""LeNet-5 (LeCun, Bottou, Bengio and Haffner, 1998).

"Gradient-based learning applied to document recognition", Proc. IEEE 86(11),
http://yann.lecun.com/exdb/publis/pdf/lecun-98.pdf

Not the first convolutional network (Fukushima's Neocognitron, 1980, learned without
labels; LeCun et al., 1989, trained one end to end to read zip codes) but the refined,
best-documented one of that line: convolutions share weights across positions,
subsampling layers shrink the maps, and a few fully connected layers classify. Its
shapes, for a 32x32 input:

    32x32x1 -C1-> 28x28x6 -S2-> 14x14x6 -C3-> 10x10x16 -S4-> 5x5x16
            -C5-> 120 -F6-> 84 -OUTPUT-> 10

What the builder leaves out of the 1998 network (its section II.B), replaced by what
later networks do:

- Trainable subsampling. The paper's S2 and S4 multiply each window's sum by a
  trainable coefficient and add a trainable bias per map (12 and 32 parameters), then
  apply the squashing function; here they are parameter-free pooling layers.
- The scaled tanh. The paper's units use ``1.7159 * tanh(2a / 3)`` (its equation 6);
  the ``"classic"`` variant uses plain tanh.
- C3's connection table. The paper connects each C3 map to only a subset of S2's six
  maps (its Table I), to cut computation and to break symmetry between maps; random
  initialisation already breaks the symmetry, and the full connection here costs
  900 more weights (2,416 instead of 1,516 parameters).
- The output layer. The paper used Euclidean radial basis function units with fixed,
  hand-designed 7x12 bitmap targets, trained with a custom loss; here a softmax over a
  ``Dense`` layer, trained with cross-entropy, does the same job, as in every later
  network.

The ``"classic"`` variant keeps the paper's flavour otherwise (tanh, average-pooling
subsampling); ``"modern"`` swaps in ReLU and max pooling, as later networks do. Both
have 61,706 parameters.

C5 is a 5x5 convolution with 120 filters in the paper; on the 5x5 maps of S4 it sees
the whole map, which makes it exactly a fully connected layer on the flattened maps
(same 48,120 parameters), and that is how it is built here (``fc1``), followed by F6
(``fc2``). For MNIST's 28x28 digits, pad them to 32x32 as the paper did, or pass
``input_shape=(28, 28, 1)`` (``fc1`` then sees 4x4x16 maps).

See: lessons/05_lenet5.ipynb.
"""

import keras
from keras import layers

from course_lib._util import check_choice
from course_lib.models import _validation
from course_lib.models._common import classifier_head, conv_unit, model_input
from course_lib.models._registry import register_model

__all__ = ["lenet5"]

# The architecture as data. Each conv (filters, kernel) is followed by a 2x2 pooling
# with stride 2; then come the fully connected layers.
CONV_LAYERS = ((6, 5), (16, 5))  # C1, C3
FC_UNITS = (120, 84)  # C5, F6

VARIANTS = {
    "classic": {"activation": "tanh", "pooling_layer": layers.AveragePooling2D},
    "modern": {"activation": "relu", "pooling_layer": layers.MaxPooling2D},
}

DEFAULT_INPUT_SHAPE = (32, 32, 1)
MIN_INPUT_SIZE = _validation.min_input_size(
    [
        spatial_layer
        for _, kernel in CONV_LAYERS
        for spatial_layer in ((kernel, 1, "valid"), (2, 2, "valid"))
    ]
)


@register_model(input_shape=DEFAULT_INPUT_SHAPE, min_input_size=MIN_INPUT_SIZE)
def lenet5(
    *,
    input_shape=DEFAULT_INPUT_SHAPE,
    num_classes=10,
    include_top=True,
    pooling=None,
    classifier_activation="softmax",
    variant="classic",
    name=None,
):
    """LeNet-5 (LeCun et al., 1998): two conv + subsampling stages, three dense layers.

    Layers: ``block1_conv1`` (C1), ``block1_pool`` (S2), ``block2_conv1`` (C3),
    ``block2_pool`` (S4), ``head_flatten``, ``fc1`` (C5), ``fc2`` (F6),
    ``predictions``. See the module docstring for what is simplified from the paper.

    Args:
        input_shape: ``(height, width, channels)``, at least 16x16. Defaults to the
            paper's 32x32x1.
        num_classes: Number of classes (keras.applications' ``classes``), >= 2.
        include_top: Whether to build C5, F6 and the classifier. Without them the
            model outputs S4's maps.
        pooling: With ``include_top=False``: ``None`` (maps), ``"avg"`` or ``"max"``
            (global pooling to a vector).
        classifier_activation: Activation of ``predictions``; ``None`` gives logits.
        variant: ``"classic"``: tanh and average-pooling subsampling, as in 1998;
            ``"modern"``: ReLU and max pooling.
        name: Model name; defaults to ``"lenet5"`` (``"lenet5_modern"`` for the
            modern variant).

    Returns:
        A ``keras.Model``.

    Example:
        >>> model = lenet5(variant="modern", input_shape=(28, 28, 1))

    See: lessons/05_lenet5.ipynb.
    """
    input_shape, num_classes = _validation.check_common(
        input_shape=input_shape,
        num_classes=num_classes,
        include_top=include_top,
        pooling=pooling,
        name=name,
    )
    check_choice("variant", variant, VARIANTS)
    _validation.check_input_size(input_shape, MIN_INPUT_SIZE, model="lenet5")
    activation = VARIANTS[variant]["activation"]
    pooling_layer = VARIANTS[variant]["pooling_layer"]

    inputs = model_input(input_shape)
    x = inputs
    for block, (filters, kernel) in enumerate(CONV_LAYERS, start=1):
        x = conv_unit(
            x,
            filters,
            kernel,
            padding="valid",
            activation=activation,
            name=f"block{block}_conv1",
        )
        x = pooling_layer(2, strides=2, name=f"block{block}_pool")(x)
    outputs = classifier_head(
        x,
        include_top=include_top,
        pooling=pooling,
        num_classes=num_classes,
        classifier_activation=classifier_activation,
        fc_units=FC_UNITS,
        fc_activation=activation,
    )
    default_name = "lenet5" if variant == "classic" else f"lenet5_{variant}"
    return keras.Model(inputs, outputs, name=name or default_name)
