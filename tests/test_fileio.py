"""fileio: every reader and writer, tested directly (no Click)."""

from __future__ import annotations

import io
import json
import os
import struct
import zipfile
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from actcli import fileio
from actcli.errors import InputError


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


# --------------------------------------------------------------------------------------------
# NPY / NPZ


@pytest.mark.parametrize("dtype", ["<f2", "<f4", "<f8", ">f4", ">f8", "<i4", ">i8", "|b1", "|u1"])
def test_npy_reads_every_numeric_dtype_and_byte_order(tmp_path: Path, dtype: str) -> None:
    src = np.arange(-3, 9).reshape(3, 4).astype(dtype)
    p = tmp_path / "a.npy"
    np.save(p, src)
    got = fileio.load_array(p)
    assert got.dtype.isnative
    assert got.dtype.kind == src.dtype.kind and got.dtype.itemsize == src.dtype.itemsize
    np.testing.assert_array_equal(got, src)


def test_npy_fortran_order_keeps_values_and_shape(tmp_path: Path) -> None:
    src = np.asfortranarray(np.arange(24, dtype=np.float64).reshape(2, 3, 4))
    p = tmp_path / "f.npy"
    np.save(p, src)
    got = fileio.load_array(p)
    assert got.shape == (2, 3, 4)
    np.testing.assert_array_equal(got, src)


def test_npy_zero_d_and_empty_arrays_are_read(tmp_path: Path) -> None:
    np.save(tmp_path / "s.npy", np.float32(2.5))
    np.save(tmp_path / "e.npy", np.zeros((0, 3)))
    scalar = fileio.load_array(tmp_path / "s.npy")
    assert scalar.shape == () and scalar.dtype == np.float32 and float(scalar) == 2.5
    assert fileio.load_array(tmp_path / "e.npy").shape == (0, 3)


def test_npy_mmap_mode_returns_a_read_only_memmap(tmp_path: Path) -> None:
    src = np.linspace(-1, 1, 1000, dtype=np.float32)
    p = tmp_path / "m.npy"
    np.save(p, src)
    got = fileio.load_array(p, mmap_mode="r")
    assert isinstance(got, np.memmap)
    assert not got.flags.writeable
    np.testing.assert_array_equal(got, src)
    np.save(tmp_path / "f.npy", np.asfortranarray(np.arange(6.0).reshape(2, 3)))
    np.testing.assert_array_equal(
        fileio.load_array(tmp_path / "f.npy", mmap_mode="r"), np.arange(6.0).reshape(2, 3)
    )


def test_npy_header_claiming_more_than_the_file_holds_is_refused_without_allocating(
    tmp_path: Path,
) -> None:
    header = "{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000,), }"
    header += " " * (63 - len(header) % 64) + "\n"
    raw = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + b"\0" * 16
    with pytest.raises(InputError, match=r"truncated.*8000000000000 bytes"):
        fileio.load_array(write(tmp_path, "big.npy", raw))
    with pytest.raises(InputError, match="truncated"):
        fileio.parse_bytes(raw)


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
        fileio.load_array(p)


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
        fileio.load_array(write(tmp_path, "bad.npy", raw))


def test_npy_header_with_negative_or_non_integer_shape_is_refused(tmp_path: Path) -> None:
    for shape in ("(-1,)", "(2.5,)", "'3'"):
        header = f"{{'descr': '<f8', 'fortran_order': False, 'shape': {shape}, }}\n"
        raw = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode()
        with pytest.raises(InputError, match="damaged NPY header"):
            fileio.load_array(write(tmp_path, "s.npy", raw + b"\0" * 64))


def test_npz_single_array_is_taken_and_several_need_a_key(tmp_path: Path) -> None:
    one, two = tmp_path / "one.npz", tmp_path / "two.npz"
    np.savez(one, weights=np.arange(3.0))
    np.savez_compressed(two, x=np.ones((2, 2), np.float32), g=np.zeros((2, 2)))
    np.testing.assert_array_equal(fileio.load_array(one), np.arange(3.0))
    with pytest.raises(InputError, match="several arrays; choose one with --key: x, g"):
        fileio.load_array(two)
    got = fileio.load_array(two, key="x")
    assert got.dtype == np.float32 and got.shape == (2, 2)
    with pytest.raises(InputError, match="no array 'y'; its keys are: x, g"):
        fileio.load_array(two, key="y")


