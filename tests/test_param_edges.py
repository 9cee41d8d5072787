"""Every function over its whole declared parameter range (issue 15).

- The sweep: every record x parameter settings drawn from its ``Param`` declarations, edge
  values first (``oracles.sampled_settings``) x edge inputs x float16/32/64, forward, gradient
  and second derivative, under warnings-as-errors: no Python warning, no exception, no NaN
  where neither the input nor the upstream gradient is NaN or infinite, and NaN where the
  input is NaN; a few through the CLI too.
- The reproducers of the issue, against the mpmath oracle.
- The conventions actcli settled: infinite parameters that mean something are accepted, and a
  derivative that is exactly 0 gives a gradient of 0 for every ``grad_output``, ±inf included.
"""

from __future__ import annotations

import warnings
from typing import Any

import mpmath as mp
import numpy as np
import pytest
from click.testing import CliRunner

import actcli
from actcli.cli import cli
from actcli.errors import ParamError
from tests import oracles

INF = np.inf
#: The audit's edge inputs.
EDGE_X = np.array(
    [0.0, -0.0, 5e-324, -5e-324, 1e-300, -1e-300, 1e300, -1e300, 1.7e308, -1.7e308, INF, -INF,
     np.nan, 1.0, -1.0, 0.5, -3.0, 3.0]
)  # fmt: skip
DTYPES = (np.float16, np.float32, np.float64)
#: Upstream gradients: finite ones (the result must be NaN-free) and ±inf.
FINITE_G = (1.0, -2.5)
INFINITE_G = (INF, -INF)


def _sweep_cases() -> list[Any]:
    out = []
    for name in actcli.names():
        act = actcli.get(name)
        settings = [*act.cases(), *oracles.sampled_settings(name)]
        for i, params in enumerate(settings):
            if params.get("training"):
                continue
            out.append(pytest.param(name, params, id=f"{name}-{i}-{params}"))
    return out


def _cast(a: Any, dtype: Any) -> np.ndarray:
    with np.errstate(over="ignore"):
        return np.asarray(a, dtype=np.float64).astype(dtype)


def _inputs(name: str, dtype: Any) -> np.ndarray:
    x = _cast(EDGE_X, dtype)
    if actcli.get(name).kind == "axis":
        return x[:16].reshape(2, 8)  # rows mixing every edge value
    return x


@pytest.mark.parametrize(("name", "params"), _sweep_cases())
def test_no_warning_and_no_nan_over_the_parameter_space(name: str, params: dict[str, Any]) -> None:
    act = actcli.get(name)
    problems = []
    for dtype in DTYPES:
        x = _inputs(name, dtype)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            y = actcli.evaluate(name, x, **params)
            grads = {
                g: actcli.gradient(name, x, grad_output=_cast(np.full(y.shape, g), dtype), **params)
                for g in FINITE_G + INFINITE_G
            }
        assert y.dtype == x.dtype
        nan_in = np.isnan(x) if act.kind == "elementwise" else np.isnan(x).any(axis=-1)
        # f' and f'' of an oscillating function are NaN where they have no limit (±inf) or no
        # representable phase (Activation.oscillates): NaN expected there, and nowhere else
        undefined = nan_in
        if act.kind == "elementwise":
            undefined = nan_in | act.no_derivative(x, act.bind(params))
        # A NaN in an axis function's row makes its whole output row NaN (one value for a
        # reduction such as logsumexp).
        rows = nan_in if act.kind == "elementwise" or y.ndim == nan_in.ndim else nan_in[:, None]
        bad = np.isnan(y) & ~rows
        if bad.any():
            problems.append(
                f"{dtype.__name__} forward NaN at {x[bad] if x.shape == bad.shape else x}"
            )
        for g in FINITE_G:
            if not np.isfinite(dtype(g)):
                continue
            d = grads[g]
            bad = np.isnan(d) & ~(undefined if act.kind == "elementwise" else nan_in[:, None])
            if bad.any():
                problems.append(f"{dtype.__name__} gradient (g={g}) NaN at {x[bad]}")
            if act.kind == "elementwise" and not np.isnan(d[undefined]).all():
                problems.append(f"{dtype.__name__} gradient (g={g}) is not NaN where undefined")
        if act.kind == "elementwise" and not np.isnan(y[nan_in]).all():
            problems.append(f"{dtype.__name__} forward at NaN is not NaN")
        if act.kernels.second is not None:  # f'' too (actcli.gradient(..., order=2))
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                d2 = actcli.gradient(name, x, order=2, **params)
            if (np.isnan(d2) != undefined).any():
                problems.append(f"{dtype.__name__} f'' NaN at {x[np.isnan(d2) != undefined]}")
    assert not problems, "\n".join(problems)


