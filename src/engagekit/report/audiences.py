"""Which KPIs and sections each audience gets."""
from __future__ import annotations

from dataclasses import dataclass

from engagekit.errors import InputError


@dataclass(frozen=True)
class Audience:
    """A report's reader: its title, the KPIs of its table and the sections after it."""

    name: str
    title: str
    kpi_title: str
    kpis: tuple[str, ...]
    sections: tuple[str, ...]


AUDIENCES: dict[str, Audience] = {
    "executive": Audience(
        "executive", "Executive report", "Headline KPIs",
        ("revenue", "orders", "conversion_rate", "average_order_value", "cart_abandonment_rate",
         "purchase_frequency", "nps", "churn_rate", "retention_rate"),
        ("trends", "risks", "opportunities", "voice_brief"),
    ),
    "marketing": Audience(
        "marketing", "Marketing report", "Marketing KPIs",
        ("new_customers", "unique_visitors", "ad_click_through_rate", "email_open_rate", "email_click_rate",
         "email_click_to_open_rate", "conversion_rate", "cart_abandonment_rate"),
        ("trends", "channels", "campaigns"),
    ),
    "product": Audience(
        "product", "Product report", "Product KPIs",
        ("activation_rate", "dau", "wau", "mau", "stickiness", "sessions", "avg_session_duration"),
        ("trends", "features"),
    ),
    "support": Audience(
        "support", "Support report", "Support KPIs",
        ("support_tickets", "tickets_per_100_customers", "first_response_time", "resolution_time",
         "first_contact_resolution_rate", "escalation_rate", "support_csat"),
        ("trends", "priorities", "support_voice"),
    ),
    "cs": Audience(
        "cs", "Customer success report", "Customer success KPIs",
        ("churn_rate", "retention_rate", "net_revenue_retention", "repeat_purchase_rate", "nps"),
        ("trends", "retention_by_campaign", "at_risk", "voice", "detractors"),
    ),
}


def audience(name: str) -> Audience:
    """The audience called `name`; the error lists the known ones."""
    if name not in AUDIENCES:
        raise InputError(f"unknown audience {name!r}; audiences: {', '.join(AUDIENCES)}")
    return AUDIENCES[name]
