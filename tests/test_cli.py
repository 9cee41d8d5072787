"""The command line through Click's CliRunner, plus a few real subprocess pipelines."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import click
import numpy as np
import pytest
from click.testing import CliRunner, Result
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import actcli
from actcli import options
from actcli.cli import cli
from actcli.commands import COMMANDS, shared
from actcli.commands import eval as eval_module

SAMPLES = Path(__file__).resolve().parent.parent / "sample_inputs"
ENV = {"COLUMNS": "100", "NO_COLOR": "1"}


def illustrative_args(name: str) -> list[str]:
    """``-p key=value`` for the record's illustrative values of its required parameters."""
    args: list[str] = []
    for key, value in actcli.get(name).illustrative().items():
        args += ["-p", f"{key}={value}"]
    return args


def run(*args: Any, input: bytes | str | None = None) -> Result:
    return CliRunner(env=ENV).invoke(cli, [str(a) for a in args], input=input, prog_name="actcli")


def ok(*args: Any, input: bytes | str | None = None) -> Result:
    result = run(*args, input=input)
    assert result.exit_code == 0, result.stderr + repr(result.exception)
    return result


def csv_values(text: str) -> np.ndarray:
    """Parse actcli's CSV output independently of actcli.io (one row per line; the header
    that an input with one gives back is skipped)."""
    lines = text.splitlines()
    if lines and lines[0] == "cat,dog,bird,fish":  # sample_inputs/logits.csv's header
        lines = lines[1:]
    rows = [[float(c) for c in line.split(",")] for line in lines]
    arr = np.array(rows)
    return arr[:, 0] if arr.shape[1] == 1 else arr


def same_bits(a: np.ndarray, b: np.ndarray) -> bool:
    a, b = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    return a.shape == b.shape and bool(np.array_equal(a.view(np.uint64), b.view(np.uint64)))


def logits() -> np.ndarray:
    return np.loadtxt(SAMPLES / "logits.csv", delimiter=",", skiprows=1)


# --------------------------------------------------------------------------------------------
# Help, version, the group


def _command(name: str) -> click.Command:
    """The group's command ``name`` (each is loaded from its module on first use)."""
    command = cli.get_command(click.Context(cli), name)
    assert command is not None, name
    return command


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_command_has_help_with_examples(command: str) -> None:
    result = ok(command, "--help")
    assert result.stdout.startswith(f"Usage: actcli {command}")
    assert _command(command).help
    assert "Example" in result.stdout


def test_group_help_lists_commands_and_examples() -> None:
    out = ok("--help").stdout
    for command in ("eval", "grad", "list", "info"):
        assert f"  {command}  " in out
    assert "Examples:" in out and "actcli eval relu - < a.csv | actcli eval tanh -" in out
    assert ok("-h").stdout == out


