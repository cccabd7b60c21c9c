import Foundation
public import Testing

/// Where the tests' data lives: the one root for the labelled fridge photos beside the
/// repository (`../shared/data/fridge`, with PROVENANCE.md), and the few committed under
/// Samples/fridge so that a clone alone can run the fridge scene.
public enum TestData {
    /// `../shared/data/fridge`, beside the repository (`SIGHTLINE_FRIDGE_DATA` names another
    /// folder, e.g. a missing one to see what a clone alone runs).
    public static let fridge =
        ProcessInfo.processInfo.environment["SIGHTLINE_FRIDGE_DATA"] ?? Reference.repoRoot + "/../shared/data/fridge"

    /// The labelled fridge photos committed with the repository (Samples/fridge/photos.tsv).
    public static let samples = Reference.repoRoot + "/Samples/fridge"

    /// True when `../shared/data/fridge` is there.
    public static let fridgeAvailable = FileManager.default.fileExists(atPath: fridge + "/PROVENANCE.md")

    /// `relative` (`train/labels/X.txt`, `classes.txt`) under Samples/fridge when it is
    /// committed there, else under `../shared/data/fridge`.
    public static func fridgeFile(_ relative: String) -> String {
        let committed = samples + "/" + relative
        return FileManager.default.fileExists(atPath: committed) ? committed : fridge + "/" + relative
    }

    /// True when `relative` can be read: committed, or beside the repository.
    public static func hasFridgeFile(_ relative: String) -> Bool { FileManager.default.fileExists(atPath: fridgeFile(relative)) }

    /// Why a test that needs it was skipped.
    public static let fridgeMissing =
        "../shared/data/fridge (the labelled fridge photos beside the repository) is absent; clone the data folder beside this checkout to run it"
}

extension Trait where Self == ConditionTrait {
    /// Runs the test only when `../shared/data/fridge` is beside the repository; otherwise it is
    /// skipped, and the skip says why.
    public static var needsFridgeData: Self { .enabled(if: TestData.fridgeAvailable, Comment(rawValue: TestData.fridgeMissing)) }
}
