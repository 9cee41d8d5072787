"""Curves of every activation and its derivative, as Matplotlib Figures (no pyplot, Agg only).

This is the only module that imports Matplotlib, and it does so inside the functions that need
it, so ``import actcli`` and ``actcli list`` never pay for it.

Conventions drawn on every plot:

- the function is solid, its derivative dashed in the same colour, f'' (``order=2``) dotted;
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

import dataclasses
import io
import math
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from . import io as aio
from .catalog import activations
from .catalog import losses as all_losses
from .engine import apply, apply_gradient, linspace
from .errors import OptionError
from .lossrecords import Loss
from .records import Activation, Array

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
#: The gallery sheet of the losses that ``plot --all`` writes beside the activations' one.
LOSSES_SHEET_NAME = "losses"
MAX_POINTS = 1_000_000
#: Spans below this (relative to the values, or absolute below 1) count as zero width.
_NARROW = 1e-12
MAX_DPI = 1200
_MAX_PIXELS = 1 << 16
#: The farthest x a plot reaches (Matplotlib's margins and ticks overflow near the float maximum).
_MAX_X = 1e307
#: One plot holds at most this many curves: one colour each.
MAX_CURVES = len(PALETTE)


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

#: How far f' and f'' are lightened towards white: drawn over f in a lighter tint, a derivative
#: that coincides with f (relu's f' = 0 on f = 0) shows as light dashes on the solid line.
_TINT = 0.45


def tint(colour: str, amount: float = _TINT) -> str:
    """``colour`` (``#RRGGBB``) mixed with white by ``amount`` (0: itself, 1: white)."""
    rgb = [int(colour[i : i + 2], 16) for i in (1, 3, 5)]
    return "#" + "".join(f"{round(c + (255 - c) * amount):02X}" for c in rgb)


#: The text sizes ``--font-size`` scales.
_TEXT_SIZES = (
    "font.size",
    "axes.titlesize",
    "axes.labelsize",
    "xtick.labelsize",
    "ytick.labelsize",
    "legend.fontsize",
)

#: Where ``--legend`` may put the legend (``none``: no legend).
LEGEND_PLACES = ("best", "upper left", "upper right", "lower left", "lower right", "none")

_FUNCTION = "function"
_DERIVATIVE = "derivative"
_SECOND = "second"
#: The line style of f'' (``--order 2``): fine dots, apart from the asymptotes' sparse ones.
_SECOND_STYLE: Any = (0, (1.0, 1.2))


@dataclass(frozen=True)
class Spec:
    """One curve to draw: an activation's record with one full set of bound parameters.

    ``shown`` holds the parameters written on the plot (those given by the user or filled in
    from the record's illustrative setting), in the order given.
    """

    record: Activation | Loss
    params: Mapping[str, Any]
    shown: tuple[tuple[str, Any], ...] = ()

    @property
    def name(self) -> str:
        return self.record.name

    @property
    def label(self) -> str:
        """``negative_slope=0.1, ...`` for the parameters shown ("" when there are none)."""
        return ", ".join(f"{k}={_fmt(v)}" for k, v in self.shown)


@dataclass(frozen=True)
class Curve:
    """A sampled :class:`Spec`: x, f(x), f'(x) and f''(x) (``dy``/``d2y`` None when not asked
    for)."""

    spec: Spec
    x: Array
    y: Array
    dy: Array | None
    kinks: tuple[float, ...]
    asymptotes: tuple[float, ...]
    d2y: Array | None = None


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
    if act.kernels.output_length is not None:
        return AxisView((1.0, 1.0), f"{act.name}([x, x])")
    if act.kernels.reduces:
        return AxisView((1.0, 0.0), f"{act.name}([x, 0])")
    return AxisView((1.0, 0.0), f"{act.name}([x, 0])₁")


# --- parameters and sweeps ---------------------------------------------------------------------


def specs(
    sweeps: Sequence[tuple[Activation | Loss, Sequence[Mapping[str, Any]]]],
) -> list[Spec]:
    """One :class:`Spec` per function and per combination of swept parameter values.

    ``sweeps`` pairs each record with its parameter combinations, already parsed from the
    command line (:func:`actcli.options.plot_sweeps`; no combinations: the defaults). Required
    parameters nobody gave take the record's illustrative values, which the plot then shows.
    Axis functions are drawn along their own axis (``dim = -1``); a loss's required array
    arguments take :data:`LOSS_ARRAY_DEFAULT`.

    Raises:
        ParamError.
    """
    out: list[Spec] = []
    for act, combos in sweeps:
        if isinstance(act, Loss):
            out += _loss_specs(act, combos)
            continue
        for combo in combos or ({},):
            given = dict(combo)
            extra = {k: v for k, v in act.illustrative().items() if k not in given}
            bound = act.bind({**given, **extra})
            if act.kind == "axis":
                bound["dim"] = -1
            out.append(Spec(act, bound, (*given.items(), *extra.items())))
    return out


#: The value a required array argument of a loss takes on a plot (gaussian_nll_loss's var).
LOSS_ARRAY_DEFAULT = 1.0


def _loss_specs(loss: Loss, combos: Sequence[Mapping[str, Any]]) -> list[Spec]:
    """A loss's specs: each combination of the swept parameters, plus its required array
    arguments at :data:`LOSS_ARRAY_DEFAULT` (written on the plot)."""
    extra = {a.name: LOSS_ARRAY_DEFAULT for a in loss.arrays if a.required}
    return [
        Spec(loss, {**loss.bind(dict(combo)), **extra}, (*dict(combo).items(), *extra.items()))
        for combo in (combos or ({},))
    ]


def _loss_values(loss: Loss, params: Mapping[str, Any], x: Array) -> tuple[Array, Array]:
    """The unreduced loss and its derivative along the plotted variable ``x``."""
    from .lossengine import loss as loss_value
    from .lossengine import loss_gradient

    assert loss.plot is not None
    scalars = {k: v for k, v in params.items() if loss.array(k) is None}
    arrays = loss.plot.arrays(x, scalars)
    ins = [arrays[n] for n in loss.inputs]
    first: Any = tuple(ins[:-1]) if len(ins) > 2 else ins[0]
    y = loss_value(loss, first, ins[-1], "none", **params)
    g = loss_gradient(loss, first, ins[-1], None, "none", **params)
    return y, g if loss.plot.pick is None else loss.plot.pick(g)


def _kinks(record: Activation | Loss, params: Mapping[str, Any]) -> tuple[float, ...]:
    if isinstance(record, Loss):
        return record.kink_points({k: v for k, v in params.items() if record.array(k) is None})
    return record.kink_points(params)


def default_span(records: Sequence[Activation | Loss]) -> tuple[float, float] | None:
    """The x-range of a plot of losses only (the first loss's plot span), else None."""
    if records and all(isinstance(r, Loss) and r.plot is not None for r in records):
        first = records[0]
        assert isinstance(first, Loss) and first.plot is not None
        return first.plot.span
    return None


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
        return apply(act, params, x), apply_gradient(act, params, x)
    u = np.asarray(axis_view(act).direction)
    rows = x[:, None] * u
    y = apply(act, params, rows)
    if act.kernels.reduces:  # one value per row
        return y, apply_gradient(act, params, rows, np.ones_like(y)) @ u
    g = np.zeros_like(y)
    g[:, 0] = 1.0
    return y[:, 0], apply_gradient(act, params, rows, g) @ u


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


def sample(
    spec: Spec,
    start: float,
    stop: float,
    points: int,
    derivative: bool = True,
    order: int = 1,
) -> Curve:
    """Sample ``spec`` on [start, stop] (kinks included exactly); ``order=2`` adds f''."""
    act = spec.record
    second = isinstance(act, Activation) and act.kernels.second is not None
    if order == 2 and not (second and isinstance(act, Activation) and act.kind == "elementwise"):
        raise OptionError(f"--order 2 draws f'' of elementwise activations; {act.name} is not one")
    kinks = tuple(k for k in _kinks(act, spec.params) if start <= k <= stop)
    x = sample_points(start, stop, points, kinks)
    if isinstance(act, Loss):
        with np.errstate(all="ignore"):
            y, dy = _loss_values(act, spec.params, x)
        return Curve(spec, x, y, dy if derivative else None, kinks, ())
    with np.errstate(all="ignore"):
        y, dy = _values(act, spec.params, x)
        d2y = apply_gradient(act, spec.params, x, order=2) if order == 2 else None
    return Curve(spec, x, y, dy if derivative else None, kinks, _asymptotes(act, spec.params), d2y)


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
    ds = [c.dy for c in curves if c.dy is not None] + [c.d2y for c in curves if c.d2y is not None]
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


def _draw(
    ax: Axes,
    curves: Sequence[Curve],
    *,
    tile: bool = False,
    ylim: tuple[float, float] | None = None,
) -> None:
    """Draw ``curves`` into ``ax``: lines, jump dots, asymptotes, axes through the origin.

    f is solid; f' (dashed) and f'' (dotted) are drawn over it in a lighter tint of the same
    colour, so that where they coincide with f both stay visible. ``ylim`` replaces the
    y-range that fits the curves.
    """
    from matplotlib.ticker import MaxNLocator

    x0, x1 = float(curves[0].x[0]), float(curves[0].x[-1])
    lo, hi = _limits(curves) if ylim is None else ylim
    width = 1.5 if tile else 1.9
    for i, c in enumerate(curves):
        colour = PALETTE[i % len(PALETTE)]
        series: list[tuple[str, Array, Any]] = [(_FUNCTION, c.y, "-")]
        if c.dy is not None:
            series.append((_DERIVATIVE, c.dy, (0, (4.0, 2.0))))
        if c.d2y is not None:
            series.append((_SECOND, c.d2y, _SECOND_STYLE))
        for gid, y, style in series:
            xs, ys, jumps = _broken(c.x, y, c.kinks)
            first = gid == _FUNCTION
            lw = width if first else 0.8 * width
            shade, z = (colour, 3.0) if first else (tint(colour), 3.5)
            ax.plot(xs, ys, color=shade, lw=lw, ls=style, zorder=z, gid=gid)
            for k in jumps:
                v = y[int(np.searchsorted(c.x, k))]
                ms = 3.2 if tile else 4.0
                ax.plot([k], [v], "o", color=shade, ms=ms, zorder=4, clip_on=False, gid="kink")
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


def _title(act: Activation | Loss, extra: str = "") -> str:
    """Two lines: the name (and what is drawn, and the parameters), then the formula."""
    bold = act.name
    if isinstance(act, Activation) and act.kind == "axis":
        view = axis_view(act)
        bold += " on [x, x]" if view.direction == (1.0, 1.0) else " of [x, 0], output 1"
    if extra:
        bold += f"  ({extra})"
    # Display-style fractions: text-style ones are too small to read in a title.
    return bold + "\n" + act.doc.mathtext.replace(r"\frac", r"\dfrac")


def _style_handles(derivative: bool, colour: str = "0.2", second: bool = False) -> list[Any]:
    from matplotlib.lines import Line2D

    light = tint(colour) if colour.startswith("#") else "0.6"
    handles = [Line2D([], [], color=colour, lw=1.9, label="f(x)")]
    if derivative:
        handles.append(Line2D([], [], color=light, lw=1.5, ls=(0, (4.0, 2.0)), label="f′(x)"))
    if second:
        handles.append(Line2D([], [], color=light, lw=1.5, ls=_SECOND_STYLE, label="f″(x)"))
    return handles


def _legend(ax: Axes, curves: Sequence[Curve], derivative: bool, place: str = "best") -> None:
    """The legend at ``place`` (a Matplotlib location; ``none``: no legend). A single curve
    without derivatives gets none: the title names it."""
    from matplotlib.lines import Line2D

    handles: list[Any] = []
    multi = len({c.spec.name for c in curves}) > 1
    second = curves[0].d2y is not None
    if place == "none" or (len(curves) == 1 and not derivative and not second):
        return
    if len(curves) == 1:
        handles = _style_handles(derivative, PALETTE[0], second)
        act = curves[0].spec.record
        if isinstance(act, Activation) and act.kind == "axis":
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
        if derivative or second:  # the key to the styles; without derivatives all are solid
            handles += _style_handles(derivative, second=second)
    loc: Any = place  # one of LEGEND_PLACES, checked by Options
    ax.legend(handles=handles, loc=loc, frameon=True, framealpha=0.9, edgecolor="0.85")


@contextmanager
def _style(font_size: float | None = None) -> Iterator[None]:
    """Matplotlib's settings for actcli's figures; ``font_size`` (points) scales every text
    size from the default 10."""
    import matplotlib

    rc = dict(_RC)
    if font_size is not None:
        scale = font_size / _RC["font.size"]
        rc.update({k: _RC[k] * scale for k in _TEXT_SIZES})
    with matplotlib.rc_context(rc):
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
    ylim: tuple[float, float] | None = None,
    legend: str = "best",
    font_size: float | None = None,
) -> Figure:
    """One axes holding every curve (one activation, a sweep, or an overlay of several).

    ``ylim`` fixes the y-range, ``legend`` places the legend (see :data:`LEGEND_PLACES`),
    ``font_size`` scales the text (points; default 10).
    """
    if not curves:
        raise OptionError("nothing to plot")
    if len(curves) > MAX_CURVES:
        raise OptionError(f"one plot holds at most {MAX_CURVES} curves, got {len(curves)}")
    derivative = curves[0].dy is not None
    with _style(font_size):
        fig = _figure(size, dpi)
        ax = fig.add_subplot()
        _draw(ax, curves, ylim=ylim)
        _legend(ax, curves, derivative, legend)
        plotted = list(dict.fromkeys(c.spec.name for c in curves))
        if title is None:
            if len(plotted) == 1:
                only = curves[0].spec.label if len(curves) == 1 else ""
                title = _title(curves[0].spec.record, only)
            else:
                title = ", ".join(plotted)
        text = ax.set_title(title, va="bottom", fontweight="bold")
        ax.set_xlabel(_x_label([c.spec.record for c in curves]))
        ax.set_ylabel(_y_label(curves))
        left, right, bottom = _MARGINS
        top = _fit_titles(fig, [text], size[0] - 0.2) + _TITLE_GAP + 0.1
        fig.subplots_adjust(**_grid_params(size, 1, 1, (left, right, top, bottom)))
    return fig


