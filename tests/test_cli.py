"""The batch CLI in-process (``main([...])``) on the tiny trained models: exact outputs.

Signals, real pipes and a clean interpreter need subprocesses: see ``test_cli_process.py``.
"""

from __future__ import annotations

import gzip
import io
import json
import sys
from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from ringkas.cli import main
from ringkas.testing import ID_EN_PAIRS, SUMMARY_PAIRS

TR = dict(ID_EN_PAIRS)
SOURCES = [src for src, _ in ID_EN_PAIRS]

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def run(capsys, monkeypatch) -> Run:
    """``run(args, stdin=b"...")`` -> (exit code, stdout, stderr)."""

    def call(args: Sequence[str], stdin: bytes | None = None) -> tuple[int, str, str]:
        if stdin is not None:
            monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(stdin)))
        code = main(list(args))
        out, err = capsys.readouterr()
        return code, out, err

    return call


@pytest.fixture
def engine_args(tiny_models) -> list[str]:
    return [
        "--route",
        f"id-en={tiny_models.id_en}",
        "--route",
        f"en-id={tiny_models.en_id}",
        "--device",
        "cpu",
        "-q",
    ]


def english(text: str) -> str:
    return " ".join(TR[s] for s in split_known(text))


def split_known(text: str) -> list[str]:
    known = sorted(SOURCES, key=len, reverse=True)
    out, rest = [], text
    while rest:
        match = next(s for s in known if rest.startswith(s))
        out.append(match)
        rest = rest[len(match) :].lstrip()
    return out


ARTICLES = [
    ("n1", SOURCES[1]),
    ("n2", f"{SOURCES[6]} {SOURCES[5]}"),
    ("n3", SOURCES[3]),
]


def as_jsonl() -> bytes:
    return "".join(
        json.dumps({"id": i, "text": t}, ensure_ascii=False) + "\n" for i, t in ARTICLES
    ).encode()


def as_csv() -> bytes:
    return ("id,text\n" + "".join(f'{i},"{t}"\n' for i, t in ARTICLES)).encode()


def as_txt() -> bytes:
    return "".join(t + "\n" for _, t in ARTICLES).encode()


FORMATS = {"jsonl": as_jsonl, "csv": as_csv, "txt": as_txt}


def expected_translations(fmt: str, route: str) -> list[dict]:
    ids = [i for i, _ in ARTICLES] if fmt != "txt" else ["1", "2", "3"]
    return [
        {"id": i, "lang": "id", "translation": english(t), "route": [route], "truncated": False}
        for i, (_, t) in zip(ids, ARTICLES, strict=True)
    ]


def parse_jsonl(text: str) -> list[dict]:
    return [json.loads(line) for line in text.splitlines()]


# -- the input x output matrix ----------------------------------------------------------------


@pytest.mark.parametrize("fmt", ["jsonl", "csv", "txt"])
@pytest.mark.parametrize("how", ["path", "output-file", "stdin"])
def test_translate_every_input_kind_to_exact_output(
    run, tmp_path, tiny_models, engine_args, fmt, how
):
    data = FORMATS[fmt]()
    source = tmp_path / f"in.{fmt}"
    source.write_bytes(data)
    out_file = tmp_path / "out.jsonl"
    args = ["translate", "--source-lang", "id", *engine_args]
    if how == "stdin":
        code, out, err = run([*args, "-", "--input-format", fmt], stdin=data)
    elif how == "path":
        code, out, err = run([*args, str(source)])
    else:
        code, out, err = run([*args, str(source), "-o", str(out_file)])
        assert out == ""
        out = out_file.read_text(encoding="utf-8")
    assert (code, err) == (0, "")
    route = f"translate:{tiny_models.id_en}[id->en]"
    assert parse_jsonl(out) == expected_translations(fmt, route)


def test_stdin_text_is_sniffed_and_text_output_has_one_line_per_article(run, engine_args):
    lines = [SOURCES[0], SOURCES[2], f"{SOURCES[4]} {SOURCES[7]}"]
    data = "".join(line + "\n" for line in lines).encode()
    code, out, err = run(
        ["translate", "--source-lang", "id", "--output-format", "text", *engine_args],
        stdin=data,
    )
    assert (code, err) == (0, "")
    assert out.splitlines() == [english(line) for line in lines]


