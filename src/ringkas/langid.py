"""Language identification: langdetect first, then a regional re-decider for what it cannot tell.

How a text is decided (each stage is named in :attr:`LanguageResult.stage`):

1. ``none``: URLs, e-mail addresses, @mentions, #hashtags and digits are stripped; text with no
   letter left is ``und``. This is an answer, never an exception.
2. ``script``: text written mostly in Hangul, kana, Han (without kana) or Thai is ``ko``, ``ja``,
   ``zh`` or ``th`` by its script alone (langdetect calls 4% of FLORES Chinese sentences ``ko``).
3. ``langdetect``: langdetect's 55 profiles, made deterministic: one private factory loaded once
   under a lock, and a seeded ``Detector`` per call (the library's global seed is neither).
4. ``regional``: langdetect has no Malay, Javanese or Sundanese profile and calls them ``id``
   (Malay always). Whenever it answers ``id`` or ``tl``, a naive-Bayes model over character
   1-6-grams and words, trained by ``scripts/train_langid.py`` on FLORES-200 ``dev`` and shipped in
   ``ringkas/data``, re-decides among id, ms, jv, su, tl, min, ban, bjn, ace and bug; when it says
   id or ms, a logistic regression (its evidence per feature group, pycld2's vote and word counts
   from more Indonesian text) splits those two; pycld2 also recognises Cebuano and Waray, which
   langdetect calls ``tl``.

Nothing is downloaded and nothing global is set; models load lazily, once, under a lock. Codes are
ISO 639-1 where one exists (``zh-cn`` and ``zh-tw`` are ``zh``), else ISO 639-3 (``min``,
``ban``, ...).
"""

from __future__ import annotations

import base64
import gzip
import itertools
import json
import math
import re
import sys
import threading
import unicodedata
from array import array
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from importlib import resources
from operator import itemgetter
from typing import Any

from ringkas.errors import InputError
from ringkas.types import UND, LanguageResult

__all__ = [
    "LANGDETECT_LANGUAGES",
    "REGIONAL_LANGUAGES",
    "SUPPORTED_LANGUAGES",
    "detect_article",
    "detect_language",
]

#: langdetect's profiles, as ringkas reports them (``zh-cn``/``zh-tw`` are both ``zh``).
LANGDETECT_LANGUAGES: frozenset[str] = frozenset((
    "af", "ar", "bg", "bn", "ca", "cs", "cy", "da", "de", "el", "en", "es", "et", "fa", "fi", "fr",
    "gu", "he", "hi", "hr", "hu", "id", "it", "ja", "kn", "ko", "lt", "lv", "mk", "ml", "mr", "ne",
    "nl", "no", "pa", "pl", "pt", "ro", "ru", "sk", "sl", "so", "sq", "sv", "sw", "ta", "te", "th",
    "tl", "tr", "uk", "ur", "vi", "zh",
))  # fmt: skip
#: Languages the regional stage decides among: the shipped model's, then pycld2's ceb and war.
REGIONAL_LANGUAGES: tuple[str, ...] = (
    "id", "ms", "jv", "su", "tl", "min", "ban", "bjn", "ace", "bug", "ceb", "war",
)  # fmt: skip
#: Every code :func:`detect_language` can return, besides ``und``.
SUPPORTED_LANGUAGES: frozenset[str] = LANGDETECT_LANGUAGES | frozenset(REGIONAL_LANGUAGES)

#: langdetect answers that send a text to the regional stage (it calls all of these id or tl).
_REGIONAL_TRIGGERS = ("id", "tl")
#: Where pycld2 may overrule a ``tl``: Philippine languages with no FLORES dev file to train on.
_PHILIPPINE = ("ceb", "war")
#: langdetect reads at most this many characters, so ringkas never looks further either.
_MAX_CHARS = 10_000
#: detect_article reads at most this many characters in all (start, middle and end of the body).
_ARTICLE_SAMPLE_CHARS = 3_000
_SEED = 0
#: langdetect averages 7 random walks by default; 3 are twice as fast and, on FLORES dev (4,000
#: sentences of its languages), 99.58% instead of 99.70% correct. The seed makes either repeatable.
_LANGDETECT_TRIALS = 3
_MODEL_RESOURCE = "langid_regional.json.gz"
_MODEL_FORMAT = 1
_N_ALTERNATIVES = 4
_MIN_ALTERNATIVE = 0.001

