import CoreMetrics
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix
import Pipeline
public import Prometheus

/// The Prometheus endpoint: `GET /metrics` answers with every metric of `registry` in
/// Prometheus' text format, on a SwiftNIO HTTP/1.1 server with one event-loop thread.
///
/// What the pipeline measures reaches the registry through swift-metrics
/// (``bootstrapMetrics(_:)``): per stage `sightline_stage_frames_total{stage,outcome}` and the
/// histogram `sightline_stage_latency_seconds{stage}`, `sightline_gate_decisions_total{reason}`,
/// `sightline_sink_failures_total{sink}` and `sightline_sink_backlog{sink}`; the endpoint adds
/// `process_resident_memory_bytes`, read at each scrape.
public final class MetricsEndpoint: Sendable {
    /// Where it listens (the port the system chose when asked for 0).
    public let address: MetricsAddress
    public let registry: PrometheusCollectorRegistry
    private let group: MultiThreadedEventLoopGroup
    private let channel: any Channel

    /// The latency histogram's buckets: from a fast gate decision (5 ms) to a detection on a
    /// loaded board (a minute).
    public static let latencyBuckets: [Duration] = [
        .milliseconds(5), .milliseconds(10), .milliseconds(25), .milliseconds(50), .milliseconds(100), .milliseconds(250),
        .milliseconds(500), .seconds(1), .milliseconds(2500), .seconds(5), .seconds(10), .seconds(30), .seconds(60),
    ]

    /// Makes swift-metrics report to `registry`. Once per process, before the pipeline is built;
    /// later calls do nothing and return false.
    @discardableResult
    public static func bootstrapMetrics(_ registry: PrometheusCollectorRegistry) -> Bool {
        bootstrapped.withLock { done in
            guard !done else { return false }
            var factory = PrometheusMetricsFactory(registry: registry)
            factory.durationHistogramBuckets["sightline_stage_latency_seconds"] = latencyBuckets
            MetricsSystem.bootstrap(factory)
            done = true
            return true
        }
    }

    private static let bootstrapped = LockedFlag()

    /// Starts listening on `address`. `beforeScrape` runs before each answer (bring figures up
    /// to date). Throws, naming the address, when it cannot listen (the port is in use …).
    public init(
        address requested: MetricsAddress, registry: PrometheusCollectorRegistry, beforeScrape: @escaping @Sendable () -> Void = {}
    ) throws(ServiceError) {
        let memory = registry.makeGauge(
            descriptor: MetricNameDescriptor(
                namespace: "process", metricName: "resident_memory", unitName: "bytes", helpText: "Resident memory size in bytes."))
        let render: @Sendable () -> [UInt8] = {
            beforeScrape()
            memory.set(Double(ProcessMemory.residentBytes()))
            return registry.emitToBuffer()
        }
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let bootstrap = ServerBootstrap(group: group)
            .serverChannelOption(ChannelOptions.socketOption(.so_reuseaddr), value: 1)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.configureHTTPServerPipeline()
                    try channel.pipeline.syncOperations.addHandler(MetricsHandler(render: render))
                }
            }
        do {
            channel = try bootstrap.bind(host: requested.host, port: requested.port).wait()
        } catch {
            try? group.syncShutdownGracefully()
            let reason = (error as? IOError).map { String(cString: strerror($0.errnoCode)) } ?? "\(error)"
            throw ServiceError("metrics endpoint \(requested): cannot listen there: \(reason)")
        }
        self.group = group
        self.registry = registry
        var actual = requested
        if let port = channel.localAddress?.port { actual.port = port }
        address = actual
    }

    /// `http://HOST:PORT/metrics`.
    public var url: String { "http://\(address)/metrics" }

    /// Stops listening and ends the event-loop thread.
    public func stop() {
        try? channel.close().wait()
        try? group.syncShutdownGracefully()
    }
}

/// Answers `GET /metrics` (and `/`) on one connection.
private final class MetricsHandler: ChannelInboundHandler {
    typealias InboundIn = HTTPServerRequestPart
    typealias OutboundOut = HTTPServerResponsePart
    private let render: @Sendable () -> [UInt8]
    private var head: HTTPRequestHead?

    init(render: @escaping @Sendable () -> [UInt8]) { self.render = render }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        switch unwrapInboundIn(data) {
        case .head(let h): head = h
        case .body: break
        case .end:
            if let head { respond(context, to: head) }
            head = nil
        }
    }

    private func respond(_ context: ChannelHandlerContext, to request: HTTPRequestHead) {
        let path = request.uri.split(separator: "?").first.map(String.init) ?? request.uri
        let status: HTTPResponseStatus
        var type = "text/plain; charset=utf-8"
        var body: [UInt8]
        switch (request.method, path) {
        case (.GET, "/metrics"):
            (status, type, body) = (.ok, "text/plain; version=0.0.4; charset=utf-8", render())
        case (.GET, "/"):
            (status, body) = (.ok, Array("Sightline: the metrics are at /metrics\n".utf8))
        case (_, "/metrics"), (_, "/"):
            (status, body) = (.methodNotAllowed, Array("only GET\n".utf8))
        default:
            (status, body) = (.notFound, Array("not found; the metrics are at /metrics\n".utf8))
        }
        var headers = HTTPHeaders()
        headers.add(name: "Content-Type", value: type)
        headers.add(name: "Content-Length", value: String(body.count))
        if !request.isKeepAlive { headers.add(name: "Connection", value: "close") }
        context.write(wrapOutboundOut(.head(HTTPResponseHead(version: request.version, status: status, headers: headers))), promise: nil)
        context.write(wrapOutboundOut(.body(.byteBuffer(context.channel.allocator.buffer(bytes: body)))), promise: nil)
        let sent = context.eventLoop.makePromise(of: Void.self)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: sent)
        if !request.isKeepAlive {
            let channel = context.channel
            sent.futureResult.whenComplete { _ in channel.close(promise: nil) }
        }
    }
}

/// A flag behind a lock (the one-time bootstrap).
private final class LockedFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func withLock<T>(_ body: (inout Bool) -> T) -> T { lock.withLock { body(&value) } }
}
