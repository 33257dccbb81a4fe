"""TrueType faces for ReportLab that cost nothing until drawn with, and little then.

ReportLab's ``TTFont`` parses its whole file when it is made: the names and header tables
(cheap), then every character's glyph and every glyph's advance width and place, read two
bytes at a time in Python (about 8 ms for a DejaVu Sans face). :func:`graphics.faces
<briefgen.render.graphics.faces>` registers a family's four faces, and a chart registers the
style's fallback families, whether or not the document draws with them.

:class:`Font` is a ``TTFont`` whose :class:`Face` reads the names and header tables at once
(what registering the font needs: its PostScript name; and what finds a broken file early),
and the character tables only when something first asks for them (a width, a glyph, a subset):
a face never drawn with is never read. When it is read, the tables are unpacked whole
(``struct`` over each table, not a call per number), for cmap formats 4 and 12 (every bundled
face, and nearly every TrueType font); any other format goes through ReportLab's own reader.
The attributes a face ends up with are ReportLab's, value for value and in the same order
(``tests/test_pdf_ttfonts.py`` compares them for every bundled face), so the PDF is the same
to the byte; one exception: ``charWidths`` lists the characters in cmap order rather than
glyph order (it is only ever looked up), and ``glyphToChar`` (which only ReportLab's shaping
reads) is made when first asked for.

The names relied on (see also :mod:`.reportlab_adapter`): ``TTFont``'s ``fontName``, ``face``,
``encoding``, ``state``, ``_asciiReadable`` and ``shapable``; ``TTFontFile.extractInfo`` with
``charInfo=0`` (the names and header tables only), ``readTableDirectory`` (what it sets),
``table``, ``_ttf_data``, ``unitsPerEm``,
``numGlyphs``, and the character attributes ``charToGlyph``, ``glyphToChar``, ``charWidths``,
``defaultWidth``, ``hmetrics`` and ``glyphPos``.
"""

from __future__ import annotations

import struct
from collections.abc import Sequence
from fnmatch import fnmatch
from typing import Any
from weakref import WeakKeyDictionary

from reportlab.pdfbase.ttfonts import TTEncoding, TTFError, TTFont, TTFontFace, TTFontFile
from reportlab.rl_config import unShapedFontGlob

__all__ = ["Face", "Font"]

#: what ReportLab's ``extractInfo`` sets only with ``charInfo`` (read on first use here)
CHAR_INFO = ("charToGlyph", "glyphToChar", "charWidths", "defaultWidth", "hmetrics", "glyphPos")


