"""Compose: a pack template turns a brief into the document model.

A pack template is a Jinja2 template, run in Jinja2's sandbox with autoescaping, that writes a
small XML vocabulary (``<pack>``, ``<h1>``, ``<p>``, ``<ul>``, ``<table>`` ...; see
``templates/README.md``). Brief text reaches it only through autoescaping (plain text) or the
``rich`` filter (rich text parsed by :mod:`briefgen.inline`), so it is always text, never template
code or markup. The XML is then read into :class:`~briefgen.document.Document`.
"""

from __future__ import annotations

import datetime as dt
import html
import os
import re
import traceback
from collections.abc import Mapping
from contextvars import ContextVar
from functools import lru_cache
from pathlib import Path
from typing import Any

from jinja2 import (
    FileSystemBytecodeCache,
    StrictUndefined,
    TemplateError,
    TemplateSyntaxError,
    pass_context,
)
from jinja2.bccache import Bucket
from jinja2.environment import TemplateModule
from jinja2.utils import missing
from markupsafe import Markup

from . import document as d
from .composed import ComposeReport
from .errors import BriefError, Diagnostic
from .estimative import BANDS, SCALES, MatrixAxes
from .inline import CITATION, Citation, parse_inline
from .loader import label_set, printable
from .model import CURRENCY_SIGNS, Brief, KeyFigure
from .packxml import _near, parse_pack, slug
from .paths import data
from .sandbox import VERSION as SANDBOX_VERSION
from .sandbox import (
    Record,
    SafeEnvironment,
    SafeLoader,
    budget,
    iter_limited,
    plain,
    seconds_allowed,
    template_file_problem,
)
from .style import Style
from .xmltext import escape, quoteattr

# --------------------------------------------------------------------------------------------
# Templates and labels


def shipped_templates_dir() -> Path:
    return data("templates")


def available_templates() -> dict[str, Path]:
    return {p.name.removesuffix(".xml.j2"): p
            for p in sorted(shipped_templates_dir().glob("*.xml.j2"))
            if not p.name.startswith("_")}  # _sections.xml.j2 is a library, not a pack


def resolve_template(ref: str | Path | None) -> Path:
    """A shipped template by name (``"full"``) or a template file by path."""
    shipped = available_templates()
    if ref is None:
        return shipped["full"]
    if isinstance(ref, str) and ref in shipped:
        return shipped[ref]
    p = Path(ref)
    if p.is_file():
        return p
    if p.exists():
        raise BriefError([Diagnostic(str(ref), None, None, "template",
                                     "is not a regular file (a template is a .xml.j2 file)")])
    raise BriefError([Diagnostic(str(ref), None, None, "template",
                                 "no such template; shipped templates: " + ", ".join(shipped))])


@lru_cache(maxsize=16)
def load_labels(language: str) -> Record:
    """The label set for a language tag (:func:`briefgen.loader.label_set`) as the templates
    see it. Read-only (it is cached for the whole process): lists are tuples, mappings
    records."""
    return plain(label_set(language))


class _CompiledTemplates(FileSystemBytecodeCache):
    """Compiled templates kept between processes, in Jinja2's private per-user temporary
    folder, so that a CLI run does not compile the pack templates again (about 50 ms of a cold
    build). An entry is used only for the same template file with the same source (Jinja2
    checks a checksum) and the same Jinja2 and Python; the key names briefgen's sandboxed
    environment, so code compiled by another Jinja2 user is never loaded. A folder that cannot
    be read or written only means no cache. ``BRIEFGEN_NO_TEMPLATE_CACHE=1`` turns it off."""

    KEY = f"briefgen-safe-sandbox-v{SANDBOX_VERSION}|"

    def get_cache_key(self, name: str, filename: str | None = None) -> str:
        return super().get_cache_key(self.KEY + name, filename)

    def load_bytecode(self, bucket: Bucket) -> None:
        try:
            super().load_bytecode(bucket)
        except OSError:
            bucket.reset()

    def dump_bytecode(self, bucket: Bucket) -> None:
        try:
            super().dump_bytecode(bucket)
        except OSError:
            pass


