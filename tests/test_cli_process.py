"""The CLI as a real process: SIGKILL and --resume, SIGTERM, closed pipes, offline models,
and what a fresh interpreter imports. Each test starts ``python -m ringkas`` subprocesses."""

from __future__ import annotations

import json
import os
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from ringkas.cli import main
from ringkas.testing import ID_EN_PAIRS

SOURCES = [src for src, _ in ID_EN_PAIRS]
RINGKAS = [sys.executable, "-m", "ringkas"]


def env(**extra: str) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith("RINGKAS_")}
    base.update(extra)
    return base


def write_records(path: Path, n: int) -> list[str]:
    ids = [f"r{i:04d}" for i in range(n)]
    path.write_text(
        "".join(
            json.dumps({"id": rid, "text": SOURCES[i % len(SOURCES)], "lang": "id"}) + "\n"
            for i, rid in enumerate(ids)
        ),
        encoding="utf-8",
    )
    return ids


def complete_lines(path: Path) -> int:
    return path.read_bytes().count(b"\n") if path.exists() else 0


def wait_for_lines(proc: subprocess.Popen[bytes], path: Path, at_least: int) -> int:
    """Poll until the output holds ``at_least`` lines; fail if the run ends first."""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        lines = complete_lines(path)
        if lines >= at_least:
            return lines
        if proc.poll() is not None:
            pytest.fail(f"the run ended (exit {proc.returncode}) before it could be interrupted")
        time.sleep(0.005)
    proc.kill()
    pytest.fail("no output within 120 s")


@pytest.fixture
def translate_job(tmp_path, tiny_models, capsys):
    """A long translate job, and its uninterrupted output made in-process for comparison."""
    source = tmp_path / "in.jsonl"
    ids = write_records(source, 100)
    out = tmp_path / "out.jsonl"
    options = ["--route", f"id-en={tiny_models.id_en}", "--device", "cpu", "--threads", "1"]
    # Small windows: many flushes, so the signal lands mid-run.
    args = ["translate", str(source), "-o", str(out), *options, "--window", "2", "-q"]
    full = tmp_path / "full.jsonl"
    assert main(["translate", str(source), "-o", str(full), *options, "--window", "64"]) == 0
    capsys.readouterr()
    return args, out, full, ids


def test_sigkill_mid_run_then_resume_gives_each_id_once_in_order(translate_job, capsys):
    args, out, full, ids = translate_job
    proc = subprocess.Popen([*RINGKAS, *args], env=env(), stderr=subprocess.PIPE)
    wait_for_lines(proc, out, at_least=20)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    done = complete_lines(out)
    assert 20 <= done < len(ids), "the kill came too late to test anything"
    # In-process (the engine is loaded already), in bigger windows: the output must not change.
    assert main([*args, "--resume", "--window", "32"]) == 0
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    assert [r["id"] for r in rows] == ids  # each id exactly once, in input order
    assert out.read_bytes() == full.read_bytes()  # same text as an uninterrupted run


def test_sigterm_stops_cleanly_prints_the_resume_command_and_resumes(translate_job, capsys):
    args, out, full, ids = translate_job
    proc = subprocess.Popen([*RINGKAS, *args, "--overwrite"], env=env(), stderr=subprocess.PIPE)
    wait_for_lines(proc, out, at_least=10)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=120)
    assert proc.returncode == 143
    stderr = err.decode()
    assert "Traceback" not in stderr
    head, hint = stderr.rstrip("\n").split("\n")[-2:]
    assert head.startswith("ringkas: stopped by SIGTERM after ")
    assert head.endswith(f" new records in {out}; resume with:")
    command = shlex.split(hint)
    assert command == ["ringkas", *args, "--resume"]  # --overwrite is gone
    text = out.read_text(encoding="utf-8")
    assert text.endswith("\n")  # no half-written line
    written = [json.loads(line)["id"] for line in text.splitlines()]
    assert 10 <= len(written) < len(ids)
    assert written == ids[: len(written)]
    assert main(command[1:]) == 0
    assert out.read_bytes() == full.read_bytes()


def test_closed_stdout_is_not_an_error_with_a_traceback(tmp_path):
    source = tmp_path / "in.jsonl"
    write_records(source, 3000)
    proc = subprocess.Popen(
        [*RINGKAS, "clean", str(source), "--window", "10"],
        env=env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None
    assert proc.stderr is not None
    first = proc.stdout.readline()
    proc.stdout.close()  # like `| head -1`
    err = proc.stderr.read().decode()
    proc.wait(timeout=60)
    assert json.loads(first)["id"] == "r0000"
    assert proc.returncode == 141
    assert "Traceback" not in err
    assert "Error" not in err


def test_shell_pipe_into_head(tmp_path):
    source = tmp_path / "in.jsonl"
    write_records(source, 3000)
    command = f"{shlex.join(RINGKAS)} clean {shlex.quote(str(source))} -q | head -1"
    result = subprocess.run(["bash", "-c", command], env=env(), capture_output=True, timeout=60)
    assert result.returncode == 0
    assert json.loads(result.stdout)["id"] == "r0000"
    assert result.stderr == b""


def test_offline_default_model_stops_at_once_with_the_model_load_error(tmp_path):
    source = tmp_path / "in.jsonl"
    write_records(source, 2)
    began = time.monotonic()
    result = subprocess.run(
        [*RINGKAS, "translate", str(source)],
        env=env(HF_HUB_OFFLINE="1", HF_HOME=str(tmp_path / "hf")),
        capture_output=True,
        timeout=60,
    )
    assert time.monotonic() - began < 30
    assert result.returncode == 2
    assert result.stdout == b""
    err = result.stderr.decode()
    assert err.count("\n") == 1
    assert err.startswith("ringkas: error: model 'opus-mt-id-en' (Helsinki-NLP/opus-mt-id-en)")
    assert "HF_HUB_OFFLINE" in err
    assert "Traceback" not in err


PROBE = """
import sys
from ringkas.cli import main
code = main(sys.argv[1:])
print("torch" in sys.modules, "transformers" in sys.modules, code, file=sys.stderr)
"""


@pytest.mark.parametrize(
    "args",
    [
        ["--help"],
        ["translate", "--help"],
        [
            *("process", "IN", "--dry-run", "--summary-model", "/bogus"),
            *("--route", "id-en=/bogus", "--translation-model", "/bogus", "--source-lang", "id"),
        ],
    ],
)
def test_help_and_dry_run_import_no_torch(tmp_path, args):
    source = tmp_path / "in.jsonl"
    write_records(source, 3)
    argv = [str(source) if a == "IN" else a for a in args]
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *argv], env=env(), capture_output=True, timeout=60
    )
    assert result.stderr.decode().splitlines()[-1] == "False False 0"
    if "--dry-run" in args:
        assert result.stdout == b""  # no record errors
