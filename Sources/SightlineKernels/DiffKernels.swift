// Per-pixel absolute difference of two grey images: the core of the live pipeline's change
// gate (two small thumbnails in, a difference image out, which the gate then thresholds).

extension ScalarKernels {
    /// `dst = |a - b|` per byte, over `width × height` bytes of each image (grey thumbnails).
    /// `dst` may be `a` or `b` (same stride); other overlaps are not supported.
    public static func absDiff(
        a: UnsafePointer<UInt8>, aStride: Int, b: UnsafePointer<UInt8>, bStride: Int,
        dst: UnsafeMutablePointer<UInt8>, dstStride: Int, width: Int, height: Int
    ) {
        for row in 0..<height {
            let pa = a + row * aStride, pb = b + row * bStride, d = dst + row * dstStride
            for x in 0..<width {
                let u = pa[x], v = pb[x]
                d[x] = u > v ? u &- v : v &- u
            }
        }
    }
}

extension SIMDKernels {
    /// `dst = |a - b|`, 16 bytes at a time. See `ScalarKernels.absDiff`; identical output.
    public static func absDiff(
        a: UnsafePointer<UInt8>, aStride: Int, b: UnsafePointer<UInt8>, bStride: Int,
        dst: UnsafeMutablePointer<UInt8>, dstStride: Int, width: Int, height: Int
    ) {
        for row in 0..<height {
            let pa = a + row * aStride, pb = b + row * bStride, d = dst + row * dstStride
            var x = 0
            while x + 16 <= width {
                let u = UnsafeRawPointer(pa + x).loadUnaligned(as: SIMD16<UInt8>.self)
                let v = UnsafeRawPointer(pb + x).loadUnaligned(as: SIMD16<UInt8>.self)
                // |u - v| = (u - v) where u > v, else (v - u): a lane select, written with masks
                // because the stdlib's pointwiseMin/Max are not always inlined (see Common.swift).
                let diff = (u &- v).replacing(with: v &- u, where: v .> u)
                UnsafeMutableRawPointer(d + x).storeBytes(of: diff, as: SIMD16<UInt8>.self)
                x += 16
            }
            while x < width {
                let u = pa[x], v = pb[x]
                d[x] = u > v ? u &- v : v &- u
                x += 1
            }
        }
    }
}

// MARK: C exports (see CExports.swift for the conventions)

@_cdecl("sl_scalar_abs_diff")
public func sl_scalar_abs_diff(
    _ a: UnsafePointer<UInt8>, _ aStride: Int, _ b: UnsafePointer<UInt8>, _ bStride: Int,
    _ dst: UnsafeMutablePointer<UInt8>, _ dstStride: Int, _ width: Int, _ height: Int
) {
    ScalarKernels.absDiff(a: a, aStride: aStride, b: b, bStride: bStride, dst: dst, dstStride: dstStride, width: width, height: height)
}

@_cdecl("sl_simd_abs_diff")
public func sl_simd_abs_diff(
    _ a: UnsafePointer<UInt8>, _ aStride: Int, _ b: UnsafePointer<UInt8>, _ bStride: Int,
    _ dst: UnsafeMutablePointer<UInt8>, _ dstStride: Int, _ width: Int, _ height: Int
) {
    SIMDKernels.absDiff(a: a, aStride: aStride, b: b, bStride: bStride, dst: dst, dstStride: dstStride, width: width, height: height)
}
