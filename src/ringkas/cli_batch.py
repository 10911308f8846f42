"""The batch commands' machinery (``detect``, ``clean``, ``translate``, ``summarize``,
``process``): processors per command, output rows, the read-process-write loop with progress,
resume and clean stops. :mod:`ringkas.cli` builds the parser; its batch subcommands run
``_batch(name)``.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import logging
import os
import shlex
import signal
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ringkas import errors
from ringkas.backends.loading import show_load_progress
from ringkas.batching import windows
from ringkas.cli_common import (
    EXIT_CRASHED,
    EXIT_FAILED,
    EXIT_OK,
    PROG,
    UsageError,
    _Interrupted,
    _quiet_hugging_face,
    _say,
    _setup_logging,
)
from ringkas.cli_options import batching_from_args, engine_from_args
from ringkas.errors import ConfigError, InputError, InputReadError, RingkasError
from ringkas.io import (
    ReadLimits,
    error_record,
    open_input,
    open_writer,
    output_format_for,
    result_record,
    scan_resume,
)
from ringkas.models import resolve_model
from ringkas.types import ErrorInfo

if TYPE_CHECKING:
    from types import FrameType

    from ringkas.io import InputSource, Record, ResumeState, Writer
    from ringkas.pipeline import Ringkas
    from ringkas.types import Article, ArticleResult, ErrorInfo, LanguageResult

log = logging.getLogger("ringkas")


# --------------------------------------------------------------------------------------------
# Batch commands
# --------------------------------------------------------------------------------------------


class _Processor:
    """Turns a window of articles into one outcome per article, in order."""

    def preflight(self) -> None:
        """Load what the run will certainly need, so a missing model stops it at once."""

    def run(self, articles: list[Article]) -> list[dict[str, Any] | ErrorInfo]:
        raise NotImplementedError


class _PipelineProcessor(_Processor):
    """translate / summarize / process: ``Ringkas.process`` with per-record errors."""

    def __init__(
        self,
        ringkas: Ringkas,
        shape: Callable[[ArticleResult], dict[str, Any]],
        *,
        source_lang: str | None,
        routes: dict[str, str],
    ) -> None:
        self.ringkas = ringkas
        self.shape = shape
        self.source_lang = source_lang
        self.routes = routes

    def run(self, articles: list[Article]) -> list[dict[str, Any] | ErrorInfo]:
        out: list[dict[str, Any] | ErrorInfo] = []
        for result in self.ringkas.process(articles):
            error = result.error
            out.append(_ringkas_error(error) if error is not None else self.shape(result))
        return out

    def preflight(self) -> None:
        """Load the models for the stated source language (or Indonesian, ringkas's usual
        input) and every model named by ``--route``, so that a missing one stops the run."""
        began = time.perf_counter()
        try:
            names = self.ringkas.load_models(languages=(self.source_lang or "id",))
            for name in dict.fromkeys(self.routes.values()):
                self.ringkas.translator.engine(resolve_model(name, task="translation"))
                names.append(name)
        except (RingkasError, KeyError) as exc:
            raise UsageError(str(exc)) from exc
        except Exception as exc:  # a corrupt folder can fail inside transformers
            raise UsageError(_model_error(exc)) from exc
        if names:
            log.info("loaded %s in %.1f s", ", ".join(names), time.perf_counter() - began)


def _model_error(exc: Exception) -> str:
    return f"cannot load a model: {type(exc).__name__}: {exc}"


class _DetectProcessor(_Processor):
    """detect: ``detect_article`` per record; ``und`` is an answer here, not an error."""

    def __init__(self, *, clean: bool) -> None:
        try:
            langid = importlib.import_module("ringkas.langid")
        except ImportError as exc:
            raise UsageError(f"language detection is not available: {exc}") from exc
        self.detect: Callable[..., LanguageResult] = langid.detect_article
        self.clean = clean

    def run(self, articles: list[Article]) -> list[dict[str, Any] | ErrorInfo]:
        from ringkas.text import clean_text

        out: list[dict[str, Any] | ErrorInfo] = []
        for article in articles:
            try:
                _check_not_empty(article)
                text = clean_text(article.text).text if self.clean else article.text
                result = self.detect(text, title=article.title)
                out.append({"id": article.id, **result.to_dict()})
            except Exception as exc:  # one article's failure is that record's error
                out.append(_error_info(exc))
        return out


class _CleanProcessor(_Processor):
    """clean: ``clean_text`` per record, with what it removed and why."""

    def run(self, articles: list[Article]) -> list[dict[str, Any] | ErrorInfo]:
        from ringkas.text import clean_text

        out: list[dict[str, Any] | ErrorInfo] = []
        for article in articles:
            try:
                _check_not_empty(article)
                cleaned = clean_text(article.text)
            except Exception as exc:  # one article's failure is that record's error
                out.append(_error_info(exc))
                continue
            row: dict[str, Any] = {"id": article.id}
            row.update(cleaned.to_dict())
            if article.title is not None:  # the record's own title wins over the page's
                row["title"] = article.title
            out.append(row)
        return out


def _check_not_empty(article: Article) -> None:
    if not article.text.strip():
        raise InputError(f"article {article.id!r} is empty: there is no text to process")


def _error_info(exc: BaseException) -> ErrorInfo:
    return _ringkas_error(ErrorInfo(type=type(exc).__name__, message=str(exc)))


def _ringkas_error(error: ErrorInfo) -> ErrorInfo:
    """A record's error as a ringkas error type: one ringkas did not foresee (``RuntimeError``
    from deep in a library) becomes ``UnexpectedError``, its original type in the message."""
    if error.type in errors.__all__:
        return error
    return ErrorInfo(type="UnexpectedError", message=f"{error.type}: {error.message}")


def _route_names(steps: Sequence[Any]) -> list[str]:
    return [str(step) for step in steps]


def _translation_row(r: ArticleResult) -> dict[str, Any]:
    row: dict[str, Any] = {"id": r.id, "lang": r.lang, "translation": r.translation}
    if r.title_translation is not None:
        row["title_translation"] = r.title_translation
    row["route"] = _route_names(r.translation_route)
    row["truncated"] = r.truncated
    return row


def _summary_row(r: ArticleResult) -> dict[str, Any]:
    return {
        "id": r.id,
        "lang": r.lang,
        "summary": r.summary,
        "summary_lang": r.summary_lang,
        "route": _route_names(r.summary_route),
        "n_chunks": r.n_chunks,
        "truncated": r.truncated,
    }


def _process_row(r: ArticleResult) -> dict[str, Any]:
    return result_record(r)


def _lang_row(r: ArticleResult) -> dict[str, Any]:
    return {"id": r.id, "lang": r.lang}


@dataclass(frozen=True)
class _Shape:
    """How a command's records look in each output format."""

    columns: tuple[str, ...]
    text_key: str | None


