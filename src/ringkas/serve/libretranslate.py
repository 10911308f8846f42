"""LibreTranslate-compatible endpoints, so its clients and apps work against ringkas unchanged.

``POST /translate`` (``q`` a string or a list, ``source`` a code or ``"auto"``, ``target``,
``format`` text/html), ``POST /detect`` and ``GET /languages``, accepting JSON or form bodies as
LibreTranslate does, and answering its shapes (``translatedText``, ``detectedLanguage`` with a
0-100 confidence, ``{"error": ...}`` with 400 for a bad request). ``api_key`` is accepted and
ignored: put an authenticating proxy in front when one is needed.
"""

from __future__ import annotations

import html
import json
from html.parser import HTMLParser
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qs

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ValidationError

from ringkas.errors import RingkasError
from ringkas.models import list_models
from ringkas.serve import schemas as s

if TYPE_CHECKING:
    from ringkas.serve.app import State
    from ringkas.translate import Translator

#: English names of the languages ringkas routes (LibreTranslate's ``/languages`` gives names).
NAMES = {
    "ace": "Acehnese", "ar": "Arabic", "ban": "Balinese", "ceb": "Cebuano", "de": "German",
    "en": "English", "es": "Spanish", "fr": "French", "hi": "Hindi", "id": "Indonesian",
    "ilo": "Ilocano", "it": "Italian", "ja": "Japanese", "jv": "Javanese", "ko": "Korean",
    "min": "Minangkabau", "ms": "Malay", "nl": "Dutch", "pt": "Portuguese", "ru": "Russian",
    "su": "Sundanese", "sw": "Swahili", "th": "Thai", "tl": "Tagalog", "tr": "Turkish",
    "vi": "Vietnamese", "war": "Waray", "zh": "Chinese",
}  # fmt: skip

_SKIP = {"script", "style"}


class _HtmlTexts(HTMLParser):
    """Markup kept as is, text nodes pulled out to be translated and put back in place."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str | int] = []
        self.texts: list[str] = []
        self._skip = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.parts.append(self.get_starttag_text() or f"<{tag}>")
        self._skip += tag in _SKIP

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.parts.append(self.get_starttag_text() or f"<{tag}/>")

    def handle_endtag(self, tag: str) -> None:
        self.parts.append(f"</{tag}>")
        if tag in _SKIP and self._skip:
            self._skip -= 1

    def handle_data(self, data: str) -> None:
        core = data.strip()
        if self._skip or not core:
            self.parts.append(data if self._skip else html.escape(data, quote=False))
            return
        start = data.index(core)
        self.parts.append(html.escape(data[:start], quote=False))
        self.parts.append(len(self.texts))
        self.texts.append(core)
        self.parts.append(html.escape(data[start + len(core) :], quote=False))

    def handle_comment(self, data: str) -> None:
        self.parts.append(f"<!--{data}-->")

    def handle_decl(self, decl: str) -> None:
        self.parts.append(f"<!{decl}>")

    def handle_pi(self, data: str) -> None:
        self.parts.append(f"<?{data}>")

    def unknown_decl(self, data: str) -> None:
        self.parts.append(f"<![{data}]>")

    def rebuild(self, translated: list[str]) -> str:
        return "".join(
            html.escape(translated[p], quote=False) if isinstance(p, int) else p for p in self.parts
        )


def html_texts(markup: str) -> _HtmlTexts:
    parser = _HtmlTexts()
    parser.feed(markup)
    parser.close()
    return parser


def served_languages(translator: Translator) -> list[dict[str, Any]]:
    """Each language with the targets a route serves: the start-up routes when given (an
    offline deployment serves only those), else the registry's."""
    if translator.model is not None:
        spec = translator.model
        codes = {c for c in (*spec.source_langs, *spec.target_langs) if c != "*"}
    elif translator.routes:
        codes = {code for key in translator.routes for code in key.split("-", 1)}
    else:
        codes = {
            code
            for spec in list_models("translation")
            for code in (*spec.source_langs, *spec.target_langs)
            if code != "*"
        }
    languages = []
    for src in sorted(codes):
        targets = []
        for tgt in sorted(codes):
            if tgt == src:
                continue
            try:
                translator.route(src, tgt)
            except RingkasError:
                continue
            targets.append(tgt)
        if targets:
            languages.append({"code": src, "name": NAMES.get(src, src), "targets": targets})
    return languages


def _lt_error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


async def _fields(request: Request) -> dict[str, Any]:
    """A JSON or form body, as LibreTranslate accepts either (its clients send forms)."""
    raw = await request.body()
    if request.headers.get("content-type", "").startswith("application/json"):
        data = json.loads(raw or b"{}")
        if not isinstance(data, dict):
            raise ValueError("the JSON body must be an object")
        return data
    form = parse_qs(raw.decode("utf-8"), keep_blank_values=True)
    return {
        key: values if key == "q" and len(values) > 1 else values[-1]
        for key, values in form.items()
    }


def _parse(model: type[BaseModel], data: dict[str, Any]) -> Any:
    return model.model_validate(data)


def _explain(exc: ValidationError) -> str:
    parts = []
    for error in exc.errors():
        where = ".".join(str(p) for p in error.get("loc", ())) or "body"
        parts.append(f"{where}: {error.get('msg', 'invalid')}")
    return "Invalid request: " + "; ".join(parts)


