from __future__ import annotations

import json
from pathlib import Path

import pytest

from ringkas.errors import ConfigError, DataError
from ringkas.evaluate import available_datasets, detokenize, load_dataset, read_lines

# -- detokeniser ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("tokens", "text"),
    [
        (["Halo", ",", "dunia", "!"], "Halo, dunia!"),
        (["Senin", "(", "27", "/", "3", ")", "."], "Senin (27/3)."),
        (
            ['"', "Tidak", "hanya", "tarif", ",", '"', "ucap", "dia", "."],
            '"Tidak hanya tarif," ucap dia.',
        ),
        (["“", "Bagus", "”", "katanya", "."], "“Bagus” katanya."),
        (["akun", "Instagram", "-nya", "."], "akun Instagram-nya."),
        (["Bung", "Karno", ".."], "Bung Karno.."),
        (["naik", "5", "%", "menjadi", "US$", "10", "."], "naik 5% menjadi US$10."),
        (["masing-masing", "\xa0", "orang", "\r\n", "pulang"], "masing-masing orang pulang"),
        (["dan", "/", "atau"], "dan/atau"),
        ([], ""),
    ],
)
def test_detokenize(tokens: list[str], text: str) -> None:
    assert detokenize(tokens) == text


# -- line files -------------------------------------------------------------------------------


def test_read_lines_handles_crlf_unicode_and_bad_bytes(tmp_path: Path) -> None:
    f = tmp_path / "a.txt"
    f.write_bytes("satu\r\ndua\u2028tiga\nempat".encode())
    assert read_lines(f) == ["satu", "dua\u2028tiga", "empat"]
    f.write_bytes(b"ok\nok\n\xff\n")
    with pytest.raises(DataError, match=r"a\.txt:3: not valid UTF-8"):
        read_lines(f)
    with pytest.raises(DataError, match="no such file"):
        read_lines(tmp_path / "missing.txt")
    (tmp_path / "empty.txt").write_text("")
    assert read_lines(tmp_path / "empty.txt") == []


def test_parallel_files_and_mismatched_counts(tmp_path: Path) -> None:
    src, ref, ref2 = tmp_path / "s.id", tmp_path / "r.en", tmp_path / "r2.en"
    src.write_text("Halo.\nApa kabar?\n", encoding="utf-8")
    ref.write_text("Hello.\nHow are you?\n", encoding="utf-8")
    ref2.write_text("Hi.\n", encoding="utf-8")
    ds = load_dataset("parallel:ind-eng", [src, ref])
    assert (ds.task, ds.source_lang, ds.target_lang, len(ds)) == ("translation", "id", "en", 2)
    assert ds.examples[1].references == ("How are you?",)
    assert ds.reference_streams() == [["Hello.", "How are you?"]]
    with pytest.raises(DataError, match=r"s\.id has 2 lines but .*r2\.en has 1"):
        load_dataset("parallel", [src, ref, ref2])
    with pytest.raises(ConfigError, match="at least one reference"):
        load_dataset("parallel", [src])


# -- registry ---------------------------------------------------------------------------------


def test_registry_lists_loaders_and_rejects_unknown_names_and_options(tmp_path: Path) -> None:
    names = set(available_datasets())
    assert {"flores200", "parallel", "tatoeba", "tico19", "ntrex128", "indosum", "xlsum"} <= names
    assert {"liputan6", "jsonl"} <= names
    assert available_datasets()["flores200"].arguments == ("pair", "split")
    with pytest.raises(ConfigError, match=r"valid choices: .*indosum"):
        load_dataset("cnn", tmp_path)
    with pytest.raises(ConfigError, match="valid options: none"):
        load_dataset("indosum", tmp_path / "x.jsonl", source_field="text")
    with pytest.raises(ConfigError, match="too many parts"):
        load_dataset("indosum:a:b", tmp_path / "x.jsonl")


# -- summarisation formats --------------------------------------------------------------------


def _indosum_record(i: int) -> dict[str, object]:
    return {
        "id": f"doc-{i}",
        "category": "tajuk utama",
        "source": "kumparan",
        "source_url": "https://example.com",
        "paragraphs": [
            [["Kalimat", "pertama", "."], ["Kalimat", "kedua", ",", "ya", "."]],
            [["Paragraf", "dua", "."]],
        ],
        "summary": [["Kalimat", "pertama", "."]],
        "gold_labels": [[True, False], [False]],
    }


def test_indosum_loader_keeps_sentences(tmp_path: Path) -> None:
    f = tmp_path / "dev.jsonl"
    f.write_text("\n".join(json.dumps(_indosum_record(i)) for i in range(3)) + "\n")
    ds = load_dataset("indosum", f, limit=2)
    assert len(ds) == 2
    assert ds.task == "summarization"
    assert ds.source_lang == "id"
    ex = ds.examples[0]
    assert ex.source == "Kalimat pertama. Kalimat kedua, ya.\n\nParagraf dua."
    assert ex.source_sentences == ("Kalimat pertama.", "Kalimat kedua, ya.", "Paragraf dua.")
    assert ex.references == ("Kalimat pertama.",)
    assert ex.reference_sentences == (("Kalimat pertama.",),)
    assert ex.meta["source"] == "kumparan"


