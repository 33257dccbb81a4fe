"""Right-to-left and joined scripts in ReportLab: shaping, bidi, and text that copies out right.

ReportLab 5.1 shapes text through HarfBuzz (``uharfbuzz``) for a paragraph style with
``shaping=1`` and reorders it by the Unicode bidirectional algorithm, line by line, for one with
``wordWrap`` ``"RTL"`` or ``"LTR"`` — but its bidi goes through ``rlbidi``, which is not on
PyPI. :func:`install` gives ReportLab an ``rlbidi`` built on ``python-bidi`` (the algorithm's
pure-Python reference, which reports where each visual character came from, as ReportLab needs),
and mends two things:

- a word whose pieces are in two fonts (Arabic then a Latin comma) is shaped font by font:
  ReportLab shapes the whole word with the first piece's font and prints the rest with glyph
  numbers from the wrong font;
- the PDF's ToUnicode maps: a contextual form or ligature a font reaches only through its
  shaping tables (no character of its own) is mapped back to the characters it was shaped from,
  and an Arabic presentation form to its base letters, so that text copied out of the PDF (or
  read by pdftotext) is the logical text, not presentation forms or private-use characters.

:func:`bidi_style` is the paragraph style a text needs: unchanged for text with no
right-to-left character (the output of every other brief stays byte for byte the same); with
one, shaped and reordered, and for a paragraph whose first strong character is right-to-left,
set right-aligned with its bullet and indents on the right.
"""

from __future__ import annotations

import importlib.util
import sys
import threading
import types
import unicodedata
from collections.abc import Callable
from typing import Any

from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY, TA_RIGHT
from reportlab.lib.styles import ParagraphStyle

from ..bidi import has_rtl, resolved_levels, visual_runs

__all__ = ["base_rtl", "bidi_style", "bidi_text", "has_rtl", "install", "isolate", "line_runs",
           "log2vis", "logical_text", "run_width", "shape_run"]

_LOCK = threading.Lock()
_installed = False
#: per face name (as ReportLab writes it in the PDF), a glyph's code: the text it was shaped from
_CLUSTERS: dict[str, dict[int, str]] = {}


def _bidi_class(c: str) -> str:
    return unicodedata.bidirectional(c)


def base_rtl(text: str) -> bool:
    """Whether a paragraph of ``text`` is right-to-left: its first strong letter is (rule P2,
    markup skipped)."""
    inside = False
    for c in text:
        if c == "<":
            inside = True
        elif c == ">" and inside:
            inside = False
        elif not inside:
            k = _bidi_class(c)
            if k == "L":
                return False
            if k in ("R", "AL"):
                return True
    return False


def log2vis(text: str, base_direction: str | None = None, clean: bool = True,
            positions_V_to_L: list[int] | None = None, **_: Any) -> str:
    """``rlbidi.log2vis``: ``text`` in visual order for a base direction (``"RTL"``, ``"LTR"``,
    else found from the text), filling ``positions_V_to_L`` with each visual character's
    logical index. Explicit embedding controls are dropped (ReportLab passes ``clean``)."""
    import bidi.algorithm as alg  # type: ignore[import-untyped]

    storage = alg.get_empty_storage()
    if base_direction in ("RTL", "R"):
        level = 1
    elif base_direction in ("LTR", "L"):
        level = 0
    else:
        level = alg.get_base_level(text)
    storage["base_level"] = level
    storage["base_dir"] = ("L", "R")[level]
    alg.get_embedding_levels(text, storage)
    for i, ch in enumerate(storage["chars"]):
        ch["logical"] = i
    alg.explicit_embed_and_overrides(storage)
    alg.resolve_weak_types(storage, False)
    alg.resolve_neutral_types(storage, False)
    alg.resolve_implicit_levels(storage, False)
    alg.reorder_resolved_levels(storage, False)
    alg.apply_mirroring(storage, False)
    chars = storage["chars"]
    if positions_V_to_L is not None:
        positions_V_to_L[:] = [ch["logical"] for ch in chars]
    return "".join(ch["ch"] for ch in chars)


