"""Trains the grocery YOLOv3-tiny from the COCO YOLOv3-tiny weights and exports it for Sightline.

    .venv-train/bin/python scripts/train/train.py --data DIR --minutes M --out OUTDIR [--holdout FILE]
        [--synth P] [--size S] [--unfreeze F] [--val-every N]

Transfer learning: Darknet layers below --freeze (default 13: the COCO backbone, conv 0-12) stay
fixed and run under no_grad in eval mode; the neck and both heads (resized to the taxonomy's 48
classes, box and objectness rows and the classes COCO shares initialised from the COCO head) are
trained with a YOLOv3 loss: anchors and masks from the cfg, Darknet's box parametrisation, GIoU
box loss, objectness target 1 (as Darknet), logistic class loss. With --unfreeze F the backbone
joins after that share of the budget, at a tenth of the learning rate (its batch norms keep
their COCO statistics). Data: every labelled photo of the data folder except those --holdout
lists; fridge-interior photos carry the fridge class over the whole photo; the photos of
negatives.tsv and the sample photos without a fridge are negatives. Augmentation: scene
synthesis (synth.py) for a share --synth of the images, otherwise mosaic or a random
scale/translate crop; then horizontal flip, HSV and exposure jitter, blur, cutout; inputs
letterboxed to --size with pad 128, RGB, /255, as Sightline feeds the model. Exports the final
epoch as a model folder `sightline eval --models-dir OUTDIR/models` reads.
"""
from __future__ import annotations

import argparse
import math
import os
import random
import sys
import time

import cv2
import numpy as np
import torch
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
import data  # noqa: E402
import export  # noqa: E402
import predict  # noqa: E402
import synth  # noqa: E402
import yolo  # noqa: E402

S = data.INPUT  # the training input size (--size)
COCO_SHARED = {"apple": 47, "banana": 46, "orange": 49, "carrot": 51, "bottle": 39}
SOURCE_WEIGHT = {"smart_refrigerator": 0.30, "cntk_grocery": 0.25, "epicureai": 0.35, "fridgeobjects_icevision": 0.04,
                 "negative": 0.06}
CACHE_SIDE = 640  # decoded photos are kept in memory with their long side at most this


# --- augmentation -------------------------------------------------------------------------------


def cached(s: data.Sample, cache: dict) -> np.ndarray:
    if s.path not in cache:
        img = data.load_rgb(s.path)
        h, w = img.shape[:2]
        k = CACHE_SIDE / max(h, w)
        if k < 1:
            img = cv2.resize(img, (round(w * k), round(h * k)), interpolation=cv2.INTER_AREA)
        cache[s.path] = img
    return cache[s.path]


def pixel_boxes(s: data.Sample, img: np.ndarray) -> np.ndarray:
    h, w = img.shape[:2]
    b = s.boxes.copy()
    b[:, 1:] *= [w, h, w, h]
    return b


def affine(img, boxes, out_size, scale, tx, ty, flip):
    """Scales `img` by `scale` about its centre, places that centre at the output centre moved by
    (tx, ty), mirrors if `flip`; border 128. Boxes (class, x0, y0, x1, y1) follow and are clipped;
    those left with under 25% of their area or under 3 px a side are dropped."""
    h, w = img.shape[:2]
    m = np.array([[scale, 0, out_size / 2 + tx - scale * w / 2], [0, scale, out_size / 2 + ty - scale * h / 2]], np.float32)
    if flip:
        m[0] = [-m[0, 0], 0, out_size - m[0, 2]]
    out = cv2.warpAffine(img, m, (out_size, out_size), flags=cv2.INTER_LINEAR, borderValue=(data.PAD,) * 3)
    if len(boxes) == 0:
        return out, boxes
    xs = boxes[:, [1, 3]] * m[0, 0] + m[0, 2]
    ys = boxes[:, [2, 4]] * m[1, 1] + m[1, 2]
    x0, x1 = xs.min(1), xs.max(1)
    y0, y1 = ys.min(1), ys.max(1)
    area0 = (x1 - x0) * (y1 - y0)
    x0, x1 = x0.clip(0, out_size), x1.clip(0, out_size)
    y0, y1 = y0.clip(0, out_size), y1.clip(0, out_size)
    keep = (x1 - x0 > 3) & (y1 - y0 > 3) & ((x1 - x0) * (y1 - y0) > 0.25 * area0)
    nb = np.stack([boxes[:, 0], x0, y0, x1, y1], 1)[keep]
    return out, nb.astype(np.float32)


