"""Style: the look of a pack as data. One style drives both renderers.

Style files live in ``styles/*.yaml`` (shipped ones inside the package, ``briefgen/styles``) and
may ``extends:`` another style by name or by path; the child's settings are merged over the
parent's, key by key. Lengths are written with a unit (``25mm``, ``1in``, ``72pt``, ``2.5cm``);
colours as ``#rrggbb``.
"""

import math
import re
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Literal

import msgspec

from .errors import BriefError, Diagnostic
from .fonts import Family, check_truetype
from .loader import printable
from .paths import data
from .typed import About, Given, Model, Scalar, set_field

_UNITS = {"pt": 1.0, "mm": 72 / 25.4, "cm": 72 / 2.54, "in": 72.0}
_LENGTH = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(pt|mm|cm|in)\s*$")
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")

PAGE_SIZES = {"A4": (595.2756, 841.8898), "Letter": (612.0, 792.0), "A5": (419.5276, 595.2756),
              "A3": (841.8898, 1190.5512), "Legal": (612.0, 1008.0)}
_CUSTOM_SIZE = re.compile(r"^\s*([^x×*\s]+)\s*[x×*]\s*([^x×*\s]+)\s*$", re.IGNORECASE)
#: The smallest page side (2 inches) and the largest (the largest length a style may give).
MIN_PAGE_SIDE = 144.0


#: The largest length a style may give (a page side is under 1,000 pt).
MAX_LENGTH = 2000.0


def _length(v: Any) -> float:
    out: float | None = None
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        out = float(v)
    elif isinstance(v, str):
        m = _LENGTH.match(v)
        if m and len(m.group(1)) <= 12:
            out = float(m.group(1)) * _UNITS[m.group(2)]
    if out is None:
        raise ValueError(f"{v!r} is not a length: write a number with a unit, e.g. 25mm, 1in, "
                         "12pt")
    if not math.isfinite(out) or not 0 <= out <= MAX_LENGTH:
        raise ValueError(f"{v!r} is not a length a page can hold (0 to {MAX_LENGTH:g} pt)")
    return out


def _font_size(v: Any) -> Any:
    if isinstance(v, bool) or (isinstance(v, (int, float)) and not
                               (math.isfinite(v) and 0 < v <= 200)):
        raise ValueError(f"{v!r} is not a font size: give a number of points above 0 and up "
                         "to 200")
    return v


def _colour(v: Any) -> str:
    if isinstance(v, str) and _COLOUR.match(v):
        return v.upper()
    raise ValueError(f"{v!r} is not a colour: write #rrggbb, e.g. #1F3864")


def _page_size(v: Any) -> Any:
    """A page size: a name in any case (``a4``, ``letter``, ``Legal``) or a custom ``WIDTH x
    HEIGHT`` with units (``210mm x 99mm``, ``8.5in x 14in``)."""
    if not isinstance(v, str):
        raise ValueError(f"{v!r} is not a page size: write one of {', '.join(PAGE_SIZES)} or "
                         "WIDTH x HEIGHT, e.g. 210mm x 99mm")
    for name in PAGE_SIZES:
        if v.strip().lower() == name.lower():
            return name
    m = _CUSTOM_SIZE.match(v)
    if not m:
        raise ValueError(f"{v!r} is not a page size: write one of {', '.join(PAGE_SIZES)} "
                         "(in any case) or WIDTH x HEIGHT, e.g. 210mm x 99mm")
    w, h = _length(m.group(1)), _length(m.group(2))
    if min(w, h) < MIN_PAGE_SIDE:
        raise ValueError(f"{v!r}: a page side must be at least 2in (144pt)")
    return v.strip()


def page_dimensions(size: str) -> tuple[float, float]:
    """(width, height) in points of a page size as :func:`_page_size` leaves it."""
    if size in PAGE_SIZES:
        return PAGE_SIZES[size]
    m = _CUSTOM_SIZE.match(size)
    assert m is not None, size  # validated
    return _length(m.group(1)), _length(m.group(2))


