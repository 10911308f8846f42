"""ringkas.langid: determinism, und, input errors, regional languages, articles, import cost."""

from __future__ import annotations

import base64
import gzip
import json
import os
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from importlib import resources
from pathlib import Path

import pytest

from ringkas import langid
from ringkas.errors import InputError
from ringkas.langid import SUPPORTED_LANGUAGES, detect_article, detect_language
from ringkas.types import UND, LanguageResult

REPO = Path(__file__).resolve().parents[1]

# Written for these tests (not taken from FLORES or any other corpus).
SENTENCES: dict[str, str] = {
    "id": "Pemerintah kota berencana membangun jembatan baru karena jalan lama selalu macet "
    "setiap pagi.",
    "ms": "Kerajaan negeri akan membina jambatan baharu kerana jalan lama kerap sesak pada "
    "waktu pagi.",
    "jv": "Aku arep lunga menyang pasar karo ibuku amarga kudu tuku sayuran kanggo mangan bengi.",
    "su": "Abdi badé angkat ka pasar sareng indung abdi margi kedah mésér sayuran kanggo "
    "tuangeun wengi.",
    "en": "The city council plans to build a new bridge because the old road is jammed every "
    "morning.",
    "tl": "Nagpasya ang pamahalaang lungsod na magtayo ng bagong tulay dahil laging masikip ang "
    "lumang kalsada.",
}
MORE: dict[str, str] = {
    "id": "Harga cabai di pasar tradisional naik dua kali lipat menjelang Lebaran, kata para "
    "pedagang.",
    "ms": "Pihak polis sedang menyiasat kemalangan yang berlaku di lebuh raya itu pada malam "
    "semalam.",
    "ceb": "Ang akong amahan nagtrabaho sa uma matag adlaw aron makapalit kami og bugas ug isda.",
    "zh": "今天天气很好，我们去公园散步吧。",
    "ja": "今日はとても良い天気ですね。",
    "ko": "오늘 날씨가 정말 좋네요.",
    "fr": "Le conseil municipal veut construire un nouveau pont parce que la vieille route est "
    "bouchée.",
}
MIXED = [*SENTENCES.values(), *MORE.values(), "", "12345", "😀😀"]


@pytest.mark.parametrize(("lang", "text"), [*SENTENCES.items(), *MORE.items()])
def test_detects_language_of_own_sentences(lang: str, text: str) -> None:
    result = detect_language(text)
    assert result.lang == lang, result
    assert 0.5 < result.confidence <= 1.0
    assert all(code != lang for code, _ in result.alternatives)


@pytest.mark.parametrize("lang", ["ms", "jv", "su"])
def test_languages_langdetect_lacks_are_decided_by_the_regional_stage(lang: str) -> None:
    assert langid._langdetect(SENTENCES[lang]).keys() & {"id", "tl"}  # what langdetect alone says
    assert detect_language(SENTENCES[lang]).stage == "regional"


def test_stages_are_reported() -> None:
    assert detect_language(SENTENCES["en"]).stage == "langdetect"
    assert detect_language(MORE["zh"]).stage == "script"
    assert detect_language("").stage == "none"


def test_result_is_a_frozen_language_result_with_probabilities() -> None:
    result = detect_language(MORE["id"])
    assert isinstance(result, LanguageResult)
    with pytest.raises(AttributeError):
        result.lang = "xx"  # type: ignore[misc]
    total = result.confidence + sum(p for _, p in result.alternatives)
    assert total <= 1.0001
    assert [p for _, p in result.alternatives] == sorted(
        (p for _, p in result.alternatives), reverse=True
    )
    assert json.loads(json.dumps(result.to_dict()))["lang"] == "id"


@pytest.mark.parametrize(
    "text",
    ["", "   ", "12345", "https://example.com/a?b=1", "😀😀", "!!! ...", "#tag @user",
     "budi.santoso@example.co.id", "www.kompas.com 2024", "\n\t 3,14 % — 😀 #PilkadaDamai"],
)  # fmt: skip
def test_text_without_language_is_und(text: str) -> None:
    result = detect_language(text)
    assert result == LanguageResult(UND, 1.0, (), "none")
    assert result.is_undetermined
    assert detect_article(text).lang == UND


def test_urls_emails_and_digits_do_not_sway_the_answer() -> None:
    noisy = (
        "Baca selengkapnya di https://www.example.com/berita/2024/05/01/harga-beras?utm=abc "
        "atau kirim surat ke redaksi@example.co.id. " + MORE["id"] + " 2024 12.500 08123456789"
    )
    assert detect_language(noisy).lang == "id"


