"""extract_article: a scraped page to headline, byline, date, dateline and body.

Table-driven on our own annotated pages (tests/data/pages, invented outlets in id/ms/en/jv/su),
then the acceptance figures on the shared development set and the seed page, then the pipeline
and the CLI using the structure.
"""

from __future__ import annotations

import importlib.util
import json
import logging
import sys
from pathlib import Path
from types import ModuleType

import pytest

from ringkas import (
    ConfigError,
    ExtractedArticle,
    InputError,
    Removal,
    Ringkas,
    clean_text,
    extract_article,
)
from ringkas.config import EngineOptions
from ringkas.testing import ID_EN_PAIRS, SUMMARY_PAIRS
from ringkas.text import REMOVAL_KINDS

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT / "tests" / "data" / "pages"
OWN_PAGES = sorted(PAGES.glob("*.page"))


def _bench() -> ModuleType:
    path = ROOT / "benchmarks" / "bench_extract.py"
    spec = importlib.util.spec_from_file_location("_bench_extract", path)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


BENCH = _bench()


def _ws(text: str) -> str:
    return " ".join(text.split())


# -- our own pages, one by one ----------------------------------------------------------------


@pytest.mark.parametrize("lang_given", [True, False], ids=["lang", "no-lang"])
@pytest.mark.parametrize("path", OWN_PAGES, ids=[p.stem for p in OWN_PAGES])
def test_own_page_comes_out_exactly(path: Path, lang_given: bool) -> None:
    page, exp = BENCH.load_page(path)
    got = extract_article(page, lang=exp["language"] if lang_given else None)
    assert got.format == "text"
    assert got.title == exp["title"]
    assert got.byline == exp["byline"]
    assert got.published == exp["published"]
    assert got.dateline == exp["dateline"]
    assert list(got.paragraphs) == exp["body"]
    assert got.text == "\n\n".join(exp["body"])
    # Every boilerplate line is accounted for in ``removed``, in page order.
    removed = [_ws(r.text) for r in got.removed if r.kind not in ("dateline", "editor_initials")]
    assert removed == [_ws(line) for line in exp["boilerplate_lines"] if line != exp["title"]] or (
        [r for r in removed if r != exp["title"]]
        == [_ws(line) for line in exp["boilerplate_lines"]]
    )
    assert all(r.kind in REMOVAL_KINDS for r in got.removed)


@pytest.mark.parametrize(
    "path", [p for p in OWN_PAGES if p.with_suffix(".html").exists()], ids=lambda p: p.stem
)
@pytest.mark.parametrize("extractor", [True, False], ids=["trafilatura", "basic"])
def test_own_html_page_comes_out_exactly(path: Path, extractor: bool) -> None:
    from ringkas.extract import _extract_html

    if extractor:
        pytest.importorskip("trafilatura")  # the ringkas[html] extra
    _, exp = BENCH.load_page(path)
    got = _extract_html(
        path.with_suffix(".html").read_text(encoding="utf-8"), None, extractor=extractor
    )
    assert got.format == ("html" if extractor else "html-basic")
    assert (got.title, got.byline, got.published, got.dateline) == (
        exp["title"],
        exp["byline"],
        exp["published"],
        exp["dateline"],
    )
    assert list(got.paragraphs) == exp["body"]
    assert got.published_iso == "2023-12-06T14:05"
    assert any("Warga melihat tebing yang retak" in c for c in got.captions)


def test_a_paragraph_trafilatura_leaves_out_between_two_it_keeps_is_put_back() -> None:
    trafilatura = pytest.importorskip("trafilatura")  # the ringkas[html] extra

    html_page = (PAGES / "a_id_kabarsiang.html").read_text(encoding="utf-8")
    quote = "<p>&quot;Kalau hujan deras, kami langsung siaga.&quot;</p>"
    wrapped = (
        '<div class="quote"><span>&quot;Kalau hujan deras, kami langsung siaga.&quot;</span></div>'
    )
    html_page = html_page.replace(quote, wrapped)
    doc = trafilatura.bare_extraction(html_page, with_metadata=True, deduplicate=False)
    assert doc is not None
    assert "Kalau hujan deras" not in doc.text  # the extractor alone drops it
    _, exp = BENCH.load_page(PAGES / "a_id_kabarsiang.page")
    got = extract_article(html_page)
    assert got.format == "html"
    assert list(got.paragraphs) == exp["body"]


