"""Build the Teams app package (manifest.json + two icons, zipped) to upload in Teams admin.

    python -m bot.teams_app --app-id <Azure Bot app id> \\
        --endpoint https://host/webhooks/teams/webhook --out build/teams-app.zip

The icons are drawn here with ``zlib`` and ``struct`` so the package can be rebuilt anywhere
without an image library or binary files in the repository.
"""

from __future__ import annotations

import argparse
import json
import re
import struct
import sys
import zipfile
import zlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

MANIFEST_VERSION = "1.16"
MANIFEST_SCHEMA = (
    f"https://developer.microsoft.com/en-us/json-schemas/teams/v{MANIFEST_VERSION}/MicrosoftTeams.schema.json"
)
COLOR_ICON_SIZE = 192  # Teams: full-colour icon 192x192
OUTLINE_ICON_SIZE = 32  # Teams: white outline icon 32x32 on transparent
NHS_BLUE = (0x00, 0x5E, 0xB8, 0xFF)
WHITE = (0xFF, 0xFF, 0xFF, 0xFF)
CLEAR = (0, 0, 0, 0)
WEBHOOK_PATH = "/webhooks/teams/webhook"

_GUID = re.compile(r"^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$")
# A fixed timestamp keeps the zip byte-for-byte reproducible.
_ZIP_TIME = (2024, 1, 1, 0, 0, 0)

Pixel = tuple[int, int, int, int]


# --- icons ---------------------------------------------------------------------------------


def png_bytes(width: int, height: int, pixel: Callable[[int, int], Pixel]) -> bytes:
    """Encode an RGBA image, given as a function of (x, y), as a PNG."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(width)) for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def _in_speech_bubble(x: float, y: float, inset: float = 0.0) -> bool:
    """A rounded speech bubble with a tail, in unit coordinates (0..1)."""
    left, top, right, bottom = 0.16 + inset, 0.2 + inset, 0.84 - inset, 0.68 - inset
    radius = max(0.02, 0.1 - inset)
    if left <= x <= right and top <= y <= bottom:
        cx = min(max(x, left + radius), right - radius)
        cy = min(max(y, top + radius), bottom - radius)
        return (x - cx) ** 2 + (y - cy) ** 2 <= radius**2
    if inset == 0.0 and bottom < y <= 0.84:  # the tail, below the bubble's lower left
        return 0.3 <= x <= 0.3 + (0.84 - y) * 0.9
    return False


def color_icon() -> bytes:
    """192x192: a white speech bubble on NHS blue."""
    size = COLOR_ICON_SIZE

    def pixel(x: int, y: int) -> Pixel:
        return WHITE if _in_speech_bubble((x + 0.5) / size, (y + 0.5) / size) else NHS_BLUE

    return png_bytes(size, size, pixel)


def outline_icon() -> bytes:
    """32x32: the bubble's outline in white on a transparent background, as Teams requires."""
    size = OUTLINE_ICON_SIZE

    def pixel(x: int, y: int) -> Pixel:
        u, v = (x + 0.5) / size, (y + 0.5) / size
        ring = _in_speech_bubble(u, v) and not _in_speech_bubble(u, v, inset=2.2 / size)
        return WHITE if ring else CLEAR

    return png_bytes(size, size, pixel)


# --- manifest ------------------------------------------------------------------------------


def endpoint_host(endpoint: str) -> str:
    """The messaging endpoint's host name; it must be https (Azure Bot rejects http)."""
    parts = urlsplit(endpoint)
    if parts.scheme != "https" or not parts.hostname:
        raise ValueError(f"the messaging endpoint must be an https URL, got {endpoint!r}")
    return parts.hostname


