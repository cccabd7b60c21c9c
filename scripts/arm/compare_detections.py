#!/usr/bin/env python3
"""Compares two `sightline detect --json` outputs (JSON Lines, one object per image): x86_64 and
aarch64. The detections must be the same: per image the same number, in the same order, with the
same labels and class ids; boxes within BOX_TOL pixels and scores within SCORE_TOL (float
arithmetic differs between the two builds: NEON and SSE kernels in OpenCV, FMA contraction).
Prints one line per image and a last line with the largest differences. Exit 1 on a difference.

usage: compare_detections.py x86_64.jsonl aarch64.jsonl
"""
import json
import sys

BOX_TOL = 0.5  # pixels
SCORE_TOL = 1e-3


def load(path):
    with open(path) as f:
        return [json.loads(line) for line in f if line.strip()]


def main():
    if len(sys.argv) != 3:
        sys.exit(__doc__)
    a, b = load(sys.argv[1]), load(sys.argv[2])
    problems = []
    if [x["image"] for x in a] != [y["image"] for y in b]:
        problems.append("the two runs list different images")
    max_box = max_score = 0.0
    identical = 0
    total = 0
    for x, y in zip(a, b):
        name = x["image"].rsplit("/", 1)[-1]
        dx, dy = x["detections"], y["detections"]
        total += len(dx)
        if (x["width"], x["height"]) != (y["width"], y["height"]):
            problems.append(f"{name}: sizes differ")
        if [(d["label"], d["classID"]) for d in dx] != [(d["label"], d["classID"]) for d in dy]:
            problems.append(f"{name}: x86_64 {[d['label'] for d in dx]} vs aarch64 {[d['label'] for d in dy]}")
            continue
        for p, q in zip(dx, dy):
            box = max(abs(p["box"][k] - q["box"][k]) for k in p["box"])
            score = abs(p["score"] - q["score"])
            max_box, max_score = max(max_box, box), max(max_score, score)
            identical += p == q
            if box > BOX_TOL or score > SCORE_TOL:
                problems.append(f"{name}: {p['label']} box differs by {box:.3f} px, score by {score:.5f}")
        labels = ", ".join(d["label"] for d in dx)
        print(f"  {name}: {len(dx)} detections, same labels ({labels})")
    for p in problems:
        print(f"  DIFFERENT: {p}")
    verdict = "DIFFERENT" if problems else "same"
    print(
        f"{verdict} detections on {len(a)} photos ({total} boxes, {identical} bit-identical); "
        f"largest box difference {max_box:.4f} px, score difference {max_score:.6f}"
    )
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
