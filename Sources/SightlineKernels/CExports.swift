// C-callable entry points for every kernel, scalar (`sl_scalar_*`) and SIMD (`sl_simd_*`),
// for C harnesses (e.g. the aarch64 build under qemu). Conventions as in `ScalarKernels`:
// u8 strides in bytes, float strides in elements; booleans and enums are int32_t
// (swap_rb: 0/1; range: 0 limited, 1 full; mode: 0 bilinear, 1 area).
//
// Equivalent C declarations:
//
//   void sl_{scalar,simd}_yuyv_to_rgb(const uint8_t *src, intptr_t src_stride, uint8_t *dst,
//        intptr_t dst_stride, intptr_t width, intptr_t height, int32_t range, int32_t swap_rb);
//   void sl_{scalar,simd}_nv12_to_rgb(const uint8_t *y, intptr_t y_stride, const uint8_t *uv,
//        intptr_t uv_stride, uint8_t *dst, intptr_t dst_stride, intptr_t width, intptr_t height,
//        int32_t range, int32_t swap_rb);
//   void sl_{scalar,simd}_deinterleave_yuyv(const uint8_t *src, intptr_t src_stride,
//        intptr_t width, intptr_t height, uint8_t *y, intptr_t y_stride, uint8_t *u,
//        intptr_t u_stride, uint8_t *v, intptr_t v_stride);
//   void sl_{scalar,simd}_split_uv(const uint8_t *src, intptr_t src_stride, intptr_t width,
//        intptr_t height, uint8_t *u, intptr_t u_stride, uint8_t *v, intptr_t v_stride);
//   void sl_{scalar,simd}_yuv_planes_to_float(const uint8_t *y, intptr_t y_stride,
//        const uint8_t *u, intptr_t u_stride, const uint8_t *v, intptr_t v_stride,
//        intptr_t width, intptr_t height, int32_t range, float *dst, intptr_t dst_row_stride,
//        intptr_t dst_plane_stride, float scale0, float scale1, float scale2, float bias0,
//        float bias1, float bias2, int32_t swap_rb);
//   void sl_{scalar,simd}_grey_to_rgb(const uint8_t *src, intptr_t src_stride, uint8_t *dst,
//        intptr_t dst_stride, intptr_t width, intptr_t height);
//   void sl_{scalar,simd}_swap_rb(same as grey_to_rgb);            // src may equal dst
//   void sl_{scalar,simd}_rgb_to_grey(..., intptr_t width, intptr_t height, int32_t swap_rb);
//   void *sl_resize_plan_create(intptr_t src_w, intptr_t src_h, intptr_t dst_w, intptr_t dst_h,
//        intptr_t channels, int32_t mode);                         // NULL if invalid
//   void sl_resize_plan_destroy(void *plan);
//   void sl_{scalar,simd}_resize(const void *plan, const uint8_t *src, intptr_t src_stride,
//        uint8_t *dst, intptr_t dst_stride);
//   void sl_{scalar,simd}_pack_planar(const uint8_t *src, intptr_t src_stride, intptr_t width,
//        intptr_t height, float *dst, intptr_t dst_row_stride, intptr_t dst_plane_stride,
//        float scale0, float scale1, float scale2, float bias0, float bias1, float bias2,
//        int32_t swap_rb);
//   void sl_{scalar,simd}_fill_planar(float *dst, intptr_t dst_row_stride,
//        intptr_t dst_plane_stride, intptr_t x, intptr_t y, intptr_t width, intptr_t height,
//        float value0, float value1, float value2);
//   void sl_{scalar,simd}_resize_pack(const void *plan, const uint8_t *src, intptr_t src_stride,
//        float *dst, intptr_t dst_row_stride, intptr_t dst_plane_stride, float scale0,
//        float scale1, float scale2, float bias0, float bias1, float bias2, int32_t swap_rb);
//   void sl_{scalar,simd}_resize_pack_yuyv(const void *plan, const uint8_t *src,
//        intptr_t src_stride, int32_t range, float *dst, intptr_t dst_row_stride,
//        intptr_t dst_plane_stride, float scale0, float scale1, float scale2, float bias0,
//        float bias1, float bias2, int32_t swap_rb);            // 3-channel plan, YUYV source
//   void sl_{scalar,simd}_abs_diff(const uint8_t *a, intptr_t a_stride, const uint8_t *b,
//        intptr_t b_stride, uint8_t *dst, intptr_t dst_stride, intptr_t width,
//        intptr_t height);                                       // in DiffKernels.swift
//   void *sl_yuv_resize_plan_create(intptr_t width, intptr_t height, intptr_t chroma_x,
//        intptr_t chroma_y, intptr_t dst_w, intptr_t dst_h, int32_t mode);   // NULL if invalid
//   void sl_yuv_resize_plan_destroy(void *plan);
//   void sl_{scalar,simd}_resize_pack_yuv(const void *yuv_plan, const uint8_t *y,
//        intptr_t y_stride, const uint8_t *u, const uint8_t *v, intptr_t chroma_stride,
//        intptr_t chroma_step, int32_t range, float *dst, intptr_t dst_row_stride,
//        intptr_t dst_plane_stride, float scale0, float scale1, float scale2, float bias0,
//        float bias1, float bias2, int32_t swap_rb);   // planes (step 1) or NV12 pairs (step 2)
//
// A plan handle is not thread-safe (it carries its scratch row): one handle per thread.

