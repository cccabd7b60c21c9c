import Foundation
public import SightlineCore

extension PreprocessReport {
    /// Repeated runs on one frame for people: source, decode or conversion, fit, tensor,
    /// kernels, and the median time per stage.
    public static func text(_ reports: [PreprocessReport], input: ModelInput) -> String {
        let r = reports[0]
        func median(_ f: (PreprocessReport) -> Double) -> Double {
            let v = reports.map(f).sorted()
            return v[v.count / 2]
        }
        func ms(_ s: Double) -> String { String(format: "%.3f ms", s * 1000) }
        var lines = [r.origin]
        if let j = r.jpeg {
            lines.append(
                "  source     \(r.sourceWidth)x\(r.sourceHeight) JPEG (\(j.process.rawValue), \(j.subsampling.rawValue), \(j.colorSpace.rawValue))"
            )
            let decodedTo = r.jpegPath == .yuvPlanes ? "Y, Cb, Cr planes" : "RGB"
            lines.append("  decode     DCT scale \(r.scale) -> \(r.decodedWidth)x\(r.decodedHeight) \(decodedTo)")
        } else {
            lines.append("  source     \(r.sourceWidth)x\(r.sourceHeight) raw \(r.sourceFormat)")
            lines.append("  convert    \(r.sourceFormat) -> RGB \(r.decodedWidth)x\(r.decodedHeight)")
        }
        let lb = r.letterbox
        lines.append(
            "  fit        \(input.fit.rawValue): content \(lb.contentWidth)x\(lb.contentHeight) at (\(lb.contentX),\(lb.contentY)) in \(lb.inputWidth)x\(lb.inputHeight), \(input.interpolation.rawValue)"
        )
        lines.append(
            "  tensor     \(r.shape) float32 NCHW \(input.channelOrder.rawValue), values (pixel/255 - mean)/std, mean \(input.mean) std \(input.std)"
        )
        lines.append("  kernels    \(r.kernels)")
        let label = reports.count > 1 ? "time (median of \(reports.count))" : "time"
        lines.append(
            "  \(label)  decode \(ms(median { $0.decodeSeconds })), convert \(ms(median { $0.convertSeconds })), "
                + "resize+pack \(ms(median { $0.resizePackSeconds })), total \(ms(median { $0.totalSeconds }))")
        return lines.joined(separator: "\n")
    }
}

extension Preprocessor {
    /// What `sightline prep` does with one input: reads `path` (a JPEG, or with `raw` a raw
    /// frame of `rawSize` pixels), preprocesses it `repetitions` times into `tensor`, and, with
    /// `out`, writes the tensor (`.npy` for NumPy, else raw float32) whole. Returns the report
    /// for people.
    public func prepCommand(
        path: String, raw: PixelFormat?, rawSize: (width: Int, height: Int), repetitions: Int, out: String?, into tensor: Tensor
    ) throws -> String {
        let frame: Frame
        if let raw {
            frame = try FileIO.readRawFrame(path, format: raw, width: rawSize.width, height: rawSize.height)
        } else {
            frame = try FileIO.readJPEGFrame(path)
        }
        var reports: [PreprocessReport] = []
        for _ in 0..<max(1, repetitions) { reports.append(try run(frame, into: tensor)) }
        var text = PreprocessReport.text(reports, input: input)
        if let out {
            let bytes = out.hasSuffix(".npy") ? tensor.npyBytes() : tensor.elements.withMemoryRebound(to: UInt8.self) { Array($0) }
            try FileIO.writeAtomically(out, bytes)
            text += "\n  wrote      \(out) (\(bytes.count) bytes)"
        }
        return text
    }
}
