"""A KPI's event names as the store holds them (see engagekit.people.names): a project's own KPI may
name events as its sources send them."""
from __future__ import annotations

from typing import Any

from engagekit.metrics.spec import PAIRING_FIELDS, EventRef, Metric, Pairing
from engagekit.people.names import NameCheck

EVENT_PARAMS = ("events", "active_events", "event")  # of registered KPI kinds
MEASURE_FIELDS = ("measure", "numerator", "denominator")
EVENT_LISTS = {"active_people": ("active_events",), "active_share": ("doing", "active_events"),
               "returning": ("events",)}  # the event-name fields of the typed kinds


def named_metric(metric: Metric, check: NameCheck) -> Metric:
    """A KPI whose measures' events and filters, its kind's event fields and its event params name
    stored events: each mapped by `check`."""
    update: dict[str, Any] = {}
    for role in MEASURE_FIELDS:
        measure = getattr(metric, role)
        if measure is not None:
            update[role] = measure.model_copy(update={"events": tuple(check.event(e) for e in measure.events),
                                                      "where": check.where(measure.where)})
    for field in PAIRING_FIELDS:
        pairing = getattr(metric, field)
        if pairing is not None:
            update[field] = _named_pairing(pairing, check)
    for field, lists in EVENT_LISTS.items():
        spec = getattr(metric, field)
        if spec is not None:  # a default list (the active events) is already in stored names
            update[field] = spec.model_copy(update={name: tuple(check.event(e) for e in getattr(spec, name))
                                                    for name in lists if name in spec.model_fields_set})
    update["params"] = {key: check.value(value) if key in EVENT_PARAMS else value
                        for key, value in metric.params.items()}
    return metric.model_copy(update=update)


def _named_pairing(pairing: Pairing, check: NameCheck) -> Pairing:
    def named(ref: EventRef) -> EventRef:
        return ref.model_copy(update={"event": check.event(ref.event), "where": check.where(ref.where)})

    since = pairing.since and pairing.since.model_copy(update={"event": check.event(pairing.since.event)})
    return pairing.model_copy(update={"start": named(pairing.start), "end": named(pairing.end), "since": since})
