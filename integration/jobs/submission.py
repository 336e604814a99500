"""Checking and packing results for the evaluation servers that keep the test ground truth: GOT-10k (test subset)
and TrackingNet (test set). The library behind ``siamrpn submit``.

What each server takes (a zip, one text file per sequence run, ``x,y,w,h`` per frame, 0-based top-left corner):

* **GOT-10k** (got10k 0.1.3 ``ExperimentGOT10k``: ``run`` records ``<seq>/<seq>_%03d.txt`` with
  ``np.savetxt(..., fmt='%.3f', delimiter=',')`` and ``<seq>/<seq>_time.txt`` with one comma-separated column of
  seconds per run; ``report`` on the test subset zips the tracker's result folder with ``shutil.make_archive``,
  so the zip's root holds the sequence folders). A tracker that is deterministic runs once (``_001`` only), the
  protocol's three repetitions give ``_001`` .. ``_003``. Members: ``<seq>/<seq>_NNN.txt`` and ``<seq>/<seq>_time.txt``.
* **TrackingNet**: ``<seq>.txt`` at the zip's root (no folder), one comma-separated ``x,y,w,h`` per frame.

Checks, all made before anything is written (:class:`SubmissionError` lists every problem, each naming the file
and, for content, the 1-based line): a sequence of ``annotations`` without its file(s), a result for a sequence
the annotations do not have, a file that is not UTF-8 text, a line that is not four comma-separated finite
numbers, a negative width or height, a line count different from the sequence's frame count (with
``annotations``; without, the run and time files of one GOT-10k sequence must agree), a missing or malformed
``<seq>_time.txt`` (GOT-10k), run numbers with gaps. Files the server does not read (other names in a sequence
folder, sub-folders next to TrackingNet files) are left out and named in ``warnings``. The zip is written
atomically (:func:`analysis.core.atomic.atomic_target`) with sorted members and a fixed timestamp, so the same
results give the same bytes.
"""
from __future__ import annotations

import math
import os
import re
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from analysis.core.atomic import atomic_target
from analysis.io.text import read_text_file
from analysis.io.trajectories import read_times
from integration.data.sequences import load_dataset

__all__ = ["BENCHMARKS", "Submission", "SubmissionError", "check_box_text", "frame_counts", "check_got10k",
           "check_trackingnet", "check_submission", "write_submission"]

#: the servers this module packs for
BENCHMARKS = ("got10k", "trackingnet")
#: repetitions of the GOT-10k protocol (got10k ``ExperimentGOT10k.repetitions``)
GOT10K_REPETITIONS = 3
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)
_NUMBER = r"\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?\s*"
_BOX_LINE = re.compile(rf"{_NUMBER},{_NUMBER},{_NUMBER},{_NUMBER}")


class SubmissionError(ValueError):
    """Results that the server would refuse or misread; ``problems`` holds one line per file (or line)."""

    def __init__(self, problems: list[str] | tuple[str, ...]):
        self.problems = tuple(problems)
        super().__init__(f"{len(self.problems)} problem(s), nothing packed:\n  " + "\n  ".join(self.problems))


@dataclass(frozen=True)
class Submission:
    """Checked results: ``members`` = ``(name in the zip, file)`` sorted by name, the sequences, warnings."""

    benchmark: str
    results: Path
    members: tuple[tuple[str, Path], ...]
    sequences: tuple[str, ...]
    warnings: tuple[str, ...] = ()


def check_box_text(path: Path, frames: int | None = None) -> tuple[int, list[str]]:
    """``(line count, problems)`` of one result file: UTF-8 text, one ``x,y,w,h`` of finite numbers per line
    separated by commas, ``w, h >= 0``, and ``frames`` lines when given. Trailing blank lines are ignored;
    the first three bad lines are named, then a count."""
    try:
        text = read_text_file(path, "result file")
    except (OSError, ValueError) as exc:
        return 0, [str(exc)]
    lines = text.splitlines()
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines:
        return 0, [f"{path}: empty result file (one x,y,w,h line per frame expected)"]
    bad: list[str] = []
    for number, line in enumerate(lines, start=1):
        if not _BOX_LINE.fullmatch(line):
            what = "empty line" if not line.strip() else f"{line.strip()[:60]!r}"
            bad.append(f"{path}:{number}: {what} is not four comma-separated numbers x,y,w,h")
            continue
        x, y, w, h = (float(v) for v in line.split(","))
        if not all(math.isfinite(v) for v in (x, y, w, h)):
            bad.append(f"{path}:{number}: non-finite value in {line.strip()[:60]!r}")
        elif w < 0 or h < 0:
            bad.append(f"{path}:{number}: negative {'width' if w < 0 else 'height'} in {line.strip()[:60]!r}")
    problems = bad[:3] + ([f"{path}: {len(bad) - 3} more malformed line(s)"] if len(bad) > 3 else [])
    if frames is not None and len(lines) != frames:
        problems.append(f"{path}: {len(lines)} lines but the sequence has {frames} frames (one box per frame)")
    return len(lines), problems


