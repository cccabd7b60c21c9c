"""Exports a trained network as Darknet `.cfg` + `.weights` + labels, and the retrained layers
alone as a `.delta` file: the full weights are the COCO YOLOv3-tiny weights file's first
`prefix` bytes (header + frozen layers, unchanged) followed by the delta, byte for byte, so
`scripts/fetch-model grocery-yolov3-tiny` can rebuild them from the fetched base with `head` and `cat`.

    python3 scripts/train/export.py --check MODEL_DIR IMAGE...   # OpenCV loads it and agrees with PyTorch
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
import data  # noqa: E402
import predict  # noqa: E402
import yolo  # noqa: E402

NAME = "grocery-yolov3-tiny"


# OpenCV's Darknet YOLO layer zeroes class scores (class probability x objectness) not above the
# [yolo] sections' `thresh` (0.2 when absent); the exported cfg states it.
CLASS_FLOOR = 0.2


def cfg_blocks(base_cfg: str, classes: int, size: int, floor: float = CLASS_FLOOR) -> list[dict]:
    """The base cfg with `classes` classes, input size `size` and the class-score floor."""
    blocks = yolo.with_classes(yolo.parse_cfg(base_cfg), classes)
    blocks[0]["width"] = blocks[0]["height"] = str(size)
    for b in blocks:
        if b["type"] == "yolo":
            b["thresh"] = f"{floor:g}"
    return blocks


def write(model, header: bytes, classes: list[str], base_cfg: str, out: str, freeze: int, size: int = data.INPUT) -> dict:
    """The run's export: cfg, labels, full weights and, when the layers below `freeze` are the base
    file's bytes, the rest as a delta."""
    cfg = os.path.join(out, NAME + ".cfg")
    yolo.write_cfg(cfg_blocks(base_cfg, len(classes), size), cfg)
    with open(os.path.join(out, "grocery.names"), "w") as f:
        f.write("\n".join(classes) + "\n")
    frozen = [i for i in model.conv_indices() if i < freeze]
    retrained = [i for i in model.conv_indices() if i >= freeze]
    prefix = header + model.darknet_bytes(frozen)
    delta = model.darknet_bytes(retrained)
    with open(os.path.join(out, NAME + ".weights"), "wb") as f:
        f.write(prefix + delta)
    base = open(os.path.join(os.path.dirname(base_cfg), "yolov3-tiny.weights"), "rb").read()
    info = {"prefix_bytes": len(prefix), "delta_layers": retrained, "size": size}
    if base[:len(prefix)] == prefix:
        with open(os.path.join(out, NAME + ".delta"), "wb") as f:
            f.write(delta)
        info["delta_sha256"] = hashlib.sha256(delta).hexdigest()
    else:
        print("export: the frozen layers differ from the base weights; no delta written (commit the full weights)")
    json.dump(info, open(os.path.join(out, "export.json"), "w"), indent=1)
    return info