def _template_cache() -> FileSystemBytecodeCache | None:
    if os.environ.get("BRIEFGEN_NO_TEMPLATE_CACHE"):
        return None
    try:
        return _CompiledTemplates(pattern="briefgen-%s.cache")
    except (OSError, RuntimeError):  # no safe private folder
        return None


#: Python's names of what a template handles, in the template writer's words.
_TYPE_WORDS = {"Record": "a record", "TemplateModule": "an imported template", "str": "text",
               "Markup": "text", "int": "a number", "float": "a number", "bool": "true or false",
               "tuple": "a list", "list": "a list", "dict": "a mapping",
               "NoneType": "an empty value", "Macro": "a macro", "date": "a date",
               "datetime": "a date and time"}
_QUOTED_TYPE = re.compile(r"'(?:[\w.]+\.)?(\w+)(?: object)?'(?: object)?|"
                          r"\b(?:[\w.]+\.)?(\w+) object\b")


def _in_words(message: str) -> str:
    """A message with Python's type names (``'briefgen.sandbox.Record object'``, ``'int'``)
    put into words."""
    def word(m: re.Match[str]) -> str:
        name = m.group(1) or m.group(2)
        return _TYPE_WORDS.get(name, m.group())

    return _QUOTED_TYPE.sub(word, message)


class _Undefined(StrictUndefined):
    """Undefined values whose errors say what the template writer got wrong, in their words:
    "no section macro `actor` in _sections.xml.j2; did you mean `actors`?", not Jinja2's
    "'jinja2.environment.TemplateModule object' has no attribute 'actor'"."""

    __slots__ = ()

    @property
    def _undefined_message(self) -> str:
        obj, name = self._undefined_obj, self._undefined_name
        if self._undefined_hint:
            return _in_words(self._undefined_hint)
        if obj is missing:
            return (f"`{name}` is not defined{_near(str(name), _TEMPLATE_NAMES)} (a template "
                    "sees " + ", ".join(_TEMPLATE_NAMES) + ", and what it sets or imports)")
        if isinstance(obj, TemplateModule):
            macros = sorted(k for k in vars(obj) if not k.startswith("_"))
            where = getattr(obj, "__name__", None) or "the imported template"
            return (f"no section macro `{name}` in {where}"
                    + (_near(str(name), macros) or "; it has " + ", ".join(macros)))
        if not isinstance(name, str) and isinstance(obj, (list, tuple, str)):
            return (f"the list has no item {name!r} (it has {len(obj)}, numbered from 0)"
                    if not isinstance(obj, str) else f"the text has no character {name!r}")
        if isinstance(obj, Mapping):
            keys = sorted(str(k) for k in obj)
            shown = ", ".join(keys[:15]) + (" ..." if len(keys) > 15 else "")
            return (f"no field `{name}` here" + _near(str(name), keys)
                    + (f" (fields: {shown})" if keys else " (this record is empty)"))
        if obj is None:
            return (f"no field `{name}`: the value is empty (the brief does not give it); "
                    "test it first with {% if ... %}")
        what = _TYPE_WORDS.get(type(obj).__name__, "this value")
        if isinstance(obj, str):
            return f"`{name}`: text has no such field or method"
        return f"{what} has no field `{name}`"


#: The names a pack template sees (for "is not defined" messages).
_TEMPLATE_NAMES = ("brief", "labels", "scales", "style", "risk_matrix", "timeline_chart")


@lru_cache(maxsize=16)
def _environment(folder: str) -> SafeEnvironment:
    env = SafeEnvironment(
        loader=SafeLoader([folder, str(shipped_templates_dir())]),
        autoescape=True, undefined=_Undefined, trim_blocks=True, lstrip_blocks=True,
        keep_trailing_newline=True, auto_reload=True, bytecode_cache=_template_cache())
    env.globals.update(risk_matrix=_risk_matrix_xml, timeline_chart=_timeline_xml,
                       uncited_sources=_uncited_sources)
    env.allow_callables(_risk_matrix_xml, _timeline_xml, _uncited_sources)
    env.filters.update(rich=_rich, date=_date, num=_num, qualified=_qualified,
                       scale=lambda key: _PLAIN_SCALES[key], slug=slug,
                       chronological=lambda events: sorted(events, key=_event_order))
    return env


