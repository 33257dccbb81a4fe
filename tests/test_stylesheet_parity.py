"""One stylesheet, every format: each text role looks the same in the PDF and in the DOCX.

A document holding one marked piece of text per role is rendered in every shipped style. The
PDF is read back with pdfplumber (each character's font, size and fill colour); the DOCX
through its styles (the paragraph style of the marked paragraph, its ``basedOn`` chain and the
document defaults, as Word resolves them). Both must agree with each other and with the
resolved stylesheet: font family, bold, italic, size and colour.
"""

from __future__ import annotations

import datetime as dt
import io
import re

import docx
import pdfplumber
import pytest
from docx.enum.style import WD_STYLE_TYPE

from briefgen import document as d
from briefgen.render.docx import render_docx
from briefgen.render.pdf import render_pdf
from briefgen.render.stylesheet import resolve
from briefgen.style import available_styles, load_style

SHIPPED = sorted(available_styles())


def _t(text: str) -> tuple[d.Inline, ...]:
    return (d.Text(text),)


def _para(marker: str, role: d.ParaRole = "body") -> d.Paragraph:
    return d.Paragraph(_t(f"{marker} words"), role=role)


#: role -> the marker word printed in that role
MARKERS = {
    "title": "Titlemark", "subtitle": "Subtitlemark", "meta-label": "Labelmark",
    "meta-value": "Valuemark", "h1": "Honemark", "h2": "Htwomark", "h3": "Hthreemark",
    "body": "Bodymark", "lead": "Leadmark", "small": "Smallmark", "caption": "Captionmark",
    "quote": "Quotemark", "attribution": "Attributionmark", "th": "Headercellmark",
    "cell": "Cellmark", "box-title": "Boxtitlemark", "box-text": "Boxtextmark",
    "note": "Notemark",
}


def role_document() -> d.Document:
    m = MARKERS
    blocks: tuple[d.Block, ...] = (
        d.TitleBlock(title=_t(m["title"]), subtitle=_t(m["subtitle"]),
                     fields=(d.MetaField(m["meta-label"], _t(m["meta-value"])),)),
        d.Heading(1, _t(m["h1"]), "one", toc=False),
        d.Paragraph((d.Text(f"{m['body']} words"), d.Note(_t(f"{m['note']} words")))),
        d.Paragraph(_t(f"{m['lead']} words"), role="lead"),
        d.Paragraph(_t(f"{m['small']} words"), role="small"),
        d.Heading(2, _t(m["h2"]), "two", toc=False),
        d.Quote((_para(m["quote"]),), attribution=_t(m["attribution"])),
        d.Heading(3, _t(m["h3"]), "three", toc=False),
        d.Table(header=(d.Cell((_para(m["th"]),)), d.Cell((_para("Other"),))),
                rows=((d.Cell((_para(m["cell"]),)), d.Cell((_para("More"),))),),
                widths=(1, 1), caption=_t(f"{m['caption']} words")),
        d.Box((_para(m["box-text"]),), title=_t(m["box-title"]), role="summary"),
        d.NotesList("Notes"),
    )
    meta = d.Meta(title="Parity", date=dt.datetime(2023, 9, 20, 12, 0), lang="en-GB")
    return d.Document(meta, blocks)


def _family(name: str) -> tuple[str, bool, bool]:
    """(family, bold, italic) from a PDF base font name or a Word font name."""
    name = name.split("+", 1)[-1]
    bold = "Bold" in name
    italic = "Oblique" in name or "Italic" in name
    fam = re.sub(r"-(Bold|Oblique|Italic|BoldOblique|BoldItalic)$", "", name)
    return fam.replace(" ", "").casefold(), bold, italic


def _pdf_colour(c: object) -> str:
    if c is None:
        return "#000000"
    vals = list(c) if isinstance(c, (tuple, list)) else [c]
    if len(vals) == 1:
        vals = vals * 3
    return "#" + "".join(f"{round(float(v) * 255):02X}" for v in vals[:3])


def pdf_looks(pdf: bytes) -> dict[str, tuple[str, bool, bool, float, str]]:
    """For each marker: (family, bold, italic, size, colour) of its first character."""
    found: dict[str, tuple[str, bool, bool, float, str]] = {}
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        for page in doc.pages:
            for w in page.extract_words(extra_attrs=["fontname", "size", "non_stroking_color"]):
                for role, marker in MARKERS.items():
                    if w["text"].startswith(marker) and role not in found:
                        fam, bold, italic = _family(w["fontname"])
                        found[role] = (fam, bold, italic, round(w["size"], 2),
                                       _pdf_colour(w["non_stroking_color"]))
    return found


