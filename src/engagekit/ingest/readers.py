"""Read CSV, whitespace-separated text, Parquet and JSON Lines (and their .gz) into Arrow.

Every data row gets `_row`, its 1-based position among the file's data rows (the header is
not counted), so a rejected row can be found again. Rows that cannot even be parsed (a CSV line
with the wrong number of fields, a malformed JSON line) come back as rejections, never dropped.
"""
from __future__ import annotations

import csv
import gzip
import io
import json
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from engagekit.errors import InputError
from engagekit.ingest.quarantine import Rejection

ROW = "_row"
FORMATS = ("csv", "tsv", "whitespace", "parquet", "jsonl")


@dataclass
class RawFile:
    """A file's rows as read: columns as found (text stays text) plus `_row`."""

    path: Path
    table: pa.Table
    rejected: list[Rejection] = field(default_factory=list)

    @property
    def received(self) -> int:
        return self.table.num_rows + len(self.rejected)


def detect_format(path: Path) -> str:
    """The file format from its suffix, ignoring a trailing .gz."""
    name = path.name.lower().removesuffix(".gz")
    for suffix, fmt in ((".parquet", "parquet"), (".pq", "parquet"), (".jsonl", "jsonl"),
                        (".ndjson", "jsonl"), (".json", "jsonl"), (".csv", "csv"), (".tsv", "tsv"),
                        (".txt", "whitespace")):
        if name.endswith(suffix):
            return fmt
    raise InputError(f"{path}: unknown file type; use .csv, .tsv, .txt, .parquet or .jsonl (optionally .gz), or --format")


def read_file(path: Path, fmt: str | None = None, columns: list[str] | None = None) -> RawFile:
    """Read `path` in format `fmt` (detected when None); `columns` names a headerless file's columns."""
    if not path.exists():
        raise InputError(f"{path}: file not found")
    fmt = fmt or detect_format(path)
    if fmt == "parquet":
        table = pq.read_table(path)
        return RawFile(path, _with_rows(table))
    if fmt == "jsonl":
        return _read_jsonl(path)
    if fmt == "whitespace":
        return _read_whitespace(path, columns)
    return _read_delimited(path, "\t" if fmt == "tsv" else ",", columns)


def _with_rows(table: pa.Table) -> pa.Table:
    return table.append_column(ROW, pa.array(np.arange(1, table.num_rows + 1, dtype=np.int64)))


def _open_text(path: Path) -> io.TextIOBase:
    if path.name.lower().endswith(".gz"):
        return io.TextIOWrapper(gzip.open(path, "rb"), encoding="utf-8", newline="")
    return path.open("r", encoding="utf-8", newline="")


def _header(path: Path, delimiter: str) -> list[str]:
    with _open_text(path) as handle:
        first = next(csv.reader(handle, delimiter=delimiter), None)
    if not first:
        raise InputError(f"{path}: the file is empty (no header row)")
    return [name.strip() for name in first]


def _read_delimited(path: Path, delimiter: str, columns: list[str] | None) -> RawFile:
    """CSV/TSV with every column read as text; ragged lines become rejections.

    A file with ragged lines is read a second time on one thread, the only way the reader
    can tell their row numbers.
    """
    names = columns or _header(path, delimiter)
    table, bad = _parse_delimited(path, delimiter, names, header=columns is None, threads=True)
    if bad:
        table, bad = _parse_delimited(path, delimiter, names, header=columns is None, threads=False)
    skipped = sorted((number - (0 if columns else 1), text) for number, text in bad)
    rows = _rows_around(table.num_rows, [n for n, _ in skipped])
    rejected = [Rejection(n, "*", f"expected {len(names)} fields separated by {delimiter!r}", text) for n, text in skipped]
    return RawFile(path, table.append_column(ROW, pa.array(rows, pa.int64())), rejected)


