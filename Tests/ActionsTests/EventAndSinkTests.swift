import Actions
import Foundation
import SightlineCore
import Testing

@Suite struct EventTests {
    @Test func encodingIsCanonicalAndMatchesTheGoldenLine() throws {
        let event = sampleEvent(3, kind: .groceryNeed, grocery: need("Greek yogurt", 500, key: "protein/2024-05-01"))
        let line = String(decoding: try event.jsonLine(), as: UTF8.self)
        // Sorted keys, no spaces, unescaped slashes, ISO 8601 time with milliseconds.
        let golden =
            #"{"conclusion":"frame 3","detections":[{"box":{"height":400,"width":300,"x":10,"y":20},"classID":72,"label":"refrigerator","score":0.875}],"frame":{"captureTime":{"nanoseconds":3000000},"height":480,"origin":"/photos/fridge-3.jpg","sequence":3,"width":640},"grocery":{"item":"Greek yogurt","needKey":"protein/2024-05-01","quantity":500,"reason":"protein short","unit":"g"},"id":"\#(event.id)","kind":"groceryNeed","time":"2024-05-01T12:00:03.000Z"}"#
        #expect(line == golden)
        // The same content encodes to the same bytes every time.
        #expect(
            try sampleEvent(3, kind: .groceryNeed, grocery: need("Greek yogurt", 500, key: "protein/2024-05-01")).jsonLine()
                == event.jsonLine())
    }

    @Test func idIsAContentHash() throws {
        let a = sampleEvent(1), b = sampleEvent(1)
        #expect(a.id == b.id)
        #expect(a.id.count == 32 && a.id.allSatisfy(\.isHexDigit))
        // Any change of content changes the id; mutating a field updates it.
        var c = a
        c.conclusion = "something else"
        #expect(c.id != a.id)
        c.conclusion = a.conclusion
        #expect(c.id == a.id)
        #expect(sampleEvent(2).id != a.id)
        var d = a
        d.time = a.time.addingTimeInterval(0.001)
        #expect(d.id != a.id)
        // The frame's pixels are not content.
        var e = a
        e.image = try Frame(format: .grey, width: 1, height: 1, origin: "x", storage: ImageBuffer(copying: [7]))
        #expect(e.id == a.id && e == a)
    }

    @Test func decodesWhatItEncodes() throws {
        let event = sampleEvent(5, kind: .groceryNeed, grocery: need("Tofu", 2, "pack", key: "k"))
        let decoded = try SightlineEvent.makeDecoder().decode(SightlineEvent.self, from: Data(event.jsonLine()))
        #expect(decoded == event)
        #expect(try decoded.jsonLine() == event.jsonLine())
    }

    @Test func timesAreKeptToTheMillisecond() throws {
        let e = SightlineEvent(
            kind: .conclusion, frame: .init(origin: "o", sequence: 0, captureTime: Timestamp(nanoseconds: 0)),
            time: Date(timeIntervalSince1970: 1_714_564_800.123_456))
        #expect(String(decoding: try e.jsonLine(), as: UTF8.self).contains(#""time":"2024-05-01T12:00:00.123Z""#))
    }
}

@Suite struct JSONLinesSinkTests {
    @Test func appendsOneCanonicalLinePerEvent() throws {
        let path = tempDir() + "/events.jsonl"
        let events = (0..<3).map { sampleEvent($0) }
        do {
            let sink = try JSONLinesSink(.file(path))
            for e in events.prefix(2) { try sink.handle(e) }
            // Written as handled: visible before any flush.
            #expect(try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").count == 2)
        }
        // A second sink (a later run) appends.
        let again = try JSONLinesSink(.file(path), sync: true)
        try again.handle(events[2])
        try again.flush()
        let text = try String(contentsOfFile: path, encoding: .utf8)
        let expected = try events.map { String(decoding: try $0.jsonLine(), as: UTF8.self) + "\n" }.joined()
        #expect(text == expected)
        let ids = try text.split(separator: "\n").map {
            try SightlineEvent.makeDecoder().decode(SightlineEvent.self, from: Data($0.utf8)).id
        }
        #expect(ids == events.map(\.id))
    }

