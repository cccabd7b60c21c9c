import SightlineKernels

/// SplitMix64: a tiny deterministic PRNG so every run sees the same "random" images.
struct SplitMix64: RandomNumberGenerator {
    var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func byte() -> UInt8 { UInt8(truncatingIfNeeded: next() >> 56) }
}

/// Heap memory of exactly `count` elements, so AddressSanitizer (`swift test --sanitize=address`)
/// flags any read or write past it.
final class Buffer<T> {
    let pointer: UnsafeMutablePointer<T>
    let count: Int
    init(count: Int, repeating value: T) {
        self.count = max(count, 1)
        pointer = .allocate(capacity: self.count)
        pointer.initialize(repeating: value, count: self.count)
    }
    deinit { pointer.deallocate() }
    var array: [T] { Array(UnsafeBufferPointer(start: pointer, count: count)) }
}

/// A u8 image with `bytesPerPixel` interleaved bytes per pixel and a row stride that may have
/// padding. The buffer ends right after the last pixel of the last row (no padding there), the
/// case where kernels most easily over-read or over-write.
final class Image {
    let width: Int
    let height: Int
    let bytesPerPixel: Int
    let stride: Int
    let buffer: Buffer<UInt8>

    init(width: Int, height: Int, bytesPerPixel: Int, padding: Int = 0, fill: UInt8 = 0) {
        self.width = width
        self.height = height
        self.bytesPerPixel = bytesPerPixel
        stride = width * bytesPerPixel + padding
        buffer = Buffer(count: (height - 1) * stride + width * bytesPerPixel, repeating: fill)
    }

    /// Random content everywhere, including the padding bytes.
    convenience init(width: Int, height: Int, bytesPerPixel: Int, padding: Int = 0, random rng: inout SplitMix64) {
        self.init(width: width, height: height, bytesPerPixel: bytesPerPixel, padding: padding)
        for i in 0..<buffer.count { buffer.pointer[i] = rng.byte() }
    }

    var pointer: UnsafeMutablePointer<UInt8> { buffer.pointer }
    var bytes: [UInt8] { buffer.array }

    subscript(x: Int, y: Int, c: Int) -> UInt8 {
        get { buffer.pointer[y * stride + x * bytesPerPixel + c] }
        set { buffer.pointer[y * stride + x * bytesPerPixel + c] = newValue }
    }

    /// Same geometry and the same bytes (padding included).
    func copy() -> Image {
        let c = Image(width: width, height: height, bytesPerPixel: bytesPerPixel, padding: stride - width * bytesPerPixel)
        c.pointer.update(from: pointer, count: buffer.count)
        return c
    }

    /// True if every byte outside the `width × height` area equals that of `other`.
    func paddingEquals(_ other: Image) -> Bool {
        for y in 0..<height {
            for i in (width * bytesPerPixel)..<stride where y * stride + i < buffer.count {
                if pointer[y * stride + i] != other.pointer[y * stride + i] { return false }
            }
        }
        return true
    }
}

/// Three float planes with row and plane padding; `origin` is plane 0, row 0, column 0.
final class Planes {
    let width: Int
    let height: Int
    let rowStride: Int
    let planeStride: Int
    let buffer: Buffer<Float>

    init(width: Int, height: Int, rowPadding: Int = 0, planePadding: Int = 0, fill: Float = -7) {
        self.width = width
        self.height = height
        rowStride = width + rowPadding
        planeStride = height * rowStride + planePadding
        buffer = Buffer(count: 2 * planeStride + (height - 1) * rowStride + width, repeating: fill)
    }

    var pointer: UnsafeMutablePointer<Float> { buffer.pointer }
    subscript(p: Int, x: Int, y: Int) -> Float { buffer.pointer[p * planeStride + y * rowStride + x] }

    /// Bit patterns, so that -0.0 vs 0.0 or NaNs would not hide a difference.
    var bits: [UInt32] { buffer.array.map(\.bitPattern) }
}

/// Sizes with odd widths and heights, 1-pixel images, widths around the vector block sizes
/// (16/17 pixels) and a camera-like size.
let imageSizes: [(Int, Int)] = [
    (1, 1), (2, 2), (3, 5), (5, 3), (15, 2), (16, 3), (17, 9), (18, 1), (31, 4), (32, 2), (33, 31),
    (34, 7), (49, 3), (50, 2), (65, 5), (639, 479), (640, 480),
]

/// (width, height, row padding in bytes)
let imageCases: [(Int, Int, Int)] = imageSizes.flatMap { [($0.0, $0.1, 0), ($0.0, $0.1, 13)] }

/// `body` run once with each kernel family: the scalar reference's output (the specification)
/// and SIMD's. Equivalence tests write each check once, generic over the family, and compare.
func onBothFamilies<R>(_ body: (any PixelKernels.Type) -> R) -> (reference: R, simd: R) {
    (body(ScalarKernels.self), body(SIMDKernels.self))
}
