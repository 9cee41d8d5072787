"""The expression language (actcli.expr): values, exact derivatives, kink conventions, refusals,
and user-defined activations through the API."""

from __future__ import annotations

import ast
import math
from collections.abc import Callable, Iterator
from typing import Any

import numpy as np
import pytest

import actcli
from actcli import catalog, expr
from actcli.engine import CHUNK, evaluate, gradient
from actcli.errors import DefinitionsError, ExpressionError, ParamError
from tests.oracles import EXPR_BUILTINS, EXPR_KINKS

RNG_SEED = 12


def points(n: int = 400, scale: float = 4.0) -> np.ndarray:
    return np.random.default_rng(RNG_SEED).normal(scale=scale, size=n)


@pytest.fixture
def defined() -> Iterator[list[str]]:
    """Names registered by a test, removed afterwards."""
    made: list[str] = []
    yield made
    for name in made:
        catalog.unregister(name)


# --------------------------------------------------------------------------------------------
# The seeds' own examples agree with the built-ins, values and gradients


@pytest.mark.parametrize(("text", "builtin", "params", "builtin_params"), EXPR_BUILTINS)
def test_expression_agrees_with_the_builtin(
    text: str, builtin: str, params: dict[str, Any], builtin_params: dict[str, Any]
) -> None:
    x = points()
    want = evaluate(builtin, x, **builtin_params)
    want_grad = gradient(builtin, x, **builtin_params)
    np.testing.assert_allclose(evaluate(text, x, **params), want, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(gradient(text, x, **params), want_grad, rtol=1e-9, atol=1e-13)


def test_builtins_called_inside_an_expression_use_their_kernels() -> None:
    x = points()
    np.testing.assert_array_equal(
        evaluate("leaky_relu(x, negative_slope=0.2)", x),
        evaluate("leaky_relu", x, negative_slope=0.2),
    )
    np.testing.assert_array_equal(
        evaluate("gelu(x, approximate='tanh')", x), evaluate("gelu", x, approximate="tanh")
    )
    # softplus(2x, beta=0.5)' = 2·softplus'(2x) by the chain rule
    np.testing.assert_array_equal(
        gradient("softplus(2*x, beta=0.5)", x), 2 * gradient("softplus", 2 * x, beta=0.5)
    )
    # a keyword given by an expression parameter, bound at each call
    np.testing.assert_array_equal(
        gradient("leaky_relu(x, negative_slope=s)", x, s=0.3),
        gradient("leaky_relu", x, negative_slope=0.3),
    )


def test_derivative_is_exact_not_a_difference_quotient() -> None:
    # d/dx sin(x)^3 = 3 sin^2 cos, at points where a difference quotient is visibly off
    x = points()
    want = 3 * np.sin(x) ** 2 * np.cos(x)
    np.testing.assert_allclose(gradient("sin(x)**3", x), want, rtol=1e-13, atol=1e-15)
    # e^x: the derivative is the value itself, bit for bit
    np.testing.assert_array_equal(gradient("exp(x)", x), evaluate("exp(x)", x))


# --------------------------------------------------------------------------------------------
# Kinks: the values torch.autograd gives for the same expressions written with torch operations
# (tests/oracles.py EXPR_KINKS; the torch test below re-measures them).


def _torch_version(text: str) -> Callable[[Any], Any]:
    """The same expression written with torch operations: each function is the torch function
    its declaration names (``Function.torch``, an activation's ``doc.torch``), applied by a tiny
    interpreter over the test's own expressions."""
    torch = pytest.importorskip("torch")

    def resolve(dotted: str) -> Any:
        obj: Any = torch
        for part in dotted.split(".")[1:]:
            obj = getattr(obj, part)
        return obj

    def call(t: Any) -> Any:
        names: dict[str, Any] = {"x": t}
        for fn in expr.FUNCTIONS:
            names[fn.name] = _on_tensors(resolve(fn.torch), t)
        for act in catalog.activations():
            if act.doc.torch is not None and act.kind == "elementwise":
                names[act.name] = resolve(act.doc.torch)
        return _walk(ast.parse(text, mode="eval").body, names)

    return call


def _on_tensors(op: Callable[..., Any], like: Any) -> Callable[..., Any]:
    return lambda *args: op(*(_t(v, like) for v in args))


def _t(v: Any, like: Any) -> Any:
    import torch

    return v if isinstance(v, torch.Tensor) else torch.full_like(like, float(v))


def _walk(node: ast.AST, names: dict[str, Any]) -> Any:
    # A tiny interpreter over the test's own trusted expressions (no eval in tests either).
    if isinstance(node, ast.Constant):
        return node.value
    if isinstance(node, ast.Name):
        return names[node.id]
    if isinstance(node, ast.BinOp):
        a, b = _walk(node.left, names), _walk(node.right, names)
        ops: dict[type, Callable[[Any, Any], Any]] = {
            ast.Add: lambda p, q: p + q,
            ast.Sub: lambda p, q: p - q,
            ast.Mult: lambda p, q: p * q,
            ast.Div: lambda p, q: p / q,
            ast.Pow: lambda p, q: p**q,
        }
        return ops[type(node.op)](a, b)
    if isinstance(node, ast.UnaryOp):
        return -_walk(node.operand, names)
    if isinstance(node, ast.Compare):
        left, right = _walk(node.left, names), _walk(node.comparators[0], names)
        return left > right if isinstance(node.ops[0], ast.Gt) else left >= right
    assert isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
    args = [_walk(a, names) for a in node.args]
    kw = {k.arg: _walk(k.value, names) for k in node.keywords if k.arg}
    return names[node.func.id](*args, **kw)


@pytest.mark.parametrize(("text", "at", "want"), EXPR_KINKS)
def test_kink_values(text: str, at: list[float], want: list[float]) -> None:
    got = gradient(text, np.array(at))
    np.testing.assert_array_equal(got, np.array(want))


@pytest.mark.parametrize(("text", "at", "want"), EXPR_KINKS)
def test_kink_values_agree_with_torch(text: str, at: list[float], want: list[float]) -> None:
    torch = pytest.importorskip("torch")
    f = _torch_version(text)
    t = torch.tensor(at, dtype=torch.float64, requires_grad=True)
    f(t).sum().backward()
    np.testing.assert_array_equal(gradient(text, np.array(at)), t.grad.numpy())


def test_gradients_agree_with_torch_on_random_points() -> None:
    torch = pytest.importorskip("torch")
    x = points(200, 3.0)
    for text in ("abs(x)*x", "max(x, 2*x)", "clip(x, -x, 2)", "sqrt(abs(x))", "x**x", "x/x"):
        t = torch.tensor(x, dtype=torch.float64, requires_grad=True)
        _torch_version(text)(t).sum().backward()
        np.testing.assert_allclose(gradient(text, x), t.grad.numpy(), rtol=1e-14, equal_nan=True)


def test_the_branch_where_does_not_take_contributes_nothing() -> None:
    # torch gives NaN here (0 * inf from exp's overflow); the selected branch's slope is 1.
    assert gradient("where(x > 0, x, expm1(x))", [1000.0])[0] == 1.0
    assert gradient("where(x < 0, sqrt(-x), x)", [4.0])[0] == 1.0


# --------------------------------------------------------------------------------------------
# Numbers: float64, dtypes and shapes kept, NaN and inf, no warning, chunked evaluation


def test_dtype_and_shape_are_kept() -> None:
    x = points(24).reshape(2, 3, 4)
    for dtype in (np.float16, np.float32, np.float64):
        y = evaluate("x*sigmoid(1.702*x)", x.astype(dtype))
        g = gradient("x*sigmoid(1.702*x)", x.astype(dtype))
        assert y.dtype == dtype and y.shape == x.shape
        assert g.dtype == dtype and g.shape == x.shape
    # float32 input is computed in float64 and rounded once
    want = evaluate("x*sigmoid(1.702*x)", x.astype(np.float32).astype(np.float64))
    np.testing.assert_array_equal(
        evaluate("x*sigmoid(1.702*x)", x.astype(np.float32)), want.astype(np.float32)
    )
    assert evaluate("x + 1", 2.0).shape == ()
    assert evaluate("x + 1", [1, 2]).dtype == np.float64  # integers become float64


def test_nan_propagates_and_the_formula_is_computed_as_written() -> None:
    y = evaluate("log(1+exp(x))", [math.nan, 800.0, -800.0, math.inf])
    assert math.isnan(y[0])
    assert y[1] == math.inf  # exp overflows: the formula's own value, not softplus's
    assert y[2] == 0.0 and y[3] == math.inf
    assert evaluate("9**9**9**9", [0.0])[0] == math.inf  # floats: no big-integer computation
    assert evaluate("1/x", [0.0])[0] == math.inf
    assert math.isnan(evaluate("10**400 - 10**400", [0.0])[0])  # inf - inf


def test_an_expression_without_x_fills_the_shape() -> None:
    np.testing.assert_array_equal(evaluate("2*pi", np.zeros((2, 2))), np.full((2, 2), 2 * math.pi))
    np.testing.assert_array_equal(gradient("a + e", np.zeros(3), a=1.0), np.zeros(3))


def test_large_inputs_go_through_the_chunked_engine_unchanged() -> None:
    x = np.random.default_rng(RNG_SEED).normal(size=3 * CHUNK + 17)
    text = "x*tanh(softplus(x)) + where(x > 1, x**2, abs(x))"
    whole = evaluate(text, x)
    parts = np.concatenate([evaluate(text, x[i : i + 1000]) for i in range(0, x.size, 1000)])
    np.testing.assert_array_equal(whole, parts)
    g_whole = gradient(text, x)
    g_parts = np.concatenate([gradient(text, x[i : i + 1000]) for i in range(0, x.size, 1000)])
    np.testing.assert_array_equal(g_whole, g_parts)


def test_threads_give_the_same_bits() -> None:
    from actcli.engine import PARALLEL_MIN

    x = np.random.default_rng(RNG_SEED).normal(size=PARALLEL_MIN + 3 * CHUNK)
    text = "leaky_relu(x, negative_slope=s) * tanh(x) + clip(x, -1, 1)**2"
    before = actcli.get_num_threads()
    try:
        actcli.set_num_threads(1)
        one = (evaluate(text, x, s=0.1), gradient(text, x, s=0.1))
        actcli.set_num_threads(2)
        two = (evaluate(text, x, s=0.1), gradient(text, x, s=0.1))
    finally:
        actcli.set_num_threads(before)
    np.testing.assert_array_equal(one[0], two[0])
    np.testing.assert_array_equal(one[1], two[1])


def test_grad_output_scales_the_derivative() -> None:
    x = points(10)
    g = np.arange(10.0)
    np.testing.assert_array_equal(gradient("x**3", x, grad_output=g), g * (3 * x**2))


# --------------------------------------------------------------------------------------------
# Parameters


def test_free_identifiers_are_parameters_and_a_missing_one_is_named() -> None:
    assert expr.parse("a*x + b*sigmoid(c*x)").params == ("a", "b", "c")
    with pytest.raises(ParamError, match="needs parameter 'beta'"):
        evaluate("x*sigmoid(beta*x)", [1.0])
    with pytest.raises(ParamError, match="unknown parameter 'gamma'"):
        evaluate("x*sigmoid(beta*x)", [1.0], beta=1.0, gamma=2.0)
    with pytest.raises(ParamError, match="must be a number"):
        evaluate("x*sigmoid(beta*x)", [1.0], beta="big")


def test_keyword_bound_to_a_parameter_is_checked_at_each_call() -> None:
    with pytest.raises(ParamError, match="negative_slope"):
        evaluate("leaky_relu(x, negative_slope=s)", [1.0], s=math.inf)


# --------------------------------------------------------------------------------------------
# Refusals: one line, a caret, close names; hostile inputs do nothing


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("__import__('os').system('true')", "attribute access"),
        ("__import__('os')", "unknown function '__import__'"),
        ("().__class__.__bases__", "attribute access"),
        ("open('/etc/passwd')", "unknown function 'open'"),
        ("x.real", "attribute access"),
        ("x[0]", "subscripts"),
        ("lambda: 1", "lambda"),
        ("[x for x in y]", "comprehensions"),
        ("f'{x}'", "f-strings"),
        ("x if x > 0 else 0", "where(c, a, b)"),
        ("(y := 2)", "assignment"),
        ("x @ x", "operator @ not allowed"),
        ("x // 2", "operator // not allowed"),
        ("x > 0", "comparisons are only allowed in where"),
        ("where(x, 1, 0)", "must be a comparison"),
        ("exp(x, 2)", "exp() takes one argument"),
        ("max(x)", "two or more"),
        ("exp", "'exp' is a function"),
        ("relu + x", "'relu' is a function"),
        ("softmax(x)", "along an axis"),
        ("rrelu(x)", "random"),
        ("x*sigmod(x)", "did you mean 'sigmoid'"),
        ("leaky_relu(x, slope=0.1)", "unknown parameter 'slope' for leaky_relu"),
        ("gelu(x, approximate='fast')", "must be one of: none, tanh"),
        ("leaky_relu(x, negative_slope=x)", "cannot depend on x"),
        ("relu(x, **k)", "** arguments"),
        ("'text'", "strings only allowed as a keyword value"),
        ("1j*x", "complex"),
        ("_secret*x", "not allowed"),
        ("x # comment", "character '#'"),
        ("x;x", "character ';'"),
        ("x\n+1", "character '\\n'"),
        ("x\x1b[31m", "character '\\x1b'"),
        ("x +", "invalid expression"),
        ("", "empty expression"),
        ("(" * 200 + "x" + ")" * 200, "nested deeper than"),
        ("-" * 500 + "x", "nested deeper than"),
        ("x" + "+x" * 600, "longer than"),
    ],
)
def test_refused(text: str, message: str) -> None:
    with pytest.raises(ExpressionError) as info:
        expr.parse(text)
    assert message in str(info.value)
    assert "\n" not in str(info.value) and "\x1b" not in str(info.value)
    assert "^" in str(info.value) or text == ""


