import ArgumentParser
import Detection

struct ModelsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "models",
        abstract: "List the installed detector models: classes, runtimes, input, whether their files are verified.",
        discussion: """
            A model is a folder of the models folder with a manifest.json. Every file the manifest names is checked against its \
            size and sha256; a missing or damaged one is named with the command that installs it. The runtimes listed are those \
            whose files are all verified (* marks the manifest's own). The scene commands take --model NAME.
            """)

    @OptionGroup var folder: ModelsFolderOption
    @Flag(help: "Print the list as one JSON object.")
    var json = false

    func run() throws {
        let store = folder.store, models = store.inventory()
        print(json ? try ModelSummary.json(models, directory: store.directory) : ModelSummary.text(models, directory: store.directory))
    }
}
