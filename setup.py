"""Build description of actcli's compiled kernels (the rest of the metadata is in pyproject.toml).

Two C extensions. ``actcli._kernels._text`` (textfmt.c) writes blocks of floats as shortest
round-trip text. ``actcli._kernels._ufuncs``: plain C11, one source per family plus the module
that registers the ufuncs. Each family is compiled for the x86-64 baseline (FAMILY.c) and, with
GCC or Clang on x86-64, for AVX2+FMA and AVX-512F (isa/FAMILY_*.c: the same source under
``#pragma GCC target``); the loops are chosen at import from the CPU. No ``-march=native``, so
a wheel runs on any machine of its platform. ``-ffp-contract=off``: FMA only where a kernel
asks for it (ACT_FMA), never by contraction (error-free steps stay error-free).
"""

from __future__ import annotations

import os
import sys
import sysconfig
from concurrent.futures import ThreadPoolExecutor
from typing import Any

import numpy as np
from setuptools import Extension, setup
from setuptools.command.build_ext import build_ext

FAMILIES = [
    "elementary",
    "piecewise",
    "smooth",
    "gated",
    "gelu",
    "axis",
    "gated_rows",
    "sparse_rows",
    "field",
    "snake",
    # float-native float32 loops that module.c puts in place of the families' float32 loops
    "smooth_f32",
]
# The baseline loops and tables (FAMILY.c), then the AVX2 and AVX-512 loops (isa/FAMILY_*.c,
# empty translation units where the compiler cannot target them).
SOURCES = [
    "module.c",
    *(f"{f}.c" for f in FAMILIES),
    *(f"isa/{f}_{isa}.c" for f in FAMILIES for isa in ("avx2", "avx512")),
]
HEADERS = [
    "act_loops.h",
    "act_math.h",
    "act_mathf.h",
    "act_expf.h",
    "act_coeffs.h",
    "act_erf_coeffs.h",
    "act_prows.h",
    "act_gate.h",
    "act_rowexp.h",
    "act_gelu64.h",
    "act_gelu32.h",
    "act_stream.h",
]
UNIX_FLAGS = [
    "-std=c11",
    "-O3",
    "-fopenmp-simd",
    "-ffp-contract=off",
    "-fno-math-errno",
    # Selects compute both sides (on purpose: branch-free loops); without this GCC refuses to
    # if-convert them for fear of raising a floating-point flag, and nothing vectorises.
    "-fno-trapping-math",
    "-Wall",
    "-Wextra",
]
if any(a in sysconfig.get_platform() for a in ("x86_64", "amd64", "i686", "i386")):
    # GCC 12 without -fwrapv (CPython's CFLAGS usually have it) moves some baseline SSE2 values
    # through MMX registers (smooth_f32.c) and never clears the x87 tag word (no EMMS): the
    # next long double code (snake's slow path, sinl) then returns NaN. No MMX, ever.
    UNIX_FLAGS.append("-mno-mmx")


class BuildExt(build_ext):
    """Adds the GCC/Clang flags (MSVC builds the baseline loops with its defaults) and compiles
    an extension's sources side by side, one compiler process per core (setuptools compiles
    them one after another: the 34 objects of _ufuncs took 8 of CI's 13 minutes on 2 cores).
    ``ACTCLI_BUILD_JOBS`` (a positive integer) sets the number of processes."""

    def build_extensions(self) -> None:
        if self.compiler.compiler_type != "msvc":
            for ext in self.extensions:
                ext.extra_compile_args = [*UNIX_FLAGS, *ext.extra_compile_args]
        serial = self.compiler.compile
        raw = os.environ.get("ACTCLI_BUILD_JOBS", "").strip()
        jobs = int(raw) if raw.isdigit() and int(raw) > 0 else os.cpu_count() or 1

        def compile_sources(sources: list[str], *args: Any, **kwargs: Any) -> list[str]:
            if jobs <= 1 or len(sources) <= 1:
                return serial(sources, *args, **kwargs)
            with ThreadPoolExecutor(min(jobs, len(sources))) as pool:
                parts = list(pool.map(lambda s: serial([s], *args, **kwargs), sources))
            return [obj for part in parts for obj in part]  # in the sources' order

        self.compiler.compile = compile_sources  # type: ignore[method-assign]
        super().build_extensions()


setup(
    ext_modules=[
        Extension(
            "actcli._kernels._ufuncs",
            sources=[f"actcli/_kernels/{s}" for s in SOURCES],
            include_dirs=[np.get_include(), "actcli/_kernels"],
            depends=[f"actcli/_kernels/{h}" for h in HEADERS],
            libraries=[] if sys.platform == "win32" else ["m"],  # feclearexcept
        ),
        # Shortest round-trip text of float blocks (actcli/io/text.py): its own module.
        Extension(
            "actcli._kernels._text",
            sources=["actcli/_kernels/textfmt.c"],
            libraries=[] if sys.platform == "win32" else ["m"],
        ),
    ],
    cmdclass={"build_ext": BuildExt},
)
