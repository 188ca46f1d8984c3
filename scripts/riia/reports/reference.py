"""Public reference facts a recipient's file does not carry, read from the project's seeds.

Two facts the reports need are not (yet) in a recipient's DuckDB file, and neither is a
figure about an LA: when an LA was formed by a reorganisation (`ref_local_authorities`:
`first_period`, `reorganisation_note`), and which indicators an item set names
(`sharing_item_sets`: the SE's Annex A preset of the tartan rug). They are read from the
same seed files dbt loads, never from the hub warehouse, and are part of each report's
content hash. When the recipients' outputs carry them (an `la_first_period` and
`la_reorganisation_note` on `indicators`, an `item_sets` column on `indicator_catalogue`),
this module is the one place to switch over.
"""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache

from riia.paths import SEEDS_DIR


@dataclass(frozen=True)
class Reorganisation:
    la_code: str
    first_period: str
    note: str  # "Formed in April 2023 from Cumbria (909)."


@dataclass(frozen=True)
class Preset:
    """A named subset of a rug's columns: the indicators of an item set an agreement names."""

    item_set: str
    label: str
    indicator_codes: frozenset[str]

    @property
    def slug(self) -> str:
        return self.item_set.replace("_", "-")


def _read(relative: str) -> list[dict[str, str]]:
    path = SEEDS_DIR / relative
    if not path.is_file():
        return []
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@cache
def reorganisations() -> dict[str, Reorganisation]:
    """LAs formed by a reorganisation, by LA code."""
    return {
        row["la_code"]: Reorganisation(row["la_code"], row["first_period"], row["reorganisation_note"])
        for row in _read("reference/ref_local_authorities.csv")
        if row.get("predecessor_la_codes") and row.get("reorganisation_note")
    }


@cache
def abolished() -> dict[str, str]:
    """LAs replaced by a reorganisation: LA code -> the last quarter it existed."""
    return {
        row["la_code"]: row["last_period"]
        for row in _read("reference/ref_local_authorities.csv")
        if row.get("last_period") and row.get("successor_la_codes")
    }


def preset_label(item_set: str) -> str:
    """`se_annex_a` -> `SE Annex A`."""
    return " ".join(word.upper() if len(word) <= 2 else word.capitalize() for word in item_set.split("_"))


@cache
def presets(region_code: str) -> tuple[Preset, ...]:
    """The item sets the region's own agreements name besides the national core and its `all`
    set: for the South East, `se_annex_a` (SE MoU Annex A, named by its DfE agreement)."""
    named = {
        row["item_set"]
        for row in _read("sharing/sharing_agreements.csv")
        if row["region_code"] == region_code
        and row["item_set"]
        and row["item_set"] != "riia_core"
        and not row["item_set"].startswith("all")
    }
    members: dict[str, set[str]] = {}
    for row in _read("sharing/sharing_item_sets.csv"):
        if row["item_set"] in named:
            members.setdefault(row["item_set"], set()).add(row["item_code"])
    return tuple(
        Preset(item_set, preset_label(item_set), frozenset(codes)) for item_set, codes in sorted(members.items())
    )
