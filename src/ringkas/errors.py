"""The one exception tree of ringkas.

Every error ringkas raises on purpose derives from :class:`RingkasError`, so a service can catch
them all in one place, and each message says what to do next::

    RingkasError
    ├── ConfigError (ValueError)            an option or setting has an invalid value
    ├── InputError (ValueError)             an input record or text cannot be processed
    │   ├── UnsupportedLanguageError        no model or route for this language
    │   ├── DuplicateIdError                a record repeats an earlier record's id
    │   └── LimitExceededError              a record is over a size/depth/length limit
    ├── InputReadError (OSError)            an input file cannot be read past some line
    ├── ModelError                          anything about models
    │   ├── UnknownModelError (KeyError)    a name that is neither registered nor a folder
    │   ├── ModelLoadError                  a model that cannot be loaded (offline, corrupt, ...)
    │   └── GenerationError                 the model failed while generating
    ├── MissingDependencyError (ImportError) an optional extra is not installed
    ├── UnexpectedError                     a record failed in a way ringkas did not foresee
    ├── OverloadedError                     the async queue is full: retry after a moment
    └── DataError                           an evaluation dataset or file is malformed
"""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "DataError",
    "DuplicateIdError",
    "GenerationError",
    "InputError",
    "InputReadError",
    "LimitExceededError",
    "MissingDependencyError",
    "ModelError",
    "ModelLoadError",
    "OverloadedError",
    "RingkasError",
    "UnexpectedError",
    "UnknownModelError",
    "UnsupportedLanguageError",
]


class RingkasError(Exception):
    """Root of every error ringkas raises on purpose."""


class ConfigError(RingkasError, ValueError):
    """An option or setting has an invalid value; the message lists the valid choices."""


class InputError(RingkasError, ValueError):
    """An input record or text cannot be processed (not a string, empty, no language, ...)."""


class UnsupportedLanguageError(InputError):
    """No registered model or route serves this language (pair)."""


class DuplicateIdError(InputError):
    """A record repeats the id of an earlier one: it is reported, not merged or processed."""


class LimitExceededError(InputError):
    """A record is over a configured limit (bytes, JSON depth, digits, tokens, map-reduce rounds).

    The message names the limit and the option that raises it; the run goes on with the next
    record.
    """


class InputReadError(RingkasError, OSError):
    """An input file cannot be read past some line (a corrupt or truncated compressed file).

    Unlike :class:`InputError`, it is not one record's fault: the records after that line
    cannot be read at all, so a batch run stops; what it wrote stays valid for ``--resume``.
    """


class ModelError(RingkasError):
    """Base class for model registry, loading and generation errors."""


class UnknownModelError(ModelError, KeyError):
    """A model name that is neither registered nor an existing local folder.

    It is also a ``KeyError``, because a registry miss is a key miss.
    """

    def __str__(self) -> str:  # KeyError would repr() the message and add quotes
        return str(self.args[0]) if self.args else ""


class ModelLoadError(ModelError):
    """A model that cannot be loaded: not cached while offline, corrupt folder, ..."""


class GenerationError(ModelError):
    """The model failed while generating (for instance out of memory even at batch size 1)."""


class MissingDependencyError(RingkasError, ImportError):
    """An optional dependency is missing; the message names the extra to install."""


class UnexpectedError(RingkasError):
    """One record failed with an exception ringkas did not foresee (a bug: please report it).

    The message keeps the original exception's type and text; the run goes on.
    """


class OverloadedError(RingkasError):
    """The async API's queue is full: the request was refused at once instead of waiting.

    ``retry_after`` is a hint in seconds (a service sends it as ``Retry-After`` with a 503).
    """

    def __init__(self, message: str, *, retry_after: float = 1.0) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class DataError(RingkasError, ValueError):
    """An evaluation dataset or hypothesis/reference file is malformed or inconsistent."""


def missing_dependency(package: str, extra: str, purpose: str) -> MissingDependencyError:
    """Build the error for a missing optional package, naming the pip extra that provides it."""
    return MissingDependencyError(
        f"{purpose} needs the '{package}' package, which is not installed. "
        f'Install it with: pip install "ringkas[{extra}]"'
    )