def _y_label(curves: Sequence[Curve]) -> str:
    """``f(x), f′(x)``: what the curves show (a loss: its value and derivative in d)."""
    x = _x_label([c.spec.record for c in curves]).split(" ")[0]
    f = "loss" if all(isinstance(c.spec.record, Loss) for c in curves) else "f"
    parts = [f"{f}({x})"]
    if curves[0].dy is not None:
        parts.append(f"{f}′({x})")
    if curves[0].d2y is not None:
        parts.append(f"{f}″({x})")
    return ", ".join(parts)


def _x_label(plotted: Sequence[Activation | Loss]) -> str:
    """``x``, or a loss's plot variable (``d = input − target``) when every curve shares it."""
    labels = set()
    for record in plotted:
        labels.add(record.plot.x_label if isinstance(record, Loss) and record.plot else "x")
    return labels.pop() if len(labels) == 1 else "x"


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
                    _title(c.spec.record, c.spec.label),
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
        if title is None and isinstance(curves[0].spec.record, Loss):
            title = f"actcli: {len(curves)} losses and their derivatives (reduction none)"
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
    order: int = 1
    #: False when the range is the default: a plot of losses then takes their own span.
    span_given: bool = False
    #: The y-range (default: fitted to the curves), the legend's place, the font size.
    ylim: tuple[float, float] | None = None
    legend: str = "best"
    font_size: float | None = None

    def __post_init__(self) -> None:
        check_range(self.start, self.stop, self.points)
        if not all(math.isfinite(v) and v > 0 for v in self.size):
            raise OptionError(f"the size must be positive, got {self.size}")
        if not 10 <= self.dpi <= MAX_DPI:
            raise OptionError(f"--dpi must be from 10 to {MAX_DPI}, got {self.dpi:g}")
        if self.title is not None:
            _check_mathtext(self.title)
        if self.legend not in LEGEND_PLACES:
            raise OptionError(f"--legend must be one of: {', '.join(LEGEND_PLACES)}")
        if self.font_size is not None and not 4 <= self.font_size <= 40:
            raise OptionError(f"--font-size must be from 4 to 40 points, got {self.font_size:g}")


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


