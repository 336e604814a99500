"""``siamrpn run vot|longterm|otb|got10k``: run trackers under a benchmark protocol and write toolkit-readable results.

Examples::

    siamrpn run vot --dataset ../shared/data/sequences/bag --experiment baseline --tracker csrt --out output/run
    siamrpn run vot --dataset DATA --experiment realtime --profile vot2017 --clock simulated:30 \\
        --tracker siamrpn --weights random:0 --workers 2 --out output/rt
    siamrpn run longterm --dataset LT_DATA --tracker siamrpn --out output/lt   # VOT-LT: one pass + confidences
    siamrpn run vot --stack vot2022-stb --dataset DATA --tracker siamrpn --out output/st  # VOT2020+ multi-start
    siamrpn run otb --dataset OTB_FOLDER --tracker csrt,kcf --out output/otb
    siamrpn run got10k --dataset GOT_FOLDER --tracker siamrpn --device cuda --batched --batch-size 64 --out output/got
    siamrpn analyze vot --annotations DATA --results output/run/csrt     # works on the written folders

Results go to ``<out>/<tracker>/...`` (layouts in :mod:`integration.run`); rerunning the same command
resumes (finished sequences are skipped; ``--no-resume`` redoes everything).
"""
from __future__ import annotations

import argparse
import dataclasses
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from analysis.core.regions import empty_regions, frame_ranges
from analysis.io.longterm import load_longterm_annotations
from analysis.io.result_layout import DEFAULT_VOT_EXPERIMENT, EXPERIMENTS, VOT_EXPERIMENT_FOLDERS
from analysis.stacks import MULTISTART_STACKS, stack_experiment
from integration.data.sequences import Sequence, check_output_folder, load_dataset
from integration.protocols.multistart import find_anchors
from integration.protocols.vot_baseline import BaselineSettings
from integration.registry import siamrpn_preset
from integration.run.batched import DEFAULT_BATCH_SIZE
from integration.run.cluster import dask_executor
from integration.run.execute import baseline_settings
from integration.run.experiment import TrackersUnavailable, plan_units, run_experiment
from integration.run.lock import OutputLocked, output_lock
from integration.run.supervise import DEFAULT_FRAME_TIMEOUT, DEFAULT_UNIT_TIMEOUT, Terminated, sigterm_as_interrupt
from integration.run.units import ExperimentSpec, RunAborted, TrackerSpec, disk_full_message, is_disk_full
from integration.toolkits.workspace import truncate
from tracker.preset_file import PresetFileError


