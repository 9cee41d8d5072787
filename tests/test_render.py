"""render: Rich renderables and the data behind --json, rendered on a pinned-width console."""

from __future__ import annotations

import io
import json
from typing import Any

import numpy as np
import pytest
from rich.console import Console

import actcli
from actcli import catalog, render
from actcli.records import PROPERTIES


def text_of(renderable: Any, width: int = 120) -> str:
    console = Console(width=width, color_system=None, record=True, file=io.StringIO())
    console.print(renderable)
    return console.export_text()


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (3.0, "3"),
        (-0.5, "-0.5"),
        (1 / 3, "0.33333333"),
        (np.float32(0.1), "0.1"),
        (np.float32(3.0), "3"),
        (np.float16(0.1), "0.1"),
        (float("nan"), "nan"),
        (float("inf"), "inf"),
        (-float("inf"), "-inf"),
        (1e-300, "1e-300"),
    ],
)
def test_format_number(value: Any, expected: str) -> None:
    assert render.format_number(value) == expected


def test_summary_counts_nan_and_survives_all_nan_and_infinities() -> None:
    assert render.summary(np.array([1.0, np.nan, 3.0])) == (
        "shape (3,) · float64 · min 1 · max 3 · mean 2 · std 1 · 1 NaN"
    )
    assert render.summary(np.array([np.nan, np.nan])) == "shape (2,) · float64 · 2 NaN"
    assert "mean nan" in render.summary(np.array([np.inf, -np.inf]))
    # float16 sums would overflow; the mean is accumulated in float64
    assert "mean 60000" in render.summary(np.full(100, 60000, dtype=np.float16))
    assert "std 0" in render.summary(np.full(100, 60000, dtype=np.float16))
    assert "std nan" in render.summary(np.array([np.inf, 1.0]))


def test_summary_std_is_the_population_one_and_does_not_overflow() -> None:
    # [0, 2, 4]: mean 2, deviations -2, 0, 2: variance 8/3 (ddof=0), std 1.63299
    assert "std 1.63299" in render.summary(np.array([0.0, 2.0, 4.0]))
    # squares of 1e300 overflow float64; the scaled computation gives 1e300
    assert "std 1e+300" in render.summary(np.array([-1e300, 1e300]))


def test_result_view_1d_shows_input_and_result_side_by_side() -> None:
    x = np.array([-1.0, 0.0, 2.0])
    out = text_of(render.result_view(x, np.maximum(x, 0), y_label="relu(x)"))
    lines = [line.split() for line in out.splitlines() if line.strip()]
    assert lines[0] == ["x", "relu(x)"]
    assert ["0", "-1", "0"] in lines and ["2", "2", "2"] in lines
    assert "relu(x): shape (3,) · float64 · min 0 · max 2 · mean 0.666667 · std 0.942809" in out


def test_result_view_big_array_shows_head_and_tail_only() -> None:
    x = np.arange(1000.0)
    out = text_of(render.result_view(x, x * 2, y_label="f(x)"))
    assert "⋮" in out and "999" in out and "1998" in out
    assert " 500 " not in out
    assert "first and last" in out
    assert "shape (1000,)" in out


def test_result_view_2d_and_different_shapes_get_two_tables() -> None:
    x = np.arange(8.0).reshape(2, 4)
    y = x[:, :2]  # glu halves the last axis
    out = text_of(render.result_view(x, y, y_label="glu(x)"))
    assert "x" in out.splitlines()[0] and "glu(x)" in out.splitlines()[0]
    assert "shape (2, 2)" in out
    wide = np.arange(40.0).reshape(2, 20)
    out = text_of(render.result_view(wide, wide, y_label="f(x)"))
    assert "…" in out and "39" in out and " 10 " not in out


def test_result_view_3d_notes_its_rows() -> None:
    x = np.zeros((2, 3, 4))
    assert "leading 2 axes are shown as rows" in text_of(render.result_view(x, x, y_label="f"))


def test_activations_table_lists_every_activation() -> None:
    out = text_of(render.activations_table(actcli.get(n) for n in actcli.names()), width=200)
    first_words = [line.split(" ")[0] for line in out.splitlines()]
    for name in actcli.names():
        assert name in first_words
    assert "negative_slope=0.01" in out and "F.leaky_relu" in out


