"""No user text in logs (S4, S14); a locked-down launch (S1, S2, S17).

The log filter is installed for every process by ``bot.rasa_ext.main``; here it is installed
for one test at a time and removed again, so other tests' log captures are untouched.
"""

from __future__ import annotations

import asyncio
import io
import json
import logging
import socket
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import aiohttp
import pytest
import yaml

from bot.privacy import redact
from bot.rasa_ext import logs
from bot.rasa_ext.main import UnsafeLaunch, secure_arguments

REPO = Path(__file__).resolve().parents[2]
TYPED = "John Smith NHS 943 476 5919 DOB 12/03/1950 07700 900123 jane@nhs.net"
IDENTIFIERS = ("John Smith", "943 476 5919", "12/03/1950", "07700 900123", "jane@nhs.net")


@pytest.fixture
def log_filter_installed():
    factory = logging.getLogRecordFactory()
    root = logging.getLogger()
    filters, handler_filters = list(root.filters), {h: list(h.filters) for h in root.handlers}
    installed = logs._installed
    logs._installed = False
    logs.install()
    try:
        yield
    finally:
        logging.setLogRecordFactory(factory)
        root.filters[:] = filters
        for handler, kept in handler_filters.items():
            handler.filters[:] = kept
        logs._installed = installed
        try:
            from rasa.plugin import plugin_manager

            for plugin in list(plugin_manager().get_plugins()):
                if isinstance(plugin, logs._AnonymisationPlugin):
                    plugin_manager().unregister(plugin)
        except ImportError:
            pass


def captured(logger_name: str) -> tuple[logging.Logger, io.StringIO]:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
    logger = logging.getLogger(logger_name)
    logger.addHandler(handler)
    logger.setLevel(logging.DEBUG)
    return logger, stream


def test_rasa_error_paths_log_no_user_text(log_filter_installed) -> None:
    logger, stream = captured("rasa.core.actions.action")
    body = json.dumps({"error": "x", "request_body": {"latest_message": {"text": TYPED}}})
    try:
        int("²" + TYPED)
    except ValueError:
        logger.exception(f"Failed to run custom action 'action_x'. ClientResponseError(500, body='{body}')")
    logging.getLogger("rasa.core.channels.rest").error(
        "An exception occured while handling user message '%s'. text=%s", TYPED, TYPED
    )
    output = stream.getvalue()
    assert "Failed to run custom action" in output and "ValueError" in output
    for identifier in IDENTIFIERS:
        assert identifier not in output, identifier


def write_failing_actions(tmp_path: Path) -> str:
    name = f"failing_actions_{uuid.uuid4().hex[:8]}"
    (tmp_path / f"{name}.py").write_text(
        textwrap.dedent(
            """
            from rasa_sdk import Action

            class ActionThatFails(Action):
                def name(self):
                    return "action_that_fails"

                async def run(self, dispatcher, tracker, domain):
                    raise ValueError("could not read " + tracker.latest_message["text"])
            """
        )
    )
    sys.path.insert(0, str(tmp_path))
    return name


async def test_the_action_server_answers_a_crash_without_the_request_body(
    tmp_path, log_filter_installed
) -> None:
    import rasa_sdk.endpoint as endpoint
    from sanic import Sanic

    original = endpoint.create_app
    package = write_failing_actions(tmp_path)
    logger, stream = captured("rasa_sdk")
    try:
        logs.install_action_server_error_handler()
        Sanic.test_mode = True
        app = endpoint.create_app(package)
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
        server = await app.create_server(sock=sock, return_asyncio_server=True, access_log=False)
        await server.startup()
        await server.before_start()
        await server.after_start()
        call = {
            "next_action": "action_that_fails",
            "sender_id": "x",
            "tracker": {"sender_id": "x", "slots": {}, "latest_message": {"text": TYPED}, "events": []},
            "domain": {},
            "version": "3.6.2",
        }
        async with aiohttp.ClientSession() as http:
            async with http.post(f"http://127.0.0.1:{port}/webhook", json=call) as response:
                status, body = response.status, await response.text()
        await server.before_stop()
        server.close()
        await server.wait_closed()
        await server.after_stop()
    finally:
        endpoint.create_app = original
        sys.path.remove(str(tmp_path))
    assert status == 500
    assert "request_body" not in body and json.loads(body)["error"] == "ValueError"
    for identifier in IDENTIFIERS:
        assert identifier not in body and identifier not in stream.getvalue()


