"""Extractive summaries: lead-k and TextRank/LexRank-style graph ranking.

These are the offline summarisation methods (``method="lead"`` / ``"textrank"``) and the
baselines every abstractive model must beat. They are pure Python (numpy is used for the
power iteration when it is installed, with the same result), deterministic and language-aware
only where it matters: tokens are Unicode words, lowercased, so Indonesian text is never reduced
to ASCII the way English-centric tools do.

Both functions take either a text, which is split by :func:`ringkas.text.split_sentences`, or a
sequence of sentences the caller already has (IndoSum ships gold sentence boundaries), and
return the chosen sentences, stripped, in their original order.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Collection, Sequence

from ringkas.errors import ConfigError

__all__ = [
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

_WORD_RE = re.compile(r"[^\W_]+")


def split_into_sentences(text: str) -> list[str]:
    """Sentences of ``text`` by ringkas's splitter, stripped, empty pieces dropped."""
    from ringkas.text import split_sentences

    return [piece.strip() for piece in split_sentences(text) if piece.strip()]


def sentence_tokens(sentence: str, *, stopwords: Collection[str] = ()) -> list[str]:
    """Lowercased Unicode word tokens (letters, digits; no punctuation), minus ``stopwords``."""
    text = unicodedata.normalize("NFC", sentence).lower()
    return [tok for tok in _WORD_RE.findall(text) if tok not in stopwords]


def _as_sentences(text: str | Sequence[str]) -> list[str]:
    if isinstance(text, str):
        return split_into_sentences(text)
    sentences = [s.strip() for s in text]
    return [s for s in sentences if s]


def _check_k(k: int) -> None:
    if isinstance(k, bool) or not isinstance(k, int) or k < 1:
        raise ConfigError(f"k must be a positive integer (number of sentences), got {k!r}")


def lead_k(text: str | Sequence[str], k: int = 3) -> list[str]:
    """The first ``k`` sentences: news puts the most important facts first (a strong baseline).

    ``text`` is a document or a sequence of sentences the caller already split.
    """
    _check_k(k)
    return _as_sentences(text)[:k]


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
) -> list[str]:
    """The ``k`` most central sentences, in document order (ties go to the earlier sentence).

    ``text`` is a document or a sequence of sentences; the options are those of
    :func:`textrank_scores`.
    """
    _check_k(k)
    sentences = _as_sentences(text)
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