# --- through the CLI: one Error-free, warning-free run per kind of edge ---------------------------
CLI_RUNS = [
    ("eval", "threshold", ["-p", "threshold=-inf", "-p", "value=-inf"], "float64"),
    ("grad", "hardtanh", ["-p", "min_val=-inf"], "float64"),
    ("eval", "hardshrink", ["-p", "lambd=inf"], "float32"),
    ("eval", "leaky_relu", ["-p", "negative_slope=1e300"], "float32"),
    ("grad", "leaky_relu", ["-p", "negative_slope=0"], "float16"),
    ("eval", "rrelu", ["-p", "lower=1e308", "-p", "upper=1e308"], "float64"),
    ("eval", "softplus", ["-p", "beta=2", "-p", "threshold=inf"], "float64"),
    ("grad", "elu", ["-p", "alpha=5e-324"], "float32"),
]


@pytest.mark.parametrize(("command", "name", "args", "dtype"), CLI_RUNS)
def test_cli_is_silent_at_the_parameter_edges(
    tmp_path: Any, command: str, name: str, args: list[str], dtype: str
) -> None:
    src = tmp_path / "x.csv"
    src.write_text("\n".join(repr(float(v)) for v in EDGE_X) + "\n")
    result = CliRunner(env={"COLUMNS": "100"}).invoke(
        cli, [command, name, str(src), "--dtype", dtype, *args], prog_name="actcli"
    )
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert len(result.stdout.split()) == EDGE_X.size


# --- the reproducers, against the oracle ------------------------------------------------
def _ulps(got: float, true: Any) -> float:
    t = float(true)
    if not np.isfinite(t) or not np.isfinite(got):
        return 0.0 if got == t else np.inf
    unit = max(float(np.spacing(abs(t))), float(np.finfo(np.float64).smallest_subnormal))
    return float(abs(mp.mpf(got) - true) / unit)


def _check_oracle(
    name: str, params: dict[str, Any], x: np.ndarray, fwd: float, grad: float
) -> None:
    f, df = oracles.elementwise(name, actcli.get(name).bind(params))
    y = actcli.evaluate(name, x, **params)
    d = actcli.gradient(name, x, **params)
    for xi, yi, di in zip(x, y, d, strict=True):
        m = oracles.to_mpf(float(xi))
        assert _ulps(float(yi), f(m)) <= fwd, (name, params, xi, yi, f(m))
        assert _ulps(float(di), df(m)) <= grad, (name, params, xi, di, df(m))


def test_softplus_threshold_inf_does_not_overflow() -> None:
    x = np.array([1.7e308, 1e300, -1.7e308, INF])
    y = actcli.evaluate("softplus", x, beta=2.0, threshold=INF)
    np.testing.assert_array_equal(y, [1.7e308, 1e300, 0.0, INF])
    _check_oracle("softplus", {"beta": 2.0, "threshold": INF}, x[:3], 0, 0)


@pytest.mark.parametrize("beta", [3.0, 1 / 3, 0.1, 7e4, 1e-300, 1e300, 1.7e308])
def test_softplus_with_any_beta_meets_the_goal(beta: float) -> None:
    # beta·x carried exactly: the tail (beta·x down to -800) and near 0 stay within 2 ulp.
    rng = np.random.default_rng(15)
    z = np.concatenate([rng.uniform(-800, 40, 300), rng.uniform(-3, 3, 100)])
    x = z / beta
    _check_oracle("softplus", {"beta": beta, "threshold": INF}, x[np.isfinite(x)], 2, 2)


