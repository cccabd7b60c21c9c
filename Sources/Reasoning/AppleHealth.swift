import Foundation

#if canImport(FoundationXML)
    import FoundationXML
#endif

/// What Sightline takes from an Apple Health export: protein eaten per day and the latest body mass.
public struct AppleHealthSummary: Sendable, Equatable {
    public struct BodyMass: Sendable, Equatable {
        public var kilograms: Double
        /// The record's value and unit as written ("154.3 lb").
        public var original: String
        /// The record's startDate as written.
        public var date: String
        public var line: Int
    }

    public struct Day: Sendable, Equatable {
        public var proteinGrams: Double
        /// DietaryProtein records of the day.
        public var records: Int
        /// DietaryEnergyConsumed of the day, in kcal (0 when none).
        public var energyKcal: Double = 0
        public var energyRecords: Int = 0
    }

    /// The export file, named in evidence.
    public var file: String
    /// DietaryProtein (and DietaryEnergyConsumed) totals by the record's local date (the date part
    /// of startDate as Apple wrote it). A day with energy records only has `records` 0.
    public var protein: [LocalDate: Day]
    public var latestBodyMass: BodyMass?
    /// Records of all types read (for the trace).
    public var recordCount: Int
}

/// Imports Apple Health's `export.xml` (Health app → profile → Export All Health Data).
///
/// The file is parsed as a stream with Foundation's `XMLParser` over an `InputStream` (exports run
/// to hundreds of megabytes; nothing is held but the running sums). Sums
/// `HKQuantityTypeIdentifierDietaryProtein` records (unit g) per day, and keeps the latest
/// `HKQuantityTypeIdentifierBodyMass` (kg, lb or g, converted to kg). A file that is not XML,
/// is truncated, or whose root element is not `HealthData` is refused with the file and line.
public enum AppleHealthImporter {
    public static let proteinType = "HKQuantityTypeIdentifierDietaryProtein"
    public static let bodyMassType = "HKQuantityTypeIdentifierBodyMass"
    public static let energyType = "HKQuantityTypeIdentifierDietaryEnergyConsumed"

    /// Imports the export at `path`; `name` is how messages and evidence name it (default: `path`).
    public static func importExport(path: String, name: String? = nil) throws(ReasoningError) -> AppleHealthSummary {
        let file = name ?? path
        guard FileManager.default.fileExists(atPath: path) else { throw ReasoningError(.io, file: file, message: "no such file") }
        guard let inner = InputStream(fileAtPath: path) else { throw ReasoningError(.io, file: file, message: "cannot open the file") }
        // Apple's exports start with an internal DTD whose #IMPLIED attribute declarations crash
        // swift-corelibs-foundation's XMLParser (a NULL default value reaches strlen); the DTD
        // carries nothing Sightline needs, so it is stripped on the way in, newlines kept so that
        // line numbers stay true.
        let parser = XMLParser(stream: DoctypeStrippingStream(inner))
        let delegate = HealthDelegate(file: file)
        parser.delegate = delegate
        parser.shouldResolveExternalEntities = false
        let ok = parser.parse()
        if let failure = delegate.failure { throw failure }
        guard ok else {
            let line = parser.lineNumber > 0 ? parser.lineNumber : nil
            let reason = (parser.parserError as NSError?).map { describe($0) } ?? "malformed XML"
            throw ReasoningError(.health, file: file, line: line, message: "not a well-formed XML file (\(reason)); is it truncated?")
        }
        guard delegate.sawRoot else {
            throw ReasoningError(.health, file: file, line: 1, message: "empty file: not an Apple Health export")
        }
        guard delegate.closedRoot else {
            throw ReasoningError(
                .health, file: file, line: parser.lineNumber, message: "the file ends before </HealthData>: truncated export")
        }
        return AppleHealthSummary(
            file: file, protein: delegate.protein, latestBodyMass: delegate.bodyMass?.mass, recordCount: delegate.records)
    }

    static func describe(_ e: NSError) -> String {
        if let s = e.userInfo[NSLocalizedDescriptionKey] as? String, !s.isEmpty { return s }
        return "XML parser error \(e.code)"
    }

