from __future__ import annotations

import json
import subprocess
import sys
import types
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest

from ringkas.config import BatchOptions, EngineOptions

CliRunner = Callable[[Sequence[str]], tuple[int, str, str]]

FLORES_SYSTEMS = [
    (
        "Tatoeba-MT-models_msa-eng_opus+bt-2021-04-30/flores200-devtest.ind-eng.output",
        38.6,
        "38.6 68.8/45.3/32.2/23.4 (BP = 0.986 ratio = 0.986 hyp_len = 24370 ref_len = 24721)",
        64.742,
    ),
    (
        "OPUS-MT-models_id-en_opus-2019-12-18/flores101-devtest.ind-eng.output",
        33.4,
        "33.4 66.0/40.7/27.4/18.9 (BP = 0.971 ratio = 0.971 hyp_len = 24004 ref_len = 24721)",
        61.210,
    ),
]


def _files(tmp_path: Path) -> tuple[Path, Path, Path]:
    hyp = tmp_path / "hyp.txt"
    ref = tmp_path / "ref.txt"
    ref2 = tmp_path / "ref2.txt"
    hyp.write_text("the cat sat on the mat\na quick brown fox\nrain in jakarta\n")
    ref.write_text("the cat is on the mat\nthe quick brown fox\nit rains in jakarta\n")
    ref2.write_text("a cat sat on a mat\na quick brown fox\nrain in jakarta today\n")
    return hyp, ref, ref2


def test_score_prints_signed_scores_and_writes_reports(run_cli: CliRunner, tmp_path: Path) -> None:
    hyp, ref, ref2 = _files(tmp_path)
    out_json, out_md = tmp_path / "r.json", tmp_path / "r.md"
    code, out, err = run_cli(
        [
            "eval",
            "score",
            "--hyp",
            str(hyp),
            "--ref",
            str(ref),
            "--ref",
            str(ref2),
            "--metrics",
            "bleu,chrf,chrf++,rouge",
            "--lang",
            "en",
            "--bootstrap",
            "100",
            "--json",
            str(out_json),
            "--markdown",
            str(out_md),
        ]
    )
    assert code == 0, err
    lines = out.splitlines()
    assert lines[0].startswith("BLEU|nrefs:2|bs:100|seed:12345|case:mixed|")
    assert "[95% CI " in lines[0]
    assert [line.split("|")[0] for line in lines] == [
        "BLEU",
        "chrF2",
        "chrF2++",
        "rouge1",
        "rouge2",
        "rougeL",
        "rougeLsum",
    ]
    report = json.loads(out_json.read_text())
    assert report["system"] == "hyp.txt"
    assert report["n_examples"] == 3
    assert report["dataset"]["references"] == [str(ref), str(ref2)]
    assert "| rougeLsum |" in out_md.read_text()


def test_rouge_compat_mode_flag(run_cli: CliRunner, tmp_path: Path) -> None:
    hyp, ref, _ = _files(tmp_path)
    code, out, _ = run_cli(
        [
            "eval",
            "score",
            "--hyp",
            str(hyp),
            "--ref",
            str(ref),
            "--metrics",
            "rouge1",
            "--rouge-mode",
            "compat",
            "--rouge-stem",
            "--bootstrap",
            "0",
        ]
    )
    assert code == 0
    assert out.startswith("rouge1|tok:rouge-default|lc:yes|stem:porter|sent:newline|nrefs:1|")


def test_errors_are_one_line_with_exit_2(run_cli: CliRunner, tmp_path: Path) -> None:
    hyp, ref, _ = _files(tmp_path)
    short = tmp_path / "short.txt"
    short.write_text("one line\n")
    code, out, err = run_cli(["eval", "score", "--hyp", str(short), "--ref", str(ref)])
    assert code == 2
    assert out == ""
    assert err.count("\n") == 1
    assert "Traceback" not in err
    assert f"hypothesis file {short} has 1 lines but reference file {ref} has 3 lines" in err
    code, _, err = run_cli(
        ["eval", "score", "--hyp", str(hyp), "--ref", str(ref), "--metrics", "blue"]
    )
    assert code == 2
    assert "valid choices: bleu, chrf" in err
    assert err.count("\n") == 1
    code, _, err = run_cli(["eval", "score", "--hyp", str(tmp_path / "nope"), "--ref", str(ref)])
    assert code == 2
    assert "no such file" in err
    code, _, err = run_cli(
        ["eval", "baseline", "--dataset", "cnn", "--path", "x", "--method", "lead3"]
    )
    assert code == 2
    assert "unknown dataset 'cnn'" in err
    code, _, err = run_cli(["eval"])
    assert code == 2
    assert "score" in err


