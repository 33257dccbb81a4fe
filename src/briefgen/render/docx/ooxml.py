"""Raw WordprocessingML helpers for the DOCX renderer: the markup python-docx has no API for.

Element building, schema-ordered insertion into ``w:pPr``/``w:rPr``/``w:tblPr``/``w:style``/
``settings.xml``, borders and shading, fields (PAGE, NUMPAGES, TOC, PAGEREF, NOTEREF), bookmark
names and the unit conversions (twips, half-points). Nothing here knows about briefs or about
the document model.
"""

from __future__ import annotations

import copy
import re

from lxml import etree

from .docx_adapter import Element, make_element, qn

__all__ = [
    "PPR_ORDER",
    "RPR_ORDER",
    "SETTINGS_ORDER",
    "STYLE_ORDER",
    "TBLPR_ORDER",
    "TCPR_ORDER",
    "W_NS",
    "XML_SPACE",
    "Element",
    "bookmark_name",
    "border",
    "clean",
    "copy_el",
    "eighths",
    "el",
    "field_runs",
    "fld_char",
    "hexcolour",
    "hp",
    "instr_run",
    "is_on",
    "local",
    "put",
    "qn",
    "remove_all",
    "shd",
    "text_el",
    "tw",
    "val",
]

W_NS = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
XML_SPACE = "{http://www.w3.org/XML/1998/namespace}space"

# Characters XML 1.0 cannot carry (C0 controls except tab/newline/CR, lone surrogates,
# U+FFFE/U+FFFF). Validation keeps them out of briefs; this keeps the renderer from crashing.
_ILLEGAL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def clean(text: str) -> str:
    """``text`` with XML-illegal characters replaced by U+FFFD."""
    return _ILLEGAL.sub("\ufffd", text)


# --------------------------------------------------------------------------------------------
# Elements


def el(tag: str, attrs: dict[str, str] | None = None, *children: Element,
       text: str | None = None) -> Element:
    """A new element; ``tag`` and attribute names are prefixed (``w:p``, ``w:val``)."""
    e = make_element(tag)
    if attrs:
        for k, v in attrs.items():
            e.set(qn(k), str(v))
    for c in children:
        if c is not None:
            e.append(c)
    if text is not None:
        e.text = text
    return e


def val(tag: str, value: str | int) -> Element:
    """An element with a single ``w:val`` attribute, e.g. ``<w:pStyle w:val="Title"/>``."""
    return el(tag, {"w:val": str(value)})


def text_el(text: str) -> Element:
    """A ``w:t``, preserving spaces when they would otherwise be collapsed."""
    t = el("w:t", text=text)
    if text[:1].isspace() or text[-1:].isspace() or "  " in text:
        t.set(XML_SPACE, "preserve")
    return t


