"""Run a translator or summariser over a dataset and score what it wrote.

This is the only part of :mod:`ringkas.evaluate` that touches models, and it imports the model
core (:mod:`ringkas.translate`, :mod:`ringkas.summarize`, hence torch) only when no ready-made
``translator``/``summarizer`` object is passed in. Any object with the same ``translate`` /
``summarize`` method works, which is how the harness is tested without models.
"""

from __future__ import annotations

import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from ringkas.backends.cpu import int8_library
from ringkas.config import BatchOptions, EngineOptions, options_or_default
from ringkas.errors import ConfigError, MissingDependencyError
from ringkas.evaluate.datasets import Dataset
from ringkas.evaluate.metrics import ScoreOptions, score
from ringkas.evaluate.report import EvalReport, make_report

__all__ = [
    "RunResult",
    "SupportsSummarize",
    "SupportsTranslate",
    "run_summarization",
    "run_translation",
]


class SupportsTranslate(Protocol):
    """What the harness needs of a translator (``ringkas.translate.Translator`` has it)."""

    def translate(
        self, texts: list[str], *, source_lang: str | None = ..., target_lang: str = ...
    ) -> Sequence[Any]: ...


class SupportsSummarize(Protocol):
    """What the harness needs of a summariser (``ringkas.summarize.Summarizer`` has it)."""

    def summarize(self, texts: list[str], *, lang: str | None = ...) -> Sequence[Any]: ...


@dataclass(frozen=True)
class RunResult:
    """The system's outputs, in dataset order, and their scored report."""

    hypotheses: tuple[str, ...]
    report: EvalReport

    def to_dict(self) -> dict[str, Any]:
        return {"hypotheses": list(self.hypotheses), "report": self.report.to_dict()}


def _model_name(obj: Any, given: str | None, default: str) -> str:
    """A readable model id: the one given, else what the object says it runs."""
    if given:
        return given
    for attr in ("model_id", "model", "name"):
        value = getattr(obj, attr, None)
        if isinstance(value, str) and value:
            return value
        for inner in ("id", "name"):
            inner_value = getattr(value, inner, None) if value is not None else None
            if isinstance(inner_value, str) and inner_value:
                return inner_value
    return default


def _int8_kernel_library(backend: str, quantization: str, device: str) -> str | None:
    """Which int8 kernels ran: their accuracy differs by CPU (oneDNN saturates without VNNI)."""
    if "int8" not in quantization or not device.startswith("cpu"):
        return None
    if backend == "torch":
        import torch  # already loaded: a torch engine ran

        return str(torch.backends.quantized.engine)
    return int8_library()


def _engine_facts(engine: Any) -> dict[str, Any]:
    """Backend, quantisation and int8 kernel library of an engine that ran."""
    kind = type(engine).__name__
    backend = getattr(engine, "backend", None)
    if not isinstance(backend, str):
        backend = {"CT2Engine": "ct2", "TorchEngine": "torch"}.get(kind, kind)
    device = str(getattr(engine, "device", "cpu"))
    # CTranslate2 reports the compute type it resolved ("default" becomes e.g. float32).
    compute_type = getattr(getattr(engine, "translator", None), "compute_type", None)
    if not isinstance(compute_type, str):
        compute_type = getattr(engine, "compute_type", None)
    if isinstance(compute_type, str):
        quantization = compute_type
    else:
        quantization = str(getattr(engine, "quantize", None) or "none")
    kernels = getattr(engine, "kernel_library", None)
    if not isinstance(kernels, str):
        kernels = _int8_kernel_library(backend, quantization, device)
    facts: dict[str, Any] = {
        "backend": backend,
        "device": device,
        "quantization": quantization,
        "kernel_library": kernels,
    }
    spec = getattr(engine, "spec", None)
    if spec is not None and isinstance(getattr(spec, "name", None), str):
        facts = {"model": spec.name, **facts}
    return facts


