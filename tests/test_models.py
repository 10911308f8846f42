"""Model registry, routing, folder specs, environment overrides, offline errors, shared engines."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time

import pytest

from ringkas import ConfigError, ModelLoadError, UnknownModelError, UnsupportedLanguageError
from ringkas.backends.loading import load_engine
from ringkas.config import EngineOptions
from ringkas.models import (
    ModelSpec,
    get_model,
    list_models,
    prefetch,
    register_model,
    register_route,
    resolve_model,
    resolve_route,
)
from ringkas.testing import ID_EN_PAIRS
from ringkas.translate import Translator


def test_defaults_carry_languages_window_and_licence():
    names = {s.name: s for s in list_models()}
    assert names["opus-mt-id-en"].source == "Helsinki-NLP/opus-mt-id-en"
    assert names["opus-mt-id-en"].licence == "apache-2.0"
    assert names["mt5-xlsum"].commercial_use is False
    assert names["mt5-xlsum"].generation["num_beams"] == 4
    assert names["mt5-xlsum"].generation["max_new_tokens"] == 84
    assert names["mt5-xlsum"].max_input_tokens == 512
    assert names["nllb-200-distilled-600m"].commercial_use is False
    assert names["m2m100-418m"].licence == "mit"
    assert {s.task for s in list_models("summarization")} == {"summarization"}
    assert "indonanot5-indosum" in {s.name for s in list_models("summarization")}


def test_unknown_name_is_a_key_error_with_suggestions():
    with pytest.raises(UnknownModelError, match="Did you mean 'opus-mt-id-en'") as info:
        get_model("opus-mt-id-eng")
    assert isinstance(info.value, KeyError)
    with pytest.raises(KeyError):
        resolve_model("no-such-model", task="translation")


def test_a_missing_folder_is_named_in_the_error(tmp_path):
    with pytest.raises(UnknownModelError, match="does not exist"):
        resolve_model(str(tmp_path / "nope"), task="translation")


def test_a_folder_without_config_is_not_a_model(tmp_path):
    with pytest.raises(ModelLoadError, match=r"no config\.json"):
        resolve_model(str(tmp_path), task="translation")


def test_a_hub_id_is_accepted_as_is():
    spec = resolve_model("someone/some-model", task="translation")
    assert spec.source == "someone/some-model"
    assert spec.source_langs == ("*",)
    assert resolve_model("Helsinki-NLP/opus-mt-id-en", task="translation").name == "opus-mt-id-en"


def test_folder_spec_reads_config_and_ringkas_json(tiny_models):
    spec = resolve_model(str(tiny_models.id_en), task="translation")
    meta = json.loads((tiny_models.id_en / "ringkas.json").read_text())
    assert spec.family == "marian"
    assert spec.source_langs == ("id",)
    assert spec.target_langs == ("en",)
    assert spec.max_input_tokens == meta["max_input_tokens"]
    t5 = resolve_model(str(tiny_models.summarizer), task="summarization")
    assert t5.family == "t5"
    assert t5.task == "summarization"


@pytest.mark.exact  # the default engine (backend="auto")
def test_environment_points_a_registered_name_at_a_local_folder(tiny_models, monkeypatch):
    monkeypatch.setenv("RINGKAS_MODEL_OPUS_MT_ID_EN", str(tiny_models.id_en))
    spec = resolve_model("opus-mt-id-en", task="translation")
    assert spec.source == str(tiny_models.id_en)
    assert spec.name == "opus-mt-id-en"
    # The default route now runs the local folder: no hub, exact output.
    [result] = Translator(engine=EngineOptions(device="cpu")).translate(
        [ID_EN_PAIRS[0][0]], source_lang="id"
    )
    assert result.text == ID_EN_PAIRS[0][1]
    assert result.route[0].model == "opus-mt-id-en"


@pytest.mark.parametrize(
    ("pair", "models"),
    [
        (("id", "en"), ["opus-mt-id-en"]),
        (("en", "id"), ["opus-mt-en-id"]),
        (("fr", "en"), ["opus-mt-fr-en"]),
        (("ms", "en"), ["m2m100-418m"]),
        (("jv", "en"), ["m2m100-418m"]),
        (("war", "en"), ["opus-mt-mul-en"]),
        (("fr", "id"), ["m2m100-418m"]),
        (("war", "id"), ["opus-mt-mul-en", "opus-mt-en-id"]),
    ],
)
def test_default_routes(pair, models):
    assert [s.name for s in resolve_route(*pair)] == models


def test_non_commercial_models_are_only_used_when_named(clean_registry):
    assert "nllb" not in resolve_route("ace", "en")[0].name  # mul-en, not NLLB
    register_route("ace", "en", "nllb-200-distilled-600m")
    assert resolve_route("ace", "en")[0].name == "nllb-200-distilled-600m"
    assert resolve_route("ace", "en", routes={"ace-en": "m2m100-418m"})[0].name == "m2m100-418m"


def test_unsupported_pair_says_how_to_fix_it():
    with pytest.raises(UnsupportedLanguageError, match="register_route"):
        resolve_route("xx", "yy")


def test_registering_and_validating_specs(clean_registry, tiny_models):
    spec = ModelSpec(
        name="my-id-en",
        source=str(tiny_models.id_en),
        task="translation",
        source_langs=("id",),
        target_langs=("en",),
        family="marian",
        max_input_tokens=64,
    )
    register_model(spec)
    assert get_model("my-id-en") is spec
    with pytest.raises(ConfigError, match="already registered"):
        register_model(spec)
    register_model(spec, overwrite=True)
    with pytest.raises(ConfigError, match="task must be one of"):
        ModelSpec(name="x", source="x", task="chat", source_langs=(), target_langs=())
    with pytest.raises(ConfigError, match="unknown generation settings"):
        ModelSpec(
            name="x", source="x", task="translation", source_langs=(), target_langs=(),
            generation={"beams": 4},
        )  # fmt: skip


def test_engines_load_once_and_are_shared_between_threads(tiny_models):
    spec = resolve_model(str(tiny_models.en_id), task="translation")
    engines = []

    def load() -> None:
        engines.append(load_engine(spec, EngineOptions(device="cpu")))

    threads = [threading.Thread(target=load) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len({id(e) for e in engines}) == 1


def test_prefetch_of_a_local_folder_returns_it(tiny_models):
    assert prefetch([str(tiny_models.id_en)]) == {str(tiny_models.id_en): tiny_models.id_en}


OFFLINE_SCRIPT = """
import time, sys
from ringkas.backends.loading import load_engine
from ringkas.config import EngineOptions
from ringkas.models import get_model
from ringkas.errors import ModelLoadError
began = time.monotonic()
try:
    load_engine(get_model("opus-mt-id-en"), EngineOptions(device="cpu"))
