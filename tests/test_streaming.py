"""Block-wise evaluation gives the same bits as one call, for every activation and layout."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pytest

import actcli
from actcli.streaming import apply_blocks
from tests.cases import cases


@pytest.mark.parametrize(("name", "params"), cases())
@pytest.mark.parametrize("derivative", [False, True])
def test_blocks_match_one_call(
    name: str, params: dict[str, Any], derivative: bool, tmp_path: Path
) -> None:
    rng = np.random.default_rng(8)
    x = rng.normal(0, 5, size=(37, 6, 4)).astype(np.float32)
    src = tmp_path / "x.npy"
    np.save(src, x)
    xm = np.load(src, mmap_mode="r")
    fn = actcli.gradient if derivative else actcli.evaluate
    want = fn(name, x, **params)
    out = np.lib.format.open_memmap(
        tmp_path / "y.npy", mode="w+", dtype=want.dtype, shape=want.shape
    )
    seen: list[tuple[int, int]] = []
    apply_blocks(
        actcli.get(name),
        xm,
        out,
        derivative=derivative,
        block_elements=50,
        progress=lambda d, t: seen.append((d, t)),
        **params,
    )
    out.flush()
    np.testing.assert_array_equal(np.load(tmp_path / "y.npy"), want)
    assert seen[-1] == (x.size, x.size)
    assert [d for d, _ in seen] == sorted(d for d, _ in seen)


@pytest.mark.parametrize("dim", [0, 1, -1])
def test_axis_functions_keep_the_dim_axis_whole(dim: int) -> None:
    x = np.random.default_rng(2).normal(size=(9, 8))
    g = np.random.default_rng(3).normal(size=(9, 8))
    # NumPy may sum a row in another order when the block holds fewer rows: allow 2 ulp.
    for name in ("softmax", "log_softmax", "softmin"):
        out = np.empty_like(x)
        apply_blocks(actcli.get(name), x, out, block_elements=16, dim=dim)
        np.testing.assert_allclose(out, actcli.evaluate(name, x, dim=dim), rtol=5e-16)
        apply_blocks(
            actcli.get(name), x, out, grad_output=g, derivative=True, block_elements=16, dim=dim
        )
        want = actcli.gradient(name, x, grad_output=g, dim=dim)
        np.testing.assert_allclose(out, want, rtol=5e-16, atol=1e-16)


def test_prelu_channels_survive_blocking() -> None:
    x = -np.ones((10, 3, 5))
    out = np.empty_like(x)
    apply_blocks(actcli.get("prelu"), x, out, block_elements=15, weight=np.array([0.1, 0.2, 0.3]))
    np.testing.assert_allclose(out[7, :, 2], [-0.1, -0.2, -0.3])


def test_shape_mismatches_are_input_errors() -> None:
    with pytest.raises(actcli.InputError, match="expected"):
        apply_blocks(actcli.get("relu"), np.zeros(4), np.zeros(5))
    with pytest.raises(actcli.InputError, match="grad_output"):
        apply_blocks(
            actcli.get("relu"), np.zeros(4), np.zeros(4), grad_output=np.ones(3), derivative=True
        )
    with pytest.raises(actcli.InputError, match="numbers"):
        apply_blocks(actcli.get("relu"), np.array(["a"]), np.zeros(1))