_URL_RE = re.compile(r"(?:\b(?:https?|ftp)://|\bwww\.)\S+", re.IGNORECASE)
_EMAIL_RE = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_TAG_RE = re.compile(r"(?<!\w)[@#]\w+")
_DIGITS_RE = re.compile(r"\d+")
_SPACES_RE = re.compile(r"\s+")
_NON_WORD_RE = re.compile(r"[^\w']+|[\d_]+")
_LETTER_RE = re.compile(r"[^\W\d_]")
#: Hangul, kana, CJK ideographs and Thai: the scripts that the script stage decides by.
_SCRIPT_RE = re.compile(
    "[\u0e00-\u0e7f\u1100-\u11ff\u3040-\u30ff\u3130-\u318f\u31f0-\u31ff"
    "\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff\uff66-\uff9d]"
)


# --- text preparation ---------------------------------------------------------------------------


def _check_text(text: object, name: str = "text") -> str:
    if not isinstance(text, str):
        raise InputError(f"{name} must be a str, got {type(text).__name__}: {text!r:.60}")
    return text


def _strip_non_language(text: str) -> str:
    """Remove what carries no language (URLs, e-mails, mentions, hashtags, digits)."""
    text = _URL_RE.sub(" ", text)
    text = _EMAIL_RE.sub(" ", text)
    text = _TAG_RE.sub(" ", text)
    text = _DIGITS_RE.sub(" ", text)
    return _SPACES_RE.sub(" ", text).strip()


def _has_letters(text: str) -> bool:
    return _LETTER_RE.search(text) is not None


def _ngrams(text: str, max_order: int) -> list[str]:
    """Character 1..max_order-grams of the lowercased, space-padded words, then ``W`` + word."""
    norm = unicodedata.normalize("NFC", text).lower()
    padded = " " + " ".join(_NON_WORD_RE.sub(" ", norm).split()) + " "
    feats: list[str] = []
    size = len(padded)
    for n in range(1, max_order + 1):
        feats.extend(padded[i : i + n] for i in range(size - n + 1))
    feats.extend("W" + w for w in padded.split())
    return feats


def _regional_features(text: str, max_order: int) -> list[str]:
    """The regional model's features of a text, each once, in order of first appearance.

    Training (``scripts/train_langid.py``) counts these; the runtime scores the same set.
    """
    return list(dict.fromkeys(_ngrams(text, max_order)))


# --- script stage -------------------------------------------------------------------------------


def _script_language(text: str) -> tuple[str, float] | None:
    """A language that the script alone tells (ko, ja, zh, th), with the share of such letters."""
    if _SCRIPT_RE.search(text) is None:  # the usual case, at C speed
        return None
    hangul = kana = han = thai = letters = 0
    for ch in text:
        if not ch.isalpha():
            continue
        letters += 1
        cp = ord(ch)
        if 0xAC00 <= cp <= 0xD7AF or 0x1100 <= cp <= 0x11FF or 0x3130 <= cp <= 0x318F:
            hangul += 1
        elif 0x3040 <= cp <= 0x30FF or 0x31F0 <= cp <= 0x31FF or 0xFF66 <= cp <= 0xFF9D:
            kana += 1
        elif 0x4E00 <= cp <= 0x9FFF or 0x3400 <= cp <= 0x4DBF or 0xF900 <= cp <= 0xFAFF:
            han += 1
        elif 0x0E00 <= cp <= 0x0E7F:
            thai += 1
    if not letters:
        return None
    if 2 * hangul >= letters:
        return "ko", hangul / letters
    if kana and 2 * (kana + han) >= letters:
        return "ja", (kana + han) / letters
    if 2 * han >= letters and not kana and not hangul:
        return "zh", han / letters
    if 2 * thai >= letters:
        return "th", thai / letters
    return None


# --- langdetect stage ---------------------------------------------------------------------------

_LOAD_LOCK = threading.Lock()


@dataclass(frozen=True)
class _Langdetect:
    """ringkas's private langdetect: its own seeded factory, and a faster ``Detector`` class."""

    factory: Any
    detector_class: Any


_langdetect_model: _Langdetect | None = None


def _get_langdetect() -> _Langdetect:
    """Loaded once, shared read-only by all threads; langdetect's global factory is not touched."""
    global _langdetect_model
    if _langdetect_model is None:
        with _LOAD_LOCK:
            if _langdetect_model is None:
                _langdetect_model = _load_langdetect()
    return _langdetect_model