@inline(__always)
private func yuvRange(_ r: Int32) -> YUVRange { r == 1 ? .full : .limited }

@inline(__always)
private func planFrom(_ p: UnsafeRawPointer) -> ResizePlan {
    p.assumingMemoryBound(to: ResizePlan.self).pointee
}

// MARK: YUYV

@_cdecl("sl_scalar_yuyv_to_rgb")
public func sl_scalar_yuyv_to_rgb(
    _ src: UnsafePointer<UInt8>, _ srcStride: Int, _ dst: UnsafeMutablePointer<UInt8>, _ dstStride: Int,
    _ width: Int, _ height: Int, _ range: Int32, _ swapRB: Int32
) {
    ScalarKernels.yuyvToRGB(src: src, srcStride: srcStride, dst: dst, dstStride: dstStride,
                            width: width, height: height, range: yuvRange(range), swapRB: swapRB != 0)
}

@_cdecl("sl_simd_yuyv_to_rgb")
public func sl_simd_yuyv_to_rgb(
    _ src: UnsafePointer<UInt8>, _ srcStride: Int, _ dst: UnsafeMutablePointer<UInt8>, _ dstStride: Int,
    _ width: Int, _ height: Int, _ range: Int32, _ swapRB: Int32
) {
    SIMDKernels.yuyvToRGB(src: src, srcStride: srcStride, dst: dst, dstStride: dstStride,
                          width: width, height: height, range: yuvRange(range), swapRB: swapRB != 0)
}

// MARK: NV12

@_cdecl("sl_scalar_nv12_to_rgb")
public func sl_scalar_nv12_to_rgb(
    _ y: UnsafePointer<UInt8>, _ yStride: Int, _ uv: UnsafePointer<UInt8>, _ uvStride: Int,
    _ dst: UnsafeMutablePointer<UInt8>, _ dstStride: Int, _ width: Int, _ height: Int,
    _ range: Int32, _ swapRB: Int32
) {
    ScalarKernels.nv12ToRGB(y: y, yStride: yStride, uv: uv, uvStride: uvStride, dst: dst, dstStride: dstStride,
                            width: width, height: height, range: yuvRange(range), swapRB: swapRB != 0)
}

@_cdecl("sl_simd_nv12_to_rgb")
public func sl_simd_nv12_to_rgb(
    _ y: UnsafePointer<UInt8>, _ yStride: Int, _ uv: UnsafePointer<UInt8>, _ uvStride: Int,
    _ dst: UnsafeMutablePointer<UInt8>, _ dstStride: Int, _ width: Int, _ height: Int,
    _ range: Int32, _ swapRB: Int32
) {
    SIMDKernels.nv12ToRGB(y: y, yStride: yStride, uv: uv, uvStride: uvStride, dst: dst, dstStride: dstStride,
                          width: width, height: height, range: yuvRange(range), swapRB: swapRB != 0)
}

