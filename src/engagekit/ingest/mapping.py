"""Which file column feeds which canonical field, for each kind of input.

Resolution order: the user's `--map column=field` first, then the standard names and their
common spellings (userId, anonymousId, messageId, timestamp, ...). Columns that feed no field
go into `properties` (events) or `traits` (customers, accounts); `properties.x` or `traits.x`
as a target names the key explicitly.
"""
from __future__ import annotations

from dataclasses import dataclass

from engagekit.errors import InputError
from engagekit.ingest.vocabulary import snake_case

KINDS = ("events", "customers", "accounts")

FIELDS: dict[str, tuple[str, ...]] = {
    "events": ("event_id", "ts", "event", "customer_id", "anonymous_id", "session_id", "channel", "revenue", "properties"),
    "customers": ("customer_id", "created_at", "account_id", "traits"),
    "accounts": ("account_id", "name", "plan", "licenses", "mrr", "traits"),
}
BAG = {"events": "properties", "customers": "traits", "accounts": "traits"}

ALIASES: dict[str, dict[str, str]] = {
    "events": {
        "message_id": "event_id", "id": "event_id",
        "timestamp": "ts", "time": "ts", "event_time": "ts", "occurred_at": "ts", "datetime": "ts", "date": "ts",
        "event_name": "event", "event_type": "event",
        "user_id": "customer_id", "userid": "customer_id",
        "anonymousid": "anonymous_id", "anon_id": "anonymous_id", "visitor_id": "anonymous_id", "device_id": "anonymous_id",
        "sessionid": "session_id",
    },
    "customers": {"user_id": "customer_id", "id": "customer_id", "signed_up_at": "created_at", "created": "created_at",
                  "group_id": "account_id", "company_id": "account_id"},
    "accounts": {"group_id": "account_id", "id": "account_id", "company_id": "account_id", "seats": "licenses"},
}


@dataclass(frozen=True)
class ColumnMap:
    """The resolved mapping of one file: canonical field -> column, and the bag columns."""

    fields: dict[str, str]
    bag: dict[str, str]  # key in properties/traits -> column


def parse_map_options(options: list[str]) -> dict[str, str]:
    """['col=field', ...] -> {col: field}, with a message naming a malformed option."""
    mapping = {}
    for option in options:
        column, sep, target = option.partition("=")
        if not sep or not column.strip() or not target.strip():
            raise InputError(f"--map {option!r}: expected COLUMN=FIELD, e.g. --map userId=customer_id")
        mapping[column.strip()] = target.strip()
    return mapping


def resolve(kind: str, columns: list[str], user_map: dict[str, str]) -> ColumnMap:
    """Map a file's columns for `kind`; unknown target fields are an error naming them."""
    fields_allowed = FIELDS[kind]
    bag_name = BAG[kind]
    fields: dict[str, str] = {}
    bag: dict[str, str] = {}
    for column, target in user_map.items():
        if column not in columns:
            raise InputError(f"--map {column}={target}: the file has no column {column!r}; columns found: {', '.join(columns)}")
        if target.startswith(bag_name + "."):
            bag[target.split(".", 1)[1]] = column
        elif target in fields_allowed:
            fields[target] = column
        else:
            raise InputError(f"--map {column}={target}: {target!r} is not a field of {kind}; fields: "
                             f"{', '.join(fields_allowed)} or {bag_name}.KEY")
    taken = set(user_map)
    for column in columns:
        if column in taken or column.startswith("_"):
            continue
        name = snake_case(column)
        target = name if name in fields_allowed else ALIASES[kind].get(name)
        if target and target not in fields:
            fields[target] = column
        else:
            bag[column] = column
    return ColumnMap(fields, bag)
