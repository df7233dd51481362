"""Training: recipes, schedules, callbacks, the training loop, evaluation, results.

- ``recipes``     :class:`Recipe` and the registry
- ``course_recipes`` the course's recipes, each with its source
- ``schedules``   learning-rate schedules and optimisers
- ``callbacks``   epoch timing, compact progress, test-set curves
- ``inputs``      the checks train() runs on data, labels and model
- ``loop``        :func:`train` and :func:`fit_classifier`
- ``resume``      the whole run's logs across a resume
- ``evaluation``  predictions, top-k, accuracy on shifted images
- ``results``     :class:`Result`, :func:`epochs_to`, :func:`time_to`

Everything here runs on the TensorFlow and the JAX backend of Keras::

    from course_lib.training import get_recipe, train
    history, result = train(model, get_recipe("lenet5_mnist", epochs=12))

See: lessons/05_lenet5.ipynb (first use).
"""

from course_lib.training import course_recipes  # registers the recipes
from course_lib.training.callbacks import (
    TIME_KEY,
    CompactProgress,
    EpochTimer,
    StopAfterTarget,
    TestSetMonitor,
)
from course_lib.training.evaluation import (
    SHIFT_DIRECTIONS,
    TOP_K,
    evaluate_top_k,
    outputs_probabilities,
    predict_classes,
    shift_accuracy,
    top_k_error,
)
from course_lib.training.inputs import smoke_subset
from course_lib.training.loop import VALIDATIONS, VERBOSITIES, fit_classifier, train
from course_lib.training.recipes import (
    COURSE_DATASETS,
    NAMED_NORMALIZATIONS,
    OPTIMIZERS,
    RECIPES,
    SCHEDULES,
    Recipe,
    decoupled_weight_decay,
    get_recipe,
    register_recipe,
)
from course_lib.training.results import Result, epochs_to, time_to
from course_lib.training.resume import merge_history
from course_lib.training.schedules import (
    ONECYCLE_DIV,
    ONECYCLE_FINAL_DIV,
    ONECYCLE_PEAK_AT,
    RecipeSchedule,
    learning_rate_schedule,
    make_optimizer,
)

__all__ = [
    "RECIPES",
    "CompactProgress",
    "EpochTimer",
    "Recipe",
    "RecipeSchedule",
    "Result",
    "StopAfterTarget",
    "TestSetMonitor",
    "decoupled_weight_decay",
    "epochs_to",
    "evaluate_top_k",
    "fit_classifier",
    "get_recipe",
    "learning_rate_schedule",
    "make_optimizer",
    "merge_history",
    "predict_classes",
    "register_recipe",
    "shift_accuracy",
    "smoke_subset",
    "time_to",
    "top_k_error",
    "train",
]
