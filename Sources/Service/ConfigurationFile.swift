import Foundation
public import Pipeline
import Yams

/// A problem in a configuration file, with where it is: the file, the line and the key
/// (`mqtt.device`, `sinks[1]`). Printed as `FILE:LINE: KEY: message`.
public struct ConfigurationError: Error, Equatable, CustomStringConvertible {
    public var file: String
    /// 1-based; nil when the problem has no place in the file (it cannot be read at all).
    public var line: Int?
    public var key: String?
    public var message: String

    public init(file: String, line: Int?, key: String?, message: String) {
        (self.file, self.line, self.key, self.message) = (file, line, key, message)
    }

    public var description: String {
        file + (line.map { ":\($0)" } ?? "") + ": " + (key.map { $0 + ": " } ?? "") + message
    }
}

/// Reads sightline.yaml (YAML, parsed by Yams) into a ``ServiceConfiguration``. Unknown keys,
/// values of the wrong type and values that cannot be used are errors naming the key and its
/// line; the first one found is reported.
public enum ConfigurationFile {
    /// Loads and checks `path`. `profile`, when given (the command line's `--profile`), stands
    /// in for a file without one; `catalog` says which sinks exist.
    public static func load(path: String, profile: String? = nil, catalog: SinkCatalog) throws(ConfigurationError) -> ServiceConfiguration {
        let text: String
        do { text = try String(contentsOfFile: path, encoding: .utf8) } catch {
            throw ConfigurationError(
                file: path, line: nil, key: nil, message: "cannot read the configuration: \((error as NSError).localizedDescription)")
        }
        return try parse(text, file: path, profile: profile, catalog: catalog)
    }

    /// Parses configuration text; `file` names it in errors.
    public static func parse(_ text: String, file: String, profile: String? = nil, catalog: SinkCatalog) throws(ConfigurationError)
        -> ServiceConfiguration
    {
        var root: Node
        do {
            guard let composed = try Yams.compose(yaml: text) else {
                throw ConfigurationError(file: file, line: nil, key: nil, message: "the file is empty; it needs at least profile:")
            }
            root = composed
        } catch let error as ConfigurationError {
            throw error
        } catch {
            throw yamlError(error, file: file)
        }
        guard case .mapping(var mapping) = root else {
            throw ConfigurationError(file: file, line: root.mark?.line, key: nil, message: "expected key: value lines at the top level")
        }
        if let profile, mapping["profile"] == nil {
            mapping["profile"] = Node(profile)
            root = .mapping(mapping)
        }
        let ledger = NodeDecoder.KeyLedger()
        let configuration: ServiceConfiguration
        do {
            configuration = try ServiceConfiguration(from: NodeDecoder(node: root, codingPath: [], ledger: ledger))
        } catch let error as DecodingError {
            // A misspelt key is the likelier cause of a missing or odd value: report it first.
            // A missing key stops decoding before later keys are asked about, so only a key
            // beside it that is close to its name counts then.
            if case .keyNotFound(let key, let context) = error {
                if case .mapping(let m)? = node(at: context.codingPath, in: root),
                    let typo = m.keys.compactMap(\.string).first(where: { closest(to: $0, in: [key.stringValue]) != nil })
                {
                    throw ConfigurationError(
                        file: file, line: m.keys.first { $0.string == typo }?.mark?.line, key: render(context.codingPath + [Key(typo)]),
                        message: "unknown key (did you mean '\(key.stringValue)'?)")
                }
            } else {
                try checkKeys(root, ledger: ledger, file: file)
            }
            throw decodingError(error, root: root, file: file)
        } catch {
            throw ConfigurationError(file: file, line: nil, key: nil, message: "\(error)")
        }
        try checkKeys(root, ledger: ledger, file: file)
        if let (key, message) = configuration.problems(catalog: catalog).first {
            throw ConfigurationError(file: file, line: line(of: key, in: root), key: key, message: message)
        }
        return configuration
    }

    // MARK: - Unknown keys

    /// Throws for the first key (in file order) that no type asked about.
    static func checkKeys(_ root: Node, ledger: NodeDecoder.KeyLedger, file: String) throws(ConfigurationError) {
        var unknown: [(line: Int, key: String, message: String)] = []
        func walk(_ node: Node, _ path: [any CodingKey]) {
            switch node {
            case .mapping(let mapping):
                let asked = ledger.asked[render(path)] ?? []
                for (keyNode, value) in mapping {
                    let key = keyNode.string ?? "?"
                    let full = render(path + [Key(key)])
                    if asked.contains(key) {
                        walk(value, path + [Key(key)])
                    } else {
                        var message = "unknown key"
                        if let close = closest(to: key, in: asked) { message += " (did you mean '\(close)'?)" }
                        if !asked.isEmpty { message += "; known here: " + asked.sorted().joined(separator: ", ") }
                        unknown.append((keyNode.mark?.line ?? 0, full, message))
                    }
                }
            case .sequence(let sequence):
                for (i, item) in sequence.enumerated() { walk(item, path + [NodeDecoder.Index(i)]) }
            default:
                break
            }
        }
        walk(root, [])
        if let first = unknown.min(by: { $0.line < $1.line }) {
            throw ConfigurationError(file: file, line: first.line, key: first.key, message: first.message)
        }
    }

