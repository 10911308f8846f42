"""Summarisation baselines: lead-k, TextRank and a greedy ROUGE oracle (the upper bound).

A model that does not beat lead-3 on news has learnt nothing useful; the oracle says how far
extraction alone could go. The oracle selects source sentences greedily, each time adding the
sentence that most raises ROUGE-1 F1 + ROUGE-2 F1 against the reference (scored by rouge-score
through :class:`~ringkas.evaluate.metrics.RougeMetric`), and stops when nothing improves.
"""

from __future__ import annotations

import re
import time
from collections.abc import Sequence
from typing import Any

from ringkas.errors import ConfigError
from ringkas.evaluate.datasets import Dataset, Example
from ringkas.evaluate.metrics import RougeMetric, ScoreOptions, score
from ringkas.evaluate.report import EvalReport, make_report
from ringkas.extractive import lead_k, split_into_sentences, textrank

__all__ = [
    "BASELINES",
    "baseline_summaries",
    "oracle_sentences",
    "run_baseline",
]

#: Baseline methods: ``lead`` (k sentences), ``lead3`` (any ``leadN``), ``textrank``, ``oracle``.
BASELINES = ("lead", "lead3", "textrank", "oracle")

_LEAD_N = re.compile(r"^lead(\d+)$")


def _resolve_method(method: str, k: int) -> tuple[str, int]:
    match = _LEAD_N.match(method)
    if match:
        return "lead", int(match.group(1))
    if method in ("lead", "textrank", "oracle"):
        return method, k
    raise ConfigError(f"unknown baseline {method!r}; valid choices: {', '.join(BASELINES)}, leadN")


def _sentences(example: Example) -> list[str]:
    if example.source_sentences is not None:
        return [s for s in example.source_sentences if s.strip()]

    return split_into_sentences(example.source)


def oracle_sentences(
    sentences: Sequence[str],
    references: Sequence[str],
    *,
    metric: RougeMetric | None = None,
    max_sentences: int | None = None,
) -> list[int]:
    """Indices (in document order) of the greedy ROUGE-1+2 F1 oracle selection.

    Each step adds the sentence whose addition gives the highest ROUGE-1 F1 + ROUGE-2 F1 of the
    selected sentences (joined in document order) against the best reference; it stops when no
    sentence improves the sum, or at ``max_sentences``.
    """
    metric = metric or RougeMetric(types=("rouge1", "rouge2"))
    targets = metric.ngram_targets(references, (1, 2))
    tokens = [metric.tokenize(s) for s in sentences]
    selected: list[int] = []
    best = 0.0
    limit = len(sentences) if max_sentences is None else min(max_sentences, len(sentences))
    while len(selected) < limit:
        best_index = None
        for i in range(len(sentences)):
            if i in selected or not tokens[i]:
                continue
            candidate = [tok for j in sorted([*selected, i]) for tok in tokens[j]]
            gain = metric.ngram_f_sum(candidate, targets)
            if gain > best:
                best, best_index = gain, i
        if best_index is None:
            break
        selected.append(best_index)
    return sorted(selected)


def baseline_summaries(
    dataset: Dataset,
    method: str,
    *,
    k: int = 3,
    similarity: str = "overlap",
    rouge_mode: str = "unicode",
    max_sentences: int | None = None,
) -> list[str]:
    """One summary per example (its sentences joined by spaces).

    ``k`` is the number of sentences for lead and TextRank; ``similarity`` is TextRank's;
    ``rouge_mode`` and ``max_sentences`` are the oracle's.
    """
    method, k = _resolve_method(method, k)
    if method != "oracle" and k < 1:
        raise ConfigError(f"k must be a positive integer, got {k!r}")
    oracle_metric = (
        RougeMetric(types=("rouge1", "rouge2"), mode=rouge_mode) if method == "oracle" else None
    )
    summaries = []
    for example in dataset:
        sentences = _sentences(example)
        if method == "lead":
            chosen = lead_k(sentences, k)
        elif method == "textrank":
            chosen = textrank(sentences, k, similarity=similarity)
        else:
            picks = oracle_sentences(
                sentences,
                list(example.references),
                metric=oracle_metric,
                max_sentences=max_sentences,
            )
            chosen = [sentences[i] for i in picks]
        summaries.append(" ".join(chosen))
    return summaries


def run_baseline(
    dataset: Dataset,
    method: str,
    *,
    k: int = 3,
    similarity: str = "overlap",
    max_sentences: int | None = None,
    options: ScoreOptions | None = None,
) -> tuple[list[str], EvalReport]:
    """Summaries of a baseline and their scored report (default: ROUGE-1/2/L/Lsum with CIs)."""
    options = options or ScoreOptions(metrics=("rouge",))
    started = time.perf_counter()
    summaries = baseline_summaries(
        dataset,
        method,
        k=k,
        similarity=similarity,
        rouge_mode=options.rouge_mode,
        max_sentences=max_sentences,
    )
    generated = time.perf_counter()
    scores = score(summaries, dataset.reference_streams(), sources=dataset.sources, options=options)
    finished = time.perf_counter()
    resolved, k_used = _resolve_method(method, k)
    generation: dict[str, Any] = {"method": resolved}
    if resolved in ("lead", "textrank"):
        generation["k"] = k_used
    if resolved == "textrank":
        generation["similarity"] = similarity
    if resolved == "oracle":
        generation.update(
            {"objective": "rouge1_f+rouge2_f", "greedy": True, "max_sentences": max_sentences}
        )
    system = f"lead-{k_used}" if resolved == "lead" else resolved
    report = make_report(
        system=system,
        dataset=dataset,
        scores=scores,
        options=options,
        generation=generation,
        timings={
            "generate_s": generated - started,
            "score_s": finished - generated,
            "total_s": finished - started,
        },
    )
    return summaries, report
