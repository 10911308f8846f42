"""ringkas: detect, clean, summarise (in Indonesian) and translate (to English) news articles.

Importing ringkas is cheap: no module here imports torch or transformers until a model is loaded,
so a service that only detects languages or cleans text never pays for them.
"""

from __future__ import annotations

from ringkas.errors import (
    ConfigError,
    DataError,
    GenerationError,
    InputError,
    MissingDependencyError,
    ModelError,
    ModelLoadError,
    RingkasError,
    UnknownModelError,
    UnsupportedLanguageError,
)
from ringkas.types import (
    UND,
    Article,
    ArticleResult,
    Chunk,
    CleanedText,
    ErrorInfo,
    LanguageResult,
    Removal,
    RouteStep,
    SummaryResult,
    TranslationResult,
)

__version__ = "0.1.0"

__all__ = [
    "UND",
    "Article",
    "ArticleResult",
    "Chunk",
    "CleanedText",
    "ConfigError",
    "DataError",
    "ErrorInfo",
    "GenerationError",
    "InputError",
    "LanguageResult",
    "MissingDependencyError",
    "ModelError",
    "ModelLoadError",
    "Removal",
    "RingkasError",
    "RouteStep",
    "SummaryResult",
    "TranslationResult",
    "UnknownModelError",
    "UnsupportedLanguageError",
    "__version__",
]
