import Foundation

/// How a stage hands its results to the next one.
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

/// A one-item hand-off between two stage threads (GStreamer's leaky queue of size 1, or a
/// blocking one). The producer's `put` returns the item it displaced so pooled buffers can be
/// recycled; `finish` ends the hand-off after the item still waiting has been taken, so a
/// shutdown drains in-flight work instead of losing it.
final class HandOff<Item>: @unchecked Sendable {
    let policy: HandOffPolicy
    private let condition = NSCondition()
    private var item: Item?
    private var finished = false
    private var replacedCount = 0

    init(policy: HandOffPolicy) { self.policy = policy }

    /// Items replaced before they were taken.
    var replaced: Int {
        condition.lock()
        defer { condition.unlock() }
        return replacedCount
    }

    /// Offers `new`. Latest-wins: returns the item it replaced, if any. Lossless: waits while the
    /// slot is full and returns nil. After ``finish()`` the item is refused and returned.
    func put(_ new: Item) -> Item? {
        condition.lock()
        defer { condition.unlock() }
        if policy == .lossless {
            while item != nil && !finished { condition.wait() }
        }
        if finished { return new }
        let old = item
        if old != nil { replacedCount += 1 }
        item = new
        condition.broadcast()
        return old
    }

    /// No more items will come; the consumer gets the waiting one, then nil.
    func finish() {
        condition.lock()
        finished = true
        condition.broadcast()
        condition.unlock()
    }

    /// The next item, waiting for one; nil once finished and empty.
    func take() -> Item? {
        condition.lock()
        defer { condition.unlock() }
        while item == nil && !finished { condition.wait() }
        let taken = item
        item = nil
        condition.broadcast()
        return taken
    }
}