    @Test func aFileThatCannotBeOpenedIsNamed() throws {
        let path = tempDir() + "/no/such/folder/events.jsonl"
        #expect {
            try JSONLinesSink(.file(path))
        } throws: { error in
            "\(error)".contains(path) && "\(error)".contains("No such file")
        }
    }
}

/// A sink that fails on chosen events and records what it saw.
final class ProbeSink: ActionSink, @unchecked Sendable {
    let name: String
    let failOn: Set<UInt64>
    let failFlush: Bool
    var seen: [String] = []
    var flushes = 0
    struct Broken: Error, CustomStringConvertible { var description: String }

    init(_ name: String, failOn: Set<UInt64> = [], failFlush: Bool = false) {
        self.name = name
        self.failOn = failOn
        self.failFlush = failFlush
    }

    func handle(_ event: SightlineEvent) throws {
        if failOn.contains(event.frame.sequence) { throw Broken(description: "\(name) broke on \(event.frame.sequence)") }
        seen.append(event.id)
    }

    func flush() throws {
        flushes += 1
        if failFlush { throw Broken(description: "\(name) cannot flush") }
    }
}

@Suite struct SinkSetTests {
    @Test func aFailingSinkDoesNotStopTheOthers() throws {
        let a = ProbeSink("a"), broken = ProbeSink("broken", failOn: [1, 2]), c = ProbeSink("c")
        let set = SinkSet([a, broken, c])
        let events = (0..<4).map { sampleEvent($0) }
        var reported: [[SinkFailure]] = []
        for e in events { reported.append(set.dispatch(e)) }
        #expect(a.seen == events.map(\.id))
        #expect(c.seen == events.map(\.id))
        #expect(broken.seen == [events[0].id, events[3].id])
        #expect(reported.map(\.count) == [0, 1, 1, 0])
        #expect(reported[1].first?.sink == "broken")
        #expect(reported[1].first?.eventID == events[1].id)
        #expect("\(reported[2][0])".contains("broken sink, event \(events[2].id): broken broke on 2"))
    }

    @Test func handleThrowsAllFailuresAfterEverySinkRan() throws {
        let x = ProbeSink("x", failOn: [0]), y = ProbeSink("y", failOn: [0]), z = ProbeSink("z")
        let set = SinkSet([x, y, z])
        #expect {
            try set.handle(sampleEvent(0))
        } throws: { error in
            guard let e = error as? SinkSetError else { return false }
            return e.failures.map(\.sink) == ["x", "y"]
        }
        #expect(z.seen.count == 1)
        // Flush goes to every sink too, failures collected.
        let failures = SinkSet([ProbeSink("p", failFlush: true), z]).flushAll()
        #expect(failures.map(\.sink) == ["p"])
        #expect(z.flushes == 1)
    }

    @Test func realSinksTogetherWithABrokenOne() throws {
        let dir = tempDir()
        let jsonl = try JSONLinesSink(.file(dir + "/e.jsonl"))
        let grocery = GroceryListSink(list: try GroceryList(path: dir + "/g.sqlite"))
        let set = SinkSet([ProbeSink("broken", failOn: [0]), jsonl, grocery])
        let failures = set.dispatch(sampleEvent(0, kind: .groceryNeed, grocery: need("Eggs", 6, "item", key: "eggs")))
        #expect(failures.count == 1)
        #expect(try grocery.list.items().map(\.name) == ["Eggs"])
        #expect(try String(contentsOfFile: dir + "/e.jsonl", encoding: .utf8).split(separator: "\n").count == 1)
    }
}

@Suite struct PathTests {
    @Test func dataDirectoryFollowsTheEnvironment() {
        #expect(ActionPaths.groceryDatabase(environment: ["SIGHTLINE_DATA": "/d", "HOME": "/h"]) == "/d/grocery.sqlite")
        #expect(ActionPaths.groceryDatabase(environment: ["XDG_DATA_HOME": "/x", "HOME": "/h"]) == "/x/sightline/grocery.sqlite")
        #expect(ActionPaths.groceryDatabase(environment: ["HOME": "/h"]) == "/h/.local/share/sightline/grocery.sqlite")
        #expect(ActionPaths.webhookOutbox(environment: ["SIGHTLINE_DATA": "/d"]) == "/d/outbox.sqlite")
    }
}
