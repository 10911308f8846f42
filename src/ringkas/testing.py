"""Tiny trained models for offline tests, examples and smoke benchmarks.

Random weights prove shapes, not behaviour. These builders train a tiny Marian translator and a
tiny T5 summariser for a few hundred steps, until greedy decoding reproduces every training
target exactly, then save them as ordinary Hugging Face folders (with a ``ringkas.json`` that
declares their languages and input window). ringkas then loads them through its real loading
code, so exact outputs can be asserted end to end without a model hub.

The data are chosen so that the behaviours worth testing happen: an Indonesian sentence too long
for the tiny model's window (split at clause boundaries) and an article too long for the
summariser's window (map-reduce over chunks). Needs torch, transformers and sentencepiece.
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ringkas.text import chunk_text

__all__ = [
    "EN_ID_PAIRS",
    "ID_EN_PAIRS",
    "LONG_ARTICLE",
    "LONG_ARTICLE_SUMMARY",
    "LONG_SENTENCE_CLAUSES",
    "SUMMARY_PAIRS",
    "TinyModels",
    "build_tiny_models",
    "marian_tokenizer",
    "train_sentencepiece",
    "train_summarizer",
    "train_translator",
]

#: Indonesian -> English sentence pairs the tiny translator learns by heart.
ID_EN_PAIRS: tuple[tuple[str, str], ...] = (
    ("Presiden meresmikan jalan tol baru di Jawa Tengah.", "The president inaugurated a new toll road in Central Java."),
    ("Harga beras naik minggu ini.", "The price of rice rose this week."),
    ("Warga menyambut keputusan itu dengan gembira.", "Residents welcomed the decision happily."),
    ("Hujan deras melanda Jakarta sejak pagi.", "Heavy rain has hit Jakarta since morning."),
    ("Pemerintah akan membangun sekolah baru.", "The government will build a new school."),
    ("Banjir merendam ratusan rumah.", "Floods submerged hundreds of houses."),
    ("Polisi menangkap dua tersangka.", "Police arrested two suspects."),
    ("Pasar saham dibuka menguat.", "The stock market opened higher."),
    ("Menteri mengunjungi pelabuhan.", "The minister visited the port."),
    ("Tim nasional menang dua gol.", "The national team won by two goals."),
    ("Kereta cepat mulai beroperasi.", "The high-speed train began operating."),
    ("Petani memanen padi lebih awal.", "Farmers harvested rice earlier."),
    ("Bandara ditutup karena kabut asap.", "The airport was closed because of haze."),
    ("Gubernur meminta warga tetap tenang.", "The governor asked residents to stay calm."),
    ("Banjir merendam ratusan rumah di Jakarta.", "Floods submerged hundreds of houses in Jakarta."),
    ("Presiden meresmikan jalan tol baru.", "The president inaugurated a new toll road."),
    ("Banjir merendam ratusan rumah di Jakarta Utara.", "Floods submerged hundreds of houses in North Jakarta."),
    ("Warga mengungsi ke masjid terdekat.", "Residents fled to the nearest mosque."),
)  # fmt: skip

#: Clauses of one Indonesian sentence too long for the tiny translator's window; each clause
#: fits alone, no two together, so ringkas must split the sentence exactly here.
LONG_SENTENCE_CLAUSES: tuple[tuple[str, str], ...] = (
    (
        "Pemerintah daerah mengumumkan bahwa jembatan tua di pusat kota akan diperbaiki mulai bulan depan,",
        "The local government announced that the old bridge in the city centre will be repaired from next month,",
    ),
    (
        "sementara para pedagang di sekitar pasar diminta memindahkan lapak mereka untuk sementara waktu,",
        "while traders around the market were asked to move their stalls for the time being,",
    ),
    (
        "dan warga berharap pekerjaan perbaikan itu selesai sebelum musim hujan tiba.",
        "and residents hope the repair work will be finished before the rainy season arrives.",
    ),
)  # fmt: skip

#: English -> Indonesian pairs (summaries of English articles come back to Indonesian).
EN_ID_PAIRS: tuple[tuple[str, str], ...] = (
    ("The minister visited the port.", "Menteri mengunjungi pelabuhan."),
    ("The national team won by two goals.", "Tim nasional menang dua gol."),
    ("Police arrested two suspects.", "Polisi menangkap dua tersangka."),
    ("The price of rice rose this week.", "Harga beras naik minggu ini."),
    ("Heavy rain has hit Jakarta since morning.", "Hujan deras melanda Jakarta sejak pagi."),
    (
        "Floods submerged hundreds of houses in North Jakarta.",
        "Banjir merendam ratusan rumah di Jakarta Utara.",
    ),
    ("Residents fled to the nearest mosque.", "Warga mengungsi ke masjid terdekat."),
)

#: Article -> summary pairs for the tiny summariser (Indonesian, and English read as English).
SUMMARY_PAIRS: tuple[tuple[str, str], ...] = (
    (
        "Hujan deras melanda Jakarta sejak pagi. Banjir merendam ratusan rumah di Jakarta Utara. "
        "Warga mengungsi ke masjid terdekat.",
        "Banjir merendam ratusan rumah di Jakarta.",
    ),
    (
        "Presiden meresmikan jalan tol baru di Jawa Tengah. Jalan tol itu memangkas waktu tempuh "
        "dua jam. Warga menyambut keputusan itu dengan gembira.",
        "Presiden meresmikan jalan tol baru.",
    ),
    (
        "Harga beras naik minggu ini. Pedagang menyebut pasokan dari petani berkurang. "
        "Pemerintah berjanji menambah stok.",
        "Harga beras naik karena pasokan berkurang.",
    ),
    (
        "Tim nasional menang dua gol.\n\nPelatih memuji semangat para pemain.",
        "Tim nasional menang dua gol.",
    ),
    (
        "The minister visited the port. He promised new cranes for the harbour.",
        "The minister visited the port.",
    ),
    (
        "The national team won by two goals. The coach praised the players.",
        "The national team won by two goals.",
    ),
)

#: An Indonesian article longer than the tiny summariser's window (three paragraphs).
LONG_ARTICLE = (
    "Gempa bermagnitudo lima mengguncang Sulawesi Tengah pada Senin pagi. Badan Meteorologi "
    "menyatakan gempa tidak berpotensi tsunami. Warga sempat berhamburan keluar rumah.\n\n"
    "Pemerintah daerah mendirikan tenda darurat di lapangan kota. Relawan membagikan makanan "
    "dan selimut kepada pengungsi. Sekolah diliburkan selama tiga hari.\n\n"
    "Gubernur meminta warga tetap tenang dan waspada terhadap gempa susulan. Tim teknis "
    "memeriksa bangunan yang retak. Listrik kembali menyala pada sore hari."
)
#: What the tiny summariser learns for each chunk of LONG_ARTICLE, in order.
_CHUNK_SUMMARIES = (
    "Gempa mengguncang Sulawesi Tengah.",
    "Pengungsi mendapat tenda dan makanan.",
    "Warga diminta waspada gempa susulan.",
    "Listrik kembali menyala.",
    "Sekolah diliburkan.",
)
#: The summary of the chunk summaries: only reachable if every chunk was summarised.
LONG_ARTICLE_SUMMARY = "Gempa di Sulawesi Tengah memaksa warga mengungsi."


@dataclass(frozen=True)
class TinyModels:
    """Folders of the tiny trained models, and what they learnt."""

    id_en: Path
    en_id: Path
    summarizer: Path
    #: Indonesian sentence -> English translation, everything the translator knows.
    translations: dict[str, str] = field(default_factory=dict)
    #: English sentence -> Indonesian translation.
    back_translations: dict[str, str] = field(default_factory=dict)
    #: Article -> summary (LONG_ARTICLE included, with its map-reduce intermediate pairs).
    summaries: dict[str, str] = field(default_factory=dict)
    #: The chunks ringkas cuts LONG_ARTICLE into under the summariser's window.
    long_article_chunks: tuple[str, ...] = ()


def train_sentencepiece(
    lines: Sequence[str], prefix: Path, *, vocab_size: int, num_threads: int = 1
) -> Path:
    """A unigram sentencepiece model with T5/Marian special ids (pad 0, eos 1, unk 2); only the
    ``.model`` file is kept. One thread (the default) makes the result reproducible."""
    import sentencepiece as spm

    spm.SentencePieceTrainer.train(
        sentence_iterator=iter(list(lines)),
        model_prefix=str(prefix),
        vocab_size=vocab_size,
        model_type="unigram",
        character_coverage=1.0,
        hard_vocab_limit=False,
        num_threads=num_threads,
        minloglevel=2,
        pad_id=0,
        eos_id=1,
        unk_id=2,
        bos_id=-1,
    )
    prefix.with_suffix(".vocab").unlink(missing_ok=True)
    return prefix.with_suffix(".model")


def marian_tokenizer(
    folder: Path, pieces: Sequence[str], *, source_lang: str, target_lang: str
) -> Any:
    """A MarianTokenizer over ``folder``'s ``source.spm``/``target.spm`` and ``pieces`` as its
    vocabulary, with ``<pad>`` appended last, as in opus-mt (CTranslate2 drops it)."""
    from transformers import MarianTokenizer

    vocab = {p: i for i, p in enumerate([*pieces, "<pad>"])}
    (folder / "vocab.json").write_text(json.dumps(vocab, ensure_ascii=False), encoding="utf-8")
    return MarianTokenizer(
        source_spm=str(folder / "source.spm"),
        target_spm=str(folder / "target.spm"),
        vocab=str(folder / "vocab.json"),
        source_lang=source_lang,
        target_lang=target_lang,
    )


def _fit(
    model: Any,
    tokenizer: Any,
    pairs: Sequence[tuple[str, str]],
    *,
    after_step: Callable[[Any], None] | None = None,
    max_steps: int = 800,
    seed: int = 0,
) -> None:
    """Full-batch training until greedy decoding reproduces every target exactly."""
    import torch

    threads = torch.get_num_threads()
    torch.set_num_threads(1)  # tiny matrices: one thread is fastest, and immune to busy cores
    try:
        _fit_loop(model, tokenizer, pairs, after_step=after_step, max_steps=max_steps, seed=seed)
    finally:
        torch.set_num_threads(threads)


def _fit_loop(
    model: Any,
    tokenizer: Any,
    pairs: Sequence[tuple[str, str]],
    *,
    after_step: Callable[[Any], None] | None,
    max_steps: int,
    seed: int,
) -> None:
    import torch

    torch.manual_seed(seed)
    sources = [s for s, _ in pairs]
    targets = [t for _, t in pairs]
    batch = tokenizer(sources, text_target=targets, return_tensors="pt", padding=True)
    labels = batch["labels"].clone()
    labels[labels == tokenizer.pad_token_id] = -100
    optimizer = torch.optim.AdamW(model.parameters(), lr=3e-3, weight_decay=0.0)
    inputs = tokenizer(sources, return_tensors="pt", padding=True)
    for step in range(1, max_steps + 1):
        model.train()
        loss = model(
            input_ids=batch["input_ids"], attention_mask=batch["attention_mask"], labels=labels
        ).loss
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
        if after_step is not None:
            after_step(model)
        if step % 25 == 0 and loss.item() < 0.05:
            model.eval()
            with torch.inference_mode():
                out = model.generate(**inputs, num_beams=1, do_sample=False, max_new_tokens=64)
            decoded = tokenizer.batch_decode(out, skip_special_tokens=True)
            if [d.strip() for d in decoded] == targets:
                model.eval()
                return
    raise RuntimeError(f"tiny model did not learn its {len(pairs)} pairs in {max_steps} steps")


def _write_meta(folder: Path, meta: dict[str, Any]) -> None:
    (folder / "ringkas.json").write_text(json.dumps(meta, indent=2), encoding="utf-8")


def train_translator(
    folder: Path,
    pairs: Sequence[tuple[str, str]],
    *,
    source_lang: str,
    target_lang: str,
    long_clauses: Sequence[tuple[str, str]] = (),
    seed: int = 0,
) -> Path:
    """Train and save a tiny Marian translator; its window is sized so ``long_clauses`` joined
    into one sentence must be split at exactly those clauses."""
    import torch
    from transformers import MarianConfig, MarianMTModel

    folder.mkdir(parents=True, exist_ok=True)
    all_pairs = list(pairs) + list(long_clauses)
    src_model = train_sentencepiece([s for s, _ in all_pairs], folder / "src", vocab_size=160)
    tgt_model = train_sentencepiece([t for _, t in all_pairs], folder / "tgt", vocab_size=160)
    src_model.rename(folder / "source.spm")
    tgt_model.rename(folder / "target.spm")
    import sentencepiece as spm

    pieces = ["</s>", "<unk>"]
    for name in ("source.spm", "target.spm"):
        processor = spm.SentencePieceProcessor(model_file=str(folder / name))
        for i in range(processor.get_piece_size()):
            piece = processor.id_to_piece(i)
            if piece not in pieces and not processor.is_control(i):
                pieces.append(piece)
    tokenizer = marian_tokenizer(folder, pieces, source_lang=source_lang, target_lang=target_lang)

    def count(text: str) -> int:
        return len(tokenizer(text)["input_ids"])

    window = max(count(s) for s, _ in all_pairs)
    if long_clauses:
        clauses = [c for c, _ in long_clauses]
        sentence = " ".join(clauses)
        chunks = [
            c.text.strip() for c in chunk_text(sentence, max_tokens=window, count_tokens=count)
        ]
        if chunks != clauses:
            raise RuntimeError(
                f"the tiny translator's window ({window} tokens) splits the long sentence into "
                f"{chunks}, not into its clauses; adjust LONG_SENTENCE_CLAUSES"
            )
    vocab_size = tokenizer.vocab_size  # the pieces and <pad>
    pad = vocab_size - 1
    config = MarianConfig(
        vocab_size=vocab_size,
        decoder_vocab_size=vocab_size,
        d_model=64,
        encoder_layers=2,
        decoder_layers=2,
        encoder_attention_heads=4,
        decoder_attention_heads=4,
        encoder_ffn_dim=128,
        decoder_ffn_dim=128,
        max_position_embeddings=256,
        pad_token_id=pad,
        eos_token_id=0,
        decoder_start_token_id=pad,
        forced_eos_token_id=0,
        dropout=0.0,
        attention_dropout=0.0,
        activation_dropout=0.0,
        share_encoder_decoder_embeddings=True,
    )
    torch.manual_seed(seed)
    model = MarianMTModel(config)

    def zero_pad_row(m: Any) -> None:
        # opus-mt's <pad> embedding is zero; Marian (and CTranslate2) start decoding from zeros.
        with torch.no_grad():
            m.model.shared.weight[pad].zero_()

    zero_pad_row(model)
    _fit(model, tokenizer, all_pairs, after_step=zero_pad_row, seed=seed)
    model.generation_config.num_beams = 1
    model.generation_config.max_length = 128
    model.generation_config.bad_words_ids = [[pad]]
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    _write_meta(
        folder,
        {
            "source_langs": [source_lang],
            "target_langs": [target_lang],
            "family": "marian",
            "max_input_tokens": window,
            "generation": {"num_beams": 1, "max_new_tokens": 64},
            "description": "tiny Marian trained by ringkas.testing",
        },
    )
    return folder


def _t5_tokenizer(folder: Path, lines: Sequence[str]) -> Any:
    import sentencepiece as spm
    from transformers import AutoTokenizer, T5Tokenizer

    model_file = train_sentencepiece(lines, folder / "spiece", vocab_size=220)
    processor = spm.SentencePieceProcessor(model_file=str(model_file))
    vocab = [
        (processor.id_to_piece(i), processor.get_score(i))
        for i in range(processor.get_piece_size())
    ]
    T5Tokenizer(vocab=vocab, extra_ids=0).save_pretrained(folder)
    return AutoTokenizer.from_pretrained(str(folder))


def train_summarizer(
    folder: Path,
    pairs: Sequence[tuple[str, str]],
    *,
    langs: Sequence[str] = ("id", "en"),
    long_article: str = LONG_ARTICLE,
    long_summary: str = LONG_ARTICLE_SUMMARY,
    seed: int = 0,
) -> tuple[Path, dict[str, str], tuple[str, ...]]:
    """Train and save a tiny T5 summariser whose window is shorter than ``long_article``.

    It learns each chunk ringkas will cut the long article into (-> a chunk summary) and the
    joined chunk summaries (-> ``long_summary``). Returns the folder, everything it learnt, and
    the chunks.
    """
    import torch
    from transformers import T5Config, T5ForConditionalGeneration

    folder.mkdir(parents=True, exist_ok=True)
    lines = [x for pair in pairs for x in pair] + [long_article, long_summary, *_CHUNK_SUMMARIES]
    tokenizer = _t5_tokenizer(folder, lines)

    def count(text: str) -> int:
        return len(tokenizer(text)["input_ids"])

    window = max(count(a) for a, _ in pairs)
    window = max(window, max(count(p) for p in long_article.split("\n\n")))
    if count(long_article) <= window:
        raise RuntimeError("LONG_ARTICLE must be longer than the tiny summariser's window")
    chunks = tuple(
        c.text.strip() for c in chunk_text(long_article, max_tokens=window, count_tokens=count)
    )
    if not 1 < len(chunks) <= len(_CHUNK_SUMMARIES):
        raise RuntimeError(f"unexpected chunking of LONG_ARTICLE: {chunks}")
    chunk_summaries = _CHUNK_SUMMARIES[: len(chunks)]
    joined = " ".join(chunk_summaries)
    if count(joined) > window:
        raise RuntimeError("the joined chunk summaries must fit the tiny summariser's window")
    learnt = dict(pairs)
    learnt.update(zip(chunks, chunk_summaries, strict=True))
    learnt[joined] = long_summary
    config = T5Config(  # type: ignore[call-arg]  # forwarded to PretrainedConfig
        vocab_size=len(tokenizer),
        d_model=64,
        d_kv=16,
        d_ff=128,
        num_layers=2,
        num_decoder_layers=2,
        num_heads=4,
        relative_attention_num_buckets=8,
        dropout_rate=0.0,
        feed_forward_proj="relu",
        pad_token_id=0,
        eos_token_id=1,
        decoder_start_token_id=0,
        tie_word_embeddings=False,
    )
    torch.manual_seed(seed)
    model = T5ForConditionalGeneration(config)
    _fit(model, tokenizer, list(learnt.items()), seed=seed)
    model.generation_config.num_beams = 1
    model.save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    _write_meta(
        folder,
        {
            "source_langs": list(langs),
            "target_langs": list(langs),
            "family": "t5",
            "max_input_tokens": window,
            "generation": {"num_beams": 1, "max_new_tokens": 48},
            "description": "tiny T5 summariser trained by ringkas.testing",
        },
    )
    return folder, learnt, chunks


def build_tiny_models(root: Path | None = None, *, seed: int = 0) -> TinyModels:
    """Train the three tiny models into ``root`` (a new temporary folder by default)."""
    root = Path(root) if root is not None else Path(tempfile.mkdtemp(prefix="ringkas-tiny-"))
    id_en = train_translator(
        root / "tiny-id-en",
        ID_EN_PAIRS,
        source_lang="id",
        target_lang="en",
        long_clauses=LONG_SENTENCE_CLAUSES,
        seed=seed,
    )
    en_id = train_translator(
        root / "tiny-en-id", EN_ID_PAIRS, source_lang="en", target_lang="id", seed=seed
    )
    summarizer, learnt, chunks = train_summarizer(
        root / "tiny-summarizer", SUMMARY_PAIRS, seed=seed
    )
    return TinyModels(
        id_en=id_en,
        en_id=en_id,
        summarizer=summarizer,
        translations=dict(ID_EN_PAIRS) | dict(LONG_SENTENCE_CLAUSES),
        back_translations=dict(EN_ID_PAIRS),
        summaries=learnt,
        long_article_chunks=chunks,
    )
