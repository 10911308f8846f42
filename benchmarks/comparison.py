"""What the suite measures: engine comparisons, batch and length sweeps, quantization quality.

Every number comes from one run on one machine, engines interleaved (repeat by repeat, in
rotating order) after a warm-up, with the same thread count for torch and CTranslate2 and the
same decoding work for every engine: models have random weights (no download), so output
lengths are fixed with ``min_new_tokens = max_new_tokens`` and each engine's output token count
is checked.
"""

from __future__ import annotations

import gc
import shutil
import statistics
import time
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from typing import Any

from benchmarks.engines import _RawCT2, _RingkasPath, make_engine
from benchmarks.models import BenchModel, _article, make_article
from ringkas.backends import ct2_available, resolve_engine_options
from ringkas.backends.loading import clear_engine_cache
from ringkas.bench import PeakSampler, TokenCounter, Workload, measure, ratio, to_mb
from ringkas.config import EngineOptions, GenerationOptions
from ringkas.errors import ConfigError
from ringkas.summarize import Summarizer
from ringkas.testing import (
    ID_EN_PAIRS,
    LONG_SENTENCE_CLAUSES,
    SUMMARY_PAIRS,
    build_tiny_models,
)
from ringkas.translate import Translator


def translation_workload(
    sentences: Sequence[str], *, articles: int, per_article: int, options: GenerationOptions
) -> Workload:
    """``articles`` articles of ``per_article`` sentences; baselines get the sentences."""
    units = [list(sentences[i * per_article : (i + 1) * per_article]) for i in range(articles)]
    if any(len(u) < per_article for u in units):
        raise ConfigError("not enough sentences for the translation workload")
    return Workload("translation", [" ".join(u) for u in units], units, options)


def summarization_workload(
    sentences: Sequence[str],
    *,
    articles: int,
    words: int,
    options: GenerationOptions,
    count_tokens: Callable[[str], int],
    window: int,
) -> Workload:
    """``articles`` articles of about ``words`` words, each within the model's window."""
    docs: list[str] = []
    position = 0
    while len(docs) < articles:
        chosen: list[str] = []
        count = 0
        while count < words and position < len(sentences):
            candidate = [*chosen, sentences[position]]
            if chosen and count_tokens(" ".join(candidate)) > window:
                break
            chosen = candidate
            count += len(sentences[position].split())
            position += 1
        if not chosen:
            raise ConfigError("not enough sentences for the summarisation workload")
        docs.append(" ".join(chosen))
    return Workload("summarization", docs, [[d] for d in docs], options)


def _fixed_length(beams: int, new_tokens: int) -> GenerationOptions:
    return GenerationOptions(
        num_beams=beams,
        max_new_tokens=new_tokens,
        min_new_tokens=new_tokens,
        no_repeat_ngram_size=0,
        length_penalty=1.0,
        repetition_penalty=1.0,
    )


