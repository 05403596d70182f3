"""Reading one key of a JSON text column (engagekit.json_fields), on every engine."""
from __future__ import annotations

import pyarrow as pa

from engagekit.json_fields import json_number, json_text
from engagekit.store import Store

TEXTS = [
    '{"a": "plain", "b": 1}',
    '{"a": ""}',  # an empty string stays an empty string
    '{"a": "say \\"hi\\""}',  # escapes are kept as written
    '{"a" :  -1.5e3}',  # spaces around the colon; numbers as written
    '{"a": true}',
    '{"a": null}',  # null, like a missing key, gives null
    '{"b": "a"}',  # "a" as a value is not the key a
    None,
]


def test_json_text_and_number(store: Store) -> None:
    with store.staged(pa.table({"i": list(range(len(TEXTS))), "properties": pa.array(TEXTS, pa.string())})) as table:
        rows = (table.select("i", text=json_text(table.properties, "a"), number=json_number(table.properties, "a"))
                .order_by("i").to_pyarrow().to_pylist())
    assert [row["text"] for row in rows] == ["plain", "", 'say \\"hi\\"', "-1.5e3", "true", None, None, None]
    assert [row["number"] for row in rows] == [None, None, None, -1500.0, None, None, None, None]
