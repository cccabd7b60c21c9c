import SightlineKernels
import Testing

// The scalar references against values known independently of the code, so that scalar and
// SIMD cannot both be wrong the same way. Each check runs both variants.

/// Converts one YUV triple through a 2×1 YUYV image (both pixels share the chroma).
private func yuyv(_ y: UInt8, _ u: UInt8, _ v: UInt8, _ range: YUVRange, simd: Bool = false) -> [UInt8] {
    let src: [UInt8] = [y, u, y, v]
    var dst = [UInt8](repeating: 0, count: 6)
    src.withUnsafeBufferPointer { s in
        dst.withUnsafeMutableBufferPointer { d in
            if simd {
                SIMDKernels.yuyvToRGB(src: s.baseAddress!, srcStride: 4, dst: d.baseAddress!, dstStride: 6,
                                      width: 2, height: 1, range: range, swapRB: false)
            } else {
                ScalarKernels.yuyvToRGB(src: s.baseAddress!, srcStride: 4, dst: d.baseAddress!, dstStride: 6,
                                        width: 2, height: 1, range: range, swapRB: false)
            }
        }
    }
    return Array(dst[0..<3])
}

/// BT.601 in floating point, straight from the standard's equations.
private func floatYUV(_ y: Int, _ u: Int, _ v: Int, _ range: YUVRange) -> (Double, Double, Double) {
    let d = Double(u - 128), e = Double(v - 128)
    switch range {
    case .limited:
        let c = Double(y - 16) * 255 / 219
        let k = 255.0 / 224
        return (c + 1.402 * k * e, c - 0.344136 * k * d - 0.714136 * k * e, c + 1.772 * k * d)
    case .full:
        let c = Double(y)
        return (c + 1.402 * e, c - 0.344136 * d - 0.714136 * e, c + 1.772 * d)
    }
}

private func close(_ got: [UInt8], _ want: (Int, Int, Int), _ tolerance: Int = 1) -> Bool {
    abs(Int(got[0]) - want.0) <= tolerance && abs(Int(got[1]) - want.1) <= tolerance && abs(Int(got[2]) - want.2) <= tolerance
}

@Suite("Scalar references against known values")
struct ReferenceValueTests {
    @Test("limited range: black, white, 75% white (Y=180, as vivid's test pattern), grey clamps", arguments: [false, true])
    func limitedGreys(simd: Bool) {
        #expect(yuyv(16, 128, 128, .limited, simd: simd) == [0, 0, 0])
        #expect(yuyv(235, 128, 128, .limited, simd: simd) == [255, 255, 255])
        #expect(yuyv(180, 128, 128, .limited, simd: simd) == [191, 191, 191])
        #expect(yuyv(0, 128, 128, .limited, simd: simd) == [0, 0, 0])
        #expect(yuyv(255, 128, 128, .limited, simd: simd) == [255, 255, 255])
        #expect(yuyv(126, 128, 128, .limited, simd: simd) == [128, 128, 128])  // 219 * 112 / 255 + 16 ≈ 126
    }

    @Test("limited range: BT.601 primaries (±1)", arguments: [false, true])
    func limitedPrimaries(simd: Bool) {
        #expect(close(yuyv(81, 90, 240, .limited, simd: simd), (255, 0, 0)))
        #expect(close(yuyv(145, 54, 34, .limited, simd: simd), (0, 255, 0)))
        #expect(close(yuyv(41, 240, 110, .limited, simd: simd), (0, 0, 255)))
        #expect(close(yuyv(210, 16, 146, .limited, simd: simd), (255, 255, 0)))  // yellow
    }

    @Test("full range (JFIF): white, black, mid grey, primaries (±1)", arguments: [false, true])
    func full(simd: Bool) {
        #expect(yuyv(255, 128, 128, .full, simd: simd) == [255, 255, 255])
        #expect(yuyv(0, 128, 128, .full, simd: simd) == [0, 0, 0])
        #expect(yuyv(128, 128, 128, .full, simd: simd) == [128, 128, 128])
        #expect(close(yuyv(76, 85, 255, .full, simd: simd), (255, 0, 0)))
        #expect(close(yuyv(150, 44, 21, .full, simd: simd), (0, 255, 0)))
        #expect(close(yuyv(29, 255, 107, .full, simd: simd), (0, 0, 255)))
    }

