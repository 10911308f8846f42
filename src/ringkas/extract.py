"""Article extraction: a whole scraped page (text dump or HTML) to headline, metadata and body.

A page dump has a shape: a header block (site name, menus, section labels), the headline, a
metadata block (byline, date), the body (a long run of sentence-like lines), interruptions inside
the body (captions, "Baca juga" lines, ad markers) and footer blocks (tags, related headlines,
comments, copyright). :func:`extract_article` finds that shape from features that hold across
outlets and languages instead of a list of site phrases:

1. every line gets a class: a boilerplate kind from the line rules of :mod:`ringkas.text`, a
   structural kind (menu, date stamp, label, headline, tags), or *sentence-like* (enough words,
   final punctuation, a share of function words of its language);
2. the body is the run of lines with the largest score, where sentence-like lines count their
   words and page furniture costs a fixed amount (so a footer block cuts the run, while an ad
   marker or a caption between two paragraphs does not);
3. inside the run, only furniture goes; a short line between body lines stays unless it looks
   like furniture (when unsure, keep);
4. the headline is the best headline-like line before the body (repeated lines and lines that
   other lines quote score highest), and the byline and date come from the metadata around it.

HTML goes through trafilatura (the optional ``ringkas[html]`` extra) for the main text and the
metadata, then through the same text rules; without it, through ringkas's own tag stripper.
"""

from __future__ import annotations

import dataclasses
import logging
import re
from collections import Counter

from ringkas.errors import ConfigError
from ringkas.extract_lines import (
    _AD,
    _BLOCK_COST,
    _BULLET,
    _BYLINE_LABEL,
    _COMMENT,
    _DATE,
    _DATE_CONNECTOR,
    _FURNITURE_COST,
    _ISOLATED_COST,
    _LIST_ITEM,
    _MONTH_NUMBERS,
    _NAME_SEPARATOR,
    _NAMES_LINE,
    _PAGE_KINDS,
    _PART_SEPARATOR,
    _PERSON_LABEL,
    _QUOTED,
    _SOFT_KINDS,
    _SYNDICATION,
    _URL,
    _WORD,
    _features,
    _Line,
    _stop_words,
)
from ringkas.text import (
    _CREDIT_TAIL,
    _HTML_TAG,
    _INLINE_PROMPT,
    _INLINE_READ_ALSO,
    _INLINE_WIRE_CREDIT,
    _SENTENCE_STARTERS,
    _TRAILING_EDITOR_CODE,
    _normalised_lines,
    _require_str,
    _split_dateline,
    _strip,
    strip_bidi_controls,
)
from ringkas.types import ExtractedArticle, Removal

__all__ = ["FORMATS", "extract_article"]

logger = logging.getLogger(__name__)

FORMATS = ("auto", "text", "html")

# --------------------------------------------------------------------------------------------
# Body run
# --------------------------------------------------------------------------------------------


def _score(line: _Line, isolated: bool, in_block: int = 0) -> float:
    if line.sentence:
        return float(min(line.n_words, 60))
    if line.kind in _SOFT_KINDS:
        return -1.0  # an interruption of the body: "Baca juga", ads, captions
    if in_block:
        # Headlines under a "Baca Juga" label: a short block between paragraphs interrupts the
        # body, but only a real paragraph after it (more than one short line) carries it on.
        return -_BLOCK_COST if in_block > 1 else -_FURNITURE_COST + 2
    if line.kind is None and line.text.endswith(":"):
        return 0.0
    if line.kind is None and (
        (line.terminal and line.n_words >= 3)
        or _LIST_ITEM.match(line.text)
        or _BULLET.match(line.text)
    ):
        return 0.0  # a short sentence, a list item, a line opening a list: neither way
    # One unlabelled line between two sentences interrupts the body; a block of furniture, or
    # a known footer line (byline, copyright, subscription pitch), ends it.
    return -_ISOLATED_COST if isolated and line.kind is None else -_FURNITURE_COST