def configure(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="benchmark", required=True, metavar="{" + ",".join(RUN_COMMANDS) + "}")
    parsers = []
    for name, command in RUN_COMMANDS.items():
        p = sub.add_parser(name, help=command.help)
        command.options(p)
        parsers.append(p)
    for p in parsers:
        p.add_argument("--dataset", required=True, type=Path,
                       help="sequence folder, dataset folder (list.txt), folder of sequence folders, or pysot .json")
        p.add_argument("--image-root", type=Path, default=None, help="frames root for a .json dataset")
        p.add_argument("--tracker", required=True,
                       help="comma-separated: siamrpn, csrt, kcf, mil, nano or module:Factory, each optionally "
                            "with its own settings as :key=value (weights, preset, preset_file, label), e.g. "
                            "siamrpn:weights=my.pth,nano:weights=nanotrack_v2,csrt")
        p.add_argument("--weights", default=None, help="weights file (siamrpn: FILE or random:<seed>; nano: folder)")
        p.add_argument("--preset", default=None, help="siamrpn preset (default: the tracker's own)")
        p.add_argument("--preset-file", default=None, metavar="FILE",
                       help="siamrpn preset from a JSON/TOML/YAML file: {\"base\": \"lite0\", \"penalty_k\": ...} "
                            "(a named preset with fields replaced; what 'siamrpn tune' writes as best_preset.json), "
                            "a whole preset, or bare fields that replace those of --preset / the weights' preset")
        p.add_argument("--device", default="cpu")
        p.add_argument("--clock", default="measured",
                       help="measured | simulated:<ms> | simulated:<latency trace file> (real-time schedule)")
        p.add_argument("--deterministic", action="store_true", help="declare the tracker deterministic: 1 run")
        p.add_argument("--sequences", default=None, help="comma-separated subset of sequence names")
        p.add_argument("--max-frames", type=int, default=None, metavar="N",
                       help="keep only the first N frames of every sequence (a quick look; as vot-workspace "
                            "--max-frames: score the results against a dataset cut the same way)")
        p.add_argument("--workers", type=int, default=1,
                       help="parallel worker processes (default 1); each unit runs in a supervised process, so a "
                            "crashing or hanging tracker fails that sequence alone; 0 = in this process (debugging)")
        p.add_argument("--unit-timeout", type=float, default=None, metavar="SECONDS",
                       help="fail (and kill) a sequence that runs longer than this (default 21600 = 6 h; 0 = none)")
        p.add_argument("--frame-timeout", type=float, default=None, metavar="SECONDS",
                       help="fail (and kill) a sequence whose tracker makes no progress for this long: stuck on "
                            "one frame, or building the tracker before the first (default 300; 0 = none). "
                            "Both timeouts apply to supervised workers (--workers >= 1) only")
        p.add_argument("--dask", default=None, metavar="ADDRESS",
                       help="run on a Dask cluster (scheduler address, or 'local' to start a LocalCluster)")
        p.add_argument("--batched", action="store_true",
                       help="SiamRPN: track many sequences in lock-step, one batched forward per frame step "
                            "(in this process; same results as per sequence). Real-time experiments and other "
                            "trackers stay per sequence (the real-time clock is per sequence)")
        p.add_argument("--batch-size", type=int, default=None, metavar="N",
                       help="sequences per batched forward (implies --batched; default 32)")
        p.add_argument("--accept-damaged-frames", action="store_true",
                       help="decode truncated JPEG/PNG frames anyway (with a warning naming the file) instead of "
                            "failing the sequence with an error naming the frame")
        p.add_argument("--no-resume", action="store_true", help="redo sequences that already finished")
        p.add_argument("--allow-missing", action="store_true",
                       help="run the requested trackers that can be built and report the others (default: a "
                            "requested tracker that is unavailable, e.g. missing weights, stops the run before it "
                            "starts, exit 2)")
        p.add_argument("--wait", action="store_true",
                       help="when another run writes to --out (its lock file names it), wait for it to finish "
                            "instead of refusing to start")
        p.add_argument("--quiet", action="store_true", help="no progress bar")
        p.add_argument("--out", required=True, type=Path, help="output folder; results in <out>/<tracker>/")


