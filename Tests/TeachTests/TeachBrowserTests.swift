import Foundation
import SightlineTestSupport
import Testing

/// The labelling page in a real headless browser: Debian's chromium driven by chromium-driver
/// through WebDriver, with real mouse and touch input (the Actions API's pointer down, move and
/// up), against `sightline teach serve` running as the wearer runs it, with the grocery model's
/// proposals on the committed fridge photos. What the page saved is read back from the files.
///
/// Skipped, saying why, only where chromium cannot start (not installed, or no session).
@Suite(.serialized) struct TeachBrowserTests {
    struct Box: Decodable {
        var label: String
        var x: Double
        var y: Double
        var width: Double
        var height: Double
    }

    struct Photo: Decodable {
        var index: Int
        var name: String
        var width: Int
        var height: Int
        var status: String
        var boxes: [Box]
    }

    /// Starts the server on the sample photos, chromium through chromium-driver, and runs `body`;
    /// stops both however it ends, and the server must then exit cleanly.
    func withBrowser(mobile: Bool, _ body: (WebDriver, URL, String) async throws -> Void) async throws {
        if let missing = ChromeDriver.missing { try skip(missing) }
        let folder = try recordingFolder()
        let server = try TeachServerProcess(photos: folder)
        let page: URL
        do { page = try await server.waitUntilListening() } catch {
            _ = server.stop()
            throw error
        }
        let driver = try await ChromeDriver()
        let browser: WebDriver
        do { browser = try await WebDriver.start(driver.base, capabilities: driver.capabilities(mobile: mobile)) } catch {
            driver.stop()
            _ = server.stop()
            try skip("chromium could not start here: \(error)")
        }
        var failure: (any Error)?
        do {
            try await browser.navigate(page.absoluteString)
            try await body(browser, page, folder)
        } catch {
            failure = error
            let shot = NSTemporaryDirectory() + "sightline-teach-failure-\(mobile ? "phone" : "laptop").png"
            await browser.screenshot(to: shot)
            print("TeachBrowserTests: screenshot of the failure: \(shot); server: \(server.transcript)")
        }
        await browser.quit()
        driver.stop()
        let status = server.stop()
        if let failure { throw failure }
        #expect(status == 0, "teach serve exited with \(status) on SIGINT: \(server.transcript.err)")
    }

    func skip(_ reason: String) throws -> Never {
        #if compiler(>=6.3)
            try Test.cancel(Comment(rawValue: reason))
        #else
            print("skipped: \(reason)")
            throw CancellationError()
        #endif
    }

    func photo(_ page: URL, _ index: Int) async throws -> Photo {
        let response = try await WebDriver.fetch("GET", page.appendingPathComponent("api/photos/\(index)"))
        return try JSONDecoder().decode(Photo.self, from: response.body)
    }

    /// Waits until the page shows photo `index` with its boxes drawn.
    func waitForPhoto(_ b: WebDriver, _ index: Int) async throws {
        try await b.wait("photo \(index) drawn") {
            try await b.element("#boxes[data-ready='1'][data-photo='\(index)']") != nil
        }
    }

    /// A point inside `boxes[index]`, away from its edges, that no box drawn above it covers
    /// (a later index, or `selected`, which the page draws last): a press there reaches this box.
    func grabPoint(_ boxes: [Box], _ index: Int, selected: Int? = nil) -> (Double, Double)? {
        let b = boxes[index]
        let above = boxes.indices.filter { $0 > index || $0 == selected }.filter { $0 != index }.map { boxes[$0] }
        let fractions = Array(stride(from: 0.5, through: 0.9, by: 0.1)) + Array(stride(from: 0.4, through: 0.1, by: -0.1))
        for fy in fractions {
            for fx in fractions {
                let x = b.x + b.width * fx, y = b.y + b.height * fy
                let covered = above.contains { o in x >= o.x - 8 && x <= o.x + o.width + 8 && y >= o.y - 8 && y <= o.y + o.height + 8 }
                if !covered { return (x, y) }
            }
        }
        return nil
    }

    /// The last box not in `excluding` with a point a press reaches (``grabPoint(_:_:selected:)``).
    func pick(_ boxes: [Box], excluding: Set<Int>, selected: Int?) -> (Int, (Double, Double))? {
        for i in boxes.indices.reversed() where !excluding.contains(i) {
            if let p = grabPoint(boxes, i, selected: selected) { return (i, p) }
        }
        return nil
    }

    /// A `size`x`size` square of the photo that no box comes within 10 pixels of.
    func emptySquare(_ boxes: [Box], size: Double, width: Double, height: Double) -> (Double, Double)? {
        for y in stride(from: 10.0, through: height - size - 10, by: 10) {
            for x in stride(from: 10.0, through: width - size - 10, by: 10) {
                let hit = boxes.contains { o in
                    x < o.x + o.width + 10 && x + size > o.x - 10 && y < o.y + o.height + 10 && y + size > o.y - 10
                }
                if !hit { return (x, y) }
            }
        }
        return nil
    }

