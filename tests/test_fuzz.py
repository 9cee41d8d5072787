"""Bad input, tried systematically: every reader and every input/output option, fed a committed
corpus of odd files (tests/fuzz_corpus/) and hypothesis-generated junk.

Each case is either read with the right values or refused with one ``Error:`` line and exit
code 1 (2 for a wrong command line), never a traceback, in bounded time and memory: the memory
claims of NPY headers and ZIP directories are checked before anything is allocated, which
tracemalloc (in process) and RLIMIT_AS (in real subprocesses) prove.
"""

from __future__ import annotations

import io
import os
import struct
import subprocess
import sys
import tracemalloc
import zipfile
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import actcli
from actcli import io as aio
from actcli import options
from actcli.cli import cli
from actcli.errors import InputError
from actcli.io import budget

CORPUS = Path(__file__).resolve().parent / "fuzz_corpus"
ENV = {"COLUMNS": "100", "NO_COLOR": "1"}
#: More examples for the cheap in-process properties than the profile's default.
MANY = settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
#: Examples of the properties that run the whole CLI once per example.
CLI_EXAMPLES = settings(max_examples=120, suppress_health_check=[HealthCheck.too_slow])


def invoke(args: Sequence[Any], input: bytes | str | None = None) -> Result:
    return CliRunner(env=ENV).invoke(cli, [str(a) for a in args], input=input, prog_name="actcli")


def check_cli(
    args: Sequence[Any], input: bytes | str | None = None, codes: Sequence[int] = (0, 1)
) -> Result:
    """Run the CLI: the exit code is one of ``codes``, a failure is exactly one ``Error:`` line
    on stderr, and nothing escapes as an exception or a traceback."""
    result = invoke(args, input)
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise result.exception
    assert "Traceback" not in result.stderr
    assert result.exit_code in codes, (args, result.exit_code, result.stderr)
    if result.exit_code != 0:
        lines = result.stderr.strip("\n").split("\n")
        assert len(lines) == 1 and lines[0].startswith("Error: "), result.stderr
    return result


def refused(read: Callable[[], Any]) -> bool:
    """True if ``read()`` raises InputError, False if it returns; anything else propagates."""
    try:
        read()
    except InputError as e:
        assert str(e) and "\n" not in str(e)
        return True
    return False


def npy_bytes(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, arr)
    return buf.getvalue()


def npz_bytes(method: int = zipfile.ZIP_DEFLATED, **arrays: np.ndarray) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for key, arr in arrays.items():
            zf.writestr(f"{key}.npy", npy_bytes(arr))
    return buf.getvalue()


def npy_header(header: str, data: bytes = b"") -> bytes:
    raw = header.encode("latin1", "replace")
    return b"\x93NUMPY\x01\x00" + struct.pack("<H", len(raw)) + raw + data


def relu_npy(result: Result) -> np.ndarray:
    out: np.ndarray = np.load(io.BytesIO(result.stdout_bytes), allow_pickle=False)
    return out


