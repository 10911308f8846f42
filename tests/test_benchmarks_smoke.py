"""The smoke modes of benchmarks/ run in the test suite, so the scripts cannot rot."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from benchmarks import gpu_check, run_cpu

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("bench-models")


def test_run_cpu_smoke_covers_every_section(models_dir, tmp_path, capsys):
    argv = ["--smoke", "--out", str(tmp_path), "--models-dir", str(models_dir), "-q"]
    assert run_cpu.main(argv) == 0
    report = json.loads((tmp_path / "bench-cpu.json").read_text())
    assert [c["model"] for c in report["comparisons"]] == ["marian", "mt5", "bart"]
    assert all(r["equal_work"] for c in report["comparisons"] for r in c["engines"])
    assert {s["task"] for s in report["length_sweep"]} == {"translation", "summarization"}
    assert [row["articles"] for row in report["stream_memory"]["rows"]] == [5, 40]
    assert {t["id"] for t in report["targets"]} >= {"linear_translation", "bounded_memory"}
    assert (tmp_path / "bench-cpu.md").is_file()
    assert "## Targets" in capsys.readouterr().out


def test_run_cpu_smoke_refuses_to_overwrite_results(capsys):
    assert run_cpu.main(["--smoke"]) == 2
    assert "needs --out" in capsys.readouterr().err


def test_gpu_check_smoke_mode_on_cpu(models_dir, tmp_path):
    argv = ["--device", "cpu", "--tiny", "--out", str(tmp_path), "--models-dir", str(models_dir)]
    assert gpu_check.run(argv, progress=lambda _msg: None) == 0
    report = json.loads((tmp_path / "gpu-check.json").read_text())
    assert report["kind"] == "gpu-check"
    assert not report["skipped"]
    assert [c["model"] for c in report["comparisons"]] == ["marian", "mt5"]
    assert {row["max_batch_size"] for row in report["batch_sweep"]} == {2, 8}
    assert (tmp_path / "gpu-check.md").is_file()


@pytest.mark.parametrize("script", ["run_cpu.py", "gpu_check.py", "suite.py"])
def test_scripts_run_as_files_from_anywhere(script, tmp_path):
    """``python benchmarks/x.py`` works as well as ``python -m benchmarks.x``."""
    done = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / script), "--help"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "usage:" in done.stdout
