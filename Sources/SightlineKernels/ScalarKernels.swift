/// Plain scalar implementations: one pixel (or element) at a time. These are the
/// specification; `SIMDKernels` has the same signatures and must give identical results
/// (bit-exact for integer outputs, identical `Float`s for the planar outputs).
///
/// Conventions shared by both families:
/// - u8 images are raw element pointers with row strides in BYTES; float planes use strides in
///   ELEMENTS (`Float`s). Rows may be padded; only `width × height` is read or written, so the
///   last row may be unpadded.
/// - "RGB" is 3 interleaved bytes per pixel; `swapRB: true` writes (or reads) B, G, R instead.
/// - Planar float output is NCHW with 3 planes: `dst[p * dstPlaneStride + y * dstRowStride + x]`.
public enum ScalarKernels {
    /// Packed YUYV (Y0 U Y1 V per 2 pixels) → RGB. With an odd width the last macropixel
    /// supplies U, V and Y0 for the last pixel (its Y1 is not used, but it must be readable).
    /// Formula: see `YUVRange`.
    public static func yuyvToRGB(
        src: UnsafePointer<UInt8>, srcStride: Int, dst: UnsafeMutablePointer<UInt8>, dstStride: Int,
        width: Int, height: Int, range: YUVRange, swapRB: Bool
    ) {
        let k = YUVCoefficients(range)
        for row in 0..<height {
            let s = src + row * srcStride
            let d = dst + row * dstStride
            for x in 0..<width {
                yuyvPixel(s, d, x, k, swapRB)
            }
        }
    }

    /// NV12 (full-resolution Y plane + interleaved U,V plane at half width and half height,
    /// rounded up) → RGB. Pixel (x, y) uses chroma pair `x / 2` of UV row `y / 2`.
    /// Formula: see `YUVRange`.
    public static func nv12ToRGB(
        y: UnsafePointer<UInt8>, yStride: Int, uv: UnsafePointer<UInt8>, uvStride: Int,
        dst: UnsafeMutablePointer<UInt8>, dstStride: Int,
        width: Int, height: Int, range: YUVRange, swapRB: Bool
    ) {
        let k = YUVCoefficients(range)
        for row in 0..<height {
            let ys = y + row * yStride
            let uvs = uv + (row / 2) * uvStride
            let d = dst + row * dstStride
            for x in 0..<width {
                nv12Pixel(ys, uvs, d, x, k, swapRB)
            }
        }
    }

    /// Packed YUYV → planes: a full-size Y plane (`width × height`) and U and V planes of
    /// `(width + 1) / 2 × height` (one sample per macropixel, full height). Pure byte moves.
    /// As in `yuyvToRGB`, every row must hold `(width + 1) / 2` whole macropixels (with an odd
    /// width the last one's Y1 is read by nobody, but it must be readable).
    public static func deinterleaveYUYV(
        src: UnsafePointer<UInt8>, srcStride: Int, width: Int, height: Int,
        y: UnsafeMutablePointer<UInt8>, yStride: Int,
        u: UnsafeMutablePointer<UInt8>, uStride: Int,
        v: UnsafeMutablePointer<UInt8>, vStride: Int
    ) {
        let chromaWidth = (width + 1) / 2
        for row in 0..<height {
            let s = src + row * srcStride
            let yd = y + row * yStride
            for x in 0..<width {
                yd[x] = s[2 * x]
            }
            yuyvChroma(s, u + row * uStride, v + row * vStride, from: 0, to: chromaWidth)
        }
    }

    /// Interleaved chroma pairs (U, V, U, V, …: NV12's second plane) → separate U and V planes.
    /// `width` and `height` are the size of the chroma plane in pairs, i.e. `(w + 1) / 2` and
    /// `(h + 1) / 2` for an NV12 image of `w × h`. Pure byte moves.
    public static func splitUV(
        src: UnsafePointer<UInt8>, srcStride: Int, width: Int, height: Int,
        u: UnsafeMutablePointer<UInt8>, uStride: Int,
        v: UnsafeMutablePointer<UInt8>, vStride: Int
    ) {
        for row in 0..<height {
            splitPairs(src + row * srcStride, u + row * uStride, v + row * vStride, from: 0, to: width)
        }
    }