def _engines_used(system: Any, source_lang: str | None, target_lang: str | None) -> list[Any]:
    """The (already loaded, cached) engines a Translator or Summarizer ran; [] for other objects."""
    try:
        if hasattr(system, "route") and hasattr(system, "engine"):  # a Translator
            if not source_lang or source_lang == target_lang:
                return []
            return [system.engine(spec) for spec in system.route(source_lang, target_lang)]
        if getattr(system, "method", None) == "abstractive" and hasattr(system, "engine"):
            return [system.engine()]
    except Exception:  # a stand-in object or an unusual route: report what was asked instead
        return []
    return []


def _requested(engine: EngineOptions) -> dict[str, Any]:
    """The engine options asked for, as the report's ``generation`` block names them."""
    return {"device": engine.device, "backend": engine.backend, "quantize": engine.quantize}


def _generation_block(
    requested: Mapping[str, Any], engines: Sequence[Any], generation: Mapping[str, Any]
) -> dict[str, Any]:
    """What was asked for, overwritten by what actually ran (backend, quantisation, kernels)."""
    block: dict[str, Any] = {**requested, "quantization": None, "kernel_library": None}
    facts = [_engine_facts(e) for e in engines]
    if facts:
        main = facts[-1]  # the summariser, or the last hop of a translation route
        block.update({k: main[k] for k in ("backend", "device", "quantization", "kernel_library")})
        if len(facts) > 1:
            block["engines"] = facts
    block.update(generation)
    return block


def _texts(results: Sequence[Any], n: int, what: str) -> list[str]:
    if len(results) != n:
        raise ConfigError(f"the {what} returned {len(results)} results for {n} inputs")
    texts = []
    for i, result in enumerate(results):
        text = getattr(result, "text", None)
        if not isinstance(text, str):
            raise ConfigError(f"the {what}'s result {i} has no text attribute")
        texts.append(text)
    return texts


def _run_stats(results: Sequence[Any]) -> dict[str, Any]:
    """Counts that show whether anything was cut or split (fields absent on fakes are skipped)."""
    stats: dict[str, Any] = {}
    truncated = [bool(getattr(r, "truncated", False)) for r in results]
    stats["n_truncated"] = sum(truncated)
    for attr in ("n_chunks", "n_segments", "n_split_sentences", "passthrough"):
        values = [getattr(r, attr) for r in results if hasattr(r, attr)]
        if values:
            stats[f"total_{attr}"] = sum(int(v) for v in values)
    return stats


def _check_task(dataset: Dataset, task: str, function: str) -> None:
    if dataset.task != task:
        other = "run_summarization" if task == "translation" else "run_translation"
        raise ConfigError(
            f"{function} needs a {task} dataset, but {dataset.name!r} is a {dataset.task} "
            f"dataset (use {other})"
        )


def _construct(factory: Any, what: str, model: str | None, **kwargs: Any) -> Any:
    try:
        return factory(model, **kwargs)
    except TypeError as exc:
        raise ConfigError(f"invalid option for the {what}: {exc}") from exc


