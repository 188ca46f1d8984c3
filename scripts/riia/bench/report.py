"""The benchmark's figures, the targets of issue 15 with the ratio of each figure to its
target, and the files: build/benchmark/results.csv (one row per run) and results.md.

A target is printed, never asserted: `riia bench` exits 0 when every run succeeded and the
reference agreed with the marts, whether or not the targets are met.
"""

from __future__ import annotations

import csv
import os
from dataclasses import asdict, dataclass, fields
from pathlib import Path

BUDGET_SECONDS = 20 * 60  # the default sizes with releases planned by an untimed build (README, Benchmark)


@dataclass
class Row:
    """One timed run: a build, a reference computation, a check or a memory probe."""

    name: str  # e.g. "full 12q", "increment at 24", "reference (full 12q)", "check: one file"
    kind: str  # full, catch-up, increment, release, reference, check, memory
    history_quarters: int | None
    return_files: int | None
    return_mb: float | None
    seconds: float | None
    dbt_seconds: float | None
    peak_rss_mb: float | None
    peak_tree_pss_mb: float | None
    ok: bool
    steps: str = ""
    note: str = ""
    cpu_seconds: float | None = None  # user + system time (steadier than wall time on a shared machine)
    dbt_time: str = ""  # where the dbt step's time went (build.json's dbt_time, riia.build.dbt.time_in_nodes_text)
    run_seconds: tuple[float, ...] = ()  # every timed run's wall time, of a build timed more than once


@dataclass
class Target:
    """A figure against its target: `measured` must be at most `limit` (both in `unit`)."""

    number: str
    text: str
    measured: float | None
    limit: float
    unit: str
    detail: str = ""
    cpu: float | None = None  # the same figure on CPU time, where it means something
    # a ratio of repeated runs: its lowest and highest over every pairing of one run of each
    spread: tuple[float, float] | None = None

    @property
    def met(self) -> bool | None:
        return None if self.measured is None else self.measured <= self.limit

    def spread_text(self) -> str:
        """'every pairing of runs: 1.05x to 1.23x', saying so when the target lies within it: a
        verdict the machine's noise alone could turn."""
        if self.spread is None:
            return ""
        low, high = self.spread
        text = f"every pairing of runs: {figure(low, self.unit)} to {figure(high, self.unit)}"
        if low <= self.limit < high:
            text += ", across the target: another bench on the same code could give the other verdict"
        return text

    def line(self) -> str:
        if self.measured is None:
            return f"{self.number}. {self.text}: not measured ({self.detail or 'the run it needs was not made'})"
        verdict = "met" if self.met else "NOT met"
        ratio = ratio_text(self.measured, self.limit)
        detail = f" ({self.detail})" if self.detail else ""
        cpu = (
            ""
            if self.cpu is None
            else f"; on CPU time {figure(self.cpu, self.unit)}, {ratio_text(self.cpu, self.limit)}"
        )
        spread = f"; {self.spread_text()}" if self.spread else ""
        return (
            f"{self.number}. {self.text}: {figure(self.measured, self.unit)}{detail}; target at most "
            f"{figure(self.limit, self.unit)}; {ratio} - {verdict}{cpu}{spread}"
        )


def figure(value: float, unit: str) -> str:
    """12.345 s -> '12.3 s'; 0.4123 share -> '41%'; 3.2 x -> '3.2x'."""
    if unit == "share":
        return f"{value:.0%}"
    if unit == "x":
        if float(value).is_integer():
            return f"{value:.0f}x"
        return f"{value:.2f}x" if value < 10 else f"{value:.1f}x"
    if unit == "MB":
        return f"{value:,.0f} MB"
    return f"{value:.1f} {unit}"


def ratio_text(measured: float, limit: float) -> str:
    """How the figure compares with its target: '0.62 of the target' or '3.97 times the target'."""
    if limit == 0:
        return "target 0" if measured == 0 else "above a target of 0"
    ratio = measured / limit
    return f"{ratio:.2f} of the target" if ratio <= 1 else f"{ratio:.2f} times the target"


def safe_ratio(numerator: float | None, denominator: float | None) -> float | None:
    if numerator is None or not denominator:
        return None
    return numerator / denominator


def steps_text(step_seconds: dict[str, float]) -> str:
    """The build's own 'Steps: ...' line, from build.json's step_seconds."""
    return ", ".join(f"{step} {seconds:.1f} s" for step, seconds in step_seconds.items())


