"""The hand-written floor: the sample brief's content as plain ReportLab and python-docx code.

What a competent developer would write by hand for one briefing: ReportLab's platypus with the
standard Helvetica fonts (nothing embedded), ``SimpleDocTemplate.build``, Paragraphs and Tables
with a repeated header row, the marking and a page number drawn on each page; python-docx on its
default template with ``add_heading``/``add_paragraph``/``add_table`` and the marking in the
header. None of briefgen's extras: no contents page, no embedded fonts, no notes (citations are
dropped), no "page X of Y", no drawn graphics (the risk matrix is a table of words).

``outline(data)`` lists the content once, as blocks; ``floor_pdf`` and ``floor_docx`` render
those blocks, and ``fixtures/make_fixtures.py`` renders the same blocks as HTML and Markdown
for the competitors, so that all four documents carry the same content. ``data`` is
``briefgen.load_brief(path).model_dump()``. Every text field is treated as light Markdown
(``**bold**``, ``*italic*``, ``[text](url)``, ``[@key]``): true of the sample brief.
"""

from __future__ import annotations

import datetime as dt
import io
import re

# The ICD 203 likelihood scale, least likely first (the sample's risks use it), and impacts.
SCALE = (("almost no chance / remote", "1-5%"), ("very unlikely / highly improbable", "5-20%"),
         ("unlikely / improbable", "20-45%"), ("roughly even chance / roughly even odds", "45-55%"),
         ("likely / probable", "55-80%"), ("very likely / highly probable", "80-95%"),
         ("almost certain / nearly certain", "95-99%"))
LIKELIHOOD = tuple(terms.split(" / ")[0] for terms, _ in SCALE)
RANGES = {word: rng for terms, rng in SCALE for word in terms.split(" / ")}
IMPACTS = ("minor", "limited", "moderate", "significant", "catastrophic")


def fmt_date(d) -> str:
    if isinstance(d, dt.date):
        return f"{d.day} {d:%B %Y}"
    if isinstance(d, str) and len(d) == 7:  # year-month
        return dt.date(int(d[:4]), int(d[5:]), 1).strftime("%B %Y")
    return str(d)


def _with_note(main: str, note: str | None) -> str:
    return f"{main} ({note})" if note else main


