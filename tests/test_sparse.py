"""logsumexp (actcli/activations/sparse.py): the dropped axis, its limits, and PyTorch."""

from __future__ import annotations

import mpmath
import numpy as np
import pytest
from click.testing import CliRunner

import actcli
from actcli.cli import cli


def test_the_output_drops_dim() -> None:
    x = np.random.default_rng(3).normal(size=(2, 3, 4))
    for dim in (0, 1, 2, -1):
        y = actcli.evaluate("logsumexp", x, dim=dim)
        assert y.shape == tuple(s for i, s in enumerate(x.shape) if i != dim % 3)
        np.testing.assert_allclose(y, np.log(np.sum(np.exp(x), axis=dim)), rtol=1e-14)
        u = np.ones(y.shape)
        g = actcli.gradient("logsumexp", x, u, dim=dim)
        assert g.shape == x.shape
        np.testing.assert_allclose(g.sum(axis=dim), 1.0, rtol=1e-14)
    with pytest.raises(actcli.InputError, match=r"grad_output has shape \(2, 3, 4\)"):
        actcli.gradient("logsumexp", x, np.ones(x.shape))


def test_against_mpmath_where_the_sum_is_near_one() -> None:
    # a peaked row: log(1 + tiny) keeps the tiny part
    x = np.array([0.0, -40.0, -45.0])
    with mpmath.workdps(40):
        want = float(mpmath.log(1 + mpmath.exp(-40) + mpmath.exp(-45)))
    np.testing.assert_array_max_ulp(actcli.evaluate("logsumexp", x), np.float64(want), maxulp=1)


def test_limits() -> None:
    inf, nan = np.inf, np.nan
    x = np.array([[-inf, -inf, -inf], [inf, 1.0, inf], [nan, 1.0, 2.0], [1.0, -inf, 1.0]])
    y = actcli.evaluate("logsumexp", x)
    assert y[0] == -inf and y[1] == inf and np.isnan(y[2])
    assert y[3] == pytest.approx(1 + np.log(2), rel=1e-15)
    g = actcli.gradient("logsumexp", x)
    # all -inf: uniform, the limit as the entries fall together (torch and JAX give NaN)
    np.testing.assert_array_equal(g[0], [1 / 3, 1 / 3, 1 / 3])
    np.testing.assert_array_equal(g[1], [0.5, 0.0, 0.5])
    assert np.isnan(g[2]).all()
    np.testing.assert_array_equal(g[3], [0.5, 0.0, 0.5])


def test_float32_and_scalars() -> None:
    x = np.array([[1.0, 2.0], [3.0, 4.0]], dtype=np.float32)
    assert actcli.evaluate("logsumexp", x).dtype == np.float32
    assert actcli.gradient("logsumexp", x).dtype == np.float32
    y = actcli.evaluate("logsumexp", np.float64(2.5))
    assert y.shape == () and y == 2.5


def test_cli_prints_one_value_per_row() -> None:
    res = CliRunner().invoke(cli, ["eval", "logsumexp", "--values=0,0", "--format", "json"])
    assert res.exit_code == 0, res.stderr
    assert res.stdout.strip() == "0.6931471805599453"


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_agrees_with_torch(dtype: type) -> None:
    torch = pytest.importorskip("torch")
    rng = np.random.default_rng(8)
    x = rng.normal(0, 30, size=(40, 7)).astype(dtype)
    u = rng.normal(size=40).astype(dtype)
    t = torch.tensor(x, requires_grad=True)
    y_t = torch.logsumexp(t, dim=-1)
    (d_t,) = torch.autograd.grad(y_t, t, grad_outputs=torch.tensor(u))
    eps = float(np.finfo(dtype).eps)
    np.testing.assert_allclose(actcli.evaluate("logsumexp", x), y_t.detach(), rtol=4 * eps)
    np.testing.assert_allclose(
        actcli.gradient("logsumexp", x, u), d_t, rtol=16 * eps, atol=16 * eps
    )
    # an all -inf row: torch's gradient is NaN, actcli's the uniform limit
    t = torch.full((3,), -float("inf"), dtype=torch.float64, requires_grad=True)
    (d_t,) = torch.autograd.grad(torch.logsumexp(t, dim=-1), t)
    assert torch.isnan(d_t).all()
