"""The one table of benchmarks and VOT stacks: for each, its kind, published-table key, default annotations,
EAO interval, real-time frame rate, vot-toolkit stack, raw-results folder and where its sequence list comes
from. Every other module (analysis, report, workspace builder, real-time profiles, instrument check) reads
these facts here.

EAO intervals are those of the published stacks (vot-toolkit stack YAMLs, pysot-toolkit ``eao_benchmark.py``);
for a custom dataset :func:`analysis.metrics.vot.interval.fit_interval` derives one from the sequence lengths.

The VOT2020-2022 short-term stacks (kind ``votms``) are multi-start stacks: their ``eao_interval`` holds the
toolkit's ``multistart_eao_score`` ``low``/``high`` (the curve is ``high`` long, so lengths ``low .. high-1`` are
averaged), ``experiments`` maps each of the stack's experiments to the runner's experiment
(:data:`integration.run.units.EXPERIMENTS`) and ``realtime_grace`` is the ``realtime: grace`` of the stack.
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
    kind: Literal["vot", "votms", "votlt", "otb", "got10k", "onepass", "trackingnet"]
    published: str  #: benchmark key of :func:`analysis.published.published_scores`
    annotations: str | None = None  #: default annotation file under the shared data folder
    realtime_fps: float | None = None  #: frame rate of the official real-time experiment (LEG stack)
    n_sequences: int | None = None
    eao_interval: EAOInterval | None = None  #: fixed EAO interval of the stack (VOT)
    toolkit_stack: str | None = None  #: stack built into vot-toolkit 0.7.4 (``vot/stack/<name>.yaml``)
    results: str | None = None  #: folder of published raw results under ``<shared data>/results``
    sequences: str = ""  #: where the sequence list comes from
    variants: tuple[str, ...] = ()  #: toolkit variants of ``siamrpn analyze <name> --variant`` (one-pass benchmarks)
    default_variant: str | None = None  #: the variant that produced the published numbers
    #: (stack experiment, runner experiment) pairs of a multi-start stack, in the stack's order
    experiments: tuple[tuple[str, str], ...] = ()
    realtime_grace: int | None = None  #: ``realtime: grace`` of a multi-start stack


#: the experiments of the VOT2020-2022 short-term stacks (vot-toolkit 0.7.4 stack YAMLs)
_MULTISTART_EXPERIMENTS = (("baseline", "multistart"), ("realtime", "multistart-realtime"),
                           ("unsupervised", "unsupervised"))


def _multistart(name: str, published: str, toolkit: str | None, interval: EAOInterval, n: int | None,
                sequences: str) -> BenchmarkSpec:
    return BenchmarkSpec(name, "votms", published, None, None, n, interval, toolkit, None, sequences,
                         experiments=_MULTISTART_EXPERIMENTS, realtime_grace=3)


_VOT2020_EAO = EAOInterval(115, 755, 0, "VOT2020-2022 stacks: multistart_eao_score low 115, high 755 (lengths 115-754)")


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
                             EAOInterval(100, 356, 160, "vot2018 stack (LEG/PYT/PST)"), "vot2018/shortterm", "VOT2018",
                             "pysot VOT2018.json"),
    # VOT2019 replaced 12 of the VOT2018 sequences: no annotations offline; LEG stack_vot2019.m real-time 20 fps
    "vot2019": BenchmarkSpec("vot2019", "vot", "VOT2019", None, 20.0, 60,
                             EAOInterval(46, 291, 128, "vot2019 stack (PYT/PST)"), "vot2019/shortterm", None,
                             "vot-toolkit stack vot2019/shortterm (60 sequences)"),
    # VOT2020-2022 short-term: multi-start, masks (analysis.metrics.vot.multistart); no annotations offline
    "vot2020": _multistart("vot2020", "VOT2020", "vot2020/shortterm", _VOT2020_EAO, 60,
                           "vot-toolkit stack vot2020/shortterm (60 sequences, mask ground truth)"),
    "vot2021": _multistart("vot2021", "VOT2021", "vot2021/shortterm", _VOT2020_EAO, None,
                           "vot-toolkit stack vot2021/shortterm (mask ground truth)"),
    "vot2022-sts": _multistart("vot2022-sts", "VOT2022-STs", "vot2022/shortterm", _VOT2020_EAO, None,
                               "vot-toolkit stack vot2022/shortterm (dataset vot2022/sts, mask ground truth)"),
    "vot2022-stb": _multistart("vot2022-stb", "VOT2022-STb", "vot2022/shorttermbox", _VOT2020_EAO, None,
                               "vot-toolkit stack vot2022/shorttermbox (dataset vot2022/stb, box ground truth)"),
    # the small custom multi-start stack of the tests (generated sets of 30-60 frames)
    "multistart-test": _multistart("multistart-test", "multistart-test", None,
                                   EAOInterval(5, 30, 0, "custom multi-start stack for short generated sequences"),
                                   None, "generated multi-start sets (integration.data.multistart)"),
    # long-term (one pass, confidences; analysis.metrics.vot.longterm): no annotations offline
    "vot-lt2018": BenchmarkSpec("vot-lt2018", "votlt", "VOT-LT2018", None, None, 35, None, "vot2018/longterm",
                                None, "vot-toolkit stack vot2018/longterm (35 sequences)"),
    "vot-lt2019": BenchmarkSpec("vot-lt2019", "votlt", "VOT-LT2019", None, None, 50, None, "vot2019/longterm",
                                None, "vot-toolkit stack vot2019/longterm (50 sequences)"),
    "otb2015": BenchmarkSpec("otb2015", "otb", "OTB2015", "annotations/OTB2015.json", None, 100, None, None,
                             "OTB100", "DaSiamRPN/pysot OTB2015.json (100 sequences)"),
    "got10k": BenchmarkSpec("got10k", "got10k", "GOT-10k", sequences="list.txt of the GOT-10k subset given"),
    # one-pass benchmarks with their own rules (analysis.metrics.onepass / trackingnet; docs/conventions.md)
    "lasot": BenchmarkSpec("lasot", "onepass", "LaSOT", n_sequences=280,
                           sequences="LaSOT Protocol II testing_set.txt (analysis/io/lasot_splits.json)",
                           variants=("lasot", "pst", "pyt", "g10"), default_variant="lasot"),
    "lasot_ext": BenchmarkSpec("lasot_ext", "onepass", "LaSOT-ext", n_sequences=150,
                               sequences="every sequence of the LaSOT-ext folder",
                               variants=("lasot", "pst", "pyt", "g10"), default_variant="lasot"),
    "uav123": BenchmarkSpec("uav123", "onepass", "UAV123", n_sequences=123,
                            sequences="UAV123 frame-range table (analysis/io/uav123_ranges.json)",
                            variants=("otb", "pst", "pyt", "g10"), default_variant="otb"),
    "uav20l": BenchmarkSpec("uav20l", "onepass", "UAV20L", n_sequences=20,
                            sequences="UAV20L table (analysis/io/uav123_ranges.json)",
                            variants=("otb", "pst", "pyt", "g10"), default_variant="otb"),
    "uav123_10fps": BenchmarkSpec("uav123_10fps", "onepass", "UAV123@10fps", n_sequences=123,
                                  sequences="UAV123 table, frames (f-1)//3+1",
                                  variants=("otb", "pst", "pyt", "g10"), default_variant="otb"),
    "nfs": BenchmarkSpec("nfs", "onepass", "NFS", n_sequences=100, sequences="every <seq>/30/<seq>.txt",
                         variants=("pyt", "otb", "pst", "g10"), default_variant="pyt"),
    "tc128": BenchmarkSpec("tc128", "onepass", "TC128", n_sequences=128, sequences="every <seq>/<seq>_gt.txt",
                           variants=("otb", "pst", "pyt", "g10"), default_variant="otb"),
    "trackingnet": BenchmarkSpec("trackingnet", "trackingnet", "TrackingNet", n_sequences=511,
                                 sequences="every <split>/anno/<seq>.txt", variants=("tnet",),
                                 default_variant="tnet"),
}


def benchmark(name: str) -> BenchmarkSpec:
    """The benchmark called ``name`` (case-insensitive), with a clear error for unknown names."""
    key = name.lower()
    if key not in BENCHMARKS:
        raise ValueError(f"unknown benchmark {name!r}; choose one of {', '.join(BENCHMARKS)}")
    return BENCHMARKS[key]


#: supervised VOT stacks with a fixed EAO interval (VOT2015-2019)
SUPERVISED_STACKS: tuple[str, ...] = tuple(k for k, b in BENCHMARKS.items()
                                           if b.eao_interval is not None and b.kind == "vot")
#: VOT2020-2022 multi-start stacks (and the small test stack)
MULTISTART_STACKS: tuple[str, ...] = tuple(k for k, b in BENCHMARKS.items() if b.kind == "votms")
#: every VOT stack with a fixed EAO interval (``--stack`` choices of ``siamrpn analyze vot`` / ``run vot``)
VOT_STACKS: tuple[str, ...] = SUPERVISED_STACKS + MULTISTART_STACKS
#: short-term stacks the vot-toolkit 0.7.4 workspace builder can name (``siamrpn vot-workspace --stack``)
TOOLKIT_STACKS: tuple[str, ...] = tuple(k for k, b in BENCHMARKS.items()
                                        if b.toolkit_stack is not None and b.kind in ("vot", "votms"))


def stack_interval(stack: str) -> EAOInterval:
    """Interval of a named stack (``vot2015`` … ``vot2019``), with a clear error for unknown names."""
    spec = BENCHMARKS.get(stack.lower())
    if spec is None or spec.eao_interval is None:
        raise ValueError(f"no EAO interval known for stack {stack!r}; known: {', '.join(VOT_STACKS)}")
    return spec.eao_interval


def stack_experiment(stack: str, experiment: str) -> str:
    """The runner experiment of ``experiment`` under ``stack``: a multi-start stack maps ``baseline`` /
    ``realtime`` / ``unsupervised`` to ``multistart`` / ``multistart-realtime`` / ``unsupervised``; a supervised
    stack keeps the name. Unknown pairs are a clear error."""
    spec = benchmark(stack)
    if not spec.experiments:
        return experiment
    table = dict(spec.experiments)
    if experiment not in table:
        raise ValueError(f"stack {stack} has no experiment {experiment!r}; it has {', '.join(table)}")
    return table[experiment]


def results_benchmark(folder: str) -> BenchmarkSpec:
    """The benchmark whose published raw results live in ``<shared data>/results/<folder>`` (e.g. ``VOT2018``)."""
    for spec in BENCHMARKS.values():
        if spec.results == folder:
            return spec
    raise ValueError(f"no benchmark keeps its raw results in {folder!r}")
