"""Every registered activation: dtypes, shapes, gradients, kinks, extremes, identities, errors.

Everything here enumerates the registry, so a new activation is tested without new test code.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import mpmath
import numpy as np
import pytest

import actcli
from actcli.activations.smooth import SELU_ALPHA, SELU_SCALE
from actcli.engine import CHUNK, PARALLEL_MIN, output_shape

NAMES = actcli.names()
ELEMENTWISE = [n for n in NAMES if actcli.get(n).kind == "elementwise"]
AXIS = [n for n in NAMES if actcli.get(n).kind == "axis"]

#: Non-default parameter settings tried in the gradient and dtype tests, besides the defaults.
#: Activations with required parameters must appear here (they have no defaults).
SETTINGS: dict[str, list[dict[str, Any]]] = {
    "leaky_relu": [{"negative_slope": 0.2}, {"negative_slope": -0.5}],
    "prelu": [{"weight": 0.1}],
    "rrelu": [{"lower": 0.1, "upper": 0.4}, {"training": True, "seed": 7}],
    "hardtanh": [{"min_val": -2.0, "max_val": 0.5}],
    "elu": [{"alpha": 0.5}, {"alpha": 2.0}],
    "celu": [{"alpha": 0.5}, {"alpha": 3.0}],
    "gelu": [{"approximate": "tanh"}],
    "softplus": [{"beta": 2.0}, {"beta": 0.5, "threshold": 5.0}, {"threshold": np.inf}],
    "swish": [{"beta": 0.5}, {"beta": 3.0}],
    "hardshrink": [{"lambd": 1.5}],
    "softshrink": [{"lambd": 0.0}, {"lambd": 2.0}],
    "threshold": [{"threshold": 0.5, "value": -2.0}, {"threshold": -1.0, "value": 3.0}],
    "squareplus": [{"b": 0.25}],
}


def settings_of(name: str) -> list[dict[str, Any]]:
    act = actcli.get(name)
    base = [{}] if not any(p.required for p in act.params) else []
    return base + SETTINGS.get(name, [])


def cases() -> list[Any]:
    """Every activation with each of its parameter settings, as pytest params."""
    return [
        pytest.param(name, params, id=f"{name}-{i}")
        for name in NAMES
        for i, params in enumerate(settings_of(name))
    ]


def away_from_kinks(name: str, params: dict[str, Any], x: np.ndarray, gap: float) -> np.ndarray:
    kinks = actcli.get(name).kink_points(actcli.get(name).bind(params))
    keep = np.ones(x.shape, dtype=bool)
    for k in kinks:
        keep &= np.abs(x - k) > gap
    return x[keep]


def test_every_activation_has_test_settings() -> None:
    for name in NAMES:
        assert settings_of(name), f"{name} has required parameters: add it to SETTINGS"


# --- dtype and shape -----------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "params"), cases())
@pytest.mark.parametrize("dtype", [np.float16, np.float32, np.float64])
def test_dtype_and_shape_are_kept(name: str, params: dict[str, Any], dtype: type) -> None:
    x = np.linspace(-4, 4, 24, dtype=dtype).reshape(2, 3, 4)
    act = actcli.get(name)
    out_shape = (2, 3, 2) if name == "glu" else x.shape
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
    params = settings_of(name)[0]
    if name == "glu":
        with pytest.raises(actcli.InputError, match="even"):
            actcli.evaluate(name, np.float64(1.0), **params)
        empty_out: tuple[int, ...] = (0, 2)
    else:
        y = actcli.evaluate(name, np.float64(0.5), **params)
        assert y.shape == () and isinstance(y, np.ndarray)
        assert actcli.gradient(name, np.float32(0.5), **params).shape == ()
        empty_out = (0, 4)
    e = actcli.evaluate(name, np.empty((0, 4), dtype=np.float32), **params)
    assert e.shape == empty_out and e.dtype == np.float32
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
    float32 kernel (forward32 / derivative32): then within 1 float32 ulp of it."""
    act = actcli.get(name)
    x = np.random.default_rng(3).normal(0, 4, size=64).astype(np.float32)
    y32 = actcli.evaluate(name, x, **params)
    g = np.random.default_rng(4).normal(0, 1, size=y32.shape).astype(np.float32)
    pairs = (
        (act.kernels.forward32, y32, actcli.evaluate(name, x.astype(np.float64), **params)),
        (
            act.kernels.derivative32,
            actcli.gradient(name, x, g, **params),
            actcli.gradient(name, x.astype(np.float64), g.astype(np.float64), **params),
        ),
    )
    for fast, y32, y64 in pairs:
        assert y32.dtype == np.float32
        if fast is None:
            # Without a float32 kernel: float64 rounded once (exact ones compute in float32).
            np.testing.assert_array_equal(y32, y64.astype(np.float32))
        else:
            np.testing.assert_array_max_ulp(y32, y64.astype(np.float32), maxulp=1)


