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
from .records import LIBRARIES, Activation, LibraryName, Record, call_text

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
        "actcli.activations.field",
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
#: Names that stand for a function with parameters fixed (``gelu_new``): the derived records.
_presets: dict[str, Record] = {}


def _library_aliases(record: Record) -> tuple[list[str], dict[str, Record]]:
    """The plain aliases and the parameter aliases that ``record``'s library names add."""
    own = {record.name, *record.aliases}
    plain: list[str] = []
    fixed: dict[str, Record] = {}
    seen: dict[str, dict[str, object]] = {}
    for entry in record.library_names:
        if not entry.alias:
            continue
        if entry.name in own and not entry.params:
            continue  # the record's own name or alias: nothing to add
        if entry.name in own:
            raise ValueError(
                f"{entry.library}'s {entry.name!r} means {entry.meaning(record.name)}, but "
                f"{entry.name!r} is already {record.name}'s own name: declare it with alias=False"
            )
        if entry.name in seen:  # the same name in several libraries
            if seen[entry.name] != dict(entry.params):
                raise ValueError(f"library name {entry.name!r} is declared with two meanings")
            continue
        seen[entry.name] = dict(entry.params)
        if entry.params:
            fixed[entry.name] = record.fixing(entry.name, entry.params)
        else:
            plain.append(entry.name)
    return plain, fixed


def _add(record: Record) -> None:
    plain, fixed = _library_aliases(record)
    for key in (record.name, *record.aliases, *plain, *fixed):
        if not ("a" <= key[:1] <= "z" and _NAME_CHARS.issuperset(key)):
            raise ValueError(f"function name {key!r} is not lower snake_case")
        if _known(key):
            raise ValueError(f"function name {key!r} is declared twice")
    _records[record.name] = record
    for alias in (*record.aliases, *plain):
        _aliases[alias] = record.name
    _presets.update(fixed)


def _load_family(module: str, kind: str) -> None:
    if module in _loaded:
        return
    mod = importlib.import_module(module)
    _loaded.add(module)
    for record in getattr(mod, _EXPORT[kind]):
        _add(record)
        _family[record.name] = module.rpartition(".")[2]
        for preset in _library_aliases(record)[1]:
            _family[preset] = _family[record.name]


def _families() -> Iterator[tuple[str, str]]:
    for kind, modules in FAMILIES.items():
        for module in modules:
            yield module, kind


def _known(key: str) -> bool:
    return key in _records or key in _aliases or key in _presets


def _squashed(key: str) -> str | None:
    """The name that ``key`` spells without its underscores (``LeakyReLU`` -> ``leaky_relu``,
    ``QuickGELU`` -> ``quick_gelu``), if exactly one name does; loads every family."""
    _load()
    bare = key.replace("_", "")
    found = {k for k in (*_records, *_aliases, *_presets) if k.replace("_", "") == bare}
    return found.pop() if len(found) == 1 else None


def _find(key: str) -> Record | None:
    """The record of a normalised key (canonical name, alias or parameter alias), or None."""
    record = _records.get(_aliases.get(key, key))
    return record if record is not None else _presets.get(key)


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
    plain, fixed = _library_aliases(record)
    for alias in (*record.aliases, *plain):
        del _aliases[alias]
    for preset in fixed:
        del _presets[preset]


def normalise(name: str) -> str:
    """The lookup key of ``name``: stripped, lower case, ``-`` for ``_``."""
    return name.strip().lower().replace("-", "_")


def lookup(name: str) -> Record:
    """The record for ``name`` (a canonical name, an alias or a library's name, any case, ``-``
    for ``_``, or spelled without underscores as in ``LeakyReLU``), whatever its kind. A name
    that stands for a function with parameters fixed (``gelu_new``) gives that function's
    record under the name, those parameters fixed (:meth:`Record.fixing`). Raises
    :class:`UnknownActivationError` naming the closest names."""
    record = _records.get(name)
    if record is not None:
        return record
    key = normalise(name)
    _load(key)
    if not _known(key):
        _load_plugins()
    if not _known(key):
        key = _squashed(key) or key
    record = _find(key)
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
    return _known(key) or _squashed(key) is not None


