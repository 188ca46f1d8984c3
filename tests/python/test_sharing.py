"""Sharing (SHARING.md rules 1-10), proved on real builds of a project copy and on the folders
its recipients receive.

The copy ships the example configuration with these changes, so that every rule has
something to bite on:
  * Yorkshire and the Humber terminated its cross-regional (D2I) agreement on 2024-01-01 but
    still shares with ADCS: a withdrawn region. It sends no return for 2024-25 Q3.
  * Camden (202) is excepted from the cross-regional (D2I) audience but not from ADCS, and
    leaves CONTACTS blank in 2024-25 Q4.
  So D2I, which receives the cross-regional share and facilitates ADCS's, could recover
  Camden's figures from ADCS's 2024-25 Q3 totals (one unseen LA) and Yorkshire and the
  Humber's total of contacts in 2024-25 Q4 (unseen LAs all in one region): those are withheld,
  while ADCS's other 2024-25 Q4 totals (five unseen LAs in two regions) are published.
  * SOLACE is added as a new audience by seed rows alone (an App. B organisation, authorised
    by the LCIIB); the shipped LGA row stays unauthorised.
  * The shipped releases are replaced: the test releases 2024-25 Q3 and Q4 itself.
The module builds three times: before any release, after releasing both quarters (with a
resubmission from Hartlepool arriving after the release), and after releasing its quarter
again - that last both from nothing and, as `riia build` carries on from its last
publication, on a copy of the warehouse before it.
"""

from __future__ import annotations

import csv
import json
import shutil
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from pathlib import Path

import duckdb
import pytest

from conftest import PROJECT_ROOT, Build, append_seed_rows, differing_tables, empty_tables, run_dbt, write_valid_return
from riia import publish, release
from riia.bench.releases import copy_project

PERIODS = ("2024-25 Q3", "2024-25 Q4")
# LA -> its region, chosen to cover every kind of region in the example configuration
LAS = {
    "805": "NE",
    "806": "NE",
    "807": "NE",
    "808": "NE",
    "390": "NE",
    "391": "NE",  # DfE, D2I, ADCS
    "350": "NW",
    "351": "NW",
    "352": "NW",  # DfE, D2I, ADCS
    "370": "YH",
    "371": "YH",
    "372": "YH",
    "373": "YH",  # DfE, ADCS; D2I withdrawn
    "830": "EM",
    "831": "EM",  # DfE only; regional early-help items
    "825": "SE",
    "826": "SE",
    "845": "SE",  # DfE under se_annex_a only; regional adoption items
    "202": "LDN",
    "203": "LDN",
    "204": "LDN",
    "205": "LDN",
    "206": "LDN",  # DfE, D2I (202 excepted), ADCS, App. B
}
EM_ITEMS = dict(
    EH_OPEN_END=300,
    EH_ASSESS_NEW=120,
    EH_STEP_UP=20,
    EH_STEP_DOWN=25,
    CLA_MISSING=15,
    SW_FTE="180.50",
    SW_AGENCY_FTE="30.25",
    SW_VACANCY_FTE="35.00",
)
SE_ITEMS = dict(CLA_ADOPTED=2, A1_DAYS=900, A1_CHILDREN=2, A2_DAYS=400, A2_CHILDREN=2, A3_UNDER_14M=1)
EM_ONLY_INDICATORS = (
    "EH_OPEN_END",
    "EH_ASSESS_NEW",
    "EH_STEP_UP",
    "EH_STEP_DOWN",
    "CLA_MISSING",
    "SW_FTE",
    "SW_AGENCY_FTE",
    "SW_VACANCY_FTE",
)
ANNEX_A_ADOPTION = ("CLA_ADOPTED", "A1_DAYS", "A2_DAYS", "A3_UNDER_14M")


def figures(la_code: str, period: str, bump: int = 0) -> dict:
    """Distinct, valid figures per LA and quarter (no ties in ranks)."""
    n = int(la_code) % 97 + (7 if period.endswith("Q4") else 0) + bump
    values = dict(CLA_END=120 + 3 * n, CIN_END=600 + 11 * n, CPP_END=80 + n, CONTACTS=900 + 13 * n)
    if la_code == "202" and period == "2024-25 Q4":
        values["CONTACTS"] = ""
    region = LAS[la_code]
    return {**values, **(EM_ITEMS if region == "EM" else SE_ITEMS if region == "SE" else {})}


