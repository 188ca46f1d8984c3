"""What the guidance rules compare, read from where the rules are defined.

The planted L and P defects break a rule by reading it here, never from item pairs or
thresholds written again in the generator (ARCHITECTURE.md, "guidance rules"):

* L01, L03-L08: the Great Expectations suite ``riia_logical_consistency``. Every
  ``expect_column_pair_values_a_to_be_greater_than_b`` expectation holds when
  ``column_A >= column_B`` (``>`` without ``or_equal``); ``meta.rule_id`` names the rule.
* L02: the register's ``sums_to_item`` (the parts that add up to a whole item).
* P01: the register's ``roll_forward_start_item`` / ``roll_forward_ceased_item`` on the
  stock items, with the tolerance from ``ref_rule_parameters``; the P02 and P03 limits
  come from the same seed.
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from riia.sample.seeds import read_csv

PAIR_EXPECTATION = "expect_column_pair_values_a_to_be_greater_than_b"
SUM_RULE_ID = "L02"
"""The rule the register's ``sums_to_item`` column defines (RETURN_TEMPLATE.md section 4)."""
ROLL_FORWARD_RULE_ID = "P01"

Figures = Mapping[str, float | int | None]


@dataclass(frozen=True)
class PairRule:
    """One pair expectation: ``larger`` (column_A) must be at least ``smaller`` (column_B)."""

    rule_id: str
    larger: str
    smaller: str
    or_equal: bool = True

    @property
    def items(self) -> tuple[str, str]:
        return (self.larger, self.smaller)

    def broken_by(self, figures: Figures) -> bool:
        """True when both figures are numbers and the smaller one is too big."""
        a, b = figures.get(self.larger), figures.get(self.smaller)
        if a is None or b is None:
            return False
        return a < b if self.or_equal else a <= b


@dataclass(frozen=True)
class SumRule:
    """The ``parts`` add up to ``whole`` (checked when all of them are numbers)."""

    rule_id: str
    whole: str
    parts: tuple[str, ...]

    @property
    def items(self) -> tuple[str, ...]:
        return (self.whole, *self.parts)

    def broken_by(self, figures: Figures) -> bool:
        values = [figures.get(code) for code in self.items]
        if any(v is None for v in values):
            return False
        return sum(v for v in values[1:] if v is not None) != values[0]


@dataclass(frozen=True)
class RollForward:
    """A stock that moves by its start and ceased flows from one quarter to the next."""

    stock: str
    start: str
    ceased: str

    @property
    def items(self) -> tuple[str, str, str]:
        return (self.stock, self.start, self.ceased)


@dataclass(frozen=True)
class Limits:
    """The plausibility thresholds of ``ref_rule_parameters``."""

    p01_tolerance_percent: float
    p01_tolerance_minimum: float
    p02_max_change_percent: float
    p03_max_iqr_distance: float

    def p01_tolerance(self, opening: float) -> float:
        """How far a stock may move beyond starts minus ceased without a P01 warning."""
        return max(self.p01_tolerance_minimum, self.p01_tolerance_percent / 100 * opening)

    def p02_allows(self, before: float, after: float) -> bool:
        """True when ``after`` is within P02's change of ``before`` (a rate, or a count over the same population)."""
        return before > 0 and abs(after - before) <= self.p02_max_change_percent / 100 * before

    def p03_allows(self, value: float, england: Sequence[float]) -> bool:
        """True when ``value`` lies within P03's distance of England's interquartile range."""
        low, _, high = statistics.quantiles(england, n=4, method="inclusive")
        spread = self.p03_max_iqr_distance * (high - low)
        return low - spread <= value <= high + spread


