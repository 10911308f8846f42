"""The CTranslate2 engine: the same :class:`~ringkas.backends.Engine` on a converted model.

CTranslate2 int8 decodes about 3x faster than torch fp32 batches on CPU. The Hugging Face folder
is converted once per quantization and cached next to the model (``<model>/ringkas-ct2-<q>/``),
or under ``$RINGKAS_CACHE_DIR`` (default ``~/.cache/ringkas``) when the folder is read-only or
belongs to the Hugging Face cache. Each conversion records a signature (source files' sizes,
mtimes and hashes, ctranslate2 and transformers versions, quantization); a model that changed is
reconverted. Conversions go to a temporary folder renamed into place, so concurrent processes
never see half a model.

Conversion works around what CTranslate2 4.8 gets wrong with transformers 5:

* T5/mT5: transformers 5 forces ``tie_word_embeddings=True`` and keeps the real flag in
  ``scale_decoder_outputs`` (T5, UMT5; mT5 never scales); CT2 reads the forced flag and scales
  decoder outputs by ``d_model**-0.5`` (argmax survives, beam search and scores do not). The
  flag is restored before conversion.
* BART/mBART: configs made by transformers 5 lack ``normalize_before``/``normalize_embedding``.
* The converter loads a tokenizer from the folder; ringkas hands it the one it already has, so
  no ``tokenizer.json`` is needed, with every token listed (transformers 5's M2M100 tokenizer
  hides its language tokens from ``get_vocab()``, and the conversion would fail on sizes).

Inputs are never truncated (``max_input_length=0``): ringkas splits texts to the model's window
before they get here. float32 outputs equal the torch engine's greedy outputs; int8 outputs may
differ slightly.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import shutil
import tempfile
import threading
import uuid
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from ringkas.backends import Generated, engine_label
from ringkas.backends.common import MODEL_LOAD_LOCK, FrontendEngine, TokenizerFrontend, full_vocab
from ringkas.config import GenerationOptions
from ringkas.errors import (
    ConfigError,
    GenerationError,
    MissingDependencyError,
    ModelLoadError,
    missing_dependency,
)
from ringkas.models import ModelSpec

__all__ = [
    "COMPUTE_TYPES",
    "CPU_BATCH_SIZE",
    "CT2Engine",
    "conversion_dir",
    "conversion_quantization",
    "convert_model",
    "ensure_converted",
    "source_signature",
]

log = logging.getLogger("ringkas")

#: What ``compute_type`` (``quantize=`` in ringkas) accepts; ``"auto"``: int8 on CPU,
#: float16 on GPU (bfloat16, else float32, for T5, whose activations overflow in float16).
COMPUTE_TYPES = (
    "default",
    "auto",
    "int8",
    "int8_float32",
    "int8_float16",
    "int8_bfloat16",
    "int16",
    "float16",
    "bfloat16",
    "float32",
)
#: Default inputs per CTranslate2 call on CPU (see ``CT2Engine.max_batch_size``).
CPU_BATCH_SIZE = 32
#: Bump when the conversion fixes change, so that old conversions are redone.
_FIXES_VERSION = 2
_SIGNATURE_FILE = "ringkas-ct2.json"
#: Files that define a model; conversions are keyed on them (subfolders are never read).
_SOURCE_SUFFIXES = (".json", ".safetensors", ".bin", ".model", ".spm", ".txt", ".vocab")
_HASH_WHOLE_BELOW = 16 * 1024 * 1024
_HASH_EDGE = 1024 * 1024


# --------------------------------------------------------------------------------------------
# Conversion and its cache
# --------------------------------------------------------------------------------------------


def conversion_quantization(compute_type: str) -> str:
    """The weight type stored on disk for a compute type (``"default"`` keeps float32)."""
    if compute_type not in COMPUTE_TYPES or compute_type == "auto":
        raise ConfigError(
            f"compute_type must be one of {COMPUTE_TYPES[2:]} or 'default' here, got "
            f"{compute_type!r}"
        )
    return "float32" if compute_type == "default" else compute_type


def _file_digest(path: Path, size: int) -> str:
    """sha256 of small files; of the first and last MiB (plus size and mtime) of big ones."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        if size <= _HASH_WHOLE_BELOW:
            digest.update(handle.read())
        else:
            digest.update(handle.read(_HASH_EDGE))
            handle.seek(size - _HASH_EDGE)
            digest.update(handle.read(_HASH_EDGE))
    return digest.hexdigest()


