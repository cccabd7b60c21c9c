"""Leave-one-group-out validation of a training recipe: three folds (data.FOLDS), each trained
without one group of every source, each scored by Sightline itself on the photos it held out.

    .venv-train/bin/python scripts/train/folds.py run NAME --data DIR --minutes M [--sizes 416,608] -- TRAIN_ARGS...
    .venv-train/bin/python scripts/train/folds.py evaluate NAME --data DIR [--sizes ...]   # again, on trained folds
    .venv-train/bin/python scripts/train/folds.py report NAME... [--sizes S]               # the tables
    .venv-train/bin/python scripts/train/folds.py cost RUN_FOLDER --sizes 416,512,608 [--rounds N]
    .venv-train/bin/python scripts/train/folds.py scene NAME [--sizes S]; ... scene-report NAME   # the scene step
    .venv-train/bin/python scripts/train/folds.py fridge MODELS_DIR MODEL           # its fridge class on every photo

`run` trains fold F1, F2, F3 in turn (train.py with --holdout, the rest of the arguments passed
on), each into .train-runs/NAME/F<k>/, then evaluates it. Evaluation runs the release build of
`sightline` (build it with `swift build -c release --product sightline`):

- `sightline eval --models-dir F<k>/models --model M --only <held-out list> <folder>` per source
  (Smart Refrigerator, CNTK, EpicureAi, FridgeObjects): mAP@0.5 and per-class AP, as the
  project reports them; CNTK is scored from F1 (test_*) and F2 (train_*) only, since F3 holds
  the whole fridge out (its groceries would have no example there);
- `sightline detect --json --score 0.05` on every held-out photo (the path an independent check
  takes): the fridge class's best score per photo, every detection for the pooled figures, and
  the inference time per frame.

Model M is the fold's export at each --sizes input (the trained weights run at any size; the
model folder's manifest and cfg say which), named grocery-yolov3-tiny-SIZE.
Results go to F<k>/eval-SIZE.json; `report` pools the three folds: mAP@0.5 per source from the
pooled detections (metrics.py, COCO's computation, as `sightline eval`), the mean of the folds'
`sightline eval` figures, per-class AP, and the fridge class on fridge and non-fridge photos.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time

import numpy as np

sys.path.insert(0, os.path.dirname(__file__))
import data  # noqa: E402
import export  # noqa: E402
import metrics  # noqa: E402

RUNS = os.path.join(data.REPO, ".train-runs")
SIGHTLINE = os.path.join(data.REPO, ".build", "release", "sightline")
FOLDERS = {"smart_refrigerator": "train", "cntk_grocery": "extra/cntk_grocery", "epicureai": "extra/epicureai",
           "fridgeobjects_icevision": "extra/fridgeobjects_icevision"}
# Photos with neither fridge nor groceries that no fold ever trains on (data.SAMPLE_NEGATIVES are
# held out by one fold each).
NEVER_TRAINED = ["fruits", "stuff"]
FRIDGE_SCORE = 0.5  # the scene step's storageMinScore in Models/chains/fridge.json


def fold_samples(data_dir: str):
    samples = data.all_samples(data_dir) + data.sample_photos(data.SAMPLE_NEGATIVES)
    return samples, data.epicure_groups(samples)


def plan(data_dir: str, root: str) -> dict[str, dict[str, list[str]]]:
    """Writes root/F<k>/heldout.txt (what train.py --holdout takes) and returns, per fold and
    source, the held-out photo names."""
    samples, groups = fold_samples(data_dir)
    out = {}
    for fold in data.FOLDS:
        held = [s for s in samples if data.held_out_by(s, fold, groups)]
        os.makedirs(os.path.join(root, fold), exist_ok=True)
        with open(os.path.join(root, fold, "heldout.txt"), "w") as f:
            f.write(f"# fold {fold}: the photos this training never sees (scripts/train/data.py, held_out_by)\n")
            for s in held:
                f.write((s.scene if s.scene.startswith("sample:") else s.name) + "\n")
        by = {}
        for s in held:
            if s.scene.startswith("sample:"):
                by.setdefault("samples", []).append(s.scene.split(":", 1)[1])
            else:
                by.setdefault(s.source, []).append(s.name)
        out[fold] = by
    return out


def trained_classes(data_dir: str, fold: str) -> set[str]:
    """The grocery classes with at least one box in the photos fold `fold` trains on: only they
    can count (a class with no example cannot be found)."""
    samples, groups = fold_samples(data_dir)
    classes, _ = data.taxonomy()
    return {classes[int(c)] for s in samples if not data.held_out_by(s, fold, groups) for c in s.boxes[:, 0]}


def sh(cmd: list[str]) -> str:
    r = subprocess.run(cmd, capture_output=True, text=True)
    if r.returncode != 0:
        raise SystemExit(f"folds: {' '.join(cmd[:3])} … failed ({r.returncode}): {r.stderr.strip()[-800:]}")
    return r.stdout


def tag(size: int, floor: float) -> str:
    return f"{size}" + ("" if floor == export.CLASS_FLOOR else f"-floor{floor:g}")


def evaluate(data_dir: str, run: str, fold: str, sizes: list[int], held: dict[str, list[str]],
             floor: float = export.CLASS_FLOOR) -> None:
    info = json.load(open(os.path.join(run, "export.json")))
    samples_by_name = {s.name: s for s in data.all_samples(data_dir)}
    photos = dict(line.rstrip("\n").split("\t")[:2] for line in open(os.path.join(data.REPO, "Samples", "photos.tsv"))
                  if line.strip() and not line.startswith("#"))
    trained = ",".join(sorted(trained_classes(data_dir, fold)))
    for size in sizes:
        name = f"{export.NAME}-{tag(size, floor)}"
        export.model_folder(run, size, info, name=name, floor=floor)
        models = os.path.join(run, "models")
        result = {"fold": fold, "size": size, "trained": trained.split(","), "eval": {}, "images": {}}
        for source, folder in FOLDERS.items():
            names = held.get(source, [])
            if not names or (source == "cntk_grocery" and fold == "F3"):
                continue
            only = os.path.join(run, f"heldout-{source}.txt")
            open(only, "w").write("\n".join(names) + "\n")
            out = sh([SIGHTLINE, "eval", "--models-dir", models, "--model", name, "--only", only, "--json",
                      "--classes", trained, os.path.join(data_dir, folder)])
            result["eval"][source] = json.loads(out)["report"]
        # Every held-out photo through `sightline detect`, the fridge photos of F3's CNTK included.
        paths = [samples_by_name[n].path for src, ns in held.items() if src != "samples" for n in ns]
        paths += [photos[n] for n in held.get("samples", []) + NEVER_TRAINED]
        for i in range(0, len(paths), 40):
            out = sh([SIGHTLINE, "detect", "--models-dir", models, "--model", name, "--json", "--score", "0.05"] + paths[i:i + 40])
            for line in out.splitlines():
                r = json.loads(line)
                result["images"][r["image"]] = {"detections": r["detections"], "inference": r["timings"]["inference"],
                                                "width": r["width"], "height": r["height"]}
        json.dump(result, open(os.path.join(run, f"eval-{tag(size, floor)}.json"), "w"))
        print(f"folds: {fold} at {tag(size, floor)}: " + ", ".join(f"{k} mAP@0.5 {v['map50']:.3f}" for k, v in result["eval"].items()
                                                       if v.get("map50") is not None), flush=True)


# --- report -------------------------------------------------------------------------------------


def source_of(path: str) -> str:
    for source, folder in FOLDERS.items():
        if f"/{folder}/images/" in path:
            return source
    return "samples"


def pooled(results: list[dict], data_dir: str, score: float, only_trained: bool = True) -> dict:
    """mAP per source from the detections of all folds pooled (each photo scored by the fold that
    held it out), keeping detections with score >= `score` (what `detect --json` at that
    threshold would print); with `only_trained`, a photo's boxes (and detections) of classes its
    fold had no example of are left out, as the folds' `sightline eval --classes` does."""
    classes, aliases = data.taxonomy()
    index = {c: i for i, c in enumerate(classes)}
    truth = {s.path: s for s in data.all_samples(data_dir)}
    by_source: dict[str, tuple[list, list]] = {}
    for r in results:
        for path, im in r["images"].items():
            source = source_of(path)
            if source in ("samples",) or (source == "cntk_grocery" and r["fold"] == "F3"):
                continue
            s = truth[path]
            w, h = im["width"], im["height"]
            keep = {index[c] for c in r["trained"]} if only_trained else set(range(len(classes)))
            g = s.boxes[np.isin(s.boxes[:, 0], list(keep))].copy()
            g[:, 1:] *= [w, h, w, h]
            d = [[index[aliases.get(x["label"], x["label"])], x["score"], x["box"]["x"], x["box"]["y"],
                  x["box"]["x"] + x["box"]["width"], x["box"]["y"] + x["box"]["height"]]
                 for x in im["detections"] if x["score"] >= score and x["label"] != data.FRIDGE
                 and index[aliases.get(x["label"], x["label"])] in keep]
            dets, gts = by_source.setdefault(source, ([], []))
            dets.append(np.array(d, np.float32).reshape(-1, 6))
            gts.append(g)
    return {src: metrics.evaluate(d, g, classes) for src, (d, g) in by_source.items()}


