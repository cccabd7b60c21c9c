#!/usr/bin/env python3
"""Sightline's Darknet -> ONNX exporter: a YOLO network's .cfg and .weights as one ONNX file
for ONNX Runtime, with the same outputs OpenCV's Darknet reader gives.

    export.py CFG WEIGHTS OUT.onnx [--class-threshold T] [--quiet]

Everything is derived from the cfg (layers, filters, anchors, masks, class count), so a
retrained model with other classes exports without changes here. The network:

- a fixed input `input`, float [1, 3, height, width] from the cfg's [net] (RGB, 0..1, NCHW:
  what Sightline's preprocessing writes);
- batch normalisation folded into each convolution as Sightline folds it for OpenCV
  (Sources/Detection/DarknetFolding.swift: k = scale / sqrt(variance + 1e-6) in float32,
  W' = float32(float64(W) * float64(k)), b' = bias - k * mean), so no BatchNormalization node;
- one output per [yolo] layer, named `yolo_<section index>` as OpenCV names it, float
  [rows, 5 + classes], rows ordered by cell row, cell column, anchor: [cx, cy, w, h, objectness,
  class scores x objectness], coordinates relative to the input size. That is the
  `darknet-region` layout Sightline's decoder reads (decodeDarknetRegion). As in OpenCV's region
  layer, a class score not above the [yolo] section's `thresh` (0.2 when absent, OpenCV's
  default; --class-threshold overrides it) is written as 0, so both runtimes give the same rows.

The file is deterministic (the same cfg, weights and pinned packages give the same bytes), so
a model manifest pins its sha256 like a downloaded file's. Supported layers: convolutional
(linear, leaky, relu, logistic), maxpool, upsample, route (without groups), shortcut (linear),
yolo; anything else is refused with the cfg line named.
"""

import argparse
import hashlib
import sys

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

OPSET = 13
IR_VERSION = 8


class ExportError(Exception):
    pass


def parse_cfg(path):
    """The sections of a Darknet cfg: [(type, {key: value}, {key: line}, header line)]."""
    sections = []
    with open(path, encoding="utf-8") as f:
        for number, raw in enumerate(f, 1):
            line = "".join(raw.split())
            if not line or line[0] in "#;":
                continue
            if line[0] == "[":
                if line[-1] != "]":
                    raise ExportError(f"{path}:{number}: a section header must end with ']'")
                sections.append((line[1:-1], {}, {}, number))
                continue
            if "=" not in line or not sections:
                raise ExportError(f"{path}:{number}: expected key=value inside a section")
            key, value = line.split("=", 1)
            if key in sections[-1][1]:
                raise ExportError(f"{path}:{number}: '{key}' given twice in one section")
            sections[-1][1][key] = value
            sections[-1][2][key] = number
    if not sections or sections[0][0] != "net":
        raise ExportError(f"{path}: the first section must be [net]")
    return sections


