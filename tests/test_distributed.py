"""The Ray path (``ringkas.distributed``) against the single-process pipeline, on a local Ray
started once for this module (2 CPUs), with the tiny trained models: equal outputs record for
record, an actor killed mid-run, a driver killed mid-run then ``--resume``."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from ringkas.config import EngineOptions

pytest.importorskip("ray.data", reason="the ray extra is not installed")

from ringkas.cli import main
from ringkas.testing import EN_ID_PAIRS, ID_EN_PAIRS

RINGKAS = [sys.executable, "-m", "ringkas"]

#: Javanese, given as such: routed to the tiny models below (its translations are nonsense but
#: deterministic, which is all an equality test needs).
JAVANESE = ["Pak Presiden ngresmekake dalan tol anyar.", "Rega beras mundhak minggu iki."]
BAD = [
    "12345 67890 !!! ???",  # no language
    "",  # empty
    "   \n  ",  # empty after stripping
]


def articles(n: int) -> list[dict[str, Any]]:
    """``n`` records in Indonesian and English (some with titles or a given lang) and bad ones."""
    rows: list[dict[str, Any]] = []
    ids = [src for src, _ in ID_EN_PAIRS]
    ens = [src for src, _ in EN_ID_PAIRS]
    for i in range(n):
        kind = i % 10
        row: dict[str, Any] = {"id": f"a{i:04d}"}
        if kind < 5:
            row["text"] = " ".join(ids[(i + k) % len(ids)] for k in range(1 + i % 3))
            if kind == 1:
                row["title"] = ids[i % len(ids)]
            if kind == 2:
                row["lang"] = "id"
        elif kind < 7:
            row["text"] = ens[i % len(ens)]
        elif kind == 7:
            row["text"] = JAVANESE[(i // 10) % len(JAVANESE)]
            row["lang"] = "jv"
        elif kind == 8:
            row["text"] = BAD[(i // 10) % len(BAD)]
        else:
            row["title"] = "no text at all"  # missing text field
        rows.append(row)
    return rows


def options(tiny_routes: dict[str, str]) -> dict[str, Any]:
    return {
        "steps": ("clean", "detect", "summarize", "translate"),
        "summary_method": "lead",
        "routes": {**tiny_routes, "jv-en": tiny_routes["id-en"], "jv-id": tiny_routes["en-id"]},
        "engine": EngineOptions(device="cpu", num_threads=1),
        "window": 8,
    }


def without_timings(record: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in record.items() if k != "timings"}


def single_process(rows: list[dict[str, Any]], opts: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """``Ringkas.process`` on one machine, each result as the CLI writes it, by id."""
    from ringkas import Ringkas
    from ringkas.io import error_record, result_record

    out = {}
    for r in Ringkas(**opts).process(rows):
        record = error_record(r.id, r.error, None) if r.error else result_record(r)
        out[r.id] = without_timings(record)
    return out


@pytest.fixture(scope="module")
def ray_cluster() -> Any:
    import ray

    if ray.is_initialized():
        ray.shutdown()
    # Ray starts workers at nice 15: on a machine shared with other test runs the actors would
    # crawl. The raylet reads this when it starts; the CLI subprocesses below join it.
    with pytest.MonkeyPatch.context() as env:
        env.setenv("RAY_worker_niceness", "0")
        ray.init(
            num_cpus=2,
            object_store_memory=300 * 2**20,
            include_dashboard=False,
            log_to_driver=False,
            configure_logging=False,
        )
    ray.data.DataContext.get_current().enable_progress_bars = False
    yield ray
    ray.shutdown()


def by_id(records: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    out: dict[str, dict[str, Any]] = {}
    for record in records:
        assert record["id"] not in out, f"id {record['id']} came out twice"
        out[record["id"]] = without_timings(record)
    return out


def test_ray_output_equals_single_process_record_for_record(ray_cluster, tiny_routes):
    from ringkas.distributed import iter_results, process_dataset

    rows = articles(200)
    rows.append({"text": "Harga beras naik minggu ini."})  # no id: an error on Ray
    opts = options(tiny_routes)
    expected = single_process(rows[:-1], opts)
    dataset = ray_cluster.data.from_items(rows)
    result = process_dataset(dataset, options=opts, concurrency=2, batch_size=16)
    records = list(iter_results(result))
    assert len(records) == len(rows)
    no_id = [r for r in records if r["id"] is None]
    assert len(no_id) == 1
    assert no_id[0]["error"]["type"] == "InputError"
    got = by_id([r for r in records if r["id"] is not None])
    assert got == expected
    # The mix exercised what it should: successes in two languages and each kind of bad record.
    langs = {r.get("lang") for r in got.values() if "error" not in r}
    assert {"id", "en", "jv"} <= langs
    messages = " ".join(r["error"]["message"] for r in got.values() if "error" in r)
    for why in ("is empty", "no detectable language", "has no 'text' field"):
        assert why in messages
    assert sum("error" in r for r in got.values()) == 40


@pytest.mark.slow
def test_field_mapping_and_source_lang(ray_cluster, tiny_routes):
    from ringkas.distributed import iter_results, process_dataset

    rows = [{"key": f"k{i}", "isi": src, "judul": src} for i, (src, _) in enumerate(ID_EN_PAIRS)]
    opts = {**options(tiny_routes), "steps": ("translate",)}
    result = process_dataset(
        ray_cluster.data.from_items(rows),
        options=opts,
        id_field="key",
        text_field="isi",
        title_field="judul",
        source_lang="id",
    )
    got = by_id(list(iter_results(result)))
    expected = single_process(
        [{"id": r["key"], "text": r["isi"], "title": r["judul"], "lang": "id"} for r in rows],
        opts,
    )
    assert got == expected
    assert all(r["title_translation"] for r in got.values())


def test_bad_options_fail_on_the_driver():
    from ringkas.distributed import process_dataset
    from ringkas.errors import ConfigError

    with pytest.raises(ConfigError, match="on_error"):
        process_dataset(None, options={"on_error": "skip"})  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match="summary_metod"):
        process_dataset(None, options={"summary_metod": "lead"})  # type: ignore[arg-type]


def _worker_pids() -> list[int]:
    import psutil

    pids = []
    for proc in psutil.process_iter(["cmdline"]):
        cmdline = " ".join(proc.info["cmdline"] or [])
        if cmdline.startswith("ray::") and "RingkasWorker" in cmdline:
            pids.append(proc.pid)
    return pids


@pytest.mark.slow  # ~40 s here; the default run keeps the equality and --resume tests
def test_an_actor_killed_mid_run_is_restarted_and_every_id_comes_out_once(ray_cluster, tiny_routes):
    from ringkas.distributed import process_dataset

    rows = articles(240)
    opts = options(tiny_routes)
    expected = single_process(rows, opts)
    result = process_dataset(
        ray_cluster.data.from_items(rows, override_num_blocks=24),
        options=opts,
        concurrency=2,
        batch_size=4,
    )
    killed: list[int] = []
    records: list[dict[str, Any]] = []
    for batch in result.iter_batches(batch_format="pyarrow", batch_size=None):
        records += [json.loads(line) for line in batch.column("result").to_pylist()]
        if not killed and len(records) < len(rows) // 2:
            pids = _worker_pids()
            if pids:
                os.kill(pids[0], signal.SIGKILL)  # a crash: no clean-up, no warning
                killed.append(pids[0])
    assert killed, "no actor was alive to kill"
    assert by_id(records) == expected


# --------------------------------------------------------------------------------------------
# The CLI: shards, manifest, --resume
# --------------------------------------------------------------------------------------------


def write_jsonl(path: Path, rows: list[dict[str, Any]]) -> None:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), "utf-8")


def cli_options(tiny_models) -> list[str]:
    return [
        "--route",
        f"id-en={tiny_models.id_en}",
        "--route",
        f"en-id={tiny_models.en_id}",
        "--route",
        f"jv-en={tiny_models.id_en}",
        "--route",
        f"jv-id={tiny_models.en_id}",
        "--summary-method",
        "lead",
        "--device",
        "cpu",
        "--threads",
        "1",
    ]


def shard_records(out: Path) -> list[dict[str, Any]]:
    manifest = json.loads((out / "manifest.json").read_text("utf-8"))
    records = []
    for shard in manifest["shards"]:
        assert shard["name"] in manifest["committed"]
        lines = (out / shard["name"]).read_text("utf-8").splitlines()
        assert len(lines) == shard["stop"] - shard["start"]
        records += [json.loads(line) for line in lines]
    return records


def single_machine_cli(tmp_path: Path, source: Path, opts: list[str], capsys) -> list[dict]:
    full = tmp_path / f"{source.name}.out.jsonl"
    main(["process", str(source), "-o", str(full), *opts, "-q", "--overwrite"])
    capsys.readouterr()
    return [json.loads(line) for line in full.read_text("utf-8").splitlines()]


def test_cli_writes_shards_equal_to_the_single_machine_cli(
    ray_cluster, tiny_models, tmp_path, capsys
):
    folder = tmp_path / "in"
    folder.mkdir()
    rows = articles(60)
    write_jsonl(folder / "a.jsonl", rows[:40])
    # CSV: same articles; an empty lang cell means none.
    csv_rows = ["id,text,title,lang"] + [
        f'{r["id"]},"{r.get("text", "")}",{r.get("title", "")},{r.get("lang", "")}'
        for r in rows[40:]
    ]
    (folder / "b.csv").write_text("\n".join(csv_rows) + "\n", "utf-8")
    (folder / "c.jsonl").write_text('{"text": "Harga beras naik minggu ini."}\nnot json\n', "utf-8")
    opts = cli_options(tiny_models)
    out = tmp_path / "out"
    code = main(["process", str(folder), "-o", str(out), "--ray", "--shard-size", "15", *opts])
    summary = capsys.readouterr().err
    assert code == 1  # some records failed
    got = [without_timings(r) for r in shard_records(out)]
    expected = []
    for name in ("a.jsonl", "b.csv", "c.jsonl"):
        expected += single_machine_cli(tmp_path, folder / name, opts, capsys)
    assert got == [without_timings(r) for r in expected]  # same records, in input order
    assert got[-2]["id"] == "1"  # no id: the line number, as on one machine
    assert got[-1]["error"]["line"] == 2
    failed = sum("error" in r for r in got)
    assert f"{len(got)} records; {len(got) - failed} ok; {failed} failed (" in summary

    # Done: a rerun with --resume skips everything; without it, the folder is refused.
    code = main(["process", str(folder), "-o", str(out), "--ray", "--shard-size", "15", *opts])
    assert code == 2
    assert "--resume" in capsys.readouterr().err
    args = ["process", str(folder), "-o", str(out), "--ray", "--shard-size", "15", *opts]
    assert main([*args, "--resume", "--window", "7"]) == 1  # speed options may change
    assert (
        f"{len(got)} already in {out} skipped, {failed} of them errors" in capsys.readouterr().err
    )
    # Other options than the first run's: refused, not mixed.
    assert main([*args, "--resume", "--shard-size", "10"]) == 2


@pytest.mark.slow
def test_parquet_in_and_out(ray_cluster, tiny_models, tmp_path, capsys):
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = articles(30)
    table = pa.Table.from_pylist(
        [{"id": r["id"], "text": r.get("text"), "title": r.get("title")} for r in rows]
    )
    pq.write_table(table, tmp_path / "in.parquet")
    source = tmp_path / "in.jsonl"
    write_jsonl(source, [{k: v for k, v in r.items() if k != "lang"} for r in rows])
    opts = cli_options(tiny_models)
    out = tmp_path / "out"
    args = ["process", str(tmp_path / "in.parquet"), "-o", str(out), "--ray", "-q"]
    assert main([*args, "--shard-format", "parquet", *opts]) == 1
    parts = sorted(out.glob("part-*.parquet"))
    assert len(parts) == 4  # at least four shards per worker: 30 records -> 8, 8, 8, 6
    written = [row for part in parts for row in pq.read_table(part).to_pylist()]
    got = [without_timings(json.loads(r["result"])) for r in written]
    expected = [without_timings(r) for r in single_machine_cli(tmp_path, source, opts, capsys)]
    for record in expected:  # Parquet has no line numbers
        if "error" in record:
            record["error"]["line"] = None
    assert got == expected
    assert [r["id"] for r in written] == [r["id"] for r in rows]
    assert [r["summary"] for r in written] == [r.get("summary") for r in got]


def test_driver_killed_after_some_shards_then_resume(ray_cluster, tiny_models, tmp_path, capsys):
    rows = articles(240)
    source = tmp_path / "in.jsonl"
    write_jsonl(source, rows)
    out = tmp_path / "out"
    opts = cli_options(tiny_models)
    args = ["process", str(source), "-o", str(out), "--ray", "--shard-size", "10", "--window", "4"]
    address = ray_cluster.get_runtime_context().gcs_address
    env = {k: v for k, v in os.environ.items() if not k.startswith("RINGKAS_")}
    proc = subprocess.Popen(
        [*RINGKAS, *args, *opts, "--ray-address", address, "-q"],
        env=env,
        stderr=subprocess.PIPE,
    )
    manifest = out / "manifest.json"
    committed = 0
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline and proc.poll() is None:
        try:
            committed = len(json.loads(manifest.read_text("utf-8"))["committed"])
        except (OSError, ValueError):  # not there yet; or replaced while read
            committed = 0
        if committed >= 3:
            break
        time.sleep(0.02)
    if proc.poll() is not None:
        pytest.fail(f"the run ended (exit {proc.returncode}) before it could be killed")
    proc.kill()
    proc.wait()
    state = json.loads(manifest.read_text("utf-8"))
    assert 3 <= len(state["committed"]) < len(state["shards"])

    expected = [without_timings(r) for r in single_machine_cli(tmp_path, source, opts, capsys)]
    # The rerun joins the same cluster (the one this test process holds).
    assert main([*args, *opts, "--resume"]) == 1
    summary = capsys.readouterr().err
    got = [without_timings(r) for r in shard_records(out)]
    assert got == expected
    assert len({r["id"] for r in got}) == len(rows)
    skipped = sum(state["committed"][name]["records"] for name in state["committed"])
    assert f"{skipped} already in {out} skipped" in summary


def test_a_model_that_cannot_load_fails_the_job_in_one_line(ray_cluster, tmp_path, capsys):
    source = tmp_path / "in.jsonl"
    write_jsonl(source, articles(4))
    args = ["process", str(source), "-o", str(tmp_path / "out"), "--ray", "-q"]
    assert main([*args, "--steps", "translate", "--route", "id-en=/nonexistent/model"]) == 1
    err = capsys.readouterr().err
    assert "the Ray job failed: ringkas.errors.UnknownModelError: model folder" in err
    assert "--resume" in err


def test_without_ray_the_cli_names_the_extra(tmp_path, capsys, monkeypatch):
    monkeypatch.setitem(sys.modules, "ray", None)  # import ray -> ImportError
    source = tmp_path / "in.jsonl"
    write_jsonl(source, [{"id": "1", "text": "x"}])
    code = main(["process", str(source), "-o", str(tmp_path / "out"), "--ray"])
    assert code == 2
    assert 'pip install "ringkas[ray]"' in capsys.readouterr().err
