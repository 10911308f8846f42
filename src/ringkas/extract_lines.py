"""Line features of a page for :mod:`ringkas.extract`: what each line looks like (words,
punctuation, function words of its language) and the structural kinds (menu, date stamp,
label, headline, tags) decided from them."""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

from ringkas.text import (
    _TRAILING_EDITOR_CODE,
    _classify_line,
    _words,
)
from ringkas.types import Removal

# --------------------------------------------------------------------------------------------
# Line features
# --------------------------------------------------------------------------------------------

_JUSTEXT_LANGS = {
    "id": "Indonesian",
    "ms": "Malay",
    "en": "English",
    "jv": "Javanese",
    "su": "Sundanese",
}
# A few function words per language, so the feature works without jusText too.
_FUNCTION_WORDS = _words(
    """
    yang dan di ke dari ini itu dengan untuk pada dalam tidak akan juga sudah telah karena kata
    bahwa ada atau oleh saat lebih bisa dapat mereka kami kita ia dia saya para namun tetapi
    sebagai hingga agar jika kalau lalu masih belum sejak setelah bagi secara tersebut ujar
    katanya menurut berkata ialah iaitu tidak daripada kerana beliau selepas sebelum manakala
    the a an of to in and is are was were for on with that this it as by at from be has have had
    not but they he she we said will would which who their its also been more than after
    lan ing kang karo saka kanggo ora wis bakal iki iku uga dening marang sing supaya nanging
    jeung nu di ka ti teu geus bakal ieu éta ogé pikeun kana sareng anu
    """
)

_TERMINAL_END = re.compile(r"[.!?…:][\"'”’)\]]*$|[\"”’]$|\w\)$")
_WORD = re.compile(r"[^\W\d_][\w'’-]*")
_QUOTED = re.compile(r"^[\"“‘']")
_MULTI_SPACE = re.compile(r"\S(?: {2,}|\t+)\S")
_SEPARATORS = re.compile(r"\s[|·•›»>/]\s|\s[|·•›»]|[|·•›»]\s")
_URL = re.compile(r"https?://|www\.|\S+@\S+\.\w+|\b\w+\.(?:com|co\.id|id|my|net|org)\b", re.I)
_HASHTAG = re.compile(r"#\w")
_LIST_ITEM = re.compile(r"^(?:\d{1,2}|[a-z])[.)]\s+\S")
_BULLET = re.compile(r"^[-•●▪*–]\s+\w")
_ONLY_NUMBER = re.compile(r"^[\d\W]+$")

_MONTH_NUMBERS = {
    **dict.fromkeys(("januari", "january", "jan"), 1),
    **dict.fromkeys(("februari", "february", "feb", "pebruari"), 2),
    **dict.fromkeys(("maret", "march", "mar", "mac"), 3),
    **dict.fromkeys(("april", "apr"), 4),
    **dict.fromkeys(("mei", "may"), 5),
    **dict.fromkeys(("juni", "june", "jun"), 6),
    **dict.fromkeys(("juli", "july", "julai", "jul"), 7),
    **dict.fromkeys(("agustus", "august", "ogos", "agu", "ags", "agt", "aug"), 8),
    **dict.fromkeys(("september", "sept", "sep"), 9),
    **dict.fromkeys(("oktober", "october", "okt", "oct"), 10),
    **dict.fromkeys(("november", "nopember", "nov"), 11),
    **dict.fromkeys(("desember", "december", "disember", "des", "dis", "dec"), 12),
    # Sundanese and Javanese spellings.
    **dict.fromkeys(("pébruari", "pebruari"), 2),
    **dict.fromkeys(("méi",), 5),
    **dict.fromkeys(("séptémber", "sèptèmber"), 9),
    **dict.fromkeys(("oktobér", "oktober"), 10),
    **dict.fromkeys(("nopémber", "novémber", "nopèmber"), 11),
    **dict.fromkeys(("désémber", "dhésèmber", "desèmber", "dhesember"), 12),
}
_MONTH = "(?:" + "|".join(sorted(_MONTH_NUMBERS, key=len, reverse=True)) + r")\.?"
_WEEKDAY = (
    r"(?:senin|selasa|rabu|kamis|jum'?at|sabtu|minggu|ahad|isnin|khamis|jumaat|"
    r"senen|senén|setu|sabtu|kemis|rebo|jemuah|jemuwah|salasa|saptu|jumaah|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|mon|tue|wed|thu|fri|sat|sun)"
)
_PASARAN = r"(?: (?:legi|pahing|pon|wage|kliwon))?"
_TIME = (
    r"\d{1,2}[:.]\d{2}(?:[:.]\d{2})?(?:\s?[ap]\.?m\.?)?"
    r"(?:\s?(?:wib|wita|wit|myt|gmt(?:\s?[+-]\d{1,2})?|utc(?:\s?[+-]\d{1,2})?))?"
)
_DATE_CORE = (
    rf"(?:(?P<d1>\d{{1,2}}) (?P<m1>{_MONTH}),? (?P<y1>\d{{4}})"
    rf"|(?P<m2>{_MONTH}) (?P<d2>\d{{1,2}})(?:st|nd|rd|th)?,? (?P<y2>\d{{4}})"
    r"|(?P<d3>\d{1,2})[/.-](?P<m3>\d{1,2})[/.-](?P<y3>\d{4}|\d{2}(?![\d.:]))"
    r"|(?P<y4>\d{4})-(?P<m4>\d{2})-(?P<d4>\d{2}))"
)
_HAS_DIGIT = re.compile(r"\d")
_DATE = re.compile(
    rf"(?<!\w)(?i:(?:{_WEEKDAY}{_PASARAN},?\s+)?{_DATE_CORE}"
    rf"(?:(?:\s*[,|@-]\s*|\s+(?:pukul|jam|at)?\s*)(?P<time>{_TIME}))?)"
)
_RELATIVE_TIME = re.compile(
    r"(?i:^\d+ (?:menit|jam|hari|minggu|bulan|minit|mins?|minutes?|hours?|days?) "
    r"(?:yang )?(?:lalu|lepas|ago)$)"
)
_DATE_WORDS = _words(
    "pukul jam wib wita wit myt gmt utc am pm diperbarui updated published disiarkan pada on at "
    "diterbitkan dikemas kini terbit posted"
)

