"""Readers and writers of the batch CLI: every record comes out once, in order, or says why not."""

from __future__ import annotations

import codecs
import gzip
import io
import json
import re
from pathlib import Path

import pytest

from ringkas.errors import ConfigError, InputReadError
from ringkas.io import (
    Writer,
    escape_line,
    open_input,
    open_writer,
    output_format_for,
    scan_resume,
)
from ringkas.types import Article

BOM = b"\xef\xbb\xbf"


def read(path: Path | str, **options) -> list[tuple[str, int | None, object]]:
    """(id, line, Article or (error type, message)) for each record."""
    out: list[tuple[str, int | None, object]] = []
    for record in open_input(str(path), **options):
        if record.article is not None:
            out.append((record.id, record.line, record.article))
        else:
            assert record.error is not None
            out.append((record.id, record.line, (record.error.type, record.error.message)))
    return out


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


# -- JSONL ------------------------------------------------------------------------------------


def test_jsonl_records_keep_their_fields_and_default_ids_are_line_numbers(tmp_path):
    data = (
        BOM + b'{"id": "a", "text": "Satu.", "title": "T", "lang": "id"}\r\n'
        b"\n"
        b'{"text": "Dua."}\n'
        b'{"id": 7, "text": "Tiga."}'  # no final newline
    )
    records = read(write(tmp_path, "in.jsonl", data))
    assert records == [
        ("a", 1, Article(id="a", text="Satu.", title="T", lang="id")),
        ("3", 3, Article(id="3", text="Dua.")),
        ("7", 4, Article(id="7", text="Tiga.")),
    ]


def test_jsonl_bad_lines_become_record_errors_in_place(tmp_path):
    lines = [
        b'{"id": "ok1", "text": "Baik."}',
        b'{"id": "broken", "text": ',
        BOM + b'{"id": "bom", "text": "Dengan BOM."}',
        b'{"id": "notext", "body": "x"}',
        b'{"id": "number", "text": 42}',
        b'["a", "list"]',
        b'{"id": "latin1", "text": "caf\xe9"}',
        b'{"id": "ok1", "text": "Lagi."}',
        b'{"id": "ok2", "text": "Baik juga."}',
    ]
    records = read(write(tmp_path, "bad.jsonl", b"\n".join(lines) + b"\n"))
    kinds = [(rid, line, v if isinstance(v, Article) else v[0]) for rid, line, v in records]
    assert kinds == [
        ("ok1", 1, Article(id="ok1", text="Baik.")),
        ("2", 2, "InputError"),
        ("3", 3, "InputError"),
        ("notext", 4, "InputError"),
        ("number", 5, "InputError"),
        ("6", 6, "InputError"),
        ("7", 7, "InputError"),
        ("ok1", 8, "DuplicateIdError"),
        ("ok2", 9, Article(id="ok2", text="Baik juga.")),
    ]
    messages = {rid: v[1] for rid, _, v in records if isinstance(v, tuple)}
    assert messages["2"].startswith("malformed JSON: ")
    assert "byte-order mark" in messages["3"]
    assert "no 'text' field" in messages["notext"]
    assert "must be a string, got int" in messages["number"]
    assert "must be an object" in messages["6"]
    assert "not valid UTF-8" in messages["7"]
    assert records[7][2] == (
        "DuplicateIdError",
        "id 'ok1' was already used by an earlier record (line 1); this record was not processed",
    )


def test_text_and_id_fields_map_other_schemas(tmp_path):
    path = write(tmp_path, "in.jsonl", b'{"doc": "x1", "body": "Isi berita.", "title": "J"}\n')
    [(rid, _, article)] = read(path, text_field="body", id_field="doc")
    assert rid == "x1"
    assert article == Article(id="x1", text="Isi berita.", title="J")


