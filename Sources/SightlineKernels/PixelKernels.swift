/// The pixel kernels, as one interface that both families adopt: ``ScalarKernels`` (the
/// specification: one pixel at a time) and ``SIMDKernels`` (the same results, bit for bit on
/// integer outputs and identical `Float`s on planar outputs, many pixels at a time).
///
/// Each kernel's signature is written once, here; Imaging selects a family once
/// (`KernelChoice`) and calls through this protocol, C harnesses export both families through
/// generic entry points (`CExports.swift`), and the kernel tests run generic checks on both.
/// The conventions (strides in bytes for u8 images and in elements for float planes, `swapRB`,
/// NCHW planes) are documented on ``ScalarKernels``.
///
/// Only static requirements and generics: the protocol builds in Embedded Swift too (no
/// existentials inside this module).
public protocol PixelKernels {
    /// Packed YUYV → RGB (`YUVRange` gives the formula).
    static func yuyvToRGB(
        src: UnsafePointer<UInt8>, srcStride: Int, dst: UnsafeMutablePointer<UInt8>, dstStride: Int,
        width: Int, height: Int, range: YUVRange, swapRB: Bool
    )

    /// NV12 (Y plane, interleaved U,V plane at half size) → RGB.
    static func nv12ToRGB(
        y: UnsafePointer<UInt8>, yStride: Int, uv: UnsafePointer<UInt8>, uvStride: Int,
        dst: UnsafeMutablePointer<UInt8>, dstStride: Int,
        width: Int, height: Int, range: YUVRange, swapRB: Bool
    )

    /// Packed YUYV → separate Y, U and V planes (U, V at half width).
    static func deinterleaveYUYV(
        src: UnsafePointer<UInt8>, srcStride: Int, width: Int, height: Int,
        y: UnsafeMutablePointer<UInt8>, yStride: Int,
        u: UnsafeMutablePointer<UInt8>, uStride: Int,
        v: UnsafeMutablePointer<UInt8>, vStride: Int
    )

    /// Interleaved U,V pairs → separate U and V planes.
    static func splitUV(
        src: UnsafePointer<UInt8>, srcStride: Int, width: Int, height: Int,
        u: UnsafeMutablePointer<UInt8>, uStride: Int,
        v: UnsafeMutablePointer<UInt8>, vStride: Int
    )

    /// Y, U, V planes of one size → planar normalised float RGB.
    static func yuvPlanesToFloat(
        y: UnsafePointer<UInt8>, yStride: Int, u: UnsafePointer<UInt8>, uStride: Int,
        v: UnsafePointer<UInt8>, vStride: Int, width: Int, height: Int, range: YUVRange,
        dst: UnsafeMutablePointer<Float>, dstRowStride: Int, dstPlaneStride: Int,
        scale: SIMD4<Float>, bias: SIMD4<Float>, swapRB: Bool
    )

    /// Grey → RGB (each byte three times).
    static func greyToRGB(
        src: UnsafePointer<UInt8>, srcStride: Int, dst: UnsafeMutablePointer<UInt8>, dstStride: Int,
        width: Int, height: Int
    )

    /// RGB ↔ BGR; `src` may equal `dst`.
    static func swapRB(
        src: UnsafePointer<UInt8>, srcStride: Int, dst: UnsafeMutablePointer<UInt8>, dstStride: Int,
        width: Int, height: Int
    )

    /// RGB → grey (BT.601 luma).
    static func rgbToGrey(
        src: UnsafePointer<UInt8>, srcStride: Int, dst: UnsafeMutablePointer<UInt8>, dstStride: Int,
        width: Int, height: Int, swapRB: Bool
    )

    /// Resamples a u8 image as `plan` says; `scratch` overrides the plan's own scratch row.
    static func resize(
        plan: ResizePlan, src: UnsafePointer<UInt8>, srcStride: Int,
        dst: UnsafeMutablePointer<UInt8>, dstStride: Int, scratch: ResizeScratch?
    )

    /// RGB → planar normalised floats, `Float(v) * scale + bias` per channel.
    static func packPlanar(
        src: UnsafePointer<UInt8>, srcStride: Int, width: Int, height: Int,
        dst: UnsafeMutablePointer<Float>, dstRowStride: Int, dstPlaneStride: Int,
        scale: SIMD4<Float>, bias: SIMD4<Float>, swapRB: Bool
    )

