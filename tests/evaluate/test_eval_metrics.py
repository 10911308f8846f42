from __future__ import annotations

import csv
import subprocess
import sys
from pathlib import Path

import pytest
import sacrebleu
from hypothesis import given, settings
from hypothesis import strategies as st
from rouge_score import tokenize as rouge_tokenize

from ringkas import __version__
from ringkas.errors import ConfigError, DataError
from ringkas.evaluate import (
    ScoreOptions,
    compute_bleu,
    compute_chrf,
    compute_rouge,
    paired_bootstrap,
    read_lines,
    rouge_per_document,
    score,
    unicode_tokenize,
)

HYPS = ["The cat sat on the mat.", "A quick brown fox jumps.", "Rain in Jakarta today."]
REFS = ["The cat is sitting on the mat.", "The quick brown fox jumped.", "It rains in Jakarta."]

SYSTEMS = {
    # name: (hypothesis file, BLEU, README BLEU string after " = ", chrF2, chrF2++)
    "tatoeba": (
        "Tatoeba-MT-models_msa-eng_opus+bt-2021-04-30/flores200-devtest.ind-eng.output",
        38.6,
        "38.6 68.8/45.3/32.2/23.4 (BP = 0.986 ratio = 0.986 hyp_len = 24370 ref_len = 24721)",
        64.742,
        62.498,
    ),
    "opus": (
        "OPUS-MT-models_id-en_opus-2019-12-18/flores101-devtest.ind-eng.output",
        33.4,
        "33.4 66.0/40.7/27.4/18.9 (BP = 0.971 ratio = 0.971 hyp_len = 24004 ref_len = 24721)",
        61.210,
        58.815,  # not published; the data README's own computation (soft check)
    ),
}


# -- sacrebleu metrics ------------------------------------------------------------------------


def test_bleu_and_chrf_are_sacrebleus_own() -> None:
    bleu = compute_bleu(HYPS, [REFS])
    expected = sacrebleu.corpus_bleu(HYPS, [REFS])
    assert bleu.score == pytest.approx(expected.score)
    assert bleu.metric == "BLEU"
    assert bleu.signature.startswith("BLEU|nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|")
    assert bleu.signature.endswith(f"version:{sacrebleu.__version__}")
    chrf = compute_chrf(HYPS, [REFS])
    assert chrf.score == pytest.approx(sacrebleu.corpus_chrf(HYPS, [REFS]).score)
    chrfpp = compute_chrf(HYPS, [REFS], word_order=2)
    assert chrfpp.metric == "chrF2++"
    assert "nw:2" in chrfpp.signature


def test_multiple_references_for_bleu_and_chrf() -> None:
    refs2 = ["A cat sat on the mat.", "A quick brown fox jumps.", "Rain in Jakarta today."]
    bleu = compute_bleu(HYPS, [REFS, refs2])
    assert bleu.score == pytest.approx(sacrebleu.corpus_bleu(HYPS, [REFS, refs2]).score)
    assert "nrefs:2" in bleu.signature
    assert bleu.score > compute_bleu(HYPS, [REFS]).score
    # A missing reference (None) gives sacrebleu's variable-reference signature.
    assert "nrefs:var" in compute_bleu(HYPS, [REFS, [None, *refs2[1:]]]).signature


def test_bleu_language_picks_tokenizer_and_tokenizer_is_validated() -> None:
    zh = compute_bleu(["猫坐在垫子上"], [["猫坐在垫子上"]], lang="zh")
    assert "tok:zh" in zh.signature
    assert zh.score == pytest.approx(100.0)
    with pytest.raises(ConfigError, match=r"valid choices: .*13a"):
        compute_bleu(HYPS, [REFS], tokenize="moses")


def test_bootstrap_gives_seeded_interval_and_sacrebleu_signature_fields() -> None:
    hyps = HYPS * 10
    refs = REFS * 10
    a = compute_bleu(hyps, [refs], bootstrap=200, seed=1)
    b = compute_bleu(hyps, [refs], bootstrap=200, seed=1)
    c = compute_bleu(hyps, [refs], bootstrap=200, seed=2)
    assert a == b
    assert (a.ci_low, a.ci_high) != (c.ci_low, c.ci_high)
    assert a.ci_low is not None
    assert a.ci_high is not None
    assert a.mean is not None
    assert a.ci_low <= a.score <= a.ci_high
    assert a.n_bootstrap == 200
    assert "bs:200|seed:1" in a.signature
    assert a.score == compute_bleu(hyps, [refs]).score  # resampling never moves the score


