"""`engagekit keys create|list|revoke`: API keys, stored hashed, shown once."""
from __future__ import annotations

from typing import Annotated, Optional

import typer
from rich.table import Table

from engagekit.access.keys import create_key, list_keys, revoke_key
from engagekit.cli.context import STATE, console, print_json
from engagekit.errors import InputError

app = typer.Typer(help="API keys: write keys send events, read keys query; revoked keys stop at once.",
                  no_args_is_help=True)


def register(parent: typer.Typer) -> None:
    parent.add_typer(app, name="keys")


@app.command("create")
def create(
    write: Annotated[bool, typer.Option("--write", help="A write key (sends events to /v1/*).")] = False,
    read: Annotated[bool, typer.Option("--read", help="A read key (queries the read API).")] = False,
    name: Annotated[Optional[str], typer.Option(help="A name to recognise the key by.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Create a key and print it once: only its hash is stored."""
    if write == read:
        raise InputError("choose one of --write or --read")
    info, key = create_key(STATE.store(), "write" if write else "read", name or "")
    if as_json:
        print_json({**info.to_dict(), "key": key})
        return
    console.print(f"Created {info.kind} key [bold]{info.key_id}[/]{f' ({info.name})' if info.name else ''}.")
    console.print("Copy it now; it is not shown again:")
    console.print(key, highlight=False, soft_wrap=True)


@app.command("list")
def list_(as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False) -> None:
    """Every key: id, kind (write, read or revoked), name, created; never the secret."""
    keys = list_keys(STATE.store())
    if as_json:
        print_json([k.to_dict() for k in keys])
        return
    table = Table(title="API keys")
    for column in ("key_id", "kind", "name", "created"):
        table.add_column(column)
    for k in keys:
        table.add_row(k.key_id, f"[red]{k.kind}[/]" if k.kind == "revoked" else k.kind, k.name, f"{k.created_at:%Y-%m-%d %H:%M:%S}")
    console.print(table)


@app.command("revoke")
def revoke(
    key_id: Annotated[str, typer.Argument(help="The key's id, as `keys list` shows it.")],
    as_json: Annotated[bool, typer.Option("--json", help="Print as JSON.")] = False,
) -> None:
    """Revoke a key: a running server refuses it within a second."""
    info = revoke_key(STATE.store(), key_id)
    if as_json:
        print_json(info.to_dict())
        return
    console.print(f"Revoked key [bold]{info.key_id}[/].")
