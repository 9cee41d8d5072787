"""Rebuild the fuzz corpus: ``python tests/fuzz_corpus/make_corpus.py`` (writes next to itself).

Each file is tiny and named after what it exercises: ``ok_*`` must be read with the values that
``tests/test_fuzz.py`` expects, ``bad_*`` must be refused with one ``Error:`` line and exit 1.
"""

from __future__ import annotations

import io
import struct
import zipfile
import zlib
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent


def npy(arr: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.save(buf, arr, allow_pickle=True)
    return buf.getvalue()


def npy_header(header: str, data: bytes = b"", version: int = 1) -> bytes:
    raw = header.encode("latin1")
    length = struct.pack("<H" if version == 1 else "<I", len(raw))
    return b"\x93NUMPY" + bytes([version, 0]) + length + raw + data


def zip_bytes(members: dict[str, bytes], method: int = zipfile.ZIP_STORED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def raw_zip(name: bytes, payload: bytes, *, usize: int, crc: int, method: int = 8, flags: int = 0,
            offset_shift: int = 0) -> bytes:  # fmt: skip
    """A one-member ZIP written by hand, so that sizes, flags and offsets can lie."""
    local = struct.pack(
        "<4sHHHHHIIIHH", b"PK\x03\x04", 20, flags, method, 0, 0x21, crc, len(payload), usize,
        len(name), 0,
    )  # fmt: skip
    central = struct.pack(
        "<4sHHHHHHIIIHHHHHII", b"PK\x01\x02", 20, 20, flags, method, 0, 0x21, crc, len(payload),
        usize, len(name), 0, 0, 0, 0, 0, offset_shift,
    ) + name  # fmt: skip
    body = local + name + payload
    end = struct.pack("<4sHHHHIIH", b"PK\x05\x06", 0, 0, 1, 1, len(central), len(body), 0)
    return body + central + end


def deflate(data: bytes) -> bytes:
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def corpus() -> dict[str, bytes]:
    f8 = "{'descr': '<f8', 'fortran_order': False, 'shape': %s, }"
    member = npy(np.arange(3.0))
    files: dict[str, bytes] = {
        # NPY: read correctly
        "ok_big_endian_fortran_2x3.npy": npy(
            np.asfortranarray(np.arange(6.0).reshape(2, 3), ">f8")
        ),
        "ok_big_endian_float32.npy": npy(np.array([1.5, -2.25, 3.0], ">f4")),
        "ok_fortran_2x3x2.npy": npy(np.asfortranarray(np.arange(12.0).reshape(2, 3, 2))),
        "ok_zero_d.npy": npy(np.float32(-2.5)),
        "ok_float16.npy": npy(np.array([0.5, -1.0, 65504.0], np.float16)),
        "ok_bool.npy": npy(np.array([True, False])),
        "ok_uint64_max.npy": npy(np.array([2**64 - 1, 0], np.uint64)),
        "ok_int8_big_endian_irrelevant.npy": npy(np.array([-128, 127], "|i1")),
        "ok_nan_inf.npy": npy(np.array([np.nan, np.inf, -np.inf, -0.0])),
        # NPY: refused
        "ok_empty_0x3.npy": npy(np.zeros((0, 3))),
        "bad_random_bytes.npy": bytes(np.random.default_rng(7).integers(0, 256, 64, np.uint8)),
        "bad_no_magic.npy": b"NUMPY\x01\x00" + member[8:],
        "bad_truncated_magic.npy": member[:5],
        "bad_truncated_header.npy": member[:40],
        "bad_truncated_body.npy": member[:-5],
        "bad_unknown_version_9.npy": b"\x93NUMPY\x09\x00" + member[8:],
        "bad_header_length_4gb_v2.npy": b"\x93NUMPY\x02\x00\xff\xff\xff\xff{}",
        "bad_header_not_a_dict.npy": npy_header("[1, 2, 3]" + " " * 20 + "\n"),
        "bad_header_extra_key.npy": npy_header(
            "{'descr': '<f8', 'fortran_order': False, 'shape': (1,), 'x': 1}", bytes(8)
        ),
        "bad_header_code_not_literal.npy": npy_header(f8 % "(10**12,)", bytes(8)),
        "bad_header_negative_shape.npy": npy_header(f8 % "(-1,)", bytes(8)),
        "bad_header_bool_shape.npy": npy_header(f8 % "(True,)", bytes(8)),
        "bad_header_fortran_not_bool.npy": npy_header(
            "{'descr': '<f8', 'fortran_order': 1, 'shape': (1,), }", bytes(8)
        ),
        "bad_header_utf8_in_v1.npy": npy_header(f8 % "(1,)" + "\u00e9", bytes(8)),
        "bad_shape_claims_8tb.npy": npy_header(f8 % "(1000000000000,)", bytes(64)),
        "bad_shape_overflows_intp.npy": npy_header(f8 % f"({2**62}, {2**62})", bytes(64)),
        "bad_shape_zero_times_huge.npy": npy_header(f8 % f"(0, {10**30})", b""),
        "bad_shape_65_dims.npy": npy_header(f8 % str((1,) * 65), bytes(8)),
        "bad_object_dtype.npy": npy(np.array([1, "a", None], dtype=object)),
        "bad_structured_dtype.npy": npy(np.zeros(2, dtype=[("a", "<f8"), ("b", "<i4")])),
        "bad_subarray_dtype.npy": npy_header(
            "{'descr': '(2,)<f8', 'fortran_order': False, 'shape': (1,), }", bytes(16)
        ),
        "bad_void_dtype.npy": npy(np.zeros(2, dtype="V8")),
        "bad_string_dtype.npy": npy(np.array(["1.0", "2"])),
        "bad_bytes_dtype.npy": npy(np.array([b"1.0"])),
        "bad_complex_dtype.npy": npy(np.array([1 + 2j])),
        "bad_datetime_dtype.npy": npy(np.array(["2024-01-01"], dtype="M8[D]")),
        "bad_unknown_dtype.npy": npy_header(
            "{'descr': '<f7', 'fortran_order': False, 'shape': (1,), }", bytes(8)
        ),
        # NPZ
        "ok_npz_deflated.npz": zip_bytes({"x.npy": member}, zipfile.ZIP_DEFLATED),
        "ok_npz_lzma.npz": zip_bytes({"x.npy": member}, zipfile.ZIP_LZMA),
        "bad_npz_not_a_zip.npz": b"this is not a zip file\n",
        "bad_npz_empty_archive.npz": zip_bytes({}),
        "bad_npz_two_arrays_no_key.npz": zip_bytes({"a.npy": member, "b.npy": member}),
        "bad_npz_object_member.npz": zip_bytes({"x.npy": npy(np.array([None], dtype=object))}),
        "bad_npz_member_not_npy.npz": zip_bytes({"x.npy": b"1,2,3\n"}),
        "bad_npz_truncated.npz": zip_bytes({"x.npy": member})[:-30],
        "bad_npz_crc_mismatch.npz": raw_zip(b"x.npy", member, usize=len(member), crc=1, method=0),
        "bad_npz_corrupt_deflate.npz": raw_zip(
            b"x.npy", b"\xff" * 40, usize=len(member), crc=zlib.crc32(member)
        ),
        "bad_npz_bz2_garbage.npz": raw_zip(
            b"x.npy", b"BZh9" + b"\x00" * 30, usize=200, crc=0, method=12
        ),
        "bad_npz_unsupported_method.npz": raw_zip(
            b"x.npy", member, usize=len(member), crc=0, method=99
        ),
        "bad_npz_encrypted_flag.npz": raw_zip(
            b"x.npy", member, usize=len(member), crc=0, method=0, flags=1
        ),
        "bad_npz_empty_member_name.npz": raw_zip(b"", member, usize=len(member), crc=0, method=0),
        "bad_npz_bad_utf8_name.npz": raw_zip(
            b"x\xff.npy", member, usize=len(member), crc=0, method=0, flags=0x800
        ),
        "bad_npz_negative_offset.npz": raw_zip(
            b"x.npy", member, usize=len(member), crc=0, method=0, offset_shift=0xFFFFFF00
        ),
        "bad_npz_header_claims_more_than_member.npz": zip_bytes(
            {"x.npy": npy_header(f8 % "(1000,)", bytes(8))}
        ),
        # A ZIP bomb's directory: the member claims to inflate to 4 GB (its 45 bytes of deflate
        # actually give 1 MB of zeros after a header that claims ~4 GB of float64).
        "bad_npz_bomb_declares_4gb.npz": raw_zip(
            b"x.npy",
            deflate(npy_header(f8 % "(536870900,)") + bytes(1 << 20)),
            usize=0xFFFFFF00,
            crc=0,
        ),
        # Text
        "ok_nan_inf_spellings.csv": b"nan\nNaN\nNAN\n-nan\n+nan\ninf\n+inf\n-inf\nINF\nInf\n"
        b"Infinity\n-Infinity\n+infinity\n1e999\n-1e999\n",
        "ok_bom_crlf_header.csv": b"\xef\xbb\xbfa,b\r\n1,2\r\n3,4\r\n",
        "ok_trailing_delimiters.csv": b"1,2,\n3,4,\n",
        "ok_blank_lines_and_comments.txt": b"\n# comment\n1 2\n\n   \n3 4\n# end\n",
        "ok_semicolons.csv": b"1;2\n3;4\n",
        "ok_quoted_cells.csv": b'"x","y"\n"1","2"\n',
        "ok_tabs.tsv": b"1\t2\n3\t4\n",
        "ok_cr_only_line_ends.csv": b"1,2\r3,4\r",
        "ok_many_columns_5000.csv": (",".join(["1"] * 5000) + "\n").encode(),
        "ok_unicode_whitespace.txt": "1\u00a02\u20033\n".encode(),
        "bad_empty.csv": b"",
        "bad_only_bom.csv": b"\xef\xbb\xbf",
        "bad_header_only.csv": b"a,b,c\n",
        "bad_ragged_rows.csv": b"1,2\n3\n",
        "bad_empty_cell.csv": b"1,,2\n",
        "bad_non_numeric.csv": b"1,2\n3,x\n",
        "bad_unicode_garbage.csv": "1,2\n\u2603,\U0001f600\n".encode(),
        "bad_not_utf8_latin1.csv": "1,2\n3,\u00e9\n".encode("latin1"),
        "bad_utf16.csv": "1,2\n".encode("utf-16"),
        "bad_nul_bytes.csv": b"1,\x002\n",
        "bad_underscores.csv": b"1\n1_000\n",
        "bad_hex.csv": b"1\n0x10\n",
        "bad_mixed_delimiters.csv": b"1,2\n3;4\n",
        "bad_excel_error_cells.csv": b"1,2\n3,#N/A\n",
        "bad_random_bytes.txt": bytes(np.random.default_rng(8).integers(0, 256, 64, np.uint8)),
        # JSON
        "ok_nested.json": b"[[1, 2.5], [-3, 4e2]]",
        "ok_nan_infinity.json": b"[NaN, Infinity, -Infinity, 0]",
        "ok_bom.json": b"\xef\xbb\xbf[1, 2]",
        "ok_scalar.json": b"3.5",
        "bad_ragged.json": b"[[1, 2], [3]]",
        "bad_deep_65.json": b"[" * 65 + b"1" + b"]" * 65,
        "bad_deep_5000.json": b"[" * 5000 + b"]" * 5000,
        "bad_strings.json": b'["1", "2"]',
        "bad_object.json": b'{"x": [1, 2]}',
        "bad_bools.json": b"[true, false]",
        "bad_null.json": b"[1, null]",
        "bad_int_too_big.json": b"[1" + b"0" * 400 + b"]",
        "ok_empty_list.json": b"[]",
        "bad_truncated.json": b"[[1, 2], [3,",
    }
    return files


def main() -> None:
    for name, data in corpus().items():
        (HERE / name).write_bytes(data)


if __name__ == "__main__":
    main()
