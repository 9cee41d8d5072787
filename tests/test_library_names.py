"""The field's names (HF transformers, timm, Keras, MLX, JAX): parameter aliases, lookup
spellings, ``list --source``, what ``info`` says, and the libraries' own formulas (with torch,
transformers and timm when they are installed; the tests that need them skip otherwise)."""

from __future__ import annotations

import json
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner

import actcli
from actcli import catalog
from actcli.cli import cli
from actcli.errors import ParamError, UnknownActivationError
from actcli.records import LIBRARIES

ENV = {"COLUMNS": "200", "NO_COLOR": "1"}
X = np.concatenate([np.linspace(-9, 9, 721), [-30.0, 30.0, 0.0]])


def run(*args: str) -> Any:
    return CliRunner(env=ENV).invoke(cli, list(args), prog_name="actcli")


def _parameter_aliases() -> list[Any]:
    """Every library name that becomes an actcli name for a function with parameters fixed
    (``LibraryName.alias`` with ``params``), with that function and those parameters."""
    found: dict[str, Any] = {}
    for library in LIBRARIES:
        for entry, record in catalog.library_names(library):
            if entry.alias and entry.params and entry.name != record.name:
                found.setdefault(entry.name, (record.name, dict(entry.params)))
    return [pytest.param(name, *found[name], id=name) for name in sorted(found)]


@pytest.mark.parametrize(("name", "base", "params"), _parameter_aliases())
def test_a_parameter_alias_is_its_function_with_those_parameters(
    name: str, base: str, params: dict[str, Any]
) -> None:
    for dtype in (np.float32, np.float64):
        x = X.astype(dtype)
        np.testing.assert_array_equal(
            actcli.evaluate(name, x), actcli.evaluate(base, x, **params), strict=True
        )
        np.testing.assert_array_equal(
            actcli.gradient(name, x), actcli.gradient(base, x, **params), strict=True
        )
    record = actcli.get(name)
    assert record.name == name and record.alias_of == (base, params)
    assert name not in actcli.names()  # an alias, not a second copy of the function


def test_a_fixed_parameter_refuses_another_value_and_accepts_its_own() -> None:
    np.testing.assert_array_equal(
        actcli.evaluate("gelu_new", X, approximate="tanh"), actcli.evaluate("gelu_new", X)
    )
    with pytest.raises(ParamError, match="fixed at 'tanh'"):
        actcli.evaluate("gelu_new", X, approximate="none")
    with pytest.raises(ParamError, match=r"fixed at 1\.702"):
        actcli.evaluate("quick_gelu", X, beta=1.0)
    result = run("eval", "quick_gelu", "--range", "-1:1:3", "-p", "beta=2")
    assert result.exit_code == 2
    assert "fixed at 1.702" in result.stderr and result.stderr.count("\n") == 1


def test_parameter_aliases_work_in_the_commands() -> None:
    result = run("eval", "gelu_new", "--range", "-1:1:3", "--format", "json")
    assert result.exit_code == 0, result.stderr
    want = actcli.evaluate("gelu", np.array([-1.0, 0.0, 1.0]), approximate="tanh")
    assert json.loads(result.stdout) == want.tolist()
    result = run("grad", "quick_gelu", "--range", "-1:1:3", "--format", "json")
    assert result.exit_code == 0, result.stderr
    want = actcli.gradient("swish", np.array([-1.0, 0.0, 1.0]), beta=1.702)
    assert json.loads(result.stdout) == want.tolist()


@pytest.mark.parametrize(
    ("spelling", "name"),
    [
        ("LeakyReLU", "leaky_relu"),
        ("QuickGELU", "quick_gelu"),
        ("GELU_New", "gelu_new"),
        ("hard-silu", "hardswish"),
        ("HardTanh", "hardtanh"),
        ("log_sigmoid", "logsigmoid"),
        ("ReLU6", "relu6"),
        ("SiLU", "silu"),
    ],
)
def test_lookup_takes_any_case_and_the_libraries_spellings(spelling: str, name: str) -> None:
    record = actcli.get(spelling)
    assert record.name == name or (record.alias_of is not None and spelling.lower() == name)
    assert catalog.is_known(spelling)


def test_did_you_mean_never_hides_that_a_suggestion_is_another_function() -> None:
    # a parameter alias is suggested as itself, with what it stands for
    with pytest.raises(UnknownActivationError) as err:
        actcli.get("gelu_neww")
    assert "'gelu_new' = gelu(approximate='tanh')" in str(err.value)
    # a library's name that actcli does not take: the nearest function is named as different
    with pytest.raises(UnknownActivationError) as err:
        actcli.get("gelu_approx")
    message = str(err.value)
    assert "mlx's 'gelu_approx'" in message and "a different function" in message


def test_list_source_shows_each_library_name_and_its_meaning() -> None:
    result = run("list", "--source", "hf", "--json")
    assert result.exit_code == 0, result.stderr
    rows = {r["name"]: r for r in json.loads(result.stdout)}
    assert rows["gelu_new"]["actcli"] == "gelu(approximate='tanh')"
    assert rows["quick_gelu"]["actcli"] == "swish(beta=1.702)"
    assert rows["gelu_fast"]["max_abs_difference"] == pytest.approx(9.1e-13, rel=0.05)
    result = run("list", "--source", "keras")
    assert result.exit_code == 0, result.stderr
    assert "leaky_relu(negative_slope=0.2)" in result.stdout
    assert "Keras' default slope is 0.2" in result.stdout
    result = run("list", "--source", "jax", "--json")
    rows = {r["name"]: r for r in json.loads(result.stdout)}
    assert (
        rows["gelu"]["actcli"] == "gelu(approximate='tanh')" and not rows["gelu"]["same_in_actcli"]
    )
    assert rows["relu"]["actcli"] == "relu"
    assert run("list", "--source", "caffe").exit_code == 2


