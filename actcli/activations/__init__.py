"""Every activation, declared once. Importing this package registers them all.

One module per family, imported in the order ``actcli list`` shows them: ``piecewise`` (the ReLU
family, hard*, shrinks, JAX's sparse ones), ``smooth`` (sigmoid, logsigmoid, tanh, the ELU family,
softplus), ``gated`` (swish, silu, mish), ``gelu`` (GELU, softsign, tanhshrink, squareplus) and
``axis`` (softmax, softmin, log_softmax, glu). ``_common`` and ``_gates`` hold the shared
numerical building blocks, ``_coeffs`` the generated polynomial coefficients.
"""

from __future__ import annotations

import importlib

FAMILIES = ("piecewise", "smooth", "gated", "gelu", "axis")

for _family in FAMILIES:
    importlib.import_module(f"{__name__}.{_family}")