def test_a_command_loads_its_own_module_only(tmp_path: Path) -> None:
    # Start-up: `actcli eval` builds the options of eval and grad, not of the other commands.
    np.save(tmp_path / "x.npy", np.float64([-1.0, 2.0]))
    code = (
        "import sys; from actcli.cli import cli\n"
        f"sys.argv = ['actcli', 'eval', 'relu6', {str(tmp_path / 'x.npy')!r}, '-o', "
        f"{str(tmp_path / 'y.npy')!r}]\n"
        "try:\n    cli()\nexcept SystemExit:\n    pass\n"
        "print(sorted(m for m in sys.modules if m.startswith('actcli.commands.')))\n"
        "print([m for m in ('dataclasses', 'click.shell_completion') if m in sys.modules])"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    loaded, heavy = proc.stdout.split("\n")[-3:-1]
    assert loaded == "['actcli.commands.eval', 'actcli.commands.shared']"
    assert heavy == "[]"  # each costs ~1 % of an `import numpy`; loaded on first use only
    np.testing.assert_array_equal(np.load(tmp_path / "y.npy"), [0.0, 2.0])


def test_every_command_module_is_listed_and_loads() -> None:
    # The group's help lists every command of actcli.commands, each with its module's command.
    assert set(COMMANDS) == {"bench", "compare", "eval", "grad", "info", "list", "loss", "plot"}
    for name in COMMANDS:
        assert _command(name).name == name


def test_version() -> None:
    assert ok("--version").stdout == f"actcli, version {actcli.__version__}\n"


def test_name_type_completes_names_and_aliases() -> None:
    ctx = click.Context(cli)
    items = shared.ACTIVATION.shell_complete(ctx, click.Argument(["name"]), "hard")
    values = {i.value for i in items}
    assert {"hardtanh", "hardswish", "hard_tanh", "hard_swish"} <= values
    assert all(v.startswith("hard") for v in values)


# --------------------------------------------------------------------------------------------
# Inputs


def test_eval_npy_keeps_float32() -> None:
    x = np.load(SAMPLES / "range.npy")
    out = ok("eval", "relu6", SAMPLES / "range.npy", "--format", "npy").stdout_bytes
    y = np.load(io.BytesIO(out))
    assert y.dtype == np.float32
    np.testing.assert_array_equal(y, np.clip(x, 0, 6))


def test_eval_csv_with_header_gives_rows() -> None:
    y = csv_values(ok("eval", "relu", SAMPLES / "logits.csv").stdout)
    assert same_bits(y, np.maximum(logits(), 0))


def test_eval_npz_key_and_whitespace_txt() -> None:
    with np.load(SAMPLES / "batch.npz") as z:
        x = z["logits"]
    out = ok("eval", "relu", SAMPLES / "batch.npz", "--key", "logits", "--format", "npy")
    y = np.load(io.BytesIO(out.stdout_bytes))
    assert y.dtype == np.float32 and y.shape == x.shape
    np.testing.assert_array_equal(y, np.maximum(x, 0))
    txt = np.loadtxt(SAMPLES / "values.txt")
    assert same_bits(csv_values(ok("eval", "relu", SAMPLES / "values.txt").stdout), txt.clip(0))


def test_eval_tsv_and_json_inputs(tmp_path: Path) -> None:
    (tmp_path / "a.tsv").write_text("a\tb\n-1\t2\n3\t-4\n")
    (tmp_path / "a.json").write_text("[[[-1, 2]], [[3, -4]]]")
    assert ok("eval", "relu", tmp_path / "a.tsv").stdout == "a,b\n0.0,2.0\n3.0,0.0\n"
    out = json.loads(ok("eval", "relu", tmp_path / "a.json", "--format", "json").stdout)
    assert out == [[[0.0, 2.0]], [[3.0, 0.0]]]


def test_a_csv_header_goes_out_in_csv_tsv_and_tables(tmp_path: Path) -> None:
    (tmp_path / "l.csv").write_text("cat,dog,bird,fish\n1,-2,3,-4\n-5,6,-7,8\n")
    want = "cat,dog,bird,fish\n1.0,0.0,3.0,0.0\n0.0,6.0,0.0,8.0\n"
    assert ok("eval", "relu", tmp_path / "l.csv").stdout == want
    # written over itself, the file keeps its header
    result = ok("eval", "relu", tmp_path / "l.csv", "-o", tmp_path / "l.csv")
    assert (tmp_path / "l.csv").read_text() == want and result.stderr.startswith("Wrote ")
    ok("eval", "relu", tmp_path / "l.csv", "-o", tmp_path / "l.tsv")
    assert (tmp_path / "l.tsv").read_text() == want.replace(",", "\t")
    # through a pipe (stdin), and in the table
    assert ok("eval", "relu", "-", input=want).stdout == want
    table = ok("eval", "relu", tmp_path / "l.csv", "--format", "table").stdout
    assert re.search(r"cat +dog +bird +fish +cat +dog +bird +fish", table), table
    one = ok("eval", "relu", "-", "--format", "table", input="speed\n-1\n2\n").stdout
    assert re.search(r"speed +relu\(x\)", one), one


def test_json_output_carries_the_header_and_no_bare_nan(tmp_path: Path) -> None:
    def strict(text: str) -> Any:
        return json.loads(text, parse_constant=lambda word: pytest.fail(f"bare {word}"))

    (tmp_path / "l.csv").write_text("cat,dog\n0.1,-2\nnan,inf\n")
    out = ok("eval", "relu", tmp_path / "l.csv", "--json").stdout
    assert strict(out) == {"columns": ["cat", "dog"], "data": [[0.1, 0.0], ["nan", "inf"]]}
    # read back (a file, stdin): the names and every bit come back
    (tmp_path / "t.json").write_text(out)
    back = ok("eval", "identity", tmp_path / "t.json", "--format", "csv").stdout
    assert back == "cat,dog\n0.1,0.0\nnan,inf\n"
    assert ok("eval", "identity", "-", "--json", input=out).stdout == out
    ok("eval", "identity", tmp_path / "t.json", "-o", tmp_path / "u.json")
    assert (tmp_path / "u.json").read_text() == out
    # without a header: a plain list, infinities as strings; the loss value too
    assert strict(ok("eval", "relu", "--values", "-inf,inf,nan", "--json").stdout) == [
        0.0,
        "inf",
        "nan",
    ]
    loss = ok("loss", "mse", "--values", "input=nan", "--values", "target=1", "--json").stdout
    assert strict(loss)["value"] == "nan"


def test_a_header_that_does_not_fit_the_result_is_left_out_with_a_note(tmp_path: Path) -> None:
    (tmp_path / "l.csv").write_text("a,b,c,d\n1,-2,3,-4\n")
    result = ok("eval", "glu", tmp_path / "l.csv")  # halves the columns
    assert result.stdout.count("\n") == 1 and "a," not in result.stdout
    assert result.stderr == (
        "Note: the input's header (4 names) does not fit the result (2 columns); it is left out\n"
    )


def test_a_one_name_header_over_two_columns_is_counted_in_the_singular(tmp_path: Path) -> None:
    (tmp_path / "l.csv").write_text("logits\n3,-4\n")
    result = ok("eval", "relu", tmp_path / "l.csv")
    assert result.stdout == "3.0,0.0\n"
    assert result.stderr == (
        "Note: the input's header (1 name) does not fit the result (2 columns); it is left out\n"
    )


def test_header_names_are_escaped_in_tables(tmp_path: Path) -> None:
    (tmp_path / "l.csv").write_text("[bold]x\x1b[31m,y\n1,2\n")
    table = ok("eval", "relu", tmp_path / "l.csv", "--format", "table").stdout
    assert "[bold]x\\x1b[31m" in table and "\x1b" not in table


def test_values_and_range() -> None:
    assert ok("eval", "relu", "--values=-2,-1,0,1.5").stdout == "0.0\n0.0\n0.0\n1.5\n"
    assert ok("eval", "relu", "--values", "-2 3").stdout == "0.0\n3.0\n"
    assert ok("eval", "relu", "--range", "-1:1:5").stdout == "0.0\n0.0\n0.0\n0.5\n1.0\n"


def test_dtype_casts_the_input() -> None:
    out = ok("eval", "sigmoid", "--values", "0.5", "--dtype", "float32", "--format", "npy")
    y = np.load(io.BytesIO(out.stdout_bytes))
    assert y.dtype == np.float32
    assert y[0] == actcli.evaluate("sigmoid", np.float32([0.5]))[0]


def test_stdin_text_and_npy() -> None:
    text = (SAMPLES / "logits.csv").read_text()
    assert same_bits(csv_values(ok("eval", "relu", "-", input=text).stdout), logits().clip(0))
    assert same_bits(csv_values(ok("eval", "relu", input=text).stdout), logits().clip(0))
    raw = (SAMPLES / "range.npy").read_bytes()
    y = np.load(io.BytesIO(ok("eval", "relu", "-", "--format", "npy", input=raw).stdout_bytes))
    assert y.dtype == np.float32
    np.testing.assert_array_equal(y, np.load(SAMPLES / "range.npy").clip(0))


def test_npy_through_stdout_and_back_in() -> None:
    first = ok("eval", "relu", SAMPLES / "range.npy", "--format", "npy").stdout_bytes
    second = ok("eval", "tanh", "-", "--format", "npy", input=first).stdout_bytes
    expected = actcli.evaluate("tanh", np.load(SAMPLES / "range.npy").clip(0))
    np.testing.assert_array_equal(np.load(io.BytesIO(second)), expected)


# --------------------------------------------------------------------------------------------
# Outputs


@pytest.mark.parametrize("ext", [".npy", ".npz", ".csv", ".tsv", ".txt", ".json"])
def test_every_output_format(tmp_path: Path, ext: str) -> None:
    out = tmp_path / f"y{ext}"
    result = ok("eval", "softsign", SAMPLES / "logits.csv", "-o", out)
    assert result.stdout == ""
    assert result.stderr == f"Wrote {out} (shape (3, 4), float64)\n"
    expected = actcli.evaluate("softsign", logits())
    if ext == ".npy":
        got = np.load(out)
    elif ext == ".npz":
        with np.load(out) as z:
            got = z["arr_0"]
    elif ext == ".json":  # the table object: the input's header, and the rows
        doc = json.loads(out.read_text())
        assert doc["columns"] == ["cat", "dog", "bird", "fish"]
        got = np.array(doc["data"])
    else:
        sep = {".csv": ",", ".tsv": "\t", ".txt": " "}[ext]
        header, *lines = out.read_text().split("\n")[:-1]
        assert header == sep.join(["cat", "dog", "bird", "fish"])  # the input's, kept
        got = np.array([[float(c) for c in line.split(sep)] for line in lines])
    assert same_bits(got, expected)
    assert sorted(os.listdir(tmp_path)) == [out.name]


def test_format_overrides_and_table() -> None:
    out = ok("eval", "relu", "--values=-1,2", "--format", "json").stdout
    assert out == "[0.0, 2.0]\n"
    table = ok("eval", "relu", "--values=-1,2", "--format", "table").stdout
    rows = [line.split() for line in table.splitlines() if line.strip()]
    assert rows[0] == ["x", "relu(x)"] and ["0", "-1", "0"] in rows and ["1", "2", "2"] in rows
    assert "relu(x): shape (2,) · float64 · min 0 · max 2 · mean 1 · std 1" in table


def test_terminal_gets_a_table_and_a_pipe_gets_csv(monkeypatch: pytest.MonkeyPatch) -> None:
    assert ok("eval", "relu", "--values=1").stdout == "1.0\n"
    monkeypatch.setattr(shared, "_stdout_is_terminal", lambda: True)
    assert "relu(x)" in ok("eval", "relu", "--values=1").stdout
    result = run("eval", "relu", "--values=1", "--format", "npy")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: refusing to write binary NPY to a terminal; redirect stdout or use -o\n"
    )


def test_output_can_replace_the_input(tmp_path: Path) -> None:
    p = tmp_path / "x.npy"
    np.save(p, np.array([-1.0, 2.0]))
    ok("eval", "relu", p, "-o", p)
    assert np.load(p).tolist() == [0.0, 2.0]


# --------------------------------------------------------------------------------------------
# Parameters


