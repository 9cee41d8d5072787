"""The losses through the library: actcli.loss and actcli.loss_gradient against PyTorch 2.13
(values and gradients, every reduction, weights, ignore_index, label smoothing, extreme
inputs), the torch-measured kink table, the accuracy of every unreduced term against 60-digit
mpmath, the summation, and every error case. Losses are enumerated from the catalog."""

from __future__ import annotations

import math
from collections.abc import Mapping
from fractions import Fraction
from pathlib import Path
from typing import Any

import mpmath as mp
import numpy as np
import pytest

import actcli
from actcli import catalog, lossengine
from actcli.lossrecords import Loss
from tests.oracles import LOSS_ALIASES as ALIASES
from tests.oracles import LOSS_KINKS as KINKS
from tests.oracles import LOSS_REFERENCE as REFERENCE
from tests.oracles import LOSS_TORCH_NAN_GRADIENTS as TORCH_NAN_GRADIENTS
from tests.oracles import LOSS_TORCH_WRONG as TORCH_WRONG

LOSSES = catalog.losses()
CASES = [
    pytest.param(loss, case, id=f"{loss.name}-{case}") for loss in LOSSES for case in loss.cases()
]
DTYPES = (np.float32, np.float64)


def split_args(loss: Loss, arrays: Mapping[str, Any]) -> tuple[Any, Any, dict[str, Any]]:
    """(input or (input1, input2), target, array arguments) from arrays by name."""
    ins = [arrays[n] for n in loss.inputs]
    first = tuple(ins[:-1]) if len(ins) > 2 else ins[0]
    extra = {k: v for k, v in arrays.items() if k not in loss.inputs}
    return first, ins[-1], extra


def sample(loss: Loss, case: Mapping[str, Any], dtype: Any, seed: int = 0) -> dict[str, Any]:
    rng = np.random.default_rng(seed)
    arrays = loss.sample(rng, (6, 5), loss.bind(case))  # type: ignore[misc]
    out: dict[str, Any] = {}
    for k, v in arrays.items():
        index_target = (
            loss.layout == "classes" and k == "target" and v.shape != arrays["input"].shape
        )
        out[k] = v if index_target else v.astype(dtype)
    return out


def torch_nan_gradient(
    loss: Loss, case: Mapping[str, Any], wrt: str, arrays: Mapping[str, Any]
) -> Any:
    """Where torch's gradient is NaN but the true one is finite (TORCH_NAN_GRADIENTS)."""
    mask = np.zeros(np.shape(arrays[wrt]), dtype=bool)
    for name, params, role, where in TORCH_NAN_GRADIENTS:
        if name == loss.name and loss.bind(params) == loss.bind(case) and role == wrt:
            mask |= where(arrays)
    return mask


def close(ours: Any, theirs: Any, dtype: Any) -> None:
    ours, theirs = np.asarray(ours, dtype=np.float64), np.asarray(theirs, dtype=np.float64)
    eps = float(np.finfo(dtype).eps)
    scale = float(np.nanmax(np.abs(theirs), initial=1.0))
    # torch computes float32 in float32 (a few roundings, some cancelling); float64 to ~1e-15.
    rtol, atol = (8 * eps, 8 * eps * scale) if dtype == np.float32 else (1e-13, 1e-14 * scale)
    np.testing.assert_allclose(ours, theirs, rtol=rtol, atol=atol)


# --- the catalog ----------------------------------------------------------------------------
def test_every_loss_is_complete() -> None:
    assert len(LOSSES) >= 15
    for loss in LOSSES:
        assert loss.kind_label == "loss"
        assert loss.doc.formula and loss.doc.derivative and loss.doc.description
        assert loss.sample is not None and loss.plot is not None and loss.naive is not None
        assert loss.inputs[-1] == "target" and loss.inputs[0] in loss.kernels.grads
        assert set(loss.kernels.grads) <= set(loss.inputs)
        for p in loss.params:
            assert p.help and p.name.isidentifier()
        assert loss.name in REFERENCE
        assert loss.name not in catalog.names("activation")


def test_every_loss_is_in_the_readme() -> None:
    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text()
    section = readme[readme.index("## Losses") :]
    for loss in LOSSES:
        assert f"`{loss.name}`" in section


