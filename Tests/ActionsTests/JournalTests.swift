import Actions
import Foundation
import GRDB
import SightlineCore
import SightlineTestSupport
import Testing

/// The journal of days against a real SQLite database (GRDB), its sink, its events, and
/// `sightline journal`.
@Suite struct JournalTests {
    static func entry(_ key: String, _ day: String, _ grams: Double, kcal: Double = 100) -> IntakeEntry {
        IntakeEntry(key: key, day: day, foodID: "yogurt", item: "Yogurt", portions: 1, proteinGrams: grams, energyKcal: kcal)
    }

    @Test func eachDayAddsWhatWasEatenOnceAndKeepsAppleHealthApart() throws {
        let path = tempDir() + "/j/journal.sqlite"
        let journal = try Journal(path: path)
        #expect(try journal.record(Self.entry("a", "2026-11-21", 11.92), at: may1))
        #expect(try journal.record(Self.entry("b", "2026-11-21", 7.06, kcal: 114.25), at: may1))
        #expect(try !journal.record(Self.entry("a", "2026-11-21", 11.92), at: may1))  // the same key: nothing
        #expect(try journal.record(Self.entry("c", "2026-11-22", 5), at: may1))
        try journal.importHealth([JournalDay(day: "2026-11-21", healthProteinGrams: 40, healthEnergyKcal: 1800)], file: "export.xml")
        try journal.importHealth([JournalDay(day: "2026-11-21", healthProteinGrams: 42.5, healthEnergyKcal: 1900)], file: "export.xml")
        // Reopened: everything is there.
        let days = try Journal(path: path).days(from: "2026-11-20", through: "2026-11-22")
        #expect(days.map(\.day) == ["2026-11-21", "2026-11-22"])
        #expect(days[0].seenProteinGrams == 18.98 && days[0].seenItems == 2 && days[0].seenEnergyKcal == 214.25)
        #expect(days[0].healthProteinGrams == 42.5 && days[0].proteinGrams == 61.48 && days[0].energyKcal == 2114.3)
        #expect(days[1].healthProteinGrams == nil && days[1].proteinGrams == 5)
        #expect(try journal.eaten(on: "2026-11-21").map(\.key) == ["a", "b"])
        // Bad entries change nothing.
        for bad in [Self.entry("d", "2026-13-01", 1), Self.entry("", "2026-11-21", 1), Self.entry("e", "2026-11-21", -1)] {
            #expect(throws: StoreError.self) { try journal.record(bad, at: may1) }
        }
        #expect(try journal.days(from: "2026-11-21", through: "2026-11-21") == [days[0]])
        let db = try DatabaseQueue(path: path)
        #expect(try db.read { try String.fetchOne($0, sql: "PRAGMA integrity_check") } == "ok")
    }

    @Test func theSinkRecordsIntakeEventsOnly() throws {
        let journal = try Journal(path: tempDir() + "/journal.sqlite")
        let sink = JournalSink(journal: journal)
        try sink.handle(sampleEvent(1))
        var event = sampleEvent(2, kind: .intake)
        event.intake = Self.entry("k", "2026-11-22", 11.92)
        try sink.handle(event)
        try sink.handle(event)
        #expect(try journal.days(from: "2026-11-22", through: "2026-11-22").map(\.seenItems) == [1])
        #expect(SinkSet([sink]).journal != nil)
        // The event carries the entry in its JSON, and a different entry is a different event.
        let line = String(decoding: try event.jsonLine(), as: UTF8.self)
        #expect(line.contains("\"intake\":{") && line.contains("\"kind\":\"intake\""))
        var other = event
        other.intake?.proteinGrams = 12
        #expect(other.id != event.id)
    }

    @Test func aWarningEventCarriesItsFramesAndRule() throws {
        var event = sampleEvent(3, kind: .warning)
        event.warning = SightlineEvent.WarningNotice(
            key: "left-out/leftOut.chicken.6", chain: "left-out", message: "Chicken has been out of the fridge for 2 h.",
            rule: "food-safety.2-hour-rule", ruleText: "2 hours", subject: "Chicken",
            frames: [.init(origin: "f000.jpg", sequence: 0, captureTime: Timestamp(nanoseconds: 0))])
        let line = String(decoding: try event.jsonLine(), as: UTF8.self)
        #expect(line.contains("\"kind\":\"warning\""), "\(line)")
        #expect(line.contains("\"frames\":[{\"captureTime\":{\"nanoseconds\":0},\"origin\":\"f000.jpg\",\"sequence\":0}]"), "\(line)")
        let back = try SightlineEvent.makeDecoder().decode(SightlineEvent.self, from: Data(line.utf8))
        #expect(back == event && back.id == event.id)
        // The frame's event lists the warnings in force for the overlay; without any, the bytes are as before.
        #expect(!String(decoding: try sampleEvent(4).jsonLine(), as: UTF8.self).contains("warnings"))
    }

    @Test func theJournalCommandShowsTheDays() throws {
        let dir = tempDir(), path = dir + "/journal.sqlite"
        let none = try run(productPath("sightline"), ["journal", "--db", path])
        #expect(none.status == 0 && none.out == "\(path): no journal yet\n" && !FileManager.default.fileExists(atPath: path))
        let journal = try Journal(path: path)
        try journal.record(Self.entry("a", "2026-11-21", 11.92, kcal: 140), at: may1)
        try journal.importHealth([JournalDay(day: "2026-11-20", healthProteinGrams: 40, healthEnergyKcal: 1800)], file: "export.xml")
        let text = try run(productPath("sightline"), ["journal", "--db", path, "--days", "3", "--today", "2026-11-22"])
        #expect(text.status == 0, "\(text.err)")
        #expect(text.out.contains("\(path): 3 days (2026-11-20 … 2026-11-22)"), "\(text.out)")
        #expect(text.out.contains("2026-11-21       11.92           140   11.92 g, 140 kcal (1)"), "\(text.out)")
        #expect(text.out.contains("2026-11-20       40.00          1800   0.00 g, 0 kcal (0)     40.00 g, 1800 kcal"), "\(text.out)")
        #expect(text.out.contains("2026-11-22   no record"))
        let json = try run(productPath("sightline"), ["journal", "--db", path, "--days", "3", "--today", "2026-11-22", "--json"])
        let object = try #require(try JSONSerialization.jsonObject(with: Data(json.out.utf8)) as? [String: Any])
        let days = try #require(object["days"] as? [[String: Any]])
        #expect(days.map { $0["day"] as? String } == ["2026-11-20", "2026-11-21"] && object["first"] as? String == "2026-11-20")
        #expect(days[1]["proteinGrams"] as? Double == 11.92 && days[0]["healthProteinGrams"] as? Double == 40)
        let bad = try run(productPath("sightline"), ["journal", "--db", path, "--days", "0"])
        #expect(bad.status != 0 && bad.err.contains("--days must be between 1 and 3660"))
    }
}
