"""The ``ringkas`` command: a thin batch layer over the public API.

Each batch subcommand reads records (:mod:`ringkas.io`), hands windows of good ones to the
library (``Ringkas(steps=..., on_error="record")``, ``clean_text``, ``detect_article``) and writes
one output line per input record, in input order. The CLI adds only what a batch job needs on
top: formats, progress on stderr, exit codes, a model check before the first record, resumable
output and clean stops on Ctrl-C/SIGTERM. Nothing here imports torch: ``ringkas --help`` is fast.
This module builds the parser and runs it; the batch machinery is :mod:`ringkas.cli_batch`, the
engine flags :mod:`ringkas.cli_options`.

Exit codes: 0 all records succeeded, 1 some records failed, 2 usage error (one line on stderr),
3 the run itself failed (input unreadable past some line, output unwritable, a bug), 130/143
stopped by SIGINT/SIGTERM, 141 stdout closed early. See ``docs/cli.md``.
"""

from __future__ import annotations

import argparse
import importlib
import logging
import re
import signal
import sys
from collections.abc import Callable, Sequence
from typing import Any, NoReturn

from ringkas.cli_batch import _batch, _Interrupted
from ringkas.cli_common import (
    EXIT_CRASHED,
    EXIT_FAILED,
    EXIT_OK,
    EXIT_PIPE,
    EXIT_USAGE,
    PROG,
    UsageError,
    _say,
    _setup_logging,
    _silence_stdout,
)
from ringkas.cli_options import _positive_int, add_engine_flags
from ringkas.io import DEFAULT_LIMITS

__all__ = [
    "EXIT_CRASHED",
    "EXIT_FAILED",
    "EXIT_OK",
    "EXIT_PIPE",
    "EXIT_USAGE",
    "build_parser",
    "main",
]

BATCH_COMMANDS = ("detect", "clean", "translate", "summarize", "process")
OWN_COMMANDS = (*BATCH_COMMANDS, "models")

log = logging.getLogger("ringkas")


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


_ROUTE = re.compile(r"^([A-Za-z]{2,8})-([A-Za-z]{2,8})=(.+)$")


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
    add_engine_flags(p)


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