@pytest.fixture(scope="module")
def scratch(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def unique(folder: Path, suffix: str) -> Path:
    return folder / f"f{os.urandom(6).hex()}{suffix}"


# --------------------------------------------------------------------------------------------
# The committed corpus: ok_* files must give these values (written out by hand, independently
# of actcli.io), bad_* files must be refused.

NAN, INF = float("nan"), float("inf")
EXPECTED: dict[str, np.ndarray] = {
    "ok_big_endian_fortran_2x3.npy": np.array([[0.0, 1, 2], [3, 4, 5]]),
    "ok_big_endian_float32.npy": np.array([1.5, -2.25, 3.0], np.float32),
    "ok_fortran_2x3x2.npy": np.arange(12.0).reshape(2, 3, 2),
    "ok_zero_d.npy": np.array(-2.5, np.float32),
    "ok_float16.npy": np.array([0.5, -1.0, 65504.0], np.float16),
    "ok_bool.npy": np.array([1.0, 0.0]),
    "ok_uint64_max.npy": np.array([18446744073709551615.0, 0.0]),
    "ok_int8_big_endian_irrelevant.npy": np.array([-128.0, 127.0]),
    "ok_nan_inf.npy": np.array([NAN, INF, -INF, -0.0]),
    "ok_npz_deflated.npz": np.array([0.0, 1.0, 2.0]),
    "ok_npz_lzma.npz": np.array([0.0, 1.0, 2.0]),
    "ok_nan_inf_spellings.csv": np.array(
        [NAN] * 5 + [INF, INF, -INF, INF, INF, INF, -INF, INF, INF, -INF]
    ),
    "ok_bom_crlf_header.csv": np.array([[1.0, 2], [3, 4]]),
    "ok_trailing_delimiters.csv": np.array([[1.0, 2], [3, 4]]),
    "ok_blank_lines_and_comments.txt": np.array([[1.0, 2], [3, 4]]),
    "ok_semicolons.csv": np.array([[1.0, 2], [3, 4]]),
    "ok_quoted_cells.csv": np.array([[1.0, 2]]),
    "ok_tabs.tsv": np.array([[1.0, 2], [3, 4]]),
    "ok_cr_only_line_ends.csv": np.array([[1.0, 2], [3, 4]]),
    "ok_many_columns_5000.csv": np.ones((1, 5000)),
    "ok_unicode_whitespace.txt": np.array([[1.0, 2, 3]]),
    "ok_nested.json": np.array([[1.0, 2.5], [-3, 400]]),
    "ok_nan_infinity.json": np.array([NAN, INF, -INF, 0.0]),
    "ok_bom.json": np.array([1.0, 2.0]),
    "ok_scalar.json": np.array(3.5),
    "ok_empty_0x3.npy": np.zeros((0, 3)),  # empty arrays are data (an empty result)
    "ok_empty_list.json": np.zeros((0,)),
}
CORPUS_FILES = sorted(p.name for p in CORPUS.iterdir() if p.name.startswith(("ok_", "bad_")))


def test_corpus_is_complete_and_tiny() -> None:
    ok = {n for n in CORPUS_FILES if n.startswith("ok_")}
    assert ok == set(EXPECTED)
    assert len(CORPUS_FILES) >= 90
    assert all((CORPUS / n).stat().st_size <= 16_384 for n in CORPUS_FILES)
    listed = (CORPUS / "README.md").read_text(encoding="utf-8")
    assert [n for n in CORPUS_FILES if f"`{n}`" not in listed] == []


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_ok_files_give_the_right_values(name: str) -> None:
    path = CORPUS / name
    want = EXPECTED[name]
    got = aio.load_array(path)
    assert got.shape == want.shape and got.dtype.isnative
    np.testing.assert_array_equal(got.astype(np.float64), want.astype(np.float64))
    # Through the CLI, from the file and from stdin: relu of the same values, dtype kept.
    from_file = relu_npy(check_cli(["eval", "relu", path, "--format", "npy"], codes=[0]))
    out_dtype = want.dtype if want.dtype.kind == "f" else np.dtype(np.float64)
    assert from_file.dtype == out_dtype
    np.testing.assert_array_equal(from_file, np.maximum(want, 0).astype(out_dtype))
    piped = check_cli(["eval", "relu", "-", "--format", "npy"], input=path.read_bytes(), codes=[0])
    np.testing.assert_array_equal(relu_npy(piped).ravel(), from_file.ravel())


@pytest.mark.parametrize("name", [n for n in CORPUS_FILES if n.startswith("bad_")])
def test_corpus_bad_files_are_refused_with_one_line(name: str, tmp_path: Path) -> None:
    path = CORPUS / name
    assert refused(lambda: options.load_input(path))
    check_cli(["eval", "relu", path], codes=[1])
    check_cli(["grad", "softmax", path, "-o", tmp_path / "out.npy"], codes=[1])
    check_cli(["grad", "relu", "--values=1,2,3", "--grad-output", path], codes=[1])
    assert list(tmp_path.iterdir()) == []
    # The same bytes on stdin (the format then comes from the content) are refused too.
    check_cli(["eval", "relu", "-"], input=path.read_bytes(), codes=[1])


# --------------------------------------------------------------------------------------------
# NPY: valid arrays of every numeric dtype, byte order and memory order read back exactly;
# damaged ones are refused, and no header claim is ever allocated.

NUMERIC_DTYPES = st.sampled_from(
    [
        "<f2",
        ">f2",
        "<f4",
        ">f4",
        "<f8",
        ">f8",
        "|b1",
        "|i1",
        "<i2",
        ">i4",
        "<i8",
        ">u2",
        "<u4",
        ">u8",
    ]
)


@st.composite
def numeric_arrays(draw: st.DrawFn, max_dims: int = 4) -> np.ndarray:
    dtype = np.dtype(draw(NUMERIC_DTYPES))
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=max_dims, min_side=0, max_side=5))
    arr = draw(hnp.arrays(dtype, shape))
    return np.asfortranarray(arr) if draw(st.booleans()) else arr


