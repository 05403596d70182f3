"""The KPI catalog: the built-in YAML files plus a project's own KPIs, validated together."""
from __future__ import annotations

import difflib
import functools
from importlib import resources
from pathlib import Path

from engagekit.config import Settings
from engagekit.errors import ConfigError, InputError
from engagekit.metrics.kinds import check_registered
from engagekit.metrics.spec import Metric
from engagekit.yamlfile import line_of, read_yaml, validate

BUILTIN_DIR = "catalog"


def builtin_files() -> list[Path]:
    """The catalog files shipped with engagekit, one per journey stage."""
    folder = resources.files("engagekit.metrics") / BUILTIN_DIR
    return sorted(Path(str(entry)) for entry in folder.iterdir() if entry.name.endswith(".yaml"))


def load_file(path: Path, section: bool = False) -> list[Metric]:
    """Metrics of one YAML file: a list of entries, or a mapping with a `metrics:` list. With
    `section`, the file is a config file (engagekit.yaml) and `metrics:` is one of its keys."""
    data, root = read_yaml(path)
    entries_node = root
    if isinstance(data, dict):
        if not section and set(data) != {"metrics"}:
            raise ConfigError(f"{path}:1: a KPI file is a list of metrics or a mapping with one key, 'metrics'")
        data = data.get("metrics") or []
        entries_node = next((value for key, value in root.value if key.value == "metrics"), None)
    if not isinstance(data, list):
        raise ConfigError(f"{path}:1: expected a list of metrics")
    metrics = []
    for index, entry in enumerate(data):
        node = entries_node.value[index]
        metric = validate(Metric, entry, path, node)
        try:
            check_function(metric)
        except ValueError as exc:
            raise ConfigError(f"{path}:{line_of(node, ())}: field '(entry)': {exc}") from exc
        metrics.append(metric)
    _no_repeats(metrics, path, entries_node)
    return metrics


def check_function(metric: Metric) -> None:
    """A metric computed by a function names a registered kind and only the params it takes (a
    ValueError saying which)."""
    if metric.function is not None:
        check_registered(metric.function, metric.params)


def _no_repeats(metrics: list[Metric], path: Path, node: object) -> None:
    seen: set[str] = set()
    for index, metric in enumerate(metrics):
        if metric.name in seen:
            raise ConfigError(f"{path}:{line_of(node, (index, 'name'))}: field 'name': metric {metric.name!r} is defined twice")
        seen.add(metric.name)


class Catalog:
    """All metrics by name; lookups of unknown names suggest the close matches."""

    def __init__(self, metrics: list[Metric]) -> None:
        self.metrics: dict[str, Metric] = {}
        for metric in metrics:
            try:
                check_function(metric)
            except ValueError as exc:
                raise ConfigError(f"metric {metric.name!r}: {exc}") from exc
            if metric.name in self.metrics:
                raise ConfigError(f"metric {metric.name!r} is defined twice (built-in names cannot be redefined)")
            self.metrics[metric.name] = metric

    def get(self, name: str) -> Metric:
        if name not in self.metrics:
            close = difflib.get_close_matches(name, list(self.metrics), n=3, cutoff=0.6)
            hint = f"; did you mean {', '.join(close)}?" if close else "; see `engagekit metrics list`"
            raise InputError(f"unknown metric {name!r}{hint}")
        return self.metrics[name]

    def select(self, stage: str | None = None, industry: str | None = None, vanity: bool | None = None) -> list[Metric]:
        """Metrics of a stage and industry, optionally only (or no) vanity metrics, in catalog order."""
        return [
            m for m in self.metrics.values()
            if (stage is None or stage in m.stages)
            and (industry is None or industry in m.industries)
            and (vanity is None or m.vanity == vanity)
        ]

    def __len__(self) -> int:
        return len(self.metrics)


@functools.cache
def builtin_metrics() -> tuple[Metric, ...]:
    """The built-in KPIs, parsed once per process: the package's files do not change while it
    runs, and metrics are frozen models, so every catalog shares them."""
    return tuple(m for path in builtin_files() for m in load_file(path))


def load_catalog(extra_files: list[Path] | None = None, config_file: Path | None = None) -> Catalog:
    """The built-in catalog plus the given project files and the `metrics:` of the config file."""
    metrics = [*builtin_metrics(), *(m for path in extra_files or [] for m in load_file(path))]
    if config_file is not None and config_file.exists():
        metrics += load_file(config_file, section=True)
    return Catalog(metrics)


def project_catalog(settings: Settings) -> Catalog:
    """The built-in KPIs plus the project's metrics files and inline `metrics:`."""
    base = load_catalog([Path(p) for p in settings.metrics_files])
    return Catalog([*base.metrics.values(), *(Metric.model_validate(entry) for entry in settings.metrics)])
