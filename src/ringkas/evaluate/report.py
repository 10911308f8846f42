"""Evaluation reports: JSON for machines, Markdown for people, and side-by-side comparisons.

A report records everything needed to trust (or refuse to compare) its numbers: each score's
signature, the dataset and its paths, the system and its generation options, library versions,
timings and confidence intervals. :func:`compare_markdown` puts several reports side by side and
flags metrics whose signatures differ, because such numbers are not comparable.
"""

from __future__ import annotations

import datetime as _dt
import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ringkas.errors import ConfigError, DataError
from ringkas.evaluate._common import require, versions
from ringkas.evaluate.metrics import PairedResult, Score, ScoreOptions, ScoreSet, SkippedMetric
from ringkas.types import plain

if TYPE_CHECKING:
    from ringkas.evaluate.datasets import Dataset

__all__ = [
    "REPORT_FORMAT",
    "EvalReport",
    "compare_markdown",
    "load_report",
    "make_report",
    "plot_reports",
    "system_labels",
]

#: Version of the JSON layout, bumped when a field changes meaning.
REPORT_FORMAT = 1


@dataclass(frozen=True)
class EvalReport:
    """The result of scoring one system on one dataset."""

    system: str
    task: str
    #: Dataset description (:meth:`Dataset.describe`) or, for ``eval score``, the files.
    dataset: Mapping[str, Any]
    scores: tuple[Score, ...]
    n_examples: int
    skipped: tuple[SkippedMetric, ...] = ()
    paired: tuple[PairedResult, ...] = ()
    #: Scoring options (:class:`ScoreOptions` as a dict).
    options: Mapping[str, Any] = field(default_factory=dict)
    #: Model and generation options (model id, device, beams, method, k ...).
    generation: Mapping[str, Any] = field(default_factory=dict)
    #: Counts from the run that say nothing was lost silently (truncated, chunks ...).
    stats: Mapping[str, Any] = field(default_factory=dict)
    versions: Mapping[str, str] = field(default_factory=dict)
    #: Seconds: ``generate_s``, ``score_s``, ``total_s`` ...
    timings: Mapping[str, float] = field(default_factory=dict)
    created: str = ""
    format: int = REPORT_FORMAT

    def score(self, metric: str) -> Score:
        """The score named ``metric`` (``BLEU``, ``chrF2``, ``rouge1`` ...)."""
        for s in self.scores:
            if s.metric == metric:
                return s
        available = ", ".join(s.metric for s in self.scores) or "none"
        raise KeyError(f"report {self.system!r} has no {metric!r}; available: {available}")

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = plain(self)
        return result

    def to_json(self, path: str | Path | None = None) -> str:
        """The report as indented JSON; also written to ``path`` when one is given."""
        text = json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n"
        if path is not None:
            Path(path).write_text(text, encoding="utf-8")
        return text

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> EvalReport:
        try:
            return cls(
                system=str(data["system"]),
                task=str(data.get("task", "")),
                dataset=dict(data.get("dataset", {})),
                scores=tuple(Score.from_dict(s) for s in data["scores"]),
                n_examples=int(data.get("n_examples", 0)),
                skipped=tuple(SkippedMetric(**s) for s in data.get("skipped", ())),
                paired=tuple(PairedResult.from_dict(p) for p in data.get("paired", ())),
                options=dict(data.get("options", {})),
                generation=dict(data.get("generation", {})),
                stats=dict(data.get("stats", {})),
                versions=dict(data.get("versions", {})),
                timings=dict(data.get("timings", {})),
                created=str(data.get("created", "")),
                format=int(data.get("format", REPORT_FORMAT)),
            )
        except (KeyError, TypeError, ValueError) as exc:
            raise DataError(f"not a ringkas evaluation report ({exc!r})") from exc

    def to_markdown(self, *, width: int = 2) -> str:
        """A heading, a score table with 95% intervals and signatures, and the run's facts."""
        dataset = self.dataset.get("name", "?")
        lines = [
            f"### {self.system} on {dataset}",
            "",
            f"{self.n_examples} examples"
            + (f"; task: {self.task}" if self.task else "")
            + f"; created {self.created}.",
            "",
            "| metric | score | 95% CI | signature |",
            "| --- | ---: | --- | --- |",
        ]
        for s in self.scores:
            lines.append(
                f"| {s.metric} | {s.score:.{width}f} | {_ci(s, width)} | `{_cell(s.signature)}` |"
            )
        if self.paired:
            lines += [
                "",
                "| paired test | A | B | B - A | 95% CI of B - A | p |",
                "| --- | ---: | ---: | ---: | --- | ---: |",
            ]
            for p in self.paired:
                lines.append(
                    f"| {p.metric} | {p.score_a:.{width}f} | {p.score_b:.{width}f} | "
                    f"{p.delta:+.{width}f} | {p.delta_ci_low:+.{width}f} to "
                    f"{p.delta_ci_high:+.{width}f} | {p.p_value:.4f} |"
                )
        for skipped in self.skipped:
            lines += ["", f"Skipped {skipped.metric}: {skipped.reason}"]
        facts = []
        if self.generation:
            facts.append("generation: " + _inline(self.generation))
        if self.stats:
            facts.append("stats: " + _inline(self.stats))
        if self.timings:
            facts.append("timings: " + ", ".join(f"{k} {v:.2f}" for k, v in self.timings.items()))
        if self.versions:
            facts.append("versions: " + _inline(self.versions))
        if facts:
            lines.append("")
            lines += [f"- {fact}" for fact in facts]
        return "\n".join(lines) + "\n"


