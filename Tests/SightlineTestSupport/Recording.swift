import Capture
import Foundation
import SightlineCore

/// A recorded JPEG folder built from photos: `frame-NNNNNN.jpg` (symlinks to the photos), a
/// `frames.tsv` sidecar at `fps`, and each frame's label file (a copy of its photo's) in
/// `labels/`, so the frames can be "detected" from their labels.
public struct Recording {
    public let folder: String
    public let labels: String

    public init(photos: [(image: String, label: String)], fps: Double = 15) throws {
        let dir = Reference.tempDir + "/rec-\(UUID().uuidString)"
        folder = dir + "/frames"
        labels = dir + "/labels"
        let fm = FileManager.default
        try fm.createDirectory(atPath: folder, withIntermediateDirectories: true)
        try fm.createDirectory(atPath: labels, withIntermediateDirectories: true)
        var tsv = Sidecar.header
        for (i, p) in photos.enumerated() {
            let name = String(format: "frame-%06d", i)
            try fm.createSymbolicLink(atPath: folder + "/" + name + ".jpg", withDestinationPath: p.image)
            try fm.copyItem(atPath: p.label, toPath: labels + "/" + name + ".txt")
            tsv += Sidecar.line(
                .init(
                    frame: name + ".jpg", timestamp: Timestamp(nanoseconds: 5_000_000_000 + UInt64(Double(i) / fps * 1e9)),
                    sequence: UInt64(i)))
        }
        try tsv.write(toFile: folder + "/frames.tsv", atomically: true, encoding: .utf8)
    }
}
