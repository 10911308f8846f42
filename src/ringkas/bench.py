"""Timing harness behind ``benchmarks/`` and ``ringkas bench``.

Speed claims are only worth what their comparison is worth, so every number here comes from one
run on one machine, engines interleaved (repeat by repeat, in rotating order) after a warm-up,
with the same thread count for torch and CTranslate2 and the same decoding work for every engine:
models have random weights (no download), so output lengths are fixed with
``min_new_tokens = max_new_tokens`` and each engine's output token count is checked.

Models are built locally from configs with the real architectures (opus-mt-id-en Marian,
mT5-base as in mT5_multilingual_XLSum, BART-base), with small tokenizers trained here on FLORES
text and vocabularies padded to the real sizes; ``size="tiny"`` builds miniatures for smoke runs.

Engines compared (names accepted by ``--engines``):

==================  =========================================================================
``naive``           HF ``generate`` one input at a time (fp32): the careless loop
``hf``              HF ``generate`` in padded batches of 32 in input order (fp32)
``torch``           ringkas, PyTorch engine (token-budget batches sorted by length), fp32
``torch-int8``      ringkas, PyTorch engine with dynamic int8 quantization of Linear layers
``ct2-<type>``      ringkas, CTranslate2 engine (``float32``, ``int8``, ``float16``...)
``raw-ct2-<type>``  ``ctranslate2.Translator.translate_batch`` on pre-tokenised inputs
==================  =========================================================================

``naive``, ``hf`` and ``torch`` take a dtype suffix on GPU (``hf-float16``, ``torch-bfloat16``).
Nothing here imports torch or ctranslate2 until a benchmark runs.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as _dt
import gc
import json
import logging
import math
import os
import platform
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ringkas.errors import ConfigError

if TYPE_CHECKING:
    from ringkas.backends import Engine, Generated
    from ringkas.config import GenerationOptions
    from ringkas.models import ModelSpec

__all__ = [
    "MODEL_KINDS",
    "RECIPES",
    "BenchModel",
    "SuiteSettings",
    "add_parser",
    "bench_model",
    "build_bench_model",
    "load_sentences",
    "main",
    "make_article",
    "markdown_report",
    "run_batch_sweep",
    "run_comparison",
    "run_length_sweep",
    "run_stream_memory",
    "run_suite",
    "shared_data_dir",
    "write_report",
]

log = logging.getLogger("ringkas.bench")

MODEL_KINDS = ("marian", "mt5", "bart")
SIZES = ("real", "tiny")
#: Bump when a recipe changes, so cached bench models are rebuilt.
_RECIPE_VERSION = 2


# --------------------------------------------------------------------------------------------
# Input text
# --------------------------------------------------------------------------------------------


def shared_data_dir() -> Path:
    """``$RINGKAS_SHARED_DATA``, else ``../shared/data`` next to the repository (read-only)."""
    explicit = os.environ.get("RINGKAS_SHARED_DATA", "").strip()
    if explicit:
        return Path(explicit).expanduser()
    return Path(__file__).resolve().parents[3] / "shared" / "data"


_SYLLABLES = (
    "ba",
    "ka",
    "ma",
    "pe",
    "ri",
    "sa",
    "ta",
    "an",
    "ku",
    "la",
    "di",
    "ju",
    "ra",
    "me",
    "ne",
    "pu",
    "gi",
    "se",
    "lu",
    "ng",
    "wa",
    "ha",
    "da",
    "ti",
    "ro",
    "ya",
    "ke",
    "mu",
    "bi",
    "po",
)


def generated_sentences(n: int, *, seed: int = 0) -> list[str]:
    """Deterministic Indonesian-looking sentences, used when FLORES is not available."""
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        words = [
            "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(1, 4)))
            for _ in range(rng.randint(10, 24))
        ]
        out.append(" ".join(words).capitalize() + ".")
    return out


def _flores_lines(lang: str, split: str, data_dir: Path | None) -> list[str]:
    root = data_dir if data_dir is not None else shared_data_dir()
    path = root / "flores200" / split / f"{lang}.{split}"
    try:
        return [line.strip() for line in path.read_text(encoding="utf-8").splitlines() if line]
    except OSError:
        return []


def load_sentences(
    n: int,
    *,
    lang: str = "ind_Latn",
    split: str = "devtest",
    data_dir: Path | None = None,
    min_words: int = 8,
    max_words: int = 40,
) -> tuple[list[str], str]:
    """``n`` distinct sentences and where they came from (FLORES-200, or generated text).

    Only sentences ringkas keeps whole (one sentence span) are used, so that every engine
    decodes exactly the same segments. Sentences repeat (cycled) only beyond what the file has.
    """
    from ringkas.text import sentence_spans

    pool = [
        s
        for s in _flores_lines(lang, split, data_dir)
        if min_words <= len(s.split()) <= max_words and len(sentence_spans(s)) == 1
    ]
    source = f"flores200/{split}/{lang}" if pool else "generated"
    if not pool:
        pool = generated_sentences(max(n, 64))
    if n <= len(pool):
        return pool[:n], source
    return [pool[i % len(pool)] for i in range(n)], source


def make_article(sentences: Sequence[str], words: int, *, per_paragraph: int = 5) -> str:
    """An article of at least ``words`` words from consecutive sentences, in paragraphs."""
    return _article(sentences, 0, words, per_paragraph=per_paragraph)[0]


def _article(
    sentences: Sequence[str], start: int, words: int, *, per_paragraph: int = 5
) -> tuple[str, int]:
    """The article beginning at ``sentences[start]``, and the index of the next sentence."""
    chosen: list[str] = []
    count = 0
    position = start
    while count < words and position < len(sentences):
        chosen.append(sentences[position])
        count += len(sentences[position].split())
        position += 1
    if count < words:
        raise ConfigError(f"not enough sentences for a {words}-word article ({count} words)")
    paragraphs = [
        " ".join(chosen[i : i + per_paragraph]) for i in range(0, len(chosen), per_paragraph)
    ]
    return "\n\n".join(paragraphs), position


def _training_text(data_dir: Path | None) -> list[str]:
    lines = _flores_lines("ind_Latn", "dev", data_dir) + _flores_lines("eng_Latn", "dev", data_dir)
    return lines or generated_sentences(2000, seed=1)


# --------------------------------------------------------------------------------------------
# Models with the real architectures and random weights
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelRecipe:
    """How to build one benchmark model: its architecture and its tokenizer's size."""

    kind: str
    size: str
    task: str
    #: Vocabulary of the model (the tokenizer is padded up to it).
    vocab_size: int
    #: Pieces the local tokenizer actually learns.
    learnt_vocab: int
    max_input_tokens: int
    config: Mapping[str, Any]
    description: str


