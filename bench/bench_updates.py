"""Full-stack updates per second: run by hand, ``.venv/bin/python bench/bench_updates.py``.

Each update goes the whole way: Bot API JSON -> ``Update.de_json`` ->
``Application.process_update`` -> trustbot's handlers -> chat service (per-user
lock, load the user row, safety/dialog/FAQ turn, store the new state and the
message id, commit) -> replies through python-telegram-bot (answerCallbackQuery,
sendMessage with the keyboard) -> the sent message ids recorded. The Bot API is
an in-memory request object (bench/common.py), the database a fresh SQLite
file with the default settings (or PostgreSQL with ``--postgres`` /
``--database-url``). The same figures for a bare PTB echo bot, built with the
same request object and builder options, give the ratio, measured in the same
run. Also prints the cold start with dialog validation and, with
``--profile``, where the time of one update goes.

Not a unit test on purpose: timings depend on the machine and its load.
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import json
import os
import pstats
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import (
    ROOT,
    BotMemoryRequest,
    MemoryRequest,
    Traffic,
    database_url,
    echo_app,
    echo_traffic,
    migrate_postgres,
    model_summary,
    take_in,
    trustbot_app,
    user_ids,
)

GOAL_RATIO = 0.5


# --- cold start --------------------------------------------------------------

_CHILD = r"""
import asyncio, json, sys, tempfile, time
t0 = time.perf_counter()
sys.path.insert(0, sys.argv[1]); sys.path.insert(0, sys.argv[1] + "/bench")
from pathlib import Path
from bot.bootstrap import build_brain
t1 = time.perf_counter()
build_brain(Path(sys.argv[1]) / "dialogs")
t2 = time.perf_counter()
from common import BotMemoryRequest, trustbot_app
t3 = time.perf_counter()
async def ready():
    with tempfile.TemporaryDirectory() as tmp:
        async with trustbot_app(f"sqlite:///{tmp}/t.sqlite3", BotMemoryRequest(), settle=False) as app:
            return time.perf_counter()