def single(s, cache, rng):
    img = cached(s, cache)
    h, w = img.shape[:2]
    base = S / max(h, w)  # the letterbox scale
    scale = base * rng.uniform(0.6, 1.5)
    return affine(img, pixel_boxes(s, img), S, scale, rng.uniform(-0.2, 0.2) * S, rng.uniform(-0.2, 0.2) * S, rng.random() < 0.5)


def mosaic(ss, cache, rng):
    """Four photos around a random centre of a 2S canvas, then a random crop/scale of it to S."""
    c = 2 * S
    canvas = np.full((c, c, 3), data.PAD, np.uint8)
    xc, yc = int(rng.uniform(0.6, 1.4) * S), int(rng.uniform(0.6, 1.4) * S)
    allb = []
    for k, s in enumerate(ss):
        img = cached(s, cache)
        h, w = img.shape[:2]
        r = S / max(h, w) * rng.uniform(0.7, 1.1)
        img = cv2.resize(img, (max(1, round(w * r)), max(1, round(h * r))), interpolation=cv2.INTER_LINEAR)
        b = pixel_boxes(s, img)
        if rng.random() < 0.5:
            img = img[:, ::-1]
            b[:, [1, 3]] = img.shape[1] - b[:, [3, 1]]
        h, w = img.shape[:2]
        ox = xc - w if k in (0, 2) else xc
        oy = yc - h if k in (0, 1) else yc
        x0, y0, x1, y1 = max(ox, 0), max(oy, 0), min(ox + w, c), min(oy + h, c)
        canvas[y0:y1, x0:x1] = img[y0 - oy:y1 - oy, x0 - ox:x1 - ox]
        b[:, [1, 3]] += ox
        b[:, [2, 4]] += oy
        allb.append(b)
    boxes = np.concatenate(allb, 0)
    # Clip to the canvas (boxes of a photo only partly on the canvas).
    if len(boxes):
        area0 = (boxes[:, 3] - boxes[:, 1]) * (boxes[:, 4] - boxes[:, 2])
        boxes[:, 1:] = boxes[:, 1:].clip(0, c)
        area1 = (boxes[:, 3] - boxes[:, 1]) * (boxes[:, 4] - boxes[:, 2])
        boxes = boxes[area1 > 0.25 * area0]
    scale = rng.uniform(0.45, 0.9)
    tx = (c / 2 - xc) * scale + rng.uniform(-0.1, 0.1) * S
    ty = (c / 2 - yc) * scale + rng.uniform(-0.1, 0.1) * S
    return affine(canvas, boxes, S, scale, tx, ty, False)


def photometric(img, rng):
    hsv = cv2.cvtColor(img, cv2.COLOR_RGB2HSV).astype(np.float32)
    hsv[..., 0] = (hsv[..., 0] + rng.uniform(-0.015, 0.015) * 180) % 180
    hsv[..., 1] *= rng.uniform(0.5, 1.5)
    hsv[..., 2] *= rng.uniform(0.55, 1.45)  # exposure
    img = cv2.cvtColor(hsv.clip(0, 255).astype(np.uint8), cv2.COLOR_HSV2RGB)
    if rng.random() < 0.25:
        k = int(rng.choice([3, 5]))
        img = cv2.GaussianBlur(img, (k, k), 0)
    if rng.random() < 0.5:  # cutout
        img = img.copy()
        for _ in range(int(rng.integers(1, 7))):
            sz = int(rng.uniform(0.04, 0.15) * S)
            x, y = int(rng.integers(0, S - sz)), int(rng.integers(0, S - sz))
            img[y:y + sz, x:x + sz] = rng.integers(0, 256, 3) if rng.random() < 0.5 else 0
    return img


def synthesized(synthesizer, rng):
    """A synthesized scene (synth.py), placed like a single photo."""
    img, b = synthesizer(rng)
    h, w = img.shape[:2]
    scale = S / max(h, w) * rng.uniform(0.7, 1.4)
    return affine(img, b, S, scale, rng.uniform(-0.15, 0.15) * S, rng.uniform(-0.15, 0.15) * S, rng.random() < 0.5)


