import SightlineKernels
import Testing

// The fused planar YUV resize (`resizePackYUV`, JPEG's Y/Cb/Cr planes and NV12): SIMD vs scalar
// bit-exact (identical floats) over the resize geometries (odd sizes, 1x1, 2x2, up and down, area
// and bilinear), every chroma subsampling, planar and interleaved chroma, padded strides and
// random content; the scalar kernel against its definition (each plane `resize`d with its own
// plan, then `yuvPlanesToFloat`), also bit-exact; the chroma siting against hand-computed values;
// and the fused NV12 path against convert-then-resize (`nv12ToRGB` + `resizePack`) within a
// stated bound.

/// Float parameters: plain 1/255, ImageNet-style, odd values.
private let floatParams: [(SIMD4<Float>, SIMD4<Float>)] = [
    (SIMD4(repeating: 1.0 / 255), .zero),
    (SIMD4(1 / 58.395, 1 / 57.12, 1 / 57.375, 99), SIMD4(-123.675 / 58.395, -116.28 / 57.12, -103.53 / 57.375, 5)),
    (SIMD4(0.3, -1.7, 1e-3, 0), SIMD4(0.1, 0.2, -0.3, 0)),
]

/// 4:2:0, 4:2:2, 4:4:4, 4:4:0, 4:1:1.
private let chromaFactors: [(Int, Int)] = [(2, 2), (2, 1), (1, 1), (1, 2), (4, 1)]

private typealias YUVPack = (
    YUVResizePlan, UnsafePointer<UInt8>, Int, UnsafePointer<UInt8>, UnsafePointer<UInt8>, Int, Int, YUVRange,
    UnsafeMutablePointer<Float>, Int, Int, SIMD4<Float>, SIMD4<Float>, Bool
) -> Void

/// A Y plane and chroma as separate planes (`step` 1) or interleaved pairs (`step` 2, U first).
private struct YUVSource {
    let y: Image
    let chroma: [Image]  // [U, V] planes, or [UV pairs]
    let step: Int

    init(_ plan: YUVResizePlan, step: Int, padding: Int, rng: inout SplitMix64) {
        self.step = step
        y = Image(width: plan.width, height: plan.height, bytesPerPixel: 1, padding: padding, random: &rng)
        if step == 1 {
            chroma = (0..<2).map { _ in
                Image(width: plan.chromaWidth, height: plan.chromaHeight, bytesPerPixel: 1, padding: padding + 3, random: &rng)
            }
        } else {
            chroma = [Image(width: plan.chromaWidth, height: plan.chromaHeight, bytesPerPixel: 2, padding: padding, random: &rng)]
        }
    }

    var u: UnsafePointer<UInt8> { UnsafePointer(chroma[0].pointer) }
    var v: UnsafePointer<UInt8> { step == 1 ? UnsafePointer(chroma[1].pointer) : UnsafePointer(chroma[0].pointer + 1) }
    var chromaStride: Int { chroma[0].stride }

    /// (U, V) of chroma sample (i, j).
    func uv(_ i: Int, _ j: Int) -> (UInt8, UInt8) {
        step == 1 ? (chroma[0][i, j, 0], chroma[1][i, j, 0]) : (chroma[0][i, j, 0], chroma[0][i, j, 1])
    }

    func run(_ kernel: YUVPack, _ plan: YUVResizePlan, _ range: YUVRange, _ out: Planes, _ scale: SIMD4<Float>,
             _ bias: SIMD4<Float>, _ swap: Bool) {
        kernel(plan, y.pointer, y.stride, u, v, chromaStride, step, range, out.pointer, out.rowStride, out.planeStride,
               scale, bias, swap)
    }
}

