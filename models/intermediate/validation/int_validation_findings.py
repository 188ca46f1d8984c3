"""Every breach of the guidance rules (RETURN_TEMPLATE.md section 4) in every return file.

This model only runs the suites and keeps their findings. Everything relational - which
files, lines, items, figures, roll-forwards and rates the rules look at - is done in SQL
by the validation inputs beside it (`int_validation_files`, `int_validation_lines`,
`int_validation_item_presence`, `int_validation_figures`, `int_validation_roll_forward`,
`int_validation_rates`, and `int_validation_item_lines` for where a figure is written).
The inputs of the files in scope are written to Parquet by DuckDB, and the Great
Expectations suites of `gx/expectations/` run on them in a child process
(`python -m riia.validation`, the package under scripts/), so that GE's memory goes back
to the system when it is done. It validates them a batch of files at a time
(`validation_batch_rows`), so that its memory is a batch's, not the whole history's;
`riia build` and `riia check` start it before dbt, so that
it imports GE while dbt works (riia.validation.child). The sets and thresholds the suites name as
`{"$PARAMETER": ...}` are filled in here from the seeds and `int_periods`.

Incremental: a build validates only the files `int_validation_scope` marks `validate`
(the quarters that received new or changed files, and the quarter after), reading their
previous quarter as context. The pre-hook in the YAML first deletes the findings of
those files and of files no longer received. If the suites or the reference data changed
since the stored findings were made, every file is validated again.
"""

import hashlib
import json
import os
import tempfile
from pathlib import Path

import duckdb
from riia.validation import child

# The validation inputs, by the name of the GE data asset (or lookup) they feed.
INPUTS = {
    "return_files": "int_validation_files",
    "return_lines": "int_validation_lines",
    "item_presence": "int_validation_item_presence",
    "return_figures": "int_validation_figures",
    "stock_roll_forward": "int_validation_roll_forward",
    "rate_checks": "int_validation_rates",
    "item_magnitudes": "int_validation_magnitudes",
    "item_lines": "int_validation_item_lines",
}


def suite_parameters(session, items, periods, rule_parameters) -> dict:  # noqa: ANN001
    """The reference sets and thresholds the suites name as {"$PARAMETER": ...}."""

    def values(relation, column, where="true", order=None):  # noqa: ANN001, ANN202
        query = relation.filter(where).order(order or column).project(column)
        return [row[0] for row in query.fetchall()]

    parameters = {
        # rule T03: a quarter that has ended by the build's date
        "valid_periods": values(periods, "period", "has_ended", order="period_index"),
        "register_item_codes": values(items, "item_code"),
    }
    for rule_id, parameter, value in rule_parameters.project("rule_id, parameter, value").fetchall():
        parameters[f"{rule_id.lower()}_{parameter}"] = value
    # P02 as a ratio to last quarter's rate
    change = parameters["p02_max_change_percent"] / 100
    parameters["p02_min_ratio"], parameters["p02_max_ratio"] = 1 - change, 1 + change
    return parameters


def ruleset_fingerprint(gx_dir: Path, parameters: dict, reference: list) -> str:  # noqa: ANN001
    """A checksum of what the findings depend on besides the returns: the suites, the sets
    and thresholds they are filled in with, and the reference data the validation inputs
    read (the register, the LAs, the populations behind the rates). When it changes every
    file is re-validated."""
    digest = hashlib.sha256()
    for suite in sorted((gx_dir / "expectations").glob("*.json")):
        digest.update(suite.read_bytes())
    digest.update(json.dumps(parameters, sort_keys=True).encode())
    for relation in reference:
        digest.update(repr(relation.order("all").fetchall()).encode())
    return digest.hexdigest()[:16]


