"""The engine as a library: no process-wide side effects unless the caller opts in."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

PROBE = """
import numpy as np
import actcli
from actcli import engine
{setup}
actcli.evaluate("hardswish", np.ones(1 << 20))  # chunked: where the tuning would happen
print(engine._allocator_tuned)
"""


def _tuned(setup: str) -> str:
    code = PROBE.format(setup=setup)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return out.stdout.strip()


def test_library_leaves_the_allocator_alone() -> None:
    assert _tuned("") == "False"


def test_allocator_tuning_is_opt_in() -> None:
    assert _tuned("engine.tune_allocator()") == "True"


def test_cli_opts_in(tmp_path: Path) -> None:
    out_file = tmp_path / "y.npy"
    code = (
        "from click.testing import CliRunner\n"
        "from actcli.cli import cli\n"
        "from actcli import engine\n"
        "r = CliRunner().invoke(cli, ['eval', 'hardswish', '--range', '-3:3:2000000', "
        f"'-o', {str(out_file)!r}])\n"
        "print(r.exit_code, engine._allocator_tuned)\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["0", "True"]