_BIDI_NAMES = ("log2vis", "BidiStr", "isBidiStr", "BidiList", "isBidiList", "bidiText",
               "innerBidiStrWrap", "bidiStrWrap", "bidiListWrap", "BidiIndex", "bidiWordList",
               "bidiShapedText", "bidiFragWord", "rtlSupport")
_PARAGRAPH_NAMES = ("rtlSupport", "bidiText", "bidiWordList", "isBidiStr", "bidiStrWrap",
                    "isBidiList", "bidiListWrap", "BidiIndex", "bidiFragWord",
                    "innerBidiStrWrap")


def install() -> None:
    """Give ReportLab its bidi (an ``rlbidi`` on python-bidi), per-font shaping of mixed words
    and ToUnicode maps that give the logical text back. Idempotent; process-wide."""
    global _installed
    with _LOCK:
        if _installed:
            return
        shim = types.ModuleType("rlbidi")
        shim.log2vis = log2vis  # type: ignore[attr-defined]
        sys.modules.setdefault("rlbidi", shim)
        import reportlab.pdfgen.textobject as textobject
        import reportlab.platypus.paragraph as paragraph
        from reportlab.pdfbase import ttfonts

        if not textobject.rtlSupport:  # imported before the shim: load its bidi part again
            spec = importlib.util.find_spec("reportlab.pdfgen.textobject")
            assert spec is not None and spec.loader is not None
            fresh = importlib.util.module_from_spec(spec)
            spec.loader.exec_module(fresh)
            for name in _BIDI_NAMES:
                setattr(textobject, name, getattr(fresh, name))
        for name in _PARAGRAPH_NAMES:
            setattr(paragraph, name, getattr(textobject, name))
        original = ttfonts.shapeFragWord
        paragraph.shapeFragWord = _per_font(original)
        ttfonts.makeToUnicodeCMap = _to_unicode_cmap
        _installed = True


def _per_font(original: Any) -> Any:
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfbase.ttfonts import ShapedFragWord, makeShapedFragWord

    def shape(w: Any, *args: Any, **kw: Any) -> Any:
        if isinstance(w, ShapedFragWord):
            return w
        # runs of one font, shaped apiece; a callback (anchor, onDraw) passes through as is
        groups: list[list[Any]] = []
        font = None
        for item in w[1:]:
            f = item[0]
            if hasattr(f, "cbDefn"):
                groups.append([item])
                font = None
                continue
            if font is None or f.fontName != font:
                groups.append([])
                font = f.fontName
            groups[-1].append(item)
        if len(groups) == 1 and any(has_rtl(s) for _, s in groups[0]):
            return _remember(original(w, *args, **kw), w)
        out = makeShapedFragWord(w)([0.0])
        changed = False
        for g in groups:
            if hasattr(g[0][0], "cbDefn"):
                out.extend(g)
                continue
            if not any(has_rtl(s) for _, s in g):
                out[0] += sum(stringWidth(s, f.fontName, f.fontSize) for f, s in g)
                out.extend(g)  # Latin and the like: as any paragraph prints it (no ligatures)
                continue
            width = sum(stringWidth(s, f.fontName, f.fontSize) for f, s in g)
            part = [width, *g]
            shaped = _remember(original(part, *args, **kw), part)
            changed = changed or shaped is not part
            out[0] += shaped[0]
            out.extend(shaped[1:])
        return out if changed else w

    return shape


def shape_run(text: str, font_name: str, size: float) -> str:
    """One run of one font and one direction, shaped by HarfBuzz: a right-to-left run comes
    back in visual order, as glyphs ``canvas.drawString`` prints as they are (a ReportLab
    ``ShapedStr``, whose ToUnicode entries give the logical text back). ``text`` itself when
    the font cannot be shaped."""
    from reportlab.lib.abag import ABag
    from reportlab.pdfbase.pdfmetrics import stringWidth
    from reportlab.pdfbase.ttfonts import ShapedStr, shapeFragWord

    install()
    part = [stringWidth(text, font_name, size), (ABag(fontName=font_name, fontSize=size), text)]
    shaped = _remember(shapeFragWord(part, force=True), part)
    out = shaped[1][1] if len(shaped) == 2 else None
    return out if isinstance(out, ShapedStr) else text