def test_own_pages_figures() -> None:
    figures = BENCH.evaluate(BENCH.collect([PAGES]))
    assert figures["pages"] == len(OWN_PAGES) >= 7
    assert figures["boilerplate_removed"] == 1.0
    assert figures["phrases_kept"] == 1.0
    assert figures["title_exact"] == figures["byline_exact"] == figures["dateline_exact"] == 1.0


# -- structure decisions, small cases ---------------------------------------------------------

BODY = (
    "Pemerintah kota membuka pendaftaran bus sekolah gratis mulai Senin pagi. "
    "Layanan ini untuk siswa yang tinggal jauh dari sekolah."
)
BODY2 = '"Kami tambah rutenya supaya semua bisa ikut," kata kepala dinas kepada wartawan.'


def _page(*lines: str) -> str:
    return "\n\n".join(lines)


def test_plain_text_is_not_taken_for_a_page() -> None:
    """No headline and no page furniture around the body: only the line rules apply."""
    got = extract_article(_page(BODY, "Harga cabai kembali naik (lagi)", BODY2))
    assert got.title is None
    assert got.paragraphs == (BODY, "Harga cabai kembali naik (lagi)", BODY2)
    assert got.removed == ()


def test_headline_byline_and_date_are_split_off() -> None:
    page = _page(
        "KabarKota",
        "Beranda | Nasional | Daerah | Ekonomi | Olahraga",
        "Bus Sekolah Gratis Dibuka untuk Siswa Pinggiran",
        "Oleh Budi Santoso",
        "Senin, 4 Desember 2023 10:00 WIB",
        f"JAKARTA, KABARKOTA - {BODY}",
        "Baca juga: Tarif Parkir Naik Mulai Januari",
        BODY2,
        "Tag: bus sekolah | pendidikan",
        "© 2023 KabarKota",
    )
    got = extract_article(page)
    assert got.title == "Bus Sekolah Gratis Dibuka untuk Siswa Pinggiran"
    assert got.byline == "Oleh Budi Santoso"
    assert got.published == "Senin, 4 Desember 2023 10:00 WIB"
    assert got.published_iso == "2023-12-04T10:00"
    assert got.dateline == "JAKARTA, KABARKOTA -"
    assert got.paragraphs == (BODY, BODY2)
    kinds = {r.text: r.kind for r in got.removed}
    assert kinds["Bus Sekolah Gratis Dibuka untuk Siswa Pinggiran"] == "title"
    assert kinds["Baca juga: Tarif Parkir Naik Mulai Januari"] == "read_also"
    assert kinds["Beranda | Nasional | Daerah | Ekonomi | Olahraga"] == "navigation"
    assert kinds["Tag: bus sekolah | pendidikan"] == "tags"
    assert kinds["© 2023 KabarKota"] == "footer"


def test_related_headlines_after_the_body_go_and_a_quote_between_paragraphs_stays() -> None:
    page = _page(
        "Judul Berita Tentang Bus Sekolah Gratis di Kota",
        "Senin, 4 Desember 2023",
        BODY,
        '"Kami siap."',
        BODY2,
        "Berita Terkait",
        "Warga Keluhkan Lampu Jalan Padam, Pemkot Janji Perbaiki",
        "Harga cabai rawit di pasar turun drastis, pedagang merugi.",
        "Komentar",
    )
    got = extract_article(page)
    assert got.paragraphs == (BODY, '"Kami siap."', BODY2)
    assert [r.kind for r in got.removed][-3:] == ["related", "related", "share_prompt"]