    /// On a laptop with a mouse: move, resize, relabel and delete proposals, add a class, draw a
    /// box with it, save; the label file holds exactly those boxes. Then a photo emptied of
    /// boxes is refused without "nothing here", and a reload shows the saved boxes again.
    @Test func labelsOnALaptopWithAMouse() async throws {
        try await withBrowser(mobile: false) { b, page, folder in
            try await waitForPhoto(b, 0)
            let first = try await photo(page, 0)
            var boxes = first.boxes
            try #require(boxes.count >= 4, "the grocery model proposes \(boxes.count) boxes on \(first.name); the test needs 4")
            let frame = try await b.viewportRect("#boxes")
            let s = frame.width / Double(first.width)
            func screen(_ p: (Double, Double)) -> (Double, Double) { (frame.x + p.0 * s, frame.y + p.1 * s) }

            // Move the last proposal (drawn on top) by (+25, +15) screen pixels.
            let moved = boxes.count - 1
            let grab = try #require(grabPoint(boxes, moved))
            let (dx, dy) = (25.0, 15.0)
            try await b.drag(from: screen(grab), to: (screen(grab).0 + dx, screen(grab).1 + dy))
            boxes[moved].x = min(max(0, boxes[moved].x + dx / s), Double(first.width) - boxes[moved].width)
            boxes[moved].y = min(max(0, boxes[moved].y + dy / s), Double(first.height) - boxes[moved].height)

            // Resize another proposal: pick it, then drag its bottom-right corner by (-12, +18).
            let (resized, grabResized) = try #require(
                pick(boxes, excluding: [moved], selected: moved), "no other proposal on \(first.name) can be pressed")
            let corner = (boxes[resized].x + boxes[resized].width, boxes[resized].y + boxes[resized].height)
            try await b.tap(screen(grabResized))
            try await b.drag(from: screen(corner), to: (screen(corner).0 - 12, screen(corner).1 + 18))
            boxes[resized].width -= 12 / s
            boxes[resized].height = min(boxes[resized].height + 18 / s, Double(first.height) - boxes[resized].y)

            // Relabel a third as yogurt: pick it (a click), then the label list.
            let (relabelled, grabRelabelled) = try #require(
                pick(boxes, excluding: [moved, resized], selected: resized), "no third proposal on \(first.name) can be pressed")
            try await b.tap(screen(grabRelabelled))
            try await b.click(css: "#label option[value='yogurt']")
            boxes[relabelled].label = "yogurt"

