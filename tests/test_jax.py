"""Cross-check the activations that follow JAX (those without a PyTorch equivalent) against jax.nn,
when JAX is installed (CI does not need it)."""

from __future__ import annotations

from typing import Any

import numpy as np
import pytest

import actcli
from tests.test_activations import settings_of

jax = pytest.importorskip("jax")
jax.config.update("jax_enable_x64", True)
jnp = jax.numpy

# JAX's own definition is the reference for these; swish(beta) is jax.nn.silu(beta*x)/beta*... so
# only its beta = 1 case maps onto jax.nn.swish.
JAX_ONLY = [n for n in actcli.names() if actcli.get(n).doc.torch is None]


def jax_fn(name: str, params: dict[str, Any]) -> Any:
    fn = getattr(jax.nn, actcli.get(name).doc.jax.rsplit(".", 1)[1])  # type: ignore[union-attr]
    return lambda t: fn(t, **params)


@pytest.mark.parametrize("name", JAX_ONLY)
def test_values_and_gradients_match_jax(name: str) -> None:
    for params in settings_of(name):
        if name == "swish" and params:
            continue  # jax.nn.swish has no beta
        x = np.concatenate([np.linspace(-4, 4, 81), [-1.0, 1.0, 0.0, -30.0, 30.0]])
        f = jax_fn(name, params)
        y_j = np.asarray(jax.vmap(f)(jnp.asarray(x)))
        d_j = np.asarray(jax.vmap(jax.grad(f))(jnp.asarray(x)))
        np.testing.assert_allclose(actcli.evaluate(name, x, **params), y_j, rtol=1e-14, atol=1e-15)
        np.testing.assert_allclose(actcli.gradient(name, x, **params), d_j, rtol=1e-14, atol=1e-15)
