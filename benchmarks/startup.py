"""Start-up of ``actcli eval relu6 x.npy -o y.npy`` as a ratio to ``python -c "import numpy"``.

    python benchmarks/startup.py                       # CPU time, 25 interleaved runs each
    python benchmarks/startup.py --instructions        # instruction counts (valgrind), exact
    python benchmarks/startup.py --against /path/to/other/checkout

``--against`` runs the same command from another checkout of actcli (an older commit, say, made
with ``git worktree add --detach ../old COMMIT``) side by side, importing it from that folder
instead of the installed package. CPU time (user + system of each child) is less sensitive to
other load than wall time; instruction counts (``valgrind --tool=callgrind``, ~50x slower) are
the same from run to run within about 1 %, which makes small differences visible on a busy
machine. Bytecode caches are used (written by a first, untimed run), as after an install.
"""

from __future__ import annotations

import argparse
import os
import re
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np


def _commands(folder: Path, against: str | None) -> dict[str, list[str]]:
    argv = ["actcli", "eval", "relu6", str(folder / "x.npy"), "-o", str(folder / "y.npy")]
    run = f"import sys; sys.argv = {argv!r}; from actcli.cli import cli; cli()"
    commands = {
        "numpy": [sys.executable, "-c", "import numpy"],
        "actcli": [sys.executable, "-c", run],
    }
    if against is not None:
        # The installed package (an editable finder or site-packages) is taken out of the way.
        hide = (
            "import sys; sys.meta_path[:] = [f for f in sys.meta_path if 'editable' not in "
            f"repr(f) and 'editable' not in type(f).__module__]; sys.path.insert(0, {against!r}); "
            "[sys.path.remove(p) for p in list(sys.path) if p.endswith('site-packages') and "
            "__import__('os').path.isdir(p + '/actcli')]; "
        )
        commands["against"] = [sys.executable, "-c", hide + run]
    return commands


def _cpu_time(command: list[str], env: dict[str, str]) -> float:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    subprocess.run(command, env=env, check=True, capture_output=True)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def _instructions(command: list[str], env: dict[str, str]) -> float:
    done = subprocess.run(
        ["valgrind", "--tool=callgrind", "--callgrind-out-file=/dev/null", *command],
        env=env,
        check=True,
        capture_output=True,
        text=True,
    )
    found = re.search(r"Collected : (\d+)", done.stderr)
    if found is None:
        raise SystemExit("valgrind printed no instruction count")
    return float(found[1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=25, help="runs per command (CPU time)")
    parser.add_argument("--instructions", action="store_true", help="count instructions")
    parser.add_argument("--against", help="another actcli checkout to compare with")
    args = parser.parse_args()
    if args.instructions and shutil.which("valgrind") is None:
        raise SystemExit("--instructions needs valgrind")
    env = dict(os.environ, PYTHONHASHSEED="0")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        np.save(folder / "x.npy", np.linspace(-5.0, 5.0, 1000))
        commands = _commands(folder, args.against)
        for command in commands.values():  # writes the bytecode caches; not measured
            subprocess.run(command, env=env, check=True, capture_output=True)
        measure = _instructions if args.instructions else _cpu_time
        runs = 1 if args.instructions else args.runs
        samples: dict[str, list[float]] = {name: [] for name in commands}
        for _ in range(runs):  # interleaved, so that a change in load hits every command alike
            for name, command in commands.items():
                samples[name].append(measure(command, env))
    unit = "M instructions" if args.instructions else "ms CPU"
    scale = 1e-6 if args.instructions else 1e3
    base = statistics.median(samples["numpy"])
    for name, values in samples.items():
        value = statistics.median(values)
        print(f"{name:8s} {value * scale:8.1f} {unit}   {value / base:5.3f}x import numpy")


if __name__ == "__main__":
    main()
