"""The brief model: what a brief file may say, as typed, validated data.

Field names here are the keys of a brief file. Text fields described as *rich text* accept light
inline formatting (``**bold**``, ``*italic*``, ``[link](https://...)``) and citations of sources
by key (``[@npr-2023]``, ``[@a; @b]``); all other text prints exactly as written.
The JSON Schema (``briefgen schema``) is generated from these classes.
"""

import datetime as dt
import math
import re
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal

import msgspec

from .estimative import SCALES
from .typed import About, Model, Scalar

_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ufffe\uffff]")
#: Invisible characters that change how text reads or compares without showing: bidi
#: embeddings, overrides and isolates (text that displays in another order than it is stored),
#: the zero-width space and word joiner, and a byte-order mark inside text.
_INVISIBLE = re.compile("[\u202a-\u202e\u2066-\u2069\u200b\u2060\ufeff]")
#: In a short line (a title, a name) also the zero-width joiners where they join nothing (next
#: to Latin letters: "TLP:RED" with a joiner inside is not "TLP:RED") and direction marks in a
#: line without right-to-left text; in a marking, always. (Persian writes a non-joiner inside
#: words, and Arabic or Hebrew lines may need a direction mark: those are kept.)
_INVISIBLE_IN_LINE = re.compile("[\u200c-\u200f\u061c]")
_RTL = re.compile("[\u0590-\u08ff\ufb1d-\ufdff\ufe70-\ufefe]")
MAX_TEXT = 20_000
MAX_ITEMS = 5_000


def _clean(v: str) -> str:
    m = _CONTROL.search(v)
    if m:
        raise ValueError(f"contains the control character U+{ord(m.group()):04X}, which cannot "
                         "be printed; delete it")
    m = _INVISIBLE.search(v)
    if m:
        raise ValueError(f"contains the invisible formatting character U+{ord(m.group()):04X} "
                         "(it changes how the text reads without showing); delete it")
    return v


def _clean_line(v: str) -> str:
    for m in _INVISIBLE_IN_LINE.finditer(v):
        c = m.group()
        if c in "\u200c\u200d":
            around = v[max(0, m.start() - 1):m.start()] + v[m.end():m.end() + 1]
            if len(around) == 2 and not around.isascii():
                continue  # between letters of a script that joins
        elif _RTL.search(v):
            continue  # a direction mark in right-to-left text
        raise ValueError(f"contains the invisible character U+{ord(c):04X}, which makes a line "
                         "look like another; delete it")
    return v


def _not_a_number(v: object) -> object:
    """Dates are written as dates: a number (``1695168000``) is not read as Unix seconds."""
    if isinstance(v, (int, float)) or (isinstance(v, str) and v.strip().isdigit()):
        raise ValueError(f"{v!r} is not a date: write it as YYYY-MM-DD (e.g. 2023-09-20)")
    return v


def _partial_number(v: object) -> object:
    """A partial date may be a year alone (2023), never another number."""
    if isinstance(v, (bool, float)) or \
            (isinstance(v, int) and not 1000 <= v <= 9999):
        raise ValueError(f"{v!r} is not a date: write a year (2023), a month (2023-09), a day "
                         "(2023-09-20) or a time (2023-09-20T14:30)")
    if isinstance(v, str) and v.strip().isdigit() and len(v.strip()) != 4:
        raise ValueError(f"{v!r} is not a date: write a year (2023), a month (2023-09) or a day")
    return v


def _month(v: str) -> str:
    if len(v) == 7 and not 1 <= int(v[5:]) <= 12:
        raise ValueError(f"{v!r}: the month must be 01 to 12")
    return v


def _quantity(v: object) -> object:
    if isinstance(v, bool):
        raise ValueError(f"{v!r} is not a number; write the figure (e.g. 200)")
    if isinstance(v, float) and not math.isfinite(v):
        raise ValueError("must be a finite number")
    if isinstance(v, str) and v.strip().lower().lstrip("+-") in ("inf", "infinity", "nan"):
        raise ValueError("must be a finite number")
    return v


def _not_huge(v: float) -> float:
    if (isinstance(v, float) and not math.isfinite(v)) or abs(v) > 10**15:
        raise ValueError("is larger than a key figure can be (10^15)")
    return v


def _nonblank(v: str) -> str:
    if not v.strip():
        raise ValueError("must not be blank")
    return v


def _line(v: str) -> str:
    return _nonblank(_clean_line(_clean(v)))


def _rich(v: str) -> str:
    return _nonblank(_clean(v))


class _RichMarker:
    """Marks rich-text fields so that citation checks can find them."""


