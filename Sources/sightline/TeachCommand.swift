import ArgumentParser
import Detection
import Foundation
import Teach

struct TeachCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "teach", abstract: "Teach Sightline the wearer's own fridge from a few labelled frames.",
        subcommands: [TeachServeCommand.self, TeachTrainCommand.self])
}

struct TeachServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Label recorded frames in the browser, starting from the model's boxes; save a YOLO folder.",
        discussion: """
            Serves a web page showing each JPEG of the photos folder with the model's detections as proposals, to move, resize, \
            relabel or delete, and new boxes to draw (mouse or finger); new classes can be added. A photo is saved without boxes \
            only when you say "nothing here". Saving makes the folder one `sightline eval` reads (images/, labels/, classes.txt), \
            each file written whole or not at all. See docs/teach.md.
            """)

    @OptionGroup var global: GlobalOptions
    @Option(help: "Folder of recorded frames (JPEGs, as `sightline record` writes them); labels are saved into it.") var photos: String
    @Option(help: "The port to listen on (0: a free one).") var port = 8080
    @Option(help: "Address to listen on; another than 127.0.0.1 lets other devices (a phone) in, unguarded.") var host = "127.0.0.1"
    @Option(help: "Model whose boxes are proposed, or 'none'; taxonomy: grocery-taxonomy.json beside it.") var model = "grocery-yolov3-tiny"
    @OptionGroup var modelsFolder: ModelsFolderOption

    func run() async throws {
        let (logger, proposals) = (global.bootstrapLogging(), model == "none" ? nil : model)
        do {
            try await TeachServer.serve(photos: photos, model: proposals, store: modelsFolder.store, host: host, port: port, logger: logger)
        } catch let error as DetectionError { throw fail(error, 2) } catch { throw fail(error) }
    }
}

struct TeachTrainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "train", abstract: "Fine-tune a model on the folder `teach serve` saved; writes Models/NAME/.",
        discussion: "Runs scripts/train/teach.py in .venv-train (scripts/train/setup installs it) within --minutes. See docs/teach.md.")

    @Option(help: "The labelled folder (images/, labels/, classes.txt) `sightline teach serve` saved.") var photos: String
    @Option(help: "The model to fine-tune.") var base = "grocery-yolov3-tiny"
    @Option(help: "The new model's name (Models/NAME/).") var name: String
    @Option(help: "Time budget for the whole run, in minutes.") var minutes = 10.0
    @Flag(help: "Replace a model of that name.") var force = false
    @Option(help: "The base's training data, replayed so nothing it knew is forgotten (train.py's layout; default: the slice in Samples/fridge).") var replay: String?
    @Option(help: "A labelled folder of other photos: before/after figures in the log.") var evaluate: String?
    @OptionGroup var modelsFolder: ModelsFolderOption

    func run() throws {
        var request = TeachRequest(photos: photos, base: base, name: name, minutes: minutes)
        (request.force, request.replay, request.evaluate) = (force, replay, evaluate)
        let started = Date().timeIntervalSince1970, tty = isatty(2) == 1
        do {
            let plan = try TeachTraining.check(request, store: modelsFolder.store)
            if !plan.skipped.isEmpty { warn("teach: \(plan.skipped.count) photos not labelled yet are left out") }
            var shown = -1
            let model = try TeachTraining.run(plan, started: started, progress: { f in
                let percent = Int(f * 100)
                guard tty || percent / 10 != shown / 10, percent != shown else { return }
                shown = percent
                let bar = TeachTraining.bar(f, elapsed: Date().timeIntervalSince1970 - started, minutes: minutes)
                FileHandle.standardError.write(Data((tty ? "\r" + bar : bar + "\n").utf8))
            }, line: { if !$0.hasPrefix("teach: step") { warn((tty ? "\r\u{1B}[K" : "") + $0) } })
            print(TeachTraining.report(model))
        } catch let error as TeachError {
            if case .trainingFailed = error { throw fail(error) }
            throw fail(error, 2)
        } catch let error as DetectionError { throw fail(error, 2) } catch { throw fail(error) }
    }
}
