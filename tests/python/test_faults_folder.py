"""Fault injection, part 1: the returns folder (RETURN_TEMPLATE.md 1b) and the command line,
without a dbt build (seconds).

Each test puts one fault in a returns folder or the environment and asserts the four
outcomes at the loader's level: nothing lost (every entry listed in the landing table with
what the build does with it and why), nothing wrong read (a file not to be read has no
content landed), nothing leaked (e.g. no /etc/passwd text in the warehouse), and a command
that fails says so in one sentence with no traceback (faultkit.assert_one_sentence).
The same faults through a whole build: test_faults_build.py.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import stat
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import duckdb
import pytest

import faultkit as fk
from conftest import PARSES, write_valid_return
from riia import intake
from riia.sample import marker

P1 = "2024-25 Q1"


def land(
    root: Path,
    con: duckdb.DuckDBPyConnection | None = None,
    now: datetime | None = None,
    reread: bool = False,
    **rules: object,
) -> dict[str, dict]:
    """Load `root` as a build does into a warehouse (`con`, else a scratch one): {file_path:
    landed row}."""
    folder_rules = intake.FolderRules(**{"settle_seconds": 0, **rules})
    with contextlib.nullcontext(con) if con is not None else duckdb.connect() as warehouse:
        counts = intake.load(warehouse, root, folder_rules, now=now, reread=reread)
        relation = warehouse.sql("select * from raw.la_return_files")
        landed = {row[0]: dict(zip(relation.columns, row, strict=True)) for row in relation.fetchall()}
    assert sum(counts.values()) == len(landed), "every entry is one landed row"
    for row in landed.values():
        # nothing lost: every entry says what the build does with it, and why when not read
        assert row["intake_status"] in (
            "read",
            "too_large",
            "unreadable",
            "link_outside",
            "not_a_return",
            "waiting",
            "ignored",
        )
        if row["intake_status"] == "read":
            assert row["content"] is not None and row["file_sha256"] == hashlib.sha256(row["content"]).hexdigest()
        else:
            assert row["intake_problem"], row
            assert row["content"] is None, "a file not to be read has no content landed"
    return landed


def valid(root: Path, la_code: str = "805", period: str = P1, **overrides: object) -> Path:
    return write_valid_return(root, la_code, period, **overrides)


def no_passwd(landed: dict[str, dict]) -> None:
    for row in landed.values():
        text = b"".join(bytes(v) if isinstance(v, bytes | bytearray) else str(v).encode() for v in row.values())
        assert not fk.PASSWD_MARKERS.search(text.decode("latin-1")), row["file_path"]


# --------------------------------------------------------------------------- links


def test_link_to_etc_passwd_named_as_a_resubmission_is_never_read(tmp_path: Path) -> None:
    root = tmp_path / "returns"
    first = valid(root)
    (first.parent / "805_2024-25_Q1_v2.csv").symlink_to("/etc/passwd")
    landed = land(root)
    link = landed["2024-25_Q1/805_2024-25_Q1_v2.csv"]
    assert link["intake_status"] == "link_outside"
    assert landed["2024-25_Q1/805_2024-25_Q1.csv"]["intake_status"] == "read"
    no_passwd(landed)


def test_link_to_a_folder_outside_is_not_walked(tmp_path: Path) -> None:
    root = tmp_path / "returns"
    valid(root)
    outside = tmp_path / "elsewhere"
    valid(outside, "806")
    (root / "more").symlink_to(outside)
    (root / "etc").symlink_to("/etc")
    landed = land(root)
    assert landed["more"]["intake_status"] == landed["etc"]["intake_status"] == "link_outside"
    assert not [p for p in landed if p.startswith(("more/", "etc/"))]
    no_passwd(landed)


def test_a_link_inside_is_followed_once(tmp_path: Path) -> None:
    root = tmp_path / "returns"
    valid(root)
    (root / "again").symlink_to(root / "2024-25_Q1")
    (root / "itself").symlink_to(".")
    landed = land(root)
    read = [p for p, row in landed.items() if row["intake_status"] == "read"]
    assert read == ["2024-25_Q1/805_2024-25_Q1.csv"], "the same folder is not read twice through a link"


def test_a_loop_of_links_is_one_unreadable_entry_not_a_failed_build(tmp_path: Path) -> None:
    root = tmp_path / "returns"
    valid(root)
    (root / "806_2024-25_Q1.csv").symlink_to("807_2024-25_Q1.csv")
    (root / "807_2024-25_Q1.csv").symlink_to("806_2024-25_Q1.csv")
    (root / "loop").symlink_to("loop")
    landed = land(root)
    for name in ("806_2024-25_Q1.csv", "807_2024-25_Q1.csv", "loop"):
        assert landed[name]["intake_status"] == "unreadable" and "cannot be followed" in landed[name]["intake_problem"]
    assert landed["2024-25_Q1/805_2024-25_Q1.csv"]["intake_status"] == "read"


def test_a_dangling_link_is_listed_with_its_reason(tmp_path: Path) -> None:
    root = tmp_path / "returns"
    root.mkdir()
    (root / "805_2024-25_Q1.csv").symlink_to("gone.csv")
    assert land(root)["805_2024-25_Q1.csv"]["intake_status"] == "unreadable"


def test_a_folder_swapped_for_a_link_after_the_walk_is_not_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The race: the walk checked the path, then a folder on it became a link to /etc."""
    root = tmp_path / "returns"
    path = valid(root)
    real_read = intake._read

    def swap_then_read(real: Path, max_bytes: int, inside: Path | None = None) -> bytes:
        folder = real.parent
        folder.rename(tmp_path / "moved")
        fake = tmp_path / "fake"
        fake.mkdir()
        (fake / real.name).symlink_to("/etc/passwd")
        (fake / real.name).unlink()
        (fake / real.name).write_bytes(b"root:x:0:0:root:/root:/bin/bash\n")
        folder.symlink_to(fake)
        return real_read(real, max_bytes, inside)

    monkeypatch.setattr(intake, "_read", swap_then_read)
    landed = land(root)
    assert landed[path.relative_to(root).as_posix()]["intake_status"] == "link_outside"
    no_passwd(landed)


