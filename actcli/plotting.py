"""Curves of every activation and its derivative, as Matplotlib Figures (no pyplot, Agg only).

This is the only module that imports Matplotlib, and it does so inside the functions that need
it, so ``import actcli`` and ``actcli list`` never pay for it.

Conventions drawn on every plot:

- the function is solid, its derivative dashed in the same colour;
- the sample points include every kink exactly and its two float neighbours, so corners are
  sharp; where the function or its derivative jumps at a kink the line is broken and a dot marks
  the value the kink takes (PyTorch's convention);
- a horizontal asymptote (the limit at -inf or +inf, where it is finite and not 0) is dotted;
- axis functions are drawn on a two-element input: softmax, softmin and log_softmax as the first
  output of f([x, 0]) (softmax([x, 0])_1 = sigmoid(x)), glu as glu([x, x]) = x·sigmoid(x); the
  derivative is d/dx of that curve.

Every figure is built and saved under fixed rcParams (``matplotlib.rc_context``, no global state)
and saved without timestamps or version strings, so the same call gives byte-identical files.
"""

from __future__ import annotations

import io
import itertools
import math
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from . import io as aio
from .engine import evaluate, gradient
from .errors import ParamError
from .options import OptionError, linspace, parse_range
from .registry import Activation, Array, get, names, split_pairs

if TYPE_CHECKING:  # pragma: no cover - typing only
    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

#: Output formats and the metadata that keeps each one free of dates and version strings.
FORMATS: tuple[str, ...] = ("png", "svg", "pdf")
_METADATA: dict[str, dict[str, Any]] = {
    "png": {"Software": None},
    "svg": {"Date": None, "Creator": None},
    "pdf": {"CreationDate": None, "Producer": None, "Creator": None},
}

#: Okabe & Ito's colour-blind-safe palette, darkest first (yellow last: weak on white).
PALETTE: tuple[str, ...] = (
    "#0072B2",  # blue
    "#D55E00",  # vermillion
    "#009E73",  # bluish green
    "#CC79A7",  # reddish purple
    "#E69F00",  # orange
    "#56B4E9",  # sky blue
    "#000000",  # black
    "#F0E442",  # yellow
)

DEFAULT_RANGE: tuple[float, float] = (-6.0, 6.0)
DEFAULT_POINTS = 801
DEFAULT_DPI = 150
#: Inches: the size of a single plot, and of the axes of one gallery tile.
DEFAULT_SIZE: tuple[float, float] = (6.4, 4.2)
TILE_SIZE: tuple[float, float] = (2.75, 1.65)
GALLERY_COLUMNS = 4
GALLERY_NAME = "gallery"
MAX_POINTS = 1_000_000
#: Spans below this (relative to the values, or absolute below 1) count as zero width.
_NARROW = 1e-12
MAX_DPI = 1200
_MAX_PIXELS = 1 << 16
#: The farthest x a plot reaches (Matplotlib's margins and ticks overflow near the float maximum).
_MAX_X = 1e307
#: One plot holds at most this many curves: one colour each.
MAX_CURVES = len(PALETTE)

#: Values for parameters that have no default (so ``plot threshold`` and the gallery can draw
#: something); they are written on the plot like any parameter the user gives.
ILLUSTRATIVE: dict[str, dict[str, Any]] = {"threshold": {"threshold": 1.0, "value": 0.0}}

_RC: dict[Any, Any] = {
    "font.family": "DejaVu Sans",
    "mathtext.fontset": "dejavusans",
    "font.size": 10,
    "axes.titlesize": 10.5,
    "axes.labelsize": 10,
    "xtick.labelsize": 8.5,
    "ytick.labelsize": 8.5,
    "legend.fontsize": 8.5,
    "axes.edgecolor": "0.55",
    "axes.linewidth": 0.8,
    "xtick.color": "0.3",
    "ytick.color": "0.3",
    "xtick.major.size": 3,
    "ytick.major.size": 3,
    "figure.facecolor": "white",
    "savefig.facecolor": "white",
    "axes.unicode_minus": True,
    "svg.hashsalt": "actcli",
    "svg.fonttype": "path",
    "pdf.fonttype": 42,
    "path.simplify": False,
    # A fixed title height: Matplotlib then skips measuring every tick label to place titles.
    "axes.titley": 1.0,
    "axes.titlepad": 5.0,
}

