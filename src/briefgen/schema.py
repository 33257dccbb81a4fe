"""The JSON Schema of a brief, generated from the model, for editors and other tools."""

from __future__ import annotations

import json
from importlib import resources
from pathlib import Path
from typing import Any

from .model import Brief

SCHEMA_FILE = "brief.schema.json"


def brief_schema() -> dict[str, Any]:
    schema = Brief.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema",
            "title": "briefgen brief", **{k: v for k, v in schema.items() if k != "title"}}


def schema_text() -> str:
    return json.dumps(brief_schema(), indent=2, ensure_ascii=False, sort_keys=False) + "\n"


def schema_path() -> Path:
    """The committed schema file shipped in the package (kept current by a test)."""
    return Path(str(resources.files("briefgen") / SCHEMA_FILE))
