/// Portable SIMD implementations using Swift's SIMD types (SSE2 on baseline x86_64, NEON on
/// aarch64). Same signatures and conventions as `ScalarKernels`, and the same results: integer
/// outputs are bit-identical, float outputs are the identical `Float`s (every lane computes the
/// same integer expression, then `Float(v) * scale + bias` as two separately rounded operations).
/// Row tails that do not fill a vector run the scalar per-pixel code.
public enum SIMDKernels {
    /// Packed YUYV → RGB. See `ScalarKernels.yuyvToRGB`.
    public static func yuyvToRGB(
        src: UnsafePointer<UInt8>, srcStride: Int, dst: UnsafeMutablePointer<UInt8>, dstStride: Int,
        width: Int, height: Int, range: YUVRange, swapRB: Bool
    ) {
        let k = YUVCoefficients(range)
        let c = YUVVectorConstants(k)
        for row in 0..<height {
            let s = src + row * srcStride
            let d = dst + row * dstStride
            var x = 0
            // 16 pixels read 32 bytes and write 48 (+2 junk bytes, overwritten later).
            while x + 17 <= width {
                let v = UnsafeRawPointer(s + 2 * x).loadUnaligned(as: SIMD32<UInt8>.self)
                let (r, g, b) = yuv16(v.evenHalf, v.oddHalf, c)
                let words = swapRB ? PixelWords(b, g, r) : PixelWords(r, g, b)
                words.store(to: UnsafeMutableRawPointer(d + 3 * x))
                x += 16
            }
            while x < width {
                yuyvPixel(s, d, x, k, swapRB)
                x += 1
            }
        }
    }

    /// NV12 → RGB. See `ScalarKernels.nv12ToRGB`.
    public static func nv12ToRGB(
        y: UnsafePointer<UInt8>, yStride: Int, uv: UnsafePointer<UInt8>, uvStride: Int,
        dst: UnsafeMutablePointer<UInt8>, dstStride: Int,
        width: Int, height: Int, range: YUVRange, swapRB: Bool
    ) {
        let k = YUVCoefficients(range)
        let c = YUVVectorConstants(k)
        for row in 0..<height {
            let ys = y + row * yStride
            let uvs = uv + (row / 2) * uvStride
            let d = dst + row * dstStride
            var x = 0
            while x + 17 <= width {
                let yv = UnsafeRawPointer(ys + x).loadUnaligned(as: SIMD16<UInt8>.self)
                let uvv = UnsafeRawPointer(uvs + x).loadUnaligned(as: SIMD16<UInt8>.self)
                let (r, g, b) = yuv16(yv, uvv, c)
                let words = swapRB ? PixelWords(b, g, r) : PixelWords(r, g, b)
                words.store(to: UnsafeMutableRawPointer(d + 3 * x))
                x += 16
            }
            while x < width {
                nv12Pixel(ys, uvs, d, x, k, swapRB)
                x += 1
            }
        }
    }

