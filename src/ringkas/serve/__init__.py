"""``ringkas serve``: the library over HTTP, batching concurrent requests together.

Today's servers of this field (LibreTranslate, EasyNMT's REST image) run one model call per
request; ringkas feeds every request through :class:`~ringkas.aio.AsyncRingkas`, so concurrent
requests share model batches. The app (:func:`create_app`) is FastAPI; ``ringkas serve`` runs it
with uvicorn. Importing this package imports neither (``ringkas --help`` stays fast, and a
missing ``ringkas[serve]`` extra is reported when the command is used). See docs/serving.md.
"""

from __future__ import annotations

import argparse
import signal
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ringkas.cli_batch import _ringkas_options

if TYPE_CHECKING:
    from fastapi import FastAPI

    from ringkas.pipeline import Ringkas

__all__ = ["ServeSettings", "add_parser", "create_app", "ringkas_options"]


@dataclass(frozen=True)
class ServeSettings:
    """Limits and batching of one server (``ringkas serve --help`` documents each)."""

    max_body_bytes: int = 1 << 20
    max_items: int = 64
    max_wait_ms: float = 5.0
    max_batch_items: int = 64
    max_queue: int = 256
    request_timeout_s: float = 60.0
    retry_after_s: int = 1
    workers: int = 2
    load_languages: tuple[str, ...] = ("id", "en")


def create_app(ringkas: Ringkas, settings: ServeSettings | None = None) -> FastAPI:
    """The FastAPI app serving ``ringkas``; models load in the background at start-up."""
    from ringkas.serve.app import build_app  # fastapi only when an app is wanted

    return build_app(ringkas, settings or ServeSettings())


def ringkas_options(args: argparse.Namespace) -> dict[str, Any]:
    """``Ringkas`` keywords from the model/engine flags shared with ``ringkas process``."""
    steps = tuple(s.strip() for s in args.steps.split(",") if s.strip())
    return _ringkas_options("process", args, steps)


EPILOG = """\
examples:
  ringkas serve                                   # http://127.0.0.1:8000, default models
  ringkas serve --route id-en=./opus-mt-id-en --summary-model ./mt5-xlsum --port 9000
  curl -s localhost:8000/v1/translate -H 'content-type: application/json' \\
       -d '{"texts": ["Harga beras naik minggu ini."], "source_lang": "id"}'

Endpoints: /v1/process /v1/translate /v1/summarize /v1/detect /v1/extract /v1/models,
/healthz /readyz /metrics, LibreTranslate's /translate /detect /languages; schema at /docs.
SIGTERM finishes the requests in flight and refuses new ones. Full reference: docs/serving.md.
"""


