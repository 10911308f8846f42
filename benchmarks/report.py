"""The suite's report as Markdown tables, a plot and files (``benchmarks/results/*``)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any


def _fmt(value: Any, digits: int = 2) -> str:
    if value is None:
        return "–"
    if isinstance(value, bool):
        return "yes" if value else "NO"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return str(value)


def markdown_report(report: Mapping[str, Any]) -> str:
    """The report as Markdown tables (what ``benchmarks/results/*.md`` holds)."""
    machine = report["machine"]
    versions = report["versions"]
    settings = report["settings"]
    lines = [
        f"# ringkas benchmark ({report['created']})",
        "",
        f"- machine: {machine['cpu']}, {machine['logical_cpus']} logical CPUs"
        + (f", {machine['memory_gb']} GiB" if "memory_gb" in machine else "")
        + (f", GPU {machine['gpu']}" if "gpu" in machine else "")
        + f"; device `{machine['device']}`; {settings['threads']} threads for torch and CT2",
        "- versions: " + ", ".join(f"{k} {v}" for k, v in versions.items() if v),
        f"- load average before/after: {report.get('load_average_before')} / "
        f"{report.get('load_average_after')}",
        f"- input text: {report.get('input_text')}; models: random weights, real architectures "
        f"({settings['size']}); outputs fixed at min = max new tokens, greedy unless stated",
        f'- ringkas default engine here (`backend="auto", quantize="auto"`): '
        f"`{report['default_engine']}`; total wall time {report.get('wall_s')} s",
        "",
    ]
    if report.get("targets"):
        lines += [
            "## Targets",
            "",
            "Defined for the full benchmark (`--full`: 64 sentences of 40 output tokens per "
            "engine); smaller runs give the batched engines too little work and understate them.",
            "",
            "| target | value | threshold | met |",
            "| --- | ---: | --- | --- |",
        ]
        for t in report["targets"]:
            lines.append(
                f"| {t['description']} | {_fmt(t['value'], 3)} | {t['threshold']} | "
                f"{_fmt(t['met'])} |"
            )
        lines.append("")
    for comp in report.get("comparisons", []):
        opts = comp["options"]
        work = comp["workload"]
        lines += [
            f"## {comp['model']} ({comp['task']}), {opts.get('num_beams', 1)} beam(s), "
            f"{opts.get('max_new_tokens')} new tokens per output",
            "",
            f"{comp['architecture']}. "
            + (
                f"ringkas batch budget {comp['batch_tokens']} tokens. "
                if comp.get("batch_tokens")
                else ""
            )
            + f"{work['articles']} articles, {work['units']} model "
            f"inputs ({work['words']} words); naive loop on {work['naive_articles']} article(s); "
            f"median of {comp['repeats']} interleaved repeat(s).",
            "",
            "| engine | tok/s | × naive | × HF batched | articles/s | latency p50 s | "
            "p95 s | peak ΔRSS MB | load RSS MB | equal work |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | --- |",
        ]
        for r in comp["engines"]:
            gpu = f" (GPU {r['gpu_peak_mb']:.0f} MB)" if r.get("gpu_peak_mb") else ""
            lines.append(
                f"| `{r['engine']}` | {_fmt(r['tokens_per_s'], 1)} | {_fmt(r['vs_naive'], 1)} | "
                f"{_fmt(r['vs_hf'], 2)} | {_fmt(r['articles_per_s'], 2)} | "
                f"{_fmt(r['latency_p50_s'], 2)} | {_fmt(r['latency_p95_s'], 2)} | "
                f"{_fmt(r['peak_rss_delta_mb'], 0)}{gpu} | {_fmt(r['load_rss_mb'], 0)} | "
                f"{_fmt(r['equal_work'])} |"
            )
        agreement = comp.get("agreement") or {}
        if len(agreement) > 1:
            parts = [
                f"`{name}` {_fmt(row.get('exact_match'), 2)} exact"
                + (f", chrF {row['chrf_vs_reference']:.1f}" if "chrf_vs_reference" in row else "")
                for name, row in agreement.items()
                if name != "reference"
            ]
            lines += [
                "",
                f"Agreement with `{agreement['reference']}` (per article, random weights: "
                "a worst case for quantization): " + "; ".join(parts) + ".",
            ]
        lines.append("")
    for sweep in report.get("length_sweep", []):
        lines += [
            f"## Cost against article length: {sweep['model']} {sweep['task']} "
            f"(`{sweep['engine']}`, {sweep['new_tokens_per_call']} new tokens per call)",
            "",
            "| words | seconds | ms per word | output tokens | detail |",
            "| ---: | ---: | ---: | ---: | --- |",
        ]
        for row in sweep["rows"]:
            detail = ", ".join(
                f"{k} {row[k]}" for k in ("segments", "chunks", "rounds") if k in row
            )
            lines.append(
                f"| {row['actual_words']} | {_fmt(row['seconds'])} | "
                f"{_fmt(row['ms_per_word'], 3)} | {row['output_tokens']} | {detail} |"
            )
        lines += [
            "",
            f"Per-word cost ratio {sweep['ratio_between'][1]} / {sweep['ratio_between'][0]} "
            f"words: {_fmt(sweep['per_word_cost_ratio'], 3)}.",
            "",
        ]
    stream = report.get("stream_memory")
    if stream:
        lines += [
            f"## Memory of a stream (`{stream['engine']}`, window {stream['window']})",
            "",
            "| articles | via | peak RSS MB | RSS after load MB | stream peak over load MB |",
            "| ---: | --- | ---: | ---: | ---: |",
        ]
        for row in stream["rows"]:
            lines.append(
                f"| {row['articles']} | {row['via']} | {_fmt(row['peak_rss_mb'], 0)} | "
                f"{_fmt(row['rss_after_load_mb'], 0)} | "
                f"{_fmt(row['stream_peak_over_load_mb'], 0)} |"
            )
        lines += ["", f"Peak RSS ratio: {_fmt(stream['peak_rss_ratio'], 3)}.", ""]
    quality = report.get("quality_tiny_trained")
    if quality:
        lines += [
            "## Quantization on the tiny trained models (exact-match rate)",
            "",
            "| engine | translations | summaries |",
            "| --- | ---: | ---: |",
        ]
        for name, row in quality["engines"].items():
            lines.append(
                f"| `{name}` | {_fmt(row['translation_exact'], 3)} | "
                f"{_fmt(row['summary_exact'], 3)} |"
            )
        lines.append("")
    return "\n".join(lines)


def plot_report(report: Mapping[str, Any], path: Path) -> Path | None:
    """Throughput bars and per-word cost lines; ``None`` when matplotlib is not installed."""
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError:
        return None
    comparisons = report.get("comparisons", [])
    sweeps = report.get("length_sweep", [])
    panels = len(comparisons) + (1 if sweeps else 0)
    if panels == 0:
        return None
    fig, axes = plt.subplots(1, panels, figsize=(4.5 * panels, 4), squeeze=False)
    for ax, comp in zip(axes[0], comparisons, strict=False):
        names = [r["engine"] for r in comp["engines"]]
        values = [r["tokens_per_s"] for r in comp["engines"]]
        colours = [
            "#c44" if r["engine"] == report["default_engine"] else "#48a" for r in comp["engines"]
        ]
        ax.barh(names, values, color=colours)
        ax.set_xscale("log")
        ax.invert_yaxis()
        ax.set_xlabel("output tokens/s (log)")
        ax.set_title(f"{comp['model']}, {comp['options'].get('num_beams', 1)} beam(s)")
    if sweeps:
        ax = axes[0][-1]
        for sweep in sweeps:
            xs = [row["actual_words"] for row in sweep["rows"]]
            ys = [row["ms_per_word"] for row in sweep["rows"]]
            ax.plot(xs, ys, marker="o", label=f"{sweep['model']} {sweep['task']}")
        ax.set_xscale("log")
        ax.set_xlabel("article length (words)")
        ax.set_ylabel("ms per word")
        ax.set_ylim(bottom=0)
        ax.legend()
        ax.set_title("cost per word against length")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def write_report(report: Mapping[str, Any], out_dir: Path, stem: str = "bench") -> list[Path]:
    """Write ``<stem>.json``, ``<stem>.md`` and (with matplotlib) ``<stem>.png``."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    written = [out_dir / f"{stem}.json", out_dir / f"{stem}.md"]
    written[0].write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n", "utf-8")
    written[1].write_text(markdown_report(report) + "\n", "utf-8")
    plot = plot_report(report, out_dir / f"{stem}.png")
    if plot is not None:
        written.append(plot)
    return written


# --------------------------------------------------------------------------------------------
# Command line
# --------------------------------------------------------------------------------------------
