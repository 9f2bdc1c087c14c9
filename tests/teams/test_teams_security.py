"""The public webhook refuses what is not a Teams activity from our tenants (review S7-S13).

Each test fails without its fix: the token is checked before the body is read, the body is
capped, junk gets 400, only ``msteams`` with an endorsed key, only our tenants, replies only to
Microsoft's https hosts, the pseudonym needs its own key, invoke gets 200, mentions strip in
linear time, resends are dropped across replicas (Redis), and a failed turn is never silent.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
import uuid
from typing import Any

import aiohttp
import pytest
from fake_bot_framework import APP_ID, KID, TENANT_ID, FakeBotFramework, SigningKey, connector_claims
from teams_harness import SENDER_ID_KEY, InMemoryTrusts, TeamsHarness, make_settings, serve

from bot.channels import teams as teams_module
from bot.channels.teams import TeamsInput, TeamsSettings
from bot.channels.teams_activity import hashed_sender_id, pick_numbered_option, strip_bot_mention
from bot.channels.teams_auth import DEFAULT_OPENID_URL
from bot.channels.teams_connector import BotConnectorClient, ConnectorError, allowed_service_url
from bot.channels.teams_state import RedisTeamsState

# --- S8: the body --------------------------------------------------------------------------


async def raw_post(teams: TeamsHarness, data: bytes, token: str | None = "sign") -> tuple[int, str]:
    headers = {"Content-Type": "application/json"}
    if token == "sign":
        token = teams.token()
    if token:
        headers["Authorization"] = f"Bearer {token}"
    assert teams.http is not None
    async with teams.http.post(f"{teams.base_url}/webhooks/teams/webhook", data=data, headers=headers) as r:
        return r.status, await r.text()


def json_loads_must_not_run(monkeypatch: pytest.MonkeyPatch) -> None:
    def refuse(*args: Any, **kwargs: Any) -> Any:
        raise AssertionError("the body was parsed")

    monkeypatch.setattr(teams_module, "parse_activity", refuse)


async def test_deeply_nested_json_gets_400_not_500(teams: TeamsHarness) -> None:
    status, _ = await raw_post(teams, b"[" * 100_000)
    assert status == 400
    assert teams.messages == []


async def test_a_1_mb_body_gets_413_before_it_is_parsed(teams: TeamsHarness, monkeypatch) -> None:
    json_loads_must_not_run(monkeypatch)
    status, _ = await raw_post(teams, b'{"type": "message", "text": "' + b"x" * 1_000_000 + b'"}')
    assert status == 413


async def test_a_bad_signature_gets_401_without_the_body_being_read(
    teams: TeamsHarness, attacker_key: SigningKey, monkeypatch
) -> None:
    json_loads_must_not_run(monkeypatch)
    forged = attacker_key.sign(connector_claims(teams.fake.service_url))
    status, _ = await raw_post(teams, json.dumps(teams.activity()).encode(), token=forged)
    assert status == 401
    status, _ = await raw_post(teams, b"x" * 1_000_000, token=forged)  # even a huge one
    assert status == 401


# --- S13: shape, invoke, mentions ------------------------------------------------------------

WRONG_TYPES = {
    "attachments string list": {"attachments": ["x"]},
    "attachments object": {"attachments": {}},
    "channelData string": {"channelData": "x"},
    "from string": {"from": "x"},
    "entities string list": {"entities": ["x"]},
    "membersAdded string list": {"membersAdded": ["x"]},
    "conversation missing": {"conversation": None},
    "text not a string": {"text": {"a": 1}},
    "text too long": {"text": "x" * 30_000},
    "tenant not an object": {"channelData": {"tenant": "x"}},
}


@pytest.mark.parametrize("fields", WRONG_TYPES.values(), ids=WRONG_TYPES.keys())
async def test_malformed_activities_get_400_synchronously(teams: TeamsHarness, fields: dict) -> None:
    status, _ = await teams.post(teams.activity(**fields))
    assert status == 400
    await teams.channel.drain(timeout_seconds=2)
    assert teams.messages == []


async def test_invoke_gets_200_with_an_invoke_response(teams: TeamsHarness) -> None:
    assert teams.http is not None
    body = teams.activity(type="invoke", name="adaptiveCard/action", value={"action": {"type": "x"}})
    async with teams.http.post(
        f"{teams.base_url}/webhooks/teams/webhook",
        json=body,
        headers={"Authorization": f"Bearer {teams.token()}"},
    ) as response:
        assert response.status == 200
        assert await response.json() == {}


def test_mention_stripping_is_linear() -> None:
    for text in ("<at>" * 7000, "<" * 28_000, "<at " * 7000, "<at>x</at>" * 2800):
        started = time.perf_counter()
        strip_bot_mention(text, None, "28:bot")
        assert time.perf_counter() - started < 0.05, text[:10]


def test_a_superscript_digit_is_not_a_numbered_choice() -> None:
    """``"²".isdigit()`` is True but ``int("²")`` raises: the turn died with no reply (S6)."""
    assert pick_numbered_option("²", ["/a", "/b"]) is None
    assert pick_numbered_option("2", ["/a", "/b"]) == "/b"


# --- S7: channel, endorsements, tenants ------------------------------------------------------


@pytest.mark.parametrize("channel_id", ["webchat", None, "anything", "skype"])
async def test_activities_from_other_channels_are_refused(
    teams: TeamsHarness, channel_id: str | None
) -> None:
    body = teams.activity(channelId=channel_id)
    if channel_id is None:
        del body["channelId"]
    status, _ = await teams.post(body)
    assert status == 401
    await teams.channel.drain(timeout_seconds=2)
    assert teams.messages == []


async def test_msteams_from_a_mapped_tenant_is_accepted(teams: TeamsHarness) -> None:
    status, _ = await teams.post(teams.activity())
    assert status == 202
    await teams.wait_for_messages(1)


class UnendorsedKey(SigningKey):
    @property
    def jwk(self) -> dict[str, Any]:
        jwk = super().jwk
        del jwk["endorsements"]
        return jwk


async def test_a_key_without_endorsements_is_refused() -> None:
    key = UnendorsedKey(KID)
    with FakeBotFramework([key]) as fake:
        channel = TeamsInput(make_settings(fake), trust_memory=InMemoryTrusts())
        harness = TeamsHarness(fake, key, channel)
        async with aiohttp.ClientSession() as http:
            harness.http = http
            async for base_url in serve(channel, harness.on_new_message):
                harness.base_url = base_url
                status, _ = await harness.post(harness.activity())
    assert status == 401
    assert harness.messages == []


async def test_a_tenant_that_is_not_ours_is_refused(teams: TeamsHarness) -> None:
    status, _ = await teams.post(teams.activity(channelData={"tenant": {"id": "00000000-evil-tenant"}}))
    assert status == 403
    await teams.channel.drain(timeout_seconds=2)
    assert teams.messages == []


# --- S9: the pseudonym key -------------------------------------------------------------------


@pytest.mark.parametrize("settings_overrides", [{"sender_id_key": ""}])
async def test_without_a_sender_id_key_teams_answers_503_and_says_why(
    teams: TeamsHarness, caplog: pytest.LogCaptureFixture
) -> None:
    status, _ = await teams.post(teams.activity())
    assert status == 503
    assert teams.messages == []
    caplog.clear()
    with caplog.at_level(logging.ERROR):
        TeamsInput(make_settings(teams.fake, sender_id_key=""), trust_memory=InMemoryTrusts())
    assert "TEAMS_SENDER_ID_KEY" in caplog.text


async def test_the_sender_id_cannot_be_recomputed_from_the_public_app_id(teams: TeamsHarness) -> None:
    await teams.post(teams.activity())
    (message,) = await teams.wait_for_messages(1)
    assert message.sender_id != hashed_sender_id("a:1teamsconv", "aad-user-1", APP_ID)
    assert message.sender_id == hashed_sender_id("a:1teamsconv", "aad-user-1", SENDER_ID_KEY)


# --- S11: where replies go, and the trust anchors --------------------------------------------


@pytest.mark.parametrize("service_url", ["http://attacker.example/", "https://evil.example/"])
async def test_a_signed_service_url_that_is_not_microsofts_is_refused(
    teams: TeamsHarness, service_url: str
) -> None:
    body = teams.activity(serviceUrl=service_url)
    status, _ = await teams.post(body, token=teams.token(serviceurl=service_url))
    assert status == 401
    await teams.channel.drain(timeout_seconds=2)
    assert teams.messages == []


def test_only_microsofts_https_service_hosts_are_allowed() -> None:
    production: dict[str, str] = {}
    assert allowed_service_url("https://smba.trafficmanager.net/uk/", production)
    assert allowed_service_url("https://europe.webchat.botframework.com/", production)
    for url in (
        "http://smba.trafficmanager.net/uk/",
        "https://smba.trafficmanager.net.evil.example/",
        "https://evil.example/",
        "https://user@smba.trafficmanager.net/",
        "http://127.0.0.1:8080/",
    ):
        assert not allowed_service_url(url, production), url
    assert allowed_service_url("http://127.0.0.1:8080/", {"BOT_TEAMS_TEST_MODE": "1"})


async def test_the_connector_refuses_to_post_our_token_elsewhere(monkeypatch) -> None:
    monkeypatch.delenv("BOT_TEAMS_TEST_MODE", raising=False)
    client = BotConnectorClient(APP_ID, "pw", "https://login.microsoftonline.com/x/oauth2/v2.0/token")
    with pytest.raises(ConnectorError, match="not Microsoft"):
        await client.post_activity("https://evil.example/", "conv", {"type": "message"})
    await client.close()


def test_endpoint_overrides_are_ignored_outside_test_mode(
    monkeypatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.delenv("BOT_TEAMS_TEST_MODE", raising=False)
    settings = TeamsSettings(
        app_id=APP_ID,
        app_password="pw",
        tenant_id=TENANT_ID,
        sender_id_key="k",
        openid_url="http://127.0.0.1:1/openid",
        token_url="https://attacker.example/token",
        issuers=("https://attacker.example",),
    )
    with caplog.at_level(logging.ERROR):
        locked = settings.locked_down()
    assert locked.openid_url == DEFAULT_OPENID_URL
    assert locked.resolved_token_url.startswith("https://login.microsoftonline.com/")
    assert locked.issuers == ("https://api.botframework.com",)
    assert "OpenID URL override" in caplog.text
    # In test mode, loopback overrides are honoured, other hosts still are not.
    monkeypatch.setenv("BOT_TEAMS_TEST_MODE", "1")
    locked = settings.locked_down()
    assert locked.openid_url == "http://127.0.0.1:1/openid"
    assert locked.resolved_token_url.startswith("https://login.microsoftonline.com/")


@pytest.mark.parametrize("settings_overrides", [{"leeway_seconds": 100_000}])
async def test_leeway_is_clamped_to_five_minutes(teams: TeamsHarness) -> None:
    assert teams.channel.settings.leeway_seconds == 300
    now = int(time.time())
    status, _ = await teams.post(teams.activity(), token=teams.token(exp=now - 600, nbf=now - 4000))
    assert status == 401


# --- S12: the Emulator ------------------------------------------------------------------------


async def test_an_emulator_token_is_refused(teams: TeamsHarness) -> None:
    """The Emulator is not supported (docs/teams.md no longer suggests it)."""
    emulator = "https://sts.windows.net/d6d49420-f39b-4df7-a1dc-d59a935871db/"
    status, _ = await teams.post(teams.activity(), token=teams.token(iss=emulator))
    assert status == 401


# --- S6: never silent ------------------------------------------------------------------------


async def test_a_turn_that_raises_still_answers_with_999(teams: TeamsHarness) -> None:
    async def broken(message: Any) -> None:
        raise RuntimeError("action server down")

    channel = TeamsInput(make_settings(teams.fake), trust_memory=InMemoryTrusts())
    async for base_url in serve(channel, broken):
        assert teams.http is not None
        async with teams.http.post(
            f"{base_url}/webhooks/teams/webhook",
            json=teams.activity(text="hello"),
            headers={"Authorization": f"Bearer {teams.token()}"},
        ) as response:
            assert response.status == 202
        (reply,) = await teams.wait_for_replies(1)
    assert "999" in reply["body"]["text"] and "went wrong" in reply["body"]["text"]


async def test_danger_gets_999_even_if_the_turn_fails(teams: TeamsHarness) -> None:
    async def silent(message: Any) -> None:
        return None

    channel = TeamsInput(make_settings(teams.fake), trust_memory=InMemoryTrusts())
    async for base_url in serve(channel, silent):
        assert teams.http is not None
        await teams.http.post(
            f"{base_url}/webhooks/teams/webhook",
            json=teams.activity(text="a patient has a knife and is threatening staff right now"),
            headers={"Authorization": f"Bearer {teams.token()}"},
        )
        replies = await teams.wait_for_replies(2)
    assert "call 999 now" in replies[0]["body"]["text"]


async def test_typed_payload_syntax_is_honoured_only_if_offered(teams: TeamsHarness) -> None:
    await teams.post(teams.activity(text='/inform{"who": "John Smith 9434765919"}'))
    (message,) = await teams.wait_for_messages(1)
    assert not message.text.startswith("/") and "{" not in message.text
    await teams.wait_for_replies(1)  # the echo offers /inform{"still_recording": true}
    await teams.post(teams.activity(text='/inform{"still_recording": true}'))
    messages = await teams.wait_for_messages(2)
    assert messages[1].text == '/inform{"still_recording": true}'


async def test_control_characters_and_lone_surrogates_are_removed(teams: TeamsHarness) -> None:
    await teams.post(teams.activity(text="hello\x00\x1b[31m\u202e\x07 there \ud800"))
    (message,) = await teams.wait_for_messages(1)
    assert all(ch.isprintable() or ch == " " for ch in message.text)


# --- S10: first use ---------------------------------------------------------------------------


async def test_the_welcome_tells_users_not_to_type_identifiers(teams: TeamsHarness) -> None:
    added = teams.activity(type="conversationUpdate", text=None, membersAdded=[{"id": "28:" + APP_ID}])
    added["recipient"] = {"id": "28:" + APP_ID, "name": "Policy Bot"}
    await teams.post(added)
    replies = await teams.wait_for_replies(2)
    texts = " ".join(r["body"].get("text") or "" for r in replies)
    assert "don't type patient names, NHS numbers" in texts and "Teams keeps" in texts


# --- shared tenant: which Trust ---------------------------------------------------------------


@pytest.mark.parametrize("settings_overrides", [{"tenant_trusts": {TENANT_ID: "ask"}}])
async def test_shared_tenant_asks_the_trust_once_and_remembers_it_per_person(teams: TeamsHarness) -> None:
    await teams.post(teams.activity(text="a patient filmed me"))
    (question,) = await teams.wait_for_replies(1)
    card = question["body"]["attachments"][0]["content"]
    assert "Which Trust do you work for?" in card["body"][0]["text"]
    titles = [a["title"] for s in card["body"][1:] for a in s["actions"]] or [
        a["title"] for a in card["actions"]
    ]
    assert "Another Trust" in titles
    assert teams.messages == []  # held until the Trust is known
    await teams.post(teams.activity(text=None, value={"payload": '/choose_trust{"trust":"tewv"}'}))
    first, held = await teams.wait_for_messages(2)
    assert first.text == '/choose_trust{"trust":"tewv"}'
    assert held.text == "a patient filmed me" and held.metadata["trust"] == "tewv"
    # Another conversation of the same person (a new chat): not asked again.
    await teams.post(teams.activity(text="hello", conversation={"id": "a:another-chat"}))
    messages = await teams.wait_for_messages(3)
    assert messages[2].metadata["trust"] == "tewv"
    assert teams.channel.trusts.chosen == {messages[2].metadata["user_key"]: "tewv"}  # type: ignore[attr-defined]
    assert "aad-user-1" not in messages[2].metadata["user_key"]


@pytest.mark.parametrize("settings_overrides", [{"tenant_trusts": {TENANT_ID: "ask"}}])
async def test_shared_tenant_danger_is_never_held(teams: TeamsHarness) -> None:
    await teams.post(teams.activity(text="a patient has a knife and is threatening staff right now"))
    (message,) = await teams.wait_for_messages(1)
    assert "knife" in message.text


# --- S13 / ecosystem 10: resends across replicas ------------------------------------------------


@pytest.mark.services
async def test_a_resent_activity_is_handled_once_across_replicas(
    fake_bf: FakeBotFramework, trusted_key: SigningKey
) -> None:
    prefix = uuid.uuid4().hex
    seen: list[str] = []

    async def record(message: Any) -> None:
        seen.append(message.text)

    body = {
        "type": "message",
        "id": prefix,
        "channelId": "msteams",
        "serviceUrl": fake_bf.service_url,
        "from": {"id": "29:u", "aadObjectId": "aad-u"},
        "recipient": {"id": "28:bot"},
        "conversation": {"id": f"a:{prefix}"},
        "channelData": {"tenant": {"id": TENANT_ID}},
        "text": "hello",
    }
    token = trusted_key.sign(connector_claims(fake_bf.service_url))
    replicas = [
        TeamsInput(make_settings(fake_bf), RedisTeamsState("redis://127.0.0.1:6379/1"), InMemoryTrusts())
        for _ in range(2)
    ]
    statuses = []
    async with aiohttp.ClientSession() as http:
        for replica in replicas:
            async for base_url in serve(replica, record):
                async with http.post(
                    f"{base_url}/webhooks/teams/webhook",
                    json=body,
                    headers={"Authorization": f"Bearer {token}"},
                ) as response:
                    statuses.append(response.status)
                await replica.drain(timeout_seconds=5)
    assert statuses == [202, 200]
    assert seen == ["hello"]
    assert KID  # the fake's key signed both


async def test_the_key_store_is_not_contacted_for_a_missing_header(teams: TeamsHarness) -> None:
    status, _ = await raw_post(teams, b"{}", token=None)
    assert status == 401
    await asyncio.sleep(0)
    assert teams.channel.keys.fetch_count == 0
