"""Training recipes: everything about training that is not the model.

A :class:`Recipe` names the dataset and its preprocessing, the optimiser, the
learning-rate schedule, augmentation and the number of epochs, and cites where it comes
from (``recipe.source``). Lessons fetch one by name, change what they study, and hand it
to :func:`course_lib.training.train`::

    recipe = get_recipe("lenet5_mnist", epochs=12)

In smoke mode (``COURSE_MODE=smoke``) a recipe runs for ``smoke_epochs`` (default 1):
the same code path, less data, fewer epochs (:meth:`Recipe.for_mode`).

Weight decay is *decoupled*, as Keras optimisers apply it: after each step every weight
shrinks by ``learning_rate * weight_decay * w``. Papers trained with SGD state an L2
coefficient that adds ``l2 * w`` to the gradient, which momentum then amplifies; the
recipes convert it with :func:`decoupled_weight_decay` (5e-4 with momentum 0.9 becomes
5e-3 in steady state).

A recipe may name any dataset: ``"mnist"`` and ``"cifar10"`` are loaded by the course,
any other name is a label for data an instructor passes to ``train(..., data=...)``,
with its own ``normalization`` (a ``(mean, std)`` pair or a callable).

See: lessons/05_lenet5.ipynb (first use), lessons/06a_alexnet.ipynb,
lessons/06b_zfnet.ipynb, lessons/07_vgg.ipynb.
"""

from __future__ import annotations

import dataclasses
import types
from collections.abc import Mapping
from typing import Any

from course_lib import runtime
from course_lib._util import choice_error, did_you_mean, is_int

__all__ = [
    "COURSE_DATASETS",
    "RECIPES",
    "Recipe",
    "decoupled_weight_decay",
    "get_recipe",
    "register_recipe",
]

COURSE_DATASETS = ("mnist", "cifar10")
"""The datasets the course loads itself; a recipe may name any other with data=."""
OPTIMIZERS = ("sgd", "adam", "adamw")
SCHEDULES = ("constant", "cosine", "step", "onecycle")
NAMED_NORMALIZATIONS = (None, "unit", "mnist", "cifar10")


def decoupled_weight_decay(l2: float, *, momentum: float) -> float:
    """Converts a paper's L2 coefficient to Keras's decoupled weight decay.

    With SGD, an L2 term adds ``l2 * w`` to every gradient; momentum ``m`` accumulates
    it, so in steady state each step shrinks a weight by about
    ``lr * l2 / (1 - m) * w``. Keras optimisers shrink it by ``lr * weight_decay * w``
    directly (decoupled weight decay, Loshchilov and Hutter, 2019), so the equivalent
    value is ``l2 / (1 - m)``.

    Args:
        l2: The L2 coefficient a paper states (AlexNet, VGG: 5e-4).
        momentum: The SGD momentum it was used with.

    Returns:
        The ``weight_decay`` to give a Keras optimiser.

    Example:
        >>> round(decoupled_weight_decay(5e-4, momentum=0.9), 6)
        0.005

    See: lessons/07_vgg.ipynb.
    """
    if not 0 <= momentum < 1:
        raise ValueError(f"momentum must be in [0, 1). Received: momentum={momentum}")
    if l2 < 0:
        raise ValueError(f"l2 must be >= 0. Received: l2={l2}")
    return l2 / (1.0 - momentum)


