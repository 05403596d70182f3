"""The headless Chromium helper: finds the executable, explains a missing one, renders a page."""
from __future__ import annotations

from pathlib import Path

import pytest

from engagekit.browser import APT_PACKAGE, ENV_VAR, chromium, chromium_executable
from engagekit.errors import InputError


def test_missing_chromium_names_the_apt_package(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(ENV_VAR, str(tmp_path / "no-such-chromium"))
    with pytest.raises(InputError, match=f"apt-get install {APT_PACKAGE}"):
        chromium_executable()


def test_env_var_overrides_the_default(monkeypatch: pytest.MonkeyPatch) -> None:
    default = chromium_executable()
    monkeypatch.setenv(ENV_VAR, str(default))
    assert chromium_executable() == default


def test_headless_page_evaluates_script() -> None:
    with chromium() as context:
        page = context.new_page()
        page.set_content("<p id=x>6</p><script>document.getElementById('x').textContent *= 7</script>")
        assert page.text_content("#x") == "42"
        assert page.evaluate("navigator.webdriver") is True
