"""A table row as text lines, the same for Word and web pages."""
from __future__ import annotations


def table_row_lines(cells: list[str]) -> list[str]:
    """A row whose first cell is a number ("7", "7.") is that numbered item; another row is one
    paragraph of its cells joined with " – ". Empty rows give nothing."""
    cells = [c for c in (" ".join(cell.split()) for cell in cells) if c]
    if not cells:
        return []
    first = cells[0].rstrip(".)")
    if len(cells) > 1 and first.isdigit() and len(first) <= 3:
        return [f"{first}. {' – '.join(cells[1:])}"]
    return [" – ".join(cells), ""]
