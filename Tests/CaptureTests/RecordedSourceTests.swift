import Capture
import Foundation
import Imaging
import SightlineCore
import Testing

/// A small real JPEG made with libjpeg-turbo: a `w`x`h` gradient whose colours depend on `seed`.
func makeJPEG(_ w: Int = 32, _ h: Int = 24, seed: Int) throws -> [UInt8] {
    var rgb = [UInt8](repeating: 0, count: w * h * 3)
    for y in 0..<h {
        for x in 0..<w {
            let i = (y * w + x) * 3
            rgb[i] = UInt8(truncatingIfNeeded: x * 8 + seed * 40)
            rgb[i + 1] = UInt8(truncatingIfNeeded: y * 10 + seed * 17)
            rgb[i + 2] = UInt8(truncatingIfNeeded: (x ^ y) * 5 + seed)
        }
    }
    return try rgb.withUnsafeBytes { raw in
        try JPEGEncoder().encode(raw.baseAddress!, width: w, height: h, stride: w * 3, format: .rgb24, quality: 80)
    }
}

/// A JPEG with an EXIF-like APP1 segment right after SOI that embeds a whole thumbnail JPEG
/// (with its own SOI … EOI), as cameras write.
func withThumbnail(_ jpeg: [UInt8], thumbnail: [UInt8]) -> [UInt8] {
    var payload = Array("Exif".utf8) + [0, 0]
    payload += [0x4D, 0x4D, 0x00, 0x2A, 0, 0, 0, 8]  // a TIFF header (big-endian) …
    payload += thumbnail  // … and, as in IFD1, a complete JPEG thumbnail
    let length = payload.count + 2
    return [0xFF, 0xD8, 0xFF, 0xE1, UInt8(length >> 8), UInt8(length & 0xFF)] + payload + jpeg.dropFirst(2)
}

/// A hand-made minimal JPEG whose scan data holds stuffed bytes (FF 00), restart markers
/// (FF D0, FF D7) and fill bytes: enough structure for the splitter, not decodable.
let handMadeJPEG: [UInt8] = [
    0xFF, 0xD8,  // SOI
    0xFF, 0xC0, 0x00, 0x0B, 0x08, 0x00, 0x10, 0x00, 0x20, 0x01, 0x01, 0x11, 0x00,  // SOF0 32x16, 1 comp
    0xFF, 0xDA, 0x00, 0x08, 0x01, 0x01, 0x00, 0x00, 0x3F, 0x00,  // SOS
    0x12, 0xFF, 0x00, 0x34, 0xFF, 0xD0, 0x56, 0xFF, 0x00, 0xFF, 0xD7, 0x78, 0xFF, 0xFF, 0xD1, 0x9A,  // scan data
    0xFF, 0xD9,  // EOI
]

func temporaryDirectory(_ name: String = #function) throws -> String {
    let dir = NSTemporaryDirectory() + "sightline-capture-\(getpid())-\(UUID().uuidString.prefix(8))"
    try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
    return dir
}

func write(_ bytes: [UInt8], to path: String) throws {
    try Data(bytes).write(to: URL(fileURLWithPath: path))
}

func drain(_ source: some FrameSource) throws -> [Frame] {
    var out: [Frame] = []
    while let f = try source.next() { out.append(f) }
    return out
}

@Suite("MJPEG stream splitting")
struct SplitterTests {
    func ranges(_ bytes: [UInt8]) -> [JPEGStreamScanner.Item] {
        bytes.withUnsafeBytes { JPEGStreamScanner.split($0) }
    }

    @Test func splitsConcatenatedJPEGsExactly() throws {
        let jpegs = try (0..<4).map { try makeJPEG(seed: $0) }
        let items = ranges(jpegs.flatMap { $0 })
        var offset = 0
        #expect(items.count == 4)
        for (item, jpeg) in zip(items, jpegs) {
            #expect(item == .frame(offset..<offset + jpeg.count, width: 32, height: 24))
            offset += jpeg.count
        }
    }

