"""What composing a brief yields beside its document: the template's report.

Its own small module so that a process that receives a composed brief from a composing child
(``briefgen validate``: see :mod:`briefgen.workers`) reads the report without importing the
template engine (:mod:`briefgen.compose` brings Jinja2, lxml and markdown-it).
"""

from __future__ import annotations

import msgspec

__all__ = ["ComposeReport"]


class ComposeReport(msgspec.Struct, frozen=True):
    """What a template reported beside the document: warnings (left-out sections, capped
    lists, its own ``<warning>`` elements) and its page budget (``<pack page-budget="2">``)."""

    warnings: tuple[str, ...]
    page_budget: int | None
    template: str
    sizes: dict[str, int]
    """the sections printed, with how many items of each"""
