"""Charts: Vega-Lite specifications made with altair, drawn in the browser by the Vega
JavaScript that vl-convert bundles, written once per report folder (no network, no CDN).

Rendering each chart to SVG in Python (`vl_convert.vegalite_to_svg`) takes about 90 ms and
22 KB a chart; an LA profile has some 35 charts and a region's profiles some 7,000, so the
charts are drawn by the reader's browser instead: the bundle (about 900 KB, `vl_convert.
javascript_bundle`) is written once into `assets/` and each chart's specification is put in
the page as JSON. Building a specification with altair takes about 15 ms, so altair builds
one base specification per process (`trend_base`) and each chart only fills in its title,
axis title, quarters and values. Every chart has a title, axis titles with units, a legend
and a text alternative (an aria-label, the spec's description, and a visually hidden table
of its values beside it).
"""

from __future__ import annotations

import json
import sys
from dataclasses import dataclass
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

import altair as alt
import vl_convert

from riia.paths import replace_whole
from riia.reports import formatting as fmt
from riia.reports.pages import fresh, static_text

VEGA_LITE_VERSION = alt.SCHEMA_VERSION.lstrip("v").rsplit(".", 1)[0]  # "6.4"
BUNDLE = "vega-bundle.js"
LOADER = "charts.js"
SERIES_NAMES = [name for name, *_ in fmt.SERIES]


KEYS = ("a", "b", "c", "d")  # the four series' columns in a chart's data rows


@dataclass
class TrendChart:
    """One indicator's eight-quarter chart: the LA, its neighbours, its region, England."""

    title: str
    unit: str
    quarters: list[str]
    series: dict[str, list[float | None]]  # series name -> value per quarter (None = no figure)
    dp: int
    description: str = ""
    labels: list[str] | None = None  # what the legend calls each series: the LA's and region's names

    @property
    def names(self) -> list[str]:
        return self.labels or SERIES_NAMES

    @property
    def has_data(self) -> bool:
        return any(v is not None for values in self.series.values() for v in values)

    def table(self) -> list[tuple[str, list[str]]]:
        """The text alternative: per quarter, each series' figure or 'no figure'."""
        return [
            (quarter, [fmt.number(self.series[name][i], self.dp) or "no figure" for name in SERIES_NAMES])
            for i, quarter in enumerate(self.quarters)
        ]

    def patch(self) -> dict[str, Any]:
        """What this chart lays over its page's base (`page_base`): title, text alternative, axis
        title and values, one row per quarter (merged in the browser by charts.js, as `merge` does)."""
        rows = [
            {"q": quarter, **{key: self.series[name][i] for key, name in zip(KEYS, SERIES_NAMES, strict=True)}}
            for i, quarter in enumerate(self.quarters)
        ]
        return {
            "title": {"text": self.title},
            "description": self.description,
            "data": {"values": rows},
            "encoding": {"y": {"title": unit_lines(self.unit)}},
        }

    def spec(self) -> dict[str, Any]:
        """The whole Vega-Lite specification of this chart."""
        return merge(page_base(tuple(self.quarters), tuple(self.names)), self.patch())


def page_base(quarters: tuple[str, ...], names: tuple[str, ...]) -> dict[str, Any]:
    """The specification every chart of one page shares: its quarters and the names of its four lines."""
    lookup = "{" + ", ".join(f"{key}: {json.dumps(name)}" for key, name in zip(KEYS, names, strict=True)) + "}"
    domain = {"scale": {"domain": list(names)}}
    return merge(
        trend_base(),
        {
            "transform": [{"fold": list(KEYS), "as": ["k", "v"]}, {"calculate": f"{lookup}[datum.k]", "as": "s"}],
            "encoding": {
                "x": {"scale": {"domain": list(quarters)}},
                "color": domain,
                "strokeDash": domain,
                "shape": domain,
            },
        },
    )


def merge(base: dict[str, Any], patch: dict[str, Any]) -> dict[str, Any]:
    """`patch` laid over `base`: objects merge key by key, anything else replaces (charts.js does the same)."""
    merged = dict(base)
    for key, value in patch.items():
        merged[key] = merge(base[key], value) if isinstance(value, dict) and isinstance(base.get(key), dict) else value
    return merged


def unit_lines(unit: str) -> list[str]:
    """An axis title in lines: 'per 10,000 children aged 0-17, in the quarter' -> two lines."""
    first, _, rest = unit.partition(", ")
    return [first, rest] if rest else [first]


@cache
def trend_base() -> dict[str, Any]:
    """The altair chart every trend chart is built from (once per process)."""
    names, colours, dashes, shapes = zip(*fmt.SERIES, strict=True)
    legend = alt.Legend(title=None, orient="bottom", columns=2, labelFontSize=10, labelLimit=150, symbolStrokeWidth=2)
    chart = (
        alt.Chart(alt.Data(values=[]))
        .mark_line(point=alt.OverlayMarkDef(filled=True, size=28), strokeWidth=2, invalid="break-paths-show-domains")
        .encode(
            x=alt.X("q:O", title="Quarter (financial year)", axis=alt.Axis(labelAngle=-40, labelFontSize=9)),
            y=alt.Y("v:Q", title="value", scale=alt.Scale(zero=True), axis=alt.Axis(tickCount=4, titleFontSize=10)),
            color=alt.Color(
                "s:N", title="Series", scale=alt.Scale(domain=list(names), range=list(colours)), legend=legend
            ),
            strokeDash=alt.StrokeDash(
                "s:N", title="Series", scale=alt.Scale(domain=list(names), range=list(dashes)), legend=legend
            ),
            shape=alt.Shape(
                "s:N", title="Series", scale=alt.Scale(domain=list(names), range=list(shapes)), legend=legend
            ),
            tooltip=[
                alt.Tooltip("s:N", title="Series"),
                alt.Tooltip("q:O", title="Quarter"),
                alt.Tooltip("v:Q", title="Value"),
            ],
        )
        .properties(width=250, height=110, title=alt.TitleParams(text="", fontSize=12, anchor="start"))
        .configure_view(stroke=None)
    )
    spec = chart.to_dict()
    spec.pop("datasets", None)
    return spec


def bundle_path() -> Path:
    """Where the bundle is kept once made: in the Python environment that made it (the
    project's .venv: `share/riia/`), named by the versions that shape it, so that another
    vl-convert or Vega-Lite makes a new one."""
    return Path(sys.prefix) / "share" / "riia" / f"vega-bundle_{asset_version().replace(' ', '-')}.js"


@cache
def bundle_text() -> str:
    """Vega, Vega-Lite and vega-embed in one script (no network). Making it takes vl-convert
    about 2.5 s, so it is kept (`bundle_path`) and read by every later build and process;
    where the environment cannot be written, it is made again each time."""
    path = bundle_path()
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        pass
    text = vl_convert.javascript_bundle(vl_version=VEGA_LITE_VERSION)
    replace_whole(path, lambda part: part.write_text(text, encoding="utf-8"))
    return text


@cache
def asset_version() -> str:
    return f"vl-convert {metadata.version('vl-convert-python')} vega-lite {VEGA_LITE_VERSION}"


def write_assets(folder: Path) -> list[Path]:
    """The charts' JavaScript, once per report folder: the bundle and the loader."""
    folder.mkdir(parents=True, exist_ok=True)
    bundle, loader = folder / BUNDLE, folder / LOADER
    fresh(bundle).write_text(bundle_text(), encoding="utf-8")
    fresh(loader).write_text(static_text(LOADER), encoding="utf-8")
    return [bundle, loader]
