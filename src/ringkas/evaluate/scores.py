"""What the metrics produce and take: score types, options, input checks and the shared
bootstrap resampling (:mod:`ringkas.evaluate.metrics` computes the scores)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ringkas.errors import ConfigError, DataError
from ringkas.evaluate._common import (
    require,
)
from ringkas.types import plain

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "DEFAULT_SEED",
    "METRICS",
    "ROUGE_MODES",
    "ROUGE_SPLITS",
    "ROUGE_TYPES",
    "PairedResult",
    "RougeValue",
    "Score",
    "ScoreOptions",
    "ScoreSet",
    "SkippedMetric",
]

#: Metric names accepted by :func:`score` (``rouge`` means all four ROUGE types).
METRICS = (
    "bleu",
    "chrf",
    "chrf++",
    "rouge",
    "rouge1",
    "rouge2",
    "rougeL",
    "rougeLsum",
    "bertscore",
    "comet",
)
ROUGE_TYPES = ("rouge1", "rouge2", "rougeL", "rougeLsum")
ROUGE_MODES = ("unicode", "compat")
#: How rougeLsum finds sentences: ringkas's splitter, or the lines of the text as given.
ROUGE_SPLITS = ("ringkas", "newline")
#: sacrebleu's default seed, so that our intervals and sacrebleu's agree in spirit.
DEFAULT_SEED = 12345

_EVAL_EXTRA = "eval"


# --------------------------------------------------------------------------------------------
# Result types


@dataclass(frozen=True)
class Score:
    """One corpus-level score with the signature of the options that produced it."""

    #: Display name: ``BLEU``, ``chrF2``, ``chrF2++``, ``rouge1`` ... ``BERTScore-F1``, ``COMET``.
    metric: str
    #: The corpus score on a 0-100 scale (COMET: its own scale).
    score: float
    #: ``NAME|key:value|...``: everything needed to reproduce (or refuse to compare) the number.
    signature: str
    #: Number of documents (segments) scored.
    n: int
    #: Bootstrap resamples (0: no confidence interval).
    n_bootstrap: int = 0
    #: Mean of the bootstrap scores and the 95% percentile interval (None without bootstrap).
    mean: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    #: The library's own verbose line, e.g. sacrebleu's
    #: ``BLEU|nrefs:1|... = 38.6 68.8/45.3/32.2/23.4 (BP = 0.986 ...)``.
    formatted: str = ""
    #: Further numbers (ROUGE precision and recall, BLEU brevity penalty, ...).
    extra: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = plain(self)
        return result

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Score:
        return cls(**{k: v for k, v in data.items() if k in _SCORE_FIELDS})

    def format(self, width: int = 2) -> str:
        """``signature = score [low, high]``, as one line."""
        text = f"{self.signature} = {self.score:.{width}f}"
        if self.ci_low is not None and self.ci_high is not None:
            text += f" (95% CI {self.ci_low:.{width}f}-{self.ci_high:.{width}f})"
        return text


_SCORE_FIELDS = frozenset(Score.__dataclass_fields__)


@dataclass(frozen=True)
class SkippedMetric:
    """A metric that was asked for but could not run here, and why (never a silent gap)."""

    metric: str
    reason: str

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = plain(self)
        return result


@dataclass(frozen=True)
class PairedResult:
    """Paired bootstrap test of system B against system A on one metric."""

    metric: str
    signature: str
    score_a: float
    score_b: float
    #: ``score_b - score_a``, with its 95% bootstrap interval.
    delta: float
    delta_ci_low: float
    delta_ci_high: float
    #: Probability of a difference at least this large if the systems were equal (two-sided).
    p_value: float
    n_bootstrap: int
    seed: int
    n: int

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = plain(self)
        return result

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> PairedResult:
        return cls(**{k: v for k, v in data.items() if k in _PAIRED_FIELDS})


_PAIRED_FIELDS = frozenset(PairedResult.__dataclass_fields__)


@dataclass(frozen=True)
class RougeValue:
    """rouge-score's precision, recall and F1 for one document, on its native 0-1 scale."""

    precision: float
    recall: float
    fmeasure: float


