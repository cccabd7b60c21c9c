/// A float32 tensor in NCHW layout, meant to be reused across frames.
///
/// The shape can change between uses; memory grows only when a larger shape is asked for,
/// so a warm pipeline writing the same model input every frame never allocates.
public final class Tensor: @unchecked Sendable {
    public private(set) var shape: [Int]
    private let buffer = ImageBuffer()

    public init(shape: [Int] = [0]) {
        self.shape = shape
        reshape(shape)
    }

    /// Sets the shape, growing the storage if needed. Contents are unspecified afterwards.
    public func reshape(_ newShape: [Int]) {
        precondition(newShape.allSatisfy { $0 >= 0 }, "negative tensor dimension")
        if newShape != shape { shape = newShape }
        buffer.reserve(count * MemoryLayout<Float>.stride)
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
