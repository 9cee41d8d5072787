"""The compiled kernels (actcli._kernels) as NumPy ufuncs: ufunc semantics, dispatch, accuracy.

The records' forward/derivative wrap these ufuncs; here they are called directly: out=, where=,
broadcasting of parameters, strided and in-place use, float32/float64 loops, and the loops of
every instruction set this CPU runs (the baseline loop included) against the mpmath reference.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest

import actcli
from actcli import _kernels
from actcli.accuracy import measure_case, summarize

REFERENCE = Path(__file__).resolve().parent / "accuracy" / "reference.npz"
ISAS = ("baseline", "avx2", "avx512f")


def _runnable_isas() -> list[str]:
    best = _kernels.get_isa()
    return list(ISAS[: ISAS.index(best) + 1])


@pytest.fixture
def isa() -> Iterator[None]:
    """Restores the best instruction set after a test that forces one."""
    yield
    _kernels.set_isa("best")


def test_dispatch_chooses_a_loop_and_can_force_the_baseline(isa: None) -> None:
    best = _kernels.get_isa()
    assert best in ISAS
    _kernels.set_isa("baseline")
    assert _kernels.get_isa() == "baseline"
    _kernels.set_isa("best")
    assert _kernels.get_isa() == best
    with pytest.raises(ValueError, match="unknown instruction set"):
        _kernels.set_isa("sse9")


def test_ufuncs_have_float32_and_float64_loops_with_float64_parameters() -> None:
    assert _kernels.ufunc("relu").types == ["f->f", "d->d"]
    assert _kernels.ufunc("leaky_relu_vjp").types == ["ffd->f", "ddd->d"]
    x = np.array([-2.0, 3.0], dtype=np.float32)
    # A Python float parameter keeps float32 input in the float32 loop (NEP 50 weak scalar).
    y = _kernels.ufunc("leaky_relu")(x, 0.1)
    assert y.dtype == np.float32
    # The parameter stays a double inside: 0.1 is not rounded to float32 before the product.
    assert y[0] == np.float32(-2.0 * 0.1)


def test_out_where_and_broadcast_parameters() -> None:
    hardtanh = _kernels.ufunc("hardtanh")
    x = np.linspace(-3, 3, 7)
    out = np.full(7, 9.0)
    r = hardtanh(x, -1.0, 1.0, out=out, where=x > 0)
    assert r is out
    np.testing.assert_array_equal(out, [9, 9, 9, 9, 1, 1, 1])
    # Parameters broadcast like any ufunc input: one lower bound per row.
    lo = np.array([[-0.5], [-2.5]])
    np.testing.assert_array_equal(
        hardtanh(x, lo, 2.0),
        [[-0.5, -0.5, -0.5, 0, 1, 2, 2], [-2.5, -2, -1, 0, 1, 2, 2]],
    )
    leaky_vjp = _kernels.ufunc("leaky_relu_vjp")
    np.testing.assert_array_equal(leaky_vjp([-1.0, 2.0], [[1.0], [3.0]], 0.5), [[0.5, 1], [1.5, 3]])


def test_strided_in_place_and_contiguous_calls_give_the_same_bits() -> None:
    rng = np.random.default_rng(11)
    for name in ("hardswish", "softshrink"):
        uf = _kernels.ufunc(name)
        args = (0.5,) if name == "softshrink" else ()
        x = rng.normal(0, 4, size=(300, 7)).astype(np.float32)
        want = uf(np.ascontiguousarray(x), *args)
        np.testing.assert_array_equal(uf(np.asfortranarray(x), *args), want)
        np.testing.assert_array_equal(uf(x[:, ::-1], *args)[:, ::-1], want)
        inplace = x.copy()
        uf(inplace, *args, out=inplace)
        np.testing.assert_array_equal(inplace, want)


def _vjp_ufuncs() -> list[str]:
    """Every compiled elementwise VJP ufunc (x, g, *params) -> y."""
    return sorted(
        n
        for n in dir(_kernels._ufuncs)
        if n.endswith("_vjp")
        and isinstance(getattr(_kernels._ufuncs, n), np.ufunc)
        and _kernels.ufunc(n).nout == 1
        and not _kernels.ufunc(n).signature
    )


@pytest.mark.parametrize("name", _vjp_ufuncs())
def test_a_broadcast_g_gives_the_bits_of_an_array_of_it(name: str) -> None:
    """f'(x) (one g for all, stride 0: the default grad output) runs in place on blocks of x;
    it must give the bits of the same g as a contiguous array, across its blocks (5000 + 3
    elements), for ordinary, tail and special x and g values."""
    uf = _kernels.ufunc(name)
    params = (0.7,) * (uf.nin - 2)
    rng = np.random.default_rng(5)
    for dtype in (np.float32, np.float64):
        x = np.concatenate([_NATIVE_X, rng.normal(0, 6, 5003 - _NATIVE_X.size)]).astype(dtype)
        for g0 in (1.0, -2.5, 0.0, 3e38, np.nan):
            g = np.full(x.size, g0, dtype=dtype)
            want = uf(x, g, *params)
            got = uf(x, np.broadcast_to(g[:1], x.shape), *params)
            assert got.dtype == dtype
            np.testing.assert_array_equal(got.view(np.uint8), want.view(np.uint8), err_msg=name)


@pytest.fixture
def stream_bytes() -> Iterator[int]:
    """The streaming threshold as imported; restored after the test."""
    old = _kernels.get_stream_bytes()
    assert _kernels.set_stream_bytes(old) == old
    yield old
    _kernels.set_stream_bytes(old)


@pytest.mark.parametrize("name", _vjp_ufuncs())
@pytest.mark.parametrize("which", _runnable_isas())
def test_streamed_outputs_have_the_bits_of_ordinary_stores(
    name: str, which: str, isa: None, stream_bytes: int
) -> None:
    """A call whose data outgrow the last-level cache streams its output in blocks (1 KiB,
    after the elements up to 32-byte alignment); every element must be written, with the bits
    of the ordinary loop: aligned and misaligned outputs, lengths that end mid-block, x and g
    arrays and a broadcast g, in place."""
    _kernels.set_isa(which)
    f, d = _kernels.ufunc(name.removesuffix("_vjp")), _kernels.ufunc(name)
    params = (0.7,) * (d.nin - 2)
    rng = np.random.default_rng(8)
    for dtype in (np.float32, np.float64):
        base = np.concatenate([_NATIVE_X, rng.normal(0, 6, 6000)]).astype(dtype)
        gbase = rng.normal(0, 2, base.size).astype(dtype)
        for start, stop in ((0, base.size), (1, base.size - 3), (3, 2 * 1024 + 5)):
            x, g = base[start:stop], gbase[start:stop]
            one = np.broadcast_to(gbase[:1], x.shape)
            outs = []
            # ordinary; streamed by the call's own bytes; streamed by the evaluation's (a hint)
            for threshold, hint in ((0, 0), (1, 0), (1 << 40, 1 << 41)):
                _kernels.set_stream_bytes(threshold)
                _kernels.set_stream_hint(hint)
                got = []
                for call, args in ((f, (x,)), (d, (x, g)), (d, (x, one))):
                    out = np.full(base.size, np.nan, dtype=dtype)[start:stop]
                    call(*args, *params, out=out)
                    got.append(out)
                inplace = x.copy()
                f(inplace, *params, out=inplace)
                outs.append([*got, inplace])
            _kernels.set_stream_hint(0)
            for streamed in outs[1:]:
                for want, got in zip(outs[0], streamed, strict=True):
                    np.testing.assert_array_equal(got.view(np.uint8), want.view(np.uint8), name)
    assert _kernels.set_stream_bytes(123) == 1 << 40  # the last one the loop set
    with pytest.raises(ValueError, match=">= 0"):
        _kernels.set_stream_bytes(-1)
    assert _kernels.get_stream_bytes() == 123  # a refused value changes nothing


def test_streaming_threshold_is_half_the_largest_cache(stream_bytes: int) -> None:
    sizes = []
    for p in Path("/sys/devices/system/cpu/cpu0/cache").glob("index*/size"):
        text = p.read_text().strip()
        scale = {"K": 1 << 10, "M": 1 << 20, "G": 1 << 30}.get(text[-1:], 1)
        sizes.append(int(text.rstrip("KMG")) * scale)
    assert stream_bytes == max(sizes, default=0) // 2


def test_float32_loop_is_the_float64_loop_rounded() -> None:
    x = np.random.default_rng(12).normal(0, 5, size=4096).astype(np.float32)
    g = np.random.default_rng(13).normal(0, 1, size=4096).astype(np.float32)
    for name, args in (("hardswish", ()), ("hardsigmoid", ()), ("leaky_relu", (0.01,))):
        f, d = _kernels.ufunc(name), _kernels.ufunc(name + "_vjp")
        np.testing.assert_array_equal(f(x, *args), f(x.astype(np.float64), *args).astype("f4"))
        np.testing.assert_array_equal(
            d(x, g, *args), d(x.astype(np.float64), g.astype(np.float64), *args).astype("f4")
        )


def test_no_floating_point_warning_leaves_a_loop() -> None:
    # A double result beyond float32's range rounds to -inf in the float32 loop, quietly
    # (pytest turns NumPy's "overflow encountered" warning into an error).
    y = _kernels.ufunc("leaky_relu")(np.array([-3e38, 1.0, np.nan], dtype=np.float32), 10.0)
    np.testing.assert_array_equal(y, [-np.inf, 1.0, np.nan])


@pytest.mark.parametrize("which", _runnable_isas())
def test_elementary_functions_special_values(which: str, isa: None) -> None:
    _kernels.set_isa(which)
    inf, nan = np.inf, np.nan
    x = np.array([nan, inf, -inf, 0.0, -0.0, 1e-300, -1e-300, 710.0, -746.0, -40.5])
    got = {n: _kernels.ufunc("elem_" + n)(x) for n in ("exp", "expm1", "tanh")}
    np.testing.assert_array_equal(got["exp"][:6], [nan, inf, 0, 1, 1, 1])
    assert got["exp"][7] == inf and got["exp"][8] == 0
    np.testing.assert_array_equal(got["expm1"][:7], [nan, inf, -1, 0, -0.0, 1e-300, -1e-300])
    assert np.signbit(got["expm1"][4]) and got["expm1"][9] == -1
    np.testing.assert_array_equal(got["tanh"][:7], [nan, 1, -1, 0, -0.0, 1e-300, -1e-300])
    assert np.signbit(got["tanh"][4])
    lp = _kernels.ufunc("elem_log1p")(np.array([nan, inf, 0.0, 1e-300, 1e300]))
    np.testing.assert_array_equal(lp[:4], [nan, inf, 0, 1e-300])
    assert abs(lp[4] - 690.7755278982137) < 1e-12


@pytest.mark.parametrize("which", _runnable_isas())
def test_erf_and_erfc_special_values(which: str, isa: None) -> None:
    _kernels.set_isa(which)
    inf, nan = np.inf, np.nan
    x = np.array([nan, inf, -inf, 0.0, -0.0, 1e-300, -1e-300, 6.0, -6.0, 27.0, 30.0, -30.0])
    erf, erfc = _kernels.ufunc("elem_erf")(x), _kernels.ufunc("elem_erfc")(x)
    # erf(1e-300) = 2/sqrt(pi) 1e-300, rounded; erf(6) rounds to 1 (1 - 2e-17).
    t = 1.1283791670955126e-300
    np.testing.assert_array_equal(erf, [nan, 1, -1, 0, -0.0, t, -t, 1, -1, 1, 1, -1])
    assert np.signbit(erf[4]) and not np.signbit(erf[3])
    np.testing.assert_array_equal(
        erfc[[0, 1, 2, 3, 4, 5, 6, 8, 10, 11]], [nan, 0, 2, 1, 1, 1, 1, 2, 0, 2]
    )
    # erfc(6) = 2.1519736712498913e-17, erfc(27) = 5.23704892378926e-319 (mpmath, 40 digits)
    assert abs(erfc[7] / 2.1519736712498913e-17 - 1) < 3e-16
    assert abs(erfc[9] - 5.23704892378926e-319) < 1e-321


@pytest.mark.parametrize("which", _runnable_isas())
def test_erf_and_erfc_within_one_and_a_half_ulp_of_mpmath(which: str, isa: None) -> None:
    mp = pytest.importorskip("mpmath")
    mp.mp.dps = 40
    rng = np.random.default_rng(19)
    x = np.concatenate(
        [rng.uniform(-6.0, 27.0, 300), rng.uniform(-1.0, 1.0, 200), [0.5, -0.5, 8.0]]
    )
    _kernels.set_isa(which)
    for name, f in (("erf", mp.erf), ("erfc", mp.erfc)):
        y = _kernels.ufunc("elem_" + name)(x)
        for xi, yi in zip(x.tolist(), y.tolist(), strict=True):
            exact = f(mp.mpf(xi))
            unit = max(float(np.spacing(abs(float(exact)))), float(np.finfo(np.float64).tiny))
            assert float(abs(mp.mpf(yi) - exact)) <= 1.5 * unit, (name, xi)


@cache
def _reference() -> tuple[list[dict[str, Any]], dict[str, np.ndarray]]:
    with np.load(REFERENCE) as z:
        arrays = {k: z[k] for k in z.files}
    return json.loads(str(arrays.pop("index"))), arrays


def _compiled() -> list[str]:
    """The activations with at least one compiled kernel (float64 or float32 path)."""
    return [
        n
        for n in actcli.names()
        if any(
            getattr(getattr(actcli.get(n).kernels, k), "native", False)
            for k in ("forward", "derivative", "forward32", "derivative32")
        )
    ]


@pytest.mark.parametrize("which", _runnable_isas())
@pytest.mark.parametrize("name", _compiled())
def test_every_instruction_set_meets_the_accuracy_goals(name: str, which: str, isa: None) -> None:
    """The loops of each instruction set (the baseline one forced) against the reference.

    (The AVX2/AVX-512 loops use FMA in their polynomials, the baseline ones cannot: they may
    differ in the last bit, both within the goals of tests/accuracy.)
    """
    fwd_goal = 4.0 if actcli.get(name).kind == "axis" else 2.0
    index, arrays = _reference()
    for i, case in enumerate(index):
        if case["name"] != name:
            continue
        prefix = f"{i}."
        sub = {k[len(prefix) :]: v for k, v in arrays.items() if k.startswith(prefix)}
        _kernels.set_isa(which)
        errs = measure_case(case, sub)
        fwd, grad = summarize(errs["forward"]), summarize(errs["gradient"])
        if case["dtype"] == "float32":
            assert fwd["max"] <= 1.0 and grad["max"] <= 1.0, case
        else:
            assert fwd["max"] <= fwd_goal, case
            assert grad["p99.9"] <= 2.0 and grad["max"] <= 16.0, case


@pytest.mark.parametrize("name", ["softmax", "softmin", "log_softmax"])
def test_long_float64_rows_stay_within_the_forward_goal(name: str) -> None:
    """Rows of thousands of entries (the tests/accuracy rows are short): the row's sum is a
    double-double, so the forward stays within a few ulp of the 40-digit softmax; a plain sum
    of the exponentials drifted by up to n/2 ulp (on these rows: softmax 37, softmin 12,
    log_softmax 8 ulp; now 2, 2 and 1)."""
    import mpmath

    mpmath.mp.dps = 40
    rng = np.random.default_rng(5)
    sign = -1 if name == "softmin" else 1
    worst = 0.0
    for spread, n in ((0.1, 4000), (1.0, 4000), (3.0, 4000), (10.0, 4000)):
        x = rng.normal(0, spread, n)
        got = actcli.evaluate(name, x)
        z = [mpmath.mpf(float(v)) * sign for v in x]
        m = max(z)
        total = mpmath.fsum(mpmath.exp(v - m) for v in z)
        if name == "log_softmax":
            want = np.array([float(v - m - mpmath.log(total)) for v in z])
        else:
            want = np.array([float(mpmath.exp(v - m) / total) for v in z])
        worst = max(worst, float((np.abs(got - want) / np.spacing(np.abs(want))).max()))
    assert worst <= 4.0, worst


def test_row_gufuncs_take_axis_and_out_and_ignore_layout() -> None:
    softmax, vjp = _kernels.ufunc("softmax"), _kernels.ufunc("log_softmax_vjp")
    assert softmax.signature == "(n)->(n)" and vjp.signature == "(n),(n)->(n)"
    x = np.random.default_rng(14).normal(0, 3, size=(5, 9)).astype(np.float32)
    g = np.random.default_rng(15).normal(0, 1, size=(5, 9)).astype(np.float32)
    y = softmax(x)
    assert y.dtype == np.float32
    np.testing.assert_allclose(y.sum(axis=-1), 1.0, rtol=1e-6)
    np.testing.assert_array_equal(softmax(x.T, axis=0), y.T)
    np.testing.assert_array_equal(softmax(np.asfortranarray(x)), y)
    out = np.empty_like(x)
    assert softmax(x, out=out) is out
    np.testing.assert_array_equal(out, y)
    np.testing.assert_array_equal(vjp(x[:, ::-1], g[:, ::-1])[:, ::-1], vjp(x, g))


def test_row_gufuncs_special_rows() -> None:
    inf, nan = np.inf, np.nan
    x = np.array([[inf, 1.0, inf], [-inf, -inf, -inf], [nan, 1.0, 2.0]])
    np.testing.assert_array_equal(
        _kernels.ufunc("softmax")(x), [[0.5, 0, 0.5], [1 / 3] * 3, [nan] * 3]
    )
    np.testing.assert_array_equal(
        _kernels.ufunc("softmin")(-x), [[0.5, 0, 0.5], [1 / 3] * 3, [nan] * 3]
    )
    np.testing.assert_allclose(
        _kernels.ufunc("log_softmax")(x),
        [[-np.log(2.0), -inf, -np.log(2.0)], [-np.log(3.0)] * 3, [nan] * 3],
        rtol=1e-15,
    )
    # A one-hot gradient at the maximum keeps 1 - y_k of a peaked row (no cancellation).
    row = np.array([[30.0, 0.0, 0.0]])
    r = _kernels.ufunc("log_softmax_vjp")(row, np.array([[1.0, 0.0, 0.0]]))
    np.testing.assert_allclose(r[0, 0], 2 * np.exp(-30.0) / (1 + 2 * np.exp(-30.0)), rtol=1e-15)


@pytest.mark.parametrize("which", _runnable_isas())
@pytest.mark.parametrize("name", ["softmax", "softmin"])
def test_softmax_vjp_of_a_constant_gradient_is_zero(name: str, which: str, isa: None) -> None:
    """g - <g, y> = 0 exactly for a constant g (the row sums to 1): the VJPs give +0, not a
    residue of the sums' rounding (was 2^-103 |g| in float64: 1e268 for g = 1e300), and the
    one-hot gradient at the maximum keeps its small result whole."""
    _kernels.set_isa(which)
    x = np.random.default_rng(21).normal(0, 3, (4, 1000))
    x[3, :500] = x[3, 500:]  # ties at the maximum
    for dtype, suffix, consts in (
        ("f8", "64", (3.0, 0.1, 1e300, -7e-300)),
        ("f4", "", (3.3, -0.1)),
    ):
        vjp = _kernels.ufunc(name + suffix + "_vjp")
        for c in consts:
            got = vjp(x.astype(dtype), np.full(x.shape, c, dtype))
            np.testing.assert_array_equal(got.view(f"u{got.itemsize}"), 0, f"{dtype} {c}")
    peaked = np.array([[40.0, 0.0, 0.0]])
    sign = 1.0 if name == "softmax" else -1.0
    r = _kernels.ufunc(name + "64_vjp")(sign * peaked, np.array([[1.0, 0.0, 0.0]]))
    t = 2 * np.exp(-40.0)
    np.testing.assert_allclose(r[0, 0], sign * t / (1 + t) ** 2, rtol=2e-16)


def test_glu_rows_gufunc_halves_the_row() -> None:
    glu, vjp = _kernels.ufunc("glu_rows"), _kernels.ufunc("glu_rows_vjp")
    assert glu.signature == "(n),(),()->(m)" and vjp.signature == "(n),(m),(),()->(n)"
    x = np.random.default_rng(16).normal(0, 3, size=(4, 10))
    a, b = x[:, :5], x[:, 5:]
    # gate 1 (the second of each pair), layout 0 (halves): a * sigmoid(b), torch's glu
    y = glu(x, 1.0, 0.0, out=np.empty((4, 5)))
    np.testing.assert_allclose(y, a / (1 + np.exp(-b)), rtol=1e-14)
    g = np.random.default_rng(17).normal(0, 1, size=(4, 5))
    s = 1 / (1 + np.exp(-b))
    np.testing.assert_allclose(
        vjp(x, g, 1.0, 0.0), np.concatenate([g * s, g * a * s * (1 - s)], axis=1), rtol=1e-12
    )
    # An output that is not half the row is NaN, never memory beyond the row.
    assert np.isnan(glu(x[:, :9], 1.0, 0.0, out=np.empty((4, 4)))).all()


# --- float-native float32 loops (actcli/_kernels/*_f32.c) ----------------------------------------
def _ulp_distance(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Steps between float32 values along the float line (NaN/inf compared separately)."""

    def line(v: np.ndarray) -> np.ndarray:
        i = v.astype(np.float32).view(np.int32).astype(np.int64)
        return np.where(i < 0, -(i & 0x7FFFFFFF), i)

    return np.abs(line(a) - line(b))


