import Reasoning
import SightlineCore
import Testing

/// The IoU tracker on hand-built detection sequences (640×480 frames, one second apart).
@Suite struct TrackerTests {
    static func frame(_ n: UInt64, _ detections: [Detection], seconds: Double? = nil) -> Observation {
        Observation(
            sequence: n, timestamp: Timestamp(nanoseconds: UInt64(((seconds ?? Double(n)) * 1e9).rounded())), origin: "f\(n)",
            detections: detections, width: 640, height: 480)
    }

    static func box(_ label: String, x: Float, y: Float = 200, w: Float = 60, h: Float = 80, score: Float = 0.8) -> Detection {
        Detection(label: label, classID: 0, score: score, box: Rect(x: x, y: y, width: w, height: h))
    }

    static func run(_ frames: [Observation], _ c: TrackerConfiguration = TrackerConfiguration()) -> (Tracker, [[SequenceEvent]]) {
        var t = Tracker(c)
        let events = frames.map { t.update($0) }
        return (t, events)
    }

    static func kinds(_ events: [[SequenceEvent]]) -> [String] {
        events.enumerated().flatMap { k, es in es.map { "\(k):\($0.kind.rawValue):\($0.track.label)#\($0.track.trackID)" } }
    }

    @Test func oneMissedFrameKeepsTheId() {
        let frames = [
            Self.frame(0, [Self.box("milk", x: 300)]), Self.frame(1, [Self.box("milk", x: 305)]), Self.frame(2, []),
            Self.frame(3, [Self.box("milk", x: 312)]), Self.frame(4, [Self.box("milk", x: 315)]),
        ]
        let (t, events) = Self.run(frames)
        #expect(Self.kinds(events) == ["1:appeared:milk#1"])
        #expect(t.liveTracks.map(\.id) == [1])
        #expect(t.liveTracks.first?.confirmed == true)
    }

    @Test func aSingleFrameBlipIsForgottenSilently() {
        let frames = [Self.frame(0, [Self.box("milk", x: 300)])] + (1...5).map { Self.frame($0, []) }
        let (t, events) = Self.run(frames)
        #expect(Self.kinds(events).isEmpty)
        #expect(t.liveTracks.isEmpty)
    }

    /// Two cartons of milk pass each other (overlapping as they cross): each keeps its id,
    /// because association uses the predicted (constant-velocity) box.
    @Test func twoSameLabelItemsCrossingKeepTheirIds() {
        var frames: [Observation] = []
        for k in 0..<12 {
            let a = Self.box("milk", x: 100 + Float(k) * 30, y: 200)
            let b = Self.box("milk", x: 430 - Float(k) * 30, y: 220)
            frames.append(Self.frame(UInt64(k), k % 2 == 0 ? [a, b] : [b, a]))
        }
        var t = Tracker()
        var idsAtX: [(Int, Float)] = []
        for f in frames {
            t.update(f)
            idsAtX = t.liveTracks.map { ($0.id, $0.box.y) }
        }
        // Track 1 started at the top-left moving right (y 200); track 2 at the right (y 220).
        let final = Dictionary(uniqueKeysWithValues: t.liveTracks.map { ($0.id, $0.box) })
        #expect(final.count == 2, "\(idsAtX)")
        #expect(final[1]?.y == 200 && final[1]!.x > 400, "\(final)")
        #expect(final[2]?.y == 220 && final[2]!.x < 150, "\(final)")
    }

    @Test func disappearedInPlaceAfterKMissingFramesNotBefore() {
        var frames = (0..<3).map { Self.frame($0, [Self.box("cheese", x: 300)]) }
        frames += (3..<6).map { Self.frame($0, []) }
        let (_, events) = Self.run(frames)
        // Missing at 3, 4 (tolerated: maxMissedFrames = 2), decided at 5 (K = 3).
        #expect(Self.kinds(events) == ["1:appeared:cheese#1", "5:disappeared:cheese#1"])
        let e = events[5][0]
        #expect(e.track.sightings.map(\.frame) == [0, 1, 2])
        #expect(e.track.decidedAt == 5)
        #expect(e.track.sightings.last?.box == Rect(x: 300, y: 200, width: 60, height: 80))
        #expect(e.meanScore == 0.8)
    }