_FUNCTION = "function"
_DERIVATIVE = "derivative"


@dataclass(frozen=True)
class Spec:
    """One curve to draw: an activation with one full set of parameters.

    ``shown`` holds the parameters written on the plot (those given by the user or filled in
    from :data:`ILLUSTRATIVE`), in the order given.
    """

    name: str
    params: Mapping[str, Any]
    shown: tuple[tuple[str, Any], ...] = ()

    @property
    def label(self) -> str:
        """``negative_slope=0.1, ...`` for the parameters shown ("" when there are none)."""
        return ", ".join(f"{k}={_fmt(v)}" for k, v in self.shown)


@dataclass(frozen=True)
class Curve:
    """A sampled :class:`Spec`: x, f(x) and f'(x) (``dy`` is None when not asked for)."""

    spec: Spec
    x: Array
    y: Array
    dy: Array | None
    kinks: tuple[float, ...]
    asymptotes: tuple[float, ...]


@dataclass(frozen=True)
class AxisView:
    """How an axis function becomes a curve: the input row is ``x * direction``."""

    direction: tuple[float, ...]
    text: str


def _fmt(v: Any) -> str:
    if isinstance(v, float):
        return f"{v:g}"
    return str(v).lower() if isinstance(v, bool) else str(v)


def axis_view(act: Activation) -> AxisView:
    """The convention that draws axis function ``act`` as a curve of one variable.

    Functions that halve their input (glu) see ``[x, x]``; the others see ``[x, 0]`` and the
    first output is drawn.
    """
    if act.output_length is not None:
        return AxisView((1.0, 1.0), f"{act.name}([x, x])")
    return AxisView((1.0, 0.0), f"{act.name}([x, 0])₁")


# --- parameters and sweeps ---------------------------------------------------------------------


def specs(
    activation_names: Sequence[str], raw_params: Mapping[str, str] | None = None
) -> list[Spec]:
    """One :class:`Spec` per activation and per combination of swept parameter values.

    In ``raw_params`` (``{"negative_slope": "0.01,0.1"}``) a comma always separates the values
    of a sweep, for every parameter (prelu's per-channel ``weight`` means nothing on a curve of
    one variable, so there a comma list is a sweep too). Every parameter must belong to every
    named activation. Axis functions are drawn along their own axis, so ``dim`` is refused.

    Raises:
        UnknownActivationError, ParamError.
    """
    raw = dict(raw_params or {})
    out: list[Spec] = []
    for name in activation_names:
        act = get(name)
        choices: list[list[tuple[str, Any]]] = []
        for key, text in raw.items():
            param = act.param(key)
            if act.kind == "axis" and key == "dim":
                raise ParamError(
                    f"parameter 'dim' of {act.name} cannot be set for a plot: axis functions "
                    f"are drawn on a two-element row ({axis_view(act).text})"
                )
            choices.append([(key, param.parse(part)) for part in str(text).split(",")])
        combos = list(itertools.product(*choices))
        if len(combos) > MAX_CURVES:
            raise ParamError(
                f"the parameter sweep for {act.name} has {len(combos)} combinations; "
                f"a plot draws at most {MAX_CURVES}"
            )
        for combo in combos:
            given = dict(combo)
            extra = {k: v for k, v in ILLUSTRATIVE.get(act.name, {}).items() if k not in given}
            bound = act.bind({**given, **extra})
            if act.kind == "axis":
                bound["dim"] = -1
            out.append(Spec(act.name, bound, (*combo, *extra.items())))
    return out


# --- sampling ----------------------------------------------------------------------------------
def sample_points(start: float, stop: float, points: int, kinks: Sequence[float]) -> Array:
    """``points`` evenly spaced x in [start, stop], plus each kink inside and its neighbours."""
    x = linspace(start, stop, points)  # no overflow where stop - start does not fit
    extra = [
        v
        for k in kinks
        if math.isfinite(k) and start <= k <= stop
        for v in (np.nextafter(k, -np.inf), k, np.nextafter(k, np.inf))
    ]
    x = np.unique(np.concatenate([x, np.asarray(extra, dtype=np.float64)]))
    return x[(x >= start) & (x <= stop)]