def test_softplus_tiny_beta_divides_the_exponential_before_it_underflows() -> None:
    # e^(beta x)/beta with e^(beta x) subnormal or below it: the 4.9e-24 vs 2.8e-24.
    beta = 1e-300
    x = np.array([-745.0, -760.0, -800.0, -1200.0]) / beta
    _check_oracle("softplus", {"beta": beta, "threshold": 20.0}, x, 2, 2)


def test_elu_gradient_is_one_scaled_product() -> None:
    # A tiny alpha with g = inf: +inf (the derivative is positive), not inf * 0.
    g = actcli.gradient("elu", np.array([-1.0, -700.0]), grad_output=np.full(2, INF), alpha=5e-324)
    np.testing.assert_array_equal(g, [INF, INF])
    # A huge alpha where exp(x) alone is subnormal or 0; results that are subnormal.
    x = np.array([-720.0, -745.5, -1400.0, -1.0])
    _check_oracle("elu", {"alpha": 1e300}, x, 2, 2)
    _check_oracle("elu", {"alpha": 1.0}, np.array([-709.0, -730.0, -744.0]), 2, 2)
    _check_oracle("elu", {"alpha": 1e-300}, np.array([-5.0, -30.0, -1e-300]), 2, 2)


def test_slope_zero_and_huge_slopes() -> None:
    for name, key in (("leaky_relu", "negative_slope"), ("prelu", "weight")):
        y = actcli.evaluate(name, np.array([-INF, -1.0, INF]), **{key: 0.0})
        np.testing.assert_array_equal(y, [0.0, 0.0, INF])
        assert np.signbit(y[0]) and np.signbit(y[1])  # -0.0, as every x < 0 gives
        d = actcli.gradient(name, np.array([-INF, -1.0]), grad_output=np.full(2, INF), **{key: 0.0})
        np.testing.assert_array_equal(d, [0.0, 0.0])
    y = actcli.evaluate("leaky_relu", np.array([-1e308, -1e-300]), negative_slope=2.0)
    np.testing.assert_array_equal(y, [-INF, -2e-300])


def test_rrelu_midpoint_does_not_overflow() -> None:
    x = np.array([0.0, -1.0, -INF, 2.0])
    y = actcli.evaluate("rrelu", x, lower=1e308, upper=1e308)
    np.testing.assert_array_equal(y, [0.0, -1e308, -INF, 2.0])
    np.testing.assert_array_equal(
        actcli.gradient("rrelu", x, lower=1e308, upper=1e308), [1e308] * 3 + [1.0]
    )
    assert actcli.evaluate("rrelu", np.array([-1.0]), lower=-1.7e308, upper=1.7e308)[0] == 0.0


# --- conventions --------------------------------------------------------------------------------
def test_infinite_parameters_that_mean_something_are_accepted() -> None:
    x = np.array([-INF, -2.0, 0.0, 0.5, 2.0, INF, np.nan])
    # threshold(value=-inf): the masking idiom.
    y = actcli.evaluate("threshold", x, threshold=1.0, value=-INF)
    np.testing.assert_array_equal(y, [-INF, -INF, -INF, -INF, 2.0, INF, np.nan])
    # threshold = -inf is no kink: f is x everywhere, -inf included (the limit), f' is 1.
    y = actcli.evaluate("threshold", x, threshold=-INF, value=0.0)
    np.testing.assert_array_equal(y, [-INF, -2, 0, 0.5, 2, INF, np.nan])
    d = actcli.gradient("threshold", x, threshold=-INF, value=0.0)
    np.testing.assert_array_equal(d, [1, 1, 1, 1, 1, 1, np.nan])
    # hardtanh(min_val=-inf): a one-sided clamp; f is x down to -inf, so f' is 1 there.
    y = actcli.evaluate("hardtanh", x, min_val=-INF)
    np.testing.assert_array_equal(y, [-INF, -2.0, 0.0, 0.5, 1.0, 1.0, np.nan])
    d = actcli.gradient("hardtanh", x, min_val=-INF)
    np.testing.assert_array_equal(d, [1.0, 1.0, 1.0, 1.0, 0.0, 0.0, np.nan])
    np.testing.assert_array_equal(
        actcli.gradient("hardtanh", x, min_val=-INF, max_val=INF), [1, 1, 1, 1, 1, 1, np.nan]
    )
    # The shrinks with lambd = inf: 0 everywhere, ±inf included (no inf - inf).
    for name in ("hardshrink", "softshrink"):
        y = actcli.evaluate(name, x, lambd=INF)
        np.testing.assert_array_equal(y, [0, 0, 0, 0, 0, 0, np.nan])
        np.testing.assert_array_equal(
            actcli.gradient(name, x, lambd=INF), [0, 0, 0, 0, 0, 0, np.nan]
        )