@dataclass(frozen=True)
class RuleBook:
    """Everything the generator knows about the L and P rules, read from their definitions."""

    pairs: tuple[PairRule, ...]
    sums: tuple[SumRule, ...]
    roll_forwards: tuple[RollForward, ...]
    limits: Limits

    def pair_for(self, rule_id: str) -> PairRule:
        """The rule's first pair expectation in the suite (the one a planted defect breaks)."""
        for pair in self.pairs:
            if pair.rule_id == rule_id:
                return pair
        raise KeyError(f"no pair expectation for {rule_id} in the logical-consistency suite")

    def sum_for(self, rule_id: str) -> SumRule:
        for rule in self.sums:
            if rule.rule_id == rule_id:
                return rule
        raise KeyError(f"no sums_to_item rule {rule_id} in the item register")

    def roll_forward(self, stock: str) -> RollForward:
        for rule in self.roll_forwards:
            if rule.stock == stock:
                return rule
        raise KeyError(f"{stock} has no roll_forward_start_item / roll_forward_ceased_item in the register")

    @property
    def jump_stock(self) -> RollForward:
        """The stock a planted P01 defect jumps: the register's last rolled-forward stock."""
        return self.roll_forwards[-1]

    def items_of(self, rule_id: str) -> tuple[str, ...]:
        """The items a planted defect of ``rule_id`` needs in the return."""
        if rule_id == ROLL_FORWARD_RULE_ID:
            return self.jump_stock.items
        if any(rule.rule_id == rule_id for rule in self.sums):
            return self.sum_for(rule_id).items
        if any(pair.rule_id == rule_id for pair in self.pairs):
            return self.pair_for(rule_id).items
        return ()

    def compared_items(self) -> set[str]:
        """Every item some L rule compares."""
        return {code for rule in (*self.pairs, *self.sums) for code in rule.items}

    def broken(self, figures: Figures) -> set[str]:
        """The L rules ``figures`` break."""
        return {rule.rule_id for rule in (*self.pairs, *self.sums) if rule.broken_by(figures)}


def read_pair_rules(suite_path: Path, item_codes: set[str]) -> tuple[PairRule, ...]:
    """The suite's greater-than pair expectations, in suite order."""
    suite = json.loads(suite_path.read_text(encoding="utf-8"))
    pairs: list[PairRule] = []
    for expectation in suite.get("expectations", []):
        kwargs, meta = expectation.get("kwargs", {}), expectation.get("meta", {})
        # the item pairs of one return's figures; other assets (L09's magnitudes) compare no two items
        if expectation.get("type") != PAIR_EXPECTATION or meta.get("data_asset") != "return_figures":
            continue
        pair = PairRule(meta["rule_id"], kwargs["column_A"], kwargs["column_B"], bool(kwargs.get("or_equal", False)))
        unknown = [code for code in pair.items if code not in item_codes]
        if unknown:
            raise ValueError(f"{suite_path}: {pair.rule_id} compares {', '.join(unknown)}, not in the item register")
        pairs.append(pair)
    return tuple(pairs)


def read_sum_rules(item_rows: Sequence[Mapping[str, str]]) -> tuple[SumRule, ...]:
    """One rule per whole item named in ``sums_to_item``; parts in register order."""
    parts: dict[str, list[str]] = {}
    for row in item_rows:
        if row.get("sums_to_item"):
            parts.setdefault(row["sums_to_item"], []).append(row["item_code"])
    return tuple(SumRule(SUM_RULE_ID, whole, tuple(codes)) for whole, codes in parts.items())


def read_roll_forwards(item_rows: Sequence[Mapping[str, str]]) -> tuple[RollForward, ...]:
    """The stocks with a start and a ceased item, in register order."""
    return tuple(
        RollForward(row["item_code"], row["roll_forward_start_item"], row["roll_forward_ceased_item"])
        for row in item_rows
        if row.get("roll_forward_start_item") and row.get("roll_forward_ceased_item")
    )


def read_limits(parameter_rows: Sequence[Mapping[str, str]]) -> Limits:
    """The P01-P03 thresholds (raises KeyError naming a missing parameter)."""
    values = {(row["rule_id"], row["parameter"]): float(row["value"]) for row in parameter_rows}

    def value(rule_id: str, parameter: str) -> float:
        if (rule_id, parameter) not in values:
            raise KeyError(f"ref_rule_parameters has no {rule_id} {parameter}")
        return values[(rule_id, parameter)]

    return Limits(
        p01_tolerance_percent=value("P01", "tolerance_percent"),
        p01_tolerance_minimum=value("P01", "tolerance_minimum"),
        p02_max_change_percent=value("P02", "max_change_percent"),
        p03_max_iqr_distance=value("P03", "max_iqr_distance"),
    )


def load_rules(items_path: Path, parameters_path: Path, suite_path: Path) -> RuleBook:
    """Read the rule book from the register, the rule parameters and the suite."""
    item_rows = read_csv(items_path)
    roll_forwards = read_roll_forwards(item_rows)
    if not roll_forwards:
        raise ValueError(f"{items_path}: no stock item has roll_forward_start_item / roll_forward_ceased_item")
    return RuleBook(
        pairs=read_pair_rules(suite_path, {row["item_code"] for row in item_rows}),
        sums=read_sum_rules(item_rows),
        roll_forwards=roll_forwards,
        limits=read_limits(read_csv(parameters_path)),
    )