def _values(act: Activation, params: Mapping[str, Any], x: Array) -> tuple[Array, Array]:
    """f(x) and f'(x) for a 1-D float64 ``x`` (axis functions through :func:`axis_view`)."""
    if act.kind != "axis":
        return evaluate(act.name, x, **params), gradient(act.name, x, **params)
    u = np.asarray(axis_view(act).direction)
    rows = x[:, None] * u
    y = evaluate(act.name, rows, **params)
    g = np.zeros_like(y)
    g[:, 0] = 1.0
    return y[:, 0], gradient(act.name, rows, grad_output=g, **params) @ u


def _asymptotes(act: Activation, params: Mapping[str, Any]) -> tuple[float, ...]:
    """The finite, non-zero limits of f at -inf and +inf (f agrees at 1e10 and 1e14)."""
    far = np.array([-1e14, -1e10, 1e10, 1e14])
    with np.errstate(all="ignore"):
        y, _ = _values(act, params, far)
    found: list[float] = []
    for a, b in ((y[0], y[1]), (y[3], y[2])):
        # |a| tiny: the limit is 0, which the x-axis already shows (squareplus: b / 4|x|).
        if np.isfinite(a) and abs(a - b) <= 1e-9 * (1 + abs(a)) and abs(a) > 1e-9:
            found.append(float(a))
    return tuple(dict.fromkeys(found))


def sample(spec: Spec, start: float, stop: float, points: int, derivative: bool = True) -> Curve:
    """Sample ``spec`` on [start, stop] (kinks included exactly)."""
    act = get(spec.name)
    kinks = tuple(k for k in act.kink_points(spec.params) if start <= k <= stop)
    x = sample_points(start, stop, points, kinks)
    with np.errstate(all="ignore"):
        y, dy = _values(act, spec.params, x)
    return Curve(spec, x, y, dy if derivative else None, kinks, _asymptotes(act, spec.params))


def check_range(start: float, stop: float, points: int) -> None:
    """Raise :class:`OptionError` unless start < stop are finite and ``points`` is sensible."""
    if not (math.isfinite(start) and math.isfinite(stop)):
        raise OptionError(f"the range must be finite, got {start:g}:{stop:g}")
    if start >= stop:
        raise OptionError(f"the range start must be below its stop, got {start:g}:{stop:g}")
    if max(abs(start), abs(stop)) > _MAX_X:  # axis margins and ticks must stay finite
        raise OptionError(
            f"the range {start:g}:{stop:g} reaches beyond ±{_MAX_X:g}; too far to plot"
        )
    if stop - start <= _NARROW * max(1.0, abs(start), abs(stop)):
        raise OptionError(f"the range {start:g}:{stop:g} is too narrow to plot")
    if not 2 <= points <= MAX_POINTS:
        raise OptionError(f"--points must be from 2 to {MAX_POINTS:,}, got {points}")


# --- drawing -----------------------------------------------------------------------------------
def _broken(x: Array, y: Array, kinks: Sequence[float]) -> tuple[Array, Array, list[float]]:
    """Insert NaN where y jumps at a kink (so no vertical segment is drawn); kinks with a jump."""
    finite = y[np.isfinite(y)]
    span = float(np.ptp(finite)) if finite.size else 1.0
    tol = 1e-6 * max(1.0, span)
    cuts: list[int] = []
    jumps: list[float] = []
    for k in kinks:
        i = int(np.searchsorted(x, k))
        hit = False
        for j in (i - 1, i):
            if 0 <= j < len(x) - 1 and abs(y[j + 1] - y[j]) > tol:
                cuts.append(j + 1)
                hit = True
        if hit:
            jumps.append(k)
    if not cuts:
        return x, y, jumps
    at = sorted(set(cuts))
    return np.insert(x, at, np.nan), np.insert(y, at, np.nan), jumps