            // Delete a fourth: pick it, then Delete box.
            let (deleted, grabDeleted) = try #require(
                pick(boxes, excluding: [moved, resized, relabelled], selected: relabelled),
                "no fourth proposal on \(first.name) can be pressed")
            try await b.tap(screen(grabDeleted))
            try await b.click(css: "#delete")
            boxes.remove(at: deleted)

            // Add a class the taxonomy lacks (nothing is picked after the delete), then draw a box.
            let input = try #require(try await b.element("#new-class"))
            try await b.type("Kombucha", into: input)
            try await b.click(css: "#add-class")
            try await b.wait("the new class") { try await b.element("#label option[value='kombucha']:checked") != nil }
            let corner0 = try #require(emptySquare(boxes, size: 70, width: Double(first.width), height: Double(first.height)))
            try await b.drag(from: screen(corner0), to: screen((corner0.0 + 60, corner0.1 + 50)))
            boxes.append(Box(label: "kombucha", x: corner0.0, y: corner0.1, width: 60, height: 50))

            try await b.click(css: "#save")
            try await waitForPhoto(b, 1)  // saving moves on to the next new photo

            let base = folder + "/labels/" + (first.name as NSString).deletingPathExtension + ".txt"
            let saved = try savedBoxes(labels: base, classes: folder + "/classes.txt", width: 640, height: 640)
            let expected = boxes.map { SavedBox(label: $0.label, x: $0.x, y: $0.y, width: $0.width, height: $0.height) }
            #expect(saved.count == expected.count, "saved \(saved), expected \(expected)")
            for e in expected {
                #expect(saved.contains { $0.matches(e, tolerance: 2.5 / s) }, "\(e) not saved as drawn; saved: \(saved)")
            }
            let classes = try String(contentsOfFile: folder + "/classes.txt", encoding: .utf8).split(separator: "\n").map(String.init)
            #expect(classes.last == "kombucha" && Set(classes).count == classes.count, "\(classes)")
            #expect(Set(expected.map(\.label)).isSubset(of: Set(classes)))
            #expect(FileManager.default.contentsEqual(atPath: folder + "/images/" + first.name, andPath: folder + "/" + first.name))

            // Photo 1 with every box deleted (the topmost first) is refused without "nothing here".
            let second = try await photo(page, 1)
            for _ in second.boxes {
                try await b.click(try #require(try await b.elements("#boxes rect.box").last))
                try await b.click(css: "#delete")
            }
            #expect(try await b.elements("#boxes rect.box").isEmpty)
            try await b.click(css: "#save")
            try await b.wait("the refusal") { try await b.element("#message.error") != nil }
            let message = try await b.text(try #require(try await b.element("#message")))
            #expect(message.contains("nothing here"), "\(message)")
            let secondLabels = folder + "/labels/" + (second.name as NSString).deletingPathExtension + ".txt"
            #expect(!FileManager.default.fileExists(atPath: secondLabels))

            // A reload shows photo 0 as saved: its boxes, none a proposal.
            try await b.navigate(page.absoluteString)
            try await waitForPhoto(b, 1)
            try await b.click(css: "#photos button[data-index='0']")
            try await waitForPhoto(b, 0)
            #expect(try await b.elements("#boxes rect.box").count == expected.count)
            #expect(try await b.elements("#boxes rect.box.proposal").isEmpty)
        }
    }

    /// On a phone-sized screen with a finger: the photo fits the width, the tools sit below it,
    /// nothing scrolls sideways; a proposal moved and a box drawn by touch are saved, and the
    /// next photo is saved as "nothing here" (an empty label file).
    @Test func labelsOnAPhoneWithAFinger() async throws {
        try await withBrowser(mobile: true) { b, page, folder in
            try await waitForPhoto(b, 0)
            let layout =
                try await b.script(
                    """
                    const svg = document.querySelector('#boxes').getBoundingClientRect();
                    const tools = document.querySelector('#tools').getBoundingClientRect();
                    return [window.innerWidth, document.documentElement.scrollWidth, svg.width, svg.bottom, tools.top,
                            matchMedia('(pointer: coarse)').matches ? 1 : 0];
                    """) as? [Double] ?? []
            try #require(layout.count == 6, "\(layout)")
            #expect(layout[0] == 390, "viewport \(layout[0]) CSS pixels wide")
            #expect(layout[1] <= layout[0], "the page scrolls sideways: \(layout[1]) > \(layout[0])")
            #expect(layout[2] > 300 && layout[2] <= 390, "the photo is \(layout[2]) wide on a 390 screen")
            #expect(layout[4] >= layout[3] - 1, "the tools (top \(layout[4])) overlap the photo (bottom \(layout[3]))")
            #expect(layout[5] == 1, "the page does not see a touch screen")

            let first = try await photo(page, 0)
            var boxes = first.boxes
            try #require(!boxes.isEmpty, "the grocery model proposes no box on \(first.name)")
            try await b.script("window.scrollTo(0, 0);")
            let frame = try await b.viewportRect("#boxes")
            let s = frame.width / Double(first.width)
            func screen(_ p: (Double, Double)) -> (Double, Double) { (frame.x + p.0 * s, frame.y + p.1 * s) }

            let moved = boxes.count - 1
            let grab = try #require(grabPoint(boxes, moved))
            let (dx, dy) = (-20.0, 12.0)
            try await b.drag(from: screen(grab), to: (screen(grab).0 + dx, screen(grab).1 + dy), pointerType: "touch")
            boxes[moved].x = min(max(0, boxes[moved].x + dx / s), Double(first.width) - boxes[moved].width)
            boxes[moved].y = min(max(0, boxes[moved].y + dy / s), Double(first.height) - boxes[moved].height)

            // A tap where there is no box unpicks the moved one; the label picked then is for new boxes.
            let corner = try #require(emptySquare(boxes, size: 90, width: Double(first.width), height: Double(first.height)))
            try await b.tap(screen((corner.0 + 45, corner.1 + 45)), pointerType: "touch")
            #expect(try await b.elements("#boxes rect.box.selected").isEmpty)
            try await b.click(css: "#label option[value='butter']")
            try await b.drag(from: screen(corner), to: screen((corner.0 + 80, corner.1 + 70)), pointerType: "touch")
            boxes.append(Box(label: "butter", x: corner.0, y: corner.1, width: 80, height: 70))

            try await b.click(css: "#save")
            try await waitForPhoto(b, 1)
            let saved = try savedBoxes(
                labels: folder + "/labels/" + (first.name as NSString).deletingPathExtension + ".txt", classes: folder + "/classes.txt",
                width: 640, height: 640)
            let expected = boxes.map { SavedBox(label: $0.label, x: $0.x, y: $0.y, width: $0.width, height: $0.height) }
            #expect(saved.count == expected.count, "saved \(saved), expected \(expected)")
            for e in expected {
                #expect(saved.contains { $0.matches(e, tolerance: 2.5 / s) }, "\(e) not saved as drawn; saved: \(saved)")
            }

            let second = try await photo(page, 1)
            try await b.click(css: "#nothing")
            try await waitForPhoto(b, 2)
            let empty = folder + "/labels/" + (second.name as NSString).deletingPathExtension + ".txt"
            #expect(try String(contentsOfFile: empty, encoding: .utf8).isEmpty)
            #expect(FileManager.default.fileExists(atPath: folder + "/images/" + second.name))
            #expect(try await photo(page, 1).status == "nothing-here")
        }
    }
}
