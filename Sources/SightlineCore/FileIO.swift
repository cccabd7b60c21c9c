#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why a file could not be read or written. Each case names the path and the system's reason.
public struct FileError: Error, Equatable, CustomStringConvertible {
    public var path: String
    public var operation: String
    public var errno: Int32

    public var description: String {
        "\(path): cannot \(operation): \(String(cString: strerror(errno)))"
    }
}

/// Small, dependency-free file helpers for frames and outputs.
public enum FileIO {
    /// Reads a whole file into `buffer` (grown as needed) and returns the byte count.
    /// Files larger than `limit` are refused before reading.
    @discardableResult
    public static func read(_ path: String, into buffer: ImageBuffer, limit: Int = 1 << 30) throws(FileError) -> Int {
        // withCString: passing the String itself would build a C copy on the heap (utf8CString).
        let fd = path.withCString { open($0, O_RDONLY | O_CLOEXEC) }
        guard fd >= 0 else { throw FileError(path: path, operation: "open", errno: errno) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw FileError(path: path, operation: "stat", errno: errno) }
        guard (st.st_mode & S_IFMT) == S_IFREG else { throw FileError(path: path, operation: "read a regular file", errno: EISDIR) }
        let size = Int(st.st_size)
        guard size <= limit else { throw FileError(path: path, operation: "read (file too large)", errno: EFBIG) }
        buffer.reserve(size)
        var done = 0
        while done < size {
            let n = Glibc.read(fd, buffer.pointer + done, size - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw FileError(path: path, operation: "read", errno: errno)
            }
            if n == 0 { break }  // file shrank while reading
            done += n
        }
        return done
    }

    /// Reads a whole file as a compressed (JPEG) frame.
    public static func readJPEGFrame(_ path: String, sequence: UInt64 = 0, timestamp: Timestamp = .now()) throws -> Frame {
        let buffer = ImageBuffer()
        let count = try read(path, into: buffer)
        return try Frame(
            format: .mjpeg, width: 0, height: 0, timestamp: timestamp, sequence: sequence, origin: path,
            storage: buffer, byteCount: count)
    }

    /// Writes `bytes` to `path` atomically: to a temporary file beside it, flushed, then renamed
    /// over the target. A failure leaves no partial file behind.
    public static func writeAtomically(_ path: String, _ bytes: UnsafeRawBufferPointer) throws(FileError) {
        let temp = path + ".tmp-\(getpid())"
        let fd = open(temp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw FileError(path: path, operation: "create", errno: errno) }
        var failure: FileError?
        var done = 0
        while done < bytes.count {
            let n = write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                failure = FileError(path: path, operation: "write", errno: errno)
                break
            }
            done += n
        }
        if failure == nil, fsync(fd) != 0 { failure = FileError(path: path, operation: "sync", errno: errno) }
        close(fd)
        if failure == nil, rename(temp, path) != 0 { failure = FileError(path: path, operation: "rename into place", errno: errno) }
        if let failure {
            unlink(temp)
            throw failure
        }
    }

    public static func writeAtomically(_ path: String, _ bytes: [UInt8]) throws(FileError) {
        let result: Result<Void, FileError> = bytes.withUnsafeBytes { raw in
            Result { () throws(FileError) in try writeAtomically(path, raw) }
        }
        try result.get()
    }
}