def test_npz_refuses_objects_and_bad_archives(tmp_path: Path) -> None:
    p = tmp_path / "obj.npz"
    np.savez(p, a=np.array([None, 1], dtype=object))
    with pytest.raises(InputError, match="Python objects"):
        fileio.load_array(p)
    with pytest.raises(InputError, match=r"not a valid \.npz"):
        fileio.load_array(write(tmp_path, "bad.npz", b"PK\x03\x04garbage"))
    empty = tmp_path / "empty.npz"
    with zipfile.ZipFile(empty, "w"):
        pass
    with pytest.raises(InputError, match="holds no arrays"):
        fileio.load_array(empty)


def test_npz_member_header_claiming_more_than_its_size_is_refused(tmp_path: Path) -> None:
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': (10000000000,), }\n"
    raw = b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode() + b"\0" * 8
    p = tmp_path / "claim.npz"
    with zipfile.ZipFile(p, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("x.npy", raw)
    with pytest.raises(InputError, match=r"claim.npz\[x\] is truncated"):
        fileio.load_array(p)


def test_a_key_for_a_non_npz_file_is_an_error(tmp_path: Path) -> None:
    p = tmp_path / "a.npy"
    np.save(p, np.ones(2))
    with pytest.raises(InputError, match=r"only applies to \.npz"):
        fileio.load_array(p, key="x")


def test_unknown_extension_and_missing_or_directory_paths(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"extension '\.xlsx'; expected one of: \.npy"):
        fileio.load_array(write(tmp_path, "a.xlsx", "1,2"))
    with pytest.raises(InputError, match="cannot read"):
        fileio.load_array(tmp_path / "missing.csv")
    (tmp_path / "dir.csv").mkdir()
    with pytest.raises(InputError, match="cannot read"):
        fileio.load_array(tmp_path / "dir.csv")


# --------------------------------------------------------------------------------------------
# Text


def test_csv_header_is_skipped_and_columns_make_a_matrix(tmp_path: Path) -> None:
    p = write(tmp_path, "l.csv", "cat,dog\n1.5,-2\n3,4e-3\n")
    got = fileio.load_array(p)
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, [[1.5, -2.0], [3.0, 0.004]])


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("a.tsv", "x\ty\n1\t2\n3\t4\n"),
        ("a.txt", "  1   2\n3 4  \n"),
        ("a.csv", "1;2\n3;4\n"),
        ("a.csv", "\ufeff1,2\r\n3,4\r\n"),
        ("a.csv", "# comment\n\n1, 2,\n\n3 ,4,\n"),
        ("a.csv", '"1","2"\n"3","4"\n'),
    ],
)
def test_delimiters_bom_crlf_blank_lines_comments_and_trailing_delimiters(
    tmp_path: Path, name: str, text: str
) -> None:
    np.testing.assert_array_equal(fileio.load_array(write(tmp_path, name, text)), [[1, 2], [3, 4]])


def test_one_column_is_1d_and_nan_inf_are_spelled_every_common_way(tmp_path: Path) -> None:
    got = fileio.load_array(write(tmp_path, "a.csv", "x\nnan\nNaN\ninf\n-Infinity\n+1E3\n"))
    assert got.shape == (5,)
    assert np.isnan(got[:2]).all()
    np.testing.assert_array_equal(got[2:], [np.inf, -np.inf, 1000.0])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x,y\n1,2\n3,abc\n", r"line 3, column 2: 'abc' is not a number"),
        ("1,2\n3,abc\n", r"line 2, column 2: 'abc' is not a number"),
        ("1,2,3\n4,5\n", r"line 2: 2 values, but line 1 has 3"),
        ("1,,3\n", r"line 1, column 2: empty cell"),
        ("", "holds no numbers"),
        ("a,b,c\n", "holds no numbers"),
        ("\n\n# only a comment\n", "holds no numbers"),
        ("x\n1_000\n", r"line 2, column 1: '1_000' is not a number"),
    ],
)
def test_malformed_text_is_refused_with_its_line(tmp_path: Path, text: str, message: str) -> None:
    # (a bad first row is read as a header, so its error shows on the next bad line)
    with pytest.raises(InputError, match=message):
        fileio.load_array(write(tmp_path, "bad.csv", text))


