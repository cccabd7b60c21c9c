#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Why a file could not be opened, read, written or synced: the path, what was being done,
/// and the system's reason. The one file error of Sightline: Capture's and Actions' errors
/// wrap it rather than repeating its fields.
public struct FileError: Error, Equatable, Sendable, CustomStringConvertible {
    /// The file (or `standard output`).
    public var path: String
    /// What was being done, as a verb phrase: `open`, `create`, `write an event`, `sync`.
    public var operation: String
    /// The `errno` value.
    public var errno: Int32

    /// A file error for `path`.
    public init(path: String, operation: String, errno: Int32) { (self.path, self.operation, self.errno) = (path, operation, errno) }

    /// `frames/a.jpg: cannot open: No such file or directory (ENOENT)`.
    public var description: String { "\(path): cannot \(operation): \(Errno(errno))" }
}

/// An open file, in the style of swift-system's `FileDescriptor`: a small value over the raw
/// descriptor that remembers the path it names in errors.
///
/// Every file Sightline reads or writes whole goes through here: ``open(_:_:options:permissions:operation:)``,
/// ``readAll(into:limit:)``, ``writeAll(_:operation:)`` (retrying `EINTR` and short writes),
/// ``sync(operation:)`` and ``close()``. A failure is a ``FileError`` naming the path and the
/// operation. Checks on what a path is (a regular file, a size limit) belong here too, so that
/// every reader gets them: see ``Expectation``.
///
/// The value does not close itself: its owner calls ``close()`` once (a copy names the same
/// descriptor).
public struct FileDescriptor: Sendable, Hashable {
    /// The raw descriptor.
    public let rawValue: Int32
    /// The path (or a label such as `standard output`) errors name.
    public let path: String

    /// Wraps a descriptor opened elsewhere.
    public init(rawValue: Int32, path: String) {
        self.rawValue = rawValue
        self.path = path
    }

    /// Standard output, named `standard output` in errors; never closed by Sightline.
    public static let standardOutput = FileDescriptor(rawValue: STDOUT_FILENO, path: "standard output")

    /// How a file is opened.
    public enum AccessMode: Sendable {
        case readOnly
        case writeOnly
        case readWrite

        var flags: Int32 {
            switch self {
            case .readOnly: return O_RDONLY
            case .writeOnly: return O_WRONLY
            case .readWrite: return O_RDWR
            }
        }
    }