# --------------------------------------------------------------------------- not regular files


def test_a_fifo_socket_and_device_are_listed_not_read_and_do_not_hang(tmp_path: Path) -> None:
    root = tmp_path / "returns"
    valid(root)
    fk.make_fifo(root / "806_2024-25_Q1.csv")
    fk.make_socket(root / "807_2024-25_Q1.csv")
    names = ["806_2024-25_Q1.csv", "807_2024-25_Q1.csv"]
    try:
        os.mknod(root / "202_2024-25_Q1.csv", 0o644 | stat.S_IFCHR, os.makedev(1, 3))  # like /dev/null
        names.append("202_2024-25_Q1.csv")
    except PermissionError:
        pass  # no CAP_MKNOD here: the FIFO and the socket stand for device files
    started = time.monotonic()
    landed = land(root)
    assert time.monotonic() - started < 10, "a FIFO with no writer must not block the build"
    for name in names:
        assert landed[name]["intake_status"] == "not_a_return"


def test_a_folder_named_like_a_return_is_walked_as_a_folder(tmp_path: Path) -> None:
    root = tmp_path / "returns"
    (root / "805_2024-25_Q1.csv").mkdir(parents=True)
    valid(root / "805_2024-25_Q1.csv", "806")
    landed = land(root)
    assert [row["intake_status"] for row in landed.values()] == ["read"]