def test_title_and_lang_fields_map_other_schemas_in_jsonl_and_csv(tmp_path):
    jsonl = write(
        tmp_path,
        "in.jsonl",
        b'{"id": "a", "isi": "Isi berita.", "judul": "J", "bahasa": "ms", "title": "no"}\n'
        b'{"id": "b", "isi": "Isi lain.", "judul": 5}\n',
    )
    options = {"text_field": "isi", "title_field": "judul", "lang_field": "bahasa"}
    assert read(jsonl, **options) == [
        ("a", 1, Article(id="a", text="Isi berita.", title="J", lang="ms")),
        ("b", 2, ("InputError", "field 'judul' must be a string, got int")),
    ]
    csv_path = write(tmp_path, "in.csv", b"id,isi,judul,bahasa\nx,Satu.,Judul,id\ny,Dua.,,\n")
    assert read(csv_path, **options) == [
        ("x", 2, Article(id="x", text="Satu.", title="Judul", lang="id")),
        ("y", 3, Article(id="y", text="Dua.")),  # empty cells mean none
    ]


# -- gzip -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "options"),
    [
        ("in.jsonl.gz", b'{"id": "a", "text": "Satu."}\n\n{"id": "b", "text": "Dua."}\n', {}),
        ("in.CSV.GZ", b"id,text\na,Satu.\nb,Dua.\n", {}),
        ("in.txt.gz", b"Satu.\n\nDua.\n", {"txt_mode": "paragraph"}),
        ("in.gz", b'{"id": "a", "text": "Satu."}\n', {}),  # no inner extension: sniffed
    ],
)
def test_gzip_inputs_read_like_the_plain_file(tmp_path, name, data, options):
    plain_name = name[:-3] if name[:-3].lower().endswith((".jsonl", ".csv", ".txt")) else "in"
    plain = read(write(tmp_path, plain_name, data), **options)
    source = open_input(str(write(tmp_path, name, gzip.compress(data))), **options)
    assert source.total == len(plain)
    assert read(tmp_path / name, **options) == plain


def test_a_file_named_gz_that_is_not_gzip_is_a_usage_error(tmp_path):
    path = write(tmp_path, "in.jsonl.gz", b'{"id": "a", "text": "Satu."}\n')
    with pytest.raises(ConfigError, match=r"cannot read .*in\.jsonl\.gz: Not a gzipped file"):
        open_input(str(path))


