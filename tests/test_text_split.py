"""Sentence and paragraph splitting: table-driven cases per pattern, then properties."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ringkas.errors import InputError
from ringkas.text import paragraph_spans, sentence_spans, split_sentences


def sentences(text: str) -> list[str]:
    return [text[a:b] for a, b in sentence_spans(text)]


# (id, text, expected sentences)
CASES: list[tuple[str, str, list[str]]] = [
    # --- abbreviations ---------------------------------------------------------------------
    # --- abbreviation chains in names and citations (both ways) -----------------------------
    (
        "id-degree-hajj-initial-chain",
        "Ketua panitia, Drs. H. A. Rahman, membuka acara. Peserta bertepuk tangan.",
        ["Ketua panitia, Drs. H. A. Rahman, membuka acara.", "Peserta bertepuk tangan."],
    ),
    (
        "id-hajj-initial-initial",
        "Ia bertemu H. M. Yusuf di Bogor. Mereka berbincang lama.",
        ["Ia bertemu H. M. Yusuf di Bogor.", "Mereka berbincang lama."],
    ),
    (
        "id-hajjah-st",
        "Pupuhu panitia, Hj. St. Aminah, hadir pagi itu. Acara dimulai.",
        ["Pupuhu panitia, Hj. St. Aminah, hadir pagi itu.", "Acara dimulai."],
    ),
    (
        "id-moch-given-name",
        "Kepala dinas, Drs. H. Moch. Arif Santoso, M.Si., hadir. Ia tersenyum.",
        ["Kepala dinas, Drs. H. Moch. Arif Santoso, M.Si., hadir.", "Ia tersenyum."],
    ),
    (
        "id-hi-abd-inside-names",
        "Kepala puskesmas, Fatma Hi. Abdullah, dan Zulkifli Abd. Rahman datang. Warga lega.",
        ["Kepala puskesmas, Fatma Hi. Abdullah, dan Zulkifli Abd. Rahman datang.", "Warga lega."],
    ),
    (
        "id-name-abbreviation-then-sentence-starter",
        "Yang hadir H. Muh. Said. Ia datang terlambat.",
        ["Yang hadir H. Muh. Said.", "Ia datang terlambat."],
    ),
    (
        "id-account-number",
        "Dana dikirim ke No. Rek. 0012-33 a.n. Yayasan Peduli. Setelah itu ia pulang.",
        ["Dana dikirim ke No. Rek. 0012-33 a.n. Yayasan Peduli.", "Setelah itu ia pulang."],
    ),
    (
        "id-account-number-ends-sentence",
        "Dana dikirim ke No. Rek. 0012. Setelah itu ia pulang.",
        ["Dana dikirim ke No. Rek. 0012.", "Setelah itu ia pulang."],
    ),
    (
        "id-legal-jo-between-articles",
        "Ia dijerat Pasal 2 jo. Pasal 3 UU Tipikor. Sidang ditunda.",
        ["Ia dijerat Pasal 2 jo. Pasal 3 UU Tipikor.", "Sidang ditunda."],
    ),
    (
        "id-legal-jo-between-clauses-ends-sentence",
        "Ia dijerat Pasal 5 ayat (1) jo. ayat (2). Sidang ditunda.",
        ["Ia dijerat Pasal 5 ayat (1) jo. ayat (2).", "Sidang ditunda."],
    ),
    (
        "id-short-place-still-ends-sentence",
        "Ia pindah ke Bali. Warga menyambutnya.",
        ["Ia pindah ke Bali.", "Warga menyambutnya."],
    ),
    (
        "id-caps-degree-ends-sentence",
        "Acara dihadiri Dr. Ir. Budi, S.T., M.T. Kegiatan berlangsung meriah.",
        ["Acara dihadiri Dr. Ir. Budi, S.T., M.T.", "Kegiatan berlangsung meriah."],
    ),
    (
        "id-caps-degree-mid-sentence",
        "Budi, S.H., M.H. mengatakan gugatan itu lemah. Sidang ditunda.",
        ["Budi, S.H., M.H. mengatakan gugatan itu lemah.", "Sidang ditunda."],
    ),
    (
        "id-initials-street-not-degree",
        "Ia tinggal di Jl. M.T. Haryono, Jakarta Timur. Rumahnya kecil.",
        ["Ia tinggal di Jl. M.T. Haryono, Jakarta Timur.", "Rumahnya kecil."],
    ),
    (
        "id-kep-thn",
        "Ia lahir thn. 1990 di Prov. Kep. Riau. Kini ia tinggal di Jakarta.",
        ["Ia lahir thn. 1990 di Prov. Kep. Riau.", "Kini ia tinggal di Jakarta."],
    ),
    (
        "id-police-rank",
        "Kapolda Irjen Pol. Andi Rian memimpin apel itu. Apel berjalan lancar.",
        ["Kapolda Irjen Pol. Andi Rian memimpin apel itu.", "Apel berjalan lancar."],
    ),
    (
        "ms-address",
        "Mangsa tinggal di Lrg. 3, Tmn. Melati, Kpg. Baru. Polis sedang menyiasat.",
        ["Mangsa tinggal di Lrg. 3, Tmn. Melati, Kpg. Baru.", "Polis sedang menyiasat."],
    ),
    (
        "id-dll-mid-sentence",
        "Ia membeli sayur, buah, dll. dan pulang ke rumah. Ia lelah.",
        ["Ia membeli sayur, buah, dll. dan pulang ke rumah.", "Ia lelah."],
    ),
    (
        "id-dll-ends-sentence",
        "Ia membeli sayur, buah, dll. Selain itu ia membeli beras.",
        ["Ia membeli sayur, buah, dll.", "Selain itu ia membeli beras."],
    ),
    (
        "id-dsb",
        "Ada kursi, meja, dsb. yang dijual murah.",
        ["Ada kursi, meja, dsb. yang dijual murah."],
    ),
    (
        "id-dkk",
        "Penelitian Budi dkk. menunjukkan hasil baik. Hasilnya dimuat di jurnal.",
        ["Penelitian Budi dkk. menunjukkan hasil baik.", "Hasilnya dimuat di jurnal."],
    ),
    (
        "id-jl-no",
        "Kantornya di Jl. Merdeka No. 5, Bandung. Kantor itu besar.",
        ["Kantornya di Jl. Merdeka No. 5, Bandung.", "Kantor itu besar."],
    ),
    (
        "id-tgl",
        "Surat itu bertanggal tgl. 5 Mei. Isinya rahasia.",
        ["Surat itu bertanggal tgl. 5 Mei.", "Isinya rahasia."],
    ),
    (
        "id-haji-hajah",
        "H. Agus Salim dan Hj. Siti hadir. Mereka berbicara.",
        ["H. Agus Salim dan Hj. Siti hadir.", "Mereka berbicara."],
    ),
    (
        "id-academic-titles",
        "Menurut Prof. Dr. Budi, S.H., M.Si., aturan itu sah. Dia menjelaskan alasannya.",
        ["Menurut Prof. Dr. Budi, S.H., M.Si., aturan itu sah.", "Dia menjelaskan alasannya."],
    ),
    (
        "id-degree-ends-sentence",
        "Hadir pula Budi Santoso S.H. Dia datang terlambat.",
        ["Hadir pula Budi Santoso S.H.", "Dia datang terlambat."],
    ),
    (
        "id-kab-kec",
        "Banjir melanda Kab. Bogor dan Kec. Cibinong. Warga mengungsi.",
        ["Banjir melanda Kab. Bogor dan Kec. Cibinong.", "Warga mengungsi."],
    ),
    (
        "id-atas-nama",
        "Transfer ke rekening a.n. Budi Santoso. Jangan lupa.",
        ["Transfer ke rekening a.n. Budi Santoso.", "Jangan lupa."],
    ),
    (
        "id-sdr-bpk",
        "Sdr. Andi dan Bpk. Joko dipanggil polisi. Keduanya hadir.",
        ["Sdr. Andi dan Bpk. Joko dipanggil polisi.", "Keduanya hadir."],
    ),
    (
        "id-tbk-mid-sentence",
        "Saham PT Bank Central Asia Tbk. naik tajam. Investor senang.",
        ["Saham PT Bank Central Asia Tbk. naik tajam.", "Investor senang."],
    ),
    (
        "id-tbk-ends-sentence",
        "Ia bekerja di PT Astra International Tbk. Perusahaan itu besar.",
        ["Ia bekerja di PT Astra International Tbk.", "Perusahaan itu besar."],
    ),
    (
        "id-pt-with-period",
        "PT. Maju Jaya merugi. Direksi mundur.",
        ["PT. Maju Jaya merugi.", "Direksi mundur."],
    ),
    (
        "id-medical-specialist",
        "Menurut dr. Andi, Sp. PD, pasien membaik. Ia pulang.",
        ["Menurut dr. Andi, Sp. PD, pasien membaik.", "Ia pulang."],
    ),
    (
        "ms-dr-en",
        "Datuk Seri Dr. Wan Azizah berucap. Beliau hadir bersama En. Ali.",
        ["Datuk Seri Dr. Wan Azizah berucap.", "Beliau hadir bersama En. Ali."],
    ),
    (
        "ms-sdn-bhd",
        "Syarikat Maju Sdn. Bhd. telah ditubuhkan. Ia berpangkalan di Johor.",
        ["Syarikat Maju Sdn. Bhd. telah ditubuhkan.", "Ia berpangkalan di Johor."],
    ),
    (
        "en-et-al",
        "Smith et al. found a link. The study was large.",
        ["Smith et al. found a link.", "The study was large."],
    ),
    (
        "en-eg",
        "Some fruits, e.g. Mango, are sweet. Others are not.",
        ["Some fruits, e.g. Mango, are sweet.", "Others are not."],
    ),
    (
        "en-mr-mrs",
        "Mr. Smith went to Washington. He met Mrs. Jones.",
        ["Mr. Smith went to Washington.", "He met Mrs. Jones."],
    ),
    (
        "en-us-before-name",
        "The U.S. Treasury said rates would rise. Markets fell.",
        ["The U.S. Treasury said rates would rise.", "Markets fell."],
    ),
    (
        "en-us-ends-sentence",
        "He moved to the U.S. The move was hard.",
        ["He moved to the U.S.", "The move was hard."],
    ),
    (
        "en-pm",
        "The meeting ended at 5 p.m. The staff went home.",
        ["The meeting ended at 5 p.m.", "The staff went home."],
    ),
    # --- initials ------------------------------------------------------------------------
    (
        "id-initial-m-nuh",
        "Mantan menteri M. Nuh hadir di acara itu. Dia memberi sambutan.",
        ["Mantan menteri M. Nuh hadir di acara itu.", "Dia memberi sambutan."],
    ),
    (
        "id-initials-bj-habibie",
        "Presiden B.J. Habibie lahir di Parepare. Ia wafat pada 2019.",
        ["Presiden B.J. Habibie lahir di Parepare.", "Ia wafat pada 2019."],
    ),
    (
        "id-single-letter-ends-sentence",
        "Pemenangnya adalah tim A. Kemudian tim B menyusul.",
        ["Pemenangnya adalah tim A.", "Kemudian tim B menyusul."],
    ),
    # --- money and numbers ---------------------------------------------------------------
    (
        "id-rupiah-thousands",
        "Harganya Rp10.000 per kilogram. Harga itu naik.",
        ["Harganya Rp10.000 per kilogram.", "Harga itu naik."],
    ),
    (
        "id-rupiah-decimal-comma",
        "Anggaran Rp 1,5 triliun disetujui. DPR setuju.",
        ["Anggaran Rp 1,5 triliun disetujui.", "DPR setuju."],
    ),
    (
        "id-rp-with-period",
        "Harganya Rp. 5.000 saja. Murah sekali.",
        ["Harganya Rp. 5.000 saja.", "Murah sekali."],
    ),
    (
        "id-percent",
        "Inflasi naik 3,5 persen pada Juli. Angka itu tinggi.",
        ["Inflasi naik 3,5 persen pada Juli.", "Angka itu tinggi."],
    ),
    (
        "id-thousands-dot",
        "Sebanyak 1.250 orang mengungsi. Mereka tidur di tenda.",
        ["Sebanyak 1.250 orang mengungsi.", "Mereka tidur di tenda."],
    ),
    (
        "id-number-ends-sentence",
        "Jumlah korban mencapai 1.250. Angka itu terus bertambah.",
        ["Jumlah korban mencapai 1.250.", "Angka itu terus bertambah."],
    ),
    (
        "en-dollar-decimal",
        "It cost US$2.5 billion. That is a lot.",
        ["It cost US$2.5 billion.", "That is a lot."],
    ),
    (
        "en-decimal",
        "Pi is about 3.14 in value. It never ends.",
        ["Pi is about 3.14 in value.", "It never ends."],
    ),
    # --- dates and times -----------------------------------------------------------------
    (
        "id-date-slashes-time",
        "Kejadian pada 30/8/2023 pukul 14.30 WIB. Polisi datang.",
        ["Kejadian pada 30/8/2023 pukul 14.30 WIB.", "Polisi datang."],
    ),
    (
        "id-date-dots",
        "Rapat digelar 5.8.2023 di Jakarta. Semua hadir.",
        ["Rapat digelar 5.8.2023 di Jakarta.", "Semua hadir."],
    ),
    (
        "id-time-ends-sentence",
        "Rapat dimulai pukul 09.00. Semua hadir.",
        ["Rapat dimulai pukul 09.00.", "Semua hadir."],
    ),
    (
        "en-month-abbreviation",
        "It opened on Jan. 5 in Jakarta. Crowds came.",
        ["It opened on Jan. 5 in Jakarta.", "Crowds came."],
    ),
    (
        "ms-date",
        "Mesyuarat diadakan pada 5 Mac 2024. Semua ahli hadir.",
        ["Mesyuarat diadakan pada 5 Mac 2024.", "Semua ahli hadir."],
    ),
    # --- ellipses ------------------------------------------------------------------------
    (
        "id-ellipsis-mid",
        "Saya tidak tahu... mungkin besok. Dia pergi.",
        ["Saya tidak tahu... mungkin besok.", "Dia pergi."],
    ),
    (
        "id-ellipsis-final",
        "Dia menunggu lama... Kemudian hujan turun.",
        ["Dia menunggu lama...", "Kemudian hujan turun."],
    ),
    (
        "id-ellipsis-char-final",
        "Dia menunggu lama… Kemudian hujan turun.",
        ["Dia menunggu lama…", "Kemudian hujan turun."],
    ),
    ("id-ellipsis-char-mid", "Entah… mungkin saja begitu.", ["Entah… mungkin saja begitu."]),
    (
        "id-spaced-ellipsis",
        "Dia diam . . . lalu pergi. Selesai.",
        ["Dia diam . . . lalu pergi.", "Selesai."],
    ),
    # --- quotes --------------------------------------------------------------------------
    (
        "id-quote-period",
        '"Saya tidak bersalah." Dia lalu pergi.',
        ['"Saya tidak bersalah."', "Dia lalu pergi."],
    ),
    ("id-quote-question-speech-verb", '"Kenapa?" tanya dia.', ['"Kenapa?" tanya dia.']),
    (
        "id-curly-quote-period",
        "“Kami siap.” Polisi lalu bergerak.",
        ["“Kami siap.”", "Polisi lalu bergerak."],
    ),
    (
        "id-quote-question-new-sentence",
        '"Apa kabar?" Dia tersenyum.',
        ['"Apa kabar?"', "Dia tersenyum."],
    ),
    (
        "id-quote-comma",
        '"Kami siap," kata dia. "Kami juga," sahut yang lain.',
        ['"Kami siap," kata dia.', '"Kami juga," sahut yang lain.'],
    ),
    ("ms-single-quotes", "'Ya.' Dia mengangguk.", ["'Ya.'", "Dia mengangguk."]),
    (
        "en-quote-exclamation",
        "“Stop!” The crowd froze.",
        ["“Stop!”", "The crowd froze."],
    ),
    # --- urls and e-mail -----------------------------------------------------------------
    (
        "id-urls-mid-sentence",
        "Informasi di kompas.com dan www.detik.com/foo.html hari ini. Silakan baca.",
        ["Informasi di kompas.com dan www.detik.com/foo.html hari ini.", "Silakan baca."],
    ),
    (
        "id-email",
        "Kirim ke nama@kompas.id untuk info. Terima kasih.",
        ["Kirim ke nama@kompas.id untuk info.", "Terima kasih."],
    ),
    (
        "id-url-ends-sentence",
        "Baca di kompas.com. Dia menulis itu.",
        ["Baca di kompas.com.", "Dia menulis itu."],
    ),
    (
        "en-url-with-query",
        "See https://www.detik.com/d-1/judul.html?x=1. That is the source.",
        ["See https://www.detik.com/d-1/judul.html?x=1.", "That is the source."],
    ),
    # --- numbered lists ------------------------------------------------------------------
    (
        "id-numbered-lines",
        "Syaratnya:\n1. Sehat jasmani.\n2. Berusia 17 tahun.",
        ["Syaratnya:", "1. Sehat jasmani.", "2. Berusia 17 tahun."],
    ),
    (
        "id-numbered-inline",
        "Syaratnya: 1. Sehat. 2. Jujur.",
        ["Syaratnya: 1. Sehat.", "2. Jujur."],
    ),
    ("id-letter-list", "a. Pertama\nb. Kedua", ["a. Pertama", "b. Kedua"]),
    (
        "id-nomor",
        "Dia tinggal di rumah No. 5 bersama ibunya. Rumah itu kecil.",
        ["Dia tinggal di rumah No. 5 bersama ibunya.", "Rumah itu kecil."],
    ),
    # --- other punctuation and paragraphs -----------------------------------------------
    (
        "id-question-exclamation",
        "Benarkah?! Ya. Wah! katanya.",
        ["Benarkah?!", "Ya.", "Wah! katanya."],
    ),
    (
        "id-lowercase-after-period-continues",
        "Harganya naik. dan itu membuat warga resah.",
        ["Harganya naik. dan itu membuat warga resah."],
    ),
    (
        "id-newline-ends-sentence",
        "Judul Berita Tanpa Titik\nIsi berita di sini. Kalimat kedua.",
        ["Judul Berita Tanpa Titik", "Isi berita di sini.", "Kalimat kedua."],
    ),
    (
        "id-closing-quote-alone",
        "“Kami akan lebih baik. ” Pelatih pergi.",
        ["“Kami akan lebih baik. ”", "Pelatih pergi."],
    ),
]


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_sentences(text: str, expected: list[str]) -> None:
    assert sentences(text) == expected


@pytest.mark.parametrize(("text", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_split_sentences_pieces_follow_the_spans(text: str, expected: list[str]) -> None:
    pieces = split_sentences(text)
    assert "".join(pieces) == text
    assert [p.strip() for p in pieces] == expected


SPLIT_EDGE_CASES: list[tuple[str, str, list[str]]] = [
    ("empty", "", []),
    ("spaces-only", "   ", ["   "]),
    ("newlines-only", "\n\n\r\n", ["\n\n\r\n"]),
    ("leading-whitespace-goes-first", "  \nA. B.", ["  \nA. B."]),
    ("two-sentences-keep-whitespace", " Satu. \n\n Dua.  ", [" Satu. \n\n ", "Dua.  "]),
    ("crlf-paragraphs", "Satu\r\nDua", ["Satu\r\n", "Dua"]),
    ("unicode-line-separator", "Satu\u2028Dua", ["Satu\u2028", "Dua"]),
]


@pytest.mark.parametrize(
    ("text", "expected"), [c[1:] for c in SPLIT_EDGE_CASES], ids=[c[0] for c in SPLIT_EDGE_CASES]
)
def test_split_sentences_edges(text: str, expected: list[str]) -> None:
    assert split_sentences(text) == expected


PARAGRAPH_CASES: list[tuple[str, str, list[str]]] = [
    ("empty", "", []),
    ("blank-lines", "\n \n\t\n", []),
    (
        "trimmed",
        "  Para satu.  \n\n\n Para dua \r\n\u2028Para tiga",
        ["Para satu.", "Para dua", "Para tiga"],
    ),
    ("single-newline-separates", "Satu\nDua", ["Satu", "Dua"]),
    ("nbsp-is-whitespace", "\u00a0Satu\u00a0\n", ["Satu"]),
]


@pytest.mark.parametrize(
    ("text", "expected"), [c[1:] for c in PARAGRAPH_CASES], ids=[c[0] for c in PARAGRAPH_CASES]
)
def test_paragraph_spans(text: str, expected: list[str]) -> None:
    assert [text[a:b] for a, b in paragraph_spans(text)] == expected


@pytest.mark.parametrize("func", [sentence_spans, split_sentences, paragraph_spans])
def test_non_str_raises_input_error(func: object) -> None:
    with pytest.raises(InputError, match="must be a str"):
        func(b"bytes")  # type: ignore[operator]


# --- properties ------------------------------------------------------------------------------

# Pieces that stress the splitter: abbreviations, numbers, quotes, odd whitespace and unicode.
FRAGMENTS = [
    "Dia",
    "pergi",
    "dll.",
    "Dr.",
    "B.J.",
    "M.",
    "Rp10.000",
    "3,5",
    "1.250.",
    "14.30",
    "WIB.",
    "...",
    "…",
    ".",
    "?",
    "!",
    '."',
    ".”",
    '?"',
    "kompas.com",
    "nama@kompas.id",
    "1.",
    "No.",
    "et",
    "al.",
    "U.S.",
    "a.n.",
    "(",
    ")",
    "“",
    "”",
    "é",
    "e\u0301",
    "日本語。",
    "🙂",
    "Ia.",
]
SEPARATORS = [
    " ",
    "  ",
    "\n",
    "\n\n",
    "\r\n",
    "\t",
    "\u00a0",
    "\u2028",
    "\u3000",
    "\x0b",
    "\x1c",
    "",
]

newsy_text = st.lists(
    st.tuples(st.sampled_from(FRAGMENTS), st.sampled_from(SEPARATORS)), max_size=40
).map(lambda parts: "".join(f + s for f, s in parts))
any_text = st.one_of(newsy_text, st.text(max_size=200))


def _check_spans(text: str, spans: list[tuple[int, int]]) -> None:
    covered = [False] * len(text)
    last_end = 0
    for a, b in spans:
        assert last_end <= a < b <= len(text)
        assert not text[a].isspace()
        assert not text[b - 1].isspace()
        for i in range(a, b):
            covered[i] = True
        last_end = b
    assert all(covered[i] or text[i].isspace() for i in range(len(text)))


@settings(max_examples=300, deadline=None)
@given(any_text)
def test_split_then_join_gives_the_input_back(text: str) -> None:
    pieces = split_sentences(text)
    assert "".join(pieces) == text
    assert all(pieces)
    assert len(pieces) == max(len(sentence_spans(text)), 1 if text else 0)


@settings(max_examples=300, deadline=None)
@given(any_text)
def test_sentence_spans_are_ordered_trimmed_and_inside_one_paragraph(text: str) -> None:
    spans = sentence_spans(text)
    _check_spans(text, spans)
    paragraphs = paragraph_spans(text)
    _check_spans(text, paragraphs)
    for a, b in spans:
        assert not any(c in text[a:b] for c in "\n\r\x0b\x0c\x1c\x85\u2028\u2029")
        assert any(pa <= a and b <= pb for pa, pb in paragraphs)
    for pa, pb in paragraphs:  # every paragraph is covered by sentences exactly
        inside = [(a, b) for a, b in spans if pa <= a and b <= pb]
        assert inside[0][0] == pa
        assert inside[-1][1] == pb
