"""Frozen result and input dataclasses shared across ringkas.

Results are immutable so they can be shared between threads and cached; each has ``to_dict()``
giving plain JSON-serialisable data (what the CLI writes).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from ringkas.errors import InputError

__all__ = [
    "UND",
    "Article",
    "ArticleResult",
    "Chunk",
    "CleanedText",
    "ErrorInfo",
    "ExtractedArticle",
    "LanguageResult",
    "Removal",
    "RouteStep",
    "SummaryResult",
    "TranslationResult",
    "to_article",
]

#: ISO 639 code for "undetermined": text with no language in it (empty, digits, URLs, emoji, ...).
UND = "und"


def plain(value: Any) -> Any:
    """JSON-serialisable copy: dataclasses and mappings become dicts, tuples become lists."""
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
    if isinstance(value, Mapping):
        return {str(k): plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [plain(v) for v in value]
    return value


class _ToDict:
    def to_dict(self) -> dict[str, Any]:
        """Plain, JSON-serialisable data (nested dataclasses and tuples become dicts and lists)."""
        result: dict[str, Any] = plain(self)
        return result


@dataclass(frozen=True)
class LanguageResult(_ToDict):
    """The language of a text, as an ISO 639-1 code where one exists (``und`` when none)."""

    lang: str
    #: Probability of ``lang`` in [0, 1] (1.0 for ``und`` on text with no letters at all).
    confidence: float
    #: Other candidates, best first, as ``(code, probability)``.
    alternatives: tuple[tuple[str, float], ...] = ()
    #: Which stage decided: ``"langdetect"``, ``"regional"`` (the id/ms/jv/su/... re-decider),
    #: ``"script"`` or ``"none"`` (no language in the text).
    stage: str = "langdetect"

    @property
    def is_undetermined(self) -> bool:
        return self.lang == UND


@dataclass(frozen=True)
class Removal(_ToDict):
    """One piece of boilerplate that cleaning removed, and why."""

    kind: str  # one of ringkas.text.REMOVAL_KINDS: "read_also", "caption", "byline", ...
    text: str


@dataclass(frozen=True)
class CleanedText(_ToDict):
    """Article text after cleaning, with what was taken out so a user can see why."""

    text: str
    dateline: str | None = None
    removed: tuple[Removal, ...] = ()
    #: Headline, byline and publication date found on the page (None when it had none).
    title: str | None = None
    byline: str | None = None
    published: str | None = None


@dataclass(frozen=True)
class ExtractedArticle(_ToDict):
    """A scraped page taken apart: the headline and metadata, the body, and what was not article.

    Every non-blank line of the page ends up in exactly one place: ``title``, ``paragraphs``
    (the dateline and editor initials split off) or ``removed`` (with its kind), so a user can
    check that no body text was lost.
    """

    title: str | None = None
    #: Author/editor line as printed ("Penulis: A | Editor: B", "Oleh A", "By A and B").
    byline: str | None = None
    #: Publication date as printed ("Kamis, 14 Desember 2023 09:25 WIB").
    published: str | None = None
    #: ``published`` parsed: ``YYYY-MM-DD`` or ``YYYY-MM-DDTHH:MM`` (local time as printed).
    published_iso: str | None = None
    dateline: str | None = None
    paragraphs: tuple[str, ...] = ()
    #: The body: ``paragraphs`` joined by blank lines.
    text: str = ""
    #: Photo captions and credits found on the page, in page order.
    captions: tuple[str, ...] = ()
    removed: tuple[Removal, ...] = ()
    #: How the page was read: ``"text"``, ``"html"`` (trafilatura) or ``"html-basic"``.
    format: str = "text"


@dataclass(frozen=True)
class Chunk(_ToDict):
    """A piece of a document that fits a token budget; ``text == source[start:end]``."""

    text: str
    start: int
    end: int
    n_tokens: int
    #: How the chunk's last cut was made: ``"sentence"``, ``"clause"`` or ``"window"``.
    split: str = "sentence"


@dataclass(frozen=True)
class RouteStep(_ToDict):
    """One model call on the way from an input to a result."""

    task: str  # "translate" | "summarize" | "passthrough" | "extract"
    model: str | None
    source_lang: str
    target_lang: str
    #: ``engine/compute type[/int8 library]`` that ran, e.g. ``ct2/float32``, ``ct2/int8/mkl``.
    engine: str | None = None

    def __str__(self) -> str:
        name = self.model or "-"
        return f"{self.task}:{name}[{self.source_lang}->{self.target_lang}]"


@dataclass(frozen=True)
class TranslationResult(_ToDict):
    """One translated document; ``text`` keeps the source's paragraph breaks."""

    text: str
    source_lang: str
    target_lang: str
    route: tuple[RouteStep, ...] = ()
    #: Confidence of the detected source language (1.0 when the caller gave it).
    lang_confidence: float = 1.0
    #: Units sent to the model (sentences, plus the extra pieces of over-long sentences).
    n_segments: int = 0
    #: Sentences that exceeded the model's input limit and were split before translation.
    n_split_sentences: int = 0
    #: True only if some input could not be given to the model whole and was cut off.
    #: ringkas splits instead of cutting, so this stays False unless a model misbehaves.
    truncated: bool = False
    #: True when source and target language are the same and the text was returned unchanged.
    passthrough: bool = False


