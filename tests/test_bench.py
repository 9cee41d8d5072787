"""actcli.bench and ``actcli bench``: options, the JSON schema, the baselines. Tiny sizes, and
no assertion about how fast anything is."""

from __future__ import annotations

import importlib
import json
import math
import os
import re
import sys
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

import actcli
from actcli import bench, engine, options
from actcli.cli import cli

TINY = {"repeats": 1, "min_time": 0.0}


def run_tiny(names: list[str], **kw: Any) -> bench.BenchResult:
    args: dict[str, Any] = {"sizes": [64], "dtypes": ["float32"], "threads": [1], **TINY}
    args.update(kw)
    return bench.run(names, **args)


# --- option parsing ----------------------------------------------------------------------------
def test_parse_sizes_accepts_scientific_notation() -> None:
    assert options.parse_sizes("1e3, 100000,1e7") == [1000, 100000, 10_000_000]


@pytest.mark.parametrize("text", ["", "abc", "0", "-5", "1.5", "1e-3", "inf", "nan"])
def test_parse_sizes_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        options.parse_sizes(text)


def test_parse_dtypes_and_threads() -> None:
    assert options.parse_dtypes("float32,Float64") == ["float32", "float64"]
    assert options.parse_threads("1,2,2") == [1, 2]
    with pytest.raises(ValueError, match="int8"):
        options.parse_dtypes("int8")
    for bad in ("0", "x", "1.5", ""):
        with pytest.raises(ValueError):
            options.parse_threads(bad)


def test_parse_grid_defaults_to_the_engine_thread_count() -> None:
    grid = options.parse_grid("1e3,1e4", "float64", None)
    assert grid.threads == [engine.get_num_threads()]
    assert grid.count == 2
    assert grid.kwargs == {"sizes": [1000, 10000], "dtypes": ["float64"], "threads": grid.threads}


# --- timing ------------------------------------------------------------------------------------
def test_time_call_counts_calls_and_orders_statistics() -> None:
    calls = []
    t = bench.time_call(lambda: calls.append(1), repeats=3, min_time=0.0, warmup=2)
    # warm-up (2) + one auto-range run of `number` + 3 timed runs of `number`
    assert t.number == 1
    assert len(calls) == 2 + 1 + 3
    assert t.repeats == 3
    assert 0 <= t.best <= t.median <= t.worst


def test_time_call_auto_ranges_until_a_run_lasts_min_time(monkeypatch: pytest.MonkeyPatch) -> None:
    now = [0.0]
    monkeypatch.setattr(bench.timing.time, "perf_counter", lambda: now[0])

    def fn() -> None:  # each call takes exactly 1 ms of the fake clock
        now[0] += 0.001

    t = bench.time_call(fn, repeats=3, min_time=0.0095, warmup=0)
    assert t.number == 10  # 1, 2 and 5 calls last less than 9.5 ms; 10 calls do not
    assert t.median == t.best == t.worst == pytest.approx(0.001)


def test_time_calls_alternate_the_timed_runs() -> None:
    # each call is warmed up and auto-ranged on its own, then the timed runs take turns
    calls: list[str] = []
    ta, tb = bench.time_calls(
        [lambda: calls.append("a"), lambda: calls.append("b")], repeats=3, min_time=0.0, warmup=1
    )
    assert calls == ["a", "a", "b", "b", "a", "b", "a", "b", "a", "b"]
    assert ta.repeats == tb.repeats == 3 and ta.number == tb.number == 1


def test_time_against_skips_missing_baselines() -> None:
    calls: list[str] = []
    t, (naive, torch) = bench.time_against(
        lambda: calls.append("ours"), [None, lambda: calls.append("torch")], repeats=2, min_time=0.0
    )
    assert naive is None and torch is not None and torch >= 0
    assert calls.count("ours") == calls.count("torch") == 4  # warm-up, auto-range, 2 runs
    assert t.repeats == 2


def test_time_call_rejects_no_repeats() -> None:
    with pytest.raises(ValueError):
        bench.time_call(lambda: None, repeats=0)


def test_copy_fresh_copies_into_a_new_array() -> None:
    x = np.arange(10.0, dtype=np.float32)
    for threads in (1, 2):
        y = bench.copy_fresh(x, threads)
        assert y is not x and not np.shares_memory(x, y)
        assert y.dtype == x.dtype and np.array_equal(x, y)


