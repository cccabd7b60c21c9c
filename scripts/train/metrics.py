"""COCO-style detection metrics: per class, detections sorted by score are matched greedily to
the unmatched ground-truth box of that class with the highest IoU >= t in the same image; AP is
the area under the 101-point interpolated precision/recall curve; mAP averages over the classes
that have ground truth; mAP@0.5:0.95 averages over t = 0.50, 0.55, ..., 0.95."""
from __future__ import annotations

import numpy as np

THRESHOLDS = np.linspace(0.5, 0.95, 10)


def iou_matrix(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """a (N,4), b (M,4) as x0, y0, x1, y1 -> (N, M)."""
    if len(a) == 0 or len(b) == 0:
        return np.zeros((len(a), len(b)), np.float32)
    x0 = np.maximum(a[:, None, 0], b[None, :, 0])
    y0 = np.maximum(a[:, None, 1], b[None, :, 1])
    x1 = np.minimum(a[:, None, 2], b[None, :, 2])
    y1 = np.minimum(a[:, None, 3], b[None, :, 3])
    inter = np.clip(x1 - x0, 0, None) * np.clip(y1 - y0, 0, None)
    area = lambda r: (r[:, 2] - r[:, 0]) * (r[:, 3] - r[:, 1])
    return inter / np.maximum(area(a)[:, None] + area(b)[None, :] - inter, 1e-12)


def nms(boxes: np.ndarray, scores: np.ndarray, iou: float) -> list[int]:
    order = np.argsort(-scores, kind="stable")
    keep = []
    while len(order):
        i = order[0]
        keep.append(int(i))
        if len(order) == 1:
            break
        ious = iou_matrix(boxes[i:i + 1], boxes[order[1:]])[0]
        order = order[1:][ious <= iou]
    return keep


def ap_101(recall: np.ndarray, precision: np.ndarray) -> float:
    if len(recall) == 0:
        return 0.0
    p = np.concatenate(([0.0], precision, [0.0]))
    r = np.concatenate(([0.0], recall, [1.0]))
    for i in range(len(p) - 2, -1, -1):
        p[i] = max(p[i], p[i + 1])
    points = np.linspace(0, 1, 101)
    idx = np.searchsorted(r, points, side="left")
    return float(np.mean([p[i] if i < len(p) else 0.0 for i in idx]))


def evaluate(dets: list[np.ndarray], gts: list[np.ndarray], classes: list[str], score_at: float = 0.25) -> dict:
    """dets[i]: (N, 6) class, score, x0, y0, x1, y1 for image i; gts[i]: (M, 5) class, x0, y0, x1, y1
    (same units). Returns per-class AP@0.5, AP@0.5:0.95, and precision/recall at `score_at`."""
    per_class = {}
    for c in range(len(classes)):
        n_gt = sum(int((g[:, 0] == c).sum()) for g in gts)
        if n_gt == 0:
            continue
        recs = []  # (score, image, box)
        for i, d in enumerate(dets):
            for row in d[d[:, 0] == c]:
                recs.append((row[1], i, row[2:6]))
        recs.sort(key=lambda r: -r[0])
        aps = []
        tp_at_05 = None
        for t in THRESHOLDS:
            used = [np.zeros(int((g[:, 0] == c).sum()), bool) for g in gts]
            tp = np.zeros(len(recs))
            for k, (s, i, box) in enumerate(recs):
                g = gts[i][gts[i][:, 0] == c][:, 1:5]
                if len(g) == 0:
                    continue
                ious = iou_matrix(box[None], g)[0]
                ious[used[i]] = -1
                j = int(np.argmax(ious))
                if ious[j] >= t:
                    used[i][j] = True
                    tp[k] = 1
            ctp = np.cumsum(tp)
            recall = ctp / n_gt
            precision = ctp / np.arange(1, len(recs) + 1) if len(recs) else np.zeros(0)
            aps.append(ap_101(recall, precision))
            if tp_at_05 is None:
                tp_at_05 = tp
        scores = np.array([r[0] for r in recs])
        sel = scores >= score_at
        tp_sel = tp_at_05[sel].sum() if len(recs) else 0
        per_class[classes[c]] = {
            "gt": n_gt,
            "ap50": aps[0],
            "ap": float(np.mean(aps)),
            "precision": float(tp_sel / sel.sum()) if len(recs) and sel.sum() else 0.0,
            "recall": float(tp_sel / n_gt),
        }
    maps = [v["ap50"] for v in per_class.values()]
    return {
        "map50": float(np.mean(maps)) if maps else 0.0,
        "map": float(np.mean([v["ap"] for v in per_class.values()])) if maps else 0.0,
        "classes": per_class,
    }


def self_test() -> None:
    """Hand-made cases with known answers."""
    g = [np.array([[0, 0, 0, 10, 10]], np.float32)]
    perfect = evaluate([np.array([[0, 0.9, 0, 0, 10, 10]], np.float32)], g, ["a"])
    assert abs(perfect["map50"] - 1) < 1e-9 and abs(perfect["map"] - 1) < 1e-9, perfect
    # IoU 0.5 exactly... shifted by 10/3: IoU = (20/3)/(40/3) = 0.5 -> counts at 0.5 only.
    half = evaluate([np.array([[0, 0.9, 10 / 3, 0, 10 + 10 / 3, 10]], np.float32)], g, ["a"])
    assert abs(half["map50"] - 1) < 1e-6 and abs(half["map"] - 0.1) < 1e-6, half
    # A false positive scored above the true one halves precision at full recall.
    fp = evaluate([np.array([[0, 0.95, 50, 50, 60, 60], [0, 0.9, 0, 0, 10, 10]], np.float32)], g, ["a"])
    assert abs(fp["map50"] - 0.5) < 0.01, fp
    # Missed box: two ground truths, one found -> AP about 0.5 (101 points: 51/101).
    g2 = [np.array([[0, 0, 0, 10, 10], [0, 20, 20, 30, 30]], np.float32)]
    miss = evaluate([np.array([[0, 0.9, 0, 0, 10, 10]], np.float32)], g2, ["a"])
    assert abs(miss["map50"] - 51 / 101) < 1e-9, miss
    # A class with no ground truth does not count; a duplicate detection is a false positive.
    dup = evaluate([np.array([[0, 0.9, 0, 0, 10, 10], [0, 0.8, 0, 0, 10, 10], [1, 0.9, 0, 0, 5, 5]], np.float32)], g, ["a", "b"])
    assert list(dup["classes"]) == ["a"] and abs(dup["map50"] - 1) < 1e-9 and dup["classes"]["a"]["precision"] == 0.5, dup
    print("metrics: self-test passed")


if __name__ == "__main__":
    self_test()