@MANY
@given(arr=numeric_arrays())
def test_npy_of_any_numeric_dtype_order_and_shape_reads_back_exactly(arr: np.ndarray) -> None:
    data = npy_bytes(arr)
    got = aio.parse_bytes(data)
    assert got.shape == arr.shape and got.dtype.isnative
    assert got.dtype.kind == arr.dtype.kind and got.dtype.itemsize == arr.dtype.itemsize
    np.testing.assert_array_equal(got, arr)
    # Any strict prefix of the file is refused.
    cut = len(data) * 3 // 4 if arr.size else len(data) // 2
    assert refused(lambda: aio.parse_bytes(data[:cut]))


@settings(max_examples=60)
@given(arr=numeric_arrays(max_dims=3).filter(lambda a: a.size > 0))
def test_cli_reads_big_endian_fortran_npy_and_npz_from_files_and_stdin(
    scratch: Path, arr: np.ndarray
) -> None:
    want = np.maximum(arr.astype(arr.dtype.newbyteorder("=") if arr.dtype.kind == "f" else "f8"), 0)
    npy = unique(scratch, ".npy")
    npy.write_bytes(npy_bytes(arr))
    npz = unique(scratch, ".npz")
    npz.write_bytes(npz_bytes(x=arr))
    for args, data in (
        ([npy], None),
        ([npz], None),
        (["-"], npy_bytes(arr)),
        (["-", "--key", "x"], npz_bytes(zipfile.ZIP_STORED, x=arr)),
    ):
        got = relu_npy(check_cli(["eval", "relu", *args, "--format", "npy"], data, codes=[0]))
        assert got.shape == arr.shape and got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)


def test_every_truncation_of_an_npy_is_refused() -> None:
    data = npy_bytes(np.asfortranarray(np.arange(12, dtype=">f4").reshape(3, 4)))
    for cut in range(len(data)):
        assert refused(lambda: aio.parse_bytes(data[:cut])), cut  # noqa: B023 (called now)
        if cut % 7 == 0:  # the CLI's stdin too, on a sample of the cut points
            check_cli(["eval", "relu", "-"], input=data[:cut], codes=[1])
    np.testing.assert_array_equal(aio.parse_bytes(data), np.arange(12).reshape(3, 4))


HEADER_SHAPES = st.one_of(
    st.lists(st.integers(-(2**70), 2**70), max_size=4).map(tuple),
    st.lists(st.integers(0, 2**40), max_size=3).map(tuple),
    st.lists(st.just(1), min_size=60, max_size=70).map(tuple),
    st.sampled_from(["3", "[2]", "(1.5,)", "(True,)", "None", "(2,)*3", "('a',)"]),
)
DESCRS = st.sampled_from(
    ["<f8", ">f4", "<f2", "|b1", "<i8", "|O", "<U3", "|S2", "<c16", "<M8[s]", "|V8", "<f7",
     "(2,)<f8", "<g", "T", "", "[('a', '<f8')]", 'f8"', "q"]
)  # fmt: skip


@MANY
@given(
    shape=HEADER_SHAPES,
    descr=DESCRS,
    fortran=st.sampled_from(["False", "True", "1", "'no'"]),
    data=st.binary(max_size=64),
)
def test_npy_headers_are_checked_before_anything_is_allocated(
    shape: Any, descr: str, fortran: str, data: bytes
) -> None:
    descr_text = descr if descr.startswith("[") else repr(descr)
    raw = npy_header(
        f"{{'descr': {descr_text}, 'fortran_order': {fortran}, 'shape': {shape}, }}", data
    )
    tracemalloc.start()
    try:
        try:
            arr = aio.parse_bytes(raw)
        except InputError as e:
            assert "\n" not in str(e)
        else:
            assert arr.dtype.kind in "biuf" and arr.nbytes <= len(data)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 << 20  # a header may claim up to 2**140 bytes; nothing near it is allocated