def outline(data: dict) -> list[tuple]:
    """The brief as a list of blocks: ("title"|"subtitle"|"h1"|"h2"|"p"|"marking", text),
    ("bullets", [text]), ("table", header or None, rows of cells, column fractions) where a cell
    is a list of paragraphs, and ("quote", text, attribution)."""
    b: list[tuple] = [("marking", data["marking"]["label"]), ("title", data["title"])]
    if data.get("subtitle"):
        b.append(("subtitle", data["subtitle"]))
    org = data["originator"]
    meta = [("Reference", data.get("reference")), ("Version", data.get("version")),
            ("Date", fmt_date(data["date"])),
            ("Facts as of", data.get("as_of") and fmt_date(data["as_of"])),
            ("Originator", ", ".join(x for x in (org["organisation"], org.get("unit")) if x)),
            ("Audience", data.get("audience")), ("Purpose", f"For {data['purpose']}"),
            ("Handling", data["marking"]["label"])]
    b.append(("table", None, [[[k], [v]] for k, v in meta if v], (0.25, 0.75)))
    b.append(("h1", "Summary"))
    b.append(("bullets", data["summary"]))
    if data["lines_to_take"]:
        b += [("h1", "Lines to take"), ("bullets", data["lines_to_take"])]
    if data["qa"]:
        b.append(("h1", "Questions and answers"))
        for i, qa in enumerate(data["qa"], 1):
            b += [("h2", f"Q{i}. {qa['question']}"), ("p", qa["answer"])]
    if data["figures"]:
        rows = []
        for f in data["figures"]:
            value = f"{f['value']:,}" + (f" {f['unit']}" if f.get("unit") else "")
            if f["qualifier"] != "exactly":
                value = f"{f['qualifier']} {value}"
            as_of = [fmt_date(f["as_of"])] if f.get("as_of") else []
            rows.append([[f"**{f['label']}**"] + ([f["note"]] if f.get("note") else []), [value],
                         as_of + ([f["as_of_note"]] if f.get("as_of_note") else []),
                         [f["reported_by"]]])
        b += [("h1", "Key facts and figures"),
              ("table", ["Figure", "Value", "Facts as of", "Reported by"], rows,
               (0.34, 0.18, 0.26, 0.22))]
    if data["background"]:
        b.append(("h1", "Background"))
        b += [("p", p) for p in data["background"]]
    if data["actors"]:
        rows = []
        for a in data["actors"]:
            names = [_with_note(n["name"], n.get("language")) for n in a["other_names"]]
            who = [f"**{a['name']}**", a["kind"].capitalize()]
            rows.append([who + (["Also: " + "; ".join(names)] if names else []),
                         [x for x in (a["role"], a.get("position")) if x],
                         [x for x in (a.get("leverage"), a.get("notes")) if x]])
        b += [("h1", "Key actors"), ("table", ["Actor", "Role / Position", "Leverage and notes"],
                                     rows, (0.28, 0.40, 0.32))]
    if data["agreements"]:
        b.append(("h1", "Agreements"))
        for ag in data["agreements"]:
            b.append(("h2", ag["name"]))
            if ag.get("summary"):
                b.append(("p", ag["summary"]))
            facts = [f"Brokered by: {'; '.join(ag['brokered_by'])}" if ag["brokered_by"] else "",
                     f"Parties: {'; '.join(ag['parties'])}" if ag["parties"] else "",
                     ag.get("date") and "Date: " + _with_note(fmt_date(ag["date"]),
                                                              ag.get("date_note"))]
            b.append(("bullets", [f for f in facts if f]))
            if ag["terms"]:
                rows = [[[t["obligation"]], [t["party"]], [t["status"].capitalize()]]
                        for t in ag["terms"]]
                b.append(("table", ["Obligation", "Party", "Status"], rows, (0.55, 0.28, 0.17)))
    if data["risks"]:
        rows, marks = [], {}
        for i, r in enumerate(data["risks"], 1):
            lk = r.get("likelihood")
            likelihood = []
            if lk:
                likelihood = [lk["term"].capitalize(), f"ICD 203, {RANGES.get(lk['term'], '?')}",
                              lk.get("assessed_by") and f"Assessed by: {lk['assessed_by']}"]
            rows.append([[f"**R{i}. {r['title']}**", r["description"], "Indicators to watch:"]
                         + [f"• {x}" for x in r["indicators"]],
                         [x for x in likelihood if x], [(r.get("impact") or "").capitalize()],
                         [r["analysis_by"]]])
            if lk and r.get("impact"):
                marks.setdefault((lk["term"], r["impact"]), []).append(f"R{i}")
        matrix = [[[term]] + [[" ".join(marks.get((term, imp), []))] for imp in IMPACTS]
                  for term in reversed(LIKELIHOOD)]
        b += [("h1", "Risks and assessment"),
              ("table", ["Risk", "Likelihood", "Impact", "Analysis by"], rows,
               (0.44, 0.20, 0.14, 0.22)),
              ("p", "Risks by likelihood (rows) and impact (columns):"),
              ("table", ["Likelihood"] + [i.capitalize() for i in IMPACTS], matrix,
               (0.25,) + (0.15,) * 5)]
    if data["quotes"]:
        b.append(("h1", "Attributed analysis and quotes"))
        for q in data["quotes"]:
            who = [q["speaker"], q.get("affiliation"), q.get("occasion")]
            when = q.get("date_note") or (q.get("date") and fmt_date(q["date"]))
            b.append(("quote", q["text"], _with_note(", ".join(w for w in who if w), when)))
    for s in data["sections"]:
        b.append(("h1", s["title"]))
        b += [("p", p) for p in s["paragraphs"]]
        if s["bullets"]:
            b.append(("bullets", s["bullets"]))
    if data["timeline"]:
        rows = [[[_with_note(fmt_date(e["date"]), e.get("date_note"))], [e["text"]]]
                for e in data["timeline"]]
        b += [("h1", "Annex A: Chronology"), ("table", ["Date", "Event"], rows, (0.27, 0.73))]
    b += [("h1", "Annex B: Probability scale (ICD 203)"),
          ("table", ["Term", "Meaning"], [[[t], [p]] for t, p in SCALE], (0.75, 0.25))]
    b.append(("h1", "Sources"))
    b.append(("bullets", [", ".join(x for x in (s.get("publisher"), s["title"],
                                                 s.get("date") and fmt_date(s["date"])) if x)
                          + "." + (f" {s['note']}" if s.get("note") else "")
                          for s in data["sources"]]))
    return b


