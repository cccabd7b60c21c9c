/// Why a chain, knowledge file, profile, health export or run was refused.
///
/// Every error names where the problem is: the file, and the line (JSON syntax, XML) or the field
/// path (`steps[2].parameters.window`, `dailyProteinTargetGrams`) or the step.
public struct ReasoningError: Error, Equatable, CustomStringConvertible {
    public enum Kind: String, Sendable {
        /// The file is not valid JSON (line and column are set).
        case syntax
        /// A chain file is well-formed JSON but not a valid chain.
        case chain
        /// The knowledge base (nutrition.json) is invalid.
        case knowledge
        /// A wearer profile is invalid.
        case profile
        /// An Apple Health export is malformed, truncated or not an Apple Health export.
        case health
        /// A file could not be read.
        case io
        /// A step failed while running (for example, a step needs a fact no earlier step made).
        case run
    }

    public var kind: Kind
    /// The file concerned ("Models/chains/fridge.json"), or "" when the input came from memory.
    public var file: String
    /// 1-based line, when known.
    public var line: Int?
    /// The field path inside the file, when known (`steps[1].type`).
    public var field: String?
    /// The 0-based index of the chain step, when the problem is in a step.
    public var stepIndex: Int?
    public var message: String

    public init(_ kind: Kind, file: String, line: Int? = nil, field: String? = nil, stepIndex: Int? = nil, message: String) {
        (self.kind, self.file, self.line, self.field, self.stepIndex, self.message) = (kind, file, line, field, stepIndex, message)
    }

    public var description: String {
        var s = file.isEmpty ? "<input>" : file
        if let line { s += ":\(line)" }
        if let stepIndex { s += ": step \(stepIndex)" }
        if let field { s += ": \(field)" }
        return s + ": " + message
    }
}