def _load_langdetect() -> _Langdetect:
    """langdetect's 55 profiles, with the per-n-gram probabilities packed into one array.

    Most of langdetect's time goes to multiplying a 55-language probability list by an n-gram's
    list, once per sampled n-gram, in a Python loop. Here the lists become rows of a float64
    matrix (38 MB instead of about 60 MB of Python floats), and the loop one NumPy multiply. The
    arithmetic is the same, element by element and in the same order (the normalising sum too),
    so the answers are bit-for-bit langdetect's (a test compares them), about 30% sooner.
    """
    import numpy as np
    from langdetect.detector import Detector
    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

    factory = DetectorFactory()
    factory.load_profile(PROFILES_DIRECTORY)
    factory.set_seed(_SEED)  # this instance only; langdetect's global stays as it is
    words = factory.word_lang_prob_map
    n_langs = len(factory.langlist)
    values = itertools.chain.from_iterable(words.values())
    matrix = np.fromiter(values, dtype=np.float64, count=len(words) * n_langs)
    matrix = matrix.reshape(len(words), n_langs)
    # Detectors test n-grams for membership in this map and find their row in it.
    factory.word_lang_prob_map = {word: row for row, word in enumerate(words)}
    uniform = np.full(n_langs, 1.0 / n_langs)

    class _Detector(Detector):
        def _init_probability(self) -> Any:
            if self.prior_map is not None:
                return np.array(self.prior_map, dtype=np.float64)
            return uniform.copy()

        def _update_lang_prob(self, prob: Any, word: str, alpha: float) -> bool:
            row = self.word_lang_prob_map.get(word)
            if row is None:
                return False
            prob *= alpha / self.BASE_FREQ + matrix[row]
            return True

        def _normalize_prob(self, prob: Any) -> float:
            prob /= sum(prob.tolist())  # left to right, as langdetect sums
            return float(prob.max())

    return _Langdetect(factory, _Detector)


def _normalise_code(code: str) -> str:
    return "zh" if code.startswith("zh") else code


def _langdetect(text: str) -> dict[str, float]:
    """langdetect's probabilities (those above its 0.1 floor), codes normalised; {} if no n-gram."""
    from langdetect.lang_detect_exception import LangDetectException

    model = _get_langdetect()
    detector = model.detector_class(model.factory)
    detector.seed = _SEED  # its own random.Random is seeded from this: same text, same answer
    detector.n_trial = _LANGDETECT_TRIALS
    detector.append(text)
    try:
        found = detector.get_probabilities()
    except LangDetectException:
        return {}
    probs: dict[str, float] = {}
    for item in found:
        code = _normalise_code(item.lang)
        probs[code] = probs.get(code, 0.0) + float(item.prob)
    return probs


# --- regional stage -----------------------------------------------------------------------------


#: Feature groups of the id-vs-ms stage: words, then character n-grams by length (1..max_order).
_WORD_GROUP = 0


def _feature_group(feature: str) -> int:
    """Group of a regional feature: 0 for a word (``W`` + word), else the n-gram's length.

    N-grams are lower-cased, so none of them starts with ``W``.
    """
    return _WORD_GROUP if feature[0] == "W" else len(feature)


@dataclass(frozen=True)
class _IdMsStage:
    """Logistic regression that re-decides id vs ms when the naive Bayes says one of the two.

    Its inputs (:meth:`_RegionalModel.id_ms_inputs`): the naive-Bayes log-likelihood ratio
    id - ms summed per feature group (words, character 1-grams, ..., 6-grams), pycld2's vote
    (+1 id, -1 ms, 0 none), a word-level log-likelihood ratio whose Indonesian side also counts
    openly licensed Indonesian news and health text and, when the model has one, a word-frequency
    ratio from large corpora (wordfreq's id and ms lists; see ``scripts/train_langid.py``). The
    997 Malay sentences of FLORES dev cannot tell a rare Malay word from an Indonesian one; a
    frequency list of millions of Malay words can.
    """

    #: Per word, log P(word | id) - log P(word | ms) of the word-level model.
    word_llr: Mapping[str, float]
    #: One weight per input: the max_order + 1 groups, the cld2 vote, the word-level ratio and,
    #: when :attr:`freq_llr` is not empty, the frequency ratio.
    weights: tuple[float, ...]
    bias: float
    #: Per word, log f(word | id) - log f(word | ms) of the large-corpus frequency lists.
    freq_llr: Mapping[str, float] = field(default_factory=dict)


