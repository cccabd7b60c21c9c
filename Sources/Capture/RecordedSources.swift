public import Logging
public import SightlineCore

#if canImport(Glibc)
    import Glibc
#endif

/// What a recorded source does with a damaged frame.
public enum CorruptFramePolicy: String, Sendable, CaseIterable {
    /// Report it (``RecordedSource/skippedFrames``, and a warning in the log) and go on.
    case skip
    /// Throw ``CaptureError/corruptFrame(origin:index:detail:)`` and end the run.
    case stop
}

/// How fast a recording is replayed.
public enum ReplayPace: String, Sendable, CaseIterable {
    /// Each frame as soon as it is asked for (tests, batch processing).
    case asFastAsPulled = "fast"
    /// Frames spaced like their timestamps, as the camera delivered them.
    case realTime = "realtime"
}

/// The timestamps file that travels with a recording.
///
/// A UTF-8 text file, one frame a line, three whitespace-separated columns:
///
///     # sightline-frames v1
///     # frame	timestamp_ns	sequence
///     frame-000000.jpg	81234567000	0
///     frame-000001.jpg	81274567000	1
///
/// `frame` is a file name in the directory (for a directory of JPEGs) or the frame's index
/// from 0 (for an MJPEG stream file); `timestamp_ns` is the capture time in nanoseconds on the
/// monotonic clock; `sequence` is the camera's frame counter (gaps are frames the camera
/// dropped). Lines starting with `#` and blank lines are ignored. A directory's sidecar is
/// `DIR/frames.tsv`; an MJPEG file's is `FILE.tsv` beside it.
public struct Sidecar: Sendable, Equatable {
    public struct Entry: Sendable, Equatable {
        public var frame: String
        public var timestamp: Timestamp
        public var sequence: UInt64
        public init(frame: String, timestamp: Timestamp, sequence: UInt64) {
            (self.frame, self.timestamp, self.sequence) = (frame, timestamp, sequence)
        }
    }

    public var entries: [Entry]

    public static let fileNameInDirectory = "frames.tsv"
    public static let header = "# sightline-frames v1\n# frame\ttimestamp_ns\tsequence\n"

    public init(entries: [Entry]) { self.entries = entries }

    /// The line for one frame.
    public static func line(_ e: Entry) -> String { "\(e.frame)\t\(e.timestamp.nanoseconds)\t\(e.sequence)\n" }

    /// Parses a sidecar's text; `path` names it in errors.
    public static func parse(_ text: String, path: String) throws(CaptureError) -> Sidecar {
        var entries: [Entry] = []
        var lineNumber = 0
        for line in text.split(separator: "\n", omittingEmptySubsequences: false) {
            lineNumber += 1
            let trimmed = line.drop { $0 == " " || $0 == "\t" }
            if trimmed.isEmpty || trimmed.hasPrefix("#") { continue }
            let fields = trimmed.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            guard fields.count == 3 else {
                throw .badSidecar(
                    path: path, line: lineNumber, detail: "expected 3 fields (frame, timestamp_ns, sequence), found \(fields.count)")
            }
            guard let ns = UInt64(fields[1]) else {
                throw .badSidecar(path: path, line: lineNumber, detail: "timestamp '\(fields[1])' is not a whole number of nanoseconds")
            }
            guard let seq = UInt64(fields[2]) else {
                throw .badSidecar(path: path, line: lineNumber, detail: "sequence '\(fields[2])' is not a whole number")
            }
            entries.append(Entry(frame: String(fields[0]), timestamp: Timestamp(nanoseconds: ns), sequence: seq))
        }
        return Sidecar(entries: entries)
    }

    /// Reads `path`; nil when there is no such file.
    public static func load(_ path: String) throws(CaptureError) -> Sidecar? {
        guard access(path, F_OK) == 0 else { return nil }
        let buffer = ImageBuffer()
        let n: Int
        do { n = try FileIO.read(path, into: buffer, limit: 64 << 20) } catch { throw .file(error) }
        let text = String(decoding: UnsafeRawBufferPointer(start: buffer.pointer, count: n), as: UTF8.self)
        return try parse(text, path: path)
    }
}

/// A frame's bytes inside a larger buffer (one frame of an MJPEG file kept in memory).
final class SliceStorage: FrameStorage, @unchecked Sendable {
    let owner: ImageBuffer
    let bytes: UnsafeRawBufferPointer
    init(owner: ImageBuffer, range: Range<Int>) {
        self.owner = owner
        bytes = UnsafeRawBufferPointer(rebasing: owner.bytes[range])
    }
}

