"""Second derivatives (issue 18): ``actcli.gradient(name, x, order=2)`` = f''(x).

Accuracy against ``second_reference.npz`` (60-digit mpmath, made by
``scripts/make_second_reference.py``, whose closed forms it checks against mpmath's numerical
derivative of the independent f'): float32 max <= 1 ulp; float64 max <= 4 ulp and p99.9 <= 2
ulp; NaN and ±inf exactly where the reference has them. The value at each kink is PyTorch
2.13's double backward, measured (``tests/oracles.py`` ``KINKS2``; re-measured when torch is
importable).
"""

from __future__ import annotations

import json
import math
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import actcli
from actcli.accuracy import summarize, ulp_error
from tests import oracles
from tests.oracles import KINKS2

REFERENCE = Path(__file__).resolve().parent / "second_reference.npz"
ELEMENTWISE = [n for n in actcli.names() if actcli.get(n).kind == "elementwise"]


@cache
def _reference() -> tuple[list[dict[str, Any]], dict[str, np.ndarray]]:
    with np.load(REFERENCE) as z:
        arrays = {k: z[k] for k in z.files}
    return json.loads(str(arrays.pop("index"))), arrays


def _cases(name: str) -> list[tuple[dict[str, Any], dict[str, np.ndarray]]]:
    index, arrays = _reference()
    return [
        (c, {k: arrays[f"{i}.{k}"] for k in ("x", "f2_hi", "f2_lo")})
        for i, c in enumerate(index)
        if c["name"] == name
    ]


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_second_derivative_meets_the_accuracy_goals(name: str) -> None:
    cases = _cases(name)
    assert {c["dtype"] for c, _ in cases} == {"float32", "float64"}, f"no reference for {name}"
    failures = []
    for case, arr in cases:
        x = arr["x"]
        y = actcli.gradient(name, x, order=2, **case["params"])
        assert y.dtype == x.dtype and y.shape == x.shape
        s = summarize(ulp_error(y, arr["f2_hi"], arr["f2_lo"], case["dtype"]))
        where = f"{name} {case['params']} {case['dtype']}"
        if case["dtype"] == "float32" and not s["max"] <= 1.0:
            failures.append(f"{where}: max {s['max']:.3g} ulp > 1")
        if case["dtype"] == "float64" and not (s["max"] <= 4.0 and s["p99.9"] <= 2.0):
            failures.append(f"{where}: max {s['max']:.3g}, p99.9 {s['p99.9']:.3g} ulp")
    assert not failures, "\n".join(failures)


def test_reference_has_the_roots_of_f2_and_limits() -> None:
    case, arr = _cases("silu")[-1]
    assert case["dtype"] == "float64"
    # silu'' = σ'(x)(2 - x tanh(x/2)) crosses zero at ±2.39935728051546...
    assert any(abs(abs(r) - 2.3993572805154675) < 1e-15 for r in case["roots"])
    x = arr["x"]
    assert np.isposinf(x).any() and np.isneginf(x).any() and np.isnan(x).any()
    ref = arr["f2_hi"]
    assert np.all(ref[np.isinf(x)] == 0) and np.isnan(ref[np.isnan(x)]).all()


@pytest.mark.parametrize(("name", "params", "x", "value"), KINKS2)
def test_value_at_the_kinks_is_torchs_double_backward(
    name: str, params: dict[str, Any], x: float, value: float
) -> None:
    for dtype in (np.float64, np.float32):
        got = actcli.gradient(name, np.array([x], dtype=dtype), order=2, **params)
        assert got[0] == pytest.approx(value, rel=1e-7 if dtype == np.float32 else 1e-15)


@pytest.mark.parametrize(("name", "params", "x", "value"), KINKS2)
def test_kink_table_matches_torch(
    name: str, params: dict[str, Any], x: float, value: float
) -> None:
    torch = pytest.importorskip("torch")
    from actcli.bench.baselines import torch_function

    act = actcli.get(name)
    fn = torch_function(act, act.bind(params))
    assert fn is not None
    t = torch.tensor([x], dtype=torch.float64, requires_grad=True)
    y = fn(t)
    (d1,) = torch.autograd.grad(y.sum(), t, create_graph=True)
    if not d1.requires_grad:  # a constant slope: torch's graph ends, f'' = 0
        measured = 0.0
    else:
        (d2,) = torch.autograd.grad(d1.sum(), t)
        measured = float(d2[0])
    assert measured == pytest.approx(value, rel=1e-15)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_second_derivative_matches_finite_differences_of_the_gradient(name: str) -> None:
    act = actcli.get(name)
    rng = np.random.default_rng(18)
    for params in act.cases():
        full = act.bind(params)
        if act.kernels.random and full.get("training"):
            continue
        x = rng.uniform(-5, 5, 200)
        kinks = np.array(act.kink_points(full) or (np.inf,))
        x = x[np.min(np.abs(x[:, None] - kinks[None, :]), axis=1) > 1e-3]
        h = 1e-5
        fd = (actcli.gradient(name, x + h, **params) - actcli.gradient(name, x - h, **params)) / (
            2 * h
        )
        got = actcli.gradient(name, x, order=2, **params)
        np.testing.assert_allclose(got, fd, rtol=1e-5, atol=1e-6, err_msg=f"{name} {params}")


