"""benchmarks/run_bench.py's report: hand-written results in, targets judged met / not met."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("run_bench", ROOT / "benchmarks" / "run_bench.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


rb = _load()

CONFIGS = [
    (d, n, t) for d in ("float32", "float64") for n in (4_000_000, 10_000_000) for t in (1, 2)
]
FACTS = {
    "names": ["relu", "sigmoid", "gelu", "softmax", "swish"],
    "no_torch": ["swish"],
    "bandwidth_goal": {"relu": 0.8},
    "softmax_family": ["softmax"],
    "exact_gelu": "gelu",
}
#: vs torch, vs naive and % of the bound of every row of a function, when all targets are met.
GOOD = {
    "relu": (3.0, 4.0, 85.0),
    "sigmoid": (3.0, 4.0, 30.0),
    "gelu": (2.5, 4.0, 10.0),
    "softmax": (1.5, 4.0, 20.0),
    "swish": (None, 4.0, 25.0),
}


def _row(name: str, direction: str, cfg: tuple[str, int, int], ratios: Any) -> dict[str, Any]:
    dtype, size, threads = cfg
    vs_torch, vs_naive, pct = ratios
    return {
        "name": name,
        "direction": direction,
        "size": size,
        "dtype": dtype,
        "threads": threads,
        "vs_torch": vs_torch,
        "vs_naive": vs_naive,
        "pct_of_bound": pct,
    }


def _data(
    changes: dict[tuple[str, str, tuple[str, int, int]], tuple[Any, ...]] | None = None,
    *,
    configs: list[tuple[str, int, int]] = CONFIGS,
    names: tuple[str, ...] = tuple(GOOD),
    overhead: tuple[float, float] = (1.5, 1.8),
    startup: float = 1.3,
) -> dict[str, Any]:
    changes = changes or {}
    rows = [
        _row(n, d, cfg, changes.get((n, d, cfg), GOOD[n]))
        for cfg in configs
        for n in names
        for d in ("forward", "gradient")
    ]
    return {
        "machine": {
            "cpu": "Test CPU 9000",
            "cores": 2,
            "machine": "x86_64",
            "system": "Linux 6",
            "python": "3.11.7",
            "numpy": "2.4.6",
            "scipy": "1.17.1",
            "torch": "2.13.0+cpu",
            "actcli": "0.1.0",
            "usable_cores": 2,
            "cpu_flags": ["avx2", "fma", "avx512f"],
            "actcli_isa": "avx512f",
            "actcli_stream_bytes": 16 << 20,
            "numpy_simd_baseline": ["X86_V2"],
            "numpy_simd_dispatched": ["X86_V3", "X86_V4"],
            "torch_cpu_capability": "AVX512",
            "environment": {},
            "loadavg_start": [0.5, 0.4, 0.3],
            "loadavg_end": [1.0, 0.6, 0.4],
        },
        "settings": {
            "sizes": sorted({n for _, n, _ in configs}),
            "dtypes": sorted({d for d, _, _ in configs}),
            "threads": sorted({t for _, _, t in configs}),
            "directions": ["forward", "gradient"],
            "baselines": ["naive", "torch"],
            "repeats": 3,
            "min_time": 0.1,
            "command": "python benchmarks/run_bench.py",
            "wall_seconds": 1800.0,
        },
        "catalog": FACTS,
        "notes": ["a note"],
        "bounds": [
            {"name": n, "dtype": d, "size": s, "threads": t, "gb_per_s": 10.0}
            for d, s, t in configs
            for n in names
        ],
        "rows": rows,
        "extras": {
            "overhead": {
                "size": 1000,
                "float64": {"ratio_relu": overhead[0], "max_overhead_ratio": 2.0},
                "float32": {"ratio_relu": overhead[1], "max_overhead_ratio": 2.5},
            },
            "startup": {
                "runs": 25,
                "ratio": startup,
                "median_cpu_seconds": {"numpy": 0.1, "actcli": 0.1 * startup},
            },
        },
    }


def _statuses(md: str) -> dict[str, str]:
    """target text (its first words) -> status cell, from the targets table."""
    out = {}
    for line in md.splitlines():
        cells = [c.strip() for c in line.split("|")]
        if len(cells) == 5 and cells[2] in ("met", "**not met**", "not measured"):
            out[cells[1]] = cells[2]
    return out


def _status(md: str, prefix: str) -> str:
    found = [v for k, v in _statuses(md).items() if k.startswith(prefix)]
    assert len(found) == 1, (prefix, _statuses(md))
    return found[0]


TARGETS = (
    "every row >= 1.0x torch",
    "geometric mean >= 2x torch",
    "exact GELU",
    "softmax family",
    "geometric mean >= 3x naive",
    "piecewise-linear >= 80%",
    "N = 1e3: one `evaluate` call <= 2x",
    "start-up <= 1.5x",
)


def test_all_targets_met() -> None:
    md = rb.markdown(_data())
    assert [_status(md, t) for t in TARGETS] == ["met"] * len(TARGETS)
    assert "Subset run" not in md
    assert "Below 1.0x torch: none of 64 rows." in md  # swish has no torch ratio
    assert "No PyTorch equivalent in the record (naive and % bound only" in md
    assert "outside every torch target): swish." in md
    assert "Catalog functions not timed in this run: none." in md


def test_thresholds_are_inclusive() -> None:
    edge = _data(
        {
            ("sigmoid", "forward", CONFIGS[0]): (1.0, 4.0, 30.0),
            ("gelu", "forward", CONFIGS[0]): (2.0, 4.0, 10.0),
            ("softmax", "gradient", CONFIGS[3]): (1.2, 4.0, 20.0),
            ("relu", "forward", CONFIGS[5]): (3.0, 4.0, 80.0),
        },
        overhead=(2.0, 2.0),
        startup=1.5,
    )
    md = rb.markdown(edge)
    assert [_status(md, t) for t in TARGETS] == ["met"] * len(TARGETS)


def test_each_miss_is_named() -> None:
    cfg = CONFIGS[2]  # float32, 1e7, 1 thread
    missed = _data(
        {
            ("sigmoid", "gradient", cfg): (0.9, 4.0, 30.0),
            ("gelu", "forward", cfg): (1.9, 4.0, 10.0),
            ("softmax", "forward", cfg): (1.1, 4.0, 20.0),
            ("relu", "gradient", cfg): (3.0, 4.0, 79.0),
        },
        overhead=(2.1, 1.0),
        startup=1.6,
    )
    md = rb.markdown(missed)
    assert _status(md, "every row >= 1.0x torch") == "**not met**"
    assert _status(md, "exact GELU") == "**not met**"
    assert _status(md, "softmax family") == "**not met**"
    assert _status(md, "piecewise-linear") == "**not met**"
    assert _status(md, "N = 1e3") == "**not met**"
    assert _status(md, "start-up") == "**not met**"
    # One row below 1x among 64 with a torch ratio; the geometric means are still met.
    assert _status(md, "geometric mean >= 2x torch") == "met"
    assert "63 of 64 rows; 1 below (lowest sigmoid grad float32 N=1e7 t1 0.90x)" in md
    assert "Below 1.0x torch: 1 of 64 rows.\n\n- sigmoid grad float32 N=1e7 t1: 0.90x" in md
    assert "Exact GELU below 2x torch: 1 of 16 rows.\n\n- gelu forw float32 N=1e7 t1: 1.90x" in md
    assert "- softmax forw float32 N=1e7 t1: 1.10x" in md
    assert "below their bandwidth goal: 1 of 16 rows.\n\n- relu grad float32 N=1e7 t1: 79%" in md


def test_geometric_means() -> None:
    # vs torch: relu 3, sigmoid 1.2, gelu 2.5, softmax 1.5 -> (3*1.2*2.5*1.5)^(1/4) = 1.92
    slow = {("sigmoid", d, c): (1.2, 2.5, 30.0) for d in ("forward", "gradient") for c in CONFIGS}
    slow |= {("relu", d, c): (3.0, 2.5, 85.0) for d in ("forward", "gradient") for c in CONFIGS}
    md = rb.markdown(_data(slow))
    assert _status(md, "geometric mean >= 2x torch") == "**not met**"
    assert "| 1.92x over 64 rows" in md
    # vs naive: 2.5 (relu, sigmoid) and 4 (gelu, softmax, swish): (2.5^2 * 4^3)^(1/5) = 3.31
    assert _status(md, "geometric mean >= 3x naive") == "met"
    assert "| 3.31x over 80 rows" in md


def test_subset_run_says_what_it_lacks() -> None:
    small = [("float32", 100_000, 1)]
    md = rb.markdown(_data(configs=small, names=("relu", "gelu")))
    assert (
        "**Subset run:** judged on the rows measured only; not in this run: N 4e6, 1e7; "
        "dtypes float64; threads 2; 3 of the catalog's 5 functions." in md
    )
    assert "Catalog functions not timed in this run: sigmoid, softmax, swish." in md
    assert _status(md, "softmax family") == "not measured"


def test_ratio_table_cells() -> None:
    md = rb.markdown(_data())
    head = (
        "| activation | dir | float32 4e6 t1 | float32 4e6 t2 | float32 1e7 t1 | float32 1e7 t2 "
        "| float64 4e6 t1 | float64 4e6 t2 | float64 1e7 t1 | float64 1e7 t2 |"
    )
    assert head in md
    assert "| relu | forw | " + " | ".join(["3.00 / 4.00 / 85%"] * 8) + " |" in md
    assert "| swish | grad | " + " | ".join(["— / 4.00 / 25%"] * 8) + " |" in md
    table = [ln for ln in md.splitlines() if ln.startswith("| ") and " | forw | " in ln]
    assert len(table) == len(GOOD)


def test_machine_as_measured() -> None:
    md = rb.markdown(_data())
    assert "Machine (measured at run time): Test CPU 9000, 2 cores, x86_64, Linux 6." in md
    assert (
        "Dispatched: actcli kernels `avx512f` (outputs stream from 16 MiB moved), "
        "NumPy SIMD X86_V3 X86_V4" in md
    )
    assert "torch `AVX512`" in md


@pytest.mark.parametrize(
    ("n", "label"),
    [(4_000_000, "4e6"), (10**7, "1e7"), (1000, "1e3"), (12345, "12345"), (100, "100")],
)
def test_size_label(n: int, label: str) -> None:
    assert rb.size_label(n) == label


def test_table_only_writes_the_markdown(tmp_path: Path) -> None:
    source = tmp_path / "results.json"
    source.write_text(json.dumps(_data()))
    table = tmp_path / "results.md"
    assert rb.main(["--table-only", str(source), "--table", str(table)]) == 0
    text = table.read_text()
    assert text.startswith("# actcli against PyTorch")
    assert "| every row >= 1.0x torch | met | 64 of 64 rows; 0 below |" in text


def test_missing_extras_are_not_measured() -> None:
    data = _data()
    del data["extras"]
    md = rb.markdown(data)
    assert _status(md, "N = 1e3") == "not measured"
    assert _status(md, "start-up") == "not measured"
    assert (
        "not in this run: start-up (as benchmarks/startup.py measures it); N = 1e3 overhead." in md
    )
