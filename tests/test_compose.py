"""Compose: the pack template turns a brief into the document model; brief text stays text."""

from __future__ import annotations

from pathlib import Path

import pytest

import briefgen
from briefgen import document as d
from briefgen.compose import compose, parse_pack
from briefgen.errors import BriefError
from briefgen.inline import parse_inline
from conftest import SAMPLE
from test_validation import MINIMAL


@pytest.fixture(scope="module")
def sample_doc() -> d.Document:
    return briefgen.compose_brief(SAMPLE)


def texts(doc: d.Document) -> str:
    return " ".join(n.text for n in doc.walk() if isinstance(n, d.Text))


def test_sample_document_structure(sample_doc: d.Document):
    heads = [(h.level, d.plain_text(h.children)) for h in sample_doc.headings()]
    titles = [t for _, t in heads]
    for expected in ("Lines to take", "Key facts and figures", "Background", "Key actors",
                     "Agreements", "Risks and assessment", "Attributed analysis and quotes",
                     "Annex A: Chronology", "Sources"):
        assert expected in titles
    # sections follow the conventions' order: lines to take before background before annexes
    assert titles.index("Lines to take") < titles.index("Background") < \
        titles.index("Annex A: Chronology")
    assert isinstance(sample_doc.blocks[0], d.TitleBlock)
    assert any(isinstance(b, d.Contents) for b in sample_doc.blocks)
    box = next(b for b in sample_doc.blocks if isinstance(b, d.Box))
    assert box.role == "summary"
    anchors = [h.anchor for h in sample_doc.headings()]
    assert len(anchors) == len(set(anchors))


def test_sample_meta(sample_doc: d.Document):
    m = sample_doc.meta
    assert m.marking == d.Marking("tlp", "TLP:CLEAR")
    assert m.date.isoformat().startswith("2023-09-20")
    assert m.lang == "en-GB"
    assert "TLP:CLEAR" in m.subject and "TLP:CLEAR" in m.keywords
    assert m.label("page_x_of_y", "") == "Page {page} of {total}"
    marking_paras = [b for b in sample_doc.blocks
                     if isinstance(b, d.Paragraph) and b.role == "marking"]
    assert len(marking_paras) == 1 and "TLP:CLEAR" in d.plain_text(marking_paras[0].children)


def test_sample_tables_carry_qualifiers_and_attribution(sample_doc: d.Document):
    tables = [b for b in sample_doc.walk() if isinstance(b, d.Table)]
    assert len(tables) >= 5  # figures, actors, terms, risks, chronology, scale
    fig = tables[0]
    rows = [" | ".join(d.plain_text(p.children) for c in r for p in c.blocks
                       if isinstance(p, d.Paragraph)) for r in fig.rows]
    joined = "\n".join(rows)
    assert "at least 200" in joined and "more than 400" in joined and "up to 2,000" in joined
    assert "2,261" in joined and "1,049" in joined
    assert "Russian military" in joined
    for t in tables:
        assert all(len(r) == t.ncols for r in t.rows)


def test_citations_become_notes_naming_the_source(sample_doc: d.Document):
    notes = sample_doc.notes()
    assert notes, "citations should become notes"
    first = d.plain_text(notes[0].children)
    assert "NPR" in first and "20 September 2023" in first


def test_chronology_is_in_date_order(sample_doc: d.Document):
    chron = next(b for b in sample_doc.walk() if isinstance(b, d.Table)
                 and "Event" in d.plain_text(b.header[1].blocks[0].children))
    first_cells = [d.plain_text(r[0].blocks[0].children) for r in chron.rows]
    assert first_cells[0].startswith("2020")
    assert first_cells[-1].startswith("20 September 2023")


HOSTILE = "a<b Q&A &copy <img src=\"/etc/passwd\"> {{ 7*7 }} {% for x in y %} <b>x</b> ]]> &amp;"


def test_brief_text_is_never_markup_or_template():
    text = MINIMAL.replace("title: A brief", f"title: '{HOSTILE}'").replace(
        "  - One point [@src].", f"  - '{HOSTILE} [@src]'")
    doc = compose(briefgen.parse_brief(text))
    all_text = texts(doc)
    assert HOSTILE in all_text  # title, printed literally
    summary = next(b for b in doc.blocks if isinstance(b, d.Box))
    item = summary.blocks[0]
    assert isinstance(item, d.ListBlock)
    para = item.items[0][0]
    assert d.plain_text(para.children).startswith(HOSTILE.replace("<b>x</b>", "<b>x</b>"))
    assert "49" not in all_text


