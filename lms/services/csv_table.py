"""Reading an uploaded CSV the way a school office writes one: UTF-8 (Excel adds a BOM),
a header row, one record a line. Problems are collected per line, never raised one by one,
so an import can report every bad row at once and store nothing.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Set
from dataclasses import dataclass, field

from lms.errors import InvalidInput

# Sent base64-encoded in a JSON body, which must stay under the server's 1 MB request limit.
MAX_CSV_BYTES = 700 * 1024
MAX_CSV_ROWS = 5000


@dataclass
class RowError:
    line: int
    reason: str  # a stable code the client translates ("duplicate_in_file", "unknown_school")
    message: str
    column: str | None = None
    value: str | None = None

    def to_dict(self) -> dict[str, object]:
        return {
            "line": self.line,
            "reason": self.reason,
            "message": self.message,
            "column": self.column,
            "value": self.value,
        }


@dataclass
class CsvTable:
    rows: list[tuple[int, dict[str, str]]] = field(default_factory=list)  # (line, values)


def read_csv(data: bytes, *, required: Set[str], optional: Set[str] = frozenset()) -> CsvTable:
    """The rows of ``data`` keyed by column name; a wrong header refuses the whole file.

    Column names are matched case-insensitively; values are stripped. Blank lines are
    skipped. Raises ``InvalidInput`` (with ``reason``) for a file that cannot be read at all.
    """
    if len(data) > MAX_CSV_BYTES:
        raise InvalidInput(f"the file is larger than {MAX_CSV_BYTES // 1024} KB", reason="too_big")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput(
            "the file is not UTF-8 text; save it as 'CSV UTF-8'", reason="not_utf8"
        ) from None
    reader = csv.reader(io.StringIO(text, newline=""))
    header: list[str] | None = None
    table = CsvTable()
    try:
        for record in reader:
            if not any(cell.strip() for cell in record):
                continue
            if header is None:
                header = [cell.strip().lower() for cell in record]
                _check_header(header, required, optional)
                continue
            if len(table.rows) >= MAX_CSV_ROWS:
                raise InvalidInput(
                    f"a file holds at most {MAX_CSV_ROWS} rows; split it", reason="too_many_rows"
                )
            values = {name: "" for name in header}
            for name, cell in zip(header, record, strict=False):
                values[name] = cell.strip()
            if len(record) > len(header):
                values["\0extra"] = "x"  # flagged by the caller's row checks
            table.rows.append((reader.line_num, values))
    except csv.Error as error:
        raise InvalidInput(
            f"the file is not valid CSV (line {reader.line_num}): {error}", reason="bad_csv"
        ) from None
    if header is None:
        raise InvalidInput("the file is empty", reason="empty")
    if not table.rows:
        raise InvalidInput("the file has a header but no rows", reason="no_rows")
    return table


def _check_header(header: list[str], required: Set[str], optional: Set[str]) -> None:
    missing = sorted(required - set(header))
    unknown = sorted(set(header) - required - set(optional))
    repeated = sorted({name for name in header if header.count(name) > 1})
    if missing or unknown or repeated:
        raise InvalidInput(
            "the header row must name the columns "
            + ", ".join(sorted(required))
            + (f" (optional: {', '.join(sorted(optional))})" if optional else ""),
            reason="wrong_columns",
            missing=missing,
            unknown=unknown,
            repeated=repeated,
        )


def extra_cells_error(line: int, values: dict[str, str]) -> RowError | None:
    if "\0extra" in values:
        return RowError(line, "extra_cells", "this row has more cells than the header")
    return None
