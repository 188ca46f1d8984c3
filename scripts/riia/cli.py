"""`riia`: the one command line of the RIIA quarterly pipeline.

    riia build [--as-of DATE]         the quarterly build (what `make build` runs)
    riia check FILE...                an LA officer's pre-submission check of return files
    riia sample [--out DIR]           write the sample returns (--first-period, --quarters: history)
    riia docs                         the dbt docs site as one file
    riia bench                        timings and peak memory (`make bench`)

Each command says what it did in a sentence or two and exits 0 on success; a problem the
user can fix ends with one sentence saying what happened and what to do, never a traceback.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path
from typing import Annotated

import typer

app = typer.Typer(
    name="riia",
    help="The RIIA quarterly returns pipeline: build, check, release, status, explain.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _fail(message: str, code: int = 2) -> None:
    typer.echo(message, err=True)
    raise typer.Exit(code)


@app.command()
def build(
    as_of: Annotated[
        str | None,
        typer.Option("--as-of", help="judge sharing agreements, exceptions and releases on this day (YYYY-MM-DD)"),
    ] = None,
) -> None:
    """The quarterly build: dbt into a fresh copy of the warehouse, then exports and reports."""
    from riia import build as build_module

    if as_of is not None:
        try:
            date.fromisoformat(as_of)
        except ValueError:
            _fail(f"--as-of {as_of!r} is not a date: write it YYYY-MM-DD, for example 2025-03-31.")
    args = ["--vars", f"{{as_of_date: '{as_of}'}}"] if as_of else []
    raise typer.Exit(build_module.main(args))


@app.command()
def sample(
    out: Annotated[Path | None, typer.Option(help="folder to write into (default: the returns folder)")] = None,
    only_if_empty: Annotated[bool, typer.Option("--only-if-empty", help="write nothing if the folder holds a return")] = False,
    seed: Annotated[int | None, typer.Option(help="random seed (default: the sample's fixed seed)")] = None,
    first_period: Annotated[str | None, typer.Option(help="the first quarter written, YYYY-YY Qn (default 2022-23 Q1)")] = None,
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
    """Regenerate the indicator doc blocks and write the dbt docs site as one HTML file."""
    from riia import docs as docs_module

    raise typer.Exit(docs_module.main([]))


@app.command()
def bench(
    sizes: Annotated[str | None, typer.Option(help="sizes to time, e.g. 12x1,48x1")] = None,
) -> None:
    """Time full and quarterly builds and print the figures (`make bench`)."""
    from riia import bench as bench_module

    raise typer.Exit(bench_module.main([*(["--sizes", sizes] if sizes else [])]))


@app.command(name="checksums")
def checksums_command(
    db: Annotated[Path, typer.Argument(help="the DuckDB warehouse to read (opened read-only)")],
    exports: Annotated[Path | None, typer.Option(help="an exports folder whose text files to include")] = None,
    out: Annotated[Path | None, typer.Option(help="write the checksums to this JSON file")] = None,
    compare: Annotated[Path | None, typer.Option(help="compare with checksums written earlier")] = None,
) -> None:
    """Checksums of every mart, shared model and export: proof that a change moved no figure."""
    from riia import checksums

    if not db.is_file():
        _fail(f"No warehouse at {db}: give the path of a built DuckDB file.")
    values = checksums.checksums(db, exports)
    if out is not None:
        checksums.write(out, values)
        typer.echo(f"{len(values)} checksums written to {out}")
    if compare is not None:
        different = checksums.differences(checksums.read(compare), values)
        for line in different:
            typer.echo(line)
        typer.echo(
            f"{len(values) - len(different)} of {len(values)} tables and files identical"
            + ("" if not different else f"; {len(different)} differ")
        )
        raise typer.Exit(1 if different else 0)


def main() -> None:
    """Entry point of the `riia` console script."""
    app(prog_name="riia")


if __name__ == "__main__":
    sys.exit(main())