@pytest.mark.parametrize("bad", [None, 42, b"Saya makan nasi.", ["teks"]])
def test_non_string_input_raises_input_error_naming_the_type(bad: object) -> None:
    with pytest.raises(InputError, match=type(bad).__name__):
        detect_language(bad)  # type: ignore[arg-type]
    with pytest.raises(InputError, match=type(bad).__name__):
        detect_article(bad)  # type: ignore[arg-type]


def test_non_string_title_raises_input_error() -> None:
    with pytest.raises(InputError, match="title"):
        detect_article(SENTENCES["id"], title=7)  # type: ignore[arg-type]


def test_zh_codes_are_normalised() -> None:
    assert langid._normalise_code("zh-cn") == "zh"
    assert langid._normalise_code("zh-tw") == "zh"
    probs = langid._langdetect("我们今天去北京的公园看花，然后回家吃饭。")  # langdetect itself
    assert "zh" in probs
    assert set(probs) <= {"zh", "ja", "ko"}
    assert detect_language("我們今天去台北的公園看花，然後回家吃飯。").lang == "zh"


def test_repeated_calls_give_identical_results() -> None:
    first = [detect_language(t) for t in MIXED]
    for _ in range(3):
        assert [detect_language(t) for t in MIXED] == first


def test_langdetect_global_seed_is_left_alone() -> None:
    from langdetect import DetectorFactory

    before = DetectorFactory.seed
    detect_language(SENTENCES["id"])
    assert before == DetectorFactory.seed


def test_concurrent_threads_give_identical_results() -> None:
    expected = [detect_language(t) for t in MIXED]
    jobs = MIXED * 12
    with ThreadPoolExecutor(max_workers=16) as pool:
        got = list(pool.map(detect_language, jobs))
    assert got == expected * 12


def test_first_concurrent_load_is_safe() -> None:
    """Threads racing on a fresh module state load each model exactly once and agree."""
    code = (
        "import json, sys\n"
        "from concurrent.futures import ThreadPoolExecutor\n"
        "from ringkas import langid\n"
        f"texts = {json.dumps(list(SENTENCES.values()) * 4)}\n"
        "with ThreadPoolExecutor(max_workers=8) as pool:\n"
        "    got = [r.to_dict() for r in pool.map(langid.detect_language, texts)]\n"
        "print(json.dumps(got))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=120
    )
    got = json.loads(out.stdout)
    assert got == [detect_language(t).to_dict() for t in list(SENTENCES.values()) * 4]


def test_another_process_gives_the_same_answers() -> None:
    """Also across hash seeds: nothing may depend on set or dict order of strings."""
    code = (
        "import json, sys\n"
        "from ringkas.langid import detect_language\n"
        "texts = json.loads(sys.stdin.read())\n"
        "print(json.dumps([detect_language(t).to_dict() for t in texts]))\n"
    )
    expected = [detect_language(t).to_dict() for t in MIXED]
    for seed in ("0", "12345"):
        out = subprocess.run(
            [sys.executable, "-c", code],
            input=json.dumps(MIXED),
            capture_output=True,
            text=True,
            check=True,
            timeout=120,
            env={**os.environ, "PYTHONHASHSEED": seed},
        )
        assert json.loads(out.stdout) == expected


def test_packed_langdetect_answers_bit_for_bit_as_langdetect() -> None:
    """ringkas's faster detector must give langdetect's own probabilities, not just its labels."""
    from langdetect.detector_factory import PROFILES_DIRECTORY, DetectorFactory

    stock = DetectorFactory()
    stock.load_profile(PROFILES_DIRECTORY)
    ours = langid._get_langdetect()
    extra = [
        "Das Wetter ist heute schön, und wir gehen in den Park.",
        "El consejo municipal quiere construir un puente nuevo.",
        "Приветствую вас на нашем сайте",
        "مرحبا بكم في موقعنا",
        "OK",
        "Jakarta",
        "harga beras naik " * 200,  # long enough to converge late
    ]
    for text in [*SENTENCES.values(), *MORE.values(), *extra]:
        answers = []
        for detector in (stock.create(), ours.detector_class(ours.factory)):
            detector.seed = langid._SEED
            detector.n_trial = langid._LANGDETECT_TRIALS
            detector.append(text)
            answers.append([(item.lang, item.prob) for item in detector.get_probabilities()])
        assert answers[0] == answers[1], text
    assert all(isinstance(p, float) for p in langid._langdetect(SENTENCES["id"]).values())