RECIPES: dict[str, dict[str, ModelRecipe]] = {
    "real": {
        "marian": ModelRecipe(
            "marian",
            "real",
            "translation",
            54796,
            8000,
            512,
            {
                "d_model": 512,
                "encoder_layers": 6,
                "decoder_layers": 6,
                "encoder_attention_heads": 8,
                "decoder_attention_heads": 8,
                "encoder_ffn_dim": 2048,
                "decoder_ffn_dim": 2048,
                "activation_function": "swish",
                "max_position_embeddings": 512,
                "scale_embedding": True,
            },
            "opus-mt-id-en architecture: Marian, vocab 54,796, d_model 512, 6+6 layers, "
            "8 heads, FFN 2048",
        ),
        "mt5": ModelRecipe(
            "mt5",
            "real",
            "summarization",
            250112,
            8000,
            512,
            {
                "d_model": 768,
                "d_kv": 64,
                "d_ff": 2048,
                "num_layers": 12,
                "num_decoder_layers": 12,
                "num_heads": 12,
                "relative_attention_num_buckets": 32,
                "relative_attention_max_distance": 128,
                "feed_forward_proj": "gated-gelu",
            },
            "mT5-base as in mT5_multilingual_XLSum: vocab 250,112, d_model 768, 12+12 layers, "
            "12 heads, d_ff 2048, gated-gelu, untied LM head",
        ),
        "bart": ModelRecipe(
            "bart",
            "real",
            "summarization",
            50265,
            8000,
            1024,
            {
                "d_model": 768,
                "encoder_layers": 6,
                "decoder_layers": 6,
                "encoder_attention_heads": 12,
                "decoder_attention_heads": 12,
                "encoder_ffn_dim": 3072,
                "decoder_ffn_dim": 3072,
                "activation_function": "gelu",
                "max_position_embeddings": 1024,
            },
            "BART-base size: vocab 50,265, d_model 768, 6+6 layers, 12 heads, FFN 3072",
        ),
    },
    "tiny": {
        "marian": ModelRecipe(
            "marian",
            "tiny",
            "translation",
            600,
            300,
            512,
            {
                "d_model": 32,
                "encoder_layers": 2,
                "decoder_layers": 2,
                "encoder_attention_heads": 4,
                "decoder_attention_heads": 4,
                "encoder_ffn_dim": 64,
                "decoder_ffn_dim": 64,
                "activation_function": "swish",
                "max_position_embeddings": 512,
                "scale_embedding": True,
            },
            "tiny Marian (smoke runs)",
        ),
        "mt5": ModelRecipe(
            "mt5",
            "tiny",
            "summarization",
            700,
            300,
            128,
            {
                "d_model": 32,
                "d_kv": 8,
                "d_ff": 64,
                "num_layers": 2,
                "num_decoder_layers": 2,
                "num_heads": 4,
                "relative_attention_num_buckets": 8,
                "relative_attention_max_distance": 32,
                "feed_forward_proj": "gated-gelu",
            },
            "tiny mT5 (smoke runs)",
        ),
        "bart": ModelRecipe(
            "bart",
            "tiny",
            "summarization",
            700,
            400,
            128,
            {
                "d_model": 32,
                "encoder_layers": 2,
                "decoder_layers": 2,
                "encoder_attention_heads": 4,
                "decoder_attention_heads": 4,
                "encoder_ffn_dim": 64,
                "decoder_ffn_dim": 64,
                "activation_function": "gelu",
                "max_position_embeddings": 512,
            },
            "tiny BART (smoke runs)",
        ),
    },
}


def _recipe(kind: str, size: str) -> ModelRecipe:
    if size not in RECIPES:
        raise ConfigError(f"size must be one of {SIZES}, got {size!r}")
    if kind not in RECIPES[size]:
        raise ConfigError(f"model must be one of {MODEL_KINDS}, got {kind!r}")
    return RECIPES[size][kind]


def _train_spm(lines: Sequence[str], prefix: Path, vocab_size: int) -> Path:
    from ringkas.testing import train_sentencepiece

    return train_sentencepiece(
        lines, prefix, vocab_size=vocab_size, num_threads=max(1, os.cpu_count() or 1)
    )


def _fill(i: int) -> str:
    return f"<fill_{i}>"


def _build_marian(folder: Path, recipe: ModelRecipe, lines: Sequence[str], seed: int) -> None:
    import sentencepiece as spm
    import torch
    from transformers import MarianConfig, MarianMTModel

    from ringkas.testing import marian_tokenizer

    model_file = _train_spm(lines, folder / "spm", recipe.learnt_vocab)
    shutil.copy(model_file, folder / "source.spm")
    model_file.rename(folder / "target.spm")
    processor = spm.SentencePieceProcessor(model_file=str(folder / "source.spm"))
    pieces = ["</s>", "<unk>"]
    for i in range(processor.get_piece_size()):
        if not processor.is_control(i) and not processor.is_unknown(i):
            pieces.append(processor.id_to_piece(i))
    pieces += [_fill(i) for i in range(len(pieces), recipe.vocab_size - 1)]
    tokenizer = marian_tokenizer(folder, pieces, source_lang="id", target_lang="en")
    pad = recipe.vocab_size - 1
    config = MarianConfig(
        vocab_size=recipe.vocab_size,
        decoder_vocab_size=recipe.vocab_size,
        pad_token_id=pad,
        eos_token_id=0,
        bos_token_id=0,
        decoder_start_token_id=pad,
        forced_eos_token_id=0,
        share_encoder_decoder_embeddings=True,
        **recipe.config,
    )
    torch.manual_seed(seed)
    model = MarianMTModel(config)
    with torch.no_grad():
        model.model.shared.weight[pad].zero_()  # opus-mt decodes from a zero <pad> embedding
    model.generation_config.num_beams = 4
    model.generation_config.max_length = 512
    model.generation_config.bad_words_ids = [[pad]]
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)


