"""The reference commands: ``schema``, ``new``, ``styles`` and ``templates``."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from ..errors import BriefError, Diagnostic
from .app import cli, guarded


@cli.command()
@click.option("--output", "-o", type=click.Path(path_type=Path), default=None,
              help="Write the schema to this file instead of printing it.")
@click.option("--style", "of_style", is_flag=True,
              help="The JSON Schema of a style file instead of a brief's.")
@guarded
def schema(output: Path | None, of_style: bool) -> None:
    """Print the JSON Schema of a brief, or with --style of a style (for editors and other
    tools)."""
    from ..pipeline import write_atomic
    from ..schema import schema_text, style_schema_text

    text = style_schema_text() if of_style else schema_text()
    if output is None:
        click.echo(text, nl=False)
    else:
        write_atomic(output, text.encode("utf-8"))


@cli.command()
@click.argument("path", type=click.Path(path_type=Path))
@click.option("--full", is_flag=True,
              help="Every section and field once, each with a comment (the default starter "
                   "has the common ones).")
@click.option("--force", is_flag=True, help="Overwrite PATH if it exists.")
@guarded
def new(path: Path, full: bool, force: bool) -> None:
    """Write a starter brief to PATH that validates and that editors can complete: YAML, or
    JSON for a PATH ending in .json."""
    from ..pipeline import write_atomic

    if path.exists() and not force:
        raise BriefError([Diagnostic(str(path), None, None, "",
                                     "already exists; choose another name or pass --force")])
    text = starter_text(path.name, full=full, json_=path.suffix.lower() == ".json")
    write_atomic(path, text.encode("utf-8"))
    click.echo(f"wrote {path}; edit it, then: briefgen build {path}")


def starter_text(name: str, *, full: bool = False, json_: bool = False) -> str:
    """The starter brief (``full``: every field once, commented) for a file called ``name``,
    as YAML or JSON. Its ``$schema`` names the installed schema by absolute path, which
    stays right wherever the brief is moved."""
    from ..schema import schema_path

    ref = schema_path().resolve().as_posix()
    source = "starter-full.yaml" if full else "starter.yaml"
    from ..paths import PACKAGE

    text = (PACKAGE / source).read_text("utf-8")
    text = text.format(schema=ref, name=name, today=dt.date.today().isoformat())
    if not json_:
        return text
    import json

    from ..loader import parse_text

    data, _ = parse_text(text, name, fmt="yaml")
    return json.dumps({"$schema": ref, **data}, indent=2, ensure_ascii=False,
                      default=lambda v: v.isoformat()) + "\n"


@cli.group(invoke_without_command=True)
@guarded
def styles() -> None:
    """List the shipped styles; `styles show NAME|FILE` prints one's resolved settings."""
    ctx = click.get_current_context()
    if ctx.invoked_subcommand is not None:
        return
    from ..style import available_styles, load_style

    for key in available_styles():
        click.echo(f"{key:20} {load_style(key).description}")


@styles.command("show")
@click.argument("name")
@guarded
def styles_show(name: str) -> None:
    """Print the resolved settings of the style NAME (shipped) or FILE, as JSON."""
    import json

    from ..style import load_style

    style = load_style(name)
    click.echo(json.dumps(style.model_dump(mode="json"), indent=2, ensure_ascii=False))


@cli.group(invoke_without_command=True)
@guarded
def templates() -> None:
    """List the shipped pack templates; `templates copy NAME DIR` copies one to edit.

    Build with the copy: briefgen build BRIEF -o out/ --template DIR/NAME.xml.j2"""
    ctx = click.get_current_context()
    if ctx.invoked_subcommand is not None:
        return
    from ..compose import available_templates

    for key, path in available_templates().items():
        first = path.read_text("utf-8").split("\n", 1)[0]
        desc = first.removeprefix("{#-").removeprefix("{#").strip().split(".")[0]
        click.echo(f"{key:20} {desc}")


@templates.command("copy")
@click.argument("name")
@click.argument("folder", type=click.Path(path_type=Path))
@guarded
def templates_copy(name: str, folder: Path) -> None:
    """Copy the shipped template NAME (and the sections it uses) into FOLDER, to edit."""
    from ..compose import available_templates, shipped_templates_dir
    from ..pipeline import commit

    shipped = available_templates()
    if name not in shipped:
        raise BriefError([Diagnostic(name, None, None, "template",
                                     "no such template; shipped: " + ", ".join(shipped))])
    files = {}
    for src in (shipped[name], shipped_templates_dir() / "_sections.xml.j2"):
        target = folder / src.name
        if target.exists():
            raise BriefError([Diagnostic(str(target), None, None, "",
                                         "already exists; copy into another folder")])
        files[target] = src.read_bytes()
    for target in commit(files):
        click.echo(f"wrote {target}")
    click.echo("edit it, then: briefgen build BRIEF -o out/ "
               f"--template {folder / shipped[name].name}")
