"""Cleaning, sentence splitting and token-budget chunking of news text.

All functions here are pure functions of their arguments, so they are safe to call from many
threads at once; only regular expressions are built at import.

* :func:`clean_text` turns scraped article text (or HTML) into plain paragraphs and lists the
  boilerplate it took out, so a user can check that no body text was lost.
* :func:`sentence_spans`, :func:`split_sentences` and :func:`paragraph_spans` give offsets into the
  original string (or lossless pieces of it), so callers can splice model output back in with the
  original whitespace and paragraph breaks.
* :func:`chunk_text` cuts a document into pieces that fit a model's input window without dropping
  text, because seq2seq models silently truncate, or degrade, past their limit.

The rules, with examples, are in ``docs/text.md``.
"""

from __future__ import annotations

import functools
import re
import sys
import unicodedata
from bisect import bisect_right
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from html import unescape
from html.parser import HTMLParser
from itertools import pairwise
from typing import NamedTuple

from ringkas.errors import ConfigError, InputError
from ringkas.types import Chunk, CleanedText, Removal

__all__ = [
    "REMOVAL_KINDS",
    "chunk_text",
    "clean_text",
    "paragraph_spans",
    "sentence_spans",
    "split_sentences",
    "unicode_tokenize",
]

#: Every ``Removal.kind`` that :func:`clean_text` can report (documented in ``docs/text.md``).
REMOVAL_KINDS: tuple[str, ...] = (
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
    # Page structure (ringkas.extract): what surrounds the article on a scraped page.
    "title",
    "navigation",
    "header",
    "date",
    "ad",
    "tags",
    "related",
    "comment",
)

#: Bidirectional controls (embeddings, overrides, isolates, marks): invisible, they reorder how
#: text is shown, a known spoofing vector ("Trojan Source"); news text never needs them.
_BIDI_CONTROL = re.compile("[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]")


def strip_bidi_controls(text: str) -> tuple[str, Removal | None]:
    """``text`` without bidirectional controls, and the removal that lists them (or None)."""
    controls = Counter(_BIDI_CONTROL.findall(text))
    if not controls:
        return text, None
    listed = ", ".join(f"U+{ord(c):04X} x{n}" for c, n in sorted(controls.items()))
    return _BIDI_CONTROL.sub("", text), Removal("bidi_control", listed)


# --------------------------------------------------------------------------------------------
# Shared whitespace helpers
# --------------------------------------------------------------------------------------------

# The characters str.splitlines() breaks on; each one is a paragraph break for ringkas.
_LINE_BREAK_RUN = re.compile(r"[\n\r\x0b\x0c\x1c-\x1e\x85\u2028\u2029]+")
_WS_RUN = re.compile(r"\s+")
_TOKEN = re.compile(r"\S+")


def _words(text: str) -> frozenset[str]:
    """A word list written as text, which reads better than a column of quoted strings."""
    return frozenset(text.split())


def _require_str(text: object) -> None:
    if not isinstance(text, str):
        raise InputError(f"text must be a str, got {type(text).__name__}")


def _paragraphs(text: str) -> Iterator[tuple[int, int]]:
    """Trimmed, non-blank line spans: every line break separates paragraphs."""
    start = 0
    for m in _LINE_BREAK_RUN.finditer(text):
        yield from _trimmed(text, start, m.start())
        start = m.end()
    yield from _trimmed(text, start, len(text))


def _trimmed(text: str, a: int, b: int) -> Iterator[tuple[int, int]]:
    segment = text[a:b]
    body = segment.strip()  # str.strip and re's \s agree on what whitespace is
    if body:
        lead = len(segment) - len(segment.lstrip())
        yield a + lead, a + lead + len(body)


