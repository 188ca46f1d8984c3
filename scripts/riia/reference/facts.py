"""What the derivation knows from outside the data: file names, the years covered, the
regions, the published counts it pins, and the reorganisations (reference README)."""

from __future__ import annotations

import re

from riia.paths import PROJECT_ROOT as REPO_ROOT

DEFAULT_REFERENCE_DIR = REPO_ROOT.parent / "shared" / "reference"
DEFAULT_OUT_DIR = REPO_ROOT / "seeds" / "reference"
DEFAULT_FIXTURES_DIR = REPO_ROOT / "tests" / "fixtures"

ONS_0_17_FILE = "ons_mid-year_population_estimates_2012_to_2024.csv"
MYE2_FILE = "ons_mye2_mid2023_age_bands.csv"
SN_FILE = "sn_model_2025_wide.csv"
SN_2021_FILE = "New_Statistical_Neighbour_Groupings_April_2021.csv"
# Copied byte for byte into the fixtures folder for tests that compare with DfE's figures.
DFE_EXTRACT_FILE = "dfe_published_la_extract.csv"

FIRST_YEAR = 2012
LATEST_YEAR = 2024
MYE2_YEAR = 2023
SN_MODEL = "2025"
SN_NEIGHBOURS = 10
# The April 2021 model: its main section holds the LAs of mid-2021; after a row "Old SNs:"
# it carries the groupings of the LAs abolished before it (835, 836, 837 in 2019, 928 in
# April 2021), whose neighbours are LAs of their own last year. Only LAs that are not
# current are taken from it, as model "2021".
SN_2021_MODEL = "2021"
SN_2021_MID_YEAR = 2021
SN_2021_OLD_SECTION = "Old SNs:"
# DfE's closeness labels, as the 2025 model writes them; the 2021 file capitalises some
# differently ("Very Close"), which is the same label.
CLOSENESS_LABELS = ("Extremely close", "Very close", "Close", "Somewhat close", "Not close")

ENGLAND_CODE = "E92000001"
ENGLAND_NAME = "England"
LONDON_CODE = "E12000007"
LONDON_SUBREGIONS = {"E13000001": "Inner London", "E13000002": "Outer London"}

SOURCE_0_17 = "ONS MYE via DfE CSC dashboard (revised)"
SOURCE_MYE2 = "ONS MYE2 mid-2023"
SUPPRESSED = "x"  # the DfE file's marker for a figure it does not publish

# Region code -> (short name, `region_ind` of the statistical neighbour file). The short
# names are the project's own; `region_ind` is as documented with the SN 2025 model
# (1 EM, 2 East, 3 London, 4 NE, 5 NW, 6 SE, 7 SW, 8 WM, 9 Y&H) and is cross-checked
# against the SN file's own region names.
REGION_META: dict[str, tuple[str, int]] = {
    "E12000001": ("NE", 4),
    "E12000002": ("NW", 5),
    "E12000003": ("YH", 9),
    "E12000004": ("EM", 1),
    "E12000005": ("WM", 8),
    "E12000006": ("EE", 2),
    "E12000007": ("LDN", 3),
    "E12000008": ("SE", 6),
    "E12000009": ("SW", 7),
}

# Current (mid-2024) LAs per region, from the reference README.
EXPECTED_CURRENT_LAS: dict[str, int] = {
    "E12000007": 33,  # London
    "E12000002": 24,  # North West
    "E12000008": 19,  # South East
    "E12000003": 15,  # Yorkshire and The Humber
    "E12000009": 15,  # South West
    "E12000005": 14,  # West Midlands
    "E12000001": 12,  # North East
    "E12000006": 11,  # East of England
    "E12000004": 10,  # East Midlands
}
EXPECTED_CURRENT_TOTAL = 153

# Reorganisations, from the reference README (the data shows only that codes stop and
# start; which new LA took over which old area is a fact from outside the data):
# * 2019: Bournemouth (837) and Poole (836) became Bournemouth, Christchurch and Poole
#   (839); Dorset county (835) became Dorset (838), except Christchurch, which went to
#   BCP (839) - hence both codes.
# * 2021: Northamptonshire (928) became North (940) and West (941) Northamptonshire.
# * 2023: Cumbria (909) became Cumberland (942) and Westmorland and Furness (943).
# The checks hold these against the data: every LA that stops before mid-2024 must be
# listed here, and each successor must first appear the mid-year after its predecessor
# last appears, in the same region.
SUCCESSORS: dict[str, tuple[str, ...]] = {
    "835": ("838", "839"),
    "836": ("839",),
    "837": ("839",),
    "909": ("942", "943"),
    "928": ("940", "941"),
}
# LAs that kept their 3-digit code but got a new ONS code (reference README).
EXPECTED_ONS_CODE_CHANGES = frozenset({"815", "825", "933"})

# Pinned published figure: Hartlepool (805), 0-17, mid-2024.
PINNED_LA, PINNED_YEAR, PINNED_POPULATION = "805", 2024, 21090

LA_CODE_RE = re.compile(r"[0-9]{3}")
ONS_CODE_RE = re.compile(r"E[0-9]{8}")
INTEGER_RE = re.compile(r"[0-9]+")
