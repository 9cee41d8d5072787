"""logsumexp (actcli/activations/sparse.py): the dropped axis, its limits, and PyTorch."""

from __future__ import annotations

import math

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


# --- sparsemax and entmax15 ---------------------------------------------------------------------
def _mp_sparsemax(z: list[float]) -> list[float]:
    """sparsemax in mpmath, written from the paper's algorithm (sort, support, threshold)."""
    with mpmath.workdps(50):
        zs = sorted((mpmath.mpf(v) for v in z), reverse=True)
        k = max(j for j in range(1, len(zs) + 1) if 1 + j * zs[j - 1] > sum(zs[:j]))
        tau = (sum(zs[:k]) - 1) / k
        return [float(max(mpmath.mpf(v) - tau, 0)) for v in z]


def test_sparsemax_with_several_logits_in_the_support_sums_to_one() -> None:
    # Keras 3's sparsemax does not sum to 1 once several logits are in the support; here three
    # are (threshold 0.5667), the result is mpmath's to 1 ulp and sums to 1.
    z = [1.0, 0.9, 0.8, -0.7, 0.05]
    y = actcli.evaluate("sparsemax", np.array(z))
    assert np.count_nonzero(y) == 3
    np.testing.assert_array_max_ulp(y, np.array(_mp_sparsemax(z)), maxulp=1)
    assert abs(math.fsum(y) - 1) <= 2**-52
    rng = np.random.default_rng(17)
    x = rng.normal(0, 0.5, size=(200, 12))
    for name in ("sparsemax", "entmax15"):
        y = actcli.evaluate(name, x)
        assert np.all(y >= 0)
        np.testing.assert_allclose(y.sum(axis=-1), 1.0, rtol=0, atol=8 * 2**-52)
        assert (y == 0).any() and (np.count_nonzero(y, axis=-1) > 1).sum() > 100


@pytest.mark.parametrize("m", [0.0, 3.7, -2.5, 1e6, -1e6, 2.0**40])
def test_sparsemax_entries_one_below_the_maximum(m: float) -> None:
    # Only entries from max - 1 up can be in the support (the kernel sorts those alone): rows
    # with entries at max - 1 and a few ulps either side match mpmath's whole-row algorithm.
    one = 1.0
    e = 2.0**-40 * max(1.0, abs(m))
    z = [m, m - one, m - one + e, m - one - e, m - 0.5, m - 0.75, m - 3.0]
    y = actcli.evaluate("sparsemax", np.array(z))
    np.testing.assert_array_max_ulp(y, np.array(_mp_sparsemax(z)), maxulp=1)
    rng = np.random.default_rng(23)
    for _ in range(20):
        row = list(m + rng.choice([0.0, -0.5, -1.0, -1.0 + e, -1.0 - e, -2.0], size=9))
        y = actcli.evaluate("sparsemax", np.array(row))
        np.testing.assert_array_max_ulp(y, np.array(_mp_sparsemax(row)), maxulp=1)


@pytest.mark.parametrize("name", ["sparsemax", "entmax15"])
def test_sparse_maps_limits_and_ties(name: str) -> None:
    inf, nan = np.inf, np.nan
    x = np.array([[inf, 1.0, inf], [-inf, -inf, -inf], [nan, 0.0, 1.0], [2.0, -inf, 2.0]])
    y = actcli.evaluate(name, x)
    np.testing.assert_array_equal(y[0], [0.5, 0.0, 0.5])
    np.testing.assert_array_equal(y[1], [1 / 3, 1 / 3, 1 / 3])
    assert np.isnan(y[2]).all()
    np.testing.assert_array_equal(y[3], [0.5, 0.0, 0.5])
    # an entry exactly at the threshold is off the support: 0, and no gradient
    tie = np.array([1.0, 0.0, 0.0]) if name == "sparsemax" else np.array([2.0, 0.0, 0.0])
    yt = actcli.evaluate(name, tie)
    np.testing.assert_array_equal(yt, [1.0, 0.0, 0.0])
    np.testing.assert_array_equal(actcli.gradient(name, tie, np.array([1.0, 5.0, -3.0])), 0.0)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_sparse_maps_agree_with_the_entmax_package(dtype: type) -> None:
    torch = pytest.importorskip("torch")
    entmax = pytest.importorskip("entmax")
    rng = np.random.default_rng(12)
    x = rng.normal(0, 2, size=(64, 9)).astype(dtype)
    g = rng.normal(size=x.shape).astype(dtype)
    eps = float(np.finfo(dtype).eps)
    for name, fn in (("sparsemax", entmax.sparsemax), ("entmax15", entmax.entmax15)):
        for dim in (0, -1):
            t = torch.tensor(x, requires_grad=True)
            y_t = fn(t, dim=dim)
            (d_t,) = torch.autograd.grad(y_t, t, grad_outputs=torch.tensor(g))
            y = actcli.evaluate(name, x, dim=dim)
            d = actcli.gradient(name, x, g, dim=dim)
            assert y.dtype == dtype
            np.testing.assert_allclose(y, y_t.detach().numpy(), rtol=16 * eps, atol=16 * eps)
            np.testing.assert_allclose(d, d_t.numpy(), rtol=64 * eps, atol=64 * eps)
