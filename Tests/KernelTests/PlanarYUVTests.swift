import SightlineKernels
import Testing

// The planar YUV kernels: SIMD vs scalar bit-exact (tolerance 0) over odd sizes, padded strides
// and 1-pixel images; the byte splitters against hand-made layouts; `yuvPlanesToFloat` against
// the interleaved path (`yuyvToRGB` + `packPlanar`) on the same pixels, which must give the very
// same floats. Destinations start as random bytes (or -7 for floats), so writes into row padding
// are caught.

/// Float parameters shared with the packPlanar tests: plain 1/255, ImageNet-style, odd values.
private let floatParams: [(SIMD4<Float>, SIMD4<Float>)] = [
    (SIMD4(repeating: 1.0 / 255), .zero),
    (SIMD4(1 / 58.395, 1 / 57.12, 1 / 57.375, 99), SIMD4(-123.675 / 58.395, -116.28 / 57.12, -103.53 / 57.375, 5)),
    (SIMD4(0.3, -1.7, 1e-3, 0), SIMD4(0.1, 0.2, -0.3, 0)),
]

@Suite("Planar YUV kernels")
struct PlanarYUVTests {
    @Test("deinterleaveYUYV: SIMD equals scalar", arguments: imageCases)
    func deinterleave(_ c: (Int, Int, Int)) {
        let (w, h, pad) = c
        let cw = (w + 1) / 2
        var rng = SplitMix64(seed: UInt64(w * 1000 + h) ^ 0x1F1F)
        let src = Image(width: cw, height: h, bytesPerPixel: 4, padding: pad, random: &rng)
        let y = Image(width: w, height: h, bytesPerPixel: 1, padding: pad, random: &rng)
        let u = Image(width: cw, height: h, bytesPerPixel: 1, padding: pad + 3, random: &rng)
        let v = Image(width: cw, height: h, bytesPerPixel: 1, padding: pad % 7, random: &rng)
        let (reference, simd) = onBothFamilies { k in
            let (yOut, uOut, vOut) = (y.copy(), u.copy(), v.copy())
            k.deinterleaveYUYV(
                src: src.pointer, srcStride: src.stride, width: w, height: h, y: yOut.pointer, yStride: yOut.stride, u: uOut.pointer,
                uStride: uOut.stride, v: vOut.pointer, vStride: vOut.stride)
            return [yOut.bytes, uOut.bytes, vOut.bytes]
        }
        #expect(reference == simd)
    }

    @Test("deinterleaveYUYV: hand-made layout, padding untouched", arguments: imageCases)
    func deinterleaveLayout(_ c: (Int, Int, Int)) {
        let (w, h, pad) = c
        let cw = (w + 1) / 2
        // Y of pixel (x, r) = x + 3r, U of macropixel (i, r) = 100 + i + r, V = 200 - i - r (mod 256).
        let src = Image(width: cw, height: h, bytesPerPixel: 4, padding: pad, fill: 0xEE)
        for r in 0..<h {
            for i in 0..<cw {
                src[i, r, 0] = UInt8(truncatingIfNeeded: 2 * i + 3 * r)
                src[i, r, 1] = UInt8(truncatingIfNeeded: 100 + i + r)
                src[i, r, 2] = UInt8(truncatingIfNeeded: 2 * i + 1 + 3 * r)
                src[i, r, 3] = UInt8(truncatingIfNeeded: 200 - i - r)
            }
        }
        for simd in [false, true] {
            var rng = SplitMix64(seed: 42)
            let y = Image(width: w, height: h, bytesPerPixel: 1, padding: pad, random: &rng)
            let u = Image(width: cw, height: h, bytesPerPixel: 1, padding: pad, random: &rng)
            let v = Image(width: cw, height: h, bytesPerPixel: 1, padding: pad, random: &rng)
            let (y0, u0, v0) = (y.copy(), u.copy(), v.copy())
            let run = simd ? SIMDKernels.deinterleaveYUYV : ScalarKernels.deinterleaveYUYV
            run(src.pointer, src.stride, w, h, y.pointer, y.stride, u.pointer, u.stride, v.pointer, v.stride)
            var bad = 0
            for r in 0..<h {
                for x in 0..<w where y[x, r, 0] != UInt8(truncatingIfNeeded: x + 3 * r) { bad += 1 }
                for i in 0..<cw {
                    if u[i, r, 0] != UInt8(truncatingIfNeeded: 100 + i + r) { bad += 1 }
                    if v[i, r, 0] != UInt8(truncatingIfNeeded: 200 - i - r) { bad += 1 }
                }
            }
            #expect(bad == 0, "simd \(simd)")
            #expect(y.paddingEquals(y0) && u.paddingEquals(u0) && v.paddingEquals(v0), "simd \(simd)")
        }
    }