def rewrite_seed(project: Path, seed: str, change) -> None:
    path = next(project.joinpath("seeds").rglob(f"{seed}.csv"))
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    fields = list(rows[0]) if rows else next(csv.reader(path.open()))
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, lineterminator="\n")
        writer.writeheader()
        writer.writerows(changed for row in rows if (changed := change(dict(row))) is not None)


def build(root: Path, project: Path, name: str) -> Build:
    return run_dbt(
        root / "returns",
        root / name / "riia.duckdb",
        project_dir=project,
        extra_args=("--exclude", "resource_type:test", "resource_type:unit_test"),
    )


def export(build: Build, out: Path) -> dict[str, Path]:
    """Publish every recipient's folder; {recipient_id: its DuckDB file}."""
    deliveries = publish.write_exports(
        build.db_path, out, {"as_of_date": None, "is_sample": False, "build_id": out.name}
    )
    return {d.recipient.recipient_id: d.database for d in deliveries}


def record_release(build: Build, project: Path, region: str, period: str) -> None:
    planned = release.plan_release(build.db_path, region, period, "test data group", date.today())
    release.record(planned, seeds_dir=project / "seeds")


@pytest.fixture(scope="module")
def stages(tmp_path_factory: pytest.TempPathFactory) -> dict:
    root = tmp_path_factory.mktemp("sharing")
    project = copy_project(root / "project")
    rewrite_seed(
        project,
        "sharing_agreements",
        lambda row: {
            **row,
            "terminated_on": "2024-01-01" if row["agreement_id"] == "YH-D2I-2023" else row["terminated_on"],
        },
    )
    rewrite_seed(project, "quarter_releases", lambda row: None)
    rewrite_seed(project, "quarter_release_files", lambda row: None)
    append_seed_rows(
        project,
        "la_sharing_exceptions",
        [("202", "d2i", "2020-01-01", "", "Camden shares cross-regionally on a limited basis (London MoU 1.4)")],
    )
    with (project / "seeds" / "sharing" / "sharing_audiences.csv").open(newline="") as handle:
        audience_columns = next(csv.reader(handle))
    solace = dict.fromkeys(audience_columns, "") | {
        "audience": "solace",
        "audience_name": "SOLACE (London MoU App. B)",
        "organisation": "solace",
        "grain": "la",
        "default_item_set": "riia_core",
        "is_split_per_region": "false",
        "needs_authorisation": "true",
        "authorising_board": "LCIIB",
        "output_model": "shr_agreed__indicators",
        "extra_outputs": "shr_indicator_catalogue",
        "includes_comments": "false",
        "handling_marking": "OFFICIAL-SENSITIVE: SOLACE",
        "file_marking": "OFFICIAL-SENSITIVE_SOLACE",
        "description": "a test audience added by seed rows alone",
    }
    append_seed_rows(project, "sharing_audiences", [tuple(solace[c] for c in audience_columns)])
    append_seed_rows(
        project,
        "sharing_agreements",
        [
            (
                "LDN-SOLACE-APPB",
                "E12000007",
                "solace",
                "la",
                "riia_core",
                "2022-06-01",
                "2022-06-01",
                "",
                "",
                "London MoU Appendix B (test)",
                "LCIIB",
                "2022-07-01",
                "",
            )
        ],
    )
    returns = root / "returns"
    for period in PERIODS:
        for la_code in LAS:
            if not (LAS[la_code] == "YH" and period == "2024-25 Q3"):
                write_valid_return(returns, la_code, period, **figures(la_code, period))
    first = build(root, project, "first")
    for period in PERIODS:
        for region in sorted(set(LAS.values()) - ({"YH"} if period == "2024-25 Q3" else set())):
            record_release(first, project, region, period)
    # Hartlepool's resubmission arrives after the NE released Q4
    write_valid_return(returns, "805", "2024-25 Q4", version=2, **figures("805", "2024-25 Q4", bump=40))
    released = build(root, project, "released")
    folders = export(released, root / "released" / "exports")
    record_release(released, project, "NE", "2024-25 Q4")
    rereleased = build(root, project, "rereleased")
    (root / "rereleased_incrementally").mkdir()
    shutil.copyfile(released.db_path, root / "rereleased_incrementally" / "riia.duckdb")
    rereleased_incrementally = build(root, project, "rereleased_incrementally")
    return {
        "root": root,
        "project": project,
        "first": first,
        "released": released,
        "folders": folders,
        "rereleased": rereleased,
        "rereleased_incrementally": rereleased_incrementally,
    }