LENGTH = Scalar("length", float, before=(_length,), json_schema={
    "anyOf": [{"type": "number", "minimum": 0, "maximum": MAX_LENGTH},
              {"type": "string", "pattern": _LENGTH.pattern}],
    "description": "a length: a number with a unit (25mm, 2.5cm, 1in, 12pt); a bare number "
                   "is points"})
COLOUR = Scalar("colour", str, before=(_colour,), json_schema={
    "type": "string", "pattern": _COLOUR.pattern, "description": "a colour: #rrggbb"})
FONT_SIZE = Scalar("font size", float, About(gt=0, le=200, allow_inf_nan=False),
                   before=(_font_size,), json_schema={
                       "type": "number", "exclusiveMinimum": 0, "maximum": 200,
                       "description": "a font size in points"})
PAGE_SIZE = Scalar("page size", str, About(
    description="A4, A5, A3, Letter or Legal (in any case), or WIDTH x HEIGHT with units "
                "(210mm x 99mm)", examples=("A4", "Letter", "210mm x 99mm")),
    before=(_page_size,))
FILE = Scalar("file name", Path)

if TYPE_CHECKING:  # what a field holds, for type checkers; at run time, its rules
    Length = float
    Colour = str
    FontSize = float
    PageSize = str
    File = Path
else:
    Length, Colour, FontSize = LENGTH.hint, COLOUR.hint, FONT_SIZE.hint
    PageSize, File = PAGE_SIZE.hint, FILE.hint


class Margins(Model, frozen=True, kw_only=True):
    top: Length = 25 * _UNITS["mm"]
    bottom: Length = 25 * _UNITS["mm"]
    left: Length = 22 * _UNITS["mm"]
    right: Length = 22 * _UNITS["mm"]
    binding: Annotated[Length, About(description="extra inner margin for bound packs")] = 0.0


class Page(Model, frozen=True, kw_only=True):
    size: PageSize = "A4"
    orientation: Annotated[Literal["portrait", "landscape"], About(
        description="landscape turns the page on its side (the longer side across)")] = \
        "portrait"
    margins: Margins = Margins()

    def _rules(self) -> None:
        w, h = self.dimensions
        m = self.margins
        if m.left + m.right + m.binding > w - 72 or m.top + m.bottom > h - 72:
            raise ValueError(f"the margins leave less than 1 inch of text on the page "
                             f"({self.size}, {w:.0f} x {h:.0f} pt); make them smaller")

    @property
    def dimensions(self) -> tuple[float, float]:
        """(width, height) in points, turned for a landscape page."""
        w, h = page_dimensions(self.size)
        return (max(w, h), min(w, h)) if self.orientation == "landscape" else (w, h)


class FontFiles(Model, frozen=True, kw_only=True):
    """A family of TrueType files beside the style file; missing faces use the regular one."""

    name: Annotated[str, About(description="the family's name, as Word should know it")]
    regular: File
    bold: File | None = None
    italic: File | None = None
    bold_italic: File | None = None


