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