// MARK: Planar YUV

@_cdecl("sl_scalar_deinterleave_yuyv")
public func sl_scalar_deinterleave_yuyv(
    _ src: UnsafePointer<UInt8>, _ srcStride: Int, _ width: Int, _ height: Int,
    _ y: UnsafeMutablePointer<UInt8>, _ yStride: Int, _ u: UnsafeMutablePointer<UInt8>, _ uStride: Int,
    _ v: UnsafeMutablePointer<UInt8>, _ vStride: Int
) {
    ScalarKernels.deinterleaveYUYV(src: src, srcStride: srcStride, width: width, height: height,
                                   y: y, yStride: yStride, u: u, uStride: uStride, v: v, vStride: vStride)
}

@_cdecl("sl_simd_deinterleave_yuyv")
public func sl_simd_deinterleave_yuyv(
    _ src: UnsafePointer<UInt8>, _ srcStride: Int, _ width: Int, _ height: Int,
    _ y: UnsafeMutablePointer<UInt8>, _ yStride: Int, _ u: UnsafeMutablePointer<UInt8>, _ uStride: Int,
    _ v: UnsafeMutablePointer<UInt8>, _ vStride: Int
) {
    SIMDKernels.deinterleaveYUYV(src: src, srcStride: srcStride, width: width, height: height,
                                 y: y, yStride: yStride, u: u, uStride: uStride, v: v, vStride: vStride)
}

@_cdecl("sl_scalar_split_uv")
public func sl_scalar_split_uv(
    _ src: UnsafePointer<UInt8>, _ srcStride: Int, _ width: Int, _ height: Int,
    _ u: UnsafeMutablePointer<UInt8>, _ uStride: Int, _ v: UnsafeMutablePointer<UInt8>, _ vStride: Int
) {
    ScalarKernels.splitUV(src: src, srcStride: srcStride, width: width, height: height,
                          u: u, uStride: uStride, v: v, vStride: vStride)
}

@_cdecl("sl_simd_split_uv")
public func sl_simd_split_uv(
    _ src: UnsafePointer<UInt8>, _ srcStride: Int, _ width: Int, _ height: Int,
    _ u: UnsafeMutablePointer<UInt8>, _ uStride: Int, _ v: UnsafeMutablePointer<UInt8>, _ vStride: Int
) {
    SIMDKernels.splitUV(src: src, srcStride: srcStride, width: width, height: height,
                        u: u, uStride: uStride, v: v, vStride: vStride)
}

@_cdecl("sl_scalar_yuv_planes_to_float")
public func sl_scalar_yuv_planes_to_float(
    _ y: UnsafePointer<UInt8>, _ yStride: Int, _ u: UnsafePointer<UInt8>, _ uStride: Int,
    _ v: UnsafePointer<UInt8>, _ vStride: Int, _ width: Int, _ height: Int, _ range: Int32,
    _ dst: UnsafeMutablePointer<Float>, _ dstRowStride: Int, _ dstPlaneStride: Int,
    _ scale0: Float, _ scale1: Float, _ scale2: Float, _ bias0: Float, _ bias1: Float, _ bias2: Float,
    _ swapRB: Int32
) {
    ScalarKernels.yuvPlanesToFloat(y: y, yStride: yStride, u: u, uStride: uStride, v: v, vStride: vStride,
                                   width: width, height: height, range: yuvRange(range), dst: dst,
                                   dstRowStride: dstRowStride, dstPlaneStride: dstPlaneStride,
                                   scale: SIMD4(scale0, scale1, scale2, 0), bias: SIMD4(bias0, bias1, bias2, 0),
                                   swapRB: swapRB != 0)
}