@pytest.mark.parametrize(
    ("name", "params"),
    [
        ("hardtanh", {"min_val": INF}),
        ("hardtanh", {"max_val": -INF}),
        ("leaky_relu", {"negative_slope": INF}),
        ("elu", {"alpha": INF}),
        ("softplus", {"beta": INF}),
        ("threshold", {"threshold": np.nan, "value": 0.0}),
        ("hardshrink", {"lambd": -1.0}),
    ],
)
def test_nonsense_parameters_are_still_refused(name: str, params: dict[str, Any]) -> None:
    with pytest.raises(ParamError):
        actcli.evaluate(name, np.zeros(2), **params)


#: Probes for a derivative that is 0: the limits at ±inf, flat pieces of the piecewise functions
#: (below -3, beyond ±3.5 and ±1e4), and tails where f' underflows to 0.
ZERO_PROBES = np.array([-INF, INF, -1e4, -6.0, -3.5, 3.5, 1e4])


def _zero_derivative_cases() -> list[Any]:
    out = []
    for name in actcli.names():
        act = actcli.get(name)
        if act.kind != "elementwise":
            continue
        for params in act.cases():
            if params.get("training"):
                continue
            _, df = oracles.elementwise(name, act.bind(params))
            flat = [float(v) for v in ZERO_PROBES if float(df(oracles.to_mpf(float(v)))) == 0.0]
            if not flat:
                continue  # f' is nowhere 0 among the probes (identity, softsign)
            out.append(pytest.param(name, params, flat, id=f"{name}-{params}"))
    return out


@pytest.mark.parametrize(("name", "params", "flat"), _zero_derivative_cases())
def test_infinite_grad_output_times_a_zero_derivative_is_zero(
    name: str, params: dict[str, Any], flat: list[float]
) -> None:
    # Where f'(x) is 0 (a flat piece, the limit at ±inf, or a tail where it underflows), the VJP
    # is 0 for every g, ±inf included, as PyTorch's masks give (IEEE's inf·0 would be NaN).
    for dtype in (np.float32, np.float64):
        for g in INFINITE_G:
            xs = np.array(flat, dtype=dtype)
            d = actcli.gradient(name, xs, grad_output=np.full(xs.shape, g, dtype=dtype), **params)
            np.testing.assert_array_equal(d, 0.0, err_msg=f"{name} {params} {dtype} g={g} x={xs}")


def test_elu_second_derivative_with_a_huge_alpha() -> None:
    # alpha·e^x with alpha near the float maximum: the double-double product's split overflowed
    # to NaN; the truth is finite (and subnormal-free down to x = -750 here).
    x = np.array([-1e-300, -1.0, -3.0, -700.0, -750.0])
    d2 = actcli.gradient("elu", x, order=2, alpha=1.7e308)
    for xi, di in zip(x, d2, strict=True):
        true = oracles.SECOND["elu"](mp.mpf(float(xi)), alpha=1.7e308)
        assert _ulps(float(di), true) <= 4, (xi, di, true)
