"""`engagekit keys create|list|revoke` through a fresh Typer app."""
from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
import typer
from typer.testing import CliRunner

from engagekit.access.keys import split_key, verify_secret
from engagekit.cli import keys
from engagekit.cli.context import STATE
from engagekit.store import connect


@pytest.fixture
def cli(store_url: str) -> Iterator[typer.Typer]:
    app = typer.Typer()

    @app.callback()
    def _options() -> None:
        STATE.store_url = store_url

    keys.register(app)
    yield app
    STATE.close()
    STATE.store_url = None


def run(app: typer.Typer, *args: str) -> object:
    result = CliRunner().invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def test_create_list_revoke(cli: typer.Typer, store_url: str) -> None:
    created = run(cli, "keys", "create", "--write", "--name", "site", "--json")
    key_id, secret = split_key(created["key"])
    assert created["key"].startswith(f"ek_write_{key_id}_") and created["kind"] == "write"
    run(cli, "keys", "create", "--read", "--json")
    listed = run(cli, "keys", "list", "--json")
    assert [(k["key_id"], k["kind"], k["name"]) for k in listed][0] == (key_id, "write", "site")
    assert secret not in json.dumps(listed)
    assert run(cli, "keys", "revoke", key_id, "--json")["kind"] == "revoked"
    assert [k["kind"] for k in run(cli, "keys", "list", "--json")] == ["revoked", "read"]
    STATE.close()
    with connect(store_url) as store:
        hashes = store.table("api_keys").secret_hash.to_pyarrow().to_pylist()
    assert secret not in "".join(hashes)
    assert verify_secret(secret, hashes[0])


def test_create_needs_exactly_one_kind(cli: typer.Typer) -> None:
    result = CliRunner().invoke(cli, ["keys", "create"])
    assert result.exit_code != 0
    assert "--write or --read" in str(result.exception or result.output)
