"""Batch output for the CLI: writers that append whole batches, and resuming a cut-off run.

Writers append whole batches and flush them (``os.fsync`` for files), so a run killed at any
moment leaves at most one partial last line, which :func:`scan_resume` cuts off before a
``--resume`` run carries on. The formats are described in ``docs/cli.md``.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from ringkas.errors import ConfigError

__all__ = [
    "OUTPUT_FORMATS",
    "ResumeState",
    "Writer",
    "escape_line",
    "open_writer",
    "output_format_for",
    "scan_resume",
]

OUTPUT_FORMATS = ("jsonl", "csv", "tsv", "text")
_OUTPUT_EXTENSIONS = {".csv": "csv", ".tsv": "tsv", ".tab": "tsv", ".txt": "text"}


# --------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------


def output_format_for(path: str | None) -> str:
    """The output format a file name implies: ``.csv``, ``.tsv``, ``.txt``, else JSONL."""
    if path is None or path == "-":
        return "jsonl"
    return _OUTPUT_EXTENSIONS.get(Path(path).suffix.lower(), "jsonl")


_LINE_BREAKS = str.maketrans(dict.fromkeys("\n\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029", "\\n"))


def escape_line(text: str) -> str:
    """Text on one line: each line break becomes the two characters ``\\n`` (``\\r\\n`` too)."""
    return text.replace("\r\n", "\n").replace("\r", "\n").translate(_LINE_BREAKS)


class Writer:
    """Writes batches of output records; each batch is flushed (and fsynced for files).

    ``columns`` are the CSV/TSV columns; ``text_key`` is the field plain-text output writes (an
    error writes an empty line, so output lines match input records one to one).
    """

    def __init__(
        self,
        stream: IO[bytes],
        fmt: str,
        *,
        columns: Sequence[str] = (),
        text_key: str | None = None,
        header: bool = True,
        sync: bool = False,
        owns: bool = False,
        stdout: bool = False,
    ) -> None:
        if fmt not in OUTPUT_FORMATS:
            raise ConfigError(f"output format must be one of {OUTPUT_FORMATS}, got {fmt!r}")
        if fmt == "text" and text_key is None:
            raise ConfigError("plain-text output needs the name of the field to write")
        self.stream = stream
        self.format = fmt
        self.columns = list(columns)
        self.text_key = text_key
        self.sync = sync
        self.owns = owns
        #: True when the records go to the terminal's stdout (the CLI keeps its bar apart).
        self.stream_is_stdout = stdout
        self.written = 0
        self._pending_header = header and fmt in ("csv", "tsv")

    def write(self, records: Sequence[Mapping[str, Any]]) -> None:
        """Write and flush one batch as a single write, so a kill can cut at most its tail."""
        chunk = self._encode(records)
        if chunk:
            self.stream.write(chunk)
        self.stream.flush()
        if self.sync:
            os.fsync(self.stream.fileno())
        self.written += len(records)

    def close(self) -> None:
        if self._pending_header:
            self.write([])
        if self.owns:
            self.stream.close()
        else:
            self.stream.flush()

    def _encode(self, records: Sequence[Mapping[str, Any]]) -> bytes:
        if self.format == "jsonl":
            return b"".join(_jsonl_line(r) for r in records)
        if self.format == "text":
            key = self.text_key or ""
            return "".join(
                escape_line("" if r.get("error") else _cell(r.get(key))) + "\n" for r in records
            ).encode("utf-8", "replace")
        buffer = io.StringIO()
        writer = csv.writer(
            buffer, delimiter="," if self.format == "csv" else "\t", lineterminator="\n"
        )
        if self._pending_header:
            writer.writerow(self.columns)
            self._pending_header = False
        for r in records:
            writer.writerow([self._csv_value(r, column) for column in self.columns])
        # "replace": text that is not valid Unicode must never fail the write (and the window).
        return buffer.getvalue().encode("utf-8", "replace")

    @staticmethod
    def _csv_value(record: Mapping[str, Any], column: str) -> str:
        error = record.get("error")
        if column == "error":
            return f"{error['type']}: {error['message']}" if error else ""
        return _cell(record.get(column))


def _jsonl_line(record: Mapping[str, Any]) -> bytes:
    """One JSONL line; text that is not valid Unicode (a lone surrogate) is written escaped
    (``\\ud800``, still valid JSON) instead of failing the write."""
    line = json.dumps(record, ensure_ascii=False) + "\n"
    try:
        return line.encode("utf-8")
    except UnicodeEncodeError:
        return (json.dumps(record) + "\n").encode("ascii")


def _cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def open_writer(
    path: str | None,
    fmt: str,
    *,
    append: bool = False,
    columns: Sequence[str] = (),
    text_key: str | None = None,
    stdout: IO[bytes] | None = None,
) -> Writer:
    """A :class:`Writer` to ``path`` (``None`` or ``-``: stdout), appending when resuming."""
    if path is None or path == "-":
        stream = stdout if stdout is not None else sys.stdout.buffer
        return Writer(stream, fmt, columns=columns, text_key=text_key, stdout=stdout is None)
    try:
        handle = open(path, "ab" if append else "wb")  # noqa: SIM115 - the Writer closes it
    except OSError as exc:
        raise ConfigError(f"cannot write {path}: {exc.strerror or exc}") from exc
    return Writer(
        handle,
        fmt,
        columns=columns,
        text_key=text_key,
        header=not append,
        sync=os.path.isfile(path),
        owns=True,
    )


# --------------------------------------------------------------------------------------------
# Resuming
# --------------------------------------------------------------------------------------------


@dataclass
class ResumeState:
    """What an earlier run already wrote: how often each id occurs, and which were errors."""

    done: Counter[str] = field(default_factory=Counter)
    failed: Counter[str] = field(default_factory=Counter)
    #: Bytes of incomplete or unreadable lines at the end of the file (cut off unless dry).
    cut_bytes: int = 0
    #: Error lines left out to be retried (``drop_failed``; removed from the file unless dry).
    dropped: int = 0

    @property
    def lines(self) -> int:
        return sum(self.done.values())

    def take(self, record_id: str) -> bool | None:
        """Claim one earlier output line of ``record_id``: ``None`` if there is none left,
        else whether that line was an error."""
        if self.done[record_id] <= 0:
            return None
        self.done[record_id] -= 1
        if self.failed[record_id] > 0:
            self.failed[record_id] -= 1
            return True
        return False


def scan_resume(path: str, *, truncate: bool = True, drop_failed: bool = False) -> ResumeState:
    """Read an earlier JSONL output and cut off an incomplete tail, so the run can continue.

    A run killed mid-write leaves a last line without its newline (or, after a crash, junk):
    those trailing bytes are cut (``truncate=False`` only measures them) and their records are
    redone. A bad line *followed* by good ones means the file is not a ringkas output, or was
    edited: :class:`ConfigError`, nothing is changed.

    ``drop_failed`` leaves the error lines out, so their records are processed again: the file
    is rewritten without them (atomically, by a replace) unless ``truncate`` is false.
    """
    state = ResumeState()
    if not os.path.exists(path):
        return state
    good_end = 0
    bad_line: int | None = None
    error_lines: set[int] = set()
    try:
        with open(path, "rb") as handle:
            offset = 0
            for number, raw in enumerate(handle, 1):
                offset += len(raw)
                record = _parse_output_line(raw)
                if record is None:
                    if bad_line is None:
                        bad_line = number
                    continue
                if bad_line is not None:
                    raise ConfigError(
                        f"cannot resume: {path} line {bad_line} is not a complete JSON record "
                        "but later lines are; the file is not a ringkas output or was edited"
                    )
                good_end = offset
                record_id = str(record["id"])
                if record.get("error") and drop_failed:
                    error_lines.add(number)
                    continue
                state.done[record_id] += 1
                if record.get("error"):
                    state.failed[record_id] += 1
            size = offset
        state.cut_bytes = size - good_end
        state.dropped = len(error_lines)
        if truncate and error_lines:
            _rewrite_without(path, error_lines, good_end)
        elif truncate and state.cut_bytes:
            with open(path, "r+b") as handle:
                handle.truncate(good_end)
                handle.flush()
                os.fsync(handle.fileno())
    except OSError as exc:
        raise ConfigError(f"cannot resume from {path}: {exc.strerror or exc}") from exc
    return state


def _rewrite_without(path: str, drop: set[int], end: int) -> None:
    """Copy the first ``end`` bytes of ``path`` minus the lines numbered in ``drop`` (from 1),
    then replace the file.

    The copy is fsynced before ``os.replace``, so a crash leaves the old file or the new one,
    never a mix.
    """
    temporary = f"{path}.ringkas-retry.tmp"
    with open(path, "rb") as source, open(temporary, "wb") as target:
        offset = 0
        for number, raw in enumerate(source, 1):
            offset += len(raw)
            if offset > end:
                break
            if number not in drop:
                target.write(raw)
        target.flush()
        os.fsync(target.fileno())
    os.replace(temporary, path)


def _parse_output_line(raw: bytes) -> dict[str, Any] | None:
    """The record on one output line, or ``None`` if the line is incomplete or not a record."""
    if not raw.endswith(b"\n"):
        return None
    try:
        record = json.loads(raw.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    if not isinstance(record, dict) or "id" not in record:
        return None
    return record