def make_batch(train, probs, n, cache, rng, synthesizer=None, p_synth=0.0):
    imgs, targets = [], []
    for bi in range(n):
        pick = lambda: train[int(rng.choice(len(train), p=probs))]
        if synthesizer is not None and rng.random() < p_synth:
            img, b = synthesized(synthesizer, rng)
        elif rng.random() < 0.5:
            img, b = mosaic([pick() for _ in range(4)], cache, rng)
        else:
            img, b = single(pick(), cache, rng)
        imgs.append(data.to_tensor_array(photometric(img, rng)))
        for row in b:
            targets.append([bi, row[0], (row[1] + row[3]) / 2, (row[2] + row[4]) / 2, row[3] - row[1], row[4] - row[2]])
    return torch.from_numpy(np.stack(imgs)), torch.tensor(targets, dtype=torch.float32).view(-1, 6)


# --- loss ---------------------------------------------------------------------------------------


def bbox_giou(a, b):
    """a, b (N, 4) cx, cy, w, h -> GIoU (N,)."""
    a0, a1 = a[:, :2] - a[:, 2:] / 2, a[:, :2] + a[:, 2:] / 2
    b0, b1 = b[:, :2] - b[:, 2:] / 2, b[:, :2] + b[:, 2:] / 2
    inter = (torch.min(a1, b1) - torch.max(a0, b0)).clamp(min=0).prod(1)
    union = a[:, 2:].prod(1) + b[:, 2:].prod(1) - inter + 1e-9
    iou = inter / union
    hull = (torch.max(a1, b1) - torch.min(a0, b0)).prod(1) + 1e-9
    return iou - (hull - union) / hull


def yolo_loss(outs, layers, targets, classes, wide_view=False):
    """Darknet parametrisation (xy = sigmoid + cell, wh = exp * anchor) so the trained heads
    decode exactly as OpenCV's YOLO layer does. A ground-truth box is assigned to its best anchor
    of all six and to any other anchor whose shape IoU with it exceeds 0.25; with `wide_view`, a
    box at least half the input on both sides also to the 8 cells around its centre."""
    dev = outs[0].device
    all_anchors = layers[0].all_anchors
    lbox = torch.zeros((), device=dev)
    lobj = torch.zeros((), device=dev)
    lcls = torch.zeros((), device=dev)
    balance = {13: 1.0, 26: 2.0}
    n = len(targets)
    if n:
        twh = targets[:, 4:6]
        inter = torch.min(twh[:, None], all_anchors[None]).prod(2)
        shape_iou = inter / (twh.prod(1)[:, None] + all_anchors.prod(1)[None] - inter)
        cand = shape_iou > 0.25
        cand[torch.arange(n), shape_iou.argmax(1)] = True
    for out, layer in zip(outs, layers):
        b, a, h, w, _ = out.shape
        stride = S / w
        tobj = torch.zeros(out.shape[:4], device=dev)
        if n:
            for al, ag in enumerate(layer.mask):
                sel = cand[:, ag]
                if not sel.any():
                    continue
                t = targets[sel]
                bi = t[:, 0].long()
                gxy = t[:, 2:4] / stride
                gi = gxy[:, 0].long().clamp(0, w - 1)
                gj = gxy[:, 1].long().clamp(0, h - 1)
                p = out[bi, al, gj, gi]
                anchor = layer.anchors[al] / stride
                pxy = p[:, :2].sigmoid() + torch.stack((gi, gj), 1).float()
                pwh = p[:, 2:4].clamp(-6, 6).exp() * anchor
                giou = bbox_giou(torch.cat((pxy, pwh), 1), torch.cat((gxy, t[:, 4:6] / stride), 1))
                lbox = lbox + (1 - giou).sum() / max(n, 1)
                tobj[bi, al, gj, gi] = 1.0  # Darknet's target: confident scores clear OpenCV's 0.2 class floor
                tc = torch.zeros(len(t), classes, device=dev)
                tc[torch.arange(len(t)), t[:, 1].long()] = 1
                lcls = lcls + F.binary_cross_entropy_with_logits(p[:, 5:], tc, reduction="sum") / max(n, 1) / classes
                # A box over most of the view (the fridge class) is also an object for the 8 cells
                # around its centre (objectness and class only: their box centres cannot reach it),
                # nine positives a photo instead of one.
                big = (t[:, 4] >= 0.5 * S) & (t[:, 5] >= 0.5 * S)
                if wide_view and big.any():
                    for dj in (-1, 0, 1):
                        for di in (-1, 0, 1):
                            if di == 0 and dj == 0:
                                continue
                            ni, nj = (gi[big] + di).clamp(0, w - 1), (gj[big] + dj).clamp(0, h - 1)
                            q = out[bi[big], al, nj, ni]
                            tobj[bi[big], al, nj, ni] = 1.0
                            lcls = lcls + F.binary_cross_entropy_with_logits(q[:, 5:], tc[big], reduction="sum") / max(n, 1) / classes
        lobj = lobj + F.binary_cross_entropy_with_logits(out[..., 4], tobj) * balance.get(w, 1.0)
    bs = outs[0].shape[0]
    # Gains as in the Ultralytics YOLO recipes (box 0.05, obj 1.0 scaled to 416, cls 0.5 scaled to
    # the class count), times the batch size.
    lbox, lobj, lcls = lbox * 0.05 * 1.5, lobj * 1.0 * (S / 640) ** 2 * 1.5, lcls * 0.5 * classes / 80 * 1.5
    return (lbox + lobj + lcls) * bs, torch.stack((lbox, lobj, lcls)).detach()


