"""The one table of benchmarks and VOT stacks: for each, its kind, published-table key, default annotations,
EAO interval, real-time frame rate, vot-toolkit stack, raw-results folder and where its sequence list comes
from. Every other module (analysis, report, workspace builder, real-time profiles, instrument check) reads
these facts here.

EAO intervals are those of the published stacks (vot-toolkit stack YAMLs, pysot-toolkit ``eao_benchmark.py``);
for a custom dataset :func:`analysis.metrics.vot.interval.fit_interval` derives one from the sequence lengths.

The VOT2020-2022 short-term stacks (kind ``votms``) are multi-start stacks: their ``eao_interval`` holds the
toolkit's ``multistart_eao_score`` ``low``/``high`` (the curve is ``high`` long, so lengths ``low .. high-1`` are
averaged), ``experiments`` maps each of the stack's experiments to the runner's experiment
(:data:`analysis.io.result_layout.EXPERIMENTS`) and ``realtime_grace`` is the ``realtime: grace`` of the stack.
"""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Literal

from analysis.io.annotation import SequenceAnnotation
from analysis.io.lasot import load_lasot_split
from analysis.io.layout import load_box_annotations
from analysis.io.nfs import load_nfs
from analysis.io.otb2013 import load_otb2013
from analysis.io.tc128 import load_tc128
from analysis.io.trackingnet import load_trackingnet
from analysis.io.uav import load_uav


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
class LoadOptions:
    """What a command line may ask of a benchmark's annotation loader: ``split`` (LaSOT: ``test``, ``all`` or a
    split file), ``allow_missing`` (sequences of the list without a folder), ``fps`` (NfS: 30 or 240)."""

    split: str | None = None
    allow_missing: bool = False
    fps: int = 30


#: ``loader(root, options) -> {sequence: annotation}``: a benchmark's annotations from its own layout
Loader = Callable[[Path, LoadOptions], dict[str, SequenceAnnotation]]


@dataclass(frozen=True, kw_only=True)
class BenchmarkSpec:
    """Everything the project knows about one benchmark or VOT stack (one row of :data:`BENCHMARKS`).

    ``kind`` chooses the scorer, ranking and report part (:data:`analysis.metrics.compare.RANKINGS`,
    :data:`analysis.report.build.REPORT_KINDS`); ``command`` is the ``siamrpn analyze`` sub-command that scores
    it and ``choice`` the value of that command's selecting option that names this row (``--version`` of
    ``uav``, ``--split`` of ``lasot``, ``--benchmark`` of ``otb``); ``loader`` reads its annotations."""

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
    loader: Loader | None = None  #: annotation loader (one-pass benchmarks and OTB subsets)
    command: str | None = None  #: ``siamrpn analyze`` sub-command
    choice: str | None = None  #: value of the command's selecting option that names this row
    splits: bool = False  #: the loader takes ``--split`` (LaSOT)
    path_words: tuple[str, ...] = ()  #: folder-name prefixes of a results path that name this benchmark


#: the experiments of the VOT2020-2022 short-term stacks (vot-toolkit 0.7.4 stack YAMLs)
_MULTISTART_EXPERIMENTS = (("baseline", "multistart"), ("realtime", "multistart-realtime"),
                           ("unsupervised", "unsupervised"))


def _multistart(name: str, published: str, toolkit: str | None, interval: EAOInterval, n: int | None,
                sequences: str) -> BenchmarkSpec:
    return BenchmarkSpec(name=name, kind="votms", published=published, n_sequences=n, eao_interval=interval,
                         toolkit_stack=toolkit, sequences=sequences, experiments=_MULTISTART_EXPERIMENTS,
                         realtime_grace=3, command="vot")


def _vot(name: str, published: str, n: int, interval: EAOInterval, toolkit: str, sequences: str, *,
         annotations: str | None = None, realtime_fps: float | None = None, results: str | None = None
         ) -> BenchmarkSpec:
    return BenchmarkSpec(name=name, kind="vot", published=published, annotations=annotations,
                         realtime_fps=realtime_fps, n_sequences=n, eao_interval=interval, toolkit_stack=toolkit,
                         results=results, sequences=sequences, command="vot")


def _uav(root: Path, options: LoadOptions, version: str) -> dict[str, SequenceAnnotation]:
    return load_uav(root, version, allow_missing=options.allow_missing)