RICH = _RichMarker()

#: Plain text, printed exactly as written.
TEXT = Scalar("text", str, About(max_length=MAX_TEXT), after=(_clean,))
#: A short, non-blank line of plain text (a name, a title).
LINE = Scalar("line", str, About(min_length=1, max_length=2_000), after=(_line,))
RICH_TEXT = Scalar("rich text", str, About(
    min_length=1, max_length=MAX_TEXT, description="rich text: **bold**, *italic*, "
    "[text](url), [text]{lang=ar}, citations [@key]"), after=(_rich,), marks=(RICH,))
SOURCE_KEY = Scalar("source key", str, About(
    pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:-]*$", max_length=100,
    description="the key of an entry in `sources`"))
DAY = Scalar("day", dt.date, before=(_not_a_number,))
DATE_OR_TIME = Scalar("date or time", (dt.date, dt.datetime), before=(_not_a_number,))
YEAR = Scalar("year", int, About(ge=1000, le=9999, description="a year alone, e.g. 2020"))
YEAR_MONTH = Scalar("year-month", str, About(
    pattern=r"^[0-9]{4}(-[0-9]{2})?$", description="a year or year-month, e.g. '2023-09'"),
    after=(_month,))
#: A date as precise as the source gives it: a time, a day, a month ('2023-09') or a year.
PARTIAL_DATE = Scalar("partial date", (dt.date, dt.datetime, YEAR, YEAR_MONTH),
                      before=(_partial_number,))
QUANTITY = Scalar("figure", (int, float), About(
    description="the number; negative for a fall (-40 with unit '%' prints '−40%')"),
    before=(_quantity,), after=(_not_huge,))
CURRENCY = Scalar("currency", str, About(pattern=r"^[A-Z]{3}$", description=(
    "an ISO 4217 code (USD, EUR, GBP, JPY: printed as its sign, '$1,200 million'; "
    "others as the code, 'CHF 1,200')")))