@_cdecl("sl_simd_yuv_planes_to_float")
public func sl_simd_yuv_planes_to_float(
    _ y: UnsafePointer<UInt8>, _ yStride: Int, _ u: UnsafePointer<UInt8>, _ uStride: Int,
    _ v: UnsafePointer<UInt8>, _ vStride: Int, _ width: Int, _ height: Int, _ range: Int32,
    _ dst: UnsafeMutablePointer<Float>, _ dstRowStride: Int, _ dstPlaneStride: Int,
    _ scale0: Float, _ scale1: Float, _ scale2: Float, _ bias0: Float, _ bias1: Float, _ bias2: Float,
    _ swapRB: Int32
) {
    SIMDKernels.yuvPlanesToFloat(y: y, yStride: yStride, u: u, uStride: uStride, v: v, vStride: vStride,
                                 width: width, height: height, range: yuvRange(range), dst: dst,
                                 dstRowStride: dstRowStride, dstPlaneStride: dstPlaneStride,
                                 scale: SIMD4(scale0, scale1, scale2, 0), bias: SIMD4(bias0, bias1, bias2, 0),
                                 swapRB: swapRB != 0)
}

// MARK: Grey → RGB

@_cdecl("sl_scalar_grey_to_rgb")
public func sl_scalar_grey_to_rgb(
    _ src: UnsafePointer<UInt8>, _ srcStride: Int, _ dst: UnsafeMutablePointer<UInt8>, _ dstStride: Int,
    _ width: Int, _ height: Int
) {
    ScalarKernels.greyToRGB(src: src, srcStride: srcStride, dst: dst, dstStride: dstStride, width: width, height: height)
}

@_cdecl("sl_simd_grey_to_rgb")
public func sl_simd_grey_to_rgb(
    _ src: UnsafePointer<UInt8>, _ srcStride: Int, _ dst: UnsafeMutablePointer<UInt8>, _ dstStride: Int,
    _ width: Int, _ height: Int
) {
    SIMDKernels.greyToRGB(src: src, srcStride: srcStride, dst: dst, dstStride: dstStride, width: width, height: height)
}

// MARK: Swap R/B

@_cdecl("sl_scalar_swap_rb")
public func sl_scalar_swap_rb(
    _ src: UnsafePointer<UInt8>, _ srcStride: Int, _ dst: UnsafeMutablePointer<UInt8>, _ dstStride: Int,
    _ width: Int, _ height: Int
) {
    ScalarKernels.swapRB(src: src, srcStride: srcStride, dst: dst, dstStride: dstStride, width: width, height: height)
}

@_cdecl("sl_simd_swap_rb")
public func sl_simd_swap_rb(
    _ src: UnsafePointer<UInt8>, _ srcStride: Int, _ dst: UnsafeMutablePointer<UInt8>, _ dstStride: Int,
    _ width: Int, _ height: Int
) {
    SIMDKernels.swapRB(src: src, srcStride: srcStride, dst: dst, dstStride: dstStride, width: width, height: height)
}

// MARK: RGB → grey

@_cdecl("sl_scalar_rgb_to_grey")
public func sl_scalar_rgb_to_grey(
    _ src: UnsafePointer<UInt8>, _ srcStride: Int, _ dst: UnsafeMutablePointer<UInt8>, _ dstStride: Int,
    _ width: Int, _ height: Int, _ swapRB: Int32
) {
    ScalarKernels.rgbToGrey(src: src, srcStride: srcStride, dst: dst, dstStride: dstStride,
                            width: width, height: height, swapRB: swapRB != 0)
}

@_cdecl("sl_simd_rgb_to_grey")
public func sl_simd_rgb_to_grey(
    _ src: UnsafePointer<UInt8>, _ srcStride: Int, _ dst: UnsafeMutablePointer<UInt8>, _ dstStride: Int,
    _ width: Int, _ height: Int, _ swapRB: Int32
) {
    SIMDKernels.rgbToGrey(src: src, srcStride: srcStride, dst: dst, dstStride: dstStride,
                          width: width, height: height, swapRB: swapRB != 0)
}

// MARK: Resize plans

