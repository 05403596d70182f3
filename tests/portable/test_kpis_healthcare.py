"""Healthcare KPIs on one small story, on every engine: each expected value is worked by hand
from the rows below with the KPI's formula."""
from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from engagekit.ingest import IngestOptions, Vocabulary, ingest_file
from engagekit.metrics.catalog import load_catalog
from engagekit.metrics.engine import compute
from engagekit.store import Store
from tests.conftest import write

HEALTHCARE = ["appointment_adherence", "medication_adherence", "patient_portal_usage"]

PATIENTS = """\
customer_id,created_at
h1,2024-09-01T00:00:00Z
h2,2024-09-01T00:00:00Z
h3,2024-09-01T00:00:00Z
h4,2024-09-01T00:00:00Z
h5,2024-10-31T23:00:00Z
h6,2024-11-10T00:00:00Z
"""
# patients to date at the end of October: h1-h5 = 5 (h6 registers in November); none in August

EVENTS = """\
timestamp,event,userId,anonymousId
2024-09-28T09:00:00Z,appointment_attended,h1,
2024-10-01T09:00:00Z,appointment_scheduled,h1,
2024-10-03T09:00:00Z,appointment_attended,h1,
2024-10-17T09:00:00Z,appointment_attended,h1,
2024-10-04T09:00:00Z,appointment_attended,h2,
2024-10-18T09:00:00Z,appointment_missed,h2,
2024-10-05T09:00:00Z,appointment_scheduled,h3,
2024-10-11T09:00:00Z,appointment_missed,h3,
2024-10-01T08:00:00Z,medication_dose_taken,h1,
2024-10-02T08:00:00Z,medication_dose_taken,h1,
2024-10-03T08:00:00Z,medication_dose_taken,h1,
2024-10-04T08:00:00Z,medication_dose_taken,h1,
2024-10-05T08:00:00Z,medication_dose_taken,h1,
2024-10-06T08:00:00Z,medication_dose_missed,h1,
2024-10-01T20:00:00Z,medication_dose_taken,h2,
2024-10-02T20:00:00Z,medication_dose_taken,h2,
2024-10-03T20:00:00Z,medication_dose_missed,h2,
2024-10-04T20:00:00Z,medication_dose_missed,h2,
2024-10-02T12:00:00Z,portal_login,h1,
2024-10-09T12:00:00Z,portal_login,h1,
2024-10-12T12:00:00Z,portal_login,h3,
2024-10-12T12:00:00Z,portal_login,,anon1
2024-10-13T12:00:00Z,logged_in,h4,
"""
# Appointments due in October: attended h1 twice and h2 once, missed h2 and h3 -> 3 / 5 (the
#   28 September visit is out of range; bookings are not due appointments)
# Doses: h1 took 5 and missed 1, h2 took 2 and missed 2 -> 7 / 10
# Portal: h1 and h3 logged in to the portal; the anonymous login is no patient and h4's login
#   is not to the portal -> 2 patients / 5 patients to date


@pytest.fixture
def clinic(store: Store, tmp_path: Path) -> Store:
    vocabulary = Vocabulary()
    ingest_file(store, write(tmp_path / "patients.csv", PATIENTS), IngestOptions(kind="customers"), vocabulary)
    ingest_file(store, write(tmp_path / "events.csv", EVENTS), IngestOptions(), vocabulary)
    return store


def test_healthcare_kpis_of_october(clinic: Store) -> None:
    result = compute(clinic, load_catalog(), HEALTHCARE, date(2024, 10, 1), date(2024, 11, 1))
    assert result.value("appointment_adherence") == pytest.approx(3 / 5)  # attended / (attended + missed)
    assert result.value("medication_adherence") == pytest.approx(7 / 10)  # taken / (taken + missed)
    assert result.value("patient_portal_usage") == pytest.approx(2 / 5)  # portal users / patients to date
    portal = result.for_metric("patient_portal_usage")[0]
    assert (portal.numerator, portal.denominator) == (2, 5)


def test_no_denominator_no_value(clinic: Store) -> None:
    result = compute(clinic, load_catalog(), HEALTHCARE, date(2024, 8, 1), date(2024, 9, 1))
    for name in HEALTHCARE:
        assert result.value(name) is None, name  # no appointments, doses or patients in August
