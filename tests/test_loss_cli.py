"""``actcli loss``, ``list --kind`` and ``info`` for losses, through Click's CliRunner: every
loss round-trips through files and inline values and agrees with actcli.loss; every error has
its exit code and one ``Error:`` line."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner, Result

import actcli
from actcli import catalog
from actcli.cli import cli
from actcli.lossrecords import Loss

ENV = {"COLUMNS": "100", "NO_COLOR": "1"}
LOSSES = catalog.losses()


def run(*args: Any, input: bytes | str | None = None) -> Result:
    return CliRunner(env=ENV).invoke(cli, [str(a) for a in args], input=input, prog_name="actcli")


def ok(*args: Any, input: bytes | str | None = None) -> Result:
    result = run(*args, input=input)
    assert result.exit_code == 0, result.stderr + repr(result.exception)
    return result


def fails(code: int, text: str, *args: Any, input: bytes | str | None = None) -> None:
    result = run(*args, input=input)
    assert result.exit_code == code, (result.exit_code, result.stderr)
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    assert text in lines[0], lines[0]
    assert result.stdout == ""


def write_inputs(
    loss: Loss, case: dict[str, Any], tmp: Path, seed: int = 0
) -> tuple[list[Path], dict[str, Any]]:
    """The loss's sampled inputs as .npy files (in the record's order) and the arrays."""
    arrays = loss.sample(np.random.default_rng(seed), (4, 3), loss.bind(case))  # type: ignore[misc]
    paths = []
    for name in loss.inputs:
        path = tmp / f"{name}.npy"
        np.save(path, arrays[name])
        paths.append(path)
    return paths, arrays


def extra_options(loss: Loss) -> tuple[list[str], dict[str, Any]]:
    """The required array arguments (gaussian_nll_loss's var) as options and as keywords."""
    opts: list[str] = []
    kw: dict[str, Any] = {}
    for a in loss.arrays:
        if a.required:
            opts += [f"--{a.name.replace('_', '-')}", "0.5"]
            kw[a.name] = 0.5
    return opts, kw


def case_options(case: dict[str, Any]) -> list[str]:
    out: list[str] = []
    for k, v in case.items():
        out += ["-p", f"{k}={str(v).lower() if isinstance(v, bool) else v}"]
    return out


def api(loss: Loss, arrays: dict[str, Any], *, grad: bool = False, **kw: Any) -> Any:
    ins = [arrays[n] for n in loss.inputs]
    first = tuple(ins[:-1]) if len(ins) > 2 else ins[0]
    fn = actcli.loss_gradient if grad else actcli.loss
    return fn(loss.name, first, ins[-1], **kw)


# --- round trips ----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("loss", "case"),
    [pytest.param(r, c, id=f"{r.name}-{c}") for r in LOSSES for c in r.cases()],
)
def test_every_loss_round_trips_through_files(
    loss: Loss, case: dict[str, Any], tmp_path: Path
) -> None:
    paths, arrays = write_inputs(loss, case, tmp_path)
    opts, kw = extra_options(loss)
    p = case_options(case)
    for reduction in loss.reductions:
        out = ok("loss", loss.name, *paths, *opts, *p, "--reduction", reduction, "--format", "json")
        expected = api(loss, arrays, reduction=reduction, **case, **kw)
        if reduction == "none":
            assert np.array_equal(np.array(json.loads(out.stdout)), expected, equal_nan=True)
        else:
            data = json.loads(out.stdout)
            assert data["loss"] == loss.name and data["reduction"] == reduction
            assert data["value"] == float(expected)
            assert data["shapes"] == {n: list(arrays[n].shape) for n in loss.inputs}
    dest = tmp_path / "grad.npy"
    ok("loss", loss.name, *paths, *opts, *p, "--grad", "-o", dest)
    assert np.array_equal(np.load(dest), api(loss, arrays, grad=True, **case, **kw))


