"""Timing harness: throughput, latency and peak memory of any ringkas engine or callable.

Speed claims are only worth what their comparison is worth, so :func:`measure` times every
runner on the same :class:`Workload` in one process: load and warm up each, then repeats
interleaved in rotating order, medians reported, memory sampled while each run works::

    from ringkas.bench import CallableRunner, TokenCounter, Workload, measure

    counter = TokenCounter()
    translator = counter.translator("opus-mt-id-en")
    run = lambda docs: [r.text for r in translator.translate(docs, source_lang="id")]
    timing = measure([CallableRunner("mine", run, counter=counter)], Workload("t", docs))["mine"]
    print(timing.summary())  # tokens/s, articles/s, latency p50/p95, peak RSS ...

``ringkas bench`` (:mod:`ringkas.bench_cli`) does this for the models a user names. The
comparison with other engines (naive loop, HF ``generate``, raw CTranslate2) on random-weight
models with real architectures is the repository's ``benchmarks/`` package, built on this
module. Nothing here imports torch or ctranslate2 until something runs.
"""

from __future__ import annotations

import gc
import math
import os
import platform
import random
import statistics
import threading
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import Any, Protocol

from ringkas.backends import Engine, Generated
from ringkas.backends.cpu import has_vnni, int8_exact, int8_library
from ringkas.config import GenerationOptions
from ringkas.errors import ConfigError
from ringkas.models import ModelSpec
from ringkas.summarize import Summarizer
from ringkas.translate import Translator

__all__ = [
    "CallableRunner",
    "Output",
    "PeakSampler",
    "Runner",
    "Timing",
    "TokenCounter",
    "Workload",
    "generated_sentences",
    "measure",
    "percentile",
    "ratio",
    "rss_bytes",
]

# fmt: off
_SYLLABLES = (
    "ba", "ka", "ma", "pe", "ri", "sa", "ta", "an", "ku", "la", "di", "ju", "ra", "me", "ne",
    "pu", "gi", "se", "lu", "ng", "wa", "ha", "da", "ti", "ro", "ya", "ke", "mu", "bi", "po",
)
# fmt: on


def generated_sentences(n: int, *, seed: int = 0) -> list[str]:
    """Deterministic Indonesian-looking sentences, for timing when no real text is at hand."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        words = [
            "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(1, 4)))
            for _ in range(rng.randint(10, 24))
        ]
        out.append(" ".join(words).capitalize() + ".")
    return out


def rss_bytes() -> int | None:
    """This process's resident memory (psutil, else ``/proc``), ``None`` where unknown."""
    try:
        import psutil

        return int(psutil.Process().memory_info().rss)
    except ImportError:
        pass
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
        return pages * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, IndexError, AttributeError):
        return None


def to_mb(value: float | None) -> float | None:
    return None if value is None else round(value / 2**20, 1)


class PeakSampler:
    """Peak RSS (and GPU memory on CUDA) while a block runs, sampled every 5 ms in a thread."""

    def __init__(self, *, cuda: bool = False, interval: float = 0.005) -> None:
        self.cuda = cuda
        self.interval = interval
        self.baseline: int | None = None
        self.peak: int | None = None
        self.gpu_peak_allocated: int | None = None
        self.gpu_peak_used: int | None = None
        self.gpu_baseline_used: int | None = None
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def _gpu_used(self) -> int | None:
        import torch

        free, total = torch.cuda.mem_get_info()
        return int(total - free)

    def _sample(self) -> None:
        while not self._stop.is_set():
            rss = rss_bytes()
            if rss is not None and (self.peak is None or rss > self.peak):
                self.peak = rss
            if self.cuda:
                used = self._gpu_used()
                if used is not None and (self.gpu_peak_used is None or used > self.gpu_peak_used):
                    self.gpu_peak_used = used
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakSampler:
        self.baseline = self.peak = rss_bytes()
        if self.cuda:
            import torch

            torch.cuda.synchronize()
            torch.cuda.reset_peak_memory_stats()
            self.gpu_baseline_used = self.gpu_peak_used = self._gpu_used()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        if self.cuda:
            import torch

            torch.cuda.synchronize()
            self.gpu_peak_allocated = int(torch.cuda.max_memory_allocated())
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        rss = rss_bytes()
        if rss is not None and (self.peak is None or rss > self.peak):
            self.peak = rss

    @property
    def delta(self) -> int | None:
        if self.peak is None or self.baseline is None:
            return None
        return self.peak - self.baseline


