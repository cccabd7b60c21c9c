/// How `ResizePlan` samples the source.
public enum ResizeMode: Int32, Sendable {
    /// OpenCV `INTER_LINEAR` geometry: half-pixel centres,
    /// `sx = (dx + 0.5) * (srcW / dstW) - 0.5`, clamped at the edges, 2 taps per axis,
    /// weights rounded to 11 fractional bits (`w0 = round((1 - fx) * 2048)`, `w1 = 2048 - w0`).
    case bilinear = 0
    /// OpenCV `INTER_AREA` for downscaling: each output pixel is the mean of the source box it
    /// covers, with exact fractional coverage of the boundary pixels. Weights are
    /// `round(overlap * 2048 / boxWidth)` per axis, corrected so they sum to exactly 2048 (the
    /// correction goes to the largest weight). An axis that is upscaled falls back to bilinear
    /// weights (OpenCV also falls back to a linear filter when upscaling with INTER_AREA).
    case area = 1
}

/// Scratch memory for one resize call at a time: one vertically filtered source row.
///
/// A plan owns one (`ResizePlan.scratch`), used when you pass no scratch. Make another with
/// `ResizePlan.makeScratch()` to run the same plan on several threads at once.
public struct ResizeScratch {
    @usableFromInline let row: UnsafeMutablePointer<Int16>
    @usableFromInline let count: Int

    /// Frees the memory. Do not use the scratch (or copies of it) afterwards.
    public func deallocate() { row.deallocate() }
}

/// Precomputed tables for resizing `srcWidth × srcHeight` to `dstWidth × dstHeight` images of
/// `channels` (1 or 3) interleaved bytes per pixel.
///
/// Build one plan per geometry, outside the per-frame path, and reuse it: a resize call does no
/// allocation. The plan owns its tables and a scratch row through unsafe pointers; copies of the
/// struct share them. Call `deallocate()` once when done. The tables are read-only after
/// creation; the built-in scratch is not, so concurrent calls need their own `ResizeScratch`.
///
/// The arithmetic (identical in `ScalarKernels` and `SIMDKernels`), per output pixel:
///
///     vertical:   v[i] = (Σ_k src[row_k][i] * wy_k + 8) >> 4        (Σ wy = 2048; v ≤ 32640)
///     horizontal: out  = clamp((Σ_j v[(x0 + j) * ch + c] * wx_j + 2^17) >> 18)   (Σ wx = 2048)
///
/// i.e. 11-bit weights on both axes, 7 fractional bits kept between the passes, one final
/// rounding. For bilinear this is within ±1 of `cv2.resize(..., INTER_LINEAR)`; an exact 2×
/// area downscale gives `(a + b + c + d + 2) >> 2` of each 2×2 block exactly.
public struct ResizePlan {
    /// Source width in pixels.
    public let srcWidth: Int
    /// Source height in pixels.
    public let srcHeight: Int
    /// Destination width in pixels.
    public let dstWidth: Int
    /// Destination height in pixels.
    public let dstHeight: Int
    /// Bytes per pixel: 1 (grey) or 3 (RGB/BGR).
    public let channels: Int
    /// Sampling mode.
    public let mode: ResizeMode

    /// Horizontal taps per output pixel (even, zero-weight padded).
    @usableFromInline let xTaps: Int
    /// First source pixel of each output column.
    @usableFromInline let xStart: UnsafeMutablePointer<Int32>
    /// `dstWidth * xTaps` weights.
    @usableFromInline let xWeights: UnsafeMutablePointer<Int16>
    /// SIMD layouts of the same weights: for 3 channels, per (column, tap pair)
    /// `(wa, wb, wa, wb, wa, wb, 0, 0)`; for 1 channel, per (group of 4 columns, tap pair)
    /// `(wa0, wb0, wa1, wb1, wa2, wb2, wa3, wb3)`.
    @usableFromInline let xWeightsSIMD: UnsafeMutablePointer<SIMD8<Int16>>
    /// Vertical taps per output row (even, zero-weight padded with valid rows).
    @usableFromInline let yTaps: Int
    /// `dstHeight * yTaps` source rows (all within 0..<srcHeight).
    @usableFromInline let yRows: UnsafeMutablePointer<Int32>
    /// `dstHeight * yTaps` weights.
    @usableFromInline let yWeights: UnsafeMutablePointer<Int16>
    /// Default scratch row, used when a call passes none.
    public let scratch: ResizeScratch

    /// Builds the tables. Returns nil unless all sizes are ≥ 1 (and < 2^20) and
    /// `channels` is 1 or 3.
    public init?(srcWidth: Int, srcHeight: Int, dstWidth: Int, dstHeight: Int, channels: Int, mode: ResizeMode) {
        self.init(srcWidth: srcWidth, srcHeight: srcHeight, dstWidth: dstWidth, dstHeight: dstHeight, channels: channels,
                  mode: mode, xSpan: Double(srcWidth), ySpan: Double(srcHeight))
    }

