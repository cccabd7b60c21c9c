import Foundation

extension ModelSummary {
    /// A table of the models of `directory` for people: one row a model (name, classes, the
    /// runtimes it can run with, input, files), then a line for each file that is not verified
    /// with the command that installs it.
    public static func text(_ models: [ModelSummary], directory: String) -> String {
        guard !models.isEmpty else { return "No models in \(directory) (a model is a folder with a manifest.json)." }
        let header = ["model", "classes", "runtime", "input", "files"]
        let rows = models.map { m -> [String] in
            guard m.problem == nil else { return [m.name, "–", "–", "–", "manifest unreadable"] }
            let verified = m.files.filter { $0.status == .verified }.count
            let runtimes = m.runnableWith.map { $0 == m.runtime ? $0 + "*" : $0 }
            return [
                m.name, m.classes.map(String.init) ?? "–", runtimes.isEmpty ? "none" : runtimes.joined(separator: ", "), m.input ?? "–",
                "\(verified) of \(m.files.count) verified" + (m.ready ? "" : ", not ready"),
            ]
        }
        let widths = header.indices.map { c in ([header] + rows).map { $0[c].count }.max()! }
        func line(_ cells: [String]) -> String {
            cells.enumerated().map { c, s in c == cells.count - 1 ? s : s.padding(toLength: widths[c], withPad: " ", startingAt: 0) }
                .joined(separator: "  ")
        }
        var lines = ["Models in \(directory) (* the manifest's runtime):", line(header)] + rows.map(line)
        for m in models {
            if let problem = m.problem { lines.append("  \(m.name): \(problem)") }
            for f in m.files where f.status != .verified {
                let what = f.status == .missing ? "missing" : "damaged (\(f.detail ?? "differs from the manifest"))"
                lines.append(
                    "  \(m.name): \(f.role) file \(f.path) \(what); install it with: \(m.fetch ?? "scripts/fetch-model \(m.name)")")
            }
        }
        return lines.joined(separator: "\n")
    }

    /// The models as one JSON object (`directory`, `models`), keys sorted.
    public static func json(_ models: [ModelSummary], directory: String) throws -> String {
        struct Output: Encodable {
            var directory: String
            var models: [ModelSummary]
        }
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return String(decoding: try encoder.encode(Output(directory: directory, models: models)), as: UTF8.self)
    }
}
