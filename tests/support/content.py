"""The shipped content, loaded once per test run for the front ends tests start in-process.

Loading and checking every dialog, FAQ and safety file is most of what starting
the bot costs; the result is read-only, so one copy serves every test.
"""

from __future__ import annotations

import json

from bot import bootstrap
from bot.config import Settings
from bot.core.turn import Brain
from bot.core.understanding.embedding import Embedder
from tests.support.chat import EngineChat

_BRAINS: dict[str, Brain] = {}
_load_brain = bootstrap.load_brain


def cached_brain(settings: Settings) -> Brain:
    """``bootstrap.load_brain``, remembered per dialogs folder and safety overrides."""
    key = json.dumps([str(settings.dialogs_dir()), settings.safety.resources], sort_keys=True, default=str)
    if key not in _BRAINS:
        _BRAINS[key] = _load_brain(settings)
    return _BRAINS[key]


_MODELS: dict[int, tuple[Brain, Embedder | None]] = {}
_with_model = bootstrap.with_model


def cached_model(settings: Settings, brain: Brain) -> tuple[Brain, Embedder | None]:
    """``bootstrap.with_model``, remembered per brain: the model loads and
    hash-checks once per run, and every in-process bot reads with it."""
    if id(brain) not in _MODELS:
        _MODELS[id(brain)] = _with_model(settings, brain)
    return _MODELS[id(brain)]


def cached_load_with_model(settings: Settings, place: bootstrap.ModelPlace = bootstrap.ModelPlace.THREAD
                           ) -> tuple[Brain, Embedder | None]:
    """``bootstrap.load_with_model`` from the caches above, with the model in a
    thread whatever ``place`` asks: one model shared by many in-process bots
    (the model's own process is tested in test_model_process.py and by every
    real-process test)."""
    return cached_model(settings, cached_brain(settings))


_READING: dict[str, tuple[Brain, Embedder | None]] = {}


def reading_brain() -> tuple[Brain, Embedder | None]:
    """The shipped content read the way the running bot reads it (rules and
    the model's neighbours, unless TRUSTBOT_MODEL=off), and the embedder: what a
    mirror of the real bot needs to expect the same replies."""
    from tests.conftest import DIALOGS

    if "shipped" not in _READING:
        brain = bootstrap.build_brain(DIALOGS)
        settings = Settings.model_validate({"dialogs": {"dir": str(DIALOGS)}})
        _READING["shipped"] = _with_model(settings, brain)
    return _READING["shipped"]


def mirror() -> EngineChat:
    """A pure-engine chat that reads typed text exactly as the bot under test does."""
    brain, embedder = reading_brain()
    return EngineChat(brain, embedder=embedder)
