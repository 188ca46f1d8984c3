"""The rules of dbt-project-evaluator that matter here, checked on dbt's own manifest.

The dbt Labs package cannot be installed offline (no `dbt deps`), so this test parses the
project (`dbt parse`, no warehouse needed) and checks its manifest against the rules
ARCHITECTURE.md names. A deliberate exception is a row of the seed
`dbt_project_evaluator_exceptions` (the package's own format: `fct_name` is the rule,
`id_to_exclude` the model, `comment` why), so every exception is written down with its
reason and the rest of the project is held to the rule.
"""

from __future__ import annotations

import csv
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from conftest import PROJECT_ROOT, run_dbt

LAYERS = {  # folder under models/ -> (name prefixes, rank in the flow)
    "staging": (("stg_",), 0),
    "intermediate": (("int_",), 1),
    "marts": (("fct_", "dim_"), 2),
    "sharing": (("shr_",), 3),
}


@pytest.fixture(scope="module")
def manifest(tmp_path_factory: pytest.TempPathFactory) -> dict:
    folder = tmp_path_factory.mktemp("parse")
    # the parse of an earlier command of the test run, if any (conftest.Parses)
    run_dbt(folder / "returns", folder / "riia.duckdb", command="parse")
    target = folder / "dbt_target"
    return json.loads((target / "manifest.json").read_text())


