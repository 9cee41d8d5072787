"""The registry's records are complete and consistent, and their declarations are true."""

from __future__ import annotations

import inspect
import math
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import actcli
from actcli.records import PROPERTIES, REQUIRED, Activation

NAMES = actcli.names()
ROOT = Path(__file__).resolve().parent.parent
GRID = np.concatenate([-np.logspace(-8, 8, 400), [0.0], np.logspace(-8, 8, 400)])
GRID.sort()


def test_registry_is_populated() -> None:
    assert len(NAMES) >= 30
    assert len(set(NAMES)) == len(NAMES)


@pytest.mark.parametrize(
    "first",
    [
        "import actcli",  # the whole registry at once
        "import actcli; actcli.get('relu6')",  # a lookup imports only relu6's family ...
        "import actcli; actcli.get('Log-Softmax')",  # ... or every family up to the name's
        "import actcli; actcli.get('hard_sigmoid'); actcli.get('silu')",
        "import actcli.activations.gelu",  # a family module imported directly
    ],
)
def test_registry_order_does_not_depend_on_how_it_was_loaded(first: str) -> None:
    code = f"{first}\nimport actcli\nprint(' '.join(actcli.names()))"
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert proc.stdout.split() == NAMES


@pytest.mark.parametrize("name", NAMES)
def test_record_is_complete(name: str) -> None:
    act = actcli.get(name)
    assert act.name == name
    assert re.fullmatch(r"[a-z][a-z0-9_]*", name)
    for text in (act.doc.formula, act.doc.mathtext, act.doc.derivative, act.doc.output_range):
        assert text.strip()
    assert act.doc.description.endswith(".")
    assert act.doc.mathtext.startswith("$") and act.doc.mathtext.endswith("$")
    equivalents = (act.doc.torch, act.doc.jax, act.doc.hf)
    # Gated activations have no library function: their torch_call writes them in torch ops;
    # others have another library's name (Keras' exponential, MLX's step, timm's hard_mish).
    assert (
        any(e is not None for e in equivalents) or act.torch_call is not None or act.library_names
    ), "needs a framework equivalent"
    if act.doc.hf is not None:
        assert act.doc.hf.startswith("transformers.activations.")
    if act.doc.torch is not None:
        assert act.doc.torch.startswith("torch.nn.functional.")
    if act.doc.jax is not None:
        assert act.doc.jax.startswith("jax.nn.")
    assert act.doc.properties <= set(PROPERTIES)
    assert act.kind in ("elementwise", "axis")
    if act.kind == "axis":
        assert "dim" in act.param_names


@pytest.mark.parametrize("name", NAMES)
def test_params_are_declared_once_and_valid(name: str) -> None:
    act = actcli.get(name)
    for p in act.params:
        assert p.help.strip(), p.name
        assert p.describe_range()
        if p.required:
            assert p.default is REQUIRED
            continue
        if p.default is None:
            assert p.optional
            continue
        assert isinstance(p.default, p.kind)
        # The default passes its own check unchanged.
        assert p.check(p.default, "") == p.default
    # The kernels take exactly the declared parameters, keyword-only and without defaults.
    for fn, skip in ((act.kernels.forward, 1), (act.kernels.derivative, 2)):
        sig = inspect.signature(fn)
        kw = [q for q in sig.parameters.values() if q.kind is q.KEYWORD_ONLY]
        assert [q.name for q in kw] == list(act.param_names), fn.__name__
        assert all(q.default is q.empty for q in kw)
        assert len(sig.parameters) - len(kw) == skip


def _shape(fn: object) -> list[tuple[str, object, bool]]:
    sig = inspect.signature(fn)  # type: ignore[arg-type]
    return [(q.name, q.kind, q.default is q.empty) for q in sig.parameters.values()]


@pytest.mark.parametrize("name", NAMES)
def test_float32_kernels_take_the_same_arguments(name: str) -> None:
    act = actcli.get(name)
    # forward32 / derivative32 stand in for forward / derivative on float32 and float16 input:
    # the engine calls them with the same positional arrays and keyword-only parameters.
    for fast, accurate in (
        (act.kernels.forward32, act.kernels.forward),
        (act.kernels.derivative32, act.kernels.derivative),
    ):
        if fast is not None:
            assert callable(fast)
            assert _shape(fast) == _shape(accurate), (fast.__name__, accurate.__name__)
            assert fast is not accurate


def test_some_activations_declare_float32_kernels() -> None:
    fast = [
        n for n in NAMES if actcli.get(n).kernels.forward32 or actcli.get(n).kernels.derivative32
    ]
    assert {"gelu", "silu", "softmax"} <= set(fast)


def test_names_and_aliases_are_unique_and_resolve() -> None:
    aliases = actcli.aliases()
    assert not set(aliases) & set(NAMES)
    for alias, target in aliases.items():
        assert actcli.get(alias).name == target
    assert actcli.get("Leaky-ReLU").name == "leaky_relu"


def test_unknown_name_suggests_close_names() -> None:
    with pytest.raises(actcli.UnknownActivationError, match="did you mean 'relu'"):
        actcli.get("rleu")
    with pytest.raises(actcli.UnknownActivationError, match="actcli list"):
        actcli.get("qqqqqq")
    assert isinstance(actcli.UnknownActivationError("x"), actcli.ActcliError)


@pytest.mark.parametrize("name", NAMES)
def test_every_name_is_in_the_readme(name: str) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert f"`{name}`" in readme