def _body_run(lines: list[_Line]) -> tuple[int, int]:
    """``(first, last)`` indexes of the best-scoring run (Kadane); ``(0, -1)`` when none."""
    best, best_span = 0.0, (0, -1)
    total, start = 0.0, 0
    block = 0  # headlines so far in a "Baca Juga" block (its label, then unpunctuated lines)
    for i, line in enumerate(lines):
        isolated = 0 < i < len(lines) - 1 and lines[i - 1].sentence and lines[i + 1].sentence
        headline = line.kind is None and not line.terminal
        started = block or (i > 0 and lines[i - 1].kind == "read_also")
        block = block + 1 if headline and started else 0
        s = _score(line, isolated, block)
        if total <= 0:
            total, start = s, i
        else:
            total += s
        if total > best:
            best, best_span = total, (start, i)
    return best_span


# --------------------------------------------------------------------------------------------
# Headline, byline and date
# --------------------------------------------------------------------------------------------


def _norm(text: str) -> str:
    return " ".join(_WORD.findall(text.lower()))


def _headline_like(line: _Line) -> bool:
    text = line.text
    if line.kind is not None and line.kind not in ("read_also",):
        return False
    if line.n_words < 3 or line.n_words > 25 or len(text) > 200:
        return False
    if text.endswith(".") and not text.endswith(".."):
        return False
    return not _URL.search(text) or "." in text.split()[0]


def _find_title(lines: list[_Line], first_body: int, page_counts: Counter[str]) -> int | None:
    """Index of the headline among the lines before the body, or None."""
    quoted: set[str] = set()
    for line in lines:
        if not any(w in line.text for w in ("judul", "title", "tajuk")):
            continue
        if m := _SYNDICATION.search(line.text):
            quoted.add(_norm(m.group("title")))
    normed = [_norm(line.text) for line in lines]
    best, best_score = None, 0.0
    for i in range(first_body):
        line = lines[i]
        if not _headline_like(line) or _BYLINE_LABEL.match(line.text):
            continue
        key = normed[i]
        score = float(min(line.n_words, 20))
        if page_counts[line.text] > 1:
            score += 15
        if key in quoted:
            score += 30
        elif line.n_words >= 5 and any(
            key in other and key != other for j, other in enumerate(normed) if j != i
        ):
            score += 10  # a breadcrumb, a comment heading or a syndication line quotes it
        if _NAMES_LINE.match(line.text) and line.n_words <= 8:
            # "A B | C D", "A B - Outlet": a byline; a short run of capitals: a label. A
            # Title Case headline of four words or more has no separator.
            if _NAME_SEPARATOR.search(line.text):
                score -= 20
            elif line.n_words <= 3:
                score -= 5
        if _DATE.search(line.text) or re.search(r"\(\d{1,2}/\d{1,2}", line.text):
            score -= 10  # captions carry dates; headlines rarely do
        # Headlines sit near the metadata and the body, not at the top of the page.
        score -= 0.1 * (first_body - i)
        if score > best_score:
            best, best_score = i, score
    return best


def _byline_of(text: str) -> str:
    """The byline part of a line that may also carry the date ("Oleh A pada 14 Des 2023")."""
    m = _DATE.search(text)
    if m is None:
        return text
    head = text[: m.start()]
    cut = list(_DATE_CONNECTOR.finditer(head + " 0"))
    if cut:
        head = head[: cut[-1].start()]
    return head.strip(" -–|,·")


def _first_column(line: _Line) -> str:
    """The text before the first column gap of the raw line ("Name (Outlet)    Jakarta ● date")."""
    return " ".join(re.split(r" {3,}|\t", line.raw.strip())[0].split())


def _byline_text(lines: list[_Line], i: int) -> tuple[str, set[int]]:
    """The byline as printed, and its lines: HTML blocks split "Penulis A | Editor B" in three."""
    text = _byline_of(_labelled_part(lines[i].text) or _first_column(lines[i]))
    used = {i}
    if (
        i + 2 < len(lines)
        and lines[i + 1].text in ("|", "·", "•", "/", "-", "–")
        and _BYLINE_LABEL.match(lines[i + 2].text)
        and lines[i + 2].n_words <= 8
    ):
        text = f"{text} {lines[i + 1].text} {_byline_of(lines[i + 2].text)}"
        used |= {i + 1, i + 2}
    return text, used


def _labelled_part(text: str) -> str | None:
    """ "Rabu, 6 Des 2023 | Reporter: Budi | Editor: Ani" -> "Reporter: Budi | Editor: Ani"."""
    parts = _PART_SEPARATOR.split(text)
    for k, part in enumerate(parts[1:], 1):
        m = _PERSON_LABEL.match(part)
        if m and part[m.end() :].lstrip(" :·-")[:1].isupper():
            kept = [p for p in parts[k:] if not _DATE.search(p)]
            return " | ".join(kept)
    return None


