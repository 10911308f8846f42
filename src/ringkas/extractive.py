"""Extractive summaries: lead-k and TextRank/LexRank-style graph ranking.

These are the offline summarisation methods (``method="lead"`` / ``"textrank"``) and the
baselines every abstractive model must beat. They are pure Python (numpy is used for the
power iteration when it is installed, with the same result), deterministic and language-aware
only where it matters: tokens are Unicode words, lowercased, so Indonesian text is never reduced
to ASCII the way English-centric tools do.

Both functions take either a text, which is split by :func:`ringkas.text.split_sentences`, or a
sequence of sentences the caller already has (IndoSum ships gold sentence boundaries), and
return the chosen sentences, stripped, in their original order.

Both are bounded whatever the input: only the first ``max_sentences`` sentences are ranked
(TextRank compares every pair, so its cost grows with the square of their number; news puts what
matters first), only as much of a text as those sentences can need is split, and a "sentence"
longer than ``max_sentence_chars`` (a text without punctuation) is cut at a word boundary, so a
summary is never the whole input.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Collection, Sequence

from ringkas.errors import ConfigError
from ringkas.text import split_sentences, unicode_tokenize

__all__ = [
    "DEFAULT_MAX_SENTENCES",
    "DEFAULT_MAX_SENTENCE_CHARS",
    "INDONESIAN_STOPWORDS",
    "SIMILARITIES",
    "lead_k",
    "sentence_tokens",
    "split_into_sentences",
    "textrank",
    "textrank_scores",
]

_STOPWORDS = """
    ada adalah agar akan aku anda antara apa atau bagi bahwa baik banyak belum bila bisa dalam
    dan dapat dari demikian dengan di dia hal hanya harus hingga ia ini itu jadi jika juga kalau
    kami karena kata ke kepada ketika kita lagi lain lebih maka masih mereka namun nya oleh pada
    para pula pun saat saja sampai sangat saya se sebagai sebelum secara sedang sehingga sejak
    seperti serta setelah sudah tak tapi telah tentang terhadap tersebut tetapi tidak untuk yaitu
    yakni yang
"""
#: Function words that carry no topic; dropping them keeps the similarity graph about content.
#: Deliberately small (a long list removes words that matter in short news sentences).
INDONESIAN_STOPWORDS: frozenset[str] = frozenset(_STOPWORDS.split())

#: Valid values of ``similarity``: TextRank's normalised word overlap (Mihalcea & Tarau 2004,
#: the default) or TF-IDF cosine (LexRank, continuous).
SIMILARITIES = ("overlap", "cosine")

#: Sentences TextRank ranks at most (the first ones): about 1 s of pure Python.
DEFAULT_MAX_SENTENCES = 400
#: Longest sentence returned; a longer one is cut at a word boundary and marked with "…".
DEFAULT_MAX_SENTENCE_CHARS = 1000


def split_into_sentences(text: str) -> list[str]:
    """Sentences of ``text`` by ringkas's splitter, stripped, empty pieces dropped."""
    return [piece.strip() for piece in split_sentences(text) if piece.strip()]


def sentence_tokens(sentence: str, *, stopwords: Collection[str] = ()) -> list[str]:
    """Lowercased Unicode word tokens (letters, digits; no punctuation), minus ``stopwords``."""
    return [tok for tok in unicode_tokenize(sentence) if tok not in stopwords]