def test_model_metrics_are_skipped_with_a_message(run_cli: CliRunner, tmp_path: Path) -> None:
    hyp, ref, _ = _files(tmp_path)
    code, out, err = run_cli(
        [
            "eval",
            "score",
            "--hyp",
            str(hyp),
            "--ref",
            str(ref),
            "--metrics",
            "chrf,bertscore",
            "--bootstrap",
            "0",
        ]
    )
    assert code == 0
    assert out.startswith("chrF2|")
    assert err.startswith("skipped BERTScore-F1: ")


def test_paired(run_cli: CliRunner, tmp_path: Path) -> None:
    hyp, ref, _ = _files(tmp_path)
    out_json = tmp_path / "p.json"
    code, out, err = run_cli(
        [
            "eval",
            "paired",
            "--hyp",
            str(hyp),
            "--hyp2",
            str(ref),
            "--ref",
            str(ref),
            "--bootstrap",
            "100",
            "--json",
            str(out_json),
        ]
    )
    assert code == 0, err
    assert "B-A +" in out
    assert "p = " in out
    report = json.loads(out_json.read_text())
    assert [p["metric"] for p in report["paired"]] == ["BLEU", "chrF2"]


def _write_indosum(path: Path, n: int = 4) -> None:
    records = []
    for i in range(n):
        records.append(
            {
                "id": str(i),
                "paragraphs": [
                    [
                        ["Banjir", "melanda", "Jakarta", "."],
                        ["Warga", "mengungsi", "ke", "posko", "."],
                    ],
                    [["Harga", "cabai", "naik", "."], ["Tim", "bola", "menang", "."]],
                ],
                "summary": [["Banjir", "melanda", "Jakarta", ",", "warga", "mengungsi", "."]],
            }
        )
    path.write_text("".join(json.dumps(r) + "\n" for r in records))


def test_baseline_and_compare(run_cli: CliRunner, tmp_path: Path) -> None:
    data = tmp_path / "dev.jsonl"
    _write_indosum(data)
    reports = []
    for method in ("lead3", "textrank", "oracle"):
        out_json = tmp_path / f"{method}.json"
        out_txt = tmp_path / f"{method}.txt"
        code, out, err = run_cli(
            [
                "eval",
                "baseline",
                "--dataset",
                "indosum",
                "--path",
                str(data),
                "--method",
                method,
                "--bootstrap",
                "50",
                "--json",
                str(out_json),
                "--output",
                str(out_txt),
            ]
        )
        assert code == 0, err
        assert out.startswith("rouge1|tok:unicode|")
        assert len(out_txt.read_text().splitlines()) == 4
        reports.append(str(out_json))
    chart = tmp_path / "chart.png"
    table_md = tmp_path / "cmp.md"
    code, out, err = run_cli(
        ["eval", "compare", *reports, "--markdown", str(table_md), "--plot", str(chart)]
    )
    assert code == 0, err
    assert (
        out.splitlines()[0]
        == "| metric | lead-3 (indosum) | textrank (indosum) | oracle (indosum) |"
    )
    assert table_md.read_text() == out
    assert chart.stat().st_size > 0
    names = ["--name", "L3", "--name", "TR", "--name", "OR"]
    code, out, err = run_cli(["eval", "compare", *reports, *names])
    assert code == 0, err
    assert out.splitlines()[0] == "| metric | L3 (indosum) | TR (indosum) | OR (indosum) |"


