"""Training settings as frozen dataclasses, read from a TOML/YAML/JSON file (``configs/train_*.toml``).

Every field has the value used for the project's default weights unless the file overrides it; unknown keys are an
error naming the file, so a typo never silently falls back to a default.
"""
from __future__ import annotations

import dataclasses
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tomllib
import yaml

from tracker.training.scenes import SceneConfig


@dataclass(frozen=True)
class DataSource:
    """One training data source. ``kind``: synthetic | stills | cutouts | got10k | vid | pysot | vot | otb."""

    kind: str = "synthetic"
    root: str = ""  # folder (or JSON file for ``pysot``), unused for synthetic/stills
    anno: str = ""  # pysot: JSON path (``root`` is then the crop511 folder)
    weight: float = 1.0  # relative sampling probability
    frame_range: int = 100  # template/search frames at most this many annotated frames apart
    num_videos: int = 2000  # synthetic only: how many distinct rendered videos
    num_frames: int = 120  # synthetic only: frames per rendered video
    # stills / cutouts: target aspect spread, log-uniform in [1/a, a] (stills: box aspect; cutouts: stretch of the
    # object's own aspect); 0 = the source's default (stills 2, cutouts 1.25)
    aspect: float = 0.0


@dataclass(frozen=True)
class AugmentConfig:
    """Crop and augmentation settings (pysot ``siamrpn_alex_dwxcorr_16gpu`` values unless noted)."""

    exemplar_size: int = 127
    instance_size: int = 255
    context_amount: float = 0.5  # p = context_amount * (w + h) in Eq. 15
    template_shift: float = 4.0  # max shift of the template crop, output pixels
    template_scale: float = 0.05  # max relative scale jitter of the template crop
    search_shift: float = 64.0
    search_scale: float = 0.18
    blur_prob: float = 0.2  # search crop only
    color_prob: float = 1.0
    gray_prob: float = 0.1
    flip_prob: float = 0.0
    neg_prob: float = 0.2  # negative (different object) pairs


@dataclass(frozen=True)
class TargetConfig:
    """Anchor labelling (paper Sec. 3.3): IoU > high positive, < low negative, <= pos_num of total_num samples."""

    thr_high: float = 0.6
    thr_low: float = 0.3
    pos_num: int = 16
    total_num: int = 64
    neg_pair_num: int = 16  # negatives drawn around the distractor centre in a negative pair
    neg_pair_radius: int = 3  # cells around the centre (7x7 region, as pysot)
    # online hard-negative mining (reuse trainer only): per pair, this many MORE negatives, the highest-scoring
    # anchors among those with IoU < thr_low (every anchor of a negative pairing); 0 = the paper's random sampling
    hard_negatives: int = 0


@dataclass(frozen=True)
class OptimConfig:
    """SGD with momentum; LR decreasing in log space from lr_start to lr_end over the paper's 50 epochs, scaled."""

    lr_start: float = 1e-2
    lr_end: float = 1e-6
    virtual_epochs: int = 50  # the paper's 50 epochs mapped onto the run's total steps
    momentum: float = 0.9
    weight_decay: float = 1e-4
    grad_clip: float = 10.0
    cls_weight: float = 1.0
    loc_weight: float = 1.2  # lambda in Eq. 5
    smooth_l1_sigma: float = 3.0  # sigma in Eq. 4 (Faster R-CNN RPN value)
    frozen_layers: int = 3  # AlexNet: conv1..conv3 frozen (paper Sec. 5.1); Lite0: stem + blocks 0..n-1 frozen
    backbone_lr_mult: float = 1.0  # LR multiplier of the trainable backbone layers (conv4, conv5) vs the head
    name: str = "sgd"  # sgd (the paper's) | adamw
    warmup_steps: int = 0  # linear warm-up from lr_start/10 over these steps (then the schedule)
    schedule: str = "log"  # log (the paper's log-space decay over virtual epochs) | cosine


