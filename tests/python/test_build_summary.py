"""The build's closing summary and failure sentences (riia.build): what a data engineer must act on."""

from __future__ import annotations

from pathlib import Path

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


def test_dbt_progress_is_a_line_a_tenth_not_a_line_a_node() -> None:
    """riia.build.dbt's progress: about ten lines for a build (dbt says how many nodes),
    and none for every node when it does not (`dbt docs generate` printed 537 lines)."""
    from types import SimpleNamespace

    from riia.build.dbt import _Progress

    def event(name: str, **data: int) -> SimpleNamespace:
        return SimpleNamespace(info=SimpleNamespace(name=name), data=SimpleNamespace(**data))

    for total, most in ((300, 10), (0, 0)):
        said: list[str] = []
        progress = _Progress(said.append)
        if total:
            progress(event("LogStartLine", total=total))
        for _ in range(300):
            progress(event("NodeFinished"))
        assert len(said) == most, said
    assert said == [] and progress.done == 300


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
    from types import SimpleNamespace

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
