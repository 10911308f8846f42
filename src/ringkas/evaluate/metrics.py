"""Scores from the field's libraries (sacrebleu, rouge-score), each with its signature.

Nothing here re-implements a metric. BLEU, chrF and chrF++ are sacrebleu's corpus scores with
sacrebleu's own signatures. ROUGE is rouge-score's, with two things fixed for Indonesian:

* ``mode="unicode"`` (default): NFC-normalised, lowercased, Unicode letters and digits kept
  (rouge-score's default tokenizer keeps only ``[a-z0-9]``: "Café" becomes "caf"), no stemmer
  (Porter is English), and rougeLsum sentences split by ringkas's own splitter;
* ``mode="compat"``: rouge-score's defaults exactly (its tokenizer, optional Porter stemmer,
  rougeLsum sentences = lines of the input) so that published numbers can be compared.

Every :class:`Score` carries a signature of the options that produced it, e.g.
``rouge1|tok:unicode|lc:yes|stem:no|sent:ringkas|nrefs:1|bs:1000|rs:12345|version:rouge-score-0.1.2|ringkas-0.1.0``.
Scores are on a 0-100 scale. Several references: BLEU and chrF use them natively; ROUGE takes,
per document and per ROUGE type, the reference with the highest F1 (rouge-score's
``score_multi``), then averages over documents.

Confidence intervals resample documents (seeded bootstrap, 95% percentile interval); the
paired test resamples the same documents for both systems (Koehn 2004, as sacrebleu does).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ringkas.errors import ConfigError, DataError, MissingDependencyError
from ringkas.evaluate._common import (
    package_version,
    require,
    require_optional,
    ringkas_version,
)
from ringkas.evaluate.scores import (
    _DISPLAY_NAMES,
    _EVAL_EXTRA,
    DEFAULT_SEED,
    METRICS,
    ROUGE_MODES,
    ROUGE_SPLITS,
    ROUGE_TYPES,
    PairedResult,
    RougeValue,
    Score,
    ScoreOptions,
    ScoreSet,
    SkippedMetric,
    _check_choice,
    _check_inputs,
    _nrefs,
    _numpy,
    _refs_per_document,
    _resample_counts,
    _Stats,
    _with_bootstrap,
)
from ringkas.text import split_sentences, unicode_tokenize

if TYPE_CHECKING:
    import numpy as np

__all__ = [
    "DEFAULT_SEED",
    "METRICS",
    "ROUGE_MODES",
    "ROUGE_SPLITS",
    "ROUGE_TYPES",
    "PairedResult",
    "RougeMetric",
    "RougeValue",
    "Score",
    "ScoreOptions",
    "ScoreSet",
    "SkippedMetric",
    "compute_bertscore",
    "compute_bleu",
    "compute_chrf",
    "compute_comet",
    "compute_rouge",
    "paired_bootstrap",
    "rouge_per_document",
    "score",
    "unicode_tokenize",
]

# --------------------------------------------------------------------------------------------
# sacrebleu metrics


def _sacrebleu_score(
    metric: Any,
    hypotheses: Sequence[str],
    streams: list[list[str | None]],
    *,
    width: int,
    bootstrap: int,
    seed: int,
    counts: np.ndarray | None = None,
) -> tuple[Score, _Stats]:
    npx = _numpy()
    stats_list = metric._extract_corpus_statistics(list(hypotheses), streams)
    result = metric._aggregate_and_compute(stats_list)
    if bootstrap:
        # sacrebleu's own signature fields for resampling (bs:N|seed:S), set as corpus_score does.
        metric.n_bootstrap = bootstrap
        metric.seed = seed
    signature = f"{result.name}|{metric.get_signature().format()}"
    extra: dict[str, float] = {}
    if hasattr(result, "bp"):
        extra = {
            "bp": float(result.bp),
            "ratio": float(result.ratio),
            "sys_len": float(result.sys_len),
            "ref_len": float(result.ref_len),
        }
    base = Score(
        metric=result.name,
        score=float(result.score),
        signature=signature,
        n=len(hypotheses),
        formatted=result.format(width=width, signature=signature.split("|", 1)[1]),
        extra=extra,
    )
    stats = _Stats(
        npx.asarray(stats_list, dtype=npx.float64),
        lambda row, _n: float(metric._compute_score_from_stats(list(row)).score),
    )
    if bootstrap and counts is None:
        counts = _resample_counts(len(hypotheses), bootstrap, seed)
    return _with_bootstrap(base, stats, counts if bootstrap else None), stats


def _bleu_metric(*, tokenize: str | None, lowercase: bool, lang: str | None) -> Any:
    sacrebleu = require("sacrebleu", package="sacrebleu", extra=_EVAL_EXTRA, purpose="BLEU")
    if tokenize is not None:
        _check_choice("BLEU tokenize", tokenize, tuple(sacrebleu.BLEU.TOKENIZERS))
    return sacrebleu.BLEU(tokenize=tokenize, lowercase=lowercase, trg_lang=lang or "")


def _chrf_metric(*, word_order: int) -> Any:
    sacrebleu = require("sacrebleu", package="sacrebleu", extra=_EVAL_EXTRA, purpose="chrF")
    return sacrebleu.CHRF(word_order=word_order)


def compute_bleu(
    hypotheses: Sequence[str],
    references: Sequence[Sequence[str | None]],
    *,
    tokenize: str | None = None,
    lowercase: bool = False,
    lang: str | None = None,
    bootstrap: int = 0,
    seed: int = DEFAULT_SEED,
) -> Score:
    """sacrebleu corpus BLEU. ``references`` are streams: ``[[ref1 of each doc], [ref2 ...]]``."""
    streams = _check_inputs(hypotheses, references)
    metric = _bleu_metric(tokenize=tokenize, lowercase=lowercase, lang=lang)
    result, _ = _sacrebleu_score(
        metric, hypotheses, streams, width=1, bootstrap=bootstrap, seed=seed
    )
    return result


def compute_chrf(
    hypotheses: Sequence[str],
    references: Sequence[Sequence[str | None]],
    *,
    word_order: int = 0,
    bootstrap: int = 0,
    seed: int = DEFAULT_SEED,
) -> Score:
    """sacrebleu corpus chrF (``word_order=0``) or chrF++ (``word_order=2``), 0-100."""
    streams = _check_inputs(hypotheses, references)
    metric = _chrf_metric(word_order=word_order)
    result, _ = _sacrebleu_score(
        metric, hypotheses, streams, width=3, bootstrap=bootstrap, seed=seed
    )
    return result


# --------------------------------------------------------------------------------------------
# ROUGE


class _UnicodeTokenizer:
    """Adapter with the ``tokenize(text)`` method rouge-score's RougeScorer calls."""

    def __init__(self, *, lowercase: bool) -> None:
        self.lowercase = lowercase

    def tokenize(self, text: str) -> list[str]:
        return unicode_tokenize(text, lowercase=self.lowercase)