def test_indosum_malformed_input_names_file_and_line(tmp_path: Path) -> None:
    f = tmp_path / "bad.jsonl"
    f.write_text(json.dumps(_indosum_record(0)) + "\n{not json\n")
    with pytest.raises(DataError, match=r"bad\.jsonl:2: invalid JSON"):
        load_dataset("indosum", f)
    record = _indosum_record(0)
    del record["summary"]
    f.write_text(json.dumps(record) + "\n")
    with pytest.raises(DataError, match=r"bad\.jsonl:1: missing field 'summary'"):
        load_dataset("indosum", f)
    f.write_text(json.dumps({**_indosum_record(0), "summary": "teks"}) + "\n")
    with pytest.raises(DataError, match="lists of tokens"):
        load_dataset("indosum", f)
    f.write_text("[1, 2]\n")
    with pytest.raises(DataError, match="expected a JSON object"):
        load_dataset("indosum", f)
    f.write_text("")
    with pytest.raises(DataError, match="no examples"):
        load_dataset("indosum", f)


def test_xlsum_loader(tmp_path: Path) -> None:
    f = tmp_path / "indonesian_test.jsonl"
    record = {"id": "x1", "url": "u", "title": "Judul", "summary": "Ringkas.", "text": "Isi."}
    f.write_text(json.dumps(record) + "\n")
    ds = load_dataset("xlsum", f)
    assert ds.examples[0].title == "Judul"
    assert ds.examples[0].references == ("Ringkas.",)
    f.write_text(json.dumps({**record, "text": 5}) + "\n")
    with pytest.raises(DataError, match=r":1: field 'text' must be a string"):
        load_dataset("xlsum", f)


def test_liputan6_canonical_folder(tmp_path: Path) -> None:
    folder = tmp_path / "canonical" / "test"
    folder.mkdir(parents=True)
    for i in (10, 2):
        record = {
            "id": i,
            "url": f"https://www.liputan6.com/news/read/{i}",
            "clean_article": [
                ["Liputan6", ".", "com", ",", "Jakarta", ":", "Isi", "."],
                ["Dua", "."],
            ],
            "clean_summary": [["Ringkasan", "."]],
            "extractive_summary": [0],
        }
        (folder / f"{i}.json").write_text(json.dumps(record))
    ds = load_dataset("liputan6:test", tmp_path)
    assert [ex.id for ex in ds] == ["2", "10"]  # numeric order
    assert ds.examples[0].source_sentences == ("Liputan6. com, Jakarta: Isi.", "Dua.")
    assert ds.examples[0].meta["extractive_summary"] == [0]
    (folder / "3.json").write_text("{")
    with pytest.raises(DataError, match=r"3\.json:1: invalid JSON"):
        load_dataset("liputan6:test", tmp_path)
    with pytest.raises(DataError, match="no dev/ folder"):
        load_dataset("liputan6:dev", tmp_path)


def test_generic_jsonl_with_several_references(tmp_path: Path) -> None:
    f = tmp_path / "x.jsonl"
    f.write_text(
        json.dumps({"key": 7, "doc": "Isi", "refs": ["A", "B"], "extra": "C"})
        + "\n\n"
        + json.dumps({"key": 8, "doc": "Isi 2", "refs": ["D"], "extra": "E"})
        + "\n"
    )
    ds = load_dataset(
        "jsonl", f, source_field="doc", reference_field=["refs", "extra"], id_field="key"
    )
    assert [ex.id for ex in ds] == ["7", "8"]
    assert ds.examples[0].references == ("A", "B", "C")
    assert ds.n_references == 3
    assert ds.reference_streams()[2] == ["C", None]
    f.write_text(json.dumps({"doc": "Isi", "refs": [1]}) + "\n")
    with pytest.raises(DataError, match=r"x\.jsonl:1: field 'refs' must be a string or a list"):
        load_dataset("jsonl", f, source_field="doc", reference_field="refs")
    with pytest.raises(ConfigError, match="valid choices: translation, summarization"):
        load_dataset("jsonl", f, task="qa")


# -- the shared data --------------------------------------------------------------------------


@pytest.mark.data
def test_flores_any_pair_and_split(shared_data: Path) -> None:
    ds = load_dataset("flores200:ind_Latn-eng_Latn:devtest", shared_data / "flores200")
    assert (len(ds), ds.source_lang, ds.target_lang) == (1012, "id", "en")
    dev = load_dataset("flores200:eng_Latn-zsm_Latn:dev", shared_data / "flores200" / "dev")
    assert (len(dev), dev.source_lang, dev.target_lang) == (997, "en", "ms")
    with pytest.raises(DataError, match=r"languages in .*ind_Latn"):
        load_dataset("flores200:ind_Latn-xyz_Latn:devtest", shared_data / "flores200")
    with pytest.raises(ConfigError, match="valid choices: dev, devtest"):
        load_dataset("flores200:ind_Latn-eng_Latn:test", shared_data / "flores200")


@pytest.mark.data
@pytest.mark.parametrize(
    ("name", "folder", "pair", "n"),
    [
        ("tatoeba", "tatoeba", "ind-eng", 4289),
        ("tico19", "tico19", "ind-eng", 2100),
        ("ntrex128", "ntrex128", "eng-ind", 1997),
    ],
)
def test_test_set_folders(shared_data: Path, name: str, folder: str, pair: str, n: int) -> None:
    ds = load_dataset(f"{name}:{pair}", shared_data / folder)
    assert len(ds) == n
    assert ds.name == f"{name}:{pair}"


@pytest.mark.data
def test_indosum_dev(shared_data: Path) -> None:
    ds = load_dataset("indosum", shared_data / "indosum/dev.01.jsonl")
    assert len(ds) == 750
    for ex in ds:
        assert ex.source_sentences
        assert ex.references[0]
        assert " ." not in ex.references[0]
        assert " ," not in ex.references[0]