class Fonts(Model, frozen=True, kw_only=True):
    body: Annotated[str, About(description="a bundled family (dejavu-sans, dejavu-serif) or a "
                                           "family defined under `families`")] = "dejavu-sans"
    headings: str = "dejavu-sans"
    families: Annotated[dict[str, FontFiles], About(
        description="your own TrueType families, by the name body and headings use")] = {}
    fallbacks: Annotated[list[str], About(
        description="families tried in order for a character the body or headings family "
                    "cannot draw in every face: bundled (noto-sans-arabic, noto-naskh-arabic, "
                    "noto-sans-hebrew, noto-serif-hebrew) or defined under `families`")] = \
        msgspec.field(default_factory=lambda: ["noto-sans-arabic", "noto-sans-hebrew"])

    def _rules(self) -> None:
        """Body and headings name a bundled family or one under ``families``; an own family's
        name becomes a :class:`~briefgen.fonts.FamilyKey` carrying its files. Checks only:
        no font is registered (the renderers do that when they draw)."""
        from .fonts import BUNDLED, FamilyKey, own_family

        updates = {}
        for slot in ("body", "headings"):
            key = getattr(self, slot)
            if isinstance(key, FamilyKey):
                key = key.own
            if key in self.families:
                f = self.families[key]
                updates[slot] = own_family(key, f.name, f.regular, f.bold, f.italic,
                                           f.bold_italic)
            elif key not in BUNDLED:
                raise ValueError(f"{slot}: no font family {key!r}; use one of "
                                 + ", ".join([*BUNDLED, *self.families]))
        chain: list[str] = []
        for key in self.fallbacks:
            own = getattr(key, "own", key)
            if own in self.families:
                f = self.families[own]
                chain.append(own_family(own, f.name, f.regular, f.bold, f.italic,
                                        f.bold_italic))
            elif own in BUNDLED:
                chain.append(own)
            else:
                raise ValueError(f"fallbacks: no font family {own!r}; use one of "
                                 + ", ".join([*BUNDLED, *self.families]))
        for slot, value in updates.items():
            set_field(self, slot, value)
        set_field(self, "fallbacks", chain)

    def _dump_field(self, name: str, value: Any) -> Any:
        """A dump shows the analyst's own name of a family (``house``), not its key, so that
        it validates again as the same style."""
        if name in ("body", "headings"):
            return str(getattr(value, "own", value))
        if name == "fallbacks":
            return [str(getattr(k, "own", k)) for k in value]
        return value

    def family(self, slot: Literal["body", "headings"]) -> Family:
        """The family the ``body`` or ``headings`` text is set in."""
        from .fonts import family

        return family(getattr(self, slot))

    def chain(self, slot: Literal["body", "headings"]) -> list[Family]:
        """The ``body`` or ``headings`` family, then the fallbacks, in the order tried."""
        from .fonts import family

        return [self.family(slot), *(family(k) for k in self.fallbacks)]


class Sizes(Model, frozen=True, kw_only=True):
    base: FontSize = 11.0
    small: FontSize = 9.0
    title: FontSize = 24.0
    subtitle: FontSize = 14.0
    h1: FontSize = 16.0
    h2: FontSize = 13.0
    h3: FontSize = 11.5
    header_footer: FontSize = 9.0
    marking: Annotated[FontSize, About(
        ge=12.0, description="TLP labels must be 12 pt or larger")] = 12.0
    leading: Annotated[float, About(
        ge=0.8, le=4.0, allow_inf_nan=False,
        description="line height as a multiple of the font size")] = 1.3


class Colours(Model, frozen=True, kw_only=True):
    text: Colour = "#1A1A1A"
    headings: Colour = "#1F3864"
    muted: Colour = "#555555"
    link: Colour = "#1F4E9E"
    rule: Colour = "#B0B7C3"
    table_header_bg: Colour = "#1F3864"
    table_header_text: Colour = "#FFFFFF"
    table_stripe: Colour = "#F2F4F7"
    box_bg: Colour = "#EEF2F8"
    box_border: Colour = "#1F3864"
    risk_bands: Annotated[tuple[Colour, Colour, Colour, Colour], About(
        description="fills of the risk matrix bands: low, medium, high, very high")] = \
        ("#C6E7C1", "#FFF2A8", "#FFD08A", "#F4A6A0")


class MarkingStyle(Model, frozen=True, kw_only=True):
    """How handling markings are printed. TLP colours are FIRST's and rarely worth changing."""

    tlp_colours: dict[str, Colour] = msgspec.field(default_factory=Given({
        "TLP:RED": "#FF2B2B",
        "TLP:AMBER": "#FFC000",
        "TLP:AMBER+STRICT": "#FFC000",
        "TLP:GREEN": "#33FF00",
        "TLP:CLEAR": "#FFFFFF",
    }))
    tlp_background: Colour = "#000000"
    banner_colour: Colour = "#000000"
    body_notice: Annotated[bool, About(
        description="print the marking once in the body as well")] = True
    portion_marks: Annotated[bool, About(
        description="US style: (U), (C), (S), (TS) or (CUI) before each heading and "
                    "paragraph")] = False


