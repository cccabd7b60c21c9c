import Foundation

extension GroceryItem {
    /// The list for people: a heading naming `database`, then one line per item (name, amount,
    /// when it was first and last added) and a `why:` line per reason. `exists` false says the
    /// database has not been made yet.
    public static func text(_ items: [GroceryItem], database path: String, exists: Bool) -> String {
        guard !items.isEmpty else { return "\(path): the grocery list is empty\(exists ? "" : " (no database yet)")" }
        var lines = ["\(path): \(items.count) item\(items.count == 1 ? "" : "s")"]
        let formatter = ISO8601DateFormatter()
        let width = items.map(\.amount.count).max() ?? 0
        let nameWidth = items.map(\.name.count).max() ?? 0
        for item in items {
            let a = item.amount
            lines.append(
                "  " + item.name.padding(toLength: nameWidth, withPad: " ", startingAt: 0) + "  "
                    + String(repeating: " ", count: width - a.count) + a
                    + "  added \(formatter.string(from: item.firstAdded))"
                    + (item.lastAdded != item.firstAdded ? ", last \(formatter.string(from: item.lastAdded))" : ""))
            for reason in item.reasons { lines.append("      why: \(reason)") }
        }
        return lines.joined(separator: "\n")
    }

    /// What `sightline list` prints for the list at `path`: the items (text or JSON), or, with
    /// `clear`, how many were removed. A list that does not exist yet is reported, not created.
    public static func listCommand(path: String, clear: Bool, json: Bool, wait: Double) throws -> String {
        if !clear, !FileManager.default.fileExists(atPath: path) {
            return json ? try Self.json(["items": [GroceryItem]()], database: path) : text([], database: path, exists: false)
        }
        let list = try GroceryList(path: path, busyTimeout: wait)
        if clear {
            let n = try list.clear()
            return json ? try Self.json(["cleared": n], database: path) : "\(path): cleared \(n) item\(n == 1 ? "" : "s")"
        }
        let items = try list.items()
        return json ? try Self.json(["items": items], database: path) : text(items, database: path, exists: true)
    }

    /// `2 container`, `0.50 kg`: the quantity (whole numbers without decimals) and the unit.
    public var amount: String {
        let q = quantity
        let number = q == q.rounded() && abs(q) < 1e15 ? String(Int64(q)) : String(format: "%.2f", q)
        return number + " " + unit
    }

    /// `{"database": path, KEY: VALUE}` as pretty-printed JSON with sorted keys and ISO 8601
    /// dates: the list (`items`) or what clearing it removed (`cleared`), and any `extra` strings.
    public static func json<Value: Encodable>(
        _ field: [String: Value], database path: String, extra: [String: String] = [:]
    ) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes, .prettyPrinted]
        encoder.dateEncodingStrategy = .iso8601
        var object: [String: AnyEncodable] = ["database": AnyEncodable(path)]
        for (k, v) in field { object[k] = AnyEncodable(v) }
        for (k, v) in extra { object[k] = AnyEncodable(v) }
        return String(decoding: try encoder.encode(object), as: UTF8.self)
    }
}

/// One value of a JSON object whose fields have different types.
private struct AnyEncodable: Encodable {
    let encodeValue: (any Encoder) throws -> Void
    init(_ value: some Encodable) { encodeValue = value.encode(to:) }
    func encode(to encoder: any Encoder) throws { try encodeValue(encoder) }
}