def _split_for_lsum(text: str) -> str:
    """One sentence per line, as rouge-score's rougeLsum expects."""
    pieces = [" ".join(piece.split()) for piece in split_sentences(text)]
    return "\n".join(piece for piece in pieces if piece)


class RougeMetric:
    """rouge-score configured for one mode; scores documents against one or more references."""

    def __init__(
        self,
        *,
        types: Sequence[str] = ROUGE_TYPES,
        mode: str = "unicode",
        lowercase: bool = True,
        use_stemmer: bool = False,
        split: str | None = None,
    ) -> None:
        types = tuple(types)
        for rouge_type in types:
            _check_choice("ROUGE type", rouge_type, ROUGE_TYPES)
        if not types:
            raise ConfigError(f"no ROUGE types given; valid choices: {', '.join(ROUGE_TYPES)}")
        _check_choice("ROUGE mode", mode, ROUGE_MODES)
        if split is not None:
            _check_choice("rougeLsum split", split, ROUGE_SPLITS)
        if use_stemmer and mode != "compat":
            raise ConfigError(
                "the Porter stemmer is English; it is only offered in mode='compat' "
                "(valid modes: unicode, compat)"
            )
        self.types = types
        self.mode = mode
        # rouge-score's default tokenizer always lowercases.
        self.lowercase = True if mode == "compat" else lowercase
        self.use_stemmer = use_stemmer
        self.split = split or ("ringkas" if mode == "unicode" else "newline")
        rouge_scorer = require(
            "rouge_score.rouge_scorer", package="rouge-score", extra=_EVAL_EXTRA, purpose="ROUGE"
        )
        tokenizer = None if mode == "compat" else _UnicodeTokenizer(lowercase=lowercase)
        self._scorer = rouge_scorer.RougeScorer(
            list(types), use_stemmer=use_stemmer, tokenizer=tokenizer
        )

    def signature(self, *, nrefs: str = "1", bootstrap: int = 0, seed: int = DEFAULT_SEED) -> str:
        """Options without the metric name: ``tok:unicode|lc:yes|stem:no|...|ringkas-0.1.0``."""
        parts = [
            f"tok:{'unicode' if self.mode == 'unicode' else 'rouge-default'}",
            f"lc:{'yes' if self.lowercase else 'no'}",
            f"stem:{'porter' if self.use_stemmer else 'no'}",
            f"sent:{self.split}",
            f"nrefs:{nrefs}",
        ]
        if nrefs != "1":
            parts.append("multi:max")
        if bootstrap:
            parts += [f"bs:{bootstrap}", f"rs:{seed}"]
        parts.append(f"version:rouge-score-{package_version('rouge-score') or 'unknown'}")
        parts.append(f"ringkas-{ringkas_version()}")
        return "|".join(parts)

    def tokenize(self, text: str) -> list[str]:
        """Tokens exactly as this metric's rouge-score scorer sees them."""
        tokens: list[str] = self._scorer._tokenizer.tokenize(text)
        return tokens

    def ngram_targets(self, references: Sequence[str], orders: Sequence[int]) -> list[Any]:
        """Reference n-gram counts, computed once for repeated :meth:`ngram_f_sum` calls."""
        rouge_scorer = require(
            "rouge_score.rouge_scorer", package="rouge-score", extra=_EVAL_EXTRA, purpose="ROUGE"
        )
        return [
            {n: rouge_scorer._create_ngrams(self.tokenize(ref), n) for n in orders}
            for ref in references
        ]

    def ngram_f_sum(self, prediction_tokens: Sequence[str], targets: Sequence[Any]) -> float:
        """Sum over n of the best (over references) ROUGE-n F1 of pre-tokenised text.

        Uses rouge-score's own n-gram counting and scoring, so the value equals the sum of
        ``score_document(" ".join(sentences), references)[f"rouge{n}"].fmeasure``; it only
        skips re-tokenising, which makes the greedy oracle several times faster.
        """
        rouge_scorer = require(
            "rouge_score.rouge_scorer", package="rouge-score", extra=_EVAL_EXTRA, purpose="ROUGE"
        )
        if not targets:
            raise DataError("a document has no reference")
        total = 0.0
        for n in targets[0]:
            predicted = rouge_scorer._create_ngrams(list(prediction_tokens), n)
            total += max(
                float(rouge_scorer._score_ngrams(t[n], predicted).fmeasure) for t in targets
            )
        return total

    def _prepare(self, text: str) -> str:
        if "rougeLsum" in self.types and self.split == "ringkas":
            return _split_for_lsum(text)
        return text

    def score_document(self, hypothesis: str, references: Sequence[str]) -> dict[str, RougeValue]:
        """Scores of one document; with several references, the best F1 per type."""
        if not references:
            raise DataError("a document has no reference")
        prediction = self._prepare(hypothesis)
        targets = [self._prepare(ref) for ref in references]
        if len(targets) == 1:
            raw = self._scorer.score(targets[0], prediction)
        else:
            raw = self._scorer.score_multi(targets, prediction)
        return {
            t: RougeValue(float(raw[t].precision), float(raw[t].recall), float(raw[t].fmeasure))
            for t in self.types
        }

    def score_documents(
        self, hypotheses: Sequence[str], references: Sequence[Sequence[str | None]]
    ) -> list[dict[str, RougeValue]]:
        streams = _check_inputs(hypotheses, references)
        refs = _refs_per_document(streams)
        return [self.score_document(h, r) for h, r in zip(hypotheses, refs, strict=True)]