def test_truncated_gzip_yields_every_record_before_the_break_then_says_where(tmp_path):
    lines = b"".join(b'{"id": "%d", "text": "Kalimat nomor %d."}\n' % (i, i) for i in range(5000))
    whole = gzip.compress(lines)
    path = write(tmp_path, "in.jsonl.gz", whole[: len(whole) // 2])
    ids: list[str] = []

    def consume() -> None:
        for record in open_input(str(path)):
            assert record.article is not None
            ids.append(record.id)

    with pytest.raises(InputReadError, match=r"after line (\d+).*--resume") as caught:
        consume()
    assert 0 < len(ids) < 5000
    assert ids == [str(i) for i in range(len(ids))]
    last_line = int(re.search(r"after line (\d+)", str(caught.value)).group(1))
    assert last_line >= len(ids)  # the partly read last line is not a record
    assert isinstance(caught.value, OSError)


# -- CSV / TSV --------------------------------------------------------------------------------


def test_csv_rows_with_quoted_newlines_keep_their_start_line(tmp_path):
    data = (
        BOM + b"id,text,lang,title\n"
        b'a,"Satu, dua.",id,\n'
        b'b,"Baris satu.\nBaris dua.",,Judul\n'
        b',"Tanpa id.",id,\n'
        b"\n"
        b"c,Kurang\n"
    )
    records = read(write(tmp_path, "in.csv", data))
    assert records[:3] == [
        ("a", 2, Article(id="a", text="Satu, dua.", lang="id")),
        ("b", 3, Article(id="b", text="Baris satu.\nBaris dua.", title="Judul")),
        ("3", 5, Article(id="3", text="Tanpa id.", lang="id")),
    ]
    assert records[3][:2] == ("c", 7)
    assert records[3][2] == ("InputError", "row has 2 fields but the header has 4")


def test_semicolon_csv_from_a_spreadsheet_is_read_by_its_header(tmp_path):
    data = (
        BOM + b"id;judul;text\r\n"
        b'a;Harga naik;"Harga beras naik 3,5 persen; pasokan turun."\r\n'
        b'b;;"Baris satu.\r\nBaris dua."\r\n'
    )
    path = write(tmp_path, "excel.csv", data)
    assert open_input(str(path)).total == 2
    text = "Harga beras naik 3,5 persen; pasokan turun."
    assert read(path, title_field="judul") == [
        ("a", 2, Article(id="a", text=text, title="Harga naik")),
        ("b", 3, Article(id="b", text="Baris satu.\r\nBaris dua.")),
    ]
    # a comma CSV whose text has semicolons keeps the comma
    comma = write(tmp_path, "comma.csv", b'id,text\n1,"satu; dua; tiga"\n')
    assert read(comma) == [("1", 2, Article(id="1", text="satu; dua; tiga"))]


def test_a_csv_field_longer_than_csvs_default_limit_is_read(tmp_path):
    long_text = "Kata demi kata. " * 20_000  # 320 kB, past csv's 128 KiB default
    data = f'id,text\na,"{long_text}"\nb,Pendek.\n'.encode()
    path = write(tmp_path, "long.csv", data)
    assert open_input(str(path)).total == 2
    assert read(path) == [
        ("a", 2, Article(id="a", text=long_text)),
        ("b", 3, Article(id="b", text="Pendek.")),
    ]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-32"])
def test_utf16_and_utf32_files_with_a_byte_order_mark_are_read(tmp_path, encoding):
    # Excel's "Unicode text" is UTF-16 LE with a BOM, tab-separated.
    text = "id\ttext\r\na\tHarga beras naik.\r\nb\tCafé ramai.\r\n"
    bom = {"utf-16-be": codecs.BOM_UTF16_BE}.get(encoding, b"")
    path = write(tmp_path, "unicode.tsv", bom + text.encode(encoding))
    assert open_input(str(path)).total == 2
    assert read(path) == [
        ("a", 2, Article(id="a", text="Harga beras naik.")),
        ("b", 3, Article(id="b", text="Café ramai.")),
    ]
    lines = write(tmp_path, "unicode.jsonl", '{"id": "x", "text": "Satu."}\n'.encode("utf-16"))
    assert read(lines) == [("x", 1, Article(id="x", text="Satu."))]


def test_tsv_and_a_missing_text_column_is_a_usage_error(tmp_path):
    tsv = write(tmp_path, "in.tsv", b"id\ttext\nx\tHalo dunia.\n")
    assert read(tsv) == [("x", 2, Article(id="x", text="Halo dunia."))]
    bad = write(tmp_path, "bad.csv", b"id,body\n1,x\n")
    with pytest.raises(ConfigError, match="no 'text' column"):
        open_input(str(bad))
    assert read(bad, text_field="body") == [("1", 2, Article(id="1", text="x"))]


def test_csv_row_with_invalid_utf8_is_one_record_error(tmp_path):
    data = b"id,text\n1,ok\n2,caf\xe9\n3,ok juga\n"
    records = read(write(tmp_path, "in.csv", data))
    assert [r[0] for r in records] == ["1", "2", "3"]
    assert records[1][2] == ("InputError", "row is not valid UTF-8")


# -- plain text and folders -------------------------------------------------------------------


def test_txt_line_mode_one_article_per_non_blank_line(tmp_path):
    path = write(tmp_path, "in.txt", BOM + b"Satu.\n\nDua.\r\n" + BOM + b"Tiga.\n")
    records = read(path)
    assert records[:2] == [
        ("1", 1, Article(id="1", text="Satu.")),
        ("3", 3, Article(id="3", text="Dua.")),
    ]
    assert records[2][:2] == ("4", 4)
    assert records[2][2][0] == "InputError"


def test_txt_paragraph_and_whole_modes(tmp_path):
    path = write(tmp_path, "berita.txt", b"Satu.\nDua.\n\n\nTiga.\n")
    assert read(path, txt_mode="paragraph") == [
        ("1", 1, Article(id="1", text="Satu.\nDua.")),
        ("5", 5, Article(id="5", text="Tiga.")),
    ]
    assert read(path, txt_mode="whole") == [
        ("berita.txt", None, Article(id="berita.txt", text="Satu.\nDua.\n\n\nTiga.\n"))
    ]


def test_folder_of_txt_files_one_article_each_named_by_file(tmp_path):
    folder = tmp_path / "pages"
    folder.mkdir()
    (folder / "b.txt").write_text("Dua.", encoding="utf-8")
    (folder / "a.txt").write_bytes(BOM + b"Satu.\n")
    (folder / "skip.md").write_text("no", encoding="utf-8")
    source = open_input(str(folder))
    assert source.total == 2
    assert [(r.id, r.line, r.article) for r in source] == [
        ("a.txt", None, Article(id="a.txt", text="Satu.\n")),
        ("b.txt", None, Article(id="b.txt", text="Dua.")),
    ]


# -- formats, stdin, counts -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "fmt"),
    [
        (b'\n{"id": 1, "text": "x"}\n', "jsonl"),
        (BOM + b'{"text": "x"}\n', "jsonl"),
        (b"Harga beras naik.\n", "txt"),
        (b"", "txt"),
    ],
)
def test_stdin_format_is_sniffed_and_nothing_is_lost(data, fmt):
    source = open_input("-", stdin=io.BytesIO(data))
    assert source.format == fmt
    assert source.total is None
    assert len(list(source)) == (1 if data else 0)


def test_unknown_extension_is_sniffed_and_an_unreadable_file_is_a_usage_error(tmp_path):
    assert open_input(str(write(tmp_path, "data.dat", b'{"text": "x"}\n'))).format == "jsonl"
    with pytest.raises(ConfigError, match="cannot read"):
        open_input(str(tmp_path / "missing.jsonl"))
    with pytest.raises(ConfigError, match="input format must be one of"):
        open_input("-", input_format="xml", stdin=io.BytesIO(b""))


@pytest.mark.parametrize(
    ("name", "data", "options", "total"),
    [
        ("a.jsonl", b'{"text": "x"}\n\n{"text": "y"}\n', {}, 2),
        ("a.txt", b"x\n\ny\nz", {}, 3),
        ("a.txt", b"x\ny\n\n\nz\n", {"txt_mode": "paragraph"}, 2),
        ("a.txt", b"x\ny\n", {"txt_mode": "whole"}, 1),
        ("a.csv", b'id,text\n1,"a\nb"\n2,c\n', {}, 2),
    ],
)
def test_totals_are_counted_cheaply_and_match_the_records(tmp_path, name, data, options, total):
    source = open_input(str(write(tmp_path, name, data)), **options)
    assert source.total == total == len(list(source))


# -- writers ----------------------------------------------------------------------------------


def test_jsonl_writer_keeps_unicode_and_appends(tmp_path):
    path = tmp_path / "out.jsonl"
    writer = open_writer(str(path), "jsonl")
    writer.write([{"id": "1", "summary": "Harga naik — café"}])
    writer.close()
    writer = open_writer(str(path), "jsonl", append=True)
    writer.write([{"id": "2", "summary": "x"}])
    writer.close()
    text = path.read_text(encoding="utf-8")
    assert text == '{"id": "1", "summary": "Harga naik — café"}\n{"id": "2", "summary": "x"}\n'


def test_csv_and_text_writers_have_one_line_per_record():
    error = {"id": "2", "error": {"type": "InputError", "message": "empty", "line": 3}}
    rows = [{"id": "1", "translation": "A,\nB", "route": ["x"]}, error]
    stream = io.BytesIO()
    writer = Writer(stream, "csv", columns=("id", "translation", "route", "error"))
    writer.write(rows)
    assert stream.getvalue().decode() == (
        'id,translation,route,error\n1,"A,\nB","[""x""]",\n2,,,InputError: empty\n'
    )
    stream = io.BytesIO()
    writer = Writer(stream, "text", text_key="translation")
    writer.write(rows)
    assert stream.getvalue().decode() == "A,\\nB\n\n"


def test_escape_line_and_output_format_from_extension():
    assert escape_line("a\r\nb\u2028c\rd") == "a\\nb\\nc\\nd"
    assert [output_format_for(p) for p in (None, "-", "o.csv", "o.TSV", "o.txt", "o.json")] == [
        "jsonl",
        "jsonl",
        "csv",
        "tsv",
        "text",
        "jsonl",
    ]


# -- resuming ---------------------------------------------------------------------------------


def test_scan_resume_counts_ids_and_cuts_a_partial_last_line(tmp_path):
    path = tmp_path / "out.jsonl"
    good = '{"id": "a", "x": 1}\n{"id": "b", "error": {"type": "E"}}\n{"id": "a", "x": 2}\n'
    path.write_text(good + '{"id": "c", "x"', encoding="utf-8")
    state = scan_resume(str(path), truncate=False)
    assert state.cut_bytes == len('{"id": "c", "x"')
    assert path.read_text(encoding="utf-8").endswith('"x"')  # measuring changes nothing
    state = scan_resume(str(path))
    assert path.read_text(encoding="utf-8") == good
    assert state.done == {"a": 2, "b": 1}
    assert state.lines == 3
    assert [state.take("b"), state.take("b"), state.take("a"), state.take("c")] == [
        True,
        None,
        False,
        None,
    ]


def test_scan_resume_cuts_junk_tail_but_refuses_an_edited_file(tmp_path):
    path = tmp_path / "out.jsonl"
    path.write_bytes(b'{"id": "a"}\n\x00\x00\x00\n{"id": "b"')
    assert scan_resume(str(path)).done == {"a": 1}
    assert path.read_bytes() == b'{"id": "a"}\n'
    path.write_bytes(b'{"id": "a"}\nnot json\n{"id": "b"}\n')
    with pytest.raises(ConfigError, match="line 2"):
        scan_resume(str(path))
    assert path.read_bytes() == b'{"id": "a"}\nnot json\n{"id": "b"}\n'
    assert scan_resume(str(tmp_path / "new.jsonl")).lines == 0


def test_scan_resume_can_drop_error_lines_to_retry_them(tmp_path):
    path = tmp_path / "out.jsonl"
    kept = '{"id": "a", "x": 1}\n{"id": "c", "x": "kata, \\"kutipan\\""}\n'
    lines = [
        '{"id": "a", "x": 1}\n',
        '{"id": "b", "error": {"type": "ModelLoadError", "message": "m", "line": 2}}\n',
        '{"id": "c", "x": "kata, \\"kutipan\\""}\n',
        '{"id": "a", "error": {"type": "DuplicateIdError", "message": "m", "line": 4}}\n',
    ]
    original = "".join(lines) + '{"id": "d", "x'
    path.write_text(original, encoding="utf-8")
    dry = scan_resume(str(path), truncate=False, drop_failed=True)
    assert (dry.dropped, dict(dry.done)) == (2, {"a": 1, "c": 1})
    assert dry.cut_bytes == len('{"id": "d", "x')
    assert path.read_text(encoding="utf-8") == original  # a dry run changes nothing
    state = scan_resume(str(path), drop_failed=True)
    assert path.read_text(encoding="utf-8") == kept  # other lines byte for byte, tail cut
    assert (state.dropped, dict(state.done), dict(state.failed)) == (2, {"a": 1, "c": 1}, {})
    assert [state.take("b"), state.take("a"), state.take("a")] == [None, False, None]
    assert not list(tmp_path.glob("*.tmp"))
    assert scan_resume(str(path), drop_failed=True).dropped == 0  # nothing left to retry


def test_error_records_are_plain_json(tmp_path):
    from ringkas.io import error_record
    from ringkas.types import ErrorInfo

    record = error_record("x", ErrorInfo("InputError", "empty"), 4)
    assert json.loads(json.dumps(record)) == {
        "id": "x",
        "error": {"type": "InputError", "message": "empty", "line": 4},
    }


# -- limits and hostile records ---------------------------------------------------------------


def errors_of(source) -> list[tuple[str, str | None]]:
    return [(r.id, r.error.type if r.error else None) for r in source]


def test_a_line_over_the_record_limit_is_an_error_and_the_next_line_still_reads(tmp_path):
    from ringkas.io import ReadLimits

    data = (
        b'{"id": "a", "text": "Satu."}\n{"text": "'
        + b"x" * 5000
        + b'"}\n{"id": "c", "text": "Tiga."}\n'
    )
    path = write(tmp_path, "in.jsonl", data)
    source = open_input(str(path), limits=ReadLimits(max_record_bytes=1000))
    records = list(source)
    assert [(r.id, r.error.type if r.error else None) for r in records] == [
        ("a", None),
        ("2", "LimitExceededError"),
        ("c", None),
    ]
    assert "5,013 bytes" in records[1].error.message  # with its newline
    assert "--max-record-bytes" in records[1].error.message


@pytest.mark.parametrize("mode", ["line", "paragraph", "whole"])
def test_text_records_over_the_limit(tmp_path, mode):
    from ringkas.io import ReadLimits

    path = write(tmp_path, "in.txt", b"Satu.\n\n" + b"y" * 3000 + b"\n")
    got = errors_of(open_input(str(path), txt_mode=mode, limits=ReadLimits(max_record_bytes=100)))
    expected = {
        "line": [("1", None), ("3", "LimitExceededError")],
        "paragraph": [("1", None), ("3", "LimitExceededError")],
        "whole": [("in.txt", "LimitExceededError")],
    }
    assert got == expected[mode]


def test_json_depth_digits_ids_and_surrogates_are_record_errors(tmp_path):
    lines = [
        b'{"text": ' + b"[" * 5000 + b"]" * 5000 + b"}",
        b'{"text": "a", "n": ' + b"1" * 200 + b"}",
        b'{"text": "a \\ud800"}',
        b'{"id": [1], "text": "a"}',
        b'{"id": false, "text": "a"}',
        b'{"id": 2.5, "text": "a"}',
        b'{"id": 12, "text": "a [[[ {{{ in a string", "meta": [[1]]}',
    ]
    path = write(tmp_path, "in.jsonl", b"\n".join(lines) + b"\n")
    assert errors_of(open_input(str(path))) == [
        ("1", "LimitExceededError"),
        ("2", "LimitExceededError"),
        ("3", "InputError"),
        ("4", "InputError"),
        ("5", "InputError"),
        ("6", "InputError"),
        ("12", None),
    ]


def test_an_unterminated_csv_quote_names_its_line(tmp_path):
    rows = "".join(f"{i},baris {i}\n" for i in range(3, 50))
    path = write(tmp_path, "in.csv", f'id,text\n1,"Satu."\n2,"dua\n{rows}'.encode())
    records = list(open_input(str(path)))
    assert [(r.id, r.line) for r in records] == [("1", 2), ("2", 3)]
    assert "opened on line 3 is never closed" in records[1].error.message


def test_bomless_utf16_is_read_as_utf16(tmp_path):
    for encoding in ("utf-16-le", "utf-16-be"):
        path = write(tmp_path, "in.txt", "Harga naik.\nHarga turun.\n".encode(encoding))
        texts = [r.article.text for r in open_input(str(path))]
        assert texts == ["Harga naik.", "Harga turun."]


def test_the_writer_never_fails_on_invalid_unicode():
    for fmt in ("jsonl", "csv", "text"):
        stream = io.BytesIO()
        writer = open_writer(None, fmt, columns=("id", "text"), text_key="text", stdout=stream)
        writer.write([{"id": "a\ud800", "text": "b\udfff"}])
        assert stream.getvalue()
    stream = io.BytesIO()
    open_writer(None, "jsonl", stdout=stream).write([{"id": "a\ud800"}])
    assert json.loads(stream.getvalue()) == {"id": "a\ud800"}