def _limits(curves: Sequence[Curve]) -> tuple[float, float]:
    """y-limits covering every function, 0, and each derivative up to one function-span more."""
    fs = np.concatenate([c.y for c in curves])
    fs = fs[np.isfinite(fs)]
    lo = min(0.0, float(fs.min())) if fs.size else 0.0
    hi = max(0.0, float(fs.max())) if fs.size else 1.0
    span = max(hi - lo, 1.0)
    ds = [c.dy for c in curves if c.dy is not None]
    if ds:
        d = np.concatenate(ds)
        d = d[np.isfinite(d)]
        if d.size:
            lo = min(lo, max(float(d.min()), lo - span))
            hi = max(hi, min(float(d.max()), hi + span))
    if hi - lo <= _NARROW * max(1.0, abs(lo), abs(hi)):  # flat: threshold on [0, 1]
        lo, hi = lo - 0.5, hi + 0.5
    pad = 0.07 * (hi - lo)
    return lo - pad, hi + pad


def _draw(ax: Axes, curves: Sequence[Curve], *, tile: bool = False) -> None:
    """Draw ``curves`` into ``ax``: lines, jump dots, asymptotes, axes through the origin."""
    from matplotlib.ticker import MaxNLocator

    x0, x1 = float(curves[0].x[0]), float(curves[0].x[-1])
    lo, hi = _limits(curves)
    width = 1.5 if tile else 1.9
    for i, c in enumerate(curves):
        colour = PALETTE[i % len(PALETTE)]
        series: list[tuple[str, Array, Any]] = [(_FUNCTION, c.y, "-")]
        if c.dy is not None:
            series.append((_DERIVATIVE, c.dy, (0, (4.0, 2.0))))
        for gid, y, style in series:
            xs, ys, jumps = _broken(c.x, y, c.kinks)
            lw = width if gid == _FUNCTION else 0.8 * width
            ax.plot(xs, ys, color=colour, lw=lw, ls=style, zorder=3, gid=gid)
            for k in jumps:
                v = y[int(np.searchsorted(c.x, k))]
                ms = 3.2 if tile else 4.0
                ax.plot([k], [v], "o", color=colour, ms=ms, zorder=4, clip_on=False, gid="kink")
        for a in c.asymptotes:
            if lo < a < hi:
                ax.axhline(a, color=colour, lw=0.9, ls=":", alpha=0.8, zorder=2, gid="asymptote")
    ax.set_xlim(x0, x1)
    ax.set_ylim(lo, hi)
    # Axes through the origin, drawn as lines so that the tick labels stay on the frame.
    ax.axhline(0.0, color="0.2", lw=0.8, zorder=2)
    if x0 < 0.0 < x1:
        ax.axvline(0.0, color="0.2", lw=0.8, zorder=2)
    ax.grid(True, color="0.88", lw=0.6)
    ax.set_axisbelow(True)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    nbins = 5 if tile else 8
    ax.xaxis.set_major_locator(MaxNLocator(nbins=nbins + 1, steps=[1, 2, 5, 10]))
    ax.yaxis.set_major_locator(MaxNLocator(nbins=nbins - 1 if tile else nbins, steps=[1, 2, 5, 10]))
    ax.tick_params(length=3, pad=2)


def _title(act: Activation, extra: str = "") -> str:
    """Two lines: the name (and what is drawn, and the parameters), then the formula."""
    bold = act.name
    if act.kind == "axis":
        view = axis_view(act)
        bold += " on [x, x]" if view.direction == (1.0, 1.0) else " of [x, 0], output 1"
    if extra:
        bold += f"  ({extra})"
    # Display-style fractions: text-style ones are too small to read in a title.
    return bold + "\n" + act.mathtext.replace(r"\frac", r"\dfrac")


def _style_handles(derivative: bool, colour: str = "0.2") -> list[Any]:
    from matplotlib.lines import Line2D

    handles = [Line2D([], [], color=colour, lw=1.9, label="f(x)")]
    if derivative:
        handles.append(Line2D([], [], color=colour, lw=1.5, ls=(0, (4.0, 2.0)), label="f′(x)"))
    return handles


