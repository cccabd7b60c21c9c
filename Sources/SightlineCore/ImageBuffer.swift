/// Memory a frame's bytes can live in.
///
/// A storage is a reference type so that a frame can be handed between stages without
/// copying; whoever holds the last reference releases the memory (or, for a V4L2 buffer,
/// gives it back to the driver).
public protocol FrameStorage: AnyObject, Sendable {
    /// The bytes, valid for as long as the storage is alive.
    var bytes: UnsafeRawBufferPointer { get }
}

/// A growable, 64-byte-aligned byte buffer meant to be reused across frames.
///
/// `reserve(_:)` reallocates only when asked for more than it already has, so a warm
/// pipeline that decodes frames of one size into the same buffer never allocates.
///
/// It is `@unchecked Sendable` because it hands out raw pointers: the owner must not write
/// to it while a frame that borrows it is being read elsewhere.
public final class ImageBuffer: FrameStorage, @unchecked Sendable {
    public static let alignment = 64

    public private(set) var capacity: Int
    private var base: UnsafeMutableRawPointer

    /// Counts every (re)allocation this buffer made, so tests and benchmarks can check that
    /// the steady state allocates nothing.
    public private(set) var allocationCount: Int

    public init(capacity: Int = 0) {
        self.capacity = max(capacity, 0)
        base = UnsafeMutableRawPointer.allocate(byteCount: max(self.capacity, 1), alignment: Self.alignment)
        allocationCount = 1
    }

    deinit { base.deallocate() }

    /// Makes sure at least `count` bytes are available. Contents are not preserved when it grows.
    public func reserve(_ count: Int) {
        precondition(count >= 0, "negative byte count")
        guard count > capacity else { return }
        base.deallocate()
        base = UnsafeMutableRawPointer.allocate(byteCount: count, alignment: Self.alignment)
        capacity = count
        allocationCount += 1
    }

    public var bytes: UnsafeRawBufferPointer { UnsafeRawBufferPointer(start: base, count: capacity) }
    public var mutableBytes: UnsafeMutableRawBufferPointer {
        UnsafeMutableRawBufferPointer(start: base, count: capacity)
    }
    public var pointer: UnsafeMutableRawPointer { base }

    /// A buffer holding a copy of `source`.
    public convenience init(copying source: UnsafeRawBufferPointer) {
        self.init(capacity: source.count)
        if let s = source.baseAddress, source.count > 0 { base.copyMemory(from: s, byteCount: source.count) }
    }

    public convenience init(copying source: [UInt8]) {
        self.init(capacity: source.count)
        source.withUnsafeBytes { raw in
            if let s = raw.baseAddress, raw.count > 0 { base.copyMemory(from: s, byteCount: raw.count) }
        }
    }
}
