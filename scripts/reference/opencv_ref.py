#!/usr/bin/python3
"""Independent reference computations with Debian's OpenCV 4.6 (python3-opencv).

Sightline's tests and benchmarks call this to compare their own results with OpenCV's on the
same input, in the same run. Outputs are raw little-endian arrays; the shape goes to stdout as
JSON. Single-threaded (cv2.setNumThreads(1)) so timings compare like with like.

  decode IMAGE OUT [--reduce N]          RGB bytes, HxWx3, of cv2.imdecode (IMREAD_REDUCED_COLOR_N)
  tensor IMAGE OUT --size S [--fit F] [--pad P] [--bgr]
                                         float32 NCHW: letterbox/stretch with cv2.resize
                                         (INTER_LINEAR) + cv2.dnn.blobFromImage(scale 1/255)
  bench IMAGE... --size S --iterations N time OpenCV's paths; prints JSON medians in ns
  detect-tensor CFG WEIGHTS TENSOR.npy   a Darknet net on a given NCHW tensor: argmax class,
                                         class-wise cv2.dnn.NMSBoxes; boxes in input pixels
  detect-model CFG WEIGHTS IMAGE         cv2.dnn_DetectionModel with OpenCV's own preprocessing
                                         (resize to the input size, 1/255, swapRB); image pixels
  bench-detect CFG WEIGHTS IMAGE...      time OpenCV doing the whole detection job itself
"""
import argparse
import json
import sys
import time

import cv2
import numpy as np

cv2.setNumThreads(1)

REDUCED = {1: cv2.IMREAD_COLOR, 2: cv2.IMREAD_REDUCED_COLOR_2, 4: cv2.IMREAD_REDUCED_COLOR_4,
           8: cv2.IMREAD_REDUCED_COLOR_8}


def read_bytes(path):
    with open(path, "rb") as f:
        return np.frombuffer(f.read(), dtype=np.uint8)


def decode(data, reduce=1):
    img = cv2.imdecode(data, REDUCED[reduce])
    if img is None:
        raise SystemExit("opencv_ref: cv2.imdecode failed")
    return img


def letterbox_geometry(w, h, size, fit):
    if fit == "stretch":
        return 0, 0, size, size
    s = min(size / w, size / h)
    cw = max(1, min(size, int(round(w * s))))
    ch = max(1, min(size, int(round(h * s))))
    return (size - cw) // 2, (size - ch) // 2, cw, ch


def to_tensor(img_bgr, size, fit, pad, bgr):
    h, w = img_bgr.shape[:2]
    x, y, cw, ch = letterbox_geometry(w, h, size, fit)
    resized = cv2.resize(img_bgr, (cw, ch), interpolation=cv2.INTER_LINEAR)
    if fit == "letterbox":
        resized = cv2.copyMakeBorder(resized, y, size - ch - y, x, size - cw - x,
                                     cv2.BORDER_CONSTANT, value=(pad, pad, pad))
    return cv2.dnn.blobFromImage(resized, scalefactor=1 / 255.0, swapRB=not bgr)


