public import Imaging
public import SightlineCore

/// Tuning of the change gate (see ``MotionGate``).
public struct GateSettings: Sendable, Codable, Equatable {
    /// A thumbnail pixel counts as changed when it differs from the reference by more than
    /// this many grey levels.
    public var pixelThreshold: UInt8
    /// The frame is a change when at least this fraction of thumbnail pixels changed.
    public var changedFraction: Double
    /// After a change, this many further frames are analysed too, so the reasoner's window
    /// (which wants an item in several frames) sees the new scene settle.
    public var settleFrames: Int
    /// Analyse anyway after this many frames without analysis (0: never).
    public var refreshFrames: Int
    /// … or after this many seconds of capture time (0: never).
    public var refreshSeconds: Double
    public var thumbnailWidth: Int
    public var thumbnailHeight: Int

    public init(
        pixelThreshold: UInt8 = 16, changedFraction: Double = 0.02, settleFrames: Int = 4, refreshFrames: Int = 300,
        refreshSeconds: Double = 10, thumbnailWidth: Int = 64, thumbnailHeight: Int = 48
    ) {
        self.pixelThreshold = pixelThreshold
        self.changedFraction = changedFraction
        self.settleFrames = settleFrames
        self.refreshFrames = refreshFrames
        self.refreshSeconds = refreshSeconds
        self.thumbnailWidth = thumbnailWidth
        self.thumbnailHeight = thumbnailHeight
    }

    /// What is out of range in these settings (nil: nothing), named as the command line names
    /// them. Every count and duration is bounded: a gate that waits 10^18 frames is a mistake.
    public var problem: String? {
        outOfRange("--gate-fraction", changedFraction, 0...1) ?? outOfRange("--settle-frames", settleFrames, 0...100_000)
            ?? outOfRange("--refresh-frames", refreshFrames, 0...100_000_000)
            ?? outOfRange("--refresh-seconds", refreshSeconds, 0...86_400)
            ?? outOfRange("thumbnail size", min(thumbnailWidth, thumbnailHeight), 1...1024)
    }
}

/// Why the gate let a frame through to detection, or did not.
public enum GateReason: String, Sendable, Codable, CaseIterable {
    /// The first frame: nothing to compare with.
    case first
    /// Enough of the thumbnail changed since the last analysed frame.
    case change
    /// One of the frames analysed after a change (``GateSettings/settleFrames``).
    case settle
    /// The periodic refresh (``GateSettings/refreshFrames``, ``GateSettings/refreshSeconds``).
    case refresh
    /// No gate: every frame is analysed.
    case ungated
    /// Not analysed: the scene is the same as in the last analysed frame.
    case unchanged

    public var analyses: Bool { self != .unchanged }
}

/// One gate decision: whether to run detection, why, and how much of the thumbnail changed.
public struct GateDecision: Sendable, Equatable {
    public var reason: GateReason
    /// Fraction of thumbnail pixels that differ from the last analysed frame (0 for the first).
    public var changed: Double
    public var analyse: Bool { reason.analyses }
}

/// The change gate that saves the detector (as Frigate's motion detection does): each frame
/// becomes a small grey thumbnail (``Thumbnailer``, SIMD), which is compared with the thumbnail
/// of the last analysed frame (the `absDiff` kernel); the frame goes to detection only when
/// enough pixels changed by more than a noise threshold, while a scene settles after a change,
/// or when the periodic refresh is due. Times are capture times, so a replay gates the same
/// way at any speed. Three thumbnail buffers are allocated once; deciding allocates nothing.
/// Not thread-safe (the prepare stage owns it).
public final class MotionGate {
    public let settings: GateSettings
    public let thumbnailer: Thumbnailer
    private var current: UnsafeMutablePointer<UInt8>
    private var reference: UnsafeMutablePointer<UInt8>
    private let scratch: UnsafeMutablePointer<UInt8>
    private var hasReference = false
    private var sinceAnalysed = 0
    private var lastAnalysedAt = Timestamp(nanoseconds: 0)
    private var settleLeft = 0
    /// How many frames were decided for each reason.
    public private(set) var counts: [GateReason: Int] = [:]

    public init(settings: GateSettings = GateSettings(), kernels: KernelChoice = .fromEnvironment) {
        self.settings = settings
        thumbnailer = Thumbnailer(width: settings.thumbnailWidth, height: settings.thumbnailHeight, kernels: kernels)
        let n = thumbnailer.byteCount
        current = .allocate(capacity: n)
        reference = .allocate(capacity: n)
        scratch = .allocate(capacity: n)
        for r in GateReason.allCases { counts[r] = 0 }
    }

    deinit {
        current.deallocate()
        reference.deallocate()
        scratch.deallocate()
    }

    /// Decides for `frame`; an analysed frame becomes the new reference.
    public func decide(_ frame: Frame) throws(ImagingError) -> GateDecision {
        try thumbnailer.make(frame, into: current)
        let n = thumbnailer.byteCount
        var decision: GateDecision
        if !hasReference {
            decision = GateDecision(reason: .first, changed: 0)
        } else {
            let differing = Thumbnailer.differingPixels(
                current, reference, count: n, threshold: settings.pixelThreshold, scratch: scratch,
                kernels: thumbnailer.kernels)
            let changed = Double(differing) / Double(n)
            let due =
                (settings.refreshFrames > 0 && sinceAnalysed + 1 >= settings.refreshFrames)
                || (settings.refreshSeconds > 0 && frame.timestamp.seconds(since: lastAnalysedAt) >= settings.refreshSeconds)
            if changed >= settings.changedFraction {
                decision = GateDecision(reason: .change, changed: changed)
            } else if settleLeft > 0 {
                decision = GateDecision(reason: .settle, changed: changed)
            } else if due {
                decision = GateDecision(reason: .refresh, changed: changed)
            } else {
                decision = GateDecision(reason: .unchanged, changed: changed)
            }
        }
        switch decision.reason {
        case .first, .change: settleLeft = settings.settleFrames
        case .settle: settleLeft -= 1
        default: break
        }
        counts[decision.reason, default: 0] += 1
        if decision.analyse {
            swap(&current, &reference)
            hasReference = true
            sinceAnalysed = 0
            lastAnalysedAt = frame.timestamp
        } else {
            sinceAnalysed += 1
        }
        return decision
    }
}
