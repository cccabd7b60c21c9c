"""Scores an exported Darknet model, run by OpenCV DNN with Sightline's input convention, on the
validation photos (Models/grocery-yolov3-tiny/validation.txt), and the COCO YOLOv3-tiny baseline
on the same photos for the classes COCO has (apple, banana, orange, carrot, bottle; COCO's
broccoli has no taxonomy class).

    .venv-train/bin/python scripts/train/evaluate.py --data DIR [--model DIR] [--coco]
"""
from __future__ import annotations

import argparse
import os
import sys

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
import data  # noqa: E402
import export  # noqa: E402
import predict  # noqa: E402

MODEL = os.path.join(data.REPO, "Models", export.NAME)
COCO = os.path.join(data.REPO, "Models", "yolov3-tiny")
COCO_TO_TAXONOMY = {"apple": "apple", "banana": "banana", "orange": "orange", "carrot": "carrot", "bottle": "bottle"}
GROUPS = (("fridge (Smart Refrigerator + CNTK, unseen scenes)", ("smart_refrigerator", "cntk_grocery")),
          ("Smart Refrigerator held-out scene", ("smart_refrigerator",)),
          ("CNTK test arrangements", ("cntk_grocery",)),
          ("EpicureAi held-out groups", ("epicureai",)))


def validation_samples(data_dir: str, names_file: str) -> list[data.Sample]:
    names = data.read_name_list(names_file)
    samples = [s for s in data.all_samples(data_dir) if s.name in names]
    missing = names - {s.name for s in samples}
    if missing:
        raise SystemExit(f"evaluate: {len(missing)} names of {names_file} not found, e.g. {sorted(missing)[0]}")
    return samples


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True)
    ap.add_argument("--model", default=MODEL)
    ap.add_argument("--only", default=os.path.join(MODEL, "validation.txt"))
    ap.add_argument("--coco", action="store_true", help="also score the COCO YOLOv3-tiny baseline")
    a = ap.parse_args()
    classes, _ = data.taxonomy()
    val = validation_samples(a.data, a.only)
    fwd = predict.opencv_forward(os.path.join(a.model, export.NAME + ".cfg"), os.path.join(a.model, export.NAME + ".weights"))
    coco_fwd = None
    if a.coco:
        coco_names = [l.strip() for l in open(os.path.join(COCO, "coco.names")) if l.strip()]
        index = {c: i for i, c in enumerate(classes)}
        coco_map = np.array([index[COCO_TO_TAXONOMY[n]] if n in COCO_TO_TAXONOMY else -1 for n in coco_names])
        coco_fwd = predict.opencv_forward(os.path.join(COCO, "yolov3-tiny.cfg"), os.path.join(COCO, "yolov3-tiny.weights"))
        shared = {index[t] for t in COCO_TO_TAXONOMY.values()}
    for title, sources in GROUPS:
        part = [s for s in val if s.source in sources]
        if not part:
            continue
        r = predict.score_samples(part, fwd, classes)
        print(predict.format_report(f"{title}, {len(part)} photos, grocery model (OpenCV)", r))
        if coco_fwd is not None:
            sub = []
            for s in part:  # ground truth restricted to the classes COCO can name
                t = data.Sample(s.path, s.source, s.scene, s.boxes[np.isin(s.boxes[:, 0], list(shared))])
                sub.append(t)
            rc = predict.score_samples(sub, coco_fwd, classes, class_map=coco_map)
            rg = predict.score_samples(sub, fwd, classes)
            print(predict.format_report(f"{title}: COCO YOLOv3-tiny baseline on the classes COCO has", rc))
            print(predict.format_report(f"{title}: grocery model on the same classes", rg))
        print()


if __name__ == "__main__":
    main()
