"""``siamrpn train-data [--config FILE] [--sheet PNG] [--count N] [--json]``: what the photographic training data
of a reuse-trainer config is made of (cut-outs and backgrounds the generator draws over the run, per Debian
package with its licence) and a contact sheet of generated template | search-canvas pairs with their boxes."""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from PIL import Image

from analysis.core.atomic import atomic_target
from integration.cli.output import jsonable
from tracker.training.config import load_config
from tracker.training.photos import MissingPackageError, build_photo_index
from tracker.training.scenes import SceneGenerator, contact_sheet


def configure(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--config", default="configs/train_lite0_dw.toml", help="a trainer = \"reuse\" config")
    parser.add_argument("--sheet", default=None, help="write a contact sheet PNG of generated pairs here")
    parser.add_argument("--count", type=int, default=16, help="pairs on the contact sheet")
    parser.add_argument("--json", action="store_true", help="print JSON instead of a table")


def run(args: argparse.Namespace) -> int:
    import cv2  # lazy: OpenCV is only needed for the sheet and the scan

    cfg = load_config(args.config)
    try:
        photos = build_photo_index(Path(cfg.reuse.photo_cache))
    except MissingPackageError as exc:
        print(f"siamrpn train-data: {exc}")
        return 2
    gen = SceneGenerator(photos, cfg.scenes, cfg.seed)
    n = cfg.steps * cfg.reuse.scenes_per_step
    drawn = [gen.drawn(i) for i in range(n)]
    used_t = {t for t, _ in drawn}
    used_b = {b for _, b in drawn}
    per_pkg: dict[str, dict] = {}
    for kind, used, rows in (("targets", used_t, photos.targets), ("backgrounds", used_b, photos.backgrounds)):
        for i in used:
            pkg = rows[i][1]
            per_pkg.setdefault(pkg, {"targets": 0, "backgrounds": 0})[kind] += 1
    licences = photos.licences()
    summary = {"config": args.config, "scenes": n, "targets_available": len(photos.targets),
               "backgrounds_available": len(photos.backgrounds), "targets_drawn": len(used_t),
               "backgrounds_drawn": len(used_b),
               "packages": {k: {**v, "licence": licences.get(k, {}).get("licence", "?")} for k, v in per_pkg.items()}}
    if args.sheet:
        sheet = contact_sheet(gen, list(range(args.count)))
        small = Image.fromarray(cv2.cvtColor(sheet, cv2.COLOR_BGR2RGB)).quantize(256)  # a small file for docs/
        with atomic_target(Path(args.sheet), suffix=".png") as tmp:
            small.save(tmp, optimize=True)
        summary["sheet"] = args.sheet
    if args.json:
        print(json.dumps(jsonable(summary), indent=1))
        return 0
    print(f"{n} scenes of {args.config}: {len(used_t)} of {len(photos.targets)} target cut-outs and "
          f"{len(used_b)} of {len(photos.backgrounds)} background photographs drawn")
    for pkg, row in sorted(summary["packages"].items()):
        print(f"  {pkg:32s} targets {row['targets']:4d}  backgrounds {row['backgrounds']:4d}  {row['licence']}")
    if args.sheet:
        print(f"contact sheet: {args.sheet}")
    return 0