    /// Flags beyond the access mode (`O_CLOEXEC` is always set).
    public struct OpenOptions: OptionSet, Sendable {
        public let rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }
        /// Create the file if it does not exist.
        public static let create = OpenOptions(rawValue: O_CREAT)
        /// With `create`: fail if it exists (never overwrite a recording).
        public static let exclusiveCreate = OpenOptions(rawValue: O_CREAT | O_EXCL)
        /// Truncate it to nothing.
        public static let truncate = OpenOptions(rawValue: O_TRUNC)
        /// Every write goes to the end.
        public static let append = OpenOptions(rawValue: O_APPEND)
        /// Do not block in `open` or later calls: opening a FIFO for reading returns at once
        /// instead of waiting for a writer. Regular files ignore it. Every input file is opened
        /// with it, so that a FIFO or device named like an input is refused (``Expectation``)
        /// rather than waited on forever.
        public static let nonBlocking = OpenOptions(rawValue: O_NONBLOCK)
    }

    /// What a file opened for reading must be. Checked on the open descriptor (`fstat`), so the
    /// answer is about the file actually read.
    public enum Expectation: Sendable {
        /// Anything the system opens (a device, a FIFO).
        case any
        /// A regular file (a directory is refused with `EISDIR`, a FIFO, socket or device with
        /// `EINVAL`, each named in the operation).
        case regularFile
    }

    /// Opens `path`. `operation` names the attempt in the error (`create`, `open for appending`).
    public static func open(
        _ path: String, _ mode: AccessMode, options: OpenOptions = [], permissions: UInt32 = 0o644,
        operation: String = "open"
    ) throws(FileError) -> FileDescriptor {
        // withCString: passing the String itself would build a C copy on the heap (utf8CString).
        let fd = path.withCString { systemOpen($0, mode.flags | options.rawValue | O_CLOEXEC, mode_t(permissions)) }
        guard fd >= 0 else { throw FileError(path: path, operation: operation, errno: errno) }
        return FileDescriptor(rawValue: fd, path: path)
    }

    /// Checks what the open file is, as `expectation` asks.
    public func check(_ expectation: Expectation) throws(FileError) { try check(expectation, status()) }

    private func check(_ expectation: Expectation, _ st: stat) throws(FileError) {
        guard expectation == .regularFile else { return }
        switch st.st_mode & S_IFMT {
        case S_IFREG: return
        case S_IFDIR: throw FileError(path: path, operation: "read a directory as a regular file", errno: EISDIR)
        case S_IFIFO: throw FileError(path: path, operation: "read a FIFO as a regular file", errno: EINVAL)
        case S_IFCHR, S_IFBLK: throw FileError(path: path, operation: "read a device as a regular file", errno: EINVAL)
        default: throw FileError(path: path, operation: "read it as a regular file", errno: EINVAL)
        }
    }

    /// `fstat(2)`.
    private func status() throws(FileError) -> stat {
        var st = stat()
        guard fstat(rawValue, &st) == 0 else { throw FileError(path: path, operation: "stat", errno: errno) }
        return st
    }

    /// Reads the whole (regular) file into `buffer`, grown as needed, and returns the byte count.
    /// A file larger than `limit` is refused before reading; one that shrinks while it is read
    /// gives what was there.
    @discardableResult
    public func readAll(into buffer: ImageBuffer, limit: Int = 1 << 30) throws(FileError) -> Int {
        let st = try status()
        try check(.regularFile, st)
        let size = Int(st.st_size)
        guard size <= limit else { throw FileError(path: path, operation: "read (file too large)", errno: EFBIG) }
        buffer.reserve(size)
        var done = 0
        while done < size {
            let n = systemRead(rawValue, buffer.pointer + done, size - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw FileError(path: path, operation: "read", errno: errno)
            }
            if n == 0 { break }  // the file shrank while reading
            done += n
        }
        return done
    }

    /// Writes all of `bytes`, retrying `EINTR` and short writes. `operation` names the write in
    /// the error (`write an event`).
    public func writeAll(_ bytes: UnsafeRawBufferPointer, operation: String = "write") throws(FileError) {
        var done = 0
        while done < bytes.count {
            let n = systemWrite(rawValue, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw FileError(path: path, operation: operation, errno: errno)
            }
            done += n
        }
    }

    /// Writes all of `bytes` (see ``writeAll(_:operation:)-(UnsafeRawBufferPointer,_)``).
    public func writeAll(_ bytes: [UInt8], operation: String = "write") throws(FileError) {
        let result: Result<Void, FileError> = bytes.withUnsafeBytes { raw in
            Result { () throws(FileError) in try writeAll(raw, operation: operation) }
        }
        try result.get()
    }

    /// Flushes what was written to the disk (`fsync`). With `unsyncable` `.ignored`, a
    /// descriptor that cannot be synced (a character device or pipe such as `/dev/null`
    /// answers `EINVAL`: nothing to make durable) is not a failure.
    public func sync(operation: String = "sync", unsyncable: UnsyncablePolicy = .failure) throws(FileError) {
        guard fsync(rawValue) != 0 else { return }
        let e = errno
        if e == EINVAL, unsyncable == .ignored { return }
        throw FileError(path: path, operation: operation, errno: e)
    }

    /// What ``sync(operation:unsyncable:)`` makes of a descriptor that cannot be synced.
    public enum UnsyncablePolicy: Sendable {
        case failure
        case ignored
    }

    /// Closes the descriptor. `EINTR` is not retried: on Linux the descriptor is already gone.
    public func close() throws(FileError) {
        guard systemClose(rawValue) != 0 else { return }
        let e = errno
        if e == EINTR { return }
        throw FileError(path: path, operation: "close", errno: e)
    }
}

// The C calls under other names, so that the methods above (open, close …) do not shadow them.
private func systemOpen(_ path: UnsafePointer<CChar>, _ flags: Int32, _ mode: mode_t) -> Int32 { open(path, flags, mode) }
private func systemRead(_ fd: Int32, _ p: UnsafeMutableRawPointer, _ n: Int) -> Int { read(fd, p, n) }
private func systemWrite(_ fd: Int32, _ p: UnsafeRawPointer, _ n: Int) -> Int { write(fd, p, n) }
private func systemClose(_ fd: Int32) -> Int32 { close(fd) }

/// Whole-file helpers over ``FileDescriptor`` for frames and outputs.
public enum FileIO {
    /// Opens an input file for reading: without blocking (a FIFO does not wait for a writer)
    /// and checked to be a regular file (a directory, FIFO or device is refused, see
    /// ``FileDescriptor/Expectation/regularFile``).
    /// The caller closes it.
    public static func openInput(_ path: String) throws(FileError) -> FileDescriptor {
        let fd = try FileDescriptor.open(path, .readOnly, options: .nonBlocking)
        do { try fd.check(.regularFile) } catch {
            try? fd.close()
            throw error
        }
        return fd
    }

    /// Checks that `path` is a regular file that can be opened for reading, without blocking
    /// (see ``openInput(_:)``), for readers that open the file themselves afterwards.
    public static func checkInput(_ path: String) throws(FileError) {
        let fd = try openInput(path)
        try? fd.close()
    }

