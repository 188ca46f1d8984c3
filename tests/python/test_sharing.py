"""Sharing scopes (SHARING.md), proved against real builds of a project copy.

The copy ships the example configuration with these changes, so that every rule has
something to bite on (today = the build date, well after every date below):
  * NE's agreement with DfE expired on 2024-12-31; YH's starts in 2030 (not yet in
    force); WM's was terminated on 2025-01-01. Their other agreements are untouched.
  * Camden (202) is excepted from the cross-regional (d2i) audience.
  * 2019-20 Q1 was released by London and the South East on 2019-09-01 (for the
    as-of-date tests on SE's 2019 MoU with DfE).
The shipped releases leave 2024-25 Q4 unreleased for the North West and South West.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from conftest import Build, append_seed_rows, copy_project, run_dbt, write_valid_return

REGIONAL_ITEMS_EM = dict(EH_OPEN_END=300, EH_ASSESS_NEW=120, EH_STEP_UP=20, EH_STEP_DOWN=25, CLA_MISSING=15,
                         SW_FTE="180.50", SW_AGENCY_FTE="30.25", SW_VACANCY_FTE="35.00")
REGIONAL_ITEMS_SE = dict(CLA_ADOPTED=2, A1_DAYS=900, A1_CHILDREN=2, A2_DAYS=400, A2_CHILDREN=2, A3_UNDER_14M=1)

# Q3: 14 LAs in regions with an ADCS agreement (London 5, NE 3, NW 2, SW 2, WM 1, YH 1) plus EM and SE.
Q3_LAS = ["202", "203", "204", "205", "206", "805", "806", "807", "350", "351", "800", "801", "330", "370", "831", "826"]
# Q4: only 3 LAs of ADCS regions whose quarter is released (202, 203, 805): under the minimum of 10.
Q4_LAS = ["202", "203", "805", "350", "800", "831", "826"]


def rewrite_seed(project: Path, seed: str, change) -> None:  # noqa: ANN001 - a row -> row function
    path = next(project.joinpath("seeds").rglob(f"{seed}.csv"))
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    fields = list(rows[0])
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(change(dict(row)) for row in rows)


def regional_items(la_code: str) -> dict:
    return REGIONAL_ITEMS_EM if la_code == "831" else REGIONAL_ITEMS_SE if la_code == "826" else {}


@pytest.fixture(scope="module")
def sharing_build(tmp_path_factory: pytest.TempPathFactory) -> Build:
    root = tmp_path_factory.mktemp("sharing")
    project = copy_project(root / "project")

    def change_agreement(row: dict) -> dict:
        if row["agreement_id"] == "NE-DFE-2023":
            row["in_force_to"] = "2024-12-31"
        if row["agreement_id"] == "YH-DFE-2023":
            row["in_force_from"] = "2030-01-01"
        if row["agreement_id"] == "WM-DFE-2023":
            row["terminated_on"] = "2025-01-01"
        return row

    rewrite_seed(project, "sharing_agreements", change_agreement)
    append_seed_rows(project, "la_sharing_exceptions", [("202", "d2i", "2020-01-01", "", "Camden takes part in cross-regional sharing on a limited basis (London MoU 1.4)")])
    append_seed_rows(project, "quarter_releases", [
        ("E12000007", "2019-20 Q1", "LIIA data and intelligence team", "2019-09-01"),
        ("E12000008", "2019-20 Q1", "SE Data and Business Group (DBG)", "2019-09-01"),
    ])
    returns = root / "returns"
    for la_code in Q3_LAS:
        write_valid_return(returns, la_code, "2024-25 Q3", **regional_items(la_code))
    for la_code in Q4_LAS:
        write_valid_return(returns, la_code, "2024-25 Q4", **regional_items(la_code))
    for la_code in ("826", "202"):
        write_valid_return(returns, la_code, "2019-20 Q1", **regional_items(la_code))
    build = run_dbt(returns, root / "riia.duckdb", project_dir=project)
    build.project_dir = project  # type: ignore[attr-defined]
    return build


def las(build: Build, model: str, where: str = "true") -> set[str]:
    return {row[0] for row in build.query(f"select distinct la_code from sharing.{model} where {where}")}


@pytest.mark.build
def test_expired_not_yet_in_force_and_terminated_agreements_share_nothing(sharing_build: Build) -> None:
    dfe = las(sharing_build, "shr_dfe__riia_core")
    assert not dfe & {"805", "806", "807"}, "NE: agreement expired"
    assert "370" not in dfe, "YH: agreement not yet in force"
    assert "330" not in dfe, "WM: agreement terminated"
    assert {"202", "203", "826", "350"} <= dfe, "regions with an agreement in force do share"
    # their other agreements are untouched
    assert {"805", "370", "330"} <= las(sharing_build, "shr_d2i__riia_core")


@pytest.mark.build
def test_an_excepted_la_disappears_from_that_audience_only(sharing_build: Build) -> None:
    assert "202" not in las(sharing_build, "shr_d2i__riia_core")
    assert "202" in las(sharing_build, "shr_dfe__riia_core")
    assert "202" in las(sharing_build, "shr_regional__indicators")


@pytest.mark.build
def test_an_unreleased_quarter_reaches_only_its_own_region_marked_provisional(sharing_build: Build) -> None:
    rows = sharing_build.query(
        "select distinct region_code, is_provisional from sharing.shr_regional__indicators "
        "where la_code = '350' and period = '2024-25 Q4'"
    )
    assert rows == [("E12000002", True)]
    for model in ("shr_dfe__riia_core", "shr_d2i__riia_core"):
        assert not sharing_build.query(
            f"select 1 from sharing.{model} where la_code in ('350', '800') and period = '2024-25 Q4'"
        ), model
    # a released quarter of the same LA goes out, and is not provisional at home
    assert las(sharing_build, "shr_dfe__riia_core", "period = '2024-25 Q3'") >= {"350", "800"}
    assert sharing_build.scalar(
        "select bool_or(is_provisional) from sharing.shr_regional__indicators where period = '2024-25 Q3'"
    ) is False


@pytest.mark.build
def test_regional_items_never_leave_their_region(sharing_build: Build) -> None:
    regional = {row[0] for row in sharing_build.query("select item_code from reference.ref_items where item_set = 'regional'")}
    for model in ("shr_dfe__riia_core", "shr_d2i__riia_core", "shr_adcs__national"):
        codes = {row[0] for row in sharing_build.query(f"select distinct indicator_code from sharing.{model}")}
        assert codes and not codes & regional, model
    # ...but each region sees its own regional items, and only its own
    em = sharing_build.query(
        "select distinct region_code from sharing.shr_regional__indicators where indicator_code = 'EH_OPEN_END'"
    )
    assert em == [("E12000004",)]
    se = sharing_build.query(
        "select distinct region_code from sharing.shr_regional__indicators where indicator_code = 'A1_DAYS'"
    )
    assert se == [("E12000008",)]


@pytest.mark.build
def test_adcs_output_identifies_no_la_or_region_and_drops_small_quarters(sharing_build: Build) -> None:
    columns = {row[0] for row in sharing_build.query("describe sharing.shr_adcs__national")}
    assert not {c for c in columns if "la_" in c or "region" in c or c.endswith("_code") and c != "indicator_code"}
    la_codes = {row[0] for row in sharing_build.query("select la_code from reference.ref_local_authorities")}
    text_values = {
        str(value)
        for row in sharing_build.query("select * from sharing.shr_adcs__national")
        for value in row
    }
    assert not text_values & la_codes, "no LA code anywhere in the ADCS rows"
    periods = {row[0] for row in sharing_build.query("select distinct period from sharing.shr_adcs__national")}
    assert periods == {"2024-25 Q3"}, "2024-25 Q4 has 3 contributing LAs, under the minimum of 10"
    # the count is the sum over the 14 contributing LAs, each sending CLA_END = 150
    assert sharing_build.query(
        "select value, contributing_las from sharing.shr_adcs__national "
        "where period = '2024-25 Q3' and indicator_code = 'CLA_END' and measure = 'count'"
    ) == [(150.0 * 14, 14)]


@pytest.mark.build
def test_regional_comparators_use_only_cross_regionally_shared_las(sharing_build: Build) -> None:
    # England in the regional outputs = the d2i LAs only: Camden (excepted), EM and SE
    # (no cross-regional agreement) never shape another region's comparator.
    d2i = las(sharing_build, "shr_d2i__riia_core", "period = '2024-25 Q3'")
    assert "202" not in d2i and "831" not in d2i and "826" not in d2i
    contributing = sharing_build.query(
        "select distinct england_contributing_las from sharing.shr_regional__indicators "
        "where period = '2024-25 Q3' and indicator_code = 'CLA_END' and measure = 'rate_per_10k'"
    )
    assert contributing == [(len(d2i),)]


@pytest.mark.build
def test_values_are_rounded_half_up_to_one_decimal_place(sharing_build: Build) -> None:
    assert sharing_build.scalar(
        "select count(*) from sharing.shr_dfe__riia_core "
        "where measure in ('rate_per_10k', 'percent') and value <> round(value, 1)"
    ) == 0
    # 66 of 300 referrals = 22.0%; 28 of 100 S47s = 28.0%: exact values stay exact
    assert sharing_build.scalar(
        "select value from sharing.shr_dfe__riia_core where la_code = '203' and period = '2024-25 Q3' "
        "and indicator_code = 'REREFERRALS' and measure = 'percent'"
    ) == 22.0


@pytest.mark.build
@pytest.mark.parametrize(
    ("as_of_date", "se_in_dfe", "london_in_dfe"),
    [
        ("2020-06-30", True, False),   # inside SE's 2019 MoU term; London's MoU starts June 2022
        ("2021-06-30", True, False),   # after the term, under the extension in writing
        ("2027-06-30", False, True),   # after the extension: SE shares nothing further with DfE
    ],
)
def test_as_of_date_decides_whether_the_south_east_reaches_dfe(
    sharing_build: Build, tmp_path: Path, as_of_date: str, se_in_dfe: bool, london_in_dfe: bool
) -> None:
    db = tmp_path / "riia.duckdb"
    db.write_bytes(sharing_build.db_path.read_bytes())
    rebuilt = run_dbt(
        sharing_build.returns_dir,
        db,
        extra_args=("--select", "int_sharing_agreements_in_force+", "int_quarter_release_status+",
                    "int_sharing_la_audiences+", "--vars", json.dumps({"as_of_date": as_of_date})),
        project_dir=sharing_build.project_dir,  # type: ignore[attr-defined]
    )
    dfe = las(rebuilt, "shr_dfe__riia_core", "period = '2019-20 Q1'")
    assert ("826" in dfe) is se_in_dfe
    assert ("202" in dfe) is london_in_dfe


@pytest.mark.build
def test_exported_files_match_the_models_and_hold_nothing_else(sharing_build: Build, tmp_path: Path) -> None:
    import hashlib

    import duckdb
    from riia import publish as publish_exports

    out = tmp_path / "exports"
    publish_exports.main(["--db", str(sharing_build.db_path), "--out", str(out)])
    markings = dict(sharing_build.query("select audience, file_marking from reference.sharing_audiences"))
    manifests = sorted(out.rglob("manifest.json"))
    assert {json.loads(p.read_text())["audience"] for p in manifests} == {"regional", "dfe", "d2i", "adcs"}
    for manifest_path in manifests:
        manifest = json.loads(manifest_path.read_text())
        folder = manifest_path.parent
        csv_file, db_file = (folder / f["name"] for f in manifest["files"])
        assert csv_file.name.startswith(f"riia_{manifest['audience']}_")
        assert markings[manifest["audience"]] in csv_file.name and markings[manifest["audience"]] in db_file.name
        assert manifest["files"][0]["sha256"] == hashlib.sha256(csv_file.read_bytes()).hexdigest()
        assert manifest["as_of_date"] and manifest["agreements_used"]
        model = f"warehouse.sharing.{manifest['source_model']}"
        where = f"where region_code = '{manifest['region_code']}'" if manifest["region_code"] else ""
        with duckdb.connect() as con:
            con.execute(f"attach '{sharing_build.db_path}' as warehouse (read_only)")
            expected = con.sql(f"select count(*) from {model} {where}").fetchone()[0]
            assert expected > 0 or manifest["audience"] == "adcs", folder
            csv_rows = con.sql(f"select * from read_csv('{csv_file}', header = true)")
            assert len(csv_rows.fetchall()) == manifest["files"][0]["rows"] == expected, folder
            # the CSV holds exactly the model's rows for this audience (and scope), no more, no fewer
            mismatched = con.sql(
                f"""
                select count(*) from (
                    (select columns(*)::varchar from read_csv('{csv_file}', header = true)
                     except all select columns(*)::varchar from {model} {where})
                    union all
                    (select columns(*)::varchar from {model} {where}
                     except all select columns(*)::varchar from read_csv('{csv_file}', header = true))
                )
                """
            ).fetchone()[0]
            assert mismatched == 0, folder
            con.execute(f"attach '{db_file}' as audience_db (read_only)")
            assert con.sql("select count(*) from audience_db.indicators").fetchone()[0] == expected
            if manifest["region_code"]:
                regions = con.sql("select distinct region_code from audience_db.indicators").fetchall()
                assert regions == [(manifest["region_code"],)], "a region's folder holds its own rows only"
    adcs_header = next((out / "adcs").glob("*.csv")).read_text().splitlines()[0].split(",")
    assert "la_code" not in adcs_header and "region_code" not in adcs_header