    /// Parses Apple's date format "2026-11-22 08:05:00 +0100" into the local date and the instant
    /// (seconds since 1970 UTC).
    static func parseDate(_ s: String) -> (date: LocalDate, instant: Int)? {
        let parts = s.split(separator: " ")
        guard parts.count == 3, let day = LocalDate(parts[0]) else { return nil }
        let hms = parts[1].split(separator: ":")
        guard hms.count == 3, let h = Int(hms[0]), let m = Int(hms[1]), let sec = Int(hms[2]),
            (0..<24).contains(h), (0..<60).contains(m), (0..<61).contains(sec)
        else { return nil }
        let tz = parts[2]
        guard tz.count == 5, let sign = tz.first, sign == "+" || sign == "-",
            let tzh = Int(tz.dropFirst().prefix(2)), let tzm = Int(tz.suffix(2))
        else { return nil }
        let offset = (tzh * 3600 + tzm * 60) * (sign == "-" ? -1 : 1)
        return (day, day.daysSinceEpoch * 86_400 + h * 3600 + m * 60 + sec - offset)
    }
}

private final class HealthDelegate: NSObject, XMLParserDelegate {
    let file: String
    var sawRoot = false
    var closedRoot = false
    var depth = 0
    var records = 0
    var protein: [LocalDate: AppleHealthSummary.Day] = [:]
    var bodyMass: (mass: AppleHealthSummary.BodyMass, instant: Int)?
    var failure: ReasoningError?

    init(file: String) { self.file = file }

    func stop(_ parser: XMLParser, _ message: String) {
        if failure == nil { failure = ReasoningError(.health, file: file, line: parser.lineNumber, message: message) }
        parser.abortParsing()
    }

    func parser(
        _ parser: XMLParser, didStartElement name: String, namespaceURI: String?, qualifiedName: String?, attributes: [String: String] = [:]
    ) {
        depth += 1
        if depth == 1 {
            sawRoot = true
            guard name == "HealthData" else {
                stop(parser, "root element is <\(name)>, not <HealthData>: not an Apple Health export")
                return
            }
            return
        }
        guard depth == 2, name == "Record" else { return }
        records += 1
        guard let type = attributes["type"] else { return }
        guard [AppleHealthImporter.proteinType, AppleHealthImporter.bodyMassType, AppleHealthImporter.energyType].contains(type) else {
            return
        }
        guard let start = attributes["startDate"], let when = AppleHealthImporter.parseDate(start) else {
            stop(
                parser,
                "\(type) record has a missing or malformed startDate (\(attributes["startDate"] ?? "none")); expected \"YYYY-MM-DD hh:mm:ss +hhmm\""
            )
            return
        }
        guard let text = attributes["value"], let value = Double(text), value.isFinite, value >= 0 else {
            stop(parser, "\(type) record has a missing or invalid value (\(attributes["value"] ?? "none"))")
            return
        }
        let unit = attributes["unit"] ?? ""
        if type == AppleHealthImporter.proteinType {
            guard unit == "g" else { stop(parser, "DietaryProtein record in unit \"\(unit)\"; expected \"g\""); return }
            var day = protein[when.date] ?? .init(proteinGrams: 0, records: 0)
            day.proteinGrams += value
            day.records += 1
            protein[when.date] = day
        } else if type == AppleHealthImporter.energyType {
            let kcal: Double
            switch unit {
            case "kcal", "Cal": kcal = value
            case "kJ": kcal = value / 4.184
            default: stop(parser, "DietaryEnergyConsumed record in unit \"\(unit)\"; expected kcal, Cal or kJ"); return
            }
            var day = protein[when.date] ?? .init(proteinGrams: 0, records: 0)
            day.energyKcal += kcal
            day.energyRecords += 1
            protein[when.date] = day
        } else {
            let kg: Double
            switch unit {
            case "kg": kg = value
            case "lb": kg = value * 0.453_592_37
            case "g": kg = value / 1000
            default: stop(parser, "BodyMass record in unit \"\(unit)\"; expected kg, lb or g"); return
            }
            let mass = AppleHealthSummary.BodyMass(kilograms: kg, original: "\(text) \(unit)", date: start, line: parser.lineNumber)
            // Latest by instant; on a tie the later record in the file wins.
            if bodyMass == nil || when.instant >= bodyMass!.instant { bodyMass = (mass, when.instant) }
        }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if depth == 1 { closedRoot = true }
        depth -= 1
    }
}

/// An input stream that passes a file through, minus its `<!DOCTYPE …>` declaration (internal
/// subset included). Newlines inside the declaration are kept, so line numbers do not move.
/// Only the head of the file (up to the end of the declaration, or the first element when there is
/// none) is buffered; the rest streams through in the reader's chunks.
final class DoctypeStrippingStream: InputStream {
    private let inner: InputStream
    private var head: [UInt8] = []
    private var headOffset = 0
    private var headReady = false
    private var innerDone = false
    private static let headLimit = 16 << 20