    /// The fixed-point formula against the float BT.601/JFIF equations over a grid of inputs
    /// (every Y step 3, U/V step 5): within ±1 everywhere (after clamping the float to 0...255).
    @Test("fixed point within ±1 of the float equations", arguments: [YUVRange.limited, .full])
    func fixedPointAccuracy(_ range: YUVRange) {
        var src: [UInt8] = []
        var want: [(Double, Double, Double)] = []
        for y in stride(from: 0, through: 255, by: 3) {
            for u in stride(from: 0, through: 255, by: 5) {
                for v in stride(from: 0, through: 255, by: 5) {
                    src += [UInt8(y), UInt8(u), UInt8(y), UInt8(v)]
                    want.append(floatYUV(y, u, v, range))
                }
            }
        }
        let width = 2 * want.count
        var dst = [UInt8](repeating: 0, count: 3 * width)
        src.withUnsafeBufferPointer { s in
            dst.withUnsafeMutableBufferPointer { d in
                ScalarKernels.yuyvToRGB(src: s.baseAddress!, srcStride: s.count, dst: d.baseAddress!, dstStride: d.count,
                                        width: width, height: 1, range: range, swapRB: false)
            }
        }
        func clamp(_ x: Double) -> Double { min(255, max(0, x)) }
        var worst = 0.0
        for (i, w) in want.enumerated() {
            for x in [2 * i, 2 * i + 1] {
                worst = max(worst, abs(Double(dst[3 * x]) - clamp(w.0)))
                worst = max(worst, abs(Double(dst[3 * x + 1]) - clamp(w.1)))
                worst = max(worst, abs(Double(dst[3 * x + 2]) - clamp(w.2)))
            }
        }
        #expect(worst <= 1.0)
    }

    @Test("YUYV odd width uses the last macropixel's Y0, U, V; NV12 shares chroma per 2x2", arguments: [false, true])
    func layout(simd: Bool) {
        // 3x1 YUYV: the first macropixel is BT.601 red (Y 81, U 90, V 240) for pixels 0 and 1;
        // the last supplies Y0 = 180 and neutral chroma for pixel 2 (its Y1 = 99 is unused).
        let yuyvSrc: [UInt8] = [81, 90, 81, 240, 180, 128, 99, 128]
        var out = [UInt8](repeating: 0, count: 9)
        yuyvSrc.withUnsafeBufferPointer { s in
            out.withUnsafeMutableBufferPointer { d in
                let f = simd ? SIMDKernels.yuyvToRGB : ScalarKernels.yuyvToRGB
                f(s.baseAddress!, 8, d.baseAddress!, 9, 3, 1, .limited, true)
            }
        }
        // swapRB: written as B, G, R.
        #expect(close(Array(out[0..<3]), (0, 0, 255)))
        #expect(close(Array(out[3..<6]), (0, 0, 255)))
        #expect(Array(out[6..<9]) == [191, 191, 191])

        // 3x3 NV12: chroma (2x2 pairs): row 0 = [(128,128), (90,240)], row 1 = [(128,128), (128,128)].
        let y: [UInt8] = [16, 16, 81, 235, 235, 81, 180, 180, 180]
        let uv: [UInt8] = [128, 128, 90, 240, 128, 128, 128, 128]
        var rgb = [UInt8](repeating: 0, count: 27)
        y.withUnsafeBufferPointer { ys in
            uv.withUnsafeBufferPointer { uvs in
                rgb.withUnsafeMutableBufferPointer { d in
                    let f = simd ? SIMDKernels.nv12ToRGB : ScalarKernels.nv12ToRGB
                    f(ys.baseAddress!, 3, uvs.baseAddress!, 4, d.baseAddress!, 9, 3, 3, .limited, false)
                }
            }
        }
        #expect(Array(rgb[0..<6]) == [0, 0, 0, 0, 0, 0])
        #expect(close(Array(rgb[6..<9]), (255, 0, 0)))
        #expect(Array(rgb[9..<15]) == [255, 255, 255, 255, 255, 255])
        #expect(close(Array(rgb[15..<18]), (255, 0, 0)))
        #expect(Array(rgb[18..<27]) == [UInt8](repeating: 191, count: 9))
    }

