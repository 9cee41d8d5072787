"""Rich renderables (and the plain data behind ``--json``) for results and activations.

Nothing here prints: every function returns a renderable or a dict, and ``cli`` owns the
``Console``. Tables show numbers to 8 significant digits for reading; the exact values are what
``--format csv`` / ``json`` / ``npy`` and ``-o`` write.
"""

from __future__ import annotations

import importlib
import importlib.util
import io
import math
from collections.abc import Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from rich import box
from rich.columns import Columns
from rich.console import Group, RenderableType
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from .engine import evaluate, gradient
from .lossrecords import Loss
from .records import LIBRARIES, PROPERTIES, Activation, LibraryName, Param, call_text

AnyArray = npt.NDArray[Any]

#: Arrays with more rows than this are shown as their first and last HEAD_ROWS rows.
MAX_ROWS = 20
HEAD_ROWS = 5
#: Matrices with more columns than this show their first and last HEAD_COLS columns.
MAX_COLS = 8
HEAD_COLS = 3
#: The points of ``info``'s worked example.
EXAMPLE_X = (-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0)
EXAMPLE_X_AXIS = (-1.0, 0.0, 1.0, 2.0)

_TORCH_F = "torch.nn.functional."


def format_number(v: Any) -> str:
    """A number for reading: float32/float16 scalars in their shortest exact digits, others to
    8 significant digits; ``nan``, ``inf``, ``-inf``."""
    f = float(v)
    if math.isnan(f):
        return "nan"
    if math.isinf(f):
        return "inf" if f > 0 else "-inf"
    if isinstance(v, (np.float32, np.float16)):
        text = str(v)
        return text[:-2] if text.endswith(".0") else text
    return f"{f:.8g}"


def _short(v: Any) -> str:
    return format_number(v) if not math.isfinite(float(v)) else f"{float(v):.6g}"


def summary(arr: AnyArray) -> str:
    """``shape (13,) · float32 · min … · max … · mean … · std …`` (NaNs counted, not averaged;
    std is the population standard deviation, computed in float64 on values scaled by the
    largest magnitude so that squares of huge values do not overflow)."""
    a = np.asarray(arr)
    parts = [f"shape {a.shape}", str(a.dtype)]
    flat = a.ravel()
    nan = np.isnan(flat) if a.dtype.kind == "f" else np.zeros(flat.shape, dtype=bool)
    n_nan = int(nan.sum())
    finite_or_inf = flat[~nan] if n_nan else flat
    if finite_or_inf.size:
        with np.errstate(all="ignore"):
            lo, hi = finite_or_inf.min(), finite_or_inf.max()
            mean = _mean(finite_or_inf)
            std = _std(finite_or_inf)
        parts += [f"min {_short(lo)}", f"max {_short(hi)}", f"mean {_short(mean)}"]
        parts.append(f"std {_short(std)}")
    if n_nan:
        parts.append(f"{n_nan} NaN")
    return " · ".join(parts)


def _mean(a: AnyArray) -> float:
    """The mean in float64, summed on values scaled by the largest magnitude so that a sum of
    huge values does not overflow (mean of [1e308, 1e308] is 1e308, not inf)."""
    v = a.astype(np.float64)
    scale = float(np.max(np.abs(v)))
    if not math.isfinite(scale) or scale == 0:
        return float(np.mean(v))
    return scale * float(np.mean(v / scale))


def _std(a: AnyArray) -> float:
    """Population standard deviation in float64; NaN if an infinity is present."""
    v = a.astype(np.float64)
    scale = float(np.max(np.abs(v)))
    if not math.isfinite(scale):
        return math.nan
    if scale == 0:
        return 0.0
    return scale * float(np.std(v / scale))


def _row_indices(n: int) -> list[int | None]:
    """Rows to show: all, or the head, ``None`` (an ellipsis row), then the tail."""
    if n <= MAX_ROWS:
        return list(range(n))
    return [*range(HEAD_ROWS), None, *range(n - HEAD_ROWS, n)]


def _col_indices(n: int) -> list[int | None]:
    if n <= MAX_COLS:
        return list(range(n))
    return [*range(HEAD_COLS), None, *range(n - HEAD_COLS, n)]


def _as_matrix(a: AnyArray) -> AnyArray:
    if a.ndim == 0:
        return a.reshape(1, 1)
    if a.ndim == 1:
        return a.reshape(-1, 1)
    return a.reshape(math.prod(a.shape[:-1]), a.shape[-1])  # not -1: shape (3, 0) is empty


def _new_table(title: str | None = None) -> Table:
    return Table(
        title=title, box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False, title_justify="left"
    )


def _plain(text: str) -> str:
    """Input-derived text for a table cell: control characters escaped, Rich markup quoted."""
    from rich.markup import escape

    return escape("".join(c if c.isprintable() else repr(c)[1:-1] for c in text))


