"""Wiring shared by every entry point: settings -> logging, content, database."""

from __future__ import annotations

import asyncio
import enum
import logging
import os
from collections.abc import Mapping
from dataclasses import replace
from importlib import resources
from pathlib import Path
from typing import Any

from bot.adapters.model.process import ModelProcess
from bot.config import Settings
from bot.core.dialog.loader import DialogError, load_dir
from bot.core.faq.loader import load_faq
from bot.core.faq.matcher import FaqMatcher
from bot.core.identity import UserKey
from bot.core.safety.loader import load_safety, parse_resources
from bot.core.turn import Brain
from bot.core.understanding.content import UnderstandingContent, load_understanding
from bot.core.understanding.corpus import load_corpus
from bot.core.understanding.embedding import Embedder
from bot.core.understanding.index import UnderstandingIndex, example_texts
from bot.core.understanding.probe import Probe, Trainer
from bot.core.understanding.reader import Reader
from bot.paths import data_dir
from bot.service.chat import ChatService
from bot.service.checkins import checkin_hooks
from bot.service.partner import partner_content
from bot.storage import migrate
from bot.storage.database import Database


def private_files() -> None:
    """Files the bot creates (database, WAL, exports) are readable by their owner only."""
    os.umask(0o077)


class RedactingFormatter(logging.Formatter):
    """Masks secrets in every formatted line, tracebacks included.

    Libraries put the token in URLs and error messages (PTB's InvalidToken
    quotes it); masking at the formatter catches all of them at once.
    """

    def __init__(self, fmt: str, secrets: list[str]):
        super().__init__(fmt)
        self.secrets = [s for s in secrets if s]

    def format(self, record: logging.LogRecord) -> str:
        text = super().format(record)
        for secret in self.secrets:
            text = text.replace(secret, "[token]")
        return text


def setup_logging(settings: Settings) -> None:
    token = settings.telegram.token.strip()
    # The secret half of the token alone is masked too (it appears URL-quoted nowhere else).
    secrets = [token, token.split(":", 1)[-1]] if token else []
    handler = logging.StreamHandler()
    handler.setFormatter(RedactingFormatter("%(asctime)s %(levelname)s %(name)s: %(message)s", secrets))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(settings.log.level)
    # Libraries log request bodies (message text) at DEBUG and URLs holding
    # the token at INFO: they never log below WARNING, whatever log.level says.
    for name in ("httpx", "httpcore", "telegram", "apscheduler", "asyncio", "sqlalchemy", "asyncpg", "uvicorn"):
        logging.getLogger(name).setLevel(logging.WARNING)


def zone_countries() -> dict[str, str]:
    """IANA zone -> ISO country code, from the tz database's zone.tab (tzdata package)."""
    try:
        text = resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text(encoding="utf-8")
    except (ModuleNotFoundError, FileNotFoundError, OSError):
        return {}
    pairs = (line.split("\t") for line in text.splitlines() if line and not line.startswith("#"))
    return {cols[2]: cols[0] for cols in pairs if len(cols) >= 3}


def build_reader(content: UnderstandingContent, brain: Brain, matrix: Any = None,
                 train: Trainer = Probe.train) -> Reader:
    """The free-text reader on this content; ``matrix`` holds the examples'
    vectors in ``example_texts`` order (None: rules only); ``train`` may find
    the probes in a cache (:class:`bot.adapters.model.probes.ProbeCache`)."""
    index = UnderstandingIndex.build(content, brain.faq, matrix, train)
    return Reader(index, brain.faq, brain.matcher)


def reader_with_model(brain: Brain, embedder: Any, data_dir: Path | None, dialogs: Path) -> Reader:
    """The brain's content read with the model, learning from the corpus of
    ``dialogs``: the corpus, the examples' vectors and the probes come through
    the adapter's caches (blocking). Raises :class:`DialogError` for a broken
    corpus file, as :func:`build_brain` does for the rest of the content."""
    from bot.adapters.model import CorpusCache, ExampleVectors, ProbeCache

    assert brain.reader is not None, "build_brain gives every brain a reader"
    parsed = CorpusCache(data_dir)
    corpus, problems = load_corpus(dialogs, parsed)
    if problems:
        raise DialogError(problems)
    parsed.save()
    content = replace(brain.reader.index.content, corpus=corpus)
    matrix = ExampleVectors(embedder, data_dir).matrix(example_texts(content, brain.faq))
    probes = ProbeCache(embedder.model_id, data_dir)
    reader = build_reader(content, brain, matrix, probes.train)
    probes.save()
    return reader


def build_brain(directory: Path, overrides: Mapping[str, Any] | None = None) -> Brain:
    """Load and check all content; raise DialogError listing every problem at once."""
    problems = []
    graph = faq = safety = None
    for load in ("dialogs", "faq", "safety"):
        try:
            if load == "dialogs":
                graph = load_dir(directory)
            elif load == "faq":
                faq = load_faq(directory)
            else:
                safety = load_safety(directory)
        except DialogError as exc:
            problems.extend(exc.problems)
    catalogue, found = parse_resources(overrides or {}, "config safety.resources")
    problems.extend(found)
    if problems or graph is None or faq is None or safety is None:
        raise DialogError(problems)
    brain = Brain(graph=graph, faq=faq, matcher=FaqMatcher(faq), safety=safety,
                  resource_overrides=catalogue, zone_countries=zone_countries())
    try:
        # The corpus teaches the model only: read with it, in reader_with_model.
        content = load_understanding(directory, corpus=False)
    except DialogError as exc:
        raise DialogError(exc.problems) from exc
    return replace(brain, reader=build_reader(content, brain))