def test_error_shows_a_caret_before_the_offending_part() -> None:
    with pytest.raises(ExpressionError) as info:
        expr.parse("x*sigmod(x)")
    e = info.value
    assert str(e).endswith("(column 3): x*^sigmod(x)")
    assert (e.expression, e.start, e.end) == ("x*sigmod(x)", 2, 8)


def test_long_and_deep_inputs_are_refused_before_parsing(monkeypatch: pytest.MonkeyPatch) -> None:
    # Bounded work: the length and nesting checks are linear scans that run before ast.parse.
    def no_parse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("ast.parse was called")

    monkeypatch.setattr(expr.ast, "parse", no_parse)
    for text in ("x" * 10_000_000, "(" * 100_000 + "x" + ")" * 100_000, "[" * 1000):
        with pytest.raises(ExpressionError):
            expr._parse_cached.__wrapped__(text)


def test_hostile_input_does_nothing(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    target = tmp_path / "pwned"
    for text in (
        f"__import__('os').system('touch {target}')",
        f"open('{target}', 'w')",
        f'exec(\'open("{target}", "w")\')',
        f'eval(\'open("{target}", "w")\')',
        "globals()",
        "breakpoint()",
    ):
        with pytest.raises(ExpressionError):
            evaluate(text, [1.0])
    assert list(tmp_path.iterdir()) == []


# --------------------------------------------------------------------------------------------
# define() and the records


def test_define_registers_a_working_activation(defined: list[str]) -> None:
    rec = actcli.define("quick_gelu_t", "x*sigmoid(a*x)", description="CLIP's QuickGELU", a=1.702)
    defined.append("quick_gelu_t")
    assert rec.name in actcli.names() and rec.source == "expression"
    x = points(50)
    np.testing.assert_array_equal(
        actcli.evaluate("quick_gelu_t", x), evaluate("x*sigmoid(1.702*x)", x)
    )
    np.testing.assert_array_equal(
        actcli.gradient("quick_gelu_t", x, a=2.0), gradient("x*sigmoid(2*x)", x)
    )
    assert rec.params[0].name == "a" and rec.params[0].default == 1.702
    assert rec.doc.description == "CLIP's QuickGELU"


def test_define_refuses_taken_and_bad_names(defined: list[str]) -> None:
    with pytest.raises(DefinitionsError, match="'relu' is taken"):
        actcli.define("relu", "max(x, 0)")
    with pytest.raises(DefinitionsError, match="'logistic' is taken"):
        actcli.define("logistic", "1/(1+exp(-x))")  # an alias of sigmoid
    with pytest.raises(DefinitionsError, match="snake_case"):
        actcli.define("My-Act", "x")
    with pytest.raises(DefinitionsError, match="'b' is not a parameter"):
        actcli.define("with_b", "a*x", b=1.0)
    with pytest.raises(ExpressionError):
        actcli.define("broken_one", "x +")
    assert "with_b" not in actcli.names() and "broken_one" not in actcli.names()


def test_a_defined_name_can_be_used_in_another_expression(defined: list[str]) -> None:
    actcli.define("twice_t", "2*x")
    defined.append("twice_t")
    np.testing.assert_array_equal(gradient("twice_t(x)**2", [3.0]), [24.0])


def test_derivative_override(defined: list[str]) -> None:
    rec = expr.build("cube_t", "x**3", derivative="3*x**2")
    np.testing.assert_array_equal(rec.kernels.derivative(np.array([2.0]), np.array([1.0])), [12.0])
    with pytest.raises(DefinitionsError, match="'k'"):
        expr.build("cube_t", "x**3", derivative="k*x**2")


def test_mathtext_parses() -> None:
    pytest.importorskip("matplotlib")
    from matplotlib.mathtext import MathTextParser

    parser = MathTextParser("path")
    for text in (
        "x*sigmoid(beta*x)",
        "0.5*x*(1 + tanh(sqrt(2/pi)*(x + 0.044715*x**3)))",
        "where(x > 0 and not x >= 3, abs(x)**-x, leaky_relu(x, negative_slope=1e-300))",
        "gelu(x, approximate='tanh') - (-x)**2 / clip(x, -1, 1e400)",
    ):
        parser.parse("$" + expr.mathtext(expr.parse(text).tree) + "$")


# --------------------------------------------------------------------------------------------
# What info says about a formula


def test_analyse_finds_the_overflow_and_the_stable_builtin() -> None:
    rec = expr.activation("log(1+exp(x))")
    notes = expr.analyse(rec, {})
    assert notes[0].startswith("gives inf for x >= 709.78")
    assert "softplus" in notes[1] and "stays finite" in notes[1]
    swish = expr.analyse(expr.activation("x*sigmoid(beta*x)"), {"beta": 1.5})
    assert swish == ["matches the built-in swish -p beta=1.5"]
    assert expr.analyse(expr.activation("sin(x) + x/(1 + x**2)"), {}) == []


# --------------------------------------------------------------------------------------------
# The command line: an expression and a defined name in every command

ENV = {"COLUMNS": "100", "NO_COLOR": "1"}

DEFS = """
[activation.quick_gelu_clip]
expr = "x * sigmoid(a * x)"
params = { a = 1.702 }
description = "CLIP's QuickGELU"
reference = "Radford et al. 2021"

[activation.cube_exact]
expr = "x**3"
derivative = "3*x**2"
output_range = "(-inf, inf)"
"""


def run(*args: Any, env: dict[str, str] | None = None) -> Any:
    from click.testing import CliRunner

    from actcli.cli import cli

    runner = CliRunner(env={**ENV, **(env or {})})
    return runner.invoke(cli, [str(a) for a in args], prog_name="actcli")


def csv_column(text: str) -> np.ndarray:
    return np.array([float(line) for line in text.splitlines()])


@pytest.fixture
def defs_file(tmp_path: Any) -> Any:
    path = tmp_path / "acts.toml"
    path.write_text(DEFS)
    return path


X7 = np.linspace(-3.0, 3.0, 7)
QUICK_GELU = X7 / (1.0 + np.exp(-1.702 * X7))  # independent of actcli
QUICK_GELU_GRAD = (1.0 / (1.0 + np.exp(-1.702 * X7))) * (
    1.0 + 1.702 * X7 * (1.0 - 1.0 / (1.0 + np.exp(-1.702 * X7)))
)


@pytest.mark.parametrize(
    "name", ["x*sigmoid(1.702*x)", "x*sigmoid(a*x)", "quick_gelu_clip", "quick_gelu_clip(x)"]
)
def test_eval_and_grad_on_an_expression_and_a_defined_name(name: str, defs_file: Any) -> None:
    params = ["-p", "a=1.702"] if name == "x*sigmoid(a*x)" else []
    common = ["--defs", defs_file]
    res = run(*common, "eval", name, "--range", "-3:3:7", "--format", "csv", *params)
    assert res.exit_code == 0, res.stderr
    np.testing.assert_allclose(csv_column(res.stdout), QUICK_GELU, rtol=1e-14)
    res = run(*common, "grad", name, "--range", "-3:3:7", "--format", "csv", *params)
    assert res.exit_code == 0, res.stderr
    np.testing.assert_allclose(csv_column(res.stdout), QUICK_GELU_GRAD, rtol=1e-13)


def test_a_defined_name_works_in_every_command(
    defs_file: Any, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    defs_file = defs_file.name  # shown in list as given
    for name in ("quick_gelu_clip", "x*sigmoid(beta*x)"):
        p = ["-p", "beta=1.5"] if "beta" in name else []
        png = tmp_path / "one.png"
        res = run("--defs", defs_file, "plot", name, "silu", "--overlay", *p, "-o", png)
        assert res.exit_code == 0, res.stderr
        assert png.read_bytes().startswith(b"\x89PNG")
        png.unlink()
        res = run(
            "--defs",
            defs_file,
            "bench",
            name,
            "--size",
            "1e3",
            "--repeats",
            "1",
            "--min-time",
            "0",
            "--dtype",
            "float64",
            "--json",
        )
        assert res.exit_code == 0, res.stderr
        assert f'"name": "{name}"' in res.stdout
        res = run("--defs", defs_file, "info", name, *p)
        assert res.exit_code == 0, res.stderr
        assert "x" in res.stdout and "Worked example" in res.stdout
    res = run("--defs", defs_file, "list")
    assert "quick_gelu_clip" in res.stdout and f"user-defined, {defs_file}" in res.stdout
    res = run("--defs", defs_file, "list", "--json")
    entry = next(e for e in __import__("json").loads(res.stdout) if e["name"] == "cube_exact")
    assert entry["source"] == str(defs_file) and entry["output_range"] == "(-inf, inf)"
    # the definitions live only as long as the command
    assert "quick_gelu_clip" not in actcli.names()


def test_a_sweep_of_an_expression_parameter_plots(tmp_path: Any) -> None:
    out = tmp_path / "sweep.png"
    res = run("plot", "x*sigmoid(beta*x)", "-p", "beta=0.5,1,2", "-o", out)
    assert res.exit_code == 0, res.stderr
    assert out.read_bytes().startswith(b"\x89PNG")


def test_plot_file_name_of_an_expression_is_safe(tmp_path: Any, monkeypatch: Any) -> None:
    monkeypatch.chdir(tmp_path)
    res = run("plot", "x/(1+abs(x))", "relu")  # one file each, in the current folder
    assert res.exit_code == 0, res.stderr
    assert sorted(p.name for p in tmp_path.iterdir()) == ["relu.png", "x_1_abs_x.png"]


def test_info_on_an_unstable_formula_points_at_the_builtin() -> None:
    res = run("info", "log(1+exp(x))")
    assert res.exit_code == 0, res.stderr
    assert "gives inf for x >= 709.783" in res.stdout
    assert "matches the built-in softplus" in res.stdout


def test_derivative_key_is_used(defs_file: Any) -> None:
    res = run("--defs", defs_file, "grad", "cube_exact", "--values=2", "--format", "csv")
    assert res.exit_code == 0 and float(res.stdout) == 12.0


def test_actcli_defs_lists_files_like_path(defs_file: Any, tmp_path: Any) -> None:
    other = tmp_path / "more.toml"
    other.write_text('[activation.halved]\nexpr = "x/2"\n')
    env = {"ACTCLI_DEFS": f"{defs_file}{__import__('os').pathsep}{other}"}
    res = run("eval", "halved", "--values=3", "--format", "csv", env=env)
    assert res.exit_code == 0, res.stderr
    assert float(res.stdout) == 1.5
    res = run("eval", "quick_gelu_clip(x) - halved(x)", "--values=0", "--format", "csv", env=env)
    assert res.exit_code == 0 and float(res.stdout) == 0.0
    res = run("list", env={"ACTCLI_DEFS": str(tmp_path / "missing.toml")})
    assert res.exit_code == 2
    missing = tmp_path / "missing.toml"
    assert res.stderr == f"Error: ACTCLI_DEFS lists '{missing}', which is not an existing file\n"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (
            '[activation.relu]\nexpr = "x"\n',
            "[activation.relu]: the name 'relu' is taken (a built-in activation)",
        ),
        ('[activation.hard_tanh]\nexpr = "x"\n', "the name 'hard_tanh' is taken"),
        ('[activation.a1]\nexpr = "x +"\n', "[activation.a1] expr: invalid expression"),
        (
            '[activation.a1]\nexpr = "exp(x)"\nderivative = "opn(x)"\n',
            "[activation.a1] derivative: unknown function 'opn'",
        ),
        (
            '[activation.a1]\nexpr = "x"\nparms = { a = 1 }\n',
            "[activation.a1] parms: unknown key (did you mean 'params'?)",
        ),
        (
            '[activation.a1]\nexpr = "a*x"\nparams = { b = 1 }\n',
            "[activation.a1] params: 'b' is not a parameter of a*x",
        ),
        (
            '[activation.a1]\nexpr = "a*x"\nparams = { a = "big" }\n',
            "[activation.a1] params.a: must be a number, got 'big'",
        ),
        (
            '[activation.a1]\nexpr = "a*x"\nparams = { a = nan }\n',
            "[activation.a1] params.a: must be finite",
        ),
        ("[activation.a1]\nexpr = 3\n", "[activation.a1] expr: must be a string, got int"),
        (
            '[activation.a1]\ndescription = "no formula"\n',
            "[activation.a1]: the key 'expr' (the formula) is missing",
        ),
        (
            '[activation.Bad-Name]\nexpr = "x"\n',
            "[activation.Bad-Name]: the name 'Bad-Name' is not lower snake_case",
        ),
        (
            '[activations.a1]\nexpr = "x"\n',
            "[activations]: unknown table; expected [activation.NAME] tables",
        ),
        (
            "[activation.a1\n",
            "is not valid TOML: Expected ']' at the end of a table declaration "
            "(at line 1, column 15)",
        ),
        (
            "[activation.a1]\nexpr = \"__import__('os')\"\n",
            "[activation.a1] expr: unknown function '__import__'",
        ),
    ],
)
def test_definitions_file_errors_name_the_file_entry_and_key(
    text: str, message: str, tmp_path: Any
) -> None:
    path = tmp_path / "bad.toml"
    path.write_text(text)
    res = run("--defs", path, "list")
    assert res.exit_code == 1
    assert res.stderr.startswith("Error: ") and res.stderr.count("\n") == 1
    assert str(path) in res.stderr and message in res.stderr, res.stderr
    assert "a1" not in actcli.names()


