public import Foundation
import GRDB

/// One line of the grocery list.
public struct GroceryItem: Sendable, Codable, Equatable {
    /// The item as first proposed ("Greek yogurt").
    public var name: String
    public var quantity: Double
    public var unit: String
    /// The distinct reasons given, oldest first.
    public var reasons: [String]
    /// The need keys that added to this item, oldest first.
    public var needKeys: [String]
    public var firstAdded: Date
    public var lastAdded: Date

    public init(
        name: String, quantity: Double, unit: String, reasons: [String], needKeys: [String], firstAdded: Date,
        lastAdded: Date
    ) {
        self.name = name
        self.quantity = quantity
        self.unit = unit
        self.reasons = reasons
        self.needKeys = needKeys
        self.firstAdded = firstAdded
        self.lastAdded = lastAdded
    }
}

/// What adding a need did.
public enum GroceryAddOutcome: Sendable, Equatable {
    /// A new line on the list.
    case added(GroceryItem)
    /// The need's quantity was added to a line already there.
    case merged(GroceryItem, added: Double)
    /// The same need (same key) was applied less than the cooldown ago: nothing changed.
    /// `until` is when the key may add again.
    case unchanged(needKey: String, until: Date)
}

/// The grocery list: a SQLite database (via GRDB) in WAL mode.
///
/// - **Idempotent**: a need whose ``GroceryNeed/needKey`` was applied less than ``cooldown``
///   ago changes nothing, so the same deficit seen in every frame adds the item once.
/// - **Merging**: items match by name (case and spacing ignored) *and* unit; a new need for an
///   item already on the list adds its quantity to it and records its reason and key.
/// - **Durable**: each ``add(_:at:)`` is one transaction, committed (synchronous = FULL) before
///   it returns; a crash between frames loses nothing already added, and a failed add (locked,
///   read-only) changes nothing.
/// - **Time is an input**: the caller passes the time (the event's), never the clock; it is
///   kept to the millisecond.
public final class GroceryList: GroceryListReader, @unchecked Sendable {
    public let path: String
    public let cooldown: TimeInterval
    public let busyTimeout: Double
    private let db: DatabaseQueue

    /// Opens (creating if needed) the list at `path`; its folder is created too.
    /// - Parameters:
    ///   - cooldown: how long a need key stays applied (default 12 hours).
    ///   - busyTimeout: how long to wait for another program's write lock before failing.
    public init(path: String, cooldown: TimeInterval = 12 * 3600, busyTimeout: Double = 5) throws(StoreError) {
        self.path = path
        self.cooldown = cooldown
        self.busyTimeout = busyTimeout
        db = try Store.openMigrated(path: path, busyTimeout: busyTimeout, what: "the grocery list", migrator: Self.migrator)
    }

    static var migrator: DatabaseMigrator {
        Store.migrator("v1: items and needs", sql: """
            CREATE TABLE item (
                id INTEGER PRIMARY KEY AUTOINCREMENT,
                key TEXT NOT NULL,          -- the name, lower-cased, spaces collapsed
                name TEXT NOT NULL,
                unit TEXT NOT NULL,
                quantity REAL NOT NULL CHECK (quantity > 0),
                reasons TEXT NOT NULL,      -- JSON array of strings
                needKeys TEXT NOT NULL,     -- JSON array of strings
                firstAdded DATETIME NOT NULL,
                lastAdded DATETIME NOT NULL,
                UNIQUE (key, unit)
            );
            CREATE TABLE need (
                needKey TEXT PRIMARY KEY,
                itemID INTEGER REFERENCES item(id) ON DELETE SET NULL,
                quantity REAL NOT NULL,
                lastApplied DATETIME NOT NULL,
                timesApplied INTEGER NOT NULL
            );
            """)
    }

