import Actions
import Foundation
public import Reasoning

/// What `sightline journal` prints: the last days of the wearer's journal, as text or JSON.
public enum JournalReport {
    /// The `days` days ending on `last`: a table for people, or `{"database", "first", "last",
    /// "days": [...]}` (recorded days only) as JSON. A journal that does not exist yet is
    /// reported, not created.
    public static func render(path: String, days: Int, through last: LocalDate, json: Bool) throws -> String {
        let first = last.adding(days: -(max(1, days) - 1))
        let dates = (0..<max(1, days)).map { first.adding(days: $0).description }
        let recorded =
            FileManager.default.fileExists(atPath: path)
            ? try Journal(path: path).days(from: first.description, through: last.description) : []
        if json {
            return try GroceryItem.json(
                ["days": recorded.map(Day.init)], database: path, extra: ["first": first.description, "last": last.description])
        }
        guard FileManager.default.fileExists(atPath: path) else { return "\(path): no journal yet" }
        return JournalDay.text(recorded, first: first.description, last: last.description, dates: dates, database: path)
    }

    /// A day as JSON: its totals beside the figures of each source.
    struct Day: Encodable {
        let day: JournalDay
        init(_ day: JournalDay) { self.day = day }
        func encode(to encoder: any Encoder) throws {
            try encoder.encodeFields([
                "day": day.day, "proteinGrams": day.proteinGrams, "energyKcal": day.energyKcal,
                "seenProteinGrams": day.seenProteinGrams, "seenEnergyKcal": day.seenEnergyKcal, "seenItems": day.seenItems,
                "healthProteinGrams": day.healthProteinGrams, "healthEnergyKcal": day.healthEnergyKcal,
            ])
        }
    }
}
