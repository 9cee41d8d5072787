"""Cross-check values and gradients against PyTorch, when it is installed (CI does not need it).

Every activation with a ``torch`` equivalent is compared on random and extreme inputs in float32
and float64. Agreement is to a few ulp where PyTorch is accurate; where PyTorch's formula is known
to lose digits (exact-GELU tails, tanhshrink near 0, tail gradients computed from the output,
NaN at ±inf: docs/ACCURACY.md) actcli is compared against the mpmath-backed accuracy suite
instead, and here must only be finite and close in absolute terms. PyTorch is called through
the one adapter, ``actcli.bench.baselines.torch_function``, with the record's bound parameters.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import actcli
from actcli.bench.baselines import torch_function
from tests.cases import is_random, settings_of
from tests.oracles import KINKS, TORCH_LOOSE

torch = pytest.importorskip("torch")

TORCH_NAMES = [n for n in actcli.names() if actcli.get(n).doc.torch is not None]


def torch_value_and_grad(
    name: str, params: dict[str, Any], x: np.ndarray, g: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    act = actcli.get(name)
    fn = torch_function(act, act.bind(params))
    assert fn is not None
    t = torch.tensor(x, requires_grad=True)
    y = fn(t)
    (grad,) = torch.autograd.grad(y, t, grad_outputs=torch.tensor(g))
    return y.detach().numpy(), grad.numpy()


def cases() -> list[Any]:
    out = []
    for name in TORCH_NAMES:
        for i, params in enumerate(settings_of(name)):
            if is_random(actcli.get(name), params):
                continue  # PyTorch draws its own random slopes
            out.append(pytest.param(name, params, id=f"{name}-{i}"))
    return out


@pytest.mark.parametrize(("name", "params"), cases())
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_agrees_with_torch_on_random_inputs(name: str, params: dict[str, Any], dtype: type) -> None:
    rng = np.random.default_rng(11)
    x = (rng.normal(0, 4, size=(64, 6))).astype(dtype)
    y_t, d_t = torch_value_and_grad(
        name, params, x, np.ones(actcli.evaluate(name, x, **params).shape, dtype)
    )
    y = actcli.evaluate(name, x, **params)
    d = actcli.gradient(name, x, **params)
    eps = float(np.finfo(dtype).eps)
    # A few ulp relative, or some ulp of 1 absolute: PyTorch cancels near zeros of f and f'
    # (e.g. gelu-tanh' at -7 is 20% off in torch; actcli is checked against mpmath instead).
    np.testing.assert_allclose(y, y_t, rtol=8 * eps, atol=16 * eps)
    # Where PyTorch itself is less accurate (the oracle's TORCH_LOOSE), its known tolerance.
    rtol = TORCH_LOOSE.get((name, np.dtype(dtype).name), 8 * eps)
    np.testing.assert_allclose(d, d_t, rtol=rtol, atol=16 * eps)


@pytest.mark.parametrize(("name", "params"), cases())
def test_finite_wherever_torch_is_and_close_at_extremes(name: str, params: dict[str, Any]) -> None:
    x = np.array([-1e4, -800.0, -100.0, -30.0, -20.0, -1e-3, 0.0, 1e-3, 20.0, 30.0, 100.0, 1e4])
    if actcli.get(name).kind == "axis":
        x = np.stack([x, np.zeros_like(x)], axis=-1)
    y_t, d_t = torch_value_and_grad(
        name, params, x, np.ones(actcli.evaluate(name, x, **params).shape)
    )
    y = actcli.evaluate(name, x, **params)
    d = actcli.gradient(name, x, **params)
    assert np.all(np.isfinite(y)) and np.all(np.isfinite(d))
    # Where torch overflows (softplus with threshold=inf above 709.8) actcli is finite and right.
    ok_y, ok_d = np.isfinite(y_t), np.isfinite(d_t)
    np.testing.assert_allclose(y[ok_y], y_t[ok_y], rtol=1e-6, atol=1e-12)
    np.testing.assert_allclose(d[ok_d], d_t[ok_d], rtol=1e-6, atol=1e-12)


@pytest.mark.parametrize(
    ("name", "params", "x", "want", "source"),
    [(*k[:4], k[5]) for k in KINKS if actcli.get(k[0]).doc.torch is not None],
    ids=[f"{k[0]}@{k[2]}" for k in KINKS if actcli.get(k[0]).doc.torch is not None],
)
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_kink_table_is_torch_autograd(
    name: str, params: dict[str, Any], x: float, want: float, source: str, dtype: type
) -> None:
    xs = np.array([x], dtype=dtype)
    _, d_t = torch_value_and_grad(name, params, xs, np.ones(1, dtype))
    ours = actcli.gradient(name, xs, **params)[0]
    # The same branch as torch, to the last bit (softplus'(20) is sigmoid(20), which both round
    # correctly to 0.9999999979388464).
    assert d_t[0] == dtype(want), source
    assert ours == d_t[0]
    assert ours == dtype(want)


@pytest.mark.parametrize("name", [n for n in TORCH_NAMES if actcli.get(n).kind == "elementwise"])
def test_where_torch_gives_nan_at_infinity_we_give_the_limit(name: str) -> None:
    params = settings_of(name)[0]
    x = np.array([-np.inf, np.inf])
    y_t, d_t = torch_value_and_grad(name, params, x, np.ones(2))
    y, d = actcli.evaluate(name, x, **params), actcli.gradient(name, x, **params)
    assert not np.isnan(y).any() and not np.isnan(d).any()
    same = ~np.isnan(y_t)
    np.testing.assert_array_equal(y[same], y_t[same])
    same = ~np.isnan(d_t)
    np.testing.assert_array_equal(d[same], d_t[same])
