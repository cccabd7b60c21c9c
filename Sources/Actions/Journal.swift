public import Foundation
import GRDB

/// One food the wearer ate, as the glasses saw it: taken out of the fridge and not put back.
/// The pipeline makes it from the reasoner's consumption facts; the journal keeps each `key` once,
/// so the same frames replayed, or the same fact seen in a hundred frames, count once.
public struct IntakeEntry: Sendable, Codable, Hashable {
    /// Identifies the entry (day, food, track, capture time of its last sighting).
    public var key: String
    /// The wearer's local date it counts for (`2026-11-22`).
    public var day: String
    public var foodID: String
    public var item: String
    public var portions: Double
    public var proteinGrams: Double
    public var energyKcal: Double

    public init(key: String, day: String, foodID: String, item: String, portions: Double, proteinGrams: Double, energyKcal: Double) {
        (self.key, self.day, self.foodID, self.item) = (key, day, foodID, item)
        (self.portions, self.proteinGrams, self.energyKcal) = (portions, proteinGrams, energyKcal)
    }
}

/// One day of the journal: what the glasses saw eaten, and what an Apple Health export recorded.
public struct JournalDay: Sendable, Codable, Equatable {
    public var day: String
    public var seenProteinGrams: Double
    public var seenEnergyKcal: Double
    public var seenItems: Int
    /// From an Apple Health export (nil: no protein record that day).
    public var healthProteinGrams: Double?
    public var healthEnergyKcal: Double?
    /// The export file the health figures came from.
    public var healthFile: String?

    public init(
        day: String, seenProteinGrams: Double = 0, seenEnergyKcal: Double = 0, seenItems: Int = 0, healthProteinGrams: Double? = nil,
        healthEnergyKcal: Double? = nil, healthFile: String? = nil
    ) {
        (self.day, self.seenProteinGrams, self.seenEnergyKcal, self.seenItems) = (day, seenProteinGrams, seenEnergyKcal, seenItems)
        (self.healthProteinGrams, self.healthEnergyKcal, self.healthFile) = (healthProteinGrams, healthEnergyKcal, healthFile)
    }

    /// Protein of the day from both sources, to 0.01 g.
    public var proteinGrams: Double { ((seenProteinGrams + (healthProteinGrams ?? 0)) * 100).rounded() / 100 }
    /// Energy of the day from both sources, to 0.1 kcal.
    public var energyKcal: Double { ((seenEnergyKcal + (healthEnergyKcal ?? 0)) * 10).rounded() / 10 }
}

/// The wearer's journal over days: a SQLite database (GRDB; WAL, full sync, like the grocery
/// list). Table `day` holds each day's protein and energy — what the glasses saw eaten and what
/// an Apple Health export recorded — and table `eaten` each food behind the glasses' figures.
///
/// Days are the wearer's local dates, chosen by the caller (the pipeline takes them in the
/// wearer's time zone); the journal never reads the clock.
public final class Journal: JournalStore, @unchecked Sendable {
    public let path: String
    public let busyTimeout: Double
    private let db: DatabaseQueue

    /// Opens (creating if needed) the journal at `path`; its folder is created too.
    public init(path: String, busyTimeout: Double = 5) throws(StoreError) {
        self.path = path
        self.busyTimeout = busyTimeout
        db = try Store.openMigrated(path: path, busyTimeout: busyTimeout, what: "the journal", migrator: Self.migrator)
    }

