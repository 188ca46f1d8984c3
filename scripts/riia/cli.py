"""`riia`: the one command line of the RIIA quarterly pipeline.

    riia build [--as-of DATE]         the quarterly build (what `make build` runs)
    riia check FILE...                an LA officer's pre-submission check of return files
    riia status [--period] [--region] the returns tracker and chase list, from the published build
    riia sample [--out DIR]           write the sample returns (--first-period, --quarters: history)
    riia docs                         the dbt docs site as one file
    riia bench [--sizes 12,24,48]     timings and peak memory against the targets (`make bench`)

Each command says what it did in a sentence or two and exits 0 on success; a problem the
user can fix ends with one sentence saying what happened and what to do, never a traceback.
"""

from __future__ import annotations

import sys
from datetime import date
from enum import StrEnum
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    name="riia",
    help="The RIIA quarterly returns pipeline: build, check, release, status, explain.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    # a docstring's single line breaks are the source's, not the sentence's: in `riia --help`
    # (Typer's "rich" mode kept them, and a summary broke mid-sentence); `code` is shown as such
    rich_markup_mode="markdown",
)


def _fail(message: str, code: int = 2) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(code)


def _date(text: str | None, option: str) -> str | None:
    if text is None:
        return None
    try:
        return date.fromisoformat(text).isoformat()
    except ValueError:
        _fail(f"{option} {text!r} is not a date: write it YYYY-MM-DD, for example 2025-03-31.")
    return None


@app.command()
def build(
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="judge sharing agreements, exceptions and releases on this day (YYYY-MM-DD)"),
    ] = None,
    wait: Annotated[float, typer.Option(help="if another build is running, wait up to this many seconds for it")] = 0.0,
    full_refresh: Annotated[
        bool, typer.Option("--full-refresh", help="rebuild every quarter from scratch (the snapshot's history is kept)")
    ] = False,
) -> None:
    """The quarterly build: load the returns, dbt, exports and reports, published together."""
    from riia import build as build_module

    raise typer.Exit(
        build_module.main({"as_of_date": _date(as_of, "--as-of")}, wait_seconds=wait, full_refresh=full_refresh)
    )


@app.command()
def load(
    db: Annotated[Path, typer.Option(help="the DuckDB file to load the returns folder into")],
    returns: Annotated[
        Path | None, typer.Option(help="the returns folder (default: $RIIA_RETURNS_DIR or data/returns)")
    ] = None,
) -> None:
    """Load the returns folder into a warehouse's landing table (what `riia build` does first),
    for running dbt yourself."""
    import duckdb

    from riia import config, intake, paths

    # a path given on the command line is the shell's, as --db's and `riia sample --out`'s are
    folder = returns if returns else paths.returns_dir()
    try:
        rules = intake.FolderRules.from_settings(config.settings())
        db.parent.mkdir(parents=True, exist_ok=True)
        with duckdb.connect(str(db)) as con:
            counts = intake.load(con, folder, rules)
    except intake.ReturnsFolderError as error:
        _fail(f"{error}: check RIIA_RETURNS_DIR or --returns.")
    except duckdb.Error as error:
        _fail(
            f"The database {db} cannot be written ({str(error).splitlines()[0]}): close the program holding it open, or choose another --db."
        )
    except OSError as error:
        _fail(f"The database {db} cannot be written ({error.strerror}): choose a --db in a folder you can write to.")
    typer.echo(f"Loaded {folder} into {db}: {intake.counts_text(counts, rules)}")


class OutputFormat(StrEnum):
    text = "text"
    csv = "csv"
    json = "json"


