"""Fault injection, part 3: builds killed, stopped, run twice at once, on one build folder.

The build's test hook (RIIA_TEST_PAUSE_AT, riia.build.pause_for_tests) holds it at a step
boundary so a test can act exactly there. One chain of builds on one returns folder and one
build folder (module fixture `chain`), each observation a test:

1. build B is SIGKILLed at `prune`, after its publication switched: B is published, whole;
2. build X1 pauses at `prepare`, its folder made; a second build stops at once naming X1; a
   third (X3, --wait) waits; X1 is SIGKILLed there; X3 then runs, clears X1's folder and
   says so;
3. X3 pauses at `exports`, `reports` and `publish`: at each, the build folder is copied - the
   exact files a SIGKILL there leaves (a kill adds nothing to disk and a paused build holds
   no file open) - and the next build run on each copy must find the previous publication
   whole and clear the leftover, saying so; then X3 finishes while a reader holds the
   warehouse open; the snapshot history spans B and X3;
4. SIGKILL at `dbt`, Ctrl-C at `load`, SIGTERM in the middle of dbt, a disk that fills while
   the published warehouse is copied: the publication stays;
5. a `current` link leading nowhere stops the build instead of starting an empty history.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
from dataclasses import dataclass, field
from pathlib import Path

import duckdb
import pytest

import faultkit as fk
from conftest import write_valid_return

pytestmark = pytest.mark.build
LAS = ("805", "806", "202")
PERIODS = ("2024-25 Q1", "2024-25 Q2")


@dataclass
class Chain:
    returns: Path
    build_dir: Path
    seen: dict[str, object] = field(default_factory=dict)


def publication_state(build_dir: Path) -> dict[str, str]:
    """What a reader of the published build sees: every file's digest and every table's rows."""
    folder = fk.current(build_dir)
    state = {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file() and p.suffix != ".duckdb"
    }
    state["current"] = folder.name
    with duckdb.connect(str(build_dir / "riia.duckdb"), read_only=True) as con:
        for schema, table in con.sql("select schema_name, table_name from duckdb_tables() order by all").fetchall():
            rows = con.sql(f'select * from "{schema}"."{table}" order by all').fetchall()
            state[f"{schema}.{table}"] = hashlib.sha256(repr(rows).encode()).hexdigest()
    return state


def paused(build_dir: Path, step: str, proc, timeout: float = 600) -> Path:
    marker = build_dir / f".paused-{step}"
    fk.wait_for_file(marker, proc, timeout)
    return marker


def kill(proc, sig: int = signal.SIGKILL) -> fk.Finished:
    os.killpg(proc.pid, sig)
    return fk.finish(proc, 120)


def cleared_by_next_build(returns: Path, build_dir: Path) -> str:
    """Start a build on `build_dir`, stop it once it has cleared what earlier builds left and
    made its own folder (SIGKILL at `prepare`, before its copy and dbt's parse), and return
    what it said; the marker it leaves is removed."""
    proc = fk.start(["build"], fk.riia_env(returns, build_dir, RIIA_TEST_PAUSE_AT="prepare"))
    marker = paused(build_dir, "prepare", proc, 120)
    said = kill(proc).stdout
    marker.unlink()
    return said


def leftover(build_dir: Path) -> Path:
    (found,) = [p for p in (build_dir / "publications").iterdir() if (p / "BUILDING").exists()]
    return found


@pytest.fixture(scope="module")
def chain(tmp_path_factory: pytest.TempPathFactory) -> Chain:
    root = tmp_path_factory.mktemp("kill")
    c = Chain(root / "returns", root / "build")
    for period in PERIODS:
        for la_code in LAS:
            write_valid_return(c.returns, la_code, period)
    env = fk.riia_env(c.returns, c.build_dir)
    seen = c.seen

    # 1. B, killed after its publication switched
    proc = fk.start(["build"], env | {"RIIA_TEST_PAUSE_AT": "prune"})
    marker = paused(c.build_dir, "prune", proc)
    seen["B"] = kill(proc)
    marker.unlink()
    seen["B_state"] = publication_state(c.build_dir)

    # 2. two builds at once, then a third that waits
    write_valid_return(c.returns, "805", PERIODS[0], version=2, CONTACTS=1111)
    x1 = fk.start(["build"], env | {"RIIA_TEST_PAUSE_AT": "prepare"})
    marker = paused(c.build_dir, "prepare", x1)
    seen["X1_folder"] = leftover(c.build_dir).name
    seen["X1_pid"] = x1.pid
    seen["X2"] = fk.run(["build"], env)
    seen["X1_intact_after_X2"] = (c.build_dir / "publications" / str(seen["X1_folder"]) / "BUILDING").exists()
    x3 = fk.start(["build", "--wait", "600"], env | {"RIIA_TEST_PAUSE_AT": "exports,reports,publish"})
    fk.wait_until(lambda: "Waiting up to 600 s" in fk.printed(x3), "X3 said it waits", x3, 120)
    seen["X3_waiting"] = fk.printed(x3)
    seen["X3_waited"] = x3.poll() is None and not (c.build_dir / ".paused-exports").exists()
    kill(x1)
    marker.unlink()

    # 3. X3 at each later boundary: the files a kill would leave, copied; then it finishes
    reader = duckdb.connect(str(c.build_dir / "riia.duckdb"), read_only=True)
    seen["reader_before"] = reader.sql("select count(*) from marts.fct_returns").fetchone()[0]
    for step in ("exports", "reports", "publish"):
        marker = paused(c.build_dir, step, x3)
        copy = root / f"killed_at_{step}"
        shutil.copytree(c.build_dir, copy, symlinks=True, ignore=shutil.ignore_patterns(".paused-*", "target"))
        seen[f"{step}_state"] = publication_state(copy)
        seen[f"{step}_leftover"] = leftover(copy).name
        seen[f"{step}_next"] = cleared_by_next_build(c.returns, copy)
        marker.unlink()
    seen["X3"] = fk.finish(x3)
    seen["reader_after"] = reader.sql("select count(*) from marts.fct_returns").fetchone()[0]
    reader.close()
    seen["X3_state"] = publication_state(c.build_dir)

    # 4. SIGKILL at dbt, Ctrl-C at load, SIGTERM in the middle of dbt
    proc = fk.start(["build"], env | {"RIIA_TEST_PAUSE_AT": "dbt"})
    marker = paused(c.build_dir, "dbt", proc)
    seen["kill_dbt"] = kill(proc)
    marker.unlink()
    proc = fk.start(["build"], env | {"RIIA_TEST_PAUSE_AT": "load"})
    marker = paused(c.build_dir, "load", proc)
    os.kill(proc.pid, signal.SIGINT)
    seen["ctrl_c"] = fk.finish(proc, 120)
    marker.unlink(missing_ok=True)
    proc = fk.start(["build"], env | {"RIIA_TEST_PAUSE_AT": "dbt"})
    marker = paused(c.build_dir, "dbt", proc)
    log = c.build_dir / "target" / "logs" / "dbt.log"  # riia.build.dbt_target_path; dbt appends to it
    written = log.stat().st_size if log.exists() else 0
    marker.unlink()
    fk.wait_for_text(log, " START sql ", proc, after=written)  # dbt is building its models
    os.kill(proc.pid, signal.SIGTERM)
    seen["sigterm"] = fk.finish(proc, 300)
    # a disk that fills while the build copies the published warehouse (riia.paths.copy_to_disk)
    warehouse = c.build_dir / "riia.duckdb"
    seen["copy_full"] = fk.run(["build"], env, preexec_fn=fk.limit_file_size(warehouse.stat().st_size // 2))
    seen["after_kills_state"] = publication_state(c.build_dir)
    seen["after_kills_next"] = cleared_by_next_build(c.returns, c.build_dir)

    # 5. a current link leading nowhere
    broken = root / "broken"
    shutil.copytree(c.build_dir, broken, symlinks=True, ignore=shutil.ignore_patterns("target"))
    shutil.rmtree(fk.current(broken))
    seen["broken_before"] = sorted(p.name for p in (broken / "publications").iterdir())
    seen["broken"] = fk.run(["build"], fk.riia_env(c.returns, broken))
    seen["broken_after"] = sorted(p.name for p in (broken / "publications").iterdir())
    return c


def test_killed_after_the_switch_the_new_publication_is_whole(chain: Chain) -> None:
    b = chain.seen["B"]
    assert b.returncode == -signal.SIGKILL and "[5/5] Published" in b.stdout
    folder = fk.current(chain.build_dir)
    assert folder.parent.name == "publications" and not (folder / "BUILDING").exists()
    for name in ("riia.duckdb", "build.json", "exports/README.txt", "reports/index.html"):
        assert (folder / name).is_file(), name


def test_a_second_build_stops_at_once_naming_the_running_one(chain: Chain) -> None:
    sentence = fk.assert_one_sentence(chain.seen["X2"])
    assert "Another build is running" in sentence and f"process {chain.seen['X1_pid']}" in sentence
    assert "--wait" in sentence
    assert chain.seen["X1_intact_after_X2"], "the second build deleted nothing of the first's"


def test_with_wait_a_build_runs_after_the_running_one(chain: Chain) -> None:
    assert chain.seen["X3_waited"], "X3 waited for the lock"
    (said,) = [line for line in chain.seen["X3_waiting"].splitlines() if line.startswith("Waiting up to 600 s")]
    assert said.startswith("Waiting up to 600 s for another build to finish: the build started at ")
    assert f"process {chain.seen['X1_pid']}" in said
    fk.assert_succeeded(chain.seen["X3"])
    assert f"Cleared the files of {chain.seen['X1_folder']} (a build that was interrupted)" in chain.seen["X3"].stdout


@pytest.mark.parametrize("step", ["exports", "reports", "publish"])
def test_killed_at_a_step_the_previous_publication_is_untouched_and_cleared_next(chain: Chain, step: str) -> None:
    assert chain.seen[f"{step}_state"] == chain.seen["B_state"]
    assert (
        f"Cleared the files of {chain.seen[f'{step}_leftover']} (a build that was interrupted)"
        in chain.seen[f"{step}_next"]
    )


def test_a_reader_holding_the_warehouse_keeps_its_view(chain: Chain) -> None:
    assert chain.seen["reader_before"] == chain.seen["reader_after"] == len(LAS) * len(PERIODS)
    assert chain.seen["X3_state"]["current"] != chain.seen["B_state"]["current"]


def test_snapshot_history_survives_builds_in_a_row_and_killed_ones(chain: Chain) -> None:
    history = fk.scalar(
        chain.build_dir / "riia.duckdb",
        "select list(value_text || '@' || (dbt_valid_to is null) order by dbt_valid_from) "
        "from snapshots.snp_accepted_return_values where la_code = '805' and period = ? and item_code = 'CONTACTS'",
        PERIODS[0],
    )
    assert history == ["1000@false", "1111@true"]


def test_killed_at_dbt_the_publication_is_untouched(chain: Chain) -> None:
    assert chain.seen["kill_dbt"].returncode == -signal.SIGKILL
    assert chain.seen["after_kills_state"] == chain.seen["X3_state"]


def test_ctrl_c_is_one_sentence_saying_what_was_left(chain: Chain) -> None:
    result = chain.seen["ctrl_c"]
    sentence = fk.assert_one_sentence(result)
    assert result.returncode == 130 and "stopped (Ctrl-C) at step load" in sentence
    assert "published build was left as it was" in sentence


def test_sigterm_during_dbt_is_one_sentence_and_leaves_the_publication(chain: Chain) -> None:
    result = chain.seen["sigterm"]
    sentence = fk.assert_one_sentence(result)
    assert "stopped (SIGTERM) at step dbt" in sentence and "published build was left as it was" in sentence
    assert chain.seen["after_kills_state"] == chain.seen["X3_state"]


def test_a_disk_full_while_the_warehouse_is_copied_is_one_sentence_and_leaves_the_publication(chain: Chain) -> None:
    """The copy fails half way (RLIMIT_FSIZE at half the published warehouse's size)."""
    sentence = fk.assert_one_sentence(chain.seen["copy_full"])
    assert "largest size this process may write" in sentence and "at step prepare" in sentence
    assert "published build was left as it was" in sentence
    assert chain.seen["after_kills_state"] == chain.seen["X3_state"]


def test_the_next_build_clears_every_leftover_and_says_so(chain: Chain) -> None:
    """Each build clears what the one before it left: killed (BUILDING) or stopped (FAILED)."""
    assert "(a build that was interrupted)" in chain.seen["ctrl_c"].stdout  # the one killed at dbt
    assert "(a build that failed)" in chain.seen["sigterm"].stdout  # the one stopped by Ctrl-C
    assert "(a build that failed)" in chain.seen["copy_full"].stdout  # the one stopped by SIGTERM
    assert "(a build that failed)" in chain.seen["after_kills_next"]  # the one whose copy failed


def test_a_current_link_leading_nowhere_stops_instead_of_losing_history(chain: Chain) -> None:
    sentence = fk.assert_one_sentence(chain.seen["broken"])
    assert "does not lead to a published warehouse" in sentence and "history" in sentence
    # leftovers may be cleared first, but no build folder is started from an empty warehouse
    assert set(chain.seen["broken_after"]) <= set(chain.seen["broken_before"]), "nothing was built from empty"