def test_a_question_headline_next_to_the_body_and_a_full_stop_dateline() -> None:
    body = "Indonesia will build three new power plants in Sulawesi by 2026, officials said."
    page = _page(
        "Jakarta Globe",
        "News | Business | Opinion | Sport",
        "Can Indonesia Build Three Power Plants in Sulawesi by 2026?",
        "Jakarta Globe",
        f"Jakarta. {body}",
        "The plants will add 900 megawatts of capacity to the grid, the ministry said.",
        "Tags: energy",
    )
    got = extract_article(page)
    assert got.title == "Can Indonesia Build Three Power Plants in Sulawesi by 2026?"
    assert got.dateline == "Jakarta."
    assert got.byline is None  # the outlet's name under the headline is no person
    assert got.paragraphs[0] == body


def test_comments_right_under_the_body_are_not_body() -> None:
    comment = "Semoga pemerintah cepat turun tangan, kasihan petani kita sudah modal banyak."
    page = _page(
        "Judul Berita Tentang Bus Sekolah Gratis di Kota",
        "Senin, 4 Desember 2023",
        BODY,
        BODY2,
        "Komentar (2)",
        comment,
        "Balas",
        "Gudang harus transparan soal grade, tiap tahun masalahnya sama saja.",
        "Balas",
    )
    got = extract_article(page)
    assert got.paragraphs == (BODY, BODY2)
    assert [r.kind for r in got.removed][2:] == ["comment"] * 5


def test_a_list_and_a_read_also_block_inside_the_body_do_not_cut_it() -> None:
    """Unpunctuated list items and a short related block between paragraphs: body continues."""
    body3 = "Wali kota meminta warga mendaftar lebih awal agar kebagian kursi di bus sekolah."
    page = _page(
        "Judul Berita Tentang Bus Sekolah Gratis di Kota",
        "Senin, 4 Desember 2023",
        BODY,
        "Berikut daftarnya:",
        "1. Kecamatan Rungkut",
        "2. Kecamatan Benowo",
        "- Kecamatan Pakal",
        BODY2,
        "Related stories:",
        "Harga Cabai Naik Lagi Jelang Natal",
        body3,
        "Tag: bus sekolah | Surabaya",
    )
    got = extract_article(page)
    assert got.paragraphs == (
        BODY,
        "Berikut daftarnya:",
        "1. Kecamatan Rungkut",
        "2. Kecamatan Benowo",
        "- Kecamatan Pakal",
        BODY2,
        body3,
    )
    assert [(r.kind, r.text) for r in got.removed][2:4] == [
        ("read_also", "Related stories:"),
        ("related", "Harga Cabai Naik Lagi Jelang Natal"),
    ]


@pytest.mark.parametrize(
    "line",
    [
        "Waca uga: Regane lombok ing pasar mundhak maneh.",
        "Read also: Rupiah weakens as the dollar firms.",
        "Baca ogé: Harga béas naék deui di pasar.",
    ],
)
def test_read_also_lines_in_jv_en_su_go_even_with_a_full_stop(line: str) -> None:
    got = extract_article(
        _page(
            "Judul Berita Tentang Bus Sekolah Gratis", "Senin, 4 Desember 2023", BODY, line, BODY2
        )
    )
    assert got.paragraphs == (BODY, BODY2)
    assert Removal("read_also", line) in got.removed


@pytest.mark.parametrize(
    ("line", "byline", "published"),
    [
        (
            "Rabu, 6 Des 2023 14:05 WIB | Reporter: Budi Santoso | Editor: Ani Lestari",
            "Reporter: Budi Santoso | Editor: Ani Lestari",
            "Rabu, 6 Des 2023 14:05 WIB",
        ),
        ("Rabu, 6 Des 2023 · Oleh Budi Santoso", "Oleh Budi Santoso", "Rabu, 6 Des 2023"),
        (
            "Oleh Dinda Permatasari pada 14 Des 2023, 10:20 WIB",
            "Oleh Dinda Permatasari",
            "14 Des 2023, 10:20 WIB",
        ),
    ],
)
def test_byline_and_date_on_one_line(line: str, byline: str, published: str) -> None:
    got = extract_article(_page("Judul Berita Tentang Bus Sekolah Gratis", line, BODY, BODY2))
    assert (got.byline, got.published) == (byline, published)
    assert got.removed[1] == Removal("byline", line)


