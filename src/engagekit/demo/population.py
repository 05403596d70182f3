"""Who the demo company's people are: customers, B2B accounts, traits and anonymous visitors.

Customers sign up over the period (numbered in sign-up order), arrive through
an acquisition channel and campaign, and most first browse anonymously. Pure
anonymous visitors browse but never sign up.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from .columns import id_strings, lookup
from .effects import ABANDONMENT_COUNTRY, RETENTION_CAMPAIGN
from .events import ACCOUNT_ID, CUSTOMER_ID, UTC_US
from .industries import IndustryProfile
from .timeline import US_PER_DAY, US_PER_HOUR, US_PER_MINUTE, Timeline

COUNTRIES = ("US", "GB", "DE", "FR", "BR", "IN", "CA", "AU", "ES", "MX")
COUNTRY_WEIGHTS = (0.33, 0.12, 0.1, 0.07, 0.11, 0.08, 0.06, 0.05, 0.04, 0.04)
GENDERS = ("female", "male", "nonbinary", "undisclosed")
GENDER_WEIGHTS = (0.5, 0.44, 0.02, 0.04)
AGE_BANDS = ("18-24", "25-34", "35-44", "45-54", "55-64", "65+")
AGE_WEIGHTS = (0.14, 0.3, 0.24, 0.16, 0.1, 0.06)
ACQUISITION_CHANNELS = ("organic", "paid_search", "social", "email", "referral")
CAMPAIGNS = ("search_brand", "search_generic", RETENTION_CAMPAIGN, "social_retargeting", "newsletter_promo",
             "refer_a_friend")
CAMPAIGN_CHANNEL = np.array([1, 1, 2, 2, 3, 4])
CAMPAIGN_WEIGHTS = np.array([0.09, 0.11, 0.15, 0.07, 0.10, 0.14])
ORGANIC_SHARE = 1.0 - CAMPAIGN_WEIGHTS.sum()
ACCOUNT_INDUSTRIES = ("retail", "finance", "healthcare", "education", "technology", "manufacturing", "media")
ACCOUNT_TIERS = ("team", "business", "enterprise")
NAME_PARTS = (("North", "Blue", "Bright", "Iron", "Silver", "Green", "Summit", "Harbor", "Pioneer", "Atlas"),
              ("field", "stone", "wave", "line", "bridge", "works", "point", "gate", "craft", "path"),
              (" Labs", " Inc", " Group", " Co", " Partners", " Systems"))
FREE_PLAN = "free"
CUSTOMER_SCHEMA = pa.schema([
    ("customer_id", pa.string()), ("created_at", UTC_US), ("account_id", pa.string()),
    ("country", pa.string()), ("gender", pa.string()), ("age_band", pa.string()), ("plan", pa.string()),
    ("industry", pa.string()), ("acquisition_channel", pa.string()), ("campaign", pa.string()),
])
ACCOUNT_SCHEMA = pa.schema([
    ("account_id", pa.string()), ("name", pa.string()), ("plan", pa.string()), ("licenses", pa.int64()),
    ("mrr", pa.float64()), ("industry", pa.string()), ("country", pa.string()),
])


@dataclass
class Accounts:
    """B2B accounts that some customers belong to."""

    n: int
    name_codes: np.ndarray
    tier: np.ndarray
    licenses: np.ndarray
    mrr: np.ndarray
    industry: np.ndarray
    country: np.ndarray


@dataclass
class Population:
    """Customers (index = sign-up order) and pure anonymous visitors."""

    n: int
    signup_us: np.ndarray
    signup_session_us: np.ndarray
    first_visit_us: np.ndarray
    anon_number: np.ndarray
    country: np.ndarray
    gender: np.ndarray
    age_band: np.ndarray
    campaign: np.ndarray
    channel: np.ndarray
    account: np.ndarray
    engagement: np.ndarray
    plan: np.ndarray
    accounts: Accounts
    visitor_number: np.ndarray
    visitor_first_us: np.ndarray
    visitor_campaign: np.ndarray

    @property
    def segment(self) -> np.ndarray:
        """True for customers in the high-abandonment country."""
        return self.country == COUNTRIES.index(ABANDONMENT_COUNTRY)


def _campaigns(rng: np.random.Generator, n: int) -> np.ndarray:
    """Campaign code per person, -1 for organic."""
    p = np.concatenate([[ORGANIC_SHARE], CAMPAIGN_WEIGHTS])
    return rng.choice(len(p), size=n, p=p) - 1


def _accounts(rng: np.random.Generator, profile: IndustryProfile, members: int) -> tuple[Accounts, np.ndarray]:
    """Accounts sized by a skewed draw, and the account index of each member."""
    n = max(1, int(round(members / profile.account_size)))
    pull = rng.lognormal(0.0, 1.0, n)
    member_of = rng.choice(n, size=members, p=pull / pull.sum())
    seats = np.bincount(member_of, minlength=n)
    licenses = seats + rng.poisson(seats * 0.3 + 1)
    tier = np.digitize(licenses, [5, 20])
    mrr = np.round(licenses * profile.seat_price * np.array([1.0, 0.9, 0.8])[tier], 2)
    names = np.stack([rng.integers(0, len(part), n) for part in NAME_PARTS], axis=1)
    accounts = Accounts(
        n=n, name_codes=names, tier=tier, licenses=licenses.astype(np.int64), mrr=mrr,
        industry=rng.integers(0, len(ACCOUNT_INDUSTRIES), n),
        country=rng.choice(len(COUNTRIES), size=n, p=COUNTRY_WEIGHTS),
    )
    return accounts, member_of


def build_population(rng: np.random.Generator, n: int, profile: IndustryProfile, timeline: Timeline) -> Population:
    """Draw customers, their traits, accounts, journeys and the anonymous visitors."""
    growth = 1.0 + np.linspace(0.0, 1.0, timeline.n_days)
    signup = np.sort(timeline.sample_days(rng, n, timeline.acquisition_weight * growth))
    signup = np.maximum(signup, timeline.start_us + 2 * US_PER_HOUR)
    session_len = rng.integers(2 * US_PER_MINUTE, 15 * US_PER_MINUTE, n)
    signup_session = signup - session_len
    lead_in = np.where(rng.random(n) < 0.35, 0, rng.integers(4 * US_PER_HOUR, 21 * US_PER_DAY, n))
    first_visit = signup_session - lead_in
    first_visit = np.where(first_visit < timeline.start_us + US_PER_HOUR, signup_session, first_visit)

    n_visitors = int(round(n * profile.anon_visitors_per_customer))
    numbers = rng.permutation(n + n_visitors)
    country = rng.choice(len(COUNTRIES), size=n, p=COUNTRY_WEIGHTS)
    account = np.full(n, -1, dtype=np.int64)
    members = np.flatnonzero(rng.random(n) < profile.account_share)
    accounts, member_of = _accounts(rng, profile, max(len(members), 1))
    account[members] = member_of[: len(members)]
    country[members] = accounts.country[member_of[: len(members)]]
    campaign = _campaigns(rng, n)
    plan_p = np.array([w for _, _, w in profile.plans])
    plan = rng.choice(len(plan_p), size=n, p=plan_p / plan_p.sum()) + 1
    plan[rng.random(n) >= profile.subscriber_share] = 0
    visitor_first = timeline.sample_days(rng, n_visitors, timeline.acquisition_weight)
    return Population(
        n=n, signup_us=signup, signup_session_us=signup_session, first_visit_us=first_visit,
        anon_number=numbers[:n], country=country,
        gender=rng.choice(len(GENDERS), size=n, p=GENDER_WEIGHTS),
        age_band=rng.choice(len(AGE_BANDS), size=n, p=AGE_WEIGHTS),
        campaign=campaign, channel=np.where(campaign >= 0, CAMPAIGN_CHANNEL[campaign], 0),
        account=account, engagement=rng.gamma(3.0, 1.0 / 3.0, n), plan=plan, accounts=accounts,
        visitor_number=numbers[n:], visitor_first_us=visitor_first, visitor_campaign=_campaigns(rng, n_visitors),
    )


def plan_names(profile: IndustryProfile) -> tuple[str, ...]:
    """Plan vocabulary: code 0 is the free plan, then the profile's paid plans."""
    return (FREE_PLAN, *(name for name, _, _ in profile.plans))


