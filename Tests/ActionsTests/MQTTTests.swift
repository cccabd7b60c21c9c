import Actions
import Foundation
import SightlineCore
import SightlineTestSupport
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// The MQTT sink against a real Mosquitto broker on 127.0.0.1 (Debian's, installed by
/// scripts/setup), read back with mosquitto_sub.
@Suite(.serialized) struct MQTTTests {
    func broker(_ dir: String, users: [String: String] = [:], tls: TLSFiles? = nil) throws -> Mosquitto {
        try #require(Mosquitto.installed, "mosquitto and mosquitto-clients are missing: run scripts/setup")
        return try Mosquitto(dir: dir + "/broker", users: users, tls: tls)
    }

    func sink(_ url: String, dir: String, device: String = "kitchen", settings: MQTTSettings? = nil) throws -> MQTTSink {
        try MQTTSink(
            broker: try MQTTBroker(url: url), settings: settings ?? MQTTSettings(device: device, timeout: 3),
            outboxPath: dir + "/mqtt-outbox.sqlite", retry: fastRetry)
    }

    /// An event that carries what the reasoner read off the scene.
    func reading(_ i: Int, deficit: Double?) -> SightlineEvent {
        var e = sampleEvent(i)
        e.readings = SceneReadings(foodStorageInView: true, proteinDeficitGrams: deficit)
        return e
    }