def test_param_parsing() -> None:
    assert ok("eval", "leaky_relu", "--values=-1,1", "-p", "negative_slope=0.2").stdout == (
        "-0.2\n1.0\n"
    )
    assert ok("eval", "leaky_relu", "--values=-1", "-p", "negative-slope=0.5").stdout == "-0.5\n"
    tanh = ok("eval", "gelu", "--values=1", "-p", "approximate=tanh").stdout
    assert float(tanh) == actcli.evaluate("gelu", [1.0], approximate="tanh")[0]
    assert float(tanh) != actcli.evaluate("gelu", [1.0])[0]
    thr = ok("eval", "threshold", "--values=0,1", "-p", "threshold=0.5", "-p", "value=-7")
    assert thr.stdout == "-7.0\n1.0\n"


def test_dim_seed_and_training_options() -> None:
    by_col = csv_values(ok("eval", "softmax", SAMPLES / "logits.csv", "--dim", "0").stdout)
    np.testing.assert_allclose(by_col.sum(axis=0), 1.0, rtol=1e-15)
    same = ok("eval", "softmax", SAMPLES / "logits.csv", "-p", "dim=0").stdout
    assert csv_values(same).tolist() == by_col.tolist()
    a = ok("eval", "rrelu", "--range", "-4:-1:4", "--training", "--seed", "3").stdout
    b = ok("eval", "rrelu", "--range", "-4:-1:4", "-p", "training=true", "-p", "seed=3").stdout
    expected = actcli.evaluate("rrelu", np.linspace(-4, -1, 4), training=True, seed=3)
    assert a == b and same_bits(csv_values(a), expected)
    assert ok("eval", "rrelu", "--values=-1").stdout == f"{-(1 / 8 + 1 / 3) / 2!r}\n"


def test_prelu_weight_per_channel() -> None:
    out = ok("eval", "prelu", SAMPLES / "logits.csv", "-p", "weight=0.1,0.2,0.3,0.4").stdout
    y = csv_values(out)
    assert y[0].tolist() == [2.1, -0.4 * 0.2, 0.3, -1.7 * 0.4]


# --------------------------------------------------------------------------------------------
# grad


def test_grad_is_the_derivative() -> None:
    assert ok("grad", "relu", "--values=-1,0,1").stdout == "0.0\n0.0\n1.0\n"
    assert ok("grad", "leaky_relu", "--values=0", "-p", "negative_slope=0.2").stdout == "0.2\n"


def test_grad_with_grad_output_is_the_vjp(tmp_path: Path) -> None:
    out = ok(
        "grad", "softmax", SAMPLES / "batch.npz", "--key", "logits",
        "--grad-output", SAMPLES / "batch.npz", "--grad-key", "grad_output", "--format", "npy",
    )  # fmt: skip
    with np.load(SAMPLES / "batch.npz") as z:
        expected = actcli.gradient("softmax", z["logits"], z["grad_output"])
    got = np.load(io.BytesIO(out.stdout_bytes))
    assert got.dtype == np.float32
    np.testing.assert_array_equal(got, expected)
    g = tmp_path / "g.csv"
    g.write_text("2\n3\n")
    assert ok("grad", "tanh", "--values=0,0", "--grad-output", g).stdout == "2.0\n3.0\n"
    assert ok("grad", "tanh", "--values=0", "--grad-output", "-", input="5\n").stdout == "5.0\n"


# --------------------------------------------------------------------------------------------
# Every activation on the sample inputs


def sample_for(name: str) -> Path:
    return SAMPLES / ("logits.csv" if actcli.get(name).kind == "axis" else "range.npy")


def load_sample(path: Path) -> np.ndarray:
    return logits() if path.suffix == ".csv" else np.load(path)


@pytest.mark.parametrize("name", actcli.names())
def test_eval_and_grad_every_activation_match_the_library(name: str) -> None:
    path = sample_for(name)
    extra = illustrative_args(name)
    params = actcli.get(name).illustrative()
    x = load_sample(path)
    for command, fn in (("eval", actcli.evaluate), ("grad", actcli.gradient)):
        out = ok(command, name, path, *extra, "--format", "npy").stdout_bytes
        got = np.load(io.BytesIO(out))
        expected = fn(name, x, **params)
        assert got.dtype == expected.dtype == x.dtype
        assert same_bits(got, expected)


@pytest.mark.parametrize("name", actcli.names())
def test_info_every_activation(name: str) -> None:
    act = actcli.get(name)
    out = ok("info", name, *illustrative_args(name)).stdout
    assert name in out and "Properties" in out and "Worked example" in out
    data = json.loads(ok("info", name, "--json").stdout)
    assert data["name"] == name and data["formula"] == act.doc.formula
    assert [p["name"] for p in data["parameters"]] == list(act.param_names)


def test_info_example_follows_params() -> None:
    data = json.loads(ok("info", "leaky_relu", "-p", "negative_slope=0.5", "--json").stdout)
    assert data["example"]["f"][0] == -1.5
    assert "leaky_relu" in ok("info", "LEAKY-RELU").stdout


def test_list_table_and_json() -> None:
    out = CliRunner(env={"COLUMNS": "200"}).invoke(cli, ["list"]).stdout
    first_words = [line.split(" ")[0] for line in out.splitlines()]
    for name in actcli.names():
        assert name in first_words
    data = json.loads(ok("list", "--kind", "activation", "--json").stdout)
    assert [d["name"] for d in data] == actcli.names()
    assert data[0]["torch"] == "torch.nn.functional.relu"


@pytest.mark.parametrize("width", [60, 80, 100])
def test_list_of_losses_folds_for_the_terminal(width: int) -> None:
    out = CliRunner(env={"COLUMNS": str(width)}).invoke(cli, ["list", "--kind", "loss"]).stdout
    assert max(len(line.rstrip()) for line in out.splitlines()) <= width
    assert "binary_cross_entropy_with_logits" in out.split() and "…" not in out
    assert ("under each name" in out) == (width < 100)


# --------------------------------------------------------------------------------------------
# Errors: one "Error:" line on stderr, nothing on stdout, the right exit code


def bad_files(tmp: Path) -> dict[str, Path]:
    files = {
        "ragged.csv": "1,2\n3\n",
        "cells.csv": "a,b\n1,2\n3,oops\n",
        "empty.csv": "",
        "sheet.xlsx": "1,2",
    }
    out = {}
    for name, text in files.items():
        (tmp / name).write_text(text)
        out[name.split(".")[0]] = tmp / name
    np.save(tmp / "objects.npy", np.array([{"a": 1}], dtype=object), allow_pickle=True)
    np.save(tmp / "records.npy", np.zeros(2, dtype=[("a", "f8")]))
    np.save(tmp / "empty.npy", np.zeros(0))
    (tmp / "truncated.npy").write_bytes((SAMPLES / "range.npy").read_bytes()[:-8])
    np.save(tmp / "cube.npy", np.zeros((2, 2, 2)))
    (tmp / "folder.csv").mkdir()
    for name in ("objects", "records", "empty_npy", "truncated", "cube"):
        out[name] = tmp / f"{name.removesuffix('_npy')}.npy"
    out["folder"] = tmp / "folder.csv"
    return out


