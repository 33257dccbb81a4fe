"""Long fuzzing run: build N generated briefs (valid ones in both formats, and broken ones) and
report crashes, with the time taken.

    python scripts/fuzz.py --examples 10000 [--jobs 2]
    python scripts/fuzz.py --target templates --examples 5000
    python scripts/fuzz.py --target refdocs --examples 2000

A crash is any exception other than BriefError for broken input, or any exception at all, or a
text field missing from an output, for valid input. Exit status 1 if anything crashed.

``--target templates`` runs generated hostile pack templates (attribute chains through dunder
names, calls, filters, operators, loops, macros, includes of a link out of the folder) on a
brief: each must render or be refused with a located BriefError within the sandbox's bounds; a
failure is any other exception, a render over 5 s, a secret file's text or a Python object's
repr in the output, or a file written. ``--target refdocs`` mutates reference documents
(byte flips, dropped or duplicated parts, hostile XML spliced into parts): sanitizing must
return a package with no external relationship, no active content and nothing of the remote
host, that python-docx opens, or refuse with a BriefError.
"""

from __future__ import annotations

import argparse
import sys
import time
import traceback
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))


def _in_pieces(t: str, text: str, most: int = 4) -> bool:
    """``t`` in ``text`` as at most ``most`` pieces in order: a cell split over two pages has
    the footer, marking and repeated header between its halves, even inside a long word."""
    pos, pieces = 0, 0
    while t:
        size = len(t)
        while size and text.find(t[:size], pos) < 0:
            size -= 1
        if not size:
            return False
        pos = text.find(t[:size], pos) + size
        t, pieces = t[size:], pieces + 1
    return pieces <= most


def _save(data: dict, seed: int) -> str:
    """Keep a failing brief as JSON to rebuild and inspect: briefgen build FILE -o out/."""
    import hashlib
    import json
    import tempfile

    text = json.dumps(data, ensure_ascii=False, indent=1, default=str)
    folder = Path(tempfile.gettempdir()) / "briefgen-fuzz"
    folder.mkdir(exist_ok=True)
    path = folder / f"seed{seed}-{hashlib.sha256(text.encode()).hexdigest()[:8]}.json"
    path.write_text(text, encoding="utf-8")
    return str(path)


def _chunk(args: tuple[int, int, int, bool]) -> tuple[int, int, list[str]]:
    """Run ``count`` generated briefs with hypothesis seeded by ``seed``; never raise."""
    seed, count, max_rows, check_text = args
    import re

    import hypothesis
    from hypothesis import HealthCheck, given, settings
    from hypothesis import strategies as st

    import briefgen
    from conftest import docx_all_text, pdf_all_text
    from strategies import MUTATIONS, brief_strategy, printed_strings

    failures: list[str] = []
    counts = {"built": 0, "refused": 0}

    @hypothesis.seed(seed)
    @settings(max_examples=count, database=None, deadline=None,
              suppress_health_check=list(HealthCheck), phases=[hypothesis.Phase.generate])
    @given(brief_strategy(max_rows), st.sampled_from([None] * 21 + sorted(MUTATIONS)))
    def one(data, mutation):
        try:
            if mutation:
                try:
                    briefgen.build(MUTATIONS[mutation](data), formats="pdf")
                    failures.append(f"seed {seed}: mutation {mutation!r} was accepted")
                except briefgen.BriefError:
                    counts["refused"] += 1
                return
            pack = briefgen.build(data)
            if not check_text:
                assert pack.pdf.startswith(b"%PDF-") and pack.docx.startswith(b"PK")
                counts["built"] += 1
                return
            pdf = re.sub(r"\s+", "", pdf_all_text(pack.pdf))
            docx = re.sub(r"\s+", "", docx_all_text(pack.docx))
            for text in printed_strings(data):
                t = re.sub(r"\s+", "", text)
                if t not in pdf and _in_pieces(t, pdf):
                    pdf += t  # split by a page break: in order, furniture between the pieces
                if t not in pdf or t not in docx:
                    where = "pdf" if t not in pdf else "docx"
                    failures.append(f"seed {seed}: {text!r} missing from {where} "
                                    f"(brief saved as {_save(data, seed)})")
                    break
            counts["built"] += 1
        except Exception:
            failures.append(f"seed {seed}: {traceback.format_exc(limit=4)}")

    one()
    return counts["built"], counts["refused"], failures


# --------------------------------------------------------------------------------------------
# Templates

_NAMES = ["brief", "style", "labels", "scales", "loop", "self", "cycler", "joiner", "namespace",
          "range", "dict", "lipsum", "caller", "brief.summary", "brief.sources[0]", "brief.date",
          "style.cover", "labels.months", "scales.icd203", "varargs", "kwargs", "s", "''", "0",
          "[]", "{}", "(1,)", "risk_matrix", "timeline_chart"]
