// Reading the JSON documents of the reasoning (chains, knowledge, profiles) field by field,
// with errors that name the file and the field path.

/// A problem at a field path while reading a JSON document; turned into a ``ReasoningError`` by
/// the caller, which knows the file.
struct FieldError: Error {
    var path: String
    var message: String
}

/// Parses `bytes` as a JSON document whose `format` member must be `format`, and reads the rest
/// with `body` (which calls ``ObjectReader/finish()`` when it has read what it knows). A syntax
/// error carries the line and column; a field error becomes a `kind` error naming the field (and,
/// for a chain, the step index); both name `file`.
func readDocument<T>(
    _ bytes: [UInt8], file: String, format: String, kind: ReasoningError.Kind,
    _ body: (inout ObjectReader) throws -> T
) throws(ReasoningError) -> T {
    let root: JSONValue
    do { root = try JSONValue.parse(bytes) } catch {
        throw ReasoningError(.syntax, file: file, line: error.line, message: "\(error.message) (column \(error.column))")
    }
    do {
        var r = try ObjectReader(root, path: "")
        let found = try r.string("format")
        guard found == format else {
            throw FieldError(path: "format", message: "must be \"\(format)\", found \"\(found)\"")
        }
        return try body(&r)
    } catch let e as FieldError {
        let step = kind == .chain ? ChainDefinition.stepIndex(of: e.path) : nil
        throw ReasoningError(kind, file: file, field: e.path, stepIndex: step, message: e.message)
    } catch let e as ReasoningError {
        throw e
    } catch {
        throw ReasoningError(kind, file: file, message: "\(error)")
    }
}

/// Reads one JSON object field by field, remembering which members were used, so that
/// ``finish()`` can refuse unknown members (a misspelt `minScore` is an error, not a silent default).
struct ObjectReader {
    let members: [String: JSONValue]
    let path: String
    private(set) var used: Set<String> = []

    init(_ value: JSONValue, path: String) throws(FieldError) {
        guard case .object(let m) = value else {
            throw FieldError(path: path.isEmpty ? "(document)" : path, message: "must be an object, found \(value.typeName)")
        }
        members = m
        self.path = path
    }

    func fieldPath(_ key: String) -> String { path.isEmpty ? key : path + "." + key }

    func has(_ key: String) -> Bool { members[key] != nil && members[key] != .null }

    mutating func raw(_ key: String) -> JSONValue? {
        used.insert(key)
        if let v = members[key], v != .null { return v }
        return nil
    }

    /// The member, which must be present and be `what` ("a string"): `extract` gives it, or nil
    /// when the member is something else.
    private mutating func required<T>(_ key: String, _ what: String, _ extract: (JSONValue) -> T?) throws(FieldError) -> T {
        guard let v = raw(key) else { throw FieldError(path: fieldPath(key), message: "is missing (\(what) is required)") }
        guard let x = extract(v) else { throw FieldError(path: fieldPath(key), message: "must be \(what), found \(v.typeName)") }
        return x
    }

    mutating func string(_ key: String) throws(FieldError) -> String {
        try required(key, "a string") { if case .string(let s) = $0 { s } else { nil } }
    }

    mutating func optionalString(_ key: String) throws(FieldError) -> String? {
        guard has(key) else { used.insert(key); return nil }
        return try string(key)
    }

    mutating func double(_ key: String) throws(FieldError) -> Double {
        try required(key, "a number") { if case .number(let x) = $0 { x } else { nil } }
    }

    mutating func optionalDouble(_ key: String) throws(FieldError) -> Double? {
        guard has(key) else { used.insert(key); return nil }
        return try double(key)
    }

    mutating func double(_ key: String, default value: Double, in range: ClosedRange<Double>) throws(FieldError) -> Double {
        guard has(key) else { used.insert(key); return value }
        let x = try double(key)
        guard range.contains(x) else {
            throw FieldError(
                path: fieldPath(key),
                message:
                    "must be between \(canonicalNumber(range.lowerBound)) and \(canonicalNumber(range.upperBound)), found \(canonicalNumber(x))"
            )
        }
        return x
    }

    mutating func int(_ key: String, default value: Int, in range: ClosedRange<Int>) throws(FieldError) -> Int {
        guard has(key) else { used.insert(key); return value }
        let x = try double(key)
        guard x == x.rounded(), let n = Int(exactly: x) else {
            throw FieldError(path: fieldPath(key), message: "must be an integer, found \(canonicalNumber(x))")
        }
        guard range.contains(n) else {
            throw FieldError(path: fieldPath(key), message: "must be between \(range.lowerBound) and \(range.upperBound), found \(n)")
        }
        return n
    }

    mutating func bool(_ key: String, default value: Bool) throws(FieldError) -> Bool {
        guard let v = raw(key) else { return value }
        guard case .bool(let b) = v else { throw FieldError(path: fieldPath(key), message: "must be true or false, found \(v.typeName)") }
        return b
    }

    mutating func strings(_ key: String, default value: [String]? = nil) throws(FieldError) -> [String] {
        guard let v = raw(key) else {
            if let value { return value }
            throw FieldError(path: fieldPath(key), message: "is missing (an array of strings is required)")
        }
        guard case .array(let items) = v else {
            throw FieldError(path: fieldPath(key), message: "must be an array of strings, found \(v.typeName)")
        }
        var out: [String] = []
        for (k, item) in items.enumerated() {
            guard case .string(let s) = item else {
                throw FieldError(path: fieldPath(key) + "[\(k)]", message: "must be a string, found \(item.typeName)")
            }
            out.append(s)
        }
        return out
    }

    mutating func array(_ key: String) throws(FieldError) -> [JSONValue] {
        try required(key, "an array") { if case .array(let items) = $0 { items } else { nil } }
    }

    mutating func object(_ key: String) throws(FieldError) -> ObjectReader {
        guard let v = raw(key) else { throw FieldError(path: fieldPath(key), message: "is missing (an object is required)") }
        return try ObjectReader(v, path: fieldPath(key))
    }

    /// Refuses members that were never read.
    func finish() throws(FieldError) {
        let unknown = members.keys.filter { !used.contains($0) }.sorted()
        if let first = unknown.first {
            let known = used.sorted().joined(separator: ", ")
            throw FieldError(path: fieldPath(first), message: "unknown field (known fields here: \(known))")
        }
    }
}
