"""Build description of actcli's compiled kernels (the rest of the metadata is in pyproject.toml).

One C extension, ``actcli._kernels._ufuncs``: plain C11, one source per family plus the module
that registers the ufuncs. The loops are compiled for a baseline and, on x86-64 with GCC or
Clang, for AVX2+FMA and AVX-512F inside the same object (function attributes), and chosen at
import from the CPU: no ``-march=native``, so a wheel runs on any x86-64 machine.
``-ffp-contract=off`` keeps every instruction set on the same bits.
"""

from __future__ import annotations

import numpy as np
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

SOURCES = [
    "module.c",
    "elementary.c",
    "piecewise.c",
    "smooth.c",
    "gated.c",
    "gelu.c",
]
HEADERS = ["act_loops.h", "act_math.h", "act_coeffs.h"]
UNIX_FLAGS = [
    "-std=c11",
    "-O3",
    "-fopenmp-simd",
    "-ffp-contract=off",
    "-fno-math-errno",
    "-Wall",
    "-Wextra",
]


class BuildExt(build_ext):
    """Adds the GCC/Clang flags (MSVC builds the baseline loops with its defaults)."""

    def build_extensions(self) -> None:
        if self.compiler.compiler_type != "msvc":
            for ext in self.extensions:
                ext.extra_compile_args = [*UNIX_FLAGS, *ext.extra_compile_args]
        super().build_extensions()


setup(
    ext_modules=[
        Extension(
            "actcli._kernels._ufuncs",
            sources=[f"actcli/_kernels/{s}" for s in SOURCES],
            include_dirs=[np.get_include(), "actcli/_kernels"],
            depends=[f"actcli/_kernels/{h}" for h in HEADERS],
        )
    ],
    cmdclass={"build_ext": BuildExt},
)
