"""The project's VOT baseline runner against vot-toolkit 0.7.4's own supervised loop, on the real sequences.

A replayed "tracker" answers a fixed box per frame (no network). The same boxes go through

* the project: :func:`integration.run.run_unit` (baseline, ``layout="pyt"``, so the failure test uses the
  vot-toolkit rule by default), frames decoded by the runner from ``../shared/data/sequences``;
* the toolkit: ``vot.experiment.multirun.SupervisedExperiment.execute`` (its loop, its
  ``calculate_overlap``, its sequence loader measuring the image size, its result writer), with a
  ``TrackerRuntime`` stand-in that answers the stored box of the frame it is given.

Both trajectories must have the same special frames (initialisation, failure, skipped) on every sequence.
The boxes are built from the ground truth so that some frames touch the target by less than a pixel, where
the MATLAB toolkit's raster (``leg2017``) and vot-toolkit's (``pyt``) disagree; the test also checks that the
old project default (``leg2017`` for every layout) gives other failure frames on some sequence, i.e. that the
replay can tell the rules apart (issue 12: VOT ``book`` frame 57).
"""
from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

from analysis.core.regions import is_special
from tests.conftest import shared_path

pytestmark = [pytest.mark.shared, pytest.mark.toolkit]

pytest.importorskip("vot", reason="vot-toolkit 0.7.4 not installed (optional group `toolkits`)")
from vot.dataset import BasedSequence  # noqa: E402
from vot.dataset.common import _read_data  # noqa: E402
from vot.experiment.multirun import SupervisedExperiment  # noqa: E402
from vot.region import Rectangle, Special  # noqa: E402
from vot.tracker import ObjectStatus, TrackerRuntime, Trajectory  # noqa: E402
from vot.workspace.storage import LocalStorage  # noqa: E402

#: frame pattern of each project sequence folder, as the toolkit's ``channels.color`` (VOT folders keep their
#: own ``groundtruth.txt``; OTB folders get a comma-separated copy of the parsed boxes, the toolkit reads no tabs)
VOT_CHANNELS = {"bag": "%08d.jpg", "VOTTIR_horse": "%08d.png"}