def array_table(a: AnyArray, title: str, columns: Sequence[str] | None = None) -> Table:
    """One array as a table: a column for 0-D/1-D data, rows x columns for 2-D (and more:
    the leading axes are flattened into rows), with head/tail rows and columns when big.
    ``columns`` names a 2-D array's columns (default: their indices)."""
    m = _as_matrix(np.asarray(a))
    table = _new_table(title)
    table.add_column("", style="dim", justify="right")
    cols = _col_indices(m.shape[1])
    names = list(columns) if columns is not None and len(columns) == m.shape[1] else None
    for c in cols:
        index = "…" if c is None else _plain(names[c]) if names else str(c)
        header = title if a.ndim <= 1 else index
        table.add_column(header, justify="right")
    for r in _row_indices(m.shape[0]):
        if r is None:
            table.add_row("⋮", *("⋮" for _ in cols))
            continue
        cells = ["…" if c is None else format_number(m[r, c]) for c in cols]
        table.add_row(str(r), *cells)
    if a.ndim <= 1:
        table.title = None
    return table


def result_view(
    x: AnyArray,
    y: AnyArray,
    *,
    y_label: str,
    x_label: str = "x",
    columns: Sequence[str] | None = None,
) -> RenderableType:
    """The input and the result side by side, with a summary line of the result.

    1-D data of the same shape share one table (x and f(x) columns); otherwise each array gets
    its own table and the two are laid out side by side when the terminal is wide enough.
    ``columns`` (the input's header) names the columns, or the one column of 1-D data.
    """
    x, y = np.asarray(x), np.asarray(y)
    parts: list[RenderableType] = []
    if columns is not None and len(columns) == 1 and x.ndim <= 1:
        x_label = _plain(columns[0])
    if x.shape == y.shape and x.ndim <= 1:
        xs, ys = x.reshape(-1), y.reshape(-1)
        table = _new_table()
        table.add_column("", style="dim", justify="right")
        table.add_column(x_label, justify="right")
        table.add_column(y_label, justify="right", style="bold")
        for r in _row_indices(xs.size):
            if r is None:
                table.add_row("⋮", "⋮", "⋮")
            else:
                table.add_row(str(r), format_number(xs[r]), format_number(ys[r]))
        parts.append(table)
    else:
        tables = [array_table(x, x_label, columns), array_table(y, y_label, columns)]
        parts.append(Columns(tables, padding=(0, 4)))
        if y.ndim > 2:
            parts.append(Text(f"(the leading {y.ndim - 1} axes are shown as rows)", style="dim"))
    if max(x.shape[:1] or (1,)) > MAX_ROWS or (x.ndim > 1 and x.shape[-1] > MAX_COLS):
        parts.append(Text("(big array: first and last rows/columns shown)", style="dim"))
    parts.append(Text(f"{y_label}: {summary(y)}", style="dim"))
    return Group(*parts)


# --------------------------------------------------------------------------------------------
# Activations: list and info


def short_torch(act: Activation) -> str:
    """``F.relu`` for ``torch.nn.functional.relu``; ``—`` when PyTorch has none."""
    if act.doc.torch is None:
        return "—"
    return (
        "F." + act.doc.torch[len(_TORCH_F) :]
        if act.doc.torch.startswith(_TORCH_F)
        else act.doc.torch
    )


def value_label(act: Activation, derivative: bool = False) -> str:
    """``relu(x)`` / ``relu'(x)``; for a formula typed as NAME, the formula / ``d/dx`` of it."""
    if act.name.isidentifier():
        return f"{act.name}'(x)" if derivative else f"{act.name}(x)"
    return f"d/dx {act.name}" if derivative else act.name


def format_default(p: Param) -> str:
    """A parameter's default as typed on the command line (``required`` if it has none)."""
    if p.required:
        return "required"
    v = p.default
    if v is None:
        return "none"
    if isinstance(v, bool):
        return str(v).lower()
    if isinstance(v, float):
        return format_number(v)
    return str(v)


def _json_default(p: Param) -> Any:
    v = p.default
    if p.required or v is None or isinstance(v, (bool, int, str)):
        return None if p.required else v
    f = float(v)
    return f if math.isfinite(f) else str(f)


def describe(act: Activation) -> dict[str, Any]:
    """Everything ``list --json`` and ``info --json`` report about ``act``, as plain data."""
    return {
        "name": act.name,
        "aliases": list(act.aliases),
        "kind": act.kind,
        "description": act.doc.description,
        "formula": act.doc.formula,
        "derivative": act.doc.derivative,
        "second_derivative": act.doc.second_derivative,
        "parameters": [
            {
                "name": p.name,
                "default": _json_default(p),
                "required": p.required,
                "type": p.kind.__name__,
                "range": p.describe_range(),
                "help": p.help,
            }
            for p in act.params
        ],
        "output_range": act.doc.output_range,
        "properties": sorted(act.doc.properties),
        "torch": act.doc.torch,
        "jax": act.doc.jax,
        "reference": act.doc.reference,
        **({"alias_of": call_text(*act.alias_of)} if act.alias_of else {}),
        # user-defined records only: built-ins' output is unchanged
        **({"source": act.source} if act.source is not None else {}),
    }


