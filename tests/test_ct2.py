"""CTranslate2 engine: outputs equal to the torch engine's, the conversion cache, the pitfalls."""

from __future__ import annotations

import json
import os
import shutil
import threading
from pathlib import Path

import pytest

pytest.importorskip("ctranslate2")

from ringkas import ConfigError
from ringkas.backends.ct2_backend import (
    CT2Engine,
    conversion_dir,
    conversion_quantization,
    ensure_converted,
    source_signature,
)
from ringkas.backends.torch_backend import TorchEngine
from ringkas.config import EngineOptions, GenerationOptions
from ringkas.models import resolve_model
from ringkas.summarize import Summarizer
from ringkas.testing import (
    ID_EN_PAIRS,
    LONG_ARTICLE,
    LONG_ARTICLE_SUMMARY,
    LONG_SENTENCE_CLAUSES,
    SUMMARY_PAIRS,
)
from ringkas.translate import Translator

CPU = EngineOptions(device="cpu")
CT2_FP32 = EngineOptions(backend="ct2", device="cpu", quantize="float32")

#: Greedy settings that exercise the option mapping: natural ends, cut-offs, forced lengths.
#: (Beam search may differ in rare near-ties: HF and CT2 normalise hypothesis lengths
#: differently, so only the T5 beam test below, a guard for the scores, asserts equality.)
OPTION_GRID = [
    GenerationOptions(),
    GenerationOptions(max_new_tokens=3),
    GenerationOptions(max_new_tokens=7, min_new_tokens=5),
    GenerationOptions(max_new_tokens=30, min_new_tokens=30),
    GenerationOptions(max_new_tokens=12, repetition_penalty=1.3, no_repeat_ngram_size=2),
]


@pytest.fixture(scope="module")
def marian(tiny_models) -> tuple[TorchEngine, CT2Engine]:
    spec = resolve_model(str(tiny_models.id_en), task="translation")
    torch_engine = TorchEngine(spec, tiny_models.id_en, device="cpu")
    return torch_engine, CT2Engine(spec, tiny_models.id_en, device="cpu", quantize="float32")


@pytest.fixture(scope="module")
def t5(tiny_models) -> tuple[TorchEngine, CT2Engine]:
    spec = resolve_model(str(tiny_models.summarizer), task="summarization")
    torch_engine = TorchEngine(spec, tiny_models.summarizer, device="cpu")
    ct2_engine = CT2Engine(spec, tiny_models.summarizer, device="cpu", quantize="float32")
    return torch_engine, ct2_engine


def _sources() -> list[str]:
    return [s for s, _ in ID_EN_PAIRS] + [s for s, _ in LONG_SENTENCE_CLAUSES]


@pytest.mark.parametrize("options", OPTION_GRID, ids=lambda o: str(o.to_dict()))
def test_float32_marian_equals_torch_directly(marian, options):
    torch_engine, ct2_engine = marian
    ids = torch_engine.encode(_sources(), source_lang="id")
    expected = torch_engine.generate(ids, options=options)
    assert ct2_engine.generate(ids, options=options) == expected
    if options.max_new_tokens == 3:  # cut off: reported, with the last word kept
        assert all(g.hit_limit and g.n_tokens == 3 for g in expected)


@pytest.mark.parametrize("options", OPTION_GRID, ids=lambda o: str(o.to_dict()))
def test_float32_t5_equals_torch_directly(t5, options):
    torch_engine, ct2_engine = t5
    ids = torch_engine.encode([a for a, _ in SUMMARY_PAIRS], source_lang="id")
    assert ct2_engine.generate(ids, options=options) == torch_engine.generate(ids, options=options)


def test_t5_scores_agree_with_torch(t5):
    """Guards the tie_word_embeddings pitfall: a scaled output layer keeps argmax, not scores."""
    torch_engine, ct2_engine = t5
    sources = torch_engine.encode([a for a, _ in SUMMARY_PAIRS])
    tokenizer = torch_engine.frontend.tokenizer
    targets = [tokenizer(t, add_special_tokens=False)["input_ids"] for _, t in SUMMARY_PAIRS]
    for got, want in zip(
        ct2_engine.score(sources, targets), torch_engine.score(sources, targets), strict=True
    ):
        assert got == pytest.approx(want, abs=1e-4)


