"""OTB-2013 (Wu, Lim, Yang, "Online Object Tracking: A Benchmark", CVPR 2013): the 51 targets of its 50 videos
(``Jogging`` has two), read as a subset of any OTB-2015 annotation source (JSON or folders), since OTB-2015
(TPAMI 2015) contains all of them. The list is the benchmark's published one (``tracker_benchmark_v1.0``
``configSeqs.m``; pysot-toolkit's ``OTB2013``), in OTB result-file names.

The ground truth is that of the OTB-2015 source given; scores follow the OTB rules of
:mod:`analysis.metrics.otb` (``docs/conventions.md``)."""
from __future__ import annotations

from pathlib import Path

from analysis.io.annotation import SequenceAnnotation
from analysis.io.layout import load_box_annotations
from analysis.io.otb import match_otb_name

#: the 51 OTB-2013 targets (result-file names)
OTB2013: tuple[str, ...] = (
    "Basketball", "Bolt", "Boy", "Car4", "CarDark", "CarScale", "Coke", "Couple", "Crossing", "David", "David2",
    "David3", "Deer", "Dog1", "Doll", "Dudek", "FaceOcc1", "FaceOcc2", "Fish", "FleetFace", "Football",
    "Football1", "Freeman1", "Freeman3", "Freeman4", "Girl", "Ironman", "Jogging-1", "Jogging-2", "Jumping",
    "Lemming", "Liquor", "Matrix", "Mhyang", "MotorRolling", "MountainBike", "Shaking", "Singer1", "Singer2",
    "Skating1", "Skiing", "Soccer", "Subway", "Suv", "Sylvester", "Tiger1", "Tiger2", "Trellis", "Walking",
    "Walking2", "Woman",
)


def load_otb2013(root: str | Path, allow_missing: bool = False) -> dict[str, SequenceAnnotation]:
    """The OTB-2013 sequences of an OTB-2015 annotation source (keys as the source names them). Listed
    sequences the source lacks raise ``ValueError`` naming them unless ``allow_missing`` (then the others are
    read; at least one must be there)."""
    annotations = load_box_annotations(root)
    keys = list(annotations)
    found = {name: match_otb_name(name, keys) for name in OTB2013}
    missing = [name for name, key in found.items() if key is None]
    if missing and (not allow_missing or len(missing) == len(OTB2013)):
        raise ValueError(f"{root}: {len(missing)} of the {len(OTB2013)} OTB-2013 sequences are not in these "
                         f"annotations: {', '.join(missing[:10])}{' ...' if len(missing) > 10 else ''}"
                         " (an OTB-2015 JSON or folder holds them all; --allow-missing reads the others)")
    return {key: annotations[key] for key in found.values() if key is not None}
