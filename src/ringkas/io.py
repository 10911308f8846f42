"""Batch input and output for the CLI: JSONL, CSV/TSV, plain text and folders; resumable JSONL.

Readers stream: they yield one :class:`Record` per input article, in input order, and never stop
at a bad one. A record that cannot be read (malformed JSON, a byte-order mark in mid-file, no
text, text that is not a string, invalid UTF-8, a repeated id) still comes out, in its place,
with an :class:`~ringkas.types.ErrorInfo`, so every input record gets exactly one output line.

Writers and resuming (:func:`open_writer`, :func:`scan_resume`) live in :mod:`ringkas.io_output`
and are importable from here too. The formats are described in ``docs/cli.md``.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import itertools
import json
import logging
import os
import re
import stat
import sys
import zlib
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from ringkas.errors import (
    ConfigError,
    DuplicateIdError,
    InputError,
    InputReadError,
    LimitExceededError,
)

# Writers and resuming live in io_output; their names stay importable from here.
from ringkas.io_output import (
    OUTPUT_FORMATS,
    ResumeState,
    Writer,
    escape_line,
    open_writer,
    output_format_for,
    scan_resume,
)
from ringkas.types import Article, ArticleResult, ErrorInfo, to_article

__all__ = [
    "DEFAULT_LIMITS",
    "INPUT_FORMATS",
    "OUTPUT_FORMATS",
    "TXT_MODES",
    "DuplicateIdError",
    "InputReadError",
    "InputSource",
    "ReadLimits",
    "Record",
    "ResumeState",
    "Writer",
    "error_record",
    "escape_line",
    "open_input",
    "open_writer",
    "output_format_for",
    "result_record",
    "scan_resume",
]

INPUT_FORMATS = ("jsonl", "csv", "tsv", "txt")
TXT_MODES = ("line", "paragraph", "whole")

_BOM = codecs.BOM_UTF8
log = logging.getLogger("ringkas")


@dataclass(frozen=True)
class ReadLimits:
    """Bounds on what one input record may hold, checked while reading.

    A record over a bound becomes a :class:`~ringkas.errors.LimitExceededError` record naming the
    bound and the option that raises it; the bytes of an over-long line are skipped in chunks,
    never held in memory at once (a 2 GiB line in a small ``.gz`` costs no more than a short one).
    """

    #: Bytes of one record: a line (JSONL, text), a CSV row, a ``--txt-mode whole`` file, a file
    #: of a folder (``--max-record-bytes``).
    max_record_bytes: int = 16 * 2**20
    #: Nesting of arrays/objects in one JSON line (``--max-json-depth``).
    max_json_depth: int = 64
    #: Digits of one JSON integer (``--max-number-digits``).
    max_number_digits: int = 100

    def __post_init__(self) -> None:
        for name in ("max_record_bytes", "max_json_depth", "max_number_digits"):
            if getattr(self, name) < 1:
                raise ConfigError(f"{name} must be >= 1, got {getattr(self, name)}")


DEFAULT_LIMITS = ReadLimits()
_EXTENSIONS = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".txt": "txt",
    ".text": "txt",
}


@dataclass(frozen=True)
class Record:
    """One input article as read: an :class:`Article` ready for the pipeline, or why not.

    ``line`` is the 1-based line in the input where the record starts (``None`` for a file of a
    folder and for ``--txt-mode whole``).
    """

    id: str
    line: int | None
    article: Article | None = None
    error: ErrorInfo | None = None


def error_record(record_id: str, error: ErrorInfo, line: int | None) -> dict[str, Any]:
    """The output line of a failed record: ``{"id", "error": {"type", "message", "line"}}``."""
    return {"id": record_id, "error": {"type": error.type, "message": error.message, "line": line}}


def result_record(result: ArticleResult) -> dict[str, Any]:
    """The output line of ``ringkas process`` for a successful result (every field but
    ``error``); shared by the single-machine CLI and the Ray workers so that both write the same."""
    row = result.to_dict()
    row.pop("error", None)
    return row


def _fail(record_id: str, line: int | None, exc: Exception) -> Record:
    return Record(record_id, line, error=ErrorInfo(type(exc).__name__, str(exc)))


# --------------------------------------------------------------------------------------------
# Input
# --------------------------------------------------------------------------------------------


@dataclass
class InputSource:
    """An opened input: its format, a cheap record count when it is a file, and the records.

    Iterate it once. ``name`` is what messages call it (the path, or ``-`` for stdin).
    """

    name: str
    format: str
    txt_mode: str
    total: int | None
    _records: Iterator[Record] = field(repr=False)

    def __iter__(self) -> Iterator[Record]:
        return self._records


def open_input(
    path: str,
    *,
    input_format: str | None = None,
    txt_mode: str = "line",
    text_field: str = "text",
    id_field: str = "id",
    title_field: str = "title",
    lang_field: str = "lang",
    stdin: IO[bytes] | None = None,
    count: bool = True,
    limits: ReadLimits = DEFAULT_LIMITS,
    follow_symlinks: bool = False,
) -> InputSource:
    """Open ``path`` (a file, a folder of ``.txt`` files, or ``-`` for stdin) for reading.

    The format comes from ``input_format``, else from the extension, else (stdin, unknown
    extension) from the first non-blank line: ``{`` means JSONL, anything else plain text.
    A file ending in ``.gz`` is read through gzip, its format from the extension before ``.gz``;
    compressed data that is corrupt or cut short stops the run with an :class:`InputReadError`
    naming the last line read (everything before it was read normally).
    Problems with the whole input (missing file, unknown format, a CSV header without the text
    column) raise :class:`ConfigError` here, before any record is read. Duplicate ids are
    reported as :class:`DuplicateIdError` records; records over ``limits`` as
    :class:`LimitExceededError` records. A folder's symbolic links that lead out of the folder
    are not read unless ``follow_symlinks``; they, broken links and entries that are not regular
    files (FIFOs, devices, folders named ``*.txt``) become error records, never a hang.
    """
    if input_format is not None and input_format not in INPUT_FORMATS:
        raise ConfigError(f"input format must be one of {INPUT_FORMATS}, got {input_format!r}")
    if txt_mode not in TXT_MODES:
        raise ConfigError(f"txt mode must be one of {TXT_MODES}, got {txt_mode!r}")
    fields = _Fields(text=text_field, id=id_field, title=title_field, lang=lang_field)
    if path != "-" and Path(path).is_dir():
        if input_format is not None and input_format != "txt":
            raise ConfigError(f"{path} is a folder: only a folder of .txt files can be read")
        entries = _folder_entries(Path(path))
        records = _unique(_read_folder(Path(path), entries, limits, follow_symlinks))
        return InputSource(path, "folder", "whole", len(entries) if count else None, records)

    lines: Iterator[bytes]
    if path == "-":
        stream = stdin if stdin is not None else sys.stdin.buffer
        lines = _utf8_lines(stream, limits.max_record_bytes)
        guessed = None
    else:
        handle = _open_file(path)
        lines = _closing(handle, path, limits.max_record_bytes)
        guessed = _EXTENSIONS.get(_suffix(path))
    fmt = input_format or guessed
    if fmt is None:
        fmt, lines = _sniff(lines)
    name = "stdin" if path == "-" else Path(path).name
    if fmt in ("csv", "tsv"):
        records = _read_csv(
            lines,
            delimiter="," if fmt == "csv" else "\t",
            fields=fields,
            name=path,
            limit=limits.max_record_bytes,
        )
    elif fmt == "jsonl":
        records = _read_jsonl(lines, fields, limits)
    elif txt_mode == "line":
        records = _read_txt_lines(lines)
    elif txt_mode == "paragraph":
        records = _read_paragraphs(lines, limits.max_record_bytes)
    else:
        records = _read_whole(lines, name, limits.max_record_bytes)
    total = None
    if count and path != "-":
        total = _count(path, fmt, txt_mode, limits.max_record_bytes)
    return InputSource(path, fmt, txt_mode, total, _unique(records))


@dataclass(frozen=True)
class _Fields:
    text: str
    id: str
    title: str = "title"
    lang: str = "lang"


def _is_gzip(path: str) -> bool:
    return path.lower().endswith(".gz")


def _suffix(path: str) -> str:
    """The format extension: ``.jsonl`` for both ``a.jsonl`` and ``a.jsonl.gz``."""
    name = Path(path[:-3] if _is_gzip(path) else path)
    return name.suffix.lower()


def _open_binary(path: str) -> IO[bytes] | gzip.GzipFile:
    """The file's (decompressed) bytes; the caller closes it."""
    return gzip.open(path, "rb") if _is_gzip(path) else open(path, "rb")


def _open_file(path: str) -> IO[bytes] | gzip.GzipFile:
    """Open for reading (closed by :func:`_closing`); a file that is not gzip fails here."""
    try:
        handle = _open_binary(path)
        if isinstance(handle, gzip.GzipFile):
            try:
                handle.peek(1)  # "not a gzipped file" now, as a usage error, not mid-run
            except BaseException:
                handle.close()
                raise
        return handle
    except (OSError, EOFError, zlib.error) as exc:
        message = getattr(exc, "strerror", None) or str(exc) or type(exc).__name__
        raise ConfigError(f"cannot read {path}: {message}") from exc


# Checked in this order: the UTF-32 LE mark starts with the UTF-16 LE one.
_WIDE_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32"),
    (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


class _Oversized(bytes):
    """Stands for a line over the record-size limit: its first bytes (enough to sniff a format)
    and its full ``size``; the rest was read in chunks and dropped."""

    size: int
    limit: int

    def __new__(cls, head: bytes, size: int, limit: int) -> _Oversized:
        self = super().__new__(cls, head[:64])
        self.size = size
        self.limit = limit
        return self

    def error(self, what: str = "line") -> LimitExceededError:
        return _too_long(self.size, self.limit, what)


_SKIP_CHUNK = 2**20


def _bounded(readline: Any, limit: int, encode: bool = False) -> Iterator[bytes]:
    """Lines from ``readline(size)``, none longer than ``limit`` (+ its newline): a longer one is
    read on in chunks up to its end and yielded as one :class:`_Oversized`."""
    while True:
        line = readline(limit + 1)
        if encode:
            line = line.encode("utf-8", "surrogateescape")
        if not line:
            return
        if len(line) <= limit or line.endswith(b"\n"):
            yield line
            continue
        head, size = line, len(line)
        while not line.endswith(b"\n"):
            line = readline(_SKIP_CHUNK)
            if encode:
                line = line.encode("utf-8", "surrogateescape")
            if not line:
                break
            size += len(line)
        yield _Oversized(head, size, limit)


def _utf16_without_bom(head: bytes) -> str | None:
    """``utf-16-le``/``-be`` when the first bytes look like UTF-16 text without a byte-order mark
    (a NUL in every other byte, as ASCII-range text has there), else ``None``."""
    pairs = len(head) // 2
    if pairs < 2:
        return None
    even = sum(1 for i in range(0, 2 * pairs, 2) if head[i] == 0)
    odd = sum(1 for i in range(1, 2 * pairs, 2) if head[i] == 0)
    if odd >= pairs * 0.5 and even == 0:
        return "utf-16-le"
    if even >= pairs * 0.5 and odd == 0:
        return "utf-16-be"
    return None


def _utf8_lines(
    handle: IO[bytes] | gzip.GzipFile,
    limit: int = DEFAULT_LIMITS.max_record_bytes,
    *,
    warn: bool = True,
) -> Iterator[bytes]:
    """The handle's lines as UTF-8 bytes, each bounded by ``limit`` (see :func:`_bounded`).

    A file that starts with a UTF-16 or UTF-32 byte-order mark (a spreadsheet's "Unicode text"
    export), or that is UTF-16 without one, is decoded and re-encoded line by line.
    """
    peek = getattr(handle, "peek", None)
    head = peek(64)[:64] if peek is not None else b""
    encoding = next((enc for bom, enc in _WIDE_BOMS if head.startswith(bom)), None)
    if encoding is None:
        encoding = _utf16_without_bom(head)
        if encoding is not None and warn:
            log.warning(
                "the input has no byte-order mark but looks like %s: read as such", encoding
            )
    if encoding is not None:
        text = io.TextIOWrapper(handle, encoding=encoding, errors="replace", newline="")
        # A character is at most 4 UTF-8 bytes: a line of limit // 4 characters may fit.
        return _bounded(text.readline, limit, encode=True)
    return _bounded(handle.readline, limit)


def _closing(
    handle: IO[bytes] | gzip.GzipFile, path: str = "", limit: int = DEFAULT_LIMITS.max_record_bytes
) -> Iterator[bytes]:
    """The handle's lines; closes it at the end, and names the line after which reading broke."""
    number = 0
    with handle:
        try:
            for number, line in enumerate(_utf8_lines(handle, limit), 1):  # noqa: B007 - below
                yield line
        except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
            raise InputReadError(
                f"cannot read {path} after line {number}: {exc or type(exc).__name__} "
                "(corrupt or truncated compressed file); the records up to that line were "
                "read. Fix or re-download the file, then run again with --resume"
            ) from exc


def _sniff(lines: Iterator[bytes]) -> tuple[str, Iterator[bytes]]:
    """Guess JSONL or text from the first non-blank line, and give back every line read."""
    seen: list[bytes] = []
    fmt = "txt"
    for line in lines:
        seen.append(line)
        stripped = line.removeprefix(_BOM).strip() if len(seen) == 1 else line.strip()
        if stripped:
            fmt = "jsonl" if stripped.startswith(b"{") else "txt"
            break
    return fmt, itertools.chain(seen, lines)


def _numbered(lines: Iterable[bytes]) -> Iterator[tuple[int, bytes]]:
    """Lines without their line ending, numbered from 1; a BOM at file start is dropped."""
    for number, raw in enumerate(lines, 1):
        if isinstance(raw, _Oversized):
            yield number, raw
            continue
        if number == 1:
            raw = raw.removeprefix(_BOM)
        if raw.endswith(b"\n"):
            raw = raw[:-1]
        if raw.endswith(b"\r"):
            raw = raw[:-1]
        yield number, raw


def _too_long(size: int, limit: int, what: str = "record") -> LimitExceededError:
    return LimitExceededError(
        f"{what} is {size:,} bytes, over the limit of {limit:,} bytes (max_record_bytes); it "
        "was skipped without being read into memory. Raise the limit with --max-record-bytes "
        "(ReadLimits(max_record_bytes=...) in Python) to process it"
    )


def _decode(raw: bytes) -> str:
    """One line as text; a BOM or invalid UTF-8 in mid-file is an error of that record only."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(
            f"line is not valid UTF-8 (byte {exc.start}: {raw[exc.start : exc.start + 4]!r})"
        ) from None
    if text.startswith("\ufeff"):
        raise InputError(
            "line starts with a byte-order mark (U+FEFF), as when files with BOMs are "
            "concatenated; remove it to process this record"
        )
    return text


def _to_article(item: Mapping[str, Any], number: int, fields: _Fields) -> Article:
    return to_article(
        item,
        number,
        text_field=fields.text,
        id_field=fields.id,
        title_field=fields.title,
        lang_field=fields.lang,
    )


_JSON_STRINGS = re.compile(r'"(?:[^"\\]|\\.)*"')
_JSON_BRACKETS = re.compile(r"[\[\]{}]")


def _json_depth(text: str) -> int:
    """The deepest nesting of arrays and objects in a JSON text (strings ignored)."""
    depth = deepest = 0
    for bracket in _JSON_BRACKETS.findall(_JSON_STRINGS.sub("", text)):
        depth += 1 if bracket in "[{" else -1
        deepest = max(deepest, depth)
    return deepest


def _parse_json(text: str, limits: ReadLimits) -> Any:
    """``json.loads`` within ``limits``: nesting and integer size are errors of this record,
    never a ``RecursionError`` or a huge integer conversion."""
    if text.count("[") + text.count("{") > limits.max_json_depth:
        depth = _json_depth(text)
        if depth > limits.max_json_depth:
            raise LimitExceededError(
                f"JSON nested {depth} levels deep, over the limit of {limits.max_json_depth} "
                "(max_json_depth); raise it with --max-json-depth"
            )
    digits = limits.max_number_digits

    def parse_int(literal: str) -> int:
        if len(literal.lstrip("-")) > digits:
            raise LimitExceededError(
                f"JSON integer of {len(literal.lstrip('-')):,} digits, over the limit of "
                f"{digits} (max_number_digits); raise it with --max-number-digits"
            )
        return int(literal)

    try:
        return json.loads(text, parse_int=parse_int)
    except json.JSONDecodeError as exc:
        raise InputError(f"malformed JSON: {exc.msg} (column {exc.colno})") from None
    except RecursionError:
        raise LimitExceededError(
            "JSON nested deeper than Python can parse; lower the nesting of this record"
        ) from None


def _lone_surrogate(value: str) -> int | None:
    """The position of the first lone surrogate (from a JSON escape such as ``\\ud800``)."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        return exc.start
    return None


def _check_json_item(item: dict[str, Any], fields: _Fields) -> None:
    """Text fields must be valid Unicode: a lone surrogate cannot be written out again."""
    for key in (fields.text, fields.title, fields.lang, fields.id):
        value = item.get(key)
        if isinstance(value, str):
            at = _lone_surrogate(value)
            if at is not None:
                raise InputError(
                    f"field {key!r} holds invalid Unicode: a lone surrogate "
                    f"(U+{ord(value[at]):04X}, from a JSON escape such as \\ud800) at character "
                    f"{at}; fix the producer of this record"
                )


def _json_id(item: dict[str, Any], fields: _Fields, default: str) -> str:
    """The record's id: a string or an integer (not a boolean); anything else is an error."""
    raw_id = item.get(fields.id)
    if raw_id is None:
        return default
    if isinstance(raw_id, str) or (isinstance(raw_id, int) and not isinstance(raw_id, bool)):
        return str(raw_id)
    raise InputError(
        f"field {fields.id!r} must be a string or an integer, got {type(raw_id).__name__} "
        f"({json.dumps(raw_id, ensure_ascii=False)[:40]})"
    )


def _read_jsonl(
    lines: Iterable[bytes], fields: _Fields, limits: ReadLimits = DEFAULT_LIMITS
) -> Iterator[Record]:
    for number, raw in _numbered(lines):
        default_id = str(number)
        if isinstance(raw, _Oversized):
            yield _fail(default_id, number, raw.error())
            continue
        if not raw.strip():
            continue
        try:
            text = _decode(raw)
            item = _parse_json(text, limits)
            if not isinstance(item, dict):
                raise InputError(
                    f'a JSONL line must be an object such as {{"id": ..., "{fields.text}": '
                    f"...}}, got {type(item).__name__}"
                )
            record_id = _json_id(item, fields, default_id)
            if _lone_surrogate(record_id) is not None:
                _check_json_item(item, fields)  # raises, naming the id field
        except InputError as exc:
            yield _fail(default_id, number, exc)
            continue
        try:
            _check_json_item(item, fields)
            article = _to_article(item, number, fields)
        except InputError as exc:
            yield _fail(record_id, number, exc)
            continue
        yield Record(record_id, number, article=article)


def _read_txt_lines(lines: Iterable[bytes]) -> Iterator[Record]:
    """One article per non-blank line; its id is its line number."""
    for number, raw in _numbered(lines):
        if isinstance(raw, _Oversized):
            yield _fail(str(number), number, raw.error())
            continue
        if not raw.strip():
            continue
        try:
            text = _decode(raw)
        except InputError as exc:
            yield _fail(str(number), number, exc)
            continue
        yield Record(str(number), number, article=Article(id=str(number), text=text))


def _read_paragraphs(
    lines: Iterable[bytes], limit: int = DEFAULT_LIMITS.max_record_bytes
) -> Iterator[Record]:
    """One article per block of non-blank lines; its id is the block's first line number.

    A block over ``limit`` bytes stops being collected (its size is still counted)."""
    block: list[bytes] = []
    start = size = 0
    for number, raw in itertools.chain(_numbered(lines), [(0, b"")]):
        if isinstance(raw, _Oversized) or raw.strip():
            if not block and not size:
                start = number
            size += raw.size if isinstance(raw, _Oversized) else len(raw) + 1
            if size <= limit:
                block.append(raw)
            continue
        if not block and not size:
            continue
        if size > limit:
            yield _fail(str(start), start, _too_long(size, limit, "paragraph"))
        else:
            try:
                text = "\n".join(_decode(part) for part in block)
            except InputError as exc:
                yield _fail(str(start), start, exc)
            else:
                yield Record(str(start), start, article=Article(id=str(start), text=text))
        block = []
        size = 0


def _read_whole(
    lines: Iterable[bytes], name: str, limit: int = DEFAULT_LIMITS.max_record_bytes
) -> Iterator[Record]:
    """The whole input is one article, named after the file (``stdin`` for standard input)."""
    parts: list[bytes] = []
    size = 0
    for raw in lines:
        size += raw.size if isinstance(raw, _Oversized) else len(raw)
        if size <= limit:
            parts.append(raw)
    if size > limit:
        yield _fail(name, None, _too_long(size, limit, "file"))
        return
    data = b"".join(parts).removeprefix(_BOM)
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        yield _fail(name, None, InputError(f"not valid UTF-8 (byte {exc.start})"))
        return
    yield Record(name, None, article=Article(id=name, text=text))


def _folder_entries(folder: Path) -> list[Path]:
    """The folder's entries named ``*.txt``, in name order; says how many others it leaves out."""
    try:
        names = sorted(os.listdir(folder))
    except OSError as exc:
        raise ConfigError(f"cannot list {folder}: {exc.strerror or exc}") from exc
    entries = [folder / name for name in names if Path(name).suffix == ".txt"]
    if len(names) > len(entries):
        log.info("%s: %d entries not named *.txt were left out", folder, len(names) - len(entries))
    return entries


def _folder_entry_problem(path: Path, root: Path, follow_symlinks: bool) -> str | None:
    """Why a folder entry is not read (a link out of the folder, broken link, not a regular
    file), or ``None``. Nothing here opens the entry, so a FIFO cannot hang the run."""
    try:
        if path.is_symlink():
            try:
                target = path.resolve(strict=True)
            except (OSError, RuntimeError):
                return f"{path.name} is a broken symbolic link (to {os.readlink(path)!r})"
            if not follow_symlinks and not target.is_relative_to(root):
                return (
                    f"{path.name} is a symbolic link out of the input folder (to {target}); "
                    "it was not read. Pass --follow-symlinks (follow_symlinks=True) to read it"
                )
        mode = path.stat().st_mode
    except OSError as exc:
        return f"cannot read {path}: {exc.strerror or exc}"
    if stat.S_ISDIR(mode):
        return f"{path.name} is a folder, not a file; it was not read"
    if not stat.S_ISREG(mode):
        kind = "a FIFO" if stat.S_ISFIFO(mode) else "a device or socket"
        return f"{path.name} is {kind}, not a regular file; it was not read"
    return None


def _read_folder(
    root: Path, files: Sequence[Path], limits: ReadLimits, follow_symlinks: bool
) -> Iterator[Record]:
    """One article per ``.txt`` file, in file-name order; its id is the file name."""
    resolved = root.resolve()
    limit = limits.max_record_bytes
    for path in files:
        problem = _folder_entry_problem(path, resolved, follow_symlinks)
        if problem is not None:
            log.warning("%s", problem)
            yield _fail(path.name, None, InputError(problem))
            continue
        try:
            with open(path, "rb") as handle:
                data = handle.read(limit + 1)
                size = max(len(data), os.fstat(handle.fileno()).st_size)
        except OSError as exc:
            yield _fail(path.name, None, InputError(f"cannot read {path}: {exc.strerror}"))
            continue
        if len(data) > limit:
            yield _fail(path.name, None, _too_long(size, limit, "file"))
            continue
        yield from _read_whole([data], path.name, limit)


#: Stands for a line over the record-size limit in the CSV reader's input (a row of its own).
_CSV_OVERSIZED = "\x00ringkas:oversized\x00"


def _csv_text_lines(lines: Iterable[bytes], oversized: dict[int, _Oversized]) -> Iterator[str]:
    # surrogateescape keeps going past invalid UTF-8; the bad row is reported on its own below.
    for number, line in _numbered_keep_endings(lines):
        if isinstance(line, _Oversized):
            oversized[number] = line
            yield f'"{_CSV_OVERSIZED}{number}"\n'
            continue
        yield line.decode("utf-8", "surrogateescape")


def _read_csv(
    lines: Iterable[bytes],
    *,
    delimiter: str,
    fields: _Fields,
    name: str,
    limit: int = DEFAULT_LIMITS.max_record_bytes,
) -> Iterator[Record]:
    """Rows of a CSV/TSV with a header; the header is checked at once (before the first row).

    The reader is strict: a quote left open to the end of the file is an error record naming
    the line it opened on, never a thousand rows merged into one field.
    """
    oversized: dict[int, _Oversized] = {}
    text_lines = _csv_text_lines(lines, oversized)
    first = next(text_lines, "")
    # csv's default field limit (128 KiB) would turn a long article into a record error; a field
    # cannot be larger than a record. The limit is process-wide, so it is set before each use.
    csv.field_size_limit(limit)
    reader = csv.reader(
        itertools.chain([first], text_lines),
        delimiter=_csv_delimiter(first, delimiter),
        strict=True,
    )
    try:
        header = next(reader)
    except StopIteration:
        header = []
    except csv.Error as exc:
        raise ConfigError(f"{name}: cannot read the header: {exc}") from exc
    if fields.text not in header:
        raise ConfigError(
            f"{name} has no {fields.text!r} column (columns: {', '.join(header) or 'none'}); "
            "use --text-field to name the column that holds the text"
        )
    return _csv_rows(reader, header, fields, oversized, limit)


def _csv_delimiter(header_line: str, delimiter: str) -> str:
    """``;`` for a ``.csv`` whose header has more semicolons than commas, else ``delimiter``.

    Spreadsheets in locales whose decimal mark is a comma (Indonesian among them) save "CSV"
    with semicolons.
    """
    if delimiter == "," and header_line.count(";") > header_line.count(","):
        return ";"
    return delimiter


def _numbered_keep_endings(lines: Iterable[bytes]) -> Iterator[tuple[int, bytes]]:
    for number, raw in enumerate(lines, 1):
        yield number, raw.removeprefix(_BOM) if number == 1 else raw


def _csv_error(exc: csv.Error, start: int, end: int, limit: int) -> InputError:
    message = str(exc)
    if "unexpected end of data" in message:
        return InputError(
            f"malformed CSV: the quoted field opened on line {start} is never closed (lines "
            f"{start}-{end} would have been merged into one field); fix the quote"
        )
    if "field larger than field limit" in message:
        return _too_long(limit + 1, limit, f"a CSV field starting on line {start}")
    return InputError(f"malformed CSV row (line {start}): {message}")


def _csv_rows(
    reader: Any,
    header: list[str],
    fields: _Fields,
    oversized: dict[int, _Oversized] | None = None,
    limit: int = DEFAULT_LIMITS.max_record_bytes,
) -> Iterator[Record]:
    oversized = {} if oversized is None else oversized
    row_number = 0
    previous_end = reader.line_num
    while True:
        start = previous_end + 1
        try:
            csv.field_size_limit(limit)
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            row_number += 1
            previous_end = reader.line_num
            yield _fail(str(row_number), start, _csv_error(exc, start, previous_end, limit))
            if "field larger than field limit" in str(exc):
                # Cut off inside a quoted field, the reader cannot tell where the next row
                # starts: its "rows" would be pieces of this field. Stop, loudly.
                raise InputReadError(
                    f"cannot read past line {previous_end}: the CSV field starting on line "
                    f"{start} is over --max-record-bytes ({limit:,} bytes), and the rows after "
                    "it cannot be told apart from its text; raise the limit and run again "
                    "with --resume"
                ) from exc
            continue
        previous_end = reader.line_num
        if not row or not any(cell.strip() for cell in row):
            continue
        row_number += 1
        default_id = str(row_number)
        if len(row) == 1 and row[0].startswith(_CSV_OVERSIZED):
            line = oversized.pop(int(row[0].removeprefix(_CSV_OVERSIZED)))
            yield _fail(default_id, start, line.error("CSV line"))
            continue
        item = dict(zip(header, row, strict=False))
        raw_id = item.get(fields.id) or None
        record_id = default_id if raw_id is None else raw_id
        try:
            if len(row) != len(header):
                raise InputError(f"row has {len(row)} fields but the header has {len(header)}")
            if any(_has_surrogates(cell) for cell in row):
                raise InputError("row is not valid UTF-8")
            if row[0].startswith("\ufeff"):
                raise InputError(
                    "row starts with a byte-order mark (U+FEFF), as when files with BOMs are "
                    "concatenated; remove it to process this record"
                )
            # CSV cannot say "null": an empty id, title or lang means none.
            for key in (fields.id, fields.title, fields.lang):
                if key in item and not item[key]:
                    del item[key]
            article = _to_article(item, row_number, fields)
        except InputError as exc:
            yield _fail(record_id, start, exc)
            continue
        yield Record(record_id, start, article=article)


def _has_surrogates(text: str) -> bool:
    return any("\udc80" <= ch <= "\udcff" for ch in text)


def _unique(records: Iterable[Record]) -> Iterator[Record]:
    """Later records that repeat an id become :class:`DuplicateIdError` records."""
    seen: dict[str, int | None] = {}
    for record in records:
        if record.id in seen:
            first = seen[record.id]
            where = f" (line {first})" if first is not None else ""
            yield _fail(
                record.id,
                record.line,
                DuplicateIdError(
                    f"id {record.id!r} was already used by an earlier record{where}; "
                    "this record was not processed"
                ),
            )
            continue
        seen[record.id] = record.line
        yield record


def _count(
    path: str, fmt: str, txt_mode: str, limit: int = DEFAULT_LIMITS.max_record_bytes
) -> int | None:
    """How many records a file holds, by a cheap pass that parses as little as possible.

    ``None`` when the file cannot be counted (the run then reports what it cannot read).
    """
    try:
        with _open_binary(path) as handle:
            lines = _utf8_lines(handle, limit, warn=False)
            if fmt in ("csv", "tsv"):
                text = (line.decode("utf-8", "replace") for line in lines)
                first = next(text, "").removeprefix("\ufeff")
                csv.field_size_limit(limit)
                delimiter = _csv_delimiter(first, "," if fmt == "csv" else "\t")
                rows = csv.reader(itertools.chain([first], text), delimiter=delimiter)
                try:
                    return sum(1 for row in rows if any(c.strip() for c in row)) - 1
                except csv.Error:
                    return None
            if fmt == "txt" and txt_mode == "whole":
                return 1
            if fmt == "txt" and txt_mode == "paragraph":
                blocks, inside = 0, False
                for line in lines:
                    blank = not line.strip()
                    blocks += not blank and not inside
                    inside = not blank
                return blocks
            return sum(1 for line in lines if line.strip())
    except (OSError, EOFError, zlib.error):
        return None
