"""Frozen option dataclasses, validated when they are made (a typo or a bad value fails early)."""

from __future__ import annotations

import dataclasses
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from ringkas.batching import DEFAULT_BATCH_TOKENS, DEFAULT_MAX_BATCH_SIZE
from ringkas.errors import ConfigError

__all__ = [
    "BACKENDS",
    "DTYPES",
    "LENGTH_PRESETS",
    "QUANTIZE_CHOICES",
    "BatchOptions",
    "EngineOptions",
    "GenerationOptions",
]

#: ``backend=``: ``"auto"`` is the fastest engine here (see :mod:`ringkas.backends`).
BACKENDS = ("auto", "torch", "ct2")
#: ``dtype=``: ``"auto"`` is float32 on CPU, bfloat16 or float16 on GPU.
DTYPES = ("auto", "float32", "float16", "bfloat16")
#: ``quantize=``: ``"auto"`` (int8 on CPU where exact), ``"none"`` (the exact reference outputs),
#: ``"int8"`` (CTranslate2 or torch dynamic int8), or another CTranslate2 compute type.
QUANTIZE_CHOICES = (
    "auto",
    "none",
    "int8",
    "int8_float32",
    "int8_float16",
    "int8_bfloat16",
    "int16",
    "float16",
    "bfloat16",
    "float32",
)
_DEVICE = re.compile(r"^(auto|cpu|mps|cuda(:\d+)?)$")


@dataclass(frozen=True)
class EngineOptions:
    """Which inference engine runs a model, and how; every value has one spelling.

    ``"auto"`` values are resolved for this machine in one place,
    :func:`ringkas.backends.resolve_engine_options`, when an engine is loaded.
    """

    #: ``"auto"``, ``"torch"`` (transformers) or ``"ct2"`` (CTranslate2, ``ringkas[ct2]``).
    backend: str = "auto"
    #: ``"auto"`` (cuda, then mps, then cpu), ``"cpu"``, ``"cuda"``, ``"cuda:1"``, ``"mps"``.
    device: str = "auto"
    #: One of :data:`DTYPES` (torch engine; CTranslate2 takes its type from ``quantize``).
    dtype: str = "auto"
    #: One of :data:`QUANTIZE_CHOICES`.
    quantize: str = "auto"
    #: CPU threads; ``None`` keeps the engine's default.
    num_threads: int | None = None

    def __post_init__(self) -> None:
        _check_choice("backend", self.backend, BACKENDS)
        _check_choice("dtype", self.dtype, DTYPES)
        _check_choice("quantize", self.quantize, QUANTIZE_CHOICES)
        if not isinstance(self.device, str) or not _DEVICE.match(self.device):
            raise ConfigError(f"device must be auto, cpu, cuda, cuda:N or mps, got {self.device!r}")
        if self.num_threads is not None and (
            not isinstance(self.num_threads, int) or self.num_threads < 1
        ):
            raise ConfigError(
                f"num_threads must be a positive integer or None, got {self.num_threads!r}"
            )

    @classmethod
    def from_env(cls, **overrides: Any) -> EngineOptions:
        """Defaults from ``RINGKAS_DEVICE`` and ``RINGKAS_BACKEND`` (when set), then ``overrides``
        (``None`` values are ignored); the command line builds its options here."""
        values: dict[str, Any] = {}
        for name, variable, valid in (
            ("device", "RINGKAS_DEVICE", "auto, cpu, cuda, cuda:N, mps"),
            ("backend", "RINGKAS_BACKEND", ", ".join(BACKENDS)),
        ):
            value = os.environ.get(variable, "").strip()
            if not value:
                continue
            if not (_DEVICE.match(value) if name == "device" else value in BACKENDS):
                raise ConfigError(f"{variable}={value!r} is not one of {valid}")
            values[name] = value
        values |= {key: value for key, value in overrides.items() if value is not None}
        return cls(**values)


