"""Article extraction on annotated pages: quality figures and pages per second (one core).

    python benchmarks/bench_extract.py                       # pages-dev, seed page, tests' pages
    python benchmarks/bench_extract.py DIR [DIR ...] [-v]    # folders of *.expected.json / *.page

Quality: share of boilerplate lines removed, of must-keep body phrases kept, titles, bylines,
published dates and datelines exact, bodies exact, sentence splits exact; on the text dumps, on
the HTML pages through trafilatura and through ringkas's own tag stripper (the comparison that
chose trafilatura). Speed: pages/s of ``extract_article`` on the text dumps, single-threaded.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from ringkas.extract import _extract_html, extract_article
from ringkas.text import sentence_spans
from ringkas.types import ExtractedArticle

ROOT = Path(__file__).resolve().parents[1]
SHARED = Path(os.environ.get("RINGKAS_DATA_DIR", ROOT.parent / "shared" / "data"))
DEFAULT_DIRS = [SHARED / "pages-dev", SHARED / "seed-page", ROOT / "tests" / "data" / "pages"]
Extractor = Callable[[str, str, "str | None"], ExtractedArticle]


def _auto(page: str, fmt: str, lang: str | None) -> ExtractedArticle:
    return extract_article(page, format=fmt, lang=lang)


def _basic(page: str, fmt: str, lang: str | None) -> ExtractedArticle:
    if fmt == "html":
        return _extract_html(page, lang, extractor=False)
    return extract_article(page, format=fmt, lang=lang)


def _ws(s: str) -> str:
    return " ".join(s.split())


def evaluate(
    pages: Sequence[tuple[Path, Path]], verbose: bool = False, extract: Extractor = _auto
) -> dict[str, float]:
    """Figures over ``pages`` (``(source, annotation)`` pairs; a ``.page`` file is both)."""
    n_bp = bp_gone = phrases = phrases_kept = 0
    titles = bylines = n_by = datelines = n_dl = body_exact = pub = n_pub = 0
    sent_ok = n_sent = 0
    for src, ann in pages:
        if ann.suffix == ".page":
            page, exp = load_page(ann)
            if src != ann:
                page = src.read_text(encoding="utf-8")
        else:
            page, exp = src.read_text(), json.loads(ann.read_text())
        fmt = "html" if src.suffix == ".html" else "text"
        got = extract(page, fmt, exp.get("language"))
        body = [_ws(p) for p in got.paragraphs]
        text = _ws(got.text)
        kept = Counter(body)
        missing_bp = []
        for line in exp["boilerplate_lines"]:
            n_bp += 1
            line = _ws(line)
            if kept[line] > 0 or (len(line.split()) >= 4 and line in text):
                kept[line] -= 1
                missing_bp.append(line)
            else:
                bp_gone += 1
        lost = [p for p in exp["must_keep_phrases"] if _ws(p) not in text]
        phrases += len(exp["must_keep_phrases"])
        phrases_kept += len(exp["must_keep_phrases"]) - len(lost)
        titles += got.title == exp["title"]
        if exp["byline"]:
            n_by += 1
            bylines += got.byline == exp["byline"]
        if exp["dateline"]:
            n_dl += 1
            datelines += got.dateline == exp["dateline"]
        if exp["published"]:
            n_pub += 1
            pub += got.published == exp["published"]
        exact = body == [_ws(p) for p in exp["body"]]
        body_exact += exact
        for entry in exp.get("sentences_in_paragraph", []):
            n_sent += 1
            para = exp["body"][entry["paragraph_index"]]
            sents = [para[a:b] for a, b in sentence_spans(para)]
            ok = sents == entry["sentences"]
            sent_ok += ok
            if not ok and verbose:
                print("  SPLIT", src.name, sents)
        if verbose:
            flags = []
            if got.title != exp["title"]:
                flags.append(f"title={got.title!r}")
            if exp["byline"] != got.byline:
                flags.append(f"byline={got.byline!r} want {exp['byline']!r}")
            if exp["dateline"] != got.dateline:
                flags.append(f"dateline={got.dateline!r} want {exp['dateline']!r}")
            if exp["published"] != got.published:
                flags.append(f"published={got.published!r} want {exp['published']!r}")
            print(src.name, "OK" if exact and not flags and not lost else "", *flags)
            for line in missing_bp:
                print("   KEPT BP:", line[:110])
            for p in lost:
                print("   LOST:", p)
            want = [_ws(p) for p in exp["body"]]
            for p in want:
                if p not in body:
                    print("   BODY MISSING:", p[:110])
            for p in body:
                if p not in want and p not in missing_bp:
                    print("   BODY EXTRA:", p[:110])
    return {
        "pages": len(pages),
        "boilerplate_removed": bp_gone / max(n_bp, 1),
        "phrases_kept": phrases_kept / max(phrases, 1),
        "title_exact": titles / len(pages),
        "byline_exact": bylines / max(n_by, 1),
        "dateline_exact": datelines / max(n_dl, 1),
        "published_exact": pub / max(n_pub, 1),
        "body_exact": body_exact / len(pages),
        "sentence_splits": sent_ok / max(n_sent, 1),
    }


def load_page(path: Path) -> tuple[str, dict[str, Any]]:
    """A ``.page`` source (tests/data/pages) as ``(page text, annotation)``.

    Lines are ``T|`` title, ``P|`` body, ``B|`` boilerplate; ``@key: value`` headers give
    lang, byline, published, dateline (which opens the first ``P|`` line), tail (editor initials
    closing the last one) and keep (a must-keep phrase, repeatable).
    """
    meta: dict[str, list[Any]] = {}
    lines: list[str] = []
    body: list[str] = []
    boiler: list[str] = []
    title = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        if raw.startswith("@"):
            key, _, value = raw[1:].partition(":")
            meta.setdefault(key.strip(), []).append(value.strip())
            continue
        if not raw.strip():
            continue
        tag, _, line = raw.partition("|")
        lines.append(line)
        if tag == "T":
            title = line
        elif tag == "P":
            body.append(line)
        else:
            boiler.append(line.strip())
    dateline = meta.get("dateline", [None])[0]
    if dateline and body:
        body[0] = body[0][len(dateline) :].strip()
    tail = meta.get("tail", [None])[0]
    if tail and body:
        body[-1] = body[-1][: -len(tail)].strip()
    annotation = {
        "language": meta["lang"][0],
        "title": title,
        "byline": meta.get("byline", [None])[0],
        "published": meta.get("published", [None])[0],
        "dateline": dateline,
        "body": body,
        "boilerplate_lines": boiler,
        "must_keep_phrases": meta.get("keep", []),
    }
    return "\n\n".join(lines) + "\n", annotation


def collect(dirs: Sequence[Path | str], html: bool = False) -> list[tuple[Path, Path]]:
    out: list[tuple[Path, Path]] = []
    for d in dirs:
        for p in sorted(Path(d).glob("*.page")):
            if not html:
                out.append((p, p))
            elif p.with_suffix(".html").exists():
                out.append((p.with_suffix(".html"), p))
        for ann in sorted(Path(d).glob("*.expected.json")):
            stem = ann.name[: -len(".expected.json")]
            src = ann.with_name(stem + (".html" if html else ".txt"))
            if src.exists():
                out.append((src, ann))
    return out


def pages_per_second(pages: Sequence[tuple[Path, Path]], min_seconds: float = 2.0) -> float:
    """Text dumps extracted per CPU second of this process (one thread), over ``min_seconds``.

    CPU time, not wall time, so that other work on a shared machine does not count.
    """
    texts = [(load_page(s)[0] if s.suffix == ".page" else s.read_text()) for s, _ in pages]
    done, began = 0, time.process_time()
    while True:
        for text in texts:
            extract_article(text, format="text")
        done += len(texts)
        elapsed = time.process_time() - began
        if elapsed >= min_seconds:
            return done / elapsed


def main(argv: Sequence[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("dirs", nargs="*", type=Path, default=None)
    ap.add_argument("-v", action="store_true", help="print every page's differences")
    ap.add_argument("--seconds", type=float, default=2.0, help="time spent on the speed line")
    a = ap.parse_args(argv)
    dirs = [d for d in (a.dirs or DEFAULT_DIRS) if d.is_dir()]
    report: dict[str, Any] = {"dirs": [str(d) for d in dirs]}
    text_pages = collect(dirs)
    report["text"] = evaluate(text_pages, a.v)
    html_pages = collect(dirs, html=True)
    if html_pages:
        report["html_trafilatura"] = evaluate(html_pages, a.v)
        report["html_basic"] = evaluate(html_pages, a.v, extract=_basic)
    report["pages_per_second"] = round(pages_per_second(text_pages, a.seconds), 1)
    json.dump(report, sys.stdout, indent=1)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
