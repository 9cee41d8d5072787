"""The file formats actcli reads and writes, told by extension, and how paths are shown."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from ..errors import InputError

#: The file formats actcli reads and writes, by extension.
FORMATS: dict[str, str] = {
    ".npy": "npy",
    ".npz": "npz",
    ".csv": "csv",
    ".tsv": "tsv",
    ".txt": "txt",
    ".json": "json",
}


#: The delimiter each text format is written with.
DELIMITERS: dict[str, str] = {"csv": ",", "tsv": "\t", "txt": " "}


TEXT_FORMATS = frozenset(DELIMITERS)


#: The most dimensions an array may have (NumPy 2's limit), in NPY headers and nested JSON.
MAX_DIMS = 64


def shown_path(path: str | os.PathLike[str]) -> str:
    """``path`` for an error message: control characters (a newline in a file name) escaped,
    so that the message stays one line."""
    text = os.fspath(path)
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def format_of(path: str | os.PathLike[str]) -> str:
    """The format name (``npy``, ``csv``, ...) for ``path``'s extension.

    Raises:
        InputError: the extension is not one of :data:`FORMATS`.
    """
    suffix = Path(path).suffix.lower()
    try:
        return FORMATS[suffix]
    except KeyError:
        known = ", ".join(FORMATS)
        shown = f"extension '{shown_path(suffix)}'" if suffix else "no extension"
        raise InputError(f"'{shown_path(path)}' has {shown}; expected one of: {known}") from None


def listing(items: Iterable[str], limit: int = 10) -> str:
    """Names from a file for a message: each escaped like :func:`shown_path`, and a long list
    cut after ``limit`` ("a, b, c, and 2,997 more")."""
    names = list(items)
    shown = ", ".join(shown_path(n) for n in names[:limit])
    rest = len(names) - limit
    return f"{shown}, and {rest:,} more" if rest > 0 else shown
