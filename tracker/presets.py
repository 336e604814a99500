"""Model and tracking settings of SiamRPN as frozen dataclasses, one per published configuration.

Every preset names the file its numbers come from (``docs/tracker.md`` describes what they set).
Nothing here is mutable: derive a variant with :func:`dataclasses.replace`.
"""
from __future__ import annotations

from dataclasses import dataclass, field, replace

__all__ = ["BACKBONES", "MULTILEVEL_BACKBONES", "HEADS", "ModelConfig", "TrackConfig", "PRESETS", "get_preset", "preset_names", "preset_from_dict"]


#: backbones of the Siamese branches: the paper's modified AlexNet, or EfficientNet-Lite0 cut at stride 8 in one of
#: the ways of ``tracker.backbones.efficientnet_lite.LITE0_VARIANTS``
BACKBONES = ("alexnet", "efficientnet_lite0", "lite0_d8", "lite0_s8", "lite0_twolevel", "mobilenetv2_l234",
             "resnet50_l234")
#: multi-level backbones of pysot's SiamRPN++ models (``tracker.multilevel.MULTILEVEL``): three stride-8 maps, one
#: neck and one depthwise RPN per level (head ``dw`` only)
MULTILEVEL_BACKBONES = ("mobilenetv2_l234", "resnet50_l234")
#: RPN heads: the paper's UP-channel head (``up``) or the depthwise-correlation head of SiamRPN++ / pysot (``dw``)
HEADS = ("up", "dw")


@dataclass(frozen=True)
class ModelConfig:
    """Shape of the UP-channel SiamRPN network (backbone + RPN head).

    ``backbone``: ``alexnet`` (the paper's modified AlexNet; what released DaSiamRPN / pysot weights load into) or
    ``efficientnet_lite0`` (ImageNet-pretrained Lite0 cut at stride 8, a 1x1 neck to F channels and the centre
    8x8 template cells, as SiamRPN++ does for its padded backbones; the project's default weights).
    ``width`` multiplies the AlexNet channels (1: the paper / DaSiamRPN vot+otb models, 2: SiamRPNBIG);
    ``feature_out`` is F, the channel count of the correlated features (256, BIG 512); ``anchor_num`` is k.
    ``head``: ``up`` (the paper's UP-channel RPN) or ``dw`` (depthwise correlation, ``tracker.heads``; F hidden
    channels per branch).
    ``mobilenetv2_l234`` / ``resnet50_l234`` (:data:`MULTILEVEL_BACKBONES`): pysot's SiamRPN++ backbones, three
    levels each with a neck to F channels and a ``dw`` head; ``weighted_levels`` combines the levels with learned
    softmax weights (pysot ``RPN.WEIGHTED``, the ResNet-50 model) instead of averaging them.
    """

    width: int = 1
    feature_out: int = 256
    anchor_num: int = 5
    backbone: str = "alexnet"
    head: str = "up"
    weighted_levels: bool = False

    def __post_init__(self) -> None:
        if self.backbone not in BACKBONES:
            raise ValueError(f"ModelConfig.backbone must be one of {', '.join(BACKBONES)}, got {self.backbone!r}")
        if self.head not in HEADS:
            raise ValueError(f"ModelConfig.head must be one of {', '.join(HEADS)}, got {self.head!r}")
        if self.width not in (1, 2) or (self.backbone != "alexnet" and self.width != 1):
            raise ValueError(f"ModelConfig.width must be 1 or 2 (1 for {self.backbone}), got {self.width}")
        if self.feature_out <= 0 or self.anchor_num <= 0:
            raise ValueError(f"ModelConfig: feature_out and anchor_num must be positive, got {self}")
        if self.multilevel and self.head != "dw":
            raise ValueError(f"ModelConfig: the multi-level backbone {self.backbone} takes the depthwise head "
                             f"(head='dw'), got head={self.head!r}")
        if self.weighted_levels and not self.multilevel:
            raise ValueError(f"ModelConfig.weighted_levels needs a multi-level backbone "
                             f"({', '.join(MULTILEVEL_BACKBONES)}), got {self.backbone}")

    @property
    def multilevel(self) -> bool:
        """True for pysot's three-level backbones (:data:`MULTILEVEL_BACKBONES`)."""
        return self.backbone in MULTILEVEL_BACKBONES

    @property
    def score_offset(self) -> int:
        """Extra score-map cells over ``(instance - exemplar) / stride + 1`` (pysot's ``BASE_SIZE``).

        AlexNet has no padding: 0. Lite0 is padded: 255 -> 32 search cells, the 8x8 template cells give a 6x6
        kernel after the head's 3x3 conv, so 30 - 6 + 1 = 25 = 17 + 8. pysot's multi-level backbones (BASE_SIZE 8):
        255 -> 31 search cells, 127 -> 15 cut to the centre 7, the DW head's 3x3 convs give 29 and 5, so
        29 - 5 + 1 = 25 = 17 + 8 (287: 35 -> 33 - 5 + 1 = 29 = 21 + 8).
        """
        return 0 if self.backbone == "alexnet" else 8

    @property
    def channels(self) -> tuple[int, int, int, int, int, int]:
        """Backbone channels ``(3, c1..c5)``: DaSiam ``code/net.py`` ``configs = [3, 96, 256, 384, 384, 256]``·width."""
        return (3,) + tuple(c * self.width for c in (96, 256, 384, 384, 256))  # type: ignore[return-value]