def _padded_fast_tokenizer(data: dict[str, Any], vocab_size: int, **special: str) -> Any:
    """A transformers tokenizer from a ``tokenizers`` JSON, its vocabulary padded to size."""
    from tokenizers import Tokenizer
    from transformers import PreTrainedTokenizerFast

    model = data["model"]
    if isinstance(model["vocab"], dict):
        vocab: dict[str, int] = model["vocab"]
        for i in range(len(vocab), vocab_size):
            vocab[_fill(i)] = i
    else:  # unigram: a list of [piece, score]
        pieces: list[list[Any]] = model["vocab"]
        pieces += [[_fill(i), -1000.0] for i in range(len(pieces), vocab_size)]
    tokenizer = Tokenizer.from_str(json.dumps(data))
    return PreTrainedTokenizerFast(tokenizer_object=tokenizer, **special)


def _build_mt5(folder: Path, recipe: ModelRecipe, lines: Sequence[str], seed: int) -> None:
    import sentencepiece as spm
    import torch
    from transformers import MT5Config, MT5ForConditionalGeneration, T5Tokenizer

    model_file = _train_spm(lines, folder / "spiece", recipe.learnt_vocab)
    processor = spm.SentencePieceProcessor(model_file=str(model_file))
    vocab = [
        (processor.id_to_piece(i), processor.get_score(i))
        for i in range(processor.get_piece_size())
    ]
    vocab += [(_fill(i), -1000.0) for i in range(len(vocab), recipe.vocab_size)]
    tokenizer = T5Tokenizer(vocab=vocab, extra_ids=0)
    config = MT5Config(
        vocab_size=recipe.vocab_size,
        pad_token_id=0,
        eos_token_id=1,
        decoder_start_token_id=0,
        tie_word_embeddings=False,
        dropout_rate=0.1,
        **recipe.config,
    )
    torch.manual_seed(seed)
    model = MT5ForConditionalGeneration(config)
    with torch.no_grad():  # mT5's LM head is its own matrix (as big as the embeddings)
        model.lm_head.weight = torch.nn.Parameter(torch.randn_like(model.shared.weight) * 0.05)
    model.generation_config.num_beams = 4
    model.generation_config.no_repeat_ngram_size = 2
    model.generation_config.length_penalty = 0.6
    model.generation_config.max_length = 84
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    model_file.unlink(missing_ok=True)


def _build_bart(folder: Path, recipe: ModelRecipe, lines: Sequence[str], seed: int) -> None:
    import torch
    from tokenizers import ByteLevelBPETokenizer, processors
    from transformers import BartConfig, BartForConditionalGeneration

    trainer = ByteLevelBPETokenizer()
    trainer.train_from_iterator(
        list(lines),
        vocab_size=recipe.learnt_vocab,
        min_frequency=2,
        special_tokens=["<s>", "<pad>", "</s>", "<unk>", "<mask>"],
        show_progress=False,
    )
    data = json.loads(trainer._tokenizer.to_str())
    data["post_processor"] = json.loads(
        processors.RobertaProcessing(("</s>", 2), ("<s>", 0)).__getstate__()
    )
    tokenizer = _padded_fast_tokenizer(
        data,
        recipe.vocab_size,
        bos_token="<s>",
        eos_token="</s>",
        unk_token="<unk>",
        pad_token="<pad>",
        mask_token="<mask>",
    )
    config = BartConfig(
        vocab_size=recipe.vocab_size,
        pad_token_id=1,
        bos_token_id=0,
        eos_token_id=2,
        decoder_start_token_id=2,
        forced_eos_token_id=2,
        **recipe.config,
    )
    torch.manual_seed(seed)
    model = BartForConditionalGeneration(config)
    model.generation_config.num_beams = 4
    model.generation_config.max_length = 142
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)


_BUILDERS: dict[str, Callable[[Path, ModelRecipe, Sequence[str], int], None]] = {
    "marian": _build_marian,
    "mt5": _build_mt5,
    "bart": _build_bart,
}


def build_bench_model(
    kind: str,
    folder: Path,
    *,
    size: str = "real",
    texts: Sequence[str] | None = None,
    seed: int = 0,
) -> Path:
    """Build a random-weight model with a real architecture into ``folder`` (a HF folder).

    The tokenizer is trained on ``texts`` (FLORES dev by default) and its vocabulary padded to
    the model's, so decoding cost (the output projection) is that of the real model. A
    ``ringkas.json`` declares languages, window and family, so ringkas loads it like any model.
    """
    recipe = _recipe(kind, size)
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    lines = list(texts) if texts is not None else _training_text(None)
    if size == "tiny":
        lines = lines[:300]  # a tiny vocabulary needs little text, and training takes seconds
    with _quiet_transformers():
        _BUILDERS[kind](folder, recipe, lines, seed)
    meta = {
        "source_langs": ["id"],
        "target_langs": ["en"] if recipe.task == "translation" else ["id"],
        "family": "t5" if kind == "mt5" else kind,
        "max_input_tokens": recipe.max_input_tokens,
        "collapse_whitespace": kind == "mt5",
        "description": f"random weights, built by ringkas.bench: {recipe.description}",
    }
    (folder / "ringkas.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")
    (folder / "bench-model.json").write_text(
        json.dumps({"version": _RECIPE_VERSION, **dataclasses.asdict(recipe)}, indent=2),
        encoding="utf-8",
    )
    return folder


def default_models_dir() -> Path:
    explicit = os.environ.get("RINGKAS_CACHE_DIR", "").strip()
    root = Path(explicit).expanduser() if explicit else Path.home() / ".cache" / "ringkas"
    return root / "bench-models"


@dataclass(frozen=True)
class BenchModel:
    """A built benchmark model: its folder, recipe and ringkas spec."""

    kind: str
    size: str
    folder: Path
    recipe: ModelRecipe

    @property
    def task(self) -> str:
        return self.recipe.task

    def spec(self) -> ModelSpec:
        from ringkas.models import resolve_model

        return resolve_model(str(self.folder), task=self.recipe.task)


def bench_model(kind: str, size: str = "real", models_dir: Path | None = None) -> BenchModel:
    """The cached benchmark model (built on first use; safe against concurrent builders)."""
    recipe = _recipe(kind, size)
    root = Path(models_dir) if models_dir is not None else default_models_dir()
    folder = root / f"{kind}-{size}-v{_RECIPE_VERSION}"
    marker = folder / "bench-model.json"
    if not marker.is_file():
        root.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}.tmp-", dir=root))
        try:
            log.info("building the %s %s benchmark model in %s", size, kind, folder)
            build_bench_model(kind, tmp, size=size)
            try:
                os.rename(tmp, folder)
            except OSError:
                if not marker.is_file():
                    raise
        finally:
            shutil.rmtree(tmp, ignore_errors=True)
    return BenchModel(kind=kind, size=size, folder=folder, recipe=recipe)