    /// Y, U, V planes of the same size (chroma already resampled to the luma grid) → float
    /// planes. Per pixel, exactly the integer conversion of `yuyvToRGB` (see `YUVRange`,
    /// including the clamp to 0...255), then `Float(c) * scale[p] + bias[p]` as a multiply and
    /// a separate add, like `packPlanar`: plane p holds R, G, B (B, G, R with `swapRB`). So
    /// YUYV → `yuyvToRGB` → `packPlanar` and YUYV → planes → `yuvPlanesToFloat` give identical
    /// floats for the same Y, U, V per pixel.
    public static func yuvPlanesToFloat(
        y: UnsafePointer<UInt8>, yStride: Int, u: UnsafePointer<UInt8>, uStride: Int,
        v: UnsafePointer<UInt8>, vStride: Int, width: Int, height: Int, range: YUVRange,
        dst: UnsafeMutablePointer<Float>, dstRowStride: Int, dstPlaneStride: Int,
        scale: SIMD4<Float>, bias: SIMD4<Float>, swapRB: Bool
    ) {
        let k = YUVCoefficients(range)
        for row in 0..<height {
            yuvPlanesRowScalar(
                y + row * yStride, u + row * uStride, v + row * vStride, dst + row * dstRowStride,
                from: 0, to: width, k, dstPlaneStride, scale, bias, swapRB)
        }
    }

    /// Grey (1 byte per pixel) → RGB with R = G = B.
    public static func greyToRGB(
        src: UnsafePointer<UInt8>, srcStride: Int, dst: UnsafeMutablePointer<UInt8>, dstStride: Int,
        width: Int, height: Int
    ) {
        for row in 0..<height {
            let s = src + row * srcStride
            let d = dst + row * dstStride
            for x in 0..<width {
                let g = s[x]
                d[3 * x] = g
                d[3 * x + 1] = g
                d[3 * x + 2] = g
            }
        }
    }

    /// RGB ↔ BGR. Works in place (`src == dst`, same stride); other overlaps are not supported.
    public static func swapRB(
        src: UnsafePointer<UInt8>, srcStride: Int, dst: UnsafeMutablePointer<UInt8>, dstStride: Int,
        width: Int, height: Int
    ) {
        for row in 0..<height {
            let s = src + row * srcStride
            let d = dst + row * dstStride
            for x in 0..<width {
                swapPixel(s, d, x)
            }
        }
    }

    /// RGB (or BGR with `swapRB`) → BT.601 luma, `Y = (4899*R + 9617*G + 1868*B + 8192) >> 14`.
    public static func rgbToGrey(
        src: UnsafePointer<UInt8>, srcStride: Int, dst: UnsafeMutablePointer<UInt8>, dstStride: Int,
        width: Int, height: Int, swapRB: Bool
    ) {
        for row in 0..<height {
            let s = src + row * srcStride
            let d = dst + row * dstStride
            for x in 0..<width {
                d[x] = lumaPixel(s[3 * x], s[3 * x + 1], s[3 * x + 2], swapRB: swapRB)
            }
        }
    }

    /// Resizes a `plan.srcWidth × plan.srcHeight` image of `plan.channels` bytes per pixel to
    /// `plan.dstWidth × plan.dstHeight`. See `ResizePlan` for the arithmetic. `scratch`
    /// defaults to the plan's own scratch row; nothing is allocated.
    public static func resize(
        plan: ResizePlan, src: UnsafePointer<UInt8>, srcStride: Int,
        dst: UnsafeMutablePointer<UInt8>, dstStride: Int, scratch: ResizeScratch?
    ) {
        let row = plan.scratchRow(scratch)
        let ch = plan.channels
        for dy in 0..<plan.dstHeight {
            plan.verticalScalar(src: src, srcStride: srcStride, dy: dy, row: row, from: 0)
            let d = dst + dy * dstStride
            for dx in 0..<plan.dstWidth {
                for c in 0..<ch {
                    d[dx * ch + c] = plan.horizontalScalar(row: row, dx: dx, c: c)
                }
            }
        }
    }

