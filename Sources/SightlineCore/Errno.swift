#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// An `errno` value, as swift-system's `Errno`: what a system call reports when it fails.
///
/// Capture's system-call interface returns it (so a fake driver can script any error), and
/// ``FileError`` and Capture's `SystemCallError` print it with its symbolic name.
public struct Errno: Error, Equatable, Hashable, Sendable, CustomStringConvertible {
    /// The raw value (`ENODEV` …).
    public var code: Int32

    /// Wraps a raw `errno` value.
    public init(_ code: Int32) { self.code = code }

    /// The calling thread's current `errno`.
    public static var current: Errno { Errno(errno) }

    /// The symbolic name of an errno value (`ENODEV`), or `errno N` for unusual ones.
    public static func name(_ code: Int32) -> String {
        switch code {
        case EPERM: return "EPERM"
        case ENOENT: return "ENOENT"
        case EINTR: return "EINTR"
        case EIO: return "EIO"
        case ENXIO: return "ENXIO"
        case EBADF: return "EBADF"
        case EAGAIN: return "EAGAIN"
        case ENOMEM: return "ENOMEM"
        case EACCES: return "EACCES"
        case EFAULT: return "EFAULT"
        case EBUSY: return "EBUSY"
        case EEXIST: return "EEXIST"
        case ENODEV: return "ENODEV"
        case ENOTDIR: return "ENOTDIR"
        case EISDIR: return "EISDIR"
        case EINVAL: return "EINVAL"
        case EFBIG: return "EFBIG"
        case ENOTTY: return "ENOTTY"
        case ENOSPC: return "ENOSPC"
        case EPIPE: return "EPIPE"
        case ERANGE: return "ERANGE"
        case ENOSYS: return "ENOSYS"
        case ETIMEDOUT: return "ETIMEDOUT"
        case ESHUTDOWN: return "ESHUTDOWN"
        case EOVERFLOW: return "EOVERFLOW"
        case EOPNOTSUPP: return "EOPNOTSUPP"
        default: return "errno \(code)"
        }
    }

    /// The system's message for the value (`strerror`).
    public var message: String { String(cString: strerror(code)) }

    /// `No such device (ENODEV)`.
    public var description: String { "\(message) (\(Errno.name(code)))" }
}
