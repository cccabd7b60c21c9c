import Foundation
import SightlineTestSupport
import Testing

/// The hostile inputs and faults of issue 16, run as a user runs them: the built `sightline`
/// as a child process (a trap or a segfault fails the test instead of the suite; a hang is
/// killed after a timeout and fails it too).
@Suite struct HostileInputCLITests {
    let photo = "/usr/share/darknet/data/dog.jpg"  // 768x576
    let models = repoRoot + "/Models"

    /// The photo's tables and frame header, cut before its scan (SOS), with an EOI added.
    func jpegWithoutScan() throws -> [UInt8] {
        let jpeg = try Samples.bytes(photo)
        let sos = (0..<jpeg.count - 1).first { jpeg[$0] == 0xFF && jpeg[$0 + 1] == 0xDA }!
        return Array(jpeg[..<sos]) + [0xFF, 0xD9]
    }

    func write(_ bytes: [UInt8], _ path: String) throws { try Data(bytes).write(to: URL(fileURLWithPath: path)) }

    /// A scene that needs no model: an empty ground-truth folder stands in for the detector.
    func scene(_ dir: String) throws -> [String] {
        try FileManager.default.createDirectory(atPath: dir + "/labels", withIntermediateDirectories: true)
        return [
            "--profile", repoRoot + "/Samples/profiles/deficit.json", "--today", "2026-11-22", "--ground-truth", dir + "/labels",
            "--classes", TestData.fridgeFile("classes.txt"), "--models-dir", models,
        ]
    }

    // MARK: Memory safety

    /// A JPEG with no scan, then a good one: the bad one is refused by name, the good one is
    /// still read right (the decoder's state was reset after the failure).
    @Test func prepSurvivesAJPEGWithoutScanData() throws {
        let dir = tempDir()
        try write(try jpegWithoutScan(), dir + "/bad.jpg")
        let r = try sightline(["prep", dir + "/bad.jpg", photo], timeout: 120)
        #expect(r.status == 1, "\(r.err)")
        #expect(r.err.contains(dir + "/bad.jpg"), "\(r.err)")
        #expect(r.out.contains("768x576 JPEG"), "\(r.out)")
    }

    @Test(.enabled(if: FileManager.default.fileExists(atPath: repoRoot + "/Models/yolov3-tiny/yolov3-tiny.weights")))
    func detectSurvivesAJPEGWithoutScanData() throws {
        let dir = tempDir()
        try write(try jpegWithoutScan(), dir + "/bad.jpg")
        let r = try sightline(["detect", dir + "/bad.jpg", photo, "--models-dir", models], timeout: 300)
        #expect(r.status == 1, "\(r.err)")
        #expect(r.err.contains(dir + "/bad.jpg"), "\(r.err)")
        #expect(r.out.contains("dog"), "\(r.out)")
    }

    /// The same in a replay (folder and MJPEG): the frame without a picture is skipped as
    /// damaged, the others are analysed, the change gate's thumbnails stay in bounds.
    @Test func replaySkipsAJPEGWithoutScanData() throws {
        let dir = tempDir()
        let frames = dir + "/frames"
        try FileManager.default.createDirectory(atPath: frames, withIntermediateDirectories: true)
        let good = try Samples.bytes(photo), bad = try jpegWithoutScan()
        try write(good, frames + "/a.jpg")
        try write(bad, frames + "/b.jpg")
        try write(good, frames + "/c.jpg")
        try write(good + bad + good, dir + "/stream.mjpeg")
        for input in [frames, dir + "/stream.mjpeg"] {
            let r = try sightline(["replay", input, "--quiet", "--sink", "jsonl:/dev/null"] + scene(dir), timeout: 300)
            #expect(r.status == 0, "\(input): \(r.err)")
            #expect(r.out.contains("2 frames"), "\(input): \(r.out)")
            #expect(r.err.contains("no picture"), "\(input): \(r.err)")
        }
    }

    /// A frame over the decoder's pixel limit in an MJPEG (65535x65535 in its header): with
    /// `--on-corrupt skip`, the default, it is skipped and reported, the others analysed, the run
    /// succeeds; with `stop` it ends the run with an error.
    @Test func anOverLimitFrameIsSkippedLikeADamagedOne() throws {
        let dir = tempDir()
        let good = try Samples.bytes(photo)
        var big = good
        let sof = (0..<good.count - 1).first { good[$0] == 0xFF && good[$0 + 1] == 0xC0 }!
        for k in 5..<9 { big[sof + k] = 0xFF }
        try write(good + big + good, dir + "/over.mjpeg")
        let skip = try sightline(["replay", dir + "/over.mjpeg", "--quiet", "--sink", "jsonl:/dev/null"] + scene(dir), timeout: 120)
        #expect(skip.status == 0, "\(skip.err)")
        #expect(skip.out.contains("1 damaged frame(s) skipped") && skip.out.contains("65535x65535"), "\(skip.out)")
        let stop = try sightline(
            ["replay", dir + "/over.mjpeg", "--quiet", "--on-corrupt", "stop", "--sink", "jsonl:/dev/null"] + scene(dir), timeout: 120)
        #expect(stop.status == 1, "\(stop.out)")
        #expect(stop.err.contains("65535x65535"), "\(stop.err)")
    }

