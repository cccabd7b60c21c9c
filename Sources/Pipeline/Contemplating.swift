public import Actions
import Foundation
public import Reasoning

/// The grocery list as the pantry specialist reads it (a sink's list, read-only).
public struct GroceryListPantry: GroceryListReading {
    public let list: any GroceryListReader

    public init(list: any GroceryListReader) { self.list = list }

    public func listedItems() async throws -> [ListedGroceryItem] {
        try list.items().map { ListedGroceryItem(name: $0.name, quantity: $0.quantity, unit: $0.unit, needKeys: $0.needKeys) }
    }
}

/// Runs `body` on Swift's concurrency pool and blocks the calling thread until it finishes.
///
/// ``ScenePipeline``'s per-frame calls are blocking calls (the sinks write files, SQLite and
/// HTTP), made from a thread of the caller's own, never from the cooperative pool; contemplating
/// mode's specialists run as child tasks there, so waiting here cannot starve them.
func waitFor<T: Sendable>(_ body: @escaping @Sendable () async throws -> T) throws -> T {
    let box = ResultBox<T>()
    let done = DispatchSemaphore(value: 0)
    Task.detached {
        do { box.result = .success(try await body()) } catch { box.result = .failure(error) }
        done.signal()
    }
    done.wait()
    return try box.result!.get()
}

/// Hands a result from the task to the waiting thread (the semaphore orders the accesses).
private final class ResultBox<T>: @unchecked Sendable {
    var result: Result<T, any Error>?
}
