"""Every activation, declared once. Importing this package registers them all.

One module per family, imported in the order ``actcli list`` shows them: ``piecewise`` (the ReLU
family, hard*, shrinks, JAX's sparse ones), ``smooth`` (sigmoid, logsigmoid, tanh, the ELU family,
softplus), ``gated`` (swish, silu, mish), ``gelu`` (GELU, softsign, tanhshrink, squareplus) and
``axis`` (softmax, softmin, log_softmax, glu). ``_common`` and ``_gates`` hold the shared
numerical building blocks, ``_coeffs`` the generated polynomial coefficients.
"""

from __future__ import annotations

import importlib

from .. import registry

FAMILIES = ("piecewise", "smooth", "gated", "gelu", "axis")


def load_families(stop: str | None = None) -> bool:
    """Import the families in order; with ``stop``, only until that name is registered.

    Returns True once every family is imported. ``actcli eval relu6`` thus imports (and, when
    Python may not cache bytecode, compiles) the piecewise family alone, while ``names()`` and
    everything that lists activations import them all. The order is fixed, so the registry's
    order is the same however far a lookup went.
    """
    for family in FAMILIES:
        importlib.import_module(f"{__name__}.{family}")
        if stop is not None and registry.is_registered(stop):
            return family == FAMILIES[-1]
    return True


# A plain ``import actcli.activations.<family>`` (not through the registry) must still register
# every family in order, so the package imports them all unless the registry's lazy loader is
# the one importing it.
if not registry.loading_lazily():
    load_families()