def fridge_scores(results: list[dict]) -> dict[str, list[tuple[str, float]]]:
    out: dict[str, list[tuple[str, float]]] = {}
    for r in results:
        for path, im in r["images"].items():
            best = max([x["score"] for x in im["detections"] if x["label"] == data.FRIDGE], default=0.0)
            source = source_of(path)
            if source == "cntk_grocery" and r["fold"] == "F3":
                source = "cntk_grocery (F3: fridge never seen)"
            out.setdefault(source, []).append((os.path.basename(path), best))
    return out


def report(names: list[str], data_dir: str, size: int, score: float, classes_out: bool, floor: float) -> None:
    for name in names:
        results = []
        for fold in data.FOLDS:
            p = os.path.join(RUNS, name, fold, f"eval-{tag(size, floor)}.json")
            if os.path.exists(p):
                results.append(json.load(open(p)))
        if not results:
            print(f"{name}: no evaluation at {size}")
            continue
        print(f"== {name} at {tag(size, floor)}, detections >= {score:g} ({len(results)} folds: {', '.join(r['fold'] for r in results)})")
        every = pooled(results, data_dir, score, only_trained=False)
        for src, r in sorted(pooled(results, data_dir, score).items()):
            per_fold = [f"{x['fold']} {x['eval'][src]['map50']:.3f}" for x in results if src in x["eval"] and x["eval"][src].get("map50") is not None]
            n_img = sum(1 for x in results for p in x["images"] if source_of(p) == src and not (src == "cntk_grocery" and x["fold"] == "F3"))
            print(f"  {src:<24} pooled mAP@0.5 {r['map50']:.3f}  mAP@0.5:0.95 {r['map']:.3f}  ({n_img} photos, {len(r['classes'])} classes)"
                  f"   sightline eval per fold: {', '.join(per_fold)}   (every class with ground truth: {every[src]['map50']:.3f})")
            if classes_out:
                for c, v in r["classes"].items():
                    print(f"      {c:<14}{v['gt']:>5}{v['ap50']:>8.3f}{v['recall']:>8.3f}")
        counts = [sum(1 for d in im["detections"] if d["score"] >= score and d["label"] != data.FRIDGE)
                  for x in results for p, im in x["images"].items() if source_of(p) in data.FRIDGE_SOURCES]
        print(f"  grocery boxes per fridge photo at score >= {score:g}: median {float(np.median(counts)):.0f}, "
              f"max {max(counts)} ({len(counts)} photos)")
        times = [im["inference"] for x in results for im in x["images"].values()]
        print(f"  inference per frame (sightline detect, median of {len(times)}): {1000 * float(np.median(times)):.1f} ms")
        for src, v in sorted(fridge_scores(results).items()):
            n_yes = sum(1 for _, s in v if s >= FRIDGE_SCORE)
            worst = sorted(v, key=lambda t: t[1])
            if src.startswith(("smart", "cntk")):
                shown = ", ".join(f"{n} {s:.2f}" for n, s in worst[:3])
                print(f"  fridge_interior >= {FRIDGE_SCORE} on {n_yes}/{len(v)} {src} photos (lowest: {shown})")
            else:
                shown = ", ".join(f"{n} {s:.2f}" for n, s in worst[::-1][:3])
                print(f"  fridge_interior >= {FRIDGE_SCORE} on {n_yes}/{len(v)} {src} photos (false positives; highest: {shown})")