# --------------------------------------------------------------------------------------------
# Inline text: citations dropped, **bold** and *italic* kept, links as text (DOCX) or <a> (PDF)

_CITE = re.compile(r"\s*\[@[^\]]+\]")
_INLINE = re.compile(r"\*\*(.+?)\*\*|\*(.+?)\*|\[([^\]]+)\]\(([^)]+)\)")


def _markup(text: str) -> str:
    """ReportLab paragraph markup."""
    text = _CITE.sub("", text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return _INLINE.sub(lambda m: f"<b>{m[1]}</b>" if m[1] else f"<i>{m[2]}</i>" if m[2]
                       else f'<a href="{m[4]}" color="blue">{m[3]}</a>', text)


def _runs(paragraph, text: str) -> None:
    """Add ``text`` to a python-docx paragraph as runs, bold and italic where marked."""
    text, pos = _CITE.sub("", text), 0
    for m in _INLINE.finditer(text):
        if m.start() > pos:
            paragraph.add_run(text[pos:m.start()])
        run = paragraph.add_run(m[1] or m[2] or m[3])
        run.bold, run.italic = bool(m[1]) or None, bool(m[2]) or None
        pos = m.end()
    if pos < len(text):
        paragraph.add_run(text[pos:])


# --------------------------------------------------------------------------------------------
# PDF


def floor_pdf(data: dict) -> bytes:
    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.lib.units import mm
    from reportlab.platypus import (
        ListFlowable,
        Paragraph,
        SimpleDocTemplate,
        Spacer,
        Table,
        TableStyle,
    )

    ss = getSampleStyleSheet()
    body = ParagraphStyle("body", ss["BodyText"], fontName="Helvetica", fontSize=10.5,
                          leading=14, spaceAfter=5)
    cell = ParagraphStyle("cell", body, fontSize=9, leading=11.5, spaceAfter=3)
    st = {"title": ParagraphStyle("t", ss["Title"], alignment=0, fontSize=22, leading=27),
          "subtitle": ParagraphStyle("s", body, fontSize=13, leading=17, spaceAfter=12),
          "h1": ParagraphStyle("h1", ss["Heading1"], fontSize=15, textColor=colors.navy,
                                keepWithNext=1),
          "h2": ParagraphStyle("h2", ss["Heading2"], fontSize=12.5, textColor=colors.navy,
                                keepWithNext=1),
          "p": body}
    quote = ParagraphStyle("q", body, leftIndent=8 * mm, fontName="Helvetica-Oblique")
    attribution = ParagraphStyle("qa", cell, leftIndent=8 * mm, spaceAfter=10)
    width = A4[0] - 44 * mm
    grid = TableStyle([("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                       ("VALIGN", (0, 0), (-1, -1), "TOP"),
                       ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#dde3ee"))])
    story, marking = [], ""
    for block in outline(data):
        kind = block[0]
        if kind == "marking":
            marking = block[1]
        elif kind == "bullets":
            story.append(ListFlowable([Paragraph(_markup(t), body) for t in block[1]],
                                      bulletType="bullet", leftIndent=12))
        elif kind == "table":
            _, header, rows, fractions = block
            cells = [[[Paragraph(_markup(p), cell) for p in c] for c in row] for row in rows]
            if header:
                cells.insert(0, [Paragraph(f"<b>{h}</b>", cell) for h in header])
            table = Table(cells, colWidths=[f * width for f in fractions],
                          repeatRows=1 if header else 0)
            table.setStyle(grid if header else TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")]))
            story += [table, Spacer(1, 6)]
        elif kind == "quote":
            story += [Paragraph(_markup(f"“{block[1]}”"), quote),
                      Paragraph(_markup(f"— {block[2]}"), attribution)]
        else:
            story.append(Paragraph(_markup(block[1]), st[kind]))

    def decorate(canvas, doc):
        canvas.saveState()
        canvas.setFont("Helvetica-Bold", 9)
        canvas.drawRightString(A4[0] - 22 * mm, A4[1] - 15 * mm, marking)
        canvas.setFont("Helvetica", 8.5)
        canvas.drawString(22 * mm, 12 * mm, f"{data.get('reference') or ''}  {marking}")
        canvas.drawRightString(A4[0] - 22 * mm, 12 * mm, f"Page {doc.page}")
        canvas.restoreState()

    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=22 * mm, rightMargin=22 * mm,
                            topMargin=25 * mm, bottomMargin=22 * mm, title=data["title"])
    doc.build(story, onFirstPage=decorate, onLaterPages=decorate)
    return out.getvalue()


# --------------------------------------------------------------------------------------------
# DOCX


def floor_docx(data: dict) -> bytes:
    import docx
    from docx.shared import Mm, Pt

    doc = docx.Document()
    section = doc.sections[0]
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.left_margin = section.right_margin = Mm(22)
    for block in outline(data):
        kind = block[0]
        if kind == "marking":
            section.header.paragraphs[0].text = block[1]
            section.footer.paragraphs[0].text = block[1]
        elif kind in ("title", "h1", "h2"):
            doc.add_heading(block[1].replace("**", ""), {"title": 0, "h1": 1, "h2": 2}[kind])
        elif kind == "subtitle":
            doc.add_paragraph(block[1], style="Subtitle")
        elif kind == "p":
            _runs(doc.add_paragraph(), block[1])
        elif kind == "bullets":
            for t in block[1]:
                _runs(doc.add_paragraph(style="List Bullet"), t)
        elif kind == "table":
            _, header, rows, fractions = block
            table = doc.add_table(rows=0, cols=len(fractions), style="Table Grid")
            if header:
                for c, h in zip(table.add_row().cells, header, strict=True):
                    c.paragraphs[0].add_run(h).bold = True
            for row in rows:
                for c, paragraphs in zip(table.add_row().cells, row, strict=True):
                    for i, text in enumerate(paragraphs):
                        _runs(c.paragraphs[0] if i == 0 else c.add_paragraph(), text)
            for col, f in zip(table.columns, fractions, strict=True):
                col.width = Mm(166 * f)
            doc.add_paragraph()
        elif kind == "quote":
            _runs(doc.add_paragraph(style="Quote"), f"“{block[1]}”")
            doc.add_paragraph(f"— {block[2]}").runs[0].font.size = Pt(9)
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


if __name__ == "__main__":  # write floor.pdf and floor.docx of the sample, for a look
    import sys
    from pathlib import Path

    import briefgen

    root = Path(__file__).resolve().parents[1]
    sample = root / "briefs" / "nagorno-karabakh-2023-09-ceasefire.yaml"
    target = Path(sys.argv[1] if len(sys.argv) > 1 else ".")
    d = briefgen.load_brief(sample).model_dump()
    (target / "floor.pdf").write_bytes(floor_pdf(d))
    (target / "floor.docx").write_bytes(floor_docx(d))
    print(f"wrote {target / 'floor.pdf'} and {target / 'floor.docx'}")
