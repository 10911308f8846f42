"""Cleaning: boilerplate removed per pattern, body text kept (false-positive traps), HTML,
whitespace, datelines, and properties of the output."""

from __future__ import annotations

import unicodedata

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ringkas.errors import InputError
from ringkas.text import REMOVAL_KINDS, clean_text
from ringkas.types import CleanedText, Removal

BODY = "Harga beras naik menjelang Lebaran."
BODY2 = "Pedagang di pasar mengeluhkan sepinya pembeli."

# (id, boilerplate line, kind): each line sits between two body paragraphs and must go.
BOILERPLATE_LINES: list[tuple[str, str, str]] = [
    # related-article links
    ("id-baca-juga", "Baca juga: Harga Gula Ikut Naik", "read_also"),
    ("id-baca-juga-caps", "BACA JUGA: Harga Gula Ikut Naik", "read_also"),
    ("id-baca-juga-caps-no-colon", "BACA JUGA Harga Gula Ikut Naik", "read_also"),
    ("id-baca-juga-bracketed", "[Baca juga: Harga Gula Ikut Naik]", "read_also"),
    ("id-baca-colon", "Baca: Harga Gula Ikut Naik", "read_also"),
    ("id-baca-selengkapnya", "Baca selengkapnya di sini", "read_also"),
    ("id-baca-berita-selengkapnya", "Baca berita selengkapnya: https://kompas.id/x", "read_also"),
    ("id-lihat-juga", "Lihat juga: Video Banjir Jakarta", "read_also"),
    ("id-simak-juga", "SIMAK JUGA: Timnas Menang Lagi", "read_also"),
    ("id-simak-berita-lainnya", "Simak berita lainnya di Google", "read_also"),
    ("id-simak-video", "Simak Video 'Harga Beras Naik Lagi'", "read_also"),
    ("id-simak-juga-video", "Simak juga video 'Banjir Rendam Jakarta':", "read_also"),
    ("id-saksikan-video", "Saksikan Video Pilihan Berikut Ini:", "read_also"),
    ("id-tonton-juga-video", "Tonton juga video berikut ini:", "read_also"),
    ("id-pilihan-editor", "Pilihan Editor: Harga Beras Naik Lagi", "read_also"),
    ("id-rekomendasi", "REKOMENDASI BERITA: Harga Gula Ikut Naik", "read_also"),
    ("en-watch", "WATCH: Floods sweep through Jakarta", "read_also"),
    ("id-berita-terkait", "Berita terkait: Harga Gula", "read_also"),
    ("ms-baca-juga", "Baca juga: Kerajaan umum bantuan baharu", "read_also"),
    ("ms-berita-berkaitan", "Berita berkaitan: Kerajaan umum bantuan baharu", "read_also"),
    ("en-read-more", "Read more: Rice prices climb", "read_also"),
    ("en-related-stories", "RELATED STORIES", "read_also"),
    ("ms-baca-artikel-asal", "Baca artikel asal di sini", "read_also"),
    # captions and photo credits
    ("id-foto-colon", "Foto: Warga antre beras di Jakarta (Dok. Pribadi/Andi)", "caption"),
    ("id-foto-caps", "FOTO: ANTARA/Hafidz Mubarak A", "caption"),
    ("id-dok-pribadi", "Warga antre beras di gudang Bulog. (Dok. Pribadi/Andi)", "caption"),
    ("id-foto-in-parens", "Tim Cook, CEO Apple (Foto: Reuters)", "caption"),
    (
        "id-kompas-credit",
        "Jokowi meninjau pasar, Senin (5/6/2023). (KOMPAS.com/RAHEL NARDA)",
        "caption",
    ),
    ("id-antara-dash", "Warga antre beras di Jakarta. - ANTARA/Sigid Kurniawan", "caption"),
    (
        "id-antara-foto",
        "Petugas memeriksa beras, Senin (5/6/2023). ANTARA FOTO/Aditya Pradana Putra/rwa.",
        "caption",
    ),
    ("id-antara-foto-alone", "ANTARA FOTO/Galih Pradipta/foc.", "caption"),
    ("id-ilustrasi-short", "Ilustrasi uang rupiah", "caption"),
    ("id-ilustrasi-colon", "Ilustrasi: Petani menanam padi di sawah yang kering", "caption"),
    ("id-ilustrasi-credit", "Ilustrasi banjir (Foto: Getty Images/iStockphoto)", "caption"),
    ("id-lihat-foto", "Lihat Foto", "caption"),
    ("ms-gambar-hiasan", "Gambar hiasan", "caption"),
    ("ms-foto-hiasan-credit", "Foto hiasan - BERNAMA", "caption"),
    ("id-kompas-credit-alone", "KOMPAS.com/ANDI HARTIK", "caption"),
    ("id-detik-credit-alone", "detikcom/Andhika Prasetia", "caption"),
    ("id-dok-caps-alone", "DOK. ISTIMEWA", "caption"),
    ("id-dok-humas-alone", "Dok. Humas Polri", "caption"),
    ("id-istimewa-alone", "Istimewa", "caption"),
    ("en-shutterstock-alone", "Shutterstock", "caption"),
    ("id-kredit-foto", "Kredit foto: Reuters", "caption"),
    ("en-reuters-credit", "Workers load rice at a port. REUTERS/Willy Kurniawan", "caption"),
    # bylines
    ("id-editor", "Editor: Sabrina Asril", "byline"),
    ("id-penulis-editor", "Penulis: Rahel Narda | Editor: Sabrina Asril", "byline"),
    ("id-pewarta", "Pewarta: Aditya Ramadhan", "byline"),
    ("id-reporter", "Reporter: Ferio Pristiawan", "byline"),
    ("id-laporan-wartawan", "Laporan Wartawan Tribunnews.com, Budi Santoso", "byline"),
    ("id-sumber-berita", "Sumber berita Phandroid.", "byline"),
    ("en-by", "By Stanley Widianto and Ananda Teresia", "byline"),
    ("id-diperbarui", "Terakhir diperbarui: 5 Maret 2024, 10:00 WIB", "byline"),
    ("ms-dikemas-kini", "Dikemas kini 12:30 PM", "byline"),
    ("ms-diterbitkan-pada", "Diterbitkan pada: Isnin, 5 Mac 2024", "byline"),
    ("en-updated", "Updated: March 5, 2024 | 10:00 am", "byline"),
    ("en-published", "Published 5 March 2024", "byline"),
    # share and scroll prompts
    ("id-bagikan", "Bagikan", "share_prompt"),
    ("id-bagikan-platforms", "Bagikan: Facebook Twitter WhatsApp", "share_prompt"),
    ("en-advertisement", "ADVERTISEMENT", "ad"),
    ("id-iklan", "Iklan", "ad"),
    ("en-scroll-resume", "SCROLL TO RESUME CONTENT", "share_prompt"),
    ("en-scroll-continue", "Scroll to continue with content", "share_prompt"),
    ("en-story-continues", "Story continues below advertisement", "share_prompt"),
    ("ms-kongsi", "Kongsi artikel ini", "share_prompt"),
    ("ms-kongsi-platforms", "Kongsi: Facebook Twitter WhatsApp", "share_prompt"),
    ("ms-teruskan-membaca", "Teruskan membaca", "share_prompt"),
    ("id-tampilkan-lebih-banyak", "Tampilkan lebih banyak", "share_prompt"),
    ("id-halaman-selanjutnya", "Halaman selanjutnya", "share_prompt"),
    ("id-halaman-numbers", "Halaman: 1 2 3", "share_prompt"),
    ("ms-laman-seterusnya", "Laman seterusnya »", "share_prompt"),
    ("en-next-page", "Next page", "share_prompt"),
    ("id-klik-di-sini", "Klik di sini untuk mendapatkan berita terkini.", "share_prompt"),
    # subscription banners
    (
        "id-telegram-banner",
        "Dapatkan update berita pilihan dan breaking news setiap hari dari Kompas.com. Mari "
        'bergabung di Grup Telegram "Kompas.com News Update", caranya klik link '
        "https://t.me/kompascomupdate, kemudian join.",
        "subscription",
    ),
    ("id-google-news", "Ikuti berita terkini dari CNN Indonesia di Google News", "subscription"),
    (
        "ms-sertai-telegram",
        "Sertai saluran Telegram Berita Harian untuk berita terkini.",
        "subscription",
    ),
    (
        "ms-untuk-berita-terkini",
        "Untuk berita terkini, sertai saluran WhatsApp kami.",
        "subscription",
    ),
    ("id-ikuti-instagram", "Ikuti kami di Instagram @beritaharian", "subscription"),
    ("en-follow-us", "Follow us on Twitter and Facebook.", "subscription"),
    ("en-sign-up", "Sign up for our newsletter to get the latest news.", "subscription"),
    ("en-get-latest", "Get the latest news on WhatsApp.", "subscription"),
    (
        "id-download-app",
        "Download aplikasi Kompas.com untuk akses berita lebih mudah dan cepat: "
        "Android: https://bit.ly/3g85pkA",
        "subscription",
    ),
    (
        "id-whatsapp-channel",
        "Simak breaking news dan berita pilihan kami langsung di ponselmu lewat WhatsApp Channel",
        "subscription",
    ),
    # reader-contribution disclaimers
    (
        "id-kiriman-pembaca",
        "Tulisan ini merupakan kiriman dari pembaca. Isi tulisan menjadi tanggung jawab pengirim.",
        "disclaimer",
    ),
    ("id-luar-tanggung-jawab", "Isi tulisan di luar tanggung jawab redaksi.", "disclaimer"),
    ("id-disclaimer-label", "Disclaimer: Artikel ini bukan ajakan membeli saham.", "disclaimer"),
    # footers
    ("en-reuters-footer", "Reporting by Stanley Widianto; Editing by Ed Davies", "footer"),
    ("en-reuters-footer-parens", "(Reporting by Ananda Teresia Editing by Ed Davies)", "footer"),
    ("en-editing-only", "Editing by Kanupriya Kapoor", "footer"),
    ("id-copyright", "COPYRIGHT © ANTARA 2023", "footer"),
    ("ms-bernama-signoff", "-- BERNAMA", "footer"),
    ("ms-laporan-tambahan", "Dengan laporan tambahan oleh Bernama", "footer"),
    ("ms-pertama-kali", "Artikel ini pertama kali diterbitkan di Harian Metro.", "footer"),
    ("en-afp-signoff", "--AFP", "footer"),
    (
        "id-tayang-di",
        "Artikel ini telah tayang di Tribunnews.com dengan judul Harga Naik",
        "footer",
    ),
    # embeds and editor codes on their own line
    ("id-gambas", "[Gambas:Video CNN]", "embed"),
    ("id-editor-initials-line", "(rfs/jbr)", "editor_initials"),
    ("id-antara-code-line", "(T.K010/R010)", "editor_initials"),
]