def test_aliases_of_the_issue() -> None:
    for alias, name in ALIASES.items():
        assert catalog.get_loss(alias).name == name
        assert catalog.aliases("loss")[alias] == name


def test_losses_are_not_activations() -> None:
    with pytest.raises(actcli.UnknownActivationError, match="is a loss, not an activation"):
        actcli.evaluate("mse_loss", [1.0])
    with pytest.raises(actcli.UnknownActivationError, match="is an activation, not a loss"):
        actcli.loss("relu", [1.0], [1.0])
    with pytest.raises(actcli.UnknownActivationError, match="did you mean 'huber_loss'"):
        actcli.loss("hubber_loss", [1.0], [1.0])


# --- against torch --------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", DTYPES, ids=["f32", "f64"])
@pytest.mark.parametrize(("loss", "case"), CASES)
def test_values_and_gradients_match_torch(loss: Loss, case: dict[str, Any], dtype: Any) -> None:
    pytest.importorskip("torch")
    from actcli import losstorch

    arrays = sample(loss, case, dtype)
    first, target, extra = split_args(loss, arrays)
    # Class-index targets are integers: no gradient (torch's are int64 tensors).
    index_targets = loss.layout == "classes" and arrays["target"].shape != arrays["input"].shape
    wrt = [w for w in loss.kernels.grads if not (index_targets and w == "target")]
    for reduction in loss.reductions:
        value = actcli.loss(loss.name, first, target, reduction=reduction, **case, **extra)
        tv, tg = losstorch.value_and_grads(loss, arrays, case, reduction, wrt=wrt)
        assert value.dtype == dtype
        assert value.shape == tv.shape
        close(value, tv, dtype)
        for name in wrt:
            grad = actcli.loss_gradient(
                loss.name, first, target, reduction=reduction, wrt=name, **case, **extra
            )
            assert grad.dtype == dtype and grad.shape == np.shape(arrays[name])
            wrong = torch_nan_gradient(loss, case, name, arrays)
            assert np.isfinite(grad[wrong]).all()
            close(np.where(wrong, np.nan, grad), tg[name], dtype)


@pytest.mark.parametrize(("loss", "case"), CASES)
def test_grad_output_scales_the_gradient_as_torch(loss: Loss, case: dict[str, Any]) -> None:
    pytest.importorskip("torch")
    from actcli import losstorch

    arrays = sample(loss, case, np.float64, seed=3)
    first, target, extra = split_args(loss, arrays)
    rng = np.random.default_rng(4)
    for reduction in ("none", "mean"):
        shape = np.shape(actcli.loss(loss.name, first, target, reduction, **case, **extra))
        g = rng.uniform(-2, 2, size=shape)
        ours = actcli.loss_gradient(loss.name, first, target, g, reduction, **case, **extra)
        _, tg = losstorch.value_and_grads(
            loss, arrays, case, reduction, wrt=[loss.inputs[0]], grad_output=g
        )
        close(ours, tg[loss.inputs[0]], np.float64)


WEIGHTED = [loss for loss in LOSSES if loss.array("weight") is not None]


@pytest.mark.parametrize("dtype", DTYPES, ids=["f32", "f64"])
@pytest.mark.parametrize("loss", WEIGHTED, ids=lambda r: r.name)
def test_weights_match_torch(loss: Loss, dtype: Any) -> None:
    pytest.importorskip("torch")
    from actcli import losstorch

    arrays = sample(loss, {}, dtype, seed=5)
    rng = np.random.default_rng(6)
    spec = loss.array("weight")
    assert spec is not None
    shape = arrays["input"].shape
    wshape = {"same": shape, "broadcast": shape[-1:], "classes": shape[1:2]}[spec.shape]
    weight = rng.uniform(0.1, 3.0, size=wshape).astype(dtype)
    first, target, _ = split_args(loss, arrays)
    for reduction in loss.reductions:
        value = actcli.loss(loss.name, first, target, reduction, weight=weight)
        grad = actcli.loss_gradient(loss.name, first, target, None, reduction, weight=weight)
        tv, tg = losstorch.value_and_grads(
            loss, {**arrays, "weight": weight}, {}, reduction, wrt=[loss.inputs[0]]
        )
        close(value, tv, dtype)
        close(grad, tg[loss.inputs[0]], dtype)


