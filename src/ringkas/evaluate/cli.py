"""``ringkas eval``: a thin command-line layer over :mod:`ringkas.evaluate`.

    ringkas eval score --hyp FILE --ref FILE [--ref FILE2] --metrics bleu,chrf,chrf++,rouge
    ringkas eval paired --hyp A --hyp2 B --ref FILE --metrics bleu,chrf
    ringkas eval baseline --dataset indosum --path dev.01.jsonl --method lead3|textrank|oracle
    ringkas eval run --dataset flores200:ind_Latn-eng_Latn:devtest --path FOLDER [--model M]
    ringkas eval compare report1.json report2.json [--plot chart.png]
    ringkas eval datasets

The main ``ringkas`` CLI calls :func:`add_parser`; ``python -m ringkas.evaluate`` runs it alone.
Errors are one line on stderr: exit 2 for bad options or data, 1 for anything else.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ringkas.cli_options import add_engine_flags, batching_from_args, engine_from_args
from ringkas.errors import ConfigError, DataError, InputError, MissingDependencyError, RingkasError

__all__ = ["add_parser", "main"]

Handler = Callable[[argparse.Namespace], int]


# --------------------------------------------------------------------------------------------
# Parser


def _add_scoring_options(parser: argparse.ArgumentParser, *, default_metrics: str | None) -> None:
    group = parser.add_argument_group("scoring")
    help_default = default_metrics or "by task: bleu,chrf,chrf++ or rouge"
    group.add_argument(
        "--metrics",
        default=default_metrics,
        help=f"comma-separated: bleu, chrf, chrf++, rouge (= rouge1,rouge2,rougeL,rougeLsum), "
        f"bertscore, comet (default: {help_default})",
    )
    group.add_argument(
        "--rouge-mode",
        choices=("unicode", "compat"),
        default="unicode",
        help="unicode: Unicode tokens, no stemmer, ringkas sentences for rougeLsum (default); "
        "compat: rouge-score's defaults, to compare with published numbers",
    )
    group.add_argument(
        "--rouge-stem", action="store_true", help="Porter stemmer (English; compat mode only)"
    )
    group.add_argument(
        "--rouge-case", action="store_true", help="do not lowercase before ROUGE (unicode mode)"
    )
    group.add_argument(
        "--rouge-split",
        choices=("ringkas", "newline"),
        default=None,
        help="rougeLsum sentences: ringkas's splitter or the text's lines "
        "(default: ringkas in unicode mode, newline in compat)",
    )
    group.add_argument("--lang", default=None, help="target language (ISO 639-1), e.g. en, id")
    group.add_argument(
        "--tokenize",
        default=None,
        help="sacrebleu BLEU tokenizer (default 13a; zh/ja/ko by --lang)",
    )
    group.add_argument(
        "--bootstrap",
        type=int,
        default=1000,
        help="bootstrap resamples for 95%% intervals; 0 turns them off (default 1000)",
    )
    group.add_argument("--seed", type=int, default=12345, help="bootstrap seed (default 12345)")
    group.add_argument("--bertscore-model", default=None, help="local BERTScore model directory")
    group.add_argument("--comet-model", default=None, help="local COMET checkpoint (.ckpt)")


def _add_outputs(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("output")
    group.add_argument("--json", metavar="OUT", default=None, help="write the JSON report here")
    group.add_argument(
        "--markdown", metavar="OUT", default=None, help="write the Markdown report here"
    )


def _add_dataset_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--dataset",
        required=True,
        help="dataset spec, e.g. indosum, flores200:ind_Latn-eng_Latn:devtest, parallel:id-en, "
        "jsonl (see 'ringkas eval datasets')",
    )
    parser.add_argument(
        "--path",
        action="append",
        required=True,
        help="dataset file or folder (parallel: --path SOURCE --path REF [--path REF2])",
    )
    parser.add_argument("--limit", type=int, default=None, help="use only the first N examples")
    parser.add_argument("--source-field", default=None, help="jsonl: field holding the source")
    parser.add_argument(
        "--reference-field", action="append", default=None, help="jsonl: reference field(s)"
    )
    parser.add_argument("--id-field", default=None, help="jsonl: field holding the id")
    parser.add_argument(
        "--output", default=None, help="write the system outputs here (.jsonl or one per line)"
    )


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``eval`` and its subcommands; each sets ``func(args) -> exit code``."""
    parser = subparsers.add_parser(
        "eval",
        help="score outputs, run baselines or models over datasets, compare reports",
        description="Evaluate translation and summarisation: BLEU/chrF (sacrebleu) and ROUGE "
        "(rouge-score) with signatures and bootstrap confidence intervals.",
    )
    parser.set_defaults(func=_usage(parser))
    commands = parser.add_subparsers(title="commands", metavar="COMMAND")

    p = commands.add_parser("score", help="score a hypothesis file against reference file(s)")
    p.add_argument("--hyp", required=True, help="system output, one segment per line ('-': stdin)")
    p.add_argument("--ref", action="append", required=True, help="reference file (repeatable)")
    p.add_argument("--src", default=None, help="source file (COMET)")
    p.add_argument("--system", default=None, help="system name for the report (default: --hyp)")
    _add_scoring_options(p, default_metrics="bleu,chrf")
    _add_outputs(p)
    p.set_defaults(func=_guard(_cmd_score))

    p = commands.add_parser("paired", help="paired bootstrap test: is system B better than A?")
    p.add_argument("--hyp", required=True, help="system A output (the baseline)")
    p.add_argument("--hyp2", required=True, help="system B output")
    p.add_argument("--ref", action="append", required=True, help="reference file (repeatable)")
    _add_scoring_options(p, default_metrics="bleu,chrf")
    _add_outputs(p)
    p.set_defaults(func=_guard(_cmd_paired))

    p = commands.add_parser("baseline", help="score lead-k, TextRank or the ROUGE oracle")
    _add_dataset_options(p)
    p.add_argument(
        "--method",
        required=True,
        help="lead3 (or any leadN), lead (with --k), textrank, oracle",
    )
    p.add_argument("--k", type=int, default=3, help="sentences for lead and textrank (default 3)")
    p.add_argument(
        "--similarity",
        choices=("overlap", "cosine"),
        default="overlap",
        help="textrank: word overlap (TextRank, default) or TF-IDF cosine (LexRank)",
    )
    p.add_argument("--max-sentences", type=int, default=None, help="oracle: at most N sentences")
    _add_scoring_options(p, default_metrics="rouge")
    _add_outputs(p)
    p.set_defaults(func=_guard(_cmd_baseline))

    p = commands.add_parser("run", help="run a model (or the pipeline's method) over a dataset")
    _add_dataset_options(p)
    p.add_argument(
        "--task",
        choices=("translate", "summarize"),
        default=None,
        help="default: the dataset's task",
    )
    p.add_argument("--model", default=None, help="model name, folder or Hub id (default: registry)")
    p.add_argument(
        "--method",
        default="abstractive",
        help="summarisation method: abstractive, lead, textrank",
    )
    # The same engine flags and defaults as `ringkas translate`; the report records what ran.
    add_engine_flags(p)
    p.add_argument(
        "--gen",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        help="generation option (JSON value), e.g. --gen num_beams=4 (repeatable)",
    )
    _add_scoring_options(p, default_metrics=None)
    _add_outputs(p)
    p.set_defaults(func=_guard(_cmd_run))

    p = commands.add_parser("compare", help="reports side by side as a Markdown table")
    p.add_argument("reports", nargs="+", help="JSON reports written with --json")
    p.add_argument("--metrics", default=None, help="comma-separated metric names to show")
    p.add_argument("--markdown", metavar="OUT", default=None, help="also write the table here")
    p.add_argument("--plot", metavar="OUT", default=None, help="bar chart with CIs (matplotlib)")
    p.add_argument(
        "--name",
        action="append",
        default=None,
        help="column label, once per report in order (default: the system each report records)",
    )
    p.set_defaults(func=_guard(_cmd_compare))

    p = commands.add_parser("datasets", help="list the dataset loaders")
    p.set_defaults(func=_guard(_cmd_datasets))


