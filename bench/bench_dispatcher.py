"""How fast the check-in dispatcher claims due users: run by hand, ``python bench/bench_dispatcher.py``.

Fills a fresh SQLite file with N users whose check-in is due (spread over the
last hour, in a mix of zones and hours), then runs one dispatcher tick that
claims every one of them in batches and hands each claim to a sender, and
records them as sent. Prints the time, the rate, and the peak memory.

Two senders:

- ``handoff`` (default): the sender returns at once; this measures the
  dispatcher and its queries (claim, move next_checkin_at, record);
- ``turn``: each claim runs the real chat-service turn a check-in runs in
  the bot (insight picked, state and users.extra written, its own
  transaction), with delivery to nowhere.

Not a unit test on purpose: timings depend on the machine and its load. Telegram
itself would cap a real broadcast at about 30 messages a second.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import resource
import shutil
import sys
import tempfile
import time
import tracemalloc
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

import sqlalchemy as sa  # noqa: E402

from bot.bootstrap import build_brain  # noqa: E402
from bot.core.messages import DueCheckIn, Outcome  # noqa: E402
from bot.scheduler.dispatcher import Dispatcher  # noqa: E402
from bot.service.chat import ChatService  # noqa: E402
from bot.service.checkin_claims import CheckinClaims, Claim  # noqa: E402
from bot.service.checkins import CheckinConfig, CheckinHooks  # noqa: E402
from bot.storage import migrate  # noqa: E402
from bot.storage.database import Database  # noqa: E402
from bot.storage.tables import checkins, users  # noqa: E402

CHANNEL = "bench"
ZONES = ("Europe/Berlin", "America/New_York", "Asia/Kolkata", "Pacific/Kiritimati", "Pacific/Pago_Pago",
         "Australia/Sydney", "UTC", "America/Los_Angeles")


def _fill(db_path: Path, count: int, now: datetime) -> None:
    """Insert the users straight through SQLAlchemy Core, 10,000 per statement batch."""
    engine = sa.create_engine(f"sqlite:///{db_path}")
    rng = random.Random(5)
    with engine.begin() as conn:
        batch = []
        for n in range(count):
            role = "broke_trust" if n % 2 else "hurt_partner"
            batch.append({
                "channel": CHANNEL, "external_id": str(n), "chat_id": 10_000_000 + n,
                "created_at": now, "updated_at": now, "state": {"node": None, "role": role},
                "active": True, "discreet": False, "timezone": rng.choice(ZONES),
                "checkin_time": f"{rng.randrange(24):02d}:{rng.choice((0, 15, 30, 45)):02d}",
                "checkin_enabled": True, "extra": {},
                "next_checkin_at": now - timedelta(seconds=rng.randrange(3600)),
            })
            if len(batch) == 10_000:
                conn.execute(sa.insert(users), batch)
                batch = []
        if batch:
            conn.execute(sa.insert(users), batch)
    engine.dispose()


async def _run(args: argparse.Namespace, workdir: Path) -> None:
    path = workdir / "bench.sqlite3"
    now = datetime.now(UTC)
    db = Database(f"sqlite:///{path}")
    await migrate.upgrade(db)
    started = time.perf_counter()
    _fill(path, args.users, now)
    print(f"filled {args.users:,} due users in {time.perf_counter() - started:.1f} s")

    brain = build_brain(ROOT / "dialogs")
    service = CheckinHooks(CheckinConfig(), brain.graph, brain.faq)
    chat = ChatService(db, brain, clock=lambda: now, checkins=service)

    async def nowhere(outcome: Outcome) -> None:
        return None

    async def handoff(claim: Claim) -> str:
        return "sent"

    async def turn(claim: Claim) -> str:
        outcome = await chat.handle(claim.key, DueCheckIn(claim.checkin_id, claim.attempt), nowhere)
        return "sent" if outcome.replies else "skipped"

    dispatcher = Dispatcher(db, CheckinClaims(service.config), turn if args.sender == "turn" else handoff,
                            channels=(CHANNEL,), clock=lambda: now, batch_size=args.batch_size,
                            concurrency=args.concurrency, max_per_second=None)
    if args.tracemalloc:
        tracemalloc.start()
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    report = await dispatcher.tick()
    elapsed = time.perf_counter() - started
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    traced = tracemalloc.get_traced_memory()[1] if args.tracemalloc else None

    def verify(conn) -> tuple[int, int, int]:
        rows = conn.execute(sa.select(sa.func.count()).select_from(checkins).where(checkins.c.status == "sent"))
        pairs = conn.execute(sa.select(sa.func.count(sa.distinct(checkins.c.user_id))).select_from(checkins))
        left = conn.execute(sa.select(sa.func.count()).select_from(users).where(users.c.next_checkin_at <= now))
        return rows.scalar_one(), pairs.scalar_one(), left.scalar_one()

    sent, distinct, left = await db.run(verify)
    await db.dispose()
    print(f"sender: {args.sender}, batch size {args.batch_size}, {report.batches} batches")
    print(f"claimed {report.claimed:,}, sent {report.sent:,} (rows marked sent: {sent:,}, distinct users: "
          f"{distinct:,}, still due: {left:,})")
    print(f"time: {elapsed:.2f} s, {report.claimed / elapsed:,.0f} check-ins/s")
    print(f"peak RSS: {rss_after / 1024:.0f} MB (before the tick: {rss_before / 1024:.0f} MB)")
    if traced is not None:
        print(f"tracemalloc peak during the tick: {traced / 1e6:.1f} MB (tracing slows the run down)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=100_000)
    parser.add_argument("--batch-size", type=int, default=500)
    parser.add_argument("--concurrency", type=int, default=64)
    parser.add_argument("--sender", choices=("handoff", "turn"), default="handoff")
    parser.add_argument("--tracemalloc", action="store_true", help="also measure Python's own peak allocation")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="trustbot-bench-"))
    try:
        asyncio.run(_run(args, workdir))
    finally:
        shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    main()