def test_weighted_mean_follows_torch_per_loss() -> None:
    # torch 2.13: mse and l1 divide a weighted mean by the sum of the weights, huber by N.
    x, t, w = np.array([1.0, 3.0]), np.array([0.0, 0.0]), np.array([1.0, 3.0])
    assert actcli.loss("mse_loss", x, t, weight=w) == (1 + 27) / 4
    assert actcli.loss("l1_loss", x, t, weight=w) == (1 + 9) / 4
    assert actcli.loss("huber_loss", x, t, weight=w) == (0.5 + 3 * 2.5) / 2


def test_pos_weight_matches_torch() -> None:
    pytest.importorskip("torch")
    from actcli import losstorch

    loss = catalog.get_loss("binary_cross_entropy_with_logits")
    arrays = sample(loss, {}, np.float64, seed=7)
    pw = np.random.default_rng(8).uniform(0.2, 4.0, size=arrays["input"].shape[-1:])
    for reduction in loss.reductions:
        value = actcli.loss(loss.name, arrays["input"], arrays["target"], reduction, pos_weight=pw)
        grads = {
            w: actcli.loss_gradient(
                loss.name, arrays["input"], arrays["target"], None, reduction, wrt=w, pos_weight=pw
            )
            for w in ("input", "target")
        }
        tv, tg = losstorch.value_and_grads(
            loss, {**arrays, "pos_weight": pw}, {}, reduction, wrt=["input", "target"]
        )
        close(value, tv, np.float64)
        for w in grads:
            close(grads[w], tg[w], np.float64)


CLASSES = [loss for loss in LOSSES if loss.layout == "classes"]


CLASS_CASES = [
    pytest.param(loss, smoothing, weighted, id=f"{loss.name}-{smoothing}-{weighted}")
    for loss in CLASSES
    for smoothing in ((0.0, 0.2) if "label_smoothing" in loss.param_names else (0.0,))
    for weighted in (False, True)
]


@pytest.mark.parametrize(("loss", "smoothing", "weighted"), CLASS_CASES)
def test_ignore_index_weights_and_smoothing_match_torch(
    loss: Loss, smoothing: float, weighted: bool
) -> None:
    pytest.importorskip("torch")
    from actcli import losstorch

    rng = np.random.default_rng(9)
    # (N, C, d) input: the class axis is 1, as torch has it.
    x = rng.uniform(-4, 4, size=(4, 3, 5))
    if loss.name == "nll_loss":
        x = np.log(np.exp(x) / np.exp(x).sum(axis=1, keepdims=True))
    t = rng.integers(0, 3, size=(4, 5)).astype(np.float64)
    params: dict[str, Any] = {"ignore_index": 1}
    if smoothing:
        params["label_smoothing"] = smoothing
    arrays: dict[str, Any] = {"input": x, "target": t}
    if weighted:
        arrays["weight"] = np.array([0.5, 2.0, 1.5])
    extra = {k: v for k, v in arrays.items() if k == "weight"}
    for reduction in loss.reductions:
        value = actcli.loss(loss.name, x, t, reduction, **params, **extra)
        grad = actcli.loss_gradient(loss.name, x, t, None, reduction, **params, **extra)
        tv, tg = losstorch.value_and_grads(loss, arrays, params, reduction, wrt=["input"])
        close(value, tv, np.float64)
        close(grad, tg["input"], np.float64)


@pytest.mark.parametrize("smoothing", [0.0, 0.3])
def test_cross_entropy_probability_targets_match_torch(smoothing: float) -> None:
    pytest.importorskip("torch")
    from actcli import losstorch

    loss = catalog.get_loss("cross_entropy")
    rng = np.random.default_rng(10)
    x = rng.uniform(-4, 4, size=(5, 4))
    p = rng.uniform(0, 1, size=(5, 4))
    p /= p.sum(axis=1, keepdims=True)
    w = np.array([1.0, 0.5, 2.0, 1.5])
    for reduction in loss.reductions:
        kw = {"label_smoothing": smoothing}
        value = actcli.loss("cross_entropy", x, p, reduction, weight=w, **kw)
        grad = actcli.loss_gradient("cross_entropy", x, p, None, reduction, weight=w, **kw)
        gt = actcli.loss_gradient(
            "cross_entropy", x, p, None, reduction, wrt="target", weight=w, **kw
        )
        tv, tg = losstorch.value_and_grads(
            loss, {"input": x, "target": p, "weight": w}, kw, reduction, wrt=["input", "target"]
        )
        close(value, tv, np.float64)
        close(grad, tg["input"], np.float64)
        close(gt, tg["target"], np.float64)


