"""KPI files are parsed strictly: errors name the file, line and field; unknown names suggest."""
from __future__ import annotations

from pathlib import Path

import pytest

from engagekit.errors import ConfigError, InputError
from engagekit.metrics.catalog import load_catalog, load_file

GOOD = """\
metrics:
  - name: downloads_per_visitor
    label: Downloads per visitor
    description: Downloads of the whitepaper per visitor.
    formula: downloads / visitors
    kind: ratio
    numerator: {agg: count, events: [content_viewed], where: "properties.type == 'download'"}
    denominator: {agg: distinct, events: [page_viewed]}
    population: visitors
    unit: ratio
    direction: higher
    stages: [acquisition]
"""


def test_a_custom_kpi_file_loads_beside_the_catalog(tmp_path: Path) -> None:
    path = tmp_path / "kpis.yaml"
    path.write_text(GOOD)
    catalog = load_catalog([path])
    assert catalog.get("downloads_per_visitor").numerator.where == "properties.type == 'download'"
    assert "conversion_rate" in catalog.metrics


@pytest.mark.parametrize(("change", "message"), [
    (("    unit: ratio\n", "    unit: ratio\n    colour: blue\n"), r"kpis.yaml:11: field 'colour': Extra inputs are not permitted"),
    (("    direction: higher\n", "    direction: up\n"), r"kpis.yaml:11: field 'direction': Input should be 'higher' or 'lower'"),
    (("{agg: count, events", "{agg: total, events"), r"kpis.yaml:7: field 'numerator.agg'"),
    (("where: \"properties.type == 'download'\"", "where: \"properties.type = 'download'\""), r"kpis.yaml:7: field 'numerator.where'.*filter"),
    (("    kind: ratio\n", "    kind: python\n    function: nsp\n"), r"kpis.yaml:2: .*unknown KPI function 'nsp'; did you mean nps"),
])
def test_malformed_kpi_files_name_file_line_and_field(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    path = tmp_path / "kpis.yaml"
    path.write_text(GOOD.replace(*change))
    with pytest.raises(ConfigError, match=message):
        load_file(path)


KIND_BLOCK = GOOD[GOOD.index("    kind: ratio"):GOOD.index("    population")]  # lines 6-8


@pytest.mark.parametrize(("kind", "message"), [
    ("kind: active_people\n    active_people: {window: fortnight}",
     r"kpis.yaml:7: field 'active_people.window': Input should be 'day', 'week' or 'month'"),
    ("kind: active_people\n    active_people: {window: month, over: day}",
     r"kpis.yaml:7: field 'active_people': .*over \('day'\) must be a longer window than window \('month'\)"),
    ("kind: active_share\n    active_share: {among: active_people}", r"kpis.yaml:7: field 'active_share': .*needs doing"),
    ("kind: active_share\n    active_share: {among: customers, doing: [core_action]}",
     r"kpis.yaml:7: field 'active_share': .*takes no doing or customers_only"),
    ("kind: returning\n    returning: {events: [order_completed], who: retained, min_count: 3}",
     r"kpis.yaml:7: field 'returning': .*min_count applies to who 'repeat' only, not 'retained'"),
    ("kind: returning\n    returning: {events: [], who: repeat}", r"kpis.yaml:7: field 'returning.events': .*at least 1 item"),
    ("kind: returning\n    returning: {events: [order_completed], who: everyone}", r"kpis.yaml:7: field 'returning.who'"),
    ("kind: returning", r"kpis.yaml:2: field '\(entry\)': .*kind 'returning' needs returning"),
    ("kind: returning\n    returning: {events: [order_completed], who: repeat}\n    active_people: {window: day}",
     r"kpis.yaml:2: field '\(entry\)': .*kind 'returning' takes no active_people"),
])
def test_the_typed_kinds_fields_are_checked_with_file_line_and_field(tmp_path: Path, kind: str, message: str) -> None:
    path = tmp_path / "kpis.yaml"
    path.write_text(GOOD.replace(KIND_BLOCK, f"    {kind}\n"))
    with pytest.raises(ConfigError, match=message):
        load_file(path)


def test_a_name_defined_twice_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "kpis.yaml"
    path.write_text(GOOD + GOOD.split("metrics:\n", 1)[1])
    with pytest.raises(ConfigError, match=r"kpis.yaml:13: field 'name': metric 'downloads_per_visitor' is defined twice"):
        load_file(path)


def test_unknown_metric_names_the_close_matches() -> None:
    with pytest.raises(InputError, match=r"unknown metric 'conversion_rat'; did you mean conversion_rate"):
        load_catalog().get("conversion_rat")


def test_custom_kpis_in_engagekit_yaml_compute_with_the_same_engine(tmp_path: Path) -> None:
    import json
    import subprocess
    import sys

    config = tmp_path / "engagekit.yaml"
    config.write_text("timezone: UTC\n" + GOOD)
    (tmp_path / "e.csv").write_text(
        "timestamp,event,userId,type\n"
        "2024-10-01T10:00:00Z,page_viewed,a,\n2024-10-01T10:00:00Z,page_viewed,b,\n"
        "2024-10-01T10:01:00Z,content_viewed,a,download\n2024-10-01T10:02:00Z,content_viewed,a,video\n")
    store = f"duckdb:///{tmp_path / 's.duckdb'}"

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "engagekit", "--store", store, *args],
                              capture_output=True, text=True, cwd=tmp_path, timeout=120)

    assert run("ingest", "e.csv", "--no-derive", "--json").returncode == 0
    result = run("metrics", "compute", "downloads_per_visitor", "--period", "2024-10", "--json")
    assert result.returncode == 0, result.stderr
    [row] = json.loads(result.stdout)["rows"]
    assert row["value"] == 0.5  # one download / two visitors
    config.write_text("timezone: UTC\n" + GOOD.replace("direction: higher", "direction: upward"))
    broken = run("metrics", "list")
    assert broken.returncode == 2 and "engagekit.yaml:12: field 'direction'" in broken.stderr
