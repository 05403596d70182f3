"""Login with a read key, the session cookie, logout, and pages that need a session."""
from __future__ import annotations

import time

import pytest
from fastapi.testclient import TestClient

from engagekit.access.keyguard import BACKOFF_FIRST_SECONDS, FREE_FAILURES
from engagekit.api import revoke_key
from engagekit.dashboard.auth import COOKIE
from engagekit.dashboard.pages import PAGES
from engagekit.store import connect
from tests.api.keychecks import Clock, count_hashes, use_clock, wrong
from tests.dashboard.conftest import Story


def test_every_page_redirects_to_login_without_a_session(anonymous: TestClient) -> None:
    for page in PAGES.values():
        path = page.path.replace("{customer_id}", "u1")
        response = anonymous.get(path, params={"from": "2026-10-01"})
        assert response.status_code == 303, path
        assert response.headers["location"].startswith("/login?next=" + path.replace("/", "%2F")), path
    assert anonymous.get("/login").status_code == 200


def test_login_sets_an_httponly_samesite_cookie_and_returns_to_the_page(anonymous: TestClient, story: Story) -> None:
    response = anonymous.post("/login", data={"key": story.read, "next": "/funnels?mode=strict"})
    assert response.status_code == 303 and response.headers["location"] == "/funnels?mode=strict"
    cookie = response.headers["set-cookie"]
    assert cookie.startswith(f"{COOKIE}=") and "HttpOnly" in cookie and "SameSite=lax" in cookie
    assert story.read not in cookie  # the key stays on the server
    assert anonymous.get("/").status_code == 200


def test_wrong_write_and_malformed_keys_are_refused(anonymous: TestClient, story: Story) -> None:
    for key, message in ((story.write, "write key"), ("ek_read_nope_nope", "not valid"), ("hello", "not valid"),
                         ("", "not valid")):
        response = anonymous.post("/login", data={"key": key})
        assert response.status_code == 401 and message in response.text, key
        assert COOKIE not in response.headers.get("set-cookie", "")
    assert anonymous.get("/").status_code == 303


def test_logout_ends_the_session(client: TestClient) -> None:
    cookie = client.cookies.get(COOKIE)
    response = client.post("/logout")
    assert response.status_code == 303 and response.headers["location"] == "/login"
    assert client.get("/").status_code == 303
    client.cookies.set(COOKIE, cookie)  # the old cookie is dead on the server too
    assert client.get("/").status_code == 303


def test_forged_or_altered_cookies_are_refused(client: TestClient) -> None:
    session_id, expires, signature = client.cookies.get(COOKIE).split(".")
    for forged in (f"{session_id}.{int(expires) + 3600}.{signature}", f"{session_id}.{expires}.{'0' * 64}",
                   "garbage", f"other.{expires}.{signature}"):
        client.cookies.set(COOKIE, forged)
        assert client.get("/").status_code == 303, forged


def test_revoking_the_key_ends_its_sessions(client: TestClient, story: Story) -> None:
    assert client.get("/data").status_code == 200
    with connect(story.url) as store:
        revoke_key(store, story.read.split("_")[2])
    deadline = time.monotonic() + 10  # the keyring re-reads keys once a second (later on a busy machine)
    while client.get("/data").status_code == 200 and time.monotonic() < deadline:
        time.sleep(0.2)
    assert client.get("/data").status_code == 303


def test_login_never_redirects_off_site(anonymous: TestClient, story: Story) -> None:
    for target in ("https://evil.example/", "//evil.example/x", "/\\evil.example/x", "javascript:alert(1)"):
        response = anonymous.post("/login", data={"key": story.read, "next": target})
        assert response.headers["location"] == "/", target


def test_wrong_logins_back_off_without_hashing_and_never_lock_out_the_verified_key(
        anonymous: TestClient, story: Story, monkeypatch: pytest.MonkeyPatch) -> None:
    use_clock(anonymous.app, Clock())
    assert anonymous.post("/login", data={"key": story.read}).status_code == 303  # verified once
    hashes = count_hashes(monkeypatch)
    for n in range(FREE_FAILURES):
        response = anonymous.post("/login", data={"key": wrong(story.read, n)})
        assert response.status_code == 401 and "not valid" in response.text
    for n in range(100, 110):
        response = anonymous.post("/login", data={"key": wrong(story.read, n)})
        assert response.status_code == 401 and f"try again in {int(BACKOFF_FIRST_SECONDS)} s" in response.text
    assert anonymous.post("/login", data={"key": wrong(story.read, 0)}).status_code == 401  # remembered
    assert hashes.calls == FREE_FAILURES
    assert anonymous.post("/login", data={"key": story.read}).status_code == 303
    assert anonymous.get("/").status_code == 200
