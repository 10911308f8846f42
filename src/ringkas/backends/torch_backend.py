"""The PyTorch engine: ``AutoModelForSeq2SeqLM.generate`` at its best.

transformers 5 removed the translation and summarization pipelines, so ringkas calls ``generate``
directly: inputs arrive already tokenised and sorted into token-budget batches, decoding runs under
``torch.inference_mode`` with the KV cache, in bf16/fp16 on GPU, optionally dynamic-int8 on CPU,
and a CUDA out-of-memory error splits the batch and retries instead of failing the run.
"""

from __future__ import annotations

import logging
import threading
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ringkas.backends import Generated, engine_label
from ringkas.backends.common import MODEL_LOAD_LOCK, FrontendEngine, TokenizerFrontend
from ringkas.config import GenerationOptions
from ringkas.errors import ConfigError, GenerationError, ModelLoadError
from ringkas.models import ModelSpec

if TYPE_CHECKING:
    import torch

log = logging.getLogger("ringkas")

DTYPES = ("auto", "float32", "float16", "bfloat16")


def resolve_device(device: str) -> str:
    """``"auto"`` picks cuda, then mps, then cpu; anything else is checked and returned."""
    import torch

    if device == "auto":
        if torch.cuda.is_available():
            return "cuda"
        mps = getattr(torch.backends, "mps", None)
        if mps is not None and mps.is_available():
            return "mps"
        return "cpu"
    kind = device.split(":", 1)[0]
    if kind not in ("cpu", "cuda", "mps"):
        raise ConfigError(
            f"device must be 'auto', 'cpu', 'cuda', 'cuda:N' or 'mps', got {device!r}"
        )
    if kind == "cuda" and not torch.cuda.is_available():
        raise ConfigError(f"device {device!r} was asked for but CUDA is not available here")
    return device


def _resolve_dtype(dtype: str, device: str, family: str) -> torch.dtype:
    import torch

    if dtype not in DTYPES:
        raise ConfigError(f"dtype must be one of {DTYPES}, got {dtype!r}")
    if dtype != "auto":
        resolved: torch.dtype = getattr(torch, dtype)
        return resolved
    if not device.startswith("cuda"):
        return torch.float32
    if torch.cuda.is_bf16_supported():
        return torch.bfloat16
    # T5-family activations overflow in fp16 (NaN summaries); keep them in fp32 without bf16.
    return torch.float32 if family == "t5" else torch.float16