_ONEPASS_VARIANTS = ("otb", "pst", "pyt", "g10")


_VOT2020_EAO = EAOInterval(115, 755, 0, "VOT2020-2022 stacks: multistart_eao_score low 115, high 755 (lengths 115-754)")


BENCHMARKS: dict[str, BenchmarkSpec] = {
    "vot2015": _vot("vot2015", "VOT2015", 60, EAOInterval(108, 371, 168, "vot2015 stack (LEG/PYT)"), "vot2015/rgb",
                    "vot-toolkit stack vot2015 (60 sequences)"),
    "vot2016": _vot("vot2016", "VOT2016", 60, EAOInterval(108, 371, 168, "vot2016 stack (LEG/PYT/PST)"),
                    "vot2016/rgb", "vot-toolkit stack vot2016 (60 sequences)"),
    # VOT2017 and VOT2018 share sequences and ground truth (toolkit-legacy#175): one annotation file serves both
    "vot2017": _vot("vot2017", "VOT2017", 60, EAOInterval(100, 356, 160, "vot2017 stack (LEG/PYT/PST)"), "vot2017",
                    "pysot VOT2018.json (the VOT2017 sequences)", annotations="annotations/VOT2018.json",
                    realtime_fps=20.0, results="VOT2017"),
    "vot2018": _vot("vot2018", "VOT2018", 60, EAOInterval(100, 356, 160, "vot2018 stack (LEG/PYT/PST)"),
                    "vot2018/shortterm", "pysot VOT2018.json", annotations="annotations/VOT2018.json",
                    realtime_fps=20.0, results="VOT2018"),
    # VOT2019 replaced 12 of the VOT2018 sequences: no annotations offline; LEG stack_vot2019.m real-time 20 fps
    "vot2019": _vot("vot2019", "VOT2019", 60, EAOInterval(46, 291, 128, "vot2019 stack (PYT/PST)"),
                    "vot2019/shortterm", "vot-toolkit stack vot2019/shortterm (60 sequences)", realtime_fps=20.0),
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
    "vot-lt2018": BenchmarkSpec(name="vot-lt2018", kind="votlt", published="VOT-LT2018", n_sequences=35,
                                toolkit_stack="vot2018/longterm", command="votlt", path_words=("votlt2018",),
                                sequences="vot-toolkit stack vot2018/longterm (35 sequences)"),
    "vot-lt2019": BenchmarkSpec(name="vot-lt2019", kind="votlt", published="VOT-LT2019", n_sequences=50,
                                toolkit_stack="vot2019/longterm", command="votlt", path_words=("votlt2019",),
                                sequences="vot-toolkit stack vot2019/longterm (50 sequences)"),
    "otb2015": BenchmarkSpec(name="otb2015", kind="otb", published="OTB2015", annotations="annotations/OTB2015.json",
                             n_sequences=100, results="OTB100", command="otb", choice="otb2015",
                             loader=lambda root, options: load_box_annotations(root),
                             sequences="DaSiamRPN/pysot OTB2015.json (100 sequences)"),
    "otb2013": BenchmarkSpec(name="otb2013", kind="otb", published="OTB2013", annotations="annotations/OTB2015.json",
                             n_sequences=51, command="otb", choice="otb2013", path_words=("otb2013", "otb50"),
                             loader=lambda root, options: load_otb2013(root, options.allow_missing),
                             sequences="the 51 OTB-2013 targets (analysis/io/otb2013.py) of an OTB-2015 source"),
    "got10k": BenchmarkSpec(name="got10k", kind="got10k", published="GOT-10k", command="got10k",
                            sequences="list.txt of the GOT-10k subset given"),
    # one-pass benchmarks with their own rules (analysis.metrics.onepass / trackingnet; docs/conventions.md)
    "lasot": BenchmarkSpec(name="lasot", kind="onepass", published="LaSOT", n_sequences=280,
                           sequences="LaSOT Protocol II testing_set.txt (analysis/io/lasot_splits.json)",
                           variants=("lasot", "pst", "pyt", "g10"), default_variant="lasot", command="lasot",
                           choice="test", splits=True, path_words=("lasot",),
                           loader=lambda root, o: load_lasot_split(root, o.split, o.allow_missing, "test")),
    "lasot_ext": BenchmarkSpec(name="lasot_ext", kind="onepass", published="LaSOT-ext", n_sequences=150,
                               sequences="every sequence of the LaSOT-ext folder",
                               variants=("lasot", "pst", "pyt", "g10"), default_variant="lasot", command="lasot",
                               choice="all", splits=True, path_words=("lasotext",),
                               loader=lambda root, o: load_lasot_split(root, o.split, o.allow_missing, "all")),
    "uav123": BenchmarkSpec(name="uav123", kind="onepass", published="UAV123", n_sequences=123,
                            sequences="UAV123 frame-range table (analysis/io/uav123_ranges.json)",
                            variants=_ONEPASS_VARIANTS, default_variant="otb", command="uav", choice="UAV123",
                            path_words=("uav123",), loader=lambda root, o: _uav(root, o, "UAV123")),
    "uav20l": BenchmarkSpec(name="uav20l", kind="onepass", published="UAV20L", n_sequences=20,
                            sequences="UAV20L table (analysis/io/uav123_ranges.json)",
                            variants=_ONEPASS_VARIANTS, default_variant="otb", command="uav", choice="UAV20L",
                            path_words=("uav20l",), loader=lambda root, o: _uav(root, o, "UAV20L")),
    "uav123_10fps": BenchmarkSpec(name="uav123_10fps", kind="onepass", published="UAV123@10fps", n_sequences=123,
                                  sequences="UAV123 table, frames (f-1)//3+1",
                                  variants=_ONEPASS_VARIANTS, default_variant="otb", command="uav",
                                  choice="UAV123_10fps", path_words=("uav123_10fps", "uav123@10fps"),
                                  loader=lambda root, o: _uav(root, o, "UAV123_10fps")),
    "nfs": BenchmarkSpec(name="nfs", kind="onepass", published="NFS", n_sequences=100,
                         sequences="every <seq>/30/<seq>.txt", variants=("pyt", "otb", "pst", "g10"),
                         default_variant="pyt", command="nfs", path_words=("nfs",),
                         loader=lambda root, o: load_nfs(root, o.fps)),
    "tc128": BenchmarkSpec(name="tc128", kind="onepass", published="TC128", n_sequences=128,
                           sequences="every <seq>/<seq>_gt.txt", variants=_ONEPASS_VARIANTS, default_variant="otb",
                           command="tc128", path_words=("tc128", "tcolor128"),
                           loader=lambda root, o: load_tc128(root)),
    "trackingnet": BenchmarkSpec(name="trackingnet", kind="trackingnet", published="TrackingNet", n_sequences=511,
                                 sequences="every <split>/anno/<seq>.txt", variants=("tnet",),
                                 default_variant="tnet", command="trackingnet", path_words=("trackingnet",),
                                 loader=lambda root, o: load_trackingnet(root)),
}