    /// Packed YUYV → Y, U, V planes. See `ScalarKernels.deinterleaveYUYV`.
    public static func deinterleaveYUYV(
        src: UnsafePointer<UInt8>, srcStride: Int, width: Int, height: Int,
        y: UnsafeMutablePointer<UInt8>, yStride: Int,
        u: UnsafeMutablePointer<UInt8>, uStride: Int,
        v: UnsafeMutablePointer<UInt8>, vStride: Int
    ) {
        guard width > 0 else { return }
        let chromaWidth = (width + 1) / 2
        // Two passes a row, both `splitUV`: the row as (Y, chroma) byte pairs gives Y and the
        // U,V pairs (into a scratch row), which give U and V. In one pass LLVM merges the two
        // byte selections into one permutation of the YUYV bytes, which SSE2 can only build
        // from shuffle sequences (3x slower); through memory each stays `pand`/`psrlw` +
        // `packuswb`.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 2 * chromaWidth) { scratch in
            let pairs = scratch.baseAddress!
            for row in 0..<height {
                let s = src + row * srcStride
                splitUV(src: s, srcStride: 0, width: width, height: 1, u: y + row * yStride, uStride: 0, v: pairs, vStride: 0)
                // An odd width's last pixel carries U; its pair's V byte follows it.
                if width & 1 == 1 { pairs[width] = s[2 * width + 1] }
                splitUV(src: pairs, srcStride: 0, width: chromaWidth, height: 1, u: u + row * uStride, uStride: 0,
                        v: v + row * vStride, vStride: 0)
            }
        }
    }

    /// Interleaved U,V pairs → U and V planes. See `ScalarKernels.splitUV`.
    public static func splitUV(
        src: UnsafePointer<UInt8>, srcStride: Int, width: Int, height: Int,
        u: UnsafeMutablePointer<UInt8>, uStride: Int,
        v: UnsafeMutablePointer<UInt8>, vStride: Int
    ) {
        for row in 0..<height {
            let s = src + row * srcStride
            let ud = u + row * uStride, vd = v + row * vStride
            let sr = UnsafeRawPointer(s)
            let ur = UnsafeMutableRawPointer(ud), vr = UnsafeMutableRawPointer(vd)
            var i = 0
            // 16 pairs at a time: 32 bytes in, 16 U and 16 V out (even/odd bytes, as above).
            while i &+ 16 <= width {
                let w0 = sr.loadUnaligned(fromByteOffset: 2 &* i, as: SIMD8<UInt16>.self)
                let w1 = sr.loadUnaligned(fromByteOffset: 2 &* i &+ 16, as: SIMD8<UInt16>.self)
                ur.storeBytes(of: evenBytes(w0, w1), toByteOffset: i, as: SIMD16<UInt8>.self)
                vr.storeBytes(of: oddBytes(w0, w1), toByteOffset: i, as: SIMD16<UInt8>.self)
                i &+= 16
            }
            splitPairs(s, ud, vd, from: i, to: width)
        }
    }

    /// Same-size Y, U, V planes → float planes. See `ScalarKernels.yuvPlanesToFloat`.
    public static func yuvPlanesToFloat(
        y: UnsafePointer<UInt8>, yStride: Int, u: UnsafePointer<UInt8>, uStride: Int,
        v: UnsafePointer<UInt8>, vStride: Int, width: Int, height: Int, range: YUVRange,
        dst: UnsafeMutablePointer<Float>, dstRowStride: Int, dstPlaneStride: Int,
        scale: SIMD4<Float>, bias: SIMD4<Float>, swapRB: Bool
    ) {
        let k = YUVCoefficients(range)
        let c = PlanarYUVConstants(k)
        let s0 = SIMD4<Float>(repeating: scale[0]), b0 = SIMD4<Float>(repeating: bias[0])
        let s1 = SIMD4<Float>(repeating: scale[1]), b1 = SIMD4<Float>(repeating: bias[1])
        let s2 = SIMD4<Float>(repeating: scale[2]), b2 = SIMD4<Float>(repeating: bias[2])
        for row in 0..<height {
            let ys = y + row * yStride, us = u + row * uStride, vs = v + row * vStride
            let d = dst + row * dstRowStride
            let p0 = UnsafeMutableRawPointer(d)
            let p1 = UnsafeMutableRawPointer(d + dstPlaneStride)
            let p2 = UnsafeMutableRawPointer(d + 2 * dstPlaneStride)
            var x = 0
            while x &+ 16 <= width {
                let yv = UnsafeRawPointer(ys + x).loadUnaligned(as: SIMD16<UInt8>.self)
                let uv = UnsafeRawPointer(us + x).loadUnaligned(as: SIMD16<UInt8>.self)
                let vv = UnsafeRawPointer(vs + x).loadUnaligned(as: SIMD16<UInt8>.self)
                let (y4, u4, v4) = (floats16(yv), floats16(uv), floats16(vv))
                @inline(__always)
                func quad(_ yq: SIMD4<Float>, _ uq: SIMD4<Float>, _ vq: SIMD4<Float>, _ q: Int) {
                    let (r, g, b) = yuvPlanar4(yq, uq, vq, c)
                    let off = 4 &* (x &+ 4 &* q)
                    p0.storeBytes(of: (swapRB ? b : r) * s0 + b0, toByteOffset: off, as: SIMD4<Float>.self)
                    p1.storeBytes(of: g * s1 + b1, toByteOffset: off, as: SIMD4<Float>.self)
                    p2.storeBytes(of: (swapRB ? r : b) * s2 + b2, toByteOffset: off, as: SIMD4<Float>.self)
                }
                quad(y4.0, u4.0, v4.0, 0)
                quad(y4.1, u4.1, v4.1, 1)
                quad(y4.2, u4.2, v4.2, 2)
                quad(y4.3, u4.3, v4.3, 3)
                x &+= 16
            }
            yuvPlanesRowScalar(ys, us, vs, d, from: x, to: width, k, dstPlaneStride, scale, bias, swapRB)
        }
    }

    /// Grey → RGB. See `ScalarKernels.greyToRGB`.
    public static func greyToRGB(
        src: UnsafePointer<UInt8>, srcStride: Int, dst: UnsafeMutablePointer<UInt8>, dstStride: Int,
        width: Int, height: Int
    ) {
        for row in 0..<height {
            let s = src + row * srcStride
            let d = dst + row * dstStride
            var x = 0
            // 16 pixels: three single-source byte shuffles, exactly 48 bytes written.
            while x + 16 <= width {
                let g = UnsafeRawPointer(s + x).loadUnaligned(as: SIMD16<UInt8>.self)
                let o = UnsafeMutableRawPointer(d + 3 * x)
                o.storeBytes(of: SIMD16<UInt8>(g[0], g[0], g[0], g[1], g[1], g[1], g[2], g[2], g[2], g[3], g[3], g[3],
                                               g[4], g[4], g[4], g[5]), toByteOffset: 0, as: SIMD16<UInt8>.self)
                o.storeBytes(of: SIMD16<UInt8>(g[5], g[5], g[6], g[6], g[6], g[7], g[7], g[7], g[8], g[8], g[8], g[9],
                                               g[9], g[9], g[10], g[10]), toByteOffset: 16, as: SIMD16<UInt8>.self)
                o.storeBytes(of: SIMD16<UInt8>(g[10], g[11], g[11], g[11], g[12], g[12], g[12], g[13], g[13], g[13],
                                               g[14], g[14], g[14], g[15], g[15], g[15]), toByteOffset: 32, as: SIMD16<UInt8>.self)
                x += 16
            }
            while x < width {
                let g = s[x]
                d[3 * x] = g
                d[3 * x + 1] = g
                d[3 * x + 2] = g
                x += 1
            }
        }
    }

    /// RGB ↔ BGR, also in place. See `ScalarKernels.swapRB`.
    public static func swapRB(
        src: UnsafePointer<UInt8>, srcStride: Int, dst: UnsafeMutablePointer<UInt8>, dstStride: Int,
        width: Int, height: Int
    ) {
        for row in 0..<height {
            let s = src + row * srcStride
            let d = dst + row * dstStride
            var x = 0
            // 4 pixels per step: one 16-byte load, a single-source byte shuffle that swaps bytes
            // 0 and 2 of each pixel and passes bytes 12...15 through unchanged, one 16-byte
            // store. The 4 bytes past the pixels are written back with the values just read, so
            // this also works in place; the next step (or the scalar tail) overwrites them.
            while x + 6 <= width {
                let v = UnsafeRawPointer(s + 3 * x).loadUnaligned(as: SIMD16<UInt8>.self)
                let o = SIMD16<UInt8>(v[2], v[1], v[0], v[5], v[4], v[3], v[8], v[7], v[6], v[11], v[10], v[9],
                                      v[12], v[13], v[14], v[15])
                UnsafeMutableRawPointer(d + 3 * x).storeBytes(of: o, as: SIMD16<UInt8>.self)
                x += 4
            }
            while x < width {
                swapPixel(s, d, x)
                x += 1
            }
        }
    }

    /// RGB (or BGR) → BT.601 luma: the scalar reference's plain loop on purpose, as in
    /// `fillPlanar`: the hand-written version (`pmaddwd` on 32-bit pixel words) measured
    /// slower than the scalar reference on baseline x86-64 (0.94x) and on every newer target
    /// (see docs/kernels.md), and on NEON the plain loop runs fewer instructions.
    public static func rgbToGrey(
        src: UnsafePointer<UInt8>, srcStride: Int, dst: UnsafeMutablePointer<UInt8>, dstStride: Int,
        width: Int, height: Int, swapRB: Bool
    ) {
        ScalarKernels.rgbToGrey(
            src: src, srcStride: srcStride, dst: dst, dstStride: dstStride, width: width, height: height, swapRB: swapRB)
    }

    /// Resize with a plan. See `ScalarKernels.resize` and `ResizePlan`.
    public static func resize(
        plan: ResizePlan, src: UnsafePointer<UInt8>, srcStride: Int,
        dst: UnsafeMutablePointer<UInt8>, dstStride: Int, scratch: ResizeScratch?
    ) {
        let row = plan.scratchRow(scratch)
        let yPairs = plan.yPairs
        let xPairs = plan.xPairs
        for dy in 0..<plan.dstHeight {
            if yPairs == 1 {
                plan.verticalSIMD(src: src, srcStride: srcStride, dy: dy, row: row, pairCount: 1)
            } else {
                plan.verticalSIMD(src: src, srcStride: srcStride, dy: dy, row: row, pairCount: yPairs)
            }
            let d = dst + dy * dstStride
            if plan.channels == 3 {
                if xPairs == 1 {
                    plan.horizontalRGB(row: row, d: d, pairCount: 1)
                } else {
                    plan.horizontalRGB(row: row, d: d, pairCount: xPairs)
                }
            } else {
                if xPairs == 1 {
                    plan.horizontalGrey(row: row, d: d, pairCount: 1)
                } else {
                    plan.horizontalGrey(row: row, d: d, pairCount: xPairs)
                }
            }
        }
    }

    /// Interleaved u8 RGB → float planes. See `ScalarKernels.packPlanar`.
    public static func packPlanar(
        src: UnsafePointer<UInt8>, srcStride: Int, width: Int, height: Int,
        dst: UnsafeMutablePointer<Float>, dstRowStride: Int, dstPlaneStride: Int,
        scale: SIMD4<Float>, bias: SIMD4<Float>, swapRB: Bool
    ) {
        let s0 = SIMD4<Float>(repeating: scale[0]), b0 = SIMD4<Float>(repeating: bias[0])
        let s1 = SIMD4<Float>(repeating: scale[1]), b1 = SIMD4<Float>(repeating: bias[1])
        let s2 = SIMD4<Float>(repeating: scale[2]), b2 = SIMD4<Float>(repeating: bias[2])
        for row in 0..<height {
            let s = src + row * srcStride
            let p0 = UnsafeMutableRawPointer(dst + row * dstRowStride)
            let p1 = UnsafeMutableRawPointer(dst + dstPlaneStride + row * dstRowStride)
            let p2 = UnsafeMutableRawPointer(dst + 2 * dstPlaneStride + row * dstRowStride)
            var x = 0
            // 16 pixels per step (the loads touch 50 bytes).
            while x &+ 17 <= width {
                let w = PixelWords(loading: UnsafeRawPointer(s + 3 &* x))
                @inline(__always)
                func quad(_ wq: SIMD4<UInt32>, _ q: Int) {
                    let f0 = floats(wq & 0xFF)
                    let f1 = floats((wq &>> 8) & 0xFF)
                    let f2 = floats(wq &>> 16)
                    let off = 4 &* (x &+ 4 &* q)
                    p0.storeBytes(of: (swapRB ? f2 : f0) * s0 + b0, toByteOffset: off, as: SIMD4<Float>.self)
                    p1.storeBytes(of: f1 * s1 + b1, toByteOffset: off, as: SIMD4<Float>.self)
                    p2.storeBytes(of: (swapRB ? f0 : f2) * s2 + b2, toByteOffset: off, as: SIMD4<Float>.self)
                }
                quad(w.q0, 0)
                quad(w.q1, 1)
                quad(w.q2, 2)
                quad(w.q3, 3)
                x &+= 16
            }
            let d = dst + row * dstRowStride
            while x < width {
                for p in 0..<3 {
                    let c = swapRB ? 2 - p : p
                    d[p * dstPlaneStride + x] = Float(s[3 * x + c]) * scale[p] + bias[p]
                }
                x += 1
            }
        }
    }

    /// Fills a rectangle of the three planes with the scalar reference's plain loop, on purpose:
    /// LLVM vectorises it into wide stores, and hand-written 8-float stores measured slower
    /// (0.7x) than the auto-vectorised scalar reference on baseline x86_64.
    public static func fillPlanar(
        dst: UnsafeMutablePointer<Float>, dstRowStride: Int, dstPlaneStride: Int,
        x: Int, y: Int, width: Int, height: Int, value: SIMD4<Float>
    ) {
        ScalarKernels.fillPlanar(
            dst: dst, dstRowStride: dstRowStride, dstPlaneStride: dstPlaneStride, x: x, y: y, width: width, height: height,
            value: value)
    }

    /// Fused resize + pack (3-channel plan). See `ScalarKernels.resizePack`.
    public static func resizePack(
        plan: ResizePlan, src: UnsafePointer<UInt8>, srcStride: Int,
        dst: UnsafeMutablePointer<Float>, dstRowStride: Int, dstPlaneStride: Int,
        scale: SIMD4<Float>, bias: SIMD4<Float>, swapRB: Bool, scratch: ResizeScratch?
    ) {
        precondition(plan.channels == 3, "resizePack needs a 3-channel plan")
        let row = plan.scratchRow(scratch)
        let yPairs = plan.yPairs
        let xPairs = plan.xPairs
        for dy in 0..<plan.dstHeight {
            if yPairs == 1 {
                plan.verticalSIMD(src: src, srcStride: srcStride, dy: dy, row: row, pairCount: 1)
            } else {
                plan.verticalSIMD(src: src, srcStride: srcStride, dy: dy, row: row, pairCount: yPairs)
            }
            let d = dst + dy * dstRowStride
            if xPairs == 1 {
                plan.horizontalPack(row: row, d: d, planeStride: dstPlaneStride, scale: scale, bias: bias,
                                    swapRB: swapRB, pairCount: 1)
            } else {
                plan.horizontalPack(row: row, d: d, planeStride: dstPlaneStride, scale: scale, bias: bias,
                                    swapRB: swapRB, pairCount: xPairs)
            }
        }
    }

    /// Fused YUYV resize + colour conversion + pack (3-channel plan). See
    /// `ScalarKernels.resizePackYUYV`. The vertical pass runs on the packed YUYV bytes (16 at a
    /// time, like `resize`) and writes a 3-channel Y, U, V row with the chroma replicated, so the
    /// horizontal pass is `resizePack`'s: one `madd` gives Y', U' and V' of an output pixel.
    /// Then the exact float form of the YUV formula (`yuvPlanar4`, as in `yuvPlanesToFloat`).
    public static func resizePackYUYV(
        plan: ResizePlan, src: UnsafePointer<UInt8>, srcStride: Int, range: YUVRange,
        dst: UnsafeMutablePointer<Float>, dstRowStride: Int, dstPlaneStride: Int,
        scale: SIMD4<Float>, bias: SIMD4<Float>, swapRB: Bool, scratch: ResizeScratch?
    ) {
        precondition(plan.channels == 3, "resizePackYUYV needs a 3-channel plan")
        let row = plan.scratchRow(scratch)
        if plan.yPairs == 1 && plan.xPairs == 1 {
            plan.yuyvPackBilinear(src: src, srcStride: srcStride, range: range, dst: dst, dstRowStride: dstRowStride,
                                  dstPlaneStride: dstPlaneStride, scale: scale, bias: bias, swapRB: swapRB, row: row)
        } else {
            plan.yuyvPackAnyTaps(src: src, srcStride: srcStride, range: range, dst: dst, dstRowStride: dstRowStride,
                                 dstPlaneStride: dstPlaneStride, scale: scale, bias: bias, swapRB: swapRB, row: row)
        }
    }

    /// Fused planar YUV resize + colour conversion + pack. See `ScalarKernels.resizePackYUV`.
    /// Per output row: the vertical filter of `resize` on the Y plane and on the U and V planes
    /// (interleaved pairs are split by 32-bit shuffles after filtering), then 4 output pixels at
    /// a time: one `madd` per tap pair gives Y', U' or V' of the 4 pixels (each with its own
    /// plan's positions and weights), and the exact float form of the YUV formula
    /// (`yuvPlanar4`, as in `resizePackYUYV`). `chromaStep` must be 1 or 2; with 2, `u` and `v`
    /// must be adjacent (`v = u + 1` for NV12, `u = v + 1` for NV21).
    public static func resizePackYUV(
        plan: YUVResizePlan, y: UnsafePointer<UInt8>, yStride: Int,
        u: UnsafePointer<UInt8>, v: UnsafePointer<UInt8>, chromaStride: Int, chromaStep: Int, range: YUVRange,
        dst: UnsafeMutablePointer<Float>, dstRowStride: Int, dstPlaneStride: Int,
        scale: SIMD4<Float>, bias: SIMD4<Float>, swapRB: Bool
    ) {
        precondition(chromaStep == 1 || (chromaStep == 2 && (v == u + 1 || u == v + 1)),
                     "resizePackYUV: chroma must be planar (step 1) or adjacent pairs (step 2)")
        if plan.luma.yPairs == 1 && plan.luma.xPairs == 1 && plan.chroma.yPairs == 1 && plan.chroma.xPairs == 1 {
            plan.packBilinear(y: y, yStride: yStride, u: u, v: v, chromaStride: chromaStride, chromaStep: chromaStep,
                              range: range, dst: dst, dstRowStride: dstRowStride, dstPlaneStride: dstPlaneStride,
                              scale: scale, bias: bias, swapRB: swapRB)
        } else {
            plan.packAnyTaps(y: y, yStride: yStride, u: u, v: v, chromaStride: chromaStride, chromaStep: chromaStep,
                             range: range, dst: dst, dstRowStride: dstRowStride, dstPlaneStride: dstPlaneStride,
                             scale: scale, bias: bias, swapRB: swapRB)
        }
    }
}

