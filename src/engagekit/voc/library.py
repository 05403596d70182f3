"""The themes customers write about in every industry, as word patterns: what Qualtrics and
Medallia call a topic library. A text about one of them is counted under it whatever words it
uses ("arrived a week late", "delivery was delayed"), which a word-count model cannot know from
short comments alone; everything else goes to the themes found in the texts (engagekit.voc.topics).
A text may be about several library themes.
"""
from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class LibraryTheme:
    name: str
    label: str
    pattern: re.Pattern[str]  # its keywords are the words of its texts that match


def _theme(name: str, label: str, *words: str) -> LibraryTheme:
    pattern = re.compile(r"\b(?:" + "|".join(words) + r")\b", re.IGNORECASE)
    return LibraryTheme(name, label, pattern)


LIBRARY: tuple[LibraryTheme, ...] = (
    _theme("delivery", "delivery and shipping delays", r"ship\w*", r"deliver\w*", "late", r"delay\w*", r"parcels?",
           r"packages?", r"couriers?", "tracking", "transit", r"dispatch\w*"),
    _theme("price", "price and value", r"pric\w*", "expensive", r"cheap\w*", "overpriced", r"costs?", r"costly"),
    _theme("support", "customer support", "support", r"agents?", "service", r"answer\w*", r"repl\w*", r"respon\w*"),
    _theme("quality", "product quality", "quality", "broke", "broken", "damaged", r"defect\w*", "fell apart",
           "flimsy"),
    _theme("billing", "billing and refunds", r"bill\w*", r"charg\w*", r"refund\w*", r"invoic\w*", r"payments?"),
    _theme("usability", "ease of use", "easy", "easier", "confusing", "complicated", "intuitive", r"steps?",
           r"navigat\w*"),
    _theme("performance", "speed and reliability", "slow", r"crash\w*", r"lag\w*", r"outages?", r"bugs?", r"freez\w*"),
    _theme("ads", "ads and interruptions", r"ads?", r"adverts?", r"commercials?"),
    _theme("wait_times", "waiting times", r"wait\w*", r"queue\w*"),
    _theme("deadlines", "missed deadlines", r"deadlines?", "overdue", "behind schedule"),
)


def library_words(text: str) -> dict[str, list[str]]:
    """The library themes a text is about, each with the words of the text that say so."""
    found = {theme.name: [m.group(0).lower() for m in theme.pattern.finditer(text)] for theme in LIBRARY}
    return {name: words for name, words in found.items() if words}
