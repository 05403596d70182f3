"""A KPI's event names as the store holds them (see engagekit.people.names): a project's own KPI may
name events as its sources send them."""
from __future__ import annotations

from typing import Any

from engagekit.metrics.spec import Metric
from engagekit.people.names import NameCheck

EVENT_PARAMS = ("events", "active_events", "start_event", "end_event", "since_event", "event")  # of KPI kinds
FILTER_PARAMS = ("start_where", "end_where")
MEASURE_FIELDS = ("measure", "numerator", "denominator")


def named_metric(metric: Metric, check: NameCheck) -> Metric:
    """A KPI whose measures' events and filters, and its kind's event params, name stored events:
    the params and measures mapped by `check`."""
    update: dict[str, Any] = {}
    for role in MEASURE_FIELDS:
        measure = getattr(metric, role)
        if measure is not None:
            update[role] = measure.model_copy(update={"events": tuple(check.event(e) for e in measure.events),
                                                      "where": check.where(measure.where)})
    update["params"] = {key: _named_param(key, value, check) for key, value in metric.params.items()}
    return metric.model_copy(update=update)


def _named_param(key: str, value: Any, check: NameCheck) -> Any:
    if key in FILTER_PARAMS and isinstance(value, str):
        return check.where(value)
    if key not in EVENT_PARAMS:
        return value
    return check.value(value)