@dataclass(frozen=True)
class TrackConfig:
    """Tracking hyper-parameters (paper §4.3; the steps in ``docs/tracker.md``).

    ``center_size``: keep only the centre g×g cells of the score map (paper §4.3, Fig. 4); ``None``
    keeps the whole map as DaSiamRPN/pysot do. ``adaptive``: DaSiamRPN BIG switches to
    ``adaptive_instance_size`` when target area / image area < ``adaptive_area_ratio``.
    ``rounding``: crop corner rounding, ``"floor_half"`` = pysot ``floor(x + 0.5)``,
    ``"half_away"`` = Python-2 ``round`` of DaSiamRPN (identical except at exact negative halves).
    ``nms_threshold``: optional IoU threshold of the paper's NMS over the top ``nms_top_k`` re-ranked
    proposals (the chosen box is the best survivor, i.e. the arg-max; NMS adds the other candidates).
    """

    name: str
    model: ModelConfig = field(default_factory=ModelConfig)
    exemplar_size: int = 127
    instance_size: int = 255
    total_stride: int = 8
    context_amount: float = 0.5
    ratios: tuple[float, ...] = (0.33, 0.5, 1.0, 2.0, 3.0)
    scales: tuple[float, ...] = (8.0,)
    penalty_k: float = 0.04
    window_influence: float = 0.44
    lr: float = 0.4
    center_size: int | None = None
    adaptive: bool = False
    adaptive_instance_size: int = 287
    adaptive_area_ratio: float = 0.004
    nms_threshold: float | None = None
    nms_top_k: int = 10
    min_size: float = 10.0
    rounding: str = "floor_half"
    source: str = ""

    def __post_init__(self) -> None:
        if len(self.ratios) * len(self.scales) != self.model.anchor_num:
            raise ValueError(f"preset {self.name!r}: {len(self.ratios)} ratios x {len(self.scales)} scales "
                             f"!= anchor_num {self.model.anchor_num}")
        for size in (self.instance_size, self.adaptive_instance_size):
            if (size - self.exemplar_size) % self.total_stride:
                raise ValueError(f"preset {self.name!r}: instance size {size} - exemplar {self.exemplar_size} "
                                 f"is not a multiple of the stride {self.total_stride}")
        if self.rounding not in ("floor_half", "half_away"):
            raise ValueError(f"preset {self.name!r}: rounding must be 'floor_half' or 'half_away'")
        if self.center_size is not None and (self.center_size < 1 or self.center_size % 2 == 0):
            raise ValueError(f"preset {self.name!r}: center_size must be a positive odd number or None")

    def score_size(self, instance_size: int | None = None) -> int:
        """Score-map side S = (instance - exemplar) / stride + 1 (17 for 255, 19 for 271, 21 for 287), plus the
        backbone's :attr:`ModelConfig.score_offset` (Lite0: 25 for 255)."""
        size = self.instance_size if instance_size is None else instance_size
        return (size - self.exemplar_size) // self.total_stride + 1 + self.model.score_offset


#: The paper (CVPR 2018 §4.3): 255 search, 17x17 map, 256-ch AlexNet, centre 7x7 anchor cut (Fig. 4).
#: The paper never published penalty_k / window / lr; we use pysot's defaults for the same 255 search
#: (``pysot/core/config.py`` ``__C.TRACK``: PENALTY_K 0.04, WINDOW_INFLUENCE 0.44, LR 0.4).
PAPER = TrackConfig(
    name="paper", instance_size=255, penalty_k=0.04, window_influence=0.44, lr=0.4, center_size=7,
    source="Li et al. CVPR 2018 §4.3 (255 search, centre 7x7 cut); penalty/window/lr from pysot/core/config.py",
)

