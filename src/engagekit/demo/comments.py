"""Free-text templates for survey comments, reviews and social mentions.

Each industry has one detractor theme (e-commerce: delayed shipping). Theme
comments match :data:`THEME_PATTERNS`; every other template is written so it
never does, which is what lets the tests and later text analyses measure the
planted share exactly.
"""
from __future__ import annotations

import numpy as np

from .effects import DETRACTOR_THEME_SHARE, PASSIVE_THEME_SHARE, PROMOTER_THEME_SHARE

THEME_PATTERNS = {
    "shipping": r"\b(?:late|delay\w*|shipping|deliver\w*)\b",
    "performance": r"\b(?:slow|crash\w*|lag\w*|outage\w*)\b",
    "ads": r"\b(?:ads?|adverts?|commercials?)\b",
    "wait_times": r"\b(?:wait\w*|queue\w*)\b",
    "deadlines": r"\b(?:deadlines?|overdue|behind schedule)\b",
}

THEME_COMMENTS = {
    "shipping": (
        "My order arrived a week late and nobody told me why.",
        "Delivery was delayed again, third time this year.",
        "Shipping takes forever, the package was two weeks late.",
        "The parcel was delayed and tracking never updated.",
        "Great products but the delivery is always late.",
        "Paid for express shipping and it still came late.",
    ),
    "performance": (
        "The app is painfully slow when reports get big.",
        "It crashes every time I export a dashboard.",
        "Constant lag in the editor makes it hard to work.",
        "Another outage during our month-end close.",
    ),
    "ads": (
        "Too many ads interrupt every episode.",
        "I pay for a subscription and still see ads.",
        "The commercials before each video are unbearable.",
    ),
    "wait_times": (
        "I had to wait 40 minutes past my appointment time.",
        "The waiting room queue was longer than the visit.",
        "Waited three days for a reply from the clinic.",
    ),
    "deadlines": (
        "The team missed the deadline on both deliverables.",
        "Reports are always overdue.",
        "The project fell behind schedule from week one.",
    ),
}

OTHER_DETRACTOR = (
    "Too expensive for what you get.",
    "Customer service never answered my email.",
    "The product broke after two uses.",
    "Billing charged me twice and the refund took ages.",
)
PASSIVE = (
    "Good overall, but the app could be easier to use.",
    "Decent value, nothing special.",
    "Fine for now, prices went up recently.",
    "Works as expected.",
)
PROMOTER = (
    "Great quality and fair prices.",
    "Love the selection, I recommend it to friends.",
    "The app makes everything easy.",
    "Support solved my issue in minutes.",
    "Best purchase experience I have had.",
)
CSAT = {
    "good": ("Quick and friendly help.", "Solved on the first reply, thank you.", "Very helpful agent."),
    "bad": ("Took far too long to get an answer.", "I had to explain my problem three times.",
            "Issue closed without being fixed."),
}
CES = ("Easy, took a minute.", "A few too many steps.", "Confusing form, had to retry.", "Smooth and simple.")
REVIEWS = {
    "good": ("Exactly as described, very happy.", "Great quality for the price.", "Would buy again."),
    "bad": ("Arrived late and the box was damaged.", "Not as described, returning it.",
            "Poor quality, fell apart quickly."),
}
MENTIONS = ("Just got my new order, love it!", "Anyone else a fan of this brand?",
            "Customer support was super helpful today.", "Still waiting on my order, not impressed.",
            "Their new collection looks amazing.")


def nps_comments(rng: np.random.Generator, group: np.ndarray, theme: str) -> tuple[tuple[str, ...], np.ndarray]:
    """A vocabulary and one code per response for detractors (0), passives (1) and promoters (2)."""
    themed = THEME_COMMENTS[theme]
    vocab = themed + OTHER_DETRACTOR + PASSIVE + PROMOTER
    n = len(group)
    sizes = np.array([len(OTHER_DETRACTOR), len(PASSIVE), len(PROMOTER)])
    base = len(themed) + np.concatenate([[0], np.cumsum(sizes)[:-1]])
    code = base[group] + (rng.random(n) * sizes[group]).astype(np.int64)
    share = np.array([DETRACTOR_THEME_SHARE, PASSIVE_THEME_SHARE, PROMOTER_THEME_SHARE])[group]
    on_theme = rng.random(n) < share
    code[on_theme] = rng.integers(0, len(themed), int(on_theme.sum()))
    return vocab, code