@app.command()
def check(
    files: Annotated[list[Path], typer.Argument(help="the return file(s) to check")],
    warehouse: Annotated[
        Path | None,
        typer.Option(help="a built warehouse to compare with (P01-P03); default: the published build, if any"),
    ] = None,
    no_warehouse: Annotated[bool, typer.Option("--no-warehouse", help="check T and L rules only")] = False,
    output: Annotated[OutputFormat, typer.Option("--format", help="text (default), csv or json")] = OutputFormat.text,
) -> None:
    """Check return files before sending them: the build's own rules and messages, in seconds.

    Exit status 1 when any error is found (the return would be quarantined), 0 otherwise.
    Nothing is written beside the files.
    """
    from riia import check as check_module
    from riia.paths import warehouse_path

    if no_warehouse:
        warehouse = None
    elif warehouse is None:
        published = warehouse_path()
        warehouse = published if published.is_file() else None
    elif not warehouse.is_file():
        _fail(f"No warehouse at {warehouse}: give the path of a built riia.duckdb, or leave --warehouse out.")
    try:
        result = check_module.check(list(files), warehouse)
    except check_module.CheckError as error:
        _fail(str(error))
    render = {"text": check_module.render_text, "csv": check_module.render_csv, "json": check_module.render_json}
    typer.echo(render[output.value](result), nl=False)
    raise typer.Exit(1 if result.errors else 0)


@app.command()
def release(
    region: Annotated[str, typer.Argument(help="the region: its code (E12000008), short name (SE) or name")],
    period: Annotated[str, typer.Argument(help="the quarter, YYYY-YY Qn (e.g. 2024-25 Q4)")],
    checked_by: Annotated[
        str, typer.Option("--checked-by", help="who checked the quarter (a person or the region's data group)")
    ],
    on: Annotated[str | None, typer.Option(help="the day of the release (YYYY-MM-DD; default today)")] = None,
    warehouse: Annotated[
        Path | None, typer.Option(help="the built warehouse to release from (default: the published build)")
    ] = None,
) -> None:
    """Record that a region has checked a quarter and releases it (SHARING.md rule 4).

    Outside audiences receive exactly the returns released (file and SHA-256) from the next
    build, whatever is resubmitted later, until the quarter is released again.
    """
    from riia import release as release_module
    from riia.build.lock import BuildLocked
    from riia.paths import build_dir, warehouse_path

    released_on = date.fromisoformat(_date(on, "--on")) if on else date.today()
    try:
        done = release_module.release(
            warehouse or warehouse_path(), region, period, checked_by, released_on, build_dir()
        )
    except (release_module.ReleaseError, BuildLocked) as error:
        _fail(str(error))
    typer.echo(release_module.describe(done))


class Comparator(StrEnum):
    region = "region"
    neighbours = "neighbours"
    england = "england"


@app.command()
def explain(
    la_code: Annotated[str, typer.Argument(help="the LA's 3-digit code, e.g. 805")],
    period: Annotated[str, typer.Argument(help="the quarter, YYYY-YY Qn")],
    indicator: Annotated[str, typer.Argument(help="the indicator code, e.g. CLA_END")],
    measure: Annotated[str | None, typer.Option(help="the measure (default: the indicator's headline measure)")] = None,
    comparator: Annotated[
        Comparator | None, typer.Option(help="explain the LA's region, neighbours or England comparator")
    ] = None,
    warehouse: Annotated[Path | None, typer.Option(help="the warehouse (default: the published build)")] = None,
) -> None:
    """Where a figure came from: its value, numerator and denominator or population, each
    item's file and line, the rules it passed or warned on, the LA's comment - or, for a
    comparator, every LA it pooled."""
    from riia import explain as explain_module
    from riia.paths import warehouse_path

    try:
        text = explain_module.explain(
            warehouse or warehouse_path(), la_code, period, indicator, measure, comparator.value if comparator else None
        )
    except explain_module.ExplainError as error:
        _fail(str(error))
    typer.echo(text, nl=False)


