"""Segment HTTP tracking API payloads: envelope checks and conversion to raw event rows.

The envelope (JSON shape, message types, field types, sizes) is checked when a request
arrives and answered with 400/413; what passes is spooled as sent. The content (ids present,
timestamps parseable, revenue a number, properties at most MAX_JSON_DEPTH levels deep) is
checked later, by the conversion to event rows and by the ingest pipeline, which quarantine bad
messages like bad file rows: a client's batch is never refused for one bad message in it.
"""
from __future__ import annotations

import itertools
import json
import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

import orjson
import pyarrow as pa

from engagekit.ingest.limits import JSON_DEPTH_REASON, json_depth_exceeds, json_text_may_exceed
from engagekit.ingest.quarantine import Rejection
from engagekit.ingest.readers import ROW

MAX_MESSAGE_BYTES = 32 * 1024
MAX_BATCH_BYTES = 500 * 1024
TYPES = ("track", "identify", "page", "screen", "group", "alias")
_TEXT_FIELDS = ("messageId", "timestamp", "sentAt", "event", "name", "category", "groupId")
_ID_FIELDS = ("userId", "anonymousId", "previousId", "groupId")
_OBJECT_FIELDS = ("properties", "traits", "context", "integrations")
_CHANNELS = {"browser": "web", "mobile": "app", "client": "web"}
_EVENT_OF_TYPE = {"page": "page_viewed", "screen": "screen_viewed", "identify": "identify",
                  "group": "group", "alias": "alias"}
# request ids: random per process, then counted (cheaper than a uuid per request)
_PROCESS_ID = uuid.uuid4().hex
_REQUESTS = itertools.count()
COLUMNS = ("event_id", "ts", "event", "customer_id", "anonymous_id", "channel", "revenue", "properties")
# group traits that fill the accounts table's typed columns (Segment's `employees` stays a trait)
_ACCOUNT_TRAITS = {"name": "name", "plan": "plan", "licenses": "licenses", "seats": "licenses", "mrr": "mrr"}


@dataclass(frozen=True)
class PayloadError(Exception):
    """A request the collector refuses: HTTP status, and which message and field."""

    status: int
    reason: str
    index: int | None = None
    field: str | None = None

    def to_dict(self) -> dict:
        return {"success": False, "error": self.reason, "index": self.index, "field": self.field}


def parse_request(body: bytes, kind: str) -> tuple[dict, list[dict]]:
    """The request object and its messages; `kind` is `batch` or the message type of the path."""
    if len(body) > MAX_BATCH_BYTES:
        raise PayloadError(413, f"request body is {len(body)} bytes; the limit is {MAX_BATCH_BYTES}")
    try:
        payload = orjson.loads(body)
    except orjson.JSONDecodeError as exc:
        raise PayloadError(400, f"invalid JSON: {exc}") from exc
    if not isinstance(payload, dict):
        raise PayloadError(400, "the request body must be a JSON object")
    sized = len(body) > MAX_MESSAGE_BYTES  # a smaller body cannot hold an oversized message
    if kind != "batch":
        return payload, [check_message(payload, 0, kind, sized)]
    batch = payload.get("batch")
    if not isinstance(batch, list):
        raise PayloadError(400, "`batch` must be a list of messages", field="batch")
    return payload, [check_message(message, index, None, sized) for index, message in enumerate(batch)]


def check_message(message: object, index: int, kind: str | None, sized: bool = True) -> dict:
    """One message's envelope: an object of a known type with fields of the right JSON types,
    and (when `sized`) at most 32 KB as compact JSON. The message, with its `type`."""
    if not isinstance(message, dict):
        raise PayloadError(400, "a message must be a JSON object", index)
    if sized:
        size = len(orjson.dumps(message))
        if size > MAX_MESSAGE_BYTES:
            raise PayloadError(413, f"message is {size} bytes; the limit is {MAX_MESSAGE_BYTES}", index)
    message_type = message.get("type", kind)
    if message_type not in TYPES:
        raise PayloadError(400, f"unknown message type {message_type!r}; types: {', '.join(TYPES)}", index, "type")
    for name, value in message.items():  # one pass over the fields the message has
        allowed = _FIELD_TYPES.get(name)
        if allowed is not None and value is not None and (not isinstance(value, allowed) or isinstance(value, bool)):
            raise PayloadError(400, f"`{name}` must be {_FIELD_NEEDS[allowed]}", index, name)
    return message if "type" in message else {**message, "type": message_type}


