"""Peak memory of a stream of articles, each stream size in a fresh process.

The child processes run ``python -m benchmarks.streams ARGS_JSON``; this module imports nothing
heavy at the top, so a child's memory is ringkas's, not the benchmark's.
"""

from __future__ import annotations

import dataclasses
import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ringkas.backends import resolve_engine_options
from ringkas.backends.loading import clear_engine_cache, load_engine
from ringkas.batching import windows
from ringkas.bench import PeakSampler, ratio, rss_bytes, to_mb
from ringkas.config import EngineOptions
from ringkas.translate import Translator

if TYPE_CHECKING:
    from benchmarks.models import BenchModel

#: The folder holding the ``benchmarks`` package (the repository root).
_ROOT = Path(__file__).resolve().parents[1]


def run_stream_memory(
    model: BenchModel,
    sentences: Sequence[str],
    *,
    sizes: Sequence[int] = (10, 1000),
    backend: str = "auto",
    quantize: str = "auto",
    device: str = "cpu",
    threads: int | None = None,
    new_tokens: int = 8,
    window: int = 32,
    progress: Callable[[str], None] | None = None,
) -> dict[str, Any]:
    """Peak RSS of translating a stream of ``n`` articles, each ``n`` in a fresh process."""
    say = progress or (lambda _msg: None)
    resolved = resolve_engine_options(
        EngineOptions(backend=backend, quantize=quantize, device=device)
    )
    backend, quantize = resolved.backend, resolved.quantize
    # Convert (if needed) here, so that no child pays for a conversion the other skips.
    load_engine(model.spec(), dataclasses.replace(resolved, num_threads=1))
    clear_engine_cache()
    pool = list(sentences[:200])
    # The children import this package wherever the parent found it.
    path = os.pathsep.join(p for p in (str(_ROOT), os.environ.get("PYTHONPATH", "")) if p)
    env = {**os.environ, "PYTHONPATH": path}
    began = time.perf_counter()
    procs = []
    for n in sizes:  # in parallel: each child's peak RSS is its own (its wall time is not kept)
        args = {
            "folder": str(model.folder),
            "n": n,
            "backend": backend,
            "quantize": quantize,
            "device": device,
            "threads": threads,
            "new_tokens": new_tokens,
            "window": window,
            "sentences": pool,
        }
        command = [sys.executable, "-m", "benchmarks.streams", json.dumps(args)]
        procs.append(
            subprocess.Popen(
                command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
            )
        )
    rows = []
    for n, proc in zip(sizes, procs, strict=True):
        stdout, stderr = proc.communicate()
        if proc.returncode != 0:
            raise RuntimeError(f"stream child failed: {stderr.strip()[-2000:]}")
        row = json.loads(stdout.strip().splitlines()[-1])
        say(f"  stream of {n} articles: peak RSS {row['peak_rss_mb']} MB")
        rows.append(row)
    say(f"  streams done in {time.perf_counter() - began:.1f} s")
    return {
        "model": model.kind,
        "size": model.size,
        "engine": f"{backend}-{'float32' if quantize == 'none' else quantize}",
        "window": window,
        "new_tokens": new_tokens,
        "rows": rows,
        "peak_rss_ratio": ratio(rows[-1]["peak_rss_mb"], rows[0]["peak_rss_mb"]),
        "ratio_between": [rows[0]["articles"], rows[-1]["articles"]],
    }


def _high_water_rss() -> int | None:
    """This process's own peak RSS in bytes (Linux ``VmHWM``), else ``None``.

    Not ``ru_maxrss``: on Linux it survives ``exec``, so a child started from a big parent
    reports the parent's RSS at fork time.
    """
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    return None


def _stream_child(args: Mapping[str, Any]) -> dict[str, Any]:
    """Runs in its own process: stream ``n`` articles through ringkas, report memory."""
    with PeakSampler() as whole:  # the fallback where VmHWM is not available
        row = _stream_articles(args)
    row["peak_rss_mb"] = to_mb(_high_water_rss() or whole.peak)
    return row


def _stream_articles(args: Mapping[str, Any]) -> dict[str, Any]:
    pool: list[str] = list(args["sentences"])
    n = int(args["n"])

    def articles() -> Iterator[dict[str, str]]:
        for k in range(n):  # generated lazily: the input is a stream too
            a, b = pool[(2 * k) % len(pool)], pool[(2 * k + 1) % len(pool)]
            yield {"id": str(k), "text": f"{a} {b} ({k})", "lang": "id"}

    engine = EngineOptions(
        device=args["device"],
        backend=args["backend"],
        quantize=args["quantize"],
        num_threads=args["threads"],
    )
    translator = Translator(args["folder"], max_new_tokens=int(args["new_tokens"]), engine=engine)
    translator.translate([pool[0]], source_lang="id")  # load and warm up
    via = "pipeline.Ringkas.process_iter"
    try:
        from ringkas.pipeline import Ringkas

        pipe = Ringkas(
            steps=("translate",), translator=translator, window=int(args["window"]), engine=engine
        )
        list(pipe.process_iter([{"id": "w", "text": pool[1], "lang": "id"}]))

        def stream() -> Iterator[object]:
            return iter(pipe.process_iter(articles()))

    except ImportError:  # the pipeline's language detection is not installed yet
        via = "batching.windows + Translator.translate"

        def stream() -> Iterator[object]:
            for chunk in windows(articles(), int(args["window"])):
                yield from translator.translate([a["text"] for a in chunk], source_lang="id")

    loaded = rss_bytes()
    count = 0
    with PeakSampler() as sampler:
        for _ in stream():
            count += 1
    return {
        "articles": count,
        "via": via,
        "rss_after_load_mb": to_mb(loaded),
        "stream_peak_over_load_mb": to_mb(sampler.peak - loaded)
        if sampler.peak is not None and loaded
        else None,
        "rss_at_end_mb": to_mb(rss_bytes()),
    }


def main(argv: Sequence[str] | None = None) -> int:
    """The child's entry point: one JSON argument in, one JSON line out."""
    args = list(sys.argv[1:] if argv is None else argv)
    print(json.dumps(_stream_child(json.loads(args[0]))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