# --- model --------------------------------------------------------------------------------------


def init_heads(model, classes: list[str], coco_names: list[str]):
    """New heads: box + objectness rows, and the rows of classes COCO shares, from the COCO head;
    other class rows small random with bias -4.5 (a prior of about 1%)."""
    for i, wt in model._file_weight.items():
        conv = model.layers[i].conv
        old_w, old_b = torch.from_numpy(wt), torch.from_numpy(model._file_bias[i])
        nc_old = old_w.shape[0] // 3 - 5
        nc = len(classes)
        torch.nn.init.normal_(conv.weight, 0, 0.01)
        conv.bias.data.fill_(-4.5)
        for a in range(3):
            conv.weight.data[a * (nc + 5):a * (nc + 5) + 5] = old_w[a * (nc_old + 5):a * (nc_old + 5) + 5]
            conv.bias.data[a * (nc + 5):a * (nc + 5) + 5] = old_b[a * (nc_old + 5):a * (nc_old + 5) + 5]
            for c, name in enumerate(classes):
                if name in COCO_SHARED:
                    j = COCO_SHARED[name]
                    assert coco_names[j] == ("orange" if name == "orange" else name), (name, coco_names[j])
                    conv.weight.data[a * (nc + 5) + 5 + c] = old_w[a * (nc_old + 5) + 5 + j]
                    conv.bias.data[a * (nc + 5) + 5 + c] = old_b[a * (nc_old + 5) + 5 + j]


def training_photos(data_dir: str, holdout: set[str]) -> tuple[list[data.Sample], list[data.Sample]]:
    """Every labelled photo (fridge photos with the fridge box) and every negative, split into
    those --holdout names (by file name, or `sample:NAME` for a sample photo) and the rest."""
    samples = data.all_samples(data_dir, fridge_box=True) + data.negative_samples() + data.sample_photos(data.SAMPLE_NEGATIVES)
    key = lambda s: s.scene if s.scene.startswith("sample:") else s.name
    names = {key(s) for s in samples}
    unknown = holdout - names
    if unknown:
        raise SystemExit(f"train: {len(unknown)} held-out names are not in the data, e.g. {sorted(unknown)[0]}")
    train = [s for s in samples if key(s) not in holdout]
    held = [s for s in samples if key(s) in holdout]
    shared = {s.scene for s in train} & {s.scene for s in held}
    if shared:
        raise SystemExit(f"train: the hold-out list splits scene groups: {sorted(shared)[:3]}")
    return train, held


def seeded(seed: int, threads: int) -> np.random.Generator:
    """Seeds every generator a run draws from, sets PyTorch's threads (OpenCV's to one: the
    loaders run beside it) and returns the run's own generator."""
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
    torch.set_num_threads(threads)
    cv2.setNumThreads(1)
    return np.random.default_rng(seed)


