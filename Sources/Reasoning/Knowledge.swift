import Foundation
import SightlineCore

/// Dietary tags of a food, as written in `Models/nutrition.json`.
public enum DietaryTag: String, Sendable, Codable, CaseIterable {
    /// Suitable for a vegan wearer (no animal products).
    case vegan
    /// Suitable for a vegetarian wearer (no meat or fish).
    case vegetarian
    /// Contains lactose.
    case lactose
    case meat, fish, egg, dairy
}

/// Where a food's figures come from.
public struct FoodSource: Sendable, Equatable {
    public var database: String
    /// USDA FoodData Central id, when one has been verified; nil otherwise (see nutrition.md).
    public var fdcID: Int?
    /// USDA Standard Reference NDB number ("01123"), when the figures come from SR.
    public var ndbNumber: String?
    /// The USDA description the figures belong to.
    public var description: String
    /// The package and file the figures were read from.
    public var file: String
}

/// One food of the knowledge base.
public struct FoodEntry: Sendable, Equatable {
    public var id: String
    public var name: String
    /// Detector labels that name this food (several models and data sets name it differently).
    public var labels: [String]
    public var proteinPer100g: Double
    public var energyKcalPer100g: Double
    public var portionGrams: Double
    public var portionName: String
    public var tags: Set<DietaryTag>
    public var source: FoodSource

    /// Protein in one typical portion, rounded to 0.01 g.
    public var proteinPerPortion: Double { round2(proteinPer100g * portionGrams / 100) }

    /// A portion's name with its weight: "large (50 g)".
    public var portionDescription: String { "\(portionName) (\(grams(portionGrams)) g)" }

    var evidence: KnowledgeEvidence {
        KnowledgeEvidence(
            foodID: id, name: name, fdcID: source.fdcID, ndbNumber: source.ndbNumber, sourceDescription: source.description,
            figures: "\(grams(proteinPer100g)) g protein and \(grams(energyKcalPer100g)) kcal per 100 g; portion \(portionDescription)")
    }
}

/// The nutrition knowledge base: foods, and the index from detector labels to foods.
public struct NutritionKnowledge: Sendable {
    public let foods: [FoodEntry]
    /// The file it was read from, for messages and evidence.
    public let file: String
    private let byLabel: [String: Int]
    private let byID: [String: Int]

    public init(foods: [FoodEntry], file: String = "") throws(ReasoningError) {
        var byLabel: [String: Int] = [:], byID: [String: Int] = [:]
        for (k, f) in foods.enumerated() {
            if byID[f.id] != nil {
                throw ReasoningError(.knowledge, file: file, field: "foods[\(k)].id", message: "duplicate food id \"\(f.id)\"")
            }
            byID[f.id] = k
            for label in f.labels {
                if let other = byLabel[label] {
                    throw ReasoningError(
                        .knowledge, file: file, field: "foods[\(k)].labels",
                        message: "label \"\(label)\" already maps to \"\(foods[other].id)\"")
                }
                byLabel[label] = k
            }
        }
        self.foods = foods
        self.file = file
        self.byLabel = byLabel
        self.byID = byID
    }

    /// The food a detector label names, if any.
    public func food(forLabel label: String) -> FoodEntry? { byLabel[label].map { foods[$0] } }

    public func food(id: String) -> FoodEntry? { byID[id].map { foods[$0] } }

    /// Reads `Models/nutrition.json`-format bytes. `file` names the input in errors.
    public static func decode(_ bytes: [UInt8], file: String) throws(ReasoningError) -> NutritionKnowledge {
        try readDocument(bytes, file: file, format: "sightline-nutrition/1", kind: .knowledge) { r -> NutritionKnowledge in
            _ = try r.optionalString("note")
            var foods: [FoodEntry] = []
            for (k, item) in try r.array("foods").enumerated() {
                var f = try ObjectReader(item, path: "foods[\(k)]")
                let id = try f.string("id")
                let name = try f.string("name")
                let labels = try f.strings("labels")
                let protein = try f.double("proteinPer100g", default: -1, in: 0...100)
                let energy = try f.double("energyKcalPer100g", default: -1, in: 0...900)
                guard protein >= 0 else { throw FieldError(path: f.fieldPath("proteinPer100g"), message: "is missing") }
                guard energy >= 0 else { throw FieldError(path: f.fieldPath("energyKcalPer100g"), message: "is missing") }
                var p = try f.object("portion")
                let pg = try p.double("grams", default: -1, in: 0.1...5000)
                guard pg > 0 else { throw FieldError(path: p.fieldPath("grams"), message: "is missing") }
                let pn = try p.string("name")
                try p.finish()
                var tags = Set<DietaryTag>()
                let tagNames = try f.strings("tags")
                for (t, tag) in tagNames.enumerated() {
                    guard let v = DietaryTag(rawValue: tag) else {
                        throw FieldError(
                            path: f.fieldPath("tags") + "[\(t)]",
                            message: "unknown tag \"\(tag)\" (known: \(DietaryTag.allCases.map(\.rawValue).joined(separator: ", ")))")
                    }
                    tags.insert(v)
                }
                var s = try f.object("source")
                let database = try s.string("database")
                // FoodData Central ids are positive integers (seven digits today).
                let fdc = try s.int("fdcId", default: 0, in: 1...999_999_999)
                let ndb = try s.optionalString("ndbNumber")
                let desc = try s.string("description")
                let srcFile = try s.string("file")
                _ = try s.optionalString("portionNote")
                _ = try s.optionalString("srLegacyCheck")
                try s.finish()
                try f.finish()
                foods.append(
                    FoodEntry(
                        id: id, name: name, labels: labels, proteinPer100g: protein, energyKcalPer100g: energy,
                        portionGrams: pg, portionName: pn, tags: tags,
                        source: FoodSource(
                            database: database, fdcID: fdc == 0 ? nil : fdc, ndbNumber: ndb, description: desc, file: srcFile)
                    ))
            }
            try r.finish()
            return try NutritionKnowledge(foods: foods, file: file)
        }
    }

    /// Reads a knowledge file from disk (the only I/O; the reasoner itself does none). `name`
    /// is how messages and evidence name the file (default: `path`).
    public static func load(path: String, name: String? = nil) throws(ReasoningError) -> NutritionKnowledge {
        try decode(try readFile(path), file: name ?? path)
    }
}

/// Reads a whole file, or a ``ReasoningError`` of kind `.io` naming it.
func readFile(_ path: String) throws(ReasoningError) -> [UInt8] {
    // A regular file only, opened without blocking (a FIFO named like a chain is refused, not
    // waited on), at most 64 MiB (the largest knowledge file is a few hundred kB).
    do { return try FileIO.readBytes(path, limit: 64 << 20) } catch {
        if error.errno == ENOENT { throw ReasoningError(.io, file: path, message: "no such file") }
        throw ReasoningError(.io, file: path, message: "cannot \(error.operation): \(Errno(error.errno))")
    }
}
