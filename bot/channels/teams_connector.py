"""Post replies to the Bot Connector: outbound token, timeouts, back-off and bounded retries.

Rasa 3.6's ``BotFramework`` output channel used blocking ``requests`` inside async code with
no timeout (one slow connector stalled every conversation), fetched its token from the
multi-tenant ``botframework.com`` tenant only (new Azure Bots must be single-tenant), posted
*without* a token when the token fetch failed, and never retried. Microsoft asks callers to
back off on 429 and retry 412, 502 and 504
(https://learn.microsoft.com/en-us/microsoftteams/platform/concepts/bots/rate-limit).
"""

from __future__ import annotations

import asyncio
import email.utils
import ipaddress
import json
import logging
import os
import random
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import aiohttp
from yarl import URL

logger = logging.getLogger(__name__)

#: Hosts the Bot Connector posts from, public and government clouds. A reply (and our outbound
#: bearer token with it) goes only to one of these, over https (review S11).
MICROSOFT_SERVICE_HOSTS = frozenset(
    {
        "smba.trafficmanager.net",
        "smba.infra.gcc.teams.microsoft.com",
        "smba.infra.gov.teams.microsoft.us",
        "smba.infra.dod.teams.microsoft.us",
    }
)
MICROSOFT_SERVICE_DOMAINS = (".botframework.com", ".botframework.azure.us")

TEST_MODE_VARIABLE = "BOT_TEAMS_TEST_MODE"


def test_mode(environ: Mapping[str, str] | None = None) -> bool:
    """``BOT_TEAMS_TEST_MODE=1``: the offline tests' fake Bot Framework on 127.0.0.1 is allowed."""
    return (os.environ if environ is None else environ).get(TEST_MODE_VARIABLE) == "1"


def is_loopback_url(url: str) -> bool:
    """True for http(s) URLs whose host is 127.0.0.0/8, ::1 or localhost."""
    try:
        parts = urlsplit(url)
        host = parts.hostname or ""
    except ValueError:
        return False
    if parts.scheme not in ("http", "https") or not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def allowed_service_url(url: str, environ: Mapping[str, str] | None = None) -> bool:
    """May a reply be posted to ``url``? Microsoft's https hosts only; loopback in test mode."""
    if is_loopback_url(url):
        return test_mode(environ)
    try:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        port = parts.port
    except ValueError:
        return False
    if parts.scheme != "https" or port not in (None, 443) or parts.username or parts.password:
        return False
    return host in MICROSOFT_SERVICE_HOSTS or any(host.endswith(d) for d in MICROSOFT_SERVICE_DOMAINS)


CONNECTOR_SCOPE = "https://api.botframework.com/.default"
MULTI_TENANT_TOKEN_URL = "https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token"
RETRY_STATUSES = frozenset({412, 502, 503, 504})


def single_tenant_token_url(tenant_id: str) -> str:
    """The token endpoint a single-tenant Azure Bot must use."""
    return f"https://login.microsoftonline.com/{quote(tenant_id, safe='')}/oauth2/v2.0/token"


@dataclass(frozen=True)
class RetryPolicy:
    """How hard to try before giving up on one reply. Bounded so a sick connector can't pile
    up background tasks: at most ``max_attempts`` posts and ``max_delay_seconds`` per wait."""

    max_attempts: int = 4
    base_delay_seconds: float = 0.5
    max_delay_seconds: float = 10.0

    def backoff(self, attempt: int) -> float:
        """Exponential back-off with jitter for the ``attempt``-th retry (0-based)."""
        delay = self.base_delay_seconds * (2**attempt)
        return min(self.max_delay_seconds, delay * (0.5 + random.random() / 2))

    def retry_after(self, header: str | None, attempt: int) -> float:
        """Honour a 429's ``Retry-After`` (seconds or HTTP date), capped at the maximum."""
        if header:
            try:
                seconds = float(header)
            except ValueError:
                parsed = email.utils.parsedate_to_datetime(header) if header else None
                seconds = parsed.timestamp() - time.time() if parsed else self.backoff(attempt)
            return max(0.0, min(self.max_delay_seconds, seconds))
        return self.backoff(attempt)


class ConnectorError(Exception):
    """A reply could not be delivered (after the allowed retries)."""


