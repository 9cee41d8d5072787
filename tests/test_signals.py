"""Terminating signals in the middle of a long run: one line, exit 128 + N, nothing partial left.

Real subprocesses and real signals. Each test waits until the run is demonstrably in the middle
of writing (it holds its temporary output file open, or its first plot is out) before signalling.
Every catchable terminating signal is handled like Ctrl-C; SIGKILL cannot be, and the unnamed
temporary file (``O_TMPFILE``) is what keeps it from leaving anything behind.
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
#: The other signals whose default action ends a process: a dropped SSH session (SIGHUP),
#: Ctrl-\\ (SIGQUIT), job schedulers (SIGUSR1/2, SIGXCPU), timers (SIGALRM), a real-time one.
OTHER_SIGNALS = [
    (signal.SIGHUP, "SIGHUP"),
    (signal.SIGQUIT, "SIGQUIT"),
    (signal.SIGUSR1, "SIGUSR1"),
    (signal.SIGUSR2, "SIGUSR2"),
    (signal.SIGALRM, "SIGALRM"),
    (signal.SIGXCPU, "SIGXCPU"),
    (signal.SIGRTMIN + 2, "SIGRTMIN+2"),
]


def _default_signals() -> None:
    # A shell without job control starts background jobs with SIGINT ignored, and a child
    # inherits that (Python then installs no KeyboardInterrupt handler): give the run the
    # default handlers a terminal's Ctrl-C meets, whatever started this test session.
    for sig in (signal.SIGINT, signal.SIGTERM, *(s for s, _ in OTHER_SIGNALS)):
        signal.signal(sig, signal.SIG_DFL)


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


def writing(proc: subprocess.Popen[str], folder: Path) -> bool:
    """Whether the run holds a temporary file in ``folder`` open: an unnamed one (O_TMPFILE,
    shown by /proc as '#inode (deleted)') or a named one."""
    fds = Path(f"/proc/{proc.pid}/fd")
    for fd in fds.iterdir() if fds.is_dir() else ():
        try:
            target = os.readlink(fd)
        except OSError:
            continue
        name = Path(target.removesuffix(" (deleted)")).name
        if target.startswith(str(folder)) and (target.endswith("(deleted)") or name[0] == "."):
            return True
    return bool(temporaries(folder))


def big_input(folder: Path) -> None:
    """A sparse 800 MB float32 input (no disk used): long enough to interrupt mid-write."""
    big = np.lib.format.open_memmap(
        folder / "big.npy", mode="w+", dtype=np.float32, shape=(2 * 10**8,)
    )
    del big


@pytest.mark.parametrize(("sig", "code", "label"), SIGNALS)
@pytest.mark.parametrize("command", ["eval", "grad"])
def test_interrupted_eval_leaves_the_old_output_untouched(
    tmp_path: Path, sig: int, code: int, label: str, command: str
) -> None:
    big_input(tmp_path)
    out = tmp_path / "out.npy"
    out.write_bytes(b"the previous result")
    proc = start([command, "gelu", "big.npy", "-o", "out.npy"], tmp_path)
    wait_for(lambda: writing(proc, tmp_path), proc)
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
    remain = f"the files finished before it remain in {out} (each whole)"
    assert err.strip().splitlines()[-1] == f"Error: interrupted by {label}; {remain}"
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


@pytest.mark.parametrize(("sig", "label"), OTHER_SIGNALS)
def test_every_terminating_signal_cleans_up_like_ctrl_c(
    tmp_path: Path, sig: int, label: str
) -> None:
    big_input(tmp_path)
    out = tmp_path / "out.npy"
    out.write_bytes(b"the previous result")
    proc = start(["eval", "gelu", "big.npy", "-o", "out.npy"], tmp_path)
    wait_for(lambda: writing(proc, tmp_path), proc)
    rc, err = finish(proc, sig)
    assert rc == 128 + sig, err
    assert err.strip().splitlines() == [
        f"Error: interrupted by {label}; no partial output was left"
    ]
    assert out.read_bytes() == b"the previous result"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.npy", "out.npy"]


def test_an_ignored_sighup_stays_ignored(tmp_path: Path) -> None:
    # nohup: SIGHUP is ignored before the run starts, and the run must not take it over.
    def nohup() -> None:
        _default_signals()
        signal.signal(signal.SIGHUP, signal.SIG_IGN)

    big = np.lib.format.open_memmap(
        tmp_path / "x.npy", mode="w+", dtype=np.float32, shape=(5 * 10**7,)
    )
    del big
    proc = subprocess.Popen(
        [sys.executable, "-m", "actcli", "eval", "gelu", "x.npy", "-o", "y.npy"],
        cwd=tmp_path,
        stderr=subprocess.PIPE,
        text=True,
        preexec_fn=nohup,
    )
    wait_for(lambda: writing(proc, tmp_path), proc)  # type: ignore[arg-type]
    proc.send_signal(signal.SIGHUP)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    assert np.load(tmp_path / "y.npy", mmap_mode="r").shape == (5 * 10**7,)


def test_sigkill_leaves_no_temporary_file(tmp_path: Path) -> None:
    # SIGKILL cannot be caught: only an unnamed temporary file (O_TMPFILE) cannot outlive it.
    flags = getattr(os, "O_TMPFILE", 0)
    try:
        os.close(os.open(tmp_path, flags | os.O_RDWR, 0o600))
    except (OSError, ValueError):
        pytest.skip("this file system has no O_TMPFILE")
    big_input(tmp_path)
    out = tmp_path / "out.npy"
    out.write_bytes(b"the previous result")
    proc = start(["eval", "gelu", "big.npy", "-o", "out.npy"], tmp_path)
    wait_for(lambda: writing(proc, tmp_path), proc)
    proc.kill()
    proc.communicate(timeout=60)
    assert proc.returncode == -signal.SIGKILL
    assert out.read_bytes() == b"the previous result"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["big.npy", "out.npy"]
