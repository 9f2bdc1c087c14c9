"""A fake Bot Framework on 127.0.0.1 for offline tests and the latency bench.

One aiohttp app, run in its own thread with its own event loop (so it keeps answering while
the code under test awaits it), serving:

- ``GET  /v1/.well-known/openidconfiguration`` -> ``{"jwks_uri": …/keys}``
- ``GET  /keys``                               -> the test JWKS
- ``POST /{tenant}/oauth2/v2.0/token``         -> a client-credentials token
- ``POST /v3/conversations/{id}/activities``   -> records the reply; can be scripted to
  answer e.g. 429 first.

Also: RSA test keys and a signer for connector-style JWTs.
"""

from __future__ import annotations

import asyncio
import base64
import json
import socket
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import jwt
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

APP_ID = "00000000-0000-0000-0000-00000000a11d"
BOT_ID = f"28:{APP_ID}"
TENANT_ID = "72f988bf-0000-0000-0000-0000000000aa"
ISSUER = "https://api.botframework.com"
KID = "test-kid"
OUTBOUND_TOKEN = "fake-outbound-token"


@dataclass
class SigningKey:
    """An RSA key pair and its public JWK (with Teams' ``endorsements``)."""

    kid: str
    private_key: rsa.RSAPrivateKey = field(
        default_factory=lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048)
    )

    @property
    def jwk(self) -> dict[str, Any]:
        jwk = json.loads(RSAAlgorithm.to_jwk(self.private_key.public_key()))
        jwk.update({"kid": self.kid, "use": "sig", "endorsements": ["msteams"]})
        return jwk

    def sign(self, claims: dict[str, Any], kid: str | None = None) -> str:
        return jwt.encode(claims, self.private_key, algorithm="RS256", headers={"kid": kid or self.kid})


def connector_claims(service_url: str, **overrides: Any) -> dict[str, Any]:
    """Claims like the ones the Bot Connector puts in the tokens it sends a bot."""
    now = int(time.time())
    claims: dict[str, Any] = {
        "iss": ISSUER,
        "aud": APP_ID,
        "serviceurl": service_url,
        "nbf": now - 10,
        "exp": now + 3600,
    }
    claims.update(overrides)
    return {k: v for k, v in claims.items() if v is not None}


def unsigned_token(claims: dict[str, Any], alg: str = "none", kid: str = KID) -> str:
    """A token with ``alg: none`` (no signature), as an attacker would send it."""

    def b64(data: dict[str, Any]) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{b64({'alg': alg, 'typ': 'JWT', 'kid': kid})}.{b64(claims)}."


def free_port_socket() -> socket.socket:
    """A listening-ready socket bound to a free port on 127.0.0.1."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind(("127.0.0.1", 0))
    return sock


class FakeBotFramework:
    """The fake connector and login service. ``start()``/``stop()`` or use as a context."""

    def __init__(self, keys: list[SigningKey]) -> None:
        self.keys = list(keys)
        self.activities: list[dict[str, Any]] = []
        self.token_requests: list[dict[str, str]] = []
        self.hits: Counter[str] = Counter()
        self.scripted_statuses: list[tuple[int, dict[str, str]]] = []
        self._condition = threading.Condition()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._runner: web.AppRunner | None = None
        self.port = 0

    # --- lifecycle -------------------------------------------------------------------------

    def start(self) -> FakeBotFramework:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(timeout=10)
        return self

    async def _start(self) -> None:
        app = web.Application()
        app.router.add_get("/v1/.well-known/openidconfiguration", self._openid)
        app.router.add_get("/keys", self._jwks)
        app.router.add_post("/{tenant}/oauth2/v2.0/token", self._token)
        app.router.add_post("/v3/conversations/{conversation}/activities", self._activity)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        sock = free_port_socket()
        self.port = sock.getsockname()[1]
        await web.SockSite(self._runner, sock).start()

    def stop(self) -> None:
        if self._runner is not None:
            asyncio.run_coroutine_threadsafe(self._runner.cleanup(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)

    def __enter__(self) -> FakeBotFramework:
        return self.start()

    def __exit__(self, *_: Any) -> None:
        self.stop()

    # --- addresses -------------------------------------------------------------------------

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def service_url(self) -> str:
        return f"{self.url}/"

    @property
    def openid_url(self) -> str:
        return f"{self.url}/v1/.well-known/openidconfiguration"

    @property
    def token_url(self) -> str:
        return f"{self.url}/{TENANT_ID}/oauth2/v2.0/token"

    # --- behaviour -------------------------------------------------------------------------

    def fail_next_posts(self, status: int, times: int = 1, **headers: str) -> None:
        """Answer the next ``times`` activity posts with ``status`` (e.g. 429, Retry-After)."""
        with self._condition:
            self.scripted_statuses += [(status, headers)] * times

    def wait_for_activities(self, count: int, timeout: float = 5.0) -> list[dict[str, Any]]:
        """Block until ``count`` activities were recorded (or fail after ``timeout``)."""
        with self._condition:
            if not self._condition.wait_for(lambda: len(self.activities) >= count, timeout):
                raise TimeoutError(f"expected {count} activities, got {len(self.activities)}")
            return list(self.activities)

    def wait_for_reply_to(self, activity_id: str, timeout: float = 5.0) -> dict[str, Any]:
        """Block until a reply with ``replyToId == activity_id`` was recorded."""

        def find() -> dict[str, Any] | None:
            for recorded in self.activities:
                if recorded["body"].get("replyToId") == activity_id:
                    return recorded
            return None

        with self._condition:
            if not self._condition.wait_for(lambda: find() is not None, timeout):
                raise TimeoutError(f"no reply to {activity_id}")
            found = find()
            assert found is not None
            return found

    async def _openid(self, request: web.Request) -> web.Response:
        self.hits["openid"] += 1
        return web.json_response({"issuer": ISSUER, "jwks_uri": f"{self.url}/keys"})

    async def _jwks(self, request: web.Request) -> web.Response:
        self.hits["jwks"] += 1
        return web.json_response({"keys": [key.jwk for key in self.keys]})

    async def _token(self, request: web.Request) -> web.Response:
        form = dict(await request.post())
        with self._condition:
            self.token_requests.append({k: str(v) for k, v in form.items()})
        return web.json_response({"token_type": "Bearer", "expires_in": 3600, "access_token": OUTBOUND_TOKEN})

    async def _activity(self, request: web.Request) -> web.Response:
        body = await request.json()
        with self._condition:
            self.hits["activity_posts"] += 1
            if self.scripted_statuses:
                status, headers = self.scripted_statuses.pop(0)
                return web.json_response({"error": "scripted"}, status=status, headers=headers)
            self.activities.append(
                {
                    "conversation_id": request.match_info["conversation"],
                    "authorization": request.headers.get("Authorization"),
                    "received_at": time.perf_counter(),
                    "body": body,
                }
            )
            self._condition.notify_all()
            number = len(self.activities)
        return web.json_response({"id": f"reply-{number}"})