def run_translation(
    dataset: Dataset,
    *,
    translator: SupportsTranslate | None = None,
    model: str | None = None,
    engine: EngineOptions | None = None,
    batching: BatchOptions | None = None,
    generation: Mapping[str, Any] | None = None,
    options: ScoreOptions | None = None,
    limit: int | None = None,
) -> RunResult:
    """Translate ``dataset``'s sources and score them (default: BLEU, chrF, chrF++ with CIs).

    Without ``translator``, builds ``ringkas.translate.Translator(model, engine=engine,
    batching=batching, **generation)``; ``generation`` holds decoding options such as
    ``num_beams``. The default engine is the library's (``EngineOptions()``: the fastest here);
    ``EngineOptions(backend="torch", quantize="none")`` gives reference scores. The report's
    ``generation`` records what was asked for and the backend, quantisation and int8 kernel
    library that actually ran.
    """
    _check_task(dataset, "translation", "run_translation")
    dataset = dataset.head(limit)
    options = options or ScoreOptions(metrics=("bleu", "chrf", "chrf++"), lang=dataset.target_lang)
    generation = dict(generation or {})
    engine = options_or_default(engine, EngineOptions, "engine")
    batching = options_or_default(batching, BatchOptions, "batching")
    started = time.perf_counter()
    if translator is None:
        try:
            from ringkas.translate import Translator
        except ImportError as exc:
            raise MissingDependencyError(
                f"running a translation model needs ringkas's model stack: {exc}"
            ) from exc
        translator = _construct(
            Translator, "translator", model, engine=engine, batching=batching, **generation
        )
    loaded = time.perf_counter()
    results = translator.translate(
        dataset.sources,
        source_lang=dataset.source_lang,
        target_lang=dataset.target_lang or "en",
    )
    generated = time.perf_counter()
    hypotheses = _texts(results, len(dataset), "translator")
    scores = score(
        hypotheses, dataset.reference_streams(), sources=dataset.sources, options=options
    )
    finished = time.perf_counter()
    report = make_report(
        system=_model_name(translator, model, "default"),
        dataset=dataset,
        scores=scores,
        options=options,
        generation=_generation_block(
            {
                "model": _model_name(translator, model, "default"),
                **_requested(engine),
                "batch_tokens": batching.max_tokens,
            },
            _engines_used(translator, dataset.source_lang, dataset.target_lang or "en"),
            generation,
        ),
        stats=_run_stats(results),
        timings=_timings(started, loaded, generated, finished, len(dataset)),
    )
    return RunResult(tuple(hypotheses), report)


def run_summarization(
    dataset: Dataset,
    *,
    summarizer: SupportsSummarize | None = None,
    model: str | None = None,
    method: str = "abstractive",
    engine: EngineOptions | None = None,
    batching: BatchOptions | None = None,
    generation: Mapping[str, Any] | None = None,
    options: ScoreOptions | None = None,
    limit: int | None = None,
) -> RunResult:
    """Summarise ``dataset``'s sources and score them (default: ROUGE-1/2/L/Lsum with CIs).

    Without ``summarizer``, builds ``ringkas.summarize.Summarizer(model, method=...,
    engine=engine, batching=batching, **generation)``; ``engine`` and the report's
    ``generation`` block as in :func:`run_translation`.
    """
    _check_task(dataset, "summarization", "run_summarization")
    dataset = dataset.head(limit)
    options = options or ScoreOptions(metrics=("rouge",), lang=dataset.target_lang)
    generation = dict(generation or {})
    engine = options_or_default(engine, EngineOptions, "engine")
    batching = options_or_default(batching, BatchOptions, "batching")
    started = time.perf_counter()
    if summarizer is None:
        try:
            from ringkas.summarize import Summarizer
        except ImportError as exc:
            raise MissingDependencyError(
                f"running a summarisation model needs ringkas's model stack: {exc}"
            ) from exc
        summarizer = _construct(
            Summarizer,
            "summarizer",
            model,
            method=method,
            engine=engine,
            batching=batching,
            **generation,
        )
    loaded = time.perf_counter()
    results = summarizer.summarize(dataset.sources, lang=dataset.source_lang)
    generated = time.perf_counter()
    hypotheses = _texts(results, len(dataset), "summarizer")
    scores = score(
        hypotheses, dataset.reference_streams(), sources=dataset.sources, options=options
    )
    finished = time.perf_counter()
    # Extractive methods use no model: name the method, not the summariser's default model.
    name = _model_name(summarizer, model, "default") if method == "abstractive" else model or method
    report = make_report(
        system=name,
        dataset=dataset,
        scores=scores,
        options=options,
        generation=_generation_block(
            {"model": name, "method": method, **_requested(engine)},
            _engines_used(summarizer, dataset.source_lang, dataset.target_lang),
            generation,
        ),
        stats=_run_stats(results),
        timings=_timings(started, loaded, generated, finished, len(dataset)),
    )
    return RunResult(tuple(hypotheses), report)


def _timings(
    started: float, loaded: float, generated: float, finished: float, n: int
) -> dict[str, float]:
    generate = generated - loaded
    return {
        "load_s": loaded - started,
        "generate_s": generate,
        "score_s": finished - generated,
        "total_s": finished - started,
        "examples_per_s": n / generate if generate > 0 else 0.0,
    }
