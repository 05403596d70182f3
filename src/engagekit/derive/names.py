"""Event-name groups and channels that the derived tables count, and who counts as identified
(see docs/derived-tables.md)."""
from __future__ import annotations

import ibis.expr.types as ir

INTERACTIVE_CHANNELS = ("web", "app")  # channels whose events form sessions
PAGE_VIEWS = ("page_viewed", "screen_viewed")
PRODUCT_VIEWS = ("product_viewed",)
CART_ADDS = ("product_added",)
CHECKOUTS = ("checkout_started",)
ORDERS = ("order_completed",)
LOGINS = ("logged_in", "portal_login")
# Things done to a person rather than by them; they do not make a day active.
PASSIVE = ("email_sent", "email_delivered", "ad_impression")


def identified(events: ir.Table) -> ir.BooleanValue:
    """True for resolved events whose person is a customer (their own id or a linked anonymous id)
    rather than a visitor who never identified."""
    return events.customer_id.notnull() | (events.person_id != events.anonymous_id)