def test_csv_output_and_titles(run, tmp_path, engine_args):
    source = tmp_path / "in.jsonl"
    record = {"id": "t", "text": SOURCES[0], "title": SOURCES[1], "lang": "id"}
    source.write_text(json.dumps(record) + "\n", encoding="utf-8")
    out = tmp_path / "out.csv"
    code, _, err = run(["translate", str(source), "-o", str(out), *engine_args])
    assert (code, err) == (0, "")
    assert out.read_text(encoding="utf-8").splitlines() == [
        "id,lang,translation,title_translation,error",
        f"t,id,{TR[SOURCES[0]]},{TR[SOURCES[1]]},",
    ]


def test_title_and_lang_fields_of_another_schema(run, tmp_path, engine_args):
    source = tmp_path / "berita.csv.gz"
    rows = f"kode,isi,judul,bahasa\nt,{SOURCES[0]},{SOURCES[1]},id\n"
    source.write_bytes(gzip.compress(rows.encode()))
    args = ["translate", str(source), "--id-field", "kode", "--text-field", "isi"]
    code, out, err = run([*args, "--title-field", "judul", "--lang-field", "bahasa", *engine_args])
    assert (code, err) == (0, "")
    [row] = parse_jsonl(out)
    assert (row["id"], row["lang"]) == ("t", "id")
    assert (row["translation"], row["title_translation"]) == (TR[SOURCES[0]], TR[SOURCES[1]])