def test_definitions_are_all_or_nothing(tmp_path: Any) -> None:
    path = tmp_path / "half.toml"
    path.write_text('[activation.good_one]\nexpr = "x"\n[activation.bad_one]\nexpr = "x +"\n')
    assert run("--defs", path, "eval", "good_one", "--values=1").exit_code == 1
    assert "good_one" not in actcli.names()


def test_control_characters_in_definitions_are_escaped(tmp_path: Any) -> None:
    path = tmp_path / "esc.toml"
    path.write_text(
        '[activation.esc]\nexpr = "x"\ndescription = "bold \\u001b[1m [red]markup[/]"\n'
    )
    res = run("--defs", path, "info", "esc")
    assert res.exit_code == 0, res.stderr
    assert "\x1b" not in res.stdout and "bold \\x1b[1m [red]markup[/]" in res.stdout


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("__import__('os').system('touch pwned')", "attribute access (.) not allowed"),
        ("open('pwned', 'w')", "unknown function 'open'"),
        ("().__class__.__bases__", "attribute access (.) not allowed"),
        ("(" * 60 + "x" + ")" * 60, "nested deeper than 40 levels"),
        (
            "x*sigmod(x)",
            "unknown function 'sigmod' (did you mean 'sigmoid' or 'logsigmoid'?) "
            "(column 3): x*^sigmod(x)",
        ),
    ],
)
def test_hostile_expressions_on_the_command_line(
    text: str, message: str, tmp_path: Any, monkeypatch: Any
) -> None:
    monkeypatch.chdir(tmp_path)
    for command in ("eval", "grad", "info", "plot", "bench"):
        args = [command, text] + (["--values=1"] if command in ("eval", "grad") else [])
        res = run(*args)
        assert res.exit_code == 2, (command, res.stderr)
        assert res.stderr.startswith("Error: Invalid value for '")  # 'NAME' or '[NAME]...'
        assert "NAME" in res.stderr.split(":")[1]
        assert message in res.stderr and res.stderr.count("\n") == 1
    assert list(tmp_path.iterdir()) == []