def source_signature(folder: Path, quantization: str) -> dict[str, Any]:
    """What a conversion depends on; a conversion whose stored signature differs is redone."""
    import ctranslate2
    import transformers

    files: dict[str, dict[str, Any]] = {}
    for path in sorted(Path(folder).iterdir()):
        if not path.is_file() or not path.name.endswith(_SOURCE_SUFFIXES):
            continue
        if path.name in ("ringkas.json", _SIGNATURE_FILE):
            continue  # ringkas's own metadata: does not change the network
        stat = path.stat()
        files[path.name] = {
            "size": stat.st_size,
            "mtime_ns": stat.st_mtime_ns,
            "sha256": _file_digest(path, stat.st_size),
        }
    return {
        "format": 1,
        "fixes": _FIXES_VERSION,
        "quantization": quantization,
        "ctranslate2": ctranslate2.__version__,
        "transformers": transformers.__version__,
        "files": files,
    }


def _cache_root() -> Path:
    explicit = os.environ.get("RINGKAS_CACHE_DIR", "").strip()
    if explicit:
        return Path(explicit).expanduser()
    xdg = os.environ.get("XDG_CACHE_HOME", "").strip()
    return (Path(xdg).expanduser() if xdg else Path.home() / ".cache") / "ringkas"


def _in_hf_cache(folder: Path) -> bool:
    try:
        from huggingface_hub import constants

        hub = Path(constants.HF_HUB_CACHE).expanduser().resolve()
    except ImportError:  # pragma: no cover - comes with transformers
        return False
    resolved = folder.expanduser().resolve()
    return resolved == hub or hub in resolved.parents


def conversion_dir(folder: Path, quantization: str, cache_dir: Path | None = None) -> Path:
    """Where the conversion of ``folder`` at ``quantization`` lives.

    Next to the model when its folder is writable and not in the Hugging Face cache (whose
    snapshots huggingface_hub manages); otherwise in ``cache_dir`` (default
    ``$RINGKAS_CACHE_DIR`` or ``~/.cache/ringkas``), keyed by the folder's resolved path.
    """
    folder = Path(folder)
    name = f"ringkas-ct2-{quantization}"
    if cache_dir is None and os.access(folder, os.W_OK) and not _in_hf_cache(folder):
        return folder / name
    root = Path(cache_dir) if cache_dir is not None else _cache_root()
    key = hashlib.sha256(str(folder.expanduser().resolve()).encode("utf-8")).hexdigest()[:16]
    return root / "ct2" / f"{folder.name}-{key}" / name


