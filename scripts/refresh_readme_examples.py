"""Rewrite the output under every `$ actcli ...` line of README.md's console blocks.

Each command runs as tests/test_cli.py::test_readme_examples_print_what_the_readme_shows runs
it (a 100-column pseudo-terminal, in a scratch copy of sample_inputs/), so after a change to a
formula, a table or the accuracy data this makes the README true again:

    python scripts/refresh_readme_examples.py
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.test_cli import README, SAMPLES, run_in_terminal  # noqa: E402


def main() -> None:
    lines = README.read_text().splitlines()
    out: list[str] = []
    in_block = False
    with tempfile.TemporaryDirectory() as tmp:
        shutil.copytree(SAMPLES, Path(tmp) / "sample_inputs")
        skipping = False
        for line in lines:
            if line.startswith("```console"):
                in_block, skipping = True, False
                out.append(line)
            elif in_block and line.startswith("```"):
                in_block = False
                out.append(line)
            elif in_block and line.startswith("$ "):
                out.append(line)
                out.extend(run_in_terminal(line[2:], Path(tmp)).splitlines())
                skipping = True
            elif in_block and skipping:
                continue  # the old output
            else:
                out.append(line)
    README.write_text("\n".join(out) + "\n")
    print(f"refreshed {README}")


if __name__ == "__main__":
    main()
