import Actions
import Foundation
import Pipeline
import Reasoning
import SightlineCore
import SightlineTestSupport
import Testing

/// The journal over days through the pipeline, against a real GRDB journal in a temporary folder:
/// what the frames show eaten is recorded on the wearer's local date of the event's time, right
/// on either side of midnight, in different time zones and across both daylight-saving changes;
/// the next day's chain weighs the days recorded.
@Suite struct JournalDayTests {
    static func instant(_ iso: String) -> Date { ISO8601DateFormatter().date(from: iso)! }

    static func wearer(zone: String) throws -> Profile {
        try Profile(name: "W", dailyProteinTargetGrams: 84, proteinEatenTodayGrams: 40, timeZone: zone)
    }

    @Test func theWearersDayFollowsTheirTimeZoneAcrossMidnightAndDST() {
        let paris = TimeZone(identifier: "Europe/Paris")!
        let cases: [(String, TimeZone, String)] = [
            // Winter (UTC+1): midnight is 23:00 UTC.
            ("2026-11-21T22:59:59Z", paris, "2026-11-21"), ("2026-11-21T23:00:00Z", paris, "2026-11-22"),
            // The night the clocks go forward (29 March 2026, 02:00 → 03:00): that night's midnight
            // is still 23:00 UTC, the next one 22:00 UTC (UTC+2).
            ("2026-03-28T22:59:59Z", paris, "2026-03-28"), ("2026-03-28T23:00:00Z", paris, "2026-03-29"),
            ("2026-03-29T21:59:59Z", paris, "2026-03-29"), ("2026-03-29T22:00:00Z", paris, "2026-03-30"),
            // Back (25 October 2026, 03:00 → 02:00): the day has 25 hours; midnight after it is 23:00 UTC.
            ("2026-10-24T21:59:59Z", paris, "2026-10-24"), ("2026-10-24T22:00:00Z", paris, "2026-10-25"),
            ("2026-10-25T22:59:59Z", paris, "2026-10-25"), ("2026-10-25T23:00:00Z", paris, "2026-10-26"),
            // One instant, three wearers.
            ("2026-11-22T03:30:00Z", TimeZone(identifier: "America/Los_Angeles")!, "2026-11-21"),
            ("2026-11-22T03:30:00Z", TimeZone(identifier: "Asia/Tokyo")!, "2026-11-22"),
            ("2026-11-22T03:30:00Z", TimeZone(identifier: "UTC")!, "2026-11-22"),
        ]
        for (iso, zone, day) in cases {
            #expect(LocalDate(Self.instant(iso), in: zone).description == day, "\(iso) in \(zone.identifier)")
        }
    }

    /// Cheese in a fridge leaves across the right edge (last seen at 80 s of capture time); at
    /// 200 s it has not come back: the fridge chain counts it eaten. The frames' events carry
    /// `start` + capture time; the journal records the cheese on the wearer's day at 200 s.
    static func replay(start: String, zone: String, journal: Journal, fixed: LocalDate? = nil) throws -> [FrameOutcome] {
        let models = Reference.repoRoot + "/Models"
        let reasoner = try Reasoner(
            chain: try ChainDefinition.load(path: models + "/chains/fridge.json", name: "Models/chains/fridge.json"),
            knowledge: try NutritionKnowledge.load(path: models + "/nutrition.json", name: "Models/nutrition.json"))
        let pipeline = ScenePipeline(
            detector: nil, reasoners: [reasoner], profile: try wearer(zone: zone), today: fixed,
            sinks: SinkSet([JournalSink(journal: journal)]), journal: journal)
        let photo = try FileIO.readJPEGFrame(TestData.samples + "/train/images/\(photoB).jpg")
        func box(_ label: String, _ x: Float, w: Float = 100) -> Detection {
            Detection(label: label, classID: 0, score: 0.9, box: Rect(x: x, y: 200, width: w, height: 60))
        }
        let fridge = [box("refrigerator", 0, w: 640), box("carrot", 100), box("tomato", 200)]
        let path: [(Double, Float?)] =
            [(0, 300), (10, 300), (20, 300), (30, 340), (40, 380), (50, 420), (60, 460), (70, 500), (80, 540)]
            + [(90, nil), (100, nil), (110, nil), (200, nil)]
        let t0 = instant(start)
        return try path.enumerated().map { k, step in
            let frame = try Frame(
                format: photo.format, width: 640, height: 480, timestamp: Timestamp(nanoseconds: UInt64(step.0 * 1e9)),
                sequence: UInt64(k), origin: "kitchen", storage: photo.storage, byteCount: photo.byteCount)
            var ds = fridge
            if let x = step.1 { ds.append(box("cheese", x)) }
            return try pipeline.process(frame, detections: ds, time: t0.addingTimeInterval(step.0))
        }
    }

