import Actions
import Foundation
import GRDB
import SightlineCore
import SightlineTestSupport
import Testing

@Suite struct GroceryListTests {
    @Test func theSameNeedWithinTheCooldownAddsNothing() throws {
        let list = try GroceryList(path: tempDir() + "/g.sqlite", cooldown: 12 * 3600)
        let yogurt = need("Greek yogurt", 500, key: "protein/2024-05-01")
        guard case .added(let item) = try list.add(yogurt, at: may1) else { Issue.record("not added"); return }
        #expect(item.quantity == 500 && item.unit == "g")
        // Seen again in later frames, up to just before the cooldown ends: unchanged.
        for seconds: Double in [1, 3600, 12 * 3600 - 1] {
            #expect(
                try list.add(yogurt, at: may1.addingTimeInterval(seconds))
                    == .unchanged(needKey: yogurt.needKey, until: may1.addingTimeInterval(12 * 3600)))
        }
        // A time before the need was applied (a clock step back) is not a new need either.
        if case .unchanged = try list.add(yogurt, at: may1.addingTimeInterval(-60)) {} else { Issue.record("earlier time re-added") }
        #expect(try list.items().map(\.quantity) == [500])
        // Once the cooldown has passed, the same need counts again and merges.
        guard case .merged(let merged, let added) = try list.add(yogurt, at: may1.addingTimeInterval(12 * 3600)) else {
            Issue.record("not merged after cooldown"); return
        }
        #expect(merged.quantity == 1000 && added == 500)
        #expect(try list.items().count == 1)
    }

    @Test func aNewNeedForAnItemOnTheListMergesItsQuantity() throws {
        let list = try GroceryList(path: tempDir() + "/g.sqlite")
        try list.add(need("Greek yogurt", 500, key: "protein/day1", reason: "short of 40 g protein"), at: may1)
        let outcome = try list.add(
            need("  greek   YOGURT ", 250, key: "protein/breakfast", reason: "breakfast"), at: may1.addingTimeInterval(60))
        guard case .merged(let item, let added) = outcome else { Issue.record("\(outcome)"); return }
        #expect(added == 250)
        #expect(item.name == "Greek yogurt")  // the first spelling stays
        #expect(item.quantity == 750)
        #expect(item.reasons == ["short of 40 g protein", "breakfast"])
        #expect(item.needKeys == ["protein/day1", "protein/breakfast"])
        // Another unit is another line; another item is another line.
        try list.add(need("Greek yogurt", 2, "pot", key: "pots"), at: may1.addingTimeInterval(120))
        try list.add(need("Lentils", 400, key: "vegan"), at: may1.addingTimeInterval(180))
        let items = try list.items()
        #expect(items.map(\.name) == ["Greek yogurt", "Greek yogurt", "Lentils"])
        #expect(items.map(\.unit) == ["g", "pot", "g"])
        #expect(items.map(\.quantity) == [750, 2, 400])
        #expect(abs(items[0].firstAdded.timeIntervalSince(may1)) < 0.001)
        #expect(abs(items[0].lastAdded.timeIntervalSince(may1.addingTimeInterval(60))) < 0.001)
    }

    @Test func theListSurvivesReopeningAndClearEmptiesIt() throws {
        let path = tempDir() + "/g.sqlite"
        do {
            let list = try GroceryList(path: path)
            try list.add(need("Eggs", 6, "item", key: "eggs"), at: may1)
        }
        let reopened = try GroceryList(path: path)
        #expect(try reopened.items().map(\.name) == ["Eggs"])
        // The cooldown is remembered across runs too.
        if case .unchanged = try reopened.add(need("Eggs", 6, "item", key: "eggs"), at: may1.addingTimeInterval(5)) {
        } else {
            Issue.record("need applied twice across a reopen")
        }
        #expect(try reopened.clear() == 1)
        #expect(try reopened.items().isEmpty)
        // Clearing forgets the needs: seen again, the item is added again.
        if case .added = try reopened.add(need("Eggs", 6, "item", key: "eggs"), at: may1.addingTimeInterval(10)) {
        } else {
            Issue.record("not added after clear")
        }
    }

    @Test func nonsenseNeedsAreRefusedAndChangeNothing() throws {
        let path = tempDir() + "/g.sqlite"
        let list = try GroceryList(path: path)
        for bad in [
            need("", 1, key: "k"), need("Milk", 0, key: "k"), need("Milk", -1, key: "k"), need("Milk", .nan, key: "k"),
            need("Milk", 1, key: ""),
        ] {
            var refusal: StoreError?
            do { try list.add(bad, at: may1) } catch { refusal = error }
            #expect(refusal?.reason == .invalidInput, "\(bad)")
            #expect(refusal.map { "\($0)".contains(path) } == true)
        }
        #expect(try list.items().isEmpty)
        var refusal: StoreError?
        do { try list.add(need("Milk", -1, key: "k"), at: may1) } catch { refusal = error }
        #expect(refusal.map { "\($0)".contains("quantity -1.0 is not a positive number") } == true, "\(String(describing: refusal))")
    }

    @Test func aLockedDatabaseIsAClearErrorAndLosesNothing() throws {
        let path = tempDir() + "/g.sqlite"
        let list = try GroceryList(path: path, busyTimeout: 0.2)
        try list.add(need("Eggs", 6, "item", key: "eggs"), at: may1)
        // Another program takes the write lock and keeps it until its stdin closes.
        let locker = try Child(
            "/usr/bin/python3",
            [
                "-c",
                "import sqlite3,sys; c=sqlite3.connect(sys.argv[1], isolation_level=None); c.execute('BEGIN IMMEDIATE'); "
                    + "c.execute(\"INSERT INTO item (key,name,unit,quantity,reasons,needKeys,firstAdded,lastAdded) VALUES ('x','X','g',1,'[]','[]','2024-01-01','2024-01-01')\"); "
                    + "print('locked', flush=True); sys.stdin.read()",
                path,
            ])
        defer { locker.finish() }
        try #require(locker.lines(1) == ["locked"])
        let started = Date()
        do {
            try list.add(need("Milk", 1, "l", key: "milk"), at: may1)
            Issue.record("add succeeded while the database was locked")
        } catch {
            #expect(error.reason == .locked(timeout: 0.2))
            #expect("\(error)".contains(path) && "\(error)".contains("locked by another program"), "\(error)")
        }
        #expect(Date().timeIntervalSince(started) >= 0.15)  // it waited for the busy timeout
        // Reading is not blocked by a writer (WAL), and nothing recorded was lost.
        #expect(try list.items().map(\.name) == ["Eggs"])
        locker.finish()  // the other program ends without committing
        try list.add(need("Milk", 1, "l", key: "milk"), at: may1)
        #expect(try list.items().map(\.name) == ["Eggs", "Milk"])
    }

    @Test func aReadOnlyDatabaseIsAClearErrorAndLosesNothing() throws {
        let dir = tempDir(), path = dir + "/g.sqlite"
        do {
            let list = try GroceryList(path: path)
            try list.add(need("Eggs", 6, "item", key: "eggs"), at: may1)
        }
        // Make the file read-only even for root (tests may run as root, which ignores modes).
        chmod(path, 0o444)
        if geteuid() == 0 { _ = try run("/usr/bin/chattr", ["+i", path]) }
        defer {
            if geteuid() == 0 { _ = try? run("/usr/bin/chattr", ["-i", path]) }
            chmod(path, 0o644)
        }
        let probe = open(path, O_WRONLY)
        if probe >= 0 { close(probe) }
        try #require(probe < 0, "could not make \(path) read-only here")

        var failure: StoreError?
        do {
            let list = try GroceryList(path: path)
            try list.add(need("Milk", 1, "l", key: "milk"), at: may1)
        } catch {
            failure = error
        }
        let error = try #require(failure)
        #expect(error.reason == .readOnly, "\(error)")
        #expect("\(error)".contains(path) && "\(error)".contains("read-only"), "\(error)")
        if geteuid() == 0 { _ = try run("/usr/bin/chattr", ["-i", path]) }
        chmod(path, 0o644)
        #expect(try GroceryList(path: path).items().map(\.name) == ["Eggs"])
    }

    @Test func aFileThatIsNotADatabaseIsNamed() throws {
        let path = tempDir() + "/g.sqlite"
        try Data(String(repeating: "not sqlite ", count: 200).utf8).write(to: URL(fileURLWithPath: path))
        #expect {
            try GroceryList(path: path)
        } throws: { error in
            (error as? StoreError)?.reason == .notADatabase && "\(error)".contains(path)
        }
    }

    @Test func aCrashBetweenFramesLosesNothingAlreadyAdded() throws {
        let path = tempDir() + "/g.sqlite"
        let child = try Child(productPath("ActionsTestHelper"), ["grocery", path, "100000", "5"])
        let lines = child.lines(8)
        child.kill()  // SIGKILL mid-stream
        try #require(lines.count == 8, "helper said: \(lines)")
        let reported = lines.map { Int($0.split(separator: " ")[1])! }
        #expect(reported == Array(0..<8))

        let list = try GroceryList(path: path)
        let items = try list.items()
        // Everything the child was told was added is there, whole; at most one more add (the one
        // in flight when it was killed) may have committed too.
        #expect(items.count == 8 || items.count == 9, "\(items.count) items")
        for (i, item) in items.enumerated() {
            #expect(item.name == "item \(i)" && item.quantity == Double(i + 1) && item.needKeys == ["need-\(i)"])
        }
        let queue = try DatabaseQueue(path: path)
        #expect(try queue.read { try String.fetchOne($0, sql: "PRAGMA integrity_check") } == "ok")
        #expect(try queue.read { try Int.fetchOne($0, sql: "SELECT count(*) FROM need") } == items.count)
    }

    @Test func theSinkAddsNeedsAtTheEventsTime() throws {
        let sink = GroceryListSink(list: try GroceryList(path: tempDir() + "/g.sqlite"))
        try sink.handle(sampleEvent(0))  // no need: ignored
        #expect(sink.lastOutcome == nil)
        let yogurt = need("Greek yogurt", 500, key: "protein")
        try sink.handle(sampleEvent(1, kind: .groceryNeed, grocery: yogurt))
        if case .added = sink.lastOutcome {} else { Issue.record("\(String(describing: sink.lastOutcome))") }
        try sink.handle(sampleEvent(2, kind: .groceryNeed, grocery: yogurt))
        #expect(sink.lastOutcome == .unchanged(needKey: "protein", until: may1.addingTimeInterval(1 + 12 * 3600)))
        #expect(try sink.list.items().map(\.quantity) == [500])
    }
}
