"""The tokenizer side shared by every engine: encoding, language tokens, decoding, defaults."""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ringkas.config import GenerationOptions
from ringkas.errors import ModelLoadError, UnsupportedLanguageError
from ringkas.models import GENERATION_KEYS, ModelSpec

_WHITESPACE = re.compile(r"\s+")

#: Held while transformers is first imported and while it builds a model in this process.
#: transformers' lazy module is not thread-safe on first use (two threads importing at once get
#: "cannot import name 'AutoTokenizer'"), and concurrent ``from_pretrained`` calls inside
#: CTranslate2's converter fail in transformers 5 ("attempted to run this operator with Meta
#: tensors"), so imports, model loads and conversions take turns (they are bound by memory
#: bandwidth anyway). ``backends.loading.load_engine`` holds it while it builds an engine.
MODEL_LOAD_LOCK = threading.RLock()


class FrontendEngine:
    """The tokenizer half of the ``Engine`` protocol, shared by the torch and CT2 engines."""

    frontend: TokenizerFrontend

    def encode(self, texts: Sequence[str], *, source_lang: str | None = None) -> list[list[int]]:
        return self.frontend.encode(texts, source_lang=source_lang)

    def count_tokens(self, text: str, *, source_lang: str | None = None) -> int:
        return len(self.frontend.encode([text], source_lang=source_lang)[0])

    def default_options(self) -> GenerationOptions:
        return self.frontend.default_options()

    def resolved_options(self, options: GenerationOptions) -> GenerationOptions:
        """What one ``generate`` call decodes with: the caller's options, then the model's
        published ones, then ringkas's fallbacks (every engine opens ``generate`` with this)."""
        return options.merged(self.default_options()).resolved()


