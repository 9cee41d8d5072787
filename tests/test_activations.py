"""Every registered activation: dtypes, shapes, gradients, kinks, extremes, identities, errors.

Everything here enumerates the catalog and reads the records (the parameter settings to exercise,
kinks, parameters, kernels), so a new activation is tested without new test code; the
independent facts (the kink table measured with torch, mpmath references) come from
``tests/oracles.py``.
"""

from __future__ import annotations

import itertools
import re
import zlib
from collections.abc import Iterator
from typing import Any

import mpmath
import numpy as np
import pytest

import actcli
from actcli.activations.smooth import SELU_ALPHA, SELU_SCALE
from actcli.engine import CHUNK, SPLIT_BYTES, output_shape
from actcli.errors import ParamError
from actcli.records import Param
from tests import oracles
from tests.cases import away_from_kinks, cases, expected_shape, settings_of
from tests.oracles import KINKS, SELU_SCALE_ALPHA

NAMES = actcli.names()
AXIS = [n for n in NAMES if actcli.get(n).kind == "axis"]


def test_every_activation_has_test_settings() -> None:
    for name in NAMES:
        assert settings_of(name), f"{name} has required parameters: declare its settings"


# --- dtype and shape -----------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "params"), cases())
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_dtype_and_shape_are_kept(name: str, params: dict[str, Any], dtype: type) -> None:
    x = np.linspace(-4, 4, 24, dtype=dtype).reshape(2, 3, 4)
    act = actcli.get(name)
    out_shape = expected_shape(act, x.shape, params)
    y = actcli.evaluate(name, x, **params)
    assert y.dtype == dtype and y.shape == out_shape
    g = actcli.gradient(name, x, **params)
    assert g.dtype == dtype and g.shape == x.shape
    # Integer and bool inputs become float64.
    xi = np.arange(-3, 3).reshape(3, 2) if act.kind == "elementwise" else np.arange(-4, 4)
    assert actcli.evaluate(name, xi, **params).dtype == np.float64
    assert actcli.evaluate(name, xi > 0, **params).dtype == np.float64


@pytest.mark.parametrize("name", NAMES)
def test_zero_d_and_empty_inputs(name: str) -> None:
    act = actcli.get(name)
    params = settings_of(name)[0]
    length = act.kernels.output_length
    try:
        # A 0-d input is one element along the axis: a gate needs an even number of them.
        one = 1 if length is None else length(1)
    except actcli.InputError:
        with pytest.raises(actcli.InputError):
            actcli.evaluate(name, np.float64(1.0), **params)
    else:
        y = actcli.evaluate(name, np.float64(0.5), **params)
        assert y.shape == (() if length is None else (one,)) and isinstance(y, np.ndarray)
        assert actcli.gradient(name, np.float32(0.5), **params).shape == ()
    e = actcli.evaluate(name, np.empty((0, 4), dtype=np.float32), **params)
    assert e.shape == expected_shape(act, (0, 4), params) and e.dtype == np.float32
    assert actcli.gradient(name, np.empty((0, 4)), **params).shape == (0, 4)


@pytest.mark.parametrize("name", NAMES)
def test_non_real_inputs_are_refused(name: str) -> None:
    params = settings_of(name)[0]
    with pytest.raises(actcli.InputError, match="complex"):
        actcli.evaluate(name, np.array([1 + 2j]), **params)
    with pytest.raises(actcli.InputError, match="numbers"):
        actcli.evaluate(name, np.array(["a", "b"]), **params)
    with pytest.raises(actcli.InputError, match="numbers"):
        actcli.evaluate(name, np.array([object(), object()]), **params)


@pytest.mark.parametrize(("name", "params"), cases())
def test_float32_is_within_an_ulp_of_float64_rounded(name: str, params: dict[str, Any]) -> None:
    """float32 output is the float64 output rounded once, exactly, unless the activation has a
    float32 kernel (forward32 / derivative32) or a compiled kernel whose float32 loop is
    float-native (actcli._kernels.float32_native): then within 1 float32 ulp of it."""
    act = actcli.get(name)
    x = np.random.default_rng(3).normal(0, 4, size=64).astype(np.float32)
    y32 = actcli.evaluate(name, x, **params)
    g = np.random.default_rng(4).normal(0, 1, size=y32.shape).astype(np.float32)
    fwd32, der32 = act.kernels.for_dtype(np.dtype(np.float32))
    pairs = (
        (act.kernels.forward32, fwd32, y32, actcli.evaluate(name, x.astype(np.float64), **params)),
        (
            act.kernels.derivative32,
            der32,
            actcli.gradient(name, x, g, **params),
            actcli.gradient(name, x.astype(np.float64), g.astype(np.float64), **params),
        ),
    )
    for fast, serving, y32, y64 in pairs:
        assert y32.dtype == np.float32
        if fast is None and not getattr(serving, "float32_native", False):
            # Without a float32 kernel: float64 rounded once (exact ones compute in float32).
            np.testing.assert_array_equal(y32, y64.astype(np.float32))
        else:
            np.testing.assert_array_max_ulp(y32, y64.astype(np.float32), maxulp=1)


FAST = [n for n in NAMES if actcli.get(n).kernels.forward32 or actcli.get(n).kernels.derivative32]