    @Test func brokerStoppedMidRunThenRestartedDeliversEveryEventOnceInOrder() throws {
        let dir = tempDir()
        let broker = try broker(dir)
        let subscriber = try Subscriber(broker, topic: "sightline/kitchen/events")
        defer { subscriber.stop() }
        let sink = try sink(broker.url, dir: dir)
        let events = (0..<10).map { sampleEvent($0) }
        for e in events[..<4] { try sink.handle(e) }
        #expect(sink.backlog == 0)
        // The subscriber has the first four, and its acknowledgements have reached the broker:
        // otherwise the broker itself sends them again to the subscriber's session after the
        // restart (its own at-least-once, not the sink's), as happened on a loaded machine.
        #expect(subscriber.wait(for: 4).count == 4)
        usleep(500_000)
        broker.stop()
        // The broker is down: handle still succeeds (the events are safe in the outbox).
        for e in events[4...] { try sink.handle(e) }
        #expect(try sink.counts().pending == 6)
        #expect {
            try sink.flush()
        } throws: { error in
            let text = "\(error)"
            return (error as? any DeferredDelivery)?.pending == 6 && text.contains(broker.url) && text.contains(dir + "/mqtt-outbox.sqlite")
        }
        try broker.start()
        let report = try sink.drain(timeout: 20)
        #expect(report.pending == 0, "\(report)")
        let received = subscriber.wait(for: 10)
        let ids = try received.map { try SightlineEvent.makeDecoder().decode(SightlineEvent.self, from: Data($0.payload.utf8)).id }
        #expect(ids == events.map(\.id), "each event once, in order; got \(ids.count): \(received.map(\.payload))")
        usleep(500_000)
        #expect(subscriber.messages.count == 10, "nothing was sent twice")
    }

    @Test func discoveryAndStatesAreRetainedAndTheWillSaysOffline() throws {
        let dir = tempDir()
        let broker = try broker(dir)
        let sink = try sink(broker.url, dir: dir)
        try sink.handle(reading(1, deficit: 43.5))
        try sink.handle(
            sampleEvent(
                2, kind: .groceryNeed, grocery: need("Greek yogurt", 2, "pot", key: "protein-deficit/2024-05-01", reason: "43.5 g short")))
        try sink.publishHealth(Array(#"{"state":"running"}"#.utf8))
        let retained = try broker.retained(["sightline/#", "homeassistant/#"])
        #expect(retained["sightline/kitchen/availability"] == "online")
        #expect(retained["sightline/kitchen/food_storage"] == "ON")
        #expect(retained["sightline/kitchen/protein_deficit"] == "43.5")
        #expect(retained["sightline/kitchen/health"] == #"{"state":"running"}"#)
        let proposal =
            try JSONSerialization.jsonObject(with: Data((retained["sightline/kitchen/grocery_proposal"] ?? "").utf8)) as? [String: Any]
        #expect(
            proposal?["item"] as? String == "Greek yogurt" && proposal?["quantity"] as? Double == 2 && proposal?["unit"] as? String == "pot"
        )
        #expect(retained["sightline/kitchen/events"] == nil, "events are not retained")

        // One config per entity, with the fields Home Assistant's MQTT discovery documents.
        let expected = [
            "homeassistant/binary_sensor/kitchen/food_storage/config": "sightline/kitchen/food_storage",
            "homeassistant/sensor/kitchen/protein_deficit/config": "sightline/kitchen/protein_deficit",
            "homeassistant/sensor/kitchen/grocery_proposal/config": "sightline/kitchen/grocery_proposal",
            "homeassistant/sensor/kitchen/health/config": "sightline/kitchen/health",
        ]
        for (topic, stateTopic) in expected {
            let payload = try #require(retained[topic], "\(topic) not retained")
            let config = try #require(try JSONSerialization.jsonObject(with: Data(payload.utf8)) as? [String: Any])
            #expect(config["state_topic"] as? String == stateTopic)
            #expect((config["name"] as? String)?.isEmpty == false)
            #expect((config["unique_id"] as? String)?.hasPrefix("sightline_kitchen_") == true)
            let availability = config["availability"] as? [[String: String]]
            #expect(
                availability?.first?["topic"] == "sightline/kitchen/availability"
                    && availability?.first?["payload_not_available"] == "offline")
            let device = config["device"] as? [String: Any]
            #expect(device?["identifiers"] as? [String] == ["sightline_kitchen"])
            #expect((config["origin"] as? [String: Any])?["name"] as? String == "sightline")
        }
        let deficit =
            try JSONSerialization.jsonObject(
                with: Data((retained["homeassistant/sensor/kitchen/protein_deficit/config"] ?? "").utf8)) as? [String: Any]
        #expect(deficit?["unit_of_measurement"] as? String == "g" && deficit?["state_class"] as? String == "measurement")

        // A clean stop says offline itself; a process that dies leaves it to the last will (below).
        sink.close()
        #expect(try broker.retained(["sightline/kitchen/availability"])["sightline/kitchen/availability"] == "offline")
    }

    @Test func theLastWillSaysOfflineWhenTheProcessDies() throws {
        let dir = tempDir()
        let broker = try broker(dir)
        let child = try Child(productPath("ActionsTestHelper"), ["mqtt", dir + "/outbox.sqlite", broker.url, "glasses", "1000", "20"])
        let lines = child.lines(3)
        #expect(lines.count == 3 && lines.allSatisfy { $0.hasSuffix("pending 0") }, "\(lines)")
        #expect(try broker.retained(["sightline/glasses/availability"])["sightline/glasses/availability"] == "online")
        child.kill()
        usleep(300_000)
        #expect(try broker.retained(["sightline/glasses/availability"])["sightline/glasses/availability"] == "offline")
    }

    @Test func passwordAuthentication() throws {
        let dir = tempDir()
        let broker = try broker(dir, users: ["sightline": "s3cret pass"])
        let good = "mqtt://sightline:s3cret%20pass@127.0.0.1:\(broker.port)"
        let sink = try sink(good, dir: dir + "/good")
        try sink.handle(reading(1, deficit: 10))
        #expect(sink.backlog == 0 && sink.isConnected)
        let seen = try broker.retained(["sightline/kitchen/food_storage"], user: "sightline", password: "s3cret pass")
        #expect(seen["sightline/kitchen/food_storage"] == "ON")
        #expect(try broker.retained(["sightline/#"]).isEmpty, "anonymous clients see nothing")

        // A wrong password is refused at start, with the broker named and the password hidden.
        #expect {
            _ = try self.sink("mqtt://sightline:wrong@127.0.0.1:\(broker.port)", dir: dir + "/bad")
        } throws: { error in
            let text = "\(error)"
            return text.contains("mqtt://sightline@127.0.0.1:\(broker.port)") && text.contains("not authorised") && !text.contains("wrong")
        }
        #expect {
            _ = try self.sink("mqtt://127.0.0.1:\(broker.port)", dir: dir + "/anonymous")
        } throws: { "\($0)".contains("refused the connection") }
    }

    @Test func aRefusedConnectionNamesTheBrokerAndKeepsTheEvents() throws {
        let dir = tempDir()
        let port = try freePort()
        let sink = try sink("mqtt://127.0.0.1:\(port)", dir: dir)
        try sink.handle(sampleEvent(1))
        try sink.handle(sampleEvent(2))
        #expect(
            sink.lastReport.lastError?.contains("mqtt://127.0.0.1:\(port): cannot connect: Connection refused") == true,
            "\(sink.lastReport)")
        #expect(try sink.counts().pending == 2)
        #expect {
            try sink.flush()
        } throws: { "\($0)".contains("2 event(s) not yet delivered") && "\($0)".contains("127.0.0.1:\(port)") }

        // The next run finds them in the outbox and sends them first, at once.
        try #require(Mosquitto.installed)
        let broker = try Mosquitto(dir: dir + "/broker")
        let subscriber = try Subscriber(broker, topic: "sightline/+/events")
        defer { subscriber.stop() }
        let again = try self.sink(broker.url, dir: dir)
        #expect(again.backlog == 0)
        try again.handle(sampleEvent(3))
        let ids = subscriber.wait(for: 3).compactMap {
            try? SightlineEvent.makeDecoder().decode(SightlineEvent.self, from: Data($0.payload.utf8)).id
        }
        #expect(ids == [1, 2, 3].map { sampleEvent($0).id })
    }

    @Test func tlsWithTheBrokersCertificateAuthority() throws {
        let dir = tempDir()
        let tls = try TLSFiles.make(in: dir)
        let broker = try broker(dir, tls: tls)
        #expect(broker.url.hasPrefix("mqtts://"))
        let sink = try sink(broker.url, dir: dir + "/trusted", settings: MQTTSettings(device: "kitchen", caFile: tls.ca, timeout: 3))
        try sink.handle(reading(1, deficit: 5))
        #expect(sink.backlog == 0 && sink.isConnected, "\(sink.lastReport)")
        #expect(try broker.retained(["sightline/kitchen/protein_deficit"], ca: tls.ca)["sightline/kitchen/protein_deficit"] == "5.0")
        // The system's authorities do not know the test CA: the certificate is not trusted.
        let untrusted = try self.sink(broker.url, dir: dir + "/untrusted")
        try untrusted.handle(sampleEvent(1))
        #expect(untrusted.backlog == 1)
        #expect(untrusted.lastReport.lastError?.contains(broker.url) == true, "\(untrusted.lastReport)")
    }

    @Test func brokerURLs() throws {
        let b = try MQTTBroker(url: "mqtts://user:p%40ss@broker.local:8884")
        #expect(b.tls && b.host == "broker.local" && b.port == 8884 && b.username == "user" && b.password == "p@ss")
        #expect(b.description == "mqtts://user@broker.local:8884")
        #expect(try MQTTBroker(url: "mqtt://10.0.0.2").port == 1883)
        #expect(try MQTTBroker(url: "mqtts://10.0.0.2/").port == 8883)
        #expect(try MQTTBroker(url: "mqtt://[::1]:1884").host == "::1")
        let bad: [(String, String)] = [
            ("http://host:1883", "unknown scheme 'http://'"), ("mqtt://host:99999", "port '99999' is not a number from 1 to 65535"),
            ("mqtt://host:0", "port '0'"), ("mqtt://host:abc", "port 'abc'"), ("mqtt://:1883", "no host"),
            ("mqtt://host:1883/topic", "no path or query"), ("host:1883", "not a broker URL"),
            ("mqtt://u:secret@host:70000", "mqtt://u:***@host:70000"),
        ]
        for (url, message) in bad {
            #expect {
                _ = try MQTTBroker(url: url)
            } throws: { "\($0)".contains(message) && !"\($0)".contains("secret") }
        }
        #expect(throws: MQTTError.self) { try MQTTSettings(device: "my glasses").validate() }
        #expect(throws: MQTTError.self) { try MQTTSettings(topicPrefix: "a/#").validate() }
    }
}