    init(_ inner: InputStream) {
        self.inner = inner
        super.init(data: Data())
    }

    override func open() { inner.open() }
    override func close() { inner.close() }
    override var hasBytesAvailable: Bool { !headReady || headOffset < head.count || inner.hasBytesAvailable }
    override var streamError: (any Error)? { inner.streamError }
    override var streamStatus: Stream.Status { inner.streamStatus }

    override func read(_ buffer: UnsafeMutablePointer<UInt8>, maxLength len: Int) -> Int {
        if !headReady {
            if let failure = fillHead() { return failure }
            headReady = true
        }
        if headOffset < head.count {
            let n = min(len, head.count - headOffset)
            head.withUnsafeBufferPointer { src in buffer.update(from: src.baseAddress! + headOffset, count: n) }
            headOffset += n
            if headOffset == head.count { head = []; headOffset = 0 }
            return n
        }
        if innerDone { return 0 }
        return inner.read(buffer, maxLength: len)
    }

    /// Reads until the head is complete, strips the declaration; returns a negative count on error.
    private func fillHead() -> Int? {
        var chunk = [UInt8](repeating: 0, count: 64 << 10)
        while true {
            if let end = Self.headEnd(head) {
                head = Self.strip(head, upTo: end)
                return nil
            }
            guard head.count < Self.headLimit else { return nil }
            let n = chunk.withUnsafeMutableBufferPointer { inner.read($0.baseAddress!, maxLength: $0.count) }
            if n < 0 { return n }
            if n == 0 {
                innerDone = true
                head = Self.strip(head, upTo: head.count)
                return nil
            }
            head += chunk[0..<n]
        }
    }

    /// Where the head ends: after the DOCTYPE declaration, or at the first element when the
    /// document has no declaration; nil when more bytes are needed.
    static func headEnd(_ b: [UInt8]) -> Int? {
        var i = 0
        while i < b.count {
            guard b[i] == UInt8(ascii: "<") else { i += 1; continue }
            guard i + 1 < b.count else { return nil }
            let next = b[i + 1]
            if next == UInt8(ascii: "?") {  // processing instruction
                guard let close = find(b, [UInt8(ascii: "?"), UInt8(ascii: ">")], from: i + 2) else { return nil }
                i = close + 2
            } else if next == UInt8(ascii: "!") {
                if starts(b, "<!--", at: i) {
                    guard let close = find(b, Array("-->".utf8), from: i + 4) else { return nil }
                    i = close + 3
                } else if starts(b, "<!DOCTYPE", at: i) {
                    return declarationEnd(b, from: i)
                } else {
                    return i
                }
            } else {
                return i  // the root element: no declaration
            }
        }
        return nil
    }

    /// The index just past the `>` closing the declaration starting at `start`, or nil.
    static func declarationEnd(_ b: [UInt8], from start: Int) -> Int? {
        var i = start + 9, depth = 0
        var quote: UInt8?
        while i < b.count {
            let c = b[i]
            if let q = quote {
                if c == q { quote = nil }
            } else if c == UInt8(ascii: "\"") || c == UInt8(ascii: "'") {
                quote = c
            } else if starts(b, "<!--", at: i) {
                guard let close = find(b, Array("-->".utf8), from: i + 4) else { return nil }
                i = close + 3
                continue
            } else if c == UInt8(ascii: "[") {
                depth += 1
            } else if c == UInt8(ascii: "]") {
                depth -= 1
            } else if c == UInt8(ascii: ">"), depth <= 0 {
                return i + 1
            }
            i += 1
        }
        return nil
    }

    /// `b` with the DOCTYPE declaration before `end` replaced by its newlines.
    static func strip(_ b: [UInt8], upTo end: Int) -> [UInt8] {
        guard let start = find(b, Array("<!DOCTYPE".utf8), from: 0), start < end else { return b }
        return Array(b[..<start]) + b[start..<end].filter { $0 == 0x0A } + b[end...]
    }

    static func starts(_ b: [UInt8], _ s: String, at i: Int) -> Bool {
        let p = Array(s.utf8)
        return i + p.count <= b.count && b[i..<i + p.count].elementsEqual(p)
    }

    static func find(_ b: [UInt8], _ p: [UInt8], from: Int) -> Int? {
        guard p.count > 0, b.count >= p.count, from <= b.count - p.count else { return nil }
        var i = from
        while i <= b.count - p.count {
            if b[i] == p[0], b[i..<i + p.count].elementsEqual(p) { return i }
            i += 1
        }
        return nil
    }
}