ERRORS = [
    # (args, stdin, exit code, the stderr line)
    (["eval", "reluu", "--values=1"], None, 2,
     "Invalid value for 'NAME': unknown activation 'reluu' (did you mean 'relu' or 'rrelu' or "
     "'relu6'?); see 'actcli list'"),
    (["eval", "leaky_relu", "--values=1", "-p", "slope=1"], None, 2,
     "Invalid value for '--param': unknown parameter 'slope' for leaky_relu; expected one of: "
     "negative_slope"),
    (["eval", "leaky_relu", "--values=1", "-p", "negative_slop=1"], None, 2,
     "Invalid value for '--param': unknown parameter 'negative_slop' for leaky_relu (did you "
     "mean 'negative_slope'?); expected one of: negative_slope"),
    (["eval", "relu", "--values=1", "-p", "alpha=1"], None, 2,
     "Invalid value for '--param': relu takes no parameters, got 'alpha'"),
    (["eval", "elu", "--values=1", "-p", "alpha=abc"], None, 2,
     "Invalid value for '--param': parameter 'alpha' must be a number, got 'abc'"),
    (["eval", "elu", "--values=1", "-p", "alpha=-1"], None, 2,
     "Invalid value for '--param': parameter 'alpha' of elu must be >= 0, got -1"),
    (["eval", "elu", "--values=1", "-p", "alpha"], None, 2,
     "Invalid value for '--param': expected KEY=VALUE, got 'alpha'"),
    (["eval", "elu", "--values=1", "-p", "alpha=1", "-p", "alpha=2"], None, 2,
     "Invalid value for '--param': parameter 'alpha' is given twice"),
    (["eval", "threshold", "--values=1"], None, 2,
     "Invalid value for '--param': threshold needs parameter 'threshold' "
     "(inputs at or below this are replaced)"),
    (["eval", "softmax", "--values=1,2", "--dim", "1"], None, 2,
     "Invalid value for '--param': parameter 'dim' of softmax must be in [-1, 0] for a 1-D "
     "input, got 1"),
    (["eval", "relu", "--values=1", "--dim", "0"], None, 2,
     "--dim does not apply to relu: relu takes no parameters, got 'dim'"),
    (["eval", "relu", "{tmp}/missing.csv"], None, 2,
     "Invalid value for '[INPUT]': File '{tmp}/missing.csv' does not exist."),
    (["eval", "relu", "{folder}"], None, 2,
     "Invalid value for '[INPUT]': File '{folder}' is a directory."),
    (["eval", "relu", "{sheet}"], None, 2,
     "'{sheet}' has extension '.xlsx'; expected one of: .npy, .npz, .csv, .tsv, .txt, .json"),
    (["eval", "relu", "--values=1", "-o", "{tmp}/out.xyz"], None, 2,
     "cannot tell the output format: '{tmp}/out.xyz' has extension '.xyz'; expected one of: "
     ".npy, .npz, .csv, .tsv, .txt, .json (or give --format)"),
    (["eval", "relu", "--values=1", "-o", "{tmp}/o.csv", "--format", "table"], None, 2,
     "--format table is for the terminal; it cannot go to a file (-o)"),
    (["eval", "relu", "--values=1", "--range", "0:1:3"], None, 2,
     "give one input: a file (or - for stdin), --values or --range"),
    (["eval", "relu", "--range", "0:1:2:3"], None, 2,
     "expected START:STOP:N (for example -6:6:121), got '0:1:2:3'"),
    (["eval", "relu", "--range", "1:0:3"], None, 2, "need finite START < STOP in START:STOP:N, "
     "got '1:0:3'"),
    (["eval", "relu", "--range", "0:1:x"], None, 2,
     "N must be an integer in START:STOP:N, got 'x'"),
    (["eval", "relu", "--values", "1,two"], None, 2, "--values: 'two' is not a number"),
    (["eval", "relu", "--values=1", "--dtype", "int8"], None, 2,
     "Invalid value for '--dtype': 'int8' is not one of 'float16', 'float32', 'float64'."),
    (["eval", "relu", "--bogus"], None, 2, "No such option '--bogus'. (see 'actcli eval --help')"),
    (["eval"], None, 2, "Missing argument 'NAME'. (see 'actcli eval --help')"),
    (["evil"], None, 2, "No such command 'evil'. Did you mean 'eval'? (see 'actcli --help')"),
    (["eval", "relu", "{cells}"], None, 1,
     "{cells}, line 3, column 2: 'oops' is not a number"),
    (["eval", "relu", "{ragged}"], None, 1,
     "{ragged}, line 2: 1 values, but line 1 has 2 (rows must all have the same number of "
     "columns)"),
    (["eval", "relu", "{empty}"], None, 1, "{empty} holds no numbers"),
    (["eval", "relu", "-"], "", 1, "stdin holds no numbers"),
    (["eval", "relu", "{objects}"], None, 1,
     "{objects} holds Python objects (refused: actcli never unpickles); actcli needs an "
     "array of numbers"),
    (["eval", "relu", "{records}"], None, 1,
     "{records} holds structured records; actcli needs an array of numbers"),
    (["eval", "relu", "{truncated}"], None, 1,
     "{truncated} is truncated: its header promises 52 bytes of data (shape (13,), float32) "
     "but only 44 follow"),
    (["eval", "relu", "{batch}"], None, 1,
     "{batch} holds several arrays; choose one with --key: logits, grad_output"),
    (["eval", "relu", "{batch}", "--key", "x"], None, 1,
     "{batch} has no array 'x'; its keys are: logits, grad_output"),
    (["eval", "relu", "{batch_dir}/range.npy", "--key", "x"], None, 2,
     "a key ('x') only applies to .npz files, not '{batch_dir}/range.npy'"),
    (["eval", "relu", "--values=1", "--key", "x"], None, 2,
     "a key ('x') only applies to .npz input"),
    (["grad", "relu", "--values=1,2", "--grad-output", "-"], "1\n2\n3\n", 1,
     "grad_output has shape (3,) but relu's output has shape (2,)"),
    (["grad", "relu", "-", "--grad-output", "-"], "1\n", 2,
     "stdin can feed only one input; give a file for the other"),
    (["eval", "relu", "{cube}"], None, 1,
     "CSV holds 1-D or 2-D data, but the result has shape (2, 2, 2); write .npy, .npz or .json "
     "instead (JSON keeps any shape)"),
    (["eval", "relu", "--values=1", "-o", "{tmp}/no/such/dir/out.npy"], None, 1,
     "cannot write '{tmp}/no/such/dir/out.npy': No such file or directory"),
]  # fmt: skip


@pytest.mark.parametrize(("args", "stdin", "code", "message"), ERRORS)
def test_errors_are_one_line_with_the_right_exit_code(
    tmp_path: Path, args: list[str], stdin: str | None, code: int, message: str
) -> None:
    names = {k: str(v) for k, v in bad_files(tmp_path).items()}
    names |= {"tmp": str(tmp_path), "batch": str(SAMPLES / "batch.npz"), "batch_dir": str(SAMPLES)}
    result = run(*(a.format(**names) for a in args), input=stdin)
    assert result.exit_code == code, result.stderr
    assert result.stderr == f"Error: {message.format(**names)}\n"
    assert result.stdout == ""
    assert not isinstance(result.exception, Exception) or isinstance(result.exception, SystemExit)


def test_stdin_that_is_a_terminal_with_no_input(monkeypatch: pytest.MonkeyPatch) -> None:
    class Terminal(io.BytesIO):
        def isatty(self) -> bool:
            return True

    monkeypatch.setattr(shared, "_stdin", lambda: options.StdinOnce(Terminal()))
    result = run("eval", "relu")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: no input: give a file, - for piped stdin, --values or --range "
        "(stdin is a terminal, not a pipe)\n"
    )


def test_a_failed_run_leaves_an_existing_output_untouched(tmp_path: Path) -> None:
    out = tmp_path / "out.csv"
    out.write_text("precious\n")
    bad = tmp_path / "g.csv"
    bad.write_text("1\n2\n3\n")
    result = run("grad", "relu", "--values=1,2", "--grad-output", bad, "-o", out)
    assert result.exit_code == 1
    cube = tmp_path / "cube.npy"
    np.save(cube, np.zeros((2, 2, 2)))
    assert run("eval", "relu", cube, "-o", out).exit_code == 1
    assert out.read_text() == "precious\n"
    assert sorted(os.listdir(tmp_path)) == ["cube.npy", "g.csv", "out.csv"]