def test_rich_text_formatting_and_unsafe_links():
    out = parse_inline("**b** *i* [ok](https://x.org) [bad](javascript:alert(1)) "
                       "[f](file:///etc/passwd)")
    kinds = [type(n).__name__ for n in out]
    assert "Strong" in kinds and "Emph" in kinds
    links = [n for n in out if isinstance(n, d.Link)]
    assert [lk.url for lk in links] == ["https://x.org"]
    plain = d.plain_text(out)
    assert "[bad](javascript:alert(1))" in plain and "[f](file:///etc/passwd)" in plain


def test_multiple_citations_and_locators():
    text = MINIMAL.replace("[@src]", "[@src, p. 4; @other]") + "  - key: other\n    title: T2\n"
    doc = compose(briefgen.parse_brief(text))
    (note,) = doc.notes()
    s = d.plain_text(note.children)
    assert "A source" in s and "p. 4" in s and "T2" in s


def test_french_labels():
    doc = compose(briefgen.parse_brief(MINIMAL + "language: fr\n"))
    titles = [d.plain_text(h.children) for h in doc.headings()]
    assert "Sources" in titles
    box = next(b for b in doc.blocks if isinstance(b, d.Box))
    assert d.plain_text(box.title) == "Synthèse"
    assert doc.meta.label("page_x_of_y", "") == "Page {page} sur {total}"
    assert doc.meta.marking.label == "TLP:GREEN"  # never translated


def test_user_template_errors_name_file_and_line(tmp_path: Path):
    brief = briefgen.parse_brief(MINIMAL)
    bad = tmp_path / "bad.xml.j2"
    bad.write_text("<pack>\n<h1>{{ brief.title }}</h1>\n{% if %}\n</pack>\n")
    with pytest.raises(BriefError) as exc:
        compose(brief, bad)
    assert f"{bad}:3:" in str(exc.value)
    bad.write_text("<pack>\n<h1>{{ brief.title }}</h1>\n<p>{{ brief.nope }}</p>\n</pack>\n")
    with pytest.raises(BriefError) as exc:
        compose(brief, bad)
    assert f"{bad}:3:" in str(exc.value) and "nope" in str(exc.value)


def test_user_template_is_sandboxed(tmp_path: Path):
    brief = briefgen.parse_brief(MINIMAL)
    evil = tmp_path / "evil.xml.j2"
    evil.write_text("<pack><p>{{ brief.__class__.__mro__[1].__subclasses__() }}</p></pack>")
    with pytest.raises(BriefError, match="template"):
        compose(brief, evil)


def test_user_template_reorders_and_renames(tmp_path: Path):
    brief = briefgen.parse_brief(MINIMAL)
    t = tmp_path / "mine.xml.j2"
    t.write_text('<pack title="{{ brief.title }}" date="{{ brief.date }}">\n'
                 '<h1 id="first">Bottom line</h1>\n<ul>{% for s in brief.summary %}'
                 '<li>{{ s | rich }}</li>{% endfor %}</ul>\n'
                 '<p>See <ref to="first">above</ref>.</p></pack>\n')
    doc = compose(brief, t)
    assert [d.plain_text(h.children) for h in doc.headings()] == ["Bottom line"]
    assert len(doc.notes()) == 1
    assert any(isinstance(n, d.Ref) for n in doc.walk())


def test_pack_xml_is_checked():
    with pytest.raises(BriefError, match="unknown element <script>"):
        parse_pack("<pack><script/></pack>")
    with pytest.raises(BriefError, match="DOCTYPE"):
        parse_pack('<!DOCTYPE x [<!ENTITY a "b">]><pack/>')
    with pytest.raises(BriefError, match="header row"):
        parse_pack("<pack><table><tr><td>x</td></tr></table></pack>")
    with pytest.raises(BriefError, match="names no heading"):
        parse_pack('<pack><p><ref to="nowhere">x</ref></p></pack>')


@pytest.mark.parametrize("name", ["full", "meeting", "summary"])
def test_every_shipped_template_composes_the_sample(name: str):
    doc = compose(briefgen.load_brief(SAMPLE), name)
    titles = [d.plain_text(h.children) for h in doc.headings()]
    assert "Sources" in titles
    assert doc.meta.marking == d.Marking("tlp", "TLP:CLEAR")


def test_templates_differ_in_content_and_order():
    brief = briefgen.load_brief(SAMPLE)
    heads = {n: [d.plain_text(h.children) for h in compose(brief, n).headings() if h.level == 1]
             for n in ("full", "meeting", "summary")}
    assert "Annex A: Chronology" in heads["full"]
    assert "Annex A: Chronology" not in heads["summary"]
    assert "Key actors" not in heads["summary"]
    assert heads["meeting"].index("Lines to take") < heads["meeting"].index("Background")
    assert not any(isinstance(b, d.Contents) for b in compose(brief, "summary").blocks)