def paragraph_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each non-blank paragraph, trimmed; any line break separates paragraphs.

    Line breaks are those of ``str.splitlines`` (``\\n``, ``\\r``, ``\\u2028``, ...), so a
    paragraph never contains one.
    """
    _require_str(text)
    return list(_paragraphs(text))


# --------------------------------------------------------------------------------------------
# Sentence splitting
# --------------------------------------------------------------------------------------------

_TERMINALS = frozenset(".!?…。！？")
_CLOSERS = "\"'”’»)]}›"
_OPENERS = "\"'“‘«([{‹"

# Titles, places and companies written before a name: a period after them never ends a sentence.
_PREFIX_ABBREVIATIONS = _words(
    """
    Dr dr DR Drs Dra Prof PROF Ir Sp Hj HJ Hjh KH Tn Ny Nn Sdr Sdri Bpk Bp Pdt Ust Kol Letkol
    Mayjen Brigjen Letjen Jend Kapt Pol Inf Laks Jl JL Jln JLN Kab KAB Kec KEC Kel Ds Dsn Kp Kpg
    Kg Kep Prov Prop Gg Lrg Tmn PT CV UD Sdn Yth yth En Pn Tg No NO Nr Mr Mrs Ms MR MRS Messrs
    St Mt Ft Gen Lt Col Capt Sgt Maj Adm Cmdr Gov Sen Rep Rev Hon Pres Supt Insp Det vs Vs cf
    viz approx ca jo jis
    """
)
# Abbreviated given names and hajj titles inside names ("H. Moch. Arif", "Fatma Hi. Abdullah",
# "Zulkifli Abd. Rahman"): like an initial, a break only before a word that starts sentences.
_NAME_ABBREVIATIONS = _words(
    "Moch Moh Mohd Muh Muhd Mhd Mch Abd Ach Achm Ahm Hi Hjh Sy Syh Sjh Nyi Kh Hm Moc Mochd"
)
# A token that is itself an abbreviation or an initial ("H.", "A.", "Moch.", "Rek."): the
# token before it is part of the same name or citation, never a sentence end.
_ABBREVIATION_TOKEN = re.compile(r"(?:[A-Z][a-z]{0,3}\.)+,?")
# Abbreviations written before a number ("no. 5", "Rp. 10.000", "5 Jan. 2023"): no sentence
# break when a digit follows.
_NUMBER_ABBREVIATIONS = _words(
    """
    no hal Hal hlm Hlm vol Vol tgl Tgl thn Thn th Rp RP rp Ps Psl Fig fig Gbr Tab p pp RT RW Kav
    Rek rek
    kav Jan Feb Mar Apr Jun Jul Agu Agt Ags Aug Sep Sept Okt Oct Nov Des Dec
    """
)
# Abbreviations that often end a sentence ("..., sayur, dll. Selain itu"): a break only when a
# capital letter follows.
_SUFFIX_ABBREVIATIONS = _words(
    "dll Dll DLL dsb Dsb dst dkk Dkk etc Tbk TBK Inc Ltd Corp Co Bhd Jr Sr Bros Plc PLC"
)
# Indonesian degrees written after a name in capitals only ("Budi, S.H., M.T."): after a comma
# they are a degree, not a name's initials ("M.T. Haryono"), so a capital may start a sentence.
_CAPS_DEGREES = _words("S.H M.H S.T M.T S.E M.E M.M S.P M.P S.S S.IP M.A M.B.A S.K.M M.K.M S.KM")
# Words that start sentences; after an initial or dotted acronym ("B.J.", "U.S.") only these
# mark a new sentence, since a capitalised name usually follows an initial.
_SENTENCE_STARTERS = _words(
    """
    Ia Dia Mereka Kami Kita Saya Aku Beliau Ini Itu Hal Namun Tetapi Tapi Akan Sementara
    Sedangkan Selain Menurut Saat Ketika Pada Di Dalam Dari Untuk Dengan Sebelumnya Kemudian Lalu
    Setelah Sejak Bahkan Adapun Oleh Karena Kerana Sebab Jika Kalau Apabila Meski Meskipun
    Walaupun Selanjutnya Selama Hingga Bagi Para Sebanyak Tak Tidak Belum Sudah Juga Kini
    Sekarang Ada Yang Pihaknya Sebagai Akibatnya Terkait Soal Mengenai Katanya Bagaimanapun
    The A An It He She They We I You This That These Those There Here His Her Its Their Our My
    But And Or So Yet In On At For After Before When While If As However Meanwhile Also Then
    Now Some Many Most What Why How Who Where Still Although Though Since Because Such Last
    Earlier Later Both
    """
)
_INITIALS = re.compile(r"(?:[A-Z]\.)*[A-Z]|[ap]\.m")  # M, B.J, U.S, a.m
_DOTTED_LOWER = re.compile(r"(?:[a-z]\.)+[a-z]")  # a.n, e.g, i.e, s.d, u.p
_DEGREE = re.compile(r"(?:[A-Z][a-z]{0,3}\.)+[A-Z][a-z]{0,3}")  # M.Si, S.Pd, Ph.D
_LIST_MARKER = re.compile(r"\d{1,3}|[a-zA-Z]|[ivxIVX]{2,5}")
_FIRST_WORD = re.compile(r"\w+")


def _ends_sentence(token: str, following: str, previous: str, starts_sentence: bool) -> bool:
    """Whether a sentence ends after ``token``, judged from its neighbours (see docs/text.md)."""
    core = token.rstrip(_CLOSERS)
    if not core and previous:  # a quote standing apart: 'baik. ” Pelatih'
        return _ends_sentence(previous + token, following, "", False)
    if not core or core[-1] not in _TERMINALS:
        return False
    nxt = following.lstrip(_OPENERS) or following
    lead = nxt[0]
    if lead.islower() or lead in _TERMINALS or not following.strip(_CLOSERS):
        return False  # "dll. dan", mid-sentence "... lalu", '?" tanya dia', ". . .", 'ini. "'
    if core[-1] != "." or core.endswith("..") or len(core) < len(token):
        return True  # ! ? … "..." and closing quotes after the stop
    word = core[:-1].lstrip(_OPENERS)
    if not word:
        return True
    if _LIST_MARKER.fullmatch(word) and (starts_sentence or previous.endswith(":")):
        return False  # "1. Pertama", "Syaratnya: a. ..."
    if word in _PREFIX_ABBREVIATIONS or (
        _DOTTED_LOWER.fullmatch(word) and word not in ("a.m", "p.m")
    ):
        return False
    chained = _ABBREVIATION_TOKEN.fullmatch(following) is not None
    if word in _NUMBER_ABBREVIATIONS:
        return not (lead.isdigit() or chained)  # "No. 5", "No. Rek. 0012"
    if word in _SUFFIX_ABBREVIATIONS or (word == "al" and previous == "et"):
        return lead.isupper()
    if _DEGREE.fullmatch(word) and not word.isupper():
        return lead.isupper()
    if word in _CAPS_DEGREES and previous.endswith(","):
        return lead.isupper()
    if _INITIALS.fullmatch(word) or word in _NAME_ABBREVIATIONS:
        if chained:
            return False  # "H. A. Rahman", "H. M. Yusuf": the next token is an initial too
        first_word = _FIRST_WORD.match(nxt)
        return first_word is not None and first_word.group().capitalize() in _SENTENCE_STARTERS
    return True


def _sentence_spans(text: str) -> list[tuple[int, int]]:
    spans: list[tuple[int, int]] = []
    for a, b in _paragraphs(text):
        tokens = [m.span() for m in _TOKEN.finditer(text, a, b)]
        start = a
        for k in range(len(tokens) - 1):
            s, e = tokens[k]
            if text[e - 1] not in _TERMINALS and text[e - 1] not in _CLOSERS:
                continue  # fast path: most tokens cannot end a sentence
            ns, ne = tokens[k + 1]
            previous = text[slice(*tokens[k - 1])] if k else ""
            if _ends_sentence(text[s:e], text[ns:ne], previous, s == start):
                spans.append((start, e))
                start = ns
        spans.append((start, b))
    return spans


def sentence_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each sentence, in order; only whitespace lies outside the spans.

    Spans are trimmed and never cross a line break. A sentence ends only where whitespace
    follows, so dots inside URLs, e-mail addresses, numbers and dates never split.
    """
    _require_str(text)
    return _sentence_spans(text)


