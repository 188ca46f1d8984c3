"""The sample's marker: a hidden folder ``.riia-sample/`` at the top of the returns folder.

The returns folder holds only returns; the loader ignores hidden folders (RETURN_TEMPLATE.md
section 1b). The marker says the folder is a generated sample, so that everything built
from it can be marked SAMPLE DATA:

* ``manifest.json``: the generator, seed, first period and number of quarters, and every
  file written (``files``: relative path -> SHA-256), so a build can tell whether the
  returns are still the sample as written;
* ``SAMPLE_DEFECTS.md`` and ``sample_defects.json``: the deliberate defects and gaps.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

MARKER_DIR = ".riia-sample"
MANIFEST = "manifest.json"
DEFECTS_MD = "SAMPLE_DEFECTS.md"
DEFECTS_JSON = "sample_defects.json"


def marker_dir(returns_dir: Path) -> Path:
    return returns_dir / MARKER_DIR


def manifest_path(returns_dir: Path) -> Path:
    return marker_dir(returns_dir) / MANIFEST


def defects_json_path(returns_dir: Path) -> Path:
    """Where the machine-readable defect list of a sample is."""
    return marker_dir(returns_dir) / DEFECTS_JSON


def is_sample(returns_dir: Path) -> bool:
    """True when ``returns_dir`` was written by the sample generator (it has a manifest)."""
    return manifest_path(returns_dir).is_file()


def read_manifest(returns_dir: Path) -> dict[str, Any]:
    """The sample's manifest (raises FileNotFoundError when the folder is not a sample)."""
    return json.loads(manifest_path(returns_dir).read_text(encoding="utf-8"))


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def render_manifest(generator: str, seed: int, first_period: str, quarters: int, files: Mapping[str, bytes]) -> str:
    """``manifest.json``: what wrote the sample and every file it wrote (sorted, stable)."""
    payload = {
        "generator": generator,
        "sample_data": True,
        "description": "Synthetic returns written by the sample generator: not real data.",
        "seed": seed,
        "first_period": first_period,
        "quarters": quarters,
        "files": {path: sha256(data) for path, data in sorted(files.items())},
    }
    return json.dumps(payload, indent=1, sort_keys=True) + "\n"