    static func journal() throws -> Journal {
        let dir = NSTemporaryDirectory() + "sightline-journal-\(UUID().uuidString)"
        return try Journal(path: dir + "/journal.sqlite")
    }

    /// (start, zone, the day the cheese is recorded on: the local date at start + 200 s)
    static let midnights: [(String, String, String)] = [
        ("2026-11-21T22:55:00Z", "Europe/Paris", "2026-11-21"),  // 23:58:20 local
        ("2026-11-21T22:58:00Z", "Europe/Paris", "2026-11-22"),  // 00:01:20 local
        ("2026-11-21T22:58:00Z", "Asia/Tokyo", "2026-11-22"),  // 08:01:20
        ("2026-11-21T22:58:00Z", "America/New_York", "2026-11-21"),  // 18:01:20
        ("2026-03-29T21:58:00Z", "Europe/Paris", "2026-03-30"),  // 00:01:20 summer time (UTC+2)
        ("2026-10-25T22:30:00Z", "Europe/Paris", "2026-10-25"),  // 23:33:20 winter time again (UTC+1)
    ]

    @Test(arguments: midnights)
    func whatWasEatenCountsForTheWearersDay(start: String, zone: String, day: String) throws {
        let journal = try Self.journal()
        let outcomes = try Self.replay(start: start, zone: zone, journal: journal)
        let intake = outcomes.flatMap(\.events).filter { $0.kind == .intake }
        #expect(intake.count == 1, "\(intake)")  // once, though later frames still show it eaten
        #expect(intake.first?.intake?.day == day && intake.first?.intake?.foodID == "cheese")
        let days = try journal.days(from: "2026-01-01", through: "2026-12-31")
        #expect(days.map(\.day) == [day])
        #expect(days.first?.seenProteinGrams == 7.06 && days.first?.seenItems == 1)  // one 28.35 g portion of cheddar
        #expect(days.first?.seenEnergyKcal == 114.25)
        // Replaying the same frames adds nothing: the entry's key is already there.
        _ = try Self.replay(start: start, zone: zone, journal: journal)
        #expect(try journal.days(from: "2026-01-01", through: "2026-12-31") == days)
    }

    @Test func theNextDayWeighsTheDaysRecorded() throws {
        let journal = try Self.journal()
        // Six days short of the 84 g target (Apple Health) and one that was not.
        try journal.importHealth(
            (15...21).map { JournalDay(day: "2026-11-\($0)", healthProteinGrams: $0 == 18 ? 90 : 60) }, file: "export.xml")
        let outcomes = try Self.replay(start: "2026-11-22T12:00:00Z", zone: "Europe/Paris", journal: journal)
        let trace = outcomes.last!.run.trace
        let history = try #require(trace.fact("inference.history"))
        #expect(history.evidence.days.map(\.day) == (15...21).reversed().map { "2026-11-\($0)" })
        #expect(history.evidence.days.filter(\.short).count == 6 && history.gramsValue == 24)
        let withHistory = try #require(outcomes.last!.chains.proposal)
        // The same frames with an empty journal propose less.
        let plain = try #require(
            try Self.replay(start: "2026-11-22T12:00:00Z", zone: "Europe/Paris", journal: Self.journal()).last!.chains.proposal)
        #expect(withHistory.quantity > plain.quantity, "\(withHistory) vs \(plain)")
        // A fixed day (--today) wins over the event time.
        let fixed = try Self.replay(
            start: "2026-11-22T12:00:00Z", zone: "Europe/Paris", journal: Self.journal(), fixed: LocalDate("2026-01-05"))
        #expect(fixed.last!.run.trace.today.description == "2026-01-05")
    }
}
