"""Measure ringkas.extract on annotated pages (pages-dev schema): removal, keep, title, ... figures.

Usage: python scripts/eval_extract.py DIR [DIR ...] [--html] [-v]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from ringkas.extract import extract_article
from ringkas.text import sentence_spans


def _ws(s: str) -> str:
    return " ".join(s.split())


def evaluate(pages: list[tuple[Path, Path]], verbose: bool = False) -> dict[str, float]:
    n_bp = bp_gone = phrases = phrases_kept = 0
    titles = bylines = n_by = datelines = n_dl = body_exact = pub = n_pub = 0
    sent_ok = n_sent = 0
    for src, ann in pages:
        if src.suffix == ".page":
            page, exp = load_page(src)
        else:
            page, exp = src.read_text(), json.loads(ann.read_text())
        fmt = "html" if src.suffix == ".html" else "text"
        got = extract_article(page, format=fmt, lang=exp.get("language"))
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


def load_page(path: Path) -> tuple[str, dict[str, object]]:
    """A ``.page`` source (tests/data/pages) as ``(page text, annotation)``.

    Lines are ``T|`` title, ``P|`` body, ``B|`` boilerplate; ``@key: value`` headers give
    lang, byline, published, dateline (which opens the first ``P|`` line), tail (editor initials
    closing the last one) and keep (a must-keep phrase, repeatable).
    """
    meta: dict[str, list[str]] = {}
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


def collect(dirs: list[str], html: bool) -> list[tuple[Path, Path]]:
    out = []
    for d in dirs:
        out.extend((p, p) for p in sorted(Path(d).glob("*.page")))
        for ann in sorted(Path(d).glob("*.expected.json")):
            stem = ann.name[: -len(".expected.json")]
            src = ann.with_name(stem + (".html" if html else ".txt"))
            if src.exists():
                out.append((src, ann))
    return out


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("dirs", nargs="+")
    ap.add_argument("--html", action="store_true")
    ap.add_argument("-v", action="store_true")
    a = ap.parse_args()
    res = evaluate(collect(a.dirs, a.html), a.v)
    json.dump(res, sys.stdout, indent=1)
    print()


if __name__ == "__main__":
    main()