@pytest.mark.data
@pytest.mark.parametrize("system", sorted(SYSTEMS))
def test_published_flores_scores_are_reproduced(shared_data: Path, system: str) -> None:
    hyp_file, bleu_value, bleu_string, chrf_value, chrfpp_value = SYSTEMS[system]
    hyps = read_lines(shared_data / "flores200/system-outputs" / hyp_file)
    refs = read_lines(shared_data / "flores200/devtest/eng_Latn.devtest")
    result = score(
        hyps, [refs], options=ScoreOptions(metrics=("bleu", "chrf", "chrf++"), bootstrap=0)
    )
    assert round(result["BLEU"].score, 1) == bleu_value
    assert result["BLEU"].formatted.split(" = ", 1)[1] == bleu_string
    assert result["BLEU"].formatted.startswith(
        "BLEU|nrefs:1|case:mixed|eff:no|tok:13a|smooth:exp|version:"
    )
    assert round(result["chrF2"].score, 3) == chrf_value
    assert round(result["chrF2++"].score, 3) == chrfpp_value
    assert result["chrF2"].signature.startswith("chrF2|nrefs:1|case:mixed|eff:yes|nc:6|nw:0|")


# -- ROUGE ------------------------------------------------------------------------------------


@pytest.mark.data
def test_compat_rouge_reproduces_every_published_xlsum_row(shared_data: Path) -> None:
    path = shared_data / "xlsum-id-system-outputs/result_with_score.csv"
    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    assert len(rows) == 4780
    hyps = [row["pred"] for row in rows]
    refs = [row["label"] for row in rows]
    values = rouge_per_document(hyps, [refs], types=("rouge1", "rouge2", "rougeL"), mode="compat")
    for i, (row, value) in enumerate(zip(rows, values, strict=True)):
        for rouge_type in ("rouge1", "rouge2", "rougeL"):
            assert value[rouge_type].fmeasure == pytest.approx(float(row[rouge_type]), abs=1e-6), (
                f"row {i + 2} {rouge_type}"
            )


def test_unicode_rouge_keeps_letters_that_compat_drops() -> None:
    assert unicode_tokenize("Café naïve") == ["café", "naïve"]
    assert unicode_tokenize("Cafe\u0301 Nai\u0308ve") == ["café", "naïve"]  # NFC first
    assert unicode_tokenize("हिन्दी भाषा") == ["हिन्दी", "भाषा"]  # vowel signs stay in the word
    assert unicode_tokenize("under_score x2") == ["under", "score", "x2"]
    assert rouge_tokenize.tokenize("Café naïve", None) == ["caf", "na", "ve"]
    # Different words that differ only in accented letters: compat calls them equal.
    uni = rouge_per_document(["Café"], [["Cafè"]], types=("rouge1",))[0]["rouge1"]
    compat = rouge_per_document(["Café"], [["Cafè"]], types=("rouge1",), mode="compat")
    assert uni.fmeasure == 0.0
    assert compat[0]["rouge1"].fmeasure == 1.0
    # Indonesian news with a non-ASCII name: compat splits "Erdoğan" into "erdo" + "an".
    hyp = "Presiden Jokowi bertemu Erdoğan di Ankara."
    ref = "Erdoğan menerima Jokowi."
    uni_tokens = unicode_tokenize(ref)
    assert uni_tokens == ["erdoğan", "menerima", "jokowi"]
    assert rouge_tokenize.tokenize(ref, None) == ["erdo", "an", "menerima", "jokowi"]
    # Text with no Latin letters at all: compat sees nothing, unicode sees the words.
    hyp, ref = "Москва — столица России", "Столица России — Москва"
    uni = compute_rouge([hyp], [[ref]], types=("rouge1",))["rouge1"]
    compat = compute_rouge([hyp], [[ref]], types=("rouge1",), mode="compat")["rouge1"]
    assert uni.score == pytest.approx(100.0)
    assert compat.score == 0.0


ascii_text = st.text(alphabet="abcdefghijklmnopqrstuvwxyz0123456789 .,-!'\n", max_size=80)


@settings(max_examples=100, deadline=None)
@given(ascii_text)
def test_unicode_tokenizer_equals_rouge_default_on_lowercase_ascii(text: str) -> None:
    assert unicode_tokenize(text) == rouge_tokenize.tokenize(text, None)


def test_rouge_signature_records_every_option() -> None:
    result = compute_rouge(HYPS, [REFS], bootstrap=100, seed=7)
    sig = result["rouge1"].signature
    version = f"version:rouge-score-0.1.2|ringkas-{__version__}"
    assert sig == f"rouge1|tok:unicode|lc:yes|stem:no|sent:ringkas|nrefs:1|bs:100|rs:7|{version}"
    compat = compute_rouge(HYPS, [REFS], mode="compat", use_stemmer=True)["rougeL"].signature
    assert compat.startswith("rougeL|tok:rouge-default|lc:yes|stem:porter|sent:newline|nrefs:1|")
    assert set(result) == {"rouge1", "rouge2", "rougeL", "rougeLsum"}
    assert result["rouge1"].extra.keys() == {"precision", "recall"}


