"""Learning-rate schedules and optimisers built from a recipe.

See: lessons/07_vgg.ipynb.
"""

from __future__ import annotations

import math

import keras
from keras import ops

from course_lib._util import check_choice
from course_lib.training.recipes import SCHEDULES, Recipe

__all__ = ["RecipeSchedule", "learning_rate_schedule", "make_optimizer"]

# One-cycle policy (Smith and Topin, 2017), with PyTorch's OneCycleLR defaults: start at
# peak / 25, reach the peak after 30 % of the steps, end at start / 1e4.
ONECYCLE_DIV = 25.0
ONECYCLE_FINAL_DIV = 1e4
ONECYCLE_PEAK_AT = 0.3


@keras.saving.register_keras_serializable(package="course_lib")
class RecipeSchedule(keras.optimizers.schedules.LearningRateSchedule):
    """The learning rate of a recipe at each optimiser step, with optional warm-up.

    - ``"constant"``: ``learning_rate`` after warm-up.
    - ``"cosine"``: half a cosine from ``learning_rate`` to 0 over the steps after
      warm-up (Loshchilov and Hutter, 2017).
    - ``"step"``: multiplied by ``gamma`` once the run passes each milestone (a
      fraction of all steps), as He et al. (2016) on CIFAR-10 (0.5 and 0.75).
    - ``"onecycle"``: linear from ``learning_rate / 25`` up to ``learning_rate`` over
      the warm-up (30 % by default), then half a cosine down to ``1e-4`` of the start
      (Smith and Topin, 2017; PyTorch's OneCycleLR defaults, without momentum cycling).

    Warm-up is linear: step ``s < warmup_steps`` uses
    ``learning_rate * (s + 1) / warmup_steps``.

    Args:
        learning_rate: Base (peak) learning rate.
        total_steps: Steps of the whole run: epochs x steps per epoch.
        kind: One of :data:`SCHEDULES`.
        warmup_steps: Steps of linear warm-up (the rising phase for ``"onecycle"``).
        milestones: Fractions of the run for ``"step"``.
        gamma: Factor applied at each milestone.

    Example:
        >>> float(RecipeSchedule(0.1, total_steps=100, kind="cosine")(50))  # 0.05
        0.05...

    See: lessons/07_vgg.ipynb.
    """

    def __init__(
        self,
        learning_rate,
        total_steps,
        kind="constant",
        warmup_steps=0,
        milestones=(0.5, 0.75),
        gamma=0.1,
    ):
        check_choice("kind", kind, SCHEDULES)
        if total_steps < 1 or warmup_steps < 0 or 0 < total_steps <= warmup_steps:
            raise ValueError(
                "total_steps must be >= 1 and 0 <= warmup_steps < total_steps. "
                f"Received: total_steps={total_steps}, warmup_steps={warmup_steps}"
            )
        self.learning_rate = float(learning_rate)
        self.total_steps = int(total_steps)
        self.kind = kind
        self.warmup_steps = int(warmup_steps)
        self.milestones = tuple(float(m) for m in milestones)
        self.gamma = float(gamma)

    def __call__(self, step):
        step = ops.cast(step, "float32")
        lr = self.learning_rate
        total = float(self.total_steps)
        if self.kind == "onecycle":
            rise = float(self.warmup_steps or round(ONECYCLE_PEAK_AT * total))
            start = lr / ONECYCLE_DIV
            end = start / ONECYCLE_FINAL_DIV
            up = start + (lr - start) * step / max(rise, 1.0)
            t = ops.clip((step - rise) / max(total - rise, 1.0), 0.0, 1.0)
            down = end + (lr - end) * 0.5 * (1.0 + ops.cos(math.pi * t))
            return ops.where(step < rise, up, down)
        warm = float(self.warmup_steps)
        if self.kind == "constant":
            value = ops.full_like(step, lr)
        elif self.kind == "cosine":
            t = ops.clip((step - warm) / max(total - warm, 1.0), 0.0, 1.0)
            value = lr * 0.5 * (1.0 + ops.cos(math.pi * t))
        else:  # "step"
            value = ops.full_like(step, lr)
            for milestone in self.milestones:
                passed = ops.cast(step >= milestone * total, "float32")
                value = value * (1.0 - passed * (1.0 - self.gamma))
        if self.warmup_steps:
            value = ops.where(step < warm, lr * (step + 1.0) / warm, value)
        return value

    def get_config(self):
        return {
            "learning_rate": self.learning_rate,
            "total_steps": self.total_steps,
            "kind": self.kind,
            "warmup_steps": self.warmup_steps,
            "milestones": list(self.milestones),
            "gamma": self.gamma,
        }


def learning_rate_schedule(recipe: Recipe, steps_per_epoch: int) -> RecipeSchedule:
    """The recipe's learning-rate schedule for a run of ``steps_per_epoch`` steps.

    Args:
        recipe: The recipe (use ``recipe.for_mode()`` for the current mode).
        steps_per_epoch: Batches per epoch: ``train images // batch_size``, as
            :func:`~course_lib.training.train` drops the last, smaller batch.

    Returns:
        A :class:`RecipeSchedule`; call it with a step to get the rate.

    Example:
        >>> schedule = learning_rate_schedule(get_recipe("vgg_cifar10"), 391)

    See: lessons/07_vgg.ipynb.
    """
    if steps_per_epoch < 1:
        raise ValueError(
            f"steps_per_epoch must be >= 1. Received: steps_per_epoch={steps_per_epoch}"
        )
    return RecipeSchedule(
        recipe.learning_rate,
        total_steps=recipe.epochs * steps_per_epoch,
        kind=recipe.schedule,
        # Rounding may not reach the last step: warm-up always leaves one.
        warmup_steps=min(
            round(recipe.warmup_epochs * steps_per_epoch),
            recipe.epochs * steps_per_epoch - 1,
        ),
        milestones=recipe.milestones,
        gamma=recipe.gamma,
    )


def make_optimizer(recipe: Recipe, steps_per_epoch: int) -> keras.optimizers.Optimizer:
    """Builds the recipe's Keras optimiser with its learning-rate schedule.

    Args:
        recipe: The recipe.
        steps_per_epoch: Batches per epoch (the schedule needs the true number).

    Returns:
        ``keras.optimizers.SGD``, ``Adam`` or ``AdamW``.

    Example:
        >>> optimizer = make_optimizer(get_recipe("vgg_cifar10"), 391)

    See: lessons/07_vgg.ipynb.
    """
    schedule = learning_rate_schedule(recipe, steps_per_epoch)
    decay = recipe.weight_decay or None
    if recipe.optimizer == "sgd":
        return keras.optimizers.SGD(
            learning_rate=schedule,
            momentum=recipe.momentum,
            nesterov=recipe.nesterov,
            weight_decay=decay,
        )
    if recipe.optimizer == "adamw":
        return keras.optimizers.AdamW(learning_rate=schedule, weight_decay=decay or 0.0)
    return keras.optimizers.Adam(learning_rate=schedule)
