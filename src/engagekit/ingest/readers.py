"""Read CSV, whitespace-separated text, Parquet and JSON Lines (and their .gz) into Arrow.

Every data row gets `_row`, its 1-based position among the file's data rows (the header is
not counted), so a rejected row can be found again. Rows that cannot even be parsed (a CSV line
with the wrong number of fields, a malformed JSON line, a JSON line nested past MAX_JSON_DEPTH
or holding NaN or Infinity, which JSON does not have) come back as rejections, never dropped.
Text is decoded as textfile.py says; a file that cannot be decompressed or decoded at all is
an InputError naming the file and the place.
"""
from __future__ import annotations

import csv
import json
import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from engagekit.errors import InputError
from engagekit.ingest.limits import JSON_DEPTH_REASON, MAX_JSON_DEPTH, json_depth_exceeds, json_text_may_exceed
from engagekit.ingest.quarantine import Rejection
from engagekit.ingest.textfile import open_text, reading, text_encoding

ROW = "_row"
FORMATS = ("csv", "tsv", "whitespace", "parquet", "jsonl")
# Text Arrow's CSV reader reads as null: its defaults less the spellings of NaN, which stay text
# so that a NaN where a number belongs is refused (validate.checked_number), not taken as missing
_NAN_SPELLINGS = {"-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN", "NaN", "nan"}
_CSV_NULLS = [value for value in pacsv.ConvertOptions().null_values if value not in _NAN_SPELLINGS]
# A JSON line whose numbers may pass 64-bit integers (19 digits) or floats (an exponent of 3 digits)
_LONG_NUMBER = re.compile(r"\d{19}|[eE][+-]?\d{3}")


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


def read_file(path: Path, fmt: str | None = None, columns: list[str] | None = None,
              encoding: str | None = None) -> RawFile:
    """Read `path` in format `fmt` (detected when None); `columns` names a headerless file's
    columns; `encoding` is a text file's (UTF-8, or what a byte-order mark says, when None)."""
    if not path.exists():
        raise InputError(f"{path}: file not found")
    fmt = fmt or detect_format(path)
    if fmt == "parquet":
        return _read_parquet(path)
    with reading(path, encoding):
        codec = text_encoding(path, encoding)
        if fmt == "jsonl":
            return _read_jsonl(path, codec)
        if fmt == "whitespace":
            return _read_whitespace(path, columns, codec)
        return _read_delimited(path, "\t" if fmt == "tsv" else ",", columns, codec)


def _read_parquet(path: Path) -> RawFile:
    try:
        table = pq.read_table(path)
    except (pa.ArrowInvalid, OSError) as exc:
        raise InputError(f"{path}: not a readable Parquet file ({exc}); nothing of this file was ingested") from exc
    return RawFile(path, _with_rows(table))


def _with_rows(table: pa.Table) -> pa.Table:
    return table.append_column(ROW, pa.array(np.arange(1, table.num_rows + 1, dtype=np.int64)))


def _header(path: Path, delimiter: str, encoding: str) -> list[str]:
    with open_text(path, encoding) as handle:
        first = next(csv.reader(handle, delimiter=delimiter), None)
    if not first:
        raise InputError(f"{path}: the file is empty (no header row)")
    return [name.strip() for name in first]


def _read_delimited(path: Path, delimiter: str, columns: list[str] | None, encoding: str) -> RawFile:
    """CSV/TSV with every column read as text; ragged lines become rejections.

    A file with ragged lines is read a second time on one thread, the only way the reader
    can tell their row numbers.
    """
    names = columns or _header(path, delimiter, encoding)
    options = {"header": columns is None, "encoding": encoding}
    table, bad = _parse_delimited(path, delimiter, names, threads=True, **options)
    if bad:
        table, bad = _parse_delimited(path, delimiter, names, threads=False, **options)
    skipped = sorted((number - (0 if columns else 1), text) for number, text in bad)
    rows = _rows_around(table.num_rows, [n for n, _ in skipped])
    rejected = [Rejection(n, "*", f"expected {len(names)} fields separated by {delimiter!r}", text) for n, text in skipped]
    return RawFile(path, table.append_column(ROW, pa.array(rows, pa.int64())), rejected)


