from __future__ import annotations

import builtins
import dataclasses
import json
from pathlib import Path
from typing import Any

import pytest

from ringkas.errors import ConfigError, DataError, MissingDependencyError
from ringkas.evaluate import (
    EvalReport,
    ScoreOptions,
    compare_markdown,
    load_report,
    make_report,
    paired_bootstrap,
    plot_reports,
    score,
)

HYPS = ["the cat sat on the mat", "a quick brown fox", "rain in jakarta today"] * 5
REFS = ["the cat is on the mat", "the quick brown fox", "it rains in jakarta"] * 5


def _report(
    system: str = "sys", *, metrics: tuple[str, ...] = ("bleu", "chrf", "rouge1")
) -> EvalReport:
    options = ScoreOptions(metrics=metrics, bootstrap=100)
    return make_report(
        system=system,
        dataset={"name": "toy", "task": "translation", "n_examples": len(HYPS)},
        scores=score(HYPS, [REFS], options=options),
        options=options,
        generation={"model": "fake", "num_beams": 4},
        stats={"n_truncated": 0},
        timings={"generate_s": 1.5},
        paired=paired_bootstrap(HYPS, REFS, [REFS], options=options),
    )


def test_json_round_trip(tmp_path: Path) -> None:
    report = _report()
    path = tmp_path / "r.json"
    text = report.to_json(path)
    data = json.loads(text)
    assert data["format"] == 1
    assert data["system"] == "sys"
    assert data["task"] == "translation"
    assert data["scores"][0]["signature"].startswith("BLEU|nrefs:1|bs:100|seed:12345|")
    assert {"python", "ringkas", "sacrebleu", "rouge-score", "numpy"} <= set(data["versions"])
    assert data["options"]["metrics"] == ["bleu", "chrf", "rouge1"]
    assert data["created"].endswith("+00:00")
    assert load_report(path) == report


def test_load_report_rejects_other_json(tmp_path: Path) -> None:
    path = tmp_path / "x.json"
    path.write_text('{"hello": 1}')
    with pytest.raises(DataError, match=r"x\.json: not a ringkas evaluation report"):
        load_report(path)
    path.write_text("{")
    with pytest.raises(DataError, match=r"x\.json:1: invalid JSON"):
        load_report(path)
    with pytest.raises(DataError, match="no such file"):
        load_report(tmp_path / "missing.json")


def test_markdown_escapes_signatures_and_lists_facts() -> None:
    md = _report().to_markdown()
    assert "### sys on toy" in md
    assert "| metric | score | 95% CI | signature |" in md
    assert "`BLEU\\|nrefs:1\\|bs:100" in md  # pipes escaped inside the table cell
    assert "| paired test | A | B | B - A |" in md
    assert "generation: model=fake, num_beams=4" in md
    row = next(line for line in md.splitlines() if line.startswith("| BLEU |"))
    assert row.count(" | ") == 3  # four cells: the signature did not spill into new columns


def test_compare_side_by_side_and_flags_incomparable_signatures() -> None:
    a = _report("A")
    b = _report("B", metrics=("bleu", "chrf"))
    table = compare_markdown([a, b])
    assert table.splitlines()[0] == "| metric | A (toy) | B (toy) |"
    assert "| rouge1 |" in table
    assert "| - |" in table.replace(" -  |", " - |")
    assert "†" not in table  # same options: comparable
    changed = dataclasses.replace(
        b,
        scores=tuple(dataclasses.replace(s, signature=s.signature + "|tok:intl") for s in b.scores),
    )
    flagged = compare_markdown([a, changed])
    assert "| BLEU † |" in flagged
    assert "not directly comparable" in flagged
    with pytest.raises(ConfigError):
        compare_markdown([])


def test_plot_writes_png(tmp_path: Path) -> None:
    out = plot_reports([_report("A"), _report("B")], tmp_path / "chart.png", title="toy")
    assert out.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_plot_without_matplotlib_says_which_extra(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    real_import = builtins.__import__

    def fake_import(name: str, *args: Any, **kwargs: Any) -> Any:
        if name == "matplotlib" or name.startswith("matplotlib."):
            raise ImportError("No module named 'matplotlib'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", fake_import)
    monkeypatch.delitem(__import__("sys").modules, "matplotlib", raising=False)
    with pytest.raises(MissingDependencyError, match=r"ringkas\[plot\]"):
        plot_reports([_report()], tmp_path / "chart.png")


def test_compare_never_labels_two_reports_alike(tmp_path: Path) -> None:
    """Two runs of one system (int8 vs unquantised) used to give two identical columns."""
    int8 = _report("opus-mt-id-en")
    exact = dataclasses.replace(int8, generation={**int8.generation, "quantization": "none"})
    int8 = dataclasses.replace(int8, generation={**int8.generation, "quantization": "int8"})
    header = compare_markdown([int8, exact]).splitlines()[0]
    assert header == (
        "| metric | opus-mt-id-en [quantization=int8] (toy) "
        "| opus-mt-id-en [quantization=none] (toy) |"
    )
    twins = compare_markdown([_report("hyp.txt"), _report("hyp.txt")]).splitlines()[0]
    assert twins == "| metric | hyp.txt #1 (toy) | hyp.txt #2 (toy) |"
    named = compare_markdown([int8, exact], names=["int8", "fp32"]).splitlines()[0]
    assert named == "| metric | int8 (toy) | fp32 (toy) |"
    with pytest.raises(ConfigError, match="2 reports"):
        compare_markdown([int8, exact], names=["only-one"])
