"""Same spec, same bytes; another seed, other data."""
from __future__ import annotations

from engagekit.demo.generate import generate
from tests.demo.demo_measures import SMALL


def test_same_seed_gives_identical_files(small_files, tmp_path):
    again = generate(SMALL, tmp_path / "again")
    assert list(again) == list(small_files)
    for name, path in small_files.items():
        assert again[name].read_bytes() == path.read_bytes(), name


def test_other_seed_gives_other_data(small_files, tmp_path):
    other = generate(SMALL.model_copy(update={"seed": SMALL.seed + 1}), tmp_path / "other")
    assert other["web"].read_bytes() != small_files["web"].read_bytes()
    assert other["customers"].read_bytes() != small_files["customers"].read_bytes()


def test_progress_reports_every_file(tmp_path):
    calls: list[tuple[str, int, int]] = []
    files = generate(SMALL.model_copy(update={"customers": 100, "months": 2}), tmp_path,
                     progress=lambda step, done, total: calls.append((step, done, total)))
    assert [c[0] for c in calls] == list(files)
    assert [c[1] for c in calls] == list(range(1, len(files) + 1))
    assert {c[2] for c in calls} == {len(files)}
