import Actions
import Capture
import Detection
import Foundation
import Imaging
import Pipeline
import Reasoning
import SightlineCore
import SightlineTestSupport
import Testing

@Suite struct MotionGateTests {
    /// Decodes `path`, adds sensor-like noise (±`noise` grey levels, deterministic), re-encodes
    /// at `quality`: the same scene as the camera would see it twice.
    func noisyCopy(_ path: String, noise: Int, quality: Int) throws -> Frame {
        let decoder = JPEGDecoder()
        let bytes = [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)))
        let buffer = ImageBuffer()
        let decoded = try bytes.withUnsafeBytes { raw in
            try decoder.decode(raw, origin: path, scale: ScalingFactor(num: 1, denom: 4), format: .rgb24, into: buffer)
        }
        var rng = SplitMix64(seed: 7)
        let p = buffer.pointer.assumingMemoryBound(to: UInt8.self)
        for i in 0..<(decoded.stride * decoded.height) {
            let d = Int(rng.next() % UInt64(2 * noise + 1)) - noise
            p[i] = UInt8(clamping: Int(p[i]) + d)
        }
        let jpeg = try JPEGEncoder().encode(
            buffer.pointer, width: decoded.width, height: decoded.height, stride: decoded.stride, format: .rgb24, quality: quality)
        let out = ImageBuffer()
        out.reserve(jpeg.count)
        jpeg.withUnsafeBytes { out.pointer.copyMemory(from: $0.baseAddress!, byteCount: jpeg.count) }
        return try Frame(
            format: .mjpeg, width: decoded.width, height: decoded.height, origin: path + " (noisy)", storage: out, byteCount: jpeg.count)
    }

    /// Sensor noise and re-compression do not count as change; a different photo does, on both
    /// kernel families, with the same thumbnails.
    @Test(arguments: [KernelChoice.simd, .scalar])
    func noiseIsNotChange(_ kernels: KernelChoice) throws {
        let a = TestData.fridgeFile("train/images/" + photoA + ".jpg")
        let b = TestData.fridgeFile("train/images/" + photoB + ".jpg")
        let gate = MotionGate(settings: GateSettings(refreshFrames: 0, refreshSeconds: 0), kernels: kernels)
        #expect(try gate.decide(try FileIO.readJPEGFrame(a)).reason == .first)
        // Settle frames are analysed whatever they show; use them up on the same photo.
        for _ in 0..<4 { #expect(try gate.decide(try FileIO.readJPEGFrame(a)).reason == .settle) }
        let noisy = try gate.decide(try noisyCopy(a, noise: 12, quality: 70))
        #expect(noisy.reason == .unchanged, "\(noisy)")
        #expect(noisy.changed < 0.02)
        let other = try gate.decide(try FileIO.readJPEGFrame(b))
        #expect(other.reason == .change && other.changed > 0.1, "\(other)")
    }

    /// The refresh runs detection every N frames (and after T seconds of capture time) even in
    /// a still scene.
    @Test func periodicRefresh() throws {
        let a = TestData.fridgeFile("train/images/" + photoA + ".jpg")
        let gate = MotionGate(settings: GateSettings(settleFrames: 0, refreshFrames: 5, refreshSeconds: 0))
        var reasons: [GateReason] = []
        for _ in 0..<11 { reasons.append(try gate.decide(try FileIO.readJPEGFrame(a)).reason) }
        #expect(
            reasons == [
                .first, .unchanged, .unchanged, .unchanged, .unchanged, .refresh, .unchanged, .unchanged, .unchanged, .unchanged, .refresh,
            ])
        let timed = MotionGate(settings: GateSettings(settleFrames: 0, refreshFrames: 0, refreshSeconds: 1))
        var byTime: [GateReason] = []
        for i in 0..<5 {
            let f = try FileIO.readJPEGFrame(a, sequence: UInt64(i), timestamp: Timestamp(nanoseconds: UInt64(i) * 600_000_000))
            byTime.append(try timed.decide(f).reason)
        }
        #expect(byTime == [.first, .unchanged, .refresh, .unchanged, .refresh])
    }

    /// Raw frames (grey, YUYV, RGB) make thumbnails too; the same picture in each gives nearly
    /// the same thumbnail.
    @Test func rawFormatsMakeThumbnails() throws {
        let w = 96, h = 64
        var grey = [UInt8](repeating: 0, count: w * h)
        for y in 0..<h { for x in 0..<w { grey[y * w + x] = UInt8((x * 2 + y) & 0xFF) } }
        func frame(_ format: PixelFormat, _ bytes: [UInt8]) throws -> Frame {
            let b = ImageBuffer()
            b.reserve(bytes.count)
            bytes.withUnsafeBytes { b.pointer.copyMemory(from: $0.baseAddress!, byteCount: bytes.count) }
            return try Frame(format: format, width: w, height: h, origin: "\(format)", storage: b, byteCount: bytes.count)
        }
        let yuyv: [UInt8] = (0..<(w * h)).flatMap { [grey[$0], UInt8(128)] }
        let rgb: [UInt8] = grey.flatMap { [$0, $0, $0] }
        let t = Thumbnailer(width: 16, height: 8)
        var outs: [[UInt8]] = []
        for f in [try frame(.grey, grey), try frame(.yuyv, yuyv), try frame(.rgb24, rgb)] {
            var out = [UInt8](repeating: 0, count: t.byteCount)
            try t.make(f, into: &out)
            outs.append(out)
        }
        #expect(outs[0] == outs[1])
        #expect(zip(outs[0], outs[2]).allSatisfy { abs(Int($0) - Int($1)) <= 1 })
        #expect(outs[0][0] < outs[0][15])
    }
}

