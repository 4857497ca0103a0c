"""Per-user locks held across tasks, and work in flight kept until it is done."""

from __future__ import annotations

import asyncio

from bot.service.locks import KeyedLocks


async def test_a_lock_acquired_in_one_task_is_held_until_released_in_another() -> None:
    locks = KeyedLocks()
    release = await locks.acquire("ana")
    waiting = asyncio.create_task(locks.acquire("ana"))
    other = await locks.acquire("ben")  # another user is never held up
    await asyncio.sleep(0.01)
    assert not waiting.done()
    asyncio.get_running_loop().call_soon(release)
    second = await waiting
    release()  # twice: harmless, and it must not free the lock the second holder has
    third = asyncio.create_task(locks.acquire("ana"))
    await asyncio.sleep(0.01)
    assert not third.done()
    second()
    (await third)()
    other()
    assert len(locks) == 0


async def test_a_waiter_cancelled_leaves_no_lock_behind() -> None:
    locks = KeyedLocks()
    release = await locks.acquire("ana")
    waiting = asyncio.create_task(locks.acquire("ana"))
    await asyncio.sleep(0.01)
    waiting.cancel()
    await asyncio.gather(waiting, return_exceptions=True)
    release()
    assert len(locks) == 0


async def test_work_in_flight_is_held_until_done_and_settled_waits_for_what_is_added_meanwhile() -> None:
    from bot.service.in_flight import InFlight

    work = InFlight()
    done: list[str] = []

    async def later(name: str, then: str | None = None) -> None:
        await asyncio.sleep(0.01)
        done.append(name)
        if then is not None:
            work.add(asyncio.ensure_future(later(then)))

    work.add(asyncio.ensure_future(later("first", then="added meanwhile")))
    assert len(work) == 1
    await work.settled()
    assert done == ["first", "added meanwhile"] and len(work) == 0