def run(args: argparse.Namespace) -> int:

    prog = f"siamrpn run {args.benchmark}"
    command = RUN_COMMANDS[args.benchmark]
    try:
        sequences = command.load(args)
        if args.sequences:
            wanted = [s.strip() for s in args.sequences.split(",") if s.strip()]
            missing = [s for s in wanted if s not in sequences]
            if missing:
                raise ValueError(f"{args.dataset}: no sequence named {', '.join(missing)}")
            sequences = {s: sequences[s] for s in wanted}
        if args.max_frames is not None:  # before the checks: multi-start anchors are cut with the sequence
            sequences = _first_frames(sequences, args.max_frames)
            print(f"{prog}: --max-frames {args.max_frames}: every sequence cut to its first {args.max_frames} "
                  f"frames; score against a dataset cut the same way (siamrpn vot-workspace --max-frames "
                  f"{args.max_frames}), not the full ground truth", file=sys.stderr)
        for line in command.check(args, sequences):
            print(f"{prog}: warning: {line}", file=sys.stderr)
        if args.accept_damaged_frames:

            sequences = {n: dataclasses.replace(s, accept_damaged=True) for n, s in sequences.items()}
        exp = command.experiment(args)
    except (ValueError, FileNotFoundError, ImportError) as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 2
    batch_size = None
    if args.batched or args.batch_size is not None:

        batch_size = args.batch_size if args.batch_size is not None else DEFAULT_BATCH_SIZE
        if batch_size < 1:
            print(f"{prog}: error: --batch-size must be >= 1 (got {batch_size})", file=sys.stderr)
            return 2
        if not EXPERIMENTS[exp.kind].batchable:
            print(f"{prog}: note: {exp.kind} experiments run per sequence; --batched ignored", file=sys.stderr)
            batch_size = None

    unit_timeout = DEFAULT_UNIT_TIMEOUT if args.unit_timeout is None else args.unit_timeout
    if unit_timeout < 0:
        print(f"{prog}: error: --unit-timeout must be >= 0 seconds (got {unit_timeout:g})", file=sys.stderr)
        return 2
    frame_timeout = DEFAULT_FRAME_TIMEOUT if args.frame_timeout is None else args.frame_timeout
    if frame_timeout < 0:
        print(f"{prog}: error: --frame-timeout must be >= 0 seconds (got {frame_timeout:g})", file=sys.stderr)
        return 2
    try:
        trackers = parse_trackers(args.tracker, args.weights, args.device, args.preset, args.preset_file)
    except PresetFileError as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 2
    except (ValueError, OSError) as exc:
        print(f"{prog}: error: --tracker: {exc}", file=sys.stderr)
        return 2
    executor_cm = None
    if args.dask:

        executor_cm = dask_executor(None if args.dask == "local" else args.dask)
    detail, row = "", EXPERIMENTS[exp.kind]
    if getattr(args, "stack", None) is not None:  # a VOT2020+ multi-start stack
        detail = (f" (stack {args.stack}, vot-toolkit layout {'.bin' if exp.layout == 'pyt' else '.txt'}"
                  + (f", profile {exp.profile}, clock {exp.clock}" if row.realtime is not None else "") + ")")
    elif row.realtime is not None:
        detail = f" (profile {exp.profile}, clock {exp.clock})"
    elif row.resets:

        detail = f" (layout {exp.layout}, failure test: overlap <= 0 under the {baseline_settings(exp).convention} rule)"

    try:
        check_output_folder(args.out)
        with output_lock(args.out, wait=args.wait):
            return _run_locked(args, prog, trackers, exp, sequences, detail, executor_cm, batch_size, unit_timeout,
                               frame_timeout)
    except (OutputLocked, TrackersUnavailable) as exc:
        print(f"{prog}: error: {exc}", file=sys.stderr)
        return 2
    except OSError as exc:
        print(f"{prog}: error: {'disk full: ' + disk_full_message(args.out, exc) if is_disk_full(exc) else exc}",
              file=sys.stderr)
        return 2


def _run_locked(args: argparse.Namespace, prog: str, trackers: list, exp: ExperimentSpec, sequences: dict,
                detail: str, executor_cm, batch_size: int | None, unit_timeout: float,
                frame_timeout: float) -> int:
    """The run proper, with the output folder's lock held."""
    print(f"{prog}: {len(sequences)} sequences x {len(trackers)} trackers, experiment {exp.kind}{detail} -> {args.out}")
    try:
        with sigterm_as_interrupt():
            summary = _run(args, trackers, exp, sequences, executor_cm, batch_size, unit_timeout, frame_timeout)
    except KeyboardInterrupt as exc:
        terminated = isinstance(exc, Terminated) or getattr(exc, "terminated", False)
        _interrupted(prog, trackers, exp, sequences, args.out, "terminated (SIGTERM)" if terminated else "interrupted")
        return 143 if terminated else 130
    except OSError as exc:
        if not (isinstance(exc, RunAborted) or is_disk_full(exc)):
            raise
        reason = exc.reason if isinstance(exc, RunAborted) else f"disk full: {disk_full_message(args.out, exc)}"
        _interrupted(prog, trackers, exp, sequences, args.out, f"error: {reason}",
                     "free some space (or choose another --out), then rerun the same command to resume", lead="")
        return 1
    print(summary.text())
    if summary.unavailable and len(summary.unavailable) == len(trackers):
        return 2
    return 0 if summary.ok else 1


