import SightlineKernels
import Testing

// SIMD vs scalar reference for the colour conversions and the planar packing.
// Integer outputs must be bit-identical (tolerance 0), float outputs identical bit patterns
// (tolerance 0: both compute `Float(v) * scale + bias` as two IEEE operations, no FMA).
// Every destination starts as random bytes, so a write outside `width × height` (into row
// padding) is caught by comparing the padding with the untouched original. Each check is
// written once, generic over the kernel family, and run on both (``onBothFamilies(_:)``).

@Suite("SIMD equals scalar: colour conversion")
struct ConversionEquivalenceTests {
    @Test("yuyvToRGB", arguments: imageCases, [YUVRange.limited, .full])
    func yuyv(_ c: (Int, Int, Int), _ range: YUVRange) {
        let (w, h, pad) = c
        var rng = SplitMix64(seed: UInt64(w * 1000 + h) ^ UInt64(range.rawValue))
        let src = Image(width: (w + 1) / 2, height: h, bytesPerPixel: 4, padding: pad, random: &rng)
        for swap in [false, true] {
            let original = Image(width: w, height: h, bytesPerPixel: 3, padding: pad, random: &rng)
            let (a, b) = onBothFamilies { k in
                let out = original.copy()
                k.yuyvToRGB(
                    src: src.pointer, srcStride: src.stride, dst: out.pointer, dstStride: out.stride, width: w, height: h,
                    range: range, swapRB: swap)
                return out
            }
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
            let original = Image(width: w, height: h, bytesPerPixel: 3, padding: pad, random: &rng)
            let (a, b) = onBothFamilies { k in
                let out = original.copy()
                k.nv12ToRGB(
                    y: yImage.pointer, yStride: yImage.stride, uv: uvImage.pointer, uvStride: uvImage.stride, dst: out.pointer,
                    dstStride: out.stride, width: w, height: h, range: range, swapRB: swap)
                return out
            }
            #expect(a.bytes == b.bytes)
            #expect(b.paddingEquals(original))
        }
    }

    @Test("greyToRGB", arguments: imageCases)
    func grey(_ c: (Int, Int, Int)) {
        let (w, h, pad) = c
        var rng = SplitMix64(seed: UInt64(w * 1000 + h) ^ 0x77)
        let src = Image(width: w, height: h, bytesPerPixel: 1, padding: pad + 3, random: &rng)
        let original = Image(width: w, height: h, bytesPerPixel: 3, padding: pad, random: &rng)
        let (a, b) = onBothFamilies { k in
            let out = original.copy()
            k.greyToRGB(src: src.pointer, srcStride: src.stride, dst: out.pointer, dstStride: out.stride, width: w, height: h)
            return out
        }
        #expect(a.bytes == b.bytes)
        #expect(b.paddingEquals(original))
        #expect(a[w - 1, h - 1, 2] == src[w - 1, h - 1, 0])
    }

    @Test("swapRB out of place and in place", arguments: imageCases)
    func swap(_ c: (Int, Int, Int)) {
        let (w, h, pad) = c
        var rng = SplitMix64(seed: UInt64(w * 1000 + h) ^ 0x99)
        let src = Image(width: w, height: h, bytesPerPixel: 3, padding: pad, random: &rng)
        let original = Image(width: w, height: h, bytesPerPixel: 3, padding: pad, random: &rng)
        let (a, b) = onBothFamilies { k in
            let out = original.copy()
            k.swapRB(src: src.pointer, srcStride: src.stride, dst: out.pointer, dstStride: out.stride, width: w, height: h)
            return out
        }
        #expect(a.bytes == b.bytes)
        #expect(b.paddingEquals(original))

        // In place: both variants must give what out-of-place gave, padding untouched.
        let (s, v) = onBothFamilies { k in
            let inPlace = src.copy()
            k.swapRB(
                src: inPlace.pointer, srcStride: inPlace.stride, dst: inPlace.pointer, dstStride: inPlace.stride, width: w,
                height: h)
            return inPlace
        }
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
            let original = Image(width: w, height: h, bytesPerPixel: 1, padding: pad, random: &rng)
            let (a, b) = onBothFamilies { k in
                let out = original.copy()
                k.rgbToGrey(
                    src: src.pointer, srcStride: src.stride, dst: out.pointer, dstStride: out.stride, width: w, height: h,
                    swapRB: swap)
                return out
            }
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
                let (a, b) = onBothFamilies { k in
                    let out = Planes(width: w, height: h, rowPadding: pad % 5, planePadding: 3)
                    k.packPlanar(
                        src: src.pointer, srcStride: src.stride, width: w, height: h, dst: out.pointer,
                        dstRowStride: out.rowStride, dstPlaneStride: out.planeStride, scale: scale, bias: bias, swapRB: swap)
                    return out
                }
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
        let value = SIMD4<Float>(0.5, -0.25, 114.0 / 255, 42)
        let (a, b) = onBothFamilies { k in
            let out = Planes(width: w, height: h, rowPadding: 2, planePadding: 1)
            k.fillPlanar(
                dst: out.pointer, dstRowStride: out.rowStride, dstPlaneStride: out.planeStride, x: x0, y: y0, width: rw,
                height: rh, value: value)
            return out
        }
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
