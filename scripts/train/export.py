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
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
import data  # noqa: E402
import predict  # noqa: E402
import yolo  # noqa: E402

NAME = "grocery-yolov3-tiny"


def write(model, header: bytes, classes: list[str], base_cfg: str, out: str, freeze: int) -> dict:
    blocks = yolo.with_classes(yolo.parse_cfg(base_cfg), len(classes))
    cfg = os.path.join(out, NAME + ".cfg")
    yolo.write_cfg(blocks, cfg)
    with open(os.path.join(out, "grocery.names"), "w") as f:
        f.write("\n".join(classes) + "\n")
    frozen = [i for i in model.conv_indices() if i < freeze]
    retrained = [i for i in model.conv_indices() if i >= freeze]
    prefix = header + model.darknet_bytes(frozen)
    delta = model.darknet_bytes(retrained)
    with open(os.path.join(out, NAME + ".weights"), "wb") as f:
        f.write(prefix + delta)
    base = open(os.path.join(os.path.dirname(base_cfg), "yolov3-tiny.weights"), "rb").read()
    info = {"prefix_bytes": len(prefix), "delta_layers": retrained}
    if base[:len(prefix)] == prefix:
        with open(os.path.join(out, NAME + ".delta"), "wb") as f:
            f.write(delta)
        info["delta_sha256"] = hashlib.sha256(delta).hexdigest()
    else:
        print("export: the frozen layers differ from the base weights; no delta written (commit the full weights)")
    json.dump(info, open(os.path.join(out, "export.json"), "w"), indent=1)
    return info


def check(model_dir: str, images: list[str], tol: float = 1e-3) -> float:
    """Loads the export with OpenCV DNN and PyTorch, runs both on each image (Sightline's input),
    and returns the largest difference in any output value (boxes in input-relative units)."""
    import cv2
    import torch

    cfg = os.path.join(model_dir, NAME + ".cfg")
    weights = os.path.join(model_dir, NAME + ".weights")
    net = cv2.dnn.readNetFromDarknet(cfg, weights)
    model, _ = yolo.build(cfg, weights)
    model.eval()
    worst = 0.0
    for path in images:
        lb, _ = data.letterbox(data.load_rgb(path))
        x = data.to_tensor_array(lb)[None]
        net.setInput(x)
        cv_rows = net.forward(net.getUnconnectedOutLayersNames())
        with torch.no_grad():
            outs = model(torch.from_numpy(x))
        for o, l, c in zip(outs, model.yolo_layers(), cv_rows):
            t = yolo.decode(o, l, data.INPUT)[0]  # (A*H*W) rows, anchor-major
            b, a, h, w, n = o.shape
            t = t.view(a, h, w, n).permute(1, 2, 0, 3).reshape(-1, n).numpy()  # OpenCV: cell-major
            t[:, :4] /= data.INPUT
            cls = t[:, 5:]
            cls[cls <= predict.OPENCV_CLASS_FLOOR] = 0  # as OpenCV's YOLO layer does
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