@pytest.mark.parametrize("name", FAST)
def test_float32_kernels_serve_float32_and_float16_only(name: str) -> None:
    act = actcli.get(name)
    params = act.bind(settings_of(name)[0])
    kernels = act.kernels
    x = np.random.default_rng(5).normal(0, 4, size=(6, 8))
    g = np.random.default_rng(6).normal(0, 1, size=actcli.evaluate(name, x, **params).shape)
    # float64 results are the accurate kernels' whatever float32 kernels are declared, and meet
    # the float64 goal against the mpmath oracle.
    y64, d64 = actcli.evaluate(name, x, **params), actcli.gradient(name, x, g, **params)
    np.testing.assert_array_equal(y64, kernels.forward(x, **params))
    np.testing.assert_array_equal(d64, kernels.derivative(x, g, **params))
    if act.kind == "elementwise":
        f, _ = oracles.elementwise(name, params)
        pairs = zip(x.flat, y64.flat, strict=True)
        worst = max(_ulps(float(v), f(mpmath.mpf(float(t)))) for t, v in pairs)
        assert worst <= act.goal.of("float64")["fwd_max"]
    # float32 and float16 results are a declared float32 kernel's float64 result, rounded once
    # (within 1 float32 ulp of it where the kernel's float32 loop is float-native).
    for dtype in (np.float16, np.float32):
        xd, gd = x.astype(dtype), g.astype(dtype)
        x64, g64 = xd.astype(np.float64), gd.astype(np.float64)
        checks = []
        if kernels.forward32 is not None:
            checks.append(
                (
                    kernels.forward32,
                    actcli.evaluate(name, xd, **params),
                    kernels.forward32(x64, **params),
                )
            )
        if kernels.derivative32 is not None:
            checks.append(
                (
                    kernels.derivative32,
                    actcli.gradient(name, xd, gd, **params),
                    kernels.derivative32(x64, g64, **params),
                )
            )
        for fast, got, want in checks:
            if dtype == np.float32 and getattr(fast, "float32_native", False):
                np.testing.assert_array_max_ulp(got, want.astype(dtype), maxulp=1)
            else:
                np.testing.assert_array_equal(got, want.astype(dtype))


def _ulps(got: float, true: Any) -> float:
    """|got - true| in ulps of the float64 nearest ``true`` (an mpf)."""
    t = float(true)
    if t == 0.0 or not np.isfinite(t):
        return 0.0 if got == t else np.inf
    return float(abs(mpmath.mpf(got) - true) / mpmath.mpf(np.spacing(abs(t))))


# --- float64 references (Activation.reference64) -------------------------------------------------
REFERENCED = [n for n in NAMES if actcli.get(n).reference64 is not None]


def test_some_records_declare_a_float64_reference() -> None:
    # scripts/exhaustive_f32.py scans what these declare; a record derived by fixing parameters
    # (a library name: gelu_new is the tanh GELU) must not carry its parent's reference.
    assert REFERENCED
    assert actcli.get("gelu").reference64 is not None
    assert actcli.get("gelu_new").reference64 is None


@pytest.mark.parametrize("name", REFERENCED)
def test_float64_reference_agrees_with_mpmath(name: str) -> None:
    # The references stand in for mpmath in the exhaustive float32 scans, so they must be
    # within 2e-15 relative of the 60-digit oracle (1e-7 float32 ulp; absolute 2^-1000, far
    # below float32's subnormals, where their intermediates are subnormal themselves): at random
    # float32 x (every binade the scan meets), around the zero crossings of f' and at the ends.
    ref = actcli.get(name).reference64
    assert ref is not None
    rng = np.random.default_rng(11)
    bits = rng.integers(0x00000001, 0x7F800000, 900, dtype=np.int64).astype(np.uint32)
    x32 = bits.view(np.float32) * rng.choice(np.array([-1.0, 1.0], dtype=np.float32), bits.size)
    x32 = x32[np.abs(x32) < 200.0]  # f and f' are 0, 1, x or inf beyond, see below
    # and densely over the plotted range, where the shapes (and the references' regimes) are
    lo, hi = actcli.get(name).doc.plot_range
    x32 = np.concatenate([x32, rng.uniform(lo, hi, 400).astype(np.float32)])
    # 81 floats around each point where an f' crosses zero (gelu -0.7518, silu -1.2785), where
    # a plain formula cancels and the references switch to mpmath or a Taylor series
    for r in (np.float32(-0.7517915), np.float32(-1.2784646)):
        x32 = np.concatenate([x32, r + np.arange(-40, 41, dtype=np.float32) * np.spacing(r)])
    x32 = np.concatenate([x32, [0.0, -0.0, 1e-45, -1e-45, 1e-30, -1e-30, 150.0, -150.0]])
    x32 = np.concatenate([x32, [3e38, -3e38, np.inf, -np.inf, np.nan]]).astype(np.float32)
    x = x32.astype(np.float64)
    f, df = oracles.elementwise(name, actcli.get(name).bind({}))
    for fn, exact in ((ref.forward, f), (ref.derivative, df)):
        if fn is None:
            continue
        got = fn(x)
        assert got.dtype == np.float64 and got.shape == x.shape
        for xi, yi in zip(x, got, strict=True):
            if np.isnan(xi):
                assert np.isnan(yi)
                continue
            true = exact(oracles.to_mpf(float(xi)))
            t = float(true)
            if not np.isfinite(t):
                assert yi == t, (xi, yi, t)
                continue
            err = abs(mpmath.mpf(float(yi)) - true)
            assert err <= 2e-15 * abs(true) + 2.0**-1000, (xi, yi, t)


