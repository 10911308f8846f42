"""Checks and per-document settings shared by every public entry point (lists in, lists out)."""

from __future__ import annotations

from collections.abc import Sequence

from ringkas.errors import InputError
from ringkas.langid import detect_article

__all__ = ["check_texts", "detect_languages", "per_document"]


def check_texts(texts: object, *, what: str = "texts") -> list[str]:
    """Lists in, lists out: a bare string is a mistake worth a clear message."""
    if isinstance(texts, str):
        raise InputError(
            f"{what} must be a list of strings, got a single string; "
            f"for one text use [{what[:-1] if what.endswith('s') else what}]"
        )
    try:
        items = list(texts)  # type: ignore[call-overload]
    except TypeError as exc:
        raise InputError(f"{what} must be a list of strings, got {type(texts).__name__}") from exc
    for i, item in enumerate(items):
        if not isinstance(item, str):
            raise InputError(f"{what}[{i}] must be a string, got {type(item).__name__}")
    return items


def per_document(
    value: str | Sequence[str | None] | None, n: int, *, name: str
) -> list[str | None]:
    """One language per document from ``None``, a single code, or a list of codes."""
    if value is None or isinstance(value, str):
        return [value] * n
    values = list(value)
    if len(values) != n:
        raise InputError(f"{name} has {len(values)} entries for {n} documents")
    return values


def detect_languages(texts: Sequence[str], given: Sequence[str | None]) -> list[tuple[str, float]]:
    """The language and confidence of each document (given ones at confidence 1.0)."""
    result: list[tuple[str, float]] = []
    for text, lang in zip(texts, given, strict=True):
        if lang:
            result.append((lang, 1.0))
        else:
            detected = detect_article(text)
            result.append((detected.lang, detected.confidence))
    return result