def _find_byline(lines: list[_Line], title: int | None, first: int, last: int) -> int | None:
    """Index of the byline line: a labelled author line first, then a names line by the title."""
    order = list(range(first)) + list(range(last + 1, len(lines)))
    labelled = [
        i
        for i in order
        if (m := _BYLINE_LABEL.match(lines[i].text))
        and lines[i].text[m.end() : m.end() + 1].isupper()
        and lines[i].n_words <= 25
    ]
    for i in labelled:
        if _PERSON_LABEL.match(lines[i].text):
            return i
    for i in range(first):  # the date first, then the author: "Rabu, 6 Des 2023 | Oleh Budi"
        if lines[i].n_words <= 25 and _labelled_part(lines[i].text):
            return i
    if labelled and (title is None or labelled[0] < first):
        return labelled[0]
    if title is not None:
        heads = [i for i in range(first) if lines[i].text == lines[title].text]
        for head in heads:  # "Pangropéa: Dede Suryana" under the headline: any label word
            for i in range(head + 1, min(head + 3, first)):
                label, colon, name = lines[i].text.partition(": ")
                if colon and len(label.split()) == 1 and _NAMES_LINE.match(name.strip()):
                    return i
        for head in heads:
            for i in range(head + 1, min(head + 4, first)):
                line = lines[i]
                column = _first_column(line)
                if line.kind in ("caption", "read_also") or any(c.isdigit() for c in column):
                    continue
                if column == lines[0].text:
                    continue  # the site's name again ("Jakarta Globe"), not a person
                if _NAMES_LINE.match(column) and not column.endswith("."):
                    return i
    return None


def _find_published(
    lines: list[_Line], title: int | None, first: int, last: int
) -> tuple[str, str | None] | None:
    after_title = range(title + 1, first) if title is not None else range(first)
    before_title = range(title) if title is not None else range(0)
    for block in (after_title, before_title, range(last + 1, len(lines)), range(first, last + 1)):
        for i in block:
            line = lines[i]
            if (line.sentence and i >= first) or line.kind == "caption":
                continue
            m = _DATE.search(line.text)
            if m:
                return m.group().strip(" ,|@-"), _iso(m)
    return None


def _iso(m: re.Match[str]) -> str | None:
    g = m.groupdict()
    try:
        if g["d1"]:
            d, mo, y = int(g["d1"]), _MONTH_NUMBERS[g["m1"].lower().rstrip(".")], int(g["y1"])
        elif g["d2"]:
            d, mo, y = int(g["d2"]), _MONTH_NUMBERS[g["m2"].lower().rstrip(".")], int(g["y2"])
        elif g["d3"]:
            d, mo, y = int(g["d3"]), int(g["m3"]), int(g["y3"])
            y += 2000 if y < 100 else 0  # "06/12/23"
        else:
            d, mo, y = int(g["d4"]), int(g["m4"]), int(g["y4"])
    except KeyError:
        return None
    if not (1 <= mo <= 12 and 1 <= d <= 31):
        return None
    iso = f"{y:04d}-{mo:02d}-{d:02d}"
    if g["time"]:
        t = re.match(r"(\d{1,2})[:.](\d{2})", g["time"])
        if t:
            hour, minute = int(t.group(1)), int(t.group(2))
            low = g["time"].lower().replace(".", "")
            if "pm" in low and hour < 12:
                hour += 12
            elif "am" in low and hour == 12:
                hour = 0
            if hour < 24 and minute < 60:
                iso += f"T{hour:02d}:{minute:02d}"
    return iso


# --------------------------------------------------------------------------------------------
# Plain-text pages
# --------------------------------------------------------------------------------------------


def _page_lines(page: str) -> list[tuple[str, str]]:
    """``(raw, normalised)`` per non-blank line; raw keeps the column gaps of menus."""
    raws = [r for r in page.splitlines() if r.strip()]
    normed = _normalised_lines(page)
    if len(raws) != len(normed):  # a line of invisible characters only: gaps are lost
        return [(n, n) for n in normed]
    return list(zip(raws, normed, strict=True))


