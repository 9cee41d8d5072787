"""The activation families: one module each, every record declared once as plain data.

``piecewise`` (the ReLU family, hard*, shrinks, JAX's sparse ones), ``smooth`` (sigmoid,
logsigmoid, tanh, the ELU family, softplus), ``gated`` (swish, silu, mish), ``gelu`` (GELU,
softsign, tanhshrink, squareplus) and ``axis`` (softmax, softmin, log_softmax, glu). Each ends
with ``ACTIVATIONS = (...)`` and registers nothing: :mod:`actcli.catalog` imports the families
on demand and in a fixed order. The kernels are compiled ufuncs (:mod:`actcli._kernels`);
``_common`` holds the NumPy building blocks the rest still uses (the second derivatives of
``_curvature``, a few float64 kernels), ``_coeffs`` the generated polynomial coefficients.
"""
