"""Presets carry the published values of spec §2.1 (typed here from the spec table)."""
import dataclasses

import pytest

from tracker.presets import PRESETS, ModelConfig, TrackConfig, get_preset, preset_from_dict

SPEC = {  # name: (instance, penalty_k, window_influence, lr, width, feature_out)
    "dasiam_big": (271, 0.055, 0.42, 0.295, 2, 512),
    "dasiam_vot": (271, 0.04, 0.44, 0.45, 1, 256),
    "dasiam_otb": (271, 0.22, 0.40, 0.30, 1, 256),
    "pysot_upchannel_alex": (287, 0.16, 0.40, 0.30, 1, 256),
    "paper": (255, 0.04, 0.44, 0.4, 1, 256),
}


@pytest.mark.parametrize("name", list(SPEC))
def test_preset_values(name):
    p = get_preset(name)
    assert (p.instance_size, p.penalty_k, p.window_influence, p.lr, p.model.width, p.model.feature_out) == SPEC[name]
    assert p.exemplar_size == 127 and p.context_amount == 0.5 and p.ratios == (0.33, 0.5, 1, 2, 3)
    assert p.source
    assert preset_from_dict(dataclasses.asdict(p)) == p


def test_special_fields():
    assert get_preset("paper").center_size == 7
    assert all(PRESETS[n].center_size is None for n in SPEC if n != "paper")
    big = get_preset("dasiam_big")
    assert big.adaptive and big.adaptive_instance_size == 287 and big.adaptive_area_ratio == 0.004
    assert [get_preset("paper").score_size(s) for s in (255, 271, 287)] == [17, 19, 21]


def test_validation():
    with pytest.raises(ValueError, match="stride"):
        TrackConfig(name="x", instance_size=250)
    with pytest.raises(ValueError, match="anchor_num"):
        TrackConfig(name="x", ratios=(1.0,))
    with pytest.raises(ValueError, match="width"):
        ModelConfig(width=3)
    with pytest.raises(ValueError, match="odd"):
        TrackConfig(name="x", center_size=6)
    assert get_preset("paper", lr=0.1).lr == 0.1
    with pytest.raises(dataclasses.FrozenInstanceError):
        get_preset("paper").lr = 0.2