def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile (``q`` in [0, 100]) of a non-empty sequence."""
    if not values:
        raise ValueError("percentile of an empty sequence")
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low = math.floor(rank)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def ratio(a: float | None, b: float | None) -> float | None:
    """``a / b`` to three decimals; ``None`` when either is missing or ``b`` is 0."""
    if a is None or b is None or b == 0:
        return None
    return round(a / b, 3)


class TokenCounter:
    """Counts output tokens of engine calls made through :meth:`wrap` (ringkas returns texts)."""

    def __init__(self) -> None:
        self.tokens = 0
        self.segments = 0

    def wrap(self, engine: Engine) -> Engine:
        return _CountingEngine(engine, self)

    def translator(self, model: str | ModelSpec | None = None, **options: Any) -> Translator:
        """A :class:`Translator` (same arguments) whose engines count into this counter."""
        counter = self

        class CountingTranslator(Translator):
            def engine(self, spec: ModelSpec) -> Engine:
                return counter.wrap(super().engine(spec))

        return CountingTranslator(model, **options)

    def summarizer(self, model: str | ModelSpec | None = None, **options: Any) -> Summarizer:
        """A :class:`Summarizer` (same arguments) whose engine counts into this counter."""
        counter = self

        class CountingSummarizer(Summarizer):
            def engine(self) -> Engine:
                return counter.wrap(super().engine())

        return CountingSummarizer(model, **options)


class _CountingEngine:
    def __init__(self, inner: Engine, counter: TokenCounter) -> None:
        self.inner = inner
        self.counter = counter
        self.spec = inner.spec
        self.device = inner.device

    def encode(self, texts: Sequence[str], *, source_lang: str | None = None) -> list[list[int]]:
        return self.inner.encode(texts, source_lang=source_lang)

    def count_tokens(self, text: str, *, source_lang: str | None = None) -> int:
        return self.inner.count_tokens(text, source_lang=source_lang)

    def default_options(self) -> GenerationOptions:
        return self.inner.default_options()

    def generate(
        self,
        inputs: Sequence[Sequence[int]],
        *,
        target_lang: str | None = None,
        options: GenerationOptions,
    ) -> list[Generated]:
        out = self.inner.generate(inputs, target_lang=target_lang, options=options)
        self.counter.tokens += sum(g.n_tokens for g in out)
        self.counter.segments += len(out)
        return out


@dataclass
class Workload:
    """The same work for every runner: articles, and their units for runners that want them.

    ``units[i]`` are what a baseline feeds a model for article ``i`` (its sentences, say);
    by default each article is its own unit.
    """

    task: str
    articles: list[str]
    units: list[list[str]] = field(default_factory=list)
    options: GenerationOptions = field(default_factory=GenerationOptions)
    source_lang: str = "id"

    def __post_init__(self) -> None:
        if not self.articles:
            raise ConfigError("a workload needs at least one article")
        if not self.units:
            self.units = [[a] for a in self.articles]

    @property
    def new_tokens(self) -> int:
        return int(self.options.max_new_tokens or 0)

    def expected_tokens(self, indices: Sequence[int]) -> int:
        return sum(len(self.units[i]) for i in indices) * self.new_tokens


@dataclass
class Output:
    """What one run returns: texts, output tokens, and per-article seconds if it timed them."""

    texts: list[str]
    tokens: int
    per_article_s: list[float] = field(default_factory=list)


class Runner(Protocol):
    """One thing under test: ``prepare`` (load) once, ``warmup``, then ``run`` many times."""

    name: str

    def prepare(self, work: Workload) -> None: ...

    def warmup(self) -> None: ...

    def run(self, indices: Sequence[int]) -> Output: ...


class CallableRunner:
    """Times ``fn(articles) -> texts``; ``load`` runs in ``prepare`` (so load RSS counts it),
    and ``counter`` (see :meth:`TokenCounter.translator`) supplies output token counts."""

    def __init__(
        self,
        name: str,
        fn: Callable[[list[str]], Sequence[str]],
        *,
        counter: TokenCounter | None = None,
        load: Callable[[], object] | None = None,
    ) -> None:
        self.name = name
        self.fn = fn
        self.counter = counter
        self.load = load
        self.work: Workload | None = None

    def prepare(self, work: Workload) -> None:
        self.work = work
        if self.load is not None:
            self.load()

    def warmup(self) -> None:
        self.run([0])

    def run(self, indices: Sequence[int]) -> Output:
        if self.work is None:
            raise RuntimeError(f"{self.name}: prepare() must run before run()")
        before = self.counter.tokens if self.counter else 0
        texts = list(self.fn([self.work.articles[i] for i in indices]))
        return Output(texts, self.counter.tokens - before if self.counter else 0)


@dataclass
class Timing:
    """What :func:`measure` recorded for one runner (raw values; :meth:`summary` rounds)."""

    name: str
    articles: int
    units: int
    output_tokens: int = 0
    seconds_runs: list[float] = field(default_factory=list)
    latencies: list[float] = field(default_factory=list)
    rss_delta_mb: list[float] = field(default_factory=list)
    peak_rss_mb: float | None = None
    load_rss_mb: float | None = None
    gpu_peak_mb: float | None = None
    #: Outputs of the first timed run.
    texts: list[str] = field(default_factory=list)

    def summary(self) -> dict[str, Any]:
        """Medians, rates, latency percentiles and memory, as the reports give them."""
        median_s = statistics.median(self.seconds_runs)
        return {
            "seconds_runs": [round(t, 4) for t in self.seconds_runs],
            "seconds": round(median_s, 4),
            "tokens_per_s": round(self.output_tokens / median_s, 2),
            "tokens_per_s_runs": [round(self.output_tokens / t, 2) for t in self.seconds_runs],
            "articles_per_s": round(self.articles / median_s, 3),
            "latency_p50_s": round(percentile(self.latencies, 50), 4),
            "latency_p95_s": round(percentile(self.latencies, 95), 4),
            "latency_samples": len(self.latencies),
            "peak_rss_delta_mb": (
                round(statistics.median(self.rss_delta_mb), 1) if self.rss_delta_mb else None
            ),
            "process_peak_rss_mb": None if self.peak_rss_mb is None else round(self.peak_rss_mb, 1),
            "load_rss_mb": self.load_rss_mb,
            "gpu_peak_mb": None if self.gpu_peak_mb is None else round(self.gpu_peak_mb, 1),
        }


def measure(
    runners: Sequence[Runner],
    work: Workload,
    *,
    repeats: int = 3,
    latency_articles: int = 4,
    subsets: Mapping[str, Sequence[int]] | None = None,
    device: str = "cpu",
    progress: Callable[[str], None] | None = None,
) -> dict[str, Timing]:
    """Time ``runners`` on ``work``: load and warm up each, then ``repeats`` interleaved passes.

    Every pass runs each runner once, in rotating order, on all articles (or on its entry in
    ``subsets``). Latency is then one call per article on the first ``latency_articles``,
    except for runners whose runs already timed each article (``Output.per_article_s``).
    """
    say = progress or (lambda _msg: None)
    cuda = device.startswith("cuda")
    order = list(runners)
    every = list(range(len(work.articles)))
    chosen = {r.name: list((subsets or {}).get(r.name, every)) for r in order}
    timings = {
        r.name: Timing(r.name, len(chosen[r.name]), sum(len(work.units[i]) for i in chosen[r.name]))
        for r in order
    }
    for runner in order:  # weights are memory-mapped: RSS counts them once a run touched them
        say(f"  load and warm up {runner.name}")
        gc.collect()
        before = rss_bytes()
        runner.prepare(work)
        runner.warmup()
        after = rss_bytes()
        # Never below 0: freed memory reused by this runner is not memory it "gave back".
        timings[runner.name].load_rss_mb = (
            to_mb(max(0, after - before)) if after and before else None
        )
    for rep in range(repeats):
        shift = rep % len(order)
        gc.collect()  # once per round: a full collection costs ~0.3 s with transformers loaded
        for runner in order[shift:] + order[:shift]:
            timing = timings[runner.name]
            with PeakSampler(cuda=cuda) as sampler:
                began = time.perf_counter()
                out = runner.run(chosen[runner.name])
                elapsed = time.perf_counter() - began
            say(f"  repeat {rep + 1}/{repeats} {runner.name}: {elapsed:.2f} s")
            timing.seconds_runs.append(elapsed)
            timing.output_tokens = out.tokens
            if rep == 0:
                timing.texts = out.texts
            if sampler.delta is not None:
                timing.rss_delta_mb.append(sampler.delta / 2**20)
            if sampler.peak is not None:
                timing.peak_rss_mb = max(timing.peak_rss_mb or 0.0, sampler.peak / 2**20)
            used = sampler.gpu_peak_allocated
            if sampler.gpu_peak_used is not None and sampler.gpu_baseline_used is not None:
                used = max(used or 0, sampler.gpu_peak_used - sampler.gpu_baseline_used)
            if used is not None:
                timing.gpu_peak_mb = max(timing.gpu_peak_mb or 0.0, used / 2**20)
            timing.latencies.extend(out.per_article_s)
    n_latency = max(1, min(latency_articles, len(every)))
    for runner in order:
        if timings[runner.name].latencies:
            continue
        for i in range(n_latency):
            began = time.perf_counter()
            runner.run([i])
            timings[runner.name].latencies.append(time.perf_counter() - began)
    return timings


def _versions() -> dict[str, str | None]:
    """Versions of Python and of the packages that decide speed (report metadata)."""
    out: dict[str, str | None] = {"python": platform.python_version()}
    for package in (
        "ringkas",
        "torch",
        "transformers",
        "ctranslate2",
        "tokenizers",
        "sentencepiece",
        "numpy",
    ):
        try:
            out[package] = metadata.version(package)
        except metadata.PackageNotFoundError:
            out[package] = None
    return out


def _int8_info() -> dict[str, Any]:
    return {
        "ct2_library": int8_library(),
        "vnni": has_vnni(),
        "default_ct2_compute_type": "int8" if int8_exact() else "float32",
    }


def _machine(device: str) -> dict[str, Any]:
    """CPU, memory, platform and GPU of this machine (report metadata)."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    info: dict[str, Any] = {
        "cpu": cpu,
        "logical_cpus": os.cpu_count(),
        "platform": platform.platform(),
        "device": device,
        # which CT2 int8 kernels run here and what backend="auto" picks (docs/performance.md)
        "int8": _int8_info(),
    }
    try:
        import psutil

        info["memory_gb"] = round(psutil.virtual_memory().total / 2**30, 1)
    except ImportError:
        pass
    if device.startswith("cuda"):
        import torch

        info["gpu"] = torch.cuda.get_device_name(torch.device(device))
    return info


def _load() -> list[float] | None:
    try:
        return [round(x, 2) for x in os.getloadavg()]
    except OSError:
        return None
