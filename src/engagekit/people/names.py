"""Event names in queries, as the user sent them, mapped to the names the store holds.

Ingest maps every source's event names through the project's vocabulary (the `event_mapping`
of engagekit.yaml, then the Segment spec aliases, then snake_case: see
engagekit.ingest.vocabulary), so the store holds `page_viewed` for a source's `pageview`. A
query has to map the names it is given the same way, or a funnel step `pageview` matches
nothing and silently counts 0. `NameCheck` maps the event names of one query (names, and the
`event` comparisons of filters) and remembers what it mapped; `report` then checks the mapped
names against the names the store has ever seen, in one query. A name the store has never seen
gets a note naming the close matches: a funnel on an event that has not happened yet is
legitimate. When the project runs strict events (ingest quarantines names the vocabulary does not
know), a name the vocabulary does not know and the store has never seen is an InputError.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from engagekit.config import Settings
from engagekit.errors import InputError
from engagekit.ingest.vocabulary import Vocabulary, similar_names
from engagekit.people.filters import BoolOp, Compare, Filter, Not, filter_text, parse_filter
from engagekit.store import Store

ANY_EVENT = "*"  # any event: not a name, never mapped
NAME_FIELD = "event"
NAME_OPERATORS = ("==", "!=", "in", "not in")  # comparisons whose values are event names


@dataclass(frozen=True)
class EventNames:
    """How a project names its events: its vocabulary, and whether it runs strict events."""

    vocabulary: Vocabulary = field(default_factory=Vocabulary)
    strict: bool = False

    @classmethod
    def of(cls, settings: Settings) -> EventNames:
        """The project's naming: its `event_mapping` and `strict_events`."""
        return cls(Vocabulary(settings.event_mapping), settings.strict_events)


SPEC_NAMES = EventNames()  # the Segment spec aliases alone: for callers without a project


@dataclass(frozen=True)
class NameReport:
    """What a query's names became: sent -> stored (where they differ), and notes on the names
    the store has never seen."""

    names: dict[str, str] = field(default_factory=dict)
    notes: tuple[str, ...] = ()

    def fields(self) -> dict[str, Any]:
        """The report as the `names` and `notes` of a result."""
        return {"names": dict(self.names), "notes": list(self.notes)}


class NameCheck:
    """The event names of one query: mapped as they are read, then checked against the store."""

    def __init__(self, names: EventNames) -> None:
        self.names = names
        self.sent: dict[str, str] = {}  # every name read -> the name it maps to

    def event(self, name: str) -> str:
        """The stored name of an event name (the vocabulary's canonical name); '*' stays."""
        if name == ANY_EVENT:
            return name
        stored = self.names.vocabulary.canonical(name)
        self.sent[name] = stored
        return stored

    def tree(self, tree: Filter) -> Filter:
        """A parsed filter whose `event` comparisons name stored events."""
        match tree:
            case Compare(field=field_name, op=op, value=value) if field_name == NAME_FIELD and op in NAME_OPERATORS:
                return Compare(field_name, op, self.value(value))
            case Compare():
                return tree
            case BoolOp(op=op, left=left, right=right):
                return BoolOp(op, self.tree(left), self.tree(right))
            case Not(operand=operand):
                return Not(self.tree(operand))
        raise InputError(f"cannot map the names of filter node {tree!r}")

    def where(self, text: str | None) -> str | None:
        """Filter text whose `event` comparisons name stored events; the text as sent when none
        of its names changes."""
        if text is None:
            return None
        tree = parse_filter(text)
        mapped = self.tree(tree)
        return text if mapped == tree else filter_text(mapped)

    def mapped(self) -> dict[str, str]:
        """The names read that map to another name: sent -> stored."""
        return {sent: stored for sent, stored in self.sent.items() if sent != stored}

    def report(self, store: Store) -> NameReport:
        """The mapping, and a note for every mapped name the store has never seen (one query, and
        none when the query names no event)."""
        wanted = set(self.sent.values())
        if not wanted:
            return NameReport(self.mapped())
        seen = stored_event_names(store)
        notes = [self._unseen(name, seen) for name in sorted(wanted - seen)]
        return NameReport(self.mapped(), tuple(notes))

    def _unseen(self, name: str, seen: set[str]) -> str:
        """The note on a name the store has never seen; an InputError under strict events when
        the vocabulary does not know it either."""
        sent = [s for s, stored in self.sent.items() if stored == name and s != name]
        as_sent = f" (sent as {', '.join(repr(s) for s in sent)})" if sent else ""
        close = similar_names(name, seen)
        hint = f"; did you mean {', '.join(close)}?" if close else ""
        if self.names.strict and not self.names.vocabulary.is_known(name):
            raise InputError(f"unknown event {name!r}{as_sent}: the project runs strict events, and neither "
                             f"the vocabulary nor the store knows it{hint}")
        return f"no events named {name!r}{as_sent}{hint}"

    def value(self, value: Any) -> Any:
        """A literal naming events (text, or a list of texts) as stored; anything else as it is."""
        if isinstance(value, list):
            return [self.value(item) for item in value]
        return self.event(value) if isinstance(value, str) else value


def stored_event_names(store: Store) -> set[str]:
    """Every event name the store holds."""
    events = store.table("events")
    return {name for name in events.select("event").distinct().event.to_pyarrow().to_pylist() if name is not None}
