"""``word/settings.xml`` and the core properties (``docProps/core.xml``), from the brief's
metadata and nothing from a template or reference document."""

from __future__ import annotations

import datetime as _dt
from typing import Any

from ...document import Meta
from ..common import utc_naive
from .docx_adapter import core_properties_element
from .ooxml import SETTINGS_ORDER, clean, el, put, qn, remove_all, val

__all__ = ["core_properties", "doc_date", "settings"]

_W14 = "http://schemas.microsoft.com/office/word/2010/wordml"


def doc_date(meta: Meta) -> _dt.datetime:
    """The brief's date as a naive UTC time to the second (a bare date at midnight)."""
    return utc_naive(meta.date)


def settings(wd: Any, lang: str, *, embedded_fonts: bool, mirror_margins: bool,
             footnotes: bool) -> None:
    """The settings a pack needs: fields updated on opening, embedded fonts, mirrored
    margins for a binding margin, the footnote separators; a template's or reference's
    leftovers removed."""
    s = wd.settings.element
    order = SETTINGS_ORDER
    # template leftovers: a preview picture that is gone, revision ids, "spelling checked"
    remove_all(s, "w:savePreviewPicture", "w:rsids", "w:attachedTemplate",
               "w:proofState", "w:linkStyles", "w:footnotePr", "w:endnotePr")
    # a reference's settings that would hide the marking on some pages (different even
    # page headers), lock the pack (protection) or make it a mail-merge document
    remove_all(s, "w:evenAndOddHeaders", "w:documentProtection", "w:writeProtection",
               "w:mailMerge")
    put(s, val("w:updateFields", "true"), order)
    if embedded_fonts:  # the analyst's families travel with the pack
        put(s, el("w:embedTrueTypeFonts"), order)
    if mirror_margins:
        # a binding margin: left and right become inside and outside, the gutter (in
        # pgMar) widens the inside, on the left of odd pages and the right of even ones
        put(s, el("w:mirrorMargins"), order)
    if footnotes:
        put(s, el("w:footnotePr", None,
                  el("w:footnote", {"w:id": "-1"}), el("w:footnote", {"w:id": "0"})),
            order)
    compat = s.find(qn("w:compat"))
    if compat is not None:
        for cs in compat.findall(qn("w:compatSetting")):
            if cs.get(qn("w:name")) == "compatibilityMode":
                cs.set(qn("w:val"), "15")
    tfl = s.find(qn("w:themeFontLang"))
    if tfl is not None:
        tfl.set(qn("w:val"), lang)
    for e in s.findall(f"{{{_W14}}}docId"):
        s.remove(e)


def core_properties(wd: Any, meta: Meta) -> None:
    """Title, subject, author, keywords, language and dates from the brief."""
    cp = wd.core_properties
    root = core_properties_element(cp)
    for child in list(root):  # nothing from a template or reference remains
        root.remove(child)

    def short(text: str) -> str:
        return clean(text)[:255]

    cp.title = short(meta.title)
    cp.subject = short(meta.subject)
    cp.comments = ""
    cp.author = short(meta.author)
    cp.last_modified_by = short(meta.author)
    cp.keywords = short(", ".join(meta.keywords))
    cp.language = short(meta.lang)
    cp.category = ""
    cp.revision = 1
    when = doc_date(meta)
    cp.created = when
    cp.modified = when
