"""The FastAPI app: JSON endpoints over :class:`~ringkas.aio.AsyncRingkas`, limits, metrics.

Every model call goes through the async micro-batchers, so concurrent requests share batches.
Errors are JSON ``{"error": {"type", "message", "fields"}}`` with no stack trace: 413 for a body
or item count over the limit, 422 for a bad field (with its fix) or an input the library
refuses, 503 with ``Retry-After`` when the queue is full or models are still loading, 504 when a
request outlives its timeout, 500 (logged) for anything unexpected.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any, TypeVar

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from ringkas import __version__
from ringkas.aio import KINDS, AsyncRingkas, BatchInfo
from ringkas.errors import InputError, ModelError, OverloadedError, RingkasError
from ringkas.extract import extract_article
from ringkas.pipeline import Ringkas
from ringkas.serve import ServeSettings
from ringkas.serve import schemas as s

log = logging.getLogger("ringkas.serve")

T = TypeVar("T")

#: Paths used as metric labels (anything else is "other", keeping label sets bounded).
ENDPOINTS = (
    "/v1/process",
    "/v1/translate",
    "/v1/summarize",
    "/v1/detect",
    "/v1/extract",
    "/v1/models",
    "/healthz",
    "/readyz",
    "/metrics",
    "/translate",
    "/detect",
    "/languages",
)

_FIXES = {
    "missing": "add this field",
    "extra_forbidden": "remove this field (see the schema at /docs for the accepted ones)",
    "string_type": "give a string",
    "list_type": "give a JSON array",
    "too_short": "give at least one item",
    "string_too_short": "give a longer value",
    "string_too_long": "give a shorter value",
    "string_pattern_mismatch": "give an ISO 639 language code such as 'id' or 'en'",
    "literal_error": "use one of the values the message lists",
    "int_type": "give an integer",
    "json_invalid": "send a valid JSON body with content-type application/json",
    "model_attributes_type": "send a JSON object",
    "dict_type": "send a JSON object",
}


class ApiError(Exception):
    """An error answered as JSON with ``status`` (and headers), never as a stack trace."""

    def __init__(
        self,
        status: int,
        type_: str,
        message: str,
        *,
        headers: dict[str, str] | None = None,
        fields: list[s.FieldProblem] | None = None,
    ) -> None:
        super().__init__(message)
        self.status = status
        self.type = type_
        self.message = message
        self.headers = headers or {}
        self.fields = fields or []

    def response(self) -> JSONResponse:
        body = s.ErrorResponse(
            error=s.ErrorBody(type=self.type, message=self.message, fields=self.fields)
        )
        return JSONResponse(body.model_dump(), status_code=self.status, headers=self.headers)


class Metrics:
    """Prometheus metrics of one app (its own registry: several apps never clash)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        self.requests = Counter(
            "ringkas_requests",
            "HTTP requests answered",
            ["endpoint", "status"],
            registry=self.registry,
        )
        self.errors = Counter(
            "ringkas_errors", "HTTP requests answered with an error", ["endpoint", "type"],
            registry=self.registry,
        )  # fmt: skip
        self.latency = Histogram(
            "ringkas_request_seconds", "Request latency", ["endpoint"], registry=self.registry
        )
        self.batch_requests = Histogram(
            "ringkas_batch_requests",
            "Requests coalesced into one model batch",
            ["kind"],
            buckets=(1, 2, 4, 8, 16, 32, 64, 128),
            registry=self.registry,
        )
        self.batch_items = Histogram(
            "ringkas_batch_items",
            "Texts or articles in one model batch",
            ["kind"],
            buckets=(1, 2, 4, 8, 16, 32, 64, 128, 256),
            registry=self.registry,
        )
        self.batch_seconds = Histogram(
            "ringkas_batch_seconds", "Time one batch ran", ["kind"], registry=self.registry
        )
        self.queue_depth = Gauge(
            "ringkas_queue_depth", "Requests waiting for a batch", ["kind"], registry=self.registry
        )
        self.in_flight = Gauge(
            "ringkas_requests_in_flight", "Requests being answered", registry=self.registry
        )
        self.ready = Gauge("ringkas_ready", "1 once the models are loaded", registry=self.registry)

    def batch(self, info: BatchInfo) -> None:
        self.batch_requests.labels(info.kind).observe(info.requests)
        self.batch_items.labels(info.kind).observe(info.items)
        self.batch_seconds.labels(info.kind).observe(info.seconds)


