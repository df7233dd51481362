"""A registry of model builders: register by decorator, list by pattern, build by name.

Builders register themselves when their family module is imported, which
``course_lib.models`` does for every family; so ``available()`` and ``build()`` see
all of them after ``import course_lib.models``.
"""

import dataclasses
import fnmatch
import functools
import inspect
import re
from collections.abc import Callable

from course_lib._util import check_bool, closest_names, did_you_mean

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

    The builder must take keyword-only arguments and spell every one out (no
    ``**kwargs``), so that ``help()`` and ``inspect.signature()`` show them all. The
    decorator returns a wrapper with the builder's name, docstring and signature
    (``functools.wraps``) that checks the call before the builder runs:

    - positional arguments raise ``TypeError``;
    - a keyword the builder does not take raises ``ValueError`` naming the builder
      and the closest argument (``vgg16(num_class=10)``: did you mean
      ``'num_classes'``?), where Python would name a private helper or nothing;
    - an argument whose default is ``True`` or ``False`` (``include_top``,
      ``batch_norm``, ...) must be a bool: the string ``"False"`` is true.

    Args:
        input_shape: The builder's default ``input_shape``.
        min_input_size: Smallest height and width the builder accepts with its
            default knobs.

    Returns:
        A decorator that registers the builder and returns the checking wrapper.

    Raises:
        ValueError: If a builder of the same name is already registered.
        TypeError: If the builder takes positional arguments or ``**kwargs``.

    Example:
        >>> @register_model(input_shape=(32, 32, 3), min_input_size=8)
        ... def tiny_net(*, input_shape=(32, 32, 3), num_classes=10, name=None): ...
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
        parameters = _keyword_parameters(builder)
        flags = [key for key, p in parameters.items() if isinstance(p.default, bool)]

        @functools.wraps(builder)
        def checked_builder(*args, **kwargs):
            if args:
                raise TypeError(
                    f"{name}() takes keyword arguments only, e.g. "
                    f"{name}(input_shape=..., num_classes=...); see help({name}). "
                    f"Received: {len(args)} positional argument(s) {args!r}"
                )
            for key, value in kwargs.items():
                if key not in parameters:
                    raise ValueError(
                        f"{name}() has no argument `{key}`"
                        f"{did_you_mean(key, parameters)}. Its arguments are "
                        f"{', '.join(parameters)}; see help({name}). "
                        f"Received: {key}={value!r}"
                    )
                if key in flags:
                    check_bool(key, value)
            return builder(**kwargs)

        doc = (builder.__doc__ or "").strip()
        _BUILDERS[name] = checked_builder
        _INFO[name] = ModelInfo(
            name=name,
            description=doc.splitlines()[0].strip() if doc else "",
            input_shape=tuple(input_shape),
            min_input_size=int(min_input_size),
        )
        return checked_builder

    return decorator


def _keyword_parameters(builder):
    """The builder's parameters; raises TypeError unless all are keyword-only."""
    signature = inspect.signature(builder)
    wrong = [
        str(p) for p in signature.parameters.values() if p.kind is not p.KEYWORD_ONLY
    ]
    if wrong:
        raise TypeError(
            "A registered builder takes keyword-only arguments and names each one "
            "(no **kwargs), so that help() and inspect.signature() show them all: "
            f"write `def {builder.__name__}(*, input_shape=..., num_classes=..., "
            f"name=None)`. Received: {builder.__name__}{signature}"
        )
    return dict(signature.parameters)


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
    close = closest_names(str(name).lower(), _BUILDERS)
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
        ValueError: For an unknown name (with the closest names), an argument the
            builder does not take (with the closest one), or from the builder's
            own validation.

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
