"""The Ringkas facade: exact end-to-end outputs, per-record errors, order, streaming, threads."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import pytest

from ringkas import Article, ConfigError, GenerationError, InputError, Ringkas
from ringkas.config import EngineOptions
from ringkas.testing import ID_EN_PAIRS, LONG_ARTICLE, LONG_ARTICLE_SUMMARY, SUMMARY_PAIRS
from ringkas.translate import Translator

CPU = EngineOptions(device="cpu")

TRANSLATE = dict(ID_EN_PAIRS)
ARTICLE_ID, SUMMARY_ID = SUMMARY_PAIRS[0]
ARTICLE_EN, SUMMARY_EN = SUMMARY_PAIRS[4]


def english_of(article: str) -> str:
    return " ".join(TRANSLATE[s + "."] for s in article.rstrip(".").split(". "))


@pytest.fixture
def pipeline(tiny_models, tiny_routes) -> Ringkas:
    return Ringkas(summary_model=str(tiny_models.summarizer), routes=tiny_routes, engine=CPU)


@pytest.mark.exact  # the default engine (backend="auto")
def test_articles_are_summarised_and_translated_exactly(pipeline, tiny_models):
    results = pipeline.process(
        [
            {"id": "a", "text": ARTICLE_ID, "title": "Harga beras naik minggu ini."},
            {"id": "b", "text": ARTICLE_EN},
        ]
    )
    a, b = results
    assert a.id == "a"
    assert a.ok
    assert a.lang == "id"
    assert a.summary == SUMMARY_ID
    assert a.translation == english_of(ARTICLE_ID)
    assert a.title_translation == "The price of rice rose this week."
    assert a.steps == ("clean", "detect", "summarize", "translate")
    assert a.n_segments == 3
    assert set(a.timings) == {"clean", "detect", "summarize", "translate"}
    assert b.lang == "en"
    assert b.summary == tiny_models.back_translations[SUMMARY_EN]
    assert b.translation == ARTICLE_EN
    assert [s.task for s in b.summary_route] == ["summarize", "translate"]
    assert [s.task for s in b.translation_route] == ["passthrough"]


def test_cleaning_removes_boilerplate_before_the_models_see_it(pipeline):
    raw = f"JAKARTA, KOMPAS.com - {ARTICLE_ID}\n\nBaca juga: Harga cabai melonjak\n\n(rfs/jbr)"
    [result] = pipeline.process([raw])
    assert result.summary == SUMMARY_ID
    assert result.translation == english_of(ARTICLE_ID)
    assert result.dateline is not None
    assert "KOMPAS" in result.dateline
    assert {r.kind for r in result.removed} >= {"read_also"}


@pytest.mark.exact  # the default engine (backend="auto")
def test_long_article_is_chunked_and_nothing_is_dropped(pipeline, tiny_models):
    [result] = pipeline.process([Article(id="long", text=LONG_ARTICLE, lang="id")])
    assert result.summary == LONG_ARTICLE_SUMMARY
    assert result.n_chunks == len(tiny_models.long_article_chunks) > 1


def test_only_the_asked_steps_run(tiny_models, tiny_routes):
    ringkas = Ringkas(steps=["translate"], routes=tiny_routes, engine=CPU)
    [result] = ringkas.process([ARTICLE_ID])
    assert result.summary is None
    assert result.translation == english_of(ARTICLE_ID)
    assert result.steps == ("detect", "translate")


def test_bad_records_keep_their_place_and_say_why(pipeline):
    records = [
        {"id": "ok1", "text": ARTICLE_ID},
        {"id": "notext", "body": "x"},
        {"id": "number", "text": 42},
        {"id": "empty", "text": "   "},
        {"id": "boiler", "text": "Baca juga: Harga cabai melonjak"},
        {"id": "digits", "text": "12345 67890"},
        7,
        {"id": "ok2", "text": ARTICLE_ID},
    ]
    results = pipeline.process(records)
    assert [r.id for r in results] == [
        "ok1",
        "notext",
        "number",
        "empty",
        "boiler",
        "digits",
        "6",
        "ok2",
    ]
    errors = {r.id: r.error for r in results if r.error}
    assert set(errors) == {"notext", "number", "empty", "boiler", "digits", "6"}
    assert all(e.type == "InputError" for e in errors.values())
    assert "no 'text' field" in errors["notext"].message
    assert "must be a string" in errors["number"].message
    assert "empty after cleaning" in errors["boiler"].message
    assert "no detectable language" in errors["digits"].message
    assert results[0].summary == results[-1].summary == SUMMARY_ID


def test_skip_drops_bad_records_and_raise_stops(tiny_models, tiny_routes):
    records = [{"id": "x", "text": ""}, {"id": "y", "text": ARTICLE_ID}]
    skip = Ringkas(
        summary_model=str(tiny_models.summarizer), routes=tiny_routes, engine=CPU, on_error="skip"
    )
    assert [r.id for r in skip.process(records)] == ["y"]
    strict = Ringkas(
        summary_model=str(tiny_models.summarizer),
        routes=tiny_routes,
        engine=CPU,
        on_error="raise",
    )
    with pytest.raises(InputError, match="'x' is empty"):
        strict.process(records)


class _FailingTranslator(Translator):
    """A real translator that fails (like an out-of-memory model) on one marked article."""

    def translate(self, texts, **kwargs):  # type: ignore[override]
        if any("MELEDAK" in t for t in texts):
            raise GenerationError("model failed on this article")
        return super().translate(texts, **kwargs)


def test_a_model_failure_is_isolated_to_its_article(tiny_models, tiny_routes):
    ringkas = Ringkas(
        steps=["translate"],
        translator=_FailingTranslator(routes=tiny_routes, engine=CPU),
        engine=CPU,
    )
    texts = [ARTICLE_ID, "MELEDAK " + ARTICLE_ID, ARTICLE_ID]
    results = ringkas.process([Article(id=str(i), text=t, lang="id") for i, t in enumerate(texts)])
    assert [r.error.type if r.error else None for r in results] == [None, "GenerationError", None]
    assert results[0].translation == results[2].translation == english_of(ARTICLE_ID)
    assert "translate" not in results[1].steps


def test_process_iter_streams_in_windows(pipeline):
    pulled: list[int] = []

    def stream():
        for i in range(7):
            pulled.append(i)
            yield Article(id=f"s{i}", text=ARTICLE_ID, lang="id")

    ringkas = Ringkas(
        steps=["summarize"],
        summarizer=pipeline.summarizer,
        translator=pipeline.translator,
        window=3,
    )
    results = ringkas.process_iter(stream())
    first = next(results)
    assert first.id == "s0"
    assert first.summary == SUMMARY_ID
    assert len(pulled) == 3
    rest = list(results)
    assert [r.id for r in rest] == [f"s{i}" for i in range(1, 7)]


def test_one_instance_serves_many_threads(pipeline):
    batches = [
        [
            Article(id=f"{t}-{i}", text=text, lang="id")
            for i, text in enumerate([ARTICLE_ID, LONG_ARTICLE][: 1 + t % 2])
        ]
        for t in range(8)
    ]
    expected = [[(r.id, r.summary, r.translation) for r in pipeline.process(b)] for b in batches]
    with ThreadPoolExecutor(max_workers=8) as pool:
        got = list(
            pool.map(
                lambda b: [(r.id, r.summary, r.translation) for r in pipeline.process(b)], batches
            )
        )
    assert got == expected


def test_input_must_be_a_list():
    with pytest.raises(InputError, match="list of articles"):
        Ringkas(steps=["clean"]).process("one article")  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"steps": ["summarise"]}, "steps must be"),
        ({"steps": []}, "steps must be"),
        ({"on_error": "ignore"}, "on_error must be one of"),
        ({"window": 0}, "window"),
    ],
)
def test_bad_options(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        Ringkas(**kwargs)


def test_clean_only_needs_no_model(monkeypatch):
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    [result] = Ringkas(steps=["clean"]).process(["JAKARTA, KOMPAS.com - Harga naik.\n\n(rfs/jbr)"])
    assert result.ok
    assert result.steps == ("clean",)
    assert result.lang is None


@pytest.mark.exact  # the default engine (backend="auto")
def test_a_missing_model_fails_only_the_articles_that_need_it(tiny_models, tiny_routes, tmp_path):
    """One window, three languages, a broken Malay model: only the Malay article fails."""
    broken = tmp_path / "broken-model"
    broken.mkdir()
    (broken / "config.json").write_text("{}")
    missing = str(broken)
    routes = {**tiny_routes, "ms-id": missing, "ms-en": missing}
    pipeline = Ringkas(summary_model=str(tiny_models.summarizer), routes=routes, engine=CPU)
    malay = "Harga beras naik minggu ini di Kuala Lumpur. Penduduk merungut."
    a, m, b = pipeline.process(
        [
            {"id": "a", "text": ARTICLE_ID},
            {"id": "m", "text": malay, "lang": "ms"},
            {"id": "b", "text": ARTICLE_EN},
        ]
    )
    assert (a.ok, b.ok) == (True, True)
    assert a.summary == SUMMARY_ID
    assert a.translation == english_of(ARTICLE_ID)
    assert b.summary == tiny_models.back_translations[SUMMARY_EN]
    assert b.translation == ARTICLE_EN
    assert m.error is not None
    assert m.error.type == "ModelLoadError"


def test_lead_summaries_need_no_model_and_never_fail_indonesian_articles(tmp_path):
    """--summary-method lead with no model at all: every article gets its lead sentences."""
    missing = str(tmp_path / "no-such-model")
    pipeline = Ringkas(
        steps=("clean", "summarize"),
        summary_method="lead",
        routes={"en-id": missing, "ms-id": missing},
        engine=CPU,
    )
    texts = [
        "Harga beras naik minggu ini. Warga mengeluh soal harga. Pasar ramai sekali.",
        "The price of rice rose this week. Residents complained about it. Markets were busy.",
        "Harga beras naik minggu ini di Kuala Lumpur. Penduduk merungut. Pasar sesak sekali.",
    ]
    results = pipeline.process(
        [{"text": t, "lang": lang} for t, lang in zip(texts, ("id", "en", "ms"), strict=True)]
    )
    assert [r.error for r in results] == [None] * 3
    assert [r.summary_lang for r in results] == ["id", "en", "ms"]
    firsts = [t.split(". ")[0] + "." for t in texts]
    assert [(r.summary or "").split(". ")[0] + "." for r in results] == firsts
