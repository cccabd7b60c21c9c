import Actions
import Foundation
import Imaging
import SightlineCore
import SightlineTestSupport
import Testing

@Suite struct OverlayTests {
    static let background: (UInt8, UInt8, UInt8) = (128, 128, 128)

    /// A uniform grey JPEG frame, so any coloured pixel was drawn.
    func greyJPEGFrame(width: Int, height: Int, sequence: UInt64 = 0) throws -> Frame {
        let rgb = [UInt8](repeating: 128, count: width * height * 3)
        let jpeg = try JPEGEncoder().encode(rgb: rgb, width: width, height: height, quality: 95, subsampling: .s444)
        return try Frame(
            format: .mjpeg, width: 0, height: 0, sequence: sequence, origin: "/photos/fridge.jpg", storage: ImageBuffer(copying: jpeg))
    }

    func decode(_ jpeg: [UInt8]) throws -> (width: Int, height: Int, rgb: [UInt8]) {
        let buffer = ImageBuffer()
        let image = try jpeg.withUnsafeBytes { try JPEGDecoder().decode($0, origin: "overlay", into: buffer) }
        let rgb = [UInt8](UnsafeRawBufferPointer(start: buffer.pointer, count: image.stride * image.height))
        return (image.width, image.height, rgb)
    }

    func pixel(_ img: (width: Int, height: Int, rgb: [UInt8]), _ x: Int, _ y: Int) -> (Int, Int, Int) {
        let i = (y * img.width + x) * 3
        return (Int(img.rgb[i]), Int(img.rgb[i + 1]), Int(img.rgb[i + 2]))
    }

    func close(_ p: (Int, Int, Int), _ c: (UInt8, UInt8, UInt8), within tolerance: Int = 24) -> Bool {
        abs(p.0 - Int(c.0)) <= tolerance && abs(p.1 - Int(c.1)) <= tolerance && abs(p.2 - Int(c.2)) <= tolerance
    }

    @Test func boxesLabelsAndConclusionAreDrawnOnTheFrame() throws {
        let width = 900, height = 600  // scale 2: lines 2 px thick, text 14 px high
        let frame = try greyJPEGFrame(width: width, height: height)
        let box = Rect(x: 200, y: 150, width: 300, height: 200)
        let detection = Detection(label: "bottle", classID: 39, score: 0.91, box: box)
        let color = OverlayRenderer.color(forClass: 39)
        let jpeg = try OverlayRenderer().renderJPEG(
            frame: frame, detections: [detection], conclusion: "Short of 38 g protein: add Greek yogurt")
        let img = try decode(jpeg)
        #expect(img.width == width && img.height == height)
        let c = (color.r, color.g, color.b)
        // On the outline (each side, at its middle): the box colour.
        for (x, y) in [(200, 250), (499, 250), (350, 150), (350, 349), (201, 250), (350, 151)] {
            #expect(close(pixel(img, x, y), c), "(\(x), \(y)) = \(pixel(img, x, y)), box colour \(c)")
        }
        // Inside and outside the outline: still the frame.
        for (x, y) in [(350, 250), (210, 250), (190, 250), (350, 360)] {
            #expect(close(pixel(img, x, y), Self.background, within: 8), "(\(x), \(y)) = \(pixel(img, x, y))")
        }
        // The label tag above the box: mostly the box colour, with white text in it.
        let tagPixels = (131..<149).flatMap { y in (200..<322).map { pixel(img, $0, y) } }
        let onColour = tagPixels.filter { close($0, c, within: 40) }.count
        #expect(Double(onColour) / Double(tagPixels.count) > 0.4, "\(onColour) of \(tagPixels.count)")
        #expect(tagPixels.contains { $0.0 > 220 && $0.1 > 220 && $0.2 > 220 })
        // The conclusion: a dark band along the bottom with yellow text.
        #expect(close(pixel(img, 1, height - 1), (0, 0, 0), within: 16))
        let band = ((height - 20)..<height).flatMap { y in (0..<400).map { pixel(img, $0, y) } }
        #expect(band.contains { close($0, (255, 230, 80), within: 40) })
        #expect(close(pixel(img, 450, height - 40), Self.background, within: 8))
    }

    /// Warnings come first and plainly: a red band across the top, over the boxes, with white text.
    @Test func warningsAreDrawnFirstOnARedBand() throws {
        let frame = try greyJPEGFrame(width: 600, height: 400)
        let detection = Detection(label: "cheese", classID: 7, score: 0.9, box: Rect(x: 0, y: 0, width: 200, height: 100))
        let plain = try decode(try OverlayRenderer().renderJPEG(frame: frame, detections: [detection], conclusion: "add yogurt"))
        let warned = try decode(
            try OverlayRenderer().renderJPEG(
                frame: frame, detections: [detection], conclusion: "add yogurt",
                warnings: ["Chicken has been out of the fridge for 2 h: put it back or throw it away.", "The fridge is open."]))
        // Scale 1: 10 px a line; two lines of text plus 2 px.
        #expect(close(pixel(warned, 598, 1), OverlayRenderer.warningColor) && !close(pixel(plain, 598, 1), OverlayRenderer.warningColor))
        #expect(close(pixel(warned, 598, 20), OverlayRenderer.warningColor))
        #expect(close(pixel(warned, 598, 40), Self.background))  // below the band, the frame
        let white = (0..<22).flatMap { y in (0..<600).map { x in pixel(warned, x, y) } }.filter { $0.0 > 200 && $0.1 > 200 && $0.2 > 200 }
        #expect(white.count > 100, "the band has text")
        // The conclusion band at the bottom is still there.
        #expect(close(pixel(warned, 598, 399), (0, 0, 0)))
    }

