"""Reading the project's definition files: the seeds and the Great Expectations suite.

The sample is built only from the project's own files (never ``../shared``): the item
register and rule parameters (``seeds/register/``), the LAs and their populations
(``seeds/reference/``) and the logical-consistency suite (``gx/expectations/``).
"""

from __future__ import annotations

import csv
import sys
import time
from collections.abc import Sequence
from pathlib import Path

ITEMS_CSV = Path("seeds/register/ref_items.csv")
RULE_PARAMETERS_CSV = Path("seeds/register/ref_rule_parameters.csv")
LOCAL_AUTHORITIES_CSV = Path("seeds/reference/ref_local_authorities.csv")
POPULATION_CSV = Path("seeds/reference/ref_population.csv")
LOGICAL_SUITE_JSON = Path("gx/expectations/riia_logical_consistency.json")

DEFINITION_FILES: tuple[Path, ...] = (
    ITEMS_CSV,
    RULE_PARAMETERS_CSV,
    LOCAL_AUTHORITIES_CSV,
    POPULATION_CSV,
    LOGICAL_SUITE_JSON,
)
"""Every file the generator reads, relative to the project root."""


def read_csv(path: Path) -> list[dict[str, str]]:
    """A CSV (UTF-8, optional BOM) as dicts keyed by lower-case column names, values stripped."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        return [
            {key.strip().lower(): (value or "").strip() for key, value in row.items() if key}
            for row in csv.DictReader(handle)
        ]


def missing_files(paths: Sequence[Path]) -> list[Path]:
    """The paths that do not exist or are empty."""
    return [p for p in paths if not p.is_file() or p.stat().st_size == 0]


def wait_for_files(paths: Sequence[Path], attempts: int, seconds: float) -> None:
    """Poll until every path exists and is non-empty (another process may be writing them).

    Raises FileNotFoundError naming the missing files when ``attempts`` run out.
    """
    for attempt in range(max(1, attempts)):
        missing = missing_files(paths)
        if not missing:
            return
        if attempt == attempts - 1:
            break
        names = ", ".join(str(p) for p in missing)
        print(f"waiting {seconds:.0f}s for seeds: {names}", file=sys.stderr)
        time.sleep(seconds)
    raise FileNotFoundError("seed files not found: " + ", ".join(str(p) for p in missing_files(paths)))