@pytest.mark.parametrize(
    ("stamp", "printed", "iso"),
    [
        (
            "Kamis, 14 Desember 2023 09:25 WIB",
            "Kamis, 14 Desember 2023 09:25 WIB",
            "2023-12-14T09:25",
        ),
        ("Disiarkan pada: Mac 5, 2024 @ 6:41pm", "Mac 5, 2024 @ 6:41pm", "2024-03-05T18:41"),
        ("05/03/2024 11:42 AM", "05/03/2024 11:42 AM", "2024-03-05T11:42"),
        ("Pelitakabar.com - 07/12/2023, 10:15 WIB", "07/12/2023, 10:15 WIB", "2023-12-07T10:15"),
        ("Jakarta ● Thu, December 14, 2023", "Thu, December 14, 2023", "2023-12-14"),
        ("Salasa, 12 Désémber 2023", "Salasa, 12 Désémber 2023", "2023-12-12"),
        (
            "Setu Wage, 9 Desember 2023 | 14.20 WIB",
            "Setu Wage, 9 Desember 2023 | 14.20 WIB",
            "2023-12-09T14:20",
        ),
        ("Khamis, 7 Ogos 2023", "Khamis, 7 Ogos 2023", "2023-08-07"),
        ("Rabu, 06/12/23 14:05 WIB", "Rabu, 06/12/23 14:05 WIB", "2023-12-06T14:05"),
        ("December 7th, 2023", "December 7th, 2023", "2023-12-07"),
        ("2023-12-06 14:05", "2023-12-06 14:05", "2023-12-06T14:05"),
    ],
)
def test_published_as_printed_and_parsed(stamp: str, printed: str, iso: str) -> None:
    got = extract_article(_page("Judul Berita Tentang Bus Sekolah Gratis", stamp, BODY, BODY2))
    assert (got.published, got.published_iso) == (printed, iso)


def test_format_and_input_errors() -> None:
    with pytest.raises(ConfigError, match="format must be one of"):
        extract_article("x", format="pdf")
    with pytest.raises(InputError, match="must be a str"):
        extract_article(b"x")  # type: ignore[arg-type]


def test_to_dict_is_json() -> None:
    got = extract_article(_page("Judul Berita Tentang Bus Sekolah Gratis", BODY, BODY2))
    data = json.loads(json.dumps(got.to_dict()))
    assert data["title"] == "Judul Berita Tentang Bus Sekolah Gratis"
    assert data["paragraphs"] == [BODY, BODY2]
    assert data["removed"] == [{"kind": "title", "text": "Judul Berita Tentang Bus Sekolah Gratis"}]
    assert isinstance(got, ExtractedArticle)


