"""The expression language of user-defined activations: parser, allow-list, evaluation and the
exact derivative.

An expression such as ``x*sigmoid(beta*x)`` is parsed with :mod:`ast` and checked node by node
against an allow-list: numbers, the variable ``x``, parameters (any other free identifier),
``+ - * / **``, unary minus, the functions of :data:`FUNCTIONS`, every built-in elementwise
activation as a function (its parameters as keywords), and comparisons and ``and``/``or``/``not``
inside ``where``'s condition. User text is never given to ``eval``, ``exec`` or ``compile``, and
no code is generated from it: the checked tree becomes a tree of Python closures over NumPy
operations. Work is bounded before parsing (:data:`MAX_LENGTH`, :data:`MAX_DEPTH`), and numbers
are float64, so ``9**9**9**9`` is ``inf`` rather than a big-integer computation.

Every value is float64. The derivative is exact: forward-mode automatic differentiation carries
each node's value and tangent (d/dx) through the tree, with each operation's derivative written
as ``torch.autograd`` writes it (``abs'(0) = 0``, ``sqrt'(0) = inf``, ``sign' = 0``, a tie in
``max``/``min`` shares the gradient half and half, ``clip`` passes it at both ends), so the value
at a kink is what PyTorch gives for the same expression written with torch operations. A
built-in activation inside an expression contributes its own forward and gradient kernels.
One deliberate difference: a branch of ``where`` that is not taken contributes nothing, even
where its own derivative is inf or NaN (torch multiplies that by 0 and returns NaN).
"""

from __future__ import annotations

import ast
import math
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any, Literal

import numpy as np

from . import catalog
from ._frozen import frozen
from .errors import DefinitionsError, ExpressionError, ParamError, UnknownActivationError
from .records import REQUIRED, Activation, Array, Doc, Kernels, Param

#: The longest expression accepted, in characters.
MAX_LENGTH = 1000
#: The deepest nesting accepted (parentheses, or operators within operators).
MAX_DEPTH = 40
#: The variable.
VARIABLE = "x"
#: Named constants.
CONSTANTS: dict[str, float] = {"pi": math.pi, "e": math.e}

_PARAM_RE = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)
_ONE = np.float64(1.0)

Env = Mapping[str, Any]
Value = Any  # a float64 ndarray or an np.float64 scalar
Tangent = Any  # like Value, or None for a zero tangent (no dependence on x)


# --------------------------------------------------------------------------------------------
# The functions of the language


def _erf(u: Value) -> Value:
    from scipy.special import erf  # only when an expression uses it

    return erf(u)


def _erfc(u: Value) -> Value:
    from scipy.special import erfc

    return erfc(u)


@dataclass(frozen=True)
class Function:
    """One function of the language, declared once.

    Unary functions have ``value(u)`` and ``slope(u, y)``, the factor the chain rule multiplies
    the argument's tangent by (``y = value(u)``), written as PyTorch's autograd writes the
    derivative of ``torch`` (None: the derivative is 0 everywhere). ``form`` builds the node of
    the special forms (``min``, ``max``, ``clip``, ``where``) instead; ``arity`` is the number
    of arguments (``None``: two or more).
    """

    name: str
    meaning: str
    torch: str
    value: Callable[[Value], Value] | None = None
    slope: Callable[[Value, Value], Value] | None = None
    form: Callable[[list[Any]], _Node] | None = None
    arity: int | None = 1
    #: Where the derivative is a convention, when the argument is x itself: "zero" (at 0),
    #: "others" (at the other, constant arguments), "bounds" (at the 2nd and 3rd arguments),
    #: "condition" (where the condition's comparison of x with a constant flips).
    kinks: Literal["zero", "others", "bounds", "condition"] | None = None


# --------------------------------------------------------------------------------------------
# Compiled nodes: each has a value and a (value, tangent) evaluation.

_CONST, _PARAM, _VAR = 0, 1, 2


@dataclass(frozen=True)
class _Node:
    value: Callable[[Array, Env], Value]
    dual: Callable[[Array, Env], tuple[Value, Tangent]]
    level: int  # _CONST (a number), _PARAM (depends on parameters only) or _VAR (on x)


@dataclass(frozen=True)
class _Cond:
    """A condition (comparison, and/or/not): a boolean array or scalar; no tangent."""

    value: Callable[[Array, Env], Any]
    level: int
    kinks: KinkRule | None = None


#: ``rule(env)``: kink points of part of an expression, for the bound parameters ``env``.
KinkRule = Callable[[Env], tuple[float, ...]]
_NOWHERE = np.empty(0)


def _scalars(nodes: Sequence[_Node]) -> KinkRule:
    fns = [n.value for n in nodes if n.level <= _PARAM]
    return lambda env: tuple(float(f(_NOWHERE, env)) for f in fns)


def _is_x(node: ast.AST) -> bool:
    return isinstance(node, ast.Name) and node.id == VARIABLE


def _const(v: float) -> _Node:
    c = np.float64(v)
    return _Node(lambda x, env: c, lambda x, env: (c, None), _CONST)


def _fold(node: _Node) -> _Node:
    """A node that depends on nothing is computed once, now."""
    if node.level != _CONST:
        return node
    with np.errstate(all="ignore"):
        return _const(float(node.value(np.empty(0), {})))


def _t_add(a: Tangent, b: Tangent) -> Tangent:
    if a is None:
        return b
    if b is None:
        return a
    return a + b


def _t_sub(a: Tangent, b: Tangent) -> Tangent:
    if b is None:
        return a
    if a is None:
        return -b
    return a - b


def _t_scale(t: Tangent, s: Value) -> Tangent:
    return None if t is None else t * s


def _zero(t: Tangent) -> Value:
    return np.float64(0.0) if t is None else t


