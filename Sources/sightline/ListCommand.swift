import Actions
import ArgumentParser
import Foundation

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "Show (or empty) the grocery list Sightline keeps.",
        discussion: """
            The list is a SQLite database that the grocery sink adds to: one line per item and \
            unit, with the quantity, the reasons and when it was first and last added. The same \
            need seen again within its cooldown adds nothing; a new need for an item already on \
            the list adds to its quantity.

            The database is $SIGHTLINE_DATA/grocery.sqlite, else \
            $XDG_DATA_HOME/sightline/grocery.sqlite, else ~/.local/share/sightline/grocery.sqlite; \
            --db names another. Inspect it with: sqlite3 FILE 'SELECT * FROM item'.
            """
    )

    @Option(help: "The grocery list database (default: see below).")
    var db: String?

    @Flag(help: "Empty the list (and forget past needs, so a need seen again is added again).")
    var clear = false

    @Flag(help: "Print the list as one JSON object.")
    var json = false

    @Option(help: "Seconds to wait for another program that is writing to the list.")
    var wait: Double = 5

    func validate() throws {
        guard wait >= 0, wait.isFinite else { throw ValidationError("--wait must be a number of seconds, 0 or more") }
    }

    func run() throws {
        let path = db ?? ActionPaths.groceryDatabase()
        do {
            if !clear, !FileManager.default.fileExists(atPath: path) {
                try show([], path: path, exists: false)
                return
            }
            let list = try GroceryList(path: path, busyTimeout: wait)
            if clear {
                let n = try list.clear()
                if json {
                    try printJSON(Cleared(database: path, cleared: n))
                } else {
                    print("\(path): cleared \(n) item\(n == 1 ? "" : "s")")
                }
                return
            }
            try show(try list.items(), path: path, exists: true)
        } catch let error as StoreError {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }

    private struct Listing: Encodable {
        var database: String
        var items: [GroceryItem]
    }

    private struct Cleared: Encodable {
        var database: String
        var cleared: Int
    }

    private func printJSON(_ value: some Encodable) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        encoder.dateEncodingStrategy = .iso8601
        print(String(decoding: try encoder.encode(value), as: UTF8.self))
    }

    private func show(_ items: [GroceryItem], path: String, exists: Bool) throws {
        if json {
            try printJSON(Listing(database: path, items: items))
            return
        }
        guard !items.isEmpty else {
            print("\(path): the grocery list is empty\(exists ? "" : " (no database yet)")")
            return
        }
        print("\(path): \(items.count) item\(items.count == 1 ? "" : "s")")
        let formatter = ISO8601DateFormatter()
        let width = items.map { amount($0).count }.max() ?? 0
        let nameWidth = items.map(\.name.count).max() ?? 0
        for item in items {
            let a = amount(item)
            print(
                "  " + item.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0) + "  "
                    + String(repeating: " ", count: width - a.count) + a
                    + "  added \(formatter.string(from: item.firstAdded))"
                    + (item.lastAdded != item.firstAdded ? ", last \(formatter.string(from: item.lastAdded))" : ""))
            for reason in item.reasons { print("      why: \(reason)") }
        }
    }

    private func amount(_ item: GroceryItem) -> String {
        let q = item.quantity
        let number = q == q.rounded() && abs(q) < 1e15 ? String(Int64(q)) : String(format: "%.2f", q)
        return number + " " + item.unit
    }
}
