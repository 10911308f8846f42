"""Summaries end to end on tiny trained models: exact outputs, map-reduce, language routes."""

from __future__ import annotations

import dataclasses

import pytest

from ringkas import ConfigError, InputError, UnsupportedLanguageError
from ringkas.config import BatchOptions, EngineOptions
from ringkas.models import resolve_model
from ringkas.summarize import Summarizer, summarize
from ringkas.testing import LONG_ARTICLE, LONG_ARTICLE_SUMMARY, SUMMARY_PAIRS

CPU = EngineOptions(device="cpu")

INDONESIAN = [(a, s) for a, s in SUMMARY_PAIRS if not a.startswith("The ")]
ENGLISH = [(a, s) for a, s in SUMMARY_PAIRS if a.startswith("The ")]


@pytest.fixture
def summarizer(tiny_models, tiny_routes) -> Summarizer:
    return Summarizer(str(tiny_models.summarizer), routes=tiny_routes, engine=CPU)


@pytest.mark.exact  # the default engine (backend="auto")
def test_indonesian_articles_get_their_exact_summaries(summarizer):
    results = summarizer.summarize([a for a, _ in INDONESIAN], lang="id")
    assert [r.text for r in results] == [s for _, s in INDONESIAN]
    for r in results:
        assert r.method == "abstractive"
        assert (r.source_lang, r.target_lang) == ("id", "id")
        assert r.n_chunks == 1
        assert r.n_rounds == 1
        assert r.input_tokens > 0
        assert [s.task for s in r.route] == ["summarize"]


@pytest.mark.exact  # the default engine (backend="auto")
def test_long_article_is_map_reduced_without_dropping_a_chunk(summarizer, tiny_models):
    [result] = summarizer.summarize([LONG_ARTICLE], lang="id")
    # The final summary is only learnt from the joined summaries of *all* chunks.
    assert result.text == LONG_ARTICLE_SUMMARY
    assert result.n_chunks == len(tiny_models.long_article_chunks) > 1
    assert result.n_rounds == 2
    window = resolve_model(str(tiny_models.summarizer), task="summarization").max_input_tokens
    assert result.input_tokens > window


@pytest.mark.parametrize(
    "engine",
    [
        pytest.param(
            EngineOptions(backend="torch", quantize="none", device="cpu"),
            id="torch-fp32-reference",
        ),
        pytest.param(CPU, id="default-engine"),
    ],
)
@pytest.mark.exact  # each engine of the `engine` parametrization
@pytest.mark.parametrize("max_batch_size", [1, 3, 32])
def test_batch_composition_does_not_change_summaries(
    tiny_models, tiny_routes, max_batch_size, engine
):
    summarizer = Summarizer(
        str(tiny_models.summarizer),
        routes=tiny_routes,
        engine=engine,
        batching=BatchOptions(max_batch_size=max_batch_size),
    )
    articles = [LONG_ARTICLE] + [a for a, _ in INDONESIAN]
    results = summarizer.summarize(articles, lang="id")
    assert [r.text for r in results] == [LONG_ARTICLE_SUMMARY] + [s for _, s in INDONESIAN]


@pytest.mark.exact  # the default engine (backend="auto")
def test_english_article_is_summarised_in_english_then_translated(summarizer, tiny_models):
    article, english_summary = ENGLISH[0]
    [result] = summarizer.summarize([article])
    assert result.source_lang == "en"
    assert result.text == tiny_models.back_translations[english_summary]
    assert [(s.task, s.source_lang, s.target_lang) for s in result.route] == [
        ("summarize", "en", "en"),
        ("translate", "en", "id"),
    ]