@dataclass(frozen=True)
class BatchOptions:
    """How inputs are grouped for one engine call (see :mod:`ringkas.batching`)."""

    #: Padded input tokens per batch (batch size x longest input).
    max_tokens: int = DEFAULT_BATCH_TOKENS
    #: Inputs per batch at most; ``None``: only ``max_tokens`` limits a batch.
    max_batch_size: int | None = DEFAULT_MAX_BATCH_SIZE

    def __post_init__(self) -> None:
        if not isinstance(self.max_tokens, int) or self.max_tokens < 1:
            raise ConfigError(f"max_tokens must be a positive integer, got {self.max_tokens!r}")
        if self.max_batch_size is not None and (
            not isinstance(self.max_batch_size, int) or self.max_batch_size < 1
        ):
            raise ConfigError(
                f"max_batch_size must be a positive integer or None, got {self.max_batch_size!r}"
            )


_O = TypeVar("_O", "EngineOptions", "BatchOptions")


def options_or_default(value: _O | None, cls: type[_O], name: str) -> _O:
    """``value``, or ``cls()`` for ``None``; anything else is a clear error (not a late one)."""
    if value is None:
        return cls()
    if not isinstance(value, cls):
        raise ConfigError(
            f"{name}= takes a ringkas.{cls.__name__}, got {type(value).__name__}; "
            f"e.g. {name}={cls.__name__}(...)"
        )
    return value


def _check_choice(name: str, value: object, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise ConfigError(f"{name} must be one of {', '.join(choices)}; got {value!r}")


@dataclass(frozen=True)
class GenerationOptions:
    """Decoding settings; ``None`` means "the model's published default".

    Resolution order: what the caller sets, then the registry's published settings for the
    model, then the model's own ``generation_config``, then greedy decoding with 256 new tokens.
    """

    num_beams: int | None = None
    max_new_tokens: int | None = None
    min_new_tokens: int | None = None
    no_repeat_ngram_size: int | None = None
    length_penalty: float | None = None
    repetition_penalty: float | None = None
    early_stopping: bool | None = None

    def __post_init__(self) -> None:
        for name in ("num_beams", "max_new_tokens"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or value < 1):
                raise ConfigError(f"{name} must be a positive integer, got {value!r}")
        for name in ("min_new_tokens", "no_repeat_ngram_size"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, int) or value < 0):
                raise ConfigError(f"{name} must be a non-negative integer, got {value!r}")
        if self.repetition_penalty is not None and self.repetition_penalty <= 0:
            raise ConfigError(f"repetition_penalty must be > 0, got {self.repetition_penalty!r}")
        if (
            self.min_new_tokens is not None
            and self.max_new_tokens is not None
            and self.min_new_tokens > self.max_new_tokens
        ):
            raise ConfigError(
                f"min_new_tokens ({self.min_new_tokens}) exceeds max_new_tokens "
                f"({self.max_new_tokens})"
            )

    @classmethod
    def from_mapping(cls, values: Mapping[str, Any]) -> GenerationOptions:
        valid = {f.name for f in dataclasses.fields(cls)}
        unknown = set(values) - valid
        if unknown:
            raise ConfigError(
                f"unknown generation options {sorted(unknown)}; valid: {sorted(valid)}"
            )
        return cls(**values)

    def merged(self, *defaults: Mapping[str, Any] | GenerationOptions) -> GenerationOptions:
        """Fill every unset field from the first default that sets it."""
        values = dataclasses.asdict(self)
        for default in defaults:
            items = (
                dataclasses.asdict(default) if isinstance(default, GenerationOptions) else default
            )
            for key, value in items.items():
                if key in values and values[key] is None and value is not None:
                    values[key] = value
        return GenerationOptions(**values)

    def resolved(self) -> GenerationOptions:
        """Fill what is still unset with ringkas's fallbacks (greedy, 256 new tokens)."""
        return self.merged({"num_beams": 1, "max_new_tokens": 256})

    def to_dict(self) -> dict[str, Any]:
        return {k: v for k, v in dataclasses.asdict(self).items() if v is not None}


#: ``length=`` presets of the summariser: overrides of the model's published settings.
LENGTH_PRESETS: Mapping[str, Mapping[str, int]] = {
    "short": {"max_new_tokens": 40},
    "medium": {},
    "long": {"max_new_tokens": 160, "min_new_tokens": 60},
}