IDENTIFIER_TABLE = [
    "943 476 5919",
    "9434765919",
    "943-476-5919",
    "943\u00a0476\u00a05919",
    "943  476  5919",
    "RX1234567",
    "MRN 00123456",
    "H1234567",
    "12/03/1950",
    "12 March 1950",
    "1950-03-12",
    "07700 900123",
    "07700900123",
    "+44 7700 900123",
    "01632 960 001",
    "john.smith@nhs.net",
    "LS1 4AP",
    "SW1A 1AA",
    "ls1 4ap",
    "Mr Smith",
    "Dr. Ahmed Khan",
]


@pytest.mark.parametrize("identifier", IDENTIFIER_TABLE)
def test_redact_is_the_log_filters_last_line_of_defence(identifier: str) -> None:
    redacted = redact(f"the patient {identifier} was filmed")
    assert identifier not in redacted and "[removed]" in redacted


# --- S1, S2, S17: the launcher ---------------------------------------------------------------

SECRET = "a" * 40


def test_run_never_enables_the_api_without_a_secret() -> None:
    args = secure_arguments(["run", "--enable-api", "-i", "0.0.0.0", "--auth-token", "t", "-p", "5005"], {})
    assert "--enable-api" not in args and "--auth-token" not in args and "t" not in args
    assert args[args.index("-i") + 1] == "127.0.0.1" and "0.0.0.0" not in args


def test_with_a_secret_every_api_route_needs_a_jwt() -> None:
    args = secure_arguments(["run", "-p", "5005"], {"BOT_API_JWT_SECRET": SECRET})
    assert args[-5:] == ["--enable-api", "--jwt-secret", SECRET, "--jwt-method", "HS256"]
    with pytest.raises(UnsafeLaunch):
        secure_arguments(["run"], {"BOT_API_JWT_SECRET": "short"})


def test_production_never_enables_the_api_and_refuses_debug_logging() -> None:
    production = {"BOT_PRODUCTION": "1", "BOT_API_JWT_SECRET": SECRET}
    assert "--enable-api" not in secure_arguments(["run", "--enable-api"], production)
    with pytest.raises(UnsafeLaunch):
        secure_arguments(["run", "--debug"], production)
    with pytest.raises(UnsafeLaunch):
        secure_arguments(["run"], {**production, "LOG_LEVEL": "DEBUG"})


def test_rasa_shell_binds_loopback_and_the_action_server_must_too() -> None:
    """`rasa shell` listened on 0.0.0.0:5005; the action server has no authentication."""
    args = secure_arguments(["shell", "-m", "models/assistant.tar.gz"], {})
    assert args[args.index("-i") + 1] == "127.0.0.1"
    with pytest.raises(UnsafeLaunch):
        secure_arguments(["run", "actions"], {"SANIC_HOST": "0.0.0.0"})


def make_n(target: str) -> str:
    """What `make -n target` would run, with set-up taken as done.

    The stamp is a fresh file of its own: naming the Makefile itself as the stamp made make try
    to rebuild the Makefile on a fresh clone (where pyproject.toml can be newer), which runs the
    set-up recipe even under -n.
    """
    import tempfile

    with tempfile.NamedTemporaryFile() as stamp:
        return subprocess.run(
            ["make", "-n", target, f"STAMP={stamp.name}", f"MODEL={REPO}/models/assistant.tar.gz"],
            cwd=REPO,
            capture_output=True,
            text=True,
            check=False,
            env={"PATH": "/usr/bin:/bin", "HOME": str(REPO)},
        ).stdout


def test_make_serve_is_the_teams_webhook_only() -> None:
    serve = [line for line in make_n("serve").splitlines() if "bot.rasa_ext.main run -m" in line]
    assert serve, make_n("serve")
    assert "BOT_PRODUCTION=1" in serve[0] and "--credentials credentials.yml" in serve[0]
    assert "--enable-api" not in serve[0] and "--auth-token" not in serve[0]
    run = [line for line in make_n("run").splitlines() if "bot.rasa_ext.main run -m" in line]
    assert run and "--enable-api" not in run[0] and "credentials.local.yml" in run[0]


def test_production_channels_are_teams_only() -> None:
    channels = yaml.safe_load((REPO / "credentials.yml").read_text())
    assert list(channels) == ["bot.channels.teams.TeamsInput"]
    assert "rest" in yaml.safe_load((REPO / "credentials.local.yml").read_text())


def test_no_event_broker_is_configured() -> None:
    """An event broker receives events before the allow-list (S15)."""
    endpoints = yaml.safe_load((REPO / "endpoints.yml").read_text())
    assert "event_broker" not in endpoints
    assert asyncio  # (kept for symmetry with the async tests above)
