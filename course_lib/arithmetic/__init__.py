"""Convolution arithmetic: output sizes, padding, receptive fields and costs.

Everything a learner computes by hand in the arithmetic lessons, as functions that
are tested against what Keras actually does:

    >>> from course_lib import arithmetic
    >>> arithmetic.conv_output_size(224, 7, stride=2, padding="same")
    112
    >>> arithmetic.receptive_field_recurrence([(3,), (3,), (3,)])[-1].receptive_field
    7

One job per module:

- ``sizes``: **output sizes** of convolution, pooling and transposed convolution,
  with the padding TensorFlow uses for ``"same"`` (the extra pixel goes after:
  bottom/right), and the relations of Dumoulin & Visin, "A guide to convolution
  arithmetic for deep learning" (2016, arXiv:1603.07285).
- ``receptive_fields``: **receptive fields** by the textbook recurrence and for
  every layer of a Keras model (size, jump, start), following Araujo, Norris & Sim,
  "Computing Receptive Fields of Convolutional Neural Networks", Distill 2019.
- ``measured``: receptive fields **measured** with gradients, the theoretical one
  and the effective one of Luo et al. (2016); runs on TensorFlow and JAX.
- ``costs``: **parameter and multiply-add counts** by formula, per layer and per
  model, from one table of layer types.
- ``depth``: a network's **depth** as the longest path of counted layers through its
  graph (GoogLeNet's "22 layers deep"), with the rules of what counts.
- ``gradients``: **gradient norms** of the loss at chosen layers (ResNet's argument
  that identity shortcuts carry the gradient), on TensorFlow and JAX.
- ``reference_ops``: a readable **NumPy reference** of convolution, transposed
  convolution, pooling and local response normalisation that matches Keras.
- ``tables``: rows as dicts, markdown or plain-text tables.
- ``_graph``: the only module that reads Keras's private graph attributes.

Conventions used throughout:

- Images are channels-last (NHWC) and kernels HWIO, as in Keras.
- One-dimensional helpers (``conv_output_size`` and friends) take ``padding`` as an
  int (both sides), a ``(before, after)`` pair, ``"valid"``, ``"same"`` (TensorFlow's
  rule) or ``"full"`` (Dumoulin & Visin's full padding, ``D(K-1)`` on each side).
- Two-dimensional helpers take an int (all four sides), a string, a pair
  ``(pad_h, pad_w)`` (symmetric, as ``keras.layers.ZeroPadding2D``) or a pair of pairs
  ``((top, bottom), (left, right))``.
- Pixel coordinates are indices: the centre of the first input pixel is 0. Dang Ha The
  Hien's article measures from the pixel edge instead, so its starts are 0.5 larger.
- Multiply-adds (MACs) count one multiplication plus one addition as one operation,
  as the MobileNet and ResNet papers do. Bias additions, batch normalisation,
  activations, pooling and merges are not counted.

Importing this package needs NumPy only; Keras is imported when a function reads a
layer or a model.

See: lessons/03_convolution_arithmetic.ipynb and lessons/04_receptive_fields.ipynb
"""

from course_lib.arithmetic.costs import (
    MacCount,
    MacRow,
    ParameterRow,
    count_layer_macs,
    count_macs,
    count_params,
    parameter_table,
)
from course_lib.arithmetic.depth import has_weights_to_count, is_pooling, longest_path
from course_lib.arithmetic.gradients import GradientNorm, layer_gradient_norms
from course_lib.arithmetic.measured import (
    effective_receptive_field,
    gradient_receptive_field,
    input_gradient,
    mask_extent,
    mass_extent,
)
from course_lib.arithmetic.receptive_fields import (
    ReceptiveFieldRow,
    RecurrenceRow,
    receptive_field,
    receptive_field_of,
    receptive_field_recurrence,
)
from course_lib.arithmetic.reference_ops import (
    avg_pool,
    conv2d,
    conv2d_loops,
    conv_transpose2d,
    local_response_normalization,
    max_pool,
)
from course_lib.arithmetic.sizes import (
    DirectConvEquivalent,
    conv_output_size,
    effective_kernel_size,
    full_padding,
    pool_output_size,
    same_padding,
    transposed_conv_equivalent,
    transposed_conv_output_size,
)
from course_lib.arithmetic.tables import as_dicts, format_table

__all__ = [
    # Output sizes and padding.
    "effective_kernel_size",
    "same_padding",
    "full_padding",
    "conv_output_size",
    "pool_output_size",
    "transposed_conv_output_size",
    "DirectConvEquivalent",
    "transposed_conv_equivalent",
    # Receptive fields.
    "RecurrenceRow",
    "receptive_field_recurrence",
    "ReceptiveFieldRow",
    "receptive_field",
    "receptive_field_of",
    # Receptive fields measured with gradients.
    "gradient_receptive_field",
    "effective_receptive_field",
    "mask_extent",
    "mass_extent",
    "input_gradient",
    # Parameters and multiply-adds.
    "count_params",
    "ParameterRow",
    "parameter_table",
    "count_layer_macs",
    "MacRow",
    "MacCount",
    "count_macs",
    # Depth and gradient norms.
    "has_weights_to_count",
    "is_pooling",
    "longest_path",
    "GradientNorm",
    "layer_gradient_norms",
    # Tables.
    "as_dicts",
    "format_table",
    # NumPy reference.
    "conv2d_loops",
    "conv2d",
    "conv_transpose2d",
    "max_pool",
    "avg_pool",
    "local_response_normalization",
]