SHAPES = {
    "detect": _Shape(("id", "lang", "confidence", "stage", "error"), "lang"),
    "clean": _Shape(("id", "title", "text", "dateline", "error"), "text"),
    "translate": _Shape(("id", "lang", "translation", "title_translation", "error"), "translation"),
    "summarize": _Shape(("id", "lang", "summary", "error"), "summary"),
    "process": _Shape(("id", "lang", "summary", "translation", "title_translation", "error"), None),
}


def _make_processor(name: str, args: argparse.Namespace, *, dry: bool) -> _Processor:
    """The processor for a command; ``dry`` keeps only the steps that need no model."""
    from ringkas.pipeline import STEPS, Ringkas

    if name == "detect":
        return _DetectProcessor(clean=args.clean)
    if name == "clean":
        return _CleanProcessor()
    if name == "process":
        steps = tuple(s.strip() for s in args.steps.split(",") if s.strip())
        unknown = [s for s in steps if s not in STEPS]
        if unknown or not steps:
            raise UsageError(f"--steps must be a comma-separated subset of {','.join(STEPS)}")
    else:
        steps = (("clean",) if args.clean else ()) + (name,)
    routes = dict(args.route)
    try:
        if dry:
            dry_steps = [s for s in steps if s in ("clean", "detect")]
            if {"summarize", "translate"} & set(steps) and "detect" not in dry_steps:
                dry_steps.append("detect")
            return _PipelineProcessor(
                Ringkas(steps=dry_steps, window=args.window),
                _lang_row,
                source_lang=args.source_lang,
                routes={},
            )
        options = _ringkas_options(name, args, steps, window=args.window)
        shape = {"translate": _translation_row, "summarize": _summary_row}.get(name, _process_row)
        ringkas = Ringkas(**options)
        if name != "translate":
            ringkas.summarizer.max_article_tokens = args.max_article_tokens
            ringkas.summarizer.max_rounds = args.max_rounds
    except (ConfigError, KeyError) as exc:  # bad option value, unknown model name
        raise UsageError(str(exc)) from exc
    except Exception as exc:  # a model folder that cannot be read, ...
        raise UsageError(_model_error(exc)) from exc
    return _PipelineProcessor(ringkas, shape, source_lang=args.source_lang, routes=routes)


