"""Trains the grocery YOLOv3-tiny from the COCO YOLOv3-tiny weights and exports it for Sightline.

    .venv-train/bin/python scripts/train/train.py --data DIR --epochs N --out OUTDIR

Transfer learning: Darknet layers below --freeze (default 13: the COCO backbone, conv 0-12) stay
fixed and run under no_grad in eval mode; the neck and both heads (resized to 47 classes, box and
objectness rows and the classes COCO shares initialised from the COCO head) are trained with a
YOLOv3 loss: anchors and masks from the cfg, Darknet's box parametrisation, GIoU box loss,
objectness target 1 (as Darknet), logistic class loss. Augmentation for tiny data: mosaic, random
scale/translate crop, horizontal flip, HSV and exposure jitter, blur, cutout; inputs letterboxed
to 416 with pad 128, RGB, /255, as Sightline feeds the model. Prints losses and validation
mAP@0.5 per epoch (scored as Sightline sees the model: class scores <= 0.2 are zeroed by OpenCV);
exports the final epoch.
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
import yolo  # noqa: E402

S = data.INPUT
COCO_SHARED = {"apple": 47, "banana": 46, "orange": 49, "carrot": 51, "bottle": 39}
SOURCE_WEIGHT = {"smart_refrigerator": 0.30, "cntk_grocery": 0.25, "epicureai": 0.40, "fridgeobjects_icevision": 0.05}
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


def make_batch(train, probs, n, cache, rng):
    imgs, targets = [], []
    for bi in range(n):
        pick = lambda: train[int(rng.choice(len(train), p=probs))]
        if rng.random() < 0.5:
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


def yolo_loss(outs, layers, targets, classes):
    """Darknet parametrisation (xy = sigmoid + cell, wh = exp * anchor) so the trained heads
    decode exactly as OpenCV's YOLO layer does. A ground-truth box is assigned to its best anchor
    of all six and to any other anchor whose shape IoU with it exceeds 0.25."""
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


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--data", required=True, help="the fridge data folder (train/, extra/, classes.txt)")
    ap.add_argument("--base", default=os.path.join(data.REPO, "Models", "yolov3-tiny"), help="the COCO YOLOv3-tiny model folder")
    ap.add_argument("--out", required=True, help="where the exported model files go")
    ap.add_argument("--epochs", type=int, default=30)
    ap.add_argument("--minutes", type=float, default=0,
                    help="a training-time budget instead of a step count: the learning rate follows the share of the "
                         "budget spent and training stops after the epoch that spends it (validation time not counted)")
    ap.add_argument("--epoch-images", type=int, default=192)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--freeze", type=int, default=13, help="Darknet layers below this stay fixed")
    ap.add_argument("--seed", type=int, default=6)
    ap.add_argument("--threads", type=int, default=2)
    args = ap.parse_args()

    t_start = time.time()
    random.seed(args.seed)
    np.random.seed(args.seed)
    torch.manual_seed(args.seed)
    torch.set_num_threads(args.threads)
    cv2.setNumThreads(1)
    rng = np.random.default_rng(args.seed)
    print(f"train: torch {torch.__version__}, numpy {np.__version__}, opencv {cv2.__version__}, seed {args.seed}, "
          f"threads {args.threads}, load average {os.getloadavg()}", flush=True)

    classes, _ = data.taxonomy()
    samples = data.all_samples(args.data)
    train, val = data.split(samples)
    for name, part in (("train", train), ("validation", val)):
        by = {}
        for s in part:
            by.setdefault(s.source, [0, 0, set()])
            by[s.source][0] += 1
            by[s.source][1] += len(s.boxes)
            by[s.source][2].add(s.scene)
        print(f"train: {name}: " + ", ".join(f"{k} {v[0]} images / {v[1]} boxes / {len(v[2])} scenes" for k, v in by.items()), flush=True)
    counts = {}
    for s in train:
        counts[s.source] = counts.get(s.source, 0) + 1
    probs = np.array([SOURCE_WEIGHT[s.source] / counts[s.source] for s in train])
    probs /= probs.sum()

    coco_names = [l.strip() for l in open(os.path.join(args.base, "coco.names")) if l.strip()]
    model, header = yolo.build(os.path.join(args.base, "yolov3-tiny.cfg"), os.path.join(args.base, "yolov3-tiny.weights"), len(classes))
    init_heads(model, classes, coco_names)
    frozen = list(range(args.freeze))
    params = [p for i, m in enumerate(model.layers) if i >= args.freeze for p in m.parameters()]
    for i in frozen:
        for p in model.layers[i].parameters():
            p.requires_grad_(False)
    decay = [p for p in params if p.ndim > 1]
    no_decay = [p for p in params if p.ndim <= 1]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 5e-4}, {"params": no_decay, "weight_decay": 0}], lr=args.lr)
    steps_per_epoch = args.epoch_images // args.batch
    budget = args.minutes * 60
    total = steps_per_epoch * args.epochs
    warm = steps_per_epoch
    spent = 0.0  # training seconds so far (budget mode)

    def progress(k: int) -> float:
        return spent / budget if budget else k / total

    def lr_at(k: int) -> float:  # linear warm-up over the first epoch, then cosine to 5%
        if k < warm:
            return (k + 1) / warm
        p = min(1.0, progress(k))
        return 0.05 + 0.95 * 0.5 * (1 + math.cos(math.pi * p))

    sched = torch.optim.lr_scheduler.LambdaLR(opt, lr_at)
    length = f"{args.minutes:g} minutes of" if budget else str(args.epochs)
    print(f"train: {len(train)} training photos, {len(val)} validation; {length} epochs x {steps_per_epoch} steps of {args.batch}; "
          f"layers 0-{args.freeze - 1} frozen, {sum(p.numel() for p in params)} trainable parameters", flush=True)

    cache: dict = {}
    val_cache = {s.path: data.load_rgb(s.path) for s in val}
    fridge_val = [s for s in val if s.source in ("smart_refrigerator", "cntk_grocery")]
    epi_val = [s for s in val if s.source == "epicureai"]
    history = []
    epoch = 0
    while (spent < budget) if budget else (epoch < args.epochs):
        epoch += 1
        t0 = time.time()
        model.train()
        for i in frozen:
            model.layers[i].eval()
        sums = torch.zeros(3)
        for step in range(steps_per_epoch):
            ts = time.time()
            x, targets = make_batch(train, probs, args.batch, cache, rng)
            if args.freeze:
                with torch.no_grad():
                    outs = model(x, upto=args.freeze - 1)
                cache_l = {i: o for i, o in enumerate(outs)}
                outs = model(x, cache=cache_l)
            else:
                outs = model(x)
            loss, parts = yolo_loss(outs, model.yolo_layers(), targets, len(classes))
            opt.zero_grad(set_to_none=True)
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 10.0)
            opt.step()
            spent += time.time() - ts
            sched.step()
            sums += parts
        t_train = time.time() - t0
        model.eval()
        fwd = predict.torch_forward(model)
        rf = predict.score_samples(fridge_val, fwd, classes, cache=val_cache)
        re = predict.score_samples(epi_val, fwd, classes, cache=val_cache)
        l = (sums / steps_per_epoch).tolist()
        history.append((epoch, l, rf["map50"], rf["map"], re["map50"], time.time() - t0))
        of = f"{spent / 60:.1f}/{args.minutes:g} min" if budget else f"{epoch}/{args.epochs}"
        print(f"epoch {epoch} ({of})  loss box {l[0]:.3f} obj {l[1]:.3f} cls {l[2]:.3f}  lr {sched.get_last_lr()[0]:.2e}  "
              f"val fridge mAP@0.5 {rf['map50']:.3f} (0.5:0.95 {rf['map']:.3f})  val epicureai mAP@0.5 {re['map50']:.3f}  "
              f"train {t_train:.0f}s epoch {time.time() - t0:.0f}s  load {os.getloadavg()[0]:.2f}", flush=True)

    os.makedirs(args.out, exist_ok=True)
    export.write(model, header, classes, os.path.join(args.base, "yolov3-tiny.cfg"), args.out, args.freeze)
    print(f"train: exported to {args.out}; total wall time {(time.time() - t_start) / 60:.1f} min", flush=True)
    print(predict.format_report("final fridge validation (PyTorch)", rf))
    print(predict.format_report("final epicureai validation (PyTorch)", re))


if __name__ == "__main__":
    main()
