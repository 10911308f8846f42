"""Model registry, routing and Hub look-ups (engines are loaded by :mod:`ringkas.backends.loading`).

A :class:`ModelSpec` says everything ringkas needs to use a pretrained seq2seq model well: where it
lives (Hugging Face id or local folder), what it does, for which languages, its input window, its
published generation settings and its licence. Anywhere a model *name* is accepted, a local folder
or a Hub id works too.

Nothing here imports torch or transformers, nor the engines: the engines import this module.

Offline use: a model is loaded from, in order, a local folder, the local Hugging Face cache, or the
Hub. When it is in neither and the Hub cannot be reached, :class:`ModelLoadError` says so at once
(within a few seconds, never a hang) and says how to fix it.
"""

from __future__ import annotations

import dataclasses
import difflib
import json
import logging
import os
import re
import socket
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

from ringkas.errors import (
    ConfigError,
    ModelLoadError,
    UnknownModelError,
    UnsupportedLanguageError,
    missing_dependency,
)

__all__ = [
    "FAMILIES",
    "TASKS",
    "ModelSpec",
    "get_model",
    "list_models",
    "prefetch",
    "register_model",
    "register_route",
    "resolve_model",
    "resolve_route",
    "set_summarizer",
    "unregister_model",
]

log = logging.getLogger("ringkas")

TASKS = ("translation", "summarization")
FAMILIES = ("marian", "t5", "bart", "mbart", "m2m100", "nllb", "auto")

#: Settings a spec's ``generation`` mapping may hold (the names of ``GenerationOptions``).
GENERATION_KEYS = frozenset(
    {
        "num_beams",
        "max_new_tokens",
        "min_new_tokens",
        "no_repeat_ngram_size",
        "length_penalty",
        "repetition_penalty",
        "early_stopping",
    }
)


@dataclass(frozen=True)
class ModelSpec:
    """Everything ringkas needs to know to use one pretrained seq2seq model."""

    name: str
    #: Hugging Face id (``org/name``) or a local folder.
    source: str
    task: str
    source_langs: tuple[str, ...]
    target_langs: tuple[str, ...]
    family: str = "auto"
    #: Longest input, in tokens, the model was trained on; longer inputs are split, never cut.
    max_input_tokens: int = 512
    #: Text prepended to every input (T5-style task prefixes such as ``"summarize: "``).
    prefix: str = ""
    #: ISO 639-1 code -> the model's own language code (M2M100/NLLB/mBART language tokens).
    lang_codes: Mapping[str, str] = field(default_factory=dict)
    licence: str = "unknown"
    commercial_use: bool = True
    #: Generation settings published by the model's authors (``GenerationOptions`` names).
    generation: Mapping[str, Any] = field(default_factory=dict)
    revision: str | None = None
    #: Collapse newlines and runs of whitespace before tokenising (as XL-Sum's authors do).
    collapse_whitespace: bool = False
    description: str = ""
    #: Languages the model itself covers, when more than ``source_langs`` (the ones ringkas
    #: maps and routes); the README's model table is checked against it.
    model_languages: int | None = None

    def __post_init__(self) -> None:
        if self.task not in TASKS:
            raise ConfigError(
                f"ModelSpec {self.name!r}: task must be one of {TASKS}, got {self.task!r}"
            )
        if self.family not in FAMILIES:
            raise ConfigError(
                f"ModelSpec {self.name!r}: family must be one of {FAMILIES}, got {self.family!r}"
            )
        if self.max_input_tokens < 8:
            raise ConfigError(f"ModelSpec {self.name!r}: max_input_tokens must be >= 8")
        unknown = set(self.generation) - GENERATION_KEYS
        if unknown:
            raise ConfigError(
                f"ModelSpec {self.name!r}: unknown generation settings {sorted(unknown)}; "
                f"valid: {sorted(GENERATION_KEYS)}"
            )
        object.__setattr__(self, "source_langs", tuple(self.source_langs))
        object.__setattr__(self, "target_langs", tuple(self.target_langs))

    @property
    def is_local(self) -> bool:
        return Path(self.source).expanduser().is_dir()

    def serves(self, source_lang: str, target_lang: str) -> bool:
        return _covers(self.source_langs, source_lang) and _covers(self.target_langs, target_lang)

    def lang_code(self, lang: str) -> str:
        """The model's own code for an ISO language (identity when the model has none)."""
        return self.lang_codes.get(lang, lang)

    def to_dict(self) -> dict[str, Any]:
        data = dataclasses.asdict(self)
        data["lang_codes"] = dict(self.lang_codes)
        data["generation"] = dict(self.generation)
        return data


