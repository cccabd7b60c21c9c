import Foundation
import Yams

/// A `Decoder` over a YAML node tree composed by Yams, which remembers every mapping key a type
/// asked about (decoded, looked for, or found absent). After decoding, the keys nobody asked
/// about are the file's unknown keys: whatever fields a configuration type has (and whatever
/// fields are added to it later), its own `init(from:)` defines what is known.
///
/// Scalars are read with Yams' YAML 1.1 constructors (`true`/`yes`/`on`, `0x1F`, `1_000`, `.inf`);
/// a number that does not fit the field's type, text where a number belongs, or a list where a
/// mapping belongs is a `DecodingError` whose coding path leads back to the node (and its line).
struct NodeDecoder: Decoder, SingleValueDecodingContainer {
    let node: Node
    let codingPath: [any CodingKey]
    let ledger: KeyLedger
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    /// The keys types asked about, by the path of their mapping.
    final class KeyLedger {
        var asked: [String: Set<String>] = [:]
        func note(_ key: String, in path: [any CodingKey]) { asked[ConfigurationFile.render(path), default: []].insert(key) }
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .mapping(let mapping) = node else { throw mismatch(Key.self, expected: "a mapping (key: value lines)") }
        return KeyedDecodingContainer(Keyed<Key>(mapping: mapping, codingPath: codingPath, ledger: ledger))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .sequence(let sequence) = node else { throw mismatch([Any].self, expected: "a list (lines starting with -)") }
        return Unkeyed(nodes: Array(sequence), codingPath: codingPath, ledger: ledger)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer { self }

    // MARK: Single values

    private var scalar: Node.Scalar? { if case .scalar(let s) = node { return s } else { return nil } }

    /// What the node holds, for messages.
    var shown: String {
        switch node {
        case .scalar(let s): return "'\(s.string)'"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        case .alias: return "an alias"
        }
    }

    private func mismatch(_ type: Any.Type, expected: String) -> DecodingError {
        .typeMismatch(type, .init(codingPath: codingPath, debugDescription: "expected \(expected), found \(shown)"))
    }

    func decodeNil() -> Bool { scalar.flatMap(NSNull.construct) != nil }

    func decode(_ type: Bool.Type) throws -> Bool {
        guard let value = scalar.flatMap(Bool.construct) else { throw mismatch(type, expected: "true or false") }
        return value
    }

    func decode(_ type: String.Type) throws -> String {
        guard let s = scalar, !decodeNil() else { throw mismatch(type, expected: "text") }
        return s.string
    }

    func decode(_ type: Double.Type) throws -> Double {
        guard let value = scalar.flatMap(Double.construct) else { throw mismatch(type, expected: "a number") }
        return value
    }

    func decode(_ type: Float.Type) throws -> Float { Float(try decode(Double.self)) }

    private func integer<T: FixedWidthInteger>(_ type: T.Type) throws -> T {
        guard let wide = scalar.flatMap(Int.construct) else { throw mismatch(type, expected: "a whole number") }
        guard let value = T(exactly: wide) else { throw mismatch(type, expected: "a whole number from \(T.min) to \(T.max)") }
        return value
    }

    func decode(_ type: Int.Type) throws -> Int { try integer(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }

    func decode<T: Decodable>(_ type: T.Type) throws -> T { try T(from: self) }

    // MARK: Mappings

    struct Keyed<Key: CodingKey>: KeyedDecodingContainerProtocol {
        let mapping: Node.Mapping
        let codingPath: [any CodingKey]
        let ledger: KeyLedger

        var allKeys: [Key] {
            mapping.keys.compactMap { $0.string }.compactMap {
                ledger.note($0, in: codingPath)
                return Key(stringValue: $0)
            }
        }

        func contains(_ key: Key) -> Bool {
            ledger.note(key.stringValue, in: codingPath)
            return mapping[key.stringValue] != nil
        }

        private func child(_ key: Key) throws -> NodeDecoder {
            ledger.note(key.stringValue, in: codingPath)
            guard let node = mapping[key.stringValue] else {
                throw DecodingError.keyNotFound(key, .init(codingPath: codingPath, debugDescription: "missing (required)"))
            }
            return NodeDecoder(node: node, codingPath: codingPath + [key], ledger: ledger)
        }

        func decodeNil(forKey key: Key) throws -> Bool { try child(key).decodeNil() }
        func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T { try child(key).decode(type) }
        func decode(_ type: Bool.Type, forKey key: Key) throws -> Bool { try child(key).decode(type) }
        func decode(_ type: String.Type, forKey key: Key) throws -> String { try child(key).decode(type) }
        func decode(_ type: Double.Type, forKey key: Key) throws -> Double { try child(key).decode(type) }
        func decode(_ type: Int.Type, forKey key: Key) throws -> Int { try child(key).decode(type) }
        func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try child(key).decode(type) }

        func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type, forKey key: Key) throws
            -> KeyedDecodingContainer<NestedKey>
        { try child(key).container(keyedBy: type) }

        func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer { try child(key).unkeyedContainer() }
        func superDecoder() throws -> any Decoder { NodeDecoder(node: .mapping(mapping), codingPath: codingPath, ledger: ledger) }
        func superDecoder(forKey key: Key) throws -> any Decoder { try child(key) }
    }

    // MARK: Lists

    struct Unkeyed: UnkeyedDecodingContainer {
        let nodes: [Node]
        let codingPath: [any CodingKey]
        let ledger: KeyLedger
        var currentIndex = 0
        var count: Int? { nodes.count }
        var isAtEnd: Bool { currentIndex >= nodes.count }

        init(nodes: [Node], codingPath: [any CodingKey], ledger: KeyLedger) {
            (self.nodes, self.codingPath, self.ledger) = (nodes, codingPath, ledger)
        }

        private mutating func next() throws -> NodeDecoder {
            guard !isAtEnd else {
                throw DecodingError.valueNotFound(
                    Any.self, .init(codingPath: codingPath, debugDescription: "the list has only \(nodes.count) item(s)"))
            }
            defer { currentIndex += 1 }
            return NodeDecoder(node: nodes[currentIndex], codingPath: codingPath + [Index(currentIndex)], ledger: ledger)
        }

        mutating func decodeNil() throws -> Bool {
            guard !isAtEnd, NodeDecoder(node: nodes[currentIndex], codingPath: codingPath, ledger: ledger).decodeNil() else { return false }
            currentIndex += 1
            return true
        }

        mutating func decode<T: Decodable>(_ type: T.Type) throws -> T { try next().decode(type) }

        mutating func nestedContainer<NestedKey: CodingKey>(keyedBy type: NestedKey.Type) throws -> KeyedDecodingContainer<NestedKey> {
            try next().container(keyedBy: type)
        }

        mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer { try next().unkeyedContainer() }
        mutating func superDecoder() throws -> any Decoder { try next() }
    }

    /// A list position in a coding path.
    struct Index: CodingKey {
        let intValue: Int?
        var stringValue: String { "\(intValue ?? 0)" }
        init(_ index: Int) { intValue = index }
        init?(stringValue: String) { nil }
        init?(intValue: Int) { self.intValue = intValue }
    }
}