_PLAIN_SCALES = plain(SCALES)


def _event_order(e: Any) -> Any:
    """Where an event (a model or the template's plain record of one) stands in the
    chronology: by its own date, else by the date the source reported it."""
    return sort_key(e.date if e.date is not None else e.reported_on)

#: The real brief and labels of the template run in progress, for the filters (the template
#: itself sees only plain copies).
_RUN: ContextVar[tuple[Brief, Record] | None] = ContextVar("briefgen_template_run", default=None)


def _run_labels(ctx: Any) -> Any:
    run = _RUN.get()
    return run[1] if run is not None else ctx["labels"]


# --------------------------------------------------------------------------------------------
# Filters: brief values to template text


@pass_context
def _rich(ctx: Any, text: str | None) -> Markup:
    """Rich text to inline XML: formatting, links, and citations as notes."""
    if not text:
        return Markup("")
    if not isinstance(text, str):
        raise TypeError(f"rich: {type(text).__name__} is not text")
    run = _RUN.get()
    if run is None:
        raise TemplateError("the rich filter works only inside a pack template")
    brief, labels = run

    def cite(group: list[Citation]) -> tuple[d.Inline, ...]:
        cites = _CITES.get()
        if cites is not None:
            cites.cited.extend(k for k, _ in group if k not in cites.cited)
            if cites.sources_are_notes:  # the note is the source's entry (see _Cites)
                return tuple(d.Note(_source_entry(brief.source(k), labels)) for k, _ in group)
        parts: list[d.Inline] = []
        for n, (key, locator) in enumerate(group):
            s = brief.source(key)
            if n:
                parts.append(d.Text("; "))
            lead = ", ".join(x for x in (s.author, s.publisher) if x)
            parts.extend([d.Text(lead + ", " if lead else ""), d.Emph((d.Text(s.title),))])
            tail = [_format_date(s.date, labels)] if s.date else []
            tail += [locator] if locator else []
            parts.append(d.Text("".join(", " + t for t in tail)))
            if s.url:
                parts.extend([d.Text(". "), d.Link(s.url, (d.Text(s.url),))])
        parts.append(d.Text("."))
        return (d.Note(tuple(parts)),)

    inlines = parse_inline(text, cite)
    return Markup(_inlines_xml(inlines))


class _Cites:
    """The citations of the template run in progress. With endnotes, when every citation in
    the brief is bare (no locator: every note would repeat a source's entry), the sources
    list *is* the notes list: each note is the source's whole entry, the template prints one
    list (``sources_are_notes``) and ``uncited_sources()`` gives the keys no note lists."""

    def __init__(self, brief: Brief, style: Style | None):
        from .inline import citations
        from .validate import iter_strings

        located = any(locator for _, text, rich in iter_strings(brief)
                      if rich and "]" in text and "@" in text
                      for (_key, locator), _ in citations(text))
        notes = style.notes if style is not None else "endnotes"  # (Style's default)
        self.sources_are_notes = bool(brief.sources) and not located and notes == "endnotes"
        self.cited: list[str] = []
        self.keys = [s.key for s in brief.sources]

    def uncited(self) -> list[str]:
        return [k for k in self.keys if k not in self.cited]


_CITES: ContextVar[_Cites | None] = ContextVar("briefgen_template_cites", default=None)


def _uncited_sources() -> list[str]:
    """The keys of the sources no note cites so far (for the template's sources list)."""
    cites = _CITES.get()
    return cites.uncited() if cites is not None else []


