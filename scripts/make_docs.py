"""Regenerate the parts of README.md that are generated from the records.

The activation table sits between the markers ``<!-- activations: begin -->`` and
``<!-- activations: end -->``; tests/test_docs.py fails when it is stale. Run after adding or
changing a record:

    python scripts/make_docs.py [--check]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from actcli import catalog, render  # noqa: E402

README = ROOT / "README.md"
BEGIN, END = "<!-- activations: begin -->\n", "<!-- activations: end -->\n"


def generated(text: str) -> str:
    """``text`` (the README) with its generated block replaced by a fresh one."""
    head, sep, rest = text.partition(BEGIN)
    _, sep2, tail = rest.partition(END)
    if not sep or not sep2:
        raise SystemExit(f"README.md lacks the markers {BEGIN.strip()} ... {END.strip()}")
    return head + BEGIN + render.markdown_table(catalog.activations()) + END + tail


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="exit 1 if README.md is stale")
    args = parser.parse_args()
    text = README.read_text(encoding="utf-8")
    fresh = generated(text)
    if args.check:
        return 0 if fresh == text else 1
    README.write_text(fresh, encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