def _piece_bounds(text: str) -> list[tuple[int, int]]:
    """Offsets of the lossless pieces of :func:`split_sentences` (they tile ``text``)."""
    spans = _sentence_spans(text)
    if not spans:
        return [(0, len(text))] if text else []
    cuts = [0, *(s for s, _ in spans[1:]), len(text)]
    return list(pairwise(cuts))


def split_sentences(text: str) -> list[str]:
    """Lossless sentence pieces: ``"".join(split_sentences(t)) == t`` for every string ``t``.

    Each piece is one sentence plus the whitespace after it; the first also carries any leading
    whitespace. ``""`` gives ``[]``; whitespace-only text gives ``[text]``.
    """
    _require_str(text)
    return [text[a:b] for a, b in _piece_bounds(text)]


# --------------------------------------------------------------------------------------------
# Chunking
# --------------------------------------------------------------------------------------------

# Clause cuts for over-long sentences, tried in order: after punctuation, then before a
# conjunction. Each cut position is the start of the next piece (whitespace stays on the left).
_CLAUSE_CUTS = (
    re.compile(r"(?:[;:,—–]|\s-{1,2})\s+"),
    re.compile(
        r"\s(?=(?:yang|dan|serta|atau|tetapi|tapi|namun|sehingga|karena|kerana|sedangkan|"
        r"padahal|agar|supaya|ketika|sementara|manakala|meskipun|walaupun|bahwa|"
        r"which|and|but|or|while|because|whereas|although)\b)"
    ),
)


class _Atom(NamedTuple):
    """A piece that fits the budget on its own, and how its end was cut."""

    start: int
    end: int
    n_tokens: int
    cut: str


class _Cutter:
    """Cuts sentences that exceed the budget into clause and window atoms."""

    def __init__(self, text: str, max_tokens: int, count_tokens: Callable[[str], int]) -> None:
        self.text = text
        self.max_tokens = max_tokens
        self.count_tokens = count_tokens

    def count(self, a: int, b: int) -> int:
        return self.count_tokens(self.text[a:b])

    def atoms(self, a: int, b: int, n: int, cut: str, level: int = 0) -> Iterator[_Atom]:
        if n <= self.max_tokens:
            yield _Atom(a, b, n, cut)
            return
        for lvl in range(level, len(_CLAUSE_CUTS)):
            cuts = [m.end() for m in _CLAUSE_CUTS[lvl].finditer(self.text, a, b)]
            bounds = [a, *(p for p in cuts if a < p < b), b]
            if len(bounds) > 2:
                for s, e in pairwise(bounds):
                    kind = cut if e == b else "clause"
                    yield from self.atoms(s, e, self.count(s, e), kind, lvl + 1)
                return
        yield from self.windows(a, b, cut)

    def windows(self, a: int, b: int, cut: str) -> Iterator[_Atom]:
        """Largest fitting prefixes, cut at a word start when one lies inside the window.

        A run with no whitespace in the window is cut at a character.
        """
        word_ends = [m.end() for m in _WS_RUN.finditer(self.text, a, b) if m.end() < b]
        pos, hint = a, 0
        while pos < b:
            found = self.largest_fit(pos, range(pos + 1, b + 1), hint)
            if found is None:  # not even one character fits: keep it anyway, never drop text
                end, n = pos + 1, self.count(pos, pos + 1)
            else:
                end, n = found
                k = bisect_right(word_ends, end) - 1
                if end < b and k >= 0 and pos < word_ends[k] < end:
                    n_word = self.count(pos, word_ends[k])
                    if n_word <= self.max_tokens:
                        end, n = word_ends[k], n_word
            yield _Atom(pos, end, n, cut if end == b else "window")
            hint, pos = end - pos - 1, end

    def largest_fit(self, pos: int, ends: Sequence[int], hint: int) -> tuple[int, int] | None:
        """``(end, n_tokens)`` of the longest fitting ``text[pos:end]`` for ``end`` in ``ends``.

        Gallops up from ``ends[hint]`` (the last window's size), then bisects, so a window costs
        a few tokenizer calls on text at most twice its size, given counts that grow with length.
        """
        best: tuple[int, int] | None = None
        lo, hi = 0, len(ends)
        i, step = min(hint, hi - 1), 1
        while i < hi:
            n = self.count(pos, ends[i])
            if n > self.max_tokens:
                hi = i
                break
            best, lo = (ends[i], n), i + 1
            i += step
            step *= 2
        while lo < hi:
            mid = (lo + hi) // 2
            n = self.count(pos, ends[mid])
            if n <= self.max_tokens:
                best, lo = (ends[mid], n), mid + 1
            else:
                hi = mid
        return best


