"""One build at a time: a lock held for the whole build (load, dbt, snapshot, exports, reports).

The lock is an advisory `flock` on ``<build dir>/.build.lock``, released by the kernel
when the process ends however it ends (a kill included), so a crashed build never leaves
a stale lock behind. The file also records who holds it - process, host, command, start
time - so that a second build can name the one that is running.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import sys
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any


class BuildLocked(Exception):
    """Another build holds the lock; the message names it."""


class BuildLock:
    """`with BuildLock(folder, wait_seconds):` - raises BuildLocked if another build holds it
    after `wait_seconds`. A build that waits says so once, naming the one it waits for
    (`say`), rather than sit silent for minutes."""

    def __init__(
        self,
        folder: Path,
        wait_seconds: float = 0.0,
        poll_seconds: float = 0.5,
        say: Callable[[str], None] | None = None,
    ) -> None:
        self.path = folder / ".build.lock"
        self.wait_seconds = wait_seconds
        self.poll_seconds = poll_seconds
        self.say = say
        self._handle: Any = None

    def holder(self) -> str:
        """Who holds the lock, in words (from the record the holder wrote)."""
        try:
            record = json.loads(self.path.read_text(encoding="utf-8") or "{}")
        except (OSError, ValueError):
            record = {}
        if not record:
            return "another build"
        return (
            f"the build started at {record.get('started_at', '?')} by process {record.get('pid', '?')} "
            f"on {record.get('host', '?')} ({record.get('command', 'riia build')})"
        )

    def __enter__(self) -> BuildLock:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._handle = self.path.open("a+", encoding="utf-8")
        deadline = time.monotonic() + self.wait_seconds
        waiting = False
        while True:
            try:
                fcntl.flock(self._handle.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if not waiting and self.wait_seconds > 0 and self.say is not None:
                    self.say(f"Waiting up to {self.wait_seconds:g} s for another build to finish: {self.holder()}.")
                waiting = True
                if time.monotonic() >= deadline:
                    holder = self.holder()
                    self._handle.close()
                    self._handle = None
                    raise BuildLocked(
                        f"Another build is running: {holder}. Nothing was changed; wait for it to finish "
                        "(or run again with --wait SECONDS)."
                    ) from None
                time.sleep(self.poll_seconds)
        self._handle.seek(0)
        self._handle.truncate()
        self._handle.write(
            json.dumps(
                {
                    "pid": os.getpid(),
                    "host": socket.gethostname(),
                    "command": " ".join(os.path.basename(arg) if i == 0 else arg for i, arg in enumerate(sys.argv)),
                    "started_at": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
                }
            )
        )
        self._handle.flush()
        return self

    def __exit__(self, *exc: object) -> None:
        if self._handle is not None:
            self._handle.seek(0)
            self._handle.truncate()
            self._handle.flush()
            fcntl.flock(self._handle.fileno(), fcntl.LOCK_UN)
            self._handle.close()
            self._handle = None