def _extract_text(
    page: str, lang: str | None, title_hint: str | None = None, *, from_page: bool = False
) -> ExtractedArticle:
    """The text path; ``from_page`` says that ``page`` was cut out of a whole page already."""
    stops = _stop_words(lang)
    removed: list[Removal] = []
    lines: list[_Line] = []
    for raw, text in _page_lines(page):
        inline: list[Removal] = []
        stripped, low = text, text.lower()
        # Each inline pattern needs a word or a bracket; checking for it first is much cheaper.
        if "advertisement" in low or "scroll" in low:
            stripped = _strip(_INLINE_PROMPT, stripped, "share_prompt", inline)
        if stripped.endswith(")"):
            stripped = _strip(_INLINE_WIRE_CREDIT, stripped, "footer", inline)
        if "(" in stripped or "[" in stripped:
            stripped = _strip(_INLINE_READ_ALSO, stripped, "read_also", inline)
        inline = [Removal("ad", r.text) if _AD.match(r.text) else r for r in inline]
        if stripped:
            lines.append(_features(raw, stripped, stops))
            lines[-1].inline = inline
        elif lines:
            lines[-1].after.extend(inline)
        else:
            removed.extend(inline)
    counts = Counter(line.text for line in lines)
    first, last = _body_run(lines)
    title = None
    structured = first <= last
    if structured:
        # When unsure, keep: a line that touches the body and is no known furniture is body.
        while first > 0 and _plain(lines[first - 1], title_hint):
            first -= 1
        while last + 1 < len(lines) and _plain(lines[last + 1], title_hint):
            last += 1
        # A headline in Title Case that ends in "?" or "!" reads like a sentence; it is not
        # the body's first paragraph.
        while first < last and _title_case_headline(lines[first]):
            first += 1
        if title_hint is not None:
            title = next((i for i in range(first) if lines[i].text == title_hint), None)
        if title is None:
            title = _find_title(lines, first, counts)
        # A page has a headline above its body, or menus, date stamps and tag lines around it;
        # without either, the text is an article body already and only the line rules apply.
        outside = (*lines[:first], *lines[last + 1 :])
        structured = from_page or title is not None or any(x.kind in _PAGE_KINDS for x in outside)
    if not structured:
        first, last, title = 0, len(lines) - 1, None
    title_text = lines[title].text if title is not None else title_hint
    byline_i = _find_byline(lines, title, first, last) if structured else None
    byline_lines: set[int] = set()
    byline = None
    if byline_i is not None:
        byline, byline_lines = _byline_text(lines, byline_i)
    published = _find_published(lines, title, first, last)

    paragraphs: list[str] = []
    positions: list[int] = []  # where each paragraph's removals start in ``removed``
    captions: list[str] = []
    for i, line in enumerate(lines):
        removed.extend(line.inline)
        kind = _line_kind(line, i, first, last, lines, title_text, structured)
        if i in byline_lines:
            kind = "byline"
        if kind is None:
            at = len(removed)
            paragraph = line.text
            if "/" in paragraph or paragraph.rstrip(". ").endswith(")"):  # credits have either
                paragraph = _strip(_CREDIT_TAIL, paragraph, "caption", removed)
            if paragraph:
                paragraphs.append(paragraph)
                positions.append(at)
            removed.extend(line.after)
            continue
        if kind == "caption":
            captions.append(line.text)
        removed.append(Removal(kind, line.text))
        removed.extend(line.after)
        continue
    dateline = _take_dateline(
        paragraphs, positions, removed, captions, page=(first > 0 or from_page) and structured
    )
    if paragraphs:
        paragraphs[-1] = _strip(_TRAILING_EDITOR_CODE, paragraphs[-1], "editor_initials", removed)
        if not paragraphs[-1]:
            paragraphs.pop()
    return ExtractedArticle(
        title=title_text,
        byline=byline,
        published=published[0] if published else None,
        published_iso=published[1] if published else None,
        dateline=dateline,
        paragraphs=tuple(paragraphs),
        text="\n\n".join(paragraphs),
        captions=tuple(captions),
        removed=tuple(removed),
        format="text",
    )