def _ringkas_options(
    name: str, args: argparse.Namespace, steps: Sequence[str], *, window: int | None = None
) -> dict[str, Any]:
    """``Ringkas(...)`` keyword arguments from a command's model and engine flags: the one place
    flags become library options (``ringkas.distributed`` and ``ringkas serve`` use it too).
    ``window``: articles read together; None keeps ``Ringkas``'s default (serve has no flag)."""
    options: dict[str, Any] = {
        "engine": engine_from_args(args),
        "batching": batching_from_args(args),
        "steps": tuple(steps),
        "routes": dict(args.route),
        "on_error": "record",
    }
    if window is not None:
        options["window"] = window
    if name == "translate":
        options |= {
            "translation_model": args.translation_model,
            "target_lang": args.target_lang,
            "num_beams": args.beams,
            "max_new_tokens": args.max_new_tokens,
        }
    elif name == "summarize":
        options |= {
            "summary_model": args.summary_model,
            "summary_method": args.summary_method,
            "summary_length": args.summary_length,
            "summary_lang": args.target_lang,
            "summary_num_beams": args.beams,
            "summary_max_new_tokens": args.max_new_tokens,
        }
    else:
        options |= {
            "translation_model": args.translation_model,
            "summary_model": args.summary_model,
            "summary_method": args.summary_method,
            "summary_length": args.summary_length,
            "summary_lang": args.summary_lang,
            "target_lang": args.target_lang,
            "num_beams": args.beams,
            "max_new_tokens": args.max_new_tokens,
            "summary_num_beams": args.summary_beams,
            "summary_max_new_tokens": args.summary_max_new_tokens,
        }
    return options


@dataclass
class _Stats:
    """Counts for the progress bar and the closing summary."""

    read: int = 0
    ok: int = 0
    skipped: int = 0
    skipped_failed: int = 0
    words: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    langs: Counter[str] = field(default_factory=Counter)

    @property
    def failed(self) -> int:
        return sum(self.errors.values())