except ModelLoadError as exc:
    print(f"{time.monotonic() - began:.2f}")
    print(exc)
    sys.exit(0)
sys.exit("loaded?!")
"""


@pytest.mark.parametrize(
    ("env", "reason"),
    [
        ({"HF_HUB_OFFLINE": "1"}, "HF_HUB_OFFLINE is set"),
        ({"HF_ENDPOINT": "http://127.0.0.1:9"}, "cannot be reached"),
    ],
)
def test_offline_model_fails_fast_with_the_fix(tmp_path, env, reason):
    clean_env = {k: v for k, v in os.environ.items() if not k.startswith(("HF_", "RINGKAS_"))}
    clean_env.update(env, HF_HOME=str(tmp_path / "hf"))
    began = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-c", OFFLINE_SCRIPT],
        env=clean_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    seconds, message = done.stdout.split("\n", 1)
    assert float(seconds) < 10
    assert time.monotonic() - began < 30  # interpreter start included
    assert "opus-mt-id-en" in message
    assert "Helsinki-NLP/opus-mt-id-en" in message
    assert reason in message
    assert str(tmp_path / "hf") in message  # the cache folder
    assert "ringkas models prefetch opus-mt-id-en" in message
    assert "RINGKAS_MODEL_OPUS_MT_ID_EN" in message
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("backend", ["torch", "ct2"])
def test_a_library_load_writes_nothing_to_stderr(tiny_models, backend, capfd, monkeypatch):
    """A service importing ringkas stays quiet: no "Loading weights" bars on stderr."""
    from ringkas.backends import loading
    from ringkas.backends.loading import clear_engine_cache, load_engine
    from ringkas.models import resolve_model

    # The library default; an in-process CLI test (without -q) may have turned bars on.
    monkeypatch.setattr(loading, "_show_load_progress", False)

    if backend == "ct2":
        pytest.importorskip("ctranslate2")
    clear_engine_cache()
    capfd.readouterr()
    try:
        spec = resolve_model(str(tiny_models.en_id), task="translation")
        load_engine(spec, EngineOptions(backend=backend, device="cpu", quantize="none"))
        assert capfd.readouterr().err == ""
    finally:
        clear_engine_cache()