def run_width(text: str, font_name: str, size: float) -> float:
    """The advance of a run :func:`shape_run` gave (or of plain text)."""
    from reportlab.pdfbase.pdfmetrics import stringWidth

    data = getattr(text, "__shapeData__", None)
    if data is not None:
        return float(sum(g.x_advance for g in data)) * size / 1000
    return float(stringWidth(text, font_name, size))


#: bidi classes of characters that stay in the face of the run before them, when it has them
_NEUTRAL = frozenset({"WS", "CS", "ON", "ES", "ET", "BN", "NSM"})


def line_runs(text: str, size: float, face_of: Callable[[str], str]) -> list[tuple[str, str]]:
    """One line of plain ``text`` (a chart label, a footer) cut into runs of one face and one
    direction, in visual order, each right-to-left run shaped by :func:`shape_run`:
    ``[(text, face), ...]`` for ``canvas.drawString`` one after the other, left to right.
    ``face_of`` names the face a character is drawn in (a neutral, such as a space, stays in
    the face before it when that face has it)."""
    from reportlab.pdfbase.pdfmetrics import getFont

    from ..bidi import base_rtl as plain_rtl
    from ..bidi import levels, visual_runs

    rtl = plain_rtl(text)
    items: list[tuple[int, str, list[str]]] = []
    for c, lev in zip(text, levels(text, rtl), strict=True):
        f = face_of(c)
        if items and items[-1][0] == lev and (
                items[-1][1] == f or (unicodedata.bidirectional(c) in _NEUTRAL
                                      and ord(c) in getFont(items[-1][1]).face.charToGlyph)):
            items[-1][2].append(c)
        else:
            items.append((lev, f, [c]))
    logical = [(lev, f, "".join(cs)) for lev, f, cs in items]
    out = []
    for k in visual_runs([(lev, t) for lev, _, t in logical], rtl):
        lev, f, t = logical[k]
        out.append((shape_run(t, f, size) if lev % 2 else t, f))
    return out


def _flat(shaped: Any) -> Any:
    """A shaped word whose callbacks (``<onDraw>``, anchors) are ``(fragment, "")`` pairs again:
    ReportLab puts them back as lists of fragments, which its line breaking cannot read."""
    if not any(isinstance(item, list) for item in shaped[1:]):
        return shaped
    out = shaped.__class__([shaped[0]])
    for item in shaped[1:]:
        if isinstance(item, list):
            out.extend((f, "") for f in item)
        else:
            out.append(item)
    return out


def _remember(shaped: Any, source: Any) -> Any:
    """Note, for each glyph a font has no character for, the text it was shaped from."""
    from reportlab.pdfbase.pdfmetrics import getFont
    from reportlab.pdfbase.ttfonts import ShapedStr

    if shaped is source:
        return shaped
    text = "".join(s for f, s in source[1:] if not hasattr(f, "cbDefn"))
    for item in shaped[1:]:
        if not isinstance(item, tuple) or len(item) != 2:
            continue  # a callback's fragments, re-inserted
        f, s = item
        data = getattr(s, "__shapeData__", None)
        if not isinstance(s, ShapedStr) or not data or hasattr(f, "cbDefn"):
            continue
        starts = sorted({d.cluster for d in data if 0 <= d.cluster < len(text)})
        ends = dict(zip(starts, [*starts[1:], len(text)], strict=True))
        name = getFont(f.fontName).face.name.decode("latin-1")
        known = _CLUSTERS.setdefault(name, {})
        for ch, d in zip(s, data):
            code = ord(ch)
            if 0xE000 <= code <= 0xF8FF and d.cluster in ends:
                known.setdefault(code, text[d.cluster:ends[d.cluster]])
    return shaped


