"""``@frozen``: an immutable record class that is cheap to create at import time.

``@dataclass(frozen=True)`` generates (``exec``) an ``__init__``, ``__repr__``, ``__eq__``,
``__hash__``, ``__setattr__`` and ``__delattr__`` for every class: about 5 million
instructions a class on CPython 3.11, and every command creates the record types, the option
types and the output target type at start-up; importing :mod:`dataclasses` itself costs as
much again (~1.3 % of an ``import numpy``). ``@frozen`` needs neither: one shared ``__init__``
reads the class's field list (declared by annotations, in base-class order, as a dataclass's),
and one shared ``__setattr__``/``__delattr__`` refuse every change after ``__init__``
(:class:`dataclasses.FrozenInstanceError`, as ``frozen=True`` raises). ``__post_init__`` runs
after ``__init__`` as in a dataclass. ``eq=True`` adds ``__eq__`` and ``__hash__`` by value;
otherwise instances compare by identity.

The dataclass API still works: ``__dataclass_fields__`` is built by :mod:`dataclasses` on first
use, so ``dataclasses.fields``, ``replace``, ``asdict`` and ``is_dataclass`` see a dataclass.
:func:`field` declares a field with ``init=False`` or a default (the only options in use).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar, overload

if TYPE_CHECKING:
    from typing_extensions import dataclass_transform
else:  # only type checkers read it (typing has it from Python 3.11 on)

    def dataclass_transform(**_: object) -> Callable[[Any], Any]:
        return lambda f: f


T = TypeVar("T")

_MISSING: Any = type("MISSING", (), {"__repr__": lambda self: "MISSING"})()


class _Field:
    """What :func:`field` declares: a default and whether ``__init__`` takes the field."""

    __slots__ = ("compare", "default", "factory", "init", "repr")

    def __init__(
        self, default: Any, init: bool, repr: bool, compare: bool, factory: Any = _MISSING
    ) -> None:
        self.default = default
        self.factory = factory
        self.init = init
        self.repr = repr
        self.compare = compare


def field(
    *,
    default: Any = _MISSING,
    default_factory: Callable[[], Any] = _MISSING,
    init: bool = True,
    repr: bool = True,
    compare: bool = True,
) -> Any:
    """A field with a default (or a factory called for each instance), or one that
    ``__init__`` leaves to ``__post_init__`` (``init=False``), or one left out of ``==``
    (``compare=False``), as dataclasses' field."""
    return _Field(default, init, repr, compare, default_factory)


def _frozen_error(message: str) -> Exception:
    from dataclasses import FrozenInstanceError  # on the error path only

    return FrozenInstanceError(message)


def _set(self: object, name: str, value: object) -> None:
    raise _frozen_error(f"cannot assign to field {name!r}")


def _no_delete(self: object, name: str) -> None:
    raise _frozen_error(f"cannot delete field {name!r}")


def _init(self: Any, *args: Any, **kwargs: Any) -> None:
    cls = type(self)
    names: tuple[str, ...] = cls.__frozen_init__
    if len(args) > len(names):
        n = len(names)
        raise TypeError(f"{cls.__name__}() takes {n} positional arguments, {len(args)} given")
    values = dict(zip(names, args, strict=False))
    for key, value in kwargs.items():
        if key in values or key not in cls.__frozen_defaults__:
            what = "multiple values for" if key in values else "an unexpected keyword"
            raise TypeError(f"{cls.__name__}() got {what} argument {key!r}")
        values[key] = value
    defaults: dict[str, Any] = cls.__frozen_defaults__
    factories: dict[str, Callable[[], Any]] = cls.__frozen_factories__
    for name in names:
        value = values.get(name, defaults[name])
        if value is _MISSING and name in factories:
            value = factories[name]()
        if value is _MISSING:
            raise TypeError(f"{cls.__name__}() missing required argument {name!r}")
        object.__setattr__(self, name, value)
    post = getattr(self, "__post_init__", None)
    if post is not None:
        post()


def _eq(self: Any, other: object) -> bool:
    compared: tuple[str, ...] = self.__frozen_compared__
    if type(other) is not type(self):
        return NotImplemented
    return all(getattr(self, n) == getattr(other, n) for n in compared)


def _hash(self: Any) -> int:
    return hash(tuple(getattr(self, n) for n in self.__frozen_compared__))


class _DataclassFields:
    """``__dataclass_fields__``, made by :mod:`dataclasses` the first time it is asked for."""

    def __get__(self, obj: object, cls: type) -> dict[str, Any]:
        import dataclasses

        spec: dict[str, tuple[Any, _Field]] = cls.__frozen_spec__  # type: ignore[attr-defined]
        namespace: dict[str, Any] = {"__annotations__": {}, "__module__": cls.__module__}
        for name, (annotation, f) in spec.items():
            namespace["__annotations__"][name] = annotation
            options: dict[str, Any] = {"init": f.init, "repr": f.repr, "compare": f.compare}
            if f.default is not _MISSING:
                options["default"] = f.default
            if f.factory is not _MISSING:
                options["default_factory"] = f.factory
            namespace[name] = dataclasses.field(**options)
        shadow = type(cls.__name__, (), namespace)
        made: type = dataclasses.dataclass(init=False, repr=False, eq=False)(shadow)
        fields: dict[str, Any] = getattr(made, "__dataclass_fields__")  # noqa: B009
        type.__setattr__(cls, "__dataclass_fields__", fields)
        return fields


def _is_classvar(annotation: Any) -> bool:
    text = annotation if isinstance(annotation, str) else repr(annotation)
    return text.startswith(("ClassVar", "typing.ClassVar"))


@overload
def frozen(cls: type[T], /) -> type[T]: ...
@overload
def frozen(*, eq: bool = False) -> Callable[[type[T]], type[T]]: ...


@dataclass_transform(frozen_default=True, eq_default=False, field_specifiers=(field,))
def frozen(cls: type[T] | None = None, /, *, eq: bool = False) -> Any:
    """Make ``cls`` an immutable record class (``@frozen`` or ``@frozen(eq=True)``)."""

    def make(cls: type[T]) -> type[T]:
        # The fields: the nearest @frozen base's, then this class's annotations in order (a
        # redeclared field keeps its place, as in a dataclass).
        spec: dict[str, tuple[Any, _Field]] = dict(getattr(cls, "__frozen_spec__", {}))
        for name, annotation in cls.__dict__.get("__annotations__", {}).items():  # noqa: RUF063
            if _is_classvar(annotation):
                continue
            f = cls.__dict__.get(name, _MISSING)
            if isinstance(f, _Field):
                if f.default is _MISSING:
                    delattr(cls, name)
                else:
                    setattr(cls, name, f.default)
            else:
                f = _Field(f, True, True, True)
            spec[name] = (annotation, f)
        names = tuple(n for n, (_, f) in spec.items() if f.init)
        attributes: dict[str, Any] = {
            "__frozen_spec__": spec,
            "__frozen_compared__": tuple(n for n, (_, f) in spec.items() if f.compare),
            "__frozen_init__": names,
            "__frozen_defaults__": {n: spec[n][1].default for n in names},
            "__frozen_factories__": {
                n: f.factory for n, (_, f) in spec.items() if f.factory is not _MISSING
            },
            "__dataclass_fields__": _DataclassFields(),
            "__init__": _init,
            "__setattr__": _set,
            "__delattr__": _no_delete,
        }
        if eq:  # immutable and equal by value: hashable by value too, as frozen=True makes it
            attributes.update(__eq__=_eq, __hash__=_hash)
        for key, value in attributes.items():
            setattr(cls, key, value)
        return cls

    return make if cls is None else make(cls)