def rouge_per_document(
    hypotheses: Sequence[str],
    references: Sequence[Sequence[str | None]],
    *,
    types: Sequence[str] = ROUGE_TYPES,
    mode: str = "unicode",
    lowercase: bool = True,
    use_stemmer: bool = False,
    split: str | None = None,
) -> list[dict[str, RougeValue]]:
    """Per-document ROUGE on rouge-score's 0-1 scale (what per-example published tables show)."""
    metric = RougeMetric(
        types=types, mode=mode, lowercase=lowercase, use_stemmer=use_stemmer, split=split
    )
    return metric.score_documents(hypotheses, references)


def _rouge_scores(
    hypotheses: Sequence[str],
    streams: list[list[str | None]],
    *,
    types: Sequence[str],
    mode: str,
    lowercase: bool,
    use_stemmer: bool,
    split: str | None,
    bootstrap: int,
    seed: int,
    counts: np.ndarray | None = None,
) -> list[tuple[Score, _Stats]]:
    npx = _numpy()
    metric = RougeMetric(
        types=types, mode=mode, lowercase=lowercase, use_stemmer=use_stemmer, split=split
    )
    refs = _refs_per_document(streams)
    per_doc = [metric.score_document(h, r) for h, r in zip(hypotheses, refs, strict=True)]
    options = metric.signature(nrefs=_nrefs(streams), bootstrap=bootstrap, seed=seed)
    if bootstrap and counts is None:
        counts = _resample_counts(len(hypotheses), bootstrap, seed)
    results = []
    for rouge_type in metric.types:
        f = npx.array([d[rouge_type].fmeasure for d in per_doc], dtype=npx.float64)
        p = npx.array([d[rouge_type].precision for d in per_doc], dtype=npx.float64)
        r = npx.array([d[rouge_type].recall for d in per_doc], dtype=npx.float64)
        signature = f"{rouge_type}|{options}"
        value = 100.0 * float(f.mean())
        base = Score(
            metric=rouge_type,
            score=value,
            signature=signature,
            n=len(hypotheses),
            formatted=f"{signature} = {value:.2f}",
            extra={"precision": 100.0 * float(p.mean()), "recall": 100.0 * float(r.mean())},
        )
        stats = _Stats(f[:, None], lambda row, n: 100.0 * float(row[0]) / n)
        results.append((_with_bootstrap(base, stats, counts if bootstrap else None), stats))
    return results


