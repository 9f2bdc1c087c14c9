"""Plain-function tests: start-up without network, configuration, parsing and rendering."""

from __future__ import annotations

import socket
from pathlib import Path
from typing import Any, NoReturn

import aiohttp
import pytest
import requests
from fake_bot_framework import APP_ID, TENANT_ID
from rasa.core.run import create_http_input_channels
from rasa.shared.exceptions import RasaException
from sanic import Sanic

from bot.channels.teams import TeamsInput, TeamsSettings
from bot.channels.teams_activity import (
    adaptive_card,
    has_user_files,
    hashed_sender_id,
    is_install_event,
    payload_from_card_value,
    pick_numbered_option,
    strip_bot_mention,
)
from bot.channels.teams_connector import RetryPolicy

BOT = "28:bot"


def test_building_the_channel_and_its_blueprint_makes_no_network_call(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Rasa 3.6's BotFrameworkInput fetched keys in __init__, so `rasa run` died offline."""

    def no_network(*args: Any, **kwargs: Any) -> NoReturn:
        raise AssertionError("network access while building the channel")

    monkeypatch.setattr(socket, "create_connection", no_network)
    monkeypatch.setattr(socket.socket, "connect", no_network)
    monkeypatch.setattr(requests.Session, "request", no_network)
    monkeypatch.setattr(aiohttp.ClientSession, "_request", no_network)
    monkeypatch.setenv("MICROSOFT_APP_ID", APP_ID)
    monkeypatch.setenv("MICROSOFT_APP_PASSWORD", "secret")

    channel = TeamsInput.from_credentials({"tenant_id": TENANT_ID})

    async def on_new_message(message: Any) -> None:
        return None

    Sanic.test_mode = True
    app = Sanic("teams_no_network")
    app.blueprint(channel.blueprint(on_new_message), url_prefix="/webhooks/teams")
    assert channel.keys.fetch_count == 0


def test_settings_fall_back_to_environment_variables() -> None:
    env = {
        "MICROSOFT_APP_ID": APP_ID,
        "MICROSOFT_APP_PASSWORD": "pw",
        "MICROSOFT_TENANT_ID": TENANT_ID,
        "TEAMS_TENANT_TRUSTS": f"{TENANT_ID.upper()}=tewv, other=lpt",
    }
    settings = TeamsSettings.from_credentials(None, environ=env)
    assert settings.configured
    assert settings.resolved_token_url == (f"https://login.microsoftonline.com/{TENANT_ID}/oauth2/v2.0/token")
    assert settings.openid_url == ("https://login.botframework.com/v1/.well-known/openidconfiguration")
    assert settings.tenant_trusts == {TENANT_ID: "tewv", "other": "lpt"}


def test_test_endpoints_override_microsofts() -> None:
    env = {
        "BOTFRAMEWORK_OPENID_URL": "http://127.0.0.1:1/openid",
        "BOTFRAMEWORK_TOKEN_URL": "http://127.0.0.1:1/token",
        "MICROSOFT_TENANT_ID": TENANT_ID,
    }
    settings = TeamsSettings.from_credentials({}, environ=env)
    assert settings.openid_url == "http://127.0.0.1:1/openid"
    assert settings.resolved_token_url == "http://127.0.0.1:1/token"
    assert not settings.configured


def test_credentials_yml_entry_builds_the_channel(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MICROSOFT_APP_ID", APP_ID)
    monkeypatch.setenv("MICROSOFT_APP_PASSWORD", "pw")
    credentials = tmp_path / "credentials.yml"
    credentials.write_text(
        "rest:\n"
        "bot.channels.teams.TeamsInput:\n"
        "  tenant_id: ${TEST_TEAMS_TENANT}\n"
        "  tenant_trusts:\n"
        f"    {TENANT_ID}: tewv\n"
    )
    monkeypatch.setenv("TEST_TEAMS_TENANT", TENANT_ID)
    channels = create_http_input_channels(None, str(credentials))
    (teams,) = [c for c in channels if isinstance(c, TeamsInput)]
    assert teams.name() == "teams"
    assert teams.settings.tenant_id == TENANT_ID
    assert teams.settings.tenant_trusts == {TENANT_ID: "tewv"}
    assert teams.settings.configured


def test_unset_variable_in_credentials_yml_stops_rasa_from_starting(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Why secrets come from the environment fallback, not ``${...}`` in credentials.yml."""
    monkeypatch.delenv("TEST_TEAMS_UNSET", raising=False)
    credentials = tmp_path / "credentials.yml"
    credentials.write_text("bot.channels.teams.TeamsInput:\n  app_id: ${TEST_TEAMS_UNSET}\n")
    with pytest.raises(RasaException, match="TEST_TEAMS_UNSET"):
        create_http_input_channels(None, str(credentials))


@pytest.mark.parametrize(
    ("text", "entities", "expected"),
    [
        (
            "<at>Policy Bot</at> can I post?",
            [{"type": "mention", "text": "<at>Policy Bot</at>", "mentioned": {"id": BOT}}],
            "can I post?",
        ),
        ("<at>Policy Bot</at>&nbsp;hello", None, "hello"),
        (
            "<at>Policy Bot</at> ask <at>Jo Smith</at> about it",
            [
                {"type": "mention", "text": "<at>Policy Bot</at>", "mentioned": {"id": BOT}},
                {"type": "mention", "text": "<at>Jo Smith</at>", "mentioned": {"id": "29:jo"}},
            ],
            "ask Jo Smith about it",
        ),
        ("plain text", [], "plain text"),
        (None, None, ""),
    ],
)
def test_strip_bot_mention(text: str | None, entities: Any, expected: str) -> None:
    assert strip_bot_mention(text, entities, BOT) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ({"payload": '/inform{"still_recording": true}'}, '/inform{"still_recording": true}'),
        (
            {"msteams": {"type": "messageBack", "value": {"payload": "/affirm"}}},
            "/affirm",
        ),
        (
            {"intent": "inform", "slots": {"still_recording": True}},
            '/inform{"still_recording":true}',
        ),
        (
            {"intent": "inform", "patient_identifiable": False},
            '/inform{"patient_identifiable":false}',
        ),
        ({"intent": "help"}, "/help"),
        ('{"payload": "/deny"}', "/deny"),
        ("/greet", "/greet"),
        ({"intent": "bad name{"}, None),
        ({"unrelated": 1}, None),
        (42, None),
    ],
)
def test_payload_from_card_value(value: Any, expected: str | None) -> None:
    assert payload_from_card_value(value) == expected


def test_submit_data_round_trips_to_the_payload() -> None:
    card = adaptive_card("Still recording?", [{"title": "Yes", "payload": "/affirm"}])
    (action,) = card["content"]["actions"]
    assert payload_from_card_value(action["data"]) == "/affirm"
    assert payload_from_card_value(action["data"]["msteams"]["value"]) == "/affirm"


def test_url_buttons_open_the_url() -> None:
    card = adaptive_card("Read it", [{"title": "Policy", "url": "https://example.nhs.uk/p"}])
    assert card["content"]["actions"][0] == {
        "type": "Action.OpenUrl",
        "title": "Policy",
        "url": "https://example.nhs.uk/p",
    }


@pytest.mark.parametrize(
    ("attachments", "expected"),
    [
        (None, False),
        ([{"contentType": "text/html", "content": "<p>hi</p>"}], False),
        ([{"contentType": "text/html", "content": "<p><img src='x'></p>"}], True),
        ([{"contentType": "image/*", "contentUrl": "https://x"}], True),
        ([{"contentType": "application/vnd.microsoft.teams.file.download.info"}], True),
    ],
)
def test_has_user_files(attachments: Any, expected: bool) -> None:
    assert has_user_files(attachments) is expected


def test_pick_numbered_option() -> None:
    assert pick_numbered_option("2", ["/a", "/b"]) == "/b"
    assert pick_numbered_option("3", ["/a", "/b"]) is None
    assert pick_numbered_option("2", None) is None
    assert pick_numbered_option("two", ["/a", "/b"]) is None


def test_install_events() -> None:
    recipient = {"recipient": {"id": BOT}}
    assert is_install_event({"type": "installationUpdate", "action": "add", **recipient})
    assert not is_install_event({"type": "installationUpdate", "action": "remove", **recipient})
    assert is_install_event({"type": "conversationUpdate", "membersAdded": [{"id": BOT}], **recipient})
    assert not is_install_event({"type": "conversationUpdate", "membersAdded": [{"id": "29:x"}], **recipient})


def test_hashed_sender_id_is_stable_and_keyed() -> None:
    one = hashed_sender_id("a:conv", "aad-1", "key")
    assert one == hashed_sender_id("a:conv", "aad-1", "key")
    assert one != hashed_sender_id("a:conv", "aad-1", "other-key")
    assert one != hashed_sender_id("a:conv2", "aad-1", "key")
    assert "aad-1" not in one


def test_retry_after_is_respected_but_bounded() -> None:
    policy = RetryPolicy(max_delay_seconds=10)
    assert policy.retry_after("3", attempt=0) == 3
    assert policy.retry_after("600", attempt=0) == 10
    assert 0 <= policy.retry_after(None, attempt=1) <= 10
    assert 0 <= policy.retry_after("Wed, 21 Oct 2015 07:28:00 GMT", attempt=0) <= 10


def test_rasa_serves_the_channel_at_webhooks_teams_webhook() -> None:
    from rasa.core.run import configure_app

    Sanic.test_mode = True
    channel = TeamsInput(TeamsSettings(app_id=APP_ID, app_password="pw"))
    app = configure_app(input_channels=[channel], route="/webhooks/")
    paths = {route.path for route in app.router.routes}
    assert {"webhooks/teams", "webhooks/teams/webhook"} <= paths
    assert channel.keys.fetch_count == 0


def test_a_long_menu_is_split_so_teams_shows_every_button():
    from bot.channels.teams_activity import MAX_CARD_ACTIONS

    buttons = [{"title": f"Topic {n}", "payload": f"/topic_{n}"} for n in range(16)]
    content = adaptive_card("Pick a topic", buttons)["content"]
    sets = [element for element in content["body"] if element["type"] == "ActionSet"]
    assert all(len(s["actions"]) <= MAX_CARD_ACTIONS for s in sets)
    payloads = [a["data"]["payload"] for s in sets for a in s["actions"]]
    assert payloads == [b["payload"] for b in buttons]
