"""The pack's typefaces: the style's families by the names Word knows them by, their metrics
(the page estimate and the marking block measure text with them), ``word/fontTable.xml``, the
theme fonts, and the analyst's own TrueType families embedded in the package
(``word/fonts/*.odttf``, obfuscated with a key derived from each file; ECMA-376 Part 1, 17.8)."""

from __future__ import annotations

import hashlib
import math
import struct
import uuid
from collections.abc import Iterable, Mapping
from functools import cache
from pathlib import Path
from typing import Any

import msgspec
from lxml import etree

from ...fonts import BUNDLED, Family, FontMetrics, family, metrics
from ...style import Style
from .docx_adapter import RT, new_part, nsdecls, parse_xml, set_blob
from .ooxml import W_NS, el, local, qn, val
from .package import theme

#: ``w:font`` children for embedded faces, in schema order (CT_Font)
EMBED_SLOTS = ("embedRegular", "embedBold", "embedItalic", "embedBoldItalic")
#: the content type of an obfuscated embedded font part (``word/fonts/*.odttf``)
CT_OBFUSCATED_FONT = "application/vnd.openxmlformats-officedocument.obfuscatedFont"
_FONT_KEY_NS = uuid.UUID("6f1d2a3c-9b8e-4c57-a1d0-b41e3f9c2d75")


class FontSet(msgspec.Struct, frozen=True):
    """The style's two families."""

    body_font: str
    head_font: str
    #: the families in use by the name Word knows them by (their files measure the text)
    families: Mapping[str, Family]
    #: the analyst's own families (not the bundled ones): embedded in the package
    custom_families: Mapping[str, Family]

    @classmethod
    def of(cls, style: Style) -> FontSet:
        body, head = family(style.fonts.body), family(style.fonts.headings)
        return cls(body.name, head.name, {head.name: head, body.name: body},
                   {f.name: f for f in (body, head) if f.key not in BUNDLED})

    def name(self, key: str) -> str:
        """The name Word knows a style font key's family by (the stylesheet names keys)."""
        return family(key).name

    def metrics(self, font: str, bold: bool = False, italic: bool = False) -> FontMetrics:
        return metrics_of(font, bold, italic, self.families)


def metrics_of(font: str, bold: bool, italic: bool,
               families: Mapping[str, Family] | None = None) -> FontMetrics:
    """The metrics of a face by family name: one of ``families`` (the style's, the analyst's
    own files included), else a bundled family, else DejaVu Sans (a reference document's
    font, which briefgen has no file for)."""
    return metrics(str(face_file(font, bold, italic, families)))


def face_file(font: str, bold: bool, italic: bool,
              families: Mapping[str, Family] | None = None) -> Path:
    """The TrueType file of a face by family name (as :func:`metrics_of` finds it)."""
    fam = (families or {}).get(font) or next(
        (f for f in BUNDLED.values() if f.name == font), BUNDLED["dejavu-sans"])
    return {(False, False): fam.regular, (True, False): fam.bold,
            (False, True): fam.italic, (True, True): fam.bold_italic}[(bold, italic)]


@cache
def vertical_metrics(path: Path) -> tuple[int, int, int, int]:
    """A TrueType file's ascent, descent (positive), line gap (its hhea table) and units
    per em."""
    data = path.read_bytes()
    tables = {tag: off for tag, _, off, _ in (struct.unpack_from(">4sIII", data, 12 + 16 * i)
                                              for i in range(struct.unpack_from(">H", data, 4)[0]))}
    units = struct.unpack_from(">H", data, tables[b"head"] + 18)[0]
    asc, desc, gap = struct.unpack_from(">hhh", data, tables[b"hhea"] + 4)
    return asc, -desc, gap, units


#: LibreOffice's single line height comes out a little above the font's ascent and descent
#: rounded to whole twips (measured for 8 to 14 pt in steps of 0.5: 186 twips at 8 pt, where
#: the exact height is 186.25, but 280 at 12 pt, where it is 279.38; 314 at 13.5 pt, 314.30)
_LINE_ROUNDING = 0.15


