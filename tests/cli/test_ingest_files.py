"""`engagekit ingest` on files it cannot read as given, and on times outside the accepted window:
one clear line and exit code 2, never a bare "Aborted." or a traceback; --encoding reads them."""
from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

from tests.cli.test_cli import run
from tests.conftest import write

CSV = "timestamp,event,userId,city\n2026-11-20T10:00:00Z,page,u1,Köln\n2026-11-20T10:01:00Z,page,u2,Zürich\n"


def events(tmp_path: Path) -> int:
    return json.loads(run(tmp_path, "status", "--json").stdout)["events"]


def test_a_truncated_gzip_names_the_file_and_stores_nothing(tmp_path: Path) -> None:
    text = "timestamp,event,userId\n" + "".join(f"2026-11-20T10:00:00Z,page,u{i}\n" for i in range(20_000))
    data = gzip.compress(text.encode())
    path = tmp_path / "events.csv.gz"
    path.write_bytes(data[:len(data) // 2])
    for debug in ([], ["--debug"]):  # --debug adds the traceback to the same message
        result = run(tmp_path, *debug, "ingest", str(path))
        assert result.returncode == 2, result.stderr
        assert re.search(r"events.csv.gz: the gzip stream is truncated or corrupt \(Compressed file ended before the "
                         r"end-of-stream marker was reached, after [\d,]+ bytes\); nothing of this file was ingested",
                         result.stderr.replace("\n", " ")), result.stderr
        assert "Aborted" not in result.stderr
        assert ("Traceback" in result.stderr) == bool(debug)
    assert events(tmp_path) == 0


def test_latin_1_needs_encoding_and_utf_16_with_a_mark_does_not(tmp_path: Path) -> None:
    latin = tmp_path / "latin.csv"
    latin.write_bytes(CSV.encode("latin-1"))
    refused = run(tmp_path, "ingest", str(latin))
    assert refused.returncode == 2 and "Traceback" not in refused.stderr
    byte = CSV.encode("latin-1").index(b"\xf6") + 1  # the ö of Köln, on line 2
    assert (f"latin.csv: line 2 (byte {byte}) is not valid UTF-8; if the file is in another encoding, pass "
            "--encoding (e.g. --encoding latin-1)") in refused.stderr.replace("\n", "")
    read = run(tmp_path, "ingest", str(latin), "--encoding", "latin-1", "--json", "--no-derive")
    assert read.returncode == 0, read.stderr
    assert json.loads(read.stdout)[0]["stored"] == 2
    utf16 = tmp_path / "utf16.csv"
    utf16.write_bytes(CSV.replace("u1", "u3").replace("u2", "u4").encode("utf-16"))
    assert json.loads(run(tmp_path, "ingest", str(utf16), "--json", "--no-derive").stdout)[0]["stored"] == 2
    assert events(tmp_path) == 4


def test_an_unknown_encoding_is_refused_before_reading(tmp_path: Path) -> None:
    result = run(tmp_path, "ingest", str(write(tmp_path / "e.csv", CSV)), "--encoding", "utf9")
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "--encoding 'utf9': unknown encoding; use a Python codec name such as utf-8, latin-1" in result.stderr


def test_times_outside_the_window_are_quarantined_and_the_window_is_a_setting(tmp_path: Path) -> None:
    path = write(tmp_path / "e.csv", "timestamp,event,userId\n"
                 "2026-11-20T10:00:00Z,page,u1\n"   # row 1: stored
                 "1970-01-01T00:00:00Z,page,u2\n"   # row 2: before 1990 by default
                 "9999-01-01T00:00:00Z,page,u3\n")  # row 3: after now + 1 day
    first = json.loads(run(tmp_path, "ingest", str(path), "--json", "--no-derive").stdout)[0]
    assert (first["stored"], first["quarantined"]) == (1, 2)
    reasons = [r["reason"] for r in sorted(json.loads(run(tmp_path, "quarantine", "list", "--json").stdout),
                                           key=lambda r: r["row"])]
    assert reasons[0] == ("timestamp '1970-01-01T00:00:00Z' is before the earliest accepted time 1990-01-01 00:00 UTC "
                          "(setting events_earliest)")
    assert re.fullmatch(r"timestamp '9999-01-01T00:00:00Z' is after the latest accepted time \d{4}-\d\d-\d\d \d\d:\d\d "
                        r"UTC \(now \+ 1 day, setting events_max_ahead_days\)", reasons[1])
    write(tmp_path / "engagekit.yaml", "events_earliest: 1960-01-01\n")  # a project with older history
    again = json.loads(run(tmp_path, "ingest", str(path), "--json", "--no-derive").stdout)[0]
    assert (again["stored"], again["duplicate"], again["quarantined"]) == (1, 1, 1)  # 1970 now accepted
