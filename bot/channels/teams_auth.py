"""Check that an activity posted to the Teams webhook really comes from Microsoft.

Rasa 3.6's ``botframework`` channel gets several of these checks wrong (see
``/work/shared/research/rasa-anchors.md`` section B and ``rasa-feasibility.md`` section 5):
it fetches the signing keys synchronously when the channel is built (so the server cannot
start offline), takes the accepted algorithm from the token's own header, never checks the
issuer or the ``serviceurl`` claim, allows no clock skew, and only refreshes keys once a day
so Microsoft's key rotation gives 401s for up to 24 hours.

This module keeps the pure checks (:func:`read_bearer_token`, :func:`signing_key_id`,
:func:`verify_activity_token`) apart from the one piece of I/O, :class:`OpenIdKeyStore`,
which fetches the OpenID metadata and JWKS lazily, with timeouts, and caches them.
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
import time
from collections.abc import Callable, Iterable, Mapping
from typing import Any

import aiohttp
import jwt
from jwt.algorithms import RSAAlgorithm

logger = logging.getLogger(__name__)

DEFAULT_OPENID_URL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
DEFAULT_ISSUERS = ("https://api.botframework.com",)

# Only RS256: Rasa 3.6 passes the token's own ``alg`` header to ``jwt.decode``, which lets the
# caller pick the algorithm; HS256 then crashes with a TypeError (a 500), not a clean 401.
ACCEPTED_ALGORITHMS = ("RS256",)

# Microsoft's connector authentication spec allows five minutes of clock skew; a configured
# leeway is clamped to that, so a typo cannot make week-old tokens valid (review S11).
DEFAULT_LEEWAY_SECONDS = 300
MAX_LEEWAY_SECONDS = 300

#: The only channel this webhook serves. Azure Bot also enables Web Chat by default, whose
#: tokens are signed by the same keys (review S7).
TEAMS_CHANNELS = ("msteams",)

_BEARER = re.compile(r"^Bearer\s+(\S+)\s*$", re.IGNORECASE)


class TeamsAuthError(Exception):
    """The request is not an authentic Bot Framework activity: answer 401."""


class UnknownSigningKey(TeamsAuthError):
    """The token names a ``kid`` that is not in the cached JWKS (maybe Microsoft rotated)."""


class KeyServiceUnavailable(Exception):
    """The OpenID metadata or JWKS could not be fetched: answer 503 so the connector retries."""


def read_bearer_token(authorization: str | None) -> str:
    """Return the token from an ``Authorization: Bearer …`` header or raise TeamsAuthError."""
    if not authorization:
        raise TeamsAuthError("no Authorization header")
    match = _BEARER.match(authorization)
    if not match:
        raise TeamsAuthError("Authorization header is not a Bearer token")
    return match.group(1)


def signing_key_id(token: str) -> str:
    """Return the ``kid`` of an RS256 token, rejecting any other algorithm before decoding.

    Pinning the algorithm here, before a key is even looked up, is what turns ``alg: none``
    and HS256 tokens into a clean 401 (Rasa 3.6 raised a TypeError for HS256).
    """
    try:
        header = jwt.get_unverified_header(token)
    except jwt.PyJWTError as error:
        raise TeamsAuthError(f"malformed token: {error}") from error
    algorithm = header.get("alg")
    if algorithm not in ACCEPTED_ALGORITHMS:
        raise TeamsAuthError(f"algorithm {algorithm!r} is not accepted")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise TeamsAuthError("token has no key id")
    return kid


def _same_service_url(left: str, right: str) -> bool:
    return left.strip().rstrip("/").lower() == right.strip().rstrip("/").lower()


def verify_connector_token(
    token: str,
    jwk: Mapping[str, Any],
    *,
    app_id: str,
    issuers: Iterable[str] = DEFAULT_ISSUERS,
    leeway_seconds: float = DEFAULT_LEEWAY_SECONDS,
) -> dict[str, Any]:
    """The checks that need only the ``Authorization`` header, so they run before the body is read.

    - signature with RS256 only (see :data:`ACCEPTED_ALGORITHMS`);
    - ``aud`` is our app id, so a token minted for another bot is refused;
    - ``iss`` is the Bot Framework (Rasa 3.6 accepted ``iss=https://evil.example``);
    - ``exp``/``nbf`` with Microsoft's five-minute leeway (Rasa 3.6 allowed none), never more
      than :data:`MAX_LEEWAY_SECONDS` whatever the configuration says (review S11).

    Returns the claims; raises :class:`TeamsAuthError` on any failure.
    """
    leeway = max(0.0, min(float(leeway_seconds), MAX_LEEWAY_SECONDS))
    try:
        public_key = RSAAlgorithm.from_jwk(json.dumps(dict(jwk)))
        return jwt.decode(
            token,
            key=public_key,
            algorithms=list(ACCEPTED_ALGORITHMS),
            audience=app_id,
            issuer=list(issuers),
            leeway=leeway,
            options={"require": ["exp", "iss", "aud"]},
        )
    except (jwt.PyJWTError, ValueError, TypeError, KeyError) as error:
        raise TeamsAuthError(f"token rejected: {error}") from error


def check_activity_claims(
    claims: Mapping[str, Any],
    jwk: Mapping[str, Any],
    *,
    service_url: str,
    channel_id: Any,
    channels: Iterable[str] = TEAMS_CHANNELS,
) -> None:
    """The checks that tie a verified token to the activity it came with.

    - the activity's ``channelId`` must be Teams (review S7: ``webchat``, which Azure Bot
      turns on by default, or no channel at all, was accepted);
    - the signing key must carry an ``endorsements`` list that names that channel, as the Bot
      Framework SDK's ``EndorsementsValidator`` requires (a key without one was accepted);
    - the ``serviceurl`` claim equals the activity's ``serviceUrl``. Rasa 3.6 skips this, and
      it matters: we post our outbound bearer token to that URL, so an unchecked serviceUrl
      would let a replayed token send our credentials anywhere.
    """
    endorsements = jwk.get("endorsements")
    if not isinstance(endorsements, list) or channel_id not in endorsements:
        raise TeamsAuthError(f"signing key is not endorsed for channel {channel_id!r}")
    allowed = tuple(channels)
    if not isinstance(channel_id, str) or channel_id not in allowed:
        raise TeamsAuthError(f"channel {channel_id!r} is not one of {', '.join(allowed)}")
    claimed_url = claims.get("serviceurl") or claims.get("serviceUrl")
    if not isinstance(claimed_url, str) or not _same_service_url(claimed_url, service_url):
        raise TeamsAuthError("serviceurl claim does not match the activity's serviceUrl")


def verify_activity_token(
    token: str,
    jwk: Mapping[str, Any],
    *,
    app_id: str,
    service_url: str,
    channel_id: str | None = None,
    issuers: Iterable[str] = DEFAULT_ISSUERS,
    leeway_seconds: float = DEFAULT_LEEWAY_SECONDS,
    channels: Iterable[str] = TEAMS_CHANNELS,
) -> dict[str, Any]:
    """Both halves at once, for callers that already have the activity.

    The webhook itself calls :func:`verify_connector_token` before reading the body and
    :func:`check_activity_claims` after. Returns the claims; raises :class:`TeamsAuthError`.
    """
    claims = verify_connector_token(token, jwk, app_id=app_id, issuers=issuers, leeway_seconds=leeway_seconds)
    check_activity_claims(claims, jwk, service_url=service_url, channel_id=channel_id, channels=channels)
    return claims


class OpenIdKeyStore:
    """Bot Framework signing keys, fetched on first use and cached.

    - Nothing is fetched in ``__init__``: Rasa 3.6 fetched at construction, with no timeout,
      so ``rasa run`` failed to start offline.
    - An unknown ``kid`` triggers one refetch (Microsoft rotates keys; Rasa 3.6 waited up to a
      day), but no more than once per ``min_refresh_seconds``, so a stream of forged tokens
      with random ``kid`` values cannot make us hammer Microsoft's endpoint.
    - Keys older than ``max_age_seconds`` are refreshed on the next request (Microsoft asks
      for at least daily).
    """

    def __init__(
        self,
        openid_url: str = DEFAULT_OPENID_URL,
        *,
        timeout_seconds: float = 10.0,
        min_refresh_seconds: float = 300.0,
        max_age_seconds: float = 24 * 3600.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.openid_url = openid_url
        self.timeout_seconds = timeout_seconds
        self.min_refresh_seconds = min_refresh_seconds
        self.max_age_seconds = max_age_seconds
        self._clock = clock
        self._keys: dict[str, dict[str, Any]] = {}
        self._fetched_at: float | None = None
        self._lock: asyncio.Lock | None = None
        self.fetch_count = 0

    def _get_lock(self) -> asyncio.Lock:
        # Created lazily: an asyncio.Lock made outside the server's loop can't be awaited in it.
        if self._lock is None:
            self._lock = asyncio.Lock()
        return self._lock

    def _age(self) -> float | None:
        return None if self._fetched_at is None else self._clock() - self._fetched_at

    async def key_for(self, kid: str) -> dict[str, Any]:
        """Return the JWK for ``kid``, fetching or refetching within the limits above."""
        age = self._age()
        if age is None or age > self.max_age_seconds:
            await self._refresh(reason="first use" if age is None else "keys are old")
        if kid in self._keys:
            return self._keys[kid]
        age = self._age()
        if age is not None and age >= self.min_refresh_seconds:
            await self._refresh(reason=f"unknown key id {kid!r}")
            if kid in self._keys:
                return self._keys[kid]
        raise UnknownSigningKey(f"no signing key with id {kid!r}")

    async def _refresh(self, reason: str) -> None:
        fetched_before = self._fetched_at
        async with self._get_lock():
            if self._fetched_at != fetched_before:
                return  # another request refreshed while we waited
            logger.info("Fetching Bot Framework signing keys (%s)", reason)
            timeout = aiohttp.ClientTimeout(total=self.timeout_seconds)
            try:
                async with aiohttp.ClientSession(timeout=timeout) as session:
                    metadata = await _get_json(session, self.openid_url)
                    jwks = await _get_json(session, str(metadata["jwks_uri"]))
                keys = {str(key["kid"]): dict(key) for key in jwks["keys"] if "kid" in key}
            except (
                aiohttp.ClientError,
                asyncio.TimeoutError,
                KeyError,
                TypeError,
                ValueError,
            ) as e:
                raise KeyServiceUnavailable(f"could not fetch signing keys: {e!r}") from e
            self.fetch_count += 1
            self._keys = keys
            self._fetched_at = self._clock()


async def _get_json(session: aiohttp.ClientSession, url: str) -> Any:
    async with session.get(url) as response:
        response.raise_for_status()
        return await response.json(content_type=None)
