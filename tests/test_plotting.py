"""actcli.plotting: sampling, figures, files, and the ``plot`` command (CliRunner)."""

from __future__ import annotations

import struct
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

from actcli import get, names, options, plotting
from actcli.cli import cli
from actcli.errors import OptionError, OutputError, ParamError, UnknownActivationError
from actcli.options import split_pairs


def make_specs(names_: list[str], raw: dict[str, str] | None = None) -> list[plotting.Spec]:
    """plotting.specs for names and ``-p`` text, as the CLI builds them."""
    acts = [get(n) for n in names_]
    return plotting.specs(options.plot_sweeps(acts, raw or {}, plotting.MAX_CURVES))


def plot(names_: list[str], pairs: tuple[str, ...] | list[str] = (), **kw: Any) -> list[Path]:
    """plotting.plot for names and ``-p KEY=VALUE`` pairs."""
    return plotting.plot(make_specs(names_, split_pairs(pairs)), **kw)


#: Small and fast: the look is checked by eye, the tests check the mechanics.
FAST = plotting.Options(points=101, dpi=40)


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height from a PNG's IHDR chunk (after checking the signature)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    width, height = struct.unpack(">II", data[16:24])
    return width, height


def pixel_std(path: Path) -> float:
    from matplotlib.image import imread

    return float(np.std(imread(path)[..., :3]))


def lines(fig: Any, gid: str) -> list[Any]:
    return [line for ax in fig.axes for line in ax.lines if line.get_gid() == gid]


def curves(name: str, *pairs: str, **kw: Any) -> list[plotting.Curve]:
    specs = make_specs([name], split_pairs(pairs))
    return [plotting.sample(s, kw.get("start", -6.0), kw.get("stop", 6.0), 101) for s in specs]


# --- sampling ----------------------------------------------------------------------------------
def test_sample_points_include_each_kink_and_its_float_neighbours() -> None:
    x = plotting.sample_points(-6.0, 6.0, 50, [-2.0, 0.3, 9.0])
    for k in (-2.0, 0.3):
        assert k in x
        assert np.nextafter(k, -np.inf) in x
        assert np.nextafter(k, np.inf) in x
    assert x.max() == 6.0 and x.min() == -6.0  # 9 is outside and not added
    assert np.all(np.diff(x) > 0)


def test_sampled_curve_has_the_kinks_of_its_parameters() -> None:
    (c,) = curves("hardtanh", "min_val=-2", "max_val=0.3")
    assert c.kinks == (-2.0, 0.3)
    assert -2.0 in c.x and 0.3 in c.x
    i = int(np.searchsorted(c.x, 0.3))
    assert c.y[i] == 0.3 and c.y[i - 1] < 0.3  # the corner itself is a sample point