def unknown_name_message(name: str, kind: str = "activation") -> str:
    """``unknown activation 'x' (did you mean ...?)``, with the closest names."""
    _load()
    key = normalise(name)
    # Suggestions and the count come from the records of this kind only.
    pool = [k for k in [*_records, *_aliases, *_presets] if _kind_of(k) == kind]
    count = sum(r.kind_label == kind for r in _records.values())
    import difflib

    close = difflib.get_close_matches(key, pool, n=3, cutoff=0.6)
    # A parameter alias is its own function: it is suggested as itself, with what it stands for,
    # never replaced by the name of the function it fixes the parameters of.
    close = list(dict.fromkeys(_aliases.get(c, c) for c in close))
    listing = "'actcli list'" if kind == "activation" else f"'actcli list --kind {kind}'"
    foreign = [
        (e, r)
        for r in _records.values()
        if r.kind_label == kind
        for e in r.library_names
        if e.name == key
    ]
    if foreign:  # a library's name that actcli does not take: say what it is, and how it differs
        entry, record = foreign[0]
        note = f" ({entry.note})" if entry.note else ""
        return (
            f"unknown {kind} '{name}': {entry.library}'s '{entry.name}'{note} is not in actcli; "
            f"the nearest is {entry.meaning(record.name)}, a different function; see {listing}"
        )
    if close:
        hint = " or ".join(_suggestion(c) for c in close)
        return f"unknown {kind} '{name}' (did you mean {hint}?); see {listing}"
    return f"unknown {kind} '{name}'; see {listing} for the {count} names"


def _kind_of(key: str) -> str | None:
    record = _find(key)
    return None if record is None else record.kind_label


def _suggestion(key: str) -> str:
    preset = _presets.get(key)
    if preset is None or preset.alias_of is None:
        return f"'{key}'"
    base, params = preset.alias_of
    return f"'{key}' = {call_text(base, params)}"


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


def presets(kind: str | None = "activation") -> dict[str, Record]:
    """Every name that stands for a function with parameters fixed (``gelu_new``), with the
    record the catalog derives for it (see :meth:`Record.fixing`)."""
    _load()
    return {n: r for n, r in _presets.items() if kind is None or r.kind_label == kind}


def library_names(library: str | None = None) -> list[tuple[LibraryName, Activation]]:
    """The names other libraries give actcli's activations, with the record each maps to:
    the records' declared :class:`LibraryName` entries, plus the PyTorch and JAX names their
    ``doc.torch`` / ``doc.jax`` give (``torch.nn.functional.relu`` is torch's ``relu``) where
    no entry of that library and name is declared. ``library`` picks one of
    :data:`records.LIBRARIES`."""
    if library is not None and library not in LIBRARIES:
        raise ValueError(f"unknown library {library!r}; expected one of: {', '.join(LIBRARIES)}")
    found: list[tuple[LibraryName, Activation]] = []
    for act in activations():
        if act.source is not None:
            continue
        declared = {(e.library, e.name) for e in act.library_names}
        implied = [
            LibraryName(lib, path[len(prefix) :], alias=False)
            for lib, prefix, path in (
                ("torch", "torch.nn.functional.", act.doc.torch),
                ("jax", "jax.nn.", act.doc.jax),
            )
            if path is not None and path.startswith(prefix)
        ]
        for entry in (*implied, *act.library_names):
            if entry in implied and (entry.library, entry.name) in declared:
                continue
            if library is None or entry.library == library:
                found.append((entry, act))
    return found


def names_elsewhere(record: Record) -> list[tuple[LibraryName, Activation]]:
    """The library names ``actcli info`` shows for ``record``: those of its function (for a
    parameter alias, those with the same parameters), then those spelled like ``record``'s
    name that mean another function or other parameters (JAX's ``gelu`` is the tanh form)."""
    if not isinstance(record, Activation) or record.source is not None:
        return []
    base, fixed = record.alias_of or (record.name, {})
    entries = library_names()
    own = [(e, a) for e, a in entries if a.name == base and (not fixed or dict(e.params) == fixed)]
    same = [(e, a) for e, a in entries if e.name == record.name and (e, a) not in own]
    return own + same