# Schema orders (ECMA-376 Part 1, transitional): children must appear in these sequences.
PPR_ORDER = (
    "pStyle", "keepNext", "keepLines", "pageBreakBefore", "framePr", "widowControl", "numPr",
    "suppressLineNumbers", "pBdr", "shd", "tabs", "suppressAutoHyphens", "kinsoku", "wordWrap",
    "overflowPunct", "topLinePunct", "autoSpaceDE", "autoSpaceDN", "bidi", "adjustRightInd",
    "snapToGrid", "spacing", "ind", "contextualSpacing", "mirrorIndents", "suppressOverlap", "jc",
    "textDirection", "textAlignment", "textboxTightWrap", "outlineLvl", "divId", "cnfStyle",
    "rPr", "sectPr", "pPrChange",
)
RPR_ORDER = (
    "rStyle", "rFonts", "b", "bCs", "i", "iCs", "caps", "smallCaps", "strike", "dstrike",
    "outline", "shadow", "emboss", "imprint", "noProof", "snapToGrid", "vanish", "webHidden",
    "color", "spacing", "w", "kern", "position", "sz", "szCs", "highlight", "u", "effect", "bdr",
    "shd", "fitText", "vertAlign", "rtl", "cs", "em", "lang", "eastAsianLayout", "specVanish",
    "oMath",
)
TBLPR_ORDER = (
    "tblStyle", "tblpPr", "tblOverlap", "bidiVisual", "tblStyleRowBandSize",
    "tblStyleColBandSize", "tblW", "jc", "tblCellSpacing", "tblInd", "tblBorders", "shd",
    "tblLayout", "tblCellMar", "tblLook", "tblCaption", "tblDescription",
)
TCPR_ORDER = (
    "cnfStyle", "tcW", "gridSpan", "hMerge", "vMerge", "tcBorders", "shd", "noWrap", "tcMar",
    "textDirection", "tcFitText", "vAlign", "hideMark",
)
STYLE_ORDER = (
    "name", "aliases", "basedOn", "next", "link", "autoRedefine", "hidden", "uiPriority",
    "semiHidden", "unhideWhenUsed", "qFormat", "locked", "personal", "personalCompose",
    "personalReply", "rsid", "pPr", "rPr", "tblPr", "trPr", "tcPr", "tblStylePr",
)
SETTINGS_ORDER = (
    "writeProtection", "view", "zoom", "removePersonalInformation", "removeDateAndTime",
    "doNotDisplayPageBoundaries", "displayBackgroundShape", "printPostScriptOverText",
    "printFractionalCharacterWidth", "printFormsData", "embedTrueTypeFonts", "embedSystemFonts",
    "saveSubsetFonts", "saveFormsData", "mirrorMargins", "alignBordersAndEdges",
    "bordersDoNotSurroundHeader", "bordersDoNotSurroundFooter", "gutterAtTop",
    "hideSpellingErrors", "hideGrammaticalErrors", "activeWritingStyle", "proofState",
    "formsDesign", "attachedTemplate", "linkStyles", "stylePaneFormatFilter",
    "stylePaneSortMethod", "documentType", "mailMerge", "revisionView", "trackRevisions",
    "doNotTrackMoves", "doNotTrackFormatting", "documentProtection", "autoFormatOverride",
    "styleLockTheme", "styleLockQFSet", "defaultTabStop", "autoHyphenation",
    "consecutiveHyphenLimit", "hyphenationZone", "doNotHyphenateCaps", "showEnvelope",
    "summaryLength", "clickAndTypeStyle", "defaultTableStyle", "evenAndOddHeaders",
    "bookFoldRevPrinting", "bookFoldPrinting", "bookFoldPrintingSheets",
    "drawingGridHorizontalSpacing", "drawingGridVerticalSpacing",
    "displayHorizontalDrawingGridEvery", "displayVerticalDrawingGridEvery",
    "doNotUseMarginsForDrawingGridOrigin", "drawingGridHorizontalOrigin",
    "drawingGridVerticalOrigin", "doNotShadeFormData", "noPunctuationKerning",
    "characterSpacingControl", "printTwoOnOne", "strictFirstAndLastChars", "noLineBreaksAfter",
    "noLineBreaksBefore", "savePreviewPicture", "doNotValidateAgainstSchema", "saveInvalidXml",
    "ignoreMixedContent", "alwaysShowPlaceholderText", "doNotDemarcateInvalidXml",
    "saveXmlDataOnly", "useXSLTWhenSaving", "saveThroughXslt", "showXMLTags",
    "alwaysMergeEmptyNamespace", "updateFields", "hdrShapeDefaults", "footnotePr", "endnotePr",
    "compat", "docVars", "rsids", "mathPr", "attachedSchema", "themeFontLang",
    "clrSchemeMapping", "doNotIncludeSubdocsInStats", "doNotAutoCompressPictures",
    "forceUpgrade", "captions", "readModeInkLockDown", "smartTagType", "schemaLibrary",
    "shapeDefaults", "doNotEmbedSmartTags", "decimalSymbol", "listSeparator",
)


def local(e: Element) -> str:
    tag = e.tag
    if isinstance(tag, str):  # "{namespace}name", or a name in no namespace
        return tag[tag.index("}") + 1:] if tag[:1] == "{" else tag
    return etree.QName(e).localname


#: each schema order's ranks (put is called for most properties written)
_RANKS: dict[tuple[str, ...], dict[str, int]] = {}


def put(parent: Element, child: Element, order: tuple[str, ...],
        ns: str = W_NS) -> Element:
    """Insert ``child`` into ``parent`` at its schema position, replacing an existing element of
    the same name (children of another namespace, e.g. ``w14:``, are left where they are)."""
    name = local(child)
    rank = _RANKS.get(order)
    if rank is None:
        rank = _RANKS[order] = {n: i for i, n in enumerate(order)}
    mine = rank[name]
    prefix = f"{{{ns}}}"
    # (iterchildren, not findall: lxml's find and findall go through ElementPath)
    for existing in list(parent.iterchildren(prefix + name)):
        parent.remove(existing)
    cut = len(prefix)
    for i, sib in enumerate(parent):
        tag = sib.tag
        if isinstance(tag, str) and tag.startswith(prefix) and rank.get(tag[cut:], -1) > mine:
            parent.insert(i, child)
            return child
    parent.append(child)
    return child


