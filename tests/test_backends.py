"""The torch engine's behaviour (OOM back-off, cut-off reporting, int8) and engine selection."""

from __future__ import annotations

import logging
import subprocess
import sys
from typing import Any

import pytest

from ringkas import ConfigError, GenerationError
from ringkas.backends import (
    Engine,
    resolve_backend,
    resolve_engine_options,
    resolve_quantize,
)
from ringkas.config import EngineOptions, GenerationOptions
from ringkas.testing import ID_EN_PAIRS, LONG_SENTENCE_CLAUSES


@pytest.fixture(scope="module")
def engine(tiny_models):
    from ringkas.backends.torch_backend import TorchEngine
    from ringkas.models import resolve_model

    spec = resolve_model(str(tiny_models.id_en), task="translation")
    return TorchEngine(spec, tiny_models.id_en, device="cpu")


def _sources() -> list[str]:
    return [s for s, _ in ID_EN_PAIRS] + [s for s, _ in LONG_SENTENCE_CLAUSES]


class _OOMAbove:
    """A stand-in model that runs out of "GPU memory" above ``limit`` inputs per call."""

    def __init__(self, model: Any, limit: int) -> None:
        self.model = model
        self.limit = limit
        self.config = model.config
        self.batch_sizes: list[int] = []

    def generate(self, *, input_ids: Any, **kwargs: Any) -> Any:
        import torch

        self.batch_sizes.append(int(input_ids.shape[0]))
        if input_ids.shape[0] > self.limit:
            raise torch.cuda.OutOfMemoryError("CUDA out of memory (simulated)")
        return self.model.generate(input_ids=input_ids, **kwargs)


def test_out_of_memory_splits_the_batch_and_keeps_outputs(engine, caplog):
    ids = engine.encode(_sources(), source_lang="id")
    expected = engine.generate(ids, options=GenerationOptions())
    real = engine.model
    fake = _OOMAbove(real, limit=3)
    engine.model = fake
    try:
        with caplog.at_level(logging.WARNING, logger="ringkas"):
            got = engine.generate(ids, options=GenerationOptions())
    finally:
        engine.model = real
    assert got == expected
    assert fake.batch_sizes[0] == len(ids)
    assert max(b for b in fake.batch_sizes if b <= 3) <= 3
    assert sum(b for b in fake.batch_sizes if b <= 3) == len(ids)  # every input decoded once
    assert "out of GPU memory" in caplog.text


def test_out_of_memory_for_a_single_input_is_a_generation_error(engine):
    real = engine.model
    engine.model = _OOMAbove(real, limit=0)
    try:
        with pytest.raises(GenerationError, match="single input"):
            engine.generate(engine.encode(_sources()[:2]), options=GenerationOptions())
    finally:
        engine.model = real


@pytest.mark.exact  # each engine of the `engine` fixture
def test_cut_off_outputs_keep_their_last_word_and_are_reported(engine, tiny_models):
    """Marian configs force EOS as the last token; ringkas turns that off to see the cut."""
    ids = engine.encode([ID_EN_PAIRS[0][0]])
    [cut] = engine.generate(ids, options=GenerationOptions(max_new_tokens=3))
    [full] = engine.generate(ids, options=GenerationOptions())
    assert cut.hit_limit
    assert cut.n_tokens == 3
    assert not full.hit_limit
    assert full.text.startswith(cut.text)
    assert full.text == ID_EN_PAIRS[0][1]


def test_forced_length_gives_exactly_that_many_tokens(engine):
    ids = engine.encode(_sources()[:4])
    out = engine.generate(ids, options=GenerationOptions(max_new_tokens=20, min_new_tokens=20))
    assert [g.n_tokens for g in out] == [20] * 4
    assert all(g.hit_limit for g in out)


def test_beam_outputs_are_trimmed_at_the_first_end_token(engine):
    ids = engine.encode(_sources())
    out = engine.generate(ids, options=GenerationOptions(num_beams=3))
    greedy = engine.generate(ids, options=GenerationOptions())
    assert [g.n_tokens for g in out] == [g.n_tokens for g in greedy]
    assert not any(g.hit_limit for g in out)


def test_torch_int8_runs_and_mostly_agrees(tiny_models, engine):
    from ringkas.backends.torch_backend import TorchEngine

    quantized = TorchEngine(engine.spec, tiny_models.id_en, device="cpu", quantize="int8")
    ids = engine.encode(_sources())
    got = [g.text for g in quantized.generate(ids, options=GenerationOptions())]
    want = [g.text for g in engine.generate(ids, options=GenerationOptions())]
    assert sum(a == b for a, b in zip(got, want, strict=True)) >= 0.8 * len(want)


def test_torch_rejects_unknown_quantization(tiny_models, engine):
    from ringkas.backends.torch_backend import TorchEngine

    with pytest.raises(ConfigError, match="backend='ct2'"):
        TorchEngine(engine.spec, tiny_models.id_en, device="cpu", quantize="int4")


