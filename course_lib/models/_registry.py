"""A registry of model builders: register by decorator, list by pattern, build by name.

Builders register themselves when their family module is imported, which
``course_lib.models`` does for every family; so ``available()`` and ``build()`` see
all of them after ``import course_lib.models``.
"""

import dataclasses
import difflib
import fnmatch
import re
from collections.abc import Callable

__all__ = ["ModelInfo", "available", "build", "get_builder", "register_model"]

_BUILDERS: dict[str, Callable] = {}
_INFO: dict[str, "ModelInfo"] = {}


@dataclasses.dataclass(frozen=True)
class ModelInfo:
    """What ``available()`` lists about one registered builder.

    Attributes:
        name: The builder's name, as ``build()`` takes it.
        description: The first line of the builder's docstring.
        input_shape: The builder's default ``input_shape``.
        min_input_size: The smallest height and width the builder accepts with its
            default knobs (its convolutions and poolings leave nothing of smaller
            inputs).
    """

    name: str
    description: str
    input_shape: tuple
    min_input_size: int


def _natural_key(name):
    # "vgg11" -> ("vgg", 11, ""): numbers compare as numbers, so resnet18 < resnet101.
    parts = re.split(r"(\d+)", name)
    return tuple(int(part) if part.isdigit() else part for part in parts)


def register_model(*, input_shape, min_input_size):
    """Returns a decorator that registers a model builder under its function name.

    Both arguments describe the builder with its default knobs; ``available()``
    lists them, and the tests use them to build every registered model at its
    smallest valid input. Compute them from the family's configuration table (see
    ``_validation.min_input_size``) rather than typing numbers in.

    Args:
        input_shape: The builder's default ``input_shape``.
        min_input_size: Smallest height and width the builder accepts with its
            default knobs.

    Returns:
        A decorator that registers the builder and returns it unchanged.

    Raises:
        ValueError: If a builder of the same name is already registered.

    Example:
        >>> @register_model(input_shape=(32, 32, 3), min_input_size=8)
        ... def tiny_net(*, input_shape=(32, 32, 3), num_classes=10): ...
    """

    def decorator(builder):
        name = builder.__name__
        if name in _BUILDERS:
            existing = _BUILDERS[name]
            raise ValueError(
                "Each model name can be registered only once; "
                f"'{name}' is already registered by {existing.__module__}. "
                f"Received: {builder.__module__}.{name}"
            )
        doc = (builder.__doc__ or "").strip()
        _BUILDERS[name] = builder
        _INFO[name] = ModelInfo(
            name=name,
            description=doc.splitlines()[0].strip() if doc else "",
            input_shape=tuple(input_shape),
            min_input_size=int(min_input_size),
        )
        return builder

    return decorator


def available(pattern="*"):
    """Lists the registered models whose names match a shell pattern.

    Args:
        pattern: A shell-style pattern (``fnmatch``): ``"vgg*"``, ``"*net*"``,
            ``"vgg1?"``. Matching ignores case.

    Returns:
        A list of ``ModelInfo`` (``name``, ``description``, ``input_shape``,
        ``min_input_size``), sorted naturally
        (``vgg11`` before ``vgg13`` before ``vgg16``; ``resnet18`` before
        ``resnet101``).

    Example:
        >>> [info.name for info in available("vgg*")]
        ['vgg11', 'vgg13', 'vgg16', 'vgg19']
    """
    pattern = pattern.lower()
    names = [name for name in _BUILDERS if fnmatch.fnmatchcase(name.lower(), pattern)]
    return [_INFO[name] for name in sorted(names, key=_natural_key)]


def get_builder(name):
    """Returns the builder function registered under ``name``.

    Args:
        name: A registered model name, e.g. ``"vgg16"``.

    Returns:
        The builder function (read its docstring with ``help()``).

    Raises:
        ValueError: If no model of that name is registered; the message lists the
            closest names.

    Example:
        >>> help(get_builder("alexnet"))
    """
    if name in _BUILDERS:
        return _BUILDERS[name]
    close = difflib.get_close_matches(
        str(name).lower(), list(_BUILDERS), n=3, cutoff=0.5
    )
    hint = (
        "Did you mean " + ", ".join(repr(c) for c in close) + "? "
        if close
        else "No registered name is close to it. "
    )
    raise ValueError(
        f"Unknown model name. {hint}"
        "List all names with course_lib.models.available() (or a pattern such as "
        f"available('vgg*')). Received: name={name!r}"
    )


# Arguments for which None is a value, not "unset": keras.applications'
# classifier_activation=None means "return logits".
_NONE_IS_A_VALUE = frozenset({"classifier_activation"})


def build(model_name, /, **overrides):
    """Builds a registered model by name.

    Overrides that are ``None`` are dropped, so each builder's own defaults apply:
    ``build("vgg16", input_shape=None)`` is ``vgg16()``. This lets a lesson or a
    command line pass every option through without knowing each builder's defaults.
    The one exception is ``classifier_activation=None``, which keeps its
    keras.applications meaning: the model outputs logits.

    Args:
        model_name: A registered model name (see ``available()``). Positional, so
            that ``name=`` can set the model's own name.
        **overrides: Keyword arguments for the builder (``input_shape``,
            ``num_classes``, ``name``, the family's knobs).

    Returns:
        The ``keras.Model`` the builder returns.

    Raises:
        ValueError: For an unknown name (with the closest names), or from the
            builder's own validation.

    Example:
        >>> model = build("vgg16", input_shape=(32, 32, 3), num_classes=10)
    """
    builder = get_builder(model_name)
    kwargs = {
        key: value
        for key, value in overrides.items()
        if value is not None or key in _NONE_IS_A_VALUE
    }
    return builder(**kwargs)