def _short_jax(act: Activation) -> str:
    jax = act.doc.jax
    return "—" if jax is None else jax.removeprefix("jax.nn.")


def markdown_table(acts: Iterable[Activation]) -> str:
    """The README's activation table (Markdown), generated from the records by
    ``python scripts/make_docs.py``; a test fails when the README's copy is stale."""
    lines = [
        "| name | parameters (defaults) | output range | PyTorch | JAX | what it is |",
        "|---|---|---|---|---|---|",
    ]
    for act in acts:
        params = ", ".join(
            f"`{p.name}`" if p.required else f"`{p.name}`={format_default(p)}" for p in act.params
        )
        torch = short_torch(act).removeprefix("F.")
        cells = [
            f"`{act.name}`",
            params or "—",
            act.doc.output_range,
            "—" if torch == "—" else f"`{torch}`",
            "—" if act.doc.jax is None else f"`{_short_jax(act)}`",
            act.doc.description.replace("|", "\\|"),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines) + "\n"


#: One letter per property in ``actcli list`` (the legend under the table spells them out).
_PROPERTY_LETTERS = {
    "monotonic": "M",
    "bounded": "B",
    "smooth": "S",
    "zero_centred": "Z",
    "self_gated": "G",
}

#: Below this width ``actcli list`` folds the PyTorch column into the name column.
LIST_FOLD_WIDTH = 100


def activations_table(acts: Iterable[Activation], width: int | None = None) -> RenderableType:
    """``actcli list``: one row per activation, laid out for ``width`` columns (default: wide).

    Aliases go under their name (``= hard_tanh``), the properties are letters with a legend,
    and the output range wraps at spaces. Below :data:`LIST_FOLD_WIDTH` columns the PyTorch
    name and the properties go under the name too, with a note saying so: nothing is cut.
    """
    acts = list(acts)
    fold = width is not None and width < LIST_FOLD_WIDTH
    longest_word = max((len(w) for a in acts for w in a.doc.output_range.split()), default=1)
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    table.add_column("name", style="bold", no_wrap=True)
    table.add_column("parameters", no_wrap=True)
    table.add_column("output range", overflow="fold", ratio=1, min_width=longest_word)
    if not fold:
        table.add_column("props", no_wrap=True)
        table.add_column("PyTorch", no_wrap=True)
    for act in acts:
        params = "\n".join(f"{p.name}={format_default(p)}" for p in act.params)
        props = "".join(v for k, v in _PROPERTY_LETTERS.items() if k in act.doc.properties)
        # Record text is shown as it is, never read as Rich markup ("[min_val, max_val]").
        name = Text(act.name)
        for alias in act.aliases:
            name.append(f"\n= {alias}", style="not bold")
        if fold:
            name.append(f"\n{short_torch(act)} {props or '-'}", style="dim not bold")
        if act.source is not None:  # user-defined: say where it comes from
            name.append(f"\nuser-defined, {act.source}", style="dim not bold")
        cells = [params, act.doc.output_range]
        if not fold:
            cells += [props or "-", short_torch(act)]
        table.add_row(name, *(Text(c) for c in cells))
    legend = " · ".join(f"{v} {k.replace('_', '-')}" for k, v in _PROPERTY_LETTERS.items())
    notes = [f"props: {legend}; = an alias"]
    if fold:
        notes.append("(narrow terminal: the PyTorch name and props are under each name)")
    return Group(table, *(Text(n, style="dim") for n in notes))


def worked_example(act: Activation, params: Mapping[str, Any]) -> dict[str, list[float]] | None:
    """x, f(x) and the gradient at a few points and at the kinks, computed by
    :func:`actcli.evaluate` and :func:`actcli.gradient` (``None`` if a required parameter is
    missing from ``params``).

    Axis functions use one 1-D vector (their gradient is the VJP of ``sum(f(x))``).
    """
    if any(p.required and p.name not in params for p in act.params):
        return None
    if act.kind == "axis":
        x = np.array(EXAMPLE_X_AXIS)
    else:  # the usual points plus the kinks, where the derivative follows a convention
        kinks = [k for k in act.kink_points(act.bind(params)) if math.isfinite(k)]
        x = np.unique(np.array([*EXAMPLE_X, *kinks]))
    return {
        "x": x.tolist(),
        "f": np.atleast_1d(evaluate(act.name, x, **params)).tolist(),  # logsumexp: one value
        "grad": gradient(act.name, x, **params).tolist(),
    }


def _example_table(act: Activation, example: Mapping[str, Sequence[float]]) -> Table:
    grad_label = value_label(act, derivative=True) if act.kind == "elementwise" else "grad of Σf"
    table = _new_table("Worked example")
    table.add_column("x", justify="right")
    table.add_column(value_label(act), justify="right", style="bold")
    table.add_column(grad_label, justify="right")
    xs, fs, gs = example["x"], example["f"], example["grad"]
    for i, x in enumerate(xs):
        f = format_number(fs[i]) if i < len(fs) else ""
        table.add_row(format_number(x), f, format_number(gs[i]))
    return table