#: DaSiamRPN ``code/net.py`` ``SiamRPNvot`` (256-ch, SiamRPNVOT.model): 271, 0.04 / 0.44 / 0.45.
DASIAM_VOT = TrackConfig(
    name="dasiam_vot", instance_size=271, penalty_k=0.04, window_influence=0.44, lr=0.45, rounding="half_away",
    source="foolwood/DaSiamRPN code/net.py SiamRPNvot.cfg",
)

#: DaSiamRPN ``code/net.py`` ``SiamRPNotb`` (256-ch, SiamRPNOTB.model): 271, 0.22 / 0.40 / 0.30; OTB2015 AUC 0.655.
DASIAM_OTB = TrackConfig(
    name="dasiam_otb", instance_size=271, penalty_k=0.22, window_influence=0.40, lr=0.30, rounding="half_away",
    source="foolwood/DaSiamRPN code/net.py SiamRPNotb.cfg",
)

#: DaSiamRPN ``code/net.py`` ``SiamRPNBIG`` (512-ch, SiamRPNBIG.model): 271, adaptive 287 for targets
#: below 0.4 % of the image (``run_SiamRPN.py SiamRPN_init``), 0.055 / 0.42 / 0.295; VOT2018 EAO 0.383.
DASIAM_BIG = TrackConfig(
    name="dasiam_big", model=ModelConfig(width=2, feature_out=512), instance_size=271, adaptive=True,
    adaptive_instance_size=287, penalty_k=0.055, window_influence=0.42, lr=0.295, rounding="half_away",
    source="foolwood/DaSiamRPN code/net.py SiamRPNBIG.cfg, run_SiamRPN.py SiamRPN_init (adaptive)",
)

#: pysot ``experiments/siamrpn_alex_dwxcorr/config.yaml`` tracking values (287, 0.16 / 0.40 / 0.30) with the
#: UP-channel head (``RPN.TYPE: UPChannelRPN``, STVIR/pysot#411), AlexNet legacy backbone.
PYSOT_UPCHANNEL_ALEX = TrackConfig(
    name="pysot_upchannel_alex", instance_size=287, penalty_k=0.16, window_influence=0.40, lr=0.30,
    source="STVIR/pysot experiments/siamrpn_alex_dwxcorr/config.yaml TRACK section, UPChannelRPN head",
)

#: The project's default model: the paper's UP-channel head and one-shot inference on an ImageNet-pretrained
#: EfficientNet-Lite0 (stride 8, F = 128), because the paper's ImageNet AlexNet weights are not available here.
#: 255 search, 25x25 score map (SiamRPN++'s padded-backbone geometry), the whole map searched (no 7x7 cut: the
#: padded map is wider, the cut would limit the search to +-24 px); penalty/window/lr are pysot's defaults.
LITE0 = TrackConfig(
    name="lite0", model=ModelConfig(backbone="efficientnet_lite0", feature_out=128), instance_size=255,
    penalty_k=0.04, window_influence=0.44, lr=0.4,
    source="this project: UP-channel SiamRPN on EfficientNet-Lite0 (results/weights/README.md); "
           "penalty/window/lr from pysot/core/config.py",
)

#: The project's depthwise-correlation variants (``tracker.heads``): the same Lite0 geometry and tracking constants
#: with the DW-XCorr head, on each Lite0 cut of ``tracker.backbones.efficientnet_lite.LITE0_VARIANTS``.
_LITE0_DW_SOURCE = ("this project: DW-XCorr SiamRPN on EfficientNet-Lite0 ({backbone}; results/weights/README.md); "
                    "penalty/window/lr from pysot/core/config.py")
LITE0_DW = tuple(
    TrackConfig(name=name, model=ModelConfig(backbone=backbone, feature_out=128, head="dw"), instance_size=255,
                penalty_k=0.04, window_influence=0.44, lr=0.4, source=_LITE0_DW_SOURCE.format(backbone=backbone))
    for name, backbone in (("lite0_dw", "efficientnet_lite0"), ("lite0_d8_dw", "lite0_d8"),
                           ("lite0_s8_dw", "lite0_s8"), ("lite0_twolevel_dw", "lite0_twolevel"))
)