def test_cross_entropy_of_one_row_takes_a_scalar_target() -> None:
    # A (C,) input with a 0-d class index, as torch; a one-element target reads the same.
    expected = math.log(math.exp(1) + math.exp(2) + math.exp(3)) - 3
    assert actcli.loss("ce", [1.0, 2.0, 3.0], 2) == pytest.approx(expected, rel=1e-15)
    assert actcli.loss("ce", [1.0, 2.0, 3.0], [2]) == pytest.approx(expected, rel=1e-15)


def test_mean_over_no_counted_target_is_nan_and_its_gradient_zero() -> None:
    # 0/0: no average of nothing (torch gives NaN too); sum is 0 and the gradient is 0.
    x, t = np.array([[0.1, 0.2], [0.3, -1.0]]), np.array([-100, -100])
    for name in ("cross_entropy", "nll_loss"):
        assert math.isnan(actcli.loss(name, x, t))
        assert actcli.loss(name, x, t, reduction="sum") == 0.0
        assert np.array_equal(actcli.loss_gradient(name, x, t), np.zeros((2, 2)))


def test_kl_div_batchmean_is_the_sum_over_the_batch_size() -> None:
    rng = np.random.default_rng(11)
    q = rng.dirichlet(np.ones(4), size=3)
    p = rng.dirichlet(np.ones(4), size=3)
    total = float(np.sum(p * (np.log(p) - np.log(q))))
    assert actcli.loss("kl_div", np.log(q), p, "batchmean") == pytest.approx(total / 3, rel=1e-14)
    assert actcli.loss("kl_div", np.log(q), p, "mean") == pytest.approx(total / 12, rel=1e-14)


# --- the kinks and where torch is wrong -------------------------------------------------------
@pytest.mark.parametrize(("name", "params", "inputs", "expected"), KINKS)
def test_kink_gradients_follow_torch(
    name: str, params: dict[str, Any], inputs: dict[str, float], expected: float
) -> None:
    loss = catalog.get_loss(name)
    for dtype in DTYPES:
        arrays = {k: np.array([v], dtype=dtype) for k, v in inputs.items()}
        first, target, _ = split_args(loss, arrays)
        grad = actcli.loss_gradient(name, first, target, reduction="sum", **params)
        assert grad.tolist() == [expected]


@pytest.mark.parametrize(("name", "params", "inputs", "expected"), KINKS)
def test_kink_table_is_what_torch_gives(
    name: str, params: dict[str, Any], inputs: dict[str, float], expected: float
) -> None:
    pytest.importorskip("torch")
    from actcli import losstorch

    loss = catalog.get_loss(name)
    for dtype in DTYPES:
        arrays = {k: np.array([v], dtype=dtype) for k, v in inputs.items()}
        _, tg = losstorch.value_and_grads(loss, arrays, params, "sum", wrt=[loss.inputs[0]])
        assert tg[loss.inputs[0]].tolist() == [expected]


@pytest.mark.parametrize(("loss", "case"), CASES)
def test_every_declared_kink_is_in_the_table(loss: Loss, case: dict[str, Any]) -> None:
    assert loss.plot is not None
    bound = loss.bind(case)
    for k in loss.kink_points(bound):
        arrays = loss.plot.arrays(np.array([k]), bound)
        row = {n: float(np.ravel(v)[0]) for n, v in arrays.items() if n in loss.inputs}
        rows = [(loss.bind(p), i) for n, p, i, _ in KINKS if n == loss.name]
        assert (bound, row) in rows, (
            f"kink {k} of {loss.name} {case} has no torch-measured row in oracles_loss.KINKS"
        )


@pytest.mark.parametrize(("name", "params", "inputs", "torch_value", "true"), TORCH_WRONG)
def test_where_torch_is_wrong_actcli_gives_the_limit(
    name: str, params: dict[str, Any], inputs: dict[str, float], torch_value: float, true: float
) -> None:
    loss = catalog.get_loss(name)
    arrays = {k: np.array([v]) for k, v in inputs.items()}
    first, target, _ = split_args(loss, arrays)
    assert actcli.loss(name, first, target, "none", **params).tolist() == [true]
    if pytest.importorskip("torch"):
        from actcli import losstorch

        tv, _ = losstorch.value_and_grads(loss, arrays, params, "none")
        assert np.array_equal(tv, [torch_value], equal_nan=True)


