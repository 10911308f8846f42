"""The async API: calls from many concurrent tasks are coalesced into shared model batches.

A service that calls ``Ringkas`` once per incoming request runs one article per model call, so
the batching that makes ringkas fast on files never happens. :class:`AsyncRingkas` puts each
call into a small queue per operation; a collector takes what arrived within ``max_wait_ms``
(or until ``max_batch_items`` / ``max_batch_chars`` fill), runs it as one library call in a
worker thread (the event loop never waits on a model) and hands each caller exactly its own
results. ringkas's results do not depend on which texts share a batch (exactly so where the
engine's are batch-independent; int8 engines scale activations per batch, which can flip a
near-tie token), so every caller gets what a direct call would have given it, errors included:
a batch that fails is retried request by request, so one bad request never takes the others
down. When the queue is full a call fails
at once with :class:`~ringkas.errors.OverloadedError` instead of waiting without end.
"""

from __future__ import annotations

import asyncio
import time
from collections import deque
from collections.abc import Callable, Hashable, Iterable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from ringkas.errors import (
    ConfigError,
    InputError,
    MissingDependencyError,
    ModelLoadError,
    OverloadedError,
    UnknownModelError,
)
from ringkas.pipeline import ArticleLike, Ringkas, _record_id, to_article
from ringkas.translate import check_texts, per_document
from ringkas.types import (
    Article,
    ArticleResult,
    ErrorInfo,
    LanguageResult,
    SummaryResult,
    TranslationResult,
)

__all__ = ["AsyncRingkas", "BatchInfo", "MicroBatcher"]

P = TypeVar("P")
R = TypeVar("R")

#: Failures of the set-up, not of a request: retrying request by request cannot help.
_SETUP_ERRORS = (ModelLoadError, UnknownModelError, MissingDependencyError, ConfigError)

KINDS = ("process", "translate", "summarize", "detect")


@dataclass(frozen=True)
class BatchInfo:
    """What one shared batch held (for metrics): requests coalesced, items, seconds it ran."""

    kind: str
    requests: int
    items: int
    seconds: float


@dataclass
class _Request(Generic[P, R]):
    payload: P
    key: Hashable
    items: int
    chars: int
    future: asyncio.Future[R]


