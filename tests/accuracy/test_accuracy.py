"""Accuracy against a 60-digit mpmath reference (issue 6), for every registered activation.

The reference (``reference.npz`` beside this file) is made by
``scripts/make_accuracy_reference.py`` from the oracle (``tests/oracles.py``); regenerate it after
adding an activation (and add its settings and reference function to the oracle) or widening a
parameter's declared range. It holds the oracle's fixed settings and settings drawn from each
parameter's whole declared range (``oracles.reference_settings``, edge values first); the goals
hold at every one of them. Each record declares its goal (``record.goal``); the defaults:

- float32: max error <= 1 ulp, forward and gradient;
- float64 forward: max <= 2 ulp (<= 4 ulp declared by the functions computed along an axis);
- float64 gradient: 99.9th percentile <= 2 ulp and max <= 16 ulp;
- NaN exactly where the reference is NaN, ±inf exactly where it is (``ulp_error`` counts any
  other disagreement as an infinite error), so limits at ±inf and NaN in -> NaN out are checked.

Errors for results below the smallest normal are measured in units of the smallest normal.
"""

from __future__ import annotations

import importlib.util
import json
import math
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import actcli
from actcli.accuracy import measure_case, measured, summarize, ulp_error
from tests import oracles

HERE = Path(__file__).resolve().parent
REFERENCE = HERE / "reference.npz"
GENERATOR = HERE.parents[1] / "scripts" / "make_accuracy_reference.py"


def goals(name: str, dtype: str) -> dict[str, float]:
    """The record's goals in ulps: forward max, gradient p99.9 and gradient max."""
    return actcli.get(name).goal.of(dtype)


@cache
def _reference() -> tuple[list[dict[str, Any]], dict[str, np.ndarray]]:
    with np.load(REFERENCE) as z:
        arrays = {k: z[k] for k in z.files}
    return json.loads(str(arrays.pop("index"))), arrays


def _cases(
    name: str, sampled: bool = False, params: dict[str, Any] | None = None
) -> list[tuple[dict[str, Any], dict[str, np.ndarray]]]:
    """The reference cases of ``name``: the fixed settings, or (``sampled``) the drawn ones
    (only those with ``params``, if given)."""
    index, arrays = _reference()
    out = []
    for i, case in enumerate(index):
        if case["name"] != name or bool(case.get("sampled")) != sampled:
            continue
        if params is None or case["params"] == params:
            prefix = f"{i}."
            out.append(
                (case, {k[len(prefix) :]: v for k, v in arrays.items() if k.startswith(prefix)})
            )
    return out


@pytest.mark.parametrize("name", actcli.names())
def test_reference_covers_every_activation(name: str) -> None:
    dtypes = {case["dtype"] for case, _ in _cases(name)}
    assert dtypes == {"float32", "float64"}, (
        f"no reference for {name}: add it to tests/oracles.py and run "
        "scripts/make_accuracy_reference.py"
    )


def _failures(name: str, cases: list[tuple[dict[str, Any], dict[str, np.ndarray]]]) -> list[str]:
    failures = []
    for case, arrays in cases:
        errs = measure_case(case, arrays)
        fwd, grad = summarize(errs["forward"]), summarize(errs["gradient"])
        goal = goals(name, case["dtype"])
        where = f"{name} {case['params']} {case['dtype']}"
        if not fwd["max"] <= goal["fwd_max"]:
            failures.append(f"{where}: forward max {fwd['max']:.3g} ulp > {goal['fwd_max']}")
        if not grad["p99.9"] <= goal["grad_p999"]:
            failures.append(
                f"{where}: gradient p99.9 {grad['p99.9']:.3g} ulp > {goal['grad_p999']}"
            )
        if not grad["max"] <= goal["grad_max"]:
            failures.append(f"{where}: gradient max {grad['max']:.3g} ulp > {goal['grad_max']}")
    return failures


@pytest.mark.parametrize("name", actcli.names())
def test_accuracy_goals(name: str) -> None:
    failures = _failures(name, _cases(name))
    assert not failures, "\n".join(failures)


def _drawn() -> list[Any]:
    out = []
    for name in actcli.names():
        for params in oracles.reference_settings(name):
            out.append(pytest.param(name, params, id=f"{name}-{params}"))
    return out


@pytest.mark.parametrize(("name", "params"), _drawn())
def test_accuracy_goals_across_the_parameter_space(name: str, params: dict[str, Any]) -> None:
    cases = _cases(name, sampled=True, params=params)
    assert {c["dtype"] for c, _ in cases} == {"float32", "float64"}, (
        "run scripts/make_accuracy_reference.py: the drawn settings changed"
    )
    failures = _failures(name, cases)
    assert not failures, "\n".join(failures)