def test_copied_template_with_reordered_and_renamed_section_builds(tmp_path: Path):
    from click.testing import CliRunner

    from briefgen.cli import cli

    r = CliRunner().invoke(cli, ["templates", "copy", "full", str(tmp_path)])
    assert r.exit_code == 0, r.stderr
    t = tmp_path / "full.xml.j2"
    text = t.read_text()
    # move Background before Lines to take, and rename it
    text = text.replace("{{ s.background() }}\n", "")
    text = text.replace("{{ s.lines_to_take() }}",
                        '{{ s.background(title="Context and history") }}\n{{ s.lines_to_take() }}')
    t.write_text(text)
    doc = compose(briefgen.load_brief(SAMPLE), t)
    heads = [d.plain_text(h.children) for h in doc.headings() if h.level == 1]
    assert "Background" not in heads
    assert heads.index("Context and history") < heads.index("Lines to take")
    out = tmp_path / "out"
    r = CliRunner().invoke(cli, ["build", str(SAMPLE), "-o", str(out), "--template", str(t),
                                 "--format", "docx"])
    assert r.exit_code == 0, r.stderr
    import docx

    paras = [p.text for p in docx.Document(str(out / f"{SAMPLE.stem}.docx")).paragraphs]
    assert paras.index("Context and history") < paras.index("Lines to take")


def test_compiled_templates_cached_between_processes_and_never_stale(tmp_path: Path,
                                                                      monkeypatch):
    """Compiled templates go to a private per-user folder; a fresh environment (as a new
    process would have) loads them from there, and an edited template is compiled anew."""
    from jinja2 import FileSystemBytecodeCache

    from briefgen import compose as compose_module

    cache_dir = tmp_path / "cache"
    cache_dir.mkdir(mode=0o700)
    monkeypatch.setattr(compose_module, "_template_cache",
                        lambda: compose_module._CompiledTemplates(str(cache_dir),
                                                                  "briefgen-%s.cache"))
    template = tmp_path / "mine.xml.j2"
    template.write_text('<pack><h1 id="a">{{ brief.title }}</h1></pack>\n')
    brief = briefgen.parse_brief(MINIMAL)

    def fresh_compose() -> d.Document:
        compose_module._environment.cache_clear()  # a new process: no compiled template in memory
        return compose(brief, template)

    hits, stores = [], []
    real_load, real_dump = (compose_module._CompiledTemplates.load_bytecode,
                            compose_module._CompiledTemplates.dump_bytecode)

    def load(self, bucket):
        real_load(self, bucket)
        hits.append(bucket.code is not None)

    def dump(self, bucket):
        stores.append(bucket.key)
        real_dump(self, bucket)

    monkeypatch.setattr(compose_module._CompiledTemplates, "load_bytecode", load)
    monkeypatch.setattr(compose_module._CompiledTemplates, "dump_bytecode", dump)
    first = fresh_compose()
    assert d.plain_text(first.blocks[0].children) == "A brief"
    cached = sorted(p.name for p in cache_dir.iterdir())
    assert cached and all(n.startswith("briefgen-") for n in cached)
    assert stores, "the first compile is stored"
    hits.clear(), stores.clear()
    assert fresh_compose() == first
    assert hits and all(hits) and not stores  # the second came from the cache, compiled once
    template.write_text('<pack><h1 id="a">Edited: {{ brief.title }}</h1></pack>\n')
    hits.clear()
    edited = fresh_compose()
    assert d.plain_text(edited.blocks[0].children) == "Edited: A brief"
    assert False in hits and stores  # the edited template missed the cache and was stored
    compose_module._environment.cache_clear()
    assert isinstance(compose_module._CompiledTemplates(str(cache_dir)), FileSystemBytecodeCache)


def test_template_cache_can_be_turned_off(monkeypatch):
    from briefgen import compose as compose_module

    monkeypatch.setenv("BRIEFGEN_NO_TEMPLATE_CACHE", "1")
    assert compose_module._template_cache() is None
    monkeypatch.delenv("BRIEFGEN_NO_TEMPLATE_CACHE")
    assert compose_module._template_cache() is not None


def test_unusable_template_cache_means_no_cache(tmp_path: Path, monkeypatch):
    from briefgen import compose as compose_module

    locked = tmp_path / "not-a-folder"  # (not a permission test: root may write anywhere)
    locked.write_text("a file where the cache folder should be")
    monkeypatch.setattr(compose_module, "_template_cache",
                        lambda: compose_module._CompiledTemplates(str(locked)))
    compose_module._environment.cache_clear()
    try:
        doc = compose(briefgen.parse_brief(MINIMAL))  # builds, though nothing can be stored
        assert doc.blocks
    finally:
        compose_module._environment.cache_clear()