class BotConnectorClient:
    """One per channel: caches the outbound token and an aiohttp session per event loop."""

    def __init__(
        self,
        app_id: str,
        app_password: str,
        token_url: str,
        *,
        timeout_seconds: float = 10.0,
        retry: RetryPolicy | None = None,
    ) -> None:
        self.app_id = app_id
        self.app_password = app_password
        self.token_url = token_url
        self.timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self.retry = retry or RetryPolicy()
        self._token: str | None = None
        self._token_expires_at = 0.0
        self._token_lock: asyncio.Lock | None = None
        self._session: aiohttp.ClientSession | None = None
        self._session_loop: asyncio.AbstractEventLoop | None = None

    def _session_for_loop(self) -> aiohttp.ClientSession:
        """A session made lazily in the running loop (never at import or construction)."""
        loop = asyncio.get_running_loop()
        if self._session is None or self._session.closed or self._session_loop is not loop:
            self._session = aiohttp.ClientSession(timeout=self.timeout)
            self._session_loop = loop
            self._token_lock = asyncio.Lock()
        return self._session

    async def close(self) -> None:
        if self._session is not None and not self._session.closed:
            await self._session.close()
        self._session = None

    def forget_token(self) -> None:
        self._token = None
        self._token_expires_at = 0.0

    async def access_token(self) -> str:
        """A client-credentials token, reused until five minutes before it expires."""
        session = self._session_for_loop()
        assert self._token_lock is not None
        async with self._token_lock:
            if self._token and time.monotonic() < self._token_expires_at:
                return self._token
            form = {
                "grant_type": "client_credentials",
                "client_id": self.app_id,
                "client_secret": self.app_password,
                "scope": CONNECTOR_SCOPE,
            }
            try:
                async with session.post(self.token_url, data=form) as response:
                    if response.status != 200:
                        raise ConnectorError(f"token endpoint answered {response.status}")
                    body = await response.json(content_type=None)
                token = str(body["access_token"])
                lifetime = float(body.get("expires_in", 3600))
            except (aiohttp.ClientError, asyncio.TimeoutError, KeyError, ValueError) as error:
                raise ConnectorError(f"could not get a connector token: {error!r}") from error
            self._token = token
            self._token_expires_at = time.monotonic() + max(0.0, lifetime - 300)
            return token

    async def post_activity(
        self, service_url: str, conversation_id: str, activity: Mapping[str, Any]
    ) -> dict[str, Any]:
        """POST one activity to ``{serviceUrl}/v3/conversations/{id}/activities``.

        Retries 412/502/503/504 and connection errors with back-off, waits out 429 using
        ``Retry-After``, refreshes the token once on 401, and raises ConnectorError when the
        attempts are used up or the connector refuses the activity outright.
        """
        if not allowed_service_url(service_url):
            raise ConnectorError("refusing to post to a service URL that is not Microsoft's")
        conversation = quote(conversation_id, safe="")
        url = URL(f"{service_url.rstrip('/')}/v3/conversations/{conversation}/activities", encoded=True)
        session = self._session_for_loop()
        token_refreshed = False
        last_problem = "no attempt made"
        for attempt in range(self.retry.max_attempts):
            token = await self.access_token()
            headers = {"Authorization": f"Bearer {token}"}
            delay = self.retry.backoff(attempt)
            try:
                async with session.post(url, json=dict(activity), headers=headers) as response:
                    if response.status < 300:
                        return _json_object(await response.text())
                    last_problem = f"connector answered {response.status}"
                    if response.status == 401 and not token_refreshed:
                        self.forget_token()
                        token_refreshed = True
                        delay = 0.0
                    elif response.status == 429:
                        delay = self.retry.retry_after(response.headers.get("Retry-After"), attempt)
                    elif response.status not in RETRY_STATUSES:
                        raise ConnectorError(f"{last_problem}: {await response.text()}")
            except (aiohttp.ClientError, asyncio.TimeoutError) as error:
                last_problem = f"{type(error).__name__}: {error}"
            if attempt + 1 < self.retry.max_attempts:
                logger.info("Teams reply not delivered (%s); retrying in %.1fs", last_problem, delay)
                await asyncio.sleep(delay)
        raise ConnectorError(f"gave up after {self.retry.max_attempts} attempts: {last_problem}")


def _json_object(text: str) -> dict[str, Any]:
    try:
        body = json.loads(text) if text.strip() else {}
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {}