# --- gradients -----------------------------------------------------------------------------------
def numeric_vjp(name: str, x: np.ndarray, g: np.ndarray, params: dict[str, Any]) -> np.ndarray:
    """d/dx sum(g * f(x)) by central differences, one coordinate at a time (float64)."""
    out = np.empty_like(x)
    flat = x.reshape(-1)
    for i in range(flat.size):
        h = 1e-6 * max(1.0, abs(flat[i]))
        xp, xm = flat.copy(), flat.copy()
        xp[i] += h
        xm[i] -= h
        fp = actcli.evaluate(name, xp.reshape(x.shape), **params)
        fm = actcli.evaluate(name, xm.reshape(x.shape), **params)
        out.reshape(-1)[i] = np.sum(g * (fp - fm)) / (xp[i] - xm[i])
    return out


@pytest.mark.parametrize(("name", "params"), cases())
def test_gradient_matches_finite_differences(name: str, params: dict[str, Any]) -> None:
    # A seed fixed per function (not hash(), which changes between runs).
    rng = np.random.default_rng(zlib.crc32(f"{name} {sorted(params.items())}".encode()))
    act = actcli.get(name)
    if act.kind == "axis":
        x = rng.normal(0, 2, size=(3, 6))
        g = rng.normal(size=actcli.evaluate(name, x, **params).shape)
    else:
        x = away_from_kinks(name, params, rng.uniform(-6, 6, size=60), gap=1e-3)
        g = rng.normal(size=x.shape)
    got = actcli.gradient(name, x, grad_output=g, **params)
    want = numeric_vjp(name, x, g, params)
    np.testing.assert_allclose(got, want, rtol=2e-6, atol=2e-8)


@pytest.mark.parametrize(("name", "params"), cases())
def test_default_grad_output_is_ones(name: str, params: dict[str, Any]) -> None:
    x = np.linspace(-3, 3, 8).reshape(2, 4)
    ones = np.ones(actcli.evaluate(name, x, **params).shape)
    np.testing.assert_array_equal(
        actcli.gradient(name, x, **params), actcli.gradient(name, x, grad_output=ones, **params)
    )


def test_grad_output_shape_must_match() -> None:
    with pytest.raises(actcli.InputError, match=r"shape \(3,\)"):
        actcli.gradient("relu", np.zeros(4), grad_output=np.ones(3))
    with pytest.raises(actcli.InputError, match=r"\(2, 2\)"):
        actcli.gradient("glu", np.zeros((2, 4)), grad_output=np.ones((2, 4)))


