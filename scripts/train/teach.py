"""Teaches a detector the wearer's own fridge: fine-tunes a Darknet model (the grocery detector)
on a few photos labelled with `sightline teach serve`, within a time budget. `sightline teach
train` runs it (after checking the folder, the name and the budget) and moves the folder it
writes into Models/; run by hand it is:

    .venv-train/bin/python scripts/train/teach.py --photos DIR --base Models/grocery-yolov3-tiny \
        --name NAME --out DIR --minutes M [--replay DATA] [--evaluate DIR] [--threads 2] [--seed 6]

- Classes: the folder's classes.txt is mapped onto the base model's labels by name (through the
  taxonomy's aliases), never by index; names the base lacks become new classes, appended, their
  head rows new (the others keep the base model's).
- Training: the base's backbone (conv 0-12) stays fixed; the neck and heads train (AdamW, warm-up
  then cosine over the budget). Each batch is half the taught photos (of those, half scenes
  synthesized from them by synth.py: their items cut out and placed anew in their own fridge,
  so they learn other positions), half replay of the base's training data (--replay, the folder
  layout train.py reads), so what the base knew is not forgotten. Without --replay every image
  is a taught one, and the log says so.
- Budget: --minutes is the whole run's, as the command's caller counts it (from --started):
  training stops in time to leave the export, the OpenCV check and the after-figures inside it.
- Output in --out: NAME.cfg, NAME.weights, NAME.names, manifest.json (runtime opencv-darknet),
  TRAINING.md (command, data, classes, time, before/after figures on --evaluate's photos).
- Stdout: log lines, and `progress F` lines (share of the budget spent, 0-1) for the caller's
  progress bar. Exit code 2: bad input (named on stderr); 1: anything else.
"""
from __future__ import annotations

import argparse
import json
import math
import os
import sys
import tempfile
import time

import cv2
import numpy as np
import torch

sys.path.insert(0, os.path.dirname(__file__))
import data  # noqa: E402
import export  # noqa: E402
import predict  # noqa: E402
import synth  # noqa: E402
import train  # noqa: E402
import yolo  # noqa: E402

FREEZE = 13  # conv 0-12: the backbone the base model's detections rest on
EXPORT_RESERVE = 25.0  # seconds kept for the export and OpenCV's check


class BadInput(Exception):
    pass


def say(*parts) -> None:
    print(*parts, flush=True)


def read_manifest(model_dir: str) -> dict:
    path = os.path.join(model_dir, "manifest.json")
    try:
        m = json.load(open(path))
    except (OSError, ValueError) as e:
        raise BadInput(f"{path}: cannot read the base model's manifest ({e})")
    if "config" not in m.get("files", {}):
        raise BadInput(f"{path}: the base model has no Darknet config; teach fine-tunes Darknet models")
    return m


def canonical(name: str, aliases: dict[str, str]) -> str:
    return aliases.get(name, name)


def read_classes(path: str) -> list[str]:
    try:
        names = [l.strip() for l in open(path)]
    except OSError as e:
        raise BadInput(f"{path}: cannot read ({e.strerror})")
    while names and not names[-1]:
        names.pop()
    if not names or any(not n for n in names):
        raise BadInput(f"{path}: needs one class name a line, no blank lines")
    if len(set(names)) != len(names):
        dup = next(n for n in names if names.count(n) > 1)
        raise BadInput(f"{path}: class '{dup}' is listed twice")
    return names


def read_taught(folder: str, index: dict[str, int], source: str) -> list[data.Sample]:
    """The labelled photos of a YOLO folder (images/, labels/, classes.txt), classes mapped by
    name through `index`; a photo without a label file, a bad line or class index is refused."""
    names = read_classes(os.path.join(folder, "classes.txt"))
    images = os.path.join(folder, "images")
    photos = sorted(f for f in os.listdir(images) if f.lower().endswith((".jpg", ".jpeg", ".png")) and not f.startswith("."))
    out = []
    for f in photos:
        lab = os.path.join(folder, "labels", os.path.splitext(f)[0] + ".txt")
        if not os.path.exists(lab):
            raise BadInput(f"{os.path.join(images, f)}: has no label file ({lab})")
        rows = []
        for n, line in enumerate(open(lab), 1):
            p = line.split()
            if not p:
                continue
            try:
                c, cx, cy, w, h = int(p[0]), *map(float, p[1:5])
            except (ValueError, IndexError):
                raise BadInput(f"{lab}:{n}: not 'class cx cy w h'")
            if not 0 <= c < len(names):
                raise BadInput(f"{lab}:{n}: class {c} is out of range (classes.txt has {len(names)})")
            rows.append([index[names[c]], cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2])
        boxes = np.clip(np.array(rows, np.float32).reshape(-1, 5), [0, 0, 0, 0, 0], [1e9, 1, 1, 1, 1])
        out.append(data.Sample(os.path.join(images, f), source, source + ":" + f, boxes))
    return out


