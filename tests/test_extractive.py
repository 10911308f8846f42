from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ringkas import extractive
from ringkas.errors import ConfigError
from ringkas.extractive import (
    INDONESIAN_STOPWORDS,
    lead_k,
    sentence_tokens,
    split_into_sentences,
    textrank,
    textrank_scores,
)

ARTICLE = (
    "Banjir melanda Jakarta sejak Senin pagi. "
    "Ribuan warga Jakarta mengungsi karena banjir merendam rumah mereka. "
    "Pemerintah provinsi Jakarta membuka posko pengungsian banjir di tiga lokasi. "
    "Sementara itu, harga cabai di pasar naik tipis. "
    "Gubernur meminta warga yang rumahnya terendam banjir segera mengungsi ke posko."
)


def test_lead_k_takes_first_sentences_from_text() -> None:
    assert lead_k(ARTICLE, 2) == [
        "Banjir melanda Jakarta sejak Senin pagi.",
        "Ribuan warga Jakarta mengungsi karena banjir merendam rumah mereka.",
    ]


def test_lead_k_accepts_sentences_and_strips_them() -> None:
    assert lead_k(["  Satu. ", "", "Dua.\n", "Tiga."], 2) == ["Satu.", "Dua."]
    assert lead_k(["Satu."], 3) == ["Satu."]


def test_sentence_splitting_uses_ringkas_text() -> None:
    from ringkas.text import split_sentences

    text = "Ia tinggal di Jl. Sudirman No. 5. Rumahnya besar."
    expected = [p.strip() for p in split_sentences(text) if p.strip()]
    assert split_into_sentences(text) == expected
    assert lead_k(text, 5) == expected


@pytest.mark.parametrize("k", [0, -1, 1.5, True])
def test_k_must_be_positive_integer(k: object) -> None:
    with pytest.raises(ConfigError, match="positive integer"):
        lead_k(ARTICLE, k)  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="positive integer"):
        textrank(ARTICLE, k)  # type: ignore[arg-type]


def test_sentence_tokens_keep_unicode_letters_and_drop_stopwords() -> None:
    assert sentence_tokens("Café naïve, Erdoğan!") == ["café", "naïve", "erdoğan"]
    assert sentence_tokens("Dia pergi ke pasar", stopwords=INDONESIAN_STOPWORDS) == [
        "pergi",
        "pasar",
    ]


@pytest.mark.parametrize("similarity", ["overlap", "cosine"])
def test_textrank_picks_central_sentences_in_document_order(similarity: str) -> None:
    picked = textrank(ARTICLE, 2, similarity=similarity)
    sentences = split_into_sentences(ARTICLE)
    assert len(picked) == 2
    assert picked == [s for s in sentences if s in picked]  # document order
    assert "Sementara itu, harga cabai di pasar naik tipis." not in picked  # the off-topic one


def test_textrank_is_deterministic_and_scores_sum_to_one() -> None:
    sentences = split_into_sentences(ARTICLE)
    first = textrank_scores(sentences)
    assert first == textrank_scores(sentences)
    assert sum(first) == pytest.approx(1.0)
    assert textrank(ARTICLE, 3) == textrank(list(sentences), 3)


def test_textrank_ties_go_to_earlier_sentence() -> None:
    # Identical sentences have identical scores: the earlier one wins.
    sentences = ["Sama persis di sini.", "Berbeda sekali kalimatnya.", "Sama persis di sini."]
    assert textrank(sentences, 1) == ["Sama persis di sini."]
    assert textrank_scores(["Satu kata."]) == [pytest.approx(1.0)]


def test_textrank_short_and_empty_inputs() -> None:
    assert textrank("", 3) == []
    assert textrank_scores([]) == []
    assert textrank(["Satu.", "Dua."], 3) == ["Satu.", "Dua."]
    # Sentences with no content words (no edges) still rank, uniformly.
    scores = textrank_scores(["yang dan di.", "ke dari ini.", "itu juga."])
    assert scores == pytest.approx([1 / 3] * 3)


def test_textrank_options_are_validated() -> None:
    with pytest.raises(ConfigError, match="valid choices: overlap, cosine"):
        textrank(ARTICLE, 2, similarity="jaccard")
    with pytest.raises(ConfigError, match="damping"):
        textrank_scores(["a b.", "b c."], damping=1.0)
    with pytest.raises(TypeError):
        textrank(ARTICLE, 2, simlarity="cosine")  # type: ignore[call-arg]


def test_custom_stopwords_change_the_graph() -> None:
    sentences = ["kucing makan ikan.", "kucing tidur.", "anjing makan tulang."]
    with_default = textrank_scores(sentences, stopwords=False)
    without_kucing = textrank_scores(sentences, stopwords={"Kucing"})
    assert with_default != without_kucing


@pytest.mark.parametrize("similarity", ["overlap", "cosine"])
def test_numpy_and_pure_python_pagerank_agree(similarity: str) -> None:
    sentences = split_into_sentences(ARTICLE)
    tokens = [sentence_tokens(s, stopwords=INDONESIAN_STOPWORDS) for s in sentences]
    build = extractive._overlap_matrix if similarity == "overlap" else extractive._cosine_matrix
    weights = build(tokens)
    fast = extractive._pagerank(weights, damping=0.85, max_iter=200, tol=1e-12)
    slow = extractive._pagerank_python(weights, damping=0.85, max_iter=200, tol=1e-12)
    assert fast == pytest.approx(slow, abs=1e-9)


words = st.sampled_from(["banjir", "jakarta", "warga", "harga", "cabai", "posko", "rumah", "naik"])
sentence = st.lists(words, min_size=1, max_size=8).map(lambda ws: " ".join(ws).capitalize() + ".")


@settings(max_examples=50, deadline=None)
@given(st.lists(sentence, min_size=0, max_size=12), st.integers(min_value=1, max_value=5))
def test_textrank_returns_a_subsequence(sentences: list[str], k: int) -> None:
    picked = textrank(sentences, k)
    assert len(picked) == min(k, len(sentences))
    it = iter(sentences)
    assert all(any(p == s for s in it) for p in picked)  # a subsequence, in order
    assert lead_k(sentences, k) == sentences[:k]


def test_textrank_ranks_a_bounded_number_of_sentences():
    sentences = [f"Kalimat {i} tentang harga beras {i % 7} di pasar." for i in range(2000)]
    capped = textrank(sentences, k=3, max_sentences=50)
    assert capped == textrank(sentences[:50], k=3)


def test_a_text_without_punctuation_is_never_its_own_summary():
    flat = "harga beras naik " * 100_000
    for summary in (extractive.lead_k(flat, k=3), textrank(flat, k=3)):
        assert len(summary) == 1
        assert summary[0].endswith("…")
        assert len(summary[0]) <= 1001
        assert flat.startswith(summary[0][:-1])
