"""Hostile PDFs, written byte by byte: a decompression bomb and a self-referencing form XObject."""
from __future__ import annotations

import zlib
from pathlib import Path


def _pdf(objects: list[bytes]) -> bytes:
    """A PDF file of the given objects (numbered from 1; object 1 is the catalog) with a valid xref."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += f"{number} 0 obj\n".encode() + body + b"\nendobj\n"
    xref = len(out)
    out += f"xref\n0 {len(objects) + 1}\n0000000000 65535 f \n".encode()
    out += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    out += f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n".encode()
    return bytes(out)


def _stream(dictionary: str, data: bytes) -> bytes:
    return f"<< {dictionary} /Length {len(data)} >>\nstream\n".encode() + data + b"\nendstream"


def decompression_bomb_pdf(path: Path, expanded_mb: int = 2048) -> Path:
    """One page whose content stream is ~2 MB of Flate data that expands to `expanded_mb` MB.

    Each 1 MB of spaces is compressed after a full flush, so its compressed bytes are the same every
    time and are written once and repeated (the trailing checksum is then wrong, which a reader only
    notices after it has inflated everything)."""
    compressor = zlib.compressobj(9)
    chunk = b" " * (1 << 20)
    head = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    repeated = compressor.compress(chunk) + compressor.flush(zlib.Z_FULL_FLUSH)
    data = head + repeated * (expanded_mb - 1) + compressor.flush()
    path.write_bytes(_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>",
        _stream("/Filter /FlateDecode", data),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]))
    return path


def self_referencing_xobject_pdf(path: Path) -> Path:
    """One page that draws a form XObject whose resources name itself and whose content draws itself
    twice: a reader that follows it without a visited set does 2^depth work."""
    form = b"q 0.9 0 0 0.9 10 10 cm /X0 Do Q q 0.5 0 0 0.5 0 0 cm /X0 Do Q BT /F1 9 Tf 0 0 Td (Rekursjon) Tj ET"
    path.write_bytes(_pdf([
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /XObject << /X0 5 0 R >> >> >>",
        _stream("", b"/X0 Do"),
        _stream("/Type /XObject /Subtype /Form /BBox [0 0 595 842] /Resources << /XObject << /X0 5 0 R >> "
                "/Font << /F1 6 0 R >> >>", form),
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]))
    return path
