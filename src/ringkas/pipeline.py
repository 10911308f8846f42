"""The facade: clean, detect, summarise in Indonesian and translate to English, per article.

``Ringkas`` takes any iterable of articles (strings, mappings or :class:`Article`), works through
it in windows (bounded memory, batching across the articles of a window) and gives back one
:class:`ArticleResult` per article, in input order. A bad article (not text, empty after
cleaning, no language, a model failure) becomes a record-level error in ``on_error="record"``
mode: it never stops the batch and never loses its place.

Thread safety: a ``Ringkas`` instance holds no per-call state, so one instance can serve many
threads; engines serialise their own model calls, and results do not depend on which articles
share a batch.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from ringkas.batching import windows
from ringkas.config import BatchOptions, EngineOptions, options_or_default
from ringkas.errors import (
    ConfigError,
    InputError,
    MissingDependencyError,
    ModelLoadError,
    RingkasError,
    UnknownModelError,
)
from ringkas.langid import detect_article
from ringkas.models import ModelSpec
from ringkas.summarize import Summarizer
from ringkas.text import clean_text
from ringkas.translate import Translator
from ringkas.types import (
    UND,
    Article,
    ArticleResult,
    ErrorInfo,
    Removal,
    RouteStep,
    to_article,
)

__all__ = ["ON_ERROR", "STEPS", "Ringkas", "to_article"]

STEPS = ("clean", "detect", "summarize", "translate")
ON_ERROR = ("raise", "record", "skip")

ArticleLike = str | Mapping[str, Any] | Article

#: Errors that are about the set-up, not the article: retrying article by article cannot help.
_SETUP_ERRORS = (ModelLoadError, UnknownModelError, MissingDependencyError, ConfigError)


def _record_id(item: object, position: int, id_field: str) -> str:
    if isinstance(item, Article):
        return item.id
    if isinstance(item, Mapping) and item.get(id_field) is not None:
        return str(item[id_field])
    return str(position)


@dataclass
class _State:
    """One article on its way through the steps of a window."""

    position: int
    id: str
    article: Article | None = None
    body: str = ""
    lang: str | None = None
    confidence: float | None = None
    removed: tuple[Removal, ...] = ()
    dateline: str | None = None
    title: str | None = None
    byline: str | None = None
    published: str | None = None
    steps: list[str] = field(default_factory=list)
    summary: str | None = None
    summary_lang: str | None = None
    translation: str | None = None
    title_translation: str | None = None
    summary_route: tuple[RouteStep, ...] = ()
    translation_route: tuple[RouteStep, ...] = ()
    n_chunks: int = 0
    n_segments: int = 0
    truncated: bool = False
    timings: dict[str, float] = field(default_factory=dict)
    error: BaseException | None = None

    def result(self) -> ArticleResult:
        error = None
        if self.error is not None:
            error = ErrorInfo(type=type(self.error).__name__, message=str(self.error))
        return ArticleResult(
            id=self.id,
            lang=self.lang,
            lang_confidence=self.confidence,
            summary=self.summary,
            summary_lang=self.summary_lang,
            translation=self.translation,
            title_translation=self.title_translation,
            steps=tuple(self.steps),
            summary_route=self.summary_route,
            translation_route=self.translation_route,
            n_chunks=self.n_chunks,
            n_segments=self.n_segments,
            truncated=self.truncated,
            removed=self.removed,
            dateline=self.dateline,
            title=self.title,
            byline=self.byline,
            published=self.published,
            timings=dict(self.timings),
            error=error,
        )


def _run_confined(group: list[_State], run: Callable[[list[_State]], None]) -> None:
    """Run a step over ``group``; a failure lands only on the articles it belongs to.

    A window mixes languages and each language has its own models, so a failure is first split
    by language: a missing Malay model fails the Malay articles, not the Indonesian ones. Within
    one language a set-up error (missing model or dependency) is every article's; any other
    failure is traced to the article(s) that cause it.
    """
    try:
        run(group)
    except Exception as exc:  # re-attributed to the articles below
        if len(group) == 1:
            group[0].error = exc
            return
        by_lang: dict[str | None, list[_State]] = {}
        for s in group:
            by_lang.setdefault(s.lang, []).append(s)
        if len(by_lang) > 1:
            for same_lang in by_lang.values():
                _run_confined(same_lang, run)
        elif isinstance(exc, _SETUP_ERRORS):
            for s in group:
                s.error = exc
        else:
            for s in group:
                _run_confined([s], run)


class Ringkas:
    """Process news articles end to end.

    ``steps``: any of ``("clean", "detect", "summarize", "translate")``; language detection runs
    whenever summarising or translating needs it (unless the article gives ``lang``).
    ``summarizer`` / ``translator`` may be given ready-made; otherwise they are built from the
    model, routing and engine options here. ``window``: articles read and batched together
    (memory stays bounded by it). ``on_error``: ``"record"`` (default: an error result in the
    article's place), ``"skip"`` (drop it) or ``"raise"``.
    """

    def __init__(
        self,
        *,
        steps: Sequence[str] = STEPS,
        summary_model: str | ModelSpec | None = None,
        summary_method: str = "abstractive",
        summary_length: str = "medium",
        translation_model: str | ModelSpec | None = None,
        routes: Mapping[str, str] | None = None,
        summary_lang: str = "id",
        target_lang: str = "en",
        engine: EngineOptions | None = None,
        batching: BatchOptions | None = None,
        num_beams: int | None = None,
        max_new_tokens: int | None = None,
        summary_num_beams: int | None = None,
        summary_max_new_tokens: int | None = None,
        window: int = 32,
        on_error: str = "record",
        summarizer: Summarizer | None = None,
        translator: Translator | None = None,
    ) -> None:
        unknown = [s for s in steps if s not in STEPS]
        if unknown or not steps:
            raise ConfigError(f"steps must be a non-empty subset of {STEPS}, got {list(steps)}")
        if on_error not in ON_ERROR:
            raise ConfigError(f"on_error must be one of {ON_ERROR}, got {on_error!r}")
        if window < 1:
            raise ConfigError(f"window must be >= 1, got {window}")
        self.steps = tuple(s for s in STEPS if s in steps)
        self.on_error = on_error
        self.window = window
        engine = options_or_default(engine, EngineOptions, "engine")
        batching = options_or_default(batching, BatchOptions, "batching")
        self.translator = translator or Translator(
            translation_model,
            target_lang=target_lang,
            routes=routes,
            num_beams=num_beams,
            max_new_tokens=max_new_tokens,
            engine=engine,
            batching=batching,
        )
        self.summarizer = summarizer or Summarizer(
            summary_model,
            method=summary_method,
            length=summary_length,
            target_lang=summary_lang,
            num_beams=summary_num_beams,
            max_new_tokens=summary_max_new_tokens,
            routes=routes,
            engine=engine,
            batching=batching,
        )

    # -- public -------------------------------------------------------------------------------
    def load_models(self, languages: Iterable[str] = ("id", "en")) -> list[str]:
        """Load now every model the steps need for articles in ``languages``; their names.

        Models otherwise load on first use. Calling this first turns a missing model into one
        :class:`ModelLoadError` up front instead of an error on every article.
        """
        loaded: list[str] = []

        def load(translator: Translator, src: str, tgt: str) -> None:
            if src != tgt:
                for spec in translator.route(src, tgt):
                    translator.engine(spec)
                    loaded.append(spec.name)

        for lang in languages:
            if "summarize" in self.steps and self.summarizer.method == "abstractive":
                load(self.summarizer.translator, lang, self.summarizer.target_lang)
            if "translate" in self.steps:
                load(self.translator, lang, self.translator.target_lang)
        if "summarize" in self.steps and self.summarizer.method == "abstractive":
            self.summarizer.engine()
            loaded.append(self.summarizer.model.name)
        return list(dict.fromkeys(loaded))

    def process(self, articles: Iterable[ArticleLike]) -> list[ArticleResult]:
        """Every article's result, in input order (a list: for streams use ``process_iter``)."""
        if isinstance(articles, (str, Mapping, Article)):
            raise InputError("process() takes a list of articles; for one, use process([article])")
        return list(self.process_iter(articles))

    def process_iter(self, articles: Iterable[ArticleLike]) -> Iterator[ArticleResult]:
        """Results streamed in input order, reading ``window`` articles at a time."""
        if isinstance(articles, (str, Mapping, Article)):
            raise InputError(
                "process_iter() takes an iterable of articles; for one, use process([article])"
            )
        position = 0
        for chunk in windows(articles, self.window):
            states = self._process_window(chunk, position)
            position += len(chunk)
            for state in states:
                if state.error is not None:
                    if self.on_error == "raise":
                        raise state.error
                    if self.on_error == "skip":
                        continue
                yield state.result()

    # -- one window ---------------------------------------------------------------------------
    def _process_window(self, items: Sequence[object], start: int) -> list[_State]:
        states = [self._prepare(item, start + i) for i, item in enumerate(items)]
        if "summarize" in self.steps:
            self._batched_step(states, "summarize", self._summarize)
        if "translate" in self.steps:
            self._batched_step(states, "translate", self._translate)
        return states

    def _prepare(self, item: object, position: int) -> _State:
        """Coerce, clean and detect one article; failures become the article's error."""
        state = _State(position=position, id=_record_id(item, position, "id"))
        try:
            article = to_article(item, position)
            state.article = article
            state.id = article.id
            state.body = article.text
            state.title = article.title
            if "clean" in self.steps:
                began = time.perf_counter()
                # The page's headline, byline and date are split off the body here, so that the
                # summary and the translation are made from the body only.
                cleaned = clean_text(article.text)
                state.body = cleaned.text
                state.removed = cleaned.removed
                state.dateline = cleaned.dateline
                state.title = article.title or cleaned.title
                state.byline, state.published = cleaned.byline, cleaned.published
                state.steps.append("clean")
                state.timings["clean"] = time.perf_counter() - began
            if not state.body.strip():
                what = (
                    "empty after cleaning"
                    if "clean" in self.steps and article.text.strip()
                    else "empty"
                )
                raise InputError(f"article {article.id!r} is {what}: there is no text to process")
            needs_lang = {"detect", "summarize", "translate"} & set(self.steps)
            if article.lang:
                state.lang, state.confidence = article.lang, 1.0
            elif needs_lang:
                began = time.perf_counter()
                detected = detect_article(state.body, title=state.title)
                state.lang, state.confidence = detected.lang, detected.confidence
                state.steps.append("detect")
                state.timings["detect"] = time.perf_counter() - began
                if detected.lang == UND:
                    raise InputError(
                        f"article {article.id!r} has no detectable language "
                        f"({state.body[:40]!r}); give its 'lang' to process it anyway"
                    )
        except Exception as exc:  # any failure belongs to this article only
            if self.on_error == "raise" and not isinstance(exc, RingkasError):
                raise
            state.error = exc
        return state

    def _batched_step(
        self, states: list[_State], step: str, run: Callable[[list[_State]], None]
    ) -> None:
        """Run a step over all healthy articles at once; on failure, isolate the bad ones."""
        group = [s for s in states if s.error is None]
        if not group:
            return
        began = time.perf_counter()
        try:
            _run_confined(group, run)
        finally:
            elapsed = time.perf_counter() - began
            total = sum(len(s.body) for s in group) or 1
            for s in group:
                s.timings[step] = elapsed * len(s.body) / total
        for s in group:
            if s.error is None:
                s.steps.append(step)

    def _summarize(self, group: list[_State]) -> None:
        results = self.summarizer.summarize([s.body for s in group], lang=[s.lang for s in group])
        for s, r in zip(group, results, strict=True):
            s.summary = r.text
            s.summary_lang = r.target_lang
            s.summary_route = r.route
            s.n_chunks = r.n_chunks
            s.truncated |= r.truncated

    def _translate(self, group: list[_State]) -> None:
        # The headline is translated on its own as the title, never as part of the body.
        titled = [s for s in group if s.title]
        texts = [s.body for s in group] + [s.title or "" for s in titled]
        langs: list[str | None] = [s.lang for s in group] + [s.lang for s in titled]
        results = self.translator.translate(texts, source_lang=langs)
        for s, r in zip(group, results[: len(group)], strict=True):
            s.translation = r.text
            s.translation_route = r.route
            s.n_segments = r.n_segments
            s.truncated |= r.truncated
        for s, r in zip(titled, results[len(group) :], strict=True):
            s.title_translation = r.text
