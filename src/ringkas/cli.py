"""The ``ringkas`` command: a thin batch layer over the public API.

Each batch subcommand reads records (:mod:`ringkas.io`), hands windows of good ones to the
library (``Ringkas(steps=..., on_error="record")``, ``clean_text``, ``detect_article``) and writes
one output line per input record, in input order. The CLI adds only what a batch job needs on
top: formats, progress on stderr, exit codes, a model check before the first record, resumable
output and clean stops on Ctrl-C/SIGTERM. Nothing here imports torch: ``ringkas --help`` is fast.

Exit codes: 0 all records succeeded, 1 some records failed, 2 usage error (one line on stderr),
3 the run itself failed (input unreadable past some line, output unwritable, a bug), 130/143
stopped by SIGINT/SIGTERM, 141 stdout closed early. See ``docs/cli.md``.
"""

from __future__ import annotations

import argparse
import dataclasses
import importlib
import logging
import os
import re
import shlex
import signal
import sys
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, NoReturn

from ringkas.errors import InputReadError
from ringkas.io import DEFAULT_LIMITS

if TYPE_CHECKING:
    from types import FrameType

    from ringkas.io import InputSource, Record, ResumeState, Writer
    from ringkas.pipeline import Ringkas
    from ringkas.types import Article, ArticleResult, ErrorInfo, LanguageResult

__all__ = [
    "EXIT_CRASHED",
    "EXIT_FAILED",
    "EXIT_OK",
    "EXIT_PIPE",
    "EXIT_USAGE",
    "build_parser",
    "main",
]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
#: The run itself failed: not every record got its output line (resume with --resume).
EXIT_CRASHED = 3
EXIT_PIPE = 128 + 13  # the shell's code for SIGPIPE: stdout was closed before the end

PROG = "ringkas"
BATCH_COMMANDS = ("detect", "clean", "translate", "summarize", "process")
OWN_COMMANDS = (*BATCH_COMMANDS, "models")

log = logging.getLogger("ringkas")


class UsageError(Exception):
    """A problem with the command line, the input as a whole or the models: exit 2, one line."""


class _Interrupted(BaseException):
    """Raised by the signal handler to abandon work at once (BaseException: never recorded as
    an article's error by ``except Exception`` in the pipeline)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _say(message: str) -> None:
    print(f"{PROG}: {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------------------------
# Parser
# --------------------------------------------------------------------------------------------


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line on stderr (exit 2), not the usage block."""

    def error(self, message: str) -> NoReturn:
        _say(f"error: {message} (see '{self.prog} --help')")
        raise SystemExit(EXIT_USAGE)


_FORMATTER = argparse.RawDescriptionHelpFormatter

MAIN_EPILOG = """\
examples:
  ringkas process articles.jsonl -o results.jsonl        # clean, detect, summarise, translate
  ringkas translate berita.txt --output-format text      # one article per line in and out
  cat articles.jsonl | ringkas summarize - > summaries.jsonl
  ringkas process big.jsonl -o out.jsonl --resume        # carry on after a crash or Ctrl-C
  ringkas models list

Environment: RINGKAS_DEVICE and RINGKAS_BACKEND set the --device/--backend defaults;
RINGKAS_MODEL_<NAME>=/path points a registered model at a local folder. Exit codes: 0 all
records ok, 1 some failed, 2 usage error, 3 the run itself failed (unreadable input, output
not writable, a bug; resume with --resume), 130/143 interrupted (resume with --resume), 141
stdout closed early. Full reference: docs/cli.md.
"""