def _run(args: argparse.Namespace, trackers: list, exp: ExperimentSpec, sequences: dict, executor_cm,
         batch_size: int | None, unit_timeout: float, frame_timeout: float):
    """``run_experiment`` on the Dask cluster or on local workers."""
    if executor_cm is not None:
        with executor_cm as ex:
            return run_experiment(trackers, exp, sequences, args.out, resume=not args.no_resume,
                                  progress=not args.quiet, executor=ex, batch_size=batch_size,
                                  require_all=not args.allow_missing)
    return run_experiment(trackers, exp, sequences, args.out, workers=args.workers, resume=not args.no_resume,
                          progress=not args.quiet, batch_size=batch_size, unit_timeout=unit_timeout or None,
                          frame_timeout=frame_timeout or None, require_all=not args.allow_missing)


def _load(args: argparse.Namespace) -> dict[str, Sequence]:
    return load_dataset(args.dataset, image_root=args.image_root)


def _load_longterm(args: argparse.Namespace) -> dict[str, Sequence]:
    """Long-term ground truth may mark frames without the target (NaN lines); frame 1 must have it."""
    sequences = {n: Sequence(a) for n, a in load_longterm_annotations(args.dataset).items()}
    _check_first_frames(sequences)
    return sequences


def _no_check(args: argparse.Namespace, sequences: dict) -> list[str]:
    return []


def _check_vot(args: argparse.Namespace, sequences: dict) -> list[str]:
    """Multi-start: every sequence needs anchors (refused before anything runs); supervised: notes on empty
    ground truth."""
    if args.stack is not None:
        for name, seq in sequences.items():
            find_anchors(seq.values, len(seq), where=seq.annotation.source or name)
        return []
    if not EXPERIMENTS[args.experiment].resets:  # unsupervised: a multi-start stack's one pass
        raise ValueError(f"--experiment {args.experiment} belongs to the multi-start stacks (--stack "
                         f"{'|'.join(MULTISTART_STACKS)})")
    return _empty_groundtruth_notes(sequences, args.experiment)


def _vot_experiment(args: argparse.Namespace) -> ExperimentSpec:
    if args.stack is not None:
        return ExperimentSpec(kind=stack_experiment(args.stack, args.experiment), profile=args.profile or "pyt",
                              clock=args.clock, layout=args.layout or "pyt")
    baseline = BaselineSettings(repetitions=args.repetitions, convention=args.overlap)
    return ExperimentSpec(kind=args.experiment, baseline=baseline, profile=args.profile or "paper", clock=args.clock,
                          deterministic=args.deterministic, layout=args.layout or "leg")


def _vot_options(vot: argparse.ArgumentParser) -> None:
    vot.add_argument("--experiment", choices=VOT_EXPERIMENT_FOLDERS, default=DEFAULT_VOT_EXPERIMENT,
                     help="baseline (default) or realtime; with a multi-start --stack these are its multi-start "
                          "experiments, and unsupervised its one pass")
    vot.add_argument("--stack", choices=MULTISTART_STACKS, default=None,
                     help="VOT2020-2022 short-term stack: run its multi-start experiment (anchors from "
                          "anchor.value, no resets; results <seq>_<anchor:08d>.bin in vot-toolkit's layout)")
    vot.add_argument("--profile", default=None,
                     help="real-time rule: paper (default, 25 fps LEG), vot2017 (20 fps LEG), got10k (25 fps), pyt "
                          "(the default and only rule of a multi-start --stack)")
    vot.add_argument("--repetitions", type=int, default=15, help="baseline repetitions (LEG stops after 3 identical)")
    vot.add_argument("--layout", choices=("leg", "pyt"), default=None,
                     help="result files: leg = MATLAB/pysot text (default), pyt = vot-toolkit .bin + _time.value "
                          "(default with a multi-start --stack; leg writes its .txt form)")
    vot.add_argument("--overlap", default=None, metavar="CONVENTION",
                     help="overlap rule of the baseline failure test: leg2017, leg2019, pyt, pst, trax4 (default: "
                          "the toolkit the layout emulates, leg -> leg2017 as the MATLAB toolkit, pyt -> pyt as "
                          "vot-toolkit; see docs/conventions.md)")


