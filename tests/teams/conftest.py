"""Fixtures: a fake Bot Framework thread and the real Teams blueprint served by Sanic on
127.0.0.1, driven with an echo ``on_new_message`` instead of a trained Rasa model."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import aiohttp
import pytest
from fake_bot_framework import (
    KID,
    FakeBotFramework,
    SigningKey,
)
from teams_harness import InMemoryTrusts, TeamsHarness, make_settings, serve

from bot.channels.teams import TeamsInput


@pytest.fixture(scope="session")
def trusted_key() -> SigningKey:
    return SigningKey(KID)


@pytest.fixture(scope="session")
def attacker_key() -> SigningKey:
    """Another RSA key that claims the trusted key's ``kid``."""
    return SigningKey(KID)


@pytest.fixture
def fake_bf(trusted_key: SigningKey) -> Iterator[FakeBotFramework]:
    with FakeBotFramework([trusted_key]) as fake:
        yield fake


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    """Override in a test module (or parametrize) to change the channel's settings."""
    return {}


@pytest.fixture
async def teams(
    fake_bf: FakeBotFramework, trusted_key: SigningKey, settings_overrides: dict[str, Any]
) -> AsyncIterator[TeamsHarness]:
    channel = TeamsInput(make_settings(fake_bf, **settings_overrides), trust_memory=InMemoryTrusts())
    harness = TeamsHarness(fake_bf, trusted_key, channel)
    async with aiohttp.ClientSession() as http:
        harness.http = http
        async for base_url in serve(channel, harness.on_new_message):
            harness.base_url = base_url
            yield harness