def ppr_of(p: Element) -> Element:
    """A paragraph's ``w:pPr``, made (its first child) where it has none."""
    ppr = p.find(qn("w:pPr"))
    if ppr is None:
        ppr = el("w:pPr")
        p.insert(0, ppr)
    return ppr


def spacing_of(p: Element) -> Element:
    """A paragraph's ``w:spacing`` (its other settings, such as the line height, kept), made
    where it has none."""
    ppr = ppr_of(p)
    sp = ppr.find(qn("w:spacing"))
    return put(ppr, el("w:spacing"), PPR_ORDER) if sp is None else sp


def remove_all(parent: Element, *names: str) -> None:
    for n in names:
        for e in list(parent.iterchildren(qn(n))):
            parent.remove(e)


def shd(fill: str) -> Element:
    return el("w:shd", {"w:val": "clear", "w:color": "auto", "w:fill": fill.lstrip("#")})


def border(side: str, colour: str, size_eighths: int, space: int = 0,
           kind: str = "single") -> Element:
    if kind == "nil":
        return el(f"w:{side}", {"w:val": "nil"})
    return el(f"w:{side}", {"w:val": kind, "w:sz": str(size_eighths), "w:space": str(space),
                            "w:color": colour.lstrip("#")})


# --------------------------------------------------------------------------------------------
# Fields, bookmarks, links


def field_runs(instr: str, cached: str, rpr: Element | None = None
               ) -> list[Element]:
    """A complex field as runs: begin, instruction, separate, cached result, end."""
    def run(*children: Element) -> Element:
        r = el("w:r")
        if rpr is not None:
            r.append(copy_el(rpr))
        for c in children:
            r.append(c)
        return r

    instr_el = el("w:instrText", text=f" {instr} ")
    instr_el.set(XML_SPACE, "preserve")
    return [
        run(el("w:fldChar", {"w:fldCharType": "begin"})),
        run(instr_el),
        run(el("w:fldChar", {"w:fldCharType": "separate"})),
        run(text_el(cached)),
        run(el("w:fldChar", {"w:fldCharType": "end"})),
    ]


def fld_char(kind: str) -> Element:
    return el("w:r", None, el("w:fldChar", {"w:fldCharType": kind}))


def instr_run(instr: str) -> Element:
    t = el("w:instrText", text=f" {instr} ")
    t.set(XML_SPACE, "preserve")
    return el("w:r", None, t)


def copy_el(e: Element) -> Element:
    return copy.deepcopy(e)


_BOOKMARK_BAD = re.compile(r"[^A-Za-z0-9_]")


def bookmark_name(anchor: str, taken: set[str]) -> str:
    """A valid Word bookmark name derived from ``anchor``: letters, digits and underscores,
    starting with a letter, at most 40 characters, unique among ``taken`` (which it joins)."""
    base = _BOOKMARK_BAD.sub("_", anchor) or "ref"
    if not base[0].isalpha() or not base[0].isascii():
        base = "h_" + base
    base = base[:40]
    name, n = base, 2
    while name in taken:
        suffix = f"_{n}"
        name = base[: 40 - len(suffix)] + suffix
        n += 1
    taken.add(name)
    return name


# --------------------------------------------------------------------------------------------
# Units and values


def tw(points: float) -> int:
    """Points to twentieths of a point (twips)."""
    return round(points * 20)


def hp(points: float) -> int:
    """Points to half-points (font sizes)."""
    return round(points * 2)


def eighths(points: float) -> int:
    """Points to eighths of a point (border widths)."""
    return round(points * 8)


def hexcolour(colour: str) -> str:
    """``#rrggbb`` as OOXML writes a colour: ``RRGGBB``."""
    return colour.lstrip("#").upper()


def is_on(e: Element | None) -> bool | None:
    """An on/off property's value (``<w:b/>``, ``<w:b w:val="0"/>``), None when absent."""
    if e is None:
        return None
    return e.get(qn("w:val"), "true") not in ("0", "false", "off")
