"""`engagekit report` through a fresh Typer app."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
import typer
from typer.testing import CliRunner

from engagekit.cli import report
from engagekit.cli.context import STATE
from engagekit.store import Store


@pytest.fixture
def cli() -> typer.Typer:
    app = typer.Typer()

    @app.callback()
    def _options() -> None:
        """Global options (none in these tests)."""

    report.register(app)
    return app


@pytest.fixture
def on_demo(demo_store: Store, monkeypatch: pytest.MonkeyPatch) -> None:
    """The CLI's store is the shared demo store (monkeypatch restores it afterwards)."""
    monkeypatch.setattr(STATE, "_store", demo_store)


def test_the_command_writes_the_file_and_prints_json(cli: typer.Typer, on_demo: None, tmp_path: Path) -> None:
    out = tmp_path / "exec.md"
    result = CliRunner().invoke(cli, ["report", "--audience", "executive", "--period", "2026-10", "--format", "md",
                                      "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    printed = json.loads(result.stdout)
    assert printed["file"] == str(out) and printed["audience"] == "executive"
    assert printed["sections"] == ["Headline KPIs", "Trends", "Risks", "Opportunities", "Voice of the customer"]
    assert "creator_collab" in out.read_text(encoding="utf-8")


def test_the_command_takes_a_range_and_writes_html(cli: typer.Typer, on_demo: None, tmp_path: Path) -> None:
    out = tmp_path / "nested" / "product.html"
    result = CliRunner().invoke(cli, ["report", "--audience", "product", "--from", "2026-10-01", "--to",
                                      "2026-10-31", "--format", "html", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert "wrote" in result.stdout and out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def test_an_unknown_audience_is_an_error(cli: typer.Typer, on_demo: None, tmp_path: Path) -> None:
    result = CliRunner().invoke(cli, ["report", "--audience", "board", "--period", "2026-10",
                                      "--out", str(tmp_path / "x.md")])
    assert result.exit_code != 0 and "unknown audience 'board'" in str(result.exception)


def test_an_empty_store_gives_a_no_data_report(cli: typer.Typer, duckdb_store: Store, monkeypatch: pytest.MonkeyPatch,
                                               tmp_path: Path) -> None:
    monkeypatch.setattr(STATE, "_store", duckdb_store)
    out = tmp_path / "empty.json"
    result = CliRunner().invoke(cli, ["report", "--format", "json", "--out", str(out), "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["empty"] is True
    assert json.loads(out.read_text(encoding="utf-8"))["sections"][0]["title"] == "No data"


def test_the_command_prints_a_pdf(cli: typer.Typer, on_demo: None, tmp_path: Path) -> None:
    out = tmp_path / "exec.pdf"
    result = CliRunner().invoke(cli, ["report", "--period", "2026-10", "--format", "pdf", "--paper", "letter",
                                      "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_bytes().startswith(b"%PDF-") and b"/MediaBox [0 0 612 792]" in out.read_bytes()


def test_an_unknown_format_or_paper_writes_nothing(cli: typer.Typer, on_demo: None, tmp_path: Path) -> None:
    for options, message in ((["--format", "docx"], "unknown format 'docx'"),
                             (["--format", "pdf", "--paper", "a3"], "unknown paper 'a3'")):
        result = CliRunner().invoke(cli, ["report", "--period", "2026-10", *options, "--out", str(tmp_path / "x")])
        assert result.exit_code != 0 and message in str(result.exception)
    assert not (tmp_path / "x").exists()
