"""The build's closing summary and failure sentences (riia.build): what a data engineer must act on."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace

import pytest

from riia.build import agreements_ending_soon


def agreement(agreement_id: str, ending: bool, days: int | None = 30) -> dict:
    return {
        "agreement_id": agreement_id,
        "region_code": "E12000008",
        "clause": "SE MoU 14",
        "in_force_to": "2027-01-01" if days is not None else None,
        "days_to_end": days,
        "is_ending_soon": ending,
    }


def test_an_agreement_ending_soon_is_named_once_with_every_recipient_it_feeds() -> None:
    manifests = [
        {"recipient_id": "dfe", "agreements_used": [agreement("se_dfe_2024", True), agreement("se_d2i", False)]},
        {"recipient_id": "d2i", "agreements_used": [agreement("se_dfe_2024", True)]},
        {"recipient_id": "adcs", "agreements_used": []},
    ]
    warnings = agreements_ending_soon(manifests)
    assert len(warnings) == 1, warnings
    assert "se_dfe_2024" in warnings[0] and "2027-01-01" in warnings[0] and "30 days" in warnings[0]
    assert "d2i, dfe will stop receiving" in warnings[0]


def test_no_warning_when_nothing_ends_soon() -> None:
    manifests = [{"recipient_id": "dfe", "agreements_used": [agreement("se_d2i", False, None)]}]
    assert agreements_ending_soon(manifests) == []


def dbt_event(name: str, **data: object) -> SimpleNamespace:
    """An event as dbt's callbacks receive it (riia.build.dbt._Progress reads these fields)."""
    return SimpleNamespace(info=SimpleNamespace(name=name), data=SimpleNamespace(**data))


def node_finished(kind: str, name: str, seconds: float) -> SimpleNamespace:
    return dbt_event(
        "NodeFinished",
        node_info=SimpleNamespace(resource_type=kind, node_name=name),
        run_result=SimpleNamespace(execution_time=seconds),
    )


def test_dbt_progress_is_a_line_a_tenth_not_a_line_a_node() -> None:
    """riia.build.dbt's progress: about ten lines for a build (dbt says how many nodes),
    and none for every node when it does not (`dbt docs generate` printed 537 lines)."""
    from riia.build.dbt import _Progress

    for total, most in ((300, 10), (0, 0)):
        said: list[str] = []
        progress = _Progress(said.append)
        if total:
            progress(dbt_event("LogStartLine", total=total))
        for _ in range(300):
            progress(node_finished("model", "m", 0.1))
        assert len(said) == most, said
    assert said == [] and progress.done == 300


def test_the_dbt_step_says_where_its_time_went_by_kind_of_node_and_slowest_model() -> None:
    """Each node's time as dbt reports it (NodeFinished), summed by resource type; what is left
    of the command's time is dbt's own; the slowest models by name, slowest first."""
    from riia.build.dbt import SLOWEST_MODELS, _Progress, time_in_nodes, time_in_nodes_text

    progress = _Progress(lambda _: None)
    finished = [("model", f"m{i}", float(i)) for i in range(1, 8)] + [("test", "t1", 0.25), ("test", "t2", 0.5)]
    finished += [("seed", "ref_items", 1.5), ("snapshot", "snp_accepted_return_values", 0.2)]
    for kind, name, seconds in finished:
        progress(node_finished(kind, name, seconds))
    assert progress.node_seconds == finished
    spent = time_in_nodes(progress.node_seconds, 40.0)
    assert spent["nodes"] == 11
    assert spent["in_nodes"] == {"model": 28.0, "seed": 1.5, "test": 0.8, "snapshot": 0.2}  # the largest first
    assert spent["outside_nodes"] == round(40.0 - 28.0 - 1.5 - 0.75 - 0.2, 1) == 9.6
    assert list(spent["slowest_models"].items()) == [("m7", 7.0), ("m6", 6.0), ("m5", 5.0), ("m4", 4.0), ("m3", 3.0)]
    assert len(spent["slowest_models"]) == SLOWEST_MODELS
    assert time_in_nodes_text(spent) == (
        "models 28.0 s (m7 7.0 s, m6 6.0 s, m5 5.0 s, m4 4.0 s, m3 3.0 s), seeds 1.5 s, tests 0.8 s, "
        "snapshots 0.2 s; dbt's own start, parse and work around the nodes 9.6 s"
    )
    assert spent["parsed"] is True
    # a build whose project was parsed beside its copy (riia.build.dbt.parse_beside) says so
    ahead = time_in_nodes(progress.node_seconds, 40.0, parsed=False)
    assert time_in_nodes_text(ahead) == (
        "models 28.0 s (m7 7.0 s, m6 6.0 s, m5 5.0 s, m4 4.0 s, m3 3.0 s), seeds 1.5 s, tests 0.8 s, "
        "snapshots 0.2 s; dbt's own start and work around the nodes 9.6 s (the project was parsed beside "
        "the warehouse's copy)"
    )
    # a command that ran no node (nothing to do) spent its time in dbt's own work
    assert time_in_nodes([], 3.0) == {
        "nodes": 0,
        "in_nodes": {},
        "outside_nodes": 3.0,
        "slowest_models": {},
        "parsed": True,
    }


