"""Run the batch job on a Ray cluster with Ray Data, every input record exactly once.

Two layers:

* :func:`process_dataset` takes a ``ray.data.Dataset`` of article rows and returns a Dataset of
  result rows. It is ``map_batches`` with a callable class, :class:`RingkasWorker`: each actor
  builds one :class:`~ringkas.pipeline.Ringkas` and loads its models once, then runs every batch
  it gets exactly as the single-machine pipeline does (token-budget batching, record-level
  errors). A result row holds the line the single-machine ``ringkas process`` writes, as JSON.
* :func:`run_cli` is ``ringkas process INPUT -o DIR --ray``: it splits the input into
  deterministic shards (input file × row range), runs the pending ones through
  :func:`process_dataset`, and commits each shard when all its rows are back: the shard file is
  written under a temporary name, renamed, then recorded in ``DIR/manifest.json``. A rerun with
  ``--resume`` redoes only the shards the manifest does not list. The driver keeps one result
  per (shard, row), so a batch that Ray redoes after an actor died cannot duplicate a record.

Ray and pyarrow are imported inside the functions that need them (``pip install
"ringkas[ray]"``): ``import ringkas`` stays free of them. See ``docs/distributed.md``.
"""

from __future__ import annotations

import dataclasses
import inspect
import io
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ringkas import cli_batch, cli_common
from ringkas.config import EngineOptions
from ringkas.errors import ConfigError, InputError, InputReadError, missing_dependency

if TYPE_CHECKING:
    import argparse

    import pyarrow as pa
    import pyarrow.fs as pafs
    import ray.data

    from ringkas.io import Record

__all__ = [
    "RESULT_COLUMNS",
    "Fields",
    "RingkasWorker",
    "iter_results",
    "process_dataset",
    "run_cli",
]

#: Columns of a result row: the record's id (null when the row had none), the error type (null
#: when it succeeded) and the JSON line the single-machine ``ringkas process`` writes for it.
RESULT_COLUMNS = ("id", "error", "result")

# Reserved input columns (the CLI's shard reader sets them; other callers need not).
_LINE = "_ringkas_line"  # input line number, for error records
_ERROR = "_ringkas_error"  # the record could not be read: this is its output line already
_SHARD = "_ringkas_shard"
_POS = "_ringkas_pos"

MANIFEST = "manifest.json"
#: Ringkas options that change speed, not results: a --resume may use other values (and the
#: engine's ``num_threads``).
_SPEED_OPTIONS = frozenset({"window", "batching"})
_MANIFEST_KIND = "ringkas-ray-manifest"
_FORMATS = {
    ".jsonl": "jsonl",
    ".ndjson": "jsonl",
    ".csv": "csv",
    ".tsv": "tsv",
    ".tab": "tsv",
    ".txt": "txt",
    ".parquet": "parquet",
    ".pq": "parquet",
}


def _ray() -> Any:
    """Ray, or the error that names the extra (imported here: Ray takes seconds to import)."""
    try:
        import pyarrow  # noqa: F401 - Ray Data needs it; say so now rather than mid-run
        import ray
        import ray.data
    except ImportError as exc:
        raise missing_dependency("ray[data]", "ray", "running on Ray") from exc
    return ray


@dataclass(frozen=True)
class Fields:
    """Which input columns hold the id, text, title and language (the CLI's ``--*-field``)."""

    id: str = "id"
    text: str = "text"
    title: str = "title"
    lang: str = "lang"


# --------------------------------------------------------------------------------------------
# The worker: one Ringkas per actor
# --------------------------------------------------------------------------------------------