def test_copy_into_fills_the_given_buffer() -> None:
    # float64 and float32 go through the kernels' own (streaming) copy, float16 through NumPy;
    # 2**21 + 3 elements: two threads' parts, neither a whole number of blocks.
    rng = np.random.default_rng(4)
    for dtype in (np.float64, np.float32, np.float16):
        x = rng.normal(0, 1e3, (1 << 21) + 3).astype(dtype)
        x[:3] = [np.nan, -0.0, np.inf]
        for threads in (1, 2):
            out = np.zeros_like(x)
            assert bench.copy_into(x, out, threads) is None
            np.testing.assert_array_equal(out.view(np.uint8), x.view(np.uint8))


# --- inputs and baselines ----------------------------------------------------------------------
def test_bench_params_fill_required_parameters() -> None:
    # Required parameters take the record's first setting (its illustration), the rest defaults.
    assert bench.bench_params(actcli.get("threshold")) == {"threshold": 1.0, "value": 0.0}
    assert bench.bench_params(actcli.get("leaky_relu")) == {"negative_slope": 0.01}


def test_axis_functions_get_rows_and_glu_an_even_axis() -> None:
    assert bench.bench_shape(actcli.get("softmax"), 10_000) == (10, bench.AXIS_ROW)
    assert bench.bench_shape(actcli.get("glu"), 7) == (1, 6)
    assert bench.bench_shape(actcli.get("relu"), 7) == (7,)
    x, g = bench.make_inputs(actcli.get("glu"), 4000, "float32")
    assert x.shape == (4, 1000) and g.shape == (4, 500)
    assert x.dtype == g.dtype == np.float32


def test_every_activation_has_a_naive_formula() -> None:
    assert all(actcli.get(n).naive is not None for n in actcli.names())


@pytest.mark.parametrize("name", actcli.names())
def test_naive_formulas_compute_the_same_function(name: str) -> None:
    # The textbook formulas are the baseline; they must be the same function as actcli's
    # (checked in float64 on points away from every kink, where both are accurate).
    act = actcli.get(name)
    params = bench.bench_params(act)
    x, g = bench.make_inputs(act, 2000, "float64", seed=1)
    if act.kind == "elementwise":
        kinks = act.kink_points(params)
        keep = np.all([np.abs(x - k) > 1e-3 for k in kinks], axis=0) if kinks else slice(None)
        x, g = x[keep], g[keep]
    assert act.naive is not None
    fwd, grad = act.naive.forward, act.naive.derivative
    naive_params = {k: v for k, v in params.items() if v is not None}
    with np.errstate(all="ignore"):
        np.testing.assert_allclose(
            fwd(x, **naive_params), actcli.evaluate(name, x, **params), rtol=1e-6, atol=1e-12
        )
        np.testing.assert_allclose(
            grad(x, g, **naive_params),
            actcli.gradient(name, x, g, **params),
            rtol=1e-6,
            atol=1e-12,
        )


# --- run() and its JSON ------------------------------------------------------------------------
def test_run_covers_the_grid_and_restores_threads() -> None:
    before = engine.get_num_threads()
    result = run_tiny(
        ["relu", "softmax"], sizes=[16, 64], dtypes=["float32", "float64"], threads=[1, 2]
    )
    assert engine.get_num_threads() == before
    assert len(result.rows) == 2 * 2 * 2 * 2 * 2
    keys = {(r.name, r.direction, r.size, r.dtype, r.threads) for r in result.rows}
    assert len(keys) == len(result.rows)
    assert len(result.bounds) == 2 * 2 * 2 * 2  # re-measured for each activation
    assert {b["name"] for b in result.bounds} == {"relu", "softmax"}
    for r in result.rows:
        assert r.seconds > 0 and r.best <= r.seconds <= r.worst
        assert r.elements_per_s > 0 and r.gb_per_s > 0 and r.pct_of_bound > 0
        assert r.naive_seconds is None and r.vs_torch is None


def test_run_reports_canonical_names_once() -> None:
    result = run_tiny(["ReLU", "relu", "hard-tanh"], directions=["forward"])
    assert [r.name for r in result.rows] == ["relu", "hardtanh"]