@pytest.mark.parametrize(
    ("line", "kind"), [c[1:] for c in BOILERPLATE_LINES], ids=[c[0] for c in BOILERPLATE_LINES]
)
def test_boilerplate_line_is_removed_and_reported(line: str, kind: str) -> None:
    result = clean_text(f"{BODY}\n\n{line}\n\n{BODY2}")
    assert result.text == f"{BODY}\n\n{BODY2}"
    assert result.removed == (Removal(kind, line),)


# (id, text, expected text, expected removals): boilerplate inside or at the end of a paragraph.
INLINE_CASES: list[tuple[str, str, str, list[Removal]]] = [
    (
        "id-baca-in-parentheses",
        "Harga naik (Baca: Harga Gula Ikut Naik). Warga mengeluh.",
        "Harga naik. Warga mengeluh.",
        [Removal("read_also", "(Baca: Harga Gula Ikut Naik)")],
    ),
    (
        "id-baca-juga-mid-paragraph",
        "Harga naik [Baca juga: Gula Naik] sejak Senin.",
        "Harga naik sejak Senin.",
        [Removal("read_also", "[Baca juga: Gula Naik]")],
    ),
    (
        "en-advertisement-inline",
        "Prices rose ADVERTISEMENT SCROLL TO RESUME CONTENT on Monday.",
        "Prices rose on Monday.",
        [
            Removal("ad", "ADVERTISEMENT"),
            Removal("share_prompt", "SCROLL TO RESUME CONTENT"),
        ],
    ),
    (
        "id-detik-initials-end",
        f"{BODY} Pedagang rugi. (rfs/jbr)",
        f"{BODY} Pedagang rugi.",
        [Removal("editor_initials", "(rfs/jbr)")],
    ),
    (
        "id-single-initials-end",
        f"{BODY}\n\n{BODY2} (has)",
        f"{BODY}\n\n{BODY2}",
        [Removal("editor_initials", "(has)")],
    ),
    (
        "id-antara-reporter-code-end",
        f"{BODY} Sopir melarikan diri. (Yendhi / win)",
        f"{BODY} Sopir melarikan diri.",
        [Removal("editor_initials", "(Yendhi / win)")],
    ),
    (
        "en-wire-credit-end-of-paragraph",
        "The bank held rates. (Reporting by Stanley Widianto; Editing by Ed Davies)",
        "The bank held rates.",
        [Removal("footer", "(Reporting by Stanley Widianto; Editing by Ed Davies)")],
    ),
    (
        "id-credit-on-long-paragraph-strips-credit-only",
        " ".join(["Warga"] * 70) + " berkumpul. (Foto: Dok. Pribadi)",
        " ".join(["Warga"] * 70) + " berkumpul.",
        [Removal("caption", "(Foto: Dok. Pribadi)")],
    ),
]