@pytest.mark.exact  # the default engine (backend="auto")
def test_article_the_model_cannot_read_is_translated_first(tiny_models, tiny_routes):
    indonesian_only = dataclasses.replace(
        resolve_model(str(tiny_models.summarizer), task="summarization"),
        name="tiny-id-only",
        source_langs=("id",),
        target_langs=("id",),
    )
    summarizer = Summarizer(indonesian_only, routes=tiny_routes, engine=CPU)
    article = (
        "Heavy rain has hit Jakarta since morning. Floods submerged hundreds of houses in North "
        "Jakarta. Residents fled to the nearest mosque."
    )
    [result] = summarizer.summarize([article], lang="en")
    assert result.text == SUMMARY_PAIRS[0][1]
    assert [(s.task, s.source_lang, s.target_lang) for s in result.route] == [
        ("translate", "en", "id"),
        ("summarize", "id", "id"),
    ]


def test_a_language_nobody_reads_is_unsupported(tiny_models, tiny_routes):
    spec = dataclasses.replace(
        resolve_model(str(tiny_models.summarizer), task="summarization"),
        source_langs=("en",),
        target_langs=("en",),
    )
    with pytest.raises(UnsupportedLanguageError, match="neither 'fr' nor 'id'"):
        Summarizer(spec, routes=tiny_routes, engine=CPU).summarize(["Bonjour."], lang="fr")


def test_module_function(tiny_models, tiny_routes):
    article, expected = INDONESIAN[1]
    [result] = summarize([article], lang="id", model=str(tiny_models.summarizer), engine=CPU)
    assert result.text == expected


@pytest.mark.parametrize(("method", "k"), [("lead", 2), ("textrank", 2)])
def test_extractive_methods_run_offline_and_keep_sentences_in_order(method, k, monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    article = (
        "Presiden meresmikan jalan tol baru di Jawa Tengah. Jalan tol itu memangkas waktu tempuh "
        "dua jam. Warga menyambut keputusan itu dengan gembira. Harga tiket belum diumumkan."
    )
    [result] = Summarizer(method=method, lead_k=k).summarize([article], lang="id")
    assert result.method == method
    sentences = list(article.split(". "))
    picked = [s.rstrip(".") for s in result.text.split(". ")]
    assert len(picked) == k
    positions = [next(i for i, s in enumerate(sentences) if s.rstrip(".") == p) for p in picked]
    assert positions == sorted(positions)
    if method == "lead":
        assert result.text == ". ".join(sentences[:k]) + "."
    assert [s.task for s in result.route] == ["extract"]


def test_empty_article_is_refused(summarizer):
    with pytest.raises(InputError, match=r"texts\[1\] is empty"):
        summarizer.summarize(["Harga beras naik minggu ini.", "  "], lang="id")


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"method": "magic"}, "method must be one of"),
        ({"length": "huge"}, "length must be one of"),
        ({"lead_k": 0}, "lead_k"),
        ({"max_new_tokens": 0}, "max_new_tokens"),
    ],
)
def test_bad_options_fail_early_with_the_valid_choices(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        Summarizer(**kwargs)


def test_length_presets_set_generation_limits():
    assert Summarizer(length="short").options.max_new_tokens == 40
    assert Summarizer(length="long").options.min_new_tokens == 60
    assert Summarizer(length="medium").options.max_new_tokens is None  # the model's own
    assert Summarizer(length="short", max_new_tokens=12).options.max_new_tokens == 12


def test_lead_needs_no_translation_model_and_keeps_each_articles_language(tmp_path, monkeypatch):
    """Offline: no route resolves, yet English and Malay articles get their lead sentences."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    missing = str(tmp_path / "no-such-model")
    routes = {"en-id": missing, "ms-id": missing}
    texts = [
        "Harga beras naik minggu ini. Warga mengeluh. Pasar ramai.",
        "The price of rice rose this week. Residents complained. Markets were busy.",
        "Harga beras naik minggu ini di Kuala Lumpur. Penduduk merungut. Pasar sesak.",
    ]
    results = Summarizer(method="lead", lead_k=1, routes=routes).summarize(
        texts, lang=["id", "en", "ms"]
    )
    assert [r.text for r in results] == [t.split(". ")[0] + "." for t in texts]
    assert [r.target_lang for r in results] == ["id", "en", "ms"]
    assert [[s.task for s in r.route] for r in results] == [["extract"]] * 3
