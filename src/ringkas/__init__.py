"""ringkas: detect, clean, summarise (in Indonesian) and translate (to English) news articles.

Importing ringkas is cheap: no module here imports torch or transformers until a model is loaded,
so a service that only detects languages or cleans text never pays for them.
"""

from __future__ import annotations

from ringkas.aio import AsyncRingkas
from ringkas.config import BatchOptions, EngineOptions, GenerationOptions
from ringkas.errors import (
    ConfigError,
    DataError,
    DuplicateIdError,
    GenerationError,
    InputError,
    InputReadError,
    MissingDependencyError,
    ModelError,
    ModelLoadError,
    OverloadedError,
    RingkasError,
    UnknownModelError,
    UnsupportedLanguageError,
)
from ringkas.extract import extract_article
from ringkas.langid import detect_article, detect_language
from ringkas.models import (
    ModelSpec,
    get_model,
    list_models,
    prefetch,
    register_model,
    register_route,
    set_summarizer,
)
from ringkas.pipeline import Ringkas
from ringkas.summarize import Summarizer, summarize
from ringkas.text import chunk_text, clean_text, sentence_spans, split_sentences
from ringkas.translate import Translator, translate
from ringkas.types import (
    UND,
    Article,
    ArticleResult,
    Chunk,
    CleanedText,
    ErrorInfo,
    ExtractedArticle,
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
    "AsyncRingkas",
    "BatchOptions",
    "Chunk",
    "CleanedText",
    "ConfigError",
    "DataError",
    "DuplicateIdError",
    "EngineOptions",
    "ErrorInfo",
    "ExtractedArticle",
    "GenerationError",
    "GenerationOptions",
    "InputError",
    "InputReadError",
    "LanguageResult",
    "MissingDependencyError",
    "ModelError",
    "ModelLoadError",
    "ModelSpec",
    "OverloadedError",
    "Removal",
    "Ringkas",
    "RingkasError",
    "RouteStep",
    "Summarizer",
    "SummaryResult",
    "TranslationResult",
    "Translator",
    "UnknownModelError",
    "UnsupportedLanguageError",
    "__version__",
    "chunk_text",
    "clean_text",
    "detect_article",
    "detect_language",
    "extract_article",
    "get_model",
    "list_models",
    "prefetch",
    "register_model",
    "register_route",
    "sentence_spans",
    "set_summarizer",
    "split_sentences",
    "summarize",
    "translate",
]