// MARK: - Vector building blocks

@inline(__always)
func floats(_ v: SIMD4<UInt32>) -> SIMD4<Float> {
    SIMD4<Float>(Float(Int32(truncatingIfNeeded: v[0])), Float(Int32(truncatingIfNeeded: v[1])),
                 Float(Int32(truncatingIfNeeded: v[2])), Float(Int32(truncatingIfNeeded: v[3])))
}

@inline(__always)
func floats(_ v: SIMD4<Int32>) -> SIMD4<Float> {
    SIMD4<Float>(Float(v[0]), Float(v[1]), Float(v[2]), Float(v[3]))
}

/// Weight vectors for the YUV products, as (first, second) Int16 pairs for `madd`.
struct YUVVectorConstants {
    var yOffset: SIMD8<Int16>
    /// (C, 1) · (cy, 128)
    var wY: SIMD8<Int16>
    /// (D, E) · (0, crv)
    var wR: SIMD8<Int16>
    /// (D, E) · (-cgu, -cgv)
    var wG: SIMD8<Int16>
    /// (D, E) · (cbu, 0)
    var wB: SIMD8<Int16>

    @inline(__always)
    init(_ k: YUVCoefficients) {
        yOffset = SIMD8<Int16>(repeating: Int16(k.yOffset))
        wY = pairs(Int16(k.cy), 128)
        wR = pairs(0, Int16(k.crv))
        wG = pairs(Int16(-k.cgu), Int16(-k.cgv))
        wB = pairs(Int16(k.cbu), 0)
    }
}

