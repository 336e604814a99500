"""Write a training snapshot as a shippable weights file: fp16, with tracking settings (a preset file written by
``siamrpn tune``) and provenance stored in it, so ``siamrpn track --weights FILE`` needs nothing else.

    .venv/bin/python scripts/ship_weights.py output/train_lite0_dw_hard/snapshots/step_003000.pth \\
        --preset-file configs/preset_lite0_dw_tuned.json --out results/weights/siamrpn_default.pth \\
        --note "stage 2: hard-negative fine-tune of stage 1"
"""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def main(argv: list[str] | None = None) -> int:
    from tracker.network import SiamRPN
    from tracker.preset_file import load_preset_file
    from tracker.weights import load_checkpoint, load_into, save_checkpoint

    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("snapshot", type=Path, help="a tracker.weights checkpoint (e.g. RUN/snapshots/step_N.pth)")
    ap.add_argument("--preset-file", type=Path, default=None, help="tracking settings to store (default: keep)")
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--note", action="append", default=[], help="key=value provenance entries (repeatable)")
    args = ap.parse_args(argv)
    ck = load_checkpoint(args.snapshot)
    model = load_into(SiamRPN(ck.model_config), ck.state_dict)  # the file is read once
    preset = load_preset_file(args.preset_file) if args.preset_file else ck.preset
    prov = dict(ck.provenance, shipped_from=str(args.snapshot))
    if args.preset_file:
        prov["tracking_settings"] = f"from {args.preset_file}"
    for item in args.note:
        key, _, value = item.partition("=")
        prov[key.strip()] = value.strip()
    save_checkpoint(args.out, model, preset, prov, half=True)
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
