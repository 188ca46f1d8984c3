"""The RIIA data team's reports, from the hub warehouse's public models only (read-only).

    index.html          opens on this quarter (the latest that has ended): per region, returns
                        received, accepted, quarantined and not received past the deadline, and
                        the chase list with days overdue; earlier quarters below (quarters after
                        the last return received are listed, not skipped); links to every
                        recipient folder's reports.
    data_register.html  every item, who collects it, and which audiences receive it under which
    and .csv            agreement in force on the as-of date (EM MoU 6.4).

Models read: marts.fct_returns_tracker (tracker.py), reference.ref_regions, reference.ref_items,
reference.sharing_item_sets, sharing.shr_recipients, sharing.shr_recipient_agreements.
"""

from __future__ import annotations

import json
import os
from collections import defaultdict
from pathlib import Path
from typing import Any

import duckdb

from riia.reports import pages, tracker
from riia.reports.cache import ReportCache, Written, content_hash
from riia.reports.validation import write_csv_rows

REGISTER_FIELDS = (
    "item_code",
    "item_name",
    "topic",
    "basis",
    "item_set",
    "collected_by",
    "recipient_id",
    "audience_name",
    "region_code",
    "agreement_id",
    "agreement_item_set",
    "in_force_from",
    "in_force_to",
    "clause",
    "handling_marking",
    "as_of_date",
)


def fetch(con: duckdb.DuckDBPyConnection, sql: str) -> list[dict[str, Any]]:
    cursor = con.execute(sql)
    names = [d[0] for d in cursor.description]
    return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def build_facts(exports: Path) -> tuple[bool, str]:
    """(made from generated returns?, build id), as the recipients' manifests record them: the
    hub warehouse's public models do not say whether the returns were the sample."""
    for manifest in sorted(exports.glob("*/manifest.json")) + sorted(exports.glob("*/*/manifest.json")):
        try:
            found = json.loads(manifest.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        return bool(found.get("sample_data")), str(found.get("build_id") or "")
    return False, ""


def recipients(con: duckdb.DuckDBPyConnection, exports: Path, out: Path) -> list[dict[str, Any]]:
    """Every recipient, its folder and (when it has reports) the link to its reports' index."""
    found = fetch(
        con, "select * from sharing.shr_recipients order by audience <> 'regional', region_name, recipient_id"
    )
    agreements = defaultdict(list)
    for a in fetch(
        con, "select recipient_id, agreement_id, reports from sharing.shr_recipient_agreements order by agreement_id"
    ):
        agreements[a["recipient_id"]].append(a)
    for r in found:
        index = exports / r["folder"] / "reports" / "index.html"
        r["reports_href"] = os.path.relpath(index, out) if index.is_file() else ""
        r["folder_href"] = os.path.relpath(exports / r["folder"], out)
        r["agreements"] = agreements[r["recipient_id"]]
        r["reports"] = sorted({k for a in agreements[r["recipient_id"]] for k in (a["reports"] or "").split()})
    return found


def register_rows(con: duckdb.DuckDBPyConnection) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """(items, one row per item and agreement sharing it): an agreement shares an item when the
    item is in the agreement's item set (SHARING.md rule 2)."""
    items = fetch(
        con,
        """
        select i.item_code, i.item_name, i.topic, i.basis, i.item_set, i.description,
            coalesce(r.region_name, 'every region') as collected_by
        from reference.ref_items as i
        left join reference.ref_regions as r on i.collecting_region_code = r.region_code
        order by i.display_order, i.item_code
        """,
    )
    shared = fetch(
        con,
        """
        select s.item_code, a.recipient_id, r.audience_name, a.region_code, a.agreement_id, a.item_set as agreement_item_set,
            a.in_force_from, a.in_force_to, a.clause, r.handling_marking, a.as_of_date
        from sharing.shr_recipient_agreements as a
        inner join sharing.shr_recipients as r on a.recipient_id = r.recipient_id
        inner join reference.sharing_item_sets as s on a.item_set = s.item_set
        order by s.item_code, r.audience_name, a.region_code
        """,
    )
    return items, shared


def index_context(con: duckdb.DuckDBPyConnection, exports: Path, out: Path) -> dict[str, Any]:
    found = tracker.read(con)
    latest = found.latest_period
    return {
        "tracker": found,
        "latest": latest,
        "this_quarter": found.of(latest) if latest else [],
        "this_total": found.total(latest) if latest else None,
        "chase": found.chase_of(latest) if latest else [],
        "earlier": [(p, found.of(p), found.total(p), found.chase_of(p)) for p in found.periods[1:]],
        "recipients": recipients(con, exports, out),
    }


def write_hub_reports(warehouse: Path, exports: Path, out: Path, previous: Path | None) -> list[Written]:
    """The index and the data register into `out`, from the hub warehouse opened read-only."""
    out.mkdir(parents=True, exist_ok=True)
    with duckdb.connect(str(warehouse), read_only=True) as con:
        markings = [
            m
            for (m,) in con.execute(
                "select handling_marking from sharing.shr_recipients where audience = 'regional' limit 1"
            ).fetchall()
        ]
        as_of = con.execute("select max(as_of_date) from sharing.shr_recipient_agreements").fetchone()[0]
        context = index_context(con, exports, out)
        items, shared = register_rows(con)
    sample, build_id = build_facts(exports)
    frame = pages.PageFrame(
        markings[0] if markings else "OFFICIAL-SENSITIVE", sample, as_of, "the RIIA data team", build_id
    )
    cache = ReportCache(out, previous)
    by_item = defaultdict(list)
    for row in shared:
        by_item[row["item_code"]].append(row)

    def register() -> list[Path]:
        page = pages.write_text(
            out / "data_register.html",
            pages.render(
                "register.html.j2",
                frame,
                0,
                title="Data register",
                items=items,
                by_item=by_item,
                agreements=sorted(
                    {
                        (
                            r["agreement_id"],
                            r["audience_name"],
                            r["region_code"],
                            r["agreement_item_set"],
                            str(r["in_force_from"]),
                            str(r["in_force_to"] or "until revoked"),
                            r["clause"],
                        )
                        for r in shared
                    }
                ),
            ),
        )
        rows = [
            {**{k: item.get(k, "") for k in REGISTER_FIELDS}, **{k: v for k, v in s.items() if k in REGISTER_FIELDS}}
            for item in items
            for s in (by_item[item["item_code"]] or [{}])
        ]
        return [page, write_csv_rows(out / "data_register.csv", REGISTER_FIELDS, rows)]

    digest = content_hash(frame.marking, frame.is_sample, items, shared)
    written = [cache.produce("data_register", "data_register", digest, register)]
    index = pages.write_text(
        out / "index.html", pages.render("hub_index.html.j2", frame, 0, title="RIIA reports", **context)
    )
    written.append(Written("index", "index", (index,), True, context["latest"]))
    cache.save()
    return written