# --- the value of the gradient at every kink: PyTorch 2.13's autograd (tests/oracles.py) -------
@pytest.mark.parametrize(
    ("name", "params", "x", "want", "jax", "source"),
    KINKS,
    ids=[f"{k[0]}@{k[2]}" for k in KINKS],
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gradient_at_kinks(
    name: str,
    params: dict[str, Any],
    x: float,
    want: float,
    jax: float | None,
    source: str,
    dtype: type,
) -> None:
    got = actcli.gradient(name, np.array([x], dtype=dtype), **params)
    assert got[0] == dtype(want), source
    if jax is not None:  # JAX's convention: its own value where it differs, torch's elsewhere
        g = np.array([0.5, 0.5, 0.5], dtype=dtype)  # times the upstream gradient
        at = np.array([x, x, x], dtype=dtype)
        got = actcli.gradient(name, at, g, convention="jax", **params)
        np.testing.assert_array_equal(got, dtype(jax) * g, strict=True)


def test_jax_convention_changes_nothing_away_from_the_kinks() -> None:
    x = np.linspace(-3, 3, 601)
    x = x[(x != 0) & (np.abs(x) != 1)]
    for name in ("leaky_relu", "hardtanh"):
        np.testing.assert_array_equal(
            actcli.gradient(name, x, convention="jax"), actcli.gradient(name, x)
        )
    with pytest.raises(ParamError, match="unknown convention 'tf'"):
        actcli.gradient("relu", x, convention="tf")


def test_every_declared_kink_is_in_the_table() -> None:
    covered = {(n, x) for n, p, x, _, _, _ in KINKS if not p}
    for name in NAMES:
        act = actcli.get(name)
        if act.has_required:
            continue
        for k in act.kink_points(act.defaults()):
            assert (name, k) in covered, (
                f"{name}'s kink at {k} has no row in tests/oracles.py KINKS"
            )


@pytest.mark.parametrize(
    ("name", "params", "x", "want"),
    [
        ("hardshrink", {}, 0.5, 0.0),
        ("hardshrink", {}, -0.5, 0.0),
        ("softshrink", {}, 0.5, 0.0),
        ("softshrink", {}, -0.5, 0.0),
        ("threshold", {"threshold": 1.0, "value": -7.0}, 1.0, -7.0),
    ],
)
def test_forward_at_breakpoints(name: str, params: dict[str, Any], x: float, want: float) -> None:
    assert actcli.evaluate(name, x, **params) == want


# --- extremes, infinities and NaN ------------------------------------------------------------
BIG = [1e4, 1e30, 1e300, np.finfo(np.float64).max]


@pytest.fixture
def strict_fp() -> Iterator[None]:
    with np.errstate(over="raise", invalid="raise", divide="raise"):
        yield


def extreme_inputs(name: str, dtype: type, top: float) -> np.ndarray:
    mags = [m for m in [20, 30, 88.7, 100, 709.8, *BIG] if m < top] + [top]
    x = np.array([s * m for m in mags for s in (1, -1)] + [0.0, -0.0, 1e-45, 5e-324], dtype=dtype)
    if actcli.get(name).kind == "axis":
        # Rows [x, 0]: a row spanning -max..max would overflow x - max(x) for real.
        x = np.stack([x, np.zeros_like(x)], axis=-1)
    return x


def true_overflow(name: str, params: dict[str, Any], x: np.ndarray, dtype: type) -> Any:
    """Where the exact f(x) and f'(x) (the mpmath oracle) exceed the dtype's range (there the
    result must be ±inf, elsewhere finite), and where f lies within a rounding of the range's
    end (either may come out). Axis functions' rows never overflow."""
    fmax = mpmath.mpf(float(np.finfo(dtype).max))
    act = actcli.get(name)
    none = np.zeros(x.shape, bool)
    if act.kind == "axis":
        out = np.zeros(output_shape(act, x.shape, act.bind(params)), bool)
        return out, none, out
    f, df = oracles.elementwise(name, act.bind(params))
    fs = [abs(f(oracles.to_mpf(float(v)))) for v in x.ravel()]
    ds = [abs(df(oracles.to_mpf(float(v)))) for v in x.ravel()]
    big_f = np.array([v > fmax for v in fs]).reshape(x.shape)
    big_d = np.array([v > fmax for v in ds]).reshape(x.shape)
    near = np.array([abs(v / fmax - 1) < 1e-6 for v in fs]).reshape(x.shape)
    return big_f, big_d, near


@pytest.mark.usefixtures("strict_fp")
@pytest.mark.parametrize(("name", "params"), cases())
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_extreme_finite_inputs_give_finite_results(
    name: str, params: dict[str, Any], dtype: type
) -> None:
    # Up to a quarter of the dtype's max: finite wherever the truth is, and no FP warning.
    x = extreme_inputs(name, dtype, float(np.finfo(dtype).max) / 4)
    big_f, big_d, near = true_overflow(name, params, x, dtype)
    y, d = actcli.evaluate(name, x, **params), actcli.gradient(name, x, **params)
    assert np.all((np.isfinite(y) != big_f) | near)
    assert np.all(np.isfinite(d) != big_d)


@pytest.mark.parametrize(("name", "params"), cases())
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_dtype_max_overflows_only_where_the_truth_does(
    name: str, params: dict[str, Any], dtype: type
) -> None:
    fmax = float(np.finfo(dtype).max)
    x = extreme_inputs(name, dtype, fmax)
    with np.errstate(invalid="raise", divide="raise", over="ignore"):
        y = actcli.evaluate(name, x, **params)
        d = actcli.gradient(name, x, **params)
    big_f, big_d, near = true_overflow(name, params, x, dtype)
    assert np.all((np.isfinite(y) != big_f) | near)
    assert np.all(np.isfinite(d) != big_d)


@pytest.mark.usefixtures("strict_fp")
@pytest.mark.parametrize(("name", "params"), cases(kind="elementwise"))
@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_infinity_gives_the_limit(name: str, params: dict[str, Any], sign: float) -> None:
    # The oracle at ±BIG says which limits are infinite or 0 when 1e300 is not yet near them
    # (sqrtsoftplus: √x grows without bound, its slope 1/(2√x) tends to 0).
    f, df = oracles.elementwise(name, actcli.get(name).bind(params))
    lim_f, lim_d = f(sign * oracles.BIG), df(sign * oracles.BIG)
    f_inf = actcli.evaluate(name, sign * np.inf, **params)
    f_big = actcli.evaluate(name, sign * 1e300, **params)
    if abs(f_big) > 1e290 or abs(lim_f) > 1e308:
        assert f_inf == np.sign(f_big) * np.inf
    else:
        np.testing.assert_allclose(f_inf, f_big, rtol=1e-12, atol=1e-300)
    d_inf = actcli.gradient(name, sign * np.inf, **params)
    d_big = actcli.gradient(name, sign * 1e300, **params)
    act = actcli.get(name)
    if act.no_derivative(sign * np.inf, act.bind(params)):  # f' oscillates: no limit, NaN
        assert np.isnan(d_inf) and np.isnan(actcli.gradient(name, sign * np.inf, order=2, **params))
    elif abs(d_big) > 1e290:  # a slope that grows without bound (relu2)
        assert d_inf == np.sign(d_big) * np.inf
    elif lim_d == 0:
        assert d_inf == 0
    else:
        np.testing.assert_allclose(d_inf, d_big, rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize(("name", "params"), cases())
def test_nan_propagates(name: str, params: dict[str, Any]) -> None:
    x = np.array([[np.nan, 1.0], [0.5, -0.25]])
    y = actcli.evaluate(name, x, **params)
    d = actcli.gradient(name, x, **params)
    assert np.isnan(y.reshape(len(x), -1)[0, 0]) and np.isnan(d[0]).any()
    if actcli.get(name).kind == "elementwise":
        assert not np.isnan(y[1]).any() and not np.isnan(d[1]).any()


# --- identities --------------------------------------------------------------------------------
def test_softmax_rows_sum_to_one_and_log_softmax_is_its_log() -> None:
    rng = np.random.default_rng(0)
    x = rng.normal(0, 30, size=(50, 17))
    for dim in (0, 1, -1):
        y = actcli.evaluate("softmax", x, dim=dim)
        np.testing.assert_allclose(y.sum(axis=dim), 1.0, rtol=1e-14)
        ls = actcli.evaluate("log_softmax", x, dim=dim)
        # exp(log_softmax) = softmax (np.log(softmax) would lose digits near 1, not ls).
        ok = y > 1e-300
        np.testing.assert_allclose(np.exp(ls[ok]), y[ok], rtol=1e-13)
        np.testing.assert_array_equal(
            actcli.evaluate("softmin", x, dim=dim), actcli.evaluate("softmax", -x, dim=dim)
        )


def test_softmax_rows_with_infinities_take_the_limit() -> None:
    x = np.array(
        [
            [np.inf, 0.0, np.inf, -np.inf],  # the +inf entries share the mass
            [-np.inf, -np.inf, -np.inf, -np.inf],  # falling together: uniform
            [1.0, -np.inf, 1.0, -np.inf],  # -inf entries get exactly 0
        ]
    )
    with np.errstate(all="raise", under="ignore"):
        y = actcli.evaluate("softmax", x)
        ls = actcli.evaluate("log_softmax", x)
        actcli.gradient("softmax", x)
    np.testing.assert_array_equal(y[0], [0.5, 0.0, 0.5, 0.0])
    np.testing.assert_array_equal(y[1], [0.25] * 4)
    np.testing.assert_array_equal(y[2], [0.5, 0.0, 0.5, 0.0])
    np.testing.assert_array_equal(ls[2], [-np.log(2), -np.inf, -np.log(2), -np.inf])


def test_silu_is_swish_with_beta_one() -> None:
    x = np.random.default_rng(1).normal(0, 5, size=1000)
    np.testing.assert_array_equal(actcli.evaluate("silu", x), actcli.evaluate("swish", x))
    np.testing.assert_array_equal(actcli.gradient("silu", x), actcli.gradient("swish", x, beta=1))


def test_gelu_tanh_is_within_1e3_of_exact() -> None:
    x = np.linspace(-10, 10, 20001)
    exact = actcli.evaluate("gelu", x)
    approx = actcli.evaluate("gelu", x, approximate="tanh")
    assert np.max(np.abs(exact - approx)) < 1e-3


def test_selu_constants_to_full_precision() -> None:
    # Klambauer et al. (2017), eq. 14: the fixed point (mean 0, variance 1) gives alpha, lambda.
    with mpmath.workdps(40):
        e, erfc, sqrt, pi = mpmath.e, mpmath.erfc, mpmath.sqrt, mpmath.pi
        alpha = -sqrt(2 / pi) / (erfc(1 / sqrt(2)) * mpmath.exp(0.5) - 1)
        c = erfc(1 / sqrt(2))
        scale = (1 - c * sqrt(e)) * sqrt(2 * pi)
        scale /= sqrt(
            2 * erfc(sqrt(2)) * e**2 + pi * c**2 * e - 2 * (2 + pi) * c * sqrt(e) + pi + 2
        )
    assert (float(alpha), float(scale)) == (SELU_ALPHA, SELU_SCALE)
    assert actcli.evaluate("selu", 1.0) == float(scale)
    # The product is rounded in double, as PyTorch's kernel: the same bits as torch at the kink.
    assert actcli.evaluate("selu", -np.inf) == -(SELU_SCALE * SELU_ALPHA) == -SELU_SCALE_ALPHA


def test_rrelu_training_is_reproducible_and_consistent() -> None:
    x = np.linspace(-5, 5, 1001)
    kw = {"training": True, "seed": 42, "lower": 0.1, "upper": 0.3}
    y1, y2 = actcli.evaluate("rrelu", x, **kw), actcli.evaluate("rrelu", x, **kw)
    np.testing.assert_array_equal(y1, y2)
    neg = x < 0
    slopes = y1[neg] / x[neg]
    assert slopes.min() >= 0.1 and slopes.max() <= 0.3 and np.unique(slopes).size > 100
    # The gradient uses the slopes the forward drew for the same seed.
    np.testing.assert_allclose(actcli.gradient("rrelu", x, **kw)[neg], slopes, rtol=1e-15)
    assert not np.array_equal(y1, actcli.evaluate("rrelu", x, **{**kw, "seed": 43}))
    eval_mode = actcli.evaluate("rrelu", x, lower=0.1, upper=0.3)
    np.testing.assert_allclose(eval_mode[neg], 0.2 * x[neg], rtol=1e-15)


def test_prelu_weight_per_channel_along_axis_1() -> None:
    x = -np.ones((2, 3, 4))
    y = actcli.evaluate("prelu", x, weight=np.array([0.1, 0.2, 0.3]))
    np.testing.assert_allclose(y[:, :, 0], [[-0.1, -0.2, -0.3]] * 2)
    g = actcli.gradient("prelu", x, weight=[0.1, 0.2, 0.3])
    np.testing.assert_allclose(g[1, :, 3], [0.1, 0.2, 0.3])
    with pytest.raises(actcli.InputError, match="3 values but the input has 4 channel"):
        actcli.evaluate("prelu", np.ones((2, 4)), weight=[0.1, 0.2, 0.3])


# --- chunks and threads give the same bits as one call ------------------------------------------
# Training-mode rrelu draws one slope per element for the whole array: it is never chunked.
@pytest.mark.parametrize(("name", "params"), cases(deterministic=True))
def test_chunked_and_threaded_match_single_call(name: str, params: dict[str, Any]) -> None:
    rng = np.random.default_rng(5)
    # Enough float32 elements that even a memory-bound loop is split between the threads.
    n = SPLIT_BYTES // 4 + 3 * CHUNK + 17
    x = rng.normal(0, 6, size=n).astype(np.float32)
    if actcli.get(name).kind == "axis":
        x = x[: (n // 16) * 16].reshape(-1, 16)
    small = [actcli.evaluate(name, part, **params) for part in np.array_split(x, 40)]
    try:
        actcli.set_num_threads(2)
        threaded = actcli.evaluate(name, x, **params)
        actcli.set_num_threads(1)
        serial = actcli.evaluate(name, x, **params)
    finally:
        actcli.set_num_threads(None)
    np.testing.assert_array_equal(threaded, np.concatenate(small))
    np.testing.assert_array_equal(serial, threaded)


# --- whether a compiled loop is split over threads ---------------------------------------------
def test_split_threads_weighs_a_loops_measured_cost(monkeypatch: pytest.MonkeyPatch) -> None:
    from actcli import engine

    monkeypatch.setattr(engine, "get_num_threads", lambda: 2)
    monkeypatch.setattr(engine, "_seconds_per_element", {})
    key = ("a loop", np.dtype(np.float32))
    mid, moved = 1 << 20, 8 << 20  # 2^20 float32 elements in and out: below SPLIT_BYTES
    assert engine._split_threads(key, mid, moved) == 1  # not timed yet: one thread
    assert engine._split_threads(key, mid, engine.SPLIT_BYTES) == 2  # large enough: always
    assert engine._split_threads(key, engine.SPLIT_MIN - 1, engine.SPLIT_BYTES) == 1
    # 1e-10 s an element: 0.1 ms on one thread, less than a hand-off; 1e-9: 1 ms, split.
    engine._seconds_per_element[key] = 1e-10
    assert engine._split_threads(key, mid, moved) == 1
    engine._seconds_per_element[key] = 1e-9
    assert engine._split_threads(key, mid, moved) == 2
    monkeypatch.setattr(engine, "get_num_threads", lambda: 1)
    assert engine._split_threads(key, mid, engine.SPLIT_BYTES) == 1


def test_shares_cover_the_input_in_whole_chunks_the_callers_longer() -> None:
    from actcli import engine

    chunk = 1 << 16
    units = 61 * chunk + 1234  # 62 chunks, the last short
    even = engine._shares(units, chunk, 2, None)
    assert even == [(0, 31 * chunk), (31 * chunk, units)]
    # 0.2 ns an element: a 50 us hand-off is 250,000 elements, 3.8 chunks; the caller takes
    # half of them more: 33 chunks against 29.
    skewed = engine._shares(units, chunk, 2, 2e-10)
    assert skewed == [(0, 33 * chunk), (33 * chunk, units)]
    # An expensive loop barely skews; a free one (or one thread) gives everything to the caller.
    assert engine._shares(units, chunk, 2, 1e-8) == even
    assert engine._shares(units, chunk, 2, 1e-15) == [(0, units)]
    assert engine._shares(units, chunk, 1, None) == [(0, units)]
    three = engine._shares(units, chunk, 3, None)
    assert [b - a for a, b in three] == [21 * chunk, 21 * chunk, 20 * chunk - (chunk - 1234)]
    assert engine._shares(100, chunk, 2, None) == [(0, 100)]  # one chunk: one share
    # Runs of at most RUN_MAX elements, whole chunks, contiguous.
    runs = engine._runs(0, units, chunk, engine.RUN_MAX // chunk)
    assert runs[0][0] == 0 and runs[-1][1] == units
    assert all(b == c for (_, b), (c, _) in itertools.pairwise(runs))
    assert all(b - a <= engine.RUN_MAX and a % chunk == 0 for a, b in runs)
    assert len(runs) == -(-units // engine.RUN_MAX)
    rows = engine._runs(64, 64 + 300, 64, 2)  # 5 chunks of 64 rows, at most 2 a run: 3 runs
    assert rows == [(64, 192), (192, 320), (320, 364)]
    assert engine._runs(0, 300, 64, 1) == [(0, 64), (64, 128), (128, 192), (192, 256), (256, 300)]


@pytest.mark.parametrize("name", ["relu", "gelu", "softmax"])
def test_a_mid_sized_loop_is_timed_then_split_by_its_cost(
    name: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    from actcli import engine

    act = actcli.get(name)
    x = np.random.default_rng(3).normal(0, 3, size=engine.SPLIT_MIN * 2).astype(np.float32)
    if act.kind == "axis":
        x = x.reshape(-1, 64)
    key = (act.kernels.for_dtype(x.dtype)[0], x.dtype)
    submitted: list[int] = []
    real = engine._executor

    class Spy:  # the pool, counting the runs handed to it
        def __init__(self, n: int) -> None:
            self.pool = real(n)

        def submit(self, fn: Any, *args: Any) -> Any:
            submitted.append(1)
            return self.pool.submit(fn, *args)

    monkeypatch.setattr(engine, "_executor", Spy)
    monkeypatch.setattr(engine, "_seconds_per_element", {})
    try:
        actcli.set_num_threads(2)
        first = actcli.evaluate(name, x)
        assert not submitted  # untimed and below SPLIT_BYTES: one thread, timed
        assert engine._seconds_per_element[key] > 0
        engine._seconds_per_element[key] = 1.0  # as if it were slow: the next call is split
        split = actcli.evaluate(name, x)
        assert submitted
        submitted.clear()
        engine._seconds_per_element[key] = 0.0  # as if it cost nothing: one thread again
        again = actcli.evaluate(name, x)
        assert not submitted
    finally:
        actcli.set_num_threads(None)
    assert np.array_equal(first, split) and np.array_equal(first, again)
    assert first.dtype == np.float32


# --- memory layout does not change a bit -------------------------------------------------------
# Kernels patch hard lanes (tails, zero crossings, huge values) through flat indices after a fast
# pass; on Fortran-ordered or strided input those indices must still land on the right elements.
_LAYOUT_NEGATIVE = [-1e308, -800.0, -750.0, -40.0, -9.5, -3.0, -1.2784645427610738, -1.1924, -0.5]
_LAYOUT_POSITIVE = [0.0, 1e-8, 0.7, 1.5, 3.0, 6.0, 20.0, 37.0, 720.0, 1e300]
_LAYOUT_VALUES = np.array([*_LAYOUT_NEGATIVE, -1e-300, *_LAYOUT_POSITIVE, np.inf, -np.inf, np.nan])


@pytest.mark.parametrize(("name", "params"), cases(deterministic=True))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_fortran_order_and_strides_give_the_same_bits(
    name: str, params: dict[str, Any], dtype: type
) -> None:
    rng = np.random.default_rng(11)
    n = 24 * 30
    x = np.resize(_LAYOUT_VALUES, n) * np.where(rng.random(n) < 0.5, 1.0, rng.normal(1, 0.01, n))
    with np.errstate(over="ignore"):  # 1e300 and 1e308 become inf in float32
        c = x.reshape(24, 30).astype(dtype)
    act = actcli.get(name)
    g = rng.normal(size=output_shape(act, c.shape, act.bind(params))).astype(dtype)
    views = {
        "fortran": (np.asfortranarray(c), np.asfortranarray(g)),
        "transposed": (np.ascontiguousarray(c.T).T, np.ascontiguousarray(g.T).T),
        "strided": (np.repeat(c, 2, axis=1)[:, ::2], np.repeat(g, 2, axis=-1)[..., ::2]),
    }
    want_y = actcli.evaluate(name, c, **params)
    want_d = actcli.gradient(name, c, g, **params)
    for layout, (xv, gv) in views.items():
        np.testing.assert_array_equal(xv, c)
        y = actcli.evaluate(name, xv, **params)
        d = actcli.gradient(name, xv, gv, **params)
        np.testing.assert_array_equal(y, want_y, err_msg=f"{layout} forward")
        np.testing.assert_array_equal(d, want_d, err_msg=f"{layout} gradient")


def test_thread_count_validation(monkeypatch: pytest.MonkeyPatch) -> None:
    with pytest.raises(actcli.ParamError):
        actcli.set_num_threads(0)
    monkeypatch.setenv("ACTCLI_NUM_THREADS", "3")
    actcli.set_num_threads(None)
    assert actcli.get_num_threads() == 3
    monkeypatch.setenv("ACTCLI_NUM_THREADS", "zero")
    actcli.set_num_threads(None)
    with pytest.raises(actcli.ParamError, match="ACTCLI_NUM_THREADS"):
        actcli.get_num_threads()
    monkeypatch.delenv("ACTCLI_NUM_THREADS")
    actcli.set_num_threads(None)


# --- parameter validation: every declared parameter refuses what its declaration excludes ------
def _bad_values(p: Param) -> list[tuple[Any, str]]:
    """Values ``p``'s declaration refuses, each with the words the error must contain."""
    if p.choices is not None:
        return [("not-a-choice", "one of: " + ", ".join(p.choices))]
    if p.kind is bool:
        return [(1.0, "true or false"), ("yes", "true or false")]
    if p.kind is str:
        return []
    word = "an integer" if p.kind is int else "a number"
    bad: list[tuple[Any, str]] = [("x", word), (True, word)]
    if p.kind is int:
        bad.append((1.5, "an integer"))
    else:
        bad.append((float("nan"), "must be"))
        if not p.allow_inf:
            bad.append((float("inf"), "must be"))
    if p.low is not None:
        bad.append((p.low if p.low_open else p.low - 1, _bound(p.low)))
    if p.high is not None:
        bad.append((p.high if p.high_open else p.high + 1, _bound(p.high)))
    if p.per_channel:
        bad.append(([[1.0]], "1-D array"))
    return bad


def _bound(v: float) -> str:
    # How a bound reads in the message: 6, 0.5, 1e+300 (a huge one in float form).
    return repr(int(v)) if float(v).is_integer() and abs(v) < 1e16 else repr(float(v))


def _param_cases() -> list[Any]:
    out = []
    for name in NAMES:
        for p in actcli.get(name).params:
            for value, words in _bad_values(p):
                out.append(pytest.param(name, p.name, value, words, id=f"{name}-{p.name}-{value}"))
    return out


@pytest.mark.parametrize(("name", "param", "value", "words"), _param_cases())
def test_declared_parameters_refuse_bad_values(
    name: str, param: str, value: Any, words: str
) -> None:
    act = actcli.get(name)
    params = {**act.illustrative(), param: value}
    with pytest.raises(actcli.ParamError, match=re.escape(words)) as err:
        actcli.evaluate(name, np.zeros((2, 2)), **params)
    assert f"parameter '{param}'" in str(err.value)


@pytest.mark.parametrize("name", NAMES)
def test_unknown_and_missing_parameters_are_named(name: str) -> None:
    act = actcli.get(name)
    base = act.illustrative()
    with pytest.raises(actcli.ParamError) as err:
        actcli.evaluate(name, np.zeros((2, 2)), **base, no_such_param=1.0)
    if act.params:
        assert "unknown parameter 'no_such_param'" in str(err.value)
        assert "expected one of: " + ", ".join(act.param_names) in str(err.value)
    else:
        assert f"{name} takes no parameters" in str(err.value)
    for p in act.params:
        if p.required:
            rest = {k: v for k, v in base.items() if k != p.name}
            with pytest.raises(actcli.ParamError, match=f"{name} needs parameter '{p.name}'"):
                actcli.evaluate(name, np.zeros((2, 2)), **rest)


@pytest.mark.parametrize(
    ("name", "params", "match"),
    [
        # The exact wording of a few messages, and the records' cross-parameter checks.
        ("leaky_relu", {"slope": 0.1}, r"unknown parameter 'slope'.*negative_slope"),
        ("softplus", {"beta": 0.0}, r"^parameter 'beta' of softplus must be > 0, got 0$"),
        ("rrelu", {"lower": 0.5, "upper": 0.1}, "lower <= upper"),
        ("hardtanh", {"min_val": 2.0, "max_val": 1.0}, "min_val <= max_val"),
    ],
)
def test_bad_parameters_raise_param_error(name: str, params: dict[str, Any], match: str) -> None:
    with pytest.raises(actcli.ParamError, match=match):
        actcli.evaluate(name, np.zeros((2, 2)), **params)


@pytest.mark.parametrize("name", AXIS)
def test_dim_out_of_range(name: str) -> None:
    with pytest.raises(actcli.ParamError, match=r"'dim' of .* must be in \[-2, 1\]"):
        actcli.evaluate(name, np.zeros((2, 4)), dim=2)
    with pytest.raises(actcli.ParamError, match=r"\[-1, 0\]"):
        actcli.gradient(name, np.zeros(4), dim=-2)


def test_glu_needs_an_even_axis() -> None:
    with pytest.raises(actcli.InputError, match="even size along dim, got 3"):
        actcli.evaluate("glu", np.zeros((4, 3)))
    assert actcli.evaluate("glu", np.zeros((4, 3)), dim=0).shape == (2, 3)


# --- the caller's arrays are never written -------------------------------------------------------
# Fast kernels work in place on their temporaries; x and grad_output belong to the caller, in the
# small one-call path (the kernel sees them directly) and in the chunked path alike.
@pytest.mark.parametrize(("name", "params"), cases())
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
@pytest.mark.parametrize("size", [200, CHUNK + 5])
def test_inputs_are_not_modified(name: str, params: dict[str, Any], dtype: type, size: int) -> None:
    rng = np.random.default_rng(13)
    with np.errstate(over="ignore"):
        x = (np.resize(_LAYOUT_VALUES, size) * rng.normal(1, 0.01, size)).astype(dtype)
    act = actcli.get(name)
    if act.kind == "axis":
        x = x[: size - size % 10].reshape(-1, 10)
    g = rng.normal(size=output_shape(act, x.shape, act.bind(params))).astype(dtype)
    x_before, g_before = x.copy(), g.copy()
    actcli.evaluate(name, x, **params)
    actcli.gradient(name, x, g, **params)
    actcli.gradient(name, x, **params)
    np.testing.assert_array_equal(x, x_before)
    np.testing.assert_array_equal(g, g_before)


# --- results beyond the narrow dtype's range round to ±inf, quietly ------------------------------
@pytest.mark.parametrize(("name", "params"), cases(deterministic=True))
@pytest.mark.parametrize("dtype", [np.float32, np.float16])
@pytest.mark.parametrize("size", [40, CHUNK + 4])  # multiples of 10 (rows)
def test_results_beyond_the_dtype_range_round_to_inf_without_a_warning(
    name: str, params: dict[str, Any], dtype: type, size: int
) -> None:
    # Computed in float64 and rounded once: selu(0.99·max) = 1.04·max is +inf in the dtype, the
    # correctly rounded value, and NumPy's "overflow encountered in cast" must not reach the
    # caller (pytest turns warnings into errors here).
    top = float(np.finfo(dtype).max)
    x = np.resize(np.array([0.99 * top, -0.99 * top, top, -top, 1.0], dtype=dtype), size)
    act = actcli.get(name)
    if act.kind == "axis":
        x = x.reshape(-1, 10)
    g = np.full(output_shape(act, x.shape, act.bind(params)), 0.99 * top, dtype=dtype)
    y = actcli.evaluate(name, x, **params)
    d = actcli.gradient(name, x, g, **params)
    assert y.dtype == dtype and d.dtype == dtype
    # Where the float64 result is finite but rounds beyond the dtype's range (from max plus half
    # an ulp: selu(0.99·max) = 1.04·max), the result is the infinity of its sign.
    y64 = actcli.evaluate(name, x.astype(np.float64), **params)
    rounds_to_inf = top + (top - float(np.nextafter(dtype(top), dtype(0)))) / 2
    beyond = np.isfinite(y64) & (np.abs(y64) >= rounds_to_inf)
    np.testing.assert_array_equal(y[beyond], np.sign(y64[beyond]) * np.inf)


def test_selu_beyond_the_float32_range_is_inf() -> None:
    # selu(0.99·max) = 1.04·max: correctly rounded it is +inf in float32, quietly.
    top = np.finfo(np.float32).max
    assert actcli.evaluate("selu", np.array([0.99 * top], dtype=np.float32))[0] == np.inf
