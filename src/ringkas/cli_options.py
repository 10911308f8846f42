"""The engine and batching flags of every command line (``ringkas``, ``ringkas bench``,
``ringkas eval``), added by one function and read back into one pair of option objects.

Defaults are stated once, in :class:`~ringkas.config.EngineOptions` and
:class:`~ringkas.config.BatchOptions`; the ``--help`` text is written from them, and a flag not
given keeps them (``--device``/``--backend`` after ``$RINGKAS_DEVICE``/``$RINGKAS_BACKEND``).
"""

from __future__ import annotations

import argparse
import dataclasses
from typing import Any

from ringkas.config import (
    BACKENDS,
    DTYPES,
    QUANTIZE_CHOICES,
    BatchOptions,
    EngineOptions,
)

__all__ = ["add_engine_flags", "batching_from_args", "engine_from_args"]

_ENGINE_DEFAULTS = {f.name: f.default for f in dataclasses.fields(EngineOptions)}
_BATCH_DEFAULTS = {f.name: f.default for f in dataclasses.fields(BatchOptions)}


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def add_engine_flags(
    parser: argparse.ArgumentParser, *, batching: bool = True, title: str = "engine"
) -> None:
    """Add ``--device --backend --dtype --quantize --threads`` (and, with ``batching``,
    ``--batch-tokens --max-batch-size``) to ``parser``; read them with :func:`engine_from_args`
    and :func:`batching_from_args`."""
    engine = parser.add_argument_group(title)
    engine.add_argument(
        "--device",
        metavar="DEVICE",
        help="auto, cpu, cuda, cuda:1, mps (default: $RINGKAS_DEVICE, else "
        f"{_ENGINE_DEFAULTS['device']})",
    )
    engine.add_argument(
        "--backend",
        choices=BACKENDS,
        help=f"{', '.join(BACKENDS)} (default: $RINGKAS_BACKEND, else "
        f"{_ENGINE_DEFAULTS['backend']}: CTranslate2 on CPU when installed, else torch)",
    )
    engine.add_argument(
        "--dtype",
        choices=DTYPES,
        help=f"{', '.join(DTYPES)} (default {_ENGINE_DEFAULTS['dtype']}: float32 on CPU, "
        "bfloat16/float16 on GPU)",
    )
    engine.add_argument(
        "--quantize",
        choices=QUANTIZE_CHOICES,
        metavar="TYPE",
        help="auto (int8 on CPU where exact), none (exact fp32 reference outputs), int8, or a "
        f"CTranslate2 compute type: {', '.join(QUANTIZE_CHOICES[3:])} "
        f"(default {_ENGINE_DEFAULTS['quantize']})",
    )
    engine.add_argument(
        "--threads",
        type=_positive_int,
        metavar="N",
        help="CPU threads (default: the engine's)",
    )
    if batching:
        engine.add_argument(
            "--batch-tokens",
            type=_positive_int,
            metavar="N",
            help=f"padded input tokens per model batch (default {_BATCH_DEFAULTS['max_tokens']})",
        )
        engine.add_argument(
            "--max-batch-size",
            type=_positive_int,
            metavar="N",
            help=f"inputs per model batch (default {_BATCH_DEFAULTS['max_batch_size']})",
        )


def engine_from_args(args: argparse.Namespace) -> EngineOptions:
    """The :class:`EngineOptions` of parsed flags; a flag not given keeps the environment's or
    the library's default. Raises :class:`~ringkas.errors.ConfigError` for a bad value."""
    given: dict[str, Any] = {
        "device": getattr(args, "device", None),
        "backend": getattr(args, "backend", None),
        "dtype": getattr(args, "dtype", None),
        "quantize": getattr(args, "quantize", None),
        "num_threads": getattr(args, "threads", None),
    }
    return EngineOptions.from_env(**given)


def batching_from_args(args: argparse.Namespace) -> BatchOptions:
    """The :class:`BatchOptions` of parsed flags (the library's defaults where not given)."""
    given = {
        "max_tokens": getattr(args, "batch_tokens", None),
        "max_batch_size": getattr(args, "max_batch_size", None),
    }
    return BatchOptions(**{k: v for k, v in given.items() if v is not None})
