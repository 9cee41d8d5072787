"""``@frozen``: an immutable dataclass that is cheap to create at import time.

``@dataclass(frozen=True)`` generates (``exec``) an ``__init__``, ``__repr__``, ``__eq__``,
``__hash__``, ``__setattr__`` and ``__delattr__`` for every class: about 5 million
instructions a class on CPython 3.11, and every command creates the record types, the option
types and the output target type at start-up (``actcli eval relu6`` paid ~1.3 % of an
``import numpy`` per class). ``@frozen`` generates ``__init__`` alone (and ``__eq__`` where
asked) and shares one ``__setattr__``/``__delattr__`` among all classes, which refuse to change
a field once it is set: the same immutability as ``frozen=True``
(:class:`dataclasses.FrozenInstanceError`), at a third of the cost. The classes stay real
dataclasses (``dataclasses.fields``, ``replace`` and ``field(...)`` work); they compare by
identity unless ``eq=True``. A subclass of such a class is declared with ``@frozen`` too
(``dataclass(frozen=True)`` refuses a base it does not know to be frozen).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import FrozenInstanceError, dataclass
from typing import TYPE_CHECKING, Any, TypeVar, overload

if TYPE_CHECKING:
    from typing_extensions import dataclass_transform
else:  # only type checkers read it (typing has it from Python 3.11 on)

    def dataclass_transform(**_: object) -> Callable[[Any], Any]:
        return lambda f: f


T = TypeVar("T")


def _set_once(self: object, name: str, value: object) -> None:
    # The generated __init__ sets each field once; after that a field is read-only.
    if name in self.__dict__ or name not in self.__dataclass_fields__:  # type: ignore[attr-defined]
        raise FrozenInstanceError(f"cannot assign to field {name!r}")
    object.__setattr__(self, name, value)


def _no_delete(self: object, name: str) -> None:
    raise FrozenInstanceError(f"cannot delete field {name!r}")


@overload
def frozen(cls: type[T], /) -> type[T]: ...
@overload
def frozen(*, eq: bool = False) -> Callable[[type[T]], type[T]]: ...


@dataclass_transform(frozen_default=True, eq_default=False)
def frozen(cls: type[T] | None = None, /, *, eq: bool = False) -> Any:
    """Make ``cls`` an immutable dataclass (``@frozen`` or ``@frozen(eq=True)``)."""

    def make(cls: type[T]) -> type[T]:
        made = dataclass(eq=eq, repr=False)(cls)
        if eq:  # immutable and equal by value: hashable by value too, as frozen=True makes it
            fields = tuple(made.__dataclass_fields__)  # type: ignore[attr-defined]
            made.__hash__ = lambda self: hash(tuple(getattr(self, f) for f in fields))  # type: ignore[method-assign]
        made.__setattr__ = _set_once  # type: ignore[method-assign]
        made.__delattr__ = _no_delete  # type: ignore[method-assign]
        return made

    return make if cls is None else make(cls)
