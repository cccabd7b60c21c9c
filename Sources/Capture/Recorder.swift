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

        /// The container a path asks for: `.mjpeg` for a name ending in .mjpeg or .mjpg, else a folder.
        public init(forPath path: String) {
            self = path.lowercased().hasSuffix(".mjpeg") || path.lowercased().hasSuffix(".mjpg") ? .mjpeg : .directory
        }
    }

    public let path: String
    public let container: Container
    public let sidecarPath: String
    public private(set) var framesWritten = 0
    public private(set) var bytesWritten = 0
    private var data: FileDescriptor?
    private var sidecar: FileDescriptor?

    /// Creates `path` (a new directory, or a new file for `.mjpeg`). Refuses to overwrite an
    /// existing recording.
    public init(path: String, container: Container) throws(CaptureError) {
        self.path = path
        self.container = container
        do throws(FileError) {
            switch container {
            case .directory:
                if mkdir(path, 0o755) != 0 {
                    let e = errno
                    // An existing empty directory is fine.
                    guard e == EEXIST, Self.isEmptyDirectory(path) else {
                        throw FileError(
                            path: path, operation: e == EEXIST ? "record into (not an empty directory)" : "create directory", errno: e)
                    }
                }
                sidecarPath = path + "/" + Sidecar.fileNameInDirectory
            case .mjpeg:
                data = try FileDescriptor.open(path, .writeOnly, options: .exclusiveCreate, operation: "create")
                sidecarPath = path + ".tsv"
            }
            do {
                let sidecar = try FileDescriptor.open(sidecarPath, .writeOnly, options: .exclusiveCreate, operation: "create")
                self.sidecar = sidecar
                try sidecar.writeAll(Array(Sidecar.header.utf8))
            } catch {
                try? data?.close()
                throw error
            }
        } catch { throw .file(error) }
    }

    deinit {
        try? data?.close()
        try? sidecar?.close()
    }

    private static func isEmptyDirectory(_ path: String) -> Bool {
        guard let names = try? FileIO.names(in: path) else { return false }
        return names.isEmpty
    }

    /// The file name frame `i` gets in a directory recording.
    public static func fileName(_ i: Int) -> String {
        let digits = String(i)
        return "frame-" + String(repeating: "0", count: max(0, 6 - digits.count)) + digits + ".jpg"
    }

    /// Appends one JPEG with its capture time and sequence number.
    public func append(jpeg: UnsafeRawBufferPointer, timestamp: Timestamp, sequence: UInt64) throws(CaptureError) {
        guard let sidecar else { throw .misuse("\(path): recording already finished") }
        let frameName: String
        do throws(FileError) {
            switch container {
            case .directory:
                frameName = Self.fileName(framesWritten)
                let file = try FileDescriptor.open(path + "/" + frameName, .writeOnly, options: .exclusiveCreate, operation: "create")
                defer { try? file.close() }
                try file.writeAll(jpeg)
            case .mjpeg:
                frameName = String(framesWritten)
                try data!.writeAll(jpeg)
            }
            let line = Sidecar.line(Sidecar.Entry(frame: frameName, timestamp: timestamp, sequence: sequence))
            try sidecar.writeAll(Array(line.utf8))
        } catch { throw .file(error) }
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

    /// Records up to `frames` frames from `source`: JPEG frames as they are, others through
    /// `encode`. Returns the error that ended it early, if any; what was written is kept (call
    /// ``finish()`` after).
    public func record(from source: any FrameSource, frames: Int, encode: (Frame) throws -> [UInt8]) -> (any Error)? {
        do {
            while framesWritten < frames, let frame = try source.next() {
                if frame.format == .mjpeg {
                    try append(frame)
                } else {
                    try append(jpeg: try encode(frame), timestamp: frame.timestamp, sequence: frame.sequence)
                }
            }
        } catch { return error }
        return nil
    }

    /// Flushes the frames and the sidecar to disk and closes them; the first failure is thrown
    /// after both were closed.
    public func finish() throws(CaptureError) {
        var failure: FileError?
        for file in [data, sidecar].compactMap({ $0 }) {
            do throws(FileError) { try file.sync() } catch { failure = failure ?? error }
            do throws(FileError) { try file.close() } catch { failure = failure ?? error }
        }
        data = nil
        sidecar = nil
        if let failure { throw .file(failure) }
    }
}

extension FrameRecorder {
    /// What `sightline record` says at the end: what was written, and what the camera captured and dropped.
    public func summary(camera s: CaptureStatistics) -> String {
        "wrote \(framesWritten) frames (\(bytesWritten) bytes) and \(sidecarPath); "
            + "camera: \(s.framesCaptured) captured, \(s.driverDrops) dropped by the driver, \(s.framesReplaced) skipped while writing"
    }
}
