"""Building pieces every family shares: the input, a conv unit, the classifier head.

They apply the layer-naming scheme described in ``course_lib.models`` so that every
family names its layers the same way.
"""

import keras
from keras import layers

__all__ = ["classifier_head", "conv_unit", "model_input"]


def model_input(input_shape):
    """Returns the named ``keras.Input`` (``"input"``) for a checked input shape."""
    return keras.Input(shape=input_shape, name="input")


def conv_unit(
    x,
    filters,
    kernel_size,
    *,
    strides=1,
    padding="same",
    activation="relu",
    groups=1,
    batch_norm=False,
    use_bias=True,
    bn_epsilon=1e-3,
    kernel_initializer="glorot_uniform",
    name,
):
    """A convolution with its activation, optionally batch-normalised in between.

    Without batch norm the activation is fused into the ``Conv2D`` (as
    keras.applications' VGG does), so the layer ``name`` outputs activated feature
    maps. With batch norm the conv is followed by ``BatchNormalization`` and
    ``Activation`` layers named by replacing ``conv`` in ``name`` with ``bn`` and
    with the activation (``relu``, ``tanh``): ``block2_conv1``, ``block2_bn1``,
    ``block2_relu1``.

    The conv keeps its bias with batch norm by default, as torchvision's ``vgg*_bn``
    and keras.applications' ResNet do (so parameter counts match those models); the
    bias is redundant there but harmless. ``use_bias=False`` drops it (torchvision's
    ResNet, DenseNet). ``activation=None`` leaves the output linear: with batch norm,
    no ``Activation`` layer follows (a residual block's last conv, activated after
    the addition).

    Args:
        x: Input tensor (batch, height, width, channels).
        filters: Number of output channels.
        kernel_size: Square kernel size.
        strides: Stride.
        padding: ``"same"``, ``"valid"`` or an int: symmetric zero padding, added by a
            ``ZeroPadding2D`` named with ``pad`` in place of ``conv``.
        activation: Activation name (e.g. ``"relu"``, ``"tanh"``), or ``None``.
        groups: Grouped convolution (AlexNet's two streams use 2).
        batch_norm: Whether to add ``BatchNormalization`` before the activation.
        use_bias: Whether the conv has a bias.
        bn_epsilon: The batch norm's epsilon (Keras's default 1e-3;
            keras.applications' ResNet and DenseNet use 1.001e-5).
        kernel_initializer: The conv's kernel initializer (Keras's default,
            Glorot-uniform, unless a paper's setting is reproduced).
        name: The conv layer's name; it must contain ``"conv"``.

    Returns:
        The output tensor.
    """
    if isinstance(padding, int):
        if padding:
            x = layers.ZeroPadding2D(padding, name=name.replace("conv", "pad"))(x)
        padding = "valid"
    x = layers.Conv2D(
        filters,
        kernel_size,
        strides=strides,
        padding=padding,
        groups=groups,
        activation=None if batch_norm else activation,
        use_bias=use_bias,
        kernel_initializer=kernel_initializer,
        name=name,
    )(x)
    if batch_norm:
        x = layers.BatchNormalization(
            epsilon=bn_epsilon, name=name.replace("conv", "bn")
        )(x)
        if activation is not None:
            x = layers.Activation(activation, name=name.replace("conv", activation))(x)
    return x


def classifier_head(
    x,
    *,
    include_top,
    pooling,
    num_classes,
    classifier_activation,
    fc_units=(),
    fc_activation="relu",
    dropout=0.0,
    flatten_dropout=0.0,
    kernel_initializer="glorot_uniform",
    global_pool=None,
):
    """Flatten -> fully connected layers (with dropout) -> predictions, or pooling.

    With ``include_top``: ``head_flatten``, then ``head_dropout`` when
    ``flatten_dropout > 0``, then for each entry of ``fc_units`` a ``Dense`` named
    ``fc1``, ``fc2``, ... each followed by ``fc{i}_dropout`` when ``dropout > 0``,
    then the ``predictions`` layer; with ``global_pool="avg"`` a global average
    pooling named ``head_pool`` replaces ``head_flatten`` (ResNet's and DenseNet's
    head). Without it: the feature maps,
    globally pooled by ``head_pool`` when ``pooling`` is ``"avg"`` or ``"max"``
    (keras.applications' behaviour).

    Args:
        x: The last feature maps.
        include_top: Whether to build the classifier.
        pooling: ``None``, ``"avg"`` or ``"max"``; used when ``include_top=False``.
        num_classes: Units of ``predictions``.
        classifier_activation: Activation of ``predictions`` (``None`` for logits).
        fc_units: Units of the hidden fully connected layers.
        fc_activation: Their activation.
        dropout: Dropout rate after each hidden fully connected layer.
        flatten_dropout: Dropout rate on the flattened maps (keras-io's MNIST
            convnet has no hidden dense layer and drops there).
        kernel_initializer: Kernel initializer of the dense layers.
        global_pool: With ``include_top``: ``None`` flattens the maps, ``"avg"``
            averages each map to one value first.

    Returns:
        The output tensor.
    """
    if not include_top:
        if pooling == "avg":
            return layers.GlobalAveragePooling2D(name="head_pool")(x)
        if pooling == "max":
            return layers.GlobalMaxPooling2D(name="head_pool")(x)
        return x
    if global_pool == "avg":
        x = layers.GlobalAveragePooling2D(name="head_pool")(x)
    else:
        x = layers.Flatten(name="head_flatten")(x)
    if flatten_dropout:
        x = layers.Dropout(flatten_dropout, name="head_dropout")(x)
    for index, units in enumerate(fc_units, start=1):
        x = layers.Dense(
            units,
            activation=fc_activation,
            kernel_initializer=kernel_initializer,
            name=f"fc{index}",
        )(x)
        if dropout:
            x = layers.Dropout(dropout, name=f"fc{index}_dropout")(x)
    return layers.Dense(
        num_classes,
        activation=classifier_activation,
        kernel_initializer=kernel_initializer,
        name="predictions",
    )(x)