def ok_row(rows: list[Row], name: str) -> Row | None:
    """The run of that name, if it succeeded."""
    return next((r for r in rows if r.name == name and r.ok), None)


def seconds_of(rows: list[Row], name: str) -> float | None:
    row = ok_row(rows, name)
    return row.seconds if row else None


def cpu_of(rows: list[Row], name: str) -> float | None:
    row = ok_row(rows, name)
    return row.cpu_seconds if row else None


def reference_row(run: str, views: bool = False) -> str:
    """The name of the reference's row after the build `run` (`views`: of every view)."""
    return f"reference, every view ({run})" if views else f"reference ({run})"


EVERY_VIEW = reference_row("full 12q", views=True)  # target 1b's denominator
FIXED_COST = "full build of one return"  # what any full build costs whatever its data (Bench.fixed_cost)
AT_LIMIT = "full build with a return at the size limit"  # the same, with one at the size limit beside it (3c)


def runs_of(rows: list[Row], name: str) -> tuple[float, ...]:
    row = ok_row(rows, name)
    return row.run_seconds if row else ()


def pairing_spread(numerators: tuple[float, ...], denominators: tuple[float, ...]) -> tuple[float, float] | None:
    """The lowest and highest ratio of one run of each (None unless both were timed more than
    once): how far the machine's noise alone moves a ratio of medians."""
    if len(numerators) < 2 or len(denominators) < 2 or not all(denominators):
        return None
    return min(numerators) / max(denominators), max(numerators) / min(denominators)


def peak_of(rows: list[Row], name: str) -> float | None:
    """A build's peak memory: the most its processes held at once (peak tree PSS: `riia
    build`, where dbt runs, with its validation process and its workers, a page they share
    counted once), what the machine must have for it; not its largest process alone (RSS)."""
    row = ok_row(rows, name)
    return row.peak_tree_pss_mb if row else None


def largest_process(rows: list[Row], name: str) -> str:
    """'its largest process alone 640 MB (RSS)', for a target's detail."""
    row = ok_row(rows, name)
    return f"its largest process alone {row.peak_rss_mb:.0f} MB (RSS)" if row and row.peak_rss_mb is not None else ""


