"""Engines come from the registry: each parses its own URLs and says what it can do, and a third
engine is one EngineType away, with no edit to the store package."""
from __future__ import annotations

from pathlib import Path

import pytest

from engagekit.errors import InputError
from engagekit.store import connect
from engagekit.store.engine import Capabilities, EngineType, StoreURL
from engagekit.store.engines import ENGINES, capabilities_of, parse_store_url, registered, server_file
from engagekit.store.engines.duckdb import DuckDBEngine
from engagekit.store.holder import runtime_path
from tests.conftest import ENGINES as ENGINES_UNDER_TEST


def test_the_portable_suite_runs_on_every_registered_engine() -> None:
    assert [param.values[0] for param in ENGINES_UNDER_TEST] == list(ENGINES) == ["duckdb", "spark"]


def test_each_engine_parses_its_own_urls() -> None:
    assert parse_store_url("duckdb:///./x.duckdb") == StoreURL("duckdb", "./x.duckdb")
    assert parse_store_url("duckdb://:memory:") == StoreURL("duckdb", ":memory:")
    assert parse_store_url("spark://local[4]?warehouse=/tmp/w") == StoreURL("spark", "local[4]", {"warehouse": "/tmp/w"})
    assert parse_store_url("spark://") == StoreURL("spark", "local[2]", {"warehouse": "./engagekit-warehouse"})


def test_spark_urls_carry_session_settings_and_refuse_other_parameters() -> None:
    url = parse_store_url("spark://local[2]?warehouse=/tmp/w&spark.sql.shuffle.partitions=8&spark.executor.memory=2g")
    assert url.options == {"warehouse": "/tmp/w", "spark.sql.shuffle.partitions": "8", "spark.executor.memory": "2g"}
    with pytest.raises(InputError, match="unknown parameter shuffle, wh; use warehouse=DIR or spark.\\* settings"):
        parse_store_url("spark://local[2]?wh=/tmp/w&shuffle=8")


def test_unknown_and_missing_schemes_name_the_registered_ones() -> None:
    with pytest.raises(InputError, match=r"unknown store engine 'mysql' .*engines: duckdb, spark"):
        parse_store_url("mysql://db")
    with pytest.raises(InputError, match=r"no scheme; use duckdb:///PATH, duckdb://:memory: or spark://"):
        parse_store_url("engagekit.duckdb")


def test_capabilities_follow_the_store_not_the_engine_name(tmp_path: Path) -> None:
    file = f"duckdb:///{tmp_path / 'x.duckdb'}"
    assert capabilities_of(file) == Capabilities(single_writer=True, transactions=True, hosts_server=True, udfs=True)
    assert not capabilities_of("duckdb://:memory:").hosts_server
    assert capabilities_of("spark://local[2]").transactions is False
    assert server_file(file) == (tmp_path / "x.duckdb").resolve()
    with pytest.raises(InputError, match="the server needs a store file it can own \\(duckdb:///PATH\\)"):
        server_file("spark://local[2]")


# A toy third engine: DuckDB in memory under its own scheme, that says it can host a server on a
# file it names (as an engine with a local file would).
TOY = EngineType(
    scheme="toy",
    forms=("toy://NAME",),
    parse=lambda rest: StoreURL("toy", rest),
    capabilities=lambda url: Capabilities(single_writer=False, transactions=True, hosts_server=True, udfs=False),
    open=lambda url: DuckDBEngine(":memory:"),
    test_url=lambda folder: f"toy://{folder / 'toy'}",
)


def test_a_third_engine_is_one_registration(tmp_path: Path) -> None:
    url = TOY.test_url(tmp_path)
    with registered(TOY):
        with connect(url) as store:
            assert store.capabilities.hosts_server and not store.capabilities.udfs
            assert store.count("events") == 0
        assert runtime_path(url) == (tmp_path / "toy.server.json").resolve()
        with pytest.raises(ValueError, match="already registered"), registered(TOY):
            pass
    with pytest.raises(InputError, match="unknown store engine 'toy'"):
        connect(url)


@pytest.mark.spark
def test_the_settings_of_a_spark_url_reach_its_session(tmp_path: Path) -> None:
    with connect(f"spark://local[2]?warehouse={tmp_path / 'w'}&spark.sql.shuffle.partitions=3") as store:
        assert store.engine.session.conf.get("spark.sql.shuffle.partitions") == "3"
