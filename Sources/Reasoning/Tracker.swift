public import SightlineCore

/// How the ``Tracker`` associates detections across frames and when it calls an item taken out
/// or put back. Read from a chain file's optional `tracking` block (see docs/reasoning.md).
public struct TrackerConfiguration: Sendable, Equatable {
    /// Detections below this score are not tracked.
    public var minScore: Double = 0.25
    /// A detection continues a track when its box overlaps the track's predicted box by at least this IoU.
    public var minIoU: Double = 0.3
    /// Sightings (in consecutive frames, misses tolerated) before a track is confirmed: a confirmed
    /// track has "appeared"; a tentative one that is lost is forgotten without a word.
    public var confirmFrames: Int = 2
    /// Consecutive frames a confirmed track may be missing and still continue (one missed
    /// detection does not end it). Missing one frame more ends it: K = maxMissedFrames + 1.
    public var maxMissedFrames: Int = 2
    /// A box whose edge lies within this fraction of the frame's width (height) from the border
    /// touches the frame edge.
    public var edgeMargin: Double = 0.05
    /// Labels that mark the storage region (the fridge's box), not items.
    public var storageLabels: Set<String> = ["refrigerator"]
    /// Labels not tracked at all.
    public var ignoreLabels: Set<String> = []
    /// A taken-out item seen again (same label, in the storage region) within this many seconds
    /// of its last sighting was put back (T).
    public var putBackSeconds: Double = 120
    /// How long sequence events are remembered (seconds of capture time), and at most how many.
    public var memorySeconds: Double = 3600
    public var memoryEvents: Int = 256
    /// Follow the storage region itself (the best `storageLabels` box of each frame) as one
    /// item: `storageInView` when it has been seen in `confirmFrames` frames, `storageOutOfView`
    /// when it has then been missing for K frames. Off by default (a chain that reasons about the
    /// fridge being open turns it on).
    public var followStorage = false
    /// When following the storage: a frame with no storage box but at least this many tracked
    /// items in view (score ≥ `minScore`, labels not ignored) shows the storage too, with their
    /// union as its box: the shelves of an open fridge are its interior even when no model names
    /// it (the scene step's food-evidence rule). 0: only storage boxes count.
    public var storageMinItems = 0

    public init() {}
}

/// One sighting of a tracked item: frame, capture time, box, score.
public struct TrackSighting: Sendable, Equatable {
    public var frame: UInt64
    public var timestamp: Timestamp
    public var origin: String
    public var box: Rect
    public var score: Double
}

/// The frames behind a sequence event: the track, its first sighting and its latest ones.
public struct TrackEvidence: Sendable, Equatable {
    public var trackID: Int
    public var label: String
    /// The first sighting, then up to the last three (in frame order; no duplicates).
    public var sightings: [TrackSighting]
    /// The frame the event was decided on (for "taken out", the K-th frame the item was missing).
    public var decidedAt: UInt64
    public var decidedTime: Timestamp
}

/// What happened to a tracked item.
public enum SequenceEventKind: String, Sendable, Codable, CaseIterable {
    /// A track was confirmed (seen in `confirmFrames` frames).
    case appeared
    /// A confirmed track was missing for K frames and its last box was inside the frame and the
    /// storage region: it vanished in place (hidden, or missed by the detector).
    case disappeared
    /// A confirmed track was missing for K frames and its last box touched the frame edge or lay
    /// outside the storage region (the fridge's box): it left.
    case takenOut
    /// A new track of a taken-out item's label was confirmed within `putBackSeconds` of the item's
    /// last sighting, with its centre in the storage region.
    case putBack
    /// The storage region (the fridge's interior) has been in view for `confirmFrames` frames
    /// (only when the configuration follows the storage).
    case storageInView
    /// The storage region, after being in view, has been missing for K frames.
    case storageOutOfView
}

/// A fact about a sequence of frames, with the frames as evidence.
public struct SequenceEvent: Sendable, Equatable, Encodable {
    public var kind: SequenceEventKind
    public var track: TrackEvidence
    /// For `putBack`: the taken-out track it continues, and the IoU between where that item was
    /// first seen (where it stood) and where it is now.
    public var previousTrackID: Int?
    public var previousTrack: TrackEvidence?
    public var overlapWithPrevious: Double?
    /// The mean score of the track's sightings.
    public var meanScore: Double

