"""Breaking one rule in a good return, and nothing else.

Template (T) rules are broken the way LAs break them (a predecessor's code, last quarter's
period, a misspelt item code, a letter in a number, a pasted row, a missing row). Logical
(L) rules are broken from their definitions (:mod:`riia.sample.rules`): a pair rule
``A >= B`` by raising B above A, the sum rule by inflating one part. Each L break is
checked against every L rule: it must break its own rule only.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Sequence

from riia.periods import Period
from riia.sample.reference import LocalAuthority
from riia.sample.rows import Row, figures, find_row, value_of
from riia.sample.rules import SUM_RULE_ID, Limits, PairRule, RuleBook, SumRule
from riia.sample.stocks import RECORDING_SLIPS

MARGIN_SHARE = 0.1
MARGIN_MINIMUM = 3
P01_JUMP_TIMES_TOLERANCE = 2.2
P01_JUMP_TIMES_MINIMUM = 3


def margin(count: int) -> int:
    """How far past a limit a planted figure goes: a tenth of ``count``, at least 3."""
    return max(MARGIN_MINIMUM, round(count * MARGIN_SHARE))


def break_template_rule(
    rule_id: str, rows: list[Row], la: LocalAuthority, period: Period, item: str | None
) -> tuple[str, str]:
    """Break T02-T07 in ``rows`` (in place); returns (the item code now in the file or "", description)."""
    if rule_id == "T02":
        old = la.predecessor_codes[0] if la.predecessor_codes else f"{(int(la.la_code) + 1) % 1000:03d}"
        for row in rows:
            row.la_code = old
        whose = "the predecessor authority's code" if la.predecessor_codes else "another authority's code"
        return "", f"Every row carries la_code {old} ({whose}) while the file name says {la.la_code}"
    if rule_id == "T03":
        stale = period.shift(-1).label
        for row in rows:
            row.period = stale
        return "", (
            f"Every row carries period '{stale}' (last quarter's template not updated) while "
            f"the file name says {period.label}; the values are this quarter's"
        )
    if item is None:
        raise ValueError(f"the {rule_id} defect needs an item to break")
    row = find_row(rows, item)
    if rule_id == "T04":
        misspelt = item[::-1].replace("_", "", 1)[::-1]
        row.item_code = misspelt
        return misspelt, f"Item code {item} misspelt as {misspelt} (not in the register)"
    if rule_id == "T05":
        original = row.value
        row.value = original[:-1] + "O" if original.endswith("0") else original + "a"
        return item, f"{item} value '{row.value}' is not a number (typed for {original})"
    if rule_id == "T06":
        rows.append(Row(row.la_code, row.period, row.item_code, row.value, ""))
        return item, f"{item} appears twice (row pasted again at the end, value {row.value})"
    if rule_id == "T07":
        rows.remove(row)
        return item, f"Core item {item} row missing (not submitted)"
    raise ValueError(f"no mutation for rule {rule_id}")


def break_pair(rows: list[Row], pair: PairRule) -> tuple[str, str]:
    """Raise the smaller item of ``pair`` above the larger one. Returns (item, description)."""
    larger = value_of(rows, pair.larger)
    row = find_row(rows, pair.smaller)
    original = row.value
    row.value = str(larger + margin(larger))
    return pair.smaller, (
        f"{pair.smaller} {row.value} > {pair.larger} {larger} (a wrong figure keyed in; it was "
        f"{original}); only this value changed"
    )


def parts_name(parts: Sequence[str]) -> str:
    """``REF_SRC_*`` for parts whose codes share leading words, else the codes joined by ``+``."""
    common: list[str] = []
    for words in zip(*(code.split("_") for code in parts), strict=False):
        if len(set(words)) > 1:
            break
        common.append(words[0])
    return "_".join([*common, "*"]) if len(parts) > 1 and common else " + ".join(parts)


def break_sum(rows: list[Row], rule: SumRule) -> tuple[str, str]:
    """Inflate the largest part of ``rule`` so the parts overshoot the whole."""
    whole = value_of(rows, rule.whole)
    part = max(rule.parts, key=lambda code: value_of(rows, code))
    row = find_row(rows, part)
    extra = margin(whole)
    row.value = str(int(row.value) + extra)
    return part, (
        f"{parts_name(rule.parts)} sum to {whole + extra}, not {rule.whole} {whole} "
        f"({part} {row.value} double-counts {extra})"
    )


def break_logical_rule(rule_id: str, rows: list[Row], rules: RuleBook) -> tuple[str, str]:
    """Break L01-L08 as defined (in place); returns (item, description).

    Raises RuntimeError if the return then breaks any other L rule, or not this one.
    """
    if rule_id == SUM_RULE_ID:
        item, description = break_sum(rows, rules.sum_for(rule_id))
    else:
        item, description = break_pair(rows, rules.pair_for(rule_id))
    broken = rules.broken(figures(rows))
    if broken != {rule_id}:
        raise RuntimeError(f"the planted {rule_id} defect breaks {sorted(broken)}: check the rule definitions")
    return item, description


def break_rule(
    rule_id: str, rows: list[Row], la: LocalAuthority, period: Period, rules: RuleBook, item: str | None = None
) -> tuple[str, str]:
    """Break exactly one T or L rule in ``rows`` (in place). Returns (item_code or "", description)."""
    if rule_id.startswith("T"):
        return break_template_rule(rule_id, rows, la, period, item)
    return break_logical_rule(rule_id, rows, rules)


def p01_jump(opening: int, limits: Limits) -> int:
    """An unexplained rise in a stock: plainly past P01's tolerance, within P02's change.

    Raises ValueError when the stock is too small for both.
    """
    jump = max(
        round(P01_JUMP_TIMES_MINIMUM * limits.p01_tolerance_minimum),
        round(P01_JUMP_TIMES_TOLERANCE * limits.p01_tolerance_percent / 100 * opening),
    )
    past_tolerance = jump - max(RECORDING_SLIPS) > limits.p01_tolerance(opening)
    if not (past_tolerance and limits.p02_allows(opening, opening + jump)):
        raise ValueError(f"a stock of {opening} cannot carry a P01 jump that P02 would not also flag")
    return jump


def transpose_digits(value: str) -> str:
    """Swap the first pair of adjacent, different digits after the leading one (a typo)."""
    digits = list(value)
    for i in range(1, len(digits) - 1):
        if digits[i] != digits[i + 1]:
            digits[i], digits[i + 1] = digits[i + 1], digits[i]
            return "".join(digits)
    return value + value[-1]


def xlsx_bytes() -> bytes:
    """A tiny, valid zip laid out like an .xlsx workbook, byte-identical every run."""
    members = {
        "[Content_Types].xml": (
            '<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/'
            'package/2006/content-types"><Override PartName="/xl/workbook.xml" ContentType='
            '"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>'
        ),
        "xl/workbook.xml": (
            '<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/'
            'spreadsheetml/2006/main"><sheets><sheet name="Return" sheetId="1"/></sheets></workbook>'
        ),
    }
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, text in members.items():
            info = zipfile.ZipInfo(name, date_time=(2023, 10, 20, 9, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text)
    return buffer.getvalue()