def test_a_bare_unknown_word_is_still_a_name() -> None:
    res = run("eval", "sigmod", "--values=1")
    assert res.exit_code == 2
    assert "unknown activation 'sigmod' (did you mean 'sigmoid'" in res.stderr


# --------------------------------------------------------------------------------------------
# Plugins: the actcli.activations entry-point group

PLUGIN = """
import numpy as np
from actcli.records import Activation, Doc, Kernels


def _fwd(x, **params):
    return np.square(x)


def _der(x, g, **params):
    return 2.0 * x * g


def records():
    doc = Doc(formula="x^2", mathtext="$x^2$", derivative="2x", output_range="[0, inf)",
              description="a plugin's square")
    return [Activation(name="plugged_square", doc=doc, kernels=Kernels(_fwd, _der))]
"""


@pytest.fixture
def plugin_path(tmp_path: Any, monkeypatch: pytest.MonkeyPatch) -> Iterator[Any]:
    (tmp_path / "actcli_demo_plugin.py").write_text(PLUGIN)
    info = tmp_path / "actcli_demo_plugin-0.1.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(
        "Metadata-Version: 2.1\nName: actcli-demo-plugin\nVersion: 0.1\n"
    )
    (info / "entry_points.txt").write_text(
        "[actcli.activations]\nsquare = actcli_demo_plugin:records\n"
    )
    monkeypatch.syspath_prepend(str(tmp_path))
    monkeypatch.setattr(catalog, "_plugins_loaded", False)
    yield tmp_path
    if "plugged_square" in catalog.names():
        catalog.unregister("plugged_square")
    __import__("sys").modules.pop("actcli_demo_plugin", None)


