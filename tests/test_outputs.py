"""Outputs are never lost: a full disk (simulated with RLIMIT_FSIZE) or an unusable folder gives
one error line, exit 1, no partial or temporary file, and an existing output left untouched."""

from __future__ import annotations

import os
import resource
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import actcli


def run_with_file_size_limit(
    args: list[str], cwd: Path, limit: int
) -> subprocess.CompletedProcess[str]:
    def limit_writes() -> None:
        # Writing past the limit fails with EFBIG, as it would with ENOSPC on a full disk
        # (SIGXFSZ, which would kill the process instead, is ignored).
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    return subprocess.run(
        [sys.executable, "-m", "actcli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        preexec_fn=limit_writes,
        timeout=120,
    )


@pytest.mark.parametrize("suffix", ["npy", "csv", "npz", "json"])
def test_a_full_disk_leaves_nothing_behind(tmp_path: Path, suffix: str) -> None:
    np.save(tmp_path / "x.npy", np.linspace(-3, 3, 200_000))
    out = tmp_path / f"out.{suffix}"
    out.write_bytes(b"old")
    proc = run_with_file_size_limit(["eval", "tanh", "x.npy", "-o", out.name], tmp_path, 100_000)
    assert proc.returncode == 1, proc.stderr
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: cannot write"), proc.stderr
    assert "Traceback" not in proc.stderr
    assert out.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["x.npy", out.name])


def test_a_folder_that_is_a_file(tmp_path: Path) -> None:
    (tmp_path / "notadir").write_text("")
    proc = subprocess.run(
        [sys.executable, "-m", "actcli", "eval", "relu", "--values=1,2", "-o", "notadir/y.npy"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert proc.returncode == 1
    assert proc.stderr.startswith("Error: cannot write") and proc.stderr.count("\n") == 1


def test_writing_over_the_input_is_safe(tmp_path: Path) -> None:
    x = np.linspace(-3, 3, 3000, dtype=np.float32).reshape(3, 1000, 1)
    np.save(tmp_path / "x.npy", x)
    for args in (
        ["eval", "softsign", "x.npy", "-o", "x.npy"],
        ["grad", "tanh", "x.npy", "-o", "x.npy"],
    ):
        proc = subprocess.run(
            [sys.executable, "-m", "actcli", *args], cwd=tmp_path, capture_output=True, text=True
        )
        assert proc.returncode == 0, proc.stderr
    want = actcli.gradient("tanh", actcli.evaluate("softsign", x))
    np.testing.assert_array_equal(np.load(tmp_path / "x.npy"), want)
    assert os.listdir(tmp_path) == ["x.npy"]