def _docx_style_props(doc: docx.document.Document, style_id: str | None) -> dict[str, object]:
    """The font properties a paragraph style resolves to (basedOn chain, then defaults)."""
    styles = doc.styles
    st = None
    if style_id:
        st = next((s for s in styles if s.type == WD_STYLE_TYPE.PARAGRAPH
                   and s.style_id == style_id), None)
    if st is None:
        st = styles["Normal"]
    props: dict[str, object] = {}
    while st is not None:
        f = st.font
        for key, value in (("name", f.name), ("size", f.size.pt if f.size else None),
                           ("bold", f.bold), ("italic", f.italic),
                           ("colour", str(f.color.rgb) if f.color and f.color.rgb else None)):
            props.setdefault(key, value) if value is not None else None
        st = st.base_style
    defaults = doc.styles.element.find(docx.oxml.ns.qn("w:docDefaults"))
    if defaults is not None:
        rpr = defaults.find(f"{docx.oxml.ns.qn('w:rPrDefault')}/{docx.oxml.ns.qn('w:rPr')}")
        if rpr is not None:
            fonts = rpr.find(docx.oxml.ns.qn("w:rFonts"))
            if fonts is not None:
                props.setdefault("name", fonts.get(docx.oxml.ns.qn("w:ascii")))
            sz = rpr.find(docx.oxml.ns.qn("w:sz"))
            if sz is not None:
                props.setdefault("size", int(sz.get(docx.oxml.ns.qn("w:val"))) / 2)
    props.setdefault("bold", False)
    props.setdefault("italic", False)
    props.setdefault("colour", "000000")
    return props


def _paragraphs(doc: docx.document.Document):  # body and table cells, nested
    def walk(container):
        yield from container.paragraphs
        for t in getattr(container, "tables", []):
            for row in t.rows:
                for cell in row.cells:
                    yield from walk(cell)
    yield from walk(doc)


def docx_looks(data: bytes) -> dict[str, tuple[str, bool, bool, float, str]]:
    doc = docx.Document(io.BytesIO(data))
    found: dict[str, tuple[str, bool, bool, float, str]] = {}
    for p in _paragraphs(doc):
        text = p.text
        for role, marker in MARKERS.items():
            if role in found or not re.search(rf"(?<![A-Za-z]){marker}", text):
                continue
            if role == "note" and not text.lstrip("0123456789. \t").startswith(marker):
                continue
            sid = p.style.style_id if p.style is not None else None
            props = _docx_style_props(doc, sid)
            # direct run formatting on the marker's run (bold/italic/size/colour) wins
            run = next((r for r in p.runs if marker in r.text), None)
            if run is not None:
                if run.bold is not None:
                    props["bold"] = run.bold
                if run.italic is not None:
                    props["italic"] = run.italic
                if run.font.size is not None:
                    props["size"] = run.font.size.pt
                if run.font.color is not None and run.font.color.rgb is not None:
                    props["colour"] = str(run.font.color.rgb)
            fam, _b, _i = _family(str(props["name"]))
            found[role] = (fam, bool(props["bold"]), bool(props["italic"]),
                           round(float(props["size"]), 2), "#" + str(props["colour"]).upper())
    return found


@pytest.fixture(scope="module")
def rendered() -> dict[str, tuple[bytes, bytes]]:
    doc = role_document()
    out = {}
    for name in SHIPPED:
        style = load_style(name)
        if style.reference_docx is not None:  # a reference document's styles are its own
            continue
        out[name] = (render_pdf(doc, style), render_docx(doc, style))
    return out


@pytest.mark.parametrize("name", SHIPPED)
def test_every_role_looks_the_same_in_both_formats(rendered, name: str) -> None:
    if name not in rendered:
        pytest.skip(f"{name} takes its Word styles from a reference document")
    pdf, docx_bytes = rendered[name]
    in_pdf, in_docx = pdf_looks(pdf), docx_looks(docx_bytes)
    assert set(in_pdf) == set(MARKERS), f"roles missing from the PDF: {set(MARKERS) - set(in_pdf)}"
    assert set(in_docx) == set(MARKERS), \
        f"roles missing from the DOCX: {set(MARKERS) - set(in_docx)}"
    sheet = resolve(load_style(name))
    problems = []
    for role in MARKERS:
        want = sheet.role(role)
        p_fam, p_bold, p_italic, p_size, p_colour = in_pdf[role]
        w_fam, w_bold, w_italic, w_size, w_colour = in_docx[role]
        if p_fam != w_fam:
            problems.append(f"{role}: font {p_fam} in the PDF, {w_fam} in the DOCX")
        for what, a, b, expected in (("bold", p_bold, w_bold, want.bold),
                                     ("italic", p_italic, w_italic, want.italic),
                                     ("size", p_size, w_size, want.size),
                                     ("colour", p_colour, w_colour, want.colour.upper())):
            if not (a == b == expected):
                problems.append(f"{role}: {what} {a!r} in the PDF, {b!r} in the DOCX, "
                                f"{expected!r} in the stylesheet")
    assert not problems, "\n".join(problems)


def test_markers_are_read_from_real_output(rendered) -> None:
    """The reader is not hollow: a PDF in another style reads back differently."""
    looks = {name: pdf_looks(pdf)["h1"] for name, (pdf, _docx) in rendered.items()}
    assert len(set(looks.values())) > 1, looks