def test_an_installed_plugin_contributes_records(plugin_path: Any) -> None:
    assert not catalog._plugins_loaded
    catalog.get("relu")  # a known name does not look at plugins
    assert not catalog._plugins_loaded
    np.testing.assert_array_equal(actcli.evaluate("plugged_square", [3.0]), [9.0])
    assert catalog._plugins_loaded
    np.testing.assert_array_equal(actcli.gradient("plugged_square", [3.0]), [6.0])
    assert catalog.get("plugged_square").source == "plugin actcli_demo_plugin:records"
    res = run("list")
    assert "plugged_square" in res.stdout and "plugin actcli_demo_plugin:records" in res.stdout


def test_a_broken_plugin_is_one_line_naming_it(plugin_path: Any) -> None:
    (plugin_path / "actcli_demo_plugin.py").write_text("raise RuntimeError('boom')\n")
    res = run("eval", "not_a_name_anywhere", "--values=1")
    assert res.exit_code == 1
    assert res.stderr == (
        "Error: the plugin 'square' (actcli_demo_plugin:records) of entry-point group "
        "actcli.activations failed to load: RuntimeError: boom\n"
    )


# --------------------------------------------------------------------------------------------
# Fuzz: any text is either refused with ExpressionError or evaluates quietly (no other error,
# no warning: pytest turns warnings into errors)