def _binop(op: type[ast.operator], a: _Node, b: _Node) -> _Node:
    av, bv, ad, bd = a.value, b.value, a.dual, b.dual
    level = max(a.level, b.level)
    if op is ast.Add:

        def value(x: Array, env: Env) -> Value:
            return av(x, env) + bv(x, env)

        def dual(x: Array, env: Env) -> tuple[Value, Tangent]:
            (va, ta), (vb, tb) = ad(x, env), bd(x, env)
            return va + vb, _t_add(ta, tb)

    elif op is ast.Sub:

        def value(x: Array, env: Env) -> Value:
            return av(x, env) - bv(x, env)

        def dual(x: Array, env: Env) -> tuple[Value, Tangent]:
            (va, ta), (vb, tb) = ad(x, env), bd(x, env)
            return va - vb, _t_sub(ta, tb)

    elif op is ast.Mult:

        def value(x: Array, env: Env) -> Value:
            return av(x, env) * bv(x, env)

        def dual(x: Array, env: Env) -> tuple[Value, Tangent]:
            # torch: grad·other and grad·self
            (va, ta), (vb, tb) = ad(x, env), bd(x, env)
            return va * vb, _t_add(_t_scale(ta, vb), _t_scale(tb, va))

    elif op is ast.Div:

        def value(x: Array, env: Env) -> Value:
            return av(x, env) / bv(x, env)

        def dual(x: Array, env: Env) -> tuple[Value, Tangent]:
            # torch: grad/other and -grad·((self/other)/other)
            (va, ta), (vb, tb) = ad(x, env), bd(x, env)
            y = va / vb
            return y, _t_sub(_t_scale(ta, 1.0 / vb), _t_scale(tb, y / vb))

    else:  # ast.Pow

        def value(x: Array, env: Env) -> Value:
            return np.power(av(x, env), bv(x, env))

        def dual(x: Array, env: Env) -> tuple[Value, Tangent]:
            # torch: self: where(exponent == 0, 0, grad·exponent·self^(exponent-1));
            # exponent: where(self == 0 and exponent >= 0, 0, grad·result·log(self))
            (va, ta), (vb, tb) = ad(x, env), bd(x, env)
            y = np.power(va, vb)
            t: Tangent = None
            if ta is not None and np.ndim(vb) == 0:  # a constant exponent: no where needed
                if vb != 0.0:
                    t = vb * (va if vb == 2.0 else np.power(va, vb - 1.0)) * ta
                else:
                    t = np.zeros_like(va) if tb is None else None
            elif ta is not None:
                t = np.where(vb == 0.0, 0.0, vb * np.power(va, vb - 1.0)) * ta
            if tb is not None:
                t = _t_add(t, np.where((va == 0.0) & (vb >= 0.0), 0.0, y * np.log(va)) * tb)
            return y, t

    return _fold(_Node(value, dual, level))


def _negate(a: _Node) -> _Node:
    av, ad = a.value, a.dual

    def value(x: Array, env: Env) -> Value:
        return -av(x, env)

    def dual(x: Array, env: Env) -> tuple[Value, Tangent]:
        v, t = ad(x, env)
        return -v, None if t is None else -t

    return _fold(_Node(value, dual, a.level))


def _unary(fn: Function, a: _Node) -> _Node:
    f, slope, av, ad = fn.value, fn.slope, a.value, a.dual
    assert f is not None

    def value(x: Array, env: Env) -> Value:
        return f(av(x, env))

    def dual(x: Array, env: Env) -> tuple[Value, Tangent]:
        u, t = ad(x, env)
        y = f(u)
        if t is None or slope is None:
            return y, None
        return y, slope(u, y) * t

    return _fold(_Node(value, dual, a.level))


def _extreme(args: list[Any], larger: bool) -> _Node:
    """max/min of two or more arguments, folded pairwise, as torch.maximum/minimum: a tie
    gives each side half the gradient; NaN propagates (and takes the gradient of both)."""
    node: _Node = args[0]
    for other in args[1:]:
        node = _extreme2(node, other, larger)
    return node


def _extreme2(a: _Node, b: _Node, larger: bool) -> _Node:
    pick = np.maximum if larger else np.minimum
    av, bv, ad, bd = a.value, b.value, a.dual, b.dual

    def value(x: Array, env: Env) -> Value:
        return pick(av(x, env), bv(x, env))

    def dual(x: Array, env: Env) -> tuple[Value, Tangent]:
        (va, ta), (vb, tb) = ad(x, env), bd(x, env)
        y = pick(va, vb)
        if ta is None and tb is None:
            return y, None
        a_loses, b_loses = (va < vb, va > vb) if larger else (va > vb, va < vb)
        tie = va == vb
        t: Tangent = None
        if ta is not None:
            t = np.where(a_loses, 0.0, np.where(tie, 0.5 * ta, ta))
        if tb is not None:
            t = _t_add(t, np.where(b_loses, 0.0, np.where(tie, 0.5 * tb, tb)))
        return y, t

    return _fold(_Node(value, dual, max(a.level, b.level)))


def _clip(args: list[Any]) -> _Node:
    """clip(u, lo, hi) = min(max(u, lo), hi), as torch.clamp: the gradient passes on the closed
    interval [lo, hi] (both ends included); with lo > hi the result is hi."""
    u, lo, hi = args
    uv, lv, hv, ud, ld, hd = u.value, lo.value, hi.value, u.dual, lo.dual, hi.dual

    def value(x: Array, env: Env) -> Value:
        return np.minimum(np.maximum(uv(x, env), lv(x, env)), hv(x, env))

    def dual(x: Array, env: Env) -> tuple[Value, Tangent]:
        (vu, tu), (vl, tl), (vh, th) = ud(x, env), ld(x, env), hd(x, env)
        y = np.minimum(np.maximum(vu, vl), vh)
        t: Tangent = None
        if tu is not None:
            t = np.where((vu >= vl) & (vu <= vh), tu, 0.0)
        if tl is not None:
            t = _t_add(t, np.where((vu < vl) & (vl < vh), tl, 0.0))
        if th is not None:
            t = _t_add(t, np.where((vu > vh) | (vh < vl), th, 0.0))
        return y, t

    return _fold(_Node(value, dual, max(u.level, lo.level, hi.level)))


def _where(args: list[Any]) -> _Node:
    """where(cond, a, b): a where cond holds, else b (NaN compares false). The tangent is
    selected the same way, so the branch not taken contributes nothing."""
    cond, a, b = args
    cv, av, bv, ad, bd = cond.value, a.value, b.value, a.dual, b.dual

    def value(x: Array, env: Env) -> Value:
        return np.where(cv(x, env), av(x, env), bv(x, env))

    def dual(x: Array, env: Env) -> tuple[Value, Tangent]:
        c = cv(x, env)
        (va, ta), (vb, tb) = ad(x, env), bd(x, env)
        y = np.where(c, va, vb)
        if ta is None and tb is None:
            return y, None
        return y, np.where(c, _zero(ta), _zero(tb))

    return _fold(_Node(value, dual, max(cond.level, a.level, b.level)))


