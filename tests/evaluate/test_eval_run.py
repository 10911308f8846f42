"""The model-run path, tested with fakes that have the Translator/Summarizer methods."""

from __future__ import annotations

import sys
import types
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from ringkas.config import BatchOptions, EngineOptions
from ringkas.errors import ConfigError
from ringkas.evaluate import Dataset, Example, run_summarization, run_translation

SOURCES = ["Kucing duduk di tikar.", "Hujan di Jakarta hari ini.", "Rubah cokelat cepat."]
REFERENCES = ["The cat sits on the mat.", "Rain in Jakarta today.", "A quick brown fox."]


@dataclass(frozen=True)
class FakeResult:
    text: str
    truncated: bool = False
    n_segments: int = 1


class FakeTranslator:
    """Returns the reference for a known source, so scores are predictable."""

    model = "fake-mt"

    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def translate(
        self, texts: list[str], *, source_lang: str | None = None, target_lang: str = "en"
    ) -> list[FakeResult]:
        self.calls.append({"texts": texts, "source_lang": source_lang, "target_lang": target_lang})
        lookup = dict(zip(SOURCES, REFERENCES, strict=True))
        return [FakeResult(lookup.get(t, ""), truncated=i == 0) for i, t in enumerate(texts)]


class FakeSummarizer:
    def __init__(self) -> None:
        self.calls: list[dict[str, Any]] = []

    def summarize(self, texts: list[str], *, lang: str | None = None) -> list[FakeResult]:
        self.calls.append({"texts": texts, "lang": lang})
        return [FakeResult(t.split(".")[0] + ".") for t in texts]


def _translation_set() -> Dataset:
    examples = tuple(
        Example(str(i), s, (r,)) for i, (s, r) in enumerate(zip(SOURCES, REFERENCES, strict=True))
    )
    return Dataset("toy-mt", "translation", examples, source_lang="id", target_lang="en")


def _summary_set() -> Dataset:
    examples = (
        Example("a", "Banjir melanda Jakarta. Warga mengungsi.", ("Banjir melanda Jakarta.",)),
        Example("b", "Harga cabai naik. Pedagang mengeluh.", ("Harga cabai naik tajam.",)),
    )
    return Dataset("toy-sum", "summarization", examples, source_lang="id", target_lang="id")


def test_run_translation_with_a_translator_object() -> None:
    fake = FakeTranslator()
    result = run_translation(_translation_set(), translator=fake, generation={"num_beams": 4})
    assert fake.calls == [{"texts": SOURCES, "source_lang": "id", "target_lang": "en"}]
    assert result.hypotheses == tuple(REFERENCES)
    report = result.report
    assert report.system == "fake-mt"
    assert report.task == "translation"
    assert [s.metric for s in report.scores] == ["BLEU", "chrF2", "chrF2++"]
    assert report.score("BLEU").score == pytest.approx(100.0)
    assert report.generation["num_beams"] == 4
    assert report.generation["model"] == "fake-mt"
    assert report.stats == {"n_truncated": 1, "total_n_segments": 3}
    assert {"load_s", "generate_s", "score_s", "total_s", "examples_per_s"} <= set(report.timings)
    assert report.dataset["name"] == "toy-mt"
    assert report.n_examples == 3


def test_run_summarization_with_a_summarizer_object() -> None:
    fake = FakeSummarizer()
    result = run_summarization(_summary_set(), summarizer=fake, method="lead", limit=1)
    assert fake.calls == [{"texts": ["Banjir melanda Jakarta. Warga mengungsi."], "lang": "id"}]
    assert result.hypotheses == ("Banjir melanda Jakarta.",)
    assert result.report.score("rouge1").score == pytest.approx(100.0)
    assert result.report.generation["method"] == "lead"
    assert result.to_dict()["hypotheses"] == ["Banjir melanda Jakarta."]


