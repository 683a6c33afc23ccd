"""Problems in input files, as data: file, row (header = row 1), column, Swedish message."""

from __future__ import annotations

from dataclasses import dataclass

MAX_LISTED = 50  # per kind of problem; the rest are counted


@dataclass(frozen=True)
class Problem:
    file: str
    row: int | None  # as the user counts: the header is row 1
    column: str | None
    message: str

    def __str__(self) -> str:
        where = [f"Fil {self.file}"]
        if self.row is not None:
            where.append(f"rad {self.row}")
        if self.column is not None:
            where.append(f"kolumn {self.column}")
        return ", ".join(where) + ": " + self.message


def rows_problems(file: str, rows: list[int], column: str | None, message: str) -> list[Problem]:
    """One problem per row (at most :data:`MAX_LISTED`, then one that counts the rest)."""
    out = [Problem(file, r, column, message) for r in rows[:MAX_LISTED]]
    if len(rows) > MAX_LISTED:
        out.append(Problem(file, None, column, f"{message} – ytterligare {len(rows) - MAX_LISTED} rader med samma fel."))
    return out
