"""dbt's own tests: the shared sample build (conftest `sample_build`) is a plain `dbt build`
with no selector, so it runs every data test and unit test of the project; `riia build`
runs only those that gate publication, the seeds' own when the seeds load (selectors.yml).
These tests prove the full set ran and passed, so `make test` needs no second whole-sample
build to run them, and that the selectors choose what they say."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from conftest import Build, copy_warehouse, run_dbt

pytestmark = pytest.mark.build


@pytest.fixture(scope="module")
def manifest(sample_build: Build) -> dict:
    """dbt's manifest of the sample build."""
    return json.loads((sample_build.db_path.parent / "dbt_target" / "manifest.json").read_text())


def test_the_sample_build_ran_every_data_test_and_unit_test_and_all_passed(sample_build: Build, manifest: dict) -> None:
    target = sample_build.db_path.parent / "dbt_target"
    results = {
        r["unique_id"]: r["status"]
        for r in json.loads((target / "sample_build_run_results.json").read_text())["results"]
    }
    data_tests = {uid for uid, node in manifest["nodes"].items() if node["resource_type"] == "test"}
    unit_tests = set(manifest.get("unit_tests", {}))
    assert len(data_tests) > 180 and len(unit_tests) >= 5, (len(data_tests), len(unit_tests))
    assert sorted((data_tests | unit_tests) - results.keys()) == []
    assert {uid: results[uid] for uid in data_tests | unit_tests if results[uid] != "pass"} == {}
    gate = {uid for uid in data_tests if "gate" in manifest["nodes"][uid]["tags"]}
    assert 0 < len(gate) < len(data_tests)


def test_every_not_null_constraint_a_contract_names_is_in_the_warehouse(sample_build: Build, manifest: dict) -> None:
    # the contracts' not_null constraints (the sharing outputs' key columns, which gate
    # publication as their not_null tests did) and primary keys are DuckDB's, checked as each
    # row is written: a constraint dbt did not create would check nothing. (A view's are
    # documentation only: DuckDB has no constraint on a view, and dbt says so.)
    named = set()
    for node in manifest["nodes"].values():
        if node["resource_type"] != "model" or not node["config"]["contract"]["enforced"]:
            continue
        if node["config"]["materialized"] == "view":
            continue
        table = (node["schema"], node["alias"])
        for column in node["columns"].values():
            if any(c["type"] == "not_null" for c in column.get("constraints", [])):
                named.add((*table, column["name"]))
        for constraint in node.get("constraints", []):
            if constraint["type"] == "primary_key":
                named |= {(*table, name) for name in constraint["columns"]}
    enforced = {
        (schema, table, column)
        for schema, table, columns in sample_build.query(
            "select schema_name, table_name, constraint_column_names from duckdb_constraints() "
            "where constraint_type = 'NOT NULL'"
        )
        for column in columns
    }
    assert sum(schema == "sharing" for schema, _, _ in named) >= 40
    assert sorted(named - enforced) == []


def listed_tests(tmp_path: Path, selector: str) -> set[str]:
    """The data tests `dbt build --selector <selector>` runs (dbt ls, on the run's parse)."""
    options = ("--quiet", "--selector", selector, "--resource-type", "test", "--output", "json")
    listed = run_dbt(
        tmp_path / "returns",
        tmp_path / "riia.duckdb",
        command="ls",
        extra_args=(*options, "--output-keys", "unique_id"),
    )
    return {json.loads(line)["unique_id"] for line in listed.output.splitlines() if line.startswith("{")}


def test_a_quarterly_build_runs_every_gating_test_but_the_seeds_own_which_run_when_the_seeds_load(
    manifest: dict, tmp_path: Path
) -> None:
    # selectors.yml: the tests whose every parent is a seed run with the seeds (a seed file
    # or the code changed); every other gating test, a sharing rule that reads a seed and a
    # model among them, runs on every quarterly build; a test of a model against a seed
    # that does not gate (a relationship) runs in make test only
    nodes = manifest["nodes"]
    tests = {uid: node for uid, node in nodes.items() if node["resource_type"] == "test"}
    gate = {uid for uid, node in tests.items() if "gate" in node["tags"]}
    kinds = {uid: {parent.split(".")[0] for parent in node["depends_on"]["nodes"]} for uid, node in tests.items()}
    seeds_own = {uid for uid in tests if kinds[uid] == {"seed"}}
    assert seeds_own - gate and any(kinds[uid] == {"seed", "model"} for uid in gate - seeds_own)
    assert any(kinds[uid] == {"seed", "model"} for uid in set(tests) - gate)
    assert listed_tests(tmp_path / "quarterly", "quarterly_build") == gate - seeds_own
    assert listed_tests(tmp_path / "with_seeds", "quarterly_build_with_seeds") == gate | seeds_own
    # when only sharing seeds changed, the seeds' own tests that read one of them, a sharing
    # seed against a reference seed among them
    sharing = {uid for uid, node in nodes.items() if node["original_file_path"].startswith("seeds/sharing/")}
    reads_sharing = {uid for uid in seeds_own if sharing & set(tests[uid]["depends_on"]["nodes"])}
    assert any(set(tests[uid]["depends_on"]["nodes"]) - sharing for uid in reads_sharing)
    assert reads_sharing and seeds_own - reads_sharing
    listed = listed_tests(tmp_path / "with_sharing_seeds", "quarterly_build_with_sharing_seeds")
    assert listed == (gate - seeds_own) | reads_sharing


def test_the_returns_source_is_fresh_after_a_load(sample_build: Build, tmp_path: Path) -> None:
    copy = copy_warehouse(sample_build, tmp_path)  # the shared build stays read-only
    freshness = run_dbt(copy.returns_dir, copy.db_path, command="source freshness")
    assert "PASS" in freshness.output and "ERROR STALE" not in freshness.output, freshness.output[-2000:]
