"""Dask distributed backend: a LocalCluster started by the test gives the same results as the local pool."""
from __future__ import annotations

import pytest

from integration.run.experiment import run_experiment
from integration.run.units import ExperimentSpec
from tests.test_runner import TEMPLATE, synthetic_sequences, trajectories

pytest.importorskip("distributed", reason="optional dependency dask[distributed] (extra 'cluster')")


@pytest.mark.slow
def test_dask_local_cluster_matches_local_pool(tmp_path):
    from integration.run.cluster import dask_executor

    seqs = synthetic_sequences(n=16)
    exp = ExperimentSpec("baseline")
    local = run_experiment([TEMPLATE], exp, seqs, tmp_path / "local", workers=1, progress=False)
    with dask_executor(None, n_workers=1) as ex:
        remote = run_experiment([TEMPLATE], exp, seqs, tmp_path / "dask", progress=False, executor=ex)
    assert local.ok and remote.ok and len(remote.outcomes) == 3
    assert {o.status for o in remote.outcomes} == {"done"}
    assert trajectories(tmp_path / "local" / "template") == trajectories(tmp_path / "dask" / "template")