@Suite("Fused planar YUV resize")
struct YUVResizeTests {
    @Test("resizePackYUV: SIMD equals scalar", arguments: resizeCases, [ResizeMode.bilinear, .area])
    func equivalence(_ c: (Int, Int, Int, Int), _ mode: ResizeMode) throws {
        let (sw, sh, dw, dh) = c
        for (fx, fy) in chromaFactors {
            let plan = try #require(YUVResizePlan(width: sw, height: sh, chromaX: fx, chromaY: fy, dstWidth: dw,
                                                  dstHeight: dh, mode: mode))
            defer { plan.deallocate() }
            var rng = SplitMix64(seed: UInt64(sw * 5 + sh * 37 + dw * 1013 + dh * 7013 + fx * 3 + fy))
            // Interleaved chroma (NV12) only with 4:2:0 pairs; planar with every subsampling.
            let steps = fx == 2 && fy == 2 ? [1, 2] : [1]
            for step in steps {
                for (pad, range) in [(0, YUVRange.full), (13, .limited)] {
                    let src = YUVSource(plan, step: step, padding: pad, rng: &rng)
                    for (i, (scale, bias)) in floatParams.enumerated() {
                        let swap = i == 1
                        let a = Planes(width: dw, height: dh, rowPadding: pad % 5, planePadding: 3)
                        let b = Planes(width: dw, height: dh, rowPadding: pad % 5, planePadding: 3)
                        src.run(ScalarKernels.resizePackYUV, plan, range, a, scale, bias, swap)
                        src.run(SIMDKernels.resizePackYUV, plan, range, b, scale, bias, swap)
                        #expect(a.bits == b.bits, "\(fx)x\(fy) step \(step) pad \(pad) params \(i)")
                        if pad % 5 > 0 { #expect(b.pointer[dw] == -7) }
                        #expect(b.pointer[b.planeStride - 1] == -7)
                    }
                }
            }
        }
    }

    /// Every (U, V) pair, each with several Y values, through a 4:4:4 plan that does not resize
    /// (so Y', U', V' are the input bytes): the SIMD kernel's conversion (its 16-bit full-range
    /// form, 8 pixels at a time, and the float form for 4-pixel and scalar tails: 263 = 32·8 + 4 + 3)
    /// gives exactly the scalar floats, clamped channels included.
    @Test("resizePackYUV: every (U, V) pair, SIMD equals scalar", arguments: [YUVRange.full, .limited])
    func everyChromaPair(range: YUVRange) throws {
        let (w, h) = (263, 256)
        let plan = try #require(YUVResizePlan(width: w, height: h, chromaX: 1, chromaY: 1, dstWidth: w, dstHeight: h,
                                              mode: .bilinear))
        defer { plan.deallocate() }
        let u = Image(width: w, height: h, bytesPerPixel: 1), v = Image(width: w, height: h, bytesPerPixel: 1)
        let y = Image(width: w, height: h, bytesPerPixel: 1)
        for yShift in [0, 85, 170] {
            for j in 0..<h {
                for i in 0..<w {
                    u[i, j, 0] = UInt8(i & 255)
                    v[i, j, 0] = UInt8(j)
                    y[i, j, 0] = UInt8((i * 37 + j * 101 + yShift) & 255)
                }
            }
            for (n, (scale, bias)) in floatParams.enumerated() {
                let a = Planes(width: w, height: h, rowPadding: 1), b = Planes(width: w, height: h, rowPadding: 1)
                for (kernel, out) in [(ScalarKernels.resizePackYUV, a), (SIMDKernels.resizePackYUV, b)] as [(YUVPack, Planes)] {
                    kernel(plan, y.pointer, y.stride, u.pointer, v.pointer, u.stride, 1, range, out.pointer,
                           out.rowStride, out.planeStride, scale, bias, n == 2)
                }
                #expect(a.bits == b.bits, "Y shift \(yShift) params \(n)")
            }
        }
    }

    /// The definition: Y resized with `plan.luma`, U and V with `plan.chroma` (1-channel `resize`),
    /// then `yuvPlanesToFloat` on the resized planes: the very same floats, for planar and
    /// interleaved chroma, scalar and SIMD.
    @Test("resizePackYUV equals per-plane resize + yuvPlanesToFloat", arguments: resizeCases)
    func definition(_ c: (Int, Int, Int, Int)) throws {
        let (sw, sh, dw, dh) = c
        for (fx, fy) in [(2, 2), (2, 1), (4, 1)] {
            let plan = try #require(YUVResizePlan(width: sw, height: sh, chromaX: fx, chromaY: fy, dstWidth: dw,
                                                  dstHeight: dh, mode: .bilinear))
            defer { plan.deallocate() }
            var rng = SplitMix64(seed: UInt64(sw * 11 + sh * 13 + dw * 17 + dh * 19 + fx) ^ 0x6B6B)
            for step in fx == 2 && fy == 2 ? [1, 2] : [1] {
                let src = YUVSource(plan, step: step, padding: 3, rng: &rng)
                let (cw, ch) = (plan.chromaWidth, plan.chromaHeight)
                let u = Image(width: cw, height: ch, bytesPerPixel: 1), v = Image(width: cw, height: ch, bytesPerPixel: 1)
                for j in 0..<ch {
                    for i in 0..<cw { (u[i, j, 0], v[i, j, 0]) = src.uv(i, j) }
                }
                let small = (0..<3).map { _ in Image(width: dw, height: dh, bytesPerPixel: 1) }
                ScalarKernels.resize(plan: plan.luma, src: src.y.pointer, srcStride: src.y.stride, dst: small[0].pointer,
                                     dstStride: dw)
                ScalarKernels.resize(plan: plan.chroma, src: u.pointer, srcStride: cw, dst: small[1].pointer, dstStride: dw)
                ScalarKernels.resize(plan: plan.chroma, src: v.pointer, srcStride: cw, dst: small[2].pointer, dstStride: dw)
                for range in [YUVRange.limited, .full] {
                    let (scale, bias) = floatParams[1]
                    let ref = Planes(width: dw, height: dh, rowPadding: 2)
                    ScalarKernels.yuvPlanesToFloat(
                        y: small[0].pointer, yStride: dw, u: small[1].pointer, uStride: dw, v: small[2].pointer, vStride: dw,
                        width: dw, height: dh, range: range, dst: ref.pointer, dstRowStride: ref.rowStride,
                        dstPlaneStride: ref.planeStride, scale: scale, bias: bias, swapRB: true)
                    for kernel in [ScalarKernels.resizePackYUV, SIMDKernels.resizePackYUV] as [YUVPack] {
                        let out = Planes(width: dw, height: dh, rowPadding: 2)
                        src.run(kernel, plan, range, out, scale, bias, true)
                        #expect(out.bits == ref.bits, "\(fx)x\(fy) step \(step) range \(range)")
                    }
                }
            }
        }
    }

    /// Centred chroma siting, worked by hand: an 8x1 picture in 4:2:2 with U = 0, 80, 160, 240
    /// and no resize. Chroma sample i covers pixels 2i and 2i + 1, so pixel x samples U at
    /// (x − 0.5) / 2, clamped: 0, 20, 60, 100, 140, 180, 220, 240. Odd widths span w / 2 chroma
    /// samples: a 7-pixel row resized to 7 samples at (x − 0.5) / 2 as well (its last pixel
    /// at 2.75, between the 4th sample and the clamp).
    @Test(arguments: [8, 7])
    func chromaSiting(width: Int) throws {
        let plan = try #require(YUVResizePlan(width: width, height: 1, chromaX: 2, chromaY: 1, dstWidth: width,
                                              dstHeight: 1, mode: .bilinear))
        defer { plan.deallocate() }
        let cw = plan.chromaWidth
        #expect(cw == (width + 1) / 2)
        let y = [UInt8](repeating: 128, count: width)
        let u: [UInt8] = Array([0, 80, 160, 240].prefix(cw))
        let v = [UInt8](repeating: 128, count: cw)
        let expectedU: [Double] = (0..<width).map { x in
            let c = min(max((Double(x) - 0.5) / 2, 0), Double(cw - 1))
            let i = Int(c), f = c - Double(i)
            return Double(u[i]) * (1 - f) + Double(u[min(i + 1, cw - 1)]) * f
        }
        let out = Planes(width: width, height: 1)
        ScalarKernels.resizePackYUV(plan: plan, y: y, yStride: width, u: u, v: v, chromaStride: cw, chromaStep: 1,
                                    range: .full, dst: out.pointer, dstRowStride: width, dstPlaneStride: out.planeStride,
                                    scale: SIMD4(repeating: 1), bias: .zero, swapRB: false)
        for x in 0..<width {
            // The resampled U is a whole number here; B = (256 Y + 454 (U − 128) + 128) >> 8
            // (JFIF, see `YUVRange.full`), R untouched by U (V = 128).
            let b = min(max((256 * 128 + 454 * (Int(expectedU[x]) - 128) + 128) >> 8, 0), 255)
            #expect(expectedU[x] == expectedU[x].rounded())
            #expect(out[2, x, 0] == Float(b), "x \(x): B \(out[2, x, 0]), expected \(b)")
            #expect(out[0, x, 0] == 128)
        }
    }

    /// NV12 through the fused path against `nv12ToRGB` + `resizePack` (convert, then resize) on
    /// camera-like pictures. The two reconstruct chroma differently: the fused path samples it
    /// bilinearly at its own resolution (and rounds Y', U', V' before converting), `nv12ToRGB`
    /// replicates each chroma sample over its 2x2 block. On smooth, slightly noisy content that
    /// is a level or so (measured: max 5 levels, mean 0.73 at worst, the upscale); across sharp colour edges (a red disc, thin green
    /// stripes) pixels next to an edge get a different mix of the two colours' chroma
    /// (measured: max 96 levels, mean 2.5), which is the choice of filter, not an error.
    @Test("NV12 fused is close to nv12ToRGB + resizePack",
          arguments: [(640, 480, 416, 312), (333, 257, 160, 123), (641, 479, 97, 61), (64, 48, 100, 75)], [false, true])
    func nv12CloseToConvertThenResize(_ c: (Int, Int, Int, Int), sharpEdges: Bool) throws {
        let (sw, sh, dw, dh) = c
        let plan = try #require(YUVResizePlan(width: sw, height: sh, chromaX: 2, chromaY: 2, dstWidth: dw,
                                              dstHeight: dh, mode: .bilinear))
        defer { plan.deallocate() }
        let rgbPlan = try #require(ResizePlan(srcWidth: sw, srcHeight: sh, dstWidth: dw, dstHeight: dh, channels: 3,
                                              mode: .bilinear))
        defer { rgbPlan.deallocate() }
        let (yPlane, uv) = nv12(cameraLike(width: sw, height: sh, seed: UInt64(sw * sh), sharpEdges: sharpEdges))
        let rgb = Image(width: sw, height: sh, bytesPerPixel: 3)
        SIMDKernels.nv12ToRGB(y: yPlane.pointer, yStride: yPlane.stride, uv: uv.pointer, uvStride: uv.stride,
                              dst: rgb.pointer, dstStride: rgb.stride, width: sw, height: sh, range: .limited, swapRB: false)
        let scale = SIMD4<Float>(repeating: 1), bias = SIMD4<Float>.zero
        let ref = Planes(width: dw, height: dh), out = Planes(width: dw, height: dh)
        SIMDKernels.resizePack(plan: rgbPlan, src: rgb.pointer, srcStride: rgb.stride, dst: ref.pointer,
                               dstRowStride: ref.rowStride, dstPlaneStride: ref.planeStride, scale: scale, bias: bias,
                               swapRB: false)
        SIMDKernels.resizePackYUV(plan: plan, y: yPlane.pointer, yStride: yPlane.stride, u: uv.pointer, v: uv.pointer + 1,
                                  chromaStride: uv.stride, chromaStep: 2, range: .limited, dst: out.pointer,
                                  dstRowStride: out.rowStride, dstPlaneStride: out.planeStride, scale: scale, bias: bias,
                                  swapRB: false)
        var worst: Float = 0, sum: Float = 0
        for p in 0..<3 {
            for y in 0..<dh {
                for x in 0..<dw {
                    let d = abs(ref[p, x, y] - out[p, x, y])
                    worst = max(worst, d)
                    sum += d
                }
            }
        }
        let mean = sum / Float(3 * dw * dh)
        #expect(worst <= (sharpEdges ? 128 : 6), "worst \(worst) levels")
        #expect(mean < (sharpEdges ? 3.5 : 1), "mean \(mean) levels")
    }

    @Test func rejectsBadGeometry() {
        #expect(YUVResizePlan(width: 4, height: 4, chromaX: 3, chromaY: 1, dstWidth: 2, dstHeight: 2, mode: .bilinear) == nil)
        #expect(YUVResizePlan(width: 0, height: 4, chromaX: 2, chromaY: 2, dstWidth: 2, dstHeight: 2, mode: .bilinear) == nil)
        #expect(YUVResizePlan(width: 4, height: 4, chromaX: 2, chromaY: 2, dstWidth: 0, dstHeight: 2, mode: .area) == nil)
    }
}

