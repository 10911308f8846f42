"""Frozen option dataclasses, validated when they are made (a typo or a bad value fails early)."""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ringkas.errors import ConfigError

__all__ = ["LENGTH_PRESETS", "GenerationOptions"]


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
