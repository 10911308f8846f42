"""Small helpers shared by the evaluation modules (private)."""

from __future__ import annotations

import importlib
import importlib.metadata
import sys
from types import ModuleType

from ringkas.errors import MissingDependencyError, missing_dependency


def require(module: str, *, package: str, extra: str, purpose: str) -> ModuleType:
    """Import an optional dependency, or raise the error that names the extra providing it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise missing_dependency(package, extra, purpose) from exc


def require_optional(module: str, *, package: str, purpose: str) -> ModuleType:
    """Import a package that is no extra of ringkas (BERTScore, COMET): say how to get it."""
    try:
        return importlib.import_module(module)
    except ImportError as exc:
        raise MissingDependencyError(
            f"{purpose} needs the '{package}' package, which is not installed "
            f"(ringkas does not depend on it: pip install {package})."
        ) from exc


def package_version(name: str) -> str | None:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return None


def ringkas_version() -> str:
    from ringkas import __version__

    return __version__


def versions() -> dict[str, str]:
    """Versions that can change a score or a timing: Python, ringkas and the libraries used."""
    found: dict[str, str] = {
        "python": sys.version.split()[0],
        "ringkas": ringkas_version(),
    }
    for name in ("sacrebleu", "rouge-score", "numpy", "bert-score", "unbabel-comet"):
        version = package_version(name)
        if version is not None:
            found[name] = version
    # Only report the model stack when it was actually loaded (importing it is not free).
    for module, name in (
        ("torch", "torch"),
        ("transformers", "transformers"),
        ("ctranslate2", "ctranslate2"),
    ):
        if module in sys.modules:
            version = package_version(name)
            if version is not None:
                found[name] = version
    return found