/// 16 pixels of YUV (Y per pixel; U,V interleaved per pixel pair) → R, G, B bytes, with exactly
/// the arithmetic of `yuvToRGBPixel`.
@inline(__always)
func yuv16(_ y: SIMD16<UInt8>, _ uv: SIMD16<UInt8>, _ c: YUVVectorConstants)
    -> (SIMD16<UInt8>, SIMD16<UInt8>, SIMD16<UInt8>)
{
    let bias = SIMD8<Int16>(repeating: 128)
    let uvLo = widen(uv.lowHalf) &- bias  // (D0, E0, ..., D3, E3)
    let uvHi = widen(uv.highHalf) &- bias  // (D4, E4, ..., D7, E7)
    let rLo = madd(uvLo, c.wR), rHi = madd(uvHi, c.wR)
    let gLo = madd(uvLo, c.wG), gHi = madd(uvHi, c.wG)
    let bLo = madd(uvLo, c.wB), bHi = madd(uvHi, c.wB)
    let ones = SIMD8<Int16>(repeating: 1)
    let yLo = widen(y.lowHalf) &- c.yOffset
    let yHi = widen(y.highHalf) &- c.yOffset
    let y0 = madd(zipLo(yLo, ones), c.wY)  // pixels 0...3 (macropixels 0, 1)
    let y1 = madd(zipHi(yLo, ones), c.wY)  // pixels 4...7
    let y2 = madd(zipLo(yHi, ones), c.wY)  // pixels 8...11
    let y3 = madd(zipHi(yHi, ones), c.wY)  // pixels 12...15
    let r = (
        (y0 &+ dupLo(rLo)) &>> 8, (y1 &+ dupHi(rLo)) &>> 8,
        (y2 &+ dupLo(rHi)) &>> 8, (y3 &+ dupHi(rHi)) &>> 8)
    let g = (
        (y0 &+ dupLo(gLo)) &>> 8, (y1 &+ dupHi(gLo)) &>> 8,
        (y2 &+ dupLo(gHi)) &>> 8, (y3 &+ dupHi(gHi)) &>> 8)
    let b = (
        (y0 &+ dupLo(bLo)) &>> 8, (y1 &+ dupHi(bLo)) &>> 8,
        (y2 &+ dupLo(bHi)) &>> 8, (y3 &+ dupHi(bHi)) &>> 8)
    return (saturateToBytes(r.0, r.1, r.2, r.3), saturateToBytes(g.0, g.1, g.2, g.3), saturateToBytes(b.0, b.1, b.2, b.3))
}

/// Planar YUV → RGB in `Float` arithmetic that is exactly the integer formula of `YUVRange`.
///
/// With the coefficients divided by 256 (exact: a power of two), every product and partial sum
/// is a multiple of 1/512 below 2^10 in magnitude, so it needs at most 19 significant bits:
/// every `Float` operation here is exact, in any order, and the sum is exactly
/// `(integer formula) / 256 - 127.5/256` (the last term is folded into the constants).
/// The arithmetic `>> 8` is `floor` of the unshifted sum, and for `x` = n + (k - 127.5)/256,
/// k in 0...255, `floor` equals round-to-nearest of `x` (never a tie), which
/// `(x + 1.5·2^23) - 1.5·2^23` computes exactly. Then the clamp to 0...255 (compare-and-select,
/// `maxps`/`minps`). Floats sidestep `pmaddwd`, which LLVM does not reliably form for this
/// planar shape (it fell back to `pmuludq` on SSE2), and float → int conversions, which trap.
///
///     R = Y*cy' + V*crv' + kR
///     G = Y*cy' - U*cgu' - V*cgv' + kG      (c' = c / 256; k = the folded offsets / 256)
///     B = Y*cy' + U*cbu' + kB
struct PlanarYUVConstants {
    var cy: SIMD4<Float>
    var crv: SIMD4<Float>
    var cgu: SIMD4<Float>
    var cgv: SIMD4<Float>
    var cbu: SIMD4<Float>
    var kR: SIMD4<Float>
    var kG: SIMD4<Float>
    var kB: SIMD4<Float>

    @inline(__always)
    init(_ c: YUVCoefficients) {
        // 128 - y0*cy: the rounding constant and the luma offset; -127.5 turns floor into round.
        let base = Float(128 - c.yOffset * c.cy) - 127.5
        cy = SIMD4(repeating: Float(c.cy) / 256)
        crv = SIMD4(repeating: Float(c.crv) / 256)
        cgu = SIMD4(repeating: Float(c.cgu) / 256)
        cgv = SIMD4(repeating: Float(c.cgv) / 256)
        cbu = SIMD4(repeating: Float(c.cbu) / 256)
        kR = SIMD4(repeating: (base - Float(128 * c.crv)) / 256)
        kG = SIMD4(repeating: (base + Float(128 * c.cgu + 128 * c.cgv)) / 256)
        kB = SIMD4(repeating: (base - Float(128 * c.cbu)) / 256)
    }
}

/// The JFIF full-range formula of `YUVRange.full` for 8 pixels (Y, U, V bytes in Int16 lanes),
/// exactly, in 16-bit lanes (twice the pixels per instruction of the float form). With
/// D = U - 128, E = V - 128 and 256·Y a multiple of 256, `(256·Y + t + 128) >> 8` is
/// `Y + ((t + 128) >> 8)`, and each t fits 16 bits after an exact halving:
///
///     R: (359·E + 128) >> 8 = E + ((103·E + 128) >> 8)   (359 = 256 + 103)
///     G: S = -88·D - 183·E (up to ±34688, too wide), q = ⌊S / 2⌋ = -44·D + ((-183·E) >> 1),
///        (S + 128) >> 8 = (q + 64) >> 7 (q + 64 is an integer, so the dropped half never
///        crosses a multiple of 128)
///     B: (454·D + 128) >> 8 = (227·D + 64) >> 7
///
/// All intermediates lie within ±29056. Then the clamp to 0...255 (`pmaxsw`/`pminsw`).
@inline(__always)
func yuvFull8(_ y: SIMD8<Int16>, _ u: SIMD8<Int16>, _ v: SIMD8<Int16>)
    -> (SIMD8<Int16>, SIMD8<Int16>, SIMD8<Int16>)
{
    let d = u &- 128, e = v &- 128
    let r = y &+ e &+ ((e &* 103 &+ 128) &>> 8)
    let q = d &* -44 &+ ((e &* -183) &>> 1)
    let g = y &+ ((q &+ 64) &>> 7)
    let b = y &+ ((d &* 227 &+ 64) &>> 7)
    return (clamp255(r), clamp255(g), clamp255(b))
}

/// The even bytes (the low byte of each 16-bit lane, little-endian) of 32 bytes loaded as two
/// vectors of `UInt16` lanes: a truncation (`pand` + `packuswb` on SSE2, `xtn` on NEON).
@inline(__always)
func evenBytes(_ a: SIMD8<UInt16>, _ b: SIMD8<UInt16>) -> SIMD16<UInt8> {
    // Lane by lane, which LLVM turns into one truncation: the standard library's
    // `init(truncatingIfNeeded:)` stays an out-of-line call where a loop uses it several times.
    let w = SIMD16<UInt16>(lowHalf: a, highHalf: b)
    var r = SIMD16<UInt8>()
    for i in 0..<16 { r[i] = UInt8(truncatingIfNeeded: w[i]) }
    return r
}

/// The odd bytes (the high byte of each 16-bit lane) of 32 bytes loaded as two vectors of
/// `UInt16` lanes: a shift and a truncation (`psrlw` + `packuswb`, `shrn` on NEON).
@inline(__always)
func oddBytes(_ a: SIMD8<UInt16>, _ b: SIMD8<UInt16>) -> SIMD16<UInt8> {
    evenBytes(a &>> 8, b &>> 8)
}

/// 8 lanes in 0...255 (Int16) as two vectors of 4 floats (zero-extended: one unpack each).
@inline(__always)
func floats8(_ x: SIMD8<Int16>) -> (SIMD4<Float>, SIMD4<Float>) {
    let w = SIMD8<Int32>(truncatingIfNeeded: SIMD8<UInt16>(truncatingIfNeeded: x))
    return (floats(w.lowHalf), floats(w.highHalf))
}

/// Rounds to the nearest integer (no ties occur here, see above) and clamps to 0...255.
@inline(__always)
func roundClamp255(_ x: SIMD4<Float>) -> SIMD4<Float> {
    let magic = SIMD4<Float>(repeating: 12_582_912)  // 1.5 * 2^23
    let t = (x + magic) - magic
    let zero = SIMD4<Float>(), top = SIMD4<Float>(repeating: 255)
    let lo = t.replacing(with: zero, where: t .< zero)
    return lo.replacing(with: top, where: lo .> top)
}