@dataclass(frozen=True)
class SummaryResult(_ToDict):
    """One summary; ``route`` says which models made it, and in which languages."""

    text: str
    source_lang: str
    target_lang: str
    method: str  # "abstractive" | "lead" | "textrank"
    route: tuple[RouteStep, ...] = ()
    lang_confidence: float = 1.0
    #: Chunks the article was cut into to fit the model's input window (1 = read whole).
    n_chunks: int = 1
    #: Rounds of map-reduce (1 = one pass over the article).
    n_rounds: int = 1
    #: Tokens of the article under the summariser's tokenizer (0 for extractive methods).
    input_tokens: int = 0
    truncated: bool = False


@dataclass(frozen=True)
class ErrorInfo(_ToDict):
    """A record-level error: the record keeps its place in the output and says what went wrong."""

    type: str
    message: str


@dataclass(frozen=True)
class Article(_ToDict):
    """One input article. ``lang`` skips detection when the caller knows the language."""

    id: str
    text: str
    title: str | None = None
    lang: str | None = None


@dataclass(frozen=True)
class ArticleResult(_ToDict):
    """Everything the pipeline did to one article, or why it could not."""

    id: str
    lang: str | None = None
    lang_confidence: float | None = None
    #: The summary, in ``summary_lang`` (None when the step did not run or failed).
    summary: str | None = None
    #: Language of ``summary``: the summary language, or the article's own for extractive ones.
    summary_lang: str | None = None
    #: English translation of the (cleaned) body, paragraph breaks kept.
    translation: str | None = None
    #: English translation of the title, when the article had one.
    title_translation: str | None = None
    #: Steps that ran, in order: a subset of ("clean", "detect", "summarize", "translate").
    steps: tuple[str, ...] = ()
    summary_route: tuple[RouteStep, ...] = ()
    translation_route: tuple[RouteStep, ...] = ()
    n_chunks: int = 0
    n_segments: int = 0
    truncated: bool = False
    #: Boilerplate removed by cleaning.
    removed: tuple[Removal, ...] = ()
    dateline: str | None = None
    #: Headline (the record's title, else the one found on the page), byline and date as printed.
    title: str | None = None
    byline: str | None = None
    published: str | None = None
    #: Seconds spent per step on this article (batched steps are shared out by token count).
    timings: Mapping[str, float] = field(default_factory=dict)
    error: ErrorInfo | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def to_article(
    item: object,
    position: int,
    *,
    text_field: str = "text",
    id_field: str = "id",
    title_field: str = "title",
    lang_field: str = "lang",
) -> Article:
    """Coerce one input record; :class:`InputError` says what is wrong with it."""
    if isinstance(item, Article):
        return item
    if isinstance(item, str):
        return Article(id=str(position), text=item)
    if isinstance(item, Mapping):
        raw_id = item.get(id_field)
        article_id = str(position) if raw_id is None else str(raw_id)
        if text_field not in item:
            raise InputError(f"record has no {text_field!r} field (fields: {sorted(item)})")
        text = item[text_field]
        if not isinstance(text, str):
            raise InputError(f"field {text_field!r} must be a string, got {type(text).__name__}")
        title = item.get(title_field)
        lang = item.get(lang_field)
        if title is not None and not isinstance(title, str):
            raise InputError(f"field {title_field!r} must be a string, got {type(title).__name__}")
        if lang is not None and (not isinstance(lang, str) or not lang.strip()):
            raise InputError(f"field {lang_field!r} must be a language code, got {lang!r}")
        return Article(id=article_id, text=text, title=title, lang=lang)
    raise InputError(
        f"an article must be a string, a mapping with a {text_field!r} field or an Article, "
        f"got {type(item).__name__}"
    )