EPILOGS = {
    "detect": """\
examples:
  ringkas detect articles.jsonl
  printf 'Harga beras naik minggu ini.\\n' | ringkas detect --output-format text   # -> id

Output (JSONL): {"id", "lang", "confidence", "alternatives", "stage"}; lang "und" when the
text has no language (that is an answer here, not an error).
""",
    "clean": """\
examples:
  ringkas clean scraped.jsonl -o clean.jsonl
  ringkas clean pages/ --output-format text      # a folder of .txt files, one article each

Output (JSONL): {"id", "text", "dateline", "removed": [{"kind", "text"}], "title", "byline",
"published"}: a whole scraped page comes out as its headline, byline, date and body.
""",
    "translate": """\
examples:
  ringkas translate articles.jsonl -o english.jsonl
  echo 'Harga beras naik minggu ini.' | ringkas translate --output-format text
  ringkas translate berita.csv --text-field isi --title-field judul
  ringkas translate berita.jsonl --route jv-en=nllb-200-distilled-600m
  ringkas translate dump.jsonl.gz -o english.jsonl --resume

Output (JSONL): {"id", "lang", "translation", "title_translation"?, "route", "truncated"}.
""",
    "summarize": """\
examples:
  ringkas summarize articles.jsonl -o summaries.jsonl
  ringkas summarize berita/ --summary-method lead --output-format text   # offline, no model

Output (JSONL): {"id", "lang", "summary", "summary_lang", "route", "n_chunks", "truncated"}.
""",
    "process": """\
examples:
  ringkas process articles.jsonl -o results.jsonl
  ringkas process articles.jsonl -o results.jsonl --resume      # after Ctrl-C or a crash
  ringkas process articles.jsonl --steps clean,detect,translate --dry-run

Output (JSONL): ArticleResult.to_dict() per article (id, lang, summary, translation, routes...).
""",
    "models": """\
examples:
  ringkas models list
  ringkas models list --task summarization --json
  ringkas models prefetch opus-mt-id-en mt5-xlsum    # on a connected machine, before going offline
""",
}

_PLUGIN_EPILOGS = {
    "eval": """\
example:
  ringkas eval score --hyp output.txt --ref reference.txt --metrics bleu,chrf
""",
    "bench": """\
examples:
  ringkas bench --route id-en=opus-mt-id-en       # 16 articles of generated text
  ringkas bench --route id-en=./my-model --summary-model mt5-xlsum --articles news.jsonl
""",
}

#: Optional subcommands contributed by other modules: (name, module, help when unavailable).
PLUGINS = (
    ("eval", "ringkas.evaluate.cli", "evaluate translations and summaries"),
    ("bench", "ringkas.bench_cli", "time models: speed and memory"),
    ("serve", "ringkas.serve", "serve the API over HTTP"),
)


def _backends() -> tuple[str, ...]:
    """The engines the library accepts (``ringkas.backends`` imports no torch)."""
    from ringkas import backends

    return tuple(getattr(backends, "BACKENDS", ("torch", "ct2")))


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


_ROUTE = re.compile(r"^([A-Za-z]{2,8})-([A-Za-z]{2,8})=(.+)$")


_NO_QUANTIZATION = frozenset({"none", "no", "off"})


def _route(text: str) -> tuple[str, str]:
    match = _ROUTE.match(text)
    if not match:
        raise argparse.ArgumentTypeError(
            f"expected SRC-TGT=MODEL such as id-en=opus-mt-id-en or jv-en=/models/nllb, "
            f"got {text!r}"
        )
    return f"{match[1]}-{match[2]}", match[3]