def test_order_two_is_a_vjp_and_keeps_dtype_shape_and_nan() -> None:
    x = np.array([[-1.0, 0.5], [np.nan, 2.0]], dtype=np.float32)
    g = np.array([[2.0, -1.0], [1.0, 0.5]], dtype=np.float32)
    plain = actcli.gradient("tanh", x, order=2)
    vjp = actcli.gradient("tanh", x, g, order=2)
    assert plain.dtype == np.float32 and plain.shape == (2, 2)
    assert np.isnan(plain[1, 0]) and np.isnan(vjp[1, 0])
    # tanh''(x) = -2 tanh(x) sech²(x)
    want = -2 * np.tanh(x.astype(float)) / np.cosh(x.astype(float)) ** 2
    np.testing.assert_allclose(plain, want, rtol=1e-6)
    np.testing.assert_allclose(vjp, g * want, rtol=1e-6)


def test_large_inputs_are_chunked_to_the_same_values() -> None:
    x = np.random.default_rng(7).normal(size=300_000) * 5
    whole = actcli.gradient("mish", x, order=2)
    parts = np.concatenate([actcli.gradient("mish", p, order=2) for p in np.split(x, 100)])
    np.testing.assert_array_equal(whole, parts)


def test_limits_at_infinity_are_the_oracles() -> None:
    x = np.array([-np.inf, np.inf])
    for name in ELEMENTWISE:
        act = actcli.get(name)
        for params in act.cases():
            bound = {k: v for k, v in act.bind(params).items() if k not in ("training", "seed")}
            want = [float(oracles.SECOND[name](oracles.to_mpf(v), **bound)) for v in x]
            got = actcli.gradient(name, x, order=2, **params)
            assert np.array_equal(got, want, equal_nan=True), (name, params, got, want)


@pytest.mark.parametrize("order", [0, 3, True, 1.5])
def test_bad_order_is_refused(order: Any) -> None:
    with pytest.raises(actcli.ParamError, match="order must be 1 or 2"):
        actcli.gradient("relu", [1.0], order=order)


def test_axis_functions_have_no_second_derivative() -> None:
    with pytest.raises(actcli.ParamError, match="softmax has no second derivative"):
        actcli.gradient("softmax", [1.0, 2.0], order=2)


_SIG1 = math.e / (1 + math.e) ** 2


@pytest.mark.parametrize(
    ("name", "params", "x", "want"),
    [
        # beta·x from a huge x and a tiny beta: Dekker's split must not overflow
        # (z = beta·x = ±1: beta·σ'(1)(2 - tanh(1/2)) and beta·σ'(-1), σ'(1) = e/(1 + e)²)
        ("swish", {"beta": 1e-300}, 1e300, 1e-300 * _SIG1 * (2 - math.tanh(0.5))),
        ("softplus", {"beta": 1e-300, "threshold": 20.0}, -1e300, 1e-300 * _SIG1),
        # (x² + b)^(3/2) would underflow: b/(2|x|³) = 1e-300/2e-24
        ("squareplus", {"b": 1e-300}, 1e-8, 5e-277),
        ("squareplus", {"b": 1e-300}, 0.0, 0.5e150),
    ],
)
def test_extreme_parameters_stay_finite(
    name: str, params: dict[str, Any], x: float, want: float | None
) -> None:
    got = actcli.gradient(name, np.array([x]), order=2, **params)[0]
    assert np.isfinite(got)
    if want is not None:
        assert got == pytest.approx(want, rel=1e-14)


def test_generator_reproduces_the_reference() -> None:
    import importlib.util

    path = REFERENCE.parents[2] / "scripts" / "make_second_reference.py"
    spec = importlib.util.spec_from_file_location("make_second_reference", path)
    assert spec is not None and spec.loader is not None
    gen = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(gen)
    for name in ("softsign", "mish"):
        case, arr = _cases(name)[-1]
        fresh = gen._case((name, case["params"], case["dtype"]))
        # Points drawn next to the roots with mpmath may move by one ulp between mpmath releases;
        # wherever the point is the same, so must the reference be.
        np.testing.assert_array_max_ulp(fresh["x"], arr["x"], maxulp=1)
        same = (fresh["x"] == arr["x"]) | (np.isnan(fresh["x"]) & np.isnan(arr["x"]))
        assert same.mean() > 0.9
        np.testing.assert_array_equal(fresh["f2"][:, 0][same], arr["f2_hi"][same])
        np.testing.assert_array_equal(fresh["f2"][:, 1][same], arr["f2_lo"][same])


HUGE_BETA = [
    ("swish", {"beta": 1e308}),
    ("swish", {"beta": 1.7e308}),
    ("softplus", {"beta": 1e308, "threshold": 20.0}),
]


@pytest.mark.parametrize(("name", "params"), HUGE_BETA)
def test_huge_beta_gives_the_true_second_derivative(name: str, params: dict[str, Any]) -> None:
    # Dekker's split of beta overflowed above ~1e300: NaN where the truth is 0 or beta/2.
    x = np.array([-2.0, -1e-300, 0.0, 1e-300, 2.0])
    got = actcli.gradient(name, x, order=2, **params)
    want = [float(oracles.SECOND[name](oracles.to_mpf(v), **params)) for v in x]
    np.testing.assert_allclose(got, want, rtol=4e-16, atol=0)
