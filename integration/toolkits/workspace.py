"""Build an offline vot-toolkit 0.7.4 workspace from local sequences (no download is ever attempted).

Layout written (what ``vot/workspace`` and the ``default`` sequence loader of 0.7.4 read)::

    DIR/config.yaml                    stack: <built-in name | stack.yaml>, registry: [<project>/trackers.ini]
    DIR/stack.yaml                     only for --stack custom
    DIR/sequences/list.txt             one name per line; its presence disables the dataset download
    DIR/sequences/<name>/sequence      channels.color=color/%08d.jpg, fps=<int>, format=default, length=N
    DIR/sequences/<name>/groundtruth.txt   VOT region per line (x,y,w,h, polygon or m... mask), 0-based pixels
    DIR/sequences/<name>/<tag>.tag     per-frame VOT attributes when the source has them
    DIR/sequences/<name>/<v>.value     per-frame numbers (anchor.value of the VOT2020+ multi-start stacks)
    DIR/sequences/<name>/color/00000001.jpg ...

Frames are hard links by default (robust: a hard link survives moving or deleting the source and costs no
space), falling back to copies across file systems; ``copy`` and ``symlink`` are available. Frames are
renumbered from 1 with the source extension kept (``%08d.png`` for PNG sources).

Sources read here: a single sequence folder (``groundtruth.txt`` or ``groundtruth_rect.txt`` with frames in
``color/``, ``img/`` or the folder itself: VOT legacy, VOT workspace and OTB layouts) or a folder of such
sequence folders (order from ``list.txt`` when present). Coordinates are written unchanged (``%.4f``); OTB
boxes keep their 1-based origin, exactly as vot-toolkit's own OTB loader and got10k/pysot-toolkit use them.
"""
from __future__ import annotations

import os
import re
import shutil
import sys
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from tqdm import tqdm

from analysis.core.atomic import write_text_atomic
from analysis.core.paths import TRACKERS_INI
from analysis.io.annotation import SequenceAnnotation
from analysis.io.trajectories import format_region
from analysis.metrics.vot.interval import fit_interval
from analysis.stacks import BENCHMARKS, MULTISTART_STACKS, TOOLKIT_STACKS
from integration.data.sequences import load_dataset

DEFAULT_REGISTRY = TRACKERS_INI  #: the installed package's registry (last resort)
#: what ``--stack`` may name: the built-in stacks, ``custom``, and multi-start rows without a built-in stack
WORKSPACE_STACKS: tuple[str, ...] = (*TOOLKIT_STACKS, "custom",
                                     *(k for k in MULTISTART_STACKS if BENCHMARKS[k].toolkit_stack is None))


def checkout_registry(start: Path | str | None = None) -> Path:
    """``trackers.ini`` of the project checkout the user stands in: the first of ``start`` (default: the
    current directory) and its parents holding both ``trackers.ini`` and ``pyproject.toml``; else the installed
    package's (:data:`DEFAULT_REGISTRY`). A virtualenv installed from another checkout therefore still
    registers the trackers of this one (``paths = .`` in it resolves to its own folder)."""
    here = Path.cwd() if start is None else Path(start)
    here = here.resolve()
    for folder in (here, *here.parents):
        if (folder / "trackers.ini").is_file() and (folder / "pyproject.toml").is_file():
            return folder / "trackers.ini"
    return DEFAULT_REGISTRY


LINK_MODES = ("hardlink", "copy", "symlink")


class WorkspaceError(ValueError):
    """Bad input for the workspace builder; the message names the file (and line) at fault."""