/// Widens 16 bytes to four vectors of 4 floats.
@inline(__always)
func floats16(_ bytes: SIMD16<UInt8>) -> (SIMD4<Float>, SIMD4<Float>, SIMD4<Float>, SIMD4<Float>) {
    // Widened in halves: the one-step SIMD16<UInt8> -> SIMD16<Int32> conversion is not inlined
    // in Embedded Swift for aarch64 (a call and spills per 16 pixels); the 8-lane steps are.
    let lo = SIMD8<Int32>(truncatingIfNeeded: SIMD8<UInt16>(truncatingIfNeeded: bytes.lowHalf))
    let hi = SIMD8<Int32>(truncatingIfNeeded: SIMD8<UInt16>(truncatingIfNeeded: bytes.highHalf))
    return (floats(lo.lowHalf), floats(lo.highHalf), floats(hi.lowHalf), floats(hi.highHalf))
}

/// 4 pixels of planar Y, U, V (as floats) → the three output planes' values
/// (`Float(channel) * scale + bias`), in R, G, B order. `@_transparent`: in the larger
/// `resizePackYUYV` loop the inliner left `@inline(__always)` calls to this as real calls
/// (a third of that kernel's time).
@_transparent
func yuvPlanar4(
    _ y: SIMD4<Float>, _ u: SIMD4<Float>, _ v: SIMD4<Float>, _ c: PlanarYUVConstants
) -> (SIMD4<Float>, SIMD4<Float>, SIMD4<Float>) {
    let yt = y * c.cy
    let r = yt + v * c.crv + c.kR
    let g = yt - u * c.cgu - v * c.cgv + c.kG
    let b = yt + u * c.cbu + c.kB
    return (roundClamp255(r), roundClamp255(g), roundClamp255(b))
}

/// The vertical filter of 16 consecutive bytes at `p` (rows `rows[k]`, weights `ws[k]`, taps
/// paired for `madd`): `(Σ_k p[row_k][i] * wy_k + 8) >> 4` for i = 0..<16, in four Int32 vectors.
@inline(__always)
func verticalSums16(
    _ p: UnsafePointer<UInt8>, _ stride: Int, _ rows: UnsafeMutablePointer<Int32>, _ ws: UnsafeMutablePointer<Int16>,
    _ pairCount: Int
) -> (SIMD4<Int32>, SIMD4<Int32>, SIMD4<Int32>, SIMD4<Int32>) {
    var a0 = SIMD4<Int32>(repeating: 8), a1 = a0, a2 = a0, a3 = a0
    for k in 0..<pairCount {
        let w = pairs(ws[2 &* k], ws[2 &* k &+ 1])
        let s = verticalPair16(p + Int(rows[2 &* k]) &* stride, p + Int(rows[2 &* k &+ 1]) &* stride, w)
        a0 &+= s.0
        a1 &+= s.1
        a2 &+= s.2
        a3 &+= s.3
    }
    return (a0 &>> 4, a1 &>> 4, a2 &>> 4, a3 &>> 4)
}

/// One tap pair of `verticalSums16`: `a[i] * w.0 + b[i] * w.1` for i = 0..<16 (no rounding).
@inline(__always)
func verticalPair16(
    _ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ w: SIMD8<Int16>
) -> (SIMD4<Int32>, SIMD4<Int32>, SIMD4<Int32>, SIMD4<Int32>) {
    let va = UnsafeRawPointer(a).loadUnaligned(as: SIMD16<UInt8>.self)
    let vb = UnsafeRawPointer(b).loadUnaligned(as: SIMD16<UInt8>.self)
    let aLo = widen(va.lowHalf), bLo = widen(vb.lowHalf)
    let aHi = widen(va.highHalf), bHi = widen(vb.highHalf)
    return (madd(zipLo(aLo, bLo), w), madd(zipHi(aLo, bLo), w), madd(zipLo(aHi, bHi), w), madd(zipHi(aHi, bHi), w))
}

/// Lanes i and j of each of four vectors (values within the Int16 range), as 8 Int16 lanes:
/// `(a0[i], a0[j], a1[i], a1[j], a2[i], a2[j], a3[i], a3[j])`. 32-bit shuffles (`shufps`).
@inline(__always)
func pickLanes(_ a: (SIMD4<Int32>, SIMD4<Int32>, SIMD4<Int32>, SIMD4<Int32>), _ i: Int, _ j: Int) -> SIMD8<Int16> {
    narrow(SIMD4(a.0[i], a.0[j], a.1[i], a.1[j]), SIMD4(a.2[i], a.2[j], a.3[i], a.3[j]))
}

/// Two vectors of Int32 lanes (each within the Int16 range) as one vector of Int16 lanes.
@inline(__always)
func narrow(_ p: SIMD4<Int32>, _ q: SIMD4<Int32>) -> SIMD8<Int16> {
    SIMD8<Int16>(truncatingIfNeeded: SIMD8<Int32>(lowHalf: p, highHalf: q))
}

/// Stores 16 vertical sums (each 0...32640, so the Int16 truncation is exact) as Int16 lanes
/// `i..<i + 16` of the scratch row `out`.
@inline(__always)
func store16(_ out: UnsafeMutableRawPointer, _ i: Int, _ s: (SIMD4<Int32>, SIMD4<Int32>, SIMD4<Int32>, SIMD4<Int32>)) {
    out.storeBytes(of: narrow(s.0, s.1), toByteOffset: 2 &* i, as: SIMD8<Int16>.self)
    out.storeBytes(of: narrow(s.2, s.3), toByteOffset: 2 &* i &+ 16, as: SIMD8<Int16>.self)
}

extension ResizePlan {
    /// Vertical pass, 16 bytes at a time, taps paired for `madd`; scalar tail.
    @inline(__always)
    func verticalSIMD(
        src: UnsafePointer<UInt8>, srcStride: Int, dy: Int, row: UnsafeMutablePointer<Int16>, pairCount: Int
    ) {
        let n = srcWidth * channels
        let rows = yRows + dy * yTaps
        let ws = yWeights + dy * yTaps
        let out = UnsafeMutableRawPointer(row)
        var i = 0
        if pairCount == 1 {
            // Two taps: the rows and weights read once, not per 16 bytes (the stores to `row`
            // could alias the Int16 weights, so LLVM does not hoist those loads itself).
            let a = src + Int(rows[0]) &* srcStride, b = src + Int(rows[1]) &* srcStride
            let w = pairs(ws[0], ws[1])
            let r = SIMD4<Int32>(repeating: 8)
            while i &+ 16 <= n {
                let s = verticalPair16(a + i, b + i, w)
                store16(out, i, ((s.0 &+ r) &>> 4, (s.1 &+ r) &>> 4, (s.2 &+ r) &>> 4, (s.3 &+ r) &>> 4))
                i &+= 16
            }
        }
        while i + 16 <= n {
            store16(out, i, verticalSums16(src + i, srcStride, rows, ws, pairCount))
            i &+= 16
        }
        if i < n {
            verticalScalar(src: src, srcStride: srcStride, dy: dy, row: row, from: i)
        }
    }

    /// Horizontal accumulator of one RGB output pixel: (R, G, B, 0) before the final
    /// `+ 2^17 >> 18` (the rounding constant is included).
    @inline(__always)
    func accRGB(row: UnsafeMutablePointer<Int16>, dx: Int, pairCount: Int) -> SIMD4<Int32> {
        let x0 = Int(xStart[dx])
        let raw = UnsafeRawPointer(row)
        var a = SIMD4<Int32>(repeating: 1 << 17)
        for p in 0..<pairCount {
            // Tap 2p: c0 c1 c2 (junk); tap 2p+1 likewise; zipped into (a, b) pairs per channel.
            // The junk lanes meet zero weights; the scratch row is padded for these reads.
            let off = 6 &* (x0 &+ 2 &* p)
            let lo = raw.loadUnaligned(fromByteOffset: off, as: SIMD8<Int16>.self)
            let hi = raw.loadUnaligned(fromByteOffset: off &+ 6, as: SIMD8<Int16>.self)
            a &+= madd(zipLo(lo, hi), xWeightsSIMD[dx &* pairCount &+ p])
        }
        return a
    }