@Suite struct HandOffTests {
    /// A replay paced like a 30 fps camera into the real detector (YOLOv3-tiny, slower than
    /// 33 ms a frame here): the detect stage drops frames instead of queueing them, every frame
    /// is accounted for, and the results still arrive in capture order.
    @Test(.needsRealTime) func slowDetectorDropsInsteadOfQueueing() throws {
        let a = (TestData.fridgeFile("train/images/" + photoA + ".jpg"), TestData.fridgeFile("train/labels/" + photoA + ".txt"))
        let b = (TestData.fridgeFile("train/images/" + photoB + ".jpg"), TestData.fridgeFile("train/labels/" + photoB + ".txt"))
        let rec = try Recording(photos: (0..<60).map { $0 % 2 == 0 ? a : b }, fps: 30)
        let models = Reference.repoRoot + "/Models"
        let detector = try OpenCVDetector(model: "yolov3-tiny", store: ModelStore(directory: models))
        let scene = try fridgeScene()
        let sequences = Locked<[UInt64]>([])
        let live = LivePipeline(
            source: try JPEGDirectorySource(directory: rec.folder, pace: .realTime), detector: .model(detector), scene: scene,
            options: LiveOptions(handOff: .latestWins, gate: nil),
            onOutcome: { o in sequences.mutate { $0.append(o.outcome.frame.sequence) } })
        let report = live.run()
        let s = report.stages
        #expect(report.errorCount == 0, "\(report.errors)")
        #expect(s[0].framesIn == 60 && s[0].framesOut == 60)
        // Conservation at every hand-off: what one stage passed on was taken or dropped by the next.
        #expect(s[0].framesOut == s[1].framesIn + s[1].dropped)
        #expect(s[1].framesOut == s[2].framesIn + s[2].dropped)
        #expect(s[2].framesOut == s[3].framesIn + s[3].dropped)
        #expect(s[2].dropped > 0, "\(report.summary)")
        #expect(s[3].framesOut == sequences.value.count && sequences.value.count < 60)
        #expect(sequences.value == sequences.value.sorted())
        // No backlog: a frame is never older than a couple of detector runs when it is done.
        #expect(s[3].latencyP99Milliseconds < 2_000, "\(report.summary)")
    }

    /// stop() during a lossless replay ends it early, after the in-flight frames are finished.
    @Test func stopDrainsInFlightFrames() throws {
        let a = (TestData.fridgeFile("train/images/" + photoA + ".jpg"), TestData.fridgeFile("train/labels/" + photoA + ".txt"))
        let rec = try Recording(photos: Array(repeating: a, count: 300), fps: 30)
        let scene = try fridgeScene()
        let box = Locked<LivePipeline?>(nil)
        let done = Locked<Int>(0)
        let live = LivePipeline(
            source: try JPEGDirectorySource(directory: rec.folder, pace: .realTime),
            detector: .labels(try YOLOLabels(folder: rec.labels, classesFile: TestData.fridgeFile("classes.txt"))), scene: scene,
            options: LiveOptions(handOff: .lossless, gate: nil),
            onOutcome: { _ in
                done.mutate { $0 += 1 }
                if done.value == 10 { box.value?.stop() }
            })
        box.mutate { $0 = live }
        let report = live.run()
        #expect(report.stoppedBy == .requested)
        let s = report.stages
        #expect(s[0].framesIn < 300 && s[0].framesIn >= 10)
        // Every frame the source delivered went all the way through.
        #expect(s.allSatisfy { $0.framesIn == s[0].framesIn && $0.dropped == 0 }, "\(report.summary)")
        #expect(s[3].framesOut == s[0].framesIn)
    }
}
