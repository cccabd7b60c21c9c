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
    ///
    /// JPEG frames (a replay's files, a camera's MJPEG) differ by a few hundred bytes, and
    /// growing to each new maximum exactly would reallocate again and again, leaving the
    /// slightly smaller blocks freed behind in malloc's arenas (part of the 4 MB resident memory
    /// grew by over a 10,000-frame replay). So sizes of 128 KiB and more are rounded up to a
    /// whole 64 KiB (what a page-granular mapping of that size costs anyway, to within 60 KiB),
    /// and a buffer that must grow takes at least a quarter more than it had: a pooled frame
    /// buffer settles after a growth or two. Smaller first reservations are exact.
    public func reserve(_ count: Int) {
        precondition(count >= 0, "negative byte count")
        guard count > capacity else { return }
        var grown = capacity > 1 ? max(count, capacity + capacity / 4) : count
        if grown >= 128 << 10 { grown = (grown + (64 << 10) - 1) & ~((64 << 10) - 1) }
        base.deallocate()
        base = UnsafeMutableRawPointer.allocate(byteCount: grown, alignment: Self.alignment)
        capacity = grown
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
