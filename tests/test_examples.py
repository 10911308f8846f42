"""The runnable examples stay runnable: quickstart on the tiny models, the demo offline."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from ringkas.testing import ID_EN_PAIRS, SUMMARY_PAIRS

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "RINGKAS_"))}
    env.update(HF_HOME=str(tmp_path / "hf"), OMP_NUM_THREADS="1", **extra)
    return env


@pytest.mark.exact  # the default engine (backend="auto")
def test_quickstart_runs_the_public_api_on_local_models(tiny_models, tmp_path):
    article, summary = SUMMARY_PAIRS[0]
    articles = tmp_path / "articles.jsonl"
    articles.write_text(
        json.dumps({"id": "banjir", "text": article, "title": ID_EN_PAIRS[1][0]}) + "\n"
        + json.dumps({"id": "kosong", "text": ""}) + "\n",
        encoding="utf-8",
    )  # fmt: skip
    done = subprocess.run(
        [
            sys.executable, str(EXAMPLES / "quickstart.py"), "--articles", str(articles),
            "--summary-model", str(tiny_models.summarizer), "--device", "cpu",
            "--route", f"id-en={tiny_models.id_en}", "--route", f"en-id={tiny_models.en_id}",
        ],
        env=_env(tmp_path, HF_HUB_OFFLINE="1"),
        capture_output=True, text=True, timeout=300,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr  # one record failed, and says so
    first, second = (json.loads(line) for line in done.stdout.splitlines())
    translations = dict(ID_EN_PAIRS)
    assert first["id"] == "banjir"
    assert first["error"] is None
    assert first["summary"] == summary
    assert first["translation"] == " ".join(
        translations[s + "."] for s in article.rstrip(".").split(". ")
    )
    assert first["title_translation"] == ID_EN_PAIRS[1][1]
    assert second["id"] == "kosong"
    assert second["error"]["type"] == "InputError"


def test_demo_runs_offline_and_stops_at_the_models_with_the_fix(tmp_path):
    done = subprocess.run(
        [sys.executable, str(EXAMPLES / "demo.py")],
        env=_env(tmp_path, HF_HUB_OFFLINE="1"),
        capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows = (re.match(r"^([a-z]{2}-\w+)\s+(\w+) \(", line) for line in done.stdout.splitlines())
    detected = {m.group(1): m.group(2) for m in rows if m}
    assert detected == {
        "id-banjir": "id", "id-beras": "id", "id-timnas": "id",
        "ms-sekolah": "ms", "en-rates": "en", "en-volcano": "en",
    }  # fmt: skip
    assert "Extractive summaries" in done.stdout
    assert "HF_HUB_OFFLINE" in done.stderr
    assert "ringkas models prefetch" in done.stderr
    assert "Traceback" not in done.stderr
