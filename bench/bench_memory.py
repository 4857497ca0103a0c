"""Memory after many users have talked: run by hand, ``.venv/bin/python bench/bench_memory.py``.

The real trustbot Application with the model (as ``trustbot run`` starts it),
on a fresh SQLite file, driven through the in-memory Bot API by ``--users``
distinct users (default 10,000), each sending ``--updates`` updates of the
real mix (their /start, then presses, typed text read by the model, commands).
Prints the process's resident memory (VmRSS) at start, after the users, and
its peak (VmHWM), so a cache that grows with the number of users shows.

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

from common import ROOT, MemoryRequest, Traffic, database_url, model_summary, take_in, trustbot_app, user_ids

GOAL_MB = 400


def status_mb(field: str) -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")


async def main_async(args: argparse.Namespace) -> None:
    with database_url("sqlite") as url:
        request = MemoryRequest()
        async with trustbot_app(url, request, limiter="uncapped") as app:
            gc.collect()
            ready = status_mb("VmRSS")
            print(f"ready: RSS {ready:.0f} MB (model, example vectors, content, PTB)", flush=True)
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
            after = status_mb("VmRSS")
            print(f"after {args.users:,} users x {args.updates} updates ({seconds:.0f} s, mix "
                  f"{dict(traffic.kinds)}): RSS {after:.0f} MB (+{after - ready:.0f} MB), peak "
                  f"{status_mb('VmHWM'):.0f} MB; goal <= {GOAL_MB} MB: {'meets' if after <= GOAL_MB else 'MISSES'}")
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