    @Test func anEmbeddedThumbnailDoesNotSplitAFrame() throws {
        let thumb = try makeJPEG(8, 8, seed: 9)
        let a = withThumbnail(try makeJPEG(seed: 1), thumbnail: thumb)
        let b = try makeJPEG(seed: 2)
        let c = withThumbnail(try makeJPEG(40, 16, seed: 3), thumbnail: thumb)
        let items = ranges(a + b + c)
        #expect(
            items == [
                .frame(0..<a.count, width: 32, height: 24),
                .frame(a.count..<a.count + b.count, width: 32, height: 24),
                .frame(a.count + b.count..<a.count + b.count + c.count, width: 40, height: 16),
            ])
        // A naive search for FF D8 / FF D9 would cut at the thumbnail.
        let all = a + b + c
        let naive = all.indices.dropLast().filter { all[$0] == 0xFF && all[$0 + 1] == 0xD9 }
        #expect(naive.count == 5)
    }

    @Test func stuffingRestartMarkersAndFillBytesStayInsideTheScan() {
        let items = ranges(handMadeJPEG + handMadeJPEG)
        #expect(
            items == [
                .frame(0..<handMadeJPEG.count, width: 32, height: 16),
                .frame(handMadeJPEG.count..<2 * handMadeJPEG.count, width: 32, height: 16),
            ])
    }

    @Test func aTruncatedFrameIsReportedAndTheNextOneFound() throws {
        let a = try makeJPEG(seed: 1), b = try makeJPEG(seed: 2), c = try makeJPEG(seed: 3)
        let cut = Array(b.prefix(b.count / 2))
        let items = ranges(a + cut + c)
        #expect(items.count == 3)
        guard case .corrupt(let r, let resume, let detail) = items[1] else {
            Issue.record("expected a corrupt item, got \(items[1])")
            return
        }
        #expect(r == a.count..<a.count + cut.count && resume == a.count + cut.count)
        #expect(detail.contains("truncated"))
        #expect(items[2] == .frame(a.count + cut.count..<a.count + cut.count + c.count, width: 32, height: 24))
    }

    @Test func garbageBetweenFramesIsReported() throws {
        let a = try makeJPEG(seed: 1), b = try makeJPEG(seed: 2)
        let junk: [UInt8] = Array("this is not a jpeg".utf8)
        let items = ranges(a + junk + b)
        #expect(items.count == 3)
        guard case .corrupt(let r, _, let detail) = items[1] else {
            Issue.record("\(items)")
            return
        }
        #expect(r == a.count..<a.count + junk.count)
        #expect(detail.contains("not a JPEG"))
        #expect(ranges(a + [0, 0, 0]).count == 2)
        #expect(ranges(Array(a.prefix(a.count - 2))).count == 1)
    }
}

@Suite("Recorded sources")
struct RecordedSourceTests {
    @Test func directoryFramesComeInNameOrderWithExactBytesAndRateTimestamps() throws {
        let dir = try temporaryDirectory()
        let names = ["b.jpg", "a.JPG", "c.jpeg", "a0.jpg"]
        var byName: [String: [UInt8]] = [:]
        for (i, n) in names.enumerated() {
            byName[n] = try makeJPEG(seed: i)
            try write(byName[n]!, to: dir + "/" + n)
        }
        try write([1, 2, 3], to: dir + "/notes.txt")
        let source = try JPEGDirectorySource(directory: dir, fps: 10)
        let frames = try drain(source)
        #expect(frames.map { ($0.origin as NSString).lastPathComponent } == ["a.JPG", "a0.jpg", "b.jpg", "c.jpeg"])
        for f in frames {
            #expect(Array(f.bytes) == byName[(f.origin as NSString).lastPathComponent]!)
            #expect(f.format == .mjpeg && f.width == 32 && f.height == 24)
        }
        #expect(frames.map(\.timestamp.nanoseconds) == [0, 100_000_000, 200_000_000, 300_000_000])
        #expect(frames.map(\.sequence) == [0, 1, 2, 3])
    }