    @Test("splitUV: SIMD equals scalar and the hand-made layout", arguments: imageCases)
    func split(_ c: (Int, Int, Int)) {
        // (w, h) is the chroma plane size in pairs here.
        let (w, h, pad) = c
        var rng = SplitMix64(seed: UInt64(w * 1000 + h) ^ 0x2E2E)
        let src = Image(width: w, height: h, bytesPerPixel: 2, padding: pad + 1, random: &rng)
        let u = Image(width: w, height: h, bytesPerPixel: 1, padding: pad, random: &rng)
        let v = Image(width: w, height: h, bytesPerPixel: 1, padding: pad + 2, random: &rng)
        let (u0, v0) = (u.copy(), v.copy())
        let (reference, simd) = onBothFamilies { k in
            let (uOut, vOut) = (u.copy(), v.copy())
            k.splitUV(
                src: src.pointer, srcStride: src.stride, width: w, height: h, u: uOut.pointer, uStride: uOut.stride, v: vOut.pointer,
                vStride: vOut.stride)
            return (uOut, vOut)
        }
        let (u2, v2) = simd
        #expect(reference.0.bytes == u2.bytes)
        #expect(reference.1.bytes == v2.bytes)
        #expect(u2.paddingEquals(u0) && v2.paddingEquals(v0))
        var bad = 0
        for r in 0..<h {
            for i in 0..<w where u2[i, r, 0] != src[i, r, 0] || v2[i, r, 0] != src[i, r, 1] { bad += 1 }
        }
        #expect(bad == 0)
    }

