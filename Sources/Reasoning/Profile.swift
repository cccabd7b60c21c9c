public import Foundation

/// A dietary restriction the wearer declared.
public enum DietaryRestriction: String, Sendable, Codable, CaseIterable, Comparable {
    case vegetarian, vegan
    case lactoseFree = "lactose-free"
    /// Allergies: no food tagged dairy, egg or fish.
    case dairyAllergy = "dairy-allergy"
    case eggAllergy = "egg-allergy"
    case fishAllergy = "fish-allergy"

    public static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }

    /// A diet the wearer chose (vegan, vegetarian), rather than an allergy or intolerance.
    public var isDiet: Bool { self == .vegan || self == .vegetarian }

    /// Whether a food with `tags` may be eaten or proposed under this restriction.
    public func permits(_ tags: Set<DietaryTag>) -> Bool {
        switch self {
        case .vegan: return tags.contains(.vegan)
        case .vegetarian: return tags.contains(.vegetarian) || tags.contains(.vegan)
        case .lactoseFree: return !tags.contains(.lactose)
        case .dairyAllergy: return !tags.contains(.dairy)
        case .eggAllergy: return !tags.contains(.egg)
        case .fishAllergy: return !tags.contains(.fish)
        }
    }

    /// How a trace says the wearer has it: "is vegan", "has a dairy allergy".
    public var wearerPhrase: String {
        switch self {
        case .vegetarian, .vegan, .lactoseFree: return "is \(rawValue)"
        case .dairyAllergy: return "has a dairy allergy"
        case .eggAllergy: return "has an egg allergy"
        case .fishAllergy: return "has a fish allergy"
        }
    }

    /// The rule in words, for traces.
    public var ruleText: String {
        switch self {
        case .vegan: return "vegan: only foods tagged vegan"
        case .vegetarian: return "vegetarian: only foods tagged vegetarian or vegan"
        case .lactoseFree: return "lactose-free: no food tagged lactose"
        case .dairyAllergy: return "dairy allergy: no food tagged dairy"
        case .eggAllergy: return "egg allergy: no food tagged egg"
        case .fishAllergy: return "fish allergy: no food tagged fish"
        }
    }
}

/// The wearer's goals and today's intake.
///
/// The protein target is either `dailyProteinTargetGrams`, or `proteinGramsPerKg` × body mass
/// (`bodyMassKg`, or the latest body mass of an imported Apple Health export). Intake today is the
/// Apple Health export's DietaryProtein records for the run's day when an export is attached,
/// else `proteinEatenTodayGrams`.
public struct Profile: Sendable, Equatable {
    public var name: String
    /// The profile file, named in evidence.
    public var source: String
    public var dailyProteinTargetGrams: Double?
    public var proteinGramsPerKg: Double?
    public var bodyMassKg: Double?
    public var proteinEatenTodayGrams: Double?
    public var restrictions: Set<DietaryRestriction>
    /// Foods the wearer is allergic to, by the knowledge base's tags (`egg`, `fish`, `dairy` …), in
    /// the order written: a food carrying one conflicts with the profile.
    public var allergens: [DietaryTag]
    /// What the wearer does not tolerate (`lactose`), as tags, in the order written.
    public var intolerances: [DietaryTag]
    /// The wearer's time zone (IANA name, `Europe/Paris`): their days begin at their midnight.
    /// Nil: the machine's.
    public var timeZone: String?
    /// An imported wearable export, if any.
    public var health: AppleHealthSummary?

    /// Makes a profile and validates it (see ``validate()``).
    public init(
        name: String, source: String = "", dailyProteinTargetGrams: Double? = nil, proteinGramsPerKg: Double? = nil,
        bodyMassKg: Double? = nil, proteinEatenTodayGrams: Double? = nil, restrictions: Set<DietaryRestriction> = [],
        allergens: [DietaryTag] = [], intolerances: [DietaryTag] = [], timeZone: String? = nil, health: AppleHealthSummary? = nil
    ) throws(ReasoningError) {
        self.name = name
        self.source = source
        self.dailyProteinTargetGrams = dailyProteinTargetGrams
        self.proteinGramsPerKg = proteinGramsPerKg
        self.bodyMassKg = bodyMassKg
        self.proteinEatenTodayGrams = proteinEatenTodayGrams
        self.restrictions = restrictions
        self.allergens = allergens
        self.intolerances = intolerances
        self.timeZone = timeZone
        self.health = health
        try validate()
    }

    /// Checks every field; an error names the field.
    public func validate() throws(ReasoningError) {
        func bad(_ field: String, _ message: String) -> ReasoningError {
            ReasoningError(.profile, file: source, field: field, message: message)
        }
        func check(_ v: Double?, _ field: String, _ range: ClosedRange<Double>, _ what: String) throws(ReasoningError) {
            guard let v else { return }
            guard v.isFinite, v >= 0 else { throw bad(field, "must not be negative (found \(canonicalNumber(v))); \(what)") }
            guard range.contains(v) else {
                throw bad(
                    field,
                    "must be between \(canonicalNumber(range.lowerBound)) and \(canonicalNumber(range.upperBound)), found \(canonicalNumber(v)); \(what)"
                )
            }
        }
        try check(dailyProteinTargetGrams, "dailyProteinTargetGrams", 1...500, "grams of protein a day")
        try check(proteinGramsPerKg, "proteinGramsPerKg", 0.1...5, "grams of protein per kg of body mass a day")
        try check(bodyMassKg, "bodyMassKg", 2...500, "kilograms")
        try check(proteinEatenTodayGrams, "proteinEatenTodayGrams", 0...1000, "grams of protein eaten today")
        if dailyProteinTargetGrams != nil, proteinGramsPerKg != nil {
            throw bad("proteinGramsPerKg", "give either dailyProteinTargetGrams or proteinGramsPerKg, not both")
        }
        if dailyProteinTargetGrams == nil, proteinGramsPerKg == nil {
            throw bad("dailyProteinTargetGrams", "is missing: give dailyProteinTargetGrams, or proteinGramsPerKg with a body mass")
        }
        for (field, tags) in [("allergens", allergens), ("intolerances", intolerances)] {
            for (k, t) in tags.enumerated() where !Self.conflictTags.contains(t) {
                throw bad("\(field)[\(k)]", "\"\(t.rawValue)\" is a diet, not something to avoid (known: \(Self.conflictTagNames))")
            }
        }
        if let timeZone, TimeZone(identifier: timeZone) == nil {
            throw bad("timeZone", "unknown time zone \"\(timeZone)\"; give an IANA name such as Europe/Paris or America/New_York")
        }
        if proteinGramsPerKg != nil, bodyMassKg == nil, health?.latestBodyMass == nil {
            throw bad("bodyMassKg", "is missing: proteinGramsPerKg needs bodyMassKg or an Apple Health export with a BodyMass record")
        }
    }

