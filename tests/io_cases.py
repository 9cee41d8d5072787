"""Helpers shared by the actcli.io tests (files written to tmp_path, bit comparisons)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np


def bits_equal(a: np.ndarray, b: np.ndarray) -> bool:
    """Same shape, dtype and bits (NaNs compare as NaNs, since text spells every NaN 'nan')."""
    if a.shape != b.shape or a.dtype != b.dtype:
        return False
    nan = np.isnan(a)
    if not np.array_equal(nan, np.isnan(b)):
        return False
    ia = a.view(f"u{a.dtype.itemsize}")[~nan]
    ib = b.view(f"u{b.dtype.itemsize}")[~nan]
    return bool(np.array_equal(ia, ib))


def write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    p = tmp_path / name
    if isinstance(data, str):
        p.write_text(data, encoding="utf-8", newline="")
    else:
        p.write_bytes(data)
    return p


def npy_bytes(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=True)
    return buf.getvalue()
