"""Engine and batching options: one spelling per value, one default, the same in every CLI."""

from __future__ import annotations

import argparse
import dataclasses
import re

import pytest

from ringkas import BatchOptions, ConfigError, EngineOptions
from ringkas.cli import build_parser
from ringkas.cli_options import batching_from_args, engine_from_args

#: Each parser that runs models: (command line, subcommands down to it).
PARSERS = [
    pytest.param(["translate", "in.txt"], ("translate",), id="translate"),
    pytest.param(["summarize", "in.txt"], ("summarize",), id="summarize"),
    pytest.param(["process", "in.txt"], ("process",), id="process"),
    pytest.param(["bench"], ("bench",), id="bench"),
    pytest.param(["eval", "run", "--dataset", "x", "--path", "p"], ("eval", "run"), id="eval-run"),
]


def _subparser(parser: argparse.ArgumentParser, names: tuple[str, ...]) -> argparse.ArgumentParser:
    for name in names:
        [sub] = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        parser = sub.choices[name]
    return parser


@pytest.fixture
def no_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RINGKAS_DEVICE", raising=False)
    monkeypatch.delenv("RINGKAS_BACKEND", raising=False)


@pytest.mark.usefixtures("no_env")
@pytest.mark.parametrize(("argv", "names"), PARSERS)
def test_no_flags_give_the_library_defaults(argv: list[str], names: tuple[str, ...]) -> None:
    args = build_parser().parse_args(argv)
    assert engine_from_args(args) == EngineOptions()
    assert batching_from_args(args) == BatchOptions()


@pytest.mark.parametrize(("argv", "names"), PARSERS)
def test_help_shows_the_library_defaults(argv: list[str], names: tuple[str, ...]) -> None:
    text = re.sub(r"\s+", " ", _subparser(build_parser(), names).format_help())
    engine, batching = EngineOptions(), BatchOptions()
    assert f"else {engine.device})" in text
    assert f"else {engine.backend}:" in text
    assert f"(default {engine.dtype}:" in text
    assert f"(default {engine.quantize})" in text
    assert f"(default {batching.max_tokens})" in text
    assert f"(default {batching.max_batch_size})" in text
    assert "4096" not in text  # the old, wrong token budget


def test_environment_sets_device_and_backend_and_flags_win(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("RINGKAS_DEVICE", "cpu")
    monkeypatch.setenv("RINGKAS_BACKEND", "torch")
    parser = build_parser()
    args = parser.parse_args(["translate", "in.txt"])
    assert engine_from_args(args) == EngineOptions(device="cpu", backend="torch")
    args = parser.parse_args(
        ["translate", "in.txt", "--backend", "ct2", "--quantize", "none", "--threads", "2"]
    )
    assert engine_from_args(args) == EngineOptions(
        device="cpu", backend="ct2", quantize="none", num_threads=2
    )
    args = parser.parse_args(
        ["eval", "run", "--dataset", "x", "--path", "p", "--batch-tokens", "2048"]
    )
    assert batching_from_args(args) == BatchOptions(max_tokens=2048)


def test_bad_environment_values_name_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RINGKAS_DEVICE", "gpu")
    with pytest.raises(ConfigError, match="RINGKAS_DEVICE='gpu' is not one of auto, cpu"):
        EngineOptions.from_env()


@pytest.mark.parametrize("spelling", ["no", "off", "None", "default"])
def test_the_cli_accepts_one_spelling_of_no_quantization(
    spelling: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit):
        build_parser().parse_args(["translate", "in.txt", "--quantize", spelling])
    assert "invalid choice" in capsys.readouterr().err


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("backend", "onnx", "backend must be one of auto, torch, ct2; got 'onnx'"),
        ("quantize", None, "quantize must be one of auto, none, int8, "),
        ("quantize", "off", "quantize must be one of"),
        ("dtype", "fp16", "dtype must be one of auto, float32, float16, bfloat16"),
        ("device", "gpu", "device must be auto, cpu, cuda, cuda:N or mps"),
        ("num_threads", 0, "num_threads must be a positive integer"),
    ],
)
def test_bad_engine_values_fail_when_constructed(field: str, value: object, message: str) -> None:
    with pytest.raises(ConfigError, match=re.escape(message)):
        EngineOptions(**{field: value})  # type: ignore[arg-type]


def test_batch_options_are_validated_and_frozen() -> None:
    with pytest.raises(ConfigError, match="max_tokens must be a positive integer"):
        BatchOptions(max_tokens=0)
    with pytest.raises(ConfigError, match="max_batch_size must be a positive integer or None"):
        BatchOptions(max_batch_size=0)
    assert BatchOptions(max_batch_size=None).max_batch_size is None
    with pytest.raises(dataclasses.FrozenInstanceError):
        BatchOptions().max_tokens = 1  # type: ignore[misc]
    with pytest.raises(dataclasses.FrozenInstanceError):
        EngineOptions().backend = "torch"  # type: ignore[misc]


def test_the_api_takes_option_objects_and_rejects_anything_else() -> None:
    from ringkas import Ringkas, Summarizer, Translator

    with pytest.raises(ConfigError, match=r"engine= takes a ringkas.EngineOptions, got dict"):
        Translator(engine={"device": "cpu"})  # type: ignore[arg-type]
    with pytest.raises(ConfigError, match=r"batching= takes a ringkas.BatchOptions"):
        Summarizer(method="lead", batching=8192)  # type: ignore[arg-type]
    engine, batching = EngineOptions(device="cpu"), BatchOptions(max_tokens=1024)
    pipeline = Ringkas(steps=["clean"], engine=engine, batching=batching)
    assert pipeline.translator.engine_options is engine
    assert pipeline.summarizer.translator.batching is batching
    with pytest.raises(TypeError):
        Translator(device="cpu")  # type: ignore[call-arg]  # the loose keywords are gone
