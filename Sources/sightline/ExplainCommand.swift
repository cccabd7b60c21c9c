import ArgumentParser
import Foundation
import Pipeline
import SightlineCore

struct ExplainCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "explain",
        abstract: "Print the chain of thought for one image: every step, its facts and evidence.")

    @OptionGroup var global: GlobalOptions
    @OptionGroup var scene: SceneOptions

    @Argument(help: "A JPEG image.")
    var image: String

    @Flag(help: "Print the trace as JSON instead of text.")
    var json = false

    func run() throws {
        _ = global.bootstrapLogging()
        let assembled: Scene
        do {
            // explain only looks: its default is no sink at all, unless some are named.
            assembled = try scene.makeScene(defaultSinks: [])
        } catch { throw fail(error, 2) }
        do {
            let frame = try FileIO.readJPEGFrame(image)
            let outcome = try assembled.process(frame)
            try assembled.saveTrace(outcome)
            print(json ? outcome.chains.jsonText : outcome.chains.text)
            _ = assembled.pipeline.finish()
        } catch { throw fail(error) }
    }
}
