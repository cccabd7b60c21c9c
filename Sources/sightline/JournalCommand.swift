import Actions
import ArgumentParser
import Foundation
import Pipeline
import Reasoning

struct JournalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "journal",
        abstract: "Show the journal: each day's protein and energy, from the glasses and Apple Health.",
        discussion: """
            The journal sink records food the glasses saw taken out and not put back; a scene whose profile names an Apple \
            Health export imports its days. Default database: journal.sqlite in the data folder (see sightline list).
            """)

    @Option(help: "The journal database (default: journal.sqlite in the data folder).")
    var db: String?

    @Option(help: "How many days to show, ending on --today.")
    var days = 7

    @Option(help: "The last day shown, YYYY-MM-DD (default: today).")
    var today: String?

    @Flag(help: "Print the days as one JSON object.")
    var json = false

    func validate() throws {
        guard (1...3660).contains(days) else { throw ValidationError("--days must be between 1 and 3660") }
        if let today, LocalDate(today) == nil { throw ValidationError("--today must be a date like 2026-11-22") }
    }

    func run() throws {
        let last = today.flatMap { LocalDate($0) } ?? .current()
        do { print(try JournalReport.render(path: db ?? ActionPaths.journalDatabase(), days: days, through: last, json: json)) } catch {
            throw fail(error)
        }
    }
}