from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

TOKENS = [
    "x", "a", "b", "pi", "e", "1", "0", "2.5", "1e308", "-", "+", "*", "/", "**", "(", ")",
    ",", "<", ">=", "==", " and ", " not ", "abs(", "exp(", "log(", "sqrt(", "max(", "min(",
    "clip(", "where(", "tanh(", "relu(", "gelu(", "softplus(", "negative_slope=", "'tanh'",
    "leaky_relu(", "erf(", "expm1(", ".", "[", "lambda", "__class__", "#", "9**9**9",
]  # fmt: skip


def _quietly_evaluated_or_refused(text: str) -> None:
    try:
        compiled = expr.parse(text)
    except ExpressionError as e:
        assert "\n" not in str(e)
        return
    params = dict.fromkeys(compiled.params, 1.5)
    x = np.array([-1e300, -2.0, -0.0, 0.0, 0.5, 3.0, 1e300, math.inf, -math.inf, math.nan])
    record = expr.activation(text)  # also a bare word such as "x", which evaluate() would
    try:  # look up as a name
        y = evaluate(record, x, **params)
        g = gradient(record, x, **params)
    except ParamError:  # e.g. a keyword bound to a parameter out of the built-in's range
        return
    assert y.shape == x.shape == g.shape and y.dtype == g.dtype == np.float64