def chunk_text(text: str, *, max_tokens: int, count_tokens: Callable[[str], int]) -> list[Chunk]:
    """Cut ``text`` into chunks that tile it exactly and each fit ``max_tokens``.

    Cuts fall between sentences; a sentence over the budget is cut at clauses, then at word
    (or, for one over-long word, character) windows. Nothing is dropped. A chunk exceeds the
    budget only when a single character does. ``count_tokens`` is called about once per
    sentence plus once per chunk, since model tokenizers are slow and not exactly additive.

    Raises:
        ConfigError: ``max_tokens`` is not an integer >= 1, or ``count_tokens`` not callable.
    """
    _require_str(text)
    if isinstance(max_tokens, bool) or not isinstance(max_tokens, int) or max_tokens < 1:
        raise ConfigError(f"max_tokens must be an integer >= 1, got {max_tokens!r}")
    if not callable(count_tokens):
        raise ConfigError("count_tokens must be a callable taking a str and returning an int")
    cutter = _Cutter(text, max_tokens, count_tokens)
    atoms = [
        atom
        for a, b in _piece_bounds(text)
        for atom in cutter.atoms(a, b, cutter.count(a, b), "sentence")
    ]
    chunks: list[Chunk] = []
    i = 0
    while i < len(atoms):
        j, total = i + 1, atoms[i].n_tokens
        while j < len(atoms) and total + atoms[j].n_tokens <= max_tokens:
            total += atoms[j].n_tokens
            j += 1
        start, end, n = atoms[i].start, atoms[j - 1].end, atoms[i].n_tokens
        while j - i > 1:  # verify the packed sum; tokenizers are not exactly additive
            n = count_tokens(text[start:end])
            if n <= max_tokens:
                break
            j -= 1
            end, n = atoms[j - 1].end, atoms[i].n_tokens
        chunks.append(Chunk(text[start:end], start, end, n, atoms[j - 1].cut))
        i = j
    return chunks


# --------------------------------------------------------------------------------------------
# Cleaning: HTML
# --------------------------------------------------------------------------------------------

_HTML_TAG = re.compile(
    r"<(?:!--|!doctype\b|/?(?:a|abbr|article|aside|b|blockquote|body|br|button|caption|center|"
    r"cite|code|dd|div|dl|dt|em|figcaption|figure|font|footer|form|h[1-6]|head|header|hr|html|"
    r"i|iframe|img|li|link|main|meta|nav|noscript|ol|p|picture|pre|q|s|script|section|small|"
    r"source|span|strong|style|sub|sup|svg|table|tbody|td|template|tfoot|th|thead|time|title|"
    r"tr|u|ul|video)\b[^<>]*>)",
    re.IGNORECASE,
)
_ENTITY = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_BLOCK_TAGS = _words(
    """
    address article aside blockquote body br caption center dd details dialog div dl dt fieldset
    figure footer form h1 h2 h3 h4 h5 h6 header hr html li main nav ol p pre section summary
    table tbody tfoot thead tr ul
    """
)
_CELL_TAGS = frozenset({"td", "th"})
# Elements whose content is not article text; figcaption is a photo caption.
_DROPPED_TAGS = _words(
    "script style noscript template iframe svg title object canvas button select figcaption"
)


