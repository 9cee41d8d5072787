"""The gated activations on a split input (actcli/activations/gated_split.py): the gate and
layout conventions, gpt-oss' clamped SwiGLU, the special values, and PyTorch when installed."""

from __future__ import annotations

from typing import Any

import mpmath
import numpy as np
import pytest
from click.testing import CliRunner

import actcli
from actcli import catalog
from actcli.cli import cli

#: The gated linear units act(gate)·value of the family whose gate is the first of each pair
#: by default (glu, gate second as in PyTorch, has its own tests).
GATED = [
    n
    for n in actcli.names()
    if catalog.family_of(n) == "gated_split" and actcli.get(n).param("gate").default == "first"
]


def _silu(z: np.ndarray) -> np.ndarray:
    return z / (1 + np.exp(-z))


def test_gate_and_layout_pick_the_halves() -> None:
    x = np.array([[0.5, -1.25, 2.0, 3.0, -0.75, 1.5]])
    a, b = x[:, :3], x[:, 3:]
    ev, od = x[:, 0::2], x[:, 1::2]
    cases = [
        ({}, _silu(a) * b),  # Llama / vLLM SiluAndMul: act(first half) * second half
        ({"gate": "second"}, _silu(b) * a),  # torch glu's order
        ({"layout": "interleaved"}, _silu(ev) * od),
        ({"layout": "interleaved", "gate": "second"}, _silu(od) * ev),
    ]
    for params, want in cases:
        np.testing.assert_allclose(actcli.evaluate("swiglu", x, **params), want, rtol=1e-15)
    # dim picks the split axis
    np.testing.assert_allclose(actcli.evaluate("swiglu", x.T, dim=0), (_silu(a) * b).T, rtol=1e-15)
    # bilinear is symmetric: the gate only orders the halves
    np.testing.assert_array_equal(
        actcli.evaluate("bilinear", x), actcli.evaluate("bilinear", x, gate="second")
    )
    np.testing.assert_allclose(actcli.evaluate("reglu", x), np.maximum(a, 0) * b)


def _sig(z: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-z))


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_glu_is_the_sigmoid_member_with_the_gate_second(dtype: Any) -> None:
    x = np.array([[0.5, -1.25, 2.0, 3.0, -0.75, 1.5]], dtype=dtype)
    a, b = x[:, :3].astype(np.float64), x[:, 3:].astype(np.float64)
    ev, od = x[:, 0::2].astype(np.float64), x[:, 1::2].astype(np.float64)
    rtol = 1e-14 if dtype == np.float64 else 1e-6  # the expectations' own rounding
    cases = [
        ({}, a * _sig(b)),  # torch.nn.functional.glu, jax.nn.glu: the gate second
        ({"gate": "first"}, _sig(a) * b),
        ({"layout": "interleaved"}, ev * _sig(od)),
        ({"gate": "first", "layout": "interleaved"}, _sig(ev) * od),
    ]
    u = np.array([[1.5, -2.0, 0.25]], dtype=dtype)
    for params, want in cases:
        np.testing.assert_allclose(actcli.evaluate("glu", x, **params), want, rtol=rtol)
        # the VJP lands on the gate's and the value's positions in their layout
        g = actcli.gradient("glu", x, u, **params).astype(np.float64)
        gate, value = ("first" if params.get("gate") == "first" else "second"), params
        inter = value.get("layout") == "interleaved"
        pa, pb = (x[:, 0::2], x[:, 1::2]) if inter else (x[:, :3], x[:, 3:])
        gx, vx = (pa, pb) if gate == "first" else (pb, pa)
        gx, vx = gx.astype(np.float64), vx.astype(np.float64)
        s = _sig(gx)
        dg, dv = u * vx * s * (1 - s), u * s
        ga, gb = (dg, dv) if gate == "first" else (dv, dg)
        want_g = np.empty_like(g)
        if inter:
            want_g[:, 0::2], want_g[:, 1::2] = ga, gb
        else:
            want_g[:, :3], want_g[:, 3:] = ga, gb
        np.testing.assert_allclose(g, want_g, rtol=rtol, atol=1e-300)


def test_glu_gradient_with_a_huge_value() -> None:
    # g·a·σ'(b) with a = -1.8e308: the unscaled quotient times a overflowed before 2^k applied
    x = np.array([[-1.7976931348623157e308, 35.9107856]])
    d = actcli.gradient("glu", x)
    with mpmath.workdps(40):
        e = mpmath.exp(-mpmath.mpf(35.9107856))
        s = 1 / (1 + e)
        want = float(mpmath.mpf(-1.7976931348623157e308) * e / (1 + e) ** 2)
    assert d[0, 0] == pytest.approx(float(s), rel=1e-15)
    assert d[0, 1] == pytest.approx(want, rel=1e-14)


