"""Indonesian summaries of news articles, abstractive by default.

Routing (recorded in each result's ``route``):

1. the summariser reads the article's language (mT5-XLSum reads 45, Indonesian and English
   among them): summarise in that language, then translate the *summary* into Indonesian, which
   is far cheaper than translating the whole article first;
2. otherwise, when it reads Indonesian (Malay, Javanese, Sundanese...): translate the article
   into Indonesian, then summarise;
3. otherwise :class:`UnsupportedLanguageError`.

An article longer than the model's input window is cut at sentence boundaries into chunks, each
chunk is summarised, and the chunk summaries are summarised again until one input fits
(map-reduce); nothing is truncated. The cost is bounded: an article over ``max_article_tokens``
is refused before any model runs, every round must at least halve the text, and at most
``max_rounds`` rounds run; an article that breaks a bound gets a
:class:`~ringkas.errors.LimitExceededError` naming it, never an input longer than the window.
Extractive methods (``"lead"``, ``"textrank"``) run offline and keep the article's language (no
translation model needed); they are only used when asked for, never a silent fallback for a
missing model.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ringkas.backends import Engine
from ringkas.backends.loading import load_engine
from ringkas.config import (
    LENGTH_PRESETS,
    BatchOptions,
    EngineOptions,
    GenerationOptions,
    options_or_default,
)
from ringkas.errors import (
    ConfigError,
    InputError,
    LimitExceededError,
    UnsupportedLanguageError,
)
from ringkas.extractive import lead_k, textrank
from ringkas.inputs import check_texts, detect_languages, per_document
from ringkas.models import ModelSpec, default_summarizer, resolve_model
from ringkas.runner import generate_texts
from ringkas.text import chunk_text
from ringkas.translate import Translator
from ringkas.types import RouteStep, SummaryResult

__all__ = ["DEFAULT_MAX_ARTICLE_TOKENS", "METHODS", "Summarizer", "summarize"]

METHODS = ("abstractive", "lead", "textrank")

#: Longest article (in the summariser's tokens) summarised by default: about 400 KB of news
#: text, far beyond any real article, small enough that map-reduce stays quick.
DEFAULT_MAX_ARTICLE_TOKENS = 100_000


@dataclass
class _Doc:
    index: int
    text: str
    lang: str
    confidence: float
    #: Language the summariser reads this article in.
    read_lang: str = ""
    route: tuple[RouteStep, ...] = ()
    summary: str = ""
    n_chunks: int = 1
    n_rounds: int = 1
    input_tokens: int = 0
    truncated: bool = False
    #: Language the summary is written in (the target, or the source for extractive methods).
    summary_lang: str = ""


class Summarizer:
    """Summarise articles into ``target_lang`` (Indonesian by default).

    ``model``: a summariser name, folder or Hub id (default: the registry's, mT5-XLSum).
    ``method``: ``"abstractive"`` (a model), ``"lead"`` (first ``lead_k`` sentences) or
    ``"textrank"`` (``lead_k`` central sentences), both offline and in the article's own
    language. ``length``: ``"short"``, ``"medium"`` (the model's published settings) or
    ``"long"``; explicit ``max_new_tokens`` etc. win over it. Thread-safe; engines are shared
    process-wide.
    """

    def __init__(
        self,
        model: str | ModelSpec | None = None,
        *,
        method: str = "abstractive",
        target_lang: str = "id",
        length: str = "medium",
        num_beams: int | None = None,
        max_new_tokens: int | None = None,
        min_new_tokens: int | None = None,
        no_repeat_ngram_size: int | None = None,
        length_penalty: float | None = None,
        generation: GenerationOptions | None = None,
        lead_k: int = 3,
        max_rounds: int = 6,
        max_article_tokens: int | None = DEFAULT_MAX_ARTICLE_TOKENS,
        translator: Translator | None = None,
        routes: Mapping[str, str] | None = None,
        engine: EngineOptions | None = None,
        batching: BatchOptions | None = None,
    ) -> None:
        if method not in METHODS:
            raise ConfigError(f"method must be one of {METHODS}, got {method!r}")
        if length not in LENGTH_PRESETS:
            raise ConfigError(f"length must be one of {tuple(LENGTH_PRESETS)}, got {length!r}")
        if lead_k < 1:
            raise ConfigError(f"lead_k must be >= 1, got {lead_k}")
        if max_rounds < 1:
            raise ConfigError(f"max_rounds must be >= 1, got {max_rounds}")
        if max_article_tokens is not None and max_article_tokens < 1:
            raise ConfigError(f"max_article_tokens must be >= 1 or None, got {max_article_tokens}")
        self.method = method
        self.target_lang = target_lang
        self.length = length
        self.lead_k = lead_k
        #: Map-reduce rounds at most (``--max-rounds``).
        self.max_rounds = max_rounds
        #: Longest article in tokens, ``None`` for no limit (``--max-article-tokens``).
        self.max_article_tokens = max_article_tokens
        self._model_arg = model
        self._model: ModelSpec | None = (
            resolve_model(model, task="summarization") if model is not None else None
        )
        explicit = GenerationOptions(
            num_beams=num_beams,
            max_new_tokens=max_new_tokens,
            min_new_tokens=min_new_tokens,
            no_repeat_ngram_size=no_repeat_ngram_size,
            length_penalty=length_penalty,
        )
        self.options = (generation or GenerationOptions()).merged(explicit, LENGTH_PRESETS[length])
        self.engine_options = options_or_default(engine, EngineOptions, "engine")
        self.batching = options_or_default(batching, BatchOptions, "batching")
        self.translator = translator or Translator(
            target_lang=target_lang,
            routes=routes,
            engine=self.engine_options,
            batching=self.batching,
        )

    @property
    def model(self) -> ModelSpec:
        """The summarisation model (resolved when first needed, so extractive use stays offline)."""
        return self._model if self._model is not None else default_summarizer()

    def engine(self) -> Engine:
        return load_engine(self.model, self.engine_options)

    # -- public -------------------------------------------------------------------------------
    def summarize(
        self, texts: Sequence[str], *, lang: str | Sequence[str | None] | None = None
    ) -> list[SummaryResult]:
        """One :class:`SummaryResult` per article, in input order.

        ``lang`` is one code for all, one per article, or ``None`` to detect each. Empty
        articles and articles with no detectable language raise :class:`InputError`.
        """
        docs_text = check_texts(texts)
        given = per_document(lang, len(docs_text), name="lang")
        for i, text in enumerate(docs_text):
            if not text.strip():
                raise InputError(f"texts[{i}] is empty: there is nothing to summarise")
        detected = detect_languages(docs_text, given)
        docs = []
        for i, (text, (code, confidence)) in enumerate(zip(docs_text, detected, strict=True)):
            if code == "und":
                raise InputError(
                    f"texts[{i}] has no detectable language ({text[:40]!r}); pass lang= "
                    "to summarise it anyway"
                )
            docs.append(_Doc(index=i, text=text, lang=code, confidence=confidence))
        if self.method == "abstractive":
            self._abstractive(docs)
        else:
            self._extractive(docs)
        return [
            SummaryResult(
                text=d.summary,
                source_lang=d.lang,
                target_lang=d.summary_lang or self.target_lang,
                method=self.method,
                route=d.route,
                lang_confidence=d.confidence,
                n_chunks=d.n_chunks,
                n_rounds=d.n_rounds,
                input_tokens=d.input_tokens,
                truncated=d.truncated,
            )
            for d in docs
        ]

    # -- abstractive ----------------------------------------------------------------------------
    def _abstractive(self, docs: list[_Doc]) -> None:
        spec = self.model
        reads = spec.source_langs
        name = spec.name
        for doc in docs:
            if "*" in reads or doc.lang in reads:
                doc.read_lang = doc.lang
            elif self.target_lang in reads:
                doc.read_lang = self.target_lang
            else:
                raise UnsupportedLanguageError(
                    f"summariser {name!r} reads {', '.join(reads)}, neither {doc.lang!r} nor "
                    f"{self.target_lang!r}; choose another model with model=..."
                )
        # Articles the summariser cannot read are first translated into the target language.
        self._to_target([d for d in docs if d.read_lang != d.lang], field="text", lang="lang")
        engine = self.engine()
        by_read: dict[str, list[_Doc]] = {}
        for d in docs:
            by_read.setdefault(d.read_lang, []).append(d)
        for read_lang, group in by_read.items():
            self._map_reduce(engine, group, read_lang)
        for d in docs:
            label = getattr(engine, "label", None)
            d.route += (RouteStep("summarize", name, d.read_lang, d.read_lang, engine=label),)
        pending = [d for d in docs if d.read_lang != self.target_lang]
        self._to_target(pending, field="summary", lang="read_lang")

    def _to_target(self, docs: list[_Doc], *, field: str, lang: str) -> None:
        """Translate ``field`` of each doc from its ``lang`` attribute into the target language."""
        by_lang: dict[str, list[_Doc]] = {}
        for d in docs:
            by_lang.setdefault(getattr(d, lang), []).append(d)
        for src, group in by_lang.items():
            results = self.translator.translate(
                [getattr(d, field) for d in group], source_lang=src, target_lang=self.target_lang
            )
            for d, result in zip(group, results, strict=True):
                setattr(d, field, result.text)
                d.route += result.route
                d.truncated |= result.truncated

    def _map_reduce(self, engine: Engine, docs: list[_Doc], lang: str) -> None:
        """Summarise every article; over-long ones chunk -> summaries -> summary, repeatedly.

        No model input is ever longer than the window: text that still does not fit after
        ``max_rounds`` rounds, or a round that does not halve it, is a
        :class:`LimitExceededError` (before any model runs, for ``max_article_tokens``).
        """
        budget = engine.spec.max_input_tokens

        def count(text: str) -> int:
            return engine.count_tokens(text, source_lang=lang)

        current: dict[int, str] = {}
        tokens: dict[int, int] = {}
        for d in docs:
            d.input_tokens = tokens[d.index] = count(d.text)
            current[d.index] = d.text
            limit = self.max_article_tokens
            if limit is not None and d.input_tokens > limit:
                raise LimitExceededError(
                    f"texts[{d.index}] is {d.input_tokens:,} tokens long, over the limit of "
                    f"{limit:,} (max_article_tokens); raise it with --max-article-tokens "
                    "(Summarizer(max_article_tokens=...)) or summarise it in parts"
                )
        pending = list(docs)
        round_no = 0
        while pending:
            round_no += 1
            chunks_of: dict[int, list[str]] = {}
            for d in pending:
                text = current[d.index]
                if tokens[d.index] <= budget:
                    chunks_of[d.index] = [text]
                elif round_no > self.max_rounds:
                    raise LimitExceededError(
                        f"texts[{d.index}] ({d.input_tokens:,} tokens) is still "
                        f"{tokens[d.index]:,} tokens after {self.max_rounds} map-reduce rounds, "
                        f"over the model's window of {budget}; raise --max-rounds "
                        "(Summarizer(max_rounds=...)) or use a shorter --summary-length"
                    )
                else:
                    chunks = chunk_text(text, max_tokens=budget, count_tokens=count)
                    chunks_of[d.index] = [c.text.strip() for c in chunks if c.text.strip()]
                if round_no == 1:
                    d.n_chunks = len(chunks_of[d.index])
            pool = [text for d in pending for text in chunks_of[d.index]]
            outputs = generate_texts(
                engine,
                pool,
                source_lang=lang,
                target_lang=lang,
                options=self.options,
                batching=self.batching,
            )
            position = 0
            still: list[_Doc] = []
            for d in pending:
                n = len(chunks_of[d.index])
                parts = outputs[position : position + n]
                position += n
                joined = " ".join(p.text for p in parts if p.text)
                if n == 1:
                    d.summary = joined
                    d.n_rounds = round_no
                    continue
                before, after = tokens[d.index], count(joined)
                if after > before // 2:
                    raise LimitExceededError(
                        f"texts[{d.index}]: map-reduce round {round_no} shrank {before:,} "
                        f"tokens only to {after:,} (each round must at least halve the text, "
                        "or the rounds would not end); use a shorter --summary-length or "
                        "a lower --max-new-tokens"
                    )
                current[d.index], tokens[d.index] = joined, after
                still.append(d)
            pending = still

    # -- extractive -----------------------------------------------------------------------------
    def _extractive(self, docs: list[_Doc]) -> None:
        """Sentences picked from the article itself, in its own language.

        An extractive summary needs no model, so it stays offline: an English or Malay article
        gets its summary in English or Malay (``target_lang`` of its result says so) rather than
        depending on a translation model that may be missing.
        """
        pick = lead_k if self.method == "lead" else textrank
        label = f"{self.method}-{self.lead_k}"
        for d in docs:
            sentences = pick(d.text, k=self.lead_k)
            d.summary = " ".join(s.strip() for s in sentences)
            d.route = (RouteStep("extract", label, d.lang, d.lang),)
            d.read_lang = d.lang
            d.summary_lang = d.lang


def summarize(
    texts: Sequence[str],
    *,
    lang: str | Sequence[str | None] | None = None,
    model: str | ModelSpec | None = None,
    method: str = "abstractive",
    **options: object,
) -> list[SummaryResult]:
    """Summarise articles with a default :class:`Summarizer` (options as its constructor's)."""
    summarizer = Summarizer(model, method=method, **options)  # type: ignore[arg-type]
    return summarizer.summarize(texts, lang=lang)