def test_a_file_the_build_may_not_read_is_t01_for_that_file_alone() -> None:
    """A real permission fault: the loader reads as the user `nobody` (root reads any file)."""
    if os.geteuid() != 0:
        pytest.skip("needs root to read as nobody")
    with tempfile.TemporaryDirectory(prefix="riia-nobody-") as scratch:  # a folder nobody can walk
        root = Path(scratch) / "returns"
        valid(root)
        secret = valid(root, "806")
        secret.chmod(0o000)
        for folder in (Path(scratch), root, root / "2024-25_Q1"):
            folder.chmod(0o755)
        os.setegid(65534)
        os.seteuid(65534)
        try:
            landed = land(root)
        finally:
            os.seteuid(0)
            os.setegid(0)
    assert landed["2024-25_Q1/806_2024-25_Q1.csv"]["intake_status"] == "unreadable"
    assert "Permission denied" in landed["2024-25_Q1/806_2024-25_Q1.csv"]["intake_problem"]
    assert landed["2024-25_Q1/805_2024-25_Q1.csv"]["intake_status"] == "read"


# --------------------------------------------------------------------------- size, time, names


def test_a_200_mb_file_is_t01_and_never_read(tmp_path: Path) -> None:
    root = tmp_path / "returns"
    fk.make_sparse(root / "805_2024-25_Q1.csv", 200 * 1024 * 1024)
    row = land(root)["805_2024-25_Q1.csv"]
    assert row["intake_status"] == "too_large" and "209,715,200 bytes" in row["intake_problem"]


