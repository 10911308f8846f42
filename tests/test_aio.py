"""AsyncRingkas: concurrent calls share batches; each caller gets exactly a direct call's result."""

from __future__ import annotations

import asyncio
import dataclasses
import threading
from typing import Any

import pytest

from ringkas import (
    Article,
    AsyncRingkas,
    ConfigError,
    InputError,
    OverloadedError,
    Ringkas,
    detect_article,
)
from ringkas.aio import BatchInfo
from ringkas.config import EngineOptions
from ringkas.testing import ID_EN_PAIRS, SUMMARY_PAIRS

ID_SENTENCES = [source for source, _ in ID_EN_PAIRS]
ARTICLES = [article for article, _ in SUMMARY_PAIRS]


@pytest.fixture
def ringkas(tiny_models, tiny_routes) -> Ringkas:
    return Ringkas(
        summary_model=str(tiny_models.summarizer),
        routes=tiny_routes,
        engine=EngineOptions(device="cpu"),
    )


def without_timings(result: Any) -> Any:
    """Per-article timings share out a batch's time: the one field a batch may change."""
    return dataclasses.replace(result, timings={})


def run_with(ringkas: Ringkas, calls: Any, **options: Any) -> tuple[list[Any], list[BatchInfo]]:
    """Run ``calls(aio)`` (a list of coroutines) concurrently; outcomes and the batches made."""
    batches: list[BatchInfo] = []

    async def main() -> list[Any]:
        async with AsyncRingkas(ringkas, on_batch=batches.append, **options) as aio:
            return await asyncio.gather(*calls(aio), return_exceptions=True)

    return asyncio.run(main()), batches


def test_concurrent_translations_share_one_batch_and_equal_direct_calls(ringkas):
    requests = [ID_SENTENCES[i : i + 3] for i in range(0, 12, 3)] + [[ARTICLES[4]]]
    outcomes, batches = run_with(
        ringkas, lambda aio: [aio.translate(texts) for texts in requests], max_wait_ms=50
    )
    for texts, outcome in zip(requests, outcomes, strict=True):
        assert outcome == ringkas.translator.translate(texts)
    assert outcomes[0][0].text == ID_EN_PAIRS[0][1]
    assert outcomes[-1][0].passthrough  # English stays English, in the same batch
    assert [(b.kind, b.requests, b.items) for b in batches] == [("translate", 5, 13)]


def test_source_and_target_languages_are_per_request(ringkas):
    requests: list[tuple[list[str], Any, str | None]] = [
        ([ID_SENTENCES[0]], "id", None),
        (["The minister visited the port."], None, "id"),
        ([ID_SENTENCES[1], ID_SENTENCES[2]], ["id", None], "en"),
    ]
    outcomes, batches = run_with(
        ringkas,
        lambda aio: [aio.translate(t, source_lang=s, target_lang=g) for t, s, g in requests],
        max_wait_ms=50,
    )
    for (texts, source, target), outcome in zip(requests, outcomes, strict=True):
        assert outcome == ringkas.translator.translate(
            texts, source_lang=source, target_lang=target
        )
    assert outcomes[1][0].text == "Menteri mengunjungi pelabuhan."
    # Different target languages cannot share a model call: one group per target.
    assert sorted(b.requests for b in batches) == [1, 2]


def test_concurrent_summaries_equal_direct_calls(ringkas):
    requests = [[ARTICLES[0]], [ARTICLES[1], ARTICLES[2]], [ARTICLES[5]]]
    outcomes, batches = run_with(
        ringkas, lambda aio: [aio.summarize(texts) for texts in requests], max_wait_ms=50
    )
    for texts, outcome in zip(requests, outcomes, strict=True):
        assert outcome == ringkas.summarizer.summarize(texts)
    assert outcomes[0][0].text == SUMMARY_PAIRS[0][1]
    assert [(b.requests, b.items) for b in batches] == [(3, 4)]


def test_concurrent_process_calls_keep_their_own_ids_and_errors(ringkas):
    requests: list[list[Any]] = [
        [ARTICLES[0], {"id": "b", "text": ARTICLES[1], "title": "Harga beras naik minggu ini."}],
        [{"id": "bad", "body": "no text field"}, 42, "   ", ARTICLES[4]],
        [Article(id="x", text=ARTICLES[2], lang="id")],
    ]
    outcomes, batches = run_with(
        ringkas, lambda aio: [aio.process(items) for items in requests], max_wait_ms=50
    )
    for items, outcome in zip(requests, outcomes, strict=True):
        assert [without_timings(r) for r in outcome] == [
            without_timings(r) for r in ringkas.process(items)
        ]
    assert [r.id for r in outcomes[0]] == ["0", "b"]
    assert [r.id for r in outcomes[1]] == ["bad", "1", "2", "3"]
    assert [r.ok for r in outcomes[1]] == [False, False, False, True]
    assert outcomes[1][2].error is not None
    assert "empty" in outcomes[1][2].error.message
    assert outcomes[0][0].summary == SUMMARY_PAIRS[0][1]
    assert [(b.requests, b.items) for b in batches] == [(3, 7)]


