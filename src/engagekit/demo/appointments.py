"""Healthcare care events: booked appointments that are attended or missed, and daily medication doses.

Patients book about monthly, visits fall in clinic hours a few days to three
weeks later, in person or by video. A third of patients follow a medication
course with one dose a day; adherence, like attendance, fades before churn.
"""
from __future__ import annotations

import numpy as np
import pyarrow as pa

from .columns import id_strings, json_number, json_object, json_quoted, json_text
from .events import EventBlock
from .timeline import US_PER_DAY, US_PER_HOUR, US_PER_MINUTE
from .world import World

APPOINTMENTS_PER_MONTH = 1.0
ATTENDANCE = 0.85
VISIT_TYPES = ("in_person", "telehealth")
VISIT_CHANNELS = ("store", "call")
MEDICATION_SHARE = 0.35
ADHERENCE = 0.88
MEDICATIONS = ("metformin", "lisinopril", "atorvastatin", "levothyroxine", "sertraline")


def _appointments(world: World, rng: np.random.Generator) -> list[EventBlock]:
    """Bookings and the visits they lead to, attended or missed."""
    pop, life, tl = world.pop, world.life, world.timeline
    rate = APPOINTMENTS_PER_MONTH * 12.0 / 365.25 * pop.engagement
    who, booked = tl.sample(rng, pop.signup_us, life.limit_us, rate)
    kept = life.keep(rng, who, booked)
    who, booked = who[kept], booked[kept]
    n = len(who)
    day = (booked - tl.start_us) // US_PER_DAY + rng.integers(2, 22, n)
    slot = rng.integers(8, 17, n) * US_PER_HOUR + rng.integers(0, 4, n) * 15 * US_PER_MINUTE
    at = tl.start_us + day * US_PER_DAY + slot
    visit = (rng.random(n) < 0.4).astype(np.int64)
    ids = json_quoted(id_strings("AP", np.arange(1, n + 1), 8))
    blocks = [EventBlock("appointment_scheduled", booked, "app", json_object(n, {
        "appointment_id": ids, "visit_type": json_text(VISIT_TYPES, visit),
        "days_ahead": json_number((at - booked) // US_PER_DAY)}), customer=who)]
    happens = world.within_life(who, at)
    shows = happens & (rng.random(n) < ATTENDANCE)
    shows[shows] = life.keep(rng, who[shows], at[shows])
    for event, mask in (("appointment_attended", shows), ("appointment_missed", happens & ~shows)):
        for code, channel in enumerate(VISIT_CHANNELS):
            m = mask & (visit == code)
            blocks.append(EventBlock(event, at[m], channel, json_object(int(m.sum()), {
                "appointment_id": ids.filter(pa.array(m)), "visit_type": f'"{VISIT_TYPES[code]}"'}), customer=who[m]))
    return blocks


def _doses(world: World, rng: np.random.Generator) -> list[EventBlock]:
    """One dose a day over each patient's medication course, taken or missed."""
    pop, life, tl = world.pop, world.life, world.timeline
    patients = np.flatnonzero(rng.random(pop.n) < MEDICATION_SHARE)
    first_day = (pop.signup_us[patients] - tl.start_us) // US_PER_DAY + rng.integers(1, 11, len(patients))
    course = rng.integers(30, 181, len(patients))
    count = np.maximum(np.minimum(first_day + course, tl.n_days) - first_day, 0)
    who = np.repeat(patients, count)
    dose = np.arange(len(who)) - np.repeat(np.cumsum(count) - count, count)
    jitter = rng.normal(0, 45, len(who)).clip(-120, 240).astype(np.int64) * US_PER_MINUTE
    ts = tl.start_us + (np.repeat(first_day, count) + dose) * US_PER_DAY + 8 * US_PER_HOUR + jitter
    alive = world.within_life(who, ts)
    who, ts, dose = who[alive], ts[alive], dose[alive]
    taken = (rng.random(len(ts)) < ADHERENCE) & life.keep(rng, who, ts)
    medication = rng.integers(0, len(MEDICATIONS), pop.n)
    return [EventBlock(event, ts[m], "app", json_object(int(m.sum()), {
        "medication": json_text(MEDICATIONS, medication[who[m]]), "dose_number": json_number(dose[m] + 1)}),
        customer=who[m]) for event, m in (("medication_dose_taken", taken), ("medication_dose_missed", ~taken))]


def appointment_blocks(world: World, rng: np.random.Generator) -> list[EventBlock]:
    """Appointment and medication rows for a healthcare demo."""
    return _appointments(world, rng) + _doses(world, rng)
