"""Generated documentation stays true: the README's activation table is the records'."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import actcli
from actcli import catalog, render

ROOT = Path(__file__).resolve().parent.parent


def test_readme_activation_table_is_generated_from_the_records() -> None:
    spec = importlib.util.spec_from_file_location("make_docs", ROOT / "scripts" / "make_docs.py")
    assert spec is not None and spec.loader is not None
    make_docs = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(make_docs)
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    assert make_docs.generated(text) == text, "README is stale: run python scripts/make_docs.py"


def test_markdown_table_has_one_row_per_activation_with_its_facts() -> None:
    table = render.markdown_table(catalog.activations()).splitlines()
    assert len(table) == 2 + len(actcli.names())
    rows = {line.split(" | ")[0].removeprefix("| ").strip("`"): line for line in table[2:]}
    assert list(rows) == actcli.names()
    # hardtanh's range has brackets (Rich markup in a terminal); Markdown shows it as it is.
    assert "| [min_val, max_val] |" in rows["hardtanh"]
    assert "| `threshold`, `value` |" in rows["threshold"]  # required: no default shown
    assert "`negative_slope`=0.01" in rows["leaky_relu"]
    assert rows["swish"].split(" | ")[3] == "—"  # no PyTorch equivalent


def test_the_readme_examples_outputs_are_ignored_by_git() -> None:
    """Run at the top of a checkout, the README's examples leave nothing for `git status`."""
    import fnmatch
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    written = set(re.findall(r"(?:^|\s)(?:-o|--plot) ([\w.-]+\.\w+)(?=\s|$)", readme, re.M))
    written.discard("l.csv")  # the header example writes over its own input
    assert {"out.npy", "dx.npy", "relus.svg", "elu.pdf", "results.json"} <= written
    roots = [
        line[1:] for line in (ROOT / ".gitignore").read_text().splitlines() if line.startswith("/")
    ]
    for name in sorted(written):
        assert any(fnmatch.fnmatch(name, p) for p in roots), name
