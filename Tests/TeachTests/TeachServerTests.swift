import Detection
import Foundation
import Logging
import SightlineTestSupport
import Teach
import Testing

/// The server's HTTP API on a real socket (no model: proposals are the browser test's), and the
/// command's refusals as the wearer meets them.
@Suite struct TeachServerTests {
    /// Serves `folder` on a free port for the length of `body`.
    func serving(_ folder: String, _ body: (URL) async throws -> Void) async throws {
        let taxonomy = try LabelTaxonomy.load(path: modelsDir + "/grocery-taxonomy.json")
        let server = TeachServer(session: try LabellingSession(photosFolder: folder, taxonomy: taxonomy, proposals: nil))
        let (addresses, continuation) = AsyncStream.makeStream(of: String.self)
        let running = Task {
            try await server.run(host: "127.0.0.1", port: 0, logger: Logger(label: "test")) { continuation.yield($0) }
        }
        defer { running.cancel() }
        var iterator = addresses.makeAsyncIterator()
        let address = try #require(await iterator.next())
        try await body(URL(string: address)!)
    }

    func request(_ method: String, _ url: URL, json: String? = nil, type: String = "application/json") async throws -> (
        Int, String, String?
    ) {
        let r = try await WebDriver.fetch(method, url, body: json.map { Data($0.utf8) }, contentType: type)
        return (r.status, String(decoding: r.body, as: UTF8.self), r.contentType)
    }

    @Test func servesThePageAndSavesThroughTheAPI() async throws {
        let folder = try recordingFolder()
        try await serving(folder) { url in
            let (status, page, type) = try await request("GET", url)
            #expect(status == 200 && type?.hasPrefix("text/html") == true && page.contains("<script src=\"/teach.js\""))
            for (file, kind) in [("teach.js", "text/javascript"), ("teach.css", "text/css")] {
                let (s, body, t) = try await request("GET", url.appendingPathComponent(file))
                #expect(s == 200 && t?.hasPrefix(kind) == true && body.count > 500, "\(file)")
            }
            let (_, state, _) = try await request("GET", url.appendingPathComponent("api/state"))
            let decoded = try JSONSerialization.jsonObject(with: Data(state.utf8)) as! [String: Any]
            #expect((decoded["photos"] as? [Any])?.count == 3 && (decoded["classes"] as? [String])?.first == "apple")
            let (imageStatus, _, imageType) = try await request("GET", url.appendingPathComponent("api/photos/2/image"))
            #expect(imageStatus == 200 && imageType == "image/jpeg")

            let labels = url.appendingPathComponent("api/photos/0/labels")
            let one = #"{"boxes": [{"label": "milk", "x": 10, "y": 20, "width": 30, "height": 40}], "nothingHere": false}"#
            let (saved, body, _) = try await request("PUT", labels, json: one)
            #expect(saved == 200 && body.contains("\"status\":\"labelled\""), "\(body)")
            #expect(
                FileManager.default.fileExists(
                    atPath: folder + "/labels/" + (samplePhotos[0] as NSString).lastPathComponent.dropLast(4) + ".txt"))

            // Refusals: the message names the photo; text/plain (what a page of another site may send) is refused.
            let (empty, message, _) = try await request("PUT", labels, json: #"{"boxes": [], "nothingHere": false}"#)
            #expect(empty == 400 && message.contains("say \\\"nothing here\\\""), "\(message)")
            let (plain, _, _) = try await request("PUT", labels, json: one, type: "text/plain")
            #expect(plain == 415)
            let (garbled, _, _) = try await request("PUT", labels, json: "{")
            #expect(garbled == 400)
            let (outOfRange, text, _) = try await request("GET", url.appendingPathComponent("api/photos/9"))
            #expect(outOfRange == 400 && text.contains("no photo 9"))
            let (added, list, _) = try await request("POST", url.appendingPathComponent("api/classes"), json: #"{"name": "Kombucha"}"#)
            #expect(added == 200 && list.contains("\"name\":\"kombucha\""))
            let (again, twice, _) = try await request("POST", url.appendingPathComponent("api/classes"), json: #"{"name": "kombucha"}"#)
            #expect(again == 400 && twice.contains("already on the list"))
        }
    }

    /// `sightline teach serve` refuses bad input before serving (exit 2) and a port in use (exit 1).
    @Test func theCommandRefusesBadInput() async throws {
        let missing = tempDir() + "/nowhere"
        let r = try sightline(["teach", "serve", "--photos", missing, "--model", "none", "--models-dir", modelsDir])
        #expect(r.status == 2 && r.err == "error: \(missing): no such folder\n", "\(r)")
        let empty = tempDir()
        let e = try sightline(["teach", "serve", "--photos", empty, "--model", "none", "--models-dir", modelsDir])
        #expect(e.status == 2 && e.err.contains("no photos"), "\(e)")
        let unknown = try sightline(["teach", "serve", "--photos", try recordingFolder(), "--model", "nope", "--models-dir", modelsDir])
        #expect(unknown.status == 2 && unknown.err.contains("model 'nope' not found"), "\(unknown)")

        // A port in use: another server holds it.
        let folder = try recordingFolder()
        try await serving(folder) { url in
            let port = String(url.port!)
            let busy = try sightline(["teach", "serve", "--photos", folder, "--model", "none", "--port", port, "--models-dir", modelsDir])
            #expect(busy.status == 1 && busy.err.contains("127.0.0.1:\(port) is in use"), "\(busy)")
        }
        let bad = try sightline(["teach", "serve", "--photos", folder, "--model", "none", "--port", "70000"])
        #expect(bad.status == 1 && bad.err.contains("not between 0 and 65535"), "\(bad)")
    }
}