def test_score_is_a_log_probability_per_token(engine):
    [source] = engine.encode([ID_EN_PAIRS[1][0]])
    target = engine.frontend.tokenizer(text_target=ID_EN_PAIRS[1][1])["input_ids"][:-1]
    [scores] = engine.score([source], [target])
    assert len(scores) == len(target) + 1
    assert all(s <= 0 for s in scores)
    assert sum(scores) > -1.0  # the tiny model learnt this pair by heart


def test_engines_satisfy_the_protocol(engine):
    assert isinstance(engine, Engine)


def test_frontend_token_tables_round_trip(engine):
    frontend = engine.frontend
    ids = engine.encode(_sources()[:3])
    for row in ids:
        tokens = frontend.ids_to_tokens(row)
        assert tokens == list(frontend.tokenizer.convert_ids_to_tokens(row))
        assert frontend.tokens_to_ids(tokens) == row
    unk = frontend.tokenizer.unk_token_id
    assert frontend.tokens_to_ids(["<no such token>"]) == [unk]


# -- engine selection ----------------------------------------------------------------------------


def test_auto_backend_is_ct2_on_cpu_when_installed(monkeypatch):
    from ringkas import backends
    from ringkas.backends import cpu

    monkeypatch.setattr(backends, "ct2_available", lambda: True)
    monkeypatch.setattr(cpu, "int8_exact", lambda: True)
    assert resolve_backend("auto", "cpu") == "ct2"
    assert _resolved("auto", "cpu", "auto") == ("ct2", "int8")
    # oneDNN int8 without VNNI saturates 16-bit sums: the default falls back to exact float32.
    monkeypatch.setattr(cpu, "int8_exact", lambda: False)
    assert _resolved("auto", "cpu", "auto") == ("ct2", "none")
    monkeypatch.setattr(backends, "ct2_available", lambda: False)
    assert resolve_backend("auto", "cpu") == "torch"
    assert _resolved("auto", "cpu", "auto") == ("torch", "int8")


def _resolved(backend: str, device: str, quantize: str) -> tuple[str, str]:
    options = EngineOptions(backend=backend, device=device, quantize=quantize)
    resolved = resolve_engine_options(options)
    assert resolved == EngineOptions(
        backend=resolved.backend, device=device, quantize=resolved.quantize
    )  # only the "auto" engine choices change
    return resolved.backend, resolved.quantize


def test_auto_backend_stays_torch_on_gpu_and_explicit_choices_win(monkeypatch):
    from ringkas import backends

    monkeypatch.setattr(backends, "ct2_available", lambda: True)
    assert resolve_backend("auto", "cuda:1") == "torch"
    assert resolve_backend("auto", "mps") == "torch"
    assert resolve_quantize("torch", "cuda", "auto") == "none"
    assert resolve_quantize("ct2", "cuda", "auto") == "auto"
    assert _resolved("torch", "cpu", "none") == ("torch", "none")
    assert _resolved("ct2", "cpu", "float32") == ("ct2", "float32")
    assert _resolved("torch", "cpu", "auto") == ("torch", "int8")


def test_auto_device_asks_torch(monkeypatch):
    import torch

    from ringkas import backends

    monkeypatch.setattr(backends, "ct2_available", lambda: True)
    monkeypatch.setattr(torch.cuda, "is_available", lambda: False)
    assert resolve_backend("auto", "auto") == "ct2"
    monkeypatch.setattr(torch.cuda, "is_available", lambda: True)
    assert _resolved("auto", "auto", "auto") == ("torch", "none")


def test_unknown_backend_lists_the_choices():
    with pytest.raises(ConfigError, match="backend must be one of auto, torch, ct2; got 'onnx'"):
        EngineOptions(backend="onnx")


def test_importing_ringkas_loads_neither_torch_nor_ctranslate2():
    code = (
        "import sys, ringkas, ringkas.backends, ringkas.bench, ringkas.bench_cli; "
        "bad = [m for m in ('torch', 'ctranslate2', 'transformers') if m in sys.modules]; "
        "assert not bad, bad"
    )
    subprocess.run([sys.executable, "-c", code], check=True)


def test_int8_library_follows_vendor_and_ct2_use_mkl(monkeypatch):
    from ringkas.backends import cpu

    monkeypatch.delenv("CT2_USE_MKL", raising=False)
    monkeypatch.setattr(cpu, "_cpuinfo", lambda: ("AuthenticAMD", frozenset({"avx2"})))
    monkeypatch.setattr(cpu.platform, "machine", lambda: "x86_64")
    assert (cpu.cpu_vendor(), cpu.has_vnni(), cpu.int8_library()) == ("amd", False, "onednn")
    assert not cpu.int8_exact()
    monkeypatch.setenv("CT2_USE_MKL", "1")
    assert cpu.int8_library() == "mkl"
    assert cpu.int8_exact()
    monkeypatch.setattr(cpu, "_cpuinfo", lambda: ("AuthenticAMD", frozenset({"avx512_vnni"})))
    monkeypatch.setenv("CT2_USE_MKL", "0")
    assert cpu.int8_library() == "onednn"
    assert cpu.int8_exact()
    monkeypatch.delenv("CT2_USE_MKL")
    monkeypatch.setattr(cpu, "_cpuinfo", lambda: ("GenuineIntel", frozenset({"avx2"})))
    assert cpu.int8_library() == "mkl"
    assert cpu.int8_exact()
