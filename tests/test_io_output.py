"""actcli.io.output: writers, round trips, atomic replacement, and what -o does with each kind
of path (directly, and through real `actcli` processes where devices and FIFOs are involved)."""

from __future__ import annotations

import io
import json
import os
import stat
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from actcli import io as aio
from actcli.errors import InputError, OutputError
from tests.io_cases import FifoReader, actcli, bits_equal, mknod_or_skip, stderr_lines


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
    # Text cannot tell a (n, 1) column from a 1-D array: those read back as 1-D (NPY and JSON
    # keep the shape).
    column = arr.ndim == 2 and arr.shape[1] == 1
    expected = arr[:, 0] if fmt not in ("json", "npy") and column else arr
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
        "json": '[[1.0, -2.5],\n ["nan", "inf"]]\n',
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


# --------------------------------------------------------------------------------------------
# What -o does with each kind of path (issue 16): files are replaced atomically, symlinks keep
# pointing where they did, devices, FIFOs and stdout are written in place, never replaced.


def test_output_target_by_kind_of_path(tmp_path: Path) -> None:
    (tmp_path / "real.csv").write_text("old")
    os.symlink("real.csv", tmp_path / "link.csv")
    os.symlink("nowhere.csv", tmp_path / "dangling.csv")
    os.mkfifo(tmp_path / "fifo")
    assert aio.output_target(tmp_path / "new.csv") == aio.Target(path=str(tmp_path / "new.csv"))
    assert aio.output_target(tmp_path / "real.csv").path == str(tmp_path / "real.csv")
    assert aio.output_target(tmp_path / "link.csv").path == str(tmp_path / "real.csv")
    assert aio.output_target(tmp_path / "dangling.csv").path == str(tmp_path / "nowhere.csv")
    for stdout in ("-", "/dev/stdout", "/dev/fd/1", "/proc/self/fd/1"):
        assert aio.output_target(stdout) == aio.Target(fd=1)
    assert aio.output_target("/dev/null") == aio.Target(path="/dev/null", through=True)
    assert aio.output_target(tmp_path / "fifo").through
    with pytest.raises(OutputError, match="it is a folder"):
        aio.output_target(tmp_path)
    with pytest.raises(OutputError, match=r"'/dev/fd/97': it is closed"):
        aio.output_target("/dev/fd/97")


def test_a_block_device_is_refused(tmp_path: Path) -> None:
    try:
        os.mknod(tmp_path / "disk", 0o600 | stat.S_IFBLK, os.makedev(7, 0))
    except OSError as e:
        pytest.skip(f"cannot create a device node here: {e}")
    with pytest.raises(OutputError, match="it is a block device"):
        aio.save_array(tmp_path / "disk", np.ones(2), fmt="csv")
    assert stat.S_ISBLK(os.lstat(tmp_path / "disk").st_mode)


def test_a_symlinked_output_replaces_its_target_and_keeps_the_link(tmp_path: Path) -> None:
    (tmp_path / "real.csv").write_text("old\n")
    os.symlink("real.csv", tmp_path / "link.csv")
    aio.save_array(tmp_path / "link.csv", np.array([1.0, 2.0]))
    assert os.readlink(tmp_path / "link.csv") == "real.csv"
    assert (tmp_path / "real.csv").read_text() == "1.0\n2.0\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["link.csv", "real.csv"]


@pytest.mark.parametrize("length", [240, 242, 250, 255])
def test_output_names_up_to_the_file_system_limit_work(tmp_path: Path, length: int) -> None:
    # The temporary name is short and fixed, not the output's name plus 14 bytes.
    target = tmp_path / ("y" * (length - 4) + ".npy")
    aio.save_array(target, np.arange(3.0))
    np.testing.assert_array_equal(np.load(target), np.arange(3.0))
    with aio.npy_output(target, (2,), np.float32) as out:
        out[0:2] = [1.0, 2.0]
    np.testing.assert_array_equal(np.load(target), np.array([1.0, 2.0], np.float32))


def test_named_temporary_files_where_o_tmpfile_is_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delattr(os, "O_TMPFILE", raising=False)
    target = tmp_path / "out.csv"
    with aio.atomic_write(target) as f:
        f.write(b"1\n")
        names = [p.name for p in tmp_path.iterdir()]
        assert len(names) == 1 and names[0].startswith(".actcli-") and names[0].endswith(".tmp")
    assert target.read_bytes() == b"1\n"
    with pytest.raises(RuntimeError), aio.atomic_write(target) as f:
        f.write(b"partial")
        raise RuntimeError
    assert [p.name for p in tmp_path.iterdir()] == ["out.csv"]


