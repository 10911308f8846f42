"""Fixtures for the evaluation tests: a tiny CLI harness (shared_data: tests/conftest.py)."""

from __future__ import annotations

import argparse
from collections.abc import Callable, Sequence

import pytest

from ringkas.evaluate.cli import add_parser

CliRunner = Callable[[Sequence[str]], tuple[int, str, str]]


@pytest.fixture
def run_cli(capsys: pytest.CaptureFixture[str]) -> CliRunner:
    """Parse ``argv`` with a root parser that only has ``eval``, run it, return (code, out, err)."""

    def run(argv: Sequence[str]) -> tuple[int, str, str]:
        parser = argparse.ArgumentParser(prog="ringkas")
        add_parser(parser.add_subparsers())
        args = parser.parse_args(list(argv))
        code = args.func(args)
        captured = capsys.readouterr()
        return code, captured.out, captured.err

    return run