@app.command()
def status(
    period: Annotated[
        str | None, typer.Option(help="one quarter, YYYY-YY Qn (default: the latest that has ended)")
    ] = None,
    region: Annotated[str | None, typer.Option(help="one region, by code (E12000008) or name (South East)")] = None,
    all_periods: Annotated[
        bool, typer.Option("--all", help="text: every quarter in full, not only the latest")
    ] = False,
    warehouse: Annotated[Path | None, typer.Option(help="the warehouse to read (default: the published build)")] = None,
    output: Annotated[OutputFormat, typer.Option("--format", help="text (default), csv or json")] = OutputFormat.text,
) -> None:
    """The returns tracker: per region and quarter, returns received, accepted, quarantined and not
    received past the deadline, and the chase list with days overdue (from the published warehouse)."""
    import duckdb

    from riia.paths import unreadable_warehouse, warehouse_path
    from riia.periods import Period
    from riia.reports import tracker

    if period is not None and Period.parse(period) is None:
        _fail(f"--period {period!r} is not a quarter: write it YYYY-YY Qn, for example 2024-25 Q1.")
    path = warehouse or warehouse_path()
    if not path.is_file():
        _fail(f"No warehouse at {path}: run `riia build` (make build) first, or give --warehouse.")
    try:
        found = tracker.read_warehouse(path, period, region)
    except duckdb.Error as error:
        _fail(unreadable_warehouse("The returns tracker", path, error))
    if not found.periods:
        asked = [f"quarter {period}" if period else "", f"region {region!r}" if region else ""]
        what = " and ".join(x for x in asked if x) or "any quarter"
        _fail(f"Nothing in the returns tracker for {what}: check the quarter and the region.", 1)
    render = {
        "text": lambda t: tracker.render_text(t, all_periods or period is not None),
        "csv": tracker.render_csv,
        "json": tracker.render_json,
    }
    typer.echo(render[output.value](found), nl=False)


@app.command()
def sample(
    out: Annotated[Path | None, typer.Option(help="folder to write into (default: the returns folder)")] = None,
    only_if_empty: Annotated[
        bool, typer.Option("--only-if-empty", help="write nothing if the folder holds a return")
    ] = False,
    seed: Annotated[int | None, typer.Option(help="random seed (default: the sample's fixed seed)")] = None,
    first_period: Annotated[
        str | None, typer.Option(help="the first quarter written, YYYY-YY Qn (default 2022-23 Q1)")
    ] = None,
    quarters: Annotated[int | None, typer.Option(help="how many consecutive quarters to write (default 12)")] = None,
) -> None:
    """Write the deterministic sample returns (every LA of each quarter x 12 quarters, with documented defects)."""
    import riia.sample

    argv = [
        *(["--out", str(out)] if out else []),
        *(["--only-if-empty"] if only_if_empty else []),
        *(["--seed", str(seed)] if seed is not None else []),
        *(["--first-period", first_period] if first_period else []),
        *(["--quarters", str(quarters)] if quarters is not None else []),
    ]
    raise typer.Exit(riia.sample.main(argv))


@app.command()
def docs() -> None:
    """The dbt docs site as one HTML file (target/static_index.html), from the published build."""
    import shutil

    from riia import docs as docs_module
    from riia.build.dbt import print_failures, run_dbt
    from riia.paths import PROJECT_ROOT, returns_dir, warehouse_path

    docs_module.main([])
    published = warehouse_path()
    if not published.is_file():
        _fail(f"No published build at {published}: run `riia build` (make build) first.")
    copy = PROJECT_ROOT / "build" / "docs.duckdb"  # a copy: an analyst holding the warehouse open never blocks this
    copy.unlink(missing_ok=True)
    shutil.copyfile(published, copy)
    copy.chmod(0o644)
    outcome = run_dbt(
        ["docs", "generate", "--static", "--target-path", str(PROJECT_ROOT / "target")],
        copy,
        returns_dir(),
        artifacts=True,
    )
    if not outcome.success:
        print_failures(outcome, PROJECT_ROOT / "target" / "logs" / "dbt.log")
        _fail("The dbt docs could not be generated.", 1)
    typer.echo(f"dbt docs: {PROJECT_ROOT / 'target' / 'static_index.html'} (open it in a browser; it works offline)")
    from riia.reports import screenshots
    from riia.reports.screenshots import ScreenshotError

    pictures = PROJECT_ROOT / "build" / "screenshots"
    try:
        taken = screenshots(published.resolve().parent, pictures)  # the publication folder
    except (ScreenshotError, OSError) as error:
        typer.echo(f"Screenshots of the reports: not taken ({error})")
    else:
        typer.echo(f"Screenshots of the reports: {len(taken)} pictures in {pictures}")