    @Test func rawFramesAreConvertedFirst() throws {
        let w = 64, h = 48
        let rgb = photoLike(width: w, height: h, seed: 3)
        let grey = [UInt8](repeating: 200, count: w * h)
        // YUYV of mid grey (Y 126, U V 128 → RGB ~128 in limited range).
        let yuyv = [UInt8]((0..<(w * h / 2)).flatMap { _ in [126, 128, 126, 128] as [UInt8] })
        let nv12 = [UInt8](repeating: 126, count: w * h) + [UInt8](repeating: 128, count: w * h / 2)
        let cases: [(PixelFormat, [UInt8], (UInt8, UInt8, UInt8))] = [
            (.rgb24, rgb, (rgb[0], rgb[1], rgb[2])), (.bgr24, rgb, (rgb[2], rgb[1], rgb[0])), (.grey, grey, (200, 200, 200)),
            (.yuyv, yuyv, (128, 128, 128)), (.nv12, nv12, (128, 128, 128)),
        ]
        for (format, bytes, corner) in cases {
            let frame = try Frame(format: format, width: w, height: h, origin: "raw", storage: ImageBuffer(copying: bytes))
            let img = try decode(try OverlayRenderer(quality: 98).renderJPEG(frame: frame, detections: [], conclusion: nil))
            #expect(img.width == w && img.height == h, "\(format)")
            #expect(close(pixel(img, 0, 0), corner, within: 10), "\(format): \(pixel(img, 0, 0)) vs \(corner)")
        }
    }

    @Test func wrapsLongConclusionsAtSpaces() throws {
        let frame = try greyJPEGFrame(width: 300, height: 200)  // scale 1: 6 px a character, ~49 columns
        let long = String(repeating: "protein ", count: 20)
        let img = try decode(try OverlayRenderer().renderJPEG(frame: frame, detections: [], conclusion: long))
        // 20 words of 7 letters over 49 columns: 6 words a line, 4 lines of 10 px and a 2 px
        // margin, so the band starts at row 158 (with 3 lines it would start at 168, with 5 at 148).
        func rowMean(_ y: Int) -> Double {
            Double(
                (0..<300).map {
                    let p = pixel(img, $0, y); return p.0 + p.1 + p.2
                }.reduce(0, +)) / 900
        }
        #expect(rowMean(161) < 70, "\(rowMean(161))")
        #expect(abs(rowMean(150) - 128) < 6, "\(rowMean(150))")
    }

    @Test func theSinkWritesOneFilePerFrameNamedBySequenceAndOrigin() throws {
        let dir = tempDir() + "/hud"
        let sink = try OverlaySink(folder: dir)
        let frame = try greyJPEGFrame(width: 320, height: 240, sequence: 42)
        var event = SightlineEvent(
            kind: .frameAnalysed, frame: .init(frame), time: may1,
            detections: [Detection(label: "apple", classID: 47, score: 0.5, box: Rect(x: 10, y: 10, width: 50, height: 50))],
            image: frame)
        try sink.handle(event)
        let path = dir + "/fridge-000042.jpg"
        #expect(sink.written == [path])
        let first = try Data(contentsOf: URL(fileURLWithPath: path))
        #expect(try decode([UInt8](first)).width == 320)
        // The conclusion for the same frame replaces the picture.
        event.kind = .conclusion
        event.conclusion = "enough protein today"
        try sink.handle(event)
        #expect(sink.written == [path, path])
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) != first)
        // Events without pixels draw nothing.
        try sink.handle(sampleEvent(7))
        #expect(sink.written.count == 2)
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir) == ["fridge-000042.jpg"])
        #expect(OverlaySink.fileName(origin: "/dev/video0 #12", sequence: 1234567) == "video0__12-1234567.jpg")
    }

    @Test func aCorruptFrameIsAnErrorNamingIt() throws {
        let sink = try OverlaySink(folder: tempDir())
        let bad = try Frame(
            format: .mjpeg, width: 0, height: 0, origin: "/photos/broken.jpg",
            storage: ImageBuffer(copying: [0xFF, 0xD8, 0xFF, 0x00, 1, 2, 3]))
        let event = SightlineEvent(kind: .frameAnalysed, frame: .init(bad), time: may1, image: bad)
        #expect {
            try sink.handle(event)
        } throws: { "\($0)".contains("/photos/broken.jpg") }
        #expect(sink.written.isEmpty)
    }
}