def test_a_failed_node_is_listed_with_what_went_wrong_not_the_advice_after_it() -> None:
    """dbt's message for a model that failed in DuckDB ends with DuckDB's advice; the line
    printed for it is the error itself (it was "See also https://duckdb.org/...")."""
    from riia.build.dbt import failure_line

    out_of_memory = (
        "Runtime Error in model int_view_benchmarks (models/intermediate/indicators/int_view_benchmarks.sql)\n"
        "  Out of Memory Error: could not allocate block of size 256.0 KiB (238.6 MiB/238.4 MiB used)\n"
        "  Possible solutions:\n"
        "  * Reducing the number of threads (SET threads=X)\n"
        "  See also https://duckdb.org/docs/stable/guides/performance/how_to_tune_workloads\n"
    )
    assert failure_line(out_of_memory).startswith("Out of Memory Error: could not allocate block")
    assert failure_line("Got 3 results, configured to fail if != 0") == "Got 3 results, configured to fail if != 0"
    assert failure_line("Compilation Error in model x (models/x.sql)\n  'foo' is undefined") == "'foo' is undefined"
    assert failure_line(None) == failure_line("  \n") == ""


def test_a_build_that_runs_out_of_memory_says_so_and_names_the_setting_to_raise(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sentence a data engineer reads when DuckDB hit its memory limit in a model: which
    model, the limit in force and the setting that raises it (not 'failed in dbt')."""
    from riia.build import dbt_failure
    from riia.build.dbt import DbtOutcome

    monkeypatch.setenv("RIIA_DUCKDB_MEMORY_LIMIT", "250MB")
    plan = SimpleNamespace(build_dir=tmp_path, dbt_target_path=tmp_path / "target")
    failed = DbtOutcome(False, failures=["int_view_benchmarks: Out of Memory Error: could not allocate block"])
    sentence = str(dbt_failure(failed, plan, tmp_path / "publications" / "x"))
    assert sentence.startswith("DuckDB ran out of memory in dbt (int_view_benchmarks) within its limit of 250MB")
    assert "e.g. RIIA_DUCKDB_MEMORY_LIMIT=500MB;" in sentence and "left as it was" in sentence
    monkeypatch.setenv("RIIA_DUCKDB_MEMORY_LIMIT", "2GB")
    assert "e.g. RIIA_DUCKDB_MEMORY_LIMIT=4GB;" in str(dbt_failure(failed, plan, tmp_path))
    other = DbtOutcome(False, failures=["not_null_fct_x_y: Got 3 results, configured to fail if != 0"])
    assert str(dbt_failure(other, plan, tmp_path)).startswith("The build failed in dbt (1 failure(s)")