class MicroBatcher(Generic[P, R]):
    """Coalesce concurrent requests into one ``run(key, payloads)`` call per key.

    ``run`` gets the payloads of the requests sharing ``key`` and returns one outcome per
    request: its result, or the exception that request alone would have raised. It runs in
    ``executor``; at most one batch of this batcher runs at a time, and the requests arriving
    meanwhile form the next one. Must be used from one event loop.
    """

    def __init__(
        self,
        kind: str,
        run: Callable[[Hashable, list[P]], list[R | BaseException]],
        *,
        executor: ThreadPoolExecutor,
        max_wait_s: float,
        max_items: int,
        max_chars: int,
        max_queue: int,
        on_batch: Callable[[BatchInfo], None] | None = None,
    ) -> None:
        self.kind = kind
        self._run = run
        self._executor = executor
        self._max_wait_s = max_wait_s
        self._max_items = max_items
        self._max_chars = max_chars
        self._max_queue = max_queue
        self._on_batch = on_batch
        self._waiting: deque[_Request[P, R]] = deque()
        self._queued_items = 0
        self._queued_chars = 0
        self._arrived = asyncio.Event()
        self._closed = False
        self._task: asyncio.Task[None] | None = None

    @property
    def depth(self) -> int:
        """Requests waiting for a batch (not counting the batch running now)."""
        return len(self._waiting)

    async def submit(
        self, payload: P, *, key: Hashable = None, items: int = 1, chars: int = 0
    ) -> R:
        """Queue one request and wait for its own outcome."""
        if self._closed:
            raise OverloadedError(f"ringkas is shutting down; the {self.kind} request was refused")
        if len(self._waiting) >= self._max_queue:
            raise OverloadedError(
                f"the {self.kind} queue is full ({self._max_queue} requests waiting); "
                "retry in a moment or raise max_queue"
            )
        future: asyncio.Future[R] = asyncio.get_running_loop().create_future()
        self._waiting.append(_Request(payload, key, items, chars, future))
        self._queued_items += items
        self._queued_chars += chars
        self._arrived.set()
        if self._task is None:
            self._task = asyncio.create_task(self._collect(), name=f"ringkas-{self.kind}-batcher")
        return await future

    async def close(self) -> None:
        """Refuse new requests, finish every queued one, then stop."""
        self._closed = True
        self._arrived.set()
        if self._task is not None:
            await self._task

    # -- internals --------------------------------------------------------------------------
    def _full(self) -> bool:
        return self._queued_items >= self._max_items or self._queued_chars >= self._max_chars

    def _take(self) -> list[_Request[P, R]]:
        """The oldest requests that fit the budget (always at least one); cancelled ones go."""
        batch: list[_Request[P, R]] = []
        items = chars = 0
        while self._waiting:
            request = self._waiting[0]
            if batch and (
                items + request.items > self._max_items or chars + request.chars > self._max_chars
            ):
                break
            self._waiting.popleft()
            self._queued_items -= request.items
            self._queued_chars -= request.chars
            if request.future.done():  # the caller gave up (timeout, disconnect)
                continue
            batch.append(request)
            items += request.items
            chars += request.chars
        return batch

    async def _collect(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            while not self._waiting:
                if self._closed:
                    return
                self._arrived.clear()
                await self._arrived.wait()
            deadline = loop.time() + self._max_wait_s
            while not self._full() and not self._closed:
                remaining = deadline - loop.time()
                if remaining <= 0:
                    break
                self._arrived.clear()
                try:
                    await asyncio.wait_for(self._arrived.wait(), remaining)
                except asyncio.TimeoutError:
                    break
            batch = self._take()
            groups: dict[Hashable, list[_Request[P, R]]] = {}
            for request in batch:
                groups.setdefault(request.key, []).append(request)
            for key, group in groups.items():
                await self._run_group(loop, key, group)

    async def _run_group(
        self, loop: asyncio.AbstractEventLoop, key: Hashable, group: list[_Request[P, R]]
    ) -> None:
        began = time.perf_counter()
        try:
            outcomes = await loop.run_in_executor(
                self._executor, self._run, key, [r.payload for r in group]
            )
        except Exception as exc:  # a bug in run itself: every request of the group hears of it
            outcomes = [exc] * len(group)
        if self._on_batch is not None:
            self._on_batch(
                BatchInfo(
                    kind=self.kind,
                    requests=len(group),
                    items=sum(r.items for r in group),
                    seconds=time.perf_counter() - began,
                )
            )
        for request, outcome in zip(group, outcomes, strict=True):
            if request.future.done():
                continue
            if isinstance(outcome, BaseException):
                request.future.set_exception(outcome)
            else:
                request.future.set_result(outcome)


def _each_alone(payloads: Sequence[P], alone: Callable[[P], R]) -> list[R | BaseException]:
    outcomes: list[R | BaseException] = []
    for payload in payloads:
        try:
            outcomes.append(alone(payload))
        except Exception as exc:  # this request's own error, as a direct call would raise it
            outcomes.append(exc)
    return outcomes


def _shared(
    payloads: Sequence[P],
    together: Callable[[Sequence[P]], list[R]],
    alone: Callable[[P], R],
) -> list[R | BaseException]:
    """One call for all requests; if it fails, each request on its own to isolate the bad one."""
    if len(payloads) == 1:
        return _each_alone(payloads, alone)
    try:
        return list(together(payloads))
    except _SETUP_ERRORS as exc:
        return [exc] * len(payloads)
    except Exception:  # some request's input is bad: find which, the others still get results
        return _each_alone(payloads, alone)


def _split(flat: Sequence[R], sizes: Iterable[int]) -> list[list[R]]:
    out: list[list[R]] = []
    start = 0
    for size in sizes:
        out.append(list(flat[start : start + size]))
        start += size
    return out


_TextsAndLangs = tuple[list[str], list[str | None]]
_Prepared = list[Article | ArticleResult]


class AsyncRingkas:
    """Async counterpart of :class:`~ringkas.Ringkas`, batching concurrent calls together.

    Wraps a ``Ringkas`` (or builds one from ``ringkas_options``, the same keywords). Each
    method returns what the matching direct call returns. ``max_wait_ms``: how long the first
    request of a batch waits for company; ``max_batch_items`` / ``max_batch_chars``: a batch
    closes early when its texts or characters reach these; ``max_queue``: requests allowed to
    wait per operation before :class:`~ringkas.errors.OverloadedError`; ``workers``: threads
    running batches (different operations run side by side). ``on_batch`` is called on the
    event loop after every batch. Use it from one event loop; ``aclose()`` finishes the queue.
    """

    def __init__(
        self,
        ringkas: Ringkas | None = None,
        *,
        max_wait_ms: float = 5.0,
        max_batch_items: int = 64,
        max_batch_chars: int = 200_000,
        max_queue: int = 1024,
        workers: int = 2,
        on_batch: Callable[[BatchInfo], None] | None = None,
        **ringkas_options: Any,
    ) -> None:
        if ringkas is not None and ringkas_options:
            raise ConfigError("give either a Ringkas or its options, not both")
        for name, value in (
            ("max_batch_items", max_batch_items),
            ("max_batch_chars", max_batch_chars),
            ("max_queue", max_queue),
            ("workers", workers),
        ):
            if value < 1:
                raise ConfigError(f"{name} must be >= 1, got {value}")
        if max_wait_ms < 0:
            raise ConfigError(f"max_wait_ms must be >= 0, got {max_wait_ms}")
        self.ringkas = ringkas or Ringkas(**ringkas_options)
        # The shared batches always run in record mode; the caller's on_error is applied per
        # request afterwards, so one request's bad article never fails another request.
        self._recording = Ringkas(
            steps=self.ringkas.steps,
            on_error="record",
            window=max_batch_items,
            translator=self.ringkas.translator,
            summarizer=self.ringkas.summarizer,
        )
        self.max_wait_ms = max_wait_ms
        self.max_batch_items = max_batch_items
        self.max_batch_chars = max_batch_chars
        self.max_queue = max_queue
        self.on_batch = on_batch
        self._executor = ThreadPoolExecutor(max_workers=workers, thread_name_prefix="ringkas")
        self._loop: asyncio.AbstractEventLoop | None = None
        self._batchers: dict[str, MicroBatcher[Any, Any]] = {}
        self._closed = False

    # -- public -------------------------------------------------------------------------------
    async def process(self, articles: Iterable[ArticleLike]) -> list[ArticleResult]:
        """As :meth:`Ringkas.process`: one result per article, in input order."""
        if isinstance(articles, (str, Mapping, Article)):
            raise InputError("process() takes a list of articles; for one, use process([article])")
        items = list(articles)
        prepared: _Prepared = []
        for position, item in enumerate(items):
            try:
                prepared.append(to_article(item, position))
            except Exception as exc:  # becomes this article's error record, as in Ringkas
                prepared.append(
                    ArticleResult(
                        id=_record_id(item, position, "id"),
                        error=ErrorInfo(type=type(exc).__name__, message=str(exc)),
                    )
                )
        chars = sum(len(a.text) for a in prepared if isinstance(a, Article))
        results: list[ArticleResult] = await self._batcher("process").submit(
            (prepared, items), items=max(1, len(items)), chars=chars
        )
        return results

    async def translate(
        self,
        texts: Sequence[str],
        *,
        source_lang: str | Sequence[str | None] | None = None,
        target_lang: str | None = None,
    ) -> list[TranslationResult]:
        """As :meth:`Translator.translate` of the wrapped ``Ringkas``'s translator."""
        docs = check_texts(texts)
        langs = per_document(source_lang, len(docs), name="source_lang")
        target = target_lang or self.ringkas.translator.target_lang
        results: list[TranslationResult] = await self._batcher("translate").submit(
            (docs, langs), key=target, items=max(1, len(docs)), chars=sum(map(len, docs))
        )
        return results

    async def summarize(
        self, texts: Sequence[str], *, lang: str | Sequence[str | None] | None = None
    ) -> list[SummaryResult]:
        """As :meth:`Summarizer.summarize` of the wrapped ``Ringkas``'s summariser."""
        docs = check_texts(texts)
        langs = per_document(lang, len(docs), name="lang")
        results: list[SummaryResult] = await self._batcher("summarize").submit(
            (docs, langs), items=max(1, len(docs)), chars=sum(map(len, docs))
        )
        return results

    async def detect(self, texts: Sequence[str]) -> list[LanguageResult]:
        """:func:`~ringkas.detect_article` of each text (no model: batched only to share the
        worker thread)."""
        docs = check_texts(texts)
        results: list[LanguageResult] = await self._batcher("detect").submit(
            docs, items=max(1, len(docs)), chars=sum(map(len, docs))
        )
        return results

    async def load_models(self, languages: Iterable[str] = ("id", "en")) -> list[str]:
        """:meth:`Ringkas.load_models` in a worker thread."""
        loop = asyncio.get_running_loop()
        langs = tuple(languages)
        return await loop.run_in_executor(self._executor, self.ringkas.load_models, langs)

    def queue_depth(self) -> dict[str, int]:
        """Requests waiting per operation."""
        return {kind: self._batchers[kind].depth if kind in self._batchers else 0 for kind in KINDS}

    async def aclose(self) -> None:
        """Refuse new calls, answer every queued one, then release the worker threads."""
        self._closed = True
        for batcher in list(self._batchers.values()):
            await batcher.close()
        self._executor.shutdown(wait=True)

    async def __aenter__(self) -> AsyncRingkas:
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    # -- internals --------------------------------------------------------------------------
    def _batcher(self, kind: str) -> MicroBatcher[Any, Any]:
        if self._closed:
            raise OverloadedError(f"this AsyncRingkas is closed; the {kind} request was refused")
        loop = asyncio.get_running_loop()
        if loop is not self._loop:  # a new event loop (asyncio.run again): fresh queues
            self._loop = loop
            self._batchers = {}
        if kind not in self._batchers:
            runs: dict[str, Callable[[Hashable, list[Any]], list[Any]]] = {
                "process": self._run_process,
                "translate": self._run_translate,
                "summarize": self._run_summarize,
                "detect": self._run_detect,
            }
            self._batchers[kind] = MicroBatcher(
                kind,
                runs[kind],
                executor=self._executor,
                max_wait_s=self.max_wait_ms / 1000,
                max_items=self.max_batch_items,
                max_chars=self.max_batch_chars,
                max_queue=self.max_queue,
                on_batch=self.on_batch,
            )
        return self._batchers[kind]

    # The run functions below execute in a worker thread.
    def _run_translate(
        self, target: Hashable, payloads: list[_TextsAndLangs]
    ) -> list[list[TranslationResult] | BaseException]:
        translator = self.ringkas.translator

        def alone(p: _TextsAndLangs) -> list[TranslationResult]:
            return translator.translate(p[0], source_lang=p[1], target_lang=str(target))

        def together(ps: Sequence[_TextsAndLangs]) -> list[list[TranslationResult]]:
            flat = translator.translate(
                [t for p in ps for t in p[0]],
                source_lang=[lang for p in ps for lang in p[1]],
                target_lang=str(target),
            )
            return _split(flat, (len(p[0]) for p in ps))

        return _shared(payloads, together, alone)

    def _run_summarize(
        self, _key: Hashable, payloads: list[_TextsAndLangs]
    ) -> list[list[SummaryResult] | BaseException]:
        summarizer = self.ringkas.summarizer

        def alone(p: _TextsAndLangs) -> list[SummaryResult]:
            return summarizer.summarize(p[0], lang=p[1])

        def together(ps: Sequence[_TextsAndLangs]) -> list[list[SummaryResult]]:
            flat = summarizer.summarize(
                [t for p in ps for t in p[0]], lang=[lang for p in ps for lang in p[1]]
            )
            return _split(flat, (len(p[0]) for p in ps))

        return _shared(payloads, together, alone)

    def _run_detect(
        self, _key: Hashable, payloads: list[list[str]]
    ) -> list[list[LanguageResult] | BaseException]:
        from ringkas.langid import detect_article

        return _each_alone(payloads, lambda texts: [detect_article(t) for t in texts])

    def _run_process(
        self, _key: Hashable, payloads: list[tuple[_Prepared, list[Any]]]
    ) -> list[list[ArticleResult] | BaseException]:
        articles = [a for prepared, _ in payloads for a in prepared if isinstance(a, Article)]
        done = iter(self._recording.process(articles))
        outcomes: list[list[ArticleResult] | BaseException] = []
        for prepared, original in payloads:
            results = [a if isinstance(a, ArticleResult) else next(done) for a in prepared]
            if self.ringkas.on_error == "skip":
                results = [r for r in results if r.ok]
            elif self.ringkas.on_error == "raise" and not all(r.ok for r in results):
                try:  # the direct call raises the article's own exception: let it
                    results = self.ringkas.process(original)
                except Exception as exc:
                    outcomes.append(exc)
                    continue
            outcomes.append(results)
        return outcomes