    /// A plan whose bilinear geometry maps the destination onto `xSpan × ySpan` source pixels
    /// (`sx = (dx + 0.5) * xSpan / dstWidth - 0.5`, clamped to the `srcWidth × srcHeight` image)
    /// instead of `srcWidth × srcHeight`. Chroma planes use it: a 4:2:0 plane of an odd-width
    /// image has `(w + 1) / 2` samples but spans `w / 2` of them. Area axes ignore the span.
    init?(
        srcWidth: Int, srcHeight: Int, dstWidth: Int, dstHeight: Int, channels: Int, mode: ResizeMode,
        xSpan: Double, ySpan: Double
    ) {
        let limit = 1 << 20
        guard srcWidth >= 1, srcHeight >= 1, dstWidth >= 1, dstHeight >= 1,
            srcWidth < limit, srcHeight < limit, dstWidth < limit, dstHeight < limit,
            channels == 1 || channels == 3
        else { return nil }
        self.srcWidth = srcWidth
        self.srcHeight = srcHeight
        self.dstWidth = dstWidth
        self.dstHeight = dstHeight
        self.channels = channels
        self.mode = mode

        let xArea = mode == .area && srcWidth > dstWidth
        let yArea = mode == .area && srcHeight > dstHeight
        let xt = xArea ? AxisTable.areaTaps(src: srcWidth, dst: dstWidth) : 2
        let yt = yArea ? AxisTable.areaTaps(src: srcHeight, dst: dstHeight) : 2
        xTaps = xt
        yTaps = yt

        xStart = .allocate(capacity: dstWidth)
        xWeights = .allocate(capacity: dstWidth * xt)
        yRows = .allocate(capacity: dstHeight * yt)
        yWeights = .allocate(capacity: dstHeight * yt)
        let yStart = UnsafeMutablePointer<Int32>.allocate(capacity: dstHeight)
        defer { yStart.deallocate() }

        if xArea {
            AxisTable.area(src: srcWidth, dst: dstWidth, taps: xt, start: xStart, weights: xWeights)
        } else {
            AxisTable.bilinear(src: srcWidth, span: xSpan, dst: dstWidth, taps: xt, start: xStart, weights: xWeights)
        }
        if yArea {
            AxisTable.area(src: srcHeight, dst: dstHeight, taps: yt, start: yStart, weights: yWeights)
        } else {
            AxisTable.bilinear(src: srcHeight, span: ySpan, dst: dstHeight, taps: yt, start: yStart, weights: yWeights)
        }
        for dy in 0..<dstHeight {
            for k in 0..<yt {
                // Padding taps have weight 0; keep their rows inside the image anyway.
                yRows[dy * yt + k] = Int32(min(Int(yStart[dy]) + k, srcHeight - 1))
            }
        }

        let pairsPerPixel = xt / 2
        if channels == 3 {
            let n = dstWidth * pairsPerPixel
            xWeightsSIMD = .allocate(capacity: n)
            for dx in 0..<dstWidth {
                for p in 0..<pairsPerPixel {
                    let wa = xWeights[dx * xt + 2 * p]
                    let wb = xWeights[dx * xt + 2 * p + 1]
                    xWeightsSIMD[dx * pairsPerPixel + p] = SIMD8<Int16>(wa, wb, wa, wb, wa, wb, 0, 0)
                }
            }
        } else {
            let groups = dstWidth / 4
            xWeightsSIMD = .allocate(capacity: max(1, groups * pairsPerPixel))
            for g in 0..<groups {
                for p in 0..<pairsPerPixel {
                    var v = SIMD8<Int16>()
                    for i in 0..<4 {
                        v[2 * i] = xWeights[(4 * g + i) * xt + 2 * p]
                        v[2 * i + 1] = xWeights[(4 * g + i) * xt + 2 * p + 1]
                    }
                    xWeightsSIMD[g * pairsPerPixel + p] = v
                }
            }
        }
        scratch = ResizePlan.makeScratch(srcWidth: srcWidth, channels: channels, xTaps: xt)
    }

    /// A new scratch row for this plan (for a second thread). Deallocate it yourself.
    public func makeScratch() -> ResizeScratch {
        ResizePlan.makeScratch(srcWidth: srcWidth, channels: channels, xTaps: xTaps)
    }

