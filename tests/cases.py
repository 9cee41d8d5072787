"""Shared test helpers: what to exercise for each function, read from the records.

Test modules import these instead of importing each other. Facts established independently of
actcli (mpmath references, the torch-measured kinks) live in ``tests/oracles.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pytest

import actcli
from actcli.records import Activation


def settings_of(name: str) -> list[dict[str, Any]]:
    """The parameter settings to exercise for ``name``: its record's :meth:`cases`."""
    return actcli.get(name).cases()


def is_random(act: Activation, params: Mapping[str, Any]) -> bool:
    """True where the result is drawn at random (rrelu in training mode): the record marks its
    kernels random and keeps the input whole (unchunked) for these parameters."""
    chunkable = act.kernels.chunkable
    return act.kernels.random and chunkable is not None and not chunkable(act.bind(params))


def cases(*, kind: str | None = None, deterministic: bool = False) -> list[Any]:
    """Every activation (of ``kind``, if given) with each of its parameter settings, as pytest
    params ``(name, params)``; ``deterministic`` leaves out the settings drawn at random."""
    out = []
    for name in actcli.names():
        act = actcli.get(name)
        if kind is not None and act.kind != kind:
            continue
        for i, params in enumerate(act.cases()):
            if deterministic and is_random(act, params):
                continue
            out.append(pytest.param(name, params, id=f"{name}-{i}"))
    return out


def away_from_kinks(name: str, params: dict[str, Any], x: np.ndarray, gap: float) -> np.ndarray:
    """The points of ``x`` farther than ``gap`` from every kink of ``name`` with ``params``."""
    act = actcli.get(name)
    keep = np.ones(x.shape, dtype=bool)
    for k in act.kink_points(act.bind(params)):
        keep &= np.abs(x - k) > gap
    return x[keep]


def expected_shape(
    act: Activation, shape: tuple[int, ...], params: Mapping[str, Any]
) -> tuple[int, ...]:
    """The output shape the record declares for an input of ``shape``: the same, except along
    ``dim`` for a record with an ``output_length`` (a gate halves it), without ``dim`` for a
    record that reduces it (logsumexp)."""
    length = act.kernels.output_length
    if act.kernels.reduces:
        dim = act.bind(params)["dim"] % max(len(shape), 1)
        return tuple(s for i, s in enumerate(shape) if i != dim)
    if length is None:
        return shape
    dim = act.bind(params)["dim"]
    out = list(shape)
    out[dim] = length(out[dim])
    return tuple(out)
