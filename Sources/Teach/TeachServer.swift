public import Detection
internal import Foundation
public import Hummingbird
public import Logging
internal import NIOCore
internal import SightlineCore

/// The labelling web app: the page (HTML, CSS and JavaScript embedded in the binary; no
/// framework, nothing fetched) and the small JSON API it calls, over a ``LabellingSession``.
///
/// | request | answer |
/// |---|---|
/// | `GET /` , `/teach.css`, `/teach.js` | the page |
/// | `GET /api/state` | the photos (name, size, status), the class names on offer, the model |
/// | `GET /api/photos/N` | photo N with its saved boxes, or the model's proposals if it is new |
/// | `GET /api/photos/N/image` | photo N's JPEG, as recorded |
/// | `PUT /api/photos/N/labels` | saves `{"boxes": [{label, x, y, width, height}], "nothingHere": false}` (pixels) |
/// | `POST /api/classes` | adds `{"name": "…"}` to the class names on offer |
///
/// A refused request answers 400 (bad input: the message names the photo or class) or 500 (a
/// failed write), with `{"error": {"message": "…"}}`; the page shows the message. Requests that
/// change something must be `application/json`, which a page of another site cannot send
/// without the server's consent, so a web page the wearer visits cannot write labels.
public struct TeachServer: Sendable {
    public let session: LabellingSession

    public init(session: LabellingSession) { self.session = session }

    /// Opens a ``LabellingSession`` on the photos of `photos` with the model `model` (nil: no
    /// proposals) and the taxonomy of `store`, and serves it (``run(host:port:logger:onListening:)``);
    /// `say` (default: standard output) is told what is served, and where, once the server listens. Bad input throws a
    /// ``DetectionError`` before anything is served.
    public static func serve(
        photos: String, model: String?, store: ModelStore, host: String, port: Int, logger: Logger,
        say: (@Sendable (String) -> Void)? = nil
    ) async throws {
        let say = say ?? { FileHandle.standardOutput.write(Data(($0 + "\n").utf8)) }
        let session = try LabellingSession.open(photos: photos, model: model, store: store)
        try await TeachServer(session: session).run(host: host, port: port, logger: logger) { url in
            say("\(session.startLine) at \(url) (Ctrl-C stops)")
        }
    }

