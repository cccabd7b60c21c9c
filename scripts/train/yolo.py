"""YOLOv3-tiny in PyTorch, built from a Darknet `.cfg`, reading and writing Darknet `.weights`.

Weights layout (Darknet): int32 major, minor, revision, then `seen` (int64 when
major*10+minor >= 2, else int32); then for every [convolutional] in cfg order: if
batch_normalize: bn bias (beta), bn scale (gamma), running mean, running var, conv weights;
else conv bias, conv weights. All float32 little-endian.
"""
from __future__ import annotations

import struct

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def parse_cfg(path: str) -> list[dict]:
    blocks = []
    for raw in open(path):
        line = raw.split("#")[0].strip()
        if not line:
            continue
        if line.startswith("["):
            blocks.append({"type": line[1:-1].strip()})
        else:
            k, v = line.split("=", 1)
            blocks[-1][k.strip()] = v.strip()
    return blocks


def write_cfg(blocks: list[dict], path: str) -> None:
    with open(path, "w") as f:
        for b in blocks:
            f.write(f"[{b['type']}]\n")
            for k, v in b.items():
                if k != "type":
                    f.write(f"{k}={v}\n")
            f.write("\n")


def with_classes(blocks: list[dict], classes: int) -> list[dict]:
    """The cfg with every [yolo] layer set to `classes` and the conv before it resized to match."""
    out = [dict(b) for b in blocks]
    for i, b in enumerate(out):
        if b["type"] == "yolo":
            b["classes"] = str(classes)
            out[i - 1]["filters"] = str(len(b["mask"].split(",")) * (classes + 5))
    return out


class YOLOLayer(nn.Module):
    def __init__(self, anchors: list[tuple[float, float]], mask: list[int], classes: int):
        super().__init__()
        self.anchors = torch.tensor([anchors[m] for m in mask], dtype=torch.float32)
        self.all_anchors = torch.tensor(anchors, dtype=torch.float32)
        self.mask = mask
        self.classes = classes

    def forward(self, x):
        b, _, h, w = x.shape
        return x.view(b, len(self.mask), self.classes + 5, h, w).permute(0, 1, 3, 4, 2).contiguous()  # B,A,H,W,5+C