def targets(
    rows: list[Row], reference_seconds: float | None, memory: dict[str, float], reference_cpu: float | None = None
) -> list[Target]:
    """Each target of issue 15 with the figure measured for it (None: not measured): wall time,
    what a data engineer waits for, and beside it the same ratio on CPU time."""
    full, full_cpu = seconds_of(rows, "full 12q"), cpu_of(rows, "full 12q")
    inc12, inc12_cpu = seconds_of(rows, "increment at 12"), cpu_of(rows, "increment at 12")
    views, views_cpu = seconds_of(rows, EVERY_VIEW), cpu_of(rows, EVERY_VIEW)
    fixed = seconds_of(rows, FIXED_COST)

    def against(denominator: float | None, missing: str) -> str:
        """'120.0 s / 2.00 s', and the full build's two parts against the same figure: what a
        build of one return costs, which no speed-up of the data work removes, and the rest."""
        if not (full and denominator):
            return missing
        text = f"{full:.1f} s / {denominator:.2f} s"
        if fixed:
            text += (f"; the {FIXED_COST} takes {fixed:.1f} s, {fixed / denominator:.1f}x on its own, which no "
                     f"speed-up of the data work removes; the rest, {full - fixed:.1f} s, is "
                     f"{(full - fixed) / denominator:.1f}x")  # fmt: skip
        return text

    found = [
        Target("1", "full build of 12 quarters against the reference computation",
               safe_ratio(full, reference_seconds), 15, "x",
               against(reference_seconds, "needs size 12 built from empty and the reference"),
               safe_ratio(full_cpu, reference_cpu)),
        Target("1b", "the same against the reference computing every recipient's view (each view's values, "
               "comparators and ranks, as SHARING.md makes the build compute them)",
               safe_ratio(full, views), 15, "x",
               against(views, "needs size 12 built from empty and the reference of every view"),
               safe_ratio(full_cpu, views_cpu)),
        Target("2a", "increment at 12 quarters against the full 12q build", safe_ratio(inc12, full), 0.40,
               "share", f"{inc12 or 0:.1f} s / {full or 0:.1f} s" if inc12 and full else "needs size 12",
               safe_ratio(inc12_cpu, full_cpu)),
    ]  # fmt: skip
    for size, number in ((24, "2b"), (48, "2c")):
        inc, inc_cpu = seconds_of(rows, f"increment at {size}"), cpu_of(rows, f"increment at {size}")
        # the growth itself beside the ratio: a ratio also moves when the increment's fixed cost does
        detail = (f"{inc:.1f} s / {inc12:.1f} s: {inc - inc12:+.1f} s over {size - 12} quarters more, "
                  f"{(inc - inc12) / (size - 12):+.2f} s each" if inc and inc12
                  else f"needs sizes 12 and {size}")  # fmt: skip
        found.append(
            Target(number, f"increment at {size} quarters against the increment at 12",
                   safe_ratio(inc, inc12), 1.2, "x", detail, safe_ratio(inc_cpu, inc12_cpu),
                   pairing_spread(runs_of(rows, f"increment at {size}"), runs_of(rows, "increment at 12")))
        )  # fmt: skip
    found += [
        Target("3a", "peak memory of the full 12q build (its processes together)", peak_of(rows, "full 12q"), 700,
               "MB", largest_process(rows, "full 12q")),
        Target("3b", "peak memory of the increment at 48 (its processes together)", peak_of(rows, "increment at 48"),
               700, "MB", largest_process(rows, "increment at 48") or "needs size 48"),
    ]  # fmt: skip
    # 3c: a whole build's peak with a return at the size limit beside one return, against the
    # same build without it; the loader and parser alone (the memory probe) in its detail
    parts = [largest_process(rows, AT_LIMIT)] if peak_of(rows, AT_LIMIT) is not None else []
    without = peak_of(rows, FIXED_COST)
    if without is not None:
        parts.append(f"{without:.0f} MB without it")
    if memory:
        per_byte = (memory["at_limit"] - memory["empty"]) * 2**20 / memory["limit_bytes"]
        parts.append(f"the loader and line parser alone {memory['at_limit']:.0f} MB, {memory['empty']:.0f} MB "
                     f"without it: {per_byte:,.0f} bytes of memory per byte of file")  # fmt: skip
    at_limit = peak_of(rows, AT_LIMIT)
    found.append(
        Target("3c", "peak memory of a full build with a return at the size limit (every byte a line break) "
               "beside one return (its processes together)", at_limit, 700, "MB",
               "; ".join(parts) if at_limit is not None else "needs the build of one return")
    )  # fmt: skip
    if memory:
        found.append(
            Target("3d", "memory added by a 200 MB return beside it (must be refused unread)",
                   max(0.0, memory["at_limit_and_large"] - memory["at_limit"]), 20, "MB",
                   f"{memory['at_limit_and_large']:.0f} MB against {memory['at_limit']:.0f} MB")
        )  # fmt: skip
    return found


def increment_steps(rows: list[Row]) -> list[str]:
    """Where the increments' time goes, step by step, as the history grows."""
    increments = [r for r in rows if r.kind == "increment" and r.ok and r.steps]
    if len(increments) < 2:
        return []
    steps: dict[str, list[str]] = {}
    for row in increments:
        for part in row.steps.split(", "):
            step, seconds = part.rsplit(" ", 2)[0], part.rsplit(" ", 2)[1]
            steps.setdefault(step, []).append(seconds)
    sizes = " / ".join(str(r.history_quarters) for r in increments)
    return [
        f"Increment steps at {sizes} quarters of history (seconds): "
        + "; ".join(f"{step} {' / '.join(values)}" for step, values in steps.items())
    ]


def write_csv(rows: list[Row], path: Path) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=[f.name for f in fields(Row)], lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow(
                {k: "" if v is None else " ".join(map(str, v)) if isinstance(v, tuple) else v
                 for k, v in asdict(row).items()}
            )  # fmt: skip


def _cell(value: object, digits: int = 1) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "NO"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return str(value)