    @Test("rgbToGrey: BT.601 luma of primaries and greys", arguments: [false, true])
    func luma(simd: Bool) {
        // R, G, B, white, black, mid grey, then the same as BGR.
        let rgb: [UInt8] = [255, 0, 0, 0, 255, 0, 0, 0, 255, 255, 255, 255, 0, 0, 0, 77, 77, 77]
        var grey = [UInt8](repeating: 0, count: 6)
        var greyBGR = [UInt8](repeating: 0, count: 6)
        rgb.withUnsafeBufferPointer { s in
            grey.withUnsafeMutableBufferPointer { d in
                let f = simd ? SIMDKernels.rgbToGrey : ScalarKernels.rgbToGrey
                f(s.baseAddress!, 18, d.baseAddress!, 6, 6, 1, false)
            }
            greyBGR.withUnsafeMutableBufferPointer { d in
                let f = simd ? SIMDKernels.rgbToGrey : ScalarKernels.rgbToGrey
                f(s.baseAddress!, 18, d.baseAddress!, 6, 6, 1, true)
            }
        }
        // 0.299, 0.587, 0.114 of 255 = 76.2, 149.7, 29.1.
        #expect(abs(Int(grey[0]) - 76) <= 1 && abs(Int(grey[1]) - 150) <= 1 && abs(Int(grey[2]) - 29) <= 1)
        #expect(Array(grey[3...]) == [255, 0, 77])
        #expect(greyBGR[0] == grey[2] && greyBGR[2] == grey[0] && greyBGR[1] == grey[1])
    }

    @Test("packPlanar: scale 1/255 gives Float(v) * Float(1/255); 0 → 0, 255 → 1 exactly; plane order", arguments: [false, true])
    func packValues(simd: Bool) {
        let w = 256
        let src = Image(width: w, height: 1, bytesPerPixel: 3)
        for x in 0..<w {
            src[x, 0, 0] = UInt8(x)
            src[x, 0, 1] = UInt8(255 - x)
            src[x, 0, 2] = UInt8((x * 7) & 255)
        }
        let s: Float = 1.0 / 255
        for swap in [false, true] {
            let planes = Planes(width: w, height: 1)
            let f = simd ? SIMDKernels.packPlanar : ScalarKernels.packPlanar
            f(src.pointer, src.stride, w, 1, planes.pointer, w, planes.planeStride, SIMD4(repeating: s), .zero, swap)
            var ok = true
            for x in 0..<w {
                for p in 0..<3 {
                    let c = swap ? 2 - p : p
                    let v = Float(src[x, 0, c])
                    let got = planes[p, x, 0]
                    // The documented formula, and within one ulp of the true quotient v / 255.
                    if got != v * s || abs(got - v / 255) > (v / 255).ulp { ok = false }
                }
            }
            #expect(ok)
            #expect(planes[swap ? 2 : 0, 0, 0] == 0)
            #expect(planes[swap ? 2 : 0, 255, 0] == 1)
            #expect(planes[1, 0, 0] == 1)
        }
        // Scale 1, bias 0 is the identity on integers; a bias shifts exactly.
        let planes = Planes(width: w, height: 1)
        let f = simd ? SIMDKernels.packPlanar : ScalarKernels.packPlanar
        f(src.pointer, src.stride, w, 1, planes.pointer, w, planes.planeStride, SIMD4(repeating: 1), SIMD4(-128, 0, 0.5, 0), false)
        #expect((0..<w).allSatisfy { planes[0, $0, 0] == Float($0) - 128 && planes[1, $0, 0] == Float(255 - $0) })
        #expect(planes[2, 3, 0] == 21.5)
    }
}