class _quiet_transformers:  # noqa: N801 - used like a function
    """transformers' warnings and progress bars off (HF generate warns on every call)."""

    def __enter__(self) -> None:
        from transformers.utils import logging as hf_logging

        self._level = hf_logging.get_verbosity()
        self._bars = hf_logging.is_progress_bar_enabled()
        hf_logging.set_verbosity_error()
        hf_logging.disable_progress_bar()

    def __exit__(self, *exc: object) -> None:
        from transformers.utils import logging as hf_logging

        hf_logging.set_verbosity(self._level)
        if self._bars:
            hf_logging.enable_progress_bar()


# --------------------------------------------------------------------------------------------
# Measuring
# --------------------------------------------------------------------------------------------


def _rss_bytes() -> int | None:
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


def _mb(value: float | None) -> float | None:
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
            rss = _rss_bytes()
            if rss is not None and (self.peak is None or rss > self.peak):
                self.peak = rss
            if self.cuda:
                used = self._gpu_used()
                if used is not None and (self.gpu_peak_used is None or used > self.gpu_peak_used):
                    self.gpu_peak_used = used
            self._stop.wait(self.interval)

    def __enter__(self) -> PeakSampler:
        self.baseline = self.peak = _rss_bytes()
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
        rss = _rss_bytes()
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


def _ratio(a: float | None, b: float | None) -> float | None:
    if a is None or b is None or b == 0:
        return None
    return round(a / b, 3)


# --------------------------------------------------------------------------------------------
# Engines under test
# --------------------------------------------------------------------------------------------


@dataclass
class Workload:
    """The same work for every engine: articles for ringkas, their units for the baselines.

    ``units[i]`` are what a baseline feeds the model for article ``i``: its sentences for
    translation (ringkas splits the article itself), the whole article for summarisation.
    """

    task: str
    articles: list[str]
    units: list[list[str]]
    options: GenerationOptions
    source_lang: str = "id"

    @property
    def new_tokens(self) -> int:
        return int(self.options.max_new_tokens or 0)

    def expected_tokens(self, indices: Sequence[int]) -> int:
        return sum(len(self.units[i]) for i in indices) * self.new_tokens


@dataclass
class _Output:
    texts: list[str]
    tokens: int
    per_article_s: list[float] = field(default_factory=list)


class _Counter:
    """Counts output tokens of every engine call (ringkas returns texts, not token counts)."""

    def __init__(self) -> None:
        self.tokens = 0
        self.segments = 0

    def wrap(self, engine: Engine) -> Engine:
        return _CountingEngine(engine, self)


class _CountingEngine:
    def __init__(self, inner: Engine, counter: _Counter) -> None:
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


def parse_engine(name: str) -> tuple[str, str]:
    """``"raw-ct2-int8"`` -> ``("raw-ct2", "int8")``; ``"hf"`` -> ``("hf", "float32")``.

    A ringkas engine may end in ``@N``: its padded-token budget per batch (``ct2-int8@8192``).
    """
    from ringkas.backends.ct2_backend import COMPUTE_TYPES

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

    def run(self, indices: Sequence[int]) -> _Output:
        raise NotImplementedError

    def _torch_engine(self) -> Any:
        from ringkas.models import load_engine

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

    def run(self, indices: Sequence[int]) -> _Output:
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
            return _Output(texts, tokens, timings)
        flat = [(i, u) for i in indices for u in work.units[i]]
        pieces: dict[int, list[str]] = {i: [] for i in indices}
        tokens = 0
        for start in range(0, len(flat), self.batch_size):
            chunk = flat[start : start + self.batch_size]
            decoded, n = self._generate([u for _, u in chunk], work.new_tokens)
            tokens += n
            for (i, _), text in zip(chunk, decoded, strict=True):
                pieces[i].append(text.strip())
        return _Output([" ".join(pieces[i]) for i in indices], tokens)


class _RingkasPath(_BenchEngine):
    """ringkas's public API (Translator / Summarizer) with one engine."""

    #: Inputs per batch (``None``: ringkas's defaults, 4,096 padded tokens and at most 64).
    max_batch_size: int | None = None
    #: Padded input tokens per batch (``None``: ringkas's default).
    batch_tokens: int | None = None

    def prepare(self, work: Workload) -> None:
        super().prepare(work)
        from ringkas.summarize import Summarizer
        from ringkas.translate import Translator

        self.counter = _Counter()
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
        if work.task == "translation":

            class CountingTranslator(Translator):
                def engine(self, spec: ModelSpec) -> Engine:
                    return counter.wrap(super().engine(spec))

            self.translator = CountingTranslator(spec, generation=work.options, **common)
            self.summarizer = None
        else:

            class CountingSummarizer(Summarizer):
                def engine(self) -> Engine:
                    return counter.wrap(super().engine())

            self.summarizer = CountingSummarizer(
                spec, target_lang=work.source_lang, generation=work.options, **common
            )
        self.engine = (  # loaded now, so that load_rss_mb measures it
            self.translator.engine(spec) if self.summarizer is None else self.summarizer.engine()
        )

    def run(self, indices: Sequence[int]) -> _Output:
        assert self.work is not None
        docs = [self.work.articles[i] for i in indices]
        before = self.counter.tokens
        if self.summarizer is None:
            results = self.translator.translate(docs, source_lang=self.work.source_lang)
            texts = [r.text for r in results]
        else:
            summaries = self.summarizer.summarize(docs, lang=self.work.source_lang)
            texts = [r.text for r in summaries]
        return _Output(texts, self.counter.tokens - before)


class _RawCT2(_BenchEngine):
    """``translate_batch`` on token strings prepared beforehand: the wrapper-free floor."""

    def prepare(self, work: Workload) -> None:
        super().prepare(work)
        from ringkas.models import load_engine

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

    def run(self, indices: Sequence[int]) -> _Output:
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
        return _Output([], sum(len(h) for h in hypotheses))

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


