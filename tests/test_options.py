"""options: command-line values made into library values, tested without Click."""

from __future__ import annotations

import io
from pathlib import Path

import numpy as np
import pytest

import actcli
from actcli import options
from actcli.engine import linspace
from actcli.errors import InputError, OptionError, ParamError


def test_parse_range() -> None:
    spec = options.parse_range("-6:6:121")
    assert spec == options.RangeSpec(-6.0, 6.0, 121)
    x = spec.linspace()
    assert x.shape == (121,) and x[0] == -6.0 and x[60] == 0.0 and x[-1] == 6.0
    assert options.parse_range("-4:4", with_count=False) == options.RangeSpec(-4.0, 4.0)
    assert options.parse_range("0:1", with_count=False).linspace(3).tolist() == [0, 0.5, 1]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1:2", "expected START:STOP:N"),
        ("a:2:3", "must be numbers"),
        ("2:1:3", "finite START < STOP"),
        ("0:inf:3", "finite START < STOP"),
        ("0:1:2.5", "N must be an integer"),
        ("0:1:1", "N must be from 2"),
        ("0:1:1000000000", "N must be from 2 to 100,000,000"),
    ],
)
def test_parse_range_errors(text: str, message: str) -> None:
    with pytest.raises(OptionError, match=message):
        options.parse_range(text)


def test_parse_values() -> None:
    got = options.parse_values("-1, 2.5 nan,inf")
    assert got.dtype == np.float64
    assert got[:2].tolist() == [-1.0, 2.5] and np.isnan(got[2]) and got[3] == np.inf
    with pytest.raises(OptionError, match="at least one number"):
        options.parse_values(" , ")
    with pytest.raises(OptionError, match="'x' is not a number"):
        options.parse_values("1,x")


def test_parse_params_uses_the_registry() -> None:
    leaky = actcli.get("leaky_relu")
    assert options.parse_params(leaky, []) == {"negative_slope": 0.01}
    assert options.parse_params(leaky, ["negative-slope = 0.5"]) == {"negative_slope": 0.5}
    rrelu = actcli.get("rrelu")
    bound = options.parse_params(rrelu, ["training=yes"], {"seed": 4, "training": None})
    assert bound["training"] is True and bound["seed"] == 4
    assert options.parse_params(actcli.get("softmax"), [], {"dim": 0}) == {"dim": 0}
    only_given = options.parse_params(actcli.get("threshold"), ["value=2"], bind=False)
    assert only_given == {"value": 2.0}


@pytest.mark.parametrize(
    ("name", "pairs", "shortcuts", "message"),
    [
        ("elu", ["alpha"], None, "expected KEY=VALUE"),
        ("elu", ["=1"], None, "expected KEY=VALUE"),
        ("elu", ["alpha=1", "alpha=2"], None, "given twice"),
        ("softmax", ["dim=1"], {"dim": 0}, r"given twice \(--dim and -p dim=...\)"),
        ("elu", ["alpha=x"], None, "must be a number"),
        ("celu", ["alpha=0"], None, "must be > 0"),
        ("threshold", ["value=1"], None, "needs parameter 'threshold'"),
    ],
)
def test_parse_params_errors(
    name: str, pairs: list[str], shortcuts: dict[str, int] | None, message: str
) -> None:
    with pytest.raises(ParamError, match=message):
        options.parse_params(actcli.get(name), pairs, shortcuts)


def test_a_shortcut_for_a_missing_parameter_names_its_option() -> None:
    with pytest.raises(OptionError, match="--seed does not apply to relu: relu takes no param"):
        options.parse_params(actcli.get("relu"), [], {"seed": 1})


class Pipe(io.BytesIO):
    def isatty(self) -> bool:
        return False


class Terminal(io.BytesIO):
    def isatty(self) -> bool:
        return True


def test_load_input_sources(tmp_path: Path) -> None:
    p = tmp_path / "x.npy"
    np.save(p, np.arange(3, dtype=np.int32))
    got = options.load_input(p)
    assert got.dtype == np.float64 and got.tolist() == [0, 1, 2]
    assert options.load_input(p, dtype="float32").dtype == np.float32
    assert options.load_input(values=np.array([1.0])).tolist() == [1.0]
    span = options.parse_range("0:1:3")
    assert options.load_input(span=span).tolist() == [0.0, 0.5, 1.0]
    assert options.load_input(stdin=Pipe(b"1\n2\n")).tolist() == [1.0, 2.0]
    assert options.load_input("-", stdin=Pipe(b"[3]")).tolist() == [3.0]


def test_load_input_errors(tmp_path: Path) -> None:
    with pytest.raises(OptionError, match="give one input"):
        options.load_input("-", values=np.ones(1))
    with pytest.raises(OptionError, match="stdin is a terminal"):
        options.load_input(stdin=Terminal(b"1"))
    with pytest.raises(OptionError, match="stdin is a terminal"):
        options.load_input()
    (tmp_path / "a.dat").write_text("1")
    with pytest.raises(OptionError, match=r"extension '\.dat'"):
        options.load_input(tmp_path / "a.dat")
    # An empty array is data (a pipeline stage that filtered every row away): it passes.
    assert options.load_input(stdin=Pipe(_empty_npy())).shape == (0,)
    with pytest.raises(InputError, match="must hold numbers"):
        options.load_input(values=np.array(["a"]))


