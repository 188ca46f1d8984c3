"""Turning a placed defect and the LA's good rows into the file(s) written and their records."""

from __future__ import annotations

from dataclasses import dataclass, field

from riia.sample.defects import Defect, Placement
from riia.sample.mutations import break_rule, transpose_digits, xlsx_bytes
from riia.sample.rows import Row, copy_rows, find_row, value_of
from riia.sample.rules import RuleBook
from riia.sample.window import relative_path

UNREADABLE = "An Excel workbook (.xlsx, a zip archive) saved under a .csv name; no usable return"


@dataclass
class ReturnFile:
    """A file to write: CSV rows, or raw bytes for the unreadable one."""

    relative_path: str
    rows: list[Row] = field(default_factory=list)
    raw: bytes | None = None


Planted = tuple[list[ReturnFile], list[Defect]]


def _record(placement: Placement, path: str, version: int, **fields: object) -> Defect:
    la = placement.la
    return Defect(
        file=path,
        la_code=la.la_code,
        la_name=la.la_name,
        region_code=la.region_code,
        period=placement.period.label,
        version=version,
        **fields,  # type: ignore[arg-type]
    )


def plant_unreadable(placement: Placement) -> Planted:
    path = relative_path(placement.la.la_code, placement.period)
    record = _record(
        placement, path, 1, rule_id="T01", severity="error", expected_outcome="quarantined", description=UNREADABLE
    )
    return [ReturnFile(path, raw=xlsx_bytes())], [record]


def plant_stock_jump(placement: Placement, rows: list[Row], stock: str, jump: int) -> Planted:
    """The rows already carry the jump (planted in the simulation); this only records it."""
    path = relative_path(placement.la.la_code, placement.period)
    description = (
        f"{stock} {value_of(rows, stock)} is {jump} higher than last quarter's closing stock plus starts "
        f"minus ceased (unexplained; later quarters roll forward from the new level)"
    )
    record = _record(
        placement,
        path,
        1,
        rule_id=placement.spec.rule_id,
        severity="warning",
        expected_outcome="loaded_with_warning",
        description=description,
        item_code=stock,
    )
    return [ReturnFile(path, rows)], [record]


def plant_resubmission(placement: Placement, rows: list[Row], rules: RuleBook) -> Planted:
    """Version 1 broken (an L rule, or a transposed-digit typo), version 2 the good rows."""
    spec, la = placement.spec, placement.la
    path_v1, path_v2 = relative_path(la.la_code, placement.period), relative_path(la.la_code, placement.period, 2)
    broken = copy_rows(rows)
    if spec.kind == "typo":
        item_code = spec.item_code or ""
        row = find_row(broken, item_code)
        row.value = transpose_digits(row.value)
        description = (
            f"{item_code} typed as {row.value} instead of {find_row(rows, item_code).value} "
            f"(digits transposed); not an error, corrected by the resubmission"
        )
        rule_id, severity = "S01", "behaviour"
    else:
        item_code, description = break_rule(spec.rule_id, broken, la, placement.period, rules, spec.item_code)
        rule_id, severity = spec.rule_id, "error"
    fix = "corrects " + item_code + (f" ({spec.rule_id} now passes)" if spec.rule_id != "S01" else "")
    records = [
        _record(
            placement,
            path_v1,
            1,
            rule_id=rule_id,
            severity=severity,
            expected_outcome="superseded",
            description=description,
            item_code=item_code,
            fixed_by=path_v2,
        ),
        _record(
            placement,
            path_v2,
            2,
            rule_id="S01",
            severity="behaviour",
            expected_outcome="loaded",
            description=f"Resubmission that supersedes version 1; {fix}",
            item_code=item_code,
            supersedes=path_v1,
        ),
    ]
    return [ReturnFile(path_v1, broken), ReturnFile(path_v2, rows)], records


def plant_broken(placement: Placement, rows: list[Row], rules: RuleBook) -> Planted:
    """One file breaking one T or L rule."""
    spec, la = placement.spec, placement.la
    path = relative_path(la.la_code, placement.period)
    item_code, description = break_rule(spec.rule_id, rows, la, placement.period, rules, spec.item_code)
    outcome = "quarantined" if spec.severity == "error" else "loaded_with_warning"
    record = _record(
        placement,
        path,
        1,
        rule_id=spec.rule_id,
        severity=spec.severity,
        expected_outcome=outcome,
        description=description,
        item_code=item_code or None,
    )
    return [ReturnFile(path, rows)], [record]


def plant(placement: Placement, rows: list[Row], rules: RuleBook, jumps: dict[str, int]) -> Planted:
    """The file(s) and record(s) of a placed defect; ``jumps`` = stock -> jump planted."""
    kind = placement.spec.kind
    if kind == "unreadable":
        return plant_unreadable(placement)
    if kind == "stock_jump":
        ((stock, jump),) = jumps.items()
        return plant_stock_jump(placement, rows, stock, jump)
    if kind in ("resubmission", "typo"):
        return plant_resubmission(placement, rows, rules)
    return plant_broken(placement, rows, rules)