def test_wrong_task_and_wrong_result_count_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="use run_summarization"):
        run_translation(_summary_set(), translator=FakeTranslator())

    class Broken(FakeSummarizer):
        def summarize(self, texts: list[str], *, lang: str | None = None) -> list[FakeResult]:
            return []

    with pytest.raises(ConfigError, match="returned 0 results for 2 inputs"):
        run_summarization(_summary_set(), summarizer=Broken())


def test_the_core_is_built_lazily_with_the_documented_interface(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    built: list[tuple[Any, dict[str, Any]]] = []

    class Translator(FakeTranslator):
        def __init__(self, model: str | None = None, **kwargs: Any) -> None:
            super().__init__()
            built.append((model, kwargs))

    class Summarizer(FakeSummarizer):
        def __init__(self, model: str | None = None, **kwargs: Any) -> None:
            super().__init__()
            built.append((model, kwargs))

    monkeypatch.setitem(
        sys.modules, "ringkas.translate", types.SimpleNamespace(Translator=Translator)
    )
    monkeypatch.setitem(
        sys.modules, "ringkas.summarize", types.SimpleNamespace(Summarizer=Summarizer)
    )
    batching = BatchOptions(max_tokens=2048)
    run_translation(
        _translation_set(), model="opus-mt-id-en", batching=batching, generation={"num_beams": 2}
    )
    cpu = EngineOptions(device="cpu")
    run_summarization(_summary_set(), model=None, method="textrank", engine=cpu)
    assert built == [
        (
            "opus-mt-id-en",
            {"engine": EngineOptions(), "batching": batching, "num_beams": 2},
        ),
        (None, {"method": "textrank", "engine": cpu, "batching": BatchOptions()}),
    ]


def test_bad_generation_option_becomes_config_error(monkeypatch: pytest.MonkeyPatch) -> None:
    class Translator(FakeTranslator):
        def __init__(
            self, model: str | None = None, *, engine: Any = None, batching: Any = None
        ) -> None:
            super().__init__()

    monkeypatch.setitem(
        sys.modules, "ringkas.translate", types.SimpleNamespace(Translator=Translator)
    )
    with pytest.raises(ConfigError, match="invalid option for the translator"):
        run_translation(_translation_set(), generation={"num_beam": 2})


def test_harness_module_imports_no_torch() -> None:
    import subprocess

    code = "import sys, ringkas.evaluate.run; print('torch' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "False"
    assert Path(__file__).exists()


def _tiny_translation_set() -> Dataset:
    from ringkas.testing import ID_EN_PAIRS

    examples = tuple(Example(str(i), s, (r,)) for i, (s, r) in enumerate(ID_EN_PAIRS[:3]))
    return Dataset("tiny-mt", "translation", examples, source_lang="id", target_lang="en")


@pytest.mark.parametrize(
    ("backend", "quantize", "expected"),
    [
        ("torch", "none", "none"),
        ("ct2", "none", "float32"),
        ("ct2", "int8", "int8"),
        # "auto" is int8 only where this CPU's int8 kernels are exact (ringkas.backends.cpu).
        ("ct2", "auto", "auto"),
    ],
)
def test_report_records_the_engine_that_actually_ran(tiny_models, backend, quantize, expected):
    """The generation block says which backend, quantisation and int8 kernels scored."""
    if backend == "ct2":
        pytest.importorskip("ctranslate2")
    from ringkas.backends.cpu import int8_exact
    from ringkas.testing import ID_EN_PAIRS

    if expected == "auto":
        expected = "int8" if int8_exact() else "float32"
    result = run_translation(
        _tiny_translation_set(),
        model=str(tiny_models.id_en),
        engine=EngineOptions(device="cpu", backend=backend, quantize=quantize),
        options=None,
    )
    generation = result.report.generation
    assert generation["backend"] == backend
    assert generation["quantize"] == quantize
    assert str(generation["quantization"]).startswith(expected)
    if expected == "int8":
        assert generation["kernel_library"] in {"mkl", "onednn", "ruy"}
    else:
        assert generation["kernel_library"] is None
        # Unquantised engines reproduce the tiny model's training pairs exactly.
        assert list(result.hypotheses) == [ref for _, ref in ID_EN_PAIRS[:3]]
