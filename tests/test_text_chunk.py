"""Token-budget chunking: exact tiling, budget, cut kinds and tokenizer call counts."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ringkas.errors import ConfigError, InputError
from ringkas.text import chunk_text, split_sentences
from ringkas.types import Chunk


def words(text: str) -> int:
    return len(text.split())


def chars(text: str) -> int:
    return len(text)


class CountingTokenizer:
    """A word counter that records how often, and on how much text, it was called."""

    def __init__(self, count: Callable[[str], int] = words) -> None:
        self.count = count
        self.calls = 0
        self.chars_seen = 0

    def __call__(self, text: str) -> int:
        self.calls += 1
        self.chars_seen += len(text)
        return self.count(text)


def check_chunks(
    text: str, chunks: list[Chunk], max_tokens: int, count: Callable[[str], int]
) -> None:
    assert "".join(c.text for c in chunks) == text
    position = 0
    for chunk in chunks:
        assert chunk.start == position
        assert chunk.text == text[chunk.start : chunk.end]
        assert chunk.text
        assert chunk.n_tokens == count(chunk.text)
        assert chunk.n_tokens <= max_tokens
        assert chunk.split in ("sentence", "clause", "window")
        position = chunk.end
    assert position == len(text)
    if chunks:
        assert chunks[-1].split == "sentence"


# (id, text, max_tokens, counter, expected chunk texts, expected split kinds)
CASES: list[tuple[str, str, int, Callable[[str], int], list[str], list[str]]] = [
    ("id-all-fits", "Satu dua. Tiga empat.", 10, words, ["Satu dua. Tiga empat."], ["sentence"]),
    (
        "id-sentence-cut",
        "Satu dua. Tiga empat.",
        2,
        words,
        ["Satu dua. ", "Tiga empat."],
        ["sentence", "sentence"],
    ),
    (
        "id-greedy-packing",
        "Satu. Dua. Tiga. Empat. Lima.",
        2,
        words,
        ["Satu. Dua. ", "Tiga. Empat. ", "Lima."],
        ["sentence", "sentence", "sentence"],
    ),
    (
        "id-paragraphs-stay-in-chunk-text",
        "Satu dua.\n\nTiga empat.",
        2,
        words,
        ["Satu dua.\n\n", "Tiga empat."],
        ["sentence", "sentence"],
    ),
    (
        "id-comma-clauses",
        "Harga naik, warga mengeluh, pedagang rugi.",
        3,
        words,
        ["Harga naik, ", "warga mengeluh, ", "pedagang rugi."],
        ["clause", "clause", "sentence"],
    ),
    (
        "id-conjunction-clauses",
        "Dia datang dan dia pergi tetapi kami tinggal",
        4,
        words,
        ["Dia datang ", "dan dia pergi ", "tetapi kami tinggal"],
        ["clause", "clause", "sentence"],
    ),
    (
        "id-yang-sehingga-karena",
        "Jalan yang rusak parah sehingga macet karena hujan deras",
        4,
        words,
        ["Jalan yang rusak parah ", "sehingga macet ", "karena hujan deras"],
        ["clause", "clause", "sentence"],
    ),
    (
        "ms-semicolon-clauses",
        "Kerajaan setuju; rakyat gembira; pembangkang membantah keras.",
        3,
        words,
        ["Kerajaan setuju; ", "rakyat gembira; ", "pembangkang membantah keras."],
        ["clause", "clause", "sentence"],
    ),
    (
        "en-which-and-but",
        "The plan which was approved and the budget but not the staff",
        4,
        words,
        ["The plan ", "which was approved ", "and the budget ", "but not the staff"],
        ["clause", "clause", "clause", "sentence"],
    ),
    (
        "en-dash-clause",
        "The minister — who had resigned — spoke again today.",
        4,
        words,
        ["The minister — ", "who had resigned — ", "spoke again today."],
        ["clause", "clause", "sentence"],
    ),
    (
        "id-word-windows",
        "satu dua tiga empat lima enam tujuh",
        3,
        words,
        ["satu dua tiga ", "empat lima enam ", "tujuh"],
        ["window", "window", "sentence"],
    ),
    (
        "char-windows-no-whitespace",
        "abcdefghij",
        4,
        chars,
        ["abcd", "efgh", "ij"],
        ["window", "window", "sentence"],
    ),
    (
        "char-windows-prefer-word-starts",
        "ab cdefg hi",
        5,
        chars,
        ["ab ", "cdefg", " hi"],
        ["window", "window", "sentence"],
    ),
    (
        "clause-then-window",
        "Satu dua tiga empat, lima.",
        2,
        words,
        ["Satu dua ", "tiga empat, ", "lima."],
        ["window", "clause", "sentence"],
    ),
]


@pytest.mark.parametrize(
    ("text", "max_tokens", "count", "expected", "kinds"),
    [c[1:] for c in CASES],
    ids=[c[0] for c in CASES],
)
def test_chunks(
    text: str,
    max_tokens: int,
    count: Callable[[str], int],
    expected: list[str],
    kinds: list[str],
) -> None:
    chunks = chunk_text(text, max_tokens=max_tokens, count_tokens=count)
    check_chunks(text, chunks, max_tokens, count)
    assert [c.text for c in chunks] == expected
    assert [c.split for c in chunks] == kinds


def test_empty_text_gives_no_chunks() -> None:
    assert chunk_text("", max_tokens=5, count_tokens=words) == []


@pytest.mark.parametrize(
    "text", ["   ", "\n\n\t \u3000", " " * 25], ids=["spaces", "mixed", "long"]
)
def test_whitespace_only_text_is_kept(text: str) -> None:
    chunks = chunk_text(text, max_tokens=4, count_tokens=chars)
    check_chunks(text, chunks, 4, chars)


def test_a_character_over_budget_is_kept_whole_not_dropped() -> None:
    def double(text: str) -> int:
        return 2 * len(text)

    chunks = chunk_text("abc", max_tokens=1, count_tokens=double)
    assert [c.text for c in chunks] == ["a", "b", "c"]
    assert [c.n_tokens for c in chunks] == [2, 2, 2]


def test_overflow_of_packed_sum_backs_off() -> None:
    """Joined sentences cost more than their sum (as with some tokenizers): chunks still fit."""

    def penalised(text: str) -> int:
        return words(text) + 3 * text.rstrip().count(". ")

    text = "Satu dua. Tiga empat. Lima enam. Tujuh delapan."
    chunks = chunk_text(text, max_tokens=5, count_tokens=penalised)
    check_chunks(text, chunks, 5, penalised)
    assert [c.text for c in chunks] == [
        "Satu dua. ",
        "Tiga empat. ",
        "Lima enam. ",
        "Tujuh delapan.",
    ]


def test_sub_additive_tokenizer_packs_by_sum() -> None:
    """A per-call special token (EOS) makes the sum an overestimate; chunks still fit."""

    def with_eos(text: str) -> int:
        return words(text) + 1

    text = " ".join(f"Kalimat nomor {i}." for i in range(30))
    chunks = chunk_text(text, max_tokens=10, count_tokens=with_eos)
    check_chunks(text, chunks, 10, with_eos)
    assert len(chunks) < 30


@pytest.mark.parametrize("bad", [0, -3, 1.5, True, "8", None], ids=repr)
def test_invalid_max_tokens_raises_config_error(bad: object) -> None:
    with pytest.raises(ConfigError, match="max_tokens must be an integer >= 1"):
        chunk_text("Teks.", max_tokens=bad, count_tokens=words)  # type: ignore[arg-type]


def test_non_callable_counter_raises_config_error() -> None:
    with pytest.raises(ConfigError, match="count_tokens must be a callable"):
        chunk_text("Teks.", max_tokens=3, count_tokens=42)  # type: ignore[arg-type]


def test_non_str_text_raises_input_error() -> None:
    with pytest.raises(InputError):
        chunk_text(["Teks."], max_tokens=3, count_tokens=words)  # type: ignore[arg-type]


def test_tokenizer_is_called_about_once_per_sentence() -> None:
    text = "\n\n".join(
        " ".join(f"Kalimat ke-{p}-{s} berisi beberapa kata saja." for s in range(5))
        for p in range(100)
    )
    n_sentences = len(split_sentences(text))
    tokenizer = CountingTokenizer()
    chunks = chunk_text(text, max_tokens=64, count_tokens=tokenizer)
    check_chunks(text, chunks, 64, words)
    assert n_sentences == 500
    assert tokenizer.calls <= n_sentences + len(chunks)
    assert tokenizer.chars_seen <= 3 * len(text)


def test_windowing_a_long_run_costs_log_calls_per_window() -> None:
    text = "x" * 20_000
    tokenizer = CountingTokenizer(chars)
    chunks = chunk_text(text, max_tokens=100, count_tokens=tokenizer)
    check_chunks(text, chunks, 100, chars)
    assert len(chunks) == 200
    assert tokenizer.calls <= 4 * len(chunks) + 30
    assert tokenizer.chars_seen <= 6 * len(text)


def test_sentence_cuts_fall_on_sentence_boundaries() -> None:
    text = "Presiden hadir. Menteri juga hadir, namun wakilnya absen karena sakit. Rapat selesai."
    ends = set()
    position = 0
    for piece in split_sentences(text):
        position += len(piece)
        ends.add(position)
    chunks = chunk_text(text, max_tokens=4, count_tokens=words)
    check_chunks(text, chunks, 4, words)
    assert {c.end for c in chunks if c.split == "sentence"} <= ends
    assert any(c.split == "clause" for c in chunks)


# --- properties ------------------------------------------------------------------------------

FRAGMENTS = [
    "Dia",
    "pergi",
    "dan",
    "yang",
    "tetapi",
    "which",
    "and",
    "dll.",
    "Rp10.000",
    "3,5",
    "...",
    ".",
    "?",
    '."',
    ",",
    ";",
    "—",
    "kompas.com",
    "é",
    "日本語",
    "🙂",
    "x" * 30,
    "Ia.",
]
SEPARATORS = [" ", "  ", "\n", "\n\n", "\t", "\u00a0", "\u2028", ""]
newsy_text = st.lists(
    st.tuples(st.sampled_from(FRAGMENTS), st.sampled_from(SEPARATORS)), max_size=40
).map(lambda parts: "".join(f + s for f, s in parts))


@settings(max_examples=200, deadline=None)
@given(
    st.one_of(newsy_text, st.text(max_size=200)),
    st.integers(min_value=1, max_value=20),
    st.sampled_from([words, chars]),
)
def test_every_character_lands_in_exactly_one_chunk_within_budget(
    text: str, max_tokens: int, count: Callable[[str], int]
) -> None:
    chunks = chunk_text(text, max_tokens=max_tokens, count_tokens=count)
    check_chunks(text, chunks, max_tokens, count)