def build_parser(*, plugins: bool = True) -> argparse.ArgumentParser:
    """The full parser; ``plugins=False`` leaves out ``eval``/``bench`` (not imported then)."""
    from ringkas import __version__

    parser = _Parser(
        prog=PROG,
        description="Clean news articles, detect their language, write Indonesian summaries and "
        "English translations, in batches.",
        epilog=MAIN_EPILOG,
        formatter_class=_FORMATTER,
        allow_abbrev=False,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    def command(name: str, help_text: str) -> argparse.ArgumentParser:
        return commands.add_parser(
            name,
            help=help_text,
            description=help_text[0].upper() + help_text[1:] + ".",
            epilog=EPILOGS[name],
            formatter_class=_FORMATTER,
            allow_abbrev=False,
        )

    p = command("detect", "detect the language of each article (no model needed)")
    _add_io_options(p)
    p.add_argument("--clean", action="store_true", help="clean each article before detecting")
    p.set_defaults(func=_batch("detect"))

    p = command("clean", "remove markup and page boilerplate, and list what was removed")
    _add_io_options(p)
    p.set_defaults(func=_batch("clean"))

    p = command("translate", "translate articles (English by default), routed by language")
    _add_io_options(p)
    _add_model_options(p, summary=False, translation=True)
    p.add_argument(
        "--target-lang",
        default="en",
        metavar="LANG",
        help="language to translate into (default en)",
    )
    p.add_argument("--clean", action="store_true", help="clean each article before translating")
    p.set_defaults(func=_batch("translate"))

    p = command("summarize", "write a summary of each article (Indonesian by default)")
    _add_io_options(p)
    _add_model_options(p, summary=True, translation=False)
    p.add_argument(
        "--target-lang", default="id", metavar="LANG", help="language of the summary (default id)"
    )
    p.add_argument("--clean", action="store_true", help="clean each article before summarising")
    p.set_defaults(func=_batch("summarize"))

    p = command("process", "clean, detect, summarise and translate each article")
    _add_io_options(p)
    _add_model_options(p, summary=True, translation=True)
    p.add_argument(
        "--steps",
        default="clean,detect,summarize,translate",
        help="comma-separated subset of clean,detect,summarize,translate (default: all)",
    )
    p.add_argument(
        "--target-lang", default="en", metavar="LANG", help="translation language (default en)"
    )
    p.add_argument(
        "--summary-lang", default="id", metavar="LANG", help="summary language (default id)"
    )
    p.add_argument(
        "--summary-beams",
        type=_positive_int,
        metavar="N",
        help="beams for the summariser (default: model's)",
    )
    p.add_argument(
        "--summary-max-new-tokens",
        type=_positive_int,
        metavar="N",
        help="longest summary in tokens (default: the --summary-length preset)",
    )
    _add_ray_options(p)
    p.set_defaults(func=_batch("process"))

    p = command("models", "list the registered models, or download them for offline use")
    p.set_defaults(func=_models_list, task=None, json=False)
    models = p.add_subparsers(title="actions", metavar="ACTION")
    q = models.add_parser(
        "list",
        help="name, task, languages, licence, commercial use and source of each model",
        formatter_class=_FORMATTER,
        epilog="example:\n  ringkas models list --task translation\n",
        allow_abbrev=False,
    )
    q.add_argument("--task", choices=("translation", "summarization"), help="only this task")
    q.add_argument("--json", action="store_true", help="one JSON object per model")
    q.set_defaults(func=_models_list)
    q = models.add_parser(
        "prefetch",
        help="download models into the Hugging Face cache (default: all registered)",
        formatter_class=_FORMATTER,
        epilog="example:\n  ringkas models prefetch opus-mt-id-en mt5-xlsum\n",
        allow_abbrev=False,
    )
    q.add_argument("names", nargs="*", metavar="NAME", help="model names, folders or Hub ids")
    q.set_defaults(func=_models_prefetch)

    if plugins:
        for name, module, help_text in PLUGINS:
            _add_plugin(commands, name, module, help_text)
    return parser


def _add_plugin(
    commands: argparse._SubParsersAction[Any],
    name: str,
    module: str,
    help_text: str,
) -> None:
    """Let ``module.add_parser(commands)`` add a subcommand; if the module is missing or broken,
    the subcommand says so when used instead of breaking the whole CLI."""
    try:
        importlib.import_module(module).add_parser(commands)
    except Exception as exc:
        reason = f"{type(exc).__name__}: {exc}"
        stub = commands.choices.get(name) or commands.add_parser(
            name, help=f"{help_text} (unavailable here)", add_help=False
        )

        def unavailable(args: argparse.Namespace) -> int:
            _say(f"error: the '{name}' command is not available ({module}: {reason})")
            return EXIT_USAGE

        stub.set_defaults(func=unavailable, unavailable=True)  # its arguments are not checked
        return
    added = commands.choices.get(name)
    if added is not None and not added.epilog and name in _PLUGIN_EPILOGS:
        added.epilog = _PLUGIN_EPILOGS[name]
        added.formatter_class = _FORMATTER


def _add_io_options(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "input",
        nargs="?",
        metavar="INPUT",
        help="a .jsonl, .csv, .tsv or .txt file (each may be .gz), a folder of .txt files, "
        "or - for stdin (default: stdin when it is not a terminal)",
    )
    io = p.add_argument_group("input and output")
    io.add_argument("-o", "--output", metavar="PATH", help="write here instead of stdout")
    io.add_argument(
        "--output-format",
        choices=("jsonl", "csv", "tsv", "text"),
        help="default: from the -o extension (.csv, .tsv, .txt), else jsonl",
    )
    io.add_argument(
        "--input-format",
        choices=("jsonl", "csv", "tsv", "txt"),
        help="default: from the extension; stdin and unknown extensions: jsonl if the first "
        "line starts with '{', else txt",
    )
    io.add_argument(
        "--txt-mode",
        choices=("line", "paragraph", "whole"),
        default="line",
        help="plain text: one article per line (default), per blank-line-separated block, "
        "or the whole file",
    )
    io.add_argument(
        "--text-field", default="text", metavar="NAME", help="JSONL/CSV field with the text"
    )
    io.add_argument("--id-field", default="id", metavar="NAME", help="JSONL/CSV field with the id")
    io.add_argument(
        "--title-field",
        default="title",
        metavar="NAME",
        help="JSONL/CSV field with the title (optional in each record)",
    )
    io.add_argument(
        "--lang-field",
        default="lang",
        metavar="NAME",
        help="JSONL/CSV field with a known language code (optional; skips detection)",
    )
    io.add_argument(
        "--resume",
        action="store_true",
        help="skip the ids already in the -o JSONL file and append the rest",
    )
    io.add_argument(
        "--retry-failed",
        action="store_true",
        help="with --resume: process again the records whose earlier output line is an error "
        "(those lines are removed first, so each id still comes out once)",
    )
    io.add_argument("--overwrite", action="store_true", help="replace an existing -o file")
    io.add_argument(
        "--dry-run",
        action="store_true",
        help="read and validate the input, print the record errors and a summary; load no model",
    )
    io.add_argument(
        "--window",
        type=_positive_int,
        default=32,
        metavar="N",
        help="articles read, batched and written together (default 32); output is flushed "
        "after each window",
    )
    io.add_argument("-q", "--quiet", action="store_true", help="no progress bar or summary")
    limits = p.add_argument_group(
        "limits", "a record over a limit becomes an error record (LimitExceededError)"
    )
    limits.add_argument(
        "--max-record-bytes",
        type=_positive_int,
        default=DEFAULT_LIMITS.max_record_bytes,
        metavar="N",
        help="largest record in bytes: a line, a CSV row, a file of a folder (default "
        f"{DEFAULT_LIMITS.max_record_bytes:,}); checked while reading, so a larger one is never "
        "held in memory",
    )
    limits.add_argument(
        "--max-json-depth",
        type=_positive_int,
        default=DEFAULT_LIMITS.max_json_depth,
        metavar="N",
        help="deepest nesting of arrays/objects in a JSON line (default "
        f"{DEFAULT_LIMITS.max_json_depth})",
    )
    limits.add_argument(
        "--max-number-digits",
        type=_positive_int,
        default=DEFAULT_LIMITS.max_number_digits,
        metavar="N",
        help="most digits of an integer in a JSON line (default "
        f"{DEFAULT_LIMITS.max_number_digits})",
    )
    limits.add_argument(
        "--follow-symlinks",
        action="store_true",
        help="folder input: also read symbolic links that lead out of the folder (by default "
        "they become error records and are not read)",
    )


# The Summarizer's defaults, repeated here so that ``--help`` imports no model code.
_MAX_ARTICLE_TOKENS = 100_000
_MAX_ROUNDS = 6


def _add_ray_options(p: argparse.ArgumentParser) -> None:
    ray = p.add_argument_group("Ray cluster (pip install 'ringkas[ray]'; see docs/distributed.md)")
    ray.add_argument(
        "--ray",
        action="store_true",
        help="run on Ray: INPUT is files or folders (JSONL, CSV, Parquet; local or any filesystem "
        "Ray reads), -o a folder of result shards and a manifest",
    )
    ray.add_argument(
        "--ray-address",
        metavar="ADDRESS",
        help="cluster to join, e.g. ray://head:10001 or auto (default: $RAY_ADDRESS, else a "
        "local Ray started for this run)",
    )
    ray.add_argument(
        "--workers", type=_positive_int, default=1, metavar="N", help="actors (default 1)"
    )
    ray.add_argument(
        "--cpus-per-worker", type=float, default=1.0, metavar="C", help="CPUs per actor (default 1)"
    )
    ray.add_argument(
        "--gpus-per-worker", type=float, default=0.0, metavar="G", help="GPUs per actor (default 0)"
    )
    ray.add_argument(
        "--shard-size",
        type=_positive_int,
        default=1000,
        metavar="N",
        help="records per output shard at most, the unit of --resume (default 1000; smaller "
        "when needed to give each worker four shards)",
    )
    ray.add_argument(
        "--shard-format",
        choices=("jsonl", "parquet"),
        default="jsonl",
        help="format of the result shards (default jsonl)",
    )


def _add_model_options(p: argparse.ArgumentParser, *, summary: bool, translation: bool) -> None:
    models = p.add_argument_group("models and generation")
    if translation:
        models.add_argument(
            "--translation-model",
            metavar="NAME|PATH",
            help="use this model for every source language (default: route by language)",
        )
    models.add_argument(
        "--route",
        action="append",
        type=_route,
        default=[],
        metavar="SRC-TGT=NAME|PATH",
        help="translation model for one language pair (repeatable), e.g. id-en=./my-model",
    )
    if summary:
        models.add_argument(
            "--summary-model", metavar="NAME|PATH", help="summariser (default: mt5-xlsum)"
        )
        models.add_argument(
            "--summary-method",
            choices=("abstractive", "lead", "textrank"),
            default="abstractive",
            help="abstractive (a model, default) or lead/textrank (extractive, offline)",
        )
        models.add_argument(
            "--summary-length",
            choices=("short", "medium", "long"),
            default="medium",
            help="summary length preset (default medium: the model's published settings)",
        )
        models.add_argument(
            "--max-article-tokens",
            type=_positive_int,
            default=_MAX_ARTICLE_TOKENS,
            metavar="N",
            help="longest article summarised, in the summariser's tokens (default "
            f"{_MAX_ARTICLE_TOKENS:,}); a longer one is an error record",
        )
        models.add_argument(
            "--max-rounds",
            type=_positive_int,
            default=_MAX_ROUNDS,
            metavar="N",
            help="map-reduce rounds at most for an article longer than the model's window "
            f"(default {_MAX_ROUNDS}); each round must at least halve the text",
        )
    models.add_argument(
        "--source-lang",
        metavar="LANG",
        help="language of records without a 'lang' field (skips detection for them)",
    )
    models.add_argument(
        "--beams", type=_positive_int, metavar="N", help="beam size (default: the model's)"
    )
    models.add_argument(
        "--max-new-tokens",
        type=_positive_int,
        metavar="N",
        help="longest output in tokens (default: model's)",
    )
    engine = p.add_argument_group("engine")
    engine.add_argument(
        "--device",
        default=os.environ.get("RINGKAS_DEVICE") or None,
        metavar="DEVICE",
        help="auto, cpu, cuda, cuda:1, mps (default: $RINGKAS_DEVICE, else auto)",
    )
    engine.add_argument(
        "--backend",
        default=os.environ.get("RINGKAS_BACKEND") or None,
        choices=_backends(),
        help=f"{', '.join(_backends())} (default: $RINGKAS_BACKEND, else the library's)",
    )
    engine.add_argument(
        "--dtype",
        metavar="DTYPE",
        help="auto, float32, float16, bfloat16 (default: the library's, auto)",
    )
    engine.add_argument(
        "--quantize",
        metavar="TYPE",
        help="auto (int8 on CPU), none (exact fp32 reference outputs), int8, or a CTranslate2 "
        "compute type such as int8_float16 (default: the library's, auto)",
    )
    engine.add_argument(
        "--threads", type=_positive_int, metavar="N", help="CPU threads (default: torch's)"
    )
    engine.add_argument(
        "--batch-tokens",
        type=_positive_int,
        metavar="N",
        help="padded input tokens per model batch (default: the library's, 4096)",
    )
    engine.add_argument(
        "--max-batch-size",
        type=_positive_int,
        metavar="N",
        help="inputs per model batch (default: the library's, 64)",
    )


# --------------------------------------------------------------------------------------------
# Entry point
# --------------------------------------------------------------------------------------------


def main(argv: Sequence[str] | None = None) -> int:
    """Run the ``ringkas`` command line; returns the exit code (see module docstring)."""
    args_list = list(sys.argv[1:] if argv is None else argv)
    command = next((a for a in args_list if not a.startswith("-")), None)
    parser = build_parser(plugins=command not in OWN_COMMANDS)
    try:
        args, extra = parser.parse_known_args(args_list)
        if extra and not getattr(args, "unavailable", False):
            parser.error(f"unrecognized arguments: {' '.join(extra)}")
    except SystemExit as exc:  # --help, --version, or a usage error already printed
        return exc.code if isinstance(exc.code, int) else EXIT_USAGE
    func: Callable[[argparse.Namespace], int] | None = getattr(args, "func", None)
    if func is None:
        parser.print_help(sys.stderr)
        return EXIT_USAGE
    args.argv = args_list
    try:
        return func(args)
    except UsageError as exc:
        _say(f"error: {exc}")
        return EXIT_USAGE
    except BrokenPipeError:
        _silence_stdout()
        return EXIT_PIPE
    except OSError as exc:  # disk full, output folder removed...: what was written stays valid
        _say(f"error: {exc}")
        return EXIT_CRASHED
    except (KeyboardInterrupt, _Interrupted) as exc:
        _say("interrupted")
        return 128 + (exc.signum if isinstance(exc, _Interrupted) else signal.SIGINT)
    except Exception as exc:  # a bug: one line, a distinct code; what was written stays valid
        log.debug("the run failed", exc_info=True)
        _say(f"error: the run failed: {type(exc).__name__}: {exc} (this is a bug in ringkas)")
        return EXIT_CRASHED


class _StderrHandler(logging.Handler):
    """Writes to whatever ``sys.stderr`` is at the time (tests swap it)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            print(f"{PROG}: {self.format(record)}", file=sys.stderr, flush=True)
        except Exception:  # logging must never break the run
            self.handleError(record)


def _setup_logging(*, quiet: bool) -> None:
    if not any(isinstance(h, _StderrHandler) for h in log.handlers):
        log.addHandler(_StderrHandler())
        log.propagate = False
    log.setLevel(logging.WARNING if quiet else logging.INFO)


def _quiet_hugging_face() -> None:
    """--quiet silences Hugging Face's own bars (downloads, weight loading) too."""
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    if "transformers" in sys.modules:  # already imported: the variable was read at import
        sys.modules["transformers"].utils.logging.disable_progress_bar()
    elif "huggingface_hub" in sys.modules:
        sys.modules["huggingface_hub"].utils.disable_progress_bars()


def _silence_stdout() -> None:
    """After EPIPE, point stdout at /dev/null so the interpreter's final flush stays quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # stdout is not a real file (tests)
        pass


# --------------------------------------------------------------------------------------------
# models
# --------------------------------------------------------------------------------------------


def _langs(codes: Sequence[str], total: int | None = None) -> str:
    if "*" in codes:
        return "any"
    if total is not None and total > len(codes):  # the model covers more than ringkas routes
        return f"{len(codes)} of {total} langs"
    return ",".join(codes) if len(codes) <= 3 else f"{len(codes)} langs"


def _models_list(args: argparse.Namespace) -> int:
    import json

    from ringkas.models import list_models

    specs = list_models(args.task)
    if args.json:
        for spec in specs:
            print(json.dumps(spec.to_dict(), ensure_ascii=False))
        return EXIT_OK
    rows = [("NAME", "TASK", "LANGUAGES", "LICENCE", "COMMERCIAL", "SOURCE")]
    for spec in specs:
        langs = _langs(spec.source_langs, spec.model_languages)
        if spec.source_langs != spec.target_langs:
            langs += f" -> {_langs(spec.target_langs, spec.model_languages)}"
        elif spec.task == "translation":
            langs += ", any pair"
        commercial = "yes" if spec.commercial_use else "no"
        rows.append((spec.name, spec.task, langs, spec.licence, commercial, spec.source))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]) - 1)]
    for row in rows:
        cells = [cell.ljust(width) for cell, width in zip(row, widths, strict=False)]
        print("  ".join([*cells, row[-1]]))
    return EXIT_OK


def _models_prefetch(args: argparse.Namespace) -> int:
    from ringkas.errors import ModelLoadError, RingkasError
    from ringkas.models import list_models, prefetch

    _setup_logging(quiet=False)  # "downloading ..." messages
    names = args.names or [spec.name for spec in list_models()]
    code = EXIT_OK
    for name in names:
        try:
            [(resolved, folder)] = prefetch([name]).items()
        except ModelLoadError as exc:
            _say(f"error: {exc}")
            code = max(code, EXIT_FAILED)
            continue
        except (RingkasError, KeyError) as exc:  # unknown name, bad option: a usage error
            _say(f"error: {exc}")
            code = EXIT_USAGE
            continue
        print(f"{resolved}\t{folder}")
    return code


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
        from ringkas.errors import RingkasError
        from ringkas.models import resolve_model

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
    from ringkas.errors import InputError

    if not article.text.strip():
        raise InputError(f"article {article.id!r} is empty: there is no text to process")


def _error_info(exc: BaseException) -> ErrorInfo:
    from ringkas.types import ErrorInfo

    return _ringkas_error(ErrorInfo(type=type(exc).__name__, message=str(exc)))


def _ringkas_error(error: ErrorInfo) -> ErrorInfo:
    """A record's error as a ringkas error type: one ringkas did not foresee (``RuntimeError``
    from deep in a library) becomes ``UnexpectedError``, its original type in the message."""
    from ringkas import errors
    from ringkas.types import ErrorInfo

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
    from ringkas.io import result_record

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
    from ringkas.errors import ConfigError
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
        options = _ringkas_options(name, args, steps)
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


def _ringkas_options(name: str, args: argparse.Namespace, steps: Sequence[str]) -> dict[str, Any]:
    """``Ringkas(...)`` keyword arguments from a batch command's model and engine flags.

    The one place flags become library options (``ringkas.distributed`` uses it too), so that a
    future options object replaces only this function.
    """
    engine = {
        "device": args.device,
        "backend": args.backend,
        "dtype": args.dtype,
        "quantize": args.quantize,
        "num_threads": args.threads,
        "batch_tokens": args.batch_tokens,
        "max_batch_size": args.max_batch_size,
    }
    options: dict[str, Any] = {
        # Engine options the user did not give keep the library's defaults.
        **{key: value for key, value in engine.items() if value is not None},
        # --quantize none: exact fp32 reference outputs instead of the int8 default.
        **({"quantize": None} if (args.quantize or "").lower() in _NO_QUANTIZATION else {}),
        "steps": tuple(steps),
        "routes": dict(args.route),
        "window": args.window,
        "on_error": "record",
    }
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
    from ringkas.io import ReadLimits, open_input, open_writer, output_format_for, scan_resume

    backend = getattr(args, "backend", None)
    if backend is not None and backend not in _backends():
        raise UsageError(f"RINGKAS_BACKEND={backend!r} is not one of {', '.join(_backends())}")
    _setup_logging(quiet=args.quiet)
    from ringkas.models import show_load_progress

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
        from ringkas.batching import windows

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
        from ringkas.io import error_record

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