@settings(max_examples=300)
@given(st.lists(st.sampled_from(TOKENS), max_size=14).map("".join))
def test_fuzz_token_soup(text: str) -> None:
    _quietly_evaluated_or_refused(text)


@settings(max_examples=200)
@given(st.text(max_size=60))
def test_fuzz_any_text(text: str) -> None:
    _quietly_evaluated_or_refused(text)


@pytest.mark.parametrize(
    ("text", "params", "kinks"),
    [
        ("abs(x)", {}, (0.0,)),
        ("max(x, 0, a)", {"a": 1.5}, (0.0, 1.5)),
        ("clip(x, -1, b)", {"b": 2.0}, (-1.0, 2.0)),
        ("where(x > c, x, 0)", {"c": 0.5}, (0.5,)),
        ("where(-1 < x and not x > 2, 1, 0)", {}, (-1.0, 2.0)),
        ("relu(x) + hardtanh(x, min_val=-2)", {}, (-2.0, 0.0, 1.0)),
        ("threshold(x, threshold=t, value=0)", {"t": 0.25}, (0.25,)),
        ("sign(x)*exp(x)", {}, (0.0,)),
        ("abs(x - 1)", {}, ()),  # found only where the argument is x itself
        ("x*sigmoid(x)", {}, ()),
    ],
)
def test_kinks_are_found_where_the_argument_is_x(
    text: str, params: dict[str, float], kinks: tuple[float, ...]
) -> None:
    assert expr.activation(text).kink_points(params) == kinks


