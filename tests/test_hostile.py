"""Hostile and odd inputs through every CLI subcommand: no crash, no memory blow-up, no reading
outside the input, one output record per input record, the right error type.

Each case is generated here, deterministically, in ``tmp_path``. Runs go through a subprocess
under an address-space ceiling (``RLIMIT_AS``) and a time limit, and report their peak RSS.
"""

from __future__ import annotations

import gzip
import json
import os
import resource
import subprocess
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest

from ringkas.config import EngineOptions
from ringkas.errors import LimitExceededError
from ringkas.summarize import Summarizer
from ringkas.testing import LONG_ARTICLE

SRC = Path(__file__).resolve().parents[1] / "src"
GOOD = "Harga beras di pasar tradisional Jakarta naik tajam minggu ini karena pasokan berkurang."

#: The child's address space; a run that tried to hold a huge record would die (MemoryError).
CEILING = 4 * 2**30
#: Peak RSS a run without models may reach (the interpreter, langid and one window).
PEAK_MB = 600
TORCH_FP32 = EngineOptions(backend="torch", device="cpu", quantize="none")

# Peak RSS from VmHWM, this process's own high-water mark: ru_maxrss would also count the
# parent's (pytest's) RSS at fork time, which Linux carries across exec.
DRIVER = """
import re, sys
from ringkas.cli import main
code = main(sys.argv[1:])
status = open("/proc/self/status", encoding="ascii").read()
peak = int(re.search(r"VmHWM:\\s+(\\d+) kB", status).group(1)) // 1024
sys.stderr.write(f"\\nPEAK_RSS_MB={peak}\\n")
sys.exit(code)
"""


def _ceiling() -> None:
    resource.setrlimit(resource.RLIMIT_AS, (CEILING, CEILING))


def ringkas(args: Sequence[str], *, timeout: float = 120, limit_memory: bool = True):
    """Run the CLI in a fresh interpreter; (exit code, output records, stderr, peak RSS MB)."""
    env = {**os.environ, "PYTHONPATH": str(SRC), "HF_HUB_OFFLINE": "1"}
    done = subprocess.run(
        [sys.executable, "-c", DRIVER, *args],
        capture_output=True,
        timeout=timeout,
        env=env,
        preexec_fn=_ceiling if limit_memory else None,
    )
    err = done.stderr.decode("utf-8", "replace")
    assert "Traceback" not in err, err
    peak = int(err.rsplit("PEAK_RSS_MB=", 1)[1]) if "PEAK_RSS_MB=" in err else -1
    rows = [json.loads(line) for line in done.stdout.decode("utf-8").splitlines() if line]
    return done.returncode, rows, err, peak


def jsonl(*items: object) -> bytes:
    return b"".join(
        (item if isinstance(item, bytes) else json.dumps(item).encode()) + b"\n" for item in items
    )


# -- one JSONL file with every hostile record -------------------------------------------------

#: (line, expected error type or None) in input order; the ids are the line numbers.
HOSTILE_LINES: list[tuple[bytes, str | None]] = [
    (json.dumps({"text": GOOD, "lang": "id"}).encode(), None),
    (b'{"text": ' + b"[" * 100_000 + b"]" * 100_000 + b"}", "LimitExceededError"),
    (b'{"text": "a", "n": ' + b"9" * 5000 + b"}", "LimitExceededError"),
    (b'{"text": "Harga \\ud800 naik"}', "InputError"),  # a lone surrogate
    (b'{"id": "\\udfff", "text": "Harga naik"}', "InputError"),
    (b'{"id": {"nested": "id"}, "text": "Harga naik"}', "InputError"),
    (b'{"id": true, "text": "Harga naik"}', "InputError"),
    (b'{"id": 1e400, "text": "Harga naik"}', "InputError"),
    (b'{"text": "' + b"kata " * 300_000 + b'"}', "LimitExceededError"),  # 1.5 MB > 1 MiB
    (json.dumps({"text": "Harga \u202egula\u202c naik " + GOOD, "lang": "id"}).encode(), None),
]


@pytest.fixture
def hostile_jsonl(tmp_path: Path) -> Path:
    path = tmp_path / "hostile.jsonl.gz"
    with gzip.open(path, "wb", compresslevel=1) as handle:
        handle.write(jsonl(*(line for line, _ in HOSTILE_LINES)))
    return path


def check_records(rows: list[dict], expected: Sequence[tuple[str, str | None]]) -> None:
    assert [row["id"] for row in rows] == [record_id for record_id, _ in expected]
    for row, (record_id, error) in zip(rows, expected, strict=True):
        got = row.get("error", {}).get("type")
        assert got == error, (record_id, row)