_ATTRS = ["title", "summary", "__class__", "__mro__", "__subclasses__", "__globals__",
          "__init__", "__dict__", "__self__", "__func__", "__builtins__", "__code__",
          "model_validate", "model_fields", "model_copy", "read_text", "write_text", "iterdir",
          "open", "format", "format_map", "items", "keys", "values", "get", "update", "append",
          "pop", "mro", "_TemplateReference__context", "fn", "find", "isoformat", "strftime",
          "fromtimestamp", "replace", "join", "upper", "cycle", "next", "reset", "logo",
          "reference_docx", "page", "__getitem__", "__reduce__", "__reduce_ex__", "_module",
          "environment", "globals", "parent", "vars", "_func", "_environment", "tb_frame",
          "gi_frame", "f_globals", "__base__", "__bases__", "exported_vars", "blocks"]
_FILTERS = ["upper", "list", "join", "length", "attr('__class__')", "map('attr', '__dict__')",
            "pprint", "tojson", "format(1)", "replace('', 'xx')", "center(100000000)",
            "indent(1000)", "batch(3)", "sum", "sort", "unique", "string", "first",
            "rich", "date", "num", "qualified", "scale", "slug", "chronological", "safe",
            "e", "wordwrap(3)", "urlize", "random", "int", "float", "round", "dictsort",
            "items", "selectattr('title')", "map(attribute='__class__')", "groupby('x')",
            "xmlattr", "truncate(5)", "d('x')", "reverse", "min", "max", "slice(3)"]
_LITERALS = ["'{0.__class__}'", "'%s'", "'%999999999d'", "'{:>999999999}'", "10**9",
             "'a'", "SECRET_PATH", "'{x.__init__.__globals__}'", "2", "-1", "3.5", "none",
             "true", "'{}'", "'{0[0]}'", "'__class__'", "'x'*100"]


#: Pools of a template that means no harm (about half the runs): the ordinary paths must work.
_BENIGN = {
    "names": ["brief", "brief.summary", "brief.sources", "brief.date", "labels", "labels.months",
              "scales.icd203", "style.page", "style.legend", "brief.title", "brief.marking"],
    "attrs": ["title", "summary", "label", "scheme", "key", "months", "terms", "name", "size",
              "margins", "top", "isoformat", "upper", "find", "items", "keys", "get", "year"],
    "filters": ["upper", "list", "join(', ')", "length", "string", "first", "last", "sort",
                "unique", "reverse", "capitalize", "title", "trim", "truncate(9)", "e",
                "default('-')", "rich", "date", "slug", "int", "round", "wordcount",
                "replace('a', 'b')", "center(20)", "batch(2)|list", "map('upper')|list"],
    "literals": ["'a'", "2", "'{x}'", "3.5", "none", "[1, 2]", "'text'", "0", "-1"],
}


def _template_expr(rng, depth: int = 0, benign: bool = False) -> str:
    names = _BENIGN["names"] if benign else _NAMES
    attrs = _BENIGN["attrs"] if benign else _ATTRS
    filters = _BENIGN["filters"] if benign else _FILTERS
    literals = _BENIGN["literals"] if benign else _LITERALS
    kind = rng.random()
    if depth > 3 or kind < 0.15:
        return rng.choice(literals + names)
    base = rng.choice(names) if kind < 0.6 else _template_expr(rng, depth + 1, benign)
    for _ in range(rng.randint(1, 4)):
        r = rng.random()
        if r < 0.45:
            base += "." + rng.choice(attrs)
        elif r < 0.6:
            base += f"[{rng.choice([*literals, '0', '1', '-1', repr(rng.choice(attrs))])}]"
        elif r < 0.8:
            args = ", ".join(_template_expr(rng, depth + 1, benign)
                             for _ in range(rng.randint(0, 2)))
            base += f"({args})"
        else:
            base = f"({base})|{rng.choice(filters)}"
    if rng.random() < 0.2:
        base = (f"({base}) {rng.choice(['*', '**', '%', '~', '+'])} "
                f"({_template_expr(rng, depth + 1, benign)})")
    return base