class Builder:
    def __init__(self, cfg_path, weights_path, class_threshold):
        self.cfg_path = cfg_path
        self.weights_path = weights_path
        self.class_threshold = class_threshold
        self.used_thresholds = []
        self.nodes = []
        self.initializers = []
        self.names = set()
        with open(weights_path, "rb") as f:
            self.weights = f.read()
        if len(self.weights) < 16:
            raise ExportError(f"{weights_path}: {len(self.weights)} bytes is not a Darknet weights file")
        major, minor, _revision = np.frombuffer(self.weights, dtype="<i4", count=3)
        if major > 1000 or minor > 1000:
            raise ExportError(f"{weights_path}: version {major}.{minor} is not a Darknet weights file")
        self.offset = 12 + (8 if major * 10 + minor >= 2 else 4)

    def unique(self, name):
        base, n = name, 1
        while name in self.names:
            n += 1
            name = f"{base}_{n}"
        self.names.add(name)
        return name

    def const(self, name, array):
        name = self.unique(name)
        self.initializers.append(numpy_helper.from_array(np.ascontiguousarray(array), name))
        return name

    def node(self, op, inputs, name, **attrs):
        out = self.unique(name)
        self.nodes.append(helper.make_node(op, inputs, [out], name=out, **attrs))
        return out

    def floats(self, count, what):
        end = self.offset + 4 * count
        if end > len(self.weights):
            raise ExportError(
                f"{self.weights_path}: ends at byte {len(self.weights)}, but {what} needs bytes {self.offset}..{end} "
                f"(the cfg {self.cfg_path} does not match these weights, or the file is truncated)")
        values = np.frombuffer(self.weights, dtype="<f4", count=count, offset=self.offset).astype(np.float32)
        self.offset = end
        return values

    def fail(self, section, key, message):
        _, _, lines, header = section
        line = lines.get(key, header)
        raise ExportError(f"{self.cfg_path}:{line}: [{section[0]}] {message}")

    def integer(self, section, key, default=None):
        value = section[1].get(key)
        if value is None:
            if default is None:
                self.fail(section, key, f"needs '{key}'")
            return default
        try:
            return int(value)
        except ValueError:
            self.fail(section, key, f"'{key}={value}' is not an integer")

    def integers(self, section, key):
        try:
            return [int(v) for v in section[1].get(key, "").split(",") if v != ""]
        except ValueError:
            self.fail(section, key, f"'{key}' must be a list of integers")

    def activation(self, section, x, name):
        kind = section[1].get("activation", "logistic" if section[0] == "yolo" else "linear")
        if kind == "linear":
            return x
        if kind == "leaky":
            return self.node("LeakyRelu", [x], f"{name}_leaky", alpha=0.1)
        if kind == "relu":
            return self.node("Relu", [x], f"{name}_relu")
        if kind == "logistic":
            return self.node("Sigmoid", [x], f"{name}_logistic")
        self.fail(section, "activation", f"activation '{kind}' is not supported by the exporter")

    def convolution(self, index, section, x, channels):
        filters = self.integer(section, "filters")
        size = self.integer(section, "size", 1)
        stride = self.integer(section, "stride", 1)
        pad = self.integer(section, "pad", 0)
        padding = size // 2 if pad else self.integer(section, "padding", 0)
        groups = self.integer(section, "groups", 1)
        batch_normalize = self.integer(section, "batch_normalize", 0)
        if self.integer(section, "flipped", 0) or "dilation" in section[1]:
            self.fail(section, "flipped", "flipped or dilated convolutions are not supported by the exporter")
        if filters <= 0 or size <= 0 or stride <= 0 or groups <= 0 or channels % groups:
            self.fail(section, "filters", f"filters {filters}, size {size}, stride {stride}, groups {groups} on {channels} channels")
        name = f"conv_{index}"
        bias = self.floats(filters, f"{name}'s biases")
        count = filters * (channels // groups) * size * size
        if batch_normalize:
            scale = self.floats(filters, f"{name}'s scales")
            mean = self.floats(filters, f"{name}'s means")
            variance = self.floats(filters, f"{name}'s variances")
            weights = self.floats(count, f"{name}'s weights").reshape(filters, -1)
            # DarknetFolding's arithmetic, in its precisions.
            k = scale / np.sqrt(variance + np.float32(1e-6))
            bias = (bias - k * mean).astype(np.float32)
            weights = (weights.astype(np.float64) * k.astype(np.float64)[:, None]).astype(np.float32)
        else:
            weights = self.floats(count, f"{name}'s weights")
        weights = weights.reshape(filters, channels // groups, size, size)
        w = self.const(f"{name}_weights", weights)
        b = self.const(f"{name}_bias", bias)
        y = self.node("Conv", [x, w, b], name, kernel_shape=[size, size], strides=[stride, stride],
                      pads=[padding] * 4, group=groups)
        return self.activation(section, y, name), filters

    def maxpool(self, index, section, x, hw):
        size = self.integer(section, "size", self.integer(section, "stride", 1))
        stride = self.integer(section, "stride", 1)
        padding = self.integer(section, "padding", size - 1)
        if size <= 0 or stride <= 0 or padding < 0:
            self.fail(section, "size", f"size {size}, stride {stride}, padding {padding}")
        before, after = padding // 2, padding - padding // 2
        # Darknet's output size, floor((in + padding - size) / stride) + 1, is ONNX MaxPool's
        # with the padding split as Darknet offsets it (-padding / 2).
        y = self.node("MaxPool", [x], f"maxpool_{index}", kernel_shape=[size, size], strides=[stride, stride],
                      pads=[before, before, after, after])
        h, w = hw
        return y, ((h + padding - size) // stride + 1, (w + padding - size) // stride + 1)

    def yolo(self, index, section, x, channels, hw, net_hw):
        anchors = self.integers(section, "anchors")
        mask = self.integers(section, "mask")
        classes = self.integer(section, "classes")
        num = self.integer(section, "num", len(anchors) // 2)
        scale_xy = float(section[1].get("scale_x_y", "1"))
        if self.integer(section, "new_coords", 0):
            self.fail(section, "new_coords", "new_coords=1 is not supported by the exporter")
        if len(anchors) != 2 * num or not mask or any(m < 0 or m >= num for m in mask):
            self.fail(section, "mask", f"mask {mask} and {len(anchors) // 2} anchors (num={num}) do not fit")
        cell = 5 + classes
        if classes <= 0 or channels != len(mask) * cell:
            self.fail(section, "classes",
                      f"{classes} classes and {len(mask)} anchors need {len(mask) * cell} channels, the layer before has {channels}")
        h, w = hw
        net_h, net_w = net_hw
        a = len(mask)
        rows = h * w * a
        name = f"yolo_{index}"
        # [1, a*cell, h, w] -> [h, w, a, cell] -> [rows, cell]: OpenCV's row order.
        t = self.node("Reshape", [x, self.const(f"{name}_shape_in", np.array([a, cell, h, w], dtype=np.int64))], f"{name}_split_anchors")
        t = self.node("Transpose", [t], f"{name}_cells", perm=[2, 3, 0, 1])
        t = self.node("Reshape", [t, self.const(f"{name}_shape_rows", np.array([rows, cell], dtype=np.int64))], f"{name}_rows")

        def columns(start, end, label):
            return self.node("Slice", [t, self.const(f"{name}_{label}_start", np.array([start], dtype=np.int64)),
                                       self.const(f"{name}_{label}_end", np.array([end], dtype=np.int64)),
                                       self.const(f"{name}_{label}_axis", np.array([1], dtype=np.int64))], f"{name}_{label}")

        yy, xx, _ = np.meshgrid(np.arange(h), np.arange(w), np.arange(a), indexing="ij")
        grid = np.stack([xx.ravel(), yy.ravel()], axis=1).astype(np.float32)
        xy = self.node("Sigmoid", [columns(0, 2, "txy")], f"{name}_sxy")
        if scale_xy != 1:
            xy = self.node("Mul", [xy, self.const(f"{name}_scale_xy", np.array([scale_xy], dtype=np.float32))], f"{name}_scaled_xy")
            xy = self.node("Sub", [xy, self.const(f"{name}_shift_xy", np.array([(scale_xy - 1) / 2], dtype=np.float32))], f"{name}_shifted_xy")
        xy = self.node("Add", [xy, self.const(f"{name}_grid", grid)], f"{name}_cell_xy")
        xy = self.node("Div", [xy, self.const(f"{name}_grid_size", np.array([[w, h]], dtype=np.float32))], f"{name}_xy")
        sizes = np.array([[anchors[2 * m] / net_w, anchors[2 * m + 1] / net_h] for m in mask], dtype=np.float32)
        anchor_wh = np.tile(sizes, (h * w, 1))
        wh = self.node("Exp", [columns(2, 4, "twh")], f"{name}_ewh")
        wh = self.node("Mul", [wh, self.const(f"{name}_anchors", anchor_wh)], f"{name}_wh")
        objectness = self.node("Sigmoid", [columns(4, 5, "tobj")], f"{name}_objectness")
        scores = self.node("Sigmoid", [columns(5, cell, "tcls")], f"{name}_class_sigmoid")
        scores = self.node("Mul", [scores, objectness], f"{name}_class_scores")
        zero = self.const(f"{name}_zero", np.array(0, dtype=np.float32))
        # OpenCV's Darknet reader takes the [yolo] section's `thresh` (0.2 when absent).
        threshold = self.class_threshold if self.class_threshold is not None else float(section[1].get("thresh", "0.2"))
        self.used_thresholds.append(threshold)
        above = self.node("Greater", [scores, self.const(f"{name}_threshold", np.array(threshold, dtype=np.float32))],
                          f"{name}_above")
        scores = self.node("Where", [above, scores, zero], f"{name}_scores")
        out = self.unique(name)
        self.nodes.append(helper.make_node("Concat", [xy, wh, objectness, scores], [out], name=out, axis=1))
        return out, rows, cell

    def build(self):
        sections = parse_cfg(self.cfg_path)
        net = sections[0]
        height, width = self.integer(net, "height"), self.integer(net, "width")
        channels = self.integer(net, "channels", 3)
        if height <= 0 or width <= 0 or channels != 3:
            self.fail(net, "height", f"input {width}x{height}x{channels}: the exporter takes 3 channels and a positive size")
        x = "input"
        self.names.add(x)
        hw = (height, width)
        outputs_of = []  # per section: (tensor name, channels, (h, w))
        graph_outputs = []
        for index, section in enumerate(sections[1:]):
            kind = section[0]
            if kind == "convolutional":
                x, channels = self.convolution(index, section, x, channels)
                size = self.integer(section, "size", 1)
                stride = self.integer(section, "stride", 1)
                pad = size // 2 if self.integer(section, "pad", 0) else self.integer(section, "padding", 0)
                hw = ((hw[0] + 2 * pad - size) // stride + 1, (hw[1] + 2 * pad - size) // stride + 1)
            elif kind == "maxpool":
                x, hw = self.maxpool(index, section, x, hw)
            elif kind == "upsample":
                stride = self.integer(section, "stride", 2)
                scales = self.const(f"upsample_{index}_scales", np.array([1, 1, stride, stride], dtype=np.float32))
                x = self.node("Resize", [x, "", scales], f"upsample_{index}", mode="nearest",
                              coordinate_transformation_mode="asymmetric", nearest_mode="floor")
                hw = (hw[0] * stride, hw[1] * stride)
            elif kind == "route":
                if "groups" in section[1]:
                    self.fail(section, "groups", "a grouped route is not supported by the exporter")
                picked = []
                for n in self.integers(section, "layers"):
                    at = n if n >= 0 else index + n
                    if not 0 <= at < index:
                        self.fail(section, "layers", f"layer {n} does not exist before section {index}")
                    picked.append(outputs_of[at])
                if not picked or any(p[2] != picked[0][2] for p in picked):
                    self.fail(section, "layers", "routed layers must have the same height and width")
                x = picked[0][0] if len(picked) == 1 else self.node("Concat", [p[0] for p in picked], f"route_{index}", axis=1)
                channels, hw = sum(p[1] for p in picked), picked[0][2]
            elif kind == "shortcut":
                n = self.integer(section, "from")
                at = n if n >= 0 else index + n
                if not 0 <= at < index or outputs_of[at][1:] != (channels, hw):
                    self.fail(section, "from", f"layer {n} does not match this layer's shape")
                x = self.activation(section, self.node("Add", [x, outputs_of[at][0]], f"shortcut_{index}"), f"shortcut_{index}")
            elif kind == "yolo":
                out, rows, cell = self.yolo(index, section, x, channels, hw, (height, width))
                graph_outputs.append(helper.make_tensor_value_info(out, TensorProto.FLOAT, [rows, cell]))
            else:
                self.fail(section, "", f"layer type [{kind}] is not supported by the exporter")
            outputs_of.append((x, channels, hw))
        if self.offset != len(self.weights):
            raise ExportError(
                f"{self.weights_path}: {len(self.weights)} bytes, but the cfg {self.cfg_path} uses {self.offset} "
                "(the cfg does not match these weights)")
        if not graph_outputs:
            raise ExportError(f"{self.cfg_path}: no [yolo] layer, so no output in the darknet-region layout")
        graph = helper.make_graph(
            self.nodes, "sightline-darknet",
            [helper.make_tensor_value_info("input", TensorProto.FLOAT, [1, 3, height, width])], graph_outputs,
            initializer=self.initializers)
        model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)],
                                  producer_name="sightline scripts/onnx/export.py", producer_version="1")
        model.ir_version = IR_VERSION
        for key, path in (("darknet_cfg_sha256", self.cfg_path), ("darknet_weights_sha256", self.weights_path)):
            with open(path, "rb") as f:
                helper.set_model_props(model, {**{p.key: p.value for p in model.metadata_props}, key: hashlib.sha256(f.read()).hexdigest()})
        helper.set_model_props(model, {**{p.key: p.value for p in model.metadata_props},
                                       "output_layout": "darknet-region", "class_threshold": repr(self.used_thresholds[0] if len(set(self.used_thresholds)) == 1 else self.used_thresholds)})
        onnx.checker.check_model(model, full_check=True)
        return model


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("cfg")
    parser.add_argument("weights")
    parser.add_argument("output")
    parser.add_argument("--class-threshold", type=float, default=None,
                        help="class scores not above this are written as 0 (default: each [yolo] section's "
                             "thresh, else 0.2, as OpenCV's region layer)")
    parser.add_argument("--quiet", action="store_true")
    args = parser.parse_args()
    try:
        model = Builder(args.cfg, args.weights, args.class_threshold).build()
    except (ExportError, OSError) as e:
        print(f"export.py: {e}", file=sys.stderr)
        return 1
    data = model.SerializeToString()
    tmp = args.output + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    import os
    os.replace(tmp, args.output)
    if not args.quiet:
        outputs = ", ".join(f"{o.name} [{o.type.tensor_type.shape.dim[0].dim_value}, {o.type.tensor_type.shape.dim[1].dim_value}]"
                            for o in model.graph.output)
        print(f"export.py: {args.output}: {len(data)} bytes, sha256 {hashlib.sha256(data).hexdigest()}; outputs {outputs}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
