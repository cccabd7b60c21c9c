public import Detection
internal import Foundation
internal import Reasoning
internal import SightlineCore

/// Why `sightline teach train` refused to start or did not finish. Each case names its input.
public enum TeachError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The folder has photos, but none labelled (none in its `images/`).
    case nothingLabelled(folder: String)
    /// A photo in `images/` has no label file.
    case unlabelledPhoto(photo: String, labels: String)
    /// Every label file is empty: nothing to learn from.
    case noBoxes(folder: String)
    /// The name cannot be a model folder's.
    case invalidName(String)
    /// `Models/NAME` exists and `--force` was not given (or it is the base itself).
    case nameTaken(name: String, path: String, force: Bool)
    /// The budget cannot hold loading, a useful training and the export.
    case tooLittleTime(minutes: Double, minimum: Double)
    /// The base model is not one teach can fine-tune.
    case unsupportedBase(model: String, detail: String)
    /// The training environment (scripts/train/setup) is not installed.
    case trainerMissing(path: String)
    /// The trainer stopped with an error; `detail` is its last words.
    case trainingFailed(status: Int32, detail: String)
    /// `--replay` is not training data in the layout scripts/train reads.
    case badReplay(path: String)
    /// The trainer wrote a model that does not load.
    case badExport(path: String, detail: String)

    public var description: String {
        switch self {
        case let .nothingLabelled(folder):
            return "\(folder): no labelled photos (none in \(folder)/images): label some with `sightline teach serve --photos \(folder)`"
        case let .unlabelledPhoto(photo, labels):
            return "\(photo): has no label file (\(labels)); label it with `sightline teach serve` or take it out of images/"
        case let .noBoxes(folder):
            return "\(folder): every label file is empty: there is no box to learn from"
        case let .invalidName(name):
            return "'\(name)' cannot be a model name: use 1-64 letters, digits, '-' and '_', starting with a letter or digit"
        case let .nameTaken(name, path, force):
            return force
                ? "'\(name)' is the base model itself (\(path)); teach it under another name"
                : "a model named '\(name)' exists (\(path)); choose another name or give --force to replace it"
        case let .tooLittleTime(minutes, minimum):
            return "--minutes \(String(format: "%g", minutes)) is too little time: loading, training and the export need at least \(String(format: "%g", minimum)) minutes"
        case let .unsupportedBase(model, detail):
            return "base model '\(model)': \(detail)"
        case let .trainerMissing(path):
            return "the training environment is not installed (\(path) is missing): run scripts/train/setup once; teach train installs nothing"
        case let .trainingFailed(status, detail):
            return "training failed (exit \(status)): \(detail)"
        case let .badReplay(path):
            return "\(path): not the base's training data (--replay needs classes.txt, train/images/ and train/labels/ there)"
        case let .badExport(path, detail):
            return "the trained model does not load (\(path)): \(detail)"
        }
    }
}

/// What `sightline teach train` is asked to do.
public struct TeachRequest: Sendable {
    /// The labelled folder `sightline teach serve` saved (`images/`, `labels/`, `classes.txt`).
    public var photos: String
    /// The model fine-tuned (a Darknet model of the models folder).
    public var base: String
    /// The new model's name: `Models/NAME/`.
    public var name: String
    /// The whole run's budget, from the checks to the model in place.
    public var minutes: Double
    /// Replace a model of that name.
    public var force = false
    /// The base's training data (train.py's layout), replayed so nothing known is forgotten.
    public var replay: String?
    /// A labelled folder of other photos of the fridge: before/after figures in the log.
    public var evaluate: String?
    public var threads = 2

    public init(photos: String, base: String, name: String, minutes: Double) {
        (self.photos, self.base, self.name, self.minutes) = (photos, base, name, minutes)
    }
}

/// The outcome of a teach run.
public struct TaughtModel: Sendable {
    /// `Models/NAME`.
    public var folder: String
    public var manifest: ModelManifest
    /// Labelled photos and boxes it learnt from.
    public var photos: Int
    public var boxes: Int
    /// Classes the base did not have, each with what the nutrition knowledge says of it.
    public var newClasses: [(name: String, knowledge: String)]
    /// The trainer's log lines (also in `Models/NAME/TRAINING.md`).
    public var log: [String]
    public var seconds: Double
}

