"""Spreadsheet-safe CSV cells: a cell that a spreadsheet would run as a formula is quoted.

Excel, LibreOffice and WPS treat a cell starting with =, +, -, @ (or a tab or carriage return
before one) as a formula, so exported text could run commands on the reader's machine (CSV
injection). The usual defence prefixes such a cell with an apostrophe, which spreadsheets show
as text; our importer removes that apostrophe again so an export re-imports unchanged.
"""

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _formula_like(cell: str) -> bool:
    """Starts like a formula, possibly behind apostrophes (so that a quoted cell survives a round trip)."""
    return cell.lstrip("'").startswith(FORMULA_STARTS)


def neutralise_formula(cell: str) -> str:
    """The cell as text a spreadsheet will not evaluate."""
    return "'" + cell if _formula_like(cell) else cell


def restore_formula(cell: str) -> str:
    """Undo neutralise_formula: our own exports read back exactly as they were."""
    return cell[1:] if cell.startswith("'") and _formula_like(cell) else cell