def load_brain(settings: Settings) -> Brain:
    return build_brain(settings.dialogs_dir(), settings.safety.resources)


async def open_database(settings: Settings) -> Database:
    db = Database(settings.database.url)
    try:
        await migrate.prepare(db)
    except BaseException:
        await db.dispose()
        raise
    return db


class ModelPlace(enum.StrEnum):
    """Where the model reads: in a thread of the bot's process, or in a
    process of its own (bot/adapters/model/process.py). The process keeps the
    model's Python (tokenizer, evidence) off the bot's interpreter, so button
    presses do not wait behind typed text under load; it costs a second
    interpreter and ~1 s at start. ``TRUSTBOT_MODEL=thread`` keeps the model
    in the bot's process whatever the caller asks; ``off`` reads by the rules."""

    THREAD = "thread"
    PROCESS = "process"


MODEL_ENV = "TRUSTBOT_MODEL"


def load_with_model(settings: Settings, place: ModelPlace = ModelPlace.THREAD) -> tuple[Brain, Embedder | None]:
    """:func:`load_brain`, then :func:`with_model`; with the model in its own
    process, that process loads the model (~0.6 s) while this one loads the
    content, instead of after it."""
    launched = _launch_model_process() if place is ModelPlace.PROCESS and _chosen() == "on" else None
    try:
        brain = load_brain(settings)
    except BaseException:
        if launched is not None:
            launched.close()
        raise
    return with_model(settings, brain, launched)


def with_model(settings: Settings, brain: Brain, process: ModelProcess | None = None
               ) -> tuple[Brain, Embedder | None]:
    """The brain reading with the model's neighbours, and the embedder.

    Blocking, and done before any network call: a model whose files do not
    hash to the pinned values stops the bot here (``ModelIntegrityError``).
    ``process``: the model's own process, launched (:func:`load_with_model`);
    without it the model loads here, to read in a thread.
    ``TRUSTBOT_MODEL=off`` reads by the rules alone (for tests of routing).
    """
    if _chosen() == "off":
        if process is not None:
            process.close()
        return brain, None
    embedder: Embedder | None = _ready(process) if process is not None else None
    if embedder is None:
        from bot.adapters.model import load_embedder

        embedder = load_embedder()
    return replace(brain, reader=reader_with_model(brain, embedder, data_dir(), settings.dialogs_dir())), embedder


def _chosen() -> str:
    """``TRUSTBOT_MODEL``: "off", "thread", or anything else for the caller's choice."""
    chosen = os.environ.get(MODEL_ENV, "on")
    return chosen if chosen in ("off", ModelPlace.THREAD) else "on"


def _launch_model_process() -> ModelProcess | None:
    """The model's process, started; None when no child can be started (a
    sandbox without ``exec``): the model then loads here, and the bot works
    either way."""
    try:
        return ModelProcess.launch()
    except OSError as exc:
        logging.getLogger(__name__).warning("the model cannot run in its own process (%s); it runs in the bot's",
                                            type(exc).__name__)
        return None


def _ready(process: ModelProcess) -> ModelProcess | None:
    """``process`` once its model is loaded; None (closed) if it could not
    load for a reason other than the model's own files."""
    from bot.adapters.model import EmbeddingUnavailable

    try:
        process.wait_ready()
    except EmbeddingUnavailable as exc:
        process.close()
        logging.getLogger(__name__).warning("the model's own process did not start (%s); it runs in the bot's",
                                            type(exc).__name__)
        return None
    except BaseException:
        process.close()
        raise
    return process


async def start_service(settings: Settings, brain: Brain, embedder: Embedder | None,
                        admins: frozenset[UserKey] = frozenset()) -> ChatService:
    """The chat service on the configured database, with the model's worker
    thread when there is a model; ``ChatService.close`` stops both (and the
    model's process, when it has one: the service is its only user)."""
    from bot.adapters.model import EmbeddingWorker

    db = await open_database(settings)
    # The reader's costly step runs where the model does, right after the vector is made.
    weigh = brain.reader.weigh if brain.reader is not None else None
    worker = await EmbeddingWorker(embedder, weigh=weigh).start() if embedder is not None else None

    async def close_model() -> None:
        if worker is not None:
            await worker.close()
        if isinstance(embedder, ModelProcess):
            await asyncio.get_running_loop().run_in_executor(None, embedder.close)

    service = ChatService(db, brain, admins=admins, checkins=checkin_hooks(settings, brain),
                          embed=worker.weighed if worker else None, on_close=close_model)
    service.partner.use(partner_content(settings.dialogs_dir()))  # linking partners' words
    return service


async def open_service(settings: Settings, admins: frozenset[UserKey] = frozenset()) -> ChatService:
    brain, embedder = with_model(settings, load_brain(settings))
    return await start_service(settings, brain, embedder, admins)