    /// Interleaved u8 RGB → float planes:
    /// `dst[p][y][x] = Float(src[y][x][ch(p)]) * scale[p] + bias[p]`, where
    /// `ch(p) = p` (or `2 - p` with `swapRB`, i.e. BGR plane order). `scale`/`bias` are per
    /// destination plane; lane 3 is ignored. Computed as a multiply then a separate add (no FMA),
    /// so results are the same on every architecture. E.g. `scale = 1/255` (as a `Float`),
    /// `bias = 0` gives `Float(v) * Float(1.0/255)`, which is 0 for 0 and exactly 1 for 255.
    public static func packPlanar(
        src: UnsafePointer<UInt8>, srcStride: Int, width: Int, height: Int,
        dst: UnsafeMutablePointer<Float>, dstRowStride: Int, dstPlaneStride: Int,
        scale: SIMD4<Float>, bias: SIMD4<Float>, swapRB: Bool
    ) {
        for row in 0..<height {
            let s = src + row * srcStride
            let d = dst + row * dstRowStride
            for x in 0..<width {
                for p in 0..<3 {
                    let c = swapRB ? 2 - p : p
                    d[p * dstPlaneStride + x] = Float(s[3 * x + c]) * scale[p] + bias[p]
                }
            }
        }
    }

    /// Fills the rectangle (`x`, `y`, `width`, `height`) of all three planes with `value[p]`
    /// (lane 3 ignored); for letterbox padding. `dst` is the origin of plane 0.
    public static func fillPlanar(
        dst: UnsafeMutablePointer<Float>, dstRowStride: Int, dstPlaneStride: Int,
        x: Int, y: Int, width: Int, height: Int, value: SIMD4<Float>
    ) {
        for p in 0..<3 {
            for row in y..<(y + height) {
                let d = dst + p * dstPlaneStride + row * dstRowStride + x
                for i in 0..<width {
                    d[i] = value[p]
                }
            }
        }
    }

    /// Fused resize + pack: resizes a u8 RGB image (`plan.channels` must be 3) straight into
    /// float planes. Gives exactly the floats of `resize` followed by `packPlanar` with the same
    /// arguments, without the intermediate image.
    public static func resizePack(
        plan: ResizePlan, src: UnsafePointer<UInt8>, srcStride: Int,
        dst: UnsafeMutablePointer<Float>, dstRowStride: Int, dstPlaneStride: Int,
        scale: SIMD4<Float>, bias: SIMD4<Float>, swapRB: Bool, scratch: ResizeScratch?
    ) {
        precondition(plan.channels == 3, "resizePack needs a 3-channel plan")
        let row = plan.scratchRow(scratch)
        for dy in 0..<plan.dstHeight {
            plan.verticalScalar(src: src, srcStride: srcStride, dy: dy, row: row, from: 0)
            let d = dst + dy * dstRowStride
            for dx in 0..<plan.dstWidth {
                plan.packPixelScalar(row: row, dx: dx, d: d, planeStride: dstPlaneStride,
                                     scale: scale, bias: bias, swapRB: swapRB)
            }
        }
    }