def _abs_slope(u: Value, y: Value) -> Value:
    return np.sign(u)  # torch: grad·sgn(self), so abs'(0) = 0


#: The functions of the language besides the built-in activations (``tanh``, ``sigmoid``,
#: ``softplus``, ... are the activations of the same name, with their accurate kernels).
FUNCTIONS: tuple[Function, ...] = (
    Function("abs", "|u|; abs'(0) = 0", "torch.abs", np.abs, _abs_slope, kinks="zero"),
    Function("sign", "-1, 0 or 1; derivative 0", "torch.sign", np.sign, None, kinks="zero"),
    Function("exp", "e^u", "torch.exp", np.exp, lambda u, y: y),
    Function("expm1", "e^u - 1, accurate near 0", "torch.expm1", np.expm1, lambda u, y: y + 1.0),
    Function("log", "natural logarithm", "torch.log", np.log, lambda u, y: 1.0 / u),
    Function(
        "log1p", "log(1 + u), accurate near 0", "torch.log1p", np.log1p, lambda u, y: 1.0 / (u + 1)
    ),
    Function("sqrt", "square root; sqrt'(0) = inf", "torch.sqrt", np.sqrt, lambda u, y: 0.5 / y),
    Function("sin", "sine", "torch.sin", np.sin, lambda u, y: np.cos(u)),
    Function("cos", "cosine", "torch.cos", np.cos, lambda u, y: -np.sin(u)),
    Function("tan", "tangent", "torch.tan", np.tan, lambda u, y: 1.0 + y * y),
    Function("sinh", "hyperbolic sine", "torch.sinh", np.sinh, lambda u, y: np.cosh(u)),
    Function("cosh", "hyperbolic cosine", "torch.cosh", np.cosh, lambda u, y: np.sinh(u)),
    Function(
        "arctan", "inverse tangent", "torch.atan", np.arctan, lambda u, y: 1.0 / (u * u + 1.0)
    ),
    Function(
        "erf",
        "error function",
        "torch.erf",
        _erf,
        lambda u, y: _TWO_OVER_SQRT_PI * np.exp(-(u * u)),
    ),
    Function(
        "erfc",
        "1 - erf(u), accurate for large u",
        "torch.erfc",
        _erfc,
        lambda u, y: -_TWO_OVER_SQRT_PI * np.exp(-(u * u)),
    ),
    Function(
        "max",
        "the largest argument; a tie shares the gradient",
        "torch.maximum",
        form=lambda args: _extreme(args, True),
        arity=None,
        kinks="others",
    ),
    Function(
        "min",
        "the smallest argument; a tie shares the gradient",
        "torch.minimum",
        form=lambda args: _extreme(args, False),
        arity=None,
        kinks="others",
    ),
    Function(
        "clip",
        "clip(u, lo, hi): u limited to [lo, hi]; gradient 1 at both ends",
        "torch.clamp",
        form=_clip,
        arity=3,
        kinks="bounds",
    ),
    Function(
        "where",
        "where(cond, a, b): a where cond holds, else b",
        "torch.where",
        form=_where,
        arity=3,
        kinks="condition",
    ),
)
_FUNCTION_INDEX = {f.name: f for f in FUNCTIONS}


# --------------------------------------------------------------------------------------------
# Errors: one line, the expression shown with a caret before the offending part.


def _escape(text: str) -> str:
    """Control and non-ASCII characters as escapes, so an error stays one printable line."""
    return "".join(
        c if " " <= c <= "~" else c.encode("unicode_escape").decode("ascii") for c in text
    )


def _error(text: str, start: int, end: int, problem: str) -> ExpressionError:
    shown = text if len(text) <= 120 else text[: max(start, 0) + 40]
    start = min(max(start, 0), len(shown))
    marked = _escape(shown[:start]) + "^" + _escape(shown[start:])
    if len(shown) < len(text):
        marked += "..."
    return ExpressionError(
        f"{problem} (column {start + 1}): {marked}", text, start, max(end, start + 1)
    )


_NODE_WORDS: dict[type[ast.AST], str] = {
    ast.Attribute: "attribute access (.)",
    ast.Subscript: "subscripts ([...])",
    ast.Lambda: "lambda",
    ast.ListComp: "comprehensions",
    ast.GeneratorExp: "comprehensions",
    ast.SetComp: "comprehensions",
    ast.DictComp: "comprehensions",
    ast.JoinedStr: "f-strings",
    ast.List: "lists",
    ast.Tuple: "tuples",
    ast.Dict: "dicts",
    ast.Set: "sets",
    ast.IfExp: "'a if c else b' (write where(c, a, b))",
    ast.NamedExpr: "assignment (:=)",
    ast.Starred: "* arguments",
    ast.Await: "await",
    ast.Yield: "yield",
    ast.YieldFrom: "yield",
}


def _not_allowed(node: ast.AST) -> str:
    what = _NODE_WORDS.get(type(node))
    if what is None:
        what = f"'{type(node).__name__}'"
    return f"{what} not allowed in an expression"


def _check_text(text: str) -> None:
    if len(text) > MAX_LENGTH:
        raise _error(text, MAX_LENGTH, len(text), f"expression longer than {MAX_LENGTH} characters")
    if not text.strip():
        raise ExpressionError("empty expression", text, 0, 0)
    for i, c in enumerate(text):
        if not " " <= c <= "~":
            raise _error(text, i, i + 1, f"character '{_escape(c)}' not allowed")
        if c in "#\\;":
            raise _error(text, i, i + 1, f"character {c!r} not allowed")
    depth = 0
    for i, c in enumerate(text):
        if c in "([{":
            depth += 1
            if depth > MAX_DEPTH:
                raise _error(text, i, i + 1, f"nested deeper than {MAX_DEPTH} levels")
        elif c in ")]}":
            depth -= 1