@pytest.mark.parametrize(
    ("text", "expected", "removed"), [c[1:] for c in INLINE_CASES], ids=[c[0] for c in INLINE_CASES]
)
def test_inline_boilerplate(text: str, expected: str, removed: list[Removal]) -> None:
    result = clean_text(text)
    assert result.text == expected
    assert list(result.removed) == removed


# (id, body text): ordinary sentences that mention a boilerplate word; nothing may be removed.
FALSE_POSITIVE_TRAPS: list[tuple[str, str]] = [
    ("id-foto-mid-sentence", "Polisi menunjukkan foto pelaku kepada wartawan di Jakarta."),
    ("id-foto-starts-sentence", "Foto yang diunggah warga menunjukkan antrean panjang di SPBU."),
    ("id-editor-mid-sentence", "Seorang editor senior mengatakan laporan itu akurat."),
    ("id-editor-starts-sentence", "Editor senior itu membaca laporan tersebut dengan teliti."),
    ("id-baca-mid-sentence", "Anak-anak diajak membaca buku di perpustakaan desa."),
    ("id-baca-juga-no-colon", "Baca juga buku sejarah agar paham, kata dia."),
    ("id-lihat-juga-body", "Lihat juga bagaimana warga bergotong royong membersihkan sungai."),
    ("id-ilustrasi-body", "Ilustrasi tersebut menunjukkan kenaikan harga beras."),
    ("id-bagikan-body", "Pemerintah akan bagikan bantuan kepada warga miskin pekan depan."),
    ("id-bagikan-starts-sentence", "Bagikan bantuan itu secara merata, kata Gubernur."),
    ("id-reporter-body", "Reporter televisi itu dilarang masuk ke ruang sidang."),
    ("id-penulis-body", "Penulis novel itu meraih penghargaan sastra tahun ini."),
    (
        "id-ikuti-whatsapp-body",
        "Ikuti perkembangan kasus ini, kata polisi yang memantau grup WhatsApp pelaku.",
    ),
    ("id-tanggung-jawab-body", "Tulisan ini menjelaskan tanggung jawab pemerintah daerah."),
    ("id-sumber-body", "Sumber pemerintah mengatakan penyidik masih bekerja di lokasi."),
    ("id-dok-mid-sentence", "Dokumen itu (dokumentasi lama) disimpan di arsip negara sejak 1990."),
    ("id-parenthetical-word-end", "Harga cabai kembali naik (lagi)"),
    ("id-parenthetical-mid", "Ia datang (lagi) ke kantor polisi pada Senin."),
    ("id-date-in-parentheses", "Ia diperiksa di Polda Metro Jaya, Senin (5/6/2023)."),
    ("id-dash-apposition", "Presiden Joko Widodo - yang akrab disapa Jokowi - hadir."),
    ("id-names-dash", "Menteri Keuangan, Sri Mulyani - Indonesia tetap tumbuh, katanya."),
    ("id-city-pair", "Jakarta-Bandung kini ditempuh dalam dua jam."),
    ("ms-body", "Menurut menteri, foto itu diambil oleh editor akhbar tempatan."),
    ("en-reporting-by-body", "Reporting by the BBC showed that ministers had misled parliament."),
    ("en-share-body", "Share prices fell sharply on Monday in Jakarta."),
    ("en-advertisement-lowercase", "The advertisement was banned by regulators."),
    ("id-rekomendasi-list-body", "Rekomendasi: pemerintah perlu menambah stok beras di pasar."),
    ("en-follow-up-body", "Follow-up reports on Facebook's role in the news industry are due."),
    ("en-get-together-body", "Get-togethers announced on WhatsApp drew thousands, police said."),
    ("id-ikuti-arahan-body", "Ikuti arahan petugas, kata polisi di unggahan Instagram resmi kami."),
    (
        "ms-sertai-program-body",
        "Sertai program itu, kata menteri dalam siaran langsung Facebook untuk maklumat lanjut.",
    ),
    ("id-diterbitkan-body", "Diterbitkan pada 2019, buku itu laris di pasaran."),
    ("en-updated-body", "Updated figures on March 5 showed inflation easing."),
    ("en-published-body", "Published research shows rice yields fell 5 percent."),
    ("id-ikuti-instagram-body", "Ikuti akun Instagram itu, kata polisi kepada wartawan."),
    ("en-follow-body", "Follow-up talks on Twitter's sale are planned for Monday."),
    ("ms-hiasan-body", "Gambar hiasan dinding itu dijual dengan harga tinggi di pasar."),
    ("id-untuk-body", "Untuk berita terkini soal banjir, warga memantau radio lokal."),
    ("id-slash-body", "Ia tiba pukul 14.00/15.00 WIB bersama rombongan menteri."),
    ("id-dokumentasi-body", "Dokumentasi acara itu tersedia di situs resmi pemerintah."),
    ("id-dok-body-short", "Dokumen itu palsu."),
    ("id-istimewa-body", "Istimewa sekali acara itu."),
    ("id-video-body", "Video amatir warga menunjukkan air setinggi dada di Kampung Melayu."),
    ("id-saksikan-body", "Ribuan warga menyaksikan video itu di media sosial sejak Senin."),
    ("id-halaman-body", "Halaman sekolah itu terendam air setinggi lutut."),
    ("id-aplikasi-body", "Warga diminta mengunduh aplikasi SatuSehat untuk mendaftar vaksin."),
    ("id-klik-body", "Pengguna cukup mengeklik tautan itu, lalu datanya dicuri."),
    ("en-watch-body", "Watch manufacturers reported higher sales in Asia."),
    ("id-rekomendasi-body", "Rekomendasi itu disampaikan Ombudsman kepada Kementerian Sosial."),
]


