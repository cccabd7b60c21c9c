import SightlineKernels
import Testing

/// (srcW, srcH, dstW, dstH): up, down, mixed, identity, 1-pixel, non-integer ratios, and the
/// pipeline's real geometries (480x270 → 416x234 letterbox, 640x480 → 160x120 thumbnails).
let resizeCases: [(Int, Int, Int, Int)] = [
    (1, 1, 1, 1), (1, 1, 5, 3), (2, 2, 1, 1), (3, 5, 2, 2), (5, 3, 7, 9), (17, 9, 33, 31), (33, 31, 17, 9),
    (33, 31, 33, 31), (7, 7, 3, 3), (10, 1, 3, 1), (1, 10, 1, 4), (64, 48, 21, 13), (31, 17, 65, 5),
    (100, 37, 37, 100), (480, 270, 416, 234), (640, 480, 160, 120), (640, 480, 320, 240), (641, 479, 97, 61),
]

private func resizeBoth(_ plan: ResizePlan, _ src: Image, pad: Int, rng: inout SplitMix64) -> (Image, Image, Image) {
    let original = Image(width: plan.dstWidth, height: plan.dstHeight, bytesPerPixel: plan.channels, padding: pad, random: &rng)
    let (a, b) = onBothFamilies { k in
        let out = original.copy()
        k.resize(plan: plan, src: src.pointer, srcStride: src.stride, dst: out.pointer, dstStride: out.stride)
        return out
    }
    return (a, b, original)
}

/// Independent float model of OpenCV INTER_LINEAR (half-pixel centres, edge clamp).
private func bilinearReference(_ src: Image, dstW: Int, dstH: Int, x: Int, y: Int, c: Int) -> Double {
    func axis(_ d: Int, _ n: Int, _ m: Int) -> (Int, Int, Double) {
        let f = (Double(d) + 0.5) * Double(n) / Double(m) - 0.5
        var s = Int(f.rounded(.down))
        var t = f - Double(s)
        if s < 0 { s = 0; t = 0 }
        if s >= n - 1 { s = n - 1; t = 0 }
        return (s, min(s + 1, n - 1), t)
    }
    let (x0, x1, tx) = axis(x, src.width, dstW)
    let (y0, y1, ty) = axis(y, src.height, dstH)
    func p(_ xx: Int, _ yy: Int) -> Double { Double(src[xx, yy, c]) }
    let top = p(x0, y0) * (1 - tx) + p(x1, y0) * tx
    let bottom = p(x0, y1) * (1 - tx) + p(x1, y1) * tx
    return top * (1 - ty) + bottom * ty
}

/// Independent float model of box (area) averaging with fractional coverage.
private func areaReference(_ src: Image, dstW: Int, dstH: Int, x: Int, y: Int, c: Int) -> Double {
    let sx = Double(src.width) / Double(dstW)
    let sy = Double(src.height) / Double(dstH)
    let x0 = Double(x) * sx, x1 = Double(x + 1) * sx
    let y0 = Double(y) * sy, y1 = Double(y + 1) * sy
    var sum = 0.0
    for yy in Int(y0.rounded(.down))..<min(src.height, Int(y1.rounded(.up))) {
        let wy = min(Double(yy + 1), y1) - max(Double(yy), y0)
        for xx in Int(x0.rounded(.down))..<min(src.width, Int(x1.rounded(.up))) {
            let wx = min(Double(xx + 1), x1) - max(Double(xx), x0)
            sum += wx * wy * Double(src[xx, yy, c])
        }
    }
    return sum / (sx * sy)
}