def test_importing_langid_loads_no_model_and_no_torch() -> None:
    code = (
        "import sys\n"
        "import ringkas.langid as l\n"
        "print('torch' in sys.modules, 'langdetect' in sys.modules, 'pycld2' in sys.modules,\n"
        "      l._regional_model is None, l._langdetect_model is None)\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert out.stdout.split() == ["False", "False", "False", "True", "True"]


# --- articles -----------------------------------------------------------------------------------

BODY_ID = (
    "Presiden meresmikan jalan tol sepanjang 120 kilometer yang menghubungkan dua kota besar "
    "di Jawa Tengah pada Senin pagi. Menurut pejabat kementerian, jalan tol ini akan memangkas "
    "waktu tempuh hingga dua jam dan diharapkan mendorong pertumbuhan ekonomi daerah. "
    "Warga sekitar menyambut baik pembangunan tersebut, meskipun sebagian masih menunggu "
    "kepastian ganti rugi atas lahan mereka."
)
TITLE_ID = "PRESIDEN RESMIKAN JALAN TOL BARU DI JAWA TENGAH"


def test_article_is_decided_by_its_body_not_its_all_caps_title() -> None:
    result = detect_article(BODY_ID, title=TITLE_ID)
    assert result.lang == "id"
    english_title = "Breaking news: the president opens a new toll road"
    assert detect_article(BODY_ID, title=english_title).lang == "id"
    assert detect_article(SENTENCES["en"] * 3, title=TITLE_ID).lang == "en"


def test_title_is_used_only_when_the_body_has_no_language() -> None:
    title = "Harga beras di pasar naik lagi menjelang hari raya"
    assert detect_article("https://example.com 2024 📷", title=title) == detect_language(title)
    assert detect_article("", title=None).lang == UND
    assert detect_article("12345", title="").lang == UND


def test_all_caps_text_is_read_in_lower_case() -> None:
    """langdetect skips ALL-CAPS words as acronyms; a shouted headline must still be read."""
    assert detect_language(TITLE_ID).lang == "id"
    assert detect_language(SENTENCES["en"].upper()).lang == "en"


def test_long_article_is_sampled_and_stays_correct() -> None:
    english_lead = "Reuters reported the following statement from the ministry in English. " * 5
    body = english_lead + " ".join([BODY_ID] * 300)  # ~140 kB, English only at the start
    sample = langid._sample(body)
    assert len(sample) <= langid._ARTICLE_SAMPLE_CHARS
    assert sample.startswith("Reuters")
    assert sample.rstrip().endswith("lahan mereka.")
    assert detect_article(body).lang == "id"


def test_short_text_is_not_sampled() -> None:
    assert langid._sample(BODY_ID) == BODY_ID


# --- shipped model and benchmark ----------------------------------------------------------------


def test_shipped_model_is_small_and_matches_the_declared_languages() -> None:
    data = resources.files("ringkas").joinpath("data")
    blob = data.joinpath("langid_regional.json.gz").read_bytes()
    assert len(blob) < 2_000_000
    payload = json.loads(gzip.decompress(blob))
    assert tuple(payload["languages"]) == langid.REGIONAL_LANGUAGES[: len(payload["languages"])]
    assert set(langid.REGIONAL_LANGUAGES) <= SUPPORTED_LANGUAGES
    assert "FLORES" in payload["source"]
    assert "CC-BY-SA" in data.joinpath("NOTICE").read_text(encoding="utf-8")


def test_corrupt_model_is_refused() -> None:
    with pytest.raises(RuntimeError, match="format"):
        langid._load_regional_model({"format": 99})
    two_counts = base64.b64encode(bytes([1, 0, 2, 0])).decode("ascii")
    bad = {"format": 1, "languages": ["id"], "alpha": 0.1, "features": "a", "counts": [two_counts]}
    with pytest.raises(RuntimeError, match="corrupt"):
        langid._load_regional_model(bad)


@pytest.mark.parametrize(
    "text",
    ["Harga naik.", "Dia sakit.", "Banjir di Jakarta.", "Jalan rusak parah.", "Timnas menang 2-0."],
)
def test_a_few_indonesian_words_are_indonesian(text: str) -> None:
    """Priors for the regional languages outweigh a few words' evidence (with none, these were
    bjn, ban or su)."""
    result = detect_language(text)
    assert (result.lang, result.stage) == ("id", "regional")


def test_priors_are_applied_after_tempering() -> None:
    model = langid._get_regional_model()
    priors = dict(zip(model.languages, model.prior, strict=True))
    assert priors["id"] == priors["ms"] == 0.0
    assert priors["jv"] == priors["su"] == priors["tl"] < 0.0
    assert all(priors[lang] < priors["jv"] for lang in ("min", "ban", "bjn", "ace", "bug"))
    blob = resources.files("ringkas").joinpath("data").joinpath("langid_regional.json.gz")
    payload = json.loads(gzip.decompress(blob.read_bytes()))
    flat = langid._load_regional_model({**payload, "prior": {}})
    text = "Harga naik."
    assert max(flat.posterior(text, ()).items(), key=lambda kv: kv[1])[0] != "id"
    assert max(model.posterior(text, ()).items(), key=lambda kv: kv[1])[0] == "id"


@pytest.mark.data
@pytest.mark.parametrize(("lang", "stem"), [("min", "min_Latn"), ("bjn", "bjn_Latn")])
def test_a_sentence_outweighs_the_prior(shared_data: Path, lang: str, stem: str) -> None:
    path = shared_data / "flores200" / "devtest" / f"{stem}.devtest"
    if not path.is_file():
        pytest.skip(f"{path} is not present")
    lines = path.read_text(encoding="utf-8").splitlines()[:100]
    hits = sum(detect_language(line).lang == lang for line in lines)
    assert hits >= 95


@pytest.mark.data
def test_benchmark_smoke_prints_its_tables(shared_data: Path, tmp_path: Path) -> None:
    devtest = shared_data / "flores200" / "devtest"
    if not devtest.is_dir():
        pytest.skip(f"{devtest} is not present")
    out_json = tmp_path / "bench.json"
    proc = subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "bench_langid.py"), "--smoke",
         "--data", str(devtest), "--json", str(out_json)],
        capture_output=True, text=True, check=True, timeout=120,
    )  # fmt: skip
    text = proc.stdout
    for needle in ("Per-language accuracy", "S21", "S22", "langdetect", "pycld2", "Confusion",
                   "Paragraphs", "sentences/s", "ilo"):  # fmt: skip
        assert needle in text
    result = json.loads(out_json.read_text(encoding="utf-8"))
    assert result["smoke"] is True
    assert len(result["sets"]["S21"]) == 21
    assert result["accuracy"]["ringkas"]["id"] >= 0.8
    assert result["accuracy"]["langdetect"]["ms"] == 0.0  # langdetect has no Malay at all