@pytest.mark.parametrize(
    "text", [c[1] for c in FALSE_POSITIVE_TRAPS], ids=[c[0] for c in FALSE_POSITIVE_TRAPS]
)
def test_body_text_is_kept(text: str) -> None:
    result = clean_text(f"{BODY}\n\n{text}")
    assert result == CleanedText(f"{BODY}\n\n{text}", None, ())


# (id, text, dateline, removed dateline text, body)
DATELINES: list[tuple[str, str, str, str, str]] = [
    (
        "en-colon-with-date",
        "KUCHING (Dec 14): Sarawak will build three new water treatment plants by 2026.",
        "KUCHING (Dec 14)",
        "KUCHING (Dec 14):",
        "Sarawak will build three new water treatment plants by 2026.",
    ),
    (
        "id-antara-date-source",
        "Makassar, 7/12 (ANTARA) - Gelombang tinggi berpotensi terjadi.",
        "Makassar, 7/12 (ANTARA)",
        "Makassar, 7/12 (ANTARA) -",
        "Gelombang tinggi berpotensi terjadi.",
    ),
    (
        "id-kompas",
        "JAKARTA, KOMPAS.com - Harga naik.",
        "JAKARTA, KOMPAS.com",
        "JAKARTA, KOMPAS.com -",
        "Harga naik.",
    ),
    (
        "id-cnn-indonesia",
        "Jakarta, CNN Indonesia -- Harga naik.",
        "Jakarta, CNN Indonesia",
        "Jakarta, CNN Indonesia --",
        "Harga naik.",
    ),
    (
        "ms-bernama",
        "KUALA LUMPUR, 5 Mac (Bernama) -- Kerajaan setuju.",
        "KUALA LUMPUR, 5 Mac (Bernama)",
        "KUALA LUMPUR, 5 Mac (Bernama) --",
        "Kerajaan setuju.",
    ),
    (
        "ms-colon",
        "KUALA LUMPUR: Kerajaan bersetuju menaikkan gaji minimum kepada RM1,700 mulai bulan depan.",
        "KUALA LUMPUR",
        "KUALA LUMPUR:",
        "Kerajaan bersetuju menaikkan gaji minimum kepada RM1,700 mulai bulan depan.",
    ),
    (
        "ms-colon-one-word",
        "PUTRAJAYA: \u201cKami akan memantau harga barang keperluan,\u201d kata menteri itu.",
        "PUTRAJAYA",
        "PUTRAJAYA:",
        "\u201cKami akan memantau harga barang keperluan,\u201d kata menteri itu.",
    ),
    (
        "en-reuters",
        "JAKARTA (Reuters) - Rates held.",
        "JAKARTA (Reuters)",
        "JAKARTA (Reuters) -",
        "Rates held.",
    ),
    (
        "en-reuters-date",
        "LONDON, March 5 (Reuters) - Rates held.",
        "LONDON, March 5 (Reuters)",
        "LONDON, March 5 (Reuters) -",
        "Rates held.",
    ),
    (
        "id-antara",
        "Jakarta (ANTARA) - Harga naik.",
        "Jakarta (ANTARA)",
        "Jakarta (ANTARA) -",
        "Harga naik.",
    ),
    ("id-detik-place-only", "Jakarta - Harga naik.", "Jakarta", "Jakarta -", "Harga naik."),
    (
        "id-tempo",
        "TEMPO.CO, Jakarta - Harga naik.",
        "TEMPO.CO, Jakarta",
        "TEMPO.CO, Jakarta -",
        "Harga naik.",
    ),
    (
        "en-ap-em-dash",
        "WASHINGTON (AP) — Rates held.",
        "WASHINGTON (AP)",
        "WASHINGTON (AP) —",
        "Rates held.",
    ),
    (
        "id-dateline-after-boilerplate",
        "Baca juga: Gula Naik\n\nJAKARTA, KOMPAS.com - Harga naik.",
        "JAKARTA, KOMPAS.com",
        "JAKARTA, KOMPAS.com -",
        "Harga naik.",
    ),
]