def benchmark(name: str) -> BenchmarkSpec:
    """The benchmark called ``name`` (case-insensitive), with a clear error for unknown names."""
    key = name.lower()
    if key not in BENCHMARKS:
        raise ValueError(f"unknown benchmark {name!r}; choose one of {', '.join(BENCHMARKS)}")
    return BENCHMARKS[key]


#: supervised VOT stacks with a fixed EAO interval (VOT2015-2019)
SUPERVISED_STACKS: tuple[str, ...] = tuple(k for k, b in BENCHMARKS.items()
                                           if b.eao_interval is not None and not b.experiments)
#: VOT2020-2022 multi-start stacks (and the small test stack)
MULTISTART_STACKS: tuple[str, ...] = tuple(k for k, b in BENCHMARKS.items() if b.experiments)
#: every VOT stack with a fixed EAO interval (``--stack`` choices of ``siamrpn analyze vot`` / ``run vot``)
VOT_STACKS: tuple[str, ...] = SUPERVISED_STACKS + MULTISTART_STACKS
#: short-term stacks the vot-toolkit 0.7.4 workspace builder can name (``siamrpn vot-workspace --stack``)
TOOLKIT_STACKS: tuple[str, ...] = tuple(k for k, b in BENCHMARKS.items()
                                        if b.toolkit_stack is not None and b.kind in ("vot", "votms"))


def rows_of(command: str) -> tuple[str, ...]:
    """The benchmark rows that ``siamrpn analyze <command>`` scores, in table order (the first is its default)."""
    return tuple(k for k, b in BENCHMARKS.items() if b.command == command)


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
