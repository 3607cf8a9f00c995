"""Where a document can be opened by staff: its web URL.

A folder of documents may hold a hidden `.sources.json`, {"file name relative to that folder":
"https://…"}; the SharePoint mirror writes one for the files it mirrors (their `webUrl`). A
`url` in catalog.toml's entry for the document wins over it.
"""
from __future__ import annotations

import json
from pathlib import Path

from knowledge.files import write_json_atomically

SOURCES_FILE = ".sources.json"


def load_web_urls(documents_dir: Path) -> dict[str, str]:
    """{document id (path relative to `documents_dir`): web URL} from every `.sources.json` below it."""
    urls: dict[str, str] = {}
    for sidecar in sorted(documents_dir.rglob(SOURCES_FILE)):
        try:
            data = json.loads(sidecar.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        if not isinstance(data, dict):
            continue
        prefix = sidecar.parent.relative_to(documents_dir).as_posix()
        for rel, url in data.items():
            if isinstance(rel, str) and isinstance(url, str) and url.startswith(("https://", "http://")):
                urls[f"{prefix}/{rel}" if prefix != "." else rel] = url
    return urls


def record_web_urls(folder: Path, urls: dict[str, str]) -> None:
    """Write the folder's `.sources.json` ({file relative to the folder: web URL})."""
    write_json_atomically(folder / SOURCES_FILE, dict(sorted(urls.items())))