    /// The names in `directory` (without `.` and `..`), in the order the system lists them.
    ///
    /// Each name is read in place, up to its NUL, from the entry `readdir` returns: the entry is
    /// only as long as its name (`d_reclen`), so copying `d_name` out as the whole 256-byte array
    /// reads past the end of the last entry in the directory buffer (AddressSanitizer found it).
    public static func names(in directory: String) throws(FileError) -> [String] {
        guard let dir = opendir(directory) else {
            throw FileError(path: directory, operation: "open directory", errno: errno)
        }
        defer { closedir(dir) }
        let nameOffset = MemoryLayout<dirent>.offset(of: \dirent.d_name)!
        var names: [String] = []
        while let entry = readdir(dir) {
            let name = String(cString: (UnsafeRawPointer(entry) + nameOffset).assumingMemoryBound(to: CChar.self))
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Reads a whole regular file into `buffer` (grown as needed) and returns the byte count.
    /// Files larger than `limit` are refused before reading; a path that is not a regular file
    /// (a FIFO, a device, a directory) is refused without blocking.
    @discardableResult
    public static func read(_ path: String, into buffer: ImageBuffer, limit: Int = 1 << 30) throws(FileError) -> Int {
        let fd = try openInput(path)
        defer { try? fd.close() }
        return try fd.readAll(into: buffer, limit: limit)
    }

    /// Reads a whole regular input file (see ``read(_:into:limit:)``) as bytes.
    public static func readBytes(_ path: String, limit: Int = 1 << 30) throws(FileError) -> [UInt8] {
        let buffer = ImageBuffer()
        let count = try read(path, into: buffer, limit: limit)
        return Array(UnsafeRawBufferPointer(start: buffer.pointer, count: count))
    }

    /// Reads a whole file as a compressed (JPEG) frame.
    public static func readJPEGFrame(_ path: String, sequence: UInt64 = 0, timestamp: Timestamp = .now()) throws -> Frame {
        let buffer = ImageBuffer()
        let count = try read(path, into: buffer)
        return try Frame(
            format: .mjpeg, width: 0, height: 0, timestamp: timestamp, sequence: sequence, origin: path,
            storage: buffer, byteCount: count)
    }

    /// Reads a whole file as one raw frame of `format` and size (checked to hold enough bytes).
    public static func readRawFrame(_ path: String, format: PixelFormat, width: Int, height: Int) throws -> Frame {
        let buffer = ImageBuffer()
        let count = try read(path, into: buffer)
        return try Frame(format: format, width: width, height: height, origin: path, storage: buffer, byteCount: count)
    }

    /// Writes `bytes` to `path` atomically: to a temporary file beside it, flushed, then renamed
    /// over the target. A failure leaves no partial file behind.
    ///
    /// A target that exists and is not a regular file (a device such as `/dev/null` or
    /// `/dev/full`, a FIFO) is written to directly: renaming over it would replace the device
    /// with a file. Its failures (`ENOSPC` from `/dev/full`) are errors like any other.
    public static func writeAtomically(_ path: String, _ bytes: UnsafeRawBufferPointer) throws(FileError) {
        var st = stat()
        if stat(path, &st) == 0, (st.st_mode & S_IFMT) != S_IFREG, (st.st_mode & S_IFMT) != S_IFDIR {
            let fd = try FileDescriptor.open(path, .writeOnly)
            defer { try? fd.close() }
            try fd.writeAll(bytes)
            try fd.sync(unsyncable: .ignored)
            return
        }
        let temp = path + ".tmp-\(getpid())"
        let fd: FileDescriptor
        do { fd = try FileDescriptor.open(temp, .writeOnly, options: [.create, .truncate], operation: "create") } catch {
            throw FileError(path: path, operation: error.operation, errno: error.errno)
        }
        var failure: FileError?
        do {
            try fd.writeAll(bytes)
            try fd.sync()
        } catch {
            failure = FileError(path: path, operation: error.operation, errno: error.errno)
        }
        try? fd.close()
        if failure == nil, rename(temp, path) != 0 { failure = FileError(path: path, operation: "rename into place", errno: errno) }
        if let failure {
            unlink(temp)
            throw failure
        }
    }

    /// Writes `bytes` to `path` atomically (see ``writeAtomically(_:_:)-(String,UnsafeRawBufferPointer)``).
    public static func writeAtomically(_ path: String, _ bytes: [UInt8]) throws(FileError) {
        let result: Result<Void, FileError> = bytes.withUnsafeBytes { raw in
            Result { () throws(FileError) in try writeAtomically(path, raw) }
        }
        try result.get()
    }
}