def compute_rouge(
    hypotheses: Sequence[str],
    references: Sequence[Sequence[str | None]],
    *,
    types: Sequence[str] = ROUGE_TYPES,
    mode: str = "unicode",
    lowercase: bool = True,
    use_stemmer: bool = False,
    split: str | None = None,
    bootstrap: int = 0,
    seed: int = DEFAULT_SEED,
) -> dict[str, Score]:
    """Mean per-document ROUGE F1 (0-100) for each type, keyed by type."""
    streams = _check_inputs(hypotheses, references)
    results = _rouge_scores(
        hypotheses,
        streams,
        types=types,
        mode=mode,
        lowercase=lowercase,
        use_stemmer=use_stemmer,
        split=split,
        bootstrap=bootstrap,
        seed=seed,
    )
    return {s.metric: s for s, _ in results}


# --------------------------------------------------------------------------------------------
# Model-based metrics: only with locally present packages and models, never downloaded.


def _local_model(path: str | None, metric: str, option: str) -> Path:
    if not path:
        raise MissingDependencyError(
            f"{metric} needs a local model: pass {option}=PATH (ringkas never downloads models)"
        )
    local = Path(path).expanduser()
    if not local.exists():
        raise MissingDependencyError(
            f"{metric} model {str(local)!r} does not exist locally (ringkas never downloads models)"
        )
    return local


