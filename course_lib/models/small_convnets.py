"""Small convnets that lessons train next to the paper networks, as baselines.

- ``keras_io_convnet``: keras-io's "Simple MNIST convnet" (François Chollet,
  https://keras.io/examples/vision/mnist_convnet/), the usual first Keras convnet:
  two 3x3 convolutions with ReLU, each followed by 2x2 max pooling, then dropout and
  a softmax layer; 34,826 parameters. Lesson 05 compares it with LeNet-5.
- ``relu_tanh_convnet``: the four-weight-layer network of the ReLU-vs-tanh experiment
  (Krizhevsky et al., 2012, Figure 1, in miniature on CIFAR-10): three 5x5
  convolutions (32, 32, 64 filters, "same" padding), each followed by 3x3 stride-2
  max pooling, then a softmax layer; no normalisation layers and no dropout, so only
  the activation differs between the two runs. 89,578 parameters. Lesson 06a.

Both follow the registry's conventions (keyword-only arguments, layer names of
``course_lib.models``), so ``build("keras_io_convnet")`` works too, and
``benchmarks/full_runs.py`` trains exactly these models.
"""

import keras
from keras import layers

from course_lib import data
from course_lib._util import check_choice
from course_lib.models import _validation
from course_lib.models._common import classifier_head, conv_unit, model_input
from course_lib.models._registry import register_model

__all__ = ["keras_io_convnet", "relu_tanh_convnet"]

KERAS_IO_INPUT_SHAPE = (28, 28, 1)
# Two 3x3 "valid" convolutions, each followed by a 2x2 stride-2 pooling.
KERAS_IO_MIN_INPUT_SIZE = _validation.min_input_size(
    [(3, 1, "valid"), (2, 2, "valid")] * 2
)

RELU_TANH_INPUT_SHAPE = (32, 32, 3)
RELU_TANH_FILTERS = (32, 32, 64)
# "same" convolutions and poolings round up: no input is too small.
RELU_TANH_MIN_INPUT_SIZE = _validation.min_input_size(
    [(5, 1, "same"), (3, 2, "same")] * len(RELU_TANH_FILTERS)
)
# The two initial conditions of the ReLU-vs-tanh experiment.
#   "paper": AlexNet's own choices, section 5: weights from N(0, 0.01); section 2: the
#            training set's mean subtracted from raw 0..255 pixels (in the model).
#   "modern": Keras's Glorot-uniform default, inputs standardised by the recipe.
_RELU_TANH_SETTINGS = ("paper", "modern")


@register_model(
    input_shape=KERAS_IO_INPUT_SHAPE, min_input_size=KERAS_IO_MIN_INPUT_SIZE
)
def keras_io_convnet(
    *,
    input_shape=KERAS_IO_INPUT_SHAPE,
    num_classes=10,
    include_top=True,
    pooling=None,
    classifier_activation="softmax",
    dropout=0.5,
    name=None,
):
    """keras-io's "Simple MNIST convnet": two conv + max-pool stages, dropout, softmax.

    Layers: ``block1_conv1`` (32 filters, 3x3, ReLU), ``block1_pool`` (2x2),
    ``block2_conv1`` (64 filters), ``block2_pool``, ``head_flatten``,
    ``head_dropout``, ``predictions``. With the defaults it is the model of
    keras-io's ``examples/vision/mnist_convnet.py`` (34,826 parameters).

    Args:
        input_shape: ``(height, width, channels)``, at least 10x10. Defaults to
            MNIST's 28x28x1.
        num_classes: Number of classes, >= 2.
        include_top: Whether to build the dropout and the classifier. Without them
            the model outputs ``block2_pool``'s maps.
        pooling: With ``include_top=False``: ``None`` (maps), ``"avg"`` or ``"max"``
            (global pooling to a vector).
        classifier_activation: Activation of ``predictions``; ``None`` gives logits.
        dropout: Dropout rate on the flattened maps, in [0, 1) (0 removes
            ``head_dropout``).
        name: Model name; defaults to ``"keras_io_convnet"``.

    Returns:
        A ``keras.Model``.

    Example:
        >>> model = keras_io_convnet()
        >>> model.count_params()
        34826

    See: lessons/05_lenet5.ipynb.
    """
    input_shape, num_classes = _validation.check_common(
        input_shape=input_shape,
        num_classes=num_classes,
        include_top=include_top,
        pooling=pooling,
        name=name,
    )
    _validation.check_dropout(dropout)
    _validation.check_input_size(
        input_shape, KERAS_IO_MIN_INPUT_SIZE, model="keras_io_convnet"
    )

    inputs = model_input(input_shape)
    x = inputs
    for block, filters in enumerate((32, 64), start=1):
        x = conv_unit(x, filters, 3, padding="valid", name=f"block{block}_conv1")
        x = layers.MaxPooling2D(2, name=f"block{block}_pool")(x)
    outputs = classifier_head(
        x,
        include_top=include_top,
        pooling=pooling,
        num_classes=num_classes,
        classifier_activation=classifier_activation,
        flatten_dropout=dropout,
    )
    return keras.Model(inputs, outputs, name=name or "keras_io_convnet")


