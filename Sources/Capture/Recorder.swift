public import SightlineCore

#if canImport(Glibc)
    import Glibc
#endif

/// Writes JPEG frames so they can be replayed by ``JPEGDirectorySource`` or
/// ``MJPEGFileSource``, with a ``Sidecar`` of timestamps and sequence numbers.
///
/// Each frame is written as soon as it is appended, and its sidecar line right after, so a
/// run that is interrupted keeps everything recorded up to then. ``finish()`` flushes both to
/// disk (`fsync`).
public final class FrameRecorder {
    public enum Container: String, Sendable, CaseIterable {
        /// `OUT/frame-000000.jpg`, `frame-000001.jpg` … and `OUT/frames.tsv`.
        case directory
        /// One file of concatenated JPEGs, `OUT`, and `OUT.tsv`.
        case mjpeg
    }

    public let path: String
    public let container: Container
    public let sidecarPath: String
    public private(set) var framesWritten = 0
    public private(set) var bytesWritten = 0
    private var dataFD: Int32 = -1
    private var sidecarFD: Int32 = -1

    /// Creates `path` (a new directory, or a new file for `.mjpeg`). Refuses to overwrite an
    /// existing recording.
    public init(path: String, container: Container) throws(CaptureError) {
        self.path = path
        self.container = container
        switch container {
        case .directory:
            if mkdir(path, 0o755) != 0 {
                let e = errno
                // An existing empty directory is fine.
                guard e == EEXIST, Self.isEmptyDirectory(path) else {
                    throw .io(path: path, operation: e == EEXIST ? "record into (not an empty directory)" : "create directory", errno: e)
                }
            }
            sidecarPath = path + "/" + Sidecar.fileNameInDirectory
        case .mjpeg:
            dataFD = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            guard dataFD >= 0 else { throw .io(path: path, operation: "create", errno: errno) }
            sidecarPath = path + ".tsv"
        }
        sidecarFD = open(sidecarPath, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard sidecarFD >= 0 else {
            let e = errno
            if dataFD >= 0 { close(dataFD) }
            throw .io(path: sidecarPath, operation: "create", errno: e)
        }
        try Self.writeAll(sidecarFD, Array(Sidecar.header.utf8), path: sidecarPath)
    }

    deinit {
        if dataFD >= 0 { close(dataFD) }
        if sidecarFD >= 0 { close(sidecarFD) }
    }

    private static func isEmptyDirectory(_ path: String) -> Bool {
        guard let d = opendir(path) else { return false }
        defer { closedir(d) }
        while let e = readdir(d) {
            let name = withUnsafeBytes(of: e.pointee.d_name) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            if name != "." && name != ".." { return false }
        }
        return true
    }

    private static func writeAll(_ fd: Int32, _ bytes: UnsafeRawBufferPointer, path: String) throws(CaptureError) {
        var done = 0
        while done < bytes.count {
            let n = write(fd, bytes.baseAddress! + done, bytes.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw .io(path: path, operation: "write", errno: errno)
            }
            done += n
        }
    }

    private static func writeAll(_ fd: Int32, _ bytes: [UInt8], path: String) throws(CaptureError) {
        let result = bytes.withUnsafeBytes { raw -> Result<Void, CaptureError> in
            do throws(CaptureError) { try writeAll(fd, raw, path: path) } catch { return .failure(error) }
            return .success(())
        }
        try result.get()
    }

    /// The file name frame `i` gets in a directory recording.
    public static func fileName(_ i: Int) -> String {
        let digits = String(i)
        return "frame-" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits + ".jpg"
    }

    /// Appends one JPEG with its capture time and sequence number.
    public func append(jpeg: UnsafeRawBufferPointer, timestamp: Timestamp, sequence: UInt64) throws(CaptureError) {
        guard sidecarFD >= 0 else { throw .misuse("\(path): recording already finished") }
        let frameName: String
        switch container {
        case .directory:
            frameName = Self.fileName(framesWritten)
            let file = path + "/" + frameName
            let fd = open(file, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
            guard fd >= 0 else { throw .io(path: file, operation: "create", errno: errno) }
            defer { close(fd) }
            try Self.writeAll(fd, jpeg, path: file)
        case .mjpeg:
            frameName = String(framesWritten)
            try Self.writeAll(dataFD, jpeg, path: path)
        }
        let line = Sidecar.line(Sidecar.Entry(frame: frameName, timestamp: timestamp, sequence: sequence))
        try Self.writeAll(sidecarFD, Array(line.utf8), path: sidecarPath)
        framesWritten += 1
        bytesWritten += jpeg.count
    }

    /// Appends one JPEG held in an array.
    public func append(jpeg: [UInt8], timestamp: Timestamp, sequence: UInt64) throws(CaptureError) {
        let result = jpeg.withUnsafeBytes { raw -> Result<Void, CaptureError> in
            do throws(CaptureError) { try append(jpeg: raw, timestamp: timestamp, sequence: sequence) } catch {
                return .failure(error)
            }
            return .success(())
        }
        try result.get()
    }

    /// Appends a compressed (MJPEG) frame as it is.
    public func append(_ frame: Frame) throws(CaptureError) {
        guard frame.format == .mjpeg else {
            throw .misuse("\(frame.origin): only JPEG frames can be recorded as they are; encode \(frame.format) frames first")
        }
        try append(jpeg: frame.bytes, timestamp: frame.timestamp, sequence: frame.sequence)
    }

    /// Flushes the frames and the sidecar to disk and closes them.
    public func finish() throws(CaptureError) {
        var failure: CaptureError?
        if dataFD >= 0 {
            if fsync(dataFD) != 0 { failure = .io(path: path, operation: "sync", errno: errno) }
            close(dataFD)
            dataFD = -1
        }
        if sidecarFD >= 0 {
            if fsync(sidecarFD) != 0, failure == nil {
                failure = .io(path: sidecarPath, operation: "sync", errno: errno)
            }
            close(sidecarFD)
            sidecarFD = -1
        }
        if let failure { throw failure }
    }
}