    /// Fills a rectangle of each of the 3 float planes with `value`.
    static func fillPlanar(
        dst: UnsafeMutablePointer<Float>, dstRowStride: Int, dstPlaneStride: Int,
        x: Int, y: Int, width: Int, height: Int, value: SIMD4<Float>
    )

    /// Resamples RGB and packs it into planar normalised floats in one pass.
    static func resizePack(
        plan: ResizePlan, src: UnsafePointer<UInt8>, srcStride: Int,
        dst: UnsafeMutablePointer<Float>, dstRowStride: Int, dstPlaneStride: Int,
        scale: SIMD4<Float>, bias: SIMD4<Float>, swapRB: Bool, scratch: ResizeScratch?
    )

    /// Resamples packed YUYV, converts and packs into planar floats in one pass.
    static func resizePackYUYV(
        plan: ResizePlan, src: UnsafePointer<UInt8>, srcStride: Int, range: YUVRange,
        dst: UnsafeMutablePointer<Float>, dstRowStride: Int, dstPlaneStride: Int,
        scale: SIMD4<Float>, bias: SIMD4<Float>, swapRB: Bool, scratch: ResizeScratch?
    )

    /// Resamples Y and chroma planes (or NV12 pairs), converts and packs in one pass.
    static func resizePackYUV(
        plan: YUVResizePlan, y: UnsafePointer<UInt8>, yStride: Int,
        u: UnsafePointer<UInt8>, v: UnsafePointer<UInt8>, chromaStride: Int, chromaStep: Int, range: YUVRange,
        dst: UnsafeMutablePointer<Float>, dstRowStride: Int, dstPlaneStride: Int,
        scale: SIMD4<Float>, bias: SIMD4<Float>, swapRB: Bool
    )

    /// `|a - b|` per byte.
    static func absDiff(
        a: UnsafePointer<UInt8>, aStride: Int, b: UnsafePointer<UInt8>, bStride: Int,
        dst: UnsafeMutablePointer<UInt8>, dstStride: Int, width: Int, height: Int
    )
}

extension PixelKernels {
    /// ``resize(plan:src:srcStride:dst:dstStride:scratch:)`` with the plan's own scratch row.
    @inline(__always)
    public static func resize(
        plan: ResizePlan, src: UnsafePointer<UInt8>, srcStride: Int, dst: UnsafeMutablePointer<UInt8>, dstStride: Int
    ) {
        resize(plan: plan, src: src, srcStride: srcStride, dst: dst, dstStride: dstStride, scratch: nil)
    }

    /// ``resizePack(plan:src:srcStride:dst:dstRowStride:dstPlaneStride:scale:bias:swapRB:scratch:)``
    /// with the plan's own scratch row.
    @inline(__always)
    public static func resizePack(
        plan: ResizePlan, src: UnsafePointer<UInt8>, srcStride: Int, dst: UnsafeMutablePointer<Float>, dstRowStride: Int,
        dstPlaneStride: Int, scale: SIMD4<Float>, bias: SIMD4<Float>, swapRB: Bool
    ) {
        resizePack(
            plan: plan, src: src, srcStride: srcStride, dst: dst, dstRowStride: dstRowStride, dstPlaneStride: dstPlaneStride,
            scale: scale, bias: bias, swapRB: swapRB, scratch: nil)
    }

    /// ``resizePackYUYV(plan:src:srcStride:range:dst:dstRowStride:dstPlaneStride:scale:bias:swapRB:scratch:)``
    /// with the plan's own scratch row.
    @inline(__always)
    public static func resizePackYUYV(
        plan: ResizePlan, src: UnsafePointer<UInt8>, srcStride: Int, range: YUVRange, dst: UnsafeMutablePointer<Float>,
        dstRowStride: Int, dstPlaneStride: Int, scale: SIMD4<Float>, bias: SIMD4<Float>, swapRB: Bool
    ) {
        resizePackYUYV(
            plan: plan, src: src, srcStride: srcStride, range: range, dst: dst, dstRowStride: dstRowStride,
            dstPlaneStride: dstPlaneStride, scale: scale, bias: bias, swapRB: swapRB, scratch: nil)
    }
}

extension ScalarKernels: PixelKernels {}
extension SIMDKernels: PixelKernels {}