# --------------------------------------------------------------------------------------------
# Round trip through the CLI: text output read back with --dtype gives the same bits

IDENTITY = ["hardtanh", "-p", "min_val=-1e38", "-p", "max_val=1e38"]  # f(x) = x on the data


@settings(max_examples=25, deadline=None)
@given(
    arr=hnp.arrays(
        st.sampled_from([np.float32, np.float64]),
        hnp.array_shapes(min_dims=1, max_dims=2, min_side=2, max_side=5),
        elements=st.floats(-(2.0**120), 2.0**120, width=32),
    ),
    fmt=st.sampled_from(["csv", "json"]),
)
def test_text_output_round_trips_bit_for_bit(arr: np.ndarray, fmt: str) -> None:
    buf = io.BytesIO()
    np.save(buf, arr)
    text = ok("eval", *IDENTITY, "-", "--format", fmt, input=buf.getvalue()).stdout
    back = ok("eval", *IDENTITY, "-", "--dtype", arr.dtype.name, "--format", "npy", input=text)
    got = np.load(io.BytesIO(back.stdout_bytes))
    assert got.dtype == arr.dtype and got.shape == arr.shape
    assert np.array_equal(got.view(f"u{arr.itemsize}"), arr.view(f"u{arr.itemsize}"))


# --------------------------------------------------------------------------------------------
# The installed program, for real


def actcli_exe() -> str:
    exe = shutil.which("actcli")
    assert exe is not None, "the actcli console script is not installed (pip install -e .)"
    return exe


def test_real_pipeline_of_text_and_npy() -> None:
    exe = actcli_exe()
    with open(SAMPLES / "logits.csv", "rb") as src:
        first = subprocess.Popen([exe, "eval", "relu", "-"], stdin=src, stdout=subprocess.PIPE)
        second = subprocess.run(
            [exe, "eval", "tanh", "-"], stdin=first.stdout, capture_output=True, check=True
        )
        assert first.stdout is not None
        first.stdout.close()
        assert first.wait() == 0
    expected = actcli.evaluate("tanh", actcli.evaluate("relu", logits()))
    assert same_bits(csv_values(second.stdout.decode()), expected)
    assert second.stderr == b""
    npy = subprocess.run(
        f"'{exe}' eval relu '{SAMPLES / 'range.npy'}' --format npy | '{exe}' eval tanh - "
        "--format npy",
        shell=True,
        capture_output=True,
        check=True,
    )
    expected32 = actcli.evaluate("tanh", np.load(SAMPLES / "range.npy").clip(0))
    np.testing.assert_array_equal(np.load(io.BytesIO(npy.stdout)), expected32)


@pytest.mark.parametrize("fmt", ["csv", "npy"])
def test_a_closed_pipe_ends_quietly(tmp_path: Path, fmt: str) -> None:
    np.save(tmp_path / "x.npy", np.linspace(-1, 1, 2_000_000))  # far more than a pipe holds
    proc = subprocess.run(
        f"'{actcli_exe()}' eval relu x.npy --format {fmt} | head -c 10 > /dev/null; "
        'echo "${PIPESTATUS[0]}"',
        shell=True,
        executable="/bin/bash",
        cwd=tmp_path,
        capture_output=True,
        text=True,
    )
    assert proc.stderr == ""
    assert proc.stdout == "141\n"  # 128 + SIGPIPE, the shell's code for a process SIGPIPE ended


def test_real_errors_have_no_traceback() -> None:
    proc = subprocess.run(
        [actcli_exe(), "eval", "relu", "--values=1", "-p", "x=1"], capture_output=True, text=True
    )
    assert proc.returncode == 2
    assert proc.stderr == "Error: Invalid value for '--param': relu takes no parameters, got 'x'\n"


def test_eval_to_a_file_imports_no_heavy_modules(tmp_path: Path) -> None:
    np.save(tmp_path / "x.npy", np.linspace(-8, 8, 100))
    code = (
        "import sys\n"
        "from actcli.cli import cli\n"
        "try:\n"
        "    cli(['eval', 'relu6', 'x.npy', '-o', 'y.npy'])\n"
        "except SystemExit as e:\n"
        "    assert e.code == 0, e.code\n"
        "print(sorted({m.split('.')[0] for m in sys.modules}"
        " & {'scipy', 'matplotlib', 'torch', 'rich'}))\n"
        "print(sorted(m for m in sys.modules if m.startswith('actcli.activations.')))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, check=True
    )
    # Only relu6's family and its support modules are imported (compiled, without cached
    # bytecode): start-up is speed.
    heavy, families = proc.stdout.splitlines()
    assert heavy == "[]"
    assert families == (
        "['actcli.activations._common', 'actcli.activations._lazyref', "
        "'actcli.activations.piecewise']"
    )
    assert np.load(tmp_path / "y.npy").max() == 6.0


# --------------------------------------------------------------------------------------------
# README: every `$ actcli ...` example prints exactly what the README shows

README = SAMPLES.parent / "README.md"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]|\x1b\][^\x07]*\x07")


def readme_examples() -> list[tuple[str, str]]:
    """(command, expected output) for each `$ ` line in the README's console blocks."""
    examples: list[tuple[str, str]] = []
    block: list[str] | None = None
    for line in README.read_text().splitlines():
        if line.startswith("```console"):
            block = []
        elif line.startswith("```") and block is not None:
            examples += _split_block(block)
            block = None
        elif block is not None:
            block.append(line)
    return examples


def _split_block(lines: list[str]) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for line in lines:
        if line.startswith("$ "):
            out.append((line[2:], ""))
        else:
            cmd, text = out[-1]
            out[-1] = (cmd, text + line + "\n")
    return out


def run_in_terminal(command: str, cwd: Path, columns: int = 100) -> str:
    """Run a shell command with a 100-column pseudo-terminal as stdin, stdout and stderr."""
    import fcntl
    import pty
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 50, columns, 0, 0))
    env = dict(os.environ, TERM="xterm", NO_COLOR="1", COLUMNS=str(columns))
    proc = subprocess.Popen(
        ["bash", "-c", command], stdin=slave, stdout=slave, stderr=slave, cwd=cwd, env=env
    )
    os.close(slave)
    chunks = []
    while True:
        try:
            data = os.read(master, 65536)
        except OSError:  # EIO: the terminal closed
            break
        if not data:
            break
        chunks.append(data)
    proc.wait(timeout=60)
    os.close(master)
    text = ANSI.sub("", b"".join(chunks).decode()).replace("\r", "")
    return "".join(line.rstrip() + "\n" for line in text.splitlines())


@pytest.mark.skipif(sys.platform == "win32", reason="needs a POSIX pseudo-terminal")
def test_readme_examples_print_what_the_readme_shows(tmp_path: Path) -> None:
    actcli_exe()
    examples = readme_examples()
    assert len(examples) >= 10
    shutil.copytree(SAMPLES, tmp_path / "sample_inputs")
    for command, expected in examples:
        assert run_in_terminal(command, tmp_path) == expected, command


def test_grad_order_two_prints_the_second_derivative() -> None:
    out = ok("grad", "relu", "--values=-1,0,1", "--order", "2", "--format", "json").stdout
    assert out == "[0.0, 0.0, 0.0]\n"
    # elu'' = exp(x) for x < 0, 0 at 0 (PyTorch's double backward) and above
    out = ok("grad", "elu", "--values=-1,0,1", "--order", "2", "--format", "csv").stdout
    assert out.split() == ["0.36787944117144233", "0.0", "0.0"]
    table = ok("grad", "tanh", "--values=0,1", "--order", "2", "--format", "table").stdout
    assert "tanh''(x)" in table


