"""The one page skeleton of every report: Jinja2 templates with autoescaping, inline CSS.

Every page carries its recipient's handling marking at the top and the bottom (on screen
and on every printed sheet) and, when built from generated returns, the SAMPLE DATA line
(SHARING.md rules 9 and 10). Nothing on a page is fetched from anywhere: the CSS is
inline, and the one script a page with charts needs is a file beside it (charts.py).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from riia.reports import formatting

SAMPLE_TEXT = "SAMPLE DATA - built from generated returns, not real figures"


def json_script(value: Any) -> Markup:
    """JSON to put inside <script type="application/json">: no `<`, `>` or `&` that could end it."""
    text = json.dumps(value, separators=(",", ":"), default=str)
    return Markup(text.replace("&", "\\u0026").replace("<", "\\u003c").replace(">", "\\u003e"))


def css_string(value: str) -> Markup:
    """Text as a quoted CSS string (for the printed page's margin boxes): nothing in it can end
    the string or the <style> element."""
    escaped = "".join(c if c.isalnum() or c in " :-.,()/&'" else f"\\{ord(c):x} " for c in str(value))
    return Markup(f'"{escaped}"')


@cache
def environment() -> Environment:
    env = Environment(
        loader=PackageLoader("riia.reports", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )
    env.filters.update(
        number=formatting.number,
        signed=formatting.signed,
        ordinal=formatting.ordinal,
        json_script=json_script,
        css_string=css_string,
    )
    return env


@cache
def static_text(name: str) -> str:
    return resources.files("riia.reports").joinpath("static", name).read_text(encoding="utf-8")


@dataclass(frozen=True)
class PageFrame:
    """What every page of one recipient says around its content."""

    marking: str
    is_sample: bool
    as_of: date | None
    recipient: str  # "South East (regional alliance)", "Department for Education"
    build_id: str

    def context(self, depth: int) -> dict[str, Any]:
        """`depth`: folders between the page and the reports folder (for links to index and assets)."""
        return {
            "marking": self.marking,
            "sample": SAMPLE_TEXT if self.is_sample else "",
            "as_of": self.as_of.isoformat() if self.as_of else "not recorded",
            "recipient": self.recipient,
            "build_id": self.build_id,
            "root": "../" * depth,
            "css": Markup(static_text("report.css")),
        }


def render(template: str, frame: PageFrame, depth: int, **context: Any) -> str:
    return environment().get_template(template).render(**frame.context(depth), **context)


def fresh(path: Path) -> Path:
    """`path` ready to be written as a new file: its folder made, and any file there removed
    first, so that a file hard-linked from the previous publication (cache.py) is never
    written through."""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.unlink(missing_ok=True)
    return path


def write_text(path: Path, text: str) -> Path:
    fresh(path).write_text(text, encoding="utf-8")
    return path
