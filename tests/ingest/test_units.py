"""Pure functions of ingest: vocabulary, mapping, timestamps, JSON text, config, store URLs."""
from __future__ import annotations

import json
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pytest

from engagekit.config import load_settings
from engagekit.errors import ConfigError, InputError
from engagekit.ingest.jsontext import json_objects
from engagekit.ingest.mapping import parse_map_options, resolve
from engagekit.ingest.timestamps import to_utc
from engagekit.ingest.vocabulary import Vocabulary, snake_case
from engagekit.store.engines import parse_store_url


@pytest.mark.parametrize(("name", "canonical"), [
    ("Order Completed", "order_completed"),   # Segment spec name
    ("orderCompleted", "order_completed"),    # camelCase
    ("Product Added", "product_added"),
    ("Signed In", "logged_in"),               # alias whose snake form differs
    ("Subscription Canceled", "subscription_cancelled"),
    ("Purchase", "order_completed"),          # user mapping from engagekit.yaml
])
def test_vocabulary(name: str, canonical: str) -> None:
    assert Vocabulary({"Purchase": "order_completed"}).canonical(name) == canonical


def test_snake_case_keeps_digits_and_drops_punctuation() -> None:
    assert snake_case("  Step-2 Done! ") == "step_2_done"


def test_mapping_uses_user_map_then_aliases_and_bags_the_rest() -> None:
    mapped = resolve("events", ["messageId", "timestamp", "event", "userId", "price", "sku"], {"sku": "properties.product_id"})
    assert mapped.fields == {"event_id": "messageId", "ts": "timestamp", "event": "event", "customer_id": "userId"}
    assert mapped.bag == {"product_id": "sku", "price": "price"}
    with pytest.raises(InputError, match="'bogus' is not a field of events"):
        resolve("events", ["a"], {"a": "bogus"})
    with pytest.raises(InputError, match="expected COLUMN=FIELD"):
        parse_map_options(["nonsense"])


def test_timestamps() -> None:
    values = pa.array(["2024-03-10T12:00:00-05:00", "2024-03-10 12:00", "2024-03-10", "1710072000000", "yesterday", None])
    parsed = to_utc(values, "America/New_York").to_pylist()
    assert parsed == [
        datetime(2024, 3, 10, 17),  # -05:00 -> +5 h
        datetime(2024, 3, 10, 16),  # New York switched to EDT (UTC-4) at 02:00 that day
        datetime(2024, 3, 10, 5),   # midnight EST
        datetime(2024, 3, 10, 12),  # epoch milliseconds
        None,
        None,
    ]


def test_json_objects_escape_and_skip_nulls() -> None:
    out = json_objects({"text": (pa.array(['say "hi"\n', None]), False), "n": (pa.array([1, 2]), False)},
                       pa.array(['{"a":1}', None]), 2).to_pylist()
    assert [json.loads(v) for v in out] == [{"a": 1, "text": 'say "hi"\n', "n": 1}, {"n": 2}]


def test_config_errors_name_file_line_and_field(tmp_path: Path) -> None:
    path = tmp_path / "engagekit.yaml"
    path.write_text("store: 'duckdb://:memory:'\nevent_mapping:\n  Buy: order_completed\ntimezone: Mars/Olympus\n")
    with pytest.raises(ConfigError, match=r"engagekit.yaml:4: field 'timezone': .*unknown timezone"):
        load_settings(path)
    path.write_text("stroe: x\n")
    with pytest.raises(ConfigError, match=r"engagekit.yaml:1: field 'stroe': Extra inputs are not permitted"):
        load_settings(path)
    path.write_text("store: duckdb://:memory:\n")
    with pytest.raises(ConfigError, match=r"engagekit.yaml:1: not valid YAML: mapping values are not allowed here"):
        load_settings(path)
    path.write_text("event_mapping:\n  Buy: order_completed\n")
    assert load_settings(path).event_mapping == {"Buy": "order_completed"}


def test_store_urls() -> None:
    assert parse_store_url("duckdb:///./x.duckdb").location == "./x.duckdb"
    assert parse_store_url("duckdb:////abs/x.duckdb").location == "/abs/x.duckdb"
    assert parse_store_url("duckdb://:memory:").location == ":memory:"
    spark = parse_store_url("spark://local[2]?warehouse=/tmp/w")
    assert (spark.engine, spark.location, spark.options["warehouse"]) == ("spark", "local[2]", "/tmp/w")
    with pytest.raises(InputError):
        parse_store_url("engagekit.duckdb")
