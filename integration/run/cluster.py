"""Optional cluster backend: run units on a Dask distributed cluster (``pip install siamrpn-bench[cluster]``).

``with dask_executor(address) as ex: run_units(units, executor=ex)`` spreads sequences over an existing
scheduler (``address="tcp://host:8786"``), or over a ``LocalCluster`` started (and stopped) here when
``address`` is ``None``. Workers must see the same dataset paths and output folder (shared file system);
every worker writes its own units' files atomically, exactly as the local process pool does, so the results
are identical to a local run.
"""
from __future__ import annotations

from contextlib import contextmanager
from typing import Any, Iterator


def _import_distributed():
    try:
        import distributed  # lazy: dask is an optional extra (cluster)
    except ImportError as exc:  # pragma: no cover - exercised only without the optional dependency
        raise RuntimeError("the Dask backend needs the optional dependency: pip install 'dask[distributed]' "
                           "(extra 'cluster' of siamrpn-bench)") from exc
    return distributed


@contextmanager
def dask_executor(address: str | None = None, n_workers: int = 2, **cluster_kwargs: Any) -> Iterator[Any]:
    """A ``concurrent.futures``-compatible executor backed by Dask (``Client.get_executor``).

    ``address=None`` starts a ``LocalCluster`` with ``n_workers`` single-threaded worker processes.
    Tasks are not retried on another worker after a crash (``retries=0``): a lost unit is reported as failed
    and redone by the next (resumed) run.
    """
    distributed = _import_distributed()
    cluster = None
    if address is None:
        cluster = distributed.LocalCluster(n_workers=n_workers, threads_per_worker=1, processes=True,
                                           dashboard_address=None, **cluster_kwargs)
        client = distributed.Client(cluster)
    else:
        client = distributed.Client(address)
    try:
        yield client.get_executor(pure=False, retries=0)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
