"""The python-telegram-bot generics this bot uses, spelled once.

PTB's ``Application`` and ``JobQueue`` are generic in six types; the bot uses
the defaults everywhere, and naming them once keeps ``mypy --strict`` exact
without repeating the parameters in every signature.
"""

from __future__ import annotations

from typing import Any

from telegram.ext import Application, ContextTypes, ExtBot, Job, JobQueue

Context = ContextTypes.DEFAULT_TYPE
Queue = JobQueue[Context]
App = Application[ExtBot[None], Context, dict[Any, Any], dict[Any, Any], dict[Any, Any], Queue]
QueueJob = Job[Context]