@register_model(
    input_shape=RELU_TANH_INPUT_SHAPE, min_input_size=RELU_TANH_MIN_INPUT_SIZE
)
def relu_tanh_convnet(
    *,
    input_shape=RELU_TANH_INPUT_SHAPE,
    num_classes=10,
    include_top=True,
    pooling=None,
    classifier_activation="softmax",
    activation="relu",
    setting="paper",
    name=None,
):
    """The small CIFAR-10 network of the ReLU-vs-tanh experiment (AlexNet's Fig. 1).

    Four weight layers: ``block{b}_conv1`` (5x5, "same", 32, 32 and 64 filters),
    each followed by ``block{b}_pool`` (3x3, stride 2, "same"), then
    ``head_flatten`` and ``predictions``. Only ``activation`` differs between the
    two networks of the experiment; build both after the same
    ``runtime.set_seed(...)`` to give them the same initial weights.

    Args:
        input_shape: ``(height, width, channels)``; defaults to CIFAR-10's 32x32x3.
            Any size works ("same" padding throughout); ``setting="paper"`` needs
            3 channels.
        num_classes: Number of classes, >= 2.
        include_top: Whether to build the classifier. Without it the model outputs
            ``block3_pool``'s maps.
        pooling: With ``include_top=False``: ``None`` (maps), ``"avg"`` or ``"max"``
            (global pooling to a vector).
        classifier_activation: Activation of ``predictions``; ``None`` gives logits.
        activation: Activation of the convolutions: ``"relu"`` or ``"tanh"`` (any
            Keras activation name works).
        setting: ``"paper"``: a fixed ``mean_subtraction`` layer subtracts the
            CIFAR-10 mean from 0..255 pixels and the kernels are drawn from
            N(0, 0.01), as AlexNet did; ``"modern"``: Keras's Glorot-uniform
            kernels, for inputs standardised before the model.
        name: Model name; defaults to ``"convnet_<activation>"``.

    Returns:
        A ``keras.Model``.

    Example:
        >>> relu = relu_tanh_convnet(activation="relu", setting="paper")
        >>> relu.count_params()
        89578

    See: lessons/06a_alexnet.ipynb.
    """
    input_shape, num_classes = _validation.check_common(
        input_shape=input_shape,
        num_classes=num_classes,
        include_top=include_top,
        pooling=pooling,
        name=name,
    )
    check_choice("setting", setting, _RELU_TANH_SETTINGS)
    if not isinstance(activation, str) or not activation:
        raise ValueError(
            "`activation` must be the name of a Keras activation, e.g. 'relu' or "
            f"'tanh'. Received: activation={activation!r}"
        )
    mean = data.MEAN["cifar10"]
    if setting == "paper" and input_shape[-1] != len(mean):
        raise ValueError(
            f"setting='paper' subtracts CIFAR-10's {len(mean)} channel means inside "
            "the model, so the input needs that many channels; use "
            f"setting='modern' for other inputs. Received: input_shape={input_shape}"
        )

    inputs = model_input(input_shape)
    x = inputs
    init = "glorot_uniform"
    if setting == "paper":
        x = layers.Normalization(
            mean=[255.0 * m for m in mean],
            variance=[1.0] * len(mean),
            name="mean_subtraction",
        )(x)
        init = keras.initializers.RandomNormal(stddev=0.01)
    for block, filters in enumerate(RELU_TANH_FILTERS, start=1):
        x = conv_unit(
            x,
            filters,
            5,
            activation=activation,
            kernel_initializer=init,
            name=f"block{block}_conv1",
        )
        x = layers.MaxPooling2D(
            3, strides=2, padding="same", name=f"block{block}_pool"
        )(x)
    outputs = classifier_head(
        x,
        include_top=include_top,
        pooling=pooling,
        num_classes=num_classes,
        classifier_activation=classifier_activation,
        kernel_initializer=init,
    )
    return keras.Model(inputs, outputs, name=name or f"convnet_{activation}")