def _usage(parser: argparse.ArgumentParser) -> Handler:
    def show(args: argparse.Namespace) -> int:
        parser.print_help(sys.stderr)
        return 2

    return show


def _guard(handler: Handler) -> Handler:
    """One line on stderr instead of a traceback; exit 2 for bad options or data."""

    def run(args: argparse.Namespace) -> int:
        try:
            return handler(args)
        except (ConfigError, DataError, InputError) as exc:
            _error(str(exc))
            return 2
        except MissingDependencyError as exc:
            _error(str(exc))
            return 1
        except RingkasError as exc:
            _error(f"{type(exc).__name__}: {exc}")
            return 1
        except ImportError as exc:  # a model stack that is missing a piece: say which
            _error(f"cannot import {exc.name or 'a module'}: {exc}")
            return 1
        except OSError as exc:
            _error(f"{exc.filename or ''}: {exc.strerror or exc}".lstrip(": "))
            return 1

    return run


def _error(message: str) -> None:
    print(f"ringkas eval: error: {' '.join(message.split())}", file=sys.stderr)


# --------------------------------------------------------------------------------------------
# Helpers


def _options(args: argparse.Namespace, *, default_metrics: str) -> Any:
    from ringkas.evaluate.metrics import ScoreOptions

    metrics = args.metrics or default_metrics
    return ScoreOptions(
        metrics=tuple(m for m in metrics.split(",") if m.strip()),
        lang=args.lang,
        bleu_tokenize=args.tokenize,
        rouge_mode=args.rouge_mode,
        rouge_lowercase=not args.rouge_case,
        rouge_stemmer=args.rouge_stem,
        rouge_split=args.rouge_split,
        bootstrap=args.bootstrap,
        seed=args.seed,
        bertscore_model=args.bertscore_model,
        comet_model=args.comet_model,
    )