/// `sightline teach train`: checks the request (the folder, the name, the base, the budget) before
/// any time is spent, runs `scripts/train/teach.py` in the training environment with a progress
/// callback, and moves the model it wrote into the models folder only when it is whole and loads.
/// Nothing is left under the models folder when it fails or is interrupted, other than a hidden
/// staging folder removed by the next run.
public enum TeachTraining {
    /// Loading and export take about a minute on a 2-core machine; less than this leaves no training.
    public static let minimumMinutes = 2.0
    /// Replayed when `--replay` is not given: the labelled slice of the base's training data that
    /// ships with Sightline (3 photos), so some of what the base knew is always rehearsed.
    public static let bundledReplay = "Samples/fridge"

    /// A checked request, ready to run.
    public struct Plan: Sendable {
        public var request: TeachRequest
        public var store: ModelStore
        public var python: String
        public var script: String
        public var photos: Int
        public var boxes: Int
        public var skipped: [String]
        var baseFolder: String
    }

    /// Every check that needs no training, each failure naming its input.
    public static func check(_ request: TeachRequest, store: ModelStore) throws -> Plan {
        let name = request.name
        guard name.count <= 64, let first = name.unicodeScalars.first, CharacterSet.alphanumerics.contains(first),
            name.unicodeScalars.allSatisfy({ CharacterSet.alphanumerics.contains($0) || $0 == "-" || $0 == "_" }), name.allSatisfy(\.isASCII)
        else { throw TeachError.invalidName(name) }
        let target = store.directory + "/" + name
        if name == request.base { throw TeachError.nameTaken(name: name, path: target, force: true) }
        if FileManager.default.fileExists(atPath: target) && !request.force {
            throw TeachError.nameTaken(name: name, path: target, force: false)
        }
        guard request.minutes.isFinite, request.minutes >= minimumMinutes else {
            throw TeachError.tooLittleTime(minutes: request.minutes, minimum: minimumMinutes)
        }
        let base = try store.manifest(request.base)
        guard base.files.config != nil, base.output.decoding == .darknetRegion else {
            throw TeachError.unsupportedBase(model: request.base, detail: "teach fine-tunes Darknet YOLO models (a config file and weights)")
        }
        let (photos, boxes, skipped) = try labelled(request.photos)
        if let other = request.evaluate { _ = try labelled(other) }
        let root = trainerRoot(store: store)
        var request = request
        let isData = { (dir: String) in
            ["/classes.txt", "/train/images", "/train/labels"].allSatisfy { FileManager.default.fileExists(atPath: dir + $0) }
        }
        if let replay = request.replay {
            guard isData(replay) else { throw TeachError.badReplay(path: replay) }
        } else if isData(root + "/" + bundledReplay) {
            request.replay = root + "/" + bundledReplay
        }
        let python = root + "/.venv-train/bin/python", script = root + "/scripts/train/teach.py"
        for path in [script, python] where !FileManager.default.fileExists(atPath: path) {
            throw TeachError.trainerMissing(path: path)
        }
        return Plan(
            request: request, store: store, python: python, script: script, photos: photos, boxes: boxes, skipped: skipped,
            baseFolder: store.directory + "/" + request.base)
    }

    /// The checkout holding `scripts/train/teach.py` and `.venv-train`: the models folder's parent,
    /// else the first found walking up from the working directory, then from the executable;
    /// else the models folder's parent (to name in the error).
    static func trainerRoot(store: ModelStore) -> String {
        let parent = (store.directory as NSString).deletingLastPathComponent
        let has = { (dir: String) in
            FileManager.default.fileExists(atPath: dir + "/scripts/train/teach.py") && FileManager.default.fileExists(atPath: dir + "/.venv-train")
        }
        if has(parent) { return parent }
        let starts = [FileManager.default.currentDirectoryPath, Bundle.main.executablePath.map { ($0 as NSString).deletingLastPathComponent }]
        for start in starts.compactMap({ $0 }) {
            var dir = URL(fileURLWithPath: start).standardizedFileURL.path
            for _ in 0..<8 {
                if has(dir) { return dir }
                let up = (dir as NSString).deletingLastPathComponent
                if up == dir { break }
                dir = up
            }
        }
        return parent
    }

