"""The planted effects and their true sizes.

The generator plants these on purpose so that engagekit's analyses have a
known answer to find. Every size here is referenced by the generator, by
``docs/demo.md`` and by the tests in ``tests/demo`` that measure it back from
the generated files.
"""
from __future__ import annotations

# 1. Cart abandonment: customers in one country abandon far more carts.
#    Abandonment = share of web sessions with a ``product_added`` that have no
#    ``order_completed``. The extra drop-off sits at the payment step.
ABANDONMENT_COUNTRY = "BR"
CART_ABANDONMENT_SEGMENT = 0.80
CART_ABANDONMENT_BASE = 0.55
CHECKOUT_START_SHARE = 0.75
"""Share of carts that reach ``checkout_started`` (same in every segment)."""

# 2. Churn driven by unresolved tickets and falling logins.
#    A ticket is unresolved when it never gets ``ticket_resolved``. From the
#    second age-week after an unresolved ticket was opened it counts against
#    the customer; with >= 2 such tickets the weekly churn hazard is multiplied.
UNRESOLVED_TICKET_SHARE = 0.30
UNRESOLVED_TICKETS_THRESHOLD = 2
UNRESOLVED_LAG_WEEKS = 2
CHURN_HAZARD_RATIO_UNRESOLVED = 4.0
#    Customer-initiated activity (logins, visits, opens) falls linearly from
#    normal 6 weeks before churn to 20% of normal at the moment of churn, so
#    the last two weeks run at 1/3 of the earlier rate.
DECLINE_WEEKS = 6
DECLINE_FLOOR = 0.20
LAST_TWO_WEEKS_ACTIVITY_RATIO = DECLINE_FLOOR + (1.0 - DECLINE_FLOOR) * (1.0 / DECLINE_WEEKS)

# 3. A campaign cohort that retains better. Month-3 retention = share of a
#    sign-up cohort still active (any web or app event) 90-119 days after
#    sign-up.
RETENTION_CAMPAIGN = "creator_collab"
MONTH3_RETENTION_CAMPAIGN = 0.45
MONTH3_RETENTION_BASE = 0.25

# 4. NPS detractors complain about one theme (e-commerce: delayed shipping);
#    promoters never mention it.
DETRACTOR_THEME_SHARE = 0.70
PASSIVE_THEME_SHARE = 0.15
PROMOTER_THEME_SHARE = 0.0

# 5. A seasonal dip: customer activity and orders run 25% lower in August
#    (sign-ups are held steady by paid acquisition).
DIP_MONTH = 8
DIP_SIZE = 0.25

# 6. An A/B test with a known lift. Customers are split 50/50 on their first
#    exposure; conversion = an ``order_completed`` within 14 days of the first
#    ``experiment_viewed``. Treatment converts 15% more (relative), planted
#    exactly in the sample. Enrolment runs for the 60 days that end 14 days
#    before the data ends, so every exposure has a full 14-day window.
EXPERIMENT = "checkout_redesign"
EXPERIMENT_VARIANTS = ("control", "treatment")
EXPERIMENT_LIFT = 0.15
EXPERIMENT_WINDOW_DAYS = 14
EXPERIMENT_ENROL_DAYS = 60

# A second experiment that does nothing (an A/A-style null result).
NULL_EXPERIMENT = "homepage_hero"