@_cdecl("sl_resize_plan_create")
public func sl_resize_plan_create(
    _ srcWidth: Int, _ srcHeight: Int, _ dstWidth: Int, _ dstHeight: Int, _ channels: Int, _ mode: Int32
) -> UnsafeMutableRawPointer? {
    guard mode == 0 || mode == 1,
        let plan = ResizePlan(srcWidth: srcWidth, srcHeight: srcHeight, dstWidth: dstWidth, dstHeight: dstHeight,
                              channels: channels, mode: mode == 1 ? .area : .bilinear)
    else { return nil }
    let box = UnsafeMutablePointer<ResizePlan>.allocate(capacity: 1)
    box.initialize(to: plan)
    return UnsafeMutableRawPointer(box)
}

@_cdecl("sl_resize_plan_destroy")
public func sl_resize_plan_destroy(_ plan: UnsafeMutableRawPointer?) {
    guard let plan else { return }
    let box = plan.assumingMemoryBound(to: ResizePlan.self)
    box.pointee.deallocate()
    box.deinitialize(count: 1)
    box.deallocate()
}

@_cdecl("sl_scalar_resize")
public func sl_scalar_resize(
    _ plan: UnsafeRawPointer, _ src: UnsafePointer<UInt8>, _ srcStride: Int,
    _ dst: UnsafeMutablePointer<UInt8>, _ dstStride: Int
) {
    ScalarKernels.resize(plan: planFrom(plan), src: src, srcStride: srcStride, dst: dst, dstStride: dstStride)
}

@_cdecl("sl_simd_resize")
public func sl_simd_resize(
    _ plan: UnsafeRawPointer, _ src: UnsafePointer<UInt8>, _ srcStride: Int,
    _ dst: UnsafeMutablePointer<UInt8>, _ dstStride: Int
) {
    SIMDKernels.resize(plan: planFrom(plan), src: src, srcStride: srcStride, dst: dst, dstStride: dstStride)
}

// MARK: Planar float

@_cdecl("sl_scalar_pack_planar")
public func sl_scalar_pack_planar(
    _ src: UnsafePointer<UInt8>, _ srcStride: Int, _ width: Int, _ height: Int,
    _ dst: UnsafeMutablePointer<Float>, _ dstRowStride: Int, _ dstPlaneStride: Int,
    _ scale0: Float, _ scale1: Float, _ scale2: Float, _ bias0: Float, _ bias1: Float, _ bias2: Float,
    _ swapRB: Int32
) {
    ScalarKernels.packPlanar(src: src, srcStride: srcStride, width: width, height: height, dst: dst,
                             dstRowStride: dstRowStride, dstPlaneStride: dstPlaneStride,
                             scale: SIMD4(scale0, scale1, scale2, 0), bias: SIMD4(bias0, bias1, bias2, 0),
                             swapRB: swapRB != 0)
}

@_cdecl("sl_simd_pack_planar")
public func sl_simd_pack_planar(
    _ src: UnsafePointer<UInt8>, _ srcStride: Int, _ width: Int, _ height: Int,
    _ dst: UnsafeMutablePointer<Float>, _ dstRowStride: Int, _ dstPlaneStride: Int,
    _ scale0: Float, _ scale1: Float, _ scale2: Float, _ bias0: Float, _ bias1: Float, _ bias2: Float,
    _ swapRB: Int32
) {
    SIMDKernels.packPlanar(src: src, srcStride: srcStride, width: width, height: height, dst: dst,
                           dstRowStride: dstRowStride, dstPlaneStride: dstPlaneStride,
                           scale: SIMD4(scale0, scale1, scale2, 0), bias: SIMD4(bias0, bias1, bias2, 0),
                           swapRB: swapRB != 0)
}

@_cdecl("sl_scalar_fill_planar")
public func sl_scalar_fill_planar(
    _ dst: UnsafeMutablePointer<Float>, _ dstRowStride: Int, _ dstPlaneStride: Int,
    _ x: Int, _ y: Int, _ width: Int, _ height: Int, _ value0: Float, _ value1: Float, _ value2: Float
) {
    ScalarKernels.fillPlanar(dst: dst, dstRowStride: dstRowStride, dstPlaneStride: dstPlaneStride,
                             x: x, y: y, width: width, height: height, value: SIMD4(value0, value1, value2, 0))
}