class _Stopper:
    """SIGINT/SIGTERM: the first finishes the current window, a second abandons it.

    ``phase`` says what the loop is doing: while ``"read"``ing (or loading models) a signal stops
    at once; while ``"process"``ing the first one waits for the window to finish; while
    ``"write"``ing a window every signal waits, so no line is ever cut short by us.
    """

    def __init__(self) -> None:
        self.signum: int | None = None
        self.phase = "read"
        self._previous: dict[int, Any] = {}

    def __enter__(self) -> _Stopper:
        if threading.current_thread() is threading.main_thread():
            for sig in (signal.SIGINT, signal.SIGTERM):
                self._previous[sig] = signal.signal(sig, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for sig, handler in self._previous.items():
            signal.signal(sig, handler if handler is not None else signal.SIG_DFL)

    def _handle(self, signum: int, frame: FrameType | None) -> None:
        first = self.signum is None
        if first:
            self.signum = signum
        if self.phase == "write":
            return
        if self.phase == "read" or not first:
            raise _Interrupted(self.signum or signum)
        _say("stopping after the current window (signal again to stop at once)")


def _batch(name: str) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        if getattr(args, "ray", False):
            from ringkas.distributed import run_cli  # imports Ray, only when asked for

            return run_cli(args)
        return _run_batch(name, args)

    return run


def _run_batch(name: str, args: argparse.Namespace) -> int:
    if hasattr(args, "backend"):  # check $RINGKAS_BACKEND/$RINGKAS_DEVICE before reading input
        try:
            engine_from_args(args)
        except ConfigError as exc:
            raise UsageError(str(exc)) from exc
    _setup_logging(quiet=args.quiet)

    show_load_progress(not args.quiet)  # the library is quiet; the CLI shows loads unless -q
    if args.quiet:
        _quiet_hugging_face()
    shape = SHAPES[name]
    output = None if args.output in (None, "-") else args.output
    fmt = args.output_format or output_format_for(output)
    source_path = _input_path(args)
    if output is not None and source_path != "-" and _same_file(source_path, output):
        raise UsageError(f"-o {output} is the input file; write the output somewhere else")
    _check_output_options(name, args, output, fmt, shape)

    try:
        source = open_input(
            source_path,
            input_format=args.input_format,
            txt_mode=args.txt_mode,
            text_field=args.text_field,
            id_field=args.id_field,
            title_field=args.title_field,
            lang_field=args.lang_field,
            limits=ReadLimits(
                max_record_bytes=args.max_record_bytes,
                max_json_depth=args.max_json_depth,
                max_number_digits=args.max_number_digits,
            ),
            follow_symlinks=args.follow_symlinks,
        )
    except ValueError as exc:  # ConfigError: missing file, bad CSV header...
        raise UsageError(str(exc)) from exc
    resume = None
    if args.resume and output is not None:
        try:
            resume = scan_resume(output, truncate=not args.dry_run, drop_failed=args.retry_failed)
        except ValueError as exc:
            raise UsageError(str(exc)) from exc
        if resume.cut_bytes and not args.dry_run:
            log.info("cut an incomplete last line (%d bytes) off %s", resume.cut_bytes, output)
        if resume.dropped:
            verb = "would remove" if args.dry_run else "removed"
            log.info("%s %d error lines from %s to retry them", verb, resume.dropped, output)

    processor = _make_processor(name, args, dry=args.dry_run)
    run = _Run(name, args, source, processor, resume, output)
    with _Stopper() as stopper:
        try:
            if args.dry_run:
                writer = open_writer(None, "jsonl")
            else:
                processor.preflight()
                writer = open_writer(
                    output,
                    fmt,
                    append=resume is not None,
                    columns=shape.columns,
                    text_key=shape.text_key,
                )
        except _Interrupted as stop:
            return run.stopped(stop.signum)
        except ValueError as exc:  # ConfigError: the output cannot be written
            raise UsageError(str(exc)) from exc
        try:
            run.loop(writer, stopper)
        finally:
            writer.close()
        if stopper.signum is not None:
            return run.stopped(stopper.signum)
    return run.finish()


def _check_output_options(
    name: str, args: argparse.Namespace, output: str | None, fmt: str, shape: _Shape
) -> None:
    if fmt == "text" and shape.text_key is None:
        raise UsageError(
            f"'{name}' writes several fields per article: use --output-format jsonl, csv or tsv"
        )
    if args.retry_failed and not args.resume:
        raise UsageError("--retry-failed goes with --resume (it retries the errors of -o PATH)")
    if args.resume:
        if args.overwrite:
            raise UsageError("--resume and --overwrite contradict each other: choose one")
        if output is None:
            raise UsageError("--resume needs -o PATH: output written to stdout cannot be resumed")
        if fmt != "jsonl":
            raise UsageError(f"--resume works with JSONL output only, not {fmt}")
    elif output is not None and not (args.dry_run or args.overwrite) and _non_empty(output):
        raise UsageError(
            f"{output} already exists; use --resume to continue it or --overwrite to replace it"
        )


def _non_empty(path: str) -> bool:
    try:
        return os.path.getsize(path) > 0
    except OSError:
        return False


def _same_file(a: str, b: str) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False


def _input_path(args: argparse.Namespace) -> str:
    if args.input is not None:
        return str(args.input)
    if sys.stdin is None or sys.stdin.isatty():
        raise UsageError("no input: give a file or folder, or pipe articles in (or use -)")
    return "-"


class _Run:
    """One batch run: reads records, skips the resumed ones, processes and writes windows."""

    def __init__(
        self,
        name: str,
        args: argparse.Namespace,
        source: InputSource,
        processor: _Processor,
        resume: ResumeState | None,
        output: str | None,
    ) -> None:
        self.name = name
        self.args = args
        self.source = source
        self.processor = processor
        self.resume = resume
        self.output = output
        self.stats = _Stats()
        self.began = time.perf_counter()
        self.source_lang: str | None = getattr(args, "source_lang", None)
        #: Why the input could not be read to its end (a corrupt .gz), once the loop is over.
        self.read_error: InputReadError | None = None

    def pending(self) -> Iterator[Record]:
        """Input records in order, without those an earlier run already wrote.

        Input that breaks off (:class:`InputReadError`) ends the records there, so the records
        read so far are still processed and written; :meth:`finish` reports the break.
        """
        try:
            for record in self.source:
                self.stats.read += 1
                if self.resume is not None:
                    was_error = self.resume.take(record.id)
                    if was_error is not None:
                        self.stats.skipped += 1
                        self.stats.skipped_failed += was_error
                        continue
                yield record
        except InputReadError as exc:
            self.read_error = exc

    def loop(self, writer: Writer, stopper: _Stopper) -> None:
        """Process and write window after window until the input ends or a signal stops it."""
        progress = self.progress()
        # Data and the bar on one terminal: clear the bar before each write, redraw after.
        shared_tty = progress is not None and _isatty(sys.stdout) and writer.stream_is_stdout
        self.began = time.perf_counter()
        try:
            for window in windows(self.pending(), self.args.window):
                stopper.phase = "process"
                rows = self.process(window)
                stopper.phase = "write"
                if self.args.dry_run:
                    rows = [row for row in rows if "error" in row]
                elif writer.format == "text":
                    _warn_errors(rows)
                if shared_tty:
                    progress.clear()
                writer.write(rows)
                if progress is not None:
                    progress.update(len(window))
                    rate = self.stats.words / max(time.perf_counter() - self.began, 1e-9)
                    progress.set_postfix_str(f"{rate:,.0f} tok/s", refresh=False)
                stopper.phase = "read"
                if stopper.signum is not None:
                    break
        except _Interrupted as stop:
            stopper.signum = stop.signum
        finally:
            stopper.phase = "write"  # from here on a signal only sets the flag
            if progress is not None:
                progress.close()

    def process(self, window: list[Record]) -> list[dict[str, Any]]:
        """One output row per record of the window, in order."""
        articles: list[Article] = []
        for record in window:
            article = record.article
            if article is None:
                continue
            if self.source_lang and not article.lang:
                article = dataclasses.replace(article, lang=self.source_lang)
            articles.append(article)
            self.stats.words += len(article.text.split())
        outcomes = iter(self.processor.run(articles) if articles else [])
        rows: list[dict[str, Any]] = []
        for record in window:
            outcome = record.error if record.article is None else next(outcomes)
            if isinstance(outcome, dict):
                rows.append(outcome)
                self.stats.ok += 1
                if self.args.dry_run and outcome.get("lang"):
                    self.stats.langs[str(outcome["lang"])] += 1
                continue
            error = outcome or _error_info(RuntimeError("record has neither text nor error"))
            rows.append(error_record(record.id, error, record.line))
            self.stats.errors[error.type] += 1
        return rows

    def progress(self) -> Any:
        """A tqdm bar on stderr (articles, articles/s, ETA, tok/s), or ``None`` with --quiet."""
        if self.args.quiet:
            return None
        from tqdm import tqdm

        tty = _isatty(sys.stderr)
        total = self.source.total
        skipped = min(self.resume.lines, total or 0) if self.resume is not None else 0
        return tqdm(
            total=total,
            initial=skipped,
            unit="art",
            desc=f"{self.name} (dry run)" if self.args.dry_run else self.name,
            file=sys.stderr,
            dynamic_ncols=True,
            mininterval=0.5 if tty else 30.0,  # a log file gets a line every 30 s at most
        )

    def finish(self) -> int:
        """The closing summary on stderr, and the exit code of the whole output."""
        self.summary(time.perf_counter() - self.began)
        if self.read_error is not None:
            _say(f"error: {self.read_error}")
            return EXIT_CRASHED
        failed = self.stats.failed + self.stats.skipped_failed
        return EXIT_FAILED if failed else EXIT_OK

    def summary(self, seconds: float) -> None:
        if self.args.quiet:
            return
        stats, dry = self.stats, self.args.dry_run
        parts = [f"{stats.read} records", f"{stats.ok} {'valid' if dry else 'ok'}"]
        if stats.errors:
            kinds = ", ".join(f"{kind}: {n}" for kind, n in stats.errors.most_common())
            parts.append(f"{stats.failed} failed ({kinds})")
        else:
            parts.append("0 failed")
        if stats.skipped:
            verb = "would be skipped" if dry else "skipped"
            extra = f", {stats.skipped_failed} of them errors" if stats.skipped_failed else ""
            parts.append(f"{stats.skipped} already in {self.output} {verb}{extra}")
        message = "; ".join(parts)
        if dry:
            if stats.langs:
                langs = ", ".join(f"{lang} {n}" for lang, n in stats.langs.most_common())
                message += f"; languages: {langs}"
            where = "stdin" if self.source.name == "-" else self.source.name
            _say(f"dry run of {where} ({self.source.format}): {message}; no model was loaded")
        else:
            _say(f"{message} in {seconds:.1f} s")

    def stopped(self, signum: int) -> int:
        """Say what was done and exactly how to carry on; exit 128 + the signal number."""
        name = signal.Signals(signum).name
        done = self.stats.ok + self.stats.failed
        if self.output is None:
            _say(
                f"stopped by {name} after {done} records; output went to stdout, so it cannot "
                "be resumed (use -o PATH --resume for resumable runs)"
            )
        else:
            command = _resume_command(self.args.argv)
            pipe = "<the same input> | " if self.source.name == "-" else ""
            _say(f"stopped by {name} after {done} new records in {self.output}; resume with:")
            print(f"  {pipe}{command}", file=sys.stderr, flush=True)
        return 128 + signum


def _isatty(stream: Any) -> bool:
    try:
        return bool(stream.isatty())
    except (AttributeError, ValueError):
        return False


def _warn_errors(rows: list[dict[str, Any]]) -> None:
    """Plain text has no room for errors: each one is an empty line, explained on stderr."""
    for row in rows:
        error = row.get("error")
        if error:
            where = f"line {error['line']}, " if error.get("line") is not None else ""
            _say(f"warning: {where}id {row['id']!r}: {error['type']}: {error['message']}")


def _resume_command(argv: Sequence[str]) -> str:
    """The command line to carry on: the same one with --resume, never with --overwrite."""
    kept = [a for a in argv if a != "--overwrite"]
    if "--resume" not in kept:
        kept.append("--resume")
    return shlex.join([PROG, *kept])