def build_manifest(
    app_id: str,
    endpoint: str,
    *,
    version: str = "1.0.0",
    short_name: str = "Social media policy",
    developer_name: str = "NHS Trust digital team",
    website_url: str | None = None,
    privacy_url: str | None = None,
    terms_url: str | None = None,
    team_scope: bool = False,
) -> dict[str, Any]:
    """The Teams manifest for a bot-only app, personal scope unless ``team_scope``.

    Review S10: the privacy notice must be a real page (UK GDPR Art. 13), so ``privacy_url`` is
    required, https, and not on the bot's host (which serves only Rasa's "Hello from Rasa");
    the app asks for no permissions (it never calls Graph or messages team members); and team
    scope, which shows whatever is typed to a whole channel, is opt-in.
    """
    if not _GUID.match(app_id):
        raise ValueError(f"the app id must be the Azure Bot's Microsoft App ID (a GUID): {app_id!r}")
    host = endpoint_host(endpoint)
    if not privacy_url:
        raise ValueError("a privacy notice URL is required (--privacy-url): the Trust's published notice")
    for label, url in (("privacy", privacy_url), ("terms", terms_url), ("website", website_url)):
        if url is None:
            continue
        parts = urlsplit(url)
        if parts.scheme != "https" or not parts.hostname:
            raise ValueError(f"the {label} URL must be an https URL, got {url!r}")
        if parts.hostname == host:
            raise ValueError(f"the {label} URL must not be the bot's own host ({host}): it has no such page")
    site = website_url or privacy_url
    scopes = ["personal", "team"] if team_scope else ["personal"]
    return {
        "$schema": MANIFEST_SCHEMA,
        "manifestVersion": MANIFEST_VERSION,
        "version": version,
        "id": app_id,
        "developer": {
            "name": developer_name,
            "websiteUrl": site,
            "privacyUrl": privacy_url,
            "termsOfUseUrl": terms_url or privacy_url,
        },
        "name": {"short": short_name[:30], "full": "NHS social media policy assistant"},
        "description": {
            "short": "What your Trust's social media policy says to do.",
            "full": (
                "Ask about posting, patients contacting you, recordings, images and "
                "concerns. The assistant answers from your own Trust's social media policy "
                "and cites the clause. Do not send it images or files."
            ),
        },
        "icons": {"color": "color.png", "outline": "outline.png"},
        "accentColor": "#005EB8",
        "bots": [
            {
                "botId": app_id,
                "scopes": scopes,
                "supportsFiles": False,
                "isNotificationOnly": False,
                "commandLists": [
                    {
                        "scopes": scopes,
                        "commands": [
                            {"title": "help", "description": "What I can help with"},
                        ],
                    }
                ],
            }
        ],
        "permissions": [],  # no Graph calls, no messages to team members (S10)
        "validDomains": [host],
    }


def build_app_package(app_id: str, endpoint: str, out_path: str | Path, **manifest: Any) -> Path:
    """Write ``manifest.json``, ``color.png`` and ``outline.png`` into a zip at ``out_path``.

    Extra keyword arguments go to :func:`build_manifest` (version, short_name, …).
    """
    if not endpoint.rstrip("/").endswith(WEBHOOK_PATH):
        print(f"warning: the endpoint usually ends with {WEBHOOK_PATH}", file=sys.stderr)
    content = build_manifest(app_id, endpoint, **manifest)
    out = Path(out_path)
    out.parent.mkdir(parents=True, exist_ok=True)
    files = {
        "manifest.json": json.dumps(content, indent=2).encode(),
        "color.png": color_icon(),
        "outline.png": outline_icon(),
    }
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as package:
        for name, data in files.items():
            package.writestr(zipfile.ZipInfo(name, date_time=_ZIP_TIME), data)
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.teams_app", description=__doc__.split("\n")[0])
    parser.add_argument("--app-id", required=True, help="the Azure Bot's Microsoft App ID")
    parser.add_argument("--endpoint", required=True, help=f"https://<host>{WEBHOOK_PATH}")
    parser.add_argument("--out", default="build/teams-app.zip", help="zip to write")
    parser.add_argument("--version", default="1.0.0", help="app version (bump for each upload)")
    parser.add_argument("--name", default="Social media policy", help="short name (≤30 chars)")
    parser.add_argument("--developer", default="NHS Trust digital team", help="developer name")
    parser.add_argument(
        "--website", default=None, help="https URL for the website (default: the privacy URL)"
    )
    parser.add_argument("--privacy-url", required=True, help="https URL of the Trust's privacy notice")
    parser.add_argument("--terms-url", default=None, help="https URL of the terms of use (default: privacy)")
    parser.add_argument(
        "--team-scope", action="store_true", help="also allow team channels (shows chats to all)"
    )
    args = parser.parse_args(argv)
    try:
        out = build_app_package(
            args.app_id,
            args.endpoint,
            args.out,
            version=args.version,
            short_name=args.name,
            developer_name=args.developer,
            website_url=args.website,
            privacy_url=args.privacy_url,
            terms_url=args.terms_url,
            team_scope=args.team_scope,
        )
    except ValueError as error:
        parser.error(str(error))
    print(f"Wrote {out}: upload it in Teams admin centre > Teams apps > Manage apps > Upload.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