class Numbering(Model, frozen=True, kw_only=True):
    """Numbers printed before headings (1, 1.1, 1.1.1) and body paragraphs (1, 2, 3 through
    the pack, as UK submissions number them; items of a numbered paragraph's list (a), (b))."""

    headings: Literal["none", "decimal"] = "none"
    paragraphs: Literal["none", "decimal"] = "none"


class Cover(Model, frozen=True, kw_only=True):
    layout: Annotated[Literal["page", "compact"], About(
        description="page: the top sheet ends page 1; compact: the pack runs on")] = "page"
    logo: Annotated[File | None, About(
        description="an image (PNG or JPEG) for the top sheet, beside the style file")] = None
    logo_width: Length = 35 * _UNITS["mm"]


class Tables(Model, frozen=True, kw_only=True):
    """Table look: ``rules`` grid draws every cell border; horizontal draws only rules between
    rows (heavier above the header and under the last row), no vertical lines."""

    stripes: bool = True
    rules: Literal["grid", "horizontal"] = "grid"


class Changes(Model, frozen=True, kw_only=True):
    """Tracked changes (``briefgen build NEW --since OLD --track-changes``): ``bars`` draws a
    change bar in the PDF's margin beside each line that changed (the DOCX has Word's own)."""

    bars: bool = False


class Style(Model, frozen=True, kw_only=True):
    name: str = "default"
    description: str = ""
    page: Page = Page()
    fonts: Fonts = Fonts()
    sizes: Sizes = Sizes()
    colours: Colours = Colours()
    marking: MarkingStyle = MarkingStyle()
    notes: Literal["endnotes", "footnotes"] = "endnotes"
    numbering: Numbering = Numbering()
    cover: Cover = Cover()
    tables: Tables = Tables()
    changes: Changes = Changes()
    legend: Annotated[Literal["auto", "icd203", "phia", "none"], About(
        description="which probability scale's legend the pack prints: auto (the scales the "
                    "risks use), a scale (printed first, with any other scale the risks use), "
                    "or none")] = "auto"
    risk_matrix: Annotated[Literal["5x5", "3x3", "terms"], About(
        description="the risk matrix: 5x5 (likelihood × impact, scores 1-25 banded), 3x3 "
                    "(low / medium / high) or terms (one row per term of the ratings' "
                    "scale)")] = "5x5"
    reference_docx: Annotated[File | None, About(
        description="a Word document or template (.docx/.dotx) whose styles, page set-up and "
                    "header logo the DOCX pack takes, as pandoc's reference-doc")] = None


class MarkingLook(msgspec.Struct, frozen=True):
    """A marking resolved against a style: what to print, how and where."""

    text: str
    colour: str
    background: str | None
    align: Literal["left", "center", "right"]
    size: float


def marking_look(scheme: str, label: str, style: Style) -> MarkingLook:
    """Presentation rules for a marking, shared by both renderers.

    TLP 2.0: the exact label in its FIRST colour on black, right-aligned, 12 pt or larger.
    UK classifications and US banners: capitals, centred, top and bottom. Custom: as UK.
    """
    if scheme == "tlp":
        colour = style.marking.tlp_colours.get(label, "#FFFFFF")
        return MarkingLook(label, colour, style.marking.tlp_background, "right",
                           style.sizes.marking)
    return MarkingLook(label.upper(), style.marking.banner_colour, None, "center",
                       style.sizes.marking)


# --------------------------------------------------------------------------------------------
# Loading


def shipped_styles_dir() -> Path:
    """The shipped styles: ``briefgen/styles`` in an installed wheel, the checkout's top-level
    ``styles/`` in an editable install (the wheel build copies that folder into the package)."""
    packaged = data("styles")
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parents[2] / "styles"


def available_styles() -> dict[str, Path]:
    return {p.stem: p for p in sorted(shipped_styles_dir().glob("*.yaml"))}