    @Test func takenOutAcrossTheFrameEdge() {
        let frames = [
            Self.frame(0, [Self.box("milk", x: 100, w: 120)]), Self.frame(1, [Self.box("milk", x: 70, w: 120)]),
            Self.frame(2, [Self.box("milk", x: 40, w: 120)]), Self.frame(3, [Self.box("milk", x: 15, w: 120)]),
            Self.frame(4, []), Self.frame(5, []), Self.frame(6, []),
        ]
        let (t, events) = Self.run(frames)
        #expect(Self.kinds(events) == ["1:appeared:milk#1", "6:takenOut:milk#1"])
        #expect(events[6][0].time == Timestamp(nanoseconds: 3_000_000_000))
        #expect(t.events.map(\.kind) == [.appeared, .takenOut])
    }

    @Test func takenOutOfTheFridgeBox() {
        let fridge = Self.box("refrigerator", x: 100, y: 50, w: 350, h: 400, score: 0.9)
        var frames = [300, 340, 380, 420].enumerated().map { k, x in
            Self.frame(UInt64(k), [fridge, Self.box("milk", x: Float(x), w: 120)])  // last centre 480: outside the fridge (≤ 450)
        }
        frames += (4...6).map { Self.frame(UInt64($0), [fridge]) }
        let (_, events) = Self.run(frames)
        #expect(Self.kinds(events) == ["1:appeared:milk#1", "6:takenOut:milk#1"])
        // The same path ending inside the fridge's box is "disappeared".
        var inside = [300, 320, 340, 360].enumerated().map { k, x in
            Self.frame(UInt64(k), [fridge, Self.box("milk", x: Float(x), w: 120)])
        }
        inside += (4...6).map { Self.frame(UInt64($0), [fridge]) }
        #expect(Self.kinds(Self.run(inside).1) == ["1:appeared:milk#1", "6:disappeared:milk#1"])
    }

    /// Put back within T (120 s) of the last sighting: a put-back naming the taken-out track;
    /// later than T: just a new item.
    @Test(arguments: [(back: 100.0, kind: "putBack"), (back: 121.0, kind: "appeared")])
    func putBackTiming(back: Double, kind: String) {
        var frames = [
            Self.frame(0, [Self.box("milk", x: 40)], seconds: 0), Self.frame(1, [Self.box("milk", x: 20)], seconds: 1),
        ]
        frames += (2...4).map { Self.frame(UInt64($0), [], seconds: Double($0)) }
        frames.append(Self.frame(5, [Self.box("milk", x: 300)], seconds: 1 + back))
        frames.append(Self.frame(6, [Self.box("milk", x: 302)], seconds: 2 + back))
        let (_, events) = Self.run(frames)
        #expect(Self.kinds(events) == ["1:appeared:milk#1", "4:takenOut:milk#1", "6:\(kind):milk#2"])
        if kind == "putBack" {
            #expect(events[6][0].previousTrackID == 1)
            #expect(events[6][0].previousTrack?.sightings.last?.frame == 1)
        } else {
            #expect(events[6][0].previousTrackID == nil)
        }
    }

    @Test func detectionOrderDoesNotChangeIdsOrEvents() {
        func frames(_ flip: Bool) -> [Observation] {
            (0..<9).map { k in
                var ds = [Self.box("milk", x: 300 + Float(k) * 15), Self.box("eggs", x: 450), Self.box("milk", x: 100, y: 50)]
                if k >= 6 { ds.removeFirst() }
                return Self.frame(UInt64(k), flip ? ds.reversed() : ds)
            }
        }
        let a = Self.run(frames(false)).1, b = Self.run(frames(true)).1
        #expect(a == b)
        #expect(Self.kinds(a) == ["1:appeared:eggs#1", "1:appeared:milk#2", "1:appeared:milk#3", "8:disappeared:milk#3"])
    }

    @Test func memoryIsBounded() {
        var c = TrackerConfiguration()
        c.memoryEvents = 4
        var t = Tracker(c)
        for k in 0..<40 {
            // An item appears for two frames and vanishes for three, over and over.
            let present = k % 5 < 2
            t.update(Self.frame(UInt64(k), present ? [Self.box("apple", x: 300)] : []))
        }
        #expect(t.events.count == 4)
        #expect(t.liveTracks.count <= 1)
    }
}
