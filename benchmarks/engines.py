"""The engines under test: ringkas's, and what a user would write without it.

==================  =========================================================================
``naive``           HF ``generate`` one input at a time (fp32): the careless loop
``hf``              HF ``generate`` in padded batches of 32 in input order (fp32)
``torch``           ringkas, PyTorch engine (token-budget batches sorted by length), fp32
``torch-int8``      ringkas, PyTorch engine with dynamic int8 quantization of Linear layers
``ct2-<type>``      ringkas, CTranslate2 engine (``float32``, ``int8``, ``float16``...)
``raw-ct2-<type>``  ``ctranslate2.Translator.translate_batch`` on pre-tokenised inputs
==================  =========================================================================

``naive``, ``hf`` and ``torch`` take a dtype suffix on GPU (``hf-float16``, ``torch-bfloat16``);
a ringkas engine may end in ``@N``, its padded-token budget per batch (``ct2-int8@8192``).
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

from benchmarks.models import BenchModel
from ringkas.backends import ct2_available, resolve_engine_options
from ringkas.backends.ct2_backend import COMPUTE_TYPES
from ringkas.bench import Output, TokenCounter, Workload
from ringkas.errors import ConfigError
from ringkas.models import load_engine
from ringkas.summarize import Summarizer
from ringkas.translate import Translator

CPU_ENGINES = (
    "naive",
    "hf",
    "torch",
    "torch-int8",
    "ct2-float32",
    "ct2-int8",
    "raw-ct2-float32",
    "raw-ct2-int8",
)
GPU_ENGINES = (
    "naive-float16",
    "hf-float16",
    "torch-float16",
    "torch-bfloat16",
    "ct2-float16",
    "ct2-int8_float16",
    "raw-ct2-float16",
)


def parse_engine(name: str) -> tuple[str, str]:
    """``"raw-ct2-int8"`` -> ``("raw-ct2", "int8")``; ``"hf"`` -> ``("hf", "float32")``.

    A ringkas engine may end in ``@N``: its padded-token budget per batch (``ct2-int8@8192``).
    """

    name, _, budget = name.partition("@")
    if budget and (
        not budget.isdigit() or int(budget) < 1 or name.startswith(("naive", "hf", "raw"))
    ):
        raise ConfigError(
            f"engine {name}@{budget}: '@N' is a batch budget in tokens for ringkas engines"
        )
    for kind in ("raw-ct2", "ct2", "torch", "naive", "hf"):
        if name == kind or name.startswith(kind + "-"):
            precision = name[len(kind) + 1 :] or "float32"
            break
    else:
        raise ConfigError(
            f"unknown engine {name!r}; engines are naive, hf, torch, torch-int8, "
            "ct2-<type>, raw-ct2-<type> (types: float32, int8, float16, int8_float16, ...)"
        )
    valid = (
        COMPUTE_TYPES[2:] if kind.endswith("ct2") else ("float32", "float16", "bfloat16", "int8")
    )
    if precision not in valid or (kind in ("naive", "hf") and precision == "int8"):
        raise ConfigError(f"engine {name!r}: precision must be one of {valid}, got {precision!r}")
    return kind, precision


_LABELS = {
    "naive": "naive loop: HF generate, one input at a time",
    "hf": "HF generate, padded batches of 32",
    "torch": "ringkas, PyTorch engine",
    "ct2": "ringkas, CTranslate2 engine",
    "raw-ct2": "raw CTranslate2 translate_batch",
}


class _BenchEngine:
    """One engine under test: ``prepare`` (load, pre-tokenise) once, then ``run`` many times."""

    def __init__(self, name: str, model: BenchModel, *, device: str, threads: int | None) -> None:
        self.name = name
        self.kind, self.precision = parse_engine(name)
        budget = name.partition("@")[2]
        #: The batch budget this engine's name asks for (``ct2-int8@8192``), if any.
        self.name_budget = int(budget) if budget else None
        self.model = model
        self.device = device
        self.threads = threads
        self.label = f"{_LABELS[self.kind]} ({self.precision})" + (
            f", batches of {budget} tokens" if budget else ""
        )
        self.work: Workload | None = None

    def prepare(self, work: Workload) -> None:
        self.work = work

    def warmup(self) -> None:
        self.run([0])

    def run(self, indices: Sequence[int]) -> Output:
        raise NotImplementedError

    def _torch_engine(self) -> Any:
        quantize = "int8" if self.precision == "int8" else None
        dtype = "float32" if self.precision == "int8" else self.precision
        return load_engine(
            self.model.spec(),
            backend="torch",
            device=self.device,
            dtype=dtype,
            quantize=quantize,
            num_threads=self.threads,
        )


class _HFGenerate(_BenchEngine):
    """What a user writes with transformers alone: tokenizer + ``model.generate``."""

    batch_size = 32

    def prepare(self, work: Workload) -> None:
        super().prepare(work)
        engine = self._torch_engine()
        self.hf_model = engine.model
        self.tokenizer = engine.frontend.tokenizer
        self.torch_device = engine.device
        self.window = self.model.recipe.max_input_tokens

    def _generate(self, texts: list[str], new_tokens: int) -> tuple[list[str], int]:
        assert self.work is not None
        batch = self.tokenizer(
            texts, return_tensors="pt", padding=True, truncation=True, max_length=self.window
        ).to(self.torch_device)
        out = self.hf_model.generate(
            **batch,
            num_beams=self.work.options.num_beams or 1,
            min_new_tokens=new_tokens,
            max_new_tokens=new_tokens,
            do_sample=False,
        )
        eos = self.tokenizer.eos_token_id
        tokens = 0
        for row in out[:, 1:].tolist():
            tokens += row.index(eos) + 1 if eos in row else len(row)
        return self.tokenizer.batch_decode(out, skip_special_tokens=True), tokens

    def warmup(self) -> None:
        assert self.work is not None
        self._generate(self.work.units[0][:1], 4)

    def run(self, indices: Sequence[int]) -> Output:
        assert self.work is not None
        work = self.work
        if self.kind == "naive":
            texts: list[str] = []
            tokens = 0
            timings = []
            for i in indices:
                began = time.perf_counter()
                parts = []
                for unit in work.units[i]:
                    decoded, n = self._generate([unit], work.new_tokens)
                    parts.append(decoded[0].strip())
                    tokens += n
                timings.append(time.perf_counter() - began)
                texts.append(" ".join(parts))
            return Output(texts, tokens, timings)
        flat = [(i, u) for i in indices for u in work.units[i]]
        pieces: dict[int, list[str]] = {i: [] for i in indices}
        tokens = 0
        for start in range(0, len(flat), self.batch_size):
            chunk = flat[start : start + self.batch_size]
            decoded, n = self._generate([u for _, u in chunk], work.new_tokens)
            tokens += n
            for (i, _), text in zip(chunk, decoded, strict=True):
                pieces[i].append(text.strip())
        return Output([" ".join(pieces[i]) for i in indices], tokens)


class _RingkasPath(_BenchEngine):
    """ringkas's public API (Translator / Summarizer) with one engine."""

    #: Inputs per batch (``None``: ringkas's defaults, 4,096 padded tokens and at most 64).
    max_batch_size: int | None = None
    #: Padded input tokens per batch (``None``: ringkas's default).
    batch_tokens: int | None = None

    def prepare(self, work: Workload) -> None:
        super().prepare(work)
        self.counter = TokenCounter()
        counter = self.counter
        if self.kind == "torch":
            quantize = "int8" if self.precision == "int8" else None
            dtype = "float32" if self.precision == "int8" else self.precision
            engine_options: dict[str, Any] = {
                "backend": "torch",
                "dtype": dtype,
                "quantize": quantize,
            }
        else:
            engine_options = {"backend": "ct2", "quantize": self.precision}
        common: dict[str, Any] = {
            "device": self.device,
            "num_threads": self.threads,
            **engine_options,
        }
        budget = self.name_budget or self.batch_tokens
        if budget is not None:
            common["batch_tokens"] = budget
        if self.max_batch_size is not None:  # the token budget must not bind before the size
            window = self.model.recipe.max_input_tokens
            common.update(
                max_batch_size=self.max_batch_size, batch_tokens=self.max_batch_size * window
            )
        spec = self.model.spec()
        self.translator: Translator | None = None
        self.summarizer: Summarizer | None = None
        # The engine is loaded now, so that load_rss_mb measures it.
        if work.task == "translation":
            self.translator = counter.translator(spec, generation=work.options, **common)
            self.engine = self.translator.engine(spec)
        else:
            self.summarizer = counter.summarizer(
                spec, target_lang=work.source_lang, generation=work.options, **common
            )
            self.engine = self.summarizer.engine()

    def run(self, indices: Sequence[int]) -> Output:
        assert self.work is not None
        docs = [self.work.articles[i] for i in indices]
        before = self.counter.tokens
        if self.translator is not None:
            results = self.translator.translate(docs, source_lang=self.work.source_lang)
            texts = [r.text for r in results]
        else:
            assert self.summarizer is not None
            summaries = self.summarizer.summarize(docs, lang=self.work.source_lang)
            texts = [r.text for r in summaries]
        return Output(texts, self.counter.tokens - before)


