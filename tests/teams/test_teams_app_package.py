"""The Teams app package is ready to upload: a valid manifest and both icons at Teams' sizes."""

from __future__ import annotations

import json
import struct
import zipfile
import zlib
from pathlib import Path

import pytest

from bot.teams_app import build_app_package, main

APP_ID = "00000000-0000-0000-0000-00000000a11d"
ENDPOINT = "https://bot.example.nhs.uk/webhooks/teams/webhook"
PRIVACY = "https://www.example.nhs.uk/privacy/policy-assistant"


def png_size_and_type(data: bytes) -> tuple[int, int, int]:
    """Width, height and colour type from the IHDR chunk, checking the CRC on the way."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR" and length == 13
    body = data[12 : 16 + length]
    (crc,) = struct.unpack(">I", data[16 + length : 20 + length])
    assert zlib.crc32(body) == crc
    width, height, _depth, colour_type = struct.unpack(">IIBB", data[16:26])
    return width, height, colour_type


def test_app_package_has_manifest_and_icons(tmp_path: Path) -> None:
    out = build_app_package(APP_ID, ENDPOINT, tmp_path / "teams-app.zip", privacy_url=PRIVACY)
    with zipfile.ZipFile(out) as package:
        assert sorted(package.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(package.read("manifest.json"))
        color = package.read("color.png")
        outline = package.read("outline.png")

    assert manifest["manifestVersion"] == "1.16"
    assert manifest["$schema"].endswith("/v1.16/MicrosoftTeams.schema.json")
    assert manifest["id"] == APP_ID
    (bot,) = manifest["bots"]
    assert bot["botId"] == APP_ID
    assert bot["scopes"] == ["personal"]  # was personal and team: team scope is now opt-in (S10)
    assert bot["supportsFiles"] is False
    assert manifest["validDomains"] == ["bot.example.nhs.uk"]
    assert manifest["icons"] == {"color": "color.png", "outline": "outline.png"}
    assert len(manifest["name"]["short"]) <= 30
    assert len(manifest["description"]["short"]) <= 80
    for url in manifest["developer"].values():
        assert url.startswith("https://") or url == manifest["developer"]["name"]

    assert png_size_and_type(color) == (192, 192, 6)
    assert png_size_and_type(outline) == (32, 32, 6)


def test_icons_open_in_pillow_if_available(tmp_path: Path) -> None:
    image = pytest.importorskip("PIL.Image")
    out = build_app_package(APP_ID, ENDPOINT, tmp_path / "teams-app.zip", privacy_url=PRIVACY)
    with zipfile.ZipFile(out) as package:
        for name, size in (("color.png", 192), ("outline.png", 32)):
            with package.open(name) as handle:
                icon = image.open(handle)
                icon.load()
                assert icon.size == (size, size)
        with package.open("outline.png") as handle:
            pixels = image.open(handle).convert("RGBA").getdata()
            # Teams: outline icon is white on transparent, nothing else.
            assert {p[:3] for p in pixels if p[3]} == {(255, 255, 255)}
            assert any(p[3] == 0 for p in pixels)


def test_package_is_reproducible(tmp_path: Path) -> None:
    first = build_app_package(APP_ID, ENDPOINT, tmp_path / "a.zip", privacy_url=PRIVACY).read_bytes()
    second = build_app_package(APP_ID, ENDPOINT, tmp_path / "b.zip", privacy_url=PRIVACY).read_bytes()
    assert first == second


@pytest.mark.parametrize(
    ("app_id", "endpoint"),
    [("not-a-guid", ENDPOINT), (APP_ID, "http://bot.example.nhs.uk/webhooks/teams/webhook")],
)
def test_bad_app_id_or_plain_http_endpoint_is_refused(tmp_path: Path, app_id: str, endpoint: str) -> None:
    with pytest.raises(ValueError):
        build_app_package(app_id, endpoint, tmp_path / "x.zip", privacy_url=PRIVACY)


def test_command_line_writes_the_zip(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "build" / "teams-app.zip"
    assert (
        main(["--app-id", APP_ID, "--endpoint", ENDPOINT, "--out", str(out), "--privacy-url", PRIVACY]) == 0
    )
    assert zipfile.is_zipfile(out)
    assert "teams-app.zip" in capsys.readouterr().out