def _got10k_options(got: argparse.ArgumentParser) -> None:
    got.add_argument("--repetitions", type=int, default=3)


def _no_options(p: argparse.ArgumentParser) -> None:
    pass


@dataclass(frozen=True, kw_only=True)
class RunCommand:
    """One ``siamrpn run`` sub-command: its help and own options, how it reads the dataset, what it checks first
    (returns warnings, raises on refusal) and the runner experiment it builds from the arguments."""

    help: str
    options: Callable[[argparse.ArgumentParser], None] = _no_options
    load: Callable[[argparse.Namespace], dict[str, Sequence]] = _load
    check: Callable[[argparse.Namespace, dict], list[str]] = _no_check
    experiment: Callable[[argparse.Namespace], ExperimentSpec]


#: ``siamrpn run <benchmark>``: one row per sub-command (experiments: :mod:`analysis.io.result_layout`)
RUN_COMMANDS: dict[str, RunCommand] = {
    "vot": RunCommand(help="VOT baseline (resets) or real-time experiment; VOT2020+ multi-start with --stack",
                      options=_vot_options, check=_check_vot, experiment=_vot_experiment),
    "longterm": RunCommand(help="VOT long-term: one pass, no resets, confidence per frame "
                                "(<out>/<tracker>/longterm/<seq>/<seq>_001.txt + _confidence.value)",
                           load=_load_longterm, experiment=lambda a: ExperimentSpec(kind="longterm", clock=a.clock)),
    "otb": RunCommand(help="OTB one-pass evaluation", experiment=lambda a: ExperimentSpec(kind="otb", clock=a.clock)),
    "got10k": RunCommand(help="GOT-10k one-pass evaluation (3 repetitions)", options=_got10k_options,
                         experiment=lambda a: ExperimentSpec(kind="got10k", clock=a.clock,
                                                              got10k_repetitions=a.repetitions,
                                                              deterministic=a.deterministic)),
}


_TRACKER_KEYS = ("weights", "preset", "preset_file", "label")


def _first_frames(sequences: dict, max_frames: int) -> dict:
    """Every sequence cut to its first ``max_frames`` frames (ground truth, frames, tags, values, in-memory
    images), as ``vot-workspace --max-frames`` cuts them; the fingerprint changes, so resume never mixes a cut run
    with a full one."""
    if max_frames < 2:
        raise ValueError("--max-frames must be at least 2")
    return {name: dataclasses.replace(seq, annotation=truncate(seq.annotation, max_frames),
                                      images=None if seq.images is None else tuple(seq.images[:max_frames]))
            for name, seq in sequences.items()}


def _check_first_frames(sequences: dict) -> None:
    """A long-term run starts from frame 1's ground truth: refuse a sequence whose frame 1 has no target."""
    for name, seq in sequences.items():
        if np.isnan(np.asarray(seq.groundtruth[0], dtype=np.float64)).any():
            raise ValueError(f"{seq.annotation.source}:1: sequence {name}: the target is absent in frame 1, "
                             "so the tracker cannot be initialised")