def _source_entry(s: Any, labels: Mapping[str, Any]) -> tuple[d.Inline, ...]:
    """A source's entry as the sources list prints it: author and publisher, title, date,
    link, when it was accessed, note."""
    lead = ", ".join(x for x in (s.author, s.publisher) if x)
    parts: list[d.Inline] = [d.Text(lead + ", " if lead else ""), d.Emph((d.Text(s.title),))]
    if s.date:
        parts.append(d.Text(", " + _format_date(s.date, labels)))
    if s.url:
        parts.extend([d.Text(". "), d.Link(s.url, (d.Text(s.url),))])
    if getattr(s, "accessed", None):
        parts.append(d.Text(f" ({labels['accessed']} {_format_date(s.accessed, labels)})"))
    parts.append(d.Text(f". {s.note}" if s.note else "."))
    if s.note and not s.note.rstrip().endswith((".", "!", "?")):
        parts.append(d.Text("."))
    return tuple(p for p in parts if not (isinstance(p, d.Text) and not p.text))


def _inlines_xml(inlines: tuple[d.Inline, ...]) -> str:
    out: list[str] = []
    for i in inlines:
        if isinstance(i, d.Text):
            out.append(escape(i.text))
        elif isinstance(i, d.Note):
            out.append(f"<note>{_inlines_xml(i.children)}</note>")
        elif isinstance(i, d.Strong):
            out.append(f"<b>{_inlines_xml(i.children)}</b>")
        elif isinstance(i, d.Emph):
            out.append(f"<i>{_inlines_xml(i.children)}</i>")
        elif isinstance(i, d.Link):
            out.append(f"<a href={quoteattr(i.url)}>{_inlines_xml(i.children)}</a>")
        elif isinstance(i, d.LineBreak):
            out.append("<br/>")
        elif isinstance(i, d.Span):
            out.append(f"<span lang={quoteattr(i.lang or '')}>{_inlines_xml(i.children)}</span>")
    return "".join(out)


def _day(value: dt.date, labels: Mapping[str, Any]) -> str:
    """A day in the language's order: "20 September 2023", or (``date_order: mdy``, US)
    "September 20, 2023"."""
    month = labels["months"][value.month - 1]
    if labels.get("date_order") == "mdy":
        return f"{month} {value.day}, {value.year}"
    return f"{value.day} {month} {value.year}"


def _format_date(value: Any, labels: Mapping[str, Any]) -> str:
    months = labels["months"]
    if isinstance(value, dt.datetime):
        base = _day(value, labels)
        tz = ""
        if value.tzinfo is not None:
            off = value.utcoffset()
            tz = " UTC" if not off else f" UTC{value.strftime('%z')[:3]}:{value.strftime('%z')[3:]}"
        return f"{base}, {value:%H:%M}{tz}"
    if isinstance(value, dt.date):
        return _day(value, labels)
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}", value):
        return f"{months[int(value[5:]) - 1]} {value[:4]}"
    if not isinstance(value, str):  # a template may hand anything to |date
        raise TypeError(f"date: {type(value).__name__} is not a date")
    return value


@pass_context
def _date(ctx: Any, value: Any) -> str:
    return "" if value is None else _format_date(value, _run_labels(ctx))


def _format_number(value: float, labels: Mapping[str, Any]) -> str:
    if value < 0:  # a fall: a true minus sign, not a hyphen
        return "\u2212" + _format_number(-value, labels)
    if isinstance(value, float) and not value.is_integer():
        whole, frac = f"{value:,.2f}".rstrip("0").split(".")
        return (whole.replace(",", labels["thousands_separator"]) + labels["decimal_separator"]
                + frac)
    return f"{int(value):,}".replace(",", labels["thousands_separator"])


@pass_context
def _num(ctx: Any, value: float) -> str:
    return _format_number(value, _run_labels(ctx))


@pass_context
def _qualified(ctx: Any, fig: KeyFigure) -> str:
    """A key figure as it must be read: qualifier, number, unit ("at least 200 people")."""
    labels = _run_labels(ctx)
    q = labels["qualifiers"].get(fig.qualifier, fig.qualifier)
    number = _format_number(fig.value, labels)
    currency = getattr(fig, "currency", None)
    if currency:  # "$1,200", "CHF 1,200"; French writes the sign after ("1 200 €")
        sign = CURRENCY_SIGNS.get(currency)
        if sign and str(labels.get("decimal_separator")) == ",":
            number = f"{number}\u00a0{sign}"
        else:
            number = f"{sign}{number}" if sign else f"{currency}\u00a0{number}"
    unit = fig.unit or ""
    if unit and unit in labels.get("unspaced_units", ()):
        number, unit = number + unit, ""
    parts = [q, number, unit]
    return " ".join(p for p in parts if p)


