"""The activation families: one module each, every record declared once as plain data.

``piecewise`` (the ReLU family, hard*, shrinks, JAX's sparse ones), ``smooth`` (sigmoid,
logsigmoid, tanh, the ELU family, softplus), ``gated`` (swish, silu, mish), ``gelu`` (GELU,
softsign, tanhshrink, squareplus) and ``axis`` (softmax, softmin, log_softmax, glu). Each ends
with ``ACTIVATIONS = (...)`` and registers nothing: :mod:`actcli.catalog` imports the families
on demand and in a fixed order. ``_common`` and ``_gates`` hold the shared numerical building
blocks, ``_coeffs`` the generated polynomial coefficients.
"""