    /// The labelled photos of `folder` (those in `images/`), their boxes, and the photos not
    /// labelled yet (outside `images/`, skipped). A photo in `images/` without a label file, a bad
    /// label line, an out-of-range class and a duplicate class name are refused by name.
    static func labelled(_ folder: String) throws -> (photos: Int, boxes: Int, skipped: [String]) {
        let images = folder + "/images"
        let photos = try PhotoFolder.photos(in: folder, imagesFolder: images)
        let inImages = photos.filter { FileManager.default.fileExists(atPath: images + "/" + $0.name) }
        guard !inImages.isEmpty else { throw TeachError.nothingLabelled(folder: folder) }
        for photo in inImages where !FileManager.default.fileExists(atPath: folder + "/labels/" + photo.baseName + ".txt") {
            throw TeachError.unlabelledPhoto(photo: images + "/" + photo.name, labels: folder + "/labels/" + photo.baseName + ".txt")
        }
        let decisions = try LabelledFolder(path: folder, photos: photos).saved
        let boxes = decisions.values.reduce(0) { n, d in
            if case let .boxes(b) = d { return n + b.count }
            return n
        }
        guard boxes > 0 else { throw TeachError.noBoxes(folder: folder) }
        return (inImages.count, boxes, photos.filter { decisions[$0.name] == nil }.map(\.name))
    }

    /// Runs the trainer and puts the model in place. `progress` gets the share of the budget spent
    /// (0-1); `line` each line of the trainer's log as it comes. `started`: when the run began
    /// (Unix seconds), from which the budget counts.
    public static func run(
        _ plan: Plan, started: Double, progress: @escaping (Double) -> Void, line: @escaping (String) -> Void
    ) throws -> TaughtModel {
        let r = plan.request
        let store = plan.store.directory
        let target = store + "/" + r.name
        removeStaleStaging(in: store, name: r.name)
        let staging = store + "/.\(r.name).teaching-\(getpid())"
        try? FileManager.default.removeItem(atPath: staging)
        var arguments = [
            plan.script, "--photos", r.photos, "--base", plan.baseFolder, "--name", r.name, "--out", staging, "--minutes", "\(r.minutes)",
            "--started", "\(started)", "--threads", "\(r.threads)",
        ]
        if let replay = r.replay { arguments += ["--replay", replay] }
        if let evaluate = r.evaluate { arguments += ["--evaluate", evaluate] }
        let trainer = Trainer(python: plan.python, arguments: arguments)
        let guardian = StagingGuard(path: staging, trainer: trainer)
        defer { guardian.disarm() }
        var log: [String] = [], tail: [String] = [], newClasses: [String] = []
        let status: Int32
        do {
            status = try trainer.run { text in
                if text.hasPrefix("progress "), let value = Double(text.dropFirst(9)) { return progress(value) }
                if text.hasPrefix("class "), text.hasSuffix(" new") { return newClasses.append(String(text.dropFirst(6).dropLast(4))) }
                if text.hasPrefix("teach: ") && !text.hasPrefix("teach: step ") { log.append(String(text.dropFirst(7))) }
                tail = Array((tail + [text]).suffix(12))
                line(text)
            }
        } catch {
            try? FileManager.default.removeItem(atPath: staging)
            throw error
        }
        guard status == 0 else {
            try? FileManager.default.removeItem(atPath: staging)
            let said = tail.last(where: { $0.hasPrefix("teach: ") }) ?? tail.last ?? "no output"
            throw TeachError.trainingFailed(status: status, detail: tail.contains { $0.contains("Traceback") } ? tail.joined(separator: "\n") : said)
        }
        let manifest: ModelManifest
        do {
            manifest = try ModelManifest.load(path: staging + "/manifest.json")
            _ = try manifest.labels(in: staging)
        } catch {
            try? FileManager.default.removeItem(atPath: staging)
            throw TeachError.badExport(path: staging, detail: "\(error)")
        }
        try place(staging, at: target)
        let knowledge = try? NutritionKnowledge.load(path: store + "/nutrition.json")
        let described = newClasses.map { c in
            (c, knowledge?.food(forLabel: c).map { "in the nutrition knowledge as \($0.name): its nutrients count" }
                ?? "not in the nutrition knowledge: the chain takes it as an unknown food (no nutrients)")
        }
        return TaughtModel(
            folder: target, manifest: manifest, photos: plan.photos, boxes: plan.boxes, newClasses: described, log: log,
            seconds: Date().timeIntervalSince1970 - started)
    }

