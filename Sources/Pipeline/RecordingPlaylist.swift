public import Capture
import Foundation
public import Logging
public import SightlineCore

/// Several recordings (images, JPEG folders, MJPEG files) replayed one after the other as one
/// ``FrameSource``, with one sequence count across them all (so the reasoner's window and the
/// overlay names never see two frames with the same number). Each recording keeps its own
/// timestamps and pacing.
///
/// A recording that cannot be opened, or fails part-way, is reported in ``problems``; with
/// ``CorruptFramePolicy/skip`` the playlist goes on with the next one, with ``CorruptFramePolicy/stop``
/// the error ends the stream. Damaged frames a recording skipped are reported there too.
public final class RecordingPlaylist: FrameSource, @unchecked Sendable {
    public let paths: [String]
    public let policy: CorruptFramePolicy
    public let pace: ReplayPace
    private let logger: Logger?
    private let lock = NSLock()
    private var index = 0
    private var current: (any FrameSource)?
    private var sequence: UInt64 = 0
    private var stopped = false
    private var problemList: [String] = []
    private var failedAny = false
    private var skipped: [SkippedFrame] = []

    public init(paths: [String], policy: CorruptFramePolicy = .skip, pace: ReplayPace = .asFastAsPulled, logger: Logger? = nil) {
        (self.paths, self.policy, self.pace, self.logger) = (paths, policy, pace, logger)
    }

    public var name: String { paths.count == 1 ? paths[0] : "\(paths.count) recordings" }

    /// Recordings keep their own timestamps.
    public var clock: FrameClock { .recording }

    /// A playlist of recordings is not live.
    public var isLive: Bool { false }

    /// The damaged frames the recordings finished so far skipped (indices count within each
    /// recording; ``problems`` names them).
    public var statistics: SourceStatistics { lock.withLock { SourceStatistics(skippedFrames: skipped) } }

    /// Warnings and errors so far, one line each, naming the recording.
    public var problems: [String] { lock.withLock { problemList } }

    /// True when a recording could not be opened or failed part-way.
    public var failed: Bool { lock.withLock { failedAny } }

    public func next() throws(CaptureError) -> Frame? {
        while true {
            let source: any FrameSource
            do {
                guard let s = try currentSource() else { return nil }
                source = s
            } catch {
                if policy == .stop { throw error }
                continue
            }
            let frame: Frame?
            do { frame = try source.next() } catch {
                finishCurrent(error: error)
                if policy == .stop { throw error }
                continue
            }
            guard let frame else {
                finishCurrent(error: nil)
                continue
            }
            let n: UInt64 = lock.withLock {
                defer { sequence += 1 }
                return sequence
            }
            do {
                return try Frame(
                    format: frame.format, width: frame.width, height: frame.height,
                    stride: frame.format.isCompressed ? nil : frame.stride, timestamp: frame.timestamp, sequence: n,
                    origin: frame.origin, storage: frame.storage, byteCount: frame.byteCount)
            } catch { throw .invalidFrame(error) }
        }
    }

    public func stop() {
        let s: (any FrameSource)? = lock.withLock {
            stopped = true
            return current
        }
        s?.stop()
    }

    /// The recording being replayed, opening the next one when needed; nil at the end.
    private func currentSource() throws(CaptureError) -> (any FrameSource)? {
        lock.lock()
        if stopped {
            lock.unlock()
            return nil
        }
        if let current {
            lock.unlock()
            return current
        }
        guard index < paths.count else {
            lock.unlock()
            return nil
        }
        let path = paths[index]
        index += 1
        lock.unlock()
        do {
            let opened = try RecordedSources.open(path, policy: policy, pace: pace, logger: logger)
            lock.withLock { current = opened }
            return opened
        } catch {
            lock.withLock {
                failedAny = true
                problemList.append("error: \(error)")
            }
            throw error
        }
    }

    private func finishCurrent(error: CaptureError?) {
        lock.withLock {
            if let current {
                for s in current.statistics.skippedFrames {
                    problemList.append("warning: \(current.name): frame \(s.index) skipped: \(s.detail)")
                    skipped.append(s)
                }
            }
            if let error {
                failedAny = true
                problemList.append("error: \(error)")
            }
            current = nil
        }
    }
}
