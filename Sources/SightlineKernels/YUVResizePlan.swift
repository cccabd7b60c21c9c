/// Tables for the fused planar-YUV resize (`resizePackYUV`): one plan for the Y plane and one
/// for the two chroma planes, both onto the same `dstWidth × dstHeight` output, and three
/// scratch rows (vertically filtered Y, U and V).
///
/// The source is a `width × height` Y plane and U, V planes subsampled by `chromaX × chromaY`
/// (2×2 for 4:2:0 and NV12, 2×1 for 4:2:2, 1×1 for 4:4:4, 1×2 for 4:4:0, 4×1 for 4:1:1), of
/// `chromaWidth = ⌈width / chromaX⌉ × chromaHeight = ⌈height / chromaY⌉` samples.
///
/// Chroma siting is centred, as in JPEG (JFIF): chroma sample i covers luma pixels
/// `chromaX·i ..< chromaX·(i + 1)`. Replicating each chroma sample over its block, as `nv12ToRGB`
/// and OpenCV's `cvtColor` do, amounts to the same siting. So the chroma plan maps the output onto
/// `width / chromaX` chroma samples (`ResizePlan`'s span): output column dx, whose luma position
/// is `sx = (dx + 0.5)·width/dstWidth − 0.5`, samples chroma at `(sx + 0.5)/chromaX − 0.5`.
///
/// Like `ResizePlan`: build once per geometry, reuse, `deallocate()` once. The scratch rows make
/// a plan usable by one thread at a time.
public struct YUVResizePlan {
    /// The Y plane → output plan (1 channel).
    public let luma: ResizePlan
    /// The U and V planes → output plan (1 channel).
    public let chroma: ResizePlan
    /// Chroma subsampling factors.
    public let chromaX: Int
    public let chromaY: Int
    @usableFromInline let rows: UnsafeMutablePointer<Int16>
    @usableFromInline let lumaRowLength: Int
    @usableFromInline let chromaRowLength: Int

    /// Returns nil unless all sizes are ≥ 1 (and < 2^20) and the factors are 1, 2 or 4.
    public init?(
        width: Int, height: Int, chromaX: Int, chromaY: Int, dstWidth: Int, dstHeight: Int, mode: ResizeMode
    ) {
        guard chromaX == 1 || chromaX == 2 || chromaX == 4, chromaY == 1 || chromaY == 2 || chromaY == 4,
            let luma = ResizePlan(srcWidth: width, srcHeight: height, dstWidth: dstWidth, dstHeight: dstHeight,
                                  channels: 1, mode: mode)
        else { return nil }
        guard let chroma = ResizePlan(
            srcWidth: (width + chromaX - 1) / chromaX, srcHeight: (height + chromaY - 1) / chromaY, dstWidth: dstWidth,
            dstHeight: dstHeight, channels: 1, mode: mode,
            xSpan: Double(width) / Double(chromaX), ySpan: Double(height) / Double(chromaY))
        else {
            luma.deallocate()
            return nil
        }
        self.luma = luma
        self.chroma = chroma
        self.chromaX = chromaX
        self.chromaY = chromaY
        // The horizontal passes read up to index srcWidth + taps - 1 (weight-0 taps), 4-byte loads.
        lumaRowLength = width + luma.xTaps + 8
        chromaRowLength = chroma.srcWidth + chroma.xTaps + 8
        let count = lumaRowLength + 2 * chromaRowLength
        rows = .allocate(capacity: count)
        rows.initialize(repeating: 0, count: count)
    }

    public var width: Int { luma.srcWidth }
    public var height: Int { luma.srcHeight }
    public var chromaWidth: Int { chroma.srcWidth }
    public var chromaHeight: Int { chroma.srcHeight }
    public var dstWidth: Int { luma.dstWidth }
    public var dstHeight: Int { luma.dstHeight }

    /// Scratch rows: vertically filtered Y (luma plan), U and V (chroma plan).
    @inline(__always)
    var scratchRows: (y: UnsafeMutablePointer<Int16>, u: UnsafeMutablePointer<Int16>, v: UnsafeMutablePointer<Int16>) {
        (rows, rows + lumaRowLength, rows + lumaRowLength + chromaRowLength)
    }

    /// Frees the tables and scratch. Do not use the plan (or copies) afterwards.
    public func deallocate() {
        luma.deallocate()
        chroma.deallocate()
        rows.deallocate()
    }
}