/// Shared machinery of recorded sources: timestamps, pacing, the corrupt-frame policy.
///
/// Recorded sources deliver every frame, in order, with the exact bytes recorded. Timestamps
/// and sequence numbers come from the sidecar when there is one, else frame `i` is stamped
/// `i / fps` seconds and numbered `i`. A damaged frame is reported with its index (counting
/// every frame in the recording from 0, damaged ones included).
public class RecordedSource: @unchecked Sendable {
    public let name: String
    public let fps: Double
    public let policy: CorruptFramePolicy
    public let pace: ReplayPace
    let logger: Logger?
    let lock = Lock()
    var index = 0
    var stopped = false
    private var paceStart: (wall: Timestamp, frame: Timestamp)?
    private var lastPaced: Timestamp?

    /// The longest pause a real-time replay makes between two frames, in seconds. A longer gap
    /// between recorded timestamps (a recording paused, or a damaged sidecar: 10^18 ns) is
    /// replayed as this pause, and a timestamp that goes back restarts the pacing at once.
    public static let maximumPause = 5.0
    private var skipped: [SkippedFrame] = []

    init(name: String, fps: Double, policy: CorruptFramePolicy, pace: ReplayPace, logger: Logger?) {
        self.name = name
        self.fps = fps > 0 && fps <= 1000 ? fps : 25
        self.policy = policy
        self.pace = pace
        self.logger = logger
    }

    /// The damaged frames skipped so far (``CorruptFramePolicy/skip``), by index.
    public var skippedFrames: [SkippedFrame] { lock.withLock { skipped } }

    /// Recorded timestamps are the recording's own.
    public var clock: FrameClock { .recording }

    /// A recording is not live, even when replayed in real time: it delivers every frame.
    public var isLive: Bool { false }

    /// The damaged frames skipped; a recording drops nothing.
    public var statistics: SourceStatistics { SourceStatistics(skippedFrames: skippedFrames) }

    /// Ends the replay: ``next()`` returns nil from now on.
    public func stop() { lock.withLock { stopped = true } }

    /// The timestamp for frame `i` without a sidecar.
    func syntheticTimestamp(_ i: Int) -> Timestamp { Timestamp(nanoseconds: UInt64((Double(i) * 1e9 / fps).rounded())) }

    /// Applies the policy to damaged frame `i`: throws for `.stop`, records it for `.skip`.
    func damaged(_ i: Int, _ detail: String, origin: String) throws(CaptureError) {
        let error = CaptureError.corruptFrame(origin: origin, index: i, detail: detail)
        switch policy {
        case .stop:
            throw error
        case .skip:
            lock.withLock { skipped.append(SkippedFrame(index: i, detail: detail)) }
            logger?.warning("\(error); skipped")
        }
    }

    /// Sleeps so that frames come out spaced like their timestamps (``ReplayPace/realTime``).
    func pace(_ timestamp: Timestamp) {
        guard pace == .realTime else { return }
        let cap = UInt64(Self.maximumPause * 1e9)
        defer { lastPaced = timestamp }
        guard let start = paceStart, let last = lastPaced, timestamp.nanoseconds >= last.nanoseconds,
            timestamp.nanoseconds - last.nanoseconds <= cap
        else {
            // The first frame, a step back or a gap beyond the cap: pause at most the cap, and
            // frames are due from here on.
            if let previous = lastPaced, timestamp.nanoseconds > previous.nanoseconds { usleep(UInt32(cap / 1000)) }
            paceStart = (Timestamp.now(), timestamp)
            return
        }
        let now = Timestamp.now()
        let due = start.wall.nanoseconds &+ (timestamp.nanoseconds - start.frame.nanoseconds)
        if due > now.nanoseconds { usleep(UInt32(min((due - now.nanoseconds) / 1000, cap / 1000))) }
    }
}

/// A directory of JPEG files replayed as frames, in order of file name (byte-wise), with
/// timestamps from `DIR/frames.tsv` if present (see ``Sidecar``) or from a frame rate.
public final class JPEGDirectorySource: RecordedSource, FrameSource, @unchecked Sendable {
    /// The JPEG files, sorted.
    public let files: [String]
    public let sidecar: Sidecar?
    /// Each file's sidecar entry, by index (nil without a sidecar).
    private let entries: [Sidecar.Entry?]
    /// File buffers reused once no frame holds them any more, so a steady replay allocates
    /// nothing per frame (see ``BufferPool``).
    private var pool = BufferPool()