class _RawCT2(_BenchEngine):
    """``translate_batch`` on token strings prepared beforehand: the wrapper-free floor."""

    def prepare(self, work: Workload) -> None:
        super().prepare(work)
        engine: Any = load_engine(
            self.model.spec(),
            backend="ct2",
            device=self.device,
            quantize=self.precision,
            num_threads=self.threads,
        )
        self.engine = engine
        self.tokens = [
            [engine.frontend.ids_to_tokens(ids) for ids in engine.encode(units, source_lang="id")]
            for units in work.units
        ]
        kwargs = engine.decoding_options(work.options.merged(engine.default_options()).resolved())
        # The engine's own batch size (32 on CPU): the same work, so only the wrapper differs.
        kwargs.update(batch_type="examples", return_end_token=False)
        self.kwargs = kwargs
        self.last: list[list[list[str]]] = []

    def run(self, indices: Sequence[int]) -> Output:
        batch = [tokens for i in indices for tokens in self.tokens[i]]
        results = self.engine.translator.translate_batch(batch, **self.kwargs)
        hypotheses = [r.hypotheses[0] for r in results]
        grouped: list[list[list[str]]] = []
        position = 0
        for i in indices:
            n = len(self.tokens[i])
            grouped.append(hypotheses[position : position + n])
            position += n
        self.last = grouped
        return Output([], sum(len(h) for h in hypotheses))

    def decode_last(self) -> list[str]:
        """Texts of the last run (decoded outside the timed region, for agreement checks)."""
        frontend = self.engine.frontend
        return [
            " ".join(frontend.decode([frontend.tokens_to_ids(h)])[0] for h in group)
            for group in self.last
        ]