def test_no_kernel_leaves_the_x87_unit_unusable(isa: None) -> None:
    """snake's slow path computes in long double (the x87 unit on x86-64). A loop that moves
    values through MMX registers without EMMS (GCC 12 did, in the baseline float32 sigmoid
    VJP, when built without -fwrapv: setup.py passes -mno-mmx) leaves the x87 tag word full,
    and every later long double operation gives NaN."""
    snake_d2 = _kernels.ufunc("snake_d2_vjp")
    x = np.array([3e38, -3e38], dtype=np.float32)
    one = np.ones(2, dtype=np.float32)
    want = snake_d2(x, one, 0.7)
    assert np.isfinite(want).all()
    rng = np.random.default_rng(12)
    xs = np.concatenate([_NATIVE_X, rng.normal(0, 6, 3000).astype(np.float32)])
    gs = rng.normal(0, 2, xs.size).astype(np.float32)
    for which in _runnable_isas():
        _kernels.set_isa(which)
        for name in _vjp_ufuncs():
            d = _kernels.ufunc(name)
            f = _kernels.ufunc(name.removesuffix("_vjp"))
            params = (0.7,) * (d.nin - 2)
            f(xs, *params)
            d(xs, gs, *params)
            np.testing.assert_array_equal(snake_d2(x, one, 0.7), want, name)


