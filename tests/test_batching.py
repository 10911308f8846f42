"""Batch planning: a permutation of the input within a padded-token budget."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ringkas import ConfigError
from ringkas.batching import plan_batches, windows


@settings(max_examples=200, deadline=None)
@given(
    lengths=st.lists(st.integers(min_value=0, max_value=300), max_size=80),
    max_tokens=st.integers(min_value=1, max_value=2000),
    max_batch_size=st.one_of(st.none(), st.integers(min_value=1, max_value=40)),
)
def test_every_index_once_and_budgets_hold(lengths, max_tokens, max_batch_size):
    batches = plan_batches(lengths, max_tokens=max_tokens, max_batch_size=max_batch_size)
    flat = [i for batch in batches for i in batch]
    assert sorted(flat) == list(range(len(lengths)))
    for batch in batches:
        assert batch
        width = max(max(1, lengths[i]) for i in batch)
        assert len(batch) == 1 or width * len(batch) <= max_tokens
        if max_batch_size is not None:
            assert len(batch) <= max_batch_size


def test_longest_inputs_come_first_and_similar_lengths_share_a_batch():
    lengths = [5, 100, 6, 98, 7, 99]
    batches = plan_batches(lengths, max_tokens=300)
    assert batches[0] == [1, 5, 3]
    assert batches[1] == [4, 2, 0]


def test_an_input_over_budget_gets_a_batch_of_its_own():
    assert plan_batches([10, 500, 10], max_tokens=100) == [[1], [0, 2]]


@pytest.mark.parametrize(("kwargs"), [{"max_tokens": 0}, {"max_batch_size": 0}])
def test_invalid_budgets(kwargs):
    with pytest.raises(ConfigError):
        plan_batches([1, 2], **kwargs)


def test_windows_are_bounded_and_lazy():
    pulled = []

    def source():
        for i in range(10):
            pulled.append(i)
            yield i

    stream = windows(source(), 4)
    assert next(stream) == [0, 1, 2, 3]
    assert pulled == [0, 1, 2, 3]
    assert list(stream) == [[4, 5, 6, 7], [8, 9]]
    with pytest.raises(ConfigError):
        next(windows([], 0))
