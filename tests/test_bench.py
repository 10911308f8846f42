"""The timing harness (ringkas.bench) and ``ringkas bench``, on the tiny trained models.

No timing is asserted: the tests check what is measured and reported, never how fast.
"""

from __future__ import annotations

import json

import pytest

from ringkas.bench import (
    CallableRunner,
    Output,
    TokenCounter,
    Workload,
    generated_sentences,
    measure,
    percentile,
    ratio,
)
from ringkas.cli import main
from ringkas.config import EngineOptions


def test_percentile_interpolates():
    assert percentile([1.0], 95) == 1.0
    assert percentile([1.0, 2.0, 3.0, 4.0], 50) == 2.5
    assert percentile([4.0, 1.0, 3.0, 2.0], 100) == 4.0
    with pytest.raises(ValueError, match="empty"):
        percentile([], 50)


def test_ratio_is_none_without_a_denominator():
    assert ratio(3.0, 2.0) == 1.5
    assert ratio(1.0, 3.0) == 0.333
    assert ratio(1.0, 0) is None
    assert ratio(None, 2.0) is None


def test_generated_sentences_are_deterministic_and_distinct():
    sentences = generated_sentences(50)
    assert sentences == generated_sentences(50)
    assert len(set(sentences)) == 50
    assert generated_sentences(5, seed=1) != sentences[:5]


def test_measure_times_any_callable_with_interleaved_repeats():
    calls: list[tuple[str, int]] = []

    def upper(docs: list[str]) -> list[str]:
        calls.append(("upper", len(docs)))
        return [d.upper() for d in docs]

    def lower(docs: list[str]) -> list[str]:
        calls.append(("lower", len(docs)))
        return [d.lower() for d in docs]

    work = Workload("custom", ["Satu dua.", "Tiga empat.", "Lima enam."])
    assert work.units == [["Satu dua."], ["Tiga empat."], ["Lima enam."]]
    timings = measure(
        [CallableRunner("upper", upper), CallableRunner("lower", lower)],
        work,
        repeats=2,
        latency_articles=2,
        subsets={"lower": [0, 1]},
    )
    # warm-ups (1 article each), then passes in rotating order, then one call per article.
    assert calls == [
        ("upper", 1), ("lower", 1),
        ("upper", 3), ("lower", 2),
        ("lower", 2), ("upper", 3),
        ("upper", 1), ("upper", 1), ("lower", 1), ("lower", 1),
    ]  # fmt: skip
    upper_t, lower_t = timings["upper"], timings["lower"]
    assert upper_t.texts == ["SATU DUA.", "TIGA EMPAT.", "LIMA ENAM."]
    assert (upper_t.articles, lower_t.articles) == (3, 2)
    assert len(upper_t.seconds_runs) == 2
    summary = upper_t.summary()
    assert summary["latency_samples"] == 2
    assert summary["latency_p50_s"] <= summary["latency_p95_s"]
    assert summary["tokens_per_s"] == 0  # a plain callable has no token counter
    assert summary["articles_per_s"] > 0


def test_per_article_timings_replace_the_latency_pass():
    class Timed:
        name = "timed"

        def prepare(self, work: Workload) -> None:
            self.work = work

        def warmup(self) -> None:
            pass

        def run(self, indices):
            return Output(["x"] * len(indices), 5, [0.5] * len(indices))

    timing = measure([Timed()], Workload("t", ["a", "b"]), repeats=2)["timed"]
    assert timing.latencies == [0.5] * 4
    assert timing.output_tokens == 5


def test_token_counter_counts_what_the_engines_generate(tiny_models):
    counter = TokenCounter()
    translator = counter.translator(
        str(tiny_models.id_en),
        engine=EngineOptions(backend="torch", quantize="none", device="cpu", num_threads=1),
    )
    sentence, expected = next(iter(tiny_models.translations.items()))
    [result] = translator.translate([sentence], source_lang="id")
    assert result.text == expected  # counting changes nothing in the output
    assert counter.segments == 1
    assert counter.tokens > 0


def _bench(argv: list[str], capsys) -> tuple[int, str, str]:
    code = main(["bench", *argv])
    out, err = capsys.readouterr()
    return code, out, err


def test_ringkas_bench_times_a_route_and_a_summariser_on_a_file(tiny_models, tmp_path, capsys):
    articles = tmp_path / "news.txt"
    articles.write_text("\n".join(list(tiny_models.translations)[:3]) + "\n", encoding="utf-8")
    code, out, err = _bench(
        ["--route", f"id-en={tiny_models.id_en}", "--summary-model", str(tiny_models.summarizer),
         "--articles", str(articles), "--repeats", "2", "--backend", "torch", "--quantize", "none",
         "--device", "cpu", "--threads", "1", "--json", "-q"],
        capsys,
    )  # fmt: skip
    assert (code, err) == (0, "")
    report = json.loads(out)
    assert report["input"] == {
        "source": f"{articles} (txt)",
        "articles": 3,
        "words": sum(len(s.split()) for s in list(tiny_models.translations)[:3]),
    }
    assert report["settings"]["engine"]["quantize"] == "none"
    assert {"cpu", "logical_cpus"} <= set(report["machine"])
    jobs = {row["job"]: row for row in report["jobs"]}
    assert set(jobs) == {"translate id-en", f"summarize {tiny_models.summarizer}"}
    for row in jobs.values():
        assert row["articles"] == 3
        assert len(row["seconds_runs"]) == 2
        assert row["output_tokens"] > 0
        assert row["tokens_per_s"] > 0
        assert row["latency_samples"] == 3
        assert row["latency_p50_s"] <= row["latency_p95_s"]
    assert jobs["translate id-en"]["models"] == [str(tiny_models.id_en)]


def test_ringkas_bench_prints_markdown_on_generated_text(tiny_models, capsys):
    code, out, err = _bench(
        ["--route", f"id-en={tiny_models.id_en}", "--limit", "2", "--repeats", "1",
         "--backend", "torch", "--device", "cpu", "--threads", "1", "--max-new-tokens", "4"],
        capsys,
    )  # fmt: skip
    assert code == 0
    assert out.startswith("# ringkas bench (")
    assert "- input: 2 articles" in out
    assert "(generated text)" in out
    assert "| translate id-en |" in out
    assert "load and warm up translate id-en" in err  # progress on stderr


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--route", "indonesian"], "expected SRC-TGT=MODEL"),
        (["--repeats", "0"], "expected a positive integer"),
        (["--articles", "/nonexistent/news.jsonl"], "news.jsonl"),
        (["--route", "id-en=./x", "--route", "id-en=./y"], "each job once"),
    ],
)
def test_ringkas_bench_usage_errors_are_one_line(argv, message, capsys):
    code, _, err = _bench(argv, capsys)
    assert code == 2
    assert len(err.strip().splitlines()) == 1
    assert message in err


def test_ringkas_bench_says_when_a_file_has_no_article(tmp_path, capsys):
    empty = tmp_path / "empty.txt"
    empty.write_text("\n\n", encoding="utf-8")
    code, _, err = _bench(["--articles", str(empty), "-q"], capsys)
    assert code == 2
    assert (
        err
        == f"ringkas bench: error: {empty}: no article to time (the input is empty or unreadable)\n"
    )
