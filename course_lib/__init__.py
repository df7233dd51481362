"""course_lib: the library behind the CNN image-classification course.

The lessons in ``lessons/`` import from these modules:

- ``course_lib.startup``    the first cell of every lesson: Keras loaded without
  TensorFlow's C++ start-up log
- ``course_lib.runtime``    modes (smoke / full), seeds, devices, strategies, doctor
- ``course_lib.data``       MNIST and CIFAR-10: verified downloads, cache, subsets,
  input pipelines (tf.data or NumPy batches), shifted images, the O/X shapes
- ``course_lib.checks``     exercise checks with hints and solutions
- ``course_lib.arithmetic`` output sizes, padding, receptive fields (by formula and
  measured with gradients), parameter and mult-add counts, NumPy reference ops
- ``course_lib.layers``     layers Keras lacks (LocalResponseNormalization, ...)
- ``course_lib.models``     model builders and a registry to build them by name
- ``course_lib.training``   recipes, schedules, the training loop, evaluation (top-k
  error, accuracy on shifted images), results
- ``course_lib.timing``     timing code: the best of several runs
- ``course_lib.measure``    latency, training throughput and size of a model, and
  the hardware record a results file carries
- ``course_lib.plotting``   figures: images, curves, filters, feature maps, confusions
- ``course_lib.exercises``  the checked questions of each lesson
- ``course_lib.results``    measured results (JSON written by benchmarks/ and tools/)

Everything runs on the TensorFlow and the JAX backend of Keras; ``course_lib._backend``
holds the little that differs between them.
"""

__version__ = "0.1.0"