    /// The capture time of the item's relevant sighting: its last for `takenOut`/`disappeared`,
    /// its first for `appeared`/`putBack`.
    public var time: Timestamp {
        switch kind {
        case .appeared, .putBack, .storageInView: return track.sightings.first!.timestamp
        case .disappeared, .takenOut, .storageOutOfView: return track.sightings.last!.timestamp
        }
    }
}

/// An IoU tracker over observations: per label, greedy association on IoU with a constant-velocity
/// prediction, stable integer ids, a confirmation count and a miss tolerance. Deterministic:
/// detections are taken in canonical order and ties are broken by track id and detection order,
/// so the same frames give the same ids and events.
///
/// Feed it every analysed frame in sequence order with ``update(_:)``; it returns the events the
/// frame decided and keeps a bounded memory of recent ones (``events``).
public struct Tracker: Sendable {
    public let configuration: TrackerConfiguration

    struct Track: Sendable {
        var id: Int
        var label: String
        var box: Rect
        var velocity: (dx: Float, dy: Float) = (0, 0)
        var hits = 1
        var misses = 0
        var confirmed = false
        var first: TrackSighting
        var recent: [TrackSighting]
        var scoreSum: Double
        /// The storage box seen in the frame of the latest sighting, if any.
        var storage: Rect?
        var frameSize: (width: Int, height: Int)

        /// One more sighting: `d` in frame `o` (the box, the counts, the last three sightings).
        mutating func see(_ d: Detection, in o: Observation) {
            box = d.box
            hits += 1
            misses = 0
            scoreSum += Double(d.score)
            recent.append(
                TrackSighting(frame: o.sequence, timestamp: o.timestamp, origin: o.origin, box: d.box, score: round4(Double(d.score))))
            if recent.count > 3 { recent.removeFirst(recent.count - 3) }
        }

        var predicted: Rect { Rect(x: box.x + velocity.dx, y: box.y + velocity.dy, width: box.width, height: box.height) }

        func evidence(decidedAt frame: UInt64, _ time: Timestamp) -> TrackEvidence {
            let sightings = recent.first == first ? recent : [first] + recent
            return TrackEvidence(trackID: id, label: label, sightings: sightings, decidedAt: frame, decidedTime: time)
        }
    }

    var tracks: [Track] = []
    /// The storage region followed as one item (``TrackerConfiguration/followStorage``).
    var storageTrack: Track?
    var nextID = 1
    /// Taken-out items that may still be put back: the event and the last box.
    var awaitingReturn: [SequenceEvent] = []
    /// The remembered events, oldest first.
    public private(set) var events: [SequenceEvent] = []
    /// The latest frame seen.
    public private(set) var lastFrame: (sequence: UInt64, timestamp: Timestamp)?

    public init(_ configuration: TrackerConfiguration = TrackerConfiguration()) {
        self.configuration = configuration
    }

    /// The storage region's track while it is in view (confirmed; missed frames within the
    /// tolerance included), decided at the latest frame; nil otherwise.
    public var storageInView: TrackEvidence? {
        guard let t = storageTrack, t.confirmed, let last = lastFrame else { return nil }
        return t.evidence(decidedAt: last.sequence, last.timestamp)
    }

    /// Tracks currently alive (confirmed or tentative), for tests and overlays: id, label, box.
    public var liveTracks: [(id: Int, label: String, box: Rect, confirmed: Bool)] {
        tracks.map { ($0.id, $0.label, $0.box, $0.confirmed) }
    }

