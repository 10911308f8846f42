"""The smoke modes of benchmarks/ run in the test suite, so the scripts cannot rot."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path
from types import ModuleType

import pytest

BENCHMARKS = Path(__file__).resolve().parents[1] / "benchmarks"


def _script(name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(f"_bench_{name}", BENCHMARKS / f"{name}.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("bench-models")


def test_run_cpu_smoke_covers_every_section(models_dir, tmp_path, capsys):
    run_cpu = _script("run_cpu")
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
    assert _script("run_cpu").main(["--smoke"]) == 2
    assert "needs --out" in capsys.readouterr().err


def test_gpu_check_smoke_mode_on_cpu(models_dir, tmp_path):
    gpu_check = _script("gpu_check")
    argv = ["--device", "cpu", "--tiny", "--out", str(tmp_path), "--models-dir", str(models_dir)]
    assert gpu_check.run(argv, progress=lambda _msg: None) == 0
    report = json.loads((tmp_path / "gpu-check.json").read_text())
    assert report["kind"] == "gpu-check"
    assert not report["skipped"]
    assert [c["model"] for c in report["comparisons"]] == ["marian", "mt5"]
    assert {row["max_batch_size"] for row in report["batch_sweep"]} == {2, 8}
    assert (tmp_path / "gpu-check.md").is_file()
