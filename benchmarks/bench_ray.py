"""The Ray path against the single-process CLI, on one machine, in one run.

Times ``ringkas process`` end to end, as a user runs it, on the same articles: the single-process
CLI (1 and 2 threads) and ``--ray`` with 1 and 2 actors (1 CPU each) on a local Ray started here
once (as a cluster would be: its start-up is not timed). Each run is a fresh process, so model
loading and imports count for every path. The model is opus-mt-id-en's architecture with random
weights (``benchmarks.models``; nothing is downloaded); every article is translated with greedy
decoding and at most ``--new-tokens`` tokens per sentence. Peak memory is sampled per process:
the CLI's, and each Ray actor's. Paths run in rotating order, ``--repeats`` times; medians.

    python benchmarks/bench_ray.py --out /tmp/ray-bench          # ~6 min on 2 cores
    python benchmarks/bench_ray.py --tiny --out /tmp/ray-smoke   # tiny models: wiring only

Writes ``bench-ray.json`` and ``bench-ray.md`` into ``--out``.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file: make the repository root importable
    sys.path[0] = str(Path(__file__).resolve().parents[1])

from benchmarks.models import bench_model, load_sentences
from ringkas.bench import _machine, _versions


class RssSampler(threading.Thread):
    """Peak resident memory of a process tree's members, by a name in their command line."""

    def __init__(self, root: int, *, match: str | None = None, interval: float = 0.1) -> None:
        super().__init__(daemon=True)
        self.root, self.match, self.interval = root, match, interval
        self.peaks: dict[int, int] = {}
        self._halt = threading.Event()

    def run(self) -> None:
        import psutil

        while not self._halt.is_set():
            for proc in self._targets(psutil):
                try:
                    rss = proc.memory_info().rss
                except psutil.Error:
                    continue
                self.peaks[proc.pid] = max(self.peaks.get(proc.pid, 0), rss)
            self._halt.wait(self.interval)

    def _targets(self, psutil: Any) -> list[Any]:
        if self.match is None:
            try:
                return [psutil.Process(self.root)]
            except psutil.Error:
                return []
        found = []
        for proc in psutil.process_iter(["cmdline"]):
            if self.match in " ".join(proc.info["cmdline"] or []):
                found.append(proc)
        return found

    def stop(self) -> dict[int, int]:
        self._halt.set()
        self.join()
        return self.peaks


def _write_input(path: Path, articles: int, per_article: int) -> None:
    sentences, _ = load_sentences(articles * per_article)
    with path.open("w", encoding="utf-8") as f:
        for i in range(articles):
            text = " ".join(sentences[i * per_article : (i + 1) * per_article])
            f.write(json.dumps({"id": f"b{i:04d}", "text": text, "lang": "id"}) + "\n")


def _command(source: Path, out: Path, model: Path, new_tokens: int) -> list[str]:
    return [
        sys.executable,
        "-m",
        "ringkas",
        "process",
        str(source),
        "-o",
        str(out),
        "--steps",
        "translate",
        "--translation-model",
        str(model),
        "--beams",
        "1",
        "--max-new-tokens",
        str(new_tokens),
        "--device",
        "cpu",
        "--quantize",
        "none",
        "-q",
        "--overwrite",
    ]


def _run_path(name: str, command: list[str], articles: int, env: dict[str, str]) -> dict[str, Any]:
    """One timed run of a path; its articles/s and its processes' peak memory."""
    began = time.perf_counter()
    proc = subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    cli = RssSampler(proc.pid)
    actors = RssSampler(proc.pid, match="RingkasWorker") if "--ray" in command else None
    cli.start()
    if actors is not None:
        actors.start()
    _, err = proc.communicate()
    seconds = time.perf_counter() - began
    cli_peak = cli.stop()
    actor_peaks = actors.stop() if actors is not None else {}
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{name} failed ({proc.returncode}): {err.decode()[-2000:]}")
    return {
        "seconds": round(seconds, 2),
        "articles_per_s": round(articles / seconds, 3),
        "driver_peak_mb": round(max(cli_peak.values(), default=0) / 2**20, 1),
        "actor_peak_mb": [round(v / 2**20, 1) for v in sorted(actor_peaks.values())],
    }


