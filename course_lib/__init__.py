"""course_lib: the library behind the CNN image-classification course.

The lessons in ``lessons/`` import from these modules:

- ``course_lib.runtime``    modes (smoke / full), seeds, devices, strategies, environment doctor
- ``course_lib.data``       MNIST and CIFAR-10: verified downloads, cache, subsets, tf.data pipelines
- ``course_lib.checks``     exercise checks with hints and solutions
- ``course_lib.arithmetic`` output sizes, padding, receptive fields, parameter and mult-add counts
- ``course_lib.layers``     layers Keras lacks (LocalResponseNormalization, ...)
- ``course_lib.models``     model builders and a registry to build them by name
- ``course_lib.training``   the course's training recipes
- ``course_lib.plotting``   figures for images, histories, filters, feature maps, confusion matrices
- ``course_lib.experiments`` small experiments the lessons share (shifted images, top-k error,
  gradient-measured and effective receptive fields)
- ``course_lib.exercises``  the checked questions of each lesson
- ``course_lib.results``    measured results (JSON written by benchmarks/ and tools/)
"""

__version__ = "0.1.0"