def _covers(langs: Sequence[str], lang: str) -> bool:
    return "*" in langs or lang in langs


# --------------------------------------------------------------------------------------------
# Default registry
# --------------------------------------------------------------------------------------------

_NLLB_CODES = {
    "en": "eng_Latn", "id": "ind_Latn", "ms": "zsm_Latn", "jv": "jav_Latn", "su": "sun_Latn",
    "tl": "tgl_Latn", "min": "min_Latn", "ban": "ban_Latn", "bjn": "bjn_Latn", "ace": "ace_Latn",
    "bug": "bug_Latn", "fr": "fra_Latn", "de": "deu_Latn", "es": "spa_Latn", "pt": "por_Latn",
    "it": "ita_Latn", "nl": "nld_Latn", "zh": "zho_Hans", "ja": "jpn_Jpan", "ko": "kor_Hang",
    "ar": "arb_Arab", "ru": "rus_Cyrl", "hi": "hin_Deva", "th": "tha_Thai", "vi": "vie_Latn",
    "tr": "tur_Latn", "sw": "swh_Latn", "ceb": "ceb_Latn", "ilo": "ilo_Latn", "war": "war_Latn",
}  # fmt: skip
_M2M_LANGS = (
    "en", "id", "ms", "jv", "su", "tl", "ceb", "ilo", "fr", "de", "es", "pt", "it", "nl", "zh",
    "ja", "ko", "ar", "ru", "hi", "th", "vi", "tr", "sw",
)  # fmt: skip
# Published Helsinki-NLP/opus-mt-<lang>-en models (Apache-2.0 / CC-BY-4.0 Marian models).
_OPUS_TO_EN = ("fr", "de", "es", "zh", "ja", "ar", "ru", "it", "nl", "vi", "hi", "ko", "tr", "th",
               "tl", "sw", "ceb")  # fmt: skip
_MUL_EN_LANGS = (
    "id", "ms", "jv", "su", "tl", "ceb", "ilo", "war", "fr", "de", "es", "pt", "it", "nl", "zh",
    "ja", "ko", "ar", "ru", "hi", "th", "vi", "tr", "sw", "min", "ban", "ace",
)  # fmt: skip
_XLSUM_LANGS = (
    "am", "ar", "az", "bn", "my", "zh", "en", "fr", "gu", "ha", "hi", "ig", "id", "ja", "rn",
    "ko", "ky", "mr", "ne", "om", "ps", "fa", "pcm", "pt", "pa", "ru", "gd", "sr", "si", "so",
    "es", "sw", "ta", "te", "th", "ti", "tr", "uk", "ur", "uz", "vi", "cy", "yo",
)  # fmt: skip
# opus-mt generation_config.json: 4 beams, max_length 512.
_MARIAN_DEFAULTS: dict[str, Any] = {"num_beams": 4, "max_new_tokens": 512}