def init_heads(model, base_classes: int) -> None:
    """Heads resized for new classes: the base's rows for box, objectness and its classes, new
    class rows small random with bias -4.5 (a prior of about 1%)."""
    for i, wt in getattr(model, "_file_weight", {}).items():
        conv = model.layers[i].conv
        old_w, old_b = torch.from_numpy(wt), torch.from_numpy(model._file_bias[i])
        n_old = base_classes + 5
        n_new = conv.out_channels // 3
        torch.nn.init.normal_(conv.weight, 0, 0.01)
        conv.bias.data.fill_(-4.5)
        for a in range(3):
            conv.weight.data[a * n_new:a * n_new + n_old] = old_w[a * n_old:(a + 1) * n_old]
            conv.bias.data[a * n_new:a * n_new + n_old] = old_b[a * n_old:(a + 1) * n_old]


def figures(model, samples, classes, size, floor) -> dict:
    model.eval()
    return predict.score_samples([s for s in samples if len(s.boxes)], predict.torch_forward(model, floor, size), classes, size=size)


def figure_line(title: str, r: dict) -> str:
    per = ", ".join(f"{c} {v['ap50']:.2f}" for c, v in r["classes"].items())
    return f"{title}: mAP@0.5 {r['map50']:.3f}, mAP@0.5:0.95 {r['map']:.3f} ({per})"


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--photos", required=True, help="the labelled folder (images/, labels/, classes.txt)")
    ap.add_argument("--base", required=True, help="the base model's folder (a Darknet model with manifest.json)")
    ap.add_argument("--name", required=True, help="the new model's name")
    ap.add_argument("--out", required=True, help="the folder to write the model into (created)")
    ap.add_argument("--minutes", type=float, default=10.0, help="the whole run's budget")
    ap.add_argument("--started", type=float, default=0.0, help="when the run began (Unix time; default: now)")
    ap.add_argument("--replay", help="the base's training data (train/, extra/, classes.txt), replayed beside the taught photos")
    ap.add_argument("--evaluate", help="a labelled folder of other photos: before/after figures in the log")
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--seed", type=int, default=6)
    args = ap.parse_args()
    started = args.started or time.time()
    deadline = started + args.minutes * 60
    log: list[str] = []

    def note(line: str) -> None:
        log.append(line)
        say(line)

    rng = train.seeded(args.seed, args.threads)

    m = read_manifest(args.base)
    cfg = os.path.join(args.base, m["files"]["config"]["path"])
    weights = os.path.join(args.base, m["files"]["weights"]["path"])
    base_classes = [l.strip() for l in open(os.path.join(args.base, m["files"]["labels"]["path"])) if l.strip()]
    size = int(m["input"]["width"])
    train.S = size
    _, aliases = data.taxonomy()
    by_name = {c: i for i, c in enumerate(base_classes)}
    folder_names = read_classes(os.path.join(args.photos, "classes.txt"))
    classes = list(base_classes)
    mapped, new = [], []
    for n in folder_names:
        c = canonical(n, aliases)
        if c in by_name:
            mapped.append(n if c == n else f"{n} (as {c})")
        elif c not in classes:
            classes.append(c)
            new.append(c)
    index = {n: classes.index(canonical(n, aliases)) for n in folder_names}
    taught = read_taught(args.photos, index, "teach")
    labelled = [s for s in taught if len(s.boxes)]
    if not labelled:
        raise BadInput(f"{args.photos}: no photo has a box to learn from")
    fridge = classes.index(data.FRIDGE) if data.FRIDGE in classes else None
    if fridge is not None:  # the wearer's photos are of their fridge: the view class covers each
        for s in taught:
            s.boxes = np.concatenate([s.boxes, np.array([[fridge, 0, 0, 1, 1]], np.float32)])

    replay: list[data.Sample] = []
    if args.replay:
        t = data.taxonomy()[0]
        replay = [s for s in data.all_samples(args.replay, fridge_box=True)]
        to_model = np.array([by_name.get(c, -1) for c in t])
        for s in replay:
            s.boxes[:, 0] = to_model[s.boxes[:, 0].astype(int)]
            s.boxes = s.boxes[s.boxes[:, 0] >= 0]

    note(f"teach: torch {torch.__version__}, opencv {cv2.__version__}, seed {args.seed}, threads {args.threads}")
    note("teach: " + " ".join(sys.argv[1:]))
    note(f"teach: base {m['name']} ({len(base_classes)} classes, {size}x{size}); {len(taught)} taught photos, "
         f"{sum(len(s.boxes) for s in labelled) - (len(labelled) if fridge is not None else 0)} boxes")
    note(f"teach: classes of {args.photos}/classes.txt: " + (", ".join(mapped) if mapped else "none") + " (the base's)"
         + (f"; new: {', '.join(new)}" if new else ""))
    for c in new:
        say(f"class {c} new")
    note(f"teach: replay: {len(replay)} photos of the base's training data" if replay
         else "teach: replay: none (no --replay): what the base knew may fade for classes the taught photos lack")

    model, header = yolo.build(cfg, weights, len(classes))
    init_heads(model, len(base_classes))
    floor = export.class_floor(cfg)

    held: list[data.Sample] = []
    before = None
    if args.evaluate:
        eval_names = read_classes(os.path.join(args.evaluate, "classes.txt"))
        extra = [canonical(n, aliases) for n in eval_names if canonical(n, aliases) not in classes]
        eval_classes = classes + sorted(set(extra))
        held = read_taught(args.evaluate, {n: eval_classes.index(canonical(n, aliases)) for n in eval_names}, "held")
        taught_paths = {os.path.realpath(s.path) for s in taught}
        if any(os.path.realpath(s.path) in taught_paths for s in held):
            raise BadInput(f"{args.evaluate}: holds a photo that is also taught; the figures need photos not trained on")
        t0 = time.time()
        base_model, _ = yolo.build(cfg, weights)
        before = figures(base_model, held, eval_classes, size, floor)
        eval_seconds = time.time() - t0
        note(figure_line(f"teach: before, on {len(held)} photos of {args.evaluate}", before))
    else:
        eval_seconds = 0.0

    frozen = list(range(FREEZE))
    for i in frozen:
        for p in model.layers[i].parameters():
            p.requires_grad_(False)
    params = [p for i, mod in enumerate(model.layers) if i >= FREEZE for p in mod.parameters()]
    opt = torch.optim.AdamW([{"params": [p for p in params if p.ndim > 1], "weight_decay": 5e-4},
                             {"params": [p for p in params if p.ndim <= 1], "weight_decay": 0}], lr=args.lr)

    cache: dict = {}
    t0 = time.time()
    with tempfile.TemporaryDirectory(prefix="teach-synth-") as synth_cache:
        synthesizer = synth.Synthesizer(labelled, lambda s: train.cached(s, cache), fridge, synth_cache, p_fridge=1.0, p_table=0.0)
    note(f"teach: synthesis from {sum(len(v) for v in synthesizer.items.values())} items of the taught photos "
         f"({time.time() - t0:.0f}s)")

    # The training deadline: the budget less the export, the check and the after-figures.
    train_end = deadline - EXPORT_RESERVE - 1.3 * eval_seconds
    train_seconds = train_end - time.time()
    if train_seconds < 30:
        raise BadInput(f"--minutes {args.minutes:g} leaves {max(train_seconds, 0):.0f} s to train after loading; give more time")
    note(f"teach: training for {train_seconds:.0f} s (budget {args.minutes:g} min from the start)")
    t_train = time.time()
    step = 0
    sums = torch.zeros(3)
    warm = 10
    model.train()
    while time.time() < train_end:
        p = (time.time() - t_train) / train_seconds
        f = (step + 1) / warm if step < warm else 0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * min(1.0, p)))
        for g in opt.param_groups:
            g["lr"] = args.lr * f
        imgs, targets = [], []
        for bi in range(args.batch):
            r = rng.random()
            if replay and r >= 0.5:
                pick = lambda: replay[int(rng.integers(len(replay)))]
                img, b = train.mosaic([pick() for _ in range(4)], cache, rng) if rng.random() < 0.5 else train.single(pick(), cache, rng)
            elif rng.random() < 0.5:
                img, b = train.synthesized(synthesizer, rng)
            else:
                img, b = train.single(labelled[int(rng.integers(len(labelled)))], cache, rng)
            imgs.append(data.to_tensor_array(train.photometric(img, rng)))
            for row in b:
                targets.append([bi, row[0], (row[1] + row[3]) / 2, (row[2] + row[4]) / 2, row[3] - row[1], row[4] - row[2]])
        x = torch.from_numpy(np.stack(imgs))
        t = torch.tensor(targets, dtype=torch.float32).view(-1, 6)
        for i in frozen:
            model.layers[i].eval()
        with torch.no_grad():
            outs = model(x, upto=FREEZE - 1)
        outs = model(x, cache={i: o for i, o in enumerate(outs)})
        loss, parts = train.yolo_loss(outs, model.yolo_layers(), t, len(classes), wide_view=fridge is not None)
        opt.zero_grad(set_to_none=True)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(params, 10.0)
        opt.step()
        step += 1
        sums += parts
        say(f"progress {min(1.0, (time.time() - started) / (deadline - started)):.4f}")
        if step % 10 == 0:
            l = (sums / 10).tolist()
            sums.zero_()
            say(f"teach: step {step}, {time.time() - t_train:.0f}/{train_seconds:.0f} s, loss box {l[0]:.3f} obj {l[1]:.3f} cls {l[2]:.3f}")
    note(f"teach: {step} steps of {args.batch} images in {time.time() - t_train:.0f} s")

    model.eval()
    os.makedirs(args.out, exist_ok=True)
    name = args.name
    blocks = export.cfg_blocks(cfg, len(classes), size, floor)
    yolo.write_cfg(blocks, os.path.join(args.out, name + ".cfg"))
    with open(os.path.join(args.out, name + ".weights"), "wb") as f:
        f.write(header + model.darknet_bytes())
    with open(os.path.join(args.out, name + ".names"), "w") as f:
        f.write("\n".join(classes) + "\n")
    # OpenCV (Sightline's runtime for this model) loads the export and agrees with PyTorch.
    check_photos = [s.path for s in labelled[:2]]
    worst = export.check(args.out, check_photos, name=name)
    note(f"teach: OpenCV {cv2.__version__} loads the export; largest difference from PyTorch on {len(check_photos)} photos {worst:.1e}")

    after = None
    if held:
        after = figures(model, held, eval_classes, size, floor)
        note(figure_line(f"teach: after, on the same {len(held)} photos", after))
    elapsed = time.time() - started
    note(f"teach: done in {elapsed / 60:.1f} min (budget {args.minutes:g})")
    write_manifest(args.out, name, m, classes, new, len(taught), size)
    write_log(args.out, name, m, log, before, after, len(held), elapsed)
    say("progress 1.0000")
    return 0


