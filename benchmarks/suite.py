"""The benchmark suite: settings, one run of everything they ask for, its targets, its CLI.

    python -m benchmarks.suite              # small run: opus-mt size, every engine, Markdown
    python -m benchmarks.suite --tiny       # smoke run on tiny models (seconds)
    python -m benchmarks.suite --full --out benchmarks/results --stem bench-cpu   # = run_cpu.py

Input text is FLORES-200 Indonesian from ``--data-dir`` or ``$RINGKAS_DATA_DIR`` (generated text
without either); models are built locally and cached (``--models-dir``).
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as _dt
import gc
import json
import os
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file: make the repository root importable
    sys.path[0] = str(Path(__file__).resolve().parents[1])

from benchmarks.comparison import (
    _fixed_length,
    quality_on_tiny_models,
    run_comparison,
    run_length_sweep,
    summarization_workload,
    translation_workload,
)
from benchmarks.engines import CPU_ENGINES, default_engine_name, default_engines, parse_engine
from benchmarks.models import (
    MODEL_KINDS,
    BenchModel,
    _quiet_transformers,
    bench_model,
    default_models_dir,
    load_sentences,
)
from benchmarks.report import markdown_report, write_report
from benchmarks.streams import run_stream_memory
from ringkas.backends.loading import clear_engine_cache
from ringkas.bench import Workload, _load, _machine, _versions, ratio
from ringkas.errors import ConfigError

PROG = "benchmarks.suite"


@dataclass
class SuiteSettings:
    """What one benchmark run measures; the defaults are a small run (a minute or two)."""

    size: str = "real"
    models: tuple[str, ...] = ("marian",)
    engines: tuple[str, ...] | None = None
    device: str = "cpu"
    threads: int | None = None
    repeats: int = 1
    new_tokens: int = 16
    articles: int = 4
    sentences_per_article: int = 4
    summary_articles: int = 4
    summary_words: int = 150
    #: Repeats of the (slow) summarisation comparisons.
    summary_repeats: int = 1
    naive_articles: int = 1
    latency_articles: int = 2
    beam_sizes: tuple[int, ...] = (1,)
    sweep: bool = False
    sweep_words: tuple[int, ...] = (250, 500, 1000, 2000, 4000)
    sweep_repeats: int = 2
    stream: bool = False
    stream_sizes: tuple[int, ...] = (10, 1000)
    quality: bool = False
    #: ringkas's padded-token budget per batch (``None``: the library default).
    batch_tokens: int | None = None
    models_dir: Path | None = None
    data_dir: Path | None = None

    @classmethod
    def full(cls, **overrides: Any) -> SuiteSettings:
        """The complete CPU benchmark of ``benchmarks/run_cpu.py`` (several minutes)."""
        values: dict[str, Any] = {
            "models": MODEL_KINDS,
            "repeats": 3,
            "new_tokens": 40,
            "articles": 16,
            "sentences_per_article": 4,
            "summary_articles": 6,
            "summary_words": 150,
            "summary_repeats": 2,
            "naive_articles": 4,
            "latency_articles": 4,
            "beam_sizes": (1, 4),
            "sweep": True,
            "stream": True,
            "stream_sizes": (10, 100, 1000),
            "quality": True,
        }
        values.update(overrides)
        return cls(**values)

    @classmethod
    def smoke(cls, **overrides: Any) -> SuiteSettings:
        """Everything, on tiny models, in seconds: what the test suite runs."""
        values: dict[str, Any] = {
            "size": "tiny",
            "models": MODEL_KINDS,
            "repeats": 1,
            "new_tokens": 6,
            "articles": 3,
            "sentences_per_article": 2,
            "summary_articles": 2,
            "summary_words": 40,
            "naive_articles": 1,
            "latency_articles": 1,
            "beam_sizes": (1,),
            "sweep": True,
            "sweep_words": (100, 400),
            "sweep_repeats": 1,
            "stream": True,
            "stream_sizes": (5, 40),
            "threads": 1,
        }
        values.update(overrides)
        return cls(**values)


def run_suite(
    settings: SuiteSettings, *, progress: Callable[[str], None] | None = None
) -> dict[str, Any]:
    """Every benchmark ``settings`` asks for, as one JSON-ready report (with targets)."""
    import torch

    say = progress or (lambda _msg: None)
    threads = settings.threads or max(1, os.cpu_count() or 1)
    torch.set_num_threads(threads)
    started = time.perf_counter()
    report: dict[str, Any] = {
        "schema": 1,
        "created": _dt.datetime.now(_dt.timezone.utc).isoformat(timespec="seconds"),
        "machine": _machine(settings.device),
        "versions": _versions(),
        "settings": {
            **{
                k: (str(v) if isinstance(v, Path) else v)
                for k, v in dataclasses.asdict(settings).items()
            },
            "threads": threads,
        },
        "load_average_before": _load(),
        "default_engine": default_engine_name(settings.device),
        "comparisons": [],
    }
    data_dir = settings.data_dir
    sentences, source = load_sentences(1000, data_dir=data_dir)
    report["input_text"] = source
    if source == "generated":
        say(
            "no FLORES-200 text (give --data-dir or $RINGKAS_DATA_DIR, the folder holding "
            "flores200/): timing generated text"
        )
    engines = settings.engines or default_engines(settings.device)
    with _quiet_transformers():
        for kind in settings.models:
            model = bench_model(kind, settings.size, settings.models_dir)
            say(f"{kind} ({settings.size}): {model.folder}")
            for beams in settings.beam_sizes:
                if beams > 1 and kind != "marian":
                    continue  # beam cost is shown once, on the translation model
                work = _workload(model, sentences, settings, beams)
                names = [
                    e
                    for e in engines
                    if (beams == 1 or not e.startswith("naive"))
                    and ("@" not in e or (beams == 1 and model.task == "translation"))
                ]
                say(f" {kind} {work.task}, {beams} beam(s), engines: {', '.join(names)}")
                report["comparisons"].append(
                    run_comparison(
                        model,
                        work,
                        names,
                        repeats=settings.repeats
                        if model.task == "translation"
                        else settings.summary_repeats,
                        naive_articles=settings.naive_articles
                        if model.task == "translation"
                        else max(1, settings.naive_articles // 2),
                        latency_articles=settings.latency_articles,
                        device=settings.device,
                        threads=threads,
                        batch_tokens=settings.batch_tokens,
                        progress=say,
                    )
                )
                clear_engine_cache()
                gc.collect()
        if settings.sweep:
            report["length_sweep"] = []
            for kind in ("marian", "mt5"):
                if kind not in settings.models:
                    continue
                model = bench_model(kind, settings.size, settings.models_dir)
                say(f"length sweep: {kind}")
                report["length_sweep"].append(
                    run_length_sweep(
                        model,
                        sentences,
                        words=settings.sweep_words,
                        repeats=settings.sweep_repeats,
                        new_tokens=24 if kind == "marian" else 32,
                        device=settings.device,
                        threads=threads,
                        progress=say,
                    )
                )
                clear_engine_cache()
        if settings.stream and "marian" in settings.models:
            say("stream memory")
            report["stream_memory"] = run_stream_memory(
                bench_model("marian", settings.size, settings.models_dir),
                sentences,
                sizes=settings.stream_sizes,
                device=settings.device,
                threads=threads,
                progress=say,
            )
        if settings.quality:
            say("quality on the tiny trained models")
            report["quality_tiny_trained"] = quality_on_tiny_models(
                settings.models_dir or default_models_dir(), device=settings.device, threads=1
            )
            torch.set_num_threads(threads)
    report["load_average_after"] = _load()
    report["wall_s"] = round(time.perf_counter() - started, 1)
    report["targets"] = evaluate_targets(report)
    return report


def _workload(
    model: BenchModel, sentences: Sequence[str], settings: SuiteSettings, beams: int
) -> Workload:
    options = _fixed_length(beams, settings.new_tokens)
    if model.task == "translation":
        articles = settings.articles if beams == 1 else max(1, settings.articles // 2)
        return translation_workload(
            sentences,
            articles=articles,
            per_article=settings.sentences_per_article,
            options=options,
        )
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(str(model.folder))
    window = model.recipe.max_input_tokens
    return summarization_workload(
        sentences,
        articles=settings.summary_articles,
        words=settings.summary_words,
        options=_fixed_length(beams, max(4, settings.new_tokens * 4 // 5)),
        count_tokens=lambda text: len(tokenizer(text)["input_ids"]),
        window=window,
    )


def evaluate_targets(report: Mapping[str, Any]) -> list[dict[str, Any]]:
    """The issue's targets, each with its measured value and whether it is met."""
    targets: list[dict[str, Any]] = []
    default = report.get("default_engine")
    greedy = next(
        (
            c
            for c in report.get("comparisons", [])
            if c["model"] == "marian" and c["options"].get("num_beams") == 1
        ),
        None,
    )
    if greedy is not None:
        rows = {r["engine"]: r for r in greedy["engines"]}
        precision = default.split("-", 1)[1] if default and default.startswith("ct2-") else None
        raw = rows.get(f"raw-ct2-{precision}") if precision else None
        wrapped = rows.get(default) if default else None
        if raw and wrapped:
            targets.append(
                _target(
                    "ct2_wrapper",
                    f"ringkas {default} vs raw CTranslate2 on the same work",
                    ratio(wrapped["tokens_per_s"], raw["tokens_per_s"]),
                    0.9,
                    ">=",
                )
            )
        if wrapped and wrapped.get("vs_naive") is not None:
            targets.append(
                _target(
                    "default_vs_naive",
                    f"ringkas default CPU path ({default}) vs naive loop",
                    wrapped["vs_naive"],
                    25.0,
                    ">=",
                )
            )
        if wrapped and wrapped.get("vs_hf") is not None:
            targets.append(
                _target(
                    "default_vs_hf",
                    f"ringkas default CPU path ({default}) vs HF fp32 batches",
                    wrapped["vs_hf"],
                    2.0,
                    ">=",
                )
            )
    for sweep in report.get("length_sweep", []):
        if sweep["task"] == "translation":
            first, last = sweep["ratio_between"]
            targets.append(
                _target(
                    "linear_translation",
                    f"translation per-word cost, {last} vs {first} words",
                    sweep["per_word_cost_ratio"],
                    1.3,
                    "<=",
                )
            )
    stream = report.get("stream_memory")
    if stream:
        first, last = stream["ratio_between"]
        targets.append(
            _target(
                "bounded_memory",
                f"peak RSS, stream of {last} vs {first} articles",
                stream["peak_rss_ratio"],
                1.2,
                "<=",
            )
        )
    return targets