def _take_dateline(
    paragraphs: list[str],
    positions: list[int],
    removed: list[Removal],
    captions: list[str],
    *,
    page: bool,
) -> str | None:
    """Split the dateline off the paragraph that opens the article.

    The dateline marks where the article starts: captions kept above it (a caption without a
    credit reads like a sentence, but it ends with the photo's date) go.
    """
    for k, paragraph in enumerate(paragraphs[:3]):
        if k and not all(_CAPTION_END.search(p) for p in paragraphs[:k]):
            return None
        found = _split_dateline(paragraph)
        if found is None and page:
            found = _split_title_case_colon(paragraph)
        if found is None:
            continue
        _, dateline, rest = found
        removed.insert(positions[k], Removal("dateline", dateline))
        for j in reversed(range(k)):  # in page order, where each caption stood
            removed.insert(positions[j], Removal("caption", paragraphs[j]))
            captions.append(paragraphs[j])
        del paragraphs[:k]
        if rest:
            paragraphs[0] = rest
        else:
            paragraphs.pop(0)
        return dateline
    return None


# A caption closes with the photo's date: "..., Rabu (13/12/2023)." or "... 5 Desember 2023."
_CAPTION_END = re.compile(r"(?:\(\d{1,2}/\d{1,2}(?:/\d{2,4})?\)|\b\d{4})\.?$")

_TITLE_STOP = re.compile(r"(?P<place>[A-Z][a-z]{3,}(?: [A-Z][a-z]{3,})?)\. (?=[A-Z])")
_TITLE_COLON = re.compile(r"(?P<place>[A-Z][a-z'’-]+(?: [A-Z][a-z'’-]+){0,2}): (?=[A-Z\"“‘'])")


def _split_title_case_colon(line: str) -> tuple[str, str, str] | None:
    """Title-case places: "Ipoh: Seorang warga emas ..." (Malaysian), "Jakarta. The ..."."""
    m = _TITLE_COLON.match(line)
    if m is None:
        m = _TITLE_STOP.match(line)
        if m is None or m.group("place") in _SENTENCE_STARTERS:
            return None
    if len(line[m.end() :].split()) < 8:
        return None
    return m.group(0).strip(), m.group(0).strip(), line[m.end() :]


def _line_kind(
    line: _Line,
    i: int,
    first: int,
    last: int,
    lines: list[_Line],
    title: str | None,
    structured: bool,
) -> str | None:
    """The removal kind of line ``i``, or None for a body paragraph."""
    if not structured:  # plain text, not a page: the line rules alone decide
        return "ad" if line.kind == "ad" else line.rule
    if title is not None and line.text == title:
        return "title"
    if i < first or i > last:
        if line.kind is not None:
            return line.kind
        return _outside_kind(line, i, first, lines)
    if line.kind is not None:
        return line.kind
    if line.sentence:
        return None
    # Inside the body run: keep unless it looks like furniture (when unsure, keep).
    if _LIST_ITEM.match(line.text) or _BULLET.match(line.text):
        return None  # a step or an item of a list in the body, with or without a full stop
    if line.text.endswith(":"):
        # "Berikut cara mendaftar ...:" opens a list; "Baca Ogé:" / "Related stories:" over
        # headlines is a label.
        following = lines[i + 1] if i + 1 < len(lines) else None
        label = following is None or following.kind is not None or not following.terminal
        if following is not None and (
            _LIST_ITEM.match(following.text) or _BULLET.match(following.text)
        ):
            label = False
        return "related" if line.n_words < 4 and label else None
    if not line.terminal:
        # Headlines of a "Baca Juga" block, "Read also:" links, prompts, video titles.
        return "related" if line.n_words >= 4 else "navigation"
    return None


def _title_case_headline(line: _Line) -> bool:
    text = line.text
    if not 4 <= line.n_words <= 25 or text.endswith(".") or _QUOTED.match(text):
        return False
    words = _WORD.findall(text)
    capitals = sum(w[0].isupper() for w in words if len(w) > 3)
    return capitals >= 0.6 * sum(len(w) > 3 for w in words)


def _plain(line: _Line, title: str | None) -> bool:
    """A line with no furniture kind that could still be body (not the headline)."""
    return (
        line.kind is None
        and line.terminal
        and line.text != title
        and not _NAMES_LINE.match(line.text)
    )


