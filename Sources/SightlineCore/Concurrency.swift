#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

// The concurrency helpers of Sightline, in one place: one lock, one slot and one pool. Stages
// run on plain threads (capture, prepare, detect, reason+act), so these block on a pthread
// mutex and condition variable; a slot can also be waited on asynchronously.

/// A pthread mutex with a condition variable on the monotonic clock: a plain thread can wait
/// on it without spinning, with or without a deadline.
public final class Lock: @unchecked Sendable {
    private let mutex = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
    private let cond = UnsafeMutablePointer<pthread_cond_t>.allocate(capacity: 1)

    public init() {
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

    public func lock() { pthread_mutex_lock(mutex) }
    public func unlock() { pthread_mutex_unlock(mutex) }
    /// Wakes every thread waiting in ``wait(until:)``.
    public func broadcast() { pthread_cond_broadcast(cond) }

    /// Waits (the lock held) until woken or `deadline` (monotonic) passes; false on timeout.
    @discardableResult
    public func wait(until deadline: Timestamp? = nil) -> Bool {
        guard let deadline else {
            pthread_cond_wait(cond, mutex)
            return true
        }
        var ts = timespec(
            tv_sec: Int(deadline.nanoseconds / 1_000_000_000), tv_nsec: Int(deadline.nanoseconds % 1_000_000_000))
        return pthread_cond_timedwait(cond, mutex, &ts) == 0
    }

    /// Runs `body` with the lock held.
    public func withLock<T>(_ body: () throws -> T) rethrows -> T {
        lock()
        defer { unlock() }
        return try body()
    }
}

/// How a ``Slot`` treats a new item while the last one has not been taken.
public enum HandOffPolicy: String, Sendable, Codable, CaseIterable {
    /// One slot; a new item replaces one the next stage has not taken yet (the replaced one is
    /// counted as dropped). A slow stage sees fresh items and never builds a backlog. For live
    /// cameras and replays paced like a camera.
    case latestWins = "latest-wins"
    /// One slot; the producer waits until the next stage has taken the item. Nothing is
    /// dropped, so every frame is processed and results are reproducible. For recordings
    /// replayed as fast as the pipeline goes.
    case lossless
}

/// A one-item hand-off between a producer thread and a consumer (GStreamer's leaky queue of
/// size 1, or a blocking one): the hand-off between a camera's thread and its reader, and
/// between the live pipeline's stages.
///
/// Latest-wins, the producer never blocks: an item put into a full slot replaces the older one,
/// which ``put(_:)`` returns so pooled buffers can be recycled (a V4L2 frame released this way
/// goes straight back to the driver). Lossless, the producer waits while the slot is full.
/// ``finish(_:)`` ends the hand-off: the item still waiting is delivered first, then the error
/// (if any) is thrown, then nil is returned for ever, so a shutdown drains in-flight work
/// instead of losing it. Consumers wait blocking (``take(timeout:)``) or asynchronously
/// (``take()``) without tying up a thread of Swift's cooperative pool.
public final class Slot<Item: Sendable, Failure: Error>: @unchecked Sendable {
    public let policy: HandOffPolicy
    private let lock = Lock()
    private var item: Item?
    private var finished = false
    private var failure: Failure?
    private var waiter: CheckedContinuation<Result<Item?, Failure>, Never>?
    private var replacedCount = 0

    public init(policy: HandOffPolicy = .latestWins) { self.policy = policy }

    /// Items replaced before anyone took them.
    public var replaced: Int { lock.withLock { replacedCount } }

    /// True once ``finish(_:)`` was called (an item or an error may still be waiting).
    public var isFinished: Bool { lock.withLock { finished } }

    /// Offers `new`. Returns the item it replaced (latest-wins), or `new` itself when the
    /// hand-off has finished; nil when it was simply accepted. Lossless: waits while the slot
    /// is full.
    @discardableResult
    public func put(_ new: Item) -> Item? {
        var resume: CheckedContinuation<Result<Item?, Failure>, Never>?
        var old: Item?
        lock.lock()
        if policy == .lossless {
            while item != nil && !finished { lock.wait() }
        }
        if finished {
            lock.unlock()
            return new
        }
        if let w = waiter {
            waiter = nil
            resume = w
        } else {
            old = item
            item = new
            if old != nil { replacedCount += 1 }
            lock.broadcast()
        }
        lock.unlock()
        resume?.resume(returning: .success(new))
        return old
    }

    /// Ends the hand-off; a waiting consumer gets the item still there, then `error` (if any),
    /// then nil.
    public func finish(_ error: Failure? = nil) {
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

    /// Drops an item left in the slot (on stop, so its buffer is released promptly).
    public func discard() {
        lock.lock()
        let old = item
        item = nil
        lock.broadcast()
        lock.unlock()
        _ = old  // released here, outside the lock
    }

    private func takeLocked() -> Result<Item?, Failure> {
        if let taken = item {
            item = nil
            lock.broadcast()  // a lossless producer may be waiting for the room
            return .success(taken)
        }
        if finished, let e = failure {
            failure = nil
            return .failure(e)
        }
        return .success(nil)
    }

    /// Blocks until an item is there or the hand-off has finished. `timeout` in seconds; a
    /// timeout returns nil without finishing.
    public func take(timeout: Double? = nil) throws(Failure) -> Item? {
        let deadline = timeout.map { Timestamp(nanoseconds: Timestamp.now().nanoseconds + UInt64(max(0, $0) * 1e9)) }
        lock.lock()
        defer { lock.unlock() }
        while item == nil && !finished {
            if !lock.wait(until: deadline) { return nil }
        }
        return try takeLocked().get()
    }

    /// Waits asynchronously until an item is there or the hand-off has finished; cancellation
    /// returns nil.
    public func take() async throws(Failure) -> Item? {
        let result = await withTaskCancellationHandler {
            await withCheckedContinuation { (c: CheckedContinuation<Result<Item?, Failure>, Never>) in
                lock.lock()
                // Cancellation sets the flag before running onCancel, so checking it under the
                // lock closes the window between the two.
                if item != nil || finished || Task.isCancelled {
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

extension Slot where Failure == Never {
    /// The next item, waiting for one; nil once finished and empty.
    public func take() -> Item? { take(timeout: nil) }
}

/// Reusable objects (frame-sized buffers, input tensors) handed out and given back, so a
/// steady stream allocates nothing. A new one is made only when every pooled one is in use.
public final class Pool<Item: AnyObject>: @unchecked Sendable {
    private let lock = Lock()
    private var free: [Item]
    private let make: () -> Item

    /// A pool that starts with `count` items made by `make`, which also makes any more needed.
    public init(count: Int = 0, make: @escaping () -> Item) {
        self.make = make
        free = (0..<count).map { _ in make() }
        free.reserveCapacity(max(count * 2, 4))
    }

    /// A free item, or a new one.
    public func take() -> Item { lock.withLock { free.popLast() } ?? make() }

    /// Gives an item back for reuse.
    public func give(_ item: Item) { lock.withLock { free.append(item) } }
}
