"""Shared fixtures: tiny trained models, built once per session, and registry isolation."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# $RINGKAS_DATA_DIR names the data folder, as for the benchmarks; ../shared/data next to the
# repository is where this checkout's tests find it by default.
SHARED_DATA = Path(os.environ.get("RINGKAS_DATA_DIR") or REPO.parent / "shared" / "data")


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The evaluation data folder (``../shared/data``); tests using it skip when it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data folder {SHARED_DATA} is not present")
    return SHARED_DATA


@pytest.fixture(scope="session")
def tiny_models(tmp_path_factory: pytest.TempPathFactory):  # -> ringkas.testing.TinyModels
    """Tiny Marian (id-en, en-id) and T5 models trained until they reproduce their data."""
    import torch

    from ringkas.testing import build_tiny_models

    torch.set_num_threads(1)  # tiny models: one thread is fastest and immune to busy cores
    return build_tiny_models(tmp_path_factory.mktemp("tiny-models"))


@pytest.fixture
def tiny_routes(tiny_models) -> dict[str, str]:
    return {"id-en": str(tiny_models.id_en), "en-id": str(tiny_models.en_id)}


@pytest.fixture
def clean_registry() -> Iterator[None]:
    """Tests may register models and routes; the defaults come back afterwards."""
    from ringkas import models

    yield
    models._REGISTRY.reset()
