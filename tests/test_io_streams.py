"""actcli.io.streams and the error boundary: closed standard streams, broken pipes, and what an
interrupted run says about its stdout. Real `actcli` processes, as cron jobs and shells run it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import numpy as np

from tests.io_cases import actcli, sparse_npy


def run_with_stderr_to(
    args: list[str], cwd: Path, close: tuple[int, ...]
) -> tuple[int, bytes, bytes]:
    """Run with the descriptors in ``close`` closed; stdout and stderr (when open) to files."""
    out, err = cwd / "stdout.txt", cwd / "stderr.txt"
    with open(out, "wb") as o, open(err, "wb") as e:

        def setup() -> None:
            os.dup2(o.fileno(), 1)
            os.dup2(e.fileno(), 2)
            for fd in close:
                os.close(fd)

        proc = subprocess.run(
            [sys.executable, "-m", "actcli", *args], cwd=cwd, preexec_fn=setup, timeout=120
        )
    code = proc.returncode
    data = out.read_bytes(), err.read_bytes()
    out.unlink()
    err.unlink()
    return code, *data


def test_closed_stdout_does_not_matter_when_the_result_goes_to_a_file(tmp_path: Path) -> None:
    code, _, err = run_with_stderr_to(
        ["eval", "relu", "--values=-1,2", "-o", "out.csv"], tmp_path, close=(1,)
    )
    assert code == 0, err
    assert (tmp_path / "out.csv").read_text() == "0.0\n2.0\n"


def test_closed_stdin_does_not_matter_when_it_is_not_read(tmp_path: Path) -> None:
    code, _, err = run_with_stderr_to(
        ["eval", "relu", "--values=-1,2", "-o", "out.csv"], tmp_path, close=(0,)
    )
    assert code == 0, err
    assert (tmp_path / "out.csv").read_text() == "0.0\n2.0\n"


def test_closed_stderr_keeps_the_exit_code(tmp_path: Path) -> None:
    ok = actcli(["eval", "relu", "--values=-1,2", "-o", "out.csv"], tmp_path, close=(2,))
    assert ok.returncode == 0
    assert (tmp_path / "out.csv").read_text() == "0.0\n2.0\n"
    bad = actcli(["eval", "nosuch", "--values=1", "-o", "x.csv"], tmp_path, close=(2,))
    assert bad.returncode == 2


def test_every_stream_closed(tmp_path: Path) -> None:
    proc = actcli(["eval", "relu", "--values=-1,2", "-o", "out.csv"], tmp_path, close=(0, 1, 2))
    assert proc.returncode == 0
    assert (tmp_path / "out.csv").read_text() == "0.0\n2.0\n"


def test_a_result_for_a_closed_stdout_is_one_error(tmp_path: Path) -> None:
    for args in (["eval", "relu", "--values=1"], ["list"]):
        code, _, err = run_with_stderr_to(args, tmp_path, close=(1,))
        assert code == 1
        assert err == b"Error: standard output is closed\n"


def test_a_broken_pipe_exits_141_quietly(tmp_path: Path) -> None:
    sparse_npy(tmp_path / "x.npy", (2_000_000,))
    for fmt in ("csv", "npy", "json"):
        proc = subprocess.run(
            f"{sys.executable} -m actcli eval relu x.npy --format {fmt} | head -c 10 > /dev/null;"
            ' echo "${PIPESTATUS[0]}"',
            shell=True,
            executable="/bin/bash",
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert (proc.stdout, proc.stderr) == ("141\n", ""), fmt


def test_an_interrupted_run_says_its_stdout_is_incomplete(tmp_path: Path) -> None:
    np.save(tmp_path / "x.npy", np.linspace(-1, 1, 20_000_000, dtype=np.float32))
    proc = subprocess.Popen(
        [sys.executable, "-m", "actcli", "eval", "relu", "x.npy", "--format", "csv"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert proc.stdout is not None and proc.stdout.read(1 << 16)  # CSV is flowing
    proc.send_signal(signal.SIGINT)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 130
    assert err.decode().splitlines() == [
        "Error: interrupted by SIGINT; the output on stdout is incomplete"
    ]
