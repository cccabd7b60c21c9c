import SightlineKernels
import Testing

// SIMD vs scalar reference for the colour conversions and the planar packing.
// Integer outputs must be bit-identical (tolerance 0), float outputs identical bit patterns
// (tolerance 0: both compute `Float(v) * scale + bias` as two IEEE operations, no FMA).
// Every destination starts as random bytes, so a write outside `width × height` (into row
// padding) is caught by comparing the padding with the untouched original.

@Suite("SIMD equals scalar: colour conversion")
struct ConversionEquivalenceTests {
    @Test("yuyvToRGB", arguments: imageCases, [YUVRange.limited, .full])
    func yuyv(_ c: (Int, Int, Int), _ range: YUVRange) {
        let (w, h, pad) = c
        var rng = SplitMix64(seed: UInt64(w * 1000 + h) ^ UInt64(range.rawValue))
        let src = Image(width: (w + 1) / 2, height: h, bytesPerPixel: 4, padding: pad, random: &rng)
        for swap in [false, true] {
            let a = Image(width: w, height: h, bytesPerPixel: 3, padding: pad, random: &rng)
            let b = a.copy()
            let original = a.copy()
            ScalarKernels.yuyvToRGB(src: src.pointer, srcStride: src.stride, dst: a.pointer, dstStride: a.stride,
                                    width: w, height: h, range: range, swapRB: swap)
            SIMDKernels.yuyvToRGB(src: src.pointer, srcStride: src.stride, dst: b.pointer, dstStride: b.stride,
                                  width: w, height: h, range: range, swapRB: swap)
            #expect(a.bytes == b.bytes)
            #expect(b.paddingEquals(original))
        }
    }

    @Test("nv12ToRGB", arguments: imageCases, [YUVRange.limited, .full])
    func nv12(_ c: (Int, Int, Int), _ range: YUVRange) {
        let (w, h, pad) = c
        var rng = SplitMix64(seed: UInt64(w * 1000 + h) ^ 0x55 ^ UInt64(range.rawValue))
        let yImage = Image(width: w, height: h, bytesPerPixel: 1, padding: pad, random: &rng)
        let uvImage = Image(width: (w + 1) / 2, height: (h + 1) / 2, bytesPerPixel: 2, padding: pad + 1, random: &rng)
        for swap in [false, true] {
            let a = Image(width: w, height: h, bytesPerPixel: 3, padding: pad, random: &rng)
            let b = a.copy()
            let original = a.copy()
            ScalarKernels.nv12ToRGB(y: yImage.pointer, yStride: yImage.stride, uv: uvImage.pointer,
                                    uvStride: uvImage.stride, dst: a.pointer, dstStride: a.stride,
                                    width: w, height: h, range: range, swapRB: swap)
            SIMDKernels.nv12ToRGB(y: yImage.pointer, yStride: yImage.stride, uv: uvImage.pointer,
                                  uvStride: uvImage.stride, dst: b.pointer, dstStride: b.stride,
                                  width: w, height: h, range: range, swapRB: swap)
            #expect(a.bytes == b.bytes)
            #expect(b.paddingEquals(original))
        }
    }

    @Test("greyToRGB", arguments: imageCases)
    func grey(_ c: (Int, Int, Int)) {
        let (w, h, pad) = c
        var rng = SplitMix64(seed: UInt64(w * 1000 + h) ^ 0x77)
        let src = Image(width: w, height: h, bytesPerPixel: 1, padding: pad + 3, random: &rng)
        let a = Image(width: w, height: h, bytesPerPixel: 3, padding: pad, random: &rng)
        let b = a.copy()
        let original = a.copy()
        ScalarKernels.greyToRGB(src: src.pointer, srcStride: src.stride, dst: a.pointer, dstStride: a.stride,
                                width: w, height: h)
        SIMDKernels.greyToRGB(src: src.pointer, srcStride: src.stride, dst: b.pointer, dstStride: b.stride,
                              width: w, height: h)
        #expect(a.bytes == b.bytes)
        #expect(b.paddingEquals(original))
        #expect(a[w - 1, h - 1, 2] == src[w - 1, h - 1, 0])
    }

    @Test("swapRB out of place and in place", arguments: imageCases)
    func swap(_ c: (Int, Int, Int)) {
        let (w, h, pad) = c
        var rng = SplitMix64(seed: UInt64(w * 1000 + h) ^ 0x99)
        let src = Image(width: w, height: h, bytesPerPixel: 3, padding: pad, random: &rng)
        let a = Image(width: w, height: h, bytesPerPixel: 3, padding: pad, random: &rng)
        let b = a.copy()
        let original = a.copy()
        ScalarKernels.swapRB(src: src.pointer, srcStride: src.stride, dst: a.pointer, dstStride: a.stride,
                             width: w, height: h)
        SIMDKernels.swapRB(src: src.pointer, srcStride: src.stride, dst: b.pointer, dstStride: b.stride,
                           width: w, height: h)
        #expect(a.bytes == b.bytes)
        #expect(b.paddingEquals(original))

        // In place: both variants must give what out-of-place gave, padding untouched.
        let s = src.copy()
        let v = src.copy()
        ScalarKernels.swapRB(src: s.pointer, srcStride: s.stride, dst: s.pointer, dstStride: s.stride,
                             width: w, height: h)
        SIMDKernels.swapRB(src: v.pointer, srcStride: v.stride, dst: v.pointer, dstStride: v.stride,
                           width: w, height: h)
        #expect(s.bytes == v.bytes)
        #expect(v.paddingEquals(src))
        for y in [0, h - 1] {
            for x in [0, w / 2, w - 1] {
                #expect(v[x, y, 0] == src[x, y, 2] && v[x, y, 1] == src[x, y, 1] && v[x, y, 2] == src[x, y, 0])
                #expect(a[x, y, 0] == src[x, y, 2] && a[x, y, 2] == src[x, y, 0])
            }
        }
    }