def _legend(ax: Axes, curves: Sequence[Curve], derivative: bool) -> None:
    from matplotlib.lines import Line2D

    handles: list[Any] = []
    multi = len({c.spec.name for c in curves}) > 1
    if len(curves) == 1:
        handles = _style_handles(derivative, PALETTE[0])
        act = get(curves[0].spec.name)
        if act.kind == "axis":
            handles[0].set_label(f"{axis_view(act).text}")
            if derivative:
                handles[1].set_label("d/dx")
    else:
        for i, c in enumerate(curves):
            label = c.spec.name if multi else c.spec.label
            if multi and c.spec.label:
                label += f" ({c.spec.label})"
            colour = PALETTE[i % len(PALETTE)]
            handles.append(Line2D([], [], color=colour, lw=1.9, label=label))
        if derivative:  # the key to solid and dashed; without derivatives all are solid
            handles += _style_handles(derivative)
    ax.legend(handles=handles, loc="best", frameon=True, framealpha=0.9, edgecolor="0.85")


@contextmanager
def _style() -> Iterator[None]:
    import matplotlib

    with matplotlib.rc_context(_RC):
        yield


def _figure(size: tuple[float, float], dpi: float) -> Figure:
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    width, height = round(size[0] * dpi), round(size[1] * dpi)
    if max(width, height) >= _MAX_PIXELS:  # Agg's own limit
        raise OptionError(
            f"a {size[0]:g}x{size[1]:g} inch figure at {dpi:g} dpi is {width:,}x{height:,} "
            f"pixels; at most {_MAX_PIXELS - 1:,} a side (lower --size or --dpi)"
        )
    # The RGBA canvas, and as much again while the PNG is encoded, with a margin.
    aio.check_budget(
        width * height * 4 * 3, f"a {width:,}x{height:,} pixel figure", "needs", "drawing it"
    )

    fig = Figure(figsize=size, dpi=dpi)
    FigureCanvasAgg(fig)
    return fig


def _grid_params(
    size: tuple[float, float],
    rows: int,
    columns: int,
    margins: tuple[float, float, float, float],
    gaps: tuple[float, float] = (0.0, 0.0),
) -> dict[str, float]:
    """GridSpec parameters for margins (left, right, top, bottom) and gaps in inches.

    Fixed margins instead of a layout engine: every plot has the same furniture (a title,
    tick labels, an x label), and constrained layout costs more than the drawing itself.
    """
    w, h = size
    left, right, top, bottom = margins
    cell_w = (w - left - right - (columns - 1) * gaps[0]) / columns
    cell_h = (h - top - bottom - (rows - 1) * gaps[1]) / rows
    if cell_w < 0.5 or cell_h < 0.5:
        raise OptionError(f"the figure size {w:g}x{h:g} inches is too small for its titles")
    return {
        "left": left / w,
        "right": 1 - right / w,
        "top": 1 - top / h,
        "bottom": bottom / h,
        "wspace": gaps[0] / cell_w,
        "hspace": gaps[1] / cell_h,
    }


