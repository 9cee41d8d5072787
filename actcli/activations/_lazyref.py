"""The records' lazy handle on :mod:`._reference64` (its own module: ``_reference64`` builds on
:mod:`._common`, so the handle cannot live there without an import circle)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # annotations only: a command that never calls a reference pays nothing
    import numpy as np
    import numpy.typing as npt


def lazy_reference(
    name: str,
) -> Callable[[npt.NDArray[np.float64]], npt.NDArray[np.float64]]:
    """The float64 reference ``name`` of :mod:`._reference64` (a record's ``reference64``),
    imported on its first call: only the exhaustive scans and the tests call it, so no command
    loads that module."""

    def call(x: npt.NDArray[np.float64]) -> npt.NDArray[np.float64]:
        from . import _reference64

        fn: Callable[[npt.NDArray[np.float64]], npt.NDArray[np.float64]]
        fn = getattr(_reference64, name)
        return fn(x)

    call.__name__ = call.__qualname__ = name
    return call
