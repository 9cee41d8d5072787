"""The catalog: lookup, lazy loading in a fixed order, and records registered at run time."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pytest
from click.testing import CliRunner

import actcli
from actcli import catalog
from actcli.cli import cli
from actcli.records import Activation, Doc, Kernels, Naive, Param


def _cube(x: np.ndarray, *, scale: float) -> np.ndarray:
    return scale * x * x * x


def _cube_grad(x: np.ndarray, g: np.ndarray, *, scale: float) -> np.ndarray:
    return 3.0 * scale * x * x * g


THROWAWAY = Activation(
    name="throwaway_cube",
    doc=Doc(
        formula="scale·x³",
        mathtext=r"$s\,x^3$",
        derivative="3·scale·x²",
        output_range="(-∞, ∞)",
        description="A test record registered at run time.",
        properties=frozenset({"monotonic", "smooth", "zero_centred"}),
    ),
    kernels=Kernels(forward=_cube, derivative=_cube_grad),
    params=(Param("scale", 2.0, "the factor", low=0.0, low_open=True),),
    aliases=("tcube",),
    settings=({"scale": 0.5},),
    naive=Naive(lambda x, scale: scale * x**3, lambda x, g, scale: 3 * scale * x**2 * g),
)


@pytest.fixture
def throwaway() -> Iterator[Activation]:
    catalog.register(THROWAWAY)
    try:
        yield THROWAWAY
    finally:
        catalog.unregister(THROWAWAY.name)


def run(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(cli, list(args), env={"COLUMNS": "120"})
    return r.exit_code, r.stdout, r.stderr


def test_a_record_registered_at_run_time_works_in_every_command(
    throwaway: Activation, tmp_path: Path
) -> None:
    assert actcli.get("tcube") is throwaway and "throwaway_cube" in actcli.names()
    assert actcli.names()[-1] == "throwaway_cube"  # after every built-in
    np.testing.assert_array_equal(actcli.evaluate("tcube", [1.0, -2.0]), [2.0, -16.0])
    code, out, _ = run("eval", "throwaway_cube", "--values=1,-2", "--format", "csv")
    assert (code, out.split()) == (0, ["2.0", "-16.0"])
    code, out, _ = run("grad", "tcube", "--values=1,2", "-p", "scale=0.5", "--format", "csv")
    assert (code, out.split()) == (0, ["1.5", "6.0"])
    code, out, _ = run("list", "--json")
    listed = {d["name"]: d for d in json.loads(out)}
    assert code == 0 and listed["throwaway_cube"]["aliases"] == ["tcube"]
    code, out, _ = run("info", "tcube")
    assert code == 0 and "scale·x³" in out and "A test record" in out
    png = tmp_path / "cube.png"
    code, _, err = run("plot", "tcube", "-o", str(png), "--points", "50", "--dpi", "40")
    assert code == 0, err
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    code, out, err = run("bench", "tcube", "--size", "100", "--dtype", "float64", "--json",
                         "--repeats", "1", "--min-time", "0", "--baseline", "naive")  # fmt: skip
    assert code == 0, err
    (row, *_) = json.loads(out)["rows"]
    assert row["name"] == "throwaway_cube" and row["vs_naive"] is not None


def test_registration_refuses_a_taken_name_and_unregister_only_run_time_records(
    throwaway: Activation,
) -> None:
    with pytest.raises(ValueError, match="declared twice"):
        catalog.register(THROWAWAY)
    clash = Activation(name="relu", doc=THROWAWAY.doc, kernels=THROWAWAY.kernels)
    with pytest.raises(ValueError, match="'relu' is declared twice"):
        catalog.register(clash)
    with pytest.raises(ValueError, match="not registered at run time"):
        catalog.unregister("relu")


def test_unknown_name_suggests_close_ones_of_any_family() -> None:
    with pytest.raises(actcli.UnknownActivationError, match="did you mean 'log_softmax'"):
        actcli.get("log_sofmax")


def _modules_after(code: str) -> list[str]:
    probe = (
        f"import sys\n{code}\n"
        "print(sorted(m for m in sys.modules if m.startswith('actcli.activations.')))"
    )
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True)
    return [m.rsplit(".", 1)[1] for m in ast.literal_eval(out.stdout)]


def test_lookup_loads_families_only_up_to_the_one_holding_the_name() -> None:
    # the first family and its support modules (_lazyref: the records' lazy handle on their
    # float64 references, a few lines that import nothing of actcli's)
    relu6 = _modules_after("import actcli; actcli.get('relu6')")
    assert relu6 == ["_common", "_lazyref", "piecewise"]
    loaded = _modules_after("import actcli; actcli.get('tanh')")
    assert "smooth" in loaded and "gated" not in loaded and "axis" not in loaded
    assert "axis" in _modules_after("import actcli; actcli.names()")


def test_family_modules_register_nothing_on_import() -> None:
    code = (
        "import actcli.activations.gelu as g; from actcli import catalog; print(catalog._records)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "{}"
