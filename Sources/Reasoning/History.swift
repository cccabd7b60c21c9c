public import SightlineCore

/// A food the frames show the wearer probably ate (the consumption step's conclusion), for the
/// journal: what, how much, and the capture time of its last sighting.
public struct ConsumedFood: Sendable, Equatable {
    /// The consumption fact in the trace.
    public var fact: String
    public var foodID: String
    public var name: String
    public var label: String
    public var trackID: Int
    public var portions: Double
    public var proteinGrams: Double
    public var energyKcal: Double
    /// When and where it was last seen (capture time, frame origin).
    public var time: Timestamp
    public var origin: String
}

/// What the wearer ate on one day, as the journal holds it: the food the glasses saw taken out
/// and not put back, and what an Apple Health export recorded.
public struct DayIntake: Sendable, Equatable {
    public var day: LocalDate
    /// Protein and energy of the food the glasses saw eaten.
    public var seenProteinGrams: Double
    public var seenEnergyKcal: Double
    /// Protein and energy from an Apple Health export, when it has records for the day.
    public var healthProteinGrams: Double?
    public var healthEnergyKcal: Double?

    public init(
        day: LocalDate, seenProteinGrams: Double = 0, seenEnergyKcal: Double = 0, healthProteinGrams: Double? = nil,
        healthEnergyKcal: Double? = nil
    ) {
        (self.day, self.seenProteinGrams, self.seenEnergyKcal) = (day, seenProteinGrams, seenEnergyKcal)
        (self.healthProteinGrams, self.healthEnergyKcal) = (healthProteinGrams, healthEnergyKcal)
    }

    /// Protein of the day from both sources.
    public var proteinGrams: Double { round2(seenProteinGrams + (healthProteinGrams ?? 0)) }

    /// The sources in words: "glasses 11.92 g, Apple Health 40 g".
    var sources: String {
        var parts: [String] = []
        if seenProteinGrams > 0 || healthProteinGrams == nil { parts.append("glasses \(grams(seenProteinGrams)) g") }
        if let h = healthProteinGrams { parts.append("Apple Health \(grams(h)) g") }
        return parts.joined(separator: ", ")
    }
}

/// The wearer's journal over past days, an input of a run like `today` (the reasoner reads no
/// database): the pipeline reads it from the journal before the chain runs. ``none`` is a run
/// without a journal; steps that weigh the history then say nothing about it.
public struct IntakeHistory: Sendable, Equatable {
    /// Where the days come from (the journal file), named in evidence.
    public var source: String
    /// Recorded days, any order; a day without an entry has no record.
    public var days: [DayIntake]

    public init(source: String, days: [DayIntake]) { (self.source, self.days) = (source, days) }

    /// No journal.
    public static let none = IntakeHistory(source: "", days: [])

    public var isNone: Bool { source.isEmpty && days.isEmpty }

    /// The recorded days among the `count` days before `today`, newest first.
    public func days(before today: LocalDate, count: Int) -> [DayIntake] {
        let end = today.daysSinceEpoch
        return days.filter { (end - count..<end).contains($0.day.daysSinceEpoch) }.sorted { $0.day > $1.day }
    }
}
