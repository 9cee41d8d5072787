"""actcli.io.npy: hardened NPY and NPZ reading, tested directly (no Click)."""

from __future__ import annotations

import struct
import zipfile
from pathlib import Path

import numpy as np
import pytest

from actcli import io as aio
from actcli.errors import InputError
from tests.io_cases import npy_bytes, write


@pytest.mark.parametrize("dtype", ["<f2", "<f4", "<f8", ">f4", ">f8", "<i4", ">i8", "|b1", "|u1"])
def test_npy_reads_every_numeric_dtype_and_byte_order(tmp_path: Path, dtype: str) -> None:
    src = np.arange(-3, 9).reshape(3, 4).astype(dtype)
    p = tmp_path / "a.npy"
    np.save(p, src)
    got = aio.load_array(p)
    assert got.dtype.isnative
    assert got.dtype.kind == src.dtype.kind and got.dtype.itemsize == src.dtype.itemsize
    np.testing.assert_array_equal(got, src)


def test_npy_fortran_order_keeps_values_and_shape(tmp_path: Path) -> None:
    src = np.asfortranarray(np.arange(24, dtype=np.float64).reshape(2, 3, 4))
    p = tmp_path / "f.npy"
    np.save(p, src)
    got = aio.load_array(p)
    assert got.shape == (2, 3, 4)
    np.testing.assert_array_equal(got, src)


def test_npy_zero_d_and_empty_arrays_are_read(tmp_path: Path) -> None:
    np.save(tmp_path / "s.npy", np.float32(2.5))
    np.save(tmp_path / "e.npy", np.zeros((0, 3)))
    scalar = aio.load_array(tmp_path / "s.npy")
    assert scalar.shape == () and scalar.dtype == np.float32 and float(scalar) == 2.5
    assert aio.load_array(tmp_path / "e.npy").shape == (0, 3)


def test_npy_mmap_mode_returns_a_read_only_memmap(tmp_path: Path) -> None:
    src = np.linspace(-1, 1, 1000, dtype=np.float32)
    p = tmp_path / "m.npy"
    np.save(p, src)
    got = aio.load_array(p, mmap_mode="r")
    assert isinstance(got, np.memmap)
    assert not got.flags.writeable
    np.testing.assert_array_equal(got, src)
    np.save(tmp_path / "f.npy", np.asfortranarray(np.arange(6.0).reshape(2, 3)))
    np.testing.assert_array_equal(
        aio.load_array(tmp_path / "f.npy", mmap_mode="r"), np.arange(6.0).reshape(2, 3)
    )


def test_npy_header_claiming_more_than_the_file_holds_is_refused_without_allocating(
    tmp_path: Path,
) -> None:
    header = "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000,), }"
    header += " " * (63 - len(header) % 64) + "\n"
    raw = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + b"\0" * 16
    with pytest.raises(InputError, match=r"truncated.*8000000000000 bytes"):
        aio.load_array(write(tmp_path, "big.npy", raw))
    with pytest.raises(InputError, match="truncated"):
        aio.parse_bytes(raw)


@pytest.mark.parametrize(
    ("arr", "message"),
    [
        (np.array([{"a": 1}, None], dtype=object), "Python objects"),
        (np.zeros(3, dtype=[("a", "<f8"), ("b", "<i4")]), "structured"),
        (np.array(["a", "b"]), "text strings"),
        (np.array([1 + 2j]), "complex"),
        (np.array(["2020-01-01"], dtype="datetime64[D]"), "dates"),
    ],
)
def test_npy_non_numeric_dtypes_are_refused(tmp_path: Path, arr: np.ndarray, message: str) -> None:
    p = write(tmp_path, "bad.npy", npy_bytes(arr))
    with pytest.raises(InputError, match=message):
        aio.load_array(p)


@pytest.mark.parametrize(
    "raw",
    [
        b"",
        b"\x93NUMPY",
        b"\x93NUMPY\x01\x00\xff",
        b"\x93NUMPY\x09\x00\x10\x00",
        b"\x93NUMPY\x01\x00\x10\x00{'descr': '<f8'",
        b"\x93NUMPY\x01\x00\x08\x00(1, 2) \n",
        b"not an npy file at all",
    ],
)
def test_damaged_npy_is_refused(tmp_path: Path, raw: bytes) -> None:
    with pytest.raises(InputError, match=r"bad\.npy"):
        aio.load_array(write(tmp_path, "bad.npy", raw))


def test_npy_header_with_negative_or_non_integer_shape_is_refused(tmp_path: Path) -> None:
    for shape in ("(-1,)", "(2.5,)", "'3'"):
        header = f"{{'descr': '<f8', 'fortran_order': False, 'shape': {shape}, }}\n"
        raw = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode()
        with pytest.raises(InputError, match="damaged NPY header"):
            aio.load_array(write(tmp_path, "s.npy", raw + b"\0" * 64))


def test_npz_single_array_is_taken_and_several_need_a_key(tmp_path: Path) -> None:
    one, two = tmp_path / "one.npz", tmp_path / "two.npz"
    np.savez(one, weights=np.arange(3.0))
    np.savez_compressed(two, x=np.ones((2, 2), np.float32), g=np.zeros((2, 2)))
    np.testing.assert_array_equal(aio.load_array(one), np.arange(3.0))
    with pytest.raises(InputError, match="several arrays; choose one with --key: x, g"):
        aio.load_array(two)
    got = aio.load_array(two, key="x")
    assert got.dtype == np.float32 and got.shape == (2, 2)
    with pytest.raises(InputError, match="no array 'y'; its keys are: x, g"):
        aio.load_array(two, key="y")


def test_npz_refuses_objects_and_bad_archives(tmp_path: Path) -> None:
    p = tmp_path / "obj.npz"
    np.savez(p, a=np.array([None, 1], dtype=object))
    with pytest.raises(InputError, match="Python objects"):
        aio.load_array(p)
    with pytest.raises(InputError, match=r"not a valid \.npz"):
        aio.load_array(write(tmp_path, "bad.npz", b"PK\x03\x04garbage"))
    empty = tmp_path / "empty.npz"
    with zipfile.ZipFile(empty, "w"):
        pass
    with pytest.raises(InputError, match="holds no arrays"):
        aio.load_array(empty)


def test_npz_member_header_claiming_more_than_its_size_is_refused(tmp_path: Path) -> None:
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': (10000000000,), }\n"
    raw = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + b"\0" * 8
    p = tmp_path / "claim.npz"
    with zipfile.ZipFile(p, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("x.npy", raw)
    with pytest.raises(InputError, match=r"claim.npz\[x\] is truncated"):
        aio.load_array(p)


def test_a_key_for_a_non_npz_file_is_an_error(tmp_path: Path) -> None:
    p = tmp_path / "a.npy"
    np.save(p, np.ones(2))
    with pytest.raises(InputError, match=r"only applies to \.npz"):
        aio.load_array(p, key="x")
