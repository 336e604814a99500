"""Viewer pages for a report (``siamrpn report --viewers``): one self-contained HTML viewer per scored sequence
(:func:`integration.jobs.view.write_sequence_viewer`, every tracker of the report drawn over the frames) in
``<out>/viewers/<sequence>.html``, which the report's per-sequence tables then link
(:attr:`analysis.report.build.ReportRequest.viewers`).

The viewers need the frames: a sequence whose annotation lists no image files, or whose first frame is not on
disk (a pysot JSON without its image folders), gets no viewer, and the returned notes say so."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from analysis.report.build import ReportRequest, report_annotations, resolve_request, result_folders
from integration.data.sequences import Sequence as DataSequence
from integration.jobs.view import PALETTE, Track, ViewError, load_track, write_sequence_viewer

#: the result experiment folder the viewer reads per benchmark kind (VOT: baseline; long-term: longterm)
_EXPERIMENT = {"vot": "baseline", "votlt": "longterm"}


@dataclass(frozen=True)
class ReportViewers:
    """What :func:`write_report_viewers` wrote: the folder, the pages, and notes (sequences without frames,
    trackers without results on a sequence)."""

    folder: Path
    written: tuple[Path, ...]
    notes: tuple[str, ...]


def write_report_viewers(request: ReportRequest, folder: Path | None = None, max_frames: int = 60,
                         max_width: int = 640) -> ReportViewers:
    """Write one viewer per sequence of the request's annotations that has frames on disk, with the run and
    every compared tracker (the report's names and order), into ``folder`` (default ``<out>/viewers``).

    Each page holds the first ``max_frames`` frames, scaled down to at most ``max_width`` pixels wide."""
    spec, _, tracker = resolve_request(request)
    folder = Path(folder) if folder is not None else request.out_dir / "viewers"
    annotations = report_annotations(request)
    folders = result_folders(request, tracker)
    experiment = _EXPERIMENT.get(spec.kind, "baseline")
    written: list[Path] = []
    no_frames: list[str] = []
    missing: dict[str, int] = {}
    for name, ann in annotations.items():
        if not ann.frames or not Path(ann.frames[0]).is_file():
            no_frames.append(name)
            continue
        seq = DataSequence(ann)
        tracks: list[Track] = []
        for k, (label, results) in enumerate(folders.items()):
            try:
                track, _ = load_track(results, seq, label, experiment=experiment, colour=PALETTE[k % len(PALETTE)])
            except ViewError:
                missing[label] = missing.get(label, 0) + 1
                continue
            tracks.append(track)
        width = seq.size[0]
        scale = min(1.0, max_width / width) if width > 0 else 1.0
        written.append(write_sequence_viewer(folder / f"{name}.html", seq, tracks, max_frames=max_frames,
                                             scale=scale))
    notes: list[str] = []
    if no_frames:
        what = ("the annotations do not point at image folders" if not written
                else f"{len(no_frames)} of {len(annotations)} sequences have no frames on disk")
        notes.append(f"viewers: {what} ({', '.join(no_frames[:5])}{' ...' if len(no_frames) > 5 else ''}); "
                     "no viewer for those (pass annotations whose frames are on disk, e.g. the dataset folder)")
    notes += [f"viewers: no results of {label} for {n} sequence(s); drawn without it" for label, n in missing.items()]
    return ReportViewers(folder, tuple(written), tuple(notes))
