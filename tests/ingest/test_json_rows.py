"""JSON in files within bounds: rows nested past MAX_JSON_DEPTH and JSON's non-standard NaN and
Infinity are quarantined naming the field, never a RecursionError or invalid JSON in the store."""
from __future__ import annotations

import json
from pathlib import Path

from engagekit.ingest import IngestOptions, Vocabulary, ingest_file
from engagekit.ingest.limits import MAX_JSON_DEPTH
from engagekit.ingest.readers import read_file
from engagekit.store import Store
from tests.conftest import write
from tests.ingest.reports import counts, quarantine

HEAD = '"timestamp":"2026-11-20T10:00:00Z","event":"page","userId":"u1"'
DEPTH = f"JSON nested deeper than {MAX_JSON_DEPTH} levels (MAX_JSON_DEPTH)"


def nested(levels: int) -> str:
    """JSON text of `levels` nested objects: {"a":{"a":...{}}}."""
    return '{"a":' * (levels - 1) + "{}" + "}" * (levels - 1)


def test_json_lines_nested_past_the_bound_are_quarantined(duckdb_store: Store, tmp_path: Path) -> None:
    path = write(tmp_path / "e.jsonl", "\n".join([
        f'{{{HEAD},"context":{nested(MAX_JSON_DEPTH - 1)}}}',  # row 1: 64 levels with the line's own object: stored
        f'{{{HEAD},"context":{nested(MAX_JSON_DEPTH)}}}',      # row 2: 65 levels -> quarantined, naming context
        f'{{{HEAD},"deep":{"[" * 100_000 + "]" * 100_000}}}',  # row 3: past the parser's stack (a RecursionError)
        f'{{{HEAD},"items":[{",".join(["{}"] * 200)}]}}',      # row 4: many brackets, three levels: stored
    ]) + "\n")
    report = ingest_file(duckdb_store, path, IngestOptions(), Vocabulary())
    assert counts(report) == (4, 2, 0, 2)
    assert quarantine(duckdb_store) == [(2, "context", DEPTH), (3, "*", DEPTH)]


def test_a_properties_column_nested_past_the_bound_is_quarantined(duckdb_store: Store, tmp_path: Path) -> None:
    deep = nested(MAX_JSON_DEPTH + 1).replace('"', '""')
    path = write(tmp_path / "e.csv", "timestamp,event,userId,properties\n"
                 f'2026-11-20T10:00:00Z,page,u1,"{{""a"":1}}"\n'  # row 1: stored
                 f'2026-11-20T10:00:00Z,page,u2,"{deep}"\n')      # row 2: 65 levels -> quarantined
    report = ingest_file(duckdb_store, path, IngestOptions(), Vocabulary())
    assert counts(report) == (2, 1, 0, 1)
    assert quarantine(duckdb_store) == [(2, "properties", DEPTH)]


def test_nan_and_infinity_in_json_lines_are_quarantined_naming_the_field(tmp_path: Path) -> None:
    path = write(tmp_path / "e.jsonl", "\n".join([
        f'{{{HEAD},"revenue":5}}',                        # row 1: kept
        f'{{{HEAD},"revenue":Infinity}}',                 # row 2: Python's json reads it; JSON has no Infinity
        f'{{{HEAD},"properties":{{"score":NaN}}}}',       # row 3: stored, the properties text would not be JSON
        f'{{{HEAD},"note":"NaN"}}',                       # row 4: the text NaN is a string: kept
        f'{{{HEAD},"context":{{"x":1e999}}}}',            # row 5: past the float range, read as infinity
        f'{{{HEAD},"revenue":99999999999999999999}}',     # row 6: past 64-bit integers (was an OverflowError)
        f'{{{HEAD},"revenue":12345678901234567}}',        # row 7: past 2^53 beside row 1's integer and
        f'{{{HEAD},"revenue":2.5,"id":"12345678901234567890"}}',  # row 8's float: kept, as floats
    ]) + "\n")
    raw = read_file(path)
    assert raw.table["_row"].to_pylist() == [1, 4, 7, 8]
    assert raw.table["revenue"].to_pylist() == [5.0, None, 12345678901234567.0, 2.5]
    assert [(r.row, r.field, r.reason) for r in raw.rejected] == [
        (2, "revenue", "non-finite number Infinity in field revenue (JSON has no NaN or Infinity)"),
        (3, "properties", "non-finite number NaN in field properties (JSON has no NaN or Infinity)"),
        (5, "context", "number out of range in field context (past 64-bit integers or floats)"),
        (6, "revenue", "number out of range in field revenue (past 64-bit integers or floats)"),
    ]
    assert json.loads(raw.rejected[0].raw)["userId"] == "u1"
