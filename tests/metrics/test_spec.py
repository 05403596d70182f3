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