COMMANDS = [
    ["detect"],
    ["clean"],
    ["summarize", "--summary-method", "lead"],
    ["summarize", "--summary-method", "textrank"],
    ["process", "--summary-method", "lead", "--steps", "clean,detect,summarize"],
    ["translate", "--dry-run"],
    ["process", "--dry-run"],
]


@pytest.mark.parametrize("command", COMMANDS, ids=" ".join)
def test_hostile_jsonl_records_each_get_one_line_and_the_right_error(hostile_jsonl, command):
    code, rows, err, peak = ringkas([*command, str(hostile_jsonl), "--max-record-bytes", "1048576"])
    assert code == 1, err
    expected = [(str(n), error) for n, (_, error) in enumerate(HOSTILE_LINES, 1)]
    if "--dry-run" in command:  # a dry run writes the error records only
        expected = [(i, e) for i, e in expected if e is not None]
    check_records(rows, expected)
    assert 0 < peak < PEAK_MB
    if command == ["clean"]:
        assert "\u202e" not in rows[-1]["text"]
        assert {"kind": "bidi_control", "text": "U+202C x1, U+202E x1"} in rows[-1]["removed"]


def test_hostile_records_with_tiny_models_are_ringkas_errors(hostile_jsonl, tiny_models):
    code, rows, err, _ = ringkas(
        [
            *("translate", str(hostile_jsonl), "--route", f"id-en={tiny_models.id_en}"),
            *("--backend", "torch", "--device", "cpu", "--max-record-bytes", str(2**20), "-q"),
        ],
        timeout=300,
        limit_memory=False,  # torch maps more address space than it uses
    )
    assert code == 1, err
    check_records(rows, [(str(n), error) for n, (_, error) in enumerate(HOSTILE_LINES, 1)])


def test_resume_after_hostile_records_neither_crashes_nor_repeats(hostile_jsonl, tmp_path):
    out = tmp_path / "out.jsonl"
    args = ["clean", str(hostile_jsonl), "-o", str(out), "--max-record-bytes", str(2**20)]
    assert ringkas(args)[0] == 1
    first = out.read_bytes()
    code, _, err, _ = ringkas([*args, "--resume"])
    assert code == 1, err
    assert out.read_bytes() == first
    code, _, err, _ = ringkas([*args, "--resume", "--retry-failed"])
    assert code == 1, err
    ids = sorted(json.loads(line)["id"] for line in out.read_text("utf-8").splitlines())
    assert ids == sorted(str(n) for n in range(1, len(HOSTILE_LINES) + 1))


# -- a huge line inside a small .gz -----------------------------------------------------------


