"""Text files as the readers open them: gzip, the encoding, and errors that say where a file
stops being readable.

The encoding is the user's (`--encoding`, any Python codec name) or UTF-8; a byte-order mark
is recognised without being told (UTF-8's is skipped; UTF-16 and UTF-32 are read by it). A file
that cannot be decompressed or decoded is refused whole, with an InputError that names the file
and where reading failed (the line and byte for text); the batch is atomic, so nothing of the
file is stored. Finding the place reads the file once more, on the failure path only.
"""
from __future__ import annotations

import codecs
import gzip
import io
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, TextIO

import pyarrow as pa

from engagekit.errors import InputError

DEFAULT_ENCODING = "utf-8"
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"), (codecs.BOM_UTF8, "utf-8-sig"),
         (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"))
_UNICODE = ("utf-8", "utf-16", "utf-32")
_CHUNK = 1 << 16
# What reading a damaged file raises: gzip (EOFError, BadGzipFile, zlib.error), a codec
# (UnicodeError), Arrow's CSV reader (OSError for gzip, ArrowInvalid for invalid UTF-8).
_READ_ERRORS = (EOFError, OSError, zlib.error, UnicodeError, pa.ArrowInvalid)
_HINT = "if the file is in another encoding, pass --encoding (e.g. --encoding latin-1)"


def check_encoding(name: str) -> str:
    """`name` when Python has a codec of that name, else an InputError saying what to give."""
    try:
        codecs.lookup(name)
    except LookupError:
        raise InputError(f"--encoding {name!r}: unknown encoding; use a Python codec name such as "
                         "utf-8, latin-1, cp1252 or utf-16") from None
    return name


def is_gzip(path: Path) -> bool:
    return path.name.lower().endswith(".gz")


def open_binary(path: Path) -> BinaryIO:
    """The file's bytes, decompressed when it is a .gz."""
    return gzip.open(path, "rb") if is_gzip(path) else path.open("rb")


def open_text(path: Path, encoding: str) -> TextIO:
    """The file's text in `encoding` (a codec that `text_encoding` chose), newlines as written."""
    return io.TextIOWrapper(open_binary(path), encoding=encoding, newline="")


def text_encoding(path: Path, encoding: str | None) -> str:
    """The codec that reads `path`: a byte-order mark's (unless the user named an encoding of
    another family), else `encoding`, else UTF-8. Without a mark or an encoding, a file that starts
    with NUL bytes is UTF-16 or UTF-32 and is refused with the option to pass."""
    family = None if encoding is None else _family(check_encoding(encoding))
    with open_binary(path) as handle:
        start = handle.read(4)
    for bom, codec in _BOMS:
        if start.startswith(bom) and family in (None, _family(codec)):
            return codec
    if encoding is None and b"\x00" in start:
        raise InputError(f"{path}: the file starts with NUL bytes, as UTF-16 or UTF-32 text without a byte-order "
                         "mark does; pass --encoding (e.g. --encoding utf-16-le)")
    return encoding or DEFAULT_ENCODING


def _family(encoding: str) -> str:
    """utf-8, utf-16 or utf-32 for the Unicode codecs (whatever their byte order), else the codec."""
    codec = codecs.lookup(encoding).name
    return next((family for family in _UNICODE if codec.startswith(family)), codec)


@contextmanager
def reading(path: Path, encoding: str | None) -> Iterator[None]:
    """Turn a failure to decompress or decode `path` (with the user's `encoding`) into an
    InputError saying where it happened; any other failure goes on as it was."""
    try:
        yield
    except _READ_ERRORS as exc:
        problem = gzip_problem(path) or decoding_problem(path, text_encoding(path, encoding))
        if problem is None:
            raise
        raise InputError(problem) from exc


def gzip_problem(path: Path) -> str | None:
    """What is wrong with the compressed stream of a .gz file, read to its end, if anything."""
    if not is_gzip(path):
        return None
    size = 0
    try:
        with gzip.open(path, "rb") as handle:
            while chunk := handle.read1(_CHUNK):
                size += len(chunk)
    except (EOFError, OSError, zlib.error) as exc:
        return (f"{path}: the gzip stream is truncated or corrupt ({exc}, after {size:,} bytes); "
                "nothing of this file was ingested")
    return None


def decoding_problem(path: Path, encoding: str) -> str | None:
    """Where `path` stops being valid text in `encoding`, by line and byte (1-based, of the
    uncompressed text), if it does."""
    decoder = codecs.getincrementaldecoder(encoding)()
    consumed = newlines = 0
    with open_binary(path) as handle:
        while True:
            chunk = handle.read(_CHUNK)
            state = decoder.getstate()
            try:
                newlines += decoder.decode(chunk, final=not chunk).count("\n")
            except UnicodeDecodeError as exc:
                # exc.object is this chunk after the bytes the decoder held back from the last one
                start = consumed + len(chunk) - len(exc.object) + exc.start
                decoder.setstate(state)
                line = newlines + decoder.decode(chunk[:max(0, start - consumed)]).count("\n") + 1
                return f"{path}: line {line} (byte {start + 1}) is not valid {_label(encoding)}; {_HINT}"
            except UnicodeError as exc:  # a codec that refuses the whole stream (UTF-16 without its mark)
                return f"{path}: not valid {_label(encoding)} ({exc}); {_HINT}"
            if not chunk:
                return None
            consumed += len(chunk)


def _label(encoding: str) -> str:
    family = _family(encoding)
    return family.upper() if family in _UNICODE else encoding