@dataclass(frozen=True)
class CustomStack:
    """Settings of the ``custom`` stack (VOT2017-like: baseline + real-time, EAO interval fitted to the data)."""

    eao_low: int
    eao_high: int
    interval_method: str
    repetitions: int = 15
    skip_initialize: int = 5
    realtime_grace: int = 3
    title: str = "siamrpn-bench custom stack"

    def to_yaml(self) -> str:
        analyses = (
            "    analyses:\n"
            "      - type: supervised_average_ar\n"
            "        sensitivity: 30\n"
            "      - type: cumulative_failures\n"
            "      - type: supervised_eao_score\n"
            f"        low: {self.eao_low}\n"
            f"        high: {self.eao_high}\n"
            "      - type: supervised_eao_curve\n"
        )
        return (
            f"# written by `siamrpn vot-workspace --stack custom`; EAO interval from {self.interval_method}\n"
            f"title: {self.title}\n"
            "experiments:\n"
            "  baseline:\n"
            "    type: supervised\n"
            f"    repetitions: {self.repetitions}\n"
            f"    skip_initialize: {self.skip_initialize}\n"
            + analyses
            + "  realtime:\n"
            "    type: supervised\n"
            "    realtime:\n"
            f"      grace: {self.realtime_grace}\n"
            "    repetitions: 1\n"
            f"    skip_initialize: {self.skip_initialize}\n"
            + analyses
        )


@dataclass(frozen=True)
class MultiStartStack:
    """A VOT2020-style stack written next to ``config.yaml`` for a multi-start row of :data:`analysis.stacks.BENCHMARKS`
    without a built-in toolkit stack (``multistart-test``): its experiments, EAO ``low``/``high`` and real-time grace."""

    eao_low: int
    eao_high: int
    experiments: tuple[str, ...] = ("baseline", "realtime", "unsupervised")
    realtime_grace: int = 3
    title: str = "siamrpn-bench multi-start stack"

    def to_yaml(self) -> str:
        analyses = (
            "    analyses:\n"
            "      - type: multistart_eao_score\n"
            "        name: eaoscore\n"
            f"        low: {self.eao_low}\n"
            f"        high: {self.eao_high}\n"
            "      - type: multistart_eao_curve\n"
            "        name: eaocurve\n"
            f"        high: {self.eao_high}\n"
            "      - type: multistart_average_ar\n"
            "        name: ar\n"
        )
        blocks = {
            "baseline": "  baseline:\n    type: multistart\n" + analyses,
            "realtime": f"  realtime:\n    type: multistart\n    realtime:\n      grace: {self.realtime_grace}\n"
                        + analyses,
            "unsupervised": "  unsupervised:\n    type: unsupervised\n    repetitions: 1\n    analyses:\n"
                            "      - type: average_accuracy\n        name: accuracy\n        burnin: 1\n",
        }
        return (f"# written by `siamrpn vot-workspace` (multi-start stack)\ntitle: {self.title}\nexperiments:\n"
                + "".join(blocks[e] for e in self.experiments))


# --------------------------------------------------------------------------------------------------- reading
def discover_sequences(path: Path | str) -> list[SequenceAnnotation]:
    """All sequences under ``path``, in any layout ``integration.data.sequences.load_dataset`` reads (VOT and OTB
    folders, GOT-10k folders, pysot JSON; one sequence folder or a dataset root, ``list.txt`` order).

    Reading problems (unparsable ground truth, missing folders) become :class:`WorkspaceError` with the
    loader's ``file:line`` message.
    """

    path = Path(path)
    if not path.exists():
        raise WorkspaceError(f"{path}: dataset folder does not exist")
    try:
        sequences = load_dataset(path)
    except (ValueError, OSError) as exc:
        raise WorkspaceError(str(exc)) from exc
    if not sequences:
        raise WorkspaceError(f"{path}: no sequences found")
    return [seq.annotation for seq in sequences.values()]


def truncate(seq: SequenceAnnotation, max_frames: int | None) -> SequenceAnnotation:
    """The first ``max_frames`` frames of a sequence (``None``: unchanged)."""
    if max_frames is None or len(seq) <= max_frames:
        return seq
    return SequenceAnnotation(seq.name, seq.groundtruth[:max_frames], seq.width, seq.height, seq.frames[:max_frames],
                              {k: v[:max_frames] for k, v in seq.tags.items()}, seq.fps, seq.source,
                              {k: v[:max_frames] for k, v in seq.values.items()},
                              None if seq.regions is None else seq.regions[:max_frames])