# --------------------------------------------------------------------------------------
# Recipes
# --------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True)
class Recipe:
    """A training recipe: data, preprocessing, optimiser, schedule and epochs.

    Attributes:
        name: Registry name, e.g. ``"lenet5_mnist"``.
        dataset: ``"mnist"`` or ``"cifar10"`` (the course loads them), or any other
            name: a label for data passed to ``train(..., data=...)``.
        epochs: Epochs in full mode.
        batch_size: Images per step.
        optimizer: ``"sgd"``, ``"adam"`` or ``"adamw"``.
        learning_rate: Base (peak) learning rate.
        momentum: SGD momentum (ignored by Adam and AdamW).
        nesterov: SGD with Nesterov momentum.
        weight_decay: Decoupled weight decay as Keras applies it (see
            :func:`decoupled_weight_decay`); 0 for none. ``"adam"`` with weight
            decay would be AdamW in Keras, so use ``"adamw"`` for that.
        schedule: ``"constant"``, ``"cosine"`` (to 0 after warm-up), ``"step"``
            (multiply by ``gamma`` at each of ``milestones``) or ``"onecycle"``.
        milestones: With ``"step"``: fractions of the run (0..1) at which the
            learning rate is multiplied by ``gamma``.
        gamma: The step factor.
        warmup_epochs: Linear warm-up from ``learning_rate / warmup steps`` to
            ``learning_rate`` (with ``"onecycle"``: the rising phase, default 30 %).
        augment: Random crops (4-pixel zero padding) and horizontal flips, as in
            :func:`course_lib.data.pipeline`.
        normalization: ``"unit"`` (0..1), ``"mnist"`` / ``"cifar10"`` (per-channel
            standardisation), ``None`` (0..255), ``(mean, std)`` per-channel tuples
            on the 0..1 scale (your own dataset's statistics), or a callable that
            maps float32 images in 0..255 to the model's input.
        pad_to: Zero-pad images to this size (LeNet-5 takes MNIST padded to 32x32).
        label_smoothing: Cross-entropy label smoothing, 0 for none.
        validation_split: Fraction of the training set held out when training with
            ``validation="split"`` (its last images, as ``Model.fit`` does); 0 means
            validate on the test set.
        smoke_epochs: Epochs in smoke mode.
        smoke_batch_size: Batch size in smoke mode; ``None`` keeps ``batch_size``.
        source: Where the recipe comes from (paper, section, or keras-io example).

    Example:
        >>> recipe = get_recipe("lenet5_mnist").replace(epochs=5)

    See: lessons/05_lenet5.ipynb.
    """

    name: str
    dataset: str
    epochs: int
    batch_size: int
    optimizer: str = "adam"
    learning_rate: float = 1e-3
    momentum: float = 0.0
    nesterov: bool = False
    weight_decay: float = 0.0
    schedule: str = "constant"
    milestones: tuple[float, ...] = (0.5, 0.75)
    gamma: float = 0.1
    warmup_epochs: float = 0.0
    augment: bool = False
    normalization: Any = "unit"
    pad_to: int | None = None
    label_smoothing: float = 0.0
    validation_split: float = 0.0
    smoke_epochs: int = 1
    smoke_batch_size: int | None = None
    source: str = ""

    def __post_init__(self):
        object.__setattr__(self, "milestones", tuple(float(m) for m in self.milestones))
        if (
            isinstance(self.normalization, (list, tuple))
            and len(self.normalization) == 2
        ):
            # (mean, std) given as lists or NumPy arrays: store hashable tuples.
            mean, std = (tuple(float(v) for v in part) for part in self.normalization)
            object.__setattr__(self, "normalization", (mean, std))
        if not (isinstance(self.dataset, str) and self.dataset):
            raise ValueError(
                "`dataset` must be a non-empty name: 'mnist' or 'cifar10' (loaded by "
                "the course) or a label for data you pass to train(..., data=...). "
                f"Received: dataset={self.dataset!r}"
            )
        if self.optimizer not in OPTIMIZERS:
            raise choice_error("optimizer", self.optimizer, OPTIMIZERS)
        if self.schedule not in SCHEDULES:
            raise choice_error("schedule", self.schedule, SCHEDULES)
        _check_normalization(self.normalization)
        for field in ("epochs", "batch_size", "smoke_epochs"):
            value = getattr(self, field)
            if not is_int(value) or value < 1:
                raise ValueError(
                    f"`{field}` must be an int >= 1. Received: {field}={value!r}"
                )
            object.__setattr__(self, field, int(value))
        if self.smoke_batch_size is not None and not (
            is_int(self.smoke_batch_size) and self.smoke_batch_size >= 1
        ):
            raise ValueError(
                "`smoke_batch_size` must be None or an int >= 1. "
                f"Received: smoke_batch_size={self.smoke_batch_size!r}"
            )
        for field in _NUMBER_FIELDS:
            value = getattr(self, field)
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ValueError(
                    f"`{field}` must be a number (int or float). "
                    f"Received: {field}={value!r}"
                )
        if not isinstance(self.augment, bool) or not isinstance(self.nesterov, bool):
            flag = "augment" if not isinstance(self.augment, bool) else "nesterov"
            raise ValueError(
                f"`{flag}` must be True or False. Received: {flag}="
                f"{getattr(self, flag)!r}"
            )
        if not self.learning_rate > 0:
            raise ValueError(
                "`learning_rate` must be > 0. "
                f"Received: learning_rate={self.learning_rate}"
            )
        checks = {
            "momentum": 0 <= self.momentum < 1,
            "weight_decay": self.weight_decay >= 0,
            "label_smoothing": 0 <= self.label_smoothing < 1,
            "validation_split": 0 <= self.validation_split < 1,
            "gamma": 0 < self.gamma <= 1,
        }
        rules = {
            "momentum": "in [0, 1)",
            "weight_decay": ">= 0",
            "label_smoothing": "in [0, 1)",
            "validation_split": "in [0, 1)",
            "gamma": "in (0, 1]",
        }
        for field, ok in checks.items():
            if not ok:
                raise ValueError(
                    f"`{field}` must be {rules[field]}. "
                    f"Received: {field}={getattr(self, field)!r}"
                )
        if self.warmup_epochs < 0 or 0 < self.epochs <= self.warmup_epochs:
            raise ValueError(
                "`warmup_epochs` must be >= 0 and less than `epochs`. "
                f"Received: warmup_epochs={self.warmup_epochs}, epochs={self.epochs}"
            )
        milestones = list(self.milestones)
        if any(not 0 < m < 1 for m in milestones) or milestones != sorted(milestones):
            raise ValueError(
                "`milestones` must be increasing fractions of the run, each in (0, 1). "
                f"Received: milestones={self.milestones}"
            )
        if self.optimizer == "adam" and self.weight_decay:
            raise ValueError(
                "Keras's Adam with `weight_decay` is AdamW (decoupled decay): use "
                "optimizer='adamw' to say so. "
                f"Received: optimizer='adam', weight_decay={self.weight_decay}"
            )

    def replace(self, **changes) -> Recipe:
        """Returns a copy with some fields changed (the recipe itself is frozen).

        Raises:
            ValueError: for a field that does not exist, naming the closest ones.

        Example:
            >>> faster = get_recipe("vgg_cifar10").replace(epochs=30)
        """
        fields = [f.name for f in dataclasses.fields(self)]
        unknown = [key for key in changes if key not in fields]
        if unknown:
            detail = "; ".join(f"{key!r}{did_you_mean(key, fields)}" for key in unknown)
            raise ValueError(
                f"Recipe has no field {detail}. Fields: {', '.join(fields)}."
            )
        return dataclasses.replace(self, **changes)

    def for_mode(self) -> Recipe:
        """The recipe as it runs in the current mode (``COURSE_MODE``).

        Full mode returns the recipe unchanged. Smoke mode runs ``smoke_epochs``
        epochs (with ``smoke_batch_size`` when set) and scales ``warmup_epochs`` by
        the same factor so the schedule keeps its shape; everything else is the same.

        Example:
            >>> epochs = get_recipe("lenet5_mnist").for_mode().epochs
        """
        if not runtime.is_smoke():
            return self
        return self.replace(
            epochs=self.smoke_epochs,
            batch_size=self.smoke_batch_size or self.batch_size,
            warmup_epochs=self.warmup_epochs * self.smoke_epochs / self.epochs,
        )

    def to_dict(self) -> dict[str, Any]:
        """The recipe as a JSON-ready dict (a callable normalisation by its name)."""
        values = dataclasses.asdict(self) | {"milestones": list(self.milestones)}
        norm = self.normalization
        if callable(norm):
            values["normalization"] = getattr(norm, "__qualname__", repr(norm))
        elif isinstance(norm, tuple):
            values["normalization"] = [list(part) for part in norm]
        return values