def sort_key(value: Any) -> tuple[int, int, int, int]:
    """Chronological order for partial dates (a year sorts before its months and days)."""
    if isinstance(value, dt.datetime):
        return (value.year, value.month, value.day, value.hour * 60 + value.minute + 1)
    if isinstance(value, dt.date):
        return (value.year, value.month, value.day, 0)
    if isinstance(value, int):
        return (value, 0, 0, 0)
    y, m = str(value).split("-") if "-" in str(value) else (str(value), "0")
    return (int(y), int(m), 0, 0)


def _attrs(**values: Any) -> str:
    return " ".join(f"{k.replace('_', '-')}={quoteattr(str(v))}" for k, v in values.items())


@pass_context
def _risk_matrix_xml(ctx: Any, risks: list[Any], caption: str = "", size: int = 0) -> Markup:
    """A ``<figure>`` with the risk matrix of the risks that have a likelihood and an impact;
    risk ``n`` (1-based, in brief order) is labelled ``R<n>``. Empty when none can be placed.
    ``size`` 5 draws the 5 × 5 matrix, 3 the 3 × 3, 0 one row per term of the scale. The rows
    are the scale the ratings use (the one most of them use): a risk rated on another scale is
    not placed, and the figure's text says so."""
    labels = _run_labels(ctx)
    placed = [(n, r) for n, r in enumerate(risks, 1) if r.likelihood and r.impact]
    if not placed:
        return Markup("")
    used = [r.likelihood.scale for _, r in placed]
    axes = MatrixAxes(SCALES[max(dict.fromkeys(used), key=used.count)],
                      size if size in (3, 5) else 0)
    off_scale = [(n, r) for n, r in placed if r.likelihood.scale != axes.scale.key]
    placed = [(n, r) for n, r in placed if r.likelihood.scale == axes.scale.key]

    def words(group: list[str], names: Mapping[str, str] | None = None) -> str:
        shown = [names[w] if names else w for w in group]
        return shown[0] if len(shown) == 1 else f"{shown[0]} – {shown[-1].lower()}"

    levels = [words(g) for g in axes.row_terms()]
    impacts = [words(g, labels["impacts"]) for g in axes.column_impacts()]
    nl, ni = len(levels), len(impacts)
    cells = ";".join(" ".join(str(axes.band(li, im)) for im in range(1, ni + 1))
                     for li in range(1, nl + 1))
    title = f"{labels['likelihood']} ({axes.scale.name})"
    parts = [f"<riskmatrix {_attrs(likelihood_title=title, impact_title=labels['impact'])}>"]
    parts += [f"<likelihood>{escape(x)}</likelihood>" for x in levels]
    parts += [f"<impact>{escape(x)}</impact>" for x in impacts]
    bands = BANDS[:3] if axes.size == 3 else BANDS
    parts += [f"<band>{escape(labels['bands'][x])}</band>" for x in bands]
    parts.append(f"<cells>{cells}</cells>")
    alt = []
    for n, r in placed:
        term = axes.scale.find(r.likelihood.term)
        assert term is not None  # validated
        where = _attrs(label=f"R{n}", likelihood=axes.row_of(term.rank),
                       impact=axes.column_of(r.impact))
        parts.append(f"<risk {where}/>")
        alt.append(f"R{n} {r.title}: {r.likelihood.term}, {labels['impacts'][r.impact].lower()}")
    alt += [f"R{n} {r.title}: not placed (rated on {SCALES[r.likelihood.scale].name})"
            for n, r in off_scale]
    parts.append("</riskmatrix>")
    alt_text = f"{labels['risk_matrix']} ({axes.scale.name}). " + "; ".join(alt) + "."
    return Markup(f"<figure {_attrs(alt=alt_text)}>" + "".join(parts)
                  + f"<caption>{escape(caption)}</caption></figure>")