def _parse_delimited(path: Path, delimiter: str, names: list[str], header: bool,
                     threads: bool) -> tuple[pa.Table, list[tuple[int, str]]]:
    bad: list[tuple[int, str]] = []

    def on_invalid(row: pacsv.InvalidRow) -> str:
        bad.append((row.number or 0, row.text))
        return "skip"

    table = pacsv.read_csv(
        path,
        read_options=pacsv.ReadOptions(column_names=names, skip_rows=1 if header else 0, use_threads=threads),
        parse_options=pacsv.ParseOptions(delimiter=delimiter, invalid_row_handler=on_invalid),
        convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names},
                                             strings_can_be_null=True, quoted_strings_can_be_null=False),
    )
    trimmed = [pc.utf8_trim_whitespace(column) for column in table.columns]
    return pa.Table.from_arrays(trimmed, names=table.column_names), bad


def _rows_around(kept: int, skipped: list[int]) -> np.ndarray:
    """1-based row numbers of the kept rows when the rows in `skipped` were taken out."""
    all_rows = np.arange(1, kept + len(skipped) + 1, dtype=np.int64)
    return all_rows[~np.isin(all_rows, np.asarray(skipped, dtype=np.int64))] if skipped else all_rows


def _read_whitespace(path: Path, columns: list[str] | None) -> RawFile:
    """Text with fields separated by runs of spaces or tabs, optionally a header line."""
    with _open_text(path) as handle:
        lines = handle.read().splitlines()
    if columns is None:
        if not lines:
            raise InputError(f"{path}: the file is empty (no header row)")
        columns, lines = lines[0].split(), lines[1:]
    values: list[list[str]] = [[] for _ in columns]
    rows: list[int] = []
    rejected: list[Rejection] = []
    for n, line in enumerate(lines, start=1):
        fields = line.split()
        if not fields:
            continue
        if len(fields) != len(columns):
            rejected.append(Rejection(n, "*", f"expected {len(columns)} fields, found {len(fields)}", line))
            continue
        for column, value in zip(values, fields):
            column.append(value)
        rows.append(n)
    table = pa.table({name: pa.array(col, pa.string()) for name, col in zip(columns, values)})
    return RawFile(path, table.append_column(ROW, pa.array(rows, pa.int64())), rejected)


def _read_jsonl(path: Path) -> RawFile:
    """One JSON object per line; nested objects are kept as JSON text."""
    records: list[dict] = []
    rows: list[int] = []
    rejected: list[Rejection] = []
    with _open_text(path) as handle:
        for n, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            try:
                record = json.loads(line)
            except json.JSONDecodeError as exc:
                rejected.append(Rejection(n, "*", f"malformed JSON: {exc.msg} at column {exc.colno}", line.rstrip("\n")))
                continue
            if not isinstance(record, dict):
                rejected.append(Rejection(n, "*", "a JSON line must be an object", line.rstrip("\n")))
                continue
            records.append(record)
            rows.append(n)
    names = list(dict.fromkeys(key for record in records for key in record))
    columns = [_json_column(name, [r.get(name) for r in records]) for name in names]
    table = pa.Table.from_arrays([a for _, a in columns], schema=pa.schema([f for f, _ in columns]))
    return RawFile(path, table.append_column(ROW, pa.array(rows, pa.int64())), rejected)


JSON_METADATA = {b"json": b"1"}


def _json_column(name: str, values: list[object]) -> tuple[pa.Field, pa.Array]:
    """A column of JSON values: scalars keep their type; objects, arrays and mixed types become
    JSON text marked with field metadata so properties embed them as JSON, not as strings."""
    kinds = {type(v) for v in values if v is not None}
    if kinds and kinds <= {str}:
        return pa.field(name, pa.string()), pa.array(values, pa.string())
    if kinds and kinds <= {bool}:
        return pa.field(name, pa.bool_()), pa.array(values, pa.bool_())
    if kinds and kinds <= {int}:
        return pa.field(name, pa.int64()), pa.array(values, pa.int64())
    if kinds and kinds <= {int, float}:
        return pa.field(name, pa.float64()), pa.array(values, pa.float64())
    text = [None if v is None else json.dumps(v, separators=(",", ":"), sort_keys=True) for v in values]
    return pa.field(name, pa.string(), metadata=JSON_METADATA), pa.array(text, pa.string())
