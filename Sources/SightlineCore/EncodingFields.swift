/// A coding key that is any name, so that a hand-written `encode(to:)` can name its fields inline.
public struct FieldKey: CodingKey, Sendable {
    public var stringValue: String
    public var intValue: Int? { nil }
    public init(_ name: String) { stringValue = name }
    public init?(stringValue: String) { self.stringValue = stringValue }
    public init?(intValue: Int) { nil }
}

extension Encoder {
    /// Writes an object of named fields: each of `fields` always, a nil optional among them as
    /// `null` (a reader expects the key), and each of `extras` only when it is not nil.
    ///
    ///     try encoder.encodeFields(["label": label, "fdcID": fdcID], extras: ["model": model])
    ///
    /// The order given is the order written; a canonical writer sorts the keys anyway.
    public func encodeFields(
        _ fields: KeyValuePairs<String, any Encodable>, extras: KeyValuePairs<String, (any Encodable)?> = [:]
    ) throws {
        var c = container(keyedBy: FieldKey.self)
        for (name, value) in fields { try c.encode(value, forKey: FieldKey(name)) }
        for (name, value) in extras { if let value { try c.encode(value, forKey: FieldKey(name)) } }
    }
}

extension Collection {
    /// The collection, or nil when it is empty: an `extras` entry of ``Encoder/encodeFields(_:extras:)``
    /// that is left out when there is nothing in it.
    @inlinable public var nonEmpty: Self? { isEmpty ? nil : self }
}