    static var migrator: DatabaseMigrator {
        Store.migrator("v1: days and what was eaten", sql: """
            CREATE TABLE day (
                day TEXT PRIMARY KEY,               -- the wearer's local date, YYYY-MM-DD
                seenProteinGrams REAL NOT NULL DEFAULT 0,
                seenEnergyKcal REAL NOT NULL DEFAULT 0,
                seenItems INTEGER NOT NULL DEFAULT 0,
                healthProteinGrams REAL,            -- NULL: no Apple Health protein record
                healthEnergyKcal REAL,
                healthFile TEXT
            );
            CREATE TABLE eaten (
                key TEXT PRIMARY KEY,
                day TEXT NOT NULL REFERENCES day(day),
                foodID TEXT NOT NULL,
                item TEXT NOT NULL,
                portions REAL NOT NULL CHECK (portions > 0),
                proteinGrams REAL NOT NULL CHECK (proteinGrams >= 0),
                energyKcal REAL NOT NULL CHECK (energyKcal >= 0),
                recorded DATETIME NOT NULL
            );
            """)
    }

    static func validDay(_ s: String) -> Bool {
        let parts = s.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
            let m = Int(parts[1]), let d = Int(parts[2]), Int(parts[0]) != nil
        else { return false }
        return (1...12).contains(m) && (1...31).contains(d)
    }