def _default_specs() -> list[ModelSpec]:
    specs = [
        ModelSpec(
            name="opus-mt-id-en",
            source="Helsinki-NLP/opus-mt-id-en",
            task="translation",
            source_langs=("id",),
            target_langs=("en",),
            family="marian",
            licence="apache-2.0",
            generation=_MARIAN_DEFAULTS,
            description="Marian, OPUS 2019-12-18; BLEU 33.4 on FLORES-200 devtest ind-eng.",
        ),
        ModelSpec(
            name="opus-mt-en-id",
            source="Helsinki-NLP/opus-mt-en-id",
            task="translation",
            source_langs=("en",),
            target_langs=("id",),
            family="marian",
            licence="apache-2.0",
            generation=_MARIAN_DEFAULTS,
            description="Marian, OPUS; English to Indonesian.",
        ),
        ModelSpec(
            name="opus-mt-mul-en",
            source="Helsinki-NLP/opus-mt-mul-en",
            task="translation",
            source_langs=_MUL_EN_LANGS,
            target_langs=("en",),
            family="marian",
            licence="apache-2.0",
            generation=_MARIAN_DEFAULTS,
            description="Marian, many languages to English; the fallback for languages "
            "without a dedicated opus-mt model.",
        ),
        ModelSpec(
            name="m2m100-418m",
            source="facebook/m2m100_418M",
            task="translation",
            source_langs=_M2M_LANGS,
            target_langs=_M2M_LANGS,
            family="m2m100",
            max_input_tokens=1024,
            licence="mit",
            generation={"num_beams": 5, "max_new_tokens": 256},
            description="M2M100 418M, 100 languages any-to-any (MIT); default for ms/jv/su.",
            model_languages=100,
        ),
        ModelSpec(
            name="nllb-200-distilled-600m",
            source="facebook/nllb-200-distilled-600M",
            task="translation",
            source_langs=tuple(_NLLB_CODES),
            target_langs=tuple(_NLLB_CODES),
            family="nllb",
            max_input_tokens=512,
            lang_codes=_NLLB_CODES,
            licence="cc-by-nc-4.0",
            commercial_use=False,
            generation={"num_beams": 4, "max_new_tokens": 256},
            description="NLLB-200 distilled 600M; best quality for regional languages "
            "(jv, su, min, ban, ...), NON-COMMERCIAL licence: opt in with a route.",
            model_languages=200,
        ),
        ModelSpec(
            name="mt5-xlsum",
            source="csebuetnlp/mT5_multilingual_XLSum",
            task="summarization",
            source_langs=_XLSUM_LANGS,
            target_langs=_XLSUM_LANGS,
            family="t5",
            max_input_tokens=512,
            licence="cc-by-nc-sa-4.0",
            commercial_use=False,
            generation={
                "num_beams": 4,
                "no_repeat_ngram_size": 2,
                "length_penalty": 0.6,
                "max_new_tokens": 84,
            },
            collapse_whitespace=True,
            description="mT5-base fine-tuned on XL-Sum (BBC news, 45 languages incl. "
            "Indonesian); summarises in the language of the input. NON-COMMERCIAL licence.",
            model_languages=45,
        ),
        ModelSpec(
            name="indonanot5-indosum",
            source="LazarusNLP/IndoNanoT5-base-IndoSum",
            task="summarization",
            source_langs=("id",),
            target_langs=("id",),
            family="t5",
            max_input_tokens=512,
            licence="apache-2.0",
            generation={"num_beams": 4, "no_repeat_ngram_size": 2, "max_new_tokens": 128},
            description="IndoNanoT5-base fine-tuned on IndoSum (Apache-2.0); Indonesian only.",
        ),
        ModelSpec(
            name="t5-indonesian-summarization",
            source="cahya/t5-base-indonesian-summarization-cased",
            task="summarization",
            source_langs=("id",),
            target_langs=("id",),
            family="t5",
            max_input_tokens=512,
            licence="unknown",
            generation={
                "num_beams": 10,
                "min_new_tokens": 20,
                "max_new_tokens": 80,
                "repetition_penalty": 2.5,
                "no_repeat_ngram_size": 2,
                "early_stopping": True,
            },
            description="T5-base fine-tuned on IndoSum by cahya; Indonesian only.",
        ),
    ]
    for lang in _OPUS_TO_EN:
        specs.append(
            ModelSpec(
                name=f"opus-mt-{lang}-en",
                source=f"Helsinki-NLP/opus-mt-{lang}-en",
                task="translation",
                source_langs=(lang,),
                target_langs=("en",),
                family="marian",
                licence="apache-2.0",
                generation=_MARIAN_DEFAULTS,
            )
        )
    return specs


#: Default model per route ``"src-tgt"`` and per summariser; specific pairs first.
_DEFAULT_ROUTES: dict[str, str] = {
    "id-en": "opus-mt-id-en",
    "en-id": "opus-mt-en-id",
    "ms-en": "m2m100-418m",
    "jv-en": "m2m100-418m",
    "su-en": "m2m100-418m",
    "ms-id": "m2m100-418m",
    "jv-id": "m2m100-418m",
    "su-id": "m2m100-418m",
    **{f"{lang}-en": f"opus-mt-{lang}-en" for lang in _OPUS_TO_EN},
    "summarize": "mt5-xlsum",
}