    /// Reads a profile (format `sightline-profile/1`, see docs/reasoning.md). `file` names it in
    /// errors; `health` is an already imported export, if the caller has one.
    public static func decode(_ bytes: [UInt8], file: String, health: AppleHealthSummary? = nil) throws(ReasoningError) -> (
        profile: Profile, appleHealthExport: String?
    ) {
        try readDocument(bytes, file: file, format: "sightline-profile/1", kind: .profile) {
            r -> (profile: Profile, appleHealthExport: String?) in
            let name = try r.string("name")
            let target = try r.optionalDouble("dailyProteinTargetGrams")
            let perKg = try r.optionalDouble("proteinGramsPerKg")
            let mass = try r.optionalDouble("bodyMassKg")
            let eaten = try r.optionalDouble("proteinEatenTodayGrams")
            let export = try r.optionalString("appleHealthExport")
            _ = try r.optionalString("note")
            let timeZone = try r.optionalString("timeZone")
            var lists: [[DietaryTag]] = []
            for field in ["allergens", "intolerances"] {
                lists.append(
                    try r.strings(field, default: []).enumerated().map { (k, s) throws(FieldError) -> DietaryTag in
                        guard let t = DietaryTag(rawValue: s), Self.conflictTags.contains(t) else {
                            throw FieldError(
                                path: "\(field)[\(k)]", message: "unknown \(field.dropLast()) \"\(s)\" (known: \(Self.conflictTagNames))")
                        }
                        return t
                    })
            }
            var restrictions = Set<DietaryRestriction>()
            for (k, s) in try r.strings("restrictions", default: []).enumerated() {
                guard let v = DietaryRestriction(rawValue: s) else {
                    throw FieldError(
                        path: "restrictions[\(k)]",
                        message:
                            "unknown restriction \"\(s)\" (known: \(DietaryRestriction.allCases.map(\.rawValue).joined(separator: ", ")))")
                }
                restrictions.insert(v)
            }
            try r.finish()
            let p = try Profile(
                name: name, source: file, dailyProteinTargetGrams: target, proteinGramsPerKg: perKg, bodyMassKg: mass,
                proteinEatenTodayGrams: eaten, restrictions: restrictions, allergens: lists[0], intolerances: lists[1],
                timeZone: timeZone, health: health)
            return (p, export)
        }
    }

    /// Reads a profile file; when it names an `appleHealthExport` (a path relative to the
    /// profile's folder), imports that export too. `name` is how messages and evidence name the
    /// profile (default: `path`); the export is named relative to it the same way.
    public static func load(path: String, name: String? = nil) throws(ReasoningError) -> Profile {
        let bytes = try readFile(path)
        let display = name ?? path
        var health: AppleHealthSummary?
        if case .object(let m)? = try? JSONValue.parse(bytes), case .string(let export)? = m["appleHealthExport"] {
            health = try AppleHealthImporter.importExport(path: sibling(path, export), name: sibling(display, export))
        }
        return try decode(bytes, file: display, health: health).profile
    }

    /// The tags a wearer can be allergic or intolerant to: every tag but the diets.
    public static let conflictTags = DietaryTag.allCases.filter { $0 != .vegan && $0 != .vegetarian }
    static var conflictTagNames: String { conflictTags.map(\.rawValue).joined(separator: ", ") }

    /// The first allergen or intolerance of the profile that a food with `tags` carries: the
    /// field path (`allergens[0]`), the tag and how the wearer has it ("is allergic to egg").
    public func avoided(_ tags: Set<DietaryTag>) -> (field: String, tag: DietaryTag, phrase: String)? {
        if let k = allergens.firstIndex(where: tags.contains) {
            return ("allergens[\(k)]", allergens[k], "is allergic to \(allergens[k].rawValue)")
        }
        if let k = intolerances.firstIndex(where: tags.contains) {
            return ("intolerances[\(k)]", intolerances[k], "does not tolerate \(intolerances[k].rawValue)")
        }
        return nil
    }

    /// How evidence names the profile: its file, or "profile".
    var sourceName: String { source.isEmpty ? "profile" : source }

    /// The wearer's time zone (the machine's when the profile names none).
    public var zone: TimeZone { timeZone.flatMap(TimeZone.init(identifier:)) ?? .current }

    /// `relative` resolved against the folder of `file`, without touching the disk.
    static func sibling(_ file: String, _ relative: String) -> String {
        if relative.hasPrefix("/") { return relative }
        guard let slash = file.lastIndex(of: "/") else { return relative }
        return String(file[...slash]) + relative
    }
}
