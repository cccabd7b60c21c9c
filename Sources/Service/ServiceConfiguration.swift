public import Actions
public import Capture
import Foundation
public import Logging
public import Pipeline
public import SightlineCore

/// Everything `sightline run` and `replay` can be told, as plain values: the scene (a
/// ``SceneConfiguration``: profile, chain, models, sinks …), the source, the change gate, the
/// statistics file, the metrics endpoint, logging and the MQTT sink's settings. sightline.yaml
/// fills it (``ConfigurationFile``): the scene's fields at the top level, the rest in sections
/// of their own (Samples/sightline.yaml shows them all); flags given on the command line
/// override the file.
public struct ServiceConfiguration: Sendable, Equatable {
    public var scene: SceneConfiguration
    public var source: SourceSettings
    /// The change gate; nil analyses every frame.
    public var gate: GateSettings?
    /// Where the per-stage statistics (JSON) are written at the end of a run.
    public var stats: String?
    /// Where the Prometheus endpoint listens while running.
    public var metrics: MetricsAddress?
    /// Seconds between health reports (on MQTT, and in the logs when the health changes).
    public var healthInterval: Double
    public var logging: LoggingSettings
    public var mqtt: MQTTSettings

    public init(
        scene: SceneConfiguration, source: SourceSettings = SourceSettings(), gate: GateSettings? = GateSettings(), stats: String? = nil,
        metrics: MetricsAddress? = nil, healthInterval: Double = 30, logging: LoggingSettings = LoggingSettings(),
        mqtt: MQTTSettings = MQTTSettings()
    ) {
        (self.scene, self.source, self.gate, self.stats, self.metrics) = (scene, source, gate, stats, metrics)
        (self.healthInterval, self.logging, self.mqtt) = (healthInterval, logging, mqtt)
    }
}

/// Where frames come from: the camera of `run`, and how `replay` paces recordings.
public struct SourceSettings: Sendable, Codable, Equatable {
    /// The camera device (`run`).
    public var device: String
    /// Frame size to ask the camera for, `WIDTHxHEIGHT`.
    public var size: String
    /// Frame rate to ask the camera for.
    public var fps: Double
    /// Go through libv4l2 (converts formats the camera lacks).
    public var libv4l2: Bool
    /// Stop after this many frames (nil: until stopped).
    public var frames: Int?
    /// `replay`: `fast` (every frame, as fast as the pipeline goes) or `realtime`.
    public var pace: String?
    /// `replay`: what to do with a corrupt frame, `skip` or `stop`.
    public var onCorrupt: String?
    /// Hand-offs between stages, `latest-wins` or `lossless` (default: by source and pace).
    public var handOff: HandOffPolicy?

    public init(
        device: String = "/dev/video0", size: String = "640x480", fps: Double = 15, libv4l2: Bool = false, frames: Int? = nil,
        pace: String? = nil, onCorrupt: String? = nil, handOff: HandOffPolicy? = nil
    ) {
        (self.device, self.size, self.fps, self.libv4l2, self.frames) = (device, size, fps, libv4l2, frames)
        (self.pace, self.onCorrupt, self.handOff) = (pace, onCorrupt, handOff)
    }

    private enum CodingKeys: String, CodingKey { case device, size, fps, libv4l2, frames, pace, onCorrupt, handOff }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = SourceSettings()
        self.init(
            device: try c.decodeIfPresent(String.self, forKey: .device) ?? d.device,
            size: try c.decodeIfPresent(String.self, forKey: .size) ?? d.size,
            fps: try c.decodeIfPresent(Double.self, forKey: .fps) ?? d.fps,
            libv4l2: try c.decodeIfPresent(Bool.self, forKey: .libv4l2) ?? d.libv4l2,
            frames: try c.decodeIfPresent(Int.self, forKey: .frames),
            pace: try c.decodeIfPresent(String.self, forKey: .pace), onCorrupt: try c.decodeIfPresent(String.self, forKey: .onCorrupt),
            handOff: try c.decodeIfPresent(HandOffPolicy.self, forKey: .handOff))
    }

    /// The camera's frame size.
    public var frameSize: FrameSize? { FrameSize(size) }
    public var replayPace: ReplayPace? { pace.flatMap(ReplayPace.init(rawValue:)) }
    public var corruptFramePolicy: CorruptFramePolicy? { onCorrupt.flatMap(CorruptFramePolicy.init(rawValue:)) }
}

/// The change gate as sightline.yaml writes it: `enabled` and the `--gate-*` options' values.
struct GateSection: Decodable {
    var enabled: Bool?
    var threshold: UInt8?
    var fraction: Double?
    var settleFrames: Int?
    var refreshFrames: Int?
    var refreshSeconds: Double?

