"""Per-update latency under a steady load: run by hand, ``.venv/bin/python bench/bench_latency.py``.

Open loop: updates are fired at fixed intervals (default 200/s) whatever
happens to earlier ones, each as its own task, like PTB's update fetcher with
``concurrent_updates``. For every update it records

- latency: from the moment it was due to the moment ``process_update``
  returned: its replies sent. (Since 2026-12-02 a turn returns once its
  reply is out; its button's answer, sent alongside, and the commit of its
  sent ids finish after, the ids still under the user's lock. Before, both
  were inside this figure.) This includes any wait behind
  earlier updates, so a stall shows up in every update it delays, not just in
  one (no coordinated omission);
- service: from the moment its task started to the moment it returned.

Same full stack and traffic mix as bench_updates.py (real trustbot
Application, in-memory Bot API, fresh SQLite file with default settings), and
the bare echo bot at the same rate for comparison.

Interleaved (since 2026-12-02, seventh session): both bots are open at once
and take turns in short windows (``--window``, 1 s), echo, trustbot,
trustbot, echo, ..., each window drained before the next. This virtual
machine has phases, seconds long, in which the same code runs up to 1.7x
slower; measured one after the other, the two bots often met different
phases and the ratio moved with them. ``--window 0`` runs them one after the
other, as before.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import os
import signal
import sys
import time
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    PRESS_SHARE,
    ROOT,
    TEXT_SHARE,
    BotMemoryRequest,
    MemoryRequest,
    Traffic,
    database_url,
    echo_app,
    echo_traffic,
    migrate_postgres,
    model_summary,
    percentile,
    take_in,
    trustbot_app,
    user_ids,
)
from telegram.ext import SimpleUpdateProcessor

#: Per-update service time above which an update counts as slow in the report.
GOAL_P99_MS = 5.0
#: p99 latency of the whole mix / of button presses alone, against the echo bot's p99 in the same run.
GOAL_MIXED, GOAL_PRESSES = 3.0, 2.0
#: Sleep until this close to an update's due time, then spin (asyncio timers round to ~1 ms).
SPIN = 0.002


class Sched:
    """This thread's CPU time and time spent runnable but waiting for a CPU
    (Linux /proc/thread-self/schedstat), to tell a slow update apart from a
    machine busy with other processes. Elsewhere: CPU time only."""

    def __init__(self) -> None:
        try:
            self._fd: int | None = os.open("/proc/thread-self/schedstat", os.O_RDONLY)
        except OSError:
            self._fd = None

    def __call__(self) -> tuple[float, float]:
        """(CPU seconds, seconds spent waiting for a CPU) so far."""
        if self._fd is None:
            return time.thread_time(), 0.0
        return time.thread_time(), int(os.pread(self._fd, 128, 0).split()[1]) / 1e9


@dataclass
class Sample:
    kind: str
    latency: float  # ms from due to done
    service: float  # ms from start to done
    cpu: float  # ms of CPU this thread used meanwhile
    waiting: float  # ms this thread was runnable but another process had the CPU


def kind_of(data: dict) -> str:
    if "callback_query" in data:
        return "button"
    text = data["message"]["text"]
    return "/start" if text == "/start" else "command" if text.startswith("/") else "typed text"


async def open_loop(app, source: Callable[[int], dict], users: list[int], rate: float, seconds: float,
                    first: int = 0) -> tuple[list[Sample], float]:
    """Fire ``rate`` updates/s for ``seconds``, the users taken in turn from
    ``users[first]``; returns one sample per update and the largest lag of a
    firing behind its schedule (ms). On SQLite an update never yields to
    another, so its CPU and wait figures are its own."""
    clock, sched = time.perf_counter, Sched()
    slots = app.update_processor

    def process(update: object) -> Awaitable[None]:
        # As PTB's update fetcher runs each update: inside the update processor's slots.
        return slots.process_update(update, app.process_update(update))

    samples: list[Sample] = []
    tasks = set()

    async def one(user: int, due: float) -> None:
        cpu0, wait0 = sched()
        started = clock()
        data = source(user)
        await process(take_in(app, data))
        done = clock()
        cpu1, wait1 = sched()
        samples.append(Sample(kind_of(data), 1000 * (done - due), 1000 * (done - started),
                              1000 * (cpu1 - cpu0), 1000 * (wait1 - wait0)))

    count = int(rate * seconds)
    interval = 1.0 / rate
    start = clock() + 0.01
    lag = 0.0
    for i in range(count):
        due = start + i * interval
        wait = due - clock()
        if wait > SPIN:
            await asyncio.sleep(wait - SPIN)
        # The loop's timer is only ms-accurate: spin the rest, letting others run (no event to wait on).
        while clock() < due:  # noqa: ASYNC110 - a deliberate sub-millisecond spin, not a wait for a condition
            await asyncio.sleep(0)
        lag = max(lag, clock() - due)
        task = asyncio.create_task(one(users[(first + i) % len(users)], due))
        tasks.add(task)
        task.add_done_callback(tasks.discard)
    while tasks:
        await asyncio.gather(*list(tasks))
    return samples, 1000 * lag


class GcPauses:
    """Garbage-collector pauses while active: a full (generation 2) collection
    walks every object the process holds and stops the event loop meanwhile."""

    def __init__(self) -> None:
        self.pauses: list[tuple[int, float]] = []
        self._start = 0.0

    def _callback(self, phase: str, info: dict) -> None:
        if phase == "start":
            self._start = time.perf_counter()
        else:
            self.pauses.append((info["generation"], 1000 * (time.perf_counter() - self._start)))

    def __enter__(self) -> GcPauses:
        gc.callbacks.append(self._callback)
        return self

    def __exit__(self, *exc: object) -> None:
        gc.callbacks.remove(self._callback)

    def summary(self) -> str:
        full = [ms for gen, ms in self.pauses if gen == 2]
        worst = max((ms for _, ms in self.pauses), default=0.0)
        return f"gc: {len(self.pauses)} runs, {len(full)} full, longest {worst:.1f} ms"


@dataclass
class Bot:
    """One bot under load, and what its windows measured."""

    name: str
    app: object
    source: Callable[[int], dict]
    samples: list[Sample] = field(default_factory=list)
    lag: float = 0.0
    fired: int = 0
    pauses: GcPauses = field(default_factory=GcPauses)

    async def window(self, users: list[int], rate: float, seconds: float) -> None:
        """One window of the open loop, drained: the bot's own background
        work (button answers, sent ids' commits) ends before the next window."""
        with self.pauses:
            samples, lag = await open_loop(self.app, self.source, users, rate, seconds, self.fired)
            await asyncio.sleep(0.05)
        self.samples += samples
        self.lag = max(self.lag, lag)
        self.fired += len(samples)


async def interleaved(bots: list[Bot], users: list[int], args: argparse.Namespace) -> float:
    """Every bot gets ``args.seconds`` of the open loop, in windows of
    ``args.window`` seconds taken in turn (ABBA order, so a trend in the
    machine's speed hits both alike); one block each when the window is 0.
    Returns the load average at the start."""
    if args.gc_freeze:
        gc.collect()
        gc.freeze()
    load = os.getloadavg()[0]
    try:
        if args.window <= 0:
            for bot in bots:
                await bot.window(users, args.rate, args.seconds)
        else:
            rounds = max(1, round(args.seconds / args.window))
            for r in range(rounds):
                for bot in bots if r % 2 == 0 else bots[::-1]:
                    await bot.window(users, args.rate, args.seconds / rounds)
    finally:
        if args.gc_freeze:
            gc.unfreeze()
    return load


def report(bot: Bot, load: float, args: argparse.Namespace) -> list[Sample]:
    name, samples, lag, pauses = bot.name, bot.samples, bot.lag, bot.pauses
    p = percentile
    latencies = [s.latency for s in samples]
    services = [s.service for s in samples]
    print(f"{name:<9} latency p50 {p(latencies, .5):5.2f} ms  p99 {p(latencies, .99):5.2f} ms  "
          f"p99.9 {p(latencies, .999):5.2f}  max {max(latencies):6.2f} ms | service p50 {p(services, .5):4.2f} "
          + (f"p99 {p(services, .99):5.2f} ms, CPU p99 {p([s.cpu for s in samples], .99):5.2f} ms | "
             if args.kind == "sqlite" else f"p99 {p(services, .99):5.2f} ms | ")
          + f"{len(samples)} updates", flush=True)
    slow = [s for s in samples if s.service > GOAL_P99_MS]
    wall = sum(s.service for s in slow)
    waiting = sum(s.waiting for s in slow)
    cpu = sum(s.cpu for s in slow)
    print(f"          load average {load:.2f} at start; worst firing lag {lag:.1f} ms; {pauses.summary()}; "
          f"{len(slow)} updates took > {GOAL_P99_MS:g} ms"
          + (f": {cpu / wall:.0%} of their time on CPU, {waiting / wall:.0%} waiting for a CPU taken by "
             f"other processes, {max(0.0, wall - cpu - waiting) / wall:.0%} blocked (I/O: fsync)"
             if slow and args.kind == "sqlite" else ""))
    kinds = sorted({s.kind for s in samples})
    if len(kinds) > 1:
        print("          service by kind: " + "; ".join(
            f"{kind} p50 {p(v, .5):.2f} p99 {p(v, .99):.2f} ms (n={len(v)})"
            for kind in kinds for v in [[s.service for s in samples if s.kind == kind]]))
        print("          latency by kind: " + "; ".join(
            f"{kind} p50 {p(v, .5):.2f} p99 {p(v, .99):.2f} ms"
            for kind in kinds for v in [[s.latency for s in samples if s.kind == kind]]))
    return samples


@contextlib.contextmanager
def stalled_model(app: object) -> Iterator[None]:
    """The model's process stopped (SIGSTOP) meanwhile: a hung model, as a
    stuck onnxruntime call would leave it. Typed text then waits out the
    worker's timeout and is read by the rules alone."""
    service = app.bot_data["service"]  # type: ignore[attr-defined]
    pid = service.embed.__self__.embedder.pid
    os.kill(pid, signal.SIGSTOP)
    try:
        yield
    finally:
        with contextlib.suppress(ProcessLookupError):  # replaced meanwhile
            os.kill(pid, signal.SIGCONT)


async def main_async(args: argparse.Namespace, kind: str) -> None:
    with database_url(kind, args.database_url) as url:
        if kind == "postgresql":
            await migrate_postgres(url)
        users = user_ids(args.users)
        warm_users = user_ids(args.users, 900_000_001)
        echo_request, bot_request = MemoryRequest(), BotMemoryRequest()
        async with echo_app(echo_request, limiter=args.limiter) as echo_bot, \
                trustbot_app(url, bot_request, limiter=args.limiter) as app:
            total = int(args.rate * (args.seconds + args.warmup_seconds)) + 10
            feed = iter(echo_traffic(total, users))
            traffic = Traffic(bot_request, press=args.press_share, text=args.text_share)
            if args.single_lane:
                # PTB's one pool of 64 slots, as before typed text had a lane of its own (lanes.py).
                app._update_processor = SimpleUpdateProcessor(64)
            echo = Bot("echo bot", echo_bot, lambda _u: next(feed))
            trustbot = Bot("trustbot", app, traffic.next)
            for bot in (echo, trustbot):
                await open_loop(bot.app, bot.source, warm_users, args.rate, args.warmup_seconds)
            traffic.kinds.clear()
            with stalled_model(app) if args.stall_model else contextlib.nullcontext():
                load = await interleaved([echo, trustbot], users, args)
            how = (f"interleaved in windows of {args.seconds / max(1, round(args.seconds / args.window)):g} s"
                   if args.window > 0 else "one after the other")
            print(f"{how}, {args.seconds:g} s each")
            echo_p99 = percentile([s.latency for s in report(echo, load, args)], 0.99)
            samples = report(trustbot, load, args)
            print(f"mix {dict(traffic.kinds)}; typed text read by the model: {model_summary(app)}")
        mixed = percentile([s.latency for s in samples], 0.99)
        pressed = [s.latency for s in samples if s.kind == "button"]
        presses = percentile(pressed, 0.99) if pressed else float("nan")  # a short run: every user's /start
        for what, value, goal in (("p99, whole mix", mixed, GOAL_MIXED), ("p99, button presses", presses,
                                                                          GOAL_PRESSES)):
            ratio = value / echo_p99
            print(f"trustbot {what:<20} {value:6.2f} ms = {ratio:4.1f}x the echo bot's p99 {echo_p99:.2f} ms: "
                  f"{'meets' if ratio <= goal else 'MISSES'} the goal <= {goal:g}x")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rate", type=float, default=200, help="updates per second (default 200)")
    parser.add_argument("--seconds", type=float, default=30, help="measured seconds per bot (default 30)")
    parser.add_argument("--window", type=float, default=1.0,
                        help="seconds each bot runs before the other takes over (default 1; 0: one bot "
                             "after the other, the whole time each)")
    parser.add_argument("--warmup-seconds", type=float, default=3, help="unmeasured seconds first (default 3)")
    parser.add_argument("--users", type=int, default=1000,
                        help="distinct users, taken in turn (default 1000: each writes every 5 s)")
    parser.add_argument("--limiter", default="uncapped", choices=["uncapped", "none", "real"],
                        help="uncapped (default): the runner's AIORateLimiter with limits no run reaches; "
                             "real: as configured, 30 messages/s (200 updates/s then queue without bound)")
    parser.add_argument("--text-share", type=float, default=TEXT_SHARE,
                        help=f"share of typed text, read by the model (default {TEXT_SHARE})")
    parser.add_argument("--press-share", type=float, default=PRESS_SHARE,
                        help=f"share of button presses (default {PRESS_SHARE}; the rest: commands; each user "
                             "starts with /start)")
    parser.add_argument("--database-url", help="an existing database (PostgreSQL must be migrated or empty)")
    parser.add_argument("--postgres", action="store_true", help="start a throwaway PostgreSQL server (tests/support)")
    parser.add_argument("--stall-model", action="store_true",
                        help="stop the model's process (SIGSTOP) for the measured run: a hung model")
    parser.add_argument("--single-lane", action="store_true",
                        help="trustbot with PTB's one pool of 64 update slots instead of its two lanes")
    parser.add_argument("--gc-freeze", action="store_true",
                        help="gc.collect(); gc.freeze() after warm-up, as a bot could at the end of start-up")
    args = parser.parse_args()
    os.chdir(ROOT)
    kind = "postgresql" if args.postgres or (args.database_url or "").startswith("postgres") else "sqlite"
    args.kind = kind  # on PostgreSQL updates interleave at each await: per-update CPU splits are not theirs
    print(f"trustbot bench_latency: {kind}, open loop at {args.rate:g} updates/s for {args.seconds:g} s, "
          f"rate limiter {args.limiter!r}{', gc.freeze()' if args.gc_freeze else ''}, "
          f"python {sys.version.split()[0]}, {os.cpu_count()} cpus")
    asyncio.run(main_async(args, kind))


if __name__ == "__main__":
    main()