def _empty_groundtruth_notes(sequences: dict, experiment: str) -> list[str]:
    """One line per sequence whose ground truth has regions without area (target not visible): what the
    supervised protocol does there, as vot-toolkit 0.7.4 and the MATLAB toolkit do (docs/conventions.md)."""
    lines = []
    for name, seq in sequences.items():
        try:
            empty = empty_regions(np.asarray(seq.groundtruth, dtype=np.float64))
        except ValueError:  # rows of different lengths: rectangles and polygons mixed
            empty = np.array([bool(empty_regions(np.asarray(r, dtype=np.float64))[0]) for r in seq.groundtruth])
        if empty.any():
            lines.append(
                f"{seq.annotation.source or name}: sequence {name!r}: empty ground truth (zero-area region, target "
                f"not visible) on frame(s) {frame_ranges(np.flatnonzero(empty))}; as in vot-toolkit 0.7.4's "
                f"supervised experiment and the MATLAB toolkit, a region the tracker reports there overlaps 0 and is "
                f"a failure of the {experiment} experiment, and a re-initialisation that lands on such a frame hands "
                "the tracker that empty region (docs/conventions.md, empty ground truth)")
    return lines


def parse_trackers(text: str, weights: str | None = None, device: str = "cpu",
                   preset: str | None = None, preset_file: str | None = None) -> list:
    """``--tracker`` value -> TrackerSpecs. Each comma-separated item is a name (or ``module:Factory``) followed by
    optional ``:key=value`` settings (``weights``, ``preset``, ``preset_file``, ``label``) that override
    ``--weights``/``--preset``/``--preset-file`` for that tracker alone. A preset file (SiamRPN only) is read
    here: the spec carries the whole preset, so resume redoes the runs when the file's settings change."""

    specs = []
    if preset_file is not None and not any(
            ":".join(p for p in item.strip().split(":") if "=" not in p) == "siamrpn" for item in text.split(",")):
        raise ValueError("--preset-file applies to siamrpn, which is not among the trackers")
    for item in (t.strip() for t in text.split(",")):
        if not item:
            continue
        parts = item.split(":")
        name = ":".join(p for p in parts if "=" not in p)
        settings = dict(p.split("=", 1) for p in parts if "=" in p)
        unknown = sorted(set(settings) - set(_TRACKER_KEYS))
        if unknown or not name:
            raise ValueError(f"{item!r}: " + (f"unknown setting(s) {', '.join(unknown)} (known: "
                                               f"{', '.join(_TRACKER_KEYS)})" if unknown else "no tracker name"))
        p = settings.get("preset", preset)
        w = settings.get("weights", weights)
        pf = settings.get("preset_file", preset_file if name == "siamrpn" else None)
        if pf is not None:
            if name != "siamrpn":
                raise ValueError(f"{item!r}: preset_file is a siamrpn setting")
            p = siamrpn_preset(w, p, pf)
        specs.append(TrackerSpec(name, w, device, (("preset", p),) if p else (), settings.get("label")))
    labels = [s.result_name for s in specs]
    dup = sorted({x for x in labels if labels.count(x) > 1})
    if dup:
        raise ValueError(f"two trackers would write to the same result folder {', '.join(dup)}: give each a "
                         ":label=NAME")
    return specs


def _interrupted(prog: str, trackers: list, exp, sequences: dict, out: Path, how: str = "interrupted",
                 advice: str = "rerun the same command to resume", lead: str = "\n") -> None:
    """One line after Ctrl-C, SIGTERM or a full disk (``how``): what has finished (valid completion records) and
    how to resume."""

    try:
        units = plan_units(trackers, exp, sequences, out)
        finished = sum(u.is_done() for u in units)
        what = f"{finished} of {len(units)} sequence runs finished"
    except BaseException:  # noqa: BLE001 - a second Ctrl-C, or records unreadable: still say how to resume
        what = "finished sequence runs are kept"
    print(f"{lead}{prog}: {how}: {what} (results in {out}); {advice}", file=sys.stderr, flush=True)
