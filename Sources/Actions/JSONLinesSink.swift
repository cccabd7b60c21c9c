import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes each event as one line of canonical JSON (see ``SightlineEvent/jsonLine()``).
///
/// Each line goes to the file descriptor in a single `write` as soon as it is handled (there is
/// no user-space buffer), so a crash loses at most the line being written. Files are opened for
/// appending; with `sync: true` every line is also `fsync`ed (survives power loss, costs a disk
/// flush per event).
public final class JSONLinesSink: ActionSink, @unchecked Sendable {
    public enum Destination: Sendable, Equatable {
        case standardOutput
        /// Appended to; created with mode 0644 if missing (its folder must exist).
        case file(String)
    }

    public let destination: Destination
    public let sync: Bool
    public var name: String { "jsonl" }

    private let fd: Int32
    private let ownsFD: Bool
    private let lock = NSLock()

    public init(_ destination: Destination, sync: Bool = false) throws(ActionFileError) {
        self.destination = destination
        self.sync = sync
        switch destination {
        case .standardOutput:
            fd = STDOUT_FILENO
            ownsFD = false
        case .file(let path):
            let f = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
            guard f >= 0 else { throw ActionFileError(path: path, operation: "open for appending", errno: errno) }
            fd = f
            ownsFD = true
        }
    }

    deinit { if ownsFD { close(fd) } }

    private var label: String {
        switch destination {
        case .standardOutput: return "standard output"
        case .file(let path): return path
        }
    }

    public func handle(_ event: SightlineEvent) throws {
        var line = try event.jsonLine()
        line.append(0x0A)
        lock.lock()
        defer { lock.unlock() }
        // Text printed with print() sits in stdio's buffer; let it out first so lines keep order.
        if destination == .standardOutput { fflush(nil) }
        try line.withUnsafeBytes { raw in
            var done = 0
            while done < raw.count {
                let n = write(fd, raw.baseAddress! + done, raw.count - done)
                if n < 0 {
                    if errno == EINTR { continue }
                    throw ActionFileError(path: label, operation: "write an event", errno: errno)
                }
                done += n
            }
        }
        if sync, ownsFD { try syncFile() }
    }

    /// fsync, where the file can be synced: a character device or pipe (`/dev/null`, a FIFO)
    /// answers EINVAL, which means there is nothing to make durable, not a failure.
    private func syncFile() throws {
        if fsync(fd) != 0, errno != EINVAL { throw ActionFileError(path: label, operation: "sync", errno: errno) }
    }

    /// Nothing is buffered; with a file, makes sure what was written reached the disk.
    public func flush() throws {
        lock.lock()
        defer { lock.unlock() }
        if ownsFD { try syncFile() }
    }
}

/// A file an Actions sink could not open, write or sync; names the file and the system's reason.
public struct ActionFileError: Error, Equatable, CustomStringConvertible {
    public var path: String
    public var operation: String
    public var errno: Int32

    public init(path: String, operation: String, errno: Int32) {
        self.path = path
        self.operation = operation
        self.errno = errno
    }

    public var description: String { "\(path): cannot \(operation): \(String(cString: strerror(errno)))" }
}