class TokenizerFrontend:
    """Wraps a Hugging Face tokenizer; thread-safe (``src_lang`` is tokenizer state)."""

    def __init__(self, spec: ModelSpec, folder: Path) -> None:
        self.spec = spec
        self.folder = folder
        try:
            with MODEL_LOAD_LOCK:  # the lazy import races on first use (see MODEL_LOAD_LOCK)
                from transformers import AutoTokenizer

                self.tokenizer = AutoTokenizer.from_pretrained(str(folder), trust_remote_code=False)
        except Exception as exc:
            raise ModelLoadError(
                f"cannot load the tokenizer of {spec.name!r} from {folder}: {exc}"
            ) from exc
        self._lock = threading.Lock()
        self._generation_defaults = _read_generation_config(folder)
        self._vocab_tables: tuple[dict[str, int], list[str | None]] | None = None
        languages = getattr(self.tokenizer, "lang_token_to_id", None)
        self._language_ids = frozenset(
            int(i) for i in (languages.values() if isinstance(languages, dict) else ())
        )

    # -- languages --------------------------------------------------------------------------
    def _lang_token(self, lang: str) -> str:
        code = self.spec.lang_code(lang)
        if self.spec.family == "m2m100" and not code.startswith("__"):
            return f"__{code}__"
        return code

    def target_token(self, target_lang: str | None) -> str | None:
        """The token that must start the output (M2M100/NLLB/mBART), or None."""
        if target_lang is None or self.spec.family not in ("m2m100", "nllb", "mbart"):
            return None
        token = self._lang_token(target_lang)
        token_id = self.tokenizer.convert_tokens_to_ids(token)
        if token_id is None or token_id == self.tokenizer.unk_token_id:
            raise UnsupportedLanguageError(
                f"model {self.spec.name!r} has no language token for {target_lang!r} ({token!r})"
            )
        return token

    def target_token_id(self, target_lang: str | None) -> int | None:
        token = self.target_token(target_lang)
        return None if token is None else self.tokens_to_ids([token])[0]

    # -- text <-> ids -----------------------------------------------------------------------
    def prepare(self, text: str) -> str:
        if self.spec.collapse_whitespace:
            text = _WHITESPACE.sub(" ", text).strip()
        return self.spec.prefix + text if self.spec.prefix else text

    def encode(self, texts: Sequence[str], *, source_lang: str | None = None) -> list[list[int]]:
        prepared = [self.prepare(t) for t in texts]
        with self._lock:
            if source_lang is not None and self.spec.family in ("m2m100", "nllb", "mbart"):
                self.tokenizer.src_lang = self.spec.lang_code(source_lang)
            if not prepared:
                return []
            encoded = self.tokenizer(prepared, add_special_tokens=True, truncation=False)
        return [list(ids) for ids in encoded["input_ids"]]

    def decode(self, ids: Sequence[Sequence[int]]) -> list[str]:
        # Language tokens are not "special" to transformers 5's M2M100 tokenizer: drop them here.
        hidden = self._language_ids
        with self._lock:
            texts = self.tokenizer.batch_decode(
                [[i for i in row if i not in hidden] for row in ids],
                skip_special_tokens=True,
                clean_up_tokenization_spaces=False,
            )
        return [t.strip() for t in texts]

    def ids_to_tokens(self, ids: Sequence[int]) -> list[str]:
        """Token strings of ids (what CTranslate2 reads); a cached table, so cheap per call."""
        table = self._tables()[1]
        size = len(table)
        if all(0 <= i < size and table[i] is not None for i in ids):
            return [table[i] for i in ids]  # type: ignore[misc]
        with self._lock:
            return list(self.tokenizer.convert_ids_to_tokens(list(ids)))

    def tokens_to_ids(self, tokens: Sequence[str]) -> list[int]:
        """Ids of token strings; tokens the tokenizer lacks (CT2's padding) become ``<unk>``."""
        vocab = self._tables()[0]
        unk = self.tokenizer.unk_token_id
        fallback = int(unk) if unk is not None else 0
        return [vocab.get(t, fallback) for t in tokens]

    def _tables(self) -> tuple[dict[str, int], list[str | None]]:
        """token -> id and id -> token, built once: per-token tokenizer calls cost more."""
        tables = self._vocab_tables
        if tables is None:
            with self._lock:
                vocab = full_vocab(self.tokenizer)
            inverse: list[str | None] = [None] * (max(vocab.values(), default=-1) + 1)
            for token, index in vocab.items():
                inverse[index] = token
            tables = self._vocab_tables = (vocab, inverse)
        return tables

    @property
    def pad_token_id(self) -> int:
        pad = self.tokenizer.pad_token_id
        return int(pad) if pad is not None else 0

    @property
    def eos_token_id(self) -> int | None:
        eos = self.tokenizer.eos_token_id
        return int(eos) if eos is not None else None

    # -- settings ---------------------------------------------------------------------------
    def default_options(self) -> GenerationOptions:
        return GenerationOptions().merged(self.spec.generation, self._generation_defaults)


def full_vocab(tokenizer: Any) -> dict[str, int]:
    """Every token the tokenizer can produce, with its id.

    ``get_vocab()`` is not always that: transformers 5's M2M100 tokenizer keeps its 100
    language tokens (``__en__``...) only in ``lang_token_to_id``, so CTranslate2's converter,
    which reads ``get_vocab()``, would build a vocabulary too small for the model.
    """
    vocab = {str(t): int(i) for t, i in tokenizer.get_vocab().items()}
    used = set(vocab.values())
    for attr in ("lang_token_to_id", "added_tokens_encoder"):
        extra = getattr(tokenizer, attr, None)
        if isinstance(extra, dict):
            for token, index in extra.items():
                if str(token) not in vocab and int(index) not in used:
                    vocab[str(token)] = int(index)
                    used.add(int(index))
    return vocab


def _read_generation_config(folder: Path) -> dict[str, Any]:
    """Published decoding settings in ``generation_config.json``, as ``GenerationOptions`` names."""
    path = folder / "generation_config.json"
    if not path.is_file():
        return {}
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError):
        return {}
    values = {k: v for k, v in raw.items() if k in GENERATION_KEYS and v is not None}
    # Old configs give max_length (prompt included for decoder-only models, output only here).
    if "max_new_tokens" not in values and isinstance(raw.get("max_length"), int):
        values["max_new_tokens"] = raw["max_length"]
    if (
        "min_new_tokens" not in values
        and isinstance(raw.get("min_length"), int)
        and raw["min_length"]
    ):
        values["min_new_tokens"] = raw["min_length"]
    return values
