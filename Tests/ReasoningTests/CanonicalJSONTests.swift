import Reasoning
import Testing

/// The one writer of canonical JSON: any Encodable, keys sorted, numbers in the fixed format,
/// the type's conformance deciding what is null and what is left out.
@Suite struct CanonicalJSONTests {
    struct Sample: Encodable {
        var zeta = 0.1 + 0.2
        var alpha = "a/b"
        var count = 3
        var missing: Int? = nil
        var list = [1.5, 2]
    }

    @Test func sortsKeysAndWritesNumbersCanonically() throws {
        let text = try CanonicalJSON.text(Sample())
        #expect(text == "{\n  \"alpha\": \"a/b\",\n  \"count\": 3,\n  \"list\": [\n    1.5,\n    2\n  ],\n  \"zeta\": 0.3\n}\n")
    }

    /// A proposal is written with every field, in the trace's number format.
    @Test func groceryProposalAsTheTraceWritesIt() throws {
        let p = GroceryProposal(
            item: "Eggs", foodID: "egg", quantity: 2, unit: "large egg", reason: "r", factIDs: ["a", "b"], deficitGrams: 12.345678,
            day: "2026-11-22")
        let v = try CanonicalJSON.value(p)
        guard case let .object(o) = v else {
            Issue.record("not an object: \(v)")
            return
        }
        #expect(o.keys.sorted() == ["day", "deficitGrams", "factIDs", "foodID", "item", "quantity", "reason", "unit"])
        #expect(v.canonicalText().contains("\"deficitGrams\": 12.345678"))
    }
}