_BYLINE_LABEL = re.compile(
    r"^(?:(?i:penulis|oleh|pewarta|reporter|wartawan|kontributor|panulis|pangripta|"
    r"penyusun|writer|author|written by|by|laporan(?: wartawan| reporter| koresponden)?|"
    r"editor|penyunting|redaktur|redhaktur|reported by))\b\s*[:·|•-]?\s*(?=\S)"
)
_PERSON_LABEL = re.compile(
    r"^(?i:penulis|oleh|pewarta|reporter|wartawan|kontributor|panulis|pangripta|writer|"
    r"author|written by|by|reported by)\b"
)
_DATE_CONNECTOR = re.compile(r"\s+(?:pada|on|at|-|–|\||,)\s+(?=.*\d)")
_NAME_PART = r"[A-Z][\w.'’-]*"
_NAMES_LINE = re.compile(
    rf"^{_NAME_PART}(?: {_NAME_PART}){{1,5}}"
    rf"(?: ?(?:[|/&,]| and | dan ) ?{_NAME_PART}(?: {_NAME_PART}){{0,5}}"
    r"| [-–—] \S+(?: \S+)?| \([^()]{2,40}\))?$"
)
# "Baca juga" in the page's other languages (the shared rules know id/ms/en's other forms).
_READ_ALSO = re.compile(
    r"\W*(?i:read also|also read|waca uga|waca ugi|waca ugê|baca og[eé]|baca deui|maca og[eé])"
    r"\s*[:\-–—»|]"
)
_PART_SEPARATOR = re.compile(r"\s+[|·•]\s+")
_NAME_SEPARATOR = re.compile(r" ?[|/&,] ?| [-–—] | \(| and | dan ")
_SYNDICATION = re.compile(r"(?i:dengan judul|with the title|bertajuk)\s*[\"“'‘](?P<title>[^\"”’]+)")
_TAGS = re.compile(r"^(?i:tags?|topik|topics?|kata kunci|keywords?|label|tagar)\b\s*:?")
_COMMENT = re.compile(
    r"(?i:\bkoment?a?r\b|\bkomen\b|\bcomments?\b|\bbalas\b|\breply\b|\bthoughts? on\b|"
    r"\btanggapan\b|\bpanemu)"
)
_PROMPT_2P = re.compile(
    r"(?i:\b(?:your|you|anda|awak)\b)(?=.*(?i:inbox|newsletter|sign up|subscribe|"
    r"berlangganan|langganan|notifikasi|aplikasi|app\b|channel|saluran|download|unduh|"
    r"share\b|bagikan|kongsi|friends\b))"
)
_SECOND_PERSON = re.compile(r"(?i:\b(?:your|you|anda|awak)\b)")
_SHORT_PROMPT = re.compile(r"(?i:^(?:sign up|log ?in|masuk|daftar|register|subscribe)\b)")
_CAPS_LEAD_CAPTION = re.compile(r"^[A-Z]{3,}(?: [A-Z]{3,})? [a-z]")
_CAPS_CREDIT_TAIL = re.compile(
    r"(?:\.\s+|\s)(?:[A-Z][A-Z.]{2,}(?: [A-Z]{2,})?\s*/\s*\S+(?: \S+){0,5}|"
    r"(?:FOTO|Foto|PHOTO|Photo)\s+[A-Z][\w/.]*(?: [A-Z/][\w/.]*){0,4})\.?$"
)