    var settings: GateSettings? {
        guard enabled ?? true else { return nil }
        let d = GateSettings()
        return GateSettings(
            pixelThreshold: threshold ?? d.pixelThreshold, changedFraction: fraction ?? d.changedFraction,
            settleFrames: settleFrames ?? d.settleFrames, refreshFrames: refreshFrames ?? d.refreshFrames,
            refreshSeconds: refreshSeconds ?? d.refreshSeconds)
    }
}

/// `HOST:PORT` for the metrics endpoint; port 0 lets the system choose (the log says which).
public struct MetricsAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    /// Parses `HOST:PORT` (`[::1]:PORT` for IPv6); the message says what is wrong.
    public init(parsing text: String) throws(ServiceError) {
        guard let colon = text.lastIndex(of: ":") else { throw ServiceError("'\(text)' is not HOST:PORT (e.g. 127.0.0.1:9464)") }
        var host = String(text[..<colon])
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        let portText = text[text.index(after: colon)...]
        guard !host.isEmpty else { throw ServiceError("'\(text)' has no host (e.g. 127.0.0.1:9464, or 0.0.0.0:9464 for every interface)") }
        guard let port = Int(portText), (0...65535).contains(port) else {
            throw ServiceError("'\(text)': port '\(portText)' is not a number from 0 to 65535")
        }
        (self.host, self.port) = (host, port)
    }

    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

/// How the service logs.
public struct LoggingSettings: Sendable, Codable, Equatable {
    /// The least severe level written.
    public var level: Logger.Level
    /// `auto` (journald's format when standard error is the journal, else text), `journal`, `text`.
    public var format: LogFormat

    public enum LogFormat: String, Sendable, Codable, CaseIterable {
        case auto, journal, text
    }

    public init(level: Logger.Level = .info, format: LogFormat = .auto) { (self.level, self.format) = (level, format) }

    private enum CodingKeys: String, CodingKey { case level, format }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        self.init(
            level: try c.decodeIfPresent(Logger.Level.self, forKey: .level) ?? .info,
            format: try c.decodeIfPresent(LogFormat.self, forKey: .format) ?? .auto)
    }
}

/// A service setting that cannot be used; the message says which and why.
public struct ServiceError: Error, Equatable, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

extension ServiceConfiguration: Decodable {
    private enum CodingKeys: String, CodingKey { case source, gate, stats, metrics, healthInterval, logging, mqtt }

    /// Reads the scene's fields from the top level (``SceneConfiguration``'s own keys) and the
    /// service's sections beside them.
    public init(from decoder: any Decoder) throws {
        let scene = try SceneConfiguration(from: decoder)
        let c = try decoder.container(keyedBy: CodingKeys.self)
        var metrics: MetricsAddress?
        if let text = try c.decodeIfPresent(String.self, forKey: .metrics) {
            do { metrics = try MetricsAddress(parsing: text) } catch {
                throw DecodingError.dataCorruptedError(forKey: .metrics, in: c, debugDescription: error.description)
            }
        }
        self.init(
            scene: scene, source: try c.decodeIfPresent(SourceSettings.self, forKey: .source) ?? SourceSettings(),
            gate: try c.decodeIfPresent(GateSection.self, forKey: .gate).map(\.settings) ?? GateSettings(),
            stats: try c.decodeIfPresent(String.self, forKey: .stats), metrics: metrics,
            healthInterval: try c.decodeIfPresent(Double.self, forKey: .healthInterval) ?? 30,
            logging: try c.decodeIfPresent(LoggingSettings.self, forKey: .logging) ?? LoggingSettings(),
            mqtt: try c.decodeIfPresent(MQTTSettings.self, forKey: .mqtt) ?? MQTTSettings())
    }