_NUMBER_FIELDS = (
    "learning_rate",
    "momentum",
    "weight_decay",
    "gamma",
    "warmup_epochs",
    "label_smoothing",
    "validation_split",
)


def _check_normalization(value) -> None:
    """None, a named one, a callable, or ``(mean, std)`` per-channel sequences."""
    if value is None or callable(value) or value in NAMED_NORMALIZATIONS[1:]:
        return
    if isinstance(value, tuple) and len(value) == 2:
        mean, std = value
        if (
            isinstance(mean, tuple)
            and isinstance(std, tuple)
            and len(mean) == len(std) >= 1
            and all(isinstance(v, (int, float)) for v in mean + std)
            and all(v > 0 for v in std)
        ):
            return
    raise ValueError(
        "`normalization` must be None (0..255), 'unit' (0..1), 'mnist' or 'cifar10' "
        "(their per-channel statistics), a pair of per-channel tuples (mean, std) on "
        "the 0..1 scale, e.g. ((0.5,), (0.25,)), or a callable taking float32 images "
        f"in 0..255. Received: normalization={value!r}"
    )


_RECIPES: dict[str, Recipe] = {}
RECIPES: Mapping[str, Recipe] = types.MappingProxyType(_RECIPES)
"""Every registered recipe by name (read-only; add one with :func:`register_recipe`)."""


def register_recipe(recipe: Recipe) -> Recipe:
    """Adds a recipe to :data:`RECIPES` under its name and returns it.

    Raises:
        ValueError: if a recipe of that name is already registered.

    Example:
        >>> register_recipe(Recipe(name="my_mnist", dataset="mnist", epochs=5,
        ...                        batch_size=64))
    """
    if recipe.name in _RECIPES:
        raise ValueError(
            f"A recipe named {recipe.name!r} is already registered; pick another name "
            f"or use get_recipe({recipe.name!r}, **changes). Received: {recipe!r}"
        )
    _RECIPES[recipe.name] = recipe
    return recipe


def get_recipe(name: str, **overrides) -> Recipe:
    """Returns the registered recipe ``name``, with ``overrides`` applied.

    Args:
        name: A key of :data:`RECIPES`.
        **overrides: Fields to change, e.g. ``epochs=5``.

    Raises:
        ValueError: for an unknown name (listing the closest and all known names)
            or an unknown field.

    Example:
        >>> recipe = get_recipe("lenet5_mnist", epochs=5)

    See: lessons/05_lenet5.ipynb.
    """
    if name not in _RECIPES:
        known = sorted(_RECIPES)
        raise ValueError(
            f"Unknown recipe {name!r}{did_you_mean(name, known)}. Known recipes: "
            f"{', '.join(known)}."
        )
    recipe = _RECIPES[name]
    return recipe.replace(**overrides) if overrides else recipe
