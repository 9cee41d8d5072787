"""actcli.compare: the Gaussian statistics against closed forms and mpmath.quad (with the kinks
as breakpoints), SELU's self-normalising fixed point against Klambauer et al. (2017), the
distances, the smoothness classes."""

from __future__ import annotations

import math
from typing import Any

import mpmath as mp
import numpy as np
import pytest

import actcli
from actcli import compare as C
from tests import oracles
from tests.cases import cases


def _quad(h: Any, kinks: tuple[float, ...]) -> float:
    """E[h(X)] by mpmath.quad on (-inf, kinks..., inf) at 30 digits; 0 is always a breakpoint
    (the bulk of the Gaussian away from the ends of a half-infinite interval is lost otherwise)."""
    with mp.workdps(30):
        pts = [-mp.inf, *sorted({mp.mpf(k) for k in (*kinks, 0)}), mp.inf]
        phi = lambda x: mp.exp(-(x**2) / 2) / mp.sqrt(2 * mp.pi)  # noqa: E731
        return float(mp.quad(lambda x: h(x) * phi(x), pts))


def test_relu_moments_are_the_closed_forms() -> None:
    g = C.moments(C.subject("relu"))
    assert g["mean"] == pytest.approx(1 / math.sqrt(2 * math.pi), rel=1e-15)
    assert g["var"] == pytest.approx(0.5 - 1 / (2 * math.pi), rel=1e-14)
    assert g["grad_mean"] == pytest.approx(0.5, rel=1e-15)
    assert g["grad_sq"] == pytest.approx(0.5, rel=1e-15)
    assert g["dead"] == 0.5


def test_hardtanh_dead_region_is_the_two_tails() -> None:
    g = C.moments(C.subject("hardtanh"))
    tails = math.erfc(1 / math.sqrt(2))  # P(|X| > 1)
    assert g["dead"] == pytest.approx(tails, rel=1e-15)
    assert g["grad_sq"] == pytest.approx(1 - tails, rel=1e-14)
    assert C.moments(C.subject("gelu"))["dead"] == 0.0


# Every elementwise record's settings (rrelu's random training mode left out), and a softplus
# whose switch to x at threshold/beta = 0.5 carries probability mass.
MOMENT_CASES = [
    *cases(kind="elementwise", deterministic=True),
    pytest.param("softplus", {"beta": 2.0, "threshold": 1.0}, id="softplus-jump"),
]


@pytest.mark.parametrize(("name", "params"), MOMENT_CASES)
def test_moments_match_mpmath_quad(name: str, params: dict[str, Any]) -> None:
    s = C.subject(name, params)
    full = dict(s.params)
    f, df = oracles.ELEMENTWISE[name]
    k = s.kinks
    got = C.moments(s)
    mean = _quad(lambda x: f(x, **full), k)
    want = {
        "mean": mean,
        "var": _quad(lambda x: (f(x, **full) - mean) ** 2, k),
        "grad_mean": _quad(lambda x: df(x, **full), k),
        "grad_sq": _quad(lambda x: df(x, **full) ** 2, k),
    }
    for key, v in want.items():
        assert got[key] == pytest.approx(v, rel=1e-13, abs=1e-16), (key, got[key], v)


def test_selu_is_self_normalising_with_klambauers_jacobian() -> None:
    sn = C.self_normalising(C.subject("selu"))
    assert sn["fixed"] and sn["stable"]
    assert abs(sn["mean"]) < 1e-9 and sn["var"] == pytest.approx(1.0, abs=1e-9)
    # Klambauer et al. (2017), section 3: J(0, 1) = [[0, 0.088834], [0, 0.782648]], norm 0.7877
    (j11, j12), (j21, j22) = sn["jacobian"]
    assert j11 == 0.0 and j21 == 0.0
    assert j12 == pytest.approx(0.088834, abs=1e-6)
    assert j22 == pytest.approx(0.782648, abs=1e-6)
    assert sn["spectral_norm"] == pytest.approx(0.7877, abs=1e-4)
    assert not C.self_normalising(C.subject("relu"))["fixed"]


def test_variance_map_fixed_points() -> None:
    selu = C.variance_fixed_points(C.subject("selu"))
    (p,) = selu["points"]
    assert p["var"] == pytest.approx(1.0, rel=1e-12) and p["stable"]
    assert 0 < p["slope"] < 1
    # relu: q(s) = s/2, tanh: q(s) < s: no positive fixed point; identity: every s
    assert C.variance_fixed_points(C.subject("relu")) == {"every": False, "points": []}
    assert C.variance_fixed_points(C.subject("tanh"))["points"] == []
    assert C.variance_fixed_points(C.subject("identity"))["every"] is True
    # relu's map is exactly s/2, with slope 1/2
    q, dq = C.variance_map(C.subject("relu"), 3.0)
    assert q == pytest.approx(1.5, rel=1e-14) and dq == pytest.approx(0.5, rel=1e-14)


