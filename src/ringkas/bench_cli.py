"""``ringkas bench``: time the models you name, on your articles or on generated text.

    ringkas bench --route id-en=opus-mt-id-en                        # 16 generated articles
    ringkas bench --route id-en=./my-model --articles news.jsonl --limit 64
    ringkas bench --summary-model mt5-xlsum --articles news.txt --quantize none --json

Each model is one job: a :class:`~ringkas.Translator` per ``--route``, a
:class:`~ringkas.Summarizer` per ``--summary-model`` (no model named: the registry's route from
``--lang`` into English). Every job gets the same articles and engine options and is timed by
:func:`ringkas.bench.measure`: load and warm-up, interleaved repeats, medians. The comparison
with other engines (naive loop, HF ``generate``, raw CTranslate2) is the repository's benchmark
suite, ``make bench``.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as _dt
import json
import os
import re
import sys
from collections.abc import Callable, Mapping, Sequence
from functools import partial
from typing import Any

from ringkas.bench import (
    CallableRunner,
    TokenCounter,
    Workload,
    _load,
    _machine,
    _versions,
    generated_sentences,
    measure,
)
from ringkas.cli_options import add_engine_flags, batching_from_args, engine_from_args
from ringkas.config import GenerationOptions
from ringkas.errors import ConfigError, RingkasError
from ringkas.io import open_input
from ringkas.summarize import Summarizer
from ringkas.translate import Translator

__all__ = ["add_parser", "main"]

PROG = "ringkas bench"
#: Articles of generated text when no ``--articles`` file is given, and sentences in each.
GENERATED_ARTICLES = 16
GENERATED_SENTENCES = 8
#: Articles timed one per call for the latency percentiles.
LATENCY_ARTICLES = 4

_ROUTE = re.compile(r"^([A-Za-z]{2,8})-([A-Za-z]{2,8})=(.+)$")


def _route(text: str) -> tuple[str, str, str]:
    match = _ROUTE.match(text)
    if not match:
        raise argparse.ArgumentTypeError(
            f"expected SRC-TGT=MODEL such as id-en=opus-mt-id-en or id-en=./my-model, got {text!r}"
        )
    return match[1], match[2], match[3]


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        value = 0
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def _configure(parser: argparse.ArgumentParser) -> None:
    work = parser.add_argument_group("what to time")
    work.add_argument(
        "--route",
        action="append",
        type=_route,
        default=[],
        metavar="SRC-TGT=MODEL",
        help="a translation model (name, folder or Hub id) for one pair; repeatable",
    )
    work.add_argument(
        "--summary-model",
        action="append",
        default=[],
        metavar="MODEL",
        help="a summarisation model; repeatable",
    )
    work.add_argument(
        "--articles",
        metavar="FILE",
        help="articles to time: .jsonl, .csv, .tsv or .txt (one per line), as `ringkas "
        f"translate` reads them (default: {GENERATED_ARTICLES} articles of generated "
        "Indonesian-looking text)",
    )
    work.add_argument(
        "--lang", default="id", metavar="LANG", help="language of the articles (default id)"
    )
    work.add_argument("--limit", type=_positive, metavar="N", help="time at most N articles")
    work.add_argument(
        "--repeats", type=_positive, default=3, metavar="N", help="timed passes (default 3)"
    )
    work.add_argument("--beams", type=_positive, metavar="N", help="beam size (default: model's)")
    work.add_argument(
        "--max-new-tokens", type=_positive, metavar="N", help="longest output (default: model's)"
    )
    add_engine_flags(parser, title="engine (the same for every job)")
    out = parser.add_argument_group("output")
    out.add_argument("--json", action="store_true", help="print the report as JSON")
    out.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``ringkas bench`` to the main command line."""
    parser = subparsers.add_parser(
        "bench",
        help="time translation and summarisation models on this machine",
        description="Time the models you name on your articles (or generated text): "
        "articles/s, words/s, output tokens/s, latency p50/p95, peak and load memory.",
    )
    _configure(parser)
    parser.set_defaults(func=_run)


def _read_articles(path: str, limit: int | None) -> tuple[list[str], str]:
    source = open_input(path, count=False)
    texts: list[str] = []
    for record in source:
        if record.article is not None and record.article.text.strip():
            texts.append(record.article.text)
            if limit is not None and len(texts) >= limit:
                break
    if not texts:
        raise ConfigError(f"{path}: no article to time (the input is empty or unreadable)")
    return texts, f"{source.name} ({source.format})"


def _generated(n: int) -> list[str]:
    sentences = generated_sentences(n * GENERATED_SENTENCES)
    k = GENERATED_SENTENCES
    return [" ".join(sentences[i * k : (i + 1) * k]) for i in range(n)]


def _translate(translator: Translator, src: str, tgt: str, docs: list[str]) -> list[str]:
    return [r.text for r in translator.translate(docs, source_lang=src, target_lang=tgt)]


def _summarize(summarizer: Summarizer, lang: str, docs: list[str]) -> list[str]:
    return [r.text for r in summarizer.summarize(docs, lang=lang)]