    /// Fused YUYV resize + colour conversion + pack: resizes a packed YUYV frame of
    /// `plan.srcWidth × plan.srcHeight` pixels (`plan.channels` must be 3) straight into float
    /// planes of `plan.dstWidth × plan.dstHeight`, without a full-size RGB image.
    ///
    /// Each source pixel is taken as (Y, U, V) with its pair's chroma (as `yuyvToRGB` does); those
    /// three channels are resized with the plan's arithmetic (see `ResizePlan`), giving bytes
    /// Y', U', V'; each output pixel is then converted with the integer formula of `YUVRange`
    /// and packed as `Float(c) * scale[p] + bias[p]` (R, G, B planes; B, G, R with `swapRB`).
    /// So the floats are exactly those of: expand YUYV to a YUV 4:4:4 image (chroma replicated),
    /// `resize` it with `plan`, then `yuvPlanesToFloat`.
    ///
    /// Against `yuyvToRGB` then `resizePack` (convert, then resize) this resizes before
    /// converting: the conversion is affine, so the two differ only by rounding (Y', U', V' are
    /// rounded to bytes before the conversion instead of R, G, B after it: a level or two) and by
    /// the clamp, where a pixel's YUV lies outside the RGB cube (camera pictures of real scenes
    /// barely do). As in `yuyvToRGB`, every row must hold `(width + 1) / 2` whole macropixels.
    public static func resizePackYUYV(
        plan: ResizePlan, src: UnsafePointer<UInt8>, srcStride: Int, range: YUVRange,
        dst: UnsafeMutablePointer<Float>, dstRowStride: Int, dstPlaneStride: Int,
        scale: SIMD4<Float>, bias: SIMD4<Float>, swapRB: Bool, scratch: ResizeScratch?
    ) {
        precondition(plan.channels == 3, "resizePackYUYV needs a 3-channel plan")
        let k = YUVCoefficients(range)
        let row = plan.scratchRow(scratch)
        for dy in 0..<plan.dstHeight {
            plan.verticalYUYVScalar(src: src, srcStride: srcStride, dy: dy, row: row, pixel: 3, channel: 1, from: 0)
            let d = dst + dy * dstRowStride
            for dx in 0..<plan.dstWidth {
                plan.packYUVPixelScalar(row: row, pixel: 3, channel: 1, dx: dx, d: d, planeStride: dstPlaneStride, k,
                                        scale: scale, bias: bias, swapRB: swapRB)
            }
        }
    }

    /// Fused planar YUV resize + colour conversion + pack: a Y plane of `plan.width × plan.height`
    /// and U, V planes of `plan.chromaWidth × plan.chromaHeight` (JPEG's Cb, Cr decoded by
    /// libjpeg-turbo without upsampling, or NV12's interleaved pairs) straight into float planes
    /// of `plan.dstWidth × plan.dstHeight`, with no upsampled chroma and no RGB image.
    ///
    /// Chroma sample (i, j) of U is `u[j * chromaStride + i * chromaStep]`, of V likewise from `v`:
    /// `chromaStep` 1 for separate planes, 2 for interleaved pairs (NV12: `u = uv`, `v = uv + 1`).
    ///
    /// The definition: Y is resized with `plan.luma`, U and V with `plan.chroma`, each exactly as
    /// `resize` resizes a 1-channel image (see `ResizePlan`), giving bytes Y', U', V' per output
    /// pixel; then the integer formula of `YUVRange` and `Float(c) * scale[p] + bias[p]` (R, G, B
    /// planes; B, G, R with `swapRB`), as `yuvPlanesToFloat`. Chroma is sampled bilinearly at its
    /// own resolution with centred siting (see `YUVResizePlan`), where libjpeg-turbo's RGB decode
    /// upsamples it with a triangle filter ("fancy upsampling") first: the two differ by rounding.
    public static func resizePackYUV(
        plan: YUVResizePlan, y: UnsafePointer<UInt8>, yStride: Int,
        u: UnsafePointer<UInt8>, v: UnsafePointer<UInt8>, chromaStride: Int, chromaStep: Int, range: YUVRange,
        dst: UnsafeMutablePointer<Float>, dstRowStride: Int, dstPlaneStride: Int,
        scale: SIMD4<Float>, bias: SIMD4<Float>, swapRB: Bool
    ) {
        let k = YUVCoefficients(range)
        let (yRow, uRow, vRow) = plan.scratchRows
        for dy in 0..<plan.dstHeight {
            plan.luma.verticalScalar(src: y, srcStride: yStride, dy: dy, row: yRow, from: 0)
            plan.chroma.verticalChromaScalar(u: u, v: v, stride: chromaStride, step: chromaStep, dy: dy,
                                             uRow: uRow, vRow: vRow, from: 0)
            let d = dst + dy * dstRowStride
            for dx in 0..<plan.dstWidth {
                plan.packPixelScalar(yRow: yRow, uRow: uRow, vRow: vRow, dx: dx, d: d, planeStride: dstPlaneStride, k,
                                     scale: scale, bias: bias, swapRB: swapRB)
            }
        }
    }
}

