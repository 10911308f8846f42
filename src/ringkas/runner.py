"""Run many texts through one engine: de-duplicate, encode once, batch by tokens, restore order."""

from __future__ import annotations

from collections.abc import Sequence

from ringkas.backends import Engine, Generated
from ringkas.batching import plan_batches
from ringkas.config import BatchOptions, GenerationOptions


def generate_texts(
    engine: Engine,
    texts: Sequence[str],
    *,
    source_lang: str | None,
    target_lang: str | None,
    options: GenerationOptions,
    batching: BatchOptions,
    encoded: Sequence[Sequence[int]] | None = None,
) -> list[Generated]:
    """One output per input text, in input order.

    Identical texts are generated once (news repeats boilerplate and datelines), and inputs are
    sorted by token length into padded-token budgets; ``encoded`` may pass ids already computed.
    """
    if not texts:
        return []
    unique: dict[str, int] = {}
    first_of: list[int] = []
    for i, text in enumerate(texts):
        if text not in unique:
            unique[text] = len(first_of)
            first_of.append(i)
    unique_texts = [texts[i] for i in first_of]
    if encoded is not None:
        ids = [list(encoded[i]) for i in first_of]
    else:
        ids = engine.encode(unique_texts, source_lang=source_lang)
    results: dict[int, Generated] = {}
    for batch in plan_batches(
        [len(x) for x in ids],
        max_tokens=batching.max_tokens,
        max_batch_size=batching.max_batch_size,
    ):
        outputs = engine.generate([ids[i] for i in batch], target_lang=target_lang, options=options)
        for index, output in zip(batch, outputs, strict=True):
            results[index] = output
    return [results[unique[text]] for text in texts]