def _template(rng) -> str:
    body = []
    benign = rng.random() < 0.5
    for _ in range(rng.randint(1, 4)):
        r = rng.random()
        e = _template_expr(rng, benign=benign)
        if r < 0.5:
            body.append(f"<p>{{{{ {e} }}}}</p>")
        elif r < 0.65:
            body.append(f"{{% for x in {e} %}}<p>{{{{ x }}}}{{{{ loop.index }}}}</p>{{% endfor %}}")
        elif r < 0.75:
            n = rng.choice(["10", "100000", "10**9"])
            body.append(f"{{% for i in range({n}) %}}{{% for j in range({n}) %}}"
                        f"{{% endfor %}}{{% endfor %}}")
        elif r < 0.82:
            body.append("{% macro f(n) %}{{ f(n + 1) }}{% endmacro %}{{ f(0) }}")
        elif r < 0.88:
            body.append(f"{{% set ns = namespace(v={e}) %}}{{% for i in range(40) %}}"
                        "{% set ns.v = ns.v ~ ns.v %}{% endfor %}<p>{{ ns.v|length }}</p>")
        elif r < 0.94:
            body.append("{% include 'link.j2' %}")
        else:
            body.append(f"{{% if {e} %}}<p>yes</p>{{% endif %}}")
    return "<pack>\n" + "\n".join(body) + "\n</pack>\n"


_LEAKS = ("<class ", "<function ", "<built-in", "<module ", " at 0x", "<bound method",
          "<method", "PosixPath(", "model_config")


def _templates_chunk(args: tuple[int, int]) -> tuple[int, int, list[str]]:
    seed, count = args
    import os
    import random
    import tempfile

    import briefgen
    from briefgen.compose import compose
    from test_validation import MINIMAL

    rng = random.Random(seed)
    brief = briefgen.parse_brief(MINIMAL)
    ok = refused = 0
    failures: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp) / "tpl"
        folder.mkdir()
        secret = Path(tmp) / "secret.txt"
        secret.write_text("SECRET-TOKEN-7f3a")
        os.symlink(secret, folder / "link.j2")
        before = set(Path(tmp).rglob("*"))
        for i in range(count):
            text = _template(rng).replace("SECRET_PATH", repr(str(secret)))
            path = folder / "t.xml.j2"
            path.write_text(text)
            t0 = time.perf_counter()
            try:
                doc = compose(brief, path)
                out = repr(doc)
                ok += 1
                if "SECRET-TOKEN" in out or any(leak in out for leak in _LEAKS):
                    failures.append(f"seed {seed} #{i}: leaked into the output:\n{text}")
            except briefgen.BriefError as e:
                refused += 1
                if e.diagnostics[0].file is None:
                    failures.append(f"seed {seed} #{i}: unlocated refusal {e}:\n{text}")
            except Exception:
                failures.append(f"seed {seed} #{i}: {traceback.format_exc(limit=3)}\n{text}")
            if time.perf_counter() - t0 > 5:
                failures.append(f"seed {seed} #{i}: took {time.perf_counter() - t0:.1f} s:\n"
                                f"{text}")
        after = set(Path(tmp).rglob("*"))
        if after - before - {folder / "t.xml.j2"}:
            failures.append(f"seed {seed}: files written: {sorted(after - before)}")
    return ok, refused, failures


# --------------------------------------------------------------------------------------------
# Reference documents

_SNIPPETS = [
    b'<w:r><w:object><o:OLEObject Type="Link" r:id="rIdEvil" UpdateMode="Always"/>'
    b'</w:object></w:r>',
    b'<w:fldSimple w:instr="INCLUDEPICTURE &quot;http://evil.example/x&quot;"><w:r><w:t>x</w:t>'
    b'</w:r></w:fldSimple>',
    b'<w:r><w:fldChar w:fldCharType="begin"/></w:r><w:r><w:instrText>LINK Word http://evil.'
    b'example/x</w:instrText></w:r><w:r><w:fldChar w:fldCharType="end"/></w:r>',
    b'<w:altChunk r:id="rIdEvil"/>', b'<w:attachedTemplate r:id="rIdEvil"/>',
    b'<w:hyperlink r:id="rIdEvil"><w:r><w:t>t</w:t></w:r></w:hyperlink>',
    b'<w:r><w:pict><v:imagedata o:href="http://evil.example/v"/></w:pict></w:r>',
    b"<!DOCTYPE x>", b"&amp;", b"<w:p>", b"</w:p>", b"\x00",
    b"<w:r><w:control r:id='rIdEvil'/></w:r>",
]
_EVIL_REL = (b'<Relationship Id="rIdEvil" Type="http://schemas.openxmlformats.org/officeDocument/'
             b'2006/relationships/image" Target="http://evil.example/i.png" '
             b'TargetMode="External"/>')