def test_grad_order_two_refuses_axis_functions_and_bad_orders() -> None:
    r = run("grad", "softmax", "--values=1,2", "--order", "2")
    assert r.exit_code == 2
    assert "Error: --order 2 needs an elementwise activation" in r.stderr
    r = run("grad", "x**2", "--values=1", "--order", "2")
    assert r.exit_code == 2
    assert (
        r.stderr == "Error: second derivatives of formulas are not supported yet (built-ins only)\n"
    )
    r = run("grad", "relu", "--values=1", "--order", "3")
    assert r.exit_code == 2 and "Error:" in r.stderr


def test_info_shows_the_second_derivative() -> None:
    out = ok("info", "gelu").stdout
    assert "f''(x)" in out and "φ(x)(2 - x²)" in out


# --------------------------------------------------------------------------------------------
# compare


def test_compare_prints_the_table() -> None:
    out = ok("compare", "relu", "gelu", "selu", "--no-timing").stdout
    for row in (
        "E[f(X)]",
        "Var[f(X)]",
        "E[f'(X)²]",
        "P(f'(X) = 0)",
        "smoothness",
        "max |f - relu|",
    ):
        assert row in out, row
    assert "0.3989423 " in out  # E[relu(X)] = 1/sqrt(2 pi) = 0.39894228..., 7 digits
    assert "yes, stable" in out  # SELU's (0, 1) fixed point
    assert "ns/element" not in out


def test_compare_json_has_every_figure_and_spells_infinity() -> None:
    out = ok("compare", "gelu", "swish", "-p", "swish.beta=1.702", "--json", "--no-timing").stdout
    data = json.loads(out)
    gelu, quick = data["functions"]
    assert gelu["gaussian"]["grad_mean"] == pytest.approx(0.5, rel=1e-15)
    assert gelu["limits"]["f(+inf)"] == "inf"
    assert quick["label"] == "swish(beta=1.702)"
    assert quick["vs_first"]["max"] == pytest.approx(0.0203349, abs=1e-7)


def test_compare_column_numbers_and_timing() -> None:
    out = ok("compare", "gelu", "gelu", "-p", "2.approximate=tanh", "--json").stdout
    a, b = json.loads(out)["functions"]
    assert b["params"]["approximate"] == "tanh" and a["params"]["approximate"] == "none"
    assert a["timing"]["forward_ns"] > 0 and b["timing"]["gradient_ns"] > 0


def test_compare_plot_writes_a_png(tmp_path: Path) -> None:
    target = tmp_path / "c.png"
    r = run("compare", "relu", "elu", "--no-timing", "--plot", str(target))
    assert r.exit_code == 0, r.stderr
    assert target.read_bytes()[:4] == b"\x89PNG"
    assert f"Wrote {target}" in r.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["relu", "-p", "beta=1"], "expected NAME.KEY=VALUE"),
        (["relu", "-p", "gelu.approximate=tanh"], "'gelu' in 'gelu.approximate=tanh' is not"),
        (["relu", "-p", "3.x=1"], "column 3 does not exist"),
        (["relu", "-p", "relu.slope=1"], "relu takes no parameters"),
        (["softmax"], "compare takes elementwise activations; softmax is not"),
        (["relu", "--range", "-2:2"], "--range and --legend shape the figure of --plot"),
        (["relu", "--legend", "outside"], "--range and --legend shape the figure of --plot"),
        (["relu", "--plot", "x.gif"], "unknown format '.gif'"),
        (["relu"] * 9, "at most 8 functions"),
        (["threshold", "-p", "threshold.value=x"], "'value' must be a number"),
    ],
)
def test_compare_usage_errors(args: list[str], message: str) -> None:
    r = run("compare", "--no-timing", *args)
    assert r.exit_code == 2, (r.exit_code, r.stderr)
    assert r.stderr.startswith("Error: ") and message in r.stderr
    assert len(r.stderr.strip().splitlines()) == 1


# --- issue 16: process-wide behaviour, through real processes ---------------------------------


def run_process(
    *args: str, env: dict[str, str] | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "actcli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        cwd=cwd,
        timeout=120,
    )


@pytest.mark.parametrize("value", ["abc", "0", "-2"])
def test_a_bad_actcli_num_threads_is_a_usage_error_up_front(value: str) -> None:
    proc = run_process("eval", "relu", "--values=1", env={"ACTCLI_NUM_THREADS": value})
    assert proc.returncode == 2
    assert proc.stderr == (f"Error: ACTCLI_NUM_THREADS must be a positive integer, got {value!r}\n")


@pytest.mark.parametrize("value", ["nan", "inf", "1e308", "-1"])
def test_bench_min_time_must_be_finite_and_bounded(value: str) -> None:
    proc = run_process("bench", "relu", "--size", "1e2", "--min-time", value)
    assert proc.returncode == 2
    assert proc.stderr.count("\n") == 1 and "--min-time" in proc.stderr


def test_the_range_width_does_not_overflow() -> None:
    proc = run_process("eval", "identity", "--range=-1e308:1e308:5", "--format", "csv")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.split() == ["-1e+308", "-5e+307", "0.0", "5e+307", "1e+308"]


def test_o_npy_with_format_csv_is_refused(tmp_path: Path) -> None:
    proc = run_process("eval", "relu", "--values=1", "-o", "x.npy", "--format", "csv", cwd=tmp_path)
    assert proc.returncode == 2
    assert proc.stderr.startswith("Error: -o 'x.npy' is .npy but --format is csv")
    assert list(tmp_path.iterdir()) == []


def test_runtime_warnings_stay_off_stderr() -> None:
    # leaky_relu's kernel multiplies every x by the slope: 1e308 * 10 overflows in NumPy.
    proc = run_process("eval", "leaky_relu", "--values=1e308", "-p", "negative_slope=10")
    assert proc.returncode == 0
    assert proc.stderr == ""