def test_an_unnamed_temporary_file_has_no_name_until_it_is_complete(tmp_path: Path) -> None:
    if not hasattr(os, "O_TMPFILE"):
        pytest.skip("no O_TMPFILE on this system")
    with aio.atomic_write(tmp_path / "out.npy") as f:
        f.write(b"data")
        assert list(tmp_path.iterdir()) == []  # nothing a SIGKILL could leave behind
    assert (tmp_path / "out.npy").read_bytes() == b"data"


def test_text_output_writes_rows_as_they_come(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "fifo")
    reader = FifoReader(tmp_path / "fifo")
    with aio.text_output(tmp_path / "fifo", (4, 2), np.float64, "csv") as out:
        out[0:2] = [[1.0, 2.0], [3.0, 4.0]]
        out[2:4] = [[5.0, 6.0], [7.0, 8.0]]
    assert reader.wait() == b"1.0,2.0\n3.0,4.0\n5.0,6.0\n7.0,8.0\n"
    with (
        pytest.raises(InputError, match="1-D or 2-D"),
        aio.text_output(tmp_path / "x.csv", (2, 2, 2), np.float64, "csv"),
    ):
        pass


def test_rows_out_of_order_are_collected_then_written(tmp_path: Path) -> None:
    buf = io.BytesIO()
    rows = aio.RowsStream((2, 3), np.float64, "b", lambda block: buf.write(block.tobytes()))
    rows[:, 0:2] = [[1, 2], [4, 5]]  # blocks along axis 1: kept until finish()
    rows[:, 2:3] = [[3], [6]]
    assert buf.getvalue() == b""
    rows.finish()
    np.testing.assert_array_equal(np.frombuffer(buf.getvalue()), [1, 2, 3, 4, 5, 6])


# --- real processes -------------------------------------------------------------------------


def test_o_dev_full_reports_the_full_device_and_leaves_it_a_device(tmp_path: Path) -> None:
    full = mknod_or_skip(tmp_path / "full", 1, 7)
    proc = actcli(["eval", "relu", "--values=1,2", "-o", "full", "--format", "csv"], tmp_path)
    assert proc.returncode == 1
    assert stderr_lines(proc) == ["Error: cannot write 'full': No space left on device"]
    assert stat.S_ISCHR(os.lstat(full).st_mode)


@pytest.mark.parametrize(
    "args",
    [
        ["eval", "relu", "--values=1,2", "-o", "null", "--format", "csv"],
        ["eval", "relu", "--values=1,2", "-o", "null"],
        ["grad", "relu", "x.npy", "-o", "null", "--format", "npy"],
        ["plot", "relu", "-o", "null", "--format", "png", "--points", "20", "--dpi", "20"],
        ["bench", "relu", "--size", "1e3", "--min-time", "0", "--repeats", "1", "-q", "-o", "null"],
    ],
)
def test_o_dev_null_is_written_not_replaced(tmp_path: Path, args: list[str]) -> None:
    null = mknod_or_skip(tmp_path / "null", 1, 3)
    np.save(tmp_path / "x.npy", np.linspace(-1, 1, 50))
    proc = actcli(args, tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert stat.S_ISCHR(os.lstat(null).st_mode)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["null", "x.npy"]


@pytest.mark.parametrize("output", ["/dev/stdout", "-"])
def test_o_stdout_writes_to_stdout(tmp_path: Path, output: str) -> None:
    proc = actcli(["eval", "relu", "--values=-1,2", "-o", output, "--format", "csv"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == b"0.0\n2.0\n"
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(("fmt", "n"), [("csv", 5), ("npy", 5), ("npy", 3_000_000)])
def test_a_fifo_output_feeds_its_reader(tmp_path: Path, fmt: str, n: int) -> None:
    np.save(tmp_path / "x.npy", np.linspace(-1, 1, n, dtype=np.float32))
    os.mkfifo(tmp_path / "fifo")
    reader = FifoReader(tmp_path / "fifo")
    proc = actcli(["eval", "relu", "x.npy", "-o", "fifo", "--format", fmt], tmp_path)
    got = [reader.wait()]
    assert proc.returncode == 0, proc.stderr
    assert stat.S_ISFIFO(os.lstat(tmp_path / "fifo").st_mode)
    assert got[0] is not None, "the FIFO's reader got nothing"
    want = np.maximum(np.linspace(-1, 1, n, dtype=np.float32), 0)
    if fmt == "npy":
        np.testing.assert_array_equal(np.load(io.BytesIO(got[0])), want)
    else:
        assert got[0].decode().split() == [str(v) for v in want]


def test_plot_to_dev_null_adds_no_extension(tmp_path: Path) -> None:
    mknod_or_skip(tmp_path / "null", 1, 3)
    proc = actcli(["plot", "relu", "-o", "null", "--format", "png", "--points", "20"], tmp_path)
    assert proc.returncode == 0, proc.stderr
    assert not (tmp_path / "null.png").exists()
