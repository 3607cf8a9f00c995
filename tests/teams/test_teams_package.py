"""The Teams app package source: a manifest with the bot id left for the installer, and two icons
of the sizes Teams requires."""
from __future__ import annotations

import json
import struct
import zlib
from pathlib import Path

import bot.teams

PACKAGE = Path(bot.teams.__file__).parent / "package"


def png_size_and_mode(path: Path) -> tuple[int, int, int]:
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    length, kind = struct.unpack(">I4s", data[8:16])
    assert kind == b"IHDR"
    ihdr = data[16 : 16 + length]
    assert zlib.crc32(data[12 : 16 + length]) & 0xFFFFFFFF == struct.unpack(">I", data[16 + length : 20 + length])[0]
    width, height, _depth, color_type = struct.unpack(">IIBB", ihdr[:10])
    return width, height, color_type


def test_the_manifest_names_the_bot_by_a_placeholder_and_offers_every_chat_scope():
    manifest = json.loads((PACKAGE / "manifest.json").read_text(encoding="utf-8"))

    assert manifest["id"] == "${{BOT_ID}}"
    (bot_entry,) = manifest["bots"]
    assert bot_entry["botId"] == "${{BOT_ID}}"
    assert set(bot_entry["scopes"]) == {"personal", "team", "groupChat"}
    assert len(manifest["name"]["short"]) <= 30 and len(manifest["description"]["short"]) <= 80
    assert manifest["icons"] == {"color": "color.png", "outline": "outline.png"}


def test_the_icons_have_the_sizes_teams_requires():
    assert png_size_and_mode(PACKAGE / "color.png")[:2] == (192, 192)
    width, height, color_type = png_size_and_mode(PACKAGE / "outline.png")
    assert (width, height) == (32, 32)
    assert color_type == 6, "the outline icon is white on a transparent background (RGBA)"
