"""Render a local page in headless Chromium and report what a person would see.

For browser tests (reports, dbt docs): `render(path)` opens the file in Debian's
`chromium` driven over the DevTools protocol on a pipe (`--remote-debugging-pipe`, no
port, no third-party package) and returns the rendered text and DOM, every script
error and console error, every request the page made, and optionally a PNG.

Nothing can leave the machine: the browser's proxy is a closed loopback port and its
background services are off; a request the page attempts is still recorded (and fails),
so a test can assert there was none.

Use the `chromium` fixture (import it into the test module): it skips the test, with
the reason, on a machine without Chromium; set RIIA_CHROMIUM to choose the binary.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import select
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from riia.reports.screenshots import OFFLINE_FLAGS, find_chromium

# Chromium as the project starts it (riia.reports.screenshots), driven over a pipe
FLAGS = (*OFFLINE_FLAGS, "--remote-debugging-pipe")


@pytest.fixture(scope="session")
def chromium() -> str:
    """Path of headless Chromium; skips (never passes) where there is none."""
    path = find_chromium()
    if path is None:
        pytest.skip(
            "headless Chromium is not installed (apt-get install chromium, or set RIIA_CHROMIUM): "
            "the browser check was NOT run"
        )
    return path


@dataclass
class Rendered:
    """What the browser showed and what went wrong while it did."""

    text: str  # document.body.innerText: the text a person sees (collapsed content excluded)
    dom: str  # document.documentElement.outerHTML after rendering
    title: str
    errors: list[str] = field(default_factory=list)  # uncaught exceptions, console.error, error log entries
    requests: list[str] = field(default_factory=list)  # every URL the page requested, the page itself included
    screenshot: bytes | None = None  # PNG of the viewport, when asked for

    @property
    def external_requests(self) -> list[str]:
        """Requests that would leave the machine (anything but file:, data:, about: and blob:)."""
        return [u for u in self.requests if u.split(":", 1)[0] not in ("file", "data", "about", "blob")]


def _above(fd: int, lowest: int = 10) -> int:
    """`fd` moved to a number >= `lowest`."""
    moved = fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, lowest)
    os.close(fd)
    return moved


class _DevTools:
    """The DevTools protocol over Chromium's pipe: NUL-separated JSON messages on fds 3 and 4."""

    def __init__(self, binary: str, user_data_dir: str, width: int, height: int) -> None:
        to_browser_r, self._to_browser = os.pipe()
        self._from_browser, from_browser_w = os.pipe()
        # the child's ends above fd 4, so that wiring them onto 3 and 4 cannot clobber either
        to_browser_r, from_browser_w = _above(to_browser_r), _above(from_browser_w)

        def wire_fds() -> None:  # in the child: Chromium reads commands on 3, writes on 4
            os.dup2(to_browser_r, 3)
            os.dup2(from_browser_w, 4)

        self.proc = subprocess.Popen(
            [binary, *FLAGS, f"--user-data-dir={user_data_dir}", f"--window-size={width},{height}", "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            pass_fds=(3, 4),
            preexec_fn=wire_fds,
        )
        os.close(to_browser_r)
        os.close(from_browser_w)
        self._buffer = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    def send(
        self, method: str, params: dict[str, Any] | None = None, session: str | None = None, timeout: float = 30
    ) -> dict[str, Any]:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        deadline = time.monotonic() + timeout
        while True:
            reply = self._read(deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})
            self.events.append(reply)

    def wait_for_event(self, method: str, timeout: float = 30) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        for event in self.events:
            if event.get("method") == method:
                return event
        while True:
            event = self._read(deadline)
            self.events.append(event)
            if event.get("method") == method:
                return event

    def _read(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("Chromium did not answer in time")
            ready, _, _ = select.select([self._from_browser], [], [], remaining)
            if ready:
                chunk = os.read(self._from_browser, 1 << 20)
                if not chunk:
                    stderr = self.proc.stderr.read().decode(errors="replace") if self.proc.stderr else ""
                    raise RuntimeError(f"Chromium exited: {stderr[-2000:]}")
                self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def close(self) -> None:
        with contextlib.suppress(RuntimeError, TimeoutError, OSError):
            self.send("Browser.close", timeout=5)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        for fd in (self._to_browser, self._from_browser):
            os.close(fd)
        if self.proc.stderr:
            self.proc.stderr.close()


def _errors(events: list[dict[str, Any]]) -> list[str]:
    errors = []
    for event in events:
        method, params = event.get("method"), event.get("params", {})
        if method == "Runtime.exceptionThrown":
            details = params.get("exceptionDetails", {})
            errors.append("exception: " + (details.get("exception", {}).get("description") or details.get("text", "")))
        elif method == "Runtime.consoleAPICalled" and params.get("type") in ("error", "assert"):
            errors.append(
                "console: " + " ".join(str(a.get("value", a.get("description", ""))) for a in params.get("args", []))
            )
        elif method == "Log.entryAdded" and params.get("entry", {}).get("level") == "error":
            entry = params["entry"]
            errors.append(f"log ({entry.get('source')}): {entry.get('text')} {entry.get('url', '')}".strip())
    return errors


def render(
    chromium_path: str,
    page: Path,
    *,
    width: int = 1600,
    height: int = 1000,
    screenshot: bool = False,
    wait_for: str | None = None,
    timeout: float = 60,
    fragment: str | None = None,
) -> Rendered:
    """Open `page` (a local file, at `#fragment` if given), wait for it to load (and for `wait_for`)."""
    with tempfile.TemporaryDirectory(prefix="riia-chromium-") as profile:
        devtools = _DevTools(chromium_path, profile, width, height)
        try:
            targets = devtools.send("Target.getTargets")["targetInfos"]
            target = next(t["targetId"] for t in targets if t["type"] == "page")
            session = devtools.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
            for domain in ("Page", "Runtime", "Log", "Network"):
                devtools.send(f"{domain}.enable", session=session)
            devtools.send(
                "Emulation.setDeviceMetricsOverride",
                {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
                session=session,
            )
            url = page.resolve().as_uri() + (f"#{fragment}" if fragment else "")
            devtools.send("Page.navigate", {"url": url}, session=session)
            devtools.wait_for_event("Page.loadEventFired", timeout)

            def evaluate(expression: str) -> Any:
                result = devtools.send(
                    "Runtime.evaluate", {"expression": expression, "returnByValue": True}, session=session
                )
                return result.get("result", {}).get("value")

            if wait_for:
                deadline = time.monotonic() + timeout
                while not evaluate(wait_for):
                    if time.monotonic() > deadline:
                        raise TimeoutError(f"{page}: {wait_for} never became true")
                    time.sleep(0.2)
            text = evaluate("document.body ? document.body.innerText : ''") or ""
            dom = evaluate("document.documentElement.outerHTML") or ""
            title = evaluate("document.title") or ""
            png = None
            if screenshot:
                png = base64.b64decode(
                    devtools.send("Page.captureScreenshot", {"format": "png"}, session=session)["data"]
                )
            evaluate("0")  # flush events queued during rendering
            events = devtools.events
            requests = [e["params"]["request"]["url"] for e in events if e.get("method") == "Network.requestWillBeSent"]
            return Rendered(text, dom, title, _errors(events), requests, png)
        finally:
            devtools.close()
