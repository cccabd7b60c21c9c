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
