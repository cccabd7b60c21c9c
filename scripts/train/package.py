"""Installs a training run's export as Models/grocery-yolov3-tiny/: cfg, labels, the retrained
layers (.delta: every layer after the COCO weights file's first bytes that training left
unchanged), the manifest (sha256 and size of every file), and the delta's hash and prefix length
in scripts/fetch-model, which rebuilds the full weights from the COCO model's. The manifest's
ONNX entries are kept for scripts/fetch-model to re-pin (Models/README.md).

    .venv-train/bin/python scripts/train/package.py --data DIR --validation     # writes validation.txt only
    .venv-train/bin/python scripts/train/package.py --data DIR RUN_OUT_DIR [--score S] [--floor F]
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import sys

sys.path.insert(0, os.path.dirname(__file__))
import data  # noqa: E402
import export  # noqa: E402
import yolo  # noqa: E402

DEST = os.path.join(data.REPO, "Models", export.NAME)
FETCH = os.path.join(data.REPO, "scripts", "fetch-model")

def write_validation(data_dir: str) -> int:
    """validation.txt: the shipped model's held-out photos (data.split), which train.py --holdout
    and `sightline eval --only` take."""
    _, val = data.split(data.all_samples(data_dir))
    os.makedirs(DEST, exist_ok=True)
    with open(os.path.join(DEST, "validation.txt"), "w") as f:
        f.write("# The grocery detector's validation photos (never trained on), one file name a line: every 5th\n"
                "# EpicureAi scene group (scripts/train/data.py, split). Every fridge photo trains the model (its\n"
                "# fridge class needs them all); its fridge figures come from the leave-one-group-out folds\n"
                "# (scripts/train/folds.py, TRAINING.md).\n")
        for s in sorted(val, key=lambda s: s.name):
            f.write(s.name + "\n")
    return len(val)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--validation", action="store_true", help="write validation.txt and stop")
    ap.add_argument("--score", type=float, default=0.25, help="the manifest's score threshold")
    ap.add_argument("--floor", type=float, default=export.CLASS_FLOOR, help="the cfg's class-score floor (OpenCV's thresh)")
    ap.add_argument("run", nargs="?")
    a = ap.parse_args()
    n_val = write_validation(a.data)
    if a.validation:
        print(f"package: {DEST}/validation.txt written ({n_val} photos)")
        return
    if not a.run:
        raise SystemExit("package: name the run folder")
    info = json.load(open(os.path.join(a.run, "export.json")))
    if "delta_sha256" not in info:
        raise SystemExit("package: the run has no delta (its header differs from the base weights')")
    n = export.NAME
    for f in (n + ".weights", n + ".delta", "grocery.names"):
        shutil.copyfile(os.path.join(a.run, f), os.path.join(DEST, f))
    classes = len(open(os.path.join(DEST, "grocery.names")).read().split())
    base_cfg = os.path.join(data.REPO, "Models", "yolov3-tiny", "yolov3-tiny.cfg")
    yolo.write_cfg(export.cfg_blocks(base_cfg, classes, info["size"], a.floor), os.path.join(DEST, n + ".cfg"))
    backbone = "COCO backbone (conv 0-12) kept" if info["prefix_bytes"] > 20 else "whole network fine-tuned from COCO"
    m = json.loads(export.manifest(DEST, info["size"], classes, backbone, a.score))
    # The ONNX files generated from the Darknet ones keep their entries; their pins are stale now
    # (scripts/fetch-model refuses them and prints the new sha256 and size to write here).
    old = os.path.join(DEST, "manifest.json")
    if os.path.exists(old):
        for role, f in json.load(open(old))["files"].items():
            if role in ("onnx", "onnxInt8"):
                m["files"][role] = f
    open(old, "w").write(export.format_manifest(m) + "\n")

    s = open(FETCH).read()
    s = re.sub(r"delta_sha=\S+", f"delta_sha={info['delta_sha256']}", s)
    s = re.sub(r"prefix=\S+", f"prefix={info['prefix_bytes']}", s)
    open(FETCH, "w").write(s)
    print(f"package: {DEST} written ({n_val} validation photos); fetch-model expects delta {info['delta_sha256'][:12]}…")


if __name__ == "__main__":
    main()