def test_a_file_that_grows_while_being_read_is_too_large_not_truncated(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "returns"
    path = valid(root)
    real_read = intake._read

    def grow_then_read(real: Path, max_bytes: int, inside: Path | None = None) -> bytes:
        with real.open("ab") as handle:
            handle.write(b"805,2024-25 Q1,CONTACTS,9\n" * 100)
        return real_read(real, max_bytes, inside)

    monkeypatch.setattr(intake, "_read", grow_then_read)
    row = land(root, max_bytes=path.stat().st_size + 10)[path.relative_to(root).as_posix()]
    assert row["intake_status"] == "too_large"


def test_hidden_temporary_and_lock_files_are_ignored_with_a_reason(tmp_path: Path) -> None:
    root = tmp_path / "returns"
    valid(root)
    for name in (
        ".805_2024-25_Q2.csv",
        "~$805_2024-25_Q2.csv",
        ".#805_2024-25_Q2.csv",
        "805_2024-25_Q2.csv.tmp",
        "805_2024-25_Q2.csv~",
        ".hidden/805_2024-25_Q3.csv",
    ):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("la_code,period,item_code,value\n805,2024-25 Q2,CONTACTS,1\n")
    landed = land(root)
    ignored = {p for p, row in landed.items() if row["intake_status"] == "ignored"}
    assert ignored == {
        ".805_2024-25_Q2.csv",
        "~$805_2024-25_Q2.csv",
        ".#805_2024-25_Q2.csv",
        "805_2024-25_Q2.csv.tmp",
        "805_2024-25_Q2.csv~",
        ".hidden",
    }


def test_a_half_written_upload_waits_for_the_next_build(tmp_path: Path) -> None:
    root = tmp_path / "returns"
    valid(root)
    fk.set_age(root, 3600)
    upload = root / "2024-25_Q1" / "805_2024-25_Q1_v2.csv"
    upload.write_bytes(b"la_code,period,item_code,value\n805,2024-25 Q1,CONTACTS,1")  # still arriving
    landed = land(root, settle_seconds=60)
    assert landed["2024-25_Q1/805_2024-25_Q1_v2.csv"]["intake_status"] == "waiting"
    assert landed["2024-25_Q1/805_2024-25_Q1.csv"]["intake_status"] == "read"


def test_the_samples_files_are_read_the_moment_they_are_written_and_an_edited_one_waits(tmp_path: Path) -> None:
    """The sample generator's manifest (riia.sample.marker) says which bytes it wrote: such a
    file is whole however new, and is read at once (a newcomer's first build, `make dbt-test`);
    a file changed since, or one the generator did not write, waits like any other."""
    root = tmp_path / "returns"
    written = [valid(root, la_code) for la_code in ("805", "806", "807")]
    files = {path.relative_to(root).as_posix(): path.read_bytes() for path in written}
    marker.manifest_path(root).parent.mkdir()
    marker.manifest_path(root).write_text(marker.render_manifest("test", 1, P1, 1, files), encoding="utf-8")
    written[1].write_bytes(written[1].read_bytes() + b"806,2024-25 Q1,CONTACTS,1\n")  # edited after the generator
    extra = valid(root, "808")
    landed = land(root, settle_seconds=60)
    status = {path: landed[path.relative_to(root).as_posix()]["intake_status"] for path in (*written, extra)}
    assert status == {written[0]: "read", written[1]: "waiting", written[2]: "read", extra: "waiting"}


def test_a_modification_time_in_the_future_waits(tmp_path: Path) -> None:
    root = tmp_path / "returns"
    path = valid(root)
    future = time.time() + 86400 * 365
    os.utime(path, (future, future))
    row = land(root, settle_seconds=60)[path.relative_to(root).as_posix()]
    assert row["intake_status"] == "waiting" and "in the future" in row["intake_problem"]


def test_content_not_size_or_time_decides_what_changed(tmp_path: Path) -> None:
    root = tmp_path / "returns"
    path = valid(root, CONTACTS=1000)
    before = land(root)[path.relative_to(root).as_posix()]["file_fingerprint"]
    info = path.stat()
    os.utime(path, (info.st_atime + 999, info.st_mtime + 999))
    assert land(root)[path.relative_to(root).as_posix()]["file_fingerprint"] == before, "a touch changes nothing"
    path.write_bytes(path.read_bytes().replace(b"CONTACTS,1000", b"CONTACTS,1001"))
    os.utime(path, (info.st_atime, info.st_mtime))  # same size, same time, other content
    assert path.stat().st_size == info.st_size
    assert land(root)[path.relative_to(root).as_posix()]["file_fingerprint"] != before


class Loads:
    """Loads of one returns folder into one warehouse, as successive builds make them, each
    saying which files it read (riia.intake._read) and what it landed."""

    def __init__(self, root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        self.root, self.con, self.read = root, duckdb.connect(), []
        real_read = intake._read

        def counted(real: Path, max_bytes: int, inside: Path | None = None) -> bytes:
            self.read.append(real.relative_to(root).as_posix())
            return real_read(real, max_bytes, inside)

        monkeypatch.setattr(intake, "_read", counted)

    def load(self, seconds_from_now: float = 10, reread: bool = False, **rules: object) -> dict[str, dict]:
        """A load that starts `seconds_from_now` after now (the files' last change is then
        well before it, as between two quarterly builds): {file path: landed row}."""
        self.read.clear()
        at = datetime.now(UTC) + timedelta(seconds=seconds_from_now)
        landed = land(self.root, self.con, at, reread, **rules)
        tables = self.con.sql("select table_name from duckdb_tables() where schema_name = 'raw'").fetchall()
        assert sorted(tables) == [("la_return_files",), ("returns_folder",)], "the last load's rows are dropped"
        return landed


def what_landed(landed: dict[str, dict]) -> dict[str, list]:
    """Per file, what a load landed of it, its scan time aside."""
    columns = ("intake_status", "file_sha256", "file_fingerprint", "content", "file_stat_key", "file_bytes")
    return {path: [row[column] for column in columns] for path, row in landed.items()}


def test_a_file_the_last_load_read_is_not_read_again_until_it_changes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "returns"
    kept, rewritten, replaced = (valid(root, la) for la in ("805", "806", "807"))
    name = {path: path.relative_to(root).as_posix() for path in (kept, rewritten, replaced)}
    loads = Loads(root, monkeypatch)
    first = loads.load(seconds_from_now=20)
    assert sorted(loads.read) == sorted(name.values())

    # the next build, nothing changed: no file is read, and the same rows land
    again = loads.load(seconds_from_now=30)
    assert loads.read == []
    assert what_landed(again) == what_landed(first)

    # a file written in place, same size, its times set back; another replaced by a rename
    info = rewritten.stat()
    rewritten.write_bytes(rewritten.read_bytes().replace(b"CONTACTS,1000", b"CONTACTS,1001"))
    os.utime(rewritten, ns=(info.st_atime_ns, info.st_mtime_ns))
    assert rewritten.stat().st_size == info.st_size
    fresh = replaced.with_name(".upload.tmp")
    fresh.write_bytes(replaced.read_bytes().replace(b"CLA_END,150", b"CLA_END,151"))
    os.replace(fresh, replaced)
    changed = loads.load(seconds_from_now=40)
    assert sorted(loads.read) == sorted([name[rewritten], name[replaced]])
    assert b"CONTACTS,1001" in changed[name[rewritten]]["content"]
    assert b"CLA_END,151" in changed[name[replaced]]["content"]
    assert changed[name[kept]]["content"] == first[name[kept]]["content"]
    for path in (rewritten, replaced):
        assert changed[name[path]]["file_fingerprint"] != first[name[path]]["file_fingerprint"]

    # a build that rebuilds everything (riia build --full-refresh) reads every file again
    reread = loads.load(seconds_from_now=50, reread=True)
    assert sorted(loads.read) == sorted(name.values())
    assert what_landed(reread) == what_landed(changed)


def test_a_file_changed_just_before_a_load_is_read_again_by_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Within the same tick of the file system's clock, a write may leave a file's times as
    they were: a load does not vouch for a file that changed less than STAT_TRUST_SECONDS
    before it started."""
    root = tmp_path / "returns"
    path = valid(root)
    loads = Loads(root, monkeypatch)
    loads.load(seconds_from_now=intake.STAT_TRUST_SECONDS - 1.5)
    loads.load()
    assert loads.read == [path.relative_to(root).as_posix()]
    loads.load()
    assert loads.read == []


def test_every_rule_applies_to_a_file_not_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = tmp_path / "returns"
    path = valid(root)
    relative = path.relative_to(root).as_posix()
    loads = Loads(root, monkeypatch)
    loads.load()
    smaller = loads.load(max_bytes=path.stat().st_size - 1)
    assert smaller[relative]["intake_status"] == "too_large" and smaller[relative]["content"] is None
    assert loads.read == []
    # the limit raised again: the file is read, the last load having landed no bytes of it
    assert loads.load()[relative]["intake_status"] == "read"
    assert loads.read == [relative]


def test_a_warehouse_loaded_without_stat_keys_has_every_file_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = tmp_path / "returns"
    path = valid(root)
    loads = Loads(root, monkeypatch)
    loads.load()
    loads.con.execute("alter table raw.la_return_files drop column file_stat_key")  # an older version's table
    assert loads.load()[path.relative_to(root).as_posix()]["file_stat_key"] is not None
    assert loads.read == [path.relative_to(root).as_posix()]


def test_odd_names_are_landed_for_validation_not_dropped(tmp_path: Path) -> None:
    root = tmp_path / "returns"
    body = (valid(root)).read_bytes()
    for name in (
        "805_2024-25_Q1_v99999999999999999999.csv",
        "805 2024-25 Q1.csv",
        "805_2024-25_Q1 (1).csv",
        "805_2024-25_Q1.CSV",
    ):
        (root / name).write_bytes(body)
    (root / "805_2024-25_Q1.xlsx").write_bytes(b"PK\x03\x04")
    landed = land(root)
    assert {p: r["intake_status"] for p, r in landed.items() if "/" not in p} == {
        "805 2024-25 Q1.csv": "read",
        "805_2024-25_Q1 (1).csv": "read",
        "805_2024-25_Q1.CSV": "read",
        "805_2024-25_Q1.xlsx": "not_a_return",
        "805_2024-25_Q1_v99999999999999999999.csv": "read",
    }


def test_per_la_layout_records_the_folder_a_return_came_from(tmp_path: Path) -> None:
    root = tmp_path / "returns"
    valid(root / "805")
    valid(root / "806 Middlesbrough", "806")
    valid(root / "806", "873")  # in another LA's folder
    valid(root, "886")  # in no LA's folder
    codes = {p: r["folder_la_code"] for p, r in land(root, layout="per_la").items()}
    assert codes == {
        "805/2024-25_Q1/805_2024-25_Q1.csv": "805",
        "806 Middlesbrough/2024-25_Q1/806_2024-25_Q1.csv": "806",
        "806/2024-25_Q1/873_2024-25_Q1.csv": "806",
        "2024-25_Q1/886_2024-25_Q1.csv": None,
    }


def test_memory_is_bounded_by_the_size_limit_not_the_file(tmp_path: Path) -> None:
    """A 200 MB file adds nothing; a file at the limit (every byte a line break, the worst
    case) adds an amount that grows with the limit. Figures: faultkit.memory_with_large_file."""
    small = fk.memory_with_large_file(tmp_path / "a", 256 * 1024)
    assert small["at_limit_and_large"] - small["at_limit"] < 20, small  # the 200 MB file: never read
    assert small["at_limit_and_large_rows"] == small["at_limit_rows"] + 1  # listed: one row with its reason
    assert small["at_limit"] - small["empty"] < 400, small  # 256 KB of line breaks: bounded
    print(f"peak MB with a 256 KB worst-case file and a 200 MB file: {small}")


# --------------------------------------------------------------------------- the command line


def build_env(tmp_path: Path, returns: Path, **extra: str) -> dict[str, str]:
    return fk.riia_env(returns, tmp_path / "build", **extra)


def test_the_commands_that_read_the_warehouse_open_the_one_in_the_build_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `riia status`, `release`, `explain` and `docs` open riia.paths.warehouse_path(): with
    # RIIA_BUILD_DIR set, the build publishes there, and they read that build, not build/
    from riia import paths

    monkeypatch.delenv("RIIA_DUCKDB_PATH", raising=False)
    monkeypatch.delenv("RIIA_BUILD_DIR", raising=False)
    assert paths.warehouse_path() == paths.PROJECT_ROOT / "build" / "riia.duckdb"
    monkeypatch.setenv("RIIA_BUILD_DIR", str(tmp_path / "elsewhere"))
    assert paths.warehouse_path() == tmp_path / "elsewhere" / "riia.duckdb"
    monkeypatch.setenv("RIIA_DUCKDB_PATH", str(tmp_path / "given.duckdb"))  # named outright, it wins
    assert paths.warehouse_path() == tmp_path / "given.duckdb"


def test_a_mistyped_returns_dir_writes_no_sample_and_builds_nothing(tmp_path: Path) -> None:
    missing = tmp_path / "retruns"
    result = fk.run(["build"], build_env(tmp_path, missing))
    sentence = fk.assert_one_sentence(result)
    assert "does not exist" in sentence and "RIIA_RETURNS_DIR" in sentence
    assert not missing.exists(), "no sample written outside the default folder"
    assert not (tmp_path / "build" / "current").exists()


@pytest.mark.parametrize("case", ["empty_folder", "a_file", "empty_variable", "only_hidden_files"])
def test_a_returns_folder_that_holds_no_return_is_one_sentence(tmp_path: Path, case: str) -> None:
    returns = tmp_path / "returns"
    if case == "a_file":
        returns.write_text("not a folder")
    else:
        returns.mkdir()
    if case == "only_hidden_files":
        (returns / ".805_2024-25_Q1.csv").write_text("x")
    env = build_env(tmp_path, returns)
    if case == "empty_variable":
        env["RIIA_RETURNS_DIR"] = ""
    sentence = fk.assert_one_sentence(fk.run(["build"], env))
    assert "RIIA_RETURNS_DIR" in sentence
    assert sorted(p.name for p in tmp_path.iterdir()) == ["returns"] or case == "a_file"
    if returns.is_dir():
        assert [p.name for p in returns.iterdir()] == ([".805_2024-25_Q1.csv"] if case == "only_hidden_files" else [])


@pytest.mark.parametrize("where", ["under_a_file", "in_proc", "empty_variable"])
def test_an_unwritable_build_dir_is_one_sentence(tmp_path: Path, where: str) -> None:
    returns = tmp_path / "returns"
    valid(returns)
    (tmp_path / "a_file").write_text("")
    build_dir = {
        "under_a_file": str(tmp_path / "a_file" / "build"),
        "in_proc": "/proc/riia-build",
        "empty_variable": "",
    }
    env = fk.riia_env(returns, Path("."), RIIA_BUILD_DIR=build_dir[where])
    sentence = fk.assert_one_sentence(fk.run(["build"], env))
    assert "RIIA_BUILD_DIR" in sentence
    assert "Nothing was changed" in sentence or "empty" in sentence


@pytest.mark.parametrize(
    ("limit", "step", "parsed"),
    # at load, with a parse as every quarterly build has: the disk fills there either way, and
    # the build reaches it without parsing the project first (some 5 s of CPU)
    [(4096, "load", True), (16 * 1024, "dbt", False), (16 * 1024, "dbt", True)],
    ids=["load", "dbt-parsing", "dbt-parsed"],
)
def test_a_full_disk_is_one_sentence_and_publishes_nothing(tmp_path: Path, limit: int, step: str, parsed: bool) -> None:
    """RLIMIT_FSIZE in the child: its writes fail with EFBIG, as close to a full disk as a
    test without root's loop devices gets (the build names the size limit, honestly).
    `parsed`: the build folder holds dbt's parse of an earlier build, as every quarterly
    build's does, so dbt writes no parse and the first writes to fail are its log's and the
    warehouse's (without, its parse is)."""
    returns = tmp_path / "returns"
    for la_code in ("805", "806", "807"):
        valid(returns, la_code)
    env = build_env(tmp_path, returns)
    if parsed:
        # the parse an earlier build with these settings kept (conftest.Parses), or, when no
        # build of the run has kept one yet, that of a build made here first
        target, kind = fk.dbt_parse(["build"], env)
        PARSES.lend(kind, target)
        if not (target / "partial_parse.msgpack").is_file():
            fk.assert_succeeded(fk.run(["build"], build_env(tmp_path / "earlier", returns)))
            PARSES.lend(kind, target)
        assert (target / "partial_parse.msgpack").is_file()
    result = fk.run(["build"], env, preexec_fn=fk.limit_file_size(limit), lend_parse=False)
    sentence = fk.assert_one_sentence(result)
    assert "largest size this process may write" in sentence and f"at step {step}" in sentence
    assert "published build was left as it was" in sentence
    assert not (tmp_path / "build" / "current").exists()
    leftovers = list((tmp_path / "build" / "publications").iterdir())
    assert len(leftovers) == 1 and (leftovers[0] / "FAILED").is_file(), "it says what it left behind"
    assert str(leftovers[0]) in sentence


def test_riia_load_and_check_on_a_locked_warehouse_are_one_sentence(tmp_path: Path) -> None:
    returns = tmp_path / "returns"
    path = valid(returns)
    locked = tmp_path / "locked.duckdb"
    holder = duckdb.connect(str(locked))  # an analyst holding it open for writing
    try:
        env = build_env(tmp_path, returns)
        load = fk.run(["load", "--db", str(locked), "--returns", str(returns)], env)
        assert "close the program holding it open" in fk.assert_one_sentence(load)
        check = fk.run(["check", "--warehouse", str(locked), str(path)], env)
        assert "cannot be opened" in fk.assert_one_sentence(check)
        assert check.returncode == 2, "1 means 'errors found in the return'"
    finally:
        holder.close()


@pytest.mark.parametrize("case", ["no_build_made_it", "held_open_for_writing"])
def test_the_commands_that_read_the_warehouse_say_in_one_sentence_that_they_cannot(tmp_path: Path, case: str) -> None:
    """A DuckDB file no build made (as one a build of an earlier version made, it lacks a
    table this version reads), or a program holding the warehouse open for writing: `riia
    status`, `release`, `explain` and `checksums` say so in one sentence
    (riia.paths.unreadable_warehouse)."""
    warehouse = tmp_path / "riia.duckdb"
    holder = duckdb.connect(str(warehouse))
    if case == "no_build_made_it":
        holder.close()
    env = build_env(tmp_path, tmp_path, RIIA_DUCKDB_PATH=str(warehouse))
    try:
        for args, what in (
            (["status"], "The returns tracker"),
            (
                ["release", "SE", "2024-25 Q4", "--checked-by", "A Person", "--on", "2025-06-01"],
                "The quarter's returns",
            ),
            (["explain", "805", "2024-25 Q4", "CLA_END"], "The figure"),
            # riia checksums reads any file's marts: one no build made holds none (test_checksums)
            *(
                [(["checksums", str(warehouse)], "The marts and shared tables")]
                if case == "held_open_for_writing"
                else []
            ),
        ):
            result = fk.run(args, env)
            sentence = fk.assert_one_sentence(result)
            assert sentence.startswith(f"{what} could not be read from {warehouse} ("), sentence
            error = "CatalogException" if case == "no_build_made_it" else "IOException"
            assert f"({error}: " in sentence and "`riia build` publishes a warehouse" in sentence, sentence
    finally:
        holder.close()


def test_riia_check_of_a_fifo_is_one_sentence(tmp_path: Path) -> None:
    fifo = fk.make_fifo(tmp_path / "805_2024-25_Q1.csv")
    result = fk.run(["check", "--no-warehouse", str(fifo)], build_env(tmp_path, tmp_path))
    assert "Not a file" in fk.assert_one_sentence(result)


def test_the_loader_never_modifies_the_returns_folder(tmp_path: Path) -> None:
    root = tmp_path / "returns"
    valid(root)
    (root / "x.csv").symlink_to("/etc/passwd")
    before = {p: (p.lstat().st_mtime_ns, p.lstat().st_size) for p in root.rglob("*")}
    land(root)
    land(root, layout="per_la", settle_seconds=60)
    assert {p: (p.lstat().st_mtime_ns, p.lstat().st_size) for p in root.rglob("*")} == before


def test_replacing_an_old_exports_folder_never_leaves_exports_missing(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The stable paths (exports/, reports/) replace folders left by an older pipeline: at
    every step of the swap, exports/ exists."""
    from riia.build import publication

    project = tmp_path / "project"
    (project / "exports" / "dfe").mkdir(parents=True)
    (project / "exports" / "dfe" / "old.csv").write_text("old")
    publications = publication.Publications(project / "build")
    (project / "build" / "publications" / "p1" / "exports").mkdir(parents=True)
    (project / "build" / "current").symlink_to("publications/p1")
    seen = []
    real_rmtree, real_replace = publication.shutil.rmtree, publication.os.replace

    def watch(real):
        def call(*args, **kwargs):
            seen.append(os.path.lexists(project / "exports") and (project / "exports").exists())
            return real(*args, **kwargs)

        return call

    monkeypatch.setattr(publication.shutil, "rmtree", watch(real_rmtree))
    monkeypatch.setattr(publication.os, "replace", watch(real_replace))
    publications.link_stable_paths(project, project / "build")
    assert (project / "exports").is_symlink() and (project / "exports").resolve() == (
        project / "build/publications/p1/exports"
    )
    assert seen and all(seen), seen