LICENCE = (
    "Weights trained by the Sightline project (scripts/train/) from the Darknet YOLOv3-tiny COCO weights "
    "(YOLO licence v2), on: the 'Smart Refrigerator' data set by Northumbria University Newcastle, via Roboflow "
    "Universe (CC BY 4.0); the EpicureAi data set by Roboflow user 'wagon' (CC BY 4.0); the Grocery data set, "
    "Microsoft CNTK examples (CNTK: MIT; the copy used states no licence of its own); Microsoft FridgeObjects via "
    "airctic/icevision (data set MIT, repository Apache-2.0); negatives: photos of Debian's opencv-doc (Apache-2.0) "
    "and darknet (GPL-3.0+ or MIT or WTFPL) packages. Labels: Models/grocery-taxonomy.json"
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


def manifest(folder: str, size: int, classes: int, backbone: str, score: float = 0.25, name: str = NAME) -> str:
    """The manifest of a model folder holding NAME.cfg, NAME.weights and grocery.names."""
    def entry(f):
        p = os.path.join(folder, f)
        return {"path": f, "sha256": sha(p), "bytes": os.path.getsize(p)}

    m = {
        "name": name,
        "description": f"YOLOv3-tiny retrained by the project for groceries in a fridge: {classes} classes (the 30 Smart "
                       f"Refrigerator classes first, fridge_interior last), {size}x{size}, {backbone}, trained on real photos "
                       "and scenes synthesized from them",
        "licence": LICENCE,
        "source": SOURCE,
        "fetch": f"scripts/fetch-model {NAME}",
        "runtime": "opencv-darknet",
        "files": {"config": entry(NAME + ".cfg"), "weights": entry(NAME + ".weights"), "labels": entry("grocery.names")},
        "input": {"width": size, "height": size, "fit": "letterbox", "channelOrder": "rgb", "interpolation": "bilinear",
                  "mean": [0, 0, 0], "std": [1, 1, 1], "padValue": 128},
        "output": {"decoding": "darknet-region"},
        "thresholds": {"score": score, "nms": 0.45},
    }
    return format_manifest(m) + "\n"


def model_folder(run: str, size: int, info: dict, name: str = NAME, floor: float = CLASS_FLOOR, score: float = 0.25) -> str:
    """`run`/models/`name`/: the run's export as a model Sightline loads (`--models-dir run/models
    --model name`), at input `size` (the network is fully convolutional: the trained weights run at
    any multiple of 32), beside a copy of the taxonomy. Returns the folder."""
    models = os.path.join(run, "models")
    folder = os.path.join(models, name)
    os.makedirs(folder, exist_ok=True)
    shutil.copyfile(data.TAXONOMY, os.path.join(models, "grocery-taxonomy.json"))
    for f in (NAME + ".weights", "grocery.names"):
        dst = os.path.join(folder, f)
        if os.path.exists(dst):
            os.remove(dst)
        try:
            os.link(os.path.join(run, f), dst)  # the same bytes for every size: no copy
        except OSError:
            shutil.copyfile(os.path.join(run, f), dst)
    classes = len(open(os.path.join(run, "grocery.names")).read().split())
    blocks = cfg_blocks(os.path.join(os.path.dirname(data.TAXONOMY), "yolov3-tiny", "yolov3-tiny.cfg"), classes, size, floor)
    yolo.write_cfg(blocks, os.path.join(folder, NAME + ".cfg"))
    backbone = "COCO backbone (conv 0-12) kept" if info["prefix_bytes"] > 20 else "whole network fine-tuned from COCO"
    open(os.path.join(folder, "manifest.json"), "w").write(manifest(folder, size, classes, backbone, score, name))
    return folder


def class_floor(cfg: str) -> float:
    """The class-score floor OpenCV's YOLO layer applies: the first `[yolo]` block's `thresh`."""
    return float(next((b.get("thresh", CLASS_FLOOR) for b in yolo.parse_cfg(cfg) if b["type"] == "yolo"), CLASS_FLOOR))


def check(model_dir: str, images: list[str], tol: float = 1e-3, name: str = NAME) -> float:
    """Loads the export with OpenCV DNN and PyTorch, runs both on each image (Sightline's input),
    and returns the largest difference in any output value (boxes in input-relative units)."""
    import cv2
    import torch

    cfg = os.path.join(model_dir, name + ".cfg")
    weights = os.path.join(model_dir, name + ".weights")
    net = cv2.dnn.readNetFromDarknet(cfg, weights)
    model, _ = yolo.build(cfg, weights)
    model.eval()
    worst = 0.0
    size = int(yolo.parse_cfg(cfg)[0]["width"])
    floor = class_floor(cfg)
    for path in images:
        lb, _ = data.letterbox(data.load_rgb(path), size)
        x = data.to_tensor_array(lb)[None]
        net.setInput(x)
        cv_rows = net.forward(net.getUnconnectedOutLayersNames())
        with torch.no_grad():
            outs = model(torch.from_numpy(x))
        for o, l, c in zip(outs, model.yolo_layers(), cv_rows):
            t = yolo.decode(o, l, size)[0]  # (A*H*W) rows, anchor-major
            b, a, h, w, n = o.shape
            t = t.view(a, h, w, n).permute(1, 2, 0, 3).reshape(-1, n).numpy()  # OpenCV: cell-major
            t[:, :4] /= size
            cls = t[:, 5:]
            cls[cls <= floor] = 0  # as OpenCV's YOLO layer does
            worst = max(worst, float(np.abs(t - c).max()))
    print(f"export: OpenCV {cv2.__version__} loads {weights}; largest difference from PyTorch over {len(images)} images: {worst:.2e}")
    if worst > tol:
        raise SystemExit(f"export: OpenCV and PyTorch disagree by {worst} (> {tol})")
    return worst


if __name__ == "__main__":
    ap = argparse.ArgumentParser()
    ap.add_argument("--check", required=True, metavar="MODEL_DIR")
    ap.add_argument("images", nargs="+")
    a = ap.parse_args()
    check(a.check, a.images)