class TorchEngine(FrontendEngine):
    """A seq2seq model and its tokenizer on one device; safe to share between threads."""

    def __init__(
        self,
        spec: ModelSpec,
        folder: Path,
        *,
        device: str = "auto",
        dtype: str = "auto",
        quantize: str = "none",
        num_threads: int | None = None,
    ) -> None:
        import torch
        from transformers import AutoModelForSeq2SeqLM

        self.spec = spec
        self.device = resolve_device(device)
        if num_threads is not None:
            torch.set_num_threads(num_threads)
        self.frontend = TokenizerFrontend(spec, folder)
        self.dtype = _resolve_dtype(dtype, self.device, spec.family)
        try:
            with MODEL_LOAD_LOCK:
                model = AutoModelForSeq2SeqLM.from_pretrained(
                    str(folder), dtype=self.dtype, trust_remote_code=False
                )
        except Exception as exc:
            raise ModelLoadError(f"cannot load model {spec.name!r} from {folder}: {exc}") from exc
        model.eval()
        if quantize not in ("none", "int8"):
            raise ConfigError(
                f"the torch backend quantizes only to 'int8' (dynamic, CPU) or 'none'; got "
                f"{quantize!r}. "
                "For float16/int8_float16 use backend='ct2'."
            )
        if quantize == "int8":
            if self.device != "cpu":
                raise ConfigError(
                    "torch dynamic int8 quantization runs on CPU only; on GPU use dtype='float16' "
                    "or backend='ct2' with quantize='int8_float16'"
                )
            with warnings.catch_warnings():  # torch 2.13 deprecates quantized tensors (still works)
                warnings.simplefilter("ignore", UserWarning)
                warnings.simplefilter("ignore", DeprecationWarning)
                model = torch.ao.quantization.quantize_dynamic(
                    model, {torch.nn.Linear}, dtype=torch.qint8
                )
        self.quantize = quantize
        self.label = engine_label("torch", quantize, self.device)
        self.model = model.to(self.device)
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
        forced = self.frontend.target_token_id(target_lang)
        with self._lock:
            outputs = self._generate_splitting(list(inputs), opts, forced)
        return self._decode(outputs, opts)

    # -- beyond the protocol ------------------------------------------------------------------
    def score(
        self, inputs: Sequence[Sequence[int]], targets: Sequence[Sequence[int]]
    ) -> list[list[float]]:
        """Log-probability of each target token, end token last (teacher forcing).

        Targets exclude the end-of-sequence token. The twin of ``CT2Engine.score``: the two
        agreeing is what shows a conversion is right (argmax agreement alone is not enough).
        """
        import torch

        eos = self.frontend.eos_token_id
        results: list[list[float]] = []
        with self._lock, torch.inference_mode():
            for source, target in zip(inputs, targets, strict=True):
                labels = torch.tensor([[*target, *([] if eos is None else [eos])]])
                labels = labels.to(self.device)
                logits = self.model(
                    input_ids=torch.tensor([list(source)], device=self.device), labels=labels
                ).logits
                log_probs = logits.float().log_softmax(-1)[0].gather(-1, labels[0][:, None])
                results.append([float(x) for x in log_probs[:, 0].tolist()])
        return results

    # -- internals --------------------------------------------------------------------------
    def _generate_splitting(
        self, batch: list[Sequence[int]], opts: GenerationOptions, forced: int | None
    ) -> list[list[int]]:
        import torch

        try:
            return self._generate_once(batch, opts, forced)
        except torch.cuda.OutOfMemoryError as exc:
            torch.cuda.empty_cache()
            if len(batch) == 1:
                raise GenerationError(
                    f"{self.spec.name}: out of GPU memory even for a single input of "
                    f"{len(batch[0])} tokens; use a smaller segment budget or dtype='float16'"
                ) from exc
            half = len(batch) // 2
            log.warning("out of GPU memory at batch size %d; retrying in halves", len(batch))
            return self._generate_splitting(batch[:half], opts, forced) + self._generate_splitting(
                batch[half:], opts, forced
            )

    def _generate_once(
        self, batch: list[Sequence[int]], opts: GenerationOptions, forced: int | None
    ) -> list[list[int]]:
        import torch

        pad = self.frontend.pad_token_id
        width = max(len(ids) for ids in batch)
        input_ids = torch.full((len(batch), width), pad, dtype=torch.long)
        attention = torch.zeros((len(batch), width), dtype=torch.long)
        for row, ids in enumerate(batch):
            input_ids[row, : len(ids)] = torch.tensor(list(ids), dtype=torch.long)
            attention[row, : len(ids)] = 1
        kwargs: dict[str, Any] = {
            "num_beams": opts.num_beams,
            "max_new_tokens": opts.max_new_tokens,
            "max_length": None,  # the model's own max_length would only warn: max_new_tokens wins
            "do_sample": False,
            "use_cache": True,
            # Marian configs force EOS as the last allowed token, which silently replaces the
            # last word of a cut-off output and hides the cut; ringkas reports it instead.
            "forced_eos_token_id": None,
        }
        for name in ("min_new_tokens", "no_repeat_ngram_size", "length_penalty",
                     "repetition_penalty", "early_stopping"):  # fmt: skip
            value = getattr(opts, name)
            if value is not None:
                kwargs[name] = value
        if forced is not None:
            kwargs["forced_bos_token_id"] = forced
        with torch.inference_mode():
            out = self.model.generate(
                input_ids=input_ids.to(self.device),
                attention_mask=attention.to(self.device),
                **kwargs,
            )
        sequences: list[list[int]] = out.detach().cpu().tolist()
        return sequences

    def _decode(self, sequences: list[list[int]], opts: GenerationOptions) -> list[Generated]:
        eos = self.frontend.eos_token_id
        pad = self.frontend.pad_token_id
        start = self.model.config.decoder_start_token_id
        results = []
        texts = self.frontend.decode(sequences)
        for seq, text in zip(sequences, texts, strict=True):
            body = seq[1:] if seq and seq[0] == start else seq
            # Batched outputs are padded after EOS (with pad in greedy search, EOS in beam search).
            finished = eos is not None and eos in body
            if eos is not None and finished:
                body = body[: body.index(eos)]
            else:
                while body and body[-1] == pad:
                    body = body[:-1]
            hit_limit = not finished and len(body) >= (opts.max_new_tokens or 0)
            results.append(Generated(text=text, n_tokens=len(body), hit_limit=hit_limit))
        return results
