"""The free texts of the store: survey comments, review texts, social mentions and ticket texts,
one per event, with the source they come from."""
from __future__ import annotations

import ibis
import ibis.expr.types as ir

from engagekit.json_fields import json_text
from engagekit.people.names import EventNames

# event (spec name) -> the source its text is reported under
TEXT_EVENTS: dict[str, str] = {"survey_responded": "survey", "review_posted": "review", "social_mention": "social",
                               "social_comment": "social", "ticket_opened": "ticket"}
TEXT_KEYS = ("comment", "text", "body", "message")  # the first of these properties an event holds is its text
SOURCES = tuple(dict.fromkeys(TEXT_EVENTS.values()))


def text_events(names: EventNames) -> list[str]:
    """The stored names of the events that can carry a text."""
    return [names.vocabulary.canonical(event) for event in TEXT_EVENTS]


def with_texts(table: ir.Table, names: EventNames) -> ir.Table:
    """The rows of `table` (events) that carry a non-empty text, with `_text` (as stored, JSON
    escapes kept: decode it with json_fields.plain_text where it reaches Python) and `_source`."""
    stored = {names.vocabulary.canonical(event): source for event, source in TEXT_EVENTS.items()}
    table = table.filter(table.event.isin(list(stored)))
    text = ibis.coalesce(*(json_text(table.properties, key) for key in TEXT_KEYS))
    source = table.event.cases(*stored.items(), else_=ibis.null("string"))
    table = table.mutate(_text=text, _source=source)
    return table.filter(table._text.notnull(), table._text.strip().length() > 0)