def test_describe_is_json_ready_for_every_activation() -> None:
    for name in actcli.names():
        data = render.describe(actcli.get(name))
        assert json.loads(json.dumps(data, allow_nan=False))["name"] == name
        assert set(data["properties"]) <= set(PROPERTIES)
    threshold = render.describe(actcli.get("threshold"))["parameters"]
    assert threshold[0] == {
        "name": "threshold",
        "default": None,
        "required": True,
        "type": "float",
        "range": "any number (inf allowed)",
        "help": "inputs at or below this are replaced",
    }


def test_worked_example_values() -> None:
    ex = render.worked_example(actcli.get("relu"), {})
    assert ex == {
        "x": [-3.0, -1.0, -0.5, 0.0, 0.5, 1.0, 3.0],
        "f": [0.0, 0.0, 0.0, 0.0, 0.5, 1.0, 3.0],
        "grad": [0.0, 0.0, 0.0, 0.0, 1.0, 1.0, 1.0],
    }
    leaky = render.worked_example(actcli.get("leaky_relu"), {"negative_slope": 0.25})
    assert leaky is not None and leaky["f"][0] == -0.75 and leaky["grad"][3] == 0.25
    relu6 = render.worked_example(actcli.get("relu6"), {})
    assert relu6 is not None and relu6["x"][-1] == 6.0 and relu6["grad"][-1] == 0.0  # the kink
    hardtanh = render.worked_example(actcli.get("hardtanh"), {"max_val": 2.0})
    assert hardtanh is not None and 2.0 in hardtanh["x"]
    assert render.worked_example(actcli.get("threshold"), {}) is None
    thr = render.worked_example(actcli.get("threshold"), {"threshold": 0.0, "value": -9.0})
    assert thr is not None and thr["f"][:4] == [-9.0, -9.0, -9.0, -9.0]
    glu = render.worked_example(actcli.get("glu"), {})
    assert glu is not None and len(glu["f"]) == 2 and len(glu["grad"]) == 4


@pytest.mark.parametrize("name", actcli.names())
def test_info_view_renders_every_activation(name: str) -> None:
    act = actcli.get(name)
    params = act.illustrative()
    out = text_of(render.info_view(act, render.worked_example(act, params)), width=200)
    assert act.doc.formula.split()[0] in out
    assert "Worked example" in out and "Properties" in out
    for p in act.params:
        assert p.name in out


def test_info_view_without_example_says_which_parameters_to_give() -> None:
    out = text_of(render.info_view(actcli.get("threshold"), None))
    assert "give -p threshold=... -p value=... for a worked example" in out


def test_measured_accuracy_slot() -> None:
    measured = {
        "float32": {"forward": {"max": 0.5, "p99.9": 0.25}, "gradient": {"max": 1.5}},
        "points": 1000,
    }
    out = text_of(render.info_view(actcli.get("relu"), None, measured))
    assert "Measured accuracy" in out
    row = next(line for line in out.splitlines() if "float32" in line and "0.5" in line)
    assert row.split()[1:] == ["float32", "0.5", "0.25", "1.5", "│"]
    assert "points: 1000" in out
    data = render.info_data(actcli.get("relu"), None, measured)
    assert data["measured_accuracy"]["float32"]["forward"]["max"] == 0.5
    assert "measured_accuracy" not in render.info_data(actcli.get("relu"), None, None)