def test_html_without_trafilatura_says_so(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    html_page = (PAGES / "a_id_kabarsiang.html").read_text(encoding="utf-8")
    monkeypatch.setitem(sys.modules, "trafilatura", None)  # import trafilatura -> ImportError
    with caplog.at_level(logging.WARNING, logger="ringkas.extract"):
        got = extract_article(html_page)
    assert got.format == "html-basic"
    assert "install ringkas[html]" in caplog.text
    assert got.removed[0] == Removal("html", "trafilatura not installed: basic HTML extraction")
    _, exp = BENCH.load_page(PAGES / "a_id_kabarsiang.page")
    assert list(got.paragraphs) == exp["body"]


def test_clean_text_carries_the_structure() -> None:
    page, exp = BENCH.load_page(PAGES / "a_id_kabarsiang.page")
    cleaned = clean_text(page)
    assert cleaned.text == "\n\n".join(exp["body"])
    assert (cleaned.title, cleaned.byline, cleaned.published) == (
        exp["title"],
        exp["byline"],
        exp["published"],
    )
    assert cleaned.dateline == "BOGOR"  # CleanedText keeps the place and source only


# -- acceptance figures on the shared development set and the seed page -----------------------


def test_seed_page_comes_out_exactly(shared_data: Path) -> None:
    folder = shared_data / "seed-page"
    exp = json.loads((folder / "yoursay_page.expected.json").read_text(encoding="utf-8"))
    got = extract_article((folder / "yoursay_page.txt").read_text(encoding="utf-8"))
    assert got.title == exp["title"]
    assert got.byline == exp["byline"]
    assert list(got.paragraphs) == exp["body"]
    assert len(got.paragraphs) == 14
    assert list(got.captions) == exp["captions"]
    assert got.published is None
    assert got.dateline is None


def test_pages_dev_text_figures(shared_data: Path) -> None:
    figures = BENCH.evaluate(BENCH.collect([shared_data / "pages-dev"]))
    assert figures["pages"] == 14
    assert figures["boilerplate_removed"] >= 0.95
    assert figures["phrases_kept"] == 1.0
    assert figures["title_exact"] >= 0.90
    assert figures["dateline_exact"] >= 0.90
    assert figures["byline_exact"] >= 0.80
    assert figures["sentence_splits"] >= 0.97


def test_pages_dev_html_figures(shared_data: Path) -> None:
    figures = BENCH.evaluate(BENCH.collect([shared_data / "pages-dev"], html=True))
    assert figures["pages"] == 6
    assert figures["boilerplate_removed"] >= 0.95
    assert figures["phrases_kept"] == 1.0
    assert figures["title_exact"] >= 0.90
    assert figures["dateline_exact"] >= 0.90
    assert figures["byline_exact"] >= 0.80


# -- the pipeline and the CLI use the structure -----------------------------------------------

ARTICLE_ID, SUMMARY_ID = SUMMARY_PAIRS[0]
TRANSLATE = dict(ID_EN_PAIRS)
HEADLINE = "Banjir Rendam Jakarta Utara"
PAGE = _page(
    "KabarKota",
    "Beranda | Nasional | Daerah | Ekonomi",
    HEADLINE,
    "Oleh Budi Santoso",
    "Senin, 4 Desember 2023 10:00 WIB",
    ARTICLE_ID,
    "Tag: banjir | Jakarta",
    "© 2023 KabarKota",
)


def test_pipeline_translates_the_headline_as_the_title_and_works_on_the_body(
    tiny_models, tiny_routes
) -> None:
    pipeline = Ringkas(
        summary_model=str(tiny_models.summarizer),
        routes=tiny_routes,
        engine=EngineOptions(device="cpu"),
    )
    [result] = pipeline.process([{"id": "p", "text": PAGE}])
    assert result.ok
    assert (result.title, result.byline, result.published) == (
        HEADLINE,
        "Oleh Budi Santoso",
        "Senin, 4 Desember 2023 10:00 WIB",
    )
    # Exact outputs of the tiny models on the body alone: the headline is not in them.
    assert result.summary == SUMMARY_ID
    english = " ".join(TRANSLATE[s + "."] for s in ARTICLE_ID.rstrip(".").split(". "))
    assert result.translation == english
    [headline] = pipeline.translator.translate([HEADLINE], source_lang="id")
    assert result.title_translation == headline.text
    assert {"kind": "title", "text": HEADLINE} in result.to_dict()["removed"]


def test_record_title_wins_over_the_page_headline(tiny_models, tiny_routes) -> None:
    pipeline = Ringkas(
        steps=("clean", "translate"), routes=tiny_routes, engine=EngineOptions(device="cpu")
    )
    title = "Harga beras naik minggu ini."
    [result] = pipeline.process([{"id": "p", "text": PAGE, "title": title, "lang": "id"}])
    assert result.title == title
    assert result.title_translation == TRANSLATE[title]


def test_cli_clean_jsonl_carries_the_page_fields(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    import io

    from ringkas.cli import main

    data = json.dumps({"id": "p", "text": PAGE}).encode() + b"\n"
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(data)))
    assert main(["clean", "-", "-q"]) == 0
    [row] = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    assert row["title"] == HEADLINE
    assert row["byline"] == "Oleh Budi Santoso"
    assert row["published"] == "Senin, 4 Desember 2023 10:00 WIB"
    assert row["text"] == ARTICLE_ID
    assert {"kind": "navigation", "text": "Beranda | Nasional | Daerah | Ekonomi"} in row["removed"]