// MARK: - Per-pixel reference helpers (shared with SIMD tails)

@inline(__always)
func yuyvPixel(
    _ s: UnsafePointer<UInt8>, _ d: UnsafeMutablePointer<UInt8>, _ x: Int,
    _ k: YUVCoefficients, _ swapRB: Bool
) {
    let m = s + 4 * (x >> 1)
    let yv = m[2 * (x & 1)]
    let p = yuvToRGBPixel(yv, m[1], m[3], k)
    storePixel(d + 3 * x, p, swapRB)
}

@inline(__always)
func nv12Pixel(
    _ ys: UnsafePointer<UInt8>, _ uvs: UnsafePointer<UInt8>, _ d: UnsafeMutablePointer<UInt8>,
    _ x: Int, _ k: YUVCoefficients, _ swapRB: Bool
) {
    let c = uvs + 2 * (x >> 1)
    let p = yuvToRGBPixel(ys[x], c[0], c[1], k)
    storePixel(d + 3 * x, p, swapRB)
}

/// YUYV chroma of macropixels from..<to: `u[i] = s[4i + 1]`, `v[i] = s[4i + 3]`.
@inline(__always)
func yuyvChroma(
    _ s: UnsafePointer<UInt8>, _ u: UnsafeMutablePointer<UInt8>, _ v: UnsafeMutablePointer<UInt8>,
    from: Int, to: Int
) {
    var i = from
    while i < to {
        u[i] = s[4 * i + 1]
        v[i] = s[4 * i + 3]
        i += 1
    }
}

/// NV12-style pairs from..<to: `u[i] = s[2i]`, `v[i] = s[2i + 1]`.
@inline(__always)
func splitPairs(
    _ s: UnsafePointer<UInt8>, _ u: UnsafeMutablePointer<UInt8>, _ v: UnsafeMutablePointer<UInt8>,
    from: Int, to: Int
) {
    var i = from
    while i < to {
        u[i] = s[2 * i]
        v[i] = s[2 * i + 1]
        i += 1
    }
}

/// One row of `yuvPlanesToFloat` for columns from..<to (`d` is plane 0 of the row).
@inline(__always)
func yuvPlanesRowScalar(
    _ y: UnsafePointer<UInt8>, _ u: UnsafePointer<UInt8>, _ v: UnsafePointer<UInt8>,
    _ d: UnsafeMutablePointer<Float>, from: Int, to: Int, _ k: YUVCoefficients, _ planeStride: Int,
    _ scale: SIMD4<Float>, _ bias: SIMD4<Float>, _ swapRB: Bool
) {
    var x = from
    while x < to {
        storeFloats(yuvToRGBPixel(y[x], u[x], v[x], k), d, x, planeStride, scale, bias, swapRB)
        x += 1
    }
}

/// Packs one RGB pixel into float planes at column `x`: `Float(c) * scale[p] + bias[p]`, plane 0
/// R (B with `swapRB`), plane 1 G, plane 2 B (R).
@inline(__always)
func storeFloats(
    _ p: (r: UInt8, g: UInt8, b: UInt8), _ d: UnsafeMutablePointer<Float>, _ x: Int, _ planeStride: Int,
    _ scale: SIMD4<Float>, _ bias: SIMD4<Float>, _ swapRB: Bool
) {
    d[x] = Float(swapRB ? p.b : p.r) * scale[0] + bias[0]
    d[planeStride + x] = Float(p.g) * scale[1] + bias[1]
    d[2 * planeStride + x] = Float(swapRB ? p.r : p.b) * scale[2] + bias[2]
}

@inline(__always)
func storePixel(_ d: UnsafeMutablePointer<UInt8>, _ p: (r: UInt8, g: UInt8, b: UInt8), _ swapRB: Bool) {
    d[0] = swapRB ? p.b : p.r
    d[1] = p.g
    d[2] = swapRB ? p.r : p.b
}