def frame_counts(annotations: str | os.PathLike, image_root: str | os.PathLike | None = None) -> dict[str, int]:
    """``{sequence: frame count}`` of a dataset path :func:`~integration.data.sequences.load_dataset` reads (the
    GOT-10k test subset's ground truth holds only the first box; its rows still count every frame)."""
    try:
        return {name: len(seq) for name, seq in load_dataset(annotations, image_root).items()}
    except (OSError, ValueError) as exc:
        raise SubmissionError([f"--annotations: {exc}"]) from None


def _results_folder(results: Path) -> Path:
    if not results.is_dir():
        raise SubmissionError([f"{results}: results folder not found"])
    return results


def _compare_names(found: dict[str, object], expected: dict[str, int] | None, results: Path,
                   expected_file: str, problems: list[str]) -> None:
    if expected is None:
        return
    for name in sorted(set(expected) - set(found)):
        problems.append(f"{results / expected_file.format(seq=name)}: missing (sequence {name!r} of --annotations)")
    for name in sorted(set(found) - set(expected)):
        problems.append(f"{results / expected_file.format(seq=name)}: {name!r} is not a sequence of --annotations")


def check_got10k(results: str | os.PathLike, expected: dict[str, int] | None = None) -> Submission:
    """Check a GOT-10k result folder (``<seq>/<seq>_NNN.txt`` + ``<seq>/<seq>_time.txt``); ``expected`` =
    :func:`frame_counts` of the test subset. Raises :class:`SubmissionError` listing every problem."""
    results = _results_folder(Path(results))
    problems: list[str] = []
    notes: list[str] = []
    members: list[tuple[str, Path]] = []
    folders = {d.name: d for d in sorted(results.iterdir()) if d.is_dir() and not d.name.startswith(".")}
    loose = sorted(p.name for p in results.iterdir() if p.is_file() and not p.name.startswith("."))
    if loose:
        notes.append(f"{results}: {len(loose)} file(s) outside the sequence folders not packed: {', '.join(loose[:5])}")
    _compare_names(folders, expected, results, "{seq}/{seq}_001.txt", problems)
    run_name = re.compile(r"^(?P<seq>.+)_(?P<run>\d{3})\.txt$")
    for name, folder in folders.items():
        if expected is not None and name not in expected:
            continue
        runs: dict[int, Path] = {}
        for p in sorted(folder.iterdir()):
            m = run_name.match(p.name)
            if m and m["seq"] == name and p.is_file():
                runs[int(m["run"])] = p
            elif p.name != f"{name}_time.txt":
                notes.append(f"{p}: not a GOT-10k result file ({name}_NNN.txt / {name}_time.txt), not packed")
        if not runs:
            problems.append(f"{folder / f'{name}_001.txt'}: missing (no run file {name}_NNN.txt in {folder})")
            continue
        if sorted(runs) != list(range(1, len(runs) + 1)):
            gaps = sorted(set(range(1, max(runs) + 1)) - set(runs))
            problems.append(f"{folder}: run files {', '.join(f'{k:03d}' for k in sorted(runs))}; "
                            f"{', '.join(f'{name}_{k:03d}.txt' for k in gaps)} missing (runs are numbered from 001)")
        if len(runs) > GOT10K_REPETITIONS:
            notes.append(f"{folder}: {len(runs)} runs; the GOT-10k protocol has {GOT10K_REPETITIONS} repetitions")
        frames = None if expected is None else expected[name]
        lengths = {}
        for k, p in sorted(runs.items()):
            lengths[p], bad = check_box_text(p, frames)
            problems += bad
            members.append((f"{name}/{p.name}", p))
        time_file = folder / f"{name}_time.txt"
        if not time_file.is_file():
            problems.append(f"{time_file}: missing (per-frame times, one comma-separated column per run)")
        else:
            try:
                read_text_file(time_file, "time file", "one comma-separated column of seconds per run")
                times = read_times(time_file)
            except (OSError, ValueError) as exc:
                problems.append(str(exc))
            else:
                if frames is not None and len(times) != frames:
                    problems.append(f"{time_file}: {len(times)} lines but the sequence has {frames} frames")
                if times.shape[1] < len(runs):
                    problems.append(f"{time_file}: {times.shape[1]} column(s) for {len(runs)} run files "
                                    "(one column of seconds per run)")
                lengths[time_file] = len(times)
            members.append((f"{name}/{time_file.name}", time_file))
        if frames is None and len(set(lengths.values())) > 1:
            problems.append(f"{folder}: run and time files differ in length ("
                            + ", ".join(f"{p.name} {n}" for p, n in lengths.items()) + ")")
    if not folders and not problems:
        problems.append(f"{results}: no sequence folders <seq>/<seq>_001.txt")
    if problems:
        raise SubmissionError(problems)
    return Submission("got10k", results, tuple(sorted(members)), tuple(folders), tuple(notes))