def _empty_npy() -> bytes:
    buf = io.BytesIO()
    np.save(buf, np.zeros(0))
    return buf.getvalue()


def test_stdin_once() -> None:
    once = options.StdinOnce(Pipe(b"1\n"))
    assert options.load_input(stdin=once).tolist() == [1.0]
    with pytest.raises(OptionError, match="stdin can feed only one input"):
        options.load_input("-", stdin=once)


@pytest.mark.parametrize(
    ("output", "fmt", "terminal", "expected"),
    [
        (None, None, True, "table"),
        (None, None, False, "csv"),
        (None, "json", True, "json"),
        (None, "npy", False, "npy"),
        ("out.TSV", None, True, "tsv"),
        ("out.npz", None, False, "npz"),
        ("out.dat", "csv", False, "csv"),
    ],
)
def test_choose_format(output: str | None, fmt: str | None, terminal: bool, expected: str) -> None:
    assert options.choose_format(output, fmt, stdout_is_terminal=terminal) == expected


@pytest.mark.parametrize(
    ("output", "fmt", "terminal", "message"),
    [
        ("out.dat", None, False, "cannot tell the output format"),
        ("out.csv", "table", False, "--format table is for the terminal"),
        (None, "npy", True, "refusing to write binary NPY to a terminal"),
    ],
)
def test_choose_format_errors(
    output: str | None, fmt: str | None, terminal: bool, message: str
) -> None:
    with pytest.raises(OptionError, match=message):
        options.choose_format(output, fmt, stdout_is_terminal=terminal)


def test_parse_scoped_params() -> None:
    from actcli import get

    acts = [get("gelu"), get("swish"), get("gelu")]
    got = options.parse_scoped_params(["swish.beta=1.702", "3.approximate=tanh"], acts)
    assert got == [{}, {"beta": 1.702}, {"approximate": "tanh"}]
    # a name applies to every column with that name (aliases too)
    both = options.parse_scoped_params(["gelu.approximate=tanh"], acts)
    assert both[0] == both[2] == {"approximate": "tanh"}
    with pytest.raises(OptionError, match=r"expected NAME\.KEY=VALUE"):
        options.parse_scoped_params(["beta=1"], acts)
    with pytest.raises(OptionError, match=r"'\\x1b' in"):
        options.parse_scoped_params(["\x1b.beta=1"], acts)
    with pytest.raises(OptionError, match="column 4 does not exist"):
        options.parse_scoped_params(["4.beta=1"], acts)
    with pytest.raises(ParamError, match="must be a number"):
        options.parse_scoped_params(["swish.beta=fast"], acts)
    with pytest.raises(ParamError, match="given twice"):
        options.parse_scoped_params(["swish.beta=1", "2.beta=2"], acts)


# --- issue 16: ranges without overflow, finite values, formats that agree, empty arrays -------


def test_a_range_whose_width_overflows_gives_exact_points() -> None:
    got = options.parse_range("-1e308:1e308:5").linspace()
    assert got.tolist() == [-1e308, -5e307, 0.0, 5e307, 1e308]
    biggest = np.finfo(np.float64).max
    got = linspace(-biggest, biggest, 3)
    assert got.tolist() == [-biggest, 0.0, biggest]
    # An ordinary range is NumPy's linspace exactly.
    np.testing.assert_array_equal(linspace(-6, 6, 121), np.linspace(-6, 6, 121))


def test_finite_refuses_nan_and_inf() -> None:
    assert options.finite(0.5, "--min-time") == 0.5
    for bad in (float("nan"), float("inf")):
        with pytest.raises(OptionError, match="--min-time must be a finite number"):
            options.finite(bad, "--min-time")


def test_an_extension_that_contradicts_format_is_refused(tmp_path: Path) -> None:
    with pytest.raises(OptionError, match=r"-o 'x\.npy' is \.npy but --format is csv"):
        options.choose_format("x.npy", "csv", stdout_is_terminal=False)
    assert options.choose_format("x.npy", "npy", stdout_is_terminal=False) == "npy"
    assert options.choose_format("x.csv", None, stdout_is_terminal=True) == "csv"
    # Paths written in place have no extension to agree with: --format, else CSV as on a pipe.
    assert options.choose_format("/dev/null", "npy", stdout_is_terminal=True) == "npy"
    assert options.choose_format("/dev/null", None, stdout_is_terminal=True) == "csv"
    with pytest.raises(OptionError, match="cannot tell the output format"):
        options.choose_format(tmp_path / "noext", None, stdout_is_terminal=False)


@pytest.mark.parametrize("shape", [(0,), (3, 0), (0, 4)])
def test_empty_arrays_are_data(tmp_path: Path, shape: tuple[int, ...]) -> None:
    np.save(tmp_path / "e.npy", np.zeros(shape, np.float32))
    got = options.load_input(tmp_path / "e.npy")
    assert got.shape == shape and got.dtype == np.float32
