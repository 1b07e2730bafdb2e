"""The same batch on every scheduler gives the same dataset: serial, local processes, a Dask cluster."""
from pathlib import Path

import pytest

from tongbao.pipeline import run_batch

CORPUS = Path(__file__).resolve().parent.parent / "corpus"
FILES = sorted(CORPUS.glob("*.txt")) + sorted(CORPUS.glob("*.pdf"))  # enough files for the process pool to start


def _summary(batch):
    frames = batch.frames
    return (list(frames["documents"].doc_id), len(frames["cells"]), len(frames["figures"]),
            sorted(frames["findings"].message))


@pytest.fixture(scope="module")
def serial():
    return _summary(run_batch(FILES, scheduler="serial"))


def test_processes_match_serial(serial):
    assert _summary(run_batch(FILES, scheduler="processes", workers=2)) == serial


def test_dask_cluster_matches_serial(serial):
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=1, threads_per_worker=2, processes=False, dashboard_address=None) as cluster, \
            distributed.Client(cluster):
        assert _summary(run_batch(FILES, scheduler="dask")) == serial