    /// Applies `need` at time `now` (see the type's rules) in one committed transaction.
    @discardableResult
    public func add(_ need: GroceryNeed, at now: Date) throws(StoreError) -> GroceryAddOutcome {
        let operation = "add \(need.item) to the grocery list"
        let name = need.item.trimmingCharacters(in: .whitespacesAndNewlines)
        let unit = need.unit.trimmingCharacters(in: .whitespacesAndNewlines)
        func invalid(_ why: String) -> StoreError {
            StoreError(path: path, operation: operation, reason: .invalidInput, detail: why)
        }
        guard !name.isEmpty else { throw invalid("the item has no name") }
        guard need.quantity.isFinite, need.quantity > 0 else { throw invalid("quantity \(need.quantity) is not a positive number") }
        guard !need.needKey.isEmpty else { throw invalid("the need has no key") }
        let key = Self.normalised(name)
        let cooldown = self.cooldown
        // Kept to the millisecond, as stored, so comparisons agree with what is read back.
        let now = Date(timeIntervalSince1970: (now.timeIntervalSince1970 * 1000).rounded() / 1000)
        return try Store.run(path: path, operation: operation, busyTimeout: busyTimeout) {
            try db.write { db -> GroceryAddOutcome in
                if let row = try Row.fetchOne(db, sql: "SELECT lastApplied FROM need WHERE needKey = ?", arguments: [need.needKey]) {
                    let last: Date = row["lastApplied"]
                    if now.timeIntervalSince(last) < cooldown {
                        return .unchanged(needKey: need.needKey, until: last.addingTimeInterval(cooldown))
                    }
                }
                let outcome: GroceryAddOutcome
                let itemID: Int64
                if let row = try Row.fetchOne(db, sql: "SELECT * FROM item WHERE key = ? AND unit = ?", arguments: [key, unit]) {
                    var item = try Self.item(row)
                    item.quantity += need.quantity
                    if !item.reasons.contains(need.reason) { item.reasons.append(need.reason) }
                    if !item.needKeys.contains(need.needKey) { item.needKeys.append(need.needKey) }
                    item.lastAdded = max(item.lastAdded, now)
                    itemID = row["id"]
                    try db.execute(
                        sql: "UPDATE item SET quantity = ?, reasons = ?, needKeys = ?, lastAdded = ? WHERE id = ?",
                        arguments: [item.quantity, Self.json(item.reasons), Self.json(item.needKeys), item.lastAdded, itemID])
                    outcome = .merged(item, added: need.quantity)
                } else {
                    let item = GroceryItem(
                        name: name, quantity: need.quantity, unit: unit, reasons: [need.reason], needKeys: [need.needKey],
                        firstAdded: now, lastAdded: now)
                    try db.execute(
                        sql: """
                            INSERT INTO item (key, name, unit, quantity, reasons, needKeys, firstAdded, lastAdded)
                            VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                            """,
                        arguments: [key, name, unit, item.quantity, Self.json(item.reasons), Self.json(item.needKeys), now, now])
                    itemID = db.lastInsertedRowID
                    outcome = .added(item)
                }
                try db.execute(
                    sql: """
                        INSERT INTO need (needKey, itemID, quantity, lastApplied, timesApplied) VALUES (?, ?, ?, ?, 1)
                        ON CONFLICT(needKey) DO UPDATE SET itemID = excluded.itemID, quantity = excluded.quantity,
                            lastApplied = excluded.lastApplied, timesApplied = timesApplied + 1
                        """,
                    arguments: [need.needKey, itemID, need.quantity, now])
                return outcome
            }
        }
    }

    /// The list, oldest line first.
    public func items() throws(StoreError) -> [GroceryItem] {
        try Store.run(path: path, operation: "read the grocery list", busyTimeout: busyTimeout) {
            try db.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM item ORDER BY firstAdded, id").map(Self.item)
            }
        }
    }

    /// Empties the list and forgets every need (a need seen again is added again).
    /// Returns how many lines were removed.
    @discardableResult
    public func clear() throws(StoreError) -> Int {
        try Store.run(path: path, operation: "clear the grocery list", busyTimeout: busyTimeout) {
            try db.write { db in
                let n = try Int.fetchOne(db, sql: "SELECT count(*) FROM item") ?? 0
                try db.execute(sql: "DELETE FROM need; DELETE FROM item")
                return n
            }
        }
    }

    static func normalised(_ name: String) -> String {
        name.lowercased().split(whereSeparator: \.isWhitespace).joined(separator: " ")
    }

    static func json(_ strings: [String]) -> String {
        let e = JSONEncoder()
        e.outputFormatting = [.withoutEscapingSlashes]
        return String(decoding: (try? e.encode(strings)) ?? Data("[]".utf8), as: UTF8.self)
    }

    static func item(_ row: Row) throws -> GroceryItem {
        let reasons: String = row["reasons"], keys: String = row["needKeys"]
        return GroceryItem(
            name: row["name"], quantity: row["quantity"], unit: row["unit"],
            reasons: try JSONDecoder().decode([String].self, from: Data(reasons.utf8)),
            needKeys: try JSONDecoder().decode([String].self, from: Data(keys.utf8)),
            firstAdded: row["firstAdded"], lastAdded: row["lastAdded"])
    }
}

/// The grocery list as a sink: every event carrying a ``GroceryNeed`` is added at the event's
/// time. Other events are ignored. ``lastOutcome`` tells what the last add did.
public final class GroceryListSink: ActionSink, @unchecked Sendable {
    public let list: GroceryList
    public var name: String { "grocery" }
    private let lock = NSLock()
    private var _lastOutcome: GroceryAddOutcome?

    public init(list: GroceryList) { self.list = list }

    /// The list it adds to.
    public var groceryList: (any GroceryListReader)? { list }

    public var lastOutcome: GroceryAddOutcome? {
        lock.lock()
        defer { lock.unlock() }
        return _lastOutcome
    }

    public func handle(_ event: SightlineEvent) throws {
        guard let need = event.grocery else { return }
        lock.lock()
        defer { lock.unlock() }
        _lastOutcome = try list.add(need, at: event.time)
    }

    /// Every add is already committed; nothing to do.
    public func flush() throws {}
}
