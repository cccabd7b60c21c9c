"""Installs a training run's export as Models/grocery-yolov3-tiny/: cfg, labels, the retrained
layers (.delta), the manifest (sha256 and size of every file), validation.txt (the held-out
photos, by scene), and the delta's hash and prefix length in scripts/fetch-model, which rebuilds
the full weights from the COCO model's.

    .venv-train/bin/python scripts/train/package.py --data DIR RUN_OUT_DIR
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import shutil
import sys

sys.path.insert(0, os.path.dirname(__file__))
import data  # noqa: E402
import export  # noqa: E402

DEST = os.path.join(data.REPO, "Models", export.NAME)
FETCH = os.path.join(data.REPO, "scripts", "fetch-model")

LICENCE = (
    "Weights trained by the Sightline project (scripts/train/) from the Darknet YOLOv3-tiny COCO weights "
    "(YOLO licence v2), on: the 'Smart Refrigerator' data set by Northumbria University Newcastle, via Roboflow "
    "Universe (CC BY 4.0); the EpicureAi data set by Roboflow user 'wagon' (CC BY 4.0); the Grocery data set, "
    "Microsoft CNTK examples (CNTK: MIT; the copy used states no licence of its own); Microsoft FridgeObjects via "
    "airctic/icevision (data set MIT, repository Apache-2.0). Labels: Models/grocery-taxonomy.json"
)
SOURCE = (
    "Trained by scripts/train/train.py (run logged in Models/grocery-yolov3-tiny/TRAINING.md) on: Smart Refrigerator v2 "
    "(universe.roboflow.com/northumbria-university-newcastle/smart-refrigerator-zryjr; sample from "
    "github.com/jc3482/ml-app-deployment-proj), EpicureAi v8 (universe.roboflow.com/wagon/epicureai; from "
    "github.com/monsieurgoodmood/EpicureAi), CNTK Grocery (github.com/Azure/ObjectDetectionUsingCntk, data/grocery), "
    "FridgeObjects (github.com/airctic/icevision, samples/fridge). The weights file is rebuilt from the yolov3-tiny "
    "weights and the committed retrained layers (grocery-yolov3-tiny.delta)"
)


def sha(path: str) -> str:
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def format_manifest(m: dict) -> str:
    """The layout of the other manifests: one line per file, input on two lines."""
    one = lambda v: json.dumps(v, separators=(", ", ": "))
    inner = lambda v: one(v)[1:-1]
    i = dict(m["input"])
    first = {k: i.pop(k) for k in ("width", "height", "fit", "channelOrder", "interpolation")}
    lines = ["{"] + [f'  "{k}": {json.dumps(m[k])},' for k in ("name", "description", "licence", "source", "fetch", "runtime")]
    lines.append('  "files": {')
    files = list(m["files"].items())
    for n, (role, f) in enumerate(files):
        lines.append(f'    "{role}": {{ {inner(f)} }}' + ("," if n < len(files) - 1 else ""))
    lines += ["  },", '  "input": {', f"    {inner(first)},", f"    {inner(i)}", "  },",
              f'  "output": {{ {inner(m["output"])} }},', f'  "thresholds": {{ {inner(m["thresholds"])} }}', "}"]
    text = "\n".join(lines)
    assert json.loads(text) == m
    return text


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("run")
    a = ap.parse_args()
    info = json.load(open(os.path.join(a.run, "export.json")))
    if "delta_sha256" not in info:
        raise SystemExit("package: the run has no delta (its frozen layers differ from the base)")
    os.makedirs(DEST, exist_ok=True)
    n = export.NAME
    for f in (n + ".cfg", n + ".weights", n + ".delta", "grocery.names"):
        shutil.copyfile(os.path.join(a.run, f), os.path.join(DEST, f))

    _, val = data.split(data.all_samples(a.data))
    with open(os.path.join(DEST, "validation.txt"), "w") as f:
        f.write("# The grocery detector's validation photos (never trained on), one file name a line, held out\n"
                "# by scene (scripts/train/data.py): Smart Refrigerator scene DSC_5683, the CNTK test_* fridge\n"
                "# arrangements, and every 5th EpicureAi scene group. Names are unique across the data folders.\n")
        for source in ("smart_refrigerator", "cntk_grocery", "epicureai"):
            f.write(f"# {source}\n")
            for s in sorted((s for s in val if s.source == source), key=lambda s: s.name):
                f.write(s.name + "\n")

    def entry(f):
        p = os.path.join(DEST, f)
        return {"path": f, "sha256": sha(p), "bytes": os.path.getsize(p)}

    manifest = {
        "name": n,
        "description": "YOLOv3-tiny retrained by the project for groceries in a fridge: 47 classes (the 30 Smart Refrigerator "
                       "classes first), 416x416, COCO backbone (conv 0-12) kept, neck and heads retrained on real photos",
        "licence": LICENCE,
        "source": SOURCE,
        "fetch": f"scripts/fetch-model {n}",
        "runtime": "opencv-darknet",
        "files": {"config": entry(n + ".cfg"), "weights": entry(n + ".weights"), "labels": entry("grocery.names")},
        "input": {"width": 416, "height": 416, "fit": "letterbox", "channelOrder": "rgb", "interpolation": "bilinear",
                  "mean": [0, 0, 0], "std": [1, 1, 1], "padValue": 128},
        "output": {"decoding": "darknet-region"},
        "thresholds": {"score": 0.25, "nms": 0.45},
    }
    text = format_manifest(manifest)
    open(os.path.join(DEST, "manifest.json"), "w").write(text + "\n")

    s = open(FETCH).read()
    s = re.sub(r"delta_sha=\S+", f"delta_sha={info['delta_sha256']}", s)
    s = re.sub(r"prefix=\S+", f"prefix={info['prefix_bytes']}", s)
    open(FETCH, "w").write(s)
    print(f"package: {DEST} written ({len(val)} validation photos); fetch-model expects delta {info['delta_sha256'][:12]}…")


if __name__ == "__main__":
    main()