def test_axis_functions_use_the_stated_convention() -> None:
    x = np.linspace(-6, 6, 101)
    sig = 1 / (1 + np.exp(-x))
    (sm,) = curves("softmax")
    assert sm.dy is not None
    np.testing.assert_allclose(sm.y, sig, rtol=1e-12)  # softmax([x, 0])_1 = sigmoid(x)
    np.testing.assert_allclose(sm.dy, sig * (1 - sig), rtol=1e-9, atol=1e-15)
    (sn,) = curves("softmin")
    np.testing.assert_allclose(sn.y, 1 - sig, rtol=1e-9, atol=1e-15)
    (ls,) = curves("log_softmax")
    np.testing.assert_allclose(ls.y, -np.log1p(np.exp(-x)), rtol=1e-12)
    (glu,) = curves("glu")  # glu([x, x]) = x * sigmoid(x); d/dx = s + x s (1 - s)
    assert glu.dy is not None
    np.testing.assert_allclose(glu.y, x * sig, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(glu.dy, sig + x * sig * (1 - sig), rtol=1e-9, atol=1e-15)
    assert "[x, 0]" in plotting.axis_view(get("softmax")).text
    assert "[x, x]" in plotting.axis_view(get("glu")).text


def test_asymptotes_are_the_finite_nonzero_limits() -> None:
    assert curves("sigmoid")[0].asymptotes == (1.0,)
    assert sorted(curves("tanh")[0].asymptotes) == [-1.0, 1.0]
    (elu,) = curves("elu", "alpha=2")
    assert elu.asymptotes == (-2.0,)
    assert curves("relu")[0].asymptotes == ()  # 0 is the axis; +inf is not finite
    assert curves("squareplus")[0].asymptotes == ()  # b / 4|x| -> 0, however slowly
    assert curves("softsign")[0].asymptotes == pytest.approx((-1.0, 1.0), abs=1e-12)


# --- parameters and sweeps -------------------------------------------------------------------
def test_sweep_gives_one_spec_per_value_and_labels_them() -> None:
    specs = make_specs(["leaky_relu"], {"negative_slope": "0.01,0.1,0.3"})
    assert [s.params["negative_slope"] for s in specs] == [0.01, 0.1, 0.3]
    assert [s.label for s in specs] == [f"negative_slope={v}" for v in ("0.01", "0.1", "0.3")]
    both = make_specs(["elu", "celu"], {"alpha": "0.5,2"})
    assert [(s.name, s.params["alpha"]) for s in both] == [
        ("elu", 0.5),
        ("elu", 2.0),
        ("celu", 0.5),
        ("celu", 2.0),
    ]


def test_prelu_weight_comma_list_is_a_sweep_of_numbers() -> None:
    specs = make_specs(["prelu"], {"weight": "0.1,0.25"})
    assert [s.params["weight"] for s in specs] == [0.1, 0.25]


def test_required_parameters_get_shown_illustrative_values() -> None:
    (spec,) = make_specs(["threshold"])
    assert spec.params == {"threshold": 1.0, "value": 0.0}
    assert spec.label == "threshold=1, value=0"
    (given,) = make_specs(["threshold"], {"value": "-2"})
    assert given.params == {"threshold": 1.0, "value": -2.0}


@pytest.mark.parametrize(
    ("names_", "raw", "error", "text"),
    [
        (["relu"], {"slope": "1"}, ParamError, "takes no parameters"),
        (["leaky_relu"], {"negative_slope": "a,b"}, ParamError, "must be a number"),
        (["softmax"], {"dim": "0"}, ParamError, "cannot be set for a plot"),
        (["elu"], {"alpha": ",".join(["1"] * 9)}, ParamError, "at most 8"),
        (["nope"], {}, UnknownActivationError, "unknown activation 'nope'"),
    ],
)
def test_bad_parameters_raise(
    names_: list[str], raw: dict[str, str], error: type, text: str
) -> None:
    with pytest.raises(error, match=text):
        make_specs(names_, raw)


def test_split_pairs() -> None:
    assert split_pairs(["negative-slope=0.1,0.2"]) == {"negative_slope": "0.1,0.2"}
    with pytest.raises(ParamError, match="KEY=VALUE"):
        split_pairs(["alpha"])
    with pytest.raises(ParamError, match="twice"):
        split_pairs(["alpha=1", "alpha=2"])


# --- figures -------------------------------------------------------------------------------------
def test_sweep_figure_has_one_solid_and_one_dashed_line_per_value() -> None:
    fig = plotting.figure(curves("leaky_relu", "negative_slope=0.01,0.1,0.3"), dpi=40)
    solid, dashed = lines(fig, "function"), lines(fig, "derivative")
    assert len(solid) == 3 and len(dashed) == 3
    assert all(line.get_linestyle() == "-" for line in solid)
    assert all(line.get_linestyle() == "--" for line in dashed)
    colours = [line.get_color() for line in solid]
    assert len(set(colours)) == 3
    # the derivative in a lighter tint of the same colour
    assert [line.get_color() for line in dashed] == [plotting.tint(c) for c in colours]
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert "negative_slope=0.3" in legend


def test_no_derivative_draws_no_dashed_line() -> None:
    specs = make_specs(["tanh"])
    c = plotting.sample(specs[0], -3.0, 3.0, 51, derivative=False)
    fig = plotting.figure([c], dpi=40)
    assert len(lines(fig, "function")) == 1 and lines(fig, "derivative") == []
    pair = make_specs(["elu", "selu"])
    both = [plotting.sample(s, -3.0, 3.0, 51, derivative=False) for s in pair]
    legend = plotting.figure(both, dpi=40).axes[0].get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["elu", "selu"]  # no solid/dashed key


def test_a_jump_breaks_the_line_and_a_dot_marks_the_value_at_the_kink() -> None:
    fig = plotting.figure(curves("threshold"), dpi=40)  # jumps from 0 to 1 at x = 1
    (f,) = lines(fig, "function")
    assert np.isnan(f.get_ydata()).any()
    dots = [(line.get_xdata()[0], line.get_ydata()[0]) for line in lines(fig, "kink")]
    assert (1.0, 0.0) in dots  # threshold(1) = value = 0
    (relu,) = lines(plotting.figure(curves("relu"), dpi=40), "function")
    assert not np.isnan(relu.get_ydata()).any()  # a continuous kink is not broken


def test_y_limits_keep_the_function_readable() -> None:
    x = np.linspace(-1, 1, 11)
    spec = plotting.Spec(get("relu"), {})
    big = plotting.Curve(spec, x, np.clip(x, 0, 1), np.full_like(x, 100.0), (), ())
    lo, hi = plotting._limits([big])
    assert lo < 0 < 1 < hi <= 2.5  # the derivative (100) may add one function span, no more
    fig = plotting.figure([big], dpi=40)
    assert fig.axes[0].get_ylim() == pytest.approx((lo, hi))


def test_flat_curves_and_tiny_ranges_draw_without_warnings(tmp_path: Path) -> None:
    flat = plotting.Options(start=0.0, stop=1.0, points=11, dpi=40)  # threshold: 0 on [0, 1]
    tiny = plotting.Options(start=1e-9, stop=2e-9, points=11, dpi=40)
    for i, opts in enumerate((flat, tiny)):  # pytest turns any Matplotlib warning into an error
        (path,) = plot(["threshold"], output=tmp_path / f"{i}.png", options=opts)
        assert pixel_std(path) > 0.05


def test_titles_hold_name_and_formula_and_fit_the_figure() -> None:
    fig = plotting.figure(curves("softmax"), size=(4.0, 3.0), dpi=60)
    ax = fig.axes[0]
    assert ax.get_title().startswith("softmax of [x, 0]")
    assert get("softmax").doc.mathtext.replace(r"\frac", r"\dfrac") in ax.get_title()
    fig.canvas.draw()
    box = ax.title.get_window_extent()
    width, height = fig.bbox.width, fig.bbox.height
    assert box.x0 >= 0 and box.x1 <= width and box.y1 <= height  # not clipped
    long = plotting.figure(curves("relu"), size=(2.0, 2.0), dpi=60, title="x" * 80)
    long.canvas.draw()
    assert long.axes[0].title.get_window_extent().width <= long.bbox.width


def test_gallery_has_one_tile_per_curve_with_equal_axes() -> None:
    cs = [c for n in ("relu", "sigmoid", "softmax", "threshold", "gelu") for c in curves(n)]
    fig = plotting.gallery(cs, columns=2, dpi=40)
    tiles = [ax for ax in fig.axes if ax.axison]
    assert len(tiles) == 5
    assert {ax.get_xlim() for ax in tiles} == {(-6.0, 6.0)}
    sizes = {tuple(np.round(ax.get_position().size, 6)) for ax in tiles}
    assert len(sizes) == 1
    assert fig.axes[-1].get_legend() is not None  # the key sits in the spare tile


# --- files ---------------------------------------------------------------------------------------
@pytest.fixture(scope="module")
def gallery_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """``actcli plot --all`` once, small and fast, through the command line."""
    out = tmp_path_factory.mktemp("plots")
    result = CliRunner().invoke(
        cli, ["plot", "--all", "-o", str(out), "--dpi", "40", "--points", "101"]
    )
    assert result.exit_code == 0, result.output
    assert result.stdout == ""  # not a terminal: no progress bar, only the summary on stderr
    assert result.stderr == f"Wrote {len(names()) + 2} files to {out}\n"
    return out


def test_plot_all_reports_progress_per_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(plotting, "activations", lambda: [get("relu"), get("tanh")])
    seen: list[str] = []
    written = plotting.plot_all(tmp_path / "new", options=FAST, progress=seen.append)
    assert seen == ["relu", "tanh", "gallery", "losses"]
    assert [p.name for p in written] == ["relu.png", "tanh.png", "gallery.png", "losses.png"]


def test_plot_all_writes_one_png_per_activation_and_the_gallery(gallery_dir: Path) -> None:
    expected = {f"{n}.png" for n in names()} | {"gallery.png", "losses.png"}
    assert {p.name for p in gallery_dir.iterdir()} == expected  # no temporary files left
    w, h = plotting.DEFAULT_SIZE
    for name in names():
        data = (gallery_dir / f"{name}.png").read_bytes()
        assert png_size(data) == (round(w * 40), round(h * 40))
        assert b"Software" not in data and b"matplotlib" not in data.lower()
    gw, gh = png_size((gallery_dir / "gallery.png").read_bytes())
    tile_w, tile_h = plotting.TILE_SIZE
    rows = -(-len(names()) // plotting.GALLERY_COLUMNS)
    assert gw > plotting.GALLERY_COLUMNS * tile_w * 40 and gh > rows * tile_h * 40


def test_plots_are_not_blank(gallery_dir: Path) -> None:
    for path in gallery_dir.iterdir():
        assert pixel_std(path) > 0.05, path.name


def test_a_second_run_is_byte_identical(tmp_path: Path, gallery_dir: Path) -> None:
    opts = plotting.Options(points=101, dpi=40)
    again = plot(["relu", "softmax", "threshold"], output=tmp_path, options=opts)
    for path in again:
        assert path.read_bytes() == (gallery_dir / path.name).read_bytes(), path.name


@pytest.mark.parametrize("fmt", ["svg", "pdf"])
def test_svg_and_pdf_are_valid_and_reproducible(tmp_path: Path, fmt: str) -> None:
    first = plot(["gelu"], ["approximate=none,tanh"], output=tmp_path / f"a.{fmt}")
    second = plot(["gelu"], ["approximate=none,tanh"], output=tmp_path / f"b.{fmt}")
    data = first[0].read_bytes()
    assert data == second[0].read_bytes()
    if fmt == "svg":
        root = ET.fromstring(data)
        assert root.tag == "{http://www.w3.org/2000/svg}svg"
        assert b"<dc:date>" not in data
    else:
        assert data.startswith(b"%PDF-1.") and data.rstrip().endswith(b"%%EOF")
        assert b"CreationDate" not in data and b"Producer" not in data


def test_output_names_and_formats(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    assert plot(["relu"], options=FAST) == [Path("relu.png")]
    assert plot(["relu", "gelu"], overlay=True, options=FAST) == [Path("relu-gelu.png")]
    sub = tmp_path / "sub"
    assert plot(["relu", "tanh"], output=sub, options=FAST) == [
        sub / "relu.png",
        sub / "tanh.png",
    ]
    assert plot(["tanh"], output=sub, fmt="svg", options=FAST) == [sub / "tanh.svg"]
    assert plot(["tanh"], output=Path("t"), fmt="pdf", options=FAST) == [Path("t.pdf")]


@pytest.mark.parametrize(
    ("output", "fmt", "text"),
    [
        ("x.jpg", None, "unknown format '.jpg'"),
        ("x.png", "gif", "unknown format 'gif'"),
        ("x.png", "svg", "does not end in .svg"),
    ],
)
def test_format_errors_write_nothing(
    tmp_path: Path, output: str, fmt: str | None, text: str
) -> None:
    with pytest.raises(OptionError, match=text):
        plot(["relu"], output=tmp_path / output, fmt=fmt, options=FAST)
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    ("kw", "text"),
    [
        ({"start": 2.0, "stop": 1.0}, "start must be below"),
        ({"start": 0.0, "stop": float("inf")}, "must be finite"),
        ({"start": 1e-300, "stop": 2e-300}, "too narrow"),
        ({"points": 1}, "--points"),
        ({"size": (0.0, 3.0)}, "positive"),
        ({"dpi": 5000}, "--dpi"),
        ({"title": "$\\nosuchsymbol$"}, "not valid mathtext"),
    ],
)
def test_option_errors(kw: dict[str, Any], text: str) -> None:
    with pytest.raises(OptionError, match=text):
        plotting.Options(**kw)


def test_parse_size() -> None:
    assert options.parse_size("6.4x4") == (6.4, 4.0)
    for bad in ("6", "ax4", "0x4", "6x-1", "6xnan"):
        with pytest.raises(OptionError, match="WIDTHxHEIGHT"):
            options.parse_size(bad)


def test_unwritable_output_is_an_output_error_without_partial_files(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(OutputError, match="cannot write"):
        plot(["relu"], output=blocker / "x.png", options=FAST)
    with pytest.raises(OptionError, match="is a file"):
        plot(["relu", "tanh"], output=blocker, options=FAST)
    with pytest.raises(OutputError, match="cannot create the folder"):
        plotting.plot_all(blocker / "sub", options=FAST)
    assert [p.name for p in tmp_path.iterdir()] == ["file"]


def test_importing_actcli_does_not_import_matplotlib() -> None:
    code = "import sys, actcli, actcli.plotting, actcli.cli; print('matplotlib' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"


# --- the command line ------------------------------------------------------------------------
def run(*args: Any) -> Any:
    return CliRunner().invoke(cli, ["plot", *map(str, args)])


def test_cli_plot_one_file(tmp_path: Path) -> None:
    out = tmp_path / "gelu.png"
    result = run("gelu", "-o", out, "--dpi", 40, "--figsize", "4x3", "--points", 51)
    assert result.exit_code == 0, result.output
    assert result.stderr == f"Wrote {out}\n"
    assert png_size(out.read_bytes()) == (160, 120)


def test_cli_plot_sweep_overlay_and_formats(tmp_path: Path) -> None:
    svg = tmp_path / "sweep.svg"
    assert run("elu", "celu", "--overlay", "-p", "alpha=0.5,2", "-o", svg).exit_code == 0
    assert ET.fromstring(svg.read_bytes()).tag.endswith("svg")
    result = run("relu", "tanh", "--format", "pdf", "--no-derivative", "-o", tmp_path)
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["relu.pdf", "sweep.svg", "tanh.pdf"]
    assert (tmp_path / "relu.pdf").read_bytes().startswith(b"%PDF-")


@pytest.mark.parametrize(
    ("args", "code", "text"),
    [
        (["nope"], 2, "unknown activation or loss 'nope'"),
        (["relu", "--range", "5:1"], 2, "START < STOP"),
        (["relu", "--range", "a:b"], 2, "must be numbers"),
        (["relu", "-o", "{tmp}/x.jpg"], 2, "unknown format '.jpg'"),
        (["relu", "--format", "gif", "-o", "{tmp}/x"], 2, "'gif' is not one of 'png', 'svg'"),
        (["relu", "--figsize", "big"], 2, "WIDTHxHEIGHT"),
        (["leaky_relu", "-p", "negative_slope=x"], 2, "must be a number"),
        (["--all", "relu", "-o", "{tmp}"], 2, "--all takes no NAME"),
        ([], 2, "give at least one activation NAME"),
        (["relu", "-o", "{tmp}/missing/x.png"], 1, "cannot write"),
        (["relu", "tanh", "-o", "{tmp}/file"], 2, "is a file"),
        (["elu", "celu", "--overlay", "-p", "alpha=1,2,3,4,5"], 2, "at most 8 curves"),
    ],
)
def test_cli_errors_are_one_line_and_leave_no_files(
    tmp_path: Path, args: list[str], code: int, text: str
) -> None:
    (tmp_path / "file").write_text("in the way")
    result = run(*(a.replace("{tmp}", str(tmp_path)) for a in args))
    assert result.exit_code == code, result.output
    assert result.stderr.startswith("Error: ") and text in result.stderr
    assert result.stderr.count("\n") == 1 and "Traceback" not in result.output
    assert [p.name for p in tmp_path.iterdir()] == ["file"]


def test_order_two_draws_the_second_derivative_dotted() -> None:
    (spec,) = make_specs(["tanh"])
    c = plotting.sample(spec, -3.0, 3.0, 61, order=2)
    assert c.d2y is not None
    # tanh'' = -2 tanh(x) sech²(x)
    np.testing.assert_allclose(c.d2y, -2 * np.tanh(c.x) / np.cosh(c.x) ** 2, rtol=1e-12)
    fig = plotting.figure([c], dpi=40)
    (dotted,) = lines(fig, "second")
    (solid,) = lines(fig, "function")
    assert dotted.get_linestyle() != "-" and dotted.get_color() == plotting.tint(solid.get_color())
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend == ["f(x)", "f′(x)", "f″(x)"]
    assert plotting.sample(spec, -3.0, 3.0, 61).d2y is None


def test_order_two_refuses_axis_functions() -> None:
    (spec,) = make_specs(["softmax"])
    with pytest.raises(OptionError, match="elementwise"):
        plotting.sample(spec, -3.0, 3.0, 61, order=2)


def test_plot_command_order_two(tmp_path: Path) -> None:
    out = tmp_path / "g.png"
    r = CliRunner().invoke(cli, ["plot", "gelu", "--order", "2", "-o", str(out)])
    assert r.exit_code == 0, r.output
    assert out.read_bytes()[:4] == b"\x89PNG"


def test_compare_figure_marks_every_kink_and_names_each_curve() -> None:
    given = [("relu", {}), ("hardtanh", {"min_val": -1.0, "max_val": 1.0}), ("gelu", {})]
    subjects = [(get(n), get(n).bind(p)) for n, p in given]
    fig = plotting.compare_figure(subjects, options=plotting.Options(dpi=40))
    marks = lines(fig, "kink-mark")
    assert sorted(float(m.get_xdata()[0]) for m in marks) == [-1.0, 0.0, 1.0]
    assert len(lines(fig, "function")) == 3 and len(lines(fig, "derivative")) == 3
    legend = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert legend[:3] == ["relu", "hardtanh", "gelu"] and "kink" in legend
    twice = plotting.compare_figure(
        [(get("gelu"), {"approximate": "none"}), (get("gelu"), {"approximate": "tanh"})],
        options=plotting.Options(dpi=40),
    )
    names = [t.get_text() for t in twice.axes[0].get_legend().get_texts()][:2]
    assert names == ["gelu", "gelu (approximate=tanh)"]


def test_plot_all_refuses_order_two(tmp_path: Path) -> None:
    r = CliRunner().invoke(cli, ["plot", "--all", "--order", "2", "-o", str(tmp_path)])
    assert r.exit_code == 2
    assert "--all takes no NAME, --param, --overlay or --order" in r.output
    assert list(tmp_path.iterdir()) == []


# --- issue 16 --------------------------------------------------------------------------------


def test_several_plots_to_one_image_path_are_refused(tmp_path: Path) -> None:
    with pytest.raises(OptionError, match=r"2 plots cannot go to the one file '.*one\.png'"):
        plot(["relu", "gelu"], output=tmp_path / "one.png")
    assert list(tmp_path.iterdir()) == []  # no folder named one.png
    result = CliRunner().invoke(cli, ["plot", "relu", "gelu", "-o", str(tmp_path / "one.png")])
    assert result.exit_code == 2
    assert "add --overlay for one image, or give a folder" in result.stderr


def test_sampling_a_range_whose_width_overflows_stays_finite() -> None:
    x = plotting.sample_points(-1e308, 1e308, 5, [0.0])
    assert np.isfinite(x).all() and x[0] == -1e308 and x[-1] == 1e308
    assert 0.0 in x


def test_ranges_too_far_out_to_draw_are_refused() -> None:
    with pytest.raises(OptionError, match="reaches beyond"):
        plotting.Options(**options.plot_options("-1e308:1e308"))
    assert plotting.Options(**options.plot_options("-1e307:1e307")).stop == 1e307


# --- readable figures: coincident derivatives, y label, legend, y-range, font size (issue 17)


def test_tint_mixes_with_white() -> None:
    assert plotting.tint("#000000") == "#737373"  # 0.45 * 255 = 114.75
    assert plotting.tint("#FFFFFF") == "#FFFFFF"
    assert plotting.tint("#0072B2", 0.0) == "#0072B2"


def test_a_derivative_on_top_of_f_is_drawn_over_it_in_a_lighter_tint() -> None:
    fig = plotting.figure(curves("relu"))  # f' = 0 lies on f = 0 for x < 0
    (f,) = lines(fig, "function")
    (df,) = lines(fig, "derivative")
    assert df.get_zorder() > f.get_zorder()
    assert f.get_color() == plotting.PALETTE[0]
    assert df.get_color() == plotting.tint(plotting.PALETTE[0])


def test_the_y_axis_is_labelled_with_what_is_drawn() -> None:
    assert plotting.figure(curves("gelu")).axes[0].get_ylabel() == "f(x), f′(x)"
    no_d = [plotting.sample(s, -3, 3, 51, derivative=False) for s in make_specs(["gelu"])]
    assert plotting.figure(no_d).axes[0].get_ylabel() == "f(x)"


def test_a_single_curve_without_derivative_has_no_legend() -> None:
    no_d = [plotting.sample(s, -3, 3, 51, derivative=False) for s in make_specs(["tanh"])]
    assert plotting.figure(no_d).axes[0].get_legend() is None
    assert plotting.figure(curves("tanh")).axes[0].get_legend() is not None  # f and f′ keyed
    assert plotting.figure(curves("tanh"), legend="none").axes[0].get_legend() is None


def test_ylim_legend_place_and_font_size() -> None:
    fig = plotting.figure(curves("elu"), ylim=(-1.0, 2.5), legend="upper left", font_size=20)
    ax = fig.axes[0]
    assert ax.get_ylim() == (-1.0, 2.5)
    assert ax.get_legend()._loc == 2  # Matplotlib's code for "upper left"
    assert ax.title.get_fontsize() == pytest.approx(10.5 * 2)
    assert ax.xaxis.label.get_fontsize() == pytest.approx(20)


def test_plot_cli_takes_ylim_legend_and_font_size(tmp_path: Path) -> None:
    out = tmp_path / "e.png"
    args = ["elu", "-o", out, "--ylim", "-1:2", "--legend", "none", "--font-size", "12"]
    result = run(*args, "--dpi", 40, "--points", 51)
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"\x89PNG")
    bad = run("elu", "-o", tmp_path / "x.png", "--ylim", "2:1")
    assert bad.exit_code == 2 and "START < STOP" in bad.stderr
    assert not (tmp_path / "x.png").exists()