def _fit_titles(fig: Figure, texts: Sequence[Any], width: float) -> float:
    """Shrink any text wider than ``width`` inches to fit; return the tallest height (inches)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg

    canvas = fig.canvas
    assert isinstance(canvas, FigureCanvasAgg)
    renderer = canvas.get_renderer()  # type: ignore[no-untyped-call]
    tallest = 0.0
    for text in texts:
        box = text.get_window_extent(renderer)
        if box.width > width * fig.dpi:
            text.set_fontsize(text.get_fontsize() * width * fig.dpi / box.width)
            box = text.get_window_extent(renderer)
        tallest = max(tallest, box.height / fig.dpi)
    return tallest


#: Inches: frame margins (left, right, bottom) of a single plot, the space under a title, the
#: height of a row of x tick labels.
_MARGINS = (0.62, 0.2, 0.5)
_TITLE_GAP = 0.12
_TICKS_H = 0.3


def figure(
    curves: Sequence[Curve],
    *,
    size: tuple[float, float] = DEFAULT_SIZE,
    dpi: float = DEFAULT_DPI,
    title: str | None = None,
) -> Figure:
    """One axes holding every curve (one activation, a sweep, or an overlay of several)."""
    if not curves:
        raise OptionError("nothing to plot")
    if len(curves) > MAX_CURVES:
        raise OptionError(f"one plot holds at most {MAX_CURVES} curves, got {len(curves)}")
    derivative = curves[0].dy is not None
    with _style():
        fig = _figure(size, dpi)
        ax = fig.add_subplot()
        _draw(ax, curves)
        _legend(ax, curves, derivative)
        plotted = list(dict.fromkeys(c.spec.name for c in curves))
        if title is None:
            if len(plotted) == 1:
                only = curves[0].spec.label if len(curves) == 1 else ""
                title = _title(get(plotted[0]), only)
            else:
                title = ", ".join(plotted)
        text = ax.set_title(title, va="bottom", fontweight="bold")
        ax.set_xlabel("x")
        left, right, bottom = _MARGINS
        top = _fit_titles(fig, [text], size[0] - 0.2) + _TITLE_GAP + 0.1
        fig.subplots_adjust(**_grid_params(size, 1, 1, (left, right, top, bottom)))
    return fig


def gallery(
    curves: Sequence[Curve],
    *,
    columns: int = GALLERY_COLUMNS,
    tile: tuple[float, float] = TILE_SIZE,
    dpi: float = DEFAULT_DPI,
    title: str | None = None,
) -> Figure:
    """A grid with one tile per curve: same x-range, axes size and fonts everywhere.

    ``tile`` is the size of one axes in inches; the figure grows to fit the titles.
    """
    if not curves:
        raise OptionError("nothing to plot")
    derivative = curves[0].dy is not None
    rows = -(-len(curves) // columns)
    left, right, bottom, gap_x = 0.45, 0.15, 0.3, 0.45
    with _style():
        fig = _figure((columns * (tile[0] + gap_x), rows * tile[1]), dpi)
        grid = fig.add_gridspec(rows, columns)
        axes = grid.subplots(squeeze=False).ravel()
        texts = []
        for ax, c in zip(axes, curves, strict=False):
            _draw(ax, [c], tile=True)
            texts.append(
                ax.set_title(
                    _title(get(c.spec.name), c.spec.label),
                    fontsize=9.5,
                    va="bottom",
                    fontweight="bold",
                )
            )
        for ax in axes[len(curves) :]:
            ax.set_axis_off()
        spare = axes[-1] if len(axes) > len(curves) else None
        handles = _style_handles(derivative, PALETTE[0])
        if derivative:
            handles[1].set_label("derivative f′(x)")
        handles[0].set_label("function f(x)")
        if spare is not None:
            spare.legend(handles=handles, loc="center", frameon=False, fontsize=10)
        x0, x1 = float(curves[0].x[0]), float(curves[0].x[-1])
        if title is None:
            title = f"actcli: {len(curves)} activation functions on [{x0:g}, {x1:g}]"
        sup = fig.suptitle(title, va="top", fontsize=13)
        w = left + right + columns * tile[0] + (columns - 1) * gap_x
        head = _fit_titles(fig, texts, tile[0] + gap_x) + _TITLE_GAP
        top = 0.15 + _fit_titles(fig, [sup], w - 0.3) + 0.15 + head
        legend_h = 0.0 if spare is not None else 0.45
        if legend_h:
            fig.legend(handles=handles, loc="lower center", ncols=2, frameon=False)
        gap_y = head + _TICKS_H
        h = top + bottom + legend_h + rows * tile[1] + (rows - 1) * gap_y
        fig.set_size_inches(w, h)
        sup.set_y(1 - 0.15 / h)
        margins = (left, right, top, bottom + legend_h)
        grid.update(**_grid_params((w, h), rows, columns, margins, (gap_x, gap_y)))
        for ax in axes:  # GridSpec.update only repositions the axes of pyplot figures
            ax.set_position(ax.get_subplotspec().get_position(fig))
    return fig


# --- output ------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Options:
    """How to draw: the x-range, the number of points, the figure size (inches) and dpi,
    whether to draw the derivative, and a title replacing the default one."""

    start: float = DEFAULT_RANGE[0]
    stop: float = DEFAULT_RANGE[1]
    points: int = DEFAULT_POINTS
    size: tuple[float, float] = DEFAULT_SIZE
    dpi: float = DEFAULT_DPI
    derivative: bool = True
    title: str | None = None

    def __post_init__(self) -> None:
        check_range(self.start, self.stop, self.points)
        if not all(math.isfinite(v) and v > 0 for v in self.size):
            raise OptionError(f"the size must be positive, got {self.size}")
        if not 10 <= self.dpi <= MAX_DPI:
            raise OptionError(f"--dpi must be from 10 to {MAX_DPI}, got {self.dpi:g}")
        if self.title is not None:
            _check_mathtext(self.title)


def options_from(
    span: str | None = None,
    points: int | None = None,
    dpi: float | None = None,
    size: str | None = None,
    derivative: bool = True,
    title: str | None = None,
) -> Options:
    """:class:`Options` from command-line text; None takes the default.

    ``span`` is ``START:STOP`` or ``START:STOP:N`` (as in ``eval``; N is the number of points,
    and must agree with ``points`` when both are given); ``size`` is ``WIDTHxHEIGHT`` inches.
    """
    start, stop = DEFAULT_RANGE
    if span is not None:
        parsed = parse_range(span, with_count=span.count(":") == 2)
        start, stop = parsed.start, parsed.stop
        if parsed.num is not None and points is not None and parsed.num != points:
            raise OptionError(f"--range {span} asks for {parsed.num} points but --points {points}")
        points = parsed.num or points
    return Options(
        start,
        stop,
        DEFAULT_POINTS if points is None else points,
        DEFAULT_SIZE if size is None else parse_size(size),
        DEFAULT_DPI if dpi is None else dpi,
        derivative,
        title,
    )


def _check_mathtext(text: str) -> None:
    """Raise :class:`OptionError` if a ``$...$`` part of ``text`` is not valid mathtext."""
    if "$" not in text:
        return
    from matplotlib.mathtext import MathTextParser

    parser = MathTextParser("path")
    for line in text.splitlines():
        if line.count("$") >= 2 and line.count("$") % 2 == 0:
            try:
                parser.parse(line)
            except ValueError as e:
                why = str(e).strip().splitlines()[-1].removeprefix("ParseFatalException: ")
                raise OptionError(f"the title '{line}' is not valid mathtext: {why}") from None


def parse_size(text: str) -> tuple[float, float]:
    """``"6.4x4"`` as ``(6.4, 4.0)`` inches; raises :class:`OptionError` otherwise."""
    w, sep, h = text.lower().partition("x")
    try:
        size = (float(w), float(h))
    except ValueError:
        size = (math.nan, math.nan)
    if not sep or not all(math.isfinite(v) and 0.5 <= v <= 100 for v in size):
        raise OptionError(f"expected WIDTHxHEIGHT in inches, each from 0.5 to 100, got {text!r}")
    return size


def resolve_format(path: Path | None, fmt: str | None) -> str:
    """The output format: ``fmt`` if given, else ``path``'s extension, else png.

    Raises:
        OptionError: an unknown format, or an extension that contradicts ``fmt``.
    """
    ext = path.suffix.lower().lstrip(".") if path is not None and path.suffix else None
    if fmt is not None:
        fmt = fmt.lower()
        if fmt not in FORMATS:
            raise OptionError(f"unknown format '{fmt}'; expected one of: {', '.join(FORMATS)}")
        if ext is not None and ext != fmt:
            raise OptionError(f"the output file '{path}' does not end in .{fmt} (--format {fmt})")
        return fmt
    if ext is None:
        return "png"
    if ext not in FORMATS:
        raise OptionError(
            f"unknown format '.{ext}' of '{path}'; expected one of: "
            + ", ".join("." + f for f in FORMATS)
        )
    return ext


def render(fig: Figure, fmt: str = "png") -> bytes:
    """``fig`` encoded as ``fmt``, without dates or version strings (byte-reproducible)."""
    if fmt not in FORMATS:
        raise OptionError(f"unknown format '{fmt}'; expected one of: {', '.join(FORMATS)}")
    buf = io.BytesIO()
    with _style():
        fig.savefig(buf, format=fmt, dpi=fig.dpi, metadata=_METADATA[fmt])
    return buf.getvalue()


def save(fig: Figure, path: Path, fmt: str = "png") -> Path:
    """Render ``fig``, then write it to ``path`` atomically (never a partial file).

    Raises:
        OutputError: the file cannot be written.
    """
    _write(path, render(fig, fmt))
    return path


def _write(path: Path, data: bytes) -> None:
    try:
        with aio.atomic_write(path) as f:
            aio.write_all(f, data)  # every byte, or the error (a pipe may take part)
    except aio.OutputError:
        raise
    except OSError as e:
        raise aio.OutputError(f"cannot write '{path}': {e.strerror or e}") from None


def _folder(path: Path) -> Path:
    """``path`` as an output folder, created if missing."""
    if path.exists() and not path.is_dir():
        raise OptionError(f"'{path}' is a file; plotting several activations needs a folder (-o)")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise aio.OutputError(f"cannot create the folder '{path}': {e.strerror or e}") from None
    return path


def plot(
    activation_names: Sequence[str],
    pairs: Sequence[str] = (),
    *,
    overlay: bool = False,
    output: Path | None = None,
    fmt: str | None = None,
    options: Options | None = None,
) -> list[Path]:
    """Plot each activation into its own file, or all of them into one (``overlay``).

    One file (one name, or ``overlay``): ``output`` is the file (its extension gives the
    format), or a folder for the default name ``NAME.png`` / ``NAME1-NAME2.png``, or None for
    that name in the current folder. Several files: ``output`` is the folder (default: the
    current one). ``pairs`` are ``KEY=VALUE`` strings; a comma-separated VALUE is a sweep.
    Returns the paths written.
    """
    opts = options or Options()
    if not activation_names:
        raise OptionError("give at least one activation NAME, or --all")
    chosen = list(dict.fromkeys(get(n).name for n in activation_names))
    todo = specs(chosen, split_pairs(pairs))  # a comma list is a sweep here
    groups = (
        [todo]
        if overlay or len(chosen) == 1
        else [[s for s in todo if s.name == n] for n in chosen]
    )
    if len(groups) == 1:
        stem = "-".join(chosen)
        if output is not None and output.is_dir():
            output = output / stem
            fmt = resolve_format(None, fmt)
        else:
            fmt = resolve_format(output, fmt)
            output = output or Path(stem)
        through = aio.writes_through(output)  # /dev/null, a FIFO, -: written as they are
        targets = [
            output.with_name(f"{output.stem}.{fmt}")
            if not output.suffix and not through
            else output
        ]
    else:
        if (
            output is not None
            and not output.is_dir()
            and (aio.writes_through(output) or output.suffix.lower().lstrip(".") in FORMATS)
        ):
            raise OptionError(
                f"{len(groups)} plots cannot go to the one file '{aio.shown_path(output)}'; "
                "add --overlay for one image, or give a folder"
            )
        folder = _folder(output or Path("."))
        fmt = resolve_format(None, fmt)
        targets = [folder / f"{n}.{fmt}" for n in chosen]
    written = []
    for group, target in zip(groups, targets, strict=True):
        curves = [sample(s, opts.start, opts.stop, opts.points, opts.derivative) for s in group]
        fig = figure(curves, size=opts.size, dpi=opts.dpi, title=opts.title)
        written.append(save(fig, target, fmt))
    return written


def plot_all(
    output: Path | None = None,
    *,
    fmt: str | None = None,
    options: Options | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[Path]:
    """One file per activation (``relu.png``, ...) and ``gallery.png`` in ``output``.

    ``output`` defaults to ``plots/`` and is created if missing; ``options.title`` titles the
    gallery. Each file is written atomically as soon as it is drawn; ``progress(name)`` is
    called after each. Returns the paths written, the gallery last.
    """
    opts = options or Options()
    fmt = resolve_format(None, fmt)
    folder = _folder(output or Path("plots"))
    curves = [
        sample(s, opts.start, opts.stop, opts.points, opts.derivative) for s in specs(names())
    ]
    written: list[Path] = []
    for c in curves:
        fig = figure([c], size=opts.size, dpi=opts.dpi)
        written.append(save(fig, folder / f"{c.spec.name}.{fmt}", fmt))
        if progress is not None:
            progress(c.spec.name)
    fig = gallery(curves, dpi=opts.dpi, title=opts.title)
    written.append(save(fig, folder / f"{GALLERY_NAME}.{fmt}", fmt))
    if progress is not None:
        progress(GALLERY_NAME)
    return written