    @inline(__always)
    func horizontalRGB(row: UnsafeMutablePointer<Int16>, d: UnsafeMutablePointer<UInt8>, pairCount: Int) {
        var dx = 0
        // 4 pixels write 12 bytes + 2 junk bytes that the next pixel overwrites.
        while dx + 5 <= dstWidth {
            let a0 = accRGB(row: row, dx: dx, pairCount: pairCount) &>> 18
            let a1 = accRGB(row: row, dx: dx + 1, pairCount: pairCount) &>> 18
            let a2 = accRGB(row: row, dx: dx + 2, pairCount: pairCount) &>> 18
            let a3 = accRGB(row: row, dx: dx + 3, pairCount: pairCount) &>> 18
            let bytes = saturateToBytes(a0, a1, a2, a3)
            storeRGB4(unsafeBitCast(bytes, to: SIMD4<UInt32>.self), to: UnsafeMutableRawPointer(d + 3 * dx))
            dx += 4
        }
        while dx < dstWidth {
            for c in 0..<3 {
                d[dx * 3 + c] = horizontalScalar(row: row, dx: dx, c: c)
            }
            dx += 1
        }
    }

    /// Horizontal accumulators of 1-channel output pixels dx..<dx+4 (`dx` a multiple of 4):
    /// per tap pair, four 32-bit loads (v[x0], v[x0 + 1]) and one `madd` with the pixels'
    /// weights. The rounding constant 2^17 is included; no shift, no clamp.
    @inline(__always)
    func accGrey4(row raw: UnsafeRawPointer, dx: Int, pairCount: Int) -> SIMD4<Int32> {
        let x0 = 2 &* Int(xStart[dx]), x1 = 2 &* Int(xStart[dx &+ 1])
        let x2 = 2 &* Int(xStart[dx &+ 2]), x3 = 2 &* Int(xStart[dx &+ 3])
        let group = dx &>> 2
        var a = SIMD4<Int32>(repeating: 1 << 17)
        for p in 0..<pairCount {
            let o = 4 &* p
            let v = gatherPairs(raw, x0 &+ o, x1 &+ o, x2 &+ o, x3 &+ o)
            a &+= madd(v, xWeightsSIMD[group &* pairCount &+ p])
        }
        return a
    }

    /// `verticalChromaScalar` for interleaved pairs (NV12's UV plane), 8 pairs (16 bytes) at a
    /// time: the filter of `verticalSIMD` gives the sums (c0, c1, c0, c1) per two pairs, 32-bit
    /// shuffles split them into the first and second samples' rows. Scalar tail.
    @inline(__always)
    func verticalPairsSIMD(
        u: UnsafePointer<UInt8>, v: UnsafePointer<UInt8>, stride: Int, dy: Int,
        uRow: UnsafeMutablePointer<Int16>, vRow: UnsafeMutablePointer<Int16>, pairCount: Int
    ) {
        let rows = yRows + dy * yTaps
        let ws = yWeights + dy * yTaps
        // U first (NV12) or V first (NV21).
        let base = u < v ? u : v
        let first = UnsafeMutableRawPointer(u < v ? uRow : vRow)
        let second = UnsafeMutableRawPointer(u < v ? vRow : uRow)
        var x = 0
        while x &+ 8 <= srcWidth {
            let a = verticalSums16(base + 2 &* x, stride, rows, ws, pairCount)
            let o = 2 &* x
            first.storeBytes(of: pickLanes(a, 0, 2), toByteOffset: o, as: SIMD8<Int16>.self)
            second.storeBytes(of: pickLanes(a, 1, 3), toByteOffset: o, as: SIMD8<Int16>.self)
            x &+= 8
        }
        if x < srcWidth {
            verticalChromaScalar(u: u, v: v, stride: stride, step: 2, dy: dy, uRow: uRow, vRow: vRow, from: x)
        }
    }

    @inline(__always)
    func horizontalGrey(row: UnsafeMutablePointer<Int16>, d: UnsafeMutablePointer<UInt8>, pairCount: Int) {
        let raw = UnsafeRawPointer(row)
        var dx = 0
        while dx + 4 <= dstWidth {
            let b = SIMD4<UInt8>(truncatingIfNeeded: clamp255(accGrey4(row: raw, dx: dx, pairCount: pairCount) &>> 18))
            UnsafeMutableRawPointer(d + dx).storeBytes(of: b, as: SIMD4<UInt8>.self)
            dx += 4
        }
        while dx < dstWidth {
            d[dx] = horizontalScalar(row: row, dx: dx, c: 0)
            dx += 1
        }
    }

    /// Horizontal pass straight to float planes. The clamp of `horizontalScalar` is never
    /// active here (weights are ≥ 0 and sum to 2048, v ≤ 32640, so the result is in 0...255),
    /// so it is left out; tests check equality with the scalar path.
    @inline(__always)
    func horizontalPack(
        row: UnsafeMutablePointer<Int16>, d: UnsafeMutablePointer<Float>, planeStride: Int,
        scale: SIMD4<Float>, bias: SIMD4<Float>, swapRB: Bool, pairCount: Int
    ) {
        let out = FloatPlanesStore(d, planeStride: planeStride, scale: scale, bias: bias, swapRB: swapRB)
        var dx = 0
        while dx &+ 4 <= dstWidth {
            let a0 = accRGB(row: row, dx: dx, pairCount: pairCount)
            let a1 = accRGB(row: row, dx: dx &+ 1, pairCount: pairCount)
            let a2 = accRGB(row: row, dx: dx &+ 2, pairCount: pairCount)
            let a3 = accRGB(row: row, dx: dx &+ 3, pairCount: pairCount)
            // Lane 3 of each accumulator is exactly the rounding constant 2^17 (its weights are
            // zero), so adding `lane3 - 2^17` changes nothing; it keeps lane 3 "used", which stops
            // LLVM from narrowing the products and losing the `pmaddwd` form.
            let c3 = SIMD4<Int32>(a0[3], a1[3], a2[3], a3[3]) &- (1 << 17)
            let c0 = floats((SIMD4<Int32>(a0[0], a1[0], a2[0], a3[0]) &+ c3) &>> 18)
            let c1 = floats((SIMD4<Int32>(a0[1], a1[1], a2[1], a3[1]) &+ c3) &>> 18)
            let c2 = floats((SIMD4<Int32>(a0[2], a1[2], a2[2], a3[2]) &+ c3) &>> 18)
            out.store(c0, c1, c2, at: dx)
            dx &+= 4
        }
        while dx < dstWidth {
            packPixelScalar(row: row, dx: dx, d: d, planeStride: planeStride, scale: scale, bias: bias, swapRB: swapRB)
            dx += 1
        }
    }

    /// `verticalYUYVScalar` into three planes (Y, U, V of `yuvPlaneLength` each), 8 pixels
    /// (16 YUYV bytes) at a time: the filter of `verticalSIMD` gives the Int32 sums
    /// (Y0, U, Y1, V) per pair; 32-bit shuffles (`shufps`) pick (Y0, Y1, Y2, Y3), (U0, U0, U1, U1)
    /// and (V0, V0, V1, V1), and each plane gets one 16-byte store. Scalar tail.
    @inline(__always)
    func verticalYUYVSIMD(
        src: UnsafePointer<UInt8>, srcStride: Int, dy: Int, row: UnsafeMutablePointer<Int16>, pairCount: Int
    ) {
        let rows = yRows + dy * yTaps
        let ws = yWeights + dy * yTaps
        let plane = yuvPlaneLength
        let yOut = UnsafeMutableRawPointer(row)
        let uOut = UnsafeMutableRawPointer(row + plane)
        let vOut = UnsafeMutableRawPointer(row + 2 * plane)
        var x = 0
        while x &+ 8 <= srcWidth {
            // (Y0, U0, Y1, V0), (Y2, U1, Y3, V1), ... each in 0...32640 (exact as Int16).
            let a = verticalSums16(src + 2 &* x, srcStride, rows, ws, pairCount)
            let o = 2 &* x
            yOut.storeBytes(of: pickLanes(a, 0, 2), toByteOffset: o, as: SIMD8<Int16>.self)
            uOut.storeBytes(of: pickLanes(a, 1, 1), toByteOffset: o, as: SIMD8<Int16>.self)
            vOut.storeBytes(of: pickLanes(a, 3, 3), toByteOffset: o, as: SIMD8<Int16>.self)
            x &+= 8
        }
        if x < srcWidth {
            verticalYUYVScalar(src: src, srcStride: srcStride, dy: dy, row: row, pixel: 1, channel: plane, from: x)
        }
    }

