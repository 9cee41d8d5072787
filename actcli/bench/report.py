"""The plain-text summary of a run (the Rich table is built in :mod:`actcli.render`)."""

from __future__ import annotations

from .results import BenchResult, row_label


def summary_lines(result: BenchResult) -> list[str]:
    """The short text summary: geometric-mean ratios, rows slower than torch, notes."""
    s = result.summary()

    def f(v: float | None) -> str:
        return "n/a" if v is None else f"{v:.2f}x"

    lines = []
    for b in ("torch", "naive"):
        if s[f"geomean_vs_{b}"] is not None:
            lines.append(
                f"vs {b}: geometric-mean speed-up {f(s[f'geomean_vs_{b}'])} "
                f"(forward {f(s[f'geomean_vs_{b}_forward'])}, "
                f"gradient {f(s[f'geomean_vs_{b}_gradient'])})"
            )
    slow = s["slower_than_torch"]
    if slow:
        worst = ", ".join(
            f"{row_label(r['name'], r['direction'], r['dtype'], r['size'], r['threads'])} "
            f"{r['vs_torch']:.2f}x"
            for r in slow[:5]
        )
        lines.append(f"slower than torch: {len(slow)} row(s); worst: {worst}")
    lines += [f"note: {n}" for n in result.notes]
    return lines