def run(argv: Sequence[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="folder for the results")
    parser.add_argument("--tiny", action="store_true", help="tiny model: a smoke run")
    parser.add_argument("--articles", type=int, default=None, help="default 64 (tiny: 8)")
    parser.add_argument("--per-article", type=int, default=4, help="sentences per article")
    parser.add_argument("--new-tokens", type=int, default=None, help="default 24 (tiny: 4)")
    parser.add_argument("--repeats", type=int, default=None, help="default 2 (tiny: 1)")
    parser.add_argument(
        "--paths",
        default="cli-1-thread,cli-2-threads,ray-1-actor,ray-2-actors",
        help="comma-separated subset of the paths (default: all four)",
    )
    args = parser.parse_args(argv)
    articles = args.articles or (8 if args.tiny else 64)
    new_tokens = args.new_tokens or (4 if args.tiny else 24)
    repeats = args.repeats or (1 if args.tiny else 2)
    say = lambda msg: print(f"bench_ray: {msg}", file=sys.stderr, flush=True)  # noqa: E731

    import ray

    model = bench_model("marian", "tiny" if args.tiny else "real")
    work = Path(tempfile.mkdtemp(prefix="ringkas-bench-ray-"))
    source = work / "in.jsonl"
    _write_input(source, articles, args.per_article)
    # Ray starts its workers at nice 15; on a machine shared with other work that alone would
    # slow the actors against the CLI (nice 0). Same priority for both, as on a dedicated node.
    os.environ.setdefault("RAY_worker_niceness", "0")
    ray.init(num_cpus=2, include_dashboard=False, log_to_driver=False, configure_logging=False)
    address = ray.get_runtime_context().gcs_address
    env = {k: v for k, v in os.environ.items() if not k.startswith("RINGKAS_")}
    cli = _command(source, work / "out.jsonl", model.folder, new_tokens)
    ray_cli = [
        *_command(source, work / "shards", model.folder, new_tokens),
        "--ray",
        "--ray-address",
        address,
        "--threads",
        "1",
        "--window",
        "8",
    ]
    paths = {
        "cli-1-thread": [*cli, "--threads", "1"],
        "cli-2-threads": [*cli, "--threads", "2"],
        "ray-1-actor": [*ray_cli, "--workers", "1"],
        "ray-2-actors": [*ray_cli, "--workers", "2"],
    }  # fmt: skip
    chosen = [name.strip() for name in args.paths.split(",") if name.strip()]
    unknown = sorted(set(chosen) - set(paths))
    if unknown:
        parser.error(f"unknown --paths {unknown}; choose from {', '.join(paths)}")
    paths = {name: paths[name] for name in chosen}
    runs: dict[str, list[dict[str, Any]]] = {name: [] for name in paths}
    try:
        say(f"warm-up ({chosen[0]}), then {repeats} rounds of {len(paths)} paths")
        _run_path("warm-up", paths[chosen[0]], articles, env)
        names = list(paths)
        for r in range(repeats):
            for name in names[r % len(names) :] + names[: r % len(names)]:
                runs[name].append(_run_path(name, paths[name], articles, env))
                say(f"{name}: {runs[name][-1]}")
    finally:
        ray.shutdown()

    def median(name: str, key: str) -> float:
        return float(statistics.median(run[key] for run in runs[name]))

    rates = {name: median(name, "articles_per_s") for name in paths}
    report: dict[str, Any] = {
        "schema": 1,
        "kind": "bench-ray",
        "machine": _machine("cpu"),
        "versions": {**_versions(), "ray": ray.__version__},
        "settings": {
            "model": model.recipe.description,
            "articles": articles,
            "sentences_per_article": args.per_article,
            "max_new_tokens": new_tokens,
            "repeats": repeats,
            "ray_cpus": 2,
            "ray_worker_niceness": os.environ.get("RAY_worker_niceness"),  # noqa: SIM112 - Ray spells it so
        },
        "articles_per_s": rates,
        "ratios": {
            f"{a} / {b}": round(rates[a] / rates[b], 3)
            for a, b in (
                ("ray-1-actor", "cli-1-thread"),
                ("ray-2-actors", "ray-1-actor"),
                ("ray-2-actors", "cli-1-thread"),
                ("ray-2-actors", "cli-2-threads"),
            )
            if a in rates and b in rates
        },
        "ray_1_actor_overhead_pct": (
            round(100 * (rates["cli-1-thread"] / rates["ray-1-actor"] - 1), 1)
            if {"cli-1-thread", "ray-1-actor"} <= set(rates)
            else None
        ),
        "load_average": list(os.getloadavg()),
        "peak_mb": {
            name: {
                "driver": max(r["driver_peak_mb"] for r in runs[name]),
                "per_actor": max(max(r["actor_peak_mb"], default=0) for r in runs[name]),
            }
            for name in paths
        },
        "runs": runs,
    }
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "bench-ray.json").write_text(json.dumps(report, indent=2) + "\n", "utf-8")
    (args.out / "bench-ray.md").write_text(markdown(report), "utf-8")
    say(f"wrote {args.out / 'bench-ray.md'}")
    return report


def markdown(report: dict[str, Any]) -> str:
    s = report["settings"]
    lines = [
        f"{s['articles']} articles x {s['sentences_per_article']} sentences, translate only, "
        f"greedy, <= {s['max_new_tokens']} new tokens; {s['model']}; "
        f"{report['machine'].get('logical_cpus', '?')} cores; medians of {s['repeats']}.",
        "",
        "| path | articles/s | peak MB (driver) | peak MB per actor |",
        "| --- | ---: | ---: | ---: |",
    ]
    for name, rate in report["articles_per_s"].items():
        peak = report["peak_mb"][name]
        actor = peak["per_actor"] or "–"
        lines.append(f"| `{name}` | {rate:.2f} | {peak['driver']:.0f} | {actor} |")
    lines += ["", "| ratio | value |", "| --- | ---: |"]
    lines += [f"| {k} | {v:.2f} |" for k, v in report["ratios"].items()]
    overhead = report["ray_1_actor_overhead_pct"]
    if overhead is not None:
        lines += ["", f"Ray overhead at 1 actor: {overhead:+.1f}% time against the "
                  "single-process CLI with 1 thread (target: at most +15%)."]  # fmt: skip
    load = ", ".join(f"{x:.1f}" for x in report["load_average"])
    lines += ["", f"Load average at the end: {load}."]
    return "\n".join(lines) + "\n"


def main() -> int:
    run()
    return 0


if __name__ == "__main__":
    sys.exit(main())