/// Camera-like RGB content: smooth gradients and noise; with `sharpEdges`, also a red disc and
/// thin green stripes.
private func cameraLike(width w: Int, height h: Int, seed: UInt64, sharpEdges: Bool) -> Image {
    var rng = SplitMix64(seed: seed)
    let img = Image(width: w, height: h, bytesPerPixel: 3)
    for y in 0..<h {
        for x in 0..<w {
            let fx = Double(x) / Double(max(w - 1, 1)), fy = Double(y) / Double(max(h - 1, 1))
            var c = [40 + 170 * fx, 60 + 120 * fy, 200 - 150 * fx * fy]
            let dx = fx - 0.6, dy = fy - 0.4
            if sharpEdges && dx * dx + dy * dy < 0.05 { c = [230, 40, 30] }
            if sharpEdges && (x / 7 + y / 5) % 9 == 0 { c = [20, 200, 60] }
            for i in 0..<3 {
                img[x, y, i] = UInt8(max(0, min(255, (c[i] + Double(Int(rng.byte() % 9) - 4)).rounded())))
            }
        }
    }
    return img
}

/// RGB → limited-range NV12 as a camera makes it: Y per pixel, U and V averaged over each 2x2
/// block (padded rows, to exercise the strides).
private func nv12(_ rgb: Image) -> (Image, Image) {
    let w = rgb.width, h = rgb.height, cw = (w + 1) / 2, ch = (h + 1) / 2
    let yPlane = Image(width: w, height: h, bytesPerPixel: 1, padding: 5)
    let uv = Image(width: cw, height: ch, bytesPerPixel: 2, padding: 6)
    func yuv(_ x: Int, _ y: Int) -> (Double, Double, Double) {
        let (r, g, b) = (Double(rgb[x, y, 0]), Double(rgb[x, y, 1]), Double(rgb[x, y, 2]))
        return (16 + 0.257 * r + 0.504 * g + 0.098 * b, 128 - 0.148 * r - 0.291 * g + 0.439 * b,
                128 + 0.439 * r - 0.368 * g - 0.071 * b)
    }
    func byte(_ v: Double) -> UInt8 { UInt8(max(0, min(255, v.rounded()))) }
    for y in 0..<h {
        for x in 0..<w { yPlane[x, y, 0] = byte(yuv(x, y).0) }
    }
    for j in 0..<ch {
        for i in 0..<cw {
            var su = 0.0, sv = 0.0
            for (dx, dy) in [(0, 0), (1, 0), (0, 1), (1, 1)] {
                let p = yuv(min(2 * i + dx, w - 1), min(2 * j + dy, h - 1))
                su += p.1
                sv += p.2
            }
            uv[i, j, 0] = byte(su / 4)
            uv[i, j, 1] = byte(sv / 4)
        }
    }
    return (yPlane, uv)
}
