import ArgumentParser
import Detection
import Foundation
import Teach

struct TeachCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "teach", abstract: "Teach Sightline the wearer's own fridge from a few labelled frames.",
        subcommands: [TeachServeCommand.self])
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