@dataclass(frozen=True)
class ScoreSet:
    """The scores of one system: those computed, and those skipped with the reason."""

    scores: tuple[Score, ...]
    skipped: tuple[SkippedMetric, ...] = ()
    n: int = 0

    def __getitem__(self, name: str) -> Score:
        """Look a score up by display name (``chrF2``) or by metric id (``chrf``)."""
        wanted = _DISPLAY_NAMES.get(name, name)
        for item in self.scores:
            if item.metric == wanted:
                return item
        available = ", ".join(s.metric for s in self.scores) or "none"
        raise KeyError(f"no score named {name!r}; available: {available}")

    def __contains__(self, name: object) -> bool:
        wanted = _DISPLAY_NAMES.get(name, name) if isinstance(name, str) else name
        return any(s.metric == wanted for s in self.scores)

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = plain(self)
        return result


_DISPLAY_NAMES = {
    "bleu": "BLEU",
    "chrf": "chrF2",
    "chrf++": "chrF2++",
    "bertscore": "BERTScore-F1",
    "comet": "COMET",
}


# --------------------------------------------------------------------------------------------
# Options


@dataclass(frozen=True)
class ScoreOptions:
    """How to score: which metrics, with which options. Validated on construction."""

    #: Metric ids from :data:`METRICS`; ``rouge`` expands to rouge1, rouge2, rougeL, rougeLsum.
    metrics: tuple[str, ...] = ("bleu", "chrf")
    #: Target language (ISO 639-1); picks sacrebleu's tokenizer for zh/ja/ko, BERTScore's model.
    lang: str | None = None
    #: sacrebleu BLEU tokenizer (None: 13a, or the language's own for zh/ja/ko).
    bleu_tokenize: str | None = None
    #: ``unicode`` (Indonesian-safe) or ``compat`` (rouge-score's defaults, for published numbers).
    rouge_mode: str = "unicode"
    #: Lowercase before ROUGE (compat mode always lowercases, as rouge-score does).
    rouge_lowercase: bool = True
    #: Porter stemmer (English; compat mode only).
    rouge_stemmer: bool = False
    #: rougeLsum sentence splitting (None: ``ringkas`` in unicode mode, ``newline`` in compat).
    rouge_split: str | None = None
    #: Bootstrap resamples of documents for 95% intervals (0 turns them off).
    bootstrap: int = 1000
    seed: int = DEFAULT_SEED
    #: Local model directory for BERTScore (ringkas never downloads); None skips BERTScore.
    bertscore_model: str | None = None
    #: Local COMET checkpoint (``.ckpt``); None skips COMET.
    comet_model: str | None = None

    def __post_init__(self) -> None:
        metrics = (self.metrics,) if isinstance(self.metrics, str) else tuple(self.metrics)
        expanded: list[str] = []
        for name in metrics:
            key = _normalise_metric(name)
            for item in ROUGE_TYPES if key == "rouge" else (key,):
                if item not in expanded:
                    expanded.append(item)
        if not expanded:
            raise ConfigError(f"no metrics given; valid choices: {', '.join(METRICS)}")
        object.__setattr__(self, "metrics", tuple(expanded))
        _check_choice("rouge_mode", self.rouge_mode, ROUGE_MODES)
        if self.rouge_split is not None:
            _check_choice("rouge_split", self.rouge_split, ROUGE_SPLITS)
        if self.rouge_stemmer and self.rouge_mode != "compat":
            raise ConfigError(
                "the ROUGE stemmer is rouge-score's English Porter stemmer; it is only offered in "
                "rouge_mode='compat' (valid modes: unicode, compat)"
            )
        if self.bleu_tokenize is not None:
            _check_choice("bleu_tokenize", self.bleu_tokenize, _bleu_tokenizers())
        if isinstance(self.bootstrap, bool) or not isinstance(self.bootstrap, int):
            raise ConfigError(f"bootstrap must be an integer, got {self.bootstrap!r}")
        if self.bootstrap < 0 or self.bootstrap == 1:
            raise ConfigError(
                f"bootstrap must be 0 (no intervals) or at least 2 resamples, got {self.bootstrap}"
            )

    @property
    def effective_rouge_split(self) -> str:
        if self.rouge_split is not None:
            return self.rouge_split
        return "ringkas" if self.rouge_mode == "unicode" else "newline"

    def to_dict(self) -> dict[str, Any]:
        result: dict[str, Any] = plain(self)
        return result


def _normalise_metric(name: str) -> str:
    key = name.strip()
    lowered = key.lower()
    for valid in METRICS:
        if lowered == valid.lower():
            return valid
    aliases = {"chrf2": "chrf", "chrf2++": "chrf++", "chrfpp": "chrf++", "rougelsum": "rougeLsum"}
    if lowered in aliases:
        return aliases[lowered]
    raise ConfigError(f"unknown metric {name!r}; valid choices: {', '.join(METRICS)}")