def test_beam_search_with_length_penalty_matches_torch(t5):
    torch_engine, ct2_engine = t5
    ids = torch_engine.encode([a for a, _ in SUMMARY_PAIRS])
    options = GenerationOptions(num_beams=4, length_penalty=0.6, no_repeat_ngram_size=3)
    assert ct2_engine.generate(ids, options=options) == torch_engine.generate(ids, options=options)


def test_long_inputs_are_not_truncated(t5):
    """CT2 cuts at 1024 tokens by default; ringkas turns that off (inputs arrive pre-split)."""
    torch_engine, ct2_engine = t5
    [long_ids] = torch_engine.encode([" ".join([LONG_ARTICLE] * 12)])
    assert len(long_ids) > 1100
    target = torch_engine.frontend.tokenizer(LONG_ARTICLE_SUMMARY, add_special_tokens=False)
    [want] = torch_engine.score([long_ids], [target["input_ids"]])
    [got] = ct2_engine.score([long_ids], [target["input_ids"]])
    assert got == pytest.approx(want, abs=1e-3)
    assert ct2_engine.decoding_options(GenerationOptions().resolved())["max_input_length"] == 0


@pytest.mark.exact  # CTranslate2 engine
def test_translator_with_ct2_backend(tiny_routes, tiny_models):
    translator = Translator(routes=tiny_routes, engine=CT2_FP32)
    intro = ID_EN_PAIRS[0][0]
    sentence = " ".join(src for src, _ in LONG_SENTENCE_CLAUSES)
    docs = [f"{intro} {sentence}", f"{ID_EN_PAIRS[1][0]}\n\n{ID_EN_PAIRS[2][0]}"]
    results = translator.translate(docs, source_lang="id")
    reference = Translator(routes=tiny_routes, engine=CPU).translate(docs, source_lang="id")
    assert [r.text for r in results] == [r.text for r in reference]
    assert results[0].text == " ".join([ID_EN_PAIRS[0][1], *(t for _, t in LONG_SENTENCE_CLAUSES)])
    assert results[0].n_split_sentences == 1
    assert results[1].text == f"{ID_EN_PAIRS[1][1]}\n\n{ID_EN_PAIRS[2][1]}"
    assert not any(r.truncated for r in results)


@pytest.mark.exact  # CTranslate2 float32 vs the default engine
def test_translator_ct2_reports_cut_off_outputs(tiny_routes):
    kwargs = {"routes": tiny_routes, "max_new_tokens": 3}
    [ct2] = Translator(engine=CT2_FP32, **kwargs).translate([ID_EN_PAIRS[0][0]], source_lang="id")
    [torch_result] = Translator(engine=CPU, **kwargs).translate(
        [ID_EN_PAIRS[0][0]], source_lang="id"
    )
    assert ct2.truncated
    assert torch_result.truncated
    assert ct2.text == torch_result.text


@pytest.mark.exact  # CTranslate2 float32
def test_summarizer_with_ct2_backend_map_reduce(tiny_models):
    summarizer = Summarizer(str(tiny_models.summarizer), engine=CT2_FP32)
    articles = [LONG_ARTICLE, *(a for a, _ in SUMMARY_PAIRS[:3])]
    results = summarizer.summarize(articles, lang="id")
    assert results[0].text == LONG_ARTICLE_SUMMARY
    assert results[0].n_chunks == len(tiny_models.long_article_chunks)
    assert [r.text for r in results[1:]] == [s for _, s in SUMMARY_PAIRS[:3]]


def test_int8_runs_and_mostly_agrees(tiny_models, marian):
    """int8 outputs "may differ"; on the confident tiny models they should rarely do."""
    torch_engine, _ = marian
    spec = resolve_model(str(tiny_models.id_en), task="translation")
    engine = CT2Engine(spec, tiny_models.id_en, device="cpu", quantize="int8")
    assert engine.compute_type == "int8"
    ids = torch_engine.encode(_sources(), source_lang="id")
    got = [g.text for g in engine.generate(ids, options=GenerationOptions())]
    want = [g.text for g in torch_engine.generate(ids, options=GenerationOptions())]
    assert sum(a == b for a, b in zip(got, want, strict=True)) >= 0.8 * len(want)