def compute_bertscore(
    hypotheses: Sequence[str],
    references: Sequence[Sequence[str | None]],
    *,
    model: str | None,
    num_layers: int | None = None,
    lang: str | None = None,
    batch_size: int = 32,
    device: str | None = None,
    bootstrap: int = 0,
    seed: int = DEFAULT_SEED,
) -> Score:
    """BERTScore F1 (x100) with a local model directory; the max over references per document."""
    streams = _check_inputs(hypotheses, references)
    local = _local_model(model, "BERTScore", "bertscore_model")
    bert_score = require_optional("bert_score", package="bert-score", purpose="BERTScore")
    npx = _numpy()
    refs = _refs_per_document(streams)
    _, _, f1 = bert_score.score(
        list(hypotheses),
        refs,
        model_type=str(local),
        num_layers=num_layers,
        lang=lang,
        batch_size=batch_size,
        device=device,
        verbose=False,
    )
    values = npx.asarray(f1, dtype=npx.float64) * 100.0
    signature = (
        f"BERTScore-F1|model:{local.name}|layers:{num_layers or 'default'}|"
        f"nrefs:{_nrefs(streams)}|version:bert-score-{package_version('bert-score')}|"
        f"ringkas-{ringkas_version()}"
    )
    value = float(values.mean())
    base = Score(
        "BERTScore-F1", value, signature, len(hypotheses), formatted=f"{signature} = {value:.2f}"
    )
    counts = _resample_counts(len(hypotheses), bootstrap, seed) if bootstrap else None
    return _with_bootstrap(base, _Stats(values[:, None], lambda row, n: float(row[0]) / n), counts)


def compute_comet(
    hypotheses: Sequence[str],
    references: Sequence[Sequence[str | None]],
    *,
    sources: Sequence[str] | None,
    model: str | None,
    batch_size: int = 16,
    gpus: int = 0,
    bootstrap: int = 0,
    seed: int = DEFAULT_SEED,
) -> Score:
    """COMET system score from a local checkpoint (first reference; COMET takes one)."""
    streams = _check_inputs(hypotheses, references)
    if sources is None or len(sources) != len(hypotheses):
        raise DataError("COMET needs the source sentences, one per hypothesis (--src FILE)")
    local = _local_model(model, "COMET", "comet_model")
    comet = require_optional("comet", package="unbabel-comet", purpose="COMET")
    npx = _numpy()
    refs = _refs_per_document(streams)
    data = [
        {"src": s, "mt": h, "ref": r[0]} for s, h, r in zip(sources, hypotheses, refs, strict=True)
    ]
    output = comet.load_from_checkpoint(str(local)).predict(
        data, batch_size=batch_size, gpus=gpus, progress_bar=False
    )
    values = npx.asarray(output.scores, dtype=npx.float64)
    signature = (
        f"COMET|model:{local.name}|nrefs:1|version:unbabel-comet-"
        f"{package_version('unbabel-comet')}|ringkas-{ringkas_version()}"
    )
    value = float(values.mean())
    base = Score("COMET", value, signature, len(hypotheses), formatted=f"{signature} = {value:.4f}")
    counts = _resample_counts(len(hypotheses), bootstrap, seed) if bootstrap else None
    return _with_bootstrap(base, _Stats(values[:, None], lambda row, n: float(row[0]) / n), counts)


# --------------------------------------------------------------------------------------------
# The front door


def _all_stats(
    hypotheses: Sequence[str],
    streams: list[list[str | None]],
    options: ScoreOptions,
    counts: np.ndarray | None,
    sources: Sequence[str] | None,
) -> tuple[list[tuple[Score, _Stats | None]], list[SkippedMetric]]:
    bootstrap = options.bootstrap
    results: list[tuple[Score, _Stats | None]] = []
    skipped: list[SkippedMetric] = []
    for name in options.metrics:
        if name == "bleu":
            metric = _bleu_metric(
                tokenize=options.bleu_tokenize, lowercase=False, lang=options.lang
            )
            results.append(
                _sacrebleu_score(
                    metric,
                    hypotheses,
                    streams,
                    width=1,
                    bootstrap=bootstrap,
                    seed=options.seed,
                    counts=counts,
                )
            )
        elif name in ("chrf", "chrf++"):
            metric = _chrf_metric(word_order=2 if name == "chrf++" else 0)
            results.append(
                _sacrebleu_score(
                    metric,
                    hypotheses,
                    streams,
                    width=3,
                    bootstrap=bootstrap,
                    seed=options.seed,
                    counts=counts,
                )
            )
        elif name in ("bertscore", "comet"):
            try:
                if name == "bertscore":
                    result = compute_bertscore(
                        hypotheses,
                        streams,
                        model=options.bertscore_model,
                        lang=options.lang,
                        bootstrap=bootstrap,
                        seed=options.seed,
                    )
                else:
                    result = compute_comet(
                        hypotheses,
                        streams,
                        sources=sources,
                        model=options.comet_model,
                        bootstrap=bootstrap,
                        seed=options.seed,
                    )
            except (MissingDependencyError, DataError) as exc:
                skipped.append(SkippedMetric(_DISPLAY_NAMES[name], str(exc)))
                continue
            results.append((result, None))
    rouge_types = [t for t in options.metrics if t in ROUGE_TYPES]
    if rouge_types:
        rouge = _rouge_scores(
            hypotheses,
            streams,
            types=rouge_types,
            mode=options.rouge_mode,
            lowercase=options.rouge_lowercase,
            use_stemmer=options.rouge_stemmer,
            split=options.rouge_split,
            bootstrap=bootstrap,
            seed=options.seed,
            counts=counts,
        )
        results.extend((s, st) for s, st in rouge)
    order = {_DISPLAY_NAMES.get(m, m): i for i, m in enumerate(options.metrics)}
    results.sort(key=lambda item: order.get(item[0].metric, len(order)))
    return results, skipped