@pytest.mark.parametrize(
    ("text", "dateline", "removed_text", "body"),
    [c[1:] for c in DATELINES],
    ids=[c[0] for c in DATELINES],
)
def test_dateline_is_separated(text: str, dateline: str, removed_text: str, body: str) -> None:
    result = clean_text(text)
    assert result.dateline == dateline
    assert result.text == body
    assert Removal("dateline", removed_text) in result.removed


@pytest.mark.parametrize(
    "text",
    [
        "PENTING: Warga diminta menjauhi bantaran sungai selama hujan deras turun.",
        "UPDATE: Jumlah korban banjir bertambah menjadi 12 orang pada Senin malam.",
        "BMKG: Hujan lebat turun besok.",  # a headline, not a lead
        "KPK: Tersangka akan diperiksa pekan depan di gedung Merah Putih.",  # too short a name
        "Kuala Lumpur: Kerajaan bersetuju menaikkan gaji minimum mulai bulan depan.",
    ],
)
def test_a_label_with_a_colon_is_not_a_dateline(text: str) -> None:
    assert clean_text(text) == CleanedText(text, None, ())


def test_only_the_first_paragraph_has_a_dateline() -> None:
    result = clean_text("Harga naik.\n\nJAKARTA, KOMPAS.com - Ini bukan dateline.")
    assert result.dateline is None
    assert result.text == "Harga naik.\n\nJAKARTA, KOMPAS.com - Ini bukan dateline."