def _check_choice(option: str, value: object, choices: Sequence[str]) -> None:
    if value not in choices:
        raise ConfigError(f"unknown {option} {value!r}; valid choices: {', '.join(choices)}")


def _bleu_tokenizers() -> tuple[str, ...]:
    sacrebleu = require("sacrebleu", package="sacrebleu", extra=_EVAL_EXTRA, purpose="BLEU")
    return tuple(sacrebleu.BLEU.TOKENIZERS)


# --------------------------------------------------------------------------------------------
# Input checks


def _check_inputs(
    hypotheses: Sequence[str], references: Sequence[Sequence[str | None]]
) -> list[list[str | None]]:
    """Validate shapes (streams of references, as sacrebleu takes them) and return lists."""
    if isinstance(hypotheses, str):
        raise DataError("hypotheses must be a sequence of strings, not one string")
    if isinstance(references, str) or not references:
        raise DataError("references must be a non-empty sequence of reference streams")
    streams = []
    for i, stream in enumerate(references):
        if isinstance(stream, str):
            raise DataError(
                "references must be a sequence of streams (one list per reference set), "
                "got a plain list of strings; wrap it: [references]"
            )
        stream = list(stream)
        if len(stream) != len(hypotheses):
            raise DataError(
                f"{len(hypotheses)} hypotheses but reference set {i + 1} has {len(stream)} "
                "segments; they must be aligned"
            )
        streams.append(stream)
    if not hypotheses:
        raise DataError("nothing to score: there are no hypotheses")
    for j, hyp in enumerate(hypotheses):
        if not isinstance(hyp, str):
            raise DataError(f"hypothesis {j + 1} is {type(hyp).__name__}, not a string")
    for j in range(len(hypotheses)):
        if all(not isinstance(stream[j], str) for stream in streams):
            raise DataError(f"segment {j + 1} has no reference")
    return streams


def _refs_per_document(streams: list[list[str | None]]) -> list[list[str]]:
    documents: list[list[str]] = [[] for _ in streams[0]]
    for stream in streams:
        for refs, ref in zip(documents, stream, strict=True):
            if isinstance(ref, str):
                refs.append(ref)
    return documents


def _nrefs(streams: list[list[str | None]]) -> str:
    counts = {sum(isinstance(s[j], str) for s in streams) for j in range(len(streams[0]))}
    return str(counts.pop()) if len(counts) == 1 else "var"


# --------------------------------------------------------------------------------------------
# Bootstrap machinery: one resampling plan (counts of each document per resample) shared by all
# metrics of a run, so that intervals and paired tests see the same resamples.


def _numpy() -> Any:
    return require("numpy", package="numpy", extra=_EVAL_EXTRA, purpose="bootstrap resampling")


def _resample_counts(n: int, n_bootstrap: int, seed: int) -> np.ndarray:
    """``(n_bootstrap, n)`` matrix: how often each document is drawn in each resample."""
    npx = _numpy()
    rng = npx.random.default_rng(seed)
    idx = rng.integers(0, n, size=(n_bootstrap, n))
    flat = (npx.arange(n_bootstrap)[:, None] * n + idx).ravel()
    return npx.bincount(flat, minlength=n_bootstrap * n).reshape(n_bootstrap, n).astype(npx.float64)


class _Stats:
    """Per-document statistics plus the function that turns their sum into a corpus score."""

    def __init__(self, stats: np.ndarray, from_sum: Callable[[np.ndarray, float], float]):
        self.stats = stats  # (n, k)
        self.from_sum = from_sum  # (summed stats, number of docs) -> score

    def resampled(self, counts: np.ndarray) -> np.ndarray:
        sums = counts @ self.stats  # (B, k)
        n = float(counts[0].sum())
        npx = _numpy()
        return npx.array([self.from_sum(row, n) for row in sums], dtype=npx.float64)


def _interval(values: np.ndarray) -> tuple[float, float, float]:
    npx = _numpy()
    low, high = npx.percentile(values, [2.5, 97.5])
    return float(values.mean()), float(low), float(high)


def _with_bootstrap(score: Score, stats: _Stats, counts: np.ndarray | None) -> Score:
    if counts is None:
        return score
    mean, low, high = _interval(stats.resampled(counts))
    return Score(
        metric=score.metric,
        score=score.score,
        signature=score.signature,
        n=score.n,
        n_bootstrap=int(counts.shape[0]),
        mean=mean,
        ci_low=low,
        ci_high=high,
        formatted=score.formatted,
        extra=score.extra,
    )
