"""Live preview: ``watch`` rebuilds on a save, debounced, and survives a broken save;
``preview`` turns a PDF's pages into PNG images, the same bytes every time."""

from __future__ import annotations

import io
import threading
import time
from pathlib import Path

import pytest

import briefgen
from briefgen.errors import BriefError
from briefgen.preview import page_images, parse_pages
from briefgen.watch import watch
from conftest import SAMPLE


def test_parse_pages() -> None:
    assert parse_pages(None, 3) == [1, 2, 3]
    assert parse_pages("1-2", 5) == [1, 2]
    assert parse_pages("2-", 4) == [2, 3, 4]
    assert parse_pages("1,3-4,3", 9) == [1, 3, 4]
    assert parse_pages("2-9", 3) == [2, 3]
    for bad in ("x", "0", "3-1", "9"):
        with pytest.raises(BriefError):
            parse_pages(bad, 3)


def test_page_images_are_the_pages() -> None:
    from PIL import Image

    pdf = briefgen.build(briefgen.load_brief(SAMPLE), formats="pdf").pdf
    images = page_images(pdf, pages="1-2", dpi=40)
    assert [n for n, _png in images] == [1, 2]
    first = Image.open(io.BytesIO(images[0][1]))
    assert first.format == "PNG"
    assert first.size == (round(595.28 * 40 / 72), round(841.89 * 40 / 72))
    # a page with print on it: not blank white
    assert first.convert("L").getextrema()[0] < 100
    assert page_images(pdf, pages="1-2", dpi=40) == images


def test_watch_rebuilds_on_save_and_survives_a_broken_save(tmp_path: Path) -> None:
    brief = tmp_path / "brief.yaml"
    brief.write_text("one\n")
    out = tmp_path / "out"
    out.mkdir()
    builds: list[str] = []
    stop = threading.Event()

    def rebuild() -> None:
        text = brief.read_text()
        builds.append(text)
        if "broken" in text:  # a build that fails reports and keeps going
            return
        (out / "pack.txt").write_text(text)  # writing the output never triggers a rebuild

    t = threading.Thread(target=watch, args=(lambda: [brief], rebuild),
                         kwargs={"ignore": [out], "stop": stop, "debounce_ms": 100},
                         daemon=True)
    t.start()
    try:
        _wait(lambda: len(builds) == 1)
        time.sleep(0.3)
        for text in ("two\n", "broken\n", "three\n"):
            saved = time.monotonic()
            tmp = tmp_path / ".brief.yaml.swp"  # an editor's atomic save: write, rename
            tmp.write_text(text)
            tmp.replace(brief)
            _wait(lambda text=text: builds[-1] == text)
            assert time.monotonic() - saved < 1.0, "rebuilt within a second of the save"
            time.sleep(0.3)
        assert builds == ["one\n", "two\n", "broken\n", "three\n"]
        assert (out / "pack.txt").read_text() == "three\n"
    finally:
        stop.set()
        t.join(5)
    assert not t.is_alive()


def _wait(cond, timeout: float = 5.0) -> None:
    end = time.monotonic() + timeout
    while not cond():
        if time.monotonic() > end:
            raise AssertionError("timed out")
        time.sleep(0.02)
