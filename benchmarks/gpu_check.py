"""The engine comparison on a CUDA machine, end to end in under five minutes, offline.

Builds the benchmark models there (random weights, real architectures: nothing is downloaded),
then times, on the same work: naive loop, HF batched generate, ringkas torch (fp16, bf16) and
ringkas CTranslate2 (float16, int8_float16) against raw CTranslate2, ringkas's throughput
and GPU memory against batch size up to what the memory holds, and (with ``ringkas[ray]``) the
Ray path with one actor holding the GPU against ringkas in-process (``--ray``). Writes
``gpu-check.json`` and ``gpu-check.md`` into ``--out``.

    python benchmarks/gpu_check.py --out /tmp/gpu-results            # on the GPU machine
    python benchmarks/gpu_check.py --device cpu --tiny --out /tmp/x  # smoke mode, anywhere

Sections run in order of importance and stop starting new ones once ``--budget-s`` is spent;
skipped sections are listed in the JSON, so a slow machine still yields a result.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

if __package__ in (None, ""):  # run as a file: make the repository root importable
    sys.path[0] = str(Path(__file__).resolve().parents[1])

from benchmarks.comparison import (
    _fixed_length,
    run_batch_sweep,
    run_comparison,
    summarization_workload,
    translation_workload,
)
from benchmarks.engines import default_engine_name
from benchmarks.models import _quiet_transformers, bench_model, load_sentences
from benchmarks.report import markdown_report
from ringkas.bench import _machine, _versions
from ringkas.errors import ConfigError


def _engines(model: str, device: str) -> list[str]:
    from ringkas.backends import ct2_available

    if device.startswith("cuda"):
        # T5 activations overflow in float16: mT5 runs in bfloat16.
        half = "bfloat16" if model == "mt5" else "float16"
        names = [
            f"naive-{half}",
            f"hf-{half}",
            "torch-float16",
            "torch-bfloat16",
            f"ct2-{half}",
            f"ct2-int8_{half}",
            f"raw-ct2-{half}",
        ]
        if model == "mt5":
            names.remove("torch-float16")
    else:
        names = ["naive", "hf", "torch", "torch-bfloat16", "ct2-int8", "raw-ct2-int8"]
    return names if ct2_available() else [n for n in names if "ct2" not in n]


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, required=True, help="folder for the JSON results")
    parser.add_argument("--device", default="cuda", help="cuda (default), cuda:N or cpu")
    parser.add_argument("--tiny", action="store_true", help="tiny models: a smoke run")
    parser.add_argument(
        "--models-dir",
        type=Path,
        default=None,
        help="where models are built (default: a temporary folder; never --out)",
    )
    parser.add_argument(
        "--budget-s",
        type=float,
        default=240.0,
        help="start no new section after this many seconds (default 240)",
    )
    parser.add_argument("--threads", type=int, default=None, help="CPU threads (default: all)")
    parser.add_argument(
        "--ray",
        choices=("auto", "on", "off"),
        default="auto",
        help="also time the Ray path with one actor holding the GPU (auto: on CUDA only; on: "
        "on the CPU too, with no GPU for the actor)",
    )
    return parser


def ray_one_actor(
    model_folder: Path,
    articles: Sequence[str],
    *,
    device: str,
    new_tokens: int,
    mode: str = "auto",
) -> dict[str, Any]:
    """Ray with one actor on the GPU (``num_gpus=1``) against ringkas in this process, on the
    same articles; the result says why when it was skipped (no Ray, or a CPU run in auto mode).

    Kept apart from the engine sections: it needs ``ringkas[ray]`` and starts a local Ray.
    """
    gpu = device.startswith("cuda")
    if mode == "off" or (mode == "auto" and not gpu):
        return {"skipped": f"--ray {mode} on {device}: the Ray path is timed on CUDA runs only"}
    try:
        import ray

        from ringkas.distributed import iter_results, process_dataset
    except ImportError:
        return {"skipped": "ray is not installed (pip install 'ringkas[ray]')"}
    from ringkas.config import EngineOptions
    from ringkas.pipeline import Ringkas

    options = {
        "steps": ("translate",),
        "translation_model": str(model_folder),
        "num_beams": 1,
        "max_new_tokens": new_tokens,
        # Inside the actor the one GPU Ray gives it is always cuda:0.
        "engine": EngineOptions(device="cuda" if gpu else "cpu"),
    }
    rows = [{"id": str(i), "text": text, "lang": "id"} for i, text in enumerate(articles)]
    local = Ringkas(**options)
    local.process(rows[:2])  # load and warm up, as the actor does before its first batch
    began = time.perf_counter()
    local.process(rows)
    local_s = time.perf_counter() - began
    del local
    started_here = not ray.is_initialized()
    if started_here:
        ray.init(
            num_cpus=max(2, os.cpu_count() or 2),
            num_gpus=1 if gpu else 0,
            include_dashboard=False,
            log_to_driver=False,
            configure_logging=False,
        )
    try:
        began = time.perf_counter()
        dataset = process_dataset(
            ray.data.from_items(rows),
            options=options,
            concurrency=1,
            num_gpus=1 if gpu else 0,
            batch_size=64,
        )
        results = list(iter_results(dataset))
        ray_s = time.perf_counter() - began  # includes the actor's start and model load
    finally:
        if started_here:
            ray.shutdown()
    errors = sum("error" in r for r in results)
    return {
        "device": device,
        "actor_gpus": 1 if gpu else 0,
        "articles": len(rows),
        "errors": errors,
        "in_process_articles_per_s": round(len(rows) / local_s, 2),
        "ray_1_actor_articles_per_s": round(len(rows) / ray_s, 2),
        "ray_over_in_process": round(local_s / ray_s, 3),
        "note": "Ray time includes starting the actor and loading its model; in-process does not",
    }


def run(argv: Sequence[str] | None = None, *, progress: Callable[[str], None] | None = None) -> int:
    args = _parser().parse_args(argv)
    say = progress or (lambda msg: print(msg, file=sys.stderr, flush=True))
    import torch

    device = str(args.device)
    if device.startswith("cuda") and not torch.cuda.is_available():
        print("gpu_check: error: --device cuda but torch sees no CUDA device", file=sys.stderr)
        return 2
    if device.split(":", 1)[0] not in ("cpu", "cuda"):
        print(
            f"gpu_check: error: --device must be cuda[:N] or cpu, got {device!r}", file=sys.stderr
        )
        return 2
    started = time.perf_counter()
    size = "tiny" if args.tiny else "real"
    threads = args.threads or max(1, os.cpu_count() or 1)
    torch.set_num_threads(threads)
    models_dir = args.models_dir or Path(tempfile.gettempdir()) / "ringkas-gpu-check-models"
    report: dict[str, Any] = {
        "schema": 1,
        "kind": "gpu-check",
        "machine": _machine(device),
        "versions": _versions(),
        "settings": {"device": device, "size": size, "threads": threads, "budget_s": args.budget_s},
        "default_engine": default_engine_name(device),
        "comparisons": [],
        "batch_sweep": [],
        "skipped": [],
        "ray": {},
    }
    if device.startswith("cuda"):
        report["machine"]["cuda"] = torch.version.cuda
        report["machine"]["bf16_supported"] = torch.cuda.is_bf16_supported()
    sentences, report["input_text"] = load_sentences(2000)
    tiny = args.tiny
    marian_articles = 4 if tiny else 64
    new_tokens = 6 if tiny else 40

    def over_budget(section: str) -> bool:
        if time.perf_counter() - started > args.budget_s:
            report["skipped"].append(section)
            say(f"budget spent: skipping {section}")
            return True
        return False

    def marian_comparison() -> None:
        model = bench_model("marian", size, models_dir)
        work = translation_workload(
            sentences,
            articles=marian_articles,
            per_article=4,
            options=_fixed_length(1, new_tokens),
        )
        report["comparisons"].append(
            run_comparison(
                model,
                work,
                _engines("marian", device),
                repeats=2 if not tiny else 1,
                naive_articles=1 if tiny else 2,
                latency_articles=2,
                device=device,
                threads=threads,
                progress=say,
            )
        )

    def marian_batches() -> None:
        model = bench_model("marian", size, models_dir)
        articles = 8 if tiny else 256
        work = translation_workload(
            sentences,
            articles=articles,
            per_article=4,
            options=_fixed_length(1, new_tokens),
        )
        if device.startswith("cuda"):
            engines, sizes = ["torch-float16", "ct2-float16"], [32, 128, 512, 1024]
        else:
            engines, sizes = ["torch", "ct2-int8"], [2, 8]
        from ringkas.backends import ct2_available

        engines = engines if ct2_available() else engines[:1]
        report["batch_sweep"] = run_batch_sweep(
            model, work, engines, sizes, device=device, threads=threads, progress=say
        )

    def mt5_comparison() -> None:
        from transformers import AutoTokenizer

        model = bench_model("mt5", size, models_dir)
        tokenizer = AutoTokenizer.from_pretrained(str(model.folder))
        work = summarization_workload(
            sentences,
            articles=2 if tiny else 16,
            words=40 if tiny else 250,
            options=_fixed_length(1, 4 if tiny else 32),
            count_tokens=lambda text: len(tokenizer(text)["input_ids"]),
            window=model.recipe.max_input_tokens,
        )
        report["comparisons"].append(
            run_comparison(
                model,
                work,
                _engines("mt5", device),
                repeats=1,
                naive_articles=1,
                latency_articles=1 if tiny else 2,
                device=device,
                threads=threads,
                progress=say,
            )
        )

    def ray_section() -> None:
        model = bench_model("marian", size, models_dir)
        fixed = _fixed_length(1, 1)  # unused: ray_one_actor takes the articles only
        work = translation_workload(
            sentences, articles=marian_articles * 2, per_article=4, options=fixed
        )
        report["ray"] = ray_one_actor(
            model.folder, work.articles, device=device, new_tokens=new_tokens, mode=args.ray
        )

    sections: list[tuple[str, Callable[[], None]]] = [
        ("marian comparison", marian_comparison),
        ("ray one actor", ray_section),
        ("marian batch sweep", marian_batches),
        ("mt5 comparison", mt5_comparison),
    ]
    from ringkas.backends.loading import clear_engine_cache

    with _quiet_transformers():
        for name, section in sections:
            if over_budget(name):
                continue
            say(f"{name} ({time.perf_counter() - started:.0f} s in)")
            try:
                section()
            except Exception as exc:  # a failed section is a result too; the rest still run
                report.setdefault("errors", []).append(f"{name}: {type(exc).__name__}: {exc}")
                say(f"{name} failed: {exc}")
            clear_engine_cache()
            if device.startswith("cuda"):
                torch.cuda.empty_cache()
    report["wall_s"] = round(time.perf_counter() - started, 1)
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "gpu-check.json").write_text(json.dumps(report, indent=2) + "\n", "utf-8")
    lines = [markdown_report({**report, "created": report["machine"]["platform"]})]
    if report["batch_sweep"]:
        lines += [
            "## Batch size sweep",
            "",
            "| engine | batch | tok/s | GPU MB | note |",
            "| --- | ---: | ---: | ---: | --- |",
        ]
        for row in report["batch_sweep"]:
            lines.append(
                f"| `{row['engine']}` | {row['max_batch_size']} | {row.get('tokens_per_s', '–')} "
                f"| {row.get('gpu_peak_mb') or row.get('gpu_device_used_mb') or '–'} "
                f"| {row.get('error', '')} |"
            )
    if report["ray"]:
        lines += ["", "## Ray, one actor", "", "```", json.dumps(report["ray"], indent=1), "```"]
    (args.out / "gpu-check.md").write_text("\n".join(lines) + "\n", "utf-8")
    say(f"wrote {args.out / 'gpu-check.json'} in {report['wall_s']} s")
    return 1 if report.get("errors") else 0


def main() -> int:
    try:
        return run()
    except ConfigError as exc:
        print(f"gpu_check: error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