    /// The known key nearest to a misspelt one (at most two edits away).
    static func closest(to key: String, in known: Set<String>) -> String? {
        func distance(_ a: [Character], _ b: [Character]) -> Int {
            var row = Array(0...b.count)
            for (i, ca) in a.enumerated() {
                var next = [i + 1]
                for (j, cb) in b.enumerated() { next.append(min(row[j + 1] + 1, next[j] + 1, row[j] + (ca == cb ? 0 : 1))) }
                row = next
            }
            return row[b.count]
        }
        let lower = Array(key.lowercased())
        return known.map { ($0, distance(lower, Array($0.lowercased()))) }.filter { $0.1 <= 2 }.min { ($0.1, $0.0) < ($1.1, $1.0) }?.0
    }

    // MARK: - Errors with lines

    static func decodingError(_ error: DecodingError, root: Node, file: String) -> ConfigurationError {
        switch error {
        case let .keyNotFound(key, context):
            let path = context.codingPath + [key]
            let hint = path.count == 1 && key.stringValue == "profile" ? "; give it in the file or with --profile" : ""
            return ConfigurationError(
                file: file, line: node(at: context.codingPath, in: root)?.mark?.line ?? 1, key: render(path),
                message: "missing (required)\(hint)")
        case let .typeMismatch(_, context), let .valueNotFound(_, context), let .dataCorrupted(context):
            return ConfigurationError(
                file: file, line: node(at: context.codingPath, in: root)?.mark?.line, key: render(context.codingPath),
                message: plain(context.debugDescription, at: node(at: context.codingPath, in: root)))
        @unknown default:
            return ConfigurationError(file: file, line: nil, key: nil, message: "\(error)")
        }
    }

    /// Swift's message for an enum given a value it lacks, in the file's words.
    static func plain(_ message: String, at node: Node?) -> String {
        if message.hasPrefix("Cannot initialize "), let value = node?.string {
            let type = message.dropFirst("Cannot initialize ".count).prefix { $0 != " " }
            return "'\(value)' is not a valid \(type)"
        }
        return message
    }

    static func yamlError(_ error: any Error, file: String) -> ConfigurationError {
        guard let yaml = error as? YamlError else {
            return ConfigurationError(file: file, line: nil, key: nil, message: "not valid YAML: \(error)")
        }
        switch yaml {
        case let .scanner(context, problem, mark, _), let .parser(context, problem, mark, _), let .composer(context, problem, mark, _):
            return ConfigurationError(
                file: file, line: mark.line, key: nil,
                message: "not valid YAML: \(problem)" + (context.map { " (\($0.text))" } ?? ""))
        default:
            return ConfigurationError(file: file, line: nil, key: nil, message: "not valid YAML: \(yaml)")
        }
    }

    /// The line of `key` (`mqtt.device`, `sinks[1]`) in the file, or of the nearest mapping
    /// above it that is there.
    static func line(of key: String, in root: Node) -> Int? {
        var path: [any CodingKey] = []
        for part in key.split(separator: ".") {
            if let open = part.firstIndex(of: "["), let index = Int(part[part.index(after: open)...].dropLast()) {
                path.append(Key(String(part[..<open])))
                path.append(NodeDecoder.Index(index))
            } else {
                path.append(Key(String(part)))
            }
        }
        while !path.isEmpty {
            if let found = node(at: path, in: root), let line = found.mark?.line {
                // A key's line is where its name is, not where a nested value starts.
                if case .mapping(let parent)? = node(at: Array(path.dropLast()), in: root), let last = path.last, last.intValue == nil,
                    let keyNode = parent.keys.first(where: { $0.string == last.stringValue }), let keyLine = keyNode.mark?.line
                {
                    return keyLine
                }
                return line
            }
            path.removeLast()
        }
        return root.mark?.line
    }

    static func node(at path: [any CodingKey], in root: Node) -> Node? {
        var node: Node? = root
        for key in path {
            switch node {
            case .mapping(let m)?: node = key.intValue == nil ? m[key.stringValue] : nil
            case .sequence(let s)?: node = key.intValue.flatMap { $0 < s.count ? s[$0] : nil }
            default: return nil
            }
        }
        return node
    }

    /// `mqtt.device`, `sinks[1]`, `models[0].labels`.
    static func render(_ path: [any CodingKey]) -> String {
        path.reduce("") { text, key in
            if let i = key.intValue { return text + "[\(i)]" }
            return text.isEmpty ? key.stringValue : text + "." + key.stringValue
        }
    }

    struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ string: String) { stringValue = string }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }
}
