"""Edge cases of the fast gated/GELU-family kernels, checked against mpmath or exact identities.

Regression tests for bugs found in review: N-D inputs that took a different (differently
rounding) path than the 1-D chunks of a large input, zeros that lost x's sign, softsign's VJP
giving NaN for grad_output = inf, and swish(beta=0)'s gradient ignoring a NaN input. Plus the
edges around them: fix-up lanes at chunk boundaries and with two threads, 0-d and shape-(1,)
inputs, float16, grad_output holding 0/inf/NaN, parameters at their range edges, limits at ±inf.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import mpmath as mp
import numpy as np
import pytest

import actcli
from actcli import engine

mp.mp.dps = 50

_K = mp.mpf("0.044715")


def _sig(z: Any) -> Any:
    return 1 / (1 + mp.exp(-z))


def _swish(x: Any, beta: Any = 1) -> Any:
    return x * _sig(beta * x)


def _swish_d(x: Any, beta: Any = 1) -> Any:
    s = _sig(beta * x)
    return s + beta * x * s * (1 - s)


def _mish(x: Any) -> Any:
    return x * mp.tanh(mp.log1p(mp.exp(x)))


def _mish_d(x: Any) -> Any:
    t = mp.tanh(mp.log1p(mp.exp(x)))
    return t + x * (1 - t * t) * _sig(x)


def _ncdf(x: Any) -> Any:
    # mpmath's erfc overflows for |x| ~ 1e150; Φ is 0 or 1 far below 50 digits beyond 1000.
    return mp.ncdf(x) if abs(x) < 1000 else mp.mpf(x > 0)


def _gelu(x: Any) -> Any:
    return x * _ncdf(x)


def _gelu_d(x: Any) -> Any:
    return _ncdf(x) + (x * mp.npdf(x) if abs(x) < 1000 else 0)


def _gelu_tanh(x: Any) -> Any:
    return x * _sig(2 * mp.sqrt(2 / mp.pi) * (x + _K * x**3))


def _gelu_tanh_d(x: Any) -> Any:
    c = mp.sqrt(2 / mp.pi)
    s = _sig(2 * c * (x + _K * x**3))
    return s + x * s * (1 - s) * 2 * c * (1 + 3 * _K * x * x)


def _softsign_d(x: Any) -> Any:
    return 1 / (1 + abs(x)) ** 2


def _squareplus_d(x: Any) -> Any:
    # (1 + x/h)/2, h = sqrt(x^2 + 4); for x < 0 as 2/(h(h - x)), free of cancellation.
    h = mp.sqrt(x * x + 4)
    return (1 + x / h) / 2 if x >= 0 else 2 / (h * (h - x))


#: name, params, forward and derivative in mpmath.
REFS: list[tuple[str, dict[str, Any], Callable[[Any], Any], Callable[[Any], Any]]] = [
    ("silu", {}, _swish, _swish_d),
    ("swish", {"beta": 0.3}, lambda x: _swish(x, mp.mpf(0.3)), lambda x: _swish_d(x, mp.mpf(0.3))),
    ("mish", {}, _mish, _mish_d),
    ("gelu", {}, _gelu, _gelu_d),
    ("gelu", {"approximate": "tanh"}, _gelu_tanh, _gelu_tanh_d),
    ("softsign", {}, lambda x: x / (1 + abs(x)), _softsign_d),
    ("tanhshrink", {}, lambda x: x - mp.tanh(x), lambda x: mp.tanh(x) ** 2),
    (
        "squareplus",
        {},
        lambda x: (x + mp.sqrt(x * x + 4)) / 2 if x >= 0 else 2 / (mp.sqrt(x * x + 4) - x),
        _squareplus_d,
    ),
]
IDS = [n + "".join(f"-{k}={v}" for k, v in p.items()) for n, p, _, _ in REFS]

#: Values that reach the kernels' fix-up lanes: zero crossings of f' (silu -1.2785, mish
#: -1.1924, gelu -0.7518), the series/tail switch-overs, exp overflow, huge and subnormal x.
SPECIAL = np.array(
    [0.0, -0.0, 5e-324, -5e-324, 1e-200, -1e-200, 1e-8, -1e-8, -0.55, 0.55, -0.7518, -1.1924,
     -1.2785, 1.0, -1.0, 1.5, -1.5, 9.0, -9.0, 15.0, -15.0, 20.0, -20.0, 30.5, -30.5, -40.0,
     40.0, -177.5, -200.0, -350.5, -354.95, 350.5, -700.5, -709.9, 700.5, -745.2, 1e4, -1e4,
     -2e4, 1e150, -1e150, 1e300, -1e300]
)  # fmt: skip


def _ulps(got: float, true: Any) -> float:
    t = float(true)
    if t == 0.0 or not np.isfinite(t):
        return 0.0 if got == t else np.inf
    return float(abs(mp.mpf(got) - true) / mp.mpf(np.spacing(abs(t))))


def _bits(a: np.ndarray) -> np.ndarray:
    return np.ascontiguousarray(a).view(np.uint8)


@pytest.mark.parametrize(("name", "params", "f", "df"), REFS, ids=IDS)
def test_special_values_at_chunk_edges_match_mpmath_with_any_threads(
    name: str, params: dict[str, Any], f: Callable[[Any], Any], df: Callable[[Any], Any]
) -> None:
    # 2^21 + 5 elements: chunked and, with two threads, split between them. The special values
    # sit on both sides of several chunk boundaries and of the threads' split point.
    n = (1 << 21) + 5
    x = np.random.default_rng(7).normal(size=n) * 3
    k = SPECIAL.size
    for edge in (0, 1 << 16, 1 << 20, (1 << 21) - k):
        lo = max(edge - k // 2, 0)
        x[lo : lo + k] = SPECIAL
    pos = np.flatnonzero(np.isin(x, SPECIAL))
    try:
        results = []
        for threads in (1, 2):
            engine.set_num_threads(threads)
            results.append((actcli.evaluate(name, x, **params), actcli.gradient(name, x, **params)))
    finally:
        engine.set_num_threads(None)
    (f1, d1), (f2, d2) = results
    assert np.array_equal(_bits(f1), _bits(f2)) and np.array_equal(_bits(d1), _bits(d2))
    # The same bits as one small call per special value, and within the accuracy goals.
    small_f = actcli.evaluate(name, SPECIAL, **params)
    small_d = actcli.gradient(name, SPECIAL, **params)
    for i in pos:
        j = int(np.flatnonzero(x[i] == SPECIAL)[0]) if x[i] != 0 else None
        if j is not None:
            assert f1[i] == small_f[j] and d1[i] == small_d[j]
    for v, fv, dv in zip(SPECIAL, small_f, small_d, strict=True):
        xv = mp.mpf(float(v))
        assert _ulps(float(fv), f(xv)) <= 2, (v, fv)
        assert _ulps(float(dv), df(xv)) <= 16, (v, dv)


@pytest.mark.parametrize(
    ("name", "params"),
    [("silu", {}), ("swish", {"beta": 0.3}), ("mish", {}), ("swish", {"beta": 3.0})],
)
def test_small_nd_input_gives_the_bits_of_the_flat_input(name: str, params: dict[str, Any]) -> None:
    # Regression: small N-D float64 inputs took root_patch/_mish_slope_exact instead of the 1-D
    # path the engine's chunks take, so evaluate(x.reshape(...)) != evaluate(x).reshape(...)
    # near the gradient's zero crossing (silu -1.2785, mish -1.1924) and for mish's x < 0.
    x = np.linspace(-4.0, 2.0, 6000)
    g = np.random.default_rng(3).normal(size=x.size)
    flat = actcli.gradient(name, x, g, **params)
    for shape in ((60, 100), (10, 20, 30), (6000, 1)):
        nd = actcli.gradient(name, x.reshape(shape), g.reshape(shape), **params)
        assert np.array_equal(_bits(nd.reshape(-1)), _bits(flat)), shape
        fortran = np.asfortranarray(x.reshape(shape))
        nd = actcli.gradient(name, fortran, np.asfortranarray(g.reshape(shape)), **params)
        assert np.array_equal(_bits(np.ascontiguousarray(nd).reshape(-1)), _bits(flat)), shape


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16])
@pytest.mark.parametrize(
    ("name", "params"),
    [("silu", {}), ("swish", {"beta": 0.5}), ("swish", {"beta": 1e-300}), ("mish", {}),
     ("gelu", {}), ("gelu", {"approximate": "tanh"}), ("softsign", {}), ("tanhshrink", {}),
     ("elu", {}), ("elu", {"alpha": 0.5}), ("celu", {}), ("celu", {"alpha": 2.0}), ("selu", {})],
)  # fmt: skip
def test_zero_results_keep_the_sign_of_x(name: str, params: dict[str, Any], dtype: Any) -> None:
    # These f are odd, x·(positive gate) or (ELU family) negative exactly for x < 0:
    # sign(f(x)) = sign(x), so a result that rounds to zero is -0.0 for x < 0 (regression:
    # float64 silu/swish/mish/gelu(-0.0) gave +0.0, silu/swish/mish of x < -1e4 gave +0.0
    # while float32 gave -0.0, and float64 elu(-5e-324, alpha=0.5) and celu(-0.0, alpha=2)
    # gave +0.0).
    with np.errstate(over="ignore", under="ignore"):  # -1e300 is -inf in float32/float16
        x = np.array([-0.0, 0.0, -5e-324, -1e4, -2e4, -1e300, -np.inf, np.inf]).astype(dtype)
    r = actcli.evaluate(name, x, **params)
    assert r.dtype == dtype
    finite_neg = np.isfinite(x) & np.signbit(x)
    assert np.all(np.signbit(r[finite_neg])), r
    assert not np.signbit(r[1])
    if name in {"silu", "swish", "mish", "gelu"}:
        assert r[-2] == 0 and r[-1] == np.inf  # the limits at ±inf
    # 0-d input: same value, 0-d result.
    z = actcli.evaluate(name, dtype(-0.0), **params)
    assert z.shape == () and z.dtype == dtype and np.signbit(z)


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16])
def test_softsign_vjp_with_zero_and_infinite_grad_output_is_the_ieee_product(dtype: Any) -> None:
    # Regression: the float64 kernel applied its rounding correction to g/(1 + |x|)^2, giving
    # inf·0 = NaN for g = ±inf and +0.0 for g = -0.0. The slope is finite and positive here.
    with np.errstate(over="ignore"):
        x = np.array([0.5, -3.0, 0.0, -0.0, 2e10, 1e200]).astype(dtype)
    for gv in (np.inf, -np.inf, 0.0, -0.0, np.nan):
        g = np.full(x.shape, gv, dtype=dtype)
        r = actcli.gradient("softsign", x, g)
        slope = np.array([float(_softsign_d(mp.mpf(float(v)))) for v in x])
        with np.errstate(invalid="ignore", over="ignore", under="ignore"):
            expect = (gv * slope).astype(dtype)  # IEEE: ±inf·positive, ±0·positive, NaN
        # 1e200 in float64: the slope underflows (1e-400), its product with inf is NaN or inf.
        ok = (r == expect) & (np.signbit(r) == np.signbit(expect)) | np.isnan(expect)
        assert ok.all(), (gv, r, expect)
        assert np.isnan(r[np.isnan(expect)]).all()


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16])
def test_swish_beta_zero_gradient_propagates_nan(dtype: Any) -> None:
    # swish(beta=0) = x/2: its gradient is 1/2, but NaN in gives NaN out (as identity's).
    x = np.array([np.nan, 1.0, -np.inf, np.inf, -0.0], dtype=dtype)
    d = actcli.gradient("swish", x, beta=0.0)
    assert np.isnan(d[0]) and np.all(d[1:] == 0.5)
    assert np.isnan(actcli.evaluate("swish", x, beta=0.0)[0])


@pytest.mark.parametrize(("name", "params", "f", "df"), REFS, ids=IDS)
@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16])
def test_nan_inf_and_grad_output_edges(
    name: str,
    params: dict[str, Any],
    f: Callable[[Any], Any],
    df: Callable[[Any], Any],
    dtype: Any,
) -> None:
    x = np.array([np.nan, 0.7, -1.5, 3.0], dtype=dtype)
    assert np.isnan(actcli.evaluate(name, x, **params)[0])
    assert np.isnan(actcli.gradient(name, x, **params)[0])
    # grad_output 0 gives a (signed) zero, inf the infinite product, NaN NaN, on finite x.
    xf = x[1:]
    slope = np.array([float(df(mp.mpf(float(v)))) for v in xf])
    for gv in (0.0, -0.0, np.inf, -np.inf, np.nan):
        r = actcli.gradient(name, xf, np.full(xf.shape, gv, dtype=dtype), **params)
        with np.errstate(invalid="ignore", over="ignore", under="ignore"):
            expect = (gv * slope).astype(dtype)
        same = (r == expect) & (np.signbit(r) == np.signbit(expect))
        assert np.all(same | (np.isnan(r) & np.isnan(expect))), (gv, r, expect)
    # Shape (1,) and 0-d agree, for forward and gradient.
    for v in (0.7, -1.5, np.inf, -np.inf):
        one = actcli.evaluate(name, np.array([v], dtype=dtype), **params)
        zero_d = actcli.evaluate(name, dtype(v), **params)
        assert (
            one.shape == (1,)
            and zero_d.shape == ()
            and _bits(one).tobytes() == _bits(zero_d.reshape(1)).tobytes()
        )
        assert np.array_equal(
            _bits(actcli.gradient(name, np.array([v], dtype=dtype), **params)),
            _bits(actcli.gradient(name, dtype(v), **params).reshape(1)),
        )


@pytest.mark.parametrize("beta", [1e-300, 1e-20, 1e20, 1e300])
def test_swish_extreme_beta_matches_mpmath(beta: float) -> None:
    x = np.array([-1e300, -1e20, -5.0, -1e-20, -5e-324, 5e-324, 1e-20, 5.0, 1e20, 1e300])
    fw = actcli.evaluate("swish", x, beta=beta)
    b = mp.mpf(beta)
    for v, r in zip(x, fw, strict=True):
        assert _ulps(float(r), _swish(mp.mpf(float(v)), b)) <= 2, (v, r)
    assert np.array_equal(np.signbit(fw), np.signbit(x))


def test_gelu_sign_and_limits_float64_exact_and_tanh() -> None:
    x = np.array([-np.inf, -1e300, -40.0, -0.0, 0.0, 40.0, 1e300, np.inf])
    for params in ({}, {"approximate": "tanh"}):
        r = actcli.evaluate("gelu", x, **params)
        assert np.array_equal(r[4:], [0.0, 40.0, 1e300, np.inf])
        assert np.all(r[:4] == 0) and np.all(np.signbit(r[:4]))
        d = actcli.gradient("gelu", x, **params)
        assert d[0] == 0 and d[-1] == 1 and d[3] == 0.5 and d[4] == 0.5


@pytest.mark.parametrize(
    "x",
    [[1e308, -1e308, 0.0], [1.7e308, -1.7e308], [-1e308, 1e308, 5.0], [-1.7e308, 0.0, 1.7e308]],
)
def test_softmax_family_rows_spanning_the_float64_range_are_finite(x: list[float]) -> None:
    # x - max overflows to -inf for the far entries: their weight is exactly 0, not NaN.
    a = np.array(x)
    g = np.arange(1.0, a.size + 1)
    top = int(np.argmax(a))
    onehot = np.zeros(a.size)
    onehot[top] = 1.0
    np.testing.assert_array_equal(actcli.evaluate("softmax", a), onehot)
    np.testing.assert_array_equal(actcli.evaluate("softmin", -a), onehot)
    with np.errstate(over="ignore"):
        want_log = a - a[top]  # the exact differences, rounded (far entries overflow to -inf)
    np.testing.assert_array_equal(actcli.evaluate("log_softmax", a), want_log)
    # VJPs: softmax's is s·(g - <g, s>) = 0 for a one-hot s; log_softmax's is g - s·sum(g).
    np.testing.assert_array_equal(actcli.gradient("softmax", a, g), np.zeros(a.size))
    np.testing.assert_array_equal(actcli.gradient("softmin", -a, g), np.zeros(a.size))
    np.testing.assert_array_equal(actcli.gradient("log_softmax", a, g), g - onehot * g.sum())


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_glu_with_a_closed_gate_is_zero_with_the_sign_of_a(dtype: Any) -> None:
    # glu = a·σ(b) with σ(b) > 0: at b = -inf it is a zero with a's sign (the limit, also for an
    # infinite a), and NaN for a NaN a.
    a = np.array([-3.0, 3.0, -np.inf, np.inf, -0.0, np.nan])
    x = np.concatenate([a, np.full(a.size, -np.inf)]).astype(dtype)
    r = actcli.evaluate("glu", x)
    assert r.dtype == dtype
    np.testing.assert_array_equal(r, [0.0, 0.0, 0.0, 0.0, 0.0, np.nan])
    np.testing.assert_array_equal(np.signbit(r[:5]), [True, False, True, False, True])
