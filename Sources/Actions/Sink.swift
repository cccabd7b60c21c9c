public import Foundation

/// Somewhere events go: a file, a database, a web service, a picture.
///
/// `handle` does the sink's work for one event and returns once it is durable where the sink
/// promises durability (a JSON line written, a grocery item committed, an event in the
/// outbox). It throws only when the sink could not do its job for that event; a sink that keeps
/// work for later (the webhook's outbox) does not throw because a server is down. `flush` pushes
/// out what is still waiting and throws when something is left undone.
///
/// Sinks are classes guarded by their own locks, so a pipeline may call them from any thread;
/// calls are meant to come one at a time, in frame order.
///
/// Beyond taking events, a sink declares what it offers others: the grocery list it keeps
/// (``groceryList``, read by the pantry specialist) and how many events wait in its outbox
/// (``backlog``, for metrics), nil by default. A caller asks the sink, never its concrete type.
public protocol ActionSink: AnyObject, Sendable {
    /// A short name for messages ("jsonl", "grocery", "webhook", "overlay").
    var name: String { get }
    func handle(_ event: SightlineEvent) throws
    func flush() throws
    /// The grocery list this sink keeps, for reading; nil when it keeps none.
    var groceryList: (any GroceryListReader)? { get }
    /// Events waiting to be delivered (as of the latest attempt); nil for a sink without an outbox.
    var backlog: Int? { get }
    /// The journal this sink keeps, for reading; nil when it keeps none.
    var journal: (any JournalStore)? { get }
}

extension ActionSink {
    /// Most sinks keep no grocery list.
    public var groceryList: (any GroceryListReader)? { nil }
    /// Most sinks keep no journal.
    public var journal: (any JournalStore)? { nil }
    /// Most sinks deliver at once and keep no outbox.
    public var backlog: Int? { nil }
}

/// A failure that loses nothing: the events wait in a durable outbox and go out on a later
/// attempt (a web service or a broker that is down). A run that ends with only such failures
/// has recorded everything; any other sink failure means an event was not recorded.
public protocol DeferredDelivery: Error {
    /// Events still waiting.
    var pending: Int { get }
    /// The outbox they wait in.
    var outbox: String { get }
}

/// A sink whose events wait in a durable outbox until a server takes them (the webhook's and
/// MQTT's): `flush` and `drain` are the same for every such sink, written once here.
public protocol OutboxSink: ActionSink {
    /// Tries to deliver what is due now; what is left stays in the outbox.
    func deliverDue() throws(StoreError) -> DeliveryReport
    /// The time the back-off is measured in (injectable for tests).
    var deliveryClock: @Sendable () -> Date { get }
    /// The error `flush` throws when `report` leaves events waiting.
    func undelivered(_ report: DeliveryReport) -> any DeferredDelivery
}

extension OutboxSink {
    /// Delivers what is due; throws ``undelivered(_:)``'s error when events remain (they stay
    /// in the outbox).
    public func flush() throws {
        let report = try deliverDue()
        if report.pending > 0 { throw undelivered(report) }
    }

    /// Keeps delivering, waiting out the back-off, until the outbox is empty or `timeout`
    /// seconds (real time) have passed. Returns the last report.
    @discardableResult
    public func drain(timeout: Double) throws(StoreError) -> DeliveryReport {
        try DeliveryReport.draining(timeout: timeout, clock: deliveryClock) { () throws(StoreError) in try deliverDue() }
    }
}

/// Read access to a grocery list, as a sink offers it (``ActionSink/groceryList``).
public protocol GroceryListReader: AnyObject, Sendable {
    /// The items on the list, oldest first.
    func items() throws -> [GroceryItem]
}

/// One sink's failure on one event (or on a flush).
public struct SinkFailure: Error, CustomStringConvertible {
    public var sink: String
    /// The event the sink failed on (nil for a flush).
    public var eventID: String?
    public var error: any Error