def mutations(seed: bytes) -> st.SearchStrategy[bytes]:
    """``seed`` with a few bytes flipped, inserted, deleted or cut off."""
    edit = st.tuples(
        st.sampled_from(["flip", "insert", "delete", "cut"]),
        st.integers(0, max(0, len(seed) - 1)),
        st.integers(0, 255),
    )

    def apply(edits: list[tuple[str, int, int]]) -> bytes:
        b = bytearray(seed)
        for op, at, value in edits:
            at = min(at, len(b))
            if op == "flip" and at < len(b):
                b[at] = value
            elif op == "insert":
                b.insert(at, value)
            elif op == "delete" and at < len(b):
                del b[at]
            elif op == "cut":
                del b[at:]
        return bytes(b)

    return st.lists(edit, min_size=1, max_size=4).map(apply)


def parses_or_refuses(data: bytes) -> None:
    try:
        arr = aio.parse_bytes(data)
    except InputError as e:
        assert str(e) and "\n" not in str(e)
    else:
        assert arr.dtype.kind in "biuf"


SEEDS = {
    "npy": npy_bytes(np.arange(6.0).reshape(2, 3)),
    "npy_be_fortran": npy_bytes(np.asfortranarray(np.arange(6, dtype=">i4").reshape(2, 3))),
    "npz_stored": npz_bytes(zipfile.ZIP_STORED, a=np.arange(3.0)),
    "npz_deflated": npz_bytes(zipfile.ZIP_DEFLATED, a=np.arange(30.0)),
    "npz_two": npz_bytes(zipfile.ZIP_STORED, a=np.arange(3.0), b=np.ones(2)),
    "npz_bz2": npz_bytes(zipfile.ZIP_BZIP2, a=np.arange(8.0)),
    "npz_lzma": npz_bytes(zipfile.ZIP_LZMA, a=np.arange(8.0)),
}


@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_mutated_npy_and_npz_bytes_parse_or_are_refused(seed: str) -> None:
    @MANY
    @given(data=mutations(SEEDS[seed]))
    def prop(data: bytes) -> None:
        parses_or_refuses(data)

    prop()


@MANY
@given(data=st.binary(max_size=200), magic=st.sampled_from([b"", b"\x93NUMPY", b"PK\x03\x04"]))
def test_random_bytes_parse_or_are_refused(data: bytes, magic: bytes) -> None:
    parses_or_refuses(magic + data)


@CLI_EXAMPLES
@given(
    data=st.one_of(st.binary(max_size=120), mutations(SEEDS["npy"]), mutations(SEEDS["npz_two"])),
    suffix=st.sampled_from([".npy", ".npz", ".csv", ".tsv", ".txt", ".json"]),
)
def test_random_files_of_every_format_through_the_cli(
    scratch: Path, data: bytes, suffix: str
) -> None:
    path = unique(scratch, suffix)
    path.write_bytes(data)
    check_cli(["eval", "relu", path, "--format", "csv"])
    check_cli(["eval", "relu", "-", "--format", "json"], input=data)


# --------------------------------------------------------------------------------------------
# ZIP bombs: a member's declared size is checked against the memory budget before inflating.

_ZEROS = bytes(1 << 24)