def _merge(base: dict[str, Any], over: dict[str, Any]) -> dict[str, Any]:
    out = dict(base)
    for k, v in over.items():
        if isinstance(v, dict) and isinstance(out.get(k), dict):
            out[k] = _merge(out[k], v)
        else:
            out[k] = v
    return out


def _resolve_path(ref: str | Path, relative_to: Path | None) -> Path:
    styles = available_styles()
    if isinstance(ref, str) and ref in styles:
        return styles[ref]
    p = Path(ref)
    if not p.is_absolute() and relative_to is not None:
        cand = relative_to / p
        if cand.exists():
            return cand
    if p.exists():
        return p
    raise BriefError([Diagnostic(str(ref), None, None, "style",
                                 f"no style named {str(ref)!r}; shipped styles: "
                                 + ", ".join(styles))])


ASSET_FIELDS: tuple[tuple[str, ...], ...] = (("reference_docx",), ("cover", "logo"))
FONT_FACES = ("regular", "bold", "italic", "bold_italic")


def _resolve_asset(data: dict[str, Any], loc: tuple[str, ...], style_file: Path,
                   positions: Any) -> None:
    """Make a file named in a style absolute, refusing one that is missing or that lies
    outside the style's folder (no ``../../etc/passwd``, no absolute paths)."""
    holder: Any = data
    for key in loc[:-1]:
        holder = holder.get(key) if isinstance(holder, dict) else None
    if not isinstance(holder, dict) or not isinstance(holder.get(loc[-1]), str):
        return
    ref = holder[loc[-1]]
    folder = style_file.parent.resolve()
    target = (folder / ref).resolve()
    line, col = positions.find(loc)
    where = ".".join(loc)
    if Path(ref).is_absolute() or not target.is_relative_to(folder):
        raise BriefError([Diagnostic(str(style_file), line, col, where,
                                     f"{ref!r} is outside the style's folder; put the file "
                                     "beside the style and name it relative to it")])
    if not target.is_file():
        raise BriefError([Diagnostic(str(style_file), line, col, where,
                                     f"no such file {ref!r} (looked in {folder})")])
    if loc == ("cover", "logo"):
        problem = logo_problem(target)
        if problem:
            raise BriefError([Diagnostic(str(style_file), line, col, where,
                                         f"{ref!r} {problem}")])
    holder[loc[-1]] = str(target)


#: A logo's limits: pixels (width x height, checked before decoding) and file size.
MAX_LOGO_PIXELS = 40_000_000
MAX_LOGO_BYTES = 20 * 1024 * 1024


def logo_problem(path: Path) -> str | None:
    """Why an image cannot be a logo (not a PNG or JPEG, too many pixels, corrupt or
    truncated), or ``None``. The size is read from the header before any pixel is decoded."""
    import warnings

    from PIL import Image, UnidentifiedImageError

    from .loader import file_problem

    problem = file_problem(path, MAX_LOGO_BYTES)
    if problem:
        return problem
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(path) as im:
                kind = im.format
                if kind not in ("PNG", "JPEG"):
                    return "is not a PNG or JPEG image"
                width, height = im.size
                if width * height > MAX_LOGO_PIXELS:
                    return (f"is {width:,} x {height:,} pixels; a logo may have at most "
                            f"{MAX_LOGO_PIXELS:,} pixels")
                im.verify()
            with Image.open(path) as im:
                im.load()
    except UnidentifiedImageError:
        return "is not a PNG or JPEG image"
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        return f"has far more pixels than the {MAX_LOGO_PIXELS:,} a logo may have"
    except (OSError, SyntaxError, ValueError, EOFError) as e:
        return f"is a corrupt or truncated image ({printable(str(e))[:80]})"
    return None