    @Test("rgbToGrey", arguments: imageCases)
    func rgbToGrey(_ c: (Int, Int, Int)) {
        let (w, h, pad) = c
        var rng = SplitMix64(seed: UInt64(w * 1000 + h) ^ 0xAB)
        let src = Image(width: w, height: h, bytesPerPixel: 3, padding: pad, random: &rng)
        for swap in [false, true] {
            let a = Image(width: w, height: h, bytesPerPixel: 1, padding: pad, random: &rng)
            let b = a.copy()
            let original = a.copy()
            ScalarKernels.rgbToGrey(src: src.pointer, srcStride: src.stride, dst: a.pointer, dstStride: a.stride,
                                    width: w, height: h, swapRB: swap)
            SIMDKernels.rgbToGrey(src: src.pointer, srcStride: src.stride, dst: b.pointer, dstStride: b.stride,
                                  width: w, height: h, swapRB: swap)
            #expect(a.bytes == b.bytes)
            #expect(b.paddingEquals(original))
        }
    }

    @Test("packPlanar", arguments: imageCases)
    func pack(_ c: (Int, Int, Int)) {
        let (w, h, pad) = c
        var rng = SplitMix64(seed: UInt64(w * 1000 + h) ^ 0xCD)
        let src = Image(width: w, height: h, bytesPerPixel: 3, padding: pad, random: &rng)
        let params: [(SIMD4<Float>, SIMD4<Float>)] = [
            (SIMD4(repeating: 1.0 / 255), .zero),
            (SIMD4(1 / 58.395, 1 / 57.12, 1 / 57.375, 99), SIMD4(-123.675 / 58.395, -116.28 / 57.12, -103.53 / 57.375, 5)),
            (SIMD4(0.3, -1.7, 1e-3, 0), SIMD4(0.1, 0.2, -0.3, 0)),
        ]
        for (scale, bias) in params {
            for swap in [false, true] {
                let a = Planes(width: w, height: h, rowPadding: pad % 5, planePadding: 3)
                let b = Planes(width: w, height: h, rowPadding: pad % 5, planePadding: 3)
                ScalarKernels.packPlanar(src: src.pointer, srcStride: src.stride, width: w, height: h, dst: a.pointer,
                                         dstRowStride: a.rowStride, dstPlaneStride: a.planeStride,
                                         scale: scale, bias: bias, swapRB: swap)
                SIMDKernels.packPlanar(src: src.pointer, srcStride: src.stride, width: w, height: h, dst: b.pointer,
                                       dstRowStride: b.rowStride, dstPlaneStride: b.planeStride,
                                       scale: scale, bias: bias, swapRB: swap)
                #expect(a.bits == b.bits)
                // Padding untouched (fill value -7).
                if pad % 5 > 0 { #expect(b.pointer[w] == -7) }
                #expect(b.pointer[b.planeStride - 1] == -7)
            }
        }
    }

    @Test("fillPlanar", arguments: [(1, 1, 0, 0, 1, 1), (10, 7, 2, 3, 5, 4), (37, 20, 0, 5, 37, 10), (416, 416, 0, 325, 416, 91)])
    func fill(_ c: (Int, Int, Int, Int, Int, Int)) {
        let (w, h, x0, y0, rw, rh) = c
        let a = Planes(width: w, height: h, rowPadding: 2, planePadding: 1)
        let b = Planes(width: w, height: h, rowPadding: 2, planePadding: 1)
        let value = SIMD4<Float>(0.5, -0.25, 114.0 / 255, 42)
        ScalarKernels.fillPlanar(dst: a.pointer, dstRowStride: a.rowStride, dstPlaneStride: a.planeStride,
                                 x: x0, y: y0, width: rw, height: rh, value: value)
        SIMDKernels.fillPlanar(dst: b.pointer, dstRowStride: b.rowStride, dstPlaneStride: b.planeStride,
                               x: x0, y: y0, width: rw, height: rh, value: value)
        #expect(a.bits == b.bits)
        var inside = 0
        var outsideChanged = 0
        for p in 0..<3 {
            for y in 0..<h {
                for x in 0..<w {
                    let isInside = x >= x0 && x < x0 + rw && y >= y0 && y < y0 + rh
                    if isInside {
                        if b[p, x, y] == value[p] { inside += 1 }
                    } else if b[p, x, y] != -7 {
                        outsideChanged += 1
                    }
                }
            }
        }
        #expect(inside == 3 * rw * rh)
        #expect(outsideChanged == 0)
    }
}
