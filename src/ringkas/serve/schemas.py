"""Request and response bodies of the HTTP API, so the OpenAPI schema describes every field.

Request fields use the library's argument names (``texts``, ``source_lang``, ``articles``...);
responses are the library's results (``to_dict()``), one per input, in input order.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, ConfigDict, Field

LangCode = Annotated[
    str,
    Field(
        min_length=2,
        max_length=12,
        pattern=r"^[A-Za-z]{2,8}([_-][A-Za-z0-9]{1,8})?$",
        description="ISO 639 language code, e.g. id, en, jv",
        examples=["id"],
    ),
]
Texts = Annotated[list[str], Field(min_length=1, description="one or more documents")]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


# -- requests ---------------------------------------------------------------------------------
class TranslateRequest(_Strict):
    texts: Texts
    source_lang: LangCode | list[LangCode | None] | None = Field(
        None, description="one code for all texts, one per text, or null to detect each"
    )
    target_lang: LangCode | None = Field(None, description="default: the server's (en)")


class SummarizeRequest(_Strict):
    texts: Texts
    lang: LangCode | list[LangCode | None] | None = Field(
        None, description="one code for all texts, one per text, or null to detect each"
    )


class DetectRequest(_Strict):
    texts: Texts


class ExtractRequest(_Strict):
    pages: Annotated[list[str], Field(min_length=1, description="raw pages: HTML or text")]
    format: Literal["auto", "html", "text"] = Field(
        "auto", description="how to read each page: auto-detect, HTML or plain text"
    )


class ArticleIn(_Strict):
    id: str | int | None = Field(None, description="default: the article's position")
    text: str
    title: str | None = None
    lang: LangCode | None = Field(None, description="known language: skips detection")


class ProcessRequest(_Strict):
    articles: Annotated[
        list[str | ArticleIn],
        Field(min_length=1, description="articles: plain strings or objects with a text"),
    ]


# -- responses --------------------------------------------------------------------------------
class RouteStepOut(BaseModel):
    task: str
    model: str | None
    source_lang: str
    target_lang: str
    engine: str | None = Field(
        None, description="engine, compute type and int8 library that ran, e.g. ct2/float32"
    )


class RemovalOut(BaseModel):
    kind: str
    text: str


class ErrorInfoOut(BaseModel):
    type: str
    message: str


class TranslationOut(BaseModel):
    text: str
    source_lang: str
    target_lang: str
    route: list[RouteStepOut]
    lang_confidence: float
    n_segments: int
    n_split_sentences: int
    truncated: bool
    passthrough: bool


class SummaryOut(BaseModel):
    text: str
    source_lang: str
    target_lang: str
    method: str
    route: list[RouteStepOut]
    lang_confidence: float
    n_chunks: int
    n_rounds: int
    input_tokens: int
    truncated: bool


class LanguageOut(BaseModel):
    lang: str
    confidence: float
    alternatives: list[tuple[str, float]]
    stage: str


class ExtractedOut(BaseModel):
    title: str | None = Field(description="the headline as printed")
    byline: str | None = Field(description="author/editor line as printed")
    published: str | None = Field(description="publication date as printed")
    published_iso: str | None = Field(description="published, parsed: YYYY-MM-DD[THH:MM]")
    dateline: str | None
    paragraphs: list[str] = Field(description="the body, in order")
    text: str = Field(description="the body, paragraphs joined by blank lines")
    captions: list[str]
    removed: list[RemovalOut] = Field(description="every line that is not title or body")
    format: str = Field(description="how the page was read: text, html or html-basic")


class ArticleResultOut(BaseModel):
    id: str
    lang: str | None
    lang_confidence: float | None
    summary: str | None
    summary_lang: str | None = None
    translation: str | None
    title_translation: str | None
    steps: list[str]
    summary_route: list[RouteStepOut]
    translation_route: list[RouteStepOut]
    n_chunks: int
    n_segments: int
    truncated: bool
    removed: list[RemovalOut]
    dateline: str | None
    title: str | None = None
    byline: str | None = None
    published: str | None = None
    timings: dict[str, float]
    error: ErrorInfoOut | None


class TranslateResponse(BaseModel):
    results: list[TranslationOut]


class SummarizeResponse(BaseModel):
    results: list[SummaryOut]


class DetectResponse(BaseModel):
    results: list[LanguageOut]


class ExtractResponse(BaseModel):
    results: list[ExtractedOut]


class ProcessResponse(BaseModel):
    results: list[ArticleResultOut]


class ModelsResponse(BaseModel):
    steps: list[str]
    summary_method: str
    summary_model: str | None = Field(description="null when the method needs no model")
    translation_model: str | None = Field(description="null: routed by language")
    routes: dict[str, str] = Field(description="SRC-TGT -> model given at start-up")
    loaded: list[str] = Field(description="models loaded so far")
    ready: bool


class StatusResponse(BaseModel):
    status: str
    detail: str | None = None


class FieldProblem(BaseModel):
    field: str
    problem: str
    fix: str


class ErrorBody(BaseModel):
    type: str
    message: str
    fields: list[FieldProblem] = []


class ErrorResponse(BaseModel):
    error: ErrorBody


# -- LibreTranslate ---------------------------------------------------------------------------
class LTTranslateRequest(BaseModel):
    q: str | list[str]
    source: str = "auto"
    target: str
    format: Literal["text", "html"] = "text"
    api_key: str | None = None
    alternatives: int = 0


class LTDetected(BaseModel):
    confidence: float = Field(description="0-100")
    language: str


class LTTranslateResponse(BaseModel):
    translatedText: str | list[str]  # noqa: N815 (LibreTranslate's field name)
    detectedLanguage: LTDetected | list[LTDetected] | None = None  # noqa: N815


class LTDetectRequest(BaseModel):
    q: str
    api_key: str | None = None


class LTLanguage(BaseModel):
    code: str
    name: str
    targets: list[str]


class LTError(BaseModel):
    error: str