@_cdecl("sl_simd_fill_planar")
public func sl_simd_fill_planar(
    _ dst: UnsafeMutablePointer<Float>, _ dstRowStride: Int, _ dstPlaneStride: Int,
    _ x: Int, _ y: Int, _ width: Int, _ height: Int, _ value0: Float, _ value1: Float, _ value2: Float
) {
    SIMDKernels.fillPlanar(dst: dst, dstRowStride: dstRowStride, dstPlaneStride: dstPlaneStride,
                           x: x, y: y, width: width, height: height, value: SIMD4(value0, value1, value2, 0))
}

@_cdecl("sl_scalar_resize_pack")
public func sl_scalar_resize_pack(
    _ plan: UnsafeRawPointer, _ src: UnsafePointer<UInt8>, _ srcStride: Int,
    _ dst: UnsafeMutablePointer<Float>, _ dstRowStride: Int, _ dstPlaneStride: Int,
    _ scale0: Float, _ scale1: Float, _ scale2: Float, _ bias0: Float, _ bias1: Float, _ bias2: Float,
    _ swapRB: Int32
) {
    ScalarKernels.resizePack(plan: planFrom(plan), src: src, srcStride: srcStride, dst: dst,
                             dstRowStride: dstRowStride, dstPlaneStride: dstPlaneStride,
                             scale: SIMD4(scale0, scale1, scale2, 0), bias: SIMD4(bias0, bias1, bias2, 0),
                             swapRB: swapRB != 0)
}

@_cdecl("sl_simd_resize_pack")
public func sl_simd_resize_pack(
    _ plan: UnsafeRawPointer, _ src: UnsafePointer<UInt8>, _ srcStride: Int,
    _ dst: UnsafeMutablePointer<Float>, _ dstRowStride: Int, _ dstPlaneStride: Int,
    _ scale0: Float, _ scale1: Float, _ scale2: Float, _ bias0: Float, _ bias1: Float, _ bias2: Float,
    _ swapRB: Int32
) {
    SIMDKernels.resizePack(plan: planFrom(plan), src: src, srcStride: srcStride, dst: dst,
                           dstRowStride: dstRowStride, dstPlaneStride: dstPlaneStride,
                           scale: SIMD4(scale0, scale1, scale2, 0), bias: SIMD4(bias0, bias1, bias2, 0),
                           swapRB: swapRB != 0)
}

@_cdecl("sl_scalar_resize_pack_yuyv")
public func sl_scalar_resize_pack_yuyv(
    _ plan: UnsafeRawPointer, _ src: UnsafePointer<UInt8>, _ srcStride: Int, _ range: Int32,
    _ dst: UnsafeMutablePointer<Float>, _ dstRowStride: Int, _ dstPlaneStride: Int,
    _ scale0: Float, _ scale1: Float, _ scale2: Float, _ bias0: Float, _ bias1: Float, _ bias2: Float,
    _ swapRB: Int32
) {
    ScalarKernels.resizePackYUYV(plan: planFrom(plan), src: src, srcStride: srcStride, range: yuvRange(range),
                                 dst: dst, dstRowStride: dstRowStride, dstPlaneStride: dstPlaneStride,
                                 scale: SIMD4(scale0, scale1, scale2, 0), bias: SIMD4(bias0, bias1, bias2, 0),
                                 swapRB: swapRB != 0)
}

@_cdecl("sl_simd_resize_pack_yuyv")
public func sl_simd_resize_pack_yuyv(
    _ plan: UnsafeRawPointer, _ src: UnsafePointer<UInt8>, _ srcStride: Int, _ range: Int32,
    _ dst: UnsafeMutablePointer<Float>, _ dstRowStride: Int, _ dstPlaneStride: Int,
    _ scale0: Float, _ scale1: Float, _ scale2: Float, _ bias0: Float, _ bias1: Float, _ bias2: Float,
    _ swapRB: Int32
) {
    SIMDKernels.resizePackYUYV(plan: planFrom(plan), src: src, srcStride: srcStride, range: yuvRange(range),
                               dst: dst, dstRowStride: dstRowStride, dstPlaneStride: dstPlaneStride,
                               scale: SIMD4(scale0, scale1, scale2, 0), bias: SIMD4(bias0, bias1, bias2, 0),
                               swapRB: swapRB != 0)
}

