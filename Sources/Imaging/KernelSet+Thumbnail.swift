internal import SightlineKernels

// The kernels the thumbnailer and the change gate use (see Thumbnail.swift), dispatched like
// the rest of ``KernelSet``.
extension KernelSet {
    func deinterleaveYUYV(
        _ src: UnsafePointer<UInt8>, _ srcStride: Int, _ width: Int, _ height: Int, _ y: UnsafeMutablePointer<UInt8>,
        _ yStride: Int, _ u: UnsafeMutablePointer<UInt8>, _ uStride: Int, _ v: UnsafeMutablePointer<UInt8>, _ vStride: Int
    ) {
        switch choice {
        case .simd:
            SIMDKernels.deinterleaveYUYV(
                src: src, srcStride: srcStride, width: width, height: height, y: y, yStride: yStride, u: u, uStride: uStride,
                v: v, vStride: vStride)
        case .scalar:
            ScalarKernels.deinterleaveYUYV(
                src: src, srcStride: srcStride, width: width, height: height, y: y, yStride: yStride, u: u, uStride: uStride,
                v: v, vStride: vStride)
        }
    }

    func rgbToGrey(
        _ src: UnsafePointer<UInt8>, _ srcStride: Int, _ dst: UnsafeMutablePointer<UInt8>, _ dstStride: Int, _ width: Int,
        _ height: Int, swapRB: Bool
    ) {
        switch choice {
        case .simd:
            SIMDKernels.rgbToGrey(
                src: src, srcStride: srcStride, dst: dst, dstStride: dstStride, width: width, height: height, swapRB: swapRB)
        case .scalar:
            ScalarKernels.rgbToGrey(
                src: src, srcStride: srcStride, dst: dst, dstStride: dstStride, width: width, height: height, swapRB: swapRB)
        }
    }

    func resize(
        _ plan: ResizePlan, _ src: UnsafePointer<UInt8>, _ srcStride: Int, _ dst: UnsafeMutablePointer<UInt8>, _ dstStride: Int
    ) {
        switch choice {
        case .simd: SIMDKernels.resize(plan: plan, src: src, srcStride: srcStride, dst: dst, dstStride: dstStride)
        case .scalar: ScalarKernels.resize(plan: plan, src: src, srcStride: srcStride, dst: dst, dstStride: dstStride)
        }
    }

    /// `|a - b|` over `count` packed bytes (one row).
    func absDiff(_ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>, _ dst: UnsafeMutablePointer<UInt8>, _ count: Int) {
        switch choice {
        case .simd: SIMDKernels.absDiff(a: a, aStride: count, b: b, bStride: count, dst: dst, dstStride: count, width: count, height: 1)
        case .scalar:
            ScalarKernels.absDiff(a: a, aStride: count, b: b, bStride: count, dst: dst, dstStride: count, width: count, height: 1)
        }
    }
}
