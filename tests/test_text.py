"""ringkas.text as a module: its public surface, its import cost and its thread safety.

The behaviour of each function is tested in test_text_clean.py, test_text_split.py and
test_text_chunk.py.
"""

from __future__ import annotations

import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor

import ringkas.text
from ringkas.text import chunk_text, clean_text, split_sentences


def test_public_names_are_pinned() -> None:
    assert ringkas.text.__all__ == [
        "REMOVAL_KINDS",
        "chunk_text",
        "clean_text",
        "paragraph_spans",
        "sentence_spans",
        "split_sentences",
        "unicode_tokenize",
    ]
    for name in ringkas.text.__all__:
        assert hasattr(ringkas.text, name)


def test_removal_kinds_are_pinned() -> None:
    assert ringkas.text.REMOVAL_KINDS == (
        "html",
        "read_also",
        "caption",
        "byline",
        "editor_initials",
        "share_prompt",
        "subscription",
        "disclaimer",
        "footer",
        "embed",
        "dateline",
        "bidi_control",
        "title",
        "navigation",
        "header",
        "date",
        "ad",
        "tags",
        "related",
        "comment",
    )


def test_import_loads_no_model_libraries() -> None:
    code = (
        "import sys, ringkas.text; "
        "print(','.join(m for m in ('torch', 'transformers') if m in sys.modules))"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == ""


ARTICLE = (
    "JAKARTA, KOMPAS.com - Harga beras naik, kata Dr. Budi. Ia membeli sayur, buah, dll.\n\n"
    "Baca juga: Gula Naik\n\n"
    "Menurut B.J. Habibie... sesuatu terjadi. “Kami siap.” (rfs/jbr)"
)


def test_results_are_the_same_from_many_threads() -> None:
    def work(i: int) -> tuple[object, ...]:
        text = ARTICLE * (1 + i % 3)
        return (
            clean_text(text),
            split_sentences(text),
            chunk_text(text, max_tokens=5 + i % 4, count_tokens=lambda s: len(s.split())),
        )

    expected = [work(i) for i in range(24)]
    with ThreadPoolExecutor(max_workers=8) as pool:
        assert list(pool.map(work, range(24))) == expected
