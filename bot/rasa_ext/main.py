"""Run Rasa's command line quietly, offline and locked down: ``python -m bot.rasa_ext.main run ...``.

Why a wrapper:

- Sanic resets warning filters at import, so ``PYTHONWARNINGS`` cannot silence the dozens of
  dependency deprecation warnings; importing Sanic first and then filtering works
  (rasa-feasibility.md §7). Telemetry is switched off and TensorFlow's C++ logging quietened.
- **Locked-down serving** (review S1, S17): whatever the command line says, Rasa's HTTP API is
  on only when ``BOT_API_JWT_SECRET`` is set, and then every API route needs a JWT signed with
  it (``--jwt-secret``; never ``--auth-token``, whose token travels in the query string). The
  secret is added here, inside the process, so it never shows in ``ps``. Rasa and the action
  server listen on 127.0.0.1 only (``rasa shell`` binds 0.0.0.0 by default).
- **Logs without user text** (S4): ``bot.rasa_ext.logs`` is installed before Rasa logs anything.
- **The channel seam** (S3, S6): every channel's messages go through ``bot.rasa_ext.turns.guard``.
- Files are created owner-only (umask 077): the SQLite tracker, logs, the trained model.
"""

from __future__ import annotations

import os
import sys
import warnings


def quiet_environment() -> None:
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    os.environ.setdefault("SQLALCHEMY_SILENCE_UBER_WARNING", "1")
    os.environ.setdefault("SANIC_HOST", "127.0.0.1")  # rasa_sdk binds 0.0.0.0 without it


_NOISE = (DeprecationWarning, PendingDeprecationWarning, FutureWarning)
_NOISE_MESSAGES = ("Slot auto-fill has been removed",)


def silence_dependency_warnings() -> None:
    """Hide dependencies' deprecation noise, however the filters get reordered later.

    Sanic (at import) and Rasa (at start-up, "once" for every UserWarning) both push their own
    filters in front of ours, and pyparsing's deprecation warnings are UserWarnings too, so
    filters alone lose. Instead the display hook drops deprecations and known noise, and
    everything else is shown as usual.
    """
    import sanic  # noqa: F401  (its import resets the filters, so it must come first)

    for category in _NOISE:
        warnings.filterwarnings("ignore", category=category)
    show = warnings.showwarning

    def show_unless_noise(message, category, filename, lineno, file=None, line=None):
        if issubclass(category, _NOISE) or any(n in str(message) for n in _NOISE_MESSAGES):
            return
        show(message, category, filename, lineno, file, line)

    warnings.showwarning = show_unless_noise


LOOPBACK = "127.0.0.1"
_DROPPED_FLAGS = {
    "--enable-api": 0,
    "--auth-token": 1,
    "-t": 1,
    "--jwt-secret": 1,
    "--jwt-method": 1,
    "--jwt-private-key": 1,
    "-i": 1,
    "--interface": 1,
}


class UnsafeLaunch(SystemExit):
    """A launch that would expose the assistant or its logs: refused with a message."""


def secure_arguments(argv: list[str], environ: dict[str, str] | None = None) -> list[str]:
    """Rasa's arguments with the API, authentication and interface decided here (S1).

    ``run`` and ``shell``: any ``--enable-api``, ``--auth-token``, ``--jwt-*`` and ``-i`` given are
    dropped; ``-i 127.0.0.1`` is added; with ``BOT_API_JWT_SECRET`` set (``run`` only),
    ``--enable-api --jwt-secret … --jwt-method HS256`` are added. ``run actions``: the action
    server binds ``SANIC_HOST``, which must be loopback. With ``BOT_PRODUCTION=1``
    (``make serve``) the API stays off whatever is set, and debug logging is refused.
    """
    env = os.environ if environ is None else environ
    if env.get("BOT_PRODUCTION") == "1":
        if any(a in ("--debug", "-vv", "--verbose", "-v") for a in argv) or (
            env.get("LOG_LEVEL", "INFO").upper() == "DEBUG"
        ):
            raise UnsafeLaunch(
                "Refusing debug logging in production (BOT_PRODUCTION=1): it logs what users type."
            )
    if not argv or argv[0] not in ("run", "shell"):
        return list(argv)
    if argv[0] == "run" and len(argv) > 1 and argv[1] == "actions":
        host = env.get("SANIC_HOST", LOOPBACK)
        if host not in (LOOPBACK, "localhost", "::1"):
            raise UnsafeLaunch(f"Refusing to start the action server on {host}: it has no authentication.")
        return list(argv)
    kept: list[str] = []
    skip = 0
    for arg in argv:
        if skip:
            skip -= 1
            continue
        name = arg.split("=", 1)[0]
        if name in _DROPPED_FLAGS:
            skip = _DROPPED_FLAGS[name] if "=" not in arg else 0
            continue
        kept.append(arg)
    kept += ["-i", LOOPBACK]
    secret = env.get("BOT_API_JWT_SECRET", "")
    if env.get("BOT_PRODUCTION") == "1":
        secret = ""  # `make serve`: the webhook and its health check only, never the API
    if kept[0] == "run" and secret:
        if len(secret) < 32:
            raise UnsafeLaunch("BOT_API_JWT_SECRET must be at least 32 characters.")
        kept += ["--enable-api", "--jwt-secret", secret, "--jwt-method", "HS256"]
    return kept


def main() -> int:
    os.umask(0o077)
    quiet_environment()
    silence_dependency_warnings()
    from bot.rasa_ext import logs

    logs.install()
    try:
        arguments = secure_arguments(sys.argv[1:])
    except UnsafeLaunch as refusal:
        print(refusal, file=sys.stderr)
        return 2
    if arguments[:2] == ["run", "actions"]:
        logs.install_action_server_error_handler()
    elif arguments[:1] in (["run"], ["shell"]):
        from bot.rasa_ext import action_check
        from bot.rasa_ext.turns import install_channel_seam

        install_channel_seam()
        action_check.install()
    from rasa.__main__ import main as rasa_main

    sys.argv = ["rasa", *arguments]
    rasa_main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