def test_matplotlib_cache_notes_stay_off_stderr(tmp_path: Path) -> None:
    home = tmp_path / "home"
    home.write_text("a file, so no config folder can be made under it")
    env = {"HOME": str(home), "XDG_CONFIG_HOME": "", "XDG_CACHE_HOME": "", "MPLCONFIGDIR": ""}
    env = {k: v for k, v in {**os.environ, **env}.items() if v}
    proc = subprocess.run(
        [sys.executable, "-m", "actcli", "plot", "relu", "-o", "r.png", "--points", "20"],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stderr == "Wrote r.png\n"


def test_input_derived_text_is_escaped_in_errors(tmp_path: Path) -> None:
    proc = run_process("eval", "re\x1b[31mlu", "--values=1")
    assert proc.returncode == 2
    assert "\x1b" not in proc.stderr and proc.stderr.count("\n") == 1
    # Not a bare word, so it is read as a formula: the caret marks the refused character.
    assert "re^\\x1b[31mlu" in proc.stderr


@pytest.mark.parametrize("shape", [(0,), (3, 0)])
def test_empty_arrays_pass_through(tmp_path: Path, shape: tuple[int, ...]) -> None:
    np.save(tmp_path / "e.npy", np.zeros(shape, np.float32))
    proc = subprocess.run(
        [sys.executable, "-m", "actcli", "eval", "relu", "e.npy", "--format", "npy"],
        capture_output=True,
        cwd=tmp_path,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    got = np.load(io.BytesIO(proc.stdout))
    assert got.shape == shape and got.dtype == np.float32
    assert run_process("eval", "softmax", "e.npy", "-o", "s.json", cwd=tmp_path).returncode == 0


# --- found by a new-user pass after the merges ------------------------------------------------
def test_a_symlink_whose_target_cannot_be_checked_is_refused_not_replaced(tmp_path: Path) -> None:
    loop_a, loop_b = tmp_path / "a.csv", tmp_path / "b.csv"
    loop_a.symlink_to(loop_b)
    loop_b.symlink_to(loop_a)  # a loop: stat() fails with ELOOP
    r = run("eval", "relu", "--values=1,2", "-o", str(loop_a))
    assert r.exit_code == 1 and r.stderr.startswith("Error: cannot write")
    assert "symlink" in r.stderr and loop_a.is_symlink() and loop_b.is_symlink()


def test_an_existing_output_need_not_be_readable(tmp_path: Path) -> None:
    out = tmp_path / "wo.csv"
    out.write_text("old\n")
    out.chmod(0o222)
    r = run("eval", "relu", "--values=1,2", "-o", str(out))
    assert r.exit_code == 0, r.stderr
    out.chmod(0o644)
    assert out.read_text().split() == ["1.0", "2.0"]


@pytest.mark.parametrize("args", [["list"], ["list", "--kind", "loss"]])
def test_rich_output_into_a_closed_pipe_exits_141(args: list[str]) -> None:
    # stdout is a pipe whose reader is already gone: the first write fails with EPIPE.
    read_end, write_end = os.pipe()
    os.close(read_end)
    try:
        proc = subprocess.run(
            [sys.executable, "-m", "actcli", *args], stdout=write_end, capture_output=False,
            stderr=subprocess.PIPE, timeout=60,
        )  # fmt: skip
    finally:
        os.close(write_end)
    assert proc.returncode == 141 and proc.stderr == b""


def test_summary_mean_does_not_overflow() -> None:
    out = ok("eval", "relu", "--values=1e308,1e308", "--format", "table").stdout
    assert "mean 1e+308" in out and "std 0" in out


# --------------------------------------------------------------------------------------------
# One vocabulary: --json and --format json everywhere; help that shows every default

JSON_RUNS = [
    ["eval", "relu", "--values=-1,2"],
    ["grad", "relu", "--values=-1,2"],
    ["loss", "mse", "--values", "input=0.5,2", "--values", "target=0,1"],
    ["list", "--kind", "loss"],
    ["info", "relu"],
    ["compare", "relu", "gelu", "--no-timing"],
]


@pytest.mark.parametrize("args", JSON_RUNS, ids=lambda a: a[0])
def test_json_and_format_json_are_the_same(args: list[str]) -> None:
    short, long = ok(*args, "--json").stdout, ok(*args, "--format", "json").stdout
    assert short == long
    json.loads(short)


def test_bench_takes_format_json_as_json() -> None:
    args = ["bench", "relu", "--size", "64", "--dtype", "float32", "--threads", "1"]
    args += ["--repeats", "1", "--min-time", "0", "--direction", "forward"]
    for spelling in (["--json"], ["--format", "json"]):
        data = json.loads(ok(*args, *spelling).stdout)
        assert [r["name"] for r in data["rows"]] == ["relu"]
    assert "actcli bench" in ok(*args, "--format", "table").stdout


@pytest.mark.parametrize(
    ("args", "fmt"),
    [(["eval", "relu", "--values=1"], "csv"), (["list"], "table"), (["info", "relu"], "table")],
)
def test_json_contradicted_by_format_is_a_usage_error(args: list[str], fmt: str) -> None:
    result = run(*args, "--json", "--format", fmt)
    assert result.exit_code == 2
    assert result.stderr == f"Error: --json and --format {fmt} disagree; give one of them\n"


@pytest.mark.parametrize("command", sorted(COMMANDS))
def test_every_option_is_described_and_shows_its_default(command: str) -> None:
    cmd = _command(command)
    group = cli.make_context("actcli", [command, "--help"], resilient_parsing=True)
    ctx = click.Context(cmd, info_name=command, parent=group)
    for param in cmd.get_params(ctx):
        if not isinstance(param, click.Option):
            continue
        record = param.get_help_record(ctx)
        assert record is not None and param.help, f"{command} {param.opts}: no description"
        default = param.get_default(ctx, call=False)  # Click's sentinel when there is none
        if isinstance(default, (str, int, float, tuple)) and default not in (False, ()):
            assert "[default: " in record[1], f"{command} {param.opts}: default not shown"


def test_help_shows_the_defaults_the_issue_named() -> None:
    bench_help = " ".join(ok("bench", "--help").stdout.split())
    for shown in ("[default: both]", "[default: 5; x>=1]", "[default: 0.2;", "float32,float64]"):
        assert shown in bench_help
    assert "Time f(x), its gradient, or both." in bench_help
    assert "[default: derivative]" in " ".join(ok("plot", "--help").stdout.split())


def test_group_help_lists_every_summary_uncut_at_100_columns() -> None:
    # A real process: CliRunner forces Click's help to 80 columns whatever COLUMNS says.
    out = run_process("--help", env={"COLUMNS": "100"}).stdout
    for name in COMMANDS:
        cmd = _command(name)
        summary = (cmd.help or "").splitlines()[0].strip()
        assert f"  {name}" in out and summary in out, summary
    assert "..." not in out.split("Commands:")[1]
    assert max(len(line) for line in out.splitlines()) <= 100


# --------------------------------------------------------------------------------------------
# Titles and summaries name the parameters that differ from the defaults


def summary_line(result: Result) -> str:
    """The summary under a table, unwrapped (it follows the table's last row)."""
    text = result.stdout
    return " ".join(text[text.rindex("\n", 0, text.index(": shape")) + 1 :].split())


def test_titles_and_summaries_show_non_default_parameters() -> None:
    out = ok("eval", "gelu", "--range", "-1:1:3", "-p", "approximate=tanh", "--format", "table")
    lines = out.stdout.splitlines()
    assert lines[0].split() == ["x", "gelu(x;", "approximate=tanh)"]
    assert summary_line(out).startswith("gelu(x; approximate=tanh): shape (3,)")
    # a parameter given at its default changes nothing
    plain = ok("eval", "gelu", "--values=1", "-p", "approximate=none", "--format", "table")
    assert summary_line(plain).startswith("gelu(x): shape (1,)")
    grad = ok(
        "grad", "leaky_relu", "--values=-1,1", "-p", "negative_slope=0.2", "--format", "table"
    )
    assert summary_line(grad).startswith("leaky_relu'(x; negative_slope=0.2): shape")
    dim = ok("eval", "softmax", "--values=1,2", "--dim", "0", "--format", "table")
    assert summary_line(dim).startswith("softmax(x; dim=0): shape (2,)")
    vjp = ok("grad", "softmax", SAMPLES / "logits.csv", "-p", "dim=0", "--format", "table")
    assert summary_line(vjp).startswith("VJP (dim=0): shape (3, 4)")


# --------------------------------------------------------------------------------------------
# grad of functions whose rows sum to 1: the note, and --jacobian


def test_grad_softmax_with_ones_notes_why_it_is_zero_on_a_terminal(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    args = ["grad", "softmax", SAMPLES / "logits.csv", "--format", "csv"]
    assert ok(*args).stderr == ""  # off a terminal: no note
    monkeypatch.setattr(eval_module, "_stderr_is_terminal", lambda: True)
    result = ok(*args)
    assert result.stderr.count("\n") == 1
    assert result.stderr.startswith("note: each row of softmax(x) sums to 1")
    assert "--grad-output" in result.stderr and "--jacobian" in result.stderr
    assert np.all(csv_values(result.stdout) == 0)  # what the note explains
    # rows that do not sum to 1, or an explicit grad-output: no note
    assert ok("grad", "log_softmax", SAMPLES / "logits.csv", "--format", "csv").stderr == ""
    g = ["--grad-output", SAMPLES / "logits.csv"]
    assert ok("grad", "softmax", SAMPLES / "logits.csv", *g, "--format", "csv").stderr == ""


def test_grad_jacobian_as_json_csv_and_table() -> None:
    x = logits()
    blocks = json.loads(
        ok("grad", "softmax", SAMPLES / "logits.csv", "--jacobian", "--json").stdout
    )
    assert np.shape(blocks) == (3, 4, 4)
    for r in range(3):
        e = np.exp(x[r] - x[r].max())
        y = e / e.sum()
        np.testing.assert_allclose(blocks[r], np.diag(y) - np.outer(y, y), rtol=1e-13, atol=1e-17)
    stacked = ok("grad", "softmax", SAMPLES / "logits.csv", "--jacobian", "--format", "csv")
    assert same_bits(csv_values(stacked.stdout), np.array(blocks).reshape(12, 4))
    table = ok("grad", "softmax", "--values=0,0", "--jacobian", "--format", "table").stdout
    assert table.splitlines()[0] == "dsoftmax(x)/dx, row 0"
    assert sorted(table.split()[-6:]) == ["-0.25", "-0.25", "0", "0.25", "0.25", "1"]


def test_grad_jacobian_usage_errors() -> None:
    r = run("grad", "relu", "--values=1,2", "--jacobian")
    assert r.exit_code == 2
    assert r.stderr.startswith("Error: --jacobian is for axis functions; relu is elementwise")
    r = run(
        "grad", "softmax", "--values=1,2", "--jacobian", "--grad-output", SAMPLES / "values.txt"
    )
    assert r.exit_code == 2
    assert r.stderr == "Error: --jacobian takes no --grad-output and no --order 2\n"
    r = run("grad", "softmax", "--range", "0:1:1025", "--jacobian")
    assert r.exit_code == 1
    assert r.stderr.startswith("Error: --jacobian takes rows of at most 1024 entries")


# --------------------------------------------------------------------------------------------
# The README's shell-completion lines work in each shell

COMPLETION = {
    "bash": ("{line}\ncomplete -p actcli", "complete -o nosort -F _actcli_completion actcli"),
    "zsh": (
        "autoload -Uz compinit && compinit -u\n{line}\nwhence -w _actcli_completion",
        "_actcli_completion: function",
    ),
    "fish": ('{line}; complete -C "actcli eval gel"', "gelu"),
}


def readme_completion_lines() -> dict[str, str]:
    """shell -> its line in the README's completion block."""
    lines = {}
    for line in README.read_text().splitlines():
        if "_ACTCLI_COMPLETE=" in line and "#" in line:
            command, comment = line.split("#", 1)
            lines[comment.split(":")[0].strip()] = command.strip()
    return lines


@pytest.mark.parametrize("shell", sorted(COMPLETION))
def test_readme_completion_lines_work(shell: str) -> None:
    actcli_exe()
    lines = readme_completion_lines()
    assert sorted(lines) == sorted(COMPLETION)
    assert lines[shell].count(f"_ACTCLI_COMPLETE={shell}_source actcli") == 1
    if shutil.which(shell) is None:
        pytest.skip(f"{shell} is not installed here")
    script, expected = COMPLETION[shell]
    flags = ["-f", "-c"] if shell == "zsh" else ["-c"]
    proc = subprocess.run(
        [shell, *flags, script.format(line=lines[shell])],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.returncode == 0, proc.stderr
    assert expected in proc.stdout.splitlines()


# --------------------------------------------------------------------------------------------
# One vocabulary: one meaning per option name across commands (issue 17)


def test_range_without_n_takes_points_as_in_plot() -> None:
    assert csv_values(ok("eval", "relu", "--range", "-1:1", "--points", "3").stdout).tolist() == [
        0.0,
        0.0,
        1.0,
    ]
    assert ok("eval", "relu", "--range", "-1:1").stdout.count("\n") == options.RANGE_POINTS
    bad = run("eval", "relu", "--range", "-1:1:3", "--points", "4")
    assert bad.exit_code == 2 and "asks for 3 points but --points 4" in bad.stderr
    alone = run("grad", "relu", "--values", "1", "--points", "4")
    assert alone.exit_code == 2 and "--points applies to --range" in alone.stderr


def test_plot_points_default_is_the_range_default() -> None:
    from actcli import plotting

    assert plotting.Options().points == options.RANGE_POINTS


def test_plot_figsize_and_the_old_size_spelling_with_a_note(tmp_path: Path) -> None:
    new = ok("plot", "relu", "--figsize", "3x2", "-o", tmp_path / "a.png")
    assert "Note" not in new.stderr
    old = ok("plot", "relu", "--size", "3x2", "-o", tmp_path / "b.png")
    assert old.stderr.startswith("Note: plot --size is now --figsize")
    assert (tmp_path / "a.png").read_bytes() == (tmp_path / "b.png").read_bytes()
    both = run("plot", "relu", "--size", "3x2", "--figsize", "3x2", "-o", tmp_path / "c.png")
    assert both.exit_code == 2 and "--figsize once" in both.stderr
    assert "Deprecated: the old spelling of --figsize" in " ".join(
        ok("plot", "--help").stdout.split()
    )


@pytest.mark.parametrize("command", ["eval", "grad"])
def test_a_sweep_in_eval_or_grad_points_at_plot(command: str) -> None:
    result = run(command, "leaky_relu", "--values", "1", "-p", "negative_slope=0.1,0.2")
    assert result.exit_code == 2
    assert "a comma list is a sweep, which 'actcli plot' draws" in result.stderr
    # prelu's per-channel weight is a list, not a sweep
    ok(command, "prelu", "--values", "1", "-p", "weight=0.1")


def test_param_keys_and_choices_complete_from_the_record() -> None:
    ctx = cli.make_context("actcli", ["eval", "gelu"], resilient_parsing=True)
    command = eval_module.eval_command
    sub = command.make_context("eval", ["gelu"], parent=ctx, resilient_parsing=True)
    option = next(p for p in command.params if p.name == "param")
    assert [c.value for c in option.shell_complete(sub, "")] == ["approximate="]
    values = [c.value for c in option.shell_complete(sub, "approximate=t")]
    assert values == ["approximate=tanh"]
    assert [c.value for c in shared.complete_list(options.DTYPES, "float32,f")] == [
        "float32,float16",
        "float32,float64",
    ]


def test_a_shortcut_option_that_does_not_apply_is_named_as_given() -> None:
    result = run("eval", "relu", "--dim", "5", "--values", "1")
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: --dim does not apply to relu: ")
    assert "--param" not in result.stderr


def test_an_unknown_name_in_info_counts_activations_and_losses() -> None:
    result = run("info", "nosuch")
    acts, losses = len(actcli.names()), len(actcli.names("loss"))
    assert result.exit_code == 2
    assert f"see 'actcli list' for the {acts} activations and {losses} losses" in result.stderr
    long = run("info", "q" * 500)
    assert long.exit_code == 2 and "q" * 59 + "…'" in long.stderr and "q" * 61 not in long.stderr


def test_an_interrupted_plot_all_says_the_finished_files_remain(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from actcli import plotting

    def two_then_interrupted(output: Path, *, progress: Any, **kw: Any) -> list[Path]:
        for name in ("relu", "gelu"):
            (output / f"{name}.png").write_bytes(b"\x89PNG")
            progress(name)
        raise KeyboardInterrupt

    monkeypatch.setattr(plotting, "plot_all", two_then_interrupted)
    result = run("plot", "--all", "-o", tmp_path)
    assert result.exit_code == 130
    assert result.stderr == (
        f"Error: interrupted by SIGINT; the files finished before it remain in {tmp_path} "
        "(each whole)\n"
    )