@pytest.fixture(scope="module")
def exceptions() -> dict[str, dict[str, str]]:
    """{rule: {model: reason}} from the exceptions seed."""
    path = PROJECT_ROOT / "seeds" / "project" / "dbt_project_evaluator_exceptions.csv"
    found: dict[str, dict[str, str]] = {}
    with path.open(newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            assert row["comment"].strip(), f"exception {row} has no reason"
            excluded = row["id_to_exclude"] + (f".{row['column_name']}" if row["column_name"] else "")
            found.setdefault(row["fct_name"], {})[excluded] = row["comment"]
    return found


def models(manifest: dict) -> Iterator[dict]:
    for node in manifest["nodes"].values():
        if node["resource_type"] == "model" and node["package_name"] == "riia":
            yield node


def layer_of(node: dict) -> str:
    return Path(node["original_file_path"]).parts[1]


def data_tests_on(manifest: dict, unique_id: str) -> list[dict]:
    return [
        node
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test"
        and unique_id in node.get("depends_on", {}).get("nodes", [])
        and node.get("attached_node") == unique_id
    ]


def key_tests(manifest: dict, node: dict) -> list[dict]:
    """The model's primary-key tests (unique, or unique_combination)."""
    return [
        test
        for test in data_tests_on(manifest, node["unique_id"])
        if (test.get("test_metadata") or {}).get("name") in ("unique", "unique_combination")
    ]


def primary_key_columns(manifest: dict, node: dict) -> list[str] | None:
    """The columns of the model's (first) primary-key test."""
    tests = key_tests(manifest, node)
    if not tests:
        return None
    metadata = tests[0]["test_metadata"]
    kwargs = metadata.get("kwargs", {})
    return [kwargs["column_name"]] if metadata["name"] == "unique" else list(kwargs["columns"])


def violations(found: dict[str, str], rule: str, exceptions: dict[str, dict[str, str]]) -> dict[str, str]:
    allowed = exceptions.get(rule, {})
    return {name: why for name, why in found.items() if name not in allowed}


def not_null_tested(manifest: dict, node: dict) -> set[str]:
    """The columns the model's data tests find nulls in: a not_null test's column, a
    not_null_columns test's columns, and those its key test checks (unique_combination's
    `not_null`: true for every column of the grain, or a list)."""
    found: set[str] = set()
    for test in data_tests_on(manifest, node["unique_id"]):
        metadata = test.get("test_metadata") or {}
        kwargs = metadata.get("kwargs", {})
        if metadata.get("name") == "not_null":
            found.add(kwargs["column_name"])
        elif metadata.get("name") == "not_null_columns":
            found.update(kwargs["columns"])
        elif metadata.get("name") == "unique_combination" and kwargs.get("not_null"):
            found.update(kwargs["columns"] if kwargs["not_null"] is True else kwargs["not_null"])
    return found


def test_every_model_has_a_primary_key_test_and_not_null_keys(manifest: dict, exceptions: dict) -> None:
    missing, nullable = {}, {}
    for node in models(manifest):
        keys = primary_key_columns(manifest, node)
        if keys is None:
            missing[node["name"]] = "no unique or unique_combination test"
            continue
        not_null = not_null_tested(manifest, node)
        # a constraint holds in a table only: on a view DuckDB has none (dbt documents it)
        constrained = {
            name
            for name, column in node["columns"].items()
            if node["config"]["materialized"] != "view"
            and any(c["type"] == "not_null" for c in column.get("constraints", []))
        }
        for key in keys:
            if key not in not_null | constrained:
                nullable[f"{node['name']}.{key}"] = "key column without a not_null test or constraint"
    assert violations(missing, "fct_missing_primary_key_tests", exceptions) == {}
    assert violations(nullable, "fct_missing_not_null_on_key_columns", exceptions) == {}


def test_sources_are_read_only_in_staging(manifest: dict, exceptions: dict) -> None:
    found = {
        node["name"]: layer_of(node)
        for node in models(manifest)
        if any(parent.startswith("source.") for parent in node["depends_on"]["nodes"]) and layer_of(node) != "staging"
    }
    assert violations(found, "fct_marts_or_intermediate_dependent_on_source", exceptions) == {}


def test_no_model_reads_a_later_layer(manifest: dict, exceptions: dict) -> None:
    nodes = manifest["nodes"]
    found = {}
    for node in models(manifest):
        rank = LAYERS[layer_of(node)][1]
        for parent in node["depends_on"]["nodes"]:
            if parent.startswith("model.riia.") and LAYERS[layer_of(nodes[parent])][1] > rank:
                found[node["name"]] = f"reads {nodes[parent]['name']} ({layer_of(nodes[parent])})"
        if layer_of(node) == "staging" and any(p.startswith("model.") for p in node["depends_on"]["nodes"]):
            found[node["name"]] = "a staging model reads another model"
    assert violations(found, "fct_staging_dependent_on_marts_or_intermediate", exceptions) == {}


def test_sharing_models_read_no_seed_directly(manifest: dict, exceptions: dict) -> None:
    """The audience outputs select from the gate and the engine; reference data is joined
    once upstream, not fanned out into every output."""
    found = {
        node["name"]: ", ".join(p.split(".")[-1] for p in node["depends_on"]["nodes"] if p.startswith("seed."))
        for node in models(manifest)
        if layer_of(node) == "sharing" and any(p.startswith("seed.") for p in node["depends_on"]["nodes"])
    }
    assert violations(found, "fct_model_fanout", exceptions) == {}


def primary_key_constraint(node: dict) -> bool:
    """Whether the model carries a primary_key constraint, on the model or on a column."""
    return any(c["type"] == "primary_key" for c in node.get("constraints", [])) or any(
        c["type"] == "primary_key" for column in node["columns"].values() for c in column.get("constraints", [])
    )


def gating_key_test(manifest: dict, node: dict) -> bool:
    """Whether the model's primary-key test gates publication (tag `gate`: it runs on every build)."""
    return any("gate" in test.get("tags", []) for test in key_tests(manifest, node))


def test_public_models_are_contracted_with_their_grain_checked_on_every_build(manifest: dict, exceptions: dict) -> None:
    # a contracted model's grain holds in every build: by a primary_key constraint (the marts
    # rebuilt whole, whose data tests run in `make test`), or by a primary-key test that gates
    # publication (the sharing outputs and the period-incremental marts, where a constraint
    # would only check it twice, at the cost of an index: test_no_model_rebuilt_by_quarter_...)
    uncontracted, no_constraint = {}, {}
    for node in models(manifest):
        contracted = node["config"].get("contract", {}).get("enforced")
        if node.get("access") == "public" and not contracted:
            uncontracted[node["name"]] = "public without an enforced contract"
        if contracted and not (primary_key_constraint(node) or gating_key_test(manifest, node)):
            no_constraint[node["name"]] = "contracted without a primary_key constraint or a gating primary-key test"
    assert violations(uncontracted, "fct_public_models_without_contract", exceptions) == {}
    assert violations(no_constraint, "fct_contracted_models_without_primary_key_constraint", exceptions) == {}


def test_sources_have_freshness(manifest: dict, exceptions: dict) -> None:
    found = {
        source["name"]: "no freshness"
        for source in manifest["sources"].values()
        if source["package_name"] == "riia"
        and not ((source.get("freshness") or {}).get("warn_after") or {}).get("count")
    }
    assert violations(found, "fct_sources_without_freshness", exceptions) == {}


def test_models_sit_in_the_folder_of_their_layer(manifest: dict, exceptions: dict) -> None:
    found = {}
    for node in models(manifest):
        layer = layer_of(node)
        prefixes = LAYERS.get(layer, ((), 0))[0]
        if not node["name"].startswith(prefixes):
            found[node["name"]] = f"in models/{layer}/ but not named {' or '.join(prefixes)}..."
        parts = Path(node["original_file_path"]).parts
        if layer in ("staging", "intermediate") and len(parts) < 4:
            found[node["name"]] = f"directly in models/{layer}/, not in a sub-folder of its source or job"
    assert violations(found, "fct_model_directories", exceptions) == {}


def test_every_folder_has_its_own_models_yaml() -> None:
    folders = {path.parent for path in (PROJECT_ROOT / "models").rglob("*.sql")} | {
        path.parent for path in (PROJECT_ROOT / "models").rglob("*.py")
    }
    for folder in folders:
        expected = folder / f"_{folder.name}__models.yml"
        assert expected.is_file(), f"{folder.relative_to(PROJECT_ROOT)} has no {expected.name}"


def test_every_exception_names_a_rule_checked_here_and_a_real_model(manifest: dict, exceptions: dict) -> None:
    checked = {
        "fct_missing_primary_key_tests",
        "fct_missing_not_null_on_key_columns",
        "fct_marts_or_intermediate_dependent_on_source",
        "fct_staging_dependent_on_marts_or_intermediate",
        "fct_model_fanout",
        "fct_public_models_without_contract",
        "fct_contracted_models_without_primary_key_constraint",
        "fct_sources_without_freshness",
        "fct_model_directories",
    }
    names = {node["name"] for node in models(manifest)}
    for rule, excepted in exceptions.items():
        assert rule in checked, f"exception for {rule}, which no test here checks"
        for name in excepted:
            assert name.split(".")[0] in names, f"exception for {name}, which is not a model"


def test_the_sharing_rules_read_every_output_that_leaves_a_region(manifest: dict) -> None:
    """Every LA-grain output of an audience outside the region (seed sharing_audiences) is read
    by each singular test of the sharing rules that checks what leaves a region (macro
    outside_rows): a new audience's output cannot escape the rules."""
    with (PROJECT_ROOT / "seeds" / "sharing" / "sharing_audiences.csv").open(newline="", encoding="utf-8") as handle:
        leaving = {
            f"model.riia.{row['output_model']}"
            for row in csv.DictReader(handle)
            if row["grain"] == "la" and row["audience"] != "regional"
        }
    assert len(leaving) >= 3, leaving
    rules = {
        node["name"]: set(node["depends_on"]["nodes"])
        for node in manifest["nodes"].values()
        if node["resource_type"] == "test" and "outside_rows" in " ".join(node["depends_on"]["macros"])
    }
    assert len(rules) == 4, sorted(rules)
    assert {name: sorted(leaving - reads) for name, reads in rules.items() if leaving - reads} == {}


def test_dbt_is_given_every_setting_a_model_reads_and_none_it_does_not() -> None:
    # riia.config.dbt_vars leaves the loader's settings out of dbt's --vars: dbt would parse
    # the whole project again whenever one changed, for a variable no model reads (they read
    # what the loader recorded, raw.returns_folder)
    from riia import config

    dbt_files = [
        p
        for folder in ("models", "macros", "snapshots", "analyses", "tests", "selectors.yml", "dbt_project.yml")
        for p in ([PROJECT_ROOT / folder] if folder.endswith(".yml") else (PROJECT_ROOT / folder).rglob("*"))
        if p.suffix in (".sql", ".py", ".yml")
    ]
    read = {
        name
        for path in dbt_files
        for name in re.findall(r"""\bvar\(\s*["'](\w+)["']""", path.read_text(encoding="utf-8"))
    }
    assert len(dbt_files) > 100 and {"as_of_date", "scope_chunk_quarters", "validation_batch_rows"} <= read
    assert not read & config.LOADER_SETTINGS
    assert set(config.dbt_settings()) <= read
    assert set(config.dbt_settings()) | config.LOADER_SETTINGS == set(config.project_vars())
    given = config.dbt_vars({"returns_layout": "per_la", "returns_settle_seconds": 0, "adcs_min_las": 12})
    assert given == {"adcs_min_las": 12}


def period_incremental(node: dict) -> bool:
    """Whether the model replaces the rows of the quarters a build recomputes (macro
    period_incremental: incremental, with the pre-hook delete_build_scope)."""
    hooks = [hook["sql"] for hook in node["config"].get("pre-hook", [])]
    return node["config"]["materialized"] == "incremental" and any("delete_build_scope(" in h for h in hooks)


def test_no_model_rebuilt_by_quarter_carries_a_primary_key_constraint(manifest: dict) -> None:
    """DuckDB keeps a primary key as an index (ART) that every delete and insert maintains.
    A period-incremental model deletes and inserts its recomputed quarters' rows in one
    transaction: a change of the reference data that touches every quarter does so for every
    row. On the bench's 48-quarter history, a build whose release seeds differed in every
    quarter failed so: the checkpoint at fct_indicator_comparators' COMMIT stopped DuckDB
    1.5.6 with a fatal error ("invalid node type for TransformToDeprecated: 0", which writes
    an index in the warehouse's storage format), and that table's 657,510 rows deleted and
    inserted again in a database of their own ran out of the build's 300 MB at COMMIT. Their
    grain is a key test that gates publication instead, and their key columns are not_null
    constraints, which need no index."""
    found = {
        node["name"]: "primary_key constraint on a period-incremental model"
        for node in models(manifest)
        if period_incremental(node) and primary_key_constraint(node)
    }
    assert found == {}
    # ... and the largest of them are among those this test reads
    incremental = {node["name"] for node in models(manifest) if period_incremental(node)}
    assert {"fct_indicator_values", "fct_indicator_comparators", "fct_benchmarks"} <= incremental
    for node in models(manifest):
        if node["name"] in incremental and node["config"].get("contract", {}).get("enforced"):
            assert gating_key_test(manifest, node), f"{node['name']}: its key test does not gate publication"


def test_a_key_tested_on_the_quarters_a_build_wrote_is_that_of_a_model_rebuilt_by_quarter(manifest: dict) -> None:
    """unique_combination(quarter_column=...) tests, on an incremental build, only the rows of
    the quarters the build recomputed (tests/generic/unique_combination.sql). That holds only
    for a model that replaces exactly those quarters' rows (macro period_incremental: the
    pre-hook delete_build_scope on that column) and whose grain includes the column: a repeat
    is then within one quarter, written by this build or tested by an earlier one."""
    scoped, wrong = [], {}
    for node in models(manifest):
        for test in key_tests(manifest, node):
            kwargs = (test.get("test_metadata") or {}).get("kwargs", {})
            column = kwargs.get("quarter_column")
            if column is None:
                continue
            scoped.append(node["name"])
            hooks = [hook["sql"] for hook in node["config"].get("pre-hook", [])]
            if node["config"]["materialized"] != "incremental" or not any(
                f"delete_build_scope({json.dumps(column)}" in hook for hook in hooks
            ):
                wrong[node["name"]] = f"not period-incremental by {column}"
            elif column not in kwargs["columns"]:
                wrong[node["name"]] = f"{column} is not in its grain {kwargs['columns']}"
    assert not wrong, wrong
    # the gating tests of the recipients' figures, whose cost grew with the years loaded
    assert {"shr_regional__cross_regional", "shr_regional__indicators", "shr_dfe__riia_core"} <= set(scoped)
