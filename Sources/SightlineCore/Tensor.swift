/// A float32 tensor in NCHW layout, meant to be reused across frames.
///
/// The shape can change between uses; memory grows only when a larger shape is asked for,
/// so a warm pipeline writing the same model input every frame never allocates.
public final class Tensor: @unchecked Sendable {
    public private(set) var shape: [Int]
    private let buffer = ImageBuffer()

    /// What the tensor's padding (the part outside a letterbox's content) is known to hold, as
    /// recorded by the preprocessor that last filled it; nil when unknown. A preprocessor that
    /// finds the padding it needs already there writes only the content (at 416x416 the
    /// padding of a 16:9 frame is 0.9 MB of floats a frame). Reshaping to another shape or
    /// growing the storage clears it; code that writes into the tensor through ``pointer`` or
    /// ``elements`` (anything but a preprocessor) must set it to nil.
    public var padding: PaddingFill?

    public init(shape: [Int] = [0]) {
        self.shape = shape
        reshape(shape)
    }

    /// Sets the shape, growing the storage if needed. Contents are unspecified afterwards.
    public func reshape(_ newShape: [Int]) {
        precondition(newShape.allSatisfy { $0 >= 0 }, "negative tensor dimension")
        if newShape != shape {
            shape = newShape
            padding = nil
        }
        let allocations = buffer.allocationCount
        buffer.reserve(count * MemoryLayout<Float>.stride)
        if buffer.allocationCount != allocations { padding = nil }
    }

    /// Sets an NCHW shape without building an array when it is already that shape, so the
    /// per-frame path does not allocate.
    public func reshape(n: Int, c: Int, h: Int, w: Int) {
        if shape.count == 4, shape[0] == n, shape[1] == c, shape[2] == h, shape[3] == w { return }
        reshape([n, c, h, w])
    }

    public var count: Int { shape.reduce(1, *) }

    /// Number of reallocations made so far (for zero-allocation checks).
    public var allocationCount: Int { buffer.allocationCount }

    public var pointer: UnsafeMutablePointer<Float> {
        buffer.pointer.assumingMemoryBound(to: Float.self)
    }

    public var elements: UnsafeMutableBufferPointer<Float> {
        UnsafeMutableBufferPointer(start: pointer, count: count)
    }

    /// A copy of the contents, for tests and files.
    public func toArray() -> [Float] { Array(elements) }
}

/// The padding a tensor holds around a letterbox's content: the input plane size, the content
/// rectangle and the value of each channel there (after normalisation).
public struct PaddingFill: Equatable, Sendable {
    public var width: Int
    public var height: Int
    public var contentX: Int
    public var contentY: Int
    public var contentWidth: Int
    public var contentHeight: Int
    public var value: SIMD3<Float>

    public init(width: Int, height: Int, contentX: Int, contentY: Int, contentWidth: Int, contentHeight: Int, value: SIMD3<Float>) {
        (self.width, self.height, self.contentX, self.contentY) = (width, height, contentX, contentY)
        (self.contentWidth, self.contentHeight, self.value) = (contentWidth, contentHeight, value)
    }
}

extension Tensor {
    /// The tensor as a NumPy `.npy` file (format 1.0, little-endian float32, C order), so any
    /// tool with numpy can load what Sightline fed a model.
    public func npyBytes() -> [UInt8] {
        let dims = shape.map(String.init).joined(separator: ", ")
        var header = "{'descr': '<f4', 'fortran_order': False, 'shape': (\(dims)\(shape.count == 1 ? "," : "")), }"
        // magic(6) + version(2) + header length(2) + header, padded with spaces to a multiple of 64, ending in \n
        let unpadded = 10 + header.utf8.count + 1
        header += String(repeating: " ", count: (64 - unpadded % 64) % 64) + "\n"
        var out: [UInt8] = [0x93] + Array("NUMPY".utf8) + [1, 0]
        let n = header.utf8.count
        out += [UInt8(n & 0xFF), UInt8(n >> 8)]
        out += Array(header.utf8)
        elements.withMemoryRebound(to: UInt8.self) { bytes in
            // Float is little-endian on every platform Sightline targets (x86_64, aarch64).
            out += bytes
        }
        return out
    }
}
