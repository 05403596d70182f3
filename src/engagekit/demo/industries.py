"""Industry profiles: the rates and vocabularies that make each demo company look like its trade."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np


def _hours(peaks: tuple[tuple[float, float, float], ...], floor: float) -> tuple[float, ...]:
    """Hour-of-day weights (UTC) as a floor plus Gaussian bumps (centre, width, height)."""
    h = np.arange(24) + 0.5
    w = np.full(24, floor)
    for centre, width, height in peaks:
        w += height * np.exp(-0.5 * ((h - centre) / width) ** 2)
    return tuple(float(x) for x in w / w.sum())


@dataclass(frozen=True)
class IndustryProfile:
    """How customers of one kind of business behave; rates are per customer."""

    name: str
    label: str
    weekday_weights: tuple[float, ...]
    hour_weights: tuple[float, ...]
    peak_months: tuple[int, ...]
    web_sessions_per_week: float
    app_sessions_per_week: float
    anon_visitors_per_customer: float
    product_view_share: float
    add_to_cart_share: float
    median_price: float
    categories: tuple[str, ...]
    promo_sends_per_week: int
    subscriber_share: float
    plans: tuple[tuple[str, float, float], ...]
    account_share: float
    account_size: float
    seat_price: float
    tickets_per_month: float
    features: tuple[tuple[str, bool], ...]
    core_actions: tuple[str, ...]
    onboarding_steps: tuple[str, ...]
    activation_step: int
    product_extras: frozenset[str]
    detractor_theme: str
    social_per_month: float
    review_share: float
    lead_share: float
    appointments: bool = False


_BUSINESS = (1.15, 1.2, 1.2, 1.15, 1.0, 0.3, 0.25)

PROFILES: dict[str, IndustryProfile] = {
    "ecommerce": IndustryProfile(
        name="ecommerce", label="e-commerce with subscriptions",
        weekday_weights=(1.08, 1.04, 1.0, 0.98, 0.9, 0.86, 1.06),
        hour_weights=_hours(((20.0, 2.5, 1.0), (12.5, 1.5, 0.4)), 0.06),
        peak_months=(11, 12),
        web_sessions_per_week=2.5, app_sessions_per_week=1.2, anon_visitors_per_customer=2.0,
        product_view_share=0.7, add_to_cart_share=0.4, median_price=38.0,
        categories=("apparel", "shoes", "home", "beauty", "outdoor", "kids"),
        promo_sends_per_week=2, subscriber_share=0.55,
        plans=(("plus_monthly", 9.99, 0.7), ("plus_family", 14.99, 0.2), ("plus_premium", 24.99, 0.1)),
        account_share=0.08, account_size=3.0, seat_price=9.99, tickets_per_month=1.0,
        features=(("search", True), ("wishlist", True), ("reorder", True), ("track_order", False),
                  ("size_guide", True), ("price_alerts", False)),
        core_actions=("save_for_later", "compare_products", "share_wishlist"),
        onboarding_steps=("profile", "address", "payment_method", "preferences"),
        activation_step=3, product_extras=frozenset({"content", "video"}),
        detractor_theme="shipping", social_per_month=0.5, review_share=0.12, lead_share=0.0,
    ),
    "saas": IndustryProfile(
        name="saas", label="B2B software as a service",
        weekday_weights=_BUSINESS, hour_weights=_hours(((14.0, 3.0, 1.0),), 0.03),
        peak_months=(3, 10),
        web_sessions_per_week=0.6, app_sessions_per_week=3.0, anon_visitors_per_customer=3.0,
        product_view_share=0.3, add_to_cart_share=0.15, median_price=99.0,
        categories=("add_on", "seats", "storage", "support_plan"),
        promo_sends_per_week=1, subscriber_share=1.0,
        plans=(("starter", 29.0, 0.5), ("team", 79.0, 0.35), ("business", 199.0, 0.15)),
        account_share=0.9, account_size=6.0, seat_price=25.0, tickets_per_month=0.8,
        features=(("dashboards", True), ("reports", True), ("automations", True), ("api", False),
                  ("integrations", True), ("comments", True), ("scheduled_exports", False)),
        core_actions=("create_project", "run_report", "share_dashboard", "invite_teammate"),
        onboarding_steps=("create_workspace", "invite_team", "connect_integration", "first_project", "first_report"),
        activation_step=4, product_extras=frozenset({"trial", "welcome_call", "video"}),
        detractor_theme="performance", social_per_month=0.2, review_share=0.05, lead_share=0.6,
    ),
    "media": IndustryProfile(
        name="media", label="streaming and digital media subscriptions",
        weekday_weights=(0.95, 0.93, 0.95, 0.97, 1.05, 1.15, 1.2),
        hour_weights=_hours(((21.0, 2.0, 1.0), (7.5, 1.0, 0.3)), 0.05),
        peak_months=(1, 12),
        web_sessions_per_week=0.9, app_sessions_per_week=3.5, anon_visitors_per_customer=3.0,
        product_view_share=0.15, add_to_cart_share=0.2, median_price=24.0,
        categories=("merch", "gift_card", "box_set"),
        promo_sends_per_week=3, subscriber_share=0.85,
        plans=(("basic", 7.99, 0.5), ("standard", 12.99, 0.35), ("premium", 17.99, 0.15)),
        account_share=0.03, account_size=4.0, seat_price=7.99, tickets_per_month=0.3,
        features=(("playlists", True), ("downloads", True), ("search", True), ("autoplay", False),
                  ("recommendations", False), ("profiles", True)),
        core_actions=("follow_author", "save_article", "rate_title"),
        onboarding_steps=("pick_topics", "create_profile", "enable_notifications"),
        activation_step=2, product_extras=frozenset({"content", "video"}),
        detractor_theme="ads", social_per_month=1.0, review_share=0.02, lead_share=0.0,
    ),
    "healthcare": IndustryProfile(
        name="healthcare", label="digital health clinic",
        weekday_weights=(1.2, 1.1, 1.1, 1.05, 1.0, 0.5, 0.4),
        hour_weights=_hours(((9.5, 2.0, 1.0), (18.0, 2.0, 0.5)), 0.03),
        peak_months=(1, 2),
        web_sessions_per_week=0.5, app_sessions_per_week=1.5, anon_visitors_per_customer=2.0,
        product_view_share=0.2, add_to_cart_share=0.25, median_price=28.0,
        categories=("pharmacy", "devices", "supplements"),
        promo_sends_per_week=1, subscriber_share=0.5,
        plans=(("care_basic", 15.0, 0.6), ("care_plus", 35.0, 0.3), ("care_family", 55.0, 0.1)),
        account_share=0.15, account_size=20.0, seat_price=12.0, tickets_per_month=0.5,
        features=(("messages", True), ("records", True), ("symptom_checker", True),
                  ("reminders", False), ("billing", True)),
        core_actions=("refill_request", "upload_reading", "message_clinician"),
        onboarding_steps=("health_profile", "insurance", "consent", "first_booking"),
        activation_step=4, product_extras=frozenset({"content", "video", "portal"}),
        detractor_theme="wait_times", social_per_month=0.1, review_share=0.05, lead_share=0.1,
        appointments=True,
    ),
    "services": IndustryProfile(
        name="services", label="professional services agency",
        weekday_weights=_BUSINESS, hour_weights=_hours(((13.0, 3.0, 1.0),), 0.02),
        peak_months=(3, 9),
        web_sessions_per_week=0.4, app_sessions_per_week=1.5, anon_visitors_per_customer=2.5,
        product_view_share=0.15, add_to_cart_share=0.15, median_price=450.0,
        categories=("workshop", "audit", "retainer_hours"),
        promo_sends_per_week=1, subscriber_share=0.9,
        plans=(("project", 1500.0, 0.5), ("retainer", 4000.0, 0.35), ("enterprise", 9000.0, 0.15)),
        account_share=0.95, account_size=4.0, seat_price=900.0, tickets_per_month=0.6,
        features=(("timesheets", True), ("invoices", True), ("approvals", True), ("status_reports", False)),
        core_actions=("approve_deliverable", "request_change", "upload_brief"),
        onboarding_steps=("kickoff", "brief_submitted", "access_granted", "first_review"),
        activation_step=3, product_extras=frozenset({"welcome_call", "portal", "deliverables"}),
        detractor_theme="deadlines", social_per_month=0.1, review_share=0.03, lead_share=0.8,
    ),
}