    /// Advances the tracker by one frame and returns the events it decided (in a fixed order:
    /// ended tracks by id, then new confirmations by id). Frames must come in sequence order;
    /// a frame not newer than the last one is ignored.
    @discardableResult
    public mutating func update(_ o: Observation) -> [SequenceEvent] {
        if let last = lastFrame, o.sequence <= last.sequence { return [] }
        lastFrame = (o.sequence, o.timestamp)
        let c = configuration
        var storage: Rect?
        var storageDetection: Detection?
        var best: Float = -1
        var byLabel: [String: [Detection]] = [:]
        for d in canonical(o.detections) where Double(d.score) >= c.minScore {
            if c.storageLabels.contains(d.label) {
                if d.score > best { best = d.score; storage = d.box; storageDetection = d }
            } else if !c.ignoreLabels.contains(d.label) {
                byLabel[d.label, default: []].append(d)
            }
        }
        var decided: [SequenceEvent] = []
        var matched = Set<Int>()  // indices into tracks
        var newTracks: [Track] = []
        let labels = Set(byLabel.keys).union(tracks.map(\.label)).sorted()
        for label in labels {
            let dets = byLabel[label] ?? []
            let candidates = tracks.indices.filter { tracks[$0].label == label }
            // Every (track, detection) pair above the IoU threshold, best first; ties by track id, then detection order.
            var pairs: [(iou: Float, t: Int, d: Int)] = []
            for t in candidates {
                let p = tracks[t].predicted
                for (k, d) in dets.enumerated() {
                    let iou = p.iou(d.box)
                    if Double(iou) >= c.minIoU { pairs.append((iou, t, k)) }
                }
            }
            pairs.sort { a, b in
                if a.iou != b.iou { return a.iou > b.iou }
                if tracks[a.t].id != tracks[b.t].id { return tracks[a.t].id < tracks[b.t].id }
                return a.d < b.d
            }
            var usedDetections = Set<Int>()
            for pair in pairs where !matched.contains(pair.t) && !usedDetections.contains(pair.d) {
                matched.insert(pair.t)
                usedDetections.insert(pair.d)
                let d = dets[pair.d]
                var tr = tracks[pair.t]
                tr.velocity = (d.box.x - tr.box.x, d.box.y - tr.box.y)
                tr.see(d, in: o)
                tr.storage = storage
                tr.frameSize = (o.width, o.height)
                tracks[pair.t] = tr
            }
            for (k, d) in dets.enumerated() where !usedDetections.contains(k) {
                let s = TrackSighting(
                    frame: o.sequence, timestamp: o.timestamp, origin: o.origin, box: d.box, score: round4(Double(d.score)))
                newTracks.append(
                    Track(
                        id: 0, label: label, box: d.box, first: s, recent: [s], scoreSum: Double(d.score), storage: storage,
                        frameSize: (o.width, o.height)))
            }
        }
        // Misses: a tentative track lost once is forgotten; a confirmed one survives maxMissedFrames.
        var survivors: [Track] = []
        for (k, var tr) in tracks.enumerated() {
            if matched.contains(k) { survivors.append(tr); continue }
            tr.misses += 1
            if !tr.confirmed { continue }
            if tr.misses <= c.maxMissedFrames { survivors.append(tr); continue }
            decided.append(ended(tr, at: o))
        }
        tracks = survivors
        for var tr in newTracks {
            tr.id = nextID
            nextID += 1
            tracks.append(tr)
        }
        // Confirmations.
        for k in tracks.indices where !tracks[k].confirmed && tracks[k].hits >= c.confirmFrames {
            tracks[k].confirmed = true
            decided.append(confirmed(tracks[k], at: o, storage: storage))
        }
        if c.followStorage, let e = followStorage(storageDetection ?? itemsAsStorage(byLabel), at: o) { decided.append(e) }
        remember(decided, now: o.timestamp)
        return decided
    }

    /// The items in view as the storage region (``TrackerConfiguration/storageMinItems``): a
    /// detection labelled "shelves (N items)" over their union, scored by their mean score.
    func itemsAsStorage(_ byLabel: [String: [Detection]]) -> Detection? {
        let items = byLabel.keys.sorted().flatMap { byLabel[$0]! }
        guard configuration.storageMinItems > 0, items.count >= configuration.storageMinItems else { return nil }
        var (x0, y0, x1, y1) = (
            Float.greatestFiniteMagnitude, Float.greatestFiniteMagnitude, -Float.greatestFiniteMagnitude, -Float.greatestFiniteMagnitude
        )
        for d in items { (x0, y0, x1, y1) = (min(x0, d.box.x), min(y0, d.box.y), max(x1, d.box.maxX), max(y1, d.box.maxY)) }
        let mean = items.reduce(Float(0)) { $0 + $1.score } / Float(items.count)
        return Detection(label: "shelves", classID: -1, score: mean, box: Rect(x: x0, y: y0, width: x1 - x0, height: y1 - y0))
    }