def test_extreme_inputs_keep_their_limits() -> None:
    # Huge logits and margins: finite true values and gradients, no warning (pytest: error).
    big = np.array([-1e300, -800.0, 800.0, 1e300])
    assert actcli.loss("soft_margin_loss", big, np.ones(4), "none").tolist() == [
        1e300,
        800.0,
        0.0,
        0.0,
    ]
    g = actcli.loss_gradient("soft_margin_loss", big, np.ones(4), None, "none")
    assert g.tolist() == [-1.0, -1.0, -0.0, -0.0]
    v = actcli.loss(
        "bce_with_logits", [np.inf, -np.inf, np.inf, -np.inf], [1.0, 0.0, 0.0, 1.0], "none"
    )
    assert v.tolist() == [0.0, 0.0, np.inf, np.inf]
    ce = actcli.loss("ce", [[np.inf, 0.0], [np.inf, 0.0]], [0, 1], "none")
    assert ce.tolist() == [0.0, np.inf]
    assert actcli.loss_gradient("ce", [[np.inf, 0.0]], [0]).tolist() == [[0.0, 0.0]]


def test_float32_mse_where_the_square_overflows_but_the_mean_does_not() -> None:
    x = np.array([2e19, 0.0, 0.0, 0.0], dtype=np.float32)
    t = np.zeros(4, dtype=np.float32)
    value = actcli.loss("mse", x, t)
    assert value.dtype == np.float32
    assert value == np.float32(float(np.float32(2e19)) ** 2 / 4)
    assert actcli.loss("mse", x, t, "none")[0] == np.inf  # 4e38 is beyond float32: rounds to inf


def test_binary_cross_entropy_keeps_torch_s_log_clamp() -> None:
    assert actcli.loss("bce", [0.0, 1.0], [1.0, 0.0], "none").tolist() == [100.0, 100.0]
    assert actcli.loss_gradient("bce", [0.0, 1.0], [1.0, 0.0], None, "sum").tolist() == [
        -1e12,
        1e12,
    ]


def test_gaussian_nll_clamps_the_variance_to_eps() -> None:
    a = actcli.loss("gaussian_nll_loss", [1.0], [0.0], "none", var=0.0, eps=1e-6)
    b = actcli.loss("gaussian_nll_loss", [1.0], [0.0], "none", var=1e-6, eps=1e-6)
    assert a.tolist() == b.tolist() == [0.5 * (math.log(1e-6) + 1e6)]


def with_nan(loss: Loss, seed: int) -> dict[str, Any]:
    """A sample with NaN in the first input's first element (at the target class for the
    classes layout, where nll_loss reads)."""
    arrays = sample(loss, loss.cases()[0], np.float64, seed=seed)
    first = loss.inputs[0]
    arrays[first] = arrays[first].copy()
    if loss.layout == "classes":
        arrays[first][0, int(arrays["target"][0])] = np.nan
    else:
        arrays[first].flat[0] = np.nan
    return arrays


@pytest.mark.parametrize("loss", LOSSES, ids=lambda r: r.name)
def test_nan_propagates(loss: Loss) -> None:
    a, t, extra = split_args(loss, with_nan(loss, 12))
    case = loss.cases()[0]
    terms = actcli.loss(loss.name, a, t, "none", **case, **extra)
    assert np.isnan(terms.flat[0]) and np.isfinite(terms.flat[1:]).all()
    assert np.isnan(actcli.loss(loss.name, a, t, "mean", **case, **extra))


@pytest.mark.parametrize("loss", LOSSES, ids=lambda r: r.name)
def test_gradient_at_nan_is_nan(loss: Loss) -> None:
    # Even where the gradient does not depend on the input (kl_div's -p, nll_loss's -w) and
    # torch's piecewise gradients (l1, hinge, margin) give a number: NaN in, NaN out.
    arrays = with_nan(loss, 12)
    a, t, extra = split_args(loss, arrays)
    case = loss.cases()[0]
    grad = actcli.loss_gradient(loss.name, a, t, None, "none", **case, **extra)
    nan = np.isnan(arrays[loss.inputs[0]])
    assert np.isnan(grad[nan]).all()
    rest = grad[1:] if loss.layout != "elementwise" else grad[~nan]  # other rows
    assert np.isfinite(rest).all()


