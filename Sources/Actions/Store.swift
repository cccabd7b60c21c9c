import Foundation
import GRDB

/// Why a Sightline database (grocery list, webhook outbox) could not be used. Every case names
/// the file; none of them loses what the file already holds (a failed change is rolled back).
public struct StoreError: Error, Equatable, CustomStringConvertible {
    public enum Reason: Sendable, Equatable {
        /// Another connection held the write lock longer than the busy timeout (seconds).
        case locked(timeout: Double)
        /// The file (or its folder, which SQLite needs for its journal) cannot be written.
        case readOnly
        /// The file or its folder could not be opened or created.
        case cannotOpen
        /// The file is not a SQLite database, or is damaged.
        case notADatabase
        /// A value the caller passed is not acceptable (message in `detail`).
        case invalidInput
        /// Anything else SQLite reported.
        case other
    }

    /// The database file.
    public var path: String
    /// What the store was doing ("add to the grocery list", "open").
    public var operation: String
    public var reason: Reason
    /// SQLite's own message, or the rule that was broken.
    public var detail: String

    public init(path: String, operation: String, reason: Reason, detail: String) {
        (self.path, self.operation, self.reason, self.detail) = (path, operation, reason, detail)
    }

    public var description: String {
        switch reason {
        case .locked(let timeout):
            return "\(path): cannot \(operation): the database is locked by another program "
                + "(waited \(timeout) s); nothing was changed, try again when it has finished"
        case .readOnly:
            return "\(path): cannot \(operation): the database is read-only (check the permissions of the file "
                + "and of its folder); nothing was changed"
        case .cannotOpen:
            return "\(path): cannot \(operation): cannot open or create the database file (\(detail))"
        case .notADatabase:
            return "\(path): cannot \(operation): not a SQLite database, or damaged (\(detail))"
        case .invalidInput:
            return "\(path): cannot \(operation): \(detail)"
        case .other:
            return "\(path): cannot \(operation): \(detail)"
        }
    }
}

/// Opening and error mapping shared by the grocery list and the outbox.
enum Store {
    /// A WAL database queue on `path` with full synchronous commits (a committed change survives
    /// a crash and a power cut) and the given busy timeout.
    static func open(path: String, busyTimeout: Double, operation: String) throws(StoreError) -> DatabaseQueue {
        var config = Configuration()
        config.busyMode = .timeout(busyTimeout)
        config.label = path
        config.prepareDatabase { db in
            // Switch to WAL only when the file is not in WAL already: asking again would need the
            // write lock, and another program writing must not stop us from reading.
            if try String.fetchOne(db, sql: "PRAGMA journal_mode") != "wal" {
                try db.execute(sql: "PRAGMA journal_mode = WAL")
            }
            try db.execute(sql: "PRAGMA synchronous = FULL")
        }
        do {
            return try DatabaseQueue(path: path, configuration: config)
        } catch {
            throw map(error, path: path, operation: operation, busyTimeout: busyTimeout)
        }
    }

    /// A migrator with one migration, `identifier` (never renamed: databases record it), that
    /// runs `sql`.
    static func migrator(_ identifier: String, sql: String) -> DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration(identifier) { db in try db.execute(sql: sql) }
        return m
    }

    /// Opens the database at `path` (its folder created if needed) and brings it to the latest of
    /// `migrator`'s migrations; `what` names it in errors ("the grocery list").
    static func openMigrated(path: String, busyTimeout: Double, what: String, migrator: DatabaseMigrator) throws(StoreError)
        -> DatabaseQueue
    {
        let folder = (path as NSString).deletingLastPathComponent
        if !folder.isEmpty, !FileManager.default.fileExists(atPath: folder) {
            do { try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true) } catch {
                throw StoreError(
                    path: path, operation: "open \(what)", reason: .cannotOpen,
                    detail: "cannot create \(folder): \(error.localizedDescription)")
            }
        }
        let queue = try open(path: path, busyTimeout: busyTimeout, operation: "open \(what)")
        try run(path: path, operation: "set up \(what)", busyTimeout: busyTimeout) {
            // Migrating takes the write lock; skip it when there is nothing to do, so that a
            // reader is not held up by another program writing.
            if try !queue.read(migrator.hasCompletedMigrations) { try migrator.migrate(queue) }
        }
        return queue
    }

    /// Runs `body`, turning SQLite's errors into ``StoreError``s that name the file.
    static func run<T>(
        path: String, operation: String, busyTimeout: Double, _ body: () throws -> T
    ) throws(StoreError) -> T {
        do { return try body() } catch {
            throw map(error, path: path, operation: operation, busyTimeout: busyTimeout)
        }
    }

    static func map(_ error: any Error, path: String, operation: String, busyTimeout: Double) -> StoreError {
        if let e = error as? StoreError { return e }
        guard let db = error as? DatabaseError else {
            return StoreError(path: path, operation: operation, reason: .other, detail: "\(error)")
        }
        let detail = db.message ?? "\(db.resultCode)"
        let reason: StoreError.Reason
        switch db.resultCode.primaryResultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED: reason = .locked(timeout: busyTimeout)
        case .SQLITE_READONLY, .SQLITE_PERM: reason = .readOnly
        case .SQLITE_CANTOPEN: reason = .cannotOpen
        case .SQLITE_NOTADB, .SQLITE_CORRUPT: reason = .notADatabase
        default: reason = .other
        }
        return StoreError(path: path, operation: operation, reason: reason, detail: detail)
    }
}
