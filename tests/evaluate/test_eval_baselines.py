from __future__ import annotations

import random
from pathlib import Path

import pytest

from ringkas.errors import ConfigError
from ringkas.evaluate import (
    Dataset,
    Example,
    RougeMetric,
    baseline_summaries,
    load_dataset,
    oracle_sentences,
    run_baseline,
)

SENTENCES = (
    "Banjir melanda Jakarta sejak Senin pagi.",
    "Harga cabai di pasar naik tipis.",
    "Ribuan warga Jakarta mengungsi karena banjir.",
    "Tim sepak bola kota menang dua gol.",
    "Pemerintah membuka posko pengungsian banjir.",
)
REFERENCE = "Banjir melanda Jakarta, ribuan warga mengungsi ke posko pengungsian."


def _dataset() -> Dataset:
    examples = (
        Example("a", " ".join(SENTENCES), (REFERENCE,), source_sentences=SENTENCES),
        Example("b", "Satu kalimat saja. Dan kalimat kedua.", ("Satu kalimat saja.",)),
    )
    return Dataset("toy", "summarization", examples, source_lang="id", target_lang="id")


def test_lead_and_textrank_baselines() -> None:
    ds = _dataset()
    assert baseline_summaries(ds, "lead3")[0] == " ".join(SENTENCES[:3])
    assert baseline_summaries(ds, "lead", k=1) == [SENTENCES[0], "Satu kalimat saja."]
    assert baseline_summaries(ds, "lead2")[1] == "Satu kalimat saja. Dan kalimat kedua."
    textrank = baseline_summaries(ds, "textrank", k=2)[0]
    assert "sepak bola" not in textrank


def test_oracle_picks_what_maximises_rouge_and_stops() -> None:
    picks = oracle_sentences(SENTENCES, [REFERENCE])
    assert picks == sorted(picks)
    assert 0 in picks
    assert 1 not in picks
    assert 3 not in picks
    assert len(oracle_sentences(SENTENCES, [REFERENCE], max_sentences=1)) == 1
    assert len(picks) > 1
    assert oracle_sentences(["Kucing tidur."], ["Harga naik."]) == []  # nothing helps: none


def test_oracle_objective_equals_rouge_score_on_joined_text() -> None:
    metric = RougeMetric(types=("rouge1", "rouge2"))
    refs = [REFERENCE, "Warga Jakarta mengungsi."]
    targets = metric.ngram_targets(refs, (1, 2))
    rng = random.Random(0)
    for _ in range(20):
        chosen = sorted(rng.sample(range(len(SENTENCES)), rng.randint(1, 4)))
        text = " ".join(SENTENCES[i] for i in chosen)
        tokens = [t for i in chosen for t in metric.tokenize(SENTENCES[i])]
        values = metric.score_document(text, refs)
        # score_document takes the best reference per type, as ngram_f_sum does.
        expected = values["rouge1"].fmeasure + values["rouge2"].fmeasure
        assert metric.ngram_f_sum(tokens, targets) == pytest.approx(expected, abs=1e-12)


def test_run_baseline_report() -> None:
    summaries, report = run_baseline(_dataset(), "oracle")
    assert len(summaries) == 2
    assert report.system == "oracle"
    assert report.n_examples == 2
    assert [s.metric for s in report.scores] == ["rouge1", "rouge2", "rougeL", "rougeLsum"]
    assert report.generation["objective"] == "rouge1_f+rouge2_f"
    assert report.scores[0].ci_low is not None
    _, lead = run_baseline(_dataset(), "lead3")
    assert lead.system == "lead-3"
    assert lead.generation == {"method": "lead", "k": 3}
    with pytest.raises(ConfigError, match="valid choices: lead, lead3, textrank, oracle"):
        run_baseline(_dataset(), "random")


def _check_indosum(reports: dict[str, object]) -> None:
    lead, textrank, oracle = (reports[m] for m in ("lead3", "textrank", "oracle"))
    for report in (lead, textrank, oracle):
        for s in report.scores:  # type: ignore[attr-defined]
            assert 10.0 < s.score < 100.0, (report.system, s.metric)  # type: ignore[attr-defined]
            assert s.ci_low < s.score < s.ci_high
            assert s.n_bootstrap == 1000
            assert s.signature.startswith(f"{s.metric}|tok:unicode|lc:yes|stem:no|")
    for metric in ("rouge1", "rouge2", "rougeL"):
        assert oracle.score(metric).score > lead.score(metric).score  # type: ignore[attr-defined]
        assert oracle.score(metric).ci_low > lead.score(metric).ci_high  # type: ignore[attr-defined]


@pytest.mark.data
def test_indosum_baselines_on_a_slice(shared_data: Path) -> None:
    ds = load_dataset("indosum", shared_data / "indosum/dev.01.jsonl", limit=60)
    reports = {m: run_baseline(ds, m)[1] for m in ("lead3", "textrank", "oracle")}
    _check_indosum(reports)


@pytest.mark.data
@pytest.mark.slow
def test_indosum_baselines_on_full_dev(shared_data: Path) -> None:
    ds = load_dataset("indosum", shared_data / "indosum/dev.01.jsonl")
    reports = {m: run_baseline(ds, m)[1] for m in ("lead3", "textrank", "oracle")}
    _check_indosum(reports)
    assert reports["lead3"].n_examples == 750