    /// Adds what the glasses saw eaten to its day, in one committed transaction; an entry whose
    /// key is already there changes nothing. Returns whether it was added.
    @discardableResult
    public func record(_ entry: IntakeEntry, at now: Date) throws(StoreError) -> Bool {
        let operation = "add \(entry.item) to the journal"
        guard Self.validDay(entry.day), !entry.key.isEmpty, entry.portions > 0, entry.proteinGrams >= 0, entry.energyKcal >= 0,
            entry.proteinGrams.isFinite, entry.energyKcal.isFinite
        else {
            throw StoreError(
                path: path, operation: operation, reason: .invalidInput,
                detail:
                    "day \"\(entry.day)\", key \"\(entry.key)\", \(entry.portions) portion(s), \(entry.proteinGrams) g, \(entry.energyKcal) kcal"
            )
        }
        return try Store.run(path: path, operation: operation, busyTimeout: busyTimeout) {
            try db.write { db in
                if try Bool.fetchOne(db, sql: "SELECT 1 FROM eaten WHERE key = ?", arguments: [entry.key]) == true { return false }
                try db.execute(sql: "INSERT OR IGNORE INTO day (day) VALUES (?)", arguments: [entry.day])
                try db.execute(
                    sql: """
                        INSERT INTO eaten (key, day, foodID, item, portions, proteinGrams, energyKcal, recorded)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [entry.key, entry.day, entry.foodID, entry.item, entry.portions, entry.proteinGrams, entry.energyKcal, now])
                try db.execute(
                    sql: """
                        UPDATE day SET seenProteinGrams = seenProteinGrams + ?, seenEnergyKcal = seenEnergyKcal + ?,
                        seenItems = seenItems + 1 WHERE day = ?
                        """,
                    arguments: [entry.proteinGrams, entry.energyKcal, entry.day])
                return true
            }
        }
    }

    /// Sets each given day's Apple Health figures (an export is a whole history: its figures for a
    /// day replace the ones imported before), in one committed transaction.
    public func importHealth(_ days: [JournalDay], file: String) throws(StoreError) {
        try Store.run(path: path, operation: "import \(file) into the journal", busyTimeout: busyTimeout) {
            try db.write { db in
                for d in days {
                    guard Self.validDay(d.day) else {
                        throw StoreError(path: path, operation: "import", reason: .invalidInput, detail: d.day)
                    }
                    try db.execute(sql: "INSERT OR IGNORE INTO day (day) VALUES (?)", arguments: [d.day])
                    try db.execute(
                        sql: "UPDATE day SET healthProteinGrams = ?, healthEnergyKcal = ?, healthFile = ? WHERE day = ?",
                        arguments: [d.healthProteinGrams, d.healthEnergyKcal, file, d.day])
                }
            }
        }
    }

    /// The recorded days from `first` to `last` (inclusive, `YYYY-MM-DD`), oldest first.
    public func days(from first: String, through last: String) throws(StoreError) -> [JournalDay] {
        try Store.run(path: path, operation: "read the journal", busyTimeout: busyTimeout) {
            try db.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM day WHERE day >= ? AND day <= ? ORDER BY day", arguments: [first, last]).map {
                    JournalDay(
                        day: $0["day"], seenProteinGrams: $0["seenProteinGrams"], seenEnergyKcal: $0["seenEnergyKcal"],
                        seenItems: $0["seenItems"], healthProteinGrams: $0["healthProteinGrams"], healthEnergyKcal: $0["healthEnergyKcal"],
                        healthFile: $0["healthFile"])
                }
            }
        }
    }

    /// What the glasses saw eaten on `day`, oldest first.
    public func eaten(on day: String) throws(StoreError) -> [IntakeEntry] {
        try Store.run(path: path, operation: "read the journal", busyTimeout: busyTimeout) {
            try db.read { db in
                try Row.fetchAll(db, sql: "SELECT * FROM eaten WHERE day = ? ORDER BY recorded, key", arguments: [day]).map {
                    IntakeEntry(
                        key: $0["key"], day: $0["day"], foodID: $0["foodID"], item: $0["item"], portions: $0["portions"],
                        proteinGrams: $0["proteinGrams"], energyKcal: $0["energyKcal"])
                }
            }
        }
    }
}

/// A journal as a sink offers it (``ActionSink/journal``): read its days, import an export.
public protocol JournalStore: AnyObject, Sendable {
    /// Where it is kept, for messages and evidence.
    var path: String { get }
    /// The recorded days from `first` to `last` (inclusive), oldest first.
    func days(from first: String, through last: String) throws(StoreError) -> [JournalDay]
    /// Sets the Apple Health figures of the given days.
    func importHealth(_ days: [JournalDay], file: String) throws(StoreError)
}

/// The journal as a sink: records each `intake` event's entry (once per key).
public final class JournalSink: ActionSink, @unchecked Sendable {
    public let store: Journal
    public var name: String { "journal" }
    private let lock = NSLock()

    public init(journal: Journal) { store = journal }

    public var journal: (any JournalStore)? { store }

    public func handle(_ event: SightlineEvent) throws {
        guard let entry = event.intake else { return }
        lock.lock()
        defer { lock.unlock() }
        try store.record(entry, at: event.time)
    }

    /// Every entry is already committed; nothing to do.
    public func flush() throws {}
}

extension JournalDay {
    /// The journal for people: a heading naming `database`, then one line per day from `first`
    /// to `last` (days without a record show as such).
    public static func text(_ days: [JournalDay], first: String, last: String, dates: [String], database path: String) -> String {
        var lines = ["\(path): \(dates.count) day\(dates.count == 1 ? "" : "s") (\(first) … \(last))"]
        lines.append("  day          protein g   energy kcal   glasses (items)        Apple Health")
        let byDay = Dictionary(days.map { ($0.day, $0) }, uniquingKeysWith: { a, _ in a })
        func f(_ x: Double, _ decimals: Int) -> String { String(format: "%.\(decimals)f", x) }
        for d in dates {
            guard let day = byDay[d] else { lines.append("  \(d)   no record"); continue }
            let glasses = "\(f(day.seenProteinGrams, 2)) g, \(f(day.seenEnergyKcal, 0)) kcal (\(day.seenItems))"
            let health = day.healthProteinGrams.map { "\(f($0, 2)) g, \(f(day.healthEnergyKcal ?? 0, 0)) kcal" } ?? "—"
            lines.append(
                "  \(d)   " + f(day.proteinGrams, 2).leftPadded(9) + "   " + f(day.energyKcal, 0).leftPadded(11) + "   "
                    + glasses.padding(toLength: 22, withPad: " ", startingAt: 0) + " " + health)
        }
        return lines.joined(separator: "\n")
    }
}

extension String {
    fileprivate func leftPadded(_ n: Int) -> String { String(repeating: " ", count: max(0, n - count)) + self }
}