def test_run_rejects_unknown_directions_and_baselines() -> None:
    with pytest.raises(ValueError, match="direction"):
        run_tiny(["relu"], directions=["sideways"])
    with pytest.raises(ValueError, match="baseline"):
        run_tiny(["relu"], baselines=["jax"])
    with pytest.raises(actcli.UnknownActivationError):
        run_tiny(["relux"])


def test_json_schema() -> None:
    result = run_tiny(["relu", "gelu"], baselines=["naive"])
    data = json.loads(json.dumps(result.to_dict()))
    assert data["schema"] == "actcli-bench/1"
    assert set(data) == {"schema", "machine", "settings", "notes", "bounds", "rows", "summary"}
    assert {"cpu", "cores", "python", "numpy", "scipy", "torch"} <= set(data["machine"])
    assert data["machine"]["numpy"] == np.__version__
    assert data["settings"]["activations"] == ["relu", "gelu"]
    assert data["settings"]["baselines"] == ["naive"]
    row_keys = {
        "name", "direction", "size", "dtype", "threads", "seconds", "best", "worst", "number",
        "repeats", "elements_per_s", "gb_per_s", "bound_gb_per_s", "pct_of_bound",
        "naive_seconds", "torch_seconds", "vs_naive", "vs_torch",
    }  # fmt: skip
    for row in data["rows"]:
        assert set(row) == row_keys
        assert row["vs_naive"] == pytest.approx(row["naive_seconds"] / row["seconds"])
    assert {"gb_per_s", "copy_seconds", "size", "dtype", "threads"} <= set(data["bounds"][0])
    s = data["summary"]
    assert s["geomean_vs_naive"] == pytest.approx(
        math.exp(np.mean([math.log(r["vs_naive"]) for r in data["rows"]]))
    )
    assert s["geomean_vs_torch"] is None


def test_missing_torch_is_a_note(monkeypatch: pytest.MonkeyPatch) -> None:
    # Patched where bench's run looks it up (patching the package's re-export does nothing).
    run_module = importlib.import_module("actcli.bench.run")
    monkeypatch.setattr(run_module, "torch_importable", lambda: False)
    result = run_tiny(["relu"], baselines=["torch"])
    assert any("torch is not installed" in n for n in result.notes)
    assert all(r.vs_torch is None for r in result.rows)


def test_torch_baseline_when_installed() -> None:
    pytest.importorskip("torch")
    result = run_tiny(["relu", "sparse_plus", "prelu", "softmax"], baselines=["torch"])
    by_name = {(r.name, r.direction): r for r in result.rows}
    assert by_name[("relu", "gradient")].vs_torch is not None
    assert by_name[("prelu", "forward")].vs_torch is not None  # weight passed as a tensor
    assert by_name[("softmax", "forward")].vs_torch is not None
    assert by_name[("sparse_plus", "forward")].vs_torch is None  # JAX-only: no torch function


def test_geomean_and_summary_lines() -> None:
    assert bench.geomean([1.0, 4.0]) == pytest.approx(2.0)
    assert bench.geomean([]) is None
    rows = [
        bench.Row("relu", "forward", 8, "float32", 1, 1.0, 1.0, 1.0, 1, 1, 8, 1, 1, 100,
                  vs_torch=0.5),
        bench.Row("tanh", "gradient", 8, "float32", 1, 1.0, 1.0, 1.0, 1, 1, 8, 1, 1, 100,
                  vs_torch=8.0),
    ]  # fmt: skip
    result = bench.BenchResult(rows, [], {}, {}, ["a note"])
    assert result.summary()["geomean_vs_torch"] == pytest.approx(2.0)
    assert [r["name"] for r in result.summary()["slower_than_torch"]] == ["relu"]
    text = "\n".join(bench.summary_lines(result))
    assert "geometric-mean speed-up 2.00x" in text
    assert "worst: relu forward float32 n=8 threads=1 0.50x" in text  # which row, in full
    assert "note: a note" in text


# --- the command -------------------------------------------------------------------------------
ARGS = ["--size", "64", "--dtype", "float32", "--threads", "1", "--repeats", "1"]
ARGS += ["--min-time", "0"]


