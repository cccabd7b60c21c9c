import Foundation

/// Where an MQTT broker is: `mqtt://[user[:password]@]host[:port]` (TCP, port 1883 by default) or
/// `mqtts://…` (TLS, 8883). User name and password may be percent-encoded. The URL is checked
/// when it is read, so a bad scheme or port is an error at start, not at the first event.
public struct MQTTBroker: Sendable, Equatable, CustomStringConvertible {
    /// TLS (`mqtts://`).
    public var tls: Bool
    public var host: String
    public var port: Int
    public var username: String?
    public var password: String?

    public init(tls: Bool = false, host: String, port: Int? = nil, username: String? = nil, password: String? = nil) {
        (self.tls, self.host, self.port, self.username, self.password) = (tls, host, port ?? (tls ? 8883 : 1883), username, password)
    }

    /// Parses and checks a broker URL. Errors quote the URL with its password hidden.
    public init(url text: String) throws(MQTTError) {
        let shown = Self.hidingPassword(text)
        func bad(_ problem: String) -> MQTTError { .badURL(url: shown, problem: problem) }
        guard let schemeEnd = text.range(of: "://") else {
            throw bad("not a broker URL; write mqtt://HOST:PORT or mqtts://HOST:PORT")
        }
        let scheme = text[..<schemeEnd.lowerBound].lowercased()
        guard scheme == "mqtt" || scheme == "mqtts" else {
            throw bad("unknown scheme '\(scheme)://'; a broker URL starts with mqtt:// (TCP) or mqtts:// (TLS)")
        }
        var rest = String(text[schemeEnd.upperBound...])
        if rest.hasSuffix("/") { rest.removeLast() }
        if let i = rest.firstIndex(where: { "/?#".contains($0) }) {
            throw bad("unexpected '\(rest[i...])': a broker URL has no path or query")
        }
        var username: String?, password: String?
        if let at = rest.lastIndex(of: "@") {
            let info = rest[..<at]
            rest = String(rest[rest.index(after: at)...])
            let parts = info.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false).map(String.init)
            guard let user = parts[0].removingPercentEncoding, !user.isEmpty else { throw bad("empty or badly encoded user name") }
            username = user
            if parts.count > 1 {
                guard let pass = parts[1].removingPercentEncoding else { throw bad("badly encoded password") }
                password = pass
            }
        }
        var host = rest, portText: String?
        if rest.hasPrefix("[") {  // [IPv6]:port
            guard let close = rest.firstIndex(of: "]") else { throw bad("unclosed '[' in the host") }
            host = String(rest[rest.index(after: rest.startIndex)..<close])
            let after = rest[rest.index(after: close)...]
            if after.hasPrefix(":") { portText = String(after.dropFirst()) } else if !after.isEmpty { throw bad("unexpected '\(after)'") }
        } else if let colon = rest.lastIndex(of: ":") {
            host = String(rest[..<colon])
            portText = String(rest[rest.index(after: colon)...])
        }
        guard !host.isEmpty else { throw bad("no host") }
        var port: Int?
        if let portText {
            guard let p = Int(portText), (1...65535).contains(p) else {
                throw bad("port '\(portText)' is not a number from 1 to 65535")
            }
            port = p
        }
        self.init(tls: scheme == "mqtts", host: host, port: port, username: username, password: password)
    }

    /// `mqtt://user@host:port`, never with the password: for messages and logs.
    public var description: String {
        let h = host.contains(":") ? "[\(host)]" : host
        return (tls ? "mqtts://" : "mqtt://") + (username.map { $0 + "@" } ?? "") + "\(h):\(port)"
    }

    /// `text` with whatever stands between `user:` and `@` replaced by `***`.
    static func hidingPassword(_ text: String) -> String {
        guard let schemeEnd = text.range(of: "://"), let at = text[schemeEnd.upperBound...].lastIndex(of: "@"),
            let colon = text[schemeEnd.upperBound..<at].firstIndex(of: ":")
        else { return text }
        return String(text[..<text.index(after: colon)]) + "***" + String(text[at...])
    }
}

/// Why the MQTT sink could not do its job. Every case names the broker (without its password).
public enum MQTTError: Error, Equatable, CustomStringConvertible {
    /// The broker URL cannot be used (scheme, host, port, encoding).
    case badURL(url: String, problem: String)
    /// A setting cannot be used (device name, topic prefix …).
    case badSetting(String)
    /// No connection: name resolution, TCP or TLS failed, or no answer in time.
    case unreachable(broker: String, reason: String)
    /// The broker answered and refused the connection (credentials, authorisation).
    case refused(broker: String, reason: String)
    /// The connection broke or a message was not acknowledged in time.
    case lost(broker: String, reason: String)

    public var description: String {
        switch self {
        case let .badURL(url, problem): return "MQTT broker \(url): \(problem)"
        case let .badSetting(problem): return "MQTT: \(problem)"
        case let .unreachable(broker, reason): return "\(broker): cannot connect: \(reason)"
        case let .refused(broker, reason): return "\(broker): \(reason) (check the user name and password in the URL)"
        case let .lost(broker, reason): return "\(broker): \(reason)"
        }
    }
}

/// What the MQTT sink's `flush` throws when events remain: they are kept in the outbox and go
/// out when the broker is back (nothing is lost).
public struct MQTTUndelivered: DeferredDelivery, CustomStringConvertible {
    public var pending: Int
    public var outbox: String
    public var broker: String
    public var lastError: String?

    public var description: String {
        "\(pending) event(s) not yet delivered to \(broker)" + (lastError.map { " (\($0))" } ?? "")
            + "; they wait in the outbox \(outbox) and are sent when the broker is back"
    }
}
