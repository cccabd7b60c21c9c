"""Running a detector over labelled photos the way Sightline does (letterbox 416, pad 128, RGB,
/255; rows of cx, cy, w, h, objectness, class scores * objectness; class-wise NMS; boxes mapped
back through the letterbox) and scoring it with metrics.evaluate."""
from __future__ import annotations

import numpy as np

import data
import metrics


def postprocess(rows: np.ndarray, geom, src_w: int, src_h: int, score: float, iou: float, class_map=None) -> np.ndarray:
    """rows (N, 5+C) in input pixels -> (K, 6) class, score, x0, y0, x1, y1 in source pixels.
    Every class scoring >= `score` in a row is a candidate (as OpenCV's Darknet output is read);
    `class_map` (model class -> evaluated class or -1) keeps only the mapped classes."""
    x, y, cw, ch = geom
    cls = rows[:, 5:]
    r, c = np.nonzero(cls >= score)
    if class_map is not None:
        mapped = class_map[c]
        keep = mapped >= 0
        r, c, out_c = r[keep], c[keep], mapped[keep]
    else:
        out_c = c
    s = cls[r, c]
    b = rows[r, :4]
    sx, sy = cw / src_w, ch / src_h
    boxes = np.stack([(b[:, 0] - b[:, 2] / 2 - x) / sx, (b[:, 1] - b[:, 3] / 2 - y) / sy,
                      (b[:, 0] + b[:, 2] / 2 - x) / sx, (b[:, 1] + b[:, 3] / 2 - y) / sy], 1)
    boxes = np.clip(boxes, 0, [src_w, src_h, src_w, src_h])
    out = []
    for k in np.unique(out_c):
        idx = np.nonzero(out_c == k)[0]
        for j in metrics.nms(boxes[idx], s[idx], iou):
            i = idx[j]
            out.append([k, s[i], *boxes[i]])
    out = np.array(out, np.float32).reshape(-1, 6)
    return out[np.argsort(-out[:, 1], kind="stable")][:300]


def score_samples(samples, forward, classes: list[str], score: float = 0.005, iou: float = 0.45, class_map=None, cache=None,
                  size: int = data.INPUT) -> dict:
    """`forward(chw float32 array) -> rows (N, 5+C)` in input pixels. Ground truth is in the
    evaluated class space (the taxonomy)."""
    dets, gts = [], []
    for s in samples:
        if cache is not None and s.path not in cache:
            cache[s.path] = data.load_rgb(s.path)
        img = cache[s.path] if cache is not None else data.load_rgb(s.path)
        h, w = img.shape[:2]
        lb, geom = data.letterbox(img, size)
        rows = forward(data.to_tensor_array(lb))
        dets.append(postprocess(rows, geom, w, h, score, iou, class_map))
        g = s.boxes.copy()
        g[:, 1:] *= [w, h, w, h]
        gts.append(g)
    return metrics.evaluate(dets, gts, classes)


def opencv_forward(cfg: str, weights: str):
    import cv2

    net = cv2.dnn.readNetFromDarknet(cfg, weights)
    names = net.getUnconnectedOutLayersNames()

    def forward(chw: np.ndarray) -> np.ndarray:
        net.setInput(chw[None])
        rows = np.concatenate(net.forward(names), 0)
        rows[:, :4] *= chw.shape[-1]  # OpenCV gives coordinates relative to the (square) input size
        return rows

    return forward


# OpenCV's Darknet YOLO layer (and so Sightline) zeroes every class score (class probability x
# objectness) not above 0.2: lower-scored detections never reach Sightline's decoder.
OPENCV_CLASS_FLOOR = 0.2


def torch_forward(model, floor: float = OPENCV_CLASS_FLOOR, size: int = data.INPUT):
    import torch

    import yolo

    def forward(chw: np.ndarray) -> np.ndarray:
        with torch.no_grad():
            outs = model(torch.from_numpy(chw[None]))
        rows = torch.cat([yolo.decode(o, l, size) for o, l in zip(outs, model.yolo_layers())], 1)[0].numpy()
        cls = rows[:, 5:]
        cls[cls <= floor] = 0
        return rows

    return forward


def format_report(title: str, r: dict) -> str:
    lines = [f"{title}: mAP@0.5 {r['map50']:.3f}  mAP@0.5:0.95 {r['map']:.3f}  ({len(r['classes'])} classes with ground truth)",
             f"  {'class':<14}{'gt':>5}{'AP50':>8}{'AP':>8}{'P@.25':>8}{'R@.25':>8}"]
    for c, v in r["classes"].items():
        lines.append(f"  {c:<14}{v['gt']:>5}{v['ap50']:>8.3f}{v['ap']:>8.3f}{v['precision']:>8.3f}{v['recall']:>8.3f}")
    return "\n".join(lines)