    @Test("yuvPlanesToFloat: SIMD equals scalar", arguments: imageCases, [YUVRange.limited, .full])
    func toFloat(_ c: (Int, Int, Int), _ range: YUVRange) {
        let (w, h, pad) = c
        var rng = SplitMix64(seed: UInt64(w * 1000 + h) ^ 0x3D3D ^ UInt64(range.rawValue))
        let y = Image(width: w, height: h, bytesPerPixel: 1, padding: pad, random: &rng)
        let u = Image(width: w, height: h, bytesPerPixel: 1, padding: pad + 5, random: &rng)
        let v = Image(width: w, height: h, bytesPerPixel: 1, padding: pad % 3, random: &rng)
        for (scale, bias) in floatParams {
            for swap in [false, true] {
                let (a, b) = onBothFamilies { k in
                    let out = Planes(width: w, height: h, rowPadding: pad % 5, planePadding: 3)
                    k.yuvPlanesToFloat(
                        y: y.pointer, yStride: y.stride, u: u.pointer, uStride: u.stride, v: v.pointer, vStride: v.stride, width: w,
                        height: h, range: range, dst: out.pointer, dstRowStride: out.rowStride, dstPlaneStride: out.planeStride,
                        scale: scale, bias: bias, swapRB: swap)
                    return out
                }
                #expect(a.bits == b.bits)
                if pad % 5 > 0 { #expect(b.pointer[w] == -7) }
                #expect(b.pointer[b.planeStride - 1] == -7)
            }
        }
    }

    /// Every (Y, U, V) byte triple through both kernels at once (256 x 65536 pixels would be
    /// slow; a 4096 x 16 grid covers all U, V pairs for 16 luma values, and 256 luma values for
    /// a ring of chroma), so the float arithmetic is checked where clamping starts and stops.
    @Test("yuvPlanesToFloat: SIMD equals scalar at the clamp edges", arguments: [YUVRange.limited, .full])
    func toFloatEdges(_ range: YUVRange) {
        let w = 4096, h = 32
        let y = Image(width: w, height: h, bytesPerPixel: 1)
        let u = Image(width: w, height: h, bytesPerPixel: 1)
        let v = Image(width: w, height: h, bytesPerPixel: 1)
        for r in 0..<h {
            for x in 0..<w {
                let i = r * w + x
                y[x, r, 0] = UInt8(truncatingIfNeeded: r < 16 ? [0, 1, 15, 16, 17, 30, 100, 128, 180, 234, 235, 236, 240, 253, 254, 255][r] : x)
                u[x, r, 0] = UInt8(truncatingIfNeeded: r < 16 ? i >> 8 : x >> 4)
                v[x, r, 0] = UInt8(truncatingIfNeeded: r < 16 ? i : (x >> 4) ^ r)
            }
        }
        let scale = SIMD4<Float>(repeating: 1.0 / 255), bias = SIMD4<Float>.zero
        let a = Planes(width: w, height: h), b = Planes(width: w, height: h)
        ScalarKernels.yuvPlanesToFloat(y: y.pointer, yStride: w, u: u.pointer, uStride: w, v: v.pointer, vStride: w,
                                       width: w, height: h, range: range, dst: a.pointer, dstRowStride: w,
                                       dstPlaneStride: a.planeStride, scale: scale, bias: bias, swapRB: false)
        SIMDKernels.yuvPlanesToFloat(y: y.pointer, yStride: w, u: u.pointer, uStride: w, v: v.pointer, vStride: w,
                                     width: w, height: h, range: range, dst: b.pointer, dstRowStride: w,
                                     dstPlaneStride: b.planeStride, scale: scale, bias: bias, swapRB: false)
        #expect(a.bits == b.bits)
    }

    /// The same pixels through the interleaved path: a YUYV image, and Y, U, V planes holding
    /// each pixel's own Y and its macropixel's U, V. Both paths use the integer formula and the
    /// same two float operations, so the floats are identical.
    @Test("yuvPlanesToFloat equals yuyvToRGB + packPlanar", arguments: imageCases, [YUVRange.limited, .full])
    func matchesInterleavedPath(_ c: (Int, Int, Int), _ range: YUVRange) {
        let (w, h, pad) = c
        var rng = SplitMix64(seed: UInt64(w * 1000 + h) ^ 0x4C4C ^ UInt64(range.rawValue))
        let src = Image(width: (w + 1) / 2, height: h, bytesPerPixel: 4, padding: pad, random: &rng)
        let y = Image(width: w, height: h, bytesPerPixel: 1, padding: pad)
        let u = Image(width: w, height: h, bytesPerPixel: 1, padding: pad)
        let v = Image(width: w, height: h, bytesPerPixel: 1, padding: pad)
        for r in 0..<h {
            for x in 0..<w {
                y[x, r, 0] = src[x / 2, r, 2 * (x % 2)]
                u[x, r, 0] = src[x / 2, r, 1]
                v[x, r, 0] = src[x / 2, r, 3]
            }
        }
        let rgb = Image(width: w, height: h, bytesPerPixel: 3, padding: pad)
        ScalarKernels.yuyvToRGB(src: src.pointer, srcStride: src.stride, dst: rgb.pointer, dstStride: rgb.stride,
                                width: w, height: h, range: range, swapRB: false)
        for (scale, bias) in floatParams {
            for swap in [false, true] {
                let ref = Planes(width: w, height: h, rowPadding: 1)
                ScalarKernels.packPlanar(src: rgb.pointer, srcStride: rgb.stride, width: w, height: h, dst: ref.pointer,
                                         dstRowStride: ref.rowStride, dstPlaneStride: ref.planeStride,
                                         scale: scale, bias: bias, swapRB: swap)
                for simd in [false, true] {
                    let out = Planes(width: w, height: h, rowPadding: 1)
                    let run = simd ? SIMDKernels.yuvPlanesToFloat : ScalarKernels.yuvPlanesToFloat
                    run(y.pointer, y.stride, u.pointer, u.stride, v.pointer, v.stride, w, h, range, out.pointer,
                        out.rowStride, out.planeStride, scale, bias, swap)
                    #expect(out.bits == ref.bits, "simd \(simd) swap \(swap)")
                }
            }
        }
    }
}