@inline(__always)
func swapPixel(_ s: UnsafePointer<UInt8>, _ d: UnsafeMutablePointer<UInt8>, _ x: Int) {
    let a = s[3 * x]
    let g = s[3 * x + 1]
    let b = s[3 * x + 2]
    d[3 * x] = b
    d[3 * x + 1] = g
    d[3 * x + 2] = a
}

extension ResizePlan {
    @inline(__always)
    func scratchRow(_ s: ResizeScratch?) -> UnsafeMutablePointer<Int16> {
        let sc = s ?? scratch
        precondition(sc.count >= ResizePlan.scratchCount(srcWidth: srcWidth, channels: channels, xTaps: xTaps),
                     "scratch too small for this plan")
        return sc.row
    }

    /// `v[i] = (Σ_k src[row_k][i] * wy_k + 8) >> 4` for i in from..<srcWidth*channels.
    @inline(__always)
    func verticalScalar(
        src: UnsafePointer<UInt8>, srcStride: Int, dy: Int, row: UnsafeMutablePointer<Int16>, from: Int
    ) {
        let n = srcWidth * channels
        let rows = yRows + dy * yTaps
        let ws = yWeights + dy * yTaps
        for i in from..<n {
            var acc: Int32 = 8
            for k in 0..<yTaps {
                acc &+= Int32(src[Int(rows[k]) * srcStride + i]) &* Int32(ws[k])
            }
            row[i] = Int16(truncatingIfNeeded: acc &>> 4)
        }
    }

    /// `clamp((Σ_j v[(x0 + j) * ch + c] * wx_j + 2^17) >> 18)`.
    @inline(__always)
    func horizontalScalar(row: UnsafeMutablePointer<Int16>, dx: Int, c: Int) -> UInt8 {
        let x0 = Int(xStart[dx])
        let ws = xWeights + dx * xTaps
        var acc: Int32 = 1 << 17
        for j in 0..<xTaps {
            acc &+= Int32(row[(x0 + j) * channels + c]) &* Int32(ws[j])
        }
        return clampToByte(acc &>> 18)
    }

    /// The vertical pass on YUYV bytes for pixels from..<srcWidth, written as Y, U and V of each
    /// pixel (U, V of its pair): `row[x * pixel + c * channel]` for c = 0, 1, 2 is v(Y of x),
    /// v(U of x's pair), v(V of x's pair), with v() the vertical filter of `verticalScalar`.
    /// `pixel: 3, channel: 1` is the row of a 3-channel plan over the YUV 4:4:4 image (the
    /// specification); the SIMD kernel uses three planes (`pixel: 1`, `channel:` plane length).
    @inline(__always)
    func verticalYUYVScalar(
        src: UnsafePointer<UInt8>, srcStride: Int, dy: Int, row: UnsafeMutablePointer<Int16>,
        pixel: Int, channel: Int, from: Int
    ) {
        let rows = yRows + dy * yTaps
        let ws = yWeights + dy * yTaps
        @inline(__always)
        func filtered(_ i: Int) -> Int16 {
            var acc: Int32 = 8
            for k in 0..<yTaps {
                acc &+= Int32(src[Int(rows[k]) * srcStride + i]) &* Int32(ws[k])
            }
            return Int16(truncatingIfNeeded: acc &>> 4)
        }
        for x in from..<srcWidth {
            let m = 4 * (x >> 1)
            let r = row + pixel * x
            r[0] = filtered(m + 2 * (x & 1))
            r[channel] = filtered(m + 1)
            r[2 * channel] = filtered(m + 3)
        }
    }

    /// `horizontalScalar` over a row laid out as in `verticalYUYVScalar`.
    @inline(__always)
    func horizontalScalar(row: UnsafeMutablePointer<Int16>, pixel: Int, channel: Int, dx: Int, c: Int) -> UInt8 {
        let x0 = Int(xStart[dx])
        let ws = xWeights + dx * xTaps
        var acc: Int32 = 1 << 17
        for j in 0..<xTaps {
            acc &+= Int32(row[(x0 + j) * pixel + c * channel]) &* Int32(ws[j])
        }
        return clampToByte(acc &>> 18)
    }