def test_auto_compute_type_is_int8_on_cpu(tiny_models):
    spec = resolve_model(str(tiny_models.id_en), task="translation")
    engine = CT2Engine(spec, tiny_models.id_en, device="cpu", quantize="auto")
    assert engine.compute_type == "int8"
    assert engine.model_dir.name == "ringkas-ct2-int8"


# -- conversion cache ----------------------------------------------------------------------------


@pytest.fixture
def model_copy(tiny_models, tmp_path) -> Path:
    """A private copy of the tiny summariser (its conversions are this test's alone)."""
    folder = tmp_path / "model"
    shutil.copytree(tiny_models.summarizer, folder, ignore=shutil.ignore_patterns("ringkas-ct2-*"))
    return folder


def _tokenizer(folder: Path):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(str(folder))


def test_conversion_is_cached_next_to_the_model_with_a_signature(model_copy, monkeypatch):
    from ringkas.backends import ct2_backend

    calls = []
    real = ct2_backend.convert_model
    monkeypatch.setattr(
        ct2_backend, "convert_model", lambda *a, **k: calls.append(1) or real(*a, **k)
    )
    tokenizer = _tokenizer(model_copy)
    first = ensure_converted(model_copy, quantization="int8", tokenizer=tokenizer)
    assert first == model_copy / "ringkas-ct2-int8"
    signature = json.loads((first / "ringkas-ct2.json").read_text())
    assert signature["quantization"] == "int8"
    assert {"ctranslate2", "transformers", "files"} <= set(signature)
    assert "model.safetensors" in signature["files"]
    assert ensure_converted(model_copy, quantization="int8", tokenizer=tokenizer) == first
    assert len(calls) == 1  # the second call reused the conversion
    assert [p.name for p in model_copy.iterdir() if p.name.startswith(".")] == []


def test_a_changed_model_is_reconverted(model_copy):
    tokenizer = _tokenizer(model_copy)
    target = ensure_converted(model_copy, quantization="float32", tokenizer=tokenizer)
    before = (target / "ringkas-ct2.json").read_text()
    config = json.loads((model_copy / "generation_config.json").read_text())
    config["num_beams"] = 2
    (model_copy / "generation_config.json").write_text(json.dumps(config))
    assert source_signature(model_copy, "float32") != json.loads(before)
    again = ensure_converted(model_copy, quantization="float32", tokenizer=tokenizer)
    assert again == target
    assert (target / "ringkas-ct2.json").read_text() != before


def test_a_stale_or_broken_conversion_is_replaced(model_copy):
    target = model_copy / "ringkas-ct2-float32"
    target.mkdir()
    (target / "model.bin").write_bytes(b"half a model")
    (target / "ringkas-ct2.json").write_text("{}")
    ensure_converted(model_copy, quantization="float32", tokenizer=_tokenizer(model_copy))
    assert (target / "model.bin").stat().st_size > 1000
    assert json.loads((target / "ringkas-ct2.json").read_text())["quantization"] == "float32"


def test_concurrent_conversions_leave_one_complete_model(model_copy):
    tokenizer = _tokenizer(model_copy)
    results: list[Path] = []
    errors: list[BaseException] = []

    def convert() -> None:
        try:
            results.append(ensure_converted(model_copy, quantization="int8", tokenizer=tokenizer))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=convert) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors
    assert len(set(results)) == 1
    leftovers = [p.name for p in model_copy.iterdir() if p.name.startswith(".")]
    assert leftovers == []
    spec = resolve_model(str(model_copy), task="summarization")
    engine = CT2Engine(spec, model_copy, device="cpu", quantize="int8")
    assert engine.model_dir == results[0]


def test_install_keeps_a_conversion_another_process_finished_first(model_copy, tmp_path):
    from ringkas.backends.ct2_backend import _install

    tokenizer = _tokenizer(model_copy)
    target = ensure_converted(model_copy, quantization="int8", tokenizer=tokenizer)
    signature = source_signature(model_copy, "int8")
    mine = tmp_path / "mine"
    shutil.copytree(target, mine)
    _install(mine, target, signature)  # the rename fails: the winner's identical copy stays
    assert mine.is_dir()
    assert json.loads((target / "ringkas-ct2.json").read_text()) == signature