def add_routes(app: FastAPI, state: State) -> None:
    from ringkas.serve.app import ApiError, call

    bad: dict[int | str, dict[str, Any]] = {
        400: {"model": s.LTError, "description": "LibreTranslate-style error"}
    }
    translator = state.ringkas.translator

    async def body_of(request: Request, model: type[BaseModel]) -> Any:
        try:
            return _parse(model, await _fields(request))
        except ValidationError as exc:
            raise _BadRequestError(_explain(exc)) from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise _BadRequestError(f"Invalid request: {exc}") from None

    @app.exception_handler(_BadRequestError)
    async def lt_bad(request: Request, exc: _BadRequestError) -> JSONResponse:
        return _lt_error(400, str(exc))

    @app.post(
        "/translate",
        response_model=s.LTTranslateResponse,
        response_model_exclude_none=True,
        responses=bad,
        openapi_extra={"requestBody": _body_schema(s.LTTranslateRequest)},
        tags=["LibreTranslate"],
    )
    async def lt_translate(request: Request) -> Any:
        """LibreTranslate's translate: ``q`` a string or list; ``source`` may be ``auto``."""
        body: s.LTTranslateRequest = await body_of(request, s.LTTranslateRequest)
        texts = [body.q] if isinstance(body.q, str) else list(body.q)
        if not texts:
            raise _BadRequestError("Invalid request: q is empty")
        _check_items(state, len(texts))
        auto = body.source == "auto"
        source = None if auto else body.source
        try:
            if body.format == "html":
                translated, detected = await _translate_html(state, texts, source, body.target)
            else:
                results = await call(
                    state,
                    lambda aio: aio.translate(texts, source_lang=source, target_lang=body.target),
                    models=True,
                )
                translated = [r.text for r in results]
                detected = [(r.source_lang, r.lang_confidence) for r in results]
        except ApiError as exc:
            if exc.status in (422,):
                raise _BadRequestError(exc.message) from None
            raise
        langs = [{"confidence": round(c * 100, 2), "language": lang} for lang, c in detected]
        single = isinstance(body.q, str)
        out: dict[str, Any] = {"translatedText": translated[0] if single else translated}
        if auto:
            out["detectedLanguage"] = langs[0] if single else langs
        return out

    @app.post(
        "/detect",
        response_model=list[s.LTDetected],
        responses=bad,
        openapi_extra={"requestBody": _body_schema(s.LTDetectRequest)},
        tags=["LibreTranslate"],
    )
    async def lt_detect(request: Request) -> Any:
        """LibreTranslate's detect: the candidates for ``q``, best first, confidence 0-100."""
        body: s.LTDetectRequest = await body_of(request, s.LTDetectRequest)
        [result] = await call(state, lambda aio: aio.detect([body.q]), models=False)
        candidates = [(result.lang, result.confidence), *result.alternatives]
        return [{"confidence": round(c * 100, 2), "language": lang} for lang, c in candidates]

    @app.get("/languages", response_model=list[s.LTLanguage], tags=["LibreTranslate"])
    async def lt_languages() -> Any:
        """LibreTranslate's languages: each code with its name and the targets served."""
        return served_languages(translator)


class _BadRequestError(Exception):
    pass


def _check_items(state: State, n: int) -> None:
    limit = state.settings.max_items
    if n > limit:
        from ringkas.serve.app import ApiError

        raise ApiError(413, "PayloadTooLarge", f"{n} texts in one request; the limit is {limit}")


def _body_schema(model: type[BaseModel]) -> dict[str, Any]:
    """OpenAPI request body for a route that reads the body itself (JSON or form)."""
    schema = model.model_json_schema(ref_template="#/components/schemas/{model}")
    schema.pop("$defs", None)
    return {
        "required": True,
        "content": {
            "application/json": {"schema": schema},
            "application/x-www-form-urlencoded": {"schema": schema},
        },
    }


async def _translate_html(
    state: State, pages: list[str], source: str | None, target: str
) -> tuple[list[str], list[tuple[str, float]]]:
    """Translate the text nodes of each page in one batch; markup stays where it was."""
    from ringkas.serve.app import call

    parsed = [html_texts(page) for page in pages]
    langs: list[str | None] = []
    detected: list[tuple[str, float]] = []
    if source is None:
        joined = [" ".join(p.texts) for p in parsed]
        found = await call(state, lambda aio: aio.detect(joined), models=False)
        detected = [(r.lang, r.confidence) for r in found]
        langs = [r.lang for r in found]
    else:
        detected = [(source, 1.0)] * len(pages)
        langs = [source] * len(pages)
    texts = [t for p in parsed for t in p.texts]
    node_langs = [lang for p, lang in zip(parsed, langs, strict=True) for _ in p.texts]
    results = []
    if texts:
        results = await call(
            state,
            lambda aio: aio.translate(texts, source_lang=node_langs, target_lang=target),
            models=True,
        )
    out: list[str] = []
    position = 0
    for p in parsed:
        out.append(p.rebuild([r.text for r in results[position : position + len(p.texts)]]))
        position += len(p.texts)
    return out, detected
