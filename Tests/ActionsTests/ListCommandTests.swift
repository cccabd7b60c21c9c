import Actions
import Foundation
import SightlineTestSupport
import Testing

/// `sightline list` against real databases.
@Suite struct ListCommandTests {
    let sightline = productPath("sightline")

    @Test func showsClearsAndPrintsJSON() throws {
        let dir = tempDir(), path = dir + "/data/grocery.sqlite"
        // No database yet: an empty list, and no file is created just by looking.
        let empty = try run(sightline, ["list"], environment: ["SIGHTLINE_DATA": dir + "/data"])
        #expect(empty.status == 0, "\(empty.err)")
        #expect(empty.out == "\(path): the grocery list is empty (no database yet)\n")
        #expect(!FileManager.default.fileExists(atPath: path))

        let list = try GroceryList(path: path)
        try list.add(need("Greek yogurt", 500, key: "protein/day1", reason: "short of 38 g protein today"), at: may1)
        try list.add(
            need("Greek yogurt", 250, key: "protein/day2", reason: "short of 20 g protein today"), at: may1.addingTimeInterval(86400))
        try list.add(need("Eggs", 6, "item", key: "eggs"), at: may1.addingTimeInterval(60))

        let text = try run(sightline, ["list", "--db", path])
        #expect(text.status == 0, "\(text.err)")
        #expect(text.out.contains("\(path): 2 items"))
        #expect(text.out.contains("Greek yogurt   750 g  added 2024-05-01T12:00:00Z, last 2024-05-02T12:00:00Z"), "\(text.out)")
        #expect(text.out.contains("why: short of 20 g protein today"))
        #expect(text.out.contains("Eggs          6 item"), "\(text.out)")

        let json = try run(sightline, ["list", "--json"], environment: ["SIGHTLINE_DATA": dir + "/data"])
        let object = try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any]
        #expect(object?["database"] as? String == path)
        let items = object?["items"] as? [[String: Any]] ?? []
        #expect(items.compactMap { $0["name"] as? String } == ["Greek yogurt", "Eggs"])
        #expect(items.first?["quantity"] as? Double == 750)
        #expect(items.first?["needKeys"] as? [String] == ["protein/day1", "protein/day2"])

        let cleared = try run(sightline, ["list", "--db", path, "--clear"])
        #expect(cleared.status == 0 && cleared.out == "\(path): cleared 2 items\n", "\(cleared.out) \(cleared.err)")
        #expect(try list.items().isEmpty)
        #expect(try run(sightline, ["list", "--db", path]).out == "\(path): the grocery list is empty\n")
    }

    @Test func aLockedListIsAClearErrorNamingTheFile() throws {
        let path = tempDir() + "/grocery.sqlite"
        try GroceryList(path: path).add(need("Eggs", 6, "item", key: "eggs"), at: may1)
        let locker = try Child(
            "/usr/bin/python3",
            [
                "-c",
                "import sqlite3,sys; c=sqlite3.connect(sys.argv[1], isolation_level=None); c.execute('BEGIN IMMEDIATE'); "
                    + "print('locked', flush=True); sys.stdin.read()",
                path,
            ])
        defer { locker.finish() }
        try #require(locker.lines(1) == ["locked"])
        // Reading works while another program writes; clearing must wait, and then says why not.
        let shown = try run(sightline, ["list", "--db", path, "--wait", "0.2"])
        #expect(shown.status == 0 && shown.out.contains("Eggs"), "\(shown.out) \(shown.err)")
        let clear = try run(sightline, ["list", "--db", path, "--clear", "--wait", "0.2"])
        #expect(clear.status == 1)
        #expect(
            clear.err.contains("error: \(path): cannot clear the grocery list: the database is locked by another program"), "\(clear.err)")
        locker.finish()
        #expect(try GroceryList(path: path).items().map(\.name) == ["Eggs"])
    }

    @Test func aDatabaseInAFolderThatCannotBeCreatedIsNamed() throws {
        let blocker = tempDir() + "/file"
        try Data("x".utf8).write(to: URL(fileURLWithPath: blocker))
        let r = try run(sightline, ["list", "--db", blocker + "/grocery.sqlite", "--clear"])
        #expect(r.status == 1)
        #expect(r.err.contains(blocker + "/grocery.sqlite"), "\(r.err)")
    }
}