def _target(code: int, face: str) -> str:
    """The UTF-16BE hex a code of a subset stands for in the ToUnicode map."""
    text = _CLUSTERS.get(face, {}).get(code)
    if text is None and (0xFB50 <= code <= 0xFDFF or 0xFE70 <= code <= 0xFEFF):
        text = unicodedata.normalize("NFKC", chr(code))
    if text is None:
        return f"{code:04X}"
    if len(text) > 1 and has_rtl(text):
        # one glyph for several right-to-left letters (lam-alef): readers such as pdftotext
        # put a right-to-left run back in logical order character by character, the
        # ligature's expansion included, so it is stored reversed
        text = text[::-1]
    return text.encode("utf-16-be").hex().upper()


def _to_unicode_cmap(fontname: str, subset: list[int]) -> str:
    """ReportLab's ToUnicode map, with shaped glyphs mapped to the text they stand for (the
    same map, byte for byte, for a font with none)."""
    face = fontname.split("+", 1)[-1]
    cmap = [
        "/CIDInit /ProcSet findresource begin",
        "12 dict begin",
        "begincmap",
        "/CIDSystemInfo",
        f"<< /Registry ({fontname})",
        f"/Ordering ({fontname})",
        "/Supplement 0",
        ">> def",
        f"/CMapName /{fontname} def",
        "/CMapType 2 def",
        "1 begincodespacerange",
        f"<00> <{len(subset) - 1:02X}>",
        "endcodespacerange",
        f"{len(subset)} beginbfchar",
    ] + [f"<{i:02X}> <{_target(v, face)}>" for i, v in enumerate(subset)] + [
        "endbfchar",
        "endcmap",
        "CMapName currentdict /CMap defineresource pop",
        "end",
        "end",
    ]
    return "\n".join(cmap)


LRM = "\u200e"


def isolate(markup: str) -> str:
    """Markup of a left-to-right paragraph with a left-to-right mark after each right-to-left
    run (after its last right-to-left letter, when the next strong letter is left-to-right or
    there is none), so that the spaces, punctuation and digits after it stay with the
    left-to-right text they belong to (a title in Arabic then ", 12 January 2024" keeps its
    comma and date after it). Tags and entities are skipped."""
    out: list[str] = []
    pending = False  # after a right-to-left letter: the mark goes before the next character
    at = -1  # where, in out (after the closing tags, outside the letter's font run)
    inside = False
    for c in markup:
        if inside:
            inside = c != ">"
        elif c == "<":
            inside = True
        else:
            k = _bidi_class(c)
            if k in ("R", "AL"):
                pending, at = True, -1
            elif pending and at < 0:
                at = len(out)
            if k == "L" and pending:
                out.insert(at, LRM)
                pending = False
        out.append(c)
    if pending:
        out.insert(at if at >= 0 else len(out), LRM)
    return "".join(out)


def logical_text(markup: str) -> str:
    """The plain text of paragraph markup, in logical order (tags dropped, entities read, a
    line break a space), for the structure tree's ``/ActualText``."""
    import html
    import re

    text = re.sub(r"<br\s*/?>", " ", markup)
    text = re.sub(r"<[^>]*>", "", text)
    return " ".join(html.unescape(text).split())


def bidi_text(text: str) -> str:
    """Markup made ready for :func:`bidi_style`: isolated (see :func:`isolate`) when its
    paragraph is left-to-right and holds right-to-left letters."""
    if not has_rtl(text) or base_rtl(text):
        return text
    return isolate(text)


def bidi_style(text: str, style: ParagraphStyle) -> ParagraphStyle:
    """The style a paragraph of markup ``text`` is drawn in: ``style`` itself when the text has
    no right-to-left letter; else a copy that shapes and reorders it (base direction from its
    first strong letter), right-aligned and mirrored when that letter is right-to-left."""
    if not has_rtl(text):
        return style
    install()
    cache = style.__dict__.setdefault("_bg_bidi", {})
    rtl = base_rtl(text)
    found = cache.get(rtl)
    if found is None:
        found = ParagraphStyle(f"{style.name}-{'rtl' if rtl else 'ltr'}", parent=style,
                               wordWrap="RTL" if rtl else "LTR", shaping=1)
        if rtl:
            if style.alignment not in (TA_CENTER, TA_JUSTIFY):
                found.alignment = TA_RIGHT
            found.leftIndent, found.rightIndent = style.rightIndent, style.leftIndent
        cache[rtl] = found
    return found


