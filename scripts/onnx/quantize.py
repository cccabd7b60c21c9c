#!/usr/bin/env python3
"""Static int8 quantisation of an exported model (scripts/onnx/export.py) with ONNX Runtime's
quantiser, calibrated on training photos.

    quantize.py MODEL.onnx OUT.onnx --calibration RANGES.json --images DIR [DIR ...] --exclude LIST [--count N]
    quantize.py MODEL.onnx OUT.onnx --calibration RANGES.json

The first form calibrates: it runs the float model on the photos, writes the activation ranges
it found to RANGES.json (ONNX Runtime's calibration cache) and quantises. The second quantises
from RANGES.json alone, without photos or inference: numpy arithmetic only, so the same
model and ranges give the same bytes on any machine. That is what scripts/fetch-model runs, with
the ranges committed beside the model (Models/NAME/NAME.int8-ranges.json), and why the int8
file's sha256 can be pinned in the manifest like the float file's.

- Calibration photos: the .jpg files of each DIR's images/ folder, sorted by name, minus every
  name listed in each --exclude file (the validation list: figures are measured on photos the
  calibration never saw), then every k-th of them so that --count remain.
- Each photo is letterboxed as the manifests ask (RGB, 0..1, pad 128, the model's input size;
  Pillow's bilinear resize stands in for Sightline's own: calibration only needs the ranges).
- QDQ format, weights int8 per channel, activations uint8 (ONNX Runtime's x86 and Arm kernels
  are uint8 x int8), min-max calibration. The YOLO output decoding (every node named yolo_*:
  sigmoid, exp, anchors, the class threshold) stays float, so boxes and scores are computed as
  in the float model from int8 convolutions.
"""

import argparse
import os
import sys

import numpy as np
import onnx
from PIL import Image
from onnxruntime.quantization import CalibrationDataReader, CalibrationMethod, QuantFormat, QuantType, quantize_static


def calibration_photos(dirs, excludes, count):
    excluded = set()
    for path in excludes:
        with open(path, encoding="utf-8") as f:
            excluded |= {line.strip() for line in f if line.strip() and not line.startswith("#")}
    photos = []
    for d in dirs:
        folder = os.path.join(d, "images")
        if not os.path.isdir(folder):
            raise SystemExit(f"quantize.py: {folder} is not a folder of images")
        photos += [os.path.join(folder, n) for n in sorted(os.listdir(folder))
                   if n.lower().endswith((".jpg", ".jpeg")) and n not in excluded]
    if not photos:
        raise SystemExit("quantize.py: no calibration photos left")
    step = max(1, len(photos) // count)
    return photos[::step][:count], len(photos)


def letterbox(path, width, height):
    image = Image.open(path).convert("RGB")
    scale = min(width / image.width, height / image.height)
    w, h = max(1, round(image.width * scale)), max(1, round(image.height * scale))
    canvas = Image.new("RGB", (width, height), (128, 128, 128))
    canvas.paste(image.resize((w, h), Image.BILINEAR), ((width - w) // 2, (height - h) // 2))
    return (np.asarray(canvas, dtype=np.float32) / 255.0).transpose(2, 0, 1)[None]


class Photos(CalibrationDataReader):
    def __init__(self, photos, name, width, height):
        self.photos = iter(photos)
        self.name, self.width, self.height = name, width, height

    def get_next(self):
        path = next(self.photos, None)
        return None if path is None else {self.name: letterbox(path, self.width, self.height)}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("model")
    parser.add_argument("output")
    parser.add_argument("--calibration", required=True, help="activation ranges (JSON): written when --images is given, read otherwise")
    parser.add_argument("--images", nargs="+", default=[])
    parser.add_argument("--exclude", action="append", default=[])
    parser.add_argument("--count", type=int, default=100)
    args = parser.parse_args()
    model = onnx.load(args.model)
    (inp,) = model.graph.input
    dims = [d.dim_value for d in inp.type.tensor_type.shape.dim]
    decode = [n.name for n in model.graph.node if n.name.startswith("yolo_")]
    reader = None
    if args.images:
        photos, available = calibration_photos(args.images, args.exclude, args.count)
        print(f"quantize.py: calibrating on {len(photos)} of {available} training photos; {len(decode)} decoding nodes stay float")
        if os.path.exists(args.calibration):
            os.remove(args.calibration)
        reader = Photos(photos, inp.name, dims[3], dims[2])
    elif not os.path.isfile(args.calibration):
        print(f"quantize.py: {args.calibration}: no such calibration file (make it with --images)", file=sys.stderr)
        return 1
    tmp = args.output + ".tmp"
    quantize_static(
        args.model, tmp, reader, quant_format=QuantFormat.QDQ, per_channel=True, activation_type=QuantType.QUInt8,
        weight_type=QuantType.QInt8, calibrate_method=CalibrationMethod.MinMax, nodes_to_exclude=decode,
        calibration_cache_path=args.calibration)
    os.replace(tmp, args.output)
    print(f"quantize.py: {args.output}: {os.path.getsize(args.output)} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main())
