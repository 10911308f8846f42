"""Inference engines behind one protocol: PyTorch (transformers) and CTranslate2.

The rest of ringkas only calls :class:`Engine` methods, so engines are interchangeable with one
option (``backend="torch"`` or ``backend="ct2"``). Engines serialise their own calls with a lock:
one engine can be shared by many threads.

``backend="auto"`` and ``quantize="auto"`` mean "the fastest engine this machine has"
(:func:`resolve_engine_options`): on CPU that is CTranslate2 when ``ctranslate2`` is installed
(int8 where its int8 kernels are exact, i.e. Intel MKL or oneDNN with VNNI; float32 otherwise,
see :mod:`ringkas.backends.cpu`) and torch dynamic int8 otherwise; on a GPU it is torch in
bf16/fp16. int8 outputs may differ slightly from fp32 ones; pass
``EngineOptions(backend="torch", quantize="none")`` for the reference outputs.
"""

from __future__ import annotations

import dataclasses
import importlib.util
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Protocol, runtime_checkable

from ringkas.backends import cpu
from ringkas.config import BACKENDS, EngineOptions

if TYPE_CHECKING:
    from ringkas.config import GenerationOptions
    from ringkas.models import ModelSpec

__all__ = [
    "BACKENDS",
    "Engine",
    "EngineOptions",
    "Generated",
    "ct2_available",
    "engine_label",
    "resolve_backend",
    "resolve_engine_options",
    "resolve_quantize",
]


@dataclass(frozen=True)
class Generated:
    """One decoded output."""

    text: str
    n_tokens: int
    #: True when decoding stopped at ``max_new_tokens`` without an end-of-sequence token.
    hit_limit: bool = False


@runtime_checkable
class Engine(Protocol):
    """What translate, summarize and the benchmarks need from an inference engine."""

    spec: ModelSpec
    device: str

    def encode(self, texts: Sequence[str], *, source_lang: str | None = None) -> list[list[int]]:
        """Token ids of each text as the model will see it (prefix and special tokens included)."""
        ...

    def count_tokens(self, text: str, *, source_lang: str | None = None) -> int:
        """Length of ``encode([text])[0]``."""
        ...

    def default_options(self) -> GenerationOptions:
        """The model's published generation settings (registry, then ``generation_config``)."""
        ...

    def generate(
        self,
        inputs: Sequence[Sequence[int]],
        *,
        target_lang: str | None = None,
        options: GenerationOptions,
    ) -> list[Generated]:
        """Decode one batch of encoded inputs; the result is independent of batch composition."""
        ...


def ct2_available() -> bool:
    """Whether the optional ``ctranslate2`` package is importable (checked without importing it)."""
    return importlib.util.find_spec("ctranslate2") is not None


def _device_kind(device: str) -> str:
    """``cpu``, ``cuda`` or ``mps``; ``"auto"`` asks torch (already needed to load a model)."""
    kind = device.split(":", 1)[0]
    if kind != "auto":
        return kind
    import torch

    if torch.cuda.is_available():
        return "cuda"
    mps = getattr(torch.backends, "mps", None)
    if mps is not None and mps.is_available():
        return "mps"
    return "cpu"


def resolve_backend(backend: str, device: str) -> str:
    """``"torch"`` or ``"ct2"``: ``"auto"`` is CTranslate2 on CPU when installed, else torch.

    On GPU ``"auto"`` stays with torch (bf16/fp16 with SDPA attention), which is what ringkas
    has measured there; ``backend="ct2"`` remains available explicitly.
    """
    if backend != "auto":
        return backend
    if _device_kind(device) == "cpu" and ct2_available():
        return "ct2"
    return "torch"


def resolve_quantize(backend: str, device: str, quantize: str) -> str:
    """The quantization an engine gets: ``"auto"`` is int8 on CPU, except CTranslate2 float32
    (``"none"``) where its int8 kernel library is not exact on this CPU (oneDNN without VNNI).

    On GPU ``"auto"`` is ``"none"`` for torch (``dtype="auto"`` picks bf16/fp16) and ``"auto"``
    for CTranslate2 (which picks float16, or bfloat16/float32 for T5). Anything else is passed on.
    """
    if quantize != "auto":
        return quantize
    resolved = resolve_backend(backend, device)
    if _device_kind(device) == "cpu":
        return "int8" if resolved == "torch" or cpu.int8_exact() else "none"
    return "auto" if resolved == "ct2" else "none"


def resolve_engine_options(options: EngineOptions) -> EngineOptions:
    """``options`` with ``backend`` and ``quantize`` resolved for this machine: the one place
    where ``"auto"`` gets a meaning.

    ``load_engine`` calls this first, so that ``"auto"`` and its resolution share one cached
    engine. ``device="auto"`` stays (the engine resolves it; asking needs torch).
    """
    backend = resolve_backend(options.backend, options.device)
    quantize = resolve_quantize(backend, options.device, options.quantize)
    return dataclasses.replace(options, backend=backend, quantize=quantize)


def engine_label(backend: str, quantize: str, device: str = "cpu") -> str:
    """``engine/compute type/int8 library`` as routes and benchmark reports record it."""
    compute = (
        quantize
        if quantize not in ("none", "default")
        else ("float32" if _device_kind(device) == "cpu" else "default")
    )
    label = f"{backend}/{compute}"
    if "int8" in quantize and _device_kind(device) == "cpu":
        if backend == "ct2":
            label += f"/{cpu.int8_library()}"
        else:
            import torch  # already loaded by the torch engine that ran

            label += f"/{torch.backends.quantized.engine}"
    return label
