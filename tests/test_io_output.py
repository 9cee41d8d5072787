"""actcli.io.output: writers, round trips and atomic replacement, tested directly (no Click)."""

from __future__ import annotations

import io
import json
import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from actcli import io as aio
from actcli.errors import InputError, OutputError
from tests.io_cases import bits_equal


def read_back(path: Path, dtype: np.dtype | None = None) -> np.ndarray:
    arr = aio.load_array(path)
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
    aio.save_array(path, arr)
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
    aio.save_array(path, arr)
    got = read_back(path, arr.dtype)
    expected = arr[:, 0] if fmt != "json" and arr.ndim == 2 and arr.shape[1] == 1 else arr
    assert bits_equal(got, expected)


def test_float32_text_uses_float32_shortest_digits(tmp_path: Path) -> None:
    p = tmp_path / "a.csv"
    aio.save_array(p, np.array([0.1, -0.0, 1e-45, np.nan, -np.inf], dtype=np.float32))
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
        aio.save_array(p, arr)
        assert p.read_text() == expected
    assert json.loads((tmp_path / "a.json").read_text())[0] == [1.0, -2.5]


def test_json_keeps_any_shape_and_csv_refuses_more_than_2d(tmp_path: Path) -> None:
    arr = np.arange(24.0).reshape(2, 3, 4)
    aio.save_array(tmp_path / "a.json", arr)
    np.testing.assert_array_equal(json.loads((tmp_path / "a.json").read_text()), arr)
    with pytest.raises(InputError, match=r"CSV holds 1-D or 2-D data.*\(2, 3, 4\)"):
        aio.save_array(tmp_path / "a.csv", arr)
    assert not (tmp_path / "a.csv").exists()


def test_npz_output_holds_the_array_under_its_key(tmp_path: Path) -> None:
    aio.save_array(tmp_path / "a.npz", np.ones(3, np.float32), key="y")
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
    aio.write_array(buf, arr, "npy")
    got = np.load(io.BytesIO(buf.getvalue()))
    assert got.dtype == arr.dtype and got.shape == arr.shape
    np.testing.assert_array_equal(got, arr)


def test_atomic_write_leaves_the_old_file_and_no_temp_file_on_failure(tmp_path: Path) -> None:
    target = tmp_path / "out.csv"
    target.write_text("old\n")
    with pytest.raises(RuntimeError), aio.atomic_write(target) as f:
        f.write(b"partial")
        raise RuntimeError("boom")
    assert target.read_text() == "old\n"
    assert os.listdir(tmp_path) == ["out.csv"]


def test_atomic_write_replaces_completely_and_keeps_permissions(tmp_path: Path) -> None:
    target = tmp_path / "out.npy"
    target.write_bytes(b"old")
    os.chmod(target, 0o640)
    aio.save_array(target, np.arange(3.0))
    assert np.load(target).tolist() == [0.0, 1.0, 2.0]
    assert target.stat().st_mode & 0o777 == 0o640
    assert os.listdir(tmp_path) == ["out.npy"]
    fresh = tmp_path / "new.npy"
    aio.save_array(fresh, np.arange(3.0))
    umask = os.umask(0)
    os.umask(umask)
    assert fresh.stat().st_mode & 0o777 == 0o666 & ~umask


def test_writing_into_a_missing_folder_is_an_output_error(tmp_path: Path) -> None:
    with pytest.raises(OutputError, match="cannot write"):
        aio.save_array(tmp_path / "no" / "such" / "out.npy", np.ones(2))
