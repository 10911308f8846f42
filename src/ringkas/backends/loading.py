"""Engines built once and shared by every caller: the cache, its load locks, quiet loading.

``import ringkas`` stays light: the engine modules (torch, transformers, ctranslate2) are imported
only when a model loads.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any, ParamSpec

from ringkas.backends import Engine, resolve_engine_options
from ringkas.backends.common import MODEL_LOAD_LOCK
from ringkas.config import EngineOptions
from ringkas.errors import ModelLoadError
from ringkas.models import ModelSpec, locate

__all__ = ["clear_engine_cache", "load_engine", "show_load_progress"]

log = logging.getLogger("ringkas")

_ENGINES: dict[tuple[Any, ...], Engine] = {}
_ENGINES_LOCK = threading.Lock()
_LOAD_LOCKS: dict[tuple[Any, ...], threading.Lock] = {}


_P = ParamSpec("_P")
_PROGRESS_LOCK = threading.Lock()
_quiet_loads = 0
_bars_were_on = (False, False)
#: Whether model loads show Hugging Face's progress bars; off for the library, the CLI turns it on.
_show_load_progress = False


def show_load_progress(enabled: bool = True) -> None:
    """Let model loads print Hugging Face's progress bars (off by default: a library is quiet)."""
    global _show_load_progress
    _show_load_progress = enabled


def _quiet_loading(load: Callable[_P, Engine]) -> Callable[_P, Engine]:
    """Hide transformers' "Loading weights" and the Hub's download bars while ``load`` runs.

    Both switches are process-wide, so they are counted: the bars come back (if they were on)
    when the last concurrent load ends. transformers is imported here only when it is already
    loaded or about to be, so ``import ringkas`` stays light.
    """

    @functools.wraps(load)
    def quietly(*args: _P.args, **kwargs: _P.kwargs) -> Engine:
        global _quiet_loads, _bars_were_on
        if _show_load_progress:
            return load(*args, **kwargs)
        try:  # lazily: heavy, and only needed once a model is about to load
            import huggingface_hub.utils as hub_utils
            from transformers.utils import logging as hf_logging
        except ImportError:
            return load(*args, **kwargs)
        with _PROGRESS_LOCK:
            if _quiet_loads == 0:
                _bars_were_on = (
                    hf_logging.is_progress_bar_enabled(),
                    not hub_utils.are_progress_bars_disabled(),
                )
                hf_logging.disable_progress_bar()
                hub_utils.disable_progress_bars()
            _quiet_loads += 1
        try:
            return load(*args, **kwargs)
        finally:
            with _PROGRESS_LOCK:
                _quiet_loads -= 1
                if _quiet_loads == 0:
                    if _bars_were_on[0]:
                        hf_logging.enable_progress_bar()
                    if _bars_were_on[1]:
                        hub_utils.enable_progress_bars()

    return quietly


@_quiet_loading
def load_engine(spec: ModelSpec, options: EngineOptions | None = None) -> Engine:
    """The engine for ``spec``, loaded on first use and shared by every later caller.

    ``options`` (default ``EngineOptions()``) says which engine, device, dtype and quantization;
    its ``"auto"`` values are resolved first, so that ``"auto"`` and its resolution share one
    cached engine. int8 outputs may differ slightly from fp32 ones.
    """
    requested = options if options is not None else EngineOptions()
    resolved = resolve_engine_options(requested)
    key = (spec.source, spec.revision, spec.family, resolved)
    with _ENGINES_LOCK:
        engine = _ENGINES.get(key)
        if engine is not None:
            return engine
        load_lock = _LOAD_LOCKS.setdefault(key, threading.Lock())
    with load_lock:  # one load per model, other callers of the same model wait for it
        with _ENGINES_LOCK:
            engine = _ENGINES.get(key)
        if engine is not None:
            return engine
        folder = locate(spec)
        with MODEL_LOAD_LOCK:  # first imports of transformers race across threads (see there)
            if resolved.backend == "torch":
                engine = _load_torch(spec, folder, resolved)
            else:
                engine = _load_ct2_or_torch(spec, folder, resolved, requested)
        with _ENGINES_LOCK:
            _ENGINES[key] = engine
        return engine


def _load_torch(spec: ModelSpec, folder: Path, options: EngineOptions) -> Engine:
    # Lazily: the torch engine imports torch and transformers.
    from ringkas.backends.torch_backend import TorchEngine

    return TorchEngine(
        spec, folder, device=options.device, dtype=options.dtype, quantize=options.quantize,
        num_threads=options.num_threads,
    )  # fmt: skip


def _load_ct2_or_torch(
    spec: ModelSpec, folder: Path, resolved: EngineOptions, requested: EngineOptions
) -> Engine:
    """A CTranslate2 engine; with ``backend="auto"``, torch where CTranslate2 cannot convert."""
    # Lazily: the CTranslate2 engine imports ctranslate2 and transformers' tokenizers.
    from ringkas.backends.ct2_backend import CT2Engine

    try:
        return CT2Engine(
            spec, folder, device=resolved.device, quantize=resolved.quantize,
            num_threads=resolved.num_threads,
        )  # fmt: skip
    except ModelLoadError as exc:
        if requested.backend != "auto":
            raise
        # "auto" must not fail where torch works: some models (e.g. a Marian model with
        # <pad> at id 0) run in transformers but CTranslate2's converter rejects them.
        log.warning(
            "CTranslate2 cannot load %s (%s); using the torch engine instead", spec.name, exc
        )
        return _load_torch(
            spec, folder, resolve_engine_options(dataclasses.replace(requested, backend="torch"))
        )


def clear_engine_cache() -> None:
    """Forget every loaded engine (frees memory once no caller holds them)."""
    with _ENGINES_LOCK:
        _ENGINES.clear()
        _LOAD_LOCKS.clear()