def single_line(font: str, families: Mapping[str, Family] | None, size: float) -> int:
    """A font's single line height at ``size``, in twips, as LibreOffice has it: its ascent,
    descent and line gap (hhea) in whole twips (see :data:`_LINE_ROUNDING`). Word's is the
    same for the bundled families (their hhea and OS/2 win metrics agree)."""
    asc, desc, gap, units = vertical_metrics(face_file(font, False, False, families))
    return math.floor((asc + desc + gap) * size * 20 / units + 0.5 + _LINE_ROUNDING)


def ascent(font: str, families: Mapping[str, Family] | None, size: float) -> float:
    """A font's ascent (hhea) at ``size``, in points: where a line's baseline stands below
    its top."""
    asc, _desc, _gap, units = vertical_metrics(face_file(font, False, False, families))
    return asc * size / units


def proportional_line(font: str, families: Mapping[str, Family] | None, size: float,
                      leading: float) -> float:
    """The proportional line spacing (a multiple of the font's own line height) that sets
    lines of ``font`` at ``size`` ``leading`` points apart, as the PDF sets them: Word and
    LibreOffice multiply the font's single line height (ascent, descent and line gap: 1.164
    em for DejaVu), the PDF's leading is a multiple of the type size. LibreOffice keeps
    the spacing as a whole percentage (240ths truncated) and the line in whole twips
    (truncated): the percentage whose line comes nearest the leading, written in the
    fewest 240ths that give it back."""
    single = single_line(font, families, size)
    want = round(leading * 20)
    percent = min((math.floor(100 * want / single) + k for k in (0, 1)),
                  key=lambda p: (abs(lo_line(single, p) - want), -p))
    return math.ceil(2.4 * percent) / 240


def lo_percent(line: float) -> int:
    """LibreOffice's whole percentage for proportional line spacing of ``line`` (a multiple
    of the font's line: Word's 240ths over 240); measured: 268/240 is 111 %."""
    return math.floor(line * 100 + 1e-6)


def lo_line(single: int, percent: int) -> int:
    """A line's height in LibreOffice (twips): the single line's at ``percent``, truncated
    (measured: 16.60 pt for 11 pt DejaVu at 130 %, where the exact product is 16.65)."""
    return math.floor(single * percent / 100 + 1e-6)


def restyle_theme_and_fonts(document_part: Any, fonts: FontSet, reference: bool) -> bool:
    """The theme's fonts and the font table follow the style, unless a reference document
    gives them (then the font table only gains the marking's font). Returns whether any
    face was embedded."""
    embedded = False
    for rel in document_part.rels.values():
        if rel.is_external:
            continue
        target = rel.target_part
        if rel.reltype == RT.THEME and not reference:
            set_blob(target, theme(target.blob, fonts.head_font, fonts.body_font))
        elif rel.reltype == RT.FONT_TABLE:
            # the fonts named: the style's, or the reference's and the marking's (named by
            # its style)
            names = list(dict.fromkeys((fonts.body_font, fonts.head_font))) \
                if not reference else [fonts.head_font]
            listed = []
            for n in names:
                m = fonts.metrics(n)
                listed.append((n, m, "Serif" in n if m.serif is None else m.serif))
            embeds = embed_fonts(document_part.package, target, names, fonts)
            embedded = bool(embeds)
            set_blob(target, font_table(listed, merge_into=target.blob if reference else None,
                                        embeds=embeds))
    return embedded


