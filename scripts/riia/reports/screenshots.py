"""Pictures of the reports for the project's docs: headless Chromium PNGs of the hub index, a
tartan rug, an LA profile and a validation report of one publication.

`folder` is a publication folder (`build/current`: `reports/` and `exports/`) or a hub reports
folder beside an `exports/` folder. The browser may fetch nothing: its proxy is a closed port
on this machine and its background services are off.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from pathlib import Path

# How the project starts Chromium, here and in the browser tests (tests/python/browser.py):
# headless, no background services, and anything a page tries to fetch goes to a closed
# port on this machine, and fails.
OFFLINE_FLAGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--no-first-run",
    "--no-default-browser-check",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--metrics-recording-only",
    "--mute-audio",
    "--hide-scrollbars",
    "--proxy-server=http://127.0.0.1:9",
    "--proxy-bypass-list=<-loopback>",
)
# let the charts' script finish before the picture is taken
FLAGS = (*OFFLINE_FLAGS, "--virtual-time-budget=20000")


class ScreenshotError(Exception):
    """Screenshots cannot be taken; the message says why in one sentence."""


def find_chromium() -> str | None:
    """The Chromium binary: $RIIA_CHROMIUM, else the first of the usual names on PATH."""
    wanted = os.environ.get("RIIA_CHROMIUM")
    if wanted:
        return shutil.which(wanted) or (wanted if Path(wanted).is_file() else None)
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return None


def chromium() -> str:
    found = find_chromium()
    if found is None:
        raise ScreenshotError("No headless Chromium found: install chromium, or set RIIA_CHROMIUM to its path.")
    return found


def newest(paths: list[Path]) -> Path | None:
    """The page of the latest quarter (file names start yyyy-yy_Qn, so they sort in time)."""
    return sorted(paths, key=lambda p: p.name)[-1] if paths else None


def regional_reports(exports: Path) -> Path:
    """A region's reports folder: the South East's if it has one, else the first with a rug."""
    folders = sorted(p for p in exports.glob("regional/*/reports") if list(p.glob("tartan_rug/*.html")))
    if not folders:
        raise ScreenshotError(f"No regional reports under {exports}: build first (riia build).")
    return next((f for f in folders if "south-east" in f.parent.name), folders[0])


def pick_pages(folder: Path) -> dict[str, tuple[Path, int]]:
    """name -> (page, window height) of the four pages to picture."""
    hub = folder / "reports" if (folder / "reports" / "index.html").is_file() else folder
    exports = folder / "exports" if (folder / "exports").is_dir() else folder.parent / "exports"
    region = regional_reports(exports)
    rug = newest([p for p in region.glob("tartan_rug/*.html") if "_se-annex-a_" not in p.name])
    validations = list(region.glob("validation/*.html"))
    texts = {p: p.read_text(encoding="utf-8") for p in validations}
    quarantined = [p for p, text in texts.items() if "This return is quarantined" in text]
    with_findings = [p for p, text in texts.items() if "Findings on" in text]
    validation = newest(quarantined or with_findings or validations)
    quarter = newest([p for p in region.glob("la_profile/*") if p.is_dir()])
    profile = sorted(quarter.glob("*.html"))[0] if quarter else None
    pages = {
        "index": (hub / "index.html", 1100),
        "tartan_rug": (rug, 1100),
        "la_profile": (profile, 1500),
        "validation": (validation, 1300),
    }
    missing = [name for name, (page, _) in pages.items() if page is None or not page.is_file()]
    if missing:
        raise ScreenshotError(f"No {', '.join(missing)} page to picture in {folder}.")
    return pages  # type: ignore[return-value]


def take(binary: str, page: Path, png: Path, height: int, width: int = 1600) -> Path:
    with tempfile.TemporaryDirectory(prefix="riia-chromium-") as profile:
        subprocess.run(
            [
                binary,
                *FLAGS,
                f"--user-data-dir={profile}",
                f"--window-size={width},{height}",
                f"--screenshot={png}",
                page.resolve().as_uri(),
            ],
            check=True,
            capture_output=True,
            timeout=120,
        )
    if not png.is_file():
        raise ScreenshotError(f"Chromium wrote no picture of {page}.")
    return png


def screenshots(folder: Path, out: Path) -> list[Path]:
    """PNGs of the index, a rug, a profile and a validation report of `folder`, into `out`."""
    binary = chromium()
    out.mkdir(parents=True, exist_ok=True)
    return [take(binary, page, out / f"{name}.png", height) for name, (page, height) in pick_pages(folder).items()]