@pass_context
def _timeline_xml(ctx: Any, events: list[Any], caption: str = "") -> Markup:
    """A ``<figure>`` with a timeline of the events in date order (evenly spaced)."""
    labels = _run_labels(ctx)
    if not events:
        return Markup("")
    ordered = sorted(events, key=_event_order)
    parts = ["<timeline>"]
    alt = []
    for n, e in enumerate(ordered):
        when = (_format_date(e.date, labels) if e.date is not None else
                labels["reported_short"].format(date=_format_date(e.reported_on, labels)))
        label = e.label or _short(d.plain_text(parse_inline(e.text)))
        parts.append(f"<event {_attrs(when=when, position=n)}>{escape(label)}</event>")
        alt.append(f"{when}: {label}")
    parts.append("</timeline>")
    alt_text = f"{labels['chronology']}. " + "; ".join(alt)
    return Markup(f"<figure {_attrs(alt=alt_text)}>" + "".join(parts)
                  + f"<caption>{escape(caption)}</caption></figure>")


def _short(text: str, words: int = 9) -> str:
    text = CITATION.sub("", text).strip()
    w = text.split()
    return " ".join(w[:words]) + ("…" if len(w) > words else "")


# --------------------------------------------------------------------------------------------
# Running the template


def warm() -> None:
    """What composing first needs beyond this module's imports: the Markdown parser. A child
    that will compose runs it while it waits for the brief
    (:func:`briefgen.workers.prestart_composer`)."""
    from .inline import _md

    _md()


def render_template(brief: Brief, template: str | Path | None = None,
                    style: Style | None = None,
                    changes: Mapping[str, Any] | None = None,
                    labels: Mapping[str, Any] | None = None) -> tuple[str, str]:
    """Run a pack template on a brief; return the XML it writes and the template's path.

    The template runs in :mod:`briefgen.sandbox`: it sees plain read-only copies of the brief,
    the style and the labels, and its time and output are bounded."""
    path = resolve_template(template)
    real = path.resolve()
    problem = template_file_problem(real)
    if problem:
        raise BriefError([Diagnostic(str(path), None, None, "template", problem)])
    env = _environment(str(real.parent))
    labels = load_labels(brief.language) if labels is None else plain(labels)
    token = _RUN.set((brief, labels))
    cites = _Cites(brief, style)
    cites_token = _CITES.set(cites)
    try:
        with budget(seconds_allowed(_text_size(brief))):
            tmpl = env.get_template(real.name)
            xml = iter_limited(tmpl.generate(
                brief=plain(brief), labels=labels, scales=_PLAIN_SCALES,
                style=plain(style or Style()), changes=plain(changes) if changes else None,
                sources_are_notes=cites.sources_are_notes))
    except TemplateSyntaxError as e:
        raise _template_error(e.filename or str(path), e.lineno,
                              f"template syntax error: {e.message}") from None
    except TemplateError as e:
        file, line = _template_line(e, real)
        raise _template_error(file or str(path), line,
                              f"template error: {_in_words(str(e))}") from None
    except (LookupError, AttributeError, TypeError, ValueError, ArithmeticError,
            RecursionError, MemoryError, RuntimeError, StopIteration) as e:
        file, line = _template_line(e, real)
        if isinstance(e, RecursionError):
            e = RecursionError("calls nest too deeply (a macro that calls itself?)")
        raise _template_error(file or str(path), line,
                              f"template error: {_in_words(str(e))}") from None
    finally:
        _CITES.reset(cites_token)
        _RUN.reset(token)
    return xml, str(path)


def _text_size(brief: Brief) -> int:
    from .validate import iter_strings

    return sum(len(text) for _, text, _ in iter_strings(brief))


def _template_error(file: str, line: int | None, message: str) -> BriefError:
    """A located template error, with anything unprintable the template put into the message
    (a terminal escape in a key it looked up) escaped."""
    if len(message) > 500:
        message = message[:500] + "..."
    return BriefError([Diagnostic(printable(file), line, None, "template", printable(message))])