def _as_sentences(
    text: str | Sequence[str],
    max_sentences: int | None = None,
    max_chars: int = DEFAULT_MAX_SENTENCE_CHARS,
) -> list[str]:
    """The first ``max_sentences`` sentences (all when ``None``), each cut to ``max_chars``.

    Of a long text only a prefix that holds enough sentences is split: ``max_sentences`` full
    sentences cannot be longer than ``max_sentences * max_chars`` characters.
    """
    if max_chars < 1:
        raise ConfigError(f"max_sentence_chars must be >= 1, got {max_chars!r}")
    if max_sentences is not None and max_sentences < 1:
        raise ConfigError(f"max_sentences must be >= 1, got {max_sentences!r}")
    if isinstance(text, str):
        cut = False
        if max_sentences is not None and len(text) > (span := max_sentences * (max_chars + 1)):
            text, cut = text[:span], True
        sentences = split_into_sentences(text)
        if cut and len(sentences) > 1:
            sentences.pop()  # probably cut off in the middle
    else:
        sentences = [s for s in (s.strip() for s in text) if s]
    if max_sentences is not None:
        sentences = sentences[:max_sentences]
    return [_cap(s, max_chars) for s in sentences]


def _cap(sentence: str, max_chars: int) -> str:
    """``sentence`` itself, or its first ``max_chars`` characters up to a word boundary + "…"."""
    if len(sentence) <= max_chars:
        return sentence
    head = sentence[:max_chars]
    space = head.rfind(" ")
    if space > max_chars // 2:
        head = head[:space]
    return head.rstrip() + "…"


def _check_k(k: int) -> None:
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ConfigError(f"k must be a positive integer (number of sentences), got {k!r}")


def lead_k(
    text: str | Sequence[str], k: int = 3, *, max_sentence_chars: int = DEFAULT_MAX_SENTENCE_CHARS
) -> list[str]:
    """The first ``k`` sentences: news puts the most important facts first (a strong baseline).

    ``text`` is a document or a sequence of sentences the caller already split; a sentence
    longer than ``max_sentence_chars`` is cut at a word boundary (marked "…").
    """
    _check_k(k)
    return _as_sentences(text, k + 1, max_sentence_chars)[:k]


def _resolve_stopwords(stopwords: bool | Collection[str]) -> Collection[str]:
    if stopwords is True:
        return INDONESIAN_STOPWORDS
    if stopwords is False:
        return frozenset()
    return frozenset(w.lower() for w in stopwords)


def _cosine_matrix(token_lists: list[list[str]]) -> list[list[float]]:
    n = len(token_lists)
    df: Counter[str] = Counter()
    for tokens in token_lists:
        df.update(set(tokens))
    # Smoothed IDF over the sentences of this document (LexRank treats sentences as documents).
    idf = {w: math.log((1 + n) / (1 + c)) + 1.0 for w, c in df.items()}
    vectors = []
    for tokens in token_lists:
        tf = Counter(tokens)
        vec = {w: c * idf[w] for w, c in tf.items()}
        norm = math.sqrt(sum(v * v for v in vec.values()))
        vectors.append((vec, norm))
    matrix = [[0.0] * n for _ in range(n)]
    for i in range(n):
        vi, ni = vectors[i]
        if ni == 0.0:
            continue
        for j in range(i + 1, n):
            vj, nj = vectors[j]
            if nj == 0.0:
                continue
            small, large = (vi, vj) if len(vi) <= len(vj) else (vj, vi)
            dot = sum(v * large[w] for w, v in small.items() if w in large)
            matrix[i][j] = matrix[j][i] = dot / (ni * nj)
    return matrix


def _overlap_matrix(token_lists: list[list[str]]) -> list[list[float]]:
    n = len(token_lists)
    sets = [set(tokens) for tokens in token_lists]
    logs = [math.log(len(tokens)) if tokens else 0.0 for tokens in token_lists]
    matrix = [[0.0] * n for _ in range(n)]
    for i in range(n):
        for j in range(i + 1, n):
            denominator = logs[i] + logs[j]
            if denominator <= 0.0:
                continue  # two one-word sentences: the formula is undefined, call them unrelated
            matrix[i][j] = matrix[j][i] = len(sets[i] & sets[j]) / denominator
    return matrix


