import Actions
import ArgumentParser
import Foundation

struct ListCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "list",
        abstract: "Show (or empty) the grocery list Sightline keeps.",
        discussion: """
            The list is a SQLite database that the grocery sink adds to: one line per item and unit, with the quantity, the \
            reasons and when it was first and last added. The same need seen again within its cooldown adds nothing; a new need \
            for an item already on the list adds to its quantity.

            The database is $SIGHTLINE_DATA/grocery.sqlite, else $XDG_DATA_HOME/sightline/grocery.sqlite, else \
            ~/.local/share/sightline/grocery.sqlite; --db names another. Inspect it with: sqlite3 FILE 'SELECT * FROM item'.
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
        guard (0...3600).contains(wait) else { throw ValidationError("--wait must be between 0 and 3600 seconds") }
    }

    func run() throws {
        let path = db ?? ActionPaths.groceryDatabase()
        do { print(try GroceryItem.listCommand(path: path, clear: clear, json: json, wait: wait)) } catch let error as StoreError {
            throw fail(error)
        }
    }
}
