"""The template sandbox: hostile pack templates are refused with the template file and line
(exit 2 from the CLI, nothing written), or print only plain data; templates cannot touch the
disk, change the caller's brief or the label cache, or run without end."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

import briefgen
from briefgen.cli import cli
from briefgen.compose import compose, load_labels, render_template
from briefgen.errors import BriefError
from test_validation import MINIMAL

BRIEF = briefgen.parse_brief(MINIMAL)
HEAD = "<pack>\n{# attack on the next line #}\n"
TAIL = "\n<p>end</p>\n</pack>\n"


def write(tmp_path: Path, body: str, name: str = "t.xml.j2") -> Path:
    p = tmp_path / name
    p.write_text(HEAD + body + TAIL, encoding="utf-8")
    return p


def refused(tmp_path: Path, body: str, brief: briefgen.Brief = BRIEF) -> str:
    path = write(tmp_path, body)
    t0 = time.monotonic()
    with pytest.raises(BriefError) as exc:
        compose(brief, path)
    assert time.monotonic() - t0 < 5
    [diag] = exc.value.diagnostics
    assert Path(diag.file).resolve() == path.resolve(), str(diag)
    assert diag.line == 3, str(diag)
    return diag.message


ESCAPES = {
    "issue: read a file through a model": "{{ style.cover.model_validate({'logo': '/etc/passwd'})"
                                          ".logo.read_text() }}",
    "issue: write a file": "{{ style.cover.model_validate({'logo': 'x.pth'}).logo"
                           ".write_text('import os') }}",
    "issue: list a folder": "{{ style.page.model_validate({}).model_fields }}",
    "class of data": "{{ brief.__class__ }}",
    "mro walk": "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "subclasses via base": "{{ brief.title.__class__.__base__.__subclasses__() }}",
    "cycler globals": "{{ cycler.__init__.__globals__ }}",
    "joiner globals": "{{ joiner.__init__.__globals__.os }}",
    "namespace globals": "{{ namespace.__init__.__globals__ }}",
    "lipsum globals": "{{ lipsum.__globals__ }}",
    "template context": "{{ self._TemplateReference__context }}",
    "self dict": "{{ self.__dict__ }}",
    "loop internals": "{% for x in brief.summary %}{{ loop.__class__.__init__ }}{% endfor %}",
    "format attribute": "{{ '{0.__class__}'.format(brief) }}",
    "format index": "{{ '{0[0]}'.format(brief.summary) }}",
    "format width bomb": "{{ '{:>999999999}'.format(1) }}",
    "format_map": "{{ '{x.__class__}'.format_map({'x': brief}) }}",
    "percent formatting": "{{ '%s' % brief }}",
    "percent width bomb": "{{ '%999999999d' % 1 }}",
    "attr on undefined": "{{ nothing.attr }}",
    "attr filter": "{{ brief|attr('__class__') }}",
    "map attr": "{{ brief.summary|map('attr', '__class__')|list }}",
    "pprint objects": "{{ brief|pprint }}",
    "huge range": "{% for i in range(10**9) %}{% endfor %}",
    "nested ranges never end": "{% for i in range(100000) %}{% for j in range(100000) %}"
                               "{% endfor %}{% endfor %}",
    "macro recursion": "{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}",
    "recursive loop": "{% for x in brief.summary recursive %}{{ loop(brief.summary) }}"
                      "{% endfor %}",
    "string multiplication": "{{ 'a' * 10**9 }}",
    "list multiplication": "{{ ([1] * 10**9)|length }}",
    "power bomb": "{{ 10 ** (10 ** 10) }}",
    "doubling namespace": "{% set ns = namespace(x='ab') %}{% for i in range(40) %}"
                          "{% set ns.x = ns.x ~ ns.x %}{% endfor %}{{ ns.x|length }}",
    "doubling plus": "{% set ns = namespace(x='ab') %}{% for i in range(40) %}"
                     "{% set ns.x = ns.x + ns.x %}{% endfor %}",
    "join bomb": "{{ ''.join(['a' * 4000000] * 100) }}",
    "join filter bomb": "{{ (['a' * 4000000] * 100)|join }}",
    "replace bomb": "{{ ('x' * 100000)|replace('', 'y' * 1000) }}",
    "center bomb": "{{ 'x'|center(10**9) }}",
    "indent bomb": "{{ ('x\\n' * 100000)|indent(10000) }}",
    "batch bomb": "{{ [1]|batch(10**9, 'x')|list }}",
    "sum of lists": "{{ ([[1] * 1000] * 1000)|sum(start=[]) }}",
    "strftime width": "{{ brief.date.strftime('%999999999Y') }}",
    "mutate the brief": "{{ brief.summary.append('injected') }}",
    "mutate labels": "{{ labels.update({'summary': 'POISONED'}) }}",
    "mutate labels by item": "{% set x = labels.months.append('x') %}{{ x }}",
    "function internals": "{{ scales.icd203.find.fn.__globals__ }}",
    "safe function attribute": "{{ scales.icd203.find.fn }}",
    "filter internals": "{{ range.__globals__ }}",
    "date class": "{{ brief.date.__class__.fromtimestamp }}",
    "dict global": "{{ dict.__call__.__globals__ }}",
    "output flood": "{% for i in range(100000) %}{{ 'a' * 4000000 }}{% endfor %}",
    "call a type": "{{ brief.title.__class__('x') }}",
    "tojson": "{{ brief|tojson }}",
    "include a parent path": "{% include '../../../../etc/passwd' %}",
    "include an absolute path": "{% include '/etc/passwd' %}",
    "extends an absolute path": "{% extends '/etc/passwd' %}",
    "print a class": "{{ cycler }}",
    "print a macro": "{% macro m() %}{% endmacro %}{{ m }}",
    "print a function": "{{ scales.icd203.find }}",
    "loop object": "{% for x in brief.summary %}{{ loop }}{% endfor %}",
    "getitem dunder": "{{ brief['__class__'] }}",
    "getitem dunder on text": "{{ brief.title['__class__'] }}",
    "namespace internals": "{{ namespace()._Namespace__attrs }}",
    "generator frame": "{{ (brief.summary|map('upper')).gi_frame }}",
    'map center alloc': "{{ (range(100000)|map('center', 5000000)|list)|length }}",
    'references to one big text':
        "{% set s = 'x' * 1000000 %}"
        "{% set l = ([none] * 100000)|map('default', s, true)|list %}{{ l|length }}",
    'nested repetition': '{{ [[1] * 100000] * 100000 }}',
    'literal of references':
        "{% set s = 'x' * 1000000 %}{{ [s, s, s, s, s, s, s, s, s, s, s, s, s] }}",
    'macro varargs of references':
        "{% set s = 'x' * 1000000 %}{% macro m() %}{{ varargs }}{% endmacro %}"
        "{{ m(s, s, s, s, s, s, s, s, s, s, s, s, s) }}",
    'cycler of references':
        "{% set s = 'x' * 1000000 %}"
        "{{ cycler(s, s, s, s, s, s, s, s, s, s, s, s, s).items|length }}",
    'growing list in a namespace':
        "{% set s = 'x' * 1000000 %}{% set ns = namespace(l=[]) %}"
        "{% for i in range(100000) %}{% set ns.l = ns.l + [s] %}{% endfor %}",
    'batch fill of references':
        "{% set s = 'x' * 1000000 %}{{ ([1]|batch(100000, s)|list)|length }}",
    'dict of references':
        "{% set s = 'x' * 1000000 %}"
        "{{ dict(a=s, b=s, c=s, d=s, e=s, f=s, g=s, h=s, i=s, j=s, k=s, l=s, m=s) }}",
    'building char by char':
        "{% set ns = namespace(x='') %}{% for i in range(100000) %}{% for j in range(20) %}"
        "{% set ns.x = ns.x ~ 'abcdefghij' %}{% endfor %}{% endfor %}",
    "fuzz: empty cycler": "{{ cycler().next() }}",
    "fuzz: a class through our date filter": "{{ cycler|date }}",
    "a class through our rich filter": "{{ cycler|rich }}",
    "fuzz: empty cycler in a loop": "{% for x in cycler() %}{% endfor %}",
}


BOUNDED = {"huge range", "nested ranges never end", "string multiplication",
           "list multiplication", "power bomb", "doubling namespace", "doubling plus",
           "join bomb", "join filter bomb", "replace bomb", "center bomb", "indent bomb",
           "batch bomb", "output flood", *['map center alloc', 'references to one big text',
                                           'nested repetition', 'literal of references',
                                           'macro varargs of references', 'cycler of references',
                                           'growing list in a namespace',
                                           'batch fill of references', 'dict of references',
                                           'building char by char']}


@pytest.mark.parametrize("attack", list(ESCAPES))
def test_hostile_template_is_refused_at_its_line(tmp_path: Path, attack: str):
    message = refused(tmp_path, ESCAPES[attack])
    if attack in BOUNDED:
        assert "limit" in message or "more than" in message or "too large" in message, message


def test_escapes_in_template_messages_are_escaped(tmp_path: Path):
    message = refused(tmp_path, "{{ brief['\\x1b[2K\\rerror: forged'].x }}")
    assert "\x1b" not in message and "\r" not in message
    assert "\\x1b[2K\\rerror: forged" in message


def test_no_file_is_read_or_written(tmp_path: Path):
    target = tmp_path / "pwned.pth"
    refused(tmp_path, "{{ style.cover.model_validate({'logo': '" + str(target)
            + "'}).logo.write_text('x') }}")
    assert not target.exists()


def test_brief_and_label_cache_are_not_changed(tmp_path: Path):
    before = BRIEF.model_dump()
    for attack in ("mutate the brief", "mutate labels", "mutate labels by item"):
        refused(tmp_path, ESCAPES[attack])
    assert BRIEF.model_dump() == before
    assert load_labels(BRIEF.language)["summary"] == "Summary"
    assert len(load_labels(BRIEF.language)["months"]) == 12
    with pytest.raises((TypeError, AttributeError)):
        load_labels(BRIEF.language)["summary"] = "x"  # type: ignore[index]


def test_ordinary_template_features_still_work(tmp_path: Path):
    path = write(tmp_path, "{% set ns = namespace(n=0) %}{% for i in range(3) %}"
                           "{% set ns.n = ns.n + 1 %}{% endfor %}{% set c = cycler('a', 'b') %}"
                           "{% set j = joiner('+') %}<p>{{ ns.n }}|{% for x in range(3) %}"
                           "{{ j() }}{{ c.next() }}{{ loop.index }}{% if loop.last %}!{% endif %}"
                           "{% endfor %}|{{ brief.summary|map('upper')|join(',') }}|"
                           "{{ dict(a=1).a }}|{{ 'x' * 3 }}|{{ [1, 2] + [3] }}|{{ 2 ** 10 }}|"
                           "{{ labels.months[0] }}|{{ brief.title.upper() }}</p>")
    xml, _ = render_template(BRIEF, path)
    assert "<p>3|a1+b2+a3!|ONE POINT [@SRC].|1|xxx|(1, 2, 3)|1024|January|A BRIEF</p>" in xml \
        or "<p>3|a1+b2+a3!|ONE POINT [@SRC].|1|xxx|[1, 2, 3]|1024|January|A BRIEF</p>" in xml, xml


def test_template_sees_only_plain_data(tmp_path: Path):
    path = write(tmp_path, "<p>{{ brief.title }}|{{ style.cover.logo }}|{{ brief.__class__ }}"
                           "{% if brief.__class__ is defined %}LEAK{% endif %}"
                           "|{{ '{t}!'.format(t=brief.title) }}|{{ brief.date.isoformat() }}"
                           "|{{ brief.summary|length }}|{{ (scales.phia.find('likely')).range }}"
                           "</p>".replace("{{ brief.__class__ }}", ""))
    xml, _ = render_template(BRIEF, path)
    assert "<p>A brief|None||A brief!|2023-09-20|1|55-75%</p>" in xml
    assert "LEAK" not in xml
    path = write(tmp_path, "<p>{{ scales.icd203 }}</p>")  # found by the fuzzer: an address
    xml, _ = render_template(BRIEF, path)
    assert " at 0x" not in xml and "SafeFunction" not in xml and "ICD 203" in xml


def test_include_cannot_follow_a_link_out_of_the_folder(tmp_path: Path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text("TOP SECRET CONTENT")
    folder = tmp_path / "tpl"
    folder.mkdir()
    os.symlink(outside / "secret.txt", folder / "link.j2")
    msg = refused(folder, "{% include 'link.j2' %}")
    assert "outside the template folder" in msg
    msg = refused(folder, "{% import 'link.j2' as x %}")
    assert "outside the template folder" in msg


def test_include_of_a_fifo_is_refused(tmp_path: Path):
    os.mkfifo(tmp_path / "pipe.j2")
    t0 = time.monotonic()
    refused(tmp_path, "{% include 'pipe.j2' %}")
    assert time.monotonic() - t0 < 5


def test_template_file_that_is_not_regular_is_refused(tmp_path: Path):
    os.mkfifo(tmp_path / "pipe.xml.j2")
    with pytest.raises(BriefError) as exc:
        compose(BRIEF, tmp_path / "pipe.xml.j2")
    assert "not a regular file" in str(exc.value)


def test_footer_label_cannot_format_objects(tmp_path: Path):
    path = tmp_path / "t.xml.j2"
    path.write_text('<pack label-page_x_of_y="{page.__class__} {total.__class__}"></pack>')
    with pytest.raises(BriefError) as exc:
        compose(BRIEF, path)
    assert "{page} and {total}" in str(exc.value)
    path.write_text('<pack label-page_x_of_y="{{ \'Seite {page} von {total} {{x}}\' }}">'
                    "<p>x</p></pack>")
    doc = compose(BRIEF, path)
    assert doc.meta.labels["page_x_of_y"] == "Seite {page} von {total} {{x}}"


@pytest.mark.parametrize("attr, message", [('date="nonsense"', "not an ISO date"),
                                           ('date="{{ 10**5 }}-01-01"', "not an ISO date")])
def test_bad_pack_attributes_are_located_errors(tmp_path: Path, attr: str, message: str):
    path = tmp_path / "t.xml.j2"
    path.write_text(f"<pack {attr}><p>x</p></pack>")
    with pytest.raises(BriefError) as exc:
        compose(BRIEF, path)
    assert message in str(exc.value)


def test_bad_table_widths_are_located_errors(tmp_path: Path):
    for widths in ("a,b", "nan", "inf", "1e999"):
        path = tmp_path / "t.xml.j2"
        path.write_text(f'<pack><table widths="{widths}"><tr><th>x</th></tr></table></pack>')
        with pytest.raises(BriefError) as exc:
            compose(BRIEF, path)
        assert "widths must give one positive number" in str(exc.value)


def test_wall_time_is_bounded(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    monkeypatch.setenv("BRIEFGEN_TEMPLATE_SECONDS", "0.3")
    t0 = time.monotonic()
    msg = refused(tmp_path, "{% for i in range(100000) %}{{ brief.summary|join|upper|length }}"
                            "{% for c in brief.title * 20 %}{{ c|upper }}{% endfor %}{% endfor %}")
    assert time.monotonic() - t0 < 3
    assert "more than 0.3 s" in msg


def test_cli_exit_2_names_template_line_and_writes_nothing(tmp_path: Path):
    brief = tmp_path / "brief.yaml"
    brief.write_text(MINIMAL)
    tpl = write(tmp_path, ESCAPES["issue: read a file through a model"])
    out = tmp_path / "out"
    out.mkdir()
    r = CliRunner().invoke(cli, ["build", str(brief), "--template", str(tpl), "-o", str(out)])
    assert r.exit_code == 2, r.output
    assert f"{tpl.name}:3" in r.stderr
    assert "root:" not in r.stdout + r.stderr
    assert list(out.iterdir()) == []


def test_shipped_templates_still_render_the_sample():
    from conftest import SAMPLE

    brief = briefgen.load_brief(SAMPLE)
    for name in ("full", "meeting", "summary"):
        xml, _ = render_template(brief, name)
        assert xml.count("<h1") > 2 or name == "summary"