// MARK: Planar YUV (JPEG planes, NV12)

@_cdecl("sl_yuv_resize_plan_create")
public func sl_yuv_resize_plan_create(
    _ width: Int, _ height: Int, _ chromaX: Int, _ chromaY: Int, _ dstWidth: Int, _ dstHeight: Int, _ mode: Int32
) -> UnsafeMutableRawPointer? {
    guard mode == 0 || mode == 1,
        let plan = YUVResizePlan(width: width, height: height, chromaX: chromaX, chromaY: chromaY, dstWidth: dstWidth,
                                 dstHeight: dstHeight, mode: mode == 1 ? .area : .bilinear)
    else { return nil }
    let box = UnsafeMutablePointer<YUVResizePlan>.allocate(capacity: 1)
    box.initialize(to: plan)
    return UnsafeMutableRawPointer(box)
}

@_cdecl("sl_yuv_resize_plan_destroy")
public func sl_yuv_resize_plan_destroy(_ plan: UnsafeMutableRawPointer?) {
    guard let plan else { return }
    let box = plan.assumingMemoryBound(to: YUVResizePlan.self)
    box.pointee.deallocate()
    box.deinitialize(count: 1)
    box.deallocate()
}

@_cdecl("sl_scalar_resize_pack_yuv")
public func sl_scalar_resize_pack_yuv(
    _ plan: UnsafeRawPointer, _ y: UnsafePointer<UInt8>, _ yStride: Int, _ u: UnsafePointer<UInt8>,
    _ v: UnsafePointer<UInt8>, _ chromaStride: Int, _ chromaStep: Int, _ range: Int32,
    _ dst: UnsafeMutablePointer<Float>, _ dstRowStride: Int, _ dstPlaneStride: Int,
    _ scale0: Float, _ scale1: Float, _ scale2: Float, _ bias0: Float, _ bias1: Float, _ bias2: Float,
    _ swapRB: Int32
) {
    ScalarKernels.resizePackYUV(
        plan: plan.assumingMemoryBound(to: YUVResizePlan.self).pointee, y: y, yStride: yStride, u: u, v: v,
        chromaStride: chromaStride, chromaStep: chromaStep, range: yuvRange(range), dst: dst,
        dstRowStride: dstRowStride, dstPlaneStride: dstPlaneStride, scale: SIMD4(scale0, scale1, scale2, 0),
        bias: SIMD4(bias0, bias1, bias2, 0), swapRB: swapRB != 0)
}

@_cdecl("sl_simd_resize_pack_yuv")
public func sl_simd_resize_pack_yuv(
    _ plan: UnsafeRawPointer, _ y: UnsafePointer<UInt8>, _ yStride: Int, _ u: UnsafePointer<UInt8>,
    _ v: UnsafePointer<UInt8>, _ chromaStride: Int, _ chromaStep: Int, _ range: Int32,
    _ dst: UnsafeMutablePointer<Float>, _ dstRowStride: Int, _ dstPlaneStride: Int,
    _ scale0: Float, _ scale1: Float, _ scale2: Float, _ bias0: Float, _ bias1: Float, _ bias2: Float,
    _ swapRB: Int32
) {
    SIMDKernels.resizePackYUV(
        plan: plan.assumingMemoryBound(to: YUVResizePlan.self).pointee, y: y, yStride: yStride, u: u, v: v,
        chromaStride: chromaStride, chromaStep: chromaStep, range: yuvRange(range), dst: dst,
        dstRowStride: dstRowStride, dstPlaneStride: dstPlaneStride, scale: SIMD4(scale0, scale1, scale2, 0),
        bias: SIMD4(bias0, bias1, bias2, 0), swapRB: swapRB != 0)
}