def check_trackingnet(results: str | os.PathLike, expected: dict[str, int] | None = None) -> Submission:
    """Check a TrackingNet result folder (``<seq>.txt`` each, ``<seq>_time.txt`` ignored); ``expected`` =
    :func:`frame_counts` of the test set. Raises :class:`SubmissionError` listing every problem."""
    results = _results_folder(Path(results))
    problems: list[str] = []
    notes: list[str] = []
    files = {p.stem: p for p in sorted(results.glob("*.txt")) if p.is_file() and not p.stem.endswith("_time")}
    skipped = sorted(p.name for p in results.iterdir() if not p.name.startswith(".") and p.stem not in files)
    if skipped:
        notes.append(f"{results}: {len(skipped)} entr(y/ies) not packed (only <seq>.txt files are): "
                     + ", ".join(skipped[:5]))
    _compare_names(files, expected, results, "{seq}.txt", problems)
    members: list[tuple[str, Path]] = []
    for name, path in files.items():
        if expected is not None and name not in expected:
            continue
        _, bad = check_box_text(path, None if expected is None else expected[name])
        problems += bad
        members.append((path.name, path))
    if not files and not problems:
        problems.append(f"{results}: no result files <seq>.txt")
    if problems:
        raise SubmissionError(problems)
    return Submission("trackingnet", results, tuple(sorted(members)), tuple(files), tuple(notes))


def check_submission(benchmark: str, results: str | os.PathLike, annotations: str | os.PathLike | None = None,
                     image_root: str | os.PathLike | None = None) -> Submission:
    """:func:`check_got10k` or :func:`check_trackingnet`, with frame counts from ``annotations`` when given."""
    if benchmark not in BENCHMARKS:
        raise ValueError(f"unknown benchmark {benchmark!r} (expected one of {', '.join(BENCHMARKS)})")
    expected = None if annotations is None else frame_counts(annotations, image_root)
    return _CHECKS[benchmark](results, expected)


#: the checker of each server benchmark of :data:`BENCHMARKS`
_CHECKS: dict[str, Callable[..., Submission]] = {"got10k": check_got10k, "trackingnet": check_trackingnet}


def write_submission(submission: Submission, out: str | os.PathLike) -> Path:
    """Write the checked members into the zip ``out`` atomically (deflated, sorted, fixed timestamps)."""
    out = Path(out)
    if out.suffix.lower() != ".zip":
        raise SubmissionError([f"--out {out}: the submission must be a .zip file"])
    with atomic_target(out, suffix=".zip") as tmp:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as zf:
            for arcname, path in submission.members:
                info = zipfile.ZipInfo(arcname, date_time=_ZIP_TIME)
                info.compress_type = zipfile.ZIP_DEFLATED
                info.external_attr = 0o644 << 16
                zf.writestr(info, path.read_bytes())
    return out
