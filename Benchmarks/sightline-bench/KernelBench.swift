import SightlineKernels

// Scalar reference vs SIMD for every preprocessing kernel, on the sizes the pipeline uses.
// Each case also checks that both variants produced the same bytes, so a fast wrong kernel
// shows up in the table ("MISMATCH") rather than as a good ratio.

/// A byte buffer filled with deterministic pseudo-random content (SplitMix64).
private struct Bytes {
    let pointer: UnsafeMutablePointer<UInt8>
    let count: Int

    init(_ count: Int, seed: UInt64) {
        self.count = count
        pointer = .allocate(capacity: count)
        var s = seed
        for i in 0..<count {
            s &+= 0x9E37_79B9_7F4A_7C15
            var z = s
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            pointer[i] = UInt8(truncatingIfNeeded: (z ^ (z >> 31)) >> 56)
        }
    }

    func free() { pointer.deallocate() }
}

private func sameBytes(_ a: UnsafeRawPointer, _ b: UnsafeRawPointer, _ count: Int) -> Bool {
    for i in 0..<count where a.load(fromByteOffset: i, as: UInt8.self) != b.load(fromByteOffset: i, as: UInt8.self) {
        return false
    }
    return true
}

/// Times `scalar` and `simd` (same iteration count), then compares their outputs.
///
/// `copies`: for a kernel that only moves bytes, how many bytes it writes. The group then also
/// times `memcpy` of that many bytes (buffers of its own, same sizes): no kernel that writes
/// its output can beat that, so it bounds the ratio any SIMD version can reach.
private func benchPair(
    _ name: String, note: String, iterations: Int, copies: Int? = nil,
    scalar: () -> Void, simd: () -> Void, outputsEqual: () -> Bool
) -> [BenchRow] {
    let group = "kernels: " + name
    let s = measureMedian(iterations: iterations, scalar)
    let v = measureMedian(iterations: iterations, simd)
    let check = outputsEqual() ? "outputs equal" : "MISMATCH: simd output differs from scalar"
    var rows = [
        BenchRow(group: group, name: "scalar", medianNanoseconds: s, reference: nil, note: note),
        BenchRow(group: group, name: "simd", medianNanoseconds: v, reference: "scalar", note: check),
    ]
    if let bytes = copies {
        let from = Bytes(bytes, seed: 12), to = Bytes(bytes, seed: 0)
        defer { from.free(); to.free() }
        let copy = measureMedian(iterations: iterations) { to.pointer.update(from: from.pointer, count: bytes) }
        rows.append(
            BenchRow(
                group: group, name: "memcpy of its output", medianNanoseconds: copy, reference: "scalar",
                note: "\(bytes / 1024) KiB: the most any version could gain; 4x needs \(format3(s / 4000)) us"))
    }
    return rows
}

