internal import CV4L2
import Logging
import SightlineCore

#if canImport(Glibc)
    import Glibc
#endif

/// The mmap'd buffers of one streaming session, and the descriptor they belong to.
///
/// Frames hold a reference to the ring, so it outlives ``V4L2Camera/stop()`` for as long as
/// any frame still borrows a buffer: the buffers are unmapped and the device closed when the
/// last one goes.
final class BufferRing: @unchecked Sendable {
    let handle: V4L2Handle
    let buffers: [UnsafeMutableRawBufferPointer]
    private let lock = Lock()
    private var streaming = true
    /// Buffers currently queued in the driver.
    private var queuedCount: Int
    /// The first error re-queueing a buffer, reported by the capture thread.
    private var requeueError: SystemCallError?

    init(handle: V4L2Handle, buffers: [UnsafeMutableRawBufferPointer]) {
        self.handle = handle
        self.buffers = buffers
        queuedCount = buffers.count
    }

    deinit {
        for b in buffers { try? handle.funnel.munmap(b.baseAddress!, length: b.count) }
        handle.close()
    }

    /// Gives buffer `index` back to the driver (unless streaming has stopped).
    func requeue(_ index: Int) {
        lock.lock()
        defer { lock.unlock() }
        guard streaming else { return }
        do {
            try handle.queueBuffer(index)
            queuedCount += 1
        } catch {
            if requeueError == nil { requeueError = error }
        }
    }

    /// Dequeues a filled buffer; nil when none is ready.
    func dequeue() throws(SystemCallError) -> v4l2_buffer? {
        lock.lock()
        defer { lock.unlock() }
        if let e = requeueError {
            requeueError = nil
            throw e
        }
        let b = try handle.dequeueBuffer()
        if b != nil { queuedCount -= 1 }
        return b
    }

    var hasQueuedBuffers: Bool { lock.withLock { queuedCount > 0 } }

    /// `VIDIOC_STREAMOFF`; later releases do not re-queue.
    func stopStreaming() {
        lock.lock()
        defer { lock.unlock() }
        guard streaming else { return }
        streaming = false
        try? handle.streamOff()
    }
}

/// A frame's bytes living in a driver buffer; re-queues the buffer when released.
final class V4L2BufferStorage: FrameStorage, @unchecked Sendable {
    let ring: BufferRing
    let index: Int
    let bytes: UnsafeRawBufferPointer

    init(ring: BufferRing, index: Int) {
        self.ring = ring
        self.index = index
        bytes = UnsafeRawBufferPointer(ring.buffers[index])
    }

    deinit { ring.requeue(index) }
}

/// A frame's bytes copied into a pooled buffer; returns it to the pool when released.
final class PooledStorage: FrameStorage, @unchecked Sendable {
    let pool: Pool<ImageBuffer>
    let buffer: ImageBuffer
    init(pool: Pool<ImageBuffer>, buffer: ImageBuffer) {
        self.pool = pool
        self.buffer = buffer
    }
    var bytes: UnsafeRawBufferPointer { buffer.bytes }
    deinit { pool.give(buffer) }
}