def replay_boxes(gt: np.ndarray) -> np.ndarray:
    """One ``x, y, w, h`` box per frame, from the ground truth's bounding box: tracked frames follow it with a
    small drift; every 9th frame the box slides to the target's right edge by a sub-pixel amount (the rules
    disagree there); every 31st frame it is far away (a failure under every rule)."""
    if gt.shape[1] > 4:
        xs, ys = gt[:, 0::2], gt[:, 1::2]
        bb = np.stack([xs.min(1), ys.min(1), xs.max(1) - xs.min(1), ys.max(1) - ys.min(1)], axis=1)
    else:
        bb = gt.astype(np.float64)
    out = bb.copy()
    edge = np.array([-1.3, -0.8, -0.55, -0.45, -0.2, 0.0, 0.3, 0.6])
    for i in range(len(bb)):
        x, y, w, h = bb[i]
        if i % 9 == 4:
            out[i] = (x + w + edge[(i // 9) % len(edge)], y, w, h)
        elif i % 31 == 17:
            out[i] = (-500.0, -500.0, 10.0, 10.0)
        else:
            out[i] = (x + 0.37 * (i % 5), y - 0.21 * (i % 3), w, h)
    return out


# ------------------------------------------------------------------------------------ toolkit side
class _Runtime(TrackerRuntime):
    def __init__(self, tracker):
        super().__init__(tracker)

    def stop(self):
        pass

    def restart(self):
        pass

    def initialize(self, frame, new=None, properties=None):
        return ObjectStatus(new, {}), 0.0

    def update(self, frame, new=None, properties=None):
        return ObjectStatus(Rectangle(*self.tracker.boxes[frame.index]), {}), 0.0


class _Tracker:
    reference = identifier = "replay"
    storage = None

    def __init__(self, boxes):
        self.boxes = boxes

    def runtime(self, log=False):
        return _Runtime(self)


def toolkit_sequence(folder: Path, seq, tmp: Path):
    """The toolkit's own sequence object over the real frames (size measured by the toolkit)."""
    meta = {"fps": 30, "format": "default", "channel.default": "color", "length": None}
    if seq.groundtruth.shape[1] > 4:  # VOT folder: the toolkit reads the folder as it is
        root = folder
        meta["channels.color"] = VOT_CHANNELS.get(folder.name, "color/%08d.jpg")
    else:  # OTB folder: frames where they are, the parsed boxes (first len(seq) frames) in toolkit format
        root = tmp / seq.name
        root.mkdir(parents=True)
        (root / "groundtruth.txt").write_text("".join(",".join(repr(float(v)) for v in r) + "\n"
                                                      for r in seq.groundtruth))
        first = Path(seq.frames[0])
        meta["channels.color"] = str(first.parent / f"%0{len(first.stem)}d{first.suffix}")
        meta["length"] = len(seq)
    meta["root"] = str(root)
    return BasedSequence(seq.name, _read_data, meta)


def toolkit_codes(folder, seq, boxes, tmp):
    vseq = toolkit_sequence(folder, seq, tmp)
    assert len(vseq) == len(seq) and tuple(vseq.size) == tuple(seq.size), (seq.name, len(vseq), vseq.size)
    exp = SupervisedExperiment("baseline", LocalStorage(str(tmp / "vot")), repetitions=1, skip_initialize=5,
                               early_stop=False)
    tracker = _Tracker(boxes)
    exp.execute(tracker, vseq)
    regions = Trajectory.read(exp.results(tracker, vseq), f"{seq.name}_001").regions()
    return [r.code if isinstance(r, Special) else 3 for r in regions]


# ------------------------------------------------------------------------------------ project side
class _Replay:
    """Answers the stored box of the frame it is shown (the runner's decoded frame carries its index)."""

    def __init__(self, boxes):
        self.boxes = boxes

    def init(self, image, region):
        assert image.ndim == 3 and image.dtype == np.uint8  # a real decoded frame

    def update(self, image):
        return self.boxes[image.index].copy(), 1.0


class _IndexedFrame(np.ndarray):
    index: int


def project_codes(seq, boxes, out: Path, convention=None):
    import dataclasses

    from analysis.io.trajectories import read_trajectory
    from integration.data.sequences import Sequence
    from integration.protocols.vot_baseline import BaselineSettings
    from integration.run.execute import run_unit
    from integration.run.units import ExperimentSpec, TrackerSpec, Unit

    class Indexed(Sequence):
        def frame(self, i):
            img = super().frame(i).view(_IndexedFrame)
            img.index = i
            return img

    indexed = Indexed(**{f.name: getattr(seq, f.name) for f in dataclasses.fields(Sequence)})
    exp = ExperimentSpec(kind="baseline", layout="pyt", deterministic=True,
                         baseline=BaselineSettings(convention=convention))
    unit = Unit(TrackerSpec("replay"), exp, indexed, out)
    outcome = run_unit(unit, tracker_factory=lambda: _Replay(boxes), resume=False)
    assert outcome.status == "done", outcome
    traj = read_trajectory(out / "replay" / "baseline" / seq.name / f"{seq.name}_001.bin")
    return [int(r) if is_special(r) else 3 for r in traj]


@pytest.fixture(scope="module")
def sequences():
    from integration.data.sequences import load_dataset

    root = shared_path("sequences")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the documented short ground truths (Football1, truck2)
        seqs = load_dataset(root)
    folders = {}
    for name, seq in seqs.items():
        folders[name] = Path(seq.frames[0]).parent
        if folders[name].name in ("color", "img"):
            folders[name] = folders[name].parent
    return seqs, folders


def test_runner_failure_frames_equal_vot_toolkit_on_every_real_sequence(sequences, tmp_path):
    seqs, folders = sequences
    assert len(seqs) >= 10
    mismatches, total_failures = {}, 0
    for name, seq in seqs.items():
        boxes = replay_boxes(np.asarray(seq.groundtruth, dtype=np.float64))
        ours = project_codes(seq, boxes, tmp_path / "ours")
        theirs = toolkit_codes(folders[name], seq, boxes, tmp_path / "toolkit" / name)
        total_failures += ours.count(2)
        if ours != theirs:
            mismatches[name] = [i for i, (a, b) in enumerate(zip(ours, theirs)) if a != b][:5]
    assert not mismatches, f"runner and vot-toolkit differ (first differing frames): {mismatches}"
    assert total_failures > 3 * len(seqs)  # the replay does fail, on every kind of frame


def test_the_replay_tells_the_toolkits_rules_apart(sequences):
    """Without the decode (the protocol alone): the MATLAB rule gives other failure frames than vot-toolkit's
    on some real sequence, so the comparison above would catch a runner using the wrong rule."""
    from integration.protocols.vot_baseline import BaselineSettings, run_baseline

    seqs, _ = sequences
    differs = []
    for name, seq in seqs.items():
        boxes = replay_boxes(np.asarray(seq.groundtruth, dtype=np.float64))
        tracker = type("T", (), {"init": lambda self, im, r: None, "update": lambda self, i: (boxes[i], 1.0)})()
        fails = {}
        for conv in ("leg2017", "pyt"):
            run = run_baseline(tracker, lambda i: i, seq.groundtruth, seq.size,
                               BaselineSettings(deterministic=True, convention=conv))[0]
            fails[conv] = [i for i, r in enumerate(run.trajectory) if is_special(r) and int(r) == 2]
        if fails["leg2017"] != fails["pyt"]:
            differs.append(name)
    assert differs, "the replayed boxes never separate leg2017 from pyt"