    /// Lists `directory`'s `.jpg`/`.jpeg` files (any case). With `sidecar` nil, uses
    /// `DIR/frames.tsv` when it exists; every file must then have a line in it.
    public init(
        directory: String, fps: Double = 25, sidecar: String? = nil, policy: CorruptFramePolicy = .stop,
        pace: ReplayPace = .asFastAsPulled, logger: Logger? = nil
    ) throws(CaptureError) {
        var names: [String]
        do { names = try FileIO.names(in: directory) } catch { throw .file(error) }
        names.removeAll { name in
            let lower = name.lowercased()
            return name.hasPrefix(".") || !(lower.hasSuffix(".jpg") || lower.hasSuffix(".jpeg"))
        }
        names.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        guard !names.isEmpty else { throw .noFrames(origin: directory) }
        let sidecarPath = sidecar ?? directory + "/" + Sidecar.fileNameInDirectory
        let loaded = try Sidecar.load(sidecarPath)
        if sidecar != nil, loaded == nil {
            throw .file(FileError(path: sidecarPath, operation: "open", errno: ENOENT))
        }
        var map: [String: Sidecar.Entry] = [:]
        if let loaded {
            for e in loaded.entries { map[e.frame] = e }
            if let missing = names.first(where: { map[$0] == nil }) {
                throw .badSidecar(path: sidecarPath, line: 0, detail: "no timestamp for \(missing)")
            }
        }
        files = names.map { directory + "/" + $0 }
        self.sidecar = loaded
        entries = names.map { map[$0] }
        super.init(name: directory, fps: fps, policy: policy, pace: pace, logger: logger)
    }

    public func next() throws(CaptureError) -> Frame? {
        while true {
            let i: Int? = lock.withLock {
                guard !stopped, index < files.count else { return nil }
                defer { index += 1 }
                return index
            }
            guard let i else { return nil }
            let path = files[i]
            let buffer = lock.withLock { pool.take() }
            let count: Int
            do { count = try FileIO.read(path, into: buffer) } catch {
                try damaged(i, error.description, origin: path)
                continue
            }
            let bytes = UnsafeRawBufferPointer(start: buffer.pointer, count: count)
            switch JPEGStreamScanner.scan(bytes, at: 0) {
            case let .corrupt(_, _, detail):
                try damaged(i, detail, origin: path)
                continue
            case let .frame(_, width, height):
                let entry = entries[i]
                let timestamp = entry?.timestamp ?? syntheticTimestamp(i)
                pace(timestamp)
                do {
                    return try Frame(
                        format: .mjpeg, width: width, height: height, timestamp: timestamp,
                        sequence: entry?.sequence ?? UInt64(i), origin: path, storage: buffer, byteCount: count)
                } catch { throw .invalidFrame(error) }
            }
        }
    }
}

/// A few ``ImageBuffer``s handed out again once nobody else holds them (a frame released, its
/// buffer free): a replay with a bounded number of frames in flight stops allocating.
struct BufferPool {
    private var buffers: [ImageBuffer] = []

    /// A buffer no frame holds, made when every pooled one is still in use.
    mutating func take() -> ImageBuffer {
        for i in buffers.indices where isKnownUniquelyReferenced(&buffers[i]) { return buffers[i] }
        let made = ImageBuffer()
        if buffers.count < 16 { buffers.append(made) }
        return made
    }
}

/// One image file as a source of `count` identical frames (default 1), `1/fps` apart.
public final class ImageFileSource: RecordedSource, FrameSource, @unchecked Sendable {
    public let path: String
    public let count: Int
    private let buffer = ImageBuffer()
    private let byteCount: Int
    private let size: (Int, Int)

    public init(path: String, count: Int = 1, fps: Double = 25, logger: Logger? = nil) throws(CaptureError) {
        self.path = path
        self.count = max(1, count)
        do { byteCount = try FileIO.read(path, into: buffer) } catch { throw .file(error) }
        switch JPEGStreamScanner.scan(UnsafeRawBufferPointer(start: buffer.pointer, count: byteCount), at: 0) {
        case let .corrupt(_, _, detail): throw .corruptFrame(origin: path, index: 0, detail: detail)
        case let .frame(_, w, h): size = (w, h)
        }
        super.init(name: path, fps: fps, policy: .stop, pace: .asFastAsPulled, logger: logger)
    }

    public func next() throws(CaptureError) -> Frame? {
        let i: Int? = lock.withLock {
            guard !stopped, index < count else { return nil }
            defer { index += 1 }
            return index
        }
        guard let i else { return nil }
        do {
            return try Frame(
                format: .mjpeg, width: size.0, height: size.1, timestamp: syntheticTimestamp(i), sequence: UInt64(i),
                origin: path, storage: buffer, byteCount: byteCount)
        } catch { throw .invalidFrame(error) }
    }
}

