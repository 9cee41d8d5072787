"""Reading and writing arrays: ``.npy``, ``.npz``, ``.csv``, ``.tsv``, ``.txt``, ``.json``, streams.

One job per module, re-exported here (callers import ``actcli.io`` only):

- :mod:`~actcli.io.budget`: the memory budget every reader checks before it allocates;
- :mod:`~actcli.io.formats`: the formats by extension, and paths shown safely in messages;
- :mod:`~actcli.io.npy`: hardened NPY/NPZ reading, lazy row readers and writers;
- :mod:`~actcli.io.text`: delimited text and JSON, parsed and written (round-trip digits);
- :mod:`~actcli.io.read`: one array from a file or a stream;
- :mod:`~actcli.io.rows`: results streamed to stdout, a FIFO or a device block by block;
- :mod:`~actcli.io.output`: what ``-o`` does with each kind of path; atomic files; writers;
- :mod:`~actcli.io.signals`: the signals that end a run (every one cleans up like Ctrl-C);
- :mod:`~actcli.io.streams`: closed standard streams, stdout's use, broken pipes;
- :mod:`~actcli.io.defs`: the TOML definitions files of ``--defs`` and ``ACTCLI_DEFS``.

Memory policy (what stops a ZIP bomb or a lying header): nothing is allocated or inflated from
a claim before it is checked against :func:`memory_budget`.
"""

from __future__ import annotations

from ..errors import OutputError
from .budget import check_budget, memory_budget, size_text
from .defs import read_toml
from .formats import DELIMITERS, FORMATS, MAX_DIMS, TEXT_FORMATS, format_of, shown_path
from .npy import NPY_MAGIC, ZIP_MAGIC, AnyArray, NpyRows, NpyRowsWriter, open_rows
from .output import (
    Target,
    atomic_write,
    check_output_folder,
    check_writable,
    npy_output,
    output_target,
    save_array,
    text_output,
    write_array,
    writes_through,
)
from .read import ByteSource, load_array, parse_bytes, read_stream
from .rows import RowsStream
from .signals import signal_name, signals_deferred, terminating_signals
from .streams import repair_standard_streams, silence_stdout, stdout_written, write_all
from .text import (
    DelimitedParser,
    format_floats,
    json_chunks,
    parse_delimited,
    parse_json,
    text_chunks,
)

__all__ = [
    "DELIMITERS",
    "FORMATS",
    "MAX_DIMS",
    "NPY_MAGIC",
    "TEXT_FORMATS",
    "ZIP_MAGIC",
    "AnyArray",
    "ByteSource",
    "DelimitedParser",
    "NpyRows",
    "NpyRowsWriter",
    "OutputError",
    "RowsStream",
    "Target",
    "atomic_write",
    "check_budget",
    "check_output_folder",
    "check_writable",
    "format_floats",
    "format_of",
    "json_chunks",
    "load_array",
    "memory_budget",
    "npy_output",
    "open_rows",
    "output_target",
    "parse_bytes",
    "parse_delimited",
    "parse_json",
    "read_stream",
    "read_toml",
    "repair_standard_streams",
    "save_array",
    "shown_path",
    "signal_name",
    "signals_deferred",
    "silence_stdout",
    "size_text",
    "stdout_written",
    "terminating_signals",
    "text_chunks",
    "text_output",
    "write_all",
    "write_array",
    "writes_through",
]
