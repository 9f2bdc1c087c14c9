"""Serving the Teams channel for tests and the latency bench (no pytest imports here)."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any
from urllib.parse import urljoin

import aiohttp
from fake_bot_framework import (
    APP_ID,
    BOT_ID,
    TENANT_ID,
    FakeBotFramework,
    SigningKey,
    connector_claims,
    free_port_socket,
)
from rasa.core.channels.channel import UserMessage
from sanic import Sanic

from bot.channels.teams import TeamsInput, TeamsSettings
from bot.channels.teams_connector import RetryPolicy

#: The fake Bot Framework serves on 127.0.0.1 over http, which the channel accepts only in
#: test mode (review S11); every process that imports this harness is a test or the bench.
os.environ["BOT_TEAMS_TEST_MODE"] = "1"

SENDER_ID_KEY = "test-sender-id-key-not-the-app-id"

ECHO_BUTTONS = [
    {"title": "Yes", "payload": '/inform{"still_recording": true}'},
    {"title": "No", "payload": '/inform{"still_recording": false}'},
]


def make_settings(fake: FakeBotFramework, **overrides: Any) -> TeamsSettings:
    values: dict[str, Any] = {
        "app_id": APP_ID,
        "app_password": "test-secret",
        "tenant_id": TENANT_ID,
        "openid_url": fake.openid_url,
        "token_url": fake.token_url,
        "tenant_trusts": {TENANT_ID: "tewv"},
        "sender_id_key": SENDER_ID_KEY,
        "retry": RetryPolicy(max_attempts=4, base_delay_seconds=0.01, max_delay_seconds=0.05),
    }
    values.update(overrides)
    return TeamsSettings(**values)


def activity(fake: FakeBotFramework, **fields: Any) -> dict[str, Any]:
    """A Teams message activity as the connector posts it."""
    base: dict[str, Any] = {
        "type": "message",
        "id": uuid.uuid4().hex,
        "channelId": "msteams",
        "serviceUrl": fake.service_url,
        "from": {"id": "29:user-1", "aadObjectId": "aad-user-1", "name": "Sam Nurse"},
        "recipient": {"id": BOT_ID, "name": "Policy Bot"},
        "conversation": {"id": "a:1teamsconv", "conversationType": "personal"},
        "channelData": {"tenant": {"id": TENANT_ID}},
        "text": "hello",
    }
    base.update(fields)
    return base


async def serve(
    channel: TeamsInput, on_new_message: Callable[[UserMessage], Awaitable[Any]]
) -> AsyncIterator[str]:
    """Serve the channel's blueprint the way ``rasa.core.channels.channel.register`` does."""
    Sanic.test_mode = True  # lets sanic 21.12 start more than one app per process
    app = Sanic(f"teams_test_{uuid.uuid4().hex}")
    app.blueprint(
        channel.blueprint(on_new_message),
        url_prefix=urljoin("/webhooks/", channel.url_prefix()),
    )
    sock = free_port_socket()
    port = sock.getsockname()[1]
    server = await app.create_server(sock=sock, return_asyncio_server=True, access_log=False)
    # In sanic 21.12 create_server has already bound and started listening on the socket.
    await server.startup()
    await server.before_start()
    await server.after_start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await server.before_stop()
        server.close()
        await server.wait_closed()
        await server.after_stop()


class InMemoryTrusts:
    """The per-person Trust memory, in a dict: the tests never touch var/tracker.db."""

    def __init__(self) -> None:
        self.chosen: dict[str, str] = {}

    async def remember(self, user_key: str, trust: str) -> None:
        self.chosen[user_key] = trust

    async def remembered(self, user_key: str) -> str | None:
        return self.chosen.get(user_key)


class TeamsHarness:
    """The channel served on a real socket, plus a recorder of what reached Rasa."""

    def __init__(self, fake: FakeBotFramework, key: SigningKey, channel: TeamsInput) -> None:
        self.fake = fake
        self.key = key
        self.channel = channel
        self.messages: list[UserMessage] = []
        self.message_arrived = asyncio.Event()
        self.release_handler: asyncio.Event | None = None
        self.base_url = ""
        self.http: aiohttp.ClientSession | None = None

    async def on_new_message(self, message: UserMessage) -> None:
        """Echo: record the message, reply with text and buttons through the channel."""
        self.messages.append(message)
        self.message_arrived.set()
        if self.release_handler is not None:
            await self.release_handler.wait()
        await message.output_channel.send_response(
            message.sender_id, {"text": f"You said: {message.text}", "buttons": ECHO_BUTTONS}
        )

    def activity(self, **fields: Any) -> dict[str, Any]:
        return activity(self.fake, **fields)

    def token(self, **claims: Any) -> str:
        return self.key.sign(connector_claims(self.fake.service_url, **claims))

    async def post(
        self,
        body: dict[str, Any],
        token: str | None = "sign",
        headers: dict[str, str] | None = None,
    ) -> tuple[int, str]:
        """POST to /webhooks/teams/webhook; ``token="sign"`` signs a valid token."""
        sent = dict(headers or {})
        if token == "sign":
            token = self.token()
        if token is not None:
            sent["Authorization"] = f"Bearer {token}"
        assert self.http is not None
        async with self.http.post(
            f"{self.base_url}/webhooks/teams/webhook", json=body, headers=sent
        ) as response:
            return response.status, await response.text()

    async def wait_for_messages(self, count: int, timeout: float = 5.0) -> list[UserMessage]:
        async def reached() -> None:
            while len(self.messages) < count:
                self.message_arrived.clear()
                await self.message_arrived.wait()

        await asyncio.wait_for(reached(), timeout)
        return self.messages

    async def wait_for_replies(self, count: int, timeout: float = 5.0) -> list[dict[str, Any]]:
        """Wait (without blocking the loop the channel runs on) for posted replies."""
        return await asyncio.to_thread(self.fake.wait_for_activities, count, timeout)