URL = Scalar("address", str, About(pattern=r"^(https?|mailto):", max_length=2_000))
FILE = Scalar("file name", str, About(min_length=1, max_length=1_000))
LANGUAGE = Scalar("language tag", str, About(pattern=r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$"))

if TYPE_CHECKING:  # what a field holds, for type checkers; at run time, its rules
    Text = str
    Line = str
    RichText = str
    SourceKey = str
    Day = dt.date
    DateOrTime = dt.date | dt.datetime
    PartialDate = dt.date | dt.datetime | int | str
    Quantity = int | float
    Currency = str
    Url = str
    File = str
    Language = str
else:
    Text, Line, RichText, SourceKey = TEXT.hint, LINE.hint, RICH_TEXT.hint, SOURCE_KEY.hint
    Day, DateOrTime, PartialDate = DAY.hint, DATE_OR_TIME.hint, PARTIAL_DATE.hint
    Quantity, Currency, Url = QUANTITY.hint, CURRENCY.hint, URL.hint
    File, Language = FILE.hint, LANGUAGE.hint


EDITOR_NOTE = "a working note for the brief's editors; never printed"


# --------------------------------------------------------------------------------------------
# Metadata

TLP_LABELS = ("TLP:RED", "TLP:AMBER", "TLP:AMBER+STRICT", "TLP:GREEN", "TLP:CLEAR")
UK_LABELS = ("OFFICIAL", "OFFICIAL-SENSITIVE", "SECRET", "TOP SECRET")
UK_DESCRIPTORS = ("COMMERCIAL", "LOCSEN", "PERSONAL")
UK_CAVEATS = ("UK EYES ONLY",)
_UK_LABEL = re.compile(r"^(OFFICIAL|OFFICIAL-SENSITIVE|SECRET|TOP SECRET)"
                       r"(?: (COMMERCIAL|LOCSEN|PERSONAL))?(?: (UK EYES ONLY))?$")


def uk_label_problem(label: str) -> str | None:
    """Why a UK classification line is not one (a classification, then for OFFICIAL-SENSITIVE
    a descriptor (COMMERCIAL, LOCSEN, PERSONAL), then a national caveat such as UK EYES ONLY),
    or None."""
    m = _UK_LABEL.fullmatch(label)
    if m is None:
        return (f"{label!r} is not a UK classification; write one of " + ", ".join(UK_LABELS)
                + ", then for OFFICIAL-SENSITIVE a descriptor (" + ", ".join(UK_DESCRIPTORS)
                + ") and a caveat (UK EYES ONLY) where one applies, e.g. "
                "'OFFICIAL-SENSITIVE COMMERCIAL' or 'SECRET UK EYES ONLY'")
    if m.group(2) and m.group(1) != "OFFICIAL-SENSITIVE":
        return (f"{label!r}: the descriptor {m.group(2)} goes with OFFICIAL-SENSITIVE only "
                f"(write 'OFFICIAL-SENSITIVE {m.group(2)}')")
    return None
_US_BANNER = re.compile(
    r"^(UNCLASSIFIED|CUI|CONFIDENTIAL|SECRET|TOP SECRET)(//[A-Z0-9][A-Z0-9 ,/-]*)?$")


class Marking(Model, frozen=True, kw_only=True):
    """A handling marking. TLP 2.0 labels exactly as FIRST spells them (``TLP:CLEAR``); UK
    classifications (``OFFICIAL``, ``OFFICIAL-SENSITIVE``, ``SECRET``, ``TOP SECRET``); US banner
    lines (``UNCLASSIFIED//FOR OFFICIAL USE ONLY``, ``CUI``); or any custom label."""

    scheme: Literal["tlp", "uk", "us", "custom"]
    label: Line

    @staticmethod
    def _label_fits_scheme(label: str, fields: dict[str, Any]) -> str:
        scheme = fields.get("scheme")
        if any(c in label for c in "\n\r\t\v\f\x85\u2028\u2029"):
            raise ValueError(f"{label!r}: a marking is one line; remove the line break or tab")
        m = _INVISIBLE_IN_LINE.search(label)
        if m:
            raise ValueError(f"contains the invisible character U+{ord(m.group()):04X}; a "
                             "marking must be exactly what it shows")
        if scheme == "tlp" and label not in TLP_LABELS:
            hint = ""
            squashed = label.upper().replace(" ", "")
            if squashed in TLP_LABELS:
                hint = f" (write it exactly {squashed!r})"
            raise ValueError(f"{label!r} is not a TLP 2.0 label{hint}; use one of "
                             + ", ".join(TLP_LABELS))
        if scheme == "uk" and (problem := uk_label_problem(label)):
            raise ValueError(problem)
        if scheme == "us" and not _US_BANNER.fullmatch(label):
            raise ValueError(f"{label!r} is not a US banner line: capitals, a "
                             "classification (UNCLASSIFIED, CUI, CONFIDENTIAL, SECRET, TOP SECRET) "
                             "and optional //CAVEATS")
        return label

    __field_rules__: ClassVar = {"label": _label_fits_scheme}


class Originator(Model, frozen=True, kw_only=True):
    organisation: Line
    unit: Line | None = None
    author: Line | None = None
    contact: Line | None = None


# --------------------------------------------------------------------------------------------
# Content


class OtherName(Model, frozen=True, kw_only=True):
    name: Line
    language: Annotated[Line | None, About(
        description="e.g. 'Armenian', 'hy', 'former spelling'")] = None


ActorKind = Literal["state", "government", "armed group", "separatist authority",
                    "military force", "international body", "organisation", "person"]


class Actor(Model, frozen=True, kw_only=True):
    name: Line
    other_names: Annotated[list[OtherName], About(max_length=50)] = []
    kind: ActorKind
    role: RichText
    position: RichText | None = None
    leverage: RichText | None = None
    notes: RichText | None = None
    sources: Annotated[list[SourceKey], About(max_length=50)] = []
    editor_note: Annotated[Text | None, About(description=EDITOR_NOTE)] = None


class Event(Model, frozen=True, kw_only=True):
    """A dated event. Where the source does not date it, leave out ``date`` and give
    ``reported_on`` (the date of the report): it prints as "reported on D, date not given"."""

    date: Annotated[PartialDate | None, About(
        description="when it happened, as precise as the source gives it")] = None
    reported_on: Annotated[DateOrTime | None, About(
        description="when the source reported it; with no `date`, the event is undated and placed "
                    "by this")] = None
    date_note: Annotated[Text | None, About(
        description='how the source words the date, e.g. \'"since Tuesday"\' (without the date '
                    "itself, which prints beside it)")] = None
    text: RichText
    label: Annotated[Line | None, About(
        max_length=80, description="a short label for the timeline graphic")] = None
    sources: Annotated[list[SourceKey], About(max_length=50)] = []
    editor_note: Annotated[Text | None, About(description=EDITOR_NOTE)] = None

    def _rules(self) -> None:
        if self.date is None and self.reported_on is None:
            raise ValueError("give `date` or, where the source does not date the event, "
                             "`reported_on`")

    @property
    def when(self) -> dt.date | dt.datetime | int | str:
        """The date that places the event in the chronology: its own, else the report's."""
        return self.date if self.date is not None else self.reported_on  # type: ignore[return-value]


TermStatus = Literal["agreed", "promised", "announced", "in progress", "implemented", "disputed",
                     "breached", "unknown"]


class Term(Model, frozen=True, kw_only=True):
    obligation: RichText
    party: Line
    status: TermStatus = "agreed"
    source: SourceKey | None = None
    editor_note: Annotated[Text | None, About(description=EDITOR_NOTE)] = None


class Agreement(Model, frozen=True, kw_only=True):
    name: Line
    brokered_by: Annotated[list[Line], About(max_length=20)] = []
    parties: Annotated[list[Line], About(max_length=20)] = []
    date: DateOrTime | None = None
    date_note: Text | None = None
    summary: RichText | None = None
    terms: Annotated[list[Term], About(max_length=MAX_ITEMS)] = []
    sources: Annotated[list[SourceKey], About(max_length=50)] = []
    editor_note: Annotated[Text | None, About(description=EDITOR_NOTE)] = None


Qualifier = Literal["exactly", "at least", "more than", "up to", "fewer than", "approximately",
                    "about"]


#: Currencies printed with their sign before the number ("$1,200"); any other ISO 4217 code
#: prints as the code and a space ("CHF 1,200").
CURRENCY_SIGNS = {"USD": "$", "EUR": "€", "GBP": "£", "JPY": "¥"}


class KeyFigure(Model, frozen=True, kw_only=True):
    label: Annotated[Line, About(description="what is counted, e.g. 'People reported killed'")]
    value: Quantity
    qualifier: Qualifier = "exactly"
    unit: Annotated[Line | None, About(
        description="what the number counts ('people', 'million'); '%' prints against the "
                    "number")] = None
    currency: Currency | None = None
    as_of: DateOrTime | None = None
    as_of_note: Text | None = None
    reported_by: Line
    source: SourceKey
    note: RichText | None = None
    editor_note: Annotated[Text | None, About(description=EDITOR_NOTE)] = None


Impact = Literal["minor", "limited", "moderate", "significant", "catastrophic"]


class Likelihood(Model, frozen=True, kw_only=True):
    scale: Annotated[Literal["icd203", "phia"], About(
        description="ICD 203 (US) or PHIA yardstick (UK)")]
    term: Annotated[Line, About(description="a term of the chosen scale, e.g. 'likely'")]
    assessed_by: Annotated[Line | None, About(
        description="who made the judgement (printed with it, so it is never read as a "
                    "source's)")] = None
    confidence: Annotated[Literal["low", "moderate", "high"] | None, About(
        description="the assessor's confidence in the judgement (ICD 203): low, moderate or high; "
                    "printed beside the likelihood, never fused into it")] = None

    def _rules(self) -> None:
        scale = SCALES[self.scale]
        if scale.find(self.term) is None:
            raise ValueError(f"{self.term!r} is not a term of the {scale.name} scale; use one of "
                             + ", ".join(repr(t) for t in scale.all_terms()))


class Risk(Model, frozen=True, kw_only=True):
    title: Line
    description: RichText
    likelihood: Likelihood | None = None
    impact: Impact | None = None
    indicators: Annotated[list[RichText], About(max_length=100)] = []
    analysis_by: Annotated[Line, About(description="whose analysis this is")]
    sources: Annotated[list[SourceKey], About(max_length=50)] = []
    editor_note: Annotated[Text | None, About(description=EDITOR_NOTE)] = None


class Quote(Model, frozen=True, kw_only=True):
    text: Annotated[Text, About(min_length=1, description="verbatim; printed exactly as written")]
    speaker: Line
    affiliation: Line | None = None
    occasion: Line | None = None
    date: Annotated[PartialDate | None, About(
        description="when it was said, as precise as the source gives it")] = None
    reported_on: Annotated[DateOrTime | None, About(
        description='when the source reported it; with no `date`, prints as "reported on D, date '
                    'not given"')] = None
    date_note: Text | None = None
    source: SourceKey
    editor_note: Annotated[Text | None, About(description=EDITOR_NOTE)] = None


class QA(Model, frozen=True, kw_only=True):
    question: RichText
    answer: RichText


class SimpleTable(Model, frozen=True, kw_only=True):
    columns: Annotated[list[Line], About(min_length=1, max_length=12)]
    rows: Annotated[list[list[Text]], About(max_length=MAX_ITEMS)] = []

    def _rules(self) -> None:
        for i, row in enumerate(self.rows):
            if len(row) != len(self.columns):
                raise ValueError(f"row {i} has {len(row)} cells but there are "
                                 f"{len(self.columns)} columns")


class Section(Model, frozen=True, kw_only=True):
    """A free section, for what the other fields do not cover."""

    title: Line
    paragraphs: Annotated[list[RichText], About(max_length=MAX_ITEMS)] = []
    bullets: Annotated[list[RichText], About(max_length=MAX_ITEMS)] = []
    table: SimpleTable | None = None


class Source(Model, frozen=True, kw_only=True):
    # `copy` in a file, copy_path in code
    key: SourceKey
    title: Line
    publisher: Line | None = None
    author: Line | None = None
    date: Annotated[PartialDate | None, About(
        description="when it was published, as precise as it says: 2024, 2024-02, "
                    "2024-02-15")] = None
    accessed: Annotated[Day | None, About(
        description="when a web source was read (printed after its link)")] = None
    url: Url | None = None
    note: Text | None = None
    editor_note: Annotated[Text | None, About(description=EDITOR_NOTE)] = None
    copy_path: Annotated[File | None, About(
        description="a local copy of the source's text, relative to the brief (`briefgen check` "
                    "looks for the quotes in it)")] = msgspec.field(default=None,
                                                                           name="copy")


class Memo(Model, frozen=True, kw_only=True):
    """The memo header block (US memo, UK submission): TO, FROM, THROUGH, SUBJECT, DATE.
    ``sender`` (FROM) defaults to the originator, SUBJECT to the title, DATE to the brief's date."""

    to: Annotated[Line, About(description="the addressee, e.g. 'The Secretary'")]
    sender: Annotated[Line | None, About(
        description="FROM; default: the originator's author and organisation")] = None
    through: Annotated[list[Line], About(
        max_length=20, description="who cleared it on its way (THROUGH)")] = []
    kind: Annotated[Line | None, About(
        description="the memo type, e.g. 'ACTION MEMO', 'INFORMATION MEMO'")] = None


class Meeting(Model, frozen=True, kw_only=True):
    """What a meeting brief opens with: who, when, where, who attends."""

    counterpart: Line
    date: DateOrTime | None = None
    venue: Line | None = None
    attendees: Annotated[list[Line], About(max_length=100)] = []


# --------------------------------------------------------------------------------------------
# The brief


class Brief(Model, frozen=True, kw_only=True):
    """A structured brief: the input to briefgen."""

    title: Line
    subtitle: Line | None = None
    reference: Line | None = None
    version: Line | None = None
    date: Day
    as_of: Annotated[DateOrTime | None, About(
        description="the time the facts are current to")] = None
    originator: Originator
    audience: Line | None = None
    purpose: Literal["information", "decision"] = "information"
    language: Language = "en-GB"
    marking: Marking
    summary: Annotated[list[RichText], About(
        min_length=1, max_length=12, description="the bottom line up front, a few bullets")]
    memo: Annotated[Memo | None, About(
        description="the memo header block: to, from, through")] = None
    meeting: Annotated[Meeting | None, About(
        description="the meeting: counterpart, date, venue, attendees")] = None
    objectives: Annotated[list[RichText], About(
        max_length=50, description="what the reader should achieve (meetings)")] = []
    timing: Annotated[RichText | None, About(
        description="why now: the deadline of a decision (UK submissions print it at the "
                    "top)")] = None
    lines_to_take: Annotated[list[RichText], About(max_length=MAX_ITEMS)] = []
    recommendations: Annotated[list[RichText], About(max_length=MAX_ITEMS)] = []
    qa: Annotated[list[QA], About(max_length=MAX_ITEMS)] = []
    background: Annotated[list[RichText], About(max_length=MAX_ITEMS)] = []
    figures: Annotated[list[KeyFigure], About(max_length=MAX_ITEMS)] = []
    actors: Annotated[list[Actor], About(max_length=MAX_ITEMS)] = []
    agreements: Annotated[list[Agreement], About(max_length=MAX_ITEMS)] = []
    timeline: Annotated[list[Event], About(max_length=MAX_ITEMS)] = []
    risks: Annotated[list[Risk], About(max_length=MAX_ITEMS)] = []
    quotes: Annotated[list[Quote], About(max_length=MAX_ITEMS)] = []
    sections: Annotated[list[Section], About(max_length=200)] = []
    sources: Annotated[list[Source], About(min_length=1, max_length=MAX_ITEMS)]
    editorial_notes: Annotated[list[Text], About(
        max_length=MAX_ITEMS,
        description="working notes for the brief's editors; never printed")] = []

    def source(self, key: str) -> Source:
        for s in self.sources:
            if s.key == key:
                return s
        raise KeyError(key)
