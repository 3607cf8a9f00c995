"""An HTTP/1.1 request written byte for byte, for what well-behaved clients refuse to send
(non-UTF-8 header bytes, bodies that aren't the text they claim to be)."""
from __future__ import annotations

import asyncio
from urllib.parse import urlsplit


async def raw_request(url: str, method: str, path: str, headers: list[tuple[str, bytes]], body: bytes = b"") -> tuple[int, bytes]:
    """Send one request to `url`'s host and port exactly as given; returns (status, body)."""
    parts = urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    head = [f"{method} {path} HTTP/1.1".encode(), f"Host: {parts.hostname}:{parts.port}".encode(), b"Connection: close"]
    head += [name.encode() + b": " + value for name, value in headers]
    head.append(f"Content-Length: {len(body)}".encode())
    writer.write(b"\r\n".join(head) + b"\r\n\r\n" + body)
    await writer.drain()
    response = await asyncio.wait_for(reader.read(), timeout=30)
    writer.close()
    status_line, _, rest = response.partition(b"\r\n")
    return int(status_line.split()[1]), rest.partition(b"\r\n\r\n")[2]