# --- HTML --------------------------------------------------------------------------------------


def test_html_blocks_become_paragraphs_and_scripts_are_dropped() -> None:
    html = (
        "<html><head><title>Judul</title><style>p{color:red}</style></head><body>"
        "<p>Jakarta - Presiden &quot;Jokowi&quot; hadir &amp; berpidato.</p>"
        "<script>var x = 1;</script>"
        "<figure><img src='a.jpg'><figcaption>Jokowi di istana</figcaption></figure>"
        "<div>Dia berkata.<br>Baris\nbaru   di sini.</div>"
        "<ul><li>Satu</li><li>Dua</li></ul>"
        "</body></html>"
    )
    result = clean_text(html)
    assert result.text == (
        'Presiden "Jokowi" hadir & berpidato.\n\nDia berkata.\n\nBaris baru di sini.\n\nSatu\n\nDua'
    )
    assert result.dateline == "Jakarta"
    assert result.removed == (
        Removal("html", "Judul"),
        Removal("html", "p{color:red}"),
        Removal("html", "var x = 1;"),
        Removal("caption", "Jokowi di istana"),
        Removal("dateline", "Jakarta -"),
    )


def test_html_inline_elements_do_not_split_words() -> None:
    assert clean_text("<p>Har<b>ga</b> <a href='#'>naik</a>.</p>").text == "Harga naik."