def test_huber_session_of_the_issue(tmp_path: Path) -> None:
    pred, target = tmp_path / "pred.npy", tmp_path / "target.npy"
    np.save(pred, np.array([0.5, 2.0, -1.0, 0.2], dtype=np.float32))
    np.save(target, np.array([0.0, 1.0, 1.0, 0.2], dtype=np.float32))
    # mean of [0.125, 0.375, 0.875, 0] with delta = 0.5, in float32
    assert ok("loss", "huber_loss", pred, target, "-p", "delta=0.5").stdout == "0.34375\n"
    none = ok("loss", "huber_loss", pred, target, "-p", "delta=0.5", "--reduction", "none")
    assert none.stdout == "0.125\n0.375\n0.875\n0.0\n"
    grad = ok("loss", "huber_loss", pred, target, "-p", "delta=0.5", "--grad").stdout
    assert grad == "0.125\n0.125\n-0.125\n0.0\n"
    gsum = ok("loss", "huber", pred, target, "-p", "delta=0.5", "--grad", "--reduction", "sum")
    assert gsum.stdout == "0.5\n0.5\n-0.5\n0.0\n"
    gt = ok("loss", "huber", pred, target, "-p", "delta=0.5", "--grad", "--wrt", "target")
    assert gt.stdout == "-0.125\n-0.125\n0.125\n-0.0\n"
    g2 = ok("loss", "huber", pred, target, "-p", "delta=0.5", "--grad", "--grad-output", "4")
    assert g2.stdout == "0.5\n0.5\n-0.5\n0.0\n"


def test_inline_values_name_their_input(tmp_path: Path) -> None:
    target = tmp_path / "t.csv"
    target.write_text("0\n1\n")
    a = ok("loss", "mse", "--values", "input=0.5,2", target).stdout
    b = ok("loss", "mse", "--values", "target=0,1", "--values", "input=0.5,2").stdout
    c = ok("loss", "mse", "--range", "input=0.5:2:2", "--values", "target=0,1").stdout
    assert a == b == c == "0.625\n"
    # - reads stdin for one of them
    d = ok("loss", "mse", "-", target, input="0.5\n2\n").stdout
    assert d == a


def test_cross_entropy_from_the_command_line(tmp_path: Path) -> None:
    logits = tmp_path / "logits.csv"
    logits.write_text("1,2,3\n0,0,0\n")
    out = ok("loss", "ce", logits, "--values", "target=2,0", "--reduction", "none")
    expected = actcli.loss("ce", [[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]], [2, 0], "none")
    assert [float(v) for v in out.stdout.split()] == expected.tolist()
    w = ok("loss", "ce", logits, "--values", "target=2,0", "--weight", "1,2,3").stdout
    expected_w = actcli.loss("ce", [[1.0, 2, 3], [0.0, 0, 0]], [2, 0], weight=[1.0, 2, 3])
    assert float(w) == float(expected_w)
    ig = ok("loss", "ce", logits, "--values", "target=2,0", "-p", "ignore_index=0").stdout
    assert float(ig) == float(expected[0])
    g = ok("loss", "ce", logits, "--values", "target=2,0", "--grad", "--format", "json").stdout
    assert np.array_equal(
        json.loads(g), actcli.loss_gradient("ce", [[1.0, 2, 3], [0.0, 0, 0]], [2, 0])
    )


def test_margin_ranking_takes_three_inputs(tmp_path: Path) -> None:
    out = ok(
        "loss",
        "margin_ranking_loss",
        "--values",
        "input1=1,0",
        "--values",
        "input2=0,1",
        "--values",
        "target=1,1",
        "-p",
        "margin=0.5",
        "--reduction",
        "none",
    ).stdout
    assert out == "0.0\n1.5\n"
    g2 = ok(
        "loss",
        "margin_ranking_loss",
        "--values",
        "input1=1,0",
        "--values",
        "input2=0,1",
        "--values",
        "target=1,1",
        "--grad",
        "--wrt",
        "input2",
        "--reduction",
        "sum",
    ).stdout
    assert g2 == "0.0\n1.0\n"


def test_weight_and_pos_weight_from_files(tmp_path: Path) -> None:
    x, t, w = tmp_path / "x.npy", tmp_path / "t.npy", tmp_path / "w.npy"
    np.save(x, np.array([-1.0, 0.5, 3.0]))
    np.save(t, np.array([0.0, 1.0, 1.0]))
    np.save(w, np.array([1.0, 2.0, 0.5]))
    out = ok("loss", "bce_with_logits", x, t, "--weight", w, "--pos-weight", "3").stdout
    expected = actcli.loss(
        "bce_with_logits", np.load(x), np.load(t), weight=np.load(w), pos_weight=3.0
    )
    assert float(out) == float(expected)