class Darknet(nn.Module):
    def __init__(self, blocks: list[dict]):
        super().__init__()
        self.blocks = blocks
        self.net = blocks[0]
        self.layers = nn.ModuleList()
        channels = [int(self.net.get("channels", 3))]
        out_ch = []
        for i, b in enumerate(blocks[1:]):
            t = b["type"]
            c_in = channels[-1]
            if t == "convolutional":
                bn = int(b.get("batch_normalize", 0))
                f, k, s = int(b["filters"]), int(b["size"]), int(b["stride"])
                pad = (k - 1) // 2 if int(b.get("pad", 0)) else 0
                m = nn.Sequential()
                m.add_module("conv", nn.Conv2d(c_in, f, k, s, pad, bias=not bn))
                if bn:
                    m.add_module("bn", nn.BatchNorm2d(f, eps=1e-5, momentum=0.03))
                if b["activation"] == "leaky":
                    m.add_module("act", nn.LeakyReLU(0.1))
                c = f
            elif t == "maxpool":
                k, s = int(b["size"]), int(b["stride"])
                m = MaxPoolSame(k, s)
                c = c_in
            elif t == "upsample":
                m = nn.Upsample(scale_factor=int(b["stride"]), mode="nearest")
                c = c_in
            elif t == "route":
                idx = [int(v) for v in b["layers"].split(",")]
                idx = [j if j >= 0 else i + j for j in idx]
                b["_from"] = idx
                m = nn.Identity()
                c = sum(out_ch[j] for j in idx)
            elif t == "yolo":
                a = [float(v) for v in b["anchors"].split(",")]
                anchors = list(zip(a[0::2], a[1::2]))
                mask = [int(v) for v in b["mask"].split(",")]
                m = YOLOLayer(anchors, mask, int(b["classes"]))
                c = c_in
            else:
                raise SystemExit(f"yolo: layer type [{t}] not supported")
            self.layers.append(m)
            out_ch.append(c)
            channels.append(c)

    def forward(self, x, upto: int | None = None, cache: dict | None = None):
        """Runs the network; returns the [yolo] outputs. With `cache` (layer -> tensor) the layers
        already computed are taken from it (a frozen backbone run once under no_grad)."""
        outs, yolo = [], []
        for i, (b, m) in enumerate(zip(self.blocks[1:], self.layers)):
            if cache is not None and i in cache:
                x = cache[i]
            elif b["type"] == "route":
                x = torch.cat([outs[j] for j in b["_from"]], 1)
            else:
                x = m(x)
            outs.append(x)
            if b["type"] == "yolo":
                yolo.append(x)
            if upto is not None and i == upto:
                return outs
        return yolo

    def yolo_layers(self) -> list[YOLOLayer]:
        return [m for m in self.layers if isinstance(m, YOLOLayer)]

    def conv_indices(self) -> list[int]:
        return [i for i, b in enumerate(self.blocks[1:]) if b["type"] == "convolutional"]

    # --- Darknet weights ------------------------------------------------------------------------

    def load_darknet(self, path: str, skip_mismatch: bool = False) -> bytes:
        """Loads weights; returns the header bytes. With skip_mismatch, conv layers whose shape
        differs from the file's (e.g. a resized head) are read past using `shapes_in_file`."""
        data = open(path, "rb").read()
        major, minor, _ = struct.unpack("<3i", data[:12])
        off = 20 if major * 10 + minor >= 2 else 16
        header = data[:off]
        w = np.frombuffer(data, dtype="<f4", offset=off)
        p = 0
        for i in self.conv_indices():
            seq = self.layers[i]
            conv = seq.conv
            bn = getattr(seq, "bn", None)
            n_out = getattr(self, "_file_filters", {}).get(i, conv.out_channels)
            n_w = n_out * conv.in_channels * conv.kernel_size[0] * conv.kernel_size[1]
            mismatch = n_out != conv.out_channels
            if bn is not None:
                vals = [w[p + k * n_out:p + (k + 1) * n_out] for k in range(4)]
                if not mismatch:
                    for t, v in zip((bn.bias, bn.weight, bn.running_mean, bn.running_var), vals):
                        t.data.copy_(torch.from_numpy(v.copy()))
                p += 4 * n_out
            else:
                if not mismatch:
                    conv.bias.data.copy_(torch.from_numpy(w[p:p + n_out].copy()))
                else:
                    self._file_bias = getattr(self, "_file_bias", {})
                    self._file_bias[i] = w[p:p + n_out].copy()
                p += n_out
            if not mismatch:
                conv.weight.data.copy_(torch.from_numpy(w[p:p + n_w].copy()).view_as(conv.weight))
            else:
                self._file_weight = getattr(self, "_file_weight", {})
                self._file_weight[i] = w[p:p + n_w].copy().reshape(n_out, conv.in_channels, *conv.kernel_size)
                if not skip_mismatch:
                    raise SystemExit(f"yolo: layer {i} has {n_out} filters in {path}, {conv.out_channels} in the cfg")
            p += n_w
        if p != len(w):
            raise SystemExit(f"yolo: {path} has {len(w)} floats, the cfg needs {p}")
        return header

    def darknet_bytes(self, layers: list[int] | None = None) -> bytes:
        """The weights of the given conv layers (all by default), in Darknet order, no header."""
        parts = []
        for i in self.conv_indices():
            if layers is not None and i not in layers:
                continue
            seq = self.layers[i]
            bn = getattr(seq, "bn", None)
            ts = [bn.bias, bn.weight, bn.running_mean, bn.running_var] if bn is not None else [seq.conv.bias]
            ts.append(seq.conv.weight)
            parts += [t.detach().cpu().numpy().astype("<f4").tobytes() for t in ts]
        return b"".join(parts)


class MaxPoolSame(nn.Module):
    """Darknet maxpool: output size ceil(in / stride); with stride 1 the right/bottom edge is
    padded by repeating (so the max ignores the padding)."""

    def __init__(self, k: int, s: int):
        super().__init__()
        self.k, self.s = k, s

    def forward(self, x):
        if self.s == 1:
            x = F.pad(x, (0, self.k - 1, 0, self.k - 1), mode="replicate")
        return F.max_pool2d(x, self.k, self.s)


def decode(out: torch.Tensor, layer: YOLOLayer, input_size: int) -> torch.Tensor:
    """One [yolo] output (B,A,H,W,5+C) -> (B, A*H*W, 4+1+C): cx, cy, w, h in input pixels,
    objectness, class scores * objectness: the same rows OpenCV's Darknet YOLO layer gives."""
    b, a, h, w, n = out.shape
    gy, gx = torch.meshgrid(torch.arange(h), torch.arange(w), indexing="ij")
    stride = input_size / w
    anchors = layer.anchors.view(1, a, 1, 1, 2)
    xy = (out[..., :2].sigmoid() + torch.stack((gx, gy), -1)) * stride
    wh = out[..., 2:4].clamp(max=8).exp() * anchors
    obj = out[..., 4:5].sigmoid()
    cls = out[..., 5:].sigmoid() * obj
    return torch.cat((xy, wh, obj, cls), -1).view(b, -1, n)


def build(cfg: str, weights: str | None, classes: int | None = None) -> tuple[Darknet, bytes | None]:
    """The network of `cfg` (with `classes` if given), loaded from `weights` if given; heads
    whose size changed keep their file values in `_file_weight`/`_file_bias` for initialisation."""
    blocks = parse_cfg(cfg)
    file_blocks = blocks
    if classes is not None:
        blocks = with_classes(blocks, classes)
    model = Darknet(blocks)
    model._file_filters = {i: int(fb["filters"]) for i, fb in enumerate(file_blocks[1:]) if fb["type"] == "convolutional"}
    header = model.load_darknet(weights, skip_mismatch=True) if weights else None
    return model, header
