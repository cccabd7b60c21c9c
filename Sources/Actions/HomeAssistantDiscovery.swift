import Foundation

/// How the MQTT sink names itself and its topics (the `mqtt:` section of sightline.yaml).
public struct MQTTSettings: Sendable, Codable, Equatable {
    /// The device: the `<device>` of every topic and Home Assistant's node id. Letters, digits,
    /// `_` and `-`. Nil: this machine's host name (other characters become `_`).
    public var device: String?
    /// The first level of the event and state topics.
    public var topicPrefix: String
    /// Home Assistant's discovery prefix.
    public var discoveryPrefix: String
    /// Publish Home Assistant discovery configs.
    public var discovery: Bool
    /// Certificate authorities to trust for mqtts:// (PEM); nil: the system's.
    public var caFile: String?
    /// The MQTT client id; nil: `sightline-<device>`.
    public var clientID: String?
    /// The outbox database; nil: `mqtt-outbox.sqlite` in the data folder.
    public var outbox: String?
    /// Seconds between keepalive pings (5 or more).
    public var keepalive: Int
    /// Seconds to wait for the broker: to accept a connection, to acknowledge a message.
    public var timeout: Double

    public init(
        device: String? = nil, topicPrefix: String = "sightline", discoveryPrefix: String = "homeassistant", discovery: Bool = true,
        caFile: String? = nil, clientID: String? = nil, outbox: String? = nil, keepalive: Int = 30, timeout: Double = 5
    ) {
        (self.device, self.topicPrefix, self.discoveryPrefix, self.discovery) = (device, topicPrefix, discoveryPrefix, discovery)
        (self.caFile, self.clientID, self.outbox, self.keepalive, self.timeout) = (caFile, clientID, outbox, keepalive, timeout)
    }

    private enum CodingKeys: String, CodingKey {
        case device, topicPrefix, discoveryPrefix, discovery, caFile, clientID, outbox, keepalive, timeout
    }

    /// Reads settings in which every field is optional.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = MQTTSettings()
        self.init(
            device: try c.decodeIfPresent(String.self, forKey: .device),
            topicPrefix: try c.decodeIfPresent(String.self, forKey: .topicPrefix) ?? d.topicPrefix,
            discoveryPrefix: try c.decodeIfPresent(String.self, forKey: .discoveryPrefix) ?? d.discoveryPrefix,
            discovery: try c.decodeIfPresent(Bool.self, forKey: .discovery) ?? d.discovery,
            caFile: try c.decodeIfPresent(String.self, forKey: .caFile), clientID: try c.decodeIfPresent(String.self, forKey: .clientID),
            outbox: try c.decodeIfPresent(String.self, forKey: .outbox),
            keepalive: try c.decodeIfPresent(Int.self, forKey: .keepalive) ?? d.keepalive,
            timeout: try c.decodeIfPresent(Double.self, forKey: .timeout) ?? d.timeout)
    }

    /// The device name in use: ``device``, or the host name made fit for a topic.
    public var deviceName: String {
        device ?? String(ProcessInfo.processInfo.hostName.prefix { $0 != "." }.map { Self.allowed($0) ? $0 : "_" })
    }

    static func allowed(_ c: Character) -> Bool { c.isASCII && (c.isLetter || c.isNumber || c == "_" || c == "-") }

    /// Checks what can be checked before connecting; the message names the setting.
    public func validate() throws(MQTTError) {
        let name = deviceName
        guard !name.isEmpty, name.allSatisfy(Self.allowed) else {
            throw .badSetting("device '\(name)': use letters, digits, '_' and '-' only (it is a topic level and Home Assistant's node id)")
        }
        for (key, prefix) in [("topicPrefix", topicPrefix), ("discoveryPrefix", discoveryPrefix)] {
            guard !prefix.isEmpty, !prefix.contains(where: { "+#".contains($0) }), !prefix.hasPrefix("/"), !prefix.hasSuffix("/") else {
                throw .badSetting("\(key) '\(prefix)': a topic prefix is not empty, has no + or #, and does not start or end with /")
            }
        }
        guard keepalive >= 5 else { throw .badSetting("keepalive \(keepalive): at least 5 seconds") }
        guard timeout > 0 else { throw .badSetting("timeout \(timeout): must be more than 0 seconds") }
    }
}

