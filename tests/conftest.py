"""Shared fixtures: the trained assistant in-process, with the real actions, and nothing else.

The model is trained by `make test` before pytest runs (models/assistant.tar.gz);
`bot.rasa_ext.inprocess` runs our actions in-process, so a conversation test exercises NLU,
rules, forms and actions without any network at all.
"""

from __future__ import annotations

import asyncio
import itertools
import os
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
MODEL = REPO / "models" / "assistant.tar.gz"

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
os.environ["BOT_TRUST"] = "lpt"

TRUSTS = ["lpt", "tewv", "lchs", "cumbria", "secamb"]
_senders = itertools.count()


def load_agent(tracker_store=None, lock_store=None):
    from bot.rasa_ext.inprocess import load_agent as load

    if not MODEL.exists():
        pytest.fail(f"{MODEL} is missing: run `make test`, which trains it first")
    return load(tracker_store=tracker_store, lock_store=lock_store)


@pytest.fixture(scope="session")
def agent():
    return load_agent()


class Conversation:
    """One user talking to the assistant: `say` returns the texts of the replies."""

    def __init__(self, agent, trust: str | None = None) -> None:
        self.agent = agent
        self.sender = f"test-user-{next(_senders)}"
        self.replies: list[dict] = []
        if trust:
            self.say(f'/choose_trust{{"trust":"{trust}"}}')

    def say(self, text: str) -> list[str]:
        replies = asyncio.run(self.agent.handle_text(text, sender_id=self.sender))
        self.replies = replies
        return [r.get("text") or "" for r in replies]

    def text(self, message: str) -> str:
        """Everything the assistant replied to `message`, as one string."""
        return "\n".join(self.say(message))

    def until_guidance(self, first_message: str, max_turns: int = 6) -> tuple[str, int]:
        """Send the first message, then click the first answer button until the steps arrive.

        Returns the reply that carries the steps and how many user turns it took.
        """
        reply, turns = self.text(first_message), 1
        while "Source:" not in reply and turns < max_turns:
            answers = [b for b in self.buttons if b["payload"].startswith("/inform")]
            assert answers, f"no answer buttons and no guidance after: {reply!r}"
            reply, turns = self.text(answers[0]["payload"]), turns + 1
        return reply, turns

    @property
    def buttons(self) -> list[dict]:
        return [b for r in self.replies for b in (r.get("buttons") or [])]

    def tracker(self):
        return asyncio.run(self.agent.tracker_store.retrieve(self.sender))


@pytest.fixture
def conversation(agent):
    def start(trust: str | None = None) -> Conversation:
        return Conversation(agent, trust)

    return start
