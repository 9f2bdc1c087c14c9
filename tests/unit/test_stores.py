"""Conversation stores: SQLite by default, PostgreSQL and Redis for replicas; no typed text kept.

PostgreSQL and Redis run on 127.0.0.1 on every developer machine and in CI (DEVELOPERS.md).
"""

from __future__ import annotations

import asyncio
import uuid

import pytest
import sqlalchemy as sa
from rasa.core.lock_store import InMemoryLockStore, RedisLockStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.rasa_ext.stores import EnvLockStore, PrivateSQLTrackerStore

POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
TYPED = "Mrs Jane Doe NHS number 943 476 5919 filmed me"
DOMAIN = Domain.from_yaml(
    'version: "3.1"\nintents: [recorded_by_patient]\nslots:\n  trust:\n'
    "    type: any\n    mappings: [{type: custom}]\n"
)


def round_trip(url: str) -> tuple[DialogueStateTracker, list[str]]:
    sender = f"store-test-{uuid.uuid4()}"
    store = PrivateSQLTrackerStore(domain=DOMAIN, url=url)
    tracker = DialogueStateTracker(sender, DOMAIN.slots)
    tracker.update(UserUttered(TYPED, {"name": "recorded_by_patient", "confidence": 1.0}))
    tracker.update(SlotSet("trust", "tewv"))
    asyncio.run(store.save(tracker))
    reopened = PrivateSQLTrackerStore(domain=DOMAIN, url=url)  # as after a restart
    restored = asyncio.run(reopened.retrieve(sender))
    with sa.create_engine(url).connect() as connection:
        rows = [
            r[0]
            for r in connection.execute(
                sa.text("select data from events where sender_id = :s"), {"s": sender}
            )
        ]
    return restored, rows


@pytest.mark.parametrize("url", ["sqlite:///{tmp}/tracker.db", POSTGRES_URL], ids=["sqlite", "postgres"])
def test_conversation_is_kept_but_what_the_user_typed_is_not(url, tmp_path):
    restored, rows = round_trip(url.format(tmp=tmp_path))
    assert restored.get_slot("trust") == "tewv"
    assert restored.latest_message.intent["name"] == "recorded_by_patient"
    stored = "\n".join(rows)
    assert "recorded_by_patient" in stored
    for identifier in ("Jane Doe", "943 476 5919", "filmed me"):
        assert identifier not in stored


def test_lock_store_is_in_process_by_default_and_redis_when_configured(monkeypatch):
    monkeypatch.delenv("BOT_REDIS_URL", raising=False)
    assert isinstance(EnvLockStore(), InMemoryLockStore)
    monkeypatch.setenv("BOT_REDIS_URL", "redis://127.0.0.1:6379/1")
    store = EnvLockStore()
    assert isinstance(store, RedisLockStore)
    store.red.ping()


def test_a_long_conversation_is_loaded_from_its_recent_turns_and_every_turn_is_kept(tmp_path):
    from rasa.shared.core.events import ActionExecuted

    from bot.rasa_ext.stores import RECENT_TURNS

    store = PrivateSQLTrackerStore(domain=DOMAIN, url=f"sqlite:///{tmp_path}/tracker.db")
    sender = f"long-{uuid.uuid4()}"
    for turn in range(3 * RECENT_TURNS):  # as Rasa does each turn: load, add the turn, save
        tracker = asyncio.run(store.retrieve(sender)) or DialogueStateTracker(sender, DOMAIN.slots)
        tracker.update(UserUttered("text", {"name": "recorded_by_patient", "confidence": 1.0}))
        tracker.update(ActionExecuted("action_respond"))
        if turn == 1:
            tracker.update(SlotSet("trust", "tewv"))
        tracker.update(ActionExecuted("action_listen"))
        asyncio.run(store.save(tracker))
        asyncio.run(store.save(tracker))  # saved twice in a turn: nothing written twice

    recent = asyncio.run(store.retrieve(sender))
    full = asyncio.run(store.retrieve_full_tracker(sender))
    assert sum(isinstance(e, UserUttered) for e in full.events) == 3 * RECENT_TURNS
    assert len(full.events) == 3 * RECENT_TURNS * 3 + 1  # every event once, none lost
    assert sum(isinstance(e, UserUttered) for e in recent.events) == RECENT_TURNS
    assert recent.get_slot("trust") == "tewv"  # set in turn 2, long before the recent turns
    stamps = [e.timestamp for e in full.events]
    assert stamps == sorted(stamps)