def scene(data_dir: str, run: str, fold: str, size: int, held: dict[str, list[str]], floor: float) -> dict:
    """`sightline explain` (the fridge chain, the fold's model alone as its detector set) on every
    photo the fold held out: does the scene step say food storage? Written to
    F<k>/scene-SIZE.json as {photo: [food storage?, scene score]}."""
    info = json.load(open(os.path.join(run, "export.json")))
    name = f"{export.NAME}-{tag(size, floor)}"
    export.model_folder(run, size, info, name=name, floor=floor)
    samples_by_name = {s.name: s for s in data.all_samples(data_dir)}
    photos = dict(line.rstrip("\n").split("\t")[:2] for line in open(os.path.join(data.REPO, "Samples", "photos.tsv"))
                  if line.strip() and not line.startswith("#"))
    paths = [samples_by_name[n].path for src, ns in held.items() if src != "samples" for n in ns]
    paths += [photos[n] for n in held.get("samples", []) + NEVER_TRAINED]
    out = {}
    for path in paths:
        trace = json.loads(sh([SIGHTLINE, "explain", path, "--json", "--profile", os.path.join(data.REPO, "Samples", "profiles", "deficit.json"),
                               "--today", "2026-11-22", "--models-dir", os.path.join(run, "models"), "--model", name,
                               "--chain", os.path.join(data.REPO, "Models", "chains", "fridge.json"),
                               "--knowledge", os.path.join(data.REPO, "Models", "nutrition.json"), "--sink", "jsonl:/dev/null"]))
        fact = next(f for st in trace["steps"] if st["id"] == "scene" for f in st["outputs"])
        yes = fact["value"]["value"]
        out[path] = [yes, fact["confidence"] if yes else 1 - fact["confidence"]]
    json.dump(out, open(os.path.join(run, f"scene-{tag(size, floor)}.json"), "w"))
    return out