# "(The Jakarta Ledger/Rizky Pratama)", "(Arsip KanalNasional/Rangga Saputra)" closing a line
# after a full stop or a date: a photo credit (a reporter/editor code is lower case: "(bay/idh)").
_PAREN_CREDIT = re.compile(
    r"[.)]\s*\((?:[A-Z][\w.'’-]*)(?: [A-Z][\w.'’-]*){0,4}\s*/\s*[A-Z][^()]{1,60}\)\.?$"
)

_FURNITURE_COST = 12.0
_ISOLATED_COST = 3.0
_BLOCK_COST = 4.0
_AD = re.compile(r"(?i)\W*(?:advertisement|iklan|advertorial)\W*$")
_PAGE_KINDS = frozenset({"navigation", "date", "tags"})
_SOFT_KINDS = frozenset({"read_also", "caption", "share_prompt", "embed", "ad"})


@lru_cache(maxsize=8)
def _stop_words(lang: str | None) -> frozenset[str]:
    """jusText's stop list for ``lang`` (all five regional lists when unknown), plus our own."""
    try:
        import justext  # optional (ringkas[html]); only its word lists are used here
    except ImportError:
        return _FUNCTION_WORDS
    names = [_JUSTEXT_LANGS[lang]] if lang in _JUSTEXT_LANGS else list(_JUSTEXT_LANGS.values())
    words: set[str] = set(_FUNCTION_WORDS)
    for name in names:
        words.update(justext.get_stoplist(name))
    return frozenset(words)


@dataclass
class _Line:
    text: str
    raw: str
    n_words: int
    stop_share: float
    terminal: bool
    kind: str | None = None  # boilerplate kind, or None while undecided
    rule: str | None = None  # the kind the line rules of ringkas.text give on their own
    sentence: bool = False
    inline: list[Removal] = field(default_factory=list)  # cut out of the line, before it
    after: list[Removal] = field(default_factory=list)  # lines wholly cut, after it


def _features(raw: str, text: str, stops: frozenset[str]) -> _Line:
    words = _WORD.findall(text)
    n = len(words)
    share = sum(w.lower() in stops for w in words) / n if n else 0.0
    line = _Line(text, raw, n, share, bool(_TERMINAL_END.search(text)))
    line.kind = _structural_kind(line)
    line.sentence = line.kind is None and _sentence_like(line)
    return line


def _sentence_like(line: _Line) -> bool:
    text = line.text
    if text[-1:] in ")]" and _TRAILING_EDITOR_CODE.search(text[-80:]):
        return True
    if not line.terminal:
        return False
    if _QUOTED.match(text):
        return line.n_words >= 2
    if _LIST_ITEM.match(text):
        return line.n_words >= 3
    return line.n_words >= 4 and line.stop_share >= 0.15


def _is_date_line(text: str, n_words: int) -> bool:
    if n_words > 14 or text.endswith(".") or not _HAS_DIGIT.search(text):
        return False
    if _RELATIVE_TIME.match(text):
        return True
    m = _DATE.search(text)
    if m is None:
        return False
    rest = (text[: m.start()] + " " + text[m.end() :]).lower()
    left = [w for w in _WORD.findall(rest) if w not in _DATE_WORDS and w not in _WEEKDAYS]
    return len(left) <= 4


_WEEKDAYS = frozenset(re.findall(r"[a-z']+", _WEEKDAY))


def _structural_kind(line: _Line) -> str | None:
    """The kind of page furniture a line is, from its shape and the shared line rules."""
    text, n = line.text, line.n_words
    kind = _classify_line(text)
    line.rule = kind
    if _ONLY_NUMBER.match(text) and kind is None:
        return "navigation"  # "1", "2" of a popular list
    if kind is not None:
        return "ad" if kind == "share_prompt" and _AD.match(text) else kind
    if n <= 40 and _READ_ALSO.match(text):
        return "read_also"
    if n <= 6 and not text.endswith((".", "!", "?", '"', "”")) and _COMMENT.search(text):
        return "comment"  # "Komentar (2)", "2 thoughts on ...", "Reply": never a mere interruption
    if _TAGS.match(text) and n <= 30 and (not line.terminal or text.endswith(":")):
        return "tags"
    if _HASHTAG.match(text) and text.count("#") >= 2:
        return "tags"
    if _is_date_line(text, n):
        return "date"
    segments = len(_MULTI_SPACE.findall(line.raw)) + len(_SEPARATORS.findall(text))
    if segments >= 2 and not line.terminal and n <= 3 * (segments + 1) + 2:
        return "navigation"
    tail = text[-120:]
    credit = ("/" in tail or "oto" in tail) and _CAPS_CREDIT_TAIL.search(tail) is not None
    if credit and (_CAPS_LEAD_CAPTION.match(text) or (n <= 60 and text[:1].isupper())):
        return "caption"
    if tail.endswith((")", ").")) and n <= 60 and _PAREN_CREDIT.search(tail):
        return "caption"
    if n <= 30 and _SECOND_PERSON.search(text) and _PROMPT_2P.search(text):
        return "subscription"
    if n <= 4 and _SHORT_PROMPT.match(text):
        return "share_prompt"
    return None
