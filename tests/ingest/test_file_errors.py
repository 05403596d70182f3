"""Files that cannot be read whole: other encodings, byte-order marks, damaged gzip streams.
Each is read with the right encoding or refused with an InputError naming the file and place,
and a refused file stores nothing."""
from __future__ import annotations

import gzip
from pathlib import Path

import pytest

from engagekit.errors import InputError
from engagekit.ingest import IngestOptions, Vocabulary, ingest_file
from engagekit.ingest.readers import read_file
from engagekit.ingest.textfile import check_encoding
from engagekit.store import Store

CSV = "timestamp,event,userId,city\n2026-11-20T10:00:00Z,page,u1,Köln\n2026-11-20T10:01:00Z,page,u2,Zürich\n"
JSONL = '{"timestamp":"2026-11-20T10:00:00Z","event":"page","userId":"u1","city":"Köln"}\n'


def cities(path: Path, **options: object) -> list[str]:
    return read_file(path, **options).table["city"].to_pylist()


@pytest.mark.parametrize("suffix", [".csv", ".csv.gz", ".tsv", ".txt", ".jsonl", ".jsonl.gz"])
def test_latin_1_is_read_with_the_encoding_and_refused_without_it(tmp_path: Path, suffix: str) -> None:
    text = JSONL if "jsonl" in suffix else CSV.replace(",", "\t" if suffix == ".tsv" else " " if suffix == ".txt" else ",")
    data = text.encode("latin-1")
    path = tmp_path / f"events{suffix}"
    path.write_bytes(gzip.compress(data) if suffix.endswith(".gz") else data)
    assert cities(path, encoding="latin-1")[0] == "Köln"
    line = 1 if "jsonl" in suffix else 2
    byte = data.index(b"\xf6") + 1  # the ö of Köln
    with pytest.raises(InputError) as error:
        read_file(path)
    assert str(error.value) == (f"{path}: line {line} (byte {byte}) is not valid UTF-8; if the file is in another "
                                "encoding, pass --encoding (e.g. --encoding latin-1)")


def test_the_line_and_byte_of_an_invalid_sequence_past_the_first_read(tmp_path: Path) -> None:
    # 3,000 clean lines (about 110 KB, past the 64 KB a read takes), then one Latin-1 line
    clean = "".join(f"2026-11-20T10:00:00Z,page,u{i},Bonn\n" for i in range(3000))
    data = ("timestamp,event,userId,city\n" + clean).encode() + "2026-11-20T10:00:00Z,page,x,Köln\n".encode("latin-1")
    path = tmp_path / "big.csv"
    path.write_bytes(data)
    byte = data.index(b"\xf6") + 1
    with pytest.raises(InputError, match=rf"big.csv: line 3002 \(byte {byte}\) is not valid UTF-8"):
        read_file(path)


@pytest.mark.parametrize("codec", ["utf-8-sig", "utf-16", "utf-16-be", "utf-32"])
@pytest.mark.parametrize("suffix", [".csv", ".jsonl"])
def test_a_byte_order_mark_decides_the_encoding(tmp_path: Path, codec: str, suffix: str) -> None:
    # utf-8-sig, utf-16 and utf-32 write a mark; utf-16-be does not, so it is written after one
    text = JSONL if suffix == ".jsonl" else CSV
    data = b"\xfe\xff" + text.encode(codec) if codec == "utf-16-be" else text.encode(codec)
    path = tmp_path / f"events{suffix}"
    path.write_bytes(data)
    assert cities(path)[0] == "Köln"
    assert read_file(path).table.column_names[0] == "timestamp"  # the mark is not part of the first name


def test_utf_16_without_a_mark_asks_for_the_encoding(tmp_path: Path) -> None:
    path = tmp_path / "events.csv"
    path.write_bytes(CSV.encode("utf-16-le"))
    with pytest.raises(InputError, match="starts with NUL bytes, as UTF-16 or UTF-32 text without a byte-order mark does; "
                                         r"pass --encoding \(e.g. --encoding utf-16-le\)"):
        read_file(path)
    assert cities(path, encoding="utf-16-le")[1] == "Zürich"
    with pytest.raises(InputError, match=r"events.csv: not valid UTF-16 \(UTF-16 stream does not start with BOM\)"):
        read_file(path, encoding="utf-16")


def test_unknown_encodings_are_refused_naming_the_option() -> None:
    assert check_encoding("latin-1") == "latin-1"
    with pytest.raises(InputError, match=r"--encoding 'utf9': unknown encoding; use a Python codec name"):
        check_encoding("utf9")


def truncated(path: Path, rows: int = 20_000) -> Path:
    """A .csv.gz cut at half its length, as an interrupted download leaves it."""
    text = "timestamp,event,userId\n" + "".join(f"2026-11-20T10:00:00Z,page,u{i}\n" for i in range(rows))
    data = gzip.compress(text.encode())
    path.write_bytes(data[:len(data) // 2])
    return path


@pytest.mark.parametrize("suffix", [".csv.gz", ".tsv.gz", ".txt.gz", ".jsonl.gz"])
def test_a_truncated_gzip_is_an_input_error_and_stores_nothing(duckdb_store: Store, tmp_path: Path, suffix: str) -> None:
    path = truncated(tmp_path / f"events{suffix}")
    with pytest.raises(InputError, match=r"events\.\w+\.gz: the gzip stream is truncated or corrupt \(Compressed file "
                                         r"ended before the end-of-stream marker was reached, after [\d,]+ bytes\); "
                                         "nothing of this file was ingested"):
        ingest_file(duckdb_store, path, IngestOptions(), Vocabulary())
    assert duckdb_store.count("events") == 0 and duckdb_store.count("ingest_batches") == 0


def test_a_corrupt_gzip_or_parquet_names_the_file(tmp_path: Path) -> None:
    corrupt = tmp_path / "events.csv.gz"
    corrupt.write_bytes(b"\x1f\x8b\x08\x00" + b"\x00" * 6 + b"garbage that is not deflate")
    with pytest.raises(InputError, match=r"events.csv.gz: the gzip stream is truncated or corrupt \(.*after 0 bytes\)"):
        read_file(corrupt)
    not_gzip = tmp_path / "plain.csv.gz"
    not_gzip.write_text("timestamp,event,userId\n")
    with pytest.raises(InputError, match=r"plain.csv.gz: the gzip stream is truncated or corrupt \(Not a gzipped file"):
        read_file(not_gzip)
    parquet = tmp_path / "events.parquet"
    parquet.write_text("not parquet")
    with pytest.raises(InputError, match=r"events.parquet: not a readable Parquet file \(.*\); nothing of this file was ingested"):
        read_file(parquet)