/// Scalar vs SIMD timings of the preprocessing kernels (run in release). `quick` cuts the
/// iteration counts for a smoke run.
func kernelBenchmarks(quick: Bool) -> [BenchRow] {
    let n = quick ? 5 : 60
    var rows: [BenchRow] = []

    // YUYV 640x480 → RGB (V4L2 webcam format).
    do {
        let (w, h) = (640, 480)
        let src = Bytes(w * 2 * h, seed: 1)
        let a = Bytes(w * 3 * h, seed: 0), b = Bytes(w * 3 * h, seed: 0)
        defer { src.free(); a.free(); b.free() }
        rows += benchPair(
            "yuyvToRGB", note: "640x480 limited", iterations: n,
            scalar: {
                ScalarKernels.yuyvToRGB(src: src.pointer, srcStride: 2 * w, dst: a.pointer, dstStride: 3 * w,
                                        width: w, height: h, range: .limited, swapRB: false)
            },
            simd: {
                SIMDKernels.yuyvToRGB(src: src.pointer, srcStride: 2 * w, dst: b.pointer, dstStride: 3 * w,
                                      width: w, height: h, range: .limited, swapRB: false)
            },
            outputsEqual: { sameBytes(a.pointer, b.pointer, a.count) })
    }

    // NV12 640x480 → RGB.
    do {
        let (w, h) = (640, 480)
        let y = Bytes(w * h, seed: 2), uv = Bytes(w * h / 2, seed: 3)
        let a = Bytes(w * 3 * h, seed: 0), b = Bytes(w * 3 * h, seed: 0)
        defer { y.free(); uv.free(); a.free(); b.free() }
        rows += benchPair(
            "nv12ToRGB", note: "640x480 limited", iterations: n,
            scalar: {
                ScalarKernels.nv12ToRGB(y: y.pointer, yStride: w, uv: uv.pointer, uvStride: w, dst: a.pointer,
                                        dstStride: 3 * w, width: w, height: h, range: .limited, swapRB: false)
            },
            simd: {
                SIMDKernels.nv12ToRGB(y: y.pointer, yStride: w, uv: uv.pointer, uvStride: w, dst: b.pointer,
                                      dstStride: 3 * w, width: w, height: h, range: .limited, swapRB: false)
            },
            outputsEqual: { sameBytes(a.pointer, b.pointer, a.count) })
    }

    // The planar YUV path: YUYV 640x480 → Y 640x480 + U, V 320x480.
    do {
        let (w, h) = (640, 480)
        let cw = w / 2
        let src = Bytes(w * 2 * h, seed: 10)
        let a = Bytes(2 * w * h, seed: 0), b = Bytes(2 * w * h, seed: 0)
        defer { src.free(); a.free(); b.free() }
        rows += benchPair(
            "deinterleaveYUYV", note: "640x480 -> Y 640x480 + U, V 320x480", iterations: n, copies: 2 * w * h,
            scalar: {
                ScalarKernels.deinterleaveYUYV(src: src.pointer, srcStride: 2 * w, width: w, height: h,
                                               y: a.pointer, yStride: w, u: a.pointer + w * h, uStride: cw,
                                               v: a.pointer + w * h + cw * h, vStride: cw)
            },
            simd: {
                SIMDKernels.deinterleaveYUYV(src: src.pointer, srcStride: 2 * w, width: w, height: h,
                                             y: b.pointer, yStride: w, u: b.pointer + w * h, uStride: cw,
                                             v: b.pointer + w * h + cw * h, vStride: cw)
            },
            outputsEqual: { sameBytes(a.pointer, b.pointer, a.count) })
    }

    // NV12 640x480's UV plane (320x240 pairs) → U, V planes.
    do {
        let (cw, ch) = (320, 240)
        let src = Bytes(cw * 2 * ch, seed: 11)
        let a = Bytes(2 * cw * ch, seed: 0), b = Bytes(2 * cw * ch, seed: 0)
        defer { src.free(); a.free(); b.free() }
        rows += benchPair(
            "splitUV", note: "NV12 640x480 chroma: 320x240 pairs", iterations: n, copies: 2 * cw * ch,
            scalar: {
                ScalarKernels.splitUV(src: src.pointer, srcStride: 2 * cw, width: cw, height: ch,
                                      u: a.pointer, uStride: cw, v: a.pointer + cw * ch, vStride: cw)
            },
            simd: {
                SIMDKernels.splitUV(src: src.pointer, srcStride: 2 * cw, width: cw, height: ch,
                                    u: b.pointer, uStride: cw, v: b.pointer + cw * ch, vStride: cw)
            },
            outputsEqual: { sameBytes(a.pointer, b.pointer, a.count) })
    }

    // Y, U, V planes at the letterbox content size (416x312) → the 3x416x416 tensor.
    do {
        let (w, h) = (416, 312)
        let planes = Bytes(3 * w * h, seed: 12)
        let plane = 416 * 416
        let a = UnsafeMutablePointer<Float>.allocate(capacity: 3 * plane)
        let b = UnsafeMutablePointer<Float>.allocate(capacity: 3 * plane)
        a.initialize(repeating: 0, count: 3 * plane)
        b.initialize(repeating: 0, count: 3 * plane)
        defer { planes.free(); a.deallocate(); b.deallocate() }
        let top = 52 * 416
        let scale = SIMD4<Float>(repeating: 1.0 / 255), bias = SIMD4<Float>(repeating: 0)
        let (yp, up, vp) = (planes.pointer, planes.pointer + w * h, planes.pointer + 2 * w * h)
        rows += benchPair(
            "yuvPlanesToFloat", note: "416x312 Y, U, V -> 416x312 in 3x416x416 f32", iterations: n,
            scalar: {
                ScalarKernels.yuvPlanesToFloat(y: yp, yStride: w, u: up, uStride: w, v: vp, vStride: w, width: w,
                                               height: h, range: .limited, dst: a + top, dstRowStride: 416,
                                               dstPlaneStride: plane, scale: scale, bias: bias, swapRB: false)
            },
            simd: {
                SIMDKernels.yuvPlanesToFloat(y: yp, yStride: w, u: up, uStride: w, v: vp, vStride: w, width: w,
                                             height: h, range: .limited, dst: b + top, dstRowStride: 416,
                                             dstPlaneStride: plane, scale: scale, bias: bias, swapRB: false)
            },
            outputsEqual: { sameBytes(a, b, 4 * 3 * plane) })
    }

    // Fused YUYV resize: 640x480 YUYV → 416x312 content of the 3x416x416 tensor, one pass.
    do {
        let (w, h, cw, ch) = (640, 480, 416, 312)
        if let plan = ResizePlan(srcWidth: w, srcHeight: h, dstWidth: cw, dstHeight: ch, channels: 3, mode: .bilinear) {
            let src = Bytes(w * 2 * h, seed: 14)
            let plane = 416 * 416
            let a = UnsafeMutablePointer<Float>.allocate(capacity: 3 * plane)
            let b = UnsafeMutablePointer<Float>.allocate(capacity: 3 * plane)
            a.initialize(repeating: 0, count: 3 * plane)
            b.initialize(repeating: 0, count: 3 * plane)
            defer { plan.deallocate(); src.free(); a.deallocate(); b.deallocate() }
            let top = 52 * 416
            let scale = SIMD4<Float>(repeating: 1.0 / 255), bias = SIMD4<Float>(repeating: 0)
            rows += benchPair(
                "resizePackYUYV", note: "YUYV 640x480 -> 416x312 in 3x416x416 f32", iterations: n,
                scalar: {
                    ScalarKernels.resizePackYUYV(plan: plan, src: src.pointer, srcStride: 2 * w, range: .limited,
                                                 dst: a + top, dstRowStride: 416, dstPlaneStride: plane,
                                                 scale: scale, bias: bias, swapRB: false)
                },
                simd: {
                    SIMDKernels.resizePackYUYV(plan: plan, src: src.pointer, srcStride: 2 * w, range: .limited,
                                               dst: b + top, dstRowStride: 416, dstPlaneStride: plane,
                                               scale: scale, bias: bias, swapRB: false)
                },
                outputsEqual: { sameBytes(a, b, 4 * 3 * plane) })
        }
    }

    // Fused planar YUV resize: a 720p JPEG's planes at 1/2 (Y 640x360, Cb/Cr 320x180) and an
    // NV12 640x480 frame (interleaved chroma) → 416x234 / 416x312 content, one pass.
    for (w, h, ch, step, label) in [(640, 360, 234, 1, "JPEG 4:2:0 planes 640x360"), (640, 480, 312, 2, "NV12 640x480")] {
        guard let plan = YUVResizePlan(width: w, height: h, chromaX: 2, chromaY: 2, dstWidth: 416, dstHeight: ch, mode: .bilinear)
        else { continue }
        let src = Bytes(w * h * 2, seed: 15)
        let plane = 416 * 416
        let a = UnsafeMutablePointer<Float>.allocate(capacity: 3 * plane)
        let b = UnsafeMutablePointer<Float>.allocate(capacity: 3 * plane)
        a.initialize(repeating: 0, count: 3 * plane)
        b.initialize(repeating: 0, count: 3 * plane)
        defer { plan.deallocate(); src.free(); a.deallocate(); b.deallocate() }
        let top = (416 - ch) / 2 * 416
        let scale = SIMD4<Float>(repeating: 1.0 / 255), bias = SIMD4<Float>(repeating: 0)
        let y = UnsafePointer(src.pointer), u = y + w * h
        let v = step == 1 ? u + plan.chromaWidth * plan.chromaHeight : u + 1
        let cs = step == 1 ? plan.chromaWidth : w
        let range: YUVRange = step == 1 ? .full : .limited
        rows += benchPair(
            step == 1 ? "resizePackYUV (planes)" : "resizePackYUV (NV12)", note: "\(label) -> 416x\(ch) in 3x416x416 f32",
            iterations: n,
            scalar: {
                ScalarKernels.resizePackYUV(plan: plan, y: y, yStride: w, u: u, v: v, chromaStride: cs, chromaStep: step,
                                            range: range, dst: a + top, dstRowStride: 416, dstPlaneStride: plane,
                                            scale: scale, bias: bias, swapRB: false)
            },
            simd: {
                SIMDKernels.resizePackYUV(plan: plan, y: y, yStride: w, u: u, v: v, chromaStride: cs, chromaStep: step,
                                          range: range, dst: b + top, dstRowStride: 416, dstPlaneStride: plane,
                                          scale: scale, bias: bias, swapRB: false)
            },
            outputsEqual: { sameBytes(a, b, 4 * 3 * plane) })
    }

    // The YUYV → tensor-content paths built from the SIMD kernels (no padding fill):
    // interleaved (yuyvToRGB to a 640x480 RGB image, then the fused resizePack) against planar
    // (deinterleave, resize Y 640x480 and U, V 320x480 to 416x312, yuvPlanesToFloat). Not the
    // same floats (the planar path resamples chroma bilinearly from its own grid), so no check.
    do {
        let (w, h, cw, ch) = (640, 480, 416, 312)
        if let rgbPlan = ResizePlan(srcWidth: w, srcHeight: h, dstWidth: cw, dstHeight: ch, channels: 3, mode: .bilinear),
           let lumaPlan = ResizePlan(srcWidth: w, srcHeight: h, dstWidth: cw, dstHeight: ch, channels: 1, mode: .bilinear),
           let chromaPlan = ResizePlan(srcWidth: w / 2, srcHeight: h, dstWidth: cw, dstHeight: ch, channels: 1, mode: .bilinear) {
            let src = Bytes(w * 2 * h, seed: 13)
            let rgb = Bytes(w * 3 * h, seed: 0)
            let planes = Bytes(2 * w * h, seed: 0), small = Bytes(3 * cw * ch, seed: 0)
            let plane = 416 * 416
            let out = UnsafeMutablePointer<Float>.allocate(capacity: 3 * plane)
            out.initialize(repeating: 0, count: 3 * plane)
            defer {
                rgbPlan.deallocate(); lumaPlan.deallocate(); chromaPlan.deallocate()
                src.free(); rgb.free(); planes.free(); small.free(); out.deallocate()
            }
            let top = 52 * 416
            let scale = SIMD4<Float>(repeating: 1.0 / 255), bias = SIMD4<Float>(repeating: 0)
            let group = "kernels: YUYV 640x480 -> 416x312 tensor content, three paths"
            let interleaved = measureMedian(iterations: n) {
                SIMDKernels.yuyvToRGB(src: src.pointer, srcStride: 2 * w, dst: rgb.pointer, dstStride: 3 * w,
                                      width: w, height: h, range: .limited, swapRB: false)
                SIMDKernels.resizePack(plan: rgbPlan, src: rgb.pointer, srcStride: 3 * w, dst: out + top, dstRowStride: 416,
                                       dstPlaneStride: plane, scale: scale, bias: bias, swapRB: false)
            }
            let (yp, up, vp) = (planes.pointer, planes.pointer + w * h, planes.pointer + w * h + (w / 2) * h)
            let (ys, us, vs) = (small.pointer, small.pointer + cw * ch, small.pointer + 2 * cw * ch)
            // The parts are the kernel rows above and below (deinterleaveYUYV, resize bilinear
            // luma / YUYV chroma, yuvPlanesToFloat).
            let planar = measureMedian(iterations: n) {
                SIMDKernels.deinterleaveYUYV(src: src.pointer, srcStride: 2 * w, width: w, height: h,
                                             y: yp, yStride: w, u: up, uStride: w / 2, v: vp, vStride: w / 2)
                SIMDKernels.resize(plan: lumaPlan, src: yp, srcStride: w, dst: ys, dstStride: cw)
                SIMDKernels.resize(plan: chromaPlan, src: up, srcStride: w / 2, dst: us, dstStride: cw)
                SIMDKernels.resize(plan: chromaPlan, src: vp, srcStride: w / 2, dst: vs, dstStride: cw)
                SIMDKernels.yuvPlanesToFloat(y: ys, yStride: cw, u: us, uStride: cw, v: vs, vStride: cw, width: cw,
                                             height: ch, range: .limited, dst: out + top, dstRowStride: 416,
                                             dstPlaneStride: plane, scale: scale, bias: bias, swapRB: false)
            }
            let fused = measureMedian(iterations: n) {
                SIMDKernels.resizePackYUYV(plan: rgbPlan, src: src.pointer, srcStride: 2 * w, range: .limited, dst: out + top,
                                           dstRowStride: 416, dstPlaneStride: plane, scale: scale, bias: bias, swapRB: false)
            }
            rows.append(BenchRow(group: group, name: "interleaved (yuyvToRGB + resizePack)", medianNanoseconds: interleaved,
                                 reference: nil, note: "the path Preprocessor took before resizePackYUYV"))
            rows.append(BenchRow(group: group, name: "fused (resizePackYUYV)", medianNanoseconds: fused,
                                 reference: "interleaved (yuyvToRGB + resizePack)", note: "the path Preprocessor takes"))
            rows.append(BenchRow(group: group, name: "planar (split + 3 resizes + yuvPlanesToFloat)", medianNanoseconds: planar,
                                 reference: "interleaved (yuyvToRGB + resizePack)",
                                 note: "not wired into Preprocessor: see deinterleaveYUYV, resize rows"))
        }
    }

    // Grey 640x480 → RGB.
    do {
        let (w, h) = (640, 480)
        let src = Bytes(w * h, seed: 4)
        let a = Bytes(w * 3 * h, seed: 0), b = Bytes(w * 3 * h, seed: 0)
        defer { src.free(); a.free(); b.free() }
        rows += benchPair(
            "greyToRGB", note: "640x480", iterations: n, copies: 3 * w * h,
            scalar: {
                ScalarKernels.greyToRGB(src: src.pointer, srcStride: w, dst: a.pointer, dstStride: 3 * w, width: w, height: h)
            },
            simd: {
                SIMDKernels.greyToRGB(src: src.pointer, srcStride: w, dst: b.pointer, dstStride: 3 * w, width: w, height: h)
            },
            outputsEqual: { sameBytes(a.pointer, b.pointer, a.count) })
    }

    // RGB ↔ BGR 640x480.
    do {
        let (w, h) = (640, 480)
        let src = Bytes(w * 3 * h, seed: 5)
        let a = Bytes(w * 3 * h, seed: 0), b = Bytes(w * 3 * h, seed: 0)
        defer { src.free(); a.free(); b.free() }
        rows += benchPair(
            "swapRB", note: "640x480", iterations: n, copies: 3 * w * h,
            scalar: {
                ScalarKernels.swapRB(src: src.pointer, srcStride: 3 * w, dst: a.pointer, dstStride: 3 * w, width: w, height: h)
            },
            simd: {
                SIMDKernels.swapRB(src: src.pointer, srcStride: 3 * w, dst: b.pointer, dstStride: 3 * w, width: w, height: h)
            },
            outputsEqual: { sameBytes(a.pointer, b.pointer, a.count) })
    }

    // RGB → grey 640x480 (motion-gating thumbnail source).
    do {
        let (w, h) = (640, 480)
        let src = Bytes(w * 3 * h, seed: 6)
        let a = Bytes(w * h, seed: 0), b = Bytes(w * h, seed: 0)
        defer { src.free(); a.free(); b.free() }
        rows += benchPair(
            "rgbToGrey", note: "640x480", iterations: n, copies: w * h,
            scalar: {
                ScalarKernels.rgbToGrey(src: src.pointer, srcStride: 3 * w, dst: a.pointer, dstStride: w,
                                        width: w, height: h, swapRB: false)
            },
            simd: {
                SIMDKernels.rgbToGrey(src: src.pointer, srcStride: 3 * w, dst: b.pointer, dstStride: w,
                                      width: w, height: h, swapRB: false)
            },
            outputsEqual: { sameBytes(a.pointer, b.pointer, a.count) })
    }

    // Resizes: (name, src, dst, channels, mode).
    let resizes: [(String, Int, Int, Int, Int, Int, ResizeMode)] = [
        ("resize bilinear RGB", 480, 270, 416, 234, 3, .bilinear),
        ("resize bilinear luma", 640, 480, 416, 312, 1, .bilinear),
        ("resize bilinear YUYV chroma", 320, 480, 416, 312, 1, .bilinear),
        ("resize bilinear NV12 chroma", 320, 240, 416, 312, 1, .bilinear),
        ("resize area grey", 640, 480, 160, 120, 1, .area),
        ("resize area RGB", 640, 480, 160, 120, 3, .area),
    ]
    for (name, sw, sh, dw, dh, ch, mode) in resizes {
        guard let plan = ResizePlan(srcWidth: sw, srcHeight: sh, dstWidth: dw, dstHeight: dh, channels: ch, mode: mode)
        else { continue }
        let src = Bytes(sw * ch * sh, seed: 7)
        let a = Bytes(dw * ch * dh, seed: 0), b = Bytes(dw * ch * dh, seed: 0)
        defer { plan.deallocate(); src.free(); a.free(); b.free() }
        rows += benchPair(
            name, note: "\(sw)x\(sh) -> \(dw)x\(dh)", iterations: n,
            scalar: {
                ScalarKernels.resize(plan: plan, src: src.pointer, srcStride: sw * ch, dst: a.pointer, dstStride: dw * ch)
            },
            simd: {
                SIMDKernels.resize(plan: plan, src: src.pointer, srcStride: sw * ch, dst: b.pointer, dstStride: dw * ch)
            },
            outputsEqual: { sameBytes(a.pointer, b.pointer, a.count) })
    }

    // Planar packing of the letterboxed 416x234 image, and the letterbox bands.
    let scale = SIMD4<Float>(repeating: 1.0 / 255)
    let bias = SIMD4<Float>(repeating: 0)
    do {
        let (w, h) = (416, 234)
        let src = Bytes(w * 3 * h, seed: 8)
        let a = UnsafeMutablePointer<Float>.allocate(capacity: 3 * w * h)
        let b = UnsafeMutablePointer<Float>.allocate(capacity: 3 * w * h)
        defer { src.free(); a.deallocate(); b.deallocate() }
        rows += benchPair(
            "packPlanar", note: "416x234 RGB -> 3x416x234 f32", iterations: n, copies: 4 * 3 * w * h,
            scalar: {
                ScalarKernels.packPlanar(src: src.pointer, srcStride: 3 * w, width: w, height: h, dst: a,
                                         dstRowStride: w, dstPlaneStride: w * h, scale: scale, bias: bias, swapRB: false)
            },
            simd: {
                SIMDKernels.packPlanar(src: src.pointer, srcStride: 3 * w, width: w, height: h, dst: b,
                                       dstRowStride: w, dstPlaneStride: w * h, scale: scale, bias: bias, swapRB: false)
            },
            outputsEqual: { sameBytes(a, b, 4 * 3 * w * h) })
    }
    do {
        let (w, h) = (416, 416)
        let a = UnsafeMutablePointer<Float>.allocate(capacity: 3 * w * h)
        let b = UnsafeMutablePointer<Float>.allocate(capacity: 3 * w * h)
        a.initialize(repeating: 0, count: 3 * w * h)
        b.initialize(repeating: 0, count: 3 * w * h)
        defer { a.deallocate(); b.deallocate() }
        let grey = SIMD4<Float>(repeating: 114.0 / 255)
        rows += benchPair(
            "fillPlanar", note: "two 416x91 letterbox bands x 3 planes", iterations: n,
            scalar: {
                ScalarKernels.fillPlanar(dst: a, dstRowStride: w, dstPlaneStride: w * h, x: 0, y: 0, width: w, height: 91, value: grey)
                ScalarKernels.fillPlanar(dst: a, dstRowStride: w, dstPlaneStride: w * h, x: 0, y: 325, width: w, height: 91, value: grey)
            },
            simd: {
                SIMDKernels.fillPlanar(dst: b, dstRowStride: w, dstPlaneStride: w * h, x: 0, y: 0, width: w, height: 91, value: grey)
                SIMDKernels.fillPlanar(dst: b, dstRowStride: w, dstPlaneStride: w * h, x: 0, y: 325, width: w, height: 91, value: grey)
            },
            outputsEqual: { sameBytes(a, b, 4 * 3 * w * h) })
    }

    // The hot path: 1080p JPEG decoded at 1/4 scale (480x270) → letterboxed 416x234 into a
    // 3x416x416 tensor, fused, plus the unfused SIMD resize + pack for comparison.
    do {
        let (sw, sh, dw, dh) = (480, 270, 416, 234)
        if let plan = ResizePlan(srcWidth: sw, srcHeight: sh, dstWidth: dw, dstHeight: dh, channels: 3, mode: .bilinear) {
            let src = Bytes(sw * 3 * sh, seed: 9)
            let tmp = Bytes(dw * 3 * dh, seed: 0)
            let plane = 416 * 416
            let a = UnsafeMutablePointer<Float>.allocate(capacity: 3 * plane)
            let b = UnsafeMutablePointer<Float>.allocate(capacity: 3 * plane)
            let c = UnsafeMutablePointer<Float>.allocate(capacity: 3 * plane)
            for p in [a, b, c] { p.initialize(repeating: 0, count: 3 * plane) }
            defer { plan.deallocate(); src.free(); tmp.free(); a.deallocate(); b.deallocate(); c.deallocate() }
            let top = 91 * 416
            let group = "kernels: resizePack (fused)"
            let s = measureMedian(iterations: n) {
                ScalarKernels.resizePack(plan: plan, src: src.pointer, srcStride: 3 * sw, dst: a + top,
                                         dstRowStride: 416, dstPlaneStride: plane, scale: scale, bias: bias, swapRB: false)
            }
            let v = measureMedian(iterations: n) {
                SIMDKernels.resizePack(plan: plan, src: src.pointer, srcStride: 3 * sw, dst: b + top,
                                       dstRowStride: 416, dstPlaneStride: plane, scale: scale, bias: bias, swapRB: false)
            }
            let u = measureMedian(iterations: n) {
                SIMDKernels.resize(plan: plan, src: src.pointer, srcStride: 3 * sw, dst: tmp.pointer, dstStride: 3 * dw)
                SIMDKernels.packPlanar(src: tmp.pointer, srcStride: 3 * dw, width: dw, height: dh, dst: c + top,
                                       dstRowStride: 416, dstPlaneStride: plane, scale: scale, bias: bias, swapRB: false)
            }
            let equal = sameBytes(a, b, 4 * 3 * plane) && sameBytes(a, c, 4 * 3 * plane)
            rows.append(BenchRow(group: group, name: "scalar", medianNanoseconds: s, reference: nil,
                                 note: "480x270 RGB -> 416x234 in 3x416x416 f32"))
            rows.append(BenchRow(group: group, name: "simd", medianNanoseconds: v, reference: "scalar",
                                 note: equal ? "outputs equal" : "MISMATCH: outputs differ"))
            rows.append(BenchRow(group: group, name: "simd resize + simd pack", medianNanoseconds: u,
                                 reference: "scalar", note: "unfused, for comparison"))
        }
    }
    return rows
}