/// The topics one device publishes. Events are not retained; the states are (a client that
/// subscribes later gets the latest value at once).
public struct MQTTTopics: Sendable, Equatable {
    public var device: String
    /// `<prefix>/<device>/events`: every event as canonical JSON, QoS 1.
    public var events: String
    /// `online` / `offline` (retained; `offline` is also the last will).
    public var availability: String
    /// `ON` / `OFF`: food storage (a fridge) in view.
    public var foodStorage: String
    /// Grams of protein still needed today (a number).
    public var proteinDeficit: String
    /// The latest grocery proposal, as JSON (`item`, `quantity`, `unit`, `reason`, `time`).
    public var groceryProposal: String
    /// The pipeline's health, as JSON (`state` and figures).
    public var health: String
    public var discoveryPrefix: String

    public init(_ settings: MQTTSettings) {
        device = settings.deviceName
        let base = settings.topicPrefix + "/" + device + "/"
        events = base + "events"
        availability = base + "availability"
        foodStorage = base + "food_storage"
        proteinDeficit = base + "protein_deficit"
        groceryProposal = base + "grocery_proposal"
        health = base + "health"
        discoveryPrefix = settings.discoveryPrefix
    }
}

/// Home Assistant's MQTT discovery: one retained config per entity, under
/// `<discovery prefix>/<component>/<device>/<object>/config`, with the fields its MQTT
/// integration documents: `name`, `unique_id`, `state_topic`, `availability` (the device's
/// availability topic, whose last will says `offline`), `device` (one device per Sightline,
/// grouping the entities), `origin`, and per entity `unit_of_measurement`, `device_class`,
/// `state_class`, `value_template` and `json_attributes_topic` where they apply.
public enum HomeAssistantDiscovery {
    /// One entity's config message.
    public struct Config: Sendable, Equatable {
        public var topic: String
        /// The JSON payload (sorted keys).
        public var payload: [UInt8]
    }

    /// The entities: food storage in view (binary sensor), protein deficit (grams), the last
    /// grocery proposal, the pipeline's health (diagnostic).
    public static func configs(for topics: MQTTTopics) -> [Config] {
        let device = topics.device
        let availability: [[String: String]] = [
            ["topic": topics.availability, "payload_available": "online", "payload_not_available": "offline"]
        ]
        let deviceInfo: [String: Any] = [
            "identifiers": ["sightline_\(device)"], "name": "Sightline \(device)", "manufacturer": "Sightline",
            "model": "Sightline edge vision pipeline",
        ]
        func config(_ component: String, _ object: String, _ fields: [String: Any]) -> Config {
            var payload: [String: Any] = [
                "unique_id": "sightline_\(device)_\(object)", "availability": availability, "device": deviceInfo,
                "origin": ["name": "sightline"],
            ]
            payload.merge(fields) { $1 }
            let data = (try? JSONSerialization.data(withJSONObject: payload, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
            return Config(topic: "\(topics.discoveryPrefix)/\(component)/\(device)/\(object)/config", payload: [UInt8](data))
        }
        return [
            config(
                "binary_sensor", "food_storage",
                [
                    "name": "Food storage in view", "state_topic": topics.foodStorage, "payload_on": "ON", "payload_off": "OFF",
                    "icon": "mdi:fridge",
                ]),
            config(
                "sensor", "protein_deficit",
                [
                    "name": "Protein deficit", "state_topic": topics.proteinDeficit, "unit_of_measurement": "g", "device_class": "weight",
                    "state_class": "measurement", "icon": "mdi:food-drumstick",
                ]),
            config(
                "sensor", "grocery_proposal",
                [
                    "name": "Last grocery proposal", "state_topic": topics.groceryProposal, "value_template": "{{ value_json.item }}",
                    "json_attributes_topic": topics.groceryProposal, "icon": "mdi:cart-plus",
                ]),
            config(
                "sensor", "health",
                [
                    "name": "Pipeline health", "state_topic": topics.health, "value_template": "{{ value_json.state }}",
                    "json_attributes_topic": topics.health, "entity_category": "diagnostic", "icon": "mdi:heart-pulse",
                ]),
        ]
    }
}
