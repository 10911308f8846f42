"""Translation end to end on tiny trained models: exact outputs, routing, order, no truncation."""

from __future__ import annotations

import pytest

from ringkas import InputError, UnsupportedLanguageError
from ringkas.config import BatchOptions, EngineOptions
from ringkas.testing import ID_EN_PAIRS, LONG_SENTENCE_CLAUSES
from ringkas.translate import Translator, translate

CPU = EngineOptions(device="cpu")


@pytest.fixture
def translator(tiny_routes: dict[str, str]) -> Translator:
    return Translator(routes=tiny_routes, engine=CPU)


@pytest.mark.exact  # the default engine (backend="auto")
def test_multi_paragraph_document_is_reassembled_with_its_whitespace(translator, tiny_models):
    tr = tiny_models.translations
    s = [src for src, _ in ID_EN_PAIRS]
    doc = f"  {s[0]} {s[1]}\n\n{s[2]}\n{s[3]}  {s[4]}\n\n\n{s[5]}\n"
    expected = f"  {tr[s[0]]} {tr[s[1]]}\n\n{tr[s[2]]}\n{tr[s[3]]}  {tr[s[4]]}\n\n\n{tr[s[5]]}\n"
    [result] = translator.translate([doc], source_lang="id")
    assert result.text == expected
    assert result.n_segments == 6
    assert result.n_split_sentences == 0
    assert not result.truncated
    assert [str(step) for step in result.route] == [f"translate:{tiny_models.id_en}[id->en]"]


@pytest.mark.exact  # the default engine (backend="auto")
def test_results_come_back_in_input_order(translator, tiny_models):
    sources = [src for src, _ in ID_EN_PAIRS]
    docs = [" ".join(sources[i : i + 3]) for i in range(0, 12, 3)][::-1]
    results = translator.translate(docs, source_lang="id")
    expected = [" ".join(tiny_models.translations[s] for s in _split_known(doc)) for doc in docs]
    assert [r.text for r in results] == expected


ENGINES = [
    pytest.param(
        EngineOptions(backend="torch", quantize="none", device="cpu"), id="torch-fp32-reference"
    ),
    pytest.param(CPU, id="default-engine"),  # CTranslate2 int8 on CPU when installed
]


@pytest.mark.exact  # each engine of the `engine` parametrization
@pytest.mark.parametrize("engine", ENGINES)
@pytest.mark.parametrize("max_batch_size", [1, 3, 32])
def test_batch_composition_does_not_change_outputs(
    tiny_routes, tiny_models, max_batch_size, engine
):
    sources = [src for src, _ in ID_EN_PAIRS]
    docs = [" ".join(sources[i::4]) for i in range(4)] + [sources[-1]]
    translator = Translator(
        routes=tiny_routes, engine=engine, batching=BatchOptions(max_batch_size=max_batch_size)
    )
    results = translator.translate(docs, source_lang="id")
    for doc, result in zip(docs, results, strict=True):
        expected = " ".join(tiny_models.translations[s] for s in _split_known(doc))
        assert result.text == expected


def _split_known(doc: str) -> list[str]:
    """The training sentences a document is made of, in order."""
    known = sorted((src for src, _ in ID_EN_PAIRS), key=len, reverse=True)
    out: list[str] = []
    rest = doc
    while rest:
        match = next(src for src in known if rest.startswith(src))
        out.append(match)
        rest = rest[len(match) :].lstrip()
    return out


@pytest.mark.exact  # default engine (backend="auto")
def test_over_long_sentence_is_split_at_clauses_and_nothing_is_dropped(translator):
    sentence = " ".join(src for src, _ in LONG_SENTENCE_CLAUSES)
    intro = ID_EN_PAIRS[0][0]
    [result] = translator.translate([f"{intro} {sentence}"], source_lang="id")
    expected = " ".join([ID_EN_PAIRS[0][1], *(tgt for _, tgt in LONG_SENTENCE_CLAUSES)])
    assert result.text == expected
    assert result.n_split_sentences == 1
    assert result.n_segments == 1 + len(LONG_SENTENCE_CLAUSES)
    assert not result.truncated


@pytest.mark.exact  # the default engine (backend="auto")
def test_mixed_languages_are_routed_and_english_passes_through(translator, tiny_models):
    english = "The minister visited the port. He promised new cranes for the harbour."
    indonesian = ID_EN_PAIRS[1][0]
    results = translator.translate([indonesian, english, ID_EN_PAIRS[2][0]])
    assert [r.source_lang for r in results] == ["id", "en", "id"]
    assert results[0].text == ID_EN_PAIRS[1][1]
    assert results[1].text == english
    assert results[1].passthrough
    assert results[1].route[0].task == "passthrough"
    assert results[2].text == ID_EN_PAIRS[2][1]
    assert not results[0].passthrough
    assert 0.0 < results[0].lang_confidence <= 1.0


@pytest.mark.exact  # the default engine (backend="auto")
def test_target_language_picks_the_reverse_model(tiny_routes, tiny_models):
    translator = Translator(routes=tiny_routes, engine=CPU, target_lang="id")
    english, indonesian = next(iter(tiny_models.back_translations.items()))
    results = translator.translate([english, ID_EN_PAIRS[0][0]], source_lang=["en", "id"])
    assert results[0].text == indonesian
    assert results[0].route[0].model == str(tiny_models.en_id)
    assert results[1].passthrough


@pytest.mark.exact  # the default engine (backend="auto")
def test_pivot_through_english_when_no_direct_model(tiny_routes, tiny_models):
    # Pretend the Indonesian sentence is Waray, which no registered model takes to Indonesian:
    # war->en (here the id-en model), then en->id.
    routes = {**tiny_routes, "war-en": tiny_routes["id-en"]}
    translator = Translator(routes=routes, engine=CPU, target_lang="id")
    source = "Menteri mengunjungi pelabuhan."
    [result] = translator.translate([source], source_lang="war")
    assert [(s.source_lang, s.target_lang) for s in result.route] == [("war", "en"), ("en", "id")]
    assert result.text == tiny_models.back_translations[tiny_models.translations[source]]


@pytest.mark.exact  # the default engine (backend="auto")
def test_module_function_matches_the_class(tiny_routes):
    [result] = translate([ID_EN_PAIRS[3][0]], source_lang="id", routes=tiny_routes, engine=CPU)
    assert result.text == ID_EN_PAIRS[3][1]


def test_empty_document_passes_through_unchanged(translator):
    results = translator.translate(["", "   \n"], source_lang="id")
    assert [r.text for r in results] == ["", "   \n"]
    assert all(r.n_segments == 0 for r in results)


def test_a_single_string_is_refused_with_a_hint(translator):
    with pytest.raises(InputError, match="list of strings"):
        translator.translate("Harga beras naik minggu ini.")  # type: ignore[arg-type]


def test_non_string_items_are_refused(translator):
    with pytest.raises(InputError, match=r"texts\[1\]"):
        translator.translate(["ok", 3])  # type: ignore[list-item]


def test_text_without_language_needs_an_explicit_source(translator):
    with pytest.raises(InputError, match="no detectable language"):
        translator.translate(["12345 67890"])


def test_language_without_a_model_is_unsupported(translator, clean_registry):
    with pytest.raises(UnsupportedLanguageError, match="xx->en"):
        translator.translate(["Harga beras naik."], source_lang="xx")


def test_source_lang_list_must_match_the_texts(translator):
    with pytest.raises(InputError, match="2 entries for 1 documents"):
        translator.translate(["Harga beras naik."], source_lang=["id", "id"])
