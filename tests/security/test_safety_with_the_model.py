"""With the real trained model: safety that survives a failed part (S6), nothing typed stored (S3).

Messages go through the channel seam (``bot.rasa_ext.turns.guard``) as every served channel's
messages do, so the payload gate and the never-silent fallback are part of what is tested.
"""

from __future__ import annotations

import asyncio
import socket
import sqlite3
from pathlib import Path

import pytest
import yaml
from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

from bot.rasa_ext.stores import PrivateSQLTrackerStore
from bot.rasa_ext.turns import buttons_from_tracker, guard

REPO = Path(__file__).resolve().parents[2]
MODEL = REPO / "models" / "assistant.tar.gz"

DANGER = "a patient has a knife and is threatening staff right now"
IDENTIFIERS = (
    "John Smith",
    "943 476 5919",
    "9434765919",
    "12/03/1950",
    "07700 900123",
    "12.03",
    "Jane Doe",
    "sam.nurse",
    "text_tokens",
)


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


async def turn(agent, sender: str, text: str, metadata: dict | None = None) -> list[str]:
    output = CollectingOutputChannel()
    message = UserMessage(text, output, sender, input_channel="rest", metadata=metadata)

    async def offered(sender_id: str) -> list[str]:
        return await buttons_from_tracker(agent, sender_id)

    await guard(message, agent.handle_message, offered)
    return [m.get("text") or "" for m in output.messages]


def test_the_danger_line_is_the_same_in_the_domain_and_the_safety_file() -> None:
    from rasa.shared.core.domain import Domain

    domain = Domain.load(str(REPO / "domain"))
    safety = yaml.safe_load((REPO / "policies" / "safety.yml").read_text())
    (response,) = domain.responses["utter_immediate_danger"]
    assert " ".join(safety["immediate_danger"].split()) in response["text"]
    rules = yaml.safe_load((REPO / "data/rules/respond.yml").read_text())["rules"]
    (danger,) = [r for r in rules if {"intent": "urgent_danger"} in r["steps"]]
    assert danger["steps"][1] == {"action": "utter_immediate_danger"}


@pytest.mark.model
def test_with_the_action_server_down_danger_still_gets_999_first() -> None:
    from rasa.core.agent import Agent
    from rasa.utils.endpoints import EndpointConfig

    agent = Agent.load(
        str(MODEL), action_endpoint=EndpointConfig(url=f"http://127.0.0.1:{closed_port()}/webhook")
    )
    replies = asyncio.run(turn(agent, "s6-down", DANGER))
    assert replies and "999" in replies[0] and "security" in replies[0]
    # Any other turn that needs an action gets the fixed safe line, not silence.
    replies = asyncio.run(turn(agent, "s6-down-2", "hello"))
    assert replies and any("999" in r for r in replies)


@pytest.fixture(scope="module")
def stored_agent(tmp_path_factory):
    from bot.rasa_ext.inprocess import load_agent

    db = tmp_path_factory.mktemp("s3") / "tracker.db"
    agent = load_agent(tracker_store=PrivateSQLTrackerStore(url=f"sqlite:///{db}"))
    return agent, db


@pytest.mark.model
def test_bad_characters_get_a_reply_not_a_crash(stored_agent) -> None:
    agent, _ = stored_agent
    for text in ("\ud800", "hello \x00\x1b[31m\u202e\x07", '/start_induction{"tour_step":"²"}', "²"):
        replies = asyncio.run(turn(agent, "s6-chars", text))
        assert replies and all(isinstance(r, str) for r in replies), text


@pytest.mark.model
def test_nothing_typed_reaches_the_database(stored_agent) -> None:
    agent, db = stored_agent
    sender = "s3-nurse"
    for text in (
        "the patient John Smith in bed 4 filmed me, NHS number is 943 476 5919, DOB 12/03/1950",
        "his mum rang on 07700 900123 and said 9434765919",
        '/inform{"who": "John Smith 9434765919", "platform": "DOB 12/03/1950"}',
        '/recorded_by_patient{"trust": "Mrs Jane Doe"}',
        "show clause 12.03.1950",
    ):
        asyncio.run(turn(agent, sender, text, metadata={"email": "sam.nurse@nhs.net"}))
    danger = " ".join(asyncio.run(turn(agent, "s6-up", DANGER)))
    assert danger.count("call 999 now") == 1  # the response says it; the action does not repeat it
    replies = asyncio.run(turn(agent, sender, "show clause 12.03.1950"))
    assert not any("12.03" in r for r in replies)
    stored = "\n".join(row[0] for row in sqlite3.connect(db).execute("select data from events"))
    assert "recorded_by_patient" in stored or "show_clause" in stored
    for identifier in IDENTIFIERS:
        assert identifier not in stored, identifier