def _mutate_package(rng, data: bytes) -> bytes:
    import io
    import zipfile

    r = rng.random()
    if r < 0.15:  # byte flips in the zip itself
        b = bytearray(data)
        for _ in range(rng.randint(1, 20)):
            b[rng.randrange(len(b))] = rng.randrange(256)
        return bytes(b)
    if r < 0.2:
        return data[:rng.randrange(len(data))]
    src = zipfile.ZipFile(io.BytesIO(data))
    entries = [(n, src.read(n)) for n in src.namelist()]
    for _ in range(rng.randint(1, 4)):
        i = rng.randrange(len(entries))
        name, blob = entries[i]
        m = rng.random()
        if m < 0.15:
            entries.pop(i)
        elif m < 0.25:
            entries.append((name, blob))  # a duplicate part name
        elif name.endswith(".rels") and m < 0.6:
            entries[i] = (name, blob.replace(b"</Relationships>", _EVIL_REL + b"</Relationships>"))
        elif name.endswith(".xml") and b">" in blob:
            cut = [k for k in range(len(blob)) if blob[k:k + 1] == b">"]
            k = rng.choice(cut) + 1
            entries[i] = (name, blob[:k] + rng.choice(_SNIPPETS) + blob[k:])
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            for name, blob in entries:
                z.writestr(name, blob)
    return out.getvalue()


def _refdocs_chunk(args: tuple[int, int]) -> tuple[int, int, list[str]]:
    seed, count = args
    import io
    import random
    import re
    import zipfile

    import docx
    from lxml import etree

    from briefgen.errors import BriefError
    from briefgen.refdoc import sanitize_reference
    from briefgen.render.docx import reference as ox
    from test_docx_reference import make_reference
    from test_refdoc import hostile_reference

    rng = random.Random(seed)
    bases = [make_reference(), make_reference(dotx=True), make_reference(macros=True),
             hostile_reference()]
    banned = re.compile(rb"OLEObject|<w:object|<w:control|altChunk|attachedTemplate|"
                        rb"INCLUDEPICTURE|evil\.example|TargetMode=\"External\"")
    ok = refused = 0
    failures: list[str] = []
    for i in range(count):
        data = _mutate_package(rng, rng.choice(bases))
        t0 = time.perf_counter()
        try:
            out = sanitize_reference(data, name="fuzz.docx")
        except BriefError:
            refused += 1
            continue
        except Exception:
            failures.append(f"seed {seed} #{i}: {traceback.format_exc(limit=3)}")
            continue
        if time.perf_counter() - t0 > 5:
            failures.append(f"seed {seed} #{i}: took {time.perf_counter() - t0:.1f} s")
        z = zipfile.ZipFile(io.BytesIO(out))
        for n in z.namelist():
            blob = z.read(n)
            if banned.search(blob):
                failures.append(f"seed {seed} #{i}: {n} keeps "
                                f"{banned.search(blob).group(0)!r}")  # type: ignore[union-attr]
            if n.endswith((".xml", ".rels")):
                etree.fromstring(blob)
        try:
            docx.Document(io.BytesIO(ox.as_document_package(out))).sections[0]
            ok += 1
        except Exception as e:
            try:
                docx.Document(io.BytesIO(ox.as_document_package(data))).sections[0]
            except Exception:
                refused += 1
                continue
            failures.append(f"seed {seed} #{i}: python-docx opened the input but not the "
                            f"sanitized output: {type(e).__name__}: {e}")
    return ok, refused, failures


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--target", choices=["briefs", "templates", "refdocs"], default="briefs")
    ap.add_argument("--examples", type=int, default=1000)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--max-rows", type=int, default=12)
    ap.add_argument("--no-text-check", action="store_true",
                    help="only hunt crashes: skip reading every field back (about 3x faster)")
    args = ap.parse_args()
    per = 50
    fn = {"briefs": _chunk, "templates": _templates_chunk, "refdocs": _refdocs_chunk}[args.target]
    chunks: list = [(seed, min(per, args.examples - seed * per), args.max_rows,
                     not args.no_text_check) if args.target == "briefs" else
                    (seed, min(per, args.examples - seed * per))
                    for seed in range((args.examples + per - 1) // per)]
    t0 = time.perf_counter()
    built = refused = 0
    failures: list[str] = []
    with ProcessPoolExecutor(args.jobs) as pool:
        for b, r, f in pool.map(fn, chunks):
            built, refused = built + b, refused + r
            failures += f
            done = built + refused + len(f)
            print(f"\r{done}/{args.examples} {args.target}, {len(failures)} failures", end="",
                  file=sys.stderr, flush=True)
    dt = time.perf_counter() - t0
    print(file=sys.stderr)
    what = {"briefs": "built in both formats", "templates": "rendered",
            "refdocs": "sanitized and opened"}[args.target]
    print(f"{args.examples} generated {args.target}: {built} {what}, {refused} refused cleanly, "
          f"{len(failures)} failures, in {dt:.0f} s")
    for f in failures[:20]:
        print(f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
