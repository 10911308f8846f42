"""The public surface: what ``import ringkas`` exports, and what it must not import."""

from __future__ import annotations

import subprocess
import sys

import ringkas

EXPECTED = {
    "Article", "ArticleResult", "AsyncRingkas", "BatchOptions", "Chunk", "CleanedText",
    "ConfigError", "DataError", "DuplicateIdError", "EngineOptions", "ErrorInfo",
    "ExtractedArticle", "GenerationError", "GenerationOptions",
    "InputError", "InputReadError", "LanguageResult",
    "MissingDependencyError", "ModelError", "ModelLoadError", "ModelSpec", "OverloadedError",
    "Removal", "Ringkas",
    "RingkasError", "RouteStep", "Summarizer", "SummaryResult", "TranslationResult", "Translator",
    "UND", "UnknownModelError", "UnsupportedLanguageError", "__version__", "chunk_text",
    "clean_text", "detect_article", "detect_language", "extract_article", "get_model",
    "list_models", "prefetch",
    "register_model", "register_route", "sentence_spans", "set_summarizer", "split_sentences",
    "summarize", "translate",
}  # fmt: skip


def test_all_is_pinned():
    assert set(ringkas.__all__) == EXPECTED
    for name in ringkas.__all__:
        assert hasattr(ringkas, name), name


def test_every_error_derives_from_ringkas_error():
    for name in ringkas.__all__:
        obj = getattr(ringkas, name)
        if isinstance(obj, type) and issubclass(obj, Exception):
            assert issubclass(obj, ringkas.RingkasError), name
    assert issubclass(ringkas.UnknownModelError, KeyError)
    assert issubclass(ringkas.InputError, ValueError)


def test_import_does_not_pull_torch_or_transformers():
    code = (
        "import sys, ringkas; "
        "ringkas.detect_language('Presiden meresmikan jalan tol baru di Jawa Tengah.'); "
        "ringkas.clean_text('Baca juga: x'); "
        "ringkas.extract_article('Judul berita\\n\\nIsi berita ini panjang dan berguna.'); "
        "heavy = [m for m in ('torch', 'transformers', 'ctranslate2', 'trafilatura')"
        " if m in sys.modules]; "
        "print(heavy)"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_import_does_not_pull_ray():
    """Ray takes seconds to import: only ``--ray`` runs and ``ringkas.distributed``'s functions
    may import it, never ``import ringkas``, the CLI or the module itself."""
    code = "import sys, ringkas, ringkas.cli, ringkas.distributed; print('ray' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