def test_run_goes_through_the_translator_interface(
    run_cli: CliRunner, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    created: list[dict[str, Any]] = []

    class Result:
        def __init__(self, text: str) -> None:
            self.text = text

    class Translator:
        def __init__(self, model: str | None = None, **kwargs: Any) -> None:
            created.append({"model": model, **kwargs})

        def translate(
            self, texts: list[str], *, source_lang: str | None = None, target_lang: str = "en"
        ) -> list[Result]:
            return [Result(t.upper()) for t in texts]

    monkeypatch.setitem(
        sys.modules, "ringkas.translate", types.SimpleNamespace(Translator=Translator)
    )
    monkeypatch.delenv("RINGKAS_DEVICE", raising=False)
    monkeypatch.delenv("RINGKAS_BACKEND", raising=False)
    src, ref = tmp_path / "s.id", tmp_path / "r.en"
    src.write_text("halo dunia\napa kabar\n")
    ref.write_text("HALO DUNIA\nhow are you\n")
    out_file = tmp_path / "hyps.jsonl"
    code, out, err = run_cli(
        [
            "eval",
            "run",
            "--dataset",
            "parallel:ind-eng",
            "--path",
            str(src),
            "--path",
            str(ref),
            "--model",
            "my-model",
            "--gen",
            "num_beams=4",
            "--gen",
            "max_new_tokens=64",
            "--bootstrap",
            "0",
            "--output",
            str(out_file),
        ]
    )
    assert code == 0, err
    assert created == [
        {
            "model": "my-model",
            # the same default engine as `ringkas translate` (the library's: auto)
            "engine": EngineOptions(),
            "batching": BatchOptions(),
            "num_beams": 4,
            "max_new_tokens": 64,
        }
    ]
    assert [line.split("|")[0] for line in out.splitlines()] == ["BLEU", "chrF2", "chrF2++"]
    assert json.loads(out_file.read_text().splitlines()[0]) == {
        "id": "1",
        "hypothesis": "HALO DUNIA",
    }


def test_datasets_lists_loaders(run_cli: CliRunner) -> None:
    code, out, _ = run_cli(["eval", "datasets"])
    assert code == 0
    assert "flores200" in out
    assert "indosum" in out
    assert "source_field" in out


@pytest.mark.data
@pytest.mark.parametrize(
    ("hyp_file", "bleu", "bleu_string", "chrf"), FLORES_SYSTEMS, ids=["tatoeba", "opus"]
)
def test_cli_reproduces_published_flores_scores(
    run_cli: CliRunner,
    shared_data: Path,
    tmp_path: Path,
    hyp_file: str,
    bleu: float,
    bleu_string: str,
    chrf: float,
) -> None:
    out_json = tmp_path / "r.json"
    code, out, err = run_cli(
        [
            "eval",
            "score",
            "--hyp",
            str(shared_data / "flores200/system-outputs" / hyp_file),
            "--ref",
            str(shared_data / "flores200/devtest/eng_Latn.devtest"),
            "--metrics",
            "bleu,chrf",
            "--json",
            str(out_json),
        ]
    )
    assert code == 0, err
    assert bleu_string in out.splitlines()[0]
    scores = {s["metric"]: s for s in json.loads(out_json.read_text())["scores"]}
    assert round(scores["BLEU"]["score"], 1) == bleu
    assert round(scores["chrF2"]["score"], 3) == chrf
    assert scores["BLEU"]["ci_low"] < scores["BLEU"]["score"] < scores["BLEU"]["ci_high"]


def test_module_entry_point(tmp_path: Path) -> None:
    hyp, ref, _ = _files(tmp_path)
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "ringkas.evaluate",
            "score",
            "--hyp",
            str(hyp),
            "--ref",
            str(ref),
            "--bootstrap",
            "0",
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("BLEU|nrefs:1|")
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "ringkas.evaluate.cli",
            "eval",
            "score",
            "--hyp",
            str(hyp),
            "--ref",
            str(tmp_path / "missing"),
        ],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 2
    assert done.stderr.startswith("ringkas eval: error: ")
    assert "Traceback" not in done.stderr
