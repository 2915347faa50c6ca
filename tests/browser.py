"""Open a local HTML file in headless Chromium and check it as a reader would see it.

    page = check_page(Path("runs/x/report.html"), screenshot=ARTIFACTS / "report.png")
    assert not page.errors and not page.broken_images, page

Chromium is driven over its DevTools protocol on ``--remote-debugging-pipe`` (fd 3 carries
commands in, fd 4 replies out; JSON messages ending in NUL), with the standard library only:
no WebDriver, no port, no extra package. The checks:

1. console errors: uncaught exceptions, ``console.error``/``assert``, and error entries of
   the browser log, which include every failed resource load ("Failed to load resource");
2. every ``<img>`` decoded: ``complete && naturalWidth > 0``;
3. every ``<img>`` shown at its natural size, not shrunk to fit (``scaled_images``: a figure
   wider than the page's column would have its text scaled down), and the page no wider than
   the 1280 px window (``overflow_x``: px of horizontal overflow, 0 when none);
4. a full-page PNG screenshot written to ``screenshot``.

`make browser` installs Debian's ``chromium`` where it can; :func:`find_chromium` returns None
when there is none, and tests skip with :data:`NO_CHROMIUM`.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import select
import shutil
import signal
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ARTIFACTS = Path(__file__).resolve().parents[1] / "test-artifacts"
NO_CHROMIUM = (
    "no Chromium found (/usr/bin/chromium or chromium on PATH); "
    "`make browser` installs it with apt-get when run as root"
)
FLAGS = (
    "--headless",
    "--no-sandbox",  # we run as root (CI), where Chromium's sandbox refuses to start
    "--disable-gpu",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--disable-dev-shm-usage",  # containers often have a tiny /dev/shm
    "--hide-scrollbars",
    "--window-size=1280,900",
)
_SCALED_JS = (
    "[...document.images].filter(i => i.naturalWidth > 0 && i.width < i.naturalWidth)"
    ".map(i => `${i.alt.slice(0, 60)}: ${i.naturalWidth} px shown at ${i.width} px`)"
)
_OVERFLOW_JS = "document.documentElement.scrollWidth - window.innerWidth"
_IMAGES_JS = (
    "[...document.images].filter(i => !(i.complete && i.naturalWidth > 0))"
    ".map(i => (i.getAttribute('src') || '(no src)').slice(0, 120))"
)


@dataclass
class PageCheck:
    """What Chromium saw: console errors, images that did not decode or were shrunk, how far
    the page overflows the window sideways, the screenshot."""

    url: str
    errors: list[str] = field(default_factory=list)
    broken_images: list[str] = field(default_factory=list)
    scaled_images: list[str] = field(default_factory=list)
    overflow_x: int = 0
    image_count: int = 0
    screenshot: Path | None = None


def find_chromium() -> str | None:
    for name in ("/usr/bin/chromium", "chromium", "chromium-browser", "google-chrome"):
        path = shutil.which(name)
        if path:
            return path
    return None


def check_page(html: Path, screenshot: Path, timeout: float = 60.0) -> PageCheck:
    """Load ``html`` (a local file), collect errors and broken images, save a screenshot."""
    chromium = find_chromium()
    if chromium is None:
        raise RuntimeError(NO_CHROMIUM)
    url = html.resolve().as_uri()
    screenshot.parent.mkdir(parents=True, exist_ok=True)
    with _browser(chromium, screenshot.with_suffix(".chromium.log"), timeout) as cdp:
        session = cdp.open_page()
        for domain in ("Page", "Runtime", "Log"):
            cdp.call(f"{domain}.enable", session=session)
        cdp.call("Page.navigate", {"url": url}, session=session)
        cdp.wait_for("Page.loadEventFired")
        cdp.drain(0.3)  # late console messages
        result = PageCheck(url=url, errors=[_describe(e) for e in cdp.events if _is_error(e)])
        result.image_count = cdp.evaluate("document.images.length", session)
        result.broken_images = cdp.evaluate(_IMAGES_JS, session)
        result.scaled_images = cdp.evaluate(_SCALED_JS, session)
        result.overflow_x = max(0, int(cdp.evaluate(_OVERFLOW_JS, session)))
        metrics = cdp.call("Page.getLayoutMetrics", session=session)
        size = metrics["cssContentSize"]
        shot = cdp.call(
            "Page.captureScreenshot",
            {
                "format": "png",
                "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "scale": 1, **{k: size[k] for k in ("width", "height")}},
            },
            session=session,
        )
        screenshot.write_bytes(base64.b64decode(shot["data"]))
        result.screenshot = screenshot
        with contextlib.suppress(TimeoutError, EOFError):
            cdp.call("Browser.close")
    return result


# ---- the DevTools pipe ---------------------------------------------------------------------
class _DevTools:
    """Blocking calls over the pipe; events are kept in ``events`` in arrival order."""

    def __init__(self, to_browser: int, from_browser: int, deadline: float) -> None:
        self._out, self._in, self._deadline = to_browser, from_browser, deadline
        self._buf = b""
        self._next_id = 0
        self.events: list[dict[str, Any]] = []

    def call(self, method: str, params: dict[str, Any] | None = None, session: str = "") -> Any:
        self._next_id += 1
        msg: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if session:
            msg["sessionId"] = session
        os.write(self._out, json.dumps(msg).encode() + b"\0")
        while True:
            reply = self._read(self._deadline)
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def open_page(self) -> str:
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        attached = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})
        return str(attached["sessionId"])

    def evaluate(self, expression: str, session: str) -> Any:
        reply = self.call(
            "Runtime.evaluate", {"expression": expression, "returnByValue": True}, session
        )
        if "exceptionDetails" in reply:
            raise RuntimeError(f"{expression}: {reply['exceptionDetails']}")
        return reply["result"]["value"]

    def wait_for(self, method: str) -> None:
        while not any(e.get("method") == method for e in self.events):
            self._read(self._deadline)

    def drain(self, seconds: float) -> None:
        with contextlib.suppress(TimeoutError):
            while True:
                self._read(min(self._deadline, time.monotonic() + seconds))

    def _read(self, until: float) -> dict[str, Any]:
        """The next message; events are also appended to ``events``."""
        while b"\0" not in self._buf:
            left = until - time.monotonic()
            if left <= 0 or not select.select([self._in], [], [], left)[0]:
                raise TimeoutError("Chromium did not answer in time")
            chunk = os.read(self._in, 1 << 20)
            if not chunk:
                raise EOFError("Chromium closed the DevTools pipe (did it crash?)")
            self._buf += chunk
        raw, self._buf = self._buf.split(b"\0", 1)
        msg: dict[str, Any] = json.loads(raw)
        if "method" in msg:
            self.events.append(msg)
        return msg


@contextlib.contextmanager
def _browser(chromium: str, log: Path, timeout: float) -> Iterator[_DevTools]:
    """Chromium with a fresh profile and the DevTools pipe on fds 3 and 4; killed on exit."""
    cmd_r, cmd_w = os.pipe()  # we write commands, Chromium reads fd 3
    out_r, out_w = os.pipe()  # Chromium writes fd 4, we read
    # Move the child's ends above 4 so the DUP2 actions below cannot clobber each other.
    child_in = fcntl.fcntl(cmd_r, fcntl.F_DUPFD_CLOEXEC, 10)
    child_out = fcntl.fcntl(out_w, fcntl.F_DUPFD_CLOEXEC, 10)
    os.close(cmd_r)
    os.close(out_w)
    with tempfile.TemporaryDirectory(prefix="reglab-chromium-") as profile:
        log_fd = os.open(log, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
        argv = [chromium, *FLAGS, f"--user-data-dir={profile}", "--remote-debugging-pipe"]
        pid = os.posix_spawn(
            chromium,
            [*argv, "about:blank"],
            os.environ,
            file_actions=[
                (os.POSIX_SPAWN_OPEN, 0, os.devnull, os.O_RDONLY, 0),
                (os.POSIX_SPAWN_DUP2, log_fd, 1),
                (os.POSIX_SPAWN_DUP2, log_fd, 2),
                (os.POSIX_SPAWN_DUP2, child_in, 3),
                (os.POSIX_SPAWN_DUP2, child_out, 4),
            ],
            setpgroup=0,  # its own process group, so cleanup reaches its helper processes
        )
        for fd in (child_in, child_out, log_fd):
            os.close(fd)
        try:
            yield _DevTools(cmd_w, out_r, time.monotonic() + timeout)
        except (TimeoutError, EOFError) as err:
            raise RuntimeError(f"{err}; Chromium's output is in {log}") from err
        finally:
            os.close(cmd_w)
            os.close(out_r)
            _stop(pid)


def _stop(pid: int, grace: float = 5.0) -> None:
    """Wait briefly for Chromium to exit after Browser.close, then kill its process group."""
    end = time.monotonic() + grace
    while time.monotonic() < end:
        if os.waitpid(pid, os.WNOHANG)[0] == pid:
            break
        time.sleep(0.05)
    else:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(pid, signal.SIGKILL)  # helpers left behind by a browser that exited


# ---- what counts as an error ---------------------------------------------------------------
def _is_error(event: dict[str, Any]) -> bool:
    method, params = event.get("method"), event.get("params", {})
    if method == "Runtime.exceptionThrown":
        return True
    if method == "Runtime.consoleAPICalled":
        return params.get("type") in ("error", "assert")
    if method == "Log.entryAdded":
        return params.get("entry", {}).get("level") == "error"
    return False


def _describe(event: dict[str, Any]) -> str:
    params = event.get("params", {})
    if event["method"] == "Runtime.exceptionThrown":
        details = params.get("exceptionDetails", {})
        return "exception: " + str(details.get("exception", {}).get("description") or details)
    if event["method"] == "Runtime.consoleAPICalled":
        args = params.get("args", [])
        return (
            "console."
            + params["type"]
            + ": "
            + " ".join(str(a.get("value", a.get("description", ""))) for a in args)
        )
    entry = params.get("entry", {})
    return f"log ({entry.get('source')}): {entry.get('text')} {entry.get('url', '')}".strip()