class _HtmlToText(HTMLParser):
    """Block elements become line breaks; script, style and similar content is dropped."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.removed: list[Removal] = []
        self._dropping: list[str] = []
        self._dropped: list[str] = []
        self._pre = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _DROPPED_TAGS:
            self._dropping.append(tag)
        elif self._dropping:
            return
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")
            if tag == "pre":
                self._pre += 1
        elif tag in _CELL_TAGS:
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if self._dropping:
            if tag == self._dropping[-1]:
                self._dropping.pop()
                if not self._dropping:
                    self._flush_dropped(tag)
        elif tag in _BLOCK_TAGS:
            self.parts.append("\n")
            if tag == "pre" and self._pre:
                self._pre -= 1

    def handle_data(self, data: str) -> None:
        if self._dropping:
            self._dropped.append(data)
        else:
            self.parts.append(data if self._pre else _LINE_BREAK_RUN.sub(" ", data))

    def close(self) -> None:
        super().close()
        if self._dropping:  # an element left open at the end
            self._flush_dropped(self._dropping[0])
            self._dropping.clear()

    def _flush_dropped(self, tag: str) -> None:
        content = _WS_RUN.sub(" ", "".join(self._dropped)).strip()
        self._dropped.clear()
        if content:
            self.removed.append(Removal("caption" if tag == "figcaption" else "html", content))


# --------------------------------------------------------------------------------------------
# Cleaning: boilerplate rules (lines are whitespace-normalised: single spaces, trimmed)
# --------------------------------------------------------------------------------------------

# Removed outright wherever they appear: nothing in an article body reads like this.
_INLINE_PROMPT = re.compile(
    r"\s*(?:\bADVERTISEMENT\b|(?i:\bscroll to (?:continue with|resume) content\b))\s*"
)
_INLINE_WIRE_CREDIT = re.compile(
    r"\s*\((?i:additional )?(?i:reporting|writing|editing) by\b[^()]*\)$"
)
_NO_SPACE_BEFORE = frozenset(".,;:!?)]}”’\"'")
_INVISIBLE = re.compile("[\u00ad\u200b\u2060\ufeff\x00-\x08\x0e-\x1b\x7f-\x84\x86-\x9f]")

# Editors' and reporters' codes closing an article: detik "(rfs/jbr)", "[noe]", ANTARA "(D011)",
# "(T.K010/R010)", "(Yendhi / win)".
_CODE_PART = r"[\w.-]+(?: [\w.-]+){0,3}"
_EDITOR_CODE = (
    rf"[(\[]\s*(?:[a-z]{{2,5}}|[A-Z]\d{{3}}|{_CODE_PART}(?:\s*/\s*{_CODE_PART}){{1,3}})\s*[)\]]"
)
# A related-article link inside a paragraph: "(Baca: ...)", "[Baca juga: ...]".
_INLINE_READ_ALSO = re.compile(r"\s*[(\[]\s*(?i:baca|lihat|simak)(?i: juga)?\s*:[^()\[\]]*[)\]]\s*")
_SEP = r"\s*(?:[:：\-–—»>|]|$)"
_MONTHS = (
    r"jan(?:uari|uary)?|feb(?:ruari|ruary)?|mar(?:et|ch)?|mac|apr(?:il)?|mei|may|jun[ei]?|"
    r"jul[iy]?|julai|ags|agt|agu(?:stus)?|ogos|aug(?:ust)?|sep(?:t|tember)?|okt(?:ober)?|"
    r"oct(?:ober)?|nov(?:ember)?|des(?:ember)?|dis(?:ember)?|dec(?:ember)?"
)
_DAYS = (
    r"senin|selasa|rabu|kamis|jumat|sabtu|minggu|isnin|khamis|jumaat|ahad|"
    r"mon(?:day)?|tue(?:sday)?|wed(?:nesday)?|thu(?:rsday)?|fri(?:day)?|sat(?:urday)?|"
    r"sun(?:day)?"
)
_TIMESTAMP = re.compile(
    r"(?i:(?:terakhir )?diperbarui|dikemas ?kini|diterbitkan|dipublikasikan|disiarkan|"
    r"(?:last )?updated|published|posted)(?i: (?:pada|on|at))?\s*:?"
    rf"(?:[\s,|·•-]*(?:\d[\d:./-]*|(?i:{_MONTHS}|{_DAYS}|wib|wita|wit|myt|gmt|utc|am|pm|"
    r"pukul|jam)\b\.?))+\s*$"
)
# (kind, pattern matched at the start of a line, most words a line may have to be removed)
_LINE_RULES: tuple[tuple[str, re.Pattern[str], int], ...] = (
    (
        "share_prompt",
        re.compile(
            r"\W*(?i:(?:bagikan|kongsi)(?: (?:artikel|berita) ini)?|"
            r"share(?: this (?:article|story))?|"
            r"scroll to (?:continue with|resume) content|advertisement|iklan|"
            r"tampilkan lebih (?:banyak|sedikit)|lanjutkan membaca|teruskan membaca|"
            r"continue reading|"
            r"story continues below(?: advertisement)?|"
            r"salin (?:tautan|link)|copy link|(?:load|show) more|komentar|"
            r"(?:halaman|laman) (?:selanjutnya|berikutnya|sebelumnya|seterusnya)|"
            r"(?:halaman|laman|page)\s*:?(?:\s*\d+)+|next page|previous page)\W*$"
        ),
        6,
    ),
    (
        "share_prompt",
        re.compile(
            r"(?i:bagikan|kongsi|share)\s*:?(?:\s*(?i:facebook|twitter|x|whatsapp|telegram|line|"
            r"linkedin|e-?mail|pinterest|copy link|salin tautan)[\s,|/·•]*)+$"
        ),
        12,
    ),
    # "Klik di sini untuk ..." points elsewhere; no body sentence starts so.
    ("share_prompt", re.compile(r"(?i:klik di sini|click here)\b"), 15),
    ("embed", re.compile(r"\[\s*Gambas\s*:[^\]]*\]$"), 12),
    (
        "read_also",
        re.compile(
            rf"[(\[]?\s*(?:(?i:(?:baca|lihat|simak|cek|tonton) (?:juga|pula)){_SEP}|"
            r"(?:BACA|LIHAT|SIMAK) JUGA\b|(?i:baca|lihat)\s*:|Video\s*:|"
            rf"(?i:(?:berita|artikel) (?:berkaitan|terkait|lainnya|pilihan)){_SEP}|"
            r"(?i:baca (?:berita |artikel )?selengkapnya)\b|"
            r"(?i:(?:simak|lihat|baca|cek)(?: juga)? (?:berita|artikel|informasi|video|update)"
            r"(?: \w+){0,2}? (?:lainnya|selengkapnya|menarik|terkini|terbaru|terpopuler|"
            r"pilihan))\b|"
            r"(?i:(?:simak|saksikan|tonton)(?: (?:juga|pula))? video)\b|WATCH\s*:|"
            r"(?i:pilihan editor|rekomendasi (?:berita|artikel))\s*:|REKOMENDASI\s*:|"
            r"(?i:read more|related(?: articles?| stories)?|also read|see also)\s*:|"
            r"(?i:related (?:articles?|stories|news))\W*$|(?i:baca artikel asal)\b)"
        ),
        40,
    ),
    (
        "subscription",
        re.compile(
            r"(?:(?i:dapatkan|ikuti|gabung|bergabung|sertai|join|follow|get|sign up|yuk|ayo|mari|"
            r"klik|download|unduh|langganan|berlangganan|melanggan|subscribe|simak|pilih|"
            r"jangan lewatkan)(?=\s)|(?i:untuk (?:berita|info|maklumat|informasi) terkini)\b)"
            r"(?=.*(?i:telegram|whatsapp|google news|newsletter|t\.me/|saluran|channel))"
            r"(?=.*(?i:berita|news|update|kami|informasi|maklumat|artikel|konten|\bour\b))"
        ),
        40,
    ),
    # "Ikuti kami di Instagram", "Follow us on Twitter": a social account, and "us" to follow.
    (
        "subscription",
        re.compile(
            r"(?i:ikuti|follow|sertai)\s+(?i:kami|us|akun (?:resmi )?kami)\b"
            r"(?=.*(?i:instagram|facebook|twitter|tiktok|youtube|\bx\b))"
        ),
        20,
    ),
    # "Download aplikasi Kompas.com untuk ..."; a body sentence does not start with the verb.
    ("subscription", re.compile(r"(?i:download|unduh)\b(?=.*(?i:aplikasi|\bapp\b))"), 40),
    (
        "disclaimer",
        re.compile(
            r"\W*(?:(?i:disclaimer|penafian)\s*:|"
            r"(?:(?:Tulisan|Artikel|Konten|Opini) (?:ini|tersebut)|"
            r"Isi (?:tulisan|artikel|konten))\b"
            r"(?=.*(?i:tanggung ?jawab (?:\w+ ){0,2}?(?:pengirim|penulis|redaksi)|"
            r"merupakan kiriman|kiriman (?:dari )?(?:pembaca|pengguna|user|warganet|netizen))))"
        ),
        80,
    ),
    (
        "footer",
        re.compile(
            r"(?:©|\([cC]\) |(?i:copyright|hak cipta)\b|"
            r"(?:Artikel|Berita) ini (?:(?:telah|sudah|pernah) (?:pertama kali )?|pertama kali )"
            r"(?:tayang|terbit|dimuat|diterbitkan|disiarkan)\b|"
            r"(?i:dilarang (?:keras )?mengambil konten)|"
            # Malay wire credits: "Dengan laporan tambahan oleh Bernama".
            r"(?i:(?:dengan )?laporan tambahan (?:oleh|daripada|dari))\b|"
            r"(?i:this (?:article|story) (?:was|has been) (?:first |originally )?published)|"
            r"Our Standards:|"
            # Wire sign-offs on a line of their own: "-- BERNAMA", "--AFP".
            r"[-–—]{1,2} ?(?:BERNAMA|Bernama|ANTARA|AFP|REUTERS|Reuters|AP|XINHUA|Xinhua)\.?$)"
        ),
        60,
    ),
    (
        "byline",
        re.compile(
            r"(?i:editor|penyunting|penulis|pewarta|reporter|redaktur|kontributor|wartawan|"
            r"fotografer|laporan|writer|author|oleh|sumber)\s*(?::\s*\S|:?$)|"
            r"(?i:laporan (?:wartawan|reporter|koresponden|kontributor|jurnalis))\b|"
            r"By [A-Z][\w.'’-]*(?: (?:and )?[A-Z][\w.'’-]*){0,5}$"
        ),
        25,
    ),
    # Date and time stamps: "Diperbarui: 5 Maret 2024, 10:00 WIB", "Dikemas kini 12:30 PM",
    # "Updated: March 5, 2024". The rest of the line must be a date or time, nothing else.
    ("byline", _TIMESTAMP, 14),
    # "Sumber berita Phandroid." names the source; "Sumber pemerintah AS mengatakan ..." is body.
    ("byline", re.compile(r"(?i:sumber (?:berita|artikel))\b"), 6),
    (
        "caption",
        re.compile(
            r"(?i:foto|photo|gambar|sumber (?:foto|gambar))(?: \w+)?\s*:\s*\S|"
            r"(?i:sumber (?:foto|gambar))\b|"
            r"(?i:antara foto)\s*/|(?:ANTARA|REUTERS|AFP|AP|Xinhua|XINHUA)\s*/\s*\S|"
            r"Lihat Foto$"
        ),
        60,
    ),
)

# Wire credit lines: "Reporting by X; Editing by Y". "Reporting by the BBC showed ..." is body,
# so the line must name a second credit, or be short without a full stop.
_WIRE_CREDIT = re.compile(r"(?i:additional )?(?i:reporting|writing|editing|compiled|edited) by\b")
_WIRE_SECOND = re.compile(
    r"[;,]\s*(?i:and )?(?i:additional )?(?i:reporting|writing|editing|compiled|edited) by\b"
)
# "Ilustrasi banjir" is a caption; "Ilustrasi tersebut menunjukkan ..." is body.
_ILLUSTRATION = re.compile(
    r"(?:Ilustrasi|ILUSTRASI|Foto ilustrasi|(?i:gambar|foto) hiasan)\b\s*(?P<sep>[:\-–—|])?"
)
_BODY_WORDS = _words(
    "yang tersebut itu ini adalah merupakan bahwa menunjukkan menggambarkan akan telah sudah "
    "dapat bisa"
)
# A photo credit ending a line makes the line a caption. A slash credit must name an agency or
# photo source, so that a reporter/editor code such as "(Yendhi / win)" is not taken for one.
_PHOTO_SOURCE = (
    r"(?:[A-Z]{2,}[\w.]*|[\w-]+\.(?:com|co\.id|id|net)\b|(?i:dok|foto|getty images|"
    r"shutterstock|istock\w*|istimewa|detikcom|antara|reuters|instagram|twitter|facebook|"
    r"youtube|unsplash|pixabay|freepik)\b)"
)
_CREDIT_TAIL = re.compile(
    r"(?:\s*\(\s*(?i:foto|photo|dok|dokumentasi|doc|sumber foto|ilustrasi|gambar|istimewa)\b"
    rf"[^()]*\)|\s*\(\s*{_PHOTO_SOURCE}[^()/]*/[^()]+\)"
    r"|(?:^|(?<=[.)])\s+|\s+[-–—]\s*)(?i:antara foto)\s*/\s*\S+(?: \S+){0,8}"
    r"|(?:^|(?<=[.)])\s+|\s+[-–—]\s*)(?:ANTARA|REUTERS|AFP|AP|Xinhua|XINHUA)\s*/\s*\S+"
    r"(?: \S+){0,8})\s*\.?$"
)
_MAX_CAPTION_WORDS = 60
# A photo credit on a line of its own: "KOMPAS.com/ANDI HARTIK", "DOK. ISTIMEWA", "Dok. Humas
# Polri", "Istimewa", "Kredit foto: Reuters". Only short lines; a body sentence never reads so.
_STANDALONE_CREDIT = re.compile(
    rf"\(?(?:{_PHOTO_SOURCE}\s*/\s*\S+(?: \S+){{0,4}}|"
    r"(?:Dok\.|DOK\.?|Dokumentasi) [A-Z][\w.]*(?: [A-Z][\w.]*){0,3}|"
    r"(?i:istimewa|shutterstock|getty images|istockphoto|istock|unsplash|pixabay|freepik)|"
    r"(?i:kredit foto|photo credit|image credit)\s*:.*)\)?\.?$"
)
_MAX_CREDIT_WORDS = 6
_EDITOR_CODE_LINE = re.compile(_EDITOR_CODE)
# Codes after the last sentence: "... ujarnya. (rfs/jbr)".
_TRAILING_EDITOR_CODE = re.compile(rf"(?<=[.!?\"”'’)\]])\s*{_EDITOR_CODE}$")

# Datelines: "JAKARTA, KOMPAS.com -", "KUALA LUMPUR, 5 Mac (Bernama) --", "Jakarta (ANTARA) -".
_DL_SEG = (
    r"(?:[A-Z0-9][\w'’.&/]*(?: [A-Z0-9][\w'’.&/]*){0,3}"
    r"|[A-Za-z][\w-]*(?:\.[A-Za-z]{2,})+|[a-z]+[A-Z]\w*)"
)
_DATELINE = re.compile(
    rf"(?P<dateline>(?P<place>{_DL_SEG})(?P<source>(?:, ?{_DL_SEG}){{0,2}}"
    r"(?: ?\([^()]{1,30}\))?)) ?(?:--?|–|—)(?: |$)"
)
_SOURCE_LIKE = re.compile(r"[A-Z]{2}|\.[A-Za-z]{2}|\d|[a-z][A-Z]")
_MAX_DATELINE_CHARS = 60
# Malaysian papers open with the place in capitals and a colon: "KUALA LUMPUR: Kerajaan ...".
# A label in capitals ("PENTING: ...", "UPDATE: ...") is not a place, and a headline-like
# "BMKG: Hujan lebat" is too short to be a lead paragraph.
_COLON_DATELINE = re.compile(
    r"(?P<place>[A-Z][A-Z'’-]+(?: [A-Z][A-Z'’-]+){0,2})(?: \([^()]{1,20}\))?: (?=[A-Z\"“‘'])"
)
_COLON_LABELS = _words(
    """
    PENTING CATATAN UPDATE BREAKING NEWS EKSKLUSIF EXCLUSIVE VIDEO FOTO INFOGRAFIS OPINI OPINION
    ANALISIS ANALYSIS WAWANCARA KOLOM TAJUK EDITORIAL RALAT KOREKSI PERHATIAN PENGUMUMAN
    LIVE TERKINI TERBARU HOAKS FAKTA CEK ADVERTORIAL BACA LIHAT SIMAK WATCH EDITOR PENULIS
    REPORTER PEWARTA SUMBER DISCLAIMER INFO TIPS SPOILER PERINGATAN WARNING NOTE KESIMPULAN
    RINGKASAN SUMMARY UPDATED CORRECTION
    """
)
_MIN_LEAD_WORDS = 8


def _classify_line(line: str) -> str | None:
    """The boilerplate kind of a whole line, or None for body text."""
    n_words = len(line.split())
    for kind, pattern, max_words in _LINE_RULES:
        if n_words <= max_words and pattern.match(line):
            return kind
    if _WIRE_CREDIT.match(line) and (
        _WIRE_SECOND.search(line) or (n_words <= 6 and line[-1] not in ".!?")
    ):
        return "footer"
    m = _ILLUSTRATION.match(line)
    if m and (
        m.group("sep") or (n_words <= 8 and _BODY_WORDS.isdisjoint(w.lower() for w in line.split()))
    ):
        return "caption"
    # A credit tail has a slash or closes a parenthesis; most lines have neither (cheap test).
    credit = ("/" in line or line.rstrip(". ").endswith(")")) and _CREDIT_TAIL.search(line)
    if credit and len(line[: credit.start()].split()) <= _MAX_CAPTION_WORDS:
        return "caption"
    if n_words <= _MAX_CREDIT_WORDS and _STANDALONE_CREDIT.match(line):
        return "caption"
    if _EDITOR_CODE_LINE.fullmatch(line):
        return "editor_initials"
    return None


def _split_colon_dateline(line: str) -> tuple[str, str, str] | None:
    m = _COLON_DATELINE.match(line)
    if m is None:
        return None
    place, rest = m.group("place"), line[m.end() :]
    letters = sum(c.isalpha() for c in place)
    if letters < 4 or _COLON_LABELS.intersection(place.split()):
        return None
    if len(rest.split()) < _MIN_LEAD_WORDS:
        return None
    return place, m.group(0).strip(), rest


def _split_dateline(line: str) -> tuple[str, str, str] | None:
    """``(dateline, removed text, rest of line)`` when ``line`` opens with a dateline."""
    m = _DATELINE.match(line)
    if m is None:
        return _split_colon_dateline(line)
    if len(m.group("dateline")) > _MAX_DATELINE_CHARS:
        return None
    place, source, rest = m.group("place"), m.group("source"), line[m.end() :]
    if rest[:1].islower() or not any(c.isalpha() for c in place):
        return None
    if source:
        # "Menteri Keuangan, Sri Mulyani - ..." is body: a dateline names an agency or a date.
        if "(" not in source and not _SOURCE_LIKE.search(m.group("dateline")):
            return None
    elif " " in place and not place.isupper():
        return None
    return m.group("dateline"), m.group(0).strip(), rest


def _normalised_lines(text: str) -> list[str]:
    """Invisible characters dropped; NFC; spaces collapsed; one entry per non-blank line."""
    text = unicodedata.normalize("NFC", _INVISIBLE.sub("", text))
    return [s for s in (_WS_RUN.sub(" ", line).strip() for line in text.splitlines()) if s]


def clean_text(text: str, *, html: bool | None = None) -> CleanedText:
    """Plain article text without markup or page boilerplate, and a record of what was removed.

    Args:
        text: scraped article body, as plain text or HTML.
        html: ``True`` parses ``text`` as HTML, ``False`` treats it as plain text (entities kept
            as written), ``None`` parses it as HTML only if it contains HTML tags, and otherwise
            unescapes stray entities such as ``&amp;``.

    Returns:
        Paragraphs separated by one blank line (``"\\n\\n"``), each on one line with single
        spaces; the dateline (``"JAKARTA, KOMPAS.com"``) split off the first paragraph; and
        every removal, in document order, with its kind (see ``REMOVAL_KINDS``); and the
        headline, byline and publication date when the text is a whole page. It is
        :func:`ringkas.extract.extract_article` with the body joined into one string.
    """
    _require_str(text)
    # extract builds on this module's line rules, so it is imported here, not at the top.
    from ringkas.extract import extract_article

    if html is None:
        html = bool(_HTML_TAG.search(text))
        if not html:
            text = _ENTITY.sub(lambda m: unescape(m.group()), text)
    article = extract_article(text, format="html" if html else "text")
    # CleanedText's dateline is the place and source only ("JAKARTA, KOMPAS.com").
    dateline = article.dateline.rstrip(" -–—:") if article.dateline else None
    return CleanedText(
        article.text,
        dateline,
        article.removed,
        title=article.title,
        byline=article.byline,
        published=article.published,
    )


def _strip(pattern: re.Pattern[str], line: str, kind: str, removed: list[Removal]) -> str:
    """``line`` without the matches of ``pattern``, each recorded as a removal of ``kind``.

    A match between two words leaves one space; before punctuation or at an edge, none.
    """

    def record(m: re.Match[str]) -> str:
        removed.append(Removal(kind, m.group().strip()))
        after = line[m.end() : m.end() + 1]
        return " " if m.start() > 0 and after and after not in _NO_SPACE_BEFORE else ""

    return _WS_RUN.sub(" ", pattern.sub(record, line)).strip()  # adjacent matches leave two


# --------------------------------------------------------------------------------------------
# Words


@functools.lru_cache(maxsize=1)
def _unicode_word_re() -> re.Pattern[str]:
    """Runs of letters, digits and combining marks (``re`` has no ``\\p{M}``, so the marks'
    ranges are collected from :mod:`unicodedata` once, on first use: ~0.4 s)."""
    ranges: list[tuple[int, int]] = []
    start = previous = -1
    for codepoint in range(sys.maxunicode + 1):
        char = chr(codepoint)
        if unicodedata.category(char).startswith("M") and not char.isalnum():
            if start < 0:
                start = codepoint
            previous = codepoint
        elif start >= 0:
            ranges.append((start, previous))
            start = -1
    marks = "".join(
        re.escape(chr(a)) if a == b else f"{re.escape(chr(a))}-{re.escape(chr(b))}"
        for a, b in ranges
    )
    return re.compile(rf"(?:[^\W_]|[{marks}])+")


def unicode_tokenize(text: str, *, lowercase: bool = True) -> list[str]:
    """Word tokens: rouge-score's rule (runs of letters/digits) with every script's letters kept.

    One tokenizer for ROUGE (:mod:`ringkas.evaluate.metrics`) and TextRank
    (:mod:`ringkas.extractive`).

    Text is NFC-normalised; combining marks stay inside their word (Devanagari, Thai vowel
    signs). On lowercase ASCII text this gives exactly rouge-score's tokens; "Café naïve" gives
    ``["café", "naïve"]`` where rouge-score gives ``["caf", "na", "ve"]``.
    """
    text = unicodedata.normalize("NFC", text)
    if lowercase:
        text = text.lower()
    return _unicode_word_re().findall(text)