class RingkasWorker:
    """The callable class behind :func:`process_dataset`: one per actor, models loaded once.

    ``options`` are ``Ringkas(...)`` keyword arguments; ``keep`` names input columns copied to
    the output unchanged (the CLI keeps its shard and row numbers this way).
    """

    def __init__(
        self,
        options: Mapping[str, Any],
        fields: Fields = Fields(),  # frozen: sharing the default is safe
        source_lang: str | None = None,
        keep: Sequence[str] = (),
        preload: bool = True,
    ) -> None:
        from ringkas.pipeline import Ringkas

        self.ringkas = Ringkas(**options)
        self.fields = fields
        self.source_lang = source_lang
        self.keep = tuple(keep)
        if preload:  # a missing model fails the actor at start, not every record
            self.ringkas.load_models(languages=(source_lang or "id",))

    def __call__(self, batch: pa.Table) -> pa.Table:
        import pyarrow as pa

        ids, errors, results = self.process_rows(batch.to_pylist())
        columns: dict[str, Any] = {
            "id": pa.array(ids, pa.string()),
            "error": pa.array(errors, pa.string()),
            "result": pa.array(results, pa.string()),
        }
        for name in self.keep:
            columns[name] = batch.column(name)
        return pa.table(columns)

    def process_rows(
        self, rows: Sequence[Mapping[str, Any]]
    ) -> tuple[list[str | None], list[str | None], list[str]]:
        """Ids, error types and output lines (JSON) of ``rows``, one each, in order."""
        from ringkas.io import error_record, result_record
        from ringkas.pipeline import to_article
        from ringkas.types import ErrorInfo

        out: list[dict[str, Any] | None] = [None] * len(rows)
        articles, slots = [], []
        for i, row in enumerate(rows):
            if row.get(_ERROR) is not None:
                out[i] = json.loads(row[_ERROR])
                continue
            # Arrow has no "missing": a null is a field the record did not have.
            item = {k: v for k, v in row.items() if v is not None and not k.startswith("_ringkas")}
            raw_id = item.get(self.fields.id)
            try:
                if raw_id is None:
                    raise InputError(
                        f"row has no {self.fields.id!r} field: on Ray every row needs an id to "
                        "match its result (the CLI uses the line number when there is none)"
                    )
                article = to_article(
                    item,
                    i,
                    text_field=self.fields.text,
                    id_field=self.fields.id,
                    title_field=self.fields.title,
                    lang_field=self.fields.lang,
                )
            except InputError as exc:
                error = ErrorInfo(type(exc).__name__, str(exc))
                record = error_record(str(raw_id), error, row.get(_LINE))
                if raw_id is None:
                    record["id"] = None  # nothing to match it by, and the caller sees that
                out[i] = record
                continue
            if self.source_lang and not article.lang:
                article = dataclasses.replace(article, lang=self.source_lang)
            articles.append(article)
            slots.append(i)
        results = self.ringkas.process(articles) if articles else []
        for i, article, result in zip(slots, articles, results, strict=True):
            if result.error is not None:
                out[i] = error_record(article.id, result.error, rows[i].get(_LINE))
            else:
                out[i] = result_record(result)
        ids: list[str | None] = []
        errors: list[str | None] = []
        lines: list[str] = []
        for filled in out:
            assert filled is not None  # every slot was filled above
            ids.append(filled.get("id"))
            errors.append(filled["error"]["type"] if filled.get("error") else None)
            lines.append(json.dumps(filled, ensure_ascii=False))
        return ids, errors, lines


def process_dataset(
    dataset: ray.data.Dataset,
    *,
    options: Mapping[str, Any] | None = None,
    id_field: str = "id",
    text_field: str = "text",
    title_field: str = "title",
    lang_field: str = "lang",
    source_lang: str | None = None,
    concurrency: int = 1,
    num_cpus: float = 1.0,
    num_gpus: float = 0.0,
    batch_size: int = 32,
    keep: Sequence[str] = (),
) -> ray.data.Dataset:
    """Clean, detect, summarise and translate the articles of a Ray Dataset, lazily.

    ``options`` are ``Ringkas(...)`` keyword arguments (``on_error`` must stay ``"record"``: one
    result row per input row). ``concurrency`` actors, each with ``num_cpus`` CPUs and
    ``num_gpus`` GPUs (``num_gpus=1``: one actor per GPU), get batches of ``batch_size``
    articles; Ray restarts an actor that dies and redoes its batch. Result rows have the
    columns :data:`RESULT_COLUMNS` (plus ``keep``); their order follows Ray Data's (set
    ``DataContext.execution_options.preserve_order`` to keep the input order).
    """
    data = _ray().data
    from ringkas.pipeline import Ringkas

    opts = dict(options or {})
    if opts.setdefault("on_error", "record") != "record":
        raise ConfigError(
            f"on_error must be 'record' on Ray (one result row per input row), got "
            f"{opts['on_error']!r}"
        )
    try:  # a misspelt option fails here, not in every actor
        inspect.signature(Ringkas).bind(**opts)
    except TypeError as exc:
        raise ConfigError(f"options are Ringkas(...) keyword arguments: {exc}") from None
    for name, value in (("concurrency", concurrency), ("batch_size", batch_size)):
        if not isinstance(value, int) or value < 1:
            raise ConfigError(f"{name} must be a positive integer, got {value!r}")
    if num_cpus < 0 or num_gpus < 0:
        raise ConfigError(f"num_cpus and num_gpus must be >= 0, got {num_cpus}, {num_gpus}")
    fields = Fields(id=id_field, text=text_field, title=title_field, lang=lang_field)
    remote: dict[str, Any] = {"num_cpus": num_cpus}
    if num_gpus:
        remote["num_gpus"] = num_gpus
    result: ray.data.Dataset = dataset.map_batches(
        RingkasWorker,
        fn_constructor_kwargs={
            "options": opts,
            "fields": fields,
            "source_lang": source_lang,
            "keep": tuple(keep),
        },
        compute=data.ActorPoolStrategy(size=concurrency),
        batch_size=batch_size,
        batch_format="pyarrow",
        **remote,
    )
    return result