def test_rougelsum_uses_ringkas_sentences() -> None:
    hyp = "Banjir melanda Jakarta. Warga mengungsi ke posko."
    ref = "Warga mengungsi ke posko. Banjir melanda Jakarta."
    split = compute_rouge([hyp], [[ref]], types=("rougeLsum",))["rougeLsum"]
    lines = compute_rouge([hyp], [[ref]], types=("rougeLsum",), split="newline")["rougeLsum"]
    rouge_l = compute_rouge([hyp], [[ref]], types=("rougeL",))["rougeL"]
    assert split.score == pytest.approx(100.0)  # every sentence matched, order aside
    assert lines.score == pytest.approx(rouge_l.score)
    assert lines.score < 100.0
    assert "sent:ringkas" in split.signature
    assert "sent:newline" in lines.signature


def test_rouge_multiple_references_take_the_best_per_document() -> None:
    hyps = ["banjir melanda jakarta", "harga cabai naik"]
    ref1 = ["gempa di bandung", "harga cabai naik"]
    ref2 = ["banjir melanda jakarta", None]
    result = compute_rouge(hyps, [ref1, ref2], types=("rouge1",))["rouge1"]
    assert result.score == pytest.approx(100.0)
    assert "nrefs:var" in result.signature
    assert "multi:max" in result.signature


def test_stemmer_only_in_compat_mode() -> None:
    with pytest.raises(ConfigError, match="Porter"):
        compute_rouge(HYPS, [REFS], use_stemmer=True)
    with pytest.raises(ConfigError, match="valid choices: unicode, compat"):
        compute_rouge(HYPS, [REFS], mode="ascii")


# -- edge cases -------------------------------------------------------------------------------


def test_empty_hypotheses_score_zero_without_crashing() -> None:
    empty = ["", "", ""]
    result = score(
        empty, [REFS], options=ScoreOptions(metrics=("bleu", "chrf", "rouge"), bootstrap=50)
    )
    for s in result.scores:
        assert s.score == 0.0, s.metric
    # Some empty ones are fine too.
    partly = score(["", HYPS[1], ""], [REFS], options=ScoreOptions(metrics=("bleu", "rouge")))
    assert partly["rouge1"].score > 0.0


def test_mismatched_lengths_name_both_counts() -> None:
    with pytest.raises(DataError, match=r"3 hypotheses but reference set 1 has 2 segments"):
        compute_bleu(HYPS, [REFS[:2]])
    with pytest.raises(DataError, match="no hypotheses"):
        compute_rouge([], [[]])
    with pytest.raises(DataError, match="wrap it"):
        compute_bleu(HYPS, REFS)


def test_score_options_validation_lists_choices() -> None:
    with pytest.raises(ConfigError, match=r"valid choices: bleu, chrf, chrf\+\+, rouge"):
        ScoreOptions(metrics=("blue",))
    with pytest.raises(ConfigError, match="at least 2"):
        ScoreOptions(bootstrap=1)
    with pytest.raises(ConfigError, match="compat"):
        ScoreOptions(rouge_stemmer=True)
    options = ScoreOptions(metrics=("BLEU", "rouge", "rouge1", "chrF2++"))
    assert options.metrics == ("bleu", "rouge1", "rouge2", "rougeL", "rougeLsum", "chrf++")


def test_score_set_lookup_and_model_metrics_are_skipped_with_a_reason() -> None:
    options = ScoreOptions(metrics=("chrf", "bertscore", "comet"), bootstrap=0)
    result = score(HYPS, [REFS], options=options)
    assert [s.metric for s in result.scores] == ["chrF2"]
    assert result["chrf"] is result["chrF2"]
    assert "chrf" in result
    assert "BLEU" not in result
    with pytest.raises(KeyError, match="available: chrF2"):
        result["BLEU"]
    skipped = {s.metric: s.reason for s in result.skipped}
    assert set(skipped) == {"BERTScore-F1", "COMET"}
    assert "local model" in skipped["BERTScore-F1"] or "not installed" in skipped["BERTScore-F1"]
    assert "never downloads" in skipped["COMET"] or "source" in skipped["COMET"]


def test_paired_bootstrap() -> None:
    hyps = HYPS * 20
    refs = REFS * 20
    same = paired_bootstrap(hyps, hyps, [refs], options=ScoreOptions(bootstrap=200))
    assert [p.metric for p in same] == ["BLEU", "chrF2"]
    for p in same:
        assert p.delta == 0.0
        assert p.p_value == 1.0
    better = paired_bootstrap(
        hyps, refs, [refs], options=ScoreOptions(metrics=("bleu", "rouge1"), bootstrap=200)
    )
    for p in better:
        assert p.delta > 0
        assert p.p_value < 0.05
        assert p.delta_ci_low <= p.delta <= p.delta_ci_high
        assert "paired-bs:200" in p.signature
    with pytest.raises(DataError, match="system A has 60 hypotheses but system B has 3"):
        paired_bootstrap(hyps, HYPS, [refs])


def test_importing_evaluate_loads_no_model_or_metric_library() -> None:
    code = (
        "import sys, ringkas.evaluate, ringkas.evaluate.cli, ringkas.extractive\n"
        "heavy = [m for m in ('torch', 'transformers', 'sacrebleu', 'rouge_score', 'numpy',"
        " 'matplotlib') if m in sys.modules]\n"
        "print(heavy)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    ).stdout
    assert out.strip() == "[]"
