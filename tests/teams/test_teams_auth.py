"""Every request without a genuine, current Bot Framework token for this bot gets a 401 and
never reaches Rasa (rasa-anchors.md B: Rasa 3.6 skipped iss/serviceurl, took alg from the
token and 500'd on HS256)."""

from __future__ import annotations

import time
from typing import Any

import jwt
import pytest
from fake_bot_framework import (
    APP_ID,
    KID,
    FakeBotFramework,
    SigningKey,
    connector_claims,
    unsigned_token,
)
from teams_harness import TeamsHarness

from bot.channels.teams_auth import (
    OpenIdKeyStore,
    TeamsAuthError,
    UnknownSigningKey,
    read_bearer_token,
    signing_key_id,
    verify_activity_token,
)


def forged_tokens(teams: TeamsHarness, attacker: SigningKey) -> dict[str, str | None]:
    service_url = teams.fake.service_url
    now = int(time.time())
    return {
        "no header": None,
        "not a jwt": "not-a-jwt",
        "expired": teams.token(exp=now - 600, nbf=now - 4000),
        "not yet valid": teams.token(nbf=now + 3600),
        "wrong audience": teams.token(aud="11111111-2222-3333-4444-555555555555"),
        "wrong issuer": teams.token(iss="https://evil.example"),
        "no issuer": teams.token(iss=None),
        "no expiry": teams.token(exp=None),
        "wrong key, same kid": attacker.sign(teams_claims(service_url)),
        "unknown kid": teams.key.sign(teams_claims(service_url), kid="rotated-away"),
        "HS256": jwt.encode(teams_claims(service_url), "secret", "HS256", headers={"kid": KID}),
        "alg none": unsigned_token(teams_claims(service_url)),
        "serviceurl mismatch": teams.token(serviceurl="https://evil.example/"),
        "no serviceurl": teams.token(serviceurl=None),
    }


def teams_claims(service_url: str) -> dict[str, Any]:
    return connector_claims(service_url)


FORGERIES = [
    "no header",
    "not a jwt",
    "expired",
    "not yet valid",
    "wrong audience",
    "wrong issuer",
    "no issuer",
    "no expiry",
    "wrong key, same kid",
    "unknown kid",
    "HS256",
    "alg none",
    "serviceurl mismatch",
    "no serviceurl",
]


@pytest.mark.parametrize("forgery", FORGERIES)
async def test_forged_or_stale_tokens_get_401_and_never_reach_rasa(
    teams: TeamsHarness, attacker_key: SigningKey, forgery: str
) -> None:
    token = forged_tokens(teams, attacker_key)[forgery]
    status, _ = await teams.post(teams.activity(text="hello"), token=token)
    assert status == 401
    await teams.channel.drain(timeout_seconds=5)
    assert teams.messages == []
    assert teams.fake.activities == [] and teams.fake.token_requests == []


async def test_activity_pointing_at_another_service_url_is_refused(teams: TeamsHarness) -> None:
    """A real token replayed with a different serviceUrl would make us post our outbound
    token there."""
    body = teams.activity(serviceUrl="https://evil.example/")
    status, _ = await teams.post(body)  # token's serviceurl is the fake's
    assert status == 401
    assert teams.messages == []


async def test_non_bearer_scheme_gets_401(teams: TeamsHarness) -> None:
    status, _ = await teams.post(
        teams.activity(), token=None, headers={"Authorization": "Basic dXNlcjpwYXNz"}
    )
    assert status == 401


async def test_token_within_five_minutes_of_expiry_skew_is_accepted(teams: TeamsHarness) -> None:
    """Microsoft allows five minutes of clock skew; Rasa 3.6 allowed none."""
    now = int(time.time())
    status, _ = await teams.post(teams.activity(), token=teams.token(exp=now - 120))
    assert status == 202
    await teams.wait_for_messages(1)


async def test_keys_are_fetched_on_first_request_and_cached(teams: TeamsHarness) -> None:
    assert teams.fake.hits["openid"] == 0
    for _ in range(3):
        assert (await teams.post(teams.activity()))[0] == 202
    assert teams.fake.hits["openid"] == 1 and teams.fake.hits["jwks"] == 1


