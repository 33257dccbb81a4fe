"""The document date in the PDF: the info dictionary's CreationDate/ModDate come from
``doc.meta.date`` (a naive datetime is taken as UTC) through the canvas's public
``setDateFormatter``; the build runs in ReportLab's ``invariant`` mode and the file ID is seeded
from the document date, so the bytes do not depend on the clock or on an inherited
``SOURCE_DATE_EPOCH``. Nothing in ``os.environ`` is touched."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from typing import Any

import msgspec
from reportlab.pdfgen.canvas import Canvas

from ..common import utc_aware
from .reportlab_adapter import seed_document

__all__ = ["Stamp", "canvas_maker"]


class Stamp(msgspec.Struct, frozen=True):
    """The document date in the shapes ReportLab's PDFDocument wants (see its TimeStamp)."""

    t: float
    lt: tuple[int, ...]
    YMDhms: tuple[int, ...]
    dhh: int
    dmm: int
    tzname: str
    pdf: str  # the PDF date string, e.g. D:20230920143000+04'00'

    @classmethod
    def of(cls, when: _dt.datetime | _dt.date) -> Stamp:
        when = utc_aware(when)  # a plain date: midnight; a naive datetime: UTC
        offset = when.utcoffset() or _dt.timedelta(0)
        minutes = int(offset.total_seconds()) // 60
        sign = "-" if minutes < 0 else "+"
        hh, mm = divmod(abs(minutes), 60)
        ymdhms = (when.year, when.month, when.day, when.hour, when.minute, when.second)
        pdf = "D:{:04d}{:02d}{:02d}{:02d}{:02d}{:02d}".format(*ymdhms) + f"{sign}{hh:02d}'{mm:02d}'"
        return cls(t=when.timestamp(), lt=tuple(when.timetuple()), YMDhms=ymdhms,
                   dhh=(-hh if minutes < 0 else hh), dmm=mm, tzname=when.tzname() or "UTC",
                   pdf=pdf)

    @property
    def datetime(self) -> _dt.datetime:  # ReportLab's TimeStamp has one
        return _dt.datetime.fromtimestamp(self.t, _dt.UTC)


def canvas_maker(stamp: Stamp, cls: type[Canvas] = Canvas) -> Callable[..., Canvas]:
    """A canvas factory for the doc template: invariant mode (no clock, no random ID), then the
    document's own date and an ID seeded from it instead of 2000-01-01 or SOURCE_DATE_EPOCH."""

    def make(*args: Any, **kwargs: Any) -> Canvas:
        kwargs["invariant"] = 1
        canv = cls(*args, **kwargs)
        canv.setDateFormatter(lambda *_ymdhms: stamp.pdf)
        seed_document(canv, stamp, stamp.pdf)
        return canv

    return make
