"""Reading and writing arrays: ``.npy``, ``.npz``, ``.csv``, ``.tsv``, ``.txt``, ``.json``, streams.

One job per module, re-exported here (callers import ``actcli.io`` only):

- :mod:`~actcli.io.budget`: the memory budget every reader checks before it allocates;
- :mod:`~actcli.io.formats`: the formats by extension, and paths shown safely in messages;
- :mod:`~actcli.io.npy`: hardened NPY/NPZ reading, lazy row readers and writers;
- :mod:`~actcli.io.text`: delimited text and JSON, parsed and written (round-trip digits);
- :mod:`~actcli.io.read`: one array from a file or a stream;
- :mod:`~actcli.io.output`: atomic output files and the writers.

Memory policy (what stops a ZIP bomb or a lying header): nothing is allocated or inflated from
a claim before it is checked against :func:`memory_budget`.
"""

from __future__ import annotations

from ..errors import OutputError
from .budget import memory_budget
from .formats import DELIMITERS, FORMATS, MAX_DIMS, TEXT_FORMATS, format_of, shown_path
from .npy import NPY_MAGIC, ZIP_MAGIC, AnyArray, NpyRows, NpyRowsWriter, open_rows
from .output import (
    atomic_write,
    check_output_folder,
    check_writable,
    npy_output,
    save_array,
    write_array,
)
from .read import ByteSource, load_array, parse_bytes, read_stream
from .text import format_floats, json_chunks, parse_delimited, parse_json, text_chunks

__all__ = [
    "DELIMITERS",
    "FORMATS",
    "MAX_DIMS",
    "NPY_MAGIC",
    "TEXT_FORMATS",
    "ZIP_MAGIC",
    "AnyArray",
    "ByteSource",
    "NpyRows",
    "NpyRowsWriter",
    "OutputError",
    "atomic_write",
    "check_output_folder",
    "check_writable",
    "format_floats",
    "format_of",
    "json_chunks",
    "load_array",
    "memory_budget",
    "npy_output",
    "open_rows",
    "parse_bytes",
    "parse_delimited",
    "parse_json",
    "read_stream",
    "save_array",
    "shown_path",
    "text_chunks",
    "write_array",
]