# field -> the JSON types its non-null value may have (never a boolean); groupId is text
_FIELD_TYPES: dict[str, tuple[type, ...]] = {
    **{name: (str, int, float) for name in _ID_FIELDS},
    **{name: (str,) for name in _TEXT_FIELDS},
    **{name: (dict,) for name in _OBJECT_FIELDS},
}
_FIELD_NEEDS = {(str, int, float): "a string or a number", (str,): "a string", (dict,): "a JSON object"}
_JSON_TYPES = {(str, int, float): ["string", "number", "null"], (str,): ["string", "null"], (dict,): ["object", "null"]}


def request_schema(kind: str) -> dict:
    """The JSON Schema of a `/v1/<kind>` body, as the envelope checks read it (for the OpenAPI
    document): a message of known type whose fields have these JSON types, or a batch of them;
    other fields are kept in the spool as sent."""
    message = {"type": "object", "properties": {
        "type": {"type": "string", "enum": list(TYPES)},
        **{name: {"type": _JSON_TYPES[types]} for name, types in _FIELD_TYPES.items()},
    }, "description": f"a Segment message, at most {MAX_MESSAGE_BYTES} bytes as compact JSON"}
    if kind != "batch":
        return message
    return {"type": "object", "required": ["batch"], "properties": {
        "batch": {"type": "array", "items": message}, "sentAt": {"type": ["string", "null"]},
        "context": {"type": ["object", "null"]}}, "description": f"at most {MAX_BATCH_BYTES} bytes"}


def spool_line(key_id: str, kind: str, payload: dict, body: bytes, received_at: datetime) -> bytes:
    """The spool's JSON line for one accepted request: the key's id, the path's kind, when it
    arrived, a request id (message ids minted from it are the same on every replay) and the
    request body as sent, embedded without re-encoding when it is plain UTF-8 JSON (newlines
    in valid JSON are whitespace). A write key sent in the body (analytics.js) is left out."""
    raw = body.strip()
    if "writeKey" in payload or not raw.startswith(b"{") or b"\x00" in raw:
        raw = orjson.dumps({k: v for k, v in payload.items() if k != "writeKey"})
    head = json.dumps({"key": key_id, "kind": kind, "id": f"{_PROCESS_ID}-{next(_REQUESTS)}",
                       "receivedAt": received_at.astimezone(timezone.utc).isoformat()}, separators=(",", ":"))
    return b"".join((head[:-1].encode(), b',"payload":', raw.replace(b"\n", b" ").replace(b"\r", b" "), b"}\n"))


@dataclass(frozen=True)
class KeyBatch:
    """What one write key sent in a spool segment, as raw tables for the ingest pipelines: events
    (see `EventRows`), the messages that could not be converted to event rows (each with its
    reason, for the quarantine), and its group calls as account rows and customer-to-account rows."""

    key_id: str
    events: pa.Table
    rejected: list[Rejection]
    accounts: pa.Table
    customers: pa.Table


def segment_batches(lines: Iterable[dict]) -> list[KeyBatch]:
    """The parsed lines of a spool segment -> one batch per write key, in order of appearance."""
    by_key: dict[str, EventRows] = {}
    groups: dict[str, list[tuple[int, dict]]] = {}
    for line in lines:
        messages = line_messages(line)
        rows = by_key.setdefault(line["key"], EventRows())
        converted = rows.add_line(line, messages)
        groups.setdefault(line["key"], []).extend(
            (row, message) for row, message in zip(converted, messages) if row and message["type"] == "group")
    return [KeyBatch(key, rows.table(), rows.rejected, *group_tables(groups[key])) for key, rows in by_key.items()]


def line_messages(line: dict) -> list[dict]:
    """The messages of one spool line, each with its `type` (checked when the request came)."""
    payload, kind = line["payload"], line["kind"]
    if kind == "batch":
        return payload["batch"]
    return [{**payload, "type": payload.get("type", kind)}]


