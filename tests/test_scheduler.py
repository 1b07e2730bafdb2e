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


def test_streamed_batch_on_a_cluster_of_worker_processes_matches_serial(tmp_path):
    """convert_batch on a local Dask cluster of two worker processes writes the dataset a serial run does."""
    distributed = pytest.importorskip("distributed")
    from test_batch import assert_same_dataset

    from tongbao.pipeline import convert_batch

    files = sorted(CORPUS.glob("*.txt"))
    convert_batch(files, tmp_path / "serial", scheduler="serial")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster, \
            distributed.Client(cluster):
        result = convert_batch(files, tmp_path / "dask", scheduler="dask")
    assert result.converted == len(files)
    assert_same_dataset(tmp_path / "dask", tmp_path / "serial")