def _read_aligned(hyp: str, refs: Sequence[str]) -> tuple[list[str], list[list[str | None]]]:
    from ringkas.evaluate.datasets import read_lines

    hypotheses = read_lines(hyp)
    streams: list[list[str | None]] = []
    for ref in refs:
        lines = read_lines(ref)
        if len(lines) != len(hypotheses):
            raise DataError(
                f"line counts differ: hypothesis file {hyp} has {len(hypotheses)} lines but "
                f"reference file {ref} has {len(lines)} lines"
            )
        streams.append(list(lines))
    return hypotheses, streams


def _write_reports(args: argparse.Namespace, report: Any) -> None:
    if args.json:
        report.to_json(args.json)
    if args.markdown:
        Path(args.markdown).write_text(report.to_markdown(), encoding="utf-8")


def _print_scores(report: Any) -> None:
    for s in report.scores:
        line = s.formatted or s.format()
        if s.ci_low is not None and s.ci_high is not None:
            line += f" [95% CI {s.ci_low:.2f}-{s.ci_high:.2f}]"
        print(line)
    for skipped in report.skipped:
        print(f"skipped {skipped.metric}: {skipped.reason}", file=sys.stderr)


def _load(args: argparse.Namespace) -> Any:
    from ringkas.evaluate.datasets import load_dataset

    options: dict[str, Any] = {}
    if args.source_field:
        options["source_field"] = args.source_field
    if args.reference_field:
        options["reference_field"] = args.reference_field
    if args.id_field:
        options["id_field"] = args.id_field
    if args.limit is not None and args.limit < 1:
        raise ConfigError(f"--limit must be a positive integer, got {args.limit}")
    return load_dataset(args.dataset, args.path, limit=args.limit, **options)


def _write_outputs(path: str | None, dataset: Any, hypotheses: Sequence[str]) -> None:
    if not path:
        return
    if path.endswith(".jsonl"):
        lines = [
            json.dumps({"id": ex.id, "hypothesis": h}, ensure_ascii=False)
            for ex, h in zip(dataset, hypotheses, strict=True)
        ]
    else:
        # One segment per line: line breaks inside an output become spaces.
        lines = [" ".join(h.split()) for h in hypotheses]
    Path(path).write_text("".join(line + "\n" for line in lines), encoding="utf-8")


def _parse_generation(items: Sequence[str]) -> dict[str, Any]:
    generation: dict[str, Any] = {}
    for item in items:
        key, sep, raw = item.partition("=")
        if not sep or not key:
            raise ConfigError(f"--gen expects KEY=VALUE, got {item!r}")
        try:
            generation[key.replace("-", "_")] = json.loads(raw)
        except json.JSONDecodeError:
            generation[key.replace("-", "_")] = raw
    return generation


# --------------------------------------------------------------------------------------------
# Commands


def _cmd_score(args: argparse.Namespace) -> int:
    import time

    from ringkas.evaluate.datasets import read_lines
    from ringkas.evaluate.metrics import score
    from ringkas.evaluate.report import make_report

    options = _options(args, default_metrics="bleu,chrf")
    started = time.perf_counter()
    hypotheses, streams = _read_aligned(args.hyp, args.ref)
    sources = None
    if args.src:
        sources = read_lines(args.src)
        if len(sources) != len(hypotheses):
            raise DataError(
                f"line counts differ: hypothesis file {args.hyp} has {len(hypotheses)} lines but "
                f"source file {args.src} has {len(sources)} lines"
            )
    scores = score(hypotheses, streams, sources=sources, options=options)
    report = make_report(
        system=args.system or Path(args.hyp).name,
        dataset={
            "name": "files",
            "hypothesis": args.hyp,
            "references": list(args.ref),
            "source": args.src,
            "n_examples": len(hypotheses),
        },
        task="",
        scores=scores,
        options=options,
        timings={"score_s": time.perf_counter() - started},
    )
    _print_scores(report)
    _write_reports(args, report)
    return 0


