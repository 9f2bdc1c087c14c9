"""Storage by allow-list (S3), retention and file modes (S5), no raw text on a DB failure (S15)."""

from __future__ import annotations

import asyncio
import os
import stat
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import sqlalchemy as sa
from rasa.core.tracker_store import FailSafeTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import BotUttered, SlotSet, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

from bot.privacy import NOT_STORED, Vocabulary, stored_event
from bot.rasa_ext.stores import (
    PrivateSQLTrackerStore,
    UnsafeDatabase,
    check_database_url,
    purge,
    remember_trust,
    remembered_trust,
)
from bot.rasa_ext.turns import gate_payload, normalise_text

REPO = Path(__file__).resolve().parents[2]
POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
VOCAB = Vocabulary(
    frozenset({"who", "patient", "platform", "facebook", "trust", "tewv", "recorded_by_patient"})
)


def test_a_slot_keeps_only_the_assistants_own_words() -> None:
    assert stored_event({"event": "slot", "name": "who", "value": "patient"}, VOCAB)["value"] == "patient"
    for typed in ("John Smith 9434765919", "DOB 12/03/1950", 9434765919, ["Mrs Jane Doe"], {"x": "y"}):
        assert stored_event({"event": "slot", "name": "who", "value": typed}, VOCAB)["value"] is None
    assert stored_event({"event": "slot", "name": "posted_online", "value": True}, VOCAB)["value"] is True


def test_a_user_event_keeps_no_text_tokens_metadata_or_typed_entities() -> None:
    event = {
        "event": "user",
        "text": "John Smith 943 476 5919",
        "parse_data": {
            "text": "John Smith 943 476 5919",
            "intent": {"name": "recorded_by_patient", "confidence": 0.9},
            "entities": [
                {"entity": "who", "value": "patient", "start": 0, "end": 3},
                {"entity": "who", "value": "John Smith 9434765919"},
            ],
            "text_tokens": [[0, 4], [5, 10], [11, 14]],
        },
        "input_channel": "made-up-channel",
        "metadata": {"email": "sam.nurse@nhs.net", "displayName": "Sam Nurse", "trust": "tewv"},
    }
    stored = stored_event(event, VOCAB)
    assert stored["text"] == stored["parse_data"]["text"] == NOT_STORED
    assert stored["parse_data"]["entities"] == [{"entity": "who", "value": "patient"}]
    assert "text_tokens" not in str(stored) and "sam.nurse" not in str(stored)
    assert stored["metadata"] == {"trust": "tewv"} and stored["input_channel"] is None


def test_typed_payload_syntax_is_plain_words_unless_offered() -> None:
    offered = ['/inform{"still_recording":true}']
    assert gate_payload('/inform{"still_recording":true}', offered) == offered[0]
    gated = gate_payload('/inform{"who": "John Smith 9434765919"}', offered)
    assert not gated.startswith("/") and "{" not in gated
    assert gate_payload("/help", []) == "/help"


def test_input_is_normalised() -> None:
    text = normalise_text("cafe\u0301\x00\u202e\ud800 ok")
    assert text.startswith("café") and "\x00" not in text and "\u202e" not in text and "\ud800" not in text
    assert text.encode("utf-8")  # no lone surrogate left to crash an encoder


# --- S5 --------------------------------------------------------------------------------------


def test_the_sqlite_file_is_owner_only_whatever_the_umask(tmp_path: Path) -> None:
    script = (
        "import os, asyncio; os.umask(0o022)\n"
        "from bot.rasa_ext.stores import PrivateSQLTrackerStore\n"
        f"PrivateSQLTrackerStore(url='sqlite:///{tmp_path}/var/tracker.db')\n"
    )
    subprocess.run([sys.executable, "-c", script], cwd=REPO, check=True, capture_output=True)
    assert stat.S_IMODE(os.stat(tmp_path / "var" / "tracker.db").st_mode) == 0o600
    assert stat.S_IMODE(os.stat(tmp_path / "var").st_mode) == 0o700


DOMAIN = Domain.from_yaml(
    'version: "3.1"\nintents: [recorded_by_patient]\n'
    "slots:\n  trust:\n    type: any\n    mappings: [{type: custom}]\n"
)


def save_conversation(url: str, at: float) -> str:
    sender = f"purge-{uuid.uuid4()}"
    store = PrivateSQLTrackerStore(domain=DOMAIN, url=url)
    tracker = DialogueStateTracker(sender, DOMAIN.slots)
    tracker.update(UserUttered("hello", {"name": "recorded_by_patient", "confidence": 1.0}, timestamp=at))
    tracker.update(SlotSet("trust", "tewv", timestamp=at))
    tracker.update(BotUttered("hi", timestamp=at))
    asyncio.run(store.save(tracker))
    return sender


