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
