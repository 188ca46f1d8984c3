"""The project's own linters, as tests: ruff over the Python, sqlfluff over every model,
macro, data test and analysis (the same commands as `make lint`). They run inside pytest so
that `make test` schedules them on a worker beside the builds instead of before them.

A finding fails the test with the linter's own report: the file, line, rule and message.
"""

from __future__ import annotations

import subprocess

import pytest

from conftest import PROJECT_ROOT, VENV_BIN

LINTERS = {
    "ruff check": [str(VENV_BIN / "ruff"), "check", "scripts", "tests"],
    "ruff format": [str(VENV_BIN / "ruff"), "format", "--check", "scripts", "tests"],
    "sqlfluff": [str(VENV_BIN / "sqlfluff"), "lint", "models", "macros", "tests", "analyses"],
}


@pytest.mark.parametrize("linter", LINTERS)
def test_linter_finds_nothing(linter: str) -> None:
    proc = subprocess.run(LINTERS[linter], cwd=PROJECT_ROOT, capture_output=True, text=True, timeout=900)
    report = (proc.stdout + proc.stderr)[-8000:]
    assert proc.returncode == 0, f"`{' '.join(LINTERS[linter][1:])}` found problems:\n{report}"


def test_sqlfluff_parses_with_its_rust_parser() -> None:
    """sqlfluff lints the project with the Rust parser of the sqlfluffrs package pinned beside
    it (.sqlfluff: use_rust_parser = True), which gives the same findings in less time (README,
    Tests). A sqlfluff upgraded without its sqlfluffrs would parse in Python again, with only a
    warning to say so; this says it here."""
    from sqlfluff.core.parser import rust_parser

    assert rust_parser.RustParser is not None, "sqlfluff cannot load sqlfluffrs: pin the sqlfluffrs of its version"
