"""Install the dispatcher on PTB's JobQueue (APScheduler under the hood).

One repeating job per process, never persisted: the database holds all
check-in state, so there is nothing for a job store to remember, and the
pitfalls of APScheduler job stores (pickled jobs, one store shared by several
processes) do not apply.
"""

from __future__ import annotations

import logging

from bot.adapters.telegram.types import Context, Queue, QueueJob
from bot.scheduler.dispatcher import Dispatcher

log = logging.getLogger(__name__)
JOB_NAME = "checkin-dispatch"


def install(job_queue: Queue, dispatcher: Dispatcher, interval: float) -> QueueJob:
    async def run(context: Context) -> None:
        try:
            await dispatcher.tick()
        except Exception as exc:
            log.error("check-in dispatch failed: %s", type(exc).__name__)

    return job_queue.run_repeating(
        run, interval=interval, first=min(interval, 1.0), name=JOB_NAME,
        # One tick at a time; a late tick runs once, not once per missed interval.
        job_kwargs={"max_instances": 1, "coalesce": True, "misfire_grace_time": None},
    )