def test_gradient_lands_on_both_halves_in_their_layout() -> None:
    x = np.array([[0.5, -1.25, 2.0, 3.0]])
    u = np.array([[1.5, -2.0]])
    g = actcli.gradient("bilinear", x, u, layout="interleaved")
    # pairs (0.5, -1.25), (2.0, 3.0): d/da = u b, d/db = u a
    np.testing.assert_array_equal(g, [[1.5 * -1.25, 1.5 * 0.5, -2.0 * 3.0, -2.0 * 2.0]])
    g = actcli.gradient("reglu", x, u)
    # gates (0.5, -1.25), values (2.0, 3.0); relu'(-1.25) = 0
    np.testing.assert_array_equal(g, [[1.5 * 2.0, 0.0, 1.5 * 0.5, -2.0 * 0.0]])


def test_swiglu_oai_is_gpt_oss_formula() -> None:
    # gpt_oss/torch/model.py: x_glu, x_linear = x[..., ::2], x[..., 1::2]; x_glu clamped above
    # at limit, x_linear to [-limit, limit]; out = x_glu sigmoid(alpha x_glu) (x_linear + 1).
    x = np.array([[9.0, -8.0, 7.0, 7.0, -3.0, 0.5, 1.0, -7.5]])
    glu, lin = np.minimum(x[:, 0::2], 7.0), np.clip(x[:, 1::2], -7.0, 7.0)
    want = glu / (1 + np.exp(-1.702 * glu)) * (lin + 1)
    np.testing.assert_allclose(actcli.evaluate("swiglu_oai", x), want, rtol=1e-15)
    # the gradient passes at the clamp's edges (torch.clamp) and is 0 beyond them
    g = actcli.gradient("swiglu_oai", x)
    assert g[0, 0] == 0 and g[0, 1] == 0  # gate 9 > limit, value -8 < -limit
    assert g[0, 2] != 0 and g[0, 3] != 0  # exactly at the limit: passes
    assert g[0, 7] == 0 and g[0, 6] != 0


def test_odd_sizes_are_refused() -> None:
    for name in GATED:
        with pytest.raises(actcli.InputError, match="even size along dim, got 3"):
            actcli.evaluate(name, np.ones((2, 3)))
    res = CliRunner().invoke(cli, ["eval", "swiglu", "--values=1,2,3"])
    assert res.exit_code == 1
    assert res.stderr.startswith("Error:") and "even size" in res.stderr


@pytest.mark.parametrize("name", GATED)
def test_special_values(name: str) -> None:
    inf, nan = np.inf, np.nan
    # rows (gate, value) with the default gate first and halves
    x = np.array([[nan, 1.0], [1.0, nan], [0.0, inf], [-inf, 2.0], [inf, 0.0]])
    params: dict[str, Any] = {"layout": "halves"}
    y = actcli.evaluate(name, x, **params)[:, 0]
    assert np.isnan(y[0]) and np.isnan(y[1])
    if name != "swiglu_oai":  # (its clamps keep both factors finite; its value is v + 1)
        # a zero factor gives 0 whatever the other (the limit as that factor grows)
        assert y[2] == 0 and y[4] == 0
    if name != "bilinear":  # act(-inf) = 0: a closed gate
        assert y[3] == 0
    d = actcli.gradient(name, x, **params)
    assert np.isnan(d[0, 0]) and np.isnan(d[1, 0])
    with np.errstate(all="raise"):
        actcli.evaluate(name, np.array([[-800.0, 1e308], [1e300, -1e300]]), **params)


def test_deep_gate_is_not_lost() -> None:
    # silu(-750)·1e308 = -750·e^-750·1e308 ≈ -1.4e-16: exp(-750) alone is subnormal
    y = actcli.evaluate("swiglu", np.array([-750.0, 1e308]))
    with mpmath.workdps(40):
        want = float(mpmath.mpf(-750) * mpmath.exp(-750) * mpmath.mpf(1e308))
    assert y[0] == want


def test_float32_stays_float32() -> None:
    x = np.linspace(-3, 3, 8, dtype=np.float32).reshape(2, 4)
    for name in GATED:
        assert actcli.evaluate(name, x).dtype == np.float32
        assert actcli.gradient(name, x).dtype == np.float32


# --- PyTorch, when installed: the same functions written with torch ops -----------------------
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_agrees_with_torch(dtype: type) -> None:
    torch = pytest.importorskip("torch")
    F = torch.nn.functional
    rng = np.random.default_rng(21)
    x = rng.normal(0, 4, size=(16, 10)).astype(dtype)
    x[0, :2] = [7.0, -7.0]  # swiglu_oai's clamp edges (interleaved: gate 7, value -7)
    u = rng.normal(size=(16, 5)).astype(dtype)

    eps = float(np.finfo(dtype).eps)
    for name in GATED:
        act = actcli.get(name)
        assert act.torch_call is not None
        for layout in ("halves", "interleaved"):
            for gate in ("first", "second"):
                t = torch.tensor(x, requires_grad=True)
                p = {"layout": layout, "gate": gate}
                y_t = act.torch_call(F, t, act.bind(p))
                (d_t,) = torch.autograd.grad(y_t, t, grad_outputs=torch.tensor(u))
                y = actcli.evaluate(name, x, **p)
                d = actcli.gradient(name, x, u, **p)
                np.testing.assert_allclose(y, y_t.detach().numpy(), rtol=8 * eps, atol=16 * eps)
                np.testing.assert_allclose(d, d_t.numpy(), rtol=8 * eps, atol=16 * eps)