def test_html_boilerplate_inside_blocks_is_removed() -> None:
    result = clean_text("<p>Harga naik.</p><p>Baca juga: Gula naik</p><p>Editor: Andi</p>")
    assert result.text == "Harga naik."
    assert [r.kind for r in result.removed] == ["read_also", "byline"]


@pytest.mark.parametrize(
    ("text", "html", "expected"),
    [
        ("a <b>tebal</b> c", None, "a tebal c"),
        ("a <b>tebal</b> c", False, "a <b>tebal</b> c"),
        ("Satu\nDua", True, "Satu Dua"),
        ("Satu\nDua", None, "Satu\n\nDua"),
        ("Harga 5 < 6 dan 7 > 3.", None, "Harga 5 < 6 dan 7 > 3."),
        ("AT&amp;T &#233; &eacute;", None, "AT&T é é"),
        ("AT&amp;T", False, "AT&amp;T"),
        ("S&P naik; R&D &notanentity", None, "S&P naik; R&D &notanentity"),
    ],
    ids=[
        "auto-detects-tags",
        "html-false-keeps-tags",
        "html-true-newline-is-space",
        "plain-newline-is-paragraph",
        "comparison-signs-are-not-html",
        "auto-unescapes-stray-entities",
        "html-false-keeps-entities",
        "bare-ampersands-untouched",
    ],
)
def test_html_modes(text: str, html: bool | None, expected: str) -> None:
    assert clean_text(text, html=html).text == expected


