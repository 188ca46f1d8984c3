"""The command line: `python -m riia.reference [--reference-dir DIR] [--out-dir DIR] [--fixtures-dir DIR]`."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from riia.reference.derive import build
from riia.reference.facts import DEFAULT_FIXTURES_DIR, DEFAULT_OUT_DIR, DEFAULT_REFERENCE_DIR
from riia.reference.records import ReferenceDataError

DESCRIPTION = "Derive the reference seeds (seeds/reference/*.csv) from the public reference files."


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m riia.reference", description=DESCRIPTION)
    parser.add_argument(
        "--reference-dir",
        type=Path,
        default=DEFAULT_REFERENCE_DIR,
        help=f"folder holding the public reference files (default {DEFAULT_REFERENCE_DIR})",
    )
    parser.add_argument(
        "--out-dir",
        type=Path,
        default=DEFAULT_OUT_DIR,
        help=f"folder the seed CSVs are written to (default {DEFAULT_OUT_DIR})",
    )
    parser.add_argument(
        "--fixtures-dir",
        type=Path,
        default=DEFAULT_FIXTURES_DIR,
        help=f"folder the test fixtures copied from the reference files go to (default {DEFAULT_FIXTURES_DIR})",
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    try:
        written = build(args.reference_dir, args.out_dir, args.fixtures_dir)
    except ReferenceDataError as error:
        print(f"riia.reference: {error}", file=sys.stderr)
        return 1
    for path, count in written.items():
        print(f"{path.stem}: {count} rows -> {path}")
    return 0