def _jobs(
    args: argparse.Namespace, engine: Mapping[str, Any], generation: GenerationOptions
) -> list[tuple[CallableRunner, Callable[[], list[str]]]]:
    """One runner per model, each with a function naming the model(s) it used."""
    jobs: list[tuple[CallableRunner, Callable[[], list[str]]]] = []
    routes: list[tuple[str, str, str | None]] = list(args.route)
    if not routes and not args.summary_model:
        routes = [(args.lang, "en", None)]  # the registry's route
    for src, tgt, model in routes:
        counter = TokenCounter()
        pair = f"{src}-{tgt}"
        routes_arg = {pair: model} if model else None
        translator = counter.translator(
            target_lang=tgt, routes=routes_arg, generation=generation, **engine
        )

        def load(t: Translator = translator, s: str = src, g: str = tgt) -> list[str]:
            return [t.engine(spec).spec.name for spec in t.route(s, g)]

        run = partial(_translate, translator, src, tgt)
        jobs.append((CallableRunner(f"translate {pair}", run, counter=counter, load=load), load))
    for model in args.summary_model:
        counter = TokenCounter()
        summarizer = counter.summarizer(
            model, target_lang=args.lang, generation=generation, **engine
        )

        def names(s: Summarizer = summarizer) -> list[str]:
            return [s.engine().spec.name]

        run = partial(_summarize, summarizer, args.lang)
        name = f"summarize {model}"
        jobs.append((CallableRunner(name, run, counter=counter, load=names), names))
    seen = [runner.name for runner, _ in jobs]
    if len(set(seen)) != len(seen):
        raise ConfigError(f"each job once, please: {', '.join(seen)}")
    return jobs


def _quiet_hugging_face() -> None:
    """-q silences Hugging Face's own bars (weight loading) too."""
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    if "transformers" in sys.modules:  # already imported: the variable was read at import
        sys.modules["transformers"].utils.logging.disable_progress_bar()


def _run(args: argparse.Namespace) -> int:
    say = (lambda _m: None) if args.quiet else (lambda m: print(m, file=sys.stderr, flush=True))
    if args.quiet:
        _quiet_hugging_face()
    try:
        engine = engine_from_args(args)
        batching = batching_from_args(args)
        if args.articles:
            texts, source = _read_articles(args.articles, args.limit)
        else:
            texts, source = _generated(args.limit or GENERATED_ARTICLES), "generated text"
        generation = GenerationOptions(num_beams=args.beams, max_new_tokens=args.max_new_tokens)
        jobs = _jobs(args, {"engine": engine, "batching": batching}, generation)
        # Imported here: it loads torch, which only a run needs (``ringkas --help`` stays fast).
        from ringkas.backends.torch_backend import resolve_device

        device = resolve_device(engine.device)
        load_before = _load()
        work = Workload("bench", texts, source_lang=args.lang)
        timings = measure(
            [runner for runner, _ in jobs],
            work,
            repeats=args.repeats,
            latency_articles=LATENCY_ARTICLES,
            device=device,
            progress=say,
        )
        models = {runner.name: used() for runner, used in jobs}
    except (RingkasError, ImportError) as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    words = sum(len(t.split()) for t in texts)
    rows = []
    for name, timing in timings.items():
        summary = timing.summary()
        rows.append(
            {
                "job": name,
                "models": models[name],
                "articles": timing.articles,
                "words_per_s": round(words / summary["seconds"], 1),
                "output_tokens": timing.output_tokens,
                **summary,
            }
        )
    report = {
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "machine": _machine(device),
        "versions": _versions(),
        "input": {"source": source, "articles": len(texts), "words": words},
        "settings": {
            "repeats": args.repeats,
            "latency_articles": min(LATENCY_ARTICLES, len(texts)),
            "engine": {**dataclasses.asdict(engine), **dataclasses.asdict(batching)},
            "generation": generation.to_dict(),
        },
        "load_average_before": load_before,
        "load_average_after": _load(),
        "jobs": rows,
    }
    print(json.dumps(report, indent=2, ensure_ascii=False) if args.json else markdown(report))
    return 0


def _fmt(value: Any, digits: int = 2) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return str(value)


def markdown(report: Mapping[str, Any]) -> str:
    """The ``ringkas bench`` report as a short Markdown page."""
    machine, settings, data = report["machine"], report["settings"], report["input"]
    engine = ", ".join(f"{k} {_fmt(v)}" for k, v in settings["engine"].items())
    lines = [
        f"# ringkas bench ({report['created']})",
        "",
        f"- machine: {machine['cpu']}, {machine['logical_cpus']} logical CPUs"
        + (f", {machine['memory_gb']} GiB" if "memory_gb" in machine else "")
        + (f", GPU {machine['gpu']}" if "gpu" in machine else "")
        + f"; device `{machine['device']}`",
        "- versions: " + ", ".join(f"{k} {v}" for k, v in report["versions"].items() if v),
        f"- input: {data['articles']} articles, {data['words']:,} words ({data['source']}); "
        f"median of {settings['repeats']} interleaved repeat(s); latency: "
        f"{settings['latency_articles']} articles, one per call",
        f"- engine: {engine}; load average before/after: {report['load_average_before']} / "
        f"{report['load_average_after']}",
        "",
        "| job | model | articles/s | words/s | output tok/s | latency p50 s | p95 s | "
        "peak ΔRSS MB | load RSS MB |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in report["jobs"]:
        gpu = f" (GPU {row['gpu_peak_mb']:.0f} MB)" if row.get("gpu_peak_mb") else ""
        lines.append(
            f"| {row['job']} | {' → '.join(row['models'])} | {_fmt(row['articles_per_s'])} | "
            f"{_fmt(row['words_per_s'], 1)} | {_fmt(row['tokens_per_s'], 1)} | "
            f"{_fmt(row['latency_p50_s'])} | {_fmt(row['latency_p95_s'])} | "
            f"{_fmt(row['peak_rss_delta_mb'], 0)}{gpu} | {_fmt(row['load_rss_mb'], 0)} |"
        )
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m ringkas.bench_cli``: the same as ``ringkas bench``."""
    parser = argparse.ArgumentParser(prog=PROG)
    _configure(parser)
    return _run(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
