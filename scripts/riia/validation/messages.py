"""Finding messages: each expectation's `meta.message` template filled in with the failing
row's columns (figures shown as an LA data officer writes them) and a few derived phrases
that need the project's grammar (why a period is not acceptable, the name a resubmission
should take, the item code that was probably meant)."""

from __future__ import annotations

import difflib
import math
import string
from collections.abc import Mapping, Sequence
from typing import Any

from riia.periods import Period, return_file_name
from riia.periods import period_problem as grammar_problem


def display(value: Any) -> str:
    """A figure as a data officer would write it: 812, 12.5, (blank)."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "(blank)"
    try:
        import pandas as pd

        if value is pd.NA:
            return "(blank)"
    except ImportError:  # pragma: no cover - pandas is always installed with GE
        pass
    if isinstance(value, str | bool) or not hasattr(value, "__float__"):
        return str(value)
    number = float(value)
    if number.is_integer():
        return str(int(number))
    return f"{number:.2f}".rstrip("0").rstrip(".")


class _MessageValues(dict):
    """Values for a message template: every column displayed; an unknown name stays visible."""

    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def render_message(template: str, row: Mapping[str, Any]) -> str:
    return string.Formatter().vformat(template, (), _MessageValues({k: display(v) for k, v in row.items()}))


def period_problem(text: Any, valid_periods: Sequence[str]) -> str | None:
    """Why a period text is not a quarter that can be returned, as the end of a sentence."""
    if not isinstance(text, str) or text in valid_periods:
        return None
    if not valid_periods:
        return "is not a quarter the RIIA collects"
    first, last = Period.require(valid_periods[0]), Period.require(valid_periods[-1])
    return grammar_problem(text, first, last) or "is not a quarter the RIIA collects"


def item_code_suggestion(code: Any, register: Sequence[str]) -> str:
    """' (did you mean EH_STEP_UP?)' for a code close to one in the register, else ''."""
    if not isinstance(code, str) or code in register:
        return ""
    close = difflib.get_close_matches(code, register, n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""


def derived_fields(asset: str, row: Mapping[str, Any], parameters: Mapping[str, Any]) -> dict[str, Any]:
    """The phrases a message may quote beyond the row's own columns."""
    valid_periods = parameters.get("valid_periods", [])
    derived: dict[str, Any] = {}
    if asset == "return_files":
        derived["period_problem"] = period_problem(row.get("file_name_period"), valid_periods)
        version = row.get("next_version")
        if isinstance(version, int | float) and not (isinstance(version, float) and math.isnan(version)):
            period = Period.parse(row.get("file_name_period"))
            if period is not None and row.get("file_name_la_code"):
                derived["next_version_name"] = return_file_name(row["file_name_la_code"], period, int(version))
    elif asset == "return_lines":
        derived["period_problem"] = period_problem(row.get("period"), valid_periods)
        derived["item_code_suggestion"] = item_code_suggestion(
            row.get("item_code"), parameters.get("register_item_codes", [])
        )
    return derived
