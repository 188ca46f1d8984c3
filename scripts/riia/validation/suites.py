"""Run the Great Expectations suites of `gx/expectations/` on the validation inputs.

Three suites, one per tier of RETURN_TEMPLATE.md section 4: `riia_template_conformance`
(T01-T07), `riia_logical_consistency` (L01-L09) and `riia_plausibility` (P01-P03). The
inputs are the SQL models of `models/intermediate/validation/`, one DataFrame per data
asset of GE's pandas datasource `riia_frames` (gx/great_expectations.yml); every
expectation names its asset in `meta.data_asset`, and a suite is run asset by asset.
Each failing row (GE's COMPLETE result format, keyed by the asset's columns in
`unexpected_index_column_names`) becomes one finding: the file, line, item and value it
points at, the rule id and severity from the expectation's meta, and its message.

Why pandas: GE 1.24's SQL datasource returns empty results on DuckDB.
"""

from __future__ import annotations

import gc
import importlib.util
import os
import sys
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

os.environ.setdefault("GX_ANALYTICS_ENABLED", "false")

import pandas as pd

from riia.validation.messages import derived_fields, render_message

SUITE_NAMES: tuple[str, ...] = (
    "riia_template_conformance",
    "riia_logical_consistency",
    "riia_plausibility",
)
DATASOURCE = "riia_frames"
BATCH_DEFINITION = "whole_frame"

# The key of each asset: what GE returns for every failing row (unexpected_index_column_names).
ASSET_KEYS: dict[str, list[str]] = {
    "return_files": ["file_path"],
    "return_lines": ["file_path", "line_number"],
    "item_presence": ["file_path", "item_code"],
    "return_figures": ["file_path"],
    "stock_roll_forward": ["file_path", "item_code"],
    "rate_checks": ["file_path", "item_code"],
    "item_magnitudes": ["file_path", "item_code"],
}
# Not an asset: where the item of a logical or plausibility finding is written.
ITEM_LINES = "item_lines"

FINDING_COLUMNS: tuple[str, ...] = (
    "file_path",
    "source_file",
    "la_code",
    "period",
    "line_number",
    "item_code",
    "value",
    "rule_id",
    "severity",
    "message",
    "shared_message",
    "suite_name",
    "expectation_type",
)


def as_ge_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns as str-or-None (object dtype), as GE's pandas checks expect."""
    frame = frame.copy()
    for column in frame.columns:
        if frame[column].dtype == object or pd.api.types.is_string_dtype(frame[column]):
            frame[column] = frame[column].astype(object).where(frame[column].notna(), None)
    return frame


def expectations_by_asset(context: Any, suite_name: str) -> dict[str, list[dict[str, Any]]]:
    """The suite's expectation configurations grouped by the asset they check, each
    remembering its place in the suite (GE does not promise results in suite order)."""
    by_asset: dict[str, list[dict[str, Any]]] = {}
    for position, expectation in enumerate(context.suites.get(suite_name).expectations):
        config = expectation.configuration.to_json_dict()
        config["meta"] = {**config["meta"], "suite_position": position}
        by_asset.setdefault(expectation.meta["data_asset"], []).append(config)
    return by_asset


# Imported by Great Expectations for expectations no suite here has (KL divergence, the KS
# tests): loaded when first used rather than with GE, a third of the 2.4 s GE takes to
# import, which every build and every `riia check` waits for (riia.validation.child)
DEFERRED_MODULES = ("scipy.stats",)


def import_great_expectations() -> Any:
    """`great_expectations`, with DEFERRED_MODULES loaded on their first use (importlib's
    LazyLoader) instead of with it. Only a submodule can wait: importing a top-level package
    already in `sys.modules` reads its spec, which loads it."""
    for name in DEFERRED_MODULES:
        try:
            spec = None if name in sys.modules else importlib.util.find_spec(name)  # imports the parent package
        except ModuleNotFoundError:  # not installed: GE's own import says so if it needs it
            spec = None
        if spec is None or spec.loader is None:
            continue
        parent, _, child = name.rpartition(".")
        spec.loader = importlib.util.LazyLoader(spec.loader)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        # `from scipy import stats` takes the attribute if the package has it: no import,
        # which would read the module's spec and so load it
        setattr(sys.modules[parent], child, module)
        spec.loader.exec_module(module)
    import great_expectations as gx

    return gx


def run_suites(
    gx_dir: Path, batches: Iterable[Mapping[str, pd.DataFrame]], parameters: Mapping[str, Any]
) -> pd.DataFrame:
    """Validate each batch of files (one DataFrame per asset, every row of a file in the same
    batch: riia.validation.__main__) asset by asset with its expectations of each suite; one
    finding per failing row, typed and ordered (see findings_frame). A batch's frames are
    let go before the next is read, so the suites' memory is a batch's, not the scope's."""
    gx = import_great_expectations()
    context = gx.get_context(mode="file", project_root_dir=str(gx_dir.parent))
    datasource = context.data_sources.get(DATASOURCE)
    suites = [expectations_by_asset(context, suite_name) for suite_name in SUITE_NAMES]
    findings: list[dict[str, Any]] = []
    for frames in batches:
        findings += batch_findings(gx, datasource, suites, frames, parameters)
        # GE's objects of a batch hold its frames in reference cycles: without a collection
        # here each batch added some 100 MB (48 quarters in batches of 150,000 rows: 837 MB
        # at the end, 466 MB with it)
        gc.collect()
    return findings_frame(findings)


