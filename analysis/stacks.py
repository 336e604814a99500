"""The one table of benchmarks and VOT stacks: for each, its kind, published-table key, default annotations,
EAO interval, real-time frame rate, vot-toolkit stack, raw-results folder and where its sequence list comes
from. Every other module (analysis, report, workspace builder, real-time profiles, instrument check) reads
these facts here.

EAO intervals are those of the published stacks (vot-toolkit stack YAMLs, pysot-toolkit ``eao_benchmark.py``);
for a custom dataset :func:`analysis.metrics.vot.interval.fit_interval` derives one from the sequence lengths.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal


@dataclass(frozen=True)
class EAOInterval:
    """Inclusive EAO length interval with the KDE mode (``peak``, 0 when unknown) and where it came from."""

    low: int
    high: int
    peak: int = 0
    source: str = ""

    def as_tuple(self) -> tuple[int, int]:
        return (self.low, self.high)


@dataclass(frozen=True)
class BenchmarkSpec:
    """Everything the project knows about one benchmark or VOT stack."""

    name: str
    kind: Literal["vot", "otb", "got10k"]
    published: str  #: benchmark key of :func:`analysis.published.published_scores`
    annotations: str | None = None  #: default annotation file under the shared data folder
    realtime_fps: float | None = None  #: frame rate of the official real-time experiment (LEG stack)
    n_sequences: int | None = None
    eao_interval: EAOInterval | None = None  #: fixed EAO interval of the stack (VOT)
    toolkit_stack: str | None = None  #: stack built into vot-toolkit 0.7.4 (``vot/stack/<name>.yaml``)
    results: str | None = None  #: folder of published raw results under ``<shared data>/results``
    sequences: str = ""  #: where the sequence list comes from


BENCHMARKS: dict[str, BenchmarkSpec] = {
    "vot2015": BenchmarkSpec("vot2015", "vot", "VOT2015", None, None, 60,
                             EAOInterval(108, 371, 168, "vot2015 stack (LEG/PYT)"), "vot2015/rgb", None,
                             "vot-toolkit stack vot2015 (60 sequences)"),
    "vot2016": BenchmarkSpec("vot2016", "vot", "VOT2016", None, None, 60,
                             EAOInterval(108, 371, 168, "vot2016 stack (LEG/PYT/PST)"), "vot2016/rgb", None,
                             "vot-toolkit stack vot2016 (60 sequences)"),
    # VOT2017 and VOT2018 share sequences and ground truth (toolkit-legacy#175): one annotation file serves both
    "vot2017": BenchmarkSpec("vot2017", "vot", "VOT2017", "annotations/VOT2018.json", 20.0, 60,
                             EAOInterval(100, 356, 160, "vot2017 stack (LEG/PYT/PST)"), "vot2017", "VOT2017",
                             "pysot VOT2018.json (the VOT2017 sequences)"),
    "vot2018": BenchmarkSpec("vot2018", "vot", "VOT2018", "annotations/VOT2018.json", 20.0, 60,
                             EAOInterval(100, 356, 160, "vot2018 stack (LEG/PYT/PST)"), None, "VOT2018",
                             "pysot VOT2018.json"),
    "vot2019": BenchmarkSpec("vot2019", "vot", "VOT2019", None, None, 60,
                             EAOInterval(46, 291, 128, "vot2019 stack (PYT/PST)"), None, None,
                             "vot-toolkit stack vot2019 (60 sequences)"),
    "otb2015": BenchmarkSpec("otb2015", "otb", "OTB2015", "annotations/OTB2015.json", None, 100, None, None,
                             "OTB100", "DaSiamRPN/pysot OTB2015.json (100 sequences)"),
    "got10k": BenchmarkSpec("got10k", "got10k", "GOT-10k", sequences="list.txt of the GOT-10k subset given"),
}


def benchmark(name: str) -> BenchmarkSpec:
    """The benchmark called ``name`` (case-insensitive), with a clear error for unknown names."""
    key = name.lower()
    if key not in BENCHMARKS:
        raise ValueError(f"unknown benchmark {name!r}; choose one of {', '.join(BENCHMARKS)}")
    return BENCHMARKS[key]


#: VOT stacks with a fixed EAO interval (``--stack`` choices of ``siamrpn analyze vot``)
VOT_STACKS: tuple[str, ...] = tuple(k for k, b in BENCHMARKS.items() if b.eao_interval is not None)
#: stacks the vot-toolkit 0.7.4 workspace builder can name (``siamrpn vot-workspace --stack``)
TOOLKIT_STACKS: tuple[str, ...] = tuple(k for k, b in BENCHMARKS.items() if b.toolkit_stack is not None)


def stack_interval(stack: str) -> EAOInterval:
    """Interval of a named stack (``vot2015`` … ``vot2019``), with a clear error for unknown names."""
    spec = BENCHMARKS.get(stack.lower())
    if spec is None or spec.eao_interval is None:
        raise ValueError(f"no EAO interval known for stack {stack!r}; known: {', '.join(VOT_STACKS)}")
    return spec.eao_interval


def results_benchmark(folder: str) -> BenchmarkSpec:
    """The benchmark whose published raw results live in ``<shared data>/results/<folder>`` (e.g. ``VOT2018``)."""
    for spec in BENCHMARKS.values():
        if spec.results == folder:
            return spec
    raise ValueError(f"no benchmark keeps its raw results in {folder!r}")