def bomb_npz(chunks: int) -> bytes:
    """A real, valid .npz whose one member inflates to ``chunks`` x 16 MiB of float64 zeros
    from about 1/1000 of that (built in ~10 ms per chunk: each chunk's deflate output is the
    same bytes, since a full flush resets the compressor's history)."""
    nbytes = chunks * len(_ZEROS)
    head = io.BytesIO()
    np.lib.format.write_array_header_1_0(
        head, {"descr": "<f8", "fortran_order": False, "shape": (nbytes // 8 - 16,)}
    )
    first_chunk = head.getvalue().ljust(128) + _ZEROS[128:]
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    first = c.compress(first_chunk) + c.flush(zlib.Z_FULL_FLUSH)
    unit = c.compress(_ZEROS) + c.flush(zlib.Z_FULL_FLUSH)
    payload = first + unit * (chunks - 1) + c.flush()
    crc = zlib.crc32(first_chunk)
    for _ in range(chunks - 1):
        crc = zlib.crc32(_ZEROS, crc)
    name = b"x.npy"
    local = struct.pack(
        "<4sHHHHHIIIHH", b"PK\x03\x04", 20, 0, 8, 0, 0x21, crc, len(payload), nbytes, len(name), 0
    )
    central = struct.pack(
        "<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, 0, 8, 0, 0x21, crc, len(payload), nbytes,
        len(name), 0, 0, 0, 0, 0, 0,
    ) + name  # fmt: skip
    body = local + name + payload
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 1, 1, len(central), len(body), 0)
    return body + central + end


def test_a_real_zip_bomb_is_refused_before_inflating(
    monkeypatch: pytest.MonkeyPatch, scratch: Path
) -> None:
    bomb = bomb_npz(8)  # 128 MiB of zeros in ~130 kB
    assert len(bomb) < 200_000
    with zipfile.ZipFile(io.BytesIO(bomb)) as zf:  # the archive itself is valid
        assert zf.infolist()[0].file_size == 128 << 20
    monkeypatch.setattr(budget, "memory_budget", lambda: 64 << 20)
    path = unique(scratch, ".npz")
    path.write_bytes(bomb)
    tracemalloc.start()
    try:
        with pytest.raises(
            InputError, match=r"\[x\] inflates to 128\.0 MB, more than the 64\.0 MB"
        ):
            aio.load_array(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 4 << 20
    result = check_cli(["eval", "relu", path], codes=[1])
    assert "refused before reading it" in result.stderr
    check_cli(["eval", "relu", "-"], input=bomb, codes=[1])
    # Within the budget the same archive is ordinary data, read whole and right.
    monkeypatch.setattr(budget, "memory_budget", lambda: 1 << 30)
    arr = aio.parse_bytes(bomb)
    assert arr.shape == ((128 << 20) // 8 - 16,) and not arr.any()


def test_a_declared_4gb_member_is_refused_before_inflating(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(budget, "memory_budget", lambda: 1 << 30)
    opened: list[str] = []
    real_open = zipfile.ZipFile.open
    monkeypatch.setattr(
        zipfile.ZipFile,
        "open",
        lambda self, *a, **k: opened.append("x") or real_open(self, *a, **k),
    )
    with pytest.raises(InputError, match=r"inflates to 4\.0 GB, more than the 1\.0 GB"):
        aio.load_array(CORPUS / "bad_npz_bomb_declares_4gb.npz")
    assert opened == []  # not one byte inflated


def test_text_bigger_than_the_budget_allows_is_refused_before_parsing(
    monkeypatch: pytest.MonkeyPatch, scratch: Path
) -> None:
    monkeypatch.setattr(budget, "memory_budget", lambda: 16 << 20)
    text = b"1,2,3,4\n" * 400_000  # 3.2 MB: parsing may take 8 times that
    path = unique(scratch, ".csv")
    path.write_bytes(text)
    for read in (lambda: aio.load_array(path), lambda: aio.parse_bytes(text)):
        with pytest.raises(InputError, match=r"needs about 24\.4 MB, more than the 16\.0 MB"):
            read()
    check_cli(["eval", "relu", "-"], input=text, codes=[1])


def test_stdin_bigger_than_half_the_budget_is_refused_while_reading(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(budget, "memory_budget", lambda: 4 << 20)
    result = check_cli(["eval", "relu", "-"], input=npy_bytes(np.zeros(400_000)), codes=[1])
    assert "stdin holds more than 2.0 MB, half the memory available" in result.stderr
    small = npy_bytes(np.array([-1.0, 2.0]))
    got = relu_npy(check_cli(["eval", "relu", "-", "--format", "npy"], small, codes=[0]))
    np.testing.assert_array_equal(got, [0.0, 2.0])
    # Read in chunks, stdin still feeds only one input.
    check_cli(["grad", "relu", "-", "--grad-output", "-"], input=small, codes=[2])


def test_memory_budget_is_positive_and_follows_rlimit_as() -> None:
    assert aio.memory_budget() > 0
    code = (
        "import resource; from actcli import io; "
        "resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30)); "
        "b = io.memory_budget(); print(b); assert 0 < b < 1 << 30"
    )
    subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, timeout=60)


def _limited(limit: int) -> Callable[[], None]:
    def preexec() -> None:
        import resource

        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return preexec


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS and /proc are Linux features")
def test_real_processes_under_rlimit_as_never_allocate_a_claim(tmp_path: Path) -> None:
    """With 512 MiB of address space: a header claiming 8 TB, and a ZIP bomb that inflates to
    512 MiB, are refused with one line; a control run without the size check dies of the
    bomb, so the limit is tight enough to prove the check."""
    limit = 512 << 20
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1"}
    claim = tmp_path / "claim.npy"
    claim.write_bytes(
        npy_header("{'descr': '<f8', 'fortran_order': False, 'shape': (1000000000000,), }")
        + bytes(64)
    )
    bomb = tmp_path / "bomb.npz"
    bomb.write_bytes(bomb_npz(32))
    small = tmp_path / "small.npz"
    small.write_bytes(npz_bytes(x=np.arange(5.0)))

    def run(*args: Any, code: str | None = None) -> subprocess.CompletedProcess[str]:
        prefix = ["-c", code] if code else ["-m", "actcli"]
        return subprocess.run(
            [sys.executable, *prefix, *map(str, args)],
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
            preexec_fn=_limited(limit),
        )

    ok = run("eval", "relu", small, "--format", "csv")
    assert ok.returncode == 0 and ok.stdout == "0.0\n1.0\n2.0\n3.0\n4.0\n", ok.stderr
    for path, message in ((claim, "is truncated"), (bomb, "refused before reading it")):
        res = run("eval", "relu", path, "-o", tmp_path / "out.npy")
        assert res.returncode == 1, res.stderr
        assert res.stderr.count("\n") == 1 and res.stderr.startswith("Error: ")
        assert message in res.stderr and "Traceback" not in res.stderr
    assert not (tmp_path / "out.npy").exists()
    control = run(
        bomb,
        code="import sys; from actcli import io; io.budget.check_budget = lambda *a: None; "
        "io.load_array(sys.argv[1])",
    )
    assert control.returncode != 0
    assert "MemoryError" in control.stderr or "Cannot allocate memory" in control.stderr


# --------------------------------------------------------------------------------------------
# Text: every spelling of NaN/inf, BOM, CRLF, trailing delimiters, blank lines and headers are
# read to the exact values; unicode garbage is refused with its line.

NAN_INF = ["nan", "NaN", "NAN", "-nan", "+nan", "inf", "+inf", "-inf", "INF", "Inf", "infinity",
           "Infinity", "-Infinity", "+INFINITY", "iNfInItY"]  # fmt: skip
CELLS = st.one_of(
    st.floats(allow_nan=False).map(repr),
    st.floats(width=32, allow_nan=False).map(lambda v: f"{v:.9g}"),
    st.integers(-(10**30), 10**30).map(str),
    st.sampled_from(NAN_INF),
    st.floats(allow_nan=False, allow_infinity=False).map(lambda v: f"{v:e}"),
)


@MANY
@given(
    rows=st.integers(1, 6).flatmap(
        lambda w: st.lists(st.lists(CELLS, min_size=w, max_size=w), min_size=1, max_size=6)
    ),
    delimiter=st.sampled_from([",", "\t", ";", " ", ", ", " ; "]),
    newline=st.sampled_from(["\n", "\r\n", "\r"]),
    bom=st.booleans(),
    header=st.booleans(),
    trailing=st.booleans(),
    blank=st.booleans(),
)
def test_delimited_text_reads_the_exact_values(
    rows: list[list[str]],
    delimiter: str,
    newline: str,
    bom: bool,
    header: bool,
    trailing: bool,
    blank: bool,
) -> None:
    end = delimiter.strip() if trailing else ""  # a trailing (non-blank) delimiter
    lines = [delimiter.join(r) + end for r in rows]
    if header:
        lines.insert(0, delimiter.join(f"col{i}" for i in range(len(rows[0]))))
    if blank:
        lines = [x for line in lines for x in (line, "  ")]
    text = ("\ufeff" if bom else "") + newline.join(lines) + newline
    got = aio.parse_bytes(text.encode())
    want = np.array([[float(c) for c in r] for r in rows])  # Python's float() is the oracle
    if len(rows[0]) == 1:
        want = want[:, 0]
    assert got.shape == want.shape and got.dtype == np.float64
    np.testing.assert_array_equal(got, want)
    assert np.array_equal(np.signbit(got), np.signbit(want))


@MANY
@given(text=st.text(max_size=200))
@example(text="1,2\n3,\u2603\n")
@example(text="\x00\x00\n")
@example(text="1\u20282\n")
def test_unicode_garbage_parses_or_is_refused(text: str) -> None:
    for parse in (aio.parse_delimited, aio.parse_json):
        try:
            arr = parse(text, "t")
        except InputError as e:
            assert "\n" not in str(e)
        else:
            assert arr.dtype == np.float64


def test_a_hundred_thousand_columns_are_read_quickly() -> None:
    row = ",".join(["-1.5"] * 100_000)
    got = aio.parse_bytes(f"{row}\n{row}\n".encode())
    assert got.shape == (2, 100_000) and np.all(got == -1.5)


JSON_VALUES = st.recursive(
    st.one_of(
        st.floats(allow_nan=False).map(repr),
        st.integers().map(str),
        st.sampled_from(["NaN", "Infinity", "-Infinity", "true", "null", '"1"', "{}", "1e999"]),
        st.sampled_from(['"nan"', '"-inf"', '"Infinity"', '"inf "', '{"columns": [], "data": 1}']),
    ),
    lambda inner: st.lists(inner, max_size=4).map(lambda xs: "[" + ", ".join(xs) + "]"),
    max_leaves=20,
)


@MANY
@given(doc=JSON_VALUES)
def test_json_documents_parse_or_are_refused(doc: str) -> None:
    try:
        arr = aio.parse_json(doc, "j")
    except InputError as e:
        assert "\n" not in str(e)
    else:
        assert arr.dtype == np.float64 and arr.ndim <= aio.MAX_DIMS


# --------------------------------------------------------------------------------------------
# Options: junk in every option is a usage error (2) or a data error (1), never a crash.


@CLI_EXAMPLES
@given(text=st.text(max_size=40))
@example(text="nan,-inf,+Infinity,1e999,-0.0")
@example(text=",,, ,")
def test_values_option(text: str) -> None:
    result = check_cli(["eval", "relu", f"--values={text}", "--format", "json"], codes=(0, 2))
    tokens = text.replace(",", " ").split()
    try:
        want = np.maximum([float(t) for t in tokens], 0.0)
    except ValueError:
        assert result.exit_code == 2
        return
    if not tokens:
        assert result.exit_code == 2
        return
    assert result.exit_code == 0
    got = aio.parse_json(result.stdout)
    np.testing.assert_array_equal(got, want)


@CLI_EXAMPLES
@given(
    text=st.one_of(
        st.text(max_size=30),
        st.tuples(
            st.sampled_from(["-6", "0", "1e308", "-1e308", "nan", "inf", "x", "", "5e-324"]),
            st.sampled_from(["6", "0", "1e308", "-inf", "1", "", "1e-320"]),
            st.sampled_from(["2", "3", "1", "0", "-5", "1e3", "121", "x", "", "99999999999999"]),
        ).map(":".join),
    )
)
def test_range_option(text: str) -> None:
    result = check_cli(["eval", "relu", "--range", text, "--format", "csv"], codes=(0, 2))
    if result.exit_code == 0:
        start, stop, num = text.split(":")
        want = np.maximum(np.linspace(float(start), float(stop), int(num)), 0)
        got = np.array([float(v) for v in result.stdout.split()])
        np.testing.assert_array_equal(got, want)


#: Every activation that takes parameters (read from the records).
PARAM_ACTS = [n for n in actcli.names() if actcli.get(n).params]
PARAM_VALUES = st.one_of(
    st.text(max_size=12),
    st.sampled_from(["0", "-1", "1e999", "nan", "inf", "-inf", "1,2", "1,2,3", "true", "none",
                     "tanh", "99999999999999999999", "0.5", "-0.0", "1_0", "0x1"]),
)  # fmt: skip
PARAM_KEYS = st.one_of(
    st.text(max_size=10),
    # Every declared parameter name, and one spelled with a dash as the CLI also accepts.
    st.sampled_from(
        [*dict.fromkeys(p.name for n in PARAM_ACTS for p in actcli.get(n).params), "negative-slope"]
    ),
)


@CLI_EXAMPLES
@given(
    act=st.sampled_from(PARAM_ACTS),
    pairs=st.lists(st.tuples(PARAM_KEYS, PARAM_VALUES), max_size=3),
    raw=st.sampled_from(["", "=", "novalue", "a=b=c"]),
    command=st.sampled_from(["eval", "grad"]),
)
def test_param_option(act: str, pairs: list[tuple[str, str]], raw: str, command: str) -> None:
    args = [command, act, "--values=-2,-0.5,0,0.5,2,3", "--format", "csv"]
    for key, value in pairs:
        args += ["-p", f"{key}={value}"]
    if raw:
        args += ["-p", raw]
    # 1: a valid command whose data cannot be used (e.g. glu of an odd length, a prelu weight
    # per channel for a 1-D input).
    check_cli(args, codes=(0, 1, 2))


@CLI_EXAMPLES
@given(
    key=st.one_of(st.text(max_size=10), st.sampled_from(["a", "b", "a.npy", ""])),
    dtype=st.one_of(st.sampled_from(["float16", "float32", "float64"]), st.text(max_size=8)),
    fmt=st.one_of(st.sampled_from(["table", "csv", "json", "npy"]), st.text(max_size=6)),
    source=st.sampled_from(["npz", "npy", "values", "stdin-npz"]),
)
def test_key_dtype_and_format_options(
    scratch: Path, key: str, dtype: str, fmt: str, source: str
) -> None:
    data = npz_bytes(a=np.array([1e300, -1.0, 0.5]), b=np.ones((2, 2), np.float32))
    args = ["eval", "relu"]
    if source in ("npz", "npy"):
        path = unique(scratch, f".{source}")
        path.write_bytes(data if source == "npz" else npy_bytes(np.arange(3.0)))
        args.append(path)
    elif source == "values":
        args.append("--values=1e300,-1,0.5")
    else:
        args.append("-")
    args += ["--key", key, "--dtype", dtype, "--format", fmt]
    result = check_cli(args, input=data if source == "stdin-npz" else None, codes=(0, 1, 2))
    valid = dtype in options.DTYPES and fmt in options.OUTPUT_FORMATS
    if not valid or source in ("npy", "values"):  # --key only applies to .npz input
        assert result.exit_code == 2
    elif key not in ("a", "b"):
        assert result.exit_code == 1 and "has no array" in result.stderr
    elif fmt == "table":
        assert result.exit_code == 0  # not a terminal in CliRunner: a table all the same
    else:
        assert result.exit_code == 0
    if result.exit_code == 0 and fmt == "npy":
        out = relu_npy(result)
        assert out.dtype == np.dtype(dtype)
        if key == "a":  # 1e300 overflows float16/float32 to inf, with no warning on stderr
            assert out[0] == (1e300 if dtype == "float64" else np.inf)
            assert result.stderr == ""


@CLI_EXAMPLES
@given(
    stem=st.text(
        st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00/"),
        min_size=1,
        max_size=12,
    ),
    ext=st.one_of(
        st.sampled_from([".npy", ".npz", ".csv", ".tsv", ".txt", ".json", ".NPY", ".Json"]),
        st.text(max_size=5).map(lambda s: "." + s.replace("/", "").replace("\x00", "")),
        st.just(""),
    ),
    sub=st.sampled_from(["", "missing/", "file.npy/"]),
    command=st.sampled_from(["eval", "grad"]),
)
def test_output_paths_and_extensions(
    scratch: Path, stem: str, ext: str, sub: str, command: str
) -> None:
    """-o to any name: written in the format of a known extension (any case), a usage error for
    an unknown one, a data/I-O error (1) for a folder that is missing or is a file; NUL bytes
    are left out (a real command line cannot hold one)."""
    folder = scratch / f"o{os.urandom(4).hex()}"
    folder.mkdir()
    (folder / "file.npy").write_bytes(b"")
    target = folder / sub / (stem + ext)
    try:
        known = aio.format_of(target)
    except InputError:
        known = None
    result = check_cli([command, "softmax", "--values=1,2,3", "-o", target], codes=(0, 1, 2))
    if known is None:
        assert result.exit_code == 2
        return
    if sub or stem in (".", "..") or (stem + ext) in (".", ".."):
        assert result.exit_code in (1, 2)
        return
    if result.exit_code == 0:
        assert target.is_file()
        assert np.allclose(aio.load_array(target).sum(), 1.0 if command == "eval" else 0.0)
    assert [p.name for p in folder.iterdir() if p.name.endswith(".tmp")] == []


def test_stdin_text_and_npy_through_the_cli() -> None:
    arr = np.asfortranarray(np.array([[1.5, -2], [3, -4]], ">f8"))
    got = relu_npy(check_cli(["eval", "relu", "--format", "npy"], npy_bytes(arr), codes=[0]))
    np.testing.assert_array_equal(got, [[1.5, 0], [3, 0]])
    text = "\ufeffx,y\r\n1.5,-2\r\n\r\n3,-inf,\r\n".encode()
    got = relu_npy(check_cli(["eval", "relu", "--format", "npy"], text, codes=[0]))
    np.testing.assert_array_equal(got, [[1.5, 0], [3, 0]])
    check_cli(["eval", "relu"], b"", codes=[1])
