import Detection
import Foundation
import Imaging
import SightlineCore
import SightlineTestSupport
import Testing

/// Batch normalisation folded into the convolutions before OpenCV loads a Darknet network
/// (`DarknetFolding`): the same network, one copy of the weights.
@Suite struct DarknetFoldingTests {
    let cfg = try! Data(contentsOf: URL(fileURLWithPath: modelDir + "/yolov3-tiny.cfg"))
    let weights = try! Data(contentsOf: URL(fileURLWithPath: modelDir + "/yolov3-tiny.weights"))

    func network(_ cfg: Data, _ weights: Data, fold: Bool) throws -> DNNNetwork {
        var w = weights
        return try DNNNetwork(darknetConfig: cfg, weights: &w, configPath: "test.cfg", weightsPath: "test.weights", model: "test",
                              foldBatchNorm: fold)
    }

    /// `DarknetFolding.fold` on a copy of `weights`: the result and the folded file's bytes.
    func fold(_ cfg: Data, _ weights: Data) -> (DarknetFolding.Folded, Data)? {
        var w = weights
        guard let folded = w.withUnsafeMutableBytes({ DarknetFolding.fold(config: [UInt8](cfg), weights: $0) }) else {
            #expect(w == weights, "weights that were not folded were changed")
            return nil
        }
        return (folded, w.prefix(folded.weightsCount))
    }

