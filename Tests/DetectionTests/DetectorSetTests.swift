import Detection
import Imaging
import SightlineCore
import SightlineTestSupport
import Testing

/// Several models as one detector: one preprocessing, detections merged, each naming its model.
@Suite struct DetectorSetTests {
    func model(_ input: ModelInput? = nil) throws -> OpenCVDetector {
        try OpenCVDetector(model: "yolov3-tiny", store: store, input: input)
    }

    /// The whole model plus the same model keeping only `dog`: everything the model alone finds,
    /// then its dogs once more; every box names its model; one preprocessing for both.
    @Test func mergesWhatEachMemberKeeps() throws {
        let frame = try FileIO.readJPEGFrame(Samples.photos.first { $0.name == "dog" }!.path)
        let alone = try model().detect(frame).detections
        let set = try DetectorSet([.init(try model()), .init(try model(), labels: ["dog", "bicycle"])])
        #expect(set.labels.count == 82 && set.labels.suffix(2) == ["bicycle", "dog"])
        let result = try set.detect(frame)
        let keptAgain = alone.filter { ["dog", "bicycle"].contains($0.label) }
        #expect(result.detections == alone + keptAgain)
        #expect(!keptAgain.isEmpty && result.detections.allSatisfy { $0.model == "yolov3-tiny" })
        #expect(result.preprocess != nil && result.timings.inference > 0)
    }

    @Test func refusesWhatCannotWork() throws {
        #expect(throws: DetectionError.runtime(model: "yolov3-tiny", detail: "has no label 'fridge', 'milk' to keep")) {
            try DetectorSet([.init(try model(), labels: ["fridge", "milk", "refrigerator"])])
        }
        var stretched = try model().manifest.input
        stretched.fit = .stretch
        #expect(throws: DetectionError.self) { try DetectorSet([.init(try model()), .init(try model(stretched))]) }
        #expect(throws: DetectionError.self) { try DetectorSet([]) }
        #expect(try DetectorSet.Member.parse("yolov3-tiny") == ("yolov3-tiny", nil))
        let parsed = try DetectorSet.Member.parse("coco:refrigerator, bottle")
        #expect(parsed.model == "coco" && parsed.labels == ["refrigerator", "bottle"])
        #expect(throws: DetectionError.self) { try DetectorSet.Member.parse("coco:") }
        #expect(throws: DetectionError.self) { try DetectorSet.Member.parse(":bottle") }
    }
}