#: pysot ``experiments/siamrpn_alex_dwxcorr/config.yaml`` as released (``model.pth`` of that folder): AlexNet legacy
#: backbone, DepthwiseRPN (k 5, in = hidden = 256), no neck; 287 search (21x21 map, BASE_SIZE 0), 0.16 / 0.40 / 0.30.
PYSOT_ALEX_DW = TrackConfig(
    name="pysot_alex_dwxcorr", model=ModelConfig(head="dw"), instance_size=287, penalty_k=0.16,
    window_influence=0.40, lr=0.30,
    source="STVIR/pysot experiments/siamrpn_alex_dwxcorr/config.yaml (BACKBONE alexnetlegacy, RPN DepthwiseRPN, "
           "TRACK PENALTY_K 0.16, WINDOW_INFLUENCE 0.40, LR 0.30, INSTANCE_SIZE 287, BASE_SIZE 0)",
)

#: pysot ``experiments/siamrpn_mobilev2_l234_dwxcorr/config.yaml``: MobileNetV2 x1.4 layers 3/5/7, AdjustAllLayer
#: [44, 134, 448] -> 256, MultiRPN unweighted; 255 search (25x25 map, BASE_SIZE 8), 0.04 / 0.4 / 0.5.
PYSOT_MOBILEV2_DW = TrackConfig(
    name="pysot_mobilev2_l234_dwxcorr", model=ModelConfig(backbone="mobilenetv2_l234", head="dw"),
    instance_size=255, penalty_k=0.04, window_influence=0.4, lr=0.5,
    source="STVIR/pysot experiments/siamrpn_mobilev2_l234_dwxcorr/config.yaml (mobilenetv2 width_mult 1.4 "
           "used_layers [3, 5, 7], AdjustAllLayer, MultiRPN weighted False; TRACK PENALTY_K 0.04, "
           "WINDOW_INFLUENCE 0.4, LR 0.5, INSTANCE_SIZE 255, BASE_SIZE 8)",
)

#: pysot ``experiments/siamrpn_r50_l234_dwxcorr/config.yaml``: atrous ResNet-50 layers 2/3/4, AdjustAllLayer
#: [512, 1024, 2048] -> 256, MultiRPN weighted; 255 search (25x25 map, BASE_SIZE 8), 0.05 / 0.42 / 0.38.
PYSOT_R50_DW = TrackConfig(
    name="pysot_r50_l234_dwxcorr", model=ModelConfig(backbone="resnet50_l234", head="dw", weighted_levels=True),
    instance_size=255, penalty_k=0.05, window_influence=0.42, lr=0.38,
    source="STVIR/pysot experiments/siamrpn_r50_l234_dwxcorr/config.yaml (resnet_atrous.resnet50 LAYERS [2, 3, 4], "
           "AdjustAllLayer, MultiRPN WEIGHTED True; TRACK PENALTY_K 0.05, WINDOW_INFLUENCE 0.42, LR 0.38, "
           "INSTANCE_SIZE 255, BASE_SIZE 8)",
)

PRESETS: dict[str, TrackConfig] = {p.name: p for p in (PAPER, DASIAM_VOT, DASIAM_OTB, DASIAM_BIG, PYSOT_UPCHANNEL_ALEX,
                                                       LITE0, PYSOT_ALEX_DW, PYSOT_MOBILEV2_DW, PYSOT_R50_DW, *LITE0_DW)}


def preset_names() -> list[str]:
    """Names accepted by :func:`get_preset`."""
    return list(PRESETS)


def get_preset(preset: str | TrackConfig, **overrides) -> TrackConfig:
    """Resolve a preset name (or pass a :class:`TrackConfig` through), optionally replacing fields."""
    if isinstance(preset, TrackConfig):
        cfg = preset
    else:
        try:
            cfg = PRESETS[preset]
        except KeyError:
            raise ValueError(f"unknown preset {preset!r}; choose one of {', '.join(PRESETS)}") from None
    return replace(cfg, **overrides) if overrides else cfg


def preset_from_dict(d: dict) -> TrackConfig:
    """Rebuild a :class:`TrackConfig` from ``dataclasses.asdict`` output (as stored in our checkpoints)."""
    d = dict(d)
    model = ModelConfig(**d.pop("model", {}))
    for key in ("ratios", "scales"):
        if key in d:
            d[key] = tuple(d[key])
    known = {f.name for f in TrackConfig.__dataclass_fields__.values()}
    unknown = set(d) - known
    if unknown:
        raise ValueError(f"preset dict has unknown fields: {', '.join(sorted(unknown))}")
    return TrackConfig(model=model, **d)
