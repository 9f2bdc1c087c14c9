"""Logs that never carry what a user typed (review finding S4).

Rasa and rasa_sdk put user text into logs on their error paths:

- rasa_sdk answers a crashing action with ``{"error": …, "request_body": <whole tracker>}``
  and Rasa logs that body inside ``ClientResponseError(… body='…')``;
- Rasa's REST channel logs ``text=`` on a failed turn, and its debug logs carry
  ``parse_data_text`` and entities;
- exception messages carry fragments (``invalid literal for int() with base 10: '²'``).

Three controls, installed by the launcher (``bot.rasa_ext.main``) for every process:

- :class:`NoUserText`, on the root logger, its handlers and the log-record factory: the
  message is cut at any ``body=`` / ``request_body`` marker, exception messages are withheld
  (the type and the traceback frames stay), and :func:`bot.privacy.redact` runs last;
- :class:`WithheldPipeline`, registered as Rasa's anonymisation plugin, so every structlog field
  Rasa marks as user data (``text``, ``parse_data_text``, ``user_message``, …) is withheld;
- :func:`install_action_server_error_handler`: rasa_sdk's 500 answer without the request body.
"""

from __future__ import annotations

import logging
import re
import traceback
from typing import Any

from bot.privacy import redact

WITHHELD = "[withheld]"
_BODY_MARKERS = re.compile(r"(body=|request_body|'text':|\"text\":|text=)", re.IGNORECASE)


def _scrub_message(message: str) -> str:
    match = _BODY_MARKERS.search(message)
    if match:
        message = message[: match.start()] + match.group(1) + " " + WITHHELD
    return redact(message)


def _withheld_traceback(exc_info: Any) -> str:
    """The traceback's frames and exception types, without any exception's message."""
    _, value, _ = exc_info
    if value is None:
        return ""
    te = traceback.TracebackException.from_exception(value)
    seen = te
    while seen is not None:
        seen._str = WITHHELD  # type: ignore[attr-defined]
        seen = seen.__cause__ or seen.__context__
    return "".join(te.format()).rstrip("\n")


class NoUserText(logging.Filter):
    """A log filter that removes user text from a record before any handler formats it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if getattr(record, "_no_user_text", False):
            return True
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a broken format string must not break logging
            message = str(record.msg)
        record.msg = _scrub_message(message)
        record.args = ()
        if record.exc_info:
            record.exc_text = _withheld_traceback(record.exc_info)
            record.exc_info = None
        record._no_user_text = True  # type: ignore[attr-defined]
        return True


class WithheldPipeline:
    """Stands in for Rasa Pro's anonymisation pipeline: every marked value is withheld."""

    def log_run(self, value: Any) -> str:
        return WITHHELD

    def run(self, event: Any) -> None:  # called on tracker events; nothing to publish
        return None


class _AnonymisationPlugin:
    try:
        import pluggy

        _hookimpl = pluggy.HookimplMarker("rasa")
    except ImportError:  # pragma: no cover
        _hookimpl = None

    if _hookimpl is not None:

        @_hookimpl
        def get_anonymization_pipeline(self) -> WithheldPipeline:
            return WithheldPipeline()


_FILTER = NoUserText()
_installed = False


def install(level_env: str | None = None) -> None:
    """Install the filters (idempotent). Called before Rasa configures its own logging."""
    global _installed
    root = logging.getLogger()
    if _FILTER not in root.filters:
        root.addFilter(_FILTER)
    for handler in root.handlers:
        if _FILTER not in handler.filters:
            handler.addFilter(_FILTER)
    if _installed:
        return
    _installed = True
    make_record = logging.getLogRecordFactory()

    def scrubbed_record(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = make_record(*args, **kwargs)
        _FILTER.filter(record)
        return record

    logging.setLogRecordFactory(scrubbed_record)
    try:
        from rasa.plugin import plugin_manager

        manager = plugin_manager()
        if not any(isinstance(p, _AnonymisationPlugin) for p in manager.get_plugins()):
            manager.register(_AnonymisationPlugin())
    except ImportError:  # pragma: no cover - rasa_sdk-only environments
        pass


def action_error_body(exception: BaseException) -> dict[str, Any]:
    """What the action server answers when an action crashes: the type only, never the body."""
    return {"error": type(exception).__name__, "action_name": getattr(exception, "action_name", None)}


def install_action_server_error_handler() -> None:
    """Make rasa_sdk's ``create_app`` answer crashes without ``request_body`` (S4a)."""
    import rasa_sdk.endpoint as endpoint
    from sanic import response

    if getattr(endpoint.create_app, "_no_user_text", False):
        return
    original = endpoint.create_app
    log = logging.getLogger("rasa_sdk.endpoint")

    def create_app(*args: Any, **kwargs: Any) -> Any:
        app = original(*args, **kwargs)

        async def exception_handler(request: Any, exception: Exception) -> Any:
            log.error("An action failed: %s", type(exception).__name__)
            return response.json(action_error_body(exception), status=500)

        app.error_handler.add(Exception, exception_handler)
        return app

    create_app._no_user_text = True  # type: ignore[attr-defined]
    endpoint.create_app = create_app