@dataclass(frozen=True)
class _RegionalModel:
    """Naive Bayes over the features present, then an id-vs-ms stage (see the trainer)."""

    languages: tuple[str, ...]
    max_order: int
    index: Mapping[str, int]
    #: Per language, log P(feature | language) minus that language's log P of an unseen feature.
    weights: tuple[array[float], ...]
    #: Per language, log P of a feature in the vocabulary never seen with that language.
    unseen: tuple[float, ...]
    bias: tuple[float, ...]
    cld2_weight: float
    temperature: float
    id_ms: _IdMsStage | None = None
    #: Per language, a log prior added *after* tempering, where the likelihoods are calibrated:
    #: there it outweighs a short text's evidence but not a sentence's (see the trainer).
    prior: tuple[float, ...] = ()

    def _known(self, text: str) -> tuple[list[str], list[int]]:
        """Known features and their indices, each once, in order of first appearance."""
        found: dict[int, str] = {}
        index = self.index
        for feature in _ngrams(text, self.max_order):
            i = index.get(feature)
            if i is not None and i not in found:
                found[i] = feature
        return list(found.values()), list(found)

    def _sums(self, ids: list[int]) -> list[float]:
        if len(ids) < 2:  # itemgetter of one index returns a bare value, not a tuple
            sums = [sum(map(weights.__getitem__, ids)) for weights in self.weights]
        else:
            pick = itemgetter(*ids)
            sums = [sum(pick(weights)) for weights in self.weights]
        n = len(ids)
        return [unseen * n + total for unseen, total in zip(self.unseen, sums, strict=True)]

    def log_likelihoods(self, text: str) -> list[float]:
        """Naive-Bayes log P(features | language), one per language, without any prior.

        Known features are summed once each in order of first appearance (deduplicated as ints,
        which is cheaper than as strings), so the floats are the same in every process.
        """
        found = map(self.index.get, _ngrams(text, self.max_order))
        return self._sums(list(dict.fromkeys(i for i in found if i is not None)))

    def id_ms_inputs(self, text: str, cld2_codes: Iterable[str]) -> list[float]:
        """The id-vs-ms stage's inputs (see :class:`_IdMsStage`), in the order of its weights."""
        features, ids = self._known(text)
        i_id, i_ms = self.languages.index("id"), self.languages.index("ms")
        w_id, w_ms = self.weights[i_id], self.weights[i_ms]
        offset = self.unseen[i_id] - self.unseen[i_ms]
        groups = [0.0] * (self.max_order + 1)
        for feature, i in zip(features, ids, strict=True):
            groups[_feature_group(feature)] += w_id[i] - w_ms[i] + offset
        vote = 0.0
        for code in cld2_codes:  # cld2's first opinion among id and ms, if it has one
            if code in ("id", "ms"):
                vote = 1.0 if code == "id" else -1.0
                break
        words = [f[1:] for f in dict.fromkeys(_ngrams(text, 0)) if f[0] == "W"]
        if self.id_ms is None:
            return [*groups, vote, 0.0]
        word_llr, freq_llr = self.id_ms.word_llr, self.id_ms.freq_llr
        ratio = sum(word_llr.get(w, 0.0) for w in words)
        if not freq_llr:
            return [*groups, vote, ratio]
        return [*groups, vote, ratio, sum(freq_llr.get(w, 0.0) for w in words)]

    def posterior(self, text: str, cld2_codes: Iterable[str]) -> dict[str, float]:
        """P(language | text) over :attr:`languages`: likelihood (plus any raw bias), tempered,
        plus the prior; then, when id or ms comes first, the id-vs-ms split.

        Without an id-vs-ms stage (older models), cld2's vote is added to the scores instead.
        """
        cld2_codes = tuple(cld2_codes)
        scores = [s + b for s, b in zip(self.log_likelihoods(text), self.bias, strict=True)]
        if self.id_ms is None:
            for code in cld2_codes:  # cld2's first opinion among id and ms, if it has one
                if code in ("id", "ms"):
                    scores[self.languages.index(code)] += self.cld2_weight
                    break
        tempered = [s / self.temperature for s in scores]
        if self.prior:
            tempered = [t + p for t, p in zip(tempered, self.prior, strict=True)]
        top = max(tempered)
        exps = [math.exp(t - top) for t in tempered]
        total = sum(exps)
        probs = {lang: e / total for lang, e in zip(self.languages, exps, strict=True)}
        if self.id_ms is not None and self.languages[tempered.index(top)] in ("id", "ms"):
            inputs = self.id_ms_inputs(text, cld2_codes)
            z = self.id_ms.bias
            z += sum(w * x for w, x in zip(self.id_ms.weights, inputs, strict=True))
            p_id = 1.0 / (1.0 + math.exp(-max(-50.0, min(50.0, z))))
            mass = probs["id"] + probs["ms"]
            probs["id"], probs["ms"] = mass * p_id, mass * (1.0 - p_id)
        return probs