def iter_results(dataset: ray.data.Dataset) -> Iterator[dict[str, Any]]:
    """The output records of a :func:`process_dataset` result: the dicts ``ringkas process``
    writes (``ArticleResult.to_dict()`` without ``error``, or ``{"id", "error"}``)."""
    for row in dataset.iter_rows():
        yield json.loads(row["result"])


# --------------------------------------------------------------------------------------------
# Input files and shards
# --------------------------------------------------------------------------------------------


def _filesystem(path: str) -> tuple[pafs.FileSystem, str]:
    """pyarrow's filesystem for a local path or a URI (s3://, gs://, hdfs://, file://)."""
    import pyarrow.fs as pafs

    if "://" in path:
        fs, where = pafs.FileSystem.from_uri(path)
        return fs, where
    return pafs.LocalFileSystem(), os.path.abspath(path)


def _format_of(path: str) -> str | None:
    name = path[:-3] if path.lower().endswith(".gz") else path
    return _FORMATS.get(os.path.splitext(name)[1].lower())


@dataclass(frozen=True)
class _Source:
    """Where and how to read the records (pickled into Ray tasks)."""

    uri: str  # the path as the filesystem names it, with the scheme for remote ones
    format: str
    fields: Fields
    txt_mode: str = "line"

    def records(self) -> Iterator[Record]:
        """The file's records, as the single-machine CLI reads them."""
        from ringkas.io import open_input

        fs, path = _filesystem(self.uri)
        if self.format == "parquet":
            yield from _parquet_records(fs, path, self.fields)
            return
        common = {
            "input_format": self.format,
            "txt_mode": self.txt_mode,
            "text_field": self.fields.text,
            "id_field": self.fields.id,
            "title_field": self.fields.title,
            "lang_field": self.fields.lang,
            "count": False,
        }
        if "://" not in self.uri:
            yield from open_input(path, **common)  # type: ignore[arg-type]
            return
        # pyarrow decompresses .gz itself (compression is detected from the extension).
        with fs.open_input_stream(path) as stream:
            yield from open_input("-", stdin=io.BufferedReader(stream), **common)  # type: ignore[arg-type]


def _parquet_records(fs: pafs.FileSystem, path: str, fields: Fields) -> Iterator[Record]:
    import pyarrow.parquet as pq

    from ringkas.errors import DuplicateIdError
    from ringkas.io import Record
    from ringkas.pipeline import to_article
    from ringkas.types import ErrorInfo

    seen: set[str] = set()
    number = 0
    with fs.open_input_file(path) as handle:
        for batch in pq.ParquetFile(handle).iter_batches():
            for row in batch.to_pylist():
                number += 1
                item = {k: v for k, v in row.items() if v is not None}
                raw_id = item.get(fields.id)
                record_id = str(number) if raw_id is None else str(raw_id)
                try:
                    if record_id in seen:
                        raise DuplicateIdError(
                            f"id {record_id!r} was already used by an earlier record; "
                            "this record was not processed"
                        )
                    seen.add(record_id)
                    article = to_article(
                        item,
                        number,
                        text_field=fields.text,
                        id_field=fields.id,
                        title_field=fields.title,
                        lang_field=fields.lang,
                    )
                except InputError as exc:
                    yield Record(record_id, None, error=ErrorInfo(type(exc).__name__, str(exc)))
                    continue
                yield Record(record_id, None, article=article)


