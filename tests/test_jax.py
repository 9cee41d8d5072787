"""Cross-check the activations that follow JAX (those without a PyTorch equivalent) against jax.nn,
when JAX is installed (CI does not need it)."""

from __future__ import annotations

import inspect
from typing import Any

import numpy as np
import pytest

import actcli
from tests.cases import settings_of
from tests.oracles import KINKS

jax = pytest.importorskip("jax")
jax.config.update("jax_enable_x64", True)
jnp = jax.numpy

# JAX's own definition is the reference for these (the record's ``doc.jax`` names it).
JAX_ONLY = [n for n in actcli.names() if actcli.get(n).doc.torch is None and actcli.get(n).doc.jax]


#: Functions without a jax.nn equivalent that have a JAX kink column (tests/oracles.py KINKS):
#: their definition written with jnp, as a JAX user would (MLX's step is mx.where(x > t, 1, 0)).
JNP_ONLY = {"step": lambda t, threshold=0.0: jnp.where(t > threshold, 1.0, 0.0)}


def jax_function(name: str) -> Any:
    if name in JNP_ONLY:
        return JNP_ONLY[name]
    return getattr(jax.nn, actcli.get(name).doc.jax.rsplit(".", 1)[1])  # type: ignore[union-attr]


def jax_fn(name: str, params: dict[str, Any]) -> Any:
    fn = jax_function(name)
    return lambda t: fn(t, **params)


@pytest.mark.parametrize("name", JAX_ONLY)
def test_values_and_gradients_match_jax(name: str) -> None:
    takes = inspect.signature(jax_function(name)).parameters
    for params in settings_of(name):
        if not set(params) <= set(takes):
            continue  # a parameter JAX's function lacks (swish's beta: jax.nn.swish has none)
        x = np.concatenate([np.linspace(-4, 4, 81), [-1.0, 1.0, 0.0, -30.0, 30.0]])
        f = jax_fn(name, params)
        y_j = np.asarray(jax.vmap(f)(jnp.asarray(x)))
        d_j = np.asarray(jax.vmap(jax.grad(f))(jnp.asarray(x)))
        np.testing.assert_allclose(actcli.evaluate(name, x, **params), y_j, rtol=1e-14, atol=1e-15)
        np.testing.assert_allclose(actcli.gradient(name, x, **params), d_j, rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize(
    ("name", "params", "x", "want"),
    [(k[0], k[1], k[2], k[4]) for k in KINKS if k[4] is not None],
    ids=[f"{k[0]}@{k[2]}" for k in KINKS if k[4] is not None],
)
def test_kink_table_jax_column_is_jax_grad(
    name: str, params: dict[str, Any], x: float, want: float
) -> None:
    kw = dict(params)
    if "approximate" in kw:  # jax.nn.gelu's flag for actcli's choice
        kw["approximate"] = kw["approximate"] == "tanh"
    elif name == "gelu":
        kw["approximate"] = False
    got = float(jax.grad(lambda t: jax_function(name)(t, **kw))(jnp.float64(x)))
    # softplus'(20): JAX's sigmoid(20) is 6e-16 below the correctly rounded value the column keeps
    assert got == pytest.approx(want, rel=1e-15, abs=0)
    assert actcli.gradient(name, np.array([x]), convention="jax", **params)[0] == want
