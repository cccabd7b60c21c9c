internal import Foundation
internal import SightlineCore

/// One label set shared by detectors and data sets (`Models/grocery-taxonomy.json`, format
/// `sightline-taxonomy/1`): the classes a grocery model emits, in class order, and an alias map
/// from the names other data sets use to those labels (`egg` → `eggs`, `water` → `bottle`).
/// A name the map does not list maps to itself, so a folder labelled with the taxonomy's own
/// names, or a model with other labels (COCO's `bottle`, `orange`), needs no entry.
public struct LabelTaxonomy: Sendable, Equatable {
    public var classes: [String]
    public var aliases: [String: String]

    public init(classes: [String], aliases: [String: String]) {
        self.classes = classes
        self.aliases = aliases
    }

    /// No classes, no aliases: every name maps to itself.
    public static let identity = LabelTaxonomy(classes: [], aliases: [:])

    /// The grocery model's class for the view itself (a box over the inside of a fridge), not a
    /// food: the fridge scene's first step rests on it; food labelling leaves it out.
    public static let viewClass = "fridge_interior"

    /// The label `name` stands for.
    public func canonical(_ name: String) -> String { aliases[name] ?? name }

    /// The taxonomy in `path`; without a path, the models folder's `grocery-taxonomy.json` when
    /// there is one, else ``identity``.
    public static func load(path: String?, store: ModelStore) throws(DetectionError) -> LabelTaxonomy {
        let file = path ?? store.directory + "/grocery-taxonomy.json"
        return path == nil && !FileManager.default.fileExists(atPath: file) ? .identity : try load(path: file)
    }

    /// Reads a taxonomy file. Unknown fields, an alias to a label the classes do not have, or a
    /// class listed twice are errors naming the file.
    public static func load(path: String) throws(DetectionError) -> LabelTaxonomy {
        guard let data = try? Data(FileIO.readBytes(path, limit: 16 << 20)) else {
            throw .dataset(path: path, detail: "cannot read the taxonomy (it must be a regular file)")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data), let dict = object as? [String: Any] else {
            throw .dataset(path: path, detail: "not a JSON object")
        }
        for key in dict.keys.sorted() where !["format", "note", "classes", "aliases"].contains(key) {
            throw .dataset(path: path, detail: "unknown field '\(key)'")
        }
        guard dict["format"] as? String == "sightline-taxonomy/1" else {
            throw .dataset(path: path, detail: "format must be \"sightline-taxonomy/1\"")
        }
        guard let classes = dict["classes"] as? [String], !classes.isEmpty else {
            throw .dataset(path: path, detail: "'classes' must be a non-empty list of names")
        }
        guard Set(classes).count == classes.count else { throw .dataset(path: path, detail: "a class is listed twice") }
        guard let aliases = (dict["aliases"] ?? [String: String]()) as? [String: String] else {
            throw .dataset(path: path, detail: "'aliases' must map names to class names")
        }
        for (name, target) in aliases.sorted(by: { $0.key < $1.key }) where !classes.contains(target) {
            throw .dataset(path: path, detail: "alias '\(name)' maps to '\(target)', which is not a class")
        }
        return LabelTaxonomy(classes: classes, aliases: aliases)
    }
}
