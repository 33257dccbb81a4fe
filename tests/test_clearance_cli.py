"""The clearance commands (issue 18): ``briefgen diff``, ``build --since [--track-changes]``,
``briefgen preview`` and ``briefgen watch``, run as a user runs them."""

from __future__ import annotations

import copy
import io
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

import pytest
import yaml
from click.testing import CliRunner

import briefgen
from briefgen.cli import cli
from conftest import ROOT, SAMPLE
from test_redline import five_edits


def run(*args: str) -> tuple[int, str, str]:
    r = CliRunner().invoke(cli, list(args))
    return r.exit_code, r.stdout, r.stderr


@pytest.fixture()
def versions(tmp_path: Path) -> tuple[Path, Path]:
    old = tmp_path / "old.yaml"
    shutil.copy(SAMPLE, old)
    data = copy.deepcopy(briefgen.load_brief(SAMPLE).model_dump(mode="json", exclude_none=True))
    five_edits(data)
    new = tmp_path / "new.yaml"
    new.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return old, new


def test_diff_reports_the_five_edits_and_exits_1(versions) -> None:
    old, new = versions
    code, out, _err = run("diff", str(old), str(new))
    assert code == 1
    lines = out.splitlines()
    assert lines[0] == ("Changes from version 1.1 of 20 September 2023 to version 1.1 of "
                        "20 September 2023:")
    assert len(lines) == 6, out  # the heading and exactly five changes
    assert any("at least 200 people \u2192 at least 5,000 people" in x for x in lines)
    assert any("Actors: order changed" in x for x in lines)


def test_diff_json_and_no_changes(versions) -> None:
    old, new = versions
    code, out, _err = run("diff", "--json", str(old), str(new))
    assert code == 1
    data = json.loads(out)
    assert data["old"]["version"] == "1.1" and data["new"]["file"] == str(new)
    assert {(c["kind"], c["section"]) for c in data["changes"]} == {
        ("changed", "figures"), ("changed", "risks"), ("added", "risks"),
        ("removed", "lines_to_take"), ("reordered", "actors")}
    assert all(c["description"] for c in data["changes"])
    code, out, _err = run("diff", str(old), str(old))
    assert code == 0 and out.startswith("No changes")
    code, out, _err = run("diff", "--json", str(old), str(old))
    assert code == 0 and json.loads(out)["changes"] == []


def test_diff_of_an_invalid_brief_exits_2(versions, tmp_path: Path) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("title: [\n")
    code, _out, err = run("diff", str(versions[0]), str(bad))
    assert code == 2 and "bad.yaml" in err


def test_build_since_and_track_changes(versions, tmp_path: Path) -> None:
    old, new = versions
    out = tmp_path / "out"
    code, stdout, err = run("build", str(new), "-o", str(out), "--since", str(old),
                            "--track-changes", "-f", "docx")
    assert code == 0, err
    with zipfile.ZipFile(io.BytesIO((out / "new.docx").read_bytes())) as z:
        xml = z.read("word/document.xml").decode()
    assert "<w:ins " in xml and "<w:del " in xml and "Changes since version 1.1" in xml
    code, _out, err = run("build", str(new), "-o", str(out), "--track-changes")
    assert code == 2 and "--since" in err
    code, _out, err = run("build", str(new), str(old), "-o", str(out), "--since", str(old))
    assert code == 2 and "one brief" in err


def test_preview_writes_png_pages(tmp_path: Path) -> None:
    from PIL import Image

    code, out, err = run("preview", str(SAMPLE), "-o", str(tmp_path), "--pages", "1-2",
                         "--dpi", "30")
    assert code == 0, err
    files = sorted(tmp_path.glob("*.png"))
    assert [f.name for f in files] == [f"{SAMPLE.stem}-1.png", f"{SAMPLE.stem}-2.png"]
    with Image.open(files[0]) as im:
        assert im.format == "PNG"
        assert abs(im.size[0] - 595.28 * 30 / 72) <= 1 and abs(im.size[1] - 841.89 * 30 / 72) <= 1
    code, _out, err = run("preview", str(SAMPLE), "-o", str(tmp_path), "--pages", "x")
    assert code == 2 and "page range" in err


def _wait_for(pred, timeout: float = 30.0) -> None:
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return
        time.sleep(0.02)
    raise AssertionError("timed out")


def test_watch_rebuilds_within_a_second_and_survives_a_broken_save(tmp_path: Path) -> None:
    brief = tmp_path / "brief.yaml"
    shutil.copy(SAMPLE, brief)
    out = tmp_path / "out"
    log = tmp_path / "log.txt"
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    with log.open("w") as fh:
        proc = subprocess.Popen([sys.executable, "-m", "briefgen", "watch", str(brief), "-o",
                                 str(out), "-f", "pdf", "--debounce", "100"],
                                stdout=fh, stderr=subprocess.STDOUT, env=env)
    pdf = out / "brief.pdf"
    try:
        _wait_for(lambda: pdf.exists() and "built" in log.read_text(), 60)
        time.sleep(0.5)

        def save(text: str) -> float:
            tmp = tmp_path / ".brief.yaml.tmp"  # as an editor saves: write, then rename
            tmp.write_text(text, encoding="utf-8")
            saved = time.monotonic()
            tmp.replace(brief)
            return saved

        text = SAMPLE.read_text(encoding="utf-8")
        before = pdf.read_bytes()
        saved = save(text.replace('version: "1.1"', 'version: "1.2"'))
        _wait_for(lambda: pdf.read_bytes() != before)
        assert time.monotonic() - saved < 1.0, "rebuilt within a second of the save"
        good = pdf.read_bytes()
        time.sleep(0.3)
        save(text + "\nbroken: [\n")
        _wait_for(lambda: "not rebuilt" in log.read_text())
        assert pdf.read_bytes() == good, "the last good pack stays"
        assert "error:" in log.read_text()
        saved = save(text.replace('version: "1.1"', 'version: "1.3"'))
        _wait_for(lambda: log.read_text().count("built brief.pdf") >= 3)
        assert pdf.read_bytes() != good
        assert proc.poll() is None, "still watching"
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
    assert "stopped" in log.read_text()