def run_comparison(
    model: BenchModel,
    work: Workload,
    engines: Sequence[str],
    *,
    repeats: int = 3,
    naive_articles: int = 4,
    latency_articles: int = 4,
    device: str = "cpu",
    threads: int | None = None,
    batch_tokens: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Time ``engines`` on ``work`` with :func:`ringkas.bench.measure`.

    The naive loop runs on the first ``naive_articles`` articles only (its rate does not
    depend on how many it does); per-article latency is measured with one article per call.
    """
    runners = [make_engine(name, model, device=device, threads=threads) for name in engines]
    for runner in runners:
        if isinstance(runner, _RingkasPath):
            runner.batch_tokens = batch_tokens
    all_articles = list(range(len(work.articles)))
    naive_indices = all_articles[: max(1, min(naive_articles, len(all_articles)))]
    timings = measure(
        runners,
        work,
        repeats=repeats,
        latency_articles=latency_articles,
        subsets={r.name: naive_indices for r in runners if r.kind == "naive"},
        device=device,
        progress=progress,
    )
    n_latency = max(1, min(latency_articles, len(all_articles)))
    outputs = {name: timing.texts for name, timing in timings.items()}
    for runner in runners:  # raw CT2 outputs, decoded outside the timed region
        if isinstance(runner, _RawCT2):
            runner.run(all_articles)
            outputs[runner.name] = runner.decode_last()
    results: list[dict[str, Any]] = []
    for runner in runners:
        timing = timings[runner.name]
        indices = naive_indices if runner.kind == "naive" else all_articles
        expected = work.expected_tokens(indices)
        results.append(
            {
                "engine": runner.name,
                "label": runner.label,
                "kind": runner.kind,
                "precision": runner.precision,
                "articles": timing.articles,
                "units": timing.units,
                "output_tokens": timing.output_tokens,
                "expected_tokens": expected,
                "equal_work": timing.output_tokens == expected,
                **timing.summary(),
            }
        )
    by_name = {r["engine"]: r for r in results}
    naive = next((r for r in results if r["kind"] == "naive"), None)
    hf = next((r for r in results if r["kind"] == "hf"), None)
    for r in results:
        r["vs_naive"] = ratio(r["tokens_per_s"], naive["tokens_per_s"]) if naive else None
        r["vs_hf"] = ratio(r["tokens_per_s"], hf["tokens_per_s"]) if hf else None
    return {
        "model": model.kind,
        "size": model.size,
        "task": work.task,
        "architecture": model.recipe.description,
        "options": work.options.to_dict(),
        "workload": {
            "articles": len(work.articles),
            "units": sum(len(u) for u in work.units),
            "naive_articles": len(naive_indices),
            "latency_articles": n_latency,
            "words": sum(len(a.split()) for a in work.articles),
        },
        "repeats": repeats,
        "batch_tokens": batch_tokens,
        "engines": results,
        "agreement": _agreement(outputs, by_name, work.task),
    }


def _agreement(
    outputs: Mapping[str, list[str]], by_name: Mapping[str, Any], task: str
) -> dict[str, Any]:
    """How far each engine's outputs are from the fp32 reference (exact match rate, BLEU).

    Random weights make near-ties common, so int8 disagreement here is a worst case; the tiny
    trained models (``quality``) show what quantization does to a confident model.
    """
    reference_name = next(
        (n for n in ("torch", "torch-float32", "ct2-float32") if outputs.get(n)),
        None,
    )
    if reference_name is None:
        return {}
    reference = outputs[reference_name]
    rows: dict[str, Any] = {"reference": reference_name}
    for name, texts in outputs.items():
        if name == reference_name or not texts or by_name[name]["kind"] in ("naive", "hf"):
            continue  # HF generate forces EOS at the last position: not comparable at min=max
        pairs = list(zip(texts, reference, strict=False))
        exact = sum(a == b for a, b in pairs) / len(pairs) if pairs else None
        row: dict[str, Any] = {"exact_match": None if exact is None else round(exact, 3)}
        try:  # chrF, not BLEU: junk from random weights has few spaces, hence few 4-grams
            import sacrebleu

            row["chrf_vs_reference"] = round(
                sacrebleu.corpus_chrf([a for a, _ in pairs], [[b for _, b in pairs]]).score, 2
            )
        except ImportError:
            pass
        rows[name] = row
    return rows


def run_batch_sweep(
    model: BenchModel,
    work: Workload,
    engines: Sequence[str],
    batch_sizes: Sequence[int],
    *,
    device: str = "cpu",
    threads: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> list[dict[str, Any]]:
    """Throughput and memory of ringkas engines against batch size (GPU: up to the memory).

    A size that fails (out of memory even after ringkas's halving) ends that engine's sweep.
    """
    say = progress or (lambda _msg: None)
    cuda = device.startswith("cuda")
    indices = list(range(len(work.articles)))
    rows: list[dict[str, Any]] = []
    for name in engines:
        for size in batch_sizes:
            runner = make_engine(name, model, device=device, threads=threads)
            if not isinstance(runner, _RingkasPath):
                raise ConfigError(f"the batch sweep times ringkas engines only, not {name!r}")
            runner.max_batch_size = size
            row: dict[str, Any] = {"engine": name, "max_batch_size": size}
            try:
                runner.prepare(work)
                runner.warmup()
                with PeakSampler(cuda=cuda) as sampler:
                    began = time.perf_counter()
                    out = runner.run(indices)
                    elapsed = time.perf_counter() - began
            except Exception as exc:  # out of memory, typically: the sweep stops here
                row["error"] = f"{type(exc).__name__}: {exc}"[:300]
                rows.append(row)
                say(f"  {name} batch {size}: {row['error']}")
                break
            row.update(
                seconds=round(elapsed, 4),
                output_tokens=out.tokens,
                tokens_per_s=round(out.tokens / elapsed, 1),
                peak_rss_delta_mb=to_mb(sampler.delta),
                gpu_peak_mb=to_mb(sampler.gpu_peak_allocated),
                gpu_device_used_mb=to_mb(
                    None
                    if sampler.gpu_peak_used is None or sampler.gpu_baseline_used is None
                    else sampler.gpu_peak_used - sampler.gpu_baseline_used
                ),
            )
            say(f"  {name} batch {size}: {row['tokens_per_s']} tok/s")
            rows.append(row)
        clear_engine_cache()
        gc.collect()
    return rows


def run_length_sweep(
    model: BenchModel,
    sentences: Sequence[str],
    *,
    words: Sequence[int] = (250, 500, 1000, 2000, 4000),
    repeats: int = 2,
    new_tokens: int = 24,
    backend: str = "auto",
    quantize: str = "auto",
    device: str = "cpu",
    threads: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Cost of one article against its length (translation, or map-reduce summarisation).

    Each length gets its own sentences (ringkas generates repeated text once, which would
    flatter long articles); lengths are interleaved within each repeat.
    """
    say = progress or (lambda _msg: None)
    engine = resolve_engine_options(
        EngineOptions(backend=backend, quantize=quantize, device=device, num_threads=threads)
    )
    backend, quantize = engine.backend, engine.quantize
    options = _fixed_length(1, new_tokens)
    counter = TokenCounter()
    common: dict[str, Any] = {"engine": engine}
    spec = model.spec()
    articles: dict[int, str] = {}
    position = 0
    for n in words:
        articles[n], position = _article(sentences, position, n)
    run: Callable[[str], dict[str, Any]]
    if model.task == "translation":
        translator = counter.translator(spec, generation=options, **common)

        def run(text: str) -> dict[str, Any]:
            [result] = translator.translate([text], source_lang="id")
            return {"segments": result.n_segments, "truncated": result.truncated}

    else:
        summarizer = counter.summarizer(spec, target_lang="id", generation=options, **common)

        def run(text: str) -> dict[str, Any]:
            [result] = summarizer.summarize([text], lang="id")
            return {"chunks": result.n_chunks, "rounds": result.n_rounds}

    run(make_article(sentences[-40:], 60))  # warm-up
    seconds: dict[int, list[float]] = {n: [] for n in words}
    details: dict[int, dict[str, Any]] = {}
    tokens: dict[int, int] = {}
    for rep in range(repeats):
        order = list(words) if rep % 2 == 0 else list(reversed(words))
        for n in order:
            before = counter.tokens
            gc.collect()
            began = time.perf_counter()
            details[n] = run(articles[n])
            seconds[n].append(time.perf_counter() - began)
            tokens[n] = counter.tokens - before
            say(f"  {model.task} {n} words: {seconds[n][-1]:.2f} s")
    rows = []
    for n in words:
        actual = len(articles[n].split())
        median_s = statistics.median(seconds[n])
        rows.append(
            {
                "words": n,
                "actual_words": actual,
                "seconds": round(median_s, 4),
                "seconds_runs": [round(s, 4) for s in seconds[n]],
                "ms_per_word": round(1000 * median_s / actual, 4),
                "output_tokens": tokens[n],
                **details[n],
            }
        )
    first, last = rows[0], rows[-1]
    return {
        "model": model.kind,
        "size": model.size,
        "task": model.task,
        "engine": f"{backend}-{'float32' if quantize == 'none' else quantize}",
        "new_tokens_per_call": new_tokens,
        "repeats": repeats,
        "rows": rows,
        "per_word_cost_ratio": ratio(last["ms_per_word"], first["ms_per_word"]),
        "ratio_between": [first["words"], last["words"]],
    }


def quality_on_tiny_models(
    models_dir: Path, *, device: str = "cpu", threads: int | None = None
) -> dict[str, Any]:
    """Exact-match rate of each precision on the tiny *trained* models (confident outputs)."""
    root = Path(models_dir) / "tiny-trained-v1"
    if not (root / "done").is_file():
        shutil.rmtree(root, ignore_errors=True)
        build_tiny_models(root)
        (root / "done").write_text("ok", encoding="utf-8")
    variants: list[tuple[str, dict[str, Any]]] = [
        ("torch", {"backend": "torch", "quantize": "none"}),
        ("torch-int8", {"backend": "torch", "quantize": "int8"}),
    ]
    if ct2_available():
        variants += [
            ("ct2-float32", {"backend": "ct2", "quantize": "float32"}),
            ("ct2-int8", {"backend": "ct2", "quantize": "int8"}),
        ]
    pairs = list(ID_EN_PAIRS) + list(LONG_SENTENCE_CLAUSES)
    rows: dict[str, Any] = {}
    for name, options in variants:
        engine = EngineOptions(device=device, num_threads=threads, **options)
        translator = Translator(str(root / "tiny-id-en"), engine=engine)
        got = translator.translate([s for s, _ in pairs], source_lang="id")
        summarizer = Summarizer(str(root / "tiny-summarizer"), engine=engine)
        summaries = summarizer.summarize([a for a, _ in SUMMARY_PAIRS], lang="id")
        rows[name] = {
            "translation_exact": round(
                sum(r.text == t for r, (_, t) in zip(got, pairs, strict=True)) / len(pairs), 3
            ),
            "summary_exact": round(
                sum(r.text == t for r, (_, t) in zip(summaries, SUMMARY_PAIRS, strict=True))
                / len(SUMMARY_PAIRS),
                3,
            ),
        }
        clear_engine_cache()
    return {"translations": len(pairs), "summaries": len(SUMMARY_PAIRS), "engines": rows}


# --------------------------------------------------------------------------------------------
# The suite