# --------------------------------------------------------------------------------------------
# Workloads and runs
# --------------------------------------------------------------------------------------------


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
    from ringkas.config import GenerationOptions

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
    """Time ``engines`` on ``work``: warm-up, then ``repeats`` interleaved passes.

    The naive loop runs on the first ``naive_articles`` articles only (its rate does not
    depend on how many it does); per-article latency is measured with one article per call.
    """
    say = progress or (lambda _msg: None)
    cuda = device.startswith("cuda")
    runners = [make_engine(name, model, device=device, threads=threads) for name in engines]
    for runner in runners:
        if isinstance(runner, _RingkasPath):
            runner.batch_tokens = batch_tokens
    load_rss: dict[str, float | None] = {}
    all_articles = list(range(len(work.articles)))
    naive_indices = all_articles[: max(1, min(naive_articles, len(all_articles)))]
    for runner in runners:  # weights are memory-mapped: RSS counts them once a run touched them
        say(f"  load and warm up {runner.name}")
        gc.collect()
        before = _rss_bytes()
        runner.prepare(work)
        runner.warmup()
        after = _rss_bytes()
        # Never below 0: freed memory reused by this engine is not memory it "gave back".
        load_rss[runner.name] = _mb(max(0, after - before)) if after and before else None
    times: dict[str, list[float]] = {r.name: [] for r in runners}
    tokens: dict[str, int] = {}
    outputs: dict[str, list[str]] = {}
    rss_delta: dict[str, list[float]] = {r.name: [] for r in runners}
    rss_peak: dict[str, float] = {}
    gpu_peak: dict[str, float] = {}
    latencies: dict[str, list[float]] = {r.name: [] for r in runners}
    for rep in range(repeats):
        shift = rep % len(runners)
        gc.collect()  # once per round: a full collection costs ~0.3 s with transformers loaded
        for runner in runners[shift:] + runners[:shift]:
            indices = naive_indices if runner.kind == "naive" else all_articles
            with PeakSampler(cuda=cuda) as sampler:
                began = time.perf_counter()
                out = runner.run(indices)
                elapsed = time.perf_counter() - began
            say(f"  repeat {rep + 1}/{repeats} {runner.name}: {elapsed:.2f} s")
            times[runner.name].append(elapsed)
            tokens[runner.name] = out.tokens
            if rep == 0:
                outputs[runner.name] = out.texts
            if sampler.delta is not None:
                rss_delta[runner.name].append(sampler.delta / 2**20)
            if sampler.peak is not None:
                rss_peak[runner.name] = max(rss_peak.get(runner.name, 0.0), sampler.peak / 2**20)
            used = sampler.gpu_peak_allocated
            if sampler.gpu_peak_used is not None and sampler.gpu_baseline_used is not None:
                used = max(used or 0, sampler.gpu_peak_used - sampler.gpu_baseline_used)
            if used is not None:
                gpu_peak[runner.name] = max(gpu_peak.get(runner.name, 0.0), used / 2**20)
            if runner.kind == "naive":
                latencies[runner.name].extend(out.per_article_s)
    n_latency = max(1, min(latency_articles, len(all_articles)))
    for runner in runners:
        if runner.kind == "naive":
            continue
        for i in range(n_latency):
            began = time.perf_counter()
            runner.run([i])
            latencies[runner.name].append(time.perf_counter() - began)
    for runner in runners:  # raw CT2 outputs, decoded outside the timed region
        if isinstance(runner, _RawCT2):
            runner.run(all_articles)
            outputs[runner.name] = runner.decode_last()
    results: list[dict[str, Any]] = []
    for runner in runners:
        indices = naive_indices if runner.kind == "naive" else all_articles
        median_s = statistics.median(times[runner.name])
        expected = work.expected_tokens(indices)
        results.append(
            {
                "engine": runner.name,
                "label": runner.label,
                "kind": runner.kind,
                "precision": runner.precision,
                "articles": len(indices),
                "units": sum(len(work.units[i]) for i in indices),
                "output_tokens": tokens[runner.name],
                "expected_tokens": expected,
                "equal_work": tokens[runner.name] == expected,
                "seconds_runs": [round(t, 4) for t in times[runner.name]],
                "seconds": round(median_s, 4),
                "tokens_per_s": round(tokens[runner.name] / median_s, 2),
                "tokens_per_s_runs": [
                    round(tokens[runner.name] / t, 2) for t in times[runner.name]
                ],
                "articles_per_s": round(len(indices) / median_s, 3),
                "latency_p50_s": round(percentile(latencies[runner.name], 50), 4),
                "latency_p95_s": round(percentile(latencies[runner.name], 95), 4),
                "latency_samples": len(latencies[runner.name]),
                "peak_rss_delta_mb": (
                    round(statistics.median(rss_delta[runner.name]), 1)
                    if rss_delta[runner.name]
                    else None
                ),
                "process_peak_rss_mb": round(rss_peak[runner.name], 1)
                if runner.name in rss_peak
                else None,
                "load_rss_mb": load_rss[runner.name],
                "gpu_peak_mb": round(gpu_peak[runner.name], 1) if runner.name in gpu_peak else None,
            }
        )
    by_name = {r["engine"]: r for r in results}
    naive = next((r for r in results if r["kind"] == "naive"), None)
    hf = next((r for r in results if r["kind"] == "hf"), None)
    for r in results:
        r["vs_naive"] = _ratio(r["tokens_per_s"], naive["tokens_per_s"]) if naive else None
        r["vs_hf"] = _ratio(r["tokens_per_s"], hf["tokens_per_s"]) if hf else None
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
    from ringkas.models import clear_engine_cache

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
                peak_rss_delta_mb=_mb(sampler.delta),
                gpu_peak_mb=_mb(sampler.gpu_peak_allocated),
                gpu_device_used_mb=_mb(
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
    quantize: str | None = "auto",
    device: str = "cpu",
    threads: int | None = None,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Cost of one article against its length (translation, or map-reduce summarisation).

    Each length gets its own sentences (ringkas generates repeated text once, which would
    flatter long articles); lengths are interleaved within each repeat.
    """
    from ringkas.backends import resolve_engine_options
    from ringkas.summarize import Summarizer
    from ringkas.translate import Translator

    say = progress or (lambda _msg: None)
    backend, quantize = resolve_engine_options(backend, device, quantize)
    options = _fixed_length(1, new_tokens)
    counter = _Counter()
    common: dict[str, Any] = {
        "backend": backend,
        "quantize": quantize,
        "device": device,
        "num_threads": threads,
    }
    spec = model.spec()
    articles: dict[int, str] = {}
    position = 0
    for n in words:
        articles[n], position = _article(sentences, position, n)
    run: Callable[[str], dict[str, Any]]
    if model.task == "translation":

        class CountingTranslator(Translator):
            def engine(self, spec: ModelSpec) -> Engine:
                return counter.wrap(super().engine(spec))

        translator = CountingTranslator(spec, generation=options, **common)

        def run(text: str) -> dict[str, Any]:
            [result] = translator.translate([text], source_lang="id")
            return {"segments": result.n_segments, "truncated": result.truncated}

    else:

        class CountingSummarizer(Summarizer):
            def engine(self) -> Engine:
                return counter.wrap(super().engine())

        summarizer = CountingSummarizer(spec, target_lang="id", generation=options, **common)

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
        "engine": f"{backend}-{quantize or 'float32'}",
        "new_tokens_per_call": new_tokens,
        "repeats": repeats,
        "rows": rows,
        "per_word_cost_ratio": _ratio(last["ms_per_word"], first["ms_per_word"]),
        "ratio_between": [first["words"], last["words"]],
    }


def run_stream_memory(
    model: BenchModel,
    sentences: Sequence[str],
    *,
    sizes: Sequence[int] = (10, 1000),
    backend: str = "auto",
    quantize: str | None = "auto",
    device: str = "cpu",
    threads: int | None = None,
    new_tokens: int = 8,
    window: int = 32,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Peak RSS of translating a stream of ``n`` articles, each ``n`` in a fresh process."""
    from ringkas.backends import resolve_engine_options
    from ringkas.models import clear_engine_cache, load_engine

    say = progress or (lambda _msg: None)
    backend, quantize = resolve_engine_options(backend, device, quantize)
    # Convert (if needed) here, so that no child pays for a conversion the other skips.
    load_engine(model.spec(), backend=backend, quantize=quantize, device=device, num_threads=1)
    clear_engine_cache()
    pool = list(sentences[:200])
    began = time.perf_counter()
    procs = []
    for n in sizes:  # in parallel: each child's peak RSS is its own (its wall time is not kept)
        args = {
            "folder": str(model.folder),
            "n": n,
            "backend": backend,
            "quantize": quantize,
            "device": device,
            "threads": threads,
            "new_tokens": new_tokens,
            "window": window,
            "sentences": pool,
        }
        command = [sys.executable, "-m", "ringkas.bench", "--stream-child", json.dumps(args)]
        procs.append(
            subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        )
    rows = []
    for n, proc in zip(sizes, procs, strict=True):
        stdout, stderr = proc.communicate()
        if proc.returncode != 0:
            raise RuntimeError(f"stream child failed: {stderr.strip()[-2000:]}")
        row = json.loads(stdout.strip().splitlines()[-1])
        say(f"  stream of {n} articles: peak RSS {row['peak_rss_mb']} MB")
        rows.append(row)
    say(f"  streams done in {time.perf_counter() - began:.1f} s")
    return {
        "model": model.kind,
        "size": model.size,
        "engine": f"{backend}-{quantize or 'float32'}",
        "window": window,
        "new_tokens": new_tokens,
        "rows": rows,
        "peak_rss_ratio": _ratio(rows[-1]["peak_rss_mb"], rows[0]["peak_rss_mb"]),
        "ratio_between": [rows[0]["articles"], rows[-1]["articles"]],
    }


def _high_water_rss() -> int | None:
    """This process's own peak RSS in bytes (Linux ``VmHWM``), else ``None``.

    Not ``ru_maxrss``: on Linux it survives ``exec``, so a child started from a big parent
    reports the parent's RSS at fork time.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def _stream_child(args: Mapping[str, Any]) -> dict[str, Any]:
    """Runs in its own process: stream ``n`` articles through ringkas, report memory."""
    with PeakSampler() as whole:  # the fallback where VmHWM is not available
        row = _stream_articles(args)
    row["peak_rss_mb"] = _mb(_high_water_rss() or whole.peak)
    return row


def _stream_articles(args: Mapping[str, Any]) -> dict[str, Any]:
    from ringkas.batching import windows
    from ringkas.translate import Translator

    pool: list[str] = list(args["sentences"])
    n = int(args["n"])

    def articles() -> Iterator[dict[str, str]]:
        for k in range(n):  # generated lazily: the input is a stream too
            a, b = pool[(2 * k) % len(pool)], pool[(2 * k + 1) % len(pool)]
            yield {"id": str(k), "text": f"{a} {b} ({k})", "lang": "id"}

    engine = {
        "device": args["device"],
        "backend": args["backend"],
        "quantize": args["quantize"],
        "num_threads": args["threads"],
    }
    translator = Translator(args["folder"], max_new_tokens=int(args["new_tokens"]), **engine)
    translator.translate([pool[0]], source_lang="id")  # load and warm up
    via = "pipeline.Ringkas.process_iter"
    try:
        from ringkas.pipeline import Ringkas

        pipe = Ringkas(
            steps=("translate",), translator=translator, window=int(args["window"]), **engine
        )
        list(pipe.process_iter([{"id": "w", "text": pool[1], "lang": "id"}]))

        def stream() -> Iterator[object]:
            return iter(pipe.process_iter(articles()))

    except ImportError:  # the pipeline's language detection is not installed yet
        via = "batching.windows + Translator.translate"

        def stream() -> Iterator[object]:
            for chunk in windows(articles(), int(args["window"])):
                yield from translator.translate([a["text"] for a in chunk], source_lang="id")

    loaded = _rss_bytes()
    count = 0
    with PeakSampler() as sampler:
        for _ in stream():
            count += 1
    return {
        "articles": count,
        "via": via,
        "rss_after_load_mb": _mb(loaded),
        "stream_peak_over_load_mb": _mb(sampler.peak - loaded)
        if sampler.peak is not None and loaded
        else None,
        "rss_at_end_mb": _mb(_rss_bytes()),
    }


def quality_on_tiny_models(
    models_dir: Path, *, device: str = "cpu", threads: int | None = None
) -> dict[str, Any]:
    """Exact-match rate of each precision on the tiny *trained* models (confident outputs)."""
    from ringkas.backends import ct2_available
    from ringkas.models import clear_engine_cache
    from ringkas.summarize import Summarizer
    from ringkas.testing import ID_EN_PAIRS, LONG_SENTENCE_CLAUSES, SUMMARY_PAIRS
    from ringkas.translate import Translator

    root = Path(models_dir) / "tiny-trained-v1"
    if not (root / "done").is_file():
        from ringkas.testing import build_tiny_models

        shutil.rmtree(root, ignore_errors=True)
        build_tiny_models(root)
        (root / "done").write_text("ok", encoding="utf-8")
    variants: list[tuple[str, dict[str, Any]]] = [
        ("torch", {"backend": "torch", "quantize": None}),
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
        translator = Translator(
            str(root / "tiny-id-en"), device=device, num_threads=threads, **options
        )
        got = translator.translate([s for s, _ in pairs], source_lang="id")
        summarizer = Summarizer(
            str(root / "tiny-summarizer"), device=device, num_threads=threads, **options
        )
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
# --------------------------------------------------------------------------------------------

_CPU_ENGINES = (
    "naive",
    "hf",
    "torch",
    "torch-int8",
    "ct2-float32",
    "ct2-int8",
    "raw-ct2-float32",
    "raw-ct2-int8",
)
_GPU_ENGINES = (
    "naive-float16",
    "hf-float16",
    "torch-float16",
    "torch-bfloat16",
    "ct2-float16",
    "ct2-int8_float16",
    "raw-ct2-float16",
)


@dataclass
class SuiteSettings:
    """What one benchmark run measures; the defaults are the small ``ringkas bench`` run."""

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


def _versions() -> dict[str, str | None]:
    from importlib import metadata

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
    from ringkas.backends.cpu import has_vnni, int8_exact, int8_library

    return {
        "ct2_library": int8_library(),
        "vnni": has_vnni(),
        "default_ct2_compute_type": "int8" if int8_exact() else "float32",
    }


def _machine(device: str) -> dict[str, Any]:
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


def _default_engines(device: str) -> tuple[str, ...]:
    from ringkas.backends import ct2_available

    engines: tuple[str, ...] = _GPU_ENGINES if device.startswith("cuda") else _CPU_ENGINES
    if not ct2_available():
        engines = tuple(e for e in engines if "ct2" not in e)
    return engines


def default_engine_name(device: str) -> str:
    """The bench engine name of ringkas's ``backend="auto", quantize="auto"`` on ``device``."""
    from ringkas.backends import resolve_engine_options

    backend, quantize = resolve_engine_options("auto", device, "auto")
    if backend == "ct2":
        return f"ct2-{quantize}"
    if device.startswith("cuda"):  # dtype="auto": bf16 where supported, else fp16
        import torch

        return "torch-bfloat16" if torch.cuda.is_bf16_supported() else "torch-float16"
    return "torch-int8" if quantize == "int8" else "torch"


def run_suite(
    settings: SuiteSettings, *, progress: Callable[[str], None] | None = None
) -> dict[str, Any]:
    """Every benchmark ``settings`` asks for, as one JSON-ready report (with targets)."""
    import torch

    from ringkas.models import clear_engine_cache

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
    engines = settings.engines or _default_engines(settings.device)
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
                    _ratio(wrapped["tokens_per_s"], raw["tokens_per_s"]),
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


def _fmt(value: Any, digits: int = 2) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "NO"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return str(value)


def markdown_report(report: Mapping[str, Any]) -> str:
    """The report as Markdown tables (what ``benchmarks/results/*.md`` holds)."""
    machine = report["machine"]
    versions = report["versions"]
    settings = report["settings"]
    lines = [
        f"# ringkas benchmark ({report['created']})",
        "",
        f"- machine: {machine['cpu']}, {machine['logical_cpus']} logical CPUs"
        + (f", {machine['memory_gb']} GiB" if "memory_gb" in machine else "")
        + (f", GPU {machine['gpu']}" if "gpu" in machine else "")
        + f"; device `{machine['device']}`; {settings['threads']} threads for torch and CT2",
        "- versions: " + ", ".join(f"{k} {v}" for k, v in versions.items() if v),
        f"- load average before/after: {report.get('load_average_before')} / "
        f"{report.get('load_average_after')}",
        f"- input text: {report.get('input_text')}; models: random weights, real architectures "
        f"({settings['size']}); outputs fixed at min = max new tokens, greedy unless stated",
        f'- ringkas default engine here (`backend="auto", quantize="auto"`): '
        f"`{report['default_engine']}`; total wall time {report.get('wall_s')} s",
        "",
    ]
    if report.get("targets"):
        lines += [
            "## Targets",
            "",
            "Defined for the full benchmark (`--full`: 64 sentences of 40 output tokens per "
            "engine); smaller runs give the batched engines too little work and understate them.",
            "",
            "| target | value | threshold | met |",
            "| --- | ---: | --- | --- |",
        ]
        for t in report["targets"]:
            lines.append(
                f"| {t['description']} | {_fmt(t['value'], 3)} | {t['threshold']} | "
                f"{_fmt(t['met'])} |"
            )
        lines.append("")
    for comp in report.get("comparisons", []):
        opts = comp["options"]
        work = comp["workload"]
        lines += [
            f"## {comp['model']} ({comp['task']}), {opts.get('num_beams', 1)} beam(s), "
            f"{opts.get('max_new_tokens')} new tokens per output",
            "",
            f"{comp['architecture']}. "
            + (
                f"ringkas batch budget {comp['batch_tokens']} tokens. "
                if comp.get("batch_tokens")
                else ""
            )
            + f"{work['articles']} articles, {work['units']} model "
            f"inputs ({work['words']} words); naive loop on {work['naive_articles']} article(s); "
            f"median of {comp['repeats']} interleaved repeat(s).",
            "",
            "| engine | tok/s | × naive | × HF batched | articles/s | latency p50 s | "
            "p95 s | peak ΔRSS MB | load RSS MB | equal work |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
        ]
        for r in comp["engines"]:
            gpu = f" (GPU {r['gpu_peak_mb']:.0f} MB)" if r.get("gpu_peak_mb") else ""
            lines.append(
                f"| `{r['engine']}` | {_fmt(r['tokens_per_s'], 1)} | {_fmt(r['vs_naive'], 1)} | "
                f"{_fmt(r['vs_hf'], 2)} | {_fmt(r['articles_per_s'], 2)} | "
                f"{_fmt(r['latency_p50_s'], 2)} | {_fmt(r['latency_p95_s'], 2)} | "
                f"{_fmt(r['peak_rss_delta_mb'], 0)}{gpu} | {_fmt(r['load_rss_mb'], 0)} | "
                f"{_fmt(r['equal_work'])} |"
            )
        agreement = comp.get("agreement") or {}
        if len(agreement) > 1:
            parts = [
                f"`{name}` {_fmt(row.get('exact_match'), 2)} exact"
                + (f", chrF {row['chrf_vs_reference']:.1f}" if "chrf_vs_reference" in row else "")
                for name, row in agreement.items()
                if name != "reference"
            ]
            lines += [
                "",
                f"Agreement with `{agreement['reference']}` (per article, random weights: "
                "a worst case for quantization): " + "; ".join(parts) + ".",
            ]
        lines.append("")
    for sweep in report.get("length_sweep", []):
        lines += [
            f"## Cost against article length: {sweep['model']} {sweep['task']} "
            f"(`{sweep['engine']}`, {sweep['new_tokens_per_call']} new tokens per call)",
            "",
            "| words | seconds | ms per word | output tokens | detail |",
            "| ---: | ---: | ---: | ---: | --- |",
        ]
        for row in sweep["rows"]:
            detail = ", ".join(
                f"{k} {row[k]}" for k in ("segments", "chunks", "rounds") if k in row
            )
            lines.append(
                f"| {row['actual_words']} | {_fmt(row['seconds'])} | "
                f"{_fmt(row['ms_per_word'], 3)} | {row['output_tokens']} | {detail} |"
            )
        lines += [
            "",
            f"Per-word cost ratio {sweep['ratio_between'][1]} / {sweep['ratio_between'][0]} "
            f"words: {_fmt(sweep['per_word_cost_ratio'], 3)}.",
            "",
        ]
    stream = report.get("stream_memory")
    if stream:
        lines += [
            f"## Memory of a stream (`{stream['engine']}`, window {stream['window']})",
            "",
            "| articles | via | peak RSS MB | RSS after load MB | stream peak over load MB |",
            "| ---: | --- | ---: | ---: | ---: |",
        ]
        for row in stream["rows"]:
            lines.append(
                f"| {row['articles']} | {row['via']} | {_fmt(row['peak_rss_mb'], 0)} | "
                f"{_fmt(row['rss_after_load_mb'], 0)} | "
                f"{_fmt(row['stream_peak_over_load_mb'], 0)} |"
            )
        lines += ["", f"Peak RSS ratio: {_fmt(stream['peak_rss_ratio'], 3)}.", ""]
    quality = report.get("quality_tiny_trained")
    if quality:
        lines += [
            "## Quantization on the tiny trained models (exact-match rate)",
            "",
            "| engine | translations | summaries |",
            "| --- | ---: | ---: |",
        ]
        for name, row in quality["engines"].items():
            lines.append(
                f"| `{name}` | {_fmt(row['translation_exact'], 3)} | "
                f"{_fmt(row['summary_exact'], 3)} |"
            )
        lines.append("")
    return "\n".join(lines)


def plot_report(report: Mapping[str, Any], path: Path) -> Path | None:
    """Throughput bars and per-word cost lines; ``None`` when matplotlib is not installed."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    comparisons = report.get("comparisons", [])
    sweeps = report.get("length_sweep", [])
    panels = len(comparisons) + (1 if sweeps else 0)
    if panels == 0:
        return None
    fig, axes = plt.subplots(1, panels, figsize=(4.5 * panels, 4), squeeze=False)
    for ax, comp in zip(axes[0], comparisons, strict=False):
        names = [r["engine"] for r in comp["engines"]]
        values = [r["tokens_per_s"] for r in comp["engines"]]
        colours = [
            "#c44" if r["engine"] == report["default_engine"] else "#48a" for r in comp["engines"]
        ]
        ax.barh(names, values, color=colours)
        ax.set_xscale("log")
        ax.invert_yaxis()
        ax.set_xlabel("output tokens/s (log)")
        ax.set_title(f"{comp['model']}, {comp['options'].get('num_beams', 1)} beam(s)")
    if sweeps:
        ax = axes[0][-1]
        for sweep in sweeps:
            xs = [row["actual_words"] for row in sweep["rows"]]
            ys = [row["ms_per_word"] for row in sweep["rows"]]
            ax.plot(xs, ys, marker="o", label=f"{sweep['model']} {sweep['task']}")
        ax.set_xscale("log")
        ax.set_xlabel("article length (words)")
        ax.set_ylabel("ms per word")
        ax.set_ylim(bottom=0)
        ax.legend()
        ax.set_title("cost per word against length")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def write_report(report: Mapping[str, Any], out_dir: Path, stem: str = "bench") -> list[Path]:
    """Write ``<stem>.json``, ``<stem>.md`` and (with matplotlib) ``<stem>.png``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = [out_dir / f"{stem}.json", out_dir / f"{stem}.md"]
    written[0].write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", "utf-8")
    written[1].write_text(markdown_report(report) + "\n", "utf-8")
    plot = plot_report(report, out_dir / f"{stem}.png")
    if plot is not None:
        written.append(plot)
    return written


# --------------------------------------------------------------------------------------------
# Command line
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
        + ", ".join(_CPU_ENGINES),
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
        "--out", type=Path, default=None, help="folder for bench.json, bench.md and bench.png"
    )
    parser.add_argument("--stem", default="bench", help="file name stem in --out")
    parser.add_argument("--json", action="store_true", help="print JSON instead of Markdown")
    parser.add_argument("-q", "--quiet", action="store_true", help="no progress on stderr")


