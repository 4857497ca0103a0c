"""Lower the scheduling priority of the model's threads (Linux ``nice``).

Reading a message is the one heavy job in the bot; the event loop's job is
short (a button press is ~2.5 ms). Linux schedules threads one by one, so a
niced model thread yields its core to the loop whenever both want it, and
takes any core left idle: on this machine a pure-Python loop kept 50% of its
speed beside a model thread at normal priority and 96% beside a niced one
(README). No privilege is needed to lower one's own priority.
"""

from __future__ import annotations

import os

#: Added to the model threads' nice value.
MODEL_NICE = 10


def thread_ids() -> set[int]:
    """This process's threads (empty where /proc is not there: no per-thread
    priorities to set)."""
    try:
        return {int(entry) for entry in os.listdir("/proc/self/task")}
    except OSError:
        return set()


def lower_priority(ids: set[int], nice: int = MODEL_NICE) -> None:
    if nice <= 0 or not hasattr(os, "setpriority"):
        return
    for tid in ids:
        try:
            os.setpriority(os.PRIO_PROCESS, tid, min(19, os.getpriority(os.PRIO_PROCESS, tid) + nice))
        except OSError:  # gone already, or a sandbox forbids it: it runs at normal priority
            continue
