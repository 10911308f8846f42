"""Evaluation harness: datasets, metrics with signatures, baselines, model runs and reports.

Typical uses::

    from ringkas.evaluate import ScoreOptions, load_dataset, run_baseline, score

    scores = score(hyps, [refs], options=ScoreOptions(metrics=("bleu", "chrf")))
    print(scores["BLEU"].formatted)   # BLEU|nrefs:1|case:mixed|...|version:2.6.0 = 38.6 ...

    indosum = load_dataset("indosum", "../shared/data/indosum/dev.01.jsonl")
    summaries, report = run_baseline(indosum, "lead3")
    print(report.to_markdown())

Importing this package loads no metric library and no model: sacrebleu, rouge-score and numpy
are imported when a score is computed, and the model core only by :func:`run_translation` /
:func:`run_summarization` when no translator/summariser object is passed in.
"""

from __future__ import annotations

from ringkas.evaluate.baselines import BASELINES, baseline_summaries, oracle_sentences, run_baseline
from ringkas.evaluate.datasets import (
    Dataset,
    DatasetInfo,
    Example,
    available_datasets,
    detokenize,
    load_dataset,
    read_lines,
    register_dataset,
)
from ringkas.evaluate.metrics import (
    METRICS,
    ROUGE_MODES,
    ROUGE_TYPES,
    PairedResult,
    RougeMetric,
    RougeValue,
    Score,
    ScoreOptions,
    ScoreSet,
    SkippedMetric,
    compute_bertscore,
    compute_bleu,
    compute_chrf,
    compute_comet,
    compute_rouge,
    paired_bootstrap,
    rouge_per_document,
    score,
    unicode_tokenize,
)
from ringkas.evaluate.report import (
    EvalReport,
    compare_markdown,
    load_report,
    make_report,
    plot_reports,
)
from ringkas.evaluate.run import RunResult, run_summarization, run_translation

__all__ = [
    "BASELINES",
    "METRICS",
    "ROUGE_MODES",
    "ROUGE_TYPES",
    "Dataset",
    "DatasetInfo",
    "EvalReport",
    "Example",
    "PairedResult",
    "RougeMetric",
    "RougeValue",
    "RunResult",
    "Score",
    "ScoreOptions",
    "ScoreSet",
    "SkippedMetric",
    "available_datasets",
    "baseline_summaries",
    "compare_markdown",
    "compute_bertscore",
    "compute_bleu",
    "compute_chrf",
    "compute_comet",
    "compute_rouge",
    "detokenize",
    "load_dataset",
    "load_report",
    "make_report",
    "oracle_sentences",
    "paired_bootstrap",
    "plot_reports",
    "read_lines",
    "register_dataset",
    "rouge_per_document",
    "run_baseline",
    "run_summarization",
    "run_translation",
    "score",
    "unicode_tokenize",
]
