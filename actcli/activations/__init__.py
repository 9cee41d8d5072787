"""Every activation, declared once. Importing this package registers them all.

One module per family, imported in the order ``actcli list`` shows them: ``piecewise`` (the ReLU
family, hard*, shrinks, JAX's sparse ones), ``smooth`` (sigmoid, tanh, the ELU family, softplus,
SiLU/Swish/Mish/GELU, softsign, tanhshrink, squareplus) and ``axis`` (softmax, softmin,
log_softmax, glu).
"""

from __future__ import annotations

import importlib

FAMILIES = ("piecewise", "smooth", "axis")

for _family in FAMILIES:
    importlib.import_module(f"{__name__}.{_family}")