def _params_table(act: Activation | Loss) -> Table:
    table = _new_table("Parameters")
    table.add_column("name", style="bold")
    table.add_column("default", justify="right")
    table.add_column("valid values")
    table.add_column("meaning")
    for p in act.params:
        table.add_row(*(Text(c) for c in (p.name, format_default(p), p.describe_range(), p.help)))
    return table


def _leaves(value: Any, prefix: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(value, Mapping):
        for k, v in value.items():
            yield from _leaves(v, f"{prefix} {k}".strip())
    else:
        yield prefix, value


def _format_cell(v: Any) -> str:
    if isinstance(v, (float, np.floating)):
        return format_number(v)
    return str(v)


def _accuracy_view(measured: Any) -> RenderableType:
    """Nested mappings as a table: first-level mappings are rows (e.g. one per dtype), their
    leaves are columns; first-level plain values go in a caption."""
    if not isinstance(measured, Mapping):
        if hasattr(measured, "__rich_console__") or hasattr(measured, "__rich__"):
            return Group(Text("Measured accuracy", style="italic"), measured)
        return Text(f"Measured accuracy: {measured}")
    rows = {str(k): dict(_leaves(v)) for k, v in measured.items() if isinstance(v, Mapping)}
    notes = [f"{k}: {_format_cell(v)}" for k, v in measured.items() if not isinstance(v, Mapping)]
    table = _new_table("Measured accuracy (error in ulps)")
    table.caption = " · ".join(notes) or None
    columns = list(dict.fromkeys(c for leaves in rows.values() for c in leaves))
    table.add_column("")
    for c in columns:
        table.add_column(c, justify="right")
    for label, leaves in rows.items():
        table.add_row(label, *(_format_cell(leaves[c]) if c in leaves else "" for c in columns))
    return table


def describe_library_name(entry: LibraryName, act: Activation) -> dict[str, Any]:
    """One library name as plain data (``list --source --json``, ``info --json``)."""
    return {
        "library": entry.library,
        "name": entry.name,
        "actcli": entry.meaning(act.name),
        # the name means the same in actcli (False: actcli's name of that spelling differs)
        "same_in_actcli": entry.alias,
        "note": entry.note,
        "max_abs_difference": entry.max_abs,
        "max_rel_difference": entry.max_rel,
    }


def _library_note(entry: LibraryName) -> str:
    parts = [p for p in (entry.note, entry.difference()) if p]
    return "; ".join(parts)


def library_table(entries: Sequence[tuple[LibraryName, Activation]], library: str) -> Table:
    """``actcli list --source LIBRARY``: the library's names, what each is in actcli, and
    how the library's output differs where it does."""
    table = Table(
        box=box.SIMPLE_HEAD,
        pad_edge=False,
        show_edge=False,
        title=Text(LIBRARIES[library]),
        title_justify="left",
    )
    table.add_column(library, style="bold", no_wrap=True)
    table.add_column("actcli", no_wrap=True)
    table.add_column("difference", overflow="fold")
    for entry, act in entries:
        table.add_row(
            *(Text(c) for c in (entry.name, entry.meaning(act.name), _library_note(entry)))
        )
    return table


def _elsewhere_table(entries: Sequence[tuple[LibraryName, Activation]]) -> Table:
    table = _new_table("In other libraries")
    table.add_column("library")
    table.add_column("name", style="bold")
    table.add_column("in actcli")
    table.add_column("difference", overflow="fold")
    # One row per library, meaning and note: HF's three spellings of the tanh form share one.
    rows: dict[tuple[str, str, str], list[str]] = {}
    for entry, act in entries:
        key = (entry.library, entry.meaning(act.name), _library_note(entry))
        rows.setdefault(key, []).append(entry.name)
    for (library, meaning, note), names in rows.items():
        table.add_row(*(Text(c) for c in (library, ", ".join(names), meaning, note)))
    return table


def info_view(
    act: Activation,
    example: Mapping[str, Sequence[float]] | None,
    measured: Any = None,
    notes: Sequence[str] = (),
    elsewhere: Sequence[tuple[LibraryName, Activation]] = (),
) -> RenderableType:
    """``actcli info``: formula, derivative, parameters, range, properties, equivalents,
    reference, a worked example and (when available) the measured accuracy; ``notes`` (what
    the formula of a user-defined function does, see :func:`actcli.expr.analyse`) and where
    a user-defined function comes from."""
    head = Table.grid(padding=(0, 2))
    head.add_column(style="bold")
    head.add_column()
    rows = [
        ("is", call_text(*act.alias_of) if act.alias_of else ""),
        ("f(x)", act.doc.formula),
        ("f'(x)", act.doc.derivative),
        ("f''(x)", act.doc.second_derivative or ""),
        ("output range", act.doc.output_range),
        ("aliases", ", ".join(act.aliases)),
        ("PyTorch", act.doc.torch or "—"),
        ("JAX", act.doc.jax or "—"),
        ("HuggingFace", act.doc.hf or ""),
        ("reference", act.doc.reference or ""),
    ]
    for label, value in rows:
        if value or label not in ("is", "f''(x)", "aliases", "HuggingFace", "reference"):
            head.add_row(label, Text(value))  # record text, never Rich markup
    if act.source is not None:
        head.add_row("defined in", Text(act.source))
    for note in notes:
        head.add_row("note", Text(note))
    props = Table.grid(padding=(0, 2))
    props.add_column()
    props.add_column()
    props.add_column(style="dim")
    for prop, meaning in PROPERTIES.items():
        mark = "[green]yes[/]" if prop in act.doc.properties else "[dim]no[/]"
        props.add_row(mark, prop.replace("_", "-"), meaning)
    parts: list[RenderableType] = [Text(act.doc.description, style="italic"), Text(""), head]
    if act.params:
        parts += [Text(""), _params_table(act)]
    else:
        parts.append(Text(""))
    if act.source is None:  # a user-defined function's properties are not known
        parts += [Text("Properties", style="italic"), props, Text("")]
    if elsewhere:
        parts += [_elsewhere_table(elsewhere), Text("")]
    if example is not None:
        parts.append(_example_table(act, example))
    else:
        needed = " ".join(f"-p {p.name}=..." for p in act.params if p.required)
        parts.append(Text(f"(give {needed} for a worked example)", style="dim"))
    # ---- Measured accuracy: filled by actcli.accuracy.measured(name) when that module exists.
    if measured is not None:
        parts += [Text(""), _accuracy_view(measured)]
    title = Text(act.name, style="bold")
    return Panel(Group(*parts), title=title, title_align="left", expand=False)


def measured_accuracy(name: str) -> Any:
    """``actcli.accuracy.measured(name)`` if the optional ``actcli.accuracy`` module exists,
    else ``None`` (``info`` then shows nothing for it)."""
    if importlib.util.find_spec("actcli.accuracy") is None:
        return None
    module = importlib.import_module("actcli.accuracy")
    return module.measured(name)


def info_data(act: Activation, example: Mapping[str, Any] | None, measured: Any) -> dict[str, Any]:
    """``info --json``: :func:`describe` plus the worked example and the measured accuracy."""
    data = describe(act)
    data["example"] = dict(example) if example is not None else None
    if measured is not None:
        data["measured_accuracy"] = (
            {str(k): v for k, v in measured.items()}
            if isinstance(measured, Mapping)
            else str(measured)
        )
    return data


def _seconds(t: float) -> str:
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if t >= scale:
            return f"{t / scale:.3g} {unit}"
    return f"{t / 1e-9:.3g} ns"


def _spread(best: float, worst: float, median: float) -> str:
    """min..max in the median's unit, without repeating it: ``427..462``."""
    unit = _seconds(median).split()[1]
    scale = {"s": 1.0, "ms": 1e-3, "µs": 1e-6, "ns": 1e-9}[unit]
    return f"{best / scale:.3g}..{worst / scale:.3g}"


def bench_table(rows: Sequence[Any], title: str = "actcli bench") -> Table:
    """The rows of an ``actcli.bench`` run: median time (min..max), G elements/s, GB/s, the
    share of the copy bandwidth bound, and the speed-up over each baseline (>1: faster).

    Compact enough for a 100-column terminal with both baselines: cells never wrap, dtypes are
    short (f32), and min..max is in the median's unit.
    """
    table = _new_table(title)
    table.collapse_padding = True
    for col in ("activation", "dir", "N", "dtype", "thr"):
        table.add_column(col, no_wrap=True)
    for col in ("median", "min..max", "el/s", "GB/s", "% bound"):
        table.add_column(col, justify="right", no_wrap=True)
    baselines = [b for b in ("naive", "torch") if any(getattr(r, f"vs_{b}") for r in rows)]
    for b in baselines:
        table.add_column(f"× {b}", justify="right", no_wrap=True)
    for r in rows:
        dtype = r.dtype.replace("float", "f")
        cells = [r.name, r.direction[:4], f"{r.size:.0e}".replace("e+0", "e"), dtype]
        cells += [str(r.threads), _seconds(r.seconds), _spread(r.best, r.worst, r.seconds)]
        cells += [_si(r.elements_per_s), f"{r.gb_per_s:.3g}", f"{r.pct_of_bound:.0f}%"]
        for b in baselines:
            v = getattr(r, f"vs_{b}")
            cells.append("—" if v is None else f"[{'green' if v >= 1 else 'red'}]{v:.2f}[/]")
        table.add_row(*cells)
    return table


def _si(v: float) -> str:
    """A rate with an SI prefix and 3 significant digits: ``2.34G``, ``99.7M``, ``512k``."""
    for prefix, scale in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if v >= scale:
            return f"{v / scale:.3g}{prefix}"
    return f"{v:.3g}"


# --- compare -------------------------------------------------------------------------------------
def _g(v: Any, digits: int = 6) -> str:
    """A comparison figure: ``digits`` significant digits, ±inf and nan spelled out."""
    if v is None:
        return "—"
    f = float(v)
    if math.isnan(f):
        return "nan"
    if math.isinf(f):
        return "∞" if f > 0 else "-∞"
    return f"{f + 0.0:.{digits}g}"  # -0 reads as 0


def _dots(*values: Any) -> str:
    return " · ".join(_g(v) for v in values)


def _at(x: Any) -> str:
    f = float(x)
    return "x → ∞" if f == math.inf else ("x → -∞" if f == -math.inf else f"x = {_g(f, 5)}")


def _fixed_points(vm: Mapping[str, Any]) -> str:
    if vm["every"]:
        return "every σ² (linear)"
    if not vm["points"]:
        return "none (only 0)"
    return "; ".join(
        f"{_g(p['var'])} (slope {_g(p['slope'], 3)}, {'stable' if p['stable'] else 'unstable'})"
        for p in vm["points"]
    )


def _self_normalising(sn: Mapping[str, Any]) -> str:
    if not sn["fixed"]:
        return f"no: (0, 1) ↦ ({_g(sn['mean'], 3)}, {_g(sn['var'], 3)})"
    state = "stable" if sn["stable"] else "unstable"
    return f"yes, {state} (‖J‖ = {_g(sn['spectral_norm'], 4)})"


def _range_figure(text: str) -> str:
    """An output range as numbers: ``(-scale·alpha, ∞) ≈ (-1.7581, ∞)`` shows its numeric side
    (the symbolic one is in ``actcli info``); a range with no such side is shown as it is."""
    _, sep, numeric = text.partition(" ≈ ")
    return numeric if sep and numeric.startswith(("(", "[")) else text


def compare_view(result: Mapping[str, Any], *, digits: int = 7) -> RenderableType:
    """``actcli compare``: the formulas, then a table with one column per function and one row
    per figure (see :func:`actcli.compare.compare`); Gaussian statistics to ``digits``
    significant digits (7, so that five functions fit 100 columns without a number broken
    across lines; ``--json`` has every figure in full)."""
    from rich.markup import escape

    fns = result["functions"]
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    table.add_column("", style="bold", no_wrap=True)
    for e in fns:
        table.add_column(escape(e["label"]), overflow="fold")
    props = [p for p in PROPERTIES if p != "smooth"]

    def row(label: str, cells: Iterable[str], *, end: bool = False) -> None:
        table.add_row(escape(label), *[escape(c) for c in cells], end_section=end)

    row("output range", (_range_figure(e["output_range"]) for e in fns))
    row("f(0) · f'(0) · f''(0)", (_dots(e["f(0)"], e["f'(0)"], e["f''(0)"]) for e in fns))
    row("f(-∞) · f(+∞)", (_dots(e["limits"]["f(-inf)"], e["limits"]["f(+inf)"]) for e in fns))
    row("f'(-∞) · f'(+∞)", (_dots(e["limits"]["f'(-inf)"], e["limits"]["f'(+inf)"]) for e in fns))
    row(
        "kinks (f' there)",
        (", ".join(f"{_g(k['x'])} ({_g(k['gradient'])})" for k in e["kinks"]) or "—" for e in fns),
    )
    row("smoothness", (e["smoothness"] for e in fns))
    for p in props:
        row(p.replace("_", "-"), ("yes" if p in e["properties"] else "—" for e in fns))
    table.rows[-1].end_section = True
    stats = [
        ("E[f(X)]", "mean"),
        ("Var[f(X)]", "var"),
        ("E[f'(X)]", "grad_mean"),
        ("E[f'(X)²]", "grad_sq"),
        ("P(f'(X) = 0)", "dead"),
    ]
    for label, key in stats:
        row(label, (_g(e["gaussian"][key], digits) for e in fns))
    row("σ*² of σ² ↦ E[f(σZ)²]", (_fixed_points(e["variance_map"]) for e in fns))
    row(
        "(0, 1) fixed point (SELU)",
        (_self_normalising(e["self_normalising"]) for e in fns),
        end=True,
    )

    def vs(e: Mapping[str, Any]) -> str:
        d = e["vs_first"]
        if d is None:
            return "—"
        if d["argmax"] is None:
            return "0 (the same function)"
        where = _at(d["argmax"])
        if d.get("also_at") is not None:
            where = f"x = ±{_g(abs(d['argmax']), 5)}"
        return f"{_g(d['max'])} at {where}"

    first = fns[0]["label"]
    row(f"max |f - {first}|", (vs(e) for e in fns))
    row(
        f"L2 to {first} under N(0,1)",
        (_g(e["vs_first"]["l2"]) if e["vs_first"] else "—" for e in fns),
        end=True,
    )
    if all(e["timing"] is not None for e in fns):
        row(
            "ns/element fwd · grad*",
            (f"{e['timing']['forward_ns']:.1f} · {e['timing']['gradient_ns']:.1f}" for e in fns),
        )
    formulas = Text()
    for i, e in enumerate(fns):
        formulas.append(("\n" if i else "") + e["label"], style="bold")
        formulas.append(f": {e['formula']}")
    parts: list[RenderableType] = [formulas, table]
    note = "X ~ N(0, 1), by quadrature split at the kinks; --json gives every figure in full."
    parts.append(Text(note, style="dim"))
    if all(e["timing"] is not None for e in fns):
        parts.append(Text("* " + result["timing_note"], style="dim"))
    return Group(*parts)


# --------------------------------------------------------------------------------------------
# Losses


def _exact_float(v: Any) -> float:
    """A float whose repr is the shortest exact digits of ``v`` in its own dtype."""
    a = np.asarray(v)
    if a.dtype.kind == "f" and a.dtype.itemsize < 8:
        return float(str(a.reshape(())[()]))
    return float(a.reshape(()))


def loss_value_data(
    loss: Loss, reduction: str, arrays: Mapping[str, AnyArray], value: Any
) -> dict[str, Any]:
    """A reduced loss as plain data (``loss --format json``)."""
    first = np.asarray(arrays[loss.inputs[0]])
    return {
        "loss": loss.name,
        "reduction": reduction,
        "dtype": str(np.asarray(value).dtype),
        "shapes": {k: list(np.shape(v)) for k, v in arrays.items()},
        "elements": int(first.size),
        "value": _exact_float(value),
    }


def loss_value_view(
    loss: Loss, reduction: str, arrays: Mapping[str, AnyArray], value: Any
) -> RenderableType:
    """A reduced loss on a terminal: the value with the inputs' shapes and dtype."""
    table = _new_table()
    table.add_column("", style="dim")
    table.add_column("", justify="right")
    for k, v in arrays.items():
        table.add_row(k, f"shape {np.shape(v)} · {np.asarray(v).dtype}")
    table.add_row(
        f"{loss.name} ({reduction})", Text(format_number(np.asarray(value)[()]), style="bold")
    )
    table.show_header = False
    return table


#: The plotted-variable values of a loss's worked example, as fractions of its plot span.
LOSS_EXAMPLE_FRACTIONS = (0.0, 0.25, 0.5, 0.625, 0.75, 1.0)


def describe_loss(loss: Loss) -> dict[str, Any]:
    """Everything ``list --json`` and ``info --json`` report about a loss, as plain data."""
    return {
        "name": loss.name,
        "record": "loss",
        "aliases": list(loss.aliases),
        "inputs": list(loss.inputs),
        "layout": loss.layout,
        "description": loss.doc.description,
        "formula": loss.doc.formula,
        "derivative": loss.doc.derivative,
        "parameters": [
            {
                "name": p.name,
                "default": _json_default(p),
                "required": p.required,
                "type": p.kind.__name__,
                "range": p.describe_range(),
                "help": p.help,
            }
            for p in loss.params
        ],
        "arrays": [
            {"name": a.name, "shape": a.shape, "required": a.required, "help": a.help}
            for a in loss.arrays
        ],
        "reductions": list(loss.reductions),
        "gradients": list(loss.kernels.grads),
        "output_range": loss.doc.output_range,
        "torch": loss.doc.torch,
        "jax": loss.doc.jax,
        "reference": loss.doc.reference,
    }


def losses_table(losses: Iterable[Loss], width: int | None = None) -> RenderableType:
    """``actcli list``'s losses: one row per loss, laid out for ``width`` columns (default:
    wide); ``F.NAME`` says whether ``torch.nn.functional`` has the loss under the same name.

    Aliases go under their name (``= mse``). When the table is wider than ``width``, the inputs
    and F.NAME go under each name too, with a note saying so: nothing is cut.
    """
    rows = []
    for loss in losses:
        params = [f"{p.name}={format_default(p)}" for p in loss.params]
        params += [f"--{a.name.replace('_', '-')}" for a in loss.arrays]
        torch = (
            "—"
            if loss.doc.torch is None
            else "yes"
            if loss.doc.torch.endswith(loss.name)
            else loss.doc.torch
        )
        rows.append((loss, ", ".join(loss.inputs), params, torch))
    fold = width is not None and width < _natural_width(_losses_grid(rows, fold=False))
    return Group(
        _losses_grid(rows, fold=fold),
        Text("= an alias; F.NAME: yes if torch.nn.functional has the loss by this name", "dim"),
        *([Text("(narrow terminal: the inputs and F.NAME are under each name)", "dim")] * fold),
    )


def _natural_width(table: Table) -> int:
    """The columns ``table`` takes when nothing wraps."""
    from rich.console import Console  # measuring only: nothing is printed

    return Console(width=1 << 16, file=io.StringIO()).measure(table).maximum


def _losses_grid(rows: list[tuple[Loss, str, list[str], str]], *, fold: bool) -> Table:
    """The losses table; ``fold`` puts each loss's inputs and F.NAME under its name."""
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, show_edge=False)
    table.add_column("name", style="bold", no_wrap=True)
    if not fold:
        table.add_column("inputs", no_wrap=True)
    table.add_column("parameters", no_wrap=True)
    if not fold:
        table.add_column("F.NAME", no_wrap=True)
    for loss, inputs, params, torch in rows:
        # Record text is shown as it is, never read as Rich markup.
        name = Text(loss.name)
        for alias in loss.aliases:
            name.append(f"\n= {alias}", style="not bold")
        if fold:
            name.append(f"\n{inputs} · F.NAME {torch}", style="dim not bold")
        if loss.source is not None:  # registered at run time: say where it comes from
            name.append(f"\nuser-defined, {loss.source}", style="dim not bold")
        cells = [*([] if fold else [inputs]), "\n".join(params), *([] if fold else [torch])]
        table.add_row(name, *(Text(c) for c in cells))
    return table