def make_engine(name: str, model: BenchModel, *, device: str, threads: int | None) -> _BenchEngine:
    kind, _ = parse_engine(name)
    if kind in ("naive", "hf"):
        return _HFGenerate(name, model, device=device, threads=threads)
    if kind == "raw-ct2":
        return _RawCT2(name, model, device=device, threads=threads)
    return _RingkasPath(name, model, device=device, threads=threads)


def default_engines(device: str) -> tuple[str, ...]:
    """The engines a run compares on ``device`` when none are named (CT2 ones if installed)."""
    engines: tuple[str, ...] = GPU_ENGINES if device.startswith("cuda") else CPU_ENGINES
    if not ct2_available():
        engines = tuple(e for e in engines if "ct2" not in e)
    return engines


def default_engine_name(device: str) -> str:
    """The bench engine name of ringkas's ``backend="auto", quantize="auto"`` on ``device``."""
    backend, quantize = resolve_engine_options("auto", device, "auto")
    if backend == "ct2":  # no quantization (None) is CTranslate2 float32 on CPU
        return f"ct2-{quantize or 'float32'}"
    if device.startswith("cuda"):  # dtype="auto": bf16 where supported, else fp16
        import torch

        return "torch-bfloat16" if torch.cuda.is_bf16_supported() else "torch-float16"
    return "torch-int8" if quantize == "int8" else "torch"