def _ci(score: Score, width: int) -> str:
    if score.ci_low is None or score.ci_high is None:
        return "-"
    return f"{score.ci_low:.{width}f}-{score.ci_high:.{width}f}"


def _cell(text: str) -> str:
    """Escape pipes so a signature stays in its Markdown table cell."""
    return text.replace("|", "\\|")


def _inline(mapping: Mapping[str, Any]) -> str:
    return ", ".join(f"{k}={v}" for k, v in mapping.items())


def make_report(
    *,
    system: str,
    dataset: Dataset | Mapping[str, Any],
    scores: ScoreSet,
    options: ScoreOptions,
    task: str | None = None,
    generation: Mapping[str, Any] | None = None,
    stats: Mapping[str, Any] | None = None,
    timings: Mapping[str, float] | None = None,
    paired: Sequence[PairedResult] = (),
) -> EvalReport:
    """Assemble a report, stamping versions and the creation time (UTC)."""
    described = dict(dataset) if isinstance(dataset, Mapping) else dataset.describe()
    return EvalReport(
        system=system,
        task=task or str(described.get("task", "")),
        dataset=described,
        scores=scores.scores,
        n_examples=scores.n,
        skipped=scores.skipped,
        paired=tuple(paired),
        options=options.to_dict(),
        generation=dict(generation or {}),
        stats=dict(stats or {}),
        versions=versions(),
        timings=dict(timings or {}),
        created=_dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat(),
    )


def load_report(path: str | Path) -> EvalReport:
    """Read a report written by :meth:`EvalReport.to_json` (DataError when it is not one)."""
    p = Path(path)
    try:
        data = json.loads(p.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise DataError(f"{p}: no such file") from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"{p}: cannot read ({exc})") from exc
    except json.JSONDecodeError as exc:
        raise DataError(f"{p}:{exc.lineno}: invalid JSON ({exc.msg})") from exc
    if not isinstance(data, dict):
        raise DataError(f"{p}: not a ringkas evaluation report (expected a JSON object)")
    try:
        return EvalReport.from_dict(data)
    except DataError as exc:
        raise DataError(f"{p}: {exc}") from exc


def _metric_order(reports: Sequence[EvalReport]) -> list[str]:
    order: list[str] = []
    for report in reports:
        for s in report.scores:
            if s.metric not in order:
                order.append(s.metric)
    return order


def _strip_run_fields(signature: str) -> str:
    """Signature without bootstrap fields: they change the interval, not the score."""
    keep = [part for part in signature.split("|") if not part.startswith(("bs:", "rs:", "seed:"))]
    return "|".join(keep)


def system_labels(reports: Sequence[EvalReport], names: Sequence[str] | None = None) -> list[str]:
    """One distinct label per report: ``names`` if given, else each report's recorded system.

    Two reports of one system (say int8 and float32 runs of one model) would get two identical
    columns, so repeated labels gain what differs in their ``generation`` blocks, or a number.
    """
    if names is not None:
        if len(names) != len(reports):
            raise ConfigError(f"got {len(names)} names for {len(reports)} reports: give one each")
        return list(names)
    labels = [r.system for r in reports]
    for label in set(labels):
        same = [i for i, other in enumerate(labels) if other == label]
        if len(same) < 2:
            continue
        keys = sorted({k for i in same for k in reports[i].generation})
        differing = [k for k in keys if len({repr(reports[i].generation.get(k)) for i in same}) > 1]
        for n, i in enumerate(same, start=1):
            facts = ", ".join(f"{k}={reports[i].generation.get(k)}" for k in differing)
            labels[i] = f"{label} [{facts}]" if facts else f"{label} #{n}"
    return labels