class Face(TTFontFace):
    """A ``TTFontFace`` whose character tables are read on first use (see the module)."""

    def readTableDirectory(self) -> None:  # (ReportLab's, a struct call per record)
        data = self._ttf_data
        pos: int = self.__dict__["_pos"]  # (where ReportLab's reader stands)
        try:
            self.numTables, self.searchRange, self.entrySelector, self.rangeShift = \
                struct.unpack_from(">4H", data, pos)
            self.table, self.tables = {}, []
            for n in range(self.numTables):
                tag, checksum, offset, length = struct.unpack_from(">4s3L", data,
                                                                   pos + 8 + 16 * n)
                record = {"tag": str(tag, "utf8"), "checksum": checksum, "offset": offset,
                          "length": length}
                self.tables.append(record)
                self.table[record["tag"]] = record
        except Exception as e:
            raise TTFError(f'Corrupt {self.fileKind} file "{self.filename}" cannot read '
                           "Table Directory") from e
        self.seek(pos + 8 + 16 * self.numTables)
        if self.validate:
            self.checksumTables()

    def extractInfo(self, charInfo: int = 1) -> None:  # (ReportLab's names)
        TTFontFile.extractInfo(self, 0)  # names, head, OS/2, post, hhea, maxp
        for attr in ("charToGlyph", "charWidths", "defaultWidth"):  # set to None by charInfo=0
            self.__dict__.pop(attr, None)
        data, head = self._ttf_data, self.table["head"]["offset"]
        glyph_format = struct.unpack_from(">H", data, head + 52)[0]
        if glyph_format != 0:  # (as ReportLab checks it, here early)
            raise TTFError(f"Unknown glyph data format ({glyph_format})")
        self._cmap = self._pick_cmap()
        if charInfo and "loca" not in self.table:
            raise TTFError("missing location table")

    def __getattr__(self, attr: str) -> Any:
        d = self.__dict__
        if attr in CHAR_INFO and "_cmap" in d:
            self._read_char_info()
            return getattr(self, attr)
        if attr == "glyphToChar" and "_by_code" in d:  # (ReportLab's shaping alone asks)
            d["glyphToChar"] = _by_glyph(*d.pop("_by_code"))
            return d["glyphToChar"]
        raise AttributeError(attr)

    def _pick_cmap(self) -> tuple[int, int]:
        """The cmap subtable ReportLab reads (its rules, its order): (offset, format)."""
        data, cmap = self._ttf_data, self.table["cmap"]["offset"]
        version, count = struct.unpack_from(">HH", data, cmap)
        if count == 0 and version != 0:
            count = version
        encoffs, enc = None, 0
        for n in range(count):
            platform, encoding, offset = struct.unpack_from(">HHL", data, cmap + 4 + 8 * n)
            if platform == 3:
                enc, encoffs = 1, offset
            elif platform == 1 and encoding == 0 and enc != 1:
                enc, encoffs = 2, offset
            elif (platform == 1 and encoding == 1) or (platform == 0 and encoding != 5):
                enc, encoffs = 1, offset
        if encoffs is None:
            raise TTFError("could not find a suitable cmap encoding")
        encoffs += cmap
        return encoffs, struct.unpack_from(">H", data, encoffs)[0]

    def _read_char_info(self) -> None:
        d = self.__dict__
        encoffs, fmt = d.pop("_cmap")
        if fmt == 12:
            codes, glyphs = self._cmap12(encoffs)
        elif fmt == 4:
            codes, glyphs = self._cmap4(encoffs)
        else:  # a rare format: ReportLab's own reader (which also reads the names again)
            keep = {k: d[k] for k in ("name", "familyName", "styleName", "fullName",
                                      "uniqueFontID")}
            TTFontFile.extractInfo(self, 1)
            d.update(keep)  # (the caller may have renamed the face)
            return
        data, table = self._ttf_data, self.table
        char_to_glyph = dict(zip(codes, glyphs))  # (a code met twice keeps its last glyph)
        # hmtx: advance width and left side bearing per glyph, then side bearings only
        n_glyphs = self.numGlyphs
        n_metrics = struct.unpack_from(">H", data, table["hhea"]["offset"] + 34)[0]
        hmtx = table["hmtx"]["offset"]
        pairs = struct.unpack_from(f">{2 * n_metrics}H", data, hmtx)
        raw = pairs[0::2]
        hmetrics = list(zip(raw, pairs[1::2]))
        if self.unitsPerEm == 1000:  # (ReportLab's scale: x * (1000 / unitsPerEm), or x)
            widths: Sequence[float] = raw
        else:
            per_unit = 1000 / self.unitsPerEm
            widths = [aw * per_unit for aw in raw]
        last = widths[-1]
        rest = max(0, n_glyphs - n_metrics)
        hmetrics += [(last, lsb) for lsb in
                     struct.unpack_from(f">{rest}H", data, hmtx + 4 * n_metrics)]
        if len(char_to_glyph) == len(codes):  # no code twice: a code's width is its glyph's
            if rest:  # (glyphs past the metrics have the last advance, as ReportLab reads it)
                widths = [*widths, *([last] * rest)]
            top = len(widths)
            char_widths = {c: widths[g] for c, g in zip(codes, glyphs) if g < top}
            d["_by_code"] = codes, glyphs  # glyphToChar, made if asked for
        else:  # ReportLab's way: glyph by glyph, a later glyph's width winning
            glyph_to_char = d["glyphToChar"] = _by_glyph(codes, glyphs)
            char_widths = {}
            for glyph in sorted(glyph_to_char):
                if glyph < n_metrics:
                    w = widths[glyph]
                elif glyph < n_glyphs:
                    w = last
                else:
                    break
                for char in glyph_to_char[glyph]:
                    char_widths[char] = w
        # loca: where each glyph's outline starts
        loca = table["loca"]["offset"]
        if struct.unpack_from(">H", data, table["head"]["offset"] + 50)[0] == 0:
            glyph_pos = [p << 1 for p in struct.unpack_from(f">{n_glyphs + 1}H", data, loca)]
        else:
            glyph_pos = list(struct.unpack_from(f">{n_glyphs + 1}L", data, loca))
        if 0x20 in char_to_glyph:
            char_to_glyph[0xa0] = char_to_glyph[0x20]
            char_widths[0xa0] = char_widths[0x20]
        elif 0xa0 in char_to_glyph:
            char_to_glyph[0x20] = char_to_glyph[0xa0]
            char_widths[0x20] = char_widths[0xa0]
        d.update(charToGlyph=char_to_glyph, charWidths=char_widths, defaultWidth=widths[0],
                 hmetrics=hmetrics, glyphPos=glyph_pos)

    def _cmap12(self, encoffs: int) -> tuple[list[int], list[int]]:
        data = self._ttf_data
        n = struct.unpack_from(">L", data, encoffs + 12)[0]
        groups = struct.unpack_from(f">{3 * n}L", data, encoffs + 16)
        codes: list[int] = []
        glyphs: list[int] = []
        for i in range(0, 3 * n, 3):
            start, end, first = groups[i], groups[i + 1], groups[i + 2]
            codes.extend(range(start, end + 1))
            glyphs.extend(range(first, first + end + 1 - start))
        return codes, glyphs

    def _cmap4(self, encoffs: int) -> tuple[list[int], list[int]]:
        data = self._ttf_data
        length, _lang, seg_x2 = struct.unpack_from(">HHH", data, encoffs + 2)
        limit = encoffs + length
        seg = seg_x2 // 2
        ends = struct.unpack_from(f">{seg}H", data, encoffs + 14)
        starts = struct.unpack_from(f">{seg}H", data, encoffs + 16 + 2 * seg)
        deltas = struct.unpack_from(f">{seg}h", data, encoffs + 16 + 4 * seg)
        ro_start = encoffs + 16 + 6 * seg
        range_offsets = struct.unpack_from(f">{seg}H", data, ro_start)
        codes: list[int] = []
        glyphs: list[int] = []
        for n in range(seg):
            start, end, delta, ro = starts[n], ends[n], deltas[n], range_offsets[n]
            if end < start:
                continue
            codes.extend(range(start, end + 1))
            if ro == 0:
                glyphs.extend((u + delta) & 0xFFFF for u in range(start, end + 1))
                continue
            first = ro_start + 2 * n + ro
            count = end + 1 - start
            inside = max(0, min(count, (limit - first + 1) // 2))  # offsets below the limit
            raw = struct.unpack_from(f">{inside}H", data, first) if inside else ()
            glyphs.extend((g + delta) & 0xFFFF if g else 0 for g in raw)
            glyphs.extend([0] * (count - inside))  # (ReportLab's broken-font workaround)
        return codes, glyphs


def _by_glyph(codes: list[int], glyphs: list[int]) -> dict[int, list[int]]:
    """Each glyph's codes, in cmap order (ReportLab's ``glyphToChar``)."""
    out: dict[int, list[int]] = {}
    for code, glyph in zip(codes, glyphs):
        chars = out.get(glyph)
        if chars is None:
            out[glyph] = [code]
        else:
            chars.append(code)
    return out


class Font(TTFont):
    """ReportLab's ``TTFont`` (as made with ``asciiReadable=True``) over a :class:`Face`."""

    def __init__(self, name: str, filename: str) -> None:  # (as TTFont.__init__ does)
        self.fontName = name
        self.face = Face(filename)
        self.encoding = TTEncoding()
        self.state: WeakKeyDictionary[Any, Any] = WeakKeyDictionary()
        self._asciiReadable = True
        self.shapable = not any(fnmatch(name, glob) for glob in unShapedFontGlob)
