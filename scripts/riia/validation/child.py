"""The child process that runs the Great Expectations suites, started early where it can be.

The dbt model `int_validation_findings` writes the validation inputs into a folder and
calls `run(folder)`, which runs `python -m riia.validation` on it in a child process (so
that GE's memory goes back to the system when it is done) and waits for its findings.

Starting that process costs about 3 s, nearly all of it importing Great Expectations.
`riia build` and `riia check` run dbt in their own process (riia.build.dbt), so they start
the child before dbt (`start_early`; `riia build` before it copies its warehouse and dbt
parses the project beside the copy): it imports GE on the second core while dbt parses and
builds the models before validation, then waits for a folder on its standard input. The
model's `run(folder)` hands the folder to that child, and starts one itself when none is
waiting (dbt run from the command line). `discard()` ends a child no model used (nothing
to validate, or dbt stopped before the model): it has read nothing and written nothing.

A process that runs many builds, one after another, and whose memory matters less than its
time - the tests' harness (tests/python/conftest.py), two dozen builds in each of its
processes - may run the suites in its own process instead (`in_this_process`): it imports GE
once rather than once a build, in a child that costs some 2.6 s of CPU on a small build.
`riia build` and `riia check` always use a child.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO

COMMAND = (sys.executable, "-m", "riia.validation")

_waiting: list[tuple[subprocess.Popen, IO[bytes]]] = []  # (child, its error output)
_here: list[bool] = []  # in_this_process is in force


@contextlib.contextmanager
def in_this_process() -> Iterator[None]:
    """Within it, `run` runs the suites in this process when no child waits (see above)."""
    _here.append(True)
    try:
        yield
    finally:
        _here.pop()


def start_early() -> None:
    """Start the child now, to wait for its folder (at most one waits)."""
    if _waiting:
        return
    # a file, not a pipe, so that nothing blocks the child while it waits; closed by run or discard
    errors = tempfile.TemporaryFile()  # noqa: SIM115
    child = subprocess.Popen(
        [*COMMAND, "--wait"], stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=errors, text=True
    )
    _waiting.append((child, errors))


def run(folder: Path) -> None:
    """Run the suites on `folder` (its inputs and parameters.json; findings.parquet is
    written there), in the child started early, else here within `in_this_process`, else in
    a new child; an error carries what the child printed (here, it is raised as it is)."""
    if not _waiting and _here:
        from riia.validation.__main__ import main

        main([str(folder)])  # with its one argument, it returns 0 or raises
        return
    if not _waiting:
        done = subprocess.run([*COMMAND, str(folder)], capture_output=True, text=True, check=False)
        returncode, stderr = done.returncode, done.stderr
    else:
        child, errors = _waiting.pop()
        try:
            child.stdin.write(f"{folder}\n")
            child.stdin.close()
        except BrokenPipeError:  # it ended before being asked: its own error says why
            pass
        returncode = child.wait()
        errors.seek(0)
        stderr = errors.read().decode(errors="replace")
        errors.close()
    if returncode != 0:
        raise RuntimeError(f"the validation suites failed (exit {returncode}):\n{stderr[-4000:]}")


def discard() -> None:
    """End the child started early if no model used it."""
    while _waiting:
        child, errors = _waiting.pop()
        child.kill()
        child.wait()
        if child.stdin is not None:
            child.stdin.close()
        errors.close()
