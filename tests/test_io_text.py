"""actcli.io.text: delimited text and JSON, tested directly (no Click)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from actcli import io as aio
from actcli.errors import InputError
from tests.io_cases import write


def test_csv_header_is_skipped_and_columns_make_a_matrix(tmp_path: Path) -> None:
    p = write(tmp_path, "l.csv", "cat,dog\n1.5,-2\n3,4e-3\n")
    got = aio.load_array(p)
    assert got.dtype == np.float64
    np.testing.assert_array_equal(got, [[1.5, -2.0], [3.0, 0.004]])


@pytest.mark.parametrize(
    ("name", "text"),
    [
        ("a.tsv", "x\ty\n1\t2\n3\t4\n"),
        ("a.txt", "  1   2\n3 4  \n"),
        ("a.csv", "1;2\n3;4\n"),
        ("a.csv", "\ufeff1,2\r\n3,4\r\n"),
        ("a.csv", "# comment\n\n1, 2,\n\n3 ,4,\n"),
        ("a.csv", '"1","2"\n"3","4"\n'),
    ],
)
def test_delimiters_bom_crlf_blank_lines_comments_and_trailing_delimiters(
    tmp_path: Path, name: str, text: str
) -> None:
    np.testing.assert_array_equal(aio.load_array(write(tmp_path, name, text)), [[1, 2], [3, 4]])


def test_one_column_is_1d_and_nan_inf_are_spelled_every_common_way(tmp_path: Path) -> None:
    got = aio.load_array(write(tmp_path, "a.csv", "x\nnan\nNaN\ninf\n-Infinity\n+1E3\n"))
    assert got.shape == (5,)
    assert np.isnan(got[:2]).all()
    np.testing.assert_array_equal(got[2:], [np.inf, -np.inf, 1000.0])


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("x,y\n1,2\n3,abc\n", r"line 3, column 2: 'abc' is not a number"),
        ("1,2\n3,abc\n", r"line 2, column 2: 'abc' is not a number"),
        ("1,2,3\n4,5\n", r"line 2: 2 values, but line 1 has 3"),
        ("1,,3\n", r"line 1, column 2: empty cell"),
        ("", "holds no numbers"),
        ("a,b,c\n", "holds no numbers"),
        ("\n\n# only a comment\n", "holds no numbers"),
        ("x\n1_000\n", r"line 2, column 1: '1_000' is not a number"),
    ],
)
def test_malformed_text_is_refused_with_its_line(tmp_path: Path, text: str, message: str) -> None:
    # (a bad first row is read as a header, so its error shows on the next bad line)
    with pytest.raises(InputError, match=message):
        aio.load_array(write(tmp_path, "bad.csv", text))


def test_non_utf8_text_is_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="not UTF-8 text"):
        aio.load_array(write(tmp_path, "bad.csv", b"1,2\n\xff\xfe,3\n"))


def test_json_nested_lists_keep_their_shape(tmp_path: Path) -> None:
    p = write(tmp_path, "a.json", "[[[1, 2.5], [NaN, -Infinity]]]")
    got = aio.load_array(p)
    assert got.shape == (1, 2, 2)
    assert np.isnan(got[0, 1, 0]) and got[0, 1, 1] == -np.inf
    assert aio.load_array(write(tmp_path, "s.json", "3.5")).shape == ()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[[1, 2], [3]]", "ragged"),
        ('[1, "2"]', "not a number"),
        ("[1, true]", "not a number"),
        ("[1, null]", "not a number"),
        ("[1, 2", "not valid JSON"),
        ("[" * 100000 + "]" * 100000, "JSON"),
    ],
)
def test_bad_json_is_refused(tmp_path: Path, text: str, message: str) -> None:
    with pytest.raises(InputError, match=message):
        aio.load_array(write(tmp_path, "a.json", text))


# --------------------------------------------------------------------------------------------
# Block-wise reading and writing: the same numbers and errors as line by line, bounded memory.


def _edge_values(n: int) -> np.ndarray:
    rng = np.random.default_rng(17)
    a = rng.standard_normal(n) * 10.0 ** rng.integers(-300, 300, n)
    edges = [np.nan, np.inf, -np.inf, -0.0, 5e-324, -2.2250738585072014e-308, 1e16, 0.1]
    a[: len(edges)] = edges[:n]
    return a


@pytest.mark.parametrize("width", [1, 3])
def test_big_text_round_trips_bit_for_bit_through_every_block(width: int) -> None:
    a = _edge_values(300_000).reshape(-1, width)  # several MiB of text: many blocks
    text = "".join(aio.text_chunks(a, ","))
    got = aio.parse_delimited(text.encode(), "big")
    want = a[:, 0] if width == 1 else a
    assert got.shape == want.shape
    assert np.array_equal(got, want, equal_nan=True)
    assert np.array_equal(np.signbit(got), np.signbit(want))


def test_text_fed_in_arbitrary_pieces_parses_like_the_whole() -> None:
    rng = np.random.default_rng(3)
    lines = [f"{v!r}\t{-v!r}" for v in rng.standard_normal(20_000).tolist()]
    lines[5000] = "# a comment in the middle"
    lines[9000] = ""
    data = ("x\ty\n" + "\r\n".join(lines) + "\n").encode()
    whole = aio.parse_delimited(data, "t")
    parser = aio.DelimitedParser("t")
    cuts = np.sort(rng.integers(0, len(data), 300))
    for a, b in zip([0, *cuts], [*cuts, len(data)], strict=True):
        parser.feed(data[a:b])
    np.testing.assert_array_equal(parser.close(), whole)
    assert whole.shape == (19_998, 2) and parser.header == ["x", "y"]


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        ("abc", r"line 250001, column 2: 'abc' is not a number"),
        ("", r"line 250001: 1 values, but line 1 has 2"),  # "3,": a trailing delimiter
        ("1_0", r"line 250001, column 2: '1_0' is not a number"),
        ("1,2", r"line 250001: 3 values, but line 1 has 2"),
    ],
)
def test_a_bad_cell_far_into_a_big_file_is_reported_with_its_line(
    tmp_path: Path, bad: str, message: str
) -> None:
    rows = ["1.5,2.5"] * 300_000
    rows[250_000] = f"3,{bad}"
    p = write(tmp_path, "big.csv", "\n".join(rows) + "\n")
    with pytest.raises(InputError, match=message):
        aio.load_array(p)


def test_non_utf8_far_into_a_file_names_its_offset(tmp_path: Path) -> None:
    data = b"1\n" * 1_000_000 + b"\xff\n"
    with pytest.raises(InputError, match=r"byte 0xff at offset 2000000\)"):
        aio.load_array(write(tmp_path, "big.csv", data))


def test_reading_big_text_holds_the_values_and_one_block(tmp_path: Path) -> None:
    import tracemalloc

    a = _edge_values(1_000_000)
    p = tmp_path / "big.csv"
    p.write_text("".join(aio.text_chunks(a)))
    tracemalloc.start()
    try:
        got = aio.load_array(p)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert np.array_equal(got, a, equal_nan=True)
    # 8 MB of values (their buffer grows by doubling) and a few MB of one block, not the
    # 22 MB of text or a list of a million Python floats
    assert peak < 2 * a.nbytes + (8 << 20), peak
    assert p.stat().st_size > 2 * a.nbytes


@pytest.mark.parametrize("shape", [(250_000,), (60_000, 4), (0,), (3, 0)])
def test_big_json_round_trips_through_the_block_reader(shape: tuple[int, ...]) -> None:
    a = _edge_values(int(np.prod(shape))).reshape(shape)
    chunks = list(aio.json_chunks(a))
    assert max(map(len, chunks)) < 4 << 20  # written a block at a time
    got = aio.parse_json("".join(chunks).encode(), "j")
    assert got.shape == a.shape
    assert np.array_equal(got, a, equal_nan=True)


@pytest.mark.parametrize(
    ("tail", "message"),
    [
        (", true]", "not a number"),
        (", null]", "not a number"),
        (', "1"]', "not a number"),
        (", [1]]", "ragged|not a number"),
        (",]", "not valid JSON"),
        (", 01]", "not valid JSON"),
        (", .5]", "not valid JSON"),
        (", nan]", "not valid JSON"),
    ],
)
def test_json_blocks_are_as_strict_as_the_whole_document(tail: str, message: str) -> None:
    doc = "[" + ", ".join(["1.25"] * 400_000) + tail  # the bad part is blocks away
    with pytest.raises(InputError, match=message):
        aio.parse_json(doc.encode(), "j")


def test_ragged_json_rows_blocks_away_are_refused() -> None:
    rows = ["[1.5, 2.5]"] * 200_000 + ["[3.5]"]
    with pytest.raises(InputError, match="ragged"):
        aio.parse_json(("[" + ", ".join(rows) + "]").encode(), "j")


def test_a_header_round_trips_through_save_and_load(tmp_path: Path) -> None:
    a = np.array([[1.5, -2.0], [0.1, 3.0]])
    for name, sep in (("h.csv", ","), ("h.tsv", "\t"), ("h.txt", " ")):
        aio.save_array(tmp_path / name, a, header=["speed", "a,b"])
        first = (tmp_path / name).read_text().split("\n")[0]
        assert first == sep.join(["speed", '"a,b"' if sep == "," else "a,b"])
        columns: list[str] = []
        got = aio.load_array(tmp_path / name, columns=columns)
        np.testing.assert_array_equal(got, a)
        assert columns == ["speed", "a,b"]
    columns = []
    aio.load_array(write(tmp_path, "n.csv", "1,2\n"), columns=columns)
    assert columns == []
