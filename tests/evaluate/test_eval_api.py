"""The public surface of ringkas.evaluate is pinned: a change here is a deliberate API change."""

from __future__ import annotations

import ringkas.evaluate as evaluate
from ringkas import extractive

EVALUATE_API = {
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
}

EXTRACTIVE_API = {
    "DEFAULT_MAX_SENTENCES",
    "DEFAULT_MAX_SENTENCE_CHARS",
    "INDONESIAN_STOPWORDS",
    "SIMILARITIES",
    "lead_k",
    "sentence_tokens",
    "split_into_sentences",
    "textrank",
    "textrank_scores",
}


def test_evaluate_all_is_pinned_and_importable() -> None:
    assert set(evaluate.__all__) == EVALUATE_API
    assert len(evaluate.__all__) == len(EVALUATE_API)
    for name in evaluate.__all__:
        assert getattr(evaluate, name) is not None


def test_extractive_all_is_pinned() -> None:
    assert set(extractive.__all__) == EXTRACTIVE_API
    for name in extractive.__all__:
        assert hasattr(extractive, name)


def test_dataset_to_dict_is_plain_data() -> None:
    import json

    ds = evaluate.Dataset(
        "toy", "translation", (evaluate.Example("1", "Halo.", ("Hello.",)),), ("a", "b"), "id", "en"
    )
    data = ds.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert data["examples"][0]["references"] == ["Hello."]
    assert data["n_examples"] == 1
