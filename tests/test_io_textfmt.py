"""The C text formatter (actcli._kernels._text, textfmt.c) against Python and NumPy.

Every expectation comes from ``float.__repr__`` or ``str()`` of the NumPy scalar, never from
the code under test.
"""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import numpy.typing as npt
import pytest

from actcli._kernels import _text
from actcli.io import text

BITS = {np.float64: np.uint64, np.float32: np.uint32, np.float16: np.uint16}


def _reference(values: npt.NDArray[Any]) -> list[str]:
    if values.dtype == np.float64:
        return [float.__repr__(v) for v in values.tolist()]
    return [str(v) for v in values]


def _c_cells(values: npt.NDArray[Any]) -> list[str]:
    return _text.join(values.reshape(1, -1), "\n", "", "", "", False).split("\n")


def _random_bits(dtype: type[np.floating[Any]], n: int, seed: int) -> npt.NDArray[Any]:
    """Uniform random bit patterns: every class (normal, subnormal, zero, inf, NaN) appears."""
    bits = BITS[dtype]
    rng = np.random.default_rng(seed)
    return rng.integers(0, np.iinfo(bits).max, n, dtype=bits, endpoint=True).view(dtype)


def _edges(dtype: type[np.floating[Any]]) -> npt.NDArray[Any]:
    """Powers of two and of ten (where the shortest digits and the layout change), the
    subnormals' ends, max, tiny, signed zeros, NaN, infinities, and each one's neighbours."""
    info = np.finfo(dtype)
    lo_exp, hi_exp = int(np.log2(info.smallest_subnormal)), int(info.maxexp)
    twos = [2.0**e for e in range(lo_exp, hi_exp)]
    tens = [float(f"1e{e}") for e in range(int(np.log10(info.smallest_subnormal)) - 1, 310)]
    special = [0.0, 1e-4, 1e3, 1e6, 1e16, 999.5, 999999.94, 65504.0, 0.1, 1 / 3]
    with np.errstate(over="ignore", under="ignore"):
        base = np.array(twos + tens + special, dtype=dtype)
    base = base[np.isfinite(base)]
    more = [info.max, info.tiny, info.smallest_subnormal, np.nan, np.inf]
    base = np.concatenate([base, np.array(more, dtype=dtype)])
    with np.errstate(over="ignore", under="ignore"):  # max's next is inf
        up = np.nextafter(base, np.array(np.inf, dtype=dtype))
        down = np.nextafter(base, np.array(0, dtype=dtype))
    both = np.concatenate([base, up, down])
    return np.concatenate([both, -both])


def test_float16_every_value() -> None:
    values = np.arange(1 << 16, dtype=np.uint32).astype(np.uint16).view(np.float16)
    assert _c_cells(values) == _reference(values)
    assert text.format_floats(values) == _reference(values)


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16])
def test_edge_values(dtype: type[np.floating[Any]]) -> None:
    values = _edges(dtype)
    got = _c_cells(values)
    assert got == _reference(values)
    assert got[: len(values) // 6].count("nan") == 1


@pytest.mark.parametrize(("dtype", "n"), [(np.float64, 200_000), (np.float32, 300_000)])
def test_random_bit_patterns(dtype: type[np.floating[Any]], n: int) -> None:
    values = _random_bits(dtype, n, 17)
    assert _c_cells(values) == _reference(values)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_typical_values(dtype: type[np.floating[Any]]) -> None:
    """Typical data (where float64 takes the exact 128-bit path, float32 the double estimate):
    normal samples and their tanh, short decimals, every scale from 1e-13 to 1e17, integers up
    to 2^53, values near the switch to scientific notation."""
    rng = np.random.default_rng(3)
    x = rng.standard_normal(100_000)
    scaled = x * 10.0 ** rng.integers(-13, 18, x.size)
    rounded = [np.round(x[:10_000], k) for k in range(9)]
    ints = rng.integers(-(2**53), 2**53, 10_000).astype(np.float64)
    values = np.concatenate(
        [x, np.tanh(x), scaled, *rounded, ints, x * 1e5, x * 1e-4, np.arange(-2000, 2000) / 8]
    ).astype(dtype)
    assert _c_cells(values) == _reference(values)


def test_known_strings() -> None:
    """A few by hand, from Python and NumPy 2's documented output."""
    f64 = np.array([1.0, -0.0, np.nan, np.inf, 1e-5, 1e16, 0.1])
    assert _c_cells(f64) == ["1.0", "-0.0", "nan", "inf", "1e-05", "1e+16", "0.1"]
    f32 = np.array([1.0, -0.0, 1e-5, np.finfo(np.float32).max, 0.1, -np.inf], np.float32)
    assert _c_cells(f32) == ["1.0", "-0.0", "1e-05", "3.4028235e+38", "0.1", "-inf"]


def test_layout_rows_separators_quotes() -> None:
    a = np.array([[1.5, np.nan, -np.inf], [0.25, 1e-7, 3.0]], dtype=np.float32)
    cells = [[str(v) for v in row] for row in a]
    got = _text.join(a, ", ", "[", "]", ",\n ", True)
    quoted = [[f'"{c}"' if c in ("nan", "-inf") else c for c in row] for row in cells]
    assert got == ",\n ".join("[" + ", ".join(row) + "]" for row in quoted)
    assert _text.join(a, ",", "", "\n", "", False) == "".join(",".join(r) + "\n" for r in cells)
    assert _text.join(np.zeros((2, 0)), ",", "[", "]", ";", False) == "[];[]"
    assert _text.join(np.zeros((0, 3)), ",", "", "\n", "", False) == ""


@pytest.mark.parametrize(
    "block",
    [np.zeros(3), np.zeros((2, 2), dtype=np.int64), np.zeros((2, 2), dtype=">f8"), b"abcd"],
)
def test_refuses_other_blocks(block: Any) -> None:
    with pytest.raises(TypeError):
        _text.join(block, ",", "", "\n", "", False)


@pytest.mark.parametrize("dtype", [np.float64, np.float32, np.float16])
def test_writers_use_it_and_match_python(dtype: type[np.floating[Any]]) -> None:
    """text_chunks / json_chunks / format_floats go through the C formatter for native float
    dtypes and give the text the Python code would (strided blocks included)."""
    assert text._formatter(np.dtype(dtype)) is _text
    values = _random_bits(dtype, 3 * 70_000, 5)
    values[::97] = np.nan
    a = values.reshape(-1, 3)[:, ::-2]  # not contiguous
    cells = [_reference(row) for row in a]
    csv = "".join(text.text_chunks(a, ","))
    assert csv == "".join(",".join(row) + "\n" for row in cells)
    q = {"nan": '"nan"', "inf": '"inf"', "-inf": '"-inf"'}
    rows = [[q.get(c, c) for c in row] for row in cells]
    assert "".join(text.json_chunks(a)) == (
        "[" + ",\n ".join("[" + ", ".join(r) + "]" for r in rows) + "]\n"
    )
    flat = a[:, 0]
    expected = "[" + ", ".join(q.get(c, c) for c in _reference(flat)) + "]\n"
    assert "".join(text.json_chunks(flat)) == expected
    assert text.format_floats(a) == list(itertools.chain.from_iterable(cells))


def test_other_dtypes_keep_the_python_code() -> None:
    assert text._formatter(np.dtype(np.int64)) is None
    assert text._formatter(np.dtype(">f4")) is None
    assert text.format_floats(np.array([3, -1])) == ["3", "-1"]
    big_endian = np.array([0.1, 2.5], dtype=">f4")
    assert text.format_floats(big_endian) == [str(v) for v in big_endian]
