"""actcli.io.read and actcli.io.formats: files by extension, streams by content (no Click)."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest

from actcli import io as aio
from actcli.errors import InputError
from tests.io_cases import npy_bytes, write


def test_unknown_extension_and_missing_or_directory_paths(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"extension '\.xlsx'; expected one of: \.npy"):
        aio.load_array(write(tmp_path, "a.xlsx", "1,2"))
    with pytest.raises(InputError, match="cannot read"):
        aio.load_array(tmp_path / "missing.csv")
    (tmp_path / "dir.csv").mkdir()
    with pytest.raises(InputError, match="cannot read"):
        aio.load_array(tmp_path / "dir.csv")


def test_parse_bytes_tells_formats_apart_by_content() -> None:
    arr = np.arange(4, dtype=np.float32).reshape(2, 2)
    np.testing.assert_array_equal(aio.parse_bytes(npy_bytes(arr)), arr)
    buf = io.BytesIO()
    np.savez(buf, a=arr)
    np.testing.assert_array_equal(aio.parse_bytes(buf.getvalue()), arr)
    np.testing.assert_array_equal(aio.parse_bytes(b"  [1, 2]"), [1.0, 2.0])
    np.testing.assert_array_equal(aio.parse_bytes(b"h\n1\n2\n"), [1.0, 2.0])
    with pytest.raises(InputError, match="stdin holds no numbers"):
        aio.parse_bytes(b"", name="stdin")


def test_format_of_knows_every_extension() -> None:
    assert {aio.format_of(f"x{ext}") for ext in aio.FORMATS} == set(aio.FORMATS.values())
    assert aio.format_of("X.CSV") == "csv"
    with pytest.raises(InputError, match="no extension"):
        aio.format_of("data")
