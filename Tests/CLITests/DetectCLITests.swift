import Foundation
import Testing

@Suite struct DetectCLITests {
    let models = repoRoot + "/Models"

    @Test func jsonLinesAndAnnotatedImage() throws {
        let dir = tempDir()
        let r = try sightline([
            "detect", "/usr/share/darknet/data/person.jpg", "--models-dir", models, "--json", "--annotate", dir + "/out.jpg",
        ])
        #expect(r.status == 0, "\(r.err)")
        let line = try JSONSerialization.jsonObject(with: Data(r.out.utf8)) as? [String: Any]
        let detections = line?["detections"] as? [[String: Any]] ?? []
        let labels = detections.compactMap { $0["label"] as? String }
        #expect(labels.contains("person") && labels.contains("dog"), "\(labels)")
        #expect(line?["width"] as? Int == 640 && line?["height"] as? Int == 424)
        // The annotated image is a JPEG of the photo's size.
        let jpeg = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dir + "/out.jpg")))
        #expect(jpeg.starts(with: [0xFF, 0xD8]))
        let prep = try sightline(["prep", dir + "/out.jpg"])
        #expect(prep.out.contains("640x424 JPEG"))
    }

    @Test func textOutputListsObjects() throws {
        let r = try sightline(["detect", "/usr/share/darknet/data/eagle.jpg", "--models-dir", models])
        #expect(r.status == 0)
        #expect(r.out.contains("bird"))
        #expect(r.out.contains("inference"))
    }

    @Test func missingModelIsAClearError() throws {
        let r = try sightline(["detect", "/usr/share/darknet/data/eagle.jpg", "--models-dir", tempDir(), "--model", "yolov3-tiny"])
        #expect(r.status == 2)
        #expect(r.err.contains("model 'yolov3-tiny' not found"), "\(r.err)")
        let bad = try sightline(["detect", "/usr/share/darknet/data/eagle.jpg", "--models-dir", models, "--score", "2"])
        #expect(bad.status != 0)
        #expect(bad.err.contains("--score must lie in [0, 1]"))
    }
}
