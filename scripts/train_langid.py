"""Train ringkas's regional language model from FLORES-200 ``dev`` (never ``devtest``).

Reproducible: same data, same bytes out (sorted keys, gzip mtime 0, no randomness).

What it does:

1. Counts, per language, in how many ``dev`` sentences each feature occurs (features from
   ``ringkas.langid._regional_features``: character 1-6-grams of padded words, plus words), and
   keeps the features seen at least ``--min-count`` times in all (this keeps the file < 2 MB).
2. Chooses the free parameters by ``--folds``-fold cross-validation on ``dev`` only: the log prior
   of Indonesian and of the five minor languages, the weight of pycld2's id-vs-ms vote (chosen to
   meet the issue's targets, id >= 97% and ms >= 95%, by the widest margin), then the softmax
   temperature (by log-loss).
3. Writes ``src/ringkas/data/langid_regional.json.gz``::

       {"format": 1, "languages": [...], "max_order": 6, "alpha": 0.1, "min_count": 2,
        "bias": {lang: log prior}, "cld2_weight": float, "temperature": float,
        "features": "feature\nfeature\n...", "counts": [base64 of uint16 LE per language],
        "cv": {...}, "source": "..."}

   A count is the number of a language's dev sentences that contain the feature.

Usage: ``python scripts/train_langid.py [--data ../shared/data/flores200/dev] [--out PATH]``.
"""

from __future__ import annotations

import argparse
import base64
import gzip
import itertools
import json
import sys
from array import array
from collections import Counter
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ringkas.langid import _cld2_codes, _load_regional_model, _regional_features

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_DATA = ROOT.parent / "shared" / "data" / "flores200" / "dev"
DEFAULT_OUT = ROOT / "src" / "ringkas" / "data" / "langid_regional.json.gz"

#: ringkas code -> FLORES-200 file stem, in the model's language order.
LANGUAGES: dict[str, str] = {
    "id": "ind_Latn",
    "ms": "zsm_Latn",
    "jv": "jav_Latn",
    "su": "sun_Latn",
    "tl": "tgl_Latn",
    "min": "min_Latn",
    "ban": "ban_Latn",
    "bjn": "bjn_Latn",
    "ace": "ace_Latn",
    "bug": "bug_Latn",
}
MINOR = ("min", "ban", "bjn", "ace", "bug")
MAX_ORDER = 6
ALPHA = 0.1
TARGETS = {"id": 0.97, "ms": 0.95}
GRID_ID_BIAS = [x / 2 for x in range(0, 31)]
GRID_MINOR_BIAS = [0.0, -2.0, -5.0, -10.0, -20.0]
GRID_CLD2 = [0.0, 2.0, 5.0, 10.0, 20.0, 30.0, 50.0]
GRID_TEMPERATURE = [1.0, 2.0, 5.0, 10.0, 20.0, 30.0, 50.0, 70.0, 100.0, 150.0, 200.0]


def read_dev(data: Path) -> dict[str, list[str]]:
    out = {}
    for code, stem in LANGUAGES.items():
        path = data / f"{stem}.dev"
        out[code] = [line.rstrip("\n") for line in path.read_text(encoding="utf-8").splitlines()]
    return out


def count_features(
    sentences: Mapping[str, Sequence[str]], min_count: int
) -> tuple[list[str], list[list[int]]]:
    """Features (sorted) and, per language, in how many of its sentences each one occurs."""
    langs = list(LANGUAGES)
    counts: dict[str, Counter[str]] = {lang: Counter() for lang in langs}
    for lang in langs:
        for s in sentences[lang]:
            counts[lang].update(_regional_features(s, MAX_ORDER))
    total: Counter[str] = Counter()
    for c in counts.values():
        total.update(c)
    features = sorted(f for f, n in total.items() if n >= min_count)
    return features, [[counts[lang][f] for f in features] for lang in langs]


def encode_counts(counts: Sequence[int]) -> str:
    """Base64 of little-endian uint16 (the runtime's ``_decode_counts`` reads it back)."""
    packed = array("H", counts)
    if sys.byteorder != "little":
        packed.byteswap()
    return base64.b64encode(packed.tobytes()).decode("ascii")


def payload(table: tuple[list[str], list[list[int]]], **extra: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "format": 1,
        "languages": list(LANGUAGES),
        "max_order": MAX_ORDER,
        "alpha": ALPHA,
        "bias": {},
        "cld2_weight": 0.0,
        "temperature": 1.0,
        "features": "\n".join(table[0]),
        "counts": [encode_counts(col) for col in table[1]],
    }
    base.update(extra)
    return base


def cross_validate(
    dev: Mapping[str, Sequence[str]], folds: int, min_count: int
) -> list[tuple[str, list[float], tuple[str, ...]]]:
    """Out-of-fold (gold, log-likelihoods, cld2 codes) for every dev sentence."""
    rows = []
    for k in range(folds):
        train = {lang: [s for i, s in enumerate(v) if i % folds != k] for lang, v in dev.items()}
        model = _load_regional_model(payload(count_features(train, min_count)))
        for lang, sentences in dev.items():
            for i, s in enumerate(sentences):
                if i % folds == k:
                    rows.append((lang, model.log_likelihoods(s), _cld2_codes(s)))
        print(f"  fold {k + 1}/{folds} done", file=sys.stderr)
    return rows


