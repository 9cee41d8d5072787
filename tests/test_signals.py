"""Ctrl-C and SIGTERM in the middle of a long run: one line, exit 130 / 143, nothing partial left.

Real subprocesses and real signals. Each test waits until the run is demonstrably in the middle
of writing (its temporary output file exists, or its first plot is out) before signalling.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

SIGNALS = [(signal.SIGINT, 130, "SIGINT"), (signal.SIGTERM, 143, "SIGTERM")]


def _default_signals() -> None:
    # A shell without job control starts background jobs with SIGINT ignored, and a child
    # inherits that (Python then installs no KeyboardInterrupt handler): give the run the
    # default handlers a terminal's Ctrl-C meets, whatever started this test session.
    signal.signal(signal.SIGINT, signal.SIG_DFL)
    signal.signal(signal.SIGTERM, signal.SIG_DFL)


def start(args: list[str], cwd: Path) -> subprocess.Popen[str]:
    env = {**os.environ, "COLUMNS": "100"}
    return subprocess.Popen(
        [sys.executable, "-m", "actcli", *args],
        cwd=cwd,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
        text=True,
        env=env,
        preexec_fn=_default_signals,
    )


def _stop(proc: subprocess.Popen[str]) -> str:
    """Kill the run and collect it (no process or pipe is left behind); its stderr."""
    proc.kill()
    return proc.communicate()[1]


def wait_for(cond: object, proc: subprocess.Popen[str], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not cond():  # type: ignore[operator]
        if proc.poll() is not None:
            _, err = proc.communicate()
            pytest.fail(
                f"the run ended (exit {proc.returncode}) before it could be signalled: {err}"
            )
        if time.monotonic() > deadline:
            _stop(proc)
            pytest.fail("the run never got going")
        time.sleep(0.005)


def finish(proc: subprocess.Popen[str], sig: int) -> tuple[int, str]:
    proc.send_signal(sig)
    try:
        _, err = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail(f"the run did not stop within 60 s of the signal: {_stop(proc)}")
    return proc.returncode, err


def temporaries(folder: Path) -> list[Path]:
    return [p for p in folder.rglob("*") if p.name.startswith(".") and p.name.endswith(".tmp")]


@pytest.mark.parametrize(("sig", "code", "label"), SIGNALS)
@pytest.mark.parametrize("command", ["eval", "grad"])
def test_interrupted_eval_leaves_the_old_output_untouched(
    tmp_path: Path, sig: int, code: int, label: str, command: str
) -> None:
    # A sparse 800 MB float32 input (no disk used): long enough to interrupt mid-write.
    big = np.lib.format.open_memmap(
        tmp_path / "big.npy", mode="w+", dtype=np.float32, shape=(2 * 10**8,)
    )
    del big
    out = tmp_path / "out.npy"
    out.write_bytes(b"the previous result")
    proc = start([command, "gelu", "big.npy", "-o", "out.npy"], tmp_path)
    wait_for(lambda: temporaries(tmp_path), proc)
    rc, err = finish(proc, sig)
    assert rc == code
    lines = err.strip().splitlines()
    assert lines == [f"Error: interrupted by {label}; no partial output was left"]
    assert out.read_bytes() == b"the previous result"
    assert temporaries(tmp_path) == []


@pytest.mark.parametrize(("sig", "code", "label"), SIGNALS)
def test_interrupted_plot_all_leaves_only_complete_files(
    tmp_path: Path, sig: int, code: int, label: str
) -> None:
    out = tmp_path / "gallery"
    proc = start(["plot", "--all", "-o", str(out), "--points", "200", "--dpi", "40"], tmp_path)
    wait_for(lambda: out.exists() and any(out.glob("*.png")), proc)
    rc, err = finish(proc, sig)
    assert rc == code
    assert (
        err.strip().splitlines()[-1] == f"Error: interrupted by {label}; no partial output was left"
    )
    assert temporaries(tmp_path) == []
    assert not (out / "gallery.png").exists()
    for png in out.glob("*.png"):  # every file that is there is whole
        data = png.read_bytes()
        assert data.startswith(b"\x89PNG") and data.endswith(b"IEND\xaeB`\x82")


@pytest.mark.parametrize(("sig", "code", "label"), SIGNALS)
def test_interrupted_bench_writes_no_results(
    tmp_path: Path, sig: int, code: int, label: str
) -> None:
    proc = start(
        ["bench", "--all", "--size", "1e4", "--min-time", "0.05", "-o", "r.json"], tmp_path
    )
    time.sleep(1.5)  # importing and timing the first activations
    rc, err = finish(proc, sig)
    assert rc == code, err
    assert f"interrupted by {label}" in err
    assert not (tmp_path / "r.json").exists()
    assert temporaries(tmp_path) == []