def test_a_reduced_loss_on_a_terminal_is_a_small_table(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("actcli.cli._stdout_is_terminal", lambda: True)
    out = ok("loss", "mse", "--values", "input=0.5,2", "--values", "target=0,1").stdout
    assert "input" in out and "shape (2,) · float64" in out
    assert "mse_loss (mean)" in out and "0.625" in out


def test_a_reduced_loss_to_files(tmp_path: Path) -> None:
    args = ["loss", "mse", "--values", "input=0.5,2", "--values", "target=0,1"]
    ok(*args, "-o", tmp_path / "v.npy")
    assert np.load(tmp_path / "v.npy").shape == () and np.load(tmp_path / "v.npy") == 0.625
    ok(*args, "-o", tmp_path / "v.json")
    assert json.loads((tmp_path / "v.json").read_text())["value"] == 0.625
    ok(*args, "-o", tmp_path / "v.csv")
    assert (tmp_path / "v.csv").read_text() == "0.625\n"


def test_float32_stays_float32(tmp_path: Path) -> None:
    x, t = tmp_path / "x.npy", tmp_path / "t.npy"
    np.save(x, np.array([0.1, 0.2], dtype=np.float32))
    np.save(t, np.array([0.0, 0.0], dtype=np.float32))
    data = json.loads(ok("loss", "mse", x, t, "--format", "json").stdout)
    assert data["dtype"] == "float32"
    expected = (float(np.float32(0.1)) ** 2 + float(np.float32(0.2)) ** 2) / 2
    assert data["value"] == float(str(np.float32(expected)))


# --- list and info --------------------------------------------------------------------------
def test_list_shows_activations_and_losses_in_sections() -> None:
    out = ok("list").stdout
    assert out.index("Activations") < out.index("relu") < out.index("Losses")
    assert out.index("Losses") < out.index("mse_loss")
    only = ok("list", "--kind", "loss").stdout
    assert "relu " not in only
    for name in catalog.names("loss"):
        assert name in only
    data = json.loads(ok("list", "--kind", "loss", "--json").stdout)
    assert [d["name"] for d in data] == catalog.names("loss")
    everything = json.loads(ok("list", "--json").stdout)
    assert [d["name"] for d in everything] == catalog.names(None)
    assert {d["record"] for d in everything} == {"activation", "loss"}


@pytest.mark.parametrize("name", catalog.names("loss"))
def test_info_every_loss(name: str) -> None:
    out = ok("info", name).stdout
    loss = catalog.get_loss(name)
    assert loss.doc.formula.split()[0] in out
    assert "Worked example" in out
    data = json.loads(ok("info", name, "--json").stdout)
    assert data["name"] == name and data["reductions"] == list(loss.reductions)
    assert len(data["example"]["x"]) == len(data["example"]["loss"]) == len(data["example"]["grad"])


def test_info_example_of_a_loss_follows_params() -> None:
    data = json.loads(ok("info", "huber", "-p", "delta=0.5", "--json").stdout)
    ex = dict(zip(data["example"]["x"], data["example"]["grad"], strict=True))
    assert ex[0.5] == 0.5 and ex[-0.5] == -0.5 and ex[3.0] == 0.5


# --- bench ----------------------------------------------------------------------------------
def test_bench_times_losses_with_the_naive_baseline() -> None:
    args = ["bench", "mse_loss", "ce", "relu", "--size", "200", "--dtype", "float32"]
    args += ["--repeats", "1", "--min-time", "0", "--baseline", "naive", "--json", "-q"]
    data = json.loads(ok(*args).stdout)
    rows = {(r["name"], r["direction"]) for r in data["rows"]}
    assert rows == {
        (n, d) for n in ("relu", "mse_loss", "cross_entropy") for d in ("forward", "gradient")
    }
    assert all(r["vs_naive"] is not None and r["seconds"] > 0 for r in data["rows"])
    assert data["settings"]["losses"] == ["mse_loss", "cross_entropy"]


def test_bench_of_losses_against_torch() -> None:
    pytest.importorskip("torch")
    from actcli import lossbench

    result = lossbench.run(
        catalog.names("loss"),
        sizes=[100],
        dtypes=["float64"],
        baselines=["torch"],
        repeats=1,
        min_time=0.0,
    )
    assert len(result.rows) == 2 * len(LOSSES)
    assert all(r.vs_torch is not None and r.vs_torch > 0 for r in result.rows)


# --- errors ---------------------------------------------------------------------------------
def test_errors(tmp_path: Path) -> None:
    x, t, short = tmp_path / "x.csv", tmp_path / "t.csv", tmp_path / "s.csv"
    x.write_text("0.5\n2\n")
    t.write_text("0\n1\n")
    short.write_text("1\n")
    fails(2, "unknown loss 'msee' (did you mean 'mse_loss'?)", "loss", "msee", x, t)
    fails(2, "'relu' is an activation, not a loss", "loss", "relu", x, t)
    fails(2, "'mse_loss' is a loss, not an activation", "eval", "mse_loss", x)
    fails(2, "needs 2 arrays (input, target)", "loss", "mse", x)
    fails(2, "needs 2 arrays", "loss", "mse", x, t, t)
    fails(
        2,
        "mse_loss takes --reduction none | mean | sum, not 'batchmean'",
        "loss",
        "mse",
        x,
        t,
        "--reduction",
        "batchmean",
    )
    fails(2, "'avg' is not one of", "loss", "mse", x, t, "--reduction", "avg")
    fails(
        2,
        "parameter 'delta' of huber_loss must be > 0, got 0",
        "loss",
        "huber",
        x,
        t,
        "-p",
        "delta=0",
    )
    fails(
        2,
        "parameter 'beta' of smooth_l1_loss must be >= 0",
        "loss",
        "smooth_l1_loss",
        x,
        t,
        "-p",
        "beta=-1",
    )
    fails(2, "mse_loss takes no parameters, got 'delta'", "loss", "mse", x, t, "-p", "delta=1")
    fails(2, "mse_loss takes no --pos-weight", "loss", "mse", x, t, "--pos-weight", "2")
    fails(2, "gaussian_nll_loss needs --var", "loss", "gaussian_nll_loss", x, t)
    fails(2, "--wrt goes with --grad", "loss", "mse", x, t, "--wrt", "target")
    fails(
        2,
        "no gradient with respect to class-index targets",
        *("loss", "ce", "--values", "input=1,2", "--values", "target=1", "--grad"),
        *("--wrt", "target"),
    )
    fails(
        2,
        "has a gradient with respect to input, not 'target'",
        "loss",
        "hinge_embedding_loss",
        x,
        t,
        "--grad",
        "--wrt",
        "target",
    )
    fails(
        2,
        "--values takes ROLE=VALUE with ROLE one of: input, target",
        "loss",
        "mse",
        "--values",
        "1,2",
        t,
    )
    fails(2, "neither numbers", "loss", "mse", x, t, "--weight", tmp_path / "nope.npy")
    fails(2, "does not exist", "loss", "mse", x, tmp_path / "nope.csv")
    fails(1, "target has shape (1,) but input has shape (2,)", "loss", "mse", x, short)
    fails(
        1, "binary_cross_entropy needs input probabilities in [0, 1], got 2.0", "loss", "bce", x, t
    )
    fails(
        1,
        "target class 5 is out of range for 2 classes",
        "loss",
        "ce",
        "--values",
        "input=1,2",
        "--values",
        "target=5",
    )
    fails(
        1,
        "weight has shape (3,) but the input has shape (2,)",
        "loss",
        "mse",
        x,
        t,
        "--weight",
        "1,2,3",
    )
    fails(
        1,
        "grad_output of a reduced loss (mean) is one number",
        "loss",
        "mse",
        x,
        t,
        "--grad",
        "--grad-output",
        "1,2",
    )
    fails(
        1, "var of gaussian_nll_loss must be >= 0", "loss", "gaussian_nll_loss", x, t, "--var", "-1"
    )
    bad = tmp_path / "bad.csv"
    bad.write_text("1\nx\n")
    result = run("loss", "mse", bad, t)
    assert result.exit_code == 1 and result.stderr.startswith("Error: ")
