internal import CV4L2
import Logging
import SightlineCore

#if canImport(Glibc)
    import Glibc
#endif

/// One start()…stop() of a camera: the stream, the capture thread and its counters.
final class CaptureSession: @unchecked Sendable {
    let device: String
    let request: CaptureRequest
    let options: V4L2Camera.Options
    let system: any SystemCalls
    let slot = Slot<Frame, CaptureError>()
    private let lock = Lock()
    private var stream: V4L2Camera.OpenStream?
    private var stats = CaptureStatistics()
    private var latencyIndex = 0
    private var stopRequested = false
    private var finished = false
    private var thread: pthread_t?
    /// Frame-sized buffers for ``V4L2Camera/Delivery/copy``.
    private let pool = Pool<ImageBuffer> { ImageBuffer() }
    private let logger: Logger?

    init(camera: V4L2Camera, stream: V4L2Camera.OpenStream) {
        device = camera.device
        request = camera.request
        options = camera.options
        system = camera.systemForSession
        logger = camera.loggerForSession
        self.stream = stream
        stats.handoffLatencies.reserveCapacity(CaptureStatistics.latencyCapacity)
    }

    var format: NegotiatedFormat? { lock.withLock { stream?.format } }
    var statistics: CaptureStatistics { lock.withLock { stats } }
    private var shouldStop: Bool { lock.withLock { stopRequested } }

    func startThread() {
        let box = Unmanaged.passRetained(self).toOpaque()
        var tid = pthread_t()
        let rc = pthread_create(
            &tid, nil,
            { arg in
                let session = Unmanaged<CaptureSession>.fromOpaque(arg!).takeRetainedValue()
                session.run()
                return nil
            }, box)
        if rc != 0 {
            Unmanaged<CaptureSession>.fromOpaque(box).release()
            slot.finish(.system(SystemCallError(call: "pthread_create", device: device, errno: rc)))
            return
        }
        lock.withLock { thread = tid }
    }

    func stop() {
        let t: pthread_t? = lock.withLock {
            stopRequested = true
            let t = thread
            thread = nil
            return t
        }
        if let t { pthread_join(t, nil) }
        let s = lock.withLock { () -> V4L2Camera.OpenStream? in
            let s = stream
            stream = nil
            return s
        }
        s?.ring.stopStreaming()
        slot.finish()
        slot.discard()
    }

