"""The import budget: which libraries ``import briefgen`` and each command load (issue 19).

Each import costs every run of the command (ReportLab about 0.1 s, python-docx 0.05 s, pydantic
and the models' validators built on it 0.15 s: only a brief or style with a problem to word
loads it), so each command is held to the third-party packages it needs: a
change that adds one to a command's path fails here and must say why in this file. What is
checked is the set of modules, not how long they take (that is benchmarks/bench_cold.py's).

Each command runs in a fresh interpreter, as ``briefgen`` would (through ``briefgen.cli.main``
with its arguments, so that the process exits normally and can report what it loaded).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SAMPLE = "briefs/nagorno-karabakh-2023-09-ceasefire.yaml"

REPORT = """
import json, sys
before = set(sys.modules)
{body}
loaded = set(sys.modules) - before
print(json.dumps(sorted(loaded)))
"""
COMMAND = """
from briefgen.cli import main
try:
    main({argv!r})
except SystemExit as e:
    assert e.code in (0, None), e.code
"""

#: what preparing a valid brief needs: the CLI, the brief and style models (msgspec; pydantic
#: only words the problems of input that is not valid), YAML (libyaml; ruamel.yaml only for
#: the round-trip loader), the templates, Markdown inline text and the pack XML the templates
#: write
PREPARE = {"click", "msgspec", "typing_extensions", "yaml", "jinja2", "markupsafe",
           "markdown_it", "mdurl", "lxml"}
#: what the PDF renderer adds (ReportLab imports Pillow and, where installed, uharfbuzz)
PDF = {"reportlab", "PIL", "uharfbuzz"}
#: what the DOCX renderer adds (its charts are laid out as the PDF's and painted by Pillow:
#: no ReportLab, no pdfium; uharfbuzz only for a chart with right-to-left text)
DOCX = {"docx", "PIL"}
#: briefgen's own modules that no one-brief command needs
NEVER = {"briefgen.batch", "briefgen.bundle", "briefgen.diff", "briefgen.schema",
         "briefgen.watch", "briefgen.preview", "briefgen.refdoc", "briefgen.render.html"}


def loaded(body: str) -> set[str]:
    out = subprocess.run([sys.executable, "-c", REPORT.format(body=body)], cwd=ROOT,
                         capture_output=True, text=True, timeout=300)
    assert out.returncode == 0, out.stderr
    return set(json.loads(out.stdout.strip().splitlines()[-1]))


def third_party(modules: set[str]) -> set[str]:
    """The top-level packages among ``modules`` that are neither the standard library nor
    briefgen (nor a compiled extension's private helpers)."""
    tops = {m.split(".")[0] for m in modules}
    return {t for t in tops if t not in sys.stdlib_module_names and not t.startswith("_")
            and t not in ("briefgen", "cython_runtime")}


#: The stand-in the CLI puts in place of pydantic's plugin loader (cli.app._no_pydantic_plugins):
#: a module object in sys.modules, not an import of pydantic.
PLUGIN_STUB = "pydantic.plugin._loader"


def command(*argv: str) -> set[str]:
    return loaded(COMMAND.format(argv=list(argv))) - {PLUGIN_STUB}


def forks() -> bool:
    """Whether a one-brief build renders in children forked at its start (see
    briefgen.workers): POSIX, and more than one core for this process."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1
    return hasattr(os, "fork") and cores > 1


def test_import_briefgen_loads_only_its_errors() -> None:
    mods = loaded("import briefgen")
    assert third_party(mods) == set()
    assert {m for m in mods if m.startswith("briefgen")} == {"briefgen", "briefgen.errors"}
    # and not the package metadata (importlib.metadata: about 20 ms), read for __version__
    assert "importlib.metadata" not in mods


def test_help_loads_the_cli_alone() -> None:
    mods = command("--help")
    assert third_party(mods) == {"click"}
    assert {m for m in mods if m.startswith("briefgen")} <= {
        "briefgen", "briefgen.errors", "briefgen.cli", "briefgen.cli.app",
        "briefgen.cli.build", "briefgen.cli.check", "briefgen.cli.clearance",
        "briefgen.cli.info", "briefgen.cli.early"}


def test_validate_loads_what_preparing_a_brief_needs_and_no_renderer() -> None:
    mods = command("validate", SAMPLE)
    assert third_party(mods) == PREPARE
    assert not {m for m in mods if m.startswith("briefgen.render.")}
    assert not mods & NEVER
    # nor pydantic's plugin search (importlib.metadata and every distribution's entry points:
    # about 20 ms; cli.app._no_pydantic_plugins)
    assert "importlib.metadata" not in mods


def test_a_program_importing_briefgen_keeps_its_pydantic_plugins() -> None:
    """Only the command's own process goes without pydantic's plugin search."""
    mods = loaded("import briefgen.model")
    assert "pydantic" not in mods
    mods = loaded("import briefgen.pydantic_mirror")
    assert "importlib.metadata" in mods


def test_validate_of_a_brief_with_a_problem_loads_pydantic_to_word_it(tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text((ROOT / SAMPLE).read_text(encoding="utf-8").replace(
        "title:", "titel:", 1), encoding="utf-8")
    mods = loaded(f"""
from briefgen.cli import main
try:
    main(["validate", {str(bad)!r}])
except SystemExit as e:
    assert e.code == 2, e.code
""")
    assert {"pydantic", "pydantic_core"} <= third_party(mods)
    assert "importlib.metadata" not in mods


@pytest.mark.parametrize("fmt, serial", [("pdf", PDF), ("docx", DOCX),
                                         ("pdf,docx", PDF | DOCX)])
def test_build_loads_its_formats_renderers_where_it_renders_them(
        tmp_path: Path, fmt: str, serial: set[str]) -> None:
    """With --jobs 1 this process renders; otherwise the renderers' children do (they are
    forked before the brief model is imported), and this process renders DOCX itself when
    there are two formats. The one child (with time to spare before its document) also parses
    the brief's Markdown: this process then never imports markdown-it."""
    mods = command("build", SAMPLE, "-o", str(tmp_path / "1"), "-q", "-f", fmt, "-j", "1")
    assert third_party(mods) == PREPARE | serial
    assert not mods & NEVER
    assert "importlib.metadata" not in mods
    mods = command("build", SAMPLE, "-o", str(tmp_path / "2"), "-q", "-f", fmt)
    here = (DOCX if "docx" in fmt and "," in fmt else set()) if forks() else serial
    parsed_there = {"markdown_it", "mdurl"} if forks() else set()
    assert third_party(mods) == (PREPARE - parsed_there) | here
    assert not mods & NEVER