def _parse_delimited(path: Path, delimiter: str, names: list[str], header: bool, threads: bool,
                     encoding: str) -> tuple[pa.Table, list[tuple[int, str]]]:
    bad: list[tuple[int, str]] = []

    def on_invalid(row: pacsv.InvalidRow) -> str:
        bad.append((row.number or 0, row.text))
        return "skip"

    # Arrow reads UTF-8 itself (and skips its byte-order mark); other codecs it decodes through Python
    arrow_encoding = "utf8" if encoding in ("utf-8", "utf-8-sig") else encoding
    table = pacsv.read_csv(
        path,
        read_options=pacsv.ReadOptions(column_names=names, skip_rows=1 if header else 0, use_threads=threads,
                                       encoding=arrow_encoding),
        parse_options=pacsv.ParseOptions(delimiter=delimiter, invalid_row_handler=on_invalid),
        convert_options=pacsv.ConvertOptions(column_types={n: pa.string() for n in names}, null_values=_CSV_NULLS,
                                             strings_can_be_null=True, quoted_strings_can_be_null=False),
    )
    trimmed = [pc.utf8_trim_whitespace(column) for column in table.columns]
    return pa.Table.from_arrays(trimmed, names=table.column_names), bad


def _rows_around(kept: int, skipped: list[int]) -> np.ndarray:
    """1-based row numbers of the kept rows when the rows in `skipped` were taken out."""
    all_rows = np.arange(1, kept + len(skipped) + 1, dtype=np.int64)
    return all_rows[~np.isin(all_rows, np.asarray(skipped, dtype=np.int64))] if skipped else all_rows


def _read_whitespace(path: Path, columns: list[str] | None, encoding: str) -> RawFile:
    """Text with fields separated by runs of spaces or tabs, optionally a header line."""
    with open_text(path, encoding) as handle:
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


def _read_jsonl(path: Path, encoding: str) -> RawFile:
    """One JSON object per line; nested objects are kept as JSON text."""
    records: list[dict] = []
    rows: list[int] = []
    rejected: list[Rejection] = []
    constants: list[str] = []  # the NaN and Infinity of the line being parsed

    def constant(name: str) -> float:
        constants.append(name)
        return float(name)

    decoder = json.JSONDecoder(parse_constant=constant)
    with open_text(path, encoding) as handle:
        for n, line in enumerate(handle, start=1):
            if not line.strip():
                continue
            constants.clear()
            record, fault, reason = _json_line(line, decoder, constants)
            if record is None:
                rejected.append(Rejection(n, fault, reason, line.rstrip("\n")))
                continue
            records.append(record)
            rows.append(n)
    names = list(dict.fromkeys(key for record in records for key in record))
    columns = [_json_column(name, [r.get(name) for r in records]) for name in names]
    table = pa.Table.from_arrays([a for _, a in columns], schema=pa.schema([f for f, _ in columns]))
    return RawFile(path, table.append_column(ROW, pa.array(rows, pa.int64())), rejected)


def _json_line(line: str, decoder: json.JSONDecoder, constants: list[str]) -> tuple[dict | None, str, str]:
    """The object of one JSON line, or None with the field at fault (`*`: the line) and why.
    Depth is measured only on lines with more brackets than the bound, so clean files pay two
    counts a line."""
    try:
        record = decoder.decode(line)
    except json.JSONDecodeError as exc:
        return None, "*", f"malformed JSON: {exc.msg} at column {exc.colno}"
    except RecursionError:  # nested past the parser's own stack, far past the bound
        return None, "*", JSON_DEPTH_REASON
    if not isinstance(record, dict):
        return None, "*", "a JSON line must be an object"
    if json_text_may_exceed(line) and json_depth_exceeds(record):
        key = next(k for k, v in record.items() if json_depth_exceeds(v, MAX_JSON_DEPTH - 1))
        return None, key, JSON_DEPTH_REASON
    if constants or _LONG_NUMBER.search(line):
        key = next((k for k, v in record.items() if not _numbers_in_range(v)), None)
        if key is not None and constants:
            return None, key, f"non-finite number {constants[0]} in field {key} (JSON has no NaN or Infinity)"
        if key is not None:
            return None, key, f"number out of range in field {key} (past 64-bit integers or floats)"
    return record, "", ""


def _numbers_in_range(value: object) -> bool:
    """Whether every number in parsed JSON is a finite float or a 64-bit integer, as Arrow and
    the store hold numbers (the caller has bounded its depth)."""
    stack = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
        elif isinstance(item, float) and not math.isfinite(item):
            return False
        elif isinstance(item, int) and not isinstance(item, bool) and not -(2**63) <= item < 2**63:
            return False
    return True


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
        try:
            return pa.field(name, pa.float64()), pa.array(values, pa.float64())
        except pa.ArrowInvalid:  # an integer past 2^53, which Arrow will not round to a float
            return pa.field(name, pa.float64()), pa.array([None if v is None else float(v) for v in values], pa.float64())
    text = [None if v is None else json.dumps(v, separators=(",", ":"), sort_keys=True) for v in values]
    return pa.field(name, pa.string(), metadata=JSON_METADATA), pa.array(text, pa.string())
