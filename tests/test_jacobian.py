"""actcli.jacobian: the Jacobian blocks of axis functions, against closed forms in NumPy."""

from __future__ import annotations

import numpy as np
import pytest

import actcli
from actcli.errors import InputError
from actcli.jacobian import MAX_ENTRIES, MAX_ROW, jacobian


def np_softmax(x: np.ndarray) -> np.ndarray:
    e = np.exp(x - x.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


def blocks_of(name: str, x: np.ndarray, **params: object) -> np.ndarray:
    act = actcli.get(name)
    return jacobian(act, act.bind(params), x)


def test_softmax_blocks_are_diag_y_minus_y_y_transposed() -> None:
    x = np.random.default_rng(17).normal(size=(5, 6))
    got = blocks_of("softmax", x)
    assert got.shape == (5, 6, 6) and got.dtype == np.float64
    for r in range(5):
        y = np_softmax(x[r])
        np.testing.assert_allclose(got[r], np.diag(y) - np.outer(y, y), rtol=1e-13, atol=1e-16)


def test_log_softmax_and_softmin_blocks() -> None:
    x = np.random.default_rng(3).normal(size=(2, 4))
    log_blocks, min_blocks = blocks_of("log_softmax", x), blocks_of("softmin", x)
    for r in range(2):
        y, z = np_softmax(x[r]), np_softmax(-x[r])
        np.testing.assert_allclose(log_blocks[r], np.eye(4) - y[None, :], rtol=1e-13, atol=1e-15)
        np.testing.assert_allclose(min_blocks[r], np.outer(z, z) - np.diag(z), rtol=1e-13)


def test_glu_blocks_are_m_by_n() -> None:
    a, b = np.array([0.5, -1.0]), np.array([2.0, 0.25])
    got = blocks_of("glu", np.concatenate([a, b]))
    s = 1 / (1 + np.exp(-b))
    expected = np.zeros((2, 4))
    expected[[0, 1], [0, 1]] = s
    expected[[0, 1], [2, 3]] = a * s * (1 - s)
    assert got.shape == (1, 2, 4)
    np.testing.assert_allclose(got[0], expected, rtol=1e-14)


def test_rows_follow_dim_and_float32_stays_float32() -> None:
    x = np.random.default_rng(5).normal(size=(3, 2)).astype(np.float32)
    got = blocks_of("softmax", x, dim=0)
    assert got.shape == (2, 3, 3) and got.dtype == np.float32
    for column in range(2):
        y = np_softmax(x[:, column].astype(np.float64))
        np.testing.assert_allclose(got[column], np.diag(y) - np.outer(y, y), atol=1e-7)


def test_limits_and_elementwise_functions() -> None:
    with pytest.raises(InputError, match=f"rows of at most {MAX_ROW} entries"):
        blocks_of("softmax", np.zeros(MAX_ROW + 1))
    rows = MAX_ENTRIES // (64 * 64) + 1
    with pytest.raises(InputError, match="more than 16,777,216"):
        blocks_of("softmax", np.zeros((rows, 64)))
    with pytest.raises(ValueError, match="elementwise"):
        blocks_of("relu", np.zeros(3))
