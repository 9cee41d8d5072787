"""The catalog: lookup, aliases, lazy loading of the families and run-time registration.

The only module that imports the family packages. Family modules build their records as plain
data and end with a tuple (``ACTIVATIONS = (...)``); they register nothing on import. The catalog
imports the families on demand, in a fixed order, stopping at the family that holds the name
asked for (``actcli eval relu6`` loads the piecewise family alone), so the order of
:func:`names` never depends on how far a lookup went. Records added at run time
(:func:`register`) come after the built-in ones and work in every command.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import TYPE_CHECKING

from .errors import PluginError, UnknownActivationError
from .records import Activation, Record

if TYPE_CHECKING:  # the loss record type loads with the first loss (start-up of eval)
    from .lossrecords import Loss

#: The family modules of each record kind, in the order ``actcli list`` shows them.
FAMILIES: dict[str, tuple[str, ...]] = {
    "activation": (
        "actcli.activations.piecewise",
        "actcli.activations.smooth",
        "actcli.activations.gated",
        "actcli.activations.gelu",
        "actcli.activations.axis",
        "actcli.activations.gated_split",
        "actcli.activations.sparse",
    ),
    "loss": (
        "actcli.losses.regression",
        "actcli.losses.classification",
        "actcli.losses.distribution",
        "actcli.losses.ranking",
    ),
}
#: The tuple a family module of each kind ends with.
_EXPORT = {"activation": "ACTIVATIONS", "loss": "LOSSES"}

#: What a name or alias may hold (lower snake_case, starting with a letter). Checked with set
#: operations, not a regular expression: compiling one costs every command's start-up.
_NAME_CHARS = frozenset("abcdefghijklmnopqrstuvwxyz0123456789_")
#: The entry-point group through which installed packages contribute records: each entry point
#: names a record, a sequence of records, or a function returning either. Loaded only when a name
#: is not found or when every record is listed, so start-up stays fast.
ENTRY_POINT_GROUP = "actcli.activations"

_plugins_loaded = False
_records: dict[str, Record] = {}
_aliases: dict[str, str] = {}
_loaded: set[str] = set()
_runtime: list[Record] = []
_family: dict[str, str] = {}


def _add(record: Record) -> None:
    for key in (record.name, *record.aliases):
        if not ("a" <= key[:1] <= "z" and _NAME_CHARS.issuperset(key)):
            raise ValueError(f"function name {key!r} is not lower snake_case")
        if key in _records or key in _aliases:
            raise ValueError(f"function name {key!r} is declared twice")
    _records[record.name] = record
    for alias in record.aliases:
        _aliases[alias] = record.name


def _load_family(module: str, kind: str) -> None:
    if module in _loaded:
        return
    mod = importlib.import_module(module)
    _loaded.add(module)
    for record in getattr(mod, _EXPORT[kind]):
        _add(record)
        _family[record.name] = module.rpartition(".")[2]


def _families() -> Iterator[tuple[str, str]]:
    for kind, modules in FAMILIES.items():
        for module in modules:
            yield module, kind


def _known(key: str) -> bool:
    return key in _records or key in _aliases


def _load(stop: str | None = None) -> None:
    """Import the families in order: all of them, or only until ``stop`` is known."""
    if stop is not None and _known(stop):
        return
    for module, kind in _families():
        _load_family(module, kind)
        if stop is not None and _known(stop):
            return


def _load_plugins() -> None:
    """Add the records of the installed packages' ``actcli.activations`` entry points (once)."""
    global _plugins_loaded
    if _plugins_loaded:
        return
    _plugins_loaded = True
    from importlib.metadata import entry_points  # only now: ~15 ms that eval relu never pays

    _load()
    for ep in entry_points(group=ENTRY_POINT_GROUP):
        where = f"the plugin '{ep.name}' ({ep.value}) of entry-point group {ENTRY_POINT_GROUP}"
        try:
            found = ep.load()
            if callable(found) and not isinstance(found, Record):
                found = found()
        except Exception as e:  # any failure of foreign code: one line naming the plugin
            raise PluginError(f"{where} failed to load: {type(e).__name__}: {e}") from None
        plugged = (found,) if isinstance(found, Record) else found
        if not isinstance(plugged, (list, tuple)) or not all(
            isinstance(r, Record) for r in plugged
        ):
            raise PluginError(f"{where} gave {type(found).__name__}, not actcli records")
        for record in plugged:
            if record.source is None:
                import dataclasses  # on this path only: dataclasses costs start-up time

                record = dataclasses.replace(record, source=f"plugin {ep.value}")
            try:
                _add(record)
            except ValueError as e:
                raise PluginError(f"{where}: {e}") from None
            _runtime.append(record)