def test_process_skip_and_raise_modes_apply_per_request(tiny_models, tiny_routes):
    def make(on_error: str) -> Ringkas:
        return Ringkas(
            steps=["translate"],
            routes=tiny_routes,
            engine=EngineOptions(device="cpu"),
            on_error=on_error,
        )

    good, bad = [ID_SENTENCES[0]], [ID_SENTENCES[1], "   "]
    skipping = make("skip")
    outcomes, _ = run_with(skipping, lambda aio: [aio.process(good), aio.process(bad)])
    assert [without_timings(r) for r in outcomes[1]] == [
        without_timings(r) for r in skipping.process(bad)
    ]
    assert len(outcomes[1]) == 1
    raising = make("raise")
    outcomes, _ = run_with(raising, lambda aio: [aio.process(good), aio.process(bad)])
    assert outcomes[0][0].translation == ID_EN_PAIRS[0][1]
    assert isinstance(outcomes[1], InputError)
    with pytest.raises(InputError) as direct:
        raising.process(bad)
    assert str(outcomes[1]) == str(direct.value)


def test_a_bad_request_fails_alone(ringkas):
    requests = [[ID_SENTENCES[0]], ["12345 67890"], [ID_SENTENCES[3]]]
    outcomes, batches = run_with(
        ringkas, lambda aio: [aio.translate(texts) for texts in requests], max_wait_ms=50
    )
    assert outcomes[0][0].text == ID_EN_PAIRS[0][1]
    assert outcomes[2][0].text == ID_EN_PAIRS[3][1]
    assert isinstance(outcomes[1], InputError)
    assert "no detectable language" in str(outcomes[1])
    assert batches[0].requests == 3


def test_detect_equals_detect_article(ringkas):
    requests = [[ID_SENTENCES[0], "The minister visited the port."], ["", "12345"]]
    outcomes, _ = run_with(ringkas, lambda aio: [aio.detect(texts) for texts in requests])
    for texts, outcome in zip(requests, outcomes, strict=True):
        assert outcome == [detect_article(t) for t in texts]
    assert [r.lang for r in outcomes[0]] == ["id", "en"]


def test_batches_close_when_the_item_budget_fills(ringkas):
    requests = [[s] for s in ID_SENTENCES[:5]]
    outcomes, batches = run_with(
        ringkas,
        lambda aio: [aio.translate(texts) for texts in requests],
        max_wait_ms=50,
        max_batch_items=2,
    )
    assert [o[0].text for o in outcomes] == [t for _, t in ID_EN_PAIRS[:5]]
    assert [b.items for b in batches] == [2, 2, 1]


def test_a_full_queue_refuses_at_once(ringkas):
    outcomes, _ = run_with(
        ringkas, lambda aio: [aio.detect([s]) for s in ID_SENTENCES[:3]], max_queue=1
    )
    assert outcomes[0][0].lang == "id"
    assert all(isinstance(o, OverloadedError) for o in outcomes[1:])
    assert "queue is full" in str(outcomes[1])
    assert outcomes[1].retry_after > 0


def test_models_run_in_worker_threads_not_on_the_event_loop(ringkas, monkeypatch):
    threads: list[str] = []
    real = ringkas.translator.translate

    def spy(*args: Any, **kwargs: Any) -> Any:
        threads.append(threading.current_thread().name)
        return real(*args, **kwargs)

    monkeypatch.setattr(ringkas.translator, "translate", spy)

    async def main() -> tuple[list[Any], int]:
        ticks = 0

        async def ticker() -> None:
            nonlocal ticks
            while True:
                ticks += 1
                await asyncio.sleep(0)

        task = asyncio.create_task(ticker())
        async with AsyncRingkas(ringkas) as aio:
            result = await aio.translate(ID_SENTENCES[:4])
        task.cancel()
        return result, ticks

    result, ticks = asyncio.run(main())
    assert [r.text for r in result] == [t for _, t in ID_EN_PAIRS[:4]]
    assert threads
    assert all(name.startswith("ringkas") for name in threads)
    assert ticks > 1  # the loop kept running other tasks while the model worked


def test_a_caller_that_gives_up_does_not_disturb_the_others(ringkas):
    async def main() -> list[Any]:
        async with AsyncRingkas(ringkas, max_wait_ms=50) as aio:
            gave_up = asyncio.wait_for(aio.translate([ID_SENTENCES[0]]), timeout=0.001)
            return await asyncio.gather(
                gave_up, aio.translate([ID_SENTENCES[1]]), return_exceptions=True
            )

    first, second = asyncio.run(main())
    assert isinstance(first, TimeoutError)
    assert second[0].text == ID_EN_PAIRS[1][1]


def test_closed_instances_refuse_calls_and_bad_options_are_config_errors(ringkas):
    async def main() -> None:
        aio = AsyncRingkas(ringkas)
        await aio.aclose()
        with pytest.raises(OverloadedError, match="closed"):
            await aio.detect(["x"])

    asyncio.run(main())
    with pytest.raises(ConfigError, match="max_queue"):
        AsyncRingkas(ringkas, max_queue=0)
    with pytest.raises(ConfigError, match="either"):
        AsyncRingkas(ringkas, engine=EngineOptions(device="cpu"))


def test_inputs_are_checked_before_queueing(ringkas):
    async def main() -> None:
        async with AsyncRingkas(ringkas) as aio:
            with pytest.raises(InputError, match="single string"):
                await aio.translate("Harga beras naik minggu ini.")  # type: ignore[arg-type]
            with pytest.raises(InputError, match="entries"):
                await aio.translate(["a", "b"], source_lang=["id"])
            with pytest.raises(InputError, match="list of articles"):
                await aio.process("one article")  # type: ignore[arg-type]

    asyncio.run(main())