def invoke(*args: str) -> Any:
    return CliRunner().invoke(cli, list(args), env={"COLUMNS": "160"})


def test_cli_bench_table_and_summary() -> None:
    result = invoke("bench", "relu", "tanh", "--baseline", "naive", *ARGS)
    assert result.exit_code == 0, result.output
    out = result.stdout
    assert "relu" in out and "tanh" in out and "% bound" in out and "× naive" in out
    assert "vs naive: geometric-mean speed-up" in out


def test_cli_bench_logs_one_plain_line_per_row_off_a_terminal() -> None:
    result = invoke("bench", "relu", "mse_loss", *ARGS)  # CliRunner's stderr is no terminal
    assert result.exit_code == 0, result.output
    lines = result.stderr.splitlines()
    assert [line.split(":")[0] for line in lines] == [
        "bench [1/4] relu forward float32 n=64 threads=1",
        "bench [2/4] relu gradient float32 n=64 threads=1",
        "bench [3/4] mse_loss forward float32 n=64 threads=1",
        "bench [4/4] mse_loss gradient float32 n=64 threads=1",
    ]
    assert all(re.fullmatch(r".*: [0-9.]+ (s|ms|us|ns) per call, \d+% of bound", s) for s in lines)
    quiet = invoke("bench", "relu", "-q", *ARGS)
    assert quiet.exit_code == 0 and quiet.stderr == ""


def test_progress_label_names_the_row_and_its_time_in_a_readable_unit() -> None:
    row = bench.Row("gelu", "gradient", 10**7, "float64", 2, 0.0123, 0.01, 0.02, 1, 5, 8e8,
                    6.5, 13.0, 50.4)  # fmt: skip
    assert bench.progress_label(row) == (
        "gelu gradient float64 n=10000000 threads=2: 12.3 ms per call, 50% of bound"
    )
    fast = bench.Row(**{**vars(row), "seconds": 4.56e-7, "pct_of_bound": 99.6})
    assert bench.progress_label(fast).endswith(": 456 ns per call, 100% of bound")
    slow = bench.Row(**{**vars(row), "seconds": 2.5})
    assert bench.progress_label(slow).endswith(": 2.5 s per call, 50% of bound")


def test_cli_bench_help_explains_the_bound_column() -> None:
    text = " ".join(invoke("bench", "--help").stdout.split())
    assert "% bound is the row's GB/s" in text and "a reused buffer" in text


def test_cli_bench_json_and_output_file(tmp_path: Path) -> None:
    result = invoke("bench", "relu", "--direction", "forward", "--json", *ARGS)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert data["schema"] == "actcli-bench/1"
    assert [(r["name"], r["direction"]) for r in data["rows"]] == [("relu", "forward")]
    target = tmp_path / "results.json"
    result = invoke("bench", "softsign", "-o", str(target), *ARGS)
    assert result.exit_code == 0, result.output
    saved = json.loads(target.read_text())
    assert {r["direction"] for r in saved["rows"]} == {"forward", "gradient"}
    assert not list(tmp_path.glob("*.tmp*"))
    # with -o the result goes to the file only: no table on stdout, the summary on stderr
    assert result.stdout == ""
    assert result.stderr.endswith(f"Wrote {target}\n") and "softsign" not in result.stdout


def test_cli_bench_threads_from_the_environment() -> None:
    args = ["bench", "relu", "--size", "32", "--repeats", "1", "--min-time", "0", "--json"]
    result = CliRunner().invoke(cli, args, env={"ACTCLI_NUM_THREADS": "3"})
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["settings"]["threads"] in ([3], [engine.get_num_threads()])


def test_cli_bench_bad_thread_variable_is_a_usage_error(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(engine, "_num_threads", None)
    result = CliRunner().invoke(cli, ["bench", "relu"], env={"ACTCLI_NUM_THREADS": "many"})
    assert result.exit_code == 2
    assert "Error: ACTCLI_NUM_THREADS must be a positive integer" in result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "give NAMEs or --all"),
        (["relu", "--all"], "give NAMEs or --all"),
        (["relux"], "unknown activation"),
        (["relu", "--size", "0"], "positive whole number"),
        (["relu", "--size", "big"], "not a number"),
        (["relu", "--dtype", "int8"], "not one of"),
        (["relu", "--threads", "0"], "positive integer"),
        (["relu", "--baseline", "jax"], "jax"),
        (["relu", "--repeats", "0"], "repeats"),
    ],
)
def test_cli_bench_usage_errors(args: list[str], message: str) -> None:
    result = invoke("bench", *args)
    assert result.exit_code == 2
    assert "Error:" in result.stderr and message in result.stderr


