"""Markdown + HTML benchmark report: summary, conventions, figures against published baselines, tables.

:func:`build_report` reads raw results (no tracker run), scores them with the project's analysis modules
(``analysis.metrics.vot.analysis`` / ``otb_metrics`` / ``got10k_metrics``; nothing is re-implemented here), draws
the figures of ``plots_vot`` / ``plots_otb`` / ``plots_realtime`` with the published trackers of
``analysis.published``, and writes into ``out_dir``::

    report.md, report.html      # HTML embeds the PNGs (self-contained); both link the PNG/PDF files
    figures/<name>.png|.pdf
    tables/<name>.csv           # summary and per-sequence tables

Every file is written atomically (temp file + ``os.replace``).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class BenchmarkSpec:
    """What the report needs to know about a benchmark: kind, published-table key, default annotations."""

    name: str
    kind: Literal["vot", "otb", "got10k"]
    published: str  #: benchmark key of :func:`analysis.published.published_scores`
    annotations: str | None = None  #: default annotation file under the shared data dir
    realtime_fps: float | None = None  #: frame rate of the official real-time experiment (LEG stack)
    n_sequences: int | None = None


BENCHMARKS: dict[str, BenchmarkSpec] = {
    "vot2015": BenchmarkSpec("vot2015", "vot", "VOT2015", None, None, 60),
    "vot2016": BenchmarkSpec("vot2016", "vot", "VOT2016", None, None, 60),
    # VOT2017 and VOT2018 share sequences and ground truth (toolkit-legacy#175): one annotation file serves both
    "vot2017": BenchmarkSpec("vot2017", "vot", "VOT2017", "annotations/VOT2018.json", 20.0, 60),
    "vot2018": BenchmarkSpec("vot2018", "vot", "VOT2018", "annotations/VOT2018.json", 20.0, 60),
    "otb2015": BenchmarkSpec("otb2015", "otb", "OTB2015", "annotations/OTB2015.json"),
    "got10k": BenchmarkSpec("got10k", "got10k", "GOT-10k"),
}
