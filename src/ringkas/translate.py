"""Translation of whole documents, sentence by sentence, batched across documents.

Marian models drop trailing sentences of multi-sentence inputs and every model has an input
window, so ringkas never feeds a document whole: each document is split into paragraphs and
sentences, an over-long sentence into clauses (token windows as a last resort), all segments of
all documents go into one pool batched by token length, and each document is put back together
with its original whitespace and paragraph breaks. Nothing is cut off silently.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from ringkas.backends import Engine
from ringkas.backends.loading import load_engine
from ringkas.config import BatchOptions, EngineOptions, GenerationOptions, options_or_default
from ringkas.errors import ConfigError, InputError
from ringkas.inputs import check_texts, detect_languages, per_document
from ringkas.models import ModelSpec, resolve_model, resolve_route
from ringkas.runner import generate_texts
from ringkas.text import chunk_text, sentence_spans
from ringkas.types import RouteStep, TranslationResult

__all__ = ["Translator", "translate"]


@dataclass
class _Stats:
    segments: int = 0
    split: int = 0
    truncated: bool = False


class Translator:
    """Translate documents into ``target_lang`` (English by default), routed by language.

    ``model`` forces one model (name, folder or Hub id) for every source language; otherwise
    each document's language picks a route from the registry (``routes`` overrides it per pair,
    e.g. ``{"jv-en": "nllb-200-distilled-600m"}``). Generation options default to each model's
    published settings. Instances are cheap, immutable after construction and thread-safe;
    engines are loaded on first use and shared process-wide.
    """

    def __init__(
        self,
        model: str | ModelSpec | None = None,
        *,
        target_lang: str = "en",
        routes: Mapping[str, str] | None = None,
        engine: EngineOptions | None = None,
        batching: BatchOptions | None = None,
        segment_tokens: int | None = None,
        num_beams: int | None = None,
        max_new_tokens: int | None = None,
        generation: GenerationOptions | None = None,
    ) -> None:
        if segment_tokens is not None and segment_tokens < 4:
            raise ConfigError(f"segment_tokens must be >= 4, got {segment_tokens}")
        if not isinstance(target_lang, str) or not target_lang:
            raise ConfigError(f"target_lang must be a language code, got {target_lang!r}")
        self.model = resolve_model(model, task="translation") if model is not None else None
        self.target_lang = target_lang
        self.routes = dict(routes or {})
        self.engine_options = options_or_default(engine, EngineOptions, "engine")
        self.batching = options_or_default(batching, BatchOptions, "batching")
        self.segment_tokens = segment_tokens
        self.options = (generation or GenerationOptions()).merged(
            {"num_beams": num_beams, "max_new_tokens": max_new_tokens}
        )

    # -- public -------------------------------------------------------------------------------
    def translate(
        self,
        texts: Sequence[str],
        *,
        source_lang: str | Sequence[str | None] | None = None,
        target_lang: str | None = None,
    ) -> list[TranslationResult]:
        """One :class:`TranslationResult` per text, in input order.

        ``source_lang`` is one code for all texts, one per text, or ``None`` to detect each.
        Raises :class:`InputError` for a text with no detectable language, and
        :class:`UnsupportedLanguageError` for a pair no model serves.
        """
        docs = check_texts(texts)
        target = target_lang or self.target_lang
        given = per_document(source_lang, len(docs), name="source_lang")
        langs: list[tuple[str, float] | None] = [None] * len(docs)
        to_detect = [i for i, t in enumerate(docs) if t.strip()]
        detected = detect_languages([docs[i] for i in to_detect], [given[i] for i in to_detect])
        for i, found in zip(to_detect, detected, strict=True):
            if found[0] == "und":
                raise InputError(
                    f"texts[{i}] has no detectable language ({docs[i][:40]!r}); "
                    "pass source_lang= to translate it anyway"
                )
            langs[i] = found
        results: list[TranslationResult | None] = [None] * len(docs)
        groups: dict[str, list[int]] = {}
        for i, doc in enumerate(docs):
            lang = langs[i]
            if lang is None or lang[0] == target:
                src = lang[0] if lang else (given[i] or target)
                results[i] = TranslationResult(
                    text=doc,
                    source_lang=src,
                    target_lang=target,
                    route=(RouteStep("passthrough", None, src, target),),
                    lang_confidence=lang[1] if lang else 1.0,
                    passthrough=True,
                )
            else:
                groups.setdefault(lang[0], []).append(i)
        for src, indices in groups.items():
            route = self.route(src, target)
            outputs = self._translate_documents([docs[i] for i in indices], route, src, target)
            for i, (text, stats) in zip(indices, outputs, strict=True):
                confidence = langs[i]
                results[i] = TranslationResult(
                    text=text,
                    source_lang=src,
                    target_lang=target,
                    route=tuple(route_steps(route, src, target, [self.engine(s) for s in route])),
                    lang_confidence=confidence[1] if confidence else 1.0,
                    n_segments=stats.segments,
                    n_split_sentences=stats.split,
                    truncated=stats.truncated,
                )
        return [r for r in results if r is not None]

    def route(self, source_lang: str, target_lang: str | None = None) -> list[ModelSpec]:
        """The model(s) used for a pair: the forced model, or the registry's route."""
        target = target_lang or self.target_lang
        if self.model is not None:
            return [self.model]
        return resolve_route(source_lang, target, routes=self.routes)

    def engine(self, spec: ModelSpec) -> Engine:
        return load_engine(spec, self.engine_options)

    # -- internals --------------------------------------------------------------------------
    def _translate_documents(
        self, docs: Sequence[str], route: Sequence[ModelSpec], src: str, tgt: str
    ) -> list[tuple[str, _Stats]]:
        spans = [sentence_spans(doc) for doc in docs]
        sentences = [
            doc[s:e] for doc, doc_spans in zip(docs, spans, strict=True) for s, e in doc_spans
        ]
        translated, stats = self._through_route(sentences, route, src, tgt)
        out: list[tuple[str, _Stats]] = []
        position = 0
        for doc, doc_spans in zip(docs, spans, strict=True):
            pieces: list[str] = []
            doc_stats = _Stats()
            cursor = 0
            for start, end in doc_spans:
                pieces.append(doc[cursor:start])
                pieces.append(translated[position])
                unit = stats[position]
                doc_stats.segments += unit.segments
                doc_stats.split += unit.split
                doc_stats.truncated |= unit.truncated
                cursor = end
                position += 1
            pieces.append(doc[cursor:])
            out.append(("".join(pieces), doc_stats))
        return out

    def _through_route(
        self, units: list[str], route: Sequence[ModelSpec], src: str, tgt: str
    ) -> tuple[list[str], list[_Stats]]:
        stats = [_Stats() for _ in units]
        hop_src = src
        for hop, spec in enumerate(route):
            hop_tgt = tgt if hop == len(route) - 1 else "en"
            units, hop_stats = self._translate_units(units, spec, hop_src, hop_tgt)
            for total, unit in zip(stats, hop_stats, strict=True):
                if hop == 0:
                    total.segments, total.split = unit.segments, unit.split
                total.truncated |= unit.truncated
            hop_src = hop_tgt
        return units, stats

    def _translate_units(
        self, units: Sequence[str], spec: ModelSpec, src: str, tgt: str
    ) -> tuple[list[str], list[_Stats]]:
        """Translate each unit; a unit over the model's window is split, pieces re-joined."""
        engine = self.engine(spec)
        budget = min(spec.max_input_tokens, self.segment_tokens or spec.max_input_tokens)
        encoded = engine.encode(units, source_lang=src)
        pieces: list[str] = []
        piece_ids: list[list[int] | None] = []
        owner: list[list[int]] = []
        stats = [_Stats() for _ in units]
        for u, (unit, ids) in enumerate(zip(units, encoded, strict=True)):
            if len(ids) <= budget:
                owner.append([len(pieces)])
                pieces.append(unit)
                piece_ids.append(ids)
                stats[u].segments = 1
                continue
            chunks = chunk_text(
                unit,
                max_tokens=budget,
                count_tokens=lambda t: engine.count_tokens(t, source_lang=src),
            )
            parts = [c.text.strip() for c in chunks if c.text.strip()]
            owner.append(list(range(len(pieces), len(pieces) + len(parts))))
            pieces.extend(parts)
            piece_ids.extend([None] * len(parts))
            stats[u].segments = len(parts)
            stats[u].split = 1
        need = [i for i, ids in enumerate(piece_ids) if ids is None]
        if need:
            fresh = engine.encode([pieces[i] for i in need], source_lang=src)
            for i, ids in zip(need, fresh, strict=True):
                piece_ids[i] = ids
        generated = generate_texts(
            engine,
            pieces,
            source_lang=src,
            target_lang=tgt,
            options=self.options,
            batching=self.batching,
            encoded=[ids or [] for ids in piece_ids],
        )
        outputs: list[str] = []
        for u, indices in enumerate(owner):
            outputs.append(" ".join(generated[i].text for i in indices if generated[i].text))
            stats[u].truncated = any(generated[i].hit_limit for i in indices)
        return outputs, stats


def route_steps(
    route: Sequence[ModelSpec], src: str, tgt: str, engines: Sequence[Engine] = ()
) -> list[RouteStep]:
    steps = []
    hop_src = src
    for hop, spec in enumerate(route):
        hop_tgt = tgt if hop == len(route) - 1 else "en"
        label = getattr(engines[hop], "label", None) if hop < len(engines) else None
        steps.append(RouteStep("translate", spec.name, hop_src, hop_tgt, engine=label))
        hop_src = hop_tgt
    return steps


def translate(
    texts: Sequence[str],
    *,
    source_lang: str | Sequence[str | None] | None = None,
    target_lang: str = "en",
    model: str | ModelSpec | None = None,
    **options: object,
) -> list[TranslationResult]:
    """Translate documents with a default :class:`Translator` (options as its constructor's).

    Engines are shared process-wide, so calling this repeatedly loads each model once.
    """
    translator = Translator(model, target_lang=target_lang, **options)  # type: ignore[arg-type]
    return translator.translate(texts, source_lang=source_lang)