# --- the engine behaviour the benchmarks rely on -----------------------------------------------
def test_fast_path_matches_explicit_parameters() -> None:
    x = np.linspace(-4, 4, 100)
    for name in actcli.names():
        act = actcli.get(name)
        if act.has_required:
            continue
        np.testing.assert_array_equal(
            actcli.evaluate(name, x), actcli.evaluate(name, x, **act.defaults())
        )
    # A missing required parameter fails on every call, not only the first.
    for _ in range(2):
        with pytest.raises(actcli.ParamError, match="threshold"):
            actcli.evaluate("threshold", x)


def test_small_results_are_new_arrays() -> None:
    x = np.linspace(-1, 1, 11)
    y = actcli.evaluate("relu", x)
    assert not np.shares_memory(x, y)
    y[:] = 7
    assert actcli.evaluate("relu", x)[-1] == 1.0


@pytest.mark.parametrize("name", ["relu", "leaky_relu", "threshold", "sigmoid", "softmax"])
def test_peak_memory_is_input_output_and_bounded_temporaries(name: str) -> None:
    act = actcli.get(name)
    params = bench.bench_params(act)
    x, g = bench.make_inputs(act, 2_000_000, "float64")
    for call in (
        lambda: actcli.evaluate(name, x, **params),
        lambda: actcli.gradient(name, x, g, **params),
        lambda: actcli.gradient(name, x, **params),
    ):
        assert bench.temporaries(call) < 64 * 2**20


def test_bench_table_fits_a_100_column_terminal_without_wrapping() -> None:
    from rich.console import Console

    from actcli import render

    longest = max(actcli.names(), key=len)
    widest = bench.Row(
        name=longest, direction="gradient", size=10_000_000, dtype="float16", threads=16,
        seconds=0.000123456, best=0.000101234, worst=0.000998765, number=1, repeats=5,
        elements_per_s=0.00123, gb_per_s=123.456, bound_gb_per_s=1.0, pct_of_bound=1234.5,
        vs_naive=123.45, vs_torch=0.0123,
    )  # fmt: skip
    console = Console(width=100, record=True, force_terminal=False, color_system=None)
    console.print(render.bench_table([widest, bench.Row(**{**vars(widest), "vs_torch": None})]))
    lines = console.export_text().splitlines()
    assert all(len(line.rstrip()) <= 100 for line in lines)
    text = "\n".join(lines)
    assert "…" not in text  # nothing cut off
    assert longest in text and "× naive" in text and "× torch" in text
    assert "123 µs" in text and "101..999" in text  # min..max in the median's unit
    assert len([line for line in lines if longest in line]) == 2  # one line per row


@pytest.mark.parametrize("where", ["missing/results.json", "locked/results.json"])
def test_cli_bench_refuses_an_unwritable_output_before_timing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    locked = tmp_path / "locked"
    locked.mkdir(mode=0o500)
    # root may write a read-only folder: ask the OS as an ordinary user would be answered.
    real_access = os.access
    monkeypatch.setattr(
        os, "access", lambda p, mode: False if Path(p) == locked else real_access(p, mode)
    )

    def never(*args: Any, **kwargs: Any) -> None:
        raise AssertionError("timed before checking the output folder")

    monkeypatch.setattr(bench, "run", never)
    target = tmp_path / where
    result = invoke("bench", "relu", "-o", str(target), *ARGS)
    assert result.exit_code == 1, result.output
    reason = "No such file or directory" if where.startswith("missing") else "Permission denied"
    assert result.stderr == f"Error: cannot write '{target}': {reason}\n"
    assert not target.exists()