def test_non_utf8_text_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not UTF-8 text"):
        fileio.load_array(write(tmp_path, "bad.csv", b"1,2\n\xff\xfe,3\n"))


def test_json_nested_lists_keep_their_shape(tmp_path: Path) -> None:
    p = write(tmp_path, "a.json", "[[[1, 2.5], [NaN, -Infinity]]]")
    got = fileio.load_array(p)
    assert got.shape == (1, 2, 2)
    assert np.isnan(got[0, 1, 0]) and got[0, 1, 1] == -np.inf
    assert fileio.load_array(write(tmp_path, "s.json", "3.5")).shape == ()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[1, 2], [3]]", "ragged"),
        ('[1, "2"]', "not a number"),
        ("[1, true]", "not a number"),
        ("[1, null]", "not a number"),
        ("[1, 2", "not valid JSON"),
        ("[" * 100000 + "]" * 100000, "JSON"),
    ],
)
def test_bad_json_is_refused(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        fileio.load_array(write(tmp_path, "a.json", text))


def test_parse_bytes_tells_formats_apart_by_content() -> None:
    arr = np.arange(4, dtype=np.float32).reshape(2, 2)
    np.testing.assert_array_equal(fileio.parse_bytes(npy_bytes(arr)), arr)
    buf = io.BytesIO()
    np.savez(buf, a=arr)
    np.testing.assert_array_equal(fileio.parse_bytes(buf.getvalue()), arr)
    np.testing.assert_array_equal(fileio.parse_bytes(b"  [1, 2]"), [1.0, 2.0])
    np.testing.assert_array_equal(fileio.parse_bytes(b"h\n1\n2\n"), [1.0, 2.0])
    with pytest.raises(InputError, match="stdin holds no numbers"):
        fileio.parse_bytes(b"", name="stdin")


# --------------------------------------------------------------------------------------------
# Writing: formats, round trips, atomicity


def read_back(path: Path, dtype: np.dtype | None = None) -> np.ndarray:
    arr = fileio.load_array(path)
    return arr.astype(dtype) if dtype is not None else arr


finite_or_special = st.floats(allow_nan=True, allow_infinity=True)


@settings(max_examples=60, deadline=None)
@given(
    arr=hnp.arrays(
        np.float64, hnp.array_shapes(min_dims=1, max_dims=2, max_side=6), elements=finite_or_special
    ),
    fmt=st.sampled_from(["csv", "tsv", "txt", "json", "npy"]),
)
def test_float64_round_trips_bit_for_bit(tmp_path_factory, arr: np.ndarray, fmt: str) -> None:
    path = tmp_path_factory.mktemp("rt") / f"a.{fmt}"
    fileio.save_array(path, arr)
    got = read_back(path)
    # Text cannot tell a (n, 1) column from a 1-D array: those read back as 1-D.
    expected = arr[:, 0] if fmt != "json" and arr.ndim == 2 and arr.shape[1] == 1 else arr
    assert bits_equal(got, expected)


@settings(max_examples=60, deadline=None)
@given(
    arr=hnp.arrays(
        st.sampled_from([np.float32, np.float16]),
        hnp.array_shapes(min_dims=1, max_dims=2, max_side=5),
    ),
    fmt=st.sampled_from(["csv", "json"]),
)
def test_float32_and_float16_round_trip_through_text_with_their_dtype(
    tmp_path_factory, arr: np.ndarray, fmt: str
) -> None:
    path = tmp_path_factory.mktemp("rt") / f"a.{fmt}"
    fileio.save_array(path, arr)
    got = read_back(path, arr.dtype)
    expected = arr[:, 0] if fmt != "json" and arr.ndim == 2 and arr.shape[1] == 1 else arr
    assert bits_equal(got, expected)


def test_float32_text_uses_float32_shortest_digits(tmp_path: Path) -> None:
    p = tmp_path / "a.csv"
    fileio.save_array(p, np.array([0.1, -0.0, 1e-45, np.nan, -np.inf], dtype=np.float32))
    assert p.read_text() == "0.1\n-0.0\n1e-45\nnan\n-inf\n"


def test_text_layout_of_each_format(tmp_path: Path) -> None:
    arr = np.array([[1.0, -2.5], [np.nan, np.inf]])
    for fmt, expected in {
        "csv": "1.0,-2.5\nnan,inf\n",
        "tsv": "1.0\t-2.5\nnan\tinf\n",
        "txt": "1.0 -2.5\nnan inf\n",
        "json": "[[1.0, -2.5],\n [NaN, Infinity]]\n",
    }.items():
        p = tmp_path / f"a.{fmt}"
        fileio.save_array(p, arr)
        assert p.read_text() == expected
    assert json.loads((tmp_path / "a.json").read_text())[0] == [1.0, -2.5]


def test_json_keeps_any_shape_and_csv_refuses_more_than_2d(tmp_path: Path) -> None:
    arr = np.arange(24.0).reshape(2, 3, 4)
    fileio.save_array(tmp_path / "a.json", arr)
    np.testing.assert_array_equal(json.loads((tmp_path / "a.json").read_text()), arr)
    with pytest.raises(InputError, match=r"CSV holds 1-D or 2-D data.*\(2, 3, 4\)"):
        fileio.save_array(tmp_path / "a.csv", arr)
    assert not (tmp_path / "a.csv").exists()


def test_npz_output_holds_the_array_under_its_key(tmp_path: Path) -> None:
    fileio.save_array(tmp_path / "a.npz", np.ones(3, np.float32), key="y")
    with np.load(tmp_path / "a.npz") as z:
        assert list(z) == ["y"] and z["y"].dtype == np.float32


@pytest.mark.parametrize(
    "arr",
    [
        np.arange(3, dtype=np.float32),
        np.float64(2.5),
        np.zeros((0, 3)),
        np.asfortranarray(np.arange(6.0).reshape(2, 3)).astype(">f4"),
        np.array([True, False]),
    ],
)
def test_write_array_to_a_stream_in_npy(arr: np.ndarray) -> None:
    buf = io.BytesIO()
    fileio.write_array(buf, arr, "npy")
    got = np.load(io.BytesIO(buf.getvalue()))
    assert got.dtype == arr.dtype and got.shape == arr.shape
    np.testing.assert_array_equal(got, arr)


def test_atomic_write_leaves_the_old_file_and_no_temp_file_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old\n")
    with pytest.raises(RuntimeError), fileio.atomic_write(target) as f:
        f.write(b"partial")
        raise RuntimeError("boom")
    assert target.read_text() == "old\n"
    assert os.listdir(tmp_path) == ["out.csv"]


def test_atomic_write_replaces_completely_and_keeps_permissions(tmp_path: Path) -> None:
    target = tmp_path / "out.npy"
    target.write_bytes(b"old")
    os.chmod(target, 0o640)
    fileio.save_array(target, np.arange(3.0))
    assert np.load(target).tolist() == [0.0, 1.0, 2.0]
    assert target.stat().st_mode & 0o777 == 0o640
    assert os.listdir(tmp_path) == ["out.npy"]
    fresh = tmp_path / "new.npy"
    fileio.save_array(fresh, np.arange(3.0))
    umask = os.umask(0)
    os.umask(umask)
    assert fresh.stat().st_mode & 0o777 == 0o666 & ~umask


def test_writing_into_a_missing_folder_is_an_output_error(tmp_path: Path) -> None:
    with pytest.raises(fileio.OutputError, match="cannot write"):
        fileio.save_array(tmp_path / "no" / "such" / "out.npy", np.ones(2))


def test_format_of_knows_every_extension() -> None:
    assert {fileio.format_of(f"x{ext}") for ext in fileio.FORMATS} == set(fileio.FORMATS.values())
    assert fileio.format_of("X.CSV") == "csv"
    with pytest.raises(InputError, match="no extension"):
        fileio.format_of("data")