def test_measured_accuracy_is_none_without_the_module(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(render.importlib.util, "find_spec", lambda name: None)
    assert render.measured_accuracy("relu") is None


@pytest.mark.parametrize("name", actcli.names())
def test_every_output_range_shows_in_list_and_info(name: str) -> None:
    # Record text must never be read as Rich markup: hardtanh's "[min_val, max_val]" vanished.
    act = actcli.get(name)
    console = Console(width=200, color_system=None, record=True)
    console.print(render.activations_table([act]))
    console.print(render.info_view(act, None))
    shown = console.export_text()
    assert shown.count(act.doc.output_range) >= 2


def test_compare_view_shows_the_figures_and_escapes_markup() -> None:
    from actcli import compare

    result = compare.compare([compare.subject("relu"), compare.subject("selu")], timed=False)
    out = text_of(render.compare_view(result))
    assert "E[f(X)]" in out and "P(f'(X) = 0)" in out  # not eaten as Rich markup
    # E[relu(X)] = 1/sqrt(2 pi) = 0.39894228..., to 7 digits; selu's range by its numbers
    assert "0.3989423 " in out and "yes, stable" in out and "∞ at x → ∞" in out
    assert "(-1.7581, ∞)" in out and "scale·alpha," not in out


def test_compare_table_of_five_breaks_no_number_across_lines() -> None:
    from actcli import compare

    subjects = [compare.subject(n) for n in actcli.names()[:4]] + [compare.subject("selu")]
    out = text_of(render.compare_view(compare.compare(subjects, timed=False)), width=100)
    lines = out.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("E[f(X)]"))
    # selu's mean is 0 to quadrature rounding: shown whole on its row, exponent included, and
    # the next row is the next figure (no folded remainder)
    assert lines[at].split()[-1].endswith("e-17") and lines[at + 1].startswith("Var[f(X)]")


@pytest.mark.parametrize("width", [60, 80, 100])
def test_list_fits_the_terminal_and_loses_nothing(width: int) -> None:
    acts = [actcli.get(n) for n in actcli.names()]
    out = text_of(render.activations_table(acts, width), width=width)
    lines = out.splitlines()
    assert max(len(line.rstrip()) for line in lines) <= width
    words = out.split()
    for act in acts:
        assert act.name in words
        for alias in act.aliases:
            assert alias in words
        for p in act.params:
            assert f"{p.name}={render.format_default(p)}" in words  # never folded mid-word
        torch = render.short_torch(act)
        assert torch in words
        for word in act.doc.output_range.split():  # wrapped at spaces only
            assert word in words, (act.name, word)
    assert "M monotonic" in out and "G self-gated" in out
    folded = "the PyTorch name and props are under each name" in " ".join(words)
    assert folded == (width < render.LIST_FOLD_WIDTH)
    assert ("PyTorch" in lines[0]) == (width >= render.LIST_FOLD_WIDTH)


@pytest.mark.parametrize("width", [60, 80, 100])
def test_losses_list_fits_the_terminal_and_loses_nothing(width: int) -> None:
    losses = list(catalog.losses())
    out = text_of(render.losses_table(losses, width), width=width)
    lines = out.splitlines()
    assert max(len(line.rstrip()) for line in lines) <= width
    words = out.split()
    for loss in losses:
        assert loss.name in words  # whole: never cut with an ellipsis
        for alias in loss.aliases:
            assert alias in words
        for p in loss.params:
            assert f"{p.name}={render.format_default(p)}" in words
        for a in loss.arrays:
            assert f"--{a.name.replace('_', '-')}" in words
        assert ", ".join(loss.inputs) in out
    assert "…" not in out
    folded = "(narrow terminal: the inputs and F.NAME are under each name)" in out
    assert folded == (width < 100)  # the widest name, inputs, parameters and F.NAME: 86
    assert ("F.NAME" in lines[0]) == (not folded)
    if folded:
        assert "input, target · F.NAME yes" in out and "input, target · F.NAME —" in out


def test_losses_list_is_wide_without_a_width() -> None:
    out = text_of(render.losses_table([catalog.lookup("mse")]), width=200)
    header = out.splitlines()[0].split()
    assert header == ["name", "inputs", "parameters", "F.NAME"]
    assert "= mse" in out  # the alias under its name


def test_list_properties_column_spells_each_record_property() -> None:
    out = text_of(render.activations_table([actcli.get("tanh"), actcli.get("relu")], 100))
    rows = {line.split()[0]: line.split() for line in out.splitlines() if line[:1].isalpha()}
    assert "MBSZ" in rows["tanh"] and "M" in rows["relu"]
    narrow = text_of(render.activations_table([actcli.get("tanh")], 60), width=60)
    assert "F.tanh MBSZ" in narrow
    assert set(actcli.get("tanh").doc.properties) == {
        "monotonic",
        "bounded",
        "smooth",
        "zero_centred",
    }