def scene_report(names: list[str], size: int, floor: float) -> None:
    for name in names:
        rows: dict[str, list[tuple[str, bool, float]]] = {}
        for fold in data.FOLDS:
            p = os.path.join(RUNS, name, fold, f"scene-{tag(size, floor)}.json")
            if not os.path.exists(p):
                continue
            for path, (yes, score) in json.load(open(p)).items():
                src = source_of(path)
                if src == "cntk_grocery" and fold == "F3":
                    src = "cntk_grocery (F3: fridge never seen)"
                rows.setdefault(src, []).append((os.path.basename(path), yes, score))
        print(f"== {name} at {tag(size, floor)}: sightline explain, scene step says food storage on")
        for src, v in sorted(rows.items()):
            n = sum(1 for _, y, _ in v if y)
            fridge = src.startswith(("smart", "cntk"))
            odd = [f"{p} {s:.2f}" for p, y, s in sorted(v, key=lambda t: t[2], reverse=not fridge) if y != fridge][:4]
            print(f"  {n}/{len(v)} {src} photos ({'fridge' if fridge else 'no fridge'})" + (f"; {'missed' if fridge else 'wrong'}: {', '.join(odd)}" if odd else ""))


def cost(run: str, sizes: list[int], rounds: int, data_dir: str) -> None:
    """The cost per analysed frame at each input size, in one run: `sightline detect --json` on
    the same 10 fridge photos per size, sizes alternating in order and reverse order each round
    so a change of machine load hits them alike; median per-stage times and the ratio to the
    first size."""
    info = json.load(open(os.path.join(run, "export.json")))
    models = os.path.join(run, "models")
    for size in sizes:
        export.model_folder(run, size, info, name=f"{export.NAME}-{size}")
    fridge = sorted((s for s in data.all_samples(data_dir) if s.source in data.FRIDGE_SOURCES), key=lambda s: s.name)
    photos = [s.path for s in fridge[::max(1, len(fridge) // 10)]][:10]
    times: dict[int, dict[str, list[float]]] = {z: {"preprocess": [], "inference": [], "decode": []} for z in sizes}
    for r in range(rounds):
        for size in (sizes if r % 2 == 0 else sizes[::-1]):
            out = sh([SIGHTLINE, "detect", "--models-dir", models, "--model", f"{export.NAME}-{size}", "--json"] + photos)
            for line in out.splitlines():
                t = json.loads(line)["timings"]
                for k in times[size]:
                    times[size][k].append(t[k])
    ref = float(np.median(times[sizes[0]]["inference"]))
    print(f"cost per analysed frame, {len(photos)} fridge photos x {rounds} rounds, sizes interleaved "
          f"(sightline detect --json, 1 OpenCV thread; load average {os.getloadavg()[0]:.1f}):")
    for size in sizes:
        m = {k: 1000 * float(np.median(v)) for k, v in times[size].items()}
        print(f"  {size}: inference {m['inference']:.1f} ms ({m['inference'] / 1000 / ref:.2f}x {sizes[0]}), "
              f"preprocess {m['preprocess']:.1f} ms, decode+NMS {m['decode']:.2f} ms")


def fridge_everywhere(models: str, model: str, data_dir: str) -> None:
    """The fridge class of one model on every photo there is: each data folder's photos, the
    negatives of negatives.tsv and every sample photo, through `sightline detect --json`; per
    source, how many reach the scene step's FRIDGE_SCORE and the extremes. For the shipped
    model most of these photos are training photos (its held-out figures are the folds')."""
    paths: dict[str, list[str]] = {}
    for s in data.all_samples(data_dir) + data.negative_samples():
        if s.path.lower().endswith((".jpg", ".jpeg")):  # sightline reads JPEG; a few negatives are PNG
            paths.setdefault(s.source, []).append(s.path)
    photos = [line.rstrip("\n").split("\t") for line in open(os.path.join(data.REPO, "Samples", "photos.tsv"))
              if line.strip() and not line.startswith("#")]
    paths["samples (trained on as negatives)"] = [p for n, p, *_ in photos if n in data.SAMPLE_NEGATIVES]
    paths["samples (never trained on)"] = [p for n, p, *_ in photos if n in NEVER_TRAINED]
    print(f"fridge_interior of {model} (sightline detect --json), photos at >= {FRIDGE_SCORE}:")
    for source, ps in paths.items():
        best = {}
        for i in range(0, len(ps), 32):
            for line in sh([SIGHTLINE, "detect", "--models-dir", models, "--model", model, "--json", "--score", "0.05"] + ps[i:i + 32]).splitlines():
                r = json.loads(line)
                best[os.path.basename(r["image"])] = max([d["score"] for d in r["detections"] if d["label"] == data.FRIDGE], default=0.0)
        n = sum(1 for v in best.values() if v >= FRIDGE_SCORE)
        fridge = source in data.FRIDGE_SOURCES
        extreme = sorted(best.items(), key=lambda kv: kv[1], reverse=not fridge)[:3]
        print(f"  {source:<36} {n}/{len(best)} ({'lowest' if fridge else 'highest'}: "
              + ", ".join(f"{k[:28]} {v:.2f}" for k, v in extreme) + ")")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("command", choices=["plan", "run", "evaluate", "report", "cost", "scene", "scene-report", "fridge"])
    ap.add_argument("names", nargs="+", help="run name(s) under .train-runs/")
    ap.add_argument("--data", default=os.path.join(data.REPO, "..", "shared", "data", "fridge"))
    ap.add_argument("--sizes", default="416")
    ap.add_argument("--folds", default=",".join(data.FOLDS))
    ap.add_argument("--score", type=float, default=0.25, help="report: keep detections scoring at least this")
    ap.add_argument("--classes", action="store_true", help="report: per-class AP and recall")
    ap.add_argument("--rounds", type=int, default=5, help="cost: rounds over the sizes")
    ap.add_argument("--floor", type=float, default=export.CLASS_FLOOR,
                    help="evaluate/report: the class-score floor in the evaluated cfg (OpenCV's thresh, 0.2 by default)")
    a, train_args = ap.parse_known_args()
    if train_args and train_args[0] == "--":
        train_args = train_args[1:]
    sizes = [int(x) for x in a.sizes.split(",")]
    if a.command == "report":
        for size in sizes:
            report(a.names, a.data, size, a.score, a.classes, a.floor)
        return
    if a.command == "scene-report":
        for size in sizes:
            scene_report(a.names, size, a.floor)
        return
    if a.command == "fridge":  # names: MODELS_DIR MODEL
        fridge_everywhere(a.names[0], a.names[1], a.data)
        return
    if a.command == "cost":
        cost(a.names[0], sizes, a.rounds, a.data)
        return
    name = a.names[0]
    root = os.path.join(RUNS, name)
    held = plan(a.data, root)
    for fold in a.folds.split(","):
        run = os.path.join(root, fold)
        if a.command == "run":
            t = time.time()
            with open(os.path.join(run, "train.log"), "w") as log:
                r = subprocess.run([sys.executable, os.path.join(os.path.dirname(__file__), "train.py"), "--data", a.data,
                                    "--out", run, "--holdout", os.path.join(run, "heldout.txt")] + train_args,
                                   stdout=log, stderr=subprocess.STDOUT)
            if r.returncode:
                raise SystemExit(f"folds: training {fold} failed, see {run}/train.log")
            print(f"folds: {name} {fold} trained in {(time.time() - t) / 60:.1f} min", flush=True)
        if a.command in ("run", "evaluate"):
            evaluate(a.data, run, fold, sizes, held[fold], a.floor)
        if a.command == "scene":
            for size in sizes:
                scene(a.data, run, fold, size, held[fold], a.floor)


if __name__ == "__main__":
    main()