    /// Every value checked that can be checked without opening a file or a connection, each
    /// problem with the key it is about (`window`, `sinks[1]`, `gate.fraction` …).
    public func problems(catalog: SinkCatalog) -> [(key: String, message: String)] {
        var found: [(String, String)] = []
        if scene.window < 1 { found.append(("window", "must be at least 1")) }
        if scene.window > SceneConfiguration.maximumWindow {
            found.append(("window", "must be at most \(SceneConfiguration.maximumWindow)"))
        }
        for (i, sink) in (scene.sinks ?? []).enumerated() {
            do { try catalog.validate(sink) } catch { found.append(("sinks[\(i)]", error.description)) }
        }
        if let gate {
            if !(0...1).contains(gate.changedFraction) { found.append(("gate.fraction", "must be between 0 and 1")) }
            for (key, value) in [
                ("settleFrames", Double(gate.settleFrames)), ("refreshFrames", Double(gate.refreshFrames)),
                ("refreshSeconds", gate.refreshSeconds),
            ]
            where value < 0 {
                found.append(("gate.\(key)", "must not be negative"))
            }
            // The upper bounds every count and duration has (GateSettings.problem).
            if found.isEmpty, let problem = gate.problem { found.append(("gate", problem)) }
        }
        if source.frameSize == nil { found.append(("source.size", "'\(source.size)' is not WIDTHxHEIGHT")) }
        if !(source.fps > 0) { found.append(("source.fps", "must be more than 0")) }
        if let frames = source.frames, frames < 1 { found.append(("source.frames", "must be at least 1")) }
        if let pace = source.pace, source.replayPace == nil {
            found.append(("source.pace", "'\(pace)' is not one of \(ReplayPace.allCases.map(\.rawValue).joined(separator: ", "))"))
        }
        if let policy = source.onCorrupt, source.corruptFramePolicy == nil {
            found.append(
                ("source.onCorrupt", "'\(policy)' is not one of \(CorruptFramePolicy.allCases.map(\.rawValue).joined(separator: ", "))"))
        }
        if !(healthInterval > 0) { found.append(("healthInterval", "must be more than 0 seconds")) }
        do { try mqtt.validate() } catch { found.append(("mqtt", error.description)) }
        return found
    }
}

/// What `run` and `replay` take from the command line on top of sightline.yaml: each value
/// given replaces the file's (nil keeps it).
public struct LiveOverrides: Sendable, Equatable {
    /// false: analyse every frame (`--no-gate`); true: the gate on, even when the file turns it off.
    public var gate: Bool?
    public var gateThreshold: UInt8?
    public var gateFraction: Double?
    public var settleFrames: Int?
    public var refreshFrames: Int?
    public var refreshSeconds: Double?
    public var stats: String?
    /// `HOST:PORT`, checked by ``ServiceConfiguration/assemble(file:profile:overrides:source:scene:)``.
    public var metrics: String?

    public init(
        gate: Bool? = nil, gateThreshold: UInt8? = nil, gateFraction: Double? = nil, settleFrames: Int? = nil,
        refreshFrames: Int? = nil, refreshSeconds: Double? = nil, stats: String? = nil, metrics: String? = nil
    ) {
        (self.gate, self.gateThreshold, self.gateFraction, self.settleFrames) = (gate, gateThreshold, gateFraction, settleFrames)
        (self.refreshFrames, self.refreshSeconds, self.stats, self.metrics) = (refreshFrames, refreshSeconds, stats, metrics)
    }
}

extension ServiceConfiguration {
    /// The configuration of one command: `file` (when given; `profile` stands in for a file
    /// without one), then `scene` (the scene's flags over the file's scene, or alone when
    /// there is no file), `overrides` and `source` on top. Throws ``ConfigurationError`` for a
    /// bad file, ``ServiceError`` naming the flag for a bad value given on the command line.
    public static func assemble(
        file: String?, profile: String?, overrides o: LiveOverrides, source: (inout SourceSettings) -> Void,
        scene: (SceneConfiguration?) throws -> SceneConfiguration
    ) throws -> ServiceConfiguration {
        let catalog = SinkCatalog.service()
        var s = try file.map { try ConfigurationFile.load(path: $0, profile: profile, catalog: catalog) }
        let sceneConfiguration = try scene(s?.scene)
        if s == nil { s = ServiceConfiguration(scene: sceneConfiguration) }
        guard var s else { preconditionFailure("set above") }
        s.scene = sceneConfiguration
        var g = s.gate ?? GateSettings()
        (g.pixelThreshold, g.changedFraction) = (o.gateThreshold ?? g.pixelThreshold, o.gateFraction ?? g.changedFraction)
        (g.settleFrames, g.refreshFrames) = (o.settleFrames ?? g.settleFrames, o.refreshFrames ?? g.refreshFrames)
        g.refreshSeconds = o.refreshSeconds ?? g.refreshSeconds
        s.gate = o.gate ?? (s.gate != nil) ? g : nil
        s.stats = o.stats ?? s.stats
        do { s.metrics = try o.metrics.map(MetricsAddress.init(parsing:)) ?? s.metrics } catch { throw ServiceError("--metrics \(error)") }
        source(&s.source)
        let flags = [
            "gate.fraction": "--gate-fraction", "gate.settleFrames": "--settle-frames", "gate.refreshFrames": "--refresh-frames",
            "gate.refreshSeconds": "--refresh-seconds", "source.size": "--size", "source.fps": "--fps", "source.frames": "--frames",
        ]
        if let (key, message) = s.problems(catalog: catalog).first {
            throw ServiceError("\(file.map { "\($0) with the command line's flags: " } ?? "")\(flags[key] ?? key): \(message)")
        }
        return s
    }
}
