import Foundation
import SightlineTestSupport
import Testing

/// `run` and `replay` as a service: the MQTT sink against a real Mosquitto on 127.0.0.1,
/// sightline.yaml, bad input at start, and the systemd unit.
@Suite(.serialized) struct ServiceCLITests {
    var scene: [String] {
        [
            "--profile", repoRoot + "/Samples/profiles/deficit.json", "--today", "2026-11-22", "--ground-truth", fridge + "/labels",
            "--classes", fridge + "/classes.txt", "--models-dir", repoRoot + "/Models",
        ]
    }
    var photo: String { fridge + "/images/test_10.jpg" }

    func broker(_ dir: String) throws -> Mosquitto {
        try #require(Mosquitto.installed, "mosquitto and mosquitto-clients are missing: run scripts/setup")
        return try Mosquitto(dir: dir + "/broker")
    }

    /// One photo, one replay: before it exits, the states, the health and the discovery configs
    /// are retained, and availability says offline (a clean stop).
    @Test(.needsFridgeData) func aOnePhotoReplayLeavesRetainedStatesAndDiscovery() throws {
        let dir = tempDir()
        let broker = try broker(dir)
        let r = try sightline(["replay", photo, "--sink", broker.url] + scene, environment: ["SIGHTLINE_DATA": dir])
        #expect(r.status == 0, "\(r.err)")
        let retained = try broker.retained(["sightline/#", "homeassistant/#"])
        let states = retained.keys.filter { $0.hasPrefix("sightline/") }.map { $0.split(separator: "/").last.map(String.init) ?? "" }
        #expect(Set(states) == ["availability", "food_storage", "protein_deficit", "grocery_proposal", "health"], "\(retained)")
        #expect(retained.first { $0.key.hasSuffix("/availability") }?.value == "offline")
        #expect(retained.first { $0.key.hasSuffix("/food_storage") }?.value == "ON")
        #expect(retained.first { $0.key.hasSuffix("/health") }?.value.contains(#""state":"stopped""#) == true, "\(retained)")
        #expect(retained.first { $0.key.hasSuffix("/grocery_proposal") }?.value.contains("yogurt") == true, "\(retained)")
        #expect(retained.keys.filter { $0.hasPrefix("homeassistant/") && $0.hasSuffix("/config") }.count == 4, "\(retained)")
    }

    /// The same through sightline.yaml (device and topics from the file), a flag on top of it.
    @Test(.needsFridgeData) func replayReadsTheConfigurationAndFlagsOverrideIt() throws {
        let dir = tempDir()
        let broker = try broker(dir)
        let config = dir + "/sightline.yaml"
        try """
        profile: \(repoRoot)/Samples/profiles/enough.json
        sinks: ["\(broker.url)"]
        mqtt:
          device: hall
          topicPrefix: home
        """.write(toFile: config, atomically: true, encoding: .utf8)
        let r = try sightline(["replay", "--config", config, photo] + scene, environment: ["SIGHTLINE_DATA": dir])
        #expect(r.status == 0, "\(r.err)")
        let retained = try broker.retained(["home/#"])
        #expect(retained["home/hall/availability"] == "offline" && retained["home/hall/food_storage"] == "ON", "\(retained)")
        #expect(retained["home/hall/protein_deficit"] != nil, "--profile deficit.json overrode the file's: \(retained)")
    }

    @Test func badInputIsAClearErrorAtStart() throws {
        let dir = tempDir()
        let config = dir + "/bad.yaml"
        try "profile: p.json\nmqtt:\n  devic: hall\n".write(toFile: config, atomically: true, encoding: .utf8)
        let unknown = try sightline(["replay", "--config", config, "x.jpg"])
        #expect(
            unknown.status == 2 && unknown.err.contains("\(config):3: mqtt.devic: unknown key (did you mean 'device'?)"), "\(unknown.err)")
        let profile = repoRoot + "/Samples/profiles/deficit.json"
        let scheme = try sightline(["replay", "x.jpg", "--profile", profile, "--sink", "mqtx://127.0.0.1:1883"])
        #expect(scheme.status != 0 && scheme.err.contains("mqtx"), "\(scheme.err)")
        let port = try sightline(["replay", "x.jpg", "--profile", profile, "--sink", "mqtt://127.0.0.1:99999"])
        #expect(port.status != 0 && port.err.contains("port '99999' is not a number from 1 to 65535"), "\(port.err)")
        // A port already in use (the broker's) for the metrics: refused before any frame.
        let broker = try broker(dir)
        let inUse = try sightline(["replay", "x.jpg", "--profile", profile, "--metrics", "127.0.0.1:\(broker.port)"])
        #expect(inUse.status == 2 && inUse.err.contains("127.0.0.1:\(broker.port)") && inUse.err.contains("in use"), "\(inUse.err)")
    }

    /// scripts/install-service staged into a folder: the unit passes `systemd-analyze verify`.
    @Test func theSystemdUnitVerifies() throws {
        try #require(FileManager.default.isExecutableFile(atPath: "/usr/bin/systemd-analyze"), "systemd-analyze is not installed")
        let root = tempDir() + "/root"
        let r = try run(repoRoot + "/scripts/install-service", ["--root", root, "--binary", productPath("sightline"), "--no-start"])
        #expect(r.status == 0, "\(r.out)\(r.err)")
        #expect(r.out.contains("systemd-analyze verify: the unit is valid"), "\(r.out)")
        let unit = try String(contentsOfFile: root + "/etc/systemd/system/sightline.service", encoding: .utf8)
        #expect(unit.contains("ExecStart=/usr/local/bin/sightline run --config /etc/sightline/sightline.yaml"))
        #expect(unit.contains("ExecReload=/bin/kill -HUP $MAINPID"))
        #expect(FileManager.default.fileExists(atPath: root + "/etc/sightline/sightline.yaml"))
    }
}