Rows = tuple["np.ndarray", "np.ndarray", "np.ndarray"]


def as_arrays(rows: Sequence[tuple[str, list[float], tuple[str, ...]]]) -> Rows:
    """(gold index, log-likelihood matrix, column that cld2's id/ms vote adds to, or -1)."""
    langs = list(LANGUAGES)
    gold = np.array([langs.index(g) for g, _, _ in rows])
    ll = np.array([x for _, x, _ in rows])
    vote = np.array(
        [next((langs.index(c) for c in codes if c in ("id", "ms")), -1) for _, _, codes in rows]
    )
    return gold, ll, vote


def decide(arrays: Rows, bias: Sequence[float], cld2: float) -> np.ndarray:
    """Scores as the runtime computes them (before the temperature)."""
    _, ll, vote = arrays
    scores = ll + np.asarray(bias)
    voted = vote >= 0
    scores[np.flatnonzero(voted), vote[voted]] += cld2
    return scores


def accuracies(arrays: Rows, scores: np.ndarray) -> dict[str, float]:
    gold = arrays[0]
    hit = scores.argmax(axis=1) == gold
    return {lang: float(hit[gold == k].mean()) for k, lang in enumerate(LANGUAGES)}


def bias_vector(id_bias: float, minor_bias: float) -> list[float]:
    return [id_bias if lang == "id" else minor_bias if lang in MINOR else 0.0 for lang in LANGUAGES]


def tune(rows: Sequence[tuple[str, list[float], tuple[str, ...]]]) -> dict[str, Any]:
    """Grid search on out-of-fold scores: widest margin over the id/ms targets, then accuracy."""
    arrays = as_arrays(rows)
    best: tuple[float, float] | None = None
    chosen: dict[str, Any] = {}
    for id_bias, minor_bias, cld2 in itertools.product(GRID_ID_BIAS, GRID_MINOR_BIAS, GRID_CLD2):
        acc = accuracies(arrays, decide(arrays, bias_vector(id_bias, minor_bias), cld2))
        margin = min(acc[lang] - target for lang, target in TARGETS.items())
        key = (round(margin, 6), round(sum(acc.values()) / len(acc), 6))
        if best is None or key > best:
            best = key
            chosen = {"id_bias": id_bias, "minor_bias": minor_bias, "cld2_weight": cld2, "acc": acc}
    scores = decide(
        arrays, bias_vector(chosen["id_bias"], chosen["minor_bias"]), chosen["cld2_weight"]
    )
    gold = arrays[0]

    def log_loss(t: float) -> float:
        z = (scores - scores.max(axis=1, keepdims=True)) / t
        logp = z - np.log(np.exp(z).sum(axis=1, keepdims=True))
        return float(-logp[np.arange(len(gold)), gold].mean())

    chosen["temperature"] = min(GRID_TEMPERATURE, key=log_loss)
    chosen["log_loss"] = log_loss(chosen["temperature"])
    chosen["acc_nb_only"] = accuracies(arrays, decide(arrays, bias_vector(0.0, 0.0), 0.0))
    chosen["acc_nb_prior"] = accuracies(
        arrays, decide(arrays, bias_vector(chosen["id_bias"], chosen["minor_bias"]), 0.0)
    )
    return chosen


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA, help="FLORES-200 dev folder")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="model file to write")
    parser.add_argument("--folds", type=int, default=5, help="cross-validation folds on dev")
    parser.add_argument("--min-count", type=int, default=2, help="drop rarer features")
    args = parser.parse_args(argv)

    dev = read_dev(args.data)
    print(f"cross-validating on {args.data} ({args.folds} folds)", file=sys.stderr)
    chosen = tune(cross_validate(dev, args.folds, args.min_count))
    print(
        "chosen by CV on dev:",
        json.dumps({k: v for k, v in chosen.items() if not k.startswith("acc")}),
        file=sys.stderr,
    )
    for label, key in (("NB alone", "acc_nb_only"), ("NB + prior", "acc_nb_prior"),
                       ("NB + prior + cld2 (chosen)", "acc")):  # fmt: skip
        acc = {k: round(100 * v, 2) for k, v in chosen[key].items()}
        print(f"CV accuracy, {label}: {acc}", file=sys.stderr)

    table = count_features(dev, args.min_count)
    bias = dict(zip(LANGUAGES, bias_vector(chosen["id_bias"], chosen["minor_bias"]), strict=True))
    model = payload(
        table,
        min_count=args.min_count,
        bias={k: v for k, v in bias.items() if v},
        cld2_weight=chosen["cld2_weight"],
        temperature=chosen["temperature"],
        cv={
            "folds": args.folds,
            "accuracy": {k: round(v, 4) for k, v in chosen["acc"].items()},
            "log_loss": round(chosen["log_loss"], 4),
        },
        source="FLORES-200 dev (CC-BY-SA 4.0), files: "
        + " ".join(f"{stem}.dev" for stem in LANGUAGES.values()),
    )
    blob = json.dumps(model, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_bytes(gzip.compress(blob.encode("utf-8"), compresslevel=9, mtime=0))
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB, {len(table[0])} features)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
