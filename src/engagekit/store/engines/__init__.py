"""The engines, by URL scheme: parse a store URL, say what a store there can do, open it.

Registration is this module's list: an engine is one module here with an `ENGINE`
(engagekit.store.engine.EngineType), named in `BUILT_IN`. `registered` adds another for a block
(a test's toy engine, a plug-in).
"""
from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from engagekit.errors import InputError
from engagekit.store.engine import Capabilities, Engine, EngineType, StoreURL
from engagekit.store.engines import duckdb, spark

BUILT_IN: tuple[EngineType, ...] = (duckdb.ENGINE, spark.ENGINE)
ENGINES: dict[str, EngineType] = {engine.scheme: engine for engine in BUILT_IN}


@contextlib.contextmanager
def registered(engine: EngineType) -> Iterator[None]:
    """`engine` reachable by its scheme within the block."""
    if engine.scheme in ENGINES:
        raise ValueError(f"an engine is already registered for {engine.scheme}://")
    ENGINES[engine.scheme] = engine
    try:
        yield
    finally:
        del ENGINES[engine.scheme]


def parse_store_url(url: str) -> StoreURL:
    """Split a store URL by its engine, with a message naming the accepted forms."""
    scheme, sep, rest = url.partition("://")
    if not sep:
        raise InputError(f"store URL {url!r} has no scheme; use {_forms()}")
    if scheme not in ENGINES:
        raise InputError(f"unknown store engine {scheme!r} in {url!r}; engines: {', '.join(ENGINES)}")
    return ENGINES[scheme].parse(rest)


def capabilities_of(url: str) -> Capabilities:
    """What a store at `url` can do, without opening it."""
    parsed = parse_store_url(url)
    return ENGINES[parsed.engine].capabilities(parsed)


def open_engine(url: str) -> Engine:
    """The engine of the store at `url`, opened."""
    parsed = parse_store_url(url)
    return ENGINES[parsed.engine].open(parsed)


def server_file(url: str) -> Path:
    """The file that identifies a store a server can own (its runtime file and spool live beside
    it); an InputError for a store no server can own."""
    parsed = parse_store_url(url)
    if not ENGINES[parsed.engine].capabilities(parsed).hosts_server:
        forms = ", ".join(form for engine in ENGINES.values() for form in engine.forms
                          if engine.capabilities(engine.parse(form.partition("://")[2])).hosts_server)
        raise InputError(f"the server needs a store file it can own ({forms}), not {url!r}")
    return Path(parsed.location).resolve()


def _forms() -> str:
    forms = [form for engine in ENGINES.values() for form in engine.forms]
    return ", ".join(forms[:-1]) + " or " + forms[-1] if len(forms) > 1 else forms[0]
