"""Benchmark models and their input text: real architectures, random weights, no download.

Models are built locally from configs with the real architectures (opus-mt-id-en Marian,
mT5-base as in mT5_multilingual_XLSum, BART-base), with small tokenizers trained here on FLORES
text and vocabularies padded to the real sizes; ``size="tiny"`` builds miniatures for smoke runs.

Input text is FLORES-200 from the folder given by ``data_dir=`` (``--data-dir``), else
``$RINGKAS_DATA_DIR``; without either, generated Indonesian-looking text is used and the reports
say so (``input_text: generated``).
"""

from __future__ import annotations

import dataclasses
import json
import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ringkas.bench import generated_sentences
from ringkas.errors import ConfigError
from ringkas.models import ModelSpec, resolve_model
from ringkas.testing import marian_tokenizer, train_sentencepiece
from ringkas.text import sentence_spans

# torch, transformers, tokenizers and sentencepiece are imported inside the builders: importing
# this module (as the stream-memory child does) must not load them.

log = logging.getLogger("benchmarks")

#: The environment variable naming the data folder (it holds ``flores200/``).
DATA_DIR_ENV = "RINGKAS_DATA_DIR"

MODEL_KINDS = ("marian", "mt5", "bart")
SIZES = ("real", "tiny")
#: Bump when a recipe changes, so cached bench models are rebuilt.
_RECIPE_VERSION = 2


def resolve_data_dir(explicit: Path | None = None) -> Path | None:
    """The data folder: ``explicit``, else ``$RINGKAS_DATA_DIR``, else ``None`` (no real text)."""
    if explicit is not None:
        return Path(explicit).expanduser()
    value = os.environ.get(DATA_DIR_ENV, "").strip()
    return Path(value).expanduser() if value else None


def _flores_lines(lang: str, split: str, data_dir: Path | None) -> list[str]:
    root = resolve_data_dir(data_dir)
    if root is None:
        return []
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
    return train_sentencepiece(
        lines, prefix, vocab_size=vocab_size, num_threads=max(1, os.cpu_count() or 1)
    )


def _fill(i: int) -> str:
    return f"<fill_{i}>"


def _build_marian(folder: Path, recipe: ModelRecipe, lines: Sequence[str], seed: int) -> None:
    import sentencepiece as spm
    import torch
    from transformers import MarianConfig, MarianMTModel

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
        "description": f"random weights, built by benchmarks.models: {recipe.description}",
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
