"""Scale-out: two assistant replicas share one conversation through PostgreSQL and Redis.

Each replica is a separately loaded agent with its own tracker store and lock store objects,
as two `rasa run` processes behind a load balancer would have; only the databases are shared.
"""

from __future__ import annotations

import asyncio
import uuid

import pytest

from bot.rasa_ext.stores import EnvLockStore, PrivateSQLTrackerStore

POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"


@pytest.fixture(scope="module")
def replicas():
    import os

    from bot.rasa_ext.inprocess import load_agent

    os.environ["BOT_REDIS_URL"] = "redis://127.0.0.1:6379/1"
    try:
        return [
            load_agent(tracker_store=PrivateSQLTrackerStore(url=POSTGRES_URL), lock_store=EnvLockStore())
            for _ in range(2)
        ]
    finally:
        del os.environ["BOT_REDIS_URL"]


def say(agent, sender: str, text: str) -> str:
    replies = asyncio.run(agent.handle_text(text, sender_id=sender))
    return "\n".join(r.get("text") or "" for r in replies)


def test_a_conversation_moves_between_replicas_without_losing_its_place(replicas):
    first, second = replicas
    sender = f"replica-{uuid.uuid4()}"
    say(first, sender, '/choose_trust{"trust":"tewv"}')
    question = say(second, sender, "a patient's son filmed me and it's on facebook")
    assert "threaten" in question  # TEWV's second question; the first was answered in the message
    reply = say(first, sender, "yes")
    assert "TEWV's policy" in reply and "4.6.1" in reply


def test_simultaneous_turns_across_replicas_are_all_kept_in_order(replicas):
    """20 conversations back to back across two replicas; one gets 10 messages at once.

    Both replicas run in this process, so Rasa's own non-atomic ticket would pass here too (its
    Redis calls cannot interleave within one thread); AtomicRedisLockStore's mutex is what makes
    separate processes safe, and this test keeps the behaviour around it honest.
    """
    from bot.rasa_ext.stores import AtomicRedisLockStore

    assert all(isinstance(agent.lock_store, AtomicRedisLockStore) for agent in replicas)
    run = uuid.uuid4().hex[:8]
    busy = f"busy-{run}"
    messages = ["thanks"] * 10

    async def conversation(index: int) -> None:
        sender = f"many-{run}-{index}"
        for turn, text in enumerate(['/choose_trust{"trust":"lpt"}', "a journalist rang me", "thanks"]):
            await replicas[(index + turn) % 2].handle_text(text, sender_id=sender)

    async def everything():
        await replicas[0].handle_text('/choose_trust{"trust":"lpt"}', sender_id=busy)
        at_once = [replicas[i % 2].handle_text(text, sender_id=busy) for i, text in enumerate(messages)]
        results = await asyncio.gather(*at_once, *(conversation(i) for i in range(20)))
        return results[: len(messages)]

    replies = asyncio.run(everything())
    assert all(reply for reply in replies), "a simultaneous message got no reply"
    tracker = asyncio.run(replicas[1].tracker_store.retrieve_full_tracker(busy))
    names = [e.type_name if e.type_name != "action" else e.action_name for e in tracker.events]
    users = [i for i, name in enumerate(names) if name == "user"]
    assert len(users) == 1 + len(messages)  # every turn stored
    for start, end in zip(users, [*users[1:], len(names)], strict=True):
        assert "action_respond" in names[start:end]  # each answered before the next began
    for index in range(20):
        other = asyncio.run(replicas[index % 2].tracker_store.retrieve_full_tracker(f"many-{run}-{index}"))
        assert sum(e.type_name == "user" for e in other.events) == 3


def test_the_lock_mutex_serialises_tickets_between_processes():
    """Two processes issuing tickets for one conversation at once never get the same number."""
    import subprocess
    import sys

    conversation = f"tickets-{uuid.uuid4().hex[:8]}"
    code = (
        "import os,sys; os.environ['BOT_REDIS_URL']='redis://127.0.0.1:6379/1';"
        "from bot.rasa_ext.stores import EnvLockStore; s=EnvLockStore();"
        f"print(','.join(str(s.issue_ticket('{conversation}', 60)) for _ in range(300)))"
    )
    workers = [
        subprocess.Popen([sys.executable, "-c", code], stdout=subprocess.PIPE, text=True) for _ in range(3)
    ]
    tickets = [int(t) for w in workers for t in w.communicate(timeout=120)[0].strip().split(",")]
    assert len(tickets) == 900 and len(set(tickets)) == 900