def test_float32_native_kernels_are_registered_ufuncs() -> None:
    assert _kernels.float32_native, "no float-native float32 loop is registered"
    for name in _kernels.float32_native:
        assert _kernels.ufunc(name).types[0].endswith("->f")
        assert _kernels.ufunc(name + "_vjp").types[0].endswith("->f")


_NATIVE_X = np.array(
    [np.nan, np.inf, -np.inf, 0.0, -0.0, 1e-45, -1e-45, 1e-38, -1e-38, 3e-8, -3e-8, 0.3466,
     -0.3466, 1.0, -1.0, 9.01, -9.01, 20.0, -20.0, 52.0, -52.0, 87.5, -87.5, 104.0, -104.5,
     3e38, -3e38],
    dtype=np.float32,
)  # fmt: skip


@pytest.mark.parametrize("which", _runnable_isas())
@pytest.mark.parametrize("name", _kernels.float32_native)
def test_float32_native_loops_edges_and_lanes(name: str, which: str, isa: None) -> None:
    """Each float-native loop against its kernel's float64 loop (computed in double, an
    independent code path): within 1 float32 ulp, the same NaN and infinities, the same sign of
    every nonzero result and of f(+-0) (an underflow may take either sign of zero); and
    every element gets the same bits alone (the scalar tail) as inside the array (the vector
    body), with scalar or per-element parameters."""
    _kernels.set_isa(which)
    f, d = _kernels.ufunc(name), _kernels.ufunc(name + "_vjp")
    params = (0.7,) * (f.nin - 1)
    rng = np.random.default_rng(21)
    x = np.concatenate([_NATIVE_X, rng.normal(0, 6, 400).astype(np.float32)])
    g = np.concatenate([np.ones(_NATIVE_X.size), rng.normal(0, 2, 400)]).astype(np.float32)
    for got, want in (
        (f(x, *params), f(x.astype(np.float64), *params)),
        (d(x, g, *params), d(x.astype(np.float64), g.astype(np.float64), *params)),
    ):
        with np.errstate(over="ignore"):
            want32 = want.astype(np.float32)
        assert got.dtype == np.float32
        np.testing.assert_array_equal(np.isnan(got), np.isnan(want32))
        np.testing.assert_array_equal(np.isinf(got), np.isinf(want32))
        # the sign of zero where f(+-0) is zero, and of every nonzero result
        signed = ~np.isnan(want32) & ((want32 != 0) | (x == 0))
        np.testing.assert_array_equal(np.signbit(got[signed]), np.signbit(want32[signed]))
        finite = np.isfinite(want32)
        np.testing.assert_array_equal(
            got[~finite & ~np.isnan(got)], want32[~finite & ~np.isnan(got)]
        )
        assert _ulp_distance(got[finite], want32[finite]).max() <= 1, name
    y, v = f(x, *params), d(x, g, *params)
    np.testing.assert_array_equal(
        np.concatenate([f(x[i : i + 1], *params) for i in range(x.size)]), y
    )
    np.testing.assert_array_equal(
        np.concatenate([d(x[i : i + 1], g[i : i + 1], *params) for i in range(x.size)]), v
    )
    if params:
        each = tuple(np.full(x.size, p) for p in params)
        np.testing.assert_array_equal(f(x, *each), y)
        np.testing.assert_array_equal(d(x, g, *each), v)
