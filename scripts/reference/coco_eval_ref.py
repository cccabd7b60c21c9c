#!/usr/bin/env python3
"""Independent reference for `sightline eval`: pycocotools' own COCOeval on the same boxes.

Run with the reference virtualenv scripts/setup makes (.build-reference/venv, pycocotools and
numpy pinned there). Reads JSON from the file given:

  {"images": [{"gt": [[label, x, y, w, h], ...], "dt": [[label, score, x, y, w, h], ...]}, ...]}

(boxes in pixels, x y = top-left) and prints, as JSON, each class with ground truth:
{label: [AP at IoU 0.50, 0.55, ..., 0.95]} (area range "all", 100 detections), computed from
COCOeval's accumulated precision array exactly as its summarize() averages it.
"""
import contextlib
import io
import json
import sys

import numpy as np
from pycocotools.coco import COCO
from pycocotools.cocoeval import COCOeval


def main(path):
    spec = json.load(open(path))
    labels = sorted({g[0] for im in spec["images"] for g in im["gt"]} | {d[0] for im in spec["images"] for d in im["dt"]})
    cat = {name: k + 1 for k, name in enumerate(labels)}
    images, anns, dets = [], [], []
    for i, im in enumerate(spec["images"], start=1):
        images.append({"id": i, "width": 10000, "height": 10000})
        for g in im["gt"]:
            anns.append({"id": len(anns) + 1, "image_id": i, "category_id": cat[g[0]], "bbox": g[1:5],
                         "area": g[3] * g[4], "iscrowd": 0})
        for d in im["dt"]:
            dets.append({"image_id": i, "category_id": cat[d[0]], "score": d[1], "bbox": d[2:6]})
    with contextlib.redirect_stdout(io.StringIO()):
        gt = COCO()
        gt.dataset = {"images": images, "annotations": anns,
                      "categories": [{"id": v, "name": k} for k, v in cat.items()]}
        gt.createIndex()
        dt = gt.loadRes(dets)
        ev = COCOeval(gt, dt, "bbox")
        ev.evaluate()
        ev.accumulate()
    precision = ev.eval["precision"]  # [T, R, K, A, M]
    out = {}
    for name, k in cat.items():
        p = precision[:, :, k - 1, 0, 2]
        if np.all(p == -1):
            continue  # no ground truth: COCO leaves the class out
        out[name] = [float(np.mean(p[t])) for t in range(p.shape[0])]
    print(json.dumps(out))


if __name__ == "__main__":
    main(sys.argv[1])
