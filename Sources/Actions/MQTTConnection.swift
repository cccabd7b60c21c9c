internal import CMosquitto
import Foundation

/// One connection to a broker, over the C shim (CMosquitto): libmosquitto speaks the protocol
/// and runs its network loop on a thread of its own; every call here blocks for at most its
/// timeout. A connection that was lost stays lost (it never reconnects by itself, and what was
/// in flight goes with it): the sink's outbox decides what is sent again.
final class MQTTConnection {
    let broker: MQTTBroker
    private var handle: OpaquePointer?

    /// The last will: published by the broker (retained) when the connection ends without a
    /// clean disconnect.
    struct Will {
        var topic: String
        var payload: [UInt8]
        var retain: Bool
    }

    /// Connects and waits for the broker to accept, for at most `timeout` seconds.
    init(broker: MQTTBroker, clientID: String, will: Will?, caFile: String?, keepalive: Int, timeout: Double) throws(MQTTError) {
        self.broker = broker
        var message = [CChar](repeating: 0, count: 512)
        var opened: OpaquePointer?
        let status = Self.withCStrings([broker.host, clientID, broker.username, broker.password, will?.topic, caFile]) { s in
            (will?.payload ?? []).withUnsafeBytes { willPayload in
                var options = sl_mqtt_options(
                    host: s[0], port: Int32(broker.port), client_id: s[1], username: s[2], password: s[3], will_topic: s[4],
                    will_payload: willPayload.baseAddress, will_length: Int32(willPayload.count), will_retain: will?.retain == true ? 1 : 0,
                    tls: broker.tls ? 1 : 0, ca_file: s[5], keepalive: Int32(keepalive))
                return sl_mqtt_open(&options, Self.milliseconds(timeout), &opened, &message, message.count)
            }
        }
        let reason = String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        switch Int(status) {
        case Int(SL_MQTT_OK): handle = opened
        case Int(SL_MQTT_REFUSED): throw .refused(broker: broker.description, reason: reason)
        default: throw .unreachable(broker: broker.description, reason: reason)
        }
    }

    deinit { close() }

    /// Publishes one message; QoS 1 returns once the broker acknowledged it.
    func publish(topic: String, payload: [UInt8], qos: Int = 1, retain: Bool, timeout: Double) throws(MQTTError) {
        guard let handle else { throw .lost(broker: broker.description, reason: "not connected") }
        var message = [CChar](repeating: 0, count: 512)
        let status = payload.withUnsafeBytes { bytes in
            sl_mqtt_publish(
                handle, topic, bytes.baseAddress, Int32(bytes.count), Int32(qos), retain ? 1 : 0, Self.milliseconds(timeout), &message,
                message.count)
        }
        guard status == SL_MQTT_OK else {
            throw .lost(
                broker: broker.description,
                reason: String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self))
        }
    }

    /// Whether the broker accepted the connection and it has not been lost since.
    var isConnected: Bool { handle.map { sl_mqtt_is_connected($0) == 1 } ?? false }

    /// Why the connection ended ("" while connected).
    var lastError: String {
        guard let handle else { return "closed" }
        var message = [CChar](repeating: 0, count: 512)
        sl_mqtt_last_error(handle, &message, message.count)
        return String(decoding: message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// Disconnects cleanly when still connected (the broker then drops the will) and frees.
    func close(timeout: Double = 2) {
        guard let handle else { return }
        self.handle = nil
        sl_mqtt_close(handle, Self.milliseconds(timeout))
    }

    private static func milliseconds(_ seconds: Double) -> Int32 { Int32(max(1, min(seconds * 1000, 3_600_000))) }

    /// Calls `body` with C copies of `strings` (NULL for nil), valid for the call only.
    private static func withCStrings<R>(_ strings: [String?], _ body: ([UnsafePointer<CChar>?]) -> R) -> R {
        let copies = strings.map { $0.map { strdup($0) } ?? nil }
        defer { for c in copies { free(c) } }
        return body(copies.map { $0.map { UnsafePointer($0) } })
    }
}