def query(database: Path, sql: str) -> list[tuple]:
    with duckdb.connect(str(database), read_only=True) as con:
        return con.sql(sql).fetchall()


# ---------------------------------------------------------------- every figure from the recipient's view


def half_up(value: float | None, places: int) -> float | None:
    if value is None:
        return None
    return float(Decimal(repr(value)).quantize(Decimal(1).scaleb(-places), rounding=ROUND_HALF_UP))


def neighbours() -> dict[str, set[str]]:
    found: dict[str, set[str]] = {}
    with (PROJECT_ROOT / "seeds" / "reference" / "ref_statistical_neighbours.csv").open(newline="") as handle:
        for row in csv.DictReader(handle):
            found.setdefault(row["la_code"], set()).add(row["neighbour_la_code"])
    return found


def visible_rows(folder_db: Path) -> str:
    """SQL of every LA figure the recipient may see, from its own folder: its own rows, plus the
    cross-regional rows a region's folder holds."""
    tables = {row[0] for row in query(folder_db, "show tables")}
    own = (
        "select la_code, region_code, period, indicator_code, measure, value_status, numerator, "
        "coalesce(population, denominator) as base from recipient_rows"
    )
    if "cross_regional" in tables:
        own += (
            " union all select la_code, region_code, period, indicator_code, measure, value_status, numerator, "
            "coalesce(population, denominator) as base from cross_regional"
        )
    return own


