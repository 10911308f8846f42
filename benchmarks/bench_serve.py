"""Serving benchmark: 32 concurrent clients, one article each, vs the same articles one at a time.

A ``ringkas serve`` process (its own process, so the clients do not share its GIL) serves the
opus-mt-size random-weight Marian model (built locally by ``benchmarks.models``, no download) on a
loopback port. Mode "sequential" sends the articles one request at a time, as a service calling
a one-request-one-model-call server would; mode "concurrent" sends them from N clients at once,
which ringkas coalesces into shared batches. Reported: throughput (articles/s) of each mode,
their ratio (target >= 4x) and per-request latency p50/p95. Both modes must return identical
translations (batch invariance), which the script checks. Modes are interleaved over repeats
after a warm-up; medians are reported.

    .venv/bin/python benchmarks/bench_serve.py                # ~3-6 min on 2 busy cores
    .venv/bin/python benchmarks/bench_serve.py --tiny         # wiring only (tiny model), ~30 s
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx

if __package__ in (None, ""):  # run as a file: make the repository root importable
    sys.path[0] = str(Path(__file__).resolve().parents[1])

from benchmarks.models import bench_model, load_sentences
from ringkas.bench import percentile

REPO = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def start_server(model: Path, args: argparse.Namespace) -> tuple[subprocess.Popen[bytes], str]:
    port = free_port()
    command = [
        sys.executable, "-m", "ringkas", "serve", "--port", str(port), "--steps", "translate",
        "--translation-model", str(model), "--device", "cpu", "--threads", str(args.threads),
        "--beams", str(args.beams), "--max-new-tokens", str(args.new_tokens),
        "--max-batch-items", str(args.clients), "--max-wait-ms", str(args.max_wait_ms),
        "--quantize", args.quantize, "--timeout", "3600",
        *(["--backend", args.backend] if args.backend else []),
    ]  # fmt: skip
    env = {**os.environ, "PYTHONPATH": str(REPO / "src")}
    server = subprocess.Popen(command, env=env, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise SystemExit("the server exited; run the command by hand to see why")
        try:
            if httpx.get(f"{url}/readyz").status_code == 200:
                return server, url
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    server.kill()
    raise SystemExit("the server did not become ready")


async def one(client: httpx.AsyncClient, article: str) -> tuple[str, float]:
    began = time.perf_counter()
    response = await client.post("/v1/translate", json={"texts": [article], "source_lang": "id"})
    response.raise_for_status()
    return response.json()["results"][0]["text"], time.perf_counter() - began


async def sequential(url: str, articles: list[str]) -> tuple[list[str], list[float], float]:
    async with httpx.AsyncClient(base_url=url, timeout=600) as client:
        began = time.perf_counter()
        done = [await one(client, a) for a in articles]
        wall = time.perf_counter() - began
    return [t for t, _ in done], [s for _, s in done], wall


async def concurrent(url: str, articles: list[str]) -> tuple[list[str], list[float], float]:
    clients = [httpx.AsyncClient(base_url=url, timeout=600) for _ in articles]
    try:
        for c in clients:  # connect first: the race measures serving, not TCP handshakes
            await c.get("/healthz")
        began = time.perf_counter()
        done = await asyncio.gather(*(one(c, a) for c, a in zip(clients, articles, strict=True)))
        wall = time.perf_counter() - began
    finally:
        for c in clients:
            await c.aclose()
    return [t for t, _ in done], [s for _, s in done], wall


def run(args: argparse.Namespace) -> dict[str, Any]:
    size = "tiny" if args.tiny else "real"
    model = bench_model("marian", size)
    sentences, source = load_sentences(args.clients * args.sentences)
    articles = [
        " ".join(sentences[i * args.sentences : (i + 1) * args.sentences])
        for i in range(args.clients)
    ]
    server, url = start_server(model.folder, args)
    try:
        asyncio.run(sequential(url, articles[:2]))  # warm-up
        runs: dict[str, list[dict[str, Any]]] = {"sequential": [], "concurrent": []}
        outputs: dict[str, list[str]] = {}
        agreement: list[float] = []  # concurrent vs its first repeat (batches form differently)
        for repeat in range(args.repeats):
            order = (
                ["sequential", "concurrent"] if repeat % 2 == 0 else ["concurrent", "sequential"]
            )
            for mode in order:
                texts, latencies, wall = asyncio.run(
                    (sequential if mode == "sequential" else concurrent)(url, articles)
                )
                outputs.setdefault(mode, texts)
                if mode == "concurrent":
                    same = sum(a == b for a, b in zip(texts, outputs["concurrent"], strict=True))
                    agreement.append(same / len(articles))
                runs[mode].append(
                    {
                        "wall_s": wall,
                        "throughput": len(articles) / wall,
                        "p50_s": percentile(latencies, 50),
                        "p95_s": percentile(latencies, 95),
                    }
                )
        metrics = httpx.get(f"{url}/metrics").text
    finally:
        server.terminate()
        server.wait(timeout=120)
    summary = {
        mode: {key: statistics.median(r[key] for r in rs) for key in rs[0]}
        for mode, rs in runs.items()
    }
    return {
        "model": model.recipe.description,
        "size": size,
        "input": source,
        "clients": args.clients,
        "sentences_per_article": args.sentences,
        "beams": args.beams,
        "new_tokens": args.new_tokens,
        "threads": args.threads,
        "max_wait_ms": args.max_wait_ms,
        "repeats": args.repeats,
        "backend": args.backend or "auto",
        "quantize": args.quantize,
        # Share of articles whose translation is the same served alone and in shared batches.
        "identical_outputs": sum(
            a == b for a, b in zip(outputs["sequential"], outputs["concurrent"], strict=True)
        )
        / len(articles),
        "concurrent_repeat_agreement": agreement,
        "ratio": summary["concurrent"]["throughput"] / summary["sequential"]["throughput"],
        "summary": summary,
        "runs": runs,
        "batches": [line for line in metrics.splitlines() if "batch_requests_" in line],
        "machine": {
            "cpus": os.cpu_count(),
            "load": os.getloadavg(),
            "python": platform.python_version(),
        },
    }


def markdown(report: dict[str, Any]) -> str:
    rows = [
        f"| {mode} | {r['throughput']:.2f} | {r['p50_s']:.2f} | {r['p95_s']:.2f} | "
        f"{r['wall_s']:.1f} |"
        for mode, r in report["summary"].items()
    ]
    return "\n".join(
        [
            f"{report['clients']} articles of {report['sentences_per_article']} sentences "
            f"({report['input']}), {report['model']}; greedy x{report['beams']} beam(s), "
            f"{report['new_tokens']} new tokens at most, backend {report['backend']}, "
            f"quantize {report['quantize']}, "
            f"{report['threads']} threads, "
            f"max wait {report['max_wait_ms']:g} ms, median of {report['repeats']} repeats; "
            f"load average {report['machine']['load'][0]:.1f} on {report['machine']['cpus']} "
            "CPUs.",
            "",
            "| mode | articles/s | p50 latency (s) | p95 latency (s) | wall (s) |",
            "| --- | --- | --- | --- | --- |",
            *rows,
            "",
            f"Throughput ratio, concurrent / sequential: **{report['ratio']:.1f}x**; "
            f"articles translated identically alone and in shared batches: "
            f"{report['identical_outputs']:.0%}.",
        ]
    )


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--sentences", type=int, default=4, help="sentences per article")
    parser.add_argument("--beams", type=int, default=1)
    parser.add_argument("--new-tokens", type=int, default=32)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--max-wait-ms", type=float, default=5.0)
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--backend", help="torch or ct2 (default: the library's, auto)")
    parser.add_argument(
        "--quantize", default="auto", help="auto (int8 on CPU, the default) or none (fp32)"
    )
    parser.add_argument("--tiny", action="store_true", help="tiny model: wiring, not speed")
    parser.add_argument("--out", type=Path, help="write bench-serve.json and .md here")
    args = parser.parse_args(argv)
    report = run(args)
    text = markdown(report)
    print(text)
    if args.out:
        args.out.mkdir(parents=True, exist_ok=True)
        (args.out / "bench-serve.json").write_text(json.dumps(report, indent=2) + "\n")
        (args.out / "bench-serve.md").write_text(text + "\n")


if __name__ == "__main__":
    main()