def _check_depth(text: str, tree: ast.AST) -> None:
    offset = len(text) - len(text.lstrip())
    stack: list[tuple[ast.AST, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH + 2:  # Expression and the outer node do not count
            start = getattr(node, "col_offset", 0) + offset
            problem = f"nested deeper than {MAX_DEPTH} levels of operators, calls or parentheses"
            raise _error(text, start, start + 1, problem)
        stack.extend((child, depth + 1) for child in ast.iter_child_nodes(node))


def _parse(text: str) -> ast.expr:
    _check_text(text)
    try:
        tree = ast.parse(text.strip(), mode="eval")
    except SyntaxError as e:
        where = max((e.offset or 1) - 1, 0) + (len(text) - len(text.lstrip()))
        msg = (e.msg or "invalid syntax").removesuffix(" (<unknown>, line 1)")
        if msg == "invalid syntax" and text.rstrip()[-1] in "+-*/,(<>=":
            # Python points at the start of an expression that just stops
            where, msg = len(text.rstrip()), "it ends too early"
        raise _error(text, where, where + 1, f"invalid expression: {msg}") from None
    except (MemoryError, RecursionError):
        raise _error(text, 0, 1, f"nested deeper than {MAX_DEPTH} levels") from None
    _check_depth(text, tree)
    return tree.body


# --------------------------------------------------------------------------------------------
# From the checked tree to nodes


def _close_names(word: str, pool: Sequence[str]) -> str:
    import difflib

    close = difflib.get_close_matches(word.lower(), pool, n=3, cutoff=0.6)
    aka = catalog.aliases()
    close = list(dict.fromkeys(aka.get(c, c) for c in close))
    return " (did you mean " + " or ".join(f"'{c}'" for c in close) + "?)" if close else ""


def function_names() -> list[str]:
    """Every function name an expression may call: the language's, then the activations'."""
    acts = [a for a in catalog.activations() if _usable(a)]
    aka = [k for k, v in catalog.aliases().items() if _usable(catalog.get(v))]
    return [*_FUNCTION_INDEX, *dict.fromkeys([*(a.name for a in acts), *aka])]


def _usable(act: Activation) -> bool:
    return act.kind == "elementwise" and not act.kernels.random


@dataclass
class _Compiler:
    text: str
    offset: int  # leading spaces stripped before parsing
    params: dict[str, None] = field(default_factory=dict)  # in order of appearance
    kinks: list[KinkRule] = field(default_factory=list)

    def fail(self, node: ast.AST, problem: str) -> ExpressionError:
        start = getattr(node, "col_offset", 0) + self.offset
        end = getattr(node, "end_col_offset", start + 1) + self.offset
        return _error(self.text, start, end, problem)

    def expr(self, node: ast.expr) -> _Node:
        if isinstance(node, ast.Constant):
            return _const(self.number(node))
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.BinOp):
            if not isinstance(node.op, (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow)):
                raise self.fail(node, f"operator {_op_text(node.op)} not allowed")
            return _binop(type(node.op), self.expr(node.left), self.expr(node.right))
        if isinstance(node, ast.UnaryOp):
            if isinstance(node.op, ast.USub):
                return _negate(self.expr(node.operand))
            if isinstance(node.op, ast.UAdd):
                return self.expr(node.operand)
            if isinstance(node.op, ast.Not):
                raise self.fail(node, "'not' is only allowed in where's condition")
            raise self.fail(node, "operator ~ not allowed")
        if isinstance(node, ast.Call):
            return self.call(node)
        if isinstance(node, (ast.Compare, ast.BoolOp)):
            raise self.fail(node, "comparisons are only allowed in where's condition")
        raise self.fail(node, _not_allowed(node))

    def number(self, node: ast.Constant) -> float:
        v = node.value
        if isinstance(v, bool) or v is None or isinstance(v, (str, bytes)):
            kind = "strings" if isinstance(v, (str, bytes)) else repr(v)
            raise self.fail(node, f"{kind} only allowed as a keyword value")
        if isinstance(v, complex):
            raise self.fail(node, "complex numbers not allowed")
        if isinstance(v, int):
            try:
                return float(v)
            except OverflowError:
                return math.inf
        if isinstance(v, float):
            return v
        raise self.fail(node, _not_allowed(node))

    def name(self, node: ast.Name) -> _Node:
        word = node.id
        if word == VARIABLE:
            return _Node(lambda x, env: x, lambda x, env: (x, _ONE), _VAR)
        if word in CONSTANTS:
            return _const(CONSTANTS[word])
        if word in _FUNCTION_INDEX or (_is_word(word) and catalog.is_known(word)):
            raise self.fail(node, f"'{word}' is a function; call it, e.g. {word}(x)")
        self.param_name(node, word)

        def value(x: Array, env: Env) -> Value:
            return env[word]

        def dual(x: Array, env: Env) -> tuple[Value, Tangent]:
            return env[word], None

        return _Node(value, dual, _PARAM)

    def param_name(self, node: ast.AST, word: str) -> None:
        if not _PARAM_RE.match(word):
            raise self.fail(node, f"name '{word}' not allowed (parameters are plain words)")
        self.params[word] = None

    def condition(self, node: ast.expr) -> _Cond:
        if isinstance(node, ast.Compare):
            return self.compare(node)
        if isinstance(node, ast.BoolOp):
            parts = [self.condition(v) for v in node.values]
            combine = np.logical_and if isinstance(node.op, ast.And) else np.logical_or
            fns = [p.value for p in parts]

            def both(x: Array, env: Env) -> Any:
                out = fns[0](x, env)
                for f in fns[1:]:
                    out = combine(out, f(x, env))
                return out

            rules = [p.kinks for p in parts if p.kinks is not None]

            def kinks(env: Env) -> tuple[float, ...]:
                return tuple(k for rule in rules for k in rule(env))

            return _Cond(both, max(p.level for p in parts), kinks if rules else None)
        if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.Not):
            inner = self.condition(node.operand)
            fn = inner.value
            return _Cond(lambda x, env: np.logical_not(fn(x, env)), inner.level, inner.kinks)
        raise self.fail(node, "where's condition must be a comparison such as x > 0")

    def compare(self, node: ast.Compare) -> _Cond:
        ops = {ast.Lt: np.less, ast.LtE: np.less_equal, ast.Gt: np.greater}
        ops |= {ast.GtE: np.greater_equal, ast.Eq: np.equal, ast.NotEq: np.not_equal}
        terms = [self.expr(node.left), *(self.expr(c) for c in node.comparators)]
        steps = []
        for op, left, right in zip(node.ops, terms, terms[1:], strict=False):
            fn = ops.get(type(op))
            if fn is None:
                raise self.fail(node, f"comparison {_op_text(op)} not allowed")
            steps.append((fn, left.value, right.value))

        def value(x: Array, env: Env) -> Any:
            out: Any = None
            for fn, lv, rv in steps:
                r = fn(lv(x, env), rv(x, env))
                out = r if out is None else np.logical_and(out, r)
            return out

        rule: KinkRule | None = None
        sides = [node.left, *node.comparators]
        if len(sides) == 2 and any(_is_x(side) for side in sides):
            rule = _scalars([t for t, side in zip(terms, sides, strict=True) if not _is_x(side)])
        return _Cond(value, max(t.level for t in terms), rule)

    def call(self, node: ast.Call) -> _Node:
        if isinstance(node.func, ast.Attribute):
            raise self.fail(node.func, _not_allowed(node.func))
        if not isinstance(node.func, ast.Name):
            raise self.fail(node.func, "only named functions can be called, e.g. exp(x)")
        word = node.func.id
        for arg in node.args:
            if isinstance(arg, ast.Starred):
                raise self.fail(arg, _not_allowed(arg))
        fn = _FUNCTION_INDEX.get(word)
        if fn is not None:
            return self.language_call(node, fn)
        act = self.activation(node.func, word)
        return self.activation_call(node, act)

    def language_call(self, node: ast.Call, fn: Function) -> _Node:
        if node.keywords:
            raise self.fail(node.keywords[0], f"{fn.name}() takes no keywords")
        n = len(node.args)
        if (fn.arity is None and n < 2) or (fn.arity is not None and n != fn.arity):
            want = "two or more arguments" if fn.arity is None else _count(fn.arity)
            raise self.fail(node, f"{fn.name}() takes {want}, got {n}")
        if fn.form is None:
            self.note_kinks(fn, node.args, [])
            return _unary(fn, self.expr(node.args[0]))
        first = node.args[0]
        args: list[Any] = [
            self.condition(first) if fn.kinks == "condition" else self.expr(first),
            *(self.expr(a) for a in node.args[1:]),
        ]
        self.note_kinks(fn, node.args, args)
        return fn.form(args)

    def note_kinks(self, fn: Function, asts: list[ast.expr], nodes: list[Any]) -> None:
        """Record where ``fn``'s derivative is a convention, when its argument is x itself."""
        if fn.kinks == "zero" and _is_x(asts[0]):
            self.kinks.append(lambda env: (0.0,))
        elif fn.kinks == "others" and any(_is_x(a) for a in asts):
            self.kinks.append(
                _scalars([n for a, n in zip(asts, nodes, strict=True) if not _is_x(a)])
            )
        elif fn.kinks == "bounds" and _is_x(asts[0]):
            self.kinks.append(_scalars(nodes[1:]))
        elif fn.kinks == "condition" and nodes[0].kinks is not None:
            self.kinks.append(nodes[0].kinks)

    def activation(self, func: ast.Name, word: str) -> Activation:
        if not _is_word(word):
            pool = function_names()
            raise self.fail(func, f"unknown function '{word}'{_close_names(word, pool)}")
        try:
            act = catalog.get(word)
        except UnknownActivationError:
            pool = function_names()
            raise self.fail(func, f"unknown function '{word}'{_close_names(word, pool)}") from None
        if act.kind != "elementwise":
            raise self.fail(
                func, f"{act.name} works along an axis; only elementwise functions can be used"
            )
        if act.kernels.random:
            raise self.fail(func, f"{act.name} draws random values; it cannot be used here")
        return act

    def activation_call(self, node: ast.Call, act: Activation) -> _Node:
        if len(node.args) != 1:
            raise self.fail(
                node, f"{act.name}() takes one argument and keywords, got {len(node.args)}"
            )
        fixed: dict[str, Any] = {}
        linked: dict[str, str] = {}  # activation parameter -> expression parameter
        for kw in node.keywords:
            if kw.arg is None:
                raise self.fail(kw, "** arguments not allowed in an expression")
            try:
                act.param(kw.arg)
            except ParamError as e:
                raise self.fail(kw, str(e)) from None
            if isinstance(kw.value, ast.Name) and kw.value.id not in CONSTANTS:
                if kw.value.id == VARIABLE:
                    raise self.fail(kw.value, "a keyword value cannot depend on x")
                self.param_name(kw.value, kw.value.id)
                linked[kw.arg] = kw.value.id
            else:
                fixed[kw.arg] = self.keyword_value(kw.value)
        try:
            bound = act.bind(fixed) if not linked else None
            if linked:  # check the fixed ones now, alone
                for k, v in fixed.items():
                    act.param(k).check(v, f" of {act.name}")
        except ParamError as e:
            raise self.fail(node, str(e)) from None
        if _is_x(node.args[0]):

            def kinks(env: Env) -> tuple[float, ...]:
                given = {**fixed, **{k: float(env[v]) for k, v in linked.items()}}
                return act.kink_points(bound if bound is not None else act.bind(given))

            self.kinks.append(kinks)
        return _activation_node(act, self.expr(node.args[0]), bound, fixed, linked)

    def keyword_value(self, node: ast.expr) -> Any:
        if isinstance(node, ast.Constant) and isinstance(node.value, (str, bool, int, float)):
            v = node.value
            return float(v) if isinstance(v, int) and not isinstance(v, bool) else v
        if isinstance(node, ast.Name) and node.id in CONSTANTS:
            return CONSTANTS[node.id]
        if (
            isinstance(node, ast.UnaryOp)
            and isinstance(node.op, ast.USub)
            and isinstance(node.operand, ast.Constant)
            and isinstance(node.operand.value, (int, float))
            and not isinstance(node.operand.value, bool)
        ):
            return -float(node.operand.value)
        raise self.fail(node, "a keyword value must be a number, a string or a parameter name")