_regional_model: _RegionalModel | None = None


def _decode_counts(text: str, *, signed: bool = False) -> array[int]:
    """Base64 of little-endian (u)int16 counts (compact, and no Python int per count on loading)."""
    counts = array("h" if signed else "H")
    counts.frombytes(base64.b64decode(text))
    if sys.byteorder != "little":
        counts.byteswap()
    return counts


def _load_regional_model(payload: Mapping[str, Any]) -> _RegionalModel:
    """Build the scorer from the shipped counts (format documented in scripts/train_langid.py)."""
    if payload.get("format") != _MODEL_FORMAT:
        raise RuntimeError(f"unsupported regional model format {payload.get('format')!r}")
    languages = tuple(payload["languages"])
    alpha = float(payload["alpha"])
    features = payload["features"].split("\n")
    counts = [_decode_counts(col) for col in payload["counts"]]  # per language, as features
    if len(counts) != len(languages) or any(len(col) != len(features) for col in counts):
        raise RuntimeError("corrupt regional model: counts do not match features and languages")
    log_ratio = [math.log((c + alpha) / alpha) for c in range(max(map(max, counts)) + 1)]
    bias = payload["bias"]
    return _RegionalModel(
        languages=languages,
        max_order=int(payload["max_order"]),
        index={feature: i for i, feature in enumerate(features)},
        # float32 halves the memory; sums are still exact to ~1e-5 nats, far below any margin
        weights=tuple(array("f", map(log_ratio.__getitem__, col)) for col in counts),
        unseen=tuple(math.log(alpha / (sum(col) + alpha * len(features))) for col in counts),
        bias=tuple(float(bias.get(lang, 0.0)) for lang in languages),
        prior=tuple(float(payload.get("prior", {}).get(lang, 0.0)) for lang in languages),
        cld2_weight=float(payload["cld2_weight"]),
        temperature=float(payload["temperature"]),
        id_ms=_load_id_ms(payload["id_ms"], int(payload["max_order"]))
        if payload.get("id_ms")
        else None,
    )


def _load_id_ms(stage: Mapping[str, Any], max_order: int) -> _IdMsStage:
    """The id-vs-ms stage: word counts (sentences containing the word) and regression weights."""
    words = stage["words"].split("\n")
    id_counts, ms_counts = _decode_counts(stage["id_counts"]), _decode_counts(stage["ms_counts"])
    weights = tuple(float(w) for w in stage["weights"])
    if len(id_counts) != len(words) or len(ms_counts) != len(words):
        raise RuntimeError("corrupt regional model: id/ms word counts do not match the words")
    freq_llr: dict[str, float] = {}
    if stage.get("freq_words"):
        freq_words = stage["freq_words"].split("\n")
        centinats = _decode_counts(stage["freq_llr"], signed=True)
        if len(centinats) != len(freq_words):
            raise RuntimeError("corrupt regional model: frequency ratios do not match the words")
        freq_llr = {w: c / 100.0 for w, c in zip(freq_words, centinats, strict=True)}
    if len(weights) != max_order + 3 + bool(freq_llr):
        raise RuntimeError("corrupt regional model: wrong number of id/ms weights")
    alpha = float(stage["alpha"])
    id_norm = math.log(sum(id_counts) + alpha * len(words))
    ms_norm = math.log(sum(ms_counts) + alpha * len(words))
    word_llr = {
        word: math.log((i + alpha) / (m + alpha)) - id_norm + ms_norm
        for word, i, m in zip(words, id_counts, ms_counts, strict=True)
    }
    return _IdMsStage(
        word_llr=word_llr, weights=weights, bias=float(stage["bias"]), freq_llr=freq_llr
    )