def embed_fonts(package: Any, table: Any, names: list[str],
                fonts: FontSet) -> dict[str, list[tuple[str, str, str]]]:
    """Embed the analyst's own families among ``names`` (never the bundled DejaVu, which
    briefgen users have): each distinct TrueType file once, obfuscated with a key derived
    from its content (``word/fonts/fontN.odttf``), related to the font table. A face the
    family lacks (it fell back to the regular file) is not embedded for that slot: Word and
    LibreOffice embolden or slant the regular face. Returns the embedded faces by font name,
    for :func:`font_table`."""
    embeds: dict[str, list[tuple[str, str, str]]] = {}
    done: dict[Path, tuple[str, str]] = {}
    taken = {str(p.partname) for p in package.iter_parts()}  # a reference's own
    for name in names:
        fam = fonts.custom_families.get(name)
        if fam is None:
            continue
        seen: set[Path] = set()
        for slot, path in zip(EMBED_SLOTS, (fam.regular, fam.bold, fam.italic,
                                            fam.bold_italic)):
            path = Path(path).resolve()
            if path in seen:
                continue
            seen.add(path)
            if path not in done:
                data = path.read_bytes()
                key = font_key(data)
                n = 1
                while f"/word/fonts/font{n}.odttf" in taken:
                    n += 1
                taken.add(f"/word/fonts/font{n}.odttf")
                part = new_part(f"/word/fonts/font{n}.odttf", CT_OBFUSCATED_FONT,
                                obfuscate_font(data, key), package)
                done[path] = (table.relate_to(part, RT.FONT), key)
            rid, key = done[path]
            embeds.setdefault(name, []).append((slot, rid, key))
    return embeds


def font_key(data: bytes) -> str:
    """The ``w:fontKey`` GUID of an embedded font, derived from the file's content so that the
    same font always gets the same key (reproducible packages), e.g. ``{0A1B...}``."""
    return "{" + str(uuid.uuid5(_FONT_KEY_NS, hashlib.sha256(data).hexdigest())).upper() + "}"


def obfuscate_font(data: bytes, key: str) -> bytes:
    """A TrueType file obfuscated for embedding (ECMA-376 Part 1, 17.8.1): its first 32 bytes
    XORed with the 16 bytes of the GUID ``key`` taken in reverse order (the last two hex
    digits first). The operation is its own inverse."""
    k = bytes.fromhex(key.strip("{}").replace("-", ""))[::-1]
    return bytes(b ^ k[i % 16] for i, b in enumerate(data[:32])) + data[32:]


def font_table(fonts: Iterable[tuple[str, FontMetrics, bool]],
               merge_into: bytes | None = None,
               embeds: dict[str, list[tuple[str, str, str]]] | None = None) -> bytes:
    """A ``word/fontTable.xml`` listing the fonts in use (name, metrics, serif?), so Word
    knows their class and scripts when it has to substitute them. With ``merge_into`` (an
    existing font table), the fonts it lacks are added to it. ``embeds`` maps a font's name
    to its embedded faces, ``(slot, relationship id, font key)`` with slot one of
    :data:`EMBED_SLOTS` (written after ``w:sig``, in that order)."""
    root = etree.fromstring(merge_into) if merge_into else parse_xml(
        f"<w:fonts {nsdecls('w', 'r') if embeds else nsdecls('w')}/>")
    listed = {f.get(qn("w:name")) for f in root.findall(qn("w:font"))}
    for name, m, serif in fonts:
        if name in listed:
            continue
        usb = m.signature
        root.append(el("w:font", {"w:name": name},
                       val("w:panose1", m.panose), val("w:charset", "00"),
                       val("w:family", "roman" if serif else "swiss"),
                       val("w:pitch", "variable"),
                       el("w:sig", {"w:usb0": f"{usb[0]:08X}", "w:usb1": f"{usb[1]:08X}",
                                    "w:usb2": f"{usb[2]:08X}", "w:usb3": f"{usb[3]:08X}",
                                    "w:csb0": f"{usb[4]:08X}", "w:csb1": f"{usb[5]:08X}"})))
    for font in root.findall(qn("w:font")):
        faces = (embeds or {}).get(font.get(qn("w:name")))
        if not faces:
            continue
        for child in list(font):  # ours replace any the font had
            if etree.QName(child).namespace == W_NS and local(child) in EMBED_SLOTS:
                font.remove(child)
        for slot, rid, key in sorted(faces, key=lambda f: EMBED_SLOTS.index(f[0])):
            e = etree.SubElement(font, qn(f"w:{slot}"))
            e.set(qn("r:id"), rid)
            e.set(qn("w:fontKey"), key)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)