def compare_markdown(
    reports: Sequence[EvalReport],
    *,
    metrics: Sequence[str] | None = None,
    width: int = 2,
    names: Sequence[str] | None = None,
) -> str:
    """Systems side by side (one column each): score and 95% interval per metric.

    Columns are labelled by :func:`system_labels` (``names``, else each report's system).

    Metrics whose signatures differ between reports (other than the bootstrap settings) are
    marked with a dagger and listed, because their numbers are not comparable.
    """
    if not reports:
        raise ConfigError("compare needs at least one report")
    labels = system_labels(reports, names)
    names = list(metrics) if metrics else _metric_order(reports)
    pairs = list(zip(labels, reports, strict=True))
    header = ["metric", *(f"{label} ({r.dataset.get('name', '?')})" for label, r in pairs)]
    lines = [
        "| " + " | ".join(header) + " |",
        "| --- | " + " | ".join("---:" for _ in reports) + " |",
    ]
    mismatched: dict[str, list[str]] = {}
    for name in names:
        cells = []
        signatures = []
        for report in reports:
            found = [s for s in report.scores if s.metric == name]
            if not found:
                cells.append("-")
                continue
            s = found[0]
            signatures.append(_strip_run_fields(s.signature))
            ci = _ci(s, width)
            cells.append(f"{s.score:.{width}f}" + (f" ({ci})" if ci != "-" else ""))
        label = name
        if len(set(signatures)) > 1:
            label += " †"
            mismatched[name] = sorted(set(signatures))
        lines.append("| " + " | ".join([label, *cells]) + " |")
    lines.append("")
    lines.append("n examples: " + ", ".join(f"{label}: {r.n_examples}" for label, r in pairs) + ".")
    if mismatched:
        lines.append("")
        lines.append("† signatures differ, so these numbers are not directly comparable:")
        for name, sigs in mismatched.items():
            for sig in sigs:
                lines.append(f"- {name}: `{sig}`")
    else:
        lines.append("")
        lines.append("Signatures:")
        for name in names:
            for report in reports:
                found = [s for s in report.scores if s.metric == name]
                if found:
                    lines.append(f"- {name}: `{found[0].signature}`")
                    break
    return "\n".join(lines) + "\n"


def plot_reports(
    reports: Sequence[EvalReport],
    path: str | Path,
    *,
    metrics: Sequence[str] | None = None,
    title: str | None = None,
    names: Sequence[str] | None = None,
) -> Path:
    """Grouped bar chart (one group per metric, one bar per system) with 95% CI error bars.

    Needs matplotlib (``pip install "ringkas[plot]"``); uses no global pyplot state.
    """
    if not reports:
        raise ConfigError("plot needs at least one report")
    require("matplotlib", package="matplotlib", extra="plot", purpose="Plotting reports")
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    labels = system_labels(reports, names)
    names = list(metrics) if metrics else _metric_order(reports)
    figure = Figure(figsize=(max(4.0, 1.2 * len(names) * max(1, len(reports)) ** 0.5 + 2), 4))
    FigureCanvasAgg(figure)
    axes = figure.add_subplot(1, 1, 1)
    width = 0.8 / len(reports)
    for i, (report, label) in enumerate(zip(reports, labels, strict=True)):
        xs, heights, errors_low, errors_high = [], [], [], []
        for j, name in enumerate(names):
            found = [s for s in report.scores if s.metric == name]
            if not found:
                continue
            s = found[0]
            xs.append(j + (i - (len(reports) - 1) / 2) * width)
            heights.append(s.score)
            errors_low.append(s.score - s.ci_low if s.ci_low is not None else 0.0)
            errors_high.append(s.ci_high - s.score if s.ci_high is not None else 0.0)
        axes.bar(xs, heights, width=width, yerr=[errors_low, errors_high], capsize=3, label=label)
    axes.set_xticks(list(range(len(names))))
    axes.set_xticklabels(names)
    axes.set_ylabel("score (95% CI)")
    if title:
        axes.set_title(title)
    axes.legend(loc="upper center", bbox_to_anchor=(0.5, -0.08), ncol=min(len(reports), 4))
    figure.tight_layout()
    out = Path(path)
    figure.savefig(out)
    return out