def score(
    hypotheses: Sequence[str],
    references: Sequence[Sequence[str | None]],
    *,
    sources: Sequence[str] | None = None,
    options: ScoreOptions | None = None,
) -> ScoreSet:
    """Score one system with every metric in ``options`` (default: BLEU and chrF, 1000 resamples).

    ``references`` are streams, as in sacrebleu: ``[refs_set_1, refs_set_2, ...]``, each aligned
    with ``hypotheses`` (``None`` marks a missing reference). Metrics that cannot run here
    (BERTScore or COMET without their package or a local model) are listed in ``skipped``.
    """
    options = options or ScoreOptions()
    streams = _check_inputs(hypotheses, references)
    counts = (
        _resample_counts(len(hypotheses), options.bootstrap, options.seed)
        if options.bootstrap
        else None
    )
    results, skipped = _all_stats(hypotheses, streams, options, counts, sources)
    return ScoreSet(tuple(s for s, _ in results), tuple(skipped), len(hypotheses))


def paired_bootstrap(
    hypotheses_a: Sequence[str],
    hypotheses_b: Sequence[str],
    references: Sequence[Sequence[str | None]],
    *,
    options: ScoreOptions | None = None,
) -> tuple[PairedResult, ...]:
    """Paired bootstrap test of B against A: the same resampled documents score both systems.

    The p-value is sacrebleu's (Koehn 2004 / Moses): the share of resamples whose centred
    difference is at least as large as the observed one, with +1 smoothing. BERTScore and COMET
    are not tested here.
    """
    options = options or ScoreOptions()
    if len(hypotheses_a) != len(hypotheses_b):
        raise DataError(
            f"system A has {len(hypotheses_a)} hypotheses but system B has {len(hypotheses_b)}"
        )
    n_bootstrap = options.bootstrap or 1000
    streams = _check_inputs(hypotheses_a, references)
    _check_inputs(hypotheses_b, references)
    npx = _numpy()
    counts = _resample_counts(len(hypotheses_a), n_bootstrap, options.seed)
    plain_options = dataclasses.replace(options, bootstrap=0)
    a_results, _ = _all_stats(hypotheses_a, streams, plain_options, None, None)
    b_results, _ = _all_stats(hypotheses_b, streams, plain_options, None, None)
    paired = []
    for (score_a, stats_a), (score_b, stats_b) in zip(a_results, b_results, strict=True):
        if stats_a is None or stats_b is None:
            continue
        sample_a = stats_a.resampled(counts)
        sample_b = stats_b.resampled(counts)
        deltas = sample_b - sample_a
        real = score_b.score - score_a.score
        centred = npx.abs(deltas - deltas.mean())
        p_value = (float(npx.sum(centred >= abs(real))) + 1.0) / (n_bootstrap + 1.0)
        low, high = npx.percentile(deltas, [2.5, 97.5])
        name, _, rest = score_a.signature.partition("|")
        signature = f"{name}|paired-bs:{n_bootstrap}|rs:{options.seed}|{rest}"
        paired.append(
            PairedResult(
                metric=score_a.metric,
                signature=signature,
                score_a=score_a.score,
                score_b=score_b.score,
                delta=real,
                delta_ci_low=float(low),
                delta_ci_high=float(high),
                p_value=min(1.0, p_value),
                n_bootstrap=n_bootstrap,
                seed=options.seed,
                n=len(hypotheses_a),
            )
        )
    return tuple(paired)