def _count(n: int) -> str:
    return {1: "one argument", 2: "two arguments", 3: "three arguments"}.get(n, f"{n} arguments")


def _is_word(word: str) -> bool:
    return bool(_PARAM_RE.match(word))


_OP_WORDS: dict[type[ast.AST], str] = {
    ast.FloorDiv: "//",
    ast.Mod: "%",
    ast.MatMult: "@",
    ast.BitAnd: "&",
    ast.BitOr: "|",
    ast.BitXor: "^",
    ast.LShift: "<<",
    ast.RShift: ">>",
    ast.Is: "is",
    ast.IsNot: "is not",
    ast.In: "in",
    ast.NotIn: "not in",
}


def _op_text(op: ast.AST) -> str:
    return _OP_WORDS.get(type(op), type(op).__name__)


def _activation_node(
    act: Activation,
    arg: _Node,
    bound: dict[str, Any] | None,
    fixed: dict[str, Any],
    linked: dict[str, str],
) -> _Node:
    fwd, der = act.kernels.forward, act.kernels.derivative
    av, ad = arg.value, arg.dual

    def params(env: Env) -> dict[str, Any]:
        if bound is not None:
            return bound
        return act.bind({**fixed, **{k: float(env[v]) for k, v in linked.items()}})

    def value(x: Array, env: Env) -> Value:
        u = av(x, env)
        if np.ndim(u) == 0:
            return np.float64(fwd(np.atleast_1d(np.float64(u)), **params(env))[0])
        return fwd(u, **params(env))

    def dual(x: Array, env: Env) -> tuple[Value, Tangent]:
        u, t = ad(x, env)
        p = params(env)
        if np.ndim(u) == 0:
            return np.float64(fwd(np.atleast_1d(np.float64(u)), **p)[0]), None
        y = fwd(u, **p)
        if t is None:
            return y, None
        g = np.full(u.shape, t) if np.ndim(t) == 0 else np.array(t, dtype=np.float64)
        return y, der(u, g, **p)

    level = max(arg.level, _PARAM if linked else _CONST)
    return _fold(_Node(value, dual, level))