def runs_table(rows: list[Row]) -> list[str]:
    lines = [
        "| run | quarters | files | MB | seconds | CPU s | dbt s | peak RSS MB | peak tree PSS MB | ok |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|",
    ]
    for r in rows:
        lines.append(
            f"| {r.name} | {_cell(r.history_quarters)} | {_cell(r.return_files)} | {_cell(r.return_mb)} | "
            f"{_cell(r.seconds)} | {_cell(r.cpu_seconds)} | {_cell(r.dbt_seconds)} | {_cell(r.peak_rss_mb, 0)} | "
            f"{_cell(r.peak_tree_pss_mb, 0)} | {_cell(r.ok)} |"
        )
    return lines


def targets_table(targets: list[Target]) -> list[str]:
    lines = [
        "| target | measured | at most | ratio | met | from | on CPU time |",
        "|---|---:|---:|---|---|---|---|",
    ]
    for t in targets:
        if t.measured is None:
            lines.append(f"| {t.number}. {t.text} | not measured | {figure(t.limit, t.unit)} |  |  | {t.detail} |  |")
            continue
        cpu = "" if t.cpu is None else f"{figure(t.cpu, t.unit)}, {ratio_text(t.cpu, t.limit)}"
        source = "; ".join(part for part in (t.detail, t.spread_text()) if part)
        lines.append(
            f"| {t.number}. {t.text} | {figure(t.measured, t.unit)} | {figure(t.limit, t.unit)} | "
            f"{ratio_text(t.measured, t.limit)} | {'yes' if t.met else 'NO'} | {source} | {cpu} |"
        )
    return lines


def markdown(rows: list[Row], targets: list[Target], notes: list[str], header: list[str]) -> str:
    lines = ["# riia bench", "", *header, "", "## Targets (issue 15)", "", *targets_table(targets)]
    lines += ["", "## Runs", "", *runs_table(rows), ""]
    stepped = [r for r in rows if r.steps]
    if stepped:
        lines += ["## Steps of each build (build.json's step_seconds)", ""]
        lines += [f"* {r.name}: {r.steps}" for r in stepped]
        lines.append("")
    timed = [r for r in rows if r.dbt_time]
    if timed:
        lines += ["## Where dbt's time goes (build.json's dbt_time: seconds inside its nodes, as dbt times them)", ""]
        lines += [f"* {r.name}: {r.dbt_time}" for r in timed]
        lines.append("")
    noted = [r for r in rows if r.note]
    if noted:
        lines += ["## Notes on runs", ""] + [f"* {r.name}: {r.note}" for r in noted] + [""]
    lines += ["## Notes", ""] + [f"* {n}" for n in notes]
    return "\n".join(lines) + "\n"


def text_report(rows: list[Row], targets: list[Target], notes: list[str]) -> str:
    """What is printed at the end: the runs, then each target with its figure and ratio."""
    width = max((len(r.name) for r in rows), default=10)
    out = ["", "Runs:"]
    for r in rows:
        parts = [f"{r.seconds:8.1f} s"] if r.seconds is not None else []
        if r.cpu_seconds is not None:
            parts.append(f"CPU {r.cpu_seconds:.1f} s")
        if r.dbt_seconds is not None:
            parts.append(f"dbt {r.dbt_seconds:.1f} s")
        if r.peak_rss_mb is not None:
            parts.append(f"peak RSS {r.peak_rss_mb:,.0f} MB")
        if r.peak_tree_pss_mb:
            parts.append(f"tree PSS {r.peak_tree_pss_mb:,.0f} MB")
        if r.return_files:
            parts.append(f"{r.return_files} file{'s' if r.return_files != 1 else ''}")
        out.append(f"  {r.name:<{width}}  " + ", ".join(parts) + ("" if r.ok else "  FAILED"))
        if r.steps:
            out.append(f"  {'':<{width}}  Steps: {r.steps}")
    out += ["", "Targets (issue 15), figure against target:"]
    out += [f"  {t.line()}" for t in targets]
    out += ["", "Notes:"] + [f"  * {n}" for n in notes]
    return "\n".join(out)


def header_lines(cores: int | None = None) -> list[str]:
    return [
        f"On {cores or os.cpu_count()} cores. Every build is `riia build` end to end in its own process "
        "(load, dbt, exports, reports, publish) into the benchmark's work folder; peak RSS = ru_maxrss from "
        "os.wait4 on that process (dbt runs inside it; the largest of it and its children), peak tree PSS = "
        "the sampled sum over it and every process it started (the validation process, the workers) at once, "
        "each shared page counted once: what targets 3a-3c judge."
    ]