def _outside_kind(line: _Line, i: int, first: int, lines: list[_Line]) -> str:
    text = line.text
    if _COMMENT.search(text) and line.n_words <= 12:
        return "comment"
    if i > first and line.sentence:
        prev = lines[i - 1]
        if prev.kind == "date":  # a reader's comment under its name and time stamp
            return "comment"
        heading = next((x.kind for x in reversed(lines[first:i]) if x.kind), None)
        if heading == "comment":  # under "Komentar (2)", between "Balas" links
            return "comment"
    if i < first:
        if _NAMES_LINE.match(text) and line.n_words <= 6:
            return "byline"
        return "navigation" if line.n_words <= 6 else "header"
    if line.n_words >= 4 and not text.endswith(":"):
        return "related"
    return "footer"


# --------------------------------------------------------------------------------------------
# HTML pages
# --------------------------------------------------------------------------------------------


def _basic_html_text(page: str) -> tuple[str, tuple[Removal, ...]]:
    from ringkas.text import _HtmlToText

    parser = _HtmlToText()
    parser.feed(page)
    parser.close()
    return "".join(parser.parts), tuple(parser.removed)


_WHOLE_PAGE = re.compile(r"<(?:html|body|article|main)\b", re.IGNORECASE)
_MIN_PAGE_CHARS = 2000
# "Headline - Site Name" in <title>: a short tail (a site name), not half of the headline.
_TITLE_SUFFIX = re.compile(r"\s+[-–—|·:]\s+\S+(?: \S+){0,2}$")


def _captions(html_removed: tuple[Removal, ...], result: ExtractedArticle) -> tuple[str, ...]:
    figcaptions = (r.text for r in html_removed if r.kind == "caption")
    return tuple(dict.fromkeys((*figcaptions, *result.captions)))


def _restore_dropped(result: ExtractedArticle, as_text: ExtractedArticle) -> ExtractedArticle:
    """Put back body paragraphs that trafilatura left out between two it kept.

    Losing body text is worse than keeping furniture: a paragraph that ringkas's own reading of
    the page keeps as body, lying between two paragraphs both readings keep, is body.
    """
    kept = set(result.paragraphs)
    gone = {r.text for r in result.removed}
    common = [j for j, p in enumerate(as_text.paragraphs) if p in kept]
    if len(common) < 2:
        return result
    paragraphs = list(result.paragraphs)
    anchor = None
    for j in range(common[0], common[-1] + 1):
        paragraph = as_text.paragraphs[j]
        if paragraph in kept:
            anchor = paragraph
        elif paragraph not in gone and anchor is not None:
            at = paragraphs.index(anchor) + 1
            paragraphs.insert(at, paragraph)
            anchor = paragraph
    if len(paragraphs) == len(result.paragraphs):
        return result
    return ExtractedArticle(
        title=result.title,
        byline=result.byline,
        published=result.published,
        published_iso=result.published_iso,
        dateline=result.dateline,
        paragraphs=tuple(paragraphs),
        text="\n\n".join(paragraphs),
        captions=result.captions,
        removed=result.removed,
        format=result.format,
    )


def _meta_str(meta: dict[str, object], key: str) -> str | None:
    value = meta.get(key)
    return value if isinstance(value, str) and value.strip() else None


