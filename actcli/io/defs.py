"""Definitions files: the TOML documents ``actcli --defs FILE`` and ``ACTCLI_DEFS`` load."""

from __future__ import annotations

import os
import sys
from typing import Any

from ..errors import InputError
from .budget import size_text
from .formats import shown_path

#: The largest definitions file read (a TOML file of activation definitions).
MAX_TOML_BYTES = 1 << 20


def read_toml(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The TOML document in ``path`` (a definitions file), parsed with tomllib (tomli before
    Python 3.11), imported only here.

    Raises:
        InputError: the file is missing, unreadable, larger than 1 MiB, or not valid TOML
            (the message names the file and, for TOML, the line and column).
    """
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover - exercised on Python 3.10 only
        import tomli as tomllib

    shown = shown_path(path)
    try:
        with open(path, "rb") as fh:
            data = fh.read(MAX_TOML_BYTES + 1)
    except OSError as e:
        raise InputError(f"cannot read definitions file '{shown}': {e.strerror or e}") from None
    if len(data) > MAX_TOML_BYTES:
        raise InputError(f"definitions file '{shown}' is larger than {size_text(MAX_TOML_BYTES)}")
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise InputError(f"definitions file '{shown}' is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as e:
        raise InputError(f"definitions file '{shown}' is not valid TOML: {e}") from None
