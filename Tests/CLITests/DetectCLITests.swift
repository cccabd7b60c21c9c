import Foundation
import SightlineCore
import SightlineTestSupport
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

    /// `sightline detect PHOTOS --runtime onnxruntime --threads 1 --json` against `--runtime
    /// opencv` with the default COCO model on the photos of Samples/photos.tsv: every box OpenCV
    /// scores >= 0.3 has one of the same label at IoU >= 0.9 from ONNX Runtime, and each line
    /// names its runtime and gives the inference time in seconds. (How much faster ONNX Runtime
    /// is: `sightline-bench detect`.)
    @Test func runtimesFindTheSameObjects() throws {
        let photos = Samples.photos.map(\.path)
        func detect(_ runtime: String) throws -> [[String: Any]] {
            let r = try sightline(["detect"] + photos + ["--runtime", runtime, "--threads", "1", "--json", "--models-dir", models])
            #expect(r.status == 0, "\(r.err)")
            let lines = try r.out.split(separator: "\n").map { try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any] }
            #expect(lines.count == photos.count && lines.allSatisfy { $0["runtime"] as? String == runtime }, "\(r.out)")
            #expect(lines.allSatisfy { (($0["timings"] as? [String: Double])?["inference"] ?? 0) > 0 })
            return lines
        }
        func boxes(_ line: [String: Any]) -> [(label: String, score: Double, box: Rect)] {
            (line["detections"] as? [[String: Any]] ?? []).map { d in
                let b = d["box"] as! [String: Double]
                return (
                    d["label"] as! String, d["score"] as! Double,
                    Rect(x: Float(b["x"]!), y: Float(b["y"]!), width: Float(b["width"]!), height: Float(b["height"]!))
                )
            }
        }
        let onnx = try detect("onnxruntime"), opencv = try detect("opencv")
        var checked = 0
        for (a, b) in zip(opencv, onnx) {
            let theirs = boxes(b)
            for d in boxes(a) where d.score >= 0.3 {
                checked += 1
                #expect(
                    theirs.contains { $0.label == d.label && $0.box.iou(d.box) >= 0.9 }, "\(a["image"]!): \(d) not found by ONNX Runtime")
            }
        }
        #expect(checked >= 20, "only \(checked) boxes scored >= 0.3: a poor check")
    }

    /// Without ONNX Runtime (SIGHTLINE_ONNXRUNTIME_LIBRARY naming a missing file), the default
    /// model runs on OpenCV DNN with a one-line notice; `--runtime onnxruntime` is an error that
    /// says how to install it.
    @Test func withoutONNXRuntimeItFallsBackOrSaysHowToInstallIt() throws {
        let missing = ["SIGHTLINE_ONNXRUNTIME_LIBRARY": "/nonexistent/libonnxruntime.so.1"]
        let photo = "/usr/share/darknet/data/eagle.jpg"
        let fallback = try sightline(["detect", photo, "--json", "--models-dir", models], environment: missing)
        #expect(fallback.status == 0, "\(fallback.err)")
        #expect(fallback.out.contains("\"runtime\":\"opencv\"") && fallback.out.contains("bird"), "\(fallback.out)")
        let notice = fallback.err.split(separator: "\n")
        #expect(notice.count == 1 && notice[0].hasPrefix("notice: ") && notice[0].contains("scripts/setup"), "\(fallback.err)")
        let asked = try sightline(["detect", photo, "--runtime", "onnxruntime", "--models-dir", models], environment: missing)
        #expect(
            asked.status == 2 && asked.err.contains("/nonexistent/libonnxruntime.so.1") && asked.err.contains("scripts/setup"),
            "\(asked.err)")
        #expect(asked.out.isEmpty)
    }

    /// Without the OpenCV bridge (SIGHTLINE_OPENCV_BRIDGE naming a missing file), `--runtime
    /// opencv` is an error naming the file and saying how to build it, and a model on ONNX Runtime
    /// runs as before: it never needed OpenCV.
    @Test func withoutTheOpenCVBridgeItSaysHowToBuildIt() throws {
        let missing = ["SIGHTLINE_OPENCV_BRIDGE": "/nonexistent/libSightlineOpenCVDNN.so"]
        let photo = "/usr/share/darknet/data/eagle.jpg"
        let asked = try sightline(["detect", photo, "--runtime", "opencv", "--models-dir", models], environment: missing)
        #expect(
            asked.status == 2 && asked.err.contains("/nonexistent/libSightlineOpenCVDNN.so")
                && asked.err.contains("swift build --product SightlineOpenCVDNN"),
            "\(asked.err)")
        #expect(asked.out.isEmpty)
        let onnx = try sightline(["detect", photo, "--runtime", "onnxruntime", "--json", "--models-dir", models], environment: missing)
        #expect(onnx.status == 0 && onnx.out.contains("bird"), "\(onnx.err)")
    }

    /// A process maps only the runtime it runs (the dynamic loader's own record, LD_DEBUG=files):
    /// on ONNX Runtime, neither OpenCV nor libmosquitto nor libcurl; on OpenCV DNN, the bridge
    /// and OpenCV, not ONNX Runtime.
    @Test func eachProcessLoadsOnlyTheRuntimeItRuns() throws {
        let photo = "/usr/share/darknet/data/eagle.jpg"
        let traced = ["LD_DEBUG": "files"]
        let onnx = try sightline(["detect", photo, "--runtime", "onnxruntime", "--json", "--models-dir", models], environment: traced)
        #expect(onnx.status == 0 && onnx.out.contains("bird"), "\(onnx.err.suffix(2000))")
        #expect(onnx.err.contains("file=libonnxruntime.so"), "\(onnx.err.suffix(2000))")
        for unwanted in ["libopencv_", "libSightlineOpenCVDNN", "libmosquitto", "libcurl", "libFoundationNetworking"] {
            #expect(!onnx.err.contains(unwanted), "\(unwanted) loaded on ONNX Runtime")
        }
        let opencv = try sightline(["detect", photo, "--runtime", "opencv", "--json", "--models-dir", models], environment: traced)
        #expect(opencv.status == 0 && opencv.out.contains("bird"), "\(opencv.err.suffix(2000))")
        #expect(opencv.err.contains("libSightlineOpenCVDNN.so") && opencv.err.contains("file=libopencv_dnn.so"))
        #expect(!opencv.err.contains("file=libonnxruntime.so"), "ONNX Runtime loaded on OpenCV DNN")
    }

    /// A bad ONNX file is refused by name: truncated, altered, the wrong output layout.
    @Test func badONNXFilesAreRefusedByName() throws {
        let good = try ScratchModels.onnx("yolov3-tiny")
        var altered = good
        altered[altered.count / 3] ^= 0x40
        for (bytes, pin, reason) in [
            (good.prefix(1000), false, "truncated"), (altered, false, "sha256"),
            (try ScratchModels.onnx("grocery-yolov3-tiny"), true, "wrong output layout"),
        ] {
            let folder = try ScratchModels.withONNX("yolov3-tiny", bytes: bytes, pin: pin)
            let r = try sightline(["detect", "/usr/share/darknet/data/eagle.jpg", "--models-dir", folder])
            #expect(r.status == 2 && r.err.contains(folder + "/yolov3-tiny/yolov3-tiny.onnx") && r.err.contains(reason), "\(r.err)")
        }
    }
}
