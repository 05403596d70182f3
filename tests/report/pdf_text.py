"""Text of a PDF that Chromium (Skia) wrote, read without a PDF library.

Enough of PDF for the tests to check what a printed report says: indirect objects, Flate streams,
pages with Type0 fonts whose ToUnicode CMaps map glyph codes to text, and the Tf/Tj/TJ text
operators. Each BT..ET text block becomes one line.
"""
from __future__ import annotations

import re
import zlib

OBJECT = re.compile(rb"(\d+) 0 obj\s*(.*?)endobj", re.S)
STREAM = re.compile(rb"stream\r?\n(.*?)\r?\nendstream", re.S)
REF = rb"(\d+) 0 R"
TEXT_OPS = re.compile(rb"/(\S+)\s+[\d.]+\s+Tf|<([0-9A-Fa-f]*)>\s*Tj|\[(.*?)\]\s*TJ|\bET\b", re.S)


def pdf_text(data: bytes) -> str:
    """All the text drawn on the PDF's pages, a line per text block, pages in file order."""
    objects = {int(m.group(1)): m.group(2) for m in OBJECT.finditer(data)}
    lines: list[str] = []
    for body in objects.values():
        if not re.search(rb"/Type\s*/Page\b", body):
            continue
        fonts = {name.decode(): _cmap(objects, int(ref)) for name, ref in
                 re.findall(rb"/(\w+)\s+" + REF, _dict_after(body, b"/Font"))}
        for ref in re.findall(REF, _contents(body)):
            lines += _run_text(_stream(objects[int(ref)]), fonts)
    return "\n".join(lines)


def page_count(data: bytes) -> int:
    """The /Count of the page tree's root."""
    counts = [int(c) for c in re.findall(rb"/Type\s*/Pages\b[^>]*?/Count\s+(\d+)", data, re.S)]
    return max(counts, default=0)


def _dict_after(body: bytes, key: bytes) -> bytes:
    """The `<< ... >>` dictionary that follows `key` in `body` (empty when absent)."""
    start = body.find(key)
    if start < 0:
        return b""
    start = body.find(b"<<", start)
    depth, i = 0, start
    while i < len(body):
        if body.startswith(b"<<", i):
            depth, i = depth + 1, i + 2
        elif body.startswith(b">>", i):
            depth, i = depth - 1, i + 2
            if depth == 0:
                return body[start:i]
        else:
            i += 1
    return body[start:]


def _contents(page: bytes) -> bytes:
    match = re.search(rb"/Contents\s*(\[[^\]]*\]|" + REF + rb")", page)
    return match.group(1) if match else b""


def _stream(body: bytes) -> bytes:
    raw = STREAM.search(body).group(1)
    return zlib.decompress(raw) if b"/FlateDecode" in body.split(b"stream")[0] else raw


def _cmap(objects: dict[int, bytes], font_ref: int) -> dict[int, str]:
    """Glyph code -> text from the font's ToUnicode CMap (bfchar and bfrange entries)."""
    match = re.search(rb"/ToUnicode\s+" + REF, objects[font_ref])
    if match is None:
        return {}
    cmap = _stream(objects[int(match.group(1))])
    table: dict[int, str] = {}
    for block in re.findall(rb"beginbfchar(.*?)endbfchar", cmap, re.S):
        for src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            table[int(src, 16)] = _utf16(dst)
    for block in re.findall(rb"beginbfrange(.*?)endbfrange", cmap, re.S):
        for low, high, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*(<[0-9A-Fa-f]+>|\[[^\]]*\])",
                                         block):
            codes = range(int(low, 16), int(high, 16) + 1)
            if dst.startswith(b"["):
                table.update(zip(codes, (_utf16(d) for d in re.findall(rb"<([0-9A-Fa-f]+)>", dst))))
            else:
                first = int(dst[1:-1], 16)
                table.update((code, chr(first + i)) for i, code in enumerate(codes))
    return table


def _utf16(hex_text: bytes) -> str:
    return bytes.fromhex(hex_text.decode()).decode("utf-16-be")


def _run_text(content: bytes, fonts: dict[str, dict[int, str]]) -> list[str]:
    """The text of each BT..ET block of a content stream, two-byte codes through the current font."""
    lines, current, font = [], [], {}
    for match in TEXT_OPS.finditer(content):
        name, shown, array = match.group(1), match.group(2), match.group(3)
        if name is not None:
            font = fonts.get(name.decode(), {})
        elif shown is not None:
            current.append(_decode(shown, font))
        elif array is not None:
            current += [_decode(h, font) for h in re.findall(rb"<([0-9A-Fa-f]*)>", array)]
        elif current:
            lines.append("".join(current))
            current = []
    return lines


def _decode(hex_text: bytes, font: dict[int, str]) -> str:
    raw = bytes.fromhex(hex_text.decode())
    return "".join(font.get(int.from_bytes(raw[i:i + 2], "big"), "\ufffd") for i in range(0, len(raw), 2))