    /// Renames the finished folder into place; an older model of that name (--force) is moved
    /// aside first and removed once the new one is in.
    static func place(_ staging: String, at target: String) throws {
        let aside = staging + ".replaced"
        let replacing = FileManager.default.fileExists(atPath: target)
        if replacing, rename(target, aside) != 0 {
            let error = FileError(path: target, operation: "move aside", errno: errno)
            try? FileManager.default.removeItem(atPath: staging)
            throw error
        }
        guard rename(staging, target) == 0 else {
            let error = FileError(path: target, operation: "rename into place", errno: errno)
            if replacing { rename(aside, target) }
            try? FileManager.default.removeItem(atPath: staging)
            throw error
        }
        if replacing { try? FileManager.default.removeItem(atPath: aside) }
    }

    /// Staging folders of this name left by a run that was killed (its process is gone).
    static func removeStaleStaging(in store: String, name: String) {
        let prefix = ".\(name).teaching-"
        for entry in (try? FileManager.default.contentsOfDirectory(atPath: store)) ?? [] where entry.hasPrefix(prefix) {
            let pid = Int32(entry.dropFirst(prefix.count).prefix { $0.isNumber }) ?? 0
            if pid > 0 && pid != getpid() && kill(pid, 0) == 0 { continue }
            try? FileManager.default.removeItem(atPath: store + "/" + entry)
        }
    }
}

/// The trainer process: its output (stdout and stderr together) read line by line.
final class Trainer: @unchecked Sendable {
    let process = Process()

    init(python: String, arguments: [String]) {
        process.executableURL = URL(fileURLWithPath: python)
        process.arguments = ["-u"] + arguments
    }

    func run(_ each: (String) -> Void) throws -> Int32 {
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let reader = pipe.fileHandleForReading
        var pending = Data()
        while true {
            let chunk = reader.availableData
            if chunk.isEmpty { break }
            pending.append(chunk)
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                each(String(decoding: pending[pending.startIndex..<newline], as: UTF8.self))
                pending.removeSubrange(pending.startIndex...newline)
            }
        }
        if !pending.isEmpty { each(String(decoding: pending, as: UTF8.self)) }
        process.waitUntilExit()
        return process.terminationReason == .uncaughtSignal ? 128 + process.terminationStatus : process.terminationStatus
    }
}

/// On SIGINT or SIGTERM while training: stops the trainer, removes the staging folder, exits 130.
final class StagingGuard: @unchecked Sendable {
    private var sources: [any DispatchSourceSignal] = []

    init(path: String, trainer: Trainer) {
        for signo in [SIGINT, SIGTERM] {
            signal(signo, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: signo, queue: .global())
            source.setEventHandler {
                if trainer.process.isRunning { trainer.process.terminate() }
                trainer.process.waitUntilExit()
                try? FileManager.default.removeItem(atPath: path)
                FileHandle.standardError.write(Data("\nteach: interrupted; nothing was written under Models/\n".utf8))
                exit(130)
            }
            source.resume()
            sources.append(source)
        }
    }

    func disarm() {
        for s in sources { s.cancel() }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
    }
}

extension TeachTraining {
    /// A progress bar line: `[#########.........]  42%  3:10 of 10:00`.
    public static func bar(_ fraction: Double, elapsed: Double, minutes: Double, width: Int = 30) -> String {
        let f = min(max(fraction.isFinite ? fraction : 0, 0), 1)
        let filled = Int((f * Double(width)).rounded(.down))
        let clock = { (s: Double) in String(format: "%d:%02d", Int(s) / 60, Int(s) % 60) }
        return "[" + String(repeating: "#", count: filled) + String(repeating: ".", count: width - filled) + "] "
            + String(format: "%3d%%", Int(f * 100)) + "  " + clock(elapsed) + " of " + clock(minutes * 60)
    }

    /// The closing report: where the model is, what it learnt, the log's figures.
    public static func report(_ model: TaughtModel) -> String {
        var lines = [
            "taught \(model.manifest.name) in \(String(format: "%.1f", model.seconds / 60)) min from \(model.photos) photos, \(model.boxes) boxes: \(model.folder)"
        ]
        lines += model.log.filter { $0.hasPrefix("before") || $0.hasPrefix("after") || $0.hasPrefix("classes") }
        lines += model.newClasses.map { "new class \($0.name): \($0.knowledge)" }
        lines.append("use it: sightline detect --model \(model.manifest.name) PHOTO; log: \(model.folder)/TRAINING.md")
        return lines.joined(separator: "\n")
    }
}