FAST = [n for n in NAMES if actcli.get(n).kernels.forward32 or actcli.get(n).kernels.derivative32]


@pytest.mark.parametrize("name", FAST)
def test_float32_kernels_serve_float32_and_float16_only(name: str) -> None:
    act = actcli.get(name)
    params = act.bind(settings_of(name)[0])
    x = np.random.default_rng(5).normal(0, 4, size=(6, 8))
    g = np.random.default_rng(6).normal(0, 1, size=actcli.evaluate(name, x, **params).shape)
    for dtype in (np.float16, np.float32, np.float64):
        xd, gd = x.astype(dtype), g.astype(dtype)
        x64, g64 = xd.astype(np.float64), gd.astype(np.float64)
        narrow = dtype != np.float64
        fwd = (
            act.kernels.forward32
            if narrow and act.kernels.forward32 is not None
            else act.kernels.forward
        )
        der = (
            act.kernels.derivative32
            if narrow and act.kernels.derivative32 is not None
            else act.kernels.derivative
        )
        # The engine computes in float64 and rounds once: the chosen kernel's result, rounded.
        np.testing.assert_array_equal(
            actcli.evaluate(name, xd, **params), fwd(x64, **params).astype(dtype)
        )
        np.testing.assert_array_equal(
            actcli.gradient(name, xd, gd, **params), der(x64, g64, **params).astype(dtype)
        )


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
    rng = np.random.default_rng(abs(hash(name)) % 2**32)
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


# --- the value of the gradient at every kink: PyTorch 2.13's autograd --------------------------
# (name, params, x, expected f'(x), where the value comes from). Every row was measured with
# torch 2.13.0's autograd (see FACTS.md); tests/test_torch.py re-measures them when torch is
# installed. The JAX-only rows follow jax.nn's definitions.
SELU_SCALE_ALPHA = 1.7580993408473766
KINKS: list[tuple[str, dict[str, Any], float, float, str]] = [
    ("relu", {}, 0.0, 0.0, "torch: gradient only where x > 0"),
    ("relu6", {}, 0.0, 0.0, "torch: flat side at both ends"),
    ("relu6", {}, 6.0, 0.0, "torch: flat side at both ends"),
    ("hardtanh", {}, -1.0, 0.0, "torch: open interval only"),
    ("hardtanh", {}, 1.0, 0.0, "torch: open interval only"),
    ("hardtanh", {"min_val": -2.0, "max_val": 0.5}, 0.5, 0.0, "torch: open interval only"),
    ("hardsigmoid", {}, -3.0, 0.0, "torch: 1/6 only on (-3, 3)"),
    ("hardsigmoid", {}, 3.0, 0.0, "torch: 1/6 only on (-3, 3)"),
    ("hardswish", {}, -3.0, 0.0, "torch 2.x: x <= -3 gives 0"),
    ("hardswish", {}, 3.0, 1.0, "torch 2.x: x >= 3 gives 1"),
    ("leaky_relu", {}, 0.0, 0.01, "torch: the slope at 0"),
    ("leaky_relu", {"negative_slope": 0.2}, 0.0, 0.2, "torch: the slope at 0"),
    ("prelu", {}, 0.0, 0.25, "torch: the weight at 0"),
    ("rrelu", {}, 0.0, 0.22916666666666666, "torch eval: (lower + upper)/2 at 0"),
    ("elu", {}, 0.0, 1.0, "torch: alpha (negative branch at 0)"),
    ("elu", {"alpha": 0.5}, 0.0, 0.5, "torch: alpha (negative branch at 0)"),
    ("celu", {}, 0.0, 1.0, "torch: 1 from both sides"),
    ("celu", {"alpha": 2.0}, 0.0, 1.0, "torch: 1 from both sides"),
    ("selu", {}, 0.0, SELU_SCALE_ALPHA, "torch: scale*alpha (left derivative)"),
    ("hardshrink", {}, 0.5, 0.0, "torch: dead-zone side"),
    ("hardshrink", {}, -0.5, 0.0, "torch: dead-zone side"),
    ("softshrink", {}, 0.5, 0.0, "torch: dead-zone side"),
    ("softshrink", {}, -0.5, 0.0, "torch: dead-zone side"),
    ("threshold", {"threshold": 1.0, "value": -1.0}, 1.0, 0.0, "torch: x <= t takes the value"),
    # sigmoid(20) correctly rounded (mpmath); torch's float64 kernel gives 1 ulp less.
    ("softplus", {}, 20.0, 0.9999999979388464, "torch: sigmoid(20), linear only above"),
    ("gelu", {}, 0.0, 0.5, "torch: Phi(0)"),
    ("gelu", {"approximate": "tanh"}, 0.0, 0.5, "torch: 1/2"),
    ("sparse_sigmoid", {}, -1.0, 0.25, "jax: lax.max splits a tie 1/2 each, times 1/2"),
    ("sparse_sigmoid", {}, 1.0, 0.25, "jax: lax.min splits a tie 1/2 each, times 1/2"),
    ("sparse_plus", {}, -1.0, 0.0, "jax: continuous derivative"),
    ("sparse_plus", {}, 1.0, 1.0, "jax: continuous derivative"),
]


