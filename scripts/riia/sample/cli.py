"""``riia sample``: the command line of the sample generator."""

from __future__ import annotations

import argparse
import math
import sys
from collections.abc import Sequence
from pathlib import Path

from riia.paths import PROJECT_ROOT, returns_dir
from riia.sample.assemble import DEFAULT_SEED, Sample, build_sample
from riia.sample.output import existing_csvs, write_sample
from riia.sample.reference import Reference, load_reference
from riia.sample.rules import RuleBook, load_rules
from riia.sample.seeds import (
    DEFINITION_FILES,
    ITEMS_CSV,
    LOGICAL_SUITE_JSON,
    RULE_PARAMETERS_CSV,
    wait_for_files,
)
from riia.sample.window import DEFAULT_FIRST_PERIOD, DEFAULT_QUARTERS, Window

PROGRAM = "riia sample"
POLL_SECONDS = 30


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Parse the command line."""
    parser = argparse.ArgumentParser(
        prog=PROGRAM, description="Write a deterministic sample of RIIA quarterly returns."
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="returns folder (default: $RIIA_RETURNS_DIR or data/returns under the project root)",
    )
    parser.add_argument(
        "--only-if-empty",
        action="store_true",
        help="do nothing if the folder already holds any *.csv (at any depth)",
    )
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED, help=f"random seed (default {DEFAULT_SEED})")
    parser.add_argument(
        "--first-period",
        default=DEFAULT_FIRST_PERIOD.label,
        help=f"the first quarter written, YYYY-YY Qn (default {DEFAULT_FIRST_PERIOD.label})",
    )
    parser.add_argument(
        "--quarters",
        type=int,
        default=DEFAULT_QUARTERS,
        help=f"how many consecutive quarters to write (default {DEFAULT_QUARTERS})",
    )
    parser.add_argument("--repo-root", type=Path, default=PROJECT_ROOT, help="project root holding seeds/ and gx/")
    parser.add_argument(
        "--wait-for-seeds",
        type=int,
        default=0,
        metavar="SECONDS",
        help="poll this long for the seed files to appear (default: fail at once)",
    )
    return parser.parse_args(argv)


def load_definitions(repo_root: Path, wait_seconds: int = 0) -> tuple[Reference, RuleBook]:
    """The reference data and the rule book, waiting up to ``wait_seconds`` for the files."""
    attempts = max(1, math.ceil(wait_seconds / POLL_SECONDS) + 1)
    wait_for_files([repo_root / path for path in DEFINITION_FILES], attempts, POLL_SECONDS)
    rules = load_rules(repo_root / ITEMS_CSV, repo_root / RULE_PARAMETERS_CSV, repo_root / LOGICAL_SUITE_JSON)
    return load_reference(repo_root), rules


def summary(sample: Sample, count: int, out_dir: Path) -> str:
    window = sample.window
    return (
        f"{PROGRAM}: wrote {count} return files for {window.first} .. {window.last} ({window.count} quarters) "
        f"to {out_dir} (seed {sample.seed}, {len(sample.defects)} defect records)"
    )


def main(argv: Sequence[str] | None = None) -> int:
    """Write the sample (or explain why not). Returns the exit code."""
    args = parse_args(argv)
    try:
        window = Window.parse(args.first_period, args.quarters)
    except ValueError as exc:
        print(f"{PROGRAM}: {exc}", file=sys.stderr)
        return 2
    out_dir: Path = args.out if args.out is not None else returns_dir()

    present = existing_csvs(out_dir)
    if args.only_if_empty and present:
        print(
            f"{PROGRAM}: {out_dir} already holds {len(present)} CSV file(s) "
            f"(e.g. {present[0].relative_to(out_dir)}); not writing the sample."
        )
        return 0
    try:
        reference, rules = load_definitions(args.repo_root.resolve(), args.wait_for_seeds)
        sample = build_sample(reference, rules, window, args.seed)
    except (FileNotFoundError, KeyError, ValueError, RuntimeError) as exc:
        # a seed, suite or rule that the sample cannot be built from: one sentence, no traceback
        print(f"{PROGRAM}: {exc.args[0] if isinstance(exc, KeyError) else exc}", file=sys.stderr)
        return 1
    count = write_sample(sample, out_dir)
    print(summary(sample, count, out_dir))
    ours = {out_dir / f.relative_path for f in sample.files}
    stray = [p for p in present if p not in ours]
    if stray:
        print(
            f"{PROGRAM}: note: {len(stray)} CSV file(s) already in {out_dir} were left "
            f"in place and will be loaded with the sample (e.g. {stray[0].relative_to(out_dir)})",
            file=sys.stderr,
        )
    return 0