def model(dbt, session):  # noqa: ANN001, ANN201 - dbt's Python model signature
    dbt.config(materialized="incremental", incremental_strategy="delete+insert", unique_key="file_path")
    # each dbt.config.get a statement of its own: dbt passes a model only the settings it
    # finds called so, and not one inside another expression (`Path(dbt.config.get(...) or
    # ...)` got nothing, and fell back to its default)
    gx_dir = dbt.config.get("gx_dir")
    batch_rows = dbt.config.get("batch_rows")
    gx_dir = Path(gx_dir or "gx")
    if not gx_dir.is_absolute():
        # relative to the project: riia runs dbt from the warehouse's folder and says where
        # the project is (riia.build.dbt); the dbt command line runs from the project root
        gx_dir = Path(os.environ.get("RIIA_DBT_PROJECT_DIR") or Path.cwd()) / gx_dir
    if not (gx_dir / "great_expectations.yml").is_file():
        raise FileNotFoundError(f"no Great Expectations project at {gx_dir}: run dbt from the project root")
    parameters = suite_parameters(
        session,
        items=dbt.ref("ref_items"),
        periods=dbt.ref("int_periods"),
        rule_parameters=dbt.ref("ref_rule_parameters"),
    )
    fingerprint = ruleset_fingerprint(
        gx_dir, parameters, [dbt.ref("ref_items"), dbt.ref("ref_local_authorities"), dbt.ref("ref_population")]
    )

    scoped = dbt.is_incremental
    if scoped:
        stored = {row[0] for row in session.sql(f"select distinct ruleset_fingerprint from {dbt.this}").fetchall()}
        if stored - {fingerprint}:
            session.execute(f"delete from {dbt.this}")
            scoped = False
    scope = dbt.ref("int_validation_scope")
    # dbt reads the refs from the code itself: each must be a literal dbt.ref("name")
    relations = {
        "return_files": dbt.ref("int_validation_files"),
        "return_lines": dbt.ref("int_validation_lines"),
        "item_presence": dbt.ref("int_validation_item_presence"),
        "return_figures": dbt.ref("int_validation_figures"),
        "stock_roll_forward": dbt.ref("int_validation_roll_forward"),
        "rate_checks": dbt.ref("int_validation_rates"),
        "item_magnitudes": dbt.ref("int_validation_magnitudes"),
        "item_lines": dbt.ref("int_validation_item_lines"),
    }
    assert set(relations) == set(INPUTS)
    if scoped and not scope.filter("scope_role = 'validate'").limit(1).fetchall():
        # nothing to re-validate (no quarter's inputs changed): no suites to start
        return session.sql(f"select * from {dbt.this} limit 0")
    with tempfile.TemporaryDirectory(prefix="riia-validation-") as folder:
        in_scope = duckdb.ConstantExpression(True)
        if scoped:
            scope.create_view("riia_validation_scope", replace=True)
            # the files as a list of constants, not a subquery: DuckDB then pushes the filter
            # down to the scans of the returns' lines and values under each input, so that a
            # quarterly build reads the files in scope rather than the whole history
            paths = [row[0] for row in scope.project("file_path").order("file_path").fetchall()]
            in_scope = duckdb.ColumnExpression("file_path").isin(*map(duckdb.ConstantExpression, paths))
        for name, relation in relations.items():
            rows = relation.filter(in_scope)
            rows.order("all").write_parquet(str(Path(folder) / f"{name}.parquet"))
        settings = {"gx_dir": str(gx_dir), "batch_rows": int(batch_rows or 0)}
        (Path(folder) / "parameters.json").write_text(json.dumps({**settings, "parameters": parameters}))
        child.run(Path(folder))
        session.execute(
            "create or replace temp table riia_validation_findings as select * from read_parquet(?)",
            [str(Path(folder) / "findings.parquet")],
        )
    relation = session.table("riia_validation_findings")
    if scoped:
        relation = relation.filter(
            "file_path in (select file_path from riia_validation_scope where scope_role = 'validate')"
        )
    # A relation on dbt's own connection, not a DataFrame: dbt-duckdb writes a DataFrame
    # through a second cursor, whose temporary table the incremental insert cannot see.
    return relation.project(f"*, '{fingerprint}' as ruleset_fingerprint")
