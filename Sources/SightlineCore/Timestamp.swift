#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A point on the monotonic clock, in nanoseconds.
///
/// Frames carry the time they were captured (for V4L2, the driver's timestamp, which the
/// kernel takes from `CLOCK_MONOTONIC`), so latency is always measured from capture.
public struct Timestamp: Sendable, Hashable, Comparable, Codable, CustomStringConvertible {
    public var nanoseconds: UInt64

    public init(nanoseconds: UInt64) { self.nanoseconds = nanoseconds }

    public init(seconds: Int, microseconds: Int) {
        nanoseconds = UInt64(max(0, seconds)) * 1_000_000_000 + UInt64(max(0, microseconds)) * 1_000
    }

    /// The monotonic clock now.
    public static func now() -> Timestamp {
        var ts = timespec()
        clock_gettime(CLOCK_MONOTONIC, &ts)
        return Timestamp(nanoseconds: UInt64(ts.tv_sec) * 1_000_000_000 + UInt64(ts.tv_nsec))
    }

    public var seconds: Double { Double(nanoseconds) / 1e9 }

    /// Signed difference `self - other` in seconds.
    public func seconds(since other: Timestamp) -> Double {
        self >= other
            ? Double(nanoseconds - other.nanoseconds) / 1e9
            : -Double(other.nanoseconds - nanoseconds) / 1e9
    }

    public static func < (a: Timestamp, b: Timestamp) -> Bool { a.nanoseconds < b.nanoseconds }

    public var description: String {
        let s = nanoseconds / 1_000_000_000
        let us = (nanoseconds % 1_000_000_000) / 1_000
        let frac = String(us)
        return "\(s).\(String(repeating: "0", count: 6 - frac.count))\(frac)"
    }
}