def test_shipped_model_has_an_id_ms_stage_and_bad_weights_are_refused() -> None:
    blob = resources.files("ringkas").joinpath("data").joinpath("langid_regional.json.gz")
    payload = json.loads(gzip.decompress(blob.read_bytes()))
    model = langid._load_regional_model(payload)
    assert model.id_ms is not None
    assert "IndoSum" in payload["source"]
    assert "wordfreq" in payload["source"]
    inputs = model.id_ms_inputs(SENTENCES["ms"], ("ms",))
    assert len(inputs) == len(model.id_ms.weights) == model.max_order + 4
    assert inputs[model.max_order + 1] == -1.0  # cld2's vote for ms
    assert inputs[model.max_order + 3] < 0  # the frequency lists read it as Malay
    posterior = model.posterior(SENTENCES["ms"], ())
    assert max(posterior, key=posterior.__getitem__) == "ms"
    assert abs(sum(posterior.values()) - 1.0) < 1e-9
    bad_weights = {**payload, "id_ms": {**payload["id_ms"], "weights": [1.0]}}
    with pytest.raises(RuntimeError, match="corrupt"):
        langid._load_regional_model(bad_weights)
    words = payload["id_ms"]["freq_words"].split("\n")
    bad_freq = {**payload, "id_ms": {**payload["id_ms"], "freq_words": "\n".join(words[:-1])}}
    with pytest.raises(RuntimeError, match="frequency ratios"):
        langid._load_regional_model(bad_freq)


@pytest.mark.parametrize(
    ("indonesian", "malay"),
    [("karena", "kerana"), ("bahwa", "bahawa"), ("uang", "wang"), ("bisa", "boleh")],
)
def test_frequency_ratios_tell_indonesian_from_malay_spellings(indonesian: str, malay: str) -> None:
    freq = langid._get_regional_model().id_ms.freq_llr  # type: ignore[union-attr]
    assert freq[indonesian] > 1.0 > -1.0 > freq[malay]


def test_model_without_frequency_lists_still_loads() -> None:
    """Older model files (no ``freq_words``) keep their max_order + 3 inputs."""
    blob = resources.files("ringkas").joinpath("data").joinpath("langid_regional.json.gz")
    payload = json.loads(gzip.decompress(blob.read_bytes()))
    stage = {k: v for k, v in payload["id_ms"].items() if not k.startswith("freq_")}
    stage["weights"] = stage["weights"][:-1]
    model = langid._load_regional_model({**payload, "id_ms": stage})
    assert model.id_ms is not None
    assert not model.id_ms.freq_llr
    assert len(model.id_ms_inputs(SENTENCES["ms"], ())) == model.max_order + 3
