"""Run Rasa's command line quietly and offline: ``python -m bot.rasa_ext.main run ...``.

Why a wrapper: Sanic resets warning filters at import, so ``PYTHONWARNINGS`` cannot silence the
dozens of dependency deprecation warnings; importing Sanic first and then filtering works
(rasa-feasibility.md §7). Telemetry is switched off and TensorFlow's C++ logging quietened.
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


def main() -> int:
    quiet_environment()
    silence_dependency_warnings()
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