@dataclass
class State:
    """What the app knows about itself (on ``app.state.ringkas``)."""

    ringkas: Ringkas
    settings: ServeSettings
    metrics: Metrics
    aio: AsyncRingkas | None = None
    ready: bool = False
    load_error: str | None = None
    loaded: list[str] = field(default_factory=list)
    accepted: int = 0
    answered: int = 0


class Guard:
    """Outermost ASGI layer: body-size limit (413), in-flight and latency metrics, counts."""

    def __init__(self, app: ASGIApp, state: State) -> None:
        self.app = app
        self.state = state

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        state = self.state
        path = scope["path"]
        endpoint = path if path in ENDPOINTS else "other"
        began = time.perf_counter()
        status = 500
        state.accepted += 1
        state.metrics.in_flight.inc()

        async def counted(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            body = await self._read_body(scope, receive)
            if body is None:  # too large (answered) or the client left
                status = 413
                await self._too_large().response()(scope, receive, counted)
                return
            replayed = False

            async def replay() -> Message:
                nonlocal replayed
                if not replayed:
                    replayed = True
                    return {"type": "http.request", "body": body, "more_body": False}
                return await receive()

            await self.app(scope, replay, counted)
        finally:
            state.answered += 1
            state.metrics.in_flight.dec()
            state.metrics.requests.labels(endpoint, str(status)).inc()
            state.metrics.latency.labels(endpoint).observe(time.perf_counter() - began)

    async def _read_body(self, scope: Scope, receive: Receive) -> bytes | None:
        limit = self.state.settings.max_body_bytes
        for name, value in scope.get("headers", ()):
            if name == b"content-length" and value.isdigit() and int(value) > limit:
                return None
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return b"".join(chunks)
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > limit:
                return None
            chunks.append(chunk)
            if not message.get("more_body", False):
                return b"".join(chunks)

    def _too_large(self) -> ApiError:
        limit = self.state.settings.max_body_bytes
        return ApiError(
            413,
            "PayloadTooLarge",
            f"the request body is over {limit} bytes; send fewer or shorter texts per request",
        )


def build_app(ringkas: Ringkas, settings: ServeSettings) -> FastAPI:
    state = State(ringkas=ringkas, settings=settings, metrics=Metrics())

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        state.aio = AsyncRingkas(
            ringkas,
            max_wait_ms=settings.max_wait_ms,
            max_batch_items=settings.max_batch_items,
            max_queue=settings.max_queue,
            workers=settings.workers,
            on_batch=state.metrics.batch,
        )
        loading = asyncio.create_task(_load(state))
        try:
            yield
        finally:
            loading.cancel()
            await state.aio.aclose()
            log.info("stopped: %d requests accepted, %d answered", state.accepted, state.answered)

    app = FastAPI(
        title="ringkas",
        version=__version__,
        description="Clean, detect, summarise (Indonesian) and translate (English) news "
        "articles. Concurrent requests share model batches. See docs/serving.md.",
        lifespan=lifespan,
    )
    app.state.ringkas = state
    _add_error_handlers(app, state)
    _add_routes(app, state)
    from ringkas.serve.libretranslate import add_routes as add_libretranslate

    add_libretranslate(app, state)
    app.add_middleware(Guard, state=state)
    return app


async def _load(state: State) -> None:
    """Load every model the steps need; /readyz turns ready only after this."""
    assert state.aio is not None
    try:
        state.loaded = await state.aio.load_models(state.settings.load_languages)
    except asyncio.CancelledError:
        raise
    except Exception as exc:  # reported on /readyz and in the log, not a crash
        state.load_error = f"{type(exc).__name__}: {exc}"
        log.error("models could not be loaded: %s", state.load_error)
        return
    state.ready = True
    state.metrics.ready.set(1)
    log.info("ready: %s", ", ".join(state.loaded) or "no models needed")


def _add_error_handlers(app: FastAPI, state: State) -> None:
    @app.exception_handler(ApiError)
    async def api_error(request: Request, exc: ApiError) -> JSONResponse:
        _count_error(request, state, exc.type)
        return exc.response()

    @app.exception_handler(RequestValidationError)
    async def invalid(request: Request, exc: RequestValidationError) -> JSONResponse:
        problems: dict[str, tuple[list[str], list[str]]] = {}
        for error in exc.errors():
            loc = [str(p) for p in error.get("loc", ()) if p != "body" and not _union_tag(p)]
            problem, fix = problems.setdefault(".".join(loc) or "body", ([], []))
            problem.append(str(error.get("msg", "invalid")))
            fix.append(_FIXES.get(str(error.get("type", "")), "see the request schema at /docs"))
        fields = [  # one entry per field; a union's alternatives joined with "or"
            s.FieldProblem(
                field=name,
                problem=" or ".join(dict.fromkeys(problem)),
                fix=" or ".join(dict.fromkeys(fix)),
            )
            for name, (problem, fix) in problems.items()
        ]
        where = ", ".join(f.field for f in fields)
        error = ApiError(422, "ValidationError", f"invalid request: {where}", fields=fields)
        _count_error(request, state, error.type)
        return error.response()

    @app.exception_handler(Exception)
    async def unexpected(request: Request, exc: Exception) -> JSONResponse:
        log.exception("unexpected error on %s", request.url.path)
        _count_error(request, state, "InternalError")
        return ApiError(500, "InternalError", "internal error; see the server log").response()


def _union_tag(part: object) -> bool:
    """pydantic's names for a union's branches in an error location (not field names)."""
    text = str(part)
    return "[" in text or "-" in text or text in {"str", "int", "float", "bool", "list", "dict"}


def _count_error(request: Request, state: State, type_: str) -> None:
    path = request.url.path
    state.metrics.errors.labels(path if path in ENDPOINTS else "other", type_).inc()


def _check_items(state: State, n: int, what: str) -> None:
    limit = state.settings.max_items
    if n > limit:
        raise ApiError(
            413,
            "PayloadTooLarge",
            f"{n} {what} in one request; the limit is {limit}: split them over several requests",
        )


async def call(state: State, work: Callable[[AsyncRingkas], Awaitable[T]], *, models: bool) -> T:
    """Run one library call with the request timeout; library errors become API errors."""
    aio = state.aio
    retry = {"Retry-After": str(state.settings.retry_after_s)}
    if aio is None:
        raise ApiError(503, "NotReady", "the server is starting; retry in a moment", headers=retry)
    if models and not state.ready:
        detail = state.load_error or "the models are still loading; retry in a moment"
        raise ApiError(503, "NotReady", detail, headers=retry)
    try:
        return await asyncio.wait_for(work(aio), state.settings.request_timeout_s)
    except asyncio.TimeoutError:
        raise ApiError(
            504,
            "Timeout",
            f"the request took over {state.settings.request_timeout_s:g} s; "
            "send fewer or shorter texts, or retry when the server is less busy",
        ) from None
    except OverloadedError as exc:
        headers = {"Retry-After": str(max(1, round(exc.retry_after)))}
        raise ApiError(503, "Overloaded", str(exc), headers=headers) from None
    except InputError as exc:
        raise ApiError(422, type(exc).__name__, str(exc)) from None
    except ModelError as exc:
        # A language this deployment has no usable model for (e.g. a registry model that is not
        # in the offline cache): the request cannot be served here, the server is fine.
        log.warning("%s: %s", type(exc).__name__, exc)
        raise ApiError(422, type(exc).__name__, str(exc)) from None
    except RingkasError as exc:
        log.error("%s: %s", type(exc).__name__, exc)
        raise ApiError(500, type(exc).__name__, str(exc)) from None


def extract_pages(pages: list[str], fmt: str) -> list[dict[str, Any]]:
    """Take each scraped page apart (title, byline, date, dateline, body, what was removed)."""
    return [extract_article(page, format=fmt).to_dict() for page in pages]


def _add_routes(app: FastAPI, state: State) -> None:
    bad: dict[int | str, dict[str, Any]] = {
        413: {"model": s.ErrorResponse, "description": "body or item count over the limit"},
        422: {
            "model": s.ErrorResponse,
            "description": "invalid field, an input the library refuses, or a language with no "
            "usable model here",
        },
        503: {"model": s.ErrorResponse, "description": "queue full or models loading"},
        504: {"model": s.ErrorResponse, "description": "request timed out"},
    }

    @app.post("/v1/translate", response_model=s.TranslateResponse, responses=bad)
    async def translate(body: s.TranslateRequest) -> dict[str, Any]:
        """Translate documents (into English by default), routed by language."""
        _check_items(state, len(body.texts), "texts")
        results = await call(
            state,
            lambda aio: aio.translate(
                body.texts, source_lang=body.source_lang, target_lang=body.target_lang
            ),
            models=True,
        )
        return {"results": [r.to_dict() for r in results]}

    @app.post("/v1/summarize", response_model=s.SummarizeResponse, responses=bad)
    async def summarize(body: s.SummarizeRequest) -> dict[str, Any]:
        """Summarise articles (in Indonesian by default)."""
        _check_items(state, len(body.texts), "texts")
        results = await call(
            state, lambda aio: aio.summarize(body.texts, lang=body.lang), models=True
        )
        return {"results": [r.to_dict() for r in results]}

    @app.post("/v1/detect", response_model=s.DetectResponse, responses=bad)
    async def detect(body: s.DetectRequest) -> dict[str, Any]:
        """The language of each text (``und`` when it has none)."""
        _check_items(state, len(body.texts), "texts")
        results = await call(state, lambda aio: aio.detect(body.texts), models=False)
        return {"results": [r.to_dict() for r in results]}

    @app.post("/v1/process", response_model=s.ProcessResponse, responses=bad)
    async def process(body: s.ProcessRequest) -> dict[str, Any]:
        """Clean, detect, summarise and translate articles; a bad article becomes an error
        record in its place, never a failed request."""
        _check_items(state, len(body.articles), "articles")
        articles = [
            a if isinstance(a, str) else a.model_dump(exclude_none=True) for a in body.articles
        ]
        results = await call(state, lambda aio: aio.process(articles), models=True)
        return {"results": [r.to_dict() for r in results]}

    @app.post("/v1/extract", response_model=s.ExtractResponse, responses=bad)
    async def extract(body: s.ExtractRequest) -> dict[str, Any]:
        """Article text from raw pages (markup and boilerplate removed, and listed)."""
        _check_items(state, len(body.pages), "pages")

        async def work(_aio: AsyncRingkas) -> list[dict[str, Any]]:
            return await asyncio.to_thread(extract_pages, body.pages, body.format)

        return {"results": await call(state, work, models=False)}

    @app.get("/v1/models", response_model=s.ModelsResponse)
    async def models() -> dict[str, Any]:
        """The models this server uses, and which are loaded."""
        translator, summarizer = ringkas.translator, ringkas.summarizer
        abstractive = "summarize" in ringkas.steps and summarizer.method == "abstractive"
        return {
            "steps": list(ringkas.steps),
            "summary_method": summarizer.method,
            "summary_model": summarizer.model.name if abstractive else None,
            "translation_model": translator.model.name if translator.model else None,
            "routes": translator.routes,
            "loaded": state.loaded,
            "ready": state.ready,
        }

    ringkas = state.ringkas

    @app.get("/healthz", response_model=s.StatusResponse)
    async def healthz() -> dict[str, Any]:
        """The process is up (models may still be loading)."""
        return {"status": "ok"}

    @app.get(
        "/readyz",
        response_model=s.StatusResponse,
        responses={503: {"model": s.StatusResponse, "description": "models not loaded yet"}},
    )
    async def readyz() -> Response:
        """Ready once every model is loaded: route traffic here only then."""
        if state.ready:
            return JSONResponse({"status": "ready", "detail": None})
        status = "failed" if state.load_error else "loading"
        return JSONResponse(
            {"status": status, "detail": state.load_error},
            status_code=503,
            headers={"Retry-After": str(state.settings.retry_after_s)},
        )

    @app.get("/metrics", response_class=PlainTextResponse)
    async def metrics() -> Response:
        """Prometheus metrics: requests, errors, batch sizes, queue depth, latencies."""
        depth = state.aio.queue_depth() if state.aio else dict.fromkeys(KINDS, 0)
        for kind, value in depth.items():
            state.metrics.queue_depth.labels(kind).set(value)
        return Response(generate_latest(state.metrics.registry), media_type=CONTENT_TYPE_LATEST)