    /// YOLOv3-tiny: 11 of its 13 convolutions carry batch normalisation (the two before the
    /// YOLO heads have a bias instead). Folding drops their scale, mean and variance (3 floats
    /// per filter) from the weights and their `batch_normalize=1` lines from the config,
    /// nothing else.
    @Test func foldsYOLOv3TinysElevenNormalisations() throws {
        let (folded, bytes) = try #require(fold(cfg, weights))
        #expect(folded.foldedLayers == 11)
        // Filters of the normalised convolutions: 16 … 1024, 256, 512, 128, 256.
        let bnFilters = [16, 32, 64, 128, 256, 512, 1024, 256, 512, 128, 256].reduce(0, +)
        #expect(bytes.count == weights.count - 12 * bnFilters)
        let before = String(decoding: cfg, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        let after = String(decoding: folded.config, as: UTF8.self).split(separator: "\n", omittingEmptySubsequences: false)
        #expect(after.count == before.count - 11)
        #expect(before.filter { !$0.hasPrefix("batch_normalize") } == after)
        // The header (version, images seen) is kept.
        #expect(bytes.prefix(20) == weights.prefix(20))
    }

    /// The folded network computes what OpenCV's own fusion computes: the same outputs on a
    /// real photo's tensor (OpenCV's arithmetic, in its precision: equal to the last bit here;
    /// the bound allows a last-bit difference from another compiler's code).
    @Test func foldedNetworkGivesOpenCVsOutputs() throws {
        let frame = try FileIO.readJPEGFrame(Samples.photos.first { $0.name == "dog" }!.path)
        let tensor = Tensor()
        try Preprocessor(input: .square(416), kernels: .scalar).run(frame, into: tensor)
        let folded = try network(cfg, weights, fold: true)
        let plain = try network(cfg, weights, fold: false)
        #expect(folded.foldedLayers == 11 && plain.foldedLayers == 0)
        let a = try folded.forward(tensor).map { ($0.shape, Array($0.data)) }
        let b = try plain.forward(tensor).map { ($0.shape, Array($0.data)) }
        #expect(a.map(\.0) == b.map(\.0))
        var worst: Float = 0
        for (x, y) in zip(a, b) {
            for (u, v) in zip(x.1, y.1) { worst = max(worst, abs(u - v) / max(1, abs(v))) }
        }
        #expect(worst <= 1e-6, "largest relative difference \(worst)")
    }

    /// A wrong fold shows: one variance changed in the file changes the folded outputs (the
    /// test above would catch a fold that read the wrong floats).
    @Test func aChangedVarianceChangesTheFold() throws {
        var altered = weights
        // First convolution: 16 biases, 16 scales, 16 means, then variance 0 (after the
        // 20-byte header).
        let at = 20 + 4 * 48
        altered.replaceSubrange(at..<(at + 4), with: withUnsafeBytes(of: Float(4)) { Data($0) })
        let a = try #require(fold(cfg, weights)).1, b = try #require(fold(cfg, altered)).1
        // Filter 0's bias and its 27 weights differ, nothing else: the first convolution's
        // folded floats (16 biases, 16 x 27 weights) compared one by one, the rest as bytes.
        let first = 20 + 4 * (16 + 16 * 27)
        let differing = (0..<((first - 20) / 4)).filter { i in
            a[(20 + 4 * i)..<(24 + 4 * i)] != b[(20 + 4 * i)..<(24 + 4 * i)]
        }
        #expect(Set(differing).isSubset(of: Set([0] + (16..<(16 + 27)))))
        #expect(differing.contains(0) && differing.contains(16))
        #expect(a[first...] == b[first...])
    }

    /// What is not folded loads as it is: a network without batch normalisation, layers whose
    /// channel rule is not modelled, a weights file of the wrong size, a config that is not one.
    @Test func leavesWhatItDoesNotModelAlone() throws {
        func fold(_ text: String, floats: Int) -> DarknetFolding.Folded? {
            var file = Data()
            for v: Int32 in [0, 2, 0] { file.append(contentsOf: withUnsafeBytes(of: v) { Array($0) }) }
            file += Data(count: 8)
            // Variances of 1, so a fold has something to compute.
            for _ in 0..<floats { file.append(contentsOf: withUnsafeBytes(of: Float(1)) { Array($0) }) }
            return self.fold(Data(text.utf8), file)?.0
        }
        let conv = "[net]\nchannels=3\n\n[convolutional]\nbatch_normalize=1\nfilters=2\nsize=1\n"
        // 2 filters x 3 channels: bias, scale, mean, variance (2 each) + 6 weights = 14 floats.
        let ok = try #require(fold(conv, floats: 14))
        #expect(ok.foldedLayers == 1 && ok.weightsCount == 20 + 4 * 8)
        #expect(String(decoding: ok.config, as: UTF8.self) == "[net]\nchannels=3\n\n[convolutional]\nfilters=2\nsize=1\n")
        #expect(fold(conv, floats: 13) == nil, "a weights file one float short")
        #expect(fold(conv, floats: 15) == nil, "a weights file one float long")
        #expect(fold(conv.replacingOccurrences(of: "batch_normalize=1", with: "batch_normalize=0"), floats: 8) == nil)
        #expect(fold(conv + "\n[reorg]\nstride=2\n", floats: 14) == nil)
        #expect(fold(conv + "\n[connected]\noutput=2\n", floats: 14) == nil)
        #expect(fold(conv.replacingOccurrences(of: "filters=2", with: "filters=two"), floats: 14) == nil)
        #expect(fold("[convolutional]\nbatch_normalize=1\nfilters=2\nsize=1\n", floats: 14) == nil, "no [net] first")
        #expect(fold(conv + "batch_normalize=1\n", floats: 14) == nil, "a key given twice")
        #expect(fold(conv.replacingOccurrences(of: "filters=2", with: "filters=9223372036854775807"), floats: 14) == nil)
        // A route concatenating two convolutions feeds the next one 2 + 2 channels.
        let routed = conv + "\n[convolutional]\nbatch_normalize=1\nfilters=2\nsize=1\n\n[route]\nlayers=-1,0\n\n[convolutional]\nfilters=1\nsize=1\n"
        // 14 + (8 + 2*2) + (1 + 1*4) floats.
        let r = try #require(fold(routed, floats: 14 + 12 + 5))
        #expect(r.foldedLayers == 2)
    }

    /// A folded network that OpenCV refuses is reported with both files named, as before.
    @Test func aConfigOpenCVRefusesNamesTheFiles() {
        let bad = Data("[net]\nwidth=416\nheight=416\n[convolutional]\nbatch_normalize=1\nfilters=1\nsize=1\nactivation=banana\n".utf8)
        var w = Data()
        for v: Int32 in [0, 2, 0] { w.append(contentsOf: withUnsafeBytes(of: v) { Array($0) }) }
        w += Data(count: 8 + 4 * (4 + 3))
        let error = #expect(throws: DetectionError.self) { try network(bad, w, fold: true) }
        #expect(error?.description.contains("test.cfg") == true && error?.description.contains("banana") == true,
                "\(String(describing: error))")
    }
}
