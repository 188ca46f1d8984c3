"""Text from a return is data, never instructions: safe in a spreadsheet, escaped in HTML.

A CSV cell that a spreadsheet would read as a formula - one starting with ``=``, ``+``,
``-``, ``@``, a tab or a carriage return (the OWASP rule for CSV injection) - is written
with a leading apostrophe, so Excel and LibreOffice show the text as typed
(``=HYPERLINK(...)`` stays text). Every CSV the pipeline writes for a person goes through
`spreadsheet_safe`; HTML is escaped by the report templates (Jinja2 autoescaping).
"""

from __future__ import annotations

from typing import Any

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def spreadsheet_safe(value: Any) -> Any:
    """`value` as a spreadsheet shows it as text; numbers and empty values unchanged."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def sql_spreadsheet_safe(column: str) -> str:
    """The same rule as `spreadsheet_safe`, as a DuckDB SQL expression over a text column,
    for CSVs that DuckDB writes itself (the recipients' exports)."""
    starts = ", ".join("'" + start.replace("'", "''") + "'" for start in FORMULA_STARTS)
    return f"case when left({column}, 1) in ({starts}) then '''' || {column} else {column} end"