    private static func threadCPUSeconds() -> Double {
        var ts = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts)
        return Double(ts.tv_sec) + Double(ts.tv_nsec) / 1e9
    }

    /// The capture thread: poll, DQBUF, hand off; until stop() or an error.
    private func run() {
        let cpu0 = Self.threadCPUSeconds()
        var lastSequence: UInt32?
        var idleSince = Timestamp.now()
        var failure: CaptureError?
        while !shouldStop {
            guard let error = step(&lastSequence, &idleSince, cpu0) else { continue }
            // The step's locals (and so its reference to the ring) are gone here, so a reconnect
            // can release the old buffers before it reopens the device.
            if case .system(let e) = error, e.meansDeviceGone, let policy = options.reconnect {
                if let e = reconnect(after: e, policy: policy) {
                    failure = e
                    break
                }
                lastSequence = nil
                idleSince = Timestamp.now()
                continue
            }
            failure = error
            break
        }
        let cpu = Self.threadCPUSeconds() - cpu0
        lock.withLock {
            stats.captureThreadCPUSeconds = cpu
            finished = true
        }
        if let failure {
            // The device failed: stop streaming now, so frames released later do not re-queue.
            let s = lock.withLock { stream }
            s?.ring.stopStreaming()
            logger?.error("\(failure)")
        }
        slot.finish(failure)
    }

    /// One poll and at most one frame. Returns the error that ends this stream, if any.
    private func step(_ lastSequence: inout UInt32?, _ idleSince: inout Timestamp, _ cpu0: Double) -> CaptureError? {
        guard let current = lock.withLock({ stream }) else { return nil }
        let ring = current.ring
        let format = current.format
        let pollMs = Int32(max(1, options.pollInterval * 1000))
        do {
            let revents = try ring.handle.funnel.poll(ring.handle.fd, events: Int16(POLLIN), timeoutMilliseconds: pollMs)
            guard let buf = try ring.dequeue() else {
                if revents & Int16(POLLERR) != 0 && !ring.hasQueuedBuffers {
                    // No buffers queued (the consumer holds them all); wait, do not spin.
                    usleep(UInt32(pollMs) * 1000)
                }
                if !ring.hasQueuedBuffers {
                    idleSince = Timestamp.now()
                } else if Timestamp.now().seconds(since: idleSince) > options.frameTimeout {
                    return .timeout(device: device, seconds: options.frameTimeout)
                }
                return nil
            }
            idleSince = Timestamp.now()
            let index = Int(buf.index)
            guard index < ring.buffers.count else {
                return .buffers(device: device, detail: "VIDIOC_DQBUF returned unknown buffer \(index)")
            }
            if buf.flags & sl_V4L2_BUF_FLAG_ERROR != 0 {
                ring.requeue(index)
                lock.withLock { stats.erroredBuffers += 1 }
                return nil
            }
            let timestamp =
                buf.flags & sl_V4L2_BUF_FLAG_TIMESTAMP_MASK == sl_V4L2_BUF_FLAG_TIMESTAMP_MONOTONIC
                ? Timestamp(seconds: Int(buf.timestamp.tv_sec), microseconds: Int(buf.timestamp.tv_usec))
                : Timestamp.now()
            var gap = 0
            if let last = lastSequence, buf.sequence > last &+ 1 { gap = Int(buf.sequence - last - 1) }
            lastSequence = buf.sequence
            let used = buf.bytesused > 0 ? Int(buf.bytesused) : ring.buffers[index].count
            let storage: any FrameStorage
            switch options.delivery {
            case .zeroCopy:
                storage = V4L2BufferStorage(ring: ring, index: index)
            case .copy:
                let b = pool.take()
                b.reserve(used)
                b.pointer.copyMemory(from: ring.buffers[index].baseAddress!, byteCount: used)
                ring.requeue(index)
                storage = PooledStorage(pool: pool, buffer: b)
            }
            let frame: Frame
            do {
                frame = try Frame(
                    format: format.pixelFormat, width: format.width, height: format.height,
                    stride: format.pixelFormat.isCompressed ? nil : format.stride, timestamp: timestamp,
                    sequence: UInt64(buf.sequence), origin: device, storage: storage,
                    byteCount: min(used, storage.bytes.count))
            } catch {
                // A short or empty buffer: count it as errored; the storage re-queues it.
                lock.withLock { stats.erroredBuffers += 1 }
                logger?.debug("\(device): buffer \(index) unusable: \(error)")
                return nil
            }
            let handoff = Timestamp.now()
            let replaced = slot.put(frame) != nil  // the replaced frame is released here
            let cpu = Self.threadCPUSeconds() - cpu0
            lock.withLock {
                stats.framesCaptured += 1
                stats.driverDrops += gap
                if replaced { stats.framesReplaced += 1 }
                if stats.firstTimestamp == nil { stats.firstTimestamp = timestamp }
                stats.lastTimestamp = timestamp
                stats.captureThreadCPUSeconds = cpu
                let latency = handoff.seconds(since: timestamp)
                if stats.handoffLatencies.count < CaptureStatistics.latencyCapacity {
                    stats.handoffLatencies.append(latency)
                } else {
                    stats.handoffLatencies[latencyIndex] = latency
                    latencyIndex = (latencyIndex + 1) % CaptureStatistics.latencyCapacity
                }
            }
            return nil
        } catch {
            return .system(error)
        }
    }

    /// Reopens the device with exponential back-off; returns the error to end with, or nil
    /// once streaming again.
    private func reconnect(after error: SystemCallError, policy: V4L2Camera.ReconnectPolicy) -> CaptureError? {
        logger?.warning("\(error); reconnecting")
        do {
            let old = lock.withLock { () -> V4L2Camera.OpenStream? in
                let s = stream
                stream = nil
                return s
            }
            old?.ring.stopStreaming()
        }  // our reference to the old buffers ends here; a frame in the slot may hold the last
        slot.discard()
        var delay = policy.initialDelay
        var last = error
        for attempt in 1...max(1, policy.attempts) {
            // Sleep in small steps so stop() is not held up.
            let until = Timestamp(nanoseconds: Timestamp.now().nanoseconds + UInt64(delay * 1e9))
            while Timestamp.now() < until {
                if shouldStop { return nil }
                usleep(10_000)
            }
            do {
                let s = try V4L2Camera.openStream(
                    device: device, request: request, options: options, system: system, logger: logger)
                lock.withLock {
                    stream = s
                    stats.reconnects += 1
                }
                logger?.notice("\(device): reconnected after \(attempt) attempt(s): \(s.format)")
                return nil
            } catch {
                if case .system(let e) = error { last = e } else { return error }
                delay = min(delay * 2, policy.maximumDelay)
            }
        }
        return .reconnectFailed(device: device, attempts: policy.attempts, last: last)
    }
}
