"""The suites' child process (riia.validation.child): `riia build` and `riia check` start it
before dbt, and int_validation_findings hands it its folder; dbt on its own starts one."""

from __future__ import annotations

import subprocess
from pathlib import Path

import duckdb
import pytest

from conftest import PROJECT_ROOT
from riia.validation import child
from riia.validation.suites import ASSET_KEYS, ITEM_LINES


def inputs_folder(folder: Path) -> Path:
    """A folder of validation inputs with no rows (nothing to find) and its parameters."""
    folder.mkdir(exist_ok=True)
    with duckdb.connect() as con:
        for name in (*ASSET_KEYS, ITEM_LINES):
            con.sql("select ''::varchar as file_path, ''::varchar as item_code where false").write_parquet(
                str(folder / f"{name}.parquet")
            )
    (folder / "parameters.json").write_text(f'{{"gx_dir": "{PROJECT_ROOT / "gx"}", "parameters": {{}}}}')
    return folder


def refuse(*args: object, **kwargs: object) -> None:
    raise AssertionError("started a child")


@pytest.fixture
def no_new_child(monkeypatch: pytest.MonkeyPatch) -> None:
    """A run that started a child of its own instead of using the one waiting fails."""
    monkeypatch.setattr(subprocess, "run", refuse)


def test_the_child_started_early_validates_the_folder_it_is_given(tmp_path: Path, no_new_child: None) -> None:
    folder = inputs_folder(tmp_path / "inputs")
    child.start_early()
    child.start_early()  # at most one waits
    assert len(child._waiting) == 1
    child.run(folder)
    assert not child._waiting
    with duckdb.connect() as con:
        assert con.read_parquet(str(folder / "findings.parquet")).columns[:2] == ["file_path", "source_file"]


def test_an_error_in_the_child_started_early_says_what_it_printed(tmp_path: Path, no_new_child: None) -> None:
    child.start_early()
    with pytest.raises(RuntimeError, match=r"exit 1\)(.|\n)*No such file(.|\n)*parameters\.json"):
        child.run(tmp_path / "missing")
    assert not child._waiting


def test_without_a_child_waiting_the_model_starts_one(tmp_path: Path) -> None:
    folder = inputs_folder(tmp_path / "inputs")
    assert not child._waiting
    child.run(folder)
    assert (folder / "findings.parquet").is_file()


def test_in_this_process_the_suites_run_here_unless_a_child_waits(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # as the tests' builds run them (conftest.invoke_dbt): no child is started
    folder = inputs_folder(tmp_path / "inputs")
    assert not child._waiting
    with child.in_this_process(), monkeypatch.context() as patched:
        patched.setattr(subprocess, "run", refuse)
        patched.setattr(subprocess, "Popen", refuse)
        child.run(folder)
    assert (folder / "findings.parquet").is_file()
    # a child started early is still the one used
    again = inputs_folder(tmp_path / "again")
    child.start_early()
    with child.in_this_process():
        child.run(again)
    assert not child._waiting and (again / "findings.parquet").is_file()
    assert not child._here


def test_a_child_no_model_used_is_ended() -> None:
    child.start_early()
    (process, _) = child._waiting[0]
    child.discard()
    assert process.poll() is not None and not child._waiting


def test_great_expectations_is_imported_without_what_no_suite_uses() -> None:
    # in a process of its own: this one may have imported GE (and scipy.stats) already
    script = """
import sys
from riia.validation.suites import DEFERRED_MODULES, import_great_expectations
gx = import_great_expectations()
assert DEFERRED_MODULES == ("scipy.stats",)
assert "scipy.stats._stats_py" not in sys.modules  # imported by scipy.stats when it loads
from scipy import stats  # as GE's KL-divergence expectation does: loaded when first used
assert abs(stats.entropy([1, 1], [1, 2]) - 0.0589) < 1e-4 and "scipy.stats._stats_py" in sys.modules
assert gx.get_context is not None
"""
    proc = subprocess.run([child.COMMAND[0], "-c", script], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stderr[-3000:]