@app.command()
def bench(
    sizes: Annotated[
        str, typer.Option(help="quarters of history to time the increment at, e.g. 12 or 12,24,48")
    ] = "12,24,48",
    keep: Annotated[
        bool, typer.Option("--keep", help="keep build/benchmark/work (the sample, returns folders and builds)")
    ] = False,
    catch_up: Annotated[
        str,
        typer.Option(
            help="full: each size built from empty, its quarters stored oldest first as in a warehouse grown a "
            "quarter at a time; grow: each carries on from the previous one's warehouse, its older quarters added"
        ),
    ] = "full",
    check_runs: Annotated[int, typer.Option(help="timed runs of `riia check` per case (the median is reported)")] = 3,
    increment_runs: Annotated[
        int, typer.Option(help="timed increments per size, the sizes in turn (the median is reported)")
    ] = 3,
    out: Annotated[
        Path | None, typer.Option(help="where results.csv and results.md go (default build/benchmark)")
    ] = None,
) -> None:
    """Time the full build, the quarterly increment and `riia check`, measure peak memory, check
    the marts against an independent computation, and print each figure against its target
    (issue 15) (`make bench`). Exit 0 when every run succeeded and the values agreed."""
    from riia import bench as bench_module

    raise typer.Exit(bench_module.main(sizes, out, keep, catch_up, check_runs, increment_runs))


@app.command(name="checksums")
def checksums_command(
    db: Annotated[Path, typer.Argument(help="the DuckDB warehouse to read (opened read-only)")],
    exports: Annotated[Path | None, typer.Option(help="an exports folder whose text files to include")] = None,
    out: Annotated[Path | None, typer.Option(help="write the checksums to this JSON file")] = None,
    compare: Annotated[Path | None, typer.Option(help="compare with checksums written earlier")] = None,
) -> None:
    """Checksums of every mart, shared model and export: proof that a change moved no figure."""
    import duckdb

    from riia import checksums
    from riia.paths import unreadable_warehouse

    if not db.is_file():
        _fail(f"No warehouse at {db}: give the path of a built DuckDB file.")
    try:
        values = checksums.checksums(db, exports)
    except duckdb.Error as error:
        _fail(unreadable_warehouse("The marts and shared tables", db, error))
    if not any(key.startswith(tuple(f"{schema}." for schema in checksums.SCHEMAS)) for key in values):
        _fail(f"The warehouse {db} holds no mart or shared table: give the path of one `riia build` published.")
    if out is None and compare is None:
        typer.echo(checksums.as_json(values), nl=False)
    if out is not None:
        checksums.write(out, values)
        typer.echo(f"{len(values)} checksums written to {out}")
    if compare is not None:
        before = checksums.read(compare)
        different = checksums.differences(before, values)
        for line in different:
            typer.echo(line)
        compared = len(before.keys() | values.keys())  # a table missing after counts too
        typer.echo(
            f"{compared - len(different)} of {compared} tables and files identical"
            + ("" if not different else f"; {len(different)} differ")
        )
        raise typer.Exit(1 if different else 0)


def main() -> None:
    """Entry point of the `riia` console script."""
    app(prog_name="riia")


if __name__ == "__main__":
    sys.exit(main())
