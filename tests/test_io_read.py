"""actcli.io.read and actcli.io.formats: files by extension, streams by content; FIFOs and
devices read once and within bounds (real `actcli` processes where a FIFO needs a writer)."""

from __future__ import annotations

import contextlib
import io
import os
import threading
import zipfile
from pathlib import Path

import numpy as np
import pytest

from actcli import io as aio
from actcli.errors import InputError
from tests.io_cases import GiB, actcli, npy_bytes, stderr_lines, write


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


# --------------------------------------------------------------------------------------------
# Inputs that are not regular files (issue 16): read once, within a memory share, and refused
# from their first bytes when they cannot be what their extension says.


def test_a_fifo_named_npy_is_read_once(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "x.npy")
    data = npy_bytes(np.arange(5.0))

    def feed() -> None:
        with open(tmp_path / "x.npy", "wb") as f:
            f.write(data)

    writer = threading.Thread(target=feed, daemon=True)
    writer.start()
    proc = actcli(["eval", "relu", "x.npy", "--format", "csv"], tmp_path, timeout=60)
    writer.join(5)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == b"0.0\n1.0\n2.0\n3.0\n4.0\n"


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("z.csv", "Error: z.csv is binary data (NUL bytes), not CSV text"),
        ("z.json", "Error: z.json is binary data (NUL bytes), not JSON text"),
        ("z.npz", "Error: z.npz is not a valid .npz archive (no ZIP magic number)"),
        ("z.npy", "Error: z.npy is not an NPY file (no NPY magic number)"),
    ],
)
def test_a_symlink_to_dev_zero_is_refused_at_once(tmp_path: Path, name: str, message: str) -> None:
    os.symlink("/dev/zero", tmp_path / name)
    proc = actcli(["eval", "relu", name], tmp_path, address_space=2 * GiB, timeout=60)
    assert proc.returncode == 1
    assert stderr_lines(proc) == [message]


def test_endless_text_from_a_fifo_is_refused_within_its_memory_share(tmp_path: Path) -> None:
    os.mkfifo(tmp_path / "x.csv")

    def feed() -> None:
        with contextlib.suppress(OSError), open(tmp_path / "x.csv", "wb") as f:
            line = b"1\n" * (1 << 19)
            while True:
                f.write(line)

    threading.Thread(target=feed, daemon=True).start()
    proc = actcli(["eval", "relu", "x.csv"], tmp_path, address_space=GiB, timeout=120)
    assert proc.returncode == 1
    [line] = stderr_lines(proc)
    assert line.startswith("Error: x.csv holds more than ") and "1/8 the memory available" in line


def test_npz_member_names_are_escaped_and_long_lists_cut(tmp_path: Path) -> None:
    member = npy_bytes(np.ones(2))
    with zipfile.ZipFile(tmp_path / "evil.npz", "w") as zf:
        zf.writestr("a\nError: forged\x1b]0;title\x07.npy", member)
        zf.writestr("b.npy", member)
    with pytest.raises(InputError) as e:
        aio.load_array(tmp_path / "evil.npz")
    assert str(e.value) == (
        f"{tmp_path / 'evil.npz'} holds several arrays; choose one with --key: "
        "a\\nError: forged\\x1b]0;title\\x07, b"
    )
    with zipfile.ZipFile(tmp_path / "many.npz", "w") as zf:
        for i in range(3000):
            zf.writestr(f"k{i}.npy", member)
    proc = actcli(["eval", "relu", "many.npz"], tmp_path)
    assert stderr_lines(proc) == [
        "Error: many.npz holds several arrays; choose one with --key: "
        "k0, k1, k2, k3, k4, k5, k6, k7, k8, k9, and 2,990 more"
    ]
    proc = actcli(["eval", "relu", "evil.npz", "--key", "x\x1b[31m"], tmp_path)
    [line] = stderr_lines(proc)
    assert "\x1b" not in line and line.endswith(
        "its keys are: a\\nError: forged\\x1b]0;title\\x07, b"
    )


def test_stdin_from_dev_zero_is_refused_at_once(tmp_path: Path) -> None:
    with open("/dev/zero", "rb") as zero:
        proc = actcli(["eval", "relu", "-"], tmp_path, stdin=zero, address_space=2 * GiB)
    assert proc.returncode == 1
    assert stderr_lines(proc) == [
        "Error: stdin is binary data (NUL bytes), neither NPY, NPZ nor text"
    ]