def _target(
    name: str, description: str, value: float | None, threshold: float, op: str
) -> dict[str, Any]:
    met = None
    if value is not None:
        met = value >= threshold if op == ">=" else value <= threshold
    return {
        "id": name,
        "description": description,
        "value": value,
        "threshold": f"{op} {threshold}",
        "met": met,
    }


# --------------------------------------------------------------------------------------------
# Reports
# --------------------------------------------------------------------------------------------


def _csv(value: str) -> tuple[str, ...]:
    return tuple(v.strip() for v in value.split(",") if v.strip())


def _ints(value: str) -> tuple[int, ...]:
    try:
        return tuple(int(v) for v in _csv(value))
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated integers, got {value!r}"
        ) from None


def _configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--full",
        action="store_true",
        help="the complete CPU benchmark (minutes): all models, beams 1 and 4, "
        "length sweep, stream memory, quantization quality",
    )
    parser.add_argument(
        "--tiny",
        action="store_true",
        help="smoke run on tiny models (seconds); checks wiring, not speed",
    )
    parser.add_argument(
        "--models",
        type=_csv,
        default=None,
        help=f"comma-separated, from {', '.join(MODEL_KINDS)} (default: marian)",
    )
    parser.add_argument(
        "--engines",
        type=_csv,
        default=None,
        help="comma-separated engine names (default: all for the device): "
        + ", ".join(CPU_ENGINES),
    )
    parser.add_argument("--device", default="cpu", help="cpu (default) or cuda[:N]")
    parser.add_argument(
        "--threads",
        type=int,
        default=None,
        help="threads for torch and CTranslate2 alike (default: all CPUs)",
    )
    parser.add_argument("--repeats", type=int, default=None, help="timed repeats per engine")
    parser.add_argument(
        "--new-tokens", type=int, default=None, help="output tokens per input, fixed (min = max)"
    )
    parser.add_argument(
        "--articles", type=int, default=None, help="translation articles (of 4 sentences each)"
    )
    parser.add_argument("--beams", type=_ints, default=None, help="beam sizes, e.g. 1,4")
    parser.add_argument(
        "--batch-tokens",
        type=int,
        default=None,
        help="ringkas's padded-token budget per batch (default: the library's)",
    )
    parser.add_argument(
        "--sweep",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="cost against article length (250 to 4,000 words)",
    )
    parser.add_argument(
        "--stream",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="peak RSS of a stream of 10 vs 1,000 articles",
    )
    parser.add_argument(
        "--models-dir",
        type=Path,
        default=None,
        help="where built benchmark models are cached "
        "(default: $RINGKAS_CACHE_DIR/bench-models or ~/.cache/ringkas/...)",
    )
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="folder holding flores200/, the input text (default: $RINGKAS_DATA_DIR; "
        "without either, generated text)",
    )
    parser.add_argument(
        "--out", type=Path, default=None, help="folder for bench.json, bench.md and bench.png"
    )
    parser.add_argument("--stem", default="bench", help="file name stem in --out")
    parser.add_argument("--json", action="store_true", help="print JSON instead of Markdown")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")