    // MARK: Crashes: every count and size from outside is range-checked

    @Test func outOfRangeSizesAndCountsAreRefusedByName() throws {
        let huge = try sightline(["prep", photo, "--raw", "rgb24", "--raw-size", "4294967296x4294967296"])
        #expect(huge.status != 0 && huge.status < 128, "\(huge.status)")
        #expect(huge.err.contains("--raw-size '4294967296x4294967296'") && huge.err.contains("between 1 and 65535"), "\(huge.err)")
        let zero = try sightline(["prep", photo, "--raw", "rgb24", "--raw-size", "0x0"])
        #expect(zero.err.contains("--raw-size '0x0': width and height must each be between 1 and 65535"), "\(zero.err)")
        let threads = try sightline(["detect", photo, "--threads", "100000", "--models-dir", models])
        #expect(threads.status != 0 && threads.status < 128)
        #expect(threads.err.contains("--threads must be between 1 and 64"), "\(threads.err)")
        let frames = try sightline(["capture", "--input", photo, "--frames", "1152921504606846976"])
        #expect(frames.status != 0 && frames.status < 128)
        #expect(frames.err.contains("--frames must be between 1 and 100000000"), "\(frames.err)")
    }

    /// The largest frame count allowed reserves nothing up front (it used to abort in glibc).
    @Test func aLargeFrameCountOnAShortRecordingEndsWithTheRecording() throws {
        let r = try sightline(["capture", "--input", photo, "--frames", "100000000", "--quiet"], timeout: 120)
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("1 frames"), "\(r.out)")
    }

    // MARK: Hangs: no blocking open of a FIFO, every sleep capped

    @Test func aFIFONamedLikeAFrameIsSkippedNotWaitedOn() throws {
        let dir = tempDir()
        let frames = dir + "/frames"
        try FileManager.default.createDirectory(atPath: frames, withIntermediateDirectories: true)
        try write(try Samples.bytes(photo), frames + "/a.jpg")
        #expect(mkfifo(frames + "/b.jpg", 0o644) == 0)
        try write(try Samples.bytes(photo), frames + "/c.jpg")
        let capture = try sightline(["capture", "--input", frames, "--on-corrupt", "skip", "--frames", "10"], timeout: 60)
        #expect(capture.status == 0, "\(capture.err)")
        #expect(capture.out.contains("2 frames"), "\(capture.out)")
        #expect(capture.out.contains("skipped damaged frames: 1"), "\(capture.out)")
        let replay = try sightline(["replay", frames, "--quiet", "--sink", "jsonl:/dev/null"] + scene(dir), timeout: 120)
        #expect(replay.status == 0, "\(replay.err)")
        #expect(replay.err.contains(frames + "/b.jpg") && replay.err.contains("regular file"), "\(replay.err)")
    }

    /// Sidecar timestamps 10^18 ns apart: the real-time replay pauses at most its cap (5 s).
    @Test func aHugeTimestampGapIsReplayedAsABoundedPause() throws {
        let dir = tempDir()
        let frames = dir + "/frames"
        try FileManager.default.createDirectory(atPath: frames, withIntermediateDirectories: true)
        for name in ["a.jpg", "b.jpg", "c.jpg"] { try write(try Samples.bytes(photo), frames + "/" + name) }
        let sidecar = "# sightline-frames v1\na.jpg\t0\t0\nb.jpg\t1000000000000000000\t1\nc.jpg\t1000000000033000000\t2\n"
        try sidecar.write(toFile: frames + "/frames.tsv", atomically: true, encoding: .utf8)
        let start = Date()
        let r = try sightline(
            ["replay", frames, "--pace", "realtime", "--quiet", "--sink", "jsonl:/dev/null"] + scene(dir), timeout: 90)
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("3 frames"), "\(r.out)")
        #expect(Date().timeIntervalSince(start) < 60)
    }

    // MARK: Data lost while the exit status said success

    /// Disk full under the JSON Lines sink: the run fails and names the file.
    @Test func aFullDiskUnderTheEventsFileFailsTheRun() throws {
        let dir = tempDir()
        let r = try sightline(["replay", photo, "--quiet", "--sink", "jsonl:/dev/full"] + scene(dir), timeout: 120)
        #expect(r.status == 1, "\(r.out) \(r.err)")
        #expect(r.err.contains("/dev/full") && r.err.contains("ENOSPC"), "\(r.err)")
    }

    /// `prep --out` onto a full device fails, names it, and leaves the device a device (as
    /// root, renaming a temporary file over it used to replace it). A node of its own is used
    /// where the test may make one, so the machine's /dev/full is never at stake.
    @Test func prepOutToAFullDeviceFails() throws {
        let dir = tempDir()
        var target = dir + "/full"  // major 1, minor 7: the kernel's full device
        if mknod(target, S_IFCHR | 0o666, dev_t(1 << 8 | 7)) != 0 { target = "/dev/full" }
        let r = try sightline(["prep", photo, "--out", target])
        #expect(r.status == 1, "\(r.out)")
        #expect(r.err.contains(target) && r.err.contains("ENOSPC"), "\(r.err)")
        #expect(!r.out.contains("wrote"), "\(r.out)")
        var st = stat()
        #expect(stat(target, &st) == 0 && (st.st_mode & S_IFMT) == S_IFCHR, "\(target) is no longer a device")
        let null = try sightline(["prep", photo, "--out", "/dev/null"])
        #expect(null.status == 0, "\(null.err)")
    }

    /// The grocery list locked by another program beyond the wait: the need is not added, the
    /// run fails and names the database.
    @Test(.needsFridgeData) func aGroceryListLockedBeyondTheWaitFailsTheRun() throws {
        let dir = tempDir()
        let db = dir + "/g.sqlite"
        let labelled = [
            "--profile", repoRoot + "/Samples/profiles/deficit.json", "--today", "2026-11-22", "--ground-truth",
            fridge + "/labels", "--classes", fridge + "/classes.txt", "--models-dir", models,
        ]
        let image = fridge + "/images/test_10.jpg"
        let first = try sightline(["list", "--db", db, "--clear"])
        #expect(first.status == 0, "\(first.err)")
        let holder = Process()
        holder.executableURL = URL(fileURLWithPath: "/usr/bin/python3")
        holder.arguments = [
            "-c",
            "import sqlite3,sys,time; c=sqlite3.connect(sys.argv[1]); c.execute('BEGIN EXCLUSIVE'); print('locked', flush=True); time.sleep(60)",
            db,
        ]
        let out = Pipe()
        holder.standardOutput = out
        try holder.run()
        defer {
            kill(holder.processIdentifier, SIGKILL)
            holder.waitUntilExit()
        }
        _ = out.fileHandleForReading.availableData  // "locked"
        let r = try sightline(["replay", image, "--quiet", "--sink", "grocery:" + db] + labelled, timeout: 120)
        #expect(r.status == 1, "\(r.out) \(r.err)")
        #expect(r.err.contains(db) && r.err.contains("locked"), "\(r.err)")
    }

    @Test func webhookURLsThatCannotBeDeliveredToAreRefused() throws {
        let dir = tempDir()
        for url in ["notaurl", "ftp://example.org/hook", "file:///tmp/hook", "http://127.0.0.1:99999/hook"] {
            let r = try sightline(["replay", photo, "--sink", "webhook:" + url] + scene(dir))
            #expect(r.status != 0 && r.status < 128, "\(url)")
            #expect(r.err.contains(url), "\(url): \(r.err)")
        }
    }

    // MARK: Wrong, though clean; unclear messages

    /// A valid 4:1:0 JPEG (`cjpeg -sample 4x2`) is decoded, not refused as corrupt.
    @Test(.enabled(if: FileManager.default.fileExists(atPath: "/usr/bin/cjpeg")))
    func a410JPEGIsRead() throws {
        let dir = tempDir()
        let rgb = photoLike(width: 96, height: 64, seed: 4)
        try Data("P6\n96 64\n255\n".utf8 + rgb).write(to: URL(fileURLWithPath: dir + "/in.ppm"))
        let cjpeg = try run("/usr/bin/cjpeg", ["-sample", "4x2,1x1,1x1", "-outfile", dir + "/s410.jpg", dir + "/in.ppm"])
        #expect(cjpeg.status == 0, "\(cjpeg.err)")
        let r = try sightline(["prep", dir + "/s410.jpg", "--size", "64"])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("96x64 JPEG"), "\(r.out)")
    }

    /// SOI followed by random bytes is named as damage, not as "243-bit samples".
    @Test func randomBytesAfterAStartOfImageAreCalledCorrupt() throws {
        let dir = tempDir()
        var rng = SplitMix64(seed: 16)
        var bytes: [UInt8] = [0xFF, 0xD8, 0xFF, 0xC0, 0x00, 0x11, 0xF3]
        bytes += (0..<4096).map { _ in UInt8.random(in: 0...255, using: &rng) }
        try write(bytes, dir + "/random.jpg")
        let r = try sightline(["prep", dir + "/random.jpg"])
        #expect(r.status == 1)
        #expect(r.err.contains("corrupt") && !r.err.contains("243-bit"), "\(r.err)")
    }
}
