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
        private enum Keys: String, CodingKey {
            case day, proteinGrams, energyKcal, seenProteinGrams, seenEnergyKcal, seenItems, healthProteinGrams, healthEnergyKcal
        }
        func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: Keys.self)
            try c.encode(day.day, forKey: .day)
            try c.encode(day.proteinGrams, forKey: .proteinGrams)
            try c.encode(day.energyKcal, forKey: .energyKcal)
            try c.encode(day.seenProteinGrams, forKey: .seenProteinGrams)
            try c.encode(day.seenEnergyKcal, forKey: .seenEnergyKcal)
            try c.encode(day.seenItems, forKey: .seenItems)
            try c.encode(day.healthProteinGrams, forKey: .healthProteinGrams)
            try c.encode(day.healthEnergyKcal, forKey: .healthEnergyKcal)
        }
    }
}