# --------------------------------------------------------------------------------------------------- EAO interval
def eao_interval(lengths: Sequence[int]) -> tuple[int, int, str]:
    """EAO interval ``(low, high, method)`` for a custom stack: :func:`analysis.metrics.vot.interval.fit_interval`
    (LEG's KDE, or the stated single-length rule), with ``high`` capped at ``max length - 1``: vot-toolkit 0.7.4
    averages ``curve[low:high + 1]`` (LEG lengths ``low+1 .. high+1``, ``docs/conventions.md``), so a larger value would index
    past the curve and give NaN. The method string says which rule was used.
    """

    lengths = [int(n) for n in lengths]
    cap = max(max(lengths) - 1, 1)
    fit = fit_interval(lengths)
    low, high = min(fit.low, cap), min(fit.high, cap)
    return low, high, f"{fit.source}: {fit.low}-{fit.high}, high capped at {cap} for vot-toolkit"


# --------------------------------------------------------------------------------------------------- writing
def _place(src: Path, dst: Path, mode: str) -> None:
    if dst.exists() or dst.is_symlink():
        dst.unlink()
    if mode == "symlink":
        os.symlink(os.path.abspath(src), dst)
        return
    if mode == "hardlink":
        try:
            os.link(src, dst)
            return
        except OSError:
            pass  # other file system or no permission: copy instead
    shutil.copy2(src, dst)


def write_sequence(root: Path, seq: SequenceAnnotation, link: str = "hardlink") -> Path:
    """Write one sequence in the 0.7.4 ``default`` layout under ``root/<name>``; returns the folder."""
    if not seq.frames:
        raise WorkspaceError(f"{seq.source or seq.name}: the annotation lists no frame files")
    if len(seq.frames) != len(seq):
        raise WorkspaceError(f"{seq.source or seq.name}: {len(seq)} regions but {len(seq.frames)} frames")
    bad = ~np.all(np.isfinite(seq.groundtruth), axis=1)
    if bad.any():
        raise WorkspaceError(f"{seq.source or seq.name}: frame {int(np.argmax(bad)) + 1} has no target region; "
                             "the VOT baseline needs a region in every frame")
    ext = Path(seq.frames[0]).suffix.lower() or ".jpg"
    folder = root / seq.name
    color = folder / "color"
    color.mkdir(parents=True, exist_ok=True)
    for i, src in enumerate(seq.frames, start=1):
        src = Path(src)
        if not src.is_file():
            raise WorkspaceError(f"{seq.source or seq.name}: frame {i} is missing: {src}")
        if src.suffix.lower() != ext:
            raise WorkspaceError(f"{src}: frames of one sequence must share an extension ({ext})")
        _place(src, color / f"{i:08d}{ext}", link)
    write_text_atomic(folder / "groundtruth.txt",  # %.4f as VOT's own files; masks as m... lines
                      "\n".join(format_region(r) for r in seq.region_list()) + "\n")
    props = {"channels.color": f"color/%08d{ext}", "fps": str(int(round(seq.fps or 30))), "format": "default",
             "length": str(len(seq)), "width": str(seq.width), "height": str(seq.height)}
    write_text_atomic(folder / "sequence", "".join(f"{k}={v}\n" for k, v in props.items()))
    for tag, values in seq.tags.items():
        if re.fullmatch(r"[A-Za-z0-9_]+", tag) and len(values) == len(seq):
            write_text_atomic(folder / f"{tag}.tag", "\n".join("1" if v else "0" for v in np.asarray(values, bool)) + "\n")
    for key, values in seq.values.items():
        if re.fullmatch(r"[A-Za-z0-9_]+", key) and len(values) == len(seq):
            write_text_atomic(folder / f"{key}.value", "".join(f"{float(v):g}\n" for v in values))
    return folder