def plan_prices(profile: IndustryProfile) -> np.ndarray:
    """Monthly price per plan code (0 for free)."""
    return np.array([0.0, *(price for _, price, _ in profile.plans)])


def customers_table(pop: Population, profile: IndustryProfile, plan: np.ndarray) -> pa.Table:
    """``customers.parquet``: ids, sign-up time, account and traits (``plan`` is the final plan code)."""
    member = pop.account >= 0
    industry = np.where(member, pop.accounts.industry[np.maximum(pop.account, 0)], len(ACCOUNT_INDUSTRIES))
    return pa.Table.from_arrays([
        id_strings(CUSTOMER_ID[0], np.arange(1, pop.n + 1), CUSTOMER_ID[1]),
        pa.array(pop.signup_us, type=UTC_US),
        id_strings(ACCOUNT_ID[0], np.where(member, pop.account + 1, -1), ACCOUNT_ID[1]),
        lookup(COUNTRIES, pop.country), lookup(GENDERS, pop.gender), lookup(AGE_BANDS, pop.age_band),
        lookup(plan_names(profile), plan), lookup((*ACCOUNT_INDUSTRIES, "consumer"), industry),
        lookup(ACQUISITION_CHANNELS, pop.channel),
        pa.array(CAMPAIGNS, pa.string()).take(pa.array(pop.campaign, mask=pop.campaign < 0)),
    ], schema=CUSTOMER_SCHEMA)


def accounts_table(accounts: Accounts) -> pa.Table:
    """``accounts.parquet``: B2B accounts with seats and monthly revenue."""
    parts = [lookup(words, accounts.name_codes[:, i]) for i, words in enumerate(NAME_PARTS)]
    return pa.Table.from_arrays([
        id_strings(ACCOUNT_ID[0], np.arange(1, accounts.n + 1), ACCOUNT_ID[1]),
        pc.binary_join_element_wise(*parts, ""), lookup(ACCOUNT_TIERS, accounts.tier),
        pa.array(accounts.licenses, pa.int64()), pa.array(accounts.mrr, pa.float64()),
        lookup(ACCOUNT_INDUSTRIES, accounts.industry), lookup(COUNTRIES, accounts.country),
    ], schema=ACCOUNT_SCHEMA)