    /// Serves on `host`:`port` (0: a free port) until SIGINT or SIGTERM. `onListening` is
    /// told the address once the server accepts connections.
    public func run(host: String, port: Int, logger: Logger, onListening: @escaping @Sendable (String) -> Void) async throws {
        guard (0...65535).contains(port) else { throw TeachServerError("port \(port) is not between 0 and 65535") }
        let app = Application(
            router: router(), configuration: .init(address: .hostname(host, port: port), serverName: "sightline-teach"),
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? port
                onListening("http://\(host.contains(":") ? "[\(host)]" : host):\(bound)/")
            }, logger: logger)
        do { try await app.runService() } catch let error as IOError where error.errnoCode == EADDRINUSE {
            throw TeachServerError("\(host):\(port) is in use; choose another port with --port (0 picks a free one)")
        } catch let error as IOError where error.errnoCode == EADDRNOTAVAIL {
            throw TeachServerError("cannot listen on \(host): not an address of this machine")
        }
    }

    /// The routes.
    public func router() -> Router<BasicRequestContext> {
        let router = Router()
        let session = self.session
        router.get("/") { _, _ in Self.resource(WebPage.html, type: "text/html; charset=utf-8") }
        router.get("/teach.css") { _, _ in Self.resource(WebPage.css, type: "text/css; charset=utf-8") }
        router.get("/teach.js") { _, _ in Self.resource(WebPage.js, type: "text/javascript; charset=utf-8") }
        router.get("/api/state") { _, _ in
            StatePayload(
                folder: session.photosFolder, output: await session.outputFolder, model: session.modelName,
                classes: await session.classes,
                photos: zip(session.photos, await session.statuses).enumerated().map { k, p in
                    .init(index: k, name: p.0.name, width: p.0.width, height: p.0.height, status: p.1)
                })
        }
        router.get("/api/photos/:index") { _, context in
            try await Self.refusing { PhotoPayload(try await session.view(try Self.index(context))) }
        }
        router.get("/api/photos/:index/image") { _, context in
            let photo = try await Self.refusing { try await session.view(try Self.index(context)).photo }
            let bytes = ImageBuffer()
            let count: Int
            do { count = try FileIO.read(photo.path, into: bytes) } catch {
                throw HTTPError(.internalServerError, message: "\(error)")
            }
            return Response(
                status: .ok, headers: [.contentType: "image/jpeg", .cacheControl: "no-cache"],
                body: .init(byteBuffer: ByteBuffer(bytes: UnsafeRawBufferPointer(start: bytes.pointer, count: count))))
        }
        router.put("/api/photos/:index/labels") { request, context in
            try Self.requireJSON(request)
            let body = try await request.decode(as: SaveRequest.self, context: context)
            return try await Self.refusing {
                PhotoPayload(
                    try await session.save(try Self.index(context), boxes: body.boxes.map(\.labelled), nothingHere: body.nothingHere))
            }
        }
        router.post("/api/classes") { request, context in
            try Self.requireJSON(request)
            let body = try await request.decode(as: ClassRequest.self, context: context)
            return try await Self.refusing {
                let name = try await session.addClass(body.name)
                return ClassPayload(name: name, classes: await session.classes)
            }
        }
        return router
    }

    private static func index(_ context: BasicRequestContext) throws -> Int {
        guard let index = context.parameters.get("index", as: Int.self) else {
            throw HTTPError(.badRequest, message: "the photo must be given by its number")
        }
        return index
    }

    private static func requireJSON(_ request: Request) throws {
        guard request.headers[.contentType]?.lowercased().hasPrefix("application/json") == true else {
            throw HTTPError(.unsupportedMediaType, message: "send the request as application/json")
        }
    }

    /// Runs `body`, answering bad input with 400 and any other failure (a write) with 500, each
    /// with the error's message.
    private static func refusing<T>(_ body: () async throws -> T) async throws -> T {
        do { return try await body() } catch let error as DetectionError {
            throw HTTPError(.badRequest, message: error.description)
        } catch let error as HTTPError {
            throw error
        } catch {
            throw HTTPError(.internalServerError, message: "not saved: \(error)")
        }
    }

    private static func resource(_ bytes: [UInt8], type: String) -> Response {
        Response(
            status: .ok,
            headers: [
                .contentType: type, .cacheControl: "no-cache",
                .contentSecurityPolicy: "default-src 'self'; img-src 'self'; style-src 'self'; script-src 'self'",
            ],
            body: .init(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

/// The server could not start.
public struct TeachServerError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// The page's files, embedded by the package (Sources/Teach/Web).
enum WebPage {
    static let html = PackageResources.teach_html
    static let css = PackageResources.teach_css
    static let js = PackageResources.teach_js
}

// MARK: - The JSON the page and the server exchange

/// A box in the photo's pixels, with the model's score for a proposal.
struct BoxPayload: Codable, Sendable {
    var label: String
    var x: Float
    var y: Float
    var width: Float
    var height: Float
    var score: Float?

    var labelled: LabelledBox { LabelledBox(label: label, box: Rect(x: x, y: y, width: width, height: height)) }
}

struct PhotoSummary: Codable, Sendable {
    var index: Int
    var name: String
    var width: Int
    var height: Int
    var status: PhotoStatus
}

struct StatePayload: ResponseEncodable, Sendable {
    var folder: String
    var output: String
    var model: String?
    var classes: [String]
    var photos: [PhotoSummary]
}

struct PhotoPayload: ResponseEncodable, Sendable {
    var index: Int
    var name: String
    var width: Int
    var height: Int
    var status: PhotoStatus
    var boxes: [BoxPayload]
    var proposalError: String?

    init(_ view: PhotoView) {
        (index, name, width, height, status) = (view.index, view.photo.name, view.photo.width, view.photo.height, view.status)
        boxes = view.boxes.enumerated().map { k, b in
            BoxPayload(
                label: b.label, x: b.box.x, y: b.box.y, width: b.box.width, height: b.box.height,
                score: k < view.scores.count ? view.scores[k] : nil)
        }
        proposalError = view.proposalError
    }
}

struct SaveRequest: Decodable, Sendable {
    var boxes: [BoxPayload]
    var nothingHere: Bool
}

struct ClassRequest: Decodable, Sendable {
    var name: String
}

struct ClassPayload: ResponseEncodable, Sendable {
    var name: String
    var classes: [String]
}
