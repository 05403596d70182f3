"""docs/kpis.md is the glossary generated from the built-in catalog, kept current."""
from __future__ import annotations

from pathlib import Path

from engagekit.metrics.catalog import load_catalog
from engagekit.metrics.glossary import render_glossary

DOCS = Path(__file__).resolve().parents[2] / "docs" / "kpis.md"


def test_docs_kpis_md_is_current() -> None:
    expected = render_glossary(load_catalog())
    assert DOCS.read_text(encoding="utf-8") == expected, "run: engagekit metrics glossary --out docs/kpis.md"


def test_every_builtin_kpi_is_in_the_glossary() -> None:
    text = render_glossary(load_catalog())
    assert all(f"### `{name}`" in text for name in load_catalog().metrics)
