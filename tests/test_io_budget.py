"""actcli.io.budget: every allocation that scales with user input is checked before it is made.

Real `actcli` processes under an address-space limit (RLIMIT_AS): the memory budget follows
the limit, so each case is refused with one `Error:` line (exit 1) where it used to allocate
until a MemoryError traceback or the OOM killer; and a regression fails the test, not the
machine. The sizes are chosen against the limit, never against this machine's memory.
"""

from __future__ import annotations

import subprocess
import zipfile
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

from actcli import cli as cli_module
from actcli.io import budget
from tests.io_cases import GiB, actcli, sparse_npy, stderr_lines

MiB = 1 << 20


def one_error(proc: object, code: int = 1) -> str:
    lines = stderr_lines(proc)  # type: ignore[arg-type]
    assert proc.returncode == code, lines  # type: ignore[attr-defined]
    assert len(lines) == 1 and lines[0].startswith("Error: "), lines
    return lines[0]


def test_budget_follows_the_address_space_limit(tmp_path: Path) -> None:
    proc = actcli(
        ["eval", "relu", "--range=0:1:50000000"], tmp_path, address_space=GiB // 2
    )  # 400 MB of float64 points, more than half a GiB leaves after start-up
    line = one_error(proc)
    assert "--range 0:1 needs 381.5 MB, more than the" in line
    assert line.endswith("of memory available; refused before reading it")


@pytest.mark.parametrize(
    ("size", "dtype", "need"),
    [("1e10", "float32", "447.0 GB"), ("2e9", "float64", "149.0 GB")],
)
def test_bench_sizes_beyond_memory_are_refused_before_timing(
    tmp_path: Path, size: str, dtype: str, need: str
) -> None:
    args = ["bench", "relu", "--size", size, "--dtype", dtype, "--repeats", "1", "-q"]
    line = one_error(actcli(args, tmp_path, address_space=2 * GiB))
    assert line.startswith(f"Error: bench --size {float(size):.0e} ({dtype}) needs {need}")
    assert line.endswith("refused before timing")


def test_a_plot_canvas_bigger_than_agg_allows_is_a_usage_error(tmp_path: Path) -> None:
    # Each option is in range, the canvas is 120000² pixels.
    args = ["plot", "relu", "--figsize", "100x100", "--dpi", "1200", "-o", "r.png"]
    line = one_error(actcli(args, tmp_path, address_space=2 * GiB), code=2)
    assert "is 120,000x120,000 pixels; at most 65,535 a side" in line
    assert not (tmp_path / "r.png").exists()


def test_a_plot_canvas_beyond_memory_is_refused_before_drawing(tmp_path: Path) -> None:
    args = ["plot", "relu", "--figsize", "50x50", "--dpi", "1200", "-o", "r.png", "--points", "20"]
    line = one_error(actcli(args, tmp_path, address_space=2 * GiB))
    assert line.startswith("Error: a 60,000x60,000 pixel figure needs 40.2 GB")
    assert line.endswith("refused before drawing it")
    assert list(tmp_path.iterdir()) == []


def bool_npz(path: Path, count: int) -> Path:
    """An .npz of ``count`` False values, deflated (a few hundred kB), written in pieces."""
    header = {"descr": "|b1", "fortran_order": False, "shape": (count,)}
    with (
        zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf,
        zf.open("a.npy", "w", force_zip64=True) as member,
    ):
        np.lib.format.write_array_header_1_0(member, header)  # type: ignore[arg-type]
        piece = bytes(64 * MiB)
        for start in range(0, count, len(piece)):
            member.write(piece[: min(len(piece), count - start)])
    return path


def test_bools_that_grow_to_float64_are_counted_as_float64(tmp_path: Path) -> None:
    # 300 MB of bools fit; as float64 (2.2 GB) they do not: refused before the conversion.
    bool_npz(tmp_path / "b.npz", 300_000_000)
    assert (tmp_path / "b.npz").stat().st_size < 1 * MiB
    line = one_error(
        actcli(["eval", "relu", "b.npz", "-o", "y.npy"], tmp_path, address_space=GiB * 3 // 2)
    )
    assert line.startswith("Error: the input becomes float64 of 2.2 GB, more than the")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["b.npz"]


def test_a_dtype_cast_is_checked_before_it_is_made(tmp_path: Path) -> None:
    # 400 MB of float16 read (fits), 1.6 GB as float64 (does not).
    sparse_npy(tmp_path / "h.npy", (200_000_000,), "float16")
    args = ["eval", "relu", "h.npy", "--dtype", "float64", "-o", "y.npy"]
    line = one_error(actcli(args, tmp_path, address_space=GiB * 3 // 2))
    assert line.startswith("Error: the input as float64 needs 1.5 GB, more than the")


def test_an_axis_function_over_a_whole_streamed_input_is_checked(tmp_path: Path) -> None:
    # A 1-D input to softmax is one row: evaluated whole, input, output and temporaries at once.
    sparse_npy(tmp_path / "x.npy", (100_000_000,))
    line = one_error(
        actcli(["eval", "softmax", "x.npy", "-o", "y.npy"], tmp_path, address_space=2 * GiB)
    )
    assert "'x.npy' (evaluated whole: one row of an axis function) needs about 3.0 GB" in line
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.npy"]


def test_a_big_npy_to_stdout_is_streamed_in_blocks(tmp_path: Path) -> None:
    # 400 MB of float32 to stdout under a 600 MB address space: only blocks fit in memory.
    n = 100_000_000
    sparse_npy(tmp_path / "x.npy", (n,))
    with open(tmp_path / "out.npy", "wb") as out:
        proc = actcli(
            ["eval", "relu", "x.npy", "--format", "npy"],
            tmp_path,
            address_space=600 * MiB,
            stdout=out,
            stderr=subprocess.PIPE,
        )
    assert proc.returncode == 0, proc.stderr
    y = np.load(tmp_path / "out.npy", mmap_mode="r")
    assert y.shape == (n,) and y.dtype == np.float32 and not y[-1000:].any()


def test_a_memory_error_is_one_error_line(monkeypatch: pytest.MonkeyPatch) -> None:
    # Whatever the checks miss: the error boundary turns MemoryError into one line, exit 1.
    def exhausted(*args: object, **kwargs: object) -> None:
        raise MemoryError

    monkeypatch.setattr(cli_module, "apply_blocks", exhausted)
    result = CliRunner().invoke(cli_module.cli, ["eval", "relu", "--values=1,2"])
    assert result.exit_code == 1
    assert result.stderr.splitlines() == [
        "Error: out of memory (give a smaller input, or write a .npy with -o to stream it)"
    ]


def test_check_budget_names_what_was_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(budget, "memory_budget", lambda: 64 * MiB)
    budget.check_budget(64 * MiB, "x", "needs")  # exactly the budget is fine
    with pytest.raises(Exception, match=r"^x needs 64\.0 MB, more than the 64\.0 MB of memory"):
        budget.check_budget(64 * MiB + 1, "x", "needs", "drawing it")
