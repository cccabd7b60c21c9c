import SightlineCore

#if canImport(Glibc)
    import Glibc
#endif

/// A pthread mutex with a condition variable (the capture thread is a plain thread, and a
/// blocking consumer must be able to wait without spinning).
final class ConditionLock: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let cond = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    init() {
        pthread_mutex_init(mutex, nil)
        var attr = pthread_condattr_t()
        pthread_condattr_init(&attr)
        pthread_condattr_setclock(&attr, CLOCK_MONOTONIC)
        pthread_cond_init(cond, &attr)
        pthread_condattr_destroy(&attr)
    }

    deinit {
        pthread_cond_destroy(cond)
        pthread_mutex_destroy(mutex)
        cond.deallocate()
        mutex.deallocate()
    }

    func lock() { pthread_mutex_lock(mutex) }
    func unlock() { pthread_mutex_unlock(mutex) }
    func broadcast() { pthread_cond_broadcast(cond) }

    /// Waits (the lock held) until signalled or `deadline` (monotonic) passes; false on timeout.
    @discardableResult
    func wait(until deadline: Timestamp? = nil) -> Bool {
        guard let deadline else {
            pthread_cond_wait(cond, mutex)
            return true
        }
        var ts = timespec(
            tv_sec: Int(deadline.nanoseconds / 1_000_000_000), tv_nsec: Int(deadline.nanoseconds % 1_000_000_000))
        return pthread_cond_timedwait(cond, mutex, &ts) == 0
    }

    func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock()
        defer { unlock() }
        return try body()
    }
}

/// The hand-off between a live source's thread and its consumer: one slot, newest frame wins.
///
/// The producer never blocks: putting a frame into a full slot replaces (and so releases) the
/// older one, which for a V4L2 buffer gives it straight back to the driver. A consumer slower
/// than the camera therefore always gets the newest frame, never a backlog. Consumers can
/// wait blocking (``take(timeout:)``) or asynchronously (``take()``) without tying up a
/// thread of Swift's cooperative pool.
final class LatestFrameSlot: @unchecked Sendable {
    private let lock = ConditionLock()
    private var frame: Frame?
    private var finished = false
    private var failure: CaptureError?
    private var waiter: CheckedContinuation<Result<Frame?, CaptureError>, Never>?
    /// Frames replaced in the slot before anyone took them.
    private(set) var replaced = 0

    /// True once ``finish(_:)`` was called (a frame or an error may still be waiting).
    var isFinished: Bool { lock.withLock { finished } }

    /// Offers a frame. Returns true when it replaced one the consumer had not taken.
    @discardableResult
    func put(_ newFrame: Frame) -> Bool {
        var old: Frame?
        var resume: CheckedContinuation<Result<Frame?, CaptureError>, Never>?
        lock.lock()
        if finished {
            lock.unlock()
            return false
        }
        if let w = waiter {
            waiter = nil
            resume = w
        } else {
            old = frame
            frame = newFrame
            if old != nil { replaced += 1 }
            lock.broadcast()
        }
        lock.unlock()
        resume?.resume(returning: .success(newFrame))
        return old != nil  // `old` is released here, outside the lock
    }

    /// Ends the hand-off. A frame still in the slot is delivered first, then `error` (if any)
    /// is thrown, then `nil` is returned for ever.
    func finish(_ error: CaptureError? = nil) {
        lock.lock()
        if !finished {
            finished = true
            failure = error
        }
        let w = waiter
        waiter = nil
        // A waiting consumer means the slot is empty: it gets the error (or the end) now.
        let result = w != nil ? takeLocked() : .success(nil)
        lock.broadcast()
        lock.unlock()
        w?.resume(returning: result)
    }

    /// Drops a frame left in the slot (on stop, so its buffer is released promptly).
    func discard() {
        lock.lock()
        let old = frame
        frame = nil
        lock.unlock()
        _ = old
    }

    private func takeLocked() -> Result<Frame?, CaptureError> {
        if let f = frame {
            frame = nil
            return .success(f)
        }
        if finished, let e = failure {
            failure = nil
            return .failure(e)
        }
        return .success(nil)
    }

    /// Blocks until a frame is there or the hand-off has finished. `timeout` in seconds; a
    /// timeout returns nil without finishing.
    func take(timeout: Double? = nil) throws(CaptureError) -> Frame? {
        let deadline = timeout.map { Timestamp(nanoseconds: Timestamp.now().nanoseconds + UInt64(max(0, $0) * 1e9)) }
        lock.lock()
        defer { lock.unlock() }
        while frame == nil && !finished {
            if !lock.wait(until: deadline) { return nil }
        }
        return try takeLocked().get()
    }

    /// Waits asynchronously until a frame is there or the hand-off has finished; cancellation
    /// returns nil.
    func take() async throws(CaptureError) -> Frame? {
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Result<Frame?, CaptureError>, Never>) in
                lock.lock()
                // Cancellation sets the flag before running onCancel, so checking it under the
                // lock closes the window between the two.
                if frame != nil || finished || Task.isCancelled {
                    let r = takeLocked()
                    lock.unlock()
                    c.resume(returning: r)
                } else {
                    waiter = c
                    lock.unlock()
                }
            }
        } onCancel: {
            lock.lock()
            let w = waiter
            waiter = nil
            lock.unlock()
            w?.resume(returning: .success(nil))
        }
        return try result.get()
    }
}
