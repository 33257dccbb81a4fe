"""Read a DOCX's tracked changes back with LibreOffice itself (run by the system Python, which
has LibreOffice's ``uno`` module): ``python3 lo_revisions.py IN.docx OUT_DIR``.

Starts a headless LibreOffice with a throw-away profile, loads the document and writes
``OUT_DIR/revisions.json`` (each revision LibreOffice lists: type, author, date),
``OUT_DIR/accepted.txt`` (the text after "Accept All") and ``OUT_DIR/rejected.txt`` (after
"Reject All"), both as LibreOffice's plain-text export."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import uno  # type: ignore[import-not-found]
from com.sun.star.beans import PropertyValue  # type: ignore[import-not-found]


def _props(**kw: object) -> tuple[PropertyValue, ...]:
    out = []
    for k, v in kw.items():
        p = PropertyValue()
        p.Name, p.Value = k, v
        out.append(p)
    return tuple(out)


def main(docx: str, out_dir: str) -> None:
    out = Path(out_dir).resolve()
    pipe = f"briefgen-{uuid.uuid4().hex}"
    profile = Path(f"/tmp/lo-briefgen-rev-{os.getpid()}-{uuid.uuid4().hex}")
    proc = subprocess.Popen(
        [shutil.which("soffice") or "soffice", f"-env:UserInstallation=file://{profile}",
         "--headless", "--invisible", "--norestore", "--nologo",
         f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext"],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
    desktop = None
    try:
        local = uno.getComponentContext()
        resolver = local.ServiceManager.createInstanceWithContext(
            "com.sun.star.bridge.UnoUrlResolver", local)
        ctx = None
        for _ in range(240):
            try:
                ctx = resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
                break
            except Exception:
                time.sleep(0.25)
        if ctx is None:
            raise SystemExit("could not reach LibreOffice")
        smgr = ctx.ServiceManager
        desktop = smgr.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        dispatcher = smgr.createInstanceWithContext("com.sun.star.frame.DispatchHelper", ctx)
        url = uno.systemPathToFileUrl(str(Path(docx).resolve()))
        revisions = []
        for action, name in (("AcceptAllTrackedChanges", "accepted"),
                             ("RejectAllTrackedChanges", "rejected")):
            doc = desktop.loadComponentFromURL(url, "_blank", 0, _props(Hidden=True))
            if not revisions:
                enum = doc.Redlines.createEnumeration()
                while enum.hasMoreElements():
                    r = enum.nextElement()
                    d = r.RedlineDateTime
                    revisions.append({"type": r.RedlineType, "author": r.RedlineAuthor,
                                      "date": f"{d.Year:04d}-{d.Month:02d}-{d.Day:02d}"})
            frame = doc.CurrentController.Frame
            dispatcher.executeDispatch(frame, f".uno:{action}", "", 0, ())
            doc.storeToURL(uno.systemPathToFileUrl(str(out / f"{name}.txt")),
                           _props(FilterName="Text (encoded)", FilterOptions="UTF8"))
            doc.close(True)
        (out / "revisions.json").write_text(json.dumps(revisions))
    finally:
        try:
            if desktop is not None:
                desktop.terminate()
        except Exception:
            pass
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            pass
        try:  # soffice is a launcher: end the whole group, soffice.bin included
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