def _get_regional_model() -> _RegionalModel:
    global _regional_model
    if _regional_model is None:
        with _LOAD_LOCK:
            if _regional_model is None:
                blob = (
                    resources.files("ringkas")
                    .joinpath("data")
                    .joinpath(_MODEL_RESOURCE)
                    .read_bytes()
                )
                _regional_model = _load_regional_model(json.loads(gzip.decompress(blob)))
    return _regional_model


def _cld2_codes(text: str) -> tuple[str, ...]:
    """pycld2's top codes, best effort, Javanese as ``jv``; () when it cannot read the text."""
    import pycld2

    clean = "".join(ch for ch in text if unicodedata.category(ch)[0] != "C" or ch in "\t\n")
    try:
        _, _, details = pycld2.detect(clean, bestEffort=True)
    except pycld2.error:
        return ()
    return tuple("jv" if code == "jw" else code for _, code, _, _ in details if code != "un")


# --- public API ---------------------------------------------------------------------------------


def _result(probs: Mapping[str, float], stage: str) -> LanguageResult:
    ranked = sorted(probs.items(), key=lambda kv: (-kv[1], kv[0]))
    lang, conf = ranked[0]
    alternatives = tuple(
        (code, round(p, 4)) for code, p in ranked[1 : 1 + _N_ALTERNATIVES] if p >= _MIN_ALTERNATIVE
    )
    return LanguageResult(lang, round(conf, 4), alternatives, stage)


def _undetermined() -> LanguageResult:
    return LanguageResult(UND, 1.0, (), "none")


def _detect_clean(text: str) -> LanguageResult:
    if not _has_letters(text):
        return _undetermined()
    by_script = _script_language(text)
    if by_script is not None:
        return LanguageResult(by_script[0], round(by_script[1], 4), (), "script")
    if sum(map(str.isupper, text)) > sum(map(str.islower, text)):
        text = text.lower()  # langdetect skips ALL-CAPS words as acronyms: a headline would vanish
    probs = _langdetect(text)
    if not probs:
        return _undetermined()
    top = max(probs, key=lambda code: (probs[code], code))
    if top not in _REGIONAL_TRIGGERS:
        return _result(probs, "langdetect")
    mass = sum(probs.pop(code, 0.0) for code in _REGIONAL_TRIGGERS)
    cld2 = _cld2_codes(text)
    posterior = _get_regional_model().posterior(text, cld2)
    best = max(posterior, key=lambda code: (posterior[code], code))
    if best == "tl" and cld2 and cld2[0] in _PHILIPPINE:
        posterior[cld2[0]] = posterior.pop("tl")
    for code, p in posterior.items():
        probs[code] = probs.get(code, 0.0) + mass * p
    return _result(probs, "regional")


def detect_language(text: str) -> LanguageResult:
    """The language of one text (a sentence or more), deterministic in every process and thread.

    Text with no language in it (empty, digits, URLs, e-mails, emoji, punctuation, hashtags)
    gives ``und`` with ``stage="none"``. Only the first 10,000 characters are read, as langdetect
    does; use :func:`detect_article` for long documents.

    Raises:
        InputError: ``text`` is not a ``str``.
    """
    text = _check_text(text)
    return _detect_clean(_strip_non_language(text[:_MAX_CHARS]))


def _sample(text: str, budget: int = _ARTICLE_SAMPLE_CHARS) -> str:
    """Start, middle and end of a long text, cut at spaces: bounded cost, one odd part outvoted."""
    if len(text) <= budget:
        return text
    part = budget // 3
    pieces = []
    for start in (0, (len(text) - part) // 2, len(text) - part):
        piece = text[start : start + part]
        if start:  # drop the partial first word
            piece = piece.split(" ", 1)[-1]
        if start + part < len(text):  # and the partial last one
            piece = piece.rsplit(" ", 1)[0]
        pieces.append(piece)
    return "\n".join(pieces)


def detect_article(text: str, title: str | None = None) -> LanguageResult:
    """The language of an article, decided by its body; the title is read only if the body has none.

    Headlines mislead detectors (an all-caps Indonesian headline alone is often ``en``), so the
    title never outvotes the body. A long body is read through a sample of about 3,000 characters
    taken from its start, middle and end.

    Raises:
        InputError: ``text`` is not a ``str``, or ``title`` is neither ``None`` nor a ``str``.
    """
    text = _check_text(text)
    if title is not None:
        _check_text(title, "title")
    body = _detect_clean(_strip_non_language(_sample(text)))
    if body.lang != UND or not title:
        return body
    return detect_language(title)