def write_manifest(out: str, name: str, base: dict, classes: list[str], new: list[str], photos: int, size: int) -> None:
    def entry(f):
        p = os.path.join(out, f)
        return {"path": f, "sha256": export.sha(p), "bytes": os.path.getsize(p)}

    added = f"; new classes: {', '.join(new)}" if new else ""
    m = {
        "name": name,
        "description": f"{base['name']} taught the wearer's own fridge from {photos} labelled photos by `sightline teach train`: "
                       f"{len(classes)} classes{added}, {size}x{size}",
        "licence": f"Fine-tuned from {base['name']}, whose licence applies: {base['licence']}; the taught photos are the wearer's",
        "source": f"sightline teach train (log: {name}/TRAINING.md), from {base['name']}",
        "fetch": f"sightline teach train --name {name}",
        "runtime": "opencv-darknet",
        "files": {"config": entry(name + ".cfg"), "weights": entry(name + ".weights"), "labels": entry(name + ".names")},
        "input": dict(base["input"]),
        "output": {"decoding": "darknet-region"},
        "thresholds": dict(base["thresholds"]),
    }
    open(os.path.join(out, "manifest.json"), "w").write(export.format_manifest(m) + "\n")


def write_log(out: str, name: str, base: dict, log: list[str], before, after, held: int, elapsed: float) -> None:
    lines = [f"# {name}: taught by `sightline teach train`", "",
             f"Fine-tuned from `{base['name']}` in {elapsed / 60:.1f} minutes on this machine. The run's log:", "", "```"]
    lines += log + ["```", ""]
    if before and after:
        lines += [f"## Before and after, on {held} photos not taught", "",
                  "| class | AP@0.5 before | AP@0.5 after |", "|---|---|---|"]
        for c in after["classes"]:
            lines.append(f"| {c} | {before['classes'].get(c, {}).get('ap50', 0):.3f} | {after['classes'][c]['ap50']:.3f} |")
        lines += [f"| **mAP@0.5** | **{before['map50']:.3f}** | **{after['map50']:.3f}** |", "",
                  "PyTorch's forward pass, scored as `sightline eval` scores (metrics.py); OpenCV agrees with it to the "
                  "difference the log gives.", ""]
    else:
        lines += ["No photos were held out (`--evaluate`), so there are no before/after figures.", ""]
    open(os.path.join(out, "TRAINING.md"), "w").write("\n".join(lines))


if __name__ == "__main__":
    try:
        sys.exit(main())
    except BadInput as e:
        print(f"teach: {e}", file=sys.stderr, flush=True)
        sys.exit(2)
