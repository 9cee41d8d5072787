"""The losses fed hypothesis-generated junk, through the library and the command line: every
value (NaN, ±inf, huge, tiny, negative zero) in every dtype and every reduction either gives a
result of the right dtype and shape without a floating-point warning (pytest turns warnings into
errors) or is refused with one of actcli's errors; the CLI answers with exit code 0, 1 or 2 and
at most one ``Error:`` line, never a traceback."""

from __future__ import annotations

from typing import Any

import numpy as np
from click.testing import CliRunner
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import actcli
from actcli import catalog
from actcli.cli import cli

LOSSES = catalog.losses()
ENV = {"COLUMNS": "100", "NO_COLOR": "1"}
EXAMPLES = settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])

ODD = st.sampled_from(
    [
        0.0,
        -0.0,
        1.0,
        -1.0,
        0.5,
        1e-310,
        -1e-310,
        1e308,
        -1e308,
        np.inf,
        -np.inf,
        np.nan,
        2.0,
        3.0,
        800.0,
        -800.0,
        1e-8,
    ]
)
VALUES = st.one_of(ODD, st.floats(allow_nan=True, allow_infinity=True, width=64))


def arrays(n: int, dtype: Any) -> st.SearchStrategy[np.ndarray]:
    return hnp.arrays(np.dtype(dtype), (n,), elements=VALUES.map(lambda v: float(np.float64(v))))


@EXAMPLES
@given(
    loss=st.sampled_from([r for r in LOSSES if r.layout == "elementwise"]),
    data=st.data(),
    dtype=st.sampled_from([np.float32, np.float64]),
)
def test_elementwise_losses_never_warn_and_keep_dtype(loss: Any, data: Any, dtype: Any) -> None:
    n = data.draw(st.integers(1, 6))
    with np.errstate(over="ignore"):  # float64 junk cast to float32 overflows to inf, on purpose
        ins = [data.draw(arrays(n, np.float64)).astype(dtype) for _ in loss.inputs]
    extra = {a.name: data.draw(arrays(n, np.float64)) for a in loss.arrays if a.required}
    first = tuple(ins[:-1]) if len(ins) > 2 else ins[0]
    reduction = data.draw(st.sampled_from(loss.reductions))
    try:
        value = actcli.loss(loss.name, first, ins[-1], reduction, **extra)
        grad = actcli.loss_gradient(loss.name, first, ins[-1], None, reduction, **extra)
    except actcli.ActcliError as e:
        assert str(e) and "\n" not in str(e)
        return
    assert value.dtype == dtype and grad.dtype == dtype
    assert grad.shape == ins[0].shape
    assert value.shape == (() if reduction != "none" else ins[0].shape)


@EXAMPLES
@given(data=st.data(), reduction=st.sampled_from(["none", "mean", "sum"]))
def test_cross_entropy_never_warns(data: Any, reduction: str) -> None:
    rows, c = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 4))
    x = data.draw(hnp.arrays(np.float64, (rows, c), elements=VALUES))
    t = data.draw(
        hnp.arrays(np.float64, (rows,), elements=st.sampled_from([0, 1, 2, 3, -100, 7, 0.5]))
    )
    for name in ("cross_entropy", "nll_loss"):
        try:
            value = actcli.loss(name, x, t, reduction)
            grad = actcli.loss_gradient(name, x, t, None, reduction)
        except actcli.ActcliError as e:
            assert str(e) and "\n" not in str(e)
            continue
        assert grad.shape == x.shape
        assert value.shape == (() if reduction != "none" else (rows,))


TOKENS = st.sampled_from(
    [
        "--reduction",
        "none",
        "mean",
        "batchmean",
        "--grad",
        "--wrt",
        "target",
        "input2",
        "-p",
        "delta=0",
        "delta=x",
        "beta=-1",
        "margin=2",
        "--weight",
        "1,2",
        "0.5",
        "--var",
        "-1",
        "--values",
        "input=1,nan,inf",
        "target=0,1,2",
        "target=1",
        "input1=1,2",
        "--range",
        "input=-1:1:3",
        "--format",
        "json",
        "csv",
        "table",
        "--grad-output",
        "2",
        "x=1",
        "-",
        "--key",
        "input=a",
        "--dtype",
        "float16",
        "sample_inputs/nope.npy",
    ]
)


@settings(max_examples=120, suppress_health_check=[HealthCheck.too_slow])
@given(
    name=st.sampled_from([*catalog.names("loss"), "nope", "relu"]),
    tokens=st.lists(TOKENS, max_size=8),
)
def test_the_loss_command_never_shows_a_traceback(name: str, tokens: list[str]) -> None:
    result = CliRunner(env=ENV).invoke(
        cli, ["loss", name, *tokens], input="1\n2\n", prog_name="actcli"
    )
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert result.exit_code in (0, 1, 2), (tokens, result.exit_code, result.stderr)
    if result.exit_code:
        lines = result.stderr.strip("\n").split("\n")
        assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
