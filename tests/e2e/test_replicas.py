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
