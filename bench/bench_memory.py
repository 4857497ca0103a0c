"""Memory after many users have talked: run by hand, ``.venv/bin/python bench/bench_memory.py``.

The real trustbot Application with the model (as ``trustbot run`` starts it),
on a fresh SQLite file, driven through the in-memory Bot API by ``--users``
distinct users (default 10,000), each sending ``--updates`` updates of the
real mix (their /start, then presses, typed text read by the model, commands).
Prints the resident memory (VmRSS) at start, after the users, and its peak
(VmHWM), so a cache that grows with the number of users shows. Since the
model reads in a process of its own (2026-12-02), each figure is the bot's
plus that process's: the sum of resident sets, which counts the pages both
map (libpython, numpy) twice; the proportional set size (PSS), which splits
them, is printed beside it.

Not a unit test on purpose: memory depends on the machine and the allocator.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import ROOT, BotMemoryRequest, Traffic, database_url, model_summary, take_in, trustbot_app, user_ids

GOAL_MB = 400


def status_mb(field: str, pid: int | str = "self") -> float:
    with open(f"/proc/{pid}/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


def children() -> list[int]:
    """This process's child processes (the model's process, since 2026-12-02)."""
    pid = os.getpid()
    with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as listed:
        return [int(child) for child in listed.read().split()]


def pss_mb(pid: int | str) -> float:
    """Proportional set size: shared pages (libpython, numpy) split between processes."""
    with open(f"/proc/{pid}/smaps_rollup", encoding="ascii") as rollup:
        for line in rollup:
            if line.startswith("Pss:"):
                return int(line.split()[1]) / 1024
    return float("nan")


def memory(field: str = "VmRSS") -> tuple[float, str]:
    """The bot's memory with its children's, and how it splits: the goal is
    on the sum of resident sets (shared pages counted in each process: an
    upper bound), PSS shown beside it."""
    kids = children()
    own = status_mb(field)
    theirs = sum(status_mb(field, kid) for kid in kids)
    pss = pss_mb("self") + sum(pss_mb(kid) for kid in kids)
    detail = (f"bot {own:.0f} + model process {theirs:.0f} MB, PSS {pss:.0f} MB" if kids
              else f"one process, PSS {pss:.0f} MB")
    return own + theirs, detail


async def main_async(args: argparse.Namespace) -> None:
    with database_url("sqlite") as url:
        request = BotMemoryRequest()
        async with trustbot_app(url, request, limiter="uncapped") as app:
            gc.collect()
            ready, split = memory()
            print(f"ready: RSS {ready:.0f} MB ({split}; model, example vectors, content, PTB)", flush=True)
            traffic = Traffic(request)
            users = user_ids(args.users)
            start = time.perf_counter()

            async def worker(mine: list[int]) -> None:
                for _ in range(args.updates):
                    for user in mine:
                        await app.process_update(take_in(app, traffic.next(user)))

            await asyncio.gather(*(worker(users[w::args.concurrency]) for w in range(args.concurrency)))
            seconds = time.perf_counter() - start
            gc.collect()
            after, split = memory()
            print(f"after {args.users:,} users x {args.updates} updates ({seconds:.0f} s, mix "
                  f"{dict(traffic.kinds)}): RSS {after:.0f} MB (+{after - ready:.0f} MB; {split}), peak "
                  f"{memory('VmHWM')[0]:.0f} MB; goal <= {GOAL_MB} MB: {'meets' if after <= GOAL_MB else 'MISSES'}")
        print(f"model: {model_summary(app)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=10_000, help="distinct users (default 10,000)")
    parser.add_argument("--updates", type=int, default=3, help="updates per user (default 3)")
    parser.add_argument("--concurrency", type=int, default=64, help="users in flight (default 64)")
    args = parser.parse_args()
    os.chdir(ROOT)
    print(f"trustbot bench_memory: python {sys.version.split()[0]}, {os.cpu_count()} cpus, "
          f"load average {os.getloadavg()[0]:.2f}")
    asyncio.run(main_async(args))


if __name__ == "__main__":
    main()
