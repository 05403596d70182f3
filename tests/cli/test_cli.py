"""The CLI end to end, as a user runs it: exit codes, messages, --json, no tracebacks."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from engagekit.datasets import cdnow_path
from tests.conftest import write
from tests.portable.test_ingest_rules import BAD_FILE


def run(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    store = f"duckdb:///{tmp_path / 'cli.duckdb'}"
    return subprocess.run([sys.executable, "-m", "engagekit", "--store", store, *args],
                          capture_output=True, text=True, cwd=tmp_path, timeout=120)


def test_ingest_json_reports_exact_counts_and_quarantine_lists_reasons(tmp_path: Path) -> None:
    path = write(tmp_path / "bad.csv", BAD_FILE)
    result = run(tmp_path, "ingest", str(path), "--json")
    assert result.returncode == 0, result.stderr
    [batch] = json.loads(result.stdout)
    assert (batch["received"], batch["stored"], batch["duplicate"], batch["quarantined"]) == (10, 4, 0, 6)
    listed = json.loads(run(tmp_path, "quarantine", "list", "--json").stdout)
    assert sorted((r["row"], r["reason"]) for r in listed)[0] == (3, "unparseable timestamp 'bad-ts'")
    exported = run(tmp_path, "quarantine", "export", str(tmp_path / "q.csv"), "--json")
    assert json.loads(exported.stdout) == {"file": str(tmp_path / "q.csv"), "rows": 6}
    assert len((tmp_path / "q.csv").read_text().splitlines()) == 7
    again = json.loads(run(tmp_path, "ingest", str(path), "--json").stdout)[0]
    assert (again["stored"], again["duplicate"]) == (0, 4)


def test_missing_column_exits_2_naming_it_without_traceback(tmp_path: Path) -> None:
    path = write(tmp_path / "m.csv", "when,event,userId\n2024-01-01,page,u1\n")
    result = run(tmp_path, "ingest", str(path))
    assert result.returncode == 2
    assert "missing required column 'ts'" in result.stderr and "columns found: when, event, userId" in result.stderr
    assert "Traceback" not in result.stderr


def test_map_option_ingests_the_cdnow_log(tmp_path: Path) -> None:
    result = run(tmp_path, "ingest", str(cdnow_path("sample")), "--format", "whitespace",
                 "--columns", "sample_id,customer_id,date,number_of_cds,dollar_value",
                 "--event", "order_completed", "--ts-format", "%Y%m%d", "--map", "dollar_value=revenue",
                 "--map", "number_of_cds=properties.quantity", "--map", "sample_id=properties.sample_id", "--json")
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)[0]["stored"] == 6_919
    status = json.loads(run(tmp_path, "status", "--json").stdout)
    assert status["events"] == 6_919 and status["customers_with_events"] == 2_357
    assert status["first_event"].startswith("1997-01-01")


def test_bad_map_option_and_unknown_store_are_user_errors(tmp_path: Path) -> None:
    path = write(tmp_path / "e.csv", "timestamp,event,userId\n2024-01-01,page,u1\n")
    bad_map = run(tmp_path, "ingest", str(path), "--map", "nosuch=revenue")
    assert bad_map.returncode == 2 and "the file has no column 'nosuch'" in bad_map.stderr
    bad_store = subprocess.run([sys.executable, "-m", "engagekit", "--store", "mysql://x", "status"],
                               capture_output=True, text=True, cwd=tmp_path)
    assert bad_store.returncode == 2 and "unknown store engine 'mysql'" in bad_store.stderr
    assert "Traceback" not in bad_map.stderr + bad_store.stderr


def test_init_writes_a_config_that_loads_and_config_errors_name_the_line(tmp_path: Path) -> None:
    assert run(tmp_path, "init").returncode == 0
    config = (tmp_path / "engagekit.yaml").read_text()
    assert "session_timeout_minutes: 30" in config
    assert run(tmp_path, "status", "--json").returncode == 0
    (tmp_path / "engagekit.yaml").write_text("timezone: UTC\nsession_timeout_minutes: -5\n")
    result = run(tmp_path, "status")
    assert result.returncode == 2
    assert "engagekit.yaml:2: field 'session_timeout_minutes'" in result.stderr


def test_status_text_output_shows_tables(tmp_path: Path) -> None:
    result = run(tmp_path, "status")
    assert result.returncode == 0
    assert "events" in result.stdout and "quarantined rows" in result.stdout


def test_a_store_in_use_by_another_process_is_a_clear_error(tmp_path: Path) -> None:
    holder = subprocess.Popen([sys.executable, "-c", (
        "import sys, time\nfrom engagekit.store import connect\n"
        f"store = connect('duckdb:///{tmp_path / 'cli.duckdb'}')\nprint('open', flush=True)\ntime.sleep(30)\n")],
        stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "open"
        result = run(tmp_path, "status")
        assert result.returncode == 1 and "is in use by another process" in result.stderr
        assert "Traceback" not in result.stderr
    finally:
        holder.kill()
        holder.wait()


def test_ranges_outside_1900_2200_or_over_20_years_are_user_errors(tmp_path: Path) -> None:
    ancient = run(tmp_path, "stickiness", "--from", "0001-01-01", "--to", "0001-12-31")
    assert ancient.returncode == 2 and "days from 1900-01-01 to 2200-01-01 only" in ancient.stderr
    assert "Traceback" not in ancient.stderr
    long = run(tmp_path, "metrics", "compute", "orders", "--from", "1950-01-01", "--to", "2000-01-01")
    assert long.returncode == 2 and "at most 7320 days" in long.stderr


def test_a_series_reads_across_and_marks_the_periods_the_range_cuts_short(tmp_path: Path) -> None:
    assert run(tmp_path, "ingest", str(cdnow_path("sample")), "--format", "whitespace",
               "--columns", "sample_id,customer_id,date,number_of_cds,dollar_value", "--event", "order_completed",
               "--ts-format", "%Y%m%d", "--map", "dollar_value=revenue").returncode == 0
    series = ["metrics", "compute", "orders", "--from", "1997-01-15", "--to", "1997-07-01", "--grain", "quarter"]
    across = run(tmp_path, *series)
    assert across.returncode == 0, across.stderr
    header = next(line for line in across.stdout.splitlines() if line.startswith("┃"))
    assert [cell.strip() for cell in header.strip("┃ ").split("┃")] == [
        "KPI", "1997 Q1*", "1997 Q2", "1997 Q3*", "trend"]  # no target: no target or status columns
    assert "the range holds 76 of the quarter's 90 days" in " ".join(across.stdout.split())
    narrow = subprocess.run([sys.executable, "-m", "engagekit", "--store", f"duckdb:///{tmp_path / 'cli.duckdb'}",
                             *series], capture_output=True, text=True, cwd=tmp_path, timeout=120,
                            env={**os.environ, "COLUMNS": "40"})
    assert narrow.returncode == 0, narrow.stderr
    assert "1997 Q1*" in narrow.stdout and "1997 Q2*" not in narrow.stdout  # one row per period
    assert "1997 Q3*" in narrow.stdout and "┃ period" in narrow.stdout