    @Test func directoryTimestampsComeFromTheSidecar() throws {
        let dir = try temporaryDirectory()
        for i in 0..<3 { try write(try makeJPEG(seed: i), to: dir + "/f\(i).jpg") }
        try write(
            Array(
                """
                # sightline-frames v1
                f0.jpg\t5000000000\t10
                f2.jpg 5080000000 14

                f1.jpg\t5040000000\t12
                """.utf8), to: dir + "/frames.tsv")
        let frames = try drain(JPEGDirectorySource(directory: dir))
        #expect(frames.map(\.timestamp.nanoseconds) == [5_000_000_000, 5_040_000_000, 5_080_000_000])
        #expect(frames.map(\.sequence) == [10, 12, 14])
    }

    @Test func aSidecarMissingAFileOrMalformedIsAnError() throws {
        let dir = try temporaryDirectory()
        for i in 0..<2 { try write(try makeJPEG(seed: i), to: dir + "/f\(i).jpg") }
        try write(Array("f0.jpg 1 0\n".utf8), to: dir + "/frames.tsv")
        #expect(throws: CaptureError.badSidecar(path: dir + "/frames.tsv", line: 0, detail: "no timestamp for f1.jpg")) {
            try JPEGDirectorySource(directory: dir)
        }
        try write(Array("# header\nf0.jpg 1 0\nf1.jpg soon 1\n".utf8), to: dir + "/frames.tsv")
        #expect(
            throws: CaptureError.badSidecar(
                path: dir + "/frames.tsv", line: 3, detail: "timestamp 'soon' is not a whole number of nanoseconds")
        ) {
            try JPEGDirectorySource(directory: dir)
        }
    }

    @Test("A corrupt file in the middle of a directory", arguments: CorruptFramePolicy.allCases)
    func corruptFileInDirectory(policy: CorruptFramePolicy) throws {
        let dir = try temporaryDirectory()
        let good = try (0..<4).map { try makeJPEG(seed: $0) }
        for i in 0..<4 { try write(i == 2 ? Array(good[i].prefix(good[i].count - 40)) : good[i], to: dir + "/f\(i).jpg") }
        let source = try JPEGDirectorySource(directory: dir, policy: policy)
        switch policy {
        case .skip:
            let frames = try drain(source)
            #expect(frames.map { Array($0.bytes) } == [good[0], good[1], good[3]])
            #expect(source.skippedFrames.map(\.index) == [2])
            #expect(source.skippedFrames[0].detail.contains("truncated"))
        case .stop:
            #expect(try source.next() != nil)
            #expect(try source.next() != nil)
            #expect {
                _ = try source.next()
            } throws: { error in
                guard case .corruptFrame(let origin, 2, let detail)? = error as? CaptureError else { return false }
                return origin == dir + "/f2.jpg" && detail.contains("truncated")
                    && "\(error)".hasPrefix("\(dir)/f2.jpg: frame 2 is corrupt: truncated")
            }
        }
    }

    @Test("A corrupt frame in the middle of an MJPEG stream", arguments: CorruptFramePolicy.allCases)
    func corruptFrameInMJPEG(policy: CorruptFramePolicy) throws {
        let dir = try temporaryDirectory()
        let good = try (0..<5).map { try makeJPEG(seed: $0) }
        var file = good[0] + good[1]
        file += Array(good[2].prefix(good[2].count / 2))  // frame 2: truncated
        file += good[3]
        file += Array(repeating: 0x55, count: 100)  // frame 4: garbage
        file += good[4]  // frame 5
        try write(file, to: dir + "/s.mjpeg")
        let source = try MJPEGFileSource(path: dir + "/s.mjpeg", fps: 20, policy: policy)
        switch policy {
        case .skip:
            let frames = try drain(source)
            #expect(frames.map { Array($0.bytes) } == [good[0], good[1], good[3], good[4]])
            #expect(frames.map(\.sequence) == [0, 1, 3, 5])
            #expect(frames.map(\.timestamp.nanoseconds) == [0, 50_000_000, 150_000_000, 250_000_000])
            #expect(source.skippedFrames.map(\.index) == [2, 4])
        case .stop:
            #expect(try drainUntilError(source) == 2)
        }
    }

    func drainUntilError(_ source: MJPEGFileSource) throws -> Int? {
        var n = 0
        do {
            while try source.next() != nil { n += 1 }
        } catch {
            guard case .corruptFrame(_, let index, _) = error else { throw error }
            #expect(n == index)
            return index
        }
        return nil
    }

    @Test func mjpegReplayDeliversTheExactBytesWithSidecarTimestamps() throws {
        let dir = try temporaryDirectory()
        let thumb = try makeJPEG(8, 8, seed: 7)
        let jpegs = [withThumbnail(try makeJPEG(seed: 0), thumbnail: thumb), try makeJPEG(seed: 1), handMadeJPEG]
        try write(jpegs.flatMap { $0 }, to: dir + "/s.mjpeg")
        try write(Array("0 100 7\n1 200 8\n2 300 10\n".utf8), to: dir + "/s.mjpeg.tsv")
        let frames = try drain(MJPEGFileSource(path: dir + "/s.mjpeg"))
        #expect(frames.map { Array($0.bytes) } == jpegs)
        #expect(frames.map(\.timestamp.nanoseconds) == [100, 200, 300])
        #expect(frames.map(\.sequence) == [7, 8, 10])
        #expect(frames[0].origin.hasSuffix("s.mjpeg#0"))
    }

    @Test func singleImage() throws {
        let dir = try temporaryDirectory()
        let jpeg = try makeJPEG(seed: 3)
        try write(jpeg, to: dir + "/one.jpg")
        let frames = try drain(ImageFileSource(path: dir + "/one.jpg", count: 3, fps: 4))
        #expect(frames.count == 3 && frames.allSatisfy { Array($0.bytes) == jpeg })
        #expect(frames.map(\.timestamp.nanoseconds) == [0, 250_000_000, 500_000_000])
        try write(Array("GIF89a".utf8), to: dir + "/no.jpg")
        #expect(throws: CaptureError.self) { try ImageFileSource(path: dir + "/no.jpg") }
    }

    @Test("Record then replay", arguments: FrameRecorder.Container.allCases)
    func recordThenReplay(container: FrameRecorder.Container) throws {
        let dir = try temporaryDirectory()
        let out = dir + (container == .mjpeg ? "/rec.mjpeg" : "/rec")
        let jpegs = try (0..<5).map { try makeJPEG(seed: $0) }
        let recorder = try FrameRecorder(path: out, container: container)
        for (i, j) in jpegs.enumerated() {
            try j.withUnsafeBytes {
                try recorder.append(jpeg: $0, timestamp: Timestamp(nanoseconds: 1_000_000 * UInt64(40 * i + 3)), sequence: UInt64(2 * i))
            }
        }
        try recorder.finish()
        #expect(throws: CaptureError.self) { try FrameRecorder(path: out, container: container) }
        let source: any FrameSource =
            container == .mjpeg ? try MJPEGFileSource(path: out) : try JPEGDirectorySource(directory: out)
        var frames: [Frame] = []
        while let f = try source.next() { frames.append(f) }
        #expect(frames.map { Array($0.bytes) } == jpegs)
        #expect(frames.map(\.sequence) == [0, 2, 4, 6, 8])
        let expected: [UInt64] = (0..<5).map { (i: Int) -> UInt64 in 1_000_000 * UInt64(40 * i + 3) }
        #expect(frames.map(\.timestamp.nanoseconds) == expected)
    }

    @Test func asyncReplay() async throws {
        let dir = try temporaryDirectory()
        try write(try (0..<3).map { try makeJPEG(seed: $0) }.flatMap { $0 }, to: dir + "/s.mjpeg")
        var n = 0
        for try await frame in try MJPEGFileSource(path: dir + "/s.mjpeg").frames {
            #expect(frame.sequence == UInt64(n))
            n += 1
        }
        #expect(n == 3)
    }
}