@pytest.mark.parametrize(
    ("name", "params", "x", "want", "source"),
    KINKS,
    ids=[f"{k[0]}@{k[2]}" for k in KINKS],
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_gradient_at_kinks(
    name: str, params: dict[str, Any], x: float, want: float, source: str, dtype: type
) -> None:
    got = actcli.gradient(name, np.array([x], dtype=dtype), **params)
    assert got[0] == dtype(want), source


def test_every_declared_kink_is_in_the_table() -> None:
    covered = {(n, x) for n, p, x, _, _ in KINKS if not p}
    for name in NAMES:
        act = actcli.get(name)
        if any(p.required for p in act.params):
            continue
        for k in act.kink_points(act.defaults()):
            assert (name, k) in covered, f"{name}'s kink at {k} has no row in KINKS"


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


@pytest.mark.usefixtures("strict_fp")
@pytest.mark.parametrize(("name", "params"), cases())
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_extreme_finite_inputs_give_finite_results(
    name: str, params: dict[str, Any], dtype: type
) -> None:
    # Up to a quarter of the dtype's max no true value overflows: all finite, no FP warning.
    x = extreme_inputs(name, dtype, float(np.finfo(dtype).max) / 4)
    assert np.all(np.isfinite(actcli.evaluate(name, x, **params)))
    assert np.all(np.isfinite(actcli.gradient(name, x, **params)))


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
        # |f(x)| <= c|x| for these functions: where |f(x/4)| * 4 exceeds max, f(x) may overflow.
        quarter = np.abs(actcli.evaluate(name, x / 4, **params)).astype(np.float64) * 4
    may_overflow = quarter > fmax * (1 - 1e-6)
    if actcli.get(name).kind == "axis":
        assert np.all(np.isfinite(y)) and np.all(np.isfinite(d))
    else:
        assert np.all(np.isfinite(y) | may_overflow)
        assert np.all(np.isfinite(d))


@pytest.mark.usefixtures("strict_fp")
@pytest.mark.parametrize(("name", "params"), [c for c in cases() if c.values[0] in ELEMENTWISE])
@pytest.mark.parametrize("sign", [1.0, -1.0])
def test_infinity_gives_the_limit(name: str, params: dict[str, Any], sign: float) -> None:
    f_inf = actcli.evaluate(name, sign * np.inf, **params)
    f_big = actcli.evaluate(name, sign * 1e300, **params)
    if abs(f_big) > 1e290:
        assert f_inf == np.sign(f_big) * np.inf
    else:
        np.testing.assert_allclose(f_inf, f_big, rtol=1e-12, atol=1e-300)
    d_inf = actcli.gradient(name, sign * np.inf, **params)
    d_big = actcli.gradient(name, sign * 1e300, **params)
    np.testing.assert_allclose(d_inf, d_big, rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize(("name", "params"), cases())
def test_nan_propagates(name: str, params: dict[str, Any]) -> None:
    x = np.array([[np.nan, 1.0], [0.5, -0.25]])
    y = actcli.evaluate(name, x, **params)
    d = actcli.gradient(name, x, **params)
    assert np.isnan(y[0, 0]) and np.isnan(d[0]).any()
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
    mpmath.mp.dps = 40
    e, erfc, sqrt, pi = mpmath.e, mpmath.erfc, mpmath.sqrt, mpmath.pi
    alpha = -sqrt(2 / pi) / (erfc(1 / sqrt(2)) * mpmath.exp(0.5) - 1)
    c = erfc(1 / sqrt(2))
    scale = (1 - c * sqrt(e)) * sqrt(2 * pi)
    scale /= sqrt(2 * erfc(sqrt(2)) * e**2 + pi * c**2 * e - 2 * (2 + pi) * c * sqrt(e) + pi + 2)
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
@pytest.mark.parametrize(
    ("name", "params"), [c for c in cases() if not c.values[1].get("training")]
)
def test_chunked_and_threaded_match_single_call(name: str, params: dict[str, Any]) -> None:
    rng = np.random.default_rng(5)
    n = PARALLEL_MIN + 3 * CHUNK + 17
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


# --- memory layout does not change a bit -------------------------------------------------------
# Kernels patch hard lanes (tails, zero crossings, huge values) through flat indices after a fast
# pass; on Fortran-ordered or strided input those indices must still land on the right elements.
_LAYOUT_NEGATIVE = [-1e308, -800.0, -750.0, -40.0, -9.5, -3.0, -1.2784645427610738, -1.1924, -0.5]
_LAYOUT_POSITIVE = [0.0, 1e-8, 0.7, 1.5, 3.0, 6.0, 20.0, 37.0, 720.0, 1e300]
_LAYOUT_VALUES = np.array([*_LAYOUT_NEGATIVE, -1e-300, *_LAYOUT_POSITIVE, np.inf, -np.inf, np.nan])


@pytest.mark.parametrize(
    ("name", "params"), [c for c in cases() if not c.values[1].get("training")]
)
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
        "strided": (np.repeat(c, 2, axis=1)[:, ::2], np.repeat(g, 2, axis=1)[:, ::2]),
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


# --- parameter validation -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("name", "params", "match"),
    [
        ("leaky_relu", {"slope": 0.1}, r"unknown parameter 'slope'.*negative_slope"),
        ("relu", {"alpha": 1.0}, "relu takes no parameters"),
        ("leaky_relu", {"negative_slope": "x"}, "must be a number"),
        ("leaky_relu", {"negative_slope": np.nan}, "negative_slope"),
        ("elu", {"alpha": True}, "must be a number"),
        ("softplus", {"beta": 0.0}, r"'beta' of softplus must be > 0"),
        ("softplus", {"beta": -1.0}, "> 0"),
        ("softplus", {"threshold": np.nan}, "threshold"),
        ("celu", {"alpha": 0.0}, "> 0"),
        ("elu", {"alpha": -1.0}, ">= 0"),
        ("hardshrink", {"lambd": -0.5}, ">= 0"),
        ("softshrink", {"lambd": -1.0}, ">= 0"),
        ("rrelu", {"lower": 0.5, "upper": 0.1}, "lower <= upper"),
        ("rrelu", {"seed": 1.5}, "integer"),
        ("hardtanh", {"min_val": 2.0, "max_val": 1.0}, "min_val <= max_val"),
        ("gelu", {"approximate": "erf"}, "one of: none, tanh"),
        ("threshold", {"threshold": 1.0}, "needs parameter 'value'"),
        ("threshold", {}, "needs parameter 'threshold'"),
        ("squareplus", {"b": 0.0}, "> 0"),
        ("swish", {"beta": -1.0}, ">= 0"),
        ("softmax", {"dim": 1.5}, "integer"),
        ("prelu", {"weight": [[1.0]]}, "1-D array"),
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
@pytest.mark.parametrize(
    ("name", "params"), [c for c in cases() if not c.values[1].get("training")]
)
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
    if name == "selu":
        assert y.reshape(-1)[0] == np.inf