def write_huge_line_gz(path: Path, size: int) -> None:
    """``good``, then one record of ``size`` bytes of 'a' (streamed, never in memory), then
    ``good``: the .gz stays small (about size / 1000)."""
    chunk = b"a" * 2**22
    with gzip.open(path, "wb", compresslevel=1) as handle:
        handle.write(jsonl({"id": "first", "text": GOOD, "lang": "id"}))
        handle.write(b'{"id": "huge", "text": "')
        for _ in range(size // len(chunk)):
            handle.write(chunk)
        handle.write(b'"}\n')
        handle.write(jsonl({"id": "last", "text": GOOD, "lang": "id"}))


def run_huge(path: Path, *extra: str) -> None:
    for command in (["detect"], ["detect", "--dry-run"], ["clean"]):
        code, rows, err, peak = ringkas([*command, str(path), *extra], timeout=600)
        assert code == 1, err
        # The line is never parsed, so its id is its line number.
        expected = [("2", "LimitExceededError")]
        if "--dry-run" not in command:
            expected = [("first", None), *expected, ("last", None)]
        check_records(rows, expected)
        message = next(row for row in rows if row["id"] == "2")["error"]["message"]
        assert "--max-record-bytes" in message
        assert 0 < peak < PEAK_MB


def test_a_long_line_in_a_small_gz_is_skipped_without_being_held(tmp_path):
    path = tmp_path / "huge.jsonl.gz"
    write_huge_line_gz(path, 64 * 2**20)
    run_huge(path, "--max-record-bytes", str(2**20))


@pytest.mark.slow
def test_a_2_gib_line_in_a_2_mb_gz_is_skipped_with_the_default_limit(tmp_path):
    path = tmp_path / "huge.jsonl.gz"
    write_huge_line_gz(path, 2 * 2**30)
    assert path.stat().st_size < 20 * 2**20
    run_huge(path)


# -- CSV, encodings ---------------------------------------------------------------------------


def test_an_unterminated_csv_quote_is_an_error_naming_its_line_not_merged_rows(tmp_path):
    rows = "".join(f"r{i},Baris {i} tentang harga beras.\n" for i in range(1000))
    path = tmp_path / "bad.csv"
    path.write_text(f'id,text\nr-good,{GOOD}\nr-bad,"dibuka tapi tidak ditutup\n{rows}', "utf-8")
    code, out, err, _ = ringkas(["clean", str(path)])
    assert code == 1, err
    assert [row["id"] for row in out] == ["r-good", "2"]
    assert out[1]["error"]["type"] == "InputError"
    assert "line 3" in out[1]["error"]["message"]
    assert "never closed" in out[1]["error"]["message"]


def test_a_50_mb_csv_field_is_a_limit_error_in_bounded_memory(tmp_path):
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8") as handle:
        handle.write(f'id,text\nr1,{GOOD}\nr2,"')
        for _ in range(50):
            handle.write("kata " * 200_000 + "\n")  # 1 MB lines inside one quoted field
        handle.write(f'"\nr3,{GOOD}\n')
    code, rows, err, peak = ringkas(["clean", str(path), "--max-record-bytes", str(4 * 2**20)])
    # The rows after a cut-off quoted field cannot be found again: the run stops, loudly,
    # instead of turning pieces of the field into rows.
    assert code == 3, err
    assert "cannot read past line" in err
    assert [row["id"] for row in rows] == ["r1", "2"]
    assert rows[0]["text"] == GOOD
    assert rows[1]["error"]["type"] == "LimitExceededError"
    assert "--max-record-bytes" in rows[1]["error"]["message"]
    assert 0 < peak < PEAK_MB


def test_utf16_without_a_bom_is_detected_not_misread(tmp_path):
    path = tmp_path / "wide.txt"
    path.write_bytes((GOOD + "\n" + GOOD + "\n").encode("utf-16-le"))
    code, rows, err, _ = ringkas(["detect", str(path)])
    assert code == 0, err
    assert [row["lang"] for row in rows] == ["id", "id"]
    assert "UTF-16" in err.upper()


def test_a_5_mb_text_without_punctuation_is_not_its_own_summary(tmp_path):
    path = tmp_path / "flat.jsonl"
    path.write_bytes(jsonl({"id": "flat", "text": "harga beras naik " * 300_000, "lang": "id"}))
    for method in ("lead", "textrank"):
        code, rows, err, peak = ringkas(["summarize", str(path), "--summary-method", method])
        assert code == 0, err
        assert 0 < len(rows[0]["summary"]) <= 3 * 1001
        assert peak < PEAK_MB


# -- folders ----------------------------------------------------------------------------------


@pytest.fixture
def odd_folder(tmp_path: Path) -> Path:
    folder = tmp_path / "berita"
    folder.mkdir()
    (folder / "a-good.txt").write_text(GOOD, "utf-8")
    secret = tmp_path / "secret.txt"
    secret.write_text("Rahasia di luar folder masukan: kata sandi bank.", "utf-8")
    (folder / "b-outside.txt").symlink_to(secret)
    (folder / "c-broken.txt").symlink_to(tmp_path / "missing.txt")
    os.mkfifo(folder / "d-fifo.txt")
    (folder / "e-dir.txt").mkdir()
    (folder / "f-inside.txt").symlink_to(folder / "a-good.txt")
    (folder / "g-devnull.txt").symlink_to("/dev/null")
    (folder / "notes.md").write_text("not read", "utf-8")
    return folder


def test_a_folder_never_reads_outside_itself_nor_hangs(odd_folder):
    code, rows, err, _ = ringkas(["clean", str(odd_folder)], timeout=60)
    assert code == 1, err
    expected = {
        "a-good.txt": None,
        "b-outside.txt": "out of the input folder",
        "c-broken.txt": "broken symbolic link",
        "d-fifo.txt": "FIFO",
        "e-dir.txt": "is a folder",
        "f-inside.txt": None,
        "g-devnull.txt": "out of the input folder",
    }
    assert [row["id"] for row in rows] == list(expected)
    for row in rows:
        why = expected[row["id"]]
        if why is None:
            assert row["text"] == GOOD
        else:
            assert row["error"]["type"] == "InputError"
            assert why in row["error"]["message"]
            assert row["id"] in err  # warned on stderr too
    assert "Rahasia" not in json.dumps(rows)


def test_follow_symlinks_reads_links_out_of_the_folder(odd_folder):
    code, rows, err, _ = ringkas(["clean", str(odd_folder), "--follow-symlinks"], timeout=60)
    assert code == 1, err
    by_id = {row["id"]: row for row in rows}
    assert by_id["b-outside.txt"]["text"].startswith("Rahasia")
    assert "FIFO" in by_id["d-fifo.txt"]["error"]["message"]
    assert "regular file" in by_id["g-devnull.txt"]["error"]["message"]


# -- map-reduce bounds ------------------------------------------------------------------------


def _long_article(count, window: int, times: int) -> str:
    article = LONG_ARTICLE
    while count(article) < times * window:
        article += "\n\n" + LONG_ARTICLE
    return article


def _spied(summarizer: Summarizer) -> tuple[int, list[list[int]], object]:
    engine = summarizer.engine()
    calls: list[list[int]] = []
    generate = engine.generate

    def spy(inputs, *args, **kwargs):
        calls.append([len(ids) for ids in inputs])
        return generate(inputs, *args, **kwargs)

    return engine.spec.max_input_tokens, calls, spy


def test_an_article_50_times_the_window_finishes_in_bounded_rounds_and_tokens(
    tiny_models, monkeypatch
):
    summarizer = Summarizer(str(tiny_models.summarizer), engine=TORCH_FP32, max_new_tokens=20)
    window, calls, spy = _spied(summarizer)
    monkeypatch.setattr(summarizer.engine(), "generate", spy)

    def count(text: str) -> int:
        return summarizer.engine().count_tokens(text, source_lang="id")

    article = _long_article(count, window, 50)
    tokens = count(article)
    [result] = summarizer.summarize([article], lang="id")
    assert result.text
    assert 2 <= result.n_rounds <= summarizer.max_rounds
    assert result.input_tokens == tokens >= 50 * window
    assert max(max(call) for call in calls) <= window  # never an input over the window
    # Each round at least halves the text: every round's input is at most the article's.
    assert sum(sum(call) for call in calls) <= 2 * tokens


def test_map_reduce_bounds_are_record_errors_not_unbounded_inputs(tiny_models, monkeypatch):
    options = {"engine": TORCH_FP32}
    summarizer = Summarizer(str(tiny_models.summarizer), **options, max_article_tokens=100)
    with pytest.raises(LimitExceededError, match=r"max_article_tokens.*--max-article-tokens"):
        summarizer.summarize([LONG_ARTICLE * 3], lang="id")
    # Still longer than the window after the last round allowed: refused, never one huge input.
    summarizer = Summarizer(str(tiny_models.summarizer), **options, max_rounds=1)
    window, calls, spy = _spied(summarizer)
    monkeypatch.setattr(summarizer.engine(), "generate", spy)
    with pytest.raises(LimitExceededError, match=r"after 1 map-reduce rounds.*--max-rounds"):
        summarizer.summarize(["\n\n".join([LONG_ARTICLE] * 10)], lang="id")
    assert max(max(call) for call in calls) <= window


# -- threads ----------------------------------------------------------------------------------

THREADS = """
import sys, threading
from ringkas import EngineOptions, Ringkas, translate
models = dict(arg.split("=", 1) for arg in sys.argv[1:])
barrier = threading.Barrier(2)
errors = []
def run(job):
    try:
        barrier.wait()
        job()
    except BaseException as exc:
        errors.append(f"{type(exc).__name__}: {exc}")
def summarise():
    r = Ringkas(steps=("summarize",), summary_model=models["sum"],
                engine=EngineOptions(backend="torch", device="cpu"), on_error="raise")
    r.process([{"id": "a", "text": "Harga beras naik.", "lang": "id"}])
def translate_one():
    translate(["Harga beras naik."], source_lang="id", target_lang="en", model=models["mt"],
              engine=EngineOptions(backend="torch", device="cpu"))
threads = [threading.Thread(target=run, args=(job,)) for job in (summarise, translate_one)]
for t in threads: t.start()
for t in threads: t.join()
print("\\n".join(errors) or "ok")
"""


def test_first_model_loads_from_two_threads_at_once_in_a_fresh_process(tiny_models):
    env = {**os.environ, "PYTHONPATH": str(SRC), "HF_HUB_OFFLINE": "1"}
    args = [f"sum={tiny_models.summarizer}", f"mt={tiny_models.id_en}"]
    done = subprocess.run(
        [sys.executable, "-c", THREADS, *args], capture_output=True, timeout=300, env=env
    )
    assert done.stdout.decode().strip() == "ok", done.stdout.decode() + done.stderr.decode()
