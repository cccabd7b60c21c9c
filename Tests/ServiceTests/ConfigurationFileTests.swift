import Actions
import Pipeline
import Service
import SightlineTestSupport
import Testing

/// sightline.yaml through Yams: the sample loads, and every kind of mistake is an error that
/// names the file, the line and the key.
@Suite struct ConfigurationFileTests {
    let catalog = SinkCatalog.service()

    func parse(_ text: String) throws(ConfigurationError) -> ServiceConfiguration {
        try ConfigurationFile.parse(text, file: "s.yaml", catalog: catalog)
    }

    /// The error `text` raises (fails the test when it loads).
    func problem(_ text: String) -> ConfigurationError? {
        do {
            _ = try parse(text)
            Issue.record("loaded: \(text)")
            return nil
        } catch { return error }
    }

    @Test func theCommentedSampleLoads() throws {
        let c = try ConfigurationFile.load(path: repoRoot + "/Samples/sightline.yaml", catalog: catalog)
        #expect(c.scene.profile == "Samples/profiles/deficit.json")
        #expect(c.scene.sinks?.map(\.description) == ["grocery", "journal", "mqtt://127.0.0.1:1883"])
        #expect(c.metrics?.description == "127.0.0.1:9464")
        #expect(c.mqtt.device == "kitchen-glasses" && c.mqtt.discovery && c.mqtt.keepalive == 30)
        #expect(c.gate?.changedFraction == 0.02 && c.gate?.settleFrames == 4)
        #expect(c.source.size == "640x480" && c.source.fps == 15)
        #expect("\(c.logging.level)" == "info" && c.logging.format == .auto)
    }

    @Test func sectionsFillTheirValues() throws {
        let c = try parse(
            """
            profile: p.json
            today: 2026-11-22
            models: [grocery-yolov3-tiny, "yolov3-tiny:refrigerator"]
            window: 3
            mode: contemplating
            gate: {enabled: false}
            source: {pace: realtime, frames: 10, handOff: lossless}
            mqtt: {device: hall, topicPrefix: home/sightline}
            logging: {level: debug, format: journal}
            """)
        #expect(c.scene.today?.description == "2026-11-22" && c.scene.window == 3 && c.scene.mode == .contemplating)
        #expect(c.scene.models.map(\.description) == ["grocery-yolov3-tiny", "yolov3-tiny:refrigerator"])
        #expect(c.gate == nil)
        #expect(c.source.replayPace == .realTime && c.source.frames == 10 && c.source.handOff == .lossless)
        #expect(MQTTTopics(c.mqtt).events == "home/sightline/hall/events")
        #expect("\(c.logging.level)" == "debug" && c.logging.format == .journal)
        // --profile stands in for a file without one.
        let given = try ConfigurationFile.parse("window: 2\n", file: "s.yaml", profile: "cli.json", catalog: catalog)
        #expect(given.scene.profile == "cli.json")
    }

    @Test func anUnknownKeyIsNamedWithItsLineAndTheNearestKnownKey() {
        let e = problem("profile: p.json\nwindow: 5\nmqtt:\n  device: hall\n  topicPrefx: x\n")
        #expect(e?.line == 5 && e?.key == "mqtt.topicPrefx", "\(String(describing: e))")
        #expect(
            e?.description.hasPrefix("s.yaml:5: mqtt.topicPrefx: unknown key (did you mean 'topicPrefix'?)") == true,
            "\(String(describing: e))")
        let top = problem("profile: p.json\nsinkz: [grocery]\n")
        #expect(
            top?.line == 2 && top?.key == "sinkz" && top?.description.contains("did you mean 'sinks'?") == true,
            "\(String(describing: top))")
    }

    @Test func aWrongTypeIsNamedWithItsLine() {
        let window = problem("profile: p.json\n\nwindow: five\n")
        #expect(
            window?.line == 3 && window?.key == "window" && window?.message.contains("a whole number") == true,
            "\(String(describing: window))")
        let gate = problem("profile: p.json\ngate:\n  fraction: [1, 2]\n")
        #expect(gate?.line == 3 && gate?.key == "gate.fraction", "\(String(describing: gate))")
        let threshold = problem("profile: p.json\ngate:\n  threshold: 300\n")
        #expect(threshold?.key == "gate.threshold" && threshold?.message.contains("0 to 255") == true, "\(String(describing: threshold))")
        let section = problem("profile: p.json\nmqtt: yes\n")
        #expect(
            section?.line == 2 && section?.key == "mqtt" && section?.message.contains("a mapping") == true, "\(String(describing: section))"
        )
    }

    @Test func aBadValueIsNamedWithItsLine() {
        let sink = problem("profile: p.json\nsinks:\n  - grocery\n  - mqtt://broker:99999\n")
        #expect(sink?.line == 4 && sink?.key == "sinks[1]" && sink?.message.contains("port '99999'") == true, "\(String(describing: sink))")
        let scheme = problem("profile: p.json\nsinks: [\"mqtx://broker:1883\"]\n")
        #expect(scheme?.key == "sinks[0]", "\(String(describing: scheme))")
        let mode = problem("profile: p.json\nmode: pondering\n")
        #expect(mode?.line == 2 && mode?.key == "mode" && mode?.message.contains("'pondering'") == true, "\(String(describing: mode))")
        let metrics = problem("profile: p.json\nmetrics: localhost\n")
        #expect(
            metrics?.line == 2 && metrics?.key == "metrics" && metrics?.message.contains("HOST:PORT") == true,
            "\(String(describing: metrics))")
        let fraction = problem("profile: p.json\ngate:\n  fraction: 1.5\n")
        #expect(fraction?.line == 3 && fraction?.key == "gate.fraction", "\(String(describing: fraction))")
        let today = problem("profile: p.json\ntoday: 2026-13-01\n")
        #expect(today?.line == 2 && today?.key == "today", "\(String(describing: today))")
        let device = problem("profile: p.json\nmqtt:\n  device: my glasses\n")
        #expect(
            device?.line == 2 && device?.key == "mqtt" && device?.message.contains("my glasses") == true, "\(String(describing: device))")
    }

    @Test func missingProfileBadYAMLAndAMissingFile() {
        let typo = problem("window: 5\nprofle: p.json\n")
        #expect(
            typo?.line == 2 && typo?.key == "profle" && typo?.message.contains("did you mean 'profile'?") == true,
            "\(String(describing: typo))")
        let missing = problem("window: 5\n")
        #expect(missing?.key == "profile" && missing?.message.contains("--profile") == true, "\(String(describing: missing))")
        let yaml = problem("profile: p.json\nsinks: [grocery\n")
        #expect(yaml?.message.hasPrefix("not valid YAML") == true && yaml?.line != nil, "\(String(describing: yaml))")
        let list = problem("- profile: p.json\n")
        #expect(list?.message.contains("top level") == true, "\(String(describing: list))")
        #expect(throws: ConfigurationError.self) { try ConfigurationFile.load(path: tempDir() + "/none.yaml", catalog: catalog) }
    }
}