    /// Elements of a scratch row. The horizontal pass reads up to (srcWidth + xTaps) * channels + 8
    /// elements (taps with weight 0 and 16-byte SIMD loads): the padding is initialised (zero) and
    /// only ever read with weight 0, so what it holds never matters. The SIMD `resizePackYUYV`
    /// keeps three planes of `yuvPlaneLength` in a 3-channel plan's row (3 * yuvPlaneLength ≤ count).
    static func scratchCount(srcWidth: Int, channels: Int, xTaps: Int) -> Int {
        (srcWidth + xTaps + 4) * channels + 24
    }

    /// Length of each of the three Int16 planes (Y, U, V) of the SIMD `resizePackYUYV` row:
    /// the horizontal pass reads up to index srcWidth + xTaps - 1 (taps with weight 0).
    @inline(__always) var yuvPlaneLength: Int { srcWidth + xTaps + 4 }

    private static func makeScratch(srcWidth: Int, channels: Int, xTaps: Int) -> ResizeScratch {
        let count = scratchCount(srcWidth: srcWidth, channels: channels, xTaps: xTaps)
        let row = UnsafeMutablePointer<Int16>.allocate(capacity: count)
        row.initialize(repeating: 0, count: count)
        return ResizeScratch(row: row, count: count)
    }

    /// Frees the tables and the built-in scratch. Do not use the plan (or copies) afterwards.
    public func deallocate() {
        xStart.deallocate()
        xWeights.deallocate()
        xWeightsSIMD.deallocate()
        yRows.deallocate()
        yWeights.deallocate()
        scratch.deallocate()
    }

    /// Number of vertical tap pairs per output row.
    @inline(__always) var yPairs: Int { yTaps / 2 }
    /// Number of horizontal tap pairs per output pixel.
    @inline(__always) var xPairs: Int { xTaps / 2 }
}

/// Per-axis tap tables. Weights are Int16 with 11 fractional bits and sum to 2048.
enum AxisTable {
    static let one: Int = 2048

    /// OpenCV INTER_LINEAR: `fx = Float((d + 0.5) * scale - 0.5)`, `s = floor(fx)`, `fx -= s`;
    /// `s < 0` → (0, fx = 0); `s >= src - 1` → (src - 1, fx = 0);
    /// `w0 = round((1 - fx) * 2048)` (half to even), `w1 = 2048 - w0`. `scale` is `span / dst`
    /// (`span` is `src` except for chroma planes, see `ResizePlan.init(…xSpan:ySpan:)`).
    static func bilinear(
        src: Int, span: Double, dst: Int, taps: Int,
        start: UnsafeMutablePointer<Int32>, weights: UnsafeMutablePointer<Int16>
    ) {
        let scale = 1.0 / (Double(dst) / span)
        for d in 0..<dst {
            var fx = Float((Double(d) + 0.5) * scale - 0.5)
            var s = floorToInt(fx)
            fx -= Float(s)
            if s < 0 {
                s = 0
                fx = 0
            }
            if s >= src - 1 {
                s = src - 1
                fx = 0
            }
            let w0 = roundHalfEven((1 - fx) * Float(one))
            start[d] = Int32(s)
            for k in 0..<taps { weights[d * taps + k] = 0 }
            weights[d * taps] = Int16(w0)
            weights[d * taps + 1] = Int16(one - w0)
        }
    }

    /// Largest number of source pixels an output box touches, rounded up to even.
    static func areaTaps(src: Int, dst: Int) -> Int {
        var most = 1
        for d in 0..<dst {
            let first = (d * src) / dst
            let last = ((d + 1) * src - 1) / dst
            most = max(most, last - first + 1)
        }
        return (most + 1) & ~1
    }

    /// Box coverage in exact integer units: source pixel i covers [i*dst, (i+1)*dst), output d
    /// covers [d*src, (d+1)*src). `w_i = (overlap_i * 2048 + src/2) / src`, then the largest
    /// weight absorbs the difference to 2048.
    static func area(
        src: Int, dst: Int, taps: Int,
        start: UnsafeMutablePointer<Int32>, weights: UnsafeMutablePointer<Int16>
    ) {
        for d in 0..<dst {
            let lo = d * src
            let hi = (d + 1) * src
            let first = lo / dst
            let last = (hi - 1) / dst
            start[d] = Int32(first)
            var sum = 0
            var largest = 0
            var largestWeight = -1
            for k in 0..<taps {
                let i = first + k
                var w = 0
                if i <= last {
                    let overlap = min((i + 1) * dst, hi) - max(i * dst, lo)
                    w = (overlap * one + src / 2) / src
                }
                weights[d * taps + k] = Int16(w)
                sum += w
                if w > largestWeight {
                    largestWeight = w
                    largest = k
                }
            }
            weights[d * taps + largest] = Int16(largestWeight + (one - sum))
        }
    }
}