    /// Horizontal pass of `resizePackYUYV`, 4 output pixels at a time as in `horizontalGrey`:
    /// per tap pair and plane, four 32-bit loads (v[x0], v[x0 + 1]) of the 4 pixels and one
    /// `madd` with their weights give Y', U' or V' of the 4 pixels in 4 lanes (the chroma
    /// planes are replicated per pixel, so they share the luma weights). No clamp needed (as in
    /// `horizontalPack`). Then `yuvPlanar4` converts exactly, as in `yuvPlanesToFloat`.
    @inline(__always)
    func horizontalYUVPack(
        row: UnsafeMutablePointer<Int16>, d: UnsafeMutablePointer<Float>, planeStride: Int, _ k: YUVCoefficients,
        scale: SIMD4<Float>, bias: SIMD4<Float>, swapRB: Bool, pairCount: Int
    ) {
        let c = PlanarYUVConstants(k)
        let out = FloatPlanesStore(d, planeStride: planeStride, scale: scale, bias: bias, swapRB: swapRB)
        let plane = yuvPlaneLength
        let yRow = UnsafeRawPointer(row)
        let uRow = UnsafeRawPointer(row + plane)
        let vRow = UnsafeRawPointer(row + 2 * plane)
        let weights = UnsafeRawPointer(xWeights)
        let taps = xTaps
        var dx = 0
        while dx &+ 4 <= dstWidth {
            let x0 = 2 &* Int(xStart[dx]), x1 = 2 &* Int(xStart[dx &+ 1])
            let x2 = 2 &* Int(xStart[dx &+ 2]), x3 = 2 &* Int(xStart[dx &+ 3])
            var ay = SIMD4<Int32>(repeating: 1 << 17), au = ay, av = ay
            for p in 0..<pairCount {
                let o = 4 &* p
                // (wa, wb) of the 4 pixels: with 2 taps, 8 consecutive weights.
                let w: SIMD8<Int16>
                if taps == 2 {
                    w = weights.loadUnaligned(fromByteOffset: 4 &* dx, as: SIMD8<Int16>.self)
                } else {
                    let t = 2 &* taps
                    let b = t &* dx &+ o
                    w = unsafeBitCast(
                        SIMD4<UInt32>(
                            weights.loadUnaligned(fromByteOffset: b, as: UInt32.self),
                            weights.loadUnaligned(fromByteOffset: b &+ t, as: UInt32.self),
                            weights.loadUnaligned(fromByteOffset: b &+ 2 &* t, as: UInt32.self),
                            weights.loadUnaligned(fromByteOffset: b &+ 3 &* t, as: UInt32.self)),
                        to: SIMD8<Int16>.self)
                }
                @inline(__always)
                func gather(_ r: UnsafeRawPointer) -> SIMD8<Int16> {
                    gatherPairs(r, x0 &+ o, x1 &+ o, x2 &+ o, x3 &+ o)
                }
                ay &+= madd(gather(yRow), w)
                au &+= madd(gather(uRow), w)
                av &+= madd(gather(vRow), w)
            }
            let (r, g, b) = yuvPlanar4(floats(ay &>> 18), floats(au &>> 18), floats(av &>> 18), c)
            out.store(r, g, b, at: dx)
            dx &+= 4
        }
        while dx < dstWidth {
            packYUVPixelScalar(row: row, pixel: 1, channel: plane, dx: dx, d: d, planeStride: planeStride, k,
                               scale: scale, bias: bias, swapRB: swapRB)
            dx += 1
        }
    }

    // Two separate functions, so that each gets the whole inlining budget: the common 2x2-tap
    // case with constant tap counts, and any tap counts (area downscales).
    @inline(never)
    func yuyvPackBilinear(
        src: UnsafePointer<UInt8>, srcStride: Int, range: YUVRange, dst: UnsafeMutablePointer<Float>,
        dstRowStride: Int, dstPlaneStride: Int, scale: SIMD4<Float>, bias: SIMD4<Float>, swapRB: Bool,
        row: UnsafeMutablePointer<Int16>
    ) {
        yuyvPackRows(src: src, srcStride: srcStride, range: range, dst: dst, dstRowStride: dstRowStride,
                     dstPlaneStride: dstPlaneStride, scale: scale, bias: bias, swapRB: swapRB, row: row,
                     yPairs: 1, xPairs: 1)
    }

    @inline(never)
    func yuyvPackAnyTaps(
        src: UnsafePointer<UInt8>, srcStride: Int, range: YUVRange, dst: UnsafeMutablePointer<Float>,
        dstRowStride: Int, dstPlaneStride: Int, scale: SIMD4<Float>, bias: SIMD4<Float>, swapRB: Bool,
        row: UnsafeMutablePointer<Int16>
    ) {
        yuyvPackRows(src: src, srcStride: srcStride, range: range, dst: dst, dstRowStride: dstRowStride,
                     dstPlaneStride: dstPlaneStride, scale: scale, bias: bias, swapRB: swapRB, row: row,
                     yPairs: yPairs, xPairs: xPairs)
    }

    @inline(__always)
    func yuyvPackRows(
        src: UnsafePointer<UInt8>, srcStride: Int, range: YUVRange, dst: UnsafeMutablePointer<Float>,
        dstRowStride: Int, dstPlaneStride: Int, scale: SIMD4<Float>, bias: SIMD4<Float>, swapRB: Bool,
        row: UnsafeMutablePointer<Int16>, yPairs: Int, xPairs: Int
    ) {
        let k = YUVCoefficients(range)
        for dy in 0..<dstHeight {
            verticalYUYVSIMD(src: src, srcStride: srcStride, dy: dy, row: row, pairCount: yPairs)
            horizontalYUVPack(row: row, d: dst + dy * dstRowStride, planeStride: dstPlaneStride, k, scale: scale,
                              bias: bias, swapRB: swapRB, pairCount: xPairs)
        }
    }
}

/// `Float(c) * scale[p] + bias[p]` for 4 pixels of each plane, stored at float offset `x` of
/// the three planes (R, G, B; B, G, R with `swapRB`). The channel order is settled once, here:
/// R goes to plane 0 with scale[0], bias[0] (plane 2 with scale[2], bias[2] when swapped).
struct FloatPlanesStore {
    let sR: SIMD4<Float>, bR: SIMD4<Float>, pR: UnsafeMutableRawPointer
    let sG: SIMD4<Float>, bG: SIMD4<Float>, pG: UnsafeMutableRawPointer
    let sB: SIMD4<Float>, bB: SIMD4<Float>, pB: UnsafeMutableRawPointer

    @inline(__always)
    init(_ d: UnsafeMutablePointer<Float>, planeStride: Int, scale: SIMD4<Float>, bias: SIMD4<Float>, swapRB: Bool) {
        let r = swapRB ? 2 : 0, b = 2 - r
        sR = SIMD4(repeating: scale[r]); bR = SIMD4(repeating: bias[r]); pR = UnsafeMutableRawPointer(d + r * planeStride)
        sG = SIMD4(repeating: scale[1]); bG = SIMD4(repeating: bias[1]); pG = UnsafeMutableRawPointer(d + planeStride)
        sB = SIMD4(repeating: scale[b]); bB = SIMD4(repeating: bias[b]); pB = UnsafeMutableRawPointer(d + b * planeStride)
    }

    @inline(__always)
    func store(_ r: SIMD4<Float>, _ g: SIMD4<Float>, _ b: SIMD4<Float>, at x: Int) {
        let off = 4 &* x
        pR.storeBytes(of: r * sR + bR, toByteOffset: off, as: SIMD4<Float>.self)
        pG.storeBytes(of: g * sG + bG, toByteOffset: off, as: SIMD4<Float>.self)
        pB.storeBytes(of: b * sB + bB, toByteOffset: off, as: SIMD4<Float>.self)
    }
}

