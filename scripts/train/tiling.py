"""Does tiling win? Each fold model of a folds.py run, through OpenCV DNN with Sightline's input
convention, on the fridge photos that fold held out: the whole photo at --size, against the
whole photo plus a 2x2 grid of overlapping tiles (each 60% of the photo's width and height),
every tile letterboxed to --size, detections mapped back and merged by class-wise NMS. Prints
pooled mAP@0.5 (classes with a training example in the fold) and the number of forward passes.

    .venv-train/bin/python scripts/train/tiling.py RUN_NAME [--size 416]
"""
from __future__ import annotations

import argparse
import json
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
import data  # noqa: E402
import export  # noqa: E402
import folds  # noqa: E402
import metrics  # noqa: E402
import predict  # noqa: E402

TILE = 0.6


def detect(img, forward, size, score=0.05, iou=0.45):
    h, w = img.shape[:2]
    lb, geom = data.letterbox(img, size)
    return predict.postprocess(forward(data.to_tensor_array(lb)), geom, w, h, score, iou)


def tiled(img, forward, size, score=0.05, iou=0.45):
    h, w = img.shape[:2]
    tw, th = int(w * TILE), int(h * TILE)
    parts = [detect(img, forward, size, score, iou)]
    for ox in (0, w - tw):
        for oy in (0, h - th):
            d = detect(img[oy:oy + th, ox:ox + tw], forward, size, score, iou)
            d[:, [2, 4]] += ox
            d[:, [3, 5]] += oy
            parts.append(d)
    d = np.concatenate(parts, 0)
    out = []
    for c in np.unique(d[:, 0]):
        k = d[d[:, 0] == c]
        out += [k[j] for j in metrics.nms(k[:, 2:6], k[:, 1], iou)]
    return np.array(out, np.float32).reshape(-1, 6)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("run")
    ap.add_argument("--size", type=int, default=416)
    ap.add_argument("--data", default=os.path.join(data.REPO, "..", "shared", "data", "fridge"))
    a = ap.parse_args()
    classes, _ = data.taxonomy()
    samples, groups = folds.fold_samples(a.data)
    res = {"whole": ([], []), "tiled": ([], [])}
    for fold in data.FOLDS:
        run = os.path.join(folds.RUNS, a.run, fold)
        if not os.path.exists(os.path.join(run, "export.json")):
            continue
        folder = export.model_folder(run, a.size, json.load(open(os.path.join(run, "export.json"))), name=f"{export.NAME}-{a.size}")
        forward = predict.opencv_forward(os.path.join(folder, export.NAME + ".cfg"), os.path.join(folder, export.NAME + ".weights"))
        keep = [classes.index(c) for c in folds.trained_classes(a.data, fold)]
        for s in samples:
            if s.source not in data.FRIDGE_SOURCES or not data.held_out_by(s, fold, groups):
                continue
            if s.source == "cntk_grocery" and fold == "F3":
                continue
            img = data.load_rgb(s.path)
            h, w = img.shape[:2]
            g = s.boxes[np.isin(s.boxes[:, 0], keep)].copy()
            g[:, 1:] *= [w, h, w, h]
            for kind, fn in (("whole", detect), ("tiled", tiled)):
                d = fn(img, forward, a.size)
                res[kind][0].append(d[np.isin(d[:, 0], keep)])
                res[kind][1].append(g)
    for kind, passes in (("whole", 1), ("tiled", 5)):
        r = metrics.evaluate(res[kind][0], res[kind][1], classes)
        print(f"{a.run} at {a.size}, {kind} ({passes} forward pass{'es' if passes > 1 else ''} a frame): "
              f"fridge photos held out, pooled mAP@0.5 {r['map50']:.3f} ({len(res[kind][0])} photos)")


if __name__ == "__main__":
    main()
