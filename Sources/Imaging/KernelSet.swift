internal import SightlineKernels

/// Calls the scalar or SIMD version of each kernel, as a ``KernelChoice`` says.
/// The two families have identical signatures; this is the one dispatch point.
struct KernelSet {
    let choice: KernelChoice

    func yuyvToRGB(
        _ src: UnsafePointer<UInt8>, _ srcStride: Int, _ dst: UnsafeMutablePointer<UInt8>, _ dstStride: Int,
        _ width: Int, _ height: Int, _ range: YUVRange, swapRB: Bool = false
    ) {
        switch choice {
        case .simd:
            SIMDKernels.yuyvToRGB(
                src: src, srcStride: srcStride, dst: dst, dstStride: dstStride, width: width, height: height, range: range, swapRB: swapRB)
        case .scalar:
            ScalarKernels.yuyvToRGB(
                src: src, srcStride: srcStride, dst: dst, dstStride: dstStride, width: width, height: height, range: range, swapRB: swapRB)
        }
    }

    func nv12ToRGB(
        _ y: UnsafePointer<UInt8>, _ yStride: Int, _ uv: UnsafePointer<UInt8>, _ uvStride: Int,
        _ dst: UnsafeMutablePointer<UInt8>, _ dstStride: Int, _ width: Int, _ height: Int, _ range: YUVRange,
        swapRB: Bool = false
    ) {
        switch choice {
        case .simd:
            SIMDKernels.nv12ToRGB(
                y: y, yStride: yStride, uv: uv, uvStride: uvStride, dst: dst, dstStride: dstStride, width: width, height: height,
                range: range, swapRB: swapRB)
        case .scalar:
            ScalarKernels.nv12ToRGB(
                y: y, yStride: yStride, uv: uv, uvStride: uvStride, dst: dst, dstStride: dstStride, width: width, height: height,
                range: range, swapRB: swapRB)
        }
    }

    func greyToRGB(
        _ src: UnsafePointer<UInt8>, _ srcStride: Int, _ dst: UnsafeMutablePointer<UInt8>, _ dstStride: Int, _ width: Int, _ height: Int
    ) {
        switch choice {
        case .simd: SIMDKernels.greyToRGB(src: src, srcStride: srcStride, dst: dst, dstStride: dstStride, width: width, height: height)
        case .scalar: ScalarKernels.greyToRGB(src: src, srcStride: srcStride, dst: dst, dstStride: dstStride, width: width, height: height)
        }
    }

    func packPlanar(
        _ src: UnsafePointer<UInt8>, _ srcStride: Int, _ width: Int, _ height: Int, _ dst: UnsafeMutablePointer<Float>,
        _ rowStride: Int, _ planeStride: Int, _ scale: SIMD3<Float>, _ bias: SIMD3<Float>, _ swapRB: Bool
    ) {
        let s = SIMD4(scale, 0), b = SIMD4(bias, 0)
        switch choice {
        case .simd:
            SIMDKernels.packPlanar(
                src: src, srcStride: srcStride, width: width, height: height, dst: dst, dstRowStride: rowStride,
                dstPlaneStride: planeStride, scale: s, bias: b, swapRB: swapRB)
        case .scalar:
            ScalarKernels.packPlanar(
                src: src, srcStride: srcStride, width: width, height: height, dst: dst, dstRowStride: rowStride,
                dstPlaneStride: planeStride, scale: s, bias: b, swapRB: swapRB)
        }
    }

    func resizePack(
        _ plan: ResizePlan, _ src: UnsafePointer<UInt8>, _ srcStride: Int, _ dst: UnsafeMutablePointer<Float>,
        _ rowStride: Int, _ planeStride: Int, _ scale: SIMD3<Float>, _ bias: SIMD3<Float>, _ swapRB: Bool
    ) {
        let s = SIMD4(scale, 0), b = SIMD4(bias, 0)
        switch choice {
        case .simd:
            SIMDKernels.resizePack(
                plan: plan, src: src, srcStride: srcStride, dst: dst, dstRowStride: rowStride, dstPlaneStride: planeStride, scale: s,
                bias: b, swapRB: swapRB)
        case .scalar:
            ScalarKernels.resizePack(
                plan: plan, src: src, srcStride: srcStride, dst: dst, dstRowStride: rowStride, dstPlaneStride: planeStride, scale: s,
                bias: b, swapRB: swapRB)
        }
    }

    func resizePackYUYV(
        _ plan: ResizePlan, _ src: UnsafePointer<UInt8>, _ srcStride: Int, _ range: YUVRange,
        _ dst: UnsafeMutablePointer<Float>, _ rowStride: Int, _ planeStride: Int, _ scale: SIMD3<Float>,
        _ bias: SIMD3<Float>, _ swapRB: Bool
    ) {
        let s = SIMD4(scale, 0), b = SIMD4(bias, 0)
        switch choice {
        case .simd:
            SIMDKernels.resizePackYUYV(
                plan: plan, src: src, srcStride: srcStride, range: range, dst: dst, dstRowStride: rowStride, dstPlaneStride: planeStride,
                scale: s, bias: b, swapRB: swapRB)
        case .scalar:
            ScalarKernels.resizePackYUYV(
                plan: plan, src: src, srcStride: srcStride, range: range, dst: dst, dstRowStride: rowStride, dstPlaneStride: planeStride,
                scale: s, bias: b, swapRB: swapRB)
        }
    }

    func resizePackYUV(
        _ plan: YUVResizePlan, _ y: UnsafePointer<UInt8>, _ yStride: Int, _ u: UnsafePointer<UInt8>,
        _ v: UnsafePointer<UInt8>, _ chromaStride: Int, _ chromaStep: Int, _ range: YUVRange,
        _ dst: UnsafeMutablePointer<Float>, _ rowStride: Int, _ planeStride: Int, _ scale: SIMD3<Float>,
        _ bias: SIMD3<Float>, _ swapRB: Bool
    ) {
        let s = SIMD4(scale, 0), b = SIMD4(bias, 0)
        switch choice {
        case .simd:
            SIMDKernels.resizePackYUV(
                plan: plan, y: y, yStride: yStride, u: u, v: v, chromaStride: chromaStride, chromaStep: chromaStep,
                range: range, dst: dst, dstRowStride: rowStride, dstPlaneStride: planeStride, scale: s, bias: b,
                swapRB: swapRB)
        case .scalar:
            ScalarKernels.resizePackYUV(
                plan: plan, y: y, yStride: yStride, u: u, v: v, chromaStride: chromaStride, chromaStep: chromaStep,
                range: range, dst: dst, dstRowStride: rowStride, dstPlaneStride: planeStride, scale: s, bias: b,
                swapRB: swapRB)
        }
    }

    func fillPlanar(
        _ dst: UnsafeMutablePointer<Float>, _ rowStride: Int, _ planeStride: Int, _ x: Int, _ y: Int,
        _ width: Int, _ height: Int, _ value: SIMD3<Float>
    ) {
        let v = SIMD4(value, 0)
        switch choice {
        case .simd:
            SIMDKernels.fillPlanar(
                dst: dst, dstRowStride: rowStride, dstPlaneStride: planeStride, x: x, y: y, width: width, height: height, value: v)
        case .scalar:
            ScalarKernels.fillPlanar(
                dst: dst, dstRowStride: rowStride, dstPlaneStride: planeStride, x: x, y: y, width: width, height: height, value: v)
        }
    }
}