class _Registry:
    def __init__(self) -> None:
        self._lock = threading.RLock()
        self._specs: dict[str, ModelSpec] = {}
        self._routes: dict[str, str] = {}
        self.reset()

    def reset(self) -> None:
        with self._lock:
            self._specs = {spec.name: spec for spec in _default_specs()}
            self._routes = dict(_DEFAULT_ROUTES)

    def register(self, spec: ModelSpec, *, overwrite: bool) -> None:
        with self._lock:
            if spec.name in self._specs and not overwrite:
                raise ConfigError(
                    f"a model named {spec.name!r} is already registered; "
                    "pass overwrite=True to replace it"
                )
            self._specs[spec.name] = spec

    def unregister(self, name: str) -> None:
        with self._lock:
            if name not in self._specs:
                raise UnknownModelError(f"no registered model named {name!r}")
            del self._specs[name]

    def get(self, name: str) -> ModelSpec | None:
        with self._lock:
            return self._specs.get(name)

    def all(self) -> list[ModelSpec]:
        with self._lock:
            return list(self._specs.values())

    def set_route(self, key: str, model: str) -> None:
        with self._lock:
            self._routes[key] = model

    def route(self, key: str) -> str | None:
        with self._lock:
            return self._routes.get(key)


_REGISTRY = _Registry()


def register_model(spec: ModelSpec, *, overwrite: bool = False) -> ModelSpec:
    """Add a model to the registry so it can be named anywhere a model is accepted."""
    _REGISTRY.register(spec, overwrite=overwrite)
    return spec


def unregister_model(name: str) -> None:
    _REGISTRY.unregister(name)


def register_route(source_lang: str, target_lang: str, model: str) -> None:
    """Make ``model`` (a name, folder or Hub id) the default for one language pair.

    ``register_route("jv", "en", "nllb-200-distilled-600m")`` opts in to NLLB for Javanese.
    The default summariser is set with :func:`set_summarizer`.
    """
    _REGISTRY.set_route(f"{source_lang}-{target_lang}", model)


def list_models(task: str | None = None) -> list[ModelSpec]:
    """Registered models, optionally only those of one task, in registration order."""
    if task is not None and task not in TASKS:
        raise ConfigError(f"task must be one of {TASKS}, got {task!r}")
    return [spec for spec in _REGISTRY.all() if task is None or spec.task == task]


def get_model(name: str) -> ModelSpec:
    """The registered spec of ``name``; :class:`UnknownModelError` (a ``KeyError``) if none."""
    spec = _REGISTRY.get(name)
    if spec is None:
        names = [s.name for s in _REGISTRY.all()]
        close = difflib.get_close_matches(name, names, n=3)
        hint = f" Did you mean {', '.join(map(repr, close))}?" if close else ""
        raise UnknownModelError(
            f"no registered model named {name!r}.{hint} Registered: {', '.join(names)}. "
            "A local folder or a Hugging Face id ('org/name') also works."
        )
    return spec


_ENV_PREFIX = "RINGKAS_MODEL_"


def _env_override(name: str) -> str | None:
    """``RINGKAS_MODEL_OPUS_MT_ID_EN=/models/opus-mt-id-en`` points a registered name elsewhere."""
    key = _ENV_PREFIX + re.sub(r"[^A-Za-z0-9]", "_", name).upper()
    value = os.environ.get(key, "").strip()
    return value or None


_HUB_ID = re.compile(r"^[A-Za-z0-9][\w.\-]*/[\w.\-]+$")


def resolve_model(model: str | ModelSpec, *, task: str) -> ModelSpec:
    """Turn a registered name, a local folder or a Hub id into a :class:`ModelSpec`.

    A registered name may be redirected with a ``RINGKAS_MODEL_<NAME>`` environment variable
    (to a local folder, typically), which keeps the spec's languages and settings.
    """
    if isinstance(model, ModelSpec):
        return model
    if not isinstance(model, str) or not model.strip():
        raise ConfigError(f"a model must be a name, a folder or a Hub id, got {model!r}")
    spec = _REGISTRY.get(model)
    if spec is not None:
        override = _env_override(spec.name)
        if override:
            spec = dataclasses.replace(spec, source=override, revision=None)
        return spec
    path = Path(model).expanduser()
    if path.is_dir():
        return _spec_from_folder(path, task=task)
    if _HUB_ID.match(model) and not path.exists():
        for known in _REGISTRY.all():
            if known.source == model:
                return known
        return ModelSpec(
            name=model, source=model, task=task, source_langs=("*",), target_langs=("*",)
        )
    if model.startswith((".", "/", "~")) or os.sep in model:
        raise UnknownModelError(
            f"model folder {model!r} does not exist (resolved to {path.resolve()}). "
            "Check the path, or give a registered name (see `ringkas models list`)."
        )
    return get_model(model)  # raises UnknownModelError with suggestions


