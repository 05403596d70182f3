"""Customer and account rows: an id, a few typed fields, everything else as JSON traits.

Records are appended, never updated: the latest record of an id is its current state. A file
row is a whole record; a Segment `group` call is a partial update, which `upserted` completes
from the record before it.
"""
from __future__ import annotations

import json

import ibis
import ibis.expr.types as ir
import pyarrow as pa
import pyarrow.compute as pc

from engagekit.ingest.columns import text
from engagekit.ingest.limits import TimeBounds
from engagekit.ingest.mapping import ColumnMap
from engagekit.ingest.quarantine import Rejection
from engagekit.ingest.readers import ROW
from engagekit.ingest.validate import RowChecks, check_text, checked_number, checked_times, json_bag
from engagekit.store import Store

ENTITY_KEY = {"customers": "customer_id", "accounts": "account_id"}
TEXT_FIELDS = {"customers": ("account_id",), "accounts": ("name", "plan")}
NUMBER_FIELDS = {"customers": (), "accounts": ("licenses", "mrr")}


def prepare_entities(kind: str, raw: pa.Table, columns: ColumnMap, timezone: str,
                     bounds: TimeBounds = TimeBounds()) -> tuple[pa.Table, list[Rejection]]:
    """Canonical customer or account rows that pass the checks, and the rejected rows; times
    outside `bounds` are refused as event times are."""
    n = raw.num_rows
    checks = RowChecks(raw)
    fields = columns.fields
    check_text(checks, columns, "traits")
    key = ENTITY_KEY[kind]
    out: dict[str, pa.Array] = {key: text(raw[fields[key]])}
    checks.check(pc.is_null(out[key]), fields[key], f"missing {key}")
    for name in TEXT_FIELDS[kind]:
        out[name] = text(raw[fields[name]]) if name in fields else pa.nulls(n, pa.string())
    for name in NUMBER_FIELDS[kind]:
        if name in fields:
            values = checked_number(checks, raw[fields[name]], fields[name], name)
            checks.check(pc.less(values, 0), fields[name], f"negative {name} {{value}}", lambda: values)
            out[name] = values
        else:
            out[name] = pa.nulls(n, pa.float64())
    if kind == "customers":
        if "created_at" in fields:
            out["created_at"] = checked_times(checks, raw[fields["created_at"]], fields["created_at"], "created_at",
                                              timezone, bounds)
        else:
            out["created_at"] = pa.nulls(n, pa.timestamp("us"))
    out["traits"] = json_bag(raw, columns, "traits", checks)
    out[ROW] = raw[ROW].combine_chunks()
    return pa.table(out).filter(pa.array(checks.ok)), checks.rejections()


def current_records(store: Store, kind: str) -> ir.Table:
    """The latest stored record of each customer or account."""
    if kind == "customers":
        return store.customers_current()
    table = store.table(kind)
    newest = ibis.row_number().over(group_by=table[ENTITY_KEY[kind]], order_by=ibis.desc(table.received_at))
    return table.mutate(_n=newest).filter(ibis._._n == 0).drop("_n")


def upserted(store: Store, kind: str, rows: pa.Table) -> pa.Table:
    """Prepared rows read as partial updates, made whole records: in row order, each row takes
    the fields it leaves null from the record before it (the stored one, or an earlier row of
    the batch with the same id), and its traits are the earlier traits updated with its own."""
    if rows.num_rows == 0:
        return rows
    key = ENTITY_KEY[kind]
    fields = [name for name in rows.column_names if name != ROW]
    current = current_records(store, kind)
    with store.staged(pa.table({key: pc.unique(rows[key])})) as ids:  # ids as data, never as SQL literals
        earlier = current.semi_join(ids, key).select(*fields).to_pyarrow().to_pylist()
    before = {r[key]: r for r in earlier}
    out = []
    for row in sorted(rows.to_pylist(), key=lambda r: r[ROW]):
        earlier = before.get(row[key], {})
        merged = {name: earlier.get(name) if value is None else value for name, value in row.items()}
        merged["traits"] = _merged_traits(earlier.get("traits"), row["traits"])
        before[row[key]] = merged
        out.append(merged)
    return pa.Table.from_pylist(out, schema=rows.schema)


def _merged_traits(earlier: str | None, update: str | None) -> str:
    """JSON object text: the earlier traits with the update's members added or replaced."""
    merged = {**json.loads(earlier or "{}"), **json.loads(update or "{}")}
    return json.dumps(merged, separators=(",", ":"), sort_keys=True)