class EventRows:
    """Messages -> raw event rows (canonical columns, `_row` = the message's position among the
    key's messages), column by column. Each message gets its messageId (minted from the request
    id and its position in the request when missing, so a replayed segment dedupes) and its
    event time per the Segment spec: timestamp + (receivedAt - sentAt), the batch's sentAt
    standing in for a message without one; receivedAt when there is no timestamp. Times are
    kept as microseconds since the epoch (Arrow converts those about 25 times faster than
    timezone-aware datetimes); a timestamp that cannot be read makes the column text, holding
    the raw value for the pipeline to quarantine with its reason. A message that cannot be
    turned into a row at all (a corrected time past the calendar's end, properties that cannot
    be written as JSON) becomes a rejection with its reason, so one message never stops the
    rest of its segment."""

    def __init__(self) -> None:
        self.columns: dict[str, list] = {name: [] for name in COLUMNS}
        self.rows: list[int] = []
        self.rejected: list[Rejection] = []
        self._unreadable_time = False

    def __len__(self) -> int:
        return len(self.rows) + len(self.rejected)

    def add_line(self, line: dict, messages: list[dict]) -> list[int]:
        """Add one spool line's messages; each message's row number, 0 for a rejected one."""
        received = _parse_time(line["receivedAt"])
        batch_sent = line["payload"].get("sentAt")
        sent_times = {None: None}
        numbers = []
        for index, message in enumerate(messages):
            row = len(self) + 1
            sent = message.get("sentAt")
            if sent is None:
                sent = batch_sent if isinstance(batch_sent, str) else None
            if sent not in sent_times:
                sent_times[sent] = _parse_time(sent)
            try:
                values = self._values(message, f"ek-{line['id']}-{index}", sent_times[sent], received)
            except Unconvertible as problem:
                self.rejected.append(Rejection(row, problem.field, problem.reason, message_text(message)))
                numbers.append(0)
                continue
            for name, value in zip(COLUMNS, values):
                self.columns[name].append(value)
            self.rows.append(row)
            numbers.append(row)
        return numbers

    def _values(self, message: dict, minted_id: str, sent: datetime | None, received: datetime | None) -> tuple:
        """One message's value of each of COLUMNS."""
        when = _event_time(message.get("timestamp"), sent, received)
        if isinstance(when, datetime):
            when = (when - _EPOCH) // _MICROSECOND
        elif when is not None:
            self._unreadable_time = True
        kind = message["type"]
        properties = _properties(message)
        revenue = properties.get("revenue")
        channel = message.get("channel") or (message.get("context") or {}).get("channel")
        message_id = message.get("messageId")
        try:
            properties_text = orjson.dumps(properties, default=str, option=orjson.OPT_SORT_KEYS).decode()
        except orjson.JSONEncodeError as exc:  # deeper than orjson writes, among others
            raise Unconvertible("properties", JSON_DEPTH_REASON if json_depth_exceeds(properties) else
                                f"properties cannot be written as JSON: {exc}") from exc
        if json_text_may_exceed(properties_text) and json_depth_exceeds(properties):
            raise Unconvertible("properties", JSON_DEPTH_REASON)
        return (
            minted_id if message_id is None else message_id,
            when,
            message.get("event") if kind == "track" else _EVENT_OF_TYPE[kind],
            _id(message.get("userId")),
            _id(message.get("previousId" if kind == "alias" else "anonymousId")),
            _CHANNELS.get(channel, channel) if isinstance(channel, str) else None,
            None if revenue is None else str(revenue),
            properties_text,
        )

    def table(self) -> pa.Table:
        arrays = {name: pa.array(values, pa.string()) for name, values in self.columns.items() if name != "ts"}
        times = self.columns["ts"]
        if self._unreadable_time:
            arrays["ts"] = pa.array([_utc_text(_EPOCH + t * _MICROSECOND) if isinstance(t, int) else t for t in times],
                                    pa.string())
        else:
            arrays["ts"] = pa.array(times, pa.int64()).cast(pa.timestamp("us", tz="UTC"))
        table = pa.table({name: arrays[name] for name in COLUMNS})
        return table.append_column(ROW, pa.array(self.rows, pa.int64()))


