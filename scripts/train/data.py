"""The fridge data sets: the grocery taxonomy, every labelled photo with its boxes mapped onto it,
the split by scene, and Sightline's letterbox.

Label format everywhere: YOLO txt, `class cx cy w h` normalised to 0..1, class an index into the
folder's `classes.txt`; `Models/grocery-taxonomy.json` maps every folder's names onto one list.
"""
from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass, field

import cv2
import numpy as np

REPO = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
TAXONOMY = os.path.join(REPO, "Models", "grocery-taxonomy.json")
INPUT = 416
PAD = 128


@dataclass
class Sample:
    path: str
    source: str  # smart_refrigerator, epicureai, cntk_grocery, fridgeobjects_icevision
    scene: str  # photos of one scene share this; the split never separates them
    boxes: np.ndarray = field(default_factory=lambda: np.zeros((0, 5), np.float32))  # class, x0, y0, x1, y1 (normalised)

    @property
    def name(self) -> str:
        return os.path.basename(self.path)


def taxonomy() -> tuple[list[str], dict[str, str]]:
    t = json.load(open(TAXONOMY))
    return t["classes"], t["aliases"]


def read_folder(images: str, labels: str, classes_txt: str, source: str, scene_of) -> list[Sample]:
    classes, aliases = taxonomy()
    index = {c: i for i, c in enumerate(classes)}
    names = [l.rstrip("\n") for l in open(classes_txt) if l.strip()]
    mapping = []
    for n in names:
        t = aliases.get(n, n)
        if t not in index:
            raise SystemExit(f"data: class '{n}' of {classes_txt} is not in the taxonomy")
        mapping.append(index[t])
    out = []
    for f in sorted(os.listdir(images)):
        if not f.lower().endswith((".jpg", ".jpeg", ".png")):
            continue
        lab = os.path.join(labels, os.path.splitext(f)[0] + ".txt")
        rows = []
        if os.path.exists(lab):
            for line in open(lab):
                p = line.split()
                if not p:
                    continue
                c, cx, cy, w, h = int(p[0]), *map(float, p[1:5])
                rows.append([mapping[c], cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2])
        boxes = np.clip(np.array(rows, np.float32).reshape(-1, 5), [0, 0, 0, 0, 0], [999, 1, 1, 1, 1])
        out.append(Sample(os.path.join(images, f), source, scene_of(f), boxes))
    return out


# --- scenes -------------------------------------------------------------------------------------

# Smart Refrigerator: the text before `.rf.` is the source photo; all five come from one shoot of
# one arrangement, DSC_5679~DSC_5680 and DSC_5682~DSC_5683 nearly identical (PROVENANCE.md).
SMART_SCENES = {"DSC_5679": "A", "DSC_5680": "A", "DSC_5681": "B", "DSC_5682": "C", "DSC_5683": "D"}


def smart_scene(f: str) -> str:
    base = f.split(".rf.")[0].split("_JPG")[0]
    return "smart:" + SMART_SCENES.get(base, base)


def cntk_scene(f: str) -> str:
    # One fridge, the same 9 objects re-arranged per photo: train_* and test_* are kept apart.
    return "cntk:" + f.split("_")[0]


_SYNONYMS = {"carot": "carrot", "sweetpotato": "sweet-potato", "oats": "oat", "pasta": "spagetti"}


def epicure_scene(f: str) -> str:
    base = f.split(".rf.")[0]
    m = re.match(r"IMG_(\d+)", base)
    if m:  # consecutive shots of the same items: blocks of 8 numbers never straddle the split
        return f"epicure:IMG{int(m.group(1)) // 8}"
    base = re.sub(r"_JPG$|_jpg$", "", base)
    items = [_SYNONYMS.get(t, t) for t in base.split("_") if t and not t.isdigit()]
    return "epicure:" + "+".join(sorted(set(items)))


def icevision_scene(f: str) -> str:
    return "icevision:" + f


def all_samples(data: str) -> list[Sample]:
    s = read_folder(f"{data}/train/images", f"{data}/train/labels", f"{data}/classes.txt", "smart_refrigerator", smart_scene)
    for name, fn in (("epicureai", epicure_scene), ("cntk_grocery", cntk_scene), ("fridgeobjects_icevision", icevision_scene)):
        d = f"{data}/extra/{name}"
        s += read_folder(f"{d}/images", f"{d}/labels", f"{d}/classes.txt", name, fn)
    return s


# Held out: Smart Refrigerator scene D (DSC_5683, the photo least like the others: at most 64% of
# its boxes match a box of another photo), the 5 CNTK test_* arrangements, and every 5th EpicureAi
# scene group (by sorted group name). FridgeObjects is too small to split and trains whole.
def is_validation(s: Sample, epicure_groups: list[str]) -> bool:
    if s.source == "smart_refrigerator":
        return s.scene == "smart:D"
    if s.source == "cntk_grocery":
        return s.scene == "cntk:test"
    if s.source == "epicureai":
        return epicure_groups.index(s.scene) % 5 == 2
    return False


def split(samples: list[Sample]) -> tuple[list[Sample], list[Sample]]:
    groups = sorted({s.scene for s in samples if s.source == "epicureai"})
    val = [s for s in samples if is_validation(s, groups)]
    train = [s for s in samples if not is_validation(s, groups)]
    assert not {s.scene for s in val} & {s.scene for s in train}
    return train, val


def read_name_list(path: str) -> set[str]:
    return {l.split("#")[0].strip() for l in open(path)} - {""}


# --- Sightline's letterbox ------------------------------------------------------------------------


def letterbox_geometry(w: int, h: int, size: int = INPUT) -> tuple[int, int, int, int]:
    """Same arithmetic as Imaging.Letterbox: content size rounded, centred, integer offsets."""
    s = min(size / w, size / h)
    cw = max(1, min(size, int(np.floor(w * s + 0.5))))
    ch = max(1, min(size, int(np.floor(h * s + 0.5))))
    return (size - cw) // 2, (size - ch) // 2, cw, ch


def load_rgb(path: str) -> np.ndarray:
    img = cv2.imread(path, cv2.IMREAD_COLOR)
    if img is None:
        raise SystemExit(f"data: cannot read image {path}")
    return cv2.cvtColor(img, cv2.COLOR_BGR2RGB)


def letterbox(img: np.ndarray, size: int = INPUT) -> tuple[np.ndarray, tuple[int, int, int, int]]:
    h, w = img.shape[:2]
    x, y, cw, ch = letterbox_geometry(w, h, size)
    out = np.full((size, size, 3), PAD, np.uint8)
    out[y:y + ch, x:x + cw] = cv2.resize(img, (cw, ch), interpolation=cv2.INTER_LINEAR)
    return out, (x, y, cw, ch)


def to_tensor_array(img: np.ndarray) -> np.ndarray:
    """HWC uint8 RGB -> CHW float32 /255, as Sightline feeds the model (mean 0, std 1, scale 1/255)."""
    return np.ascontiguousarray(img.transpose(2, 0, 1), dtype=np.float32) / 255.0