# --------------------------------------------------------------------------------------------
# Compiled expressions and the records built from them


@dataclass(frozen=True)
class Expression:
    """A checked and compiled expression: ``values(x, params)`` and ``derivative(x, params)``
    on float64 arrays; ``params`` are its free identifiers in order of appearance."""

    text: str
    params: tuple[str, ...]
    root: _Node
    tree: ast.expr = field(repr=False)
    kink_rules: tuple[KinkRule, ...] = ()

    def kinks(self, params: Mapping[str, Any]) -> tuple[float, ...]:
        """The finite points where the derivative follows a convention: found where ``abs``,
        ``sign``, ``max``, ``min``, ``clip``, a ``where`` comparing ``x`` with a constant, or a
        built-in with kinks is applied to ``x`` itself."""
        env = {k: np.float64(v) for k, v in params.items()}
        with np.errstate(all="ignore"):
            found = {k for rule in self.kink_rules for k in rule(env)}
        return tuple(sorted(k for k in found if math.isfinite(k)))

    def values(self, x: Array, params: Mapping[str, Any]) -> Array:
        env = {k: np.float64(v) for k, v in params.items()}
        with np.errstate(all="ignore"):
            return _shaped(self.root.value(x, env), x)

    def derivative(self, x: Array, params: Mapping[str, Any]) -> Array:
        env = {k: np.float64(v) for k, v in params.items()}
        with np.errstate(all="ignore"):
            _, t = self.root.dual(x, env)
        return _shaped(_zero(t), x)


def _shaped(v: Value, x: Array) -> Array:
    if np.ndim(v) == 0 or np.shape(v) != x.shape:
        return np.full(x.shape, v, dtype=np.float64)
    return np.asarray(v, dtype=np.float64)


def parse(text: str) -> Expression:
    """Check and compile ``text``. Raises :class:`ExpressionError` (one line, a caret before
    the offending part; close names for an unknown function)."""
    return _parse_cached(text)


@lru_cache(maxsize=256)
def _parse_cached(text: str) -> Expression:
    tree = _parse(text)
    compiler = _Compiler(text, len(text) - len(text.lstrip()))
    root = compiler.expr(tree)
    return Expression(text, tuple(compiler.params), root, tree, tuple(compiler.kinks))


@frozen  # the record types' decorator (a dataclass(frozen=True) cannot extend them)
class ExpressionActivation(Activation):
    """An activation defined by an expression (on the command line, with :func:`define`, or in
    a definitions file); ``expression`` is its text."""

    expression: str = ""


def _param_help(name: str, owner: str) -> str:
    return f"give it with -p {name}=VALUE" if owner == "expression" else "of the formula"


def build(
    name: str,
    text: str,
    *,
    defaults: Mapping[str, Any] | None = None,
    description: str = "",
    derivative: str | None = None,
    output_range: str | None = None,
    reference: str | None = None,
    source: str = "expression",
) -> ExpressionActivation:
    """The activation record of expression ``text`` (not registered).

    ``defaults`` gives parameters a default (the others are required); ``derivative`` is an
    expression used for f'(x) instead of the automatic derivative.

    Raises:
        ExpressionError: the expression or the derivative is refused.
        DefinitionsError: a default for a name that is not a parameter of the expression.
    """
    compiled = parse(text)
    given = dict(defaults or {})
    for key in given:
        if key not in compiled.params:
            known = ", ".join(compiled.params) or "none"
            raise DefinitionsError(f"'{key}' is not a parameter of {text}; its parameters: {known}")
    params = tuple(
        Param(p, given.get(p, REQUIRED), _param_help(p, source), value_type=float)
        for p in compiled.params
    )
    grad = compiled
    if derivative is not None:
        grad = parse(derivative)
        extra = [p for p in grad.params if p not in compiled.params]
        if extra:
            raise DefinitionsError(
                f"the derivative uses '{extra[0]}', which is not a parameter of {text}"
            )

    # Positional-only: a parameter may be called g.
    def forward(x: Array, /, **kw: Any) -> Array:
        return compiled.values(x, kw)

    if derivative is None:

        def slope(x: Array, g: Array, /, **kw: Any) -> Array:
            return g * compiled.derivative(x, kw)

    else:

        def slope(x: Array, g: Array, /, **kw: Any) -> Array:
            used = {k: kw[k] for k in grad.params}
            return g * grad.values(x, used)

    doc = Doc(
        formula=text.strip(),
        mathtext="$" + mathtext(compiled.tree) + "$",
        derivative=(
            derivative.strip()
            if derivative is not None
            else "exact, by automatic differentiation of the formula"
        ),
        output_range=output_range or "as the formula gives",
        description=description or f"user-defined: {text.strip()}",
        reference=reference,
    )
    return ExpressionActivation(
        name=name,
        doc=doc,
        params=params,
        kernels=Kernels(forward=forward, derivative=slope),
        kinks=compiled.kinks,
        source=source,
        expression=text,
    )