def add_parser(commands: argparse._SubParsersAction[Any]) -> None:
    """The ``serve`` subcommand (a CLI plugin: see ``ringkas.cli.PLUGINS``)."""
    from ringkas.cli import _FORMATTER, _add_model_options, _positive_int

    defaults = ServeSettings()
    p = commands.add_parser(
        "serve",
        help="serve the API over HTTP, batching concurrent requests together",
        description="Serve ringkas over HTTP (JSON API and LibreTranslate-compatible "
        "endpoints); concurrent requests share model batches.",
        epilog=EPILOG,
        formatter_class=_FORMATTER,
        allow_abbrev=False,
    )
    net = p.add_argument_group("server")
    net.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    net.add_argument("--port", type=int, default=8000, help="port (default 8000; 0: any free)")
    net.add_argument(
        "--steps",
        default="clean,detect,summarize,translate",
        help="steps of /v1/process: a subset of clean,detect,summarize,translate (default all)",
    )
    net.add_argument("--target-lang", default="en", help="translation language (default en)")
    net.add_argument("--summary-lang", default="id", help="summary language (default id)")
    net.add_argument("--summary-beams", type=_positive_int, metavar="N", help="summariser beams")
    net.add_argument(
        "--summary-max-new-tokens", type=_positive_int, metavar="N", help="longest summary"
    )
    limits = p.add_argument_group("limits and batching")
    limits.add_argument(
        "--max-body-bytes",
        type=_positive_int,
        default=defaults.max_body_bytes,
        metavar="N",
        help=f"largest request body; larger ones get 413 (default {defaults.max_body_bytes})",
    )
    limits.add_argument(
        "--max-items",
        type=_positive_int,
        default=defaults.max_items,
        metavar="N",
        help=f"texts or articles per request; more get 413 (default {defaults.max_items})",
    )
    limits.add_argument(
        "--max-wait-ms",
        type=float,
        default=defaults.max_wait_ms,
        metavar="MS",
        help=f"how long a request waits for others to share its batch (default "
        f"{defaults.max_wait_ms:g})",
    )
    limits.add_argument(
        "--max-batch-items",
        type=_positive_int,
        default=defaults.max_batch_items,
        metavar="N",
        help=f"texts per shared batch (default {defaults.max_batch_items})",
    )
    limits.add_argument(
        "--max-queue",
        type=_positive_int,
        default=defaults.max_queue,
        metavar="N",
        help=f"requests waiting per operation before 503 (default {defaults.max_queue})",
    )
    limits.add_argument(
        "--timeout",
        type=float,
        default=defaults.request_timeout_s,
        metavar="SECONDS",
        help=f"per-request limit; slower requests get 504 (default {defaults.request_timeout_s:g})",
    )
    limits.add_argument(
        "--workers",
        type=_positive_int,
        default=defaults.workers,
        metavar="N",
        help=f"threads running batches (default {defaults.workers})",
    )
    _add_model_options(p, summary=True, translation=True)
    p.set_defaults(func=_serve)


def _serve(args: argparse.Namespace) -> int:
    from ringkas.cli import EXIT_OK, EXIT_USAGE, UsageError, _setup_logging
    from ringkas.cli_batch import _model_error
    from ringkas.errors import ConfigError
    from ringkas.pipeline import Ringkas

    if args.source_lang:
        raise UsageError("--source-lang does not apply to serve: send 'lang' with each article")
    try:
        import uvicorn
    except ImportError:
        raise UsageError(
            'ringkas serve needs FastAPI and uvicorn: pip install "ringkas[serve]"'
        ) from None
    _setup_logging(quiet=False)
    try:
        ringkas = Ringkas(**ringkas_options(args))
    except (ConfigError, KeyError) as exc:
        raise UsageError(str(exc)) from exc
    except Exception as exc:  # a model folder that cannot be read, ...
        raise UsageError(_model_error(exc)) from exc
    settings = ServeSettings(
        max_body_bytes=args.max_body_bytes,
        max_items=args.max_items,
        max_wait_ms=args.max_wait_ms,
        max_batch_items=args.max_batch_items,
        max_queue=args.max_queue,
        request_timeout_s=args.timeout,
        workers=args.workers,
    )
    try:
        app = create_app(ringkas, settings)
    except ImportError as exc:
        return _say_usage(f"ringkas serve needs 'ringkas[serve]': {exc}", EXIT_USAGE)
    config = uvicorn.Config(
        app,
        host=args.host,
        port=args.port,
        log_level="info",
        # SIGTERM: in-flight requests get up to one request timeout to finish.
        timeout_graceful_shutdown=int(settings.request_timeout_s) + 5,
        access_log=False,
    )
    server = uvicorn.Server(config)
    stopped_by: list[int] = []

    def record(signum: int, frame: object) -> None:
        # Before uvicorn takes over the signals: stop as it would. After: uvicorn re-raises
        # the signal it handled, and the exit code says which.
        stopped_by.append(signum)
        server.should_exit = True

    previous = {sig: signal.signal(sig, record) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        server.run()
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    # Same exit codes as the batch commands: 130/143 after a clean stop on SIGINT/SIGTERM.
    return 128 + stopped_by[-1] if stopped_by else EXIT_OK


def _say_usage(message: str, code: int) -> int:
    from ringkas.cli import _say

    _say(f"error: {message}")
    return code