def _load_raw(path: Path, seen: tuple[Path, ...],
              reads: list[Path] | None = None) -> tuple[dict[str, Any], Any]:
    """The merged settings of a style file and the styles it extends; every file read on the
    way (the style files and the files they name) is added to ``reads``."""
    from .loader import load_mapping

    if path in seen:
        chain = " -> ".join(p.name for p in (*seen, path))
        raise BriefError([Diagnostic(str(path), None, None, "extends",
                                     f"styles extend each other in a loop: {chain}")])
    data, positions = load_mapping(path)
    data.pop("$schema", None)  # an editor's pointer to the style schema (JSON)
    families = (data.get("fonts") or {}).get("families") or {}
    font_fields = [("fonts", "families", fam, face) for fam in families for face in FONT_FACES]
    if reads is not None:
        reads.append(path)
    for loc in (*ASSET_FIELDS, *font_fields):  # files named in a style sit beside it
        _resolve_asset(data, loc, path, positions)
        if reads is not None:
            value = _get(data, loc)
            if isinstance(value, str):
                reads.append(Path(value))
    for loc in font_fields:
        file = families[loc[2]].get(loc[3]) if isinstance(families[loc[2]], dict) else None
        if not isinstance(file, str):
            continue
        problem = check_truetype(Path(file))
        if problem:
            line, col = positions.find(loc)
            raise BriefError([Diagnostic(str(path), line, col, ".".join(loc),
                                         f"{Path(file).name}: {problem}")])
    parent_ref = data.pop("extends", None)
    if parent_ref is None:
        return data, positions
    parent_path = _resolve_path(parent_ref, path.parent)
    beside = path.parent / parent_ref if isinstance(parent_ref, str) else None
    if reads is not None and beside is not None and parent_path != beside \
            and parent_ref not in available_styles():
        reads.append(beside)  # (found in the current folder: one made beside it comes first,
        # so the style is not kept: a missing file means no fingerprint)
    parent, _ = _load_raw(parent_path, (*seen, path), reads)
    parent.pop("name", None)
    parent.pop("description", None)
    return _merge(parent, data), positions


def _get(data: Any, loc: tuple[str, ...]) -> Any:
    for key in loc:
        data = data.get(key) if isinstance(data, dict) else None
    return data


Fingerprint = tuple[tuple[str, str], ...]
_CACHE: dict[str, tuple[Fingerprint, Style]] = {}


def _fingerprint(files: list[Path]) -> Fingerprint | None:
    """What the files a style was made of hold now: a style file's content hash (they are
    small, and an edit within one clock tick keeps the time), a named file's size and times;
    None if one has gone."""
    import hashlib

    out = []
    for f in dict.fromkeys(files):
        try:
            if f.suffix.lower() in (".yaml", ".yml", ".json"):
                mark = hashlib.sha256(f.read_bytes()).hexdigest()
            else:
                st = f.stat()
                mark = f"{st.st_size}:{st.st_mtime_ns}:{st.st_ctime_ns}:{st.st_ino}"
        except OSError:
            return None
        out.append((str(f), mark))
    return tuple(out)


def load_style(ref: str | Path | Style | None = None) -> Style:
    """A style by shipped name (``"default"``), by path, or as given. ``None`` is the default.

    A style is read once per process and read again when any file it was made of changes:
    the style file, every style it ``extends``, and the files they name (logo, fonts,
    reference document)."""
    if isinstance(ref, Style):
        return ref
    path = _resolve_path(ref or "default", Path.cwd())
    key = str(path.resolve())
    cached = _CACHE.get(key)
    if cached is None:  # the command line keeps styles between runs (briefgen.cache)
        from .cache import get

        cached = get("style", (key,))
    if cached is not None and _fingerprint([Path(f) for f, _ in cached[0]]) == cached[0]:
        _CACHE[key] = cached
        return cached[1]
    from .validate import validate_model

    reads: list[Path] = []
    data, positions = _load_raw(path, (), reads)
    data.setdefault("name", path.stem)
    style = validate_model(Style, data, positions, str(path))
    fingerprint = _fingerprint(reads)
    if fingerprint is not None:
        from .cache import put

        _CACHE[key] = (fingerprint, style)
        put("style", (key,), (fingerprint, style))
    return style