def _list_inputs(path: str, input_format: str | None) -> list[str]:
    """The input files, sorted: ``path`` itself, or the readable files under a folder."""
    import pyarrow.fs as pafs

    from ringkas.cli_common import UsageError

    fs, root = _filesystem(path)
    info = fs.get_file_info(root)
    scheme = path.split("://", 1)[0] + "://" if "://" in path else ""
    if info.type == pafs.FileType.File:
        return [path]
    if info.type != pafs.FileType.Directory:
        raise UsageError(f"{path} does not exist")
    found = []
    for entry in fs.get_file_info(pafs.FileSelector(root, recursive=True)):
        name = os.path.basename(entry.path)
        if entry.type != pafs.FileType.File or name.startswith((".", "_")):
            continue
        if input_format is not None or _format_of(name) is not None:
            found.append(scheme + entry.path if scheme else entry.path)
    if not found:
        raise UsageError(f"{path} holds no .jsonl, .csv, .tsv, .txt or .parquet files")
    return sorted(found)


def _count(source: _Source) -> tuple[int, str | None]:
    """Records in one file (a Ray task), and why reading stopped early, if it did."""
    n = 0
    try:
        for _ in source.records():
            n += 1
    except InputReadError as exc:
        return n, str(exc)
    return n, None


@dataclass(frozen=True)
class _Shard:
    name: str
    file: int
    start: int
    stop: int

    @property
    def records(self) -> int:
        return self.stop - self.start


def _plan(counts: Sequence[int], shard_size: int, ext: str) -> list[_Shard]:
    shards = []
    for f, n in enumerate(counts):
        for k, start in enumerate(range(0, n, shard_size)):
            name = f"part-{f:05d}-{k:05d}.{ext}"
            shards.append(_Shard(name, f, start, min(start + shard_size, n)))
    return shards


def _read_shards(batch: pa.Table, sources: Sequence[_Source], shards: Sequence[_Shard]) -> pa.Table:
    """Rows of the shards named in ``batch`` (a Ray Data task): article fields plus the shard
    and row numbers, the input line, and the output line of records that could not be read."""
    import itertools

    import pyarrow as pa

    from ringkas.io import error_record

    columns: dict[str, list[Any]] = {
        k: [] for k in (_SHARD, _POS, _LINE, _ERROR, "id", "text", "title", "lang")
    }
    for index in batch.column("shard").to_pylist():
        shard = shards[index]
        records = sources[shard.file].records()
        for pos, record in enumerate(itertools.islice(records, shard.start, shard.stop)):
            article = record.article
            columns[_SHARD].append(index)
            columns[_POS].append(pos)
            columns[_LINE].append(record.line)
            error = None
            if article is None:
                assert record.error is not None  # a Record holds an article or an error
                error = json.dumps(error_record(record.id, record.error, record.line))
            columns[_ERROR].append(error)
            columns["id"].append(record.id)
            columns["text"].append(article.text if article else None)
            columns["title"].append(article.title if article else None)
            columns["lang"].append(article.lang if article else None)
    types = {_SHARD: pa.int64(), _POS: pa.int64(), _LINE: pa.int64()}
    return pa.table({k: pa.array(v, types.get(k, pa.string())) for k, v in columns.items()})


# --------------------------------------------------------------------------------------------
# The manifest and committing shards
# --------------------------------------------------------------------------------------------