def test_a_plot_marks_the_jump_of_an_expression(tmp_path: Any) -> None:
    from actcli import engine, options, plotting

    act = engine.resolve("where(x > 0, tanh(x), a*tanh(x))")
    (spec,) = plotting.specs(options.plot_sweeps([act], {"a": "0.25"}, plotting.MAX_CURVES))
    curve = plotting.sample(spec, -1.0, 1.0, 11)
    assert curve.kinks == (0.0,) and 0.0 in curve.x


def test_a_builtin_name_loads_no_expression_machinery(tmp_path: Any) -> None:
    import subprocess
    import sys

    np.save(tmp_path / "x.npy", np.linspace(-8, 8, 100))
    code = (
        "import sys\n"
        "from actcli.cli import cli\n"
        "try:\n"
        "    cli(['eval', 'relu6', 'x.npy', '-o', 'y.npy'])\n"
        "except SystemExit as e:\n"
        "    assert e.code == 0, e.code\n"
        "print(sorted(m for m in ('actcli.expr', 'tomllib', 'importlib.metadata')"
        " if m in sys.modules))\n"
    )
    env = {k: v for k, v in __import__("os").environ.items() if k != "ACTCLI_DEFS"}
    proc = subprocess.run(
        [sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, env=env
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "[]\n"