def test_naive_baseline_without_scipy_is_skipped_with_a_note(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # SciPy is optional: only exact GELU's textbook formula needs it (NumPy has no erf).
    monkeypatch.setitem(sys.modules, "scipy.special", None)
    result = bench.run(["gelu", "relu"], sizes=(64,), dtypes=("float64",), baselines=("naive",),
                       repeats=1, min_time=0.0)  # fmt: skip
    by_name = {(r.name, r.direction): r for r in result.rows}
    assert by_name["gelu", "forward"].vs_naive is None
    assert by_name["relu", "forward"].vs_naive is not None
    assert any("scipy is not installed" in n for n in result.notes)


def _bench_on_a_terminal(tmp_path: Path, term: str) -> str:
    """stderr of ``bench -o`` run with stderr on a pseudo-terminal (stdout a pipe)."""
    import pty
    import subprocess

    master, slave = pty.openpty()
    target = tmp_path / "results.json"
    env = {**os.environ, "TERM": term, "COLUMNS": "100"}
    proc = subprocess.run(
        [sys.executable, "-m", "actcli", "bench", "relu", *ARGS, "-o", str(target)],
        stdout=subprocess.PIPE,
        stderr=slave,
        env=env,
        timeout=120,
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            chunk = os.read(master, 65536)
        except OSError:  # EIO: the terminal's other side is closed and drained
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    assert proc.returncode == 0
    return b"".join(chunks).decode()


def test_cli_bench_erases_its_progress_bar_before_wrote(tmp_path: Path) -> None:
    text = _bench_on_a_terminal(tmp_path, "xterm")
    assert "Timing" in text  # the bar was drawn...
    erase = "\x1b[2K"  # ...and its line erased before the closing line
    assert text.rindex(erase) < text.index("Wrote")
    assert text[text.rindex(erase) + len(erase) :].strip() == f"Wrote {tmp_path / 'results.json'}"


def test_cli_bench_draws_no_bar_it_cannot_erase(tmp_path: Path) -> None:
    text = _bench_on_a_terminal(tmp_path, "dumb")
    assert "%" not in text and "Timing" not in text
    assert text.strip() == f"Wrote {tmp_path / 'results.json'}"


# --- --budget --------------------------------------------------------------------------------
def test_a_budget_lowers_min_time_to_fit_the_rows_and_never_raises_it() -> None:
    # 100 rows of 2.5 measurements, each 5 repeats + 2 ranging runs, in half of 60 s
    plan = bench.Budget(60.0, rows=100, per_row=2.5, repeats=5, min_time=0.2)
    assert plan.min_time == pytest.approx(30.0 / 1750.0)
    assert plan.notes() == [
        "--budget 60 s: --min-time lowered from 0.2 to 0.017 s per run to fit 100 rows"
    ]
    roomy = bench.Budget(1e6, rows=4, per_row=2.0, repeats=5, min_time=0.2)
    assert roomy.min_time == 0.2 and roomy.notes() == []


def test_a_spent_budget_skips_the_rows_left_but_never_the_first() -> None:
    import time

    plan = bench.Budget(1e-6, rows=6, per_row=2.0, repeats=1, min_time=0.0)
    time.sleep(0.01)  # the time is up; the first function is timed all the same
    assert not plan.skip(2)
    assert plan.skip(2) and plan.skip(2)
    assert (plan.timed, plan.skipped) == (2, 4)
    assert (
        plan.notes()[-1]
        == "--budget 1e-06 s ran out: the last 4 of 6 rows were skipped (not timed)"
    )


def test_cli_bench_budget_skips_rows_with_a_note() -> None:
    args = ["bench", "relu", "tanh", "mse_loss", *ARGS, "--budget", "1e-6", "--json"]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert [(r["name"], r["direction"]) for r in data["rows"]] == [
        ("relu", "forward"),
        ("relu", "gradient"),
    ]
    assert (
        "--budget 1e-06 s ran out: the last 4 of 6 rows were skipped (not timed)" in data["notes"]
    )


@pytest.mark.parametrize("value", ["0", "-1", "inf", "nan", "x"])
def test_cli_bench_budget_must_be_a_positive_number(value: str) -> None:
    result = CliRunner().invoke(cli, ["bench", "relu", *ARGS, "--budget", value])
    assert result.exit_code == 2 and "--budget" in result.stderr
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("Error: ")