def loss_example(loss: Loss, params: Mapping[str, Any]) -> dict[str, list[float]] | None:
    """The loss (reduction none) and its derivative along the plotted variable at a few points
    of its plot span and at its kinks, by :func:`actcli.loss` and :func:`actcli.loss_gradient`
    (None if a required parameter or array argument is missing)."""
    from .lossengine import loss as loss_value
    from .lossengine import loss_gradient

    if loss.plot is None or any(p.required and p.name not in params for p in loss.params):
        return None
    if any(a.required for a in loss.arrays):
        given = dict(params)
        given.update({a.name: 1.0 for a in loss.arrays if a.required and a.name not in given})
        params = given
    scalars = {k: v for k, v in params.items() if loss.array(k) is None}
    bound = loss.bind(scalars)
    lo, hi = loss.plot.span
    points = [lo + f * (hi - lo) for f in LOSS_EXAMPLE_FRACTIONS]
    kinks = [k for k in loss.kink_points(bound) if lo <= k <= hi]
    x = np.unique(np.array([*points, *kinks], dtype=np.float64))
    arrays = loss.plot.arrays(x, bound)
    ins = [arrays[n] for n in loss.inputs]
    first: Any = tuple(ins[:-1]) if len(ins) > 2 else ins[0]
    extra = {k: v for k, v in params.items() if loss.array(k) is not None}
    kw = {**scalars, **extra}
    value = loss_value(loss.name, first, ins[-1], "none", **kw)
    grad = loss_gradient(loss.name, first, ins[-1], None, "none", **kw)
    if loss.plot.pick is not None:
        grad = loss.plot.pick(grad)
    return {"x": x.tolist(), "loss": value.tolist(), "grad": grad.tolist()}