def register(record: Record) -> Record:
    """Add ``record`` at run time; it then works in every command like a built-in.

    Raises ValueError if its name or an alias is not snake_case or is taken (built-in names
    included: every family is loaded first, so run-time records always come after them).
    """
    _load()
    _add(record)
    _runtime.append(record)
    return record


def unregister(name: str) -> None:
    """Remove a record added with :func:`register` (built-in records cannot be removed)."""
    record = _records.get(name)
    if record is None or record not in _runtime:
        raise ValueError(f"{name!r} was not registered at run time")
    _runtime.remove(record)
    del _records[name]
    for alias in record.aliases:
        del _aliases[alias]


def normalise(name: str) -> str:
    """The lookup key of ``name``: stripped, lower case, ``-`` for ``_``."""
    return name.strip().lower().replace("-", "_")


def lookup(name: str) -> Record:
    """The record for ``name`` (a canonical name or an alias, any case, ``-`` for ``_``),
    whatever its kind. Raises :class:`UnknownActivationError` naming the closest names."""
    record = _records.get(name)
    if record is not None:
        return record
    key = normalise(name)
    _load(key)
    if not _known(key):
        _load_plugins()
    record = _records.get(_aliases.get(key, key))
    if record is None:
        raise UnknownActivationError(unknown_name_message(name))
    return record


def get(name: str) -> Activation:
    """The activation record for ``name``; another kind of record is refused by name."""
    record = lookup(name)
    if not isinstance(record, Activation):
        raise UnknownActivationError(
            f"'{name}' is {_a(record.kind_label)}, not an activation; see 'actcli loss --help'"
        )
    return record


def get_loss(name: str | Loss) -> Loss:
    """The loss record for ``name`` (a record is passed through); another kind of record is
    refused by name."""
    from .lossrecords import Loss

    if isinstance(name, Loss):
        return name
    try:
        record = lookup(name)
    except UnknownActivationError:
        raise UnknownActivationError(unknown_name_message(name, "loss")) from None
    if not isinstance(record, Loss):
        raise UnknownActivationError(
            f"'{name}' is {_a(record.kind_label)}, not a loss; see 'actcli list --kind loss'"
        )
    return record


def _a(word: str) -> str:
    return ("an " if word[:1] in "aeiou" else "a ") + word


def is_known(name: str) -> bool:
    """True if ``name`` is a canonical name or alias of any kind (loads families as needed)."""
    key = normalise(name)
    _load(key)
    if not _known(key):
        _load_plugins()
    return _known(key)


def unknown_name_message(name: str, kind: str = "activation") -> str:
    """``unknown activation 'x' (did you mean ...?)``, with the closest names."""
    _load()
    key = normalise(name)
    # Suggestions and the count come from the records of this kind only.
    pool = [k for k in [*_records, *_aliases] if _records[_aliases.get(k, k)].kind_label == kind]
    count = sum(r.kind_label == kind for r in _records.values())
    import difflib

    close = difflib.get_close_matches(key, pool, n=3, cutoff=0.6)
    close = list(dict.fromkeys(_aliases.get(c, c) for c in close))
    listing = "'actcli list'" if kind == "activation" else f"'actcli list --kind {kind}'"
    if close:
        hint = " or ".join(f"'{c}'" for c in close)
        return f"unknown {kind} '{name}' (did you mean {hint}?); see {listing}"
    return f"unknown {kind} '{name}'; see {listing} for the {count} names"


def records(kind: str | None = None) -> list[Record]:
    """Every record (of ``kind``: ``"activation"``, ...), built-ins first in declaration order
    (then plugins' and run-time records)."""
    _load()
    _load_plugins()
    return [r for r in _records.values() if kind is None or r.kind_label == kind]


def family_of(name: str) -> str | None:
    """The family module a built-in record is declared in (``"piecewise"``), None for a record
    registered at run time."""
    return _family.get(lookup(name).name)


def kinds() -> tuple[str, ...]:
    """The record kinds, in the order ``actcli list`` shows them."""
    return tuple(FAMILIES)


def activations() -> list[Activation]:
    """Every activation record, in declaration order."""
    return [r for r in records("activation") if isinstance(r, Activation)]


def losses() -> list[Loss]:
    """Every loss record, in declaration order."""
    from .lossrecords import Loss

    return [r for r in records("loss") if isinstance(r, Loss)]


def names(kind: str | None = "activation") -> list[str]:
    """Every canonical name (of ``kind``), in declaration order."""
    return [r.name for r in records(kind)]


def aliases(kind: str | None = "activation") -> dict[str, str]:
    """Every alias (of ``kind``) and the canonical name it stands for."""
    _load()
    return {a: n for a, n in _aliases.items() if kind is None or _records[n].kind_label == kind}