t4 = asyncio.run(ready())
print(json.dumps({"import": t1 - t0, "build_brain": t2 - t1, "app_imports": t3 - t2, "app_ready": t4 - t3}))
"""


def cold_start(runs: int) -> None:
    """A fresh interpreter each time: imports + build_brain (load and validate
    every dialog, FAQ and safety file), then the whole Application ready for
    its first update (build_application loads the brain again, SQLite opened
    and migrated, getMe and setMyCommands answered in memory)."""
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        out = subprocess.run([sys.executable, "-c", _CHILD, str(ROOT)], capture_output=True, text=True, check=True)
        wall = time.perf_counter() - start
        samples.append({**json.loads(out.stdout.strip().splitlines()[-1]), "wall": wall})

    def med(key: str) -> float:
        return 1000 * statistics.median(s[key] for s in samples)

    print(f"cold start, dialog validation   {med('import') + med('build_brain'):7.0f} ms  "
          f"(imports {med('import'):.0f} ms + build_brain(dialogs/) {med('build_brain'):.0f} ms; "
          f"median of {runs} fresh processes)")
    ready = med("import") + med("build_brain") + med("app_imports") + med("app_ready")
    print(f"cold start, Application ready  {ready:7.0f} ms  "
          f"(+ PTB imports {med('app_imports'):.0f} ms, build_application + SQLite open/migrate + "
          f"initialize {med('app_ready'):.0f} ms); process wall incl. interpreter {med('wall'):.0f} ms")

    from bot.bootstrap import build_brain

    warm = []
    for _ in range(5):
        t0 = time.perf_counter()
        build_brain(ROOT / "dialogs")
        warm.append(1000 * (time.perf_counter() - t0))
    print(f"build_brain(dialogs/), warm     {statistics.median(warm):7.0f} ms  (median of 5, modules already imported)")


# --- throughput ----------------------------------------------------------------

UpdateSource = Callable[[int], dict]


async def drive(app, source: UpdateSource, users: list[int], count: int, concurrency: int) -> float:
    """Process ``count`` updates; returns seconds. ``concurrency`` 1 is one at a
    time; otherwise that many workers, each owning distinct users, keep that many
    updates in flight (each user's updates stay in order, as the lock would)."""
    process = app.process_update
    concurrency = min(concurrency, len(users))
    if concurrency <= 1:
        n_users = len(users)
        start = time.perf_counter()
        for i in range(count):
            await process(take_in(app, source(users[i % n_users])))
        return time.perf_counter() - start

    async def worker(mine: list[int], n: int) -> None:
        for i in range(n):
            await process(take_in(app, source(mine[i % len(mine)])))

    shares = [users[w::concurrency] for w in range(concurrency)]
    per_worker = [count // concurrency + (1 if w < count % concurrency else 0) for w in range(concurrency)]
    start = time.perf_counter()
    await asyncio.gather(*(worker(shares[w], per_worker[w]) for w in range(concurrency) if per_worker[w]))
    return time.perf_counter() - start


class Runs:
    """Fresh user-id ranges per run, so every run starts its users with /start."""

    def __init__(self) -> None:
        self.next_id = 100_000_001

    def users(self, count: int) -> list[int]:
        ids = user_ids(count, self.next_id)
        self.next_id += count + 1000
        return ids


async def throughput(args: argparse.Namespace, url: str) -> None:
    """Echo and trustbot runs alternate (both Applications open at once), so a
    burst of load from elsewhere on the machine hits both; each figure is the
    median of ``reps`` runs, the ratio the median of the per-run ratios."""
    runs = Runs()
    print(f"\nupdates/s, median of {args.reps} runs; trustbot {args.updates} updates over {args.users} users per run, "
          f"echo {args.echo_updates} text messages; concurrent = {args.concurrency} updates in flight")
    print(f"{'rate limiter':<14}{'mode':<12}{'echo bot':>10}{'trustbot':>10}{'ratio':>8}   goal >= {GOAL_RATIO}")
    mix: dict[str, int] = {}
    model = ""
    calls: dict[str, float] = {}
    for limiter in args.limiters:
        echo_request, bot_request = MemoryRequest(), BotMemoryRequest()
        async with echo_app(echo_request, limiter=limiter) as echo, \
                trustbot_app(url, bot_request, limiter=limiter) as bot:
            traffic = Traffic(bot_request)

            async def run_echo(count: int, concurrency: int) -> float:
                ids = runs.users(args.users)
                feed = iter(echo_traffic(count, ids))
                return count / await drive(echo, lambda _user: next(feed), ids, count, concurrency)

            async def run_bot(count: int, concurrency: int, traffic: Traffic = traffic) -> float:
                return count / await drive(bot, traffic.next, runs.users(args.users), count, concurrency)

            await run_echo(args.warmup, 1)
            await run_bot(args.warmup, 1)
            bot_request.calls.clear()
            traffic.kinds.clear()
            results: dict[str, list[tuple[float, float]]] = {"sequential": [], "concurrent": []}
            for _ in range(args.reps):
                for mode, concurrency in (("sequential", 1), ("concurrent", args.concurrency)):
                    results[mode].append((await run_echo(args.echo_updates, concurrency),
                                          await run_bot(args.updates, concurrency)))
            for mode, pairs in results.items():
                echo_rate = statistics.median(e for e, _ in pairs)
                bot_rate = statistics.median(b for _, b in pairs)
                ratio = statistics.median(b / e for e, b in pairs)
                print(f"{limiter:<14}{mode:<12}{echo_rate:>10,.0f}{bot_rate:>10,.0f}{ratio:>8.3f}   "
                      f"{'meets' if ratio >= GOAL_RATIO else 'BELOW'}", flush=True)
            total = 2 * args.reps * args.updates
            mix = dict(traffic.kinds)
            model = model_summary(bot)
            calls = {k: round(v / total, 2) for k, v in bot_request.calls.items()}
    print(f"trustbot traffic mix: {mix}; model (last limiter): {model}")
    print(f"Bot API calls per trustbot update: {calls} (echo: sendMessage 1.0)")
    if args.real_updates:
        # The limiter as configured: 30 messages/s overall, Telegram's cap, not CPU.
        # A first unmeasured burst empties the limiter's bucket (30 messages at once).
        measured = []
        for name in ("echo", "trustbot"):
            request = MemoryRequest() if name == "echo" else BotMemoryRequest()
            ids = runs.users(max(1, args.real_updates // 10))
            context = (echo_app(request, limiter="real") if name == "echo"
                       else trustbot_app(url, request, limiter="real"))
            async with context as app:
                if name == "echo":
                    feed = iter(echo_traffic(args.real_updates + 30, ids))
                    source: UpdateSource = lambda _user, feed=feed: next(feed)  # noqa: E731
                else:
                    source = Traffic(request).next
                await drive(app, source, ids, 30 if name == "echo" else 20, args.concurrency)
                request.calls.clear()
                seconds = await drive(app, source, ids, args.real_updates, args.concurrency)
            measured.append((args.real_updates / seconds, request.calls["sendMessage"] / seconds))
        (echo_rate, echo_sends), (bot_rate, bot_sends) = measured
        print(f"{'real (30/s)':<14}{'concurrent':<12}{echo_rate:>10,.0f}{bot_rate:>10,.0f}"
              f"{bot_rate / echo_rate:>8.2f}   both capped by AIORateLimiter: "
              f"{echo_sends:.0f} and {bot_sends:.0f} sendMessage/s ({args.real_updates} updates each)")


# --- profile -------------------------------------------------------------------

#: (label, path fragment, function name): inclusive time per update. Indented
#: rows are part of the row above; a function called at several depths (e.g.
#: record_messages in both transactions) is counted wherever it runs.
BOUNDARIES = [
    ("Update.de_json (parse the incoming update)", "telegram/_update.py", "de_json"),
    ("Application.process_update", "telegram/ext/_application.py", "process_update"),
    ("  TelegramFrontEnd.turn", "bot/adapters/telegram/handlers.py", "turn"),
    ("    ChatService.handle", "bot/service/chat.py", "handle"),
    ("      Database.run (both transactions)", "bot/storage/database.py", "run"),
    ("        ChatService._dispatch (txn 1 body)", "bot/service/chat.py", "_dispatch"),
    ("          users.get_or_create (read the user row)", "bot/storage/users.py", "get_or_create"),
    ("          checkins.prepare", "bot/service/checkins.py", "prepare"),
    ("          turn.respond (safety, dialog engine, FAQ)", "bot/core/turn.py", "respond"),
    ("          users.update (store the new state)", "bot/storage/users.py", "update"),
    ("          checkins.after_turn", "bot/service/checkins.py", "after_turn"),
    ("          privacy.record_messages (txn 1 and 2)", "bot/storage/privacy.py", "record_messages"),
    ("        record_messages (txn 2 body: insert sent ids)", "bot/storage/privacy.py", "record_messages"),
    ("      Delivery.__call__ (send the replies)", "bot/adapters/telegram/delivery.py", "__call__"),
    ("        render.keyboard (build InlineKeyboardMarkup)", "bot/adapters/telegram/render.py", "keyboard"),
    ("        AIORateLimiter.process_request", "telegram/ext/_aioratelimiter.py", "process_request"),
    ("          Bot._do_post (PTB request path)", "telegram/_bot.py", "_do_post"),
    ("            MemoryRequest.do_request (fake network)", "bench/common.py", "do_request"),
    ("PTB: TelegramObject.to_dict (encode requests)", "telegram/_telegramobject.py", "to_dict"),
    ("PTB: Message.de_json (updates + every sent message)", "telegram/_message.py", "de_json"),
    ("SQLAlchemy: building statements (coercions.expect)", "sqlalchemy/sql/coercions.py", "expect"),
    ("SQLAlchemy: Connection.execute", "sqlalchemy/engine/base.py", "execute"),
    ("  cache key + compiled-statement cache lookup", "sqlalchemy/sql/elements.py", "_compile_w_cache"),
    ("  sqlite3 Cursor.execute (the SQL itself)", "~", "<method 'execute' of 'sqlite3.Cursor' objects>"),
    ("SQLAlchemy: Engine.begin + commit (Transaction.__exit__)", "sqlalchemy/engine/util.py", "__exit__"),
    ("  sqlite3 commit (WAL append, no fsync)", "~", "<method 'commit' of 'sqlite3.Connection' objects>"),
]

#: (label, path fragments): self time grouped by where the code lives.
PACKAGES = [
    ("python-telegram-bot", ("/telegram/",)),
    ("rate limiter (aiolimiter)", ("/aiolimiter/",)),
    ("SQLAlchemy", ("/sqlalchemy/",)),
    ("sqlite3 (C: SQL + commit)", ("sqlite3.",)),
    ("trustbot core (engine, FAQ, safety)", ("/bot/core/",)),
    ("trustbot service/storage/adapters", ("/bot/",)),
    ("json", ("/json/", "_json.")),
    ("asyncio, contextlib", ("/asyncio/", "contextlib.py", "_asyncio.")),
    ("bench harness (fake network, traffic)", ("/bench/",)),
]


def _inclusive(stats: dict, fragment: str, name: str) -> float:
    total = 0.0
    for (path, _line, func), (_cc, _nc, _tt, ct, _callers) in stats.items():
        if func == name and ((fragment == "~" and path == "~") or (fragment != "~" and path.endswith(fragment))):
            total += ct
    return total


def _package(path: str, func: str) -> str | None:
    where = path if path != "~" else func
    for label, fragments in PACKAGES:
        if any(f in where for f in fragments):
            return label
    return None


def _by_package(stats: dict) -> dict[str, float]:
    """Self time per package; builtins and stdlib helpers (isinstance, dict.get,
    re, dataclasses, enum) count for the package that called them."""
    groups: dict[str, float] = {}

    def owner_shares(key: tuple, depth: int) -> dict[str, float]:
        label = _package(key[0], key[2])
        if label is not None:
            return {label: 1.0}
        callers = stats[key][4]
        total = sum(edge[2] for edge in callers.values())
        if depth == 0 or not total:
            return {"other (stdlib, builtins)": 1.0}
        shares: dict[str, float] = {}
        for caller, edge in callers.items():
            if caller not in stats:
                continue
            for owner, share in owner_shares(caller, depth - 1).items():
                shares[owner] = shares.get(owner, 0.0) + share * edge[2] / total
        return shares or {"other (stdlib, builtins)": 1.0}

    for key, (_cc, _nc, tt, _ct, _callers) in stats.items():
        for owner, share in owner_shares(key, 3).items():
            groups[owner] = groups.get(owner, 0.0) + tt * share
    return groups


async def profile(args: argparse.Namespace, url: str) -> None:
    limiter = args.profile_limiter
    request = BotMemoryRequest()
    runs = Runs()
    async with trustbot_app(url, request, limiter=limiter) as app:
        traffic = Traffic(request)
        await drive(app, traffic.next, runs.users(args.warmup), args.warmup, 1)
        users, n = runs.users(args.users), args.profile_updates
        plain = n / await drive(app, traffic.next, users, n, 1)
        profiler = cProfile.Profile()
        users = runs.users(args.users)
        profiler.enable()
        profiled = n / await drive(app, traffic.next, users, n, 1)
        profiler.disable()
    stats = pstats.Stats(profiler).stats  # type: ignore[attr-defined]
    total = sum(tt for (_cc, _nc, tt, _ct, _c) in stats.values())
    scale = 1e6 / n
    print(f"\nprofile: trustbot, sequential, rate limiter {limiter!r}, {n} updates "
          f"({plain:,.0f}/s unprofiled, {profiled:,.0f}/s under cProfile: shares are indicative)")
    if not url.startswith("sqlite"):
        print("note: on PostgreSQL statements run in greenlets and updates wait on sockets; cProfile then "
              "mis-adds the inclusive rows (trust the per-package self time; 'asyncio' is mostly waiting)")
    print(f"{'inclusive time per update (profiled µs)':<58}{'µs':>8}{'share':>8}")
    for label, fragment, name in BOUNDARIES:
        value = _inclusive(stats, fragment, name)
        if value:
            print(f"{label:<58}{value * scale:>8.0f}{value / total:>8.0%}")
    print(f"{'whole loop (profiled CPU)':<58}{total * scale:>8.0f}{1:>8.0%}")
    groups = _by_package(stats)
    print(f"{'self time by package (builtins count for their caller)':<58}{'µs':>8}{'share':>8}")
    for label, value in sorted(groups.items(), key=lambda kv: -kv[1]):
        print(f"{label:<58}{value * scale:>8.0f}{value / total:>8.0%}")
    if args.profile_top:
        print()
        pstats.Stats(profiler).sort_stats("tottime").print_stats(args.profile_top)


# --- main ----------------------------------------------------------------------

def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--updates", type=int, default=3000, help="trustbot updates per run (default 3000)")
    parser.add_argument("--echo-updates", type=int, default=10000, help="echo updates per run (default 10000)")
    parser.add_argument("--users", type=int, default=300, help="distinct users per run (default 300: 10 updates each)")
    parser.add_argument("--concurrency", type=int, default=64, help="updates in flight when concurrent (default 64)")
    parser.add_argument("--reps", type=int, default=3, help="runs per figure; the median is printed (default 3)")
    parser.add_argument("--warmup", type=int, default=300, help="updates before measuring (default 300)")
    parser.add_argument("--limiters", nargs="+", default=["uncapped", "none"], choices=["uncapped", "none"],
                        help="uncapped: the runner's AIORateLimiter with limits no run reaches; none: without it")
    parser.add_argument("--real-updates", type=int, default=150,
                        help="updates through the limiter as configured, 30 messages/s (0 to skip)")
    parser.add_argument("--database-url", help="an existing database (PostgreSQL must be migrated or empty)")
    parser.add_argument("--postgres", action="store_true", help="start a throwaway PostgreSQL server (tests/support)")
    parser.add_argument("--cold-runs", type=int, default=3, help="fresh processes for the cold start (0 to skip)")
    parser.add_argument("--profile", action="store_true", help="also profile the trustbot hot path (cProfile)")
    parser.add_argument("--profile-only", action="store_true", help="only the profile")
    parser.add_argument("--profile-updates", type=int, default=3000)
    parser.add_argument("--profile-limiter", default="uncapped", choices=["uncapped", "none", "real"])
    parser.add_argument("--profile-top", type=int, default=0, help="also print the N functions with most self time")
    args = parser.parse_args()
    os.chdir(ROOT)

    kind = "postgresql" if args.postgres or (args.database_url or "").startswith("postgres") else "sqlite"
    print(f"trustbot bench_updates: {kind}, python {sys.version.split()[0]}, {os.cpu_count()} cpus, "
          f"load average {os.getloadavg()[0]:.2f} (other processes skew every figure)")
    if args.cold_runs and not args.profile_only:
        cold_start(args.cold_runs)

    async def run() -> None:
        with database_url(kind, args.database_url) as url:
            if kind == "postgresql":
                await migrate_postgres(url)
            if not args.profile_only:
                await throughput(args, url)
            if args.profile or args.profile_only:
                await profile(args, url)

    asyncio.run(run())


if __name__ == "__main__":
    main()