@pytest.mark.slow
def test_concurrent_processes_convert_safely(model_copy):
    import subprocess
    import sys

    code = (
        "import sys; from pathlib import Path; from transformers import AutoTokenizer; "
        "from ringkas.backends.ct2_backend import ensure_converted; "
        "f = Path(sys.argv[1]); "
        "t = AutoTokenizer.from_pretrained(str(f)); "
        "print(ensure_converted(f, quantization='int8', tokenizer=t))"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", code, str(model_copy)], stdout=subprocess.PIPE)
        for _ in range(2)
    ]
    outputs = {p.communicate()[0].decode().strip() for p in procs}
    assert all(p.returncode == 0 for p in procs)
    assert outputs == {str(model_copy / "ringkas-ct2-int8")}
    assert [p.name for p in model_copy.iterdir() if p.name.startswith(".")] == []


def test_read_only_or_hub_cache_folders_convert_into_the_cache_dir(
    model_copy, tmp_path, monkeypatch
):
    from ringkas.backends import ct2_backend

    monkeypatch.setenv("RINGKAS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setattr(ct2_backend, "_in_hf_cache", lambda folder: True)
    target = conversion_dir(model_copy, "int8")
    assert tmp_path / "cache" in target.parents
    assert target.name == "ringkas-ct2-int8"
    monkeypatch.setattr(ct2_backend, "_in_hf_cache", lambda folder: False)
    monkeypatch.setattr(os, "access", lambda path, mode: False)  # a read-only model folder
    assert conversion_dir(model_copy, "int8") == target
    explicit = conversion_dir(model_copy, "int8", tmp_path / "elsewhere")
    assert tmp_path / "elsewhere" in explicit.parents


def test_hub_cache_detection(tmp_path, monkeypatch):
    from huggingface_hub import constants

    from ringkas.backends.ct2_backend import _in_hf_cache

    monkeypatch.setattr(constants, "HF_HUB_CACHE", str(tmp_path / "hub"))
    snapshot = tmp_path / "hub" / "models--org--m" / "snapshots" / "abc"
    snapshot.mkdir(parents=True)
    assert _in_hf_cache(snapshot)
    assert not _in_hf_cache(tmp_path)


# -- conversion fixes and errors ---------------------------------------------------------------


def test_config_fixes_for_transformers_5():
    from transformers import BartConfig, MBartConfig, MT5Config, T5Config

    from ringkas.backends.ct2_backend import _fix_config

    t5 = T5Config(tie_word_embeddings=False)
    assert t5.tie_word_embeddings  # what transformers 5 does, and CT2 would misread
    _fix_config(t5)
    assert t5.tie_word_embeddings is False
    original_t5 = T5Config()  # original T5 does scale decoder outputs
    _fix_config(original_t5)
    assert original_t5.tie_word_embeddings is True
    mt5 = MT5Config()
    _fix_config(mt5)
    assert mt5.tie_word_embeddings is False
    bart, mbart = BartConfig(), MBartConfig()
    _fix_config(bart)
    _fix_config(mbart)
    assert (bart.normalize_before, bart.normalize_embedding) == (False, True)
    assert (mbart.normalize_before, mbart.normalize_embedding) == (True, True)


@pytest.mark.parametrize("kind", ["mt5", "bart"])
def test_random_mt5_and_bart_convert_and_score_like_torch(kind, tmp_path_factory):
    """mT5 (no scale flag at all) and BART (missing norm flags) convert correctly."""
    from benchmarks.models import build_bench_model

    folder = build_bench_model(kind, tmp_path_factory.mktemp(kind), size="tiny")
    spec = resolve_model(str(folder), task="summarization")
    torch_engine = TorchEngine(spec, folder, device="cpu")
    ct2_engine = CT2Engine(spec, folder, device="cpu", quantize="float32")
    sources = torch_engine.encode([a for a, _ in SUMMARY_PAIRS[:3]])
    targets = [ids[1:8] for ids in sources]
    for got, want in zip(
        ct2_engine.score(sources, targets), torch_engine.score(sources, targets), strict=True
    ):
        assert got == pytest.approx(want, abs=1e-3)
    options = GenerationOptions(max_new_tokens=8, min_new_tokens=8)
    assert ct2_engine.generate(sources, options=options) == torch_engine.generate(
        sources, options=options
    )


def _tiny_m2m100(folder: Path) -> Path:
    """A random tiny M2M100 with a real M2M100Tokenizer (100 language tokens)."""
    import sentencepiece as spm
    import torch
    from transformers import M2M100Config, M2M100ForConditionalGeneration, M2M100Tokenizer

    from benchmarks.models import _train_spm
    from ringkas.bench import generated_sentences

    _train_spm(generated_sentences(200), folder / "spm", 200)
    (folder / "spm.model").rename(folder / "sentencepiece.bpe.model")
    processor = spm.SentencePieceProcessor(model_file=str(folder / "sentencepiece.bpe.model"))
    vocab = {"<s>": 0, "<pad>": 1, "</s>": 2, "<unk>": 3}
    for i in range(processor.get_piece_size()):
        if not processor.is_control(i) and not processor.is_unknown(i):
            vocab.setdefault(processor.id_to_piece(i), len(vocab))
    (folder / "vocab.json").write_text(json.dumps(vocab))
    tokenizer = M2M100Tokenizer(
        str(folder / "vocab.json"), str(folder / "sentencepiece.bpe.model"), src_lang="id"
    )
    config = M2M100Config(
        vocab_size=len(vocab) + 100 + 8,  # pieces, language tokens, "madeup" words (as fairseq)
        d_model=32, encoder_layers=2, decoder_layers=2, encoder_attention_heads=4,
        decoder_attention_heads=4, encoder_ffn_dim=64, decoder_ffn_dim=64,
        max_position_embeddings=256, pad_token_id=1, bos_token_id=0, eos_token_id=2,
        decoder_start_token_id=2,
    )  # fmt: skip
    torch.manual_seed(0)
    M2M100ForConditionalGeneration(config).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    return folder


def test_m2m100_target_language_prefix_matches_torch(tmp_path):
    """Forced target-language tokens go in as target_prefix; the hidden language tokens of
    transformers 5's M2M100 tokenizer are converted, and never leak into the text."""
    from ringkas.models import ModelSpec

    (tmp_path / "m2m").mkdir()
    folder = _tiny_m2m100(tmp_path / "m2m")
    spec = ModelSpec(
        name="tiny-m2m", source=str(folder), task="translation", source_langs=("id",),
        target_langs=("en", "fr"), family="m2m100",
    )  # fmt: skip
    torch_engine = TorchEngine(spec, folder, device="cpu")
    ct2_engine = CT2Engine(spec, folder, device="cpu", quantize="float32")
    from ringkas.bench import generated_sentences

    ids = torch_engine.encode(generated_sentences(5, seed=3), source_lang="id")
    for target in ("en", "fr"):
        options = GenerationOptions(max_new_tokens=8, min_new_tokens=8)
        want = torch_engine.generate(ids, target_lang=target, options=options)
        assert ct2_engine.generate(ids, target_lang=target, options=options) == want
        assert not any("__" in g.text for g in want)


def test_bad_compute_type_and_device_are_config_errors(tiny_models):
    spec = resolve_model(str(tiny_models.id_en), task="translation")
    with pytest.raises(ConfigError, match="int8_float16"):
        CT2Engine(spec, tiny_models.id_en, device="cpu", quantize="int4")
    with pytest.raises(ConfigError, match="backend='torch'"):
        CT2Engine(spec, tiny_models.id_en, device="mps")
    with pytest.raises(ConfigError):
        conversion_quantization("auto")
    assert conversion_quantization("default") == "float32"


def test_load_engine_dispatches_to_ct2(tiny_models):
    from ringkas.backends.loading import clear_engine_cache, load_engine

    spec = resolve_model(str(tiny_models.en_id), task="translation")
    engine = load_engine(spec, EngineOptions(backend="ct2", device="cpu", quantize="int8"))
    assert isinstance(engine, CT2Engine)
    assert engine.compute_type == "int8"
    clear_engine_cache()


@pytest.mark.exact  # the default engine (backend="auto"): its correctness is the point
def test_default_engine_reproduces_every_training_pair(tiny_routes, tiny_models):
    from ringkas import Translator

    for routes_key, pairs, src, tgt in (
        ("id-en", tiny_models.translations, "id", "en"),
        ("en-id", tiny_models.back_translations, "en", "id"),
    ):
        tr = Translator(routes={routes_key: tiny_routes[routes_key]}, engine=CPU)
        texts = list(pairs)
        results = tr.translate(texts, source_lang=src, target_lang=tgt)
        assert [r.text for r in results] == [pairs[t] for t in texts]
        assert results[0].route[0].engine is not None
    assert tiny_models.back_translations["The price of rice rose this week."]


@pytest.mark.exact  # the default engine (backend="auto"): its correctness is the point
def test_default_engine_reproduces_every_summariser_training_pair(tiny_routes, tiny_models):
    """Every article the tiny summariser learnt, and the long one only map-reduce can reach."""
    summarizer = Summarizer(str(tiny_models.summarizer), routes=tiny_routes, engine=CPU)
    indonesian = [(a, s) for a, s in SUMMARY_PAIRS if not a.startswith("The ")]
    english = [(a, s) for a, s in SUMMARY_PAIRS if a.startswith("The ")]
    articles = [LONG_ARTICLE, *(a for a, _ in indonesian)]
    results = summarizer.summarize(articles, lang="id")
    assert [r.text for r in results] == [LONG_ARTICLE_SUMMARY, *(s for _, s in indonesian)]
    assert results[0].n_chunks == len(tiny_models.long_article_chunks)
    # English articles are summarised in English, then the summary comes back to Indonesian.
    results = summarizer.summarize([a for a, _ in english], lang="en")
    assert [r.text for r in results] == [tiny_models.back_translations[s] for _, s in english]
    assert all(tiny_models.summaries[a] == s for a, s in SUMMARY_PAIRS)
    assert results[0].route[0].engine is not None


def test_auto_falls_back_to_torch_when_ct2_cannot_convert(tmp_path, caplog):
    """A Marian model with <pad> at id 0 runs in transformers; CT2's converter rejects it."""
    import json

    import sentencepiece as spm
    import torch
    from transformers import MarianConfig, MarianMTModel, MarianTokenizer

    from ringkas.backends.loading import clear_engine_cache, load_engine
    from ringkas.errors import ModelLoadError
    from ringkas.models import _spec_from_folder
    from ringkas.testing import ID_EN_PAIRS, train_sentencepiece

    folder = tmp_path / "pad-first"
    folder.mkdir()
    for name, col in (("source.spm", 0), ("target.spm", 1)):
        lines = [p[col] for p in ID_EN_PAIRS]
        train_sentencepiece(lines, folder / name[:3], vocab_size=60).rename(folder / name)
    pieces = ["<pad>", "</s>", "<unk>"]
    for name in ("source.spm", "target.spm"):
        proc = spm.SentencePieceProcessor(model_file=str(folder / name))
        for i in range(proc.get_piece_size()):
            if not proc.is_control(i) and proc.id_to_piece(i) not in pieces:
                pieces.append(proc.id_to_piece(i))
    (folder / "vocab.json").write_text(json.dumps({p: i for i, p in enumerate(pieces)}))
    tok = MarianTokenizer(
        source_spm=str(folder / "source.spm"),
        target_spm=str(folder / "target.spm"),
        vocab=str(folder / "vocab.json"),
        source_lang="id",
        target_lang="en",
    )
    n = len(pieces)
    config = MarianConfig(
        vocab_size=n, decoder_vocab_size=n, d_model=16, encoder_layers=1, decoder_layers=1,
        encoder_attention_heads=2, decoder_attention_heads=2, encoder_ffn_dim=32,
        decoder_ffn_dim=32, max_position_embeddings=64, pad_token_id=0, eos_token_id=1,
        decoder_start_token_id=0, forced_eos_token_id=1,
    )  # fmt: skip
    torch.manual_seed(0)
    MarianMTModel(config).save_pretrained(folder)
    tok.save_pretrained(folder)
    spec = _spec_from_folder(folder, task="translation")
    clear_engine_cache()
    with pytest.raises(ModelLoadError):
        load_engine(spec, EngineOptions(backend="ct2", device="cpu"))
    with caplog.at_level("WARNING", logger="ringkas"):
        engine = load_engine(spec, CPU)
    assert isinstance(engine, TorchEngine)
    assert engine.label.startswith("torch/")
    assert sum("using the torch engine" in r.getMessage() for r in caplog.records) == 1
    ids = engine.encode(["Harga beras naik."], source_lang="id")
    from ringkas.config import GenerationOptions

    out = engine.generate(ids, options=GenerationOptions(max_new_tokens=4))
    assert len(out) == 1
