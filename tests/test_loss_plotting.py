"""Plots of losses (plotting.py without Click, and ``actcli plot`` through CliRunner): every
loss draws its unreduced value and derivative along its plot variable, sweeps work, the
classic comparison figure is written, and the curves are actcli.loss's values."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import actcli
from actcli import catalog, options, plotting
from actcli.cli import cli
from actcli.lossrecords import Loss

FAST = plotting.Options(points=101, dpi=40)


def make_specs(names_: list[str], raw: dict[str, str] | None = None) -> list[plotting.Spec]:
    """plotting.specs for names and ``-p`` text, as the CLI builds them."""
    records = [catalog.lookup(n) for n in names_]
    return plotting.specs(options.plot_sweeps(records, raw or {}, plotting.MAX_CURVES))


@pytest.mark.parametrize("loss", catalog.losses(), ids=lambda r: r.name)
def test_every_loss_samples_its_value_and_derivative(loss: Loss) -> None:
    assert loss.plot is not None
    lo, hi = loss.plot.span
    for spec in make_specs([loss.name]):
        curve = plotting.sample(spec, lo, hi, 41)
        assert np.isfinite(curve.y).all() and curve.dy is not None and np.isfinite(curve.dy).all()
        # The curve is the loss of the plot's inputs, and the derivative its slope.
        i = 20
        arrays = loss.plot.arrays(curve.x[i : i + 1], loss.bind({}))
        ins = [arrays[n] for n in loss.inputs]
        first = tuple(ins[:-1]) if len(ins) > 2 else ins[0]
        kw = {k: v for k, v in spec.params.items()}
        assert curve.y[i] == actcli.loss(loss.name, first, ins[-1], "none", **kw)[0]
        h = 1e-6
        if not any(abs(curve.x[i] - k) < 1e-3 for k in curve.kinks):
            up = loss.plot.arrays(curve.x[i : i + 1] + h, loss.bind({}))
            dn = loss.plot.arrays(curve.x[i : i + 1] - h, loss.bind({}))
            f_up = actcli.loss(loss.name, *_args(loss, up), "none", **kw)[0]
            f_dn = actcli.loss(loss.name, *_args(loss, dn), "none", **kw)[0]
            assert curve.dy[i] == pytest.approx((f_up - f_dn) / (2 * h), rel=1e-5, abs=1e-6)


def _args(loss: Loss, arrays: dict[str, np.ndarray]) -> tuple[object, object]:
    ins = [arrays[n] for n in loss.inputs]
    return (tuple(ins[:-1]) if len(ins) > 2 else ins[0]), ins[-1]


def test_kinks_are_sampled_exactly() -> None:
    spec = make_specs(["huber_loss"], {"delta": "0.5"})[0]
    curve = plotting.sample(spec, -3, 3, 101)
    assert 0.5 in curve.x and -0.5 in curve.x
    assert curve.dy[list(curve.x).index(0.5)] == 0.5


def test_a_sweep_gives_one_curve_per_value() -> None:
    got = make_specs(["huber_loss"], {"delta": "0.5,1,2"})
    assert [s.params["delta"] for s in got] == [0.5, 1.0, 2.0]
    with pytest.raises(actcli.ParamError, match="unknown parameter 'beta' for huber_loss"):
        make_specs(["huber_loss"], {"beta": "1"})


def test_required_arrays_take_their_plot_value() -> None:
    (spec,) = make_specs(["gaussian_nll_loss"])
    assert spec.params["var"] == plotting.LOSS_ARRAY_DEFAULT and "var=1" in spec.label


def test_the_comparison_figure(tmp_path: Path) -> None:
    out = tmp_path / "cmp.png"
    result = CliRunner().invoke(
        cli,
        [
            "plot",
            "mse_loss",
            "l1_loss",
            "huber_loss",
            "smooth_l1_loss",
            "--overlay",
            "-o",
            str(out),
            "--dpi",
            "40",
            "--points",
            "101",
        ],
    )
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"\x89PNG")
    todo = make_specs(["mse", "huber"])
    paths = plotting.plot(todo, overlay=True, output=tmp_path / "a.svg", options=FAST)
    svg = paths[0].read_text()
    assert "d = input" in svg or "input" in svg  # the x label names the plot variable


def test_losses_take_their_own_range_unless_one_is_given(tmp_path: Path) -> None:
    assert plotting.default_span([catalog.lookup("bce")]) == (0.02, 0.98)
    assert plotting.default_span([catalog.lookup("relu"), catalog.lookup("mse")]) is None
    opts = plotting.Options(**options.plot_options(span="-1:1", points=101, dpi=40))
    assert opts.span_given
    plotting.plot(make_specs(["bce_with_logits"]), output=tmp_path / "b.png", options=opts)
    assert (tmp_path / "b.png").read_bytes().startswith(b"\x89PNG")