def add_parser(subparsers: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``ringkas bench``: a small timing run (``--full`` for the whole CPU benchmark)."""
    parser = subparsers.add_parser(
        "bench",
        help="time ringkas's engines against naive and batched HF generate",
        description="Compare inference engines on random-weight models with real "
        "architectures (no download). Default: a small opus-mt-size run; --full: the complete "
        "CPU benchmark; --tiny: a seconds-long smoke run.",
    )
    _configure(parser)
    parser.set_defaults(func=_run_cli)


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
        print(f"ringkas bench: error: {exc}", file=sys.stderr)
        return 2
    progress = None if args.quiet else (lambda msg: print(msg, file=sys.stderr, flush=True))
    try:
        report = run_suite(settings, progress=progress)
    except (ConfigError, ImportError) as exc:
        print(f"ringkas bench: error: {exc}", file=sys.stderr)
        return 2
    if args.out is not None:
        for path in write_report(report, args.out, args.stem):
            if progress:
                progress(f"wrote {path}")
    print(json.dumps(report, indent=2) if args.json else markdown_report(report))
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m ringkas.bench`` (the same options as ``ringkas bench``)."""
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["--stream-child"]:
        print(json.dumps(_stream_child(json.loads(argv[1]))))
        return 0
    parser = argparse.ArgumentParser(prog="ringkas bench")
    _configure(parser)
    return _run_cli(parser.parse_args(argv))


if __name__ == "__main__":
    sys.exit(main())