    /// One output pixel of `resizePackYUYV`: the resized Y', U', V' bytes, the integer YUV → RGB
    /// formula, then the float packing.
    @inline(__always)
    func packYUVPixelScalar(
        row: UnsafeMutablePointer<Int16>, pixel: Int, channel: Int, dx: Int, d: UnsafeMutablePointer<Float>,
        planeStride: Int, _ k: YUVCoefficients, scale: SIMD4<Float>, bias: SIMD4<Float>, swapRB: Bool
    ) {
        let p = yuvToRGBPixel(
            horizontalScalar(row: row, pixel: pixel, channel: channel, dx: dx, c: 0),
            horizontalScalar(row: row, pixel: pixel, channel: channel, dx: dx, c: 1),
            horizontalScalar(row: row, pixel: pixel, channel: channel, dx: dx, c: 2), k)
        storeFloats(p, d, dx, planeStride, scale, bias, swapRB)
    }

    @inline(__always)
    func packPixelScalar(
        row: UnsafeMutablePointer<Int16>, dx: Int, d: UnsafeMutablePointer<Float>, planeStride: Int,
        scale: SIMD4<Float>, bias: SIMD4<Float>, swapRB: Bool
    ) {
        let v0 = horizontalScalar(row: row, dx: dx, c: 0)
        let v1 = horizontalScalar(row: row, dx: dx, c: 1)
        let v2 = horizontalScalar(row: row, dx: dx, c: 2)
        d[dx] = Float(swapRB ? v2 : v0) * scale[0] + bias[0]
        d[planeStride + dx] = Float(v1) * scale[1] + bias[1]
        d[2 * planeStride + dx] = Float(swapRB ? v0 : v2) * scale[2] + bias[2]
    }
}

extension ResizePlan {
    /// The vertical pass of a chroma plan over U and V samples from..<srcWidth, sample i of a row
    /// at `i * step` (1: separate planes, 2: interleaved pairs): the filter of `verticalScalar`.
    @inline(__always)
    func verticalChromaScalar(
        u: UnsafePointer<UInt8>, v: UnsafePointer<UInt8>, stride: Int, step: Int, dy: Int,
        uRow: UnsafeMutablePointer<Int16>, vRow: UnsafeMutablePointer<Int16>, from: Int
    ) {
        let rows = yRows + dy * yTaps
        let ws = yWeights + dy * yTaps
        @inline(__always)
        func filtered(_ p: UnsafePointer<UInt8>, _ i: Int) -> Int16 {
            var acc: Int32 = 8
            for k in 0..<yTaps {
                acc &+= Int32(p[Int(rows[k]) * stride + i]) &* Int32(ws[k])
            }
            return Int16(truncatingIfNeeded: acc &>> 4)
        }
        for i in from..<srcWidth {
            uRow[i] = filtered(u, i * step)
            vRow[i] = filtered(v, i * step)
        }
    }
}

extension YUVResizePlan {
    /// One output pixel of `resizePackYUV`: Y' from the luma row, U', V' from the chroma rows
    /// (each `horizontalScalar` of its plan), the integer YUV → RGB formula, the float packing.
    @inline(__always)
    func packPixelScalar(
        yRow: UnsafeMutablePointer<Int16>, uRow: UnsafeMutablePointer<Int16>, vRow: UnsafeMutablePointer<Int16>,
        dx: Int, d: UnsafeMutablePointer<Float>, planeStride: Int, _ k: YUVCoefficients,
        scale: SIMD4<Float>, bias: SIMD4<Float>, swapRB: Bool
    ) {
        let p = yuvToRGBPixel(
            luma.horizontalScalar(row: yRow, dx: dx, c: 0), chroma.horizontalScalar(row: uRow, dx: dx, c: 0),
            chroma.horizontalScalar(row: vRow, dx: dx, c: 0), k)
        storeFloats(p, d, dx, planeStride, scale, bias, swapRB)
    }
}