@pytest.mark.parametrize("library", list(LIBRARIES))
def test_every_library_name_that_is_an_actcli_name_means_what_it_says(library: str) -> None:
    entries = catalog.library_names(library)
    assert entries
    for entry, act in entries:
        if not entry.alias:
            continue
        record = actcli.get(entry.name)
        x = X
        np.testing.assert_array_equal(
            actcli.evaluate(record, x), actcli.evaluate(act, x, **entry.params)
        )


def test_info_shows_the_difference_and_the_other_meanings() -> None:
    out = run("info", "gelu_fast").stdout
    assert "gelu(approximate='tanh')" in out
    assert "0.7978845608" in out and "9.1e-13" in out
    out = run("info", "leaky_relu").stdout
    assert "negative_slope=0.2" in out and "Keras' default slope is 0.2" in out
    out = run("info", "gelu").stdout  # JAX's gelu is the tanh form by default
    assert "jax.nn.gelu defaults to approximate=True" in out
    data = json.loads(run("info", "gelu_new", "--json").stdout)
    assert data["alias_of"] == "gelu(approximate='tanh')"
    assert {r["name"] for r in data["library_names"]} >= {"gelu_new", "gelu_pytorch_tanh"}


# --- against the libraries themselves ------------------------------------------------------------
def _hf_entries() -> list[Any]:
    return catalog.library_names("hf")


def test_every_act2fn_key_is_listed_and_works() -> None:
    activations = pytest.importorskip("transformers.activations")
    listed = {e.name for e, _ in _hf_entries()}
    assert set(activations.ACT2FN) <= listed
    for key in activations.ACT2FN:
        assert catalog.is_known(key), key


def test_hf_activations_match_actcli_within_the_recorded_difference() -> None:
    torch = pytest.importorskip("torch")
    activations = pytest.importorskip("transformers.activations")
    t = torch.from_numpy(X)
    for entry, act in _hf_entries():
        module = activations.ACT2FN[entry.name]
        if list(module.parameters()):
            continue  # learnable parameters (prelu, xielu): their own tests
        lib = module(t).detach().numpy()
        ours = actcli.evaluate(act, X, **entry.params)
        bound = entry.max_abs if entry.max_abs is not None else 0.0
        np.testing.assert_allclose(
            lib, ours, rtol=1e-14, atol=max(1.05 * bound, 1e-15), err_msg=entry.name
        )
        if entry.formula is not None:  # the record's transcription of HF's formula is HF's
            np.testing.assert_array_equal(entry.formula(torch, t).numpy(), lib, err_msg=entry.name)


def test_recorded_differences_are_measured() -> None:
    pytest.importorskip("torch")
    import importlib.util
    from pathlib import Path

    path = Path(__file__).parents[1] / "scripts" / "measure_library_names.py"
    spec = importlib.util.spec_from_file_location("measure_library_names", path)
    assert spec is not None and spec.loader is not None
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    measured = 0
    for entry, act in catalog.library_names():
        if entry.formula is None:
            continue
        ab, rel = script.difference(entry.formula, act, dict(entry.params))
        assert ab == pytest.approx(entry.max_abs, rel=0.05), entry.name
        assert rel == pytest.approx(entry.max_rel, rel=0.05), entry.name
        measured += 1
    assert measured >= 5


def test_every_timm_activation_name_is_listed() -> None:
    create_act = pytest.importorskip("timm.layers.create_act")
    listed = {e.name for e, _ in catalog.library_names("timm")}
    assert set(create_act._ACT_LAYER_DEFAULT) <= listed


def test_the_field_functions_match_their_torch_formulas() -> None:
    torch = pytest.importorskip("torch")
    functional = torch.nn.functional
    x = np.concatenate([np.linspace(-30, 30, 2401), [-2.0, -1e-7, 1e-7]])
    field = [n for n in actcli.names() if catalog.family_of(n) == "field"]
    assert field
    for name in field:
        act = actcli.get(name)
        assert act.torch_call is not None
        for params in act.cases():
            bound = act.bind(params)
            t = torch.from_numpy(x).requires_grad_(True)
            y_t = act.torch_call(functional, t, bound)
            (d_t,) = torch.autograd.grad(y_t.sum(), t)
            y, d = actcli.evaluate(name, x, **params), actcli.gradient(name, x, **params)
            # absolute slack for the tails where torch's 1 + erf (gelu_10, laplace) cancels
            np.testing.assert_allclose(y, y_t.detach().numpy(), rtol=1e-13, atol=1e-15)
            np.testing.assert_allclose(d, d_t.numpy(), rtol=1e-12, atol=1e-15)


def test_xielu_is_hf_xielu_with_its_parameters() -> None:
    torch = pytest.importorskip("torch")
    activations = pytest.importorskip("transformers.activations")
    module = activations.ACT2FN["xielu"].to(torch.float64)
    softplus = torch.nn.functional.softplus
    params = {
        "alpha_p": softplus(module.alpha_p).item(),
        "alpha_n": (module.beta + softplus(module.alpha_n)).item(),
        "beta": module.beta.item(),
        "eps": module.eps.item(),
    }
    x = np.concatenate([np.linspace(-20, 20, 1601), [params["eps"], -1e-7, 0.0]])
    want = module(torch.from_numpy(x)).detach().numpy()
    np.testing.assert_allclose(actcli.evaluate("xielu", x, **params), want, rtol=1e-13, atol=0)