def _cmd_paired(args: argparse.Namespace) -> int:
    import dataclasses

    from ringkas.evaluate.datasets import read_lines
    from ringkas.evaluate.metrics import paired_bootstrap, score
    from ringkas.evaluate.report import make_report

    options = _options(args, default_metrics="bleu,chrf")
    if options.bootstrap == 0:
        options = dataclasses.replace(options, bootstrap=1000)
    hyps_a, streams = _read_aligned(args.hyp, args.ref)
    hyps_b = read_lines(args.hyp2)
    if len(hyps_b) != len(hyps_a):
        raise DataError(
            f"line counts differ: {args.hyp} has {len(hyps_a)} lines but {args.hyp2} has "
            f"{len(hyps_b)} lines"
        )
    paired = paired_bootstrap(hyps_a, hyps_b, streams, options=options)
    report = make_report(
        system=f"{Path(args.hyp2).name} vs {Path(args.hyp).name}",
        dataset={
            "name": "files",
            "hypothesis": args.hyp2,
            "baseline": args.hyp,
            "references": list(args.ref),
            "n_examples": len(hyps_a),
        },
        task="",
        scores=score(hyps_b, streams, options=options),
        options=options,
        paired=paired,
    )
    for p in paired:
        print(
            f"{p.signature}: A {p.score_a:.2f}  B {p.score_b:.2f}  B-A {p.delta:+.2f} "
            f"[95% CI {p.delta_ci_low:+.2f} to {p.delta_ci_high:+.2f}]  p = {p.p_value:.4f}"
        )
    _write_reports(args, report)
    return 0


def _cmd_baseline(args: argparse.Namespace) -> int:
    from ringkas.evaluate.baselines import run_baseline

    options = _options(args, default_metrics="rouge")
    dataset = _load(args)
    summaries, report = run_baseline(
        dataset,
        args.method,
        k=args.k,
        similarity=args.similarity,
        max_sentences=args.max_sentences,
        options=options,
    )
    _write_outputs(args.output, dataset, summaries)
    _print_scores(report)
    _write_reports(args, report)
    return 0


def _cmd_run(args: argparse.Namespace) -> int:
    from ringkas.evaluate.run import run_summarization, run_translation

    dataset = _load(args)
    task = args.task or ("translate" if dataset.task == "translation" else "summarize")
    generation = _parse_generation(args.gen)
    if task == "translate":
        options = _options(args, default_metrics="bleu,chrf,chrf++")
        if options.lang is None and dataset.target_lang:
            import dataclasses

            options = dataclasses.replace(options, lang=dataset.target_lang)
        result = run_translation(
            dataset,
            model=args.model,
            engine=engine_from_args(args),
            batching=batching_from_args(args),
            generation=generation,
            options=options,
        )
    else:
        options = _options(args, default_metrics="rouge")
        result = run_summarization(
            dataset,
            model=args.model,
            method=args.method,
            engine=engine_from_args(args),
            batching=batching_from_args(args),
            generation=generation,
            options=options,
        )
    _write_outputs(args.output, dataset, result.hypotheses)
    _print_scores(result.report)
    _write_reports(args, result.report)
    return 0


def _cmd_compare(args: argparse.Namespace) -> int:
    from ringkas.evaluate.report import compare_markdown, load_report, plot_reports

    reports = [load_report(path) for path in args.reports]
    metrics = [m.strip() for m in args.metrics.split(",")] if args.metrics else None
    table = compare_markdown(reports, metrics=metrics, names=args.name)
    print(table, end="")
    if args.markdown:
        Path(args.markdown).write_text(table, encoding="utf-8")
    if args.plot:
        try:
            plot_reports(reports, args.plot, metrics=metrics, names=args.name)
        except MissingDependencyError as exc:
            print(f"ringkas eval: skipping the plot: {exc}", file=sys.stderr)
    return 0


def _cmd_datasets(args: argparse.Namespace) -> int:
    from ringkas.evaluate.datasets import available_datasets

    for name, info in available_datasets().items():
        options = f" (options: {', '.join(info.options)})" if info.options else ""
        print(f"{name:<10} {info.task:<14} {info.description}{options}")
    return 0


# --------------------------------------------------------------------------------------------
# Stand-alone entry point


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m ringkas.evaluate.cli eval score ...``: the ``eval`` command on its own."""
    parser = argparse.ArgumentParser(prog="ringkas")
    subparsers = parser.add_subparsers(title="commands", metavar="COMMAND")
    add_parser(subparsers)
    args = parser.parse_args(argv)
    func: Handler | None = getattr(args, "func", None)
    if func is None:
        parser.print_help(sys.stderr)
        return 2
    return func(args)


if __name__ == "__main__":
    raise SystemExit(main())