def median_ns(fn, iterations):
    for _ in range(3):
        fn()
    samples = []
    for _ in range(iterations):
        t0 = time.perf_counter_ns()
        fn()
        samples.append(time.perf_counter_ns() - t0)
    samples.sort()
    return samples[len(samples) // 2]


def main():
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="cmd", required=True)
    d = sub.add_parser("decode")
    d.add_argument("image")
    d.add_argument("out")
    d.add_argument("--reduce", type=int, default=1, choices=[1, 2, 4, 8])
    t = sub.add_parser("tensor")
    t.add_argument("image")
    t.add_argument("out")
    t.add_argument("--size", type=int, default=416)
    t.add_argument("--fit", default="letterbox", choices=["letterbox", "stretch"])
    t.add_argument("--pad", type=int, default=128)
    t.add_argument("--bgr", action="store_true")
    b = sub.add_parser("bench")
    b.add_argument("images", nargs="+")
    b.add_argument("--size", type=int, default=416)
    b.add_argument("--iterations", type=int, default=50)
    b.add_argument("--yuyv", help="also time a raw YUYV frame from this file -> tensor")
    b.add_argument("--yuyv-size", default="640x480")
    b.add_argument("--nv12", action="append", default=[],
                   help="also time raw NV12 frames from FILE:WIDTHxHEIGHT -> tensor (repeatable)")
    for name in ("detect-tensor", "detect-model", "bench-detect"):
        p = sub.add_parser(name)
        p.add_argument("cfg")
        p.add_argument("weights")
        p.add_argument("inputs", nargs="+")
        p.add_argument("--size", type=int, default=416)
        p.add_argument("--score", type=float, default=0.25)
        p.add_argument("--nms", type=float, default=0.45)
        p.add_argument("--iterations", type=int, default=20)
    args = ap.parse_args()

    if args.cmd in ("detect-tensor", "detect-model", "bench-detect"):
        net = cv2.dnn.readNetFromDarknet(args.cfg, args.weights)
        net.setPreferableBackend(cv2.dnn.DNN_BACKEND_OPENCV)
        net.setPreferableTarget(cv2.dnn.DNN_TARGET_CPU)
        if args.cmd == "detect-tensor":
            blob = np.load(args.inputs[0]).astype(np.float32)
            net.setInput(blob)
            outs = net.forward(net.getUnconnectedOutLayersNames())
            h, w = blob.shape[2], blob.shape[3]
            boxes, scores, classes = [], [], []
            for out in outs:
                for row in out:
                    c = int(np.argmax(row[5:]))
                    sc = float(row[5 + c])
                    if sc >= args.score and sc > 0:
                        bw, bh = float(row[2]) * w, float(row[3]) * h
                        boxes.append([float(row[0]) * w - bw / 2, float(row[1]) * h - bh / 2, bw, bh])
                        scores.append(sc)
                        classes.append(c)
            result = []
            for c in sorted(set(classes)):
                idx = [i for i in range(len(boxes)) if classes[i] == c]
                keep = cv2.dnn.NMSBoxes([boxes[i] for i in idx], [scores[i] for i in idx], args.score, args.nms)
                for k in np.array(keep).flatten():
                    i = idx[int(k)]
                    result.append({"classID": c, "score": scores[i], "box": boxes[i]})
            json.dump(result, sys.stdout)
        elif args.cmd == "detect-model":
            model = cv2.dnn_DetectionModel(net)
            model.setInputParams(scale=1 / 255.0, size=(args.size, args.size), swapRB=True)
            img = cv2.imread(args.inputs[0])
            ids, confs, boxes = model.detect(img, confThreshold=args.score, nmsThreshold=args.nms)
            result = [{"classID": int(i), "score": float(s), "box": [float(v) for v in b]}
                      for i, s, b in zip(np.array(ids).flatten(), np.array(confs).flatten(), boxes)]
            json.dump(result, sys.stdout)
        else:
            model = cv2.dnn_DetectionModel(net)
            model.setInputParams(scale=1 / 255.0, size=(args.size, args.size), swapRB=True)
            results = {}
            for path in args.inputs:
                data = read_bytes(path)

                def whole():
                    model.detect(cv2.imdecode(data, cv2.IMREAD_COLOR), confThreshold=args.score,
                                 nmsThreshold=args.nms)

                blob = cv2.dnn.blobFromImage(cv2.imdecode(data, cv2.IMREAD_COLOR), 1 / 255.0,
                                             (args.size, args.size), swapRB=True)
                names = net.getUnconnectedOutLayersNames()

                def bare():
                    net.setInput(blob)
                    net.forward(names)

                results[path] = {"opencv_whole": median_ns(whole, args.iterations),
                                 "opencv_forward": median_ns(bare, args.iterations)}
            json.dump(results, sys.stdout)
        return

    if args.cmd == "decode":
        img = decode(read_bytes(args.image), args.reduce)
        rgb = np.ascontiguousarray(img[:, :, ::-1])
        rgb.tofile(args.out)
        json.dump({"width": rgb.shape[1], "height": rgb.shape[0]}, sys.stdout)
    elif args.cmd == "tensor":
        blob = to_tensor(decode(read_bytes(args.image)), args.size, args.fit, args.pad, args.bgr)
        blob.astype("<f4").tofile(args.out)
        json.dump({"shape": list(blob.shape)}, sys.stdout)
    else:
        results = {}
        for path in args.images:
            data = read_bytes(path)
            size = args.size

            def plain():
                # What most people write: full decode, then blobFromImage resizes (stretch).
                cv2.dnn.blobFromImage(cv2.imdecode(data, cv2.IMREAD_COLOR), 1 / 255.0, (size, size),
                                      swapRB=True)

            def plain_letterbox():
                to_tensor(cv2.imdecode(data, cv2.IMREAD_COLOR), size, "letterbox", 128, False)

            h, w = decode(data).shape[:2]
            _, _, cw, ch = letterbox_geometry(w, h, size, "letterbox")
            # The largest reduction whose output still covers the letterboxed picture.
            reduce = max(n for n in (1, 2, 4, 8) if -(-w // n) >= cw and -(-h // n) >= ch)

            def expert():
                # The expert path: let libjpeg scale in the DCT domain, then blobFromImage.
                cv2.dnn.blobFromImage(cv2.imdecode(data, REDUCED[reduce]), 1 / 255.0,
                                      (size, size), swapRB=True)

            def decode_only():
                cv2.imdecode(data, cv2.IMREAD_COLOR)

            results[path] = {
                "plain": median_ns(plain, args.iterations),
                "plain_letterbox": median_ns(plain_letterbox, args.iterations),
                "expert": median_ns(expert, args.iterations),
                "expert_reduce": reduce,
                "decode_full": median_ns(decode_only, args.iterations),
            }
        if args.yuyv:
            w, h = (int(v) for v in args.yuyv_size.split("x"))
            frame = np.fromfile(args.yuyv, dtype=np.uint8)[: w * h * 2].reshape(h, w, 2)

            def yuyv():
                rgb = cv2.cvtColor(frame, cv2.COLOR_YUV2RGB_YUYV)
                to_tensor(rgb, args.size, "letterbox", 128, True)

            results[args.yuyv] = {"yuyv": median_ns(yuyv, args.iterations)}
        for spec in args.nv12:
            path, size = spec.rsplit(":", 1)
            w, h = (int(v) for v in size.split("x"))
            nv12 = np.fromfile(path, dtype=np.uint8)[: w * h * 3 // 2].reshape(h * 3 // 2, w)

            def nv12_tensor(nv12=nv12):
                rgb = cv2.cvtColor(nv12, cv2.COLOR_YUV2RGB_NV12)
                to_tensor(rgb, args.size, "letterbox", 128, True)

            results[path] = {"nv12": median_ns(nv12_tensor, args.iterations)}
        json.dump(results, sys.stdout)


if __name__ == "__main__":
    main()
