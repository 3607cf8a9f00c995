"""A table row as text lines, the same for Word and web pages."""
from __future__ import annotations


def table_row_lines(cells: list[str], header: bool = False) -> list[str]:
    """A table is read as a list of its rows: a row whose first cell is a number ("7", "7.") is that
    numbered item, another row a bullet item of its cells joined with " – ". A header row (Word's
    "repeat as header row", HTML's <th>) only labels the columns and gives nothing, as empty rows."""
    cells = [c for c in (" ".join(cell.split()) for cell in cells) if c]
    if not cells:
        return []
    first = cells[0].rstrip(".)")
    if len(cells) > 1 and first.isdigit() and len(first) <= 3:
        return [f"{first}. {' – '.join(cells[1:])}"]
    if header:
        return []
    return ["• " + " – ".join(cells)]