# --- accuracy of each unreduced term against mpmath ---------------------------------------------
def _ulps(ours: float, ref: Any, dtype: Any) -> float:
    info = np.finfo(dtype)
    r = dtype(float(ref)) if abs(ref) <= info.max else dtype(np.inf) * (1 if ref > 0 else -1)
    if not np.isfinite(r):
        return 0.0 if ours == r else math.inf
    spacing = max(float(np.spacing(np.abs(r))), float(info.smallest_subnormal))
    return float(abs(mp.mpf(float(ours)) - ref) / mp.mpf(spacing))


@pytest.mark.parametrize("dtype", DTYPES, ids=["f32", "f64"])
@pytest.mark.parametrize(("loss", "case"), CASES)
def test_terms_meet_the_accuracy_goal_against_mpmath(
    loss: Loss, case: dict[str, Any], dtype: Any
) -> None:
    rng = np.random.default_rng(13)
    bound = loss.bind(case)
    n = 400
    arrays = loss.sample(rng, (n,), bound)  # type: ignore[misc]
    arrays = {
        k: v if (loss.layout == "classes" and k == "target") else v.astype(dtype)
        for k, v in arrays.items()
    }
    ins = [arrays[k] for k in loss.inputs]
    extra = {k: v for k, v in arrays.items() if k not in loss.inputs}
    ours = lossengine.terms(loss.name, *ins, **case, **extra).astype(dtype)
    ref = REFERENCE[loss.name]
    worst = 0.0
    for i in range(ours.shape[0]):
        if loss.layout == "classes":
            args: list[Any] = [[mp.mpf(float(v)) for v in ins[0][i]], ins[1][i]]
        elif loss.layout == "rows":
            args = [[mp.mpf(float(v)) for v in a[i]] for a in ins[:-1]] + [float(ins[-1][i])]
        else:
            args = [mp.mpf(float(v[i])) for v in ins] + [
                mp.mpf(float(v[i])) for v in extra.values()
            ]
        worst = max(worst, _ulps(float(ours[i]), ref(args, bound), dtype))
    goal = loss.goal.of(np.dtype(dtype).name)["fwd_max"]
    assert worst <= goal, f"{loss.name} {case}: {worst:.2f} ulp > {goal}"


# --- summation ------------------------------------------------------------------------------
def _exact_mean(a: np.ndarray[Any, Any]) -> float:
    """The exactly rounded mean: the sum as fsum's hi plus fsum's correctly rounded remainder
    (exact to 2^-106), divided as a Fraction (Fraction -> float rounds correctly)."""
    values = a.tolist()
    hi = math.fsum(values)
    lo = math.fsum([*values, -hi])
    return float((Fraction(hi) + Fraction(lo)) / a.size)


def test_mean_over_a_million_elements_is_correctly_rounded() -> None:
    rng = np.random.default_rng(14)
    for _ in range(3):
        x = rng.lognormal(0.0, 3.0, 1_000_000)
        t = rng.standard_normal(1_000_000)
        terms = lossengine.terms("mse_loss", x, t)
        assert float(actcli.loss("mse_loss", x, t)) == _exact_mean(terms)
    assert lossengine.accurate_sum(terms) == math.fsum(terms.tolist())


def test_accurate_sum_of_cancelling_values() -> None:
    values = np.array([1e16, 1.0, -1e16, 1.0, 1e-3] * 1000)
    assert lossengine.accurate_sum(values) == math.fsum(values.tolist())
    assert lossengine.accurate_sum([]) == 0.0
    assert lossengine.accurate_sum([np.inf, 1.0]) == np.inf
    assert math.isnan(lossengine.accurate_sum([np.inf, -np.inf]))
    assert math.isnan(lossengine.accurate_sum([np.nan, 1.0]))
    assert lossengine.accurate_sum([1e308, -1e308, 1.0]) == 1.0  # near the top of the range
    assert lossengine.accurate_sum([1e308, 1e308]) == np.inf


