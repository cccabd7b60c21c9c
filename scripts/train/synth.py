"""Scene synthesis ("copy-paste"): new fridge arrangements made on the fly from the labelled
photos, after Dwibedi et al. 2017 ("Cut, Paste and Learn") and Ghiasi et al. 2021 ("Simple
Copy-Paste is a Strong Data Augmentation Method").

- Items: every labelled box of the training photos, cut out with a GrabCut mask grown from its
  box (a feathered ellipse where GrabCut keeps too little or almost all of the box), its edges
  feathered. Smart Refrigerator photos are Roboflow augmentations: their salt-and-pepper noise
  is median-filtered and items under one of their black cutout squares are not cut.
- Backgrounds: the fridge-interior photos, with each of their own items kept or removed
  (inpainted, Telea) at random, so shelves come up emptied as well as full; sometimes a table
  photo or a photo without a fridge (negatives.tsv), so pasted food alone never means "fridge".
- Placement: on a fridge, an item stands on a shelf: its bottom on the bottom edge of one of the
  photo's own labelled boxes (the shelf lines), anywhere across the span those boxes cover. Its
  size follows the photo's own items: height = the photo's median item height x the item's
  height relative to its own photo's median x U(0.75, 1.3), so per-class proportions carry over
  between data sets shot at different distances. Later items occlude earlier ones; a box keeps
  its label only while at least 35% of it stays visible, and its box shrinks to what is.
- Appearance: each item's colours are moved towards the background's white balance (per-channel
  gain of the photos' means, to a random power), its brightness jittered, sometimes blurred.
- Class balance: items are drawn class first (classes with few boxes as often as common ones),
  then an item of the class.

Masks and emptied backgrounds are computed once per photo and kept in a cache folder (the same
for every run: they depend on the photo and its boxes alone).
"""
from __future__ import annotations

import hashlib
import os
import zlib

import cv2
import numpy as np

import data

MIN_VISIBLE = 0.35  # share of an item that must stay visible for it to keep its label


def cutout_mask(img: np.ndarray) -> np.ndarray:
    """Roboflow's cutout squares in a median-filtered photo: near-black (all channels <= 14)
    blobs of 150-12,000 px that fill at least 80% of their bounding rectangle, grown by 2 px."""
    dark = (img.max(2) <= 14).astype(np.uint8)
    n, lab, stats, _ = cv2.connectedComponentsWithStats(dark, connectivity=4)
    out = np.zeros(dark.shape, np.uint8)
    for i in range(1, n):
        x, y, w, h, a = stats[i]
        if 150 <= a <= 12000 and a >= 0.8 * w * h:
            out[y:y + h, x:x + w] = 1
    return cv2.dilate(out, np.ones((5, 5), np.uint8)).astype(bool)