def _pagerank(
    weights: list[list[float]], *, damping: float, max_iter: int, tol: float
) -> list[float]:
    """Weighted PageRank by power iteration; a sentence with no edges links to every sentence."""
    n = len(weights)
    try:
        import numpy as np
    except ImportError:  # pragma: no cover - numpy is present in the eval extra and in CI
        return _pagerank_python(weights, damping=damping, max_iter=max_iter, tol=tol)
    w = np.asarray(weights, dtype=np.float64)
    sums = w.sum(axis=1, keepdims=True)
    transition = np.where(sums > 0, w / np.where(sums > 0, sums, 1.0), 1.0 / n)
    rank = np.full(n, 1.0 / n)
    for _ in range(max_iter):
        new = (1.0 - damping) / n + damping * (transition.T @ rank)
        delta = float(np.abs(new - rank).sum())
        rank = new
        if delta < tol:
            break
    return [float(x) for x in rank]


def _pagerank_python(
    weights: list[list[float]], *, damping: float, max_iter: int, tol: float
) -> list[float]:
    n = len(weights)
    rows = []
    for row in weights:
        total = sum(row)
        rows.append([x / total for x in row] if total > 0 else [1.0 / n] * n)
    rank = [1.0 / n] * n
    for _ in range(max_iter):
        new = [
            (1.0 - damping) / n + damping * sum(rows[i][j] * rank[i] for i in range(n))
            for j in range(n)
        ]
        delta = sum(abs(a - b) for a, b in zip(new, rank, strict=True))
        rank = new
        if delta < tol:
            break
    return rank


def textrank_scores(
    sentences: Sequence[str],
    *,
    similarity: str = "overlap",
    stopwords: bool | Collection[str] = True,
    damping: float = 0.85,
    max_iter: int = 200,
    tol: float = 1e-8,
) -> list[float]:
    """Centrality of each sentence in the sentence-similarity graph (sums to 1).

    ``similarity`` is one of :data:`SIMILARITIES`; ``stopwords`` is True (the Indonesian list),
    False (none) or your own collection.
    """
    if similarity not in SIMILARITIES:
        raise ConfigError(
            f"unknown similarity {similarity!r}; valid choices: {', '.join(SIMILARITIES)}"
        )
    if not 0.0 <= damping < 1.0:
        raise ConfigError(f"damping must be in [0, 1), got {damping!r}")
    if max_iter < 1:
        raise ConfigError(f"max_iter must be >= 1, got {max_iter!r}")
    n = len(sentences)
    if n == 0:
        return []
    stop = _resolve_stopwords(stopwords)
    token_lists = [sentence_tokens(s, stopwords=stop) for s in sentences]
    build = _cosine_matrix if similarity == "cosine" else _overlap_matrix
    return _pagerank(build(token_lists), damping=damping, max_iter=max_iter, tol=tol)


def textrank(
    text: str | Sequence[str],
    k: int = 3,
    *,
    similarity: str = "overlap",
    stopwords: bool | Collection[str] = True,
    damping: float = 0.85,
    max_iter: int = 200,
    tol: float = 1e-8,
    max_sentences: int = DEFAULT_MAX_SENTENCES,
    max_sentence_chars: int = DEFAULT_MAX_SENTENCE_CHARS,
) -> list[str]:
    """The ``k`` most central sentences, in document order (ties go to the earlier sentence).

    ``text`` is a document or a sequence of sentences; the options are those of
    :func:`textrank_scores`. Only the first ``max_sentences`` sentences are ranked, and a
    sentence longer than ``max_sentence_chars`` is cut at a word boundary (marked "…"); both
    keep the cost bounded on any input.
    """
    _check_k(k)
    sentences = _as_sentences(text, max_sentences, max_sentence_chars)
    if len(sentences) <= k:
        return sentences
    scores = textrank_scores(
        sentences,
        similarity=similarity,
        stopwords=stopwords,
        damping=damping,
        max_iter=max_iter,
        tol=tol,
    )
    # Rounding makes the order independent of the last bits of floating point (numpy vs Python).
    order = sorted(range(len(sentences)), key=lambda i: (-round(scores[i], 10), i))
    return [sentences[i] for i in sorted(order[:k])]
