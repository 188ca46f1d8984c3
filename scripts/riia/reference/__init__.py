"""Derive the reference seeds (`seeds/reference/*.csv`) from the public reference files.

The project never reads the reference folder at run time: this package copies what the
project needs into seeds, so the derivation can be rerun and reviewed. Output is
deterministic (sorted rows, `\\n` line endings, UTF-8 without BOM), and
`tests/python/test_reference_seeds.py` proves that a rerun reproduces the committed seeds
byte for byte.

Inputs (all Open Government Licence v3.0, see the reference folder's README.md):
* ons_mid-year_population_estimates_2012_to_2024.csv - ONS mid-year estimates, 0-17, as
  published in DfE's children's social care dashboard (revised mid-2022 and mid-2023).
* ons_mye2_mid2023_age_bands.csv - ONS MYE2 mid-2023 (original vintage), 5-16 and 0-25.
* sn_model_2025_wide.csv - DfE statistical neighbours, 2025 model (current LAs).
* New_Statistical_Neighbour_Groupings_April_2021.csv - the April 2021 model and its
  "Old SNs" section (the neighbours of LAs that are no longer current).
* dfe_published_la_extract.csv - DfE's published LA figures, copied unchanged into the
  fixtures folder for tests.

Outputs: ref_regions, ref_local_authorities (with each code's first and last quarter,
predecessors, successors and a reorganisation note), ref_la_ons_codes, ref_population,
ref_statistical_neighbours, and tests/fixtures/dfe_published_la_extract.csv. Every check
that fails raises ReferenceDataError with a message saying what was expected, and then
nothing is written.

Modules, one job each: `facts` (what the script knows from outside the data), `records`
(the rows it works with), `reading` (the files), `local_authorities`, `populations`,
`neighbours`, `checks`, `writing`, `derive` (the order of the steps) and `cli`.

Usage:
    python -m riia.reference [--reference-dir DIR] [--out-dir DIR] [--fixtures-dir DIR]
"""

from riia.reference.cli import main
from riia.reference.derive import build
from riia.reference.records import ReferenceDataError

__all__ = ["ReferenceDataError", "build", "main"]
