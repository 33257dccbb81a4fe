"""A batch runs on a real Dask cluster through its concurrent.futures executor, unchanged."""

from __future__ import annotations

from pathlib import Path

import pytest

import briefgen
from test_validation import MINIMAL

distributed = pytest.importorskip("distributed")


def test_batch_on_a_local_dask_cluster(tmp_path: Path):
    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(4):
        (folder / f"b{i}.yaml").write_text(MINIMAL.replace("A brief", f"Brief {i}"))
    (folder / "bad.yaml").write_text("title: [\n")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=None, silence_logs=40) as cluster, \
            distributed.Client(cluster) as client:
        result = briefgen.build_many([folder], tmp_path / "out", formats="pdf",
                                     executor=client.get_executor())
    assert sorted(Path(k).name for k in result.written) == [f"b{i}.yaml" for i in range(4)]
    assert "bad.yaml:2:1: YAML syntax error" in str(result.failed[str(folder / "bad.yaml")])
    local = briefgen.build_many([folder / "b2.yaml"], tmp_path / "local", formats="pdf", jobs=1)
    assert (tmp_path / "out" / "b2.pdf").read_bytes() == \
        (tmp_path / "local" / "b2.pdf").read_bytes()
    assert local.ok


def test_a_batch_keeps_a_few_briefs_per_worker_in_flight(tmp_path: Path):
    """However long the batch, at most two briefs per worker are out at once (so the caller
    never holds more than a handful of packs), and every one is written."""
    from concurrent.futures import ThreadPoolExecutor

    class Counting(ThreadPoolExecutor):
        def __init__(self) -> None:
            super().__init__(2)
            self.out = self.most = self.submitted = 0

        def submit(self, fn, /, *args, **kwargs):
            fut = super().submit(fn, *args, **kwargs)
            self.out += 1
            self.submitted += 1
            self.most = max(self.most, self.out)

            def back(_f) -> None:
                self.out -= 1

            fut.add_done_callback(back)
            return fut

    folder = tmp_path / "in"
    folder.mkdir()
    for i in range(12):
        (folder / f"b{i:02}.yaml").write_text(MINIMAL.replace("A brief", f"Brief {i}"))
    with Counting() as pool:
        result = briefgen.build_many([folder], tmp_path / "out", formats="pdf", executor=pool)
    assert result.ok and len(result.written) == 12
    assert pool.submitted == 12 and 2 <= pool.most <= 4