# --- whitespace and unicode ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Cafe\u0301 buka.", "Café buka."),
        ("Harga\u00a0naik\t\tlagi.", "Harga naik lagi."),
        ("Satu.\r\nDua.\rTiga.", "Satu.\n\nDua.\n\nTiga."),
        ("Satu.\n\n\n\n   \nDua.", "Satu.\n\nDua."),
        ("Satu.\u2028Dua.\u2029Tiga.", "Satu.\n\nDua.\n\nTiga."),
        ("  \n Harga   naik. \n ", "Harga naik."),
        ("Har\u200bga na\u00adik.\ufeff", "Harga naik."),
        ("", ""),
        (" \n\t ", ""),
    ],
    ids=[
        "nfc",
        "nbsp-and-tabs",
        "crlf-and-cr",
        "blank-lines-collapse",
        "unicode-separators",
        "trim",
        "zero-width-and-soft-hyphen",
        "empty",
        "whitespace-only",
    ],
)
def test_whitespace_normalisation(text: str, expected: str) -> None:
    result = clean_text(text)
    assert result.text == expected
    assert result.removed == ()


def test_non_str_raises_input_error() -> None:
    with pytest.raises(InputError, match="must be a str"):
        clean_text(None)  # type: ignore[arg-type]


def test_full_article() -> None:
    article = """JAKARTA, KOMPAS.com - Presiden Joko Widodo meresmikan tol baru, Senin (5/6/2023).

Baca juga: Jokowi Resmikan Tol Cisumdawu

Presiden Joko Widodo saat meresmikan jalan tol. (KOMPAS.com/RAHEL NARDA)

Menurut Jokowi, tol tersebut akan memangkas waktu tempuh.

ADVERTISEMENT

SCROLL TO RESUME CONTENT

"Ini penting bagi ekonomi," kata dia. (rfs/jbr)

Penulis: Rahel Narda | Editor: Sabrina Asril"""
    result = clean_text(article)
    assert result.text == (
        "Presiden Joko Widodo meresmikan tol baru, Senin (5/6/2023).\n\n"
        "Menurut Jokowi, tol tersebut akan memangkas waktu tempuh.\n\n"
        '"Ini penting bagi ekonomi," kata dia.'
    )
    assert result.dateline == "JAKARTA, KOMPAS.com"
    assert [r.kind for r in result.removed] == [
        "dateline",
        "read_also",
        "caption",
        "ad",
        "share_prompt",
        "byline",
        "editor_initials",
    ]


# --- properties ---------------------------------------------------------------------------------

LINES = [
    "Harga naik.",
    "Baca juga: X",
    "JAKARTA, KOMPAS.com - Y.",
    "(rfs/jbr)",
    "Foto: Z",
    "<p>a</p>",
    "&amp;",
    "e\u0301",
    "ADVERTISEMENT",
    "Editor: A",
    "🙂",
    "(Foto: B)",
    "",
]
SEPARATORS = ["\n", "\n\n", "\r\n", " ", "\t", "\u2028", "\u00a0", "\x0b"]
article_text = st.lists(
    st.tuples(st.sampled_from(LINES), st.sampled_from(SEPARATORS)), max_size=20
).map(lambda parts: "".join(line + sep for line, sep in parts))


@settings(max_examples=150, deadline=None)
@given(st.one_of(article_text, st.text(max_size=200)), st.sampled_from([None, True, False]))
def test_cleaned_text_is_normalised(text: str, html: bool | None) -> None:
    result = clean_text(text, html=html)
    out = result.text
    assert out == out.strip()
    assert unicodedata.is_normalized("NFC", out)
    for paragraph in out.split("\n\n") if out else []:
        assert paragraph
        assert paragraph == paragraph.strip()
        assert "  " not in paragraph
        assert paragraph.splitlines() == [paragraph]
        assert "\t" not in paragraph
    assert "\n\n\n" not in out
    for removal in result.removed:
        assert removal.kind in REMOVAL_KINDS
        assert removal.text
    assert (result.dateline is None) == all(r.kind != "dateline" for r in result.removed)