def _read_signature(target: Path) -> dict[str, Any] | None:
    try:
        data = json.loads((target / _SIGNATURE_FILE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data if isinstance(data, dict) and (target / "model.bin").is_file() else None


def _fix_config(config: Any) -> None:
    """Repair what transformers 5 configs tell CTranslate2's loaders (see the module doc)."""
    model_type = getattr(config, "model_type", "")
    if model_type in ("t5", "mt5", "umt5"):
        # CT2 scales decoder outputs when this flag is set. transformers 5 keeps the truth in
        # scale_decoder_outputs (T5, UMT5); mT5 (T5 v1.1) never scales and has no such flag.
        config.tie_word_embeddings = bool(getattr(config, "scale_decoder_outputs", False))
    if model_type in ("bart", "mbart"):
        if not hasattr(config, "normalize_before"):
            config.normalize_before = model_type == "mbart"
        if not hasattr(config, "normalize_embedding"):
            config.normalize_embedding = True


def convert_model(
    folder: Path, output: Path, *, quantization: str, tokenizer: Any | None = None
) -> Path:
    """Convert a Hugging Face seq2seq folder into a CTranslate2 model at ``output`` (overwritten).

    ``tokenizer``: the already-loaded tokenizer, so the converter needs no ``tokenizer.json``.
    """
    try:
        from ctranslate2.converters import TransformersConverter
    except ImportError as exc:
        raise missing_dependency("ctranslate2", "ct2", "The CTranslate2 backend") from exc

    class _Converter(TransformersConverter):
        def load_model(self, model_class: Any, model_name_or_path: str, **kwargs: Any) -> Any:
            model = model_class.from_pretrained(model_name_or_path, **kwargs)
            _fix_config(model.config)
            return model

        def load_tokenizer(
            self, tokenizer_class: Any, model_name_or_path: str, **kwargs: Any
        ) -> Any:
            loaded = tokenizer
            if loaded is None:
                loaded = tokenizer_class.from_pretrained(model_name_or_path, **kwargs)
            return _CompleteVocab(loaded)

    with MODEL_LOAD_LOCK, _quiet_transformers():
        _Converter(str(folder)).convert(str(output), quantization=quantization, force=True)
    return Path(output)


class _CompleteVocab:
    """A tokenizer whose ``get_vocab()`` lists every token (see ``common.full_vocab``)."""

    def __init__(self, tokenizer: Any) -> None:
        self._tokenizer = tokenizer

    def __getattr__(self, name: str) -> Any:
        return getattr(self._tokenizer, name)

    def get_vocab(self) -> dict[str, int]:
        return full_vocab(self._tokenizer)


@contextlib.contextmanager
def _quiet_transformers() -> Iterator[None]:
    """No weight-loading progress bars on stderr while converting."""
    try:
        from transformers.utils import logging as hf_logging
    except ImportError:  # pragma: no cover
        yield
        return
    enabled = hf_logging.is_progress_bar_enabled()
    hf_logging.disable_progress_bar()
    try:
        yield
    finally:
        if enabled:
            hf_logging.enable_progress_bar()


def ensure_converted(
    folder: Path,
    *,
    quantization: str,
    tokenizer: Any | None = None,
    cache_dir: Path | None = None,
) -> Path:
    """The converted model for ``folder`` at ``quantization``, converting only when needed.

    Safe across processes: each converts into its own temporary folder and renames it into
    place; a loser of the race uses the winner's (identical) conversion.
    """
    folder = Path(folder)
    target = conversion_dir(folder, quantization, cache_dir)
    signature = source_signature(folder, quantization)
    if _read_signature(target) == signature:
        return target
    with MODEL_LOAD_LOCK:  # one conversion at a time in this process; rename guards the rest
        if _read_signature(target) == signature:
            return target
        _convert_into(folder, target, quantization, tokenizer, signature)
    return target


def _convert_into(
    folder: Path, target: Path, quantization: str, tokenizer: Any, signature: dict[str, Any]
) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    log.info("converting %s to CTranslate2 (%s) in %s", folder, quantization, target)
    tmp = Path(tempfile.mkdtemp(prefix=f".{target.name}.tmp-", dir=target.parent))
    try:
        try:
            convert_model(folder, tmp, quantization=quantization, tokenizer=tokenizer)
        except (ModelLoadError, MissingDependencyError):
            raise
        except Exception as exc:
            raise ModelLoadError(
                f"cannot convert {folder} to CTranslate2 ({quantization}): {exc}"
            ) from exc
        (tmp / _SIGNATURE_FILE).write_text(json.dumps(signature, indent=2), encoding="utf-8")
        _install(tmp, target, signature)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _install(tmp: Path, target: Path, signature: dict[str, Any]) -> None:
    """Atomically move a finished conversion into place, replacing a stale one."""
    for _ in range(5):
        try:
            os.rename(tmp, target)
            return
        except OSError:
            if _read_signature(target) == signature:
                return  # another process finished the same conversion first
            stale = target.with_name(f".{target.name}.old-{uuid.uuid4().hex[:8]}")
            with contextlib.suppress(FileNotFoundError):
                os.rename(target, stale)
            shutil.rmtree(stale, ignore_errors=True)
    raise ModelLoadError(f"could not install the CTranslate2 conversion at {target}")


# --------------------------------------------------------------------------------------------
# The engine
# --------------------------------------------------------------------------------------------


def _resolve_device(device: str) -> tuple[str, int]:
    import ctranslate2

    kind, _, index = device.partition(":")
    if kind == "auto":
        return ("cuda", 0) if ctranslate2.get_cuda_device_count() > 0 else ("cpu", 0)
    if kind not in ("cpu", "cuda"):
        raise ConfigError(
            f"the ct2 backend runs on 'cpu', 'cuda' or 'cuda:N' (or 'auto'), got {device!r}; "
            "use backend='torch' for other devices"
        )
    if kind == "cuda" and ctranslate2.get_cuda_device_count() == 0:
        raise ConfigError(f"device {device!r} was asked for but CTranslate2 sees no CUDA device")
    try:
        return kind, int(index) if index else 0
    except ValueError:
        raise ConfigError(f"device index must be an integer, got {device!r}") from None


def _resolve_compute_type(quantize: str, device: str, family: str) -> str:
    """CTranslate2's ``compute_type`` for ringkas's ``quantize`` (``"none"``: ``"default"``,
    the float32 weights as converted)."""
    import ctranslate2

    value = "default" if quantize == "none" else quantize
    if quantize == "default" or value not in COMPUTE_TYPES:
        choices = ("none", *COMPUTE_TYPES[1:])
        raise ConfigError(f"quantize must be one of {', '.join(choices)}; got {quantize!r}")
    if value != "auto":
        return value
    supported = ctranslate2.get_supported_compute_types(device)
    if device == "cpu":
        return "int8" if "int8" in supported else "float32"
    if family == "t5":  # float16 overflows in T5 activations
        return "bfloat16" if "bfloat16" in supported else "float32"
    return "float16" if "float16" in supported else "float32"


class CT2Engine(FrontendEngine):
    """A CTranslate2 translator and the model's tokenizer; safe to share between threads."""

    def __init__(
        self,
        spec: ModelSpec,
        folder: Path,
        *,
        device: str = "auto",
        quantize: str = "none",
        num_threads: int | None = None,
        cache_dir: Path | None = None,
        max_batch_size: int | None = None,
    ) -> None:
        try:
            import ctranslate2
        except ImportError as exc:
            raise missing_dependency("ctranslate2", "ct2", "The CTranslate2 backend") from exc
        self.spec = spec
        kind, index = _resolve_device(device)
        self.device = kind if kind == "cpu" or not index else f"{kind}:{index}"
        self.compute_type = _resolve_compute_type(quantize, kind, spec.family)
        self.label = engine_label("ct2", self.compute_type, kind)
        self.frontend = TokenizerFrontend(spec, Path(folder))
        self.quantization = conversion_quantization(self.compute_type)
        self.model_dir = ensure_converted(
            Path(folder),
            quantization=self.quantization,
            tokenizer=self.frontend.tokenizer,
            cache_dir=cache_dir,
        )
        self.num_threads = num_threads
        if max_batch_size is not None and max_batch_size < 0:
            raise ConfigError(f"max_batch_size must be >= 0, got {max_batch_size}")
        #: Inputs per CTranslate2 call (0: the whole batch). On CPU, 32 decodes as fast as 64
        #: (opus-mt size, int8, measured) with a third of the working memory.
        self.max_batch_size = (
            max_batch_size
            if max_batch_size is not None
            else (CPU_BATCH_SIZE if kind == "cpu" else 0)
        )
        try:
            self.translator = ctranslate2.Translator(
                str(self.model_dir),
                device=kind,
                device_index=index,
                compute_type=self.compute_type,
                inter_threads=1,
                intra_threads=num_threads or 0,
            )
        except Exception as exc:
            raise ModelLoadError(
                f"cannot load the CTranslate2 model of {spec.name!r} from {self.model_dir}: {exc}"
            ) from exc
        self._end_token = self.frontend.tokenizer.eos_token
        self._lock = threading.Lock()

    # -- Engine protocol ----------------------------------------------------------------------
    def generate(
        self,
        inputs: Sequence[Sequence[int]],
        *,
        target_lang: str | None = None,
        options: GenerationOptions,
    ) -> list[Generated]:
        if not inputs:
            return []
        opts = self.resolved_options(options)
        prefix = self.frontend.target_token(target_lang)
        source = [self.frontend.ids_to_tokens(ids) for ids in inputs]
        kwargs = self.decoding_options(opts)
        try:
            with self._lock:
                results = self.translator.translate_batch(
                    source,
                    target_prefix=[[prefix] for _ in source] if prefix is not None else None,
                    **kwargs,
                )
        except Exception as exc:
            raise GenerationError(f"{self.spec.name}: CTranslate2 decoding failed: {exc}") from exc
        return self._decode([r.hypotheses[0] for r in results], opts)

    # -- beyond the protocol ------------------------------------------------------------------
    def decoding_options(self, opts: GenerationOptions) -> dict[str, Any]:
        """``translate_batch`` keywords for resolved options (the benchmarks reuse them)."""
        kwargs: dict[str, Any] = {
            "beam_size": opts.num_beams or 1,
            "max_decoding_length": opts.max_new_tokens or 256,
            "min_decoding_length": opts.min_new_tokens or 0,
            "max_input_length": 0,  # never truncate: inputs were split to the model's window
            "return_end_token": True,
            "max_batch_size": self.max_batch_size,
        }
        if opts.length_penalty is not None:
            kwargs["length_penalty"] = opts.length_penalty
        if opts.repetition_penalty is not None:
            kwargs["repetition_penalty"] = opts.repetition_penalty
        if opts.no_repeat_ngram_size is not None:
            kwargs["no_repeat_ngram_size"] = opts.no_repeat_ngram_size
        return kwargs

    def score(
        self, inputs: Sequence[Sequence[int]], targets: Sequence[Sequence[int]]
    ) -> list[list[float]]:
        """Log-probability of each target token, end token last (teacher forcing).

        Targets exclude the end-of-sequence token; CTranslate2 appends it.
        """
        source = [self.frontend.ids_to_tokens(ids) for ids in inputs]
        target = [self.frontend.ids_to_tokens(ids) for ids in targets]
        with self._lock:
            results = self.translator.score_batch(source, target, max_input_length=0)
        return [list(r.log_probs) for r in results]

    # -- internals --------------------------------------------------------------------------
    def _decode(self, hypotheses: list[list[str]], opts: GenerationOptions) -> list[Generated]:
        limit = opts.max_new_tokens or 256
        bodies: list[list[int]] = []
        flags: list[tuple[int, bool]] = []
        for tokens in hypotheses:
            finished = bool(tokens) and tokens[-1] == self._end_token
            body = tokens[:-1] if finished else tokens
            bodies.append(self.frontend.tokens_to_ids(body))
            flags.append((len(body), not finished and len(body) >= limit))
        texts = self.frontend.decode(bodies)
        return [
            Generated(text=text, n_tokens=n, hit_limit=hit)
            for text, (n, hit) in zip(texts, flags, strict=True)
        ]