def _unit_class(c: str) -> str:
    """A character for the level computation: a right-to-left letter stands for itself, and
    so does a glyph of shaped right-to-left text (presentation forms, private use)."""
    if "\ue000" <= c <= "\uf8ff":
        return "\u05d0"
    return c


def reorder_lines(lines: Any, rtl: bool) -> None:
    """Put each line of a paragraph of several fragments (fonts, styles) in visual order.

    ReportLab reorders a paragraph of one fragment itself; for several it only reverses the
    fragments of a right-to-left paragraph, so a run of Arabic words in one fragment prints in
    logical order. Here each line is cut into units (a word's piece of one level and fragment,
    a space, a callback), given levels by the bidirectional algorithm run over the line's
    text (a shaped word is already in visual order inside, and stays whole), and the units
    reordered by rule L2. A right-to-left paragraph's units are left reversed, as ReportLab
    reverses them again when it draws."""
    for line in lines:
        frags = getattr(line, "words", None)
        if not frags:
            continue
        units: list[tuple[Any, str]] = []  # (fragment, text) in logical order
        for f in frags:
            text = getattr(f, "text", None)
            if hasattr(f, "cbDefn") or not text:
                units.append((f, ""))
                continue
            start = 0
            for i in range(1, len(text) + 1):
                if i == len(text) or (text[i] == " ") != (text[i - 1] == " "):
                    units.append((f, text[start:i]))
                    start = i
        logical = "".join(_unit_class(c) for _, t in units for c in t)
        if not has_rtl(logical) and not rtl:
            continue
        levels = resolved_levels(logical, rtl)
        if levels is None:
            continue  # (explicit controls dropped: leave the line as ReportLab made it)
        # a unit's level: its highest (a shaped word is in visual order inside, a mark such
        # as U+200E may be anywhere in it); a callback's, the lower of its neighbours' (so
        # that the marks around a right-to-left run in a left-to-right line stay around it)
        at, unit_levels = 0, []
        for _, t in units:
            if t:
                unit_levels.append(max(levels[at:at + len(t)]))
                at += len(t)
            else:
                unit_levels.append(-1)
        for k, v in enumerate(unit_levels):
            if v < 0:
                before = next((x for x in reversed(unit_levels[:k]) if x >= 0), int(rtl))
                after = next((x for x in unit_levels[k + 1:] if x >= 0), int(rtl))
                unit_levels[k] = min(before, after)
        # rules L1 (trailing spaces at the paragraph's level) and L2, as for charts
        order = visual_runs([(lev, t or "") for lev, (_f, t) in zip(unit_levels, units)], rtl)
        _pair_marks(units, order)
        out = []
        for idx in order:
            f, t = units[idx]
            if hasattr(f, "cbDefn") or not t:
                out.append(f)
            else:
                g = f.clone()
                g.text = t
                out.append(g)
        line.words = out[::-1] if rtl else out


def _pair_marks(units: list[tuple[Any, str]], order: list[int]) -> None:
    """A link's or span's start and end callbacks (``LINK_CALLBACK``) reversed with the
    right-to-left text between them are swapped back, so that the drawing meets the start
    first and the tagged text stays inside its element."""
    from .tagging import LINK_CALLBACK

    def mark(i: int) -> str | None:
        f = units[i][0]
        cb = getattr(f, "cbDefn", None)
        if cb is None or getattr(cb, "kind", None) != "onDraw" \
                or getattr(cb, "name", None) != LINK_CALLBACK:
            return None
        return "end" if cb.label == "end" else "start"

    open_: list[int] = []
    pairs: list[tuple[int, int]] = []
    for i in range(len(units)):
        m = mark(i)
        if m == "start":
            open_.append(i)
        elif m == "end" and open_:
            pairs.append((open_.pop(), i))
    where = {u: k for k, u in enumerate(order)}
    for start, end in pairs:
        a, b = where[start], where[end]
        if b < a:
            order[a], order[b] = end, start
            where[start], where[end] = b, a