def activation(text: str) -> ExpressionActivation:
    """The record of an expression typed where a name is expected (its name is the text;
    every free identifier is a required parameter). Cached."""
    return _activation_cached(text.strip())


@lru_cache(maxsize=256)
def _activation_cached(text: str) -> ExpressionActivation:
    return build(text, text)


def define(
    name: str, expr: str, *, description: str = "", **param_defaults: float
) -> ExpressionActivation:
    """Register activation ``name`` computing expression ``expr`` and return its record.

    ``param_defaults`` gives the expression's parameters their defaults; the others must be
    passed at each call. The name then works in every command and function like a built-in.

    Raises:
        ExpressionError: the expression is refused.
        DefinitionsError: the name is not snake_case or is taken, or a default names no
            parameter of the expression.
    """
    check_name(name)
    record = build(name, expr, defaults=param_defaults, description=description)
    catalog.register(record)
    forget()
    return record


def check_name(name: str) -> None:
    """Raise :class:`DefinitionsError` unless ``name`` is a free snake_case name."""
    if not isinstance(name, str) or not re.match(r"^[a-z][a-z0-9_]*$", name):
        raise DefinitionsError(f"the name {name!r} is not lower snake_case (letters, digits and _)")
    if catalog.is_known(name):
        owner = catalog.get(catalog.normalise(name))
        what = "a built-in activation" if owner.source is None else f"defined in {owner.source}"
        raise DefinitionsError(f"the name '{name}' is taken ({what}); choose another")


def forget() -> None:
    """Drop the compiled expressions (after definitions are added or removed, an expression
    calling a defined name must see the current one)."""
    _parse_cached.cache_clear()
    _activation_cached.cache_clear()


# --------------------------------------------------------------------------------------------
# Definitions files: [activation.NAME] tables


#: The keys an ``[activation.NAME]`` entry of a definitions file may have (``expr`` required).
ENTRY_KEYS = ("expr", "params", "description", "derivative", "output_range", "reference")
_TEXT_KEYS = ("description", "output_range", "reference")


def _printable(text: str) -> str:
    """``text`` with control characters escaped: documentation shown on a terminal."""
    return "".join(
        c if c.isprintable() else c.encode("unicode_escape").decode("ascii") for c in text
    )


def definitions(document: Mapping[str, Any], source: str) -> list[ExpressionActivation]:
    """The records of a definitions document (parsed TOML) from ``source``, checked and not
    registered. Each ``[activation.NAME]`` table has ``expr`` and optionally ``params`` (numbers,
    the parameters' defaults), ``description``, ``derivative`` (an expression used instead of
    the automatic derivative), ``output_range`` and ``reference``.

    Raises:
        DefinitionsError: naming ``source``, the entry and the key.
    """
    shown = _printable(source)

    def fail(where: str, problem: str) -> DefinitionsError:
        return DefinitionsError(f"{shown}: {where}: {problem}")

    for key in document:
        if key != "activation":
            raise fail(f"[{_escape(key)}]", "unknown table; expected [activation.NAME] tables")
    table = document.get("activation", {})
    if not isinstance(table, dict):
        raise fail("activation", "must hold [activation.NAME] tables")
    out: list[ExpressionActivation] = []
    for name, entry in table.items():
        where = f"[activation.{_escape(name)}]"
        if not isinstance(entry, dict):
            raise fail(where, "must be a table with an 'expr' key")
        for key in entry:
            if key not in ENTRY_KEYS:
                close = _close_names(key, ENTRY_KEYS)
                raise fail(
                    f"{where} {_escape(key)}",
                    f"unknown key{close}; expected: {', '.join(ENTRY_KEYS)}",
                )
        if "expr" not in entry:
            raise fail(where, "the key 'expr' (the formula) is missing")
        for key in ("expr", "derivative", *_TEXT_KEYS):
            if key in entry and not isinstance(entry[key], str):
                raise fail(f"{where} {key}", f"must be a string, got {type(entry[key]).__name__}")
        params = entry.get("params", {})
        if not isinstance(params, dict):
            raise fail(f"{where} params", "must be a table such as { a = 1.702 }")
        for key, value in params.items():
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise fail(f"{where} params.{_escape(key)}", f"must be a number, got {value!r}")
            if not math.isfinite(value):
                raise fail(f"{where} params.{_escape(key)}", f"must be finite, got {value!r}")
        try:
            check_name(name)
        except DefinitionsError as e:
            raise fail(where, str(e)) from None
        for key in ("expr", "derivative"):
            if key in entry:
                try:
                    parse(entry[key])
                except ExpressionError as e:
                    raise fail(f"{where} {key}", str(e)) from None
        text = {k: _printable(entry[k]) for k in _TEXT_KEYS if k in entry}
        try:
            record = build(
                name,
                entry["expr"],
                defaults=params,
                description=text.get("description", ""),
                derivative=entry.get("derivative"),
                output_range=text.get("output_range"),
                reference=text.get("reference"),
                source=source,
            )
        except DefinitionsError as e:
            raise fail(f"{where} params" if "parameter of" in str(e) else where, str(e)) from None
        out.append(record)
    return out


def register_definitions(document: Mapping[str, Any], source: str) -> list[ExpressionActivation]:
    """Check every entry of a definitions document, then register them all (none if one is
    refused). Returns the records registered."""
    records = definitions(document, source)
    for record in records:
        catalog.register(record)
    forget()
    return records


def unregister(records: Sequence[Activation]) -> None:
    """Remove records added with :func:`register_definitions` or :func:`define`."""
    for record in records:
        catalog.unregister(record.name)
    forget()


# --------------------------------------------------------------------------------------------
# Mathtext for plot titles


_GREEK = frozenset(
    {"alpha", "beta", "gamma", "delta", "epsilon", "eta", "theta", "kappa", "lambda", "mu"}
    | {"nu", "rho", "sigma", "tau", "phi", "omega"}
)


def _number_text(v: float) -> str:
    if math.isinf(v):
        return r"\infty"
    text = f"{v:.12g}"
    mantissa, _, exponent = text.partition("e")
    if not exponent:
        return text
    return mantissa + r"\times 10^{" + str(int(exponent)) + "}"