@dataclass(frozen=True)
class Unconvertible(Exception):
    """A message that cannot become an event row: the field at fault and why."""

    field: str
    reason: str


def message_text(message: dict) -> str:
    """A rejected message as JSON text for the quarantine."""
    try:
        return orjson.dumps(message, default=str).decode()
    except orjson.JSONEncodeError:  # deeper than orjson writes (an older spool, before the depth bound)
        try:
            return json.dumps(message, default=str)
        except RecursionError:
            return "(the message nests too deep to be written back as JSON)"


_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MICROSECOND = timedelta(microseconds=1)


def _event_time(raw: object, sent: datetime | None, received: datetime | None) -> datetime | str | None:
    """timestamp + (receivedAt - sentAt) (UTC); receivedAt without a timestamp; the raw text
    when the timestamp cannot be read."""
    if raw is None:
        return received
    when = _parse_time(raw)
    if when is None:
        return raw
    if sent is not None and received is not None:
        try:
            when = when + (received - sent)
        except OverflowError:
            raise Unconvertible("timestamp", f"timestamp {raw!r} corrected by receivedAt - sentAt "
                                             f"({received.isoformat()} - {sent.isoformat()}) leaves the calendar") from None
    return when


def _parse_time(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed.replace(tzinfo=timezone.utc) if parsed.tzinfo is None else parsed


def _utc_text(value: datetime) -> str:
    return value.astimezone(timezone.utc).replace(tzinfo=None).isoformat(timespec="microseconds") + "+00:00"


def _id(value: object) -> str | None:
    return None if value is None else str(value)


def _properties(message: dict) -> dict:
    """What an event row keeps beyond its canonical fields, with the context as `context`."""
    kind = message["type"]
    bag: dict = {}
    if kind in ("track", "page", "screen"):
        bag.update(message.get("properties") or {})
        for name in ("name", "category"):
            if message.get(name) is not None and kind != "track":
                bag[name] = message[name]
    elif kind == "identify":
        bag["traits"] = message.get("traits") or {}
    elif kind == "group":
        bag["group_id"] = _id(message.get("groupId"))
        bag["traits"] = message.get("traits") or {}
    if message.get("context"):
        bag["context"] = message["context"]
    return bag


def group_tables(calls: list[tuple[int, dict]]) -> tuple[pa.Table, pa.Table]:
    """A key's group calls, each with its position among the key's messages, as raw entity rows
    (text, `_row` = that position, as in `EventRows`): one account row per call (groupId, name, plan, licenses and
    mrr from the traits, the other traits as JSON) and one customer row linking userId to
    groupId per call that names a user."""
    accounts: dict[str, list] = {name: [] for name in ("account_id", "name", "plan", "licenses", "mrr", "traits", ROW)}
    customers: dict[str, list] = {"customer_id": [], "account_id": [], ROW: []}
    for row, message in calls:
        group_id = _id(message.get("groupId"))
        traits = dict(message.get("traits") or {})
        typed = {field: None for field in ("name", "plan", "licenses", "mrr")}
        for trait, field in _ACCOUNT_TRAITS.items():
            if trait in traits:
                typed[field] = _text(traits.pop(trait))
        for name, value in {"account_id": group_id, **typed, ROW: row,
                            "traits": json.dumps(traits, separators=(",", ":"), sort_keys=True)}.items():
            accounts[name].append(value)
        user_id = _id(message.get("userId"))
        if user_id is not None and group_id is not None:
            for name, value in (("customer_id", user_id), ("account_id", group_id), (ROW, row)):
                customers[name].append(value)
    return _text_table(accounts), _text_table(customers)


def _text(value: object) -> str | None:
    if value is None or isinstance(value, str):
        return value
    return json.dumps(value, separators=(",", ":"))


def _text_table(columns: dict[str, list]) -> pa.Table:
    return pa.table({name: pa.array(values, pa.int64() if name == ROW else pa.string())
                     for name, values in columns.items()})