def _template_line(exc: BaseException, path: Path) -> tuple[str | None, int | None]:
    """The template file and line an error was raised at: the innermost template frame (an
    included or imported template too), else ``(None, None)``."""
    folders = {str(path.parent), str(shipped_templates_dir())}
    found: tuple[str | None, int | None] = (None, None)
    for frame in traceback.extract_tb(exc.__traceback__):
        name = frame.filename or ""
        if name.endswith(".j2") or name == str(path) or str(Path(name).parent) in folders:
            found = (name, frame.lineno)
    return found


def compose(brief: Brief, template: str | Path | None = None,
            style: Style | None = None, changes: Mapping[str, Any] | None = None) -> d.Document:
    """The brief, through a pack template, as a :class:`~briefgen.document.Document`. The
    template sees the style too (for choices such as which scale legend to print), and
    ``changes`` (plain data: :func:`briefgen.diff.changes_since`) for a "changes since" box."""
    return compose_report(brief, template, style, changes)[0]


def compose_styled(brief: Brief, template: str | Path | None, style: Style,
                   labels: Mapping[str, Any] | None = None,
                   ) -> tuple[d.Document, ComposeReport]:
    """:func:`compose_report` with the style applied to the document: what a build renders
    (the composing child of ``briefgen validate`` runs this, sent the label set: see
    :mod:`briefgen.workers`; it then need not read YAML at all)."""
    from .layout import apply_style

    composed, report = compose_report(brief, template, style, labels=labels)
    return apply_style(composed, style), report


#: What a template reports to the build (see packxml._REPORT_TAGS): the sections it printed,
#: its own warnings, its page budget.
_PRINTED = re.compile(r'<printed field="([a-z_]+)"(?: shown="(\d+)" total="(\d+)")?\s*/>')
_WARNING = re.compile(r"<warning>(.*?)</warning>", re.S)
_BUDGET = re.compile(r'<pack\b[^>]*\spage-budget="(\d+)"')
#: The sections of a brief a template should print, or the build says it left them out.
SECTION_FIELDS = ("memo", "meeting", "summary", "objectives", "recommendations", "timing",
                  "lines_to_take", "qa", "figures", "background", "actors", "agreements",
                  "timeline", "risks", "quotes", "sections")


_NOUNS = {"summary": "summary points", "background": "background paragraphs",
          "figures": "key figures", "risks": "risks"}


def compose_report(brief: Brief, template: str | Path | None = None,
                   style: Style | None = None, changes: Mapping[str, Any] | None = None,
                   labels: Mapping[str, Any] | None = None,
                   ) -> tuple[d.Document, ComposeReport]:
    """:func:`compose`, with what the template reported: every section the brief fills that
    the template left out or cut short, the template's own warnings and its page budget.
    ``labels``: the brief's label set (:func:`briefgen.loader.label_set`), where the caller
    has read it already."""
    xml, where = render_template(brief, template, style, changes, labels)
    doc = parse_pack(xml, where)  # (a straight apostrophe in a word is made typographic there)
    name = Path(where).name.removesuffix(".xml.j2")
    printed = {m.group(1): m for m in _PRINTED.finditer(xml)}
    notes = [html.unescape(m.group(1)).strip() for m in _WARNING.finditer(xml)]
    sizes: dict[str, int] = {}
    left_out = []
    for f in SECTION_FIELDS:
        value = getattr(brief, f)
        n = len(value) if isinstance(value, list) else int(value is not None)
        if not n:
            continue
        m = printed.get(f)
        if m is not None:
            sizes[f] = int(m.group(2)) if m.group(2) else n
        if m is None:
            left_out.append(f"{f} ({n})" if isinstance(value, list) else f)
        elif m.group(2) and int(m.group(2)) < int(m.group(3)):
            notes.append(f"the {name} template prints {m.group(2)} of the {m.group(3)} "
                         f"{_NOUNS.get(f, f)}; the others are left out")
    if left_out:
        notes.insert(0, f"the {name} template leaves out what the brief holds in "
                        + ", ".join(left_out) + " (another template prints it)")
    budget = _BUDGET.search(xml)
    return doc, ComposeReport(tuple(notes), int(budget.group(1)) if budget else None, name,
                              sizes)