    /// True when the sink kept the events to deliver later (``DeferredDelivery``); false when an
    /// event is not where it should be (a write failed, a database stayed locked).
    public var eventsKept: Bool { error is any DeferredDelivery }

    public var description: String {
        if let eventID { return "\(sink) sink, event \(eventID): \(error)" }
        return "\(sink) sink: \(error)"
    }
}

/// What ``SinkSet`` throws: every sink that failed, after all sinks were given the event.
public struct SinkSetError: Error, CustomStringConvertible {
    public var failures: [SinkFailure]
    /// The error for `failures`.
    public init(failures: [SinkFailure]) { self.failures = failures }
    public var description: String { failures.map(\.description).joined(separator: "\n") }
}

/// Several sinks at once. Each event goes to every sink in order; a sink that throws does not
/// stop the others, and all failures are reported together afterwards.
public final class SinkSet: ActionSink {
    public let sinks: [any ActionSink]
    public var name: String { "set(" + sinks.map(\.name).joined(separator: ",") + ")" }

    public init(_ sinks: [any ActionSink]) { self.sinks = sinks }

    /// The first grocery list a member keeps.
    public var groceryList: (any GroceryListReader)? { sinks.lazy.compactMap(\.groceryList).first }
    public var journal: (any JournalStore)? { sinks.lazy.compactMap(\.journal).first }

    /// Gives `event` to every sink and returns the failures (empty when all succeeded).
    @discardableResult
    public func dispatch(_ event: SightlineEvent) -> [SinkFailure] {
        var failures: [SinkFailure] = []
        for sink in sinks {
            do { try sink.handle(event) } catch {
                failures.append(SinkFailure(sink: sink.name, eventID: event.id, error: error))
            }
        }
        return failures
    }

    /// Flushes every sink and returns the failures.
    @discardableResult
    public func flushAll() -> [SinkFailure] {
        var failures: [SinkFailure] = []
        for sink in sinks {
            do { try sink.flush() } catch { failures.append(SinkFailure(sink: sink.name, eventID: nil, error: error)) }
        }
        return failures
    }

    /// Like ``dispatch(_:)``, throwing a ``SinkSetError`` when any sink failed.
    public func handle(_ event: SightlineEvent) throws {
        let failures = dispatch(event)
        if !failures.isEmpty { throw SinkSetError(failures: failures) }
    }

    public func flush() throws {
        let failures = flushAll()
        if !failures.isEmpty { throw SinkSetError(failures: failures) }
    }
}

/// Where Actions keeps its files.
public enum ActionPaths {
    /// `$SIGHTLINE_DATA`, else `$XDG_DATA_HOME/sightline`, else `~/.local/share/sightline`.
    public static func dataDirectory(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        if let d = environment["SIGHTLINE_DATA"], !d.isEmpty { return d }
        if let x = environment["XDG_DATA_HOME"], !x.isEmpty { return x + "/sightline" }
        let home = environment["HOME"].flatMap { $0.isEmpty ? nil : $0 } ?? NSHomeDirectory()
        return home + "/.local/share/sightline"
    }

    /// The grocery list database: `<data directory>/grocery.sqlite`.
    public static func groceryDatabase(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        dataDirectory(environment: environment) + "/grocery.sqlite"
    }

    /// The journal of days: `<data directory>/journal.sqlite`.
    public static func journalDatabase(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        dataDirectory(environment: environment) + "/journal.sqlite"
    }

    /// The webhook outbox: `<data directory>/outbox.sqlite`.
    public static func webhookOutbox(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        dataDirectory(environment: environment) + "/outbox.sqlite"
    }

    /// The MQTT outbox: `<data directory>/mqtt-outbox.sqlite`.
    public static func mqttOutbox(environment: [String: String] = ProcessInfo.processInfo.environment) -> String {
        dataDirectory(environment: environment) + "/mqtt-outbox.sqlite"
    }
}