def rows_for(url: str, sender: str) -> int:
    engine = sa.create_engine(url)
    with engine.connect() as connection:
        count = connection.execute(
            sa.text("select count(*) from events where sender_id = :s"), {"s": sender}
        ).scalar()
    engine.dispose()
    return int(count)


@pytest.mark.parametrize(
    "url",
    ["sqlite:///{tmp}/tracker.db", pytest.param(POSTGRES_URL, marks=pytest.mark.services)],
    ids=["sqlite", "postgres"],
)
def test_purge_deletes_old_conversations_and_keeps_new_ones(url: str, tmp_path: Path, monkeypatch) -> None:
    url = url.format(tmp=tmp_path)
    now = time.time()
    old = save_conversation(url, now - 40 * 86400)
    new = save_conversation(url, now - 1 * 86400)
    engine = sa.create_engine(url)
    remember_trust(f"user-old-{uuid.uuid4().hex}", "tewv", engine)
    monkeypatch.setenv("BOT_RETENTION_DAYS", "30")
    deleted = purge(url=url)
    assert deleted["events"] >= 3
    assert rows_for(url, old) == 0 and rows_for(url, new) == 3
    assert purge(older_than_days=0.5, url=url)["events"] >= 3
    assert rows_for(url, new) == 0
    engine.dispose()


def test_purge_command_line(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path}/tracker.db"
    old = save_conversation(url, time.time() - 10 * 86400)
    result = subprocess.run(
        [sys.executable, "-m", "bot", "purge", "--older-than", "7", "--db-url", url],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "older than 7 days" in result.stdout and rows_for(url, old) == 0


def test_a_remembered_trust_is_kept_per_person(tmp_path: Path) -> None:
    engine = sa.create_engine(f"sqlite:///{tmp_path}/t.db")
    remember_trust("user-abc", "tewv", engine)
    remember_trust("user-abc", "lchs", engine)  # changed their mind
    assert remembered_trust("user-abc", engine) == "lchs"
    assert remembered_trust("user-other", engine) is None


def test_slots_do_not_carry_over_to_a_new_session() -> None:
    domain = Domain.load(str(REPO / "domain"))
    assert domain.session_config.carry_over_slots is False


def test_production_refuses_postgres_without_tls_on_another_host() -> None:
    production = {"BOT_PRODUCTION": "1"}
    with pytest.raises(UnsafeDatabase):
        check_database_url("postgresql://rasa:pw@db.example.nhs.uk:5432/rasa", production)
    check_database_url("postgresql://rasa:pw@db.example.nhs.uk:5432/rasa?sslmode=verify-full", production)
    check_database_url("postgresql://rasa@127.0.0.1:5432/rasa", production)  # a sidecar on this host
    check_database_url("postgresql://rasa@db.example.nhs.uk:5432/rasa", {})  # not production


# --- S15 -------------------------------------------------------------------------------------


def test_a_database_failure_leaves_no_raw_text_in_memory(tmp_path: Path) -> None:
    store = PrivateSQLTrackerStore(domain=DOMAIN, url=f"sqlite:///{tmp_path}/t.db")
    store.engine.dispose()
    store.engine = sa.create_engine("sqlite:////nonexistent-folder/nowhere.db")
    fail_safe = FailSafeTrackerStore(store)
    tracker = DialogueStateTracker("s15", DOMAIN.slots)
    tracker.update(UserUttered("John Smith 943 476 5919", {"name": "recorded_by_patient", "confidence": 1.0}))
    asyncio.run(fail_safe.save(tracker))
    assert (
        fail_safe._fallback_tracker_store is None
        or asyncio.run(fail_safe.fallback_tracker_store.retrieve("s15")) is None
    )


def test_an_event_broker_is_refused() -> None:
    class Broker:
        published: list = []

        def publish(self, event, headers=None):
            self.published.append(event)

    broker = Broker()
    store = PrivateSQLTrackerStore(domain=DOMAIN, url="sqlite://", event_broker=broker)
    tracker = DialogueStateTracker("s15b", DOMAIN.slots)
    tracker.update(UserUttered("John Smith", {"name": "recorded_by_patient", "confidence": 1.0}))
    asyncio.run(store.save(tracker))
    assert store.event_broker is None and broker.published == []