@dataclass(frozen=True)
class ReuseConfig:
    """The feature-reuse trainer (``trainer = "reuse"``, ``tracker.training.reuse``): each step renders
    ``scenes_per_step`` photographic scenes, runs the frozen backbone once per template and once per search canvas,
    and takes ``windows_per_scene`` search windows (with their own anchor targets) from each canvas's feature map;
    ``negative_scenes`` canvases are also paired with another scene's template (negative pairs)."""

    scenes_per_step: int = 4
    windows_per_scene: int = 8
    negative_scenes: int = 1
    # extra windows per step run through the pixel path (the window's pixels cropped, then backbone): at tracking
    # time a crop's border is padding, which the canvas windows never show (tracker.training.reuse docstring)
    pixel_windows: int = 1
    photo_cache: str = "output/cache/photo_index.json"
    snapshot_every: int = 0  # also keep fp16 weights of every N-th step under OUT/snapshots (0: never)


@dataclass(frozen=True)
class TrainConfig:
    """A whole training run."""

    preset: str = "paper"
    model: str = "siamrpn"  # siamrpn (the preset's network) | tiny (training-machinery tests only)
    steps: int = 1000
    batch_size: int = 16  # GLOBAL batch; each of N DDP processes takes batch_size // N
    seed: int = 123456
    workers: int = 0
    checkpoint_every: int = 100
    log_every: int = 10
    # derived (AlexNet: Gabor/DCT conv1 + data-calibrated random conv2-5) | pretrained (Lite0: ImageNet backbone)
    # | random | <checkpoint path>
    init: str = "derived"
    init_calibration_pairs: int = 64
    init_feature_gain: float = 0.1  # conv5 BN weight (AlexNet) / neck BN weight (Lite0) at initialisation
    init_alpha: float = 0.05  # scale of the cross-correlation initialisation of conv_cls1
    amp: bool = True  # mixed precision, used only on CUDA
    data: tuple[DataSource, ...] = (DataSource(),)
    augment: AugmentConfig = AugmentConfig()
    targets: TargetConfig = TargetConfig()
    optim: OptimConfig = OptimConfig()
    trainer: str = "pairs"  # pairs (one backbone pass per pair, any data source) | reuse (photographic scenes)
    scenes: SceneConfig = SceneConfig()
    reuse: ReuseConfig = ReuseConfig()


def _build(cls: type, values: dict[str, Any], where: str) -> Any:
    names = {f.name: f for f in dataclasses.fields(cls)}
    unknown = sorted(set(values) - set(names))
    if unknown:
        raise ValueError(f"{where}: unknown key(s) {unknown} for {cls.__name__}; known: {sorted(names)}")
    kwargs: dict[str, Any] = {}
    for key, value in values.items():
        sub = {"augment": AugmentConfig, "targets": TargetConfig, "optim": OptimConfig, "scenes": SceneConfig,
               "reuse": ReuseConfig}.get(key)
        if cls is TrainConfig and sub is not None:
            kwargs[key] = _build(sub, value, f"{where} [{key}]")
        elif cls is TrainConfig and key == "data":
            if not isinstance(value, list) or not value:
                raise ValueError(f"{where}: 'data' must be a non-empty list of tables")
            kwargs[key] = tuple(_build(DataSource, v, f"{where} [data #{i}]") for i, v in enumerate(value))
        elif isinstance(value, list):
            kwargs[key] = tuple(value)  # tuple fields (e.g. scenes.distractors) stay hashable
        else:
            kwargs[key] = value
    return cls(**kwargs)


def load_config(path: str | Path) -> TrainConfig:
    """Read a ``.toml``, ``.yaml``/``.yml`` or ``.json`` training config."""
    path = Path(path)
    text = path.read_text()
    try:
        if path.suffix == ".toml":
            values = tomllib.loads(text)
        elif path.suffix in (".yaml", ".yml"):

            values = yaml.safe_load(text) or {}
        elif path.suffix == ".json":
            values = json.loads(text)
        else:
            raise ValueError(f"{path}: unsupported config type {path.suffix!r} (use .toml, .yaml or .json)")
    except (tomllib.TOMLDecodeError, json.JSONDecodeError) as exc:
        raise ValueError(f"{path}: cannot parse config: {exc}") from exc
    return _build(TrainConfig, values, str(path))


def config_to_dict(cfg: TrainConfig) -> dict[str, Any]:
    """Plain-dict form (stored in checkpoints and the run folder)."""
    return dataclasses.asdict(cfg)