def clean(s: data.Sample, img: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The photo with salt-and-pepper noise filtered (Smart Refrigerator) and its cutout squares
    inpainted, and the mask of those squares."""
    if s.source != "smart_refrigerator":
        return img, np.zeros(img.shape[:2], bool)
    img = cv2.medianBlur(img, 3)
    holes = cutout_mask(img)
    if holes.any():
        img = cv2.inpaint(img, holes.astype(np.uint8) * 255, 5, cv2.INPAINT_TELEA)
    return img, holes


def grabcut_alpha(img: np.ndarray, box: tuple[int, int, int, int], seed: int) -> np.ndarray:
    """A feathered 0..1 mask of the object in `box` (x0, y0, x1, y1), the size of the box."""
    h, w = img.shape[:2]
    x0, y0, x1, y1 = box
    bw, bh = x1 - x0, y1 - y0
    m = max(4, int(0.15 * max(bw, bh)))
    cx0, cy0, cx1, cy1 = max(0, x0 - m), max(0, y0 - m), min(w, x1 + m), min(h, y1 + m)
    crop = img[cy0:cy1, cx0:cx1]
    k = min(1.0, 120 / max(crop.shape[:2]))
    small = cv2.resize(crop, None, fx=k, fy=k, interpolation=cv2.INTER_AREA) if k < 1 else crop
    rect = (int((x0 - cx0) * k), int((y0 - cy0) * k), max(2, int(bw * k)), max(2, int(bh * k)))
    fg = None
    if min(small.shape[:2]) > 8 and rect[2] > 4 and rect[3] > 4:
        mask = np.zeros(small.shape[:2], np.uint8)
        try:
            cv2.setRNGSeed(seed)
            cv2.grabCut(cv2.cvtColor(small, cv2.COLOR_RGB2BGR), mask, rect, np.zeros((1, 65), np.float64),
                        np.zeros((1, 65), np.float64), 3, cv2.GC_INIT_WITH_RECT)
            fg = ((mask == cv2.GC_FGD) | (mask == cv2.GC_PR_FGD)).astype(np.float32)
            if k < 1:
                fg = cv2.resize(fg, (crop.shape[1], crop.shape[0]), interpolation=cv2.INTER_LINEAR)
            fg = fg[y0 - cy0:y1 - cy0, x0 - cx0:x1 - cx0]
            share = float((fg > 0.5).mean())
            if not 0.35 <= share <= 0.97:
                fg = None
        except cv2.error:
            fg = None
    if fg is None:  # a feathered ellipse filling the box
        fg = np.zeros((bh, bw), np.float32)
        cv2.ellipse(fg, (bw // 2, bh // 2), (max(1, int(bw * 0.52)), max(1, int(bh * 0.52))), 0, 0, 360, 1.0, -1)
    f = max(1, int(0.04 * min(bw, bh))) * 2 + 1
    return cv2.GaussianBlur(fg, (f, f), 0).clip(0, 1)


class Item:
    __slots__ = ("rgb", "alpha", "cls", "rel_h", "gain_ref")

    def __init__(self, rgb, alpha, cls, rel_h, gain_ref):
        self.rgb, self.alpha, self.cls, self.rel_h, self.gain_ref = rgb, alpha, cls, rel_h, gain_ref


class Background:
    __slots__ = ("img", "emptied", "boxes", "fridge", "median_h", "source")

    def __init__(self, img, emptied, boxes, fridge, median_h, source):
        self.img, self.emptied, self.boxes, self.fridge, self.median_h = img, emptied, boxes, fridge, median_h
        self.source = source


class Synthesizer:
    """Builds the item and background banks from the training photos (never the held-out ones)
    and makes a new scene per call."""

    def __init__(self, train: list[data.Sample], load, fridge_class: int | None, cache_dir: str,
                 p_fridge: float = 0.7, p_table: float = 0.15):
        self.fridge_class = fridge_class
        self.p_fridge, self.p_table = p_fridge, p_table
        self.items: dict[int, list[Item]] = {}
        self.fridges: list[Background] = []
        self.tables: list[Background] = []
        self.plain: list[Background] = []
        os.makedirs(cache_dir, exist_ok=True)
        for s in train:
            img = load(s)
            h, w = img.shape[:2]
            b = s.boxes.copy()
            b[:, 1:] *= [w, h, w, h]
            food = b[b[:, 0] != (fridge_class if fridge_class is not None else -1)]
            key = hashlib.sha1(f"{os.path.realpath(s.path)} {w}x{h} {food.round(2).tolist()}".encode()).hexdigest()[:20]
            cached = os.path.join(cache_dir, key + ".npz")
            if os.path.exists(cached):
                z = np.load(cached)
                img, holes, emptied = z["img"], z["holes"], z["emptied"]
                alphas = [z[f"a{i}"] for i in range(int(z["n"]))]
            else:
                img, holes = clean(s, img)
                alphas = []
                for c, x0, y0, x1, y1 in food:
                    x0, y0, x1, y1 = int(round(x0)), int(round(y0)), int(round(x1)), int(round(y1))
                    ok = x1 - x0 >= 8 and y1 - y0 >= 8 and holes[y0:y1, x0:x1].mean() <= 0.03
                    seed = zlib.crc32(f"{key} {x0} {y0}".encode()) & 0x3FFFFFFF
                    alphas.append(grabcut_alpha(img, (x0, y0, x1, y1), seed) if ok else np.zeros((0, 0), np.float32))
                emptied = img
                if s.source in data.FRIDGE_SOURCES and len(food):
                    m = np.zeros((h, w), np.uint8)
                    for _, x0, y0, x1, y1 in food:
                        m[int(y0):int(np.ceil(y1)), int(x0):int(np.ceil(x1))] = 255
                    emptied = cv2.inpaint(img, cv2.dilate(m, np.ones((5, 5), np.uint8)), 7, cv2.INPAINT_TELEA)
                np.savez(cached + ".tmp.npz", img=img, holes=holes, emptied=emptied, n=len(alphas),
                         **{f"a{i}": a for i, a in enumerate(alphas)})
                os.replace(cached + ".tmp.npz", cached)
            median_h = float(np.median(food[:, 4] - food[:, 2])) if len(food) else 0.0
            mean = img.reshape(-1, 3).mean(0) + 1.0
            for (c, x0, y0, x1, y1), alpha in zip(food, alphas):
                if alpha.size == 0:
                    continue
                x0, y0, x1, y1 = int(round(x0)), int(round(y0)), int(round(x1)), int(round(y1))
                self.items.setdefault(int(c), []).append(
                    Item(img[y0:y1, x0:x1].copy(), alpha, int(c), (y1 - y0) / max(median_h, 1.0), mean))
            if s.source in data.FRIDGE_SOURCES:
                self.fridges.append(Background(img, emptied, food, True, median_h, s.source))
            elif s.source == "negative":
                self.plain.append(Background(img, img, food, False, 0.0, s.source))
            elif s.source == "epicureai":
                self.tables.append(Background(img, img, food, False, median_h, s.source))
        self.classes = sorted(self.items)

    def __call__(self, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
        """A new scene at the background photo's size: image (RGB) and boxes (class, x0, y0, x1, y1) in pixels."""
        r = rng.random()
        pool = self.fridges if r < self.p_fridge or not (self.tables or self.plain) else (
            self.tables if (r < self.p_fridge + self.p_table and self.tables) or not self.plain else self.plain)
        if pool is self.fridges:  # each fridge equally often, however many photos it has
            sources = sorted({b.source for b in pool})
            src = sources[int(rng.integers(len(sources)))]
            pool = [b for b in pool if b.source == src]
        bg = pool[int(rng.integers(len(pool)))]
        img = bg.img.copy()
        h, w = img.shape[:2]
        ids = np.zeros((h, w), np.int16)
        boxes: list[tuple[int, int, int, int, int]] = []  # class, x0, y0, x1, y1 of every item id-1
        sizes: list[int] = []
        # The photo's own items, each kept or removed.
        p_remove = rng.uniform(0.0, 0.8) if bg.fridge else 0.0
        for c, x0, y0, x1, y1 in bg.boxes:
            x0, y0, x1, y1 = int(x0), int(y0), int(np.ceil(x1)), int(np.ceil(y1))
            if rng.random() < p_remove:
                img[y0:y1, x0:x1] = bg.emptied[y0:y1, x0:x1]
                continue
            boxes.append((int(c), x0, y0, x1, y1))
            ids[y0:y1, x0:x1] = len(boxes)
            sizes.append(max(1, (x1 - x0) * (y1 - y0)))
        if bg.fridge and len(bg.boxes):
            shelves = bg.boxes[:, 4]
            span = (float(bg.boxes[:, 1].min()), float(bg.boxes[:, 3].max()))
        else:
            shelves, span = None, (0.0, float(w))
        for _ in range(int(rng.integers(2, 10))):
            c = self.classes[int(rng.integers(len(self.classes)))]
            it = self.items[c][int(rng.integers(len(self.items[c])))]
            ih, iw = it.rgb.shape[:2]
            if bg.median_h > 0:
                th = bg.median_h * it.rel_h * rng.uniform(0.75, 1.3)
            else:
                th = rng.uniform(0.06, 0.22) * max(h, w)
            k = float(np.clip(th / ih, 0.15, 4.0))
            nw, nh = max(6, int(iw * k)), max(6, int(ih * k))
            if nw >= w * 0.5 or nh >= h * 0.4:
                continue
            rgb = cv2.resize(it.rgb, (nw, nh), interpolation=cv2.INTER_AREA if k < 1 else cv2.INTER_LINEAR)
            alpha = cv2.resize(it.alpha, (nw, nh), interpolation=cv2.INTER_LINEAR)
            if rng.random() < 0.5:
                rgb, alpha = rgb[:, ::-1], alpha[:, ::-1]
            # White balance towards the background's, brightness, blur.
            bgmean = img.reshape(-1, 3).mean(0) + 1.0
            gain = (bgmean / it.gain_ref) ** rng.uniform(0.2, 0.8) * rng.uniform(0.8, 1.2)
            rgb = (rgb.astype(np.float32) * gain).clip(0, 255)
            if rng.random() < 0.3:
                rgb = cv2.GaussianBlur(rgb, (3, 3), rng.uniform(0.5, 1.2))
            if shelves is not None:
                y1 = int(shelves[int(rng.integers(len(shelves)))] + rng.normal(0, 0.01 * h))
                y1 = int(np.clip(y1, nh, h))
                lo, hi = int(span[0]), int(span[1]) - nw
                x0 = int(rng.integers(lo, hi)) if hi > lo else int(rng.integers(0, max(1, w - nw)))
            else:
                x0, y1 = int(rng.integers(0, max(1, w - nw))), int(rng.integers(nh, h + 1))
            y0 = y1 - nh
            x0 = int(np.clip(x0, 0, w - nw))
            a = alpha[..., None]
            region = img[y0:y1, x0:x0 + nw].astype(np.float32)
            img[y0:y1, x0:x0 + nw] = (region * (1 - a) + rgb * a).astype(np.uint8)
            solid = alpha > 0.5
            boxes.append((c, x0, y0, x0 + nw, y1))
            ids[y0:y1, x0:x0 + nw][solid] = len(boxes)
            sizes.append(max(1, int(solid.sum())))
        out = []
        if bg.fridge and self.fridge_class is not None:
            out.append([self.fridge_class, 0, 0, w, h])
        for i, (c, x0, y0, x1, y1) in enumerate(boxes):
            sub = ids[y0:y1, x0:x1] == i + 1
            if sub.sum() < MIN_VISIBLE * sizes[i]:
                continue
            ys, xs = np.nonzero(sub)
            out.append([c, x0 + xs.min(), y0 + ys.min(), x0 + xs.max() + 1, y0 + ys.max() + 1])
        return img, np.array(out, np.float32).reshape(-1, 5)