class _Output:
    """The output folder: shard files and the manifest, written atomically."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.fs, self.root = _filesystem(path)

    def join(self, name: str) -> str:
        return f"{self.root.rstrip('/')}/{name}"

    def exists(self, name: str) -> bool:
        import pyarrow.fs as pafs

        return bool(self.fs.get_file_info(self.join(name)).type == pafs.FileType.File)

    def read_manifest(self) -> dict[str, Any] | None:
        if not self.exists(MANIFEST):
            return None
        with self.fs.open_input_stream(self.join(MANIFEST)) as stream:
            data: dict[str, Any] = json.loads(stream.read().decode("utf-8"))
        if data.get("kind") != _MANIFEST_KIND:
            raise ConfigError(f"{self.join(MANIFEST)} is not a ringkas manifest")
        return data

    def write(self, name: str, data: bytes) -> None:
        """Write under a temporary name, then rename: a reader never sees half a file."""
        self.fs.create_dir(self.root, recursive=True)
        tmp = self.join(f".{name}.tmp-{os.getpid()}")
        with self.fs.open_output_stream(tmp, compression=None) as stream:
            stream.write(data)
        self.fs.move(tmp, self.join(name))

    def remove(self, name: str) -> None:
        if self.exists(name):
            self.fs.delete_file(self.join(name))


def _shard_bytes(lines: Sequence[str], fmt: str) -> bytes:
    if fmt == "jsonl":
        return "".join(line + "\n" for line in lines).encode("utf-8")
    import pyarrow as pa
    import pyarrow.parquet as pq

    from ringkas.io import Writer

    rows = [json.loads(line) for line in lines]
    flat = ("id", "lang", "summary", "translation", "title_translation", "error")
    table = pa.table(
        {
            **{
                k: pa.array([Writer._csv_value(r, k) or None for r in rows], pa.string())
                for k in flat
            },
            "result": pa.array(lines, pa.string()),
        }
    )
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink)
    return bytes(sink.getvalue().to_pybytes())


@dataclass
class _Tally:
    read: int = 0
    ok: int = 0
    skipped: int = 0
    skipped_failed: int = 0
    errors: Counter[str] = dataclasses.field(default_factory=Counter)


def run_cli(args: argparse.Namespace) -> int:
    """``ringkas process INPUT -o DIR --ray``: shards, manifest, ``--resume``; the exit code."""
    cli_common._setup_logging(quiet=args.quiet)
    _check_cli_options(args)
    steps = tuple(s.strip() for s in args.steps.split(",") if s.strip())
    from ringkas.pipeline import STEPS

    if not steps or any(s not in STEPS for s in steps):
        raise cli_common.UsageError(
            f"--steps must be a comma-separated subset of {','.join(STEPS)}"
        )
    options = cli_batch._ringkas_options("process", args, steps, window=args.window)
    fields = Fields(
        id=args.id_field, text=args.text_field, title=args.title_field, lang=args.lang_field
    )
    settings = {
        # What shapes the output; how fast it is made (threads, batches) may change on --resume.
        "options": _result_options(options),
        "fields": dataclasses.asdict(fields),
        "source_lang": args.source_lang,
        "input_format": args.input_format,
        "txt_mode": args.txt_mode,
        "shard_size": args.shard_size,
        "shard_format": args.shard_format,
    }
    settings = json.loads(json.dumps(settings))  # as it reads back from the manifest
    out = _Output(args.output)
    try:
        manifest = out.read_manifest()
    except (ConfigError, ValueError) as exc:
        raise cli_common.UsageError(str(exc)) from exc
    if manifest is not None and not args.resume:
        if not args.overwrite:
            raise cli_common.UsageError(
                f"{args.output} already holds a run; use --resume to continue it or --overwrite "
                "to replace it"
            )
        for shard in manifest.get("shards", []):
            out.remove(shard["name"])
        out.remove(MANIFEST)
        manifest = None

    try:
        ray = _ray()
    except ImportError as exc:
        raise cli_common.UsageError(str(exc)) from exc
    started_here = not ray.is_initialized()
    if started_here:
        ray.init(address=args.ray_address, log_to_driver=not args.quiet)
    ray.data.DataContext.get_current().enable_progress_bars = not args.quiet
    began = time.perf_counter()
    try:
        return _run(args, out, manifest, settings, fields, options, began)
    except KeyboardInterrupt:
        cli_common._say("stopped; the committed shards are kept. Resume with:")
        print(f"  {cli_batch._resume_command(args.argv)}", file=sys.stderr, flush=True)
        return 130
    except ray.exceptions.RayError as exc:  # an actor that cannot start (a model that won't
        # load), a lost node...: one line, not Ray's pages of traceback
        why = _root_cause(exc)
        cli_common._say(f"error: the Ray job failed: {why}")
        cli_common._say("the committed shards are kept; fix the cause, then rerun with --resume")
        return cli_common.EXIT_FAILED
    finally:
        if started_here:
            ray.shutdown()


def _root_cause(exc: BaseException) -> str:
    """The innermost ``SomeError: message`` line of a Ray error chain (Ray wraps the worker's
    exception, with its traceback, in its own errors)."""
    import re

    texts: list[str] = []
    seen: BaseException | None = exc
    while seen is not None and len(texts) < 10:
        texts.append(f"{type(seen).__name__}: {seen}")
        seen = getattr(seen, "cause", None) or seen.__cause__
        seen = seen if isinstance(seen, BaseException) else None
    lines = [
        line.strip()
        for text in texts
        for line in text.splitlines()
        if re.match(r"^[\w.]+(Error|Exception): \S", line.strip())
    ]
    return lines[-1] if lines else texts[0].splitlines()[0]


def _result_options(options: dict[str, Any]) -> dict[str, Any]:
    """The options that shape the output, as the manifest records them (JSON)."""
    kept = {k: v for k, v in options.items() if k not in _SPEED_OPTIONS}
    engine = options.get("engine")
    if isinstance(engine, EngineOptions):
        kept["engine"] = dataclasses.asdict(dataclasses.replace(engine, num_threads=None))
    return kept


def _check_cli_options(args: argparse.Namespace) -> None:
    from ringkas.cli_common import UsageError

    if args.input in (None, "-"):
        raise UsageError("--ray reads files or folders, not stdin: give INPUT")
    if args.output in (None, "-"):
        raise UsageError("--ray writes a folder of shards: give -o DIR")
    for flag, value in (
        ("--dry-run", args.dry_run),
        ("--retry-failed", args.retry_failed),
        ("--output-format", args.output_format),
    ):
        if value:
            raise UsageError(f"{flag} does not go with --ray (see --shard-format)")
    if args.resume and args.overwrite:
        raise UsageError("--resume and --overwrite contradict each other: choose one")


def _run(
    args: argparse.Namespace,
    out: _Output,
    manifest: dict[str, Any] | None,
    settings: dict[str, Any],
    fields: Fields,
    options: dict[str, Any],
    began: float,
) -> int:
    import ray

    if manifest is None:
        files = _list_inputs(str(args.input), args.input_format)
    else:
        if manifest["settings"] != settings:
            raise cli_common.UsageError(
                f"{args.output} was made with other options; run with the same ones to resume, "
                "or use --overwrite to start again"
            )
        files = [f["path"] for f in manifest["files"]]
    sources = [
        _Source(path, args.input_format or _format_of(path) or "jsonl", fields, args.txt_mode)
        for path in files
    ]
    count = ray.remote(num_cpus=0)(_count)  # as light as the reads below
    counted = ray.get([count.remote(source) for source in sources])
    read_errors = [f"{path}: {why}" for path, (_, why) in zip(files, counted, strict=True) if why]
    counts = [n for n, _ in counted]
    ext = "jsonl" if args.shard_format == "jsonl" else "parquet"
    if manifest is None:
        # Actors share the work shard by shard: at least four shards per actor.
        size = min(args.shard_size, max(1, -(-sum(counts) // (4 * args.workers))))
        shards = _plan(counts, size, ext)
    else:
        shards = [_Shard(**shard) for shard in manifest["shards"]]
    if manifest is None:
        manifest = {
            "kind": _MANIFEST_KIND,
            "version": 1,
            "input": str(args.input),
            "settings": settings,
            "files": [{"path": p, "records": n} for p, n in zip(files, counts, strict=True)],
            "shards": [dataclasses.asdict(s) for s in shards],
            "committed": {},
        }
        out.write(MANIFEST, _manifest_bytes(manifest))
    elif [f["records"] for f in manifest["files"]] != counts:
        raise cli_common.UsageError(
            f"the input changed since {args.output} was started (record counts differ); "
            "use --overwrite to start again"
        )
    tally = _Tally(read=sum(counts))
    committed: dict[str, Any] = manifest["committed"]
    for name in list(committed):
        if not out.exists(name):  # removed by hand: redo it
            del committed[name]
    for done in committed.values():
        tally.skipped += done["records"]
        tally.skipped_failed += sum(done["errors"].values())
    pending = [i for i, s in enumerate(shards) if s.name not in committed]

    if pending:
        # One read task per shard, one block per shard: actors share the work shard by shard.
        items = [{"shard": index} for index in pending]
        dataset = ray.data.from_items(items, override_num_blocks=len(pending)).map_batches(
            _read_shards,  # type: ignore[arg-type]
            fn_kwargs={"sources": sources, "shards": shards},
            batch_size=1,
            batch_format="pyarrow",
            # Reading is light next to the models, and must never wait for a CPU that the
            # actors hold: with --workers equal to the cluster's CPUs it would wait forever.
            num_cpus=0,
        )
        results = process_dataset(
            dataset,
            options=options,
            source_lang=args.source_lang,
            concurrency=args.workers,
            num_cpus=args.cpus_per_worker,
            num_gpus=args.gpus_per_worker,
            batch_size=args.window,
            keep=(_SHARD, _POS),
        )
        # One result per (shard, row): a batch that Ray redoes cannot add a record twice.
        buckets: dict[int, dict[int, tuple[str | None, str]]] = {}
        finished: set[int] = set()
        batch: Any
        for batch in results.iter_batches(batch_format="pyarrow", batch_size=None):
            columns = [batch.column(k).to_pylist() for k in (_SHARD, _POS, "error", "result")]
            for index, pos, error, line in zip(*columns, strict=True):
                if index in finished:
                    continue
                bucket = buckets.setdefault(index, {})
                bucket.setdefault(pos, (error, line))
                if len(bucket) == shards[index].records:
                    _commit(out, manifest, shards[index], buckets.pop(index), args, tally)
                    finished.add(index)
        if buckets:  # cannot happen unless Ray lost rows: say so rather than commit a hole
            missing = ", ".join(shards[i].name for i in sorted(buckets))
            raise RuntimeError(f"incomplete shards after the run: {missing}; rerun with --resume")

    _summary(args, tally, time.perf_counter() - began)
    for why in read_errors:
        cli_common._say(f"error: {why}")
    failed = sum(tally.errors.values()) + tally.skipped_failed
    return cli_common.EXIT_FAILED if failed or read_errors else cli_common.EXIT_OK


def _manifest_bytes(manifest: Mapping[str, Any]) -> bytes:
    return (json.dumps(manifest, indent=1, ensure_ascii=False) + "\n").encode("utf-8")


def _commit(
    out: _Output,
    manifest: dict[str, Any],
    shard: _Shard,
    rows: Mapping[int, tuple[str | None, str]],
    args: argparse.Namespace,
    tally: _Tally,
) -> None:
    """Write a complete shard, rename it into place, then record it in the manifest."""
    ordered = [rows[pos] for pos in range(shard.records)]
    out.write(shard.name, _shard_bytes([line for _, line in ordered], args.shard_format))
    errors = Counter(error for error, _ in ordered if error is not None)
    ok = shard.records - sum(errors.values())
    manifest["committed"][shard.name] = {"records": shard.records, "ok": ok, "errors": errors}
    out.write(MANIFEST, _manifest_bytes(manifest))
    tally.ok += ok
    tally.errors.update(errors)


def _summary(args: argparse.Namespace, tally: _Tally, seconds: float) -> None:
    """The single-machine CLI's closing line, with shards in place of output lines."""
    if args.quiet:
        return
    parts = [f"{tally.read} records", f"{tally.ok} ok"]
    failed = sum(tally.errors.values())
    if failed:
        kinds = ", ".join(f"{kind}: {n}" for kind, n in tally.errors.most_common())
        parts.append(f"{failed} failed ({kinds})")
    else:
        parts.append("0 failed")
    if tally.skipped:
        extra = f", {tally.skipped_failed} of them errors" if tally.skipped_failed else ""
        parts.append(f"{tally.skipped} already in {args.output} skipped{extra}")
    cli_common._say(f"{'; '.join(parts)} in {seconds:.1f} s")
