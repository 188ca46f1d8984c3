"""The order of the steps: read every file, derive and check every seed, then write."""

from __future__ import annotations

import sys
from pathlib import Path

from riia.reference import checks
from riia.reference.facts import DFE_EXTRACT_FILE, MYE2_FILE, ONS_0_17_FILE, SN_2021_FILE, SN_FILE
from riia.reference.local_authorities import (
    build_la_ons_codes,
    build_local_authorities,
    build_regions,
    with_reorganisations,
)
from riia.reference.neighbours import build_neighbours_2021, build_neighbours_2025, sorted_neighbours
from riia.reference.populations import (
    build_population_0_17,
    build_population_mye2,
    build_population_predecessors,
    sort_population,
)
from riia.reference.reading import read_dfe_extract, read_mye2, read_ons_0_17, read_sn_2021, read_sn_2025
from riia.reference.writing import copy_fixture, write_seeds


def build(reference_dir: Path, out_dir: Path, fixtures_dir: Path) -> dict[Path, int]:
    """Derive every seed from `reference_dir` into `out_dir` and copy the test fixtures
    into `fixtures_dir`; return rows written per file. Nothing is written unless every
    check passes."""
    ons = read_ons_0_17(reference_dir / ONS_0_17_FILE)
    checks.check_ons_0_17(ons, ONS_0_17_FILE)

    las = build_local_authorities(ons.la_rows, ons.region_names)
    checks.check_current_las(las)
    checks.check_successors(las)
    las = with_reorganisations(las)
    checks.check_reorganisation_notes(las)

    ons_codes = build_la_ons_codes(ons.la_rows)
    checks.check_la_ons_codes(ons_codes)

    mye2 = read_mye2(reference_dir / MYE2_FILE)
    population = build_population_0_17(ons, las)
    population += build_population_mye2(mye2, las, ons.region_names, MYE2_FILE)
    population += build_population_predecessors(mye2, las)
    checks.check_population(population, las)

    neighbours, notes = build_neighbours_2025(read_sn_2025(reference_dir / SN_FILE), las, SN_FILE)
    older, older_notes = build_neighbours_2021(read_sn_2021(reference_dir / SN_2021_FILE), las, SN_2021_FILE)

    dfe_extract = read_dfe_extract(reference_dir / DFE_EXTRACT_FILE)
    checks.check_dfe_extract(dfe_extract, las, population)

    written = write_seeds(
        out_dir,
        regions=build_regions(ons.region_names),
        las=las,
        ons_codes=ons_codes,
        population=sort_population(population),
        neighbours=sorted_neighbours(neighbours + older),
    )
    written |= copy_fixture(reference_dir / DFE_EXTRACT_FILE, fixtures_dir, len(dfe_extract))
    for note in notes + older_notes:
        print(f"note: {note}", file=sys.stderr)
    return written