def main():
    global S
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True, help="the fridge data folder (train/, extra/, classes.txt)")
    ap.add_argument("--base", default=os.path.join(data.REPO, "Models", "yolov3-tiny"), help="the COCO YOLOv3-tiny model folder")
    ap.add_argument("--out", required=True, help="the run folder: log, export.json and models/ (the exported model)")
    ap.add_argument("--holdout", help="a file naming the photos not to train on (validation.txt format)")
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--minutes", type=float, default=0,
                    help="a training-time budget instead of a step count: the learning rate follows the share of the "
                         "budget spent and training stops after the epoch that spends it (validation time not counted)")
    ap.add_argument("--epoch-images", type=int, default=192)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--size", type=int, default=data.INPUT, help="training (and exported) input size, a multiple of 32")
    ap.add_argument("--synth", type=float, default=0.0, help="share of training images that are synthesized scenes")
    ap.add_argument("--freeze", type=int, default=13, help="Darknet layers below this stay fixed (until --unfreeze)")
    ap.add_argument("--unfreeze", type=float, default=0.0,
                    help="share of training after which the frozen layers train too, at --backbone-lr x the learning rate")
    ap.add_argument("--backbone-lr", type=float, default=0.1)
    ap.add_argument("--wide-view", action="store_true",
                    help="a box over at least half the input (the fridge class) is an object for the 3x3 cells at its centre")
    ap.add_argument("--val-every", type=int, default=0, help="score the held-out photos every N epochs (PyTorch; 0: never)")
    ap.add_argument("--seed", type=int, default=6)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()
    if args.size % 32:
        raise SystemExit("train: --size must be a multiple of 32")
    S = args.size

    t_start = time.time()
    rng = seeded(args.seed, args.threads)
    print(f"train: torch {torch.__version__}, numpy {np.__version__}, opencv {cv2.__version__}, seed {args.seed}, "
          f"threads {args.threads}, load average {os.getloadavg()}", flush=True)
    print("train: " + " ".join(sys.argv[1:]), flush=True)

    classes, _ = data.taxonomy()
    holdout = data.read_name_list(args.holdout) if args.holdout else set()
    train, val = training_photos(args.data, holdout)
    for name, part in (("train", train), ("held out", val)):
        by = {}
        for s in part:
            by.setdefault(s.source, [0, 0, set()])
            by[s.source][0] += 1
            by[s.source][1] += len(s.boxes)
            by[s.source][2].add(s.scene)
        print(f"train: {name}: " + ", ".join(f"{k} {v[0]} images / {v[1]} boxes / {len(v[2])} groups" for k, v in by.items()), flush=True)
    counts = {}
    for s in train:
        counts[s.source] = counts.get(s.source, 0) + 1
    probs = np.array([SOURCE_WEIGHT[s.source] / counts[s.source] for s in train])
    probs /= probs.sum()

    coco_names = [l.strip() for l in open(os.path.join(args.base, "coco.names")) if l.strip()]
    model, header = yolo.build(os.path.join(args.base, "yolov3-tiny.cfg"), os.path.join(args.base, "yolov3-tiny.weights"), len(classes))
    init_heads(model, classes, coco_names)
    frozen = list(range(args.freeze))
    head_params = [p for i, m in enumerate(model.layers) if i >= args.freeze for p in m.parameters()]
    backbone_params = [p for i in frozen for p in model.layers[i].parameters()]
    for p in backbone_params:
        p.requires_grad_(False)
    groups = [{"params": [p for p in head_params if p.ndim > 1], "weight_decay": 5e-4, "scale": 1.0},
              {"params": [p for p in head_params if p.ndim <= 1], "weight_decay": 0, "scale": 1.0}]
    if args.unfreeze:
        groups += [{"params": [p for p in backbone_params if p.ndim > 1], "weight_decay": 5e-4, "scale": 0.0},
                   {"params": [p for p in backbone_params if p.ndim <= 1], "weight_decay": 0, "scale": 0.0}]
    opt = torch.optim.AdamW(groups, lr=args.lr)
    steps_per_epoch = args.epoch_images // args.batch
    budget = args.minutes * 60
    total = steps_per_epoch * args.epochs
    warm = steps_per_epoch
    spent = 0.0  # training seconds so far (budget mode)

    def progress(k: int) -> float:
        return spent / budget if budget else k / total

    def lr_factor(k: int) -> float:  # linear warm-up over the first epoch, then cosine to 5%
        if k < warm:
            return (k + 1) / warm
        p = min(1.0, progress(k))
        return 0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * p))

    synthesizer = None
    cache: dict = {}
    if args.synth > 0:
        t0 = time.time()
        synthesizer = synth.Synthesizer(train, lambda s: cached(s, cache), classes.index(data.FRIDGE),
                                        os.path.join(data.REPO, ".train-runs", "cache", "synth"))
        print(f"train: synthesis from {sum(len(v) for v in synthesizer.items.values())} items of {len(synthesizer.items)} classes, "
              f"{len(synthesizer.fridges)} fridge / {len(synthesizer.tables)} table / {len(synthesizer.plain)} other backgrounds "
              f"({time.time() - t0:.0f}s)", flush=True)
    length = f"{args.minutes:g} minutes of" if budget else str(args.epochs)
    n_head = sum(p.numel() for p in head_params)
    print(f"train: {len(train)} training photos, {len(val)} held out; {length} epochs x {steps_per_epoch} steps of {args.batch} "
          f"at {S}; synthesis {args.synth:g}; layers 0-{args.freeze - 1} frozen"
          + (f" until {args.unfreeze:g} of training" if args.unfreeze else "") + f", {n_head} head parameters", flush=True)

    val_cache: dict = {}
    history = []
    epoch = 0
    k = 0
    unfrozen = False
    while (spent < budget) if budget else (epoch < args.epochs):
        epoch += 1
        t0 = time.time()
        if args.unfreeze and not unfrozen and progress(k) >= args.unfreeze:
            unfrozen = True
            for p in backbone_params:
                p.requires_grad_(True)
            for g in groups[2:]:
                g["scale"] = args.backbone_lr
            print(f"train: backbone unfrozen at epoch {epoch} (lr x {args.backbone_lr:g})", flush=True)
        model.train()
        for i in frozen:
            model.layers[i].eval()  # batch norms keep their statistics (COCO's) even when unfrozen
        sums = torch.zeros(3)
        for step in range(steps_per_epoch):
            ts = time.time()
            f = lr_factor(k)
            for g in opt.param_groups:
                g["lr"] = args.lr * f * g["scale"]
            x, targets = make_batch(train, probs, args.batch, cache, rng, synthesizer, args.synth)
            if args.freeze and not unfrozen:
                with torch.no_grad():
                    outs = model(x, upto=args.freeze - 1)
                cache_l = {i: o for i, o in enumerate(outs)}
                outs = model(x, cache=cache_l)
            else:
                outs = model(x)
            loss, parts = yolo_loss(outs, model.yolo_layers(), targets, len(classes), args.wide_view)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_([p for g in groups for p in g["params"]], 10.0)
            opt.step()
            spent += time.time() - ts
            k += 1
            sums += parts
        t_train = time.time() - t0
        l = (sums / steps_per_epoch).tolist()
        of = f"{spent / 60:.1f}/{args.minutes:g} min" if budget else f"{epoch}/{args.epochs}"
        line = (f"epoch {epoch} ({of})  loss box {l[0]:.3f} obj {l[1]:.3f} cls {l[2]:.3f}  lr {args.lr * lr_factor(k):.2e}  "
                f"train {t_train:.0f}s")
        if args.val_every and val and epoch % args.val_every == 0:
            model.eval()
            r = predict.score_samples([s for s in val if len(s.boxes)], predict.torch_forward(model, size=S), classes, cache=val_cache, size=S)
            line += f"  held-out mAP@0.5 {r['map50']:.3f} (0.5:0.95 {r['map']:.3f})"
            history.append((epoch, r["map50"]))
        print(line + f"  load {os.getloadavg()[0]:.2f}", flush=True)

    model.eval()
    os.makedirs(args.out, exist_ok=True)
    info = export.write(model, header, classes, os.path.join(args.base, "yolov3-tiny.cfg"), args.out,
                        args.freeze if not unfrozen else 0, S)
    export.model_folder(args.out, S, info)
    print(f"train: exported to {args.out}; {epoch} epochs, {k} steps, {k * args.batch} images; "
          f"total wall time {(time.time() - t_start) / 60:.1f} min", flush=True)


if __name__ == "__main__":
    main()