_MODEL_TYPE_FAMILY = {
    "marian": "marian",
    "t5": "t5",
    "mt5": "t5",
    "umt5": "t5",
    "bart": "bart",
    "mbart": "mbart",
    "m2m_100": "m2m100",
}


def _spec_from_folder(path: Path, *, task: str) -> ModelSpec:
    config_file = path / "config.json"
    if not config_file.is_file():
        raise ModelLoadError(
            f"{path} is not a model folder: it has no config.json. Point ringkas at the folder "
            "that holds config.json and the weights (as written by save_pretrained)."
        )
    try:
        config = json.loads(config_file.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise ModelLoadError(f"cannot read {config_file}: {exc}") from exc
    model_type = str(config.get("model_type", ""))
    family = _MODEL_TYPE_FAMILY.get(model_type, "auto")
    if family == "m2m100" and "nllb" in str(config.get("_name_or_path", "")).lower():
        family = "nllb"
    ringkas_meta = path / "ringkas.json"
    extra: dict[str, Any] = {}
    if ringkas_meta.is_file():
        # A folder may describe itself (languages, window, prefix...) in ringkas.json.
        try:
            extra = json.loads(ringkas_meta.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise ModelLoadError(f"cannot read {ringkas_meta}: {exc}") from exc
    max_pos = config.get("max_position_embeddings") or 512
    fields: dict[str, Any] = {
        "name": str(path),
        "source": str(path),
        "task": task,
        "source_langs": ("*",),
        "target_langs": ("*",),
        "family": family,
        "max_input_tokens": min(int(max_pos), 1024) if family != "t5" else 512,
    }
    if family == "nllb":
        fields["lang_codes"] = _NLLB_CODES
    valid = {f.name for f in dataclasses.fields(ModelSpec)}
    unknown = set(extra) - valid
    if unknown:
        raise ModelLoadError(
            f"{ringkas_meta}: unknown keys {sorted(unknown)}; valid: {sorted(valid)}"
        )
    fields.update(extra)
    fields["source"] = str(path)
    for key in ("source_langs", "target_langs"):
        fields[key] = tuple(fields[key])
    return ModelSpec(**fields)


def resolve_route(
    source_lang: str,
    target_lang: str,
    *,
    routes: Mapping[str, str] | None = None,
    pivot: str = "en",
) -> list[ModelSpec]:
    """The model(s) that translate ``source_lang`` into ``target_lang``: one hop, or two via
    ``pivot`` (English) when no single model serves the pair.

    Order of preference: ``routes`` given by the caller, the registry's routes (defaults and
    :func:`register_route`), a registered single-pair model, a registered multilingual model.
    Models whose licence forbids commercial use are only used when a route names them.
    """
    if source_lang == target_lang:
        return []
    direct = _direct_route(source_lang, target_lang, routes)
    if direct is not None:
        return [direct]
    if pivot not in (source_lang, target_lang):
        first = _direct_route(source_lang, pivot, routes)
        second = _direct_route(pivot, target_lang, routes)
        if first is not None and second is not None:
            return [first, second]
    raise UnsupportedLanguageError(
        f"no translation model for {source_lang}->{target_lang}. Register one with "
        f"ringkas.register_route({source_lang!r}, {target_lang!r}, '<model name or folder>') "
        "or pass model=... explicitly."
    )


def _direct_route(src: str, tgt: str, routes: Mapping[str, str] | None) -> ModelSpec | None:
    key = f"{src}-{tgt}"
    name = (routes or {}).get(key) or _REGISTRY.route(key)
    if name:
        return resolve_model(name, task="translation")
    # Unasked-for fallbacks must be free to use: non-commercial models need an explicit route.
    candidates = [
        s
        for s in list_models("translation")
        if s.serves(src, tgt) and "*" not in s.source_langs and s.commercial_use
    ]
    pairs = [s for s in candidates if len(s.source_langs) == 1 and len(s.target_langs) == 1]
    chosen = pairs or candidates
    return resolve_model(chosen[0].name, task="translation") if chosen else None


def default_summarizer() -> ModelSpec:
    name = _REGISTRY.route("summarize") or "mt5-xlsum"
    return resolve_model(name, task="summarization")


def set_summarizer(model: str) -> None:
    """Make ``model`` (a name, folder or Hub id) the default summariser."""
    _REGISTRY.set_route("summarize", model)


# --------------------------------------------------------------------------------------------
# Locating files: local folder, local cache, Hub
# --------------------------------------------------------------------------------------------


def _offline_flag() -> bool:
    return any(
        os.environ.get(var, "").strip().lower() in {"1", "true", "yes", "on"}
        for var in ("HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")
    )


def _cache_dir() -> str:
    try:
        from huggingface_hub import constants

        return str(constants.HF_HUB_CACHE)
    except ImportError:  # pragma: no cover - huggingface_hub ships with transformers
        return os.path.expanduser("~/.cache/huggingface/hub")


def _hub_reachable(timeout: float = 3.0) -> bool:
    """A quick TCP probe so an unreachable Hub fails in seconds instead of after retries."""
    endpoint = os.environ.get("HF_ENDPOINT", "https://huggingface.co")
    parsed = urlparse(endpoint)
    host = parsed.hostname or "huggingface.co"
    port = parsed.port or (443 if parsed.scheme != "http" else 80)
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return True
    except OSError:
        return False


def _fix_message(spec: ModelSpec) -> str:
    env = _ENV_PREFIX + re.sub(r"[^A-Za-z0-9]", "_", spec.name).upper()
    return (
        f"Fix: pass a local folder instead (model='/path/to/{spec.source.split('/')[-1]}' "
        f"or the environment variable {env}=/path/to/folder), or on a connected machine run "
        f"`ringkas models prefetch {spec.name}` and copy the cache folder ({_cache_dir()}) here "
        "(set HF_HOME to use another cache folder); set HF_HUB_OFFLINE=1 to never try the network."
    )


_ALLOW_PATTERNS = [
    "*.json",
    "*.safetensors",
    "*.model",
    "*.spm",
    "*.txt",
    "sentencepiece*",
    "spiece*",
    "tokenizer*",
]


def locate(spec: ModelSpec) -> Path:
    """The local folder holding ``spec``'s files, downloading them only if the Hub is reachable.

    Raises :class:`ModelLoadError` naming the model, the cache folder and the fix when the model
    is neither local nor cached and the Hub is out of reach.
    """
    path = Path(spec.source).expanduser()
    if path.is_dir():
        return path
    if spec.source.startswith((".", "/", "~")):
        raise ModelLoadError(f"model folder {spec.source!r} for {spec.name!r} does not exist.")
    try:
        from huggingface_hub import snapshot_download
    except ImportError as exc:  # pragma: no cover - comes with transformers
        raise missing_dependency("huggingface_hub", "all", "Loading Hub models") from exc
    try:
        return Path(
            snapshot_download(
                spec.source,
                revision=spec.revision,
                local_files_only=True,
                allow_patterns=_ALLOW_PATTERNS,
            )
        )
    except Exception:
        pass
    where = f"{spec.name!r} ({spec.source})" if spec.name != spec.source else repr(spec.source)
    if _offline_flag():
        raise ModelLoadError(
            f"model {where} is not in the local cache ({_cache_dir()}) and HF_HUB_OFFLINE is "
            f"set, so it cannot be downloaded. {_fix_message(spec)}"
        )
    if not _hub_reachable():
        raise ModelLoadError(
            f"model {where} is not in the local cache ({_cache_dir()}) and the Hugging Face "
            f"Hub cannot be reached (offline?). {_fix_message(spec)}"
        )
    log.info("downloading %s from the Hugging Face Hub", spec.source)
    try:
        folder = Path(
            snapshot_download(spec.source, revision=spec.revision, allow_patterns=_ALLOW_PATTERNS)
        )
        if not any(folder.glob("*.safetensors")):
            # Older repositories (many opus-mt) only publish PyTorch pickles; fetch those only then.
            snapshot_download(
                spec.source, revision=spec.revision, allow_patterns=["pytorch_model*.bin*"]
            )
        return folder
    except Exception as exc:
        raise ModelLoadError(
            f"could not download model {where}: {exc}. {_fix_message(spec)}"
        ) from exc


def prefetch(models: Iterable[str] | None = None) -> dict[str, Path]:
    """Download models into the local cache (run on a connected machine before going offline).

    ``models`` defaults to every registered model; returns name -> local folder.
    """
    names = list(models) if models is not None else [s.name for s in list_models()]
    result: dict[str, Path] = {}
    for name in names:
        spec = resolve_model(name, task=_guess_task(name))
        result[spec.name] = locate(spec)
    return result


def _guess_task(name: str) -> str:
    spec = _REGISTRY.get(name)
    return spec.task if spec is not None else "translation"