def settings_from_args(args: argparse.Namespace) -> SuiteSettings:
    """Validate CLI options into :class:`SuiteSettings` (ConfigError on a bad value)."""
    overrides: dict[str, Any] = {}
    if args.models is not None:
        unknown = [m for m in args.models if m not in MODEL_KINDS]
        if unknown or not args.models:
            raise ConfigError(f"--models must be from {MODEL_KINDS}, got {list(args.models)}")
        overrides["models"] = args.models
    if args.engines is not None:
        for name in args.engines:
            parse_engine(name)
        if not args.engines:
            raise ConfigError("--engines is empty")
        overrides["engines"] = args.engines
    for name, key in (
        ("batch_tokens", "batch_tokens"),
        ("threads", "threads"),
        ("repeats", "repeats"),
        ("new_tokens", "new_tokens"),
        ("articles", "articles"),
    ):
        value = getattr(args, name)
        if value is not None:
            if value < 1:
                raise ConfigError(f"--{name.replace('_', '-')} must be >= 1, got {value}")
            overrides[key] = value
    if args.beams is not None:
        if not args.beams or min(args.beams) < 1:
            raise ConfigError(f"--beams must be positive integers, got {list(args.beams)}")
        overrides["beam_sizes"] = args.beams
    if args.sweep is not None:
        overrides["sweep"] = args.sweep
    if args.stream is not None:
        overrides["stream"] = args.stream
    device = str(args.device)
    if device.split(":", 1)[0] not in ("cpu", "cuda"):
        raise ConfigError(f"--device must be cpu or cuda[:N], got {device!r}")
    overrides["device"] = device
    if args.models_dir is not None:
        overrides["models_dir"] = args.models_dir
    if args.data_dir is not None:
        overrides["data_dir"] = args.data_dir
    if args.full and args.tiny:
        raise ConfigError("--full and --tiny exclude each other")
    if args.full:
        return SuiteSettings.full(**overrides)
    if args.tiny:
        return SuiteSettings.smoke(**overrides)
    return SuiteSettings(**overrides)


def _run_cli(args: argparse.Namespace) -> int:
    try:
        settings = settings_from_args(args)
    except ConfigError as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    progress = None if args.quiet else (lambda msg: print(msg, file=sys.stderr, flush=True))
    try:
        report = run_suite(settings, progress=progress)
    except (ConfigError, ImportError) as exc:
        print(f"{PROG}: error: {exc}", file=sys.stderr)
        return 2
    if args.out is not None:
        for path in write_report(report, args.out, args.stem):
            if progress:
                progress(f"wrote {path}")
    print(json.dumps(report, indent=2) if args.json else markdown_report(report))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m benchmarks.suite``: one run, Markdown (or JSON) on stdout."""
    parser = argparse.ArgumentParser(prog=PROG, description=__doc__.split("\n\n")[0])
    _configure(parser)
    return _run_cli(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
