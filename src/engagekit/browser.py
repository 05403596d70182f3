"""Headless Chromium for PDF reports and browser tests, driven by Playwright.

engagekit uses the system's Chromium (Debian's `chromium` package) rather than a browser
downloaded by `playwright install`: the machine and many users' networks are offline, and one
browser from the distribution is patched with the rest of the system. `ENGAGEKIT_CHROMIUM`
overrides the executable. Each launch gets a fresh temporary profile, removed on exit, so no
cookie, cache or extension state leaks between runs.
"""
from __future__ import annotations

import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import BrowserContext, Error, sync_playwright

from engagekit.errors import InputError

ENV_VAR = "ENGAGEKIT_CHROMIUM"
DEFAULT_EXECUTABLE = Path("/usr/bin/chromium")
APT_PACKAGE = "chromium"
# Headless, no sandbox (containers and CI run as root), and nothing that reaches the network
# on its own: no background fetches, component or sync updates, QUIC probes or first-run pages.
ARGS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
)


def chromium_executable() -> Path:
    """The Chromium to launch: `$ENGAGEKIT_CHROMIUM`, else /usr/bin/chromium; InputError if absent."""
    override = os.environ.get(ENV_VAR)
    path = Path(override) if override else DEFAULT_EXECUTABLE
    if not path.is_file() or not os.access(path, os.X_OK):
        source = f"${ENV_VAR}" if override else "the default path"
        raise InputError(
            f"Chromium not found at {path} ({source}); install Debian's package "
            f"(`apt-get install {APT_PACKAGE}`) or set {ENV_VAR} to a Chromium executable"
        )
    return path


@contextmanager
def chromium(*, viewport: tuple[int, int] = (1280, 900)) -> Iterator[BrowserContext]:
    """A headless Chromium browser context with a fresh profile; closed and removed on exit.

    Open pages with `context.new_page()`; `context.clear_cookies()` logs out between checks.
    """
    executable = chromium_executable()
    with tempfile.TemporaryDirectory(prefix="engagekit-chromium-") as profile, sync_playwright() as pw:
        try:
            context = pw.chromium.launch_persistent_context(
                profile,
                executable_path=str(executable),
                headless=True,
                args=list(ARGS),
                viewport={"width": viewport[0], "height": viewport[1]},
            )
        except Error as exc:
            first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise InputError(f"Chromium at {executable} did not start: {first_line}") from exc
        try:
            yield context
        finally:
            context.close()