def loss_info_view(
    loss: Loss, example: Mapping[str, Sequence[float]] | None, measured: Any = None
) -> RenderableType:
    """``actcli info`` for a loss: formula, derivative, inputs, reductions, parameters, array
    arguments, equivalents, a worked example and the measured accuracy."""
    head = Table.grid(padding=(0, 2))
    head.add_column(style="bold")
    head.add_column()
    head.add_row("loss", loss.doc.formula)
    head.add_row("∂/∂input", loss.doc.derivative)
    head.add_row("inputs", ", ".join(loss.inputs))
    head.add_row("reductions", " | ".join(loss.reductions) + " (default mean)")
    head.add_row("gradients", "with respect to " + ", ".join(loss.kernels.grads))
    head.add_row("output range", loss.doc.output_range)
    if loss.aliases:
        head.add_row("aliases", ", ".join(loss.aliases))
    head.add_row("PyTorch", loss.doc.torch or "—")
    head.add_row("JAX", loss.doc.jax or "—")
    if loss.doc.reference:
        head.add_row("reference", loss.doc.reference)
    parts: list[RenderableType] = [Text(loss.doc.description, style="italic"), Text(""), head]
    if loss.params:
        parts += [Text(""), _params_table(loss)]
    if loss.arrays:
        arrays = _new_table("Array arguments (a file or inline numbers)")
        arrays.add_column("option", style="bold")
        arrays.add_column("shape")
        arrays.add_column("meaning")
        for a in loss.arrays:
            shape = {"same": "the input's", "broadcast": "broadcast", "classes": "(C,)"}[a.shape]
            arrays.add_row(f"--{a.name.replace('_', '-')}", shape, a.help)
        parts += [Text(""), arrays]
    parts.append(Text(""))
    if example is not None and loss.plot is not None:
        label = f"Worked example (reduction none), against {loss.plot.x_label}"
        parts.append(Text(label, style="italic"))  # Text: no markup in the label
        table = _new_table()
        table.add_column("x", justify="right")
        table.add_column(loss.name, justify="right", style="bold")
        table.add_column("∂/∂x", justify="right")
        for x, v, g in zip(example["x"], example["loss"], example["grad"], strict=True):
            table.add_row(format_number(x), format_number(v), format_number(g))
        parts.append(table)
    else:
        needed = " ".join(f"-p {p.name}=..." for p in loss.params if p.required)
        parts.append(Text(f"(give {needed} for a worked example)", style="dim"))
    if measured is not None:
        parts += [Text(""), _accuracy_view(measured)]
    return Panel(Group(*parts), title=f"[bold]{loss.name}[/]", title_align="left", expand=False)