def file_stem(name: str) -> str:
    """A file name for ``name``: itself, or for an expression its letters, digits and dots with
    ``_`` for the rest (``x*sigmoid(1.702*x)`` -> ``x_sigmoid_1.702_x``), at most 60 of them."""
    stem = re.sub(r"[^A-Za-z0-9.]+", "_", name).strip("_.")[:60].strip("_.")
    return stem or "expression"


def plot(
    todo: Sequence[Spec],
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
    current one). ``todo`` comes from :func:`specs`. Returns the paths written.
    """
    opts = options or Options()
    if not todo:
        raise OptionError("give at least one activation NAME, or --all")
    chosen = list(dict.fromkeys(s.name for s in todo))
    span = None if opts.span_given else default_span([s.record for s in todo])
    if span is not None:  # losses only: their own plot variable's span
        opts = dataclasses.replace(opts, start=span[0], stop=span[1], span_given=True)
    groups = (
        [todo]
        if overlay or len(chosen) == 1
        else [[s for s in todo if s.name == n] for n in chosen]
    )
    if len(groups) == 1:
        stem = "-".join(file_stem(n) for n in chosen)
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
        targets = [folder / f"{file_stem(n)}.{fmt}" for n in chosen]
    written = []
    for group, target in zip(groups, targets, strict=True):
        curves = [
            sample(s, opts.start, opts.stop, opts.points, opts.derivative, opts.order)
            for s in group
        ]
        fig = figure(
            curves,
            size=opts.size,
            dpi=opts.dpi,
            title=opts.title,
            ylim=opts.ylim,
            legend=opts.legend,
            font_size=opts.font_size,
        )
        written.append(save(fig, target, fmt))
    return written


def plot_all(
    output: Path | None = None,
    *,
    fmt: str | None = None,
    options: Options | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[Path]:
    """One file per activation (``relu.png``, ...), ``gallery.png`` and the losses sheet
    ``losses.png`` in ``output``.

    ``output`` defaults to ``plots/`` and is created if missing; ``options.title`` titles the
    gallery. Each file is written atomically as soon as it is drawn; ``progress(name)`` is
    called after each. Returns the paths written, the gallery last.
    """
    opts = options or Options()
    fmt = resolve_format(None, fmt)
    folder = _folder(output or Path("plots"))
    todo = specs([(act, []) for act in activations()])
    curves = [sample(s, opts.start, opts.stop, opts.points, opts.derivative) for s in todo]
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
    # The losses sheet: each loss on its own plot span unless a range was given.
    loss_curves = []
    for loss in all_losses():
        lo, hi = (opts.start, opts.stop) if opts.span_given or loss.plot is None else loss.plot.span
        for s in specs([(loss, [])]):
            loss_curves.append(sample(s, lo, hi, opts.points, opts.derivative))
    fig = gallery(loss_curves, dpi=opts.dpi)
    written.append(save(fig, folder / f"{LOSSES_SHEET_NAME}.{fmt}", fmt))
    if progress is not None:
        progress(LOSSES_SHEET_NAME)
    return written


def compare_figure(
    subjects: Sequence[tuple[Activation, Mapping[str, Any]]],
    *,
    options: Options | None = None,
) -> Figure:
    """``actcli compare --plot``: f (solid) and f' (dashed) of every (name, bound parameters)
    in one axes, each kink marked on f by a ring in the curve's colour (plus the usual dot
    where f or f' jumps). Parameters that differ from the defaults are written in the legend.
    """
    opts = options or Options()
    curves = []
    for act, params in subjects:
        defaults = act.defaults()
        shown = tuple((k, v) for k, v in params.items() if k not in defaults or defaults[k] != v)
        spec = Spec(act, dict(params), shown)
        curves.append(sample(spec, opts.start, opts.stop, opts.points, opts.derivative))
    title = opts.title or " vs ".join(_curve_label(c) for c in curves)
    fig = figure(curves, size=opts.size, dpi=opts.dpi, title=title)
    ax = fig.axes[0]
    for i, c in enumerate(curves):
        colour = PALETTE[i % len(PALETTE)]
        for k in c.kinks:
            v = c.y[int(np.searchsorted(c.x, k))]
            ax.plot([k], [v], "o", mfc="none", mec=colour, ms=7, mew=1.3, zorder=5, gid="kink-mark")
    # One legend entry per curve, named with its non-default parameters (the same function may
    # appear twice, e.g. gelu and gelu with approximate=tanh), then the key to the styles.
    from matplotlib.lines import Line2D

    handles: list[Any] = [
        Line2D([], [], color=PALETTE[i % len(PALETTE)], lw=1.9, label=_curve_label(c))
        for i, c in enumerate(curves)
    ]
    handles += _style_handles(opts.derivative)
    handles.append(Line2D([], [], ls="none", marker="o", mfc="none", mec="0.2", ms=7, label="kink"))
    ax.legend(handles=handles, loc="best", frameon=True, framealpha=0.9, edgecolor="0.85")
    return fig


def _curve_label(c: Curve) -> str:
    return f"{c.spec.name} ({c.spec.label})" if c.spec.label else c.spec.name
