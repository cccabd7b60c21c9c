public import SightlineCore

/// Anything that produces frames: a live camera or a recording.
///
/// The interface is a pull: ``next()`` blocks until a frame is there (use it from a plain
/// thread or a command-line tool), ``nextFrame()`` waits without blocking a thread of Swift's
/// cooperative pool, and ``frames`` wraps that in an `AsyncSequence`. Both return nil at the
/// end (a recording is exhausted, or the source was stopped) and throw a ``CaptureError``
/// that names the device or file when the source fails.
///
/// Live sources hand over the newest frame only (a slow consumer sees fresh frames, not a
/// backlog); recorded sources deliver every frame, in order.
public protocol FrameSource: AnyObject, Sendable {
    /// Names the source in messages: a device node or a path.
    var name: String { get }
    /// The clock frame timestamps are on: the process's monotonic clock for a camera, the
    /// recording's own for a recording.
    var clock: FrameClock { get }
    /// True for a live source (a camera): frames it cannot hand over are lost, not waiting.
    var isLive: Bool { get }
    /// What the source has counted so far: frames lost before delivery, damaged frames
    /// skipped, and a camera's session figures.
    var statistics: SourceStatistics { get }
    /// The next frame, blocking; nil at the end.
    func next() throws(CaptureError) -> Frame?
    /// The next frame, waiting asynchronously; nil at the end or when the task is cancelled.
    func nextFrame() async throws(CaptureError) -> Frame?
    /// Stops the source and releases what it holds. Idempotent.
    func stop()
}

extension FrameSource {
    /// Recorded sources read small files; doing that inline is cheaper than a thread hop.
    public func nextFrame() async throws(CaptureError) -> Frame? { try next() }

    /// The frames as an `AsyncSequence` (`for try await frame in source.frames { … }`).
    public var frames: FrameSequence { FrameSequence(source: self) }
}

/// The clock a source's frame timestamps are on.
public enum FrameClock: Sendable, Equatable {
    /// `CLOCK_MONOTONIC`, the clock of `Timestamp.now()`: latency can be measured from the
    /// frame's own timestamp.
    case monotonic
    /// A recording's timestamps, from another run (or made up from a frame rate): latency is
    /// measured from delivery.
    case recording
}

/// A damaged frame a recording skipped (``CorruptFramePolicy/skip``).
public struct SkippedFrame: Sendable, Equatable {
    /// The frame's index, counting every frame of the recording from 0.
    public var index: Int
    /// What was wrong with it.
    public var detail: String

    public init(index: Int, detail: String) {
        self.index = index
        self.detail = detail
    }
}

/// What a ``FrameSource`` counted, in one shape for cameras and recordings.
public struct SourceStatistics: Sendable, Equatable {
    /// Frames lost before delivery: replaced in a live hand-off (latest wins) or dropped by
    /// the driver.
    public var framesDropped = 0
    /// Damaged frames skipped, in order.
    public var skippedFrames: [SkippedFrame] = []
    /// A camera's session figures (nil for recordings).
    public var capture: CaptureStatistics?

    public init(framesDropped: Int = 0, skippedFrames: [SkippedFrame] = [], capture: CaptureStatistics? = nil) {
        (self.framesDropped, self.skippedFrames, self.capture) = (framesDropped, skippedFrames, capture)
    }
}

/// A ``FrameSource``'s frames as an `AsyncSequence`.
public struct FrameSequence: AsyncSequence, Sendable {
    public typealias Element = Frame
    let source: any FrameSource

    public struct AsyncIterator: AsyncIteratorProtocol {
        let source: any FrameSource
        public mutating func next() async throws -> Frame? { try await source.nextFrame() }
    }

    public func makeAsyncIterator() -> AsyncIterator { AsyncIterator(source: source) }
}
