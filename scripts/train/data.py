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
# The class that says "this view is the inside of a fridge": one box over the whole photo of every
# fridge-interior photo (it is the last class of the taxonomy, so 0-46 keep their meaning).
FRIDGE = "fridge_interior"
FRIDGE_SOURCES = ("smart_refrigerator", "cntk_grocery", "teach")  # teach: the wearer's own (teach.py)
# Photos without a fridge and without groceries (`negative` source): real photos from Debian
# packages that scripts/setup installs, listed with their sha256 in scripts/train/negatives.tsv.
NEGATIVES = os.path.join(os.path.dirname(os.path.abspath(__file__)), "negatives.tsv")


@dataclass
class Sample:
    path: str
    source: str  # smart_refrigerator, epicureai, cntk_grocery, fridgeobjects_icevision, negative
    scene: str  # photos of one arrangement (or near-duplicates of it) share this; no split separates them
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
# one fridge. DSC_5679 is a near-duplicate of DSC_5680 (75% of its boxes match one of the same
# class at IoU > 0.5) and DSC_5683 of DSC_5682 (64%) (PROVENANCE.md): each pair is one group.
SMART_SCENES = {"DSC_5679": "5679+5680", "DSC_5680": "5679+5680", "DSC_5681": "5681", "DSC_5682": "5682+5683",
                "DSC_5683": "5682+5683"}


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


def with_fridge_box(s: Sample) -> Sample:
    """A fridge-interior photo gets one more box: the fridge class over the whole photo."""
    if s.source in FRIDGE_SOURCES:
        fridge = taxonomy()[0].index(FRIDGE)
        s.boxes = np.concatenate([s.boxes, np.array([[fridge, 0, 0, 1, 1]], np.float32)])
    return s


def negative_samples() -> list[Sample]:
    """The photos of negatives.tsv (no fridge, no groceries), each its own scene, checked
    against their sha256 so a changed package is noticed."""
    import hashlib

    out = []
    for line in open(NEGATIVES):
        if not line.strip() or line.startswith("#"):
            continue
        name, path, sha = line.rstrip("\n").split("\t")[:3]
        if not os.path.exists(path):
            raise SystemExit(f"data: negative photo '{name}' missing: {path} (scripts/setup installs it)")
        if hashlib.sha256(open(path, "rb").read()).hexdigest() != sha:
            raise SystemExit(f"data: negative photo '{name}' ({path}) does not match its sha256 in {NEGATIVES}")
        out.append(Sample(path, "negative", "negative:" + name))
    return out


def sample_photos(names: list[str]) -> list[Sample]:
    """Photos of Samples/photos.tsv by name, as samples without boxes."""
    rows = {}
    for line in open(os.path.join(REPO, "Samples", "photos.tsv")):
        if line.strip() and not line.startswith("#"):
            p = line.rstrip("\n").split("\t")
            rows[p[0]] = p[1]
    return [Sample(rows[n], "negative", "sample:" + n) for n in names]


# The sample photos with neither a fridge nor groceries in them (fruits and stuff are not
# negatives: fruits.jpg shows fruit nobody boxed, and both stay out of training as test photos).
SAMPLE_NEGATIVES = ["dog", "eagle", "giraffe", "horses", "kite", "person", "messi5"]


def all_samples(data: str, fridge_box: bool = False) -> list[Sample]:
    """Every labelled photo of the data folder; with `fridge_box`, fridge-interior photos carry
    the fridge class's box as well."""
    s = read_folder(f"{data}/train/images", f"{data}/train/labels", f"{data}/classes.txt", "smart_refrigerator", smart_scene)
    for name, fn in (("epicureai", epicure_scene), ("cntk_grocery", cntk_scene), ("fridgeobjects_icevision", icevision_scene)):
        d = f"{data}/extra/{name}"
        if not os.path.isdir(f"{d}/images"):  # a slice of the data (Samples/fridge) has no extras
            continue
        s += read_folder(f"{d}/images", f"{d}/labels", f"{d}/classes.txt", name, fn)
    return [with_fridge_box(x) for x in s] if fridge_box else s


def epicure_groups(samples: list[Sample]) -> list[str]:
    return sorted({s.scene for s in samples if s.source == "epicureai"})


# The shipped model's own held-out set: every 5th EpicureAi scene group (by sorted group name).
# Every fridge photo trains it (the fridge class needs them all); the fridge figures come from
# the leave-one-group-out folds below.
def is_validation(s: Sample, groups: list[str]) -> bool:
    return s.source == "epicureai" and groups.index(s.scene) % 5 == 2


def split(samples: list[Sample]) -> tuple[list[Sample], list[Sample]]:
    groups = epicure_groups(samples)
    val = [s for s in samples if is_validation(s, groups)]
    train = [s for s in samples if not is_validation(s, groups)]
    assert not {s.scene for s in val} & {s.scene for s in train}
    return train, val


# --- leave-one-group-out folds ----------------------------------------------------------------------
#
# Three folds; each holds out one group of every source at once, so every photo is held out by
# exactly one fold (CNTK twice: see F3) and three trainings measure every source:
#   Smart Refrigerator by source photo, near-duplicates merged: 5679+5680 | 5681 | 5682+5683;
#   CNTK: test_* (5 arrangements) | train_* (20) | all 25 (F3: a fridge never seen, for the
#   fridge class; its groceries are scored from F1 and F2 only);
#   EpicureAi: scene groups by sorted index mod 3; FridgeObjects: two photos a fold;
#   the sample photos without a fridge: three a fold (fruits and stuff are never trained on).
FOLDS = ("F1", "F2", "F3")
_SMART_FOLD = {"smart:5679+5680": "F1", "smart:5681": "F2", "smart:5682+5683": "F3"}
_SAMPLE_FOLD = {"dog": "F1", "eagle": "F1", "giraffe": "F1", "horses": "F2", "kite": "F2", "person": "F2", "messi5": "F3"}


def held_out_by(s: Sample, fold: str, groups: list[str]) -> bool:
    k = FOLDS.index(fold)
    if s.source == "smart_refrigerator":
        return _SMART_FOLD[s.scene] == fold
    if s.source == "cntk_grocery":
        return fold == "F3" or (s.scene == "cntk:test") == (fold == "F1")
    if s.source == "epicureai":
        return groups.index(s.scene) % 3 == k
    if s.source == "fridgeobjects_icevision":
        return (int(re.sub(r"\D", "", s.name)) - 10) // 2 == k
    if s.scene.startswith("sample:"):
        return _SAMPLE_FOLD[s.scene.split(":", 1)[1]] == fold
    return False  # negatives.tsv photos train every fold


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