_PRECEDENCE = {ast.Add: 1, ast.Sub: 1, ast.Mult: 2, ast.Div: 2, ast.Pow: 4}


def _word(w: str) -> str:
    return "\\" + w if w in _GREEK else r"\mathrm{" + w.replace("_", r"\_") + "}"


def mathtext(node: ast.AST) -> str:
    """Matplotlib mathtext for a checked expression tree (no ``$``)."""
    if isinstance(node, ast.Constant):
        v = node.value
        if isinstance(v, str):
            return _word(v)
        if isinstance(v, (int, float)) and not isinstance(v, bool):
            return _number_text(float(v) if v < 2**1000 else math.inf)
        return _word(str(v))
    if isinstance(node, ast.Name):
        if node.id == VARIABLE or node.id == "e":
            return node.id
        return r"\pi" if node.id == "pi" else _word(node.id)
    if isinstance(node, ast.UnaryOp):
        inner = mathtext(node.operand)
        if isinstance(node.op, ast.Not):
            return r"\neg " + inner
        if isinstance(node.operand, ast.BinOp) and _PRECEDENCE[type(node.operand.op)] < 4:
            inner = r"\left(" + inner + r"\right)"
        return ("-" if isinstance(node.op, ast.USub) else "+") + inner
    if isinstance(node, ast.BinOp):
        return _math_binop(node)
    if isinstance(node, ast.Compare):
        signs = {ast.Lt: "<", ast.LtE: r"\leq", ast.Gt: ">", ast.GtE: r"\geq", ast.Eq: "="}
        signs[ast.NotEq] = r"\neq"
        parts = [mathtext(node.left)]
        for op, c in zip(node.ops, node.comparators, strict=True):
            parts += [signs.get(type(op), "?"), mathtext(c)]
        return " ".join(parts)
    if isinstance(node, ast.BoolOp):
        sep = r" \wedge " if isinstance(node.op, ast.And) else r" \vee "
        return sep.join(mathtext(v) for v in node.values)
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
        args = [mathtext(a) for a in node.args]
        args += [f"{_word(k.arg or '')}={mathtext(k.value)}" for k in node.keywords]
        if node.func.id == "abs" and len(args) == 1:
            return r"\left|" + args[0] + r"\right|"
        if node.func.id == "sqrt" and len(args) == 1:
            return r"\sqrt{" + args[0] + "}"
        return _word(node.func.id) + r"\left(" + r",\ ".join(args) + r"\right)"
    return "?"


def _math_binop(node: ast.BinOp) -> str:
    op = type(node.op)
    left, right = mathtext(node.left), mathtext(node.right)
    if op is ast.Div:
        return r"\frac{" + left + "}{" + right + "}"
    mine = _PRECEDENCE[op]

    def wrap(child: ast.AST, text: str, strict: bool) -> str:
        inner = _PRECEDENCE.get(type(child.op), 9) if isinstance(child, ast.BinOp) else 9
        if isinstance(child, ast.UnaryOp) and op in (ast.Pow, ast.Mult):
            inner = 3
        if inner < mine or (strict and inner == mine):
            return r"\left(" + text + r"\right)"
        return text

    if op is ast.Pow:
        return "{" + wrap(node.left, left, True) + "}^{" + right + "}"
    sign = {ast.Add: " + ", ast.Sub: " - ", ast.Mult: r" \cdot "}[op]
    return wrap(node.left, left, False) + sign + wrap(node.right, right, op is ast.Sub)


# --------------------------------------------------------------------------------------------
# What `info` says about an expression


def _far_points() -> Array:
    mags = 10.0 ** np.linspace(-2.0, 308.0, 621)
    return np.concatenate([-mags[::-1], [0.0], mags])


def overflow_notes(act: Activation, params: Mapping[str, Any]) -> list[str]:
    """Where ``act``'s formula stops giving a finite value, on each side: the boundary is
    located by bisection between the last finite point and the first that is not."""
    fwd = act.kernels.forward
    x = _far_points()
    y = fwd(x, **params)
    notes: list[str] = []
    middle = len(x) // 2
    for side, order in (("x >=", range(middle, len(x))), ("x <=", range(middle, -1, -1))):
        idx = list(order)
        finite = np.isfinite(y[idx])
        if not finite[0] or finite.all():
            continue
        first_bad = int(np.argmin(finite))
        good, bad = x[idx[first_bad - 1]], x[idx[first_bad]]
        for _ in range(80):
            mid = 0.5 * (good + bad)
            if mid in (good, bad):
                break
            if np.isfinite(fwd(np.array([mid]), **params)[0]):
                good = mid
            else:
                bad = mid
        value = fwd(np.array([bad]), **params)[0]
        shown = "nan" if np.isnan(value) else ("inf" if value > 0 else "-inf")
        notes.append(f"gives {shown} for {side} {bad:.6g} (the formula overflows there)")
    return notes


def stable_match(act: Activation, params: Mapping[str, Any]) -> tuple[str, dict[str, Any]] | None:
    """The first built-in elementwise activation (at one of its parameter settings) that agrees
    with ``act`` to 1e-9 on [-20, 20], or None."""
    x = np.linspace(-20.0, 20.0, 401)
    y = act.kernels.forward(x, **params)
    if not np.isfinite(y).all():
        return None
    for other in catalog.activations():
        if other.source is not None or not _usable(other):
            continue
        shared = {k: v for k, v in params.items() if k in other.param_names}
        for case in [*other.cases(), *([shared] if shared else [])]:
            try:
                bound = other.bind(case)
            except ParamError:  # the expression's value is out of the built-in's range
                continue
            with np.errstate(all="ignore"):
                z = other.kernels.forward(x.copy(), **bound)
            if np.allclose(y, z, rtol=1e-9, atol=1e-12):
                return other.name, dict(case)
    return None


def analyse(act: Activation, params: Mapping[str, Any]) -> list[str]:
    """What ``info`` says about a user-defined activation with bound ``params``: where its
    formula overflows, and the built-in it matches (computed stably) if any."""
    with np.errstate(all="ignore"):
        notes = overflow_notes(act, params)
        match = stable_match(act, params)
    if match is not None:
        name, case = match
        spelled = name + "".join(f" -p {k}={v}" for k, v in case.items())
        if notes:
            notes.append(f"matches the built-in {spelled}, which stays finite there: use it")
        else:
            notes.append(f"matches the built-in {spelled}")
    return notes