def test_a_truncated_gzip_input_writes_what_it_could_read_then_resumes(run, tmp_path):
    text = "Harga beras naik minggu ini karena pasokan berkurang."
    data = "".join(json.dumps({"id": f"r{i}", "text": text}) + "\n" for i in range(1000))
    whole = gzip.compress(data.encode())
    source = tmp_path / "in.jsonl.gz"
    source.write_bytes(whole[: len(whole) // 2])
    out = tmp_path / "out.jsonl"
    code, stdout, err = run(["detect", str(source), "-o", str(out), "--window", "7"])
    assert (code, stdout) == (3, "")  # the run could not finish: not "some records failed"
    assert "after line" in err.splitlines()[-1]
    assert "--resume" in err.splitlines()[-1]
    first = [row["id"] for row in parse_jsonl(out.read_text(encoding="utf-8"))]
    # Every record read before the break was written, including the last, partial window.
    assert 0 < len(first) < 1000
    assert first == [f"r{i}" for i in range(len(first))]
    source.write_bytes(whole)  # re-downloaded
    assert run(["detect", str(source), "-o", str(out), "--resume", "-q"])[:2] == (0, "")
    rows = parse_jsonl(out.read_text(encoding="utf-8"))
    assert [row["id"] for row in rows] == [f"r{i}" for i in range(1000)]
    assert {row["lang"] for row in rows} == {"id"}


@pytest.mark.exact  # the default engine (backend="auto") behind the CLI
def test_summarize_and_process_exact_outputs(run, tmp_path, tiny_models, engine_args):
    article, summary = SUMMARY_PAIRS[0]
    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": "s", "text": article, "lang": "id"}) + "\n", "utf-8")
    summarizer = ["--summary-model", str(tiny_models.summarizer)]
    code, out, err = run(["summarize", str(source), *summarizer, *engine_args])
    assert (code, err) == (0, "")
    assert parse_jsonl(out) == [
        {
            "id": "s",
            "lang": "id",
            "summary": summary,
            "summary_lang": "id",
            "route": [f"summarize:{tiny_models.summarizer}[id->id]"],
            "n_chunks": 1,
            "truncated": False,
        }
    ]
    code, out, err = run(["process", str(source), *summarizer, *engine_args])
    assert (code, err) == (0, "")
    [row] = parse_jsonl(out)
    assert next(iter(row)) == "id"
    assert (row["summary"], row["translation"]) == (summary, english(article))
    assert row["steps"] == ["clean", "summarize", "translate"]
    assert "error" not in row


def test_summary_text_output_and_extractive_method_need_no_model(run, tmp_path):
    article, _ = SUMMARY_PAIRS[2]
    source = tmp_path / "in.txt"
    source.write_text(article + "\n", encoding="utf-8")
    code, out, err = run(
        [
            *("summarize", str(source), "--summary-method", "lead", "--source-lang", "id"),
            *("--output-format", "text", "-q"),
        ]
    )
    assert (code, err) == (0, "")
    assert out == article + "\n"  # lead-3 of a three-sentence article is the article


def test_clean_command(run):
    raw = "JAKARTA, KOMPAS.com - Harga beras naik minggu ini.\n\nBaca juga: Harga cabai naik\n"
    data = json.dumps({"id": "c", "text": raw}).encode() + b"\n"
    code, out, err = run(["clean", "-", "-q"], stdin=data)
    assert (code, err) == (0, "")
    [row] = parse_jsonl(out)
    assert row["id"] == "c"
    assert row["text"] == "Harga beras naik minggu ini."
    assert "KOMPAS" in row["dateline"]
    assert {"kind": "read_also", "text": "Baca juga: Harga cabai naik"} in row["removed"]


# -- bad input --------------------------------------------------------------------------------


def test_bad_input_gives_exact_record_errors_and_exact_good_outputs(run, tmp_path, engine_args):
    lines = [
        json.dumps({"id": "ok1", "text": SOURCES[0]}),
        '{"id": "broken", "text": "Harga',
        "\ufeff" + json.dumps({"id": "bom", "text": SOURCES[1]}),
        json.dumps({"id": "notext", "body": SOURCES[2]}),
        json.dumps({"id": "number", "text": 12}),
        json.dumps({"id": "empty", "text": "  "}),
        json.dumps({"id": "digits", "text": "12345"}),
        json.dumps({"id": "ok1", "text": SOURCES[3]}),
        json.dumps({"id": "ok2", "text": f"{SOURCES[4]} {SOURCES[5]}"}),
    ]
    source = tmp_path / "bad.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    code, out, err = run(["translate", str(source), *engine_args])
    assert code == 1
    assert err == ""
    rows = parse_jsonl(out)
    assert [r["id"] for r in rows] == [
        "ok1", "2", "3", "notext", "number", "empty", "digits", "ok1", "ok2",
    ]  # fmt: skip
    errors = [(r["error"]["type"], r["error"]["line"]) for r in rows if "error" in r]
    assert errors == [
        ("InputError", 2),
        ("InputError", 3),
        ("InputError", 4),
        ("InputError", 5),
        ("InputError", 6),
        ("InputError", 7),
        ("DuplicateIdError", 8),
    ]
    messages = [r["error"]["message"] for r in rows if "error" in r]
    assert messages[0].startswith("malformed JSON")
    assert "byte-order mark" in messages[1]
    assert "no 'text' field" in messages[2]
    assert "must be a string" in messages[3]
    assert "is empty" in messages[4]
    assert "no detectable language" in messages[5]
    assert "already used" in messages[6]
    assert rows[0]["translation"] == TR[SOURCES[0]]
    assert rows[8]["translation"] == english(f"{SOURCES[4]} {SOURCES[5]}")


def test_text_output_keeps_one_line_per_record_and_warns_about_errors(run, engine_args):
    data = f'{{"text": "{SOURCES[0]}"}}\nnot json\n{{"text": "{SOURCES[2]}"}}\n'.encode()
    code, out, err = run(
        ["translate", "-", "--source-lang", "id", "--output-format", "text", *engine_args],
        stdin=data,
    )
    assert code == 1
    assert out.splitlines() == [TR[SOURCES[0]], "", TR[SOURCES[2]]]
    assert err.splitlines() == [
        "ringkas: warning: line 2, id '2': InputError: malformed JSON: Expecting value (column 1)"
    ]


# -- resume and existing outputs --------------------------------------------------------------


def many_records(n: int) -> str:
    return "".join(
        json.dumps({"id": f"r{i:03d}", "text": SOURCES[i % len(SOURCES)]}) + "\n" for i in range(n)
    )


def test_resume_after_a_hand_truncated_last_line_gives_each_id_once(run, tmp_path, engine_args):
    source = tmp_path / "in.jsonl"
    source.write_text(many_records(12), encoding="utf-8")
    full = tmp_path / "full.jsonl"
    args = ["translate", str(source), "--source-lang", "id", "--window", "5", *engine_args]
    assert run([*args, "-o", str(full)])[0] == 0
    complete = full.read_text(encoding="utf-8")
    lines = complete.splitlines(keepends=True)
    partial = tmp_path / "partial.jsonl"
    partial.write_text("".join(lines[:7]) + lines[7][:20], encoding="utf-8")
    code, out, err = run([*args, "-o", str(partial), "--resume"])
    assert (code, out, err) == (0, "", "")
    assert partial.read_text(encoding="utf-8") == complete
    # Resuming a finished file changes nothing.
    assert run([*args, "-o", str(partial), "--resume"])[:2] == (0, "")
    assert partial.read_text(encoding="utf-8") == complete


def test_resume_keeps_duplicate_id_errors_and_reports_earlier_failures(run, tmp_path, engine_args):
    source = tmp_path / "in.jsonl"
    records = [
        {"id": "a", "text": SOURCES[0]},
        {"id": "b", "text": ""},
        {"id": "a", "text": SOURCES[1]},
        {"id": "c", "text": SOURCES[2]},
    ]
    source.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    args = ["translate", str(source), "--source-lang", "id", "--window", "1", *engine_args]
    full = tmp_path / "full.jsonl"
    assert run([*args, "-o", str(full)])[0] == 1
    complete = full.read_text(encoding="utf-8").splitlines(keepends=True)
    assert len(complete) == 4
    out = tmp_path / "out.jsonl"
    out.write_text("".join(complete[:3]), encoding="utf-8")  # stopped before "c"
    assert run([*args, "-o", str(out), "--resume"])[0] == 1  # "b" failed in the first run
    assert out.read_text(encoding="utf-8").splitlines(keepends=True) == complete


def test_retry_failed_reprocesses_only_the_errors_and_keeps_each_id_once(
    run, tmp_path, engine_args
):
    source = tmp_path / "in.jsonl"
    records = [
        {"id": "a", "text": SOURCES[0]},
        {"id": "b", "text": "12345 67890"},  # no language: fails until a language is given
        {"id": "c", "text": SOURCES[2]},
    ]
    source.write_text("".join(json.dumps(r) + "\n" for r in records), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    loud = [a for a in engine_args if a != "-q"]  # the summary and log lines are checked
    args = ["translate", str(source), "-o", str(out), "--window", "1", *loud]
    assert run(args)[0] == 1
    first = parse_jsonl(out.read_text(encoding="utf-8"))
    assert [(r["id"], r.get("error", {}).get("type")) for r in first] == [
        ("a", None),
        ("b", "InputError"),
        ("c", None),
    ]
    code, _, err = run([*args, "--resume", "--source-lang", "id"])  # plain resume: no retry
    assert code == 1
    assert "3 already in" in err
    assert parse_jsonl(out.read_text(encoding="utf-8")) == first

    code, _, err = run([*args, "--resume", "--retry-failed", "--source-lang", "id"])
    assert code == 0, err
    assert "removed 1 error lines" in err
    rows = parse_jsonl(out.read_text(encoding="utf-8"))
    assert [r["id"] for r in rows] == ["a", "c", "b"]  # retried records are appended
    assert rows[:2] == [first[0], first[2]]
    fresh = tmp_path / "fresh.jsonl"
    fresh_args = ["translate", str(source), "-o", str(fresh), "--source-lang", "id", "-q"]
    assert run([*fresh_args, *engine_args])[0] == 0
    assert rows[2] == parse_jsonl(fresh.read_text(encoding="utf-8"))[1]
    assert "translation" in rows[2]
    assert run([*args, "--retry-failed"])[0] == 2  # needs --resume


def test_existing_output_is_never_clobbered_silently(run, tmp_path, engine_args):
    source = tmp_path / "in.txt"
    source.write_text(SOURCES[0] + "\n", encoding="utf-8")
    out = tmp_path / "out.jsonl"
    out.write_text("keep me\n", encoding="utf-8")
    args = ["translate", str(source), "--source-lang", "id", "-o", str(out), *engine_args]
    code, _, err = run(args)
    assert code == 2
    assert "already exists" in err
    assert out.read_text(encoding="utf-8") == "keep me\n"
    assert run([*args, "--overwrite"])[0] == 0
    assert json.loads(out.read_text(encoding="utf-8"))["translation"] == TR[SOURCES[0]]


# -- usage errors -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ([], "usage"),
        (["translate", "IN", "--bogus"], "unrecognized arguments: --bogus"),
        (["translate", "IN", "--window", "0"], "expected a positive integer"),
        (["translate", "IN", "--route", "iden"], "expected SRC-TGT=MODEL"),
        (["translate", "IN", "--backend", "onnx"], "invalid choice"),
        (["translate", "MISSING"], "cannot read"),
        (["translate", "IN", "--resume"], "--resume needs -o PATH"),
        (["translate", "IN", "-o", "OUT.csv", "--resume"], "JSONL output only"),
        (["translate", "IN", "-o", "OUT", "--resume", "--overwrite"], "contradict"),
        (["translate", "IN", "-o", "IN"], "is the input file"),
        (["process", "IN", "--steps", "clean,fly"], "--steps must be"),
        (["process", "IN", "--output-format", "text"], "writes several fields"),
        (["translate", "BADCSV"], "no 'text' column"),
        (["translate", "IN", "--translation-model", "opus-mt-id-eng"], "Did you mean"),
        (["translate", "IN", "--summary-model", "x"], "unrecognized arguments"),
        (["summarize", "IN", "--summary-model", "./no/such/folder"], "does not exist"),
        (["translate", "IN", "--route", "id-en=./no/such/folder"], "does not exist"),
        (["translate", "IN", "--device", "cuda:7", "--route", "id-en=TINY"], "CUDA"),
        (["models", "prefetch", "no-such-model"], "no registered model"),
    ],
)
def test_usage_errors_exit_2_with_one_line_and_no_traceback(
    run, tmp_path, tiny_models, args, message
):
    source = tmp_path / "in.jsonl"
    source.write_text('{"id": 1, "text": "Harga beras naik.", "lang": "id"}\n', "utf-8")
    (tmp_path / "bad.csv").write_text("id,body\n1,x\n", encoding="utf-8")
    names = {
        "IN": str(source),
        "MISSING": str(tmp_path / "missing.jsonl"),
        "OUT.csv": str(tmp_path / "out.csv"),
        "OUT": str(tmp_path / "out.jsonl"),
        "BADCSV": str(tmp_path / "bad.csv"),
        "id-en=TINY": f"id-en={tiny_models.id_en}",
    }
    code, out, err = run([names.get(a, a) for a in args])
    assert code == 2
    assert out == ""
    assert "Traceback" not in err
    if args:
        assert len(err.strip().splitlines()) == 1, err
    assert message in err


def test_bad_backend_from_the_environment_is_a_usage_error(run, monkeypatch):
    monkeypatch.setenv("RINGKAS_BACKEND", "onnx")
    code, _, err = run(["translate", "x.txt"])
    assert code == 2
    assert err.startswith("ringkas: error: RINGKAS_BACKEND='onnx' is not one of ")


# -- dry run ----------------------------------------------------------------------------------


def test_dry_run_reports_record_errors_and_counts_without_models(run, tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text(
        '{"id": "a", "text": "Satu.", "lang": "id"}\n{"id": "a", "text": "Dua."}\n{"text": 3}\n',
        encoding="utf-8",
    )
    code, out, err = run(
        [
            *("process", str(source), "--dry-run", "--summary-model", "/no/such/model"),
            *("--route", "id-en=/no/such/model"),
        ]
    )
    assert code == 1
    assert [(r["id"], r["error"]["type"], r["error"]["line"]) for r in parse_jsonl(out)] == [
        ("a", "DuplicateIdError", 2),
        ("3", "InputError", 3),
    ]
    assert err.splitlines()[-1] == (
        "ringkas: dry run of "
        f"{source} (jsonl): 3 records; 1 valid; 2 failed (DuplicateIdError: 1, InputError: 1); "
        "languages: id 1; no model was loaded"
    )


# -- models, help and optional subcommands ----------------------------------------------------


def test_models_list_shows_licence_and_commercial_use(run):
    code, out, _ = run(["models", "list"])
    assert code == 0
    lines = out.splitlines()
    assert lines[0].split() == ["NAME", "TASK", "LANGUAGES", "LICENCE", "COMMERCIAL", "SOURCE"]
    rows = {line.split()[0]: line.split() for line in lines[1:]}
    assert rows["opus-mt-id-en"] == [
        "opus-mt-id-en", "translation", "id", "->", "en", "apache-2.0", "yes",
        "Helsinki-NLP/opus-mt-id-en",
    ]  # fmt: skip
    assert rows["nllb-200-distilled-600m"][-2:] == ["no", "facebook/nllb-200-distilled-600M"]
    code, out, _ = run(["models", "list", "--task", "summarization", "--json"])
    assert {json.loads(line)["task"] for line in out.splitlines()} == {"summarization"}


def test_readme_model_table_and_models_list_agree_with_the_registry(run):
    """One source of truth: every language count in the README's table is the registry's."""
    import re

    from ringkas.models import get_model

    readme = (Path(__file__).resolve().parents[1] / "README.md").read_text("utf-8")
    rows = [line for line in readme.splitlines() if re.match(r"\| `[a-z0-9.-]+` ", line)]
    code, listing, _ = run(["models", "list"])
    assert code == 0
    checked = 0
    for row in rows:
        name = re.match(r"\| `([^`]+)`", row).group(1)  # type: ignore[union-attr]
        cells = [c.strip() for c in row.strip("|").split("|")]
        total = re.match(r"(\d+) languages", cells[2])
        if total is None:
            continue
        spec = get_model(name)
        assert int(total.group(1)) == spec.model_languages, row
        routed = re.search(r"\((\d+) routed", cells[2])
        assert routed is not None, row
        assert int(routed.group(1)) == len(spec.source_langs), row
        line = next(ln for ln in listing.splitlines() if ln.startswith(name + " "))
        assert f"{len(spec.source_langs)} of {spec.model_languages} langs" in line
        checked += 1
    assert checked == 3  # m2m100, nllb, mt5-xlsum


def test_models_prefetch_of_a_local_folder_needs_no_network(run, tiny_models):
    code, out, err = run(["models", "prefetch", str(tiny_models.id_en)])
    assert (code, err) == (0, "")
    assert out == f"{tiny_models.id_en}\t{tiny_models.id_en}\n"


@pytest.mark.parametrize(
    "command", ["detect", "clean", "translate", "summarize", "process", "models", "eval", "bench"]
)
def test_every_subcommand_help_shows_an_example(run, command):
    code, out, _ = run([command, "--help"])
    assert code == 0
    assert "example" in out
    assert f"ringkas {command}" in out.split("example", 1)[1]


def test_main_help_lists_every_command_with_examples(run):
    code, out, _ = run(["--help"])
    assert code == 0
    for command in ("detect", "clean", "translate", "summarize", "process", "models", "eval"):
        assert f"    {command}" in out
    assert "examples:" in out


def test_missing_optional_subcommand_does_not_break_the_cli(run, monkeypatch):
    monkeypatch.setitem(sys.modules, "ringkas.bench_cli", None)  # import fails
    monkeypatch.setitem(sys.modules, "ringkas.evaluate.cli", None)
    code, out, _ = run(["--help"])
    assert code == 0
    assert "bench" in out
    code, _, err = run(["bench", "--runs", "3"])
    assert code == 2
    assert err.startswith("ringkas: error: the 'bench' command is not available")
    code, _, err = run(["eval", "score"])
    assert code == 2
    assert len(err.splitlines()) == 1
    assert run(["models", "list"])[0] == 0


def test_resume_command_never_overwrites(tmp_path):
    from ringkas.cli_batch import _resume_command

    argv = ["translate", "in file.jsonl", "-o", "out.jsonl", "--overwrite"]
    assert _resume_command(argv) == "ringkas translate 'in file.jsonl' -o out.jsonl --resume"
    assert _resume_command([*argv[:-1], "--resume"]).count("--resume") == 1


def test_paths_are_expanded_relative_to_the_working_directory(run, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    Path("in.jsonl").write_text('{"id": "x", "text": "Harga naik."}\n', encoding="utf-8")
    code, out, _ = run(["clean", "in.jsonl", "-q", "--output-format", "text"])
    assert (code, out) == (0, "Harga naik.\n")


def test_detect_command_reports_und_as_an_answer(run):
    data = b'{"id": "a", "text": "Harga beras naik minggu ini karena pasokan berkurang."}\n'
    data += b'{"id": "b", "text": "12345"}\n'
    code, out, err = run(["detect", "-", "-q"], stdin=data)
    assert (code, err) == (0, "")
    rows = parse_jsonl(out)
    assert [(r["id"], r["lang"]) for r in rows] == [("a", "id"), ("b", "und")]
    assert set(rows[0]) == {"id", "lang", "confidence", "alternatives", "stage"}
    code, out, _ = run(["detect", "-", "-q", "--output-format", "text"], stdin=data)
    assert (code, out) == (0, "id\nund\n")


def test_languages_are_detected_when_records_do_not_say(run, engine_args):
    data = f"{SOURCES[0]}\n{SOURCES[2]}\n".encode()
    code, out, err = run(["translate", "-", "--output-format", "text", *engine_args], stdin=data)
    assert (code, err) == (0, "")
    assert out.splitlines() == [TR[SOURCES[0]], TR[SOURCES[2]]]


def test_folder_and_paragraph_inputs(run, tmp_path, engine_args):
    folder = tmp_path / "berita"
    folder.mkdir()
    (folder / "b.txt").write_text(f"{SOURCES[0]}\n\n{SOURCES[1]}\n", encoding="utf-8")
    (folder / "a.txt").write_text(SOURCES[2], encoding="utf-8")
    code, out, err = run(["translate", str(folder), "--source-lang", "id", *engine_args])
    assert (code, err) == (0, "")
    rows = parse_jsonl(out)
    assert [(r["id"], r["translation"]) for r in rows] == [
        ("a.txt", TR[SOURCES[2]]),
        ("b.txt", f"{TR[SOURCES[0]]}\n\n{TR[SOURCES[1]]}\n"),  # paragraph breaks kept
    ]
    code, out, _ = run(
        [
            *("translate", str(folder / "b.txt"), "--txt-mode", "paragraph", *engine_args),
            *("--source-lang", "id", "--output-format", "text"),
        ]
    )
    assert (code, out) == (0, f"{TR[SOURCES[0]]}\n{TR[SOURCES[1]]}\n")


def test_dry_run_with_resume_counts_what_would_be_skipped_and_changes_nothing(run, tmp_path):
    source = tmp_path / "in.jsonl"
    source.write_text(many_records(4), encoding="utf-8")
    out = tmp_path / "out.jsonl"
    partial = '{"id": "r000"}\n{"id": "r001", "error": {"type": "X"}}\n{"id": "r0'
    out.write_text(partial, encoding="utf-8")
    code, stdout, err = run(
        ["translate", str(source), "-o", str(out), "--resume", "--dry-run", "--source-lang", "id"]
    )
    assert (code, stdout) == (1, "")  # r001 failed in the earlier run
    assert "4 records; 2 valid; 0 failed; 2 already in" in err
    assert "would be skipped, 1 of them errors" in err
    assert out.read_text(encoding="utf-8") == partial


def test_signals_finish_the_window_being_processed_but_never_cut_a_write(capsys):
    import signal

    from ringkas.cli_batch import _Interrupted, _Stopper

    stopper = _Stopper()
    stopper.phase = "write"
    stopper._handle(signal.SIGTERM, None)  # only noted
    stopper._handle(signal.SIGINT, None)
    assert stopper.signum == signal.SIGTERM
    stopper = _Stopper()
    stopper.phase = "process"
    stopper._handle(signal.SIGINT, None)  # finish this window, then stop
    assert "stopping after the current window" in capsys.readouterr().err
    with pytest.raises(_Interrupted):
        stopper._handle(signal.SIGINT, None)  # a second signal abandons it
    stopper = _Stopper()
    with pytest.raises(_Interrupted):
        stopper._handle(signal.SIGTERM, None)  # reading or loading: stop at once


@pytest.mark.exact  # the default engine (backend="auto") behind the CLI
def test_process_fails_only_the_article_whose_model_is_missing(
    run, tmp_path, tiny_models, engine_args, monkeypatch
):
    """The Malay model (registry default) is not available offline: one window, three
    languages, and only the Malay record becomes an error line."""
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "empty-hf-home"))
    article_id, summary_id = SUMMARY_PAIRS[0]
    records = [
        {"id": "a", "text": article_id, "lang": "id"},
        {"id": "m", "text": "Harga beras naik minggu ini di Kuala Lumpur.", "lang": "ms"},
        {"id": "b", "text": SOURCES[0], "lang": "id"},
    ]
    source = tmp_path / "in.jsonl"
    source.write_text("".join(json.dumps(r) + "\n" for r in records), "utf-8")
    summarizer = ["--summary-model", str(tiny_models.summarizer)]
    code, out, _ = run(["process", str(source), *summarizer, *engine_args])
    rows = parse_jsonl(out)
    assert [r["id"] for r in rows] == ["a", "m", "b"]
    assert ["error" in r for r in rows] == [False, True, False]
    assert rows[0]["summary"] == summary_id
    assert rows[2]["translation"] == TR[SOURCES[0]]
    assert rows[1]["error"]["type"] in {"ModelLoadError", "UnknownModelError"}
    assert code != 0


# -- hardening: exit code 3, limit defaults, batch independence ------------------------------


def test_a_crash_of_the_run_itself_exits_3_not_1(run, tmp_path, monkeypatch):
    import ringkas.cli_batch

    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": "a", "text": "Harga beras naik."}) + "\n", "utf-8")

    def broken(self, window):
        raise RuntimeError("simulated bug")

    monkeypatch.setattr(ringkas.cli_batch._Run, "process", broken)
    code, _, err = run(["clean", str(source), "-q"])
    assert code == 3
    assert "RuntimeError: simulated bug" in err
    assert "Traceback" not in err


def test_exit_code_3_is_in_the_help(run):
    code, out, _ = run(["--help"])
    assert code == 0
    assert "3 the run itself failed" in " ".join(out.split())


def test_cli_limit_defaults_match_the_library():
    from ringkas import cli
    from ringkas.summarize import DEFAULT_MAX_ARTICLE_TOKENS, Summarizer

    assert cli._MAX_ARTICLE_TOKENS == DEFAULT_MAX_ARTICLE_TOKENS
    assert Summarizer(method="lead").max_rounds == cli._MAX_ROUNDS


def test_an_unforeseen_record_failure_is_an_unexpected_error_record(run, tmp_path, monkeypatch):
    import ringkas.text

    source = tmp_path / "in.jsonl"
    source.write_text(json.dumps({"id": "a", "text": "Harga beras naik."}) + "\n", "utf-8")

    def broken(text, **kwargs):
        raise TypeError("deep inside a library")

    monkeypatch.setattr(ringkas.text, "clean_text", broken)
    code, out, _ = run(["clean", str(source), "-q"])
    assert code == 1
    [row] = parse_jsonl(out)
    assert row["error"]["type"] == "UnexpectedError"
    assert row["error"]["message"] == "TypeError: deep inside a library"


@pytest.mark.exact  # the float32 reference
def test_fp32_summaries_do_not_depend_on_window_or_batch(run, tmp_path, tiny_models):
    articles = [article for article, _ in SUMMARY_PAIRS] * 2
    source = tmp_path / "in.jsonl"
    source.write_text(
        "".join(
            json.dumps({"id": str(i), "text": text, "lang": "id"}) + "\n"
            for i, text in enumerate(articles)
        ),
        "utf-8",
    )
    base = [
        *("summarize", str(source), "--summary-model", str(tiny_models.summarizer)),
        *("--backend", "torch", "--quantize", "none", "--device", "cpu", "-q"),
    ]
    outputs = set()
    for window, batch in (("1", "4096"), ("3", "200"), ("32", "4096")):
        code, out, err = run([*base, "--window", window, "--batch-tokens", batch])
        assert code == 0, err
        outputs.add(out)
    assert len(outputs) == 1