def test_gelu_against_quick_gelu() -> None:
    # quick_gelu is x·σ(1.702x): swish with beta = 1.702 (FACTS.md: 0.0203349 at |x| = 2.2704)
    d = C.distance(C.subject("gelu"), C.subject("swish", {"beta": 1.702}))
    assert d["max"] == pytest.approx(0.0203349, abs=1e-7)
    assert abs(d["argmax"]) == pytest.approx(2.2704, abs=1e-4)
    assert d["also_at"] == -d["argmax"]
    f, _ = oracles.ELEMENTWISE["gelu"]
    g, _ = oracles.ELEMENTWISE["swish"]
    l2 = math.sqrt(_quad(lambda x: (f(x, "none") - g(x, 1.702)) ** 2, ()))
    assert d["l2"] == pytest.approx(l2, rel=1e-12)


def test_distance_at_infinity() -> None:
    d = C.distance(C.subject("relu"), C.subject("selu"))  # selu - relu grows like 0.05x
    assert d["max"] == math.inf and d["argmax"] == math.inf
    d = C.distance(C.subject("tanh"), C.subject("sigmoid"))  # finite maximum, not at ±inf
    assert math.isfinite(d["argmax"]) and 1 < d["max"] < 1.1


@pytest.mark.parametrize(("name", "params", "cls"), oracles.SMOOTHNESS)
def test_smoothness_class(name: str, params: dict[str, Any], cls: str) -> None:
    assert C.smoothness(C.subject(name, params)) == cls


def test_shape_values_limits_and_kinks() -> None:
    sh = C.shape(C.subject("elu", {"alpha": 0.5}))
    assert sh["f(0)"] == 0.0 and sh["f'(0)"] == 0.5 and sh["f''(0)"] == 0.0
    assert sh["limits"] == {"f(-inf)": -0.5, "f(+inf)": math.inf, "f'(-inf)": 0.0, "f'(+inf)": 1.0}
    assert sh["kinks"] == [{"x": 0.0, "gradient": 0.5}]
    assert sh["formula"] == actcli.get("elu").doc.formula
    assert C.shape(C.subject("gelu"))["f''(0)"] == pytest.approx(math.sqrt(2 / math.pi))


def test_compare_entries_and_refusals() -> None:
    t = C.subject("threshold", {"threshold": 1.0, "value": 0.0})
    r = C.compare([C.subject("relu"), t], timed=False)
    a, b = r["functions"]
    assert a["vs_first"] is None and b["vs_first"] is not None
    assert a["label"] == "relu" and b["label"] == "threshold(threshold=1, value=0)"
    assert C.subject("leaky_relu", {"negative_slope": 0.01}).label == "leaky_relu"  # default
    assert a["timing"] is None
    # Required parameters nobody gave take the record's illustration (threshold=1, value=0).
    assert C.subject("threshold").label == "threshold(threshold=1, value=0)"
    with pytest.raises(actcli.ParamError, match="'value' of threshold must be"):
        C.subject("threshold", {"value": "x"})
    with pytest.raises(actcli.ParamError, match="elementwise"):
        C.subject("softmax")
    with pytest.raises(actcli.ParamError, match="at least one"):
        C.compare([])


def test_timing_gives_positive_nanoseconds() -> None:
    t = C.timing(C.subject("relu"), size=1000, repeats=1)
    assert set(t) == {"forward_ns", "gradient_ns"} and all(v > 0 for v in t.values())


def test_expect_is_exact_for_polynomials() -> None:
    # E[X^2] = 1, E[X^4] = 3, E[|X|] = sqrt(2/pi) with the kink at 0 as a breakpoint
    assert C.expect(lambda x: x**2) == pytest.approx(1.0, rel=1e-15)
    assert C.expect(lambda x: x**4) == pytest.approx(3.0, rel=1e-15)
    assert C.expect(np.abs, (0.0,)) == pytest.approx(math.sqrt(2 / math.pi), rel=1e-15)


def test_distance_supremum_approached_at_infinity_and_identical_functions() -> None:
    d = C.distance(C.subject("relu"), C.subject("elu"))  # |relu - elu| -> 1 as x -> -inf
    assert d["max"] == 1.0 and d["argmax"] == -math.inf
    same = C.distance(C.subject("relu"), C.subject("relu"))
    assert same == {"max": 0.0, "argmax": None, "also_at": None, "l2": 0.0}
    result = C.compare([C.subject("relu"), C.subject("relu")], timed=False)
    from rich.console import Console

    from actcli import render

    console = Console(width=120, color_system=None, record=True)
    console.print(render.compare_view(result))
    assert "0 (the same function)" in console.export_text()


def test_variance_map_ignores_rounding_noise() -> None:
    # hardtanh(σz) = σz for small σ up to tails far below rounding: q(σ²) < σ² everywhere
    assert C.variance_fixed_points(C.subject("hardtanh"))["points"] == []
    (p,) = C.variance_fixed_points(C.subject("sigmoid"))["points"]  # q(0) = 1/4 > 0
    want = _quad(lambda x: oracles.ELEMENTWISE["sigmoid"][0](x * mp.sqrt(p["var"])) ** 2, ())
    assert want == pytest.approx(p["var"], rel=1e-10)
