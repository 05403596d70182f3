"""Customer and account rows: an id, a few typed fields, everything else as JSON traits."""
from __future__ import annotations

import pyarrow as pa
import pyarrow.compute as pc

from engagekit.ingest.columns import numbers, text
from engagekit.ingest.mapping import ColumnMap
from engagekit.ingest.quarantine import Rejection
from engagekit.ingest.readers import ROW
from engagekit.ingest.timestamps import to_utc
from engagekit.ingest.validate import RowChecks, json_bag

ENTITY_KEY = {"customers": "customer_id", "accounts": "account_id"}
TEXT_FIELDS = {"customers": ("account_id",), "accounts": ("name", "plan")}
NUMBER_FIELDS = {"customers": (), "accounts": ("licenses", "mrr")}


def prepare_entities(kind: str, raw: pa.Table, columns: ColumnMap, timezone: str) -> tuple[pa.Table, list[Rejection]]:
    """Canonical customer or account rows that pass the checks, and the rejected rows."""
    n = raw.num_rows
    checks = RowChecks(raw)
    fields = columns.fields
    key = ENTITY_KEY[kind]
    out: dict[str, pa.Array] = {key: text(raw[fields[key]])}
    checks.check(pc.is_null(out[key]), fields[key], f"missing {key}")
    for name in TEXT_FIELDS[kind]:
        out[name] = text(raw[fields[name]]) if name in fields else pa.nulls(n, pa.string())
    for name in NUMBER_FIELDS[kind]:
        if name in fields:
            values, unparsed = numbers(raw[fields[name]])
            checks.check(unparsed, fields[name], f"{name} is not a number: {{value!r}}", lambda: text(raw[fields[name]]))
            checks.check(pc.less(values, 0), fields[name], f"negative {name} {{value}}", lambda: values)
            out[name] = values
        else:
            out[name] = pa.nulls(n, pa.float64())
    if kind == "customers":
        if "created_at" in fields:
            created = to_utc(raw[fields["created_at"]], timezone)
            source = raw[fields["created_at"]]
            checks.check(pc.and_(pc.is_null(created), pc.invert(pc.is_null(source))), fields["created_at"],
                         "unparseable timestamp {value!r}", lambda: text(source))
            out["created_at"] = created
        else:
            out["created_at"] = pa.nulls(n, pa.timestamp("us"))
    out["traits"] = json_bag(raw, columns, "traits", checks)
    out[ROW] = raw[ROW].combine_chunks()
    return pa.table(out).filter(pa.array(checks.ok)), checks.rejections()
