"""The timing harness: structure of its reports, equal work across engines, its CLI.

No timing is asserted here (speed is measured by benchmarks/, as ratios within one run).
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from benchmarks import comparison, engines, models, streams, suite
from ringkas import ConfigError


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("bench-models")


def _cli(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog=suite.PROG)
    suite._configure(parser)
    return parser.parse_args(argv)


def test_suite_tiny_writes_json_markdown_and_plot(models_dir, tmp_path, capsys):
    out = tmp_path / "out"
    args = _cli(
        ["--tiny", "--models", "marian", "--no-sweep", "--no-stream", "-q",
         "--models-dir", str(models_dir), "--out", str(out)]
    )  # fmt: skip
    assert suite._run_cli(args) == 0
    printed = capsys.readouterr().out
    assert "| engine | tok/s |" in printed
    report = json.loads((out / "bench.json").read_text())
    assert (out / "bench.md").read_text().startswith("# ringkas benchmark")
    assert (out / "bench.png").stat().st_size > 0
    assert {"machine", "versions", "settings", "comparisons", "targets"} <= set(report)
    assert report["versions"]["torch"]
    assert report["settings"]["threads"] == 1
    [comparison] = report["comparisons"]
    rows = {row["engine"]: row for row in comparison["engines"]}
    assert set(rows) == set(engines.CPU_ENGINES)
    for row in rows.values():
        assert row["equal_work"], row  # every engine decoded the same number of tokens
        assert row["tokens_per_s"] > 0
        assert row["latency_p50_s"] <= row["latency_p95_s"]
        assert row["vs_naive"] is not None
    assert rows["naive"]["vs_naive"] == 1.0
    agreement = comparison["agreement"]
    assert agreement["reference"] == "torch"
    assert agreement["ct2-float32"]["exact_match"] == 1.0  # float32 engines agree exactly
    assert agreement["raw-ct2-int8"]["exact_match"] == agreement["ct2-int8"]["exact_match"]
    ids = {t["id"] for t in report["targets"]}
    assert {"ct2_wrapper", "default_vs_naive", "default_vs_hf"} <= ids


def test_length_sweep_and_stream_memory_report_their_ratios(models_dir):
    marian = models.bench_model("marian", "tiny", models_dir)
    sentences, _ = models.load_sentences(300)
    sweep = comparison.run_length_sweep(
        marian, sentences, words=(60, 240), repeats=1, new_tokens=4, threads=1
    )
    assert [row["words"] for row in sweep["rows"]] == [60, 240]
    assert sweep["rows"][1]["segments"] > sweep["rows"][0]["segments"]
    assert all(row["output_tokens"] == 4 * row["segments"] for row in sweep["rows"])
    assert sweep["per_word_cost_ratio"] > 0
    stream = streams.run_stream_memory(marian, sentences, sizes=(3, 12), threads=1, window=4)
    assert [row["articles"] for row in stream["rows"]] == [3, 12]
    assert all(row["peak_rss_mb"] > 0 for row in stream["rows"])
    assert stream["peak_rss_ratio"] > 0


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--models", "gpt"], "--models must be from"),
        (["--engines", "onnx"], "unknown engine 'onnx'"),
        (["--engines", "ct2-int4"], "precision must be one of"),
        (["--threads", "0"], "--threads must be >= 1"),
        (["--full", "--tiny"], "exclude each other"),
        (["--device", "tpu"], "--device must be cpu or cuda"),
    ],
)
def test_cli_errors_are_one_line_and_exit_2(argv, message, capsys):
    args = _cli(argv)
    assert suite._run_cli(args) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert err.startswith("benchmarks.suite: error:")
    assert message in err


def test_settings_presets():
    full = suite.SuiteSettings.full()
    assert full.models == models.MODEL_KINDS
    assert full.beam_sizes == (1, 4)
    assert (full.sweep, full.stream, full.quality) == (True, True, True)
    assert (full.sweep_words[0], full.sweep_words[-1]) == (250, 4000)
    assert full.stream_sizes == (10, 100, 1000)
    smoke = suite.SuiteSettings.smoke(models=("marian",))
    assert smoke.size == "tiny"
    assert smoke.models == ("marian",)


def test_recipes_have_the_real_architectures():
    """Parameter counts of the real-size recipes, on the meta device (no memory, no time)."""
    import torch
    from transformers import BartConfig, MarianConfig, MT5Config

    real = models.RECIPES["real"]
    classes = {"marian": MarianConfig, "mt5": MT5Config, "bart": BartConfig}
    counts = {}
    for kind, recipe in real.items():
        config = classes[kind](vocab_size=recipe.vocab_size, **recipe.config)
        if kind == "marian":
            config.decoder_vocab_size = recipe.vocab_size
            config.pad_token_id = recipe.vocab_size - 1
        from transformers import AutoModelForSeq2SeqLM

        with torch.device("meta"):
            model = AutoModelForSeq2SeqLM.from_config(config)
        counts[kind] = sum(p.numel() for p in model.parameters()) / 1e6
    assert real["marian"].vocab_size == 54796
    assert 70 < counts["marian"] < 80  # opus-mt-id-en: ~74M parameters
    assert real["mt5"].vocab_size == 250112
    assert 380 < counts["mt5"] < 400  # shared embeddings counted once on meta; 582M untied
    assert real["bart"].vocab_size == 50265
    assert 135 < counts["bart"] < 145  # BART-base: ~139M


def test_sentences_fall_back_to_generated_text(tmp_path, monkeypatch):
    monkeypatch.setenv("RINGKAS_DATA_DIR", str(tmp_path / "nothing-here"))
    sentences, source = models.load_sentences(50)
    assert source == "generated"
    assert len(sentences) == 50
    assert sentences == models.load_sentences(50)[0]  # deterministic
    assert len(set(sentences)) == 50


def test_data_dir_comes_from_the_option_or_the_environment_never_the_checkout(
    tmp_path, monkeypatch
):
    monkeypatch.delenv("RINGKAS_DATA_DIR", raising=False)
    assert models.resolve_data_dir() is None
    assert models.load_sentences(10)[1] == "generated"  # even where ../shared/data exists
    monkeypatch.setenv("RINGKAS_DATA_DIR", str(tmp_path / "env"))
    assert models.resolve_data_dir() == tmp_path / "env"
    assert models.resolve_data_dir(tmp_path / "option") == tmp_path / "option"
    args = _cli(["--data-dir", str(tmp_path / "option")])
    assert suite.settings_from_args(args).data_dir == tmp_path / "option"


@pytest.mark.data
def test_sentences_come_from_flores_when_present(shared_data):
    from ringkas.text import sentence_spans

    sentences, source = models.load_sentences(100, data_dir=shared_data)
    assert source == "flores200/devtest/ind_Latn"
    assert all(len(sentence_spans(s)) == 1 for s in sentences)


def test_make_article_reaches_the_word_count():
    sentences, _ = models.load_sentences(200)
    article = models.make_article(sentences, 250)
    assert len(article.split()) >= 250
    assert "\n\n" in article
    with pytest.raises(ConfigError, match="not enough sentences"):
        models.make_article(sentences[:2], 10_000)


def test_parse_engine_names():
    assert engines.parse_engine("hf") == ("hf", "float32")
    assert engines.parse_engine("torch-int8") == ("torch", "int8")
    assert engines.parse_engine("raw-ct2-int8_float16") == ("raw-ct2", "int8_float16")
    assert engines.parse_engine("naive-bfloat16") == ("naive", "bfloat16")
    assert engines.parse_engine("ct2-int8@8192") == ("ct2", "int8")
    with pytest.raises(ConfigError):
        engines.parse_engine("hf-int8")
    with pytest.raises(ConfigError, match="batch budget"):
        engines.parse_engine("hf@8192")


def test_default_engine_is_ct2_on_cpu_when_installed():
    from ringkas.backends import ct2_available
    from ringkas.backends.cpu import int8_exact

    ct2 = "ct2-int8" if int8_exact() else "ct2-float32"  # int8 only where its kernels are exact
    expected = ct2 if ct2_available() else "torch-int8"
    assert engines.default_engine_name("cpu") == expected


def test_targets_are_judged_from_a_report():
    def row(engine: str, kind: str, tps: float, naive: float, hf: float) -> dict:
        return {"engine": engine, "kind": kind, "tokens_per_s": tps, "vs_naive": tps / naive,
                "vs_hf": tps / hf}  # fmt: skip

    report = {
        "default_engine": "ct2-int8",
        "comparisons": [
            {
                "model": "marian",
                "options": {"num_beams": 1},
                "engines": [
                    row("naive", "naive", 40, 40, 400),
                    row("hf", "hf", 400, 40, 400),
                    row("ct2-int8", "ct2", 1200, 40, 400),
                    row("raw-ct2-int8", "raw-ct2", 1250, 40, 400),
                ],
            }
        ],
        "length_sweep": [
            {"task": "translation", "ratio_between": [250, 4000], "per_word_cost_ratio": 0.9}
        ],
        "stream_memory": {"ratio_between": [10, 1000], "peak_rss_ratio": 1.25},
    }
    targets = {t["id"]: t for t in suite.evaluate_targets(report)}
    assert targets["ct2_wrapper"]["value"] == pytest.approx(0.96)
    assert targets["ct2_wrapper"]["met"] is True
    assert targets["default_vs_naive"]["met"] is True  # 30x
    assert targets["default_vs_hf"]["met"] is True  # 3x
    assert targets["linear_translation"]["met"] is True
    assert targets["bounded_memory"]["met"] is False