def build_workspace(directory: Path | str, sequences: Iterable[SequenceAnnotation], stack: str = "vot2017",
                    registry: Path | str | Sequence[Path | str] | None = None, link: str = "hardlink",
                    force: bool = False) -> Path:
    """Write a complete offline workspace; returns its path.

    ``stack`` is a row of :data:`analysis.stacks.BENCHMARKS` naming a built-in stack of 0.7.4 (``vot2015`` ...
    ``vot2019``, the multi-start ``vot2020`` ... ``vot2022-stb``), ``custom`` (a supervised stack yaml next to
    ``config.yaml`` whose EAO interval fits the sequence lengths, see :func:`eao_interval`) or a multi-start row
    without a built-in stack (``multistart-test``: :class:`MultiStartStack` from the row).
    ``registry``: one or more ``trackers.ini`` files (default: :func:`checkout_registry`, the current checkout's),
    written as absolute paths
    into ``config.yaml`` (the workspace is generated output; the registry itself stays path-free).
    """
    if stack not in WORKSPACE_STACKS:
        raise WorkspaceError(f"unknown stack {stack!r}; choose one of {', '.join(WORKSPACE_STACKS)}")
    if link not in LINK_MODES:
        raise WorkspaceError(f"unknown link mode {link!r}; choose one of {', '.join(LINK_MODES)}")
    directory = Path(directory).resolve()
    seqs = list(sequences)
    if not seqs:
        raise WorkspaceError("no sequences to write")
    names = [s.name for s in seqs]
    dup = {n for n in names if names.count(n) > 1}
    if dup:
        raise WorkspaceError(f"duplicate sequence names: {', '.join(sorted(dup))}")
    if (directory / "config.yaml").exists() and not force:
        raise WorkspaceError(f"{directory / 'config.yaml'} exists; pass force=True (--force) to overwrite")
    if registry is None:
        registries = [checkout_registry()]
    elif isinstance(registry, (str, os.PathLike)):
        registries = [Path(registry).resolve()]
    else:
        registries = [Path(r).resolve() for r in registry]
    for reg in registries:
        if not reg.exists():
            raise WorkspaceError(f"tracker registry {reg} does not exist")

    spec = BENCHMARKS.get(stack)
    if spec is not None and spec.kind == "votms":
        no_anchor = [s.name for s in seqs if not np.any(s.values.get("anchor", np.zeros(1)))]
        if no_anchor:
            raise WorkspaceError(f"the {stack} stack is multi-start: sequence(s) {', '.join(no_anchor)} have no "
                                 "anchor.value with an anchor (vot-toolkit stops on them)")
    seq_root = directory / "sequences"
    if force and seq_root.exists():
        shutil.rmtree(seq_root)
    try:

        iterator = tqdm(seqs, desc="workspace", unit="seq", disable=len(seqs) < 3, file=sys.stderr)
    except ImportError:  # pragma: no cover
        iterator = seqs
    for seq in iterator:
        write_sequence(seq_root, seq, link)
    write_text_atomic(seq_root / "list.txt", "\n".join(names) + "\n")
    (directory / "results").mkdir(exist_ok=True)

    lengths = [len(s) for s in seqs]
    if stack == "custom":
        low, high, method = eao_interval(lengths)
        write_text_atomic(directory / "stack.yaml", CustomStack(low, high, method).to_yaml())
        stack_ref = "stack.yaml"
    elif spec.toolkit_stack is None:  # a multi-start row of its own (multistart-test)
        low, high = spec.eao_interval.as_tuple()
        write_text_atomic(directory / "stack.yaml", MultiStartStack(
            low, high, tuple(e for e, _ in spec.experiments), spec.realtime_grace or 0,
            f"siamrpn-bench {stack} stack").to_yaml())
        stack_ref = "stack.yaml"
    else:
        spec = BENCHMARKS[stack]
        stack_ref = spec.toolkit_stack
        low, high = spec.eao_interval.as_tuple()
        if max(lengths) < high:
            print(f"vot-workspace: warning: the {stack} EAO interval {low}-{high} exceeds the longest sequence "
                  f"({max(lengths)} frames); the toolkit's EAO will be NaN or biased. Use --stack "
                  f"{'multistart-test' if spec.kind == 'votms' else 'custom'} for short sequences.", file=sys.stderr)
    config = f"stack: {stack_ref}\nregistry:\n" + "".join(f"- {reg}\n" for reg in registries)
    write_text_atomic(directory / "config.yaml", config)
    return directory
