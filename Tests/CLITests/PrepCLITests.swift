import Foundation
import SightlineTestSupport
import Testing

/// Runs the built `sightline` executable (SwiftPM builds it for this test target).
func sightline(_ args: [String], environment: [String: String] = [:], timeout: Double? = nil) throws -> (
    status: Int32, out: String, err: String
) {
    try run(productPath("sightline"), args, environment: environment, timeout: timeout)
}

let repoRoot = Reference.repoRoot

func tempDir() -> String {
    let d = NSTemporaryDirectory() + "sightline-cli-\(UUID().uuidString)"
    try? FileManager.default.createDirectory(atPath: d, withIntermediateDirectories: true)
    return d
}

@Suite struct PrepCLITests {
    let photo = "/usr/share/darknet/data/dog.jpg"  // 768x576, listed in Samples/photos.tsv

    @Test func describesWhatItDid() throws {
        let dir = tempDir()
        let r = try sightline(["prep", photo, "--size", "416", "--out", dir + "/t.npy"])
        #expect(r.status == 0, "\(r.err)")
        #expect(r.out.contains("768x576 JPEG (baseline"))
        // 768x576 letterboxed into 416 fills 416x312: 1/2 (384x288) does not cover it; 5/8
        // (480x360) would, but a full-size decode is faster than libjpeg-turbo's 5/8 transform.
        // The YCbCr JPEG is decoded to planes by default; --jpeg-path rgb asks for RGB.
        #expect(r.out.contains("DCT scale 1 -> 768x576 Y, Cb, Cr planes"), "\(r.out)")
        let rgb = try sightline(["prep", photo, "--size", "416", "--jpeg-path", "rgb"])
        #expect(rgb.status == 0, "\(rgb.err)")
        #expect(rgb.out.contains("DCT scale 1 -> 768x576 RGB"), "\(rgb.out)")
        #expect(r.out.contains("content 416x312 at (0,52) in 416x416"))
        #expect(r.out.contains("[1, 3, 416, 416] float32 NCHW"))
        #expect(r.out.contains("resize+pack"))
        let size = (try FileManager.default.attributesOfItem(atPath: dir + "/t.npy")[.size] as? Int) ?? 0
        #expect(size == 128 + 416 * 416 * 3 * 4)
    }

    @Test func scalarSwitchFromTheEnvironment() throws {
        let r = try sightline(["prep", photo], environment: ["SIGHTLINE_SIMD": "scalar"])
        #expect(r.status == 0)
        #expect(r.out.contains("kernels    scalar"))
        let s = try sightline(["prep", photo])
        #expect(s.out.contains("kernels    simd"))
    }

    @Test func badInputNamesTheFileAndLeavesNoOutput() throws {
        let dir = tempDir()
        let bad = dir + "/corrupt.jpg"
        var jpeg = [UInt8](try Data(contentsOf: URL(fileURLWithPath: photo)))
        jpeg = Array(jpeg.prefix(jpeg.count / 3))
        try Data(jpeg).write(to: URL(fileURLWithPath: bad))
        let r = try sightline(["prep", bad, "--out", dir + "/out.npy"])
        #expect(r.status == 1)
        #expect(r.err.contains("\(bad): corrupt or truncated JPEG"), "\(r.err)")
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["corrupt.jpg"])
        let missing = try sightline(["prep", dir + "/nope.jpg"])
        #expect(missing.status == 1)
        #expect(missing.err.contains("nope.jpg: cannot open: No such file or directory"))
    }

    @Test func rawFrames() throws {
        let dir = tempDir()
        let raw = dir + "/frame.yuyv"
        try Data(repeating: 128, count: 64 * 48 * 2).write(to: URL(fileURLWithPath: raw))
        let ok = try sightline(["prep", raw, "--raw", "yuyv", "--raw-size", "64x48", "--size", "32"])
        #expect(ok.status == 0, "\(ok.err)")
        #expect(ok.out.contains("64x48 raw yuyv"))
        let short = try sightline(["prep", raw, "--raw", "yuyv", "--raw-size", "640x480"])
        #expect(short.status == 1)
        #expect(short.err.contains("frame needs 614400 bytes but the buffer holds 6144"), "\(short.err)")
    }

    @Test func validationAndHelp() throws {
        let r = try sightline(["prep", photo, "--size", "0"])
        #expect(r.status != 0)
        #expect(r.err.contains("--size must be between 1 and 4096"))
        let h = try sightline(["prep", "--help"])
        #expect(h.out.contains("DCT scale"))
        #expect(h.out.contains("--raw-size"))
    }
}
