"""The event vocabulary: canonical snake_case names, Segment spec aliases, user mappings."""
from __future__ import annotations

import difflib
import re
from collections.abc import Iterable, Mapping

STAGE_EVENTS: dict[str, tuple[str, ...]] = {
    "acquisition": (
        "page_viewed", "ad_impression", "ad_clicked", "email_sent", "email_delivered",
        "email_opened", "email_clicked", "newsletter_subscribed", "lead_created", "signed_up",
    ),
    "purchase": (
        "product_viewed", "product_added", "checkout_started", "order_completed", "order_refunded",
    ),
    "onboarding": (
        "trial_started", "welcome_call_booked", "onboarding_step_completed", "account_activated",
    ),
    "adoption": (
        "logged_in", "feature_used", "core_action", "content_viewed", "video_watched",
        "deliverable_reviewed", "portal_login",
    ),
    "escalation": ("ticket_opened", "ticket_replied", "ticket_escalated", "ticket_resolved"),
    "retention": (
        "subscription_started", "subscription_renewed", "subscription_changed",
        "subscription_cancelled", "referral_sent", "referral_converted", "review_posted",
        "survey_responded", "social_like", "social_comment", "social_share", "social_follow",
        "social_mention",
    ),
    "healthcare": (
        "appointment_scheduled", "appointment_attended", "appointment_missed",
        "medication_dose_taken", "medication_dose_missed",
    ),
    "system": ("identify", "experiment_viewed", "screen_viewed", "group", "alias"),
}

CANONICAL_EVENTS: frozenset[str] = frozenset(e for events in STAGE_EVENTS.values() for e in events)

# Segment spec names whose snake_case form is not the canonical name.
SEGMENT_ALIASES: dict[str, str] = {
    "page": "page_viewed",
    "pageview": "page_viewed",
    "screen": "screen_viewed",
    "signed_in": "logged_in",
    "user_signed_in": "logged_in",
    "user_signed_up": "signed_up",
    "account_created": "signed_up",
    "email_link_clicked": "email_clicked",
    "email_bounced": "email_sent",
    "product_added_to_cart": "product_added",
    "trial_start": "trial_started",
    "subscription_canceled": "subscription_cancelled",
    "ticket_created": "ticket_opened",
    "ticket_closed": "ticket_resolved",
    "nps_survey_submitted": "survey_responded",
    "survey_submitted": "survey_responded",
    "product_reviewed": "review_posted",
    "experiment_viewed": "experiment_viewed",
    "identify": "identify",
}

_NON_WORD = re.compile(r"[^0-9a-zA-Z]+")
_CAMEL = re.compile(r"(?<=[a-z0-9])(?=[A-Z])")


def snake_case(name: str) -> str:
    """'Order Completed', 'orderCompleted', 'order-completed' -> 'order_completed'."""
    spaced = _CAMEL.sub("_", name.strip())
    return _NON_WORD.sub("_", spaced).strip("_").lower()


class Vocabulary:
    """Maps a source's event names to canonical ones: user mapping first, then aliases."""

    def __init__(self, user_mapping: Mapping[str, str] | None = None) -> None:
        self.user_mapping = {name: snake_case(target) for name, target in (user_mapping or {}).items()}

    def canonical(self, name: str) -> str:
        if name in self.user_mapping:
            return self.user_mapping[name]
        snake = snake_case(name)
        if snake in self.user_mapping:
            return self.user_mapping[snake]
        return SEGMENT_ALIASES.get(snake, snake)

    def is_known(self, canonical_name: str) -> bool:
        return canonical_name in CANONICAL_EVENTS or canonical_name in self.user_mapping.values()


def similar_names(name: str, known: Iterable[str], n: int = 3) -> list[str]:
    """The known names closest to `name`, best first: the "did you mean" of a name that matches
    nothing (`page_view` -> `page_viewed`)."""
    return difflib.get_close_matches(name, sorted(known), n=n, cutoff=0.6)