@pytest.mark.build
def test_every_comparator_rank_and_quartile_is_recomputed_from_what_the_recipient_may_see(stages: dict) -> None:
    sn = neighbours()
    multiplier = {
        "count": 1,
        "rate_per_10k": 10000,
        "percent": 100,
        "average_days": 1,
        "rate_per_10k_12m": 10000,
        "percent_12m": 100,
    }
    checked = 0
    for recipient, database in stages["folders"].items():
        if recipient == "adcs":
            continue  # national aggregates: see the differencing tests
        with duckdb.connect(str(database), read_only=True) as con:
            columns = [c[0] for c in con.sql("describe indicators").fetchall()]
            if "la_code" not in columns:
                continue
            generic = "area_type" in columns
            con.execute(
                "create temp view recipient_rows as select * from indicators"
                + (" where area_type = 'la'" if generic else "")
            )
            con.execute(f"create temp table seen as {visible_rows(database)}")
            rounding = dict(
                ((i, m), dp)
                for i, m, dp in con.sql(
                    "select indicator_code, measure, rounding_dp from indicator_catalogue"
                ).fetchall()
            )
            seen = con.sql("select * from seen where value_status in ('calculated', 'zero_denominator')").fetchall()
            rows = con.sql(
                "select la_code, region_code, period, indicator_code, measure, region_value, region_contributing_las, "
                "neighbours_value, neighbours_contributing_las, england_value, england_contributing_las, rank_in_england, "
                "las_ranked_in_england, rank_in_region, las_ranked_in_region, quartile_in_england, numerator, "
                "coalesce(population, denominator) from recipient_rows where value_status = 'calculated'"
            ).fetchall()
        by_key: dict[tuple, list[tuple]] = {}
        for la, region, period, indicator, measure, _, numerator, base in seen:
            by_key.setdefault((period, indicator, measure), []).append((la, region, numerator, base))
        for (
            la,
            region,
            period,
            indicator,
            measure,
            region_value,
            region_n,
            sn_value,
            sn_n,
            england_value,
            england_n,
            rank_e,
            ranked_e,
            rank_r,
            ranked_r,
            quartile_e,
            numerator,
            base,
        ) in rows:
            members = by_key[(period, indicator, measure)]
            dp = rounding[(indicator, measure)]

            def pooled(group: list[tuple], measure: str = measure, dp: int = dp) -> tuple[float | None, int]:
                total_n = sum(Decimal(str(m[2])) for m in group)
                total_b = sum(Decimal(str(m[3] or 0)) for m in group)
                if measure == "count":
                    return half_up(float(total_n), dp), len(group)
                return (half_up(float(total_n) * multiplier[measure] / float(total_b), dp) if total_b else None), len(
                    group
                )

            assert (region_value, region_n) == pooled([m for m in members if m[1] == region]), (
                recipient,
                la,
                indicator,
            )
            assert (england_value, england_n) == pooled(members), (recipient, la, indicator, measure, period)
            group = [m for m in members if m[0] in sn.get(la, set())]
            if group:
                assert (sn_value, sn_n) == pooled(group), (recipient, la, indicator)

            # ranks from the exact values of the LAs in view (1 = highest)
            def value(m: tuple, measure: str = measure) -> Decimal:
                if measure == "count":
                    return Decimal(str(m[2]))
                return Decimal(str(m[2])) * multiplier[measure] / Decimal(str(m[3]))

            mine = value((la, region, numerator, base))
            valued = [m for m in members if measure == "count" or m[3]]
            assert rank_e == 1 + sum(1 for m in valued if value(m) > mine) and ranked_e == len(valued)
            in_region = [m for m in valued if m[1] == region]
            assert rank_r == 1 + sum(1 for m in in_region if value(m) > mine) and ranked_r == len(in_region)
            ascending = 1 + sum(1 for m in valued if value(m) < mine)
            expected_quartile = min(4, 1 + (4 * (ascending - 1)) // (len(valued) - 1)) if len(valued) > 1 else None
            assert quartile_e == expected_quartile
            checked += 1
    assert checked > 5000


@pytest.mark.build
def test_a_region_compares_with_its_own_las_even_when_it_does_not_share_cross_regionally(stages: dict) -> None:
    """The SE shares with DfE only; its England comparator and ranks still pool its own LAs with
    the cross-regional ones (the bug: Hampshire's SN was a single LA)."""
    se = stages["folders"]["regional:E12000008"]
    rows = query(
        se,
        "select distinct england_contributing_las, las_ranked_in_england from indicators "
        "where indicator_code = 'CLA_END' and measure = 'rate_per_10k' and period = '2024-25 Q4'",
    )
    cross = query(se, "select count(distinct la_code) from cross_regional where period = '2024-25 Q4'")[0][0]
    assert rows == [(3 + cross, 3 + cross)]


# ---------------------------------------------------------------- item sets, agreements, authorisation


@pytest.mark.build
def test_se_adoption_indicators_reach_dfe_under_annex_a_and_em_early_help_reaches_no_one_else(stages: dict) -> None:
    db = stages["released"].db_path
    dfe = {
        row[0]
        for row in query(
            db, "select distinct indicator_code from sharing.shr_dfe__riia_core where region_code = 'E12000008'"
        )
    }
    assert set(ANNEX_A_ADOPTION) <= dfe
    assert "CONTACTS" not in dfe and "EHE_END" not in dfe, "se_annex_a names the 18 Annex A indicators only"
    assert {"CONTACTS", "EHE_END"} <= {
        row[0]
        for row in query(
            db, "select distinct indicator_code from sharing.shr_dfe__riia_core where region_code = 'E12000001'"
        )
    }
    em_codes = ", ".join(f"'{c}'" for c in EM_ONLY_INDICATORS)
    for recipient, database in stages["folders"].items():
        leaked = (
            query(database, f"select count(*) from indicators where indicator_code in ({em_codes})")
            if recipient != "adcs"
            else [(0,)]
        )
        if recipient == "regional:E12000004":
            assert leaked[0][0] > 0
        else:
            assert leaked[0][0] == 0, recipient
        if "cross_regional" in {row[0] for row in query(database, "show tables")}:
            assert (
                query(database, f"select count(*) from cross_regional where indicator_code in ({em_codes})")[0][0] == 0
            )


@pytest.mark.build
def test_app_b_organisation_receives_nothing_without_authorisation_and_its_output_once_authorised(stages: dict) -> None:
    folders = stages["folders"]
    assert "lga" not in folders, "the shipped LGA row has no authorisation: no folder, no rows"
    db = stages["released"].db_path
    assert query(db, "select count(*) from sharing.shr_agreed__indicators where recipient_id = 'lga'") == [(0,)]
    # SOLACE was added by seed rows alone, authorised: its folder holds London's released LAs only
    solace = folders["solace"]
    assert {row[0] for row in query(solace, "select distinct area_code from indicators")} == {
        la for la, region in LAS.items() if region == "LDN"
    }
    manifest = json.loads((solace.parent / "manifest.json").read_text())
    assert [a["agreement_id"] for a in manifest["agreements_used"]] == ["LDN-SOLACE-APPB"]
    assert manifest["handling_marking"] == "OFFICIAL-SENSITIVE: SOLACE"


@pytest.mark.build
def test_an_excepted_la_and_a_withdrawn_region_leave_the_cross_regional_share_only(stages: dict) -> None:
    db = stages["released"].db_path
    d2i = {row[0] for row in query(db, "select distinct la_code from sharing.shr_d2i__riia_core")}
    # the regions that share with D2I, without London's excepted LA (Yorkshire withdrew)
    assert d2i == {la for la, region in LAS.items() if region in {"NE", "NW", "LDN"}} - {"202"}
    dfe = {row[0] for row in query(db, "select distinct la_code from sharing.shr_dfe__riia_core")}
    assert {"202", "370"} <= dfe


@pytest.mark.build
def test_low_coverage_is_flagged_for_a_neighbour_group_with_fewer_than_five_members(stages: dict) -> None:
    rows = query(
        stages["released"].db_path,
        "select la_code, neighbours_contributing_las, is_neighbours_low_coverage from sharing.shr_dfe__riia_core "
        "where indicator_code = 'CLA_END' and measure = 'rate_per_10k' and period = '2024-25 Q4'",
    )
    assert rows
    for la_code, contributing, low in rows:
        assert low == ((contributing or 0) < 5), la_code
    assert any(low for _, _, low in rows)


# ---------------------------------------------------------------- releases that pin


@pytest.mark.build
def test_before_release_a_quarter_reaches_only_its_own_region_marked_provisional(stages: dict) -> None:
    db = stages["first"].db_path
    for model in ("shr_dfe__riia_core", "shr_d2i__riia_core", "shr_adcs__national", "shr_agreed__indicators"):
        assert query(db, f"select count(*) from sharing.{model}") == [(0,)], model
    assert query(db, "select distinct is_provisional from sharing.shr_regional__indicators") == [(True,)]


@pytest.mark.build
def test_a_resubmission_after_release_changes_nothing_outside_the_region_until_it_is_released_again(
    stages: dict,
) -> None:
    sql = (
        "select source_file, value, is_changed_since_release from sharing.{model} "
        "where la_code = '805' and period = '2024-25 Q4' and indicator_code = 'CLA_END' and measure = 'count'"
    )
    released, rereleased = stages["released"].db_path, stages["rereleased"].db_path
    first = float(figures("805", "2024-25 Q4")["CLA_END"])
    second = float(figures("805", "2024-25 Q4", bump=40)["CLA_END"])
    assert query(released, sql.format(model="shr_dfe__riia_core")) == [("805_2024-25_Q4.csv", first, False)]
    assert query(released, sql.format(model="shr_regional__indicators")) == [("805_2024-25_Q4_v2.csv", second, True)]
    assert query(rereleased, sql.format(model="shr_dfe__riia_core")) == [("805_2024-25_Q4_v2.csv", second, False)]
    assert query(rereleased, sql.format(model="shr_regional__indicators")) == [("805_2024-25_Q4_v2.csv", second, False)]
    # the release records the file and its SHA-256 as checked
    with (stages["project"] / "seeds" / "sharing" / "quarter_release_files.csv").open(newline="") as handle:
        pinned = [
            r for r in csv.DictReader(handle) if r["la_code"] == "805" and r["release_id"].startswith("NE-2024-25-Q4")
        ]
    assert [r["file_path"] for r in pinned] == ["2024-25_Q4/805_2024-25_Q4.csv", "2024-25_Q4/805_2024-25_Q4_v2.csv"]
    assert all(len(r["file_sha256"]) == 64 for r in pinned)


def test_a_release_recomputes_its_quarter_and_those_after_not_the_history(stages: dict) -> None:
    # the North East's second release of 2024-25 Q4, built on a copy of the warehouse before
    # it: the release is that quarter's input alone, so it and the seven quarters after it
    # (which hold no return here) are recomputed, not 2024-25 Q3, and every table equals the
    # build from nothing
    incremental = stages["rereleased_incrementally"]
    scope = [period for (period,) in incremental.query("select period from intermediate.int_build_scope order by 1")]
    assert scope[0] == "2024-25 Q4" and len(scope) == 8, scope
    assert differing_tables(incremental.db_path, stages["rereleased"].db_path) == {}
    # every sharing table holds rows here (test_incremental compares the comments and rejects)
    assert empty_tables(stages["rereleased"].db_path) == {
        "intermediate.int_return_comments",
        "marts.fct_return_rejects",
    }


# ---------------------------------------------------------------- no recovery by differencing


def organisations(db: Path) -> dict[str, list[str]]:
    """{organisation: the recipients whose outputs it receives}."""
    found: dict[str, list[str]] = {}
    for recipient, organisation, facilitator, region in query(
        db, "select recipient_id, organisation, facilitated_by, region_code from sharing.shr_recipients"
    ):
        found.setdefault(recipient if region else organisation, []).append(recipient)
        if facilitator:
            found.setdefault(facilitator, []).append(recipient)
    return found


@pytest.mark.build
def test_no_organisation_can_recover_a_withheld_figure_by_differencing_its_outputs(stages: dict) -> None:
    """For every organisation, quarter and indicator: the national aggregates it receives minus
    the LA figures it receives one by one never give an LA (Camden, excepted from D2I) or a
    region's total (Yorkshire and the Humber, withdrawn from D2I) that it may not see."""
    db = stages["released"].db_path
    hub = {  # the true figures, which the test (not any recipient) may see
        (la, period, indicator): numerator
        for la, period, indicator, numerator in query(
            db,
            "select la_code, period, indicator_code, numerator from marts.fct_indicator_values "
            "where measure = 'count' and value_status = 'calculated'",
        )
    }
    folders = stages["folders"]
    checked = 0
    for organisation, recipients in organisations(db).items():
        national = [
            r
            for r in recipients
            if r in folders and "la_code" not in [c[0] for c in query(folders[r], "describe indicators")]
        ]
        la_grain = [r for r in recipients if r in folders and r not in national]
        seen: dict[tuple, dict[str, float]] = {}
        for recipient in la_grain:
            for la, period, indicator, numerator in query(
                folders[recipient],
                "select la_code, period, indicator_code, numerator from indicators "
                "where measure = 'count' and value_status = 'calculated'",
            ):
                seen.setdefault((period, indicator), {})[la] = numerator
        for recipient in national:
            for period, indicator, total, contributing in query(
                folders[recipient],
                "select period, indicator_code, value, contributing_las from indicators where measure = 'count'",
            ):
                assert total is not None, (recipient, period, indicator)
                visible = seen.get((period, indicator), {})
                unseen = {
                    la: n for (la, p, i), n in hub.items() if p == period and i == indicator and la not in visible
                }
                remainder = total - sum(visible.values())
                # the difference is never one LA's figure it may not see, nor the sum of one region's
                for la, numerator in unseen.items():
                    assert not (remainder == numerator and contributing - len(visible) == 1), (
                        organisation,
                        la,
                        period,
                        indicator,
                    )
                yh = sum(n for la, n in unseen.items() if LAS.get(la) == "YH")
                assert not (
                    remainder == yh and contributing - len(visible) == sum(1 for la in unseen if LAS.get(la) == "YH")
                ), (organisation, period, indicator)
                assert contributing - len(visible) == 0 or contributing - len(visible) >= 3
                checked += 1
    assert checked > 0
    # D2I receives the cross-regional share and facilitates ADCS's: with Camden excepted and
    # Yorkshire and the Humber withdrawn, ADCS's aggregates are withheld, and its manifest says why
    manifest = json.loads((folders["adcs"].parent / "manifest.json").read_text())
    withheld = {
        (w["period"], w["indicator_code"]): w["reason"] for w in manifest["withheld"] if w["scope"] == "aggregate"
    }
    assert "d2i could recover 1 LA(s)" in withheld[("2024-25 Q3", "CLA_END")]
    assert "(all in one region)" in withheld[("2024-25 Q4", "CONTACTS")]
    assert ("2024-25 Q4", "CLA_END") not in withheld
    published = query(
        folders["adcs"],
        "select contributing_las from indicators where period = '2024-25 Q4' "
        "and indicator_code = 'CLA_END' and measure = 'count'",
    )
    adcs_regions = {"NE", "NW", "YH", "LDN"}  # the EM and the SE agreed no ADCS sharing
    assert published == [(sum(1 for region in LAS.values() if region in adcs_regions),)]