def batch_findings(
    gx: Any,
    datasource: Any,
    suites: list[dict[str, list[dict[str, Any]]]],
    frames: Mapping[str, pd.DataFrame],
    parameters: Mapping[str, Any],
) -> list[dict[str, Any]]:
    """The findings of one batch, in suite order (the first check in suite order of a row
    wins in findings_frame; a row's checks are all in its file's batch)."""
    frames = {name: as_ge_frame(frame) for name, frame in frames.items()}
    files = frames["return_files"].set_index("file_path")
    item_lines = frames[ITEM_LINES].set_index(["file_path", "item_code"])
    findings: list[tuple[tuple[int, int], dict[str, Any]]] = []
    for suite_number, (suite_name, by_asset) in enumerate(zip(SUITE_NAMES, suites, strict=True)):
        for asset_name, expectations in by_asset.items():
            frame = frames[asset_name]
            if frame.empty:
                continue
            key = ASSET_KEYS[asset_name]
            batch = (
                datasource.get_asset(asset_name)
                .get_batch_definition(BATCH_DEFINITION)
                .get_batch(batch_parameters={"dataframe": frame})
            )
            result = batch.validate(
                gx.ExpectationSuite(name=f"{suite_name}.{asset_name}", expectations=expectations),
                result_format={"result_format": "COMPLETE", "unexpected_index_column_names": key},
                expectation_parameters=dict(parameters),
            )
            rows = frame.set_index(key, drop=False)
            for outcome in result.results:
                config = outcome.expectation_config
                problem = exception_message(outcome.exception_info)
                if problem is not None:
                    raise RuntimeError(f"{suite_name}: {config.type} on {asset_name} could not run: {problem}")
                if outcome.success:
                    continue
                for failing in outcome.result.get("unexpected_index_list") or []:
                    index = tuple(failing[k] for k in key)
                    row = rows.loc[index if len(key) > 1 else index[0]]
                    row = (row.iloc[0] if isinstance(row, pd.DataFrame) else row).to_dict()
                    order = (suite_number, config.meta["suite_position"])
                    found = finding(suite_name, asset_name, config, row, files, item_lines, parameters)
                    findings.append((order, found))
    findings.sort(key=lambda pair: pair[0])
    return [found for _, found in findings]


def finding(
    suite_name: str,
    asset_name: str,
    config: Any,
    row: dict[str, Any],
    files: pd.DataFrame,
    item_lines: pd.DataFrame,
    parameters: Mapping[str, Any],
) -> dict[str, Any]:
    """One output row for one failing row of an asset."""
    meta = config.meta
    file = files.loc[row["file_path"]]
    la_code, period = file["report_la_code"], file["report_period"]
    line_number = item_code = value = None
    if asset_name == "return_lines":
        line_number, value = row["line_number"], row["value_as_written"]
        item_code = row["item_code"] or None
        if not file["has_valid_file_name"]:  # filed under what the line says
            la_code, period = row["la_code"] or la_code, row["period"] or period
    elif asset_name == "item_presence":
        item_code = row["item_code"]
    elif asset_name != "return_files":  # a figure: report the line of the item concerned
        item_code = meta.get("report_item") or row["item_code"]
        if (row["file_path"], item_code) in item_lines.index:
            line_number, value = item_lines.loc[(row["file_path"], item_code), ["line_number", "value_as_written"]]
        row = {**row, "value_as_written": value}
    values = {**parameters_for_messages(parameters), **row, **derived_fields(asset_name, row, parameters)}
    return {
        "file_path": row["file_path"],
        "source_file": file["source_file"],
        "la_code": la_code,
        "period": period,
        "line_number": line_number,
        "item_code": item_code,
        "value": value,
        "rule_id": meta["rule_id"],
        "severity": meta["severity"],
        "message": render_message(meta["message"], values),
        # what the LA's region is told: no figure from outside the region's view
        "shared_message": render_message(meta.get("shared_message") or meta["message"], values),
        "suite_name": suite_name,
        "expectation_type": config.type,
    }


def parameters_for_messages(parameters: Mapping[str, Any]) -> dict[str, Any]:
    """The scalar suite parameters (thresholds), which a message may quote."""
    return {name: value for name, value in parameters.items() if isinstance(value, int | float)}


def findings_frame(findings: list[dict[str, Any]]) -> pd.DataFrame:
    """Typed (text as string, line_number as Int32), one row per grain (the first check in
    suite order wins), sorted by file, rule, line and item."""
    frame = pd.DataFrame(findings, columns=list(FINDING_COLUMNS))
    frame["line_number"] = pd.array([None if pd.isna(v) else int(v) for v in frame["line_number"]], dtype="Int32")
    for column in FINDING_COLUMNS:
        if column != "line_number":
            frame[column] = frame[column].astype("string")
    frame = frame.drop_duplicates(["file_path", "rule_id", "line_number", "item_code"], keep="first")
    frame = frame.sort_values(["file_path", "rule_id", "line_number", "item_code"], na_position="first", kind="stable")
    return frame.reset_index(drop=True)


def exception_message(info: Mapping[str, Any] | None) -> str | None:
    """The message of an expectation that could not be computed, or None if it ran.

    GE 1.24 reports an exception either at the top of `exception_info` or, when a metric
    failed (e.g. a column the asset lacks), nested under each metric's id; both must stop
    the build, or the expectation would pass silently with no finding."""
    if not info:
        return None
    if info.get("raised_exception"):
        return str(info.get("exception_message"))
    nested = [value for value in info.values() if isinstance(value, Mapping) and value.get("raised_exception")]
    return "; ".join(str(value.get("exception_message")) for value in nested) if nested else None