    /// Advances the storage region's track: seen (or started) when the frame has a storage box,
    /// missed otherwise; returns `storageInView` on its confirmation and `storageOutOfView` when a
    /// confirmed one has been missing for K frames. One storage region at a time.
    mutating func followStorage(_ d: Detection?, at o: Observation) -> SequenceEvent? {
        let c = configuration
        if let d {
            let s = TrackSighting(frame: o.sequence, timestamp: o.timestamp, origin: o.origin, box: d.box, score: round4(Double(d.score)))
            if var tr = storageTrack {
                tr.see(d, in: o)
                storageTrack = tr
            } else {
                storageTrack = Track(
                    id: nextID, label: d.label, box: d.box, first: s, recent: [s], scoreSum: Double(d.score), frameSize: (o.width, o.height)
                )
                nextID += 1
            }
            guard var tr = storageTrack, !tr.confirmed, tr.hits >= c.confirmFrames else { return nil }
            tr.confirmed = true
            storageTrack = tr
            return SequenceEvent(kind: .storageInView, track: tr.evidence(decidedAt: o.sequence, o.timestamp), meanScore: meanScore(tr))
        }
        guard var tr = storageTrack else { return nil }
        tr.misses += 1
        guard tr.confirmed else { storageTrack = nil; return nil }
        guard tr.misses > c.maxMissedFrames else { storageTrack = tr; return nil }
        storageTrack = nil
        return SequenceEvent(kind: .storageOutOfView, track: tr.evidence(decidedAt: o.sequence, o.timestamp), meanScore: meanScore(tr))
    }

    func meanScore(_ t: Track) -> Double { round4(t.scoreSum / Double(t.hits)) }

    /// Does the box touch the frame edge (size known) or lie outside the storage box (one seen)?
    func leftView(_ t: Track) -> Bool {
        let m = Float(configuration.edgeMargin)
        let b = t.box
        if t.frameSize.width > 0, t.frameSize.height > 0 {
            let w = Float(t.frameSize.width), h = Float(t.frameSize.height)
            if b.x <= m * w || b.y <= m * h || b.maxX >= w - m * w || b.maxY >= h - m * h { return true }
        }
        if let s = t.storage, !s.contains(centreOf: b) { return true }
        return false
    }

    mutating func ended(_ t: Track, at o: Observation) -> SequenceEvent {
        let e = SequenceEvent(
            kind: leftView(t) ? .takenOut : .disappeared, track: t.evidence(decidedAt: o.sequence, o.timestamp),
            meanScore: meanScore(t))
        if e.kind == .takenOut { awaitingReturn.append(e) }
        return e
    }

    mutating func confirmed(_ t: Track, at o: Observation, storage: Rect?) -> SequenceEvent {
        let evidence = t.evidence(decidedAt: o.sequence, o.timestamp)
        let start = t.first.timestamp
        let inStorage = storage.map { $0.contains(centreOf: t.box) } ?? true
        // The earliest taken-out item of this label still within T of its last sighting.
        if inStorage,
            let k = awaitingReturn.firstIndex(where: {
                $0.track.label == t.label && start >= $0.time && start.seconds(since: $0.time) <= configuration.putBackSeconds
            })
        {
            let out = awaitingReturn.remove(at: k)
            let was = out.track.sightings.first!.box  // where it stood before it was taken
            return SequenceEvent(
                kind: .putBack, track: evidence, previousTrackID: out.track.trackID, previousTrack: out.track,
                overlapWithPrevious: round4(Double(was.iou(t.box))), meanScore: meanScore(t))
        }
        return SequenceEvent(kind: .appeared, track: evidence, meanScore: meanScore(t))
    }

    mutating func remember(_ new: [SequenceEvent], now: Timestamp) {
        events += new
        let c = configuration
        events.removeAll { now.seconds(since: $0.track.decidedTime) > c.memorySeconds }
        if events.count > c.memoryEvents { events.removeFirst(events.count - c.memoryEvents) }
        awaitingReturn.removeAll { now.seconds(since: $0.time) > c.putBackSeconds }
    }
}

extension Rect {
    func contains(centreOf b: Rect) -> Bool {
        let cx = b.x + b.width / 2, cy = b.y + b.height / 2
        return cx >= x && cx <= maxX && cy >= y && cy <= maxY
    }
}