extension YUVResizePlan {
    // Two separate functions, so that each gets the whole inlining budget (as for YUYV): the
    // common all-bilinear case with constant tap counts, and any tap counts.
    @inline(never)
    func packBilinear(
        y: UnsafePointer<UInt8>, yStride: Int, u: UnsafePointer<UInt8>, v: UnsafePointer<UInt8>, chromaStride: Int,
        chromaStep: Int, range: YUVRange, dst: UnsafeMutablePointer<Float>, dstRowStride: Int, dstPlaneStride: Int,
        scale: SIMD4<Float>, bias: SIMD4<Float>, swapRB: Bool
    ) {
        packRows(y: y, yStride: yStride, u: u, v: v, chromaStride: chromaStride, chromaStep: chromaStep, range: range,
                 dst: dst, dstRowStride: dstRowStride, dstPlaneStride: dstPlaneStride, scale: scale, bias: bias,
                 swapRB: swapRB, taps: (1, 1, 1, 1))
    }

    @inline(never)
    func packAnyTaps(
        y: UnsafePointer<UInt8>, yStride: Int, u: UnsafePointer<UInt8>, v: UnsafePointer<UInt8>, chromaStride: Int,
        chromaStep: Int, range: YUVRange, dst: UnsafeMutablePointer<Float>, dstRowStride: Int, dstPlaneStride: Int,
        scale: SIMD4<Float>, bias: SIMD4<Float>, swapRB: Bool
    ) {
        packRows(y: y, yStride: yStride, u: u, v: v, chromaStride: chromaStride, chromaStep: chromaStep, range: range,
                 dst: dst, dstRowStride: dstRowStride, dstPlaneStride: dstPlaneStride, scale: scale, bias: bias,
                 swapRB: swapRB, taps: (luma.yPairs, luma.xPairs, chroma.yPairs, chroma.xPairs))
    }

    /// `taps`: vertical and horizontal tap pairs of the luma plan, then of the chroma plan.
    @inline(__always)
    func packRows(
        y: UnsafePointer<UInt8>, yStride: Int, u: UnsafePointer<UInt8>, v: UnsafePointer<UInt8>, chromaStride: Int,
        chromaStep: Int, range: YUVRange, dst: UnsafeMutablePointer<Float>, dstRowStride: Int, dstPlaneStride: Int,
        scale: SIMD4<Float>, bias: SIMD4<Float>, swapRB: Bool, taps: (Int, Int, Int, Int)
    ) {
        let k = YUVCoefficients(range)
        let c = PlanarYUVConstants(k)
        let (yRow, uRow, vRow) = scratchRows
        for dy in 0..<dstHeight {
            luma.verticalSIMD(src: y, srcStride: yStride, dy: dy, row: yRow, pairCount: taps.0)
            if chromaStep == 1 {
                chroma.verticalSIMD(src: u, srcStride: chromaStride, dy: dy, row: uRow, pairCount: taps.2)
                chroma.verticalSIMD(src: v, srcStride: chromaStride, dy: dy, row: vRow, pairCount: taps.2)
            } else {
                chroma.verticalPairsSIMD(u: u, v: v, stride: chromaStride, dy: dy, uRow: uRow, vRow: vRow,
                                         pairCount: taps.2)
            }
            let d = dst + dy &* dstRowStride
            if taps.1 == 1 && taps.3 == 1 {
                horizontalBilinear(yRow: yRow, uRow: uRow, vRow: vRow, d: d, planeStride: dstPlaneStride, k, c,
                                   scale: scale, bias: bias, swapRB: swapRB)
            } else {
                horizontal(yRow: yRow, uRow: uRow, vRow: vRow, d: d, planeStride: dstPlaneStride, k, c,
                           scale: scale, bias: bias, swapRB: swapRB, xPairs: (taps.1, taps.3))
            }
        }
    }

    // The horizontal pass of one output row, in functions of its own: inlined into the row loop
    // (next to the vertical passes), LLVM interleaved the U and V accumulators and spent ~10
    // shuffles per 4 pixels taking them apart again.
    @inline(never)
    func horizontalBilinear(
        yRow: UnsafeMutablePointer<Int16>, uRow: UnsafeMutablePointer<Int16>, vRow: UnsafeMutablePointer<Int16>,
        d: UnsafeMutablePointer<Float>, planeStride: Int, _ k: YUVCoefficients, _ c: PlanarYUVConstants,
        scale: SIMD4<Float>, bias: SIMD4<Float>, swapRB: Bool
    ) {
        horizontalRow(yRow: yRow, uRow: uRow, vRow: vRow, d: d, planeStride: planeStride, k, c,
                      scale: scale, bias: bias, swapRB: swapRB, xPairs: (1, 1))
    }

    @inline(never)
    func horizontal(
        yRow: UnsafeMutablePointer<Int16>, uRow: UnsafeMutablePointer<Int16>, vRow: UnsafeMutablePointer<Int16>,
        d: UnsafeMutablePointer<Float>, planeStride: Int, _ k: YUVCoefficients, _ c: PlanarYUVConstants,
        scale: SIMD4<Float>, bias: SIMD4<Float>, swapRB: Bool, xPairs: (Int, Int)
    ) {
        horizontalRow(yRow: yRow, uRow: uRow, vRow: vRow, d: d, planeStride: planeStride, k, c,
                      scale: scale, bias: bias, swapRB: swapRB, xPairs: xPairs)
    }

    /// `xPairs`: horizontal tap pairs of the luma and of the chroma plan.
    @inline(__always)
    func horizontalRow(
        yRow: UnsafeMutablePointer<Int16>, uRow: UnsafeMutablePointer<Int16>, vRow: UnsafeMutablePointer<Int16>,
        d: UnsafeMutablePointer<Float>, planeStride: Int, _ k: YUVCoefficients, _ c: PlanarYUVConstants,
        scale: SIMD4<Float>, bias: SIMD4<Float>, swapRB: Bool, xPairs: (Int, Int)
    ) {
        let (yr, ur, vr) = (UnsafeRawPointer(yRow), UnsafeRawPointer(uRow), UnsafeRawPointer(vRow))
        let out = FloatPlanesStore(d, planeStride: planeStride, scale: scale, bias: bias, swapRB: swapRB)
        var dx = 0
        // The clamp of `horizontalScalar` is never active (weights ≥ 0, sum 2048), as in
        // `horizontalPack`.
        if k.yOffset == 0 && k.cy == 256 && k.crv == 359 && k.cgu == 88 && k.cgv == 183 && k.cbu == 454 {
            // JFIF full range (JPEG planes): 8 pixels at a time, the conversion in Int16 lanes.
            while dx &+ 8 <= dstWidth {
                let y = narrow(luma.accGrey4(row: yr, dx: dx, pairCount: xPairs.0) &>> 18,
                               luma.accGrey4(row: yr, dx: dx &+ 4, pairCount: xPairs.0) &>> 18)
                let u = narrow(chroma.accGrey4(row: ur, dx: dx, pairCount: xPairs.1) &>> 18,
                               chroma.accGrey4(row: ur, dx: dx &+ 4, pairCount: xPairs.1) &>> 18)
                let v = narrow(chroma.accGrey4(row: vr, dx: dx, pairCount: xPairs.1) &>> 18,
                               chroma.accGrey4(row: vr, dx: dx &+ 4, pairCount: xPairs.1) &>> 18)
                let (r, g, b) = yuvFull8(y, u, v)
                let (r0, r1) = floats8(r), (g0, g1) = floats8(g), (b0, b1) = floats8(b)
                out.store(r0, g0, b0, at: dx)
                out.store(r1, g1, b1, at: dx &+ 4)
                dx &+= 8
            }
        }
        while dx &+ 4 <= dstWidth {
            let ay = luma.accGrey4(row: yr, dx: dx, pairCount: xPairs.0)
            let au = chroma.accGrey4(row: ur, dx: dx, pairCount: xPairs.1)
            let av = chroma.accGrey4(row: vr, dx: dx, pairCount: xPairs.1)
            let (r, g, b) = yuvPlanar4(floats(ay &>> 18), floats(au &>> 18), floats(av &>> 18), c)
            out.store(r, g, b, at: dx)
            dx &+= 4
        }
        while dx < dstWidth {
            packPixelScalar(yRow: yRow, uRow: uRow, vRow: vRow, dx: dx, d: d, planeStride: planeStride, k,
                            scale: scale, bias: bias, swapRB: swapRB)
            dx += 1
        }
    }
}
