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