@Suite("Resize")
struct ResizeTests {
    @Test("SIMD resize equals scalar", arguments: resizeCases, [ResizeMode.bilinear, .area])
    func equivalence(_ c: (Int, Int, Int, Int), _ mode: ResizeMode) throws {
        let (sw, sh, dw, dh) = c
        for ch in [1, 3] {
            var rng = SplitMix64(seed: UInt64(sw * 7 + sh * 131 + dw * 1009 + dh * 7919 + ch))
            let plan = try #require(ResizePlan(srcWidth: sw, srcHeight: sh, dstWidth: dw, dstHeight: dh,
                                               channels: ch, mode: mode))
            defer { plan.deallocate() }
            for pad in [0, 5] {
                let src = Image(width: sw, height: sh, bytesPerPixel: ch, padding: pad * 2, random: &rng)
                let (a, b, original) = resizeBoth(plan, src, pad: pad, rng: &rng)
                #expect(a.bytes == b.bytes, "channels \(ch) pad \(pad)")
                #expect(b.paddingEquals(original))
                #expect(a.paddingEquals(original))
            }
        }
    }

    @Test("fused resizePack equals resize then packPlanar", arguments: resizeCases, [ResizeMode.bilinear, .area])
    func fused(_ c: (Int, Int, Int, Int), _ mode: ResizeMode) throws {
        let (sw, sh, dw, dh) = c
        var rng = SplitMix64(seed: UInt64(sw * 3 + sh * 17 + dw * 101 + dh * 1003))
        let plan = try #require(ResizePlan(srcWidth: sw, srcHeight: sh, dstWidth: dw, dstHeight: dh,
                                           channels: 3, mode: mode))
        defer { plan.deallocate() }
        let src = Image(width: sw, height: sh, bytesPerPixel: 3, padding: 9, random: &rng)
        let scale = SIMD4<Float>(1 / 58.395, 1 / 57.12, 1 / 57.375, 0)
        let bias = SIMD4<Float>(-123.675 / 58.395, -116.28 / 57.12, -103.53 / 57.375, 0)
        for swap in [false, true] {
            let resized = Image(width: dw, height: dh, bytesPerPixel: 3)
            ScalarKernels.resize(plan: plan, src: src.pointer, srcStride: src.stride, dst: resized.pointer,
                                 dstStride: resized.stride)
            let twoStep = Planes(width: dw, height: dh, rowPadding: 3, planePadding: 2)
            ScalarKernels.packPlanar(src: resized.pointer, srcStride: resized.stride, width: dw, height: dh,
                                     dst: twoStep.pointer, dstRowStride: twoStep.rowStride,
                                     dstPlaneStride: twoStep.planeStride, scale: scale, bias: bias, swapRB: swap)
            let scalar = Planes(width: dw, height: dh, rowPadding: 3, planePadding: 2)
            ScalarKernels.resizePack(plan: plan, src: src.pointer, srcStride: src.stride, dst: scalar.pointer,
                                     dstRowStride: scalar.rowStride, dstPlaneStride: scalar.planeStride,
                                     scale: scale, bias: bias, swapRB: swap)
            let simd = Planes(width: dw, height: dh, rowPadding: 3, planePadding: 2)
            SIMDKernels.resizePack(plan: plan, src: src.pointer, srcStride: src.stride, dst: simd.pointer,
                                   dstRowStride: simd.rowStride, dstPlaneStride: simd.planeStride,
                                   scale: scale, bias: bias, swapRB: swap)
            #expect(scalar.bits == twoStep.bits)
            #expect(simd.bits == twoStep.bits)
        }
    }

    @Test("a constant image stays constant", arguments: resizeCases, [ResizeMode.bilinear, .area])
    func constant(_ c: (Int, Int, Int, Int), _ mode: ResizeMode) throws {
        let (sw, sh, dw, dh) = c
        for ch in [1, 3] {
            let plan = try #require(ResizePlan(srcWidth: sw, srcHeight: sh, dstWidth: dw, dstHeight: dh,
                                               channels: ch, mode: mode))
            defer { plan.deallocate() }
            for value: UInt8 in [0, 1, 128, 254, 255] {
                let src = Image(width: sw, height: sh, bytesPerPixel: ch, fill: value)
                for simd in [false, true] {
                    let dst = Image(width: dw, height: dh, bytesPerPixel: ch, fill: 99)
                    if simd {
                        SIMDKernels.resize(plan: plan, src: src.pointer, srcStride: src.stride, dst: dst.pointer,
                                           dstStride: dst.stride)
                    } else {
                        ScalarKernels.resize(plan: plan, src: src.pointer, srcStride: src.stride, dst: dst.pointer,
                                             dstStride: dst.stride)
                    }
                    #expect(dst.bytes.allSatisfy { $0 == value }, "value \(value) channels \(ch) simd \(simd)")
                }
            }
        }
    }

    @Test("bilinear samples of a ramp, computed by hand")
    func ramp() throws {
        // Upscale 4 → 8: sx = (dx + 0.5) / 2 - 0.5 = -0.25, 0.25, 0.75, ... 3.25 (clamped at both
        // ends). Source 0, 40, 80, 120 gives 0, 10, 30, 50, 70, 90, 110, 120.
        let up = try #require(ResizePlan(srcWidth: 4, srcHeight: 2, dstWidth: 8, dstHeight: 2, channels: 1, mode: .bilinear))
        defer { up.deallocate() }
        let src = Image(width: 4, height: 2, bytesPerPixel: 1)
        for y in 0..<2 { for x in 0..<4 { src[x, y, 0] = UInt8(40 * x) } }
        // Downscale 8 → 4: sx = 2 dx + 0.5, the mean of each pair: 10x ramp gives 5, 25, 45, 65.
        let down = try #require(ResizePlan(srcWidth: 8, srcHeight: 1, dstWidth: 4, dstHeight: 1, channels: 3, mode: .bilinear))
        defer { down.deallocate() }
        let src8 = Image(width: 8, height: 1, bytesPerPixel: 3)
        for x in 0..<8 { src8[x, 0, 0] = UInt8(10 * x); src8[x, 0, 1] = 200; src8[x, 0, 2] = UInt8(70 - 10 * x) }
        for simd in [false, true] {
            let dst = Image(width: 8, height: 2, bytesPerPixel: 1)
            let dst4 = Image(width: 4, height: 1, bytesPerPixel: 3)
            if simd {
                SIMDKernels.resize(plan: up, src: src.pointer, srcStride: 4, dst: dst.pointer, dstStride: 8)
                SIMDKernels.resize(plan: down, src: src8.pointer, srcStride: 24, dst: dst4.pointer, dstStride: 12)
            } else {
                ScalarKernels.resize(plan: up, src: src.pointer, srcStride: 4, dst: dst.pointer, dstStride: 8)
                ScalarKernels.resize(plan: down, src: src8.pointer, srcStride: 24, dst: dst4.pointer, dstStride: 12)
            }
            #expect(Array(dst.bytes[0..<8]) == [0, 10, 30, 50, 70, 90, 110, 120])
            #expect(Array(dst.bytes[8..<16]) == [0, 10, 30, 50, 70, 90, 110, 120])
            #expect(dst4.bytes == [5, 200, 65, 25, 200, 45, 45, 200, 25, 65, 200, 5])
        }
    }

    @Test("bilinear is within ±1 of a float model of OpenCV INTER_LINEAR",
          arguments: [(17, 9, 33, 31), (33, 31, 17, 9), (480, 270, 416, 234), (64, 48, 21, 13), (5, 3, 7, 9)])
    func bilinearAccuracy(_ c: (Int, Int, Int, Int)) throws {
        let (sw, sh, dw, dh) = c
        var rng = SplitMix64(seed: 4242)
        let plan = try #require(ResizePlan(srcWidth: sw, srcHeight: sh, dstWidth: dw, dstHeight: dh, channels: 3, mode: .bilinear))
        defer { plan.deallocate() }
        let src = Image(width: sw, height: sh, bytesPerPixel: 3, random: &rng)
        let dst = Image(width: dw, height: dh, bytesPerPixel: 3)
        ScalarKernels.resize(plan: plan, src: src.pointer, srcStride: src.stride, dst: dst.pointer, dstStride: dst.stride)
        var worst = 0.0
        for y in 0..<dh { for x in 0..<dw { for ch in 0..<3 {
            let r = bilinearReference(src, dstW: dw, dstH: dh, x: x, y: y, c: ch)
            worst = max(worst, abs(Double(dst[x, y, ch]) - r))
        } } }
        #expect(worst <= 1.0)
    }

    @Test("area is within ±1 of a float box average", arguments: [(7, 7, 3, 3), (64, 48, 21, 13), (641, 479, 97, 61), (640, 480, 160, 120)])
    func areaAccuracy(_ c: (Int, Int, Int, Int)) throws {
        let (sw, sh, dw, dh) = c
        var rng = SplitMix64(seed: 777)
        let plan = try #require(ResizePlan(srcWidth: sw, srcHeight: sh, dstWidth: dw, dstHeight: dh, channels: 1, mode: .area))
        defer { plan.deallocate() }
        let src = Image(width: sw, height: sh, bytesPerPixel: 1, random: &rng)
        let dst = Image(width: dw, height: dh, bytesPerPixel: 1)
        ScalarKernels.resize(plan: plan, src: src.pointer, srcStride: src.stride, dst: dst.pointer, dstStride: dst.stride)
        var worst = 0.0
        for y in 0..<dh { for x in 0..<dw {
            worst = max(worst, abs(Double(dst[x, y, 0]) - areaReference(src, dstW: dw, dstH: dh, x: x, y: y, c: 0)))
        } }
        #expect(worst <= 1.0)
    }

    /// Exact integer factors: 2× gives `(a + b + c + d + 2) >> 2`, 4× gives `(Σ16 + 8) >> 4`.
    @Test("area by exactly 2 and 4 is the rounded block mean", arguments: [2, 4])
    func areaExact(_ factor: Int) throws {
        var rng = SplitMix64(seed: UInt64(factor))
        for ch in [1, 3] {
            let (dw, dh) = (37, 21)
            let plan = try #require(ResizePlan(srcWidth: dw * factor, srcHeight: dh * factor, dstWidth: dw, dstHeight: dh,
                                               channels: ch, mode: .area))
            defer { plan.deallocate() }
            let src = Image(width: dw * factor, height: dh * factor, bytesPerPixel: ch, padding: 3, random: &rng)
            for simd in [false, true] {
                let dst = Image(width: dw, height: dh, bytesPerPixel: ch)
                if simd {
                    SIMDKernels.resize(plan: plan, src: src.pointer, srcStride: src.stride, dst: dst.pointer, dstStride: dst.stride)
                } else {
                    ScalarKernels.resize(plan: plan, src: src.pointer, srcStride: src.stride, dst: dst.pointer, dstStride: dst.stride)
                }
                var mismatches = 0
                let n = factor * factor
                for y in 0..<dh { for x in 0..<dw { for c in 0..<ch {
                    var sum = 0
                    for j in 0..<factor { for i in 0..<factor { sum += Int(src[x * factor + i, y * factor + j, c]) } }
                    if Int(dst[x, y, c]) != (sum + n / 2) / n { mismatches += 1 }
                } } }
                #expect(mismatches == 0, "channels \(ch) simd \(simd)")
            }
        }
    }

    @Test("a second scratch gives the same result; invalid plans are refused")
    func scratchAndValidation() throws {
        var rng = SplitMix64(seed: 5)
        let plan = try #require(ResizePlan(srcWidth: 50, srcHeight: 40, dstWidth: 23, dstHeight: 17, channels: 3, mode: .bilinear))
        defer { plan.deallocate() }
        let extra = plan.makeScratch()
        defer { extra.deallocate() }
        let src = Image(width: 50, height: 40, bytesPerPixel: 3, random: &rng)
        let a = Image(width: 23, height: 17, bytesPerPixel: 3)
        let b = Image(width: 23, height: 17, bytesPerPixel: 3)
        SIMDKernels.resize(plan: plan, src: src.pointer, srcStride: src.stride, dst: a.pointer, dstStride: a.stride)
        SIMDKernels.resize(plan: plan, src: src.pointer, srcStride: src.stride, dst: b.pointer, dstStride: b.stride,
                           scratch: extra)
        #expect(a.bytes == b.bytes)
        #expect(ResizePlan(srcWidth: 0, srcHeight: 4, dstWidth: 4, dstHeight: 4, channels: 3, mode: .bilinear) == nil)
        #expect(ResizePlan(srcWidth: 4, srcHeight: 4, dstWidth: 4, dstHeight: -1, channels: 1, mode: .area) == nil)
        #expect(ResizePlan(srcWidth: 4, srcHeight: 4, dstWidth: 4, dstHeight: 4, channels: 4, mode: .area) == nil)
    }
}
