"""Hypothesis strategies for briefs: valid ones with hostile text everywhere, and broken ones.

Used by tests/test_property.py (a bounded number of examples) and scripts/fuzz.py (a long run).
"""

from __future__ import annotations

import string
from typing import Any

from hypothesis import strategies as st

from briefgen.model import TLP_LABELS, UK_LABELS

# Characters the bundled fonts draw: Latin (with Azerbaijani), Cyrillic, Armenian, common
# punctuation, and every character that means something to XML, ReportLab or Jinja.
LATIN = string.ascii_letters + string.digits + "àáâäçèéêëìíîïñòóôöùúûüÿßœæøåÀÉÖÜÇ"
AZERI = "əƏğĞıİşŞçÇöÖüÜ"
CYRILLIC = "АБВГДЕЖЗИЙКЛМНОПРСТУФХЦЧШЩЫЬЭЮЯабвгдежзийклмнопрстуфхцчшщыьэюяё"
ARMENIAN = "ԱԲԳԴԵԶԷԸԹԺԻԼԽԾԿՀՁՂՃՄՅՆՇՈՉՊՋՌՍՎՏՐՑՒՓՔՕՖաբգդեզէըթժիլխծկհձղճմյնշոչպջռսվտրցւփքօֆ"
PUNCT = ".,;:!?-–—’“”()/%$€£§°±×"
MARKUP = "<>&\"'{}#=;"  # XML, ReportLab paragraph markup, Jinja
RICH_UNSAFE = "*_[]\\`<!@"  # Markdown inline syntax: interpreted in rich text by design

PLAIN_ALPHABET = LATIN + AZERI + CYRILLIC + ARMENIAN + PUNCT + MARKUP + " "
RICH_ALPHABET = "".join(c for c in PLAIN_ALPHABET if c not in RICH_UNSAFE)

HOSTILE = ["a<b", "Q&A", "&copy", "<img src=\"/etc/passwd\">", "{{ 7*7 }}", "{% for %}",
           "<font>", "]]>", "&#65;"]


def _text(alphabet: str, min_size: int = 1, max_size: int = 60) -> st.SearchStrategy[str]:
    base = st.text(alphabet=alphabet, min_size=min_size, max_size=max_size)
    hostile = st.sampled_from([h for h in HOSTILE if all(c in alphabet for c in h)] or ["x"])
    return st.one_of(base, st.builds(lambda a, h, b: f"{a} {h} {b}", base, hostile, base)) \
        .map(lambda s: " ".join(s.split())).filter(lambda s: bool(s.strip()))


plain = _text(PLAIN_ALPHABET)
rich = _text(RICH_ALPHABET, max_size=200)
name = _text(PLAIN_ALPHABET, max_size=40)


def brief_strategy(max_rows: int = 8) -> st.SearchStrategy[dict[str, Any]]:
    """A valid brief as a dict, with every optional section sometimes empty."""
    rows = {"min_size": 0, "max_size": max_rows}
    source = st.fixed_dictionaries({"key": st.just("src"), "title": plain,
                                    "publisher": st.none() | plain})
    actor = st.fixed_dictionaries({
        "name": name, "kind": st.sampled_from(["state", "person", "armed group"]),
        "role": rich, "position": st.none() | rich,
        "other_names": st.lists(st.fixed_dictionaries({"name": name}), max_size=2)})
    figure = st.fixed_dictionaries({
        "label": plain, "value": st.integers(0, 10**7),
        "qualifier": st.sampled_from(["at least", "more than", "up to", "exactly"]),
        "unit": st.none() | name, "reported_by": name, "source": st.just("src")})
    event = st.fixed_dictionaries({"date": st.dates().map(lambda d: d.isoformat()),
                                   "text": rich})
    risk = st.fixed_dictionaries({
        "title": plain, "description": rich, "analysis_by": name,
        "likelihood": st.none() | st.fixed_dictionaries(
            {"scale": st.just("icd203"), "term": st.sampled_from(["likely", "remote"])}),
        "impact": st.none() | st.sampled_from(["minor", "catastrophic"]),
        "indicators": st.lists(rich, max_size=3)})
    quote = st.fixed_dictionaries({"text": plain, "speaker": name, "source": st.just("src")})
    return st.fixed_dictionaries({
        "title": plain, "subtitle": st.none() | plain,
        "date": st.dates().map(lambda d: d.isoformat()),
        "originator": st.fixed_dictionaries({"organisation": name}),
        "marking": st.one_of(
            st.fixed_dictionaries({"scheme": st.just("tlp"), "label": st.sampled_from(TLP_LABELS)}),
            st.fixed_dictionaries({"scheme": st.just("uk"), "label": st.sampled_from(UK_LABELS)}),
            st.fixed_dictionaries({"scheme": st.just("custom"), "label": name})),
        "summary": st.lists(rich, min_size=1, max_size=4),
        "lines_to_take": st.lists(rich, **rows),
        "background": st.lists(rich, **rows),
        "actors": st.lists(actor, **rows),
        "figures": st.lists(figure, **rows),
        "timeline": st.lists(event, **rows),
        "risks": st.lists(risk, max_size=4),
        "quotes": st.lists(quote, max_size=3),
        "sources": st.lists(source, min_size=1, max_size=1),
    }).map(lambda d: {k: v for k, v in d.items() if v is not None})


def printed_strings(brief: dict[str, Any]) -> list[str]:
    """The strings of a generated brief that both packs must print."""
    out: list[str] = [brief["title"], brief["originator"]["organisation"]]
    out += brief["summary"] + brief["lines_to_take"] + brief["background"]
    for a in brief["actors"]:
        out += [a["name"], a["role"]] + [n["name"] for n in a["other_names"]]
    for f in brief["figures"]:
        out += [f["label"], f["reported_by"]]
    for e in brief["timeline"]:
        out.append(e["text"])
    for r in brief["risks"]:
        out += [r["title"], r["description"], r["analysis_by"]] + r["indicators"]
    for q in brief["quotes"]:
        out += [q["text"], q["speaker"]]
    return out


# A few ways to break a valid brief: each is refused with a clean BriefError.
def _drop(field: str):
    return lambda d: {k: v for k, v in d.items() if k != field}


MUTATIONS = {
    "missing title": _drop("title"),
    "missing sources": _drop("sources"),
    "unknown key": lambda d: {**d, "titel": "x"},
    "bad date": lambda d: {**d, "date": "2023-13-45"},
    "wrong type": lambda d: {**d, "summary": "not a list"},
    "unknown citation": lambda d: {**d, "summary": ["see [@nowhere]"]},
    "bad marking": lambda d: {**d, "marking": {"scheme": "tlp", "label": "TLP:WHITE"}},
    "control char": lambda d: {**d, "title": "a\x0bb"},
    "nested wrong type": lambda d: {**d, "actors": [{"name": 3, "kind": "alien", "role": ""}]},
}