def _extract_html(page: str, lang: str | None, *, extractor: bool = True) -> ExtractedArticle:
    """HTML path; ``extractor=False`` skips trafilatura (the comparison in bench_extract.py)."""
    # The page as a reader sees it gives the byline and date as printed (trafilatura's metadata
    # normalises them); trafilatura gives the cleaner body.
    visible, html_removed = _basic_html_text(page)
    as_text = _extract_text(visible, lang)
    if not extractor or not _WHOLE_PAGE.search(page) or len(page) < _MIN_PAGE_CHARS:
        # A fragment (an article body in HTML) has no page around it for trafilatura to judge.
        return _replace(
            as_text,
            removed=(*html_removed, *as_text.removed),
            captions=_captions(html_removed, as_text),
            fmt="html-basic",
        )
    try:
        import trafilatura  # optional (ringkas[html]); heavy, so imported only for HTML pages
    except ImportError:
        logger.warning(
            "HTML page read with ringkas's basic tag stripper: install ringkas[html] "
            "(trafilatura) for better article extraction"
        )
        notice = Removal("html", "trafilatura not installed: basic HTML extraction")
        return _replace(
            as_text,
            removed=(notice, *html_removed, *as_text.removed),
            captions=_captions(html_removed, as_text),
            fmt="html-basic",
        )
    doc = trafilatura.bare_extraction(
        page, with_metadata=True, include_comments=False, include_tables=True, deduplicate=False
    )
    meta: dict[str, object] = {}
    if doc is not None:
        meta = doc if isinstance(doc, dict) else doc.as_dict()
    body, found_title, author, date = (
        _meta_str(meta, k) for k in ("text", "title", "author", "date")
    )
    if not body or not body.strip():
        return _replace(
            as_text,
            removed=(*html_removed, *as_text.removed),
            captions=_captions(html_removed, as_text),
            fmt="html-basic",
        )
    result = _extract_text(body, lang, title_hint=as_text.title or found_title, from_page=True)
    result = _restore_dropped(result, as_text)
    title = as_text.title
    if found_title and (title is None or _norm(title) not in _norm(found_title)):
        title = _TITLE_SUFFIX.sub("", found_title)
    byline = as_text.byline or result.byline or author
    published, iso = as_text.published, as_text.published_iso
    if published is None:
        published, iso = result.published, result.published_iso
    if date and published is None:
        published = date
    if date and iso is None:
        iso = date
    dropped = [Removal(r.kind, r.text) for r in as_text.removed if r.kind != "dateline"]
    seen = {(r.kind, r.text) for r in result.removed} | {("", p) for p in result.paragraphs}
    dropped = [r for r in dropped if ("", r.text) not in seen]
    extra = tuple(r for r in dropped if (r.kind, r.text) not in seen)
    figcaptions = tuple(r for r in html_removed if r.kind == "caption")
    return _replace(
        result,
        removed=(*result.removed, *extra, *(r for r in figcaptions if r not in result.removed)),
        title=title,
        byline=byline,
        published=published,
        iso=iso,
        captions=tuple(
            dict.fromkeys((*(r.text for r in figcaptions), *as_text.captions, *result.captions))
        ),
        fmt="html",
    )


def _replace(
    result: ExtractedArticle,
    *,
    removed: tuple[Removal, ...] | None = None,
    title: str | None = None,
    byline: str | None = None,
    published: str | None = None,
    iso: str | None = None,
    captions: tuple[str, ...] | None = None,
    fmt: str,
) -> ExtractedArticle:
    return ExtractedArticle(
        title=title if title is not None else result.title,
        byline=byline if byline is not None else result.byline,
        published=published if published is not None else result.published,
        published_iso=iso if iso is not None else result.published_iso,
        dateline=result.dateline,
        paragraphs=result.paragraphs,
        text=result.text,
        captions=captions if captions is not None else result.captions,
        removed=removed if removed is not None else result.removed,
        format=fmt,
    )


def _looks_like_html(page: str) -> bool:
    # The same test as clean_text's: one HTML tag makes it HTML ("5 < 6" is no tag).
    return _HTML_TAG.search(page) is not None


def extract_article(
    page: str, *, format: str = "auto", lang: str | None = None
) -> ExtractedArticle:
    """Take a scraped page apart into headline, byline, date, dateline, body and the rest.

    Args:
        page: the whole page, as a plain-text dump ("select all + copy") or as HTML.
        format: ``"text"``, ``"html"``, or ``"auto"`` (HTML when it has a doctype or tags).
        lang: ISO 639-1 code of the page (``id``, ``ms``, ``en``, ``jv``, ``su``) when known;
            it picks the function-word list, otherwise all five are used.

    Returns:
        An :class:`~ringkas.types.ExtractedArticle`; every line that is not the title or body
        is in ``removed`` with its kind (see ``docs/text.md``).

    Raises:
        InputError: ``page`` is not a string.
        ConfigError: unknown ``format``.
    """
    _require_str(page)
    if format not in FORMATS:
        raise ConfigError(f"format must be one of {', '.join(FORMATS)}, got {format!r}")
    # Bidirectional controls reorder how text is shown (a spoofing vector): never kept.
    page, bidi = strip_bidi_controls(page)
    if format == "html" or (format == "auto" and _looks_like_html(page)):
        article = _extract_html(page, lang)
    else:
        article = _extract_text(page, lang)
    if bidi is None:
        return article
    return dataclasses.replace(article, removed=(bidi, *article.removed))