async def test_unknown_kids_do_not_hammer_the_key_endpoint(teams: TeamsHarness) -> None:
    await teams.post(teams.activity())
    for i in range(5):
        claims = teams_claims(teams.fake.service_url)
        status, _ = await teams.post(teams.activity(), token=teams.key.sign(claims, kid=f"x{i}"))
        assert status == 401
    assert teams.fake.hits["jwks"] == 1  # refetches are rate limited (300 s by default)


@pytest.mark.parametrize("settings_overrides", [{"key_refresh_seconds": 0}])
async def test_rotated_key_is_picked_up_by_one_refetch(teams: TeamsHarness) -> None:
    await teams.post(teams.activity())
    new_key = SigningKey("rotated-in")
    teams.fake.keys.append(new_key)
    token = new_key.sign(teams_claims(teams.fake.service_url))
    status, _ = await teams.post(teams.activity(), token=token)
    assert status == 202
    assert teams.fake.hits["jwks"] == 2


@pytest.mark.parametrize("settings_overrides", [{"app_id": "", "app_password": ""}])
async def test_unconfigured_channel_answers_503(teams: TeamsHarness) -> None:
    status, _ = await teams.post(teams.activity())
    assert status == 503
    assert teams.fake.hits["openid"] == 0


async def test_unreachable_key_service_answers_503_not_500(
    fake_bf: FakeBotFramework, teams: TeamsHarness
) -> None:
    teams.channel.keys.openid_url = "http://127.0.0.1:9/nothing-listens-here"
    status, _ = await teams.post(teams.activity())
    assert status == 503
    assert teams.messages == []


# --- the pure functions ---------------------------------------------------------------------


@pytest.mark.parametrize("header", [None, "", "Bearer", "Basic abc", "Bearer a b"])
def test_read_bearer_token_rejects_malformed_headers(header: str | None) -> None:
    with pytest.raises(TeamsAuthError):
        read_bearer_token(header)


def test_signing_key_id_rejects_other_algorithms_before_any_key_lookup(
    trusted_key: SigningKey,
) -> None:
    claims = teams_claims("https://smba.example/")
    assert signing_key_id(trusted_key.sign(claims)) == KID
    for token in (
        jwt.encode(claims, "secret", "HS256", headers={"kid": KID}),
        unsigned_token(claims),
        unsigned_token(claims, alg="RS512"),
        jwt.encode(claims, trusted_key.private_key, "RS256"),  # no kid
    ):
        with pytest.raises(TeamsAuthError):
            signing_key_id(token)


def test_verify_activity_token_returns_claims(trusted_key: SigningKey) -> None:
    service_url = "https://smba.trafficmanager.net/emea/"
    token = trusted_key.sign(teams_claims(service_url))
    claims = verify_activity_token(
        token,
        trusted_key.jwk,
        app_id=APP_ID,
        service_url=service_url.rstrip("/"),
        channel_id="msteams",
    )
    assert claims["aud"] == APP_ID


def test_key_not_endorsed_for_the_channel_is_refused(trusted_key: SigningKey) -> None:
    service_url = "https://smba.example/"
    token = trusted_key.sign(teams_claims(service_url))
    with pytest.raises(TeamsAuthError, match="endorsed"):
        verify_activity_token(
            token, trusted_key.jwk, app_id=APP_ID, service_url=service_url, channel_id="skype"
        )


async def test_key_store_limits_refetches_with_its_clock(fake_bf: FakeBotFramework) -> None:
    now = [1000.0]
    store = OpenIdKeyStore(fake_bf.openid_url, min_refresh_seconds=300, clock=lambda: now[0])
    assert store.fetch_count == 0  # nothing fetched when built
    await store.key_for(KID)
    with pytest.raises(UnknownSigningKey):
        await store.key_for("new")
    assert store.fetch_count == 1
    now[0] += 301
    with pytest.raises(UnknownSigningKey):
        await store.key_for("new")
    assert store.fetch_count == 2
    now[0] += 24 * 3600 + 1
    await store.key_for(KID)  # old keys are refreshed
    assert store.fetch_count == 3