def test_float32_sum_is_the_float64_sum_rounded_once() -> None:
    rng = np.random.default_rng(15)
    x = rng.uniform(-1, 1, 100_000).astype(np.float32)
    t = np.zeros_like(x)
    value = actcli.loss("l1_loss", x, t, reduction="sum")
    assert value.dtype == np.float32
    assert value == np.float32(math.fsum(np.abs(x.astype(np.float64)).tolist()))


# --- errors ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda: actcli.loss("mse", [1.0], [1.0], reduction="avg"),
            actcli.ParamError,
            "unknown reduction 'avg'",
        ),
        (
            lambda: actcli.loss("mse", [1.0], [1.0], reduction="batchmean"),
            actcli.ParamError,
            "expected one of: none, mean, sum",
        ),
        (
            lambda: actcli.loss("huber", [1.0], [1.0], delta=0.0),
            actcli.ParamError,
            "'delta' of huber_loss must be > 0",
        ),
        (
            lambda: actcli.loss("smooth_l1_loss", [1.0], [1.0], beta=-1.0),
            actcli.ParamError,
            "must be >= 0",
        ),
        (
            lambda: actcli.loss("mse", [1.0, 2.0], [1.0]),
            actcli.InputError,
            r"target has shape \(1,\) but input has shape \(2,\)",
        ),
        (
            lambda: actcli.loss("mse", [[1.0], [2.0]], [[1.0, 2.0]]),
            actcli.InputError,
            "does not broadcast",
        ),
        (
            lambda: actcli.loss("bce", [1.5], [1.0]),
            actcli.InputError,
            r"probabilities in \[0, 1\], got 1.5",
        ),
        (lambda: actcli.loss("bce", [-0.1], [1.0]), actcli.InputError, "got -0.1"),
        (
            lambda: actcli.loss("mse", [1.0], [1.0], weight=[1.0, 2.0]),
            actcli.InputError,
            "weight has shape",
        ),
        (
            lambda: actcli.loss("ce", [[1.0, 2.0]], [2]),
            actcli.InputError,
            "target class 2 is out of range for 2 classes",
        ),
        (lambda: actcli.loss("ce", [[1.0, 2.0]], [0.5]), actcli.InputError, "whole numbers"),
        (
            lambda: actcli.loss("ce", [[1.0, 2.0]], [[0.0]]),
            actcli.InputError,
            "class indices of shape",
        ),
        (
            lambda: actcli.loss("ce", [[1.0, 2.0]], [0], weight=[1.0]),
            actcli.InputError,
            r"one value per class, shape \(2,\)",
        ),
        (lambda: actcli.loss("ce", 1.0, 0), actcli.InputError, "class axis"),
        (
            lambda: actcli.loss("nll", [[1.0, 2.0]], [[0.0, 1.0]]),
            actcli.InputError,
            "class-index targets",
        ),
        (lambda: actcli.loss("gaussian_nll_loss", [1.0], [1.0]), actcli.ParamError, "needs var"),
        (
            lambda: actcli.loss("gaussian_nll_loss", [1.0], [1.0], var=-1.0),
            actcli.InputError,
            "var of gaussian_nll_loss must be >= 0",
        ),
        (
            lambda: actcli.loss("margin_ranking_loss", [1.0], [1.0]),
            actcli.InputError,
            "pass them as a pair",
        ),
        (
            lambda: actcli.loss("mse", [1.0], [1.0], delta=1.0),
            actcli.ParamError,
            "mse_loss takes no parameters",
        ),
        (lambda: actcli.loss("mse", ["a"], [1.0]), actcli.InputError, "must hold numbers"),
        (
            lambda: actcli.loss_gradient("mse", [1.0], [1.0], [1.0, 2.0]),
            actcli.InputError,
            "one number",
        ),
        (
            lambda: actcli.loss_gradient("mse", [1.0], [1.0], [1.0, 2.0], "none"),
            actcli.InputError,
            r"grad_output has shape \(2,\)",
        ),
        (
            lambda: actcli.loss_gradient("hinge_embedding_loss", [0.5], [1.0], wrt="target"),
            actcli.ParamError,
            "no gradient with respect to 'target'",
        ),
        (
            lambda: actcli.loss_gradient("ce", [[0.5, 1.0]], [1], wrt="target"),
            actcli.ParamError,
            "no gradient with respect to class-index targets",
        ),
    ],
)
def test_errors(call: Any, error: type[Exception], match: str) -> None:
    with pytest.raises(error, match=match):
        call()
