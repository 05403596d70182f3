"""Each planted effect, measured back from the files, is near its documented size.

Tolerances are about three standard errors for the 3,000-customer sample; the
A/B lift is planted exactly, so its tolerance only covers rounding.
"""
from __future__ import annotations

import math
import re

from engagekit.demo import comments, effects
from engagekit.demo.comments import THEME_PATTERNS
from tests.demo.demo_measures import (
    cart_abandonment, churn_hazard_ratio, experiment_lift, login_decline, month3_retention, monthly_dip,
    nps_theme_shares, subscriber_weeks,
)


def test_cart_abandonment_is_higher_in_the_segment(effect_files):
    segment, rest, carts = cart_abandonment(effect_files, effects.ABANDONMENT_COUNTRY)
    assert carts > 300
    assert abs(segment - effects.CART_ABANDONMENT_SEGMENT) < 0.05
    assert abs(rest - effects.CART_ABANDONMENT_BASE) < 0.03


def test_unresolved_tickets_multiply_churn(effect_files):
    weeks = subscriber_weeks(effect_files, effects.UNRESOLVED_LAG_WEEKS, effects.UNRESOLVED_TICKETS_THRESHOLD)
    assert weeks[weeks.high].churned.sum() > 40
    ratio = churn_hazard_ratio(weeks)
    assert 0.7 * effects.CHURN_HAZARD_RATIO_UNRESOLVED < ratio < 1.4 * effects.CHURN_HAZARD_RATIO_UNRESOLVED


def test_logins_fall_before_cancelling(effect_files):
    ratio, churners = login_decline(effect_files)
    assert churners > 100
    assert abs(ratio - effects.LAST_TWO_WEEKS_ACTIVITY_RATIO) < 0.08


def test_campaign_cohort_retains_better(effect_files):
    planted, rest, cohort = month3_retention(effect_files, effects.RETENTION_CAMPAIGN)
    assert cohort > 150
    assert abs(planted - effects.MONTH3_RETENTION_CAMPAIGN) < 0.1
    assert abs(rest - effects.MONTH3_RETENTION_BASE) < 0.04
    assert planted - rest > 0.1


def test_detractors_complain_about_delayed_shipping(effect_files):
    shares = nps_theme_shares(effect_files, THEME_PATTERNS["shipping"])
    assert abs(shares["detractor"] - effects.DETRACTOR_THEME_SHARE) < 0.12
    assert abs(shares["passive"] - effects.PASSIVE_THEME_SHARE) < 0.1
    assert shares["promoter"] == effects.PROMOTER_THEME_SHARE


def test_seasonal_dip(effect_files):
    orders, visits = monthly_dip(effect_files, effects.DIP_MONTH)
    assert abs(orders - (1 - effects.DIP_SIZE)) < 0.1
    assert abs(visits - (1 - effects.DIP_SIZE)) < 0.05


def test_checkout_redesign_lift_is_exact(effect_files):
    control, _, lift, enrolled = experiment_lift(effect_files, effects.EXPERIMENT, effects.EXPERIMENT_WINDOW_DAYS)
    assert enrolled > 500 and control > 0.1
    assert abs(lift - effects.EXPERIMENT_LIFT) < 0.01


def test_null_experiment_has_no_planted_lift(effect_files):
    control, treatment, _, enrolled = experiment_lift(effect_files, effects.NULL_EXPERIMENT,
                                                      effects.EXPERIMENT_WINDOW_DAYS)
    pooled = (control + treatment) / 2
    z = (treatment - control) / math.sqrt(pooled * (1 - pooled) * 4 / enrolled)
    assert abs(z) < 3


def test_only_theme_templates_match_their_theme():
    others = comments.OTHER_DETRACTOR + comments.PASSIVE + comments.PROMOTER
    for theme, pattern in comments.THEME_PATTERNS.items():
        assert all(re.search(pattern, text, re.IGNORECASE) for text in comments.THEME_COMMENTS[theme]), theme
        assert not any(re.search(pattern, text, re.IGNORECASE) for text in others), theme
