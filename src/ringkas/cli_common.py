"""What every part of the ``ringkas`` command shares: exit codes, usage errors, stderr."""

from __future__ import annotations

import logging
import os
import sys

__all__ = [
    "EXIT_CRASHED",
    "EXIT_FAILED",
    "EXIT_OK",
    "EXIT_PIPE",
    "EXIT_USAGE",
    "PROG",
    "UsageError",
]

EXIT_OK = 0
EXIT_FAILED = 1
EXIT_USAGE = 2
#: The run itself failed: not every record got its output line (resume with --resume).
EXIT_CRASHED = 3
EXIT_PIPE = 128 + 13  # the shell's code for SIGPIPE: stdout was closed before the end

PROG = "ringkas"

log = logging.getLogger("ringkas")


class UsageError(Exception):
    """A problem with the command line, the input as a whole or the models: exit 2, one line."""


class _Interrupted(BaseException):
    """Raised by the signal handler to abandon work at once (BaseException: never recorded as
    an article's error by ``except Exception`` in the pipeline)."""

    def __init__(self, signum: int) -> None:
        super().__init__(signum)
        self.signum = signum


def _say(message: str) -> None:
    print(f"{PROG}: {message}", file=sys.stderr, flush=True)


class _StderrHandler(logging.Handler):
    """Writes to whatever ``sys.stderr`` is at the time (tests swap it)."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            print(f"{PROG}: {self.format(record)}", file=sys.stderr, flush=True)
        except Exception:  # logging must never break the run
            self.handleError(record)


def _setup_logging(*, quiet: bool) -> None:
    if not any(isinstance(h, _StderrHandler) for h in log.handlers):
        log.addHandler(_StderrHandler())
        log.propagate = False
    log.setLevel(logging.WARNING if quiet else logging.INFO)


def _quiet_hugging_face() -> None:
    """--quiet silences Hugging Face's own bars (downloads, weight loading) too."""
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    if "transformers" in sys.modules:  # already imported: the variable was read at import
        sys.modules["transformers"].utils.logging.disable_progress_bar()
    elif "huggingface_hub" in sys.modules:
        sys.modules["huggingface_hub"].utils.disable_progress_bars()


def _silence_stdout() -> None:
    """After EPIPE, point stdout at /dev/null so the interpreter's final flush stays quiet."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)
    except (OSError, ValueError, AttributeError):  # stdout is not a real file (tests)
        pass