def test_point_set_has_the_required_values() -> None:
    for case, arrays in _cases("silu"):
        x = arrays["x"]
        fi = np.finfo(x.dtype)
        assert np.isnan(x).any() and np.isposinf(x).any() and np.isneginf(x).any()
        assert (x == 0).any() and np.signbit(x[x == 0]).any()
        for v in (20, 30, 88.7, 100, 709.8, 1e4, 1e30, float(fi.max), float(fi.smallest_subnormal)):
            assert np.isin(x.dtype.type(v), x) and np.isin(x.dtype.type(-v), x), (case, v)
        # The zero crossing of silu' and its float neighbours.
        root = case["roots"][0]
        assert math.isclose(root, -1.2784645427610738, rel_tol=1e-15)
        assert np.sum(np.abs(x.astype(float) - root) < 16 * fi.eps) >= 10
    rows = _cases("softmax")[0][1]["x"]
    assert np.isneginf(rows).any() and np.isposinf(rows).any() and np.isnan(rows).any()
    assert np.nanmax(np.ptp(np.where(np.isfinite(rows), rows, 0), axis=1)) > 1e3


def test_ulp_error_units() -> None:
    one = np.float64(1.0)
    up = np.nextafter(one, 2.0)
    e = ulp_error(
        [up, one, np.nan, np.inf, 1.0, 0.0],
        [1.0, 1.0, np.nan, np.inf, np.nan, 1e-310],
        None,
        np.float64,
    )
    assert e[0] == 1.0 and e[1] == 0.0 and e[2] == 0.0 and e[3] == 0.0
    assert e[4] == np.inf
    # Below the smallest normal the unit is the smallest normal.
    assert e[5] == pytest.approx(1e-310 / np.finfo(np.float64).tiny)
    # The reference is hi + lo: 1 is 2^-60 / 2^-52 = 1/256 ulp away from 1 + 2^-60.
    assert ulp_error([1.0], [1.0], [2.0**-60], np.float64)[0] == pytest.approx(2.0**-8)
    # float32: the ulp is float32's, and values beyond its range round to inf.
    f32 = np.float32
    assert ulp_error([np.nextafter(f32(1), f32(2))], [1.0], None, f32)[0] == 1.0
    assert ulp_error([np.float32(np.inf)], [3.5e38], None, f32)[0] == 0.0


def test_generator_reproduces_the_reference() -> None:
    spec = importlib.util.spec_from_file_location("make_accuracy_reference", GENERATOR)
    assert spec is not None and spec.loader is not None
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    for name in ("softsign", "softmax"):
        case, arrays = _cases(name)[-1]
        fresh = gen._case((name, case["params"], case["dtype"]))
        # A few sample points are drawn with mpmath (points next to roots and overflow
        # thresholds); mpmath 1.4 rounds some of them to the neighbouring double. Those points
        # may move by one ulp; at every point that did not move the reference must be the same.
        x, ref_x = fresh["x"], arrays["x"]
        np.testing.assert_array_max_ulp(x, ref_x, maxulp=1)
        keep = (x == ref_x) | (np.isnan(x) & np.isnan(ref_x))
        if x.ndim > 1:  # axis cases: a row is kept only if all of it is unchanged
            keep = np.broadcast_to(keep.all(axis=-1, keepdims=True), x.shape)
        assert keep.mean() > 0.9
        np.testing.assert_array_equal(fresh["fwd"][..., 0][keep], arrays["fwd_hi"][keep])
        gkeep = keep[fresh["gx"]] if "gx" in fresh else keep  # gradient rows index x's rows
        np.testing.assert_array_equal(fresh["grad"][..., 1][gkeep], arrays["grad_lo"][gkeep])


@pytest.mark.parametrize("name", actcli.names())
def test_measured_figures_are_published(name: str) -> None:
    m = measured(name)
    assert m is not None, "run scripts/accuracy_report.py to refresh actcli/data/accuracy.json"
    for dtype in ("float32", "float64"):
        goal = goals(name, dtype)
        assert m[dtype]["forward"]["max"] <= goal["fwd_max"]
        assert m[dtype]["gradient"]["p99.9"] <= goal["grad_p999"]
        assert m[dtype]["gradient"]["max"] <= goal["grad_max"]


@pytest.mark.parametrize("name", actcli.names())
def test_oracle_covers_every_activation(name: str) -> None:
    refs = oracles.AXIS if actcli.get(name).kind == "axis" else oracles.ELEMENTWISE
    assert name in refs and oracles.SETTINGS.get(name), f"add {name} to tests/oracles.py"