def _values(act: Activation) -> np.ndarray:
    if act.kind == "axis":
        # The first component of f([x, 0]) (glu: x gated by sigmoid(0)), a 1-D slice of the map;
        # a gate with a choice of gate half is sliced as its plot draws it, act(x)·x on [x, x]
        # ([x, 0] would gate a zero value). A reduction (logsumexp) has one value per row.
        value = GRID if "gate" in act.param_names else np.zeros_like(GRID)
        rows = np.stack([GRID, value], axis=-1)
        y = actcli.evaluate(act.name, rows, dim=-1)
        return y if y.ndim == 1 else y[:, 0]
    return actcli.evaluate(act.name, GRID)


@pytest.mark.parametrize("name", NAMES)
def test_declared_properties_hold_on_a_grid(name: str) -> None:
    act = actcli.get(name)
    if any(p.required for p in act.params):
        # Properties are those that hold at the defaults; with no defaults none can be claimed.
        assert act.doc.properties == frozenset()
        return
    y = _values(act)
    monotonic = bool(np.all(y[1:] >= y[:-1]))  # no subtraction: exponential overflows to inf
    assert monotonic == ("monotonic" in act.doc.properties), f"monotonic is {monotonic}"
    if "bounded" in act.doc.properties:
        assert np.ptp(y) < 100  # swiglu_oai's clamps bound it by limit·(limit + 1)
    else:
        assert np.ptp(y) > 1e3
    if "zero_centred" in act.doc.properties:
        zero = actcli.evaluate(name, 0.0) if act.kind == "elementwise" else None
        if zero is not None:
            assert zero == 0
        assert y.min() < 0 < y.max()
    if "smooth" in act.doc.properties:
        assert act.kink_points(act.defaults()) == ()


def test_frozen_classes_init_like_dataclasses() -> None:
    import dataclasses

    from actcli._frozen import field, frozen

    @frozen(eq=True)
    class Base:
        a: int
        b: str = "x"
        hidden: int = field(init=False, compare=False)

        def __post_init__(self) -> None:
            object.__setattr__(self, "hidden", self.a * 2)

    @frozen(eq=True)
    class Child(Base):
        c: float = 1.5

    child = Child(1, c=2.5)
    assert (child.a, child.b, child.c, child.hidden) == (1, "x", 2.5, 2)
    assert [f.name for f in dataclasses.fields(Child)] == ["a", "b", "hidden", "c"]
    assert [f.name for f in dataclasses.fields(child) if f.init] == ["a", "b", "c"]
    assert dataclasses.replace(child, b="y") == Child(1, "y", 2.5)
    assert Child(1) != Base(1) and hash(Child(1)) == hash(Child(1))
    with pytest.raises(TypeError, match="missing required argument 'a'"):
        Child()
    with pytest.raises(TypeError, match="unexpected keyword argument 'hidden'"):
        Child(1, hidden=3)
    with pytest.raises(TypeError, match="multiple values for argument 'a'"):
        Child(1, a=2)
    with pytest.raises(TypeError, match="takes 3 positional arguments, 4 given"):
        Child(1, "y", 2.0, 4)
    assert dataclasses.is_dataclass(child) and dataclasses.asdict(child)["hidden"] == 2


def test_records_are_immutable_dataclasses() -> None:
    # @frozen (actcli._frozen) replaces dataclass(frozen=True) for start-up's sake: the same
    # immutability, and the dataclass API still works.
    import dataclasses

    from actcli.io.output import Target
    from actcli.lossrecords import Loss
    from actcli.options import RangeSpec

    record = actcli.get("leaky_relu")
    param = record.params[0]
    loss = actcli.catalog.get_loss("huber_loss")
    assert isinstance(loss, Loss)
    for obj, name in [
        (record, "name"),
        (record.doc, "formula"),
        (param, "default"),
        (loss, "inputs"),
    ]:
        with pytest.raises(dataclasses.FrozenInstanceError):
            setattr(obj, name, None)
        with pytest.raises(dataclasses.FrozenInstanceError):
            delattr(obj, name)
    with pytest.raises(dataclasses.FrozenInstanceError):
        record.new_attribute = 1  # type: ignore[attr-defined]
    changed = dataclasses.replace(param, default=0.25)
    assert (changed.default, param.default) == (0.25, 0.01)
    assert [f.name for f in dataclasses.fields(param)][:2] == ["name", "default"]
    assert repr(record) == "Activation('leaky_relu')"
    # Value types compare (and hash) by value; records by identity.
    assert RangeSpec(-1.0, 1.0, 3) == RangeSpec(-1.0, 1.0, 3)
    assert hash(Target(path="a")) == hash(Target(path="a"))
    assert Target(path="a") != Target(path="b")
    assert dataclasses.replace(record) != record


def test_range_messages_show_huge_bounds_in_float_form() -> None:
    # Not the 301 digits of int(1e300); small integral bounds stay integers.
    with pytest.raises(actcli.ParamError) as err:
        actcli.evaluate("swiglu_oai", np.zeros(2), limit=1e301)
    assert str(err.value).endswith("must be (0, 1e+300), got 1e+301")
    with pytest.raises(actcli.ParamError) as err:
        actcli.evaluate("leaky_relu", np.zeros(2), negative_slope=math.inf)
    assert "must be" in str(err.value) and "000000000" not in str(err.value)
