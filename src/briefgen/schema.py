"""The JSON Schema of a brief, generated from the model, for editors and other tools."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from .model import Brief
from .paths import data

SCHEMA_FILE = "brief.schema.json"


STYLE_SCHEMA_FILE = "style.schema.json"
DRAFT = "https://json-schema.org/draft/2020-12/schema"
#: The key a JSON brief or style may carry to name its schema for editors (YAML files say it
#: in a comment); briefgen ignores it.
SCHEMA_KEY = {"$schema": {"type": "string",
                          "description": "the location of this schema, for editors; ignored"}}


def brief_schema() -> dict[str, Any]:
    from .pydantic_mirror import mirror

    schema = mirror(Brief).model_json_schema()
    schema["properties"] = {**SCHEMA_KEY, **schema["properties"]}
    return {"$schema": DRAFT,
            "title": "briefgen brief", **{k: v for k, v in schema.items() if k != "title"}}


def style_schema() -> dict[str, Any]:
    """The JSON Schema of a style file: the style model, plus ``extends``. Lengths are a
    number of points or a number with a unit, as the style loader reads them."""
    from .pydantic_mirror import mirror
    from .style import Style

    schema = mirror(Style).model_json_schema(mode="validation")
    _describe(schema)
    schema["properties"] = {
        **SCHEMA_KEY,
        "extends": {"type": "string", "description": "a shipped style's name (default, "
                    "uk-brief, us-memo, in-focus) or a style file, relative to this one, whose "
                    "settings this style overrides key by key"},
        **schema["properties"]}
    return {"$schema": DRAFT, "title": "briefgen style",
            **{k: v for k, v in schema.items() if k != "title"}}


def _style_models() -> tuple[Any, Any]:
    """The style's model and a font family's, as pydantic models (the mirror the schema is
    generated from)."""
    from .pydantic_mirror import mirror
    from .style import FontFiles, Style

    return mirror(Style), mirror(FontFiles)


def _describe(schema: dict[str, Any]) -> None:
    """Give every property of the style schema its description from :data:`STYLE_DOCS`
    (the property's own, from the model, where it has none), with its example."""
    from pydantic import BaseModel

    Style, FontFiles = _style_models()

    def apply(model: type[BaseModel], props: dict[str, Any], prefix: str) -> None:
        for name, field in model.model_fields.items():
            what, example = STYLE_DOCS.get(prefix + name, ("", ""))
            prop = props.get(name)
            if prop is None:
                continue
            if what:
                prop["description"] = what
            if example:
                prop["examples"] = [example]
            ann = field.annotation
            if isinstance(ann, type) and issubclass(ann, BaseModel):
                apply(ann, schema["$defs"][ann.__name__]["properties"], prefix + name + ".")
        if model is Style:
            apply(FontFiles, schema["$defs"]["FontFiles"]["properties"], "fonts.families.KEY.")

    apply(Style, schema["properties"], "")


def schema_text() -> str:
    return json.dumps(brief_schema(), indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def style_schema_text() -> str:
    return json.dumps(style_schema(), indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def schema_path() -> Path:
    """The committed schema file shipped in the package (kept current by a test)."""
    return data(SCHEMA_FILE)


def style_schema_path() -> Path:
    """The committed style schema shipped in the package (kept current by a test)."""
    return data(STYLE_SCHEMA_FILE)


# --------------------------------------------------------------------------------------------
# The style reference: every key of a style file, its type, default, meaning and an example.
# A key missing here fails a test: a new style setting is documented when it is added.

STYLE_DOCS: dict[str, tuple[str, str]] = {
    "$schema": ("the location of the style schema, for editors; ignored", ""),
    "extends": ("a shipped style (default, uk-brief, us-memo, in-focus) or a style file, "
                "relative to this one; this file overrides its settings key by key",
                "extends: uk-brief"),
    "name": ("the style's name (default: the file's name)", "name: directorate"),
    "description": ("one line shown by `briefgen styles`", "description: Our directorate's pack"),
    "page": ("the page: size, orientation and margins", ""),
    "page.size": ("A4, A5, A3, Letter or Legal, in any case, or WIDTH x HEIGHT with units",
                  "size: Letter  # or: size: 210mm x 99mm"),
    "page.orientation": ("portrait, or landscape (the longer side across)",
                         "orientation: landscape"),
    "page.margins": ("the margins; together they must leave at least 1 inch of text each way",
                     ""),
    "page.margins.top": ("the top margin (the header sits inside it)", "top: 20mm"),
    "page.margins.bottom": ("the bottom margin (the footer sits inside it)", "bottom: 20mm"),
    "page.margins.left": ("the left margin", "left: 1in"),
    "page.margins.right": ("the right margin", "right: 1in"),
    "page.margins.binding": ("extra inner margin for bound packs", "binding: 10mm"),
    "fonts": ("the typefaces", ""),
    "fonts.body": ("the family of body text: dejavu-sans, dejavu-serif (bundled) or the key "
                   "of one of your `families`", "body: dejavu-serif"),
    "fonts.headings": ("the family of headings, as `body`", "headings: house"),
    "fonts.families": ("your own TrueType families, each under a key that `body` and "
                       "`headings` use; the files sit beside the style file",
                       "families: {house: {name: House Sans, regular: HouseSans.ttf}}"),
    "fonts.families.KEY.name": ("the family's name as Word should know it (required)",
                                "name: House Sans"),
    "fonts.families.KEY.regular": ("the regular face's .ttf file (required)",
                                   "regular: HouseSans-Regular.ttf"),
    "fonts.families.KEY.bold": ("the bold face (default: the regular one)",
                                "bold: HouseSans-Bold.ttf"),
    "fonts.families.KEY.italic": ("the italic face (default: the regular one)",
                                  "italic: HouseSans-Italic.ttf"),
    "fonts.families.KEY.bold_italic": ("the bold italic face (bold_italic, with an "
                                       "underscore; default: the regular one)",
                                       "bold_italic: HouseSans-BoldItalic.ttf"),
    "sizes": ("font sizes in points (above 0, at most 200) and the line height", ""),
    "sizes.base": ("body text", "base: 12"),
    "sizes.small": ("small print: notes, captions, table notes", "small: 9"),
    "sizes.title": ("the title on the top sheet", "title: 22"),
    "sizes.subtitle": ("the subtitle on the top sheet", "subtitle: 14"),
    "sizes.h1": ("first-level headings", "h1: 16"),
    "sizes.h2": ("second-level headings", "h2: 13"),
    "sizes.h3": ("third-level headings", "h3: 11.5"),
    "sizes.header_footer": ("the running header and footer", "header_footer: 8"),
    "sizes.marking": ("the handling marking; at least 12 (TLP labels must be 12 pt or larger)",
                      "marking: 14"),
    "sizes.leading": ("line height as a multiple of the font size, 0.8 to 4", "leading: 1.2"),
    "colours": ("colours, each #rrggbb", ""),
    "colours.text": ("body text", 'text: "#000000"'),
    "colours.headings": ("headings and the title", 'headings: "#7A0019"'),
    "colours.muted": ("secondary text: captions, the header and footer", 'muted: "#666666"'),
    "colours.link": ("links", 'link: "#0B5CAD"'),
    "colours.rule": ("rules and table borders", 'rule: "#CCCCCC"'),
    "colours.table_header_bg": ("the fill of table header rows", 'table_header_bg: "#7A0019"'),
    "colours.table_header_text": ("the text of table header rows",
                                  'table_header_text: "#FFFFFF"'),
    "colours.table_stripe": ("the fill of every other table row (with `tables.stripes`)",
                             'table_stripe: "#F5F5F5"'),
    "colours.box_bg": ("the fill of framed boxes (the summary)", 'box_bg: "#F3ECEC"'),
    "colours.box_border": ("the frame of boxes", 'box_border: "#7A0019"'),
    "colours.risk_bands": ("four fills of the risk matrix bands: low, medium, high, very high",
                           'risk_bands: ["#DDEEDD", "#FFF5CC", "#FFDDAA", "#FFBBBB"]'),
    "marking": ("how the handling marking is printed", ""),
    "marking.tlp_colours": ("the colour of each TLP label (FIRST's; rarely worth changing)",
                            'tlp_colours: {"TLP:AMBER": "#FFC000"}'),
    "marking.tlp_background": ("the background behind a TLP label", 'tlp_background: "#000000"'),
    "marking.banner_colour": ("the colour of UK, US and custom markings",
                              'banner_colour: "#C00000"'),
    "marking.body_notice": ("also print the marking once in the body", "body_notice: false"),
    "marking.portion_marks": ("US style: (U), (C), (S), (TS) or (CUI) before each heading and "
                              "paragraph", "portion_marks: true"),
    "notes": ("endnotes (a Notes list at the end) or footnotes (at the foot of each page)",
              "notes: footnotes"),
    "numbering": ("numbers before headings and paragraphs", ""),
    "numbering.headings": ("none, or decimal (1, 1.1, 1.1.1)", "headings: decimal"),
    "numbering.paragraphs": ("none, or decimal (body paragraphs numbered 1, 2, 3 through the "
                             "pack, as UK submissions do)", "paragraphs: decimal"),
    "cover": ("the top sheet", ""),
    "cover.layout": ("page (the top sheet ends page 1) or compact (the pack runs on)",
                     "layout: compact"),
    "cover.logo": ("a PNG or JPEG beside the style file, printed on the top sheet",
                   "logo: crest.png"),
    "cover.logo_width": ("the logo's width", "logo_width: 30mm"),
    "tables": ("the look of tables", ""),
    "tables.stripes": ("fill every other row", "stripes: false"),
    "tables.rules": ("grid (every border) or horizontal (rules between rows only)",
                     "rules: horizontal"),
    "changes": ("tracked changes (build NEW --since OLD --track-changes)", ""),
    "changes.bars": ("a change bar in the PDF's margin beside each line that changed",
                     "bars: true"),
    "legend": ("which probability scale's legend the pack prints: auto (the scales the risks "
               "use), icd203, phia, or none", "legend: phia"),
    "fonts.fallbacks": ("families that draw what the body and heading fonts cannot (Arabic, "
                        "Hebrew ...): bundled noto-sans-arabic, noto-naskh-arabic, "
                        "noto-sans-hebrew, noto-serif-hebrew, or your own under families",
                        "fallbacks: [noto-naskh-arabic, noto-serif-hebrew]"),
    "risk_matrix": ("the risk matrix: 5x5 (likelihood x impact, scores 1-25 banded), 3x3 "
                    "(low / medium / high) or terms (one row per term of the ratings' scale)",
                    "risk_matrix: 3x3"),
    "reference_docx": ("a Word document or template (.docx/.dotx) beside the style whose "
                       "styles, page set-up and header logo the DOCX takes",
                       "reference_docx: house.dotx"),
}


def _style_fields() -> list[tuple[str, Any, Any]]:
    """Every key of a style as (dotted key, annotation, default), depth first; the keys of
    a family under ``fonts.families`` as ``fonts.families.KEY.*``."""
    from pydantic import BaseModel
    from pydantic_core import PydanticUndefined

    Style, FontFiles = _style_models()

    out: list[tuple[str, Any, Any]] = []

    def walk(model: type[BaseModel], prefix: str) -> None:
        for name, field in model.model_fields.items():
            default = None if field.default is PydanticUndefined else field.default
            if field.default_factory is not None:
                default = field.default_factory()  # type: ignore[call-arg]
            out.append((prefix + name, (field.annotation, tuple(field.metadata)), default))
            ann = field.annotation
            if isinstance(ann, type) and issubclass(ann, BaseModel):
                walk(ann, prefix + name + ".")
            if prefix + name == "fonts.families":
                walk(FontFiles, "fonts.families.KEY.")

    walk(Style, "")
    return out


def _type_words(key: str, annotation: Any, default: Any) -> str:
    import typing

    from pydantic import BaseModel

    annotation, metadata = annotation
    if key in ("page.size",):
        return "page size"
    text = repr(annotation) + repr(metadata)
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return "mapping"
    if typing.get_origin(annotation) is typing.Literal:
        return "one of " + ", ".join(str(a) for a in typing.get_args(annotation))
    if "dict" in text:
        return "mapping of label to colour" if "_colour" in text else "mapping"
    for needle, words in (("_length", "length"), ("_colour", "colour"),
                          ("_font_size", "size (pt)")):
        if needle in text:
            return "list of 4 colours" if "tuple" in text else words
    if annotation is bool:
        return "true or false"
    if annotation is float:
        return "number"
    if "Path" in text:
        return "file name"
    if "dict" in text:
        return "mapping"
    return "text"


def _default_words(key: str, annotation: Any, default: Any) -> str:
    from pydantic import BaseModel

    if isinstance(default, BaseModel):
        return ""
    if default is None or default == {} or key == "name":
        return "—" if key != "name" else "the file's name"
    if "_length" in repr(annotation) and isinstance(default, float):  # (annotation, metadata)
        mm = default * 25.4 / 72
        return "0" if not default else f"{mm:g}mm".replace(f"{mm:g}", f"{round(mm, 1):g}")
    if isinstance(default, bool):
        return str(default).lower()
    if isinstance(default, tuple):
        return ", ".join(default)
    if isinstance(default, dict):
        return "; ".join(f"{k}: {v}" for k, v in default.items())
    return f"{default:g}" if isinstance(default, float) else str(default)


def style_reference() -> str:
    """``docs/styles.md``: the reference of every key of a style file (committed, and kept
    current by a test: ``python -c 'import briefgen.schema as s; print(s.style_reference(),
    end="")' > docs/styles.md``)."""
    lines = [
        "# Style files: the reference",
        "",
        "<!-- Generated from the style model by briefgen.schema.style_reference(); a test keeps "
        "it current. -->",
        "",
        "A style is a YAML (or JSON) file that sets the look of both the PDF and the DOCX. It "
        "may `extends:` a shipped style (`default`, `uk-brief`, `us-memo`, `in-focus`) or "
        "another file and override only the keys it names, key by key. Build with "
        "`briefgen build BRIEF --style FILE`; `briefgen styles show FILE` prints the resolved "
        "settings and `briefgen validate BRIEF --style FILE` checks it. Files a style names "
        "(fonts, logo, reference document) sit beside it.",
        "",
        "For completion and checking in an editor, start the file with",
        "",
        "```yaml",
        "# yaml-language-server: $schema=PATH/TO/style.schema.json",
        "```",
        "",
        "where the schema is `src/briefgen/style.schema.json` in the repository (or "
        "`briefgen schema --style -o style.schema.json`).",
        "",
        "Lengths take a unit: `25mm`, `2.5cm`, `1in`, `12pt` (a bare number is points). "
        "Colours are `#rrggbb`. Sizes are points, above 0 and at most 200.",
        "",
        "An example:",
        "",
        "```yaml",
        "extends: default",
        "description: Our directorate's pack",
        "page: {size: Letter, margins: {left: 1in, right: 1in}}",
        "fonts:",
        "  body: house",
        "  headings: house",
        "  families:",
        "    house:",
        "      name: House Sans",
        "      regular: HouseSans-Regular.ttf",
        "      bold: HouseSans-Bold.ttf",
        "      italic: HouseSans-Italic.ttf",
        "      bold_italic: HouseSans-BoldItalic.ttf",
        "sizes: {base: 12, h1: 18}",
        'colours: {headings: "#7A0019", table_header_bg: "#7A0019"}',
        "cover: {logo: crest.png}",
        "```",
        "",
        "| key | type | default | what it sets | example |",
        "|---|---|---|---|---|",
    ]
    for key, annotation, default in _style_fields():
        what, example = STYLE_DOCS[key]
        lines.append(f"| `{key}` | {_type_words(key, annotation, default)} | "
                     f"{_default_words(key, annotation, default).replace('|', '/')} | {what} | "
                     + (f"`{example}`" if example else "") + " |")
    return "\n".join(lines) + "\n"