/// An MJPEG stream file (concatenated JPEGs, as `ffmpeg -f mjpeg` or `sightline record`
/// writes) replayed frame by frame. The file is read into memory once; frames borrow slices
/// of it, so replay copies nothing. Frames are split by ``JPEGStreamScanner``. Timestamps come
/// from `FILE.tsv` if present (``Sidecar``, frames named by index), else from the frame rate.
public final class MJPEGFileSource: RecordedSource, FrameSource, @unchecked Sendable {
    public let path: String
    public let sidecar: Sidecar?
    private let sidecarPath: String
    private let buffer = ImageBuffer()
    private let byteCount: Int
    private var scanner: JPEGStreamScanner

    public init(
        path: String, fps: Double = 25, sidecar: String? = nil, policy: CorruptFramePolicy = .stop,
        pace: ReplayPace = .asFastAsPulled, logger: Logger? = nil
    ) throws(CaptureError) {
        self.path = path
        do { byteCount = try FileIO.read(path, into: buffer) } catch { throw .file(error) }
        guard byteCount > 0 else { throw .noFrames(origin: path) }
        let sidecarPath = sidecar ?? path + ".tsv"
        let loaded = try Sidecar.load(sidecarPath)
        if sidecar != nil, loaded == nil {
            throw .file(FileError(path: sidecarPath, operation: "open", errno: ENOENT))
        }
        if let loaded {
            for (i, e) in loaded.entries.enumerated() where e.frame != String(i) {
                throw .badSidecar(
                    path: sidecarPath, line: 0,
                    detail: "entry \(i) names frame '\(e.frame)'; an MJPEG sidecar lists frames 0, 1, 2 … in order")
            }
        }
        self.sidecar = loaded
        self.sidecarPath = sidecarPath
        scanner = JPEGStreamScanner(UnsafeRawBufferPointer(start: buffer.pointer, count: byteCount))
        super.init(name: path, fps: fps, policy: policy, pace: pace, logger: logger)
    }

    /// Frames and damaged regions in the file (scans it; replay position is not affected).
    public var itemCount: Int {
        var s = JPEGStreamScanner(UnsafeRawBufferPointer(start: buffer.pointer, count: byteCount))
        var n = 0
        while s.next() != nil { n += 1 }
        return n
    }

    public func next() throws(CaptureError) -> Frame? {
        while true {
            lock.lock()
            guard !stopped, let item = scanner.next() else {
                lock.unlock()
                return nil
            }
            let i = index
            index += 1
            lock.unlock()
            switch item {
            case let .corrupt(range, _, detail):
                try damaged(i, "\(detail) (bytes \(range.lowerBound)..<\(range.upperBound))", origin: path)
            case let .frame(range, width, height):
                var timestamp = syntheticTimestamp(i)
                var sequence = UInt64(i)
                if let sidecar {
                    guard i < sidecar.entries.count else {
                        throw .badSidecar(path: sidecarPath, line: 0, detail: "no timestamp for frame \(i)")
                    }
                    timestamp = sidecar.entries[i].timestamp
                    sequence = sidecar.entries[i].sequence
                }
                pace(timestamp)
                do {
                    return try Frame(
                        format: .mjpeg, width: width, height: height, timestamp: timestamp, sequence: sequence,
                        origin: "\(path)#\(i)", storage: SliceStorage(owner: buffer, range: range))
                } catch { throw .invalidFrame(error) }
            }
        }
    }
}

/// Opening a recording by its path.
public enum RecordedSources {
    /// A directory → ``JPEGDirectorySource``; a file whose name ends in `.mjpeg`/`.mjpg` or
    /// that holds more than one JPEG → ``MJPEGFileSource``; any other file → ``ImageFileSource``.
    public static func open(
        _ path: String, fps: Double = 25, policy: CorruptFramePolicy = .stop, pace: ReplayPace = .asFastAsPulled,
        logger: Logger? = nil
    ) throws(CaptureError) -> any FrameSource {
        var st = stat()
        guard stat(path, &st) == 0 else { throw .file(FileError(path: path, operation: "open", errno: errno)) }
        if (st.st_mode & S_IFMT) == S_IFDIR {
            return try JPEGDirectorySource(directory: path, fps: fps, policy: policy, pace: pace, logger: logger)
        }
        let lower = path.lowercased()
        if lower.hasSuffix(".mjpeg") || lower.hasSuffix(".mjpg") {
            return try MJPEGFileSource(path: path, fps: fps, policy: policy, pace: pace, logger: logger)
        }
        let mjpeg = try MJPEGFileSource(path: path, fps: fps, policy: policy, pace: pace, logger: logger)
        if mjpeg.itemCount > 1 { return mjpeg }
        return try ImageFileSource(path: path, fps: fps, logger: logger)
    }
}
